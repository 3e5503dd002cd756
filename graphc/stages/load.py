"""Stage 1: read YAML (or JSON) into plain data plus a table of source positions.

PyYAML's composer is recursive (the C one can crash the interpreter on deeply
nested input), so this module builds values itself from the parser's event
stream with an explicit stack. That one pass also enforces the limits of
spec §1: nesting depth, alias expansion, duplicate keys, and YAML 1.2 core
scalars read as exact decimals. The resource limits (file size, depth, alias
expansion, total nodes, scalar length) are listed in docs/robustness.md.

Speed matters here (this is most of a lint run on small files): events come
straight from ``get_event`` (not the ``yaml.parse`` generator), the scalar path
is inlined in :meth:`_Composer.run`, a scalar's span is built from its marks
only when asked for, and spans skip ``Span.__init__``.

Positions are kept outside the data (a tree of parser marks, flattened into
``{path_tuple: Span}`` tables on request), so the values stay ordinary dicts,
lists, strings, ints and Decimals.

Most files never need a position: a clean playbook has no finding to point at.
So :func:`load_text` first builds the values alone (:func:`_compose_fast`: no
marks kept, a third of the memory of a large file), and the position tree is
made only when needed. A small file's positions come from the parser events the
fast pass kept (parsing it again cost a fifth of linting a playbook with a
finding): a span is found by walking those events to the path asked for
(:class:`_EventIndex`, a tenth of the time of building the whole tree for the one
or two findings a file has); the full composer builds the tree from them only when
every position is wanted. A large file keeps no events (they take some 50 times
the memory of its text): its tree is built by reading the text again. Anything out of the ordinary (anchors, aliases, tags, merge keys,
duplicate keys, a limit, a syntax error) stops the fast pass, and the full
composer decides, exactly as if the fast pass did not exist.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from gc import get_referents
from itertools import accumulate, islice, repeat
from json.decoder import scanstring  # type: ignore[attr-defined]  # (the C scanner's, as json.loads uses)
from sys import intern
from typing import Any, cast

import yaml

try:  # libyaml's parser when it is installed (just the parser: values are built here); the pure-Python one otherwise
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]  # the same event API as CParser

from yaml import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from graphc.diagnostics import Diagnostic, Span
from graphc.files import JSON_SUFFIXES, MAX_DEPTH, MAX_FILE_BYTES, YAML_SUFFIXES, has_suffix, lone_surrogate
from graphc.limits import limit
from graphc.lines import (
    LINE_BREAK,
    YAML11_ONLY_BREAKS,
    Relined,
    break_name,
    has_yaml11_breaks,
    line_and_column,
    split_lines,
)

# Limits (docs/robustness.md); each is a GC100 with the place it was hit.
MAX_NODES = limit("MAX_NODES", 100_000)  # nodes that aliases add (each alias counts the whole structure it repeats)
MAX_TOTAL_NODES = limit("MAX_TOTAL_NODES", 2_000_000)  # values and keys written in the text
MAX_SCALAR_CHARS = limit("MAX_SCALAR_CHARS", 100_000)  # one string or number

_BOOL = re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$")  # any case (no IGNORECASE: 5x the compile time)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
# The core schema's forms of a plain scalar, in the order they are tried (one match: the group that took
# part names the form): null, bool, int, float, octal, hex, .inf/.nan. `$` as in `^...$`, form by form.
_PLAIN_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")  # the usual int and float texts, ASCII digits only
_PLAIN_FORMS = re.compile(
    r"(?:(~|null|Null|NULL|)|([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])|([-+]?[0-9]+)"
    r"|([-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)|(0o[0-7]+)|(0x[0-9a-fA-F]+)"
    r"|([-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)))$"
)

_CORE_TAGS = {
    "tag:yaml.org,2002:str": "str",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:map": "map",
    "tag:yaml.org,2002:seq": "seq",
}


class Document:
    """A loaded file: its data and where every value and key came from.

    The loader keeps its positions as a tree that mirrors the data: each mapping
    and list (a ``_Frame``) holds where its children and its keys are (the
    parser's marks), keyed like the data. Nothing per value is built up front --
    no path tuples, no spans -- because most values never get a finding: :meth:`span`
    and :meth:`key_span` walk to the one asked for and build just its span.
    ``spans``/``key_spans`` flatten everything into ``{path tuple: Span}``
    tables (the render stage edits those; a Document made from tables uses them).
    """

    __slots__ = (
        "_events",
        "_index",
        "_json",
        "_key_spans",
        "_limits",
        "_root",
        "_spans",
        "data",
        "path",
        "text",
        "unproven_values",
    )

    def __init__(self, path: str, text: str, data, spans=None, key_spans=None):
        self.path, self.text, self.data = path, text, data
        # load_text(keys_later=...): the values the text writes below the root, when the data's mappings are
        # yet to be counted to prove no key repeated (see prove_unique_keys); None: nothing left to prove
        self.unproven_values: int | None = None
        self._spans = {} if spans is None else spans  # path tuple -> Span of the value
        self._key_spans = {} if key_spans is None else key_spans  # path tuple -> Span of the mapping key
        self._root: Any = None  # the composer's tree (made on demand), or a position
        self._limits: tuple[int, int, int] | None = (
            None  # (max_depth, max_nodes, max_total) of a document whose tree is made on demand
        )
        self._events: list | None = None  # the fast pass's parser events, replayed to make the tree (small files)
        # where the nodes are in ``_events``, or in a text read as JSON (made when a span is asked for)
        self._index: _EventIndex | _JsonIndex | None = None
        self._json = False  # positions from the text read as JSON (_json_tree), not from the YAML parser

    @classmethod
    def _from_tree(cls, path: str, text: str, data, root) -> Document:
        """A document whose positions are the composer's tree (``root``: a _Frame, a position, or None if empty)."""
        doc = cls(path, text, data)
        doc._spans = doc._key_spans = None
        doc._root = root if root is not None else _EMPTY_DOCUMENT
        return doc

    @classmethod
    def _tree_later(cls, path: str, text: str, data, limits, events=None, *, as_json: bool = False) -> Document:
        """A document whose position tree is made when a position is first asked for: from ``events`` (the
        parser's events of ``text``, all of them) when given, else by reading ``text`` again, with the YAML
        parser or (``as_json``: a text that only JSON reads as its author meant it) by :func:`_json_tree`."""
        doc = cls._from_tree(path, text, data, None)
        doc._root, doc._limits, doc._events, doc._json = None, limits, events, as_json
        return doc

    def _tree(self):
        """The root of the position tree (made now if the fast pass left it for later)."""
        if self._root is None:
            events, self._events, self._index = self._events, None, None
            if self._json:
                self._root = _json_tree(self.text)
            else:
                self._root = _position_tree(self.text, *self._limits, events=events)
        return self._root

    @property
    def read_as_json(self) -> bool:
        """Whether the values are the json module's reading of the text (so none is a NaN or an infinity)."""
        return self._json

    def _event_index(self) -> _EventIndex | _JsonIndex | None:
        """The walk over the fast pass's events, or over the text of a document read as JSON, for a document
        whose tree is not made (None: use the tree)."""
        if self._root is not None or (self._events is None and not self._json):
            return None
        if self._index is None:
            self._index = _EventIndex(self._events) if self._events is not None else _JsonIndex(self.text)
        return self._index

    @property
    def spans(self) -> dict:
        if self._spans is None:
            self._spans, self._key_spans = _flatten(self._tree())
        return self._spans

    @property
    def key_spans(self) -> dict:
        if self._key_spans is None:
            self._spans, self._key_spans = _flatten(self._tree())
        return self._key_spans

    def span(self, path) -> Span | None:
        """The span of ``path``, or of its nearest ancestor that has one."""
        if self._spans is None:
            return self._tree_span(path)
        path = tuple(path)
        spans = self._spans
        while True:
            span = spans.get(path)
            if span is not None:
                return span
            if not path:
                return None
            path = path[:-1]

    def written(self, path) -> str | None:
        """The source text of the plain scalar at ``path`` that YAML reads as other than text (`007`, `1e3`,
        `.inf`, `True`, `~`), for a message to show as the user wrote it (spec §1: numbers are read from their
        source text). None where there is no such scalar on one line: text, a collection, a value a template made
        (its span is the template's), or anything the text at its span does not read back to."""
        value = self.data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        if isinstance(value, (str, dict, list)):
            return None
        span = self.span(path)
        if span is None or span.end_line != span.line:
            return None
        start = 0
        for _ in range(span.line - 1):
            start = self.text.find("\n", start) + 1
            if start == 0:
                return None
        end = self.text.find("\n", start)
        text = self.text[start : end if end >= 0 else len(self.text)][span.col - 1 : span.end_col - 1]
        try:
            again = resolve_plain_scalar(text)
        except LoadError:
            return None
        return text if type(again) is type(value) and str(again) == str(value) else None

    def key_span(self, path) -> Span | None:
        """The span of the key that introduces ``path`` (falls back to the value)."""
        path = tuple(path)
        if self._key_spans is None:
            index = self._event_index()
            if index is not None:
                return index.key_span(path)
            parent = self._tree_frame(path[:-1]) if path else None
            event = (
                parent.keys.get(path[-1])
                if parent is not None and parent.is_map and isinstance(path[-1], str)
                else None
            )
            if event is None:
                return self._tree_span(path)
            if type(event) is not Span:
                assert parent is not None  # the event came from its keys
                event = parent.keys[path[-1]] = _span(event)
            return event
        return self._key_spans.get(path) or self.span(path)

    def _tree_span(self, path) -> Span:
        index = self._event_index()
        if index is not None:
            return index.span(path)
        node, table, slot = self._tree(), None, None
        for part in path:
            if type(node) is not _Frame:
                break
            child = _child(node, part)
            if child is None:
                break
            node, table, slot = child, node.spans, part
        if type(node) is _Frame:
            if type(node.span) is not Span:
                node.span = _span(node.span)
            return node.span
        if type(node) is not Span:  # marks or an event: build its span once, in place
            node = _span(node)
            if table is None:
                self._root = node
            else:
                table[slot] = node
        return node

    def _tree_frame(self, path):
        """The _Frame at exactly ``path``, or None."""
        node = self._tree()
        for part in path:
            if type(node) is not _Frame:
                return None
            node = _child(node, part)
        return node if type(node) is _Frame else None


def _child(frame, part):
    """The child entry of ``frame`` (a position, a Span or a _Frame) under key or index ``part``, or None."""
    if frame.is_map:
        return frame.spans.get(part) if isinstance(part, str) else None
    return frame.spans[part] if type(part) is int and 0 <= part < len(frame.spans) else None


_EMPTY_DOCUMENT = Span(1, 1, 1, 1)  # an empty document: its diagnostics point at the start of the file


class _EventIndex:
    """Positions read straight from the parser events of a document the fast pass accepted.

    Those events describe plain data: mappings whose keys are unique untagged
    scalars, lists and scalars, no anchor, alias, tag or merge (anything else
    stopped the fast pass, and the full composer made the tree). So a node's
    span is its event's marks (a collection's: its start event's), as in the
    composer's tree, and the walk to a path only has to find each child: with
    ``levels[i]``, the number of collections open before event ``i``, a
    collection's children are the events after it at one level deeper, and
    ``list.index`` jumps from one to the next over everything inside them.
    Children are listed once per collection asked about; nothing else is built.
    """

    __slots__ = ("children", "events", "levels", "root", "spans")

    def __init__(self, events: list):
        self.events = events
        self.levels = list(accumulate(map(_LEVEL_CHANGE.get, map(type, events), repeat(0)), initial=0))
        # the root node's event: the first scalar or collection (none: an empty document)
        self.root = next((i for i, event in enumerate(events) if type(event) in _NODE_EVENTS), None)
        self.children: dict[int, Any] = {}  # collection's start event -> {key: (key event, value event)} | [event]
        self.spans: dict[int, Span] = {}  # event -> its span, made once

    def _children(self, start: int):
        children = self.children.get(start)
        if children is not None:
            return children
        events, find = self.events, self.levels.index
        level = self.levels[start] + 1
        at = find(level, start + 1)  # the first child, or the collection's own end event
        if type(events[start]) is SequenceStartEvent:
            children = []
            while type(events[at]) is not SequenceEndEvent:  # its own end (a child's is one level deeper)
                children.append(at)
                at = at + 1 if type(events[at]) is ScalarEvent else find(level, at + 1)
        else:
            children = {}
            resolved = _RESOLVED
            while type(events[at]) is ScalarEvent:  # a key (the mapping's end event stops the loop)
                key = event = events[at]
                text = event.value
                if not event.style and event.implicit[0]:  # read as the composers read a key
                    key = resolved[text]
                    if type(key) is not str:
                        key = _key_text(key, text)
                else:
                    key = text
                value = at + 1  # a key is one event: its value's first event follows
                children[key] = (at, value)
                at = value + 1 if type(events[value]) is ScalarEvent else find(level, value + 1)
        self.children[start] = children
        return children

    def _node(self, at: int, path, *, exact: bool) -> int | None:
        """The event of the node at ``path`` below event ``at``: of its nearest ancestor there (``exact``: None)."""
        for part in path:
            etype = type(self.events[at])
            if etype is MappingStartEvent and isinstance(part, str):
                pair = self._children(at).get(part)
                child = None if pair is None else pair[1]
            elif etype is SequenceStartEvent and type(part) is int and part >= 0:
                children = self._children(at)
                child = children[part] if part < len(children) else None
            else:
                child = None
            if child is None:
                return None if exact else at
            at = child
        return at

    def _span(self, at: int) -> Span:
        span = self.spans.get(at)
        if span is None:
            span = self.spans[at] = _span(self.events[at])
        return span

    def span(self, path) -> Span:
        """As :meth:`Document._tree_span`: the span of ``path`` or of its nearest ancestor."""
        if self.root is None:
            return _EMPTY_DOCUMENT
        at = self._node(self.root, path, exact=False)
        assert at is not None  # not exact: the nearest ancestor, at least the root
        return self._span(at)

    def key_span(self, path: tuple) -> Span:
        """As :meth:`Document.key_span` on the tree: the span of the key introducing ``path``, else of the value."""
        if path and isinstance(path[-1], str) and self.root is not None:
            parent = self._node(self.root, path[:-1], exact=True)
            if parent is not None and type(self.events[parent]) is MappingStartEvent:
                pair = self._children(parent).get(path[-1])
                if pair is not None:
                    return self._span(pair[0])
        return self.span(path)


_NODE_EVENTS = frozenset((ScalarEvent, MappingStartEvent, SequenceStartEvent))
_LEVEL_CHANGE = {MappingStartEvent: 1, SequenceStartEvent: 1, MappingEndEvent: -1, SequenceEndEvent: -1}


def _flatten(root) -> tuple[dict, dict]:
    """The composer's tree as ``({path: Span of the value}, {path: Span of the key})``, in document order."""
    spans, key_spans = {}, {}
    pending: list[tuple[tuple, Any]] = [((), root)]
    while pending:
        path, node = pending.pop()
        if type(node) is not _Frame:
            spans[path] = _as_span(node)
            continue
        spans[path] = node.span = _as_span(node.span)
        children = node.spans.items() if node.is_map else enumerate(node.spans)
        pending.extend(reversed([(path + (part,), child) for part, child in children]))
        if node.is_map:
            for part, event in node.keys.items():
                key_spans[path + (part,)] = node.keys[part] = _as_span(event)
    return spans, key_spans


def _tab_indent(text: str, exc) -> Span | None:
    """Where a tab is in the indentation of the line a YAML error is on (YAML 1.2 §6.1 forbids tabs there)."""
    lines = split_lines(text)
    for mark in (exc.problem_mark, exc.context_mark):
        if mark is None or not 0 <= mark.line < len(lines):
            continue
        line = lines[mark.line]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return Span(mark.line + 1, indent.index("\t") + 1)
    return None


def _get_events(parser, text: str):
    """The parser's ``get_event``, each event's marks counted at graphc's line breaks (:mod:`graphc.lines`: LF,
    CRLF, CR): libyaml reads YAML 1.1, where NEL, LS and PS end a line too. A text without them, nearly every
    one, is read as it is (one test of the text)."""
    if not has_yaml11_breaks(text):
        return parser.get_event
    relined, get_event = Relined(text), parser.get_event

    def get():
        event = get_event()
        if event is not None:
            event.start_mark, event.end_mark = relined.mark(event.start_mark), relined.mark(event.end_mark)
        return event

    return get


def _relined_error(exc: yaml.MarkedYAMLError, text: str) -> None:
    """``exc``'s marks counted at graphc's line breaks, as :func:`_get_events` counts the events' (in place)."""
    if has_yaml11_breaks(text):
        relined = Relined(text)
        exc.problem_mark, exc.context_mark = relined.mark(exc.problem_mark), relined.mark(exc.context_mark)


def _yaml11_break_near(text: str, exc: yaml.MarkedYAMLError) -> tuple[str, Span] | None:
    """The NEL, LS or PS (and its span) a YAML syntax error follows: the last one before the error's place on its
    line, the line before it or the line of the construct it was reading (its marks already counted at graphc's
    line breaks); None when there is none (a text without them: the first test)."""
    problem = exc.problem_mark or exc.context_mark
    if problem is None or not has_yaml11_breaks(text):
        return None
    first = min(problem.line, exc.context_mark.line if exc.context_mark is not None else problem.line) - 1
    lines = split_lines(text)
    for row in range(min(problem.line, len(lines) - 1), max(first, 0) - 1, -1):
        line = lines[row] if row < problem.line else lines[row][: problem.column]
        at = max(line.rfind(character) for character in YAML11_ONLY_BREAKS)
        if at >= 0:
            return line[at], Span(row + 1, at + 1 - (row == 0 and line[:1] == "\ufeff"), row + 1, at + 2)
    return None


class LoadError(Exception):
    def __init__(self, code, message, span=None, hint=None):
        super().__init__(message)
        self.code, self.message, self.span, self.hint = code, message, _as_span(span), hint


def is_plain_number(text: str) -> bool:
    """Whether ``text``, written unquoted, is YAML's int or float form (``10``, ``-2.5``, ``1e1``): a number."""
    m = _PLAIN_FORMS.match(text)
    return m is not None and m.lastindex in (3, 4)


def resolve_plain_scalar(text: str):
    """YAML 1.2 core schema for plain scalars, with numbers as exact values."""
    return _RESOLVED[text]


class _PlainScalars(dict):
    """Plain scalars already read, by their text: ``memo[text]`` is the value, read now if it is not kept.

    Values are immutable (str, int, Decimal, bool, None). The same keys, numbers and words come up in
    every file of a repo: a lookup is cheaper than reading them, and indexing (the read of a missing text
    is ``__missing__``) is one step where ``get`` and a test for the default were three.
    """

    __slots__ = ()

    def __missing__(self, text: str):
        value = _resolve_plain(text)
        if type(value) is str:  # a word is a key of many mappings: interned, it is found by identity, kept or not
            value = intern(value)
        if len(text) <= _RESOLVED_CHARS and len(self) < _RESOLVED_MAX:
            self[text] = value
        return value


_RESOLVED = _PlainScalars()
_RESOLVED_CHARS, _RESOLVED_MAX = 40, 16384  # texts up to 40 characters, at most 16384 of them
_MISSING = object()


def _resolve_plain(text: str):
    first = text[:1]
    if first.isalpha():
        if first not in "nNtTfF" or len(text) > 6:
            return text  # a word: the only special ones are null, true and false (6 characters with a line end)
    elif "0" <= first <= "9":
        m = _PLAIN_NUMBER.fullmatch(text)
        if m is not None:  # '250', '2290.56': the int or float form, read without trying the others first
            if m.lastindex is None:
                return int(text) if len(text) <= _MAX_INT_DIGITS else Decimal(text)
            return Decimal(text)
    m = _PLAIN_FORMS.match(text)
    if m is None:
        return text
    form = m.lastindex
    if form == 3:  # int
        return int(text) if len(text) <= _MAX_INT_DIGITS else Decimal(text)
    if form == 4:  # float
        try:
            return Decimal(text)
        except InvalidOperation:  # an exponent past Decimal's range (beyond about 10**18): no exact value
            raise _out_of_range(text) from None
    if form == 1:  # null
        return None
    if form == 2:  # bool
        return text.lower() == "true"
    if form == 5:  # octal
        return _int_value(int(text[2:], 8))
    if form == 6:  # hex
        return _int_value(int(text[2:], 16))
    return Decimal(text.replace(".", "").lower().replace("inf", "Infinity"))  # .inf, -.inf, .nan


def _out_of_range(text: str) -> LoadError:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return LoadError(
        "GC100",
        f"the number {shown} is out of range: its exponent is beyond what graphc reads exactly",
        None,  # the composer that met it gives the scalar's place
        "write the number without so large an exponent, or quote it if it is meant as text",
    )


# Python refuses to turn an int of more than 4300 digits into text (or text into one), so
# a longer integer is kept as the (equally exact) Decimal: it still fails every range check.
_MAX_INT_DIGITS = 4000


def _int_value(n: int):
    return n if n.bit_length() <= 13_000 else Decimal(n)  # 2**13000 has 3914 digits


def _tagged_scalar(tag: str, text: str, span: Span):
    kind = _CORE_TAGS.get(tag)
    try:
        if kind == "str":
            return text
        if kind == "int":
            return _int_value(int(text.replace("_", ""), 0))
        if kind == "float":
            return Decimal(text)
        if kind == "bool":
            if _BOOL.match(text):
                return text.lower() == "true"
        elif kind == "null" and _NULL.match(text):
            return None
    except (ValueError, InvalidOperation):
        pass
    if kind is None:
        raise LoadError(
            "GC100", f"YAML tag {tag!r} is not allowed", span, "remove the tag; playbooks use plain YAML values only"
        )
    shown = text if len(text) <= 60 else text[:57] + "..."
    raise LoadError(
        "GC100",
        f"{shown!r} is not a valid {kind}",
        span,
        f"write a {kind} value, or remove the tag and let the value speak for itself",
    )


class _Frame:
    """A mapping or list being built, and afterwards its node in the document's position tree."""

    __slots__ = (
        "anchor",
        "is_map",
        "key",
        "key_merges",
        "key_span",
        "keys",
        "merge_span",
        "merged",
        "nodes",
        "span",
        "spans",
        "value",
    )

    def __init__(self, is_map, value, span, anchor):
        self.is_map = is_map
        self.value = value
        self.span = span  # the start event (a Span once asked for)
        # Where the children are, keyed like ``value`` (a dict for a mapping, a list for a list): a scalar's
        # (start mark, end mark), an alias's event, or the child's _Frame. Spans are built from them on demand.
        self.spans = {} if is_map else []
        self.keys = {}  # mapping key -> the key scalar's (start mark, end mark)
        self.anchor = anchor
        self.key = _NO_KEY
        self.key_span = None
        self.merged = None  # keys that came from a `<<` merge (may be overridden); a set once used
        self.key_merges = False  # whether the key read last (its value is next) is a merge key (see _merge_key)
        self.merge_span = None  # where this mapping's merge key is, once it has one (a second one is GC101)
        self.nodes = 1


_NO_KEY = object()
_KEY_NOT_PLAIN = "a mapping key must be a plain value, not a mapping or list"
_KEY_NOT_PLAIN_HINT = "write the key as text, e.g. `symbol:`"

# A span is made for every mapping and list, and for each scalar asked for: filling the instance dict here saves
# the call of Span.__init__. The assertion keeps this honest if Span ever changes.
_new_span = object.__new__
assert Span.FIELDS == ("line", "col", "end_line", "end_col", "file", "via") and "__slots__" not in vars(Span), (
    "update _make_span for the new Span"
)


def _make_span(line, col, end_line, end_col):
    """``Span(line, col, end_line, end_col)``, built directly."""
    span = _new_span(Span)
    d = span.__dict__
    d["line"], d["col"], d["end_line"], d["end_col"] = line, col, end_line, end_col
    d["file"] = d["via"] = None
    return span


def _as_span(position):
    """The span itself, or the span of the marks or event filed in its place (None stays None)."""
    if position is None or type(position) is Span:
        return position
    return _span(position)


def _span(marks) -> Span:
    """The span of a scalar's ``(start mark, end mark)`` or of a collection's / alias's event."""
    start, end = marks if type(marks) is tuple else (marks.start_mark, marks.end_mark)
    return _make_span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


class _Composer:
    """Builds values from the parser's events with an explicit stack (no recursion)."""

    def __init__(self, max_depth, max_nodes, max_total=MAX_TOTAL_NODES, *, merges=True):
        self.max_depth = max_depth
        self.merges = merges  # False: ``<<`` is an ordinary key (JSON has no merge keys; its keys are quoted anyway)
        self.max_nodes = max_nodes  # nodes added by aliases, each alias counted at its full size
        self.max_total = max_total  # nodes written in the text
        self.tree = None  # the root's _Frame (or event, for a scalar document): Document positions
        self.anchors = {}  # name -> (value, node count)
        self.anchor_texts: dict[str, str] = {}  # name -> source text, of an anchored scalar (a key's name: _key_text)
        self.expanded = 0
        self.written = 0
        self.stack: list[_Frame] = []
        self.root = None
        self.has_root = False

    def _too_many(self, span):
        if self.expanded > self.max_nodes:
            raise LoadError(
                "GC100",
                f"aliases expand the document by more than {self.max_nodes:,} nodes (alias bomb?)",
                span,
                "remove the aliases that repeat large structures",
            )
        raise _total_exceeded(self.max_total, span)

    def run(self, get_event):
        """Consume events until the end of the stream."""
        anchors, stack = self.anchors, self.stack
        max_total, max_depth = self.max_total, self.max_depth
        resolve, resolved, attach = resolve_plain_scalar, _RESOLVED, self._attach
        merges = self.merges
        written = 0
        while True:
            event = get_event()
            etype = type(event)
            if etype is ScalarEvent:
                span = (event.start_mark, event.end_mark)  # a Span only if asked for: most never are
                text = event.value
                if len(text) > MAX_SCALAR_CHARS:
                    raise LoadError(
                        "GC100",
                        f"a scalar of {len(text):,} characters is over the {MAX_SCALAR_CHARS:,} limit",
                        span,
                        "shorten the value",
                    )
                tag = event.tag
                if tag and tag != "!":
                    value = _tagged_scalar(tag, text, span)
                elif not event.style and event.implicit[0]:
                    value = resolved.get(text, _MISSING)  # resolve_plain_scalar, its memo inlined
                    if value is _MISSING:
                        try:
                            value = resolve(text)
                        except LoadError as exc:  # a number out of range: at this scalar
                            exc.span = _as_span(span)
                            raise
                else:
                    value = text
                written += 1
                if written > max_total:
                    self._too_many(span)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                    self.anchor_texts[event.anchor] = text
                if not stack:
                    self.tree = span
                    self.root, self.has_root = value, True
                    continue
                top = stack[-1]
                top.nodes += 1
                if not top.is_map:
                    top.spans.append(span)
                    top.value.append(value)
                elif top.key is _NO_KEY:  # a mapping key
                    top.key = value if type(value) is str else _key_text(value, text)
                    top.key_span = span
                    if value == "<<" and merges and _merge_key(event):
                        top.key_merges = True
                elif top.key_merges:  # a merge (of a scalar: GC103); it files where the keys it brings are
                    attach(top, value, span)
                else:
                    key = top.key
                    top.spans[key] = span
                    mapping = top.value
                    if key in mapping:
                        attach(top, value, span)  # a duplicate (GC101) or an override of a merged key
                    else:  # _attach's usual case, inlined
                        mapping[key] = value
                        top.keys[key] = top.key_span
                        top.key = _NO_KEY
            elif etype is MappingStartEvent or etype is SequenceStartEvent:
                span = event
                tag = event.tag
                if tag and tag not in _CORE_TAGS and tag != "!":
                    raise LoadError(
                        "GC100",
                        f"YAML tag {tag!r} is not allowed",
                        span,
                        "remove the tag; playbooks use plain YAML values only",
                    )
                if stack and stack[-1].is_map and stack[-1].key is _NO_KEY:
                    raise LoadError("GC103", _KEY_NOT_PLAIN, span, _KEY_NOT_PLAIN_HINT)
                if len(stack) >= max_depth:
                    raise LoadError("GC100", f"nesting deeper than {max_depth} levels", span, "flatten the document")
                written += 1
                if written > max_total:
                    self._too_many(span)
                is_map = etype is MappingStartEvent
                frame = _Frame(is_map, {} if is_map else [], span, event.anchor)
                self._place(frame)
                stack.append(frame)
            elif etype is MappingEndEvent or etype is SequenceEndEvent:
                frame = stack.pop()
                if frame.anchor:
                    anchors[frame.anchor] = (frame.value, frame.nodes)
                self._finish(frame.value, frame.span, frame.nodes)
            elif etype is AliasEvent:
                span = event
                if event.anchor not in anchors:
                    raise LoadError(
                        "GC100",
                        f"unknown alias *{event.anchor}",
                        span,
                        f"mark a value above it with &{event.anchor}, or write the value out",
                    )
                value, nodes = anchors[event.anchor]
                self.expanded += nodes
                if self.expanded > self.max_nodes:
                    self._too_many(span)
                if not (stack and stack[-1].is_map and stack[-1].key is _NO_KEY):  # an alias as a key has none
                    self._place(span)
                self._finish(value, span, nodes, self.anchor_texts.get(event.anchor))
            elif etype is DocumentStartEvent:
                if self.has_root:
                    raise LoadError(
                        "GC100",
                        "a playbook is one YAML document; found a second one",
                        _span(event),
                        "remove the `---` separator and the second document",
                    )
            elif etype is StreamEndEvent or event is None:
                self.written = written
                return

    def _place(self, entry):
        """File the position entry (a _Frame or an alias event) of the node that starts now under its parent."""
        if not self.stack:
            self.tree = entry
            return
        top = self.stack[-1]
        if top.is_map:
            if not top.key_merges:  # (a merge's own position is not a key's: _merge files the keys it brings)
                top.spans[top.key] = entry
        else:
            top.spans.append(entry)

    def _finish(self, value, span, nodes, text=None):
        """Attach a finished collection or alias to its parent (as item, key or mapping value); ``text``: an
        aliased scalar's source text."""
        if not self.stack:
            self.root = value
            self.has_root = True
            return
        top = self.stack[-1]
        top.nodes += nodes
        if not top.is_map:
            top.value.append(value)
        elif top.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise LoadError("GC103", _KEY_NOT_PLAIN, span, _KEY_NOT_PLAIN_HINT)
            top.key = value if isinstance(value, str) else _key_text(value, text)
            top.key_span = span
        else:
            self._attach(top, value, span)

    def _attach(self, top, value, span):
        """Set ``top[top.key] = value``: duplicates are GC101, a merge key (:func:`_merge_key`) merges."""
        key = top.key
        top.key = _NO_KEY
        mapping = top.value
        if top.key_merges:
            top.key_merges = False
            if top.merge_span is not None:  # a second merge key: readers disagree on which one wins
                raise LoadError(
                    "GC101",
                    f"duplicate key '<<' in mapping (first at line {_as_span(top.merge_span).line})",
                    top.key_span,
                    "merge several mappings with one key, `<<: [*first, *second]` "
                    "(the first one listed wins a key both have)",
                )
            top.merge_span = top.key_span
            self._merge(top, value, span)
            return
        if key in mapping and not (top.merged and key in top.merged):
            first = top.keys.get(key)
            where = f" (first at line {_as_span(first).line})" if first else ""
            raise LoadError(
                "GC101",
                f"duplicate key {key!r} in mapping{where}",
                top.key_span,
                "remove one of the two keys; graphc never lets the last one win",
            )
        if top.merged:
            top.merged.discard(key)
        mapping[key] = value
        top.keys[key] = top.key_span

    def _merge(self, top, value, span):
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, dict):
                raise LoadError(
                    "GC103", "`<<` merges only mappings", span, "merge an alias of a mapping: `<<: *defaults`"
                )
            for k, v in source.items():
                if k not in top.value:
                    top.value[k] = v
                    if top.merged is None:
                        top.merged = set()
                    top.merged.add(k)
                    top.spans.setdefault(k, span)
                    top.keys.setdefault(k, span)


