"""What the sandbox router accepts on ``POST /v1/orders``, decided by graphc's own checks.

A body is read as the router reads JSON (exact decimals, no NaN), classified by
:func:`graphc.inputs.kind_of` (a full graph or a simple order), checked against
the same wire JSON Schema ``graphc lint`` uses (:func:`graphc.inputs.wire_diagnostics`)
and then by lint's own graph rules, GC201-GC210 (:mod:`graphc.stages.graph_rules`,
run as lint runs them on a wire graph without ``--quotes``). An error from either
is a refusal naming its code, with lint's message: a graph ``graphc lint`` gives a
schema or graph error for is never accepted here (docs/submitting.md, "The local
sandbox server"). Only then is it turned into the engine's :class:`GraphSpec`.

The one refusal of its own is :data:`MAX_NODES`: a bound on the simulation, which
re-walks a graph at each of its events under the one lock every request takes. It
is the sandbox's limit, not the router's (whose reference gives none), and says so.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from graphc.diagnostics import ERROR
from graphc.files import MAX_DEPTH
from graphc.inputs import (
    PLAYBOOK,
    SIMPLE,
    WIRE,
    incomplete_simple_order,
    kind_of,
    wire_diagnostics,
    wrap_simple_order,
)
from graphc.limits import limit
from graphc.stages import graph_rules
from graphc.stages.checks import LintContext, run_rules
from graphc.stages.load import Document
from graphc.stages.wiregraph import fill_ratio, trigger_name
from graphc.venues import router_type
from graphc.vocabulary import ACTIVATIONS, RATIO_TRIGGER

# The most nodes a graph may have here: the sandbox's own bound on its simulation, not the router's (docs/
# robustness.md, "The local sandbox"). GRAPHC_MAX_SANDBOX_NODES in the environment of `graphc sandbox serve` sets it.
MAX_NODES = limit("MAX_SANDBOX_NODES", 10_000)
_GRAPH_SEVERITY = {r.code: r.severity for r in graph_rules.RULES}
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


def _object(pairs: list) -> dict:
    """A JSON object; a key given twice is refused as lint refuses it (GC101), never the last one winning."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        counted = Counter(key for key, _ in pairs)
        key = next(key for key, _ in pairs if counted[key] > 1)
        raise ValidationError(
            f"duplicate key {key[:80]!r} in an object of the body; remove one of the two keys: graphc never lets "
            "the last one win",
            "GC101",
        )
    return mapping


