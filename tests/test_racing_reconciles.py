"""Several graphc settling one unsettled run at once (audit ledger26 2): cron or CI jobs, or `graphc ledger
--reconcile` beside a `submit`, all start after an `uncertain` attempt's landing time.

Each one reconciles the row. The first records it `absent` and sends the run; the others failed with an internal
state error (`run N is absent; cannot mark it absent`, exit 2), `graphc run` logged a false `uncertain` ("may have
created a graph"), and a loser whose look ran after the winner's graph landed relabelled the attempt proved absent
`confirmed` with the winner's graph. Each state change is a compare-and-set now: a loser takes the row as the winner
left it, and says what the winner's outcome warrants.

Five real CLI processes at once against `graphc sandbox serve --ignore-idempotency-key` (a separate process, real
HTTP), its `slow` fault on the order list widening the race; the assertions are on outcomes only.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sandbox_fixture import CANARY_KEY, cli_env, run_graphc, start_graphc, submitted_graphs

from graphc.api.client import Client
from graphc.api.ledger import Ledger

PLAYBOOK = (
    "graphc: 1\nname: {name}\n{schedule}risk:\n  max_notional: $20k\n"
    "legs:\n  a: {{buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}}\n"
)
FAIL_POST = {"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "count": 1}
SLOW_LIST = {"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": 0.5, "count": 10}
NOW = ("--now", "2026-01-12T14:05:00Z")


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "once.yaml").write_text(PLAYBOOK.format(name="once", schedule=""))
    schedule = 'schedule: {cron: "*/5 * * * *", timezone: UTC, catch_up: 10m}\n'
    (root / "every.yaml").write_text(PLAYBOOK.format(name="every", schedule=schedule))
    return root


def _past_landing(project) -> None:
    """The uncertain attempt as it reads once its landing time has passed (without waiting for it): a `lands_by`
    long gone, recorded on another boot (or machine), so only the wall clock compares."""
    db = sqlite3.connect(project / ".graphc" / "ledger.sqlite", isolation_level=None)
    columns = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
    extra = ", boot_id = 'another-boot'" if "boot_id" in columns else ""
    db.execute(f"UPDATE runs SET lands_by_ns = 1{extra} WHERE state = 'uncertain'")
    db.close()


def _race(router, project, args) -> list[tuple[int, str, str]]:
    env = cli_env(router)
    router.set_faults([SLOW_LIST])
    procs = [start_graphc(args, env, project) for _ in range(5)]
    said = [p.communicate(timeout=120) for p in procs]
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, said, strict=True)]


def _rows(router, project) -> list[dict]:
    return json.loads(run_graphc(["ledger", "--json"], cli_env(router), project).stdout)


def _one_graph_and_the_absent_attempt_kept(router, project) -> str:
    (graph,) = submitted_graphs(router)
    rows = _rows(router, project)
    assert rows[0]["state"] == "absent" and rows[0]["graph_id"] is None, rows[0]  # never relabelled
    assert [r["graph_id"] for r in rows if r["graph_id"]] == [graph["graph_id"]], rows
    return graph["graph_id"]


def test_racing_submits_after_an_uncertain_attempt_send_it_once_and_the_losers_say_why(btc_router, project):
    env = cli_env(btc_router)
    btc_router.set_faults([FAIL_POST])
    first = run_graphc(["submit", "once.yaml"], env, project)
    assert first.returncode == 3 and "UNCERTAIN" in first.stderr, first.stderr
    _past_landing(project)
    outcomes = _race(btc_router, project, ["submit", "once.yaml"])
    graph_id = _one_graph_and_the_absent_attempt_kept(btc_router, project)
    said = "\n".join(out + err for _, out, err in outcomes)
    assert "cannot mark" not in said and "internal error" not in said, said
    assert sorted(code for code, _, _ in outcomes).count(0) == 1, outcomes
    for code, out, err in outcomes:
        if code == 0:
            assert f"as graph {graph_id}" in out, out
        elif code == 2:
            assert f"already submitted as graph {graph_id}" in err, err
        else:
            assert code == 3 and "another graphc" in err and "nothing was sent" in err, (code, err)


def test_racing_runners_after_an_uncertain_occurrence_send_it_once_and_log_no_false_uncertain(btc_router, project):
    env = cli_env(btc_router)
    args = ["run", "every.yaml", "--once", "--settle", "0", *NOW]
    btc_router.set_faults([FAIL_POST])
    first = run_graphc(args, env, project)
    assert first.returncode == 3 and '"event": "uncertain"' in first.stdout, first.stdout + first.stderr
    _past_landing(project)
    outcomes = _race(btc_router, project, args)
    graph_id = _one_graph_and_the_absent_attempt_kept(btc_router, project)
    said = "\n".join(out + err for _, out, err in outcomes)
    assert "cannot mark" not in said and "internal error" not in said, said
    events = [json.loads(line) for _, out, _ in outcomes for line in out.splitlines() if line.startswith("{")]
    occurrences = [e for e in events if e["event"] in ("submitted", "already", "uncertain", "failed")]
    assert len(occurrences) == 5, events
    assert [e["event"] for e in occurrences].count("submitted") == 1, occurrences
    for event in occurrences:
        if event["event"] in ("submitted", "already"):
            assert event["graph_id"] == graph_id, event
        else:  # another runner's attempt in flight: named as such, never "may have created a graph"
            assert event["event"] == "uncertain" and "another graphc" in event["message"], event
            assert "The request of run" not in event["message"], event["message"]


class _Raced(Client):
    """A client whose first read of the order list lets ``winner`` act first: another graphc settling the row (and,
    with ``resubmit``, sending the run again) while this one's look at the router is under way."""

    def __init__(self, *args, winner, **kw):
        super().__init__(*args, **kw)
        self.winner, self.raced = winner, False

    def list_orders(self, *args, **kw):
        if not self.raced:
            self.raced = True
            self.winner()
        return super().list_orders(*args, **kw)


