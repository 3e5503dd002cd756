"""Stage 4-5: a validated playbook document -> the router's wire graph.

Builds the wire dict in the spec's key order, a locator (``{wire path: Span}``)
so lint findings on the wire graph point back at the playbook text, and the
per-node facts only the playbook knows.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from graphc.diagnostics import DiagnosticError, Skip
from graphc.facts import GraphFacts, NodeFacts, compiled_graph_facts, wire_limit
from graphc.numbers import shown, unscaled
from graphc.record import Record
from graphc.stages import legs as L
from graphc.stages.graph_rules import STRUCTURAL_CODES
from graphc.stages.triggers import edge_end_error, trigger_from_mapping, trigger_parts, unquoted_hint
from graphc.stages.wiregraph import number
from graphc.units import UnitError, parse_money, parse_price, plain_price, scaled_fast, to_scaled
from graphc.venues import MarketResolver, infer_instrument, market_quote, symbol_in_quotes, symbol_problem
from graphc.venues.prices import trigger_level
from graphc.vocabulary import DEFAULT_POLICY, INSTRUMENT_TYPES, PRICE_SCALE, QTY_SCALE

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")  # spec §2; whole text (fullmatch): `$` lets "a\n" by
LEG_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_LEG_IDS: set[str] = set()  # leg ids that LEG_ID_PATTERN matched


_EXECUTION_FIELDS = {
    "policy": "policy",
    "urgency": "urgency",
    "max_slippage_bps": "slippage",
    "horizon_ms": "horizon",
    "tif": "tif",
    "pacing": "twap",
}  # wire key -> playbook field


def _qty_field(fields):
    return next((k for k in ("buy", "sell", "qty") if fields.get(k) is not None), None)


_new_tuple = tuple.__new__  # a named tuple's own __new__ (keyword arguments) is a Python call per node


class NodeOrigin(NamedTuple):
    """Facts about a node that only the playbook knows (absent for wire input)."""

    # a template price (`bid - 10bps`, priced by the compiler) as the leg reads after rendering: a `use:` leg's
    # from its template, a `for_each` rung's with its own index, params filled in; None for a literal or market
    price_text: str | None = None
    quantity_text: str | None = None  # the human quantity as written, for messages


assert NodeOrigin._fields == ("price_text", "quantity_text"), "update _Builder._finish_leg"


class Locator(Record):
    """Maps wire paths to source spans, falling back to the nearest ancestor.

    The paths inside a playbook leg's node are placed on demand by ``nodes[i]``
    (most nodes never get a finding); everything else is in ``spans``, as a Span
    or as a ``_Later`` document path that is looked up when first asked for.
    """

    FIELDS = ("spans", "nodes")
    SHOWN = ("spans",)

    spans: dict  # wire path -> Span | _Later
    nodes: object  # .get(node index) -> (path in the node -> Span | None)

    def __init__(self, spans: dict | None = None, nodes: object = None):
        self.spans = {} if spans is None else spans
        self.nodes = {} if nodes is None else nodes

    def span(self, path):
        path = tuple(path)
        if self.nodes and len(path) > 1 and path[0] == "nodes" and isinstance(path[1], int):
            locate = self.nodes.get(path[1])
            if locate is not None:
                for end in range(len(path), 1, -1):
                    span = locate(path[2:end])
                    if span is not None:
                        return span
                path = ("nodes",)
        while True:
            if path in self.spans:
                span = self.spans[path]
                if type(span) is _Later:
                    span = self.spans[path] = span.resolve()
                return span
            if not path:
                return None
            path = path[:-1]


class _Later(tuple):
    """``(doc, path, key)``: a locator entry placed by its document path; the span is looked up
    only if a finding needs it (``key``: the span of the mapping key that introduces the path).

    A plain tuple subclass, so making one is a C call: there are several per playbook.
    """

    __slots__ = ()

    def resolve(self):
        doc, path, key = self
        return doc.key_span(path) if key else doc.span(path)


class _LegLocators:
    """``get(node index)``: the node's locate function, made only when a finding asks for it.

    Nothing is kept per leg but its id (a 100k-leg graph would otherwise hold
    300k closures): the leg's fields are looked up again in the document.
    """

    __slots__ = ("defaults", "doc", "leg_ids")

    def __init__(self, doc, defaults):
        self.doc, self.defaults = doc, defaults
        self.leg_ids: list = []  # node index -> leg id

    def __len__(self) -> int:
        return len(self.leg_ids)

    def get(self, index):
        if not 0 <= index < len(self.leg_ids):
            return None
        leg_id = self.leg_ids[index]
        fields, span_of = _leg_fields(self.doc, self.defaults, leg_id, self.doc.data["legs"][leg_id])
        return _node_locator(span_of, fields)


def _leg_fields(doc, defaults, leg_id, raw):
    """A leg's fields (``defaults:`` merged in) and ``span_of(field name)``, the span to report a field at."""
    written, inherited = defaults  # `defaults:` as written, and the part every leg inherits
    fields = {**inherited, **raw} if inherited else raw  # read-only from here on: no copy without defaults
    return fields, functools.partial(L.field_span, doc, leg_id, raw, written)


