"""Exactly once against a router without idempotency keys (issue 15, items 1-5).

Every test runs `graphc submit` against `graphc sandbox serve --ignore-idempotency-key`
(a separate process, real HTTP), like the reference router: no replay, no key
listed. The slow-request and deep-scan tests also run against one that lists
the Idempotency-Key it received without replaying it (what a reconciler must
not mistake for proof). Each test reproduces a path that created a second
graph (or crashed) and asserts that one run now makes exactly one graph.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sandbox_fixture import REPO, cli_env, posts, run_graphc, start_graphc, submitted_graphs, wait_for

from graphc.api.client import Client
from graphc.api.ledger import Ledger
from graphc.api.runtag import run_tag
from graphc.cli import cli

HEDGE = REPO / "examples" / "eth-hedge.yaml"
QUOTES = REPO / "examples" / "quotes.yaml"
SLOW_POST = {"method": "POST", "path_prefix": "/v1/orders", "kind": "slow"}


@pytest.fixture
def router(reference_router):
    """The reference router: no replay, no key listed."""
    return reference_router


@pytest.fixture(params=["reference", "lists-keys-without-replay"])
def either_router(request, reference_server):
    """Items 1 and 2 failed worst against a router that lists the keys it received but does not replay them:
    the old reconciler took "no key listed" for "never created". graphc now ignores listed keys, so both
    flavours must end the same way."""
    reference_server.reset()
    if request.param != "reference":
        reference_server.configure(expose_idempotency_keys=True)
    return reference_server


@pytest.fixture
def project(tmp_path):
    """A project (`.git` marks its root) holding the hedge example and its quotes: its ledger is its own."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    for source in (HEDGE, QUOTES):
        (root / source.name).write_text(source.read_text())
    return root


@pytest.fixture
def fast_client(monkeypatch):
    """The CLI's client with a 0.25 s read timeout: a `slow` POST becomes an unknown outcome."""
    real = Client.from_env.__func__

    def from_env(cls, env=None, **kw):
        return real(cls, env, **{"timeout": 0.25, "backoff_factor": 0.005, "max_retry_wait": 0.05, **kw})

    monkeypatch.setattr(Client, "from_env", classmethod(from_env))


