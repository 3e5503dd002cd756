"""Finding a run at the router by its tag, and knowing when *not* finding it proves anything.

``GET /v1/orders`` is the only place the router echoes something graphc chose:
each order's ``node_order_id`` (``graph:<graph_id>:<node_id>:<n>``) carries the
node id, which carries the run's tag (:mod:`graphc.api.runtag`). A scan pages
through the orders and collects every graph whose node ids carry the tag.

Not finding the tag proves absence only if the scan read every order that the
run could have created. The router's reference shows its list newest first but
does not promise it, so the scan checks: while every ``created_unix_ns`` seen so
far is no larger than the one before, the list is newest first and the scan may
stop at the first order created before the run's window; otherwise (an order
out of order, one without a time) it must read to the end of the list
(``has_more`` false). A page limit, a time budget, an unreadable page or a
network error ends the scan *incomplete*: the caller must not conclude absence.

An order that carries the tag anywhere (``.TAG`` in any of its strings, in any
case) but whose ``node_order_id`` cannot be read as the run's (the reference's
``graph:<graph_id>:<node_id>:<n>``, or its Amend Order spelling without
``graph:``) never counts toward absence: the scan ends incomplete naming it. A
graph id may contain ``:`` (:func:`graphc.api.client.is_graph_id`), so the id is
read anchored on the tag (:func:`parse_node_order_id`), never split at the first
colon; a reading that is not unique ends the scan incomplete, never a wrong id.

The graph id of an order carrying the tag passes the same check as the id in
the POST's answer (:func:`graphc.api.client.is_graph_id`). One that fails (a
``../``, a line break, a terminal escape) is never taken as the run's graph:
the scan ends incomplete and names it escaped, so the run stays unsettled
(exit 3) until someone settles it by hand; nothing stores or prints it raw.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from graphc.api.errors import ApiError
from graphc.api.redact import clean
from graphc.api.runtag import SEPARATOR, untagged_node_id

__all__ = ["PAGE_SIZE", "Scan", "find_run", "node_ids_of", "parse_node_order_id"]

PAGE_SIZE = 100  # the reference's default is 50; 100 halves the requests and is a common maximum
MAX_PAGES = 1000  # 100,000 orders
SCAN_BUDGET_S = 120.0
MAX_NAMED = 5  # unreadable graph ids, or orders carrying the tag that cannot be read, named in a scan's detail
_DIGITS = re.compile(r"[0-9]+")


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

    @property
    def found(self) -> list[str]:
        """Graph ids carrying the tag, oldest first."""
        return sorted(self.graph_ids, key=lambda gid: (self.graph_ids[gid] or 0, gid))


def find_run(
    client,
    tag: str,
    since_ns: int,
    *,
    node_ids: Iterable[str] = (),
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
    budget_s: float | None = None,
) -> Scan:
    """Page through the router's orders for graphs whose node ids carry ``tag``.

    ``since_ns`` is the start of the run's window (wall-clock ns, already
    widened for clock skew): no order of the run can be older. Never raises
    for the router's answers: a network error or an unreadable page ends the
    scan incomplete, with the reason in ``detail``. ``node_ids`` (:func:`node_ids_of`, the nodes of the graph
    this run sends) tell where a graph id with ``:`` ends (:func:`parse_node_order_id`).
    """
    from graphc.api.client import is_graph_id  # deferred: httpx; a scan runs with a client anyway

    scan = Scan(tag, since_ns)
    _read_pages(
        client,
        scan,
        is_graph_id,
        frozenset(node_ids),
        page_size,
        MAX_PAGES if max_pages is None else max_pages,
        SCAN_BUDGET_S if budget_s is None else budget_s,
    )
    # the router lists the run in a way graphc cannot use: which graph is the run's is unknown
    if scan.unreadable or scan.unparsed:
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
        scan.detail = "; ".join(why) + (
            f" (the tag is also listed under {', '.join(valid[:MAX_NAMED])})" if valid else ""
        )
    return scan


def _holds(value, needle: str, depth: int = 0) -> bool:
    """Whether ``value`` (an order entry, or a value in it) holds ``needle`` in any string, in any case."""
    if isinstance(value, str):
        return needle in value.lower()
    if depth < 3 and isinstance(value, dict):
        return any(_holds(v, needle, depth + 1) for v in value.values())
    if depth < 3 and isinstance(value, list):
        return any(_holds(v, needle, depth + 1) for v in value)
    return False


def _name_entry(entry: dict, needle: str) -> str:
    """An order carrying the tag, named by its node_order_id and the field that holds the tag (escaped)."""
    named = f"node_order_id {clean(ascii(entry.get('node_order_id')), 120)}"
    for key, value in entry.items():
        if key != "node_order_id" and _holds(value, needle):
            return f"{named} ({clean(ascii(key), 40)} {clean(ascii(value), 120)})"
    return named


def _unparsed(scan: Scan, entry, needle: str) -> None:
    named = _name_entry(entry, needle) if isinstance(entry, dict) else f"an entry {clean(ascii(entry), 120)}"
    if named not in scan.unparsed and len(scan.unparsed) < MAX_NAMED:
        scan.unparsed.append(named)


def _read_pages(
    client, scan: Scan, is_graph_id, node_ids: frozenset[str], page_size: int, max_pages: int, budget_s: float
) -> None:
    """:func:`find_run`'s pages, read into ``scan``."""
    tag, since_ns = scan.tag, scan.since_ns
    needle = f"{SEPARATOR}{tag}"
    offset, previous, newest_first = 0, None, True
    started = time.monotonic()
    for _ in range(max_pages):
        if time.monotonic() - started > budget_s:
            scan.detail = f"the scan ran out of time ({budget_s:g} s) after {scan.orders} orders"
            scan.router_failed = True
            return
        try:
            page = client.list_orders(limit=page_size, offset=offset)
        except ApiError as exc:
            scan.detail = f"reading the router's orders failed after {scan.orders} orders: {exc}"
            scan.router_failed = True
            return
        scan.pages += 1
        entries = page.get("orders")
        if not isinstance(entries, list):
            scan.detail = f"page {scan.pages} of GET /v1/orders has no list of orders"
            return
        reached_window_start = False
        for entry in entries:
            if not isinstance(entry, dict):
                newest_first = False  # an entry we cannot read: we cannot vouch for the order either
                if _holds(entry, needle):
                    _unparsed(scan, entry, needle)
                continue
            scan.orders += 1
            created = entry.get("created_unix_ns")
            if isinstance(created, bool) or not isinstance(created, int):
                newest_first, created = False, None
            elif previous is not None and created > previous:
                newest_first = False
            previous = created if created is not None else previous
            parsed = parse_node_order_id(entry.get("node_order_id"), tag, node_ids)
            if parsed is None and _holds(entry, needle):  # the run's, in a spelling graphc cannot read
                _unparsed(scan, entry, needle)
            elif parsed and not is_graph_id(parsed[0]):
                named = clean(ascii(parsed[0]), 80)  # escaped: `'g\\x1b[31m/../x\\n'`, never the raw text
                if named not in scan.unreadable and len(scan.unreadable) < MAX_NAMED:
                    scan.unreadable.append(named)
            elif parsed:
                first = scan.graph_ids.get(parsed[0])
                scan.graph_ids[parsed[0]] = created if first is None else min(first, created or first)
                symbol, side = entry.get("symbol"), entry.get("side")
                if isinstance(symbol, str) and isinstance(side, str):
                    scan.legs.setdefault(parsed[0], {})[untagged_node_id(parsed[1])] = (symbol, side.lower())
            if created is not None and created < since_ns:
                reached_window_start = True
        if reached_window_start and newest_first:  # judged after the whole page: one order out of order voids it
            scan.complete = True
            scan.detail = f"reached orders older than the run after {scan.orders} orders"
            return
        has_more = page.get("has_more")
        if has_more is False:
            scan.complete = True
            scan.detail = f"read all {scan.orders} orders"
            return
        if has_more is not True or not entries:
            what = "is empty" if has_more is True else f"says has_more: {clean(repr(has_more), 40)}"
            scan.detail = f"page {scan.pages} of GET /v1/orders {what}, so the rest of the list is unknown"
            return
        offset += len(entries)
    scan.detail = f"stopped after {max_pages} pages ({scan.orders} orders) without reaching the run's window start"
