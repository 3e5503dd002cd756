"""`graphc ledger --resolve N --graph-id X` while another graphc is sending run N, and the advice of a graph that
WAS CREATED but could not be recorded (audit conc21 4), end to end: the real CLI as separate processes against
`graphc sandbox serve --ignore-idempotency-key` over real HTTP; another process holds the ledger's lock, or writes
the ledger, where the audit's did.

The audit's case: `--resolve 46 --graph-id graph_typo123` was accepted, with no word, for a `sent` row whose request
was still in flight. The real answer then could not be recorded, and the command graphc suggested to record it
(`--resolve 46 --graph-id G`) failed: the ledger kept a graph id no router has. Now that resolve is refused (exit
2, nothing recorded) until the row's `lands_by`, as `--not-submitted` is, and the advice of `graph G WAS CREATED`
names a command that works in the state it leaves.
"""

from __future__ import annotations

import pytest
from ledger_holder import SLOW_POST, hold_ledger, lim_project, release
from sandbox_fixture import cli_env, posts, run_graphc, start_graphc, submitted_graphs, wait_for

from graphc.api.ledger import Ledger


@pytest.fixture
def project(tmp_path):
    return lim_project(tmp_path)


def the_run(project):
    with Ledger(project / ".graphc" / "ledger.sqlite") as ledger:
        (run,) = ledger.runs()
    return run


def sending(router, env, project, key, delay=4.0):
    """`graphc submit` with its request in flight (a slow router); returns the process and its ledger row."""
    router.set_faults([{**SLOW_POST, "delay": delay, "count": 1}])
    proc = start_graphc(["submit", "lim.yaml", "--run-key", key], env, project)
    wait_for(lambda: posts(router) == 1)
    return proc, the_run(project)


def test_resolving_a_run_another_graphc_is_sending_is_refused_until_its_lands_by(reference_router, project):
    env = cli_env(reference_router)
    proc, run = sending(reference_router, env, project, "rs1")
    assert run.state == "sent"
    resolve = run_graphc(["ledger", "--resolve", run.id, "--graph-id", "graph_typo123"], env, project)
    out, err = proc.communicate(timeout=60)
    assert resolve.returncode == 2, resolve.stdout + resolve.stderr
    lands_by = run.as_dict()["lands_by"]
    assert f"--resolve {run.id} --graph-id is refused before {lands_by}" in resolve.stderr, resolve.stderr
    assert "another graphc's request for this run is in flight" in resolve.stderr
    assert "nothing was recorded" in resolve.stderr
    # the sender records the real answer
    (graph,) = submitted_graphs(reference_router)
    assert proc.returncode == 0 and f"as graph {graph['graph_id']}" in out, err
    run = the_run(project)
    assert run.state == "confirmed" and run.graph_id == graph["graph_id"]


def test_a_graph_not_recorded_behind_a_locked_ledger_names_a_command_that_records_it(reference_router, project):
    env = cli_env(reference_router)
    proc, run = sending(reference_router, env, project, "rs2", delay=2.0)
    holder = hold_ledger(project / ".graphc" / "ledger.sqlite")
    try:
        _, err = proc.communicate(timeout=60)  # graphc waits 10 s for the ledger, then gives up
    finally:
        release(holder)
    (graph,) = submitted_graphs(reference_router)
    gid = graph["graph_id"]
    assert proc.returncode == 3 and f"graph {gid} WAS CREATED for run 'rs2'" in err, err
    assert the_run(project).state == "sent"
    # the resolve it names for later is refused now (the row's request may still land, as far as the ledger knows)
    later = f"after {run.as_dict()['lands_by']}, `graphc ledger --resolve {run.id} --graph-id {gid}`"
    assert later in err, err
    assert run_graphc(["ledger", "--resolve", run.id, "--graph-id", gid], env, project).returncode == 2
    # the one it names for now works now
    assert "`graphc ledger --reconcile` records" in err
    reconciled = run_graphc(["ledger", "--reconcile"], env, project)
    assert reconciled.returncode == 0 and f"created graph {gid}" in reconciled.stdout, reconciled.stdout
    assert the_run(project).graph_id == gid and posts(reference_router) == 1


def test_a_graph_whose_run_another_process_confirmed_with_another_graph_is_named_a_second_trade(
    reference_router, project
):
    env = cli_env(reference_router)
    proc, run = sending(reference_router, env, project, "rs3", delay=2.0)
    with Ledger(project / ".graphc" / "ledger.sqlite") as ledger:  # another graphc records another graph meanwhile
        ledger.record_confirmed(run.id, "graph_other", how="recorded by another graphc")
    _, err = proc.communicate(timeout=60)
    (graph,) = submitted_graphs(reference_router)
    gid = graph["graph_id"]
    assert proc.returncode == 3 and f"graph {gid} WAS CREATED for run 'rs3'" in err, err
    assert f"ledger run {run.id} is already confirmed with graph graph_other" in err, err
    assert f"graphc ledger --resolve {run.id} --graph-id" not in err  # refused for a confirmed run: not advised
    # what it advises: the next look names the graph as a second one carrying the run's tag
    reconciled = run_graphc(["ledger", "--reconcile"], env, project)
    assert reconciled.returncode == 3 and f"carry the tag of run 'rs3' ({gid})" in reconciled.stdout, reconciled.stdout
