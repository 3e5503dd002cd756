"""What the sandbox router accepts on ``POST /v1/orders``, decided by the compiler's own checks.

A body is read as the router reads JSON (exact decimals, no NaN), classified by
:func:`graphc.inputs.kind_of` (a full graph or a simple order), checked against
the same wire JSON Schema ``graphc lint`` uses (:func:`graphc.inputs.wire_diagnostics`)
and the same graph-shape predicates as lint's graph rules
(:mod:`graphc.stages.wiregraph`: triggers, fill ratios, loops). Only then is it
turned into the engine's :class:`GraphSpec`. The sandbox refuses what the
router's reference says it cannot run (a loop, an unknown node, no root, a
malformed trigger); it never adds a rule of its own beyond what simulating a
graph needs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from graphc.inputs import (
    PLAYBOOK,
    SIMPLE,
    WIRE,
    incomplete_simple_order,
    kind_of,
    wire_diagnostics,
    wrap_simple_order,
)
from graphc.stages.load import Document
from graphc.stages.wiregraph import fill_ratio, topological_order, trigger_name, trigger_problem
from graphc.venues import router_type
from graphc.vocabulary import ACTIVATIONS, PRICE_REFERENCES, RATIO_TRIGGER

MAX_NODES = 10_000
SIMPLE_NODE_ID = "node_0"  # what the router calls the one node of a simple order (the reference's amend example)


class ValidationError(Exception):
    """A submission the router would refuse with 400; ``rule`` is lint's code for the same problem."""

    def __init__(self, message: str, rule: str | None = None):
        super().__init__(message)
        self.rule = rule


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
    execution: dict | None = None  # as submitted; amend updates it


@dataclass
class EdgeSpec:
    edge_id: str
    from_node: str
    to_node: str
    kind: str
    ratio: Decimal = Decimal(1)  # on_fill_ratio only
    timeout_ms: int = 0  # on_timeout only
    price: dict = field(default_factory=dict)  # on_price only: {symbol, direction, offset_pct}


@dataclass
class GraphSpec:
    nodes: list[NodeSpec]
    edges: list[EdgeSpec]
    risk: dict | None
    is_sandbox: bool
    wire: dict = field(default_factory=dict)  # the graph as submitted (a simple order as its one-node graph)


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
    kind = kind_of(data)
    doc = Document("request body", "", data)  # no positions: messages name the field instead
    if kind == WIRE:
        _refuse_errors(wire_diagnostics(doc))
        return _spec(data)
    if kind == SIMPLE:
        wire, _, diagnostics = wrap_simple_order(doc)
        _refuse_errors(diagnostics)
        (node,) = wire["nodes"]
        node["node_id"] = SIMPLE_NODE_ID
        return _spec(wire)
    if kind == PLAYBOOK:
        raise ValidationError("this is a graphc playbook; compile it to a wire graph first (`graphc compile`)")
    _refuse_errors(incomplete_simple_order(doc))
    raise ValidationError("expected a simple order {symbol, side, qty} or a graph {nodes, edges}")


def _refuse_errors(diagnostics) -> None:
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationError(f"{errors[0].message}{more}", errors[0].code)


def _spec(data: dict) -> GraphSpec:
    """A schema-valid wire graph as the engine's spec, refusing what cannot run."""
    raw_nodes, raw_edges = data["nodes"], data.get("edges", [])
    if len(raw_nodes) > MAX_NODES:
        raise ValidationError(f"at most {MAX_NODES} nodes")
    ids: dict[str, int] = {}
    for i, node in enumerate(raw_nodes):
        if node["node_id"] in ids:
            raise ValidationError(f"nodes[{i}]: node id {node['node_id']!r} is already used", "GC203")
        ids[node["node_id"]] = i
    edges = [_edge(raw, j, ids) for j, raw in enumerate(raw_edges)]
    if len({e.edge_id for e in edges}) != len(edges):
        raise ValidationError("edge ids must be unique", "GC210")
    children: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for e in edges:
        children[e.from_node].append(e.to_node)
    if topological_order(children) is None:
        raise ValidationError("edges form a cycle: these nodes wait on each other", "GC201")
    incoming = {e.to_node for e in edges}
    nodes = [_node(raw, "wait" if raw["node_id"] in incoming else "root") for raw in raw_nodes]
    if not any(n.activation == "root" for n in nodes):
        raise ValidationError("graph has no root node: nothing would ever start", "GC206")
    return GraphSpec(nodes, edges, _risk(data.get("risk")), data.get("is_sandbox", True), data)


