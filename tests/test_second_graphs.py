"""A second graph carrying a confirmed run's tag is reported (audit conc21 2), end to end: the real CLI as separate
processes against `graphc sandbox serve --ignore-idempotency-key` (the reference router's behaviour), real HTTP.

Two checkouts of one repository have a ledger each, and the router cannot show a request before it lands: both
send the run when the second submits while the first's request is in flight (docs/submitting.md, "What graphc
cannot prove"). Once each ledger had its run `confirmed`, no command looked at the router again, so the second
trade was never named: `submit` said only "already submitted as graph <its own>", `ledger --reconcile` "nothing to
reconcile". Now the refusal looks the tag up once and names the other graph as a WARNING (the recovery table's
promise), and `ledger --reconcile` looks again at the runs confirmed in the last 24 hours.
"""

from __future__ import annotations

import pytest
from sandbox_fixture import cli_env, posts, run_graphc, start_graphc, submitted_graphs, wait_for

from graphc.api.lookup import PAGE_SIZE

LIM = (
    "graphc: 1\nname: lim\nrisk:\n  max_notional: $20k\nlegs:\n"
    "  a: {buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}\n"
    "  b: {buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2000}\n"
)
SLOW_POST = {"method": "POST", "path_prefix": "/v1/orders", "kind": "slow"}


@pytest.fixture
def checkouts(tmp_path):
    """Two checkouts of one repository (each `.git` a project root, so each has its own `.graphc/ledger.sqlite`)."""
    roots = []
    for name in ("repo", "wt2"):
        root = tmp_path / name
        (root / ".git").mkdir(parents=True)
        (root / "lim.yaml").write_text(LIM)
        roots.append(root)
    return roots


def warnings_of(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("graphc: warning: ")]


def both_send(router, env, first, second, key) -> tuple[str, str]:
    """The first checkout's request is in flight (a slow router) when the second submits: two graphs, one tag.
    Returns (the first checkout's graph, the second's)."""
    router.set_faults([{**SLOW_POST, "delay": 3.0, "count": 1}])
    proc = start_graphc(["submit", "lim.yaml", "--run-key", key], env, first)
    wait_for(lambda: posts(router) == 1)
    other = run_graphc(["submit", "lim.yaml", "--run-key", key], env, second)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and other.returncode == 0, err + other.stderr  # the documented limit
    mine = out.split(" as graph ")[1].split()[0]
    theirs = other.stdout.split(" as graph ")[1].split()[0]
    assert {g["graph_id"] for g in submitted_graphs(router)} == {mine, theirs}
    return mine, theirs


def test_the_refusal_of_a_confirmed_run_names_another_graph_carrying_its_tag(reference_router, checkouts):
    env = cli_env(reference_router)
    first, second = checkouts
    mine, theirs = both_send(reference_router, env, first, second, "wt-2")
    for here, recorded, other in ((first, mine, theirs), (second, theirs, mine)):
        again = run_graphc(["submit", "lim.yaml", "--run-key", "wt-2"], env, here)
        assert again.returncode == 2 and f"already submitted as graph {recorded}" in again.stderr, again.stderr
        (warning,) = warnings_of(again)
        assert f"WARNING: 1 more graph(s) carry the tag of run 'wt-2' ({other})" in warning, warning
        assert "graphc cancel" in warning
        # kept on the row: the listing says it, and the next refusal says it once (not twice)
        listing = run_graphc(["ledger"], env, here)
        assert f"warning: WARNING: 1 more graph(s) carry the tag of run 'wt-2' ({other})" in listing.stdout
        assert len(warnings_of(run_graphc(["submit", "lim.yaml", "--run-key", "wt-2"], env, here))) == 1
    # the first checkout's graph landed second: its ledger's graph is not the oldest, and the warning says so
    first_warning = warnings_of(run_graphc(["submit", "lim.yaml", "--run-key", "wt-2"], env, first))[0]
    assert f"This ledger recorded {mine} for it" in first_warning and "the oldest" not in first_warning, first_warning
    assert posts(reference_router) == 2


def test_a_router_that_cannot_be_read_leaves_the_refusal_standing_and_says_so(reference_router, checkouts):
    env = cli_env(reference_router)
    first, _ = checkouts
    sent = run_graphc(["submit", "lim.yaml", "--run-key", "r1"], env, first)
    assert sent.returncode == 0, sent.stderr
    (graph,) = submitted_graphs(reference_router)
    reference_router.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "status", "status": 400}])
    again = run_graphc(["submit", "lim.yaml", "--run-key", "r1"], env, first)
    assert again.returncode == 2 and f"already submitted as graph {graph['graph_id']}" in again.stderr, again.stderr
    (warning,) = warnings_of(again)
    assert "could not look for other graphs carrying the tag of run 'r1'" in warning, warning
    assert "graphc ledger --reconcile" in warning
    assert posts(reference_router) == 1


