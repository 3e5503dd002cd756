"""The submission ledger: a local SQLite record of every submission attempt.

Why: a graph must reach the router *exactly once*.  Networks fail in the
worst place (after the router applied a POST, before we heard back), and
recurring jobs get retried by cron or CI.  The ledger makes both safe:

* an *intent* row is committed before the POST and the graph id after it, so
  a crash or timeout in between leaves evidence, never silence;
* a *run key* (default: playbook name + hash of the compiled graph) refuses a
  second submission of the same run unless forced;
* an attempt whose outcome is unknown is *uncertain* and must be reconciled
  against the router's order list before that run key is submitted again.

States: ``intent`` -> ``submitted`` | ``uncertain`` | ``failed`` | ``reconciled``;
``uncertain`` -> ``reconciled`` | ``failed``.  A graph id learnt later always
wins over an earlier conclusion (it is recorded even on a ``failed`` row).

The ledger never stores credentials: every error text goes through
:func:`graphc.api.secrets.redact`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from graphc.api.errors import (
    AlreadySubmitted,
    ApiError,
    LedgerError,
    PendingUncertain,
    UncertainOutcome,
)
from graphc.api.secrets import redact
from graphc.files import find_project_root

__all__ = [
    "Ledger",
    "ReconcileResult",
    "Run",
    "SubmitOutcome",
    "default_ledger_path",
    "default_run_key",
    "find_project_root",
    "guarded_submit",
    "parse_node_order_id",
    "wire_hash",
]

STATES = ("intent", "submitted", "uncertain", "failed", "reconciled")
IN_FLIGHT_GRACE_S = 120  # an intent younger than this may belong to a POST still in progress
CLOCK_SKEW_S = 30
MATCH_WINDOW_S = 600

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_key TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    playbook TEXT NOT NULL,
    wire_hash TEXT NOT NULL,
    wire BLOB,
    state TEXT NOT NULL CHECK (state IN ('intent', 'submitted', 'uncertain', 'failed', 'reconciled')),
    graph_id TEXT,
    live INTEGER NOT NULL,
    endpoint TEXT,
    error TEXT,
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (run_key);
CREATE TABLE IF NOT EXISTS run_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    at_ns INTEGER NOT NULL,
    state TEXT NOT NULL,
    note TEXT
);
"""


def default_ledger_path(start=None) -> Path:
    return find_project_root(start) / ".graphc" / "ledger.sqlite"


def wire_hash(wire: bytes) -> str:
    return hashlib.sha256(wire).hexdigest()


def default_run_key(playbook: str, wire: bytes) -> str:
    """Same playbook + same compiled bytes = same run: a retried job cannot double-trade."""
    return f"{playbook}@{wire_hash(wire)[:16]}"


def parse_node_order_id(value: str) -> tuple[str, str, str] | None:
    """``graph:<graph_id>:<node_id>:<n>`` -> (graph_id, node_id, n), else None."""
    if not isinstance(value, str) or not value.startswith("graph:"):
        return None
    head, _, n = value.rpartition(":")
    parts = head.split(":", 2)
    if len(parts) != 3 or not parts[1] or not parts[2] or not n:
        return None
    return parts[1], parts[2], n


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Run:
    id: int
    run_key: str
    idempotency_key: str
    playbook: str
    wire_hash: str
    state: str
    graph_id: str | None
    live: bool
    endpoint: str | None
    error: str | None
    created_ns: int
    updated_ns: int
    wire: bytes | None = field(default=None, repr=False)

    @property
    def pending(self) -> bool:
        """An attempt that may have reached the router without us knowing its graph."""
        return self.state in ("intent", "uncertain") and not self.graph_id

    @property
    def created_at(self) -> str:
        return _iso(self.created_ns)

    @property
    def updated_at(self) -> str:
        return _iso(self.updated_ns)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "run_key": self.run_key,
            "idempotency_key": self.idempotency_key,
            "playbook": self.playbook,
            "wire_hash": self.wire_hash,
            "state": self.state,
            "graph_id": self.graph_id,
            "live": self.live,
            "endpoint": self.endpoint,
            "error": self.error,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass
class ReconcileResult:
    """``found``: True (graph id known), False (router proves none), None (still unknown)."""

    run: Run
    found: bool | None
    message: str


@dataclass
class SubmitOutcome:
    run: Run
    response: dict
    reconciled: list[ReconcileResult]


