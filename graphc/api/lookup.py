"""Finding a run at the router by its tag, and knowing when *not* finding it proves anything.

``GET /v1/orders`` is the only place the router echoes something graphc chose:
each order's ``node_order_id`` (``graph:<graph_id>:<node_id>:<n>``) carries the
node id, which carries the run's tag (:mod:`graphc.api.runtag`). A scan pages
through the orders and collects every graph whose node ids carry the tag.

Not finding the tag proves absence only if the scan read every order that could
carry it, and the reference promises no sort order (a router may list by last
activity, so an old order can stand before ours): the scan reads each list to
``has_more: false`` and never stops at a page that merely looks old. The list
read is the whole one, or, when the caller knows every symbol the run's orders
can carry (:func:`symbols_to_scan`), the list of each of those symbols (the
reference's ``symbol`` filter), which is as complete for the run and far shorter
on a busy account. A list is read to its end only when the answers agree with
themselves: the ``offset`` each page echoes is the one asked for, no page holds
more than the ``limit`` it echoes, the orders read reach its ``total``, the
total never falls while the list is read, and no more orders are read twice
than the total grew by (an order read twice means the list moved under the
scan: new orders at its head push others to later pages, harmless, but an order
moving to a page already read would never be seen).

An order that carries the tag anywhere (``.TAG`` in any of its strings, in any
case) but whose ``node_order_id`` cannot be read as the run's (the reference's
``graph:<graph_id>:<node_id>:<n>``, or its Amend Order spelling without
``graph:``) never counts toward absence: the scan ends incomplete naming it. A
graph id may contain ``:`` (:func:`graphc.api.client.is_graph_id`), so the id is
read anchored on the tag (:func:`parse_node_order_id`), never split at the first
colon; a reading that is not unique ends the scan incomplete, never a wrong id.

A page, order or time budget, an unreadable page, an answer that contradicts
itself or a network error ends the scan *incomplete*: the caller must not
conclude absence.

The graph id of an order carrying the tag passes the same check as the id in
the POST's answer (:func:`graphc.api.client.is_graph_id`). One that fails (a
``../``, a line break, a terminal escape) is never taken as the run's graph:
the scan ends incomplete and names it escaped, so the run stays unsettled
(exit 3) until someone settles it by hand; nothing stores or prints it raw.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphc.api.errors import ApiError
from graphc.api.redact import clean
from graphc.api.runtag import SEPARATOR, TAG_PATTERN, untagged_node_id
from graphc.venues.symbols import prediction_venue
from graphc.vocabulary import PREDICTION_VENUES

__all__ = [
    "MAX_PAGES",
    "PAGE_SIZE",
    "SCAN_BUDGET_S",
    "Scan",
    "find_run",
    "find_runs",
    "node_ids_of",
    "parse_node_order_id",
    "symbols_to_scan",
]

PAGE_SIZE = 100  # the reference's default is 50; 100 halves the requests and is a common maximum
MAX_PAGES = 1000  # 100,000 orders
MAX_ORDERS = MAX_PAGES * PAGE_SIZE  # also for a router that answers more than it was asked for: memory stays bounded
SCAN_BUDGET_S = 120.0
MAX_NAMED = 5  # unreadable graph ids, or orders carrying the tag that cannot be read, named in a scan's detail
MAX_SYMBOLS = 10  # a graph trading more markets is scanned in one list, not one list per symbol
# An exchange market's symbol in the one form the router lists as it was sent (BTC-USD, ETH-USD-PERP, BTCUSDT).
# Anything else (a lower-case spelling, a Polymarket slug or URL the router resolves to a token id) may be listed
# under another text, which the `symbol` filter would not match.
_LISTED_AS_SENT = re.compile(r"[A-Z0-9]+(?:[-/_.][A-Z0-9]+)*")
_DIGITS = re.compile(r"[0-9]+")


def symbols_to_scan(wire) -> list[str] | None:
    """The symbols whose order lists hold every order a node of ``wire`` (a wire graph, parsed) can have, or None
    when the whole list must be read.

    Only for a graph that is the one the tag can be on (a content run key: the key is the graph's hash; or the
    ledger's own request, when reconciling it): with a run key of the caller's own, an earlier graph under it may
    trade other markets (docs/submitting.md, "Run keys"), so that look reads the whole list. Every order of a node
    is listed with the node's symbol, as it was sent (the reference's List Orders example); the router rewrites
    only prediction markets' symbols (a slug or URL becomes a token id: the note under Submit Order), so a graph
    with a prediction leg, or with a symbol in any other form than an exchange pair's upper-case one, is read
    whole. A router that ignores the filter answers more orders, never fewer. More than :data:`MAX_SYMBOLS`
    symbols: one list costs fewer requests.
    """
    nodes = wire.get("nodes") if isinstance(wire, dict) else None
    if not isinstance(nodes, list) or not nodes:
        return None
    symbols: list[str] = []
    for node in nodes:
        instrument = node.get("instrument") if isinstance(node, dict) else None
        symbol = instrument.get("symbol") if isinstance(instrument, dict) else None
        if (
            not isinstance(instrument, dict)
            or not isinstance(symbol, str)
            or not _LISTED_AS_SENT.fullmatch(symbol)
            or prediction_venue(symbol) is not None
            or instrument.get("type") == "prediction"
            or instrument.get("venue") in PREDICTION_VENUES
        ):
            return None
        if symbol not in symbols:
            symbols.append(symbol)
    return symbols if len(symbols) <= MAX_SYMBOLS else None


def node_ids_of(wire) -> frozenset[str]:
    """The node ids of ``wire`` (a wire graph, parsed; tagged or not) as the playbook named them."""
    nodes = wire.get("nodes") if isinstance(wire, dict) else None
    return frozenset(
        untagged_node_id(n["node_id"])
        for n in (nodes if isinstance(nodes, list) else [])
        if isinstance(n, dict) and isinstance(n.get("node_id"), str)
    )


def parse_node_order_id(value, tag: str, node_ids: Iterable[str] = ()) -> tuple[str, str] | None:
    """``graph:<graph_id>:<node_id>.TAG:<n>`` -> (graph_id, node_id with its tag), else None.

    Read anchored on the tag: the node id ends in ``.TAG`` just before ``:<n>`` (digits). What stands before it is
    ``graph:`` (the reference's List Orders spelling; its Amend Order answer leaves it out, so it is optional) and
    ``<graph_id>:<node_id>``. A graph id may contain ``:`` and a node id of a wire file too, so where one ends is
    only certain when there is one colon, or when exactly one way of splitting gives one of ``node_ids`` (the
    nodes of the graph this run sends, as the playbook named them). Any other reading is ambiguous: None, never
    a guess (:func:`find_run` then ends incomplete, naming the order, since it carries the tag).
    """
    if not isinstance(value, str):
        return None
    head, marker, n = value.rpartition(f"{SEPARATOR}{tag}:")
    if not marker or not _DIGITS.fullmatch(n):
        return None
    if head.startswith("graph:"):
        head = head[len("graph:") :]
    splits = [(head[:i], head[i + 1 :]) for i, c in enumerate(head) if c == ":" and 0 < i < len(head) - 1]
    known = frozenset(node_ids)  # the same object when it is one already (the scan's)
    fits = [s for s in splits if s[1] in known]
    (graph_id, node), *more = fits or splits or [("", "")]
    if more or not graph_id:
        return None
    return graph_id, f"{node}{SEPARATOR}{tag}"


@dataclass
class Scan:
    """What a scan of ``GET /v1/orders`` for one tag found.

    ``graph_ids`` maps each graph carrying the tag to the earliest creation time
    seen for it (ns, or None); ``complete`` says whether every order that could
    carry the tag was read; ``detail`` says why a scan is incomplete, or how it ended.
    """

    tag: str
    since_ns: int
    graph_ids: dict[str, int | None] = field(default_factory=dict)
    # per graph carrying the tag: {node id as the playbook named it: (symbol, side)} of the orders listed
    legs: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    complete: bool = False
    detail: str = ""
    pages: int = 0
    orders: int = 0
    # the router itself failed (a request failed, or the scan ran out of time), not this tag's search:
    # another scan of the same list now would fail the same way
    router_failed: bool = False
    # graph ids (escaped, cleaned) of orders carrying the tag that are not graph ids
    unreadable: list[str] = field(default_factory=list)
    # orders (escaped, cleaned) that carry the tag but whose node_order_id cannot be read as the run's
    unparsed: list[str] = field(default_factory=list)
    # the symbols whose lists were read (the reference's `symbol` filter); None: the whole list
    symbols: list[str] | None = None
    elapsed_s: float = 0.0  # how long the scan took
    # the larger share of its page budget and of its time budget the scan used (1: a budget ran out)
    budget_share: float = 0.0

    @property
    def found(self) -> list[str]:
        """Graph ids carrying the tag, oldest first."""
        return sorted(self.graph_ids, key=lambda gid: (self.graph_ids[gid] or 0, gid))


def find_run(
    client,
    tag: str,
    since_ns: int,
    *,
    symbols: list[str] | None = None,
    node_ids: Iterable[str] = (),
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
    budget_s: float | None = None,
) -> Scan:
    """Page through the router's orders for graphs whose node ids carry ``tag``.

    ``since_ns`` is the start of the run's window (wall-clock ns, already widened for clock skew), named in
    messages: the list has no promised order, so every list is read to its end whatever the times.
    ``symbols`` (:func:`symbols_to_scan`) reads only those symbols' lists, one after the other; None reads the
    whole list. ``node_ids`` (:func:`node_ids_of`, the nodes of the graph this run sends) tell where a graph id
    with ``:`` ends (:func:`parse_node_order_id`). The page and time budgets cover the whole scan. Never raises
    for the router's answers: a network error, an unreadable page or one that contradicts itself ends the scan
    incomplete, with the reason in ``detail``.
    """
    return _find(client, {tag: (since_ns, node_ids)}, symbols, page_size, max_pages, budget_s)[tag]


def find_runs(
    client,
    runs: Mapping[str, tuple[int, Iterable[str]]],
    *,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
    budget_s: float | None = None,
) -> dict[str, Scan]:
    """:func:`find_run` for many runs at once: ``runs`` maps each tag to its ``(since_ns, node_ids)``, and the
    router's whole order list is read once, each order matched against every tag (``graphc ledger --reconcile``
    looks again at a day of a runner's occurrences in one pass, audit ops22 2). The page and time budgets are one
    scan's and cover the whole pass; every scan returned shares how the list was read (``complete``, ``detail``,
    ``pages``, ``orders``, ``router_failed``), and each has what carries its own tag."""
    return _find(client, runs, None, page_size, max_pages, budget_s)


def _find(client, runs, symbols, page_size: int, max_pages: int | None, budget_s: float | None) -> dict[str, Scan]:
    """Read the lists (those of ``symbols``, or the whole one) once, into one :class:`Scan` per tag of ``runs``."""
    from graphc.api.client import is_graph_id  # deferred: httpx; a scan runs with a client anyway

    shown = list(symbols) if symbols else None
    sinks = {
        tag: _Sink(Scan(tag, since_ns, symbols=shown), frozenset(node_ids), f"{SEPARATOR}{tag}")
        for tag, (since_ns, node_ids) in runs.items()
    }
    listed = Scan("", 0, symbols=shown)  # how the list was read: pages, orders, how it ended
    budget = SCAN_BUDGET_S if budget_s is None else budget_s
    pages = MAX_PAGES if max_pages is None else max_pages
    started = time.monotonic()
    reader = _Reader(client, listed, sinks, is_graph_id, page_size, pages, started + budget, budget)
    lists: list[str | None] = [*shown] if shown else [None]
    if all(reader.read_list(symbol) for symbol in lists):
        listed.complete = True
        listed.detail = f"read all {listed.orders} orders" + (f" of {', '.join(shown)}" if shown else "")
    elapsed = time.monotonic() - started
    share = max(listed.pages / pages if pages > 0 else 1.0, elapsed / budget if budget > 0 else 1.0)
    for sink in sinks.values():
        scan = sink.scan
        scan.complete, scan.detail, scan.pages = listed.complete, listed.detail, listed.pages
        scan.orders, scan.router_failed = listed.orders, listed.router_failed
        scan.elapsed_s, scan.budget_share = elapsed, share
        _unusable(scan)
    return {tag: sink.scan for tag, sink in sinks.items()}


def _unusable(scan: Scan) -> None:
    """The router lists the run in a way graphc cannot use (an order carrying the tag whose graph id is not one,
    or whose node_order_id cannot be read): which graph is the run's is unknown, so ``scan`` ends incomplete."""
    if not (scan.unreadable or scan.unparsed):
        return
    tag = scan.tag
    valid = scan.found
    scan.graph_ids.clear()
    scan.legs.clear()
    scan.complete = False
    why = []
    if scan.unreadable:
        why.append(
            f"the router lists an order carrying the tag under graph id {', '.join(scan.unreadable)}, which is not "
            "a graph id (letters, digits, _ . : - only), so graphc cannot take it as the run's graph nor record it"
        )
    if scan.unparsed:
        why.append(
            f"the router lists an order that carries the tag (`.{tag}`) but whose node_order_id graphc cannot read, "
            f"in one way only, as `graph:<graph id>:<node id>.{tag}:<n>` (or the same without `graph:`): "
            f"{'; '.join(scan.unparsed)}"
        )
    scan.detail = "; ".join(why) + (f" (the tag is also listed under {', '.join(valid[:MAX_NAMED])})" if valid else "")


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _strings(value, depth: int = 0) -> Iterator[str]:
    """The strings in ``value`` (an order entry, or a value in it), three levels deep."""
    if isinstance(value, str):
        yield value
    elif depth < 3 and isinstance(value, dict):
        for v in value.values():
            yield from _strings(v, depth + 1)
    elif depth < 3 and isinstance(value, list):
        for v in value:
            yield from _strings(v, depth + 1)


