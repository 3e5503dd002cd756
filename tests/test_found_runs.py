"""What the ledger keeps about a run's graph when this ledger did not send it, or lost the row of it
(notes/audit/submit16.md, findings 3 and 4), each reproduced end to end: the real CLI, as separate processes,
against `graphc sandbox serve --ignore-idempotency-key` (the reference router's behaviour) over real HTTP.

- 3: a graph found at the router has an unknown mode (the router does not say `is_sandbox`): `?`, `"live": null`,
  never `sandbox`; a run recorded again after its ledger was deleted mid-request keeps the mode and the bytes its
  process sent (`graphc amend` reads the graph from it).
- 4: what the look at the router learns about the graph it finds (it may be a sandbox rehearsal of a LIVE run, it
  trades other legs, more graphs carry the tag) is kept on the row: every later refusal says it again on stderr
  (a cron job reading exit 2 as "already done" sees it every time), and `graphc ledger` shows it.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from sandbox_fixture import cli_env, posts, run_graphc, start_graphc, submitted_graphs, wait_for

from graphc.api.ledger import SCHEMA_VERSION, Ledger, Scope

LIVE = "graphc: 1\nname: {name}\nsandbox: false\nlegs:\n  order:\n    sell: {qty} ETH\n    symbol: ETH-USD\n    limit: 2400.5\n"
SLOW_POST = {"method": "POST", "path_prefix": "/v1/orders", "kind": "slow"}


DCA = "graphc: 1\nname: dca\n{mode}legs:\n  buy:\n    buy: {size}\n    symbol: {symbol}\n    limit: {limit}\n"
LIVE_MODE = "sandbox: false\nrisk:\n  max_notional: $5k\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "live1.yaml").write_text(LIVE.format(name="live1", qty="0.5"))
    (root / "live2.yaml").write_text(LIVE.format(name="live2", qty="0.6"))
    btc = {"size": "0.01 BTC", "symbol": "BTC-USD", "limit": 90000}
    (root / "dca.yaml").write_text(DCA.format(mode="", **btc))
    (root / "dca-live.yaml").write_text(DCA.format(mode=LIVE_MODE, **btc))
    (root / "dca-eth.yaml").write_text(DCA.format(mode="", size="1 ETH", symbol="ETH-USD", limit=2000))
    return root


def listed(env, cwd, *args) -> tuple[list[list[str]], list[dict]]:
    """`graphc ledger ARGS`: the table's rows (split) and the `--json` rows."""
    table = run_graphc(["ledger", *args], env, cwd)
    as_json = run_graphc(["ledger", "--json", *args], env, cwd)
    assert table.returncode == 0 and as_json.returncode == 0, table.stderr + as_json.stderr
    return [line.split() for line in table.stdout.splitlines()[1:] if not line.startswith(" ")], json.loads(
        as_json.stdout
    )


# -- finding 3: the mode and the graph of a run this ledger did not send, or sent and lost -----------------------


def test_a_live_graph_found_at_the_router_is_listed_with_an_unknown_mode(reference_router, project, tmp_path):
    env = cli_env(reference_router)
    first = run_graphc(["submit", "live1.yaml", "--live", "--yes"], env, project)
    assert first.returncode == 0 and "(LIVE, run key live1@" in first.stdout, first.stderr
    fresh = tmp_path / "fresh.sqlite"
    found = run_graphc(["submit", "live1.yaml", "--live", "--yes", "--ledger", fresh], env, project)
    (graph,) = submitted_graphs(reference_router)
    assert found.returncode == 2 and f"already submitted as graph {graph['graph_id']}" in found.stderr, found.stderr
    rows, as_json = listed(env, project, "--ledger", fresh)
    assert [row[2:] for row in rows] == [["confirmed", "?", as_json[0]["run_key"], graph["graph_id"]]]
    assert as_json[0]["live"] is None  # not `false`: the router does not say whether a graph is LIVE
    # the row is there but holds no copy of the graph: amend says so, not "the graph is not in the ledger"
    reference_router.configure(speed=0)
    amend = run_graphc(["amend", graph["graph_id"], "order", "--qty", "$1k", "--ledger", fresh], env, project)
    assert amend.returncode == 2 and "only found graph" in amend.stderr, amend.stderr
    assert "at the router by its run tag, so the ledger holds no copy of what was sent" in amend.stderr
    assert "not in the ledger" not in amend.stderr
    rows, as_json = listed(env, project)  # the ledger of the process that sent it knows
    assert rows[0][3] == "LIVE" and as_json[0]["live"] is True


