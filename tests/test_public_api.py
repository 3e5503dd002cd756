"""The public API of docs/api.md: graphc.compile_text / compile_file / lint_text / lint_file / load_quotes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

import graphc
from tests.conftest import EXAMPLES, REPO

GOLDEN = REPO / "tests" / "golden"
ETH_QUOTES = {
    "ETH-USD": {"bid": "2325.10", "ask": "2325.53", "last": "2325.30", "tick": "0.01"},
    "ETH-USD-PERP": {"bid": Decimal("2324.80"), "ask": Decimal("2325.20"), "tick": Decimal("0.1")},
}


def test_compile_text_with_a_quotes_mapping_matches_the_golden_file():
    result = graphc.compile_text((EXAMPLES / "eth-hedge.yaml").read_text(), "eth-hedge.yaml", quotes=ETH_QUOTES)
    assert result.ok, result.diagnostics
    assert result.wire_json() == (GOLDEN / "eth-hedge.json").read_text()


def test_compile_file_with_a_quotes_path_matches_the_golden_file():
    result = graphc.compile_file(EXAMPLES / "btc-twap.yaml", quotes=EXAMPLES / "quotes.yaml")
    assert result.ok, result.diagnostics
    assert result.wire_json() == (GOLDEN / "btc-twap.json").read_text()


def test_compile_text_reports_bad_input_as_diagnostics_not_exceptions():
    result = graphc.compile_text("graphc: 1\nname: x\nlegs:\n  a: {buy: 1 ETH, symbol: BTC-USD}\n", "x.yaml")
    assert not result.ok
    assert [(d.code, d.span.line, d.span.col) for d in result.diagnostics] == [("GC105", 4, 12)]


def test_templates_take_params_and_now():
    result = graphc.compile_file(
        EXAMPLES / "btc-weekly-dca.yaml",
        quotes=EXAMPLES / "quotes.yaml",
        now=datetime(2026, 1, 7, 9, tzinfo=UTC),
    )
    assert result.ok, result.diagnostics
    assert result.wire_json() == (GOLDEN / "btc-weekly-dca.json").read_text()


def test_a_float_quote_is_refused_because_it_is_not_exact():
    with pytest.raises(TypeError, match="not exact"):
        graphc.compile_text("graphc: 1\nname: x\nlegs: {}\n", quotes={"ETH-USD": {"bid": 2325.1, "ask": 2325.5}})


def test_unknown_quote_fields_and_bad_values_are_refused():
    with pytest.raises(ValueError, match="unknown quote field"):
        graphc.compile_text("graphc: 1\n", quotes={"ETH-USD": {"bdi": "1"}})
    with pytest.raises(ValueError, match="not a positive price"):
        graphc.compile_text("graphc: 1\n", quotes={"ETH-USD": {"bid": "-1"}})


def test_lint_text_finds_the_readme_longshot_problems():
    text = "graphc: 1\nname: rain-longshot\nlegs:\n  longshot:\n    buy: 2 shares\n"
    text += "    symbol: will-it-rain-in-london-tomorrow:yes\n    limit: 0.15\n"
    report = graphc.lint_text(text, "longshot.yaml")
    codes = [(d.code, d.span.line, d.span.col) for d in report.diagnostics]
    assert ("GC301", 5, 10) in codes and ("GC302", 5, 10) in codes


def test_lint_file_on_a_wire_graph(tmp_path):
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    path = tmp_path / "hedge.json"
    path.write_text(json.dumps(wire))
    report = graphc.lint_file(path, quotes=ETH_QUOTES)
    assert [d for d in report.diagnostics if d.is_error] == []


def test_load_quotes_reads_exact_decimals_and_reports_problems(tmp_path):
    quotes = graphc.load_quotes(EXAMPLES / "quotes.yaml")
    assert quotes["ETH-USD"].bid == Decimal("2325.10")
    bad = tmp_path / "q.yaml"
    bad.write_text("ETH-USD: {bid: cheap}\n")
    with pytest.raises(ValueError, match=r"q.yaml:1:16: error GC105"):
        graphc.load_quotes(bad)


@pytest.mark.parametrize(
    "value,shown",
    [
        (Decimal("-0.01"), "-0.01"),  # not Decimal('-0.01')
        (Decimal("-0E-8"), "0"),
        (Decimal("0.000"), "0"),
        (-5, "-5"),
        ("-0.01", "-0.01"),  # text as written
    ],
)
def test_a_bad_quote_value_is_shown_as_plain_text_not_a_repr(value, shown):
    with pytest.raises(ValueError) as caught:
        graphc.compile_text("graphc: 1\n", quotes={"ETH-USD": {"tick": value}})
    assert str(caught.value) == f"quote ETH-USD.tick: {shown} is not positive"  # a tick is a step, not a price
    if value != 0:  # a price of 0 is an empty side of the book (graphc.quotes.quote_value)
        with pytest.raises(ValueError) as caught:
            graphc.compile_text("graphc: 1\n", quotes={"ETH-USD": {"bid": value}})
        assert str(caught.value) == f"quote ETH-USD.bid: {shown} is not a positive price"


def test_a_quote_that_is_not_a_number_says_so():
    with pytest.raises(ValueError) as caught:
        graphc.compile_text("graphc: 1\n", quotes={"ETH-USD": {"tick": Decimal("NaN")}})
    assert str(caught.value) == "quote ETH-USD.tick: cannot read 'NaN' as a number"


def test_a_file_that_is_not_utf8_is_gc112_through_the_api_too(tmp_path):
    # audit docs.md 1: docs/api.md says bad input never raises (only OSError for an unreadable file), but
    # lint_file / compile_file / load_quotes raised UnicodeDecodeError on a cp1252 file the CLI reports as GC112
    path = tmp_path / "p.yaml"
    path.write_bytes("graphc: 1\nname: p\n# entrée\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n".encode("cp1252"))
    # the bad byte is 0xE9 in "entrée": line 3, after "# entr" (6 characters): column 7
    [linted] = graphc.lint_file(path).diagnostics
    assert (linted.code, linted.span.line, linted.span.col) == ("GC112", 3, 7)
    assert linted.message.startswith("the file is not UTF-8 text: byte 0xE9 cannot be decoded")
    compiled = graphc.compile_file(path)
    assert not compiled.ok and compiled.wire is None
    assert [(d.code, d.span.line, d.span.col) for d in compiled.diagnostics] == [("GC112", 3, 7)]
    quotes = tmp_path / "q.yaml"
    # "# prix d'entr" is 13 characters: the bad byte is column 14
    quotes.write_bytes("# prix d'entrée\nETH-USD: {bid: 1, ask: 2}\n".encode("cp1252"))
    with pytest.raises(ValueError, match=r"q\.yaml:1:14: error GC112 the file is not UTF-8 text"):
        graphc.load_quotes(quotes)
