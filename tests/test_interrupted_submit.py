"""Ctrl-C during `graphc submit` says what became of the run, at each stage (audit conc21 3), end to end: the real CLI
as a separate process receiving SIGINT, against `graphc sandbox serve --ignore-idempotency-key` over real HTTP, with
another process holding the ledger's SQLite lock where the audit's did.

The audit's case: the router answered with the graph id while another process held the ledger, and Ctrl-C came during
graphc's wait for it. The id was printed nowhere, and the message said the run "is recorded as uncertain", while its
row stayed `sent`. Now the id is said with the command that records it, and each stage says what is true of it:
before sending, nothing was sent; in flight, the run is recorded uncertain until its `lands_by`; after the answer,
the graph WAS CREATED.
"""

from __future__ import annotations

import signal
import time

import pytest
from ledger_holder import SLOW_POST, hold_ledger, lim_project, release
from sandbox_fixture import cli_env, posts, run_graphc, start_graphc, submitted_graphs, wait_for

from graphc.api.ledger import Ledger


@pytest.fixture
def project(tmp_path):
    return lim_project(tmp_path)


def rows(project):
    with Ledger(project / ".graphc" / "ledger.sqlite") as ledger:
        return ledger.runs()


def test_ctrl_c_while_the_answer_waits_for_a_locked_ledger_says_the_graph_id(reference_router, project):
    env = cli_env(reference_router)
    reference_router.set_faults([{**SLOW_POST, "delay": 2.0, "count": 1}])
    proc = start_graphc(["submit", "lim.yaml", "--run-key", "c3"], env, project)
    wait_for(lambda: posts(reference_router) == 1)
    holder = hold_ledger(project / ".graphc" / "ledger.sqlite")  # before the router answers
    try:
        wait_for(lambda: len(submitted_graphs(reference_router)) == 1)
        time.sleep(1.5)  # graphc has read the answer, and waits for the ledger (10 s)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        release(holder)
    (graph,) = submitted_graphs(reference_router)
    gid = graph["graph_id"]
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert f"graph {gid} WAS CREATED for run 'c3'" in err, err
    assert "recorded as uncertain" not in err  # it is not: the row stays `sent`
    (run,) = rows(project)
    assert run.state == "sent" and run.graph_id is None
    # the command it names records the graph now (its request's lands_by is still ahead)
    assert "`graphc ledger --reconcile`" in err, err
    reconciled = run_graphc(["ledger", "--reconcile"], env, project)
    assert reconciled.returncode == 0 and f"created graph {gid}" in reconciled.stdout, reconciled.stdout
    (run,) = rows(project)
    assert run.state == "confirmed" and run.graph_id == gid
    assert posts(reference_router) == 1


def test_ctrl_c_in_flight_says_the_run_is_uncertain_until_its_lands_by(reference_router, project):
    env = cli_env(reference_router)
    reference_router.set_faults([{**SLOW_POST, "delay": 3.0, "count": 1}])
    proc = start_graphc(["submit", "lim.yaml", "--run-key", "c4"], env, project)
    wait_for(lambda: posts(reference_router) == 1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    (run,) = rows(project)
    assert proc.returncode == 130 and run.state == "uncertain", err
    assert f"run 'c4' (ledger run {run.id}, tag {run.tag}) is recorded as uncertain" in err, err
    assert f"may still reach the router until {run.as_dict()['lands_by']}" in err, err
    assert "WAS CREATED" not in err and "nothing was sent" not in err


def test_ctrl_c_before_the_request_leaves_says_nothing_was_sent(reference_router, project):
    env = cli_env(reference_router)
    reference_router.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": 5.0}])
    proc = start_graphc(["submit", "lim.yaml", "--run-key", "c5"], env, project)
    wait_for(lambda: len(reference_router.requests("GET")) >= 1)  # the look at the router for the run
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "nothing was sent" in err, err
    assert "uncertain" not in err
    assert posts(reference_router) == 0 and rows(project) == []
