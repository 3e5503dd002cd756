"""How `graphc submit` words and records the outcomes the audit found misreported (notes/audit/submit16.md, finding
5), end to end: the real CLI as separate processes against `graphc sandbox serve --ignore-idempotency-key` (the
reference router's behaviour) over real HTTP, its answers and delays set through `/_sandbox/faults`.

- a: a 2xx answer whose body says `"status": "failed"` (a graph status of the reference) is not a success.
- b: a submit that loses to a concurrent one says that another process's request is in flight, and until when it
  may land, not "reconcile it first".
- d: a submission whose process was held up between recording it `sent` (with its `lands_by`) and its first byte
  is not sent: it could have landed after another process proved the run absent. (Through the library: the hold-up
  is a ledger whose `mark_sent` returns late, as a process suspended right after it would; the client is the real
  one, against the sandbox process over HTTP.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from sandbox_fixture import cli_env, hedge_graph, ledger_rows, run_graphc, wire

from graphc.api.client import Client
from graphc.api.errors import NotSentInTime
from graphc.api.ledger import Ledger
from graphc.submit import submit_wire
from tests.test_run import named, run, write

ORDER = {"symbol": "ETH-USD", "side": "buy", "qty": 0.2, "price": 2000}
FAILED = {"graph_id": "graph_rejected1", "status": "failed", "error": {"code": "venue_rejected", "message": "no funds"}}
ANSWER_FAILED = [
    {"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": 200, "body": json.dumps(FAILED)}
]
DAILY = """\
graphc: 1
name: daily
schedule: {cron: "0 14 * * *"}
legs: {a: {buy: 0.001, symbol: BTC-USD, venue: coinbase, limit: 97000}}
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "o8.json").write_text(json.dumps(ORDER))
    return root


# -- a: "status": "failed" in a 2xx answer ------------------------------------------------------------------------


def test_a_2xx_answer_saying_the_graph_failed_is_reported_and_recorded_as_failed(reference_router, project):
    """It printed `submitted o8 as graph graph_rejected1`, exited 0 and recorded a plain `confirmed`."""
    env = cli_env(reference_router)
    reference_router.set_faults(ANSWER_FAILED)
    first = run_graphc(["submit", "o8.json"], env, project)
    assert first.returncode == 1 and "submitted" not in first.stdout, first.stdout + first.stderr
    assert "graphc: error: the router created graph graph_rejected1 for run 'graph@" in first.stderr, first.stderr
    assert "but reports it failed: venue_rejected: no funds. It is recorded (ledger run 1)" in first.stderr
    assert "graphc status graph_rejected1" in first.stderr
    (row,) = ledger_rows(env, project)
    assert (row["state"], row["graph_id"]) == ("confirmed", "graph_rejected1")  # the graph exists at the router
    assert row["error"] == "the router created the graph but reports it failed: venue_rejected: no funds"
    said = "the router reported graph graph_rejected1 failed when it created it: venue_rejected: no funds"
    assert row["warnings"] == [said]
    again = run_graphc(["submit", "o8.json"], env, project)  # the run has its graph: a duplicate, and why it matters
    assert again.returncode == 2 and "already submitted as graph graph_rejected1" in again.stderr, again.stderr
    assert f"graphc: warning: {said}" in again.stderr
    assert len(reference_router.requests("POST", "/v1/orders")) == 1


def test_run_once_reports_a_graph_the_router_says_failed_with_a_warning_and_exit_1(reference_router, tmp_path):
    playbook = write(tmp_path, DAILY, "daily.yaml")
    reference_router.set_faults(ANSWER_FAILED)
    at = ("--once", "--now", "2026-05-01T14:05:00Z")
    code, log, err = run(reference_router, playbook, *at)
    (submitted,) = named(log, "submitted")
    said = "the router reported graph graph_rejected1 failed when it created it: venue_rejected: no funds"
    assert code == 1 and submitted["graph_id"] == "graph_rejected1" and submitted["warning"] == said, err + str(log)
    assert f"graphc: warning: {said}" in err


# -- b: a concurrent submit that won ----------------------------------------------------------------------------


def _start(args, env, cwd) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "graphc", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def _requests(router, method, path) -> int:
    return len(router.requests(method, path))


IN_FLIGHT = "another graphc's request for this run is in flight (sent at "


