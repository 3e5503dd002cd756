"""The output formats of graphc.report: text, json, sarif, github, junit."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphc.diagnostics import NO_CHECK_RAN, Diagnostic, Related, Skip, Span
from graphc.report import RENDERERS, FileResult, get_renderer, render
from graphc.report import github as github_format
from graphc.report import sarif as sarif_format
from graphc.report.text import should_color
from graphc.rules.registry import RULES, report_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SARIF_SCHEMA_SHA256 = "80cd7ffb9b62a4162d541aa9170862dd264f6cce0f04c57f1ac9f2337b808958"

SOURCE = """\
graphc: 1
legs:
  entry:
    price: 0.123
    qty: 10
"""


def sample_results():
    a = [
        Diagnostic(
            "GC405", "hedge size 5 differs from its parent's 10", "plays/a.yaml", Span(5, 10, 5, 12), severity="warning"
        ),
        Diagnostic(
            "GC303",
            "limit price 0.123 is not on the 0.01 tick",
            "plays/a.yaml",
            Span(4, 12, 4, 17),
            hint="use 0.12 or 0.13",
            related=(Related("plays/a.yaml", Span(3, 3, 3, 8), "the leg is defined here"),),
        ),
    ]
    b = [Diagnostic("GC100", "YAML syntax error: found a tab", "plays/b.yaml", None)]
    return [
        FileResult("plays/b.yaml", None, b, []),
        FileResult("plays/a.yaml", SOURCE, a, []),
        FileResult("plays/c.yaml", "graphc: 1\n", [], []),
    ]


# -- registry and dispatch ------------------------------------------------------


def test_every_format_is_registered_and_renders():
    assert set(RENDERERS) == {"text", "json", "sarif", "github", "junit"}
    for name in RENDERERS:
        out = render(name, sample_results(), tool_version="9.9.9")
        assert isinstance(out, str) and out.endswith("\n")


def test_unknown_format_names_the_known_ones():
    with pytest.raises(ValueError, match="text, json, sarif, github, junit"):
        get_renderer("yaml")


def test_importing_graphc_report_stays_lean():
    code = (
        "import sys, graphc.report as r;"
        "heavy = [m for m in ('json', 'xml.etree.ElementTree', 'graphc.report.sarif', 'graphc.report.text')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# -- text ------------------------------------------------------------------------


def test_text_exact_output():
    out = render("text", sample_results(), tool_version="0.1.0")
    assert out == (
        "plays/a.yaml:4:12: error GC303 limit price 0.123 is not on the 0.01 tick\n"
        "  |\n"
        "4 |     price: 0.123\n"
        "  |            ^~~~~\n"
        "  hint: use 0.12 or 0.13\n"
        "  note: plays/a.yaml:3:3: the leg is defined here\n"
        "\n"
        "plays/a.yaml:5:10: warning GC405 hedge size 5 differs from its parent's 10\n"
        "  |\n"
        "5 |     qty: 10\n"
        "  |          ^~\n"
        "\n"
        "plays/b.yaml: error GC100 YAML syntax error: found a tab\n"
        "\n"
        "2 errors, 1 warning in 3 files\n"
    )


def test_text_clean_run_is_one_summary_line():
    results = [FileResult("a.yaml", "graphc: 1\n", [], []), FileResult("b.yaml", "graphc: 1\n", [], [])]
    assert render("text", results, tool_version="0") == "no problems in 2 files\n"
    assert render("text", results[:1], tool_version="0") == "no problems in 1 file\n"


def test_summary_false_leaves_out_the_summary_line():
    out = render("text", sample_results(), summary=False)
    assert out.endswith("plays/b.yaml: error GC100 YAML syntax error: found a tab\n")
    assert render("text", [FileResult("a.yaml", "", [], [])], summary=False) == ""
    assert render("github", [FileResult("a.yaml", "", [], [])], summary=False) == ""
    assert render("github", sample_results(), summary=False).count("\n") == 3


@pytest.mark.parametrize(
    "line, span, marker",
    [
        ("    price: 0.123", Span(1, 12), "           ^~~~~"),  # no end: the token at the column
        ("    price: 0.123", Span(1, 5, 3, 1), "    ^~~~~~~~~~~~"),  # multi-line: to the end of the line
        ("    price: 0.123", Span(1, 12, 1, 99), "           ^~~~~"),  # clamped to the line
        ("ab", Span(1, 9), "  ^"),  # past the end of the line
        ("\tqty: 5", Span(1, 7, 1, 8), "\t     ^"),  # tabs kept so the marker lines up
    ],
)
def test_text_marker(line, span, marker):
    d = Diagnostic("GC103", "m", "x.yaml", span)
    out = render("text", [FileResult("x.yaml", line + "\n", [d], [])], tool_version="0")
    assert out.splitlines()[3] == "  | " + marker


def test_text_gutter_widens_with_the_line_number():
    source = "".join(f"k{i}: {i}\n" for i in range(1, 13))
    d = Diagnostic("GC102", "unknown key", "x.yaml", Span(12, 1, 12, 4))
    lines = render("text", [FileResult("x.yaml", source, [d], [])], tool_version="0").splitlines()
    assert lines[1:4] == ["   |", "12 | k12: 12", "   | ^~~"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_text_frame_counts_yamls_line_breaks(newline):
    """The frame shows the line a span names, counted at YAML 1.2's line breaks (LF, CRLF, CR)."""
    source = newline.join(["a: 1", "b: é", "c: 3", "d: 4"]) + newline
    d = Diagnostic("GC102", "unknown key", "x.yaml", Span(3, 1, 3, 2))
    lines = render("text", [FileResult("x.yaml", source, [d], [])], tool_version="0").splitlines()
    assert lines[2] == "3 | c: 3"


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029"])
def test_text_frame_does_not_break_lines_at_nel_ls_or_ps(character):
    """NEL, LS and PS are characters of a line (YAML 1.2; git, GitHub and editors): the frame shows the line an
    editor shows as line 3, the character written as an escape."""
    source = f'a: 1\nb: "x{character}y"\nc: 3\nd: 4\n'
    d = Diagnostic("GC102", "unknown key", "x.yaml", Span(3, 1, 3, 2))
    lines = render("text", [FileResult("x.yaml", source, [d], [])], tool_version="0").splitlines()
    assert lines[2] == "3 | c: 3"


