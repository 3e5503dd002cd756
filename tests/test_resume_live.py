"""`graphc resume` of a graph the ledger recorded as LIVE needs `--live`, as `amend` does (audit live23 F2).

A resume starts a paused graph's remaining orders ("Pending nodes will re-evaluate their edge triggers",
orders-and-execution-graphs.md "Resume Paused Graph"): for a LIVE graph, real-money orders. Submitting it needed
`sandbox: false` and `--live`, amending it needs `--live`; resuming it needed nothing and never said LIVE.

The real CLI, as processes in the project (its ledger is the default one), against `graphc sandbox serve`.
"""

from __future__ import annotations

import json
import re

import pytest
from sandbox_fixture import cli_env, run_graphc, start_graphc, wait_for

PLAYBOOK = (
    "graphc: 1\nname: {name}\n{mode}risk:\n  max_notional: $20k\nlegs:\n"
    "  a: {{buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}}\n"
    "  b: {{buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2000, after: a filled}}\n"
)
GRAPH_ID = re.compile(r"as graph (graph_[0-9a-f]+)")


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p1"
    (root / ".git").mkdir(parents=True)
    (root / "paper.yaml").write_text(PLAYBOOK.format(name="paper", mode=""))
    (root / "live.yaml").write_text(PLAYBOOK.format(name="eth-live", mode="sandbox: false\n"))
    return root


def _paused(sandbox, project, playbook: str, *extra) -> str:
    """The graph ``playbook`` was submitted as, paused by the router."""
    sandbox.configure(speed=0)  # nothing fills: the graph stays active until paused
    sent = run_graphc(["submit", playbook, *extra], cli_env(sandbox), project)
    assert sent.returncode == 0, sent.stderr
    gid = GRAPH_ID.search(sent.stdout).group(1)
    sandbox.pause(gid)
    return gid


def _resumes(sandbox) -> list[dict]:
    return [r for r in sandbox.requests("POST") if r["path"].endswith("/resume")]


def _status(sandbox, gid) -> str:
    return next(g["status"] for g in sandbox.graphs() if g["graph_id"] == gid)


def test_resuming_a_live_graph_needs_live_as_amending_it_does(sandbox, project):
    gid = _paused(sandbox, project, "live.yaml", "--live", "--yes")
    env = cli_env(sandbox)
    refused = run_graphc(["resume", gid], env, project)  # no terminal, no --live: the audit's command
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr == (
        f"graphc: refused: graph {gid} is LIVE (ledger run 1 sent it with `sandbox: false`): a resume starts its "
        "real-money orders again; pass --live to resume it; nothing sent\n"
    )
    assert refused.stdout == "" and _resumes(sandbox) == [] and _status(sandbox, gid) == "paused"
    resumed = run_graphc(["resume", gid, "--live"], env, project)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == f"graph {gid} (LIVE): active\n" and resumed.stderr == ""
    assert len(_resumes(sandbox)) == 1 and _status(sandbox, gid) == "active"


def test_the_status_of_a_paused_live_graph_hints_resume_with_live(sandbox, project):
    gid = _paused(sandbox, project, "live.yaml", "--live", "--yes")
    env = cli_env(sandbox)
    shown = run_graphc(["status", gid], env, project)
    assert shown.returncode == 0, shown.stderr
    assert f"graph {gid} is paused; resume it with `graphc resume {gid} --live`" in shown.stderr
    watched = run_graphc(["status", gid, "--watch", "--interval", "0.05"], env, project)
    assert watched.returncode == 1, watched.stderr
    assert f"resume it with `graphc resume {gid} --live`, then follow it" in watched.stderr
    # the hint is the command that works
    assert run_graphc(["resume", gid, "--live"], env, project).returncode == 0


def test_a_sandbox_graph_resumes_as_before_and_live_says_it_has_no_effect(sandbox, project):
    gid = _paused(sandbox, project, "paper.yaml")
    env = cli_env(sandbox)
    shown = run_graphc(["status", gid], env, project)
    assert f"graph {gid} is paused; resume it with `graphc resume {gid}`\n" in shown.stderr
    resumed = run_graphc(["resume", gid], env, project)
    assert resumed.returncode == 0 and resumed.stdout == f"graph {gid}: active\n", resumed.stderr
    assert resumed.stderr == ""
    sandbox.pause(gid)
    opted = run_graphc(["resume", gid, "--live"], env, project)
    assert opted.returncode == 0 and opted.stdout == f"graph {gid}: active\n", opted.stderr
    assert f"graphc: warning: --live has no effect: graph {gid} is a sandbox graph (ledger run 1)" in opted.stderr


def test_a_resume_outside_the_ledger_says_what_it_could_not_check(sandbox, project, tmp_path):
    """No ledger copy of the graph (another folder): resumed, as an amend that graphc cannot check is, with a note
    saying that whether it is LIVE was not checked; `--ledger` finds the copy from anywhere."""
    gid = _paused(sandbox, project, "live.yaml", "--live", "--yes")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = cli_env(sandbox)
    ledger = project / ".graphc" / "ledger.sqlite"
    refused = run_graphc(["resume", gid, "--ledger", ledger], env, outside)
    assert refused.returncode == 2 and f"graph {gid} is LIVE" in refused.stderr, refused.stderr
    resumed = run_graphc(["resume", gid], env, outside)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == (
        f"note: graphc has no copy of graph {gid} (there is no ledger at {outside / '.graphc' / 'ledger.sqlite'}; "
        "pass --ledger PATH for the ledger that submitted it); not checked: whether the graph is LIVE\n"
        f"graph {gid}: active\n"
    )


def test_submit_of_a_live_graph_that_pauses_names_the_resume_with_live(sandbox, project):
    """`submit --watch` that ends at a pause, and a graph the router reports paused when it creates it: the
    command each names is the one that resumes a LIVE graph."""
    env = cli_env(sandbox)
    sandbox.configure(speed=0)
    watching = start_graphc(["submit", "live.yaml", "--live", "--yes", "--watch"], env, project)
    wait_for(lambda: [g for g in sandbox.graphs() if g["wire_sha256"]])
    gid = next(g["graph_id"] for g in sandbox.graphs() if g["wire_sha256"])
    sandbox.pause(gid)
    out, err = watching.communicate(timeout=60)
    assert watching.returncode == 1, out + err
    assert f"resume it with `graphc resume {gid} --live`, then follow it" in err, err
    created = json.dumps({"graph_id": "graph_made1", "status": "paused"})
    sandbox.set_faults(
        [{"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": 200, "body": created}]
    )
    paused = run_graphc(["submit", "live.yaml", "--live", "--yes", "--run-key", "second"], env, project)
    assert paused.returncode == 1, paused.stdout + paused.stderr
    assert "but reports it paused: the answer gives no reason; resume it with `graphc resume graph_made1 --live`" in (
        paused.stderr
    ), paused.stderr