def _merge_key(event) -> bool:
    """Whether a ``<<`` key's scalar event is a YAML merge key: written plain (a quoted ``"<<"``, or one tagged
    ``!!str``, is the text ``<<``, as PyYAML and ruamel read it). So JSON, whose keys are all quoted, has none."""
    return not event.style and event.implicit[0]


def _key_text(value, text: str | None) -> str:
    """The name a mapping key that YAML reads as other than text goes by: its source ``text`` (spec §1: numbers are
    read from their source text), so `007:` is the leg `007` and `0x1F:` is `0x1F`, never `7` or `31` (`after: 007
    filled` names it as written), and the same for null and the booleans: `True:` is the leg `True` and `true:`
    another, and `~:` is the key `~`, which no leg id pattern matches (audit spec28 3: they were renamed `true` and
    `null`). Without a source text (never for a key the composers read): the value's own spelling."""
    if text is not None:
        return text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_text(
    text: str,
    path: str = "<input>",
    *,
    max_depth=MAX_DEPTH,
    max_nodes=MAX_NODES,
    max_total=MAX_TOTAL_NODES,
    keys_later: Callable[[Any], bool] | None = None,
    as_json: bool | None = None,
):
    """Parse ``text``; return ``(Document | None, [Diagnostic])``. Never raises for bad input.

    A text meant as JSON (``as_json``; None: as :func:`_is_json` tells from ``path`` and ``text``, a
    ``.json`` file or standard input that opens as JSON does) is read as JSON, strictly: what json refuses
    is GC100 at the place it stops, and the values are json's (:func:`_load_json`). Any other text is YAML
    (JSON that YAML reads the same is still read by the json module: the fast pass).

    ``keys_later``: for data it says yes to, the JSON fast pass's proof that no key repeated (counting the
    values of every mapping) is left to the caller, who walks every mapping anyway (a large wire graph's
    lint: graphc.inputs.read_wire_graph). The document's ``unproven_values`` is then the count to meet, and
    the caller must settle it with :func:`prove_unique_keys` before it trusts the data.

    Text that holds a character YAML refuses (:func:`not_text_at`) is GC100 at the first one, whatever the parser
    met first (libyaml reads a long text in chunks, and may stop at a syntax error before it reaches the NUL).
    """
    json_meant = _is_json(path, text) if as_json is None else as_json
    if _too_big(text):
        split = "split the graph into smaller graphs" if json_meant else "split it into smaller playbooks"
        return None, [
            Diagnostic(
                "GC100",
                f"the file is larger than {MAX_FILE_BYTES:,} bytes",
                path,
                Span(1, 1),
                hint=f"{split}, or set GRAPHC_MAX_FILE_BYTES to a larger number of bytes in the environment of the "
                'process that reads it, before it starts (read once: docs/robustness.md, "Raising a limit")',
            )
        ]
    surrogate = lone_surrogate(path, text)
    if surrogate is not None:  # text given, not read: no UTF-8 holds it, and the parser cannot read it (GC112)
        return None, [surrogate]
    doc, diagnostics = _parsed(text, path, max_depth, max_nodes, max_total, keys_later, json_meant)
    if doc is None:  # (a text that loads has no character its reader refuses: it read every one)
        not_text = _not_text(text, path, json_meant)
        if not_text is not None:
            return None, [not_text]
    return doc, diagnostics


