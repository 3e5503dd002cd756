"""Suppression comments: # graphc: ignore[...] and # graphc: ignore-file[...]."""

from __future__ import annotations

import re

import pytest

from graphc.diagnostics import Diagnostic, Span
from graphc.suppress import comment_start, filter_suppressed, parse_suppressions


def diag(code, line, path="a.yaml"):
    return Diagnostic(code, "m", path, Span(line, 1) if line else None)


def kept(source, *diagnostics, **kwargs):
    return [(d.code, d.span.line if d.span else None) for d in filter_suppressed(list(diagnostics), source, **kwargs)]


def test_ignore_one_code_on_the_line():
    source = "a: 1\nb: 2  # graphc: ignore[GC405]\nc: 3\n"
    assert kept(source, diag("GC405", 2), diag("GC303", 2), diag("GC405", 3)) == [("GC303", 2), ("GC405", 3)]


def test_ignore_several_codes_and_names():
    source = "b: 2  # graphc: ignore[GC405, gc303 off-lot]\n"
    assert kept(source, diag("GC405", 1), diag("GC303", 1), diag("GC305", 1), diag("GC406", 1)) == [("GC406", 1)]


def test_bare_ignore_suppresses_every_code_on_the_line():
    source = "a: 1\nb: 2 # graphc: ignore\n"
    assert kept(source, diag("GC405", 2), diag("GC100", 2), diag("GC405", 1)) == [("GC405", 1)]


def test_ignore_file_anywhere():
    source = "a: 1\nb: 2\n# graphc: ignore-file[GC307]\n"
    assert kept(source, diag("GC307", 1), diag("GC307", None), diag("GC405", 2)) == [("GC405", 2)]


def test_bare_ignore_file_suppresses_nothing_and_is_a_problem():
    """Spec §8 gives `ignore-file` with codes only; the bare form once silenced every finding of the file."""
    assert kept("#graphc: ignore-file\na: 1\n", diag("GC405", 2), diag("GC100", None)) == [
        ("GC405", 2),
        ("GC100", None),
    ]
    [problem] = parse_suppressions("#graphc: ignore-file\na: 1\n", "a.yaml").problems
    assert (problem.code, problem.path, str(problem.span)) == ("GC103", "a.yaml", "1:1")


def test_empty_brackets_suppress_nothing():
    assert kept("a: 1 # graphc: ignore[]\n", diag("GC405", 1)) == [("GC405", 1)]


def test_a_diagnostic_without_a_line_is_only_suppressed_file_wide():
    assert kept("a: 1 # graphc: ignore\n", diag("GC100", None)) == [("GC100", None)]


@pytest.mark.parametrize(
    "line",
    [
        "a: 'text # graphc: ignore'",  # inside a single-quoted scalar
        'a: "text # graphc: ignore"',  # inside a double-quoted scalar
        'a: "say \\" # graphc: ignore"',  # escaped quote does not end the string
        "a: 'it''s # graphc: ignore'",  # '' escape in single quotes
        "a: x#graphc: ignore",  # '#' not preceded by whitespace is part of the scalar
        "a: 1 # graphc: ignored",  # not the directive
        "a: 1 # graphc: ignore-lines[GC405]",  # not the directive
    ],
)
def test_not_a_directive(line):
    assert kept(line + "\n", diag("GC405", 1)) == [("GC405", 1)]


@pytest.mark.parametrize(
    "line",
    [
        "a: it's fine # graphc: ignore[GC405]",  # an apostrophe in a plain scalar is not a quote
        "a: 'x' # graphc: ignore[GC405]",
        "- ['a', \"b\"] # graphc: ignore[GC405]",
        "a: 1 # note # graphc: ignore[GC405]",  # later in the same comment
        "a: 1\t# GRAPHC: IGNORE[gc405]",
        "# graphc: ignore[GC405]",
    ],
)
def test_directive(line):
    assert kept(line + "\n", diag("GC405", 1)) == []


def test_block_scalar_content_is_not_a_comment():
    source = "note: |\n  # graphc: ignore-file\n  more text\nprice: 1 # graphc: ignore[GC303]\n"
    assert kept(source, diag("GC405", 2), diag("GC303", 4)) == [("GC405", 2)]
    found = parse_suppressions(source)
    assert found.file == frozenset() and set(found.lines) == {4}


