"""Suppression comments in YAML playbooks.

::

    price: 0.123   # graphc: ignore[GC303]            this line, this code
    qty: 10        # graphc: ignore[GC405, GC303]     this line, these codes
    qty: 10        # graphc: ignore                   this line, every code
    # graphc: ignore-file[GC307]                      the whole file, this code

These are the forms spec §8 ("Suppression: `# graphc: ignore[GC405]` on the
line, `# graphc: ignore-file[GC405]` anywhere") and docs/output-formats.md
give. A directive suppresses a diagnostic whose span *starts* on the
directive's line (``ignore``) or anywhere in the file (``ignore-file``). Codes
may also be given by rule name (``ignore[off-tick]``) and are
case-insensitive; a note may follow the brackets (``ignore[GC406] -- why``),
and blanks may come before them. The bare ``ignore`` ends its comment (a note
goes before it: ``# why # graphc: ignore``).

A directive written any other way suppresses nothing and is reported, GC103 at
its ``#``, with the form it should have as the hint (audit ci19 #1: ``ignore
GC406 -- note``, ``ignore: GC405``, ``ignore-file (GC307)`` were read as the
bare form, every code, and hid errors): codes not in brackets, a ``[`` never
closed, brackets that name no code, text after a bare ``ignore``, and a bare
``ignore-file`` (every code in the whole file is no form the spec or the docs
give). A name in the brackets that is no rule code or name (``GC999``, the typo
``GC4O5``, the prefix ``GC3``) and a misspelt directive (``ignores[GC405]``)
are GC102 at the name, with a did-you-mean, as an unknown ``[rules]`` key of
graphc.toml is (audit ci19 #4); they suppress nothing, the other codes of the
same brackets still do. :data:`MAX_PROBLEMS` of a file are reported one by one.

A suppression that matches no finding is not reported: whether one is used can
change between runs of the same file (quotes, ``--set``, ``now``, a check
skipped for want of a fact), so "unused" would flag needed ones.

The directive must be in a real YAML comment, the same comments ``graphc fmt`` keeps
(:func:`graphc.yaml_comments.comment_columns`: where the YAML scanner puts no scalar's text, a ``#`` at the start
of a line or after a blank). Text inside a scalar never suppresses: quoted or plain, on one line or several,
block scalars whatever their header (``&d |``, ``!!str >-``), audit fmt22 #3. The lines that mention
``# graphc:`` are found first; a file with none is not scanned. JSON has no comments: nothing is suppressed in
``.json`` files.

Each file's directives cover the diagnostics located in it: a ``use:`` template's cover the findings placed in
the template, wherever it is used from, and the playbook's never reach them (:func:`graphc.lint.lint_source` reads
the directives of each template the render read; audit rules23 2).
"""

from __future__ import annotations

import re

from graphc.diagnostics import Diagnostic, Span
from graphc.files import JSON_SUFFIXES, has_suffix
from graphc.lines import LINE_BREAK
from graphc.rules.registry import BY_NAME, RULES, get
from graphc.stages.suggest import did_you_mean, listed, suggestion
from graphc.yaml_comments import DIRECTIVE_MENTION, comment_columns, mentions_directive

ALL = "*"
LINE, FILE = "ignore", "ignore-file"  # the directives

_SHOWN_CHARS = 80  # of a directive quoted in a message
# Problems of one file's suppression comments reported one by one; one more diagnostic counts the rest (a
# file of a hundred thousand misspelt directives made a million diagnostics and two gigabytes).
MAX_PROBLEMS = 20


class Suppressions:
    """The directives of one file: ``lines`` (line number -> frozenset of codes, ALL for every code),
    ``file`` (the codes ``ignore-file`` silences), ``file_at`` (code -> the line of the first ``ignore-file``
    naming it) and ``problems`` (a diagnostic for each directive that is not written as the documented forms,
    which suppresses nothing). A plain class: a dataclass costs its module's import and its methods'
    compilation in every lint that meets a finding."""

    __slots__ = ("file", "file_at", "lines", "problems")

    def __init__(
        self,
        lines: dict | None = None,
        file: frozenset = frozenset(),
        problems: list | None = None,
        file_at: dict | None = None,
    ):
        self.lines = {} if lines is None else lines
        self.file = file
        self.problems = [] if problems is None else problems
        self.file_at = {} if file_at is None else file_at

    def suppresses(self, d: Diagnostic) -> bool:
        if d.code in self.file:
            return True
        if d.span is None:
            return False
        codes = self.lines.get(d.span.line, ())
        return ALL in codes or d.code in codes

    def line_of(self, d: Diagnostic) -> int | None:
        """The line of the directive that suppresses ``d`` (an ``ignore-file`` first, as :meth:`suppresses` reads
        them), or None when none does: what ``graphc plan`` names, and a saved plan records."""
        if d.code in self.file:
            return self.file_at.get(d.code)
        return d.span.line if self.suppresses(d) and d.span is not None else None

    def kept(self, diagnostics, path: str | None = None) -> list[Diagnostic]:
        """``diagnostics`` less those these directives cover; with ``path``, only those located in that file are
        considered (others pass through)."""
        if not (self.lines or self.file):
            return list(diagnostics)
        return [d for d in diagnostics if (path is not None and d.path != path) or not self.suppresses(d)]

    def __bool__(self) -> bool:
        return bool(self.lines or self.file)


