"""The quotes snapshot file (`--quotes FILE`, spec §7): a zero side is a one-sided book, as the router reports it.

hosted-strategies.md: "Far-OTM Kalshi outcomes often have one-sided books"; its `_probe_two_sided`
reads a missing bid as 0, and its own log shows `[book_summary] label=kalshi bid=0.99 ask=0`. The
`--quotes live` path (quote_from_router) reads a zero side as absent; a snapshot of the same book
must be read the same way. A negative price in a hand-written snapshot is a typo: GC105.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

import graphc
from graphc.cli import cli
from graphc.quotes import Quote, quote_from_router, quotes_from_data
from graphc.stages.load import load_text
from tests.conftest import write

KALSHI = "KXBTCD-25DEC31-T100000"
# The reference's Kalshi smoke order: 1 contract at 0.49 (hosted-strategies.md, `graph_submit_intent
# venue=kalshi qty=1 limit_price=0.49`), against the book its log shows next to it.
SMOKE = f"graphc: 1\nname: kalshi-smoke\nlegs:\n  leg:\n    buy: 1 contract\n    symbol: {KALSHI}\n    limit: 0.49\n"
ONE_SIDED = f"{KALSHI}: {{bid: 0.99, ask: 0}}\n"


def run(*args):
    return CliRunner().invoke(cli, [*map(str, args)])


def snapshot(text, name="q.yaml"):
    doc, diagnostics = load_text(text, name)
    assert diagnostics == []
    return quotes_from_data(doc.data, doc)


def test_the_reference_kalshi_smoke_order_lints_clean_against_a_one_sided_book(tmp_path):
    playbook = write(tmp_path, "k.yaml", SMOKE)
    quotes = write(tmp_path, "q.yaml", ONE_SIDED)
    result = run("lint", "--no-cache", "--quotes", quotes, playbook, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["diagnostics"] == []  # skipped checks may be counted, nothing reported
    result = run("lint", "--no-cache", "--quotes", quotes, playbook)
    assert result.stdout.startswith("no problems in 1 file"), result.output


def test_the_reference_kalshi_smoke_order_compiles_against_a_one_sided_book(tmp_path):
    playbook = write(tmp_path, "k.yaml", SMOKE)
    quotes = write(tmp_path, "q.yaml", ONE_SIDED)
    result = run("compile", "--quotes", quotes, playbook)
    assert result.exit_code == 0, result.output
    (node,) = json.loads(result.stdout)["nodes"]
    assert node["order_type"] == {"limit": {"price_1e9": 490_000_000}}  # 0.49 x 1e9, the literal, untouched


def test_a_template_on_the_missing_side_is_gc109_naming_the_ask(tmp_path):
    playbook = write(tmp_path, "t.yaml", SMOKE.replace("limit: 0.49", "limit: ask + 1 tick"))
    quotes = write(tmp_path, "q.yaml", ONE_SIDED)
    result = run("lint", "--no-cache", "--quotes", quotes, playbook, "--format", "json")
    assert result.exit_code == 1, result.output
    found = [(d["code"], d["line"], d["column"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert [f[:3] for f in found] == [("GC109", 7, 12)], found  # `ask + 1 tick` on line 7, col 12
    assert "needs the ask, but the quote has no ask" in found[0][3]
    result = run("compile", "--quotes", quotes, playbook)
    assert result.exit_code == 1, result.output
    assert "t.yaml:7:12: error GC109 " in result.output and "GC105" not in result.output


def test_a_template_on_the_side_that_is_there_still_works(tmp_path):
    # a sell at the bid: the bid (0.99) is on the book, so the one-sided book does not matter
    playbook = write(tmp_path, "s.yaml", SMOKE.replace("buy: 1", "sell: 1").replace("limit: 0.49", "limit: bid"))
    quotes = write(tmp_path, "q.yaml", ONE_SIDED)
    result = run("compile", "--quotes", quotes, playbook)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["order_type"] == {"limit": {"price_1e9": 990_000_000}}


def test_a_negative_bid_is_gc105_shown_as_written_at_its_position(tmp_path):
    playbook = write(tmp_path, "k.yaml", SMOKE)
    quotes = write(tmp_path, "q.yaml", f"{KALSHI}: {{bid: -1, ask: 0.5}}\n")
    result = run("lint", "--no-cache", "--quotes", quotes, playbook)
    assert result.exit_code == 1, result.output
    # `KXBTCD-25DEC31-T100000: {bid: ` is 30 characters: the value starts at column 31
    assert f"q.yaml:1:31: error GC105 quote {KALSHI}.bid: -1 is not a positive price" in result.stdout
    assert run("compile", "--quotes", quotes, playbook).exit_code == 1


@pytest.mark.parametrize(
    ("written", "shown"),
    [("-0.50", "-0.50"), ("-1e-2", "-1e-2"), ("'-55c'", "-55c"), ("-1_000", "-1_000")],
)
def test_a_negative_price_is_shown_as_the_user_wrote_it(written, shown):
    quotes, diagnostics = snapshot(f"X-USD:\n  ask: {written}\n")
    assert quotes == {"X-USD": Quote()}
    assert [(d.code, d.span.line, d.span.col, d.message) for d in diagnostics] == [
        ("GC105", 2, 8, f"quote X-USD.ask: {shown} is not a positive price")
    ]


def test_a_json_snapshot_with_a_zero_bid_is_a_one_sided_book(tmp_path):
    # audit: `{"will-x:yes": {"bid": 0.0, "ask": 0.154}}` was GC105 with the message `Decimal('0.0')`
    playbook = write(
        tmp_path,
        "p.yaml",
        "graphc: 1\nname: pm\nlegs:\n  leg:\n    buy: 8 shares\n    symbol: will-x:yes\n    limit: 0.15\n",
    )
    quotes = write(tmp_path, "q.json", '{"will-x:yes": {"bid": 0.0, "ask": 0.154}}')
    result = run("lint", "--no-cache", "--quotes", quotes, playbook)
    assert result.exit_code == 0, result.output  # 8 x 0.15 = $1.20, above Polymarket's $1 minimum
    assert "Decimal" not in result.output
    assert snapshot('{"will-x:yes": {"bid": 0.0, "ask": 0.154}}', "q.json") == (
        {"will-x:yes": Quote(ask=Decimal("0.154"))},
        [],
    )


def test_a_json_snapshot_negative_value_is_shown_as_written():
    quotes, diagnostics = snapshot('{"will-x:yes": {"bid": -0.10, "ask": 0.154}}', "q.json")
    assert quotes == {"will-x:yes": Quote(ask=Decimal("0.154"))}  # the bad bid is left out, the ask kept
    # `{"will-x:yes": {"bid": ` is 23 characters: the value starts at column 24
    assert [(d.code, d.span.line, d.span.col, d.message) for d in diagnostics] == [
        ("GC105", 1, 24, "quote will-x:yes.bid: -0.10 is not a positive price")
    ]


def test_zero_last_and_mid_are_absent_and_a_written_mid_stays_next_to_an_empty_side():
    # as quote_from_router reads the router's answer, every price field (bid, ask, last, mid) of 0 is
    # "no price". But a mid the user wrote is used whatever the sides say (spec §4: mid = (bid+ask)/2
    # "unless given"); only the router's mid of a one-sided book (0.99 / 2 = 0.495) is dropped.
    quotes, diagnostics = snapshot("A: {bid: 0.99, ask: 0, mid: 0.5, last: 0}\nB: {bid: 0, ask: 0, last: 0.5}\n")
    assert diagnostics == []
    assert quotes == {"A": Quote(bid=Decimal("0.99"), mid=Decimal("0.5")), "B": Quote(last=Decimal("0.5"))}
    live = quote_from_router({"nbbo": {"bid": Decimal("0.99"), "ask": 0, "mid": Decimal("0.495")}, "last": 0})
    assert live == Quote(bid=Decimal("0.99"))


def test_a_written_mid_prices_limit_mid_whether_the_empty_side_is_0_or_left_out(tmp_path):
    # audit review.md 7: `{bid: 0.99, ask: 0, mid: 0.5}` was GC109 "the quote has no mid", while the same
    # book with the ask left out compiled at the mid. Both spellings now price `limit: mid` at 0.5.
    for book in ("{bid: 0.99, ask: 0, mid: 0.5}", "{bid: 0.99, mid: 0.5}"):
        playbook = write(tmp_path, "m.yaml", SMOKE.replace("limit: 0.49", "limit: mid"))
        quotes = write(tmp_path, "q.yaml", f"{KALSHI}: {book}\n")
        result = run("compile", "--quotes", quotes, playbook)
        assert result.exit_code == 0, (book, result.output)
        (node,) = json.loads(result.stdout)["nodes"]
        assert node["order_type"] == {"limit": {"price_1e9": 500_000_000}}, book  # 0.5 x 1e9


def test_a_written_mid_next_to_an_empty_side_stays_in_the_python_api_too():
    # graphc's Python API reads a mapping as a snapshot file is read: the caller wrote the mid
    quotes = graphc._quotes({"A": {"bid": "0.99", "ask": 0, "mid": "0.5"}})
    assert quotes == {"A": Quote(bid=Decimal("0.99"), mid=Decimal("0.5"))}


def test_a_side_left_out_is_not_given_and_the_written_mid_stays():
    # no side written as 0: nothing says the book is one-sided, so a written mid is used as before
    quotes, diagnostics = snapshot("A: {bid: 0.99, mid: 0.5}\nB: {mid: 0.5}\n")
    assert diagnostics == []
    assert quotes == {"A": Quote(bid=Decimal("0.99"), mid=Decimal("0.5")), "B": Quote(mid=Decimal("0.5"))}


@pytest.mark.parametrize(("field", "written"), [("tick", "0"), ("tick", "-0.01"), ("lot", "0"), ("lot", "-1")])
def test_a_zero_or_negative_tick_or_lot_stays_an_error(field, written):
    # a tick or lot is a grid, not a side of the book: 0 is no grid at all, a typo
    quotes, diagnostics = snapshot(f"A: {{bid: 1, ask: 2, {field}: {written}}}\n")
    assert quotes == {"A": Quote(bid=Decimal(1), ask=Decimal(2))}
    assert [(d.code, d.message) for d in diagnostics] == [("GC105", f"quote A.{field}: {written} is not positive")]


def test_the_python_api_reads_a_mapping_like_a_snapshot_file():
    text = SMOKE
    report = graphc.lint_text(text, "k.yaml", quotes={KALSHI: {"bid": "0.99", "ask": 0}})
    assert [d for d in report.diagnostics if d.is_error] == []
    with pytest.raises(ValueError, match=r"quote X.bid: -1 is not a positive price"):
        graphc.lint_text(text, "k.yaml", quotes={"X": {"bid": "-1"}})


def test_a_notional_buy_on_the_missing_side_is_gc109_naming_the_ask(tmp_path):
    # a $5 buy is sized at the ask (docs/playbooks.md), which the one-sided book does not have
    playbook = write(tmp_path, "n.yaml", SMOKE.replace("buy: 1 contract", "buy: $5").replace("    limit: 0.49\n", ""))
    quotes = write(tmp_path, "q.yaml", ONE_SIDED)
    result = run("compile", "--quotes", quotes, playbook)
    assert result.exit_code == 1, result.output
    assert f"n.yaml:5:10: error GC109 notional size '$5' needs a price: no limit and {KALSHI}'s quote has no ask" in (
        result.output
    )


def test_mid_of_a_long_quote_is_exact():
    # (…891 + …893) / 2 = …892 at 30 significant digits; the default 28-digit context gave 1234567890.123456789012345679
    quote = Quote(bid=Decimal("1234567890.12345678901234567891"), ask=Decimal("1234567890.12345678901234567893"))
    assert quote.base("mid") == Decimal("1234567890.12345678901234567892")
    assert str(quote.base("mid")) == "1234567890.12345678901234567892"


@pytest.mark.parametrize(
    "quote, side, missing",
    [
        ("{last: 97000}", "buy", "ask"),  # audit venue18 4: only `last`
        ("{mid: 97000}", "buy", "ask"),
        ("{bid: 96999, ask: 0}", "buy", "ask"),  # the empty side of a one-sided book, as GC406 and GC301 skip it
        ("{bid: 96999}", "buy", "ask"),
        ("{ask: 97001, bid: 0}", "sell", "bid"),
    ],
)
def test_gc404_is_skipped_when_the_quote_has_no_price_on_the_legs_side(tmp_path, quote, side, missing):
    playbook = write(
        tmp_path,
        "p.yaml",
        f"graphc: 1\nname: t\nlegs:\n  a:\n    {side}: 0.01\n    symbol: BTC-USD\n"
        "    venue: coinbase\n    limit: 97000\n",
    )
    quotes = write(tmp_path, "q.yaml", f"BTC-USD: {quote}\n")
    text = run("lint", "--no-cache", playbook, "--quotes", quotes, "--explain-skips")
    assert text.exit_code == 0, text.output
    assert f"skipped GC404 the quote for 'BTC-USD' has no {missing}" in text.output
    data = json.loads(run("lint", "--no-cache", "-f", "json", playbook, "--quotes", quotes).stdout)
    assert "GC404" in {s["code"] for s in data["files"][0]["skipped"]}
    # with the side there, it is decided: a pass (or GC404 at the touch), never a skip
    full = write(tmp_path, "full.yaml", "BTC-USD: {bid: 96999, ask: 97001}\n")
    data = json.loads(run("lint", "--no-cache", "-f", "json", playbook, "--quotes", full).stdout)
    assert "GC404" not in {s["code"] for s in data["files"][0]["skipped"]}
