"""Following a submitted graph: the router's status answer read defensively, and a bounded poll loop.

``GET /v1/execution_graphs/{id}`` is read into a :class:`GraphView`; an answer
that is not the documented shape (nodes as a list, a quantity that is text) is
an :class:`~graphc.api.errors.ApiProtocolError` naming the field, never a
traceback. Every text in a view is cleaned (secrets redacted, terminal escape
sequences removed, length bounded), and node ids lose graphc's run tag
(:func:`graphc.api.runtag.untagged_node_id`) so they read as the playbook named them.

:func:`follow` polls until the graph ends, pauses (it needs a person:
``graphc resume``) or ``timeout`` passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from graphc.api.errors import ApiProtocolError
from graphc.api.redact import clean
from graphc.api.runtag import untagged_node_id
from graphc.units import INT64_MAX, INT64_MIN
from graphc.vocabulary import GRAPH_STATUSES, NODE_STATUSES, TERMINAL_GRAPH_STATUSES

__all__ = [
    "PAUSED",
    "TIMED_OUT",
    "EdgeView",
    "Followed",
    "GraphView",
    "NodeView",
    "check_leg_statuses",
    "check_ranges",
    "check_same_graph",
    "follow",
    "graph_view",
    "resume_command",
]

PAUSED = "paused"
NO_STATUS = "(no status)"  # a node's status as a view shows one the answer left out
TIMED_OUT = "timeout"


def resume_command(graph_id: str, live: bool) -> str:
    """The command that resumes a paused graph, as the hints print it: ``--live`` for a graph recorded LIVE, which
    ``graphc resume`` resumes only with it (the double opt-in, playbook-spec §2; audit live23 F2)."""
    return f"`graphc resume {graph_id}{' --live' if live else ''}`"


@dataclass(frozen=True)
class NodeView:
    name: str  # as the playbook named it
    node_id: str  # as the router knows it (with the run tag)
    status: str
    target_qty_1e8: int
    filled_qty_1e8: int
    avg_fill_price_1e9: int
    fill_count: int
    # the router's status is one of the reference's node statuses, exactly (`REJECTED`, `canceled`, a missing one:
    # not; audit status28 1)
    documented: bool = True


@dataclass(frozen=True)
class EdgeView:
    edge_id: str
    status: str


@dataclass(frozen=True)
class GraphView:
    graph_id: str
    status: str
    nodes: list[NodeView] = field(default_factory=list)
    edges: list[EdgeView] = field(default_factory=list)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_GRAPH_STATUSES


def _field(where: str, value, what: str):
    return ApiProtocolError(
        f"{where}: the router's answer is not the documented shape: {what} is {clean(repr(value), 60)}"
    )


# A node's numbers in the status answer, integers the wire carries as signed 64-bit (quantities at 1e8, prices at
# 1e9: playbook-spec §3.2, GC103).
COUNTS = ("target_qty_1e8", "filled_qty_1e8", "avg_fill_price_1e9", "fill_count")


def _count(where: str, node: dict, key: str) -> int:
    value = node.get(key, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _field(where, value, key)
    return value


def _in_range(where: str, value: int, key: str) -> None:
    """ApiProtocolError when ``value`` is beyond the wire's signed 64-bit range: no size or price the router was sent
    can be one, and a view would show it rounded (audit follow26 3)."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise ApiProtocolError(
            f"{where}: the router's answer is not the documented shape: {key} is {clean(str(value), 60)}, beyond the "
            "wire's signed 64-bit range"
        )


def check_ranges(answer, graph_id: str) -> None:
    """ApiProtocolError when a node's number (:data:`COUNTS`) in the status ``answer`` is an integer beyond the wire's
    signed 64-bit range, as :func:`graph_view` reads it; for ``status --json``, which prints the answer as it came
    and checks nothing else of its shape (a view of it and the JSON must not disagree)."""
    nodes = answer.get("nodes") if isinstance(answer, dict) else None
    for node_id, node in (nodes or {}).items() if isinstance(nodes, dict) else ():
        for key in COUNTS if isinstance(node, dict) else ():
            value = node.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                _in_range(f"GET /v1/execution_graphs/{graph_id}", value, f"nodes.{clean(str(node_id), 40)}.{key}")


def check_same_graph(answer: dict, graph_id: str, where: str) -> None:
    """ApiProtocolError when ``answer`` names another graph than ``graph_id`` (an answer without a graph_id is
    taken as this one's): an answer about another graph must not read as this one's (`submit --watch`: exit 0;
    `cancel`: a cancel nobody confirmed)."""
    shown_id = answer.get("graph_id", graph_id)
    if shown_id != graph_id:
        raise ApiProtocolError(
            f"{where}: the router's answer is not the documented shape: it is about another graph "
            f"(graph_id is {clean(repr(shown_id), 60)})"
        )


