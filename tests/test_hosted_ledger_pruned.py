"""A hosted bundle's record of attempts (a ledger in memory) stays bounded however long the strategy runs.

Audit hosted24 3: `graphc.hosted.main` runs a Runner with no ledger, so its record is `Ledger(":memory:")`, and
nothing ever deleted a row: every occurrence kept its row, the graph's bytes and its events (18 KB an occurrence
for a 40-rung ladder), and a `*/5` strategy reached its 256 MB in about five weeks and was OOM-killed. Now the loop
forgets an occurrence once it can never matter again: past its catch-up plus the landing margin (never due again),
with every attempt of it settled for good (`confirmed`, `absent`). An attempt still unsettled (`intent`, `sent`,
`uncertain`) is kept whatever its age, and so is every row of an occurrence within its catch-up. `Ledger.begun` (the
ids of this process's attempts) forgets them too, in the project's ledger as in memory (whose rows it keeps).

The loop runs in this process as `graphc.hosted.main` builds it (no ledger), against `graphc sandbox serve
--ignore-idempotency-key` (a real server process, real HTTP), on a rehearsal clock whose sleeps are instant. The
assertions are on row counts, never on timings.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphc.api.client import Client
from graphc.api.ledger import Ledger
from graphc.run import Clock, EventLog, Runner, RunSettings
from graphc.schedule import run_key
from graphc.submit import LANDING_MARGIN_S

MINUTELY = """\
graphc: 1
name: minutely
schedule: {cron: "* * * * *", catch_up: 2m}
legs:
  a: {buy: 0.001, symbol: BTC-USD, limit: 97000}
"""
START = datetime(2026, 1, 5, 14, 0, 30, tzinfo=UTC)
# an occurrence may matter while it is within its catch-up plus the landing margin: 2m + 120 s
HORIZON = timedelta(minutes=2, seconds=LANDING_MARGIN_S)


@pytest.fixture
def sandbox(btc_router):
    return btc_router


@pytest.fixture
def playbook(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "m.yaml"
    path.write_text(MINUTELY)
    return path


def run_loop(sandbox, playbook: Path, occurrences: int, *, ledger: Ledger | None = None, check=None):
    """Run the loop until ``occurrences`` occurrences were submitted; ``check(runner, event, fields)`` is called
    at each event. Returns the runner and its log."""
    stream = io.StringIO()
    plain = EventLog(stream)
    holder: list[Runner] = []

    def log(event: str, **fields) -> None:
        plain(event, **fields)
        if check is not None:
            check(holder[0], event, fields)

    env = sandbox.env()
    runner = Runner(
        RunSettings(playbook=str(playbook), settle_s=0, retry_s=5),
        lambda: Client.from_env(env, retries=0),
        clock=Clock(START, sleep=lambda seconds: None),
        log=log,
        ledger=ledger,
    )
    holder.append(runner)
    code = runner.loop(stop=lambda: stream.getvalue().count('"submitted"') >= occurrences)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert code == 0, records
    return runner, records


def occurrence_of(key: str) -> datetime:
    return datetime.fromisoformat(key.partition("@")[2].replace("Z", ":00+00:00"))


def test_the_in_memory_record_stays_bounded_over_many_occurrences(sandbox, playbook):
    most = {"rows": 0, "begun": 0}

    def check(runner: Runner, event: str, fields: dict) -> None:
        rows = runner.ledger.runs()
        most["rows"] = max(most["rows"], len(rows))
        most["begun"] = max(most["begun"], len(runner.ledger.begun))
        if event == "due":  # every occurrence that may still matter is still recorded
            now = occurrence_of(fields["run_key"])
            kept = {run.run_key for run in rows}
            for earlier in (now - timedelta(minutes=m) for m in range(1, 5)):
                if now - earlier <= HORIZON and earlier >= START.replace(second=0):
                    assert run_key("minutely", earlier) in kept, (fields, sorted(kept))

    runner, log = run_loop(sandbox, playbook, 60, check=check)
    submitted = [e for e in log if e["event"] == "submitted"]
    assert len(submitted) == 60 == len({e["run_key"] for e in submitted})
    assert len(sandbox.graphs()) == 60  # each occurrence once
    # 60 occurrences, and the record holds those of the last few minutes only
    window = int(HORIZON / timedelta(minutes=1)) + 1
    assert most["rows"] <= window + 1 and most["begun"] <= window + 1, most
    rows = runner.ledger.runs()
    assert len(rows) <= window + 1 and {run.state for run in rows} == {"confirmed"}
    assert [runner.ledger.events(i) for i in range(1, rows[0].id)] == [[]] * (rows[0].id - 1)  # with their events


def test_an_unsettled_attempt_is_never_forgotten_however_old(sandbox, playbook):
    """14:00's POST is answered 500 (not applied): its attempt is `uncertain` until its request can no longer land,
    minutes of real time that an instant rehearsal never reaches. It stays in the record while the loop runs (and
    forgets) the occurrences after it, its id among this process's attempts (a stop names it)."""
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "count": 1}])
    runner, log = run_loop(sandbox, playbook, 20)
    first = run_key("minutely", START.replace(second=0))
    assert [e["run_key"] for e in log if e["event"] == "uncertain"][:1] == [first], log
    (unsettled,) = [run for run in runner.ledger.runs() if run.run_key == first]
    assert unsettled.state == "uncertain" and unsettled.id in runner.ledger.begun
    assert len(runner.ledger.runs()) <= int(HORIZON / timedelta(minutes=1)) + 2


def test_the_projects_ledger_keeps_its_rows_and_forgets_only_this_process_attempts(sandbox, playbook, tmp_path):
    """`graphc run --loop` records in the project's ledger, which `graphc ledger` lists and `graphc submit` reads:
    nothing is deleted there. Its `begun` set, this process's own attempts, stays bounded all the same."""
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        _, log = run_loop(sandbox, playbook, 30, ledger=ledger)
        graphs = [e["graph_id"] for e in log if e["event"] == "submitted"]
        assert [run.graph_id for run in ledger.runs()] == graphs and len(set(graphs)) == 30
        assert len(ledger.begun) <= int(HORIZON / timedelta(minutes=1)) + 1


def test_a_landing_margin_out_of_bounds_stops_the_loop_at_its_occurrence_not_as_a_crash(sandbox, playbook):
    """The loop forgets by the landing margin too: GRAPHC_LANDING_MARGIN=inf is still the occurrence's `refused`
    (its send reads the margin), then the loop's `error`, exit 2 (docs/robustness.md, "Timing settings": `run` logs
    a `refused` event and stops), not an internal error at the loop's top. Before, a refusal no retry can fix was
    logged and the loop went on to refuse every later occurrence the same way."""
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(playbook), "--loop", "--now", "2026-01-05T14:00:30Z"]
        + ["--settle", "0"],
        capture_output=True,
        text=True,
        env=sandbox.env(GRAPHC_LANDING_MARGIN="inf"),
        cwd=playbook.parent,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr
    log = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in log if e["event"] in ("refused", "error", "sleep")] == ["refused", "error"], log
    assert "GRAPHC_LANDING_MARGIN must be at most 86400 seconds" in log[-1]["message"]
    assert not sandbox.requests("POST", "/v1/orders")
