"""Suppression comments: # graphc: ignore[...] and # graphc: ignore-file[...]."""

from __future__ import annotations

import json
import re

import pytest

from graphc.diagnostics import Diagnostic, Span
from graphc.suppress import filter_suppressed, parse_suppressions
from graphc.yaml_comments import comment_columns, comment_start
from tests.conftest import REPO


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


# -- audit ci19 #4: unknown codes, typos, prefixes and misspelled directives were accepted silently ---------
#
# In graphc.toml the same mistakes are GC102 with a did-you-mean (`[rules] GC999`, `far-from-mdi`); in a
# suppression comment they are GC102 at the code (or the directive), and the comment suppresses nothing of it.

GC405_FAIL = """\
graphc: 1
name: gc405
legs:
  entry:
    buy: 2 ETH
    symbol: ETH-USD
  hedge:
    sell: 1 ETH  {comment}
    symbol: ETH-USD-PERP
    after: entry filled
"""


@pytest.mark.parametrize(
    ("comment", "expected", "hint"),
    [
        (
            "# graphc: ignore[GC999]",
            "8:35: error GC102 unknown rule code 'GC999' in a suppression comment",
            "hint: there is no such rule code, so the comment suppresses nothing for it; `graphc rules` lists them",
        ),
        (
            "# graphc: ignore[GC4O5]",
            "8:35: error GC102 unknown rule code 'GC4O5' in a suppression comment (did you mean 'GC405'?)",
            "hint: the comment suppresses nothing for it; `graphc rules` lists the codes and names",
        ),
        (
            "# graphc: ignore[hedge-sise]",
            "8:35: error GC102 unknown rule code 'hedge-sise' in a suppression comment (did you mean 'hedge-size'?)",
            "hint: the comment suppresses nothing for it; `graphc rules` lists the codes and names",
        ),
        (
            "# graphc: ignore[GC3]",
            "8:35: error GC102 'GC3' in a suppression comment is a code prefix, not a rule code",
            "hint: a suppression names each code (prefixes are for --select and --ignore): GC301, GC302, GC303, "
            "GC304, GC305, GC306, GC307, GC308, GC309",
        ),
        (
            "# graphc: ignores[GC405]",
            "8:18: error GC102 unknown suppression directive `graphc: ignores` (did you mean 'ignore'?), so the "
            "comment suppresses nothing",
            "hint: write `# graphc: ignore[GC405]` (this line) or `# graphc: ignore-file[GC405]` (the whole file)",
        ),
        (
            "# graphc: ignore_file[GC405]",
            "8:18: error GC102 unknown suppression directive `graphc: ignore_file` (did you mean 'ignore-file'?), so "
            "the comment suppresses nothing",
            "hint: write `# graphc: ignore[GC405]` (this line) or `# graphc: ignore-file[GC405]` (the whole file)",
        ),
    ],
)
def test_unknown_codes_and_directives_are_reported_and_suppress_nothing(tmp_path, comment, expected, hint):
    path = tmp_path / "w.yaml"
    path.write_text(GC405_FAIL.format(comment=comment))
    result = run("lint", path)
    assert result.exit_code == 1, result.output
    shown = headlines(result.output)
    assert shown == [
        "8:11: warning GC405 hedge 'hedge' sells 1 ETH-USD-PERP but its parent 'entry' buys 2 ETH-USD (edge e0, on_full_fill)",
        expected,
    ], result.output
    assert hint in result.output


