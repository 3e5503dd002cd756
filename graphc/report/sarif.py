"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` lists every rule the caller describes (the
``rules`` mapping of :class:`graphc.diagnostics.RuleInfo`, in its order), so a
result's ``ruleIndex`` is stable across runs; each rule carries its
documentation page (``RuleInfo.help``, the text of ``docs/rules/CODE.md``) as
help text. A reported code the mapping does not describe is listed after them. Results point at the
file by a relative URI (``/`` separators, percent-encoded) against
``%SRCROOT%``, with 1-based lines and columns counted in Unicode code points;
``endColumn`` is exclusive, as SARIF defines it. A result's related places (each ``use:`` a template finding was
reached through) are its ``relatedLocations``, each linked from a ``note:`` line of its message
(``note: [a.yaml:5:10](1): template used here``, SARIF 2.1.0 §3.11.6): GitHub shows them only so. Checks that were
skipped (a fact
such as a quote was missing) are listed as ``note`` notifications of the run's
invocation (``toolExecutionNotifications``, each tied to its rule by
``associatedRule``), so a log without results never hides that some checks did not run: one per linted file, file
the skip lies in (a ``use:`` template's, when it lies in one), rule and reason, with the exact number of checks it
stands for (``properties.count``) and the first :data:`SKIP_PLACES` of their places, each once (see :func:`_skip_groups`);
past :data:`MAX_SKIP_NOTIFICATIONS` of those, one per rule and reason across files, and past that many, the first
and one ``note`` counting the rest (:func:`_skip_notifications`). The log is compact JSON.
A run that linted nothing, or left a file unread or unlinted, or a directory or glob with nothing to lint, has
``executionSuccessful: false`` and an ``error`` notification saying so (SARIF 2.1.0 §3.20.14, §3.58).

The log is built from plain dicts. Microsoft's ``sarif-om`` package was
considered: it only supplies attrs classes (no serialiser), its generator's
serialisation convention drops every property equal to its schema default,
which would drop an explicit ``"level": "warning"`` on a result whose rule
defaults to ``error`` (changing its meaning), and it has not been released
since 2019. The tests validate this output against the official OASIS schema.
"""

from __future__ import annotations

import functools
import heapq
import json
import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from graphc.diagnostics import RuleInfo, Span
from graphc.numbers import counted
from graphc.report import (
    FileResult,
    ReportOptions,
    display_path,
    ordered,
    related_place,
    skip_place,
    unchecked,
    unlisted_line,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning"}


def render(results: list[FileResult], options: ReportOptions) -> str:
    # compact: a log is read by tools, and indenting made a third of a large log's bytes (audit scale25 3)
    return json.dumps(build(results, options), separators=(",", ":")) + "\n"


def build(results: list[FileResult], options: ReportOptions) -> dict:
    """The SARIF log as plain data."""
    diagnostics = sorted((d for _, diags in ordered(results) for d in diags), key=lambda d: d.sort_key())
    skips = _skip_groups(results)
    extra_codes = {d.code for d in diagnostics} | {group.code for group in skips}
    descriptors, index = _rules(options.rules, extra_codes=extra_codes)
    driver: dict[str, object] = {"name": "graphc"}
    if options.tool_version:
        driver["version"] = options.tool_version
    uri = information_uri()
    if uri:
        driver["informationUri"] = uri
    driver["rules"] = descriptors
    listed = listed_results(diagnostics)
    run: dict[str, object] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        # the line breaks graphc counts (graphc.lines: YAML 1.2's): SARIF's default leaves out a lone CR
        "newlineSequences": ["\r\n", "\n", "\r"],
        "results": [_result(d, index[d.code]) for d in listed],
    }
    nothing = options.nothing_linted
    # a path with nothing to lint beside paths that gave files (when nothing was linted, `nothing` says why)
    empty = [] if nothing else list(options.empty.values())
    capped = len(listed) < len(diagnostics)
    unlisted = any(r.unlisted for r in results)  # a file's findings past GRAPHC_MAX_DIAGNOSTICS: counted
    if skips or options.unread or options.crashed or nothing or empty or capped or unlisted:  # a check not decided, ...
        notes = [_nothing_notification(nothing, options.nothing_allowed)] if nothing else []
        notes += [_left_out_notification(len(diagnostics))] if capped else []
        notes += [_empty_notification(why, options.nothing_allowed) for why in empty]
        notes += [_unread_notification(path, why) for path, why in sorted(options.unread.items())]
        notes += [_crash_notification(path, what) for path, what in sorted(options.crashed.items())]
        notes += [_unlisted_notification(r, item) for r, _ in ordered(results) for item in r.unlisted]
        notes += _skip_notifications(skips, index)
        # a file none of whose checks ran (GC112 kept as a warning: not read) is not analysed either
        failed_nothing = (nothing or empty) and not options.nothing_allowed
        successful = not (options.unread or options.crashed or failed_nothing or any(g.unchecked for g in skips))
        run["invocations"] = [{"executionSuccessful": successful, "toolExecutionNotifications": notes}]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


# -- rules -------------------------------------------------------------------


def _rules(rules: Mapping[str, RuleInfo], extra_codes) -> tuple[list[dict], dict[str, int]]:
    codes = list(rules) + sorted(set(extra_codes) - set(rules))
    return [rule_descriptor(code, rules.get(code)) for code in codes], {code: i for i, code in enumerate(codes)}


def rule_descriptor(code: str, info: RuleInfo | None) -> dict:
    """The ``reportingDescriptor`` of one code."""
    name = info.name if info else code
    summary = info.summary if info else f"{code} (not described by the caller)"
    level = _LEVELS.get(info.severity, "error") if info else "error"
    page = info.help.strip() if info and info.help and info.help.strip() else None
    if page:
        help_ = {"text": page, "markdown": page}
        full = first_paragraph(page) or summary
    else:
        help_ = {"text": f"{code} {name}: {summary}", "markdown": f"**{code} `{name}`**: {summary}"}
        full = summary
    descriptor = {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": help_,
        "defaultConfiguration": {"level": level},
    }
    if info:
        descriptor["properties"] = {"tags": ["graphc", info.family]}
    return descriptor


def first_paragraph(markdown: str) -> str | None:
    """The first paragraph of prose in a Markdown page (headings and code skipped)."""
    paragraph: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            if paragraph:
                break
            continue
        if in_code or stripped.startswith("#"):
            if paragraph:
                break
            continue
        if not stripped:
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    return " ".join(paragraph) or None


@functools.lru_cache(maxsize=1)
def information_uri() -> str | None:
    """The project's home page from the installed package metadata, if it declares one."""
    try:
        meta = metadata.metadata("graphc")
    except metadata.PackageNotFoundError:
        return None
    urls = {}
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    for label in ("homepage", "repository", "source", "documentation"):
        if urls.get(label):
            return urls[label]
    home = (meta.get_all("Home-page") or [None])[0]
    return home if home and home != "UNKNOWN" else None


# -- results -----------------------------------------------------------------

# GitHub code scanning rejects a run with more than 25,000 results ("Analysis SARIF file rejected due to result
# limits": https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit),
# and a 12,600-node wire graph without `instrument.type` and `activation` has 25,201 GC111 warnings (audit
# reports23 2). The log lists at most this many, errors first; docs/output-formats.md names the number.
MAX_RESULTS = 25_000


def listed_results(diagnostics: list) -> list:
    """The diagnostics (in path order) a log lists as results: all of them, or, when there are more than
    :data:`MAX_RESULTS`, the first that many with the errors first, then the warnings, each in path order."""
    if len(diagnostics) <= MAX_RESULTS:
        return diagnostics
    return sorted(diagnostics, key=lambda d: not d.is_error)[:MAX_RESULTS]  # (sorted is stable: path order kept)


def left_out_note(results: list[FileResult]) -> str:
    """``it lists 25000 of the 25201 results, the most GitHub code scanning takes; the text and json formats list
    them all``, or "" when the log lists every result: what lint says on stderr of a capped log."""
    total = sum(len(r.diagnostics) for r in results)
    notes = []
    if total > MAX_RESULTS:
        notes.append(
            f"it lists {MAX_RESULTS} of the {total} results, the most GitHub code scanning takes; the text and json "
            "formats list them all"
        )
    skips = skips_left_out_note(results)
    if skips:
        notes.append(skips)
    return "; ".join(notes)


def _left_out_notification(total: int) -> dict:
    """A ``note`` saying how many results the log leaves out (:func:`listed_results`), with ``properties.count``."""
    left = total - MAX_RESULTS
    return {
        "level": "note",
        "message": {
            "text": f"{left} of the {total} results are not listed: GitHub code scanning takes at most {MAX_RESULTS} "
            f"results per run, so this log lists the first {MAX_RESULTS}, errors first, then warnings; graphc "
            "lint's text and json formats list them all"
        },
        "properties": {"count": left},
    }


def _result(d, rule_index: int) -> dict:
    text = d.message if not d.hint else f"{d.message}\nhint: {d.hint}"
    # each related place (the `use:` a template finding was reached through) as a `note:` line, as the other formats
    # write it, linked to its relatedLocation: GitHub code scanning shows related locations only when the message
    # embeds them, `[text](id)` (SARIF 2.1.0 §3.11.6; audit reports23 4)
    text += "".join(f"\nnote: [{_link_text(related_place(r))}]({i}): {r.message}" for i, r in enumerate(d.related, 1))
    result = {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _LEVELS.get(d.severity, "error"),
        "message": {"text": text},
        "locations": [{"physicalLocation": physical_location(d.path, d.span)}],
    }
    if d.related:
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": physical_location(r.path, r.span), "message": {"text": r.message}}
            for i, r in enumerate(d.related, start=1)
        ]
    return result


