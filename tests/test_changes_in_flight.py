"""After the first submit: a change whose answer was lost may still land (audit ops19), against `graphc sandbox
serve` behaving as the reference router (no idempotency key; tests/sandbox_fixture.py `btc_router`), over real HTTP,
through the real CLI (subprocesses where two commands overlap, this process otherwise).

- 1: a PATCH (amend) or PUT (kill switch) whose answer is lost is sent once, never retried: it is UNCERTAIN, exit 3,
  recorded in the ledger with the time until which it may still land. An amend that it would undo by landing late
  (one setting a field it sets to another value) is refused until then, nothing sent; a `kill-switch on` given
  while an `off` may still land is sent at once, and again once that `off` can no longer land.
- 2: `graphc ledger --resolve N --not-submitted` is refused while run N's request may still land (before its
  `lands_by`, or while another graphc is sending it): a look at the router before then proves nothing, and the
  verdict let the next submit send a second graph. The messages that suggest it say from when it is accepted.
- 4: an amend or a cancel whose answer was lost (a 5xx, a dropped connection) is looked at again where the
  router's status shows it: an amend's size, a graph cancelled. Shown applied, it is done (exit 0, a note saying how
  graphc knows); not shown, it is UNCERTAIN, exit 3, saying what the router shows. An amend that a later look shows
  landed no longer holds back the next one.
"""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import datetime

import pytest
from click.testing import CliRunner
from ledger_holder import hold_ledger, release
from sandbox_fixture import cli_env, run_graphc, start_graphc, wait_for

from graphc.api.client import Client
from graphc.api.errors import UncertainOutcome
from graphc.api.ledger import Ledger, Scope
from graphc.cli import cli

LIMIT = """graphc: 1
name: lim
risk:
  max_notional: $20k
legs:
  a: {buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}
  b: {buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2000}
"""
UNTIL = re.compile(r"may still be until (\S+Z)")


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "limit.yaml").write_text(LIMIT)
    return root


def invoke(args, env, cwd):
    """`graphc ARGS` in this process, typed in ``cwd`` (the router is still a separate process, over real HTTP)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def submitted(router, project, env) -> str:
    result = invoke(["submit", "limit.yaml", "--run-key", "lim-1"], env, project)
    assert result.exit_code == 0, result.output
    return re.search(r"as graph (graph_\w+)", result.output).group(1)


def patches(router) -> list[dict]:
    return [r for r in router.requests("PATCH") if r["path"].startswith("/v1/execution_graphs/")]


def size_of(router, gid: str, node: str) -> int:
    status, view, _ = router.api("GET", f"/v1/execution_graphs/{gid}")
    assert status == 200
    (size,) = [n["target_qty_1e8"] for name, n in view["nodes"].items() if name.split(".gc")[0] == node]
    return size


def switch_is_on(router) -> bool:
    """Whether the router's kill switch is on, the way a desk finds out: a submission refused with it."""
    status, answer, _ = router.api("POST", "/v1/orders", {"symbol": "BTC-USD", "side": "buy", "qty": 0.001})
    assert status in (200, 403), (status, answer)
    return status == 403


def wait_past(stderr: str) -> None:
    """Sleep until the landing time an UNCERTAIN message names has passed."""
    until = datetime.fromisoformat(UNTIL.search(stderr).group(1).replace("Z", "+00:00")).timestamp()
    time.sleep(max(until - time.time(), 0) + 1.1)  # the time is printed to the second


# -- 1: a PATCH or PUT whose answer was lost: sent once, and what it could undo is held back ---------------------