@given(st.text(alphabet="a \t\n\r\x85\u2028\u2029\x0b\x0c\x1c\u0085é", max_size=40))
def test_text_frame_lines_split_as_the_line_break_pattern(source):
    from graphc.lines import LINE_BREAK
    from graphc.report.text import _lines

    assert _lines(source) == re.split(LINE_BREAK, source)


def test_text_line_outside_the_source_has_no_snippet():
    d = Diagnostic("GC100", "unexpected end", "x.yaml", Span(40, 1))
    out = render("text", [FileResult("x.yaml", "a: 1\n", [d], [])], tool_version="0")
    assert out == "x.yaml:40:1: error GC100 unexpected end\n\n1 error in 1 file\n"


def test_text_lists_skips_only_with_explain_skips_but_always_counts_them():
    # a skipped check is never silent: the summary counts it and names the flag that lists it
    skip = Skip("GC406", Span(4, 12), "needs a quote for the market; pass --quotes")
    results = [FileResult("a.yaml", SOURCE, [], [skip])]
    assert render("text", results, tool_version="0") == (
        "no problems in 1 file (1 check skipped; --explain-skips lists them)\n"
    )
    two = [FileResult("a.yaml", SOURCE, [], [skip, skip._replace(code="GC404")])]
    assert render("text", two, tool_version="0").endswith("(2 checks skipped; --explain-skips lists them)\n")
    out = render("text", results, tool_version="0", explain_skips=True)
    assert out == (
        "a.yaml:4:12: skipped GC406 needs a quote for the market; pass --quotes\n"
        "\n"
        "no problems in 1 file (1 check skipped)\n"
    )


def test_text_colour_only_when_asked():
    plain = render("text", sample_results(), tool_version="0")
    assert "\x1b[" not in plain
    assert "\x1b[" not in render("text", sample_results(), tool_version="0", color=False)
    coloured = render("text", sample_results(), tool_version="0", color=True)
    assert "\x1b[1;31merror\x1b[0m" in coloured
    assert "\x1b[1;33mwarning\x1b[0m" in coloured
    # Stripping the escapes gives back the plain output.
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


class _Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


def test_should_color_honours_no_color_and_force_color():
    assert should_color(_Stream(True), {}) is True
    assert should_color(_Stream(False), {}) is False
    assert should_color(_Stream(True), {"NO_COLOR": "1"}) is False
    assert should_color(_Stream(True), {"NO_COLOR": ""}) is True  # empty means unset (no-color.org)
    assert should_color(_Stream(False), {"FORCE_COLOR": "1"}) is True
    assert should_color(_Stream(True), {"NO_COLOR": "1", "FORCE_COLOR": "1"}) is False
    assert should_color(_Stream(True), {"TERM": "dumb"}) is False
    assert should_color(object(), {}) is False  # no isatty at all