def test_a_known_code_beside_an_unknown_one_still_suppresses(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(GC405_FAIL.format(comment="# graphc: ignore[GC405, GC4O6]"))
    shown = headlines(run("lint", path).output)
    assert shown == ["8:42: error GC102 unknown rule code 'GC4O6' in a suppression comment (did you mean 'GC406'?)"]


def test_a_suppression_problem_is_reported_in_a_file_with_no_other_finding(tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text(GC405_FAIL.format(comment="# graphc: ignore[GC4O5]").replace("sell: 1 ETH", "sell: 2 ETH"))
    result = run("lint", path)
    assert result.exit_code == 1, result.output
    assert headlines(result.output) == [
        "8:35: error GC102 unknown rule code 'GC4O5' in a suppression comment (did you mean 'GC405'?)"
    ]


def test_a_suppression_problem_follows_the_config_like_any_finding(tmp_path):
    (tmp_path / "graphc.toml").write_text('[rules]\nGC102 = "warning"\n')
    path = tmp_path / "w.yaml"
    path.write_text(GC405_FAIL.format(comment="# graphc: ignore[GC4O5]"))
    result = run("lint", path)
    assert result.exit_code == 0, result.output
    assert "warning GC102 unknown rule code 'GC4O5'" in result.output


def test_comments_that_only_mention_graphc_are_not_directives(tmp_path):
    text = GC405_FAIL.format(comment="# graphc: see docs/playbooks.md").replace(
        "graphc: 1\n", "graphc: 1  # graphc: 1 is the playbook version\n"
    )
    path = tmp_path / "w.yaml"
    path.write_text(text)
    assert headlines(run("lint", path).output) == [
        "8:11: warning GC405 hedge 'hedge' sells 1 ETH-USD-PERP but its parent 'entry' buys 2 ETH-USD (edge e0, on_full_fill)"
    ]


def test_json_has_no_suppression_comments_to_report(tmp_path):
    path = tmp_path / "w.json"
    wire = (REPO / "tests" / "fixtures" / "rules" / "GC111.pass.json").read_text()
    path.write_text(wire.replace('"spot"', '"spot # graphc: ignore GC405"', 1))
    output = run("lint", path).output
    assert (
        "GC202" in output and "suppression comment" not in output
    )  # (the edge names the id as it was: no comment read)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("a: 1 # graphc: ignored", "unknown suppression directive `graphc: ignored` (did you mean 'ignore'?)"),
        ("a: 1 # graphc: ignroe[GC405]", "unknown suppression directive `graphc: ignroe` (did you mean 'ignore'?)"),
        (
            "a: 1 # graphc: ignore-lines[GC405]",
            "unknown suppression directive `graphc: ignore-lines` (did you mean 'ignore-file'?)",
        ),
        ("a: 1 # GRAPHC: IGNOREFILE[GC405]", "unknown suppression directive `graphc: IGNOREFILE`"),
    ],
)
def test_a_misspelt_directive_is_a_problem_at_its_hash(line, message):
    [problem] = parse_suppressions(line + "\n", "a.yaml").problems
    assert (problem.code, str(problem.span)) == ("GC102", "1:6")
    assert problem.message.startswith(message)


@pytest.mark.parametrize("line", ["a: 1 # graphc: see docs/playbooks.md", "# graphc: 1", "a: 1 # graphc: todo"])
def test_other_words_after_graphc_are_no_directive_and_no_problem(line):
    assert parse_suppressions(line + "\n", "a.yaml").problems == []


def test_problems_are_reported_one_by_one_up_to_a_bound_and_the_rest_counted():
    """robustness: a file of a hundred thousand misspelt directives made a million diagnostics (two gigabytes)."""
    from graphc.suppress import MAX_PROBLEMS

    source = "a: 1\n" + "# graphc: ignore[GC4O5 hedge-sise]\n" * 1000
    problems = parse_suppressions(source, "a.yaml").problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert [p.code for p in problems] == ["GC102"] * (MAX_PROBLEMS + 1)
    assert str(problems[-1].span) == f"{MAX_PROBLEMS // 2 + 2}:18"  # two per line: the 21st is line 12's first
    assert problems[-1].message.startswith("1,980 more problems with suppression comments from here on")


# -- audit fmt22 #3: only a real YAML comment suppresses; text inside any scalar never does ---------------------
#
# lint read a `# graphc: ignore-file[GC501]` line inside a block scalar whose header carries an anchor or a tag
# (`description: &d |`, `!!str |`), or on a continuation line of a quoted scalar, as a directive: a $232,553
# order above its $10k risk.max_notional linted clean (exit 0). fmt, which takes comments from the YAML scanner,
# then joined the quoted scalar onto one line and the verdict flipped. The scanner now decides for both.

OVER_THE_LIMIT = """\
graphc: 1
name: {name}
description: {description}
risk:
  max_notional: $10k
legs:
  a:
    symbol: ETH-USD
    buy: 100 ETH
"""

