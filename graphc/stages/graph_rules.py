"""Graph rules GC201-GC210: the shape of the execution graph.

The checks follow actionlint's ``rule_job_needs``: the nodes are collected
first (GC203 duplicate ids), then every edge's ``from_node``/``to_node`` is
resolved (GC202 unknown leg, with a did-you-mean), and only then is the graph
built from the *resolved* edges examined: duplicate edges (GC210),
trigger/condition consistency (GC208, per edge), cycles reported as the whole
loop (GC201), activation (GC204 orphan, GC205 root with incoming edges, GC206
no root), reachability (GC207) and derived sizes (GC209). The resolution is
done once, in :func:`graphc.facts.graph_facts`; each rule reads its result.

The family lives here, in the Compile layer, not in :mod:`graphc.rules` with
the others: ``graphc lint`` runs it (:data:`graphc.rules.registry.CHECKED`) and
so does the local sandbox router before it accepts a graph
(:func:`graphc.sandbox.validate.parse_submission`), which may not use lint's
layer. One implementation, so the two cannot disagree about a graph's shape.

Choices where the spec is silent:

- A node whose ``node_id`` repeats an earlier one is reported (GC203) and then
  ignored; edges resolve to the first node with that id.
- Malformed entries (a node or edge that is not a mapping, a missing or
  non-string id/end) are left to schema validation and skipped here.
- GC210 compares the trigger *and* the condition structurally (``on_fill_ratio``
  at 0.5 and at 0.8 are different edges; ``{"ms": 5000}`` equals ``{"ms": 5000.0}``).
  A repeated wire ``edge_id`` is GC210 too (no spec row; GC203 is node ids), at the second
  edge's id, once per edge.
- GC201 reports each elementary cycle once, written from the node that comes
  first in the source (``a → b → c → a``), at the edge that closes it; at most
  ``MAX_CYCLES`` cycles are listed. Acyclic graphs cost one linear DAG test (Kahn's algorithm
  over the resolved edges); networkx is imported only to enumerate the loops of a cyclic graph.
  Where networkx is not installed (a ``graphc bundle`` vendors none), one loop
  is reported, found by a depth-first search.
- A missing activation is read as the router reads it: ``wait`` with an
  incoming edge, else ``root`` (GC111 says so).
- GC206 is not reported for a graph with no nodes; when it is reported,
  GC204/GC205/GC207 are not (every wait node would be an orphan or unreachable;
  the missing root is the one fix).
- GC207 is reported for ``wait`` nodes that have incoming edges but are not
  reachable from any root; a ``wait`` node with no incoming edge is GC204 only.
- GC209: fill edges are ``on_fill``, ``on_first_fill``, ``on_fill_ratio`` and
  ``on_full_fill``.
- Every rule here is ``structural`` (graphc.stages.checks.Rule): each finding is a
  problem of its own, never said once for an identical finding as a value of
  ``defaults:`` found again in each leg is (two cycles cut to the same listing).
- A loop longer than ``2 × LOOP_NAMES`` legs is shown abbreviated in the middle.
- Only the first ``MAX_SUGGESTIONS`` unknown references get a did-you-mean, and
  each compares a bounded few ids (graphc.stages.suggest), so 100k-node graphs
  and 195-character ids stay linear.
"""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Context, Decimal
from itertools import count, islice

from graphc.numbers import cents_down, plain, shown
from graphc.stages.checks import Finding, rule
from graphc.stages.suggest import did_you_mean
from graphc.stages.wiregraph import fill_ratio, find_cycle, is_acyclic, number, trigger_name, trigger_problem
from graphc.venues import prediction_venue
from graphc.venues.model import MarketFacts
from graphc.venues.prices import trigger_level as projected_level
from graphc.vocabulary import FILL_TRIGGERS, PRICE_REFERENCES, RATIO_CONDITION, RATIO_TRIGGER, TRIGGER_NAMES

MAX_CYCLES = 20
MAX_SUGGESTIONS = 20
LOOP_NAMES = 8  # a longer loop shows its first and last 8 legs
_PLAIN_TRIGGERS = frozenset(TRIGGER_NAMES) - {RATIO_TRIGGER}  # names that take no condition
_REFERENCE_SOURCE = "orders-and-execution-graphs.md, Full Execution Graph and Node Fields"


def edge_label(ctx, j) -> str:
    edge = ctx.raw_edges[j]
    edge_id = edge.get("edge_id") if isinstance(edge, dict) else None
    return f"edge {edge_id}" if isinstance(edge_id, str) else f"edges[{j}]"


