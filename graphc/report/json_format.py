"""The machine format: one stable JSON document, described by ``docs/lint-json.schema.json``.

Every path is shown as in every other format (:func:`graphc.report.display_path`: relative to the working directory
when the file lies under it).

Files are sorted by path and diagnostics by (path, line, column, code, message),
so the same input always gives byte-identical output. Version 1 only ever gains
optional fields; renaming or removing one bumps ``version``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from graphc.diagnostics import RuleInfo, Span
from graphc.report import (
    FileResult,
    ReportOptions,
    display_path,
    not_checked,
    ordered,
    rule_name,
    skip_place,
    summarize,
    why_not_checked,
)

FORMAT_VERSION = 1


def render(results: list[FileResult], options: ReportOptions) -> str:
    return json.dumps(build(results, options), indent=2) + "\n"


def build(results: list[FileResult], options: ReportOptions) -> dict:
    """The report as plain data (what :func:`render` serialises)."""
    files, diagnostics = [], []
    for result, diags in ordered(results):
        errors = sum(1 for d in diags if d.is_error)
        unlisted = sum(count for _, _, count in result.unlisted)  # past GRAPHC_MAX_DIAGNOSTICS: counted
        errors += sum(count for _, severity, count in result.unlisted if severity == "error")
        entry = {
            "path": display_path(result.path),
            "errors": errors,
            "warnings": len(diags) + unlisted - errors,
            "skipped": [_skip(result.path, s) for s in result.skipped],
        }
        if result.unlisted:  # an optional key: the file's findings not listed, by code
            entry["unlisted"] = [{"code": c, "severity": s, "count": n} for c, s, n in result.unlisted]
        files.append(entry)
        diagnostics.extend(diags)
    diagnostics.sort(key=lambda d: d.sort_key())
    summary = summarize(results)
    counts: dict[str, int | str] = {"errors": summary.errors, "warnings": summary.warnings, "files": summary.files}
    counts["skipped"] = summary.skipped  # the text and github summary lines' count: a skip is never a pass
    if summary.not_checked:  # files none of whose checks ran (graphc lint exits 2): not counted in `files` (optional)
        counts["not_checked"] = len(summary.not_checked)
    if options.nothing_linted:  # no file was linted (graphc lint exits 2): the counts must not read as a clean run
        counts["nothing_linted"] = options.nothing_linted
    report = {
        "version": FORMAT_VERSION,
        "tool": "graphc",
        "tool_version": options.tool_version,
        "files": files,
        "diagnostics": [_diagnostic(d, options.rules) for d in diagnostics],
        "summary": counts,
    }
    unchecked = [result for result, _ in ordered(results) if not_checked(result) is not None]
    if unchecked:  # each file none of whose checks ran, and why (an optional field; each is in `files` with its skip)
        report["not_checked"] = [{"path": display_path(r.path), "reason": why_not_checked(r)} for r in unchecked]
    if options.unread:  # GC112 turned off: files that were not linted, so never among `files` (an optional field)
        report["not_read"] = [
            {"path": display_path(path), "reason": why} for path, why in sorted(options.unread.items())
        ]
    if options.empty:  # a directory or glob that gave nothing to lint (exit 2 without --allow-empty): optional
        report["empty_paths"] = [{"path": path, "reason": why} for path, why in options.empty.items()]
    if options.crashed:  # a file whose lint hit a bug in graphc: not linted either (an optional field)
        crashed = sorted(options.crashed.items())
        report["internal_errors"] = [{"path": display_path(path), "error": what} for path, what in crashed]
    return report


def _diagnostic(d, rules: Mapping[str, RuleInfo]) -> dict:
    return {
        "code": d.code,
        "name": rule_name(rules, d.code),
        "severity": d.severity,
        "message": d.message,
        "hint": d.hint,
        "path": display_path(d.path),
        **_position(d.span),
        "related": [{"path": display_path(r.path), **_position(r.span), "message": r.message} for r in d.related],
    }


def _position(span: Span | None) -> dict:
    """line/column/end_line/end_column, ``null`` where unknown; ends are exclusive."""
    if span is None:
        return {"line": None, "column": None, "end_line": None, "end_column": None}
    has_end = span.end_line > span.line or (span.end_line == span.line and span.end_col > span.col)
    return {
        "line": span.line,
        "column": span.col,
        "end_line": span.end_line if has_end else None,
        "end_column": span.end_col if has_end else None,
    }


def _skip(path: str, skip) -> dict:
    """A skipped check; ``path`` is the file its line and column are in (a `use:` template's, when it lies in one)."""
    where, span = skip_place(path, skip)
    return {
        "code": skip.code,
        "reason": skip.reason,
        "path": display_path(where),
        "line": span.line if span is not None else None,
        "column": span.col if span is not None else None,
    }