def _node_locator(span_of, fields):
    """A function (wire path inside the node) -> Span, or None for a path it does not place.

    Only the few paths that get a finding are ever asked for, so nothing is
    computed up front (a 100k-leg graph would otherwise build 1.5M spans).
    """

    def field_for(rest):
        n = len(rest)
        if n == 0 or rest == ("node_id",):
            return None, True
        head = rest[0]
        if n == 1:
            if head == "instrument":
                return "symbol", True
            if head == "side":
                return ("side" if "side" in fields else _qty_field(fields)), True
            if head == "quantity":
                return _qty_field(fields), True
            if head == "order_type":
                return ("limit" if "limit" in fields else None), True
            if head == "activation":
                return ("activation" if "activation" in fields else None), True
        elif n == 2 and head == "instrument" and rest[1] in ("venue", "type"):
            return (rest[1] if rest[1] in fields else "symbol"), True
        elif n == 2 and head == "execution" and rest[1] in _EXECUTION_FIELDS:
            name = _EXECUTION_FIELDS[rest[1]]
            return (name if name in fields else None), True
        return None, False

    def locate(rest):
        name, known = field_for(rest)
        return span_of(name) if known else None

    return locate


class BuildResult(NamedTuple):
    """What the model stage made of a document."""

    wire: dict | None
    locator: Locator
    origin: dict
    diagnostics: list
    skips: list  # Skip(code, wire path, reason)
    facts: Callable[[], GraphFacts] | None = None  # makes the typed nodes and edges, for the rules (when asked)


class _Deferred(NamedTuple):
    """A leg whose limit uses the `trigger` base: built once every edge is known (spec §4)."""

    index: int  # type: ignore[assignment]  # hides tuple.index(), as NodeFacts.index does
    leg_id: str
    ctx: L.LegContext
    has_incoming: bool


