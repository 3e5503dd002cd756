"""What graphc does with the router's answers after a submit (notes/audit/follow17.md), each finding reproduced over
real HTTP: `graphc sandbox serve` with its `/_sandbox/faults` rules, or, where the sandbox cannot answer that way, the
scripted router of tests/test_router_answers.py (a real HTTP server in this process, one script per test). The CLI
runs as a separate process wherever the old code hung (a hang then ends the test at its timeout, not the suite).

- 1: a graph status outside the reference's list ("Graph status values", orders-and-execution-graphs.md) is an
  answer in an undocumented shape, exit 3, naming the field and the value: never followed forever (`status`,
  `status --watch`, `submit --watch`); the same for a strategy status `strategy logs --follow` does not know.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import ThreadingHTTPServer

import pytest
from sandbox_fixture import _pythonpath, cli_env, run_graphc
from test_router_answers import KEY, _Router

GRAPH = "graph_abc"


@pytest.fixture
def router():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Router)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def env_for(router) -> dict:
    """The CLI's environment against the scripted router (a separate process: the server's PYTHONPATH, its key)."""
    env = {**os.environ, "PYTHONPATH": _pythonpath(), "SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY}
    return {**env, "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials", "NO_COLOR": "1"}


def graphc(args, env, cwd, timeout=20) -> subprocess.CompletedProcess:
    """The CLI as its own process; the old code's endless follow ends the test here (TimeoutExpired), not the suite."""
    return run_graphc(args, env, cwd, timeout=timeout)


# -- 1: a status outside the reference's list -----------------------------------------------------------------------


def _graph_answer(status) -> list[dict]:
    body = json.dumps({"status": status, "nodes": {}})
    return [
        {
            "method": "GET",
            "path_prefix": "/v1/execution_graphs/",
            "kind": "status",
            "status": 200,
            "count": 100_000,
            "body": body,
        }
    ]


@pytest.mark.parametrize("status", ["COMPLETED", "done", "expired"])
def test_status_watch_of_an_undocumented_graph_status_is_exit_3_naming_it(sandbox, tmp_path, status):
    sandbox.set_faults(_graph_answer(status))
    proc = graphc(["status", GRAPH, "--watch", "--interval", "0.05"], cli_env(sandbox), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: polled forever
    said = f"status is {status!r}"
    assert said in proc.stderr and "active, completed, cancelled, failed, paused" in proc.stderr, proc.stderr
    assert len(sandbox.requests("GET", f"/v1/execution_graphs/{GRAPH}")) == 1  # asked once, not followed


def test_status_of_an_undocumented_graph_status_is_exit_3(sandbox, tmp_path):
    sandbox.set_faults(_graph_answer("COMPLETED"))
    proc = graphc(["status", GRAPH], cli_env(sandbox), tmp_path)
    assert proc.returncode == 3 and "status is 'COMPLETED'" in proc.stderr, proc.stdout + proc.stderr
    assert proc.stdout == ""  # no block drawn as if the status meant something


def test_a_status_that_is_not_text_is_still_named(sandbox, tmp_path):
    sandbox.set_faults(_graph_answer(7))
    proc = graphc(["status", GRAPH, "--watch", "--interval", "0.05"], cli_env(sandbox), tmp_path)
    assert proc.returncode == 3 and "status is 7" in proc.stderr, proc.stderr


def test_submit_watch_of_an_undocumented_graph_status_is_exit_3_and_says_it_was_submitted(sandbox, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "o8.json").write_text(json.dumps({"symbol": "ETH-USD", "side": "buy", "qty": 0.2, "price": 2000}))
    sandbox.set_faults(_graph_answer("COMPLETED"))
    proc = graphc(["submit", "o8.json", "--watch"], cli_env(sandbox), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: polled forever (rc 124 under timeout)
    (graph,) = [g["graph_id"] for g in sandbox.graphs() if g["wire_sha256"]]
    assert f"submitted o8 as graph {graph}" in proc.stdout
    assert f"graph {graph} was submitted, but following it failed" in proc.stderr, proc.stderr
    assert "status is 'COMPLETED'" in proc.stderr and f"graphc status {graph} --watch" in proc.stderr


STRATEGY = {"strategy_id": "s-1", "name": "dca", "status": "running", "desired_state": "running"}


def _strategy_router(router, statuses, logs):
    """GET /v1/strategies lists `dca`; the n-th GET of the strategy answers statuses[n] (then the last one again), and
    the n-th logs read logs[n] (a number of lines: line i is `line i`), then the last one again; 404 for None."""
    asked = {"status": 0, "logs": 0}

    def script(h):
        path = h.path.split("?")[0]
        if path == "/v1/strategies":
            return h.answer(200, json.dumps({"strategies": [STRATEGY]}).encode())
        which = "logs" if path.endswith("/logs") else "status"
        answers = logs if which == "logs" else statuses
        answer = answers[min(asked[which], len(answers) - 1)]
        asked[which] += 1
        if answer is None:
            return h.answer(404, b'{"error": {"code": "not_found", "message": "no strategy s-1"}}')
        if which == "logs":
            lines = [{"seq": i, "line": f"line {i}"} for i in range(answer)]
            return h.answer(200, json.dumps({"strategy_id": "s-1", "run_id": "r-1", "logs": lines}).encode())
        return h.answer(200, json.dumps({"strategy": {**STRATEGY, "status": answer}}).encode())

    router.script = script
    return asked


@pytest.mark.parametrize("status", ["exited", "completed", "RUNNING"])
def test_strategy_logs_follow_of_an_undocumented_strategy_status_is_exit_3(router, tmp_path, status):
    _strategy_router(router, [status], [2])
    proc = graphc(["strategy", "logs", "dca", "--follow", "--interval", "0.2"], env_for(router), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: followed forever
    assert proc.stdout == "line 0\nline 1\n"
    assert f"status is {status!r}" in proc.stderr and "queued, running, stopped, failed" in proc.stderr, proc.stderr
