"""Typed facts about each node and edge of a wire graph, read once for every rule.

Compile builds them as it writes each node (``graphc.stages.model.compiled_node_facts``
on the node it just made); a wire graph read from JSON builds the same records here
(:func:`wire_node_facts`). Rules, ``plan`` and the sandbox read these records instead of the wire dicts: one
reading of ``qty_1e8``, ``price_1e9``, the instrument and the execution fields,
and one :class:`~graphc.venues.MarketResolver` lookup per node.

Missing wire fields are read as the router reads them (spec §8, GC111): an
instrument without ``type`` is spot, a node without ``activation`` is ``root``
when no edge leads to it, else ``wait``. Malformed values (a schema error
already reported) become ``None``; nothing here raises.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

from graphc.stages.wiregraph import number
from graphc.venues import MarketFacts, MarketResolver, prediction_venue
from graphc.vocabulary import DEFAULT_POLICY, PRICE_SCALE, QTY_SCALE


class NodeFacts(NamedTuple):
    """One wire node, typed. ``index`` is its position in ``wire["nodes"]`` (rule findings point there).

    A named tuple, not a dataclass (as every small record a lint run makes or imports): making a
    dataclass compiles each of its methods at import, several milliseconds of a one-file lint.
    """

    index: int  # type: ignore[assignment]  # the field hides tuple.index(), which nothing here calls
    node_id: str | None
    symbol: str
    type: str  # as the router reads it: the given type, else "spot"
    venue: str | None  # lower-case; None: the router picks
    side: str | None  # "buy" | "sell"; None when malformed
    qty: Decimal | None  # fixed size in base units; None: derived, or not known (lint without quotes)
    derived: bool
    limit: Decimal | None  # limit price; None: a market order, or not known
    market_order: bool
    reference: Decimal | None  # the limit, else the quote's ask (buy) / bid (sell): what the order is worth
    activation: str  # as the router reads it
    policy: str
    tif: str | None  # upper-case
    urgency: str | None
    slippage_bps: Decimal | None
    horizon_ms: Decimal | None
    pacing: tuple[Decimal, Decimal] | None  # (num_slices, interval_ms) of a uniform TWAP
    quote: object  # graphc.quotes.Quote of the symbol, or None
    market: MarketFacts
    missing: tuple[str, ...] = ()  # wire fields the router fills in: "instrument.type", "activation"

    @property
    def notional(self) -> Decimal | None:
        if self.qty is None or self.reference is None:
            return None
        return self.qty * self.reference

    @property
    def shaped_venue(self) -> str | None:
        """The prediction venue the symbol's shape names (spec §3.1 rules 3-4), if any."""
        return prediction_venue(self.symbol)

    def at(self, *path) -> tuple:
        """The wire path of a field of this node, for a finding."""
        return ("nodes", self.index, *path)


class EdgeFacts(NamedTuple):
    """One edge whose ends both name nodes."""

    index: int  # type: ignore[assignment]  # as NodeFacts.index
    edge_id: str | None
    src: str
    dst: str
    trigger: object  # the wire value: a name or {"on_timeout": ...} / {"on_price": ...}
    condition: object

    @property
    def trigger_name(self) -> str:
        if isinstance(self.trigger, dict) and len(self.trigger) == 1:
            return str(next(iter(self.trigger)))
        return self.trigger if isinstance(self.trigger, str) else repr(self.trigger)

    @property
    def on_price(self) -> dict | None:
        """The parameters of an ``on_price`` trigger, else None."""
        if isinstance(self.trigger, dict) and isinstance(self.trigger.get("on_price"), dict):
            return self.trigger["on_price"]
        return None

    @property
    def label(self) -> str:
        return f"edge {self.edge_id}" if self.edge_id else f"edges[{self.index}]"