def document_of(text: str, path: str, data) -> Document:
    """The Document of ``text`` as :func:`load_text` (default limits) gives it when its YAML passes read ``data``,
    for a caller that has proved they do (graphc.decompile's proof in two processes): the values given, the
    positions read from ``text`` when one is first asked for, as for a document the YAML fast pass read."""
    return Document._tree_later(path, text, data, (MAX_DEPTH, MAX_NODES, MAX_TOTAL_NODES))


def _parsed(text: str, path: str, max_depth, max_nodes, max_total, keys_later, json_meant: bool):
    """:func:`load_text` of a text within the size limit (``json_meant``: read as JSON alone)."""
    data = _MISSING
    unproven: list[int] = []
    read_as_json = False
    if _JSON_START.match(text):  # (a playbook starts otherwise: no exception raised and caught per file)
        try:
            data = _load_json_fast(text, max_depth, max_total, keys_later=keys_later, unproven=unproven)
            read_as_json = True
        except _TooManyNodes:  # the text's punctuation counts more nodes than the limit: where the composer stops
            span = _node_past(text, max_total) if json_meant else None  # (YAML's plain scalars may hold spaces)
            if span is not None:
                refused = _total_exceeded(max_total, span)
                return None, [Diagnostic(refused.code, refused.message, path, span, hint=refused.hint)]
            data = _MISSING
            unproven.clear()
        except Exception:  # not plain JSON: the YAML passes decide (JSON's own reading, for a text meant as JSON)
            data = _MISSING
            unproven.clear()
    if data is _MISSING and json_meant:
        return _load_json(text, path, max_depth, max_nodes, max_total)
    events: list | None = None
    if data is _MISSING:
        parser = _Parser(text)
        get_event = _get_events(parser, text)
        try:
            if len(text) <= MAX_REPLAY_CHARS:  # all the events first (kept for positions), then the values
                events = list(iter(get_event, None))
                data = _compose_fast(events, max_depth, max_total, marked=_may_be_marked(text), long=_may_be_long(text))
            else:  # the values as the events come, none kept
                data = _compose_fast(
                    iter(get_event, None), max_depth, max_total, marked=_may_be_marked(text), long=_may_be_long(text)
                )
        except LoadError as exc:  # too many values: met on the same event the full pass would meet it
            if exc.span is not None:
                return None, [Diagnostic(exc.code, exc.message, path, exc.span, hint=exc.hint)]
            data = _MISSING  # a number out of range: the full pass says where
        except Exception:  # anything out of the ordinary, bad input included: the full pass decides
            data = _MISSING
        finally:
            parser.dispose()
    if data is not _MISSING:
        # a text the JSON fast pass read is placed as JSON: YAML reads it the same (what the fast pass accepts)
        doc = Document._tree_later(path, text, data, (max_depth, max_nodes, max_total), events, as_json=read_as_json)
        if unproven:
            doc.unproven_values = unproven[0]
        return doc, []
    composer = _Composer(max_depth, max_nodes, max_total)
    parser = _Parser(text)
    try:
        composer.run(_get_events(parser, text))
    except LoadError as exc:
        return None, [Diagnostic(exc.code, exc.message, path, exc.span, hint=exc.hint)]
    except yaml.MarkedYAMLError as exc:
        _relined_error(exc, text)
        tab = _tab_indent(text, exc)
        if tab is not None:
            return None, [
                Diagnostic(
                    "GC100",
                    f"YAML syntax error: a tab at line {tab.line}, column {tab.col} indents this line; "
                    "YAML indents with spaces only",
                    path,
                    tab,
                    hint="replace the tab with spaces (a playbook indents 2 spaces per level)",
                )
            ]
        mark = exc.problem_mark or exc.context_mark
        span = Span(mark.line + 1, mark.column + 1) if mark else None
        problem = exc.problem or exc.context or "cannot parse"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        odd = _yaml11_break_near(text, exc)
        if odd is not None:  # NEL, LS or PS where it went wrong: a line break to libyaml, a character to YAML 1.2
            character, at = odd
            return None, [
                Diagnostic(
                    "GC100",
                    f"YAML syntax error: {problem}{context}, after the {break_name(character)} at line {at.line}, "
                    f"column {at.col}: graphc's YAML parser (libyaml, YAML 1.1) reads that character as a line "
                    "break, where YAML 1.2 reads it as text",
                    path,
                    at,
                    hint=f"remove the character (in a double-quoted value, it may be written as "
                    f"`\\u{ord(character):04x}`)",
                )
            ]
        return None, [
            Diagnostic(
                "GC100",
                f"YAML syntax error: {problem}{context}",
                path,
                span,
                hint="check the indentation and quoting on this line",
            )
        ]
    except yaml.YAMLError as exc:  # reader errors: a character YAML refuses, which load_text places
        problem = str(exc).partition("\n")[0]  # without PyYAML's `in "<unicode string>", position N`
        return None, [Diagnostic("GC100", f"cannot read the file as YAML: {problem}", path, None, hint=_NOT_TEXT_HINT)]
    except RecursionError:  # pragma: no cover - the pure-Python scanner on pathological input
        return None, [Diagnostic("GC100", "document is nested too deeply", path, None)]
    finally:
        parser.dispose()
    return Document._from_tree(path, text, composer.root, composer.tree), []