def parse_json(body: bytes):
    """JSON with exact decimals (never floats), as the router must read money; nested at most as deep as lint reads
    a file (:data:`graphc.files.MAX_DEPTH`, GC100 with lint's words), whether json's own recursion stops first or
    not; a key repeated in an object is GC101, as lint has it."""
    try:
        data = json.loads(
            body.decode("utf-8"), parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_object
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(f"body is not valid JSON: {exc}") from None
    except RecursionError:  # nested far deeper than MAX_DEPTH: json's C parser stops at the interpreter's limit
        raise ValidationError(_TOO_DEEP, "GC100") from None
    if _deeper_than(data, MAX_DEPTH):
        raise ValidationError(_TOO_DEEP, "GC100")
    return data


_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"


def _deeper_than(data, depth: int) -> bool:
    """Whether ``data`` nests more than ``depth`` objects and arrays (one level at a time, never recursing)."""
    level = [data] if isinstance(data, (dict, list)) else []
    for _ in range(depth):
        below: list = []
        for value in level:
            below += [item for item in (value.values() if isinstance(value, dict) else value) if type(item) in _NESTS]
        if not below:
            return False
        level = below
    return bool(level)


_NESTS = frozenset((dict, list))


def parse_submission(body: bytes) -> GraphSpec:
    """Either form accepted by ``POST /v1/orders``, as a graph."""
    data = parse_json(body)
    kind = kind_of(data)
    doc = Document("request body", "", data)  # no positions: messages name the field instead
    if kind == WIRE:
        schema = wire_diagnostics(doc)
        _refuse_errors(schema, unchecked=schema.stopped)
        _refuse_graph_errors(data)
        return _spec(data)
    if kind == SIMPLE:
        wire, _, diagnostics = wrap_simple_order(doc)
        _refuse_errors(diagnostics)
        (node,) = wire["nodes"]
        node["node_id"] = SIMPLE_NODE_ID
        return _spec(wire)  # one root node, no edge: no graph rule has anything to say
    if kind == PLAYBOOK:
        raise ValidationError("this is a graphc playbook; compile it to a wire graph first (`graphc compile`)")
    _refuse_errors(incomplete_simple_order(doc))
    raise ValidationError("expected a simple order {symbol, side, qty} or a graph {nodes, edges}")


def _refuse_errors(diagnostics, *, unchecked: bool = False) -> None:
    """``unchecked``: the schema check stopped at GRAPHC_MAX_DIAGNOSTICS (graphc.stages.validate.SchemaProblems),
    so there may be more errors than those counted."""
    _refuse_first([(d.code, d.message) for d in diagnostics if d.is_error], unchecked=unchecked)


def _refuse_first(errors: list[tuple[str, str]], *, unchecked: bool = False) -> None:
    """Refuse with the first ``(code, message)`` of ``errors``, saying how many more there are (at least, when
    ``unchecked``: some of the body was not checked); none: accept."""
    if errors:
        code, message = errors[0]
        least = "at least " if unchecked else ""
        more = f" (and {least}{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationError(f"{message}{more}", code)


def _refuse_graph_errors(data: dict) -> None:
    """Refuse a schema-valid wire graph that lint's graph rules give an error for, with the first one's code and
    message (lint's own, from the same checks: no second copy to drift); a graph over :data:`MAX_NODES` first,
    before the rules read it."""
    count = len(data["nodes"])
    if count > MAX_NODES:
        raise ValidationError(
            f"the graph has {count} nodes; this local sandbox simulates at most {MAX_NODES}: its own limit, not "
            "the router's (the router reference gives none; GRAPHC_MAX_SANDBOX_NODES in the environment of "
            "`graphc sandbox serve` raises it)"
        )
    found = run_rules(LintContext.for_wire(data), graph_rules.RULES, skip_paths=False).findings
    _refuse_first([(f.code, f.message) for f in found if (f.severity or _GRAPH_SEVERITY[f.code]) == ERROR])


def _spec(data: dict) -> GraphSpec:
    """A wire graph that passed the schema and the graph rules as the engine's spec: node ids unique, every edge
    between two of them, no loop, a root, every trigger and condition valid (:func:`_refuse_graph_errors`)."""
    raw_nodes, raw_edges = data["nodes"], data.get("edges", [])
    edges = [_edge(raw) for raw in raw_edges]
    incoming = {e.to_node for e in edges}
    nodes = [_node(raw, "wait" if raw["node_id"] in incoming else "root") for raw in raw_nodes]
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
        # spot, or prediction for a Polymarket URL or slug, or a node pinned to polymarket
        type=router_type(instrument["symbol"], instrument.get("type"), instrument.get("venue")),
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


def _edge(raw: dict) -> EdgeSpec:
    """An edge of a graph the graph rules passed (GC202, GC208: known ends, a valid trigger and condition)."""
    trigger = raw["trigger"]
    edge = EdgeSpec(raw["edge_id"], raw["from_node"], raw["to_node"], trigger_name(trigger))
    if edge.kind == RATIO_TRIGGER:
        edge.ratio = fill_ratio(raw["condition"]) or Decimal(1)  # (GC208 refused a missing or bad ratio)
    if edge.kind == "on_timeout":
        edge.timeout_ms = _positive(trigger["on_timeout"]["ms"], f"edge {raw['edge_id']}: on_timeout.ms") or 0
    elif edge.kind == "on_price":
        body = trigger["on_price"]
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
