"""Draw a wire graph: Mermaid text, Graphviz DOT text, and SVG/PNG through ``dot``.

Reviewers want to see an order graph, not read its JSON. Everything a picture
shows is decided once, in :func:`picture` (box lines in the playbook's words,
arrow labels in trigger words, which boxes are roots, the limits note); the
writers below only lay that out in their syntax, so Mermaid and DOT always say
the same thing.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from graphc import humanize as H
from graphc.diagnostics import escaped_char
from graphc.facts import edge_targets, router_reading
from graphc.limits import limit
from graphc.units import UnitError, parse_quantity

INSTALL_HINT = (
    "Graphviz's `dot` is needed for svg and png; install it (`apt-get install graphviz`, "
    "`brew install graphviz`, or `choco install graphviz`), or use --format mermaid or dot"
)


@dataclass
class Box:
    key: str  # a safe identifier for both syntaxes: n0, n1, ...
    title: str
    lines: list
    root: bool = False
    unknown: bool = False  # an edge names a node the graph does not have


@dataclass
class Picture:
    boxes: list
    arrows: list  # (source key, target key, label)
    note: list = field(default_factory=list)  # the limits note, first line is the title


@dataclass
class NodeText:
    """What only a playbook knows about a node: its price and size as written."""

    price: str | None = None  # a template price as the leg reads after rendering, e.g. "ask + 1 tick"
    quantity: str | None = None  # the quantity as written, e.g. "$250k"


class GraphvizMissing(RuntimeError):
    pass


# How long `dot` may lay out a picture (docs/robustness.md, "Drawing"): its time grows faster than the graph (1,000
# legs took 1.6 s for svg, 3,000 took 9.4 s, 10,000 did not finish in 120 s: audit scale25 5).
DOT_SECONDS = limit("MAX_DOT_SECONDS", 120)
# Boxes past which svg and png are warned of before `dot` starts: at 3,000 legs an svg took 9.4 s and a png was
# scaled to 24% to fit cairo's bitmap limit (unreadable); at 1,000, 1.6 s and 55% (audit scale25 5).
DOT_PRACTICAL_BOXES = 2_000
DOT_WARNINGS_SHOWN = 5  # lines of dot's stderr passed on; the rest are counted


def picture(wire: dict, *, name: str | None = None, texts: dict | None = None) -> Picture:
    """What to draw for ``wire``; ``texts`` maps node ids to :class:`NodeText` for playbooks."""
    texts = texts or {}
    boxes: list = []
    keys: dict[str, str] = {}
    targets = edge_targets(wire.get("edges") or [])
    for node in wire.get("nodes") or []:
        key = f"n{len(boxes)}"
        keys.setdefault(node.get("node_id"), key)
        boxes.append(_box(key, node, texts.get(node.get("node_id")) or NodeText(), targets))
    arrows = []
    for edge in wire.get("edges") or []:
        ends = []
        for end in (edge.get("from_node"), edge.get("to_node")):
            if end not in keys:
                keys[end] = f"n{len(boxes)}"
                boxes.append(Box(keys[end], str(end), ["not in this graph"], unknown=True))
            ends.append(keys[end])
        arrows.append((ends[0], ends[1], H.edge_label(edge)))
    return Picture(boxes, arrows, _note(wire, name))


def _box(key, node, text: NodeText, targets) -> Box:
    """A node's box. A type or activation the node leaves to the router is drawn as the router reads it (as lint's
    GC111 and decompile read it), marked ``by default``."""
    instrument = node.get("instrument") or {}
    read_type, read_activation = router_reading(node, targets)
    symbol, venue = instrument.get("symbol", "?"), instrument.get("venue")
    type_ = f"{read_type}, by default" if read_type else instrument.get("type", "?")
    root = (read_activation or node.get("activation")) == "root"
    lines = [
        f"{node.get('side', '?')} {_size(node.get('quantity'), instrument, text)}",
        f"{symbol} ({type_})",
        f"venue {venue}" if venue else "any venue (router picks)",
        _price(node.get("order_type"), text),
    ]
    execution = H.execution_text(node.get("execution") or {})
    if execution:
        lines.append(execution)
    title = str(node.get("node_id"))
    if root:
        title += " (root, by default)" if read_activation else " (root)"
    return Box(key, title, lines, root=root)


def _size(quantity, instrument, text: NodeText) -> str:
    unknown = isinstance(quantity, dict) and (quantity.get("fixed") or {}).get("qty_1e8") is None
    if unknown and text.quantity:
        return text.quantity
    size = H.size_text(quantity, instrument.get("symbol", ""), instrument.get("type"), instrument.get("venue"))
    try:
        notional = text.quantity is not None and parse_quantity(text.quantity).kind == "notional"
    except UnitError:
        notional = False
    return f"{size} ({text.quantity})" if notional else size


def _price(order_type, text: NodeText) -> str:
    if order_type == "market":
        return "market"
    price = ((order_type or {}).get("limit") or {}).get("price_1e9") if isinstance(order_type, dict) else None
    shown = None if price is None else H.number(H.price_of(price))
    if text.price:
        return f"limit {text.price}" + (f" = {shown}" if shown else "")
    return f"limit {shown or '?'}"


def _mode(is_sandbox) -> str:
    """The graph's mode as `plan` says it: a graph without ``is_sandbox`` is not a sandbox graph, the router's
    default decides (docs/submitting.md; hosted-strategies.md: only the flag or a seq_test_* key forces sandbox)."""
    if is_sandbox is True:
        return "sandbox"
    if is_sandbox is False:
        return "LIVE (not sandboxed)"
    return "mode NOT SET: no is_sandbox (the router's default decides)"


def _note(wire, name) -> list:
    risk = wire.get("risk") or {}
    notional = (risk.get("admission") or {}).get("max_notional_usd")
    loss = (risk.get("runtime") or {}).get("max_loss_usd")
    lines = [name or "execution graph", _mode(wire.get("is_sandbox"))]
    if notional is not None:
        lines.append(f"max notional {H.money_text(notional)}")
    if loss is not None:
        lines.append(f"max loss {H.money_text(loss)}")
    if notional is None and loss is None:
        lines.append("no risk limits")
    return lines


# -- text both syntaxes draw ----------------------------------------------------------------

# What Graphviz cannot take in a label: XML 1.0 (the syntax of HTML-like labels, and of the SVG dot writes) has
# no NUL, no C0 control but tab, newline and CR, no U+FFFE/U+FFFF, not even as `&#0;`, and a NUL ends a quoted
# DOT string. Each is drawn as an escape, `\x1b`, `\ufffe` (as reports write control characters: docs/output-
# formats.md "Safe to print"), and so are DEL and the C1 controls (valid XML, but invisible); tab, newline and CR
# are spaces. Mermaid draws the same text (:func:`_mermaid_text`): its `#27;` was an invisible ESC, and `#128;`
# an HTML character reference that browsers read as windows-1252, `€` (audit graph27 2).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def _safe_char(match) -> str:
    code = ord(match.group())
    if match.group() in "\t\n\r":
        return " "
    return escaped_char(code)


def _safe_text(text) -> str:
    """``text`` as both syntaxes draw it: control characters as visible escapes, tab and line ends as spaces."""
    return _UNSAFE.sub(_safe_char, str(text))


# -- Mermaid ---------------------------------------------------------------------------

_MERMAID_ESCAPES = {"&": "#38;", '"': "#quot;", "#": "#35;", "<": "#60;", ">": "#62;", "{": "#123;", "}": "#125;"}


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: drawn as DOT draws it (:func:`_safe_text`), then Mermaid's
    ``#code;`` entities for quotes, HTML characters and anything outside ASCII, so every renderer reads it the
    same."""
    out = []
    for ch in _safe_text(text):
        out.append(_MERMAID_ESCAPES.get(ch) or (ch if " " <= ch <= "~" else f"#{ord(ch)};"))
    return "".join(out)


