"""Stage 7: write the wire graph as JSON text, byte-for-byte reproducible.

``json.dumps`` cannot print a Decimal without going through float, so this is a
small writer for the only types a wire graph holds. Layout matches
``json.dumps(indent=2)``: 2-space indent, ``", "``-free separators per line.
"""

from __future__ import annotations

import json
from decimal import Decimal

from graphc.stages.triggers import JsonFloat


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"non-finite number {value} cannot go on the wire")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if isinstance(value, JsonFloat) and "." not in text:
        text += ".0"
    return "0" if text in ("-0", "") else text


def _write(value, indent: int, out: list):
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        pad = "  " * (indent + 1)
        out.append("{\n")
        for i, (key, item) in enumerate(value.items()):
            out.append(f"{pad}{json.dumps(str(key), ensure_ascii=False)}: ")
            _write(item, indent + 1, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append("  " * indent + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        pad = "  " * (indent + 1)
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(pad)
            _write(item, indent + 1, out)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append("  " * indent + "]")
    elif isinstance(value, bool) or value is None:
        out.append(json.dumps(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    else:
        raise TypeError(f"unexpected {type(value).__name__} in a wire graph")


def to_json(wire: dict) -> str:
    """The wire graph as JSON text with a trailing newline."""
    out: list = []
    _write(wire, 0, out)
    out.append("\n")
    return "".join(out)
