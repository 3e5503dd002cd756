"""Audit findings on the ledger and submit commands (notes/audit/submit.md, findings 3-5), each reproduced
end to end: the real CLI against `graphc sandbox serve` processes over real HTTP (tests/sandbox_fixture.py).

- 3: `graphc ledger --reconcile` settles the runs of the router and key it is pointed at and lists the other
  scopes' unsettled runs with the command that reconciles them (docs/submitting.md, "Exactly once": a rehearsal
  against a sandbox never blocks the real one); it exits 3 while any run is unsettled.
- 4: timing settings above their documented maximum (docs/robustness.md, "Timing settings") are refused with
  exit 2 before anything is recorded, never an OverflowError (exit 4) that leaves an `intent` row.
- 5: smaller message and diagnosis defects.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
from sandbox_fixture import CANARY_KEY, REPO, cli_env, run_graphc

from graphc.api.ledger import Ledger
from tests.conftest import invoke

QUOTES = REPO / "examples" / "quotes.yaml"
SIMPLE = {  # the audit's wire file (lints clean)
    "nodes": [
        {
            "node_id": "a",
            "instrument": {"symbol": "BTC-USD", "type": "spot", "venue": "coinbase"},
            "side": "buy",
            "order_type": "market",
            "quantity": {"fixed": {"qty_1e8": 100000}},
            "execution": {"policy": "aggressive_chase"},
            "activation": "root",
        }
    ],
    "edges": [],
    "is_sandbox": True,
}
FAIL_500 = [{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}]  # answered 500, not applied


@pytest.fixture
def simple(tmp_path):
    path = tmp_path / "simple.json"
    path.write_text(json.dumps(SIMPLE))
    return path


def rows(ledger) -> list[tuple[int, str, str]]:
    with Ledger(ledger) as led:
        return [(r.id, r.run_key, r.state) for r in led.runs()]


# -- finding 3: reconcile across scopes -------------------------------------------------------------------


def test_reconcile_settles_this_routers_runs_and_lists_another_routers(sandbox, reference_router, simple, tmp_path):
    """The audit's reproduction: a rehearsal router and the real one both answer 500 without applying; before
    the fix, reconciling against the real router stopped (exit 2, nothing listed) at the rehearsal's run."""
    ledger = tmp_path / "ledger.sqlite"
    real, rehearsal = sandbox, reference_router
    real_env = cli_env(real, GRAPHC_LANDING_MARGIN="0.5")
    rehearsal_env = cli_env(rehearsal, GRAPHC_LANDING_MARGIN="0.5")
    for router, env, key in ((rehearsal, rehearsal_env, "rehearsal"), (real, real_env, "real")):
        router.set_faults(FAIL_500)
        sent = invoke(["submit", simple, "--run-key", key, "--ledger", ledger], env)
        assert sent.exit_code == 3 and "UNCERTAIN" in sent.output, sent.output
        router.set_faults([])
    assert rows(ledger) == [(1, "rehearsal", "uncertain"), (2, "real", "uncertain")]
    time.sleep(1.0)  # past lands_by: the 500 answer + the 0.5 s margin
    asked_before = len(rehearsal.requests())

    result = invoke(["ledger", "--reconcile", "--ledger", ledger], real_env)
    # run 2 is provably absent at the real router; run 1 is not asked about here, and it is still unsettled: exit 3
    assert result.exit_code == 3, result.output
    assert "run 2 (real) never created a graph; it may be submitted again" in result.output
    assert (
        f"run 1 (rehearsal) not reconciled here: it was submitted to {rehearsal.base_url}; reconcile it with "
        f"`SEQUENCE_API_URL={rehearsal.base_url} graphc ledger --reconcile --ledger {ledger}`"
    ) in result.output
    assert "ID  CREATED (UTC)" in result.output  # the table is listed
    assert rows(ledger) == [(1, "rehearsal", "uncertain"), (2, "real", "absent")]
    assert len(rehearsal.requests()) == asked_before  # the rehearsal router was not asked

    # the advice works, and once nothing is unsettled the command exits 0
    result = invoke(["ledger", "--reconcile", "--ledger", ledger], rehearsal_env)
    assert result.exit_code == 0, result.output
    assert "run 1 (rehearsal) never created a graph" in result.output
    assert rows(ledger) == [(1, "rehearsal", "absent"), (2, "real", "absent")]
    result = invoke(["ledger", "--reconcile", "--ledger", ledger], real_env)
    assert result.exit_code == 0 and result.output.startswith("nothing to reconcile\n"), result.output


