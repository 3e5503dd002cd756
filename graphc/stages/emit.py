"""Stage 7: write the wire graph as JSON text, byte-for-byte reproducible.

``json.dumps`` cannot print a Decimal without going through float, so this is a
small writer for the only types a wire graph holds. Layout matches
``json.dumps(indent=2, ensure_ascii=False)``: 2-space indent, ``", "``-free
separators per line.

It is linear and streams: :func:`write_json` hands the text to ``write`` in
chunks of about a megabyte, so a 100,000-node graph (50 MB of JSON) is never
held as one string or as millions of pieces. What makes it fast: one
type check per value (exact types first, the general ``isinstance`` chain only
for subclasses), strings escaped by the json module's C function, and the
"``,\\n`` + indent + key + ``: ``" prefix of every mapping entry made once per
(key, depth) and reused.
"""

from __future__ import annotations

import json.encoder
from decimal import Decimal

from graphc.stages.triggers import JsonFloat

# json.dumps(s, ensure_ascii=False) for a str, without building an encoder per call
_quote = json.encoder.encode_basestring
_CHUNK = 1 << 20  # characters handed to ``write`` at a time


class AsRead(Decimal):
    """A Decimal written as its own text, digits and exponent as they were read (``1.10``, ``1E+400``): a number of
    another program's JSON (a router's answer, graphc.api.redact.json_text) shown as it came. The wire's own
    numbers are written in plain notation (``500000``, ``0.5``)."""


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"non-finite number {value} cannot go on the wire")
    if type(value) is AsRead:
        return Decimal.__str__(value)  # (a JSON number: digits, a point, an exponent `E+400`)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if isinstance(value, JsonFloat) and "." not in text:
        text += ".0"
    return "0" if text in ("-0", "") else text


def _scalar(value) -> str:
    """The JSON text of a value that is not a dict or list (any subclass of the wire's types)."""
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else "null"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, str):
        return _quote(value)
    raise TypeError(f"unexpected {type(value).__name__} in a wire graph")


class _Writer:
    __slots__ = ("levels", "out", "size", "write")

    def __init__(self, write):
        self.write = write
        self.out: list[str] = []
        self.size = 0  # entries written since the last look at the buffer's length
        self.levels: list[_Level] = []

    def flush(self):
        if self.out:
            self.write("".join(self.out))
            self.out.clear()
        self.size = 0

    def level(self, depth: int) -> _Level:
        levels = self.levels
        while depth >= len(levels):
            levels.append(_Level(len(levels)))
        return levels[depth]

    def value(self, value, depth: int):
        """Append the text of ``value`` (the indent before it is already written)."""
        append = self.out.append
        kind = type(value)
        if kind is str:
            append(_quote(value))
        elif kind is dict:
            if not value:
                append("{}")
                return
            level = self.levels[depth] if depth < len(self.levels) else self.level(depth)
            firsts, rests = level.firsts, level.rests
            table = firsts  # the first entry's prefix opens the mapping, the others' follow a comma
            for key, item in value.items():
                prefix = table.get(key) if type(key) is str else None
                if prefix is None:  # (non-str keys are not cached: 1 and True are one dict key)
                    prefix = ("{\n" if table is firsts else ",\n") + level.inner_pad + _quote(str(key)) + ": "
                    if type(key) is str:
                        table[key] = prefix
                table = rests
                item_kind = type(item)
                if item_kind is str:
                    append(prefix + _quote(item))
                elif item_kind is int:
                    append(prefix + int.__repr__(item))
                else:
                    append(prefix)
                    self.value(item, depth + 1)
            append(level.close_dict)
            self.size += len(value)
            if self.size >= 65536:
                self.flush_if_big()
        elif kind is list:
            if not value:
                append("[]")
                return
            level = self.level(depth)
            separator = level.open_list
            for item in value:
                append(separator)
                separator = level.between_items
                self.value(item, depth + 1)
            append(level.close_list)
            self.size += len(value)
            if self.size >= 65536:
                self.flush_if_big()
        elif kind is int:
            append(int.__repr__(value))
        elif isinstance(value, dict):  # a subclass: same layout
            self.value(dict(value), depth)
        elif isinstance(value, list):
            self.value(list(value), depth)
        else:
            append(_scalar(value))

    def flush_if_big(self):
        if sum(map(len, self.out)) >= _CHUNK:
            self.flush()
        else:
            self.size = 0


class _Level:
    """The fixed text around the entries of a mapping or list at one depth."""

    __slots__ = ("between_items", "close_dict", "close_list", "firsts", "inner_pad", "open_list", "rests")

    def __init__(self, depth: int):
        pad, self.inner_pad = "  " * depth, "  " * (depth + 1)
        self.firsts: dict = {}  # key -> "{\n" + inner indent + quoted key + ": " (the first entry)
        self.rests: dict = {}  # key -> ",\n" + inner indent + quoted key + ": " (the others)
        self.close_dict, self.close_list = "\n" + pad + "}", "\n" + pad + "]"
        self.open_list, self.between_items = "[\n" + self.inner_pad, ",\n" + self.inner_pad


def write_json(wire: dict, write) -> None:
    """Write the wire graph as JSON text with a trailing newline, in chunks, through ``write(str)``."""
    writer = _Writer(write)
    writer.value(wire, 0)
    writer.out.append("\n")
    writer.flush()


def to_json(wire: dict) -> str:
    """The wire graph as JSON text with a trailing newline."""
    chunks: list[str] = []
    write_json(wire, chunks.append)
    return "".join(chunks)