def _link_text(text: str) -> str:
    """``text`` as the text of an embedded link in a plain text message: ``\\``, ``[`` and ``]`` escaped with a
    backslash (SARIF 2.1.0 §3.11.6)."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


# The places one skip notification lists: a 40,000-node wire graph linted without quotes skips the same check for
# the same reason at every node, and a notification per check made a 150 MB log. GitHub code scanning refuses a
# SARIF file over 10 MB (gzip-compressed) and keeps at most 100 of a result's locations (rejecting one with more
# than 1,000): https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/file-too-large
# and https://docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit
# (notifications are not results, but the same bound keeps them small). docs/output-formats.md names this number.
SKIP_PLACES = 20


class SkipGroup(NamedTuple):
    """The skipped checks of one linted file that share a rule, a reason and the file they lie in."""

    code: str
    reason: str
    path: str  # the file the checks lie in: the linted file's, or a `use:` template's
    spans: list[Span | None]  # one per check, in the order the lint gave them
    unchecked: bool  # no check ran on the file (it could not be read): the notification is an ``error``


def _skip_groups(results: list[FileResult]) -> list[SkipGroup]:
    """Each linted file's skips (files in path order) grouped by (file they lie in, rule, reason), in the order each
    group's first skip comes: how many checks a notification stands for stays exact, and the log grows with the
    number of distinct reasons, not with the graph (audit wire18, observation a)."""
    groups: list[SkipGroup] = []
    for result, _ in ordered(results):
        by_key: dict[tuple[str, str, str], SkipGroup] = {}
        for skip in result.skipped:
            where, span = skip_place(result.path, skip)
            group = by_key.get((where, skip.code, skip.reason))
            if group is None:
                group = by_key[where, skip.code, skip.reason] = SkipGroup(
                    skip.code, skip.reason, where, [], unchecked(skip)
                )
            group.spans.append(span)
        groups.extend(by_key.values())
    return groups


def _skip_notification(group: SkipGroup, rule_index: int) -> dict:
    """Skipped checks as one tool-execution notification tied to their rule, at their own file (a `use:`
    template's when they lie in one): a ``note``, or an ``error`` when no check ran on the file (it could not be
    read). ``properties.count`` is the number of checks; ``locations`` lists each of their places once (the
    schema declares it ``uniqueItems``: the rungs of a `for_each` leg, or two legs made from one template, share a
    place; audit ci19 2), the first :data:`SKIP_PLACES` in source order. ``properties.places`` counts the places
    when fewer than the checks, and ``properties.locationsNotListed`` the places not listed."""
    count = len(group.spans)
    places = _distinct_places(group.spans)
    listed = heapq.nsmallest(SKIP_PLACES, places, key=_position)  # sorted(...)[:SKIP_PLACES], in O(count)
    at = "" if len(places) == count else f" at {counted(len(places), 'place')}"
    if count == 1:
        text = f"skipped {group.code}: {group.reason}"
    elif len(places) <= SKIP_PLACES:
        text = f"skipped {group.code} ({count} checks{at}): {group.reason}"
    else:
        text = f"skipped {group.code} ({count} checks{at}; the first {SKIP_PLACES} places are listed): {group.reason}"
    properties = {"count": count}
    if len(places) < count:
        properties["places"] = len(places)
    if len(places) > len(listed):
        properties["locationsNotListed"] = len(places) - len(listed)
    return {
        "level": "error" if group.unchecked else "note",
        "message": {"text": text},
        "associatedRule": {"id": group.code, "index": rule_index},
        "locations": [{"physicalLocation": physical_location(group.path, span)} for span in listed],
        "properties": properties,
    }


# The skip notifications a log lists at most. Per linted file, rule and reason, a 15,000-playbook repository linted
# without quotes had 325,776 (a reason names the market or the price expression, so they barely group): 152 MB of a
# 156 MB log, 11.1 MB gzip-compressed, over the 10 MB GitHub code scanning takes (audit scale25 3). Past this many,
# the skips are grouped by rule and reason across files (:func:`_across_files`), and past this many of those the
# log lists the first (the errors first) and one ``note`` counts the rest. One notification, with its 20 places, is
# at most about 3 KB of compact JSON, so they stay under 15 MB (about 1 MB gzip-compressed: they repeat a lot),
# beside at most 25,000 results. docs/output-formats.md names the number.
MAX_SKIP_NOTIFICATIONS = 5_000


class FilesGroup(NamedTuple):
    """The skipped checks of every linted file that share a rule and a reason: each file's :class:`SkipGroup`."""

    code: str
    reason: str
    unchecked: bool
    parts: list[SkipGroup]  # one per file the checks lie in, in path order