def invoke(router, args, **env):
    """`graphc ARGS` in this process (real HTTP to the sandbox process)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], env=cli_env(router, **env))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output, result.output
    return result


# -- 1. a request that may still land is not "absent" -------------------------------


def test_slow_post_then_an_immediate_and_a_late_rerun_make_one_graph(either_router, tmp_path, fast_client):
    ledger = tmp_path / "ledger.sqlite"
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "nightly", "--ledger", ledger]
    margin = {"GRAPHC_LANDING_MARGIN": "4"}  # a request lands within 4 s of the client giving up, or never
    either_router.set_faults([{**SLOW_POST, "delay": 3.0}])
    started = time.monotonic()
    first = invoke(either_router, args, **margin)  # gives up after 0.25 s; the router applies it at 3 s
    assert first.exit_code == 3 and "UNCERTAIN" in first.output, first.output
    either_router.set_faults([])
    second = invoke(either_router, args, **margin)  # at once: the first request has not landed yet
    assert second.exit_code == 3 and "may still reach the router" in second.output, second.output
    assert posts(either_router) == 1
    wait_for(lambda: len(submitted_graphs(either_router)) == 1)
    time.sleep(max(0.0, started + 5.0 - time.monotonic()))  # past its deadline and the landing margin
    third = invoke(either_router, args, **margin)
    (graph,) = submitted_graphs(either_router)
    assert third.exit_code == 2 and f"already submitted as graph {graph['graph_id']}" in third.output, third.output
    assert posts(either_router) == 1


def test_ctrl_c_mid_post_then_reruns_make_one_graph(router, project):
    env = cli_env(router, GRAPHC_LANDING_MARGIN="3")
    args = [
        sys.executable,
        "-m",
        "graphc",
        "submit",
        str(project / "eth-hedge.yaml"),
        "--quotes",
        str(project / "quotes.yaml"),
        "--run-key",
        "k",
    ]
    router.set_faults([{**SLOW_POST, "delay": 1.5}])
    proc = subprocess.Popen(args, env=env, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: posts(router) == 1)
    except AssertionError:
        proc.kill()
        raise AssertionError((proc.communicate(), router.requests())) from None
    interrupted = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "uncertain" in err and "Traceback" not in err, err
    router.set_faults([])
    second = run_graphc(args[3:], env, project)
    assert second.returncode in (2, 3) and posts(router) == 1, second.stderr
    wait_for(lambda: len(submitted_graphs(router)) == 1)
    time.sleep(max(0.0, interrupted + 3.5 - time.monotonic()))
    third = run_graphc(args[3:], env, project)
    (graph,) = submitted_graphs(router)
    assert third.returncode == 2 and f"already submitted as graph {graph['graph_id']}" in third.stderr, third.stderr
    assert posts(router) == 1


# -- 2. a scan that stops early proves nothing ----------------------------------------


def test_an_uncertain_run_is_found_behind_2000_newer_orders(either_router, tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "deep", "--ledger", ledger]
    either_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    assert invoke(either_router, args).exit_code == 3
    either_router.set_faults([])
    either_router.control("POST", "/seed_orders", {"count": 2100})
    (graph,) = submitted_graphs(either_router)
    reconciled = invoke(either_router, ["ledger", "--reconcile", "--ledger", ledger])
    assert reconciled.exit_code == 0 and f"created graph {graph['graph_id']}" in reconciled.output, reconciled.output
    again = invoke(either_router, args)
    assert again.exit_code == 2 and f"already submitted as graph {graph['graph_id']}" in again.output
    assert posts(either_router) == 1 and len(submitted_graphs(either_router)) == 1


# -- 3. a run is its content, at one router, in one project's ledger ------------------------


def test_the_same_bytes_under_two_file_names_are_one_run(router, project):
    env = cli_env(router)
    compiled = run_graphc(["compile", project / "eth-hedge.yaml", "--quotes", project / "quotes.yaml"], env, project)
    assert compiled.returncode == 0, compiled.stderr
    for name in ("order-a.json", "order-b.json"):
        (project / name).write_text(compiled.stdout)
    first = run_graphc(["submit", "order-a.json"], env, project)
    assert first.returncode == 0, first.stderr
    second = run_graphc(["submit", "order-b.json"], env, project)
    assert second.returncode == 2 and "already submitted" in second.stderr, second.stderr
    assert posts(router) == 1


def test_the_ledger_is_the_playbooks_project_not_the_working_directory(router, project, tmp_path):
    env = cli_env(router, GRAPHC_LOOKBACK="0")  # the ledger alone must know: no look at the router first
    playbook = project / "eth-hedge.yaml"
    places = [tmp_path / "cron-a", tmp_path / "cron-b"]
    codes = []
    for cwd in places:
        cwd.mkdir()
        codes.append(run_graphc(["submit", playbook, "--quotes", project / "quotes.yaml"], env, cwd).returncode)
    assert codes == [0, 2] and posts(router) == 1
    assert (project / ".graphc" / "ledger.sqlite").exists()
    assert not any((cwd / ".graphc").exists() for cwd in places)


def test_a_rehearsal_on_another_router_does_not_block_the_real_run(router, sandbox, project):
    args = ["submit", project / "eth-hedge.yaml", "--quotes", project / "quotes.yaml", "--run-key", "dca-2026-W05"]
    rehearsal = run_graphc(args, cli_env(sandbox), project)
    assert rehearsal.returncode == 0, rehearsal.stderr
    real = run_graphc(args, cli_env(router), project)
    assert real.returncode == 0, real.stderr
    assert posts(router) == 1 and posts(sandbox) == 1


# -- 4. only a definite refusal means "not created" ----------------------------------------


@pytest.mark.parametrize("status", [303, 307, 409])
def test_a_redirect_or_conflict_answer_is_uncertain(router, tmp_path, status):
    ledger = tmp_path / "ledger.sqlite"
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", f"k{status}", "--ledger", ledger]
    router.set_faults(
        [{"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": status, "apply": True}]
    )
    first = invoke(router, args)
    assert first.exit_code == 3 and "UNCERTAIN" in first.output, first.output
    again = invoke(router, args)
    (graph,) = submitted_graphs(router)
    assert again.exit_code == 2 and f"already submitted as graph {graph['graph_id']}" in again.output, again.output
    assert posts(router) == 1


# -- 5. inputs and ledgers that crashed or forgot ----------------------------------------------


def test_a_non_ascii_run_key_works(router, tmp_path):
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "dca-Mär", "--ledger", tmp_path / "l.sqlite"]
    first = invoke(router, args)
    assert first.exit_code == 0 and "run key dca-Mär" in first.output, first.output
    again = invoke(router, args)
    assert again.exit_code == 2 and "already submitted" in again.output, again.output
    assert posts(router) == 1


def test_a_commented_yaml_form_wire_file_is_sent_as_lint_reads_it(router, project):
    env = cli_env(router)
    text = (
        "# the reference's hedge, written as YAML with comments\n"
        "nodes:\n"
        "  - {node_id: spot, instrument: {symbol: ETH-USD, type: spot}, side: buy, order_type: market,\n"
        "     quantity: {fixed: {qty_1e8: 20000000000}}, execution: {policy: sor}, activation: root}\n"
        "  - node_id: hedge  # sells the perp\n"
        "    instrument: {symbol: ETH-USD-PERP, type: perp, venue: hyperliquid}\n"
        "    side: sell\n"
        "    order_type: market\n"
        "    quantity: {fixed: {qty_1e8: 20000000000}}\n"
        "    execution: {policy: aggressive_chase}\n"
        "    activation: wait\n"
        "edges: [{edge_id: e0, from_node: spot, to_node: hedge, trigger: on_fill_ratio, condition: {fill_ratio_gte: 0.5}}]\n"
        "is_sandbox: true\n"
    )
    (project / "hedge.wire.yaml").write_text(text)
    assert run_graphc(["lint", "hedge.wire.yaml"], env, project).returncode == 0
    proc = run_graphc(["submit", "hedge.wire.yaml"], env, project)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    (graph,) = submitted_graphs(router)
    view = router.api("GET", f"/v1/execution_graphs/{graph['graph_id']}")[1]
    targets = {node_id.split(".")[0]: n["target_qty_1e8"] for node_id, n in view["nodes"].items()}
    assert targets == {"spot": 20_000_000_000, "hedge": 20_000_000_000}


def _hold_lock(path: Path, start: threading.Event, stop: threading.Event):
    db = sqlite3.connect(path, isolation_level=None)
    start.wait(30)
    db.execute("BEGIN EXCLUSIVE")
    stop.wait(40)
    db.execute("ROLLBACK")
    db.close()


def test_a_ledger_locked_during_the_post_gives_the_graph_id_not_a_traceback(router, tmp_path, monkeypatch):
    monkeypatch.setattr("graphc.api.ledger.BUSY_TIMEOUT_S", 0.5, raising=False)
    ledger = tmp_path / "ledger.sqlite"
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "locked", "--ledger", ledger]
    Ledger(ledger).close()  # the file exists
    router.set_faults([{**SLOW_POST, "delay": 2.0}])
    start, stop = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(ledger, start, stop))
    holder.start()

    def lock_once_the_post_arrives():  # not after a fixed time: a loaded machine may not have posted yet
        wait_for(lambda: posts(router) == 1)
        start.set()

    threading.Thread(target=lock_once_the_post_arrives, daemon=True).start()
    try:
        result = invoke(router, args)
    finally:
        start.set()
        stop.set()
        holder.join()
    (graph,) = submitted_graphs(router)
    assert result.exit_code == 3, result.output
    assert graph["graph_id"] in result.output and "could not be recorded" in result.output, result.output
    again = invoke(router, args)  # the run is still recognised: by its tag at the router
    assert again.exit_code == 2 and f"already submitted as graph {graph['graph_id']}" in again.output, again.output
    assert posts(router) == 1


def test_a_ledger_deleted_during_the_post_does_not_lead_to_a_second_graph(router, project):
    env = cli_env(router, GRAPHC_LOOKBACK="0")  # the ledger must remember by itself
    args = ["submit", project / "eth-hedge.yaml", "--quotes", project / "quotes.yaml", "--run-key", "deleted"]
    Ledger(project / ".graphc" / "ledger.sqlite").close()  # the ledger exists (`graphc ledger` creates none)
    ledger_dir = project / ".graphc"
    router.set_faults([{**SLOW_POST, "delay": 2.0}])
    proc = start_graphc(args, env, project)
    wait_for(lambda: posts(router) == 1)
    for path in ledger_dir.iterdir():
        if path.name.startswith("ledger.sqlite"):
            path.unlink()
    out, err = proc.communicate(timeout=60)
    (graph,) = submitted_graphs(router)
    assert graph["graph_id"] in out + err and "Traceback" not in err, (out, err)
    again = run_graphc(args, env, project)
    assert again.returncode == 2 and f"already submitted as graph {graph['graph_id']}" in again.stderr, again.stderr
    assert posts(router) == 1


GARBAGE = [
    "<html>bad gateway</html>",
    "[1, 2]",
    '{"graph_id": "g", "status": "active", "nodes": [1, 2]}',
    '{"graph_id": "g", "status": {"x": 1}, "nodes": {"a": {"filled_qty_1e8": "lots", "target_qty_1e8": []}}}',
    '{"orders": "none", "has_more": "maybe", "total": "many"}',
    '{"orders": [1, {"node_order_id": 5, "created_unix_ns": "soon"}], "has_more": false}',
]


@pytest.mark.parametrize("body", GARBAGE)
def test_garbage_answers_while_following_or_reconciling_are_diagnostics(router, tmp_path, body):
    ledger = tmp_path / "ledger.sqlite"
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    assert invoke(router, ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "g", "--ledger", ledger]).exit_code == 3
    (graph,) = submitted_graphs(router)
    router.set_faults(
        [{"method": "GET", "path_prefix": "/v1/", "kind": "status", "status": 200, "body": body, "count": 1000}]
    )
    for args in (
        ["status", graph["graph_id"]],
        ["status", graph["graph_id"], "--watch", "--timeout", "1"],
        ["status", graph["graph_id"], "--json"],
        ["ledger", "--reconcile", "--ledger", ledger],
        ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "g", "--ledger", ledger],
    ):
        result = invoke(router, args)
        assert result.exit_code in (0, 1, 2, 3), (args, result.exit_code, result.output)
        assert result.output.strip(), args
    router.set_faults([])
    assert posts(router) == 1
    assert json.loads(json.dumps(router.graphs()))  # the sandbox is still fine


def test_the_router_check_before_a_first_submission_finds_a_run_the_ledger_lost(router, project):
    """A fresh clone (CI) has no ledger: the run is recognised at the router by its tag."""
    env = cli_env(router)
    args = ["submit", project / "eth-hedge.yaml", "--quotes", project / "quotes.yaml", "--run-key", "ci-nightly"]
    assert run_graphc(args, env, project).returncode == 0
    for path in (project / ".graphc").iterdir():
        path.unlink()
    again = run_graphc(args, env, project)
    (graph,) = submitted_graphs(router)
    assert again.returncode == 2 and f"already submitted as graph {graph['graph_id']}" in again.stderr, again.stderr
    assert posts(router) == 1
    assert os.stat(project / ".graphc" / "ledger.sqlite").st_mode & 0o077 == 0  # created 0600


# -- 6. two runners (two ledgers): a refusal proves nothing about the other one; --force is its own run ---------


@pytest.mark.parametrize(
    "refusal",
    [
        {"kind": "http_429", "retry_after": 1},
        {"kind": "status", "status": 422, "body": '{"error": {"code": "invalid", "message": "no"}}'},
    ],
    ids=["429", "422"],
)
def test_a_retry_after_a_refusal_finds_the_graph_another_runner_submitted_meanwhile(router, tmp_path, refusal):
    """audit/submit.md finding 1: runner A is refused (`absent`), runner B (its own ledger: another CI runner or
    clone) submits the run, A retries. recurring.md "Two runners": "Each asks the router before it submits; the
    second finds the first's graph"; an `absent` row proves only that A's own request created nothing."""
    a, b = tmp_path / "ciA.sqlite", tmp_path / "ciB.sqlite"
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "dca-2026-W51", "--ledger"]
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "count": 1, **refusal}])
    first = invoke(router, [*args, a])
    assert first.exit_code == 3 and str(refusal.get("status", 429)) in first.output, first.output
    assert submitted_graphs(router) == []  # refused, not applied: A's row is `absent`
    runner_b = invoke(router, [*args, b])
    assert runner_b.exit_code == 0, runner_b.output
    (graph,) = submitted_graphs(router)
    retry = invoke(router, [*args, a])
    assert retry.exit_code == 2 and f"already submitted as graph {graph['graph_id']}" in retry.output, retry.output
    assert posts(router) == 2 and len(submitted_graphs(router)) == 1  # A's refused POST and B's: one graph
    listing = invoke(router, ["ledger", "--ledger", a, "--json"])
    states = [(r["state"], r["graph_id"]) for r in json.loads(listing.output)]
    assert states == [("absent", None), ("confirmed", graph["graph_id"])], states


def _ledger_rows(path) -> list[dict]:
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT id, run_key, tag, state, graph_id FROM runs ORDER BY id")]


def test_a_forced_run_from_another_ledger_that_failed_is_not_confirmed_by_the_first_runs_graph(router, tmp_path):
    """audit/submit.md finding 2 (a): machine A submitted the run; machine B (a fresh ledger) forces it, and
    its POST is answered 500 without being applied. Before, B's forced attempt carried the first run's tag,
    so reconcile "found" machine A's graph and recorded the trade that never happened as done."""
    a, b = tmp_path / "machineA.sqlite", tmp_path / "machineB.sqlite"
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "dca-2026-W49", "--ledger"]
    margin = {"GRAPHC_LANDING_MARGIN": "1"}
    first = invoke(router, [*args, a], **margin)
    assert first.exit_code == 0, first.output
    (original,) = submitted_graphs(router)
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "count": 1}])
    forced = invoke(router, [*args, b, "--force"], **margin)
    assert forced.exit_code == 3 and "UNCERTAIN" in forced.output, forced.output
    assert len(submitted_graphs(router)) == 1  # the 500 was not applied: the forced trade did not happen
    time.sleep(1.5)  # past lands_by (the socket closed before `forced` returned, + the 1 s margin)
    reconciled = invoke(router, ["ledger", "--reconcile", "--ledger", b], **margin)
    assert reconciled.exit_code == 0, reconciled.output
    assert original["graph_id"] not in reconciled.output and "never created a graph" in reconciled.output
    (row,) = _ledger_rows(b)
    assert (row["state"], row["graph_id"]) == ("absent", None)
    assert row["tag"] != run_tag("dca-2026-W49") and row["tag"] in forced.output  # a tag of its own
    again = invoke(router, [*args, b, "--force"], **margin)  # proven absent: forcing it again trades, once
    assert again.exit_code == 0, again.output
    assert len(submitted_graphs(router)) == 2 and original["graph_id"] not in again.output