def _uncertain_once(router, project) -> Path:
    router.set_faults([FAIL_POST])
    first = run_graphc(["submit", "once.yaml"], cli_env(router), project)
    assert first.returncode == 3, first.stderr
    _past_landing(project)
    return project / ".graphc" / "ledger.sqlite"


def test_a_reconcile_that_loses_the_race_takes_the_row_as_the_winner_left_it(btc_router, project):
    path = _uncertain_once(btc_router, project)

    def winner():
        with Ledger(path) as other:
            other.record_absent(1, "proved absent by another graphc")

    with Ledger(path) as ledger, _Raced(btc_router.base_url, CANARY_KEY, winner=winner) as client:
        result = ledger.reconcile(1, client)
        assert result.found is False, result.message
        assert "was settled by another graphc meanwhile: it is absent" in result.message, result.message
        assert [e["state"] for e in ledger.events(1)] == ["intent", "sent", "uncertain", "absent"]


def test_an_attempt_proved_absent_is_never_relabelled_with_the_graph_another_attempt_created(btc_router, project):
    """The winner proves the row absent and sends the run again (ledger run 2, graph G) while the loser's look runs;
    the loser's look then finds G, which carries the run's tag: G stays run 2's, and run 1 stays absent."""
    path = _uncertain_once(btc_router, project)

    def winner():
        with Ledger(path) as other:
            other.record_absent(1, "proved absent by another graphc")
        sent = run_graphc(["submit", "once.yaml"], cli_env(btc_router), project)
        assert sent.returncode == 0, sent.stderr

    with Ledger(path) as ledger, _Raced(btc_router.base_url, CANARY_KEY, winner=winner) as client:
        result = ledger.reconcile(1, client)
        (graph,) = submitted_graphs(btc_router)
        assert result.found is False and "settled by another graphc meanwhile" in result.message, result.message
        first, second = ledger.runs()
        assert (first.state, first.graph_id) == ("absent", None)
        assert (second.state, second.graph_id) == ("confirmed", graph["graph_id"])
        assert first.warnings == () and second.warnings == ()
