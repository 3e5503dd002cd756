"""Stage 1: read YAML (or JSON) into plain data plus a table of source positions.

PyYAML's composer is recursive (the C one can crash the interpreter on deeply
nested input), so this module builds values itself from the parser's event
stream with an explicit stack. That one pass also enforces the limits of
spec §1: nesting depth, alias expansion, duplicate keys, and YAML 1.2 core
scalars read as exact decimals.

Positions are kept outside the data, in ``{path_tuple: Span}`` tables, so the
values stay ordinary dicts, lists, strings, ints and Decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml

from graphc.diagnostics import Diagnostic, Span

try:  # libyaml's parser when it is installed; the pure-Python one otherwise
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader

MAX_DEPTH = 100
MAX_NODES = 100_000
MAX_SCALAR_CHARS = 100_000

_BOOL = re.compile(r"^(?:true|false)$", re.IGNORECASE)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")

_CORE_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:map": "map",
    "tag:yaml.org,2002:seq": "seq",
}


@dataclass
class Document:
    """A loaded file: its data and where every value and key came from."""

    path: str
    text: str
    data: object
    spans: dict = field(default_factory=dict)  # path tuple -> Span of the value
    key_spans: dict = field(default_factory=dict)  # path tuple -> Span of the mapping key

    def span(self, path) -> Span | None:
        """The span of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            span = self.spans.get(path)
            if span is not None:
                return span
            if not path:
                return None
            path = path[:-1]

    def key_span(self, path) -> Span | None:
        """The span of the key that introduces ``path`` (falls back to the value)."""
        path = tuple(path)
        return self.key_spans.get(path) or self.span(path)


class LoadError(Exception):
    def __init__(self, code, message, span=None, hint=None):
        super().__init__(message)
        self.code, self.message, self.span, self.hint = code, message, span, hint


def _span(event) -> Span:
    start, end = event.start_mark, event.end_mark
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def resolve_plain_scalar(text: str):
    """YAML 1.2 core schema for plain scalars, with numbers as exact values."""
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return Decimal(text)
    if _INT_OCT.match(text):
        return int(text[2:], 8)
    if _INT_HEX.match(text):
        return int(text[2:], 16)
    if _SPECIAL_FLOAT.match(text):
        return Decimal(text.replace(".", "").lower().replace("inf", "Infinity"))
    return text


def _tagged_scalar(tag: str, text: str, span: Span):
    kind = _CORE_TAGS.get(tag)
    try:
        if kind == "str":
            return text
        if kind == "int":
            return int(text.replace("_", ""), 0)
        if kind == "float":
            return Decimal(text)
        if kind == "bool":
            if _BOOL.match(text):
                return text.lower() == "true"
        elif kind == "null":
            if _NULL.match(text):
                return None
    except (ValueError, InvalidOperation):
        pass
    if kind is None:
        raise LoadError("GC100", f"YAML tag {tag!r} is not allowed", span,
                        "remove the tag; playbooks use plain YAML values only")
    raise LoadError("GC100", f"{text!r} is not a valid {kind}", span)


class _Frame:
    __slots__ = ("kind", "value", "path", "span", "anchor", "key", "key_span", "merged", "nodes", "explicit")

    def __init__(self, kind, value, path, span, anchor):
        self.kind = kind
        self.value = value
        self.path = path
        self.span = span
        self.anchor = anchor
        self.key = _NO_KEY
        self.key_span = None
        self.merged = set()  # keys that came from a `<<` merge (may be overridden)
        self.explicit = set()
        self.nodes = 1


_NO_KEY = object()


