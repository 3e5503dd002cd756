"""What every lint rule sees and returns.

A rule is a function ``check(ctx) -> Iterable[Finding]`` decorated with
:func:`checks`, which declares the codes it may report. The runner stamps each
finding with its severity (registry default, then config) and turns the wire
path in ``Finding.where`` into a source location; a rule never chooses either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from graphc.diagnostics import Skip
from graphc.vocabulary import PRICE_SCALE, QTY_SCALE

__all__ = ["Finding", "LintContext", "Skip", "checks", "new_tuple", "run_checks"]


@dataclass(frozen=True)
class Finding:
    code: str
    where: tuple  # path into the wire graph, e.g. ("nodes", 2, "order_type")
    message: str
    hint: str | None = None
    severity: str | None = None  # None = the registry default; set only where the spec grades one code (GC403)


# ``new_tuple(Record, (a, b, c))`` makes a NamedTuple without its Python-level ``__new__`` (a
# function call per record): for the records made once per node or edge of every graph.
new_tuple = tuple.__new__


def checks(*codes):
    """Declare the rule codes a check function reports."""

    def decorate(fn):
        fn.codes = codes
        return fn

    return decorate


@dataclass
class LintContext:
    wire: dict
    quotes: dict = field(default_factory=dict)  # symbol -> graphc.quotes.Quote
    quotes_given: bool = False
    venue_overrides: dict = field(default_factory=dict)  # from config: venue -> {field: value}
    market_overrides: dict = field(default_factory=dict)  # from config: symbol -> {field: value}
    origin: dict = field(default_factory=dict)  # node_id -> NodeOrigin
    skipped: list = field(default_factory=list)
    record_skips: bool = True  # False: skip() records nothing (the report does not list skipped checks)

    def __post_init__(self):
        # The graph's shape, read once: every rule walks the nodes or the edges.
        nodes, edges = self.wire.get("nodes"), self.wire.get("edges")
        self.nodes: list = nodes if isinstance(nodes, list) else []
        self.edges: list = edges if isinstance(edges, list) else []

    @cached_property
    def node_index(self) -> dict:
        """node_id -> index of its first occurrence."""
        index = {}
        for i, node in enumerate(self.nodes):
            if isinstance(node, dict) and isinstance(node.get("node_id"), str):
                index.setdefault(node["node_id"], i)
        return index

    def node(self, node_id):
        i = self.node_index.get(node_id)
        return None if i is None else self.nodes[i]

    def skip(self, code, where, reason):
        if not self.record_skips:
            return  # no report will list them (plain `graphc lint`): skip the bookkeeping
        self.skipped.append(new_tuple(Skip, (code, where if type(where) is tuple else tuple(where), reason)))

    # -- numbers -----------------------------------------------------------
    def quote(self, symbol):
        return self.quotes.get(symbol)

    @staticmethod
    def qty(node) -> Decimal | None:
        """The fixed quantity in base units, or None for derived / malformed."""
        q = node.get("quantity")
        if isinstance(q, dict):
            raw = (q.get("fixed") or {}).get("qty_1e8") if isinstance(q.get("fixed"), dict) else None
            if isinstance(raw, int) and not isinstance(raw, bool):
                return Decimal(raw) / QTY_SCALE
        return None

    @staticmethod
    def limit_price(node) -> Decimal | None:
        order_type = node.get("order_type")
        if isinstance(order_type, dict):
            limit = order_type.get("limit")
            raw = limit.get("price_1e9") if isinstance(limit, dict) else None
            if isinstance(raw, int) and not isinstance(raw, bool):
                return Decimal(raw) / PRICE_SCALE
        return None

    @cached_property
    def numbers(self) -> list:
        """``(qty, limit price, reference price)`` of each node (by index; Nones for a malformed node).

        Read once per graph: the venue, execution and risk rules all need them.
        The reference price is the limit price, else the quote's ask (buy) / bid (sell).
        """
        numbers = []
        for node in self.nodes:
            if not isinstance(node, dict):
                numbers.append((None, None, None))
                continue
            price = self.limit_price(node)
            numbers.append((self.qty(node), price, price if price is not None else self._quoted_price(node)))
        return numbers

    def reference_price(self, node) -> Decimal | None:
        """Limit price, else the quote's ask (buy) / bid (sell), else None."""
        price = self.limit_price(node)
        return price if price is not None else self._quoted_price(node)

    def _quoted_price(self, node) -> Decimal | None:
        if not self.quotes:
            return None
        instrument = node.get("instrument")
        quote = self.quote(instrument.get("symbol") if isinstance(instrument, dict) else None)
        if quote is None:
            return None
        return quote.ask if node.get("side") == "buy" else quote.bid

    def notional(self, node) -> Decimal | None:
        qty, price = self.qty(node), self.reference_price(node)
        if qty is None or price is None:
            return None
        return qty * price


def run_checks(ctx: LintContext, check_functions):
    """Run the checks; return findings in a stable order. A crash in a rule is a bug, not a finding."""
    findings = []
    for check in check_functions:
        for finding in check(ctx):
            if finding.code not in check.codes:
                raise AssertionError(f"{check.__name__} reported {finding.code}, not declared in {check.codes}")
            findings.append(finding)
    return findings