def _skip_notifications(groups: list[SkipGroup], index: Mapping[str, int]) -> list[dict]:
    """The notifications of the skipped checks (:func:`_skip_groups`): one per file, rule and reason, or, when that
    is more than :data:`MAX_SKIP_NOTIFICATIONS`, one per rule and reason (:func:`_across_files`), at most that many
    with one ``note`` for those not listed (:func:`_skips_left_out`)."""
    if len(groups) <= MAX_SKIP_NOTIFICATIONS:
        return [_skip_notification(group, index[group.code]) for group in groups]
    merged = _across_files(groups)
    if len(merged) <= MAX_SKIP_NOTIFICATIONS:
        return [_files_notification(group, index[group.code]) for group in merged]
    ordered_ = sorted(merged, key=lambda group: not group.unchecked)  # a file not checked first (stable: in order)
    listed, rest = ordered_[: MAX_SKIP_NOTIFICATIONS - 1], ordered_[MAX_SKIP_NOTIFICATIONS - 1 :]
    return [_files_notification(group, index[group.code]) for group in listed] + [_skips_left_out(rest)]


def _across_files(groups: list[SkipGroup]) -> list[FilesGroup]:
    """``groups`` joined by (rule, reason, whether no check ran), in the order each first comes."""
    by_key: dict[tuple[str, str, bool], FilesGroup] = {}
    for group in groups:
        key = (group.code, group.reason, group.unchecked)
        joined = by_key.get(key)
        if joined is None:
            joined = by_key[key] = FilesGroup(group.code, group.reason, group.unchecked, [])
        joined.parts.append(group)
    return list(by_key.values())


