"""Diagnostics are plain data: a code, a severity, a message, a place and a hint.

Stages and rules produce them; renderers in :mod:`graphc.report` turn them into
text, JSON, SARIF, GitHub annotations or JUnit. Nothing here knows about colour
or output formats.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)


@dataclass(frozen=True, order=True)
class Span:
    """A 1-based source range. ``end_line``/``end_col`` point just past the token."""

    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    # Set on spans that point into another file than the one being compiled
    # (a `use:` template): that file, and where it was used from.
    file: str | None = field(default=None, compare=False)
    via: Related | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


class Related(NamedTuple):
    """A second place that explains a diagnostic (e.g. the ``use:`` site of a template)."""

    path: str
    span: Span | None
    message: str


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a rule code, a message, where it is (path and span), its severity and a hint."""

    code: str
    message: str
    path: str = "<input>"
    span: Span | None = None
    severity: str = ERROR
    hint: str | None = None
    related: tuple[Related, ...] = field(default=())

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
        return replace(self, **changes)

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

    A tuple, not a frozen dataclass: a lint run without quotes records a dozen per file.
    """

    code: str
    where: object  # the wire path; in a FileResult, the Span (or None when the report shows no skips)
    reason: str


class DiagnosticError(Exception):
    """Raised inside a stage to abort it with one diagnostic.

    Stages catch it at their boundary and return the diagnostic as data; it
    never escapes to the user as a traceback.
    """

    def __init__(self, code: str, message: str, span: Span | None = None, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.hint = hint

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
    and name the place it was used from as a related location."""
    span = diagnostic.span
    if span is None or span.file is None or span.file == diagnostic.path:
        return diagnostic
    related = diagnostic.related + ((span.via,) if span.via is not None else ())
    return replace(diagnostic, path=span.file, related=related)


def has_errors(diagnostics: Collection[Diagnostic]) -> bool:
    return bool(diagnostics) and any(d.is_error for d in diagnostics)  # usually empty: no generator for that


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=Diagnostic.sort_key)


@dataclass(frozen=True)
class FileResult:
    """What linting one file produced.

    ``source`` is the file's text (``None`` when it could not be read), used by
    the text format to show the offending line. ``skipped`` holds checks that
    could not be decided (objects with ``.code``, ``.reason`` and optionally
    ``.span``); only ``--explain-skips`` shows them.
    """

    path: str
    source: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
