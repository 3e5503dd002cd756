"""Output formats: one renderer module per format, picked by name.

Like check-jsonschema's ``REPORTER_BY_NAME``, :data:`RENDERERS` is one explicit
table. Each entry is a ``"module:function"`` string that is imported only when
that format is used, so ``import graphc.report`` stays cheap (no ``json``, no
``xml.etree``). Every renderer has the same signature::

    render(results: list[FileResult], options: ReportOptions) -> str

and returns the whole report as one string (ending in a newline when it is not
empty). ``ReportOptions(summary=False)`` leaves out the closing ``N errors in M files`` line
of the line-oriented formats (text, github), e.g. for ``graphc compile``.
Renderers never decide about colour themselves: the caller passes ``color``
(see :func:`graphc.report.text.should_color`). Nor do they look rules up: the
caller passes ``rules``, a mapping of code -> :class:`graphc.diagnostics.RuleInfo`
(the command line passes :func:`graphc.rules.registry.report_rules`), which
the json, github and sarif formats use for rule names, default levels and help.

The formats are documented in ``docs/output-formats.md``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from graphc import diagnostics as _diagnostics
from graphc.diagnostics import (
    LOG_COMMAND,
    Diagnostic,
    FileResult,
    Related,
    RuleInfo,
    Span,
    escaped_char,
    no_log_command,
    sorted_diagnostics,
    unchecked,
)
from graphc.files import display_path
from graphc.numbers import counted

__all__ = [
    "LISTS_SKIPS",
    "LOG_COMMAND",
    "RENDERERS",
    "FileResult",
    "ReportOptions",
    "display_path",
    "get_renderer",
    "headline",
    "inert",
    "location",
    "no_log_command",
    "not_checked",
    "note",
    "one_line",
    "related_place",
    "render",
    "skip_place",
    "unchecked",
    "verdict_line",
]

# format name -> "module:function" (imported lazily) or a callable.
RENDERERS: dict[str, str | Callable[[list[FileResult], ReportOptions], str]] = {
    "text": "graphc.report.text:render",
    "json": "graphc.report.json_format:render",
    "sarif": "graphc.report.sarif:render",
    "github": "graphc.report.github:render",
    "junit": "graphc.report.junit:render",
}

# The formats whose report lists every skipped check (the text and github formats list them with --explain-skips).
LISTS_SKIPS = ("json", "junit", "sarif")


def get_renderer(format: str) -> Callable[[list[FileResult], ReportOptions], str]:
    """The render function for ``format``; ``ValueError`` names the known formats."""
    try:
        target = RENDERERS[format]
    except KeyError:
        known = ", ".join(RENDERERS)
        raise ValueError(f"unknown output format {format!r}; expected one of: {known}") from None
    if callable(target):
        return target
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute or "render")


def render(
    format: str,
    results,
    *,
    color: bool | None = None,
    tool_version: str = "",
    explain_skips: bool = False,
    summary: bool = True,
    rules: Mapping[str, RuleInfo] | None = None,
    nothing_linted: str = "",
    not_read: str = "",
    unread: Mapping[str, str] | None = None,
    crashed: Mapping[str, str] | None = None,
    nothing_allowed: bool = False,
    empty: Mapping[str, str] | None = None,
    encoding: str | None = None,
) -> str:
    """Render ``results`` (a list of :class:`FileResult`) in ``format``.

    ``color=None`` means no colour; only the text format uses it. ``rules``
    describes the rule codes (none given: codes are shown without names).
    ``nothing_linted`` says why no file was linted; the summary line then says
    so instead of counting files (``nothing linted: no *.yaml ... in empty``). ``not_read`` names the files
    that could not be read and are not among ``results`` (``nope.yaml not found``: GC112 turned off); the
    summary line says it after the counts; ``unread`` is the same as data (path -> ``not found`` or ``could not
    be read``), for the JSON and SARIF reports. ``crashed`` names the files whose lint hit a bug in graphc
    (path -> what failed, e.g. ``RuntimeError: ...``): not results either, and every format says so, so a run
    that did not check them never reads as complete (the line-oriented formats say it on the summary line).
    ``nothing_allowed``: nothing linted, or a directory or glob that gave nothing to lint, is not a failure
    (``--allow-empty``): SARIF, JUnit and GitHub say it without failing the run. ``empty``: every directory or
    glob that gave nothing to lint, as named -> why (``no *.yaml, *.yml or *.json file in empty``): when other
    paths were linted, every format says each (the line-oriented ones on the summary line too), as it says a
    file that could not be read (audit ci19 5); when nothing was, ``nothing_linted`` already says why.
    ``encoding``: that of the stream the text report goes to, when it cannot write every character (cp1252): a
    code frame's line is then escaped as the stream's ASCII fallback writes it, and its marker placed under that.
    """
    options = ReportOptions(
        bool(color),
        tool_version,
        explain_skips,
        summary,
        rules or {},
        nothing_linted,
        not_read,
        dict(unread or {}),
        dict(crashed or {}),
        nothing_allowed,
        dict(empty or {}),
        encoding,
    )
    return get_renderer(format)(list(results), options)


class ReportOptions(NamedTuple):
    """What every renderer is told besides the results (see :func:`render`)."""

    color: bool = False  # text only
    tool_version: str = ""
    explain_skips: bool = False  # text: a line per skipped check; github: a notice per skipped check
    summary: bool = True  # text, github: the closing counts line (skipped checks counted)
    rules: Mapping[str, RuleInfo] = MappingProxyType({})  # code -> name, level, help
    nothing_linted: str = ""  # every format: why no file was linted (text, github: the summary line says it)
    not_read: str = ""  # text, github: the files that could not be read (not results), said after the counts
    unread: Mapping[str, str] = MappingProxyType({})  # json, sarif, junit: those files, path -> why
    crashed: Mapping[str, str] = MappingProxyType({})  # every format: files whose lint hit a bug, path -> what failed
    nothing_allowed: bool = False  # sarif, junit, github: nothing linted, an empty path: no failure (--allow-empty)
    empty: Mapping[str, str] = MappingProxyType({})  # every format: directories or globs with nothing to lint -> why
    encoding: str | None = None  # text: the output stream's, when it cannot write every character (its code frames)


# -- helpers shared by the renderers ---------------------------------------


def ordered(results) -> list[tuple[FileResult, list[Diagnostic]]]:
    """Results sorted by path, each with its diagnostics in source order."""
    return [(r, sorted_diagnostics(r.diagnostics)) for r in sorted(results, key=lambda r: r.path)]


def in_order(results) -> list[Diagnostic]:
    """Every result's diagnostics in (path, line, column, code, message) order, as docs/output-formats.md says of
    every format: a finding located in a `use:` template sorts by the template's path, not the playbook's."""
    return sorted((d for _, diags in ordered(results) for d in diags), key=Diagnostic.sort_key)


def runs_in_order(results) -> list[tuple[list[Diagnostic], FileResult | None]]:
    """:func:`in_order`'s diagnostics cut into runs, one per result in path order: those whose path sorts up to the
    result's, so what a report says of the file itself (its skips) follows them; a last run with None holds any
    after the last result's path. When each diagnostic is in its own file's result, a run is that file's."""
    diagnostics = in_order(results)
    runs: list[tuple[list[Diagnostic], FileResult | None]] = []
    start = 0
    for result in sorted(results, key=lambda r: r.path):
        end = start
        while end < len(diagnostics) and diagnostics[end].path <= result.path:
            end += 1
        runs.append((diagnostics[start:end], result))
        start = end
    if start < len(diagnostics):
        runs.append((diagnostics[start:], None))
    return runs


