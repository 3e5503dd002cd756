"""The sandbox router's engine: graphs as discrete-event simulations, and the router's state.

* :class:`Graph` simulates one execution graph. Time is integer milliseconds of
  *simulated* time; fills are deterministic (a fixed number of equal fills at a
  fixed interval, priced at the limit, else at the symbol's configured price:
  the ask for a buy, the bid for a sell when the price table has them), and
  every edge trigger of the router's reference is honoured. Each graph keeps an
  ordered event log.
* :class:`Sandbox` holds every graph, the fills, the kill switch, idempotency
  keys (honoured, or ignored like the reference router), and the simulated
  clock (wall clock x ``speed``, explicit ticks, or fast-forward to the next
  event on every request).

Simulation runs lazily: every request first advances all graphs to "now", so a
graph's state is exact whenever anyone looks at it, with no timer thread.
Submissions are validated by :mod:`graphc.sandbox.validate` (the wire schema and lint's graph rules).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from graphc.facts import orders_over_limit, wire_node_facts
from graphc.quotes import Quote
from graphc.sandbox.faults import FaultInjector
from graphc.sandbox.hosted import HostedRunner
from graphc.sandbox.validate import (
    EdgeSpec,
    GraphSpec,
    NodeSpec,
    ValidationError,
    parse_json,
    parse_submission,
)
from graphc.units import INT64_MAX
from graphc.venues import MarketResolver
from graphc.vocabulary import MAX_SLIPPAGE_BPS, PRICE_DIGITS, TERMINAL_GRAPH_STATUSES, TERMINAL_NODE_STATUSES, URGENCIES

__all__ = ["Clock", "Graph", "Sandbox", "SandboxConfig", "SandboxHTTPError"]

DEFAULT_PRICE = Decimal(100)
MAX_INT64 = 2**63 - 1
CLIENT_ID = "client_sandbox"
TERMINAL_NODE = frozenset(TERMINAL_NODE_STATUSES)
TERMINAL_GRAPH = frozenset(TERMINAL_GRAPH_STATUSES)
ORDER_STATUS = {
    "executing": "ACTIVE",
    "filled": "COMPLETED",
    "partial_fill": "PARTIALLY_FILLED",
    "cancelled": "CANCELLED",
    "rejected": "REJECTED",
    "failed": "FAILED",
}
AMENDABLE = ("qty_1e8", "urgency", "max_slippage_bps", "horizon_ms")
# An amend's numbers within the wire's bounds, each with lint's code for it: what POST /v1/orders refuses in a node
# (GC103: the wire schema's signed 64-bit range) and what `graphc amend --slippage` takes (GC403).
_AMEND_BOUNDS = {
    "qty_1e8": (INT64_MAX, "GC103", "the wire's signed 64-bit range"),
    "max_slippage_bps": (MAX_SLIPPAGE_BPS, "GC403", "the most a slippage cap may be"),
    "horizon_ms": (INT64_MAX, "GC103", "the wire's signed 64-bit range"),
}


class SandboxHTTPError(Exception):
    """An error answer: status, machine code, human message; ``rule`` names lint's code for it."""

    def __init__(self, status: int, code: str, message: str, rule: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.rule = status, code, message, rule

    def body(self) -> dict:
        err = {"code": self.code, "message": self.message}
        if self.rule:
            err["rule"] = self.rule
        return {"error": err}


@dataclass
class SandboxConfig:
    """Knobs of the simulator; all times in simulated milliseconds."""

    seed: int = 0
    speed: float = 1.0
    fills_per_node: int = 4
    fill_interval_ms: int = 500
    accept_latency_ms: int = 50
    # symbol -> {"price": Decimal, "bid": Decimal?, "ask": Decimal?, "path": [(ms, Decimal)]}
    prices: dict = field(default_factory=dict)
    reject_symbols: set = field(default_factory=set)
    # GET /v1/orders lists each order's Idempotency-Key (the reference router lists none)
    expose_idempotency_keys: bool = True
    runner_python: tuple = ()  # hosted strategies run as `*runner_python -u main.py` (default: this python -I -S)
    # a repeated Idempotency-Key replays the first answer (the reference router documents no such key)
    honour_idempotency_key: bool = True
    # True: every request first jumps the clock to the next scheduled event (the embedded sandbox)
    fast_forward: bool = False
    # True: GET /v1/orders lists the oldest first (the reference shows newest first but does not promise it)
    oldest_first: bool = False


class Clock:
    """Simulated ms: wall clock x speed, plus explicit ticks."""

    def __init__(self, speed: float):
        self.speed = speed
        self._t0 = time.monotonic()
        self._base = 0.0
        self._manual = 0

    def now_ms(self) -> int:
        return int(self._base + (time.monotonic() - self._t0) * 1000 * self.speed) + self._manual

    def set_speed(self, speed: float) -> None:
        now = time.monotonic()
        self._base += (now - self._t0) * 1000 * self.speed
        self._t0, self.speed = now, speed

    def tick(self, ms: int) -> None:
        self._manual += ms


@dataclass
class Node:
    spec: NodeSpec
    status: str = "pending"
    activated_ms: int | None = None
    source: str | None = None  # parent whose fills size a derived node
    filled: int = 0
    cost: int = 0  # sum(qty_1e8 * price_1e9)
    fill_count: int = 0
    slices: int = 0  # fill events so far (a slice can fill nothing after an amend shrank the node)
    tick_scheduled: bool = False
    plan: tuple[int, int] | None = None  # (fills, interval) fixed at activation
    created_ns: int = 0
    updated_ns: int = 0


@dataclass
class Edge:
    spec: EdgeSpec
    fired: bool = False
    fire_count: int = 0
    queued: int = 0  # timeout/price events still in the queue


class Graph:
    """One execution graph as a discrete-event simulation with an event log."""

    def __init__(
        self, sandbox: Sandbox, graph_id: str, spec: GraphSpec, now_ms: int, idempotency_key: str | None, wire_hash: str
    ):
        self.sb, self.cfg = sandbox, sandbox.config
        self.graph_id, self.spec = graph_id, spec
        self.idempotency_key, self.wire_hash = idempotency_key, wire_hash
        self.created_ms, self.created_ns = now_ms, time.time_ns()
        self.status = "active"
        self.paused_ms: int | None = None
        self.nodes = {n.node_id: Node(n) for n in spec.nodes}
        self.edges = {e.edge_id: Edge(e) for e in spec.edges}
        self.out_edges: dict[str, list[Edge]] = {n: [] for n in self.nodes}
        self.in_edges: dict[str, list[Edge]] = {n: [] for n in self.nodes}
        for edge in self.edges.values():
            self.out_edges[edge.spec.from_node].append(edge)
            self.in_edges[edge.spec.to_node].append(edge)
        self.order = self._topological_order()
        self.queue: list = []
        self._seq = itertools.count()
        self.events: list[dict] = []
        self._dirty = False

    def _topological_order(self) -> list[str]:
        indegree = {n: len(self.in_edges[n]) for n in self.nodes}
        ready = [n for n in self.nodes if indegree[n] == 0]
        order = []
        while ready:
            node = ready.pop(0)
            order.append(node)
            for edge in self.out_edges[node]:
                indegree[edge.spec.to_node] -= 1
                if indegree[edge.spec.to_node] == 0:
                    ready.append(edge.spec.to_node)
        return order

    # -- bookkeeping -------------------------------------------------------

    def log(self, at: int, kind: str, **data) -> None:
        self.events.append({"seq": len(self.events), "t_ms": at - self.created_ms, "type": kind, **data})

    def push(self, at: int, kind: str, target: str) -> None:
        heapq.heappush(self.queue, (at, next(self._seq), kind, target))
        if kind in ("timeout", "price"):
            self.edges[target].queued += 1

    def start(self, at: int) -> None:
        self.log(at, "graph_status", status="active")
        for node in self.spec.nodes:
            if node.activation == "root":
                self.activate(self.nodes[node.node_id], at, None)
        self._dirty = True
        self.settle(at)

    def run_until(self, t: int) -> None:
        while self.status == "active" and self.queue and self.queue[0][0] <= t:
            at, _, kind, target = heapq.heappop(self.queue)
            if kind in ("timeout", "price"):
                self.edges[target].queued -= 1
                self._dirty = True
            getattr(self, f"_on_{kind}")(at, target)
            self.settle(at)

    def target(self, node: Node) -> int:
        if node.spec.qty_1e8 is not None:
            return node.spec.qty_1e8
        return self.nodes[node.source].filled if node.source else 0

    def _touch(self, node: Node) -> None:
        node.updated_ns = time.time_ns()

    # -- activation and fills ----------------------------------------------

    def activate(self, node: Node, at: int, via: Edge | None) -> None:
        if node.status != "pending":
            return
        node.status, node.activated_ms = "executing", at
        node.plan = self.fill_plan(node)
        node.created_ns = time.time_ns()
        self._touch(node)
        if via is not None and node.spec.qty_1e8 is None:
            node.source = via.spec.from_node
        self.log(at, "node_status", node=node.spec.node_id, status="executing", via=via.spec.edge_id if via else None)
        self.push(at + self.cfg.accept_latency_ms, "accept", node.spec.node_id)
        for edge in self.out_edges[node.spec.node_id]:
            if edge.spec.kind == "on_timeout":
                self.push(at + edge.spec.timeout_ms, "timeout", edge.spec.edge_id)
            elif edge.spec.kind == "on_price":
                self._schedule_price_checks(edge, at)

    def _schedule_price_checks(self, edge: Edge, at: int) -> None:
        """Check at arming time, then at every later point of the symbol's price path."""
        self.push(at, "price", edge.spec.edge_id)
        for offset, _ in self.sb.price_path(edge.spec.price["symbol"]):
            if self.created_ms + offset > at:
                self.push(self.created_ms + offset, "price", edge.spec.edge_id)

    def _on_accept(self, at: int, node_id: str) -> None:
        node = self.nodes[node_id]
        if node.status != "executing":
            return
        if node.spec.symbol in self.cfg.reject_symbols:
            self.finish(node, "rejected", at, reason="symbol rejected by sandbox configuration")
            return
        self.log(at, "node_accepted", node=node_id)
        self.fire_kind(node, "on_accepted", at)
        self.schedule_fill(node, at)

    def fill_plan(self, node: Node) -> tuple[int, int]:
        """(number of fills, interval); decided once, when the node activates."""
        if node.plan is not None:
            return node.plan
        count = node.spec.fills or self.cfg.fills_per_node
        count = max(1, min(count, node.spec.qty_1e8 or count))
        interval = node.spec.interval_ms or self.cfg.fill_interval_ms
        if node.spec.fills is None and node.spec.interval_ms:  # a horizon: spread the fills over it
            interval = max(1, node.spec.interval_ms // count)
        return count, interval

    def schedule_fill(self, node: Node, at: int) -> None:
        if node.status == "executing" and not node.tick_scheduled:
            node.tick_scheduled = True
            self.push(at + self.fill_plan(node)[1], "fill", node.spec.node_id)

    def next_fill_qty(self, node: Node) -> int:
        """The k-th of ``count`` equal fills brings the node to k/count of its size (an amended size included)."""
        if node.spec.qty_1e8 is None:
            return self.target(node) - node.filled
        count, _ = self.fill_plan(node)
        k = min(node.slices, count)
        return max(0, node.spec.qty_1e8 * k // count - node.filled)

    def _on_fill(self, at: int, node_id: str) -> None:
        node = self.nodes[node_id]
        node.tick_scheduled = False
        if node.status != "executing":
            return
        node.slices += 1
        qty = self.next_fill_qty(node)
        if qty > 0:
            self.apply_fill(node, qty, at)
        if node.status == "executing":
            self.check_done(node, at)
        if node.status == "executing" and (node.spec.qty_1e8 is not None or self.next_fill_qty(node) > 0):
            self.schedule_fill(node, at)

    def apply_fill(self, node: Node, qty: int, at: int) -> None:
        price = node.spec.limit_1e9 or self.sb.price_1e9(node.spec.symbol, self, at, node.spec.side)
        node.filled += qty
        node.cost += qty * price
        node.fill_count += 1
        self._touch(node)
        self.log(
            at,
            "fill",
            node=node.spec.node_id,
            qty_1e8=qty,
            price_1e9=price,
            filled_qty_1e8=node.filled,
            target_qty_1e8=self.target(node),
        )
        self.sb.record_fill(self, node, qty, price)
        if node.fill_count == 1:
            self.fire_kind(node, "on_first_fill", at)
        self.fire_kind(node, "on_fill", at)
        self._check_ratio_edges(node, at)
        self._wake_derived(node, at)

    def _check_ratio_edges(self, node: Node, at: int) -> None:
        target = self.target(node)
        for edge in self.out_edges[node.spec.node_id]:
            if (
                edge.spec.kind == "on_fill_ratio"
                and not edge.fired
                and target > 0
                and Decimal(node.filled) >= edge.spec.ratio * target
            ):
                self.fire(edge, at)

    def check_done(self, node: Node, at: int) -> None:
        """Fixed nodes are done at their size; derived ones when their parent is
        done and they have matched its fills."""
        target = self.target(node)
        if node.spec.qty_1e8 is not None:
            if node.filled >= target:
                self.finish(node, "filled", at)
            return
        parent = self.nodes[node.source] if node.source else None
        if parent is not None and parent.status in TERMINAL_NODE and node.filled >= target:
            self.finish(
                node,
                "filled" if target > 0 else "cancelled",
                at,
                reason=None if target > 0 else "parent ended without fills",
            )

    def _wake_derived(self, parent: Node, at: int) -> None:
        for edge in self.out_edges[parent.spec.node_id]:
            child = self.nodes[edge.spec.to_node]
            if child.status == "executing" and child.source == parent.spec.node_id:
                self.schedule_fill(child, at)
                if parent.status in TERMINAL_NODE:
                    self.check_done(child, at)

    def finish(self, node: Node, status: str, at: int, reason: str | None = None) -> None:
        if node.status in TERMINAL_NODE:
            return
        node.status = status
        self._touch(node)
        self._dirty = True
        self.log(at, "node_status", node=node.spec.node_id, status=status, reason=reason)
        if status == "filled":
            self.fire_kind(node, "on_full_fill", at)
        if status == "cancelled":
            self.fire_kind(node, "on_cancel", at)
        self.fire_kind(node, "on_done", at)
        self._wake_derived(node, at)

    # -- edges -------------------------------------------------------------

    def fire_kind(self, node: Node, kind: str, at: int) -> None:
        for edge in self.out_edges[node.spec.node_id]:
            if edge.spec.kind == kind:
                self.fire(edge, at)

    def fire(self, edge: Edge, at: int) -> None:
        """Fire an edge (on_fill fires on every fill, the others once)."""
        if edge.fired and edge.spec.kind != "on_fill":
            return
        edge.fired = True
        edge.fire_count += 1
        self.log(
            at,
            "edge_fired",
            edge=edge.spec.edge_id,
            trigger=edge.spec.kind,
            from_node=edge.spec.from_node,
            to_node=edge.spec.to_node,
            count=edge.fire_count,
        )
        child = self.nodes[edge.spec.to_node]
        if child.status == "pending":
            self.activate(child, at, edge)
        elif child.status == "executing" and child.source == edge.spec.from_node:
            self.schedule_fill(child, at)

    def _on_timeout(self, at: int, edge_id: str) -> None:
        self.fire(self.edges[edge_id], at)

    def _on_price(self, at: int, edge_id: str) -> None:
        edge = self.edges[edge_id]
        if edge.fired:
            return
        cond = edge.spec.price
        entry = self.sb.price_1e9(cond["symbol"], self, self.created_ms)
        now = self.sb.price_1e9(cond["symbol"], self, at)
        threshold = Decimal(entry) * (1 + cond["offset_pct"] / 100)
        hit = now <= threshold if cond["direction"] == "below" else now >= threshold
        if hit:
            self.fire(edge, at)

    # -- settling ----------------------------------------------------------

    def settle(self, at: int) -> None:
        """Cancel wait nodes that can no longer activate; finish the graph when
        every node is terminal."""
        if self.status != "active" or not self._dirty:
            return
        self._dirty = False
        alive = self._alive_nodes()
        for node_id in self.order:
            node = self.nodes[node_id]
            if node.status == "pending" and node_id not in alive:
                node.status = "cancelled"
                self._touch(node)
                self.log(at, "node_status", node=node_id, status="cancelled", reason="never activated")
        if all(n.status in TERMINAL_NODE for n in self.nodes.values()):
            self.set_status(self._final_status(), at)

    def _alive_nodes(self) -> set:
        """Nodes that are active or could still activate, in topological order."""
        alive: set[str] = set()
        for node_id in self.order:
            node = self.nodes[node_id]
            if node.status != "pending" or any(self._can_fire(e, alive) for e in self.in_edges[node_id]):
                alive.add(node_id)
        return alive

    def _can_fire(self, edge: Edge, alive: set) -> bool:
        parent = self.nodes[edge.spec.from_node]
        if parent.status == "pending":
            return edge.spec.from_node in alive
        if parent.status == "executing":
            return True
        return edge.queued > 0  # terminal parent: only a pending timeout or price check

    def _final_status(self) -> str:
        ran = [n for n in self.nodes.values() if n.activated_ms is not None]
        if ran and all(n.status in ("rejected", "failed") for n in ran):
            return "failed"
        return "completed"

    def set_status(self, status: str, at: int, reason: str | None = None) -> None:
        self.status = status
        self.log(at, "graph_status", status=status, reason=reason)

    def cancel(self, at: int, reason: str) -> None:
        """Cancel every non-terminal node; no edge fires (the graph is being stopped)."""
        for node_id in self.order:
            node = self.nodes[node_id]
            if node.status not in TERMINAL_NODE:
                node.status = "cancelled"
                self._touch(node)
                self.log(at, "node_status", node=node_id, status="cancelled", reason=reason)
        self.queue.clear()
        self.set_status("cancelled", at, reason)

    def amend(self, node: Node, changes: dict, at: int) -> None:
        """Apply a PATCH to one node; later fills follow the new size and horizon."""
        spec = node.spec
        if "qty_1e8" in changes:
            if spec.qty_1e8 is None:
                raise SandboxHTTPError(409, "not_amendable", f"node {spec.node_id} has a derived quantity")
            if changes["qty_1e8"] < node.filled:
                raise SandboxHTTPError(
                    409, "not_amendable", f"node {spec.node_id} has already filled {node.filled} (qty_1e8)"
                )
        execution = {**(spec.execution or {}), **{k: v for k, v in changes.items() if k != "qty_1e8"}}
        node.spec = replace(spec, qty_1e8=changes.get("qty_1e8", spec.qty_1e8), execution=execution)
        if "horizon_ms" in changes and spec.fills is None and node.plan is not None:
            count = node.plan[0]
            node.plan = (count, max(1, changes["horizon_ms"] // count))
        self._touch(node)
        self.log(at, "node_amended", node=spec.node_id, **changes)
        if node.status == "executing":
            self.check_done(node, at)
            self.settle(at)

    def pause(self, at: int) -> None:
        self.paused_ms = at
        self.set_status("paused", at)

    def resume(self, at: int) -> None:
        """Shift every queued event by the paused time, as if the pause never happened."""
        shift = at - (self.paused_ms or at)
        self.queue = [(t + shift, s, k, x) for (t, s, k, x) in self.queue]
        heapq.heapify(self.queue)
        self.paused_ms = None
        self.set_status("active", at)
        self._dirty = True

    # -- views -------------------------------------------------------------

    def summary(self) -> dict:
        return {
            "graph_id": self.graph_id,
            "status": self.status,
            "node_count": len(self.nodes),
            "edge_count": len(self.edges),
        }

    def view(self) -> dict:
        """The ``GET /v1/execution_graphs/{id}`` shape."""
        return {
            "graph_id": self.graph_id,
            "client_id": CLIENT_ID,
            "status": self.status,
            "nodes": {nid: self._node_view(n) for nid, n in self.nodes.items()},
            "edges": {eid: self._edge_view(e) for eid, e in self.edges.items()},
        }

    def _node_view(self, node: Node) -> dict:
        return {
            "status": node.status,
            "target_qty_1e8": self.target(node),
            "filled_qty_1e8": node.filled,
            "avg_fill_price_1e9": node.cost // node.filled if node.filled else 0,
            "fill_count": node.fill_count,
        }

    def _edge_view(self, edge: Edge) -> dict:
        if edge.fired:
            status = "fired"
        else:
            status = "skipped" if self.status in TERMINAL_GRAPH else "pending"
        return {"status": status, "fired": edge.fired}

    def order_entries(self, expose_keys: bool) -> list[dict]:
        """One router order per activated node, as ``GET /v1/orders`` lists them."""
        entries = []
        for node_id, node in self.nodes.items():
            if node.activated_ms is None:
                continue
            entry = {
                "node_order_id": f"graph:{self.graph_id}:{node_id}:1",
                "client_id": CLIENT_ID,
                "side": node.spec.side.upper(),
                "symbol": node.spec.symbol,
                "qty_1e8": self.target(node),
                "filled_qty_1e8": node.filled,
                "status": ORDER_STATUS.get(node.status, node.status.upper()),
                "created_unix_ns": node.created_ns,
                "updated_unix_ns": node.updated_ns,
                "failure_reason": "rejected by sandbox" if node.status == "rejected" else None,
            }
            if expose_keys:
                entry["idempotency_key"] = self.idempotency_key
                entry["client_order_id"] = self.idempotency_key
            entries.append(entry)
        return entries


def _to_price(value, where: str) -> Decimal:
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise SandboxHTTPError(400, "validation_error", f"{where}: not a number") from None
    if not price.is_finite() or price <= 0:
        raise SandboxHTTPError(400, "validation_error", f"{where}: must be a positive number")
    return price


def _to_side(value, where: str) -> Decimal:
    """A side of a book: a positive price, or 0 for the empty side of a one-sided book."""
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise SandboxHTTPError(400, "validation_error", f"{where}: not a number") from None
    if price == 0:
        return Decimal(0)
    return _to_price(price, where)


class Sandbox:
    """The simulated router: all state, behind one lock."""

    def __init__(self, config: SandboxConfig | None = None):
        self.base_config = config or SandboxConfig()
        self.lock = threading.RLock()
        self.faults = FaultInjector()

        self.hosted = HostedRunner(list(self.base_config.runner_python) or None)
        self.reset()

    def reset(self) -> None:
        self.hosted.shutdown()  # hosted strategies go too: their processes are stopped
        """Forget everything (graphs, faults, request log, kill switch, config changes)."""
        with self.lock:
            base = self.base_config
            self.config = SandboxConfig(
                **{**base.__dict__, "prices": dict(base.prices), "reject_symbols": set(base.reject_symbols)}
            )
            self.clock = Clock(self.config.speed)
            self.rng = random.Random(self.config.seed)
            self.graphs: dict[str, Graph] = {}
            self.by_key: dict[str, str] = {}
            self.fills: list[dict] = []
            self.kill = {"active": False, "reason": None}
            self.requests: list[dict] = []
            self.faults.clear()

    # -- time and prices ---------------------------------------------------

    def now(self) -> int:
        return self.clock.now_ms()

    def advance(self) -> int:
        """Run every active graph up to now (fast-forward: first jump the clock to the next event)."""
        if self.config.fast_forward:
            pending = [g.queue[0][0] for g in self.graphs.values() if g.status == "active" and g.queue]
            if pending and min(pending) > self.now():
                self.clock.tick(min(pending) - self.now())
        now = self.now()
        for graph in self.graphs.values():
            if graph.status == "active":
                graph.run_until(now)
        return now

    def quote(self, symbol: str) -> dict:
        """``GET /v1/quotes?symbol=S``: the symbol's book in the reference's shape and nothing else, ``{"nbbo":
        {"bid", "ask", "mid"}}`` (hosted-strategies.md shows no other field of the answer), prices as exact decimal
        text. ``tick``, ``lot``, ``last`` and ``symbol`` are added only where the price entry asks for them
        (``/_sandbox/prices``: ``{"tick": "0.01", "lot": "1", "last": ..., "symbol": true}``), never made up.
        A side set to 0 is the empty side of a one-sided book, answered as 0 (the reference's ``bid=0.99 ask=0``).
        A symbol without a price has no quote (404), which is how to rehearse GC109."""
        with self.lock:
            entry = self.config.prices.get(symbol) if isinstance(symbol, str) and symbol else None
            book = self._book(symbol) if entry is not None else None
        if entry is None or book is None:
            raise SandboxHTTPError(404, "not_found", f"no quote for {str(symbol)[:80]!r}")
        bid, ask = (side or Decimal(0) for side in book)
        answer: dict = {"nbbo": {"bid": str(bid), "ask": str(ask), "mid": str((bid + ask) / 2)}}
        for key in ("tick", "lot", "last"):
            if entry.get(key) is not None:
                answer[key] = str(entry[key])
        named = entry.get("symbol")
        if named is not None:
            answer["symbol"] = symbol if named is True else named
        return answer

    def _book(self, symbol: str) -> tuple[Decimal | None, Decimal | None] | None:
        """(bid, ask) of a symbol with a price (what ``GET /v1/quotes`` answers; None for the empty side of a
        one-sided book), else None. A side not given is one step from the price: the entry's ``tick`` when it
        gives one, else 0.01 (or the price's last decimal place when finer), a tenth of that as often as it takes
        to be under the price, so a small price keeps a positive bid (0.01 is 0.009/0.011, 1E-5 is
        0.000009/0.000011). That step only places the book: the answer has no tick unless the entry gives one."""
        entry = self.config.prices.get(symbol)
        if entry is None:
            return None
        price = entry["price"]
        step = entry.get("tick")
        if not step:
            step = min(Decimal("0.01"), Decimal(1).scaleb(price.as_tuple().exponent))
            while step >= price:  # (a price is positive: _to_price)
                step = step.scaleb(-1)
        bid = entry["bid"] if "bid" in entry else price - step
        ask = entry["ask"] if "ask" in entry else price + step
        return (bid or None, ask or None)

    def price_path(self, symbol: str) -> list:
        return self.config.prices.get(symbol, {}).get("path", [])

    def price_1e9(self, symbol: str, graph: Graph, at: int, side: str | None = None) -> int:
        """The symbol's price at ``at``: its path point, else the ask for a buy / bid for a sell, else its price."""
        entry = self.config.prices.get(symbol, {})
        price = entry.get({"buy": "ask", "sell": "bid"}.get(side or "")) or entry.get("price", DEFAULT_PRICE)
        for offset, point in entry.get("path", []):
            if graph.created_ms + offset <= at:
                price = point
        return int(price.scaleb(PRICE_DIGITS).to_integral_value())

    def set_prices(self, data) -> None:
        if not isinstance(data, dict):
            raise SandboxHTTPError(400, "validation_error", "expected {SYMBOL: price | {price, path}}")
        for symbol, value in data.items():
            self.config.prices[symbol] = self._price_entry(symbol, value)

    def _price_entry(self, symbol: str, value) -> dict:
        """``PRICE`` or ``{price?, bid?, ask?, path?, tick?, lot?, last?, symbol?}``; the price defaults to the mid of
        bid and ask. A side of 0 is the empty side of a one-sided book (not both). ``tick``, ``lot``, ``last``
        (positive) and ``symbol`` (true: the symbol asked for; text: that text, to rehearse an answer about another
        market) are what ``GET /v1/quotes`` adds to the reference's ``nbbo`` for this symbol; without them it answers none."""
        if not isinstance(value, dict):
            return {"price": _to_price(value, symbol), "path": []}
        path = []
        for point in value.get("path", []):
            if not (isinstance(point, list) and len(point) == 2 and isinstance(point[0], int)):
                raise SandboxHTTPError(400, "validation_error", f"{symbol}: path points are [ms, price]")
            path.append((point[0], _to_price(point[1], symbol)))
        entry: dict = {"path": sorted(path, key=lambda p: p[0])}
        for side in ("bid", "ask"):
            if value.get(side) is not None:
                entry[side] = _to_side(value[side], f"{symbol} {side}")
        given = [entry[side] for side in ("bid", "ask") if side in entry]
        sides = [side for side in given if side]
        if given and not sides:
            raise SandboxHTTPError(400, "validation_error", f"{symbol}: a book with no side has no quote; leave it out")
        default = sum(sides) / len(sides) if len(given) == 2 else DEFAULT_PRICE  # one-sided: the side there
        entry["price"] = _to_price(value.get("price", default), symbol)
        for key in ("tick", "lot", "last"):
            if value.get(key) is not None:
                entry[key] = _to_price(value[key], f"{symbol} {key}")
        named = value.get("symbol")
        if named is not None:
            if not (named is True or (isinstance(named, str) and named)):
                raise SandboxHTTPError(400, "validation_error", f"{symbol}: symbol is true or the text to answer")
            entry["symbol"] = named
        return entry

    # -- router API --------------------------------------------------------

    def submit(self, body: bytes, idempotency_key: str | None) -> tuple[dict, dict]:
        """Create a graph (or replay the one this idempotency key created)."""
        with self.lock:
            now = self.advance()
            if self.kill["active"]:
                raise SandboxHTTPError(
                    403, "kill_switch_active", f"kill switch is on ({self.kill['reason'] or 'no reason given'})"
                )
            wire_hash = hashlib.sha256(body).hexdigest()
            honour = self.config.honour_idempotency_key
            replay = self._replay(idempotency_key, wire_hash) if honour else None
            if replay is not None:
                return replay.summary(), {"Idempotent-Replayed": "true"}
            try:
                spec = parse_submission(body)
            except ValidationError as exc:
                raise SandboxHTTPError(400, "validation_error", str(exc), exc.rule) from None
            self._admit(spec)
            graph = Graph(self, self._new_graph_id(), spec, now, idempotency_key, wire_hash)
            self.graphs[graph.graph_id] = graph
            if idempotency_key and honour:
                self.by_key[idempotency_key] = graph.graph_id
            graph.start(now)
            summary = graph.summary()
            summary["status"] = "active"
            return summary, {}

    def _replay(self, key: str | None, wire_hash: str) -> Graph | None:
        if not key or key not in self.by_key:
            return None
        graph = self.graphs[self.by_key[key]]
        if graph.wire_hash != wire_hash:
            raise SandboxHTTPError(
                409, "idempotency_conflict", "this Idempotency-Key was already used with a different body"
            )
        return graph

    def _admit(self, spec: GraphSpec) -> None:
        """Risk admission: each order's dollar notional against ``max_notional_usd``, as lint's GC501 reads it.

        :func:`graphc.facts.orders_over_limit`, the reading GC501 reports as an error: quantity × the limit
        price, else this sandbox's quote (its ask for a buy, bid for a sell: what ``GET /v1/quotes`` answers;
        a symbol without a price at the price it fills at, 100), for orders priced in dollars only. An order
        priced in bitcoin or yen, or of derived size, is not compared (graphc has no exchange rates), and the
        graph is not summed: the reference does not say admission sums it, and its own Full Execution Graph
        (200 ETH spot + 200 ETH perp, about $930k) sits under a $500k limit (playbook-spec.md §8, GC503 is a
        warning). So the sandbox refuses what lint calls an error, and nothing lint calls ready.
        """
        limit = (spec.risk or {}).get("max_notional_usd")
        if limit is None:
            return
        quotes = {}
        for symbol in {node.symbol for node in spec.nodes}:
            bid, ask = self._book(symbol) or (DEFAULT_PRICE, DEFAULT_PRICE)  # an empty side: not compared (GC501)
            quotes[symbol] = Quote(bid=bid, ask=ask)
        facts = wire_node_facts(spec.wire.get("nodes") or [], (), quotes, MarketResolver(quotes))
        over, _ = orders_over_limit(facts, limit)
        if over:
            first, notional = over[0]
            more = f" (and {len(over) - 1} more order{'s' if len(over) > 2 else ''})" if len(over) > 1 else ""
            raise SandboxHTTPError(
                400,
                "risk_admission_rejected",
                f"order {first.node_id!r} notional {notional:f} USD exceeds max_notional_usd {limit:f}{more}",
                "GC501",
            )

    def _new_graph_id(self) -> str:
        return f"graph_{self.rng.getrandbits(128):032x}"

    def _graph(self, graph_id: str) -> Graph:
        graph = self.graphs.get(graph_id)
        if graph is None:
            raise SandboxHTTPError(404, "not_found", f"no graph {graph_id}")
        return graph

    def get_graph(self, graph_id: str) -> dict:
        with self.lock:
            self.advance()
            return self._graph(graph_id).view()

    def cancel_graph(self, graph_id: str) -> dict:
        with self.lock:
            now = self.advance()
            graph = self._graph(graph_id)
            if graph.status not in TERMINAL_GRAPH:
                graph.cancel(now, "cancelled by client")
            return {"graph_id": graph_id, "status": graph.status}

    def resume_graph(self, graph_id: str) -> dict:
        with self.lock:
            now = self.advance()
            graph = self._graph(graph_id)
            if graph.status != "paused":
                raise SandboxHTTPError(409, "not_paused", f"graph {graph_id} is {graph.status}, not paused")
            graph.resume(now)
            graph.run_until(now)
            return {"graph_id": graph_id, "status": graph.status}

    def pause_graph(self, graph_id: str) -> dict:
        with self.lock:
            now = self.advance()
            graph = self._graph(graph_id)
            if graph.status != "active":
                raise SandboxHTTPError(409, "not_active", f"graph {graph_id} is {graph.status}")
            graph.pause(now)
            return {"graph_id": graph_id, "status": graph.status}

    def amend_node(self, graph_id: str, node_id: str, body: bytes) -> dict:
        """``PATCH /v1/execution_graphs/{id}/nodes/{node}``: quantity, urgency, slippage, horizon."""
        data = json_object(body)
        unknown = sorted(set(data) - set(AMENDABLE))
        if unknown or not data:
            raise SandboxHTTPError(
                400, "validation_error", f"amend takes {', '.join(AMENDABLE)}; got {unknown or 'none'}"
            )
        for key, (most, rule, why) in _AMEND_BOUNDS.items():
            if key in data and _positive_int(data[key], key) > most:
                raise SandboxHTTPError(
                    400, "validation_error", f"{key} must be at most {most}, {why}; got {data[key]}", rule
                )
        if "urgency" in data and data["urgency"] not in URGENCIES:
            raise SandboxHTTPError(400, "validation_error", f"urgency must be one of {', '.join(URGENCIES)}")
        with self.lock:
            now = self.advance()
            graph = self._graph(graph_id)
            node = graph.nodes.get(node_id)
            if node is None:
                raise SandboxHTTPError(404, "not_found", f"graph {graph_id} has no node {node_id}")
            if graph.status in TERMINAL_GRAPH or node.status in TERMINAL_NODE:
                raise SandboxHTTPError(409, "not_amendable", f"node {node_id} is {node.status}")
            graph.amend(node, data, now)
            return {"graph_id": graph_id, "node_id": node_id, "status": "accepted", "amended": sorted(data)}

    def set_kill_switch(self, active, reason) -> dict:
        if not isinstance(active, bool):
            raise SandboxHTTPError(400, "validation_error", "active must be true or false")
        with self.lock:
            now = self.advance()
            self.kill = {"active": active, "reason": reason if active else None}
            cancelled = 0
            if active:
                for graph in self.graphs.values():
                    if graph.status in ("active", "paused"):
                        graph.cancel(now, "kill switch")
                        cancelled += 1
            return {**self.kill, "cancelled_graphs": cancelled}

    def list_orders(self, query: dict) -> dict:
        """Newest first, like the reference's example listing (unless ``oldest_first``)."""
        with self.lock:
            self.advance()
            expose = self.config.expose_idempotency_keys
            entries = [e for g in self.graphs.values() for e in g.order_entries(expose)]
            entries.sort(key=lambda e: e["created_unix_ns"], reverse=not self.config.oldest_first)
            page = _paginate(_filter(entries, query), query, "orders")
            if expose:
                page["idempotency_key_supported"] = True
            return page

    def list_fills(self, query: dict) -> dict:
        with self.lock:
            self.advance()
            return _paginate(_filter(list(reversed(self.fills)), query), query, "fills")

    def record_fill(self, graph: Graph, node: Node, qty: int, price: int) -> None:
        self.fills.append(
            {
                "fill_id": f"fill_{len(self.fills) + 1}",
                "node_order_id": f"graph:{graph.graph_id}:{node.spec.node_id}:1",
                "symbol": node.spec.symbol,
                "side": node.spec.side.upper(),
                "venue": node.spec.venue or "sandbox",
                "qty_1e8": qty,
                "price_1e9": price,
                "fee_1e9": 0,
                "is_maker": False,
                "commission_asset": "USD",
                "created_unix_ns": time.time_ns(),
            }
        )

    # -- test controls -----------------------------------------------------

    def seed_orders(self, count, symbol="SEED-USD") -> dict:
        """Create ``count`` one-node graphs at once (tests that need a long order history)."""
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= 100_000:
            raise SandboxHTTPError(400, "validation_error", "count must be an integer in [1, 100000]")
        body = json.dumps({"symbol": symbol, "side": "buy", "qty": 1}).encode()
        try:
            spec = parse_submission(body)
        except ValidationError as exc:
            raise SandboxHTTPError(400, "validation_error", f"symbol {symbol[:80]!r}: {exc}", exc.rule) from None
        with self.lock:
            now = self.advance()
            for _ in range(count):
                graph = Graph(self, self._new_graph_id(), spec, now, None, "")
                self.graphs[graph.graph_id] = graph
                graph.start(now)
            return {"graphs": len(self.graphs)}

    def graph_list(self) -> dict:
        with self.lock:
            self.advance()
            return {
                "graphs": [
                    {
                        **g.summary(),
                        "idempotency_key": g.idempotency_key,
                        "wire_sha256": g.wire_hash,
                        "is_sandbox": g.spec.is_sandbox,
                        "created_unix_ns": g.created_ns,
                    }
                    for g in self.graphs.values()
                ]
            }

    def graph_events(self, graph_id: str) -> dict:
        with self.lock:
            self.advance()
            graph = self._graph(graph_id)
            return {"graph_id": graph_id, "status": graph.status, "events": list(graph.events)}

    def tick(self, ms) -> dict:
        if isinstance(ms, bool) or not isinstance(ms, int) or ms < 0:
            raise SandboxHTTPError(400, "validation_error", "ms must be a non-negative integer")
        with self.lock:
            self.clock.tick(ms)
            return {"now_ms": self.advance()}

    def update_config(self, data) -> dict:
        if not isinstance(data, dict):
            raise SandboxHTTPError(400, "validation_error", "expected a JSON object")
        with self.lock:
            self.advance()
            for key in ("fills_per_node", "fill_interval_ms", "accept_latency_ms"):
                if key in data:
                    setattr(self.config, key, _positive_int(data[key], key))
            if "speed" in data:
                self.clock.set_speed(float(_to_speed(data["speed"])))
                self.config.speed = self.clock.speed
            for flag in ("expose_idempotency_keys", "honour_idempotency_key", "fast_forward", "oldest_first"):
                if flag in data:
                    setattr(self.config, flag, bool(data[flag]))
            if "reject_symbols" in data:
                self.config.reject_symbols = set(data["reject_symbols"])
            if "prices" in data:
                self.set_prices(data["prices"])
            return self.config_view()

    def config_view(self) -> dict:
        cfg = self.config
        return {
            "seed": cfg.seed,
            "speed": cfg.speed,
            "fills_per_node": cfg.fills_per_node,
            "fill_interval_ms": cfg.fill_interval_ms,
            "accept_latency_ms": cfg.accept_latency_ms,
            "expose_idempotency_keys": cfg.expose_idempotency_keys,
            "honour_idempotency_key": cfg.honour_idempotency_key,
            "fast_forward": cfg.fast_forward,
            "oldest_first": cfg.oldest_first,
            "reject_symbols": sorted(cfg.reject_symbols),
            "prices": {s: str(p["price"]) for s, p in cfg.prices.items()},
            "now_ms": self.now(),
        }

    def note_request(self, method: str, path: str, fault: str | None, body: bytes = b"") -> None:
        """Log a request: method, path, the fault it met, and the names of its JSON body's top-level
        fields (``fields``; never their values, which may hold a key), so a test can see what was sent."""
        fields = None
        if body.strip():
            try:
                value = json_value(body)
            except Exception:  # whatever the body is, the request is logged (the handler then refuses it)
                value = None
            fields = sorted(value) if isinstance(value, dict) else None
        with self.lock:
            entry = {"seq": len(self.requests), "method": method, "path": path, "fault": fault, "fields": fields}
            self.requests.append(entry)


def _positive_int(value, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SandboxHTTPError(400, "validation_error", f"{key} must be a positive integer")
    return value


MAX_SPEED = 1_000_000  # simulated time per wall-clock time: a day in a tenth of a second; more overflowed the clock


def _to_speed(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or not 0 <= value <= MAX_SPEED:
        raise SandboxHTTPError(400, "validation_error", f"speed must be a number from 0 to {MAX_SPEED}")
    return Decimal(value)


def _filter(entries: list[dict], query: dict) -> list[dict]:
    symbol, order_id = query.get("symbol"), query.get("node_order_id")
    return [
        e for e in entries if (not symbol or e["symbol"] == symbol) and (not order_id or e["node_order_id"] == order_id)
    ]


def _paginate(entries: list[dict], query: dict, key: str) -> dict:
    limit = _query_int(query, "limit", 50, 1, 1000)
    offset = _query_int(query, "offset", 0, 0, MAX_INT64)
    page = entries[offset : offset + limit]
    return {
        key: page,
        "total": len(entries),
        "limit": limit,
        "offset": offset,
        "has_more": offset + len(page) < len(entries),
    }


def _query_int(query: dict, key: str, default: int, low: int, high: int) -> int:
    raw = query.get(key)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d{1,19}", raw) or not low <= int(raw) <= high:
        raise SandboxHTTPError(400, "validation_error", f"{key} must be an integer in [{low}, {high}]")
    return int(raw)


def json_value(body: bytes):
    try:
        return parse_json(body or b"{}")
    except ValidationError as exc:
        raise SandboxHTTPError(400, "validation_error", str(exc), exc.rule) from None


def json_object(body: bytes) -> dict:
    value = json_value(body)
    if not isinstance(value, dict):
        raise SandboxHTTPError(400, "validation_error", "expected a JSON object")
    return value