class Ledger:
    """SQLite-backed run ledger; one connection, explicit transactions."""

    def __init__(self, path=None):
        self.path = Path(path) if path is not None else default_ledger_path()
        self._prepare_dir(self.path.parent)
        try:
            self._db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open ledger {self.path}: {exc}") from None
        self._db.row_factory = sqlite3.Row

    @staticmethod
    def _prepare_dir(directory: Path) -> None:
        """Create the ledger directory; a fresh ``.graphc`` keeps itself out of git."""
        fresh = not directory.exists()
        directory.mkdir(parents=True, exist_ok=True)
        if fresh and directory.name == ".graphc":
            (directory / ".gitignore").write_text("*\n")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    # -- reading -----------------------------------------------------------

    def get(self, run_id: int) -> Run:
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise LedgerError(f"no ledger run {run_id}")
        return _run(row)

    def runs(self, run_key: str | None = None, state: str | None = None) -> list[Run]:
        """Runs oldest first, optionally for one run key and/or state."""
        sql, args = "SELECT * FROM runs WHERE 1=1", []
        if run_key is not None:
            sql, args = sql + " AND run_key = ?", args + [run_key]
        if state is not None:
            sql, args = sql + " AND state = ?", args + [state]
        return [_run(r) for r in self._db.execute(sql + " ORDER BY id", args)]

    def pending(self, run_key: str | None = None) -> list[Run]:
        return [r for r in self.runs(run_key) if r.pending]

    def graph_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT graph_id FROM runs WHERE graph_id IS NOT NULL")}

    def events(self, run_id: int) -> list[dict]:
        rows = self._db.execute("SELECT * FROM run_events WHERE run_id = ? ORDER BY id", (run_id,))
        return [{"at": _iso(r["at_ns"]), "state": r["state"], "note": r["note"]} for r in rows]

    # -- writing -----------------------------------------------------------

    def begin(
        self,
        run_key: str,
        name: str,
        wire_hash: str,
        live: bool,
        *,
        wire: bytes | None = None,
        endpoint: str | None = None,
        force: bool = False,
    ) -> int:
        """Commit an intent row *before* the POST; returns the run id.

        Refuses (``AlreadySubmitted``) when the run key already has a graph,
        unless ``force``; refuses (``PendingUncertain``) while an earlier
        attempt is unresolved, force or not.  A forced re-submission gets its
        own idempotency key (``<run_key>#<run id>``) so the router does not
        treat it as a replay of the first.
        """
        if not run_key:
            raise LedgerError("empty run key")
        now = time.time_ns()
        with self._transaction():
            previous = self.runs(run_key)
            self._refuse_if_taken(run_key, previous, force)
            cur = self._db.execute(
                "INSERT INTO runs (run_key, idempotency_key, playbook, wire_hash, wire, state, live, endpoint,"
                " created_ns, updated_ns) VALUES (?, ?, ?, ?, ?, 'intent', ?, ?, ?, ?)",
                (run_key, run_key, name, wire_hash, wire, int(bool(live)), endpoint, now, now),
            )
            run_id = cur.lastrowid
            if any(r.graph_id for r in previous):
                self._db.execute("UPDATE runs SET idempotency_key = ? WHERE id = ?", (f"{run_key}#{run_id}", run_id))
            self._event(run_id, "intent", "before POST", now)
        return run_id

    @staticmethod
    def _refuse_if_taken(run_key: str, previous: list[Run], force: bool) -> None:
        for run in previous:
            if run.pending:
                raise PendingUncertain(run_key, run.id, run.error or f"state {run.state}")
        if not force:
            for run in previous:
                if run.graph_id:
                    raise AlreadySubmitted(run_key, run.graph_id, run.id)

    def record_submitted(self, run_id: int, graph_id: str) -> None:
        """The router answered with a graph id: the definitive good outcome."""
        self._set(run_id, "submitted", graph_id=graph_id, note="router accepted")

    def record_uncertain(self, run_id: int, reason: str) -> None:
        """The POST may have been applied; must be reconciled before a retry."""
        self._set(run_id, "uncertain", error=reason, note=reason)

    def record_failed(self, run_id: int, reason: str) -> None:
        """The router refused, or nothing was sent: safe to submit again."""
        self._set(run_id, "failed", error=reason, note=reason)

    def resolve(self, run_id: int, *, graph_id: str | None = None, note: str = "resolved by hand") -> Run:
        """A human's verdict on an uncertain run: its graph id, or 'never created'."""
        run = self.get(run_id)
        if not run.pending:
            raise LedgerError(f"run {run_id} is {run.state}; only intent/uncertain runs need resolving")
        if graph_id:
            self._set(run_id, "reconciled", graph_id=graph_id, note=note)
        else:
            self._set(run_id, "failed", error=f"{note}: not submitted", note=note)
        return self.get(run_id)

    _ALLOWED: ClassVar[dict[str, set[str]]] = {
        "intent": {"submitted", "uncertain", "failed", "reconciled"},
        "uncertain": {"reconciled", "failed", "uncertain"},
        "failed": {"submitted", "reconciled"},  # a graph id learnt late still wins
        "submitted": set(),
        "reconciled": set(),
    }

    def _set(
        self, run_id: int, state: str, *, graph_id: str | None = None, error: str | None = None, note: str | None = None
    ) -> None:
        now = time.time_ns()
        with self._transaction():
            run = self.get(run_id)
            if state not in self._ALLOWED[run.state]:
                if run.graph_id and graph_id == run.graph_id:
                    return  # the same news twice
                raise LedgerError(f"run {run_id} is {run.state}; cannot mark it {state}")
            self._db.execute(
                "UPDATE runs SET state = ?, graph_id = COALESCE(?, graph_id), error = ?, updated_ns = ? WHERE id = ?",
                (state, graph_id, redact(error)[:2000] if error else None, now, run_id),
            )
            self._event(run_id, state, redact(note)[:2000] if note else None, now)

    def _event(self, run_id: int, state: str, note: str | None, now: int) -> None:
        self._db.execute(
            "INSERT INTO run_events (run_id, at_ns, state, note) VALUES (?, ?, ?, ?)", (run_id, now, state, note)
        )

    def _transaction(self):
        return _Transaction(self._db)

    # -- reconciliation ----------------------------------------------------

    def reconcile(
        self, run_id: int, client, *, max_pages: int = 20, in_flight_grace: float = IN_FLIGHT_GRACE_S
    ) -> ReconcileResult:
        """Find out whether an unresolved attempt created a graph.

        1. Orders whose ``idempotency_key``/``client_order_id`` equals the run's
           key identify the graph (the sandbox lists them).
        2. If the router says it lists idempotency keys and none matches, the
           graph was never created: the run becomes ``failed`` (safe to retry).
        3. Otherwise graphs whose orders match the submitted nodes (node ids,
           symbols, sides), created just after the intent and unknown to the
           ledger: exactly one such graph is taken as the run's.
        4. Anything else leaves the run ``uncertain`` for a human.
        Network errors propagate; the run is left as it was.
        """
        run = self.get(run_id)
        if not run.pending:
            return ReconcileResult(run, bool(run.graph_id), f"run {run_id} is already {run.state}")
        self._check_endpoint(run, client)
        age = (time.time_ns() - run.created_ns) / 1e9
        if run.state == "intent" and age < in_flight_grace:
            return ReconcileResult(run, None, f"run {run_id} started {age:.0f} s ago and may still be in flight")
        orders, keys_listed = _scan_orders(client, max_pages)
        graph_id = _match_by_key(run, orders)
        if graph_id:
            return self._reconciled(run_id, graph_id, "found by idempotency key in the router's order list")
        if keys_listed:
            self._set(
                run_id,
                "failed",
                error="router lists idempotency keys and none matches: never created",
                note="reconciled: not created",
            )
            message = f"run {run_id} never reached the router; safe to submit again"
            return ReconcileResult(self.get(run_id), False, message)
        return self._reconcile_by_shape(run, orders)

    def _reconcile_by_shape(self, run: Run, orders: list[dict]) -> ReconcileResult:
        candidates = _match_by_shape(run, orders, self.graph_ids())
        if len(candidates) == 1:
            return self._reconciled(run.id, candidates[0], "matched by node ids, symbols, sides and creation time")
        detail = (
            f"{len(candidates)} graphs match it ({', '.join(candidates[:5])})"
            if candidates
            else "no matching graph is listed, but this router does not list idempotency keys, "
            "so that is no proof it was never created"
        )
        message = (
            f"run {run.id} ({run.run_key}) is still uncertain: {detail}; check the router, then "
            f"`graphc ledger --resolve {run.id} --graph-id ID` or `--not-submitted`"
        )
        self._set(run.id, "uncertain", error=message, note="reconcile: undecided")
        return ReconcileResult(self.get(run.id), None, message)

    def _reconciled(self, run_id: int, graph_id: str, how: str) -> ReconcileResult:
        self._set(run_id, "reconciled", graph_id=graph_id, note=how)
        return ReconcileResult(self.get(run_id), True, f"run {run_id} created graph {graph_id} ({how})")

    @staticmethod
    def _check_endpoint(run: Run, client) -> None:
        """Never decide a live run's fate by asking the sandbox (or vice versa)."""
        if run.endpoint and run.endpoint != client.base_url:
            raise LedgerError(
                f"run {run.id} was submitted to {run.endpoint}, not {client.base_url}; "
                f"reconcile it with SEQUENCE_API_URL={run.endpoint}"
            )


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT: the check-then-insert in ``begin`` is atomic
    across processes sharing the ledger file."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self.outer = not db.in_transaction

    def __enter__(self):
        if self.outer:
            self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if self.outer:
            self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def _run(row: sqlite3.Row) -> Run:
    return Run(
        id=row["id"],
        run_key=row["run_key"],
        idempotency_key=row["idempotency_key"],
        playbook=row["playbook"],
        wire_hash=row["wire_hash"],
        state=row["state"],
        graph_id=row["graph_id"],
        live=bool(row["live"]),
        endpoint=row["endpoint"],
        error=row["error"],
        created_ns=row["created_ns"],
        updated_ns=row["updated_ns"],
        wire=row["wire"],
    )