def _position_tree(text: str, max_depth: int, max_nodes: int, max_total: int, *, events: list | None = None):
    """The position tree of a text a fast pass has read (so the full composer reads it without error):
    from ``events``, the parser's events the fast pass kept (every one, to the end of the stream), else
    from parsing ``text`` again."""
    composer = _Composer(max_depth, max_nodes, max_total)
    if events is not None:
        composer.run(iter(events).__next__)
        return composer.tree if composer.tree is not None else _EMPTY_DOCUMENT
    parser = _Parser(text)
    try:
        composer.run(_get_events(parser, text))
    except Exception:  # pragma: no cover - JSON the fast pass read but YAML cannot (none known: a safety net)
        return _EMPTY_DOCUMENT  # its values are right; its findings point at the start of the file
    finally:
        parser.dispose()
    return composer.tree if composer.tree is not None else _EMPTY_DOCUMENT


# What the JSON fast pass accepts. Outside it YAML and JSON might read the text differently, so the YAML
# passes decide (or, for a text meant as JSON, JSON alone: _load_json): text that is not ASCII (YAML refuses
# some characters and reads NEL inside a string as a space), control characters and tabs, escaped surrogates
# (JSON pairs them, libyaml refuses them), and a key whose `:` is on a later line (YAML keys are one line).
_JSON_START = re.compile(r"[ \n\r]*[{\[]")
_KEY_COLON_ON_NEXT_LINE = re.compile(r'"[ \r\n]*[\r\n][ \r\n]*:')
_JSON_UNSAFE_BYTES = bytes([*range(0x00, 0x0A), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])  # control characters, tabs
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_MAX_JSON_KEY = 150  # YAML reads a key of at most 1024 characters on one line (150 escaped as \uXXXX: 900)