def test_json_has_no_comments():
    source = '{"a": 1, "b": "x # graphc: ignore-file"}\n'
    assert kept(source, diag("GC405", 1, "w.json"), path="w.json") == [("GC405", 1)]


def test_path_limits_the_filter_to_that_file():
    source = "# graphc: ignore-file[GC405, GC102]\n"
    out = kept(source, diag("GC405", 1, "a.yaml"), diag("GC102", 1, "graphc.toml"), path="a.yaml")
    assert out == [("GC102", 1)]


def test_crlf_line_numbers():
    source = "a: 1\r\nb: 2 # graphc: ignore[GC405]\r\n"
    assert kept(source, diag("GC405", 2), diag("GC405", 1)) == [("GC405", 1)]


def test_no_source_or_no_directive_is_a_no_op():
    diagnostics = [diag("GC405", 1)]
    assert filter_suppressed(diagnostics, None) == diagnostics
    assert filter_suppressed(diagnostics, "a: 1\n") == diagnostics


@pytest.mark.parametrize(
    "line, index",
    [("# c", 0), ("a: b # c", 5), ("a: b# c", None), ("a: '#' # c", 7), ('k: "a\\"#" #c', 10), ("a: b", None)],
)
def test_comment_start(line, index):
    assert comment_start(line) == index


# -- audit ci19 #1: a directive that names codes without brackets suppressed every code ---------------------
#
# Spec §8: "Suppression: `# graphc: ignore[GC405]` on the line, `# graphc: ignore-file[GC405]` anywhere".
# docs/output-formats.md adds a bare `# graphc: ignore` (every code on its line). `ignore GC406 -- note`,
# `ignore: GC405` and the like were read as that bare form, hiding a GC303 error and a GC501 risk breach (lint
# exit 0, plan ready). Only the documented forms suppress; a directive written otherwise suppresses nothing and
# is itself GC103 at its `#`, with the form it should have as the hint.

LINE = """\
graphc: 1
name: line
risk:
  max_notional: $1k
legs:
  entry:
    buy: 10 contracts
    symbol: KXFEDDECISION-26DEC-C25
    limit: 0.405  # graphc: ignore GC406 -- the desk accepts a far limit here
  big:
    buy: 1 BTC  # graphc: ignore: GC405
    symbol: BTC-USD
    limit: 97250.00
"""

RISK = """\
{directive}
graphc: 1
name: risk
risk:
  max_notional: $1k
legs:
  entry:
    buy: 10 contracts
    symbol: KXFEDDECISION-26DEC-C25
    limit: 0.405
  big:
    buy: 1 BTC
    symbol: BTC-USD
    venue: coinbse
    limit: 97250.00
"""


def run(*args):
    from click.testing import CliRunner

    from graphc.cli import cli

    return CliRunner().invoke(cli, [*map(str, args)])


def headlines(output: str) -> list[str]:
    """``LINE:COL: severity CODE message`` of each finding (the path left out)."""
    return [
        re.sub(r"^.*?\.(?:yaml|json):(?=\d)", "", line)
        for line in output.splitlines()
        if ": error " in line or ": warning " in line
    ]


def test_codes_without_brackets_on_a_line_suppress_nothing_and_are_reported(tmp_path):
    path = tmp_path / "line.yaml"
    path.write_text(LINE)
    result = run("lint", path)
    assert result.exit_code == 1, result.output
    assert headlines(result.output) == [
        "9:12: error GC303 price 0.405 is not on kalshi's 0.01 tick",
        "9:19: error GC103 suppression comment `# graphc: ignore GC406 -- the desk accepts a far limit here` does "
        "not name its codes in brackets, so it suppresses nothing",
        "11:10: error GC501 order 'big' is $97,250 notional, above risk.max_notional $1,000: the router refuses the "
        "graph at admission",
        "11:17: error GC103 suppression comment `# graphc: ignore: GC405` does not name its codes in brackets, so it "
        "suppresses nothing",
    ]
    assert "hint: write `# graphc: ignore[GC406]` (a note may follow the brackets)" in result.output
    assert "hint: write `# graphc: ignore[GC405]` (a note may follow the brackets)" in result.output