def filter_suppressed(diagnostics, source_text: str | None, *, path: str | None = None) -> list[Diagnostic]:
    """Drop the diagnostics that a suppression comment in ``source_text`` covers.

    With ``path``, only diagnostics located in that file are considered (others
    pass through), and a ``.json`` path suppresses nothing.
    """
    diagnostics = list(diagnostics)
    if not diagnostics or not source_text or not mentions_directive(source_text):
        return diagnostics  # every playbook says `graphc: 1`; only `# graphc: ignore` needs the line scan
    if path is not None and has_suffix(path, JSON_SUFFIXES):
        return diagnostics
    return parse_suppressions(source_text).kept(diagnostics, path)


def parse_suppressions(text: str, path: str = "<input>") -> Suppressions:
    """The directives of ``text`` (a YAML file's), and a diagnostic located in ``path`` for each one that is
    not written as the documented forms."""
    reader = _Reader(path)
    mention = re.compile(DIRECTIVE_MENTION, re.IGNORECASE)  # (kept by re's cache: not compiled at import)
    lines = re.split(LINE_BREAK, text)
    candidates = [row for row, line in enumerate(lines) if "#" in line and mention.search(line)]
    starts = comment_columns(text, candidates) if candidates else {}
    for row in candidates:
        start = starts.get(row)
        if start is None:
            continue  # `# graphc: ...` in a scalar's text, not in a comment
        line = lines[row]
        done = start  # where the last directive read ended: a later one on the line is read after it
        for match in mention.finditer(line, start):
            if match.start() >= done:
                done = reader.directive(row + 1, line, match)
    return Suppressions(reader.lines, frozenset(reader.file), reader.finished(), reader.file_at)


