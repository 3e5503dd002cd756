"""Read a file that ``graph`` and ``decompile`` accept: a playbook, a wire graph or a simple order.

The router takes a full graph (``{"nodes": [...], ...}``) or a simple order
(``{symbol, side, qty, price?, venue?}``) that it wraps into a one-node graph.
Both become one wire dict here, wrapped exactly as ``graphc lint`` wraps them,
so every command sees the same graph for the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphc.inputs import (
    PLAYBOOK,
    SIMPLE,
    WIRE,
    incomplete_simple_order,
    kind_of,
    not_graphc,
    wire_diagnostics,
    wire_number_diagnostics,
    wire_symbol_diagnostics,
    wrap_simple_order,
)
from graphc.stages.load import load_text


@dataclass
class GraphInput:
    kind: str  # "playbook" | "wire" | "simple" | "unknown"
    doc: object = None  # graphc.stages.load.Document, None when the YAML did not load
    wire: dict | None = None  # for "wire" and "simple"
    diagnostics: list = field(default_factory=list)
    locator: object = None  # a simple order's: its wrapped node's wire paths -> the order's spans

    def span(self, path):
        """The input's span of the wire ``path`` (or its nearest ancestor's), for a diagnostic about a value of
        ``wire`` found after loading (decompile's refusals): a simple order's through the paths its wrapping
        mapped, a wire graph's as written."""
        if self.locator is not None:
            return self.locator.span(path)
        return None if self.doc is None else self.doc.span(path)


def read_graph_input(text: str, path: str) -> GraphInput:
    """Classify and load ``text``; wire graphs are checked against the wire JSON Schema, their fractional
    numbers against the range graphc can hold (GC103: graph and decompile show and write them), and their symbols
    as every input's are (GC103, :func:`graphc.inputs.wire_symbol_diagnostics`)."""
    doc, diagnostics = load_text(text, path)
    if doc is None:
        return GraphInput("unknown", None, None, diagnostics)
    kind = kind_of(doc.data)
    if kind == PLAYBOOK:
        return GraphInput(PLAYBOOK, doc, None, diagnostics)
    if kind == WIRE:  # checked as `graphc lint` checks it (graphc.inputs.read_wire_graph), rules aside
        schema = wire_diagnostics(doc)
        # its schema check stopped at GRAPHC_MAX_DIAGNOSTICS: the rest of the graph was not checked, nor is it read
        checked = [] if schema.stopped else wire_number_diagnostics(doc, schema) + wire_symbol_diagnostics(doc)
        return GraphInput(WIRE, doc, doc.data, diagnostics + schema + checked)
    if kind == SIMPLE:
        wire, locator, wrap_diagnostics = wrap_simple_order(doc)
        return GraphInput(SIMPLE, doc, wire, diagnostics + wrap_diagnostics, locator)
    return GraphInput("unknown", doc, None, [*diagnostics, *(incomplete_simple_order(doc) or [not_graphc(doc)])])