_JSON_OBJECT_START = re.compile('\ufeff?[ \t\n\r]*(?:\\{[ \t\n\r]*["}]|\\[)')  # how a wire graph opens (_is_json)


# The characters YAML's reader refuses (the set libyaml and PyYAML share: YAML 1.1's printable characters).
_NOT_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
# The characters JSON never holds raw (RFC 8259 §7: control characters only escaped; tab, LF and CR only between
# tokens): DEL, the C1 characters and U+FFFE are JSON text, raw in a string.
_NOT_JSON_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_NOT_TEXT_HINT = "save the file as UTF-8 text without control characters"


def not_text_at(text: str, path: str | None = None) -> Span | None:
    """Where ``text`` holds the first character its reader refuses: NUL or another control character, U+FFFE
    (a UTF-16 file read without its byte-order mark has a NUL in its first two characters); None when it has none.
    The reader is YAML's, or JSON's for a text meant as JSON (``path`` given: as :func:`load_text` decides).

    Such a file is one graphc cannot read as text: whether it is a playbook cannot be told, so it is never passed
    over as another project's file, and it is input graphc could not check (spec §8: exit 2), as a file that is
    not UTF-8 (GC112). :func:`load_text` reports it as GC100 here; ``graphc lint`` and ``graphc fmt`` report it
    wherever they find it. Counted in characters, as every position (libyaml's own offset counts UTF-8 bytes).
    """
    refused = _NOT_JSON_TEXT if path is not None and _is_json(path, text) else _NOT_PRINTABLE
    found = refused.search(text)
    return None if found is None else Span(*line_and_column(text, found.start()))


def _not_text(text: str, path: str, json_meant: bool) -> Diagnostic | None:
    """GC100 at the first character of ``text`` its reader (YAML's, or JSON's) refuses (:func:`not_text_at`);
    None when it has none."""
    found = (_NOT_JSON_TEXT if json_meant else _NOT_PRINTABLE).search(text)
    if found is None:
        return None
    character = f"#x{ord(found.group()):04x}"
    reader = "JSON text" if json_meant else "YAML"
    message = (
        f"cannot read the file as {reader}: unacceptable character {character}: control characters are not allowed"
    )
    return Diagnostic("GC100", message, path, Span(*line_and_column(text, found.start())), hint=_NOT_TEXT_HINT)


def _is_json(path: str, text: str) -> bool:
    """Whether a text is meant as JSON (the router's format), and so read as JSON alone: a ``.json`` name, or a
    name that is neither ``.yaml`` nor ``.yml`` (stdin) with a text that opens as JSON does (``{"``, ``{}`` or
    ``[``; a playbook in flow style opens ``{graphc:``)."""
    if has_suffix(path, JSON_SUFFIXES):
        return True
    return not has_suffix(path, YAML_SUFFIXES) and _JSON_OBJECT_START.match(text) is not None


def _load_json(text: str, path: str, max_depth: int, max_nodes: int, max_total: int):
    """:func:`load_text` of a text meant as JSON that the fast pass did not take: read by the json module alone.

    Strict JSON (RFC 8259, as the router's parser reads it) decides: what json
    refuses, and the NaN and Infinity it would read, is GC100 "not valid JSON" at
    the place it stops; so is a string holding half of a surrogate pair (it
    stands for no character). The values are json's, numbers exact
    (:func:`_json_int`, :func:`_json_decimal`). A duplicate key, a limit or a
    number out of range is found again by the full composer reading the text's
    events (:func:`_json_events`), which says where, as for YAML. Positions come
    from those events too, made when first asked for.
    """
    body = text[1:] if text[:1] == "\ufeff" else text  # (read_source drops a BOM; a text given as text may keep it)
    try:
        data = json.loads(
            body,
            parse_float=_json_decimal,
            parse_int=_json_int,
            parse_constant=_not_a_json_number,
            object_pairs_hook=_json_object,
        )
        _check_json_limits(body, data, max_depth, max_total, max_key=MAX_SCALAR_CHARS)  # (JSON keys: any length)
    except (json.JSONDecodeError, _NotJsonNumber) as exc:
        return None, [_json_refused(path, body, exc)]
    except (_FullPassNeeded, InvalidOperation, RecursionError):  # a duplicate key, a limit, a number out of range
        composer = _Composer(max_depth, max_nodes, max_total, merges=False)
        try:
            composer.run(_json_events(body).__next__)
        except LoadError as exc:
            return None, [Diagnostic(exc.code, exc.message, path, exc.span, hint=exc.hint)]
        except Exception:  # (text json never read to its end: the syntax check below names the problem)
            pass
        refused = _json_syntax(path, body)
        if refused is not None:
            return None, [refused]
        doc = Document._from_tree(path, text, composer.root, composer.tree)  # (json and the composer disagree)
    else:
        doc = Document._tree_later(path, text, data, (max_depth, max_nodes, max_total), as_json=True)
    if "\\u" in body and _SURROGATE_ESCAPE.search(body):
        unpaired = _unpaired_surrogate(body)
        if unpaired is not None:
            return None, [_unpaired_surrogate_found(path, body, unpaired)]
    return doc, []


class _NotJsonNumber(Exception):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's json reads them, no RFC 8259 parser does."""


def _not_a_json_number(name: str):
    raise _NotJsonNumber(name)


def _json_syntax(path: str, body: str) -> Diagnostic | None:
    """GC100 for JSON text that json refuses (values aside: every number is read as text), else None."""
    try:
        json.loads(body, parse_int=str, parse_float=str, parse_constant=_not_a_json_number)
    except (json.JSONDecodeError, _NotJsonNumber, RecursionError) as exc:
        return _json_refused(path, body, exc)
    return None


def _json_refused(path: str, body: str, exc: Exception) -> Diagnostic:
    """GC100 for what json refused in ``body`` (a text meant as JSON, without its BOM)."""
    if isinstance(exc, json.JSONDecodeError):
        message, hint = _json_problem(body, exc.pos, exc.msg)
        return Diagnostic("GC100", f"not valid JSON: {message}", path, _json_span(body, exc.pos), hint=hint)
    if isinstance(exc, _NotJsonNumber):
        name = exc.args[0]
        # json stopped at its first one: the first plain scalar that is one (the text before it is JSON)
        at = next((e for e in _json_events(body) if type(e) is ScalarEvent and not e.style and e.value == name), None)
        return Diagnostic(
            "GC100",
            f"not valid JSON: {name} is not a JSON number",
            path,
            None if at is None else _span(at),
            hint="JSON has no NaN or infinities (Python's json.dumps writes them unless given allow_nan=False): "
            "write a number",
        )
    return Diagnostic(  # RecursionError: nested beyond what the json module reads (past any depth limit allowed)
        "GC100", "not valid JSON: nested too deeply to read", path, None, hint="flatten the document"
    )


def _json_span(body: str, index: int) -> Span:
    """The one-character span at ``body[index]`` (at the end of the text: just after it)."""
    line, col = _JsonLines(body).at(index)
    return _make_span(line + 1, col + 1, line + 1, col + 2)


# json's messages (the errors of json.decoder and its C scanner) in graphc's words, ``{found}`` what is at the
# place it stopped; another Python's other wording is shown as json words it, with what was found.
_JSON_PROBLEMS = {
    "Expecting value": "expected a value, found {found}",
    "Expecting property name enclosed in double quotes": "expected a key in double quotes, found {found}",
    "Expecting ':' delimiter": "expected `:` after the key, found {found}",
    "Expecting ',' delimiter": "expected `,` or the end of the object or array, found {found}",
    "Extra data": "more text after the end of the JSON value, found {found}",
    "Unterminated string starting at": "the string that starts here never ends",
    "Invalid control character at": "the control character {found} written raw inside a string",
    "Invalid \\escape": "an escape JSON does not know",
    "Invalid \\uXXXX escape": "a `\\u` escape without four hex digits",
}
_JSON_WORD = re.compile(r"[A-Za-z0-9_.+-]{1,30}")
_NUMBER_HINT = (
    "JSON numbers are plain decimals: no `+` sign, no leading zero, no hex or octal, and a digit before the point "
    "(`0.5`)"
)