def _files_notification(group: FilesGroup, rule_index: int) -> dict:
    """Skipped checks of one rule and reason in one or more files as one notification, as :func:`_skip_notification`
    makes one for a file: ``properties.count`` the checks, ``properties.files`` the files they lie in, the first
    :data:`SKIP_PLACES` places (in path order, each file's in source order) as ``locations``, and
    ``properties.places`` and ``properties.locationsNotListed`` as there."""
    if len(group.parts) == 1:
        return _skip_notification(group.parts[0], rule_index)
    count = sum(len(part.spans) for part in group.parts)
    files = len({part.path for part in group.parts})
    locations: list[dict] = []
    places = 0
    for part in group.parts:
        distinct = _distinct_places(part.spans)
        places += len(distinct)
        room = SKIP_PLACES - len(locations)
        if room > 0:
            listed = heapq.nsmallest(room, distinct, key=_position)
            locations += [{"physicalLocation": physical_location(part.path, span)} for span in listed]
    at = "" if places == count else f" at {counted(places, 'place')}"
    listed_text = "" if places <= SKIP_PLACES else f"; the first {SKIP_PLACES} places are listed"
    text = f"skipped {group.code} ({count} checks{at} in {files} files{listed_text}): {group.reason}"
    properties = {"count": count, "files": files}
    if places < count:
        properties["places"] = places
    if places > len(locations):
        properties["locationsNotListed"] = places - len(locations)
    return {
        "level": "error" if group.unchecked else "note",
        "message": {"text": text},
        "associatedRule": {"id": group.code, "index": rule_index},
        "locations": locations,
        "properties": properties,
    }