class Summary(NamedTuple):
    """The counts the last line of a report gives: ``files`` counts the files that were checked, ``skipped`` their
    skipped checks; a file none of whose checks ran is not among them but named in ``not_checked``
    (:func:`not_checked_note`), as a file GC112 could not read is never counted as a file with no problems."""

    errors: int
    warnings: int
    files: int
    skipped: int
    not_checked: tuple[str, ...] = ()  # ``p.yaml (GC102 at p.yaml:11:5 ... stopped the checks)``, one per file
    by_code: tuple[tuple[str, int], ...] = ()  # every finding counted by code, when a file's were too many to list

    def __str__(self) -> str:
        """``2 errors, 1 warning in 3 files`` or ``no problems in 3 files``."""
        parts = []
        if self.errors:
            parts.append(counted(self.errors, "error"))
        if self.warnings:
            parts.append(counted(self.warnings, "warning"))
        problems = ", ".join(parts) or "no problems"
        return f"{problems} in {counted(self.files, 'file')}"

    def line(
        self,
        explain_skips: bool = False,
        nothing_linted: str = "",
        not_read: str = "",
        crashed=None,
        empty=None,
        *,
        listed_elsewhere: str = "",
    ) -> str:
        """The closing line of a text or github report: the counts, then the checks that were skipped
        (``no problems in 1 file (3 checks skipped; --explain-skips lists them)``): a skipped check is never
        silent, so a run whose checks could not be decided never reads as a pass (playbook-spec.md §8).

        A file none of whose checks ran (an input error that stopped them suppressed, lowered or turned off; a file
        GC112 reports) is not counted among the files but named after the counts, as not checked
        (``no problems in 0 files; 1 file not checked: p.yaml (GC102 at p.yaml:11:5 is suppressed or turned off,
        and it stopped the checks)``): ``graphc lint`` exits 2 for it (audit reports23 1).

        When no file was linted (``nothing_linted`` says why), the line says that instead of "no problems
        in 0 files" (a config or quotes file's findings are still counted before it). ``not_read`` (files that
        could not be read, e.g. ``nope.yaml not found`` with GC112 off) follows the counts: such a file is
        never counted as a linted file with no problems, and nor is a file whose lint hit a bug in graphc
        (``crashed``, path -> what failed): each is named after the counts, and so is each directory or glob that
        gave nothing to lint (``empty``, named -> why) when others gave files. Paths come from file names, so all
        of it is written on one line (:func:`one_line`): a name with a line break never starts a line of
        output (a GitHub workflow command). ``listed_elsewhere`` names what lists the skipped checks when that is
        not this line's report (``the report``: :func:`verdict_line`)."""
        if empty and not nothing_linted:  # (when nothing was linted, nothing_linted says why)
            not_read = "; ".join([*([not_read] if not_read else []), *empty.values()])
        nothing_linted, not_read = one_line(nothing_linted), one_line(crashed_note(crashed or {}, not_read))
        if nothing_linted or (crashed and not self.files and not self.not_checked):  # (never "no problems in 0 files")
            parts = [f"nothing linted: {nothing_linted}" if nothing_linted else "nothing linted", not_read]
            said = "; ".join(part for part in parts if part)
            return f"{self}; {said}" if self.errors or self.warnings else said
        text = str(self)
        if self.skipped:
            if listed_elsewhere:
                where = f"; {listed_elsewhere} lists them"
            else:
                where = "" if explain_skips else "; --explain-skips lists them"
            text += f" ({counted(self.skipped, 'check')} skipped{where})"
        if self.not_checked:
            text += f"; {one_line(not_checked_line(self.not_checked))}"
        if not_read:
            text += f"; {not_read}"
        if self.by_code:  # some file's findings were too many to list (GRAPHC_MAX_DIAGNOSTICS): what they were
            text += "; by code: " + ", ".join(f"{count} {code}" for code, count in self.by_code)
        return text


