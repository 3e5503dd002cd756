"""GC501-GC503: one failing wire graph and a near-identical passing one per code."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.quotes import Quote
from graphc.rules import risk
from tests.conftest import REPO
from tests.wire_nodes import run_rules_on, wire_node

QUOTES = {"BTC-USD": Quote(bid=Decimal("60000"), ask=Decimal("60010"))}
WHERE = ("risk", "admission", "max_notional_usd")


def node(node_id, qty, price=None, symbol="ETH-USD", side="buy"):
    return wire_node(node_id, side, qty, price, symbol)


def lint(nodes, max_notional=None, is_sandbox=True, risk_section=None, quotes=None):
    wire = {"nodes": nodes, "edges": [], "is_sandbox": is_sandbox}
    if max_notional is not None:
        wire["risk"] = {"admission": {"max_notional_usd": max_notional}}
    if risk_section is not None:
        wire["risk"] = risk_section
    return run_rules_on(wire, risk.RULES, quotes=QUOTES if quotes is None else quotes)


LEGS = [node("spot", "100", "2000"), node("more", "200", "2000"), node("btc", "1", symbol="BTC-USD", side="sell")]


# spot 100 x 2000 = $200,000; more 200 x 2000 = $400,000; btc 1 x bid 60000 = $60,000: gross $660,000


def test_gc501_one_order_above_the_limit():
    findings, _ = lint(LEGS, max_notional=300_000)
    gc501 = [f for f in findings if f.code == "GC501"]
    [finding] = gc501  # only `more` ($400,000) is above $300,000
    assert finding.where == ("nodes", 1, "quantity")
    assert finding.message == (
        "order 'more' is $400,000 notional, above risk.max_notional $300,000: the router refuses the graph at admission"
    )
    assert finding.hint.startswith("cut this order by $100,000 or more")


@pytest.mark.parametrize("limit, flagged", [(400_000, False), (Decimal("399999.99"), True)])
def test_gc501_boundary_is_the_limit_itself(limit, flagged):
    findings, _ = lint(LEGS, max_notional=limit)
    assert ("GC501" in {f.code for f in findings}) is flagged


def test_gc501_skips_an_order_whose_notional_is_unknown():
    findings, skips = lint(LEGS, max_notional=660_000, quotes={})
    assert findings == []
    gc501 = [s for s in skips if s.code == "GC501"]
    assert [s.where for s in gc501] == [("nodes", 2, "quantity")] and "no quote for BTC-USD" in gc501[0].reason


def test_gc503_gross_notional_above_the_limit_is_a_warning():
    findings, _ = lint(LEGS, max_notional=500_000)
    [finding] = [f for f in findings if f.code == "GC503"]
    assert finding.where == WHERE and finding.severity is None  # the rule's own severity: warning
    assert "gross notional $660,000 of all legs is above risk.max_notional $500,000" in finding.message
    assert "more $400,000, spot $200,000, btc $60,000" in finding.message
    assert risk.check_gross_notional.rule.severity == "warning"


def test_gc503_passes_at_the_limit():
    assert lint(LEGS, max_notional=660_000)[0] == []


def test_gc503_skips_when_a_notional_is_unknown():
    findings, skips = lint(LEGS, max_notional=660_000, quotes={})
    assert findings == []
    [skip] = [s for s in skips if s.code == "GC503"]
    assert skip.where == WHERE and "btc" in skip.reason


def test_gc503_reports_when_the_known_part_already_exceeds():
    findings, _ = lint(LEGS + [node("tail", "derived")], max_notional=Decimal("500000.5"), quotes={})
    [finding] = [f for f in findings if f.code == "GC503"]
    assert "$600,000 (at least; 2 legs" in finding.message and "$500,000.50" in finding.message


def test_the_reference_full_graph_is_not_an_error():
    # orders-and-execution-graphs.md: 200 ETH spot buy + 200 ETH perp sell under max_notional_usd 500000
    quotes = {"ETH-USD": Quote(bid=D("2325.10"), ask=D("2325.53")), "ETH-USD-PERP": Quote(bid=D("2324.80"))}
    nodes = [node("spot", "200", symbol="ETH-USD"), node("hedge", "200", symbol="ETH-USD-PERP", side="sell")]
    findings, _ = lint(nodes, max_notional=500_000, quotes=quotes)
    # 200 x 2325.53 = 465,106 and 200 x 2324.80 = 464,960: each under 500,000, together 930,066
    assert [(f.code, f.severity) for f in findings] == [("GC503", None)]
    assert "$930,066" in findings[0].message


def test_risk_rules_without_a_limit_are_silent():
    assert lint(LEGS)[0] == []


def test_gc502_live_without_risk_limits():
    [finding] = lint(LEGS, is_sandbox=False)[0]
    assert (finding.code, finding.where) == ("GC502", ("is_sandbox",))


@pytest.mark.parametrize("section", [{}, {"note": "x"}, "none"])
def test_gc502_empty_risk_section(section):
    [finding] = lint(LEGS, is_sandbox=False, risk_section=section)[0]
    assert finding.code == "GC502"


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(is_sandbox=False, risk_section={"runtime": {"max_loss_usd": 10000}}),
        dict(is_sandbox=False, max_notional=1_000_000),
        dict(is_sandbox=True),
    ],
)
def test_gc502_passes(kwargs):
    assert lint(LEGS, **kwargs)[0] == []


# -- a wire graph that does not say is_sandbox (audit rulesA.md 5) -------------------------------------------------
# The router's default decides its mode, and only the flag or a seq_test_* key forces sandbox (hosted-strategies.md,
# "Sandbox routing duality"), so with a live key it trades live: GC502 when it has no risk limits, as `false` does.

NOT_SET = (
    "graph has no is_sandbox and no risk limits: the router's default decides whether it trades live, which may be "
    "live (with a live API key), and nothing caps its notional or its loss"
)


def unsaid(**extra):
    return run_rules_on({"nodes": LEGS, "edges": [], **extra}, risk.RULES, quotes=QUOTES)


def test_gc502_a_wire_graph_without_is_sandbox_or_risk_limits():
    [finding] = unsaid()[0]
    assert (finding.code, finding.where, finding.message) == ("GC502", ("is_sandbox",), NOT_SET)
    assert finding.hint == (
        'write "is_sandbox": true, or false with risk limits '
        '("risk": {"admission": {"max_notional_usd": ...}, "runtime": {"max_loss_usd": ...}})'
    )


@pytest.mark.parametrize("section", [{}, {"note": "x"}])
def test_gc502_a_wire_graph_without_is_sandbox_and_an_empty_risk_section(section):
    assert [f.code for f in unsaid(risk=section)[0]] == ["GC502"]


@pytest.mark.parametrize(
    "section", [{"runtime": {"max_loss_usd": 10000}}, {"admission": {"max_notional_usd": 1_000_000}}]
)
def test_gc502_a_wire_graph_without_is_sandbox_but_with_risk_limits_passes(section):
    assert unsaid(risk=section)[0] == []


NOSB = (  # audit rulesA.md 5, h/nosb.json: one limit node, no is_sandbox, no risk
    '{"nodes": [{"node_id": "a", "instrument": {"symbol": "BTC-USD", "type": "spot"}, "side": "buy",\n'
    '  "order_type": {"limit": {"price_1e9": 60000000000000}}, "quantity": {"fixed": {"qty_1e8": 50000000}},\n'
    '  "execution": {"policy": "sor"}, "activation": "root"}], "edges": []}\n'
)


def test_gc502_lint_strict_fails_a_wire_graph_without_is_sandbox(tmp_path):
    """It linted clean with --strict while `plan` said "mode: NOT SET" and exit 2; the finding is placed on the
    document (there is no is_sandbox key to point at): line 1, column 1."""
    path = tmp_path / "nosb.json"
    path.write_text(NOSB)
    assert CliRunner().invoke(cli, ["lint", "--no-cache", str(path)]).exit_code == 0  # a warning
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--strict", str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:1:1: error GC502 {NOT_SET}\n" in result.stdout, result.stdout  # --strict: warnings are errors
    fixed = tmp_path / "sb.json"
    fixed.write_text(NOSB.replace('"edges": []', '"edges": [], "is_sandbox": true'))
    assert CliRunner().invoke(cli, ["lint", "--no-cache", "--strict", str(fixed)]).exit_code == 0


def test_gc502_a_simple_order_is_sent_as_a_sandbox_graph_and_draws_nothing(tmp_path):
    # the reference's simple order has no is_sandbox key and cannot have one: graphc sends it as
    # `"is_sandbox": true` (docs/submitting.md), so the router's default never decides it
    path = tmp_path / "order.json"
    path.write_text('{"symbol": "BTC-USD", "side": "buy", "qty": 0.1}')
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--strict", str(path)])
    assert result.exit_code == 0 and "GC502" not in result.stdout, result.output


def test_gc501_skip_of_a_template_priced_leg_does_not_call_it_a_market_order():
    """examples/dip-buy.yaml linted without quotes: its entry is a limit order (`limit: bid - 0.5%`, a template on
    the bid), so its notional is unknown because the template needs a quote (playbook-spec.md §4; GC109's page:
    without a snapshot lint treats the value as unknown and skips). The skip said "it is a market order", which
    misstates the order being reviewed; the market-order stop keeps that reason."""
    from graphc import lint_text

    text = (
        "graphc: 1\nname: t\nrisk:\n  max_notional: $60k\nlegs:\n"
        "  entry:\n    buy: 0.25 BTC\n    symbol: BTC-USD\n    limit: bid - 0.5%\n"
        "  stop:\n    sell: 0.25 BTC\n    symbol: BTC-USD\n    after: entry filled\n"
    )
    reasons = [s.reason for s in lint_text(text, "dip.yaml").skipped if s.code == "GC501"]
    assert reasons == [
        "the order's notional is unknown: its limit price is a template that needs a quote for BTC-USD (pass --quotes)",
        "the order's notional is unknown: it is a market order and there is no quote for BTC-USD",
    ]


# The limit is `risk.admission.max_notional_usd`: dollars. A leg priced in another currency cannot be compared
# with it (graphc has no exchange rate), so it is skipped, never compared as if it were dollars.


def test_gc501_skips_a_leg_priced_in_bitcoin_instead_of_comparing_bitcoin_with_dollars():
    # 1000 ETH at 0.05 BTC is 50 BTC (millions of dollars): "50" must not pass a $25,000 limit as $50
    findings, skips = lint([node("entry", "1000", "0.05", symbol="ETH-BTC")], max_notional=25_000)
    assert findings == []
    [skip] = [s for s in skips if s.code == "GC501"]
    assert skip.where == ("nodes", 0, "quantity")
    assert "priced in BTC" in skip.reason and "USD" in skip.reason, skip.reason


def test_gc501_does_not_call_yen_dollars():
    # 0.1 BTC at 10,000,000 JPY is 1,000,000 JPY (about $6-7k): not "$1,000,000" above a $25,000 limit
    findings, skips = lint([node("entry", "0.1", "10000000", symbol="BTC-JPY")], max_notional=25_000)
    assert findings == [] and [s.code for s in skips if s.code in ("GC501", "GC503")] == ["GC501", "GC503"]


@pytest.mark.parametrize("symbol", ["ETH-USD", "ETH-USDC", "ETH-USDT", "ETH-USD-PERP"])
def test_dollar_and_dollar_stablecoin_legs_are_compared_with_the_limit(symbol):
    # 100 x 2000 = 200,000 in the quote currency, read 1:1 as dollars: above $199,999.99, not above $200,000
    over, _ = lint([node("a", "100", "2000", symbol=symbol)], max_notional=Decimal("199999.99"))
    at, _ = lint([node("a", "100", "2000", symbol=symbol)], max_notional=200_000)
    assert [f.code for f in over] == ["GC501"] and at == []


def test_prediction_legs_are_in_dollars_with_or_without_a_pinned_venue():
    # 1000 contracts at 0.60 = $600 on Kalshi, above a $500 limit, whether or not the wire pins the venue
    for venue in ("kalshi", None):
        leg = node("k", "1000", "0.6", symbol="KXFEDDECISION-26DEC-C25")
        leg["instrument"] = {"symbol": "KXFEDDECISION-26DEC-C25", "type": "prediction"} | (
            {"venue": venue} if venue else {}
        )
        findings, _ = lint([leg], max_notional=500)
        assert [f.code for f in findings] == ["GC501"], venue


def test_gc503_counts_only_dollar_legs_and_says_which_are_left_out():
    # $15,000 of BTC-USD known; 10 ETH at 0.05 BTC = 0.5 BTC not comparable: the sum is unknown, not $15,000.5
    legs = [node("usd", "0.25", "60000", symbol="BTC-USD"), node("btc", "10", "0.05", symbol="ETH-BTC")]
    findings, skips = lint(legs, max_notional=20_000)
    assert findings == []
    [skip] = [s for s in skips if s.code == "GC503"]
    assert "btc" in skip.reason and "priced in BTC" in skip.reason, skip.reason


# -- a non-positive limit (audit venue.md finding 7) -----------------------------------------------------------
# playbook-spec.md §3.2: risk values must be positive (GC103). The playbook form `risk: {max_notional: -5}` is
# GC103; the wire form is GC103 too (the wire schema's exclusiveMinimum 0), and the risk rules never compare an
# order with a limit that is not positive (no "above risk.max_notional $-1").

WIRE_ONE = (  # 1 BTC-USD at 2000 ($2,000); the limit's value starts at column 46 of line 7
    "{\n"
    '  "nodes": [{"node_id": "a", "instrument": {"symbol": "BTC-USD", "type": "spot", "venue": "coinbase"},\n'
    '             "side": "buy", "order_type": {"limit": {"price_1e9": 2000000000000}},\n'
    '             "quantity": {"fixed": {"qty_1e8": 100000000}}, "activation": "root"}],\n'
    '  "edges": [],\n'
    '  "is_sandbox": true,\n'
    '  "risk": {"admission": {"max_notional_usd": %s}, "runtime": {"max_loss_usd": %s}}\n'
    "}\n"
)


@pytest.mark.parametrize("limit", [-1, 0, Decimal("-0.01"), Decimal("0.0")])
def test_risk_rules_ignore_a_limit_that_is_not_positive(limit):
    assert risk.max_notional({"risk": {"admission": {"max_notional_usd": limit}}}) is None
    findings, skips = lint(LEGS, max_notional=limit)
    assert findings == [] and skips == []


def test_a_tiny_positive_limit_is_a_limit():
    assert risk.max_notional({"risk": {"admission": {"max_notional_usd": Decimal("0.01")}}}) == Decimal("0.01")
    findings, _ = lint(LEGS, max_notional=Decimal("0.01"))
    assert [f.code for f in findings] == ["GC501", "GC501", "GC501"]


@pytest.mark.parametrize(
    "notional, loss, expected",
    [
        # column of the value: `  "risk": {"admission": {"max_notional_usd": ` is 45 characters (2 + 8 + 14 + 21)
        ("-1", "10", ["7:46: error GC103 `risk.admission.max_notional_usd` must be positive, not -1"]),
        ("0", "10", ["7:46: error GC103 `risk.admission.max_notional_usd` must be positive, not 0"]),
        ("0.0", "10", ["7:46: error GC103 `risk.admission.max_notional_usd` must be positive, not 0.0"]),
        # max_loss_usd's value: 45 + len("1000000") + len('}, "runtime": {"max_loss_usd": ') = 45 + 7 + 31 = 83
        ("1000000", "0", ["7:84: error GC103 `risk.runtime.max_loss_usd` must be positive, not 0"]),
        ("1000000", "-5", ["7:84: error GC103 `risk.runtime.max_loss_usd` must be positive, not -5"]),
    ],
)
def test_wire_risk_limits_must_be_positive_as_in_a_playbook(tmp_path, notional, loss, expected):
    path = tmp_path / "g.json"
    path.write_text(WIRE_ONE % (notional, loss), encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    errors = [line.removeprefix(f"{path}:") for line in result.stdout.splitlines() if " error GC" in line]
    assert errors == expected
    assert "GC501" not in result.stdout and "GC503" not in result.stdout and "$-" not in result.stdout


def test_a_tiny_positive_wire_limit_is_accepted(tmp_path):
    # 0.00000001 passes the schema (it is positive): the order's $2,000 is then above it, GC501
    path = tmp_path / "g.json"
    path.write_text(WIRE_ONE % ("0.00000001", "0.00000001"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert "GC103" not in result.stdout
    assert "error GC501 order 'a' is $2,000 notional, above risk.max_notional" in result.stdout


def test_playbook_limits_that_are_not_positive_are_gc103(tmp_path):
    for value in ("-5", "0"):
        path = tmp_path / "p.yaml"
        path.write_text(
            f"graphc: 1\nname: p\nrisk:\n  max_notional: {value}\nlegs:\n  a:\n    buy: 1\n    symbol: BTC-USD\n"
            "    limit: 2000\n",
            encoding="utf-8",
        )
        result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
        assert "4:17: error GC103 `risk.max_notional` must be positive" in result.stdout, result.output


@pytest.mark.parametrize("symbol", ["BTC-PERP", "BTCUSDT", "ETH/USDT:USDT", "eth-usd"])
def test_perp_suffixes_and_separator_less_symbols_name_their_dollar_currency(symbol):
    # `-PERP` is not a currency (a perp named by its base is a dollar perp); BTCUSDT ends in USDT:
    # 1 x 97,000 = $97,000 is above a $1,000 limit, as before the currency rule, not "priced in PERP"
    leg = wire_node("a", "buy", "1", "97000", symbol, type="perp" if "PERP" in symbol or ":" in symbol else "spot")
    findings, _ = lint([leg], max_notional=1_000)
    assert [f.code for f in findings] == ["GC501"]
    assert "$97,000 notional" in findings[0].message


def test_a_symbol_naming_no_currency_is_skipped_not_compared():
    findings, skips = lint([node("a", "1", "97000", symbol="BTC")], max_notional=1_000)
    assert findings == []
    assert "the currency of BTC's prices is unknown" in next(s.reason for s in skips if s.code == "GC501")


# -- the money in a message reads on its side of the limit (audit docs.md finding 2) ------------------------------
# An order a hair above the limit is flagged (1000.0002 > 1000); its message must not print it as the limit itself.
# Every amount, the cut too, is shown exactly (numbers.usd; audit desk21 1): cutting exactly the excess brings the
# order to the limit, which passes, and an excess under a cent is never $0.00.


def test_gc501_a_hair_above_the_limit_shows_the_hair_and_the_exact_cut(tmp_path):
    # the audit's playbook: 0.01666667 x 60000 = 1000.0002 (by hand: 60000 x 0.01666667 = 1000.0002)
    path = tmp_path / "rk.yaml"
    path.write_text(
        "graphc: 1\nname: t\nrisk:\n  max_notional: $1000\nlegs:\n  a: {buy: 0.01666667, symbol: BTC-USD, limit: 60000}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    assert (
        "error GC501 order 'a' is $1,000.0002 notional, above risk.max_notional $1,000: the router refuses the graph"
        in result.stdout
    ), result.output
    # 1000.0002 - 1000 = 0.0002
    assert "hint: cut this order by $0.0002 or more, or raise risk.max_notional" in result.stdout, result.output


@pytest.mark.parametrize(
    "limit, message, cut",
    [
        ("1000", "order 'a' is $1,000.0002 notional, above risk.max_notional $1,000", "$0.0002"),
        # 1000.0002 - 999.99 = 0.0102
        ("999.99", "order 'a' is $1,000.0002 notional, above risk.max_notional $999.99", "$0.0102"),
        ("1000.0001", "order 'a' is $1,000.0002 notional, above risk.max_notional $1,000.0001", "$0.0001"),
    ],
)
def test_gc501_message_and_cut_around_the_limit(limit, message, cut):
    findings, _ = lint([node("a", "0.01666667", "60000", symbol="BTC-USD")], max_notional=D(limit))
    [finding] = findings
    assert finding.code == "GC501" and finding.message.startswith(message + ":"), finding.message
    assert finding.hint.startswith(f"cut this order by {cut} or more"), finding.hint
    # exactly at the limit passes: no message at all
    assert lint([node("a", "0.01666667", "60000", symbol="BTC-USD")], max_notional=D("1000.0002"))[0] == []


def test_gc501_the_audits_second_case():
    # 0.1 x 60000.01 = 6000.001 under $6,000: was "$6,000.00 ... above $6,000"
    [finding] = lint([node("b", "0.1", "60000.01", symbol="BTC-USD")], max_notional=6000)[0]
    assert finding.message.startswith("order 'b' is $6,000.001 notional, above risk.max_notional $6,000:")
    assert finding.hint.startswith("cut this order by $0.001 or more")  # 6000.001 - 6000


def test_gc503_a_hair_above_the_limit_shows_the_hair():
    # 0.1 x 60000 = 6000 and 0.1 x 40000.001 = 4000.0001: 10000.0001 gross, a hair above $10,000
    legs = [node("a", "0.1", "60000", symbol="BTC-USD"), node("b", "0.1", "40000.001", symbol="BTC-USD")]
    [finding] = lint(legs, max_notional=10_000)[0]
    assert finding.code == "GC503"
    assert finding.message.startswith("gross notional $10,000.0001 of all legs is above risk.max_notional $10,000;")
    assert "cut $0.0001 from the legs" in finding.hint  # 10000.0001 - 10000
    assert lint(legs, max_notional=D("10000.0001"))[0] == []  # exactly at the limit passes


def test_a_tiny_limit_is_not_shown_as_zero(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(WIRE_ONE % ("0.00000001", "0.00000001"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert "above risk.max_notional $0.00000001:" in result.stdout, result.output
    assert "cut this order by $1,999.99999999 or more" in result.stdout, result.output  # 2000 - 0.00000001


# -- notionals are exact at any in-range size (audit rulesA.md 3) ---------------------------------------------------
# qty × price was multiplied in Python's default 28-digit context: a product with more digits was rounded, so an
# order exactly at the limit read as above it and one above it as at it. Hand-checked with Python integers:
#   up:   qty_1e8 9000000000112345679 x price_1e9 123456789123456789 = 1111111102124980937801234567787364731 (1e-17)
#         -> 11111111021249809378.01234567787364731, exactly the limit below (28 digits rounds it to ...01234568)
#   down: qty_1e8 9223372036812345679 x price_1e9 1999999999 = 18446744064401319321187654321 (1e-17)
#         -> 184467440644.01319321187654321, 1e-17 above the limit below (28 digits rounds it to ...0131932118765432)
# Both sizes and prices fit int64 (2**63-1 = 9223372036854775807).
PREC_UP = ("90000000001.12345679", "123456789.123456789", "11111111021249809378.01234567787364731")
PREC_DOWN = ("92233720368.12345679", "1.999999999", "184467440644.0131932118765432")
WIRE_BIG = (
    '{"nodes": [{"node_id": "e", "instrument": {"symbol": "BTC-USD", "type": "spot"}, "side": "buy",\n'
    '  "order_type": {"limit": {"price_1e9": %s}}, "quantity": {"fixed": {"qty_1e8": %s}},\n'
    '  "execution": {"policy": "sor"}, "activation": "root"}],\n'
    ' "edges": [], "is_sandbox": true, "risk": {"admission": {"max_notional_usd": %s}}}\n'
)


def _lint_file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])


def _playbook(qty, price, limit):
    return f"graphc: 1\nname: t\nrisk:\n  max_notional: {limit}\nlegs:\n  e: {{buy: {qty}, symbol: BTC-USD, limit: {price}}}\n"


def _wire(qty, price, limit):
    return WIRE_BIG % (int(D(price).scaleb(9)), int(D(qty).scaleb(8)), limit)


def test_gc501_an_order_exactly_at_a_long_limit_passes(tmp_path):
    for name, text in [("up.yaml", _playbook(*PREC_UP)), ("up.json", _wire(*PREC_UP))]:
        result = _lint_file(tmp_path, name, text)
        assert result.exit_code == 0 and "no problems" in result.stdout, (name, result.output)
    qty, price, limit = PREC_UP
    assert lint([node("e", qty, price, symbol="BTC-USD")], max_notional=D(limit))[0] == []


def test_gc501_an_order_a_long_hair_above_the_limit_fails(tmp_path):
    message = (
        "error GC501 order 'e' is $184,467,440,644.01319321187654321 notional, above risk.max_notional "
        "$184,467,440,644.0131932118765432: the router refuses the graph at admission"
    )
    for name, text in [("down.yaml", _playbook(*PREC_DOWN)), ("down.json", _wire(*PREC_DOWN))]:
        result = _lint_file(tmp_path, name, text)
        assert result.exit_code == 1 and message in result.stdout, (name, result.output)
        # 184467440644.01319321187654321 - 184467440644.01319321187654320 = 0.00000000000000001 (1e-17, by hand)
        assert "cut this order by $0.00000000000000001 or more" in result.stdout, (name, result.output)


def test_gc503_sums_exactly():
    # a: 90000000000 x 2 = 180,000,000,000 (a limit order at the limit itself); b: 0.00000001 x 0.000000001 = 1e-17.
    # Each fits 28 digits, their sum 180000000000.00000000000000001 (29 digits) does not: it read as the limit.
    legs = [node("a", "90000000000", "2", symbol="BTC-USD"), node("b", "0.00000001", "0.000000001", symbol="BTC-USD")]
    [finding] = lint(legs, max_notional=180_000_000_000)[0]
    assert finding.code == "GC503"
    assert finding.message.startswith(
        "gross notional $180,000,000,000.00000000000000001 of all legs is above risk.max_notional $180,000,000,000;"
    ), finding.message
    assert lint(legs, max_notional=D("180000000000.00000000000000001"))[0] == []  # exactly at the limit passes


def test_gc503_shows_its_largest_legs_the_way_it_shows_the_total():
    # audit rulesA.md 6: 0.2 x 60000 = 12,000 and 0.2 x 65000.000000001 = 13,000.0000000002: 25,000.0000000002 gross,
    # shown with the ten decimals that read above $25,000; leg b was rounded to "$13,000.00" beside it
    legs = [node("a", "0.2", "60000", symbol="BTC-USD"), node("b", "0.2", "65000.000000001", symbol="BTC-USD-PERP")]
    [finding] = lint(legs, max_notional=25_000)[0]
    assert finding.message == (
        "gross notional $25,000.0000000002 of all legs is above risk.max_notional $25,000; "
        "largest legs: b $13,000.0000000002, a $12,000"
    )
    # every amount exactly (audit desk21 1), as plan shows it: 0.25 x 60000.001 = 15,000.00025 and 0.2 x 60000 =
    # 12,000, 27,000.00025 together (was "$27,000.00 ...: a $15,000.00", cut to cents)
    legs = [node("a", "0.25", "60000.001", symbol="BTC-USD"), node("b", "0.2", "60000", symbol="BTC-USD")]
    [finding] = lint(legs, max_notional=25_000)[0]
    assert finding.message == (
        "gross notional $27,000.00025 of all legs is above risk.max_notional $25,000; "
        "largest legs: a $15,000.00025, b $12,000"
    )


def test_gc501_skip_of_a_market_order_on_a_one_sided_quote_names_the_missing_side(tmp_path):
    # audit rulesA.md 6 (h/q2.yaml): `ask: 0` is the empty side of a one-sided book; there is a quote, without an ask
    (tmp_path / "q.yaml").write_text("BTC-USD: {bid: 60000, ask: 0}\n", encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text(
        "graphc: 1\nname: t\nrisk:\n  max_notional: 25000\nlegs:\n  a: {buy: 0.1, symbol: BTC-USD}\n", encoding="utf-8"
    )
    args = ["lint", "--no-cache", "--explain-skips", "--quotes", str(tmp_path / "q.yaml"), str(path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (
        "skipped GC501 the order's notional is unknown: it is a market order and the quote for BTC-USD has no ask"
        in result.stdout
    ), result.output
    assert "no quote for BTC-USD" not in result.stdout, result.output
    # a sell meets the bid; GC503's skip gives the same reason
    findings, skips = lint(
        [node("s", "0.1", symbol="BTC-USD", side="sell")],
        max_notional=25_000,
        quotes={"BTC-USD": Quote(ask=D("60000"))},
    )
    assert findings == []
    reasons = {s.code: s.reason for s in skips}
    assert reasons["GC501"].endswith("it is a market order and the quote for BTC-USD has no bid"), reasons
    assert (
        reasons["GC503"]
        == "notional unknown for s (no price): it is a market order and the quote for BTC-USD has no bid"
    )


# -- audit desk21 4: GC503's skip names the cause that applies to each leg, in plan's words ------------------------
# It listed every cause for every leg, "(derived size, no limit price and no quote, or not priced in dollars)", for
# a derived leg with a limit and a quote; plan said "(derived size)". One vocabulary: facts.notional_gap.

HEDGE14 = """\
graphc: 1
name: fed-mixed-hedge
risk:
  max_notional: $250
