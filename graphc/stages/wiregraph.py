"""The wire graph's shape, decided once: trigger words, fill ratios, acyclicity.

Lint's graph rules (:mod:`graphc.stages.graph_rules`) report these as findings,
and the local router sandbox (:mod:`graphc.sandbox.validate`) runs those same
rules before it accepts a graph, then reads the accepted graph's triggers and
ratios with the functions here too, so the tool that says "this
graph is fine" and the router stand-in that runs it never disagree about what a
valid trigger or a loop is.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal

from graphc.stages.suggest import did_you_mean
from graphc.vocabulary import RATIO_CONDITION
from graphc.vocabulary import TRIGGER_NAMES as WIRE_TRIGGER_NAMES
from graphc.vocabulary import TRIGGER_OBJECTS as WIRE_TRIGGER_OBJECTS


def number(value) -> Decimal | None:
    """A finite number as a Decimal; None for bools, strings, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return result if result.is_finite() else None


def trigger_name(trigger) -> str:
    """``on_fill`` for a name, ``on_timeout`` for ``{"on_timeout": {...}}``, else a short repr."""
    if isinstance(trigger, dict) and len(trigger) == 1:
        return str(next(iter(trigger)))
    return trigger if isinstance(trigger, str) else repr(trigger)


def trigger_problem(trigger) -> tuple[str, str] | None:
    """(message, hint) when ``trigger`` is not a valid wire trigger, else None."""
    name, valid = trigger_name(trigger), WIRE_TRIGGER_NAMES + WIRE_TRIGGER_OBJECTS
    params = trigger.get(name) if isinstance(trigger, dict) else None
    if name in WIRE_TRIGGER_NAMES:
        return (
            None
            if isinstance(trigger, str)
            else (f"trigger {name!r} is a plain string, not a mapping", f'write "trigger": "{name}"')
        )
    if name == "on_timeout":
        ms = params.get("ms") if isinstance(params, dict) else "nothing"
        value = number(ms)
        if value is None or value <= 0:
            return f"on_timeout needs a positive number of ms, got {ms}", 'write {"on_timeout": {"ms": 5000}}'
        return None
    if name == "on_price":
        return (
            None
            if isinstance(params, dict)
            else (
                f"on_price needs a mapping of parameters, got {params}",
                'write {"on_price": {"symbol": ..., "direction": ...}}',
            )
        )
    what = "the edge has no trigger" if trigger is None else f"unknown trigger {name!r}{did_you_mean(name, valid)}"
    return f"{what}; valid triggers: {', '.join(valid)}", "use a wire trigger name, or an `after:` text (`LEG filled`)"


def fill_ratio(condition) -> Decimal | None:
    """The ``fill_ratio_gte`` of an ``on_fill_ratio`` condition when it is a ratio in (0, 1], else None."""
    raw = condition.get(RATIO_CONDITION) if isinstance(condition, dict) else None
    ratio = number(raw)
    return ratio if ratio is not None and 0 < ratio <= 1 else None


def topological_order(children: dict) -> list | None:
    """Kahn's algorithm over ``{src: [dst, ...]}``: the nodes, parents first, or None when edges form a loop.

    Linear, and no networkx import for the usual DAG. Breadth first, so nodes
    come out in the order ``children`` lists them wherever the edges allow.
    """
    indegree = dict.fromkeys(children, 0)
    for targets in children.values():
        for dst in targets:
            indegree[dst] = indegree.get(dst, 0) + 1
    ready = deque(node for node, degree in indegree.items() if degree == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for child in children.get(node, ()):
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return order if len(order) == len(indegree) else None


def is_acyclic(children: dict) -> bool:
    return topological_order(children) is not None


def find_cycle(children: dict) -> list | None:
    """One elementary cycle of ``{src: [dst, ...]}``, its nodes in order (an edge from the last leads back
    to the first), or None when there is none.

    An iterative depth-first search (linear, no recursion limit). Lint lists
    every loop with networkx; this is for where networkx is absent: a ``graphc
    bundle`` vendors only pure-Python packages, so its run path names one loop.
    """
    state: dict = {}  # ON_PATH while a node is on the current path, DONE once all its children are
    for start in children:
        if start in state:
            continue
        path, pending = [start], [iter(children.get(start, ()))]
        state[start] = _ON_PATH
        while pending:
            for child in pending[-1]:
                seen = state.get(child)
                if seen is _ON_PATH:
                    return path[path.index(child) :]
                if seen is None:
                    state[child] = _ON_PATH
                    path.append(child)
                    pending.append(iter(children.get(child, ())))
                    break
            else:
                state[path.pop()] = _DONE
                pending.pop()
    return None


_ON_PATH, _DONE = object(), object()
