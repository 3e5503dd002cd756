"""What graphc does with the router's answers after a submit (notes/audit/follow17.md), each finding reproduced over
real HTTP: `graphc sandbox serve` with its `/_sandbox/faults` rules, or, where the sandbox cannot answer that way, the
scripted router of tests/test_router_answers.py (a real HTTP server in this process, one script per test). The CLI
runs as a separate process wherever the old code hung (a hang then ends the test at its timeout, not the suite).

- 1: a graph status outside the reference's list ("Graph status values", orders-and-execution-graphs.md) is an
  answer in an undocumented shape, exit 3, naming the field and the value: never followed forever (`status`,
  `status --watch`, `submit --watch`); the same for a strategy status `strategy logs --follow` does not know.
- 2: the POST's answer with a graph id and a status: `cancelled` (or `paused`) is no success (exit 1, the error and
  a warning on the ledger row), as `failed` is; a status outside the reference's list keeps the graph id and is
  exit 3 (the answer is undocumented); `active` and `completed` are success. The same for `run --once`.
- 3: `cancel` answered 2xx with a status saying the opposite (`rejected`, `failed`, `error`: the rule amend
  uses), or about another graph, is exit 3; `amend` answered 2xx with a body that is not JSON is done. `failed`
  is also a graph status (audit amend25 3): the graph is read back, and one that ended (completed, failed,
  cancelled) has nothing left to cancel, exit 0; so has one read back ended after every DELETE answer was lost.
- 4: `strategy logs --follow` reads the logs once more after it sees `stopped` (the lines written between its last
  read and the exit, often the crash line); a strategy deleted while followed (404) ends it with a note, exit 0.
- 5: a node id a URL normaliser would collapse (`.`, `..`) is refused (exit 2, nothing sent); any other node id,
  dots and all, is PATCHed at its own path.
- 6: the wait a retry announces is the wait it sleeps: each announced number is checked against the waits the
  retry recorded as it slept them (`Client.retry_waits`), not against a clock.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
from urllib.parse import quote

import pytest
from sandbox_fixture import _pythonpath, cli_env, ledger_rows, run_graphc
from test_router_answers import KEY, scripted_router
from test_run import named, write
from test_run import run as run_once

from graphc.api.client import Client

GRAPH = "graph_abc"


@pytest.fixture
def router():
    with scripted_router() as server:
        yield server


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


# -- 2: the status of the POST's answer -----------------------------------------------------------------------------

ORDER = {"symbol": "ETH-USD", "side": "buy", "qty": 0.2, "price": 2000}
NO_FUNDS = {"code": "venue_rejected", "message": "no funds"}


def _post_answer(status, **extra) -> list[dict]:
    body = json.dumps({"graph_id": "graph_made1", "status": status, **extra})
    return [{"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": 200, "body": body}]


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "o8.json").write_text(json.dumps(ORDER))
    return tmp_path


def test_a_graph_the_router_reports_cancelled_when_it_creates_it_is_exit_1_and_kept_with_its_error(
    reference_router, project
):
    env = cli_env(reference_router)
    reference_router.set_faults(_post_answer("cancelled", error=NO_FUNDS))
    first = graphc(["submit", "o8.json"], env, project)
    assert first.returncode == 1 and "submitted" not in first.stdout, first.stdout + first.stderr  # before: exit 0
    assert "the router created graph graph_made1 for run 'graph@" in first.stderr, first.stderr
    assert "but reports it cancelled: venue_rejected: no funds. It is recorded (ledger run 1)" in first.stderr
    assert "graphc status graph_made1" in first.stderr
    (row,) = ledger_rows(env, project)
    assert (row["state"], row["graph_id"]) == ("confirmed", "graph_made1")
    assert row["error"] == "the router created the graph but reports it cancelled: venue_rejected: no funds"
    said = "the router reported graph graph_made1 cancelled when it created it: venue_rejected: no funds"
    assert row["warnings"] == [said]
    again = graphc(["submit", "o8.json"], env, project)  # the run has its graph: a duplicate, and why it matters
    assert again.returncode == 2 and f"graphc: warning: {said}" in again.stderr, again.stderr


def test_a_graph_created_paused_is_exit_1_with_the_resume_command(reference_router, project):
    env = cli_env(reference_router)
    reference_router.set_faults(_post_answer("paused"))
    proc = graphc(["submit", "o8.json"], env, project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "but reports it paused: the answer gives no reason; resume it with `graphc resume graph_made1`" in (
        proc.stderr
    ), proc.stderr
    (row,) = ledger_rows(env, project)
    assert (row["state"], row["graph_id"]) == ("confirmed", "graph_made1") and row["warnings"], row


@pytest.mark.parametrize("status", ["rejected", "COMPLETED", 3, None])
def test_an_undocumented_status_keeps_the_graph_id_and_is_exit_3(reference_router, project, status):
    env = cli_env(reference_router)
    reference_router.set_faults(_post_answer(status, error=NO_FUNDS))
    proc = graphc(["submit", "o8.json"], env, project)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: exit 0, "submitted"
    said = "the router created graph graph_made1 for run 'graph@"
    assert said in proc.stderr and f"its answer's status {status!r} is none of the reference's graph statuses" in (
        proc.stderr
    ), proc.stderr
    assert "look at it with `graphc status graph_made1`" in proc.stderr
    (row,) = ledger_rows(env, project)
    assert (row["state"], row["graph_id"]) == ("confirmed", "graph_made1")  # the graph id is never lost
    assert row["error"].startswith(f"the router created the graph but its answer's status {status!r} is undocumented")
    assert row["warnings"] and "graph_made1" in row["warnings"][0]


@pytest.mark.parametrize("status", ["active", "completed"])
def test_active_and_completed_are_success(reference_router, project, status):
    env = cli_env(reference_router)
    reference_router.set_faults(_post_answer(status))
    proc = graphc(["submit", "o8.json"], env, project)
    assert proc.returncode == 0 and "submitted o8 as graph graph_made1" in proc.stdout, proc.stderr
    (row,) = ledger_rows(env, project)
    assert (row["state"], row["error"], row["warnings"]) == ("confirmed", None, [])


def test_an_answer_without_a_status_is_still_success(reference_router, project):
    env = cli_env(reference_router)
    body = json.dumps({"graph_id": "graph_made1"})
    reference_router.set_faults(
        [{"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": 200, "body": body}]
    )
    proc = graphc(["submit", "o8.json"], env, project)
    assert proc.returncode == 0 and "submitted o8 as graph graph_made1" in proc.stdout, proc.stderr


DAILY = """\
graphc: 1
name: daily
schedule: {cron: "0 14 * * *"}
legs: {a: {buy: 0.001, symbol: BTC-USD, venue: coinbase, limit: 97000}}
"""
AT = ("--once", "--now", "2026-05-01T14:05:00Z")


@pytest.mark.parametrize(
    ("status", "code", "said"),
    [
        (
            "cancelled",
            1,
            "the router reported graph graph_made1 cancelled when it created it: venue_rejected: no funds",
        ),
        ("rejected", 3, "the router reported graph graph_made1 with the status 'rejected', none of the reference's"),
    ],
)
def test_run_once_reports_a_graph_created_cancelled_or_with_an_undocumented_status(
    reference_router, tmp_path, status, code, said
):
    playbook = write(tmp_path, DAILY, "daily.yaml")
    reference_router.set_faults(_post_answer(status, error=NO_FUNDS))
    rc, log, err = run_once(reference_router, playbook, *AT)
    (submitted,) = named(log, "submitted")
    assert rc == code and submitted["graph_id"] == "graph_made1", err + str(log)  # before the fix: exit 0
    assert submitted["warning"].startswith(said), submitted


# -- 3: cancel's and amend's 2xx answers ----------------------------------------------------------------------------


def _answering(router, method: str, status: int, body: bytes, graph: dict | None = None):
    """`method` answered `status` with the raw `body`; any other request the graph's status answer."""
    shown = graph or {"graph_id": GRAPH, "status": "active", "nodes": {"a": {"status": "executing"}}}

    def script(h):
        if h.command == method:
            return h.answer(status, body)
        return h.answer(200, json.dumps(shown).encode())

    router.script = script


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (
            {"status": "rejected", "error": "graph is locked"},
            "graph graph_abc: rejected: the router refused the cancel: graph is locked",
        ),
        (  # `failed` is also a graph status: the graph is read back, and shows active (the scripted GET)
            {"status": "failed"},
            "graph graph_abc: failed: the router refused the cancel (its answer gives no reason); graphc read the "
            "graph back, and the router shows it active: the graph may still be trading",
        ),
        (
            {"graph_id": GRAPH, "status": "error", "message": "engine busy"},
            "the router refused the cancel: engine busy",
        ),
    ],
)
def test_cancel_answered_2xx_with_the_routers_no_is_exit_3(router, tmp_path, answer, said):
    _answering(router, "DELETE", 200, json.dumps(answer).encode())
    proc = graphc(["cancel", GRAPH], env_for(router), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: exit 0, printing the word
    assert said in proc.stderr and f"check it with `graphc status {GRAPH}`" in proc.stderr, proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("shown", "said"),
    [
        ("failed", f"graph {GRAPH} had already failed: nothing left to cancel\n"),
        ("completed", f"graph {GRAPH} had already completed: nothing left to cancel\n"),
        ("cancelled", f"graph {GRAPH}: cancelled, read back\n"),
    ],
)
def test_cancel_answered_failed_of_a_graph_that_ended_is_done(router, tmp_path, shown, said):
    """`"status": "failed"` names a graph status as well as a refused cancel ("Graph status values: active,
    completed, cancelled, failed, paused", orders-and-execution-graphs.md): the graph is read back, and one that
    ended has nothing left trading (audit amend25 3: "the graph may still be trading", exit 3)."""
    graph = {"graph_id": GRAPH, "status": shown, "nodes": {"a": {"status": "rejected"}}}
    _answering(router, "DELETE", 200, json.dumps({"graph_id": GRAPH, "status": "failed"}).encode(), graph)
    proc = graphc(["cancel", GRAPH], env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == said
    assert proc.stderr == (
        "graphc: note: the router answered the cancel with the status failed, which names a graph that failed as "
        f"well as a refused cancel; graphc read the graph back: the router shows it {shown}\n"
    )


def test_cancel_answered_failed_is_the_routers_no_when_the_graph_cannot_be_read_back(router, tmp_path):
    def script(h):
        if h.command == "DELETE":
            return h.answer(200, json.dumps({"status": "failed", "reason": "engine busy"}).encode())
        return h.answer(404, b'{"error": "not_found"}')

    router.script = script
    proc = graphc(["cancel", GRAPH], env_for(router), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stderr.startswith(
        f"graphc: error: graph {GRAPH}: failed: the router refused the cancel: engine busy; graphc could not read "
        "the graph back to tell a refused cancel from a graph that failed (GET"
    ), proc.stderr
    assert proc.stderr.rstrip().endswith(f"check it with `graphc status {GRAPH}` (cancelling twice is harmless)")


def test_cancel_of_a_graph_the_sandbox_failed_has_nothing_left_to_cancel(btc_router, tmp_path):
    """The audit's repro A: the local sandbox rejects the one leg, the graph fails, and its DELETE answers the graph's
    status, `failed`."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "rej.yaml").write_text(
        "graphc: 1\nname: rej-one\nlegs:\n  a: {buy: 1 REJ, symbol: REJ-USD, limit: 100}\n"
    )
    btc_router.configure(reject_symbols=["REJ-USD"])
    env = cli_env(btc_router)
    submitted = run_graphc(["submit", "rej.yaml"], env, tmp_path)
    gid = re.search(r"graph (graph_\w+)", submitted.stdout + submitted.stderr).group(1)
    btc_router.tick(1000)
    assert btc_router.api("GET", f"/v1/execution_graphs/{gid}")[1]["status"] == "failed"
    proc = run_graphc(["cancel", gid], env, tmp_path)
    # before the fix: "the router refused the cancel (its answer gives no reason); the graph may still be trading"
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"graph {gid} had already failed: nothing left to cancel\n"
    assert [r["fault"] for r in btc_router.requests("DELETE")] == [None]


@pytest.mark.parametrize("shown", ["completed", "failed"])
def test_a_cancel_whose_answers_were_lost_of_a_graph_that_ended_is_done(scripted, tmp_path, shown):
    """The audit's repro B: every DELETE answered 503; the graph reads back completed (or failed): nothing is
    trading, nothing left to cancel (it was UNCERTAIN, exit 3, "cancel it again")."""
    graph = {"graph_id": GRAPH, "status": shown, "nodes": {"a": {"status": "filled"}}}

    def script(h):
        if h.command == "DELETE":
            return h.answer(503, b'{"error": "unavailable"}')
        return h.answer(200, json.dumps(graph).encode())

    scripted.script = script
    proc = graphc(["cancel", GRAPH], env_for(scripted), tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"graph {GRAPH} had already {shown}: nothing left to cancel\n"
    assert proc.stderr.rstrip().endswith(
        f"graphc: note: DELETE /v1/execution_graphs/{GRAPH}: HTTP 503 Service Unavailable: unavailable; graphc read "
        f"the graph back: the router shows it {shown}"
    ), proc.stderr


def test_cancel_answered_about_another_graph_is_exit_3(router, tmp_path):
    _answering(router, "DELETE", 200, json.dumps({"graph_id": "graph_OTHER", "status": "cancelled"}).encode())
    proc = graphc(["cancel", GRAPH], env_for(router), tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr  # before the fix: "graph graph_abc: cancelled", exit 0
    assert "it is about another graph (graph_id is 'graph_OTHER')" in proc.stderr, proc.stderr
    assert f"whether graph {GRAPH} was cancelled is unknown: check it with `graphc status {GRAPH}`" in proc.stderr


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (json.dumps({"graph_id": GRAPH, "status": "cancelled"}).encode(), "cancelled"),
        (json.dumps({"status": "completed"}).encode(), "completed"),  # a graph that had ended: nothing trades
        (b"OK", "cancel requested"),
        (b"", "cancel requested"),
    ],
)
def test_cancel_answered_2xx_otherwise_is_done(router, tmp_path, body, said):
    _answering(router, "DELETE", 200, body)
    proc = graphc(["cancel", GRAPH], env_for(router), tmp_path)
    assert proc.returncode == 0 and proc.stdout == f"graph {GRAPH}: {said}\n", proc.stdout + proc.stderr


@pytest.mark.parametrize(("status", "body"), [(200, b"OK"), (200, b"[1, 2]"), (202, b"accepted, thanks"), (204, b"")])
def test_amend_answered_2xx_with_a_body_that_is_not_json_is_done(router, tmp_path, status, body):
    _answering(router, "PATCH", status, body)
    args = ["amend", GRAPH, "a", "--urgency", "high", "--ledger", tmp_path / "l.sqlite"]
    proc = graphc(args, env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # before the fix: "the router's answer is not JSON", exit 3
    assert proc.stdout.endswith(f"graph {GRAPH} node a: amend sent (urgency)\n"), proc.stdout


# -- 4: the end of `strategy logs --follow` -------------------------------------------------------------------------

FOLLOW = ["strategy", "logs", "dca", "--follow", "--interval", "0.2"]


def test_logs_follow_reads_the_logs_once_more_after_stopped(router, tmp_path):
    """The audit's race: 2 lines, 2 lines, then 4 (the last two written as the process exited); running, stopped."""
    asked = _strategy_router(router, ["running", "stopped"], [2, 2, 4])
    proc = graphc(FOLLOW, env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "line 0\nline 1\nline 2\nline 3\n", proc.stdout  # before the fix: the last two were lost
    assert asked == {"status": 2, "logs": 3}


def test_logs_follow_of_a_strategy_deleted_meanwhile_ends_with_a_note(router, tmp_path):
    _strategy_router(router, ["running", None], [2, 3])
    proc = graphc(FOLLOW, env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stderr  # before the fix: exit 3, "HTTP 404"
    assert proc.stdout == "line 0\nline 1\nline 2\n"
    said = "graphc: strategy dca (s-1) is gone: the router answers 404 for it (deleted, its logs with it); stopped following"
    assert proc.stderr == said + "\n", proc.stderr


def test_logs_follow_whose_logs_read_finds_the_strategy_deleted_ends_with_the_note(router, tmp_path):
    _strategy_router(router, ["running", None], [2, None])
    proc = graphc(FOLLOW, env_for(router), tmp_path)
    assert proc.returncode == 0 and proc.stdout == "line 0\nline 1\n", proc.stdout + proc.stderr
    assert "strategy dca (s-1) is gone" in proc.stderr


def test_a_logs_404_of_a_strategy_still_there_is_still_an_error(router, tmp_path):
    _strategy_router(router, ["running"], [2, None])
    proc = graphc(FOLLOW, env_for(router), tmp_path)
    assert proc.returncode == 3 and "HTTP 404" in proc.stderr, proc.stdout + proc.stderr


# -- 5: node ids that are dot segments ----------------------------------------------------------------------------


def _graph_with_node(router, node_id: str):
    graph = {"graph_id": GRAPH, "status": "active", "nodes": {node_id: {"status": "executing"}}}
    _answering(router, "PATCH", 200, b'{"status": "accepted"}', graph)


@pytest.mark.parametrize("node_id", ["..", "."])
def test_amend_of_a_dot_segment_node_id_is_refused_and_nothing_is_sent(router, tmp_path, node_id):
    _graph_with_node(router, node_id)
    args = ["amend", GRAPH, node_id, "--urgency", "high", "--ledger", tmp_path / "l.sqlite"]
    proc = graphc(args, env_for(router), tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr  # before the fix: `..` PATCHed the graph itself, exit 0
    assert f"node id {node_id!r} cannot be sent" in proc.stderr, proc.stderr
    assert [m for m, _ in router.seen] == ["GET"]  # nothing but the graph's status was asked


@pytest.mark.parametrize("node_id", ["...", "a.b", ".hidden", "..x", "%2e%2e"])
def test_amend_patches_a_dotted_node_at_its_own_path(router, tmp_path, node_id):
    _graph_with_node(router, node_id)
    args = ["amend", GRAPH, node_id, "--urgency", "high", "--ledger", tmp_path / "l.sqlite"]
    proc = graphc(args, env_for(router), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    patched = [path for method, path in router.seen if method == "PATCH"]
    assert patched == [f"/v1/execution_graphs/{GRAPH}/nodes/{quote(node_id, safe='')}"], router.seen


# -- 6: the announced retry wait ------------------------------------------------------------------------------------

ANNOUNCED = re.compile(r"retry (\d+) of 4 in (\d+\.\d) s$")


def test_the_announced_retry_wait_is_the_wait_slept(router, caplog):
    """Three 503s, a 429 with Retry-After: 1, then the answer. The old code printed one random draw of the backoff
    and slept another (4 retries announced 1.5 s in all, and took 9.46 s)."""
    answers = iter([(503, {}), (503, {}), (503, {}), (429, {"Retry-After": "1"})])

    def script(h):
        status, headers = next(answers, (200, {}))
        h.answer(status, b'{"graph_id": "graph_abc", "status": "active", "nodes": {}}', headers)

    router.script = script
    caplog.set_level(logging.WARNING, logger="graphc.api")
    with Client(router.url, KEY, retries=4, backoff_factor=0.1) as client:
        assert client.get_graph(GRAPH)["status"] == "active"
        slept = client.retry_waits
    announced = [ANNOUNCED.search(r.getMessage()) for r in caplog.records if r.name == "graphc.api"]
    assert all(announced) and [int(m.group(1)) for m in announced] == [1, 2, 3, 4], caplog.text
    assert [m.group(2) for m in announced] == [f"{wait:.1f}" for wait in slept], (caplog.text, slept)
    assert len(slept) == 4 and slept[3] == 1.0  # the server's Retry-After, exact
    assert all(0 <= wait <= 0.1 * 2**n for n, wait in enumerate(slept[:3], start=1)), slept  # full jitter, capped
