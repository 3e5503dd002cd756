"""Where YAML comments are: one answer for suppression comments (lint, :mod:`graphc.suppress`) and for
``graphc fmt``'s checks that no comment is lost or moved (render, :mod:`graphc.fmt`), so fmt cannot change what
lint reads as a directive (audit fmt22 #3).

:func:`comment_columns` takes them from the YAML scanner: a comment is a ``#`` at the start of a line or after a
blank that no scalar's text covers (quoted or plain, on one line or several, block scalars whatever their header:
``&d |``, ``!!str >-``, ``|2``), and runs to the end of its line. :func:`comment_start` is the line-by-line
heuristic it falls back on past the point where a text stops being YAML the scanner can read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from graphc.lines import LINE_BREAK, Relined, has_yaml11_breaks

_QUOTE_OPENERS = ":-[{,?"
_BLOCK_SCALAR = r"(?:^|[:\-?]\s)\s*[|>][-+0-9]*\s*(?:#.*)?$"  # a `key: |` line (the heuristic's guess)
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*")  # a block scalar's indicators, from its `|` or `>`
# `# graphc:` and a word: a suppression directive (graphc.suppress), or what may be meant as one (`ignores`)
DIRECTIVE_MENTION = r"#[ \t]*graphc[ \t]*:[ \t]*(?P<word>[A-Za-z_][\w-]*)"


def mentions_directive(text: str) -> bool:
    """Whether ``text`` may hold a suppression directive, well-formed or not: every file with one is read line
    by line (graphc.suppress), every other is not (a playbook's `graphc: 1` has no `#` before it)."""
    return re.search(DIRECTIVE_MENTION, text, re.IGNORECASE) is not None


def comment_start(line: str) -> int | None:
    """Index of the ``#`` that starts a YAML comment on ``line``, or ``None``."""
    quote = None
    previous = None  # last non-blank character outside quotes
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if quote == "'":
            if ch == "'":
                if i + 1 < n and line[i + 1] == "'":  # '' is an escaped quote
                    i += 1
                else:
                    quote = None
        elif quote == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = None
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        elif ch in "'\"" and (previous is None or previous in _QUOTE_OPENERS):
            quote = ch
        if quote is None and not ch.isspace():
            previous = ch
        i += 1
    return None


def comment_columns(text: str, rows: Iterable[int] | None = None) -> dict[int, int]:
    """``{row: column}`` of the ``#`` that starts the YAML comment on each row of ``text`` that has one (rows and
    columns from 0, rows split at the line breaks every position counts, :data:`LINE_BREAK`: LF, CRLF and CR; a
    byte-order mark counts as a column);
    with ``rows``, of those rows only.

    The YAML scanner says where each scalar's text runs; a ``#`` at the start of a line or after a blank outside
    all of them starts a comment. A block scalar's header line keeps its comment (``note: |  # why``). Where the
    scanner stops at a syntax error (and in a text it cannot read at all), the rows from the line of the failing
    construct on are read by the line heuristic (:func:`comment_start`, lines under a ``key: |`` skipped).
    """
    lines = re.split(LINE_BREAK, text)
    wanted = range(len(lines)) if rows is None else rows
    wanted = sorted(row for row in set(wanted) if 0 <= row < len(lines) and "#" in lines[row])
    if not wanted:
        return {}
    covered, readable = _scalar_text(text, lines, set(wanted))
    found: dict[int, int] = {}
    for row in wanted:
        if readable is not None and row >= readable:  # past a syntax error: no YAML to read there
            rest = set(wanted)
            found.update((row, column) for row, column in _guessed(lines, readable) if row in rest)
            break
        column = _first_hash(lines[row], covered.get(row, ()))
        if column is not None:
            found[row] = column
    return found


def scalar_columns(text: str, rows: Iterable[int]) -> dict[int, list[tuple[int, int | None]]] | None:
    """``{row: [(start, end or None: to the line's end)]}``: the columns of ``rows`` (from 0, as
    :func:`comment_columns` counts them) that hold a scalar's text, as the YAML scanner reads it (a block scalar's
    header too, not a comment after it); None when the scanner cannot read the whole text."""
    covered, unread = _scalar_text(text, re.split(LINE_BREAK, text), set(rows))
    return None if unread is not None else covered


def _scalar_text(text: str, lines: list[str], rows: set[int]):
    """``({row: [(start, end or None: to the line's end)]}, first row not read)``: the columns of ``rows`` that
    hold a scalar's text, as the YAML scanner reads them; the first row it could not read is None when it read the
    whole text."""
    import yaml  # deferred: only a text with a `#` that matters is scanned

    covered: dict[int, list[tuple[int, int | None]]] = {}
    bom = text[:1] == "\ufeff"  # the scanner counts the first line's columns after it

    def cover(row: int, start: int, end: int | None) -> None:
        if row in rows:
            shift = bom and row == 0
            covered.setdefault(row, []).append((start + shift, None if end is None else end + shift))

    try:
        for token in scan(text):
            if not isinstance(token, yaml.ScalarToken):
                continue
            first, last = token.start_mark.line, token.end_mark.line
            start, end = token.start_mark.column, token.end_mark.column
            if token.style in ("|", ">"):  # its header (`|`, `>-`, `|2+`) is scalar text, a comment after it is not
                header = _BLOCK_HEADER.match(lines[first], start + (bom and first == 0))
                cover(first, start, start + (len(header.group()) if header else 1))
            elif first == last:
                cover(first, start, end)
                continue
            else:
                cover(first, start, None)
            inner = range(first + 1, last)
            for row in inner if len(inner) <= len(rows) else sorted(row for row in rows if row in inner):
                cover(row, 0, None)
            if last > first and end > 0:
                cover(last, 0, end)
    except yaml.YAMLError as exc:
        marks = [mark for mark in (getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)) if mark]
        return covered, min((mark.line for mark in marks), default=0)
    return covered, None