def test_should_color_reads_the_environment(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert should_color(_Stream(True)) is False


# -- json ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((ROOT / "docs" / "lint-json.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_json_validates_against_the_documented_schema(json_validator):
    skip = Skip("GC406", Span(4, 12), "needs a quote")
    results = sample_results() + [FileResult("plays/d.yaml", "", [], [skip])]
    report = json.loads(render("json", results, tool_version="0.1.0"))
    json_validator.validate(report)
    clean = json.loads(render("json", [], tool_version="0.1.0"))
    json_validator.validate(clean)
    assert clean["summary"] == {"errors": 0, "warnings": 0, "files": 0, "skipped": 0}
    unread = {"nope.yaml": "not found", "latin.yaml": "could not be read"}
    json_validator.validate(json.loads(render("json", [], tool_version="0.1.0", unread=unread)))


def test_json_content_is_sorted_and_complete():
    report = json.loads(render("json", sample_results(), tool_version="0.1.0", rules=report_rules()))
    assert report["version"] == 1 and report["tool"] == "graphc" and report["tool_version"] == "0.1.0"
    assert [f["path"] for f in report["files"]] == ["plays/a.yaml", "plays/b.yaml", "plays/c.yaml"]
    assert [(d["path"], d["line"], d["code"]) for d in report["diagnostics"]] == [
        ("plays/a.yaml", 4, "GC303"),
        ("plays/a.yaml", 5, "GC405"),
        ("plays/b.yaml", None, "GC100"),
    ]
    first = report["diagnostics"][0]
    assert first == {
        "code": "GC303",
        "name": "off-tick",
        "severity": "error",
        "message": "limit price 0.123 is not on the 0.01 tick",
        "hint": "use 0.12 or 0.13",
        "path": "plays/a.yaml",
        "line": 4,
        "column": 12,
        "end_line": 4,
        "end_column": 17,
        "related": [
            {
                "path": "plays/a.yaml",
                "line": 3,
                "column": 3,
                "end_line": 3,
                "end_column": 8,
                "message": "the leg is defined here",
            }
        ],
    }
    assert report["summary"] == {"errors": 2, "warnings": 1, "files": 3, "skipped": 0}


def test_json_is_deterministic():
    forward = render("json", sample_results(), tool_version="1")
    backward = render("json", list(reversed(sample_results())), tool_version="1")
    assert forward == backward


# -- sarif -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    raw = (DATA / "sarif-schema-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SARIF_SCHEMA_SHA256  # the vendored copy is untouched
    schema = json.loads(raw)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _check_sarif(validator, log):
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_sarif_validates_against_the_official_schema(sarif_validator):
    page = "# GC303 off-tick\n\n## What it does\n\nChecks that a limit price\nis on the tick.\n\n## Example\n"
    described = report_rules()
    rules = {**described, "GC303": described["GC303"]._replace(help=page)}
    log = json.loads(render("sarif", sample_results(), tool_version="0.1.0", rules=rules))
    _check_sarif(sarif_validator, log)
    _check_sarif(sarif_validator, json.loads(render("sarif", [], tool_version="0.1.0", rules=rules)))
    unread = {"nope.yaml": "not found"}  # GC112 off: a notification, so the log never reads as a clean run
    _check_sarif(sarif_validator, json.loads(render("sarif", sample_results(), rules=rules, unread=unread)))

    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "graphc" and driver["version"] == "0.1.0"
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    by_id = {rule["id"]: rule for rule in driver["rules"]}
    assert by_id["GC303"]["help"] == {"text": page.strip(), "markdown": page.strip()}
    assert by_id["GC303"]["fullDescription"]["text"] == "Checks that a limit price is on the tick."
    assert by_id["GC405"]["help"]["text"] == "GC405 hedge-size: " + RULES["GC405"].summary  # no page: summary
    assert by_id["GC405"]["defaultConfiguration"] == {"level": "warning"}

    results = run["results"]
    assert [r["ruleId"] for r in results] == ["GC303", "GC405", "GC100"]
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    assert results[0]["level"] == "error" and results[1]["level"] == "warning"
    assert results[0]["message"]["text"] == (  # the note links its related location (audit reports23 4)
        "limit price 0.123 is not on the 0.01 tick\nhint: use 0.12 or 0.13\nnote: [plays/a.yaml:3:3](1): the leg is "
        "defined here"
    )
    assert results[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "plays/a.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4, "startColumn": 12, "endLine": 4, "endColumn": 17},
    }
    assert results[0]["relatedLocations"][0]["message"]["text"] == "the leg is defined here"
    assert "region" not in results[2]["locations"][0]["physicalLocation"]


def test_sarif_lists_skipped_checks_as_notifications(sarif_validator):
    """A SARIF log with no results reads as a clean pass in a code-scanning view; a check that could not be
    decided must say so (playbook-spec.md §8: "skipped, never passed"). Each skip is a note of the run's
    invocation, tied to its rule and placed where the text report's --explain-skips places it."""
    skip = Skip("GC301", Span(4, 12), "no venue pinned (the router picks one)")
    results = [FileResult("a.yaml", SOURCE, [], [skip, skip._replace(code="GC999", where=None)])]
    log = json.loads(render("sarif", results, tool_version="1", rules=report_rules()))
    _check_sarif(sarif_validator, log)
    run = log["runs"][0]
    assert run["results"] == []
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is True
    first, second = invocation["toolExecutionNotifications"]
    assert first == {
        "level": "note",
        "message": {"text": "skipped GC301: no venue pinned (the router picks one)"},
        "associatedRule": {"id": "GC301", "index": list(RULES).index("GC301")},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 4, "startColumn": 12},
                }
            }
        ],
        "properties": {"count": 1},
    }
    rules = run["tool"]["driver"]["rules"]
    assert rules[second["associatedRule"]["index"]]["id"] == "GC999"  # a code the registry lacks is listed too
    assert "invocations" not in json.loads(render("sarif", sample_results(), tool_version="1"))["runs"][0]


def test_sarif_groups_skips_by_the_file_they_lie_in_rule_and_reason(sarif_validator):
    """Audit wire18 (a): one notification per (file, rule, reason), its places in source order (an unknown place
    last), never one per check; a check skipped in a `use:` template is grouped at the template."""
    reason = "no venue pinned (the router picks one)"
    in_template = Span(3, 5, file="templates/t.yaml")
    skips = [Skip("GC301", Span(9, 2), reason), Skip("GC301", None, reason), Skip("GC301", Span(4, 12), reason)]
    skips += [Skip("GC301", in_template, reason), Skip("GC302", Span(4, 12), reason)]
    log = json.loads(render("sarif", [FileResult("a.yaml", SOURCE, [], skips)], rules=report_rules()))
    _check_sarif(sarif_validator, log)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    summary = [(n["associatedRule"]["id"], n["message"]["text"], n["properties"]) for n in notes]
    assert summary == [
        ("GC301", f"skipped GC301 (3 checks): {reason}", {"count": 3}),
        ("GC301", f"skipped GC301: {reason}", {"count": 1}),
        ("GC302", f"skipped GC302: {reason}", {"count": 1}),
    ]
    assert [place["physicalLocation"] for place in notes[0]["locations"]] == [
        {
            "artifactLocation": {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 4, "startColumn": 12},
        },
        {"artifactLocation": {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 9, "startColumn": 2}},
        {"artifactLocation": {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}},
    ]
    assert notes[1]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "templates/t.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 5},
            }
        }
    ]