def _holds(value, needle: str) -> bool:
    """Whether ``value`` (an order entry, or a value in it) holds ``needle`` in any string, in any case."""
    return any(needle in text.lower() for text in _strings(value))


# a tag after its separator, as _holds finds one: in any string of an entry, in any case (the text lower-cased first)
_TAG_IN_TEXT = re.compile(re.escape(SEPARATOR) + f"({TAG_PATTERN.pattern})")


def _tags_in(value) -> set[str]:
    """Every tag ``value`` holds after a separator, as :func:`_holds` would find it (``.TAG`` in any string, in any
    case): a match is 18 characters none of which is the separator, so no occurrence hides inside another."""
    return {tag for text in _strings(value) for tag in _TAG_IN_TEXT.findall(text.lower())}


def _name_entry(entry: dict, needle: str) -> str:
    """An order carrying the tag, named by its node_order_id and the field that holds the tag (escaped)."""
    named = f"node_order_id {clean(ascii(entry.get('node_order_id')), 120)}"
    for key, value in entry.items():
        if key != "node_order_id" and _holds(value, needle):
            return f"{named} ({clean(ascii(key), 40)} {clean(ascii(value), 120)})"
    return named


@dataclass
class _Sink:
    """One tag a pass looks for: its scan, the node ids of the graph it was sent with, and ``.TAG``."""

    scan: Scan
    node_ids: frozenset[str]
    needle: str