# -- 7. an unsettled attempt blocks its run key in every scope (audit submit16 1) -------------------------------

ORDER = {"symbol": "ETH-USD", "side": "buy", "qty": 0.125, "price": 2000}


@pytest.fixture
def order(project):
    (project / "order.json").write_text(json.dumps(ORDER))
    return "order.json"


def _submitting(args, env, cwd) -> subprocess.Popen:
    return start_graphc(args, env, cwd)


def test_an_uncertain_run_blocks_a_retry_under_another_spelling_of_the_routers_url(router, project, order):
    """The audit's reproduction: a run left uncertain at http://127.0.0.1:P was sent again through
    http://localhost:P (another scope, the same router and account): two graphs, exit 0, no warning."""
    router.set_faults([{**SLOW_POST, "delay": 5.0}])
    first = _submitting(["submit", order], cli_env(router), project)
    wait_for(lambda: posts(router) == 1)
    first.send_signal(signal.SIGINT)  # Ctrl-C mid-request: recorded uncertain, the request still lands
    _, err = first.communicate(timeout=30)
    assert first.returncode == 130 and "uncertain" in err, err
    localhost = cli_env(router, SEQUENCE_API_URL=router.base_url.replace("127.0.0.1", "localhost"))
    retry = run_graphc(["submit", order], localhost, project)
    assert retry.returncode == 3, retry.stderr
    assert "has an unresolved attempt (ledger run 1): state uncertain" in retry.stderr, retry.stderr
    assert "its request may still reach the router until" in retry.stderr
    assert (
        f"it was submitted to {router.base_url}; reconcile it with `SEQUENCE_API_URL={router.base_url} graphc "
        "ledger --reconcile` (with this API key)"
    ) in retry.stderr
    assert posts(router) == 1
    wait_for(lambda: len(submitted_graphs(router)) == 1)
    (graph,) = submitted_graphs(router)
    landed = run_graphc(["submit", order], localhost, project)  # it landed: found at the router by its tag
    assert landed.returncode == 2 and f"already submitted as graph {graph['graph_id']}" in landed.stderr
    assert posts(router) == 1 and len(submitted_graphs(router)) == 1


def test_a_run_in_flight_blocks_a_retry_with_a_second_key_of_the_account(router, project, order):
    """The audit's second reproduction: a cron key's request in flight, and a person's key of the same account."""
    router.set_faults([{**SLOW_POST, "delay": 5.0}])
    cron = _submitting(["submit", order], cli_env(router, SEQUENCE_API_KEY="key-cron-A"), project)
    wait_for(lambda: posts(router) == 1)
    person = run_graphc(["submit", order], cli_env(router, SEQUENCE_API_KEY="key-human-B"), project)
    assert person.returncode == 3, person.stderr
    assert "has an unresolved attempt (ledger run 1): state sent" in person.stderr, person.stderr
    assert "submitted with another API key (account key:" in person.stderr
    assert "its request may still reach the router until" in person.stderr
    assert "key-cron-A" not in person.stderr  # the fingerprint, never the key
    out, err = cron.communicate(timeout=60)
    assert cron.returncode == 0 and "submitted order as graph" in out, err
    assert posts(router) == 1 and len(submitted_graphs(router)) == 1
