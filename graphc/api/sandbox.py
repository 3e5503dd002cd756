"""A local stand-in for the order router: HTTP server, fill simulator, faults.

Why it exists: graphc must be tried and tested end to end (submit, watch,
cancel, reconcile) without an account and without touching a real venue, and
its failure handling must be exercised against the failures that hurt
(a connection dropped *after* the router applied a submission).

Pieces, top to bottom:

* parsing/validation of ``POST /v1/orders`` bodies (simple order or graph);
* :class:`Graph`, a discrete-event simulation of one execution graph.  Time is
  integer milliseconds of *simulated* time; fills are deterministic (a fixed
  number of equal fills at a fixed interval, priced at the limit or at the
  symbol's configured price), and every edge trigger of the router's
  reference is honoured.  Each graph keeps an ordered event log;
* :class:`Sandbox`, the engine: graphs, fills, kill switch, idempotency keys,
  simulated clock (wall clock x ``speed``, plus explicit ticks);
* :class:`FaultInjector`, per-request faults switched on by tests;
* :class:`SandboxHandler`/:func:`serve`, the HTTP front (stdlib only).

Simulation runs lazily: every request first advances all graphs to "now", so
a graph's state is exact whenever anyone looks at it, with no timer thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import itertools
import json
import random
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

__all__ = ["Sandbox", "SandboxConfig", "SandboxServer", "ValidationError", "make_server", "serve"]

DEFAULT_PRICE = Decimal(100)
MAX_BODY = 16 * 1024 * 1024
MAX_INT64 = 2**63 - 1
CLIENT_ID = "client_sandbox"

POLICIES = {"sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip"}
SIMPLE_TRIGGERS = {"on_accepted", "on_first_fill", "on_fill", "on_fill_ratio", "on_full_fill", "on_cancel", "on_done"}
TERMINAL_NODE = {"filled", "partial_fill", "cancelled", "rejected", "failed"}
TERMINAL_GRAPH = {"completed", "cancelled", "failed"}
ORDER_STATUS = {
    "executing": "ACTIVE",
    "filled": "COMPLETED",
    "partial_fill": "PARTIALLY_FILLED",
    "cancelled": "CANCELLED",
    "rejected": "REJECTED",
    "failed": "FAILED",
}


# --------------------------------------------------------------------------
# Submission parsing
# --------------------------------------------------------------------------


class ValidationError(Exception):
    """A submission the router would refuse with 400; ``path`` points at the field."""

    def __init__(self, message: str, path: str = ""):
        super().__init__(message)
        self.path = path


@dataclass
class NodeSpec:
    node_id: str
    symbol: str
    type: str
    venue: str | None
    side: str
    limit_1e9: int | None
    qty_1e8: int | None  # None: "derived"
    activation: str
    fills: int | None = None  # from pacing.uniform.num_slices
    interval_ms: int | None = None  # from pacing or horizon


@dataclass
class EdgeSpec:
    edge_id: str
    from_node: str
    to_node: str
    kind: str
    ratio: Decimal | None = None
    timeout_ms: int | None = None
    price: dict | None = None  # {symbol, direction, offset_pct}


@dataclass
class GraphSpec:
    nodes: list[NodeSpec]
    edges: list[EdgeSpec]
    risk: dict | None
    is_sandbox: bool


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def parse_json(body: bytes):
    """JSON with exact decimals (never floats), as the router must read money."""
    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(f"body is not valid JSON: {exc}") from None


def parse_submission(body: bytes) -> GraphSpec:
    """Either form accepted by ``POST /v1/orders``, as a graph."""
    data = parse_json(body)
    if not isinstance(data, dict):
        raise ValidationError("body must be a JSON object")
    if "nodes" in data:
        return parse_graph(data)
    if "symbol" in data:
        return parse_simple(data)
    raise ValidationError("expected a simple order {symbol, side, qty} or a graph {nodes, edges}")


def _check_keys(obj: dict, allowed: set, path: str) -> None:
    for key in obj:
        if key not in allowed:
            raise ValidationError(f"unknown field {key!r}", f"{path}.{key}" if path else key)


def _int(value, path: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("must be an integer", path)
    if value < minimum or value > MAX_INT64:
        raise ValidationError(f"must be an integer between {minimum} and {MAX_INT64}", path)
    return value


def _number(value, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ValidationError("must be a number", path)
    return Decimal(value)


def _str(value, path: str, choices=None, max_len: int = 512) -> str:
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise ValidationError(f"must be a non-empty string of at most {max_len} characters", path)
    if choices is not None and value not in choices:
        raise ValidationError(f"must be one of {', '.join(sorted(choices))}", path)
    return value


def _scaled(value, scale: int, path: str) -> int:
    """Human decimal -> exact integer at 10**scale, refusing lost precision."""
    number = _number(value, path).scaleb(scale)
    if number != number.to_integral_value() or number <= 0 or number > MAX_INT64:
        raise ValidationError(f"must be positive with at most {scale} decimal places", path)
    return int(number)


def infer_type(symbol: str) -> str:
    return "perp" if symbol.upper().endswith("-PERP") else "spot"


def parse_simple(data: dict) -> GraphSpec:
    """``{symbol, side, qty, price?, venue?}`` wrapped into a one-node graph."""
    _check_keys(data, {"symbol", "side", "qty", "price", "venue"}, "")
    for key in ("side", "qty"):
        if key not in data:
            raise ValidationError("required field missing", key)
    symbol = _str(data["symbol"], "symbol")
    node = NodeSpec(
        node_id="node_0",
        symbol=symbol,
        type=infer_type(symbol),
        venue=_str(data["venue"], "venue", max_len=64).lower() if data.get("venue") is not None else None,
        side=_str(data["side"], "side", {"buy", "sell"}),
        limit_1e9=_scaled(data["price"], 9, "price") if data.get("price") is not None else None,
        qty_1e8=_scaled(data["qty"], 8, "qty"),
        activation="root",
    )
    return GraphSpec([node], [], None, True)


def parse_graph(data: dict) -> GraphSpec:
    _check_keys(data, {"nodes", "edges", "risk", "is_sandbox"}, "")
    raw_nodes, raw_edges = data.get("nodes"), data.get("edges", [])
    if not isinstance(raw_nodes, list) or not raw_nodes:
        raise ValidationError("must be a non-empty list", "nodes")
    if len(raw_nodes) > 10000:
        raise ValidationError("at most 10000 nodes", "nodes")
    if not isinstance(raw_edges, list):
        raise ValidationError("must be a list", "edges")
    nodes = [parse_node(n, f"nodes[{i}]") for i, n in enumerate(raw_nodes)]
    ids = _unique([n.node_id for n in nodes], "nodes", "node_id")
    edges = [parse_edge(e, f"edges[{j}]", ids) for j, e in enumerate(raw_edges)]
    _unique([e.edge_id for e in edges], "edges", "edge_id")
    if not any(n.activation == "root" for n in nodes):
        raise ValidationError("graph has no root node: nothing would ever start", "nodes")
    _check_acyclic(ids, edges)
    is_sandbox = data.get("is_sandbox", True)
    if not isinstance(is_sandbox, bool):
        raise ValidationError("must be true or false", "is_sandbox")
    return GraphSpec(nodes, edges, parse_risk(data.get("risk")), is_sandbox)


def _unique(values: list[str], where: str, key: str) -> set:
    seen = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ValidationError(f"duplicate {key} {value!r}", f"{where}[{i}].{key}")
        seen.add(value)
    return seen


def parse_node(raw, path: str) -> NodeSpec:
    if not isinstance(raw, dict):
        raise ValidationError("must be an object", path)
    _check_keys(raw, {"node_id", "instrument", "side", "order_type", "quantity", "execution", "activation"}, path)
    for key in ("node_id", "instrument", "side", "order_type", "quantity"):
        if key not in raw:
            raise ValidationError("required field missing", f"{path}.{key}")
    symbol, itype, venue = parse_instrument(raw["instrument"], f"{path}.instrument")
    fills, interval = parse_execution(raw.get("execution", {}), f"{path}.execution")
    return NodeSpec(
        node_id=_str(raw["node_id"], f"{path}.node_id", max_len=128),
        symbol=symbol,
        type=itype,
        venue=venue,
        side=_str(raw["side"], f"{path}.side", {"buy", "sell"}),
        limit_1e9=parse_order_type(raw["order_type"], f"{path}.order_type"),
        qty_1e8=parse_quantity(raw["quantity"], f"{path}.quantity"),
        activation=_str(raw.get("activation", "root"), f"{path}.activation", {"root", "wait"}),
        fills=fills,
        interval_ms=interval,
    )


def parse_instrument(raw, path: str) -> tuple[str, str, str | None]:
    if not isinstance(raw, dict):
        raise ValidationError("must be an object", path)
    _check_keys(raw, {"symbol", "type", "venue"}, path)
    symbol = _str(raw.get("symbol"), f"{path}.symbol")
    itype = _str(raw["type"], f"{path}.type", {"spot", "perp", "prediction"}) if "type" in raw else infer_type(symbol)
    venue = _str(raw["venue"], f"{path}.venue", max_len=64) if raw.get("venue") is not None else None
    return symbol, itype, venue


def parse_order_type(raw, path: str) -> int | None:
    if raw == "market":
        return None
    if (
        isinstance(raw, dict)
        and set(raw) == {"limit"}
        and isinstance(raw["limit"], dict)
        and set(raw["limit"]) == {"price_1e9"}
    ):
        return _int(raw["limit"]["price_1e9"], f"{path}.limit.price_1e9")
    raise ValidationError('must be "market" or {"limit": {"price_1e9": N}}', path)


def parse_quantity(raw, path: str) -> int | None:
    if raw == "derived":
        return None
    if (
        isinstance(raw, dict)
        and set(raw) == {"fixed"}
        and isinstance(raw["fixed"], dict)
        and set(raw["fixed"]) == {"qty_1e8"}
    ):
        return _int(raw["fixed"]["qty_1e8"], f"{path}.fixed.qty_1e8")
    raise ValidationError('must be {"fixed": {"qty_1e8": N}} or "derived"', path)


def parse_execution(raw, path: str) -> tuple[int | None, int | None]:
    """Checks the execution block; returns the fill schedule it implies
    (TWAP slices, or fills spread over the horizon)."""
    if not isinstance(raw, dict):
        raise ValidationError("must be an object", path)
    _check_keys(raw, {"policy", "urgency", "max_slippage_bps", "horizon_ms", "tif", "pacing"}, path)
    if "policy" in raw:
        _str(raw["policy"], f"{path}.policy", POLICIES)
    if "urgency" in raw:
        _str(raw["urgency"], f"{path}.urgency", {"low", "medium", "high"})
    if "tif" in raw:
        _str(raw["tif"], f"{path}.tif", {"GTC", "IOC", "FOK"})
    if "max_slippage_bps" in raw:
        _int(raw["max_slippage_bps"], f"{path}.max_slippage_bps")
    horizon = _int(raw["horizon_ms"], f"{path}.horizon_ms") if "horizon_ms" in raw else None
    if "pacing" in raw:
        return parse_pacing(raw["pacing"], f"{path}.pacing")
    return None, (None if horizon is None else horizon)


def parse_pacing(raw, path: str) -> tuple[int, int]:
    if not (isinstance(raw, dict) and set(raw) == {"uniform"} and isinstance(raw["uniform"], dict)):
        raise ValidationError('must be {"uniform": {"num_slices": N, "interval_ms": MS}}', path)
    uniform = raw["uniform"]
    _check_keys(uniform, {"num_slices", "interval_ms"}, f"{path}.uniform")
    slices = _int(uniform.get("num_slices"), f"{path}.uniform.num_slices")
    return slices, _int(uniform.get("interval_ms"), f"{path}.uniform.interval_ms")


def parse_edge(raw, path: str, node_ids: set) -> EdgeSpec:
    if not isinstance(raw, dict):
        raise ValidationError("must be an object", path)
    _check_keys(raw, {"edge_id", "from_node", "to_node", "trigger", "condition"}, path)
    edge_id = _str(raw.get("edge_id"), f"{path}.edge_id", max_len=128)
    ends = []
    for key in ("from_node", "to_node"):
        value = _str(raw.get(key), f"{path}.{key}", max_len=128)
        if value not in node_ids:
            raise ValidationError(f"unknown node {value!r}", f"{path}.{key}")
        ends.append(value)
    edge = EdgeSpec(edge_id, ends[0], ends[1], kind="")
    _parse_trigger(edge, raw.get("trigger"), raw.get("condition"), path)
    return edge


def _parse_trigger(edge: EdgeSpec, trigger, condition, path: str) -> None:
    if isinstance(trigger, str):
        edge.kind = _str(trigger, f"{path}.trigger", SIMPLE_TRIGGERS)
    elif isinstance(trigger, dict) and len(trigger) == 1:
        edge.kind = _str(next(iter(trigger)), f"{path}.trigger", {"on_timeout", "on_price"})
        body = trigger[edge.kind]
        if edge.kind == "on_timeout":
            if not isinstance(body, dict) or set(body) != {"ms"}:
                raise ValidationError('must be {"on_timeout": {"ms": N}}', f"{path}.trigger")
            edge.timeout_ms = _int(body["ms"], f"{path}.trigger.on_timeout.ms")
        else:
            edge.price = _parse_price_trigger(body, f"{path}.trigger.on_price")
    else:
        raise ValidationError("must be a trigger name or a one-key trigger object", f"{path}.trigger")
    if edge.kind == "on_fill_ratio":
        if not isinstance(condition, dict) or set(condition) != {"fill_ratio_gte"}:
            raise ValidationError('on_fill_ratio needs {"fill_ratio_gte": R}', f"{path}.condition")
        edge.ratio = _number(condition["fill_ratio_gte"], f"{path}.condition.fill_ratio_gte")
        if not Decimal(0) < edge.ratio <= Decimal(1):
            raise ValidationError("must be in (0, 1]", f"{path}.condition.fill_ratio_gte")
    elif condition is not None:
        raise ValidationError(f"{edge.kind} takes no condition", f"{path}.condition")


def _parse_price_trigger(body, path: str) -> dict:
    if not isinstance(body, dict):
        raise ValidationError("must be an object", path)
    _check_keys(body, {"symbol", "direction", "reference", "offset_pct"}, path)
    reference = body.get("reference", "graph_entry_price")
    _str(reference, f"{path}.reference", {"graph_entry_price"})
    return {
        "symbol": _str(body.get("symbol"), f"{path}.symbol"),
        "direction": _str(body.get("direction"), f"{path}.direction", {"above", "below"}),
        "offset_pct": _number(body.get("offset_pct", 0), f"{path}.offset_pct"),
    }


def _check_acyclic(ids: set, edges: list[EdgeSpec]) -> None:
    """Kahn's algorithm; a graph with a loop could never settle."""
    indegree = dict.fromkeys(ids, 0)
    children: dict[str, list[str]] = {n: [] for n in ids}
    for e in edges:
        indegree[e.to_node] += 1
        children[e.from_node].append(e.to_node)
    ready = [n for n, d in indegree.items() if d == 0]
    seen = 0
    while ready:
        node = ready.pop()
        seen += 1
        for child in children[node]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    if seen != len(ids):
        raise ValidationError("edges form a cycle", "edges")


