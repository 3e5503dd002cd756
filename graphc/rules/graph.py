"""Graph rules GC201-GC210: the shape of the execution graph.

The checks follow actionlint's ``rule_job_needs``: first collect the nodes
(GC203 duplicate ids), then resolve every edge's ``from_node``/``to_node``
(GC202 unknown leg, with a did-you-mean), and only then look at the graph built
from the *resolved* edges: duplicate edges (GC210), trigger/condition
consistency (GC208, per edge), cycles reported as the whole loop (GC201),
activation (GC204 orphan, GC205 root with incoming edges, GC206 no root),
reachability (GC207) and derived sizes (GC209).

Choices where the spec is silent:

- A node whose ``node_id`` repeats an earlier one is reported (GC203) and then
  ignored; edges resolve to the first node with that id.
- Malformed entries (a node or edge that is not a mapping, a missing or
  non-string id/end) are left to schema validation and skipped here.
- GC210 compares the trigger *and* the condition structurally (``on_fill_ratio``
  at 0.5 and at 0.8 are different edges; ``{"ms": 5000}`` equals ``{"ms": 5000.0}``).
- GC201 reports each elementary cycle once, written from the node that comes
  first in the source (``a → b → c → a``), at the edge that closes it; at most
  ``MAX_CYCLES`` cycles are listed. Acyclic graphs cost one linear DAG test (Kahn's algorithm
  over the resolved edges); networkx is imported only to enumerate the loops of a cyclic graph.
- A missing or unknown ``activation`` (a schema error) is inferred as in a
  playbook: ``wait`` with an incoming edge, else ``root``.
- GC206 is not reported for a graph with no nodes; when it is reported,
  GC204/GC205/GC207 are not (every wait node would be an orphan or unreachable;
  the missing root is the one fix).
- GC207 is reported for ``wait`` nodes that have incoming edges but are not
  reachable from any root; a ``wait`` node with no incoming edge is GC204 only.
- GC209: fill edges are ``on_fill``, ``on_first_fill``, ``on_fill_ratio`` and
  ``on_full_fill``.
- A loop longer than ``2 × LOOP_NAMES`` legs is shown abbreviated in the middle.
- Did-you-mean lookups scan every id, so only the first ``MAX_SUGGESTIONS``
  unknown references get one (keeps 100k-node graphs linear).
"""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import NamedTuple

from graphc.rules.base import Finding, checks, new_tuple
from graphc.stages.suggest import did_you_mean
from graphc.stages.wiregraph import is_acyclic, trigger_name, trigger_problem
from graphc.stages.wiregraph import number as _number
from graphc.vocabulary import FILL_TRIGGERS
from graphc.vocabulary import TRIGGER_NAMES as WIRE_TRIGGER_NAMES

_PLAIN_TRIGGERS = frozenset(WIRE_TRIGGER_NAMES) - {"on_fill_ratio"}  # names that take no condition
MAX_CYCLES = 20
MAX_SUGGESTIONS = 20
LOOP_NAMES = 8  # a longer loop shows its first and last 8 legs


class _Edge(NamedTuple):
    index: int
    src: str
    dst: str
    trigger: object
    condition: object


class _Graph:
    __slots__ = ("activations", "children", "dangling", "duplicates", "edges", "incoming", "nodes", "unknown")

    def __init__(self):
        self.nodes = {}  # node_id -> (index, node), first occurrence
        self.duplicates = []  # (index, node_id, first index)
        self.edges = []  # resolved _Edge records
        self.unknown = []  # (edge index, end field, name)
        self.incoming = {}  # node_id -> [_Edge]
        self.children = {}  # node_id -> [node_id], one entry per resolved edge
        # Nodes with an edge from an unknown leg: GC202 already explains them, so
        # they are not also called orphans, nor their descendants unreachable.
        self.dangling = set()
        # node_id -> "root" | "wait"; a missing or unknown activation is inferred as in a playbook (spec §3)
        self.activations = {}


def _resolve(ctx) -> _Graph:
    """Collect nodes, then resolve edge ends against them. Linear; never raises."""
    graph = _Graph()
    for i, node in enumerate(ctx.nodes):
        node_id = node.get("node_id") if isinstance(node, dict) else None
        if not isinstance(node_id, str):
            continue
        if node_id in graph.nodes:
            graph.duplicates.append((i, node_id, graph.nodes[node_id][0]))
        else:
            graph.nodes[node_id] = (i, node)
    for j, edge in enumerate(ctx.edges):
        if not isinstance(edge, dict):
            continue
        src, dst = edge.get("from_node"), edge.get("to_node")
        if isinstance(src, str) and isinstance(dst, str) and src in graph.nodes and dst in graph.nodes:
            resolved = new_tuple(_Edge, (j, src, dst, edge.get("trigger"), edge.get("condition")))
            graph.edges.append(resolved)
            graph.incoming.setdefault(dst, []).append(resolved)
            graph.children.setdefault(src, []).append(dst)
            continue
        for end, name in (("from_node", src), ("to_node", dst)):
            if isinstance(name, str) and name not in graph.nodes:
                graph.unknown.append((j, end, name))
        if isinstance(dst, str) and dst in graph.nodes:
            graph.dangling.add(dst)
    for node_id, (_, node) in graph.nodes.items():
        activation = node.get("activation")
        if activation != "root" and activation != "wait":
            activation = "wait" if node_id in graph.incoming else "root"
        graph.activations[node_id] = activation
    return graph