def verdict_line(
    results,
    fmt: str,
    output: str,
    *,
    explain_skips: bool = False,
    nothing_linted: str = "",
    not_read: str = "",
    crashed=None,
    empty=None,
    left_out: str = "",
) -> str:
    """The closing line of a report in ``fmt`` written to the file ``output``, said on stderr so a log that shows
    no report still shows the verdict (audit ci22 3): the text report's summary line (the checks that were skipped
    are listed by ``the report`` when it holds them: :data:`LISTS_SKIPS`, or ``--explain-skips``), then where the
    report went: ``no problems in 1 file (6 checks skipped; the report lists them); report written to x.sarif``,
    and ``left_out`` in brackets: what the report leaves out, when it cannot list every result
    (:func:`graphc.report.sarif.left_out_note`)."""
    listed = explain_skips or fmt in LISTS_SKIPS
    line = summarize(results).line(
        explain_skips, nothing_linted, not_read, crashed, empty, listed_elsewhere="the report" if listed else ""
    )
    line = f"{line}; report written to {one_line(output)}"
    return f"{line} ({left_out})" if left_out else line


def crashed_note(crashed: Mapping[str, str], not_read: str = "") -> str:
    """``not_read``, then ``c.yaml not linted: internal error (RuntimeError: ...)`` for each file whose lint
    hit a bug in graphc (at most three named, then how many more)."""
    notes = [not_read] if not_read else []
    paths = sorted(crashed)
    notes += [f"{display_path(path)} not linted: internal error ({crashed[path]})" for path in paths[:3]]
    if len(paths) > 3:
        notes.append(f"{len(paths) - 3} more files not linted: internal error")
    return "; ".join(notes)