def _json_problem(body: str, index: int, msg: str) -> tuple[str, str]:
    """The message and hint of GC100 for json's error ``msg`` at ``body[index]``."""
    word = _JSON_WORD.match(body, index)
    char = body[index : index + 1]
    if not char:
        found = "the end of the text"
    elif word is not None:
        found = f"`{word.group()}`"
    elif char.isprintable() and not char.isspace():
        found = f"`{char}`"
    else:
        found = f"U+{ord(char):04X}"
    problem = _JSON_PROBLEMS.get(msg)
    message = problem.format(found=found) if problem else f"{msg[:1].lower()}{msg[1:]}, found {found}"
    before = body[:index].rstrip(" \t\n\r")
    if msg == "Invalid control character at":
        hint = "write a tab inside a string as `\\t` and a line break as `\\n`"
    elif msg.startswith("Invalid \\"):
        hint = 'the escapes JSON knows: `\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\u` with four hex digits'
    elif msg.startswith("Unterminated string"):
        hint = 'end the string with `"` on the same line (a JSON string holds no raw line break)'
    elif msg == "Extra data":
        hint = "a JSON text is one value: remove what follows its end"
    elif (char in ("}", "]") and before.endswith(",")) or "trailing comma" in msg:
        hint = "JSON allows no comma after the last entry: remove it"
    elif char == "'":
        hint = 'JSON strings and keys take double quotes: `"buy"`'
    elif char in ("#", "/"):
        hint = "JSON has no comments: remove it"
    elif char in ("&", "*", "!"):
        hint = "JSON has no anchors, aliases or tags: write the value out"
    elif char in ("+", ".") or (word is not None and before[-1:] == "0" and msg == "Expecting ',' delimiter"):
        hint = _NUMBER_HINT
    elif not before and msg == "Expecting value":
        hint = (
            'the text is empty: a wire graph is a JSON object, `{"nodes": [...], "edges": [...]}`'
            if not char
            else "graphc reads a `.json` file (or input that opens with `{\"`) as JSON, the router's format: write "
            "JSON, or name the file `.yaml` to write YAML"
        )
    elif word is not None and word.group()[0].isalpha():
        hint = (
            'JSON keys take double quotes: `"is_sandbox":`'
            if msg.startswith("Expecting property name")
            else "JSON's words are true, false and null, in lower case; text takes double quotes"
        )
    elif char == '"' and msg == "Expecting ',' delimiter":
        hint = "put a comma between two entries"
    else:
        hint = "check the commas, brackets, quotes and escapes here"
    return message, hint


# A surrogate escape and what follows it: a pair (high, then low), or one alone; any other escape is skipped whole
_SURROGATES = re.compile(
    r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(u[dD][89a-fA-F][0-9a-fA-F]{2})|.)", re.S
)
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def _unpaired_surrogate(body: str) -> int | None:
    """Where the first escape of half a surrogate pair without its other half is in JSON text ``body``."""
    for string in _JSON_STRING.finditer(body):  # (in JSON text a `"` outside a string starts one)
        token = string.group()
        if "\\u" not in token:
            continue
        for escape in _SURROGATES.finditer(token):
            if escape.group(1) is not None:
                return string.start() + escape.start()
    return None


def _unpaired_surrogate_found(path: str, body: str, index: int) -> Diagnostic:
    escape = body[index : index + 6]
    return Diagnostic(
        "GC100",
        f"not valid JSON: `{escape}` is an unpaired surrogate, half of a UTF-16 pair without its other half: it "
        "stands for no character (RFC 8259 §8.2)",
        path,
        _json_span(body, index),
        hint="write the character itself, or both halves of its pair as json.dumps does (`\\ud83d\\ude00` for U+1F600)",
    )


class _JsonLines:
    """Where the lines of a text start, for a position's line and column: the line breaks are LF, CRLF and CR
    (graphc.lines), which the text report's code frame and every other position in graphc count too."""

    __slots__ = ("starts", "text")

    def __init__(self, text: str):
        self.text = text
        self.starts: list[int] | None = None

    def at(self, index: int) -> tuple[int, int]:
        """(line, column) of ``text[index]``, both 0-based, the column in code points."""
        starts = self.starts
        if starts is None:
            starts = self.starts = [0, *(m.end() for m in _LINE_BREAKS.finditer(self.text))]
        line = bisect_right(starts, index) - 1
        return line, index - starts[line]


_LINE_BREAKS = re.compile(LINE_BREAK)


class _JsonMark:
    """A parser mark of a place in JSON text: its ``line`` and ``column`` (all graphc reads of a mark), worked
    out when asked for."""

    __slots__ = ("index", "lines")

    def __init__(self, lines: _JsonLines, index: int):
        self.lines, self.index = lines, index

    @property
    def line(self) -> int:
        return self.lines.at(self.index)[0]

    @property
    def column(self) -> int:
        return self.lines.at(self.index)[1]


# The tokens of JSON text: a bracket, a string, or a number or word; the whitespace, commas and colons between
# them are skipped.
_JSON_TOKEN = re.compile(r'[{}\[\]]|"[^"\\]*(?:\\.[^"\\]*)*"|[^ \t\n\r{}\[\],:"]+', re.S)


def _json_events(text: str):
    """The parser events libyaml gives for JSON text that json reads (held equal by tests/test_json_strict.py
    wherever YAML reads the text too), with marks placed as libyaml places them (:class:`_JsonMark`): a string
    is a double-quoted scalar of json's value, a number or word a plain scalar of its text, which the composers
    read as json does (exact numbers, true, false, null). A BOM at the start is skipped, as by libyaml."""
    if text[:1] == "\ufeff":
        text = text[1:]
    lines = _JsonLines(text)
    mark = cast("Callable[[_JsonLines, int], yaml.error.Mark]", _JsonMark)  # (for the events' annotations)
    start = mark(lines, 0)
    yield StreamStartEvent(start, start)
    yield DocumentStartEvent(start, start)
    for token in _JSON_TOKEN.finditer(text):
        at, end = token.span()
        value = token.group()
        first = value[0]
        if first == '"':
            string = value[1:-1]
            if "\\" in string:
                string = scanstring(value, 1)[0]
            yield ScalarEvent(None, None, (False, True), string, mark(lines, at), mark(lines, end), '"')
        elif first == "{":
            yield MappingStartEvent(None, None, True, mark(lines, at), mark(lines, end), flow_style=True)
        elif first == "[":
            yield SequenceStartEvent(None, None, True, mark(lines, at), mark(lines, end), flow_style=True)
        elif first == "}":
            yield MappingEndEvent(mark(lines, at), mark(lines, end))
        elif first == "]":
            yield SequenceEndEvent(mark(lines, at), mark(lines, end))
        else:
            yield ScalarEvent(None, None, (True, False), value, mark(lines, at), mark(lines, end), "")
    last = mark(lines, len(text))
    yield DocumentEndEvent(last, last)
    yield StreamEndEvent(last, last)


class _JsonPlace:
    """Where a token of JSON text is: what the composer files as a scalar's ``(start mark, end mark)`` or a
    collection's start event (both read only through ``start_mark`` and ``end_mark``), as two offsets."""

    __slots__ = ("end", "lines", "start")

    def __init__(self, lines: _JsonLines, start: int, end: int):
        self.lines, self.start, self.end = lines, start, end

    @property
    def start_mark(self) -> _JsonMark:
        return _JsonMark(self.lines, self.start)

    @property
    def end_mark(self) -> _JsonMark:
        return _JsonMark(self.lines, self.end)


def _json_tree(text: str):
    """The position tree of JSON text that json has read: what the full composer makes of its
    :func:`_json_events` (the same frames, keys and marks; held equal by tests/test_json_strict.py), made in
    one pass over the tokens, with neither events nor values (a third of the time: a large graph's finding)."""
    if text[:1] == "\ufeff":
        text = text[1:]
    lines = _JsonLines(text)
    root: Any = _EMPTY_DOCUMENT
    top: _Frame | None = None  # the collection being filled
    key: Any = _NO_KEY  # a mapping's key read, its value next
    key_place = None
    stack: list = []  # (collection, its key in its parent, where that key is) of each one around ``top``
    new_place, new_frame = _JsonPlace, _Frame
    for token in _JSON_TOKEN.finditer(text):
        start, end = token.span()
        first = text[start]
        if first == "}" or first == "]":
            parent, parent_key, parent_key_place = stack.pop()
            if parent is not None and parent.is_map:
                parent.keys[parent_key] = parent_key_place  # (the composer files it when the value ends)
            top = parent
            continue
        place = new_place(lines, start, end)
        if first == "{" or first == "[":
            frame = new_frame(first == "{", None, place, None)
            if top is None:
                root = frame
            elif top.is_map:
                top.spans[key] = frame
            else:
                top.spans.append(frame)
            stack.append((top, key, key_place))
            top, key = frame, _NO_KEY
        elif top is None:
            root = place
        elif not top.is_map:
            top.spans.append(place)
        elif key is _NO_KEY:
            key, key_place = text[start + 1 : end - 1], place
            if "\\" in key:
                key = scanstring(text, start + 1)[0]
        else:
            top.spans[key] = place
            top.keys[key] = key_place
            key = _NO_KEY
    return root