def test_reconcile_lists_a_run_of_another_key_at_the_same_router(sandbox, simple, tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    sandbox.set_faults(FAIL_500)
    sent = invoke(["submit", simple, "--run-key", "other-key", "--ledger", ledger], cli_env(sandbox))
    assert sent.exit_code == 3, sent.output
    sandbox.set_faults([])
    with Ledger(ledger) as led:
        account = led.runs()[0].account
    result = invoke(["ledger", "--reconcile", "--ledger", ledger], cli_env(sandbox, SEQUENCE_API_KEY="seq_test_other"))
    assert result.exit_code == 3, result.output
    assert (
        f"run 1 (other-key) not reconciled here: it was submitted with another API key (account {account}); "
        f"reconcile it with `graphc ledger --reconcile --ledger {ledger}` and the key it was submitted with"
    ) in result.output
    assert rows(ledger) == [(1, "other-key", "uncertain")]


def test_reconcile_exits_3_while_a_run_of_this_router_stays_uncertain(sandbox, simple, tmp_path):
    """Before lands_by the run cannot be settled: it must not read as settled (exit 0)."""
    ledger = tmp_path / "ledger.sqlite"
    env = cli_env(sandbox)  # the default 120 s margin: still within lands_by when reconciled
    sandbox.set_faults(FAIL_500)
    assert invoke(["submit", simple, "--run-key", "k", "--ledger", ledger], env).exit_code == 3
    sandbox.set_faults([])
    result = invoke(["ledger", "--reconcile", "--ledger", ledger], env)
    assert result.exit_code == 3 and "run 1 (k) is still uncertain" in result.output, result.output
    plain = invoke(["ledger", "--ledger", ledger], env)  # listing alone reports nothing as settled: exit 0
    assert plain.exit_code == 0 and "uncertain" in plain.output
    assert "\n  as of 20" in plain.output  # the last look's words, dated: the router may list more since


# -- finding 4: timing settings are bounded -------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ({"GRAPHC_LANDING_MARGIN": "inf"}, "GRAPHC_LANDING_MARGIN must be at most 86400 seconds (1 day); it is inf"),
        ({"GRAPHC_LANDING_MARGIN": "1e20"}, "GRAPHC_LANDING_MARGIN must be at most 86400 seconds (1 day); it is 1e+20"),
        ({"GRAPHC_LOOKBACK": "1e300"}, "GRAPHC_LOOKBACK must be at most 31622400 seconds (366 days); it is 1e+300"),
        ({"GRAPHC_LOOKBACK": "inf"}, "GRAPHC_LOOKBACK must be at most 31622400 seconds (366 days); it is inf"),
    ],
)
def test_a_timing_setting_above_its_maximum_is_refused_before_anything_is_recorded(
    sandbox, simple, tmp_path, setting, said
):
    ledger = tmp_path / "ledger.sqlite"
    result = invoke(["submit", simple, "--run-key", "m", "--ledger", ledger], cli_env(sandbox, **setting))
    assert result.exit_code == 2, result.output
    assert f"graphc: refused: {said}" in result.output
    assert "internal error" not in result.output
    assert rows(ledger) == []  # no orphan `intent` row
    assert not sandbox.requests("POST", "/v1/orders")


