"""Diagnostics are plain data: a code, a severity, a message, a place and a hint.

Stages and rules produce them; renderers in :mod:`graphc.report` turn them into
text, JSON, SARIF, GitHub annotations or JUnit. Nothing here knows about colour
or output formats.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any, NamedTuple

from graphc.limits import limit
from graphc.record import FrozenRecord

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


class Span(FrozenRecord):
    """A 1-based source range. ``end_line``/``end_col`` point just past the token.

    Compared, hashed and ordered by its four numbers.
    """

    FIELDS = ("line", "col", "end_line", "end_col", "file", "via")
    COMPARED = ("line", "col", "end_line", "end_col")

    line: int
    col: int
    end_line: int
    end_col: int
    # Set on spans that point into another file than the one being compiled
    # (a `use:` template): that file, and where it was used from.
    file: str | None
    via: Related | None

    def __init__(
        self,
        line: int,
        col: int,
        end_line: int = 0,
        end_col: int = 0,
        file: str | None = None,
        via: Related | None = None,
    ):
        d = self.__dict__
        d["line"], d["col"], d["end_line"], d["end_col"], d["file"], d["via"] = line, col, end_line, end_col, file, via

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"

    def _order(self, other: object) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        if other.__class__ is self.__class__:
            return Span._key(self), Span._key(other)
        return None

    def __lt__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] < pair[1]

    def __le__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] <= pair[1]

    def __gt__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] > pair[1]

    def __ge__(self, other: object) -> bool:
        pair = self._order(other)
        return NotImplemented if pair is None else pair[0] >= pair[1]


class Related(NamedTuple):
    """A second place that explains a diagnostic (e.g. the ``use:`` site of a template)."""

    path: str
    span: Span | None
    message: str


class Diagnostic(FrozenRecord):
    """One finding: a rule code, a message, where it is (path and span), its severity and a hint."""

    FIELDS = ("code", "message", "path", "span", "severity", "hint", "related")

    code: str
    message: str
    path: str
    span: Span | None
    severity: str
    hint: str | None
    related: tuple[Related, ...]

    def __init__(
        self,
        code: str,
        message: str,
        path: str = "<input>",
        span: Span | None = None,
        severity: str = ERROR,
        hint: str | None = None,
        related: tuple[Related, ...] = (),
    ):
        d = self.__dict__
        d["code"], d["message"], d["path"], d["span"] = code, message, path, span
        d["severity"], d["hint"], d["related"] = severity, hint, related

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        if self.span is None:
            return self.path
        return f"{self.path}:{self.span.line}:{self.span.col}"

    def headline(self) -> str:
        """``path:line:col: severity CODE message``, the grep-able first line."""
        return f"{self.location()}: {self.severity} {self.code} {self.message}"

    def with_(self, **changes: Any) -> Diagnostic:
        return self.replace(**changes)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        span = self.span or Span(0, 0)
        return (self.path, span.line, span.col, self.code, self.message)


class RuleInfo(NamedTuple):
    """What a report says about a rule code.

    The rule registry (:mod:`graphc.rules.registry`) makes these; the commands
    hand them to the renderers as data, so :mod:`graphc.report` never imports
    the rules. ``help`` is the rule's page (Markdown), when the caller has it.
    """

    code: str
    name: str
    severity: str
    summary: str
    help: str | None = None

    @property
    def family(self) -> str:
        return RULE_FAMILIES.get(self.code[2:3], "other")


# The hundreds digit of a code names its family (GC3xx: venue rules).
RULE_FAMILIES = {"1": "input", "2": "graph", "3": "venue", "4": "execution", "5": "risk"}


class Skip(NamedTuple):
    """A check that could not be decided (e.g. it needs a quote); shown with --explain-skips.

    A tuple, not a record (graphc.record): a lint run without quotes records a dozen per file.
    """

    code: str
    where: object  # the wire path; in a FileResult, the Span (or None when the report shows no skips)
    reason: str


# How the reason of a skip that stands for every check of a file ends: the file could not be read, or the error
# that stopped its checks was turned off. Reports use :func:`unchecked` to show such a file as not checked at all.
NO_CHECK_RAN = "no other check ran on this file"


def unchecked(skip: Skip) -> bool:
    """Whether ``skip`` says that none of its file's checks ran (see :data:`NO_CHECK_RAN`)."""
    return skip.reason.endswith(NO_CHECK_RAN)


