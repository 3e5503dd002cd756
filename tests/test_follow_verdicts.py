"""How a followed graph ended, and what `resume` and `status` make of the router's answers (notes/audit/follow26.md),
each finding reproduced over real HTTP: `graphc sandbox serve` (its `reject_symbols` configuration and
`/_sandbox/faults` rules) or, where the sandbox cannot answer that way (a `partial_fill` leg, a leg left pending),
the scripted router of tests/test_router_answers.py. The CLI runs as a separate process.

- 1: a watch that ends with the graph `completed` while a leg ended `rejected`, `failed` or `partial_fill` exits 1,
  with one error line per such leg (its status, filled / target in its units); a leg left `pending` or `cancelled`
  (a fallback whose trigger never fired) gets a note line, and the exit stays 0.
- 2: `resume` answered 2xx with a status saying it did not happen (`rejected`, `failed`, `error`), or about another
  graph, is exit 3 with the reason and `check with graphc status`, as `cancel` and `amend` read such answers.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from sandbox_fixture import _pythonpath, cli_env, run_graphc
from test_router_answers import KEY, scripted_router

from graphc.commands.common import _scaled

GRAPH = "graph_abc"
SUBMITTED = re.compile(r"as graph (graph_[0-9a-f]+)")


@pytest.fixture
def router():
    with scripted_router() as server:
        yield server


@pytest.fixture
def project(hedge_project):
    return hedge_project


def env_for(router) -> dict:
    env = {**os.environ, "PYTHONPATH": _pythonpath(), "SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY}
    return {**env, "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials", "NO_COLOR": "1"}


def _node(status: str, target: int, filled: int) -> dict:
    return {
        "status": status,
        "target_qty_1e8": target,
        "filled_qty_1e8": filled,
        "avg_fill_price_1e9": 100_000_000_000 if filled else 0,
        "fill_count": 1 if filled else 0,
    }


def _showing(router, graph: dict) -> None:
    """Every GET answers ``graph``; anything else a 404."""

    def script(h):
        if h.command == "GET" and h.path.startswith(f"/v1/execution_graphs/{GRAPH}"):
            return h.answer(200, json.dumps(graph).encode())
        return h.answer(404, b'{"error": "not_found"}')

    router.script = script


# -- 1: a completed graph with a leg short of its order ---------------------------------------------------------------


def test_submit_watch_of_a_hedge_whose_hedge_is_rejected_exits_1_naming_the_leg(sandbox, project):
    """The audit's sandbox scenario: the perp symbol rejected, the spot leg filled, the graph `completed`."""
    sandbox.configure(reject_symbols=["ETH-USD-PERP"])
    args = ["submit", "eth-hedge.yaml", "--quotes", "quotes.yaml", "--run-key", "rej2", "--watch"]
    proc = run_graphc(args, cli_env(sandbox), project)
    gid = SUBMITTED.search(proc.stdout).group(1)
    assert proc.stdout.splitlines()[-1] == f"graph {gid} completed", proc.stdout  # the router's word, as it said it
    assert proc.returncode == 1, proc.stdout + proc.stderr  # before the fix: exit 0
    assert (
        f"graphc: error: graph {gid} completed, but leg hedge was rejected (0 / 200 ETH filled): the trade is not "
        "what the playbook asked for\n"
    ) in proc.stderr, proc.stderr
    assert "leg spot" not in proc.stderr  # a filled leg is not named
    # `status --watch` of the same graph: the same verdict, its units from the project's ledger
    watched = run_graphc(["status", gid, "--watch", "--interval", "0.05"], cli_env(sandbox), project)
    assert watched.returncode == 1, watched.stdout + watched.stderr
    assert "but leg hedge was rejected (0 / 200 ETH filled)" in watched.stderr, watched.stderr
    # elsewhere (no ledger holds the graph): the numbers as the progress block shows them, without a unit
    elsewhere = run_graphc(["status", gid, "--watch", "--interval", "0.05"], cli_env(sandbox), project.parent)
    assert elsewhere.returncode == 1 and "but leg hedge was rejected (0 / 200 filled)" in elsewhere.stderr


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("partial_fill", "was only partly filled (partial_fill) (0.00000001 / 0.000001 filled)"),
        ("failed", "failed (0 / 0.000001 filled)"),
        ("rejected", "was rejected (0 / 0.000001 filled)"),
    ],
)
def test_status_watch_of_a_completed_graph_with_a_short_leg_exits_1(router, tmp_path, status, said):
    filled = 1 if status == "partial_fill" else 0
    nodes = {"a": _node("filled", 100, 100), "b": _node(status, 100, filled)}
    _showing(router, {"graph_id": GRAPH, "status": "completed", "nodes": nodes, "edges": {}})
    proc = run_graphc(["status", GRAPH, "--watch", "--interval", "0.05"], env_for(router), tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # before the fix: exit 0
    assert proc.stdout.splitlines()[-1] == f"graph {GRAPH} completed"
    assert proc.stderr == (
        f"graphc: error: graph {GRAPH} completed, but leg b {said}: the trade is not what the playbook asked for\n"
    )


@pytest.mark.parametrize(("status", "said"), [("pending", "never started (pending)"), ("cancelled", "was cancelled")])
def test_a_completed_graph_whose_fallback_leg_never_started_exits_0_with_a_note(router, tmp_path, status, said):
    nodes = {"main": _node("filled", 100, 100), "fallback": _node(status, 100, 0)}
    _showing(router, {"graph_id": GRAPH, "status": "completed", "nodes": nodes, "edges": {}})
    proc = run_graphc(["status", GRAPH, "--watch", "--interval", "0.05"], env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == f"graph {GRAPH} completed"
    assert proc.stderr == (
        f"graphc: note: graph {GRAPH} completed; leg fallback {said} (0 / 0.000001 filled), as a leg whose trigger "
        "never fired is\n"
    )  # before the fix: nothing said


def test_a_completed_graph_whose_legs_all_filled_exits_0_saying_nothing_more(router, tmp_path):
    nodes = {"a": _node("filled", 100, 100)}
    _showing(router, {"graph_id": GRAPH, "status": "completed", "nodes": nodes, "edges": {}})
    proc = run_graphc(["status", GRAPH, "--watch", "--interval", "0.05"], env_for(router), tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stdout + proc.stderr


# -- 2: resume answered 2xx with the router's no, or about another graph ----------------------------------------------


def _resume_answering(router, status: int, body: bytes) -> None:
    """The graph reads paused; its POST …/resume answers ``status`` with ``body``."""
    paused = {"graph_id": GRAPH, "status": "paused", "nodes": {"a": _node("pending", 100, 0)}, "edges": {}}

    def script(h):
        if h.command == "POST" and h.path == f"/v1/execution_graphs/{GRAPH}/resume":
            return h.answer(status, body)
        if h.command == "GET" and h.path.startswith(f"/v1/execution_graphs/{GRAPH}"):
            return h.answer(200, json.dumps(paused).encode())
        return h.answer(404, b'{"error": "not_found"}')

    router.script = script


CHECK = f"check with `graphc status {GRAPH}` (resuming twice is harmless)"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            {"status": "rejected", "graph_id": GRAPH},
            "rejected: the router refused the resume (its answer gives no reason)",
        ),
        ({"status": "failed", "reason": "engine busy"}, "failed: the router refused the resume: engine busy"),
        ({"status": "ERROR", "error": {"message": "nope"}}, "ERROR: the router refused the resume: nope"),
    ],
)
def test_resume_answered_2xx_with_a_refusing_status_is_exit_3(router, tmp_path, answer, said):
    _resume_answering(router, 200, json.dumps(answer).encode())
    proc = run_graphc(["resume", GRAPH, "--ledger", tmp_path / "l.sqlite"], env_for(router), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: `graph graph_abc: rejected`, exit 0
    assert proc.stderr == f"graphc: error: graph {GRAPH}: {said}; the graph may still be paused: {CHECK}\n"
    assert f"graph {GRAPH}: " not in proc.stdout  # no line that reads as done


def test_resume_answered_about_another_graph_is_exit_3(router, tmp_path):
    _resume_answering(router, 200, json.dumps({"status": "resumed", "graph_id": "zzz"}).encode())
    proc = run_graphc(["resume", GRAPH, "--ledger", tmp_path / "l.sqlite"], env_for(router), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: `graph graph_abc: resumed`, exit 0
    assert proc.stderr == (
        f"graphc: error: POST /v1/execution_graphs/{GRAPH}/resume: the router's answer is not the documented shape: "
        f"it is about another graph (graph_id is 'zzz'); whether graph {GRAPH} was resumed is unknown: {CHECK}\n"
    )


@pytest.mark.parametrize(
    ("body", "said"),
    [(json.dumps({"status": "active", "graph_id": GRAPH}).encode(), "active"), (b"{}", "resumed"), (b"", "resumed")],
)
def test_resume_answered_2xx_otherwise_is_done(router, tmp_path, body, said):
    _resume_answering(router, 200, body)
    proc = run_graphc(["resume", GRAPH, "--ledger", tmp_path / "l.sqlite"], env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.endswith(f"graph {GRAPH}: {said}\n"), proc.stdout


# -- 3: numbers beyond the wire's 64-bit range ------------------------------------------------------------------------

HUGE = 123456789012345678901234567890  # the audit's avg_fill_price_1e9


def _raw(router, body: bytes) -> None:
    router.script = lambda h: h.answer(200, body)


@pytest.mark.parametrize("key", ["avg_fill_price_1e9", "target_qty_1e8", "filled_qty_1e8", "fill_count"])
@pytest.mark.parametrize("args", [[], ["--json"], ["--watch", "--interval", "0.05"]])
def test_a_status_number_beyond_int64_is_not_the_documented_shape(router, tmp_path, key, args):
    node = {**_node("filled", 100, 100), key: HUGE}
    graph = {"graph_id": GRAPH, "status": "completed", "nodes": {"a": node}, "edges": {}}
    _raw(router, json.dumps(graph).encode())
    proc = run_graphc(["status", GRAPH, *args], env_for(router), tmp_path)
    assert proc.returncode == 3, (
        proc.stdout + proc.stderr
    )  # before the fix: exit 0, `avg 123456789012345678901.2345679`
    assert proc.stdout == ""
    assert proc.stderr == (
        f"graphc: error: GET /v1/execution_graphs/{GRAPH}: the router's answer is not the documented shape: "
        f"nodes.a.{key} is {HUGE}, beyond the wire's signed 64-bit range\n"
    ), proc.stderr


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_a_status_number_below_int64_is_refused_too(router, tmp_path, args):
    body = json.dumps({"graph_id": GRAPH, "status": "active", "nodes": {"a": {"status": "executing"}}}).encode()
    _raw(router, body.replace(b'"executing"', b'"executing", "fill_count": -9223372036854775809'))
    proc = run_graphc(["status", GRAPH, *args], env_for(router), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "nodes.a.fill_count is -9223372036854775809, beyond the wire's signed 64-bit range" in proc.stderr


@pytest.mark.parametrize("args", [[], ["--json"]])
def test_the_largest_int64_is_shown_to_its_last_digit_in_both_outputs(router, tmp_path, args):
    node = {**_node("filled", 100, 100), "avg_fill_price_1e9": 9223372036854775807}
    graph = {"graph_id": GRAPH, "status": "completed", "nodes": {"a": node}, "edges": {}}
    _raw(router, json.dumps(graph).encode())
    proc = run_graphc(["status", GRAPH, *args], env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    said = '"avg_fill_price_1e9": 9223372036854775807' if args else "avg 9223372036.854775807  filled (1 fill)"
    assert said in proc.stdout, proc.stdout


@pytest.mark.parametrize(
    ("value", "scale", "text"),
    [
        (HUGE, 9, "123456789012345678901.23456789"),  # before the fix: 123456789012345678901.2345679
        (10**40 + 1, 8, "100000000000000000000000000000000.00000001"),
        (20_000_000_000, 8, "200"),
        (2_325_530_000_000, 9, "2325.53"),
        (1, 8, "0.00000001"),
        (0, 8, "0"),
    ],
)
def test_progress_numbers_are_scaled_exactly(value, scale, text):
    assert _scaled(value, scale) == text
