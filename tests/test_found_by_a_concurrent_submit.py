"""Two submits of one run at once, sharing one ledger (audit ledger24 1): the second one's look at the router finds
the first one's graph while the first one's row is still unsettled (its answer was lost, or its process was
killed mid-request).

The look recorded a second row for that graph, of an unknown mode (`?`) and holding no copy of it, and `amend`,
`resume` and `status` read that row: the ledger's own LIVE copy of the graph was skipped, and a LIVE graph was
amended and resumed without `--live`. Now the look gives the graph to the row that sent it (one row, LIVE, its
bytes kept), and a ledger that already holds such a `?` row is read by the tag in the node's id all the same.

Everything is the real CLI against `graphc sandbox serve --ignore-idempotency-key --speed 0` (a separate process,
real HTTP; graphs stay active), with its fault knobs holding the second submit's look at the router.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time

import pytest
from ledger_holder import LIM
from sandbox_fixture import cli_env, run_graphc, start_graphc, submitted_graphs, wait_for
from test_lookup_proofs import _honest_page, _Listing, _newest_first, _order
from test_router_answers import env_for, scripted_router

from graphc.api.errors import LedgerError
from graphc.api.ledger import Ledger, Scope
from graphc.api.runtag import run_tag
from tests.conftest import invoke

# the audit's LIVE playbook (tests/ledger_holder.py's lim.yaml with `sandbox: false`)
LIVE = (
    "graphc: 1\nname: {name}\nsandbox: false\nrisk:\n  max_notional: $20k\nlegs:\n"
    "  a: {{buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}}\n"
    "  b: {{buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2000}}\n"
)
SLOW_LOOK = {"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "count": 1}
APPLIED_THEN_500 = {"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "apply": True, "count": 1}
SLOW_POST = {"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "count": 1}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p8"
    (root / ".git").mkdir(parents=True)
    (root / "live8.yaml").write_text(LIVE.format(name="live8"))
    return root


def _rows(router, project) -> list[dict]:
    listed = run_graphc(["ledger", "--json"], cli_env(router), project)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def _looking(router, project):
    """Y: a submit whose look at the router (its first `GET /v1/orders`) the router holds up; returns once it is."""
    y = start_graphc(["submit", "live8.yaml", "--live", "--yes"], cli_env(router), project)
    wait_for(lambda: router.faults()[0]["hits"] == 1 or y.poll() is not None)
    assert y.poll() is None, y.communicate()
    return y


def _gated(router, project, graph_id: str) -> None:
    """The ledger knows the graph is LIVE: resume and amend without --live are refused, nothing sent, and the
    paused graph's status names `--live` in its resume command."""
    env = cli_env(router)
    router.pause(graph_id)
    resume = run_graphc(["resume", graph_id], env, project)
    assert resume.returncode == 2, resume.stdout + resume.stderr
    assert f"graph {graph_id} is LIVE (ledger run 1 sent it with `sandbox: false`)" in resume.stderr, resume.stderr
    assert "pass --live to resume it; nothing sent" in resume.stderr
    assert "no copy" not in resume.stdout + resume.stderr
    amend = run_graphc(["amend", graph_id, "a", "--qty", "0.05"], env, project)
    assert amend.returncode == 2, amend.stdout + amend.stderr
    assert f"graph {graph_id} is LIVE (ledger run 1 sent it with `sandbox: false`)" in amend.stderr, amend.stderr
    assert router.requests("PATCH") == [] and router.requests("POST", f"/v1/execution_graphs/{graph_id}/resume") == []
    status = run_graphc(["status", graph_id], env, project)
    assert status.returncode == 0, status.stderr
    assert f"resume it with `graphc resume {graph_id} --live`" in status.stderr, status.stderr
    resumed = run_graphc(["resume", graph_id, "--live"], env, project)
    assert resumed.returncode == 0 and "no copy" not in resumed.stdout, resumed.stdout + resumed.stderr