class GraphFacts(NamedTuple):
    """The graph's nodes and resolved edges, for the rules (made by :func:`graph_facts`)."""

    nodes: list[NodeFacts]  # well-formed nodes in wire order
    by_id: dict[str, NodeFacts]  # node_id -> its first node
    duplicates: list[tuple[int, str, int]]  # (index, node_id, index of the first node with that id)
    edges: list[EdgeFacts]  # edges whose ends both exist
    unknown_ends: list[tuple[int, str, str]]  # (edge index, "from_node" | "to_node", the unknown id)
    incoming: dict[str, list[EdgeFacts]]
    children: dict[str, list[str]]
    dangling: set[str]  # nodes with an edge from an unknown leg (GC202 explains them)
    quotes: Mapping
    resolver: MarketResolver
    # Read while the edges are resolved, for the graph rules (None: not known, the rule works it out):
    forward_only: bool | None = None  # every edge leads to a node later in the list (then there is no loop)
    forks: list[str] | None = None  # the ids with two or more edges out, each once (none: no fork, no repeated pair)


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def wire_qty(quantity) -> Decimal | None:
    """The fixed quantity of a wire node in base units, or None (derived, malformed)."""
    fixed = quantity.get("fixed") if isinstance(quantity, dict) else None
    raw = _int(fixed.get("qty_1e8")) if isinstance(fixed, dict) else None
    return None if raw is None else Decimal(raw) / QTY_SCALE


def wire_limit(order_type) -> Decimal | None:
    """The limit price of a wire order type, or None (market, malformed)."""
    limit = order_type.get("limit") if isinstance(order_type, dict) else None
    raw = _int(limit.get("price_1e9")) if isinstance(limit, dict) else None
    return None if raw is None else Decimal(raw) / PRICE_SCALE


def node_facts(index: int, node: dict, *, has_incoming: bool, quotes: Mapping, resolver: MarketResolver) -> NodeFacts:
    """The facts of one wire node (a mapping), read defensively: :func:`wire_node_facts` on that node alone."""
    node_id = node.get("node_id")
    targets = {node_id if isinstance(node_id, str) else None} if has_incoming else set()
    return wire_node_facts([node], targets, quotes, resolver, start=index)[0]


def wire_node_facts(
    raw_nodes: list, targets: Container, quotes: Mapping, resolver: MarketResolver, *, start: int = 0
) -> list[NodeFacts]:
    """The facts of each mapping in ``raw_nodes`` (the first at index ``start``), read defensively.

    ``targets`` holds the ids that some edge leads to (a node without ``activation`` is ``wait`` there).
    Graphs of 100,000 nodes come through here: one loop, not a call per node; each field looked up once;
    the usual shapes read inline (:func:`wire_qty`, :func:`wire_limit` and :func:`number` say what each
    inline reading must give, and read the others); each distinct size, limit price and market made or
    looked up once per graph (Decimals are immutable: nodes share them); each record made positionally
    (``tuple.__new__``: the named tuple's own ``__new__`` is a Python call). tests/test_rules_reference.py
    holds the records equal to the frozen per-node reading, tests/test_facts_compiled.py to compile's.
    """
    facts: list[NodeFacts] = []
    append = facts.append
    get_quote = quotes.get
    markets: dict[tuple, MarketFacts] = {}
    sizes: dict[int, Decimal] = {}
    prices: dict[int, Decimal] = {}
    index = start - 1
    for node in raw_nodes:
        index += 1
        if not isinstance(node, dict):
            continue
        get = node.get
        node_id = get("node_id")
        if not isinstance(node_id, str):
            node_id = None
        instrument = get("instrument")
        if not isinstance(instrument, dict):
            instrument = _NO_FIELDS
        symbol = instrument.get("symbol")
        if not isinstance(symbol, str):
            symbol = ""
        given_type = instrument.get("type")
        if not isinstance(given_type, str):
            given_type = None
        venue = instrument.get("venue")
        if venue is not None:
            venue = venue.lower() if isinstance(venue, str) and venue else None
        activation = get("activation")
        if activation not in _ACTIVATIONS:
            activation = "wait" if node_id in targets else "root"
        if "type" in instrument:
            missing: tuple[str, ...] = () if "activation" in node else _NO_ACTIVATION
        else:
            missing = _NO_TYPE if "activation" in node else _NO_TYPE_OR_ACTIVATION
        instrument_type = given_type or "spot"
        side = get("side")
        if side not in _SIDES:
            side = None
        quote = get_quote(symbol)
        order_type = get("order_type")
        limit = None
        market_order = order_type == "market"
        if market_order:
            pass
        elif (
            type(order_type) is dict
            and type(priced := order_type.get("limit")) is dict
            and type(raw := priced.get("price_1e9")) is int
        ):
            limit = prices.get(raw)
            if limit is None:
                limit = prices[raw] = Decimal(raw) / PRICE_SCALE  # wire_limit(order_type), inline
        else:
            limit = wire_limit(order_type)
        reference = limit
        if reference is None and quote is not None and side is not None:
            reference = quote.ask if side == "buy" else quote.bid
        quantity = get("quantity")
        derived = quantity == "derived"
        qty = None
        if derived:
            pass
        elif (
            type(quantity) is dict
            and type(fixed := quantity.get("fixed")) is dict
            and type(raw := fixed.get("qty_1e8")) is int
        ):
            qty = sizes.get(raw)
            if qty is None:
                qty = sizes[raw] = Decimal(raw) / QTY_SCALE  # wire_qty(quantity), inline
        else:
            qty = wire_qty(quantity)
        execution = get("execution")
        tif, urgency, slippage_bps, horizon_ms, paced = None, None, None, None, None
        if (
            type(execution) is dict
            and len(execution) == 1
            and type(policy := execution.get("policy")) is str
            and policy
        ):
            pass  # only a policy: the usual leg
        elif isinstance(execution, dict) and execution:
            policy, tif, urgency, slippage_bps, horizon_ms, paced = _execution(execution)
        else:
            policy = DEFAULT_POLICY
        market = markets.get(key := (symbol, venue, instrument_type))
        if market is None:
            market = markets[key] = resolver.facts(symbol, venue, instrument_type)
        append(
            _new_tuple(
                NodeFacts,
                (
                    index,
                    node_id,
                    symbol,
                    instrument_type,
                    venue,
                    side,
                    qty,
                    derived,
                    limit,
                    market_order,
                    reference,
                    activation,
                    policy,
                    tif,
                    urgency,
                    slippage_bps,
                    horizon_ms,
                    paced,
                    quote,
                    market,
                    missing,
                ),
            )
        )
    return facts