def test_a_run_recorded_again_after_its_ledger_was_deleted_keeps_its_mode_and_graph(reference_router, project):
    """The audit's case b: graphc itself sent the LIVE graph, and the ledger listed it as sandbox, without the
    graph, so `graphc amend` said the graph was not in the ledger it was given."""
    env = cli_env(reference_router)
    reference_router.configure(speed=0)  # the node stays executing, for the amend
    Ledger(project / ".graphc" / "ledger.sqlite").close()  # the ledger file exists (`graphc ledger` creates none)
    reference_router.set_faults([{**SLOW_POST, "delay": 2.0}])
    proc = start_graphc(["submit", "live2.yaml", "--live", "--yes"], env, project)
    wait_for(lambda: posts(reference_router) == 1)
    for path in (project / ".graphc").iterdir():
        if path.name.startswith("ledger.sqlite"):
            path.unlink()
    out, err = proc.communicate(timeout=60)
    (graph,) = submitted_graphs(reference_router)
    assert proc.returncode == 0 and f"as graph {graph['graph_id']} (LIVE" in out, err
    assert "the run was recorded again in a new ledger" in err, err
    rows, as_json = listed(env, project)
    assert [row[2:4] for row in rows] == [["confirmed", "LIVE"]] and as_json[0]["live"] is True
    with Ledger(project / ".graphc" / "ledger.sqlite") as ledger:
        (run,) = ledger.runs()
        assert run.wire and f".{run.tag}" in run.wire.decode() and run.wire_hash  # the bytes it sent
    amend = run_graphc(["amend", graph["graph_id"], "order", "--qty", "0.7", "--live"], env, project)
    assert amend.returncode == 0, amend.stderr
    assert f"graph {graph['graph_id']} (LIVE) node order: size 0.6 -> 0.7 ETH" in amend.stdout, amend.stdout
    assert "not in the ledger" not in amend.stdout + amend.stderr


def test_a_ledger_of_version_2_is_migrated_and_its_found_runs_have_an_unknown_mode(tmp_path):
    """Version 2 stored `live` NOT NULL, so a found run (no wire, no hash) said sandbox; the migration says `?`."""
    path = tmp_path / "v2.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_key TEXT NOT NULL, endpoint TEXT NOT NULL,
            account TEXT NOT NULL, tag TEXT NOT NULL, playbook TEXT NOT NULL, wire_hash TEXT NOT NULL, wire BLOB,
            state TEXT NOT NULL CHECK (state IN ('intent', 'sent', 'confirmed', 'uncertain', 'absent')),
            graph_id TEXT, live INTEGER NOT NULL, error TEXT, sent_ns INTEGER, lands_by_ns INTEGER,
            created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL);
        CREATE INDEX runs_by_key ON runs (run_key, endpoint);
        CREATE TABLE run_events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL REFERENCES runs (id),
            at_ns INTEGER NOT NULL, state TEXT NOT NULL, note TEXT);
        INSERT INTO runs VALUES (1, 'sent-here', 'http://127.0.0.1:1', 'key:a', 'gcaaaaaaaaaaaaaaaa', 'p', 'h',
            X'7B7D', 'confirmed', 'graph_1', 1, NULL, 1, 2, 1, 2);
        INSERT INTO runs VALUES (2, 'found', 'http://127.0.0.1:1', 'key:a', 'gcbbbbbbbbbbbbbbbb', 'p', '',
            NULL, 'confirmed', 'graph_2', 0, NULL, NULL, NULL, 1, 2);
        INSERT INTO run_events VALUES (1, 2, 1, 'confirmed', 'found at the router by its run tag');
        PRAGMA user_version = 2;
        """
    )
    db.close()
    with Ledger(path) as ledger:
        assert [(r.run_key, r.live) for r in ledger.runs()] == [("sent-here", True), ("found", None)]
        assert ledger.events(2)[0]["note"] == "found at the router by its run tag"
        ledger.record_found(Scope("http://127.0.0.1:1", "key:a"), "k", "p", "gccccccccccccccccc", "graph_3", "x")
        assert ledger.runs("k")[0].live is None
    db = sqlite3.connect(path)
    events_sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'run_events'").fetchone()[0]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "REFERENCES runs (id)" in events_sql and "runs_by_key" in indexes
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "changes" in tables  # version 4: the PATCHes and PUTs sent (audit ops19 1)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    db.close()


# -- finding 4: what the look at the router learnt is said at every refusal, and listed ---------------------------


def warnings_of(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("graphc: warning: ")]


@pytest.mark.parametrize(
    ("source", "flags", "said"),
    [
        ("dca-live.yaml", ["--live", "--yes"], "may be a sandbox rehearsal"),  # case a: a LIVE job, a rehearsal found
        ("dca-eth.yaml", [], "is not the trade this run would send"),  # case b: other legs under the same key
    ],
    ids=["live-finds-rehearsal", "other-legs"],
)
def test_a_warning_about_the_graph_found_is_repeated_by_every_later_refusal(
    reference_router, project, tmp_path, source, flags, said
):
    env = cli_env(reference_router)
    key = ["--run-key", "dca-2026-W49"]
    rehearsal = run_graphc(["submit", "dca.yaml", *key, "--ledger", tmp_path / "A.sqlite"], env, project)
    assert rehearsal.returncode == 0, rehearsal.stderr
    ledger = tmp_path / "B.sqlite"
    attempts = [run_graphc(["submit", source, *flags, *key, "--ledger", ledger], env, project) for _ in range(3)]
    for attempt in attempts:
        assert attempt.returncode == 2 and "already submitted" in attempt.stderr, attempt.stderr
        assert any(said in w for w in warnings_of(attempt)), attempt.stderr
    assert warnings_of(attempts[1]) == warnings_of(attempts[2]) == warnings_of(attempts[0])  # the same, each time
    rows, as_json = listed(env, project, "--ledger", ledger)
    assert len(rows) == 1 and any(said in w for w in as_json[0]["warnings"]), as_json
    table = run_graphc(["ledger", "--ledger", ledger], env, project).stdout
    assert f"  run 1: warning: {as_json[0]['warnings'][0]}" in table
    assert posts(reference_router) == 1


def _send_again(router, ledger) -> None:
    """Another graph carrying the run's tag: its recorded bytes POSTed again by hand (as finding 1 once did)."""
    with Ledger(ledger) as led:
        (run,) = led.runs()
    status, _, _ = router.api("POST", "/v1/orders", run.wire)
    assert status == 200