def edge_label(ctx, j) -> str:
    edge_id = ctx.edges[j].get("edge_id") if isinstance(ctx.edges[j], dict) else None
    return f"edge {edge_id}" if isinstance(edge_id, str) else f"edges[{j}]"


def _references(ctx, graph):
    """GC203 duplicate node ids, then GC202 edges naming unknown legs."""
    for i, node_id, first in graph.duplicates:
        yield Finding(
            "GC203",
            ("nodes", i, "node_id"),
            f"node id {node_id!r} is already used by nodes[{first}]",
            hint="give every node a unique node_id; edges resolve to the first one",
        )
    for n, (j, end, name) in enumerate(graph.unknown):
        known = (
            ("name one of the legs: " + _names(islice(graph.nodes, 6), 5)) if graph.nodes else "the graph has no nodes"
        )
        verb = "comes from" if end == "from_node" else "goes to"
        suggestion = did_you_mean(name, graph.nodes) if n < MAX_SUGGESTIONS else ""
        yield Finding(
            "GC202", ("edges", j, end), f"{edge_label(ctx, j)} {verb} unknown leg {name!r}{suggestion}", hint=known
        )


def _duplicate_edges(ctx, graph):
    """GC210: a second edge with the same from, to, trigger and condition."""
    seen = {}
    for edge in graph.edges:
        trigger, condition = edge.trigger, edge.condition
        key = (
            edge.src,
            edge.dst,
            trigger if type(trigger) is str else _freeze(trigger),
            condition if condition is None else _freeze(condition),
        )
        if key in seen:
            yield Finding(
                "GC210",
                ("edges", edge.index),
                f"{edge_label(ctx, edge.index)} repeats {edge_label(ctx, seen[key])}: "
                f"{edge.src} → {edge.dst}, trigger {trigger_name(edge.trigger)}",
                hint="delete the repeated edge (or the repeated `after:` entry)",
            )
        else:
            seen[key] = edge.index