def _skips_left_out(rest: list[FilesGroup]) -> dict:
    """A ``note`` counting the skipped checks whose notifications the log does not list: ``properties.count`` the
    checks, ``properties.notifications`` the notifications (rule and reason) left out, ``properties.rules`` the
    checks per rule (code -> count), so a reader can still count each rule's skipped checks."""
    checks = sum(len(part.spans) for group in rest for part in group.parts)
    text = (
        f"{counted(checks, 'skipped check')} of {len(rest)} more rules and reasons are not listed: this log lists at "
        f"most {MAX_SKIP_NOTIFICATIONS} notifications of skipped checks, grouped by rule and reason across files; "
        "graphc lint's json format, or the text format with --explain-skips, lists every skipped check"
    )
    by_rule: dict[str, int] = {}
    for group in rest:
        by_rule[group.code] = by_rule.get(group.code, 0) + sum(len(part.spans) for part in group.parts)
    properties = {"count": checks, "notifications": len(rest), "rules": dict(sorted(by_rule.items()))}
    return {"level": "note", "message": {"text": text}, "properties": properties}


def skips_left_out_note(results: list[FileResult]) -> str:
    """What the log's skip notifications leave out, for lint's verdict on stderr (:func:`left_out_note`): ``it groups
    the notifications of skipped checks by rule and reason across files`` (and ``, and lists 4999 of the 7000
    groups``), or "" when they are one per file, rule and reason."""
    groups = _skip_groups(results)
    if len(groups) <= MAX_SKIP_NOTIFICATIONS:
        return ""
    merged = len(_across_files(groups))
    note = f"it groups the notifications of skipped checks by rule and reason across files ({len(groups)} otherwise)"
    if merged > MAX_SKIP_NOTIFICATIONS:
        note += f", and lists {MAX_SKIP_NOTIFICATIONS - 1} of the {merged} groups"
    return f"{note}; the json format lists every skipped check"


def _distinct_places(spans: list[Span | None]) -> list[Span | None]:
    """``spans`` less those whose ``region`` (:func:`_region`) an earlier one already has: one per place a
    notification lists, so its ``locations`` never holds the same item twice."""
    places: dict[tuple | None, Span | None] = {}
    for span in spans:
        region = _region(span)
        places.setdefault(tuple(region.items()) if region else None, span)
    return list(places.values())