def scan(text: str):
    """The YAML scanner's tokens of ``text`` (``yaml.scan``, libyaml's when it is there), their marks' rows and
    columns counted at :data:`LINE_BREAK` (the scanner reads YAML 1.1, where NEL, LS and PS end lines too), and
    so are those of the ``yaml.MarkedYAMLError`` it raises where it cannot read on."""
    import yaml  # deferred: only a text with a `#` that matters, or that fmt must place, is scanned

    tokens = yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not has_yaml11_breaks(text):
        yield from tokens
        return
    relined = Relined(text)
    try:
        for token in tokens:
            token.start_mark, token.end_mark = relined.mark(token.start_mark), relined.mark(token.end_mark)
            yield token
    except yaml.MarkedYAMLError as exc:
        exc.context_mark, exc.problem_mark = relined.mark(exc.context_mark), relined.mark(exc.problem_mark)
        raise


def _first_hash(line: str, covered) -> int | None:
    """Column of the first ``#`` of ``line`` at its start or after a blank, outside the ``covered`` spans."""
    at = line.find("#")
    while at >= 0:
        if (at == 0 or line[at - 1] in " \t") and not any(
            start <= at and (end is None or at < end) for start, end in covered
        ):
            return at
        at = line.find("#", at + 1)
    return None


def _guessed(lines: list[str], first: int):
    """``(row, column)`` of each comment the line heuristic finds from row ``first`` on (no YAML read there)."""
    block_indent = None  # indentation of the key that opened a block scalar
    block_scalar = re.compile(_BLOCK_SCALAR)
    for row in range(first, len(lines)):
        line = lines[row]
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue  # block scalar content
            block_indent = None
        start = comment_start(line)
        if block_scalar.search((line if start is None else line[:start]).rstrip()):
            block_indent = indent
        if start is not None:
            yield row, start