def test_an_amend_answered_500_is_sent_once_uncertain_and_holds_back_an_amend_it_would_undo(btc_router, project):
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="3")
    gid = submitted(btc_router, project, env)
    btc_router.set_faults([{"method": "PATCH", "path_prefix": "/v1/execution_graphs/", "kind": "http_500"}])
    first = invoke(["amend", gid, "a", "--qty", "0.15"], env, project)
    # before the fix: retried after the 500, "accepted", exit 0, and nothing said that the first try may still land
    assert first.exit_code == 3, first.output
    assert len(patches(btc_router)) == 1
    assert "retry" not in first.stderr
    assert first.stderr.startswith(f"graphc: UNCERTAIN: PATCH /v1/execution_graphs/{gid}/nodes/a.gc"), first.stderr
    assert "HTTP 500 Internal Server Error" in first.stderr
    assert f"The amend of graph {gid} node a may have been applied, or may still be until " in first.stderr
    assert f"look at the node with `graphc status {gid}`" in first.stderr
    assert "refuses an amend of node a that sets --qty to another value" in first.stderr

    # a new size for node a now would be undone if the lost one landed after it: refused, nothing sent
    undone = invoke(["amend", gid, "a", "--qty", "0.12"], env, project)
    assert undone.exit_code == 3, undone.output
    assert len(patches(btc_router)) == 1
    assert undone.stderr.startswith(
        f"graphc: error: graph {gid} node a: nothing sent: `graphc amend {gid} a --qty 0.15`"
    )
    assert "its answer was lost, so whether it was applied is unknown) may still reach the router until" in (
        undone.stderr
    )
    assert "landing after this request, it would undo it; send this amend again after 20" in undone.stderr
    # what the lost amend cannot undo goes: another field of the node, another node, the same size again
    for args in (["a", "--urgency", "high"], ["b", "--qty", "2"], ["a", "--qty", "0.15"]):
        result = invoke(["amend", gid, *args], env, project)
        assert result.exit_code == 0, (args, result.output)
    assert len(patches(btc_router)) == 4

    wait_past(first.stderr)  # the lost amend can no longer land
    later = invoke(["amend", gid, "a", "--qty", "0.12"], env, project)
    assert later.exit_code == 0, later.output
    assert size_of(btc_router, gid, "a") == 12_000_000


def test_an_amend_that_lands_after_its_timeout_cannot_undo_a_later_one(btc_router, project):
    """The audit's case: the router holds the PATCH past graphc's 15 s read timeout and applies it later. graphc
    retried it and said "accepted"; a second amend, 0.12, was then undone by the first landing at 0.15."""
    env = cli_env(btc_router)
    gid = submitted(btc_router, project, env)
    btc_router.set_faults(
        [{"method": "PATCH", "path_prefix": "/v1/execution_graphs/", "kind": "slow", "delay": 19, "count": 1}]
    )
    first = start_graphc(["amend", gid, "a", "--qty", "0.15"], env, project)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 3, out + err  # the read timed out at 15 s: not retried
    assert "graphc: UNCERTAIN: PATCH" in err and "ReadTimeout" in err and "retry" not in err
    assert len(patches(btc_router)) == 1
    second = run_graphc(["amend", gid, "a", "--qty", "0.12"], env, project)  # the first has not landed yet
    assert second.returncode == 3 and "nothing sent" in second.stderr, second.stderr
    assert len(patches(btc_router)) == 1
    wait_for(lambda: size_of(btc_router, gid, "a") == 15_000_000, timeout=20)  # the first lands, late
    amended = [e["qty_1e8"] for e in btc_router.events(gid) if e["type"] == "node_amended"]
    assert amended == [15_000_000]  # nothing was undone: the second amend never went
    # once the router shows the first amend's size, it has landed: the next amend goes at once (ops19 4)
    third = run_graphc(["amend", gid, "a", "--qty", "0.12"], env, project)
    assert third.returncode == 0, third.stderr
    assert f"graphc: note: the earlier `graphc amend {gid} a --qty 0.15` (ledger change 1) has landed" in third.stderr
    assert [e["qty_1e8"] for e in btc_router.events(gid) if e["type"] == "node_amended"] == [15_000_000, 12_000_000]
    time.sleep(1)
    assert size_of(btc_router, gid, "a") == 12_000_000  # the trader's last amend stands


