"""Typed facts about each node and edge of a wire graph, read once for every rule.

Compile builds them as it writes each node (``graphc.stages.model.compiled_node_facts``
on the node it just made); a wire graph read from JSON builds the same records here
(:func:`wire_node_facts`). Rules, ``plan`` and the sandbox read these records instead of the wire dicts: one
reading of ``qty_1e8``, ``price_1e9``, the instrument and the execution fields,
and one :class:`~graphc.venues.MarketResolver` lookup per node.

Missing wire fields are read as the router reads them (spec §8, GC111): an
instrument without ``type`` is spot, or prediction for a Polymarket URL or slug
(the router normalizes those: :func:`graphc.venues.router_type`), a node
without ``activation`` is ``root`` when no edge leads to it, else ``wait``. Malformed values (a schema error
already reported) become ``None``; nothing here raises.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from decimal import Decimal
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from graphc.numbers import times, unscaled
from graphc.stages.wiregraph import number
from graphc.venues import (
    MarketFacts,
    MarketResolver,
    checked_venue,
    market_quote,
    prediction_venue,
    refused_price,
    router_type,
)
from graphc.vocabulary import DEFAULT_POLICY, DOLLARS, PREDICTION_VENUES, PRICE_SCALE, QTY_SCALE


class NodeFacts(NamedTuple):
    """One wire node, typed. ``index`` is its position in ``wire["nodes"]`` (rule findings point there).

    A named tuple, not a dataclass (as every small record a lint run makes or imports): making a
    dataclass compiles each of its methods at import, several milliseconds of a one-file lint.
    """

    index: int  # type: ignore[assignment]  # the field hides tuple.index(), which nothing here calls
    node_id: str | None
    symbol: str
    type: str  # as the router reads it: the given type, else graphc.venues.router_type's (spot, or prediction)
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
        return times(self.qty, self.reference)  # exact (graphc.numbers: a product has more than 28 digits)

    @property
    def shaped_venue(self) -> str | None:
        """The prediction venue the symbol's shape names (spec §3.1 rules 3-4), if any."""
        return prediction_venue(self.symbol)

    def at(self, *path) -> tuple:
        """The wire path of a field of this node, for a finding."""
        return ("nodes", self.index, *path)

    @property
    def size_at(self) -> tuple:
        """The wire path of the node's ``qty_1e8``, where a finding on its size points (spec §1: at the offending
        scalar; audit wirelint23 6). A playbook's and a simple order's locators place no such path and fall back to
        the size as written there (``buy:``, ``qty``), as for a ``derived`` quantity."""
        return ("nodes", self.index, "quantity", "fixed", "qty_1e8")

    @property
    def limit_at(self) -> tuple:
        """The wire path of the node's ``price_1e9``, where a finding on its limit price points (as
        :attr:`size_at`)."""
        return ("nodes", self.index, "order_type", "limit", "price_1e9")


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


_NOTHING_MOVED: Mapping[str, tuple[str, Decimal]] = MappingProxyType({})  # GraphFacts.unaligned of most graphs
_NO_NOTIONALS: Mapping[str, Decimal] = MappingProxyType({})  # GraphFacts.notionals of a wire graph


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
    # Known only to compile (empty for wire input, which has no template): node id -> (the limit template as
    # written, its price before the grids) of each leg whose generated limit the grid alignment moved (GC404).
    unaligned: Mapping[str, tuple[str, Decimal]] = _NOTHING_MOVED
    # Known only to compile too: node id -> the dollars of a notional size (`buy: $1`) that compile divided by the
    # price and rounded down to the lot (GC301 says so when that puts the order under the minimum).
    notionals: Mapping[str, Decimal] = _NO_NOTIONALS


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def wire_qty(quantity) -> Decimal | None:
    """The fixed quantity of a wire node in base units, or None (derived, malformed)."""
    fixed = quantity.get("fixed") if isinstance(quantity, dict) else None
    raw = _int(fixed.get("qty_1e8")) if isinstance(fixed, dict) else None
    return None if raw is None else unscaled(raw, QTY_SCALE)