def test_sarif_lists_each_place_of_a_group_once(sarif_validator):
    """Audit ci19 2: checks skipped at one place (the rungs of a `for_each` leg; two legs made from one template)
    listed that place once per check, and a notification's `locations` is uniqueItems in the schema. Each place
    is listed once (an unknown place too), the count stays the number of checks, and past SKIP_PLACES places the
    places not listed are counted."""
    reason = "no venue pinned (the router picks one)"
    spans = [Span(line, 3, line, 9) for line in range(1, 26)]
    skips = [Skip("GC301", span, reason) for span in spans + spans] + [Skip("GC301", None, reason)] * 2
    skips += [Skip("GC302", Span(4, 12), reason)] * 3
    log = json.loads(render("sarif", [FileResult("a.yaml", SOURCE, [], skips)], rules=report_rules()))
    _check_sarif(sarif_validator, log)
    many, shared = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert (
        many["message"]["text"] == f"skipped GC301 (52 checks at 26 places; the first 20 places are listed): {reason}"
    )
    assert many["properties"] == {"count": 52, "places": 26, "locationsNotListed": 6}
    assert [place["physicalLocation"]["region"]["startLine"] for place in many["locations"]] == list(range(1, 21))
    assert shared["message"]["text"] == f"skipped GC302 (3 checks at 1 place): {reason}"
    assert shared["properties"] == {"count": 3, "places": 1}
    assert len(shared["locations"]) == 1
    unknown = [Skip("GC301", None, reason)] * 2  # no place known: listed once, without a region
    log = json.loads(render("sarif", [FileResult("a.yaml", SOURCE, [], unknown)], rules=report_rules()))
    _check_sarif(sarif_validator, log)
    [note] = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}}}
    ]
    assert note["properties"] == {"count": 2, "places": 1}


def test_sarif_keeps_a_configured_severity(sarif_validator):
    # GC303 defaults to error; turned into a warning by config the result must say so explicitly.
    d = Diagnostic("GC303", "off tick", "a.yaml", Span(1, 1, 1, 2), severity="warning")
    log = json.loads(render("sarif", [FileResult("a.yaml", "a: 1\n", [d], [])], tool_version="1"))
    _check_sarif(sarif_validator, log)
    assert log["runs"][0]["results"][0]["level"] == "warning"