def test_a_kill_switch_off_answered_500_is_sent_once_and_an_on_is_sent_again_after_it(btc_router, project):
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="2")
    assert invoke(["kill-switch", "on", "--reason", "drill"], env, project).exit_code == 0
    btc_router.set_faults([{"method": "PUT", "path_prefix": "/v1/kill_switch", "kind": "http_500"}])
    off = invoke(["kill-switch", "off"], env, project)
    assert off.exit_code == 3, off.output  # before the fix: retried, "kill switch is OFF", exit 0
    assert off.stdout == ""
    assert off.stderr.startswith("graphc: UNCERTAIN: PUT /v1/kill_switch: router answered HTTP 500"), off.stderr
    assert "Whether the kill switch is OFF is unknown, and the request may still reach the router until" in off.stderr
    assert "send it again (`graphc kill-switch off`; setting it twice is harmless)" in off.stderr
    assert switch_is_on(btc_router)  # the 500 did not apply it

    on = invoke(["kill-switch", "on", "--reason", "incident"], env, project)
    assert on.exit_code == 0, on.output
    assert on.stdout.startswith("kill switch is ON (incident)\nkill switch is ON (incident); sent again at 20"), (
        on.stdout
    )
    assert "`graphc kill-switch off` (ledger change 2, sent " in on.stderr
    assert "may still reach the router until" in on.stderr and "turn the switch OFF again" in on.stderr
    assert "graphc sends `graphc kill-switch on` again at" in on.stderr
    sent = [r["fields"] for r in btc_router.requests("PUT", "/v1/kill_switch")]
    assert len(sent) == 4  # on, off (500, once), on, on again
    assert switch_is_on(btc_router)


def test_a_kill_switch_off_that_lands_late_cannot_clear_a_later_on(btc_router, project):
    """The audit's case: an `off` held past the read timeout landed after the desk's `on` and cleared it; new
    submissions went through. Now the `off` is UNCERTAIN, and the `on` is sent again once the `off` cannot land."""
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="6")
    assert invoke(["kill-switch", "on", "--reason", "drill"], env, project).exit_code == 0
    btc_router.set_faults(
        [{"method": "PUT", "path_prefix": "/v1/kill_switch", "kind": "slow", "delay": 18, "count": 1}]
    )
    off = run_graphc(["kill-switch", "off"], env, project)
    assert off.returncode == 3 and "UNCERTAIN" in off.stderr and "retry" not in off.stderr, off.stderr
    on = run_graphc(["kill-switch", "on", "--reason", "incident"], env, project, timeout=90)
    assert on.returncode == 0, on.stderr
    assert on.stdout.count("kill switch is ON (incident)") == 2, on.stdout  # sent, and sent again after the `off`
    landed = [r["fields"] for r in btc_router.requests("PUT", "/v1/kill_switch")]
    assert len(landed) == 4
    assert switch_is_on(btc_router)


def test_a_kill_switch_on_is_sent_while_another_process_holds_the_ledger_and_an_off_is_not(
    btc_router, project, monkeypatch
):
    """The audit's case (amend25 1): a ledger another process holds locked refused `kill-switch on` after the lock
    wait, exit 2, nothing sent: the lock surfaces when the change is recorded, not when the ledger is opened. The
    emergency stop is sent all the same, with the warning of an unusable ledger; an `off` is still refused."""
    env = cli_env(btc_router)
    path = project / ".graphc" / "ledger.sqlite"
    Ledger(path).close()
    monkeypatch.setattr("graphc.api.ledger.BUSY_TIMEOUT_S", 0.5)  # not 10 s: the lock below is held throughout
    holder = hold_ledger(path)
    try:
        on = invoke(["kill-switch", "on", "--reason", "venue outage"], env, project)
        after_on = len(btc_router.requests("PUT", "/v1/kill_switch"))
        off = invoke(["kill-switch", "off"], env, project)
    finally:
        release(holder)
    # before the fix: `graphc: error: graphc waited 0.5 s for the ledger ...`, exit 2, no PUT
    assert on.exit_code == 0, on.output
    assert on.stdout == "kill switch is ON (venue outage)\n"
    assert on.stderr.startswith(f"graphc: warning: graphc waited 0.5 s for the ledger {path}, and another process "), (
        on.stderr
    )
    assert (
        "; the kill switch is turned ON all the same, without a record: an earlier `kill-switch off` still on its"
        in (on.stderr)
    )
    assert after_on == 1 and switch_is_on(btc_router)

    assert off.exit_code == 2, off.output  # an `off` no later `on` could know of: refused, nothing sent
    assert off.stdout == "" and off.stderr.startswith("graphc: error: graphc waited 0.5 s for the ledger"), off.stderr
    assert len(btc_router.requests("PUT", "/v1/kill_switch")) == 1 and switch_is_on(btc_router)
    with Ledger(path) as ledger:
        assert ledger.changes("kill_switch") == []  # neither was recorded


