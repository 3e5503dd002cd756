"""Read a file that ``graph`` and ``decompile`` accept: a playbook, a wire graph or a simple order.

The router takes a full graph (``{"nodes": [...], ...}``) or a simple order
(``{symbol, side, qty, price?, venue?}``) that it wraps into a one-node graph.
Both become one wire dict here, wrapped exactly as ``graphc lint`` wraps them,
so every command sees the same graph for the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SIMPLE_ORDER_KEYS = {"symbol", "side", "qty"}


@dataclass
class GraphInput:
    kind: str  # "playbook" | "wire" | "simple" | "unknown"
    doc: object = None  # graphc.stages.load.Document, None when the YAML did not load
    wire: dict | None = None  # for "wire" and "simple"
    diagnostics: list = field(default_factory=list)


def read_graph_input(text: str, path: str) -> GraphInput:
    """Classify and load ``text``; wire graphs are checked against the wire JSON Schema."""
    from graphc.diagnostics import Diagnostic
    from graphc.pipeline import is_playbook_data
    from graphc.stages.load import load_text

    doc, diagnostics = load_text(text, path)
    if doc is None:
        return GraphInput("unknown", None, None, diagnostics)
    data = doc.data
    if is_playbook_data(data):
        return GraphInput("playbook", doc, None, diagnostics)
    if isinstance(data, dict) and "nodes" in data:
        from graphc.stages.validate import WIRE_SCHEMA, validate

        return GraphInput("wire", doc, data, diagnostics + validate(doc, WIRE_SCHEMA))
    if isinstance(data, dict) and set(data) >= SIMPLE_ORDER_KEYS:
        from graphc.lint import _simple_order

        wrapped = _simple_order(doc)
        return GraphInput("simple", doc, wrapped.wire, diagnostics + wrapped.diagnostics)
    diagnostics.append(
        Diagnostic(
            "GC110",
            "not a playbook (`graphc: 1`), a wire graph (`nodes`) or a simple order (`symbol`, `side`, `qty`)",
            path,
            doc.span(()),
        )
    )
    return GraphInput("unknown", doc, None, diagnostics)