class _Builder:
    def __init__(self, doc, quotes, require_quotes, resolver=None):
        self.doc = doc
        self.data = doc.data
        self.quotes = {} if quotes is None else quotes  # kept as given: a RecordingQuotes must see every lookup
        self.require_quotes = require_quotes
        self.resolver = resolver or MarketResolver(self.quotes)
        self.deferred: list[_Deferred] = []
        self.unread_after: set[str] = set()  # the legs with an `after:` entry that was refused (its error said)
        self.diagnostics = []
        self.said_once: set[tuple] = set()  # the errors raised with `once` already said (error)
        self.said: set[tuple] = set()  # (code, message, hint, span, its file, its note) of each error said (error)
        self.skips = []
        self.locator = Locator(
            {
                (): _Later((doc, (), False)),
                ("nodes",): _Later((doc, ("legs",), True)),
                ("edges",): _Later((doc, ("edges",) if "edges" in doc.data else ("legs",), True)),
            }
        )
        self.origin = {}
        self.unaligned: dict[str, tuple[str, Decimal]] = {}  # leg id -> LegContext.unaligned, for GC404
        self.notionals: dict[str, Decimal] = {}  # leg id -> LegContext.notional, for GC301
        defaults = self.data.get("defaults")
        defaults = defaults if isinstance(defaults, dict) else {}
        inherited = (
            {k: v for k, v in defaults.items() if k not in ("after", "for_each", "use", "with")} if defaults else {}
        )
        self.defaults = defaults, inherited  # `defaults:` as written, and the part every leg inherits
        self.locator.nodes = self.leg_locators = _LegLocators(doc, self.defaults)

    def error(self, exc: DiagnosticError, fallback_span=None):
        diagnostic = exc.to_diagnostic(self.doc.path, fallback_span)
        if exc.once:  # said once, at its value, whichever legs raise it (DiagnosticError.once)
            span = diagnostic.span
            key = (diagnostic.code, diagnostic.message, diagnostic.path, span and (span.line, span.col))
            if key in self.said_once:
                return
            self.said_once.add(key)
        span = diagnostic.span
        # One problem, one report: a bad value in `defaults:` is raised by every leg that takes it, each time with
        # the same code and message at the same place (audit spec28 2). Identical code, place and message are
        # never two problems; a span's file and note are part of its place (a template's text used twice).
        # A rule about a structure (Rule.structural) finds each of its problems once: two findings of it that read
        # alike are two problems, never collapsed (graphc.lint says the same of the rules' findings).
        said = (diagnostic.code, diagnostic.message, diagnostic.hint, span, span and span.file, span and span.via)
        if diagnostic.code not in STRUCTURAL_CODES:
            if said in self.said:
                return
            self.said.add(said)
        self.diagnostics.append(diagnostic)

    # -- top level -------------------------------------------------------------
    def build(self) -> dict:
        self._check_name()
        legs = self.data.get("legs")
        nodes: list[dict] = []
        edges: list[dict] = []
        incoming = self._explicit_edge_targets()
        if isinstance(legs, dict):
            for leg_id, raw in legs.items():
                node = self._leg(len(nodes), leg_id, raw, edges, incoming)
                if node is not None:
                    nodes.append(node)
        self._top_level_edges(edges)
        if self.deferred:
            price_edges: dict[str, list] = {}  # to_node -> its on_price edges, in edge order
            for e in edges:
                if isinstance(e["trigger"], dict) and "on_price" in e["trigger"]:
                    price_edges.setdefault(e["to_node"], []).append(e)
            for deferred in self.deferred:
                self._build_deferred(deferred, nodes, price_edges.get(deferred.leg_id, []))
        if self.deferred and not all(nodes):  # a deferred leg that failed leaves an empty placeholder
            kept = [i for i, node in enumerate(nodes) if node]
            self.leg_locators.leg_ids = [self.leg_locators.leg_ids[i] for i in kept]
            nodes = [nodes[i] for i in kept]
        wire: dict[str, object] = {"nodes": nodes, "edges": edges}
        risk = self._risk()
        if risk:
            wire["risk"] = risk
        wire["is_sandbox"] = self._sandbox()
        return wire

    def _check_name(self):
        name = self.data.get("name")
        if isinstance(name, str) and not NAME_PATTERN.fullmatch(name):
            self.error(
                DiagnosticError(
                    "GC103",
                    f"name {name!r} must be lower-case letters, digits, `.`, `_` or `-`",
                    self.doc.span(("name",)),
                    "e.g. `name: eth-basis-weekly`",
                )
            )

    def _sandbox(self) -> bool:
        value = self.data.get("sandbox", True)
        self.locator.spans[("is_sandbox",)] = (
            _Later((self.doc, ("sandbox",), True)) if "sandbox" in self.data else _Later((self.doc, (), False))
        )
        if isinstance(value, bool):
            return value
        self.error(
            DiagnosticError(
                "GC103",
                f"`sandbox` must be true or false, not {value!r}",
                self.doc.span(("sandbox",)),
                "write `sandbox: false` (unquoted) to trade live",
            )
        )
        return True

    def _risk(self) -> dict:
        raw = self.data.get("risk")
        if not isinstance(raw, dict):
            return {}
        risk = {}
        for key, section, wire_key in (
            ("max_notional", "admission", "max_notional_usd"),
            ("max_loss", "runtime", "max_loss_usd"),
        ):
            if raw.get(key) is None:
                continue
            try:
                value = parse_money(raw[key])
            except UnitError as exc:
                message = exc.message_as_written(self.doc.written(("risk", key)))  # `1e999`, not Decimal's `1E+999`
                self.error(
                    DiagnosticError(exc.code, f"`risk.{key}`: {message}", self.doc.span(("risk", key)), exc.hint)
                )
                continue
            if value <= 0:
                self.error(DiagnosticError("GC103", f"`risk.{key}` must be positive", self.doc.span(("risk", key))))
                continue
            risk[section] = {wire_key: value}
            self.locator.spans[("risk", section)] = self.locator.spans[("risk", section, wire_key)] = _Later(
                (self.doc, ("risk", key), False)
            )
        self.locator.spans[("risk",)] = _Later((self.doc, ("risk",), True))
        return risk

    # -- legs --------------------------------------------------------------------
    def _explicit_edge_targets(self) -> set:
        targets = set()
        entries = self.data.get("edges")
        for entry in entries if isinstance(entries, list) else []:  # a wrong type is the schema's GC103
            if isinstance(entry, dict) and isinstance(entry.get("to"), str):
                targets.add(entry["to"])
        return targets

    def _leg(self, index, leg_id, raw, edges, incoming):
        if not isinstance(raw, dict):
            return None  # schema validation already reported it
        name = leg_id if type(leg_id) is str else str(leg_id)
        if name in _LEG_IDS:
            pass  # read before: a repo's playbooks reuse their leg names
        elif LEG_ID_PATTERN.match(name):
            if len(_LEG_IDS) < 8192 and len(name) <= 64:
                _LEG_IDS.add(name)
        else:
            self.error(
                DiagnosticError(
                    "GC103",
                    f"leg id {leg_id!r} may use letters, digits, `.`, `_` and `-`",
                    self.doc.key_span(("legs", leg_id)),
                )
            )
        written, inherited = self.defaults  # `defaults:` as written, and the part every leg inherits
        fields = {**inherited, **raw} if inherited else raw  # as _leg_fields: read-only from here on
        # the context keeps the document, not the builder: builder -> locator -> context -> builder would be a
        # reference cycle that only the garbage collector could free
        ctx = L.LegContext(
            name, fields, self.doc, leg_id, raw, written, self.quotes, self.require_quotes, self.resolver
        )
        has_incoming = ("after" in raw and self._after_edges(leg_id, name, raw, edges)) or leg_id in incoming
        limit = fields.get("limit")
        if type(limit) is str and _uses_trigger_base(limit):
            self.deferred.append(_Deferred(index, name, ctx, has_incoming))
            self.leg_locators.leg_ids.append(leg_id)
            return {}  # a placeholder, filled in once every edge is known
        node = self._finish_leg(index, name, ctx, has_incoming)
        if node is not None:
            self.leg_locators.leg_ids.append(leg_id)
        return node

    def _finish_leg(self, index, leg_id, ctx, has_incoming):
        try:
            node, price_is_template = self._node(ctx, leg_id, has_incoming)
        except DiagnosticError as exc:
            self.error(exc, self.doc.key_span(("legs", leg_id)))
            return None
        if ctx.skips:
            for code, wire_field, reason in ctx.skips:
                self.skips.append(_new_tuple(Skip, (code, ("nodes", index, wire_field), reason)))
        if ctx.unaligned is not None:
            self.unaligned[leg_id] = ctx.unaligned
        if ctx.notional is not None:
            self.notionals[leg_id] = ctx.notional
        fields = ctx.fields
        self.origin[leg_id] = _new_tuple(  # NodeOrigin(price_text, quantity_text)
            NodeOrigin,
            (
                str(fields["limit"]) if price_is_template else None,
                str(fields.get("buy") or fields.get("sell") or fields.get("qty")),
            ),
        )
        return node

    def _build_deferred(self, deferred: _Deferred, nodes: list, on_price: list):
        """Resolve the projected trigger level of the leg's on_price edges (``on_price``: the leg's on_price
        edges, in edge order), one level for all of them, then build the leg."""
        ctx = deferred.ctx
        if not on_price and deferred.leg_id in self.unread_after:
            # its on_price edge may be the `after:` entry refused (`price "ETH-USD" ...`): that error says it,
            # not also "this leg has no on_price edge" at its `limit: trigger`
            nodes[deferred.index] = None
            return
        if self._trigger_elsewhere(ctx, on_price) or self._trigger_ambiguous(ctx, on_price, nodes):
            nodes[deferred.index] = None
            return
        if not all(map(_price_watch, on_price)):
            ctx.trigger_unknown = True  # an edge has no text symbol or no finite offset: its own check reports it
        elif on_price:
            levels = [self._trigger_level(edge, nodes) for edge in on_price]
            # the level (one: _trigger_ambiguous); else the first edge whose level is unknown, to say so
            level = levels[0] if None not in levels else None
            edge = on_price[levels.index(None)] if level is None else on_price[0]
            if level is None:
                params = edge["trigger"]["on_price"]
                symbol = params.get("symbol")
                reason = (
                    f"`limit: {ctx.fields.get('limit')}` needs the trigger level: the leg {edge['from_node']!r} has no "
                    f"limit price on {symbol} and there is no quote for {symbol}"
                )
                if not self.require_quotes:
                    ctx.skips.append(("GC109", "order_type", reason + "; pass --quotes"))
                    ctx.trigger_unknown = True  # lint without quotes: the price stays unknown
                else:
                    self.error(
                        DiagnosticError(
                            "GC109",
                            reason,
                            ctx.span_of("limit"),
                            f"add {symbol} with bid/ask to the quotes snapshot (--quotes FILE), or give "
                            f"{edge['from_node']!r} a limit price",
                        )
                    )
                    nodes[deferred.index] = None
                    return
            ctx.trigger = level
        node = self._finish_leg(deferred.index, deferred.leg_id, ctx, deferred.has_incoming)
        nodes[deferred.index] = node  # None when it failed: dropped (its diagnostics say why)

    def _trigger_elsewhere(self, ctx, on_price: list) -> bool:
        """Report GC105 when an on_price edge into a `trigger`-priced leg watches another symbol than the leg
        trades: `trigger` is a price of the trigger's symbol (spec §4), so it does not price this leg, and when
        that edge fires this leg's market is unknown. Whether it was reported."""
        symbol = ctx.fields.get("symbol")
        if not isinstance(symbol, str):
            return False  # no symbol, or not text: building the leg reports it
        for edge in on_price:
            params = edge["trigger"]["on_price"]
            watched = params.get("symbol") if isinstance(params, dict) else None
            if watched == symbol or not isinstance(watched, str):
                continue  # the leg's own symbol; or none, which the edge's own check reports (GC104/GC103)
            limit = ctx.fields.get("limit")
            offset = number(params.get("offset_pct"))
            move = f"{params.get('direction')} entry {shown(offset)}%" if offset is not None else "below entry -N%"
            self.error(
                DiagnosticError(
                    "GC105",
                    f"`limit: {limit}` on {symbol} uses the trigger level of {watched} (the leg waits for "
                    f"`{edge['from_node']} price {watched} {move}`): `trigger` is a price of {watched}, "
                    f"not of {symbol}",
                    ctx.span_of("limit"),
                    f"watch this leg's own symbol (`after: {edge['from_node']} price {symbol} {move}`), "
                    f"write a literal {symbol} price, or drop `limit:` for a market order",
                )
            )
            return True
        return False

    def _trigger_ambiguous(self, ctx, on_price: list, nodes: list) -> bool:
        """Report GC105 when a `trigger`-priced leg has price triggers at different levels (a stop and a
        take-profit): spec §4 defines `trigger` as "the projected trigger level" of the leg's on_price edge, one
        level, so with two there is no telling which one the limit is priced from, and a price from one of them
        rests when the other fires (GC407). Whether it was reported.

        Levels that are known are compared; when one is not (no quote, lint without quotes), two edges from the
        same leg with different offsets still surely differ (one reference, two moves)."""
        watches = [watch for edge in on_price if (watch := _price_watch(edge)) is not None]
        if len(on_price) < 2 or len(watches) < len(on_price):
            return False  # one trigger; or one with no text symbol or no finite offset, which its own check reports
        levels = [self._trigger_level(edge, nodes) for edge in on_price]
        if None in levels:
            moves: dict[str, set] = {}
            for edge, (_symbol, offset) in zip(on_price, watches, strict=True):
                moves.setdefault(edge["from_node"], set()).add(offset)
            if all(len(offsets) < 2 for offsets in moves.values()):
                return False
        elif len(set(levels)) < 2:
            return False  # one level, written more than once: not ambiguous
        limit = ctx.fields.get("limit")
        described = []
        for edge, level, (symbol, offset) in zip(on_price, levels, watches, strict=True):
            direction = edge["trigger"]["on_price"].get("direction")
            text = f"`{edge['from_node']} price {symbol} {direction} entry {shown(offset)}%`"
            if level is not None:
                text += f" ({shown(level.normalize())}{self._level_basis(edge, nodes)})"
            described.append(text)
        listed = ", ".join(described[:-1]) + f" and {described[-1]}"
        self.error(
            DiagnosticError(
                "GC105",
                f"`limit: {limit}` is ambiguous: the leg has {len(on_price)} price triggers at different levels, "
                f"{listed}",
                ctx.span_of("limit"),
                "write a literal price, or split the leg into one leg per trigger, each with its own `after:` "
                "and `limit: trigger ...` (GC408: their sizes together should close the position once)",
            )
        )
        return True

    def _level_basis(self, edge: dict, nodes: list) -> str:
        """What :meth:`_trigger_level` measured ``edge``'s level from, for a message (``, from q's limit 2300``)."""
        symbol = edge["trigger"]["on_price"].get("symbol")
        parent = next((n for n in nodes if n and n.get("node_id") == edge["from_node"]), None)
        if parent is not None and parent["instrument"].get("symbol") == symbol:
            reference = wire_limit(parent.get("order_type"))
            if reference is not None:
                return f", from {edge['from_node']}'s limit {shown(reference.normalize())}"
        return f", from the {symbol} mid"

    def _trigger_level(self, edge: dict, nodes: list):
        """The on_price level (spec §4): the reference × (1 + offset_pct/100), where the reference is the
        ``from`` leg's limit price when it trades the trigger's symbol, else the snapshot mid of that symbol."""
        watch = _price_watch(edge)
        if watch is None:
            return None  # no text symbol or no finite offset: the edge's own check reports it (GC104/GC103)
        symbol, offset = watch
        parent = next((n for n in nodes if n and n.get("node_id") == edge["from_node"]), None)
        reference = None
        if parent is not None and parent["instrument"].get("symbol") == symbol:
            reference = wire_limit(parent.get("order_type"))
        if reference is None:
            quote = market_quote(self.quotes.get(symbol), *_watched_market(parent, symbol))
            reference = quote.base("mid") if quote is not None else None
        if reference is None:
            return None
        return trigger_level(reference, offset)

    def _node(self, ctx, leg_id, has_incoming):
        fields = ctx.fields
        get = fields.get
        buy, sell = get("buy"), get("sell")
        if "side" in fields or "qty" in fields or (buy is None) == (sell is None):
            side, raw_qty, qty_field = L.side_and_quantity(ctx)  # the long form, or a problem to report
        elif buy is not None:  # the usual short form, as side_and_quantity reads it
            side, raw_qty, qty_field = "buy", buy, "buy"
        else:
            side, raw_qty, qty_field = "sell", sell, "sell"
        key = (get("symbol"), get("venue"), get("type"))
        try:  # only keys of text and None are kept, so no other value (True == 1) can find one
            known = _INSTRUMENTS.get(key)
        except TypeError:  # a list or a mapping: the full reading reports it
            known = None
        if known is None:
            known = _instrument(ctx)
            if len(_INSTRUMENTS) < 4096 and L.memo_key(key):
                _INSTRUMENTS[key] = known
        symbol, type_, venue = known
        ctx.type_ = type_
        raw_limit = get("limit")
        kind = type(raw_limit)
        literal = None
        if raw_limit is None:
            literal = False  # a market order
        elif kind is str:  # no other value (True == 1 == 1.0) can find a kept one
            literal = _LITERAL_LIMITS.get(raw_limit)
            if literal is None:
                literal = plain_price(raw_limit)  # '48c', '$2,325.53': parse_price and to_scaled in one step
        elif kind is Decimal or kind is int:  # not bool: a number as YAML read it ('2290.56')
            price_1e9 = scaled_fast(raw_limit, 9)
            if price_1e9 is not None:
                literal = (raw_limit if kind is Decimal else Decimal(raw_limit)), price_1e9
        if literal is False:
            price = price_is_template = False
            order_type = "market"
        elif literal is not None:
            price, price_1e9 = literal
            price_is_template = False
            order_type = {"limit": {"price_1e9": price_1e9}}
        else:
            price, price_is_template = L.resolve_limit(ctx, side, symbol, venue)
            if price is False:
                order_type = "market"
            else:
                price_1e9 = self._price_1e9(ctx, price)
                order_type = {"limit": {"price_1e9": price_1e9}}
                if not price_is_template and kind is str and L.memo_key((raw_limit,)) and len(_LITERAL_LIMITS) < 8192:
                    _LITERAL_LIMITS[raw_limit] = price, price_1e9  # a literal: the same for every leg
        if raw_qty == "derived":  # as quantity() reads it
            qty = raw_qty
        else:
            qty = L.quantity(
                ctx, raw_qty, qty_field, side=side, symbol=symbol, type_=type_, venue=venue, price=price or None
            )
            if qty is None:
                qty = {"fixed": {"qty_1e8": None}}
        instrument = {"symbol": symbol, "type": type_}
        if venue:
            instrument["venue"] = venue
        activation = L._choice(ctx, "activation", ("root", "wait")) if get("activation") is not None else None
        return {
            "node_id": leg_id,  # text: the leg id as _leg read it
            "instrument": instrument,
            "side": side,
            "order_type": order_type,
            "quantity": qty,
            "execution": L.execution(ctx),
            "activation": activation or ("wait" if has_incoming else "root"),
        }, price_is_template

    @staticmethod
    def _price_1e9(ctx, price):
        if price is None:
            return None  # lint without quotes: unknown price
        try:
            return to_scaled(price, 9, "price")
        except UnitError as exc:
            raise L.located(ctx, "limit", exc) from None

    # -- edges -------------------------------------------------------------------
    def _after_edges(self, leg_id, name, raw, edges) -> bool:
        """Add the edges of a leg's ``after:`` (each placed at its entry); whether there was one."""
        after = raw.get("after")
        if after is None:
            return False
        if type(after) is str:  # the usual `after: spot filled 50%`: one trigger text, placed at it
            try:
                trig = trigger_parts(after)
            except DiagnosticError as exc:
                self.error(exc, self.doc.span(("legs", leg_id, "after", *exc.at)))
                self.unread_after.add(name)
                return False
            index = len(edges)
            self.locator.spans["edges", index] = _Later((self.doc, ("legs", leg_id, "after"), False))
            edges.append(_edge(index, trig, name))
            return True
        spans, doc, first = self.locator.spans, self.doc, len(edges)
        listed = isinstance(after, list)
        for i, entry in enumerate(after if listed else (after,)):
            doc_path = ("legs", leg_id, "after", i) if listed else ("legs", leg_id, "after")
            try:
                if isinstance(entry, str):
                    trig = trigger_parts(entry)
                elif isinstance(entry, dict):
                    trig = trigger_from_mapping(entry)
                else:
                    raise DiagnosticError("GC103", "an `after:` entry is a trigger text or an edge mapping")
            except DiagnosticError as exc:
                self.error(exc.named_under(doc_path), doc.span(doc_path + exc.at))
                self.unread_after.add(name)
                continue
            _place_edge(spans, len(edges), doc, doc_path, entry)
            edges.append(_edge(len(edges), trig, name))
        return len(edges) > first

    def _top_level_edges(self, edges):
        entries = self.data.get("edges")
        if not isinstance(entries, list):
            return
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            target = entry.get("to")
            try:
                if not isinstance(target, str) or not target:
                    raise edge_end_error("an edge in `edges:` needs `to:` naming a leg", entry, "to")
                trig = trigger_from_mapping(entry)
            except DiagnosticError as exc:
                self.error(exc.named_under(("edges", i)), self.doc.span(("edges", i, *exc.at)))
                continue
            _place_edge(self.locator.spans, len(edges), self.doc, ("edges", i), entry)
            edges.append(_edge(len(edges), trig, target))


