"""`graphc run`: an occurrence whose request's outcome is unknown (`uncertain`) is never logged `missed` unproven.

Audit sched20 3: an uncertain POST that could not be retried within catch_up was logged `missed`, the loop's last
word on it, though the graph had landed and filled; nothing looked for it again, and the message sent the operator
to `graphc ledger --reconcile` and a "ledger run 1" that `run` (which keeps its record in memory) never writes.
Now, once its request can no longer land, the loop looks for the run's tag at the router (a look, never a send):
found, it is `already` with the graph id; proved absent, `missed` saying so; neither, `unresolved`, looked for
again a bounded number of times.

Against `graphc sandbox serve --ignore-idempotency-key` (a real server process, real HTTP) whose faults make the
answers fail: `drop_after_read` applies the POST and drops the connection; `http_500` answers 500 without
applying it.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphc.api.client import Client
from graphc.api.runtag import run_tag
from graphc.run import MAX_LOOKS, Clock, EventLog, Runner, RunSettings

HOURLY = """\
graphc: 1
name: hourly
schedule: {cron: "0 * * * *", catch_up: 10m}
legs:
  a: {buy: 0.001, symbol: BTC-USD, limit: 97000}
"""
KEY = "hourly@2026-01-05T14:00Z"
LEDGER_WORDS = ("ledger run", "ledger --reconcile", "graphc ledger")


@pytest.fixture
def sandbox(btc_router):
    return btc_router


@pytest.fixture
def playbook(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    path = tmp_path / "h.yaml"
    path.write_text(HOURLY)
    return path


def post_fault(sandbox, kind: str) -> None:
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": kind, "count": 1}])


def order_posts(sandbox) -> int:
    return len([r for r in sandbox.requests() if r["method"] == "POST" and r["path"] == "/v1/orders"])


def ended(stream: io.StringIO, event: str):
    """The loop's stop(): once ``event`` is logged, or the next hour's occurrence is due (so a loop that never logs
    it ends too, and the test fails on what it logged)."""
    return lambda: f'"event": "{event}"' in stream.getvalue() or '"occurrence": "2026-01-05T15:00' in stream.getvalue()


def named(log: list[dict], event: str) -> list[dict]:
    return [r for r in log if r["event"] == event]


def test_the_audits_uncertain_occurrence_past_its_catch_up_is_found_at_the_router_not_missed(sandbox, playbook):
    """The audit's reproduction, as a process: 14:09:30 with a catch-up of 10m leaves no time for a retry."""
    post_fault(sandbox, "drop_after_read")
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphc", "run", str(playbook), "--loop", "--now", "2026-01-05T14:09:30Z"]
        + ["--settle", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sandbox.env(GRAPHC_LANDING_MARGIN="1"),
        cwd=playbook.parent,
    )
    log: list[dict] = []
    try:
        deadline = time.monotonic() + 60
        while not [r for r in named(log, "sleep") if r["until"] == "2026-01-05T15:00:00Z"]:
            assert time.monotonic() < deadline, log
            line = proc.stdout.readline()
            assert line, f"exited {proc.poll()}: {log} {proc.stderr.read()}"
            log.append(json.loads(line))
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    (graph,) = sandbox.graphs()
    (uncertain,) = named(log, "uncertain")
    assert "RemoteProtocolError" in uncertain["message"] and run_tag(KEY) in uncertain["message"]
    # `graphc run` records it in the project's ledger (audit conc21 1), whose command settles it (conc21 5)
    assert "The attempt is ledger run 1 of the project's ledger" in uncertain["message"], uncertain["message"]
    assert "`graphc ledger --reconcile` looks for it at the router" in uncertain["message"], uncertain["message"]
    (already,) = named(log, "already")
    assert already["run_key"] == KEY and already["graph_id"] == graph["graph_id"]
    assert f"found at the router by its run tag {run_tag(KEY)}" in already["message"]
    assert not named(log, "missed") and not named(log, "retry")
    # the loop woke for its look (a second after the request could no longer land), then sleeps to the next hour
    assert [r["until"][:16] for r in named(log, "sleep")] == ["2026-01-05T14:09", "2026-01-05T15:00"]
    assert order_posts(sandbox) == 1


def runner(sandbox, playbook: Path, stream, sleep=lambda seconds: None, **settings) -> Runner:
    env = sandbox.env()
    return Runner(
        RunSettings(playbook=str(playbook), settle_s=0, **settings),
        lambda: Client.from_env(env, retries=0),
        clock=Clock(datetime(2026, 1, 5, 14, 9, 30, tzinfo=UTC), sleep=sleep),
        log=EventLog(stream),
    )


