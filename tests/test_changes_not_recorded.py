"""A change (an amend's PATCH, the kill switch's PUT) sent, whose outcome the ledger could not record (audit submit28 1).

The PATCH or PUT went out and its answer was lost (the sandbox's `slow` fault holds it past the client's read
timeout, then applies it); meanwhile another process took the ledger's lock (tests/ledger_holder.py), so recording
the change `uncertain` failed. graphc printed only the generic lock message, "try again once it is done", exit 2:
nothing said that the request was sent, and it was applied. Now it is UNCERTAIN, exit 3, with what to check, and the
ledger's record stays `sent` until its landing time. A Ctrl-C mid-request printed a bare `graphc: interrupted`; it
now says that the change was sent and may still land, before it exits 130.

Against `graphc sandbox serve` behaving as the reference router (tests/sandbox_fixture.py `btc_router`), over real
HTTP; the commands run through the real CLI (in this process where the ledger's wait is shortened as
tests/test_changes_in_flight.py does, a separate process where it is interrupted).
"""

from __future__ import annotations

import re
import signal
import threading

import pytest
import test_changes_in_flight
from ledger_holder import hold_ledger, release
from sandbox_fixture import cli_env, start_graphc, wait_for
from test_changes_in_flight import invoke

from graphc.api.ledger import Ledger

GRAPHS = "/v1/execution_graphs/"
project = test_changes_in_flight.project  # the fixture: its limit.yaml in a project of its own


def submitted(env, project) -> str:
    result = invoke(["submit", "limit.yaml", "--run-key", "lim-1"], env, project)
    assert result.exit_code == 0, result.output
    return re.search(r"as graph (graph_\w+)", result.output).group(1)


def locked_once_sent(router, method: str, path: str, ledger_path) -> tuple[threading.Thread, list]:
    """Another process takes the ledger's lock once the router has the request (and keeps it until released)."""
    holders: list = []
    before = sent(router, method, path)

    def hold():
        wait_for(lambda: sent(router, method, path) > before, timeout=30)
        holders.append(hold_ledger(ledger_path))

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    return thread, holders


def sent(router, method: str, path: str) -> int:
    return len([r for r in router.requests(method) if r["path"].startswith(path)])


def changes(project):
    with Ledger(project / ".graphc" / "ledger.sqlite") as ledger:
        return ledger.changes("amend") + ledger.changes("kill_switch")


def test_an_amend_sent_whose_outcome_the_ledger_cannot_record_is_uncertain_not_try_again(
    btc_router, project, monkeypatch
):
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="5")
    gid = submitted(env, project)
    btc_router.set_faults([{"method": "PATCH", "path_prefix": GRAPHS, "kind": "slow", "delay": 18, "count": 1}])
    monkeypatch.setattr("graphc.api.ledger.BUSY_TIMEOUT_S", 0.5)  # not 10 s: the lock is held to the end
    thread, holders = locked_once_sent(btc_router, "PATCH", GRAPHS, project / ".graphc" / "ledger.sqlite")
    try:
        amended = invoke(["amend", gid, "a", "--qty", "0.15"], env, project)
    finally:
        thread.join(30)
        for holder in holders:
            release(holder)
    # before the fix: `graphc: error: graphc waited 0.5 s for the ledger ...; try again once it is done`, exit 2
    assert amended.exit_code == 3, amended.output
    assert "try again" not in amended.stderr, amended.stderr
    assert "graphc: warning: the ledger could not record the request's outcome (graphc waited 0.5 s for the ledger" in (
        amended.stderr
    )
    assert "it keeps ledger change 1 as sent until" in amended.stderr
    assert "graphc: UNCERTAIN: PATCH" in amended.stderr
    assert f"The amend of graph {gid} node a may have been applied, or may still be until" in amended.stderr
    assert f"`graphc status {gid}`" in amended.stderr
    (change,) = changes(project)
    assert change.state == "sent"  # kept: it holds back an amend it would undo until its landing time
    assert len([r for r in btc_router.requests("PATCH") if r["path"].startswith(GRAPHS)]) == 1


def test_a_kill_switch_sent_whose_outcome_the_ledger_cannot_record_is_uncertain_not_try_again(
    btc_router, project, monkeypatch
):
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="5")
    assert invoke(["kill-switch", "on", "--reason", "drill"], env, project).exit_code == 0
    btc_router.set_faults(
        [{"method": "PUT", "path_prefix": "/v1/kill_switch", "kind": "slow", "delay": 18, "count": 1}]
    )
    monkeypatch.setattr("graphc.api.ledger.BUSY_TIMEOUT_S", 0.5)
    before = len(btc_router.requests("PUT", "/v1/kill_switch"))
    thread, holders = locked_once_sent(btc_router, "PUT", "/v1/kill_switch", project / ".graphc" / "ledger.sqlite")
    try:
        off = invoke(["kill-switch", "off"], env, project)
    finally:
        thread.join(30)
        for holder in holders:
            release(holder)
    assert off.exit_code == 3, off.output  # before the fix: exit 2, "try again once it is done"
    assert "try again" not in off.stderr and "nothing sent" not in off.stderr, off.stderr
    assert "graphc: warning: the ledger could not record the request's outcome (graphc waited 0.5 s" in off.stderr
    assert "graphc: UNCERTAIN: PUT /v1/kill_switch" in off.stderr
    assert "Whether the kill switch is OFF is unknown, and the request may still reach the router until" in off.stderr
    assert len(btc_router.requests("PUT", "/v1/kill_switch")) == before + 1
    assert [c.state for c in changes(project)] == ["settled", "sent"]


@pytest.mark.parametrize("command", ["amend", "kill-switch"])
def test_ctrl_c_mid_change_says_it_was_sent_and_may_still_land(btc_router, project, command):
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="5")
    if command == "amend":
        gid = submitted(env, project)
        method, path, args = "PATCH", GRAPHS, ["amend", gid, "a", "--qty", "0.15"]
        check = f"look at the node with `graphc status {gid}`"
    else:
        method, path, args = "PUT", "/v1/kill_switch", ["kill-switch", "on", "--reason", "drill"]
        check = "send the state you want again once that time has passed"
    btc_router.set_faults([{"method": method, "path_prefix": path, "kind": "slow", "delay": 8, "count": 1}])
    proc = start_graphc(args, env, project)
    wait_for(lambda: sent(btc_router, method, path) == 1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    # before the fix: `graphc: interrupted` and nothing else
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert "graphc: interrupted while the request was in flight: `graphc " in err, err
    assert (
        "was sent (ledger change" in err
        and "recorded as uncertain); it may have been applied, and may still be" in (err)
    )
    assert check in err, err
    assert changes(project)[-1].state == "uncertain"