def wire_limit(order_type) -> Decimal | None:
    """The limit price of a wire order type, or None (market, malformed)."""
    limit = order_type.get("limit") if isinstance(order_type, dict) else None
    raw = _int(limit.get("price_1e9")) if isinstance(limit, dict) else None
    return None if raw is None else unscaled(raw, PRICE_SCALE)


def edge_targets(edges) -> set:
    """The node ids some edge leads to (a node without ``activation`` among them is ``wait``)."""
    return {edge.get("to_node") for edge in edges if isinstance(edge, dict)}


def router_reading(node: dict, targets) -> tuple[str | None, str | None]:
    """``(type, activation)`` the router gives ``node`` when it leaves them out (spec GC111), each None when the
    node sets it: without ``instrument.type``, spot, or prediction for a Polymarket URL or slug and for a node
    pinned to ``polymarket`` (orders-and-execution-graphs.md, Node Fields: it normalizes those;
    :func:`graphc.venues.router_type`);
    without ``activation``, ``root`` when no edge leads to it (``targets``: :func:`edge_targets`), else ``wait``.
    What decompile fills in (with a note), what ``graphc graph`` draws and ``graphc plan``'s trigger tree shows as
    defaulted (``root, by default``): the one reading of them outside the rules' (whose :func:`wire_node_facts`
    reads them the same way, inline, for speed)."""
    instrument = node.get("instrument")
    read_type = None
    if isinstance(instrument, dict) and instrument.get("type") is None:
        symbol = instrument.get("symbol")
        read_type = router_type(symbol if isinstance(symbol, str) else "", None, instrument.get("venue"))
    read_activation = None
    if node.get("activation") is None:
        read_activation = "wait" if node.get("node_id") in targets else "root"
    return read_type, read_activation


def dollar_notional(node: NodeFacts) -> Decimal | None:
    """What ``node`` is worth in dollars, as GC501 reads it: |quantity × price| (the limit, else the quote's ask
    for a buy / bid for a sell) of a market priced in dollars (``MarketFacts.cost_unit`` in
    :data:`~graphc.vocabulary.DOLLARS`: USD, the dollar stablecoins, prediction shares); None when the size or
    price is unknown, or the market is priced in another currency (graphc has no exchange rates).

    Exact at any in-range size (:func:`graphc.numbers.times`; playbook-spec.md §3.2 "All arithmetic is exact
    decimal"): in the default 28-digit context an order exactly at the limit could read as above it."""
    qty, reference = node.qty, node.reference
    if qty is None or reference is None or node.market.cost_unit not in DOLLARS:
        return None
    return times(qty, reference).copy_abs()  # copy_abs: abs() would round to 28 digits again


def notional_gap(derived: bool, qty: Decimal | None, price: Decimal | None, currency: str | None = "USD") -> str | None:
    """Why a leg's dollar notional is unknown, in the few words `graphc plan` and GC503 both say it (one
    vocabulary, audit desk21 4): ``derived size`` (it follows fills), ``no size`` (a notional size linted without
    a price), ``no price`` (a market order without a quote, a limit template linted without quotes), or
    ``not in dollars: BTC`` (a market priced in another currency, ``unknown currency`` when not known); None when
    the notional is known and in dollars. Only the cause that applies: a derived leg with a limit and a quote is
    ``derived size``, never "derived size, no limit price and no quote, or not priced in dollars"."""
    if derived:
        return "derived size"
    if qty is None:
        return "no size"
    if price is None:
        return "no price"
    if currency not in DOLLARS:
        return f"not in dollars: {currency or 'unknown currency'}"
    return None


