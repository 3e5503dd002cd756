"""A second graph of one run recorded on another row of the same ledger is never recorded in silence (audit
ledger26 1).

Two processes share a project ledger. The second one took the first one's `sent` attempt as unable to land (its
wall clock stepped forward, or the ledger was written on another machine), proved it absent at the router (its
request had not landed yet) and sent the run again; the first one's answer then came, and its graph was recorded on
its own (`absent`) row. Both graphs trade, and neither the recording, nor `graphc ledger --reconcile`, nor a later
submit said so: the look for duplicates counted every graph any row of the run key holds as known.

The detection is proved through the ledger's API, and end to end with the real CLI against `graphc sandbox serve
--ignore-idempotency-key` (a separate process, real HTTP): the first process's request is held up by the sandbox's
`slow` fault while its row is made to look past its landing time (what another machine's clock, or a wall clock
stepped forward, shows), then the second process sends the run.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from sandbox_fixture import cli_env, run_graphc, start_graphc, submitted_graphs, wait_for

from graphc.api.ledger import Ledger, Scope

PLAYBOOK = (
    "graphc: 1\nname: twice\nrisk:\n  max_notional: $20k\n"
    "legs:\n  a: {buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}\n"
)
SCOPE = Scope("http://127.0.0.1:1", "acct")


def _wire(tag: str) -> bytes:
    return json.dumps({"nodes": [{"node_id": f"a.{tag}"}]}).encode()


def _attempt(ledger: Ledger, run_key: str = "k1", **kw):
    run = ledger.begin(SCOPE, run_key, "twice", False, wire_for=_wire, **kw)
    ledger.mark_sent(run.id, 2 * 10**18)
    return run


def test_two_rows_of_one_run_key_recording_two_graphs_is_a_second_graph(tmp_path):
    """The first attempt was proved absent, the run sent again; each attempt then records its graph: the second
    recording returns the WARNING naming both graphs, the run key and the one to cancel, kept on both rows."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = _attempt(ledger)
        ledger.record_absent(first.id, "proved absent (its request was taken as unable to land)")
        second = _attempt(ledger)
        assert ledger.record_confirmed(second.id, "graph_b") is None  # the first graph recorded: nothing to say
        warning = ledger.record_confirmed(first.id, "graph_a", "router accepted")
        assert warning is not None
        assert warning.startswith("WARNING: run 'k1' was submitted twice")
        assert "graph graph_b (ledger run 2)" in warning and "graph graph_a (ledger run 1)" in warning, warning
        assert "`graphc cancel graph_a`" in warning, warning
        rows = ledger.runs("k1")
        assert [(r.state, r.graph_id) for r in rows] == [("confirmed", "graph_a"), ("confirmed", "graph_b")]
        assert all(warning in r.warnings for r in rows), rows


def test_a_forced_attempt_or_another_scope_is_not_a_second_graph(tmp_path):
    """A forced attempt has a tag of its own (a second trade on purpose), and a rehearsal against another router is
    another scope: neither is a second graph of the run."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = _attempt(ledger)
        assert ledger.record_confirmed(first.id, "graph_a") is None
        forced = _attempt(ledger, force=True)
        assert ledger.record_confirmed(forced.id, "graph_f") is None
        other = ledger.begin(Scope("http://elsewhere", "acct"), "k1", "twice", False, wire_for=_wire)
        ledger.mark_sent(other.id, 2 * 10**18)
        assert ledger.record_confirmed(other.id, "graph_s") is None
        assert all(not r.warnings for r in ledger.runs("k1"))


def test_the_same_graph_recorded_twice_is_not_a_second_graph(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        first = _attempt(ledger)
        assert ledger.record_confirmed(first.id, "graph_a") is None
        assert ledger.record_confirmed(first.id, "graph_a") is None
        assert ledger.get(first.id).warnings == ()


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "twice.yaml").write_text(PLAYBOOK)
    return root


def _past_landing(ledger_path) -> None:
    """The first attempt's row as another process reads it once the wall clock stepped past its `lands_by`: a
    landing time already gone, recorded on another boot (or machine), so only the wall clock can be compared."""
    db = sqlite3.connect(ledger_path, isolation_level=None)
    columns = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
    extra = ", boot_id = 'another-boot'" if "boot_id" in columns else ""
    db.execute(f"UPDATE runs SET lands_by_ns = 1{extra} WHERE id = 1 AND state = 'sent'")
    db.close()


def test_a_second_graph_recorded_by_another_process_is_said_loudly_and_kept(btc_router, project):
    """The audit's f2, deterministic: A's POST is held 6 s at the router; meanwhile its row reads as past its
    landing time, and B proves it absent and sends the run. A's answer then records a second graph: A prints a
    WARNING naming both graphs, the run key and `graphc cancel`, and exits 3; `graphc ledger --reconcile` reports
    the run and exits 3; a later submit is refused with the WARNING."""
    env = cli_env(btc_router)
    btc_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": 6, "count": 1}])
    a = start_graphc(["submit", "twice.yaml"], env, project)
    wait_for(lambda: btc_router.faults()[0]["hits"] == 1 or a.poll() is not None)
    assert a.poll() is None, a.communicate()
    _past_landing(project / ".graphc" / "ledger.sqlite")
    b = run_graphc(["submit", "twice.yaml"], env, project)
    assert b.returncode == 0, b.stdout + b.stderr
    out, err = a.communicate(timeout=60)
    assert a.poll() is not None and len(submitted_graphs(btc_router)) == 2, (out, err)
    rows = json.loads(run_graphc(["ledger", "--json"], env, project).stdout)
    graph_a, graph_b = rows[0]["graph_id"], rows[1]["graph_id"]
    assert {graph_a, graph_b} == {g["graph_id"] for g in submitted_graphs(btc_router)}, rows
    run_key = rows[0]["run_key"]
    assert a.returncode == 3, out + err
    assert "graphc: WARNING:" in err and graph_a in err and graph_b in err and repr(run_key) in err, err
    assert f"`graphc cancel {graph_a}`" in err, err
    assert all(any(graph_a in w and graph_b in w for w in row["warnings"]) for row in rows), rows

    reconciled = run_graphc(["ledger", "--reconcile"], env, project)
    assert reconciled.returncode == 3, reconciled.stdout + reconciled.stderr
    assert graph_a in reconciled.stdout and graph_b in reconciled.stdout, reconciled.stdout

    again = run_graphc(["submit", "twice.yaml"], env, project)
    assert again.returncode == 2, again.stdout + again.stderr
    assert "already submitted" in again.stderr and "WARNING" in again.stderr, again.stderr
    assert graph_a in again.stderr and graph_b in again.stderr, again.stderr
    assert len(submitted_graphs(btc_router)) == 2