def test_plan_is_not_ready_with_codes_written_without_brackets(tmp_path):
    path = tmp_path / "line.yaml"
    path.write_text(LINE)
    result = run("plan", path)
    assert result.exit_code == 1, result.output
    assert "not ready to submit: lint found errors" in result.output
    assert "GC303" in result.output and "GC501" in result.output


@pytest.mark.parametrize(
    "directive",
    [
        "# graphc: ignore-file GC307",
        "# graphc: ignore-file: GC307",
        "# graphc: ignore-file (GC307)",
        "# graphc: ignore-file=GC307",
        "# graphc: ignore-file{GC307}",
    ],
)
def test_codes_without_brackets_for_the_file_suppress_nothing_and_are_reported(tmp_path, directive):
    path = tmp_path / "risk.yaml"
    path.write_text(RISK.format(directive=directive))
    result = run("lint", path)
    assert result.exit_code == 1, result.output
    shown = headlines(result.output)
    assert [line.split(" ")[2] for line in shown] == ["GC103", "GC303", "GC501", "GC307"], result.output
    assert shown[0] == (
        f"1:1: error GC103 suppression comment `{directive}` does not name its codes in brackets, so it suppresses "
        "nothing"
    )
    assert "hint: write `# graphc: ignore-file[GC307]` (a note may follow the brackets)" in result.output


def test_a_bare_ignore_file_is_not_a_documented_form_and_suppresses_nothing(tmp_path):
    """Spec §8 and the docs give `ignore-file` with codes only; the bare form hid every finding of the file."""
    path = tmp_path / "risk.yaml"
    path.write_text(RISK.format(directive="# graphc: ignore-file"))
    result = run("lint", path)
    assert result.exit_code == 1, result.output
    shown = headlines(result.output)
    assert [line.split(" ")[2] for line in shown] == ["GC103", "GC303", "GC501", "GC307"], result.output
    assert (
        shown[0]
        == "1:1: error GC103 suppression comment `# graphc: ignore-file` names no code, so it suppresses nothing"
    )
    assert "hint: name the codes it is for, `# graphc: ignore-file[GC307]`" in result.output


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# graphc: ignore -- far on purpose", "does not name its codes in brackets"),
        ("# graphc: ignore(GC303)", "does not name its codes in brackets"),
        ("# graphc: ignore[GC303", "has no closing `]`"),
        ("# graphc: ignore[]", "names no code"),
        ("# graphc: ignore[ , ]", "names no code"),
    ],
)
def test_other_malformed_line_directives(tmp_path, comment, message):
    text = LINE.replace("# graphc: ignore GC406 -- the desk accepts a far limit here", comment)
    path = tmp_path / "line.yaml"
    path.write_text(text)
    shown = headlines(run("lint", path).output)
    assert f"9:19: error GC103 suppression comment `{comment}` {message}, so it suppresses nothing" in shown
    assert any(" GC303 " in line for line in shown)


@pytest.mark.parametrize(
    "comment",
    [
        "# graphc: ignore[GC303]",
        "# graphc: ignore[GC303] -- the desk accepts this",
        "# graphc: ignore [GC303]  (desk note)",
        "# graphc: ignore[off-tick]",
        "# why # graphc: ignore",
        "# graphc: ignore",
        "#graphc:ignore[gc303,]",
    ],
)
def test_documented_forms_still_suppress(tmp_path, comment):
    text = LINE.replace("# graphc: ignore GC406 -- the desk accepts a far limit here", comment)
    path = tmp_path / "line.yaml"
    path.write_text(text)
    shown = headlines(run("lint", path).output)
    assert not any(line.startswith("9:") for line in shown), shown


def test_ignore_file_with_brackets_still_suppresses(tmp_path):
    path = tmp_path / "risk.yaml"
    path.write_text(RISK.format(directive="# graphc: ignore-file[GC307]  -- venue added next week"))
    shown = headlines(run("lint", path).output)
    assert [line.split(" ")[2] for line in shown] == ["GC303", "GC501"], shown


def test_the_bracket_form_names_only_its_codes():
    source = "a: 1  # graphc: ignore [GC405]\n"
    assert kept(source, diag("GC405", 1), diag("GC303", 1)) == [("GC303", 1)]
