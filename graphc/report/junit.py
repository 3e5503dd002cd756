"""JUnit XML for CI dashboards (Jenkins, GitLab, Azure DevOps, ...).

One ``<testsuite name="graphc">`` inside ``<testsuites>``. As ruff's JUnit output, one ``<testcase>`` per error,
``classname`` the linted file (``PATH`` as every format shows it: :func:`graphc.report.display_path`) and ``name``
its code and place (``GC303 p.yaml:7:3``), holding its one ``<failure type="GCxxx" message="...">`` whose text is
the full ``path:line:col: error CODE message`` line plus the hint: Jenkins' JUnit plugin keeps only the first
``<failure>`` of a case (audit reports26 4). A file with no error is one passing case named by its path. Warnings do
not fail a test case; they are listed in the ``<system-out>`` of the file's first case, and so are the checks that
were skipped (``path:line:col: skipped CODE reason``: a skip is not a pass). ``tests`` counts cases, ``failures``
those with a ``<failure>``, ``errors`` those with an ``<error>``; every case comes in path order (audit reports26
5). A file whose lint hit a bug in graphc is a test case with an
``<error type="internal-error">`` (counted by ``errors``): it was not checked, so it never reads as passed.
Nor does a file that could not be read (``<error type="not-read">``, whatever GC112's level: beside the case of
its GC112 finding when that is an error), a file none of whose checks ran because the input error that
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
    location,
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
    tally = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    # Every case in path order, a linted file's beside a file not read, one that crashed and a path that gave
    # nothing to lint (audit reports26 5); a stable sort keeps each file's own cases in the order they are made.
    cases: list[tuple[str, list[ET.Element]]] = [
        (r.path, _file_cases(r, diagnostics)) for r, diagnostics in ordered(results)
    ]
    cases += [(path, [_not_read_case(path, why)]) for path, why in options.unread.items()]
    cases += [(path, [_crash_case(path, what)]) for path, what in options.crashed.items()]
    # an empty directory, a glob matching nothing: a CI path typo must not read as a pass. One case for the run
    # when nothing was linted; else one per such path, named by it (audit ci19 5)
    if options.nothing_linted:
        nothing = {"nothing linted": f"nothing linted: {options.nothing_linted}"}
    else:
        nothing = {path: f"nothing to lint: {why}" for path, why in options.empty.items()}
    cases += [(name, [_nothing_case(name, said, options.nothing_allowed)]) for name, said in nothing.items()]
    for _, made in sorted(cases, key=lambda item: item[0]):
        for case in made:
            suite.append(case)
            tally["tests"] += 1
            tally["failures"] += case.find("failure") is not None
            tally["errors"] += case.find("error") is not None
            tally["skipped"] += case.find("skipped") is not None
    counts = {name: str(tally[name]) for name in ("tests", "failures", "errors")}
    suite.attrib.update(counts, skipped=str(tally["skipped"]))
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


def _case(classname: str, name: str) -> ET.Element:
    return ET.Element("testcase", classname=_clean(one_line(classname)), name=_clean(one_line(name)))


def _file_cases(result: FileResult, diagnostics) -> list[ET.Element]:
    """The cases of a linted file, classname its path: one per error, named by its code and place (``GC303
    p.yaml:7:3``) with its one ``<failure>`` (Jenkins' JUnit plugin keeps only a case's first; audit reports26 4),
    one per code of errors past GRAPHC_MAX_DIAGNOSTICS, one ``not checked``/``not read`` ``<error>`` when no check
    ran on it; and, when none of those, one passing case named by the path. Its warnings and skipped checks are
    the ``<system-out>`` of its first case."""
    path = display_path(result.path)
    cases = []
    for d in diagnostics:
        if d.is_error:
            case = _case(path, f"{d.code} {location(d)}")
            failure = ET.SubElement(case, "failure", type=d.code, message=_clean(one_line(d.message)))
            failure.text = _clean(_describe(d))
            cases.append(case)
    more = [unlisted_line(result.path, *item) for item in result.unlisted]  # past GRAPHC_MAX_DIAGNOSTICS
    for (code, severity, count), said in zip(result.unlisted, more, strict=True):
        if severity == "error":
            case = _case(path, f"{code} {path} (… and {count} more)")
            failure = ET.SubElement(case, "failure", type=code, message=_clean(said))
            failure.text = _clean(said)
            cases.append(case)
    if not_checked(result) is not None:  # no check ran on it (graphc lint exits 2): an error, never a pass
        cases.append(_not_checked_case(result))
    if not cases:
        cases.append(_case(path, path))
    warnings = [_describe(d) for d in diagnostics if not d.is_error]
    warnings += [said for (_, severity, _), said in zip(result.unlisted, more, strict=True) if severity != "error"]
    lines = warnings + [skip_headline(result.path, s) for s in result.skipped]
    if lines:  # a skipped check is listed, never silent (nor a pass)
        ET.SubElement(cases[0], "system-out").text = _clean("\n".join(lines))
    return cases


def _not_read_case(path: str, why: str) -> ET.Element:
    """A file that could not be read while GC112 is off: not linted, an error."""
    path = display_path(path)
    case = _case(path, path)
    error = ET.SubElement(case, "error", type="not-read", message=_clean(one_line(f"{why}: not linted")))
    error.text = _clean(one_line(f"{path} {why}: not linted"))
    return case


def _crash_case(path: str, what: str) -> ET.Element:
    """A file whose lint hit a bug in graphc: an error, not a pass."""
    path = display_path(path)
    case = _case(path, path)
    message = _clean(one_line(f"internal error in graphc: {what}"))
    error = ET.SubElement(case, "error", type="internal-error", message=message)
    error.text = _clean(one_line(f"{path} not linted: internal error in graphc ({what})"))
    return case


def _nothing_case(name: str, said: str, allowed: bool) -> ET.Element:
    case = _case("graphc", name)
    message = _clean(one_line(said))
    if allowed:  # --allow-empty: exit 0, so not an error, and not a pass either
        ET.SubElement(case, "skipped", message=message)
    else:
        error = ET.SubElement(case, "error", type="nothing-linted", message=message)
        error.text = message
    return case


def _not_checked_case(result: FileResult) -> ET.Element:
    """A case with ``<error type="not-read">`` for a file that could not be read (GC112 an error, its own case beside
    this one, or a warning), ``<error type="not-checked">`` for one whose input error that stopped the checks was
    suppressed, lowered or turned off (or a `use:` template of which could not be read): graphc lint exits 2 for
    either, so ``errors`` counts it, as a file not read with GC112 off (audit ci24 2: a ``<skipped>`` case read as
    not failed)."""
    skip = not_checked(result)
    where, _ = skip_place(result.path, skip)
    kind = "not-read" if skip.code == UNREADABLE and where == result.path else "not-checked"
    why = why_not_checked(result)
    path = display_path(result.path)
    case = _case(path, path)
    error = ET.SubElement(case, "error", type=kind, message=_clean(one_line(f"not checked: {why}")))
    error.text = _clean(one_line(f"{path} was not checked: {why}; {NO_CHECK_RAN}"))
    return case


def _describe(d) -> str:
    """The headline, the hint and the notes, each on one line: no value from a file ever starts a line of the XML."""
    text = one_line(headline(d))
    if d.hint:
        text += f"\nhint: {one_line(d.hint)}"
    return text + "".join(f"\nnote: {one_line(note(rel))}" for rel in d.related)


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