def _freeze(value):
    """A hashable, structurally comparable form of a wire value."""
    if isinstance(value, dict):
        return frozenset((key, _freeze(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


def _triggers(ctx, graph):
    """GC208 for every edge mapping, resolved or not: the trigger, then its condition."""
    for j, edge in enumerate(ctx.edges):
        if not isinstance(edge, dict):
            continue
        trigger = edge.get("trigger")
        if type(trigger) is str and trigger in _PLAIN_TRIGGERS and "condition" not in edge:
            continue  # the usual edge: nothing to report
        problem = trigger_problem(trigger)
        if problem:
            yield Finding("GC208", ("edges", j, "trigger"), f"{edge_label(ctx, j)}: {problem[0]}", hint=problem[1])
        elif trigger == "on_fill_ratio":
            yield from _ratio_findings(ctx, j, edge)
        elif "condition" in edge:
            yield Finding(
                "GC208",
                ("edges", j, "condition"),
                f"{edge_label(ctx, j)}: a condition only applies to on_fill_ratio, not {trigger_name(trigger)}",
                hint="delete the condition, or use trigger on_fill_ratio",
            )


def _ratio_findings(ctx, j, edge):
    condition = edge.get("condition")
    raw = condition.get("fill_ratio_gte") if isinstance(condition, dict) else None
    if raw is None:
        where = ("edges", j, "condition") if "condition" in edge else ("edges", j, "trigger")
        yield Finding(
            "GC208",
            where,
            f"{edge_label(ctx, j)}: on_fill_ratio needs condition.fill_ratio_gte, a ratio in (0, 1]",
            hint='add "condition": {"fill_ratio_gte": 0.5} (`after: LEG filled 50%`)',
        )
        return
    ratio = _number(raw)
    if ratio is None or not 0 < ratio <= 1:
        yield Finding(
            "GC208",
            ("edges", j, "condition"),
            f"{edge_label(ctx, j)}: fill_ratio_gte {raw} is outside (0, 1]",
            hint="a ratio is a fraction of the parent's size: 0.5 means 50%; use on_full_fill for 100%",
        )


def _cycles(ctx, graph):
    """GC201: each elementary cycle of the resolved edges, as the whole loop."""
    if not graph.edges or is_acyclic(graph.children):
        return
    closing = {}
    for edge in graph.edges:
        closing.setdefault((edge.src, edge.dst), edge.index)
    import networkx as nx  # only a graph with a loop pays for networkx: it enumerates the loops

    digraph = nx.DiGraph(list(closing))
    order = {node_id: i for node_id, (i, _) in graph.nodes.items()}
    cycles = [_rotate(cycle, order) for cycle in islice(nx.simple_cycles(digraph), MAX_CYCLES)]
    for cycle in sorted(cycles, key=lambda c: [order[n] for n in c]):
        j = closing[(cycle[-1], cycle[0])]
        loop = " → ".join(_loop(cycle) + [cycle[0]])
        yield Finding(
            "GC201",
            ("edges", j),
            f"cycle {loop}: these legs wait on each other",
            hint=f"remove or redirect one edge of the loop, e.g. {edge_label(ctx, j)} ({cycle[-1]} → {cycle[0]})",
        )


def _loop(cycle, keep=LOOP_NAMES):
    if len(cycle) <= 2 * keep:
        return cycle
    return cycle[:keep] + [f"… ({len(cycle) - 2 * keep} more)"] + cycle[-keep:]


def _rotate(cycle, order):
    start = min(range(len(cycle)), key=lambda k: order[cycle[k]])
    return cycle[start:] + cycle[:start]


def _activation(ctx, graph):
    """GC206 no root (alone: it is the fix), else GC204 orphans, GC205 roots with edges, GC207 unreachable."""
    activations = graph.activations
    roots = [node_id for node_id, activation in activations.items() if activation == "root"]
    if graph.nodes and not roots:
        yield Finding(
            "GC206",
            ("nodes",),
            f"no node has activation 'root': none of the {len(graph.nodes)} nodes ever starts",
            hint="make the first leg a root (a leg with no `after:`)",
        )
        return
    for node_id, (i, _) in graph.nodes.items():
        activation, incoming = activations[node_id], graph.incoming.get(node_id)
        if activation == "wait" and not incoming and node_id not in graph.dangling:
            yield Finding(
                "GC204",
                ("nodes", i, "activation"),
                f"node {node_id!r} waits for an edge, but no edge leads to it: it never activates",
                hint="add an edge into it (`after: LEG filled`) or make it a root",
            )
        elif activation == "root" and incoming:
            sources = _names(edge.src for edge in incoming)
            yield Finding(
                "GC205",
                ("nodes", i, "activation"),
                f"root node {node_id!r} starts at once, so its incoming edges from {sources} have no effect",
                hint="make it activation: wait to run after its parents, or delete the edges",
            )
    yield from _unreachable(graph, roots + sorted(graph.dangling))


def _unreachable(graph, seeds):
    reached, queue, children = set(seeds), deque(seeds), graph.children
    while queue:
        for child in children.get(queue.popleft(), ()):
            if child not in reached:
                reached.add(child)
                queue.append(child)
    for node_id, (i, _) in graph.nodes.items():
        incoming = graph.incoming.get(node_id)
        if graph.activations[node_id] == "wait" and incoming and node_id not in reached:
            parents = sorted({edge.src for edge in incoming}, key=lambda n: graph.nodes[n][0])
            yield Finding(
                "GC207",
                ("nodes", i, "node_id"),
                f"node {node_id!r} never activates: its incoming edges come only from "
                f"{_names(parents)}, which never {'activates' if len(parents) == 1 else 'activate'}",
                hint="connect it (or one of its ancestors) to a root node; check for orphans and cycles",
            )


def _names(ids, limit=3) -> str:
    ids = list(dict.fromkeys(ids))
    shown = ", ".join(repr(n) for n in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _derived(ctx, graph):
    """GC209: a derived quantity needs an incoming fill edge to follow."""
    for node_id, (i, node) in graph.nodes.items():
        if node.get("quantity") != "derived":
            continue
        incoming = graph.incoming.get(node_id, [])
        if any(isinstance(edge.trigger, str) and edge.trigger in FILL_TRIGGERS for edge in incoming):
            continue
        have = ", ".join(f"{trigger_name(e.trigger)} from {e.src!r}" for e in incoming[:3]) or "none"
        yield Finding(
            "GC209",
            ("nodes", i, "quantity"),
            f"node {node_id!r} has a derived quantity but no incoming fill edge "
            f"(incoming: {have}); its size has nothing to follow",
            hint="trigger it on the parent's fills (`after: PARENT filled` / `each fill`) or give it a fixed quantity",
        )


@checks("GC203", "GC202", "GC210", "GC208", "GC201", "GC204", "GC205", "GC206", "GC207", "GC209")
def check_graph(ctx):
    """Resolve once, then run each step in order (references before cycles); the edge steps only with edges."""
    graph = _resolve(ctx)
    if graph.duplicates or graph.unknown:
        yield from _references(ctx, graph)
    if ctx.edges:
        for step in (_duplicate_edges, _triggers, _cycles):
            yield from step(ctx, graph)
    yield from _activation(ctx, graph)
    yield from _derived(ctx, graph)


CHECKS = [check_graph]