INSIDE_A_SCALAR = {
    "s1-anchored-literal": "&d |\n  Deliberately over the limit.\n  # graphc: ignore-file[GC501]",
    "s7-tagged-literal": "!!str |\n  Over the limit on purpose.\n  # graphc: ignore-file[GC501]",
    "indentation-indicator": "|2-\n    Over the limit on purpose.\n  # graphc: ignore-file[GC501]",
    "anchored-tagged-folded": "&d !!str >+\n  Over the limit on purpose.\n  # graphc: ignore-file[GC501]\n",
    "s6-double-quoted": '"Over the limit on purpose,\n  # graphc: ignore-file[GC501]\n  approved by risk"',
    "single-quoted": "'Over the limit on purpose,\n  # graphc: ignore-file[GC501]\n  approved by risk'",
    "tagged-quoted": '!!str "over # graphc: ignore-file[GC501]"',
    "anchored-quoted": "&d 'over # graphc: ignore-file[GC501]'",
}


def lint_over_the_limit(tmp_path, name, description):
    path = tmp_path / f"{name}.yaml"
    path.write_text(OVER_THE_LIMIT.format(name=name, description=description))
    return path, run("lint", "--no-cache", "--quotes", REPO / "examples" / "quotes.yaml", path)


@pytest.mark.parametrize("description", list(INSIDE_A_SCALAR.values()), ids=list(INSIDE_A_SCALAR))
def test_a_directive_inside_a_scalar_suppresses_nothing(tmp_path, description):
    path, result = lint_over_the_limit(tmp_path, "s", description)
    assert result.exit_code == 1, result.output
    assert "error GC501 order 'a' is $232,553 notional, above risk.max_notional $10,000" in result.output
    assert parse_suppressions(path.read_text()).file == frozenset()


def test_fmt_no_longer_changes_the_verdict_of_a_directive_in_a_quoted_scalar(tmp_path):
    """s6: fmt joins the quoted scalar onto one line; lint reports GC501 before and after."""
    path, before = lint_over_the_limit(tmp_path, "s6", INSIDE_A_SCALAR["s6-double-quoted"])
    assert run("fmt", path).exit_code == 0
    assert 'description: "Over the limit on purpose, # graphc: ignore-file[GC501] approved by risk"' in (
        path.read_text()
    )
    after = run("lint", "--no-cache", "--quotes", REPO / "examples" / "quotes.yaml", path)
    assert (before.exit_code, after.exit_code) == (1, 1)
    assert [line.split(" ", 1)[1] for line in headlines(before.output)] == [
        line.split(" ", 1)[1] for line in headlines(after.output)
    ]


# Each place docs/output-formats.md (and the rule pages) put a directive: at the end of a value's line, on a
# key's line, a note after the brackets or before a bare `ignore`, `ignore-file` on a line of its own anywhere,
# indented or not; and after a block scalar's header, after a quoted scalar, after a flow collection.
REAL_COMMENTS = {
    "end-of-value-line": ("    buy: 100 ETH", "    buy: 100 ETH  # graphc: ignore[GC501] -- approved by risk"),
    "key-line": ("  a:\n", "  a:  # graphc: ignore-file[GC501]\n"),
    "note-before-bare": ("    buy: 100 ETH", "    buy: 100 ETH  # approved by risk # graphc: ignore"),
    "file-first-line": ("graphc: 1\n", "# graphc: ignore-file[GC501]\ngraphc: 1\n"),
    "file-last-line": ("    buy: 100 ETH\n", "    buy: 100 ETH\n# graphc: ignore-file[GC501]\n"),
    "file-indented-between-keys": ("  a:\n", "  # graphc: ignore-file[max-notional]\n  a:\n"),
    "file-after-a-block-scalar": ("risk:\n", "# graphc: ignore-file[GC501]\nrisk:\n"),
    "file-on-a-block-scalar-header": ("description: |\n", "description: |  # graphc: ignore-file[GC501]\n"),
    "file-after-a-quoted-scalar": ("name: s\n", "name: 's'  # graphc: ignore-file[GC501]\n"),
    "file-after-a-tag-and-quote": ("name: s\n", 'name: !!str "s"  # graphc: ignore-file[GC501]\n'),
    "flow-collection": (
        "  a:\n    symbol: ETH-USD\n    buy: 100 ETH",
        "  a: {symbol: ETH-USD, buy: 100 ETH}  # graphc: ignore",
    ),
}


