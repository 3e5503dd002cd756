"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per diagnostic.

::

    ::error file=plays/a.yaml,line=7,col=12,endLine=7,endColumn=17,title=GC303 off-tick::limit price ...

Escaping follows ``@actions/core`` (``toolkit/packages/core/src/command.ts``):
the message escapes ``%``, ``\\r`` and ``\\n``; property values also escape
``:`` and ``,``. The hint is appended on its own line of the annotation. GitHub
uses ``col``/``endColumn`` only when the annotation spans one line, so they are
left out for multi-line spans. A plain summary line ends the output (unless ``summary=False``); like the
text report's, it counts the checks that were skipped, and ``--explain-skips`` adds a ``::notice`` per
skipped check, so a run whose checks could not be decided never reads as a pass in a CI log. A file none of
whose checks ran (the input error that stopped them suppressed, lowered or turned off; GC112) gets a ``::warning``
titled ``not checked`` at that error, and the summary line names it; one that could not be read while GC112 is
turned off, an ``::error`` titled ``not read``. A file whose
lint hit a bug in graphc gets an ``::error`` annotation titled ``internal error`` and is named on the summary
line; a directory or glob that gave nothing to lint, one titled ``nothing to lint`` (a ``::warning`` under
``--allow-empty``). Other control characters in a message or property (ESC, C1, U+2028) are written as escapes
(``\\x1b``), so no terminal escape sequence reaches the log (docs/output-formats.md "Safe to print").
"""

from __future__ import annotations

from collections.abc import Mapping

from graphc.diagnostics import RuleInfo, Span
from graphc.report import (
    FileResult,
    ReportOptions,
    display_path,
    in_order,
    inert,
    not_checked,
    note,
    ordered,
    rule_name,
    skip_place,
    summarize,
    why_not_checked,
)

_LEVELS = {"error": "error", "warning": "warning"}


def render(results: list[FileResult], options: ReportOptions) -> str:
    lines = [annotation(d, options.rules) for d in in_order(results)]
    lines.extend(not_checked_annotation(r) for r, _ in ordered(results) if not_checked(r) is not None)
    lines.extend(not_read_annotation(path, why) for path, why in sorted(options.unread.items()))
    lines.extend(crash_annotation(path, what) for path, what in sorted(options.crashed.items()))
    level = "warning" if options.nothing_allowed else "error"
    lines.extend(_command(level, {"title": "nothing to lint"}, why) for why in options.empty.values())
    if options.explain_skips:
        lines.extend(skip_notice(r.path, skip) for r, _ in ordered(results) for skip in r.skipped)
    if options.summary:
        summary = summarize(results)
        line = summary.line(
            options.explain_skips, options.nothing_linted, options.not_read, options.crashed, options.empty
        )
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def skip_notice(path: str, skip) -> str:
    """``::notice file=...,title=GC301 skipped::reason``: a check that could not be decided, and why."""
    props = _place(*skip_place(path, skip))  # the template's path when the skip lies in one
    props["title"] = f"{skip.code} skipped"
    return _command("notice", props, skip.reason)


def not_checked_annotation(result: FileResult) -> str:
    """``::warning file=p.yaml,line=11,col=5,title=not checked::p.yaml was not checked: GC102 at p.yaml:11:5 is
    suppressed or turned off, and it stopped the checks; ...``: a file none of whose checks ran (graphc lint exits 2),
    at the error that stopped them (audit reports23 1)."""
    skip = not_checked(result)
    props = _place(*skip_place(result.path, skip)) if skip is not None else {"file": display_path(result.path)}
    props["title"] = "not checked"
    message = f"{display_path(result.path)} was not checked: {why_not_checked(result)}; no other check ran on this file"
    return _command("warning", props, message)


def not_read_annotation(path: str, why: str) -> str:
    """``::error file=nope.yaml,title=not read::nope.yaml not found: not linted``: a file that could not be read
    while GC112 is turned off, so no finding says it (audit ci24 3)."""
    message = f"{display_path(path)} {why}: not linted"
    return _command("error", {"file": display_path(path), "title": "not read"}, message)


def crash_annotation(path: str, what: str) -> str:
    """``::error file=c.yaml,title=internal error::not linted: ...``: a file whose lint hit a bug in graphc."""
    message = f"not linted: internal error in graphc ({what}); please report it"
    return _command("error", {"file": display_path(path), "title": "internal error"}, message)


def annotation(d, rules: Mapping[str, RuleInfo]) -> str:
    props = _place(d.path, d.span)
    name = rule_name(rules, d.code)
    props["title"] = f"{d.code} {name}" if name else d.code
    message = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
    message += "".join(f"\nnote: {note(rel, display_path)}" for rel in d.related)
    return _command(_LEVELS.get(d.severity, "error"), props, message)


def _command(name: str, props: dict, message: str) -> str:
    """``::name key=value,...::message``, each part escaped as a workflow command needs."""
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items())
    return f"::{name} {rendered}::{escape_data(message)}"


def _place(path: str, span: Span | None) -> dict:
    """The ``file``/``line``/``col``/``endLine``/``endColumn`` properties of an annotation."""
    props: dict = {"file": display_path(path)}
    if span is not None and span.line >= 1:
        props["line"] = span.line
        one_line = span.end_line in (0, span.line)
        if one_line and span.col >= 1:
            props["col"] = span.col
        if span.end_line > span.line:
            props["endLine"] = span.end_line
        elif one_line and span.end_line == span.line and span.end_col > span.col >= 1:
            props["endLine"] = span.end_line
            props["endColumn"] = span.end_col
    return props


def escape_data(text: str) -> str:
    """``%``, CR and LF escaped as ``@actions/core`` does; every other control character (ESC, C1, VT,
    U+2028) written as an escape such as ``\\x1b`` (docs/output-formats.md "Safe to print")."""
    return inert(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