def test_more_graphs_carrying_the_tag_are_named_at_every_refusal_and_in_the_ledger(reference_router, project, tmp_path):
    """Case c: two graphs carry the tag, and this ledger knows neither (it was removed)."""
    env = cli_env(reference_router)
    first = tmp_path / "first.sqlite"
    assert run_graphc(["submit", "dca.yaml", "--ledger", first], env, project).returncode == 0
    _send_again(reference_router, first)
    oldest, extra = (g["graph_id"] for g in submitted_graphs(reference_router))
    ledger = tmp_path / "fresh.sqlite"
    attempts = [run_graphc(["submit", "dca.yaml", "--ledger", ledger], env, project) for _ in range(2)]
    for attempt in attempts:
        assert attempt.returncode == 2 and f"already submitted as graph {oldest}" in attempt.stderr, attempt.stderr
        (warning,) = warnings_of(attempt)
        assert "WARNING: 1 more graph(s) carry the tag of run 'dca@" in warning and f"({extra})" in warning
    rows, as_json = listed(env, project, "--ledger", ledger)
    assert [row[2:4] for row in rows] == [["confirmed", "?"]]
    assert len(as_json[0]["warnings"]) == 1 and extra in as_json[0]["warnings"][0]


def test_reconcile_keeps_the_warning_about_more_graphs_carrying_the_tag(reference_router, project, tmp_path):
    """`graphc ledger --reconcile` said it once; the row kept only "found at the router by its tag"."""
    env = cli_env(reference_router, GRAPHC_LANDING_MARGIN="1")
    ledger = tmp_path / "ledger.sqlite"
    reference_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    sent = run_graphc(["submit", "dca.yaml", "--ledger", ledger], env, project)
    assert sent.returncode == 3 and "UNCERTAIN" in sent.stderr, sent.stderr
    _send_again(reference_router, ledger)
    oldest, extra = (g["graph_id"] for g in submitted_graphs(reference_router))
    reconciled = run_graphc(["ledger", "--reconcile", "--ledger", ledger], env, project)
    # a second trade found: exit 3 (conc21 2), as for a run left unsettled; the next look, knowing it, exits 0
    assert reconciled.returncode == 3 and f"created graph {oldest}" in reconciled.stdout, reconciled.stderr
    assert "WARNING: 1 more graph(s) carry the tag of run 'dca@" in reconciled.stdout
    assert "  run 1: warning: WARNING: 1 more graph(s) carry the tag" in reconciled.stdout  # and listed
    assert run_graphc(["ledger", "--reconcile", "--ledger", ledger], env, project).returncode == 0
    again = run_graphc(["submit", "dca.yaml", "--ledger", ledger], env, project)
    assert again.returncode == 2 and f"already submitted as graph {oldest}" in again.stderr, again.stderr
    (warning,) = warnings_of(again)
    assert extra in warning and "WARNING: 1 more graph(s)" in warning
    _, as_json = listed(env, project, "--ledger", ledger)
    assert [extra in w for w in as_json[0]["warnings"]] == [True]