def _mermaid_label(title, lines) -> str:
    return "<b>" + _mermaid_text(title) + "</b>" + "".join("<br/>" + _mermaid_text(line) for line in lines)


# Mermaid's default rendering limits: a diagram of more text or edges is refused, not drawn ("Maximum text size in
# diagram exceeded"; "Edge limit exceeded"), by any renderer that keeps the defaults. maxTextSize:
# https://mermaid.js.org/config/schema-docs/config-properties-maxtextsize.html (50000, the text's length in
# JavaScript's UTF-16 units); maxEdges: https://mermaid.js.org/config/schema-docs/config-properties-maxedges.html
# (500). A 300-leg playbook is about 42,000 characters and 314 edges; 520 legs were 72,774 and 546 (audit scale25 6).
MERMAID_MAX_TEXT_SIZE = 50_000
MERMAID_MAX_EDGES = 500


def mermaid_limits_passed(text: str, edges: int) -> list[str]:
    """Which of Mermaid's default limits ``text`` (:func:`to_mermaid`'s, with ``edges`` arrows) goes past, in words:
    ``72,774 characters (maxTextSize 50,000)``; empty when a renderer with the defaults draws it."""
    passed = []
    size = len(text.encode("utf-16-le")) // 2  # as JavaScript counts a string's length
    if size > MERMAID_MAX_TEXT_SIZE:
        passed.append(f"{size:,} characters (maxTextSize {MERMAID_MAX_TEXT_SIZE:,})")
    if edges > MERMAID_MAX_EDGES:
        passed.append(f"{edges:,} edges (maxEdges {MERMAID_MAX_EDGES:,})")
    return passed