def summarize(results) -> Summary:
    """The counts of ``results``: every finding is counted; a file none of whose checks ran (:func:`not_checked`) is
    named apart, not counted among the files, and the skip that stands for its checks is not counted either (any
    other check skipped in it is)."""
    diagnostics = [d for r in results for d in r.diagnostics]
    errors = sum(1 for d in diagnostics if d.is_error)
    unlisted = [item for r in results for item in r.unlisted]  # findings past GRAPHC_MAX_DIAGNOSTICS: counted
    errors += sum(count for _, severity, count in unlisted if severity == "error")
    unchecked_files = [r for r in sorted(results, key=lambda r: r.path) if not_checked(r) is not None]
    by_code: dict[str, int] = {}
    if unlisted:
        for d in diagnostics:
            by_code[d.code] = by_code.get(d.code, 0) + 1
        for code, _, count in unlisted:
            by_code[code] = by_code.get(code, 0) + count
    return Summary(
        errors=errors,
        warnings=len(diagnostics) + sum(count for _, _, count in unlisted) - errors,
        files=len(results) - len(unchecked_files),
        skipped=sum(1 for r in results for s in r.skipped if not unchecked(s)),
        not_checked=tuple(map(not_checked_note, unchecked_files)),
        by_code=tuple(sorted(by_code.items())),
    )


def unlisted_line(path: str, code: str, severity: str, count: int) -> str:
    """``p.json: ... and 1895000 more GC103 errors in this file (GRAPHC_MAX_DIAGNOSTICS: the first 5000 are
    listed)``: a file's findings of one code past the limit, counted, not listed."""
    return (
        f"{one_line(display_path(path))}: … and {count} more {code} {severity}{'s' * (count != 1)} in this file "
        f"(GRAPHC_MAX_DIAGNOSTICS: a file's first {_diagnostics.MAX_DIAGNOSTICS} findings are listed)"
    )


def not_checked(result: FileResult):
    """The skip of ``result`` that says none of its file's checks ran (:func:`graphc.diagnostics.unchecked`: the input
    error that stopped them was suppressed, lowered to a warning or turned off; GC112 could not read the file or a
    `use:` template of it), or None: the file was not checked, and ``graphc lint`` exits 2 for it."""
    return next((skip for skip in result.skipped if unchecked(skip)), None)


def why_not_checked(result: FileResult) -> str:
    """Why the file of ``result`` was not checked, from its :func:`not_checked` skip: ``GC102 at p.yaml:11:5 stopped
    the checks`` when the finding is reported (as a warning, or an error: GC112), else ``GC102 at p.yaml:11:5 is
    suppressed or turned off, and it stopped the checks``."""
    skip = not_checked(result)
    if skip is None:
        return ""
    where, span = skip_place(result.path, skip)
    at = display_path(where) if span is None else f"{display_path(where)}:{span.line}:{span.col}"
    reported = any(d.code == skip.code and d.span == span for d in result.diagnostics)
    how = "stopped the checks" if reported else "is suppressed or turned off, and it stopped the checks"
    return f"{skip.code} at {at} {how}"


def not_checked_note(result: FileResult) -> str:
    """``p.yaml (GC102 at p.yaml:11:5 is suppressed or turned off, and it stopped the checks)``."""
    return f"{display_path(result.path)} ({why_not_checked(result)})"


def not_checked_line(notes) -> str:
    """``1 file not checked: p.yaml (...)``; ``5 files not checked: a.yaml (...), ... and 2 more``: at most three
    named, as the files whose lint hit a bug are."""
    named = ", ".join(notes[:3])
    more = f" and {len(notes) - 3} more" if len(notes) > 3 else ""
    return f"{counted(len(notes), 'file')} not checked: {named}{more}"


def location(d: Diagnostic) -> str:
    """``path:line:col`` (``path`` without a position) of a diagnostic, its file shown by :func:`display_path`, as
    every format shows a path (audit reports23 3)."""
    where = display_path(d.path)
    return where if d.span is None else f"{where}:{d.span.line}:{d.span.col}"


def headline(d: Diagnostic) -> str:
    """``path:line:col: severity CODE message`` (:meth:`Diagnostic.headline`), its file shown by :func:`location`."""
    return f"{location(d)}: {d.severity} {d.code} {d.message}"