@pytest.mark.parametrize(("old", "new"), list(REAL_COMMENTS.values()), ids=list(REAL_COMMENTS))
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_a_directive_in_a_real_comment_still_suppresses(tmp_path, old, new, end):
    text = OVER_THE_LIMIT.format(name="s", description="|\n  Over the limit.\n  # just text").replace(old, new, 1)
    assert new in text
    path = tmp_path / "s.yaml"
    path.write_bytes(("\ufeff" if end == "\r" else "").encode() + text.replace("\n", end).encode())
    result = run("lint", "--no-cache", "--quotes", REPO / "examples" / "quotes.yaml", path)
    assert result.exit_code == 0, result.output
    assert "GC501" not in result.output


def test_a_directive_after_a_multi_line_scalar_ends_is_a_comment():
    text = 'a: "one\n  two"  # graphc: ignore[GC405]\nb: |\n  x\n# graphc: ignore-file[GC303]\n'
    found = parse_suppressions(text)
    assert found.lines == {2: frozenset({"GC405"})} and found.file == frozenset({"GC303"})


def test_a_file_the_scanner_cannot_read_to_its_end_still_has_its_directives_read():
    """From the line where YAML stops (`@` starts no token: GC100) the line heuristic reads the lines, as it did
    for every line before."""
    text = (
        "a: 'x # graphc: ignore[GC405]'\nb: @x  # graphc: ignore[GC100]\nc: |\n  # graphc: ignore[GC303]\n"
        "# graphc: ignore-file[GC303]\n"
    )
    found = parse_suppressions(text)
    assert found.lines == {2: frozenset({"GC100"})} and found.file == frozenset({"GC303"})


def test_comment_columns_come_from_the_scanner():
    text = "\ufeffa: '#x' # c\nb: |2-  # h\n    # in\nc: \"q\n # in\n  \" # out\nd: &x !!str 'e # f'\n"
    assert comment_columns(text) == {0: 9, 1: 8, 5: 4}
    assert comment_columns(text, [1, 2]) == {1: 8}


# -- directives in `use:` templates (audit rules23 2) ----------------------------------------------------------------
#
# A finding located in a template is reported at its line there. `parse_suppressions` read only the linted file, so
# the template's own `# graphc: ignore[GC303]` counted when the template was linted alone and not when a playbook
# used it: the playbook failed at that very line, its snippet showing the directive.

TEMPLATE = """\
graphc-template: 1
legs:
  entry:
    buy: 10 contracts
    symbol: KXFEDDECISION-26DEC-C25
    limit: 0.405{directive}
"""

PLAYBOOK = "graphc: 1\nname: {name}\nlegs:\n  k:\n    use: ./t/k.yaml\n"


def _template_project(tmp_path, directive="  # graphc: ignore[GC303]"):
    (tmp_path / "graphc.toml").write_text("")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "k.yaml").write_text(TEMPLATE.format(directive=directive))
    path = tmp_path / "p.yaml"
    path.write_text(PLAYBOOK.format(name="tpl-sup"))
    return path


def test_a_directive_in_a_template_suppresses_its_finding_in_the_playbook_that_uses_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path)
    assert run("lint", "--no-cache", "t/k.yaml").exit_code == 0
    result = run("lint", "--no-cache", "p.yaml")
    assert result.exit_code == 0, result.output
    assert "no problems in 1 file" in result.output


def test_without_the_directive_the_template_finding_is_reported_in_the_playbook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path, directive="")
    result = run("lint", "--no-cache", "p.yaml")
    assert result.exit_code == 1, result.output
    assert "t/k.yaml:6:12: error GC303 price 0.405 is not on kalshi's 0.01 tick" in result.output


def test_a_template_ignore_file_covers_the_findings_in_that_template(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path, directive="")
    template = tmp_path / "t" / "k.yaml"
    template.write_text("# graphc: ignore-file[GC303] -- this desk's grid\n" + template.read_text())
    assert run("lint", "--no-cache", "p.yaml").exit_code == 0


def test_the_playbooks_directives_do_not_reach_a_finding_located_in_the_template(tmp_path, monkeypatch):
    """The playbook's comments cover the findings located in the playbook; a template's, those in the template."""
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path, directive="")
    (tmp_path / "p.yaml").write_text(
        "graphc: 1\nname: tpl-sup2\n# graphc: ignore-file[GC303]\nlegs:\n  k:\n    use: ./t/k.yaml  # graphc: ignore\n"
    )
    result = run("lint", "--no-cache", "p.yaml")
    assert result.exit_code == 1, result.output
    assert "t/k.yaml:6:12: error GC303" in result.output


def test_a_directive_in_a_template_used_through_another_template_counts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path)
    (tmp_path / "t" / "outer.yaml").write_text("graphc-template: 1\nlegs:\n  o:\n    use: ./k.yaml\n")
    (tmp_path / "p.yaml").write_text("graphc: 1\nname: nested\nlegs:\n  n:\n    use: ./t/outer.yaml\n")
    result = run("lint", "--no-cache", "p.yaml")
    assert result.exit_code == 0, result.output
    (tmp_path / "t" / "k.yaml").write_text(TEMPLATE.format(directive=""))
    assert "t/k.yaml:6:12: error GC303" in run("lint", "--no-cache", "p.yaml").output


def test_a_template_directive_keeps_the_line_it_is_on(tmp_path, monkeypatch):
    """A directive covers the findings starting on its own line of the template, as in a playbook."""
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path, directive="")
    template = tmp_path / "t" / "k.yaml"
    template.write_text(template.read_text().replace("buy: 10 contracts", "buy: 10 contracts  # graphc: ignore"))
    assert "t/k.yaml:6:12: error GC303" in run("lint", "--no-cache", "p.yaml").output


def test_the_pre_commit_hook_passes_a_template_whose_directive_its_playbooks_honour(tmp_path, monkeypatch):
    """`graphc lint --ignore-unknown --dependants FILE` (the pre-commit hook's command) lints the template and
    every playbook that uses it: one verdict for the line, in all of them."""
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path)
    (tmp_path / "p2.yaml").write_text(PLAYBOOK.format(name="second"))
    result = run("lint", "--no-cache", "--ignore-unknown", "--dependants", "t/k.yaml")
    assert result.exit_code == 0, result.output
    assert "no problems in 3 files" in result.output
    (tmp_path / "t" / "k.yaml").write_text(TEMPLATE.format(directive=""))
    failed = run("lint", "--no-cache", "--ignore-unknown", "--dependants", "t/k.yaml")
    assert failed.exit_code == 1 and failed.output.count("error GC303") == 3, failed.output


def test_plan_is_ready_for_a_playbook_whose_template_accepts_its_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path)
    result = run("plan", "p.yaml")
    assert result.exit_code == 0, result.output
    assert "plan for tpl-sup" in result.output and "error GC303" not in result.output
    assert "suppressed by comments: GC303 (t/k.yaml:6)" in result.output  # named, as a playbook's own (rules23 5)


def test_a_saved_plan_keeps_a_templates_suppression(tmp_path, monkeypatch):
    """rules23 1 with 2: a finding a template's comment hides is recorded in the saved plan by its node, so the
    plan's re-lint keeps the verdict `plan` gave, as for a playbook's own comment."""
    monkeypatch.chdir(tmp_path)
    _template_project(tmp_path)
    saved = run("plan", "p.yaml", "-o", "plan.json")
    assert saved.exit_code == 0, saved.output
    kept = json.loads((tmp_path / "plan.json").read_text())["suppressed"]
    assert [(k["code"], k["directive"]) for k in kept] == [("GC303", "t/k.yaml:6")], kept
    again = run("plan", "plan.json")
    assert again.exit_code == 0 and "error GC303" not in again.output, again.output


def test_the_api_applies_a_templates_directives(tmp_path):
    import graphc

    path = _template_project(tmp_path)
    assert graphc.lint_file(path).diagnostics == []


def test_a_templates_comments_are_read_once_however_many_playbooks_use_it(tmp_path):
    import graphc
    from graphc.lint import _template_directives

    path = _template_project(tmp_path)
    other = tmp_path / "p2.yaml"
    other.write_text(PLAYBOOK.format(name="second"))
    _template_directives.cache_clear()
    assert graphc.lint_file(path).diagnostics == [] and graphc.lint_file(other).diagnostics == []
    assert (_template_directives.cache_info().misses, _template_directives.cache_info().hits) == (1, 1)
    (tmp_path / "t" / "k.yaml").write_text(TEMPLATE.format(directive="  # graphc: ignore[GC405]"))  # edited: read again
    assert [d.code for d in graphc.lint_file(path).diagnostics] == ["GC303"]