def test_an_uncertain_occurrence_proved_absent_is_missed_with_the_proof_and_never_sent_again(
    sandbox, playbook, monkeypatch
):
    monkeypatch.setenv("GRAPHC_LANDING_MARGIN", "0")
    post_fault(sandbox, "http_500")  # the router answers 500 and creates nothing
    stream = io.StringIO()
    code = runner(sandbox, playbook, stream).loop(stop=ended(stream, "missed"))
    log = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert code == 0, log
    assert named(log, "uncertain")
    (missed,) = named(log, "missed")
    assert missed["run_key"] == KEY and missed["occurrence"] == "2026-01-05T14:00:00Z"
    reason = missed["reason"]
    assert f"no order at the router carries tag {run_tag(KEY)}" in reason and "never created" in reason, reason
    assert "past its catch-up of 10m: it is not sent again" in reason, reason
    assert sandbox.graphs() == [] and order_posts(sandbox) == 1


def test_an_uncertain_occurrence_the_router_cannot_show_is_unresolved_then_looked_for_again(
    sandbox, playbook, monkeypatch
):
    monkeypatch.setenv("GRAPHC_LANDING_MARGIN", "0")
    post_fault(sandbox, "drop_after_read")
    stream = io.StringIO()
    failing: list = []

    def sleep(seconds: float) -> None:
        if not failing:  # after the uncertain POST, the router's order list fails: every look fails...
            failing.append(
                sandbox.set_faults(
                    [{"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "count": 10_000}]
                )
            )
        elif '"unresolved"' in stream.getvalue():  # ... until the loop's wait before its second look
            sandbox.set_faults([])

    code = runner(sandbox, playbook, stream, sleep, retry_s=30).loop(stop=ended(stream, "already"))
    log = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert code == 0, log
    (unresolved,) = named(log, "unresolved")
    assert unresolved["run_key"] == KEY and unresolved["tag"] == run_tag(KEY)
    assert unresolved["again_at"] == "2026-01-05T14:10:31Z", unresolved  # the --retry after the first look
    assert "could not" in unresolved["message"] and f"`.{run_tag(KEY)}`" in unresolved["message"]
    # a Runner given no ledger (a hosted bundle's) keeps its record in memory: it names no ledger command
    assert not any(words in unresolved["message"] for words in LEDGER_WORDS), unresolved["message"]
    (graph,) = sandbox.graphs()
    (already,) = named(log, "already")
    assert already["graph_id"] == graph["graph_id"] and not named(log, "missed")
    assert order_posts(sandbox) == 1


def test_looks_that_never_settle_it_end_in_a_final_unresolved_and_nothing_is_sent(sandbox, playbook, monkeypatch):
    monkeypatch.setenv("GRAPHC_LANDING_MARGIN", "0")
    post_fault(sandbox, "drop_after_read")
    stream = io.StringIO()
    final = '"event": "unresolved"'

    def sleep(seconds: float) -> None:  # after the uncertain POST, the router's order list fails for good
        sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "count": 10_000}])

    code = runner(sandbox, playbook, stream, sleep, retry_s=1).loop(
        stop=lambda: (
            stream.getvalue().count(final) >= MAX_LOOKS or '"due", "occurrence": "2026-01-05T15' in stream.getvalue()
        )
    )
    log = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert code == 0, log
    looks = named(log, "unresolved")
    assert len(looks) == MAX_LOOKS, log
    assert all("again_at" in look for look in looks[:-1]) and "again_at" not in looks[-1]
    assert f"gave up looking after {MAX_LOOKS} looks" in looks[-1]["message"], looks[-1]
    assert not named(log, "missed") and not named(log, "already")
    assert order_posts(sandbox) == 1


def test_a_retry_within_catch_up_looks_for_the_uncertain_request_first_and_finds_it(sandbox, playbook, monkeypatch):
    monkeypatch.setenv("GRAPHC_LANDING_MARGIN", "0")
    playbook.write_text(HOURLY.replace("catch_up: 10m", "catch_up: 1h"))
    post_fault(sandbox, "drop_after_read")
    stream = io.StringIO()
    code = runner(sandbox, playbook, stream, retry_s=5).loop(stop=ended(stream, "already"))
    log = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert code == 0, log
    events = [r["event"] for r in log if r["event"] in ("uncertain", "retry", "already", "quotes")]
    assert events == ["quotes", "uncertain", "retry", "already"], events  # looked for before any quote is read
    (graph,) = sandbox.graphs()
    assert named(log, "already")[0]["graph_id"] == graph["graph_id"] and order_posts(sandbox) == 1


def test_once_says_what_to_do_about_an_uncertain_occurrence_and_names_the_projects_ledger(sandbox, playbook):
    post_fault(sandbox, "drop_after_read")
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(playbook), "--once", "--now", "2026-01-05T14:05:00Z"]
        + ["--settle", "0"],
        capture_output=True,
        text=True,
        env=sandbox.env(),
        cwd=playbook.parent,
        timeout=120,
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    (uncertain,) = [r for r in map(json.loads, proc.stdout.splitlines()) if r["event"] == "uncertain"]
    message = uncertain["message"]
    # recorded in the project's ledger (audit conc21 1): the message names the command that settles it (conc21 5)
    assert "`graphc ledger --reconcile` looks for it at the router" in message, message
    assert f"orders whose node ids end in `.{run_tag(KEY)}`" in message and "graphc status" in message, message
    assert "A later `graphc run --once` of this occurrence, while within its catch-up" in message, message
