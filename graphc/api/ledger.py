"""The submission ledger: a local SQLite record of every attempt, as a state machine.

Why: a graph must reach the router *exactly once*, and the router offers no
idempotency key. Networks fail in the worst place (after the router applied a
POST, before we heard back) and recurring jobs get retried by cron or CI. The
ledger records each attempt before anything leaves this machine, and only a
proof moves it on. docs/submitting.md ("Exactly once") states the protocol;
the transitions, each one a single SQLite transaction:

* ``intent`` (committed before anything else) -> ``sent`` (committed just
  before the request goes out, by the process that wrote the intent, and only
  if the row is still ``intent``) or ``absent`` (an intent older than
  :data:`INTENT_GRACE_S` that was never sent: its process stopped before
  sending, and the compare-and-set on ``sent`` makes sure it never will);
* ``sent`` -> ``confirmed`` (a graph id in the answer), ``absent`` (a definite
  refusal, or nothing left this machine), ``uncertain`` (anything else);
* ``uncertain`` (or a ``sent`` row whose process is gone) -> ``confirmed`` when
  an order carrying the run's tag is listed, ``absent`` only when both the
  request can no longer land (``lands_by``) and a scan of the router's orders
  reached back past the run's start without finding the tag;
* ``absent`` -> ``confirmed``: a graph found later always wins.

Every row belongs to a *scope*: the router endpoint and the account (a
fingerprint of the API key), so a rehearsal's graph against a sandbox never
counts as the real run's. An *unsettled* attempt blocks its run key in every
scope: two spellings of one URL, or two keys of one account, are two scopes
but may be one router and account, where that request may still land. The
ledger never stores credentials; error texts are redacted.

The ledger also keeps the *changes* graphc sends (``changes``: an amend's PATCH,
the kill switch's PUT), each with the time until which it may still reach the
router, in the words of a run: ``sent`` (recorded just before it goes out, its
``lands_by`` from the request's longest call and the landing margin),
``uncertain`` (its answer was lost: ``lands_by`` is the moment our socket
closed plus the margin) or ``settled`` (answered, refused, never sent, or read
back from the router). An earlier change that may still land undoes a later one
of the same value if it lands after it (audit ops19 1): :meth:`Ledger.begin_change`
names those, in every scope, and refuses the later one when asked to.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import secrets
import shlex
import sqlite3
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from graphc.api.bootclock import boot_deadline, boot_id, boot_ns
from graphc.api.errors import AlreadySubmitted, LedgerError, PendingChange, PendingUncertain
from graphc.api.lookup import Scan, find_run, find_runs, node_ids_of, symbols_to_scan
from graphc.api.redact import clean, redact
from graphc.api.runtag import is_content_run_key, run_tag, untagged_wire
from graphc.files import (
    STATE_DIR,
    NotRegularFile,
    ensure_private_dir,
    find_project_root,
    git_tracked,
    linked_state_part,
    real_path,
    regular_file_identity,
)

__all__ = [
    "DUPLICATE_WINDOW_S",
    "Change",
    "DuplicateCheck",
    "Ledger",
    "LedgerGone",
    "LedgerLocked",
    "LedgerUnusable",
    "ReconcileResult",
    "Run",
    "RunStateError",
    "Scope",
    "by_hand",
    "clocks_disagree",
    "default_ledger_path",
    "elsewhere",
    "in_flight",
    "in_flight_refusal",
    "iso",
    "landing_open",
    "may_land",
    "more_graphs_warning",
    "second_graph_warning",
    "undoes",
]

STATES = ("intent", "sent", "confirmed", "uncertain", "absent")
PENDING = ("intent", "sent", "uncertain")
SETTLED = ("confirmed", "absent")  # settled for good: Ledger.forget_settled
SCHEMA_VERSION = 5  # 3: `live` may be NULL (the mode of a graph found at the router is not known); 4: `changes`;
# 5: `boot_id` and `lands_by_boot_ns` (the boot clock's `lands_by`: graphc.api.bootclock)
INTENT_GRACE_S = 30  # an intent not sent by then was abandoned before sending
CLOCK_SKEW_S = 300  # the router's clock may be this far from ours: a run's window starts that much earlier
BUSY_TIMEOUT_S = 10.0  # how long a write waits for another graphc holding the ledger
# How far back `graphc ledger --reconcile` looks again at the runs that have their graph, for a second graph carrying
# their tag (docs/submitting.md, "The ledger"). A second graph is sent by a process that looked at the router before
# the run's graph was listed, so within a landing time of the run's request (about 3 minutes with the default landing
# margin), and it lands within another: a day covers that many times over, and a reconcile run once a day (a cron
# job) looks at every run once. Older runs are not looked at again (their tag is kept: a scan by hand finds them).
DUPLICATE_WINDOW_S = 24 * 3600

RUNS_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
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
    updated_ns INTEGER NOT NULL,
    boot_id TEXT,
    lands_by_boot_ns INTEGER
)"""
# The PATCHes and PUTs graphc sent (Change): `target` names what they set (an amend: GRAPH_ID/NODE_ID, the node id as
# the router names it; the kill switch: ''), `fields` the values sent (JSON), `said` the command that sent them, `seen`
# what the router showed of the target just before (an amend: the node's size), for a look that reads it back.
CHANGES_TABLE = """
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    account TEXT NOT NULL,
    target TEXT NOT NULL,
    fields TEXT NOT NULL,
    said TEXT NOT NULL,
    seen TEXT,
    state TEXT NOT NULL CHECK (state IN ('sent', 'uncertain', 'settled')),
    note TEXT,
    sent_ns INTEGER NOT NULL,
    lands_by_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
)"""
# a row's history: one event per state change, and `warning` events (what a look at the router learnt, Run.warnings)
EVENTS_TABLE = """
CREATE TABLE IF NOT EXISTS run_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    at_ns INTEGER NOT NULL,
    state TEXT NOT NULL,
    note TEXT
)"""
SCHEMA = (
    RUNS_TABLE.format(name="runs")
    + ";"
    + CHANGES_TABLE
    + """;
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (run_key, endpoint);
"""
    + EVENTS_TABLE
    + ";\n"
)
# the columns of run_events graphc reads (Ledger._check_schema; the table's text is another in a ledger of version 1)
EVENTS_COLUMNS = frozenset(re.findall(r"^    (\w+) ", EVENTS_TABLE, re.MULTILINE))

# graphc before the run tag: states intent/submitted/uncertain/failed/reconciled, no scope, no tag.
MIGRATE_V1 = """
ALTER TABLE runs RENAME TO runs_v1;
DROP INDEX IF EXISTS runs_by_key;
{schema}
INSERT INTO runs (id, run_key, endpoint, account, tag, playbook, wire_hash, wire, state, graph_id, live, error,
                  sent_ns, lands_by_ns, created_ns, updated_ns)
SELECT id, run_key, COALESCE(endpoint, ''), '', '', playbook, wire_hash, wire,
       CASE WHEN graph_id IS NOT NULL THEN 'confirmed'
            WHEN state = 'failed' THEN 'absent'
            ELSE 'uncertain' END,
       graph_id, live, error, created_ns, created_ns + 150000000000, created_ns, updated_ns
FROM runs_v1;
DROP TABLE runs_v1;
"""

# version 2: `live` was NOT NULL, so a graph found at the router (no wire kept, no wire hash) was recorded as a
# sandbox graph; its mode is not known. A new table is filled and renamed (renaming the old one away would point
# run_events' reference at it).
MIGRATE_V2 = (
    RUNS_TABLE.format(name="runs_v3")
    + """;
INSERT INTO runs_v3 (id, run_key, endpoint, account, tag, playbook, wire_hash, wire, state, graph_id, live, error,
                     sent_ns, lands_by_ns, created_ns, updated_ns)
SELECT id, run_key, endpoint, account, tag, playbook, wire_hash, wire, state, graph_id,
       CASE WHEN wire IS NULL AND wire_hash = '' THEN NULL ELSE live END,
       error, sent_ns, lands_by_ns, created_ns, updated_ns
FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v3 RENAME TO runs;
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (run_key, endpoint);
"""
)

# version 4 (and 3): the runs get the boot clock's `lands_by` (NULL for every row recorded before: the wall clock
# decides for them), in a new table filled and renamed, as MIGRATE_V2
MIGRATE_V4 = (
    RUNS_TABLE.format(name="runs_v5")
    + """;
INSERT INTO runs_v5 (id, run_key, endpoint, account, tag, playbook, wire_hash, wire, state, graph_id, live, error,
                     sent_ns, lands_by_ns, created_ns, updated_ns)
SELECT id, run_key, endpoint, account, tag, playbook, wire_hash, wire, state, graph_id, live, error, sent_ns,
       lands_by_ns, created_ns, updated_ns
FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v5 RENAME TO runs;
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (run_key, endpoint);
"""
)


def default_ledger_path(start=None) -> Path:
    """``.graphc/ledger.sqlite`` in the project ``start`` (a playbook or directory) belongs to."""
    return find_project_root(start) / STATE_DIR / "ledger.sqlite"


def iso(ns: int | None) -> str:
    if ns is None:
        return "-"
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Scope:
    """Where a run is submitted: the router's base URL and the account (a key fingerprint)."""

    endpoint: str
    account: str

    @classmethod
    def of(cls, client) -> Scope:
        return cls(client.base_url, client.account)