class _Composer:
    def __init__(self, max_depth, max_nodes):
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.spans = {}
        self.key_spans = {}
        self.anchors = {}  # name -> (value, node count)
        self.expanded = 0  # nodes created, aliases counted at their full size
        self.stack: list[_Frame] = []
        self.root = None
        self.has_root = False

    def _count(self, n, span):
        self.expanded += n
        if self.expanded > self.max_nodes:
            raise LoadError(
                "GC100",
                f"document expands to more than {self.max_nodes:,} nodes (alias bomb?)",
                span,
                "remove the aliases that repeat large structures",
            )

    def _child_path(self):
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.kind == "seq":
            return top.path + (len(top.value),)
        if top.key is _NO_KEY:
            return None  # this node is a mapping key
        return top.path + (top.key,)

    def _attach(self, value, span, nodes):
        """Attach a finished value to its parent (as item, key or mapping value)."""
        if not self.stack:
            self.root = value
            self.has_root = True
            return
        top = self.stack[-1]
        top.nodes += nodes
        if top.kind == "seq":
            top.value.append(value)
            return
        if top.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise LoadError("GC103", "a mapping key must be a plain value, not a mapping or list", span)
            key = value if isinstance(value, str) else _key_text(value)
            top.key = key
            top.key_span = span
            return
        key = top.key
        top.key = _NO_KEY
        if key == "<<" and top.key_span is not None:
            self._merge(top, value, span)
            return
        if key in top.explicit:
            first = self.key_spans.get(top.path + (key,))
            where = f" (first at line {first.line})" if first else ""
            raise LoadError("GC101", f"duplicate key {key!r} in mapping{where}", top.key_span,
                            "remove one of the two keys; graphc never lets the last one win")
        top.explicit.add(key)
        top.merged.discard(key)
        top.value[key] = value
        self.key_spans[top.path + (key,)] = top.key_span

    def _merge(self, top, value, span):
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise LoadError("GC103", "`<<` merges only mappings", span)
            for k, v in source.items():
                if k not in top.value:
                    top.value[k] = v
                    top.merged.add(k)
                    self.spans.setdefault(top.path + (k,), span)
                    self.key_spans.setdefault(top.path + (k,), span)

    def feed(self, event):
        etype = type(event)
        if etype is yaml.ScalarEvent:
            span = _span(event)
            path = self._child_path()
            if len(event.value) > MAX_SCALAR_CHARS:
                raise LoadError("GC100", f"a scalar of {len(event.value):,} characters is over the "
                                f"{MAX_SCALAR_CHARS:,} limit", span)
            tag = event.tag
            if tag and tag != "!":
                value = _tagged_scalar(tag, event.value, span)
            elif not event.style and event.implicit[0]:
                value = resolve_plain_scalar(event.value)
            else:
                value = event.value
            self._count(1, span)
            if path is not None:
                self.spans[path] = span
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self._attach(value, span, 1)
        elif etype is yaml.MappingStartEvent or etype is yaml.SequenceStartEvent:
            span = _span(event)
            if event.tag and event.tag not in _CORE_TAGS and event.tag != "!":
                raise LoadError("GC100", f"YAML tag {event.tag!r} is not allowed", span,
                                "remove the tag; playbooks use plain YAML values only")
            path = self._child_path()
            if path is None:
                raise LoadError("GC103", "a mapping key must be a plain value, not a mapping or list", span)
            if len(self.stack) >= self.max_depth:
                raise LoadError("GC100", f"nesting deeper than {self.max_depth} levels", span,
                                "flatten the document")
            self._count(1, span)
            self.spans[path] = span
            is_map = etype is yaml.MappingStartEvent
            self.stack.append(_Frame("map" if is_map else "seq", {} if is_map else [], path, span, event.anchor))
        elif etype is yaml.MappingEndEvent or etype is yaml.SequenceEndEvent:
            frame = self.stack.pop()
            if frame.anchor:
                self.anchors[frame.anchor] = (frame.value, frame.nodes)
            self._attach(frame.value, frame.span, frame.nodes)
        elif etype is yaml.AliasEvent:
            span = _span(event)
            if event.anchor not in self.anchors:
                raise LoadError("GC100", f"unknown alias *{event.anchor}", span)
            value, nodes = self.anchors[event.anchor]
            self._count(nodes, span)
            path = self._child_path()
            if path is not None:
                self.spans[path] = span
            self._attach(value, span, nodes)
        elif etype is yaml.DocumentStartEvent and self.has_root:
            raise LoadError("GC100", "a playbook is one YAML document; found a second one", _span(event),
                            "remove the `---` separator and the second document")


def _key_text(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_text(text: str, path: str = "<input>", *, max_depth=MAX_DEPTH, max_nodes=MAX_NODES):
    """Parse ``text``; return ``(Document | None, [Diagnostic])``. Never raises for bad input."""
    composer = _Composer(max_depth, max_nodes)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            composer.feed(event)
    except LoadError as exc:
        return None, [Diagnostic(exc.code, exc.message, path, exc.span, hint=exc.hint)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span(mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "cannot parse"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        return None, [Diagnostic("GC100", f"YAML syntax error: {problem}{context}", path, span,
                                 hint="check the indentation and quoting on this line")]
    except yaml.YAMLError as exc:  # reader errors: bad bytes or control characters
        mark = getattr(exc, "position", None)
        return None, [Diagnostic("GC100", f"cannot read the file as YAML: {exc}", path, None)]
    except RecursionError:  # pragma: no cover - the pure-Python scanner on pathological input
        return None, [Diagnostic("GC100", "document is nested too deeply", path, None)]
    doc = Document(path, text, composer.root, composer.spans, composer.key_spans)
    return doc, []


def read_source(path) -> str:
    """Read a file as UTF-8 (BOM allowed). Raises OSError / UnicodeDecodeError."""
    with open(path, "rb") as fh:
        raw = fh.read()
    return raw.decode("utf-8-sig")
