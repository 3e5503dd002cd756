"""How `graphc submit` words and records the outcomes the audit found misreported (notes/audit/submit16.md, finding
5), end to end: the real CLI as separate processes against `graphc sandbox serve --ignore-idempotency-key` (the
reference router's behaviour) over real HTTP, its answers and delays set through `/_sandbox/faults`.

- a: a 2xx answer whose body says `"status": "failed"` (a graph status of the reference) is not a success.
"""

from __future__ import annotations

import json

import pytest
from sandbox_fixture import cli_env, run_graphc

from tests.test_run import named, run, write

ORDER = {"symbol": "ETH-USD", "side": "buy", "qty": 0.2, "price": 2000}
FAILED = {"graph_id": "graph_rejected1", "status": "failed", "error": {"code": "venue_rejected", "message": "no funds"}}
ANSWER_FAILED = [
    {"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": 200, "body": json.dumps(FAILED)}
]
DAILY = """\
graphc: 1
name: daily
schedule: {cron: "0 14 * * *"}
legs: {a: {buy: 0.001, symbol: BTC-USD, venue: coinbase, limit: 97000}}
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "o8.json").write_text(json.dumps(ORDER))
    return root


def ledger_rows(env, cwd) -> list[dict]:
    listed = run_graphc(["ledger", "--json"], env, cwd)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


# -- a: "status": "failed" in a 2xx answer ------------------------------------------------------------------------


def test_a_2xx_answer_saying_the_graph_failed_is_reported_and_recorded_as_failed(reference_router, project):
    """It printed `submitted o8 as graph graph_rejected1`, exited 0 and recorded a plain `confirmed`."""
    env = cli_env(reference_router)
    reference_router.set_faults(ANSWER_FAILED)
    first = run_graphc(["submit", "o8.json"], env, project)
    assert first.returncode == 1 and "submitted" not in first.stdout, first.stdout + first.stderr
    assert "graphc: error: the router created graph graph_rejected1 for run 'graph@" in first.stderr, first.stderr
    assert "but reports it failed: venue_rejected: no funds. It is recorded (ledger run 1)" in first.stderr
    assert "graphc status graph_rejected1" in first.stderr
    (row,) = ledger_rows(env, project)
    assert (row["state"], row["graph_id"]) == ("confirmed", "graph_rejected1")  # the graph exists at the router
    assert row["error"] == "the router created the graph but reports it failed: venue_rejected: no funds"
    said = "the router reported graph graph_rejected1 failed when it created it: venue_rejected: no funds"
    assert row["warnings"] == [said]
    again = run_graphc(["submit", "o8.json"], env, project)  # the run has its graph: a duplicate, and why it matters
    assert again.returncode == 2 and "already submitted as graph graph_rejected1" in again.stderr, again.stderr
    assert f"graphc: warning: {said}" in again.stderr
    assert len(reference_router.requests("POST", "/v1/orders")) == 1


def test_run_once_reports_a_graph_the_router_says_failed_with_a_warning_and_exit_1(reference_router, tmp_path):
    playbook = write(tmp_path, DAILY, "daily.yaml")
    reference_router.set_faults(ANSWER_FAILED)
    at = ("--once", "--now", "2026-05-01T14:05:00Z")
    code, log, err = run(reference_router, playbook, *at)
    (submitted,) = named(log, "submitted")
    said = "the router reported graph graph_rejected1 failed when it created it: venue_rejected: no funds"
    assert code == 1 and submitted["graph_id"] == "graph_rejected1" and submitted["warning"] == said, err + str(log)
    assert f"graphc: warning: {said}" in err