legs:
  kalshi-yes:
    buy: 200 contracts
    symbol: KXFEDDECISION-26DEC-C25
    limit: ask + 1 tick
  pm-no:
    buy: derived
    symbol: fed-cut-march:no
    limit: ask + 1 tick
    after: kalshi-yes each fill
  unwind:
    sell: 200 contracts
    symbol: KXFEDDECISION-26DEC-C25
    after: kalshi-yes + 1h
"""
QUOTES14 = "fed-cut-march:no: {bid: 0.55, ask: 0.56}\nKXFEDDECISION-26DEC-C25: {bid: 0.40, ask: 0.41}\n"


def test_gc503_skip_names_only_the_cause_of_each_leg_as_plan_does(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "p.yaml").write_text(HEDGE14)
    (tmp_path / "q.yaml").write_text(QUOTES14)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--explain-skips", "--quotes", "q.yaml", "p.yaml"])
    assert "p.yaml:4:17: skipped GC503 notional unknown for pm-no (derived size)\n" in result.stdout, result.output
    # plan's total, in the same words: 200 x (0.41 + 0.01) = 84 bought, 200 x 0.40 bid = 80 sold (by hand)
    plan = CliRunner().invoke(cli, ["plan", "--quotes", "q.yaml", "p.yaml"])
    assert "total notional: at least $164 (unknown for pm-no (derived size))\n" in plan.output, plan.output
    # without quotes each leg says its own cause: the templates have no price, the market order's size is known
    bare = CliRunner().invoke(cli, ["lint", "--no-cache", "--explain-skips", "p.yaml"])
    assert (
        "skipped GC503 notional unknown for kalshi-yes (no price), pm-no (derived size), unwind (no price)\n"
        in bare.stdout
    ), bare.output
    # a notional size with nothing to divide by: its size is what is unknown
    (tmp_path / "n.yaml").write_text(
        "graphc: 1\nname: n\nrisk: {max_notional: $1k}\nlegs:\n  n: {buy: $100, symbol: ETH-USD}\n"
    )
    sized = CliRunner().invoke(cli, ["lint", "--no-cache", "--explain-skips", "n.yaml"])
    assert "skipped GC503 notional unknown for n (no size)\n" in sized.stdout, sized.output


def test_gc503_skip_of_a_derived_leg_and_a_leg_in_another_currency():
    legs = [
        node("a", "1", "0.05", symbol="ETH-BTC"),  # 0.05 BTC: not dollars
        {**node("b", "1", "100", symbol="SOL-USD"), "quantity": "derived"},
    ]
    [skip] = [s for s in lint(legs, max_notional=1000)[1] if s.code == "GC503"]
    assert skip.reason == (
        "notional unknown for a (not in dollars: BTC), b (derived size): ETH-BTC is priced in BTC, and "
        "risk.max_notional is in USD (graphc has no exchange rates)"
    )


def test_plans_summary_multiplies_and_adds_notionals_exactly():
    # the plan's numbers are GC501's and GC503's (audit rulesA.md 3): the test_gc503_sums_exactly legs, plus PREC_UP
    from graphc.plan import summarize

    qty, price, limit = PREC_UP
    legs = [node("a", "90000000000", "2", symbol="BTC-USD"), node("b", "0.00000001", "0.000000001", symbol="BTC-USD")]
    summary = summarize({"nodes": [*legs, node("e", qty, price, symbol="BTC-USD")], "edges": []}, {})
    assert [leg.notional for leg in summary.legs] == [D("180000000000"), D("1E-17"), D(limit)]
    # by hand: 11111111021249809378.01234567787364731 + 180000000000.00000000000000001 (the 0...1 carries into the 2)
    assert summary.total == D("11111111201249809378.01234567787364732")


def test_gc502_page_wire_example_warns_and_its_fix_does_not(tmp_path):
    """docs/rules/GC502.md shows a wire graph without is_sandbox under "What it checks" (the page's failing example
    is the playbook); it gets GC502, and the fix its page gives, `"is_sandbox": true`, clears it."""
    page = (REPO / "docs" / "rules" / "GC502.md").read_text()
    [block] = re.findall(r"```json\n(.*?)```", page, re.S)
    wire = json.loads(block)
    assert "is_sandbox" not in wire and "risk" not in wire
    path = tmp_path / "g.json"
    path.write_text(block)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", str(path)])
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["GC502"], result.output
    for fixed in (
        {**wire, "is_sandbox": True},
        {**wire, "is_sandbox": False, "risk": {"admission": {"max_notional_usd": 1000}}},
    ):
        path.write_text(json.dumps(fixed))
        result = CliRunner().invoke(cli, ["lint", "--no-cache", "--strict", str(path)])
        assert result.exit_code == 0 and "GC502" not in result.stdout, result.output


def test_gc501_page_says_a_marketable_sell_limit_is_valued_at_its_limit(tmp_path):
    """Audit exec20 2, decided as no verdict change: spec §8 makes GC501 an error only for an order refused "under
    any reading of the limit", and a sell limit read at its limit is under it. docs/rules/GC501.md says so, with
    its example: 10 BTC sold at `limit: 90000` against a 97,250 bid passes a $950,000 limit though it sells about
    $972,500; the safe fixes it gives, a market order and a limit at the bid, are valued at what they trade (GC501),
    on the playbook and its wire graph alike."""
    from tests.wire_nodes import lint_both

    page = (REPO / "docs" / "rules" / "GC501.md").read_text()
    body = page.split("## What it checks", 1)[1].split("\n## ", 1)[0]
    playbook, quotes = re.findall(r"```yaml\n(.*?)```", body, re.S)
    assert quotes.startswith("# quotes.yaml") and "limit: 90000" in playbook
    words = " ".join(body.split())
    for said in (
        "A limit order is valued at its limit",
        "what it trades can be more than risk.max_notional at today's bid",
        "$900,000",
        "$972,500",
        'under any reading of the limit" (playbook-spec.md §8)',
        "a market order, valued at the bid it sells into",
        "a limit at or above the bid",
    ):
        assert said in words, said
    for limit, gc501 in [
        ("    limit: 90000\n", False),
        ("", True),
        ("    limit: bid\n", True),
        ("    limit: 97300\n", True),
    ]:
        case = tmp_path / str(len(limit)) / limit.strip().replace(" ", "")
        case.mkdir(parents=True)
        book, wire = lint_both(case, playbook.replace("    limit: 90000\n", limit), quotes)
        assert book == wire
        assert ("GC501" in {f[0] for f in book["findings"]}) is gc501, (limit, book)


def test_gc501_skip_of_a_symbol_naming_no_quote_currency_says_it_is_unknown(tmp_path):
    """Audit exec20 6: a bare slug read as spot (spec §3.1 rule 6) was "priced in BTC", the second of its dashed
    words; a symbol of more than BASE-QUOTE names no currency, so the skip says the currency is unknown."""
    from tests.wire_nodes import lint_both

    playbook = (
        "graphc: 1\nname: t\nrisk:\n  max_notional: 1000\nlegs:\n"
        "  a: {buy: 10, symbol: will-btc-reach-150k, limit: 0.6}\n"
    )
    book, wire = lint_both(tmp_path, playbook)
    assert book == wire
    assert [r for c, r in book["skips"] if c == "GC501"] == [
        "the order's notional is unknown: the currency of will-btc-reach-150k's prices is unknown, and "
        "risk.max_notional is in USD (graphc has no exchange rates)"
    ]
    # a pair still names its quote currency: ETH-BTC in bitcoin; the perp suffix is no currency
    findings, skips = lint([node("a", "10", "0.05", symbol="ETH-BTC")], max_notional=1000, quotes={})
    assert findings == [] and "ETH-BTC is priced in BTC" in skips[0].reason
    assert lint([node("a", "10", "2000", symbol="ETH-USD-PERP")], max_notional=1000, quotes={})[0] != []