def _scan_orders(client, max_pages: int) -> tuple[list[dict], bool]:
    """All listed orders (bounded), and whether the router lists idempotency keys."""
    orders, offset, keys_listed = [], 0, False
    for _ in range(max_pages):
        page = client.list_orders(limit=100, offset=offset)
        keys_listed = keys_listed or bool(page.get("idempotency_key_supported"))
        entries = page.get("orders") or []
        orders.extend(entries)
        if not entries or not page.get("has_more"):
            break
        offset += len(entries)
    return orders, keys_listed


def _match_by_key(run: Run, orders: list[dict]) -> str | None:
    for entry in orders:
        if run.idempotency_key in (entry.get("idempotency_key"), entry.get("client_order_id")):
            parsed = parse_node_order_id(entry.get("node_order_id"))
            if parsed:
                return parsed[0]
    return None


def _wire_legs(wire: bytes | None) -> dict | None:
    """{node_id: (SYMBOL, SIDE)} of the submitted graph; simple orders use key None."""
    try:
        data = json.loads(wire) if wire else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("nodes"), list):
        return {
            n.get("node_id"): (str(n.get("instrument", {}).get("symbol")), str(n.get("side", "")).upper())
            for n in data["nodes"]
            if isinstance(n, dict)
        }
    if "symbol" in data:
        return {None: (str(data["symbol"]), str(data.get("side", "")).upper())}
    return None