def _execution(execution: dict) -> tuple:
    """``(policy, tif, urgency, slippage_bps, horizon_ms, pacing)`` of a non-empty ``execution`` mapping that is
    not only a policy (:func:`wire_node_facts` reads that usual one inline)."""
    tif, urgency, slippage_bps, horizon_ms, paced = None, None, None, None, None
    xget = execution.get
    policy = xget("policy")
    if not (isinstance(policy, str) and policy):
        policy = DEFAULT_POLICY
    if len(execution) > 1 or "policy" not in execution:  # more than a policy
        tif = xget("tif")
        tif = tif.upper() if isinstance(tif, str) and tif else None
        urgency = xget("urgency")
        if not isinstance(urgency, str):
            urgency = None
        slippage_bps = xget("max_slippage_bps")
        if slippage_bps is not None:
            slippage_bps = number(slippage_bps)
        horizon_ms = xget("horizon_ms")
        if horizon_ms is not None:
            horizon_ms = number(horizon_ms)
        pacing = xget("pacing")
        if pacing is not None:
            uniform = pacing.get("uniform") if isinstance(pacing, dict) else None
            slices = number(uniform.get("num_slices")) if isinstance(uniform, dict) else None
            interval = number(uniform.get("interval_ms")) if isinstance(uniform, dict) else None
            paced = (slices, interval) if slices is not None and interval is not None else None
    return policy, tif, urgency, slippage_bps, horizon_ms, paced