def to_mermaid(pic: Picture) -> str:
    """A ``flowchart LR`` that GitHub renders inside a ```mermaid block."""
    out = ["flowchart LR"]
    for box in pic.boxes:
        label = _mermaid_label(box.title, box.lines)
        shape = ('[["', '"]]') if box.root else ('["', '"]')
        cls = ":::root" if box.root else ":::unknown" if box.unknown else ""
        out.append(f"    {box.key}{shape[0]}{label}{shape[1]}{cls}")
    for source, target, label in pic.arrows:
        out.append(f'    {source} -->|"{_mermaid_text(label)}"| {target}')
    if pic.note:
        out.append(f'    limits>"{_mermaid_label(pic.note[0], pic.note[1:])}"]:::note')
    out += [
        "    classDef root stroke-width:3px,font-weight:bold",
        "    classDef unknown stroke-dasharray:4 4",
        "    classDef note fill:#fff8dc,stroke:#b8a000,stroke-dasharray:4 4",
    ]
    return "\n".join(out) + "\n"


# -- Graphviz ------------------------------------------------------------------------------


def _dot_label(title, lines) -> str:
    body = "".join(f"<br/>{_dot_html(line)}" for line in lines)
    return f"<<b>{_dot_html(title)}</b>{body}>"


def _dot_html(text) -> str:
    """``text`` in an HTML-like label: markup escaped, and each backslash doubled, as in a quoted string
    (:func:`_dot_string`). Graphviz expands ``\\N`` (the node's name), ``\\G`` (the graph's), ``\\T``,
    ``\\H``, ``\\E`` and ``\\L`` in these labels too, and draws ``\\\\`` as one backslash; ``&#92;`` would
    not help, it is decoded first (audit decomp24 2). ``]`` is written ``&#93;``: Graphviz's label parser
    rejects a text chunk that is exactly ``]`` or ``]]`` between two tags, a box titled ``<b>]</b>`` was a syntax
    error (audit graph27 1)."""
    return html.escape(_safe_text(text)).replace("\\", "\\\\").replace("]", "&#93;")


def _dot_string(text) -> str:
    return '"' + _safe_text(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(pic: Picture) -> str:
    """Graphviz DOT text: roots get a double, thick border; the limits are a note."""
    title = pic.note[0] if pic.note else "execution graph"
    out = [
        f"digraph {_dot_string(title)} {{",
        "  rankdir=LR;",
        f'  graph [label={_dot_string(title)}, labelloc=t, fontname="Helvetica", fontsize=14];',
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for box in pic.boxes:
        extra = (
            ', peripheries=2, penwidth=2, style="rounded,filled", fillcolor="#eef5ff"'
            if box.root
            else ', style="rounded,dashed"'
            if box.unknown
            else ""
        )
        out.append(f"  {box.key} [label={_dot_label(box.title, box.lines)}{extra}];")
    for source, target, label in pic.arrows:
        out.append(f"  {source} -> {target} [label={_dot_string(label)}];")
    if pic.note:
        out.append(
            f'  limits [shape=note, style=filled, fillcolor="#fff8dc", label={_dot_label("limits", pic.note[1:])}];'
        )
    out.append("}")
    return "\n".join(out) + "\n"


def dot_available() -> bool:
    return shutil.which("dot") is not None


def run_graphviz(dot_text: str, fmt: str, *, warn: Callable[[str], None] | None = None) -> bytes:
    """``dot -T<fmt>`` on ``dot_text``, for at most :data:`DOT_SECONDS`; raises GraphvizMissing, or RuntimeError with
    dot's message (or that it took too long: dot is stopped). When dot succeeds, what it said on stderr (``Warning:
    graph is too large for cairo-renderer bitmaps. Scaling by 0.24 to fit``) goes to ``warn``, a line at a time,
    at most :data:`DOT_WARNINGS_SHOWN` lines and a count of the rest (audit scale25 5: it was dropped)."""
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(INSTALL_HINT)
    args = [exe, f"-T{fmt}"] + (["-Gdpi=144"] if fmt == "png" else [])
    try:
        proc = subprocess.run(
            args, input=dot_text.encode("utf-8"), capture_output=True, timeout=DOT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"dot took more than {DOT_SECONDS:,} s and was stopped (GRAPHC_MAX_DOT_SECONDS raises the limit; "
            "-f dot or -f mermaid write the text without laying it out)"
        ) from None
    said = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(said.strip() or f"dot exited {proc.returncode}")
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    if warn is not None:
        for line in lines[:DOT_WARNINGS_SHOWN]:
            warn(line.removeprefix("Warning: ").removeprefix("dot: "))  # ("dot: graph is too large for cairo…")
        if len(lines) > DOT_WARNINGS_SHOWN:
            warn(f"… and {len(lines) - DOT_WARNINGS_SHOWN:,} more lines")
    return proc.stdout