def test_sarif_without_rule_descriptions_lists_the_reported_codes(sarif_validator):
    log = json.loads(render("sarif", sample_results(), tool_version="1"))  # the caller passed no rules
    _check_sarif(sarif_validator, log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["GC100", "GC303", "GC405"]
    assert rules[0]["help"]["text"] == "GC100 GC100: GC100 (not described by the caller)"


def test_renderers_never_import_the_rules():
    code = (
        "import sys, graphc.report as r;"
        "[r.get_renderer(name) for name in r.RENDERERS];"
        "print([m for m in sys.modules if m.startswith('graphc.rules')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_sarif_uris_are_relative_with_forward_slashes(tmp_path, monkeypatch, sarif_validator):
    monkeypatch.chdir(tmp_path)
    inside = str(tmp_path / "my plays" / "a.yaml")
    outside = str(Path(tmp_path).parent / "elsewhere.yaml")
    results = [
        FileResult(inside, None, [Diagnostic("GC100", "x", inside, Span(1, 1))], []),
        FileResult(outside, None, [Diagnostic("GC100", "y", outside, Span(1, 1))], []),
        FileResult("./sub/../b.yaml", None, [Diagnostic("GC100", "z", "./sub/../b.yaml", Span(2, 3))], []),
        FileResult("<stdin>", None, [Diagnostic("GC100", "w", "<stdin>", None)], []),
    ]
    log = json.loads(render("sarif", results, tool_version="1"))
    _check_sarif(sarif_validator, log)
    uris = {
        r["message"]["text"]: r["locations"][0]["physicalLocation"]["artifactLocation"]
        for r in log["runs"][0]["results"]
    }
    assert uris["x"] == {"uri": "my%20plays/a.yaml", "uriBaseId": "%SRCROOT%"}
    assert uris["y"]["uri"].startswith("file:///") and "uriBaseId" not in uris["y"]
    assert uris["z"] == {"uri": "b.yaml", "uriBaseId": "%SRCROOT%"}
    assert uris["w"] == {"uri": "%3Cstdin%3E", "uriBaseId": "%SRCROOT%"}


def test_sarif_lists_an_unregistered_code_as_a_rule(sarif_validator):
    d = Diagnostic("GC999", "from the future", "a.yaml", Span(1, 1))
    log = json.loads(render("sarif", [FileResult("a.yaml", None, [d], [])], tool_version="1", rules=report_rules()))
    _check_sarif(sarif_validator, log)
    result = log["runs"][0]["results"][0]
    assert log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "GC999"


def test_first_paragraph_skips_headings_and_code():
    text = "# Title\n\n```yaml\na: 1\n```\n\nFirst line\nsecond line.\n\nNext paragraph."
    assert sarif_format.first_paragraph(text) == "First line second line."
    assert sarif_format.first_paragraph("# only a heading\n") is None


# -- github ----------------------------------------------------------------------


def test_github_annotations():
    out = render("github", sample_results(), tool_version="1", rules=report_rules()).splitlines()
    assert out == [
        "::error file=plays/a.yaml,line=4,col=12,endLine=4,endColumn=17,title=GC303 off-tick::"
        "limit price 0.123 is not on the 0.01 tick%0Ahint: use 0.12 or 0.13"
        "%0Anote: plays/a.yaml:3:3: the leg is defined here",  # each related place, as the text format's notes
        "::warning file=plays/a.yaml,line=5,col=10,endLine=5,endColumn=12,title=GC405 hedge-size::"
        "hedge size 5 differs from its parent's 10",
        "::error file=plays/b.yaml,title=GC100 yaml-syntax::YAML syntax error: found a tab",
        "2 errors, 1 warning in 3 files",
    ]


def test_github_summary_counts_skipped_checks_and_explain_skips_lists_them():
    """A skipped check never reads as passed in a CI log either (playbook-spec.md §8: "skipped, never passed:
    the text report's summary line counts skipped checks and names --explain-skips"). The github format's
    summary line is the same line; a lint whose venue checks were all skipped must not end "no problems"."""
    skip = Skip("GC301", Span(4, 12, 4, 17), "no venue pinned (the router picks one); pin a venue")
    results = [FileResult("a.yaml", SOURCE, [], [skip]), FileResult("b.yaml", SOURCE, [], [])]
    assert render("github", results, tool_version="0") == (
        "no problems in 2 files (1 check skipped; --explain-skips lists them)\n"
    )
    two = [FileResult("a.yaml", SOURCE, [], [skip, skip._replace(code="GC302", where=None)])]
    assert render("github", two, tool_version="0", explain_skips=True).splitlines() == [
        "::notice file=a.yaml,line=4,col=12,endLine=4,endColumn=17,title=GC301 skipped::"
        "no venue pinned (the router picks one); pin a venue",
        "::notice file=a.yaml,title=GC302 skipped::no venue pinned (the router picks one); pin a venue",
        "no problems in 1 file (2 checks skipped)",
    ]
    assert render("github", two, summary=False) == ""


def test_github_annotates_ten_of_each_level_then_says_how_many_more():
    """GitHub Actions keeps 10 error, 10 warning and 10 notice annotations per step and drops the rest silently
    (actions/toolkit docs/problem-matchers.md, "Limitations"; audit scale25 8): past ten of a level, a finding is a
    plain log line, and one ``::notice`` (among the first ten notices) says how many were not annotations."""
    errors = [Diagnostic("GC303", f"off tick {i}", "p.yaml", Span(i + 1, 3, i + 1, 5), hint="h") for i in range(13)]
    warnings = [Diagnostic("GC405", f"hedge {i}", "q.yaml", Span(i + 1, 1), severity="warning") for i in range(11)]
    skips = [Skip("GC301", Span(i + 1, 1), "no quote") for i in range(12)]
    results = [FileResult("p.yaml", "", errors, skips), FileResult("q.yaml", "", warnings, [])]
    out = render("github", results, explain_skips=True).splitlines()
    assert sum(line.startswith("::error ") for line in out) == 10
    assert sum(line.startswith("::warning ") for line in out) == 10
    notices = [line for line in out if line.startswith("::notice ")]
    assert len(notices) == 10  # nine skip notices and the one that says what was not annotated
    assert "p.yaml:11:3: error GC303: off tick 10\\nhint: h" in out  # the rest: plain lines, one each
    assert "q.yaml:11:1: warning GC405: hedge 10" in out
    assert "p.yaml:12:1: notice GC301 skipped: no quote" in out
    assert notices[-1] == (
        "::notice title=more findings than annotations::3 more errors, 1 more warning and 3 more notices are not "
        "annotations: GitHub Actions shows at most 10 annotations of each level per step; they are the plain lines "
        "of this log, and graphc lint's text, json or sarif format (--format, --output) gives the full report"
    )
    assert out.index(notices[-1]) == len(out) - 2  # just before the summary line, which counts them all
    assert out[-1] == "13 errors, 11 warnings in 2 files (12 checks skipped)"
    # ten of each level: every one an annotation, and no notice
    ten = [FileResult("p.yaml", "", errors[:10], []), FileResult("q.yaml", "", warnings[:10], [])]
    out = render("github", ten).splitlines()
    assert len(out) == 21 and all(line.startswith("::") for line in out[:-1])


def test_a_plain_github_line_never_starts_a_workflow_command():
    d = Diagnostic("GC303", "x", "::error x.yaml", Span(1, 1))
    out = render("github", [FileResult("::error x.yaml", "", [d] * 11, [])]).splitlines()
    assert out[10] == "./::error x.yaml:1:1: error GC303: x"


def test_github_escaping():
    assert github_format.escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert github_format.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    d = Diagnostic("GC102", "unknown key 'a,b': 50%\nsecond", "dir,1/x:y.yaml", Span(2, 3, 2, 6))
    line = github_format.annotation(d, RULES)
    assert line == (
        "::error file=dir%2C1/x%3Ay.yaml,line=2,col=3,endLine=2,endColumn=6,title=GC102 unknown-key::"
        "unknown key 'a,b': 50%25%0Asecond"
    )


def test_github_multi_line_span_has_no_columns():
    d = Diagnostic("GC201", "cycle a → b → a", "a.yaml", Span(3, 5, 9, 2))
    assert (
        github_format.annotation(d, RULES) == "::error file=a.yaml,line=3,endLine=9,title=GC201 cycle::cycle a → b → a"
    )


# -- junit -----------------------------------------------------------------------


def test_junit_parses_with_one_testcase_per_error_each_with_its_one_failure():
    """Jenkins' JUnit plugin keeps only the first <failure> of a test case (audit reports26 4): as ruff's JUnit
    output, each error is a test case of its own, classname the file, named by its code and place."""
    results = sample_results()
    results[1] = FileResult(
        "plays/a.yaml",
        SOURCE,
        results[1].diagnostics + [Diagnostic("GC301", "notional $0.35 < $1.00 \x01", "plays/a.yaml", Span(5, 5))],
        [],
    )
    root = ET.fromstring(render("junit", results, tool_version="0.1.0").encode())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "graphc"
    suite = suites[0]
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("plays/a.yaml", "GC303 plays/a.yaml:4:12"),
        ("plays/a.yaml", "GC301 plays/a.yaml:5:5"),
        ("plays/b.yaml", next(c.get("name") for c in cases if c.get("classname") == "plays/b.yaml")),
        ("plays/c.yaml", "plays/c.yaml"),  # a clean file: one passing case, named by its path
    ]
    assert cases[2].get("name").startswith(cases[2].find("failure").get("type") + " plays/b.yaml")
    assert suite.get("tests") == "4" and suite.get("failures") == "3" and suite.get("errors") == "0"
    a, a2, b, c = cases
    assert all(len(case.findall("failure")) == 1 for case in (a, a2, b))
    assert [f.get("type") for f in a.findall("failure") + a2.findall("failure")] == ["GC303", "GC301"]
    assert a.find("failure").get("message") == "limit price 0.123 is not on the 0.01 tick"
    assert a.find("failure").text == (
        "plays/a.yaml:4:12: error GC303 limit price 0.123 is not on the 0.01 tick\nhint: use 0.12 or 0.13"
        "\nnote: plays/a.yaml:3:3: the leg is defined here"  # each related place, as the text format's notes
    )
    assert a2.find("failure").get("message").endswith("\\x01")  # a control character made XML-safe (escaped)
    # the file's warnings (and skipped checks): the <system-out> of its first case
    assert a.find("system-out").text == "plays/a.yaml:5:10: warning GC405 hedge size 5 differs from its parent's 10"
    assert a2.find("system-out") is None
    assert c.findall("failure") == [] and c.find("system-out") is None


def test_junit_warnings_do_not_fail():
    d = Diagnostic("GC307", "unknown venue 'foo'", "a.yaml", Span(1, 1), severity="warning")
    root = ET.fromstring(render("junit", [FileResult("a.yaml", None, [d], [])], tool_version="1"))
    suite = root.find("testsuite")
    assert suite.get("failures") == "0" and suite.find("testcase/failure") is None
    assert "GC307" in suite.find("testcase/system-out").text


def test_junit_lists_skipped_checks_so_a_skip_never_reads_as_a_pass():
    """A file whose checks were skipped passes its test case (nothing failed), but the skips are listed in its
    <system-out> (playbook-spec.md §8: a check that cannot run is "skipped, never passed")."""
    skip = Skip("GC301", Span(4, 12), "no venue pinned (the router picks one)\nx")
    warning = Diagnostic("GC307", "unknown venue 'foo'", "a.yaml", Span(1, 1), severity="warning")
    root = ET.fromstring(render("junit", [FileResult("a.yaml", SOURCE, [warning], [skip])], tool_version="1"))
    case = root.find("testsuite/testcase")
    assert case.find("failure") is None and case.find("skipped") is None
    assert case.find("system-out").text == (
        "a.yaml:1:1: warning GC307 unknown venue 'foo'\n"
        "a.yaml:4:12: skipped GC301 no venue pinned (the router picks one)\\nx"
    )
    assert root.find("testsuite").get("skipped") == "0"  # JUnit counts skipped test cases: files, none here


# Jenkins xunit-plugin's JUnit schema (src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/junit-10.xsd
# in jenkinsci/xunit-plugin), which that plugin validates a report against before reading it: for each element
# graphc writes, the attributes it requires, the others it allows, and the elements it allows inside (audit ci19 6:
# `skipped` on <testsuites> is not among them, so every graphc report failed it).
JUNIT_10 = {
    "testsuites": (set(), {"name", "time", "tests", "failures", "errors"}, {"testsuite"}),
    "testsuite": (
        {"name", "tests", "failures", "errors"},
        {"group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"},
        {"testsuite", "properties", "testcase", "system-out", "system-err"},
    ),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, set(), set()),
    "testcase": (
        {"name"},
        {"time", "classname", "group"},
        {"skipped", "error", "failure", "rerunFailure", "rerunError", "flakyFailure", "flakyError"}
        | {"system-out", "system-err"},
    ),
    **{tag: (set(), {"type", "message"}, set()) for tag in ("failure", "error", "skipped")},
    **{tag: (set(), set(), set()) for tag in ("system-out", "system-err")},
}