def test_a_concurrent_submit_gives_the_graph_it_finds_to_the_row_whose_answer_was_lost(btc_router, project):
    """The audit's reproduction, no process killed: X's POST is applied and answered 500 (uncertain) while Y's look
    at the router is held up; Y then finds X's graph."""
    btc_router.set_faults([{**SLOW_LOOK, "delay": 5}, APPLIED_THEN_500])
    y = _looking(btc_router, project)
    x = invoke(["submit", project / "live8.yaml", "--live", "--yes"], cli_env(btc_router))  # X, in this process
    assert x.exit_code == 3 and "UNCERTAIN: POST /v1/orders: router answered HTTP 500" in x.output, x.output
    _, err = y.communicate(timeout=60)
    (graph,) = submitted_graphs(btc_router)
    graph_id = graph["graph_id"]
    assert y.returncode == 2, err
    assert f"was already submitted as graph {graph_id} (ledger run 1)" in err, err
    assert "may be a sandbox rehearsal" not in err and "warning" not in err, err
    (row,) = _rows(btc_router, project)  # one row for the one graph: X's, LIVE, its bytes kept
    assert (row["id"], row["state"], row["live"], row["graph_id"]) == (1, "confirmed", True, graph_id), row
    assert row["wire_hash"] and row["warnings"] == []
    _gated(btc_router, project, graph_id)


def test_a_concurrent_submit_gives_the_graph_it_finds_to_the_row_of_a_killed_submit(btc_router, project):
    """The audit's p6: X killed -9 mid-request (its row stays `sent`) while Y's look at the router is held up."""
    btc_router.set_faults([{**SLOW_LOOK, "delay": 8}, {**SLOW_POST, "delay": 1}])
    y = _looking(btc_router, project)
    x = start_graphc(["submit", "live8.yaml", "--live", "--yes"], cli_env(btc_router), project)
    wait_for(lambda: btc_router.faults()[1]["hits"] == 1 or x.poll() is not None)
    x.send_signal(signal.SIGKILL)  # mid-request: the router applies it a second later
    x.communicate(timeout=30)
    wait_for(lambda: len(submitted_graphs(btc_router)) == 1)
    (before,) = _rows(btc_router, project)
    assert before["state"] == "sent", before
    _, err = y.communicate(timeout=60)
    (graph,) = submitted_graphs(btc_router)
    graph_id = graph["graph_id"]
    assert y.returncode == 2 and f"was already submitted as graph {graph_id} (ledger run 1)" in err, err
    assert "may be a sandbox rehearsal" not in err, err
    (row,) = _rows(btc_router, project)
    assert (row["id"], row["state"], row["live"], row["graph_id"]) == (1, "confirmed", True, graph_id), row
    _gated(btc_router, project, graph_id)


def test_a_ledger_that_already_holds_a_found_row_beside_its_own_still_gates_a_live_graph(btc_router, project):
    """A ledger written before the fix: the sender's row (uncertain, LIVE, its bytes) and the found row (`?`, no
    copy) for one graph. amend, resume and status read the sender's copy by the tag in the node's id."""
    btc_router.set_faults([APPLIED_THEN_500])
    x = invoke(["submit", project / "live8.yaml", "--live", "--yes"], cli_env(btc_router))
    assert x.exit_code == 3, x.output
    (graph,) = submitted_graphs(btc_router)
    graph_id = graph["graph_id"]
    db = sqlite3.connect(project / ".graphc" / "ledger.sqlite", isolation_level=None)
    db.execute(  # what record_found inserted before the fix
        "INSERT INTO runs (run_key, endpoint, account, tag, playbook, wire_hash, wire, state, graph_id, live,"
        " created_ns, updated_ns) SELECT run_key, endpoint, account, tag, playbook, '', NULL, 'confirmed', ?, NULL,"
        " created_ns + 1, updated_ns + 1 FROM runs WHERE id = 1",
        (graph_id,),
    )
    db.close()
    rows = _rows(btc_router, project)
    assert [(r["state"], r["live"], r["graph_id"]) for r in rows] == [
        ("uncertain", True, None),
        ("confirmed", None, graph_id),
    ]
    _gated(btc_router, project, graph_id)


# -- Ledger.record_found's branches, each in one transaction --------------------------------------------------------

SCOPE = Scope("http://127.0.0.1:1", "key:test")
KEY = "live8@00c7f5471e4e20ef"


def _begun(ledger, scope=SCOPE, *, sent=True):
    run = ledger.begin(scope, KEY, "live8", True, wire_for=lambda tag: f'{{"tag": "{tag}"}}'.encode())
    if sent:
        ledger.mark_sent(run.id, time.time_ns() + 60 * 10**9)
    return ledger.get(run.id)


