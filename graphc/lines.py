"""Where a place in a text is: its line and column, lines counted as every position of graphc counts them.

A line ends at LF, CRLF or a lone CR: YAML 1.2's line breaks (§5.4), which git, GitHub (its file view, the
annotations of a workflow run, code scanning's alerts), editors and SARIF (its default ``newlineSequences``,
CRLF and LF) count too. NEL (U+0085), LS (U+2028) and PS (U+2029) are ordinary characters in YAML 1.2, but
YAML 1.1 readers -- libyaml and PyYAML, whose marks graphc's loader reads, and ruamel -- end a line at each, so
a mark's ``line`` and ``column`` are counted past them. :class:`Relined` turns such a mark into the line and
column counted here; a text without those characters (nearly every one: :func:`has_yaml11_breaks` tells) needs
nothing. One module for the loader's positions, the text report's code frame, a GC112's first bad byte,
suppression comments and fmt, so they all agree.
"""

from __future__ import annotations

import re
from bisect import bisect_right

LINE_BREAK = "\r\n|[\n\r]"  # a pattern: the line breaks positions count (YAML 1.2 §5.4), compiled and cached by re
YAML11_BREAK = "\r\n|[\n\r\x85\u2028\u2029]"  # the line breaks a YAML 1.1 reader's marks count
YAML11_ONLY_BREAKS = "\x85\u2028\u2029"  # NEL, LS, PS: line breaks in YAML 1.1, characters in YAML 1.2
_NAMES = {"\x85": "NEL (U+0085)", "\u2028": "LS (U+2028, LINE SEPARATOR)", "\u2029": "PS (U+2029, PARAGRAPH SEPARATOR)"}


def has_yaml11_breaks(text: str) -> bool:
    """Whether ``text`` holds NEL, LS or PS, where a YAML 1.1 reader's marks count other lines than graphc."""
    return not text.isascii() and ("\u2028" in text or "\x85" in text or "\u2029" in text)


def split_lines(text: str) -> list[str]:
    """``text`` split at its line breaks (:data:`LINE_BREAK`; ``str.splitlines`` splits at more)."""
    return re.split(LINE_BREAK, text) if "\r" in text else text.split("\n")


def line_and_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column (in code points) of the character at ``index`` in ``text``."""
    before = text[:index]
    if "\r" not in before:
        line_start = before.rfind("\n") + 1
        return before.count("\n") + 1, index - line_start + 1
    line, line_start = 1, 0
    for found in re.finditer(LINE_BREAK, before):
        line, line_start = line + 1, found.end()
    return line, index - line_start + 1


def break_name(character: str) -> str:
    """How a message names NEL, LS or PS."""
    return _NAMES[character]


class Relined:
    """Turns a YAML 1.1 reader's mark of ``text`` -- its ``line`` and ``column``, from 0, counted past NEL, LS and
    PS, a first line's columns after a byte-order mark -- into the line and column (from 0, the same way after a
    byte-order mark) counted at :data:`LINE_BREAK`. Only for a text :func:`has_yaml11_breaks` says yes to: any
    other needs no change."""

    __slots__ = ("bom", "new", "old")

    def __init__(self, text: str):
        self.bom = int(text[:1] == "\ufeff")
        self.old = [0, *(m.end() for m in re.finditer(YAML11_BREAK, text))]
        self.new = [0, *(m.end() for m in re.finditer(LINE_BREAK, text))]

    def __call__(self, line: int, column: int) -> tuple[int, int]:
        old = self.old
        line = min(max(line, 0), len(old) - 1)
        index = old[line] + column + (self.bom if line == 0 else 0)
        row = bisect_right(self.new, index) - 1
        return row, index - self.new[row] - (self.bom if row == 0 else 0)

    def mark(self, mark):
        """A YAML reader's ``mark`` (``name``, ``index``, ``line``, ``column``), its line and column counted here, as
        a PyYAML mark (None stays None)."""
        if mark is None:
            return None
        from yaml.error import Mark  # deferred: only a text with NEL, LS or PS has its marks counted again

        line, column = self(mark.line, mark.column)
        return Mark(mark.name, mark.index, line, column, None, None)

    def row(self, line: int) -> int:
        """The line (from 0) that a YAML 1.1 reader's line ``line`` starts on."""
        return self(line, 0)[0]