def shaped_node_facts(
    raw_nodes: list, targets: Container, quotes: Mapping, resolver: MarketResolver
) -> list[NodeFacts]:
    """:func:`wire_node_facts` of nodes the shipped wire schema's generated check accepted (``graph_facts(shaped=True)``).

    That check vouches for each node's shape: ``node_id`` a text, ``instrument`` a mapping with a text
    ``symbol`` (``type`` one of the instrument types and ``venue`` a non-empty text when given), ``side``
    buy or sell, ``order_type`` "market" or an int ``limit.price_1e9``, ``quantity`` "derived" or an int
    ``fixed.qty_1e8``, ``activation`` root or wait when given. So these are read without the defensive
    checks: a fifth less time on a large wire graph (tests/test_facts_shaped.py holds the records equal to
    :func:`wire_node_facts`'s on graphs the check accepts). ``execution`` is read as there.
    """
    facts: list[NodeFacts] = []
    append = facts.append
    get_quote = quotes.get
    markets: dict[tuple, MarketFacts] = {}
    sizes: dict[int, Decimal] = {}
    prices: dict[int, Decimal] = {}
    index = -1
    for node in raw_nodes:
        index += 1
        get = node.get
        node_id = node["node_id"]
        instrument = node["instrument"]
        symbol = instrument["symbol"]
        given_type = instrument.get("type")
        venue = instrument.get("venue")
        if venue is not None:
            venue = venue.lower()
        activation = get("activation")
        if activation is None:
            activation = "wait" if node_id in targets else "root"
            missing: tuple[str, ...] = _NO_ACTIVATION if given_type is not None else _NO_TYPE_OR_ACTIVATION
        else:
            missing = () if given_type is not None else _NO_TYPE
        instrument_type = given_type or "spot"
        side = node["side"]
        quote = get_quote(symbol)
        order_type = node["order_type"]
        limit = None
        market_order = type(order_type) is str  # "market"
        if not market_order:
            raw = order_type["limit"]["price_1e9"]
            limit = prices.get(raw)
            if limit is None:
                limit = prices[raw] = Decimal(raw) / PRICE_SCALE
        reference = limit
        if reference is None and quote is not None:
            reference = quote.ask if side == "buy" else quote.bid
        quantity = node["quantity"]
        qty = None
        derived = type(quantity) is str  # "derived"
        if not derived:
            raw = quantity["fixed"]["qty_1e8"]
            qty = sizes.get(raw)
            if qty is None:
                qty = sizes[raw] = Decimal(raw) / QTY_SCALE
        execution = get("execution")
        tif, urgency, slippage_bps, horizon_ms, paced = None, None, None, None, None
        if (
            type(execution) is dict
            and len(execution) == 1
            and type(policy := execution.get("policy")) is str
            and policy
        ):
            pass  # only a policy: the usual leg
        elif execution:
            policy, tif, urgency, slippage_bps, horizon_ms, paced = _execution(execution)
        else:
            policy = DEFAULT_POLICY
        market = markets.get(key := (symbol, venue, instrument_type))
        if market is None:
            market = markets[key] = resolver.facts(symbol, venue, instrument_type)
        append(
            _new_tuple(
                NodeFacts,
                (
                    index,
                    node_id,
                    symbol,
                    instrument_type,
                    venue,
                    side,
                    qty,
                    derived,
                    limit,
                    market_order,
                    reference,
                    activation,
                    policy,
                    tif,
                    urgency,
                    slippage_bps,
                    horizon_ms,
                    paced,
                    quote,
                    market,
                    missing,
                ),
            )
        )
    return facts


_new_tuple = tuple.__new__
_node_id = itemgetter(NodeFacts._fields.index("node_id"))
_ACTIVATIONS = ("root", "wait")
_SIDES = ("buy", "sell")
_NO_ACTIVATION = ("activation",)
_NO_TYPE = ("instrument.type",)
_NO_TYPE_OR_ACTIVATION = ("instrument.type", "activation")
_NO_FIELDS: dict = {}


class _Targets:
    """The ids some edge leads to (the SDK's rule for a missing activation: "wait" when some edge leads to
    the node), gathered from the edges when a node without an activation first asks: most graphs never do."""

    __slots__ = ("ids", "raw_edges")

    def __init__(self, raw_edges: list):
        self.raw_edges = raw_edges
        self.ids: set | None = None

    def __contains__(self, node_id: object) -> bool:
        if self.ids is None:
            self.ids = {
                e.get("to_node") for e in self.raw_edges if isinstance(e, dict) and isinstance(e.get("to_node"), str)
            }
        return node_id in self.ids