def _position(span: Span | None) -> tuple[int, int, int]:
    """Source order of skipped checks (those whose place is unknown last)."""
    return (0, span.line, span.col) if span is not None else (1, 0, 0)


def _nothing_notification(why: str, allowed: bool = False) -> dict:
    """No file was linted (an empty directory, a glob matching nothing): an ``error`` notification, with
    ``executionSuccessful: false`` (SARIF 2.1.0 §3.20.14, §3.58), so an upload never reads as a clean analysis that
    fixed every open alert. Under ``--allow-empty`` (exit 0) it is a ``note`` and the run stays successful."""
    return {"level": "note" if allowed else "error", "message": {"text": f"nothing linted: {why}"}}


def _empty_notification(why: str, allowed: bool = False) -> dict:
    """A directory or glob that gave nothing to lint while other paths gave files: an ``error`` notification
    with ``executionSuccessful: false``, as when nothing at all was linted: the files under a mistyped or renamed
    path were not analysed, and their open alerts must not be closed as fixed (audit ci19 5). A ``note`` under
    ``--allow-empty``."""
    return {"level": "note" if allowed else "error", "message": {"text": f"nothing to lint: {why}"}}


def _unread_notification(path: str, why: str) -> dict:
    """A file that was not linted (GC112 turned off) as an ``error`` notification: not a result, not a pass."""
    return {
        "level": "error",
        "message": {"text": f"{display_path(path)} {why}: not linted"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(path)}}],
    }


def _unlisted_notification(result: FileResult, item: tuple[str, str, int]) -> dict:
    """A file's findings of one code past GRAPHC_MAX_DIAGNOSTICS, counted, not results: a ``note`` at the file
    (``... and 1895000 more GC103 errors in this file ...``), ``properties.count`` how many."""
    code, severity, count = item
    return {
        "level": "note",
        "message": {"text": unlisted_line(result.path, code, severity, count)},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(result.path)}}],
        "properties": {"count": count, "severity": severity},
    }


def _crash_notification(path: str, what: str) -> dict:
    """A file whose lint hit a bug in graphc as an ``error`` notification: code scanning must not read the
    run as a complete analysis of it (and close its alerts as fixed)."""
    return {
        "level": "error",
        "message": {"text": f"{display_path(path)} not linted: internal error in graphc ({what})"},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(path)}}],
    }


def physical_location(path: str, span: Span | None) -> dict:
    location = {"artifactLocation": artifact_location(path)}
    region = _region(span)
    if region:
        location["region"] = region
    return location


def artifact_location(path: str) -> dict:
    """A relative URI against ``%SRCROOT%`` (the working directory) for a file under it, else an absolute
    ``file:`` URI (docs/output-formats.md, "sarif").

    Either is a valid URI reference (RFC 3986; SARIF 2.1.0 §3.4.3): the name's bytes (``os.fsencode``, so a
    name that is not UTF-8 keeps its bytes: ``caf%E9.yaml``) are percent-encoded but for ``/``, and a ``:``
    too (``a:b.yaml`` is ``a%3Ab.yaml``, never read as a scheme).
    """
    shown = display_path(path)
    if shown.startswith("<") and shown.endswith(">"):  # <stdin>: no file to point at
        return {"uri": quote(shown, safe="/"), "uriBaseId": SRCROOT}
    if os.path.isabs(shown) or shown == os.pardir or shown.startswith(os.pardir + "/"):  # outside the cwd
        return {"uri": Path(os.path.abspath(shown)).as_uri()}
    return {"uri": quote(os.fsencode(shown), safe="/"), "uriBaseId": SRCROOT}


def _region(span: Span | None) -> dict | None:
    if span is None or span.line < 1:
        return None
    region = {"startLine": span.line}
    if span.col >= 1:
        region["startColumn"] = span.col
    if (span.end_line > span.line and span.end_col >= 1) or (
        span.end_line == span.line and span.end_col > span.col >= 1
    ):
        region["endLine"] = span.end_line
        region["endColumn"] = span.end_col
    return region