def missing_side(node: NodeFacts) -> str | None:
    """``the quote for X has no ask`` when ``node`` is a market order whose symbol has a quote without a price on
    the side the order meets (the ask for a buy, the bid for a sell: a one-sided book, whose empty side the router
    writes as 0; graphc.quotes.quote_value), else None (no quote at all, or a price: the callers say so). A side
    the market does not use (``ask: 41`` on a prediction market: graphc.venues.market_quote) is named as such.

    A skip must say what is missing: "there is no quote for BTC-USD" misstates a snapshot that has one."""
    quote = node.quote
    if quote is None or not node.market_order or node.side not in ("buy", "sell"):
        return None
    side = "ask" if node.side == "buy" else "bid"
    if getattr(quote, side, None) is not None:
        return None
    refusal = refused_price(node.market, side)  # there, and not used: a price no prediction market has
    if refusal is None:
        return f"the quote for {node.symbol} has no {side}"
    from graphc.quotes import refused_text  # deferred: only a refused price needs it

    return refused_text(node.symbol, refusal)


def orders_over_limit(
    nodes: list[NodeFacts], limit: Decimal
) -> tuple[list[tuple[NodeFacts, Decimal]], list[NodeFacts]]:
    """The orders whose dollar notional (:func:`dollar_notional`) is above ``limit`` (``max_notional_usd``), each
    with it, in graph order; and the orders whose dollar notional is unknown, which are not compared.

    One reading for lint's GC501 (an error: the router refuses such a graph at admission under any reading of
    the limit; orders-and-execution-graphs.md, Full Execution Graph) and the sandbox's admission check
    (graphc.sandbox.engine), so the two never disagree. An order exactly at the limit passes. The graph's sum is
    not compared here: the reference does not say admission sums it (GC503, a warning; playbook-spec.md §8).
    """
    over: list[tuple[NodeFacts, Decimal]] = []
    unknown: list[NodeFacts] = []
    for node in nodes:
        notional = dollar_notional(node)
        if notional is None:
            unknown.append(node)
        elif notional > limit:
            over.append((node, notional))
    return over, unknown


def compiled_graph_facts(
    wire: dict,
    nodes: list[NodeFacts],
    quotes: Mapping,
    resolver: MarketResolver,
    unaligned: Mapping | None = None,
    notionals: Mapping | None = None,
) -> GraphFacts:
    """``graph_facts(wire, quotes=quotes, resolver=resolver, nodes=nodes)`` of a graph graphc.stages.model wrote,
    with the prices its templates had before the grids (``unaligned``: :attr:`GraphFacts.unaligned`) and the
    dollars of its notional sizes (``notionals``: :attr:`GraphFacts.notionals`).

    Its edges are mappings of a text ``edge_id``, ``from_node`` and ``to_node`` and a ``trigger`` (a
    ``condition`` when given), so they are read without graph_facts' defensive checks; an end that names
    no node is still read as there (a compile with errors writes such edges). tests/test_facts_compiled.py
    holds the two equal.
    """
    quotes = quotes or {}  # (as graph_facts reads them)
    by_id, duplicates = _by_id(nodes)
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
    for edge in wire["edges"]:
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
    return _new_tuple(
        GraphFacts,
        (
            nodes,
            by_id,
            duplicates,
            edges,
            unknown,
            incoming,
            children,
            dangling,
            quotes,
            resolver,
            forward_only,
            forks,
            unaligned or _NOTHING_MOVED,
            notionals or _NO_NOTIONALS,
        ),
    )


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
    usable: dict[tuple, Any] = {}  # a prediction market's quote as it uses it
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
            venue = checked_venue(venue)  # "KALSHI" and "kalshi " are kalshi (GC103 says the router gets the text)
        activation = get("activation")
        if activation not in _ACTIVATIONS:
            activation = "wait" if node_id in targets else "root"
        if "type" in instrument:
            missing: tuple[str, ...] = () if "activation" in node else _NO_ACTIVATION
        else:
            missing = _NO_TYPE if "activation" in node else _NO_TYPE_OR_ACTIVATION
        instrument_type = given_type or router_type(symbol, None, venue)
        side = get("side")
        if side not in _SIDES:
            side = None
        quote = get_quote(symbol)
        if quote is not None and (instrument_type == "prediction" or venue in PREDICTION_VENUES):
            quote = usable.get(qkey := (symbol, venue, instrument_type))
            if quote is None:  # without a price a prediction market cannot have (graphc.venues.market_quote)
                quote = usable[qkey] = market_quote(get_quote(symbol), venue, instrument_type)
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
                limit = prices[raw] = unscaled(raw, PRICE_SCALE)  # wire_limit(order_type), inline
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
                qty = sizes[raw] = unscaled(raw, QTY_SCALE)  # wire_qty(quantity), inline
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
        venue = market.venue  # unpinned prediction: the venue its symbol names (spec §3.1; MarketResolver.facts)
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


