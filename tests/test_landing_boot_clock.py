"""A request's landing time survives a wall-clock step on one machine (audit ledger26 1).

A second process decided from its wall clock that the first one's `sent` request could no longer land; with the
clock stepped forward (an NTP step, a virtual machine resumed), it proved the run absent while the request was still
on its way, and sent the run again: two graphs. A `sent` row now records its boot (the kernel's boot id) and its
`lands_by` on CLOCK_BOOTTIME, which no wall-clock step moves; a process of that boot decides from it, any other from
the wall clock.

The step is made as the audit made it: the second process runs graphc with `time.time`/`time.time_ns` shifted
forward (the boot clock is left alone, as the kernel leaves it), against `graphc sandbox serve
--ignore-idempotency-key` (a separate process, real HTTP) whose `slow` fault holds the first request.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest
from sandbox_fixture import beside_a_held_submit, cli_env

from graphc.api import bootclock
from graphc.api.ledger import SCHEMA_VERSION, Ledger, Scope, in_flight, landing_open

pytestmark = pytest.mark.skipif(bootclock.boot_ns() is None, reason="no boot clock (CLOCK_BOOTTIME and a boot id)")

PLAYBOOK = (
    "graphc: 1\nname: step\nrisk:\n  max_notional: $20k\n"
    "legs:\n  a: {buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}\n"
)
SCOPE = Scope("http://127.0.0.1:1", "acct")
STEP_S = 300
# graphc run on a wall clock stepped STEP_S forward (time.time and time.time_ns; the boot clock is the kernel's)
STEPPED = (
    "import sys, time\n"
    f"step = {STEP_S} * 10**9\n"
    "time_ns, time_s = time.time_ns, time.time\n"
    "time.time_ns = lambda: time_ns() + step\n"
    "time.time = lambda: time_s() + step / 1e9\n"
    "from graphc.cli import program\n"
    "sys.argv[0] = 'graphc'\n"
    "program()\n"
)


def _sent(ledger: Ledger, landing_s: float = 60):
    run = ledger.begin(SCOPE, "k", "step", False, wire_for=lambda tag: b"{}")
    ledger.mark_sent(run.id, time.time_ns() + int(landing_s * 1e9))
    return ledger.get(run.id)


def test_a_sent_row_records_its_boot_and_its_landing_time_on_the_boot_clock(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run = _sent(ledger)
        assert run.boot_id == bootclock.boot_id()
        assert run.lands_by_boot_ns is not None
        assert abs((run.lands_by_boot_ns - bootclock.boot_ns()) / 1e9 - 60) < 5
        ledger.record_uncertain(run.id, "lost", time.time_ns() + 30 * 10**9)
        moved = ledger.get(run.id)
        assert abs((moved.lands_by_boot_ns - bootclock.boot_ns()) / 1e9 - 30) < 5


def test_a_wall_clock_stepped_forward_does_not_end_the_landing_time_on_the_same_boot(tmp_path):
    """300 s later on the wall clock, the boot clock says the request may still land: in flight, not stale."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run = _sent(ledger)
        stepped = time.time_ns() + STEP_S * 10**9
        assert landing_open(run, stepped)
        assert in_flight(run, stepped) is not None
        assert run.stale(stepped) is None


def test_another_boot_or_a_row_without_the_boot_clock_decides_by_the_wall_clock(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run = _sent(ledger)
    stepped = time.time_ns() + STEP_S * 10**9
    db = sqlite3.connect(tmp_path / "l.sqlite", isolation_level=None)
    db.execute("UPDATE runs SET boot_id = 'another-boot'")
    db.close()
    with Ledger(tmp_path / "l.sqlite") as ledger:
        other = ledger.get(run.id)
        assert not landing_open(other, stepped) and landing_open(other, time.time_ns())
        assert other.stale(stepped) == "uncertain"


def test_a_ledger_of_version_4_gains_the_boot_clock_and_keeps_its_runs(tmp_path):
    path = tmp_path / "v4.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_key TEXT NOT NULL,
            endpoint TEXT NOT NULL,
            account TEXT NOT NULL,
            tag TEXT NOT NULL,
            playbook TEXT NOT NULL,
            wire_hash TEXT NOT NULL,
            wire BLOB,
            state TEXT NOT NULL CHECK (state IN ('intent', 'sent', 'confirmed', 'uncertain', 'absent')),
            graph_id TEXT,
            live INTEGER,
            error TEXT,
            sent_ns INTEGER,
            lands_by_ns INTEGER,
            created_ns INTEGER NOT NULL,
            updated_ns INTEGER NOT NULL
        );
        CREATE INDEX runs_by_key ON runs (run_key, endpoint);
        CREATE TABLE run_events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL REFERENCES runs (id),
            at_ns INTEGER NOT NULL, state TEXT NOT NULL, note TEXT);
        CREATE TABLE changes (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, endpoint TEXT NOT NULL,
            account TEXT NOT NULL, target TEXT NOT NULL, fields TEXT NOT NULL, said TEXT NOT NULL, seen TEXT,
            state TEXT NOT NULL CHECK (state IN ('sent', 'uncertain', 'settled')), note TEXT,
            sent_ns INTEGER NOT NULL, lands_by_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL);
        INSERT INTO runs VALUES (1, 'k', 'http://127.0.0.1:1', 'acct', 'gcaaaaaaaaaaaaaaaa', 'p', 'h', X'7B7D',
            'uncertain', NULL, 0, 'lost', 1, 2, 1, 2);
        INSERT INTO run_events VALUES (1, 1, 1, 'uncertain', 'lost');
        PRAGMA user_version = 4;
        """
    )
    db.close()
    with Ledger(path) as ledger:
        (run,) = ledger.runs()
        assert (run.id, run.state, run.lands_by_ns, run.boot_id, run.lands_by_boot_ns) == (
            1,
            "uncertain",
            2,
            None,
            None,
        )
        assert not landing_open(run, 3) and landing_open(run, 1)  # the wall clock decides for it
        assert ledger.events(1)[0]["note"] == "lost"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    events_sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'run_events'").fetchone()[0]
    assert "REFERENCES runs (id)" in events_sql
    db.close()


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "step.yaml").write_text(PLAYBOOK)
    return root


def test_a_submit_on_a_wall_clock_stepped_forward_waits_for_the_request_in_flight(btc_router, project):
    """The audit's f2: A's request is held 4 s at the router; B, the same command on a wall clock 300 s ahead, finds
    it in flight (the boot clock says it may still land), sends nothing and exits 3; one graph, A's."""
    env = cli_env(btc_router)
    stepped = [sys.executable, "-c", STEPPED]  # B: graphc on the stepped clock
    _, graph = beside_a_held_submit(btc_router, ["submit", "step.yaml"], env, project, delay=4, b_launcher=stepped)
    listed = json.loads(
        subprocess.run(
            [sys.executable, "-m", "graphc", "ledger", "--json"], env=env, cwd=project, capture_output=True, text=True
        ).stdout
    )
    assert [(r["state"], r["graph_id"]) for r in listed] == [("confirmed", graph["graph_id"])]