def _names(ids, limit=3) -> str:
    ids = list(dict.fromkeys(ids))
    shown = ", ".join(repr(n) for n in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


@rule(
    "GC201",
    "cycle",
    summary="the edges form a cycle",
    source=f"{_REFERENCE_SOURCE} (nodes with dependency edges: each node one order that starts once)",
    flagged="    after: [spot filled, rebalance filled]",
    structural=True,
)
def check_cycles(ctx):
    """The legs' triggers form a loop, which an execution graph cannot express.

    ## What it checks

    graphc collects every edge (from `after:` on the legs and from the top-level
    `edges:` list), checks that all of them name real legs (GC202), and then looks
    for directed cycles. A cycle is reported once, with the whole loop in the
    message, e.g. `perp → rebalance → perp`. A leg whose `after:` names the leg
    itself is a loop of one.

    ## Why it matters

    An execution graph is a DAG: each node is one order that starts once. A loop
    cannot mean "repeat". The edge that closes it points at a leg that is already
    running, or, when nothing outside the loop feeds into it, every leg in the loop
    waits for another and none of them ever starts. In the example below the author
    wanted the perp to re-hedge after each rebalance; the router can do no such
    thing, so whatever the graph ends up doing is not what was reviewed.

    ## Failing example

    `perp` waits for `rebalance`, which waits for `perp`:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      spot:
        buy: 0.5
        symbol: BTC-USD
      perp:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: [spot filled, rebalance filled]
      rebalance:
        buy: 0.5
        symbol: BTC-USD
        after: perp filled
    ```

    ## Fix

    Remove the edge that closes the loop; every leg then starts at most once, in
    order:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      spot:
        buy: 0.5
        symbol: BTC-USD
      perp:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: spot filled
      rebalance:
        buy: 0.5
        symbol: BTC-USD
        after: perp filled
    ```
    """
    facts = ctx.facts
    forward_only = facts.forward_only if facts.forward_only is not None else _forward_only(facts)
    if not facts.edges or forward_only or is_acyclic(facts.children):
        return
    closing = {}
    for edge in facts.edges:
        closing.setdefault((edge.src, edge.dst), edge.index)
    try:
        import networkx as nx  # deferred: networkx; only a graph with a loop needs it
    except ImportError:  # a `graphc bundle` vendors no networkx: its run path still refuses the graph, naming one loop
        found = [find_cycle(facts.children)]
    else:
        found = list(islice(nx.simple_cycles(nx.DiGraph(list(closing))), MAX_CYCLES))
    order = {node_id: node.index for node_id, node in facts.by_id.items()}
    cycles = [_rotate(cycle, order) for cycle in found if cycle]
    for cycle in sorted(cycles, key=lambda c: [order[n] for n in c]):
        j = closing[(cycle[-1], cycle[0])]
        loop = " → ".join(_loop(cycle) + [cycle[0]])
        yield Finding(
            ("edges", j),
            f"cycle {loop}: these legs wait on each other",
            hint=f"remove or redirect one edge of the loop, e.g. {edge_label(ctx, j)} ({cycle[-1]} → {cycle[0]})",
        )


def _forward_only(facts) -> bool:
    """Every edge leads to a node later in the list (compile writes parents first): then there is no loop.

    A sufficient test, cheaper than Kahn's algorithm; a graph that fails it is tested by ``is_acyclic``.
    """
    by_id = facts.by_id
    return all(by_id[edge.src].index < by_id[edge.dst].index for edge in facts.edges)


def _loop(cycle, keep=LOOP_NAMES):
    if len(cycle) <= 2 * keep:
        return cycle
    return cycle[:keep] + [f"… ({len(cycle) - 2 * keep} more)"] + cycle[-keep:]


def _rotate(cycle, order):
    start = min(range(len(cycle)), key=lambda k: order[cycle[k]])
    return cycle[start:] + cycle[:start]


@rule(
    "GC202",
    "unknown-leg",
    summary="an edge names a leg that does not exist",
    source=f"{_REFERENCE_SOURCE} (edges name their nodes by node_id)",
    flagged="    after: entyr filled",
    structural=True,
)
def check_unknown_legs(ctx):
    """An edge names a leg that does not exist; the message suggests the closest leg id.

    ## What it checks

    Every `after:` entry names the leg it waits for, and every mapping in the
    top-level `edges:` list names a `from` and a `to` leg. Each of these must match
    a leg id exactly. For a leg expanded by `for_each`, the ids are the expanded
    ones (`ladder-0`, `ladder-1`, ... or `ladder-<item>`), not the id written in the
    file. In a wire graph, `from_node` and `to_node` must name a `node_id`. GC202
    names the unknown leg and, when an existing id is close, suggests it. References
    are resolved before the graph is checked for cycles.

    In a `use:` template, `after:` names the template's own legs only
    (docs/templates.md, "`use:` template files": references between the
    template's legs are renamed under the using leg's prefix; the template's
    root legs take the using leg's `after:`). A template leg waiting for a leg the
    template does not have is GC202 at the template's line even when the using
    playbook has a leg of that name, since it would otherwise bind to whatever
    playbook leg is called that: `leg `z` waits for leg 'spot', which is not a leg
    of this template`, with the hint to write the `after:` on the `use:` leg.

    ## Why it matters

    An edge from a leg that does not exist can never fire, so the leg that waits on
    it never starts. In the example below the spot order fills, the hedge stays
    pending forever, and the position is left unhedged.

    ## Failing example

    The hedge waits for `entyr`; graphc suggests `entry`:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entyr filled
    ```

    ## Fix

    Spell the leg id as it is declared:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entry filled
    ```
    """
    facts = ctx.facts
    known = None  # the same for every unknown end; read once (the legs may be 40,000)
    for n, (j, end, name) in enumerate(facts.unknown_ends):
        if known is None:
            known = ("name one of the legs: " + _names(facts.by_id, 5)) if facts.by_id else "the graph has no nodes"
        verb = "comes from" if end == "from_node" else "goes to"
        suggestion = did_you_mean(name, facts.by_id) if n < MAX_SUGGESTIONS else ""
        yield Finding(("edges", j, end), f"{edge_label(ctx, j)} {verb} unknown leg {name!r}{suggestion}", hint=known)


@rule(
    "GC203",
    "duplicate-node",
    summary="two nodes share an id",
    source=f"{_REFERENCE_SOURCE} (node_id: unique within the graph)",
    suppression=(
        "Inline suppression needs a comment, and JSON has none, so in a wire graph the config file is the only "
        "switch. In a playbook, end the reported line with `# graphc: ignore[GC203]`, or put "
        "`# graphc: ignore-file[GC203]` anywhere in the file to silence it for the whole playbook."
    ),
    structural=True,
)
def check_duplicate_nodes(ctx):
    """Two nodes in the graph have the same id.

    ## What it checks

    Node ids must be unique within a graph. In a playbook, leg ids are keys of the
    `legs:` mapping, so writing the same id twice is already caught as a duplicate
    key (GC101). GC203 therefore comes from:

    - wire graphs (`.json` files with `nodes`), where nothing stops two nodes from
      sharing a `node_id`;
    - `for_each` expansions whose generated ids collide with another leg, e.g. a leg
      `bid` expanded over 3 items produces `bid-0`, `bid-1` and `bid-2`, and clashes
      with a hand-written leg called `bid-1`.

    `graphc decompile` refuses such a wire graph with GC203 at the repeated
    `node_id` (exit 1, nothing written): a playbook's leg ids are unique, so no
    playbook has both nodes.

    ## Why it matters

    Edges, status and cancellation are all keyed by node id. With two nodes called
    `entry` it is unclear which one an edge starts from, and the router either
    rejects the graph or attaches the edge to the wrong order. A hedge that follows
    the wrong parent trades against a position you do not have, and the status of
    one order can no longer be told apart from the other's.

    ## Failing example

    A wire graph (save it as `graph.json` and run `graphc lint graph.json`) with two
    nodes called `entry`:

    ```json
    {
      "nodes": [
        {
          "node_id": "entry",
          "instrument": {"symbol": "BTC-USD", "type": "spot"},
          "side": "buy",
          "order_type": "market",
          "quantity": {"fixed": {"qty_1e8": 1000000}},
          "execution": {"policy": "sor"},
          "activation": "root"
        },
        {
          "node_id": "entry",
          "instrument": {"symbol": "ETH-USD", "type": "spot"},
          "side": "buy",
          "order_type": "market",
          "quantity": {"fixed": {"qty_1e8": 10000000}},
          "execution": {"policy": "sor"},
          "activation": "root"
        }
      ],
      "edges": [],
      "is_sandbox": true
    }
    ```

    ## Fix

    Give the second node its own id (and update any edges that were meant for it):

    ```json
    {
      "nodes": [
        {
          "node_id": "entry",
          "instrument": {"symbol": "BTC-USD", "type": "spot"},
          "side": "buy",
          "order_type": "market",
          "quantity": {"fixed": {"qty_1e8": 1000000}},
          "execution": {"policy": "sor"},
          "activation": "root"
        },
        {
          "node_id": "entry-eth",
          "instrument": {"symbol": "ETH-USD", "type": "spot"},
          "side": "buy",
          "order_type": "market",
          "quantity": {"fixed": {"qty_1e8": 10000000}},
          "execution": {"policy": "sor"},
          "activation": "root"
        }
      ],
      "edges": [],
      "is_sandbox": true
    }
    ```
    """
    for i, node_id, first in ctx.facts.duplicates:
        yield Finding(
            ("nodes", i, "node_id"),
            f"node id {node_id!r} is already used by nodes[{first}]",
            hint="give every node a unique node_id; edges resolve to the first one",
        )


def _roots(ctx) -> list[str]:
    return ctx.roots


@rule(
    "GC204",
    "orphan",
    summary="a wait node with no incoming edge never activates",
    source=f"{_REFERENCE_SOURCE} (activation wait: waits for an edge trigger)",
    flagged="    activation: wait",
    structural=True,
)
def check_orphans(ctx):
    """A leg set to wait has no incoming edge, so nothing ever starts it.

    ## What it checks

    A `wait` node starts only when one of its incoming edges fires. In a playbook
    the activation is normally inferred: a leg with any incoming edge (its own
    `after:`, or an `edges:` entry whose `to` is this leg) is `wait`, every other
    leg is `root` and starts as soon as the graph is submitted. So GC204 means
    `activation: wait` was written explicitly on a leg that nothing points to,
    typically because its `after:` was forgotten or deleted. In a wire graph it is a
    node with `"activation": "wait"` that is no edge's `to_node`.

    Legs that depend on an orphan are dead too; they are reported as GC207.

    ## Why it matters

    The graph is accepted and the other legs trade, but this one stays pending
    forever. When the orphan is a hedge, the entry fills and the position sits
    unhedged, with nothing in the graph's status to say the hedge was never going to
    happen.

    ## Failing example

    The hedge is told to wait, but not for what:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        activation: wait
    ```

    ## Fix

    Say what the leg waits for; with an `after:` the leg is inferred to be `wait`,
    so the explicit `activation` line can go:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entry filled
    ```
    """
    facts = ctx.facts
    if not _roots(ctx):
        return  # GC206 is the one fix
    by_id = facts.by_id
    unfed = by_id.keys() - facts.incoming.keys() - facts.dangling  # no edge leads to them: the roots, usually
    for node_id in unfed:
        if by_id[node_id].activation == "wait":
            break
    else:
        return  # no waiting node without an edge into it (as all() over a generator, one frame fewer)
    for node_id, node in by_id.items():
        if node.activation == "wait" and node_id in unfed:
            yield Finding(
                node.at("activation"),
                f"node {node_id!r} waits for an edge, but no edge leads to it: it never activates",
                hint=orphan_hint(ctx, node_id),
            )


def orphan_hint(ctx, node_id: str) -> str:
    """GC204's fix in the input's form: an edge into the leg from the first root (GC204 is reported only where
    there is one), or the leg a root itself."""
    root = ctx.roots[0]
    if ctx.playbook:
        return (
            f"add `after: {root} filled` to leg {node_id!r}, or remove its `activation: wait` to start it on submission"
        )
    used = {edge.get("edge_id") for edge in ctx.raw_edges if isinstance(edge, dict)}
    edge_id = next(f"e{k}" for k in count(len(ctx.raw_edges)) if f"e{k}" not in used)
    edge = json.dumps({"edge_id": edge_id, "from_node": root, "to_node": node_id, "trigger": "on_full_fill"})
    return f'add an edge into it, {edge} in "edges", or set its "activation": "root"'


@rule(
    "GC205",
    "root-with-edges",
    summary="a root node has incoming edges, which have no effect",
    source=f"{_REFERENCE_SOURCE} (activation root: starts immediately)",
    flagged="    activation: root",
    structural=True,
)
def check_roots_with_edges(ctx):
    """A leg marked `activation: root` also has incoming edges; a root starts at once, so those edges do nothing.

    ## What it checks

    A `root` node starts the moment the graph is submitted, and edges into it are
    ignored. graphc infers `wait` for any leg with an incoming edge, so this only
    happens when `activation: root` is written explicitly on a leg that also has an
    `after:` (or is the `to` of an entry in `edges:`), or in a wire graph with a
    `"root"` node that is some edge's `to_node`.

    ## Why it matters

    The author believes the leg waits; the router sends it immediately. In the
    example the perp short is meant to follow the spot fill, but goes out at the
    same time as the spot buy. If the buy never fills, the desk is left with a naked
    short it never intended to hold.

    ## Failing example

    The hedge has a trigger and is also forced to start immediately:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        activation: root
        after: entry filled
    ```

    ## Fix

    Remove `activation: root` and let graphc infer `wait` from the `after:` (if the
    leg really should start at once, remove the `after:` instead):

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entry filled
    ```
    """
    facts = ctx.facts
    for node_id in ctx.roots:  # in by_id order
        incoming = facts.incoming.get(node_id)
        if incoming:
            node = facts.by_id[node_id]
            sources = _names(edge.src for edge in incoming)
            yield Finding(
                node.at("activation"),
                f"root node {node_id!r} starts at once, so its incoming edges from {sources} have no effect",
                hint="make it activation: wait to run after its parents, or delete the edges",
            )


@rule(
    "GC206",
    "no-root",
    summary="no root node: nothing ever starts",
    source=f"{_REFERENCE_SOURCE} (activation root: starts immediately; wait: waits for an edge)",
    suppression=(
        "GC206 is about the graph as a whole rather than one leg, and graphc reports it at the top of the "
        "playbook. A line comment `# graphc: ignore[GC206]` would have to sit on that reported line; the "
        "file-level form, `# graphc: ignore-file[GC206]` on a line of its own anywhere in the file, is clearer."
    ),
    structural=True,
)
def check_no_root(ctx):
    """Every leg waits for something; no leg starts when the graph is submitted.

    ## What it checks

    A graph needs at least one `root` node, one that starts as soon as the graph is
    submitted; all other nodes are started by edges from nodes that already ran.
    GC206 is reported when every node is `wait`. Because activation is inferred in
    playbooks, this only happens when `activation: wait` is written on every leg
    that has no incoming edge, when all legs sit in a loop (also GC201), or in a
    wire graph in which every node says `"wait"`.

    When there is no root at all, graphc reports GC206 alone and leaves out GC204,
    GC205 and GC207 for that graph: every `wait` leg would be an orphan or
    unreachable, and adding a root is the one fix.

    ## Why it matters

    The graph can never trade: the first trigger has nothing to come from. A desk
    that submits it believes a position is being built while nothing happens, and
    may only notice when the opportunity, or the hedge window, has passed.

    ## Failing example

    The only leg is told to wait:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        activation: wait
    ```

    ## Fix

    Let the first leg start on submission by removing `activation: wait` (graphc
    then infers `root`):

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
    ```
    """
    if ctx.facts.by_id and not _roots(ctx):
        yield Finding(
            ("nodes",),
            f"no node has activation 'root': none of the {len(ctx.facts.by_id)} nodes ever starts",
            hint=no_root_hint(ctx),
        )


def no_root_hint(ctx) -> str:
    """GC206's fix, on the input in front of the user: the first leg no edge leads to starts on submission (a
    playbook infers `root` once `activation: wait` is gone; a wire node says "root"); where every leg has an edge
    into it (a loop, GC201), that leg's edges go too."""
    facts = ctx.facts
    fed = facts.incoming.keys() | facts.dangling
    first = next((node_id for node_id in facts.by_id if node_id not in fed), None)
    if first is not None:
        if ctx.playbook:
            return f"remove `activation: wait` from leg {first!r}: a leg with no `after:` starts on submission"
        return (
            f'set "activation": "root" on node {first!r} (a node without "activation" is read as root too, '
            "with a GC111 warning)"
        )
    first = next(iter(facts.by_id))
    if ctx.playbook:
        return f"make leg {first!r} start on submission: remove its `after:` (and `activation: wait`, if written)"
    return f'set "activation": "root" on node {first!r} and remove the edges into it'


@rule(
    "GC207",
    "unreachable",
    summary="a node is only reachable from nodes that never activate",
    source=f"{_REFERENCE_SOURCE} (activation) and Edge Triggers",
    flagged="  eth-hedge:",
    structural=True,
)
def check_unreachable(ctx):
    """A leg can only be started by legs that never start themselves, so it never starts either.

    ## What it checks

    graphc follows the edges forward from every `root` node. A `wait` node that is
    not reached that way never starts. A dead leg with no incoming edge at all is an
    orphan (GC204); GC207 marks the `wait` legs that do have incoming edges, but
    only from legs that never start (orphans, loops, or other such legs), so you can
    see everything that will not trade.

    The example below silences GC204 on the orphan with a file-level comment so that
    it shows GC207 alone; normally you would see both codes.

    ## Why it matters

    A whole branch of the graph silently never trades while the root legs fill as
    usual, so nothing looks wrong at first. In the example the ETH leg was switched
    to `wait` during testing; the BTC leg still trades, but the ETH buy and its perp
    hedge never go out.

    ## Failing example

    `eth-hedge` waits for `eth`, which waits for nothing:

    ```yaml
    graphc: 1
    name: majors-basis
    # graphc: ignore-file[GC204]
    legs:
      btc:
        buy: 0.1
        symbol: BTC-USD
      eth:
        buy: 2
        symbol: ETH-USD
        activation: wait
      eth-hedge:
        sell: 2
        symbol: ETH-USD-PERP
        after: eth filled
    ```

    ## Fix

    Make the start of the dead chain start: here `eth` should be a root, so remove
    its `activation: wait` (or give it an `after:`). Nothing is orphaned any more,
    so the suppression comment goes as well:

    ```yaml
    graphc: 1
    name: majors-basis
    legs:
      btc:
        buy: 0.1
        symbol: BTC-USD
      eth:
        buy: 2
        symbol: ETH-USD
      eth-hedge:
        sell: 2
        symbol: ETH-USD-PERP
        after: eth filled
    ```
    """
    facts = ctx.facts
    roots = _roots(ctx)
    if not roots:
        return  # GC206 is the one fix
    by_id = facts.by_id
    if facts.forward_only and all(by_id[n].activation != "wait" for n in by_id.keys() - facts.incoming.keys()):
        # Every edge leads forward and every waiting node has an edge into it: by induction on the position,
        # each node is a root or the child of an earlier node that activates, so all activate (no search).
        return
    seeds = roots + sorted(facts.dangling) if facts.dangling else roots
    reached, stack, children = set(seeds), list(seeds), facts.children  # the reached set is all that counts
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in reached:
                reached.add(child)
                stack.append(child)
    if len(reached) == len(facts.by_id):  # every node reached (all are ids of by_id): nothing to report
        return
    for node_id, node in facts.by_id.items():
        incoming = facts.incoming.get(node_id)
        if node.activation == "wait" and incoming and node_id not in reached:
            parents = sorted({edge.src for edge in incoming}, key=lambda n: facts.by_id[n].index)
            yield Finding(
                node.at("node_id"),
                f"node {node_id!r} never activates: its incoming edges come only from "
                f"{_names(parents)}, which never {'activates' if len(parents) == 1 else 'activate'}",
                hint="connect it (or one of its ancestors) to a root node; check for orphans and cycles",
            )


@rule(
    "GC208",
    "trigger-condition",
    summary="trigger and condition do not match; on_price that fires at once or never",
    source=(
        "orders-and-execution-graphs.md, Edge Triggers (on_fill_ratio: condition.fill_ratio_gte; on_timeout: ms; "
        "on_price: direction, reference graph_entry_price, offset_pct); playbook-spec.md §8 (GC208: an on_price "
        "that never fires; GC304: prediction prices strictly inside 0..1, Kalshi 0.01-0.99) and §4 (the projected "
        "trigger level); venue-rules.md §0-§2 and Mapping (GC304 range: Polymarket tick <= p <= 1 - tick; Kalshi "
        "0.01-0.99)"
    ),
    flagged="    after: entry filled 150%",
    structural=True,
)
def check_triggers(ctx):
    """An edge's trigger and its condition do not fit together.

    ## What it checks

    Some triggers carry a parameter, and graphc checks that it makes sense:

    - `on_fill_ratio` (`L filled 50%`, or `fill_ratio: 50%` in an edge mapping)
      needs a ratio greater than 0% and at most 100%; `L filled 150%` or
      `L filled 0%` is GC208;
    - `on_timeout` (`L + 5s`) needs a positive delay; `L + 0s` is GC208, and so
      is `"ms": 0` (or less) in a wire graph, whose schema leaves that bound to
      this rule;
    - only `on_fill_ratio` takes a condition: a `fill_ratio` on any other trigger,
      or an `on_fill_ratio` edge without one (possible in edge mappings and wire
      graphs), is GC208;
    - `on_price` (`L price SYMBOL below entry -5%`) must be able to fire, and not
      at once: `below` with a positive offset, or `above` with a negative one,
      names a level on the wrong side of the entry, so it fires as soon as the
      graph starts; `below` with an offset of -100% or less waits for the price to
      reach zero and never fires; a `reference` other than `graph_entry_price`,
      the one the router documents, is GC208 too;
    - on a prediction market, whose prices stay inside the range GC304 checks
      limit prices against (Kalshi 0.01 to 0.99; Polymarket tick to 1 − tick,
      0.001 to 0.999 at its usual 0.001 tick; any other prediction market
      strictly between 0 and 1), `above` a level over the top of that range, or
      `below` one under its bottom, never fires either: a take-profit
      `entry price KXBTCD-25DEC31-T100000 above entry 10.5%` behind an entry at
      0.90 waits for 0.9945, and Kalshi trades at 0.99 at most. A level exactly
      at the top or bottom of the range can fire and is not reported. The
      range is the one of the market the edge's `from` or `to` leg trades on
      the trigger's symbol (its venue, tick and price bands, from the quotes
      snapshot and `graphc.toml` as well); for a symbol neither leg trades,
      strictly between 0 and 1. The level is projected as for the `trigger`
      price base (the `from` leg's limit price on the trigger's symbol, else
      the quote mid of that symbol; playbook-spec.md §4); when it cannot be
      projected, this part of the check says nothing. The hint gives the
      largest offset that still fires on that market (`at most +10% from
      0.9` on Kalshi).

    ## Why it matters

    A fill ratio above 100% is never reached: the parent stops filling at 100%, so
    the dependent leg never starts and the entry stays unhedged. A stop written
    `below entry 5%` (a rise, where a fall was meant) sells the moment the entry
    fills; one at `-150%` never protects anything, and neither does a
    prediction take-profit waiting for a price its market never trades at. A zero timeout
    fires at once and defeats the wait it was written for. A condition on a trigger
    that ignores it makes the author believe the hedge waits for half the fill when
    it actually fires on something else entirely.

    ## Failing example

    The hedge waits until the entry is 150% filled, which never happens:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entry filled 150%
    ```

    ## Fix

    Use a ratio between 0% and 100% (or `entry filled` for a complete fill):

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entry filled 50%
    ```
    """
    for j, edge in enumerate(ctx.raw_edges):
        if not isinstance(edge, dict):
            continue
        trigger = edge.get("trigger")
        if type(trigger) is str:
            if trigger in _PLAIN_TRIGGERS and "condition" not in edge:
                continue  # the usual edge: nothing to report
            if trigger == RATIO_TRIGGER and _usual_ratio(edge.get("condition")):
                continue  # a valid trigger name with a ratio in (0, 1]: nothing to report
        elif type(trigger) is dict and len(trigger) == 1 and "condition" not in edge:
            params = trigger.get("on_timeout")
            if type(params) is dict and _usual_timeout(params.get("ms")):
                continue  # on_timeout after a positive number of ms: nothing to report
            params = trigger.get("on_price")
            if type(params) is dict:  # a well-formed on_price trigger: only its parameters can be wrong
                yield from _price_findings(ctx, j, params)
                continue
        problem = trigger_problem(trigger)
        if problem:
            hint = problem[1]
            if ctx.playbook and trigger_name(trigger) == "on_timeout":  # the one such trigger a playbook compiles
                hint = f"wait a positive time: `{edge.get('from_node')} + 5s` (in an edge mapping, {_TIMEOUT_KEYS})"
            yield Finding(_trigger_at(j, trigger), f"{edge_label(ctx, j)}: {problem[0]}", hint=hint)
        elif trigger == RATIO_TRIGGER:
            yield from _ratio_findings(ctx, j, edge)
        elif "condition" in edge:
            yield Finding(
                ("edges", j, "condition"),
                f"{edge_label(ctx, j)}: a condition only applies to on_fill_ratio, not {trigger_name(trigger)}",
                hint=condition_hint(ctx),
            )
        elif isinstance(trigger, dict) and "on_price" in trigger:
            yield from _price_findings(ctx, j, trigger["on_price"])


_TIMEOUT_KEYS = "`trigger: {on_timeout: {ms: 5000}}`"


def _trigger_at(j: int, trigger) -> tuple:
    """Where a trigger problem is reported: at ``on_timeout.ms`` when that value is there and wrong (spec §1: at the
    offending scalar, as a ratio out of range is at ``fill_ratio_gte``; audit wirelint23 6), else at the trigger."""
    params = trigger.get("on_timeout") if type(trigger) is dict else None
    if type(params) is dict and "ms" in params:
        return ("edges", j, "trigger", "on_timeout", "ms")
    return ("edges", j, "trigger")


def condition_hint(ctx) -> str:
    """GC208's hint for a condition on a trigger that ignores it, in the keys of the input's form."""
    if ctx.playbook:
        return "delete `fill_ratio` from the edge mapping, or write `trigger: on_fill_ratio`"
    return 'delete the condition, or write "trigger": "on_fill_ratio"'


def _usual_ratio(condition) -> bool:
    """``condition.fill_ratio_gte`` is a finite number in (0, 1], read without making a Decimal (as
    :func:`~graphc.stages.wiregraph.fill_ratio` reads it; False leaves the edge to the full check)."""
    raw = _finite(condition.get(RATIO_CONDITION)) if type(condition) is dict else None
    return raw is not None and 0 < raw <= 1


def _usual_timeout(ms) -> bool:
    """``ms`` is a finite number above 0, as :func:`~graphc.stages.wiregraph.trigger_problem` reads it
    (False leaves the edge to the full check)."""
    value = _finite(ms)
    return value is not None and value > 0


def _finite(value) -> int | float | Decimal | None:
    """``value`` when it is a finite int, float or Decimal (not a bool; any Decimal subclass), else None: the numbers
    :func:`~graphc.stages.wiregraph.number` accepts, kept as they are. A finite float compares with
    0 and 1 exactly as the Decimal of its repr does (1, 0 and the float are exact binary values)."""
    kind = type(value)
    if kind is int:
        return value
    if kind is float:
        return value if -_INF < value < _INF else None  # NaN and the infinities fail
    if isinstance(value, Decimal):  # compile writes fractions as a Decimal subclass (shown as a JSON float)
        return value if value.is_finite() else None
    return None


_INF = float("inf")


def _ratio_findings(ctx, j, edge):
    condition = edge.get("condition")
    raw = condition.get("fill_ratio_gte") if isinstance(condition, dict) else None
    src = edge.get("from_node")
    if raw is None:
        where = ("edges", j, "condition") if "condition" in edge else ("edges", j, "trigger")
        yield Finding(
            where,
            f"{edge_label(ctx, j)}: on_fill_ratio needs condition.fill_ratio_gte, a ratio in (0, 1]",
            hint=f"write `{src} filled 50%` (in an edge mapping, `fill_ratio: 50%`)"
            if ctx.playbook
            else 'add "condition": {"fill_ratio_gte": 0.5}',
        )
        return
    if fill_ratio(condition) is None:
        yield Finding(
            ("edges", j, "condition", "fill_ratio_gte"),
            f"{edge_label(ctx, j)}: fill_ratio_gte {_plain_number(raw)} is outside (0, 1]",
            hint=f"a ratio is a share of the size of {src!r}, above 0% and at most 100%: `{src} filled 50%`, or "
            f"`{src} filled` for all of it (in an edge mapping, `fill_ratio: 50%`)"
            if ctx.playbook
            else 'a ratio is a fraction of the parent\'s size: "fill_ratio_gte": 0.5 means 50%; for 100%, '
            '"trigger": "on_full_fill" without the condition',
        )


def _price_findings(ctx, j, params):
    """on_price that can never mean what it says: it fires at once, never, or against an unknown reference.

    The edge's label is made only for a finding (most on_price edges have none)."""
    where = ("edges", j, "trigger")
    direction, reference, offset = params.get("direction"), params.get("reference"), number(params.get("offset_pct"))
    if reference not in PRICE_REFERENCES:
        yield Finding(
            where,
            f"{edge_label(ctx, j)}: on_price reference {reference!r} is not one the router documents "
            f"({', '.join(PRICE_REFERENCES)})",
            hint="write `reference: graph_entry_price` in the trigger mapping"
            if ctx.playbook
            else 'write "reference": "graph_entry_price"',
        )
    if offset is None:
        return
    if direction == "below" and offset <= -100:
        yield Finding(
            where,
            f"{edge_label(ctx, j)}: on_price below entry {_pct(offset)} waits for the price to fall to zero or less: it never fires",
            hint="a stop is a small negative offset, e.g. {}{}".format(*_move(ctx, "below", Decimal(-5))),
        )
    elif direction == "below" and offset > 0:
        yield Finding(
            where,
            f"{edge_label(ctx, j)}: on_price below entry {_pct(offset)} is above the entry price, so it fires at once",
            hint="write {} to fire after a fall{}".format(*_move(ctx, "below", -offset)),
        )
    elif direction == "above" and offset < 0:
        yield Finding(
            where,
            f"{edge_label(ctx, j)}: on_price above entry {_pct(offset)} is below the entry price, so it fires at once",
            hint="write {} to fire after a rise{}".format(*_move(ctx, "above", -offset)),
        )
    elif (direction == "above" and offset > 0) or (direction == "below" and offset < 0):
        found = _outside_prediction_range(ctx, j, params, direction, offset)
        if found is not None:
            yield found


def _move(ctx, direction: str, offset: Decimal) -> tuple[str, str]:
    """An on_price move as the input writes it, and an aside: `below entry -5%` in an `after:` text (the aside:
    ``offset_pct: -5`` in an edge mapping), ``"offset_pct": -5`` in a wire graph (no aside)."""
    if ctx.playbook:
        return f"`{direction} entry {_pct(offset)}`", f" (in an edge mapping, `offset_pct: {shown(offset)}`)"
    return f'"offset_pct": {shown(offset)}', ""


def _outside_prediction_range(ctx, j, params, direction: str, offset: Decimal) -> Finding | None:
    """GC208 for an on_price level a prediction market's price never reaches: ``above`` a level over the market's
    highest price, or ``below`` one under its lowest, in the range GC304 reads (``MarketFacts.limits["price"]``:
    Kalshi 0.01-0.99, Polymarket tick .. 1 - tick; venue-rules.md §0-§2), else strictly inside 0..1 (spec GC304;
    audits exec20 4, rules26 1). A level exactly at the edge of the range fires. Only where the level can be
    projected (spec §4: the ``from`` leg's limit on the trigger's symbol, else the snapshot mid); a level that
    cannot be is no finding here."""
    symbol = params.get("symbol")
    edge = ctx.raw_edges[j]
    src, dst = edge.get("from_node"), edge.get("to_node")
    prediction, market = _prediction_market(ctx, symbol, src, dst) if isinstance(symbol, str) else (False, None)
    if not prediction:
        return None
    reference, basis = ctx.trigger_reference(src, symbol)
    if reference is None:
        return None  # the level cannot be projected: nothing to say here
    level = projected_level(reference, offset)
    above = direction == "above"
    low, high = market.limits["price"] if market is not None else (None, None)
    bound = high if above else low
    if bound is not None:  # the market's own range: a level on its edge fires
        if (level <= bound) if above else (level >= bound):
            return None
        side = "below" if above else "above"
        why = f"{market.venue if market is not None and market.venue else 'its market'}'s prices stay at or {side} "
        why += shown(bound)
        keep, within = f"at or {side} {shown(bound)}", "at most" if above else "down to"
    else:  # a prediction price is strictly inside 0..1
        bound = _ONE if above else _ZERO
        if (level < bound) if above else (level > bound):
            return None
        why = keep = "below 1" if above else "above 0"
        why, within = f"prediction prices stay {why}", "under" if above else "above"
    room = ""
    if reference > 0:  # the offset that reaches the bound, cut toward zero (never past it) to 0.01%
        most = cents_down(_CUT.divide(_CUT.multiply(bound, 100), reference) - 100)
        if (most > 0) if above else (0 > most > -100):
            room = f" ({within} {_pct(most)} from {shown(reference)})"
    alternative = ", or take profit with a resting limit sell after the entry fills" if above else ""
    return Finding(
        ("edges", j, "trigger"),
        f"{edge_label(ctx, j)}: on_price {direction} entry {_pct(offset)} on {symbol}, a prediction market, waits "
        f"for the price to reach {shown(level)} (from {basis}): {why}, so it never fires",
        hint=f"choose an offset that keeps the level {keep}{room}{alternative}",
    )


def _prediction_market(ctx, symbol: str, src, dst) -> tuple[bool, MarketFacts | None]:
    """Whether the ``symbol`` an on_price edge watches is a prediction market, and its facts (GC304's range) where
    the edge's ``from`` or ``to`` leg trades it; else as its shape says (spec §3.1 rules 3-4), with no facts
    (its prices then known only to be strictly inside 0..1)."""
    for node_id in (src, dst):
        node = ctx.node(node_id) if isinstance(node_id, str) else None
        if node is not None and node.symbol == symbol:
            return node.type == "prediction" or bool(node.market.prediction), node.market
    return prediction_venue(symbol) is not None, None


_ONE, _ZERO = Decimal(1), Decimal(0)
_CUT = Context(prec=60, rounding=ROUND_DOWN)  # 100 ÷ a reference price, cut: a hint never offers an offset past it


def _plain_number(value) -> str:
    """A wire number a message names, in plain notation however the file spelled it (``0e3`` is ``0``, never
    Decimal's ``0E+3``: audit decomp26 4); one graphc holds has at most 40 digits between 1e-40 and 1e40
    (graphc.inputs.wire_number_diagnostics), so it is never absurdly long. Anything else as :func:`shown` says it."""
    if type(value) is int or (isinstance(value, Decimal) and value.is_finite()):
        return plain(Decimal(value))
    return shown(value)


def _pct(value: Decimal) -> str:
    return ("+" if value > 0 else "") + shown(value) + "%"  # exact: normalize() would round past 28 digits


@rule(
    "GC209",
    "derived-without-fills",
    summary="a derived quantity with no incoming fill edge",
    source='orders-and-execution-graphs.md, Node Fields (quantity "derived") and Edge Triggers (the fill triggers)',
    flagged="    sell: derived",
    structural=True,
)
def check_derived(ctx):
    """A leg sized `derived` has no incoming fill edge to take its size from.

    ## What it checks

    `derived` (for example `sell: derived`) means the leg's size follows the fills
    of the leg that triggers it. The router takes that size from fill triggers:
    `first fill` (`on_first_fill`), `each fill` (`on_fill`), `filled N%`
    (`on_fill_ratio`) and `filled` (`on_full_fill`). GC209 is reported when a
    `derived` leg has none of these among its incoming edges: it is a root, or it is
    triggered only by `accepted`, a timeout, `cancelled`, `done` or a price
    condition.

    ## Why it matters

    With no fills to follow, the size of the leg is undefined, so the order cannot
    be placed. A derived leg is almost always a hedge, so the outcome is an entry
    that fills and a hedge that never trades.

    ## Failing example

    The hedge follows the entry's size but is triggered when the entry is accepted,
    before anything has filled:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: derived
        symbol: BTC-USD-PERP
        after: entry accepted
    ```

    ## Fix

    Trigger the hedge on fills; `each fill` hedges every fill as it arrives:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: derived
        symbol: BTC-USD-PERP
        after: entry each fill
    ```
    """
    facts = ctx.facts
    for node_id, node in facts.by_id.items():
        if not node.derived:
            continue
        incoming = facts.incoming.get(node_id, [])
        if any(isinstance(edge.trigger, str) and edge.trigger in FILL_TRIGGERS for edge in incoming):
            continue
        have = ", ".join(f"{edge.trigger_name} from {edge.src!r}" for edge in incoming[:3]) or "none"
        yield Finding(
            node.at("quantity"),
            f"node {node_id!r} has a derived quantity but no incoming fill edge "
            f"(incoming: {have}); its size has nothing to follow",
            hint=_derived_hint(ctx, node_id, incoming),
        )


def _derived_hint(ctx, node_id: str, incoming) -> str:
    """GC209's fix in the input's form, naming the parent: the leg an edge already comes from, else the first
    root that is not the leg."""
    parent = incoming[0].src if incoming else next((r for r in ctx.roots if r != node_id), None)
    if parent is None:
        return "trigger it on a parent's fills (a fill trigger: each fill, filled), or give it a fixed quantity"
    if ctx.playbook:
        return (
            f"trigger it on the fills of {parent!r} (`after: {parent} each fill` or `after: {parent} filled`), or "
            "give it a fixed quantity"
        )
    fills = '"trigger": "on_fill" or "on_full_fill"'
    if incoming:
        return f"trigger the edge from {parent!r} on its fills ({fills}), or give it a fixed quantity"
    return (
        f'add an edge from {parent!r} that triggers on its fills ({fills}) and set its "activation": "wait", '
        "or give it a fixed quantity"
    )


@rule(
    "GC210",
    "duplicate-edge",
    summary="two edges with the same from, to and trigger, or the same edge_id",
    source=(
        "playbook-spec.md §5 and §8 (each `after:` entry is one edge; a node starts once); "
        "orders-and-execution-graphs.md, Get Graph Status (edges keyed by edge_id)"
    ),
    flagged="  - {from: entry, to: hedge, trigger: on_full_fill}",
    structural=True,
)
def check_duplicate_edges(ctx):
    """Two edges connect the same two legs with the same trigger, or share an edge id.

    ## What it checks

    Edges are compared by their `from` leg, `to` leg and trigger, including the
    trigger's parameters and condition: two timeouts of 5s are the same trigger,
    while `filled 50%` and `filled 80%` are different edges. Two edges that agree on
    all of these are duplicates. They usually come from writing the same dependency
    twice: once as `after:` on the leg and once in the top-level `edges:` list, or
    twice in one `after:` list.

    In a wire graph (`.json`), two edges with the same `edge_id` are also
    duplicates, whatever they connect; the finding is at the second one's
    `edge_id`. A playbook never has this: graphc numbers its edges itself. (The spec
    has no row for a repeated edge id. It is reported here, not under GC203, because
    GC203 is about node ids and this is an edge that repeats another; graphc's
    sandbox router, which runs this rule, refuses the graph under GC210 too.)

    ## Why it matters

    The router reports each edge's status keyed by its `edge_id` (Get Graph Status
    answers `"edges": {"e0": {"status": "fired", ...}}`), so two edges called `e0`
    cannot both be tracked, and graphc's sandbox refuses such a graph.

    A copy of the same dependency adds nothing, but it hides what the author meant. Often one of the two
    was supposed to be different, such as a timeout fallback or a fill-ratio
    trigger, and that edge is simply not in the graph. Anyone reading the playbook
    also has to work out that deleting one copy would change nothing.

    ## Failing example

    `after: entry filled` and the `edges:` entry both mean `entry → hedge` on a full
    fill:

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entry filled
    edges:
      - {from: entry, to: hedge, trigger: on_full_fill}
    ```

    ## Fix

    Keep one of them (or change the second into the edge you actually wanted):

    ```yaml
    graphc: 1
    name: btc-basis
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
      hedge:
        sell: 0.5
        symbol: BTC-USD-PERP
        after: entry filled
    ```
    """
    repeats = set()
    edges = ctx.edges
    if len(edges) >= 2 and not _no_repeated_pair(ctx.facts):  # else no two edges join the same two nodes
        seen = {}
        for edge in edges:
            trigger, condition = edge.trigger, edge.condition
            key = (
                edge.src,
                edge.dst,
                trigger if type(trigger) is str else _freeze(trigger),
                condition if condition is None else _freeze(condition),
            )
            if key in seen:
                repeats.add(edge.index)
                yield Finding(
                    ("edges", edge.index),
                    f"{edge_label(ctx, edge.index)} repeats {edge_label(ctx, seen[key])}: "
                    f"{edge.src} → {edge.dst}, trigger {trigger_name(edge.trigger)}",
                    hint="delete the repeated edge (or the repeated `after:` entry)",
                )
            else:
                seen[key] = edge.index
    yield from _repeated_edge_ids(ctx.raw_edges, repeats)


def _repeated_edge_ids(raw_edges: list, reported: set[int]):
    """Edges whose ``edge_id`` an earlier edge already has (one dict pass: linear in the edges).

    Every edge with a string id counts, resolved or not (the router refuses the graph either way); an
    edge already reported as a structural repeat is not reported again for its id.
    """
    first: dict[str, int] = {}
    for j, edge in enumerate(raw_edges):
        edge_id = edge.get("edge_id") if type(edge) is dict else None
        if type(edge_id) is not str:
            continue
        earlier = first.setdefault(edge_id, j)
        if earlier != j and j not in reported:
            yield Finding(
                ("edges", j, "edge_id"),
                f"edges[{j}] repeats the edge id {edge_id!r} of edges[{earlier}]",
                hint="give every edge a unique edge_id: the router tracks each edge's status by its id",
            )


def _no_repeated_pair(facts) -> bool:
    """No two edges join the same two nodes: no node with two edges out (a fork) leads twice to one node."""
    if facts.forks is None:
        return len({(edge.src, edge.dst) for edge in facts.edges}) == len(facts.edges)
    children = facts.children
    return all(len(set(children[fork])) == len(children[fork]) for fork in facts.forks)


def _freeze(value):
    """A hashable, structurally comparable form of a wire value."""
    if isinstance(value, dict):
        return frozenset((key, _freeze(item)) for key, item in value.items())
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


# Report order: references before the graph built from them, then activation.
RULES = [
    check_duplicate_nodes.rule,
    check_unknown_legs.rule,
    check_duplicate_edges.rule,
    check_triggers.rule,
    check_cycles.rule,
    check_orphans.rule,
    check_roots_with_edges.rule,
    check_no_root.rule,
    check_unreachable.rule,
    check_derived.rule,
]

# The codes whose findings are never said once for an identical one (Rule.structural), for the Compile layer's
# collapse of identical errors (graphc.stages.model), which may not read lint's registry; a test holds it equal to
# the registry's rules that declare the flag, whatever their family
STRUCTURAL_CODES = frozenset(r.code for r in RULES if r.structural)
