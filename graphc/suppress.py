"""Suppression comments in YAML playbooks.

::

    price: 0.123   # graphc: ignore[GC303]            this line, this code
    qty: 10        # graphc: ignore[GC405, GC303]     this line, these codes
    qty: 10        # graphc: ignore                   this line, every code
    # graphc: ignore-file[GC307]                      the whole file, this code

A directive suppresses a diagnostic whose span *starts* on the directive's line
(``ignore``) or anywhere in the file (``ignore-file``; a bare ``ignore-file``
suppresses every code). Codes may also be given by rule name
(``ignore[off-tick]``) and are case-insensitive.

The directive must be in a real YAML comment. The test is a line-by-line
heuristic, not a YAML parse: a comment starts at a ``#`` that begins the line
or follows a space or tab, outside a single- or double-quoted scalar that opens
on the same line; lines inside a block scalar (``|`` or ``>``) are content, not
comments. A quoted scalar continued over several lines is not tracked, so a
``# graphc: ignore`` on its continuation lines would count. JSON has no
comments: nothing is suppressed in ``.json`` files.
"""

from __future__ import annotations

import re

from graphc.diagnostics import Diagnostic
from graphc.rules.registry import get
from graphc.yaml_comments import comment_start

ALL = "*"

# Looked for in every file with a finding (a thousand-file lint imports this module for the first one).
_ANY_DIRECTIVE = re.compile(r"graphc:\s*ignore", re.IGNORECASE)
# Only a file with a directive scans its lines: these are compiled then (and kept by re's cache), not at import.
_DIRECTIVE = r"#\s*graphc:\s*ignore(?P<file>-file)?(?![\w-])(?:\[(?P<codes>[^\]]*)\])?"
_MENTION = "graphc"
_LINE_BREAK = "\r\n|[\n\r\x85\u2028\u2029]"
_BLOCK_SCALAR = r"(?:^|[:\-?]\s)\s*[|>][-+0-9]*\s*(?:#.*)?$"


class Suppressions:
    """The directives of one file: ``lines`` (line number -> frozenset of codes, ALL for every code) and
    ``file`` (the codes ``ignore-file`` silences). A plain class: a dataclass costs its module's import and its
    methods' compilation in every lint that meets a finding."""

    __slots__ = ("file", "lines")

    def __init__(self, lines: dict | None = None, file: frozenset = frozenset()):
        self.lines = {} if lines is None else lines
        self.file = file

    def suppresses(self, d: Diagnostic) -> bool:
        if ALL in self.file or d.code in self.file:
            return True
        if d.span is None:
            return False
        codes = self.lines.get(d.span.line, ())
        return ALL in codes or d.code in codes

    def __bool__(self) -> bool:
        return bool(self.lines or self.file)


def filter_suppressed(diagnostics, source_text: str | None, *, path: str | None = None) -> list[Diagnostic]:
    """Drop the diagnostics that a suppression comment in ``source_text`` covers.

    With ``path``, only diagnostics located in that file are considered (others
    pass through), and a ``.json`` path suppresses nothing.
    """
    diagnostics = list(diagnostics)
    if not diagnostics or not source_text or not _ANY_DIRECTIVE.search(source_text):
        return diagnostics  # every playbook says `graphc: 1`; only `graphc: ignore` needs the line scan
    if path is not None and path.lower().endswith(".json"):
        return diagnostics
    found = parse_suppressions(source_text)
    if not found:
        return diagnostics
    return [d for d in diagnostics if (path is not None and d.path != path) or not found.suppresses(d)]


def parse_suppressions(text: str) -> Suppressions:
    lines: dict[int, frozenset] = {}
    file_codes: set[str] = set()
    block_indent = None  # indentation of the key that opened a block scalar
    directive, mention = re.compile(_DIRECTIVE, re.IGNORECASE), re.compile(_MENTION, re.IGNORECASE)
    block_scalar = re.compile(_BLOCK_SCALAR)
    for number, line in enumerate(re.split(_LINE_BREAK, text), start=1):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue  # block scalar content
            block_indent = None
        start = comment_start(line)
        code_part = line if start is None else line[:start]
        if block_scalar.search(code_part.rstrip()):
            block_indent = indent
        if start is None or not mention.search(line, start):
            continue
        for match in directive.finditer(line, start):
            codes = _codes(match.group("codes"))
            if match.group("file"):
                file_codes |= codes
            else:
                lines[number] = lines.get(number, frozenset()) | codes
    return Suppressions(lines, frozenset(file_codes))


def _codes(text: str | None) -> frozenset:
    if text is None:
        return frozenset({ALL})

    codes = set()
    for token in re.split(r"[\s,]+", text.strip()):
        if not token:
            continue
        try:
            codes.add(get(token).code)
        except KeyError:
            codes.add(token.upper())
    return frozenset(codes)