def _place_edge(spans: dict, index: int, doc, doc_path: tuple, entry) -> None:
    """Wire edge ``index`` at its entry, and an edge mapping's ``condition.fill_ratio_gte`` at its ``fill_ratio``
    value (GC208's out-of-range ratio is found there, as in a wire graph: audit wire18 6)."""
    spans["edges", index] = _Later((doc, doc_path, False))
    if isinstance(entry, dict) and "fill_ratio" in entry:
        spans["edges", index, "condition", "fill_ratio_gte"] = _Later((doc, (*doc_path, "fill_ratio"), False))


def _price_watch(edge: dict) -> tuple[str, Decimal] | None:
    """The symbol an on_price edge watches and its offset (in percent); None when the symbol is missing or not
    text (a list, a mapping: no quote key, review14 2) or the offset is missing or not a finite number (NaN: no
    level, not a second one, review14 3): the trigger level is then unknown, and the edge's own check (the
    schema's GC104/GC103) says why, once."""
    params = edge["trigger"].get("on_price")
    if not isinstance(params, dict) or not isinstance(params.get("symbol"), str):
        return None
    offset = number(params.get("offset_pct"))
    return None if offset is None else (params["symbol"], offset)


def _watched_market(parent: dict | None, symbol: str) -> tuple[str | None, str]:
    """``(venue, type)`` of the market an on_price edge's ``symbol`` is read on: the ``from`` leg's, when it trades
    that symbol, else the one its shape names (spec §3.1): a prediction market's quote then has no price outside
    0 < p < 1 (graphc.venues.market_quote)."""
    if parent is not None and parent["instrument"].get("symbol") == symbol:
        return parent["instrument"].get("venue"), parent["instrument"]["type"]
    type_, venue = infer_instrument(symbol, None, None)
    return venue, type_


