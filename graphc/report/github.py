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
``--allow-empty``). GitHub shows only the first 10 annotations of each level per step (:data:`MAX_ANNOTATIONS`): the
rest are written as plain log lines, and one ``::notice`` before the summary line says how many. Other control characters in a message or property (ESC, C1, U+2028) are written as escapes
(``\\x1b``), so no terminal escape sequence reaches the log (docs/output-formats.md "Safe to print").
"""

from __future__ import annotations

from collections import Counter
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
    one_line,
    ordered,
    rule_name,
    skip_place,
    summarize,
    unlisted_line,
    why_not_checked,
)

_LEVELS = {"error": "error", "warning": "warning"}


# GitHub Actions keeps at most this many annotations of each level (error, warning, notice) per step and drops the
# rest silently (actions/toolkit docs/problem-matchers.md, "Limitations"; audit scale25 8). docs/output-formats.md
# names the number.
MAX_ANNOTATIONS = 10


def render(results: list[FileResult], options: ReportOptions) -> str:
    commands = [_annotation_parts(d, options.rules) for d in in_order(results)]
    commands.extend(  # past GRAPHC_MAX_DIAGNOSTICS: counted by code, one line each
        (
            _LEVELS.get(severity, "error"),
            {"file": display_path(r.path), "title": code},
            unlisted_line(r.path, code, severity, n),
        )
        for r, _ in ordered(results)
        for code, severity, n in r.unlisted
    )
    commands.extend(_not_checked_parts(r) for r, _ in ordered(results) if not_checked(r) is not None)
    commands.extend(_not_read_parts(path, why) for path, why in sorted(options.unread.items()))
    commands.extend(_crash_parts(path, what) for path, what in sorted(options.crashed.items()))
    level = "warning" if options.nothing_allowed else "error"
    commands.extend((level, {"title": "nothing to lint"}, why) for why in options.empty.values())
    if options.explain_skips:
        commands.extend(_skip_parts(r.path, skip) for r, _ in ordered(results) for skip in r.skipped)
    lines = _budgeted(commands)
    if options.summary:
        summary = summarize(results)
        line = summary.line(
            options.explain_skips, options.nothing_linted, options.not_read, options.crashed, options.empty
        )
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def _budgeted(commands: list[tuple[str, dict, str]]) -> list[str]:
    """The workflow commands, the first :data:`MAX_ANNOTATIONS` of each level as annotations and the rest as plain
    log lines (:func:`plain_line`), then, when some were, one ``::notice`` saying how many of each level GitHub
    would not have shown (it keeps one of the notices' places, so it is never dropped itself)."""
    totals = Counter(name for name, _, _ in commands)
    room = dict.fromkeys(("error", "warning", "notice"), MAX_ANNOTATIONS)
    if any(count > MAX_ANNOTATIONS for count in totals.values()):
        room["notice"] = MAX_ANNOTATIONS - 1
    lines: list[str] = []
    unshown: dict[str, int] = {}
    for name, props, message in commands:
        if room.get(name, 0) > 0:
            room[name] -= 1
            lines.append(_command(name, props, message))
        else:
            unshown[name] = unshown.get(name, 0) + 1
            lines.append(plain_line(name, props, message))
    if unshown:
        lines.append(_command("notice", {"title": "more findings than annotations"}, _unshown_text(unshown)))
    return lines


def _unshown_text(unshown: dict[str, int]) -> str:
    """``12 more errors and 3 more warnings are not annotations: GitHub Actions shows at most 10 annotations of
    each level per step; they are the plain lines of this log, and graphc lint's text, json or sarif format
    (--format, --output) gives the full report``."""
    words = {"error": ("error", "errors"), "warning": ("warning", "warnings"), "notice": ("notice", "notices")}
    parts = [
        f"{unshown[name]} more {words[name][unshown[name] != 1]}"
        for name in ("error", "warning", "notice")
        if name in unshown
    ]
    said = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    verb = "is not an annotation" if sum(unshown.values()) == 1 else "are not annotations"
    return (
        f"{said} {verb}: GitHub Actions shows at most {MAX_ANNOTATIONS} annotations of each level per step; "
        "they are the plain lines of this log, and graphc lint's text, json or sarif format (--format, --output) "
        "gives the full report"
    )


def plain_line(name: str, props: dict, message: str) -> str:
    """An annotation past GitHub's limit as a plain log line: ``plays/a.yaml:10:12: error GC303 off-tick: ...``, on
    one line (the message's line breaks written ``\\n``), never starting with ``::`` (a file named so is shown
    ``./::x.yaml``), so it is never read as a workflow command."""
    where = props.get("file", "")
    if where.lstrip().startswith("::"):
        where = "./" + where
    if where and "line" in props:
        where += f":{props['line']}" + (f":{props['col']}" if "col" in props else "")
    title = props.get("title", "")
    head = f"{where}: {name}" if where else name
    text = f"{head} {title}: {message}" if title else f"{head}: {message}"
    line = one_line(text)
    return "./" + line if line.lstrip().startswith("::") else line


def skip_notice(path: str, skip) -> str:
    """``::notice file=...,title=GC301 skipped::reason``: a check that could not be decided, and why."""
    return _command(*_skip_parts(path, skip))


def _skip_parts(path: str, skip) -> tuple[str, dict, str]:
    props = _place(*skip_place(path, skip))  # the template's path when the skip lies in one
    props["title"] = f"{skip.code} skipped"
    return "notice", props, skip.reason


def not_checked_annotation(result: FileResult) -> str:
    """``::warning file=p.yaml,line=11,col=5,title=not checked::p.yaml was not checked: GC102 at p.yaml:11:5 is
    suppressed or turned off, and it stopped the checks; ...``: a file none of whose checks ran (graphc lint exits 2),
    at the error that stopped them (audit reports23 1)."""
    return _command(*_not_checked_parts(result))


def _not_checked_parts(result: FileResult) -> tuple[str, dict, str]:
    skip = not_checked(result)
    props = _place(*skip_place(result.path, skip)) if skip is not None else {"file": display_path(result.path)}
    props["title"] = "not checked"
    message = f"{display_path(result.path)} was not checked: {why_not_checked(result)}; no other check ran on this file"
    return "warning", props, message


def not_read_annotation(path: str, why: str) -> str:
    """``::error file=nope.yaml,title=not read::nope.yaml not found: not linted``: a file that could not be read
    while GC112 is turned off, so no finding says it (audit ci24 3)."""
    return _command(*_not_read_parts(path, why))


def _not_read_parts(path: str, why: str) -> tuple[str, dict, str]:
    message = f"{display_path(path)} {why}: not linted"
    return "error", {"file": display_path(path), "title": "not read"}, message


def crash_annotation(path: str, what: str) -> str:
    """``::error file=c.yaml,title=internal error::not linted: ...``: a file whose lint hit a bug in graphc."""
    return _command(*_crash_parts(path, what))


def _crash_parts(path: str, what: str) -> tuple[str, dict, str]:
    message = f"not linted: internal error in graphc ({what}); please report it"
    return "error", {"file": display_path(path), "title": "internal error"}, message


def annotation(d, rules: Mapping[str, RuleInfo]) -> str:
    return _command(*_annotation_parts(d, rules))


def _annotation_parts(d, rules: Mapping[str, RuleInfo]) -> tuple[str, dict, str]:
    props = _place(d.path, d.span)
    name = rule_name(rules, d.code)
    props["title"] = f"{d.code} {name}" if name else d.code
    message = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
    message += "".join(f"\nnote: {note(rel, display_path)}" for rel in d.related)
    return _LEVELS.get(d.severity, "error"), props, message


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