def _match_by_shape(run: Run, orders: list[dict], known: set[str]) -> list[str]:
    """Graph ids whose listed orders all fit the submitted nodes, created near the intent."""
    legs = _wire_legs(run.wire)
    if not legs:
        return []
    by_graph: dict[str, list[tuple[str, dict]]] = {}
    for entry in orders:
        parsed = parse_node_order_id(entry.get("node_order_id"))
        if parsed and parsed[0] not in known:
            by_graph.setdefault(parsed[0], []).append((parsed[1], entry))
    low = run.created_ns - CLOCK_SKEW_S * 10**9
    high = run.created_ns + MATCH_WINDOW_S * 10**9
    return [
        gid
        for gid, entries in by_graph.items()
        if all(_leg_fits(legs, node, entry) for node, entry in entries)
        and low <= min(e.get("created_unix_ns") or 0 for _, e in entries) <= high
    ]


def _leg_fits(legs: dict, node_id: str, entry: dict) -> bool:
    expected = legs.get(node_id) or (legs.get(None) if len(legs) == 1 else None)
    return expected is not None and expected == (str(entry.get("symbol")), str(entry.get("side", "")).upper())


def guarded_submit(
    ledger: Ledger, client, *, run_key: str, playbook: str, wire: bytes, live: bool, force: bool = False
) -> SubmitOutcome:
    """Submit ``wire`` at most once for ``run_key``: reconcile, intent, POST, record.

    Raises ``PendingUncertain`` when an earlier attempt cannot be resolved,
    ``AlreadySubmitted`` when the run already has a graph (unless ``force``),
    ``UncertainSubmission`` (run recorded uncertain) or another ``ApiError``
    (run recorded failed) when the POST does not succeed.
    """
    if not isinstance(wire, (bytes, bytearray)):
        raise TypeError("guarded_submit takes the exact wire bytes")
    results = [ledger.reconcile(r.id, client) for r in ledger.pending(run_key)]
    unresolved = ledger.pending(run_key)
    if unresolved:
        raise PendingUncertain(run_key, unresolved[0].id, results[-1].message if results else "")
    run_id = ledger.begin(run_key, playbook, wire_hash(wire), live, wire=wire, endpoint=client.base_url, force=force)
    try:
        response = client.submit_graph(wire, idempotency_key=ledger.get(run_id).idempotency_key)
    except UncertainOutcome as exc:
        ledger.record_uncertain(run_id, str(exc))
        raise
    except ApiError as exc:
        ledger.record_failed(run_id, str(exc))
        raise
    except BaseException:
        ledger.record_uncertain(run_id, "interrupted while the submission was in flight")
        raise
    ledger.record_submitted(run_id, response["graph_id"])
    return SubmitOutcome(ledger.get(run_id), response, results)
