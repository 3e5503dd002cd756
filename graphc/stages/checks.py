"""What a rule is, what it sees and what it returns.

A rule is one place: its metadata, its check and its documentation live
together in the rule family's module (:mod:`graphc.stages.graph_rules`;
``venue``, ``execution`` and ``risk`` in :mod:`graphc.rules`; GC1xx, which the
compiler reports, in ``graphc.rules.input``)::

    @rule("GC301", "min-notional", summary="order notional below the venue minimum",
          source="venue-rules.md §0 ...", flagged="    buy: 5 shares")
    def check_min_notional(ctx):
        \"\"\"The order's value, size times price, is below the venue's minimum.

        ## What it checks
        ...
        ## Why it matters
        ...
        ## Failing example
        ...
        ## Fix
        ...
        \"\"\"
        for node in ctx.nodes:
            ...
            yield Finding(node.at("quantity"), "message", "hint")

The docstring is the rule's page (``docs/rules/CODE.md``, written by
``python tools/rule_docs.py``); ``flagged`` is the line of the failing
example the finding points at (the page shows how to silence it there).

A check takes a :class:`LintContext` and yields :class:`Finding` (something is
wrong) or :class:`Skipped` (a fact it needs is unknown: never a pass), or
:class:`SkippedNodes`, the skips of many nodes at once, in their order. The
runner stamps each with the rule's code; severity comes from the rule (or the
config), never from the check, except where the spec grades one code by value
(GC403). A rule that needs several codes is several rules.

This module and the graph rules sit in the Compile layer, below lint
(docs/architecture.md, "Layers"): lint runs every family, and the local
sandbox router (:mod:`graphc.sandbox.validate`), which may not use lint's
layer, runs the graph rules before it accepts a graph. A type two layers share
lives in the lower one.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cached_property
from itertools import compress, repeat
from operator import attrgetter, eq, itemgetter
from typing import Any, NamedTuple

from graphc.diagnostics import ERROR, WARNING, RuleInfo, Skip
from graphc.facts import EdgeFacts, GraphFacts, NodeFacts, graph_facts
from graphc.numbers import plain
from graphc.stages.wiregraph import number
from graphc.venues import MarketConfig, MarketResolver, infer_instrument, market_quote
from graphc.venues.prices import trigger_level as projected_level

__all__ = [
    "Finding",
    "LintContext",
    "PriceWait",
    "Rule",
    "Skip",
    "Skipped",
    "SkippedNodes",
    "describe",
    "rule",
    "run_rules",
]

SECTIONS = ("What it checks", "Why it matters", "Failing example", "Fix")


class Finding(NamedTuple):
    """Something wrong at a wire path, with a message and a hint; the runner stamps the code."""

    where: tuple  # path into the wire graph, e.g. ("nodes", 2, "order_type")
    message: str
    hint: str | None = None
    severity: str | None = None  # None = the rule's; set only where the spec grades one code (GC403)
    code: str = ""  # stamped by run_rules


class Skipped(NamedTuple):
    """A check that could not be decided here, and why (shown with --explain-skips, counted always)."""

    where: tuple
    reason: str


class SkippedNodes(NamedTuple):
    """Checks skipped on many nodes: ``Skipped(("nodes", index, field), reason)`` for each index and its reason.

    A graph of 100,000 nodes without quotes skips several checks on every node: two appends per node
    instead of a record and a path each, and a report that does not place skips makes no path at all.
    A check yields it where it would have yielded the first of these skips, and yields no other skip
    after it (skips keep the order the checks find them in).
    """

    field: str
    indexes: list[int]
    reasons: list[str]

    def each(self) -> list[Skipped]:
        """The skips one by one, as :class:`Skipped` records."""
        return [
            Skipped(("nodes", index, self.field), reason)
            for index, reason in zip(self.indexes, self.reasons, strict=True)
        ]


class Rule(NamedTuple):
    """A rule: its metadata, its page and its check (None for codes the compiler reports)."""

    code: str
    name: str
    severity: str
    summary: str  # one line, for tables
    source: str  # what the rule rests on: the router reference, a venue's docs, venue-rules.md, the spec
    docstring: str  # the page as written in the source (indented); .docs is the page
    check: Callable[[LintContext], Iterable[Finding | Skipped | SkippedNodes]] | None = None
    flagged: str | None = None  # the failing example's line that gets the finding
    suppression: str | None = None  # how to silence it, where `flagged` cannot say (replaces the generated text)
    demoted: str | None = None  # what setting it to the other severity does, where that is not the usual
    graded: str | None = None  # the default, where the code's findings have more than one severity (GC403)
    # Every finding of the rule is its own problem, never said once for another identical one (same code, place,
    # message and hint). Findings are collapsed because a value of `defaults:` is found again in each leg that takes
    # it (audit spec28 2); a rule about the graph's structure finds each of its problems once, and two of them may
    # read alike: two distinct cycles whose listing is cut to the same text (GRAPHC_MAX_CYCLES counts both).
    # The lint runner (graphc.lint) and the model builder's collapse (graphc.stages.model) both read it.
    structural: bool = False

    @property
    def docs(self) -> str:
        """The page: a one-line lede, then the SECTIONS as `## ` headings (Markdown).

        Cleaned when asked for (``graphc explain``, SARIF, the docs), not for
        every rule at every start: that was a millisecond of each lint.
        """
        return inspect.cleandoc(self.docstring)

    @property
    def shown_severity(self) -> str:
        """The default severity as `graphc rules` and the rule pages show it: ``error``, or for a graded code, whose
        findings left unset are not all at that severity (:attr:`graded`), ``error (some findings: warning)``."""
        if self.graded is None:
            return self.severity
        return f"{self.severity} (some findings: {WARNING if self.severity == ERROR else ERROR})"

    @property
    def info(self) -> RuleInfo:
        return RuleInfo(self.code, self.name, self.severity, self.summary)

    @property
    def family(self) -> str:
        return self.info.family


def rule(
    code: str,
    name: str,
    *,
    summary: str,
    source: str,
    severity: str = ERROR,
    flagged: str | None = None,
    suppression: str | None = None,
    graded: str | None = None,
    structural: bool = False,
):
    """Declare a check function as rule ``code``; its docstring is the rule's page. ``graded`` says what the
    default reports where the code's findings have more than one severity (then no single level is the
    default: setting one changes some findings); ``structural``, that each finding is a problem of its own, never
    said once for an identical one (:attr:`Rule.structural`)."""

    def register(check):
        check.rule = Rule(
            code,
            name,
            severity,
            summary,
            source,
            check.__doc__ or "",
            check,
            flagged,
            suppression,
            graded=graded,
            structural=structural,
        )
        return check

    return register


def describe(
    code: str,
    name: str,
    *,
    summary: str,
    source: str,
    docs: str,
    severity: str = ERROR,
    flagged: str | None = None,
    suppression: str | None = None,
    demoted: str | None = None,
    graded: str | None = None,
) -> Rule:
    """A rule the compiler reports (GC1xx): metadata and page, no check here (``graded`` as for :func:`rule`)."""
    return Rule(code, name, severity, summary, source, docs, None, flagged, suppression, demoted, graded)


class PriceWait(NamedTuple):
    """Why a leg meets the market only after a price move (:attr:`LintContext.price_waiting`)."""

    edges: tuple[EdgeFacts, ...]  # the on_price edges whose move has happened when it is placed, in edge order
    behind: str | None  # None: an on_price edge starts it; else it waits on a leg one starts: the first's target


class LintContext:
    """What every check sees: the wire graph and its typed facts (``graphc.facts``)."""

    def __init__(self, wire: dict, facts: GraphFacts, *, playbook: bool = False, simple: bool = False):
        self.wire = wire
        self.facts = facts
        # The input the user edits: a playbook (its legs hold `after:` and price templates), else a wire graph or
        # a simple order (their fields hold wire triggers and prices). A hint says what to write in that form.
        self.playbook = playbook
        # A simple order, wrapped into its one node (graphc.inputs.wrap_simple_order): it has no field for the
        # instrument type, so what it leaves to the router is not the user's to write (GC111).
        self.simple = simple
        self.nodes: list[NodeFacts] = facts.nodes  # attributes, not properties: every check reads one
        self.edges: list[EdgeFacts] = facts.edges
        # the ids of the root nodes in by_id order (GC204-GC207 each ask; a cached_property costs more to read)
        by_id = facts.by_id  # (C loops: a large graph has a root check per node)
        self.roots: list[str] = list(compress(by_id, map(eq, map(_activation, by_id.values()), repeat("root"))))
        self.no_quote_texts: dict[str, str] = {}  # symbol -> why its quote is missing (graphc.rules.execution)

    @classmethod
    def for_wire(cls, wire: dict, *, quotes=None, market_config: MarketConfig | None = None) -> LintContext:
        """A context for a wire graph read as it is (the facts built here, as lint does for JSON input)."""
        resolver = MarketResolver(quotes or {}, market_config)
        return cls(wire, graph_facts(wire, quotes=quotes or {}, resolver=resolver))

    @property
    def raw_edges(self) -> list:
        edges = self.wire.get("edges")
        return edges if isinstance(edges, list) else []

    def node(self, node_id) -> NodeFacts | None:
        return self.facts.by_id.get(node_id)

    def quote(self, symbol):
        return self.facts.quotes.get(symbol)

    @cached_property
    def market_ids(self) -> list[int]:
        """The id of each node's market facts, in node order (one C loop, no Python step per node).

        A node's market is ``resolver.facts`` of its own symbol, venue and type (graphc.facts), so nodes on
        one market have the same symbol, venue and type: a graph with no venue pinned and no quotes or
        config skips GC301, GC302, GC305 and GC309 on every node, each market's text made once.
        """
        return list(map(id, map(_market, self.nodes)))

    @cached_property
    def first_on_market(self) -> dict[int, NodeFacts]:
        """The first node on each distinct market (by :attr:`market_ids`; in reverse order of first use)."""
        return dict(zip(reversed(self.market_ids), reversed(self.nodes), strict=True))

    @cached_property
    def price_waiting(self) -> dict[str, PriceWait]:
        """The legs placed only once the market has moved, each with the moves it waits for (:class:`PriceWait`).

        The target of an ``on_price`` edge, and every leg reachable from one through any edge: a leg that waits
        on the fill of a stop is placed after the stop's move too (audit exec20 1). Spec §4 (the ``trigger``
        base): quote bases mean today's snapshot, "stale for a leg that waits for a price move". GC407 checks
        such a leg against the level of each move; GC404 and GC406, which compare a limit with today's quote,
        skip it.
        """
        for edge in self.edges:
            if isinstance(edge.trigger, dict):
                break
        else:
            return {}  # no trigger object, so no on_price edge (the usual graph)
        direct: dict[str, list[EdgeFacts]] = {}  # the targets of on_price edges -> those edges
        for edge in self.edges:
            if isinstance(edge.trigger, dict) and "on_price" in edge.trigger:
                direct.setdefault(edge.dst, []).append(edge)
        # the legs behind them -> the on_price edges of the nearest price-triggered legs they wait on, by index
        moves: dict[str, dict[int, EdgeFacts]] = {}
        children = self.facts.children
        queue = deque(direct)
        while queue:
            src = queue.popleft()
            given = direct.get(src) or tuple(moves[src].values())
            for child in children.get(src, ()):
                if child in direct:
                    continue  # an on_price edge starts it: its own moves
                have = moves.setdefault(child, {})
                before = len(have)
                for edge in given:
                    have[edge.index] = edge
                if len(have) > before:
                    queue.append(child)
        waits = {dst: PriceWait(tuple(edges), None) for dst, edges in direct.items()}
        for node_id, found in moves.items():
            edges = tuple(found[index] for index in sorted(found))
            waits[node_id] = PriceWait(edges, edges[0].dst)
        return waits

    def trigger_level(self, src: object, params: dict | None) -> tuple[Decimal | None, str]:
        """The projected level of an on_price edge from leg ``src`` with ``params`` (spec §4), and what it was
        measured from (:meth:`trigger_reference`); ``(None, why)`` when it cannot be projected."""
        params = params or {}
        offset = number(params.get("offset_pct"))
        if offset is None:
            return None, "the offset is not a number"
        reference, basis = self.trigger_reference(src, params.get("symbol"))
        if reference is None:
            return None, basis
        return projected_level(reference, offset), basis

    def trigger_reference(self, src: object, symbol: object) -> tuple[Decimal | None, str]:
        """The reference price of an on_price edge from leg ``src`` watching ``symbol`` (spec §4: for
        ``graph_entry_price``, the ``from`` leg's limit price when it trades the trigger's symbol, else the
        snapshot mid of that symbol), and what it is; ``(None, why)`` when there is neither."""
        parent = self.node(src) if isinstance(src, str) else None
        if parent is not None and parent.symbol == symbol and parent.limit is not None:
            return parent.limit, f"{parent.node_id}'s limit {plain(parent.limit)}"
        quote: Any = None
        if parent is not None and parent.symbol == symbol:
            quote = parent.quote  # as the leg's market uses it (graphc.venues.market_quote)
        elif isinstance(symbol, str):
            type_, venue = infer_instrument(symbol, None, None)  # the market the symbol's shape names
            quote = market_quote(self.quote(symbol), venue, type_)
        mid = quote.base("mid") if quote is not None else None
        if mid is not None:
            return mid, f"the {symbol} mid {plain(mid)}"
        return None, f"no limit price on {src!r} and no quote for {symbol}"

    @cached_property
    def activations(self) -> dict[str, str]:
        """node_id -> "root" | "wait", as the router reads each (a missing activation inferred)."""
        return {node_id: facts.activation for node_id, facts in self.facts.by_id.items()}


_market = attrgetter("market")
_activation = itemgetter(NodeFacts._fields.index("activation"))


class RuleRun(NamedTuple):
    """What running the rules gave: findings and skipped checks, each with its code."""

    findings: list[Finding]
    skipped: list[Skip]


def run_rules(ctx: LintContext, rules: Iterable[Rule], *, skip_paths: bool = True) -> RuleRun:
    """Run each rule's check; findings and skips stamped with the rule's code, in rule order.

    ``skip_paths=False`` leaves each skip's ``where`` None (for reports that do not place skipped
    checks, so nobody looks it up). A crash in a rule is a bug, not a finding: it propagates (the command exits 4).
    """
    if not skip_paths and len(ctx.nodes) < _SHARED_SKIPS_FROM:
        return _run_unplaced(ctx, rules)
    findings: list[Finding] = []
    skipped: list[Skip] = []
    skip = skipped.append
    new = tuple.__new__  # the named tuples' own __new__ is a Python call: a lint without quotes makes thousands
    reasons: dict[str, str] = {}  # one text kept per distinct reason: a 100,000-leg graph repeats a few per check
    for r in rules:
        check = r.check
        if check is None:
            continue
        unplaced: dict[str, Skip] | None = None  # reason -> its Skip when skips are not placed: one per reason
        for item in check(ctx):
            if isinstance(item, Skipped):
                reason = item.reason
                if skip_paths:
                    skip(new(Skip, (r.code, item.where, reasons.setdefault(reason, reason))))
                    continue
                if unplaced is None:
                    unplaced = {}
                made = unplaced.get(reason)
                if made is None:
                    made = unplaced[reason] = new(Skip, (r.code, None, reasons.setdefault(reason, reason)))
                skip(made)
            elif isinstance(item, SkippedNodes):
                field, indexes, why = item
                kept = reasons.setdefault
                if skip_paths:
                    skipped += [
                        new(Skip, (r.code, ("nodes", i, field), kept(w, w))) for i, w in zip(indexes, why, strict=True)
                    ]
                    continue
                if unplaced is None:
                    unplaced = {}
                distinct = dict.fromkeys(why)
                if not unplaced and len(distinct) == len(why):  # a reason per node (GC501 names each): C loops
                    per_node = list(map(new, repeat(Skip), zip(repeat(r.code), repeat(None), why)))
                    unplaced.update(zip(why, per_node, strict=True))
                    skipped += per_node
                    continue
                for reason in distinct.keys() - unplaced.keys():  # the reasons new to this rule
                    unplaced[reason] = new(Skip, (r.code, None, kept(reason, reason)))
                skipped += map(unplaced.__getitem__, why)
            else:
                findings.append(new(Finding, (item.where, item.message, item.hint, item.severity, r.code)))
    return RuleRun(findings, skipped)


# The fewest nodes for which run_rules makes each distinct unplaced skip once and shares it (a 100,000-leg graph
# repeats a few reasons per check). A smaller graph (a playbook's few legs) skips a few dozen checks: making each
# as it comes costs less than looking it up (its reason, often made for that node, has not even been hashed).
_SHARED_SKIPS_FROM = 100


def _run_unplaced(ctx: LintContext, rules: Iterable[Rule]) -> RuleRun:
    """``run_rules(ctx, rules, skip_paths=False)`` of a small graph: the same findings and skips (equal, in the
    same order), each skip its own record. tests/test_rules_reference.py holds both paths to the frozen runner."""
    findings: list[Finding] = []
    skipped: list[Skip] = []
    skip = skipped.append
    new = tuple.__new__
    for code, check in _checks_of(rules):
        for item in check(ctx):
            if isinstance(item, Skipped):
                skip(new(Skip, (code, None, item[1])))
            elif isinstance(item, SkippedNodes):
                skipped += map(new, repeat(Skip), zip(repeat(code), repeat(None), item[2]))
            else:
                findings.append(new(Finding, (item.where, item.message, item.hint, item.severity, code)))
    return RuleRun(findings, skipped)


_CHECKS_OF: list[tuple[tuple, tuple]] = [((), ())]  # (the last tuple of rules run, its (code, check) pairs)


def _checks_of(rules: Iterable[Rule]) -> Iterable[tuple[str, Callable]]:
    """``(code, check)`` of each rule with a check, in order: read once for a tuple of rules (registry.CHECKED,
    at every file), not from each rule at each file."""
    if type(rules) is not tuple:  # (a list may change between runs)
        return [(r.code, r.check) for r in rules if r.check is not None]
    held, checks = _CHECKS_OF[0]  # (one read: another thread may replace it)
    if held is not rules:
        checks = tuple((r.code, r.check) for r in rules if r.check is not None)
        _CHECKS_OF[0] = (rules, checks)
    return checks