def parse_risk(raw) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValidationError("must be an object", "risk")
    _check_keys(raw, {"admission", "runtime"}, "risk")
    risk = {}
    for section, key in (("admission", "max_notional_usd"), ("runtime", "max_loss_usd")):
        if section in raw:
            block = raw[section]
            if not isinstance(block, dict):
                raise ValidationError("must be an object", f"risk.{section}")
            _check_keys(block, {key}, f"risk.{section}")
            if key in block:
                risk[key] = _number(block[key], f"risk.{section}.{key}")
    return risk


# --------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------


@dataclass
class SandboxConfig:
    """Knobs of the simulator; all times in simulated milliseconds."""

    seed: int = 0
    speed: float = 1.0
    fills_per_node: int = 4
    fill_interval_ms: int = 500
    accept_latency_ms: int = 50
    prices: dict = field(default_factory=dict)  # symbol -> {"price": Decimal, "path": [(ms, Decimal)]}
    reject_symbols: set = field(default_factory=set)
    expose_idempotency_keys: bool = True


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
        if node.spec.qty_1e8 is None:
            return self.target(node) - node.filled
        count, _ = self.fill_plan(node)
        k = node.fill_count + 1
        if k > count:
            return 0
        qty = node.spec.qty_1e8
        return qty * k // count - qty * (k - 1) // count

    def _on_fill(self, at: int, node_id: str) -> None:
        node = self.nodes[node_id]
        node.tick_scheduled = False
        if node.status != "executing":
            return
        qty = self.next_fill_qty(node)
        if qty > 0:
            self.apply_fill(node, qty, at)
        if node.status == "executing":
            self.check_done(node, at)
        if node.status == "executing" and (node.spec.qty_1e8 is not None or self.next_fill_qty(node) > 0):
            self.schedule_fill(node, at)

    def apply_fill(self, node: Node, qty: int, at: int) -> None:
        price = node.spec.limit_1e9 or self.sb.price_1e9(node.spec.symbol, self, at)
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
        alive = set()
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