class _JsonIndex:
    """Positions read straight from a text json has read, for a document whose position tree is not made: the
    places :func:`_json_tree` gives (a collection at its opening bracket, a scalar or key at its token), found by
    walking to the one path asked for. A collection's children are listed as far as a walk has needed, each
    one stepped over by json's own scanner (C speed), so one finding in a large graph costs a fraction of a
    ``json.loads``, not a pass of the whole text in Python (which took five to eight times the lint of a
    clean graph)."""

    __slots__ = ("lines", "listed", "offsets", "root", "spans", "text")

    def __init__(self, text: str):
        if text[:1] == "\ufeff":  # (as _json_tree: places counted after a byte-order mark)
            text = text[1:]
        self.text = text
        self.lines = _JsonLines(text)
        self.root = _space_after(text, 0)
        self.listed: dict[int, list] = {}  # a collection's offset -> what _child has listed of it (see there)
        self.spans: dict[int, Span] = {}  # an offset -> the span of the token there, made once
        self.offsets: dict[tuple, int | None] = {}  # a path -> the offset of its node (None: not there)

    def _child(self, start: int, part) -> tuple[int, int] | None:
        """(the key's offset or -1, the value's offset) of child ``part`` of the collection at ``start``."""
        text = self.text
        is_map = text[start] == "{"
        listed = self.listed.get(start)
        if listed is None:
            # its children so far ({key: (key's offset, value's)} or [value's offset]), the offset of the last
            # one listed, whose value is yet to be stepped over (None: none listed), and whether all are listed
            listed = self.listed[start] = [{} if is_map else [], None, False]
        children, last, done = listed
        if is_map:
            found = children.get(part)
            if found is not None:
                return found
        elif part < len(children):
            return -1, children[part]
        at = _space_after(text, start + 1)
        while not done:
            if last is not None:  # step over the last child listed, and its comma
                at = _space_after(text, _JSON_SKIP(text, last)[1])
                if text[at] == ",":
                    at = _space_after(text, at + 1)
            if text[at] in "}]":
                listed[2] = done = True
                break
            if is_map:
                key, colon = scanstring(text, at + 1)
                last = _space_after(text, _space_after(text, colon) + 1)
                children[key] = found = (at, last)
            else:
                last = at
                children.append(last)
                found = (-1, last)
            listed[1] = last
            if (key == part) if is_map else (len(children) > part):
                return found
        return None

    def _node(self, path, *, exact: bool) -> int | None:
        """The offset of the node at ``path``: of its nearest ancestor there (``exact``: None)."""
        path = tuple(path)
        for i, part in enumerate(path):  # no node is under a part neither text nor a whole number (True == 1: as
            if type(part) is not str and type(part) is not int:  # a key of `offsets`, it would be taken for 1)
                if exact:
                    return None
                path = path[:i]
                break
        offset = self._exact(path)
        while offset is None and not exact:
            path = path[:-1]
            offset = self._exact(path)  # (the root's, at least: found)
        return offset

    def _exact(self, path: tuple) -> int | None:
        """The offset of the node at exactly ``path`` (None: not there), remembered with each prefix, so the places
        of the many skipped checks of one node walk from that node, not from the root."""
        offsets = self.offsets
        if path in offsets:
            return offsets[path]
        offset = None
        if not path:
            offset = self.root
        else:
            at, part = self._exact(path[:-1]), path[-1]
            if at is not None:
                first = self.text[at]
                if (first == "{" and isinstance(part, str)) or (first == "[" and type(part) is int and part >= 0):
                    found = self._child(at, part)
                    offset = None if found is None else found[1]
        offsets[path] = offset
        return offset

    def _span(self, at: int) -> Span:
        span = self.spans.get(at)
        if span is None:
            text = self.text
            end = at + 1 if text[at] in "{[" else _JSON_TOKEN.match(text, at).end()  # type: ignore[union-attr]
            (line, col), (end_line, end_col) = self._place(at), self._place(end)
            span = self.spans[at] = _make_span(line + 1, col + 1, end_line + 1, end_col + 1)
        return span

    def _place(self, at: int) -> tuple[int, int]:
        """(line, column) of ``text[at]``, both 0-based."""
        text = self.text
        if not self.spans and text.isascii() and "\r" not in text:
            # the first span asked for (usually the only one): LF the only line break, counted up to it at C
            # speed; later ones look it up in the table of line starts (made once: counting again for each of
            # many places would be quadratic)
            return text.count("\n", 0, at), at - text.rfind("\n", 0, at) - 1
        return self.lines.at(at)

    def span(self, path) -> Span:
        """As :meth:`Document._tree_span`: the span of ``path`` or of its nearest ancestor."""
        if self.root >= len(self.text):
            return _EMPTY_DOCUMENT
        at = self._node(path, exact=False)
        assert at is not None  # not exact: the nearest ancestor, at least the root
        return self._span(at)

    def key_span(self, path: tuple) -> Span:
        """As :meth:`Document.key_span` on the tree: the span of the key introducing ``path``, else of the value."""
        if path and isinstance(path[-1], str) and self.root < len(self.text):
            parent = self._node(path[:-1], exact=True)
            if parent is not None and self.text[parent] == "{":
                found = self._child(parent, path[-1])
                if found is not None:
                    return self._span(found[0])
        return self.span(path)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _space_after(text: str, at: int) -> int:
    """The offset of the first character at or after ``at`` that is not JSON whitespace."""
    return _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]  # (it matches the empty string)


# json's scanner, to step over a value (its end is all that is used): numbers are not converted, so no digit
# limit applies (the text was read already, by json's reader with graphc's own number hooks)
_JSON_SKIP = json.scanner.make_scanner(  # type: ignore[attr-defined]
    json.JSONDecoder(parse_int=len, parse_float=len, parse_constant=len)
)


def _load_json_fast(
    text: str,
    max_depth: int,
    max_total: int,
    *,
    keys_later: Callable[[Any], bool] | None = None,
    unproven: list[int] | None = None,
):
    """The values of a JSON object or array, read by the json module (a tenth of the time of libyaml's events).

    For the JSON it accepts, YAML 1.2 core gives the same values: numbers as
    exact ints and Decimals, unique keys (a ``"<<"`` key is quoted, so it is
    text, never a YAML merge: :func:`_merge_key`); the same limits
    apply (depth, nodes, scalar length). Anything else raises, and
    :func:`load_text` goes on with the YAML passes, which decide as before.

    The usual file (no string holds punctuation, no long run of text,
    no ``\\u`` escape) is parsed into the json module's own dicts, numbers made
    by ``int`` and ``Decimal`` directly: no Python call per object or number. Its
    keys are proved unique afterwards by counting (:func:`_values_below`); any
    other file gets a Python check of each object as it is made.
    """
    if not _JSON_START.match(text) or not text.isascii():
        raise _FullPassNeeded
    raw = text.encode("ascii")
    if (
        len(raw.translate(None, _JSON_UNSAFE_BYTES)) != len(raw)  # deleting them shortens it
        or (b"\\" in raw and _SURROGATE_ESCAPE.search(text))
        or (_line_break_inside(raw) and _KEY_COLON_ON_NEXT_LINE.search(text))
    ):
        raise _FullPassNeeded
    counted = _json_limits_from_text(raw, max_depth, max_total)
    if counted is not None and _REFERENTS_ARE_VALUES and not _holds(raw, b"\\u"):
        values, short_numbers = counted
        data = json.loads(
            text,
            parse_float=Decimal if short_numbers else _json_decimal,
            parse_int=int if short_numbers else _json_int,
            parse_constant=_json_constant,
        )
        if keys_later is not None and unproven is not None and keys_later(data):
            unproven.append(values)  # the caller counts (load_text's keys_later)
            return data
        if _values_below(data) != values:
            raise _FullPassNeeded  # a duplicate key made a mapping smaller than its text (GC101)
        return data
    data = json.loads(
        text,
        parse_float=_json_decimal,
        parse_int=_json_int,
        parse_constant=_json_constant,
        object_pairs_hook=_json_object,
    )
    if counted is None:
        _check_json_limits(text, data, max_depth, max_total)
    return data


def prove_unique_keys(doc: Document, counted: int | None = None) -> tuple[Document | None, list]:
    """Settle ``doc.unproven_values`` (see load_text's ``keys_later``): ``counted`` is the values below the root
    that the caller's own walk counted in the data's mappings and lists (None: it did not, count them here).

    Returns ``(doc, [])`` when the counts agree (no key repeated), else what load_text gives without the fast
    pass: the duplicate key's GC101 (or whatever the full pass finds).
    """
    expected = doc.unproven_values
    if expected is None:
        return doc, []
    if counted is None or counted != expected:
        counted = _values_below(doc.data)
    if counted == expected:
        doc.unproven_values = None
        return doc, []
    limits = doc._limits or (MAX_DEPTH, MAX_NODES, MAX_TOTAL_NODES)
    return load_text(doc.text, doc.path, max_depth=limits[0], max_nodes=limits[1], max_total=limits[2])


def _holds(raw: bytes, pair: bytes) -> bool:
    """``pair in raw``, asked of its first byte first: a one-byte search is memchr, twenty times faster on a
    large file than the two-byte search, and most files hold neither byte."""
    return pair[:1] in raw and pair in raw


def _line_break_inside(raw: bytes) -> bool:
    """Whether a line break comes before the text's trailing whitespace (compact JSON has none)."""
    body = raw.rstrip(b" \r\n")
    return b"\n" in body or b"\r" in body


def _values_below(data) -> int:
    """How many values the collections under ``data`` hold: their dicts' lengths plus their lists' lengths.

    Counted level by level by ``gc.get_referents`` (C code: a dict with text keys gives its values, a
    list its items, a number or a text nothing), so a graph of millions of values costs a few
    milliseconds. A duplicate key makes its dict smaller than the text's count of its values.
    """
    total = 0
    level = [data]
    while level:
        level = get_referents(*level)
        total += len(level)
    return total


# _values_below counts only if get_referents gives a dict's values (not its keys), a list's items, and
# nothing for the scalars the json module makes here; else every file takes the checked path.
_REFERENTS_ARE_VALUES = len(get_referents({"a": 1, "b": [2]}, [3], Decimal("1.5"), "x", 1, 10**30, True, None)) == 3

_JSON_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'{}[],:"')  # deleted: all but the punctuation
_JSON_NOT_QUOTE = bytes.maketrans(bytes(c for c in range(256) if c != ord('"')), b"x" * 255)  # all but `"` -> x
_ONE_BRACKET = bytes.maketrans(b"[]", b"{}")  # nesting depth of valid JSON, whichever the brackets
_LONG_RUN = b"x" * (_MAX_JSON_KEY + 1)  # a run of text after a quote, longer than a key may be
_FAST_DEPTH_PASSES = 8  # deeper JSON is measured by the walk (each pass reads the brackets once)


