"""Where a YAML comment starts on a line: shared by suppression comments (lint) and ``graphc fmt``'s check
that no comment is lost (render). A line-by-line heuristic, not a YAML parse; see :mod:`graphc.suppress`."""

from __future__ import annotations

import re

_QUOTE_OPENERS = ":-[{,?"
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
