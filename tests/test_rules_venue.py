"""GC301-GC309 over minimal wire graphs: each code has a failing and a near-identical passing graph."""

from decimal import Decimal as D

import pytest

from graphc.numbers import plain
from graphc.quotes import Quote
from graphc.rules import venue
from graphc.venues import MarketResolver, MinMax
from tests.wire_nodes import config, run_rules_on

PM = "will-it-rain"  # a Polymarket slug
KX = "KXRAIN-25DEC31-T1"  # a Kalshi ticker
HL = "BTC-USD-PERP"


def node(symbol, qty, price=None, *, venue=None, type="prediction", side="buy", node_id="a"):
    instrument = {"symbol": symbol, "type": type}
    if venue is not None:
        instrument["venue"] = venue
    return {
        "node_id": node_id,
        "instrument": instrument,
        "side": side,
        "order_type": "market" if price is None else {"limit": {"price_1e9": int(D(price) * 10**9)}},
        "quantity": "derived" if qty == "derived" else {"fixed": {"qty_1e8": int(D(qty) * 10**8)}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }


def lint(*nodes, quotes=None, venues=None, markets=None):
    wire = {"nodes": list(nodes), "edges": [], "is_sandbox": True}
    return run_rules_on(wire, venue.RULES, quotes=quotes, venues=venues, markets=markets)


def codes(*nodes, **kw):
    return [f.code for f in lint(*nodes, **kw)[0]]


def only(code, *nodes, **kw):
    findings = lint(*nodes, **kw)[0]
    assert [f.code for f in findings] == [code], findings
    return findings[0]


def skipped(*nodes, **kw):
    return {s.code: s for s in lint(*nodes, **kw)[1]}


# -- one failing and one passing graph per code ---------------------------------------

FAIL_PASS = {
    "GC301": (node(PM, 6, "0.15", venue="polymarket"), node(PM, 7, "0.15", venue="polymarket")),
    "GC302": (node(PM, 4, "0.30", venue="polymarket"), node(PM, 5, "0.30", venue="polymarket")),
    "GC303": (node(PM, 10, "0.5555", venue="polymarket"), node(PM, 10, "0.555", venue="polymarket")),
    "GC304": (node(KX, 1, "1.00", venue="kalshi"), node(KX, 1, "0.99", venue="kalshi")),
    "GC305": (node(KX, "2.5", "0.40", venue="kalshi"), node(KX, 3, "0.40", venue="kalshi")),
    "GC306": (node(KX, 3, "0.40", venue="kalshi", type="spot"), node(KX, 3, "0.40", venue="kalshi")),
    "GC307": (node(PM, 10, "0.50", venue="polymarkt"), node(PM, 10, "0.50", venue="polymarket")),
    "GC308": (
        node(HL, "0.01", "12345.6", venue="hyperliquid", type="perp"),
        node(HL, "0.001", "123456", venue="hyperliquid", type="perp"),
    ),
    "GC309": (
        node("BTC-USD", "3400.00000001", "60000", venue="coinbase", type="spot"),
        node("BTC-USD", "2500", "60000", venue="coinbase", type="spot"),
    ),
}


@pytest.mark.parametrize("code", sorted(FAIL_PASS))
def test_each_code_fails_and_passes(code):
    failing, passing = FAIL_PASS[code]
    only(code, failing)
    assert codes(passing) == []


def test_every_venue_code_has_a_fixture_and_a_check():
    declared = sorted(r.code for r in venue.RULES)
    assert declared == sorted(FAIL_PASS) == [f"GC30{i}" for i in range(1, 10)]
    assert all(r.check is not None for r in venue.RULES)


# -- GC301 min notional ----------------------------------------------------------------


def test_gc301_message_numbers_are_hand_checked():
    # 0.15 x 2 = $0.30 < $1; 1 / 0.15 = 6.666..., up to the 0.01-share lot = 6.67 shares (6.67 x 0.15 = 1.0005;
    # 6.66 x 0.15 = 0.999 is under $1), and 6.67 >= the 5-share minimum (audit desk21 1: it said 7, more than it takes)
    findings, _ = lint(node(PM, 2, "0.15", venue="polymarket"))
    gc301 = next(f for f in findings if f.code == "GC301")
    assert gc301.where == ("nodes", 0, "quantity", "fixed", "qty_1e8")
    assert gc301.message == (
        "Polymarket order notional $0.30 is below the $1 minimum; the router accepts it but it never crosses."
    )
    assert gc301.hint == "Buy at least 6.67 shares at 0.15."
    assert "GC302" in [f.code for f in findings]  # 2 shares is also under 5


def test_gc301_hint_respects_min_size_and_side():
    # at 0.50, 2 shares clear $1 but the 5-share minimum wins
    findings, _ = lint(node(PM, 1, "0.50", venue="polymarket", side="sell"))
    gc301 = next(f for f in findings if f.code == "GC301")
    assert gc301.message.startswith("Polymarket order notional $0.50 ")
    assert gc301.hint == "Sell at least 5 shares at 0.5."


def test_gc301_market_order_uses_the_quote_ask_for_buys_and_bid_for_sells():
    quotes = {PM: Quote(bid=D("0.14"), ask=D("0.15"))}
    buy = only("GC301", node(PM, 6, venue="polymarket"), quotes=quotes)
    assert "$0.90" in buy.message and buy.hint == "Buy at least 6.67 shares at 0.15."  # 6 x 0.15; 6.67 x 0.15 = 1.0005
    sell = only("GC301", node(PM, 7, venue="polymarket", side="sell"), quotes=quotes)
    # 7 x 0.14 = 0.98; 1 / 0.14 = 7.142857..., up to the 0.01 lot = 7.15 (7.15 x 0.14 = 1.001; 7.14 x 0.14 = 0.9996)
    assert "$0.98" in sell.message and sell.hint == "Sell at least 7.15 shares at 0.14."


def test_gc301_market_order_without_quote_is_skipped_not_passed():
    findings, skips = lint(node(PM, 6, venue="polymarket"))
    assert findings == []
    gc301 = [s for s in skips if s.code == "GC301"]
    assert [(s.code, s.where) for s in gc301] == [("GC301", ("nodes", 0, "quantity"))]
    assert "no quote" in gc301[0].reason


def test_gc301_polymarket_one_dollar_boundary():
    # 4 x 0.25 = $1.00 exactly: at the minimum, not below it; 0.2499 x 4 = $0.9996 is below
    assert "GC301" not in codes(node(PM, 5, "0.20", venue="polymarket"))  # 5 x 0.20 = $1.00
    assert "GC301" not in codes(node(PM, 4, "0.25", venue="polymarket", side="sell"))
    below = only("GC301", node(PM, 5, "0.199", venue="polymarket"))  # 5 x 0.199 = $0.995, shown exactly
    assert below.message.startswith("Polymarket order notional $0.995 is below the $1 minimum")
    assert below.hint == "Buy at least 5.03 shares at 0.199."  # 1 / 0.199 = 5.025..., up to 5.03 (x 0.199 = 1.00097)


def test_gc301_hyperliquid_ten_dollars_and_kalshi_has_no_minimum():
    hl = only("GC301", node(HL, "0.0001", "50000", venue="hyperliquid", type="perp"), markets={HL: {"sz_decimals": 5}})
    assert "notional $5 is below the $10 minimum; the venue rejects it" in hl.message  # 0.0001 x 50000 = 5
    assert hl.hint == "Buy at least 0.0002 BTC at 50000."
    assert codes(node(KX, 1, "0.01", venue="kalshi")) == []  # $0.01 is fine on Kalshi


def test_gc301_coinbase_snapshot_and_binance_config():
    cb = only("GC301", node("BTC-USD", "0.00001", "50000", venue="coinbase", type="spot"))
    assert "$0.50 is below the $1 minimum" in cb.message and cb.hint == "Buy at least 0.00002 BTC at 50000."
    bn = node("BTCUSDT", "0.0001", "30000", venue="binance", type="spot")
    assert "GC301" in skipped(bn)  # Binance minimums are per symbol: unknown until configured
    found = only("GC301", bn, markets={"BTCUSDT": {"min_notional": 5, "lot": "0.00001"}})
    assert "3 USDT is below the 5 USDT minimum" in found.message  # 0.0001 x 30000 = 3


def test_gc301_derived_quantity_is_skipped():
    assert "derived" in skipped(node(PM, "derived", "0.15", venue="polymarket"))["GC301"].reason


# -- GC302 min size --------------------------------------------------------------------


def test_gc302_message_and_per_market_override():
    found = only("GC302", node(PM, 4, "0.30", venue="polymarket"))
    assert found.message == "size 4 shares is below polymarket's minimum of 5 shares"
    assert found.hint.startswith("Buy at least 5 shares (5 is polymarket's usual minimum;")
    assert codes(node(PM, 4, "0.30", venue="polymarket"), markets={PM: {"min_size": 1}}) == []


FRACTIONAL = {KX: {"fractional": True}}  # graphc.toml: [markets."KXRAIN-25DEC31-T1"] fractional = true


@pytest.mark.parametrize(
    ("qty", "layers", "found"),
    [
        # audit rulesB.md 1: a fractional Kalshi market (lot 0.01) has no 1-contract minimum. venue-rules.md §2:
        # "Fractional counts are allowed only where fractional_trading_enabled is true"; count_fp takes 0-2 dp.
        # The minimum is the lot: 0.01 passes; 0.005 is off the 0.01 lot (GC305) and under one lot (GC302, as
        # 0.5 is under one whole contract on a market that is not fractional).
        ("0.5", {"markets": FRACTIONAL}, []),
        ("0.01", {"markets": FRACTIONAL}, []),
        ("0.005", {"markets": FRACTIONAL}, ["GC302", "GC305"]),
        ("0.5", {"venues": {"kalshi": {"fractional": True}}}, []),
        # a snapshot lot of 0.01 is the market's lot (spec §3.3, its first layer) where graphc.toml says the market
        # is fractional, and the minimum follows it; elsewhere it is GC105 and not used, as the same lot in
        # graphc.toml is GC103 (audit selfcons24 1): whole contracts
        ("0.5", {"quotes": {KX: Quote(lot=D("0.01"))}, "markets": FRACTIONAL}, []),
        ("0.005", {"quotes": {KX: Quote(lot=D("0.01"))}, "markets": FRACTIONAL}, ["GC302", "GC305"]),
        ("0.5", {"quotes": {KX: Quote(lot=D("0.01"))}}, ["GC302", "GC305"]),
        # not fractional: whole contracts, as before (0.5 is off the lot of 1 and under the 1-contract minimum)
        ("0.5", {}, ["GC302", "GC305"]),
        ("0.5", {"markets": {KX: {"fractional": False}}}, ["GC302", "GC305"]),
        ("1", {}, []),
        # a min_size written in graphc.toml is a field of its own and still wins over the lot
        ("0.5", {"markets": {KX: {"fractional": True, "min_size": 1}}}, ["GC302"]),
    ],
)
def test_gc302_kalshi_minimum_is_the_lot_on_a_fractional_market(qty, layers, found):
    assert sorted(codes(node(KX, qty, "0.40", venue="kalshi"), **layers)) == found


def test_gc302_kalshi_fractional_minimum_in_the_facts():
    facts = MarketResolver({}, config(markets=FRACTIONAL)).facts(KX, "kalshi", "prediction")
    assert (facts.lot, facts.limits["amount"].min) == (D("0.01"), D("0.01"))
    assert MarketResolver().facts(KX, "kalshi", "prediction").limits["amount"].min == D(1)
    found = lint(node(KX, "0.005", "0.40", venue="kalshi"), markets=FRACTIONAL)[0]
    assert [(f.code, f.message) for f in found] == [
        ("GC302", "size 0.005 contracts is below kalshi's minimum of 0.01 contracts"),
        ("GC305", "size 0.005 contracts is not a multiple of kalshi's 0.01 lot"),
    ]


# -- GC303 tick ------------------------------------------------------------------------


def test_gc303_quote_tick_overrides_the_default():
    n = node(PM, 10, "0.555", venue="polymarket")
    assert codes(n) == []  # on the 0.001 default grid
    found = only("GC303", n, quotes={PM: Quote(tick=D("0.01"))})
    assert found.where == ("nodes", 0, "order_type", "limit", "price_1e9")
    assert found.message == "price 0.555 is not on polymarket's 0.01 tick"
    assert found.hint == "use 0.55 or 0.56"


def test_gc303_polymarket_0_0005_is_off_the_default_grid():
    findings, _ = lint(node(PM, 5000, "0.0005", venue="polymarket"))
    gc303 = next(f for f in findings if f.code == "GC303")
    assert gc303.message == "price 0.0005 is not on polymarket's 0.001 tick"
    assert gc303.hint.startswith("use 0.001 (0.001 is graphc's default check")  # 0 is out of range
    assert "GC304" in [f.code for f in findings]  # and below the 0.001 floor


def test_gc303_quote_beats_config_and_kalshi_bands():
    # spec §3.3: the snapshot's tick first, then [markets."SYMBOL"], then [venues.NAME], then the profile
    n = node(PM, 10, "0.555", venue="polymarket")
    assert codes(n, quotes={PM: Quote(tick=D("0.01"))}, markets={PM: {"tick": "0.001"}}) == ["GC303"]
    assert codes(n, markets={PM: {"tick": "0.01"}}, venues={"polymarket": {"tick": 0.001}}) == ["GC303"]
    assert codes(n, venues={"polymarket": {"tick": 0.01}}) == ["GC303"]
    assert codes(n, markets={PM: {"tick": "0.001"}}, venues={"polymarket": {"tick": 0.01}}) == []
    bands = {KX: {"price_level_structure": "tapered_deci_cent"}}
    assert codes(node(KX, 1, "0.055", venue="kalshi"), markets=bands) == []
    found = only("GC303", node(KX, 1, "0.555", venue="kalshi"), markets=bands)
    assert found.message == "price 0.555 is not on kalshi's 0.01 tick for prices 0.1-0.9"
    only("GC303", node(KX, 1, "0.055", venue="kalshi"))  # linear_cent by default


# -- GC304 range -----------------------------------------------------------------------


def test_gc304_ranges():
    found = only("GC304", node(KX, 1, "1.00", venue="kalshi"))
    assert found.message == "price 1 is outside kalshi's range 0.01-0.99"
    assert found.hint == "prediction prices are dollars per share (55c = 0.55); use a price in the range 0.01-0.99"
    # Polymarket's range follows the tick: 0.001-0.999 by default, 0.01-0.99 with a 0.01 tick
    assert codes(node(PM, 5, "0.999", venue="polymarket")) == []
    assert codes(node(PM, 5, "0.9995", venue="polymarket"), quotes={PM: Quote(tick=D("0.0001"))}) == []
    tight = MarketResolver({PM: Quote(tick=D("0.01"))}, config(markets={PM: {"tick": 0.001}}))
    assert tight.facts(PM, "polymarket", "prediction").limits["price"] == MinMax(D("0.01"), D("0.99"))
    # any prediction, even without a venue pin: strictly inside 0..1
    sor = only("GC304", node(PM, 5, "55", type="prediction"))
    assert sor.message == "price 55 is not strictly between 0 and 1" and "55c = 0.55" in sor.hint


@pytest.mark.parametrize(
    ("price", "tick", "flagged"),
    [
        ("0.99", None, False),  # the usual 0.01 tick: 0.01-0.99 (venue-rules.md §2, linear_cent)
        ("0.995", None, True),
        ("0.999", "0.001", False),  # a 0.001 tick (deci_cent / tapered bands): 0.001-0.999, the boundary
        ("1.00", "0.001", True),
        ("0.001", "0.001", False),
    ],
)
def test_gc304_kalshi_range_follows_the_markets_tick(price, tick, flagged):
    # audit refex.md 3: the page said 0.01-0.99 only; the range is tick .. 1 - tick, as the page now says
    quotes = {KX: Quote(tick=D(tick))} if tick else None
    found = [f.code for f in lint(node(KX, 1, price, venue="kalshi"), quotes=quotes)[0]]
    assert ("GC304" in found) is flagged, found


def test_gc304_unknown_range_is_skipped():
    assert "GC304" in skipped(node(HL, "0.001", "50000", venue="hyperliquid", type="perp"))


# -- GC305 lot -------------------------------------------------------------------------


def test_gc305_kalshi_fractional_contracts():
    found = only("GC305", node(KX, "2.5", "0.40", venue="kalshi"))
    assert found.message == "size 2.5 is not a whole number of contracts; kalshi trades whole contracts"
    assert found.hint.startswith("use 2 or 3 contracts")
    assert codes(node(KX, "2.5", "0.40", venue="kalshi"), markets={KX: {"fractional": True}}) == []


def test_gc305_polymarket_two_decimals_and_quote_lot():
    found = only("GC305", node(PM, "5.555", "0.50", venue="polymarket"))
    assert found.message == "size 5.555 shares is not a multiple of polymarket's 0.01 lot"
    assert found.hint == "use 5.55 or 5.56"
    assert codes(node(PM, "5.5", "0.50", venue="polymarket"), quotes={PM: Quote(lot=D(1))}) == ["GC305"]


def test_gc305_hyperliquid_sz_decimals_known_or_skipped():
    n = node(HL, "0.0015", "50000", venue="hyperliquid", type="perp")
    assert "sz_decimals" in skipped(n)["GC305"].reason
    found = only("GC305", n, markets={HL: {"sz_decimals": 3}})
    assert found.message == "size 0.0015 BTC is not a multiple of hyperliquid's 0.001 lot (szDecimals 3)"


# -- GC306 type ------------------------------------------------------------------------


def test_gc306_both_directions():
    found = only("GC306", node(KX, 3, "0.40", venue="kalshi", type="spot"))
    assert found.where == ("nodes", 0, "instrument", "type") and found.hint == "set type: prediction"
    reverse = only("GC306", node("BTC-USD", "0.001", "50000", venue="coinbase", type="prediction"))
    assert reverse.where == ("nodes", 0, "instrument", "venue")
    assert codes(node(PM, 5, "0.50", type="prediction")) == []  # no pin: the router picks


@pytest.mark.parametrize(
    "symbol",
    [
        "KXFEDDECISION-26DEC-C25",
        "will-it-rain:yes",
        "will-it-rain:NO",
        "https://polymarket.com/event/will-it-rain",
        "http://www.polymarket.com/event/will-it-rain",
        "12345678901234567890123",
        "0x" + "ab" * 32,
    ],
)
@pytest.mark.parametrize("kind", ["spot", "perp"])
def test_gc306_prediction_shaped_symbol_typed_spot_or_perp(symbol, kind):
    # the hosted-strategies reference's headline pitfall: typed spot, the router cannot route it
    found = only("GC306", node(symbol, 5, "0.50", type=kind))
    assert found.where == ("nodes", 0, "instrument", "type") and "market" in found.message
    assert codes(node(symbol, 5, "0.50", type="prediction")) == []


def untyped(leg):
    del leg["instrument"]["type"]
    return leg


@pytest.mark.parametrize("symbol", ["1" * 30, "0x" + "ab" * 32, "KXBTCZ-26DEC31-T99000"])
def test_gc306_prediction_shaped_symbol_without_a_type(symbol):
    # audit refex.md 1: the router reads a missing type as spot (GC111), so this node cannot be routed, the
    # same as one typed spot; it was only GC111's warning, and lint exited 0. A token id, a condition id and a
    # Kalshi ticker are not the Polymarket slugs and URLs the router normalizes (audit wire18 4)
    found = only("GC306", untyped(node(symbol, 5, "0.50")))
    assert found.message.endswith(
        "market, but the node gives no instrument type; the router would treat it as spot and cannot route it"
    )
    assert found.hint == 'add "type": "prediction" to the instrument'
    assert codes(node(symbol, 5, "0.50")) == []  # typed prediction: clean
    # Kalshi: the reference names no normalization, so a ticker pinned there without a type is read as spot
    pinned = only("GC306", untyped(node(KX, 5, "0.50", venue="kalshi")))
    assert pinned.message == (
        "kalshi is a prediction venue but the node gives no instrument type; the router assumes spot and "
        "cannot route it"
    )


@pytest.mark.parametrize("symbol", [PM, "will-btc-reach-150k-in-2025", "1" * 30, "0x" + "ab" * 32])
def test_a_symbol_pinned_to_polymarket_without_a_type_is_read_as_prediction_not_gc306(symbol):
    # audit rules26 3: "Polymarket slug/URL inputs are auto-normalized to prediction before routing"
    # (orders-and-execution-graphs.md, Node Fields), and pinned to polymarket a symbol is Polymarket's (a slug,
    # token id or URL: Simple Order), as a simple order with the same fields already read it; it was GC306
    assert codes(untyped(node(symbol, 5, "0.50", venue="polymarket"))) == []
    assert codes(untyped(node(symbol, 4, "0.50", venue="polymarket"))) == ["GC302"]  # checked as prediction
    assert codes(node(symbol, 5, "0.50", venue="polymarket", type="spot")) == ["GC306"]  # a type written out wins


@pytest.mark.parametrize(
    "symbol",
    [
        "https://polymarket.com/event/will-x",
        "http://www.polymarket.com/event/will-x",
        "will-x-happen:yes",
        "will-x-happen:NO",
    ],
)
def test_a_polymarket_url_or_slug_without_a_type_is_read_as_prediction_not_gc306(symbol):
    # audit wire18 4: orders-and-execution-graphs.md, Node Fields: Polymarket slug/URL inputs are auto-normalized
    # to prediction before routing, so the router does not read such a node as spot
    assert codes(untyped(node(symbol, 5, "0.50"))) == []
    assert codes(untyped(node(symbol, 5, "0.50", venue="polymarket"))) == []
    assert codes(untyped(node(symbol, 4, "0.50", venue="polymarket"))) == ["GC302"]  # checked as prediction
    # a type written out is what the router reads: typed spot or perp stays GC306 (spec §3.1)
    assert codes(node(symbol, 5, "0.50", type="spot")) == ["GC306"]


def test_an_untyped_spot_symbol_is_not_gc306():
    assert "GC306" not in codes(untyped(node("ETH-USD", 1, "2000")))


# -- GC307 unknown venue ---------------------------------------------------------------


def test_gc307_did_you_mean_and_config_venues():
    found = only("GC307", node(PM, 10, "0.50", venue="polymarkt"))
    assert found.where == ("nodes", 0, "instrument", "venue")
    assert "binance, coinbase, hyperliquid, kalshi, kraken, polymarket" in found.message
    assert found.hint == "did you mean 'polymarket'?"
    acme = node("X-USD", 1, "10", venue="acme", type="spot")
    assert (
        codes(
            acme,
            venues={
                "acme": {
                    "prediction": False,
                    "min_notional": 1,
                    "tick": "0.5",
                    "lot": 1,
                    "min_size": 1,
                    "price_min": 1,
                    "price_max": 100,
                }
            },
        )
        == []
    )
    # the other codes skip on an unknown venue rather than pass
    assert {"GC301", "GC302", "GC303", "GC305"} <= set(skipped(node(PM, 10, "0.50", venue="polymarkt")))


# -- GC308 price form ------------------------------------------------------------------


def test_gc308_significant_figures():
    found = only("GC308", node(HL, "0.01", "12345.6", venue="hyperliquid", type="perp"))
    assert found.message == (
        "price 12345.6 has 6 significant figures; hyperliquid allows at most 5 (integer prices are exempt)"
    )
    assert found.hint == "use 12345 or 12346"
    assert codes(node(HL, "0.001", "123456", venue="hyperliquid", type="perp")) == []


def test_gc308_decimals_need_sz_decimals():
    n = node("ETH-USD-PERP", "1", "12.345", venue="hyperliquid", type="perp")  # 5 figures, 3 decimals
    assert "szDecimals" in skipped(n)["GC308"].reason and codes(n) == []
    assert codes(n, markets={"ETH-USD-PERP": {"sz_decimals": 3}}) == []  # 3 <= 6 - 3
    found = only("GC308", n, markets={"ETH-USD-PERP": {"sz_decimals": 4}})
    assert found.message == (
        "price 12.345 has 3 decimals; hyperliquid allows at most 2 for ETH-USD-PERP (6 - szDecimals 4)"
    )
    assert found.hint == "use 12.34 or 12.35"
    spot = node("PURR/USDC", "100", "0.123456", venue="hyperliquid", type="spot")  # 8 - 2 = 6 decimals
    assert codes(spot, markets={"PURR/USDC": {"sz_decimals": 2}}) == ["GC308"]  # 6 figures
    assert (
        codes(
            node("PURR/USDC", "100", "0.12345", venue="hyperliquid", type="spot"),
            markets={"PURR/USDC": {"sz_decimals": 2}},
        )
        == []
    )


# -- SOR, helpers, config ----------------------------------------------------------------


def test_unpinned_leg_is_checked_with_the_facts_that_are_known():
    # no venue: the router picks it, so its minimums are unknown (skipped, said so), but the
    # snapshot's tick and lot are the market's own and are checked
    unpinned = node("ETH-USD", "1.5", "2000.05", type="spot")
    findings, skips = lint(unpinned)
    assert findings == [] and {"GC301", "GC302", "GC303", "GC305", "GC309"} <= {s.code for s in skips}
    assert "no venue pinned" in skipped(unpinned)["GC301"].reason
    quotes = {"ETH-USD": Quote(bid=D(2000), ask=D("2000.1"), tick=D("0.1"), lot=D("0.01"))}
    found = only("GC303", unpinned, quotes=quotes)
    assert found.message == "price 2000.05 is not on the venue's 0.1 tick"
    assert codes(node("ETH-USD", "1.505", "2000.1", type="spot"), quotes=quotes) == ["GC305"]
    assert codes(node("ETH-USD", "1.5", "2000.05", type="spot"), markets={"ETH-USD": {"tick": "0.1"}}) == ["GC303"]


PM_URL = "https://polymarket.com/event/will-it-rain"


@pytest.mark.parametrize(
    ("symbol", "qty", "price", "code"),
    [
        (KX, "2.5", "0.40", "GC305"),  # Kalshi: whole contracts
        (KX, 3, "0.405", "GC303"),  # Kalshi: 0.01 tick
        (PM_URL, 4, "0.30", "GC302"),  # Polymarket: 5 shares at least
        (f"{PM_URL}:yes", 6, "0.15", "GC301"),  # Polymarket: $0.90 < $1
    ],
)
def test_unpinned_prediction_node_is_checked_on_the_venue_its_symbol_names(symbol, qty, price, code):
    # spec §3.1 rules 3-4: the symbol names the venue, and the router routes it there; before, the venue
    # checks of such a wire node were all skipped ("no venue pinned"), so a reject passed lint
    assert codes(node(symbol, qty, price)) == [code]


def test_unpinned_prediction_node_at_the_venue_boundaries_is_clean():
    # 5 shares x $0.20 = exactly $1.00 (Polymarket's minimums, venue-rules.md); 3 whole Kalshi contracts
    findings, skips = lint(node(f"{PM_URL}:yes", 5, "0.20"), node(KX, 3, "0.40", node_id="b"))
    assert findings == []
    assert "no venue pinned" not in " ".join(s.reason for s in skips)


def test_reference_graph_lints_clean():
    wire = [node("ETH-USD", 200, type="spot"), node("ETH-USD-PERP", 200, venue="hyperliquid", type="perp")]
    findings, skips = lint(*wire)
    assert findings == [] and {s.code for s in skips} == {"GC301", "GC302", "GC305", "GC309"}


def test_plain_numbers_and_the_resolver():
    assert [plain(D(x)) for x in ("100", "0.500", "1E+2", "0.00000001")] == ["100", "0.5", "100", "0.00000001"]
    resolver = MarketResolver()
    assert not resolver.facts("X", "nowhere", "spot").known_venue and resolver.facts("X", None, "spot").venue is None
    assert resolver.facts(KX, "Kalshi", "prediction").precision == {"amount": D(1), "price": D("0.01")}


# -- TWAP slices: each slice is an order at the venue ----------------------------------------------------------
# The reference gives only `pacing.uniform {num_slices, interval_ms}`; uniform slices of qty / num_slices are
# each sent to the venue, so a slice under the venue's minimum is rejected there even when the whole order is not.
# The reference does not say how the router sizes slices, so these are warnings (GC301/GC302 stay errors for
# the whole order).


def twap(leg, slices, every_ms=30000):
    leg["execution"]["pacing"] = {"uniform": {"num_slices": slices, "interval_ms": every_ms}}
    return leg


def test_twap_slices_below_polymarkets_5_share_and_1_dollar_minimums_are_warnings():
    # 10 shares at 0.55 in 10 slices: 1 share ($0.55) a slice, under 5 shares and under $1
    findings, _ = lint(twap(node(PM, "10", "0.55", venue="polymarket"), 10))
    by_code = {f.code: f for f in findings}
    assert sorted(by_code) == ["GC301", "GC302"]
    assert all(f.severity == "warning" for f in findings)
    assert by_code["GC302"].message == (
        "10 shares in 10 TWAP slices is under polymarket's minimum of 5 shares a slice (each slice is an order)"
    )
    assert by_code["GC302"].hint.startswith("Use at most 2 slices")  # 10 shares / 5 a slice
    assert "$5.50 in 10 TWAP slices is under the $1 minimum a slice" in by_code["GC301"].message
    assert by_code["GC301"].hint.startswith("Use at most 5 slices")  # $5.50 / $1 a slice


@pytest.mark.parametrize(
    "qty, slices, flagged",
    [("50", 10, False), ("49.99", 10, True), ("5", 1, False)],  # 50 / 10 = 5 shares a slice, exactly the minimum
)
def test_twap_slice_minimum_boundary(qty, slices, flagged):
    findings, _ = lint(twap(node(PM, qty, "0.55", venue="polymarket"), slices))
    assert ("GC302" in [f.code for f in findings]) is flagged, findings


def test_twap_slice_notional_boundary_is_the_minimum_itself():
    # 50 shares at 0.2 = $10 in 10 slices = 5 shares and $1.00 a slice: passes; at 0.199 it is $0.995 a slice
    assert codes(twap(node(PM, "50", "0.2", venue="polymarket"), 10)) == []
    assert codes(twap(node(PM, "50", "0.199", venue="polymarket"), 10)) == ["GC301"]


def test_a_whole_order_under_the_minimum_is_one_error_not_also_a_slice_warning():
    findings, _ = lint(twap(node(PM, "4", "0.5", venue="polymarket"), 2))
    assert [(f.code, f.severity) for f in findings] == [("GC302", None)]


# -- GC309 with one of the two maximums known (audit venue.md finding 5) -----------------------------------
# venue-rules.md §6: "`None` means unknown and must produce a warning, never a silent pass". No profile and no
# setting states "no maximum" (MinMax.max None is always unknown), so the unknown half is always a skip.

XYZ = "XYZ-USD"  # a Coinbase product with no built-in facts: only what [markets."XYZ-USD"] gives


def xyz(qty, price=None, side="buy"):
    return node(XYZ, qty, price, venue="coinbase", type="spot", side=side)


def test_gc309_max_size_known_checks_the_size_and_skips_the_unknown_notional():
    markets = {XYZ: {"max_size": "10"}}
    # the audit's order: 10 at $100,000,000 ($1e9); the size is at the maximum (passes), the notional is unchecked
    findings, skips = lint(xyz(10, "100000000"), markets=markets)
    assert findings == []
    assert [(s.code, s.reason) for s in skips if s.code == "GC309"] == [
        (
            "GC309",
            f'coinbase\'s maximum notional for {XYZ} is unknown; set max_notional in [markets."{XYZ}"] of graphc.toml',
        )
    ]
    # one lot over the maximum size is the size finding, and nothing is left to skip (the order is refused anyway)
    found = only("GC309", xyz("10.00000001", "1"), markets=markets)
    assert found.message == f"size 10.00000001 XYZ is above coinbase's maximum of 10 XYZ for {XYZ}"
    assert "GC309" not in skipped(xyz("10.00000001", "1"), markets=markets)


def test_gc309_max_notional_known_checks_the_notional_and_skips_the_unknown_size():
    markets = {XYZ: {"max_notional": "1000"}}
    # 10 x 100 = 1000 exactly: at the maximum notional, passes; the size half is unknown: skipped
    findings, skips = lint(xyz(10, "100"), markets=markets)
    assert findings == []
    assert [(s.code, s.reason) for s in skips if s.code == "GC309"] == [
        ("GC309", f'coinbase\'s maximum size for {XYZ} is unknown; set max_size in [markets."{XYZ}"] of graphc.toml')
    ]
    # 10 x 100.01 = 1000.10, above 1000: the notional finding (in USD: the quote currency of XYZ-USD)
    found = only("GC309", xyz(10, "100.01"), markets=markets)
    assert found.message == f"order notional $1,000.10 is above coinbase's maximum of $1,000 for {XYZ}"
    # a market order without a quote: neither half can be decided; the skip says both
    reason = skipped(xyz(10), markets=markets)["GC309"].reason
    assert reason == (
        f"no limit price and no quote for {XYZ}: the notional is unknown; and coinbase's maximum size for {XYZ} "
        f'is unknown; set max_size in [markets."{XYZ}"] of graphc.toml'
    )


def test_gc309_both_maximums_known_is_no_skip_and_both_unknown_asks_for_both():
    assert "GC309" not in skipped(node("BTC-USD", "2500", "60000", venue="coinbase", type="spot"))
    assert skipped(xyz(1, "1"))["GC309"].reason == (
        f'coinbase\'s maximum size and notional for {XYZ} is unknown; set max_size and max_notional in [markets."{XYZ}"] '
        "of graphc.toml"
    )


# -- notionals in messages read on their side of the venue's bound (audit docs.md finding 2) -------------------


def test_gc301_a_notional_that_is_not_zero_is_not_shown_as_zero():
    # 0.001 PURR x 9.99 = 0.00999 USDC, below Hyperliquid's 10 USDC spot minimum: was "0.00 USDC"; shown exactly
    # (audit desk21 1), as every money figure, never rounded up or cut
    spot = node("PURR/USDC", "0.001", "9.99", venue="hyperliquid", type="spot")
    found = only("GC301", spot, markets={"PURR/USDC": {"sz_decimals": 3}})
    assert found.message.startswith("Hyperliquid order notional 0.00999 USDC is below the 10 USDC minimum;"), found
    # 0.999999 x 10 = 9.99999: below 10, and it reads below
    found = only("GC301", node("PURR/USDC", "0.999999", "10", venue="hyperliquid", type="spot"))
    assert found.message.startswith("Hyperliquid order notional 9.99999 USDC is below the 10 USDC minimum;"), found


def test_gc309_a_hair_above_the_maximum_notional_shows_the_hair():
    markets = {XYZ: {"max_notional": "1000"}}
    # 10 x 100.00001 = 1000.0001: was "$1,000.00 is above coinbase's maximum of $1,000.00"
    found = only("GC309", xyz(10, "100.00001"), markets=markets)
    assert found.message == f"order notional $1,000.0001 is above coinbase's maximum of $1,000 for {XYZ}"
    assert lint(xyz(10, "100"), markets=markets)[0] == []  # exactly at the maximum passes


# -- notionals are exact at any in-range size (audit rulesA.md 3) ----------------------------------------------
# A quote may have up to 40 significant digits (units.MAX_DIGITS), so quantity x quote can have more than the
# default context's 28: it was rounded, and could land on the bound itself.


def test_gc301_a_long_quote_a_hair_under_one_dollar_is_below_the_minimum():
    # 5 x 0.1999999999999999999999999999999 = 0.9999999999999999999999999999995 (31 digits, by hand: 5 x 2 = 10,
    # less 5 x 1e-31): below Polymarket's $1, though 28 digits round it to 1.000000000000000000000000000
    quotes = {PM: Quote(bid=D("0.19"), ask=D("0.1999999999999999999999999999999"))}
    found = only("GC301", node(PM, 5, venue="polymarket"), quotes=quotes)
    assert found.message.startswith(
        "Polymarket order notional $0.9999999999999999999999999999995 is below the $1 minimum"
    ), found.message
    # exactly $1.00 passes: 5 x 0.2
    assert "GC301" not in codes(node(PM, 5, venue="polymarket"), quotes={PM: Quote(bid=D("0.19"), ask=D("0.2"))})


def test_gc309_a_long_quote_a_hair_above_the_maximum_notional_is_above_it():
    markets = {XYZ: {"max_notional": "1000", "max_size": "1000000"}}
    # 10 x 100.0000000000000000000000000000001 = 1000.000000000000000000000000000001 (34 digits): above $1,000,
    # though 28 digits round it to 1000.000000000000000000000000
    quotes = {XYZ: Quote(bid=D("99"), ask=D("100.0000000000000000000000000000001"))}
    found = only("GC309", xyz(10), markets=markets, quotes=quotes)
    assert found.message == (
        f"order notional $1,000.000000000000000000000000000001 is above coinbase's maximum of $1,000 for {XYZ}"
    )
    assert lint(xyz(10), markets=markets, quotes={XYZ: Quote(bid=D("99"), ask=D("100"))})[0] == []  # at it: passes
    # 1 x 9e35 (36 digits): its cents were quantized in the 28-digit context, which raised InvalidOperation
    found = only("GC309", xyz("1"), markets=markets, quotes={XYZ: Quote(bid=D("1"), ask=D("9e35"))})
    assert found.message.startswith("order notional $900,000,000,000,000,000,000,000,000,000,000,000 is above")


def test_a_market_order_on_a_one_sided_quote_is_skipped_saying_which_side_is_missing():
    # audit rulesA.md 6: a snapshot's `ask: 0` is an empty side (a one-sided book), not a missing quote
    markets = {XYZ: {"max_notional": "1000", "max_size": "1000000", "min_notional": "1"}}
    buy = skipped(xyz(10), markets=markets, quotes={XYZ: Quote(bid=D("99"))})
    assert buy["GC301"].reason == f"market order and the quote for {XYZ} has no ask: the notional is unknown"
    assert buy["GC309"].reason == f"no limit price and the quote for {XYZ} has no ask: the notional is unknown"
    sell = skipped(xyz(10, side="sell"), markets=markets, quotes={XYZ: Quote(ask=D("99"))})
    assert sell["GC301"].reason == f"market order and the quote for {XYZ} has no bid: the notional is unknown"


def test_twap_slices_of_a_long_minimum_are_compared_exactly():
    # 3 shares in 3 slices against a 30-digit minimum of 1.00000000000000000000000000001 a slice: 3 slices need
    # 3.00000000000000000000000000003 shares, more than 3 (each slice is 1 share, under the minimum). The 28-digit
    # product rounded to 3 and the warning was lost.
    findings, _ = lint(
        twap(node(PM, "3", "0.5", venue="polymarket"), 3),
        markets={PM: {"min_size": "1.00000000000000000000000000001"}},
    )
    # (a `min_notional` under Polymarket's $1 is refused, audit cfg20 2: each $0.50 slice is also a GC301)
    assert [(f.code, f.severity) for f in findings if f.code != "GC301"] == [("GC302", "warning")]


# -- GC305 per TWAP slice (audit verdict17 1) ----------------------------------------------------------------
# graphc's equal-slice model (GC301, GC302: each slice is size / slices, its own order) holds for the lot too:
# a Kalshi slice of 1.5 contracts or a Polymarket slice of 5.001 shares is off the venue's lot.


@pytest.mark.parametrize(
    "symbol, venue_name, qty, slices, flagged",
    [
        (KX, "kalshi", "4", 2, False),  # 2 contracts a slice: whole
        (KX, "kalshi", "3", 2, True),  # 1.5 contracts a slice
        (KX, "kalshi", "3", 3, False),
        (KX, "kalshi", "3", 1, False),  # one slice: the whole order, on the lot
        (PM, "polymarket", "50.1", 10, False),  # 5.01 shares a slice: on the 0.01 lot
        (PM, "polymarket", "50.01", 10, True),  # 5.001 shares a slice
        (PM, "polymarket", "50.01", 1, False),
    ],
)
def test_twap_slice_lot_boundary(symbol, venue_name, qty, slices, flagged):
    findings, _ = lint(twap(node(symbol, qty, "0.5", venue=venue_name), slices))
    lot = [f for f in findings if f.code == "GC305"]
    assert bool(lot) is flagged, findings
    assert all(f.severity == "warning" for f in lot)


def test_twap_slice_off_the_lot_is_worded_like_the_minimum_slice_warnings():
    kalshi = only("GC305", twap(node(KX, "3", "0.5", venue="kalshi"), 2))
    assert kalshi.where == ("nodes", 0, "quantity", "fixed", "qty_1e8") and kalshi.severity == "warning"
    assert kalshi.message == (
        "3 contracts in 2 TWAP slices is 1.5 contracts a slice, not a whole number of contracts; kalshi trades "
        "whole contracts (each slice is an order)"
    )
    assert kalshi.hint.startswith("use 2 or 4 contracts (whole contracts in each of 2 slices)")
    poly = only("GC305", twap(node(PM, "50.01", "0.5", venue="polymarket"), 10))
    assert poly.message == (
        "50.01 shares in 10 TWAP slices is 5.001 shares a slice, not a multiple of polymarket's 0.01 lot "
        "(each slice is an order)"
    )
    assert poly.hint.startswith("use 50 or 50.1 shares (a multiple of 0.01 in each of 10 slices)")
    # a slice with no exact decimal size (1 contract in 3 slices) is not shown as a rounded number
    third = [f for f in lint(twap(node(KX, "10", "0.5", venue="kalshi"), 3))[0] if f.code == "GC305"]
    assert [f.message for f in third] == [
        "10 contracts in 3 TWAP slices is not a whole number of contracts a slice; kalshi trades whole contracts "
        "(each slice is an order)"
    ]


def test_a_whole_order_off_the_lot_is_one_error_not_also_a_slice_warning():
    findings, _ = lint(twap(node(KX, "2.5", "0.5", venue="kalshi"), 2))
    assert [(f.code, f.severity) for f in findings] == [("GC305", None)]


def test_one_contract_and_one_share_are_singular():
    findings, _ = lint(twap(node(KX, "1", "0.5", venue="kalshi"), 2))
    gc302 = next(f for f in findings if f.code == "GC302")
    assert gc302.message == (
        "1 contract in 2 TWAP slices is under kalshi's minimum of 1 contract a slice (each slice is an order)"
    )
    assert gc302.hint == "Send it as one order (no twap), or a larger order with at least 1 contract a slice."
    gc302 = next(f for f in lint(node(PM, "1", "0.5", venue="polymarket"))[0] if f.code == "GC302")
    assert gc302.message == "size 1 share is below polymarket's minimum of 5 shares"


def test_twap_slices_are_checked_against_a_lot_coarser_than_the_wire_only():
    # Coinbase BTC-USD's lot is the wire's 1e-8: $250k is 2.57066765 BTC, 0.257066765 in each of 10 slices, a size
    # the wire cannot carry, so the router rounds each slice to 1e-8 (onto the lot) itself: not GC305
    btc = node("BTC-USD", "2.57066765", "97251", venue="coinbase", type="spot")
    assert "GC305" not in codes(twap(btc, 10))
    # a coarser lot (Binance-like 0.00001): 0.00123 BTC in 10 slices is 0.000123 a slice, off the lot
    markets = {"BTC-USD": {"lot": "0.00001"}}
    coarse = node("BTC-USD", "0.00123", "97251", venue="coinbase", type="spot")
    found = next(f for f in lint(twap(coarse, 10), markets=markets)[0] if f.code == "GC305")
    assert found.message == (
        "0.00123 BTC in 10 TWAP slices is 0.000123 BTC a slice, not a multiple of coinbase's 0.00001 lot "
        "(each slice is an order)"
    )
    assert "GC305" not in codes(
        twap(node("BTC-USD", "0.0012", "97251", venue="coinbase", type="spot"), 10), markets=markets
    )
