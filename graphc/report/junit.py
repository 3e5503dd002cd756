"""JUnit XML for CI dashboards (Jenkins, GitLab, Azure DevOps, ...).

One ``<testsuite name="graphc">`` inside ``<testsuites>``, one
``<testcase classname="graphc" name="PATH">`` per linted file (``PATH`` as every format shows it:
:func:`graphc.report.display_path`). Each error
becomes a ``<failure type="GCxxx" message="...">`` whose text is the full
``path:line:col: error CODE message`` line plus the hint. Warnings do not fail
a test case; they are listed in its ``<system-out>``, and so are the checks that were skipped
(``path:line:col: skipped CODE reason``: a skip is not a pass). ``tests`` counts files
and ``failures`` counts files with at least one error (so it never exceeds
``tests``, as JUnit consumers expect). A file whose lint hit a bug in graphc is a test case with an
``<error type="internal-error">`` (counted by ``errors``): it was not checked, so it never reads as passed.
Nor does a file that could not be read (``<error type="not-read">``, whatever GC112's level: beside its
``<failure type="GC112">`` when it is an error), a file none of whose checks ran because the input error that
stopped them was suppressed, lowered or turned off (``<error type="not-checked">``), or a run that linted
nothing (a test case ``nothing linted`` with ``<error type="nothing-linted">``: a typo'd CI path is red, not an
empty green suite; when other paths gave files, a test case per directory or glob that gave none, named by it):
``errors`` counts every such case, each a state graphc lint exits 2 for. Only ``--allow-empty``'s nothing linted
is a ``<skipped>`` case, counted by the ``<testsuite>``'s ``skipped`` (``<testsuites>`` has no ``skipped``:
Jenkins xunit-plugin's schema, junit-10.xsd, does not allow it there).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from graphc.diagnostics import NO_CHECK_RAN
from graphc.files import UNREADABLE
from graphc.report import (
    FileResult,
    ReportOptions,
    display_path,
    headline,
    not_checked,
    note,
    one_line,
    ordered,
    skip_headline,
    skip_place,
    unlisted_line,
    why_not_checked,
)

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(results: list[FileResult], options: ReportOptions) -> str:
    suite = ET.Element("testsuite", name="graphc")
    tests = failed = errored = skipped = 0
    for result, diagnostics in ordered(results):
        tests += 1
        case = ET.SubElement(suite, "testcase", classname="graphc", name=_clean(one_line(display_path(result.path))))
        errors = [d for d in diagnostics if d.is_error]
        warnings = [d for d in diagnostics if not d.is_error]
        for d in errors:
            failure = ET.SubElement(case, "failure", type=d.code, message=_clean(one_line(d.message)))
            failure.text = _clean(_describe(d))
        more = [unlisted_line(result.path, *item) for item in result.unlisted]  # past GRAPHC_MAX_DIAGNOSTICS
        for (code, severity, _), said in zip(result.unlisted, more, strict=True):
            if severity == "error":
                failure = ET.SubElement(case, "failure", type=code, message=_clean(said))
                failure.text = _clean(said)
        if not_checked(result) is not None:  # no check ran on it (graphc lint exits 2): an error, never a pass
            errored += 1
            _not_checked_error(case, result)
        more_warnings = [
            said for (_, severity, _), said in zip(result.unlisted, more, strict=True) if severity != "error"
        ]
        if warnings or result.skipped or more_warnings:  # a skipped check is listed, never silent (nor a pass)
            out = ET.SubElement(case, "system-out")
            lines = [_describe(d) for d in warnings] + more_warnings
            lines += [skip_headline(result.path, s) for s in result.skipped]
            out.text = _clean("\n".join(lines))
        failed += bool(errors) or any(severity == "error" for _, severity, _ in result.unlisted)
    for path, why in sorted(options.unread.items()):  # could not be read, GC112 off: not linted, an error
        path = display_path(path)
        tests += 1
        errored += 1
        case = ET.SubElement(suite, "testcase", classname="graphc", name=_clean(one_line(path)))
        error = ET.SubElement(case, "error", type="not-read", message=_clean(one_line(f"{why}: not linted")))
        error.text = _clean(one_line(f"{path} {why}: not linted"))
    for path, what in sorted(options.crashed.items()):  # lint hit a bug in graphc: an error, not a pass
        path = display_path(path)
        tests += 1
        errored += 1
        case = ET.SubElement(suite, "testcase", classname="graphc", name=_clean(one_line(path)))
        message = _clean(one_line(f"internal error in graphc: {what}"))
        error = ET.SubElement(case, "error", type="internal-error", message=message)
        error.text = _clean(one_line(f"{path} not linted: internal error in graphc ({what})"))
    # an empty directory, a glob matching nothing: a CI path typo must not read as a pass. One case for the run
    # when nothing was linted; else one per such path, named by it (audit ci19 5)
    if options.nothing_linted:
        nothing = {"nothing linted": f"nothing linted: {options.nothing_linted}"}
    else:
        nothing = {path: f"nothing to lint: {why}" for path, why in options.empty.items()}
    for name, said in nothing.items():
        tests += 1
        case = ET.SubElement(suite, "testcase", classname="graphc", name=_clean(one_line(name)))
        message = _clean(one_line(said))
        if options.nothing_allowed:  # --allow-empty: exit 0, so not an error, and not a pass either
            skipped += 1
            ET.SubElement(case, "skipped", message=message)
        else:
            errored += 1
            error = ET.SubElement(case, "error", type="nothing-linted", message=message)
            error.text = message
    counts = {"tests": str(tests), "failures": str(failed), "errors": str(errored)}
    suite.attrib.update(counts, skipped=str(skipped))
    if options.tool_version:
        props = ET.Element("properties")
        ET.SubElement(props, "property", name="graphc.version", value=_clean(options.tool_version))
        suite.insert(0, props)
    # `skipped` only on <testsuite>: Jenkins xunit-plugin validates a report against its junit-10.xsd, which allows
    # no `skipped` on <testsuites> (audit ci19 6)
    root = ET.Element("testsuites", {"name": "graphc", **counts})
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _not_checked_error(case: ET.Element, result: FileResult) -> None:
    """``<error type="not-read">`` for a file that could not be read (GC112 an error beside its ``<failure>``, or a
    warning), ``<error type="not-checked">`` for one whose input error that stopped the checks was suppressed,
    lowered or turned off (or a `use:` template of which could not be read): graphc lint exits 2 for either, so
    ``errors`` counts it, as a file not read with GC112 off (audit ci24 2: a ``<skipped>`` case read as not failed)."""
    skip = not_checked(result)
    where, _ = skip_place(result.path, skip)
    kind = "not-read" if skip.code == UNREADABLE and where == result.path else "not-checked"
    why = why_not_checked(result)
    error = ET.SubElement(case, "error", type=kind, message=_clean(one_line(f"not checked: {why}")))
    error.text = _clean(one_line(f"{display_path(result.path)} was not checked: {why}; {NO_CHECK_RAN}"))


def _describe(d) -> str:
    """The headline, the hint and the notes, each on one line: no value from a file ever starts a line of the XML."""
    text = one_line(headline(d))
    if d.hint:
        text += f"\nhint: {one_line(d.hint)}"
    return text + "".join(f"\nnote: {one_line(note(rel))}" for rel in d.related)


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
