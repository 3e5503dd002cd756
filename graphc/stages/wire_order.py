"""The wire schema's field order: the one order in which a graph's mappings are compared and hashed."""

from __future__ import annotations

import functools
import json

from graphc.resources import read_text


def in_wire_order(value):
    """``value`` (a wire graph, or any part of one) with every mapping's keys in the wire schema's order
    (``node_id, instrument, side, ...``; keys the schema does not name after them, by name): the one order in
    which a graph is hashed for its run key, so the same graph written with its keys in another order (``jq -S``,
    a playbook's ``on_price`` mapping reordered by ``graphc fmt``) is the same run. Compile already writes this
    order, so its graphs come back unchanged."""
    if isinstance(value, dict):
        ranks = _field_ranks()
        unknown = len(ranks)
        keys = sorted(value, key=lambda key: (ranks.get(key, unknown), str(key)))
        return {key: in_wire_order(value[key]) for key in keys}
    if isinstance(value, list):
        return [in_wire_order(item) for item in value]
    return value


def field_places() -> dict[str, set[int]]:
    """Each field name of schemas/wire-graph.schema.json with its places among the ``properties`` of every
    mapping that has it (``symbol``: {0}, first in ``instrument`` and in ``on_price``)."""
    places: dict[str, set[int]] = {}

    def walk(node):
        if isinstance(node, dict):
            for i, name in enumerate(node.get("properties") or {}):
                places.setdefault(name, set()).add(i)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(json.loads(read_text("schemas", "wire-graph.schema.json")))
    return places


@functools.cache
def _field_ranks() -> dict[str, int]:
    """Each field name's place among its mapping's ``properties`` (:func:`field_places`). A name two mappings
    share has one place in both: tests/test_ledger.py holds that true, so one flat table orders every mapping."""
    return {name: min(places) for name, places in field_places().items()}