class SandboxHTTPError(Exception):
    """An error answer: status, machine code, human message."""

    def __init__(self, status: int, code: str, message: str, path: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.path = status, code, message, path

    def body(self) -> dict:
        err = {"code": self.code, "message": self.message}
        if self.path:
            err["path"] = self.path
        return {"error": err}


def _to_price(value, where: str) -> Decimal:
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise SandboxHTTPError(400, "validation_error", f"{where}: not a number") from None
    if not price.is_finite() or price <= 0:
        raise SandboxHTTPError(400, "validation_error", f"{where}: must be a positive number")
    return price


class Sandbox:
    """The simulated router: all state, behind one lock."""

    def __init__(self, config: SandboxConfig | None = None):
        self.base_config = config or SandboxConfig()
        self.lock = threading.RLock()
        self.faults = FaultInjector()
        self.reset()

    def reset(self) -> None:
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
        now = self.now()
        for graph in self.graphs.values():
            if graph.status == "active":
                graph.run_until(now)
        return now

    def price_path(self, symbol: str) -> list:
        return self.config.prices.get(symbol, {}).get("path", [])

    def price_1e9(self, symbol: str, graph: Graph, at: int) -> int:
        entry = self.config.prices.get(symbol, {})
        price = entry.get("price", DEFAULT_PRICE)
        for offset, point in entry.get("path", []):
            if graph.created_ms + offset <= at:
                price = point
        return int(price.scaleb(9).to_integral_value())

    def set_prices(self, data) -> None:
        if not isinstance(data, dict):
            raise SandboxHTTPError(400, "validation_error", "expected {SYMBOL: price | {price, path}}")
        for symbol, value in data.items():
            self.config.prices[symbol] = self._price_entry(symbol, value)

    def _price_entry(self, symbol: str, value) -> dict:
        if not isinstance(value, dict):
            return {"price": _to_price(value, symbol), "path": []}
        path = []
        for point in value.get("path", []):
            if not (isinstance(point, list) and len(point) == 2 and isinstance(point[0], int)):
                raise SandboxHTTPError(400, "validation_error", f"{symbol}: path points are [ms, price]")
            path.append((point[0], _to_price(point[1], symbol)))
        price = _to_price(value.get("price", DEFAULT_PRICE), symbol)
        return {"price": price, "path": sorted(path, key=lambda p: p[0])}

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
            replay = self._replay(idempotency_key, wire_hash)
            if replay is not None:
                return replay.summary(), {"Idempotent-Replayed": "true"}
            try:
                spec = parse_submission(body)
            except ValidationError as exc:
                message = f"{exc.path}: {exc}" if exc.path else str(exc)
                raise SandboxHTTPError(400, "validation_error", message, exc.path) from None
            self._admit(spec)
            graph = Graph(self, self._new_graph_id(), spec, now, idempotency_key, wire_hash)
            self.graphs[graph.graph_id] = graph
            if idempotency_key:
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
        """Risk admission: total notional of fixed-size nodes against max_notional_usd."""
        limit = (spec.risk or {}).get("max_notional_usd")
        if limit is None:
            return
        total = Decimal(0)
        for node in spec.nodes:
            if node.qty_1e8 is not None:
                price = node.limit_1e9 or int(
                    self.config.prices.get(node.symbol, {}).get("price", DEFAULT_PRICE).scaleb(9)
                )
                total += Decimal(node.qty_1e8 * price).scaleb(-17)
        if total > limit:
            raise SandboxHTTPError(
                400, "risk_admission_rejected", f"total notional {total:f} USD exceeds max_notional_usd {limit:f}"
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

    def set_kill_switch(self, active, reason) -> dict:
        if not isinstance(active, bool):
            raise SandboxHTTPError(400, "validation_error", "active must be true or false", "active")
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
        with self.lock:
            self.advance()
            expose = self.config.expose_idempotency_keys
            entries = [e for g in reversed(list(self.graphs.values())) for e in g.order_entries(expose)]
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
            raise SandboxHTTPError(400, "validation_error", "ms must be a non-negative integer", "ms")
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
            if "expose_idempotency_keys" in data:
                self.config.expose_idempotency_keys = bool(data["expose_idempotency_keys"])
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
            "reject_symbols": sorted(cfg.reject_symbols),
            "prices": {s: str(p["price"]) for s, p in cfg.prices.items()},
            "now_ms": self.now(),
        }

    def note_request(self, method: str, path: str, fault: str | None) -> None:
        with self.lock:
            self.requests.append({"seq": len(self.requests), "method": method, "path": path, "fault": fault})


def _positive_int(value, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SandboxHTTPError(400, "validation_error", f"{key} must be a positive integer", key)
    return value


def _to_speed(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value < 0:
        raise SandboxHTTPError(400, "validation_error", "speed must be a number >= 0", "speed")
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
        raise SandboxHTTPError(400, "validation_error", f"{key} must be an integer in [{low}, {high}]", key)
    return int(raw)


# --------------------------------------------------------------------------
# Fault injection
# --------------------------------------------------------------------------

FAULT_KINDS = {"drop_after_read", "http_500", "http_429", "slow"}


@dataclass
class FaultRule:
    """One rule: which requests it hits, how often, and what it does to them."""

    kind: str
    method: str = "*"
    path_prefix: str = "/"
    count: int | None = None
    probability: float | None = None
    seed: int = 0
    retry_after: int = 1
    delay: float = 1.0
    apply: bool = False  # http_500 only: apply the request, then answer 500
    hits: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and path.startswith(self.path_prefix)

    def trigger(self) -> bool:
        """Deterministic for a given seed: the n-th matching request always gets the same fate."""
        if self.count is not None and self.hits >= self.count:
            return False
        if self.probability is not None and self.rng.random() >= self.probability:
            return False
        self.hits += 1
        return True

    def view(self) -> dict:
        return {
            "kind": self.kind,
            "method": self.method,
            "path_prefix": self.path_prefix,
            "count": self.count,
            "probability": self.probability,
            "hits": self.hits,
        }


def parse_fault(raw) -> FaultRule:
    if not isinstance(raw, dict):
        raise SandboxHTTPError(400, "validation_error", "each fault rule must be an object")
    kind = raw.get("kind")
    if kind not in FAULT_KINDS:
        raise SandboxHTTPError(400, "validation_error", f"kind must be one of {', '.join(sorted(FAULT_KINDS))}")
    rule = FaultRule(
        kind=kind,
        method=str(raw.get("method", "*")).upper(),
        path_prefix=str(raw.get("path_prefix", "/")),
        seed=int(raw.get("seed", 0)),
        retry_after=int(raw.get("retry_after", 1)),
        delay=float(raw.get("delay", 1.0)),
        apply=bool(raw.get("apply", False)),
    )
    if raw.get("probability") is not None:
        rule.probability = float(raw["probability"])
    if raw.get("count") is not None:
        rule.count = int(raw["count"])
    elif rule.probability is None:
        rule.count = 1
    rule.rng = random.Random(rule.seed)
    return rule


class FaultInjector:
    """The active fault rules; the first matching rule that triggers wins."""

    def __init__(self):
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = []

    def clear(self) -> None:
        with self._lock:
            self.rules = []

    def set(self, data) -> dict:
        raw_rules = data.get("rules", []) if isinstance(data, dict) else data
        if not isinstance(raw_rules, list):
            raise SandboxHTTPError(400, "validation_error", "expected a list of fault rules")
        rules = [parse_fault(r) for r in raw_rules]
        with self._lock:
            self.rules = rules
        return self.view()

    def pick(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path) and rule.trigger():
                    return rule
        return None

    def view(self) -> dict:
        with self._lock:
            return {"rules": [r.view() for r in self.rules]}


# --------------------------------------------------------------------------
# HTTP front
# --------------------------------------------------------------------------

GRAPH_PATH = re.compile(r"^/v1/execution_graphs/(?P<gid>[^/]+)$")
RESUME_PATH = re.compile(r"^/v1/execution_graphs/(?P<gid>[^/]+)/resume$")
EVENTS_PATH = re.compile(r"^/_sandbox/graphs/(?P<gid>[^/]+)/events$")
PAUSE_PATH = re.compile(r"^/_sandbox/graphs/(?P<gid>[^/]+)/pause$")


class SandboxHandler(BaseHTTPRequestHandler):
    """Routes router endpoints (bearer auth, faults) and ``/_sandbox`` controls (no auth)."""

    server_version = "graphc-sandbox"
    protocol_version = "HTTP/1.0"  # one request per connection: a dropped one cannot poison the next

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox

    def log_message(self, fmt, *args):  # request line and status only, never headers
        if self.server.verbose:
            sys.stderr.write("sandbox: %s\n" % (fmt % args))

    def dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        try:
            body = self._read_body(method)
            if path.startswith("/_sandbox/") or path == "/_sandbox":
                self._send(200, self.control(method, path, body))
                return
            self._serve_api(method, path, query, body)
        except SandboxHTTPError as exc:
            self._send(exc.status, exc.body())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except (ValueError, TypeError) as exc:  # malformed control input: say so, stay up
            self._send(400, _err("bad_request", str(exc)[:200]))

    def _serve_api(self, method: str, path: str, query: dict, body: bytes) -> None:
        fault = self.sandbox.faults.pick(method, path)
        self.sandbox.note_request(method, path, fault.kind if fault else None)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "http_429":
            self._send(429, _err("rate_limited", "sandbox fault: slow down"), {"Retry-After": str(fault.retry_after)})
            return
        if fault is not None and fault.kind == "http_500" and not fault.apply:
            self._send(500, _err("internal", "sandbox fault: internal error"))
            return
        try:
            status, payload, headers = self.route(method, path, query, body)
        except SandboxHTTPError as exc:
            status, payload, headers = exc.status, exc.body(), {}
        if fault is not None and fault.kind == "drop_after_read":
            self._drop()
            return
        if fault is not None and fault.kind == "http_500":
            status, payload, headers = 500, _err("internal", "sandbox fault: applied, then failed"), {}
        self._send(status, payload, headers)

    def _drop(self) -> None:
        """Close the socket without a byte of answer: the request *was* applied."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_body(self, method: str) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if method in ("POST", "PUT", "PATCH") and self.headers.get("Transfer-Encoding"):
                raise SandboxHTTPError(411, "length_required", "send a Content-Length")
            return b""
        if not length.isdigit() or int(length) > MAX_BODY:
            raise SandboxHTTPError(413, "too_large", f"body larger than {MAX_BODY} bytes")
        return self.rfile.read(int(length))

    def _authorized(self) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return scheme.lower() == "bearer" and bool(token.strip())

    def route(self, method: str, path: str, query: dict, body: bytes) -> tuple[int, dict, dict]:
        if not self._authorized():
            raise SandboxHTTPError(401, "unauthorized", "missing or empty bearer token")
        sb = self.sandbox
        if path == "/v1/orders":
            if method == "POST":
                payload, headers = sb.submit(body, self.headers.get("Idempotency-Key"))
                return 200, payload, headers
            if method == "GET":
                return 200, sb.list_orders(query), {}
        elif path == "/v1/fills" and method == "GET":
            return 200, sb.list_fills(query), {}
        elif path == "/v1/kill_switch" and method == "PUT":
            data = _json_object(body)
            return 200, sb.set_kill_switch(data.get("active"), data.get("reason")), {}
        elif (m := GRAPH_PATH.match(path)) and method in ("GET", "DELETE"):
            action = sb.get_graph if method == "GET" else sb.cancel_graph
            return 200, action(m["gid"]), {}
        elif (m := RESUME_PATH.match(path)) and method == "POST":
            return 200, sb.resume_graph(m["gid"]), {}
        if path in ("/v1/orders", "/v1/fills", "/v1/kill_switch") or GRAPH_PATH.match(path) or RESUME_PATH.match(path):
            raise SandboxHTTPError(405, "method_not_allowed", f"{method} not allowed on {path}")
        raise SandboxHTTPError(404, "not_found", f"no endpoint {path}")

    def control(self, method: str, path: str, body: bytes) -> dict:
        sb = self.sandbox
        if path == "/_sandbox/health":
            return {"ok": True, "now_ms": sb.now()}
        if path == "/_sandbox/reset" and method == "POST":
            sb.reset()
            return {"ok": True}
        if path == "/_sandbox/faults":
            if method == "POST":
                return sb.faults.set(_json_value(body))
            if method == "DELETE":
                sb.faults.clear()
            return sb.faults.view()
        if path == "/_sandbox/requests":
            if method == "DELETE":
                with sb.lock:
                    sb.requests = []
            with sb.lock:
                return {"requests": list(sb.requests)}
        if path == "/_sandbox/graphs" and method == "GET":
            return sb.graph_list()
        if path == "/_sandbox/tick" and method == "POST":
            return sb.tick(_json_object(body).get("ms"))
        if path == "/_sandbox/prices" and method == "POST":
            with sb.lock:
                sb.set_prices(_json_object(body))
                return sb.config_view()
        if path == "/_sandbox/config":
            return sb.update_config(_json_object(body)) if method == "POST" else sb.config_view()
        if (m := EVENTS_PATH.match(path)) and method == "GET":
            return sb.graph_events(m["gid"])
        if (m := PAUSE_PATH.match(path)) and method == "POST":
            return sb.pause_graph(m["gid"])
        raise SandboxHTTPError(404, "not_found", f"no sandbox control {method} {path}")

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
        data = json.dumps(payload, default=str).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", "Bearer")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _err(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def _json_value(body: bytes):
    try:
        return parse_json(body or b"{}")
    except ValidationError as exc:
        raise SandboxHTTPError(400, "validation_error", str(exc)) from None


def _json_object(body: bytes) -> dict:
    value = _json_value(body)
    if not isinstance(value, dict):
        raise SandboxHTTPError(400, "validation_error", "expected a JSON object")
    return value


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sandbox: Sandbox, verbose: bool = False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.sandbox, self.verbose = sandbox, verbose
        super().__init__(address, SandboxHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"


def make_server(
    host: str = "127.0.0.1", port: int = 0, config: SandboxConfig | None = None, verbose: bool = False
) -> SandboxServer:
    return SandboxServer((host, port), Sandbox(config), verbose=verbose)


def serve(
    host: str = "127.0.0.1", port: int = 0, config: SandboxConfig | None = None, verbose: bool = False, out=None
) -> None:
    """Run until interrupted; the first line printed carries the URL (tests read it)."""
    out = out or sys.stdout
    server = make_server(host, port, config, verbose)
    print(f"graphc sandbox listening on {server.url}", file=out, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        print("graphc sandbox stopped", file=out, flush=True)