def test_a_submit_that_loses_the_race_says_another_request_is_in_flight(reference_router, project):
    """The audit's 12 concurrent submits: each loser said `state sent; reconcile it first`. Here the loser (B) looks
    at the router (its GET held 3 s) while the winner (A) records its attempt and sends it: B's `begin` finds A's
    row `sent`."""
    env = cli_env(reference_router)
    reference_router.set_faults(
        [
            {"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": 3.0},
            {"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": 3.0},
        ]
    )
    loser = _start(["submit", "o8.json"], env, project)
    _wait_for(lambda: _requests(reference_router, "GET", "/v1/orders") == 1)  # B is looking; it found no row
    winner = _start(["submit", "o8.json"], {**env, "GRAPHC_LOOKBACK": "0"}, project)  # A: straight to its POST
    try:
        _wait_for(lambda: _requests(reference_router, "POST", "/v1/orders") == 1)
    finally:  # whatever happens, neither outlives the test (a late POST would land in the next test's sandbox)
        _, err = loser.communicate(timeout=60)
        out, winner_err = winner.communicate(timeout=60)
    assert loser.returncode == 3, err
    assert "has an unresolved attempt (ledger run 1): " + IN_FLIGHT in err, err
    assert "it may still reach the router until " in err and "nothing was sent for this run" in err
    assert "reconcile it first" not in err
    assert winner.returncode == 0 and "submitted o8 as graph" in out, winner_err
    assert _requests(reference_router, "POST", "/v1/orders") == 1


def test_a_submit_started_while_another_ones_request_is_in_flight_says_so(reference_router, project):
    """The loser that starts later reconciles the winner's `sent` row first: it was called "still uncertain", with
    the commands that settle a run by hand (`--not-submitted` to submit it again). Then it said the run twice
    (`(ledger run 1): run 1 (graph@…):`) and ended on what the router lists, not on what this command did (audit
    ops19 6): now it reads as the loser of the race above, whichever look at the ledger found the winner's row."""
    env = cli_env(reference_router)
    reference_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": 3.0}])
    winner = _start(["submit", "o8.json"], env, project)
    try:
        _wait_for(lambda: _requests(reference_router, "POST", "/v1/orders") == 1)
        loser = run_graphc(["submit", "o8.json"], env, project)
    finally:
        _, err = winner.communicate(timeout=60)
    assert loser.returncode == 3, loser.stderr
    assert "has an unresolved attempt (ledger run 1): " + IN_FLIGHT in loser.stderr, loser.stderr
    assert "; nothing was sent for this run" in loser.stderr and "run 1 (" not in loser.stderr, loser.stderr
    assert "--not-submitted" not in loser.stderr and "still uncertain" not in loser.stderr
    assert winner.returncode == 0, err
    assert _requests(reference_router, "POST", "/v1/orders") == 1


# -- d: held up between `sent` and the first byte ---------------------------------------------------------------


def test_a_request_past_the_time_it_had_to_leave_by_is_not_sent(reference_router):
    with Client(reference_router.base_url, "k") as client:
        with pytest.raises(NotSentInTime) as info:
            client.submit_graph(wire(hedge_graph()), send_by_ns=time.time_ns() - 2 * 10**9)
        assert "was not sent" in str(info.value) and "nothing was sent" in str(info.value)
        assert info.value.exit_code == 3 and info.value.sent is False
        assert reference_router.requests("POST", "/v1/orders") == []  # not a byte of it
        assert client.submit_graph(wire(hedge_graph()), send_by_ns=time.time_ns() + 10**9)["graph_id"]
    assert len(reference_router.requests("POST", "/v1/orders")) == 1


class HeldUpAfterSent(Ledger):
    """A process suspended (Ctrl-Z, a laptop asleep) right after its attempt was recorded `sent`."""

    held_s = 0.0

    def mark_sent(self, run_id: int, lands_by_ns: int) -> None:
        super().mark_sent(run_id, lands_by_ns)
        time.sleep(self.held_s)


def test_a_submission_held_up_after_it_was_recorded_sent_is_not_sent_and_may_be_sent_again(reference_router, tmp_path):
    """lands_by is fixed when the row becomes `sent`: a request whose first byte left later could land after it, when
    another process may already have proven the run absent and sent it again. Here the client's longest call is
    2.5 s (0.5 s to connect, a 1 s deadline, + 1 s), so the request must leave within 1.5 s of `sent`."""
    path = tmp_path / "ledger.sqlite"
    graph = json.dumps(hedge_graph())
    with Client(reference_router.base_url, "k", timeout=0.5, connect_retries=0) as client:
        with HeldUpAfterSent(path) as ledger:
            ledger.held_s = 2.0
            with pytest.raises(NotSentInTime):
                submit_wire(graph, "p", client=client, ledger=ledger, run_key="held", landing_margin_s=1.0)
            (run,) = ledger.runs()
            assert run.state == "absent" and "nothing was sent" in (run.error or ""), run
        assert reference_router.requests("POST", "/v1/orders") == []
        with Ledger(path) as ledger:  # the next attempt proceeds: the first provably sent nothing
            done = submit_wire(graph, "p", client=client, ledger=ledger, run_key="held", landing_margin_s=1.0)
    assert [g["graph_id"] for g in reference_router.graphs() if g["wire_sha256"]] == [done.graph_id]
