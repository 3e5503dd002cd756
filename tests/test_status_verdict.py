"""Plain `graphc status GRAPH` of a finished graph gives the verdict `status --watch` gives at its end: the same
function judges the legs (graphc.commands.common.report_outcome), the same `graph G <status>` line ends stdout, the
same lines go to stderr, the same exit code. Before, plain status exited 0 for a completed graph whose leg was
`filled` short of its target (the watch: 1) or beyond it (the watch: 3). A graph still running, or paused, is not
judged: exit 0, as before.

Over real HTTP against `graphc sandbox serve --port 0`: the hedge example is submitted and trades to its end in the
sandbox; where the sandbox's engine cannot end that way (a leg `filled` short of, or beyond, its target) its
`/_sandbox/faults` `status` rule answers GET /v1/execution_graphs/G with the graph it holds, that leg's fill
changed. The CLI runs as a separate process.
"""

from __future__ import annotations

import json
import re

import pytest
from sandbox_fixture import cli_env, run_graphc

SUBMITTED = re.compile(r"as graph (graph_[0-9a-f]+)")
TARGET = 20_000_000_000  # 200 ETH at 1e8


@pytest.fixture
def project(hedge_project):
    return hedge_project


def _submitted(sandbox, project, run_key: str = "v1") -> str:
    args = ["submit", "eth-hedge.yaml", "--quotes", "quotes.yaml", "--run-key", run_key, "--watch"]
    proc = run_graphc(args, cli_env(sandbox), project)
    return SUBMITTED.search(proc.stdout).group(1)


def _answering(sandbox, graph_id: str, hedge_filled: int, status: str | None = None) -> None:
    """GET of the graph answers what the sandbox holds, the hedge leg's fill (and the graph's status) changed."""
    code, graph, _ = sandbox.api("GET", f"/v1/execution_graphs/{graph_id}")
    assert code == 200, graph
    for node_id, node in graph["nodes"].items():
        if node_id.startswith("hedge"):
            node["filled_qty_1e8"] = hedge_filled
    if status is not None:
        graph["status"] = status
    rule = {
        "method": "GET",
        "path_prefix": f"/v1/execution_graphs/{graph_id}",
        "kind": "status",
        "status": 200,
        "count": 100,
    }
    sandbox.set_faults([{**rule, "body": json.dumps(graph)}])


def _both(sandbox, project, graph_id):
    plain = run_graphc(["status", graph_id], cli_env(sandbox), project)
    watched = run_graphc(["status", graph_id, "--watch", "--interval", "0.05"], cli_env(sandbox), project)
    return plain, watched


@pytest.mark.parametrize(
    ("filled", "code", "said"),
    [
        (
            TARGET - 1_000_000_000,
            1,
            "completed, but leg hedge was only partly filled (the router says filled) (190 / 200 ETH filled): the "
            "trade is not what the playbook asked for",
        ),
        (
            2 * TARGET,
            3,
            "completed, but the router shows leg hedge filled beyond its target (400 / 200 ETH filled): the answer is "
            "inconsistent; look at the leg's orders (GET /v1/orders) before reading the trade as done",
        ),
    ],
)
def test_plain_status_of_a_finished_graph_judges_its_fills_as_the_watch_does(sandbox, project, filled, code, said):
    graph_id = _submitted(sandbox, project)
    _answering(sandbox, graph_id, filled)
    plain, watched = _both(sandbox, project, graph_id)
    assert watched.returncode == code, watched.stdout + watched.stderr
    assert plain.returncode == code, plain.stdout + plain.stderr  # before the fix: 0
    assert plain.stderr == watched.stderr == f"graphc: error: graph {graph_id} {said}\n", plain.stderr
    assert plain.stdout.splitlines()[-1] == watched.stdout.splitlines()[-1] == f"graph {graph_id} completed"
    assert plain.stdout == watched.stdout  # one poll: the same block, then the same outcome line


def test_plain_status_of_a_completed_graph_with_a_rejected_leg_exits_1_as_the_watch_does(sandbox, project):
    """No fault: the sandbox rejects the perp symbol; the graph completes with the hedge leg rejected."""
    sandbox.configure(reject_symbols=["ETH-USD-PERP"])
    graph_id = _submitted(sandbox, project)
    plain, watched = _both(sandbox, project, graph_id)
    assert plain.returncode == watched.returncode == 1, plain.stdout + plain.stderr  # before the fix: 0
    assert plain.stderr == watched.stderr
    assert "but leg hedge was rejected (0 / 200 ETH filled)" in plain.stderr


def test_plain_status_of_a_graph_filled_as_asked_exits_0_with_the_outcome_line(sandbox, project):
    graph_id = _submitted(sandbox, project)
    plain, watched = _both(sandbox, project, graph_id)
    assert plain.returncode == watched.returncode == 0, plain.stdout + plain.stderr
    assert plain.stderr == watched.stderr == ""
    assert plain.stdout.splitlines()[-1] == f"graph {graph_id} completed"


def test_plain_status_of_a_graph_still_running_is_not_judged(sandbox, project):
    """An active graph's hedge part-filled is progress, not a verdict: exit 0, no outcome line."""
    graph_id = _submitted(sandbox, project)
    _answering(sandbox, graph_id, TARGET // 2, status="active")
    plain = run_graphc(["status", graph_id], cli_env(sandbox), project)
    assert plain.returncode == 0 and plain.stderr == "", plain.stdout + plain.stderr
    assert plain.stdout.splitlines()[0] == f"graph {graph_id}: active"
    assert f"graph {graph_id} active" not in plain.stdout


def test_plain_status_of_a_cancelled_graph_exits_1_as_the_watch_does(sandbox, project):
    graph_id = _submitted(sandbox, project)
    _answering(sandbox, graph_id, 0, status="cancelled")
    plain, watched = _both(sandbox, project, graph_id)
    assert plain.returncode == watched.returncode == 1, plain.stdout + plain.stderr  # before the fix: 0
    assert plain.stdout.splitlines()[-1] == f"graph {graph_id} cancelled"