class _Reader:
    """Reads the directives of one file, line by line, into what they suppress and what is wrong with them."""

    def __init__(self, path: str):
        self.path = path
        self.suggestions = 0  # did-you-mean lookups made (graphc.stages.suggest.suggestion: bounded per file)
        self.lines: dict[int, frozenset] = {}
        self.file: set[str] = set()
        self.file_at: dict[str, int] = {}  # code -> the line of the first `ignore-file` naming it
        self.problems: list[Diagnostic] = []
        self.left_out = 0  # problems past MAX_PROBLEMS, counted
        self.first_left_out: tuple[str, Span] | None = None

    def directive(self, number: int, line: str, match: re.Match) -> int:
        """Read the directive ``match`` found on ``line``; return where it ends."""
        kind = match["word"].lower()
        if kind not in (LINE, FILE):
            maybe = did_you_mean(kind, (LINE, FILE))  # (two short names: no budget needed)
            if maybe or kind.startswith(LINE):
                self.unknown_directive(number, match, maybe)  # `ignores[GC405]`, `ignore_file[GC307]`, `ignroe`
            return match.end()  # else `# graphc: see the docs`: not a directive
        after = line[match.end() :]
        opening = match.end() + len(after) - len(after.lstrip(" \t"))
        if line.startswith("[", opening):
            close = line.find("]", opening)
            if close < 0:
                self.malformed(number, line, match, "has no closing `]`", line[opening + 1 :])
                return len(line)
            codes = self.codes(number, line, opening + 1, close)
            if codes is None:
                self.malformed(number, line, match, "names no code")
            elif not codes:
                pass  # each name in it is unknown, and reported
            elif kind == FILE:
                self.file |= codes
                for code in codes:
                    self.file_at.setdefault(code, number)
            else:
                self.lines[number] = self.lines.get(number, frozenset()) | codes
            return close + 1
        if not after.strip():
            if kind == LINE:
                self.lines[number] = self.lines.get(number, frozenset()) | {ALL}
            else:
                self.malformed(number, line, match, "names no code")
            return len(line)
        self.malformed(number, line, match, "does not name its codes in brackets", after)
        return match.end()

    def codes(self, number: int, line: str, start: int, end: int) -> frozenset | None:
        """The codes named in ``line[start:end]`` (the brackets' inside), each a code or a rule name; one that
        is neither is GC102 at it, and suppresses nothing. None when the brackets name nothing at all."""
        codes: set[str] = set()
        named = False
        for token in re.finditer(r"[^\s,]+", line[start:end]):
            named = True
            try:
                codes.add(get(token.group()).code)
            except KeyError:
                self.unknown_code(number, start + token.start(), token.group())
        return frozenset(codes) if named else None

    def unknown_code(self, number: int, at: int, token: str) -> None:
        """GC102 at ``token``, which is no rule code or name (as an unknown `[rules]` key in graphc.toml is)."""
        span = Span(number, at + 1, number, at + 1 + len(token))
        if not self.room("GC102", span):
            return
        shown = token if len(token) <= _SHOWN_CHARS else token[: _SHOWN_CHARS - 1] + "…"
        prefix = token.upper()
        covered = [code for code in RULES if code.startswith(prefix)] if re.fullmatch(r"GC\d*", prefix) else []
        if covered:
            message = f"{shown!r} in a suppression comment is a code prefix, not a rule code"
            hint = f"a suppression names each code (prefixes are for --select and --ignore): {listed(covered)}"
        elif re.fullmatch(r"GC\d+", prefix):
            message = f"unknown rule code {shown!r} in a suppression comment"
            hint = "there is no such rule code, so the comment suppresses nothing for it; `graphc rules` lists them"
        else:
            choices = RULES if prefix.startswith("GC") else BY_NAME
            word = prefix if prefix.startswith("GC") else token.lower().replace("_", "-")
            message = f"unknown rule code {shown!r} in a suppression comment{suggestion(word, choices, self)}"
            hint = "the comment suppresses nothing for it; `graphc rules` lists the codes and names"
        self.problems.append(Diagnostic("GC102", message, self.path, span, hint=hint))

    def unknown_directive(self, number: int, match: re.Match, maybe: str) -> None:
        """GC102 at a directive graphc does not know, written as if it were one (``maybe``: did you mean...)."""
        span = Span(number, match.start() + 1, number, match.end() + 1)
        if not self.room("GC102", span):
            return
        word = match["word"]
        shown = word if len(word) <= _SHOWN_CHARS else word[: _SHOWN_CHARS - 1] + "…"
        self.problems.append(
            Diagnostic(
                "GC102",
                f"unknown suppression directive `graphc: {shown}`{maybe}, so the comment suppresses nothing",
                self.path,
                span,
                hint="write `# graphc: ignore[GC405]` (this line) or `# graphc: ignore-file[GC405]` (the whole file)",
            )
        )

    def room(self, code: str, span: Span) -> bool:
        """Whether a problem at ``span`` is reported one by one (else it is counted: :data:`MAX_PROBLEMS`)."""
        if len(self.problems) < MAX_PROBLEMS:
            return True
        self.left_out += 1
        if self.first_left_out is None:
            self.first_left_out = (code, span)
        return False

    def finished(self) -> list[Diagnostic]:
        """The problems, and one more at the first left out that counts those past :data:`MAX_PROBLEMS`."""
        if self.first_left_out is None:
            return self.problems
        code, span = self.first_left_out
        message = (
            f"{self.left_out:,} more problems with suppression comments from here on, not reported one by one; "
            "each such comment suppresses nothing of what it misnames"
        )
        hint = f"fix the {MAX_PROBLEMS} reported before this one and lint again"
        return [*self.problems, Diagnostic(code, message, self.path, span, hint=hint)]

    def malformed(self, number: int, line: str, match: re.Match, why: str, rest: str = "") -> None:
        """GC103 at the directive's ``#``: it is not one of the documented forms, so it suppresses nothing. The
        hint puts the codes and rule names ``rest`` (the text after the directive) holds in brackets."""
        written = line[match.start() :].rstrip()
        span = Span(number, match.start() + 1, number, match.start() + 1 + len(written))
        if not self.room("GC103", span):
            return
        kind = match["word"].lower()
        codes = _codes_in(rest)
        shown = written if len(written) <= _SHOWN_CHARS else written[: _SHOWN_CHARS - 1] + "…"
        if codes:
            hint = f"write `# graphc: {kind}[{', '.join(codes)}]` (a note may follow the brackets)"
        elif kind == FILE:
            hint = (
                "name the codes it is for, `# graphc: ignore-file[GC307]`; to turn a rule off in every file, set it "
                'to "off" in graphc.toml\'s [rules]'
            )
        else:
            hint = (
                "name the codes in brackets, `# graphc: ignore[GC405]` (a note may follow them), or end the comment "
                "with a bare `# graphc: ignore` for every code on this line (a note goes before it: "
                "`# why # graphc: ignore`)"
            )
        self.problems.append(
            Diagnostic(
                "GC103", f"suppression comment `{shown}` {why}, so it suppresses nothing", self.path, span, hint=hint
            )
        )


def _codes_in(text: str) -> tuple[str, ...]:
    """The rule codes and names in the text after a directive not written with brackets, as codes: the
    brackets the hint shows (the first few)."""
    found: list[str] = []
    for token in re.findall(r"[A-Za-z][\w-]*", text[: _SHOWN_CHARS * 4]):
        try:
            code = get(token).code
        except KeyError:
            continue
        if code not in found:
            found.append(code)
    return tuple(found[:5])