def _node(raw: dict, inferred_activation: str) -> NodeSpec:
    instrument, execution = raw["instrument"], raw.get("execution") or {}
    order_type, quantity = raw["order_type"], raw["quantity"]
    fills = interval = None
    pacing = execution.get("pacing")
    if isinstance(pacing, dict) and isinstance(pacing.get("uniform"), dict):
        fills, interval = pacing["uniform"].get("num_slices"), pacing["uniform"].get("interval_ms")
    elif execution.get("horizon_ms") is not None:
        interval = execution["horizon_ms"]
    activation = raw.get("activation")
    return NodeSpec(
        node_id=raw["node_id"],
        symbol=instrument["symbol"],
        type=router_type(instrument["symbol"], instrument.get("type")),  # spot, or prediction for a Polymarket URL
        venue=instrument.get("venue"),
        side=raw["side"],
        limit_1e9=order_type["limit"]["price_1e9"] if isinstance(order_type, dict) else None,
        qty_1e8=quantity["fixed"]["qty_1e8"] if isinstance(quantity, dict) else None,
        activation=activation if activation in ACTIVATIONS else inferred_activation,
        fills=_positive(fills, "pacing.uniform.num_slices"),
        interval_ms=_positive(interval, "an execution interval"),
        execution=dict(execution),
    )


def _positive(value, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"{what} must be a positive whole number, got {value}", "GC103")
    return value


def _edge(raw: dict, j: int, ids: dict) -> EdgeSpec:
    label = f"edge {raw['edge_id']}"
    for end in ("from_node", "to_node"):
        if raw[end] not in ids:
            raise ValidationError(f"{label}: {end} names unknown node {raw[end]!r}", "GC202")
    trigger, condition = raw["trigger"], raw.get("condition")
    problem = trigger_problem(trigger)
    if problem:
        raise ValidationError(f"{label}: {problem[0]}", "GC208")
    edge = EdgeSpec(raw["edge_id"], raw["from_node"], raw["to_node"], trigger_name(trigger))
    if edge.kind == RATIO_TRIGGER:
        ratio = fill_ratio(condition)
        if ratio is None:
            raise ValidationError(f"{label}: on_fill_ratio needs condition.fill_ratio_gte in (0, 1]", "GC208")
        edge.ratio = ratio
    elif condition is not None:
        raise ValidationError(f"{label}: a condition only applies to on_fill_ratio, not {edge.kind}", "GC208")
    if edge.kind == "on_timeout":
        edge.timeout_ms = _positive(trigger["on_timeout"]["ms"], f"{label}: on_timeout.ms") or 0
    elif edge.kind == "on_price":
        body = trigger["on_price"]
        if body.get("reference", PRICE_REFERENCES[0]) not in PRICE_REFERENCES:
            raise ValidationError(f"{label}: on_price reference must be {' or '.join(PRICE_REFERENCES)}", "GC208")
        edge.price = {
            "symbol": body["symbol"],
            "direction": body["direction"],
            "offset_pct": Decimal(body["offset_pct"]),
        }
    return edge


def _risk(raw) -> dict | None:
    if not raw:
        return None
    risk = {}
    if "max_notional_usd" in raw.get("admission", {}):
        risk["max_notional_usd"] = Decimal(raw["admission"]["max_notional_usd"])
    if "max_loss_usd" in raw.get("runtime", {}):
        risk["max_loss_usd"] = Decimal(raw["runtime"]["max_loss_usd"])
    return risk
