"""`graphc run` and LIVE trading: what its events say of the mode (audit live23 F3).

`submit` prints `(LIVE, run key ...)`; `run`'s events said nothing of the mode, so a desk reading a runner's log
(`strategy logs --follow | jq`) could not tell a paper DCA from a real-money one. `start` now says what the run
allows (`--live`, `GRAPHC_LIVE=1`), and each event naming a graph sent says what that graph is.

The real CLI as a process against `graphc sandbox serve` (BTC-USD at 97,250.50), on the real clock: the playbook's
occurrence is this year's 1 January, due all year (catch_up 400d).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

YEARLY = """\
graphc: 1
name: {name}
{mode}schedule:
  cron: "0 0 1 1 *"
  catch_up: 400d
risk: {{max_notional: $10k}}
legs:
  buy:
    buy: $500
    symbol: BTC-USD
    venue: coinbase
    limit: ask + 1 tick
"""


@pytest.fixture
def sandbox(btc_router):
    return btc_router


def playbook(folder: Path, name: str, live: bool) -> Path:
    (folder / ".git").mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(YEARLY.format(name=name, mode="sandbox: false\n" if live else ""))
    return path


def run(sandbox, path: Path, *args) -> tuple[int, list[dict], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(path), "--once", "--settle", "0", *args],
        capture_output=True,
        text=True,
        env=sandbox.env(SEQUENCE_API_KEY="k"),
        cwd=path.parent,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def one(log: list[dict], event: str) -> dict:
    (found,) = [e for e in log if e["event"] == event]
    return found


def after(event: dict, field: str) -> str:
    """The field that follows ``field`` in an event as logged (the graph's mode right after its id)."""
    fields = list(event)
    return fields[fields.index(field) + 1]


def test_a_live_run_says_live_in_start_and_in_the_graph_it_sent(sandbox, tmp_path):
    path = playbook(tmp_path, "dca-live", live=True)
    code, log, err = run(sandbox, path, "--live")
    assert code == 0, err + json.dumps(log)
    start, submitted = one(log, "start"), one(log, "submitted")
    assert list(start)[:4] == ["ts", "event", "mode", "live"] and start["live"] is True, start
    assert after(submitted, "graph_id") == "live" and submitted["live"] is True, submitted
    assert [g["is_sandbox"] for g in sandbox.graphs()] == [False]
    code, log, err = run(sandbox, path, "--live")  # the same occurrence: found in the project's ledger
    already = one(log, "already")
    assert code == 0 and already["graph_id"] == submitted["graph_id"], err + json.dumps(log)
    assert after(already, "graph_id") == "live" and already["live"] is True, already


def test_a_paper_run_says_live_false_and_live_alone_makes_no_graph_live(sandbox, tmp_path):
    path = playbook(tmp_path, "dca", live=False)
    code, log, err = run(sandbox, path)
    assert code == 0, err + json.dumps(log)
    assert one(log, "start")["live"] is False and one(log, "submitted")["live"] is False, log
    # --live allows a live graph (start says so), and the graph sent is still a paper one (submitted says so)
    code, log, err = run(sandbox, playbook(tmp_path / "other", "dca2", live=False), "--live")
    assert code == 0, err + json.dumps(log)
    submitted = one(log, "submitted")
    assert one(log, "start")["live"] is True and submitted["live"] is False, log
    assert "--live has no effect" in submitted["warning"]


def test_a_graph_found_only_at_the_router_has_an_unknown_mode(sandbox, tmp_path):
    """Another checkout (a ledger of its own) finds the graph by its run tag; the router does not say whether a
    graph is sandbox or LIVE (orders-and-execution-graphs.md), so `live` is null, never a guess."""
    code, log, err = run(sandbox, playbook(tmp_path / "a", "dca-live", live=True), "--live")
    assert code == 0, err + json.dumps(log)
    code, log, err = run(sandbox, playbook(tmp_path / "b", "dca-live", live=True), "--live")
    already = one(log, "already")
    assert code == 0 and already["live"] is None, err + json.dumps(log)
    assert len(sandbox.graphs()) == 1


# -- O2: the rehearsal clock (--now, GRAPHC_NOW, prepare's now=) is refused with live -----------------------------

NOW = "2026-12-05T09:00:00Z"  # the audit's `--now` with real 10:16 and catch_up 1h: an occurrence past its catch-up
REHEARSAL = "is for rehearsals: it is refused with"


def _nothing_sent(sandbox) -> bool:
    return sandbox.requests("POST", "/v1/orders") == [] and sandbox.graphs() == []


@pytest.mark.parametrize("mode", ["--once", "--loop"])
@pytest.mark.parametrize("live", [True, False])
def test_run_refuses_now_with_live_at_start_and_sends_nothing(sandbox, tmp_path, mode, live):
    """`graphc run --live --now T` traded T's occurrence LIVE, past its real catch-up (audit live23 O2). Refused at
    start, before the router is asked anything, whatever the playbook says: `--live` asks for real money."""
    path = playbook(tmp_path, "dca-live" if live else "dca", live=live)
    args = [sys.executable, "-m", "graphc", "run", str(path), mode, "--settle", "0", "--live", "--now", NOW]
    proc = subprocess.run(
        args, capture_output=True, text=True, env=sandbox.env(SEQUENCE_API_KEY="k"), cwd=tmp_path, timeout=120
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    (error,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert error["event"] == "error", error
    assert error["message"] == (
        f"the rehearsal clock (--now, GRAPHC_NOW) at {NOW} is for rehearsals: it is refused with --live "
        "(GRAPHC_LIVE=1), since a LIVE graph trades at the real time; nothing was sent. To send a missed "
        "occurrence LIVE, use `graphc submit PLAYBOOK --live` without --now: it sends the occurrence due now, while "
        "within its catch-up (outside it, --run-key KEY makes a run of its own)"
    )
    assert _nothing_sent(sandbox) and sandbox.requests("GET", "/v1/quotes") == []


def test_a_bundles_runner_refuses_graphc_now_with_graphc_live(sandbox, tmp_path):
    """The bundle's entry point (graphc.hosted, as its main.py runs it) with `GRAPHC_LIVE=1` and `GRAPHC_NOW` (a
    `deploy --env GRAPHC_NOW=...` of a live bundle): the same refusal, exit 2 (configuration), nothing sent."""
    playbook(tmp_path, "dca-live", live=True)
    env = sandbox.env(
        SEQUENCE_API_KEY="k", GRAPHC_PLAYBOOK="dca-live.yaml", GRAPHC_LIVE="1", GRAPHC_NOW=NOW, GRAPHC_ONCE="1"
    )
    code = f"import sys; from graphc.hosted import main; sys.exit(main({str(tmp_path)!r}))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    log = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in log] == ["boot", "error"], log
    assert REHEARSAL in log[-1]["message"] and "--live (GRAPHC_LIVE=1)" in log[-1]["message"]
    assert _nothing_sent(sandbox)


def test_submit_refuses_now_with_live_before_asking_anything(sandbox, tmp_path):
    """`graphc submit --live --now T` of a scheduled live playbook sent T's occurrence; a plan made with `--now`
    and submitted with `--live` too. Both refused, exit 2, before any prompt: nothing sent, no ledger written."""
    path = playbook(tmp_path, "dca-live", live=True)
    env = {**sandbox.env(SEQUENCE_API_KEY="k"), "GRAPHC_CREDENTIALS": "/nonexistent"}

    def graphc(*args):
        return subprocess.run(
            [sys.executable, "-m", "graphc", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    live_quotes = ("--quotes", "live")
    proc = graphc("submit", path.name, *live_quotes, "--live", "--yes", "--now", NOW, "--settle", "0")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        f"graphc: refused: the rehearsal clock (--now) at {NOW} is for rehearsals: it is refused with --live, since "
        "a LIVE graph trades at the real time; nothing was sent. To send a missed occurrence LIVE, use `graphc "
        "submit PLAYBOOK --live` without --now: it sends the occurrence due now, while within its catch-up (outside "
        "it, --run-key KEY makes a run of its own)"
    ), proc.stderr
    planned = graphc("plan", path.name, *live_quotes, "--now", NOW, "-o", "p.json")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "submitting it needs --live, which is refused with --now: a rehearsal clock is for rehearsals" in (
        planned.stdout
    )
    proc = graphc("submit", "p.json", "--live", "--yes", "--settle", "0")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"graphc: refused: the rehearsal clock (the saved plan's --now) at {NOW} {REHEARSAL} --live" in (
        proc.stderr
    ), proc.stderr
    assert _nothing_sent(sandbox) and not (tmp_path / ".graphc").exists()
    # the same occurrence, due now on the real clock, is sent without --now
    sent = graphc("submit", path.name, *live_quotes, "--live", "--yes", "--settle", "0")
    assert sent.returncode == 0 and "(LIVE, run key dca-live@" in sent.stdout, sent.stderr
    # and --now alone, with a sandbox graph, is still a rehearsal
    paper = playbook(tmp_path, "dca", live=False)
    rehearsed = graphc("submit", paper.name, *live_quotes, "--now", NOW, "--settle", "0")
    assert rehearsed.returncode == 0 and "(sandbox, run key dca@" in rehearsed.stdout, rehearsed.stderr


def test_the_library_refuses_a_graph_prepared_at_a_given_now_with_allow_live(sandbox, tmp_path):
    from datetime import datetime

    from graphc.api.client import Client
    from graphc.api.ledger import Ledger
    from graphc.submit import Refused, prepare, submit_prepared

    path = playbook(tmp_path, "dca-live", live=True)
    prepared = prepare(path, quotes={"BTC-USD": {"bid": "97250", "ask": "97251"}}, now=datetime.fromisoformat(NOW))
    assert prepared.ready, prepared.problems
    with Client(sandbox.base_url, "k") as client, Ledger(":memory:") as ledger, pytest.raises(Refused) as refused:
        submit_prepared(prepared, client=client, ledger=ledger, allow_live=True)
    assert refused.value.exit_code == 2
    assert refused.value.message.startswith(
        f"the rehearsal clock (now=) at {NOW} is for rehearsals: it is refused with allow_live=True, since"
    ), refused.value.message
    assert _nothing_sent(sandbox)