def check_leg_statuses(view: GraphView) -> None:
    """ApiProtocolError naming the first node of ``view`` whose status is none of the reference's node statuses
    ("Node status values", orders-and-execution-graphs.md), exactly as written: a leg said `REJECTED`, `canceled`,
    `expired` or nothing at all is an answer graphc cannot read, not a leg that filled (audit status28 1)."""
    for node in view.nodes:
        if not node.documented:
            raise ApiProtocolError(
                f"GET /v1/execution_graphs/{view.graph_id}: the router's answer is not the documented shape: node "
                f"{node.name}"
                + (" has no status" if node.status == NO_STATUS else f"'s status is {node.status}")
                + f" (the reference's node statuses: {', '.join(NODE_STATUSES)})"
            )


def graph_view(answer, graph_id: str, *, leg_statuses: bool = True) -> GraphView:
    """The status answer for ``graph_id`` as a :class:`GraphView`; ApiProtocolError when it is not one.

    A status outside the reference's list ("Graph status values", orders-and-execution-graphs.md) is not read
    as "still running": :func:`follow` would poll it forever (audit follow17 1: `COMPLETED`, `done`). A node's
    status outside the reference's node statuses is not the documented shape either (:func:`check_leg_statuses`);
    ``leg_statuses=False`` leaves that to the caller (the view is marked), for one that reads no leg's status
    (cancel's read-back reads the graph's) or shows the view before it refuses it (:func:`follow`)."""
    where = f"GET /v1/execution_graphs/{graph_id}"
    if not isinstance(answer, dict):
        raise _field(where, answer, "the answer")
    # `nodes` is required and a mapping (an empty list is a list); `edges` may be left out, but not be a list
    status, nodes, edges = answer.get("status"), answer.get("nodes"), answer.get("edges", {})
    check_same_graph(answer, graph_id, where)
    if not isinstance(status, str) or status not in GRAPH_STATUSES:
        raise ApiProtocolError(
            f"{where}: the router's answer is not the documented shape: status is {clean(repr(status), 60)}, "
            f"none of the reference's graph statuses ({', '.join(GRAPH_STATUSES)})"
        )
    if "nodes" not in answer:
        raise ApiProtocolError(f"{where}: the router's answer is not the documented shape: it has no nodes")
    if not isinstance(nodes, dict):
        raise _field(where, nodes, "nodes")
    if not isinstance(edges, dict):
        raise _field(where, edges, "edges")
    check_ranges(answer, graph_id)
    views = []
    for node_id, node in nodes.items():
        if not isinstance(node, dict):
            raise _field(where, node, f"nodes.{clean(node_id, 40)}")
        if "status" not in node:
            node_status, documented = NO_STATUS, False
        else:
            node_status = node["status"]
            if not isinstance(node_status, str):
                raise _field(where, node_status, f"nodes.{clean(node_id, 40)}.status")
            documented = node_status in NODE_STATUSES
            node_status = node_status if documented else clean(repr(node_status), 40)
        views.append(
            NodeView(
                name=clean(untagged_node_id(str(node_id)), 80),
                node_id=str(node_id),
                status=node_status,
                target_qty_1e8=_count(where, node, "target_qty_1e8"),
                filled_qty_1e8=_count(where, node, "filled_qty_1e8"),
                avg_fill_price_1e9=_count(where, node, "avg_fill_price_1e9"),
                fill_count=_count(where, node, "fill_count"),
                documented=documented,
            )
        )
    edge_views = []
    for edge_id, edge in edges.items():
        edge_status = edge.get("status", "?") if isinstance(edge, dict) else "?"
        edge_views.append(EdgeView(clean(str(edge_id), 40), clean(str(edge_status), 40)))
    view = GraphView(clean(graph_id, 200), clean(status, 40), views, edge_views)
    if leg_statuses:
        check_leg_statuses(view)
    return view


@dataclass(frozen=True)
class Followed:
    """The last view, and why following stopped: the graph's final status, ``paused`` or ``timeout``."""

    view: GraphView
    reason: str


def follow(
    client,
    graph_id: str,
    *,
    interval: float = 1.0,
    timeout: float | None = None,
    show: Callable[[GraphView], None] = lambda view: None,
    sleep: Callable[[float], None] = time.sleep,
) -> Followed:
    """Poll until the graph is completed, cancelled, failed or paused, or ``timeout`` seconds passed."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        view = graph_view(client.get_graph(graph_id), graph_id, leg_statuses=False)
        show(view)  # shown as it came, then refused: the person sees which leg
        check_leg_statuses(view)
        if view.terminal:
            return Followed(view, view.status)
        if view.status == PAUSED:
            return Followed(view, PAUSED)
        if deadline is not None and time.monotonic() >= deadline:
            return Followed(view, TIMED_OUT)
        sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic())))