def test_the_maximum_itself_is_accepted(sandbox, simple, tmp_path):
    env = cli_env(sandbox, GRAPHC_LANDING_MARGIN="86400", GRAPHC_LOOKBACK="31622400")
    result = invoke(["submit", simple, "--run-key", "edge", "--ledger", tmp_path / "l.sqlite"], env)
    assert result.exit_code == 0 and "submitted simple as graph" in result.output, result.output
    result = invoke(
        ["submit", simple, "--run-key", "edge2", "--lookback", "366d", "--ledger", tmp_path / "l.sqlite"], env
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("value", ["1e300d", "367d", "31622401"])
def test_lookback_option_above_its_maximum_is_a_usage_error(sandbox, simple, tmp_path, value):
    ledger = tmp_path / "ledger.sqlite"
    result = invoke(["submit", simple, "--run-key", "x", "--lookback", value, "--ledger", ledger], cli_env(sandbox))
    assert result.exit_code == 2, result.output
    assert f"Invalid value for --lookback: '{value}' is more than the maximum, 31622400s (366d)" in result.output
    assert not (tmp_path / "ledger.sqlite").exists() or rows(ledger) == []
    assert not sandbox.requests("POST", "/v1/orders")


DCA = """\
graphc: 1
name: daily
schedule: {cron: "0 14 * * *", timezone: UTC, catch_up: 2h}
legs:
  buy: {buy: $500, symbol: BTC-USD, venue: coinbase, limit: ask + 1 tick}
"""


@pytest.mark.parametrize("value", ["1e300", "86401", "inf"])
def test_run_settle_above_a_day_is_a_usage_error(sandbox, tmp_path, value):
    playbook = tmp_path / "dca.yaml"
    playbook.write_text(DCA)
    args = ["run", playbook, "--once", "--now", "2026-01-12T14:05:00Z", "--quotes", QUOTES, "--settle", value]
    proc = run_graphc(args, cli_env(sandbox), tmp_path, timeout=60)  # before the fix, 86401 slept for a day
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Invalid value for '--settle'" in proc.stderr and "0<=x<=86400" in proc.stderr
    assert not sandbox.requests("POST", "/v1/orders")


def test_run_with_a_landing_margin_above_its_maximum_refuses_the_occurrence(sandbox, tmp_path):
    playbook = tmp_path / "dca.yaml"
    playbook.write_text(DCA)
    args = ["run", playbook, "--once", "--now", "2026-01-12T14:05:00Z", "--quotes", QUOTES]
    proc = run_graphc(args, cli_env(sandbox, GRAPHC_LANDING_MARGIN="inf"), tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    refused = [e for e in events if e["event"] == "refused"]
    assert refused and "GRAPHC_LANDING_MARGIN must be at most 86400 seconds" in refused[0]["message"], events
    assert not sandbox.requests("POST", "/v1/orders")


def test_hosted_settle_above_a_day_is_a_configuration_error(tmp_path):
    from graphc.commands.run import MAX_SETTLE_S as CLI_MAX  # the CLI's copy (kept out of --help's imports)
    from graphc.run import MAX_SETTLE_S, hosted_settings

    assert CLI_MAX == MAX_SETTLE_S == 86400
    with pytest.raises(ValueError, match="GRAPHC_SETTLE must be at most 86400 seconds"):
        hosted_settings(str(tmp_path), {"GRAPHC_PLAYBOOK": "p.yaml", "GRAPHC_SETTLE": "1e300"})


# -- finding 5: messages and diagnoses --------------------------------------------------------------------


def test_a_ledger_under_a_file_says_not_a_directory(sandbox, simple):
    result = invoke(["submit", simple, "--ledger", "/dev/null/x.sqlite"], cli_env(sandbox))
    assert result.exit_code == 2, result.output
    assert "cannot open the ledger /dev/null/x.sqlite: /dev/null is not a directory" in result.output
    assert "File exists" not in result.output


def test_a_graph_the_ledger_could_not_record_names_its_run_id(sandbox, simple, tmp_path, monkeypatch):
    """The router accepted, then the ledger stayed locked: the message gives the command with the real run id."""
    monkeypatch.setattr("graphc.api.ledger.BUSY_TIMEOUT_S", 0.3)  # not 10 s: the lock below is held for 3 s
    ledger = tmp_path / "ledger.sqlite"
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": 1.0}])
    held = threading.Event()

    def lock_once_sent():  # another process's long write, taken while the POST is in flight
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if ledger.exists() and rows(ledger) and rows(ledger)[0][2] == "sent":
                break
            time.sleep(0.02)
        db = sqlite3.connect(ledger, isolation_level=None)
        db.execute("BEGIN EXCLUSIVE")
        held.set()
        time.sleep(3)
        db.execute("ROLLBACK")
        db.close()

    locker = threading.Thread(target=lock_once_sent)
    locker.start()
    result = invoke(["submit", simple, "--run-key", "locked", "--ledger", ledger], cli_env(sandbox))
    locker.join()
    assert held.is_set()
    (graph,) = sandbox.graphs()
    assert result.exit_code == 3, result.output
    assert f"graph {graph['graph_id']} WAS CREATED for run 'locked'" in result.output
    # the commands it names read this ledger from here (`--ledger PATH`), and name the run (conc21 4, 6)
    assert f"`graphc ledger --ledger {ledger} --reconcile` records {graph['graph_id']}" in result.output
    assert f"`graphc ledger --ledger {ledger} --resolve 1 --graph-id {graph['graph_id']}`" in result.output
    assert "RUN_ID" not in result.output


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"status": "active", "nodes": [], "edges": {}}, "nodes is []"),
        ({"status": "active", "nodes": {"a": {"status": "pending"}}, "edges": []}, "edges is []"),
        ({"status": "active", "edges": {}}, "it has no nodes"),
        (
            {"graph_id": "graph_OTHER", "status": "completed", "nodes": {"a": {"status": "filled"}}, "edges": {}},
            "it is about another graph (graph_id is 'graph_OTHER')",
        ),
    ],
)
@pytest.mark.parametrize("watch", [False, True])
def test_status_refuses_an_answer_without_nodes_or_about_another_graph(sandbox, body, said, watch):
    """Before the fix these printed `graph graph_x: active` (or graph_OTHER's `completed`) and exited 0;
    `--watch` polled an empty graph for ever."""
    path = "/v1/execution_graphs/graph_x"
    sandbox.set_faults(
        [{"method": "GET", "path_prefix": path, "kind": "status", "status": 200, "body": json.dumps(body)}]
    )
    result = invoke(["status", "graph_x", *(["--watch", "--timeout", "5s"] if watch else [])], cli_env(sandbox))
    assert result.exit_code == 3, result.output
    assert f"GET {path}: the router's answer is not the documented shape: {said}" in result.output


def test_an_echoed_bearer_token_keeps_the_closing_parenthesis(sandbox, simple, tmp_path):
    body = f"oops Bearer {CANARY_KEY}"
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": 500, "body": body}])
    result = invoke(["submit", simple, "--ledger", tmp_path / "l.sqlite"], cli_env(sandbox))
    assert result.exit_code == 3 and "UNCERTAIN" in result.output, result.output
    assert CANARY_KEY not in result.output
    assert "HTTP 500 Internal Server Error (oops Bearer [REDACTED]); that is not a refusal" in result.output