class DiagnosticError(Exception):
    """Raised inside a stage to abort it with one diagnostic.

    Stages catch it at their boundary and return the diagnostic as data; it
    never escapes to the user as a traceback.
    """

    def __init__(
        self,
        code: str,
        message: str,
        span: Span | None = None,
        hint: str | None = None,
        at: tuple[str, ...] = (),
        *,
        once: bool = False,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.hint = hint
        self.at = at  # the path, below the value the stage reports it at, of the part at fault (an edge's offset_pct)
        # one report however many legs raise it: an error about a value outside the playbook (a quote's price in
        # the snapshot), said at that value with a note on the first leg that needed it
        self.once = once

    def named_under(self, base: tuple[object, ...]) -> DiagnosticError:
        """This error said of the value at ``base + at``: a message that names the part at fault by its path below
        the value it was raised for (`` `trigger.on_timeout.ms` must be ... ``, all an edge mapping's reader knows)
        names it by its whole path instead (`` `legs.b.after.0.trigger.on_timeout.ms` must be ... ``), the form the
        schema's messages and every other message use; any other message is kept."""
        named = f"`{'.'.join(map(str, self.at))}`"
        if not self.at or not base or not self.message.startswith(named):
            return self
        whole = f"`{'.'.join(map(str, (*base, *self.at)))}`"
        return DiagnosticError(
            self.code, whole + self.message[len(named) :], self.span, self.hint, self.at, once=self.once
        )

    def to_diagnostic(self, path: str, span: Span | None = None) -> Diagnostic:
        # Stages report errors; the lint layer re-stamps severities from the rule
        # registry and the config, so this layer never needs to know them.
        return located(
            Diagnostic(
                code=self.code,
                message=self.message,
                path=path,
                span=self.span or span,
                severity=ERROR,
                hint=self.hint,
            )
        )


def located(diagnostic: Diagnostic) -> Diagnostic:
    """Move a diagnostic whose span lies in another file (a template) to that file,
    and name the places it was used from as related locations (:func:`use_chain`)."""
    span = diagnostic.span
    if span is None or span.file is None or span.file == diagnostic.path:
        return diagnostic
    return diagnostic.replace(path=span.file, related=diagnostic.related + use_chain(span))


def use_chain(span: Span | None) -> tuple[Related, ...]:
    """The ``use:`` sites ``span`` was reached through, innermost first: its ``via``, then the ``via`` of that
    site's span, and so on out to the playbook (a template used by a template: audit tmpl19 2)."""
    chain: list[Related] = []
    via = span.via if span is not None else None
    while via is not None:
        chain.append(via)
        via = via.span.via if via.span is not None else None
    return tuple(chain)


def has_errors(diagnostics: Collection[Diagnostic]) -> bool:
    return bool(diagnostics) and any(d.is_error for d in diagnostics)  # usually empty: no generator for that


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


# The findings of one file a report lists: a 3.8 MB file of `{"nodes":[0,0,...]}` gave 1.9 million GC103 errors, each
# shown with its line, and took 194 s and 3.4 GB (audit scale25 4). Past this many (in source order) a file's findings
# are counted by code and severity, not kept: every report says "... and K more GC103 in this file", and every count,
# verdict and exit code includes them. docs/robustness.md lists the limit.
MAX_DIAGNOSTICS = limit("MAX_DIAGNOSTICS", 5_000)


def capped(diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], list[tuple[str, str, int]]]:
    """The first :data:`MAX_DIAGNOSTICS` of ``diagnostics`` (sorted), and the rest counted as ``(code, severity,
    count)`` in code order: what a :class:`FileResult` lists and leaves unlisted."""
    if len(diagnostics) <= MAX_DIAGNOSTICS:
        return diagnostics, []
    counts: dict[tuple[str, str], int] = {}
    for d in diagnostics[MAX_DIAGNOSTICS:]:
        key = (d.code, d.severity)
        counts[key] = counts.get(key, 0) + 1
    return diagnostics[:MAX_DIAGNOSTICS], [(code, severity, n) for (code, severity), n in sorted(counts.items())]


def unlisted_errors(result: FileResult) -> bool:
    """Whether some of ``result``'s findings past GRAPHC_MAX_DIAGNOSTICS (:func:`capped`) are errors."""
    return any(severity == ERROR for _, severity, _ in result.unlisted)


class FileResult(FrozenRecord):
    """What linting one file produced.

    ``source`` is the file's text (``None`` when it could not be read), used by
    the text format to show the offending line. ``skipped`` holds checks that
    could not be decided (objects with ``.code``, ``.reason`` and optionally
    ``.span``); only ``--explain-skips`` shows them.
    """

    FIELDS = ("path", "source", "diagnostics", "skipped", "unlisted")

    path: str
    source: str | None
    diagnostics: list[Diagnostic]
    skipped: list[Skip]
    # findings past GRAPHC_MAX_DIAGNOSTICS, counted, not kept: (code, severity, count), by code (graphc.lint.capped)
    unlisted: list[tuple[str, str, int]]

    def __init__(
        self,
        path: str,
        source: str | None,
        diagnostics: list[Diagnostic] | None = None,
        skipped: list[Skip] | None = None,
        unlisted: list[tuple[str, str, int]] | None = None,
    ):
        d = self.__dict__
        d["path"], d["source"] = path, source
        d["diagnostics"] = [] if diagnostics is None else diagnostics
        d["skipped"] = [] if skipped is None else skipped
        d["unlisted"] = [] if unlisted is None else unlisted


def escaped_char(code: int) -> str:
    """How a character that must not reach output raw (a control character, U+FFFE) is written there:
    ``\\x1b``, ``\\ufffe``. Reports (``graphc.report.one_line``) and graph pictures write it alike."""
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# The GitHub Actions runner reads a legacy workflow command, ``##[name props]data``, anywhere in a line of a
# step's stdout or stderr (actions/runner src/Runner.Common/ActionCommand.cs ``TryParse``: ``IndexOf("##[")``),
# unlike ``::name::``, which only starts a line (audit reports26 1).
LOG_COMMAND = "##["
LOG_COMMAND_SHOWN = "##\\["


def no_log_command(text: str) -> str:
    """``text`` with every ``##[`` written ``##\\[``: what the GitHub Actions runner reads as a legacy workflow command
    anywhere in a line (``##[stop-commands]token``, ``##[error]...``), shown so a person still reads it and the
    runner does not (docs/output-formats.md "Safe to print"). Reports (``graphc.report.one_line``) and router text
    (``graphc.api.redact.escape_controls``) write it alike. Idempotent: ``##\\[`` holds no ``##[``."""
    return text.replace(LOG_COMMAND, LOG_COMMAND_SHOWN) if LOG_COMMAND in text else text