@dataclass(frozen=True)
class Run:
    id: int
    run_key: str
    endpoint: str
    account: str
    tag: str
    playbook: str
    wire_hash: str
    state: str
    graph_id: str | None
    live: bool | None  # None: not known (a graph found at the router: the router does not say is_sandbox)
    error: str | None
    sent_ns: int | None
    lands_by_ns: int | None
    created_ns: int
    updated_ns: int
    wire: bytes | None = field(default=None, repr=False)
    # what a look at the router learnt about the run's graph (more graphs carry its tag, it is not this run's trade,
    # it may be a rehearsal), kept as events of the row: every later refusal and `graphc ledger` repeat it
    warnings: tuple[str, ...] = ()
    # the boot (graphc.api.bootclock.boot_id) its `lands_by` was recorded on, and that time on its boot clock (None: no
    # boot clock, or recorded before graphc kept one): a process of that boot waits for both clocks (landing_open)
    boot_id: str | None = None
    lands_by_boot_ns: int | None = None

    @property
    def pending(self) -> bool:
        """An attempt that may have reached the router without us knowing its graph."""
        return self.state in PENDING and not self.graph_id

    @property
    def created_at(self) -> str:
        return iso(self.created_ns)

    def stale(self, now_ns: int) -> str | None:
        """What a pending row no process can still be working on is read as (``graphc ledger`` shows it beside the
        state, and ``--state`` takes it as that state too): ``abandoned``, an intent older than
        :data:`INTENT_GRACE_S` (its process stopped before sending; a reconcile settles it absent), or
        ``uncertain``, a ``sent`` row past its ``lands_by`` (its process stopped mid-request). None otherwise."""
        if self.state == "intent" and now_ns - self.created_ns > INTENT_GRACE_S * 10**9:
            return "abandoned"
        if self.state == "sent" and self.lands_by_ns and not landing_open(self, now_ns):
            return "uncertain"
        return None

    @property
    def sent_wire(self):
        """The graph this attempt sent (its kept bytes, parsed), or None when they are not kept or not readable."""
        try:
            return json.loads(self.wire) if self.wire else None
        except ValueError:  # bytes a ledger holds that are not JSON: as good as none
            return None

    @property
    def updated_at(self) -> str:
        return iso(self.updated_ns)

    def in_scope(self, scope: Scope) -> bool:
        """Rows from before scopes existed (no endpoint or account) count everywhere: the safe side."""
        return self.endpoint in ("", scope.endpoint) and self.account in ("", scope.account)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "run_key": self.run_key,
            "endpoint": self.endpoint,
            "account": self.account,
            "tag": self.tag,
            "playbook": self.playbook,
            "wire_hash": self.wire_hash,
            "state": self.state,
            "stale": self.stale(time.time_ns()),
            "graph_id": self.graph_id,
            "live": self.live,
            "error": self.error,
            "sent_at": iso(self.sent_ns) if self.sent_ns else None,
            "lands_by": iso(self.lands_by_ns) if self.lands_by_ns else None,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Change:
    """A PATCH or PUT graphc sent (an amend of a node, the kill switch): what it set, and until when it may land."""

    id: int
    kind: str  # "amend" | "kill_switch"
    endpoint: str
    account: str
    target: str
    fields: dict  # the values the request sets
    said: str  # the command that sent it, as a person typed it
    seen: dict | None  # what the router showed of the target just before it was sent
    state: str  # sent | uncertain | settled
    note: str | None
    sent_ns: int
    lands_by_ns: int

    def may_land(self, now_ns: int) -> bool:
        """Whether the request may still reach the router: its outcome is not known and ``lands_by`` is ahead."""
        return self.state != "settled" and now_ns < self.lands_by_ns

    def in_flight(self) -> str:
        """How far the ledger knows the request's fate: on its way, or its answer lost."""
        if self.state == "sent":
            return "no answer recorded yet: another graphc is sending it, or stopped while it did"
        return "its answer was lost, so whether it was applied is unknown"


def undoes(earlier: dict, later: dict) -> bool:
    """Whether a request setting ``earlier`` that lands after one setting ``later`` undoes it: it sets a field the
    later one sets, to another value. (The same value again changes nothing; another field is not the later one's.)"""
    return any(key in later and later[key] != value for key, value in earlier.items())


@dataclass
class ReconcileResult:
    """``found``: True (graph id known), False (proven absent), None (still unknown: ``message`` says why);
    ``warning``: the WARNING this look kept on the row (more graphs carry the run's tag), if any."""

    run: Run
    found: bool | None
    message: str
    scan: Scan | None = None
    warning: str | None = None


@dataclass
class DuplicateCheck:
    """A look at the router for other graphs carrying the tag of a run that has its graph
    (:meth:`Ledger.look_for_duplicates`).

    ``others``: the graphs carrying it that this ledger records for no attempt of the run, each a second trade;
    ``warning`` the WARNING naming them, kept on the row, and ``new`` whether the row did not have it yet.
    ``done`` is False when the router's list could not be read to its end (``message`` says why; graphs read before
    then are named all the same)."""

    run: Run
    others: list[str]
    done: bool
    message: str
    warning: str | None = None
    new: bool = False
    scan: Scan | None = None


class LedgerGone(LedgerError):
    """The ledger file was deleted or replaced while this process had it open."""


class LedgerUnusable(LedgerError):
    """SQLite failed on the ledger once it was open: it cannot be written (a full disk, a read-only file or mount),
    or read (damaged); the message gives SQLite's reason."""


class LedgerLocked(LedgerError):
    """Another process held the ledger for longer than graphc waits for it (:data:`BUSY_TIMEOUT_S`)."""


class RunStateError(LedgerError):
    """A run's row is in a state the change asked for may not start from (another graphc changed it meanwhile);
    ``run`` is the row as it is."""

    def __init__(self, message: str, run: Run):
        super().__init__(message)
        self.run = run