def test_a_put_or_patch_is_retried_after_a_429_only(btc_router):
    """A 429 is a refusal (nothing applied): retried as a read is. A dropped connection is not: the request may
    have been applied (the sandbox applied it), and it is the caller's UncertainOutcome, after one request."""
    with Client(btc_router.base_url, "k", backoff_factor=0.01) as client:
        btc_router.set_faults(
            [{"method": "PUT", "path_prefix": "/v1/kill_switch", "kind": "http_429", "retry_after": 0}]
        )
        assert client.kill_switch(True, "drill")["active"] is True
        assert [r["fault"] for r in btc_router.requests("PUT")] == ["http_429", None]
        btc_router.set_faults([{"method": "PUT", "path_prefix": "/v1/kill_switch", "kind": "drop_after_read"}])
        with pytest.raises(UncertainOutcome) as lost:
            client.kill_switch(False)
        assert str(lost.value).startswith("PUT /v1/kill_switch: RemoteProtocolError")
        assert str(lost.value).endswith("after the request was sent; the router may have applied it")
        assert len(btc_router.requests("PUT")) == 3 and not switch_is_on(btc_router)  # applied, answer lost


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_change_refused_with_429s_is_sent_again_and_its_landing_time_moves_on(btc_router, project, method):
    """The audit's case (amend25 2): the kill switch's PUT (and an amend's PATCH) refused with 429s gave up before the
    retry the router would have taken, "this process was held up": its send-by time, fixed from the first attempt's
    landing window, did not count the waits. A 429 proves the attempt did not land: before each retry the ledger's
    lands_by moves on by the wait (recorded first), and so does the time the retry must leave by."""
    from graphc.api.changes import send_change
    from graphc.submit import landing_time_s

    gid = submitted(btc_router, project, cli_env(btc_router)) if method == "PATCH" else ""
    # a short call (1 s connect, no connect retries): 2 s to leave by, less than the two waits of 2 s
    with (
        Client(btc_router.base_url, "k", timeout=1.0, connect_retries=0) as client,
        Ledger(project / "changes.sqlite") as ledger,
    ):
        if method == "PUT":
            kind, target, fields = "kill_switch", "", {"active": True}

            def request(send_by):
                return client.kill_switch(True, "drill", send_by_ns=send_by)
        else:
            _, view, _ = btc_router.api("GET", f"/v1/execution_graphs/{gid}")
            node = next(n for n in view["nodes"] if n.startswith("a."))
            kind, target, fields = "amend", f"{gid}/{node}", {"urgency": "high"}

            def request(send_by):
                return client.amend_node(gid, node, fields, send_by_ns=send_by)

        path = "/v1/kill_switch" if method == "PUT" else "/v1/execution_graphs/"
        btc_router.set_faults(
            [{"method": method, "path_prefix": path, "kind": "http_429", "retry_after": 2, "count": 2}]
        )
        moves, move = [], ledger.move_change

        def recorded_first(change_id, lands_by_ns):  # what the router had received when the ledger moved lands_by
            moves.append(len(btc_router.requests(method)))
            move(change_id, lands_by_ns)

        ledger.move_change = recorded_first
        started = time.time_ns()
        sent = send_change(
            ledger,
            client,
            kind,
            target,
            fields,
            "test",
            request,
            landing_s=landing_time_s(client, 1.0),
            margin=1.0,
            refuse=False,
        )  # before the fix: NotSentInTime, "this process was held up", after the second 429
        done = time.time_ns()
        assert client.retry_waits == (2.0, 2.0)
        assert [r["fault"] for r in btc_router.requests(method)] == ["http_429", "http_429", None]
        assert moves == [1, 2]  # each retry's landing time was recorded before the retry was sent
        assert sent.lost is None and sent.answer is not None
        change = ledger.change(sent.change.id)
        assert change.state == "settled"
        # the third attempt left before `done`; it may land until its socket closed (the deadline) plus the margin
        assert change.lands_by_ns >= done + int((client.deadline + 1.0) * 1e9)
        assert change.lands_by_ns >= started + int((landing_time_s(client, 1.0) + 4.0) * 1e9)  # moved on by the waits