def usual_node_facts(
    raw_nodes: list, targets: Container, quotes: Mapping, resolver: MarketResolver
) -> tuple[list[NodeFacts], int] | None:
    """:func:`wire_node_facts` of nodes of the usual shape, read in the pass that proves each has it; None when one
    has not (then read them with :func:`wire_node_facts`).

    The usual shape is a node the shipped wire schema accepts (``$defs.node`` of schemas/wire-graph.schema.json,
    its checks written out here, each as strict as the schema or stricter): ``node_id`` a non-empty text,
    ``instrument`` a mapping of a text ``symbol`` of 1 to 512 characters, ``type`` one of the instrument types
    and ``venue`` a non-empty text when given, ``side`` buy or sell, ``order_type`` "market" or an int
    ``limit.price_1e9`` in range, ``quantity`` "derived" or an int ``fixed.qty_1e8`` in range, ``execution``
    a mapping of the schema's fields, ``activation`` root or wait when given, and no other key anywhere (each
    mapping's length is the count of the keys read from it). One pass reads and checks each node while it is
    in the processor's cache: a large graph costs more in memory traffic than in Python steps. A node the
    check cannot vouch for ends the pass (its place is not worth knowing: the caller reads the graph again).

    tests/test_facts_shaped.py holds the records equal to :func:`wire_node_facts`'s, and every graph this
    accepts accepted by the generated check (graphc.stages.validate), on examples and generated graphs.
    """
    facts: list[NodeFacts] = []
    append = facts.append
    get_quote = quotes.get
    markets: dict[tuple, MarketFacts] = {}
    usable: dict[tuple, Any] = {}  # a prediction market's quote as it uses it
    sizes: dict[int, Decimal] = {}
    prices: dict[int, Decimal] = {}
    symbols: dict[str, str] = {}
    venues: dict[str, str] = {}
    values = 0
    index = -1
    try:
        for node in raw_nodes:
            index += 1
            if type(node) is not dict:
                return None
            node_id, instrument, side = node["node_id"], node["instrument"], node["side"]  # (a KeyError ends the pass)
            order_type, quantity = node["order_type"], node["quantity"]
            size = len(node)
            if size == 7:  # every field given (as graphc writes a graph)
                execution, activation = node["execution"], node["activation"]
            else:
                execution, activation = node.get("execution"), node.get("activation")
            if (
                type(node_id) is not str
                or not node_id
                or type(instrument) is not dict
                or type(side) is not str
                or size != 5 + (execution is not None) + (activation is not None)
            ):
                return None
            side = _SIDE_OF[side]  # the code's own text (a KeyError: not buy or sell)
            symbol = instrument["symbol"]
            fields = len(instrument)
            if fields == 1:
                given_type = venue = None
            elif fields == 2 and "type" in instrument:
                given_type, venue = instrument["type"], None
            else:
                given_type, venue = instrument.get("type"), instrument.get("venue")
            if (
                type(symbol) is not str
                or not 1 <= len(symbol) <= 512
                or fields != 1 + (given_type is not None) + (venue is not None)
            ):
                return None
            values += size + fields
            if given_type is not None:
                if type(given_type) is not str:
                    return None
                given_type = _TYPE_OF[given_type]  # (a KeyError: not an instrument type)
            if venue is not None:
                if type(venue) is not str or not venue:
                    return None
                lowered = venues.get(venue)
                if lowered is None:
                    lowered = venues[venue] = checked_venue(venue) or venue  # (never None: a text)
                venue = lowered
            shared = symbols.get(symbol)  # one text object per symbol: the rules compare them, the markets hash them
            if shared is None:
                symbols[symbol] = symbol
            else:
                symbol = shared
            if activation is None:
                activation = "wait" if node_id in targets else "root"
                missing: tuple[str, ...] = _NO_ACTIVATION if given_type is not None else _NO_TYPE_OR_ACTIVATION
            elif type(activation) is str:
                activation = _ACTIVATION_OF[activation]  # (a KeyError: not root or wait)
                missing = () if given_type is not None else _NO_TYPE
            else:
                return None
            instrument_type = given_type or router_type(symbol, None, venue)
            quote = get_quote(symbol) if quotes else None
            if quote is not None and (instrument_type == "prediction" or venue in PREDICTION_VENUES):
                quote = usable.get(qkey := (symbol, venue, instrument_type))
                if quote is None:  # without a price a prediction market cannot have (graphc.venues.market_quote)
                    quote = usable[qkey] = market_quote(get_quote(symbol), venue, instrument_type)
            limit = None
            market_order = order_type == "market"
            if not market_order:
                if not (
                    type(order_type) is dict
                    and len(order_type) == 1
                    and type(priced := order_type["limit"]) is dict
                    and len(priced) == 1
                    and type(raw := priced["price_1e9"]) is int
                    and 1 <= raw <= _MAX_SCALED
                ):
                    return None
                values += 2  # order_type's limit, and its price
                limit = prices.get(raw)
                if limit is None:
                    limit = prices[raw] = unscaled(raw, PRICE_SCALE)
            elif type(order_type) is not str:
                return None
            reference = limit
            if reference is None and quote is not None:
                reference = quote.ask if side == "buy" else quote.bid
            qty = None
            derived = quantity == "derived"
            if not derived:
                if not (
                    type(quantity) is dict
                    and len(quantity) == 1
                    and type(fixed := quantity["fixed"]) is dict
                    and len(fixed) == 1
                    and type(raw := fixed["qty_1e8"]) is int
                    and 1 <= raw <= _MAX_SCALED
                ):
                    return None
                values += 2  # quantity's fixed, and its qty_1e8
                qty = sizes.get(raw)
                if qty is None:
                    qty = sizes[raw] = unscaled(raw, QTY_SCALE)
            elif type(quantity) is not str:
                return None
            tif, urgency, slippage_bps, horizon_ms, paced = None, None, None, None, None
            policy: Any = DEFAULT_POLICY
            if execution is None:
                pass
            elif type(execution) is not dict:
                return None
            elif (
                len(execution) == 1
                and "policy" in execution
                and type(policy := execution["policy"]) is str
                and (policy := _POLICY_OF.get(policy)) is not None
            ):
                values += 1  # only a policy: the usual leg
            elif not _usual_execution(execution):
                return None
            elif execution:
                values += len(execution) + (3 if "pacing" in execution else 0)  # pacing's uniform, its two fields
                policy, tif, urgency, slippage_bps, horizon_ms, paced = _execution(execution)
            market = markets.get(key := (symbol, venue, instrument_type))
            if market is None:
                market = markets[key] = resolver.facts(symbol, venue, instrument_type)
            venue = market.venue  # unpinned prediction: the venue its symbol names (spec §3.1; MarketResolver.facts)
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
    except KeyError:  # a required field missing
        return None
    return facts, values