def _check_junit_10(report: str) -> None:
    root = ET.fromstring(report)
    assert root.tag == "testsuites"
    for element in root.iter():
        required, optional, children = JUNIT_10[element.tag]
        assert required <= set(element.attrib) <= required | optional, (element.tag, element.attrib)
        assert {child.tag for child in element} <= children, (element.tag, [child.tag for child in element])
    for case in root.iter("testcase"):  # Jenkins' JUnit plugin reads one (the first) of these per case (reports26 4)
        assert len([child for child in case if child.tag in ("failure", "error", "skipped")]) <= 1, ET.tostring(case)


def test_junit_is_valid_for_jenkins_xunit_plugins_schema():
    not_read = FileResult("latin1.yaml", None, [], [Skip("GC112", None, f"not UTF-8 text: {NO_CHECK_RAN}")])
    skip = Skip("GC301", Span(4, 12), "no venue pinned")
    reports = [
        render("junit", sample_results(), tool_version="0.1.0"),
        render("junit", [*sample_results(), not_read, FileResult("d.yaml", SOURCE, [], [skip])], tool_version="1"),
        render("junit", sample_results(), unread={"nope.yaml": "not found"}, crashed={"c.yaml": "RuntimeError: x"}),
        render("junit", [], nothing_linted="no *.yaml, *.yml or *.json file in empty"),
        render("junit", [], nothing_linted="no *.yaml, *.yml or *.json file in empty", nothing_allowed=True),
        render("junit", sample_results(), empty={"empty": "no *.yaml, *.yml or *.json file in empty"}),
    ]
    for report in reports:
        _check_junit_10(report)
    root = ET.fromstring(reports[1])  # a file not read: an error (audit ci24 2), counted where JUnit counts them
    assert "skipped" not in root.attrib and root.find("testsuite").get("skipped") == "0"
    assert root.attrib == {"name": "graphc", "tests": "5", "failures": "2", "errors": "1"}
    root = ET.fromstring(reports[4])  # how many test cases were skipped: said on the <testsuite>, where it may be
    assert "skipped" not in root.attrib and root.find("testsuite").get("skipped") == "1"


def test_renderers_do_not_need_the_working_directory_to_hold_the_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in RENDERERS:
        render(name, sample_results(), tool_version="1")
    assert os.listdir(tmp_path) == []


def test_sarif_help_comes_from_the_rule_pages(sarif_validator):
    from graphc import resources

    log = json.loads(render("sarif", [], tool_version="1", rules=report_rules(with_help=True)))
    _check_sarif(sarif_validator, log)
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        page = resources.read_text("rules", f"{rule['id']}.md").strip()
        assert rule["help"] == {"text": page, "markdown": page}


# -- audit graph.md 4: a long source line is cut before it is escaped ----------------------------------------


def _old_window(text, start, width):
    """The window graphc.report.text._window showed before the cut came first: it escaped the whole line, then
    cut ``MAX_FRAME_CHARS`` escaped characters from 30 before the column (or the line's last 120), with ``...``
    for what was left out either side, and a marker at most 60 wide. Written here character by character."""
    from graphc.report import one_line
    from graphc.report.text import MAX_FRAME_CHARS as frame

    pieces = [one_line(ch) for ch in text]  # the escape of a line is its characters' escapes, in order
    escaped = "".join(pieces)
    col = sum(len(p) for p in pieces[:start])
    mark = max(1, sum(len(p) for p in pieces[start : start + width]))
    if len(escaped) <= frame:
        return escaped, col, mark
    left = 0 if col <= 30 else min(col - 30, len(escaped) - frame)
    more = left + frame < len(escaped)
    return (
        ("..." * (left > 0)) + escaped[left : left + frame] + ("..." * more),
        col - left + 3 * (left > 0),
        min(mark, 60),
    )


_LINE_CHARS = st.sampled_from(["a", " ", ",", "\t", "\x1b", "\x00", "\r", "\x85", "\u2028", "\u200b", "é", "\x7f"])


@given(
    st.lists(_LINE_CHARS, max_size=400).map("".join),
    st.integers(0, 400),
    st.integers(1, 400),
    st.sampled_from([0, 1, 29, 30, 31, 89, 90, 91, 119, 120, 121]),
)
def test_window_shows_what_escaping_the_whole_line_showed(text, start, width, pad):
    # the same window, marker column and width as before, for lines with and without escapes, at every edge
    # (the `pad` printable characters in front move the column across the window's 30/90/120 boundaries)
    from graphc.report.text import _window

    text = "x" * pad + text
    start = min(start, len(text))
    width = max(1, min(width, len(text) - start))
    assert _window(text, start, width) == _old_window(text, start, width)


def test_a_long_line_escapes_only_the_window(monkeypatch):
    # The reproduction's shape: 2,000 findings on one 1 MB line (minified wire JSON). Escaping the whole line for
    # each finding made the text report quadratic (audit graph.md 4). Count the characters passed to one_line:
    # each finding may escape a few windows' worth, never the line.
    from graphc.report import text as text_report
    from graphc.report.text import MAX_FRAME_CHARS

    escaped = []
    real = text_report.one_line
    monkeypatch.setattr(text_report, "one_line", lambda s: escaped.append(len(s)) or real(s))
    line = ('{"edge_id": "e0", "trigger": "on_fill"}, ' * 25_000)[:1_000_000]
    findings = [
        Diagnostic("GC204", "orphan", "w.json", Span(1, col, 1, col + 7)) for col in range(1, 1_000_000, 500)
    ] + [Diagnostic("GC204", "to the end", "w.json", Span(1, 999_000, 2, 1))]  # a multi-line span
    out = render("text", [FileResult("w.json", line + "\n", findings, [])], tool_version="0")
    assert out.count("^") == len(findings)
    assert max(escaped) <= MAX_FRAME_CHARS
    assert sum(escaped) <= len(findings) * 6 * MAX_FRAME_CHARS  # with the short message, hint and location


# -- a file whose lint hit a bug in graphc (audit ci.md #5) ---------------------------------------


@pytest.fixture
def one_crash(tmp_path, monkeypatch):
    """plays/a.yaml (clean) and plays/c.yaml, whose lint raises as a bug in graphc would (the fault is
    injected the way the audit did: graphc.commands.lint.lint_path wrapped); run from tmp_path."""
    from click.testing import CliRunner

    import graphc.commands.lint as lint_command
    from graphc.cli import cli

    text = (ROOT / "examples" / "eth-hedge.yaml").read_text()
    for name in ("a.yaml", "c.yaml"):
        (tmp_path / "plays").mkdir(exist_ok=True)
        (tmp_path / "plays" / name).write_text(text)
    real = lint_command.lint_path

    def lint_path(path, *args, **kwargs):
        if path.endswith("c.yaml"):
            raise RuntimeError("simulated bug")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(lint_command, "lint_path", lint_path)
    monkeypatch.chdir(tmp_path)

    def run(fmt):
        result = CliRunner().invoke(cli, ["lint", "--no-cache", "-j", "1", "plays", "-f", fmt, "-o", f"r.{fmt}"])
        assert result.exit_code == 4, result.output  # an internal error, whatever the format
        assert "internal error while linting plays/c.yaml: RuntimeError: simulated bug" in result.stderr
        return (tmp_path / f"r.{fmt}").read_text()

    return run


CRASH_NOTE = "plays/c.yaml not linted: internal error (RuntimeError: simulated bug)"


def test_a_crashed_file_is_named_by_the_text_and_github_summary(one_crash):
    # before: "no problems in 1 file (...)", the crashed file nowhere in the report
    [summary] = [line for line in one_crash("text").splitlines() if line.startswith("no problems")]
    assert summary.startswith("no problems in 1 file (") and summary.endswith(f"; {CRASH_NOTE}")
    github = one_crash("github").splitlines()
    assert github[-1].endswith(f"; {CRASH_NOTE}")
    assert (
        "::error file=plays/c.yaml,title=internal error::not linted: internal error in graphc "
        "(RuntimeError: simulated bug); please report it"
    ) in github


def test_a_crashed_file_is_in_the_json_report(one_crash, json_validator):
    report = json.loads(one_crash("json"))
    json_validator.validate(report)
    assert report["internal_errors"] == [{"path": "plays/c.yaml", "error": "RuntimeError: simulated bug"}]
    assert [f["path"] for f in report["files"]] == ["plays/a.yaml"] and report["summary"]["files"] == 1


def test_a_crashed_file_makes_the_sarif_run_unsuccessful(one_crash, sarif_validator):
    log = json.loads(one_crash("sarif"))
    _check_sarif(sarif_validator, log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False  # before: true, so code scanning closed c.yaml's alerts
    errors = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
    assert errors == [
        {
            "level": "error",
            "message": {"text": "plays/c.yaml not linted: internal error in graphc (RuntimeError: simulated bug)"},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": "plays/c.yaml", "uriBaseId": "%SRCROOT%"}}}
            ],
        }
    ]


def test_a_crashed_file_is_a_junit_error(one_crash):
    root = ET.fromstring(one_crash("junit"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "1")  # before: 1, 0, 0
    [case] = [c for c in root.iter("testcase") if c.get("name") == "plays/c.yaml"]
    [error] = list(case)
    assert error.tag == "error" and error.get("type") == "internal-error"
    assert error.get("message") == "internal error in graphc: RuntimeError: simulated bug"


def test_a_run_whose_only_file_crashed_says_nothing_was_linted(one_crash, tmp_path):
    (tmp_path / "plays" / "a.yaml").unlink()
    text = one_crash("text")
    # before: "nothing linted: no playbook, wire graph or simple order in plays" (c.yaml is one)
    assert text == f"nothing linted; {CRASH_NOTE}\n"


@pytest.mark.parametrize(
    ("before", "cells"),
    [
        ('x: "日本語🚀", y: ', 18),  # x: " (4) + four wide characters (8) + ", y:  (6)
        ('x: "e\u0301e\u0301", y: ', 12),  # each e + a combining acute accent is one cell: 4 + 2 + 6
        ('x: "abcd", y: ', 14),
    ],
)
def test_the_marker_counts_terminal_cells_not_characters(before, cells):
    """Formats audit 9: after CJK text or emoji (two cells each) the `^` sat left of the token it marks."""
    line = before + "97000.125"
    col = len(before) + 1
    d = Diagnostic("GC303", "off tick", "w.yaml", Span(1, col, 1, col + 9))
    out = render("text", [FileResult("w.yaml", line + "\n", [d], [])], tool_version="0").splitlines()
    source, marker = out[2], out[3]
    assert source == "1 | " + line
    assert marker == "  | " + " " * cells + "^" + "~" * 8


def test_junit_lists_every_case_in_path_order():
    """Files not read, files whose lint crashed and paths that gave nothing to lint come among the linted files, in
    path order, as every format lists files (audit reports26 5)."""
    results = [FileResult("m.yaml", SOURCE, [], []), FileResult("plays/c.yaml", SOURCE, [], [])]
    report = render(
        "junit",
        results,
        unread={"z.yaml": "not found", "a.yaml": "not found"},
        crashed={"n.yaml": "RuntimeError: x"},
        empty={"empty": "no *.yaml, *.yml or *.json file in empty"},
    )
    names = [case.get("name") for case in ET.fromstring(report).iter("testcase")]
    assert names == ["a.yaml", "empty", "m.yaml", "n.yaml", "plays/c.yaml", "z.yaml"]
    _check_junit_10(report)