def _edge(index, trig: tuple, target):
    """The wire edge ``index`` to ``target`` of a Trigger or trigger_parts' plain tuple."""
    from_leg, trigger, condition = trig
    edge = {
        "edge_id": _EDGE_IDS[index] if index < len(_EDGE_IDS) else f"e{index}",
        "from_node": from_leg,
        "to_node": target,
        "trigger": trigger,
    }
    if condition is not None:
        edge["condition"] = condition
    return edge


_EDGE_IDS = tuple(f"e{index}" for index in range(256))


def build_wire(doc, *, quotes=None, require_quotes=True, resolver: MarketResolver | None = None) -> BuildResult:
    builder = _Builder(doc, quotes, require_quotes, resolver)
    try:
        wire = builder.build()
    except DiagnosticError as exc:  # a stage-level abort; still data, not a crash
        builder.error(exc, doc.span(()))
        wire = None
    facts = None
    if wire is not None:
        facts = functools.partial(
            _graph_facts, wire, builder.quotes, builder.resolver, builder.unaligned, builder.notionals
        )
    return BuildResult(wire, builder.locator, builder.origin, builder.diagnostics, builder.skips, facts)


def _graph_facts(wire: dict, quotes, resolver: MarketResolver, unaligned: dict, notionals: dict) -> GraphFacts:
    """The facts of a graph this module built: its nodes read knowing their shape (see :func:`compiled_node_facts`),
    the templates whose price the grids moved (``GraphFacts.unaligned``) and the dollars of its notional sizes
    (``GraphFacts.notionals``)."""
    nodes = [compiled_node_facts(i, node, quotes, resolver) for i, node in enumerate(wire["nodes"])]
    return compiled_graph_facts(wire, nodes, quotes, resolver, unaligned, notionals)


