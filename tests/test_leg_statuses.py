"""A completed graph's legs as the router shows them (notes/audit/status28.md 1), over real HTTP: the scripted router
of tests/test_router_answers.py, the CLI as a separate process.

- A leg whose status is none of the reference's node statuses ("Node status values", orders-and-execution-graphs.md:
  pending, executing, filled, partial_fill, cancelled, rejected, failed), exactly as written (`REJECTED`, `canceled`,
  `expired`, ` rejected`, a missing status), is an answer in an undocumented shape: exit 3 naming the leg, as a graph
  status outside the reference's five is; never `completed`, exit 0.
- A completed graph's leg `filled` short of its target is only partly filled (exit 1, named on stderr); one still
  `executing` is not done (exit 1); a leg filled beyond its target is shown as the router gave it (not capped at
  100%) and said to be inconsistent (exit 3), as is a `filled` leg with no target.
"""

from __future__ import annotations

import pytest
from sandbox_fixture import run_graphc
from test_follow_verdicts import GRAPH, _node, _showing, env_for, router  # noqa: F401  (router: a fixture)

TARGET = 20_000_000_000  # 200


def _completed_with_hedge(router, hedge: dict) -> None:  # noqa: F811
    nodes = {"spot": _node("filled", TARGET, TARGET), "hedge": hedge}
    _showing(router, {"graph_id": GRAPH, "status": "completed", "nodes": nodes, "edges": {}})


def _watch(router, tmp_path):  # noqa: F811
    return run_graphc(["status", GRAPH, "--watch", "--interval", "0.05"], env_for(router), tmp_path)


@pytest.mark.parametrize("status", ["REJECTED", "canceled", "expired", "error", " rejected", "Filled", "completed"])
def test_a_leg_status_outside_the_reference_is_exit_3_naming_it(router, tmp_path, status):  # noqa: F811
    _completed_with_hedge(router, _node(status, TARGET, 0))
    proc = _watch(router, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: 0, `graph graph_abc completed`
    assert f"graph {GRAPH} completed" not in proc.stdout.splitlines()
    assert f"node hedge's status is {status!r} (the reference's node statuses: pending, executing," in proc.stderr
    assert "not the documented shape" in proc.stderr
    assert f"  hedge  [....................]   0.0%  0 / 200  avg -  {status!r}" in proc.stdout  # shown, then refused
    # plain `status` reads the leg the same way, as it reads a graph status outside the reference's five: the
    # graph shown first, then refused, as --watch does (audit review28 6: only the error line)
    plain = run_graphc(["status", GRAPH], env_for(router), tmp_path)
    assert plain.returncode == 3 and f"node hedge's status is {status!r}" in plain.stderr, plain.stderr
    assert f"  hedge  [....................]   0.0%  0 / 200  avg -  {status!r}" in plain.stdout.splitlines()
    assert plain.stderr.startswith("graphc: error: GET /v1/execution_graphs/") and plain.stderr.count("\n") == 1


def test_a_leg_without_a_status_is_exit_3(router, tmp_path):  # noqa: F811
    hedge = _node("x", TARGET, 0)
    del hedge["status"]
    _completed_with_hedge(router, hedge)
    proc = _watch(router, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: 0, the leg shown `?`
    assert "node hedge has no status (the reference's node statuses: pending, executing, filled," in proc.stderr


@pytest.mark.parametrize(
    ("filled", "said"),
    [
        (0, "was only partly filled (the router says filled) (0 / 200 filled)"),
        (TARGET - 1, "was only partly filled (the router says filled) (199.99999999 / 200 filled)"),
    ],
)
def test_a_leg_filled_short_of_its_target_is_exit_1(router, tmp_path, filled, said):  # noqa: F811
    _completed_with_hedge(router, _node("filled", TARGET, filled))
    proc = _watch(router, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # before the fix: 0
    assert proc.stdout.splitlines()[-1] == f"graph {GRAPH} completed"
    assert proc.stderr == (
        f"graphc: error: graph {GRAPH} completed, but leg hedge {said}: the trade is not what the playbook asked for\n"
    )


def test_a_leg_still_executing_in_a_completed_graph_is_exit_1(router, tmp_path):  # noqa: F811
    _completed_with_hedge(router, _node("executing", TARGET, 0))
    proc = _watch(router, tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # before the fix: 0
    assert "but leg hedge was still executing (0 / 200 filled)" in proc.stderr


def test_a_leg_filled_beyond_its_target_is_shown_as_given_and_exit_3(router, tmp_path):  # noqa: F811
    _completed_with_hedge(router, _node("filled", TARGET, 2 * TARGET))
    proc = _watch(router, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: 0, shown 100.0%
    assert "  hedge  [####################] 200.0%  400 / 200  avg 100  filled (1 fill)" in proc.stdout
    assert proc.stderr == (
        f"graphc: error: graph {GRAPH} completed, but the router shows leg hedge filled beyond its target "
        "(400 / 200 filled): the answer is inconsistent; look at the leg's orders (GET /v1/orders) before reading "
        "the trade as done\n"
    )


def test_a_filled_leg_with_no_target_is_exit_3(router, tmp_path):  # noqa: F811
    _completed_with_hedge(router, {"status": "filled"})
    proc = _watch(router, tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: 0, `0 / 0`
    assert "the router shows leg hedge filled with no target quantity (0 / 0 filled)" in proc.stderr


def test_a_fully_filled_hedge_is_still_exit_0(router, tmp_path):  # noqa: F811
    _completed_with_hedge(router, _node("filled", TARGET, TARGET))
    proc = _watch(router, tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stdout + proc.stderr