def skip_headline(path: str, skip) -> str:
    """``path:line:col: skipped CODE reason`` for a skipped check, on one line (values from files escaped);
    ``path`` is the file whose result holds the skip, replaced by the file its span names (:func:`skip_place`)."""
    return f"{one_line(skip_location(path, skip))}: skipped {skip.code} {one_line(skip.reason)}"


def skip_location(path: str, skip) -> str:
    """``path:line:col`` (or ``path``) of a skipped check, at its own file (:func:`skip_place`), shown by
    :func:`display_path`."""
    where, span = skip_place(path, skip)
    where = display_path(where)
    return where if span is None else f"{where}:{span.line}:{span.col}"


def note(related: Related, path: Callable[[str], str] = display_path) -> str:
    """``PATH:LINE:COL: message`` (``PATH: message`` without a position): what the line-oriented reports (text,
    github, junit) write after ``note:`` for a related place, such as each `use:` a template was reached through;
    ``path`` shows its file (:func:`display_path`, as every format shows a path)."""
    return f"{related_place(related, path)}: {related.message}"


def related_place(related: Related, path: Callable[[str], str] = display_path) -> str:
    """``PATH:LINE:COL`` (``PATH`` without a position) of a related place, as :func:`note` writes it."""
    where = path(related.path)
    if related.span is not None:
        where = f"{where}:{related.span.line}:{related.span.col}"
    return where


def skip_place(path: str, skip) -> tuple[str, Span | None]:
    """The file and span of a skipped check of the result of ``path``. A check skipped inside a `use:` template
    has a span that names the template (``Span.file``): it is reported there, at the template's line:col, as a
    diagnostic found there is (:func:`graphc.diagnostics.located`), never at those numbers in the playbook."""
    span = skip_span(skip)
    if span is not None and span.file is not None:
        return span.file, span
    return path, span


def skip_span(skip) -> Span | None:
    """Where a skipped check applies: its ``span``, or its ``where`` when that is a :class:`Span`."""
    span = getattr(skip, "span", None)
    if span is None:
        where = getattr(skip, "where", None)
        span = where if isinstance(where, Span) else None
    return span


# Characters that could end a line of output or drive a terminal: C0/C1 controls except tab, DEL,
# and Unicode's line and paragraph separators; the bidi and zero-width ones, which reorder or hide text around
# them on screen (a name `ab\u202ecd` shows as `abdc`: "Trojan Source", CVE-2021-42574), as router text is
# escaped (graphc.api.redact.escape_controls); and lone surrogates (a file name's bytes that are not UTF-8,
# as os.fsdecode keeps them), which no UTF-8 output can hold. A pattern string: re compiles (and caches) it.
_INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_UNPRINTABLE = "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029" + _INVISIBLE + "\ud800-\udfff]"
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def one_line(text: str) -> str:
    """``text`` with every line break and control character written as an escape (``\\n``, ``\\x1b``), and
    ``##[`` written ``##\\[`` (:func:`no_log_command`).

    Line-oriented reports (text, GitHub, JUnit) pass every value that came from
    a file through this, so a playbook can never start a line of output
    (``\\n::stop-commands::x`` stays on its line), write a legacy workflow command
    anywhere in one (``##[stop-commands]x``), nor send escape codes to a terminal.
    """
    if not (text.isprintable() or ("\t" in text and text.replace("\t", " ").isprintable())):
        text = re.sub(_UNPRINTABLE, _escape, text)
    return no_log_command(text)


# one_line's characters less the line breaks, which the github format escapes as a workflow command does.
_UNPRINTABLE_INLINE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029" + _INVISIBLE + "\ud800-\udfff]"


def inert(text: str) -> str:
    """``text`` with every control character but ``\\n`` and ``\\r`` written as an escape (``\\x1b``, ``\\u2028``), and
    ``##[`` as ``##\\[`` (:func:`no_log_command`):
    for a format that escapes line breaks its own way (github: ``%0A``), so no terminal escape sequence, and
    no character a log viewer could take for a line break, ever reaches it raw."""
    if not text.isprintable():
        text = re.sub(_UNPRINTABLE_INLINE, _escape, text)
    return no_log_command(text)


def _escape(match) -> str:
    ch = match.group()
    code = ord(ch)
    return _NAMED_ESCAPES.get(ch) or escaped_char(code)


def rule_name(rules: Mapping[str, RuleInfo], code: str) -> str | None:
    info = rules.get(code)
    return info.name if info else None
