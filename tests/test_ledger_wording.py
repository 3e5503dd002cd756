"""What graphc says when another process holds the ledger, and when `amend` is given a graph whose answer its ledger
never recorded (audit conc21 6), end to end: the real CLI as separate processes against `graphc sandbox serve
--ignore-idempotency-key` over real HTTP, with another process holding the ledger's SQLite lock.

- A locked ledger: graphc waits 10 s for it, bounded, but said neither that it waited nor for how long; an EXCLUSIVE
  holder read `cannot open the ledger ...: database is locked`, without "another process"; a submit never said
  that nothing was sent.
- `amend` of a graph whose submit died between the router's answer and the ledger's write: the ledger that sent it
  holds its bytes in a `sent` row whose tag the node ids carry, and amend said the graph "is not in the ledger ...;
  pass --ledger PATH for the ledger that submitted it", of that very ledger, and sent a decrease unchecked.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from ledger_holder import hold_ledger, lim_project
from sandbox_fixture import cli_env, posts, run_graphc, start_graphc, submitted_graphs

from graphc.api.ledger import Ledger, Scope
from graphc.cli import cli

# a graphc that dies (SIGKILL) when it is about to record the router's answer, as /tmp/conc21/killat.py
DIES_AT_RECORD = """
import os, signal, sys
from graphc.api import ledger
ledger.Ledger.record_confirmed = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
from graphc.cli import main
sys.argv[0] = "graphc"
main()
"""


@pytest.fixture
def project(tmp_path):
    return lim_project(tmp_path)


def held(project, mode: str) -> subprocess.Popen:
    return hold_ledger(project / ".graphc" / "ledger.sqlite", mode)


@pytest.mark.parametrize("mode", ["EXCLUSIVE", "IMMEDIATE"])
def test_a_locked_ledger_says_graphc_waited_for_another_process_and_a_submit_that_nothing_was_sent(
    reference_router, project, mode
):
    env = cli_env(reference_router)
    reference_router.configure(speed=0)  # the graph amend changes stays executing
    assert run_graphc(["submit", "lim.yaml", "--run-key", "first"], env, project).returncode == 0
    (graph,) = submitted_graphs(reference_router)
    holder = held(project, mode)
    try:
        procs = [
            start_graphc(["submit", "lim.yaml", "--run-key", "locked"], env, project),
            start_graphc(["amend", graph["graph_id"], "a", "--urgency", "high"], env, project),
        ]
        if mode == "EXCLUSIVE":  # readers wait too
            procs.append(start_graphc(["ledger"], env, project))
        results = [(p.returncode, err) for p in procs for _, err in [p.communicate(timeout=60)]]
    finally:
        holder.kill()
        holder.communicate(timeout=10)
    ledger = project / ".graphc" / "ledger.sqlite"
    for code, err in results:
        assert code in (2, 3) and "Traceback" not in err, err
        assert f"graphc waited 10 s for the ledger {ledger}, and another process holds it" in err, err
    submit_code, submit_err = results[0]
    assert submit_code == 2 and "nothing was sent" in submit_err, submit_err
    assert posts(reference_router) == 1 and not reference_router.requests("PATCH")


def test_amend_finds_a_graph_whose_answer_its_ledger_never_recorded_by_the_node_ids_tag(reference_router, project):
    env = cli_env(reference_router)
    reference_router.configure(speed=0)  # the nodes stay executing, for the amend
    died = subprocess.run(
        [sys.executable, "-c", DIES_AT_RECORD, "submit", "lim.yaml", "--run-key", "k81"],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert died.returncode == -9, died.stderr
    (graph,) = submitted_graphs(reference_router)
    gid = graph["graph_id"]
    with Ledger(project / ".graphc" / "ledger.sqlite") as ledger:
        (run,) = ledger.runs()
    assert run.state == "sent" and run.graph_id is None
    amend = run_graphc(["amend", gid, "a", "--qty", "0.05"], env, project)
    said = amend.stdout + amend.stderr
    assert amend.returncode == 0, said
    assert "not in the ledger" not in said and "pass --ledger PATH" not in said, said
    assert f"ledger run {run.id} (`sent`" in said and "`graphc ledger --reconcile` records" in said, said
    assert "graphc has no copy of graph" not in said  # its checks ran: the max_notional, lint, LIVE or not
    # an increase is checked against the copy too (before: refused for want of one)
    bigger = run_graphc(["amend", gid, "a", "--qty", "0.15"], env, project)
    assert bigger.returncode == 0 and "no copy" not in bigger.stdout + bigger.stderr, bigger.stdout + bigger.stderr


def test_a_run_in_flight_is_said_to_be_maybe_answered_already(tmp_path):
    """A `sent` row whose process printed `graph G WAS CREATED` (the ledger was locked) looks like one in flight:
    the refusals say that its graphc may have printed the answer, and what records it."""
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        run = ledger.begin(Scope("http://127.0.0.1:1", "local"), "k", "p", False, wire_for=lambda tag: b"{}")
        ledger.mark_sent(run.id, time.time_ns() + 60 * 10**9)
    refused = CliRunner().invoke(cli, ["ledger", "--ledger", str(path), "--resolve", str(run.id), "--not-submitted"])
    assert refused.exit_code == 3, refused.output
    assert "or printed one it could not record (`graph G WAS CREATED`: `graphc ledger --reconcile` records it)" in (
        refused.stderr
    ), refused.stderr