def _usual_execution(execution: dict) -> bool:
    """Whether the shipped schema accepts ``execution`` (a mapping): each field of its type, no other field."""
    get = execution.get
    policy, urgency, tif = get("policy"), get("urgency"), get("tif")
    slippage, horizon, pacing = get("max_slippage_bps"), get("horizon_ms"), get("pacing")
    read = 0
    for value, allowed in ((policy, _POLICIES), (urgency, _URGENCIES), (tif, _TIFS)):
        if value is not None:
            if type(value) is not str or value not in allowed:
                return False
            read += 1
    if slippage is not None:
        if type(slippage) is not int:
            return False
        read += 1
    if horizon is not None:
        if type(horizon) is not int or not 1 <= horizon <= _MAX_SCALED:
            return False
        read += 1
    if pacing is not None:
        if type(pacing) is not dict or len(pacing) != 1 or type(uniform := pacing.get("uniform")) is not dict:
            return False
        slices, interval = uniform.get("num_slices"), uniform.get("interval_ms")
        if (
            len(uniform) != 2
            or type(slices) is not int
            or type(interval) is not int
            or not 1 <= slices <= _MAX_SCALED
            or not 1 <= interval <= _MAX_SCALED
        ):
            return False
        read += 1
    return len(execution) == read


_new_tuple = tuple.__new__
_MAX_SCALED = (
    2**63 - 1
)  # the schema's maximum of price_1e9, qty_1e8, horizon_ms, num_slices, interval_ms, on_timeout.ms
# The shipped wire schema's enums (tests/test_facts_shaped.py holds them equal to schemas/wire-graph.schema.json's).
_INSTRUMENT_TYPES = frozenset(("spot", "perp", "prediction"))
_POLICIES = frozenset(("sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip"))
_URGENCIES = frozenset(("low", "medium", "high"))
_TIFS = frozenset(("GTC", "IOC", "FOK"))
_TRIGGER_NAMES = frozenset(
    ("on_accepted", "on_first_fill", "on_fill", "on_fill_ratio", "on_full_fill", "on_cancel", "on_done")
)
_DIRECTIONS = frozenset(("above", "below"))
_node_id = itemgetter(NodeFacts._fields.index("node_id"))
_ACTIVATIONS = ("root", "wait")
_SIDES = ("buy", "sell")
# Each enum's texts by themselves: a node's facts hold these (the code's constants), not the JSON's copies, so
# the rules' comparisons find the same object (a large graph's rules pay for each text they read in memory).
_SIDE_OF = {name: name for name in _SIDES}
_TYPE_OF = {name: name for name in _INSTRUMENT_TYPES}
_ACTIVATION_OF = {name: name for name in _ACTIVATIONS}
_POLICY_OF = {name: name for name in _POLICIES}
_TRIGGER_OF = {name: name for name in _TRIGGER_NAMES}
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
    nodes and edges are read as the usual shape (:func:`usual_node_facts`, :func:`_usual_edges`), and
    defensively only if one is not.
    """
    quotes = quotes or {}
    resolver = resolver or MarketResolver(quotes)
    raw_nodes: list = wire["nodes"] if isinstance(wire.get("nodes"), list) else []
    raw_edges: list = wire["edges"] if isinstance(wire.get("edges"), list) else []
    if shaped:
        usual = _usual_graph(raw_nodes, raw_edges, quotes, resolver, nodes)
        if usual is not None:
            return usual[0]
    if nodes is None:
        nodes = wire_node_facts(raw_nodes, _Targets(raw_edges), quotes, resolver)
    by_id, duplicates = _by_id(nodes)
    edges: list[EdgeFacts] = []
    unknown: list[tuple[int, str, str]] = []
    incoming: dict[str, list[EdgeFacts]] = {}
    children: dict[str, list[str]] = {}
    dangling: set[str] = set()
    forward_only = True
    forks: list[str] = []
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


def _usual_graph(
    raw_nodes: list, raw_edges: list, quotes: Mapping, resolver: MarketResolver, nodes: list[NodeFacts] | None
) -> tuple[GraphFacts, int] | None:
    """graph_facts of nodes and edges of the usual shape (:func:`usual_node_facts`, :func:`_usual_edges`), None
    when one is not; and the values below the nodes and the edges read (every mapping's length), nodes given
    left out."""
    values = 0
    if nodes is None:
        read = usual_node_facts(raw_nodes, _Targets(raw_edges), quotes, resolver)
        if read is None:
            return None
        nodes, values = read
    by_id, duplicates = _by_id(nodes)
    resolved = _usual_edges(raw_edges, by_id)
    if resolved is None:
        return None
    (edges, unknown, incoming, children, dangling, forward_only, forks), edge_values = resolved
    facts = GraphFacts(
        nodes, by_id, duplicates, edges, unknown, incoming, children, dangling, quotes, resolver, forward_only, forks
    )
    return facts, values + edge_values


def usual_graph_facts(wire: object, *, quotes: Mapping, resolver: MarketResolver) -> tuple[GraphFacts, int] | None:
    """The facts of a wire graph of the usual shape (:func:`graph_facts`), read in the pass that proves the
    shipped wire schema accepts the whole graph, and how many values its mappings and lists hold (the lengths of
    all, the root's included: graphc.stages.load.prove_unique_keys compares it with the text's count); None when
    a part is not of that shape (then validate it).

    Besides its nodes (:func:`usual_node_facts`) and edges (:func:`_usual_edges`), the top level: a non-empty
    ``nodes`` list, an ``edges`` list, ``risk`` limits that are numbers, a boolean ``is_sandbox``, no other key.
    Meant for the shipped schema only (graphc.inputs asks graphc.stages.validate whether it is the one in use).
    """
    if type(wire) is not dict:
        return None
    raw_nodes, raw_edges = wire.get("nodes"), wire.get("edges")
    risk, sandbox = wire.get("risk"), wire.get("is_sandbox")
    if (
        type(raw_nodes) is not list
        or not raw_nodes
        or len(wire) != 1 + (raw_edges is not None) + (risk is not None) + (sandbox is not None)
        or (raw_edges is not None and type(raw_edges) is not list)
        or (sandbox is not None and type(sandbox) is not bool)
    ):
        return None
    values = len(wire) + len(raw_nodes) + (len(raw_edges) if raw_edges is not None else 0)
    if risk is not None:
        risk_values = _usual_risk(risk)
        if risk_values is None:
            return None
        values += risk_values
    read = _usual_graph(raw_nodes, raw_edges or [], quotes or {}, resolver, None)
    if read is None:
        return None
    return read[0], values + read[1]


def _usual_risk(risk: object) -> int | None:
    """The values ``risk`` and its mappings hold, when the shipped schema accepts it (``admission.max_notional_usd``
    and ``runtime.max_loss_usd`` positive numbers when given, no other key); else None."""
    if type(risk) is not dict:
        return None
    admission, runtime = risk.get("admission"), risk.get("runtime")
    if len(risk) != (admission is not None) + (runtime is not None):
        return None
    values = len(risk)
    for part, name in ((admission, "max_notional_usd"), (runtime, "max_loss_usd")):
        if part is not None:
            if type(part) is not dict:
                return None
            value = part.get(name)
            if len(part) != (value is not None) or (value is not None and not (_is_number(value) and value > 0)):
                return None  # the schema's exclusiveMinimum 0: a limit is positive
            values += len(part)
    return values


def _is_number(value: object) -> bool:
    """A JSON number as the schema's ``number`` accepts it (an int, not a boolean; a finite Decimal)."""
    return type(value) is int or (isinstance(value, Decimal) and type(value) is Decimal and value.is_finite())


def _by_id(nodes: list[NodeFacts]) -> tuple[dict[str, NodeFacts], list[tuple[int, str, int]]]:
    """node_id -> its first node, and ``(index, node_id, index of the first node with that id)`` of the others."""
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
    return by_id, duplicates


def _usual_edges(raw_edges: list, by_id: dict[str, NodeFacts]) -> tuple[_ResolvedEdges, int] | None:
    """graph_facts' resolved edges of edges of the usual shape, read in the pass that proves each has it; None
    when one has not. The usual shape is an edge the shipped wire schema accepts (``$defs.edge``): a mapping of
    non-empty texts ``edge_id``, ``from_node`` and ``to_node``, a ``trigger`` (a trigger name, or one
    ``on_timeout``/``on_price`` mapping), a ``condition`` mapping of one number ``fill_ratio_gte`` when given,
    and no other key. Returns ``(edges, unknown_ends, incoming, children, dangling, forward_only, forks)``, as
    graph_facts' own loop makes them."""
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
    src: Any  # a text (mypy reads NodeFacts.node_id as optional: a resolved end has one)
    dst: Any
    values = 0
    for edge in raw_edges:
        j += 1
        if type(edge) is not dict:
            return None
        try:
            edge_id, src, dst, trigger = edge["edge_id"], edge["from_node"], edge["to_node"], edge["trigger"]
            condition = edge["condition"] if len(edge) == 5 else None
        except KeyError:  # a required field missing, or a fifth that is not `condition`
            return None
        if (
            type(edge_id) is not str
            or not edge_id
            or type(src) is not str
            or not src
            or type(dst) is not str
            or not dst
            or len(edge) != 4 + (condition is not None)
        ):
            return None
        values += len(edge)
        if type(trigger) is str:
            trigger = _TRIGGER_OF.get(trigger)
            if trigger is None:
                return None
        elif _usual_trigger(trigger):
            values += 2 if "on_timeout" in trigger else 5  # the trigger's one entry, and what that holds
        else:
            return None
        if condition is not None:
            if not (
                type(condition) is dict
                and len(condition) == 1
                and "fill_ratio_gte" in condition
                and (
                    type(ratio := condition["fill_ratio_gte"]) is int or (type(ratio) is Decimal and ratio.is_finite())
                )
            ):
                return None
            values += 1
        parent = get_node(src)
        child = get_node(dst)
        if parent is not None and child is not None:
            if forward_only and parent[0] >= child[0]:  # (their indexes)
                forward_only = False
            src, dst = parent[1], child[1]  # the nodes' own id objects, equal to these: later lookups find them at once
            resolved = _new_tuple(EdgeFacts, (j, edge_id, src, dst, trigger, condition))
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
    return (edges, unknown, incoming, children, dangling, forward_only, forks), values


def _usual_trigger(trigger: object) -> bool:
    """Whether the shipped schema accepts ``trigger``, a trigger that is not a name: one ``on_timeout`` of an int
    ``ms`` up to 2**63-1 (0 or less is GC208's to report, not the schema's), or one ``on_price`` of a ``symbol`` (1 to 512 characters), a ``direction``, a ``reference`` and a
    number ``offset_pct``."""
    if type(trigger) is not dict or len(trigger) != 1:
        return False
    timeout, on_price = trigger.get("on_timeout"), trigger.get("on_price")
    if timeout is not None:
        return (
            type(timeout) is dict
            and len(timeout) == 1
            and type(ms := timeout.get("ms")) is int
            and ms <= _MAX_SCALED  # the schema's bound of on_timeout.ms (its minimum is GC208's)
        )
    if type(on_price) is not dict or len(on_price) != 4:
        return False
    symbol, direction, reference = on_price.get("symbol"), on_price.get("direction"), on_price.get("reference")
    return (
        type(symbol) is str
        and 1 <= len(symbol) <= 512
        and type(direction) is str
        and direction in _DIRECTIONS
        and type(reference) is str
        and len(reference) >= 1
        and _is_number(on_price.get("offset_pct"))
    )