@dataclass
class _Reader:
    """:func:`find_run`'s pages, read once: one list after another, on one budget, the list's own account kept in
    ``scan`` and each order carrying one of the tags of ``sinks`` taken into that tag's scan."""

    client: Any
    scan: Scan
    sinks: dict[str, _Sink]
    is_graph_id: Callable[[object], bool]
    page_size: int
    max_pages: int
    deadline: float
    budget_s: float

    def _carrying(self, value) -> list[_Sink]:
        """The tags looked for that ``value`` (an entry of a page) holds anywhere (:func:`_holds`)."""
        if len(self.sinks) == 1:
            (sink,) = self.sinks.values()
            return [sink] if _holds(value, sink.needle) else []
        return [self.sinks[tag] for tag in _tags_in(value) if tag in self.sinks]

    def read_list(self, symbol: str | None) -> bool:
        """Read one list (of ``symbol``, or the whole one) to its end: True when every order of it was read."""
        scan = self.scan
        where = f" (symbol {clean(symbol, 40)})" if symbol else ""
        query = {"symbol": symbol} if symbol else {}
        offset = read = twice = 0
        first_total: int | None = None
        last_total: int | None = None
        seen: set[int] = set()  # hashes of the node_order_ids read in this list: an order read twice
        while True:
            if scan.pages >= self.max_pages or scan.orders >= MAX_ORDERS:
                scan.detail = (
                    f"stopped after {scan.pages} pages ({scan.orders} orders) before the end of the list{where}"
                )
                return False
            if time.monotonic() > self.deadline:
                scan.detail = f"the scan ran out of time ({self.budget_s:g} s) after {scan.orders} orders"
                scan.router_failed = True
                return False
            try:
                page = self.client.list_orders(limit=self.page_size, offset=offset, **query)
            except ApiError as exc:
                scan.detail = f"reading the router's orders failed after {scan.orders} orders: {exc}"
                scan.router_failed = True
                return False
            scan.pages += 1
            entries = page.get("orders")
            said = f"page {scan.pages} of GET /v1/orders{where}"
            if not isinstance(entries, list):
                scan.detail = f"{said} has no list of orders"
                return False
            # the answer's own account of itself: anything that contradicts it leaves the rest of the list unknown
            echoed_offset, echoed_limit, total = page.get("offset"), page.get("limit"), page.get("total")
            if _int(echoed_offset) and echoed_offset != offset:
                scan.detail = (
                    f"{said} answers offset {echoed_offset} for offset {offset} asked, so which orders it holds "
                    "is unknown"
                )
                return False
            if _int(echoed_limit) and len(entries) > echoed_limit:
                scan.detail = f"{said} holds {len(entries)} orders but says limit: {echoed_limit}"
                return False
            if _int(total):
                if last_total is not None and total < last_total:
                    scan.detail = (
                        f"the list{where} shrank from {last_total} to {total} orders while it was read, so orders "
                        "may have moved to pages already read"
                    )
                    return False
                first_total = total if first_total is None else first_total
                last_total = total
            read += len(entries)  # places in the list, as `total` and `offset` count them
            for entry in entries:
                if not isinstance(entry, dict):  # no order as the reference shows one: only the tag in it matters
                    for sink in self._carrying(entry):
                        _unparsed(sink, entry)
                    continue
                scan.orders += 1
                node_order_id = entry.get("node_order_id")
                if isinstance(node_order_id, str):
                    key = hash(node_order_id)
                    twice += key in seen
                    seen.add(key)
                for sink in self._carrying(entry):
                    self._take(sink, entry, node_order_id)
            has_more = page.get("has_more")
            if has_more is False:
                if last_total is not None and read < last_total:
                    scan.detail = (
                        f"{said} says has_more: false, but the list says total: {last_total} and the scan read "
                        f"{read} orders"
                    )
                    return False
                grew = (last_total - first_total) if last_total is not None and first_total is not None else 0
                if twice > grew:
                    scan.detail = (
                        f"{twice} orders of the list{where} were read twice while its total grew by {grew}: the list "
                        "moved while it was read (an order moving to a page already read is never seen)"
                    )
                    return False
                return True
            if has_more is not True or not entries:
                what = "is empty" if has_more is True else f"says has_more: {clean(repr(has_more), 40)}"
                scan.detail = f"{said} {what}, so the rest of the list is unknown"
                return False
            offset += len(entries)

    def _take(self, sink: _Sink, entry: dict, node_order_id) -> None:
        """``entry`` carries ``sink``'s tag: its graph, read from its node_order_id, or why it cannot be."""
        scan = sink.scan
        parsed = parse_node_order_id(node_order_id, scan.tag, sink.node_ids)
        if parsed is None:  # the run's, in a spelling graphc cannot read: it never counts as absence
            _unparsed(sink, entry)
            return
        graph_id, node_id = parsed
        if not self.is_graph_id(graph_id):
            named = clean(ascii(graph_id), 80)  # escaped: `'g\\x1b[31m/../x\\n'`, never the raw text
            if named not in scan.unreadable and len(scan.unreadable) < MAX_NAMED:
                scan.unreadable.append(named)
            return
        created = entry.get("created_unix_ns")
        created = created if _int(created) else None
        first = scan.graph_ids.get(graph_id)
        scan.graph_ids[graph_id] = created if first is None else min(first, created or first)
        symbol, side = entry.get("symbol"), entry.get("side")
        if isinstance(symbol, str) and isinstance(side, str):
            scan.legs.setdefault(graph_id, {})[untagged_node_id(node_id)] = (symbol, side.lower())


def _unparsed(sink: _Sink, entry) -> None:
    """An entry that carries ``sink``'s tag but cannot be read as the run's order, named in its scan."""
    named = _name_entry(entry, sink.needle) if isinstance(entry, dict) else f"an entry {clean(ascii(entry), 120)}"
    if named not in sink.scan.unparsed and len(sink.scan.unparsed) < MAX_NAMED:
        sink.scan.unparsed.append(named)