def test_a_change_not_sent_again_after_429s_says_so(btc_router):
    """A retry after a 429 that would leave too late for its landing time is not sent, and its message names the
    429s (the router's refusals and the waits it asked for), not "this process was held up"."""
    from graphc.api.errors import NotSentInTime

    btc_router.set_faults(
        [{"method": "PUT", "path_prefix": "/v1/kill_switch", "kind": "http_429", "retry_after": 2, "count": 2}]
    )
    with Client(btc_router.base_url, "k") as client, pytest.raises(NotSentInTime) as info:
        client.kill_switch(True, "drill", send_by_ns=time.time_ns() + 1_000_000_000)  # no landing time moves it on
    said = str(info.value)
    assert said.startswith(
        "PUT /v1/kill_switch was not sent again after 1 answer HTTP 429 (rate limited) (graphc waited 2.0 s as the "
        "router asked): the next attempt's first byte would have left "
    ), said
    assert said.endswith("the router refused every attempt, so nothing landed and sending it again is safe")
    assert "held up" not in said
    assert len(btc_router.requests("PUT")) == 1


def test_a_ledger_of_version_3_gains_the_changes_and_keeps_its_runs(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        run = ledger.begin(Scope("http://127.0.0.1:1", "local"), "k", "p", False, wire_for=lambda tag: b"{}")
    db = sqlite3.connect(path)
    db.executescript("DROP TABLE changes; PRAGMA user_version = 3;")  # what graphc wrote before the changes
    db.close()
    with Ledger(path) as ledger:
        assert [r.id for r in ledger.runs()] == [run.id]
        change, earlier = ledger.begin_change(
            Scope("http://127.0.0.1:1", "local"), "kill_switch", "", {"active": True}, "`on`", 1, refuse=True
        )
        assert earlier == [] and ledger.changes("kill_switch") == [change]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 5  # and its runs the boot clock (ledger26 1)
    db.close()


# -- 2: `--resolve N --not-submitted` while the run's request may still land ---------------------------------------

ORDER = "graphc: 1\nname: o3\nlegs:\n  a: {buy: 0.05 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}\n"


def test_not_submitted_is_refused_while_the_runs_request_may_land(btc_router, project):
    """The audit's double submit: the POST's answer was lost (the router created the graph), `--not-submitted` was
    accepted seconds later, and the next submit sent a second graph for the run."""
    (project / "order.yaml").write_text(ORDER)
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="3")
    btc_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    first = invoke(["submit", "order.yaml"], env, project)
    assert first.exit_code == 3 and "graphc: UNCERTAIN:" in first.stderr, first.output
    btc_router.set_faults([])
    until = re.search(r"may still reach the router until (\S+Z)", first.stderr).group(1)

    forced = invoke(["ledger", "--resolve", "1", "--not-submitted"], env, project)
    assert forced.exit_code == 3, forced.output  # before: "run 1: absent", exit 0
    assert forced.stdout == ""
    assert forced.stderr.startswith(
        f"graphc: error: run 'o3@{first.stderr.split('o3@')[1][:16]}' has an unresolved attempt (ledger run 1): "
        f"--not-submitted is refused before {until}: its request may still reach the router until {until}"
    ), forced.stderr
    assert "A look at the router before then proves nothing, since a graph is listed only once" in forced.stderr
    assert "`graphc ledger --reconcile` settles it from the router" in forced.stderr
    assert "`graphc ledger --resolve 1 --graph-id ID` records a graph found now" in forced.stderr
    again = invoke(["submit", "order.yaml"], env, project)  # the run is still unsettled: its graph is found
    assert again.exit_code == 2 and "was already submitted as graph" in again.stderr, again.output
    assert len([g for g in btc_router.graphs() if g["wire_sha256"]]) == 1

    # after its landing time the verdict is the person's to give, as before
    (project / "other.yaml").write_text(ORDER.replace("0.05", "0.06"))
    btc_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}])
    lost = invoke(["submit", "other.yaml"], env, project)
    assert lost.exit_code == 3, lost.output
    wait_past(lost.stderr.replace("may still reach the router until", "may still be until"))
    run = re.search(r"\(ledger run (\d+),", lost.stderr).group(1)
    late = invoke(["ledger", "--resolve", run, "--not-submitted"], env, project)
    assert late.exit_code == 0 and late.stdout == f"run {run}: absent\n", late.output


def test_not_submitted_is_refused_while_another_graphc_is_sending_the_run(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        run = ledger.begin(Scope("http://127.0.0.1:1", "local"), "k", "p", False, wire_for=lambda tag: b"{}")
        ledger.mark_sent(run.id, time.time_ns() + 60 * 10**9)  # another process's request, on its way
        stale = ledger.begin(Scope("http://127.0.0.1:1", "local"), "j", "p", False, wire_for=lambda tag: b"{}")
    refused = CliRunner().invoke(cli, ["ledger", "--ledger", str(path), "--resolve", str(run.id), "--not-submitted"])
    assert refused.exit_code == 3, refused.output
    assert "--not-submitted is refused before" in refused.stderr
    assert "another graphc's request for this run is in flight" in refused.stderr
    # nor is a graph id: the graphc sending it records the router's answer (conc21 4)
    typo = CliRunner().invoke(cli, ["ledger", "--ledger", str(path), "--resolve", str(run.id), "--graph-id", "g_x"])
    assert typo.exit_code == 2 and f"--resolve {run.id} --graph-id is refused before" in typo.stderr, typo.output
    # an intent is never sent once settled (the compare-and-set on `sent`): it may be resolved at once
    intent = CliRunner().invoke(cli, ["ledger", "--ledger", str(path), "--resolve", str(stale.id), "--not-submitted"])
    assert intent.exit_code == 0 and intent.stdout == f"run {stale.id}: absent\n", intent.output
    with Ledger(path) as ledger:
        assert [r.state for r in ledger.runs()] == ["sent", "absent"]


def test_the_messages_that_suggest_not_submitted_say_from_when(btc_router, project):
    (project / "order.yaml").write_text(ORDER)
    env = cli_env(btc_router)
    btc_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}])  # not applied
    assert invoke(["submit", "order.yaml"], env, project).exit_code == 3
    btc_router.set_faults([])
    listed = invoke(["ledger", "--reconcile"], env, project)
    assert listed.exit_code == 3, listed.output
    assert re.search(
        r"`graphc ledger --resolve 1 --not-submitted` to submit it again \(the way to force it\), accepted after "
        r"\S+Z, once its request can no longer land",
        listed.stdout,
    ), listed.stdout
    # under another URL spelling: the refusal names both ways to settle it by hand, and from when
    other = invoke(
        ["submit", "order.yaml"],
        {**env, "SEQUENCE_API_URL": btc_router.base_url.replace("127.0.0.1", "localhost")},
        project,
    )
    assert other.exit_code == 3, other.output
    assert "or settle it by hand (`graphc ledger --resolve 1 --graph-id ID` if it traded, or" in other.stderr
    assert "accepted after" in other.stderr


# -- 4: an amend or a cancel whose answer was lost, looked at again ----------------------------------------------


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"kind": "http_500", "apply": True, "count": 10}, "router answered HTTP 500 Internal Server Error"),
        ({"kind": "drop_after_read"}, "RemoteProtocolError"),
    ],
)
def test_an_amend_applied_whose_answer_was_lost_is_read_back_as_applied(btc_router, project, fault, said):
    """The audit's case: the router applied the amend and answered 500 every time; graphc said `error`, exit 3,
    and nothing said that the size had changed. Now the one PATCH's size is looked at: it is there."""
    env = cli_env(btc_router)
    gid = submitted(btc_router, project, env)
    btc_router.set_faults([{"method": "PATCH", "path_prefix": "/v1/execution_graphs/", **fault}])
    amended = invoke(["amend", gid, "a", "--qty", "0.15"], env, project)
    assert amended.exit_code == 0, amended.output
    assert amended.stdout == (
        f"graph {gid} node a: size 0.1 -> 0.15 BTC\ngraph {gid} node a: applied, read back (qty_1e8)\n"
    )
    assert amended.stderr.startswith(f"graphc: note: PATCH /v1/execution_graphs/{gid}/nodes/a.gc"), amended.stderr
    assert said in amended.stderr
    assert (
        "graphc read the node back: the router shows its size as 0.15, the size this amend sets (it showed 0.1 "
        "before), so the amend was applied" in amended.stderr
    )
    assert len(patches(btc_router)) == 1 and size_of(btc_router, gid, "a") == 15_000_000
    btc_router.set_faults([])
    later = invoke(["amend", gid, "a", "--qty", "0.12"], env, project)  # it landed: nothing left to undo this one
    assert later.exit_code == 0, later.output


def test_an_amend_whose_answer_was_lost_says_what_the_router_shows(btc_router, project):
    env = cli_env(btc_router)
    gid = submitted(btc_router, project, env)
    btc_router.set_faults([{"method": "PATCH", "path_prefix": "/v1/execution_graphs/", "kind": "http_500"}])
    size = invoke(["amend", gid, "a", "--qty", "0.15"], env, project)  # not applied
    assert size.exit_code == 3, size.output
    assert "graphc read the node back: the router shows its size as 0.1, not the size this amend sets" in size.stderr, (
        size.stderr
    )
    btc_router.set_faults(
        [{"method": "PATCH", "path_prefix": "/v1/execution_graphs/", "kind": "http_500", "apply": True}]
    )
    urgency = invoke(["amend", gid, "b", "--urgency", "high"], env, project)  # applied, but not shown
    assert urgency.exit_code == 3, urgency.output
    assert urgency.stderr.startswith("graphc: UNCERTAIN: PATCH"), urgency.stderr
    assert (
        "the router's status does not show a node's urgency, slippage or horizon, so graphc cannot look"
        in urgency.stderr
    )


def test_a_cancel_whose_answer_was_lost_is_read_back(btc_router, project):
    """DELETE is retried (a cancel landing late undoes nothing); when every answer is lost, the graph is looked at."""
    env = cli_env(btc_router)
    gid = submitted(btc_router, project, env)
    btc_router.set_faults(
        [{"method": "DELETE", "path_prefix": "/v1/execution_graphs/", "kind": "http_500", "apply": True, "count": 5}]
    )
    cancelled = invoke(["cancel", gid], env, project)
    assert cancelled.exit_code == 0, cancelled.output  # before: `graphc: error: DELETE ...: HTTP 500`, exit 3
    assert cancelled.stdout == f"graph {gid}: cancelled, read back\n"
    assert f"graphc: note: DELETE /v1/execution_graphs/{gid}: HTTP 500 Internal Server Error" in cancelled.stderr
    assert "graphc read the graph back: the router shows it cancelled" in cancelled.stderr

    (project / "other.yaml").write_text(LIMIT.replace("0.1 BTC", "0.2 BTC"))
    other = re.search(r"as graph (graph_\w+)", invoke(["submit", "other.yaml"], env, project).output).group(1)
    btc_router.set_faults(
        [{"method": "DELETE", "path_prefix": "/v1/execution_graphs/", "kind": "http_500", "count": 5}]
    )
    active = invoke(["cancel", other], env, project)
    assert active.exit_code == 3, active.output
    *retries, said = active.stderr.splitlines()
    assert len(retries) == 4 and all("retry" in line for line in retries)  # a cancel is retried: nothing undoes it
    assert said.startswith(f"graphc: UNCERTAIN: DELETE /v1/execution_graphs/{other}: HTTP 500"), active.stderr
    assert (
        "the cancel may have been applied, or may still be: graphc read the graph back, and the router shows it "
        "active: cancel it again" in said
    )
    assert said.endswith(f"cancel it again (`graphc cancel {other}`; cancelling twice is harmless)")