class Ledger:
    """SQLite-backed run ledger; one connection, explicit transactions, every SQLite error a LedgerError."""

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else default_ledger_path()
        self._memory = str(path) == ":memory:"
        try:
            opened = None if self._memory else _create_private(self.path)
            self._db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
            if opened is not None and _identity(self.path) != opened:  # swapped for a link or another file meanwhile
                self._db.close()
                raise LedgerError(f"cannot use the ledger {self.path}: it was replaced while graphc was opening it")
            self._db.row_factory = sqlite3.Row
            self._migrate()
            self._check_schema()
        except OSError as exc:
            raise LedgerError(f"cannot open the ledger {self.path}: {exc.strerror or exc}") from None
        except SQLITE_FAILURES as exc:
            if _is_locked(exc):  # another process holds it (an EXCLUSIVE lock keeps readers out too)
                raise _ledger_error(exc, self.path) from None
            raise LedgerError(f"cannot open the ledger {self.path}: {_sqlite_message(exc)}") from None
        self._identity = opened
        # the runs begun through this object (:meth:`begin`): the attempts of this process, among those of every
        # graphc that shares the file (`graphc run` speaks of its own: a stop's last word, a ledger gone)
        self.begun: set[int] = set()

    def _migrate(self) -> None:
        """Bring the ledger's schema up to :data:`SCHEMA_VERSION`: create it in an empty database (a file graphc
        just created, an empty file it adopts: it holds nothing, or ``:memory:``), migrate an older graphc's ledger,
        and refuse (:class:`LedgerError`, before anything is written) a database that is not a ledger (another
        program's, whatever its ``user_version``: a mistyped ``--ledger`` must neither turn it into a ledger nor
        list it as "no runs") or one a newer graphc wrote (this graphc would ignore what the newer one records, or
        call the file damaged: its user must upgrade, not delete it). Audit compat27 1, 2."""
        # before BEGIN, which gives even an empty database a page
        empty = self._db.execute("PRAGMA page_count").fetchone()[0] == 0
        if not empty and self._schema_version() == SCHEMA_VERSION:
            return
        with self._transaction():  # looked at again inside: another graphc may have migrated it meanwhile
            version = self._schema_version(empty)
            if version == SCHEMA_VERSION:
                return
            columns = {r[1] for r in self._db.execute("PRAGMA table_info(runs)")}
            if not columns:
                script = SCHEMA
            elif "idempotency_key" in columns:
                script = MIGRATE_V1.format(schema=SCHEMA)
            elif version < 3:
                script = MIGRATE_V2 + ";" + CHANGES_TABLE
            elif version == 3:  # the changes are new, and the runs' boot clock
                script = CHANGES_TABLE + ";" + MIGRATE_V4
            else:  # version 4: the runs' boot clock is new
                script = MIGRATE_V4
            for statement in script.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _schema_version(self, empty: bool = False) -> int:
        """The ledger's ``user_version`` (0 for an ``empty`` database, whose schema graphc creates); refused
        (:class:`LedgerError`) when the database has no runs table and is not empty, or is newer than this
        graphc's."""
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "runs" not in tables:
            if empty and not tables:
                return 0
            raise LedgerError(
                f"cannot open the ledger {self.path}: it is not a graphc ledger (a database without graphc's runs "
                "table; it was left as it is): check the path"
            )
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"cannot open the ledger {self.path}: it was written by a newer graphc (ledger schema {version}; "
                f"this graphc reads up to {SCHEMA_VERSION}): upgrade graphc"
            )
        return version

    def _check_schema(self) -> None:
        """Refuse (:class:`LedgerError`) a ledger whose schema is not the one graphc writes. A damaged schema text
        that still parses fails later otherwise: one byte of a column's name at the first read of a row, one byte
        of a state in the runs table's CHECK at the first write of that state, which may come after the graph was
        sent (audit ops19 5). The runs table of every ledger of this version was made by RUNS_TABLE (a migrated
        one's under another name, then renamed: its text from the column list on is the same)."""
        # as bytes: SQLite's text of a damaged schema need not be UTF-8
        sql = "SELECT CAST(sql AS BLOB) FROM sqlite_master WHERE type = 'table' AND CAST(name AS BLOB) = ?"
        runs = [r[0] for r in self._db.execute(sql, (b"runs",))]
        if [bytes(r or b"").partition(b"(")[2] for r in runs] != [RUNS_TABLE.partition("(")[2].encode()]:
            raise LedgerError(
                f"cannot open the ledger {self.path}: {DAMAGED}: its runs table is not the one graphc writes"
            )
        columns = self._db.execute("SELECT CAST(name AS BLOB) FROM pragma_table_info('run_events')")
        missing = EVENTS_COLUMNS - {bytes(r[0]).decode("utf-8", "replace") for r in columns}
        if missing:
            raise LedgerError(
                f"cannot open the ledger {self.path}: {DAMAGED}: its run_events table has no column "
                f"{', '.join(sorted(missing))}"
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    def check_still_there(self) -> None:
        """Raise :class:`LedgerGone` if the file at our path is no longer the one we opened."""
        if self._memory:
            return
        if _identity(self.path) != self._identity:
            raise LedgerGone(f"the ledger {self.path} was deleted or replaced while graphc was using it")

    # -- reading -----------------------------------------------------------

    def get(self, run_id: int) -> Run:
        with _sqlite_errors(self.path):
            row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise LedgerError(f"no ledger run {run_id}")
            return _run(row, self._warnings(run_id).get(run_id, ()))

    def runs(self, run_key: str | None = None, state: str | None = None, scope: Scope | None = None) -> list[Run]:
        """Runs oldest first, optionally for one run key, state and/or scope."""
        sql, args = "SELECT * FROM runs WHERE 1=1", list[str]()
        if run_key is not None:
            sql, args = sql + " AND run_key = ?", args + [run_key]
        if state is not None:
            sql, args = sql + " AND state = ?", args + [state]
        with _sqlite_errors(self.path):
            warned = self._warnings()
            rows = [_run(r, warned.get(r["id"], ())) for r in self._db.execute(sql + " ORDER BY id", args)]
        return [r for r in rows if scope is None or r.in_scope(scope)]

    def _warnings(self, run_id: int | None = None) -> dict[int, tuple[str, ...]]:
        """``{run id: its warnings, oldest first}``: of the run ``run_id``, or of every run."""
        sql, args = "SELECT run_id, note FROM run_events WHERE state = 'warning'", tuple[int, ...]()
        if run_id is not None:
            sql, args = sql + " AND run_id = ?", (run_id,)
        warned: dict[int, tuple[str, ...]] = {}
        for row in self._db.execute(sql + " ORDER BY id", args):
            warned[row["run_id"]] = (*warned.get(row["run_id"], ()), row["note"])
        return warned

    def pending(self, run_key: str | None = None, scope: Scope | None = None) -> list[Run]:
        return [r for r in self.runs(run_key, scope=scope) if r.pending]

    def recently_confirmed(self, now_ns: int, scope: Scope | None = None) -> list[Run]:
        """The runs with a graph whose attempt began at most :data:`DUPLICATE_WINDOW_S` before ``now_ns``, one per run
        tag (its oldest row), oldest first: those ``graphc ledger --reconcile`` looks at again."""
        since = now_ns - DUPLICATE_WINDOW_S * 10**9
        by_tag: dict[str, Run] = {}
        for run in self.runs(state="confirmed", scope=scope):
            if run.graph_id and run.tag and run.created_ns >= since:
                by_tag.setdefault(run.tag, run)
        return list(by_tag.values())

    def graph_ids(self) -> set[str]:
        with _sqlite_errors(self.path):
            return {r[0] for r in self._db.execute("SELECT graph_id FROM runs WHERE graph_id IS NOT NULL")}

    def events(self, run_id: int) -> list[dict]:
        with _sqlite_errors(self.path):
            rows = self._db.execute("SELECT * FROM run_events WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
        return [{"at": iso(r["at_ns"]), "state": r["state"], "note": r["note"]} for r in rows]

    # -- writing -----------------------------------------------------------

    def begin(
        self,
        scope: Scope,
        run_key: str,
        name: str,
        live: bool,
        *,
        wire_for: Callable[[str], bytes],
        force: bool = False,
    ) -> Run:
        """Commit an intent row *before* anything is sent; returns it, with its tag and the
        exact bytes ``wire_for(tag)`` gave for it (the graph with the tag in its node ids).

        Refuses (``PendingUncertain``) while an earlier attempt of the run key is
        unresolved, force or not, in *any* scope: a scope is a URL spelling and a
        key fingerprint, and another spelling (``localhost`` for ``127.0.0.1``) or
        a second key of the account may reach the same router and account, where
        that request may still land. Refuses (``AlreadySubmitted``) when the run
        key already has a graph in this scope, unless ``force``. A forced attempt gets a tag of its
        own, that of the run key + ``#`` + a random nonce (recorded in the row's tag
        and its first event), so it is told apart from the first at the router and
        by reconciliation, whatever this ledger knows: numbering forced attempts
        from this ledger's graphs gave a fresh clone the first run's tag again.
        """
        if not run_key:
            raise LedgerError("empty run key")
        now = time.time_ns()
        with self._transaction():
            every = self.runs(run_key)
            for run in every:  # an unsettled attempt in *any* scope: see unsettled_elsewhere
                if run.pending:
                    raise PendingUncertain(run_key, run.id, self._unsettled(run, scope, now))
            done = [r for r in every if r.graph_id and r.in_scope(scope)]
            if done and not force:
                raise AlreadySubmitted(run_key, done[0].graph_id or "", done[0].id, done[0].warnings)
            note = "before sending"
            if force:
                nonce = secrets.token_hex(8)  # 64 random bits: unique without asking any ledger or the router
                tag = run_tag(f"{run_key}#{nonce}")
                note = f"before sending; forced: the tag of the run key + '#{nonce}'"
            else:
                tag = run_tag(run_key)
            wire = wire_for(tag)
            wire_hash = hashlib.sha256(wire).hexdigest()
            cur = self._db.execute(
                "INSERT INTO runs (run_key, endpoint, account, tag, playbook, wire_hash, wire, state, live,"
                " created_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, 'intent', ?, ?, ?)",
                (run_key, scope.endpoint, scope.account, tag, name, wire_hash, wire, int(bool(live)), now, now),
            )
            run_id = cur.lastrowid or 0
            self._event(run_id, "intent", note, now)
        self.begun.add(run_id)
        return self.get(run_id)

    def forget_settled(self, run_key: str) -> bool:
        """Forget the attempts of ``run_key`` once every one is settled for good, and say whether it did (False, and
        nothing changed, while any attempt of it is in another state, or has none of these: kept, whatever its age).

        Settled for good is ``confirmed`` (its graph is known: the router lists it by the run's tag) or ``absent``
        (no graph: refused, never sent, or proved absent once its request could no longer land); only a graph found
        later moves an ``absent`` row, and nothing looks for a run no one submits again. Their ids leave
        :attr:`begun` (this process's attempts, which it consults only for unsettled ones), and in a ledger in
        memory (a hosted bundle's record) their rows and events are deleted: the caller knows the run can no longer
        be due (:meth:`graphc.run.Runner._forget`). A ledger on disk keeps its rows: it is the project's record,
        which `graphc ledger` lists and every graphc of the project reads."""
        runs = self.runs(run_key)
        ids = [run.id for run in runs if run.state in SETTLED]
        self.begun.difference_update(ids)  # (an attempt settled for good is never this process's unsettled one)
        if len(ids) < len(runs):
            return False
        if self._memory and ids:
            marks = ", ".join("?" * len(ids))
            with self._transaction():  # (a record in memory has one connection: nothing changed them meanwhile)
                self._db.execute(f"DELETE FROM run_events WHERE run_id IN ({marks})", ids)
                self._db.execute(f"DELETE FROM runs WHERE id IN ({marks})", ids)
        return True

    def _unsettled(self, run: Run, scope: Scope, now_ns: int) -> str:
        """Why an unsettled attempt ``run`` stops a new attempt of its run key in ``scope``."""
        if run.in_scope(scope):
            flying = in_flight_refusal(run, now_ns)  # a concurrent submit that won the race: nothing to reconcile
            if flying is not None:
                return flying
            return (
                f"state {run.state}; {may_land(run, now_ns)}; `graphc ledger --reconcile` settles it (the next "
                "submit of this run reconciles it first too)"
            )
        return (
            f"state {run.state}; {may_land(run, now_ns)}; {elsewhere(run, scope)}. {UNSETTLED_ELSEWHERE}; "
            f"or settle it by hand ({by_hand(run, now_ns)})"
        )

    def record_found(
        self,
        scope: Scope,
        run_key: str,
        name: str,
        tag: str,
        graph_id: str,
        how: str,
        *,
        wire: bytes | None = None,
        live: bool | None = None,
        warnings=(),
        unknown_copy_warnings=(),
    ) -> Run:
        """A graph of this run found at the router (what was sent, and whether it is LIVE, is not known: ``wire``
        and ``live`` None), or recorded again by the process that sent it, which knows both. ``warnings``: what the
        look at the router learnt about the graph, kept on the row (:attr:`Run.warnings`); ``unknown_copy_warnings``
        too, but only on a new row: they compare the graph at the router with this run for want of a copy.

        In the transaction that records it, the rows of this run key and tag in ``scope`` are looked at first
        (audit ledger24 1: a submit's look at the router found the graph of another graphc sharing this ledger,
        which began, sent and lost its answer while the look went on, and a second row of an unknown mode, with no
        copy, hid the sender's LIVE copy from amend and resume). A row that already has ``graph_id`` is returned as
        it is. A ``sent`` or ``uncertain`` row without a graph is the request that made it: it gets the graph
        (``confirmed``), keeping its bytes and mode, as a reconcile would record it. An ``intent`` was never sent
        (its request cannot be the graph found): it is settled ``absent``, so its process sends nothing (the
        compare-and-set of :meth:`mark_sent`), and the graph gets a row of its own. Only then is a row inserted."""
        try:
            return self._record_found(
                scope, run_key, name, tag, graph_id, how, wire, live, warnings, unknown_copy_warnings
            )
        except RunStateError:
            raise
        except LedgerError as exc:  # unwritable (a full disk, read-only): the graph found is named, never lost
            raise _unrecorded(exc, run_key, graph_id) from None

    def _record_found(
        self, scope, run_key, name, tag, graph_id, how, wire, live, warnings, unknown_copy_warnings
    ) -> Run:
        now = time.time_ns()
        wire_hash = hashlib.sha256(wire).hexdigest() if wire else ""
        mode = None if live is None else int(bool(live))
        with self._transaction():
            same = [r for r in self.runs(run_key, scope=scope) if r.tag == tag]
            known = next((r for r in same if r.graph_id == graph_id), None)
            if known is not None:
                return known
            sender = next((r for r in same if r.pending and r.state != "intent"), None)
            if sender is not None:
                self._set(sender.id, "confirmed", graph_id=graph_id, note=how)
                for warning in warnings:
                    self._event(sender.id, "warning", clean(warning, 4000), now)
                return self.get(sender.id)
            for run in same:
                if run.pending:  # an intent: its process has not sent it, and now never will
                    self._set(run.id, "absent", error=f"never sent: {graph_id} carries its tag ({how})", note=how)
            cur = self._db.execute(
                "INSERT INTO runs (run_key, endpoint, account, tag, playbook, wire_hash, wire, state, graph_id, live,"
                " created_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?)",
                (run_key, scope.endpoint, scope.account, tag, name, wire_hash, wire, graph_id, mode, now, now),
            )
            run_id = cur.lastrowid or 0
            self._event(run_id, "confirmed", how, now)
            for warning in (*warnings, *unknown_copy_warnings):
                self._event(run_id, "warning", clean(warning, 4000), now)
            self._second_graph(self.get(run_id), graph_id, now)
        return self.get(run_id)

    def mark_sent(self, run_id: int, lands_by_ns: int) -> None:
        """intent -> sent, only if the row is still an intent: after this the request may leave."""
        now = time.time_ns()
        on_boot = boot_deadline(lands_by_ns, now)  # the same time on the boot clock (None: none)
        with self._transaction():
            cur = self._db.execute(
                "UPDATE runs SET state = 'sent', sent_ns = ?, lands_by_ns = ?, updated_ns = ?, boot_id = ?, "
                "lands_by_boot_ns = ? WHERE id = ? AND state = 'intent'",
                (now, lands_by_ns, now, boot_id() if on_boot is not None else None, on_boot, run_id),
            )
            if cur.rowcount != 1:
                raise LedgerError(
                    f"run {run_id} is no longer an intent ({self.get(run_id).state}): another graphc settled it; "
                    "nothing was sent"
                )
            self._event(run_id, "sent", None, now)

    def record_confirmed(
        self, run_id: int, graph_id: str, how: str = "router accepted", *, error: str | None = None, warnings=()
    ) -> str | None:
        """The run has its graph; ``error`` and ``warnings`` (kept on the row) say what is wrong with it, if
        anything (the router answered that the graph it created failed). Returns the WARNING of a second graph: another
        row of the run key already records another graph carrying its tag (:meth:`_second_graph`), else None."""
        with self._transaction():
            second = self._set(run_id, "confirmed", graph_id=graph_id, note=how, error=error)
            for warning in warnings:
                self._event(run_id, "warning", clean(warning, 4000), time.time_ns())
        return second

    def record_uncertain(self, run_id: int, reason: str, lands_by_ns: int | None = None) -> None:
        """The request may have been applied; it is settled by reconciliation only."""
        self._set(run_id, "uncertain", error=reason, note=reason, lands_by_ns=lands_by_ns)

    def record_absent(self, run_id: int, reason: str, *, expected: str | None = None) -> None:
        """Proven: this attempt created no graph (refused, never sent, or not found after it could land). With
        ``expected``, only if the row is still in that state (:class:`RunStateError` otherwise)."""
        self._set(run_id, "absent", error=reason, note=reason, expected=expected)

    def resolve(self, run_id: int, *, graph_id: str | None = None, note: str = "resolved by hand") -> Run:
        """A human's verdict on a pending run: its graph id, or 'never created' (the way to force).

        'Never created' is refused (:class:`PendingUncertain`, exit 3, nothing recorded) while the run's request may
        still land: a ``sent`` or ``uncertain`` row before its ``lands_by``. The router lists a graph only once its
        request lands, so a look before then proves nothing, and the verdict let the next submit send the run
        again while the first request was still on its way (audit ops19 2). An ``intent`` was never sent, and once
        settled never will be (the compare-and-set of :meth:`mark_sent`): it may be resolved at once.

        A graph id is refused (:class:`LedgerError`, exit 2, nothing recorded) for a ``sent`` row before its
        ``lands_by``: another graphc may be sending it right now and record the graph the router answers with, which
        the id given would then stand in for for good (audit conc21 4). ``--reconcile`` finds a graph already listed;
        after ``lands_by`` the id is accepted."""
        with self._transaction():  # looked at and written at once: a `sent` written meanwhile is seen
            run = self.get(run_id)
            if not run.pending:
                raise LedgerError(f"run {run_id} is {run.state}; only intent, sent and uncertain runs need resolving")
            now = time.time_ns()
            if graph_id:
                if run.state == "sent" and landing_open(run, now):
                    raise LedgerError(_sender_may_record(run, now))
                self._set(run_id, "confirmed", graph_id=graph_id, note=note)
                return self.get(run_id)
            if run.state != "intent" and landing_open(run, now):
                raise PendingUncertain(run.run_key, run.id, _too_soon(run, now))
            self._set(run_id, "absent", error=f"{note}: not submitted", note=note, force=True)
        return self.get(run_id)

    # -- changes (PATCH, PUT) -------------------------------------------------

    def begin_change(
        self,
        scope: Scope,
        kind: str,
        target: str,
        fields: dict,
        said: str,
        lands_by_ns: int,
        *,
        seen: dict | None = None,
        refuse: bool,
    ) -> tuple[Change, list[Change]]:
        """Record a change as ``sent`` *before* it goes out; returns it and the earlier changes of ``kind`` and
        ``target`` that may still land and would undo it if they landed after it (:func:`undoes`), in *any* scope
        (another spelling of the URL or key may reach the same router and account, as for runs). With ``refuse``,
        such earlier changes refuse it instead (:class:`PendingChange`, nothing recorded), in the same transaction
        that would record it: two graphc amending one node at once never both go."""
        now = time.time_ns()
        with self._transaction():
            earlier = [c for c in self.changes(kind, target) if c.may_land(now) and undoes(c.fields, fields)]
            if earlier and refuse:
                raise PendingChange(self._undoing(earlier), earlier)
            cur = self._db.execute(
                "INSERT INTO changes (kind, endpoint, account, target, fields, said, seen, state, sent_ns,"
                " lands_by_ns, updated_ns) VALUES (?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?)",
                (
                    kind,
                    scope.endpoint,
                    scope.account,
                    target,
                    json.dumps(fields, sort_keys=True),
                    clean(said, 2000),
                    None if seen is None else json.dumps(seen, sort_keys=True),
                    now,
                    lands_by_ns,
                    now,
                ),
            )
            change_id = cur.lastrowid or 0
        return self.change(change_id), earlier

    @staticmethod
    def _undoing(earlier: list[Change]) -> str:
        """Why ``earlier`` changes stop a new one: each may still land, and landing after it would undo it."""
        each = "; ".join(
            f"{c.said} (ledger change {c.id}, sent {iso(c.sent_ns)} to {c.endpoint}: {c.in_flight()}) may still "
            f"reach the router until {iso(c.lands_by_ns)}"
            for c in earlier
        )
        return f"{each}; landing after this request, it would undo it"

    def settle_change(self, change_id: int, state: str, note: str, lands_by_ns: int | None = None) -> None:
        """``uncertain`` (the answer was lost: ``lands_by_ns`` is when the request can no longer land) or ``settled``
        (answered, refused, never sent, or read back from the router)."""
        with self._transaction():
            self._db.execute(
                "UPDATE changes SET state = ?, note = ?, lands_by_ns = COALESCE(?, lands_by_ns), updated_ns = ? "
                "WHERE id = ?",
                (state, clean(note, 2000), lands_by_ns, time.time_ns(), change_id),
            )

    def move_change(self, change_id: int, lands_by_ns: int) -> None:
        """A ``sent`` change's landing time moves on to ``lands_by_ns`` (never back): the router refused the attempt
        with a 429, so only the retry that follows may land, after its wait. Recorded before the retry is sent."""
        with self._transaction():
            self._db.execute(
                "UPDATE changes SET lands_by_ns = MAX(lands_by_ns, ?), updated_ns = ? WHERE id = ? AND state = 'sent'",
                (lands_by_ns, time.time_ns(), change_id),
            )

    def change(self, change_id: int) -> Change:
        with _sqlite_errors(self.path):
            row = self._db.execute("SELECT * FROM changes WHERE id = ?", (change_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no ledger change {change_id}")
        return _change(row)

    def changes(self, kind: str, target: str | None = None) -> list[Change]:
        """The changes of ``kind`` (and ``target``) this ledger recorded, in every scope, oldest first."""
        sql, args = "SELECT * FROM changes WHERE kind = ?", [kind]
        if target is not None:
            sql, args = sql + " AND target = ?", args + [target]
        with _sqlite_errors(self.path):
            return [_change(r) for r in self._db.execute(sql + " ORDER BY id", args)]

    _ALLOWED: ClassVar[dict[str, set[str]]] = {
        "intent": {"sent", "absent"},
        "sent": {"confirmed", "uncertain", "absent"},
        "uncertain": {"confirmed", "uncertain", "absent"},
        "absent": {"confirmed"},  # a graph id learnt late still wins
        "confirmed": set(),
    }

    def _set(
        self,
        run_id: int,
        state: str,
        *,
        graph_id: str | None = None,
        error: str | None = None,
        note: str | None = None,
        lands_by_ns: int | None = None,
        force: bool = False,
        expected: str | None = None,
    ) -> str | None:
        """Move ``run_id`` to ``state`` (a compare-and-set on ``expected`` when given); returns the WARNING of a
        second graph when this records a graph another row of the run key holds another of (:meth:`_second_graph`)."""
        now = time.time_ns()
        with self._transaction():
            run = self.get(run_id)
            allowed = self._ALLOWED[run.state] | ({"absent"} if force and run.pending else set())
            if expected is not None and run.state != expected:  # changed since the caller read it
                raise RunStateError(f"run {run_id} is {run.state}, no longer {expected}; cannot mark it {state}", run)
            if state not in allowed:
                if run.graph_id and graph_id == run.graph_id:
                    return None  # the same news twice
                raise RunStateError(f"run {run_id} is {run.state}; cannot mark it {state}", run)
            self._db.execute(
                "UPDATE runs SET state = ?, graph_id = COALESCE(?, graph_id), error = ?, "
                "lands_by_ns = COALESCE(?, lands_by_ns), updated_ns = ? WHERE id = ?",
                (state, graph_id, clean(error, 2000) if error else None, lands_by_ns, now, run_id),
            )
            if lands_by_ns is not None:  # the same time on the boot clock (None: none)
                on_boot = boot_deadline(lands_by_ns, now)
                self._db.execute(
                    "UPDATE runs SET boot_id = ?, lands_by_boot_ns = ? WHERE id = ?",
                    (boot_id() if on_boot is not None else None, on_boot, run_id),
                )
            self._event(run_id, state, clean(note, 2000) if note else None, now)
            if state == "confirmed" and graph_id:
                return self._second_graph(run, graph_id, now)
        return None

    def second_graphs(self, run: Run, graph_id: str | None = None) -> list[Run]:
        """The other rows of ``run``'s run key that record a graph other than ``graph_id`` (default: the row's) for
        the same tag, in the same scope: each a second trade of the run (a forced attempt has a tag of its own, and a
        rehearsal against another router or account is another scope)."""
        mine = graph_id or run.graph_id
        return [
            r
            for r in self.runs(run.run_key)
            if r.id != run.id
            and r.tag == run.tag
            and r.endpoint == run.endpoint
            and r.account == run.account
            and r.graph_id
            and r.graph_id != mine
        ]

    def _second_graph(self, run: Run, graph_id: str, now: int) -> str | None:
        """In the transaction that records ``graph_id`` on ``run``: when another row of the run key already records
        another graph carrying the run's tag (:meth:`second_graphs`), the run was traded twice (audit ledger26 1: a
        process proved an attempt absent while its request was still on its way). The WARNING naming both graphs is
        kept on every row involved (every later refusal of the run and `graphc ledger` repeat it) and returned."""
        others = self.second_graphs(run, graph_id)
        if not others:
            return None
        warning = clean(
            second_graph_warning(run.run_key, [(r.id, r.graph_id or "") for r in others], (run.id, graph_id)), 4000
        )
        for row_id in (run.id, *(r.id for r in others)):
            if redact(warning) not in self._warnings(row_id).get(row_id, ()):
                self._event(row_id, "warning", warning, now)
        return warning

    def _event(self, run_id: int, state: str, note: str | None, now: int) -> None:
        self._db.execute(
            "INSERT INTO run_events (run_id, at_ns, state, note) VALUES (?, ?, ?, ?)", (run_id, now, state, note)
        )

    def _transaction(self):
        return _Transaction(self._db, self.path)

    # -- reconciliation ----------------------------------------------------

    def reconcile(
        self, run_id: int, client, *, now_ns: int | None = None, max_pages: int | None = None
    ) -> ReconcileResult:
        """Settle a pending attempt if the evidence allows; never guess.

        Network and router errors end in an undecided result (``found`` None)
        whose message says what failed; the run is left as it was. ``now_ns`` (default: now) is the instant the
        row's landing time is compared with; given, the wall clock at that instant decides, not the boot clock
        (:func:`landing_open`).
        """
        run = self.get(run_id)
        if not run.pending:
            return ReconcileResult(run, bool(run.graph_id), f"run {run_id} is already {run.state}")
        self._check_endpoint(run, client)
        now = time.time_ns() if now_ns is None else now_ns  # taken before the scan: it must start after lands_by
        # so is the boot clock's reading (landing_open); a time given is the caller's clock, the wall clock's
        on_boot = boot_ns() if now_ns is None else None
        wall = now_ns is not None
        if run.state == "intent":
            return self._reconcile_intent(run, now)
        if not run.tag:
            return self._undecided(run, UNTAGGED)
        # the question is whether *this* request created a graph: its bytes are kept, so the orders it can have
        # are those of its symbols (lookup.symbols_to_scan), and its node ids read a graph id with `:` in it
        sent = run.sent_wire
        scan = find_run(
            client,
            run.tag,
            run.created_ns - CLOCK_SKEW_S * 10**9,
            symbols=symbols_to_scan(sent),
            node_ids=node_ids_of(sent),
            max_pages=max_pages,
        )
        if scan.found:
            return self._confirmed_by(run, scan)
        if scan.unreadable or scan.unparsed:
            return self._undecided(run, scan.detail, scan)
        flying = in_flight(run, now, on_boot, wall_only=wall)
        if flying is not None:  # another process's request on its way: nothing to settle by hand yet
            return ReconcileResult(
                run, None, f"run {run.id} ({run.run_key}): {flying}; nothing carrying its tag is listed yet", scan
            )
        if landing_open(run, now, on_boot, wall_only=wall):
            return self._undecided(
                run,
                f"its request may still reach the router until {iso(run.lands_by_ns)}"
                f"{clocks_disagree(run, now, on_boot, wall_only=wall)} and nothing carrying its "
                f"tag is listed yet ({scan.detail}); try again after that time (`graphc ledger --reconcile`)",
                scan,
            )
        if not scan.complete:
            listed = f"the orders of {', '.join(scan.symbols)}" if scan.symbols else "the router's order list"
            return self._undecided(run, f"{listed} could not be read to the end: {scan.detail}", scan)
        try:  # only if the row is as it was read before the scan: another graphc may have settled it meanwhile
            self.record_absent(
                run_id,
                f"no order at the router carries tag {run.tag} ({scan.detail}), and its request could not land "
                f"after {iso(run.lands_by_ns)}: never created",
                expected=run.state,
            )
        except RunStateError as exc:
            return self._moved(exc.run, scan)
        message = f"run {run_id} ({run.run_key}) never created a graph; it may be submitted again"
        return ReconcileResult(self.get(run_id), False, message, scan)

    def _reconcile_intent(self, run: Run, now: int) -> ReconcileResult:
        age = (now - run.created_ns) / 1e9
        if age < INTENT_GRACE_S:
            return ReconcileResult(
                run, None, f"run {run.id} ({run.run_key}) is being submitted by another graphc right now ({age:.0f} s)"
            )
        try:  # only if still an intent: `sent` -> `absent` is allowed, but a request now in flight is not absent
            self._set(
                run.id,
                "absent",
                error="never sent: its process stopped before sending",
                note="stale intent",
                expected="intent",
            )
        except RunStateError:  # it was sent after all, just now: look again next time
            return ReconcileResult(self.get(run.id), None, f"run {run.id} ({run.run_key}) was just sent")
        return ReconcileResult(self.get(run.id), False, f"run {run.id} ({run.run_key}) was never sent")

    def _moved(self, now: Run, scan: Scan | None = None) -> ReconcileResult:
        """A reconcile that lost the race: another graphc moved the row while this one looked at the router (audit
        ledger26 2). The row as it is now is the outcome: settled (its graph, or proved absent), or still unsettled."""
        if now.graph_id:
            said, found = f"has graph {now.graph_id}", True
        elif now.state == "absent":
            said, found = "is absent: it never created a graph", False
        else:
            said, found = f"is {now.state}: look again later", None
        message = f"run {now.id} ({now.run_key}) was settled by another graphc meanwhile: it {said}"
        return ReconcileResult(now, found, message, scan)

    def _confirmed_by(self, run: Run, scan: Scan) -> ReconcileResult:
        graph_id, *others = scan.found
        warning = more_graphs_warning(run.run_key, graph_id, others) if others else None
        try:
            with self._transaction():
                now = self.get(run.id)
                if now.state == "absent" and self._claimed_elsewhere(now, graph_id):
                    return self._moved(now, scan)
                second = self._set(
                    run.id, "confirmed", graph_id=graph_id, note=f"found at the router by its tag {run.tag}"
                )
                if warning is not None:  # kept on the row: the next refusal of the run and `graphc ledger` repeat it
                    self._event(run.id, "warning", clean(warning, 4000), time.time_ns())
                warning = warning or second
        except RunStateError as exc:  # settled by another graphc meanwhile (with another graph)
            return self._moved(exc.run, scan)
        except LedgerError as exc:  # unwritable (a full disk, read-only): the graph found is named, never lost
            raise _unrecorded(exc, run.run_key, graph_id, run.id) from None
        message = f"run {run.id} ({run.run_key}) created graph {graph_id} (found at the router by its run tag)"
        if warning is not None:
            message += f"; {warning}"
        return ReconcileResult(self.get(run.id), True, message, scan, warning)

    def _claimed_elsewhere(self, run: Run, graph_id: str) -> bool:
        """Whether a graph found carrying the tag of ``run``, an attempt proved absent, is another attempt's: another
        row of the run key records it, or another attempt of the tag may still be creating it (its request in
        flight, or its answer lost). Such a graph is never relabelled as ``run``'s: ``run`` was proved to have
        created nothing (audit ledger26 2)."""
        return any(
            r.id != run.id and r.tag == run.tag and (r.graph_id == graph_id or r.pending)
            for r in self.runs(run.run_key)
        )

    def look_for_duplicates(
        self, run_id: int, client, *, wire_text: str | None = None, max_pages: int | None = None
    ) -> DuplicateCheck:
        """Look at the router, once, for graphs carrying the tag of ``run_id`` (a run with its graph) that this ledger
        does not record for the run: a second trade, sent by a process that could not see this ledger's request in
        flight (another clone or checkout, whose ledger is another file: docs/submitting.md, "What graphc cannot
        prove"). Found, they are named in a WARNING kept on the row (every later refusal of the run and `graphc
        ledger` repeat it; a ledger that cannot be written now is not an error: the next look finds them again).

        The scan is :func:`graphc.api.lookup.find_run`, with its bounds (pages, time): by the graph's symbols when
        the run key is its content (``wire_text``, the graph this run would send, else the bytes the row kept), the
        whole list otherwise. It never raises for the router's answers: a scan that cannot finish is ``done`` False.
        """
        run = self.get(run_id)
        self._check_endpoint(run, client)
        if not run.tag:  # a schema-1 row: a look for the empty tag would read every tagged order as the run's
            return _untagged_check(run)
        text = wire_text if wire_text is not None else _untagged_text(run)
        graph = _json_or_none(text)
        scan = find_run(
            client,
            run.tag,
            run.created_ns - CLOCK_SKEW_S * 10**9,
            symbols=symbols_to_scan(graph) if _content_key_of(run.run_key, text) else None,
            node_ids=node_ids_of(graph),
            max_pages=max_pages,
        )
        return self._duplicates(run, scan)

    def look_again_for_duplicates(self, run_ids, client, *, max_pages: int | None = None) -> list[DuplicateCheck]:
        """:meth:`look_for_duplicates` for every run of ``run_ids`` (each with its graph, each tag once), in one read
        of the router's whole order list (:func:`graphc.api.lookup.find_runs`) whatever their number: every run a
        `* * * * *` runner confirmed in a day is one of them (audit ops22 2), and each look read the same list. The
        pass has one scan's bounds (pages, time); a pass that cannot finish leaves every check ``done`` False."""
        runs = [self.get(run_id) for run_id in run_ids]
        for run in runs:
            self._check_endpoint(run, client)
        wanted = {
            run.tag: (run.created_ns - CLOCK_SKEW_S * 10**9, node_ids_of(run.sent_wire)) for run in runs if run.tag
        }
        scans = find_runs(client, wanted, max_pages=max_pages) if wanted else {}
        return [self._duplicates(run, scans[run.tag]) if run.tag else _untagged_check(run) for run in runs]

    def _duplicates(self, run: Run, scan: Scan) -> DuplicateCheck:
        """What ``scan`` (a look for ``run``'s tag) says of graphs carrying it that this ledger records for no attempt
        of the run; a new WARNING naming them is kept on the row."""
        # known: this row's graph only. Another row of the run key that records another graph carrying the tag is a
        # second trade as much as a graph no row records (audit ledger26 1: both rows held one, and it went unsaid)
        others = [g for g in scan.found if g != run.graph_id]
        others += [r.graph_id or "" for r in self.second_graphs(run) if r.graph_id not in others]
        message = f"no graph but {run.graph_id} carries the tag of run {run.run_key!r} ({scan.detail})"
        if not scan.complete:
            message = (
                f"graphc could not look for other graphs carrying the tag of run {run.run_key!r} (`.{run.tag}`): "
                f"{scan.detail}; whether the run was sent more than once is not known"
            )
        check = DuplicateCheck(run, others, scan.complete, message, scan=scan)
        if others:
            oldest = scan.found[0] == run.graph_id
            check.warning = clean(more_graphs_warning(run.run_key, run.graph_id or "", others, oldest=oldest), 4000)
            check.new = redact(check.warning) not in run.warnings
            if check.new:
                with contextlib.suppress(LedgerError), self._transaction():
                    self._event(run.id, "warning", check.warning, time.time_ns())
        return check

    def _undecided(self, run: Run, why: str, scan: Scan | None = None) -> ReconcileResult:
        sent, where = iso(run.sent_ns or run.created_ns), run.endpoint or "the router"
        look = (
            f"for orders whose node ids end in `.{run.tag}` (GET /v1/orders; sent {sent} to {where})"
            if run.tag  # a schema-1 row's graph carries no tag: its time is what is known of it
            else f"for a graph created around {sent}, when the run was sent to {where} (GET /v1/orders)"
        )
        message = (
            f"run {run.id} ({run.run_key}) is still uncertain: {why}. To settle it by hand, look at the router "
            f"{look}, then record what you found: {by_hand(run, time.time_ns())}"
        )
        if run.state == "uncertain":
            try:
                self._set(run.id, "uncertain", error=message, note="reconcile: undecided", expected="uncertain")
            except RunStateError as exc:  # settled by another graphc meanwhile
                return self._moved(exc.run, scan)
        return ReconcileResult(self.get(run.id), None, message, scan)

    @staticmethod
    def _check_endpoint(run: Run, client) -> None:
        """Never decide a live run's fate by asking the sandbox (or vice versa)."""
        if run.endpoint and run.endpoint != client.base_url:
            raise LedgerError(
                f"run {run.id} was submitted to {run.endpoint}, not {client.base_url}; "
                f"reconcile it with SEQUENCE_API_URL={run.endpoint}"
            )
        if run.account and run.account != client.account:
            raise LedgerError(
                f"run {run.id} was submitted with another API key (account {run.account}); "
                "reconcile it with the key it was submitted with"
            )


def _unrecorded(exc: LedgerError, run_key: str, graph_id: str, run_id: int | None = None) -> LedgerError:
    """``exc`` (the ledger could not be written) naming the graph a look at the router found for the run, which the
    message would drop otherwise (audit ledger24 3), and what records it; of ``exc``'s class (a locked ledger stays
    :class:`LedgerLocked`)."""
    if run_id is None:
        which, then = repr(run_key), "the next `graphc submit` of this run finds it again at the router and records it"
    else:
        which, then = f"{run_key!r} (ledger run {run_id})", "`graphc ledger --reconcile` records it"
    return type(exc)(
        f"run {which} has graph {graph_id} at the router (found by its run tag), but it could not be recorded: "
        f"{exc}; {then} once the ledger can be written"
    )


def _untagged_check(run: Run) -> DuplicateCheck:
    """The look for other graphs of ``run``, a run recorded by a graphc without run tags (a schema-1 ledger's row,
    whose tag is empty): not done, and no scan (audit compat27 5: a look for the empty tag took every tagged order
    at the router for the run's, and said so in a false warning)."""
    return DuplicateCheck(
        run,
        [],
        False,
        f"graphc cannot look for other graphs of run {run.run_key!r} (ledger run {run.id}): {UNTAGGED}; a graph "
        f"other than {run.graph_id} created around {iso(run.sent_ns or run.created_ns)} would be a second one",
    )


def _untagged_text(run: Run) -> str | None:
    """The graph ``run`` sent without its run tag (wire text), or None when its bytes are not kept or not readable."""
    try:
        return untagged_wire(run.wire.decode()) if run.wire else None
    except (ValueError, AttributeError):  # not UTF-8 or not JSON: as good as none
        return None


def _json_or_none(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _content_key_of(run_key: str, wire_text: str | None) -> bool:
    """Whether ``run_key`` is the content run key of ``wire_text``: its tag can then be on this graph only."""
    try:
        return wire_text is not None and is_content_run_key(run_key, wire_text)
    except ValueError:
        return False


def second_graph_warning(run_key: str, others: list[tuple[int, str]], recorded: tuple[int, str]) -> str:
    """The WARNING for a run this ledger records more than one graph for, each carrying its tag: ``others`` (ledger
    run id, graph id) held already, ``recorded`` the one just recorded, the one to cancel unless it is wanted."""
    held = ", ".join(f"graph {graph} (ledger run {row})" for row, graph in others)
    return (
        f"WARNING: run {run_key!r} was submitted twice: this ledger records {held} and graph {recorded[1]} (ledger "
        f"run {recorded[0]}) for it, each carrying its tag; two graphs trade. An attempt was taken as unable to "
        "land while its request was still on its way (the wall clock stepped forward, a process was held up, or "
        "the processes' clocks disagree; "
        'docs/submitting.md, "What graphc cannot prove"). Keep one and cancel the other: '
        f"`graphc cancel {recorded[1]}` drops the one recorded last"
    )


def more_graphs_warning(run_key: str, graph_id: str, others, *, oldest: bool = True) -> str:
    """The WARNING for a run whose tag more than one graph carries: ``graph_id`` (the oldest, unless ``oldest`` is
    False: the graph a ledger recorded, when it is not the oldest carrying the tag, or was recorded by hand and
    carries none) is taken as its graph."""
    shown = ", ".join(others[:20]) + (f", and {len(others) - 20} more" if len(others) > 20 else "")
    if not oldest:
        return (
            f"WARNING: {len(others)} more graph(s) carry the tag of run {run_key!r} ({shown}): it was submitted more "
            "than once, by processes that could not see each other's request in flight (such as two clones or "
            'checkouts of the project, each with its own ledger; docs/submitting.md, "What graphc cannot prove"). '
            f"This ledger recorded {graph_id} for it; cancel the graphs you do not want (`graphc cancel ID`)"
        )
    return (
        f"WARNING: {len(others)} more graph(s) carry the tag of run {run_key!r} ({shown}): it was submitted more "
        'than once (runners that looked at the router at the same moment; docs/submitting.md, "What graphc cannot '
        f"prove\"). {graph_id}, the oldest, is taken as the run's graph; cancel the extra ones (`graphc cancel ID`) "
        "unless you want them"
    )


# Why an unsettled attempt of another scope blocks: a scope is a URL spelling and a key, not a router and an account.
UNSETTLED_ELSEWHERE = (
    "Another URL or API key may reach the same router and account (`localhost` for `127.0.0.1`, a second key of "
    "one account), and the router cannot show a request before it lands, so no attempt of this run is sent "
    "while that one is unsettled"
)


def landing_open(run: Run, now_ns: int, boot_now_ns: int | None = None, *, wall_only: bool = False) -> bool:
    """Whether ``run``'s request may still reach the router at ``now_ns`` (the wall clock): its landing time has
    passed only when both clocks say so, the wall clock (``lands_by``) and, for a process of the boot the row's
    ``lands_by`` was recorded on, the boot clock (``boot_now_ns``, read now when None). A wall-clock step alone
    (audit ledger26 1) or a boot clock offset alone (a time namespace: same boot id, another CLOCK_BOOTTIME, audit
    submit28 2) cannot end it early; when they disagree, :func:`clocks_disagree` says which. Any other process, or a
    row recorded without a boot clock, has the wall clock only (docs/submitting.md, "What graphc cannot prove").
    ``wall_only``: ``now_ns`` decides (a time the caller gives, as :meth:`Ledger.reconcile`'s ``now_ns``)."""
    if run.lands_by_ns is None:
        return False
    if now_ns < run.lands_by_ns:
        return True
    left = None if wall_only else _boot_left_ns(run, boot_now_ns)
    return left is not None and left > 0


def _boot_left_ns(run: Run, boot_now_ns: int | None = None) -> int | None:
    """How long the boot clock says ``run``'s request may still land (<= 0: passed), or None when it does not apply
    (another boot, no boot clock, a row recorded without one)."""
    if run.lands_by_boot_ns is None or run.boot_id is None or run.boot_id != boot_id():
        return None
    boot_now = boot_ns() if boot_now_ns is None else boot_now_ns
    return None if boot_now is None else run.lands_by_boot_ns - boot_now


def clocks_disagree(run: Run, now_ns: int, boot_now_ns: int | None = None, *, wall_only: bool = False) -> str:
    """Words that follow ``run``'s ``lands_by`` when the wall clock and the boot clock disagree on whether it has
    passed (graphc then waits for both: :func:`landing_open`): which clock says what; "" when they agree, or only
    the wall clock applies."""
    if run.lands_by_ns is None or wall_only:
        return ""
    left = _boot_left_ns(run, boot_now_ns)
    if left is None or (now_ns < run.lands_by_ns) == (left > 0):
        return ""
    why = (
        "a wall clock stepped, or graphc processes of one boot in different time namespaces (each its own boot "
        'clock); graphc waits until both say it has passed: docs/submitting.md, "What graphc cannot prove"'
    )
    if left > 0:
        return (
            f" (on the wall clock, which says it has passed; this machine's boot clock disagrees: it says the "
            f"request may still land for {math.ceil(left / 1e9)} s more, until about {iso(now_ns + left)}: {why})"
        )
    return f" (on the wall clock; this process's boot clock disagrees: it says that time has passed: {why})"


def in_flight(run: Run, now_ns: int, boot_now_ns: int | None = None, *, wall_only: bool = False) -> str | None:
    """An attempt another graphc is making right now, as far as the ledger can tell, described; else None.

    An ``intent`` is about to be sent; a ``sent`` row whose request may still land is a request on its way (or a
    process that stopped mid-request: the ledger cannot tell them apart before ``lands_by``)."""
    if run.state == "intent":
        return (
            f"another graphc is submitting this run right now (its attempt was recorded at {iso(run.created_ns)} "
            "and is not sent yet); try again in a minute, when its outcome is recorded"
        )
    if run.state == "sent" and landing_open(run, now_ns, boot_now_ns, wall_only=wall_only):
        return (
            f"another graphc's request for this run is in flight (sent at {iso(run.sent_ns)}; that graphc has not "
            "recorded an answer yet: it is waiting for one, stopped before it could record it, or printed one it "
            "could not record (`graph G WAS CREATED`: `graphc ledger --reconcile` records it)); it may still reach "
            f"the router until "
            f"{iso(run.lands_by_ns)}{clocks_disagree(run, now_ns, boot_now_ns, wall_only=wall_only)}; try again "
            "after that time: the next submit of this run looks for its graph at the router first"
        )
    return None


def by_hand(run: Run, now_ns: int) -> str:
    """The two commands that settle ``run`` by hand, and from when the second is accepted (:meth:`Ledger.resolve`)."""
    later = run.state != "intent" and landing_open(run, now_ns)
    traded = f"`graphc ledger --resolve {run.id} --graph-id ID` if it traded"
    if later and run.state == "sent":  # Ledger.resolve: the graphc sending it may still record its answer
        traded += f" (accepted after {iso(run.lands_by_ns)}: until then the graphc sending it records its answer)"
    forced = f"`graphc ledger --resolve {run.id} --not-submitted` to submit it again (the way to force it)"
    if later:
        forced += f", accepted after {iso(run.lands_by_ns)}, once its request can no longer land"
    return f"{traded}, or {forced}"


def _too_soon(run: Run, now_ns: int) -> str:
    """Why ``--not-submitted`` is refused for ``run`` now: its request may still land."""
    why = in_flight(run, now_ns) if run.state == "sent" else may_land(run, now_ns)
    then = (
        "`graphc ledger --reconcile` records a graph as soon as it is listed, and after that time settles the run "
        "from the router"
        if run.state == "sent"  # --graph-id waits for lands_by too: the graphc sending it records its answer
        else "After that time, `graphc ledger --reconcile` settles it from the router; "
        f"`graphc ledger --resolve {run.id} --graph-id ID` records a graph found now"
    )
    return (
        f"--not-submitted is refused before {iso(run.lands_by_ns)}: {why}. A look at the router before then proves "
        f"nothing, since a graph is listed only once its request lands. {then}"
    )


def _sender_may_record(run: Run, now_ns: int) -> str:
    """Why ``--graph-id`` is refused for ``run`` now: another graphc may be sending it, and record its answer."""
    return (
        f"--resolve {run.id} --graph-id is refused before {iso(run.lands_by_ns)}, and nothing was recorded: "
        f"{in_flight(run, now_ns)}. That graphc records the graph the router answers with, and a graph id given now "
        "would stand in for it for good. If it stopped (it printed `graph G WAS CREATED`, or was killed), `graphc "
        "ledger --reconcile` records the graph from the router by the run's tag as soon as it is listed; after "
        f"{iso(run.lands_by_ns)}, `graphc ledger --resolve {run.id} --graph-id ID` is accepted"
    )


def in_flight_refusal(run: Run, now_ns: int) -> str | None:
    """Why a new attempt of the run key is not sent while ``run``, another graphc's attempt, is in flight
    (:func:`in_flight`), as every refusal of it says so (PendingUncertain's detail); else None."""
    flying = in_flight(run, now_ns)
    return None if flying is None else f"{flying}; nothing was sent for this run"


def may_land(run: Run, now_ns: int) -> str:
    """When an unsettled attempt may still reach the router, as far as the ledger knows."""
    if run.state == "intent":
        return f"recorded at {iso(run.created_ns)} and not sent yet: a graphc may be about to send it"
    if run.lands_by_ns is None:
        return "its request may have reached the router"
    if landing_open(run, now_ns):
        return f"its request may still reach the router until {iso(run.lands_by_ns)}{clocks_disagree(run, now_ns)}"
    return (
        f"its request could reach the router until {iso(run.lands_by_ns)}; whether it did is known only by "
        "looking at the router it was sent to"
    )


def elsewhere(run: Run, scope: Scope, ledger_arg: str = "") -> str:
    """Where a run of another scope was submitted (its URL, and which key: the account fingerprint, never the key),
    and the command that reconciles it there."""
    if run.endpoint and run.endpoint != scope.endpoint:
        key = (
            f" and the API key it was submitted with (account {run.account})"
            if run.account and run.account != scope.account
            else " (with this API key)"
        )
        return (
            f"it was submitted to {run.endpoint}; reconcile it with "
            f"`SEQUENCE_API_URL={shlex.quote(run.endpoint)} graphc ledger --reconcile{ledger_arg}`{key}"
        )
    return (
        f"it was submitted with another API key (account {run.account}); "
        f"reconcile it with `graphc ledger --reconcile{ledger_arg}` and the key it was submitted with"
    )


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT: check-then-write is atomic across processes sharing the file."""

    def __init__(self, db: sqlite3.Connection, path):
        self.db, self.path = db, path
        self.outer = not db.in_transaction

    def __enter__(self):
        if self.outer:
            with _sqlite_errors(self.path):
                self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        with _sqlite_errors(self.path):
            if self.outer and self.db.in_transaction:
                self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        if isinstance(exc, SQLITE_FAILURES):
            raise _ledger_error(exc, self.path) from None
        return False


# What a use of the ledger's SQLite connection raises when SQLite fails: its own errors, and UnicodeDecodeError,
# which Python's sqlite3 raises instead when SQLite's error message is not UTF-8 (the message of a damaged schema
# quotes the damaged text: audit ops19 5, one byte of it crashed `ledger`, `submit` and `amend`). The one list
# Ledger's opening, its reads (_sqlite_errors) and its transactions (_Transaction) turn into a LedgerError.
SQLITE_FAILURES = (sqlite3.Error, UnicodeDecodeError)


@contextlib.contextmanager
def _sqlite_errors(path):
    """Every SQLite failure (locked, unwritable, corrupt) becomes a one-line LedgerError."""
    try:
        yield
    except SQLITE_FAILURES as exc:
        raise _ledger_error(exc, path) from None


def _ledger_error(exc: Exception, path) -> LedgerError:
    if _is_locked(exc):
        held = f"graphc waited {BUSY_TIMEOUT_S:g} s for the ledger {path}, and another process holds it ({exc})"
        locked = LedgerLocked(f"{held}; try again once it is done")
        locked.cause = held  # the words without the advice, for a request already sent (graphc.api.changes)
        return locked
    return LedgerUnusable(f"the ledger {path} cannot be used: {_sqlite_message(exc)}")


def _is_locked(exc: Exception) -> bool:
    """Whether SQLite gave up waiting for another connection's lock (its busy timeout, :data:`BUSY_TIMEOUT_S`)."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


DAMAGED = "it is damaged, or not graphc's"
# a row of a schema-1 ledger (its tag is empty: MIGRATE_V1): its graph cannot be told from another by a tag
UNTAGGED = "it was recorded by a graphc without run tags, so it cannot be looked up at the router"


def _sqlite_message(exc: Exception) -> str:
    """SQLite's message, or what an undecodable one means: the file is damaged (its schema text is not UTF-8)."""
    if isinstance(exc, UnicodeDecodeError):
        return f"{DAMAGED}: SQLite's error about it is not UTF-8 text (byte {exc.object[exc.start]:#04x})"
    return str(exc)


SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's own files beside the ledger, by the ledger's name


def _create_private(path: Path) -> tuple[int, int]:
    """The ledger's directory (0700, with a .gitignore) and file (0600), before SQLite opens it; returns the
    file's identity, for :class:`Ledger` to check that SQLite opened that file.

    Refused (:class:`LedgerError`, before anything is sent): a ``.graphc``, ledger or SQLite journal that is a
    symbolic link (a repository may hold one pointing outside it: graphc would write or truncate a file there, or
    read a ledger planted there), a ledger or SQLite file of it that git tracks (:func:`_refuse_tracked`), and a
    ledger that is not a regular file (a FIFO would hang SQLite's open). The
    file is opened without following a link (``O_NOFOLLOW``), so one made after the look is refused too.
    """
    linked = linked_state_part(path, *(f"{path}{suffix}" for suffix in SIDE_FILES))
    if linked is not None:
        raise LedgerError(
            f"cannot use the ledger {path}: {linked} is a symbolic link, and graphc never reads or writes its "
            f"ledger through one (a repository may hold a link that points outside it); remove the link "
            f"(`rm {shlex.quote(str(linked))}`: what it points to is left alone) and run again"
        )
    _refuse_tracked(path)
    ensure_private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # O_EXCL: never through a link
    try:
        return regular_file_identity(path)
    except NotRegularFile as exc:
        raise LedgerError(
            f"cannot use the ledger {path}: {exc.strerror}; move it away (or pass --ledger PATH) and run again"
        ) from None


def _refuse_tracked(path: Path) -> None:
    """Refuse (:class:`LedgerError`) a ledger, or a SQLite file of it, that git tracks (audit sec16 1, as the lint
    cache): it came with the checkout, committed with ``git add -f`` past ``.graphc/.gitignore``, and a pull
    request may have chosen its rows: a run recorded as submitted is never sent (a missed trade), an unsettled
    attempt blocks its run, a graph id is what amend reads. A ``--ledger PATH`` git tracks is refused the same:
    the option says which file, not that a checkout's copy of it is this machine's record."""
    names = [path.name, *(f"{path.name}{suffix}" for suffix in SIDE_FILES)]
    tracked = git_tracked(real_path(path.parent), *names)
    if tracked is None:
        return
    shown = path.with_name(tracked)
    what = "it" if tracked == path.name else f"its SQLite file {shown}"
    keep = "keep `.graphc/` ignored" if path.parent.name == STATE_DIR else "ignore it"
    raise LedgerError(
        f"cannot use the ledger {path}: git tracks {what}, and a ledger that comes with the checkout is not trusted "
        "(a pull request could make a run look submitted, hold it back with an unsettled attempt, or name the graph "
        f"amend reads); if its runs are yours, take it out of git (`git rm --cached {shlex.quote(str(shown))}`) "
        f"and {keep}, or pass --ledger PATH naming a ledger git does not track"
    )


def _identity(path: Path) -> tuple[int, int] | None:
    """``(device, inode)`` of the file at ``path`` itself; None when it is gone or a symbolic link."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return None if stat.S_ISLNK(info.st_mode) else (info.st_dev, info.st_ino)


def _change(row: sqlite3.Row) -> Change:
    return Change(
        id=row["id"],
        kind=row["kind"],
        endpoint=row["endpoint"],
        account=row["account"],
        target=row["target"],
        fields=_json_object(row["fields"]) or {},
        said=redact(row["said"]),
        seen=_json_object(row["seen"]),
        state=row["state"],
        note=redact(row["note"]) if row["note"] else None,
        sent_ns=row["sent_ns"],
        lands_by_ns=row["lands_by_ns"],
    )


def _json_object(text) -> dict | None:
    """A JSON object the ledger holds, or None (none held, or not an object: as good as none)."""
    try:
        value = json.loads(text) if text else None
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _run(row: sqlite3.Row, warnings: tuple[str, ...] = ()) -> Run:
    return Run(
        id=row["id"],
        run_key=row["run_key"],
        endpoint=row["endpoint"],
        account=row["account"],
        tag=row["tag"],
        playbook=row["playbook"],
        wire_hash=row["wire_hash"],
        state=row["state"],
        graph_id=row["graph_id"],
        live=None if row["live"] is None else bool(row["live"]),
        error=redact(row["error"]) if row["error"] else None,
        sent_ns=row["sent_ns"],
        lands_by_ns=row["lands_by_ns"],
        created_ns=row["created_ns"],
        updated_ns=row["updated_ns"],
        wire=row["wire"],
        warnings=tuple(redact(w) for w in warnings),
        boot_id=row["boot_id"],
        lands_by_boot_ns=row["lands_by_boot_ns"],
    )