assert NodeFacts._fields[-3:] == ("quote", "market", "missing") and len(NodeFacts._fields) == 21, (
    "update compiled_node_facts for the new NodeFacts"
)


def compiled_node_facts(index: int, node: dict, quotes, resolver: MarketResolver) -> NodeFacts:
    """The :class:`~graphc.facts.NodeFacts` of a node :meth:`_Builder._node` wrote: the record
    :func:`graphc.facts.node_facts` reads from any wire node, without its defensive reading (this
    node has every field, each of the type written here: an instrument type and an activation, a
    side, a policy, an upper-case tif, a lower-case venue, whole numbers in the execution and the
    pacing). tests/test_facts_compiled.py holds the two equal."""
    instrument = node["instrument"]
    symbol, instrument_type, venue = instrument["symbol"], instrument["type"], instrument.get("venue")
    side = node["side"]
    order_type = node["order_type"]
    market_order = type(order_type) is str  # "market", else {"limit": {...}}
    limit = None
    if not market_order:
        raw = order_type["limit"]["price_1e9"]
        if raw is not None:
            limit = _PRICES.get(raw) or _unscaled(raw, _PRICES, PRICE_SCALE)
    quantity = node["quantity"]
    derived = type(quantity) is str  # "derived", else {"fixed": {...}}
    qty = None
    if not derived:
        raw = quantity["fixed"]["qty_1e8"]
        if raw is not None:
            qty = _QUANTITIES.get(raw) or _unscaled(raw, _QUANTITIES, QTY_SCALE)
    quote = market_quote(quotes.get(symbol), venue, instrument_type)  # as the market uses it
    reference = limit
    if reference is None and quote is not None:
        reference = quote.ask if side == "buy" else quote.bid
    execution = node["execution"]
    pacing = execution.get("pacing")
    if pacing is not None:
        uniform = pacing["uniform"]
        pacing = (Decimal(uniform["num_slices"]), Decimal(uniform["interval_ms"]))
    slippage, horizon = execution.get("max_slippage_bps"), execution.get("horizon_ms")  # most legs give neither
    return _new_tuple(
        NodeFacts,
        (
            index,
            node["node_id"],
            symbol,
            instrument_type,
            venue,
            side,
            qty,
            derived,
            limit,
            market_order,
            reference,
            node["activation"],
            execution["policy"] or DEFAULT_POLICY,
            execution.get("tif"),
            execution.get("urgency"),
            None if slippage is None else Decimal(slippage),
            None if horizon is None else Decimal(horizon),
            pacing,
            quote,
            resolver.facts(symbol, venue, instrument_type),
            (),
        ),
    )