def graph_facts(
    wire: dict,
    *,
    quotes: Mapping | None = None,
    resolver: MarketResolver | None = None,
    nodes: list[NodeFacts] | None = None,
    shaped: bool = False,
) -> GraphFacts:
    """The facts of a wire graph: its nodes (``nodes`` when compile already made them) and resolved edges.

    ``shaped``: the shipped wire schema's generated check accepted ``wire`` (graphc.stages.validate), so its
    nodes and edges are read without the defensive checks (:func:`shaped_node_facts`, :func:`_shaped_edges`).
    """
    quotes = quotes or {}
    resolver = resolver or MarketResolver(quotes)
    raw_nodes: list = wire["nodes"] if isinstance(wire.get("nodes"), list) else []
    raw_edges: list = wire["edges"] if isinstance(wire.get("edges"), list) else []
    if nodes is None:
        read = shaped_node_facts if shaped else wire_node_facts
        nodes = read(raw_nodes, _Targets(raw_edges), quotes, resolver)
    by_id: dict[str, NodeFacts] = dict(
        zip(map(_node_id, nodes), nodes, strict=True)
    )  # right when each id is given once
    duplicates = []
    if len(by_id) != len(nodes) or None in by_id:  # a repeated or missing id: the first node with an id wins
        by_id = {}
        for facts in nodes:
            if facts.node_id is None:
                continue
            if facts.node_id in by_id:
                duplicates.append((facts.index, facts.node_id, by_id[facts.node_id].index))
            else:
                by_id[facts.node_id] = facts
    if shaped:
        edges, unknown, incoming, children, dangling, forward_only, forks = _shaped_edges(raw_edges, by_id)
    else:
        edges = []
        unknown = []
        incoming = {}
        children = {}
        dangling = set()
        forward_only = True
        forks = []
        for j, edge in enumerate(raw_edges):
            if not isinstance(edge, dict):
                continue
            src: Any = edge.get("from_node")  # a text when `parent` is a node (mypy cannot follow that)
            dst: Any = edge.get("to_node")
            parent = by_id.get(src) if isinstance(src, str) else None
            child = by_id.get(dst) if isinstance(dst, str) else None
            if parent is not None and child is not None:
                if forward_only and parent.index >= child.index:
                    forward_only = False
                edge_id = edge.get("edge_id")
                resolved = _new_tuple(
                    EdgeFacts,
                    (
                        j,
                        edge_id if isinstance(edge_id, str) else None,
                        src,
                        dst,
                        edge.get("trigger"),
                        edge.get("condition"),
                    ),
                )
                edges.append(resolved)
                into = incoming.get(dst)
                if into is None:
                    incoming[dst] = [resolved]
                else:
                    into.append(resolved)
                out = children.get(src)
                if out is None:
                    children[src] = [dst]
                else:
                    if len(out) == 1:
                        forks.append(src)
                    out.append(dst)
                continue
            for end, name in (("from_node", src), ("to_node", dst)):
                if isinstance(name, str) and name not in by_id:
                    unknown.append((j, end, name))
            if isinstance(dst, str) and dst in by_id:
                dangling.add(dst)
    return GraphFacts(
        nodes, by_id, duplicates, edges, unknown, incoming, children, dangling, quotes, resolver, forward_only, forks
    )


_ResolvedEdges = tuple[
    list[EdgeFacts],
    list[tuple[int, str, str]],
    dict[str, list[EdgeFacts]],
    dict[str, list[str]],
    set[str],
    bool,
    list[str],
]


def _shaped_edges(raw_edges: list, by_id: dict[str, NodeFacts]) -> _ResolvedEdges:
    """graph_facts' resolved edges of edges the shipped wire schema's check accepted: each a mapping whose
    ``edge_id``, ``from_node`` and ``to_node`` are texts and which has a ``trigger``. Returns ``(edges,
    unknown_ends, incoming, children, dangling, forward_only, forks)``, as graph_facts' own loop makes them."""
    edges: list[EdgeFacts] = []
    append = edges.append
    unknown: list[tuple[int, str, str]] = []
    incoming: dict[str, list[EdgeFacts]] = {}
    children: dict[str, list[str]] = {}
    dangling: set[str] = set()
    forward_only = True
    forks: list[str] = []
    get_node = by_id.get
    j = -1
    for edge in raw_edges:
        j += 1
        src = edge["from_node"]
        dst = edge["to_node"]
        parent = get_node(src)
        child = get_node(dst)
        if parent is not None and child is not None:
            if forward_only and parent.index >= child.index:
                forward_only = False
            resolved = _new_tuple(EdgeFacts, (j, edge["edge_id"], src, dst, edge["trigger"], edge.get("condition")))
            append(resolved)
            into = incoming.get(dst)
            if into is None:
                incoming[dst] = [resolved]
            else:
                into.append(resolved)
            out = children.get(src)
            if out is None:
                children[src] = [dst]
            else:
                if len(out) == 1:
                    forks.append(src)
                out.append(dst)
            continue
        for end, name in (("from_node", src), ("to_node", dst)):
            if name not in by_id:
                unknown.append((j, end, name))
        if child is not None:
            dangling.add(dst)
    return edges, unknown, incoming, children, dangling, forward_only, forks