def test_reconcile_looks_again_at_recent_confirmed_runs_and_names_a_second_graph(reference_router, checkouts):
    env = cli_env(reference_router)
    first, second = checkouts
    mine, theirs = both_send(reference_router, env, first, second, "wt-3")
    reconciled = run_graphc(["ledger", "--reconcile"], env, second)
    assert reconciled.returncode == 3, reconciled.stdout + reconciled.stderr  # a second trade needs attention
    assert f"run 1 (wt-3) has graph {theirs}; WARNING: 1 more graph(s) carry the tag of run 'wt-3' ({mine})" in (
        reconciled.stdout
    ), reconciled.stdout
    assert "nothing to reconcile" not in reconciled.stdout
    assert f"  run 1: warning: WARNING: 1 more graph(s) carry the tag of run 'wt-3' ({mine})" in reconciled.stdout
    # known now (kept on the row, listed every time): the next look names it again, and does not fail again
    again = run_graphc(["ledger", "--reconcile"], env, second)
    assert again.returncode == 0 and f"({mine})" in again.stdout, again.stdout + again.stderr
    # a run with no second graph: looked at, and said so
    alone = run_graphc(["submit", "lim.yaml", "--run-key", "alone"], env, first)
    assert alone.returncode == 0, alone.stderr
    quiet = run_graphc(["ledger", "--reconcile"], env, first)
    assert quiet.returncode == 3 and f"({theirs})" in quiet.stdout, quiet.stdout  # wt-3's other graph, new here
    quiet = run_graphc(["ledger", "--reconcile"], env, first)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "looked again at 2 runs confirmed since " in quiet.stdout, quiet.stdout
    assert posts(reference_router) == 3


# -- ops22 2: the runs confirmed in the last 24 hours are looked at again in one pass over the order list -----------

RUNS = 50  # a runner's occurrences, recorded in the project's ledger: each a run confirmed in the last 24 hours


@pytest.fixture
def busy_project(reference_router, checkouts):
    """A project whose ledger holds RUNS runs confirmed just now (a `* * * * *` runner's hour, sent as `graphc run`
    sends them: run keys that are not the graph's content), at a router whose list holds a few pages of others."""
    from graphc.api.client import Client
    from graphc.api.ledger import Ledger
    from graphc.submit import prepare, submit_wire

    root = checkouts[0]
    wire_text = prepare(str(root / "lim.yaml")).wire_text
    with Client.from_env(cli_env(reference_router)) as client, Ledger(root / ".graphc" / "ledger.sqlite") as ledger:
        for minute in range(RUNS):
            run_key = f"lim@2026-01-05T14:{minute:02d}Z"
            submit_wire(wire_text, "lim", client=client, ledger=ledger, run_key=run_key, lookback_s=0)
    reference_router.control("POST", "/seed_orders", {"count": 250})
    return root


def list_reads(router) -> int:
    return len(router.requests("GET", "/v1/orders"))


def test_reconcile_reads_the_order_list_once_for_every_run_confirmed_in_the_last_day(reference_router, busy_project):
    """Audit ops22 2: one scan of the whole list per confirmed run made `ledger --reconcile` cost runs x pages
    requests (300 runs x 36 pages: 79 s). Now every run's tag is matched in one pass: as many list reads as the
    list has pages, whatever the number of runs."""
    _, listed, _ = reference_router.api("GET", "/v1/orders?limit=1")
    pages = -(-listed["total"] // PAGE_SIZE)
    assert pages >= 3, listed["total"]
    reference_router.control("DELETE", "/requests")
    reconciled = run_graphc(["ledger", "--reconcile"], cli_env(reference_router), busy_project)
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert f"looked again at {RUNS} runs confirmed since " in reconciled.stdout, reconciled.stdout
    assert list_reads(reference_router) == pages


def test_a_pass_that_cannot_finish_names_every_run_left_unlooked_and_exits_3(reference_router, busy_project):
    """The one pass is bounded as one scan is (its pages and time): when it cannot read the list to its end, each
    run left unlooked gets a line, and the command exits 3, after one failed read, not one per run."""
    reference_router.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "status", "status": 400}])
    reference_router.control("DELETE", "/requests")
    reconciled = run_graphc(["ledger", "--reconcile"], cli_env(reference_router), busy_project)
    assert reconciled.returncode == 3, reconciled.stdout + reconciled.stderr
    said = reconciled.stdout
    assert f"the look again at the {RUNS} runs confirmed since " in said and "could not finish" in said, said
    for run_id in range(1, RUNS + 1):
        minute = f"{run_id - 1:02d}"
        assert f"run {run_id} (lim@2026-01-05T14:{minute}Z) not looked at again" in said, said
    assert "looked again at" not in said, said
    assert list_reads(reference_router) == 1