# A wire price_1e9 / qty_1e8 -> its Decimal (exact, immutable: shared by every node that has it).
_PRICES: dict[int, Decimal] = {}
_QUANTITIES: dict[int, Decimal] = {}


def _unscaled(raw: int, memo: dict[int, Decimal], scale: Decimal) -> Decimal:
    """``raw / scale``, remembered in ``memo``."""
    value = memo[raw] = unscaled(raw, scale)
    if len(memo) > 8192:
        del memo[raw]
    return value


# A literal `limit:` as written (text) -> (price, price_1e9): no quote, market or side changes it.
_LITERAL_LIMITS: dict[object, tuple[Decimal, int]] = {}

# `symbol`, `venue` and `type` as written -> (symbol, type, venue) of the wire: a desk trades a few dozen
# markets, each read once per process.
_INSTRUMENTS: dict[tuple, tuple[str, str, str | None]] = {}


def _instrument(ctx) -> tuple[str, str, str | None]:
    """The leg's (symbol, instrument type, venue), the type and venue inferred from the symbol when not given."""
    symbol = L._text(ctx, "symbol", required=True)
    quoted = symbol_in_quotes(symbol)  # `symbol: '"ETH-USD"'`, `“ETH-USD”`: judged as an on_price symbol is (GC105)
    if quoted is not None:
        raise DiagnosticError("GC105", f"symbol {quoted[0]}", ctx.span_of("symbol"), hint=unquoted_hint(quoted[1]))
    problem = symbol_problem(symbol)  # too long, blank, whitespace around it, a control or invisible character
    if problem is not None:
        raise DiagnosticError("GC103", f"symbol {problem[0]}", ctx.span_of("symbol"), hint=problem[1])
    fields = ctx.fields  # absent optional fields are the common case: look before calling the helpers
    venue = L._text(ctx, "venue") if fields.get("venue") is not None else None
    venue = venue.strip().lower() if venue else None
    type_choice = L._choice(ctx, "type", INSTRUMENT_TYPES) if fields.get("type") is not None else None
    type_, venue = infer_instrument(symbol, type_choice, venue)
    return symbol, type_, venue


def _uses_trigger_base(raw) -> bool:
    """Whether a `limit:` value is a template on the `trigger` base (a parse error is reported later)."""
    if not isinstance(raw, str) or "trigger" not in raw.lower():
        return False
    try:
        return parse_price(raw).base == "trigger"
    except UnitError:
        return False
