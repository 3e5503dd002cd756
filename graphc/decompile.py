"""Wire graph -> idiomatic playbook, the inverse of :mod:`graphc.stages.model`.

Teams with wire graphs move them into playbooks with this. The output reads as
if a person wrote it (``buy: 200 ETH``, ``after: spot filled 50%``, ``$500k``),
and it leaves out whatever graphc infers anyway (instrument type and venue,
``policy: sor``, ``activation``, ``sandbox: true``) only when the inference
gives back the same value. :func:`round_trip_difference` then compiles the
text again, so a graph that a playbook cannot express is reported, never
silently changed.

A node without ``instrument.type`` or ``activation`` (allowed, GC111) is read
as the router reads it (spot, or prediction for a Polymarket URL or slug and
for any symbol pinned to ``polymarket``: :func:`graphc.venues.router_type`; ``root`` when no edge leads to it, else ``wait``),
and so is one without ``execution.policy`` (``sor``), each kind with a note;
the round trip is then proved against that completed graph, as for a graph
without ``is_sandbox`` (sandboxed, with a note too). A simple order takes the
same path (:func:`decompile_simple_order`), and a spot symbol that may be a bare
Polymarket slug (``will-btc-hit-100k``) is noted as one.

What a playbook cannot express: node ids that are not leg ids (or repeat),
edge conditions other than ``fill_ratio_gte``, values graphc would not accept
(non-positive sizes, mixed-case venues, ...), and a prediction market whose
symbol names its venue (``KX...``, ``...:yes``, a Polymarket URL) left without
``instrument.venue``: the reference allows that, but a playbook always pins the
venue it infers (playbook-spec.md §3.1: "An inferred venue *is* emitted in
``instrument.venue``", the router needs it for prediction markets). Edge ids are the one thing
renumbered rather than refused: a playbook's edges are always ``e0, e1, ...``
in order, so other ids come back in that form (reported as a note). A text holding
template markup (a symbol ``{{ 7*7 }}``: compile renders any string with ``{{``,
``{%`` or ``{#``) is written as a template expression returning it,
``'{{ "{{ 7*7 }}" }}'`` (:func:`_literal`), and compiles back to the same text.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import signal
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from graphc import humanize as H
from graphc.facts import edge_targets, router_reading
from graphc.pipeline import TEMPLATE_MARKERS, compile_document, compile_text, gc_paused
from graphc.stages.load import document_of, load_text
from graphc.venues import (
    SLUG_READING,
    infer_instrument,
    may_be_polymarket_slug,
    prediction_venue,
    symbol_in_quotes,
    venue_case_problem,
)
from graphc.venues.symbols import quoted_in_text, wrapped_in_quotes
from graphc.vocabulary import DEFAULT_POLICY, ON_PRICE_FIELDS
from graphc.yaml_out import dump_yaml, read_back

LEG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")
EXECUTION_FIELDS = ("policy", "urgency", "max_slippage_bps", "horizon_ms", "tif", "pacing")


class DecompileError(Exception):
    """The wire graph has something no playbook can say: a diagnostic like any bad input's.

    ``at`` is the wire path of the offending value (``("nodes", 3, "node_id")``), which the command turns into the
    input's ``line:col`` (:meth:`graphc.wire_input.GraphInput.span`); ``code`` the rule it breaks (GC103 for a
    value no playbook can hold; GC203 a repeated node id, GC104 a field a playbook needs), ``hint`` what to do.
    """

    def __init__(self, message: str, at: tuple = (), hint: str | None = None, code: str = "GC103"):
        super().__init__(message)
        self.message, self.at, self.hint, self.code = message, tuple(at), hint, code


@dataclass
class Decompiled:
    playbook: dict
    wire: dict  # the graph the playbook compiles to (input with defaults filled in)
    notes: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return dump_yaml(self.playbook)


def decompile(wire: dict, name: str = "decompiled") -> Decompiled:
    """The playbook for ``wire`` (a full graph in the router's format)."""
    wire, notes = _complete(wire)
    nodes = wire["nodes"]
    _refuse_unpinned_prediction_venues(nodes)
    index = _node_index(nodes)
    after, explicit = _split_edges(wire["edges"], index)
    first_explicit = len(wire["edges"]) - len(explicit)
    targets = {edge["to_node"] for edge in explicit}
    playbook = {"graphc": 1, "name": name}
    if wire["is_sandbox"] is False:
        playbook["sandbox"] = False
    risk = _risk(wire.get("risk"))
    if risk:
        playbook["risk"] = risk
    playbook["legs"] = {
        node["node_id"]: _leg(i, node, after.get(node["node_id"], []), node["node_id"] in targets)
        for i, node in enumerate(nodes)
    }
    if explicit:
        playbook["edges"] = [
            {"from": e["from_node"], "to": e["to_node"], **_trigger_fields(e, first_explicit + i)}
            for i, e in enumerate(explicit)
        ]
    return Decompiled(playbook, wire, notes)


def decompile_simple_order(wire: dict, name: str = "decompiled") -> Decompiled:
    """The playbook for a simple order, given as graphc wraps it (:func:`graphc.inputs.wrap_simple_order`).

    One path with wire graphs: what the order leaves out (``activation``, ``execution.policy``, and the instrument
    type where the router reads the symbol as graphc does, which the wrapped node leaves out too) is taken out of
    the wrapped node, so :func:`_complete` fills it in with its notes (a bare Polymarket slug read as spot noted as
    one). A type the node writes because the router would read it otherwise (a token id, ``0x`` id or ``KX``
    ticker, a venue of prediction markets: prediction; ``-PERP``: perp; spec §3.1), the venue a playbook pins that
    the order leaves to the router (a prediction market's: spec §3.1, "An inferred venue *is* emitted"), and the
    sandbox are noted here."""
    node = wire["nodes"][0]
    instrument = dict(node["instrument"])
    symbol, type_, venue = instrument["symbol"], instrument.get("type"), instrument.get("venue")
    notes = [
        "a simple order has no field for sandbox or live, so graphc sends it sandboxed and the playbook is sandboxed "
        "(add `sandbox: false` and risk limits to trade live); its leg is `order`, as graphc names the node"
    ]
    read_type, inferred = infer_instrument(symbol, type_, venue)  # the playbook's reading of the leg (spec §3.1)
    if type_ is not None:
        named_by = "symbol" if prediction_venue(symbol) or type_ == "perp" else "venue"
        market = f"a prediction market on {inferred}" if type_ == "prediction" else type_
        notes.append(
            f"node 'order' has no instrument.type; the playbook reads it as {market}, as it reads a leg with this "
            f"{named_by} (playbook-spec.md §3.1)"
        )
    if venue is None and read_type == "prediction" and inferred is not None:
        instrument["venue"] = inferred
        notes.append(
            f"the simple order leaves the venue to the router; the playbook pins {inferred}, the venue its symbol "
            f'names (playbook-spec.md §3.1: a playbook pins a prediction market\'s venue), so its graph has "venue": '
            f'"{inferred}"'
        )
    execution = {k: v for k, v in node["execution"].items() if k != "policy"}
    node = {k: v for k, v in node.items() if k != "activation"} | {"instrument": instrument, "execution": execution}
    result = decompile({**wire, "nodes": [node]}, name)
    result.notes[:0] = notes
    return result


def _refuse_unpinned_prediction_venues(nodes) -> None:
    """A node whose symbol names a prediction venue but has no ``instrument.venue``: compile would add the venue
    (playbook-spec.md §3.1, "An inferred venue *is* emitted"), so no playbook gives back this graph. Said here,
    naming the node and the venue, rather than as a difference found by the round trip."""
    for i, node in enumerate(nodes):
        instrument = node.get("instrument")
        if not isinstance(instrument, dict) or instrument.get("venue") is not None:
            continue
        symbol, type_ = instrument.get("symbol"), instrument.get("type")
        if type_ != "prediction" or not isinstance(symbol, str):
            continue  # only a prediction type infers a venue from the symbol (infer_instrument)
        inferred = infer_instrument(symbol, type_, None)[1]
        if inferred is not None:
            raise DecompileError(
                f"node {node.get('node_id')!r} has no instrument.venue, and a playbook always pins the venue its "
                f"prediction-market symbol names ({inferred}; playbook-spec.md §3.1: the router needs it for "
                f'prediction markets), so its graph would gain `"venue": "{inferred}"`',
                ("nodes", i, "instrument"),
                f'add "venue": "{inferred}" to the node\'s instrument to decompile it',
                code="GC104",
            )


# -- the graph as compile would emit it -----------------------------------------


def _complete(wire):
    """Fill in what the router defaults and compile always writes; returns (wire, notes)."""
    if not isinstance(wire, dict) or not isinstance(wire.get("nodes"), list) or not wire["nodes"]:
        raise DecompileError("not a wire graph: `nodes` must be a non-empty list", ("nodes",))
    notes = []
    nodes = []
    edges = [dict(e) for e in wire.get("edges") or []]
    targets = None  # the ids some edge leads to, found when a node needs them
    untyped, normalized, unactivated, unpoliced, slugs = [], [], [], [], []
    for position, node in enumerate(wire["nodes"]):
        if not isinstance(node, dict):
            raise DecompileError("every node must be an object", ("nodes", position))
        instrument = node.get("instrument")
        if type(instrument) is dict and instrument.get("type") is not None and node.get("activation") is not None:
            read_type = read_activation = None  # the node sets both (the usual case): nothing for the router to read
        else:
            if targets is None and node.get("activation") is None:
                targets = edge_targets(edges)
            read_type, read_activation = router_reading(node, targets or ())
        if read_type is not None:
            node = {**node, "instrument": {**node["instrument"], "type": read_type}}
            if read_type != "spot":
                normalized.append(node.get("node_id"))
            elif may_be_polymarket_slug(str(node["instrument"].get("symbol"))):
                slugs.append(node.get("node_id"))
            else:
                untyped.append(node.get("node_id"))
        if read_activation is not None:
            node = {**node, "activation": read_activation}
            unactivated.append(node.get("node_id"))
        execution = node.get("execution")
        if type(execution) is dict and _in_field_order(tuple(execution)):
            execution = dict(execution)  # what the lines below make of it, the usual case
        else:
            execution = dict(execution or {})
            if "policy" not in execution:  # the router's default (orders-and-execution-graphs.md: sor)
                execution["policy"] = DEFAULT_POLICY
                unpoliced.append(node.get("node_id"))
            execution = {k: execution[k] for k in EXECUTION_FIELDS if k in execution} | execution
        nodes.append({**node, "execution": execution})
    if untyped:
        notes.append(
            f"{_nodes(untyped)} no instrument.type; the playbook reads {_them(untyped)} as the router does, as spot"
        )
    if slugs:
        notes.append(
            f"{_nodes(slugs)} no instrument.type and a lower-case, hyphenated symbol, which may be a Polymarket "
            f"slug: {SLUG_READING} and the playbook reads {_them(slugs)} as spot (playbook-spec.md "
            "§3.1); if it is a slug, add `venue: polymarket` to the leg"
        )
    if normalized:
        notes.append(
            f"{_nodes(normalized)} no instrument.type; the playbook reads {_them(normalized)} as the router does, "
            "as prediction (the router normalizes a Polymarket URL or slug, and a symbol pinned to polymarket, to "
            "prediction)"
        )
    if unactivated:
        notes.append(
            f"{_nodes(unactivated)} no activation; the playbook reads {_them(unactivated)} as the router does "
            "(root when no edge leads to the node, else wait)"
        )
    if unpoliced:
        notes.append(
            f"{_nodes(unpoliced)} no execution.policy; the playbook reads {_them(unpoliced)} as the router does, "
            f"as {DEFAULT_POLICY} (its default)"
        )
    renumbered = [i for i, e in enumerate(edges) if e.get("edge_id") != f"e{i}"]
    if renumbered:
        notes.append(
            "edge ids are renumbered, as a playbook numbers its edges e0, e1, ... in order: "
            + _renamed(edges, renumbered)
        )
        for i, edge in enumerate(edges):
            edge["edge_id"] = f"e{i}"
    if "is_sandbox" not in wire:
        notes.append(  # as plan and graph say it (docs/submitting.md: the router's default would decide)
            "the graph has no is_sandbox, so the router's default would decide whether it trades live (which may be "
            "live); the playbook is sandboxed, a playbook's default (add `sandbox: false` and risk limits to trade live)"
        )
    out = {"nodes": nodes, "edges": edges}
    if wire.get("risk") is not None:
        out["risk"] = wire["risk"]
    out["is_sandbox"] = wire.get("is_sandbox", True)
    return out, notes


def _nodes(ids) -> str:
    shown = ", ".join(repr(i) for i in ids[:5]) + (f" and {len(ids) - 5:,} more" if len(ids) > 5 else "")
    return f"node {shown} has" if len(ids) == 1 else f"nodes {shown} have"


def _renamed(edges, positions) -> str:
    """``edge 2 (id e0, a repeat) becomes e1``: each renamed edge (``positions``, 0-based) by its place and old id,
    the first 5 and how many more, as :func:`_nodes` names nodes."""
    parts = []
    for i in positions[:5]:
        edge_id = edges[i].get("edge_id")
        repeat = ", a repeat" if any(e.get("edge_id") == edge_id for e in edges[:i]) else ""  # (5 scans at most)
        parts.append(f"edge {i + 1} (id {edge_id}{repeat}) becomes e{i}")
    more = len(positions) - len(parts)
    return ", ".join(parts) + (f" and {more:,} more" if more else "")


def _them(ids) -> str:
    return "it" if len(ids) == 1 else "them"


@lru_cache(maxsize=256)
def _in_field_order(keys: tuple) -> bool:
    """Execution keys that name a policy and follow EXECUTION_FIELDS' order (nothing to add or reorder)."""
    return "policy" in keys and keys == tuple(k for k in EXECUTION_FIELDS if k in keys)


# A leg id's rule in words (playbook-spec.md §2: `[A-Za-z0-9][A-Za-z0-9._-]*`), for a refusal to say it whole.
LEG_ID_RULE = (
    "a leg id starts with a letter or digit (A-Z, a-z, 0-9), then has only those, `.`, `_` and `-` "
    "(playbook-spec.md §2)"
)


def _node_index(nodes) -> dict:
    index: dict[str, int] = {}
    for i, node in enumerate(nodes):
        node_id = node.get("node_id")
        if not isinstance(node_id, str) or not LEG_ID.match(node_id):
            raise DecompileError(
                f"node id {node_id!r} cannot be a leg id, so no playbook can name this node: {LEG_ID_RULE}",
                ("nodes", i, "node_id"),
                f"rename the node, and the edges that name it, e.g. to {_leg_id_like(node_id)!r}",
            )
        if node_id in index:
            raise DecompileError(
                f"node id {node_id!r} is already used by nodes[{index[node_id]}]; a playbook's leg ids are unique, "
                "so no playbook has both nodes",
                ("nodes", i, "node_id"),
                "give every node a unique node_id, and point each edge at the node it means",
                code="GC203",
            )
        index[node_id] = i
    return index


def _leg_id_like(node_id) -> str:
    """A leg id made from ``node_id``, for a hint: each other character as `-`, nothing but a letter or digit
    first (`1:2` -> `1-2`, `-a` -> `a`); ``leg`` when nothing is left."""
    text = re.sub(r"[^A-Za-z0-9._-]", "-", node_id) if isinstance(node_id, str) else ""
    return re.sub(r"^[^A-Za-z0-9]+", "", text) or "leg"


def _split_edges(edges, index):
    """Edges into ``after:`` entries per leg and the rest for top-level ``edges:``.

    Compile numbers ``after:`` edges leg by leg in leg order, then appends
    ``edges:``; so the longest prefix whose targets never go back up the leg
    list is written as ``after:``, and everything from there on as ``edges:``.
    """
    after, position = {}, 0
    for count, edge in enumerate(edges):
        source, to_node = edge.get("from_node"), edge.get("to_node")
        if not (type(source) is str and source in index):  # a node id: _node_index has matched it against LEG_ID
            _refuse_edge_end(count, "from_node", source)
        target = index.get(to_node) if isinstance(to_node, str) else None
        if target is None:
            _refuse_edge_end(count, "to_node", to_node)
        if target is None or target < position:
            return after, edges[count:]
        position = target
        entries = after.get(to_node)
        if entries is None:
            after[to_node] = [_after_entry(edge, count)]
        else:
            entries.append(_after_entry(edge, count))
    return after, []


def _refuse_edge_end(count, key, end) -> None:
    """Raise for an edge end that is not a node id and cannot be a leg id either (one that can is kept)."""
    if not isinstance(end, str) or not LEG_ID.match(end):
        raise DecompileError(
            f"edge {count + 1}'s {key} {end!r} names no node and cannot be a leg id either: {LEG_ID_RULE}",
            ("edges", count, key),
            "point the edge at one of the graph's nodes",
        )


def _after_entry(edge, position):
    trigger, condition = edge["trigger"], edge.get("condition")
    key = _phrase_key(trigger, condition)
    phrase = _PHRASES.get(key, _UNKNOWN) if key is not None else _UNKNOWN
    if phrase is _UNKNOWN:
        phrase = H.trigger_phrase(trigger, condition)
        if key is not None and len(_PHRASES) < _MAX_PHRASES:
            _PHRASES[key] = phrase
    if phrase is not None and not (type(trigger) is dict and _quoted_price_symbol(trigger)):
        return _literal(f"{edge['from_node']} {phrase}")  # an on_price symbol may hold `{{`
    return {"from": edge["from_node"], **_trigger_fields(edge, position)}


def _quoted_price_symbol(trigger: dict) -> bool:
    """Whether an on_price trigger's symbol has a quote character, which the ``after:`` text refuses (the edge
    mapping keeps it, unless the quotes are around it)."""
    price = trigger.get("on_price")
    symbol = price.get("symbol") if isinstance(price, dict) else None
    return type(symbol) is str and quoted_in_text(symbol)


# The phrase of a named trigger and its condition, made once per distinct pair (a large graph repeats a few).
# The key holds a number as its type and exact text, so only the very same condition shares an entry.
_PHRASES: dict = {}
_MAX_PHRASES = 4096
_UNKNOWN = object()


def _phrase_key(trigger, condition):
    """A key that determines ``trigger_phrase(trigger, condition)``; None when there is none this simple."""
    if type(trigger) is not str:
        return None
    if condition is None:
        return (trigger,)
    if type(condition) is dict and len(condition) == 1:
        value = condition.get("fill_ratio_gte")
        if type(value) is int or type(value) is Decimal:
            return (trigger, type(value), str(value))
    return None


def _trigger_fields(edge, position) -> dict:
    """``trigger:`` (and ``fill_ratio:``) of an edge mapping; ``position``: the edge's place in ``edges``."""
    trigger, condition = edge["trigger"], edge.get("condition")
    fields = {"trigger": trigger}
    if isinstance(trigger, dict) and "on_timeout" in trigger:
        fields["trigger"] = {"on_timeout": dict(trigger["on_timeout"])}
    elif isinstance(trigger, dict) and isinstance(trigger.get("on_price"), dict):
        symbol = trigger["on_price"].get("symbol")
        if type(symbol) is str and wrapped_in_quotes(symbol):
            raise DecompileError(
                f"edge {position + 1}'s on_price symbol {symbol!r} is in quotes, which a playbook refuses: no "
                "market's symbol has them, so they are a copy mistake",
                ("edges", position, "trigger", "on_price", "symbol"),
                "write the symbol without its quotes",
            )
        price = trigger["on_price"]  # its fields in fmt's order (the reference's), whatever the input's (decomp24 3)
        price = {k: price[k] for k in ON_PRICE_FIELDS if k in price} | price
        fields["trigger"] = {
            **trigger,
            "on_price": {k: _literal(v) if type(v) is str else read_back(v) for k, v in price.items()},
        }
    if condition is not None:
        ratio = H.fill_ratio_of(condition)
        if ratio is None:
            raise DecompileError(
                f"edge {position + 1}'s condition {condition!r} has no playbook form",
                ("edges", position, "condition"),
                'a playbook writes one condition, "fill_ratio_gte" (its `fill_ratio:`)',
            )
        fields["fill_ratio"] = H.percent_text(ratio)
    return fields


def _literal(text: str) -> str:
    """``text`` as a playbook writes it to compile back to the same text.

    Compile renders every string that holds template markup (``{{``, ``{%``, ``{#``: playbook-spec.md §6.2, "Any
    string scalar may contain ``{{ … }}``"), so such a text (a wire symbol ``{{ 7*7 }}``, ``X{#y``) is written as
    one template expression that returns it, a string literal: ``{{ "{{ 7*7 }}" }}`` renders to ``{{ 7*7 }}``, as
    graphc's sandbox allows any expression of constants (double-quoted, so YAML's single quotes around it stay
    plain). Every other text is written as it is."""
    if "{" not in text or not any(marker in text for marker in TEMPLATE_MARKERS):
        return text
    return '{{ "' + "".join(_JINJA_ESCAPES.get(c) or _escaped(c) for c in text) + '" }}'


# Jinja reads a string literal's backslash escapes as Python's "unicode-escape" does (after escaping what is not
# ASCII), so a backslash and the quote are escaped, and a character that is not printable is written as its code
# (a line break would otherwise be normalized).
_JINJA_ESCAPES = {"\\": "\\\\", '"': '\\"'}


def _escaped(c: str) -> str:
    if c.isprintable():
        return c
    return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"


# -- legs ------------------------------------------------------------------------


def _leg(position, node, after_entries, targeted) -> dict:
    instrument = node.get("instrument") or {}
    symbol, type_, venue = instrument.get("symbol"), instrument.get("type"), instrument.get("venue")
    side = node.get("side")
    if side not in ("buy", "sell") or not isinstance(symbol, str):
        raise DecompileError(f"node {node['node_id']!r}: needs side buy/sell and a text symbol", ("nodes", position))
    quoted = symbol_in_quotes(symbol)  # a playbook's leg refuses it (GC105), as it does an on_price symbol's
    if quoted is not None:
        raise DecompileError(
            f"node {node['node_id']!r}: its symbol {quoted[0]}; a playbook refuses it (GC105)",
            ("nodes", position, "instrument", "symbol"),
            f'write the symbol without its quotes: "{quoted[1]}"' if quoted[1] else "write the market's symbol",
        )
    if type(venue) is str and (wrong_case := venue_case_problem(venue)) is not None:
        # a playbook's venue compiles to lower case (graphc.facts reads it so): said as lint says it, not found
        # by the round trip as a difference
        raise DecompileError(wrong_case[0], ("nodes", position, "instrument", "venue"), wrong_case[1])
    quantity = node.get("quantity")
    fixed = quantity.get("fixed") if type(quantity) is dict else None
    qty = fixed.get("qty_1e8") if type(fixed) is dict else None
    if type(qty) is int and (type_ is None or type(type_) is str) and (venue is None or type(venue) is str):
        size, write_type, write_venue = _fixed_leg(qty, symbol, type_, venue)  # the usual node: one look-up
    else:
        size = _quantity(quantity, symbol, type_, venue, position)
        write_type, write_venue = _instrument_fields(symbol, type_, venue)
    leg = {side: _literal(size) if type(size) is str else read_back(size), "symbol": _literal(symbol)}
    if write_venue:
        leg["venue"] = _literal(venue) if type(venue) is str else venue
    if write_type:
        leg["type"] = type_
    order_type = node.get("order_type")
    if order_type != "market":
        leg["limit"] = _price(node["node_id"], order_type, position)
    leg.update(_execution(node["execution"], position))
    if after_entries:
        leg["after"] = (
            after_entries[0] if len(after_entries) == 1 and isinstance(after_entries[0], str) else after_entries
        )
    inferred = "wait" if after_entries or targeted else "root"
    if node.get("activation") != inferred:
        leg["activation"] = node.get("activation")
    return leg


def _quantity(quantity, symbol, type_, venue, position):
    if quantity == "derived":
        return "derived"
    try:
        qty = quantity["fixed"]["qty_1e8"]
    except (TypeError, KeyError):
        raise DecompileError(
            f"quantity {quantity!r} is neither derived nor fixed.qty_1e8", ("nodes", position, "quantity")
        ) from None
    if type(qty) is int and _text_or_none(type_) and _text_or_none(venue):
        return _fixed_quantity(qty, symbol, type_, venue)
    return H.quantity_text(qty, symbol, type_, venue) or H.amount_of(qty)


def _text_or_none(value) -> bool:
    return value is None or type(value) is str


@lru_cache(maxsize=4096)
def _fixed_quantity(qty, symbol, type_, venue):
    """A leg's size as the playbook writes it, made once per size and market (large graphs repeat them)."""
    return H.quantity_text(qty, symbol, type_, venue) or H.amount_of(qty)


@lru_cache(maxsize=4096)
def _fixed_leg(qty: int, symbol: str, type_: str | None, venue: str | None):
    """(size, write `type`?, write `venue`?) of a fixed-size node on a market: :func:`_quantity` and
    :func:`_instrument_fields` in one look-up (large graphs repeat a few sizes and markets)."""
    return (_fixed_quantity(qty, symbol, type_, venue), *_instrument_fields_of(symbol, type_, venue))


def _instrument_fields(symbol, type_, venue):
    """(write `type`?, write `venue`?): the fewest fields that infer the same instrument."""
    if _text_or_none(type_) and _text_or_none(venue):
        return _instrument_fields_of(symbol, type_, venue)
    return _fewest_instrument_fields(symbol, type_, venue)


@lru_cache(maxsize=4096)
def _instrument_fields_of(symbol: str, type_: str | None, venue: str | None):
    return _fewest_instrument_fields(symbol, type_, venue)


def _fewest_instrument_fields(symbol, type_, venue):
    for write_type, write_venue in ((False, False), (False, True), (True, False), (True, True)):
        if write_venue and venue is None:
            continue
        inferred = infer_instrument(symbol, type_ if write_type else None, venue if write_venue else None)
        if inferred == (type_, venue):
            return write_type, write_venue
    return True, venue is not None


def _price(node_id, order_type, position):
    try:
        return read_back(H.price_of(order_type["limit"]["price_1e9"]))  # the value its text reads back as
    except (TypeError, KeyError):
        raise DecompileError(
            f"node {node_id!r}: order_type {order_type!r} is neither market nor a limit",
            ("nodes", position, "order_type"),
        ) from None


def _execution(execution, position) -> dict:
    out = {}
    if execution.get("policy") != "sor":
        out["policy"] = execution.get("policy")
    if "urgency" in execution:
        out["urgency"] = execution["urgency"]
    if "max_slippage_bps" in execution:
        out["slippage"] = f"{execution['max_slippage_bps']}bps"
    if "horizon_ms" in execution:
        out["horizon"] = H.duration_text(execution["horizon_ms"])
    if "tif" in execution:
        out["tif"] = execution["tif"]
    if "pacing" in execution:
        out["twap"] = _twap(execution["pacing"], position)
    return out


def _twap(pacing, position):
    try:
        uniform = pacing["uniform"]
        slices, interval = int(uniform["num_slices"]), int(uniform["interval_ms"])
    except (TypeError, KeyError, ValueError):
        raise DecompileError(
            f"pacing {pacing!r} is not uniform num_slices/interval_ms", ("nodes", position, "execution", "pacing")
        ) from None
    return H.twap_text(slices, interval)


def _risk(risk) -> dict:
    if risk is None:
        return {}
    _refuse_empty_risk(risk)
    out = {}
    for section, key, name in (
        ("admission", "max_notional_usd", "max_notional"),
        ("runtime", "max_loss_usd", "max_loss"),
    ):
        value = (risk.get(section) or {}).get(key) if isinstance(risk, dict) else None
        if value is not None:
            out[name] = H.money_text(value)
    return out


def _refuse_empty_risk(risk) -> None:
    """An empty ``risk`` or risk section (``{}``) sets no limit, and no playbook writes it: a playbook's ``risk:``
    holds the limits (``max_notional``, ``max_loss``), and one without them compiles to no section at all."""
    if not isinstance(risk, dict):
        return
    at = ("risk",) if not risk else next((("risk", k) for k, v in risk.items() if v == {}), None)
    if at is not None:
        raise DecompileError(
            f"`{'.'.join(at)}` is empty ({{}}): an empty risk block sets no limit and has no playbook form (a "
            "playbook's `risk:` writes its limits, `max_notional` and `max_loss`)",
            at,
            "remove it from the graph and decompile again",
        )


# -- proof -------------------------------------------------------------------------


def round_trip_difference(text: str, wire: dict, playbook: dict | None = None) -> str | None:
    """Compile ``text`` and compare with ``wire``; None when identical, else where they differ.

    Numbers are compared as exact values (``0.5`` equals ``0.50``, ``5`` equals
    ``5.0``), as JSON readers see them; a boolean never equals a number.

    ``playbook``: the data ``text`` was written from (:attr:`Decompiled.playbook`), when the caller has it. A
    large text is then proved by two processes at once where the machine allows it (:func:`_proved_in_two`):
    the same proof in less time. Whenever that does not prove it, the one-process proof runs as without
    ``playbook`` and says where the two graphs differ.
    """
    if playbook is not None and len(text) >= TWO_PROCESS_CHARS:  # noqa: SIM102 (one condition per line)
        if _two_processes_possible() and _proved_in_two(text, wire, playbook):
            return None
    result = compile_text(text, "<decompiled>")
    if not result.ok:
        first = next((d for d in result.diagnostics if d.is_error), None)
        return "the playbook does not compile" + (f": {first.code} {first.message}" if first else "")
    return _first_difference(result.wire, wire, "")


# A text this long is proved in two processes when it can be: for a shorter one, starting the second process
# costs about as much as it saves (a 1 MB playbook is about 12,000 legs).
TWO_PROCESS_CHARS = 1 << 20
_PROVED = b"1"


def _two_processes_possible() -> bool:
    """Whether this process may fork a helper for the proof: a POSIX system, at least two CPUs for this process, and
    no other thread (a fork copies only the calling thread, and a lock another one holds would never be released in
    the child)."""
    if not hasattr(os, "fork") or not hasattr(signal, "pthread_sigmask"):
        return False
    import threading  # deferred: only a large text's proof asks

    if threading.active_count() != 1:
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cpus >= 2


def _proved_in_two(text: str, wire: dict, playbook: dict) -> bool:
    """Whether ``text`` compiles to ``wire``, shown by two processes at once; False (never a wrong True) when that is
    not shown, for whatever reason: the caller then runs the one-process proof.

    A child process reads ``text`` as compile reads it (:func:`graphc.stages.load.load_text`, the same call with the
    same limits) and checks that this gives ``playbook`` exactly: the same mappings, lists and scalars, each of the
    same type, with the same keys in the same order (their pickles, made without a memo so that sharing cannot
    matter, are equal byte for byte). Meanwhile this process compiles ``playbook`` as the document of ``text``
    (:func:`graphc.stages.load.document_of`) and compares its graph with ``wire``, as the one-process proof compares.
    Compile reads only a document's values, its text and (for findings) the positions it reads from its text, so
    when both hold, compiling ``text`` gives ``wire``. A finding of any kind is no proof here: the one-process proof
    then says it, with its position.

    The child lives no longer than this call: it writes its one-byte answer and ends; this process waits for it,
    and kills it if the call ends early (its own compile failed, Ctrl-C). A child whose parent dies ends too
    (Linux: it is killed with it; elsewhere its answer finds no reader). Ctrl-C in the terminal ends the child at
    once (its SIGINT does what a signal does by default: nothing of this process runs on in it).
    """
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return False
    parent = os.getpid()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # no Ctrl-C between fork and the child's setup
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        _prove_in_child(text, playbook, parent, mask, read_end, write_end)  # never returns
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    os.close(write_end)
    if pid < 0:
        os.close(read_end)
        return False
    ended = False
    try:
        with gc_paused():
            result = compile_document(document_of(text, "<decompiled>", playbook))
            if not result.ok or _first_difference(result.wire, wire, "") is not None:
                return False
        answer = os.read(read_end, 1)
        os.waitpid(pid, 0)
        ended = True
        return answer == _PROVED
    finally:
        os.close(read_end)
        if not ended:
            with contextlib.suppress(ProcessLookupError):  # (already ended)
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _prove_in_child(text: str, playbook: dict, parent: int, mask, read_end: int, write_end: int):
    """The child of :func:`_proved_in_two`: ``b"1"`` on ``write_end`` when loading ``text`` gives ``playbook``
    exactly, else nothing; then it ends (``os._exit``: no output buffer of the parent's is flushed twice, no exit
    handler runs), whatever happens."""
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _end_with_parent(parent)
        # the playbook first: what this process reads of the parent's memory, it reads (and copies) while the
        # parent compiles, rather than after the parent has paid for the copies
        written = _pickled(playbook)
        doc, found = load_text(text, "<decompiled>")
        if (
            doc is not None
            and not found
            and not doc.read_as_json
            and doc.unproven_values is None
            and _pickled(doc.data) == written
        ):
            os.write(write_end, _PROVED)
    finally:
        os._exit(0)


def _end_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this child when its parent ends; end now if it has already."""
    try:
        import ctypes  # deferred: only the child of a two-process proof

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (ImportError, OSError, AttributeError):  # not Linux: the answer then finds no reader, and it ends
        pass
    if os.getppid() != parent:
        os._exit(0)


def _pickled(data) -> bytes:
    """``data``'s pickle without a memo: equal for two values exactly when they have the same structure, types
    (a subclass is named), keys in the same order and values, whatever objects they share."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: an object met twice is written twice
    pickler.dump(data)
    return out.getvalue()


def _first_difference(got, want, path):
    if isinstance(got, dict) and isinstance(want, dict):
        if got.keys() == want.keys():
            keys = want
        else:
            keys = list(want) + [k for k in got if k not in want]
        for key in keys:
            if key not in got or key not in want:
                # `got` is the playbook's graph, `want` the input: say which side has the key
                if key in got:
                    return f"{path or 'the graph'}: the playbook's graph would have `{key}`, which the input has not"
                return f"{path or 'the graph'}: the playbook's graph would lack the input's `{key}`"
            found = _first_difference(got[key], want[key], f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return f"{path}: {len(got)} items instead of {len(want)}"
        if got == want and all(type(a) is dict for a in got):
            return None  # the nodes or the edges, each equal as a whole, as the loop below finds them (C speed)
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            if type(a) is dict and a == b:
                continue  # a node or an edge, equal as a whole (C speed; the wire has no booleans inside them,
                #           so `True == 1` cannot hide a difference there)
            found = _first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if type(got) is type(want) and got == want:
        return None
    if isinstance(got, bool) == isinstance(want, bool) and _exact(got) == _exact(want):
        return None
    return f"{path}: {_shown(got)} instead of {_shown(want)}"


def _exact(value):
    """Numbers as exact Decimals (a float from json.loads by its shortest repr); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    return H.exact(value)


def _shown(value) -> str:
    if isinstance(value, (float, Decimal)) and not isinstance(value, bool):
        return H.number(value)
    return repr(value)