def _json_limits_from_text(raw: bytes, max_depth: int, max_total: int) -> tuple[int, bool] | None:
    """:func:`_check_json_limits` from the text's punctuation alone, for the usual JSON file; None: walk the values.

    When no string holds a quote, a bracket, a comma or a colon, the punctuation
    left after deleting every other byte is the structure: ``:`` counts the keys,
    ``,`` and the non-empty collections the values, and removing the innermost
    ``{}``/``[]`` pairs pass after pass measures the nesting. No run of text
    after a quote longer than a key may be bounds every key and string (an
    escape is longer than the character it stands for), and every number after
    the first quote. Raises ``_FullPassNeeded`` exactly where the walk would
    (for text that is JSON: other text fails to parse anyway).

    Returns the number of values under the root (each key's value and each list
    item), and whether every number is short enough for ``int`` and ``Decimal``
    to read it as :func:`_json_int` and :func:`_json_decimal` do.
    """
    if b"\\" in raw and b'\\"' in raw:  # (no backslash: no escaped quote)
        return None  # a quote inside a string: the walk decides
    first_quote = raw.find(b'"')
    if first_quote >= 0 and raw.translate(_JSON_NOT_QUOTE).find(_LONG_RUN, first_quote + 1) >= 0:
        return None  # a long run of text (a `"` and more than _MAX_JSON_KEY other bytes): the walk decides
    structure = raw.translate(None, _JSON_NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in structure:
        return None  # a string holds punctuation
    keys, commas = structure.count(b":"), structure.count(b",")
    # An empty collection is `{}` or `[]` in the text without whitespace (no string holds one). In the
    # structure `{}` is an empty mapping too (a key brings its `:`), but `[]` may be a list of one scalar:
    # the text is looked at only when the structure has one.
    empty_lists = 0
    if b"[]" in structure:
        spaced = b"[ " in raw or b"[\n" in raw or b"[\r" in raw
        empty_lists = raw.translate(None, b" \r\n").count(b"[]") if spaced else raw.count(b"[]")
    nonempty = structure.count(b"{") + structure.count(b"[") - structure.count(b"{}") - empty_lists
    # Each collection of n > 0 entries has n - 1 commas; the walk counts the root, each key and each value.
    if 1 + keys + commas + nonempty > max_total:
        raise _TooManyNodes  # _parsed places it (_node_past) without the full pass (audit scale25 9)
    # Depth: in JSON the brackets nest properly, so one kind of bracket measures it as well as two.
    brackets = structure.translate(_ONE_BRACKET, b",:")
    for _ in range(min(max_depth, _FAST_DEPTH_PASSES)):
        brackets = brackets.replace(b"{}", b"")
        if not brackets:
            before_quote = len(raw) if first_quote < 0 else first_quote  # bounds a number before any quote
            return commas + nonempty, max(before_quote, _MAX_JSON_KEY) <= min(_MAX_INT_DIGITS, MAX_SCALAR_CHARS)
    if max_depth <= _FAST_DEPTH_PASSES:
        raise _FullPassNeeded  # deeper than max_depth
    return None


def _json_int(text: str):
    if len(text) > MAX_SCALAR_CHARS:
        raise _FullPassNeeded
    return int(text) if len(text) <= _MAX_INT_DIGITS else Decimal(text)  # as resolve_plain_scalar


def _json_decimal(text: str) -> Decimal:
    if len(text) > MAX_SCALAR_CHARS:
        raise _FullPassNeeded
    return Decimal(text)


def _json_constant(name: str):
    raise _FullPassNeeded  # NaN and Infinity are not JSON; YAML reads them as text


def _json_object(pairs: list) -> dict:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _FullPassNeeded  # a duplicate key (GC101)
    return mapping


def _check_json_limits(text: str, data, max_depth: int, max_total: int, *, max_key: int = _MAX_JSON_KEY) -> None:
    """The YAML composer's limits on JSON values: nesting, values and keys counted, scalar length, and no key
    longer than ``max_key`` (by default one that YAML reads the same, on one line).

    A wire graph has millions of values, so the per-value work is done by C code: a
    comprehension per collection, and one look at the text for string lengths (between
    two quotes there is at most one string's text, unless a quote is escaped).
    """
    check_strings = len(text) > MAX_SCALAR_CHARS and (
        '\\"' in text or max(map(len, text.split('"'))) > MAX_SCALAR_CHARS
    )
    containers_types = _CONTAINERS
    written = 0
    level = [data]
    for _ in range(max_depth):
        below: list = []
        for value in level:
            if type(value) is dict:
                if value and max(map(len, value)) > max_key:
                    raise _FullPassNeeded
                items = value.values()
                written += 1 + 2 * len(value)  # the mapping, its keys and its values
            else:
                items = value
                written += 1 + len(value)
            containers = [item for item in items if type(item) in containers_types]
            if check_strings and any(type(item) is str and len(item) > MAX_SCALAR_CHARS for item in items):
                raise _FullPassNeeded
            written -= len(containers)  # each collection inside counts once, when its level comes
            below += containers
        if written > max_total:
            raise _FullPassNeeded
        if not below:
            return
        level = below
    raise _FullPassNeeded  # deeper than max_depth


_CONTAINERS = frozenset((dict, list))


def _total_exceeded(max_total: int, span) -> LoadError:
    return LoadError(
        "GC100",
        f"the document has more than {max_total:,} nodes (values and keys)",
        span,
        "split it into smaller playbooks or graphs, or set GRAPHC_MAX_TOTAL_NODES to a larger number in the "
        'environment of the process that reads it, before it starts (read once: docs/robustness.md, "Raising a limit")',
    )


class _FullPassNeeded(Exception):
    """The fast pass met something only the full composer handles."""


class _TooManyNodes(_FullPassNeeded):
    """The JSON fast pass's count of the text's nodes (:func:`_json_limits_from_text`) is over the limit."""


# The tokens of JSON text that start a node as the composer counts them (a bracket that opens a collection, a
# string, key or value, a number or word): _JSON_TOKEN without the closing brackets.
_JSON_NODE = re.compile(r'[{\[]|"[^"\\]*(?:\\.[^"\\]*)*"|[^ \t\n\r{}\[\],:"]+', re.S)


def _node_past(text: str, max_total: int) -> Span | None:
    """The span of the node past the first ``max_total`` of JSON text that the fast pass counted too many nodes in:
    where the full composer, reading the text's events, stops with the same GC100 (:func:`_total_exceeded`), found
    by one regex pass over the text that builds no value, so refusing a graph over the limit never costs more than
    reading one within it (audit scale25 9). The tokens are those of :func:`_json_events`, which the composer reads
    for a text meant as JSON. None when the text has no such node (the full passes decide). It reports the limit
    whatever syntax error the text might hold elsewhere, as the composer stops at the limit without reading on."""
    found = next(islice(_JSON_NODE.finditer(text), max_total, None), None)
    if found is None:
        return None
    lines = _JsonLines(text)
    (line, col), (end_line, end_col) = lines.at(found.start()), lines.at(found.end())
    return _make_span(line + 1, col + 1, end_line + 1, end_col + 1)


# The fast pass keeps the parser's events of a text up to this size, so a finding's position costs no second
# parse (the events of a 64 KiB text take a few MB, for as long as its Document lives); a larger text keeps
# none (a 10 MB playbook's would take gigabytes), and is parsed again if a position is asked for.
MAX_REPLAY_CHARS = 65536


def _compose_fast(events, max_depth: int, max_total: int, *, marked: bool = True, long: bool = True):
    """The document's values, and nothing else, from the parser's events (an iterable, to the stream's end).

    ``marked=False`` says the text has no ``&``, ``*`` or ``!`` (so no anchor,
    alias or tag), ``long=False`` that it is no longer than a scalar may be (a scalar's
    value is never longer than its text): the per-event checks for them are skipped. A tag, even
    ``!``, is the full composer's, so a plain style alone makes a scalar plain-implicit
    (libyaml's rule for an untagged scalar).

    Handles plain data: mappings, lists and untagged scalars with unique keys.
    Anything else raises :class:`_FullPassNeeded` (or the parser's own error),
    and :func:`load_text` gives the text to the full composer, which builds the
    same values for what this accepts (tests/test_fuzz.py compares the two).
    Collections are attached to their parent when they start (the full
    composer attaches them when they end); the values and key order are the same.
    A key is checked (a duplicate, a merge) when it is read, and its value is read
    with it: in a mapping every event that starts an entry is a key. The collection
    being filled is a local; the stack holds the collections around it.
    """
    resolved, max_chars = _RESOLVED, MAX_SCALAR_CHARS
    scalar_event, mapping_start, sequence_start = ScalarEvent, MappingStartEvent, SequenceStartEvent
    mapping_end, sequence_end = MappingEndEvent, SequenceEndEvent
    stack: list = []  # (collection, whether it is a mapping) of each collection around the one being filled
    top: Any = None  # the dict or list being filled (None: at the root)
    in_map = False  # whether top is a dict
    root = _MISSING
    written = 0
    # Every value and key counted is an event: a list of events no longer than the limit cannot pass it.
    counting = type(events) is not list or len(events) > max_total
    events = iter(events)
    for event in events:
        etype = type(event)
        if etype is scalar_event:
            if (marked and (event.anchor or event.tag)) or (long and len(event.value) > max_chars):
                raise _FullPassNeeded
            node = event.value if event.style else resolved[event.value]
            if counting:
                written += 1
                if written > max_total:  # where the full composer would stop too: no need to run it
                    raise _total_exceeded(max_total, event)
            if not in_map:
                if top is None:
                    root = node
                else:
                    top.append(node)
                continue
            # a mapping's key: a duplicate or a merge key (a plain `<<`: _merge_key) is the full composer's
            key = node if type(node) is str else _key_text(node, event.value)
            if key in top or (key == "<<" and not event.style):
                raise _FullPassNeeded
            event = next(events)  # its value
            etype = type(event)
            if etype is scalar_event:
                if (marked and (event.anchor or event.tag)) or (long and len(event.value) > max_chars):
                    raise _FullPassNeeded
                top[key] = event.value if event.style else resolved[event.value]
                if counting:
                    written += 1
                    if written > max_total:
                        raise _total_exceeded(max_total, event)
                continue
            if etype is not mapping_start and etype is not sequence_start:
                raise _FullPassNeeded  # an alias
            node = {} if etype is mapping_start else []
            top[key] = node
        elif etype is mapping_start or etype is sequence_start:
            if in_map:  # a collection as a key
                raise _FullPassNeeded
            node = {} if etype is mapping_start else []
            if top is None:
                root = node
            else:
                top.append(node)
        elif etype is mapping_end or etype is sequence_end:
            top, in_map = stack.pop()
            continue
        elif etype is StreamEndEvent:
            break
        elif etype is DocumentStartEvent:
            if root is not _MISSING:
                raise _FullPassNeeded  # a second document
            continue
        elif etype is DocumentEndEvent or etype is StreamStartEvent:
            continue
        else:
            raise _FullPassNeeded  # an alias, or an event this pass does not know
        # a collection starts (``node``, placed in its parent above)
        if len(stack) >= max_depth or (marked and (event.anchor or event.tag)):
            raise _FullPassNeeded
        if counting:
            written += 1
            if written > max_total:  # where the full composer would stop too: no need to run it
                raise _total_exceeded(max_total, event)
        stack.append((top, in_map))
        top, in_map = node, etype is mapping_start
    return None if root is _MISSING else root


def _may_be_marked(text: str) -> bool:
    """Whether ``text`` may hold an anchor, alias or tag."""
    return "&" in text or "*" in text or "!" in text


def _may_be_long(text: str) -> bool:
    """Whether ``text`` may hold a scalar over the length limit (a large playbook: its scalars are still checked)."""
    return len(text) > MAX_SCALAR_CHARS


def _too_big(text: str) -> bool:
    """Is the UTF-8 form of ``text`` over MAX_FILE_BYTES? (Encodes only when it might be.)"""
    if len(text) * 4 <= MAX_FILE_BYTES:
        return False
    return len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES
