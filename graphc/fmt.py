"""``graphc fmt``: one canonical layout for playbooks, comments kept.

Two passes, because the two jobs want different tools:

1. **Spacing** - ruamel.yaml's round-trip mode re-emits the document with a
   2-space indent and sequences indented under their key, keeping comments,
   quoting, block scalars and flow collections as written. (Flow mappings such
   as ``twap: {every: 30s, slices: 10}`` get their keys ordered here too.) A
   flow collection written over several lines with comments inside is turned
   into block style first, each comment given to its entry: ruamel would put it
   on one line and drop the comments.
2. **Key order** - moving keys inside ruamel's tree drags comments to the wrong
   place (a comment above ``hedge:`` is stored on the *last key of the leg
   before it*), so block mappings are reordered as text instead: each key owns
   the comment and blank lines right above it plus its value's lines, and those
   blocks are permuted. ruamel supplies the key positions.

A formatted file is checked before it is returned: graphc must load exactly
the same data from it (and the same leg order), and find the same comments in
it (a lost one may be a ``# graphc: ignore[...]``), else :class:`FormatSkipped`
(the file is valid: left as it is, with a note); and each ``# graphc:
ignore[...]`` must cover the same keys, values and collections (a directive covers
what starts on its line, graphc.suppress), else :class:`SuppressionMoved`. A
value written below a key whose line holds a directive stays below it, since
ruamel would join it onto the directive's line, and a mapping's first key stays
first when its line, or that of the key the order puts first, holds one
(:func:`_first_key_kept`).
ruamel.yaml is imported only here, so other commands do not pay for it.

Nothing reaches ruamel that graphc's own loader refused: the file is loaded
first with the loader's limits (alias expansion, nesting, size, duplicate
keys), so an alias bomb or a syntax error is the same GC100 (with line and
column) that ``graphc lint`` reports. Numbers keep their exact text (a
5,000-digit integer is not converted) and, as text does, their anchors and
aliases (``buy: &size 2`` ... ``sell: *size``), merge keys (``<<: *anchor``) stay
where they are, an end-of-line comment after an anchor or an alias stays on its
line and an unused anchor is kept (:func:`_keep_anchors`,
:func:`_after_aliases_again`), and the file's line ends (``\\n``, ``\\r\\n`` or a
lone ``\\r``) are kept (a UTF-8 byte-order mark too: ``graphc fmt`` puts it back).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from functools import cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from graphc.lines import LINE_BREAK, Relined, has_yaml11_breaks
from graphc.stages.load import load_text, not_text_at
from graphc.vocabulary import ON_PRICE_FIELDS
from graphc.yaml_comments import comment_columns, comment_start, scalar_columns, scan

# A leg reads top-down: what repeats it or builds it (for_each, use/with), then the
# order itself in the spec's §3 table order, then how it is wired into the graph.
LEG_ORDER = (
    "for_each",
    "use",
    "with",
    "buy",
    "sell",
    "side",
    "qty",
    "symbol",
    "venue",
    "type",
    "limit",
    "policy",
    "urgency",
    "slippage",
    "horizon",
    "tif",
    "twap",
    "after",
    "activation",
)
TOP_ORDER = (
    "graphc",
    "graphc-template",
    "name",
    "description",
    "schedule",
    "params",
    "sandbox",
    "risk",
    "defaults",
    "legs",
    "edges",
)
RISK_ORDER = ("max_notional", "max_loss")
SCHEDULE_ORDER = ("cron", "timezone", "catch_up")
PARAM_ORDER = ("type", "default", "choices", "min", "max", "description")
EDGE_ORDER = ("from", "to", "trigger", "fill_ratio")
TWAP_ORDER = ("slices", "every", "over")
ON_PRICE_ORDER = ON_PRICE_FIELDS

_COMMENT = re.compile(r"^\s*#")
_DIRECTIVE = re.compile(r"graphc:\s*ignore", re.IGNORECASE)  # a suppression comment (graphc.suppress)
_LINE_DIRECTIVE = re.compile(r"graphc:\s*ignore(?![\w-])", re.IGNORECASE)  # one that covers its line only
_MARKER = re.compile(r"^graphc(-template)?\s*:", re.M)


class FormatError(ValueError):
    """The file cannot be formatted safely (not loadable, or formatting would change its data).

    ``diagnostics`` holds the loader's findings (GC100 with line and column)
    when the file does not load.
    """

    def __init__(self, message: str, diagnostics=()):
        super().__init__(message)
        self.diagnostics = list(diagnostics)


class FormatSkipped(FormatError):
    """A valid playbook holds a construct fmt cannot reformat without changing it (a tab inside a plain
    scalar, a comment between a key and its value, ...): the file is left as it is, with a note. Not a
    failure: ``fmt --check`` must not fail for ever on a file lint accepts (audit fmtdec #3)."""


class NotText(FormatError):
    """The file holds a character YAML does not allow (NUL or another control character; a UTF-16 file without
    its byte-order mark reads so): fmt cannot tell whether it is a playbook, so it never passes it over. It is
    reported as lint reports it (``diagnostics``: GC100 at the character) and, as a file that is not UTF-8,
    makes the run exit 2."""


class SuppressionMoved(FormatError):
    """Formatting would change which values a ``# graphc: ignore[...]`` covers (graphc.suppress: a directive
    covers what *starts* on its line), so lint would report something else: refused, never written."""


def is_playbook_text(text: str) -> bool:
    """A playbook (``graphc: 1``) or a ``use:`` template (``graphc-template: 1``): the files fmt formats.

    Also any text YAML cannot read (:class:`NotText`): whether it is a playbook cannot be told, and fmt reports it.
    """
    doc, _ = load_text(text, as_json=False)  # fmt formats YAML playbooks (JSON is never rewritten)
    if doc is None:  # broken YAML: it is ours if it says so, and then fmt reports the error
        return _MARKER.search(text) is not None or not_text_at(text) is not None
    return isinstance(doc.data, dict) and ("graphc" in doc.data or "graphc-template" in doc.data)


def format_text(text: str) -> str:
    """The canonical form of playbook ``text``; formatting it again changes nothing.

    Raises :class:`FormatError` for a file graphc cannot load (with its
    diagnostics) or could not format without changing what it says.
    """
    doc, diagnostics = load_text(text, as_json=False)  # lint's limits, before ruamel sees anything (YAML)
    if doc is None:
        failure = NotText if not_text_at(text) is not None else FormatError
        raise failure(diagnostics[0].message if diagnostics else "graphc cannot load this file", diagnostics)
    end = _line_end(text)
    # every line end as `\n` while formatting (YAML reads `\r\n`, `\r` and `\n` alike), the first line's put back
    # after: ruamel would keep the CR of a later line end in a comment's text (`# c1\r\n`, audit decomp24 5)
    original = re.sub("\r\n?", "\n", text) if "\r" in text else text
    header, body, footer = _outside_document(original)
    original = body
    current = first = _untabbed(body)
    tree = None  # ruamel's tree of `current`, when a round read it and left it as read
    for _ in range(4):  # one round is normally enough; the loop makes idempotence certain
        try:
            formatted, tree = _format_round(current, tree)
        except _UndefinedAlias as exc:
            if current is first:  # graphc's loader read this very text: ruamel and it disagree
                raise FormatSkipped(_unread_message(exc, current, header)) from None
            # the text was reordered: a key holding an anchor (`&name`) moved below one using it (`*name`)
            raise FormatSkipped(
                f"putting the keys in order would move the alias `*{exc.name}` above its anchor `&{exc.name}`, "
                "which YAML does not allow; the file is left unchanged (write the value out instead of the "
                "alias, or put the anchor in the block that comes first)"
            ) from None
        except _Unread as exc:  # graphc's loader read it, ruamel (which fmt needs for comments) cannot
            raise FormatSkipped(_unread_message(exc, current if current is first else None, header)) from None
        if formatted == current:
            break
        current = formatted
    if footer and (current.endswith(("\n...\n", "\n...")) or current in ("...\n", "...")):
        current = current[: current.rindex("...")]  # ruamel ends a plain scalar document with its own `...`
    original, current = header + original + footer, header + current + footer
    read = doc if original == text else None  # what graphc's loader read from `original`, when it read that text
    _check_same_data(original, current, read)
    _check_same_comments(original, current)
    _check_same_suppressions(original, current, read)
    return current.replace("\n", end) if end != "\n" else current


# the lines above a document's content: directives (`%YAML 1.1`), comments and blank lines, then its `---`,
# taken along when nothing but a comment follows it on its line (else it stays with the content, `--- !!map`)
_HEADER_LINES = r"(?:(?:%[^\n]*|[ \t]*(?:#[^\n]*)?)\n)"
_HEADER = re.compile(rf"{_HEADER_LINES}*---[ \t]*(?:#[^\n]*)?(?:\n|$)|{_HEADER_LINES}+(?=---(?:[ \t]|\n|$))")


# the document end marker and what follows it, comments and blank lines only, to the end of the text
_FOOTER = re.compile(r"^\.\.\.[ \t]*(?:#[^\n]*)?(?:\n[ \t]*(?:#[^\n]*)?)*\Z", re.M)


def _outside_document(text: str) -> tuple[str, str, str]:
    """``(the lines down to the document start, the document, its end marker and the lines after it)``: ruamel
    never sees the ``---`` line and what is written above it, nor a ``...`` line and what follows it. It drops
    comments there (the editor's schema line above ``---``, audit fmt22 #6; a comment after ``...``) and moves
    one on the ``---`` line below it, and a ``%YAML 1.1`` directive makes it read ``no``/``on`` as booleans
    where graphc reads YAML 1.2 core strings (spec: YAML 1.2). They are put back, as written, around the
    formatted document."""
    match = _HEADER.match(text)
    header, body = ("", text) if match is None else (match.group(), text[match.end() :])
    end = _FOOTER.search(body)
    return (header, body, "") if end is None else (header, body[: end.start()], body[end.start() :])


def _untabbed(text: str) -> str:
    """``text`` with a space for each tab between two tokens of a line (``name: "t"<TAB># c``, ``key:<TAB>value``),
    and without the blanks that end a line when they hold a tab (``name: t<TAB>``): YAML reads such a tab as a
    space, and ruamel, which fmt needs, cannot read it (audit decomp24 4). Only where the YAML scanner says no
    scalar's text runs (a tab inside a value, or on a block scalar's line, is text: kept), and neither in a
    comment nor in a line's indentation; the text as it is when the scanner cannot read it. The data read from
    the result is the same (:func:`_check_same_data` proves it)."""
    if "\t" not in text:
        return text
    parts = re.split(f"({LINE_BREAK})", text)
    lines = parts[::2]
    rows = [row for row, line in enumerate(lines) if "\t" in line]
    covered = scalar_columns(text, rows)
    if covered is None:
        return text
    comments = comment_columns(text, rows)
    for row in rows:
        line = lines[row]
        end = comments.get(row, len(line))
        code, spans = line[:end], covered.get(row, ())

        def free(column: int, spans=spans) -> bool:
            return not _covers(spans, column)

        if not code.strip():  # a blank line (its blanks go), or a comment's indentation (kept)
            lines[row] = "" if end == len(line) and all(map(free, range(len(line)))) else line
            continue
        lead, trail = len(code) - len(code.lstrip(" \t")), len(code.rstrip(" \t"))
        if end == len(line) and "\t" in code[trail:] and all(map(free, range(trail, len(code)))):
            code = code[:trail]
        lines[row] = (
            "".join(" " if ch == "\t" and column >= lead and free(column) else ch for column, ch in enumerate(code))
            + line[end:]
        )
    parts[::2] = lines
    return "".join(parts)


def _in_scalar(text: str, row: int, column: int) -> bool:
    """Whether ``(row, column)`` (from 0) of ``text`` holds a scalar's text (True when the scanner cannot tell)."""
    covered = scalar_columns(text, [row])
    return covered is None or _covers(covered.get(row, ()), column)


def _covers(spans, column: int) -> bool:
    """Whether one of ``spans`` (``(start, end or None: to the line's end)``, :func:`scalar_columns`) holds
    ``column``."""
    return any(start <= column and (stop is None or column < stop) for start, stop in spans)


def _line_end(text: str) -> str:
    """The file's line end, ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac; YAML reads it as a line break): its
    first line end decides, as editors do."""
    at = re.search("\r\n?|\n", text)
    return "\n" if at is None else at.group()


# -- pass 1: spacing ---------------------------------------------------------------------


def _yaml():
    yaml = YAML(typ="rt")
    yaml.Constructor, yaml.Representer = _exact_number_classes()
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class _NumberText(ScalarString):
    """A number scalar's source text: ruamel would round-trip a float through a binary float, and
    refuses to convert an integer of more than 4,300 digits. Its anchor (``&size 2``) is kept, as ruamel keeps
    a text scalar's: the same object stands for each alias (``*size``), which is written as an alias again."""

    __slots__ = ()
    tag = "tag:yaml.org,2002:float"


class _IntegerText(_NumberText):
    __slots__ = ()
    tag = "tag:yaml.org,2002:int"


class _TimestampText(_NumberText):
    """A plain scalar ruamel reads as a timestamp (``2026-01-05t09:00:00Z``): its source text, which graphc (YAML
    1.2's core schema) reads as a string; ruamel would write the date back in another spelling."""

    __slots__ = ()
    tag = "tag:yaml.org,2002:timestamp"


class _BoolText(_NumberText):
    """A boolean scalar's source text (``True``): a key keeps it as graphc reads it (``True:`` is the leg ``True``,
    not ``true``; audit spec28 3), and a value reads the same either way."""

    __slots__ = ()
    tag = "tag:yaml.org,2002:bool"


class _NullText(_NumberText):
    """A null scalar's source text when it has one (``~``, ``NULL``): a key's name, as for :class:`_BoolText`."""

    __slots__ = ()
    tag = "tag:yaml.org,2002:null"


class _Referents(list):
    """The mappings that merge one mapping (``<<: *anchor``): ruamel's ``CommentedMap._ref``, which it only
    walks (a key deleted from the anchor is updated in each of them), found by identity.

    ruamel adds each merging mapping after a test ``cm not in self._ref``, which compares it (``==``, key by key)
    with every one before it: 10,000 ``- {<<: *b}`` took minutes (hostile18 F2). Telling them apart by identity
    makes that test constant-time, and is what the list is for (two equal mappings are two referents); the
    output does not depend on it.
    """

    def __init__(self):
        super().__init__()
        self._ids: set[int] = set()

    def __contains__(self, mapping) -> bool:
        return id(mapping) in self._ids  # each one is kept alive by the list, so its id is not reused

    def append(self, mapping) -> None:
        self._ids.add(id(mapping))
        super().append(mapping)


@cache
def _exact_number_classes():
    """ruamel's round-trip constructor/representer, keeping number scalars as their exact text, and merges
    (``<<``) recorded in time linear in their number (:class:`_Referents`)."""

    class Constructor(RoundTripConstructor):
        def construct_yaml_map(self, node):
            steps = super().construct_yaml_map(node)
            mapping = next(steps)  # the empty mapping, before its keys (and merges) are read
            mapping._ref = _Referents()
            yield mapping
            yield from steps

    class Representer(RoundTripRepresenter):
        pass

    Constructor.add_default_constructor("map")  # ruamel registers the method of its own class: this one instead
    for kind in (_NumberText, _IntegerText, _TimestampText, _BoolText, _NullText):
        Constructor.add_constructor(
            kind.tag,
            # an empty null (`key:`) has no text to keep: ruamel's None, written as it was
            lambda self, node, kind=kind: kind(node.value, anchor=node.anchor) if node.value else None,
        )
        Representer.add_representer(
            kind, lambda self, data: self.represent_scalar(data.tag, str(data), anchor=data.yaml_anchor(any=True))
        )
    return Constructor, Representer


class _Unread(Exception):
    """ruamel cannot read a text graphc's loader read: ``(row, column)`` from 0 where (None when it does not
    say) and its ``problem``."""

    def __init__(self, at: tuple[int, int] | None, problem: str):
        super().__init__(problem)
        self.at, self.problem = at, problem


class _UndefinedAlias(_Unread):
    """ruamel met ``*name`` before any ``&name``: in a reordered text, the reordering moved it there."""

    def __init__(self, at: tuple[int, int] | None, problem: str, name: str):
        super().__init__(at, problem)
        self.name = name


_UNDEFINED_ALIAS = re.compile(r"found undefined alias '(?P<name>[^']*)'")

# ruamel's parser joining two comments it cannot join (tokens.py, move_old_comment), as it words it: the first
# comment token's repr gives its place (`CommentToken('# c\n', line: 6, col: 11)`, from 0), when it has one
_OVERLAP = re.compile(
    r"overlap in comment \[(?:None, )*\[?CommentToken\((?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"), "
    r"line: (?P<line>\d+), col: (?P<column>\d+)\)"
)


def _load(text: str):
    try:
        return _yaml().load(text)
    except YAMLError as exc:  # graphc's loader read it, ruamel (which fmt needs for comments) cannot
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        at = (mark.line, mark.column) if mark is not None else None
        problem = str(getattr(exc, "problem", None) or (str(exc).splitlines() or ["?"])[0])
        alias = _UNDEFINED_ALIAS.search(problem)
        if alias is not None:
            raise _UndefinedAlias(_relined(text, at), problem, alias["name"]) from None
        raise _Unread(_relined(text, at), problem) from None
    except NotImplementedError as exc:  # ruamel's parser on comments it cannot place: a value on the line below
        # its key's comment, a blank line after it (`limit: # note` / `  97000.125` / ``), which YAML allows
        if not str(exc).startswith("overlap in comment"):
            raise
        overlap = _OVERLAP.match(str(exc))
        at = (int(overlap["line"]), int(overlap["column"])) if overlap is not None else None
        raise _Unread(_relined(text, at), "a comment it cannot place: overlap in comment") from None


def _relined(text: str, at: tuple[int, int] | None) -> tuple[int, int] | None:
    """``at``, ruamel's place in ``text``, counted as graphc counts lines (ruamel reads YAML 1.1's: NEL, LS and
    PS end them too)."""
    return Relined(text)(*at) if at is not None and has_yaml11_breaks(text) else at


def _unread_message(exc: _Unread, text: str | None, header: str) -> str:
    """The note for a file ruamel cannot read (:class:`_Unread`), its place counted in the file (``header``: the
    lines above the text ruamel read, :func:`_outside_document`); ``text``: what ruamel read, when that is the
    file's own text (not yet reordered), else None and no place is given."""
    at = exc.at if text is not None else None
    where = f" at line {at[0] + 1 + header.count(chr(10))}, column {at[1] + 1}" if at is not None else ""
    if isinstance(exc, _UndefinedAlias):
        return f"fmt cannot parse this file{where}: {exc.problem}; it is left unchanged"
    if "\\t" not in exc.problem and "\t" not in exc.problem:
        return (
            f"not formatted: fmt's YAML reader cannot read this file{where} ({exc.problem}), though graphc reads "
            "it; the file is left as it is"
        )
    # YAML 1.2 and graphc's loader accept a tab inside a plain scalar, and between its tokens; ruamel does not.
    # fmt writes a space for a tab between tokens (_untabbed) where it can tell: what is left is in a value, or
    # leads a line
    if at is not None and text is not None and _in_scalar(text, *at):
        return (
            f"not formatted: fmt's YAML reader cannot read the tab inside the value{where}, which graphc reads "
            "(YAML allows a tab inside a value); the file is left as it is (quote that value, or write spaces "
            "instead of the tab, and fmt can format it)"
        )
    return (
        f"not formatted: fmt's YAML reader cannot read the tab{where}, which graphc reads; the file is left as "
        "it is (write spaces instead of the tab, and fmt can format it)"
    )


def _own_keys(mapping) -> list:
    """The keys written in ``mapping`` itself, not those a ``<<`` merge brings in."""
    own = getattr(mapping, "_ok", None)
    return list(mapping) if own is None else [key for key in mapping if key in own]


def _format_round(text: str, data=None):
    """``(text with the three passes done: spacing, comments' indentation, key order; ruamel's tree of that text,
    as read, or None)``. ``data``: ruamel's tree of ``text``, as read, if the caller has it.

    ruamel reads as few texts as it must (reading one is most of fmt's time): where the
    comment and key-order passes need to know a text's layout (:class:`_Layout`), it is read from the tree of
    that very text; the spacing pass's output is read again only when it differs from its input (a formatted
    file: never), by libyaml's C parser where it reads that text as ruamel does (:func:`_plain_tree`), and the
    reindented text only when a line it reindented holds some scalar's text (a comment line is nothing else to
    YAML: moving it changes no key's place).
    """
    data = _load(text) if data is None else data
    layout = _Layout(data)  # before _respace changes the tree
    spaced = _respace(text, data)
    fresh = None  # ruamel's tree of `spaced`, as read
    if spaced != text:
        read = _plain_tree(spaced)  # libyaml (C) reads a text with no anchor, alias, tag or merge as ruamel does
        if read is None:
            fresh = read = _load(spaced)
        layout = _Layout(read)
    commented, moved = _reindent_comments(spaced, layout.block_keys)
    if moved and not _outside_scalars(spaced, moved):
        layout = _Layout(_load(commented))
    formatted = _reorder_blocks(commented, layout.orders)
    return formatted, (fresh if formatted == spaced else None)


class _Layout:
    """What the comment and key-order passes need from ruamel's tree of a text, read before anything changes it:
    ``block_keys``, the ``(row, column)`` of each key whose value is a block scalar (``|`` / ``>``), and
    ``orders``, ``(keys, their (row, column), canonical order)`` of each block mapping whose keys are not in
    that order."""

    __slots__ = ("block_keys", "orders")

    def __init__(self, data):
        self.block_keys: list[tuple[int, int]] = _block_scalar_keys(data)
        self.orders: list[tuple[list, list, tuple]] = []
        done = set()  # a mapping an alias repeats (`far: *near`) is written once: ordered once
        for mapping, order in _ordered_maps(data):
            if id(mapping) in done:
                continue
            done.add(id(mapping))
            keys = _own_keys(mapping)  # a `<<: *anchor` line stays with the key above it (or first)
            if keys != sorted(keys, key=_rank(order)) and not mapping.fa.flow_style():
                self.orders.append((keys, [mapping.lc.key(k) for k in keys], order))


class _PlainMap(dict):
    """A mapping as libyaml reads it, offering what :class:`_Layout` asks of ruamel's ``CommentedMap``: its keys'
    ``(row, column)`` (``.lc.key``) and whether it is written in flow style (``.fa.flow_style()``)."""

    def __init__(self, flow: bool):
        super().__init__()
        self.at: dict = {}
        self.flow = flow

    @property
    def lc(self):
        return self

    @property
    def fa(self):
        return self

    def key(self, key) -> tuple[int, int]:
        return self.at[key]

    def flow_style(self) -> bool:
        return self.flow


def _plain_tree(text: str):
    """The tree ruamel would read from ``text`` as far as :class:`_Layout` looks at it (mappings with their keys'
    places and style, sequences, and each scalar a ``str``, a block one as ruamel's ``|`` / ``>`` string), read
    by libyaml's C parser; None unless the text is one that both read alike: one document with no anchor,
    alias, explicit tag, merge key (``<<``), non-scalar key or key written twice, no tab and no YAML 1.1 line
    break."""
    import yaml  # deferred: PyYAML's C parser, for a text ruamel's (pure Python) reader would take long on

    if "\t" in text or has_yaml11_breaks(text) or not hasattr(yaml, "CSafeLoader"):
        return None  # ruamel reads a tab, and YAML 1.1's NEL, LS and PS, otherwise
    stack: list = []  # [collection, key awaiting its value (mappings; _NO_KEY when the next scalar is a key)]
    root = None
    documents = 0
    try:
        events: Any = yaml.parse(text, Loader=yaml.CSafeLoader)  # each of its own class: read by their type
        for event in events:
            kind = type(event)
            if kind in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
                continue
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return None
                continue
            if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                node = stack.pop()[0]
                if stack:
                    _plain_add(stack, node)
                else:
                    root = node
                continue
            if kind is yaml.AliasEvent or event.anchor is not None:
                return None
            if event.tag is not None:
                return None
            if kind is yaml.ScalarEvent:
                key_place = stack and isinstance(stack[-1][0], dict) and stack[-1][1] is _NO_KEY
                if key_place:
                    value = None if event.value == "" and not event.style else event.value  # plain and empty: null
                    if value == "<<" or value in stack[-1][0].at:
                        return None
                    stack[-1][0].at[value] = (event.start_mark.line, event.start_mark.column)
                    stack[-1][1] = value
                    continue
                styled = _BLOCK_STYLES.get(event.style)
                node = styled(event.value) if styled is not None else event.value
                if stack:
                    _plain_add(stack, node)
                else:
                    root = node
                continue
            if stack and isinstance(stack[-1][0], dict) and stack[-1][1] is _NO_KEY:
                return None  # a mapping or sequence as a key
            flow = bool(event.flow_style)
            stack.append([_PlainMap(flow) if kind is yaml.MappingStartEvent else [], _NO_KEY])
    except (yaml.YAMLError, ValueError):  # ValueError: a lone surrogate, which libyaml cannot be given
        return None
    return root


_NO_KEY = object()
_BLOCK_STYLES = {"|": LiteralScalarString, ">": FoldedScalarString}


def _plain_add(stack, node) -> None:
    """Put ``node`` in the collection on top of ``stack``: a sequence's next item or the value of the key read."""
    top = stack[-1]
    if isinstance(top[0], dict):
        top[0][top[1]] = node
        top[1] = _NO_KEY
    else:
        top[0].append(node)


def _outside_scalars(text: str, rows) -> bool:
    """Whether no scalar's text runs on any of ``rows`` of ``text`` (False when the YAML scanner cannot tell)."""
    covered = scalar_columns(text, rows)
    return covered is not None and not any(covered.get(row) for row in rows)


def _respace(text: str, data) -> str:
    """``text`` as ruamel writes ``data``, its tree (which this changes)."""
    below = _values_below_directives(data, text.splitlines())
    _unflow_commented(data, text.splitlines())
    _keep_anchors(data)
    for mapping, order in _ordered_maps(data):
        if mapping.fa.flow_style():
            for key in sorted(_own_keys(mapping), key=_rank(order)):
                mapping.move_to_end(key)
    out = io.StringIO()
    yaml = _yaml()
    yaml.explicit_start = text.lstrip().startswith("---")
    yaml.dump(data, out)
    formatted = _keep_below(out.getvalue(), below) if below else out.getvalue()
    return _after_aliases_again(formatted, _comments_after_aliases(text))


def _comments_after_aliases(text: str) -> list[tuple[int, str, str, str]]:
    """``(line number, alias name, blanks before the comment, comment)`` of each end-of-line comment written
    right after an alias (``far: *rung  # ...``, ``<<: *rung  # ...``, ``- *a  # ...``)."""
    if "*" not in text:
        return []
    columns = comment_columns(text)
    if not columns:
        return []
    import yaml  # deferred: only a text with an alias and a comment is scanned again

    last: dict[int, yaml.Token] = {}  # row -> the last token that ends on it before its comment
    for token in scan(text):
        start, end = token.start_mark, token.end_mark
        if (
            end.line in columns
            and end.column <= columns[end.line]
            and (start.line, start.column) != (end.line, end.column)
        ):
            last[end.line] = token
    lines = re.split(LINE_BREAK, text)
    found = []
    for row, column in sorted(columns.items()):
        before = last.get(row)
        if isinstance(before, yaml.AliasToken):
            gap = lines[row][before.end_mark.column : column]
            found.append((row + 1, before.value, gap, lines[row][column:].rstrip()))
    return found


def _after_aliases_again(text: str, comments: list[tuple[int, str, str, str]]) -> str:
    """Put each end-of-line comment after an alias back on its line (audit fmt22 #5): ruamel writes it on a line
    of its own below (it stores it as a comment above the next key, and an alias's own comment on the anchored
    node, which it shares). One fmt cannot find there is :class:`FormatSkipped`, with its line."""
    if not comments:
        return text
    lines = text.splitlines(keepends=True)
    at = 1
    for row, name, gap, comment in comments:
        while at < len(lines) and not (lines[at].strip() == comment and lines[at - 1].rstrip().endswith(f"*{name}")):
            at += 1
        if at >= len(lines):
            raise FormatSkipped(
                f"not formatted: fmt cannot keep the comment `{comment}` (line {row}) on the line of the alias "
                f"`*{name}` it follows; the file is left as it is (write the comment above that line)"
            )
        lines[at - 1] = lines[at - 1].rstrip() + gap + comment + "\n"
        del lines[at]
    return "".join(lines)


def _keep_anchors(node, seen: set[int] | None = None, moved: set[int] | None = None) -> None:
    """Keep what ruamel would move or drop around an anchor on a collection (audit fmt22 #5).

    ruamel stores a comment written after ``key: &anchor`` (or a tag) as one above the collection's first
    entry, so the key order put it above whatever key came first (``near: &rung  # desk limit 5 ETH`` became a
    note on ``limit:``): it is made the key line's end-of-line comment again, where ruamel keeps a plain key's.
    Each alias's entry holds a copy of that comment, which ruamel would write for the anchor's node (the same
    node): it is dropped. And an anchor no alias uses is written as one that is (ruamel drops it otherwise).
    """
    seen = set() if seen is None else seen  # the collections met so far: met again, through an alias
    moved = set() if moved is None else moved  # the comments made end-of-line ones
    if not isinstance(node, (CommentedMap, CommentedSeq)):
        return
    anchor = node.yaml_anchor()
    if anchor is not None:
        anchor.always_dump = True
    if isinstance(node, CommentedSeq):
        for value in node:
            if id(value) not in seen:
                seen.add(id(value))
                _keep_anchors(value, seen, moved)
        return
    for key in _own_keys(node):
        value = node[key]
        if not isinstance(value, (CommentedMap, CommentedSeq)):
            continue
        if id(value) in seen:  # an alias: its entry's copies of the anchored collection's comments go
            slot = node.ca.items.get(key)
            if slot is not None and any(id(token) in moved for token in _tokens(slot)):
                del node.ca.items[key]
            continue
        seen.add(id(value))
        above = value.ca.comment[1] if value.ca.comment and value.ca.comment[0] is None else None
        key_row = node.lc.key(key)[0]
        if above and all(isinstance(token, CommentToken) for token in above) and above[0].start_mark.line == key_row:
            # as ruamel reads the same lines after a key with no anchor: one token, the lines below included
            text = above[0].value + "".join(" " * token.start_mark.column + token.value for token in above[1:])
            eol = CommentToken(text, above[0].start_mark)
            moved.update(id(token) for token in above)
            value.ca.comment = [eol, None]
            slot = node.ca.items.get(key) or [None, None, None, None]
            node.ca.items[key] = [slot[0], slot[1], eol, None]
        _keep_anchors(value, seen, moved)


def _tokens(slot):
    """The comment tokens in ruamel's positional comment ``slot``."""
    for item in slot:
        yield from item if isinstance(item, list) else () if item is None else (item,)


def _values_below_directives(node, lines, path=()) -> list[tuple]:
    """The paths of the values (scalars, flow collections) written on the line below their key when the key's
    line holds a ``# graphc: ignore[...]``.

    ruamel would put such a value on its key's line, before the comment, and the directive, which covers what
    *starts* on its line (graphc.suppress), would then hide the value's findings too (audit fmtdec #1): those
    values stay on a line of their own (:func:`_keep_below`).
    """
    found: list[tuple] = []
    if isinstance(node, dict):
        own = set(_own_keys(node))
        for key, value in node.items():
            if key not in own:
                continue
            at = node.lc.data.get(key)  # type: ignore[attr-defined]  # ruamel's CommentedMap: [key row, col, value row, col]
            block = isinstance(value, (dict, list)) and not value.fa.flow_style()  # type: ignore[union-attr]
            if (
                at is not None
                and not block
                and not isinstance(value, (LiteralScalarString, FoldedScalarString))
                and at[2] > at[0]
                and _has_directive(lines[at[0]])
            ):
                found.append((*path, key))
            found += _values_below_directives(value, lines, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _values_below_directives(value, lines, (*path, index))
    return found


def _has_directive(line: str, directive: re.Pattern = _DIRECTIVE) -> bool:
    start = comment_start(line)
    return start is not None and directive.search(line, start) is not None


def _keep_below(text: str, paths: list[tuple]) -> str:
    """Put each value at ``paths`` that ruamel wrote on its key's line, before that line's comment, back on a
    line of its own below the key (indented 2 more): ``spot: # graphc: ignore[GC303]`` / ``  {buy: 1, ...}``."""
    data = _load(text)
    lines = text.splitlines(keepends=True)
    moves = []
    for path in paths:
        mapping = data
        try:
            for step in path[:-1]:
                mapping = mapping[step]
            key_row, key_col, value_row, value_col = mapping.lc.data[path[-1]]
        except (KeyError, IndexError, TypeError, AttributeError):
            continue
        start = comment_start(lines[key_row])
        if value_row == key_row and start is not None and start > value_col:
            moves.append((key_row, key_col, value_col, start))
    for row, key_col, value_col, start in sorted(moves, reverse=True):
        line = lines[row]
        end = line[len(line.rstrip("\r\n")) :]
        lines[row : row + 1] = [
            line[:value_col].rstrip() + " " + line[start:].rstrip("\r\n") + end,
            " " * (key_col + 2) + line[value_col:start].rstrip() + end,
        ]
    return "".join(lines)


def _unflow_commented(node, lines, parent=None, key=None) -> None:
    """Write each flow collection (``{...}`` / ``[...]``) that holds comments over several lines in block style.

    ruamel re-emits a flow collection on one line and drops the comments inside
    it (a ``# graphc: ignore[...]`` among them). In block style each entry gets
    its own line, so a comment after an entry becomes that entry's end-of-line
    comment (a suppression directive still covers the same entry) and a comment
    on a line of its own goes above the entry that follows it. A collection
    whose comments cannot be placed that way (two entries on the commented line,
    nested collections, a directive on the ``key: {`` line, which also covers
    the key) is left to ruamel, and :func:`_check_same_comments` refuses the
    result if a comment was lost.
    """
    if isinstance(node, dict):
        own = set(_own_keys(node))
        children = [(child_key, value) for child_key, value in node.items() if child_key in own]
    elif isinstance(node, list):
        children = list(enumerate(node))
    else:
        return
    if not node.fa.flow_style():
        for child_key, child in children:
            _unflow_commented(child, lines, node, child_key)
        return
    found = _placed_comments(node, lines, isinstance(parent, dict))
    if found is None:  # no comment inside, or one that cannot be placed (the safety check then refuses)
        return
    placed, rows = found
    node.fa.set_block_style()
    # ruamel's own copies of these comments (some of them, in odd slots; one on the parent too) are dropped
    for entry, slot in list(node.ca.items.items()):
        node.ca.items[entry] = _without_rows(slot, rows)
    node.ca.comment = _without_rows(node.ca.comment, rows)
    node.ca.end = [token for token in node.ca.end or () if not _on_rows(token, rows)] or None
    if parent is not None and key in parent.ca.items:
        parent.ca.items[key] = _without_rows(parent.ca.items[key], rows)
    for entry, (eol, before) in placed.items():
        node.ca.items[entry] = [None, None, None, None]
        if eol is not None:  # at its written column, as ruamel keeps a block mapping's comments
            node.yaml_add_eol_comment(eol[1], entry, column=eol[0])
        if before:  # indented like their entry by _reindent_comments
            node.ca.items[entry][1] = [CommentToken(text + "\n", CommentMark(0)) for text in before]


def _without_rows(slot, rows):
    """ruamel's positional comment ``slot`` ([token or [tokens] or None, ...]) without the tokens on ``rows``."""
    if not isinstance(slot, list):
        return slot
    return [
        None if _on_rows(item, rows) else [t for t in item if not _on_rows(t, rows)] if isinstance(item, list) else item
        for item in slot
    ]


def _on_rows(item, rows) -> bool:
    return isinstance(item, CommentToken) and item.start_mark.line in rows


def _placed_comments(node, lines, under_key):
    """``({entry key or index: ((column, end-of-line comment) or None, [comments above it])}, its rows)`` for
    the comments written inside the flow collection ``node`` over several lines; ``None`` when there are none,
    or when one cannot be given to a single entry."""
    if isinstance(node, dict):
        if list(node) != _own_keys(node):
            return None  # a `<<` merge
        entries = [(key, node.lc.key(key), node.lc.value(key), node[key]) for key in node]
    else:
        entries = [(i, node.lc.item(i), node.lc.item(i), value) for i, value in enumerate(node)]
    if not entries or any(
        isinstance(value, (dict, list)) or at[0] != value_at[0] for _, at, value_at, value in entries
    ):
        return None
    first_row, last_row = node.lc.line, max(at[0] for _, at, _, _ in entries)
    if first_row == last_row:
        return None  # on one line: ruamel keeps a comment after it
    closing = row = last_row + 1  # past the lines holding only closing brackets (and comments)
    while row < len(lines):
        code = _code(lines[row])
        if re.fullmatch(r"[\s,]*[\]}][\s,\]}]*", code):
            closing = row = row + 1
        elif not code.strip():
            row += 1
        else:
            break
    starting: dict[int, list] = {}
    for key, at, _, _ in entries:
        starting.setdefault(at[0], []).append(key)
    placed: dict = {key: (None, []) for key, _, _, _ in entries}
    waiting: list[str] = []  # comments on lines of their own, for the next entry
    for row in range(first_row, closing):
        keys = starting.get(row, [])
        if waiting and keys:
            placed[keys[0]][1].extend(waiting)
            waiting = []
        start = comment_start(lines[row])
        if start is None:
            continue
        comment = lines[row][start:].rstrip()
        directive = _DIRECTIVE.search(comment) is not None
        if row == first_row and under_key and directive:
            return None  # it covers the `key: {` line too, which block style splits from the entry
        if not keys and row <= last_row and not (directive and lines[row][:start].strip()):
            waiting.append(comment)  # above the next entry
        elif len(keys) == 1 or (row > last_row and placed[entries[-1][0]][0] is None):
            key = keys[0] if keys else entries[-1][0]
            placed[key] = ((start, comment), placed[key][1])
        else:
            return None
    if waiting or all(eol is None and not before for eol, before in placed.values()):
        return None
    return {key: value for key, value in placed.items() if value != (None, [])}, range(first_row, closing)


def _code(line: str) -> str:
    start = comment_start(line)
    return line if start is None else line[:start]


def _reindent_comments(text: str, block_keys) -> tuple[str, list[int]]:
    """Indent each full-line comment like the line it precedes; ``(the text, the rows changed)``.

    ruamel keeps a comment's old column when the indentation around it changes,
    which would leave it looking attached to the wrong key; a comment is about
    the line below it, so it takes that line's indentation. Block scalar text
    that happens to start with ``#`` is content and is left alone (``block_keys``: :class:`_Layout`).
    """
    lines = text.splitlines(keepends=True)
    protected = _block_scalar_rows(block_keys, lines)
    moved = []
    indent = 0
    for row in range(len(lines) - 1, -1, -1):
        line = lines[row]
        if _is_blank(line):
            continue
        if row in protected or not _COMMENT.match(line):
            indent = _indent(line)
        elif _indent(line) != indent:
            lines[row] = " " * indent + line.lstrip(" ")
            moved.append(row)
    return "".join(lines), moved


def _block_scalar_keys(node, found=None) -> list[tuple[int, int]]:
    """``(row, column)`` of each key whose value is a block scalar (``|`` / ``>``), anywhere under ``node``."""
    found = [] if found is None else found
    if isinstance(node, dict):
        for key in _own_keys(node):  # a merged one (`<<: *base`) is written, and found, at its anchor
            value = node[key]
            if isinstance(value, (LiteralScalarString, FoldedScalarString)):
                found.append(node.lc.key(key))  # type: ignore[attr-defined]  # ruamel's CommentedMap
            else:
                _block_scalar_keys(value, found)
    elif isinstance(node, list):
        for value in node:
            _block_scalar_keys(value, found)
    return found


def _block_scalar_rows(block_keys, lines) -> set:
    """Rows of ``lines`` holding the text of the block scalars whose keys are at ``block_keys``."""
    rows = set()
    for key_row, col in block_keys:
        row = key_row + 1
        while row < len(lines) and (_is_blank(lines[row]) or _indent(lines[row]) > col):
            rows.add(row)
            row += 1
    return rows


# -- which mappings have a canonical key order -------------------------------------------


def _ordered_maps(data):
    """Yield (mapping, key order) for every mapping of a playbook whose keys have a canonical order."""
    if not _is_map(data):
        return
    yield data, TOP_ORDER
    if _is_map(data.get("risk")):
        yield data["risk"], RISK_ORDER
    if _is_map(data.get("schedule")):
        yield data["schedule"], SCHEDULE_ORDER
    if _is_map(data.get("params")):
        yield from ((p, PARAM_ORDER) for p in data["params"].values() if _is_map(p))
    legs = list(data["legs"].values()) if _is_map(data.get("legs")) else []
    for leg in ([data["defaults"]] if _is_map(data.get("defaults")) else []) + legs:
        if not _is_map(leg):
            continue
        yield leg, LEG_ORDER
        if _is_map(leg.get("twap")):
            yield leg["twap"], TWAP_ORDER
        after = leg.get("after")
        for entry in after if isinstance(after, list) else []:
            yield from _edge_maps(entry)
    for entry in data.get("edges") if isinstance(data.get("edges"), list) else []:
        yield from _edge_maps(entry)


def _edge_maps(entry):
    if not _is_map(entry):
        return
    yield entry, EDGE_ORDER
    trigger = entry.get("trigger")
    if _is_map(trigger) and _is_map(trigger.get("on_price")):
        yield trigger["on_price"], ON_PRICE_ORDER


def _is_map(value) -> bool:
    return isinstance(value, dict)


def _rank(order):
    """Sort key: known keys in ``order``, unknown ones after them in their written order."""
    return lambda key: order.index(key) if key in order else len(order)


# -- pass 2: key order, as line blocks -------------------------------------------------------


def _reorder_blocks(text: str, orders) -> str:
    """``text`` with the keys of each block mapping in ``orders`` (:class:`_Layout`) in their canonical order."""
    lines = text.splitlines(keepends=True)
    jobs = []
    for keys, positions, order in orders:
        wanted = sorted(keys, key=_rank(order))
        if _first_key_kept(lines, positions[0][0], positions[keys.index(wanted[0])][0]):
            wanted = [keys[0], *sorted(keys[1:], key=_rank(order))]
        if keys != wanted:
            jobs.append((positions[0][0], keys, positions, wanted))
    for _, keys, positions, wanted in sorted(jobs, key=lambda job: job[0], reverse=True):
        _permute(lines, keys, positions, wanted)
    return "".join(lines)


def _first_key_kept(lines, first_row: int, new_first_row: int) -> bool:
    """Whether a block mapping's first key stays first, the others ordered after it: when its line, or the line
    of the key the order puts first, holds a ``# graphc: ignore[...]``. A mapping starts on its first key's line,
    and lint reports some findings at a mapping (an edge's GC208 and GC210, at the edge's entry): a directive on
    that line covers them, and would stop covering them, or start to, if another key came first (audit
    decomp24 1)."""
    return any(_has_directive(lines[row], _LINE_DIRECTIVE) for row in {first_row, new_first_row})


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_blank(line: str) -> bool:
    return not line.strip()


def _permute(lines, keys, positions, wanted):
    """Reorder one block mapping's keys in ``lines`` (in place).

    A key's block starts at the comments and blank lines right above it (not
    indented deeper than the key) and runs to the next block. The first key of
    a nested mapping takes the comments right above it along too (blank lines
    above them stay put); the top-level mapping's first key leaves the lines
    above it in place (the file's header, like the editor's schema line), and
    so does the first key of a sequence item (``- key:``: they are about the
    item). The last block ends before any trailing lines that belong to what
    comes after the mapping.
    """
    rows = [row for row, _ in positions]
    col = positions[0][1]
    first = rows[0]
    if col > 0 and not lines[rows[0]][:col].strip():
        first = _leading_start(lines, rows[0], col, -1)
        while first < rows[0] and _is_blank(lines[first]):
            first += 1
    starts = [first] + [_leading_start(lines, row, col, floor) for row, floor in zip(rows[1:], rows, strict=False)]
    end = _region_end(lines, rows[-1], col)
    blocks = {key: lines[start:stop] for key, start, stop in zip(keys, starts, starts[1:] + [end], strict=False)}
    prefix = lines[rows[0]][:col]  # "  - " when the mapping is a sequence item
    if prefix.strip():
        opening = blocks[keys[0]]
        opening[0] = " " * col + opening[0][col:]
    ordered = [list(blocks[key]) for key in wanted]
    if prefix.strip():
        block = ordered[0]
        at = next(i for i, line in enumerate(block) if not _is_blank(line) and not _COMMENT.match(line))
        block[at] = prefix + block[at][col:]
    lines[first:end] = [line for block in ordered for line in block]


def _leading_start(lines, row, col, floor):
    start = row
    while start - 1 > floor and (
        _is_blank(lines[start - 1]) or (_COMMENT.match(lines[start - 1]) and _indent(lines[start - 1]) <= col)
    ):
        start -= 1
    return start


def _region_end(lines, last_row, col):
    """One past the last line of the mapping whose last key is at ``last_row``."""
    end = last_row + 1
    while end < len(lines):
        line = lines[end]
        if not _is_blank(line) and not _COMMENT.match(line) and _indent(line) <= col:
            break
        end += 1
    at_eof = end == len(lines)  # comments after the file's last key are the file's, not that key's
    while end - 1 > last_row and (
        _is_blank(lines[end - 1])
        or (
            _COMMENT.match(lines[end - 1])
            and (_indent(lines[end - 1]) < col or (at_eof and _indent(lines[end - 1]) <= col))
        )
    ):
        end -= 1
    return end


# -- safety -------------------------------------------------------------------------------------


def _check_same_data(before: str, after: str, old=None):
    """graphc must read the same values, and the same leg order, from both texts (``old``: what graphc's loader
    read from ``before``, if the caller has it)."""
    old = load_text(before, as_json=False)[0] if old is None else old
    new, _ = load_text(after, as_json=False)
    if old is None:
        raise FormatError("graphc cannot load this file (run `graphc lint` on it)")
    same = new is not None and old.data == new.data
    if same and _is_map(old.data) and _is_map(old.data.get("legs")):
        same = list(old.data["legs"]) == list(new.data["legs"])
    if not same:
        where, was, now = _first_difference(old.data, new.data if new is not None else None)
        if isinstance(was, str) and isinstance(now, str) and was.rstrip("\n") == now.rstrip("\n"):
            raise FormatSkipped(  # a `|+` block scalar whose closing blank lines stay where the key was (fmt26 4)
                f"not formatted: fmt cannot keep the blank lines at the end of {where} (a `|+` block scalar keeps "
                "them) when it moves the key, so formatting would change what the playbook says; the file is left "
                "as it is"
            )
        raise FormatSkipped(
            f"not formatted: fmt cannot keep {where} as graphc reads it, so formatting would change what the "
            "playbook says; the file is left as it is"
        )


def _first_difference(old, new, path=()) -> tuple[str, object, object]:
    """Where ``old`` and ``new`` first differ, in words (``legs.spot.limit``, or ``the file``), and the two values
    there."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [key for key in new if key not in old]:
            if key not in old or key not in new or old[key] != new[key]:
                return _first_difference(old.get(key), new.get(key), (*path, key))
        if list(old) != list(new):
            return (f"the order of `{'.'.join(map(str, path))}`" if path else "the key order"), old, new
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return _first_difference(a, b, (*path, index))
    return (f"`{'.'.join(map(str, path))}`" if path else "the file"), old, new


def _check_same_comments(before: str, after: str):
    """Every comment of ``before`` must still be in ``after`` (and none added): a lost comment may be a
    ``# graphc: ignore[...]`` directive, and a file that linted clean would then fail."""
    old, new = _comments(before), _comments(after)
    counts = Counter(text for _, text in new)
    if counts == Counter(text for _, text in old):
        return
    lost = Counter(text for _, text in old) - counts
    if lost:
        lines = re.split(LINE_BREAK, before)
        # of the comments written with a lost text, the first whose place says why it is lost (a text written
        # twice, `# note` between a key and its value and `# note` at the end: the first is the one lost)
        candidates = [(row, text, _why_lost(before, lines, row)) for row, text in old if text in lost]
        row, text, why = next((c for c in candidates if c[2] is not None), candidates[0])
        why = (
            why or "fmt's YAML writer does not keep a comment written there; write it on a line of its own above a key"
        )
        raise FormatSkipped(
            f"not formatted: formatting would drop the comment `{text}` (line {row}); the file is left as it is ({why})"
        )
    added = next((text for text, count in (counts - Counter(text for _, text in old)).items() if count), "?")
    raise FormatSkipped(f"not formatted: formatting would repeat the comment `{added}`; the file is left as it is")


def _why_lost(text: str, lines: list[str], row: int) -> str | None:
    """Why fmt cannot keep the comment on line ``row`` of ``text`` (``lines``), where it knows; else None."""
    code = _code(lines[row - 1]).rstrip()
    bare = re.sub(r"(?:\s+[!&]\S*)+$", "", code)  # less a tag or anchor after the key
    if _in_flow_collection(text, row - 1):
        return (
            "fmt keeps a comment inside a `{...}` or `[...]` written over several lines when it follows "
            "the only entry on its line, or has a line of its own; write that collection in block style"
        )
    if bare != code and bare.endswith((":", "-")):
        return (
            f"it is written after the `{code[len(bare) :].strip()}` of a value on the next line, where fmt's "
            "YAML writer does not keep a comment; write it above the key, or the value on the key's line"
        )
    if code.endswith((":", "-")):
        return (
            "it is written between a key and its value on the next line, where fmt can keep only one "
            "comment; write it above the key, or the value on the key's line"
        )
    return None


def _in_flow_collection(text: str, row: int) -> bool:
    """Whether row ``row`` (from 0) of ``text`` is within a ``{...}`` or ``[...]`` (its brackets' rows too)."""
    import yaml  # deferred: only a comment fmt would drop is placed

    depth, start = 0, 0
    for token in scan(text):
        if isinstance(token, (yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)):
            depth += 1
            start = token.start_mark.line if depth == 1 else start
        elif isinstance(token, (yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)):
            depth -= 1
            if depth == 0 and start <= row <= token.end_mark.line:
                return True
    return False


def _check_same_suppressions(before: str, after: str, read=None):
    """Each ``# graphc: ignore[...]`` must cover the same keys and values after formatting as before: a
    directive covers a finding whose span *starts* on its line (graphc.suppress), so a value moved onto or off
    its line would change what lint reports (audit fmtdec #1). Compared as, per directive, its codes and the
    paths of the keys and values that start on its line, collections too: lint reports an edge's findings at
    its mapping, which starts on its first key's line (audit decomp24 1). ``read``: what graphc's loader read from
    ``before``, if the caller has it."""
    old, new = _covered(before, read), _covered(after)
    if Counter(entry for _, entry in old) == Counter(entry for _, entry in new):
        return
    remaining = Counter(entry for _, entry in new)
    row = None  # the first directive of `before` whose coverage `after` does not have
    for line, entry in old:
        if remaining[entry] <= 0:
            row = line
            break
        remaining[entry] -= 1
    where = f" on line {row}" if row is not None else ""
    raise SuppressionMoved(
        f"refused: formatting would change which keys and values the `graphc: ignore` comment{where} covers, "
        "so lint would report other findings; the file is left unchanged (write the value on its key's line, "
        "or the comment on the line of the value it is about)"
    )


def _covered(text: str, doc=None) -> list[tuple[int, tuple]]:
    """``(line, (directive comment, the paths of the keys and values starting on that line))`` per line with a
    ``# graphc: ignore[...]`` (found as :func:`_comments` finds comments; its text stands for its codes, which
    formatting does not change; ``ignore-file`` covers the whole file wherever it is)."""
    if not _DIRECTIVE.search(text):
        return []
    directives = [(row, comment) for row, comment in _comments(text) if _LINE_DIRECTIVE.search(comment)]
    if not directives:
        return []
    if doc is None:
        doc, _ = load_text(text, as_json=False)  # fmt formats YAML playbooks (JSON is never rewritten)
    if doc is None:
        return []
    starts: dict[int, set] = {}
    for path, span in doc.key_spans.items():
        starts.setdefault(span.line, set()).add(("key", *path))
    for path, span in doc.spans.items():  # scalars, and the mappings and sequences (their first entry's line)
        starts.setdefault(span.line, set()).add(("value", *path))
    return [(row, (comment, frozenset(starts.get(row, ())))) for row, comment in directives]


def _comments(text: str) -> list[tuple[int, str]]:
    """(line number, text) of each comment in ``text``: where lint reads suppression comments
    (:func:`graphc.yaml_comments.comment_columns`: the YAML scanner says where each scalar's text runs, and a
    ``#`` in it is text, on one line or several, in a block scalar or a quoted or plain one)."""
    lines = re.split(LINE_BREAK, text)
    return [(row + 1, lines[row][column:].rstrip()) for row, column in sorted(comment_columns(text).items())]
