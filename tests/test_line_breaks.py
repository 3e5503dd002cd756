"""Positions count lines at LF, CRLF and a lone CR only (YAML 1.2 §5.4), as git, GitHub (a workflow's
annotations, code scanning's alerts), editors and SARIF's default ``newlineSequences`` do: NEL (U+0085), LS (U+2028)
and PS (U+2029) are characters of a line, though libyaml (YAML 1.1), whose marks the loader reads, ends a line at
each (audits reports26 3, fmt26 6)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.lines import Relined, line_and_column, split_lines
from graphc.stages.load import MAX_REPLAY_CHARS, load_text
from tests.conftest import write

# docs' plays/a.yaml with a description holding odd characters: GC303 at `limit:`, GC405 at `sell:`
PLAYBOOK = """graphc: 1
name: btc-hedged
description: "{odd}"
risk:
  max_notional: $1m
legs:
  spot:
    buy: 2 BTC
    symbol: BTC-USD
    venue: coinbase
    limit: 97000.125
  hedge:
    sell: 1 BTC
    symbol: BTC-USD-PERP
    venue: hyperliquid
    after: spot filled
"""
ODD = ["a\u2028b", "a\x85b", "a\u2029b", "a\u2028b\x85c\u2029d"]


def lint(*args):
    return CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)])


def lf_line(text: str, needle: str) -> int:
    """The line of ``needle`` as an editor (and git, GitHub) counts it."""
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("odd", ODD)
def test_a_finding_after_nel_ls_or_ps_is_on_the_editors_line_in_every_format(tmp_path, odd):
    text = PLAYBOOK.format(odd=odd)
    path = write(tmp_path, "p.yaml", text)
    line, sell = lf_line(text, "limit:"), lf_line(text, "sell:")
    assert (line, sell) == (11, 13)

    result = lint(path)
    assert result.exit_code == 1, result.output
    assert f"{path}:{line}:12: error GC303" in result.stdout
    assert f"{line} |     limit: 97000.125" in result.stdout  # the code frame shows that line
    assert f"{path}:{sell}:11: warning GC405" in result.stdout
    assert f"{sell} |     sell: 1 BTC" in result.stdout

    report = json.loads(lint(path, "-f", "json").stdout)
    found = [(d["code"], d["line"], d["end_line"]) for d in report["diagnostics"]]
    assert found == [("GC303", line, line), ("GC405", sell, sell)]
    assert {s["line"] for s in report["files"][0]["skipped"]} <= {5, line, sell}

    sarif = json.loads(lint(path, "-f", "sarif").stdout)["runs"][0]
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in sarif["results"]]
    assert [(r["startLine"], r["startColumn"], r["endLine"]) for r in regions] == [(line, 12, line), (sell, 11, sell)]

    github = lint(path, "-f", "github").stdout
    assert re.findall(r"line=(\d+),col=(\d+)", github) == [(str(line), "12"), (str(sell), "11")]


@pytest.mark.parametrize("odd", ["ab", "a\u2028b"])
@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_lone_cr_still_end_lines(tmp_path, newline, odd):
    text = PLAYBOOK.format(odd=odd).replace("\n", newline)
    path = tmp_path / "p.yaml"
    path.write_bytes(text.encode("utf-8"))
    result = lint(path)
    assert result.exit_code == 1, result.output
    assert f"{path}:11:12: error GC303" in result.stdout and "11 |     limit: 97000.125" in result.stdout
    sarif = json.loads(lint(path, "-f", "sarif").stdout)["runs"][0]
    assert sarif["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 11
    # SARIF's default newline sequences are CRLF and LF: the run declares the lone CR it counts too (§3.14.26)
    assert newline in sarif["newlineSequences"] and "\u2028" not in sarif["newlineSequences"]


def test_every_position_of_a_large_text_is_counted_the_same(tmp_path):
    """A text over MAX_REPLAY_CHARS keeps no events (its positions come from reading it again), and its
    flattened tables are the same."""
    filler = "".join(f"  k{i}: 'v\u2028{i}'\n" for i in range(MAX_REPLAY_CHARS // 12))
    text = f"graphc: 1\nmeta:\n{filler}name: 'x\u2029y'\nlast: 1\n"
    assert len(text) > MAX_REPLAY_CHARS
    doc, diagnostics = load_text(text, "big.yaml")
    assert diagnostics == [] and doc is not None
    assert (doc.span(("last",)).line, doc.key_span(("last",)).line) == (lf_line(text, "last:"),) * 2
    assert doc.spans[("name",)].line == lf_line(text, "name:")
    assert doc.span(("meta", "k7")).line == lf_line(text, "k7:")


def test_positions_of_the_loader_agree_with_line_and_column():
    text = "\ufeffa: \"\u2028\"\nb: [1, '\x85', {c: 'x\u2029y', d: 2}]\ne: 3\n"
    doc, diagnostics = load_text(text, "x.yaml")
    assert diagnostics == [] and doc is not None
    for path, needle in [(("b", 2, "d"), "2}"), (("b", 0), "1,"), (("e",), "3\n")]:
        span = doc.span(path)
        assert (span.line, span.col) == line_and_column(text, text.index(needle))


def test_relined_marks_keep_the_columns_after_a_byte_order_mark():
    text = "\ufeffa: '\u2028'\nb: 1\n"
    relined = Relined(text)
    assert relined(0, 0) == (0, 0)  # the scanner's column on the first line counts after the mark
    assert relined(1, 0) == (0, 5)  # after the LS: still the first line (its columns after the mark)
    assert relined(2, 3) == (1, 3)
    assert split_lines(text)[1] == "b: 1"


@pytest.mark.parametrize("character", ["\u2028", "\x85", "\u2029"])
def test_nel_ls_or_ps_in_a_comment_is_gc100_that_names_it(tmp_path, character):
    """YAML 1.2 reads a comment with LS as a comment; libyaml (YAML 1.1) ends the line there and reads on as
    YAML: a GC100 that says so, at the character, on the line an editor shows."""
    text = f"graphc: 1\n# pasted from chat:{character} desk says ok\nname: x\nlegs:\n  l: {{symbol: BTC-USD, buy: 1}}\n"
    path = write(tmp_path, "c.yaml", text)
    result = lint(path)
    assert result.exit_code == 1, result.output
    assert f"{path}:2:20: error GC100 YAML syntax error: " in result.stdout
    assert f"U+{ord(character):04X}" in result.stdout and "reads that character as a line break" in result.stdout
    assert "hint: remove the character" in result.stdout
    assert "2 | # pasted from chat:" in result.stdout


def test_a_syntax_error_away_from_an_ls_is_not_blamed_on_it(tmp_path):
    text = 'graphc: 1\nname: "a\u2028b"\nlegs:\n  l: {symbol: BTC-USD, buy: 1\n'
    result = lint(write(tmp_path, "e.yaml", text))
    assert result.exit_code == 1 and ":5:1: error GC100 YAML syntax error" in result.stdout, result.output
    assert "U+2028" not in result.stdout


def test_a_suppression_comment_is_read_on_the_editors_line(tmp_path):
    text = 'graphc: 1\nname: "p\u2028q"\nx: 1  # graphc: ignore[GC102]\ny: 2\nlegs:\n  l: {symbol: BTC-USD, buy: 1}\n'
    result = lint(write(tmp_path, "s.yaml", text))
    assert "unknown key 'y'" in result.stdout and "unknown key 'x'" not in result.stdout, result.output
    assert ":4:1: error GC102" in result.stdout


def test_a_byte_that_is_not_utf8_is_placed_on_the_editors_line(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_bytes('graphc: 1\nname: "a\u2028b"\nlegs: \xff\n'.encode("utf-8").replace(b"\xc3\xbf", b"\xff"))
    result = lint(path)
    assert f"{path}:3:7: error GC112" in result.stdout, result.output