def _found(ledger, scope=SCOPE, graph_id="graph_1"):
    return ledger.record_found(scope, KEY, "live8", run_tag(KEY), graph_id, "found", unknown_copy_warnings=["maybe"])


def test_a_graph_found_again_is_the_row_that_has_it(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        sender = _begun(ledger)
        first, again = _found(ledger), _found(ledger)
        assert first.id == again.id == sender.id and len(ledger.runs()) == 1
        assert (again.state, again.live, again.wire, again.warnings) == ("confirmed", True, sender.wire, ())


def test_an_intent_of_the_run_is_never_sent_once_its_graph_is_found(tmp_path):
    """An intent was not sent yet, so the graph found is not its request's: a row of its own (mode unknown), and the
    intent is settled absent, so its process sends nothing."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        intent = _begun(ledger, sent=False)
        found = _found(ledger)
        assert found.id != intent.id and (found.live, found.wire, found.warnings) == (None, None, ("maybe",))
        assert ledger.get(intent.id).state == "absent"
        with pytest.raises(LedgerError, match=r"no longer an intent .* nothing was sent"):
            ledger.mark_sent(intent.id, time.time_ns())


def test_a_graph_found_in_another_scope_does_not_go_to_this_scopes_row(tmp_path):
    """A rehearsal's row sent to a sandbox does not take a graph found at another router."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        rehearsal = _begun(ledger, Scope("http://127.0.0.1:2", "key:test"))
        found = _found(ledger)
        assert found.id != rehearsal.id and found.live is None
        assert ledger.get(rehearsal.id).state == "sent"


# -- X's answer comes after Y gave X's row the graph ------------------------------------------------------------------


class _AnswersLate(_Listing):
    """A router that applies X's POST at once (its orders listed) but answers it 500 only when the test says, and
    holds the first `GET /v1/orders` (Y's look) until that POST was applied."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        server = self.server
        with server.lock:
            server.posts += 1
            gid, now = f"graph_{server.posts:04d}abc", time.time_ns()
            for node in body["nodes"]:
                symbol = node["instrument"]["symbol"]
                server.ours.append(_order(f"graph:{gid}:{node['node_id']}:1", now, symbol=symbol, side=node["side"]))
        server.posted.set()
        server.answer.wait(60)
        self._send(500, {"error": {"code": "internal", "message": "sandbox fault"}})

    def do_GET(self):
        server = self.server
        with server.lock:
            first, server.held = not server.held, True
        if first:
            server.posted.wait(60)
        super().do_GET()


def test_an_answer_lost_after_a_concurrent_submit_found_the_graph_says_the_run_has_it(tmp_path):
    """X's POST is applied, Y's look finds its graph and gives it X's row, then X's answer is a 500: X said the row
    `stays sent` and `could not record it` (run 1 is confirmed), which is no longer so: the run has its graph."""
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "lim.yaml").write_text(LIM)
    with scripted_router(_AnswersLate) as router:
        router.lock, router.posted, router.answer = threading.Lock(), threading.Event(), threading.Event()
        router.posts, router.gets, router.ours, router.fillers, router.held = 0, [], [], [], False
        router.mode, router.drop, router.listing, router.page = "normal", False, _newest_first, _honest_page
        env = {**os.environ, **env_for(router)}
        y = start_graphc(["submit", "lim.yaml"], env, root)
        wait_for(lambda: router.held or y.poll() is not None)
        x = start_graphc(["submit", "lim.yaml"], env, root)
        _, y_err = y.communicate(timeout=60)
        assert y.returncode == 2 and "was already submitted as graph graph_0001abc (ledger run 1)" in y_err, y_err
        router.answer.set()
        _, x_err = x.communicate(timeout=60)
    assert x.returncode == 3 and "router answered HTTP 500" in x_err, x_err
    assert "stays `sent`" not in x_err and "could not record it" not in x_err, x_err
    assert (
        "meanwhile another graphc found graph graph_0001abc, which carries the run's tag, at the router and recorded "
        "it for run 'lim@"
    ) in x_err, x_err
    assert router.posts == 1
