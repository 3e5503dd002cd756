"""GC401-GC408: one failing wire graph and a near-identical passing one per code."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from graphc.quotes import Quote
from graphc.rules import execution
from tests.wire_nodes import alike, lint_both, run_rules_on, wire_node

QUOTES = {
    "ETH-USD": Quote(bid=Decimal("2000"), ask=Decimal("2001"), tick=Decimal("0.5")),
    "ETH-USD-PERP": Quote(bid=Decimal("2000"), ask=Decimal("2001")),
    "will-it-rain:yes": Quote(bid=Decimal("0.53"), ask=Decimal("0.55"), tick=Decimal("0.01")),
    "cheap:yes": Quote(bid=Decimal("0.040"), ask=Decimal("0.050"), tick=Decimal("0.001")),
    "BTC-USD": Quote(bid=Decimal("97250"), ask=Decimal("97251"), tick=Decimal("0.01")),
}


node = wire_node


def lint(nodes, edges=(), quotes=None):
    wire = {"nodes": list(nodes), "edges": list(edges), "is_sandbox": True}
    return run_rules_on(wire, execution.RULES, quotes=QUOTES if quotes is None else quotes)


def only(findings, code):
    assert {f.code for f in findings} == {code}, findings
    return [f for f in findings if f.code == code]


PACING = {"uniform": {"num_slices": 10, "interval_ms": 30000}}

# (failing execution fields, passing near-identical fields, field reported, words): the reference's
# Execution Policies table supports exactly these two contradictions
GC401_CASES = [
    (dict(policy="ioc_sweep", tif="GTC"), dict(policy="ioc_sweep", tif="IOC"), "tif", "GTC"),
    (
        dict(policy="passive_limit", price="2000", tif="IOC"),
        dict(policy="passive_limit", price="2000", tif="GTC"),
        "tif",
        "IOC",
    ),
    (dict(policy="passive_ladder", price="2000", tif="fok"), dict(policy="passive_ladder", price="2000"), "tif", "FOK"),
]

# Combinations the reference does not rule out (issue 11: they were false positives)
GC401_NOT_CONTRADICTIONS = [
    dict(policy="passive_limit"),  # a market order: the router posts at the touch
    dict(policy="passive_ladder"),
    dict(policy="time_drip", tif="FOK"),  # the SOR picks the tactic; each attempt may be immediate
    dict(policy="time_drip", tif="IOC"),
    dict(policy="ioc_sweep", pacing=PACING),  # each TWAP slice can be its own sweep
    dict(pacing=PACING, tif="IOC"),
]


def _node_with(fields):
    fields = dict(fields)
    return node(price=fields.pop("price", None), **fields)


@pytest.mark.parametrize("bad, good, field, words", GC401_CASES)
def test_gc401_contradiction(bad, good, field, words):
    [finding] = only(lint([_node_with(bad)])[0], "GC401")
    assert finding.where == ("nodes", 0, "execution", field)
    assert words in finding.message
    assert lint([_node_with(good)])[0] == []


@pytest.mark.parametrize("fields", GC401_NOT_CONTRADICTIONS)
def test_gc401_is_silent_where_the_reference_allows_it(fields):
    assert lint([_node_with(fields)])[0] == []


def test_gc402_twap_longer_than_horizon():
    [finding] = only(lint([node(pacing=PACING, horizon_ms=60000)])[0], "GC402")
    assert finding.where == ("nodes", 0, "execution", "pacing", "uniform", "num_slices")  # wirelint23 6
    assert "300000 ms" in finding.message and "60000" in finding.message


def test_gc402_names_durations_in_the_largest_whole_unit():
    [finding] = only(
        lint([node(pacing={"uniform": {"num_slices": 3, "interval_ms": 1_800_000}}, horizon_ms=5_399_999)])[0], "GC402"
    )
    assert "= 5400000 ms (90m) runs longer than horizon_ms 5399999 (5399999ms)" in finding.message


def test_gc402_on_an_interval_past_28_digits_is_a_finding_not_a_crash():
    """`ms % 3600000` divided in the 28-digit context: a wire graph's 34-digit interval_ms crashed lint (exit 4)."""
    interval = 5314106691888767 * 10**18  # a multiple of every unit, written out in ms
    [finding] = only(
        lint([node(pacing={"uniform": {"num_slices": 1, "interval_ms": interval}}, horizon_ms=3_600_000)])[0], "GC402"
    )
    assert f"= {interval} ms ({interval}ms) runs longer than horizon_ms 3600000 (1h)" in finding.message


def test_gc402_passes_when_the_pacing_fits_exactly():
    assert lint([node(pacing=PACING, horizon_ms=300000)])[0] == []


@pytest.mark.parametrize("bps, severity", [(0, None), (-5, None), (20000, None), (600, "warning")])
def test_gc403_slippage(bps, severity):
    [finding] = only(lint([node(max_slippage_bps=bps)])[0], "GC403")
    assert finding.where == ("nodes", 0, "execution", "max_slippage_bps")
    assert str(bps) in finding.message
    assert finding.severity == severity


@pytest.mark.parametrize("bps", [1, 25, 500])
def test_gc403_passes(bps):
    assert lint([node(max_slippage_bps=bps)])[0] == []


def test_gc404_buy_at_the_ask_hints_one_tick_across():
    [finding] = only(lint([node(price="2001")])[0], "GC404")
    assert finding.where == ("nodes", 0, "order_type")
    assert "exactly the ask" in finding.message
    assert "buy at 2001.5" in finding.hint and "tick 0.5" in finding.hint


def test_gc404_sell_at_the_bid_without_a_tick():
    """A wire node holds a price: the hint is one (a digit of the quote under the bid), not `bid - 1 tick`, which
    would be GC109 without the tick in a playbook and is nothing to write in a wire graph (audit ruledoc21 1)."""
    [finding] = only(lint([node(side="sell", price="2000", symbol="ETH-USD-PERP")])[0], "GC404")
    assert "exactly the bid" in finding.message
    assert finding.hint == "cross the bid: sell at 1999 or below, or rest inside the spread"


@pytest.mark.parametrize("side, price", [("buy", "2001.5"), ("buy", "2000"), ("sell", "2001"), ("sell", "1999.5")])
def test_gc404_passes_off_the_touch(side, price):
    assert lint([node(side=side, price=price)])[0] == []


def test_gc404_and_gc406_skip_without_a_quote():
    findings, skips = lint([node(price="2001")], quotes={})
    assert findings == []
    assert {skip.code for skip in skips} == {"GC404", "GC406"}


HEDGE_EDGE = {
    "edge_id": "e0",
    "from_node": "spot",
    "to_node": "hedge",
    "trigger": "on_fill_ratio",
    "condition": {"fill_ratio_gte": Decimal("0.5")},
}


def test_gc405_hedge_size_differs():
    nodes = [node(qty="200"), node("hedge", "sell", "150", symbol="ETH-USD-PERP", activation="wait")]
    [finding] = only(lint(nodes, [HEDGE_EDGE])[0], "GC405")
    assert finding.where == ("nodes", 1, "quantity")
    assert "150" in finding.message and "200" in finding.message


@pytest.mark.parametrize(
    "hedge",
    [
        node("hedge", "sell", "200", symbol="ETH-USD-PERP", activation="wait"),  # same size
        node("hedge", "buy", "150", activation="wait"),  # same side, same instrument: an add, not a hedge
        node("hedge", "sell", "derived", symbol="ETH-USD-PERP", activation="wait"),  # follows the fills
        node("hedge", "sell", "100", activation="wait"),  # a scale-out exit on the same instrument
    ],
)
def test_gc405_passes(hedge):
    assert lint([node(qty="200"), hedge], [HEDGE_EDGE])[0] == []


def test_gc405_needs_a_fill_edge():
    nodes = [node(qty="200"), node("hedge", "sell", "150", symbol="ETH-USD-PERP", activation="wait")]
    edge = {"edge_id": "e0", "from_node": "spot", "to_node": "hedge", "trigger": "on_accepted"}
    assert lint(nodes, [edge])[0] == []


def test_gc406_far_from_mid_on_spot():
    [finding] = only(lint([node(price="2300")])[0], "GC406")  # mid 2000.5: 14.97% above
    assert finding.where == ("nodes", 0, "order_type")
    assert "15.0% above the quote mid 2000.5" in finding.message


def test_gc406_just_over_the_boundary_reads_as_over():
    # 2200.56 against the 2000.5 mid: 200.06 / 2000.5 = 0.10000499875...: one decimal would say "10.0% ...
    # (more than 10%)" (audit graph.md 5); the digits that show it is more are cut, never rounded up
    [finding] = only(lint([node(price="2200.56")])[0], "GC406")
    assert "limit 2200.56 is 10.0004% above the quote mid 2000.5 (more than 10%)" in finding.message


@pytest.mark.parametrize(
    "price, flagged",
    [
        ("2200.55", False),  # exactly 10% above the 2000.5 mid: "more than 10%" is not met
        ("1800.45", False),  # exactly 10% below
        ("2200.56", True),  # just above 10%
        ("1800.44", True),  # just below -10%
    ],
)
def test_gc406_ten_percent_boundary(price, flagged):
    # a flipped comparison (>= for >) must fail here: the boundary itself passes
    findings, _ = lint([node(price=price)])
    assert ([f.code for f in findings] == ["GC406"]) is flagged


@pytest.mark.parametrize(
    "price, flagged",
    [
        ("0.051", False),  # the reference's "cross by one tick" on a cheap outcome: 0.006 from the 0.045 mid
        ("0.145", False),  # exactly 0.10 above the mid: not more than 0.10
        ("0.1451", True),
        ("0.80", True),
    ],
)
def test_gc406_is_absolute_on_prediction_markets(price, flagged):
    findings, _ = lint([node(price=price, symbol="cheap:yes", type="prediction")])
    assert ([f.code for f in findings] == ["GC406"]) is flagged
    if flagged:
        assert "on a prediction market" in findings[0].message


def test_gc406_prediction_message():
    [finding] = only(lint([node(price="0.80", symbol="will-it-rain:yes", type="prediction")])[0], "GC406")
    assert finding.message == (
        "node 'spot' limit 0.8 is 0.26 above the quote mid 0.54 (more than 0.1 on a prediction market)"
    )


def _on_price(src, dst, direction="below", offset="-5.0", symbol="BTC-USD", j=0):
    trigger = {
        "on_price": {
            "symbol": symbol,
            "direction": direction,
            "reference": "graph_entry_price",
            "offset_pct": Decimal(offset),
        }
    }
    return {"edge_id": f"e{j}", "from_node": src, "to_node": dst, "trigger": trigger}


def test_gc407_stop_priced_from_todays_bid_rests():
    # entry limit 97000; the stop fires at 97000 x 0.95 = 92150; a sell limit at 96763.75 is above it
    nodes = [
        node("entry", qty="0.25", price="97000", symbol="BTC-USD"),
        node("stop", "sell", "0.25", price="96763.75", symbol="BTC-USD", activation="wait"),
    ]
    [finding] = only(lint(nodes, [_on_price("entry", "stop")])[0], "GC407")
    assert finding.where == ("nodes", 1, "order_type")
    assert "about 92150" in finding.message and "96763.75" in finding.message
    # a wire node holds a price: the one `limit: trigger - 0.5%` compiles to (audit ruledoc21 4)
    assert finding.hint == (
        "price it at or below the level it fires at (about 92150), e.g. sell at 91689.25, or make it a market order "
        '("order_type": "market")'
    )


@pytest.mark.parametrize(
    "stop",
    [
        node("stop", "sell", "0.25", price="91689.25", symbol="BTC-USD", activation="wait"),  # trigger - 0.5%
        node("stop", "sell", "0.25", price="92150", symbol="BTC-USD", activation="wait"),  # exactly the level
        node("stop", "sell", "0.25", symbol="BTC-USD", activation="wait"),  # a market order
    ],
)
def test_gc407_passes_when_marketable_at_the_level(stop):
    nodes = [node("entry", qty="0.25", price="97000", symbol="BTC-USD"), stop]
    assert lint(nodes, [_on_price("entry", "stop")])[0] == []


def test_gc407_buy_stop_and_mid_reference():
    # a market-order entry has no limit: the reference is the BTC-USD mid 97250.5; +5%: 97250.5 + 4862.525 = 102113.025
    nodes = [
        node("entry", "sell", "0.25", symbol="BTC-USD"),
        node("cover", "buy", "0.25", price="97300", symbol="BTC-USD", activation="wait"),
    ]
    [finding] = only(lint(nodes, [_on_price("entry", "cover", "above", "5.0")])[0], "GC407")
    assert "about 102113.025" in finding.message and "below that level" in finding.message
    findings, skips = lint(nodes, [_on_price("entry", "cover", "above", "5.0")], quotes={})
    assert findings == [] and "GC407" in {s.code for s in skips}


def test_gc407_hint_on_one_limit_behind_two_levels_says_split_the_leg():
    # audit spec.md 2: a buy behind a stop (-5%: 97000 x 0.95 = 92150) and a take-profit (+5%: 101850) at 92610.75
    # (92150 x 1.005, `trigger + 0.5%` of the first level) rests when the +5% one fires. Suggesting
    # `limit: trigger + 0.5%` (the old hint) loops: that is what gave 92610.75. One limit cannot suit both.
    nodes = [
        node("entry", "sell", "0.25", price="97000", symbol="BTC-USD"),
        node("exit", "buy", "0.25", price="92610.75", symbol="BTC-USD", activation="wait"),
    ]
    edges = [_on_price("entry", "exit"), _on_price("entry", "exit", "above", "5.0", j=1)]
    [finding] = only(lint(nodes, edges)[0], "GC407")
    assert "about 101850" in finding.message
    assert finding.hint == (
        "one limit cannot suit triggers at 2 different levels: split the node into one node per on_price edge, each "
        'priced at or above its own level, or make it a market order ("order_type": "market")'
    )


def test_gc407_skips_a_stop_on_another_symbol_than_its_trigger():
    # audit price.md 1: the compiled ETH-USD stop at 91926.04 behind a BTC-USD move. Where ETH-USD trades when
    # BTC-USD falls 5% is unknown, so the limit cannot be judged: a skip, never a silent pass (spec §8)
    nodes = [
        node("entry", qty="1", price="2000", symbol="ETH-USD"),
        node("stop", "sell", "1", price="91926.04", symbol="ETH-USD", activation="wait"),
    ]
    findings, skips = lint(nodes, [_on_price("entry", "stop")])
    assert findings == []
    [skip] = [s for s in skips if s.code == "GC407"]
    assert skip.reason == (
        "edge e0 watches BTC-USD but 'stop' trades ETH-USD: the ETH-USD price when it fires is unknown, "
        "so its limit cannot be compared with the trigger level"
    )
    assert {s.code for s in skips} == {"GC404", "GC406", "GC407"}  # GC404/GC406: it waits for a price move


def test_gc407_judges_the_same_symbol_edge_beside_a_cross_symbol_one():
    # two on_price edges: the BTC-USD one is skipped, the ETH-USD one is still judged (2000 x 0.95 = 1900;
    # a sell at 1950 is above it)
    nodes = [
        node("entry", qty="1", price="2000", symbol="ETH-USD"),
        node("stop", "sell", "1", price="1950", symbol="ETH-USD", activation="wait"),
    ]
    edges = [_on_price("entry", "stop", j=0), _on_price("entry", "stop", symbol="ETH-USD", j=1)]
    findings, skips = lint(nodes, edges)
    [finding] = only(findings, "GC407")
    assert "about 1900" in finding.message
    assert [s.reason for s in skips if s.code == "GC407"] == [
        "edge e0 watches BTC-USD but 'stop' trades ETH-USD: the ETH-USD price when it fires is unknown, "
        "so its limit cannot be compared with the trigger level"
    ]


def test_gc407_market_order_on_another_symbol_passes():
    # a market order fills wherever ETH-USD is when BTC-USD falls: nothing to judge, nothing skipped
    nodes = [
        node("entry", qty="1", price="2000", symbol="ETH-USD"),
        node("stop", "sell", "1", symbol="ETH-USD", activation="wait"),
    ]
    findings, skips = lint(nodes, [_on_price("entry", "stop")])
    assert findings == [] and "GC407" not in {s.code for s in skips}


def _bracket(tp="0.25", stop="0.25", entry="0.5"):
    nodes = [
        node("entry", qty=entry, price="97000", symbol="BTC-USD"),
        node("take-profit", "sell", tp, symbol="BTC-USD", activation="wait"),
        node("stop", "sell", stop, symbol="BTC-USD", activation="wait"),
    ]
    edges = [_on_price("entry", "take-profit", "above", "3.0", j=0), _on_price("entry", "stop", "below", "-2.0", j=1)]
    return nodes, edges


def test_gc408_exits_that_each_sell_the_whole_entry():
    [finding] = only(lint(*_bracket("0.5", "0.5"))[0], "GC408")
    assert finding.where == ("nodes", 2, "quantity")
    assert finding.message.startswith("exits of 'entry' (take-profit 0.5, stop 0.5) sell 1 BTC-USD, more than the 0.5")


@pytest.mark.parametrize("tp, stop", [("0.25", "0.25"), ("0.5", "0"), ("0.3", "0.2")])
def test_gc408_passes_up_to_the_parent_size(tp, stop):
    nodes, edges = _bracket(tp, stop)
    if stop == "0":
        nodes, edges = nodes[:2], edges[:1]
    assert lint(nodes, edges)[0] == []


def test_gc408_derived_exits_count_the_whole_parent():
    assert [f.code for f in lint(*_bracket("derived", "0.1"))[0]] == ["GC408"]


def _exits(sizes, entry="0.1"):
    """An entry and one sell exit per size, each waiting on an on_price edge from it (audit verdict17 2)."""
    names = ["stop", "stop2", "tp"] if len(sizes) == 3 else [f"x{i}" for i in range(len(sizes))]
    nodes = [node("entry", qty=entry, price="97000", symbol="BTC-USD")]
    nodes += [node(n, "sell", size, symbol="BTC-USD", activation="wait") for n, size in zip(names, sizes, strict=True)]
    return nodes, [_on_price("entry", n, j=j) for j, n in enumerate(names)]


def test_gc408_names_every_exit_and_their_full_total():
    # three 0.1 exits of a 0.1 entry sell 0.3, not the 0.2 counted up to the first crossing; tp is named too
    [finding] = only(lint(*_exits(["0.1", "0.1", "0.1"]))[0], "GC408")
    assert finding.where == ("nodes", 2, "quantity")  # still at the exit where the total first passes the entry
    assert finding.message == (
        "exits of 'entry' (stop 0.1, stop2 0.1, tp 0.1) sell 0.3 BTC-USD, more than the 0.1 it buys; the router "
        "has no one-cancels-other, so if they all fire the position flips"
    )
    assert finding.hint == "split 0.1 between the exits, or cancel the survivor yourself when one fills"


def test_gc408_names_at_most_the_listed_bound_of_exits():
    [finding] = only(lint(*_exits(["0.1"] * 25))[0], "GC408")
    assert "(x0 0.1, x1 0.1, " in finding.message and "x19 0.1 … and 5 more) sell 2.5 BTC-USD" in finding.message
    assert "x20" not in finding.message


def test_gc408_an_exit_of_unknown_size_after_the_overfill_makes_the_total_a_floor():
    nodes, edges = _exits(["0.1", "0.1", "derived"])
    nodes[3]["quantity"] = {"fixed": {"qty_1e8": "lots"}}  # malformed: its size is unknown
    findings, skips = lint(nodes, edges)
    [finding] = only(findings, "GC408")
    assert "(stop 0.1, stop2 0.1, tp of unknown size) sell at least 0.2 BTC-USD" in finding.message
    assert "GC408" not in {s.code for s in skips}  # decided: the known exits already overfill
    # an unknown exit before the total passes the entry leaves it undecided: skipped, never passed
    nodes, edges = _exits(["0.05", "0.05", "0.05"])
    nodes[1]["quantity"] = {"fixed": {"qty_1e8": "lots"}}
    findings, skips = lint(nodes, edges)
    assert "GC408" not in {f.code for f in findings}
    assert [(s.code, s.reason) for s in skips if s.code == "GC408"] == [
        ("GC408", "the size of exit 'stop' is not known")
    ]


def test_malformed_nodes_never_raise():
    nodes = [
        None,
        {"node_id": "x", "execution": "fast", "order_type": {"limit": 3}},
        {"execution": {"max_slippage_bps": Decimal("NaN"), "tif": 5, "policy": ["x"], "pacing": {"uniform": 1}}},
    ]
    edges = [None, {"from_node": ["x"], "to_node": "x", "trigger": "on_fill"}]
    assert lint(nodes, edges)[0] == []


# A leg behind an on_price edge is placed only once the market has moved (spec §4, the trigger base: quote bases
# are "stale for a leg that waits for a price move"). GC404/GC406 compare a limit with today's quote, so they
# skip such a leg, with the reason, instead of judging it against a market it will never meet (audit graph.md 3).
WAITS = "'stop' waits for a price move (on_price); today's quote does not describe the market it will meet"


def test_gc406_skips_a_stop_priced_from_its_trigger():
    # entry 97000, -15% stop: fires at 82450; `limit: trigger - 0.5%` = 82037.75, 15.6% below the 97250.5 mid
    nodes = [
        node("entry", qty="0.25", price="97000", symbol="BTC-USD"),
        node("stop", "sell", "0.25", price="82037.75", symbol="BTC-USD", activation="wait"),
    ]
    findings, skips = lint(nodes, [_on_price("entry", "stop", offset="-15.0")])
    assert findings == []  # GC407 passes too: 82037.75 is below the 82450 level
    assert [(s.code, s.where, s.reason) for s in skips if s.code in ("GC404", "GC406")] == [
        ("GC404", ("nodes", 1, "order_type"), WAITS),
        ("GC406", ("nodes", 1, "order_type"), WAITS),
    ]


def test_gc404_skips_a_take_profit_that_sells_at_todays_bid():
    # a sell at exactly today's 97250 bid after a +5% move (about 101850): deeply marketable then, not racy
    nodes = [
        node("entry", qty="0.25", price="97000", symbol="BTC-USD"),
        node("stop", "sell", "0.25", price="97250", symbol="BTC-USD", activation="wait"),
    ]
    findings, skips = lint(nodes, [_on_price("entry", "stop", "above", "5.0")])
    assert "GC404" not in {f.code for f in findings} and "GC406" not in {f.code for f in findings}
    assert {(s.code, s.reason) for s in skips} >= {("GC404", WAITS), ("GC406", WAITS)}


def test_a_leg_after_a_fill_is_still_compared_with_the_quote():
    # not behind an on_price edge: placed at once when the entry fills, into today's market
    nodes = [
        node("entry", qty="0.25", price="97000", symbol="BTC-USD"),
        node("tp", "sell", "0.25", price="97250", symbol="BTC-USD", activation="wait"),
    ]
    edge = {"edge_id": "e0", "from_node": "entry", "to_node": "tp", "trigger": "on_full_fill"}
    findings, skips = lint(nodes, [edge])
    assert [f.code for f in findings] == ["GC404"]
    assert not any("waits for a price move" in s.reason for s in skips)


@pytest.mark.parametrize(
    "price, flagged",
    [("2200.55", False), ("1800.45", False), ("2200.56", True), ("1800.44", True)],  # 10% of the 2000.5 mid
)
def test_gc406_boundary_holds_for_a_leg_after_a_fill(price, flagged):
    nodes = [node("entry", qty="1", price="2000"), node("tp", "sell", "1", price=price, activation="wait")]
    edge = {"edge_id": "e0", "from_node": "entry", "to_node": "tp", "trigger": "on_fill"}
    findings, skips = lint(nodes, [edge])
    assert ([f.code for f in findings] == ["GC406"]) is flagged
    assert [s for s in skips if s.code == "GC406"] == []


# Audit rulesB.md 2: with the Polymarket tick unknown, a generated price goes on the 0.01 grid (playbook-spec.md
# §4: "the coarsest grid the venue may have"), buys down and sells up. With bid 0.554 / ask 0.556 (a 0.001
# market: hosted-strategies.md, "the displayed quote tick is the source of truth") `limit: ask` on a buy is
# 0.556 rounded down to 0.55, below the bid, and `limit: bid` on a sell 0.554 rounded up to 0.56, above the ask:
# written to take, they rest. The price stays what the spec says; GC404 says so. Only a playbook knows that the
# price came from the quote: its wire graph linted as JSON has a plain 0.55 buy, a resting order like any other.
TOUCH_PLAYBOOK = """\
graphc: 1
name: t
legs:
  take-bid:
    sell: 10 shares
    symbol: X-pm:yes
    limit: {sell}
  take-ask:
    buy: 10 shares
    symbol: X-pm:yes
    limit: {buy}
"""
ODD_QUOTE = {"bid": "0.554", "ask": "0.556"}


def _touch(quote, buy="ask", sell="bid"):
    """The compiled prices of the two legs, and lint's GC404 findings as (line, message, hint)."""
    import graphc
    from graphc.pipeline import CompileOptions, compile_text

    text = TOUCH_PLAYBOOK.format(buy=buy, sell=sell)
    quotes = {"X-pm:yes": {k: Decimal(v) for k, v in quote.items()}}
    result = compile_text(text, "t.yaml", CompileOptions(quotes=graphc._quotes(quotes)))
    assert result.wire is not None, result.diagnostics
    prices = [Decimal(n["order_type"]["limit"]["price_1e9"]) / 10**9 for n in result.wire["nodes"]]
    linted = graphc.lint_text(text, "t.yaml", quotes=quotes).diagnostics
    return prices, [(d.span.line, d.message, d.hint) for d in linted if d.code == "GC404"], linted


def test_gc404_a_touch_the_unknown_tick_moves_across_the_spread():
    prices, found, linted = _touch(ODD_QUOTE)
    assert prices == [Decimal("0.56"), Decimal("0.55")]  # the spec's price, unchanged
    grid = "polymarket's 0.01 grid for generated prices (the market's tick is unknown; playbook-spec.md §4)"
    assert found == [
        (
            7,
            f"node 'take-bid' sells at 0.56, above the ask 0.556: `limit: bid` is 0.554, rounded up onto {grid}, "
            "so the order rests instead of taking the bid",
            "give the market's tick in the quotes snapshot (`tick: 0.001` if that is its tick: the displayed "
            "quote tick is the source of truth) and cross with `bid - 1 tick`; `bid - 1 tick` alone crosses too, by the "
            "0.01 step",
        ),
        (
            11,
            f"node 'take-ask' buys at 0.55, below the bid 0.554: `limit: ask` is 0.556, rounded down onto {grid}, "
            "so the order rests instead of taking the ask",
            "give the market's tick in the quotes snapshot (`tick: 0.001` if that is its tick: the displayed "
            "quote tick is the source of truth) and cross with `ask + 1 tick`; `ask + 1 tick` alone crosses too, by the "
            "0.01 step",
        ),
    ]
    assert all(d.severity == "warning" for d in linted if d.code == "GC404")


def test_gc404_the_moved_touch_is_not_seen_in_the_wire_graph():
    import graphc
    from graphc.pipeline import CompileOptions, compile_text

    quotes = {"X-pm:yes": {k: Decimal(v) for k, v in ODD_QUOTE.items()}}
    text = TOUCH_PLAYBOOK.format(buy="ask", sell="bid")
    wire = compile_text(text, "t.yaml", CompileOptions(quotes=graphc._quotes(quotes))).wire
    linted = graphc.lint_text(json.dumps(wire), "t.json", quotes=quotes).diagnostics
    assert [d.code for d in linted if d.code == "GC404"] == []  # a 0.55 buy and a 0.56 sell: no template


# Audit selfcons24 3: GC406 on a playbook judges the price a template is written to, not graphc's own rounding of
# it onto the grid. `mid - 10%` on a 2000.035 mid is 1800.0315, exactly 10% below (spec §8: "> 10%" is not met),
# and a buy is rounded down to 1800.03, 10.00007% below: no warning, as the user wrote exactly 10%. A template
# written past the threshold still warns. The wire graph has the price alone, and its lint judges 1800.03.
FAR_PLAYBOOK = "graphc: 1\nname: t\nlegs:\n  a:\n    {side}: {size}\n    symbol: {symbol}\n    limit: {limit}\n"
FAR_QUOTES = {
    "ETH-USD": {"bid": Decimal("2000.00"), "ask": Decimal("2000.07"), "tick": Decimal("0.01")},
    "KXFED-26DEC-T4.25": {"bid": Decimal("0.40"), "ask": Decimal("0.41")},
}


@pytest.mark.parametrize(
    "side, size, symbol, limit, price, warned",
    [
        # 2000.035 x 0.9 = 1800.0315, exactly 10% below; down to the 0.01 tick: 1800.03 (10.00007%)
        ("buy", "1 ETH", "ETH-USD", "mid - 10%", "1800.03", False),
        # 2000.035 x 0.8999 = 1799.8314965, 10.01% below as written; down: 1799.83
        ("buy", "1 ETH", "ETH-USD", "mid - 10.01%", "1799.83", True),
        # 2000.035 x 1.1 = 2200.0385, exactly 10% above; a sell goes up: 2200.04 (10.00007%)
        ("sell", "1 ETH", "ETH-USD", "mid + 10%", "2200.04", False),
        # 2000.035 x 1.1001 = 2200.2385035, 10.01% above as written; up: 2200.24
        ("sell", "1 ETH", "ETH-USD", "mid + 10.01%", "2200.24", True),
        # prediction: the 0.405 mid - 0.10 = 0.305, exactly 0.10 below; down to Kalshi's 0.01 tick: 0.30 (0.105)
        ("buy", "10 contracts", "KXFED-26DEC-T4.25", "mid - 10c", "0.3", False),
        ("sell", "10 contracts", "KXFED-26DEC-T4.25", "mid + 10c", "0.51", False),
        # 0.405 - 0.11 = 0.295, 0.11 below as written; down: 0.29
        ("buy", "10 contracts", "KXFED-26DEC-T4.25", "mid - 11c", "0.29", True),
    ],
)
def test_gc406_judges_a_template_as_written_not_graphcs_rounding(side, size, symbol, limit, price, warned):
    import graphc
    from graphc.pipeline import CompileOptions, compile_text

    text = FAR_PLAYBOOK.format(side=side, size=size, symbol=symbol, limit=limit)
    wire = compile_text(text, "t.yaml", CompileOptions(quotes=graphc._quotes(FAR_QUOTES))).wire
    assert wire is not None
    [compiled] = wire["nodes"]
    assert Decimal(compiled["order_type"]["limit"]["price_1e9"]) / 10**9 == Decimal(price)  # compile unchanged
    found = [d for d in graphc.lint_text(text, "t.yaml", quotes=FAR_QUOTES).diagnostics if d.code == "GC406"]
    # before the fix: a warning in every case (`mid - 10%`: "10.00007% below the quote mid 2000.035")
    assert bool(found) is warned, found
    # the wire graph holds the price alone: its lint judges the number it sees, past the threshold in every case
    linted = graphc.lint_text(json.dumps(wire), "t.json", quotes=FAR_QUOTES).diagnostics
    assert [d.code for d in linted if d.code == "GC406"] == ["GC406"]


@pytest.mark.parametrize(
    "quote, buy, sell, prices, words",
    [
        # on the grid already: 0.56 is the ask itself, the existing at-touch warnings, unchanged
        ({"bid": "0.55", "ask": "0.56"}, "ask", "bid", ["0.55", "0.56"], ["exactly the bid", "exactly the ask"]),
        # the tick given: nothing is moved, the existing at-touch warnings at 0.554 / 0.556
        ({**ODD_QUOTE, "tick": "0.001"}, "ask", "bid", ["0.554", "0.556"], ["exactly the bid", "exactly the ask"]),
        # one tick across (0.01 while the tick is unknown): 0.544 up to 0.55, 0.566 down to 0.56, both still cross
        (ODD_QUOTE, "ask + 1 tick", "bid - 1 tick", ["0.55", "0.56"], []),
        # `ask + 0 ticks` is still the ask as written: moved below the bid like `ask`
        (ODD_QUOTE, "ask + 0 ticks", "bid + 0 ticks", ["0.56", "0.55"], ["above the ask", "below the bid"]),
        # below the ask as written (0.546, 0.564): meant to rest, not reported
        (ODD_QUOTE, "ask - 1c", "bid + 1c", ["0.57", "0.54"], []),
        # a mid is not a taking price (0.555: down to 0.55, up to 0.56)
        (ODD_QUOTE, "mid", "mid", ["0.56", "0.55"], []),
        # the ask rounded down lands on the bid, or inside the spread: it rests all the same
        ({"bid": "0.55", "ask": "0.556"}, "ask", "bid", ["0.55", "0.55"], ["exactly the bid", "exactly the bid"]),
        ({"bid": "0.54", "ask": "0.556"}, "ask", "bid", ["0.54", "0.55"], ["exactly the bid", "inside the spread"]),
    ],
)
def test_gc404_only_a_touch_the_grid_moved_off_is_added(quote, buy, sell, prices, words):
    got, found, _ = _touch(quote, buy, sell)
    assert got == [Decimal(p) for p in prices]
    assert len(found) == len(words)
    for (_, message, _), word in zip(found, words, strict=True):
        assert word in message


@pytest.mark.parametrize(
    "symbol, venue, size, quote, words",
    [
        # Kalshi without a price_level_structure: the 0.01 tick (linear_cent), coarser than a 0.554 quote
        ("KXBTCD-25DEC31-T100000", None, "10 contracts", ODD_QUOTE, "rounded down onto kalshi's 0.01 tick"),
        # Hyperliquid: 5 significant figures, so 97000.6 is rounded down to 97000, below the 97000.4 bid
        (
            "BTC-USD-PERP",
            "hyperliquid",
            "0.1",
            {"bid": "97000.4", "ask": "97000.6"},
            "onto hyperliquid's price grid (5 significant figures and at most 6 decimals: a step of 1 at this price)",
        ),
    ],
)
def test_gc404_other_venues_whose_generated_grid_is_coarser_than_the_quote(symbol, venue, size, quote, words):
    import graphc

    pinned = f"\n    venue: {venue}" if venue else ""
    text = f"graphc: 1\nname: t\nlegs:\n  take-ask:\n    buy: {size}\n    symbol: {symbol}{pinned}\n    limit: ask\n"
    quotes = {symbol: {k: Decimal(v) for k, v in quote.items()}}
    [found] = [d for d in graphc.lint_text(text, "t.yaml", quotes=quotes).diagnostics if d.code == "GC404"]
    assert "below the bid" in found.message and words in found.message, found.message
    if venue:  # a tick added would be rounded away again: cross by the step
        assert found.hint == "cross by at least the grid's step: `ask + $1`"
    else:
        assert found.hint == (
            "if the market trades on a finer tick, give it in the quotes snapshot (`tick: 0.001`) and cross with "
            "`ask + 1 tick`; `ask + 1 tick` alone crosses too, by the 0.01 step"
        )


def test_no_rule_checks_which_tifs_a_venue_supports_and_the_docs_say_so(tmp_path):
    """Audit venue18 6: venue-rules.md lists each venue's time-in-force values (Hyperliquid has no FOK), but the
    spec has no code for it and the router may translate `tif`, so `tif: FOK` on Hyperliquid lints clean; the
    `tif` section of docs/playbooks.md says that graphc does not check it, naming venue-rules.md's lists."""
    from click.testing import CliRunner

    from graphc.cli import cli
    from tests.conftest import REPO

    path = tmp_path / "p.yaml"
    path.write_text(
        "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 0.01\n    symbol: ETH-USD-PERP\n    venue: hyperliquid\n"
        "    limit: 2325.5\n    tif: FOK\n"
    )
    report = json.loads(CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", str(path)]).stdout)
    assert report["diagnostics"] == []
    page = (REPO / "docs" / "playbooks.md").read_text()
    section = page.split("**`tif`**:", 1)[1].split("\n\n", 1)[0]
    assert "graphc does not check which of these a venue supports" in section
    for words in ("venue-rules.md", "`Alo`, `Ioc` and `Gtc`", "GTC, GTD, FOK and FAK", "`fill_or_kill`"):
        assert words in section, words


# -- audit exec20 1: a leg behind a price-triggered leg's fill is placed after the move too ----------------------
# Spec §4: quote bases are "stale for a leg that waits for a price move". A leg that waits on the fill of a stop
# waits for the stop's move as well: GC404/GC406 skip it (a skip, never a pass), and GC407 compares a limit on the
# watched symbol with the projected level, as it does for the stop itself. Playbook and wire give the same verdict.
Q20 = """\
BTC-USD: {bid: 97250.00, ask: 97251.00, tick: 0.01}
BTC-USD-PERP: {bid: 97240.0, ask: 97260.0, tick: 0.1}
ETH-USD-PERP: {bid: 2324.80, ask: 2325.20, tick: 0.1}
"""
STOP_GRANDCHILD = """\
graphc: 1
name: t
legs:
  entry: {buy: 1, symbol: BTC-USD, limit: 97000}
  stop1:
    sell: 0.5
    symbol: BTC-USD
    limit: trigger - 0.5%
    after: entry price BTC-USD below entry -10%
  stop2:
    sell: 0.5
    symbol: BTC-USD
    limit: LIMIT
    after: stop1 filled
"""
BEHIND = (
    "'stop2' waits for a price move (it is placed after 'stop1', which an on_price edge starts); today's quote "
    "does not describe the market it will meet"
)


def _gc407(report):
    return [f for f in report["findings"] if f[0] == "GC407"]


def test_a_stop_behind_a_stops_fill_priced_from_todays_bid_is_gc407(tmp_path):
    book, wire = lint_both(tmp_path, STOP_GRANDCHILD.replace("LIMIT", "bid - 1 tick"), Q20)
    assert alike(book, wire)
    assert book["rc"] == 1
    [(_, severity, message, hint)] = _gc407(book)
    assert severity == "error"
    assert message == (
        "node 'stop2' is placed after 'stop1', which waits for BTC-USD below entry -10% (about 87300, from entry's "
        "limit 97000), but sells at limit 97249.99, above that level: when it is placed the order rests instead of "
        "filling"
    )
    # `trigger` is GC105 on a leg without an on_price edge of its own (spec §4): never offered here, nor a quote base
    assert hint == (
        "give it a literal limit at or below the level (about 87300), make it a market order, or put it behind the "
        "price trigger itself (`after: entry price BTC-USD below entry -10%`) and write `limit: trigger - 0.5%`"
    )
    assert ("GC404", BEHIND) in book["skips"] and ("GC406", BEHIND) in book["skips"]
    assert not any(f[0] in ("GC404", "GC406") for f in book["findings"])


@pytest.mark.parametrize("limit", ["87300", "86863.5", None])  # at the level, below it, a market order
def test_a_stop_behind_a_stops_fill_marketable_at_the_level_passes(tmp_path, limit):
    text = STOP_GRANDCHILD.replace("LIMIT", limit or "x").replace("    limit: x\n", "")
    book, wire = lint_both(tmp_path, text, Q20)
    assert book == wire
    assert book["rc"] == 0 and book["findings"] == []
    if limit is not None:  # checked against the level, not skipped; the quote checks skip it
        assert not any(code == "GC407" for code, _ in book["skips"])
        assert ("GC406", BEHIND) in book["skips"]


def test_a_leg_two_fills_behind_the_trigger_waits_for_the_move_too(tmp_path):
    text = STOP_GRANDCHILD.replace("LIMIT", "87300") + (
        "  stop3:\n    sell: 0.25\n    symbol: BTC-USD\n    limit: 97249.99\n    after: stop2 filled\n"
    )
    book, wire = lint_both(tmp_path, text, Q20)
    assert alike(book, wire)
    [(_, _, message, _)] = _gc407(book)
    assert message.startswith("node 'stop3' is placed after 'stop1', which waits for BTC-USD below entry -10%")


def test_the_rebuy_behind_a_stop_is_not_compared_with_todays_mid(tmp_path):
    # audit exec20 1: `rebuy` (a buy at 82000 after a -15% stop fills) got GC406 "15.7% below the quote mid". It
    # meets the market after the fall: GC406 skips it. It buys after a stop that sells: a re-entry, a new order
    # whose limit may rest on purpose, so GC407 skips it too (a skip, not a pass); the same buy directly behind the
    # trigger is GC407 (spec §8: a leg that waits for the move, below the 82450 level, does not buy when it fires).
    rebuy = """\
graphc: 1
name: t
legs:
  entry: {buy: 0.5, symbol: BTC-USD, limit: 97000}
  stop:
    sell: 0.5
    symbol: BTC-USD
    limit: trigger - 0.5%
    after: entry price BTC-USD below entry -15%
  rebuy:
    buy: 0.5
    symbol: BTC-USD
    limit: AFTER
"""
    behind = rebuy.replace("AFTER", "82000\n    after: stop filled")
    book, wire = lint_both(tmp_path, behind, Q20)
    assert alike(book, wire)
    assert book["findings"] == []  # before (lead's follow-up): GC407 "placed after 'stop' ... below that level"
    assert any(code == "GC407" and "'rebuy' buys after 'stop', which sells" in reason for code, reason in book["skips"])
    assert any(code == "GC406" and "'rebuy' waits for a price move" in reason for code, reason in book["skips"])
    direct = rebuy.replace("AFTER", "82000\n    after: entry price BTC-USD below entry -15%")
    (tmp_path / "direct").mkdir()
    book, wire = lint_both(tmp_path / "direct", direct, Q20)
    assert alike(book, wire)
    assert [f[0] for f in book["findings"]] == ["GC407"]


def test_a_leg_behind_the_stop_on_another_symbol_is_a_gc407_skip(tmp_path):
    text = STOP_GRANDCHILD.replace("LIMIT", "2300").replace(
        "    sell: 0.5\n    symbol: BTC-USD\n    limit: 2300", "    sell: 1\n    symbol: ETH-USD-PERP\n    limit: 2300"
    )
    book, wire = lint_both(tmp_path, text, Q20)
    assert book == wire
    assert _gc407(book) == []
    assert (
        "GC407",
        "'stop2' is placed after 'stop1', which edge e0 starts when BTC-USD moves, but trades ETH-USD-PERP: the "
        "ETH-USD-PERP price then is unknown, so its limit cannot be compared with the trigger level",
    ) in book["skips"]


def test_a_leg_behind_the_stop_whose_level_is_unknown_is_a_gc407_skip(tmp_path):
    # a market-order entry and no quotes: the level has no reference (spec §4), so it is skipped, never passed
    text = STOP_GRANDCHILD.replace("LIMIT", "97249.99").replace("limit: 97000}", "venue: coinbase}")
    text = text.replace("limit: trigger - 0.5%", "limit: 80000")
    book, wire = lint_both(tmp_path, text)
    assert book == wire
    assert book["findings"] == []
    reason = "the trigger level of edge e0 is unknown: no limit price on 'entry' and no quote for BTC-USD"
    assert [r for code, r in book["skips"] if code == "GC407"] == [reason, reason]  # stop1 and stop2


def test_trigger_on_a_leg_behind_the_stop_is_gc105_with_a_hint_that_avoids_the_quote(tmp_path):
    from click.testing import CliRunner

    from graphc.cli import cli

    path = tmp_path / "b.yaml"
    path.write_text(STOP_GRANDCHILD.replace("LIMIT", "trigger - 0.5%"))
    (tmp_path / "q.yaml").write_text(Q20)
    result = CliRunner().invoke(
        cli, ["lint", "--no-cache", "-f", "json", "--quotes", str(tmp_path / "q.yaml"), str(path)]
    )
    [found] = json.loads(result.stdout)["diagnostics"]
    assert found["code"] == "GC105"
    assert "bid/ask/mid/last" not in found["hint"]
    assert found["hint"] == (
        "`trigger` is the level at which the leg's own `after: LEG price SYMBOL below|above entry N%` fires; a "
        "leg placed after such a leg fills meets the moved market too: put it behind the price trigger itself, "
        "give it a literal price near the level, or drop `limit:` for a market order (bid, ask, mid and last are "
        "today's quote)"
    )


# -- audit exec20 3: GC405 compares sizes in one unit only -------------------------------------------------------
# A hedge's size is compared with its parent's when both are in the same base asset (ETH-USD and ETH-USD-PERP: the
# spec's own 200 ETH / 200 ETH example) or, on prediction markets, the same unit (shares, or Kalshi contracts).
# Otherwise the sizes are different assets: a skip with the reason, never a pass, and `derived` is never offered.
# A `derived` hedge on another asset copies the parent's fill quantity into its own unit: a warning.
XASSET = """\
graphc: 1
name: xasset
legs:
  spot: {buy: 0.5, symbol: BTC-USD, limit: 97260}
  hedge-a: {sell: 0.5, symbol: ETH-USD-PERP, after: spot filled}
  hedge-b: {sell: 20.9, symbol: ETH-USD-PERP, after: spot filled}
  hedge-c: {sell: derived, symbol: ETH-USD-PERP, after: spot each fill}
"""


def _gc405(report):
    return [f for f in report["findings"] if f[0] == "GC405"], [r for c, r in report["skips"] if c == "GC405"]


def test_gc405_hedges_in_another_asset_are_skipped_not_compared(tmp_path):
    book, wire = lint_both(tmp_path, XASSET, Q20)
    assert book == wire
    found, skipped = _gc405(book)
    # (the place names the hedge: a reason naming legs made one SARIF group per leg of a long chain)
    assert skipped == [
        "0.5 BTC and 0.5 ETH are different assets: the hedge's size is not compared with its parent's (graphc has "
        "no exchange rates)",
        "0.5 BTC and 20.9 ETH are different assets: the hedge's size is not compared with its parent's (graphc "
        "has no exchange rates)",
    ]
    assert found == [
        (
            "GC405",
            "warning",
            "hedge 'hedge-c' is sized `derived` on ETH-USD-PERP but its parent 'spot' buys BTC-USD (edge e2, on_fill): "
            "the router copies the parent's fill quantity, so 0.5 BTC filled sells 0.5 ETH",
            "size it fixed in ETH, its own unit (what the parent's fills are worth in ETH): `derived` copies the "
            "parent's quantity, not its value",
        )
    ]
    assert not any("derived" in (f[3] or "") and "use a derived" in f[3] for f in book["findings"])


def test_gc405_a_symbol_without_a_dash_says_why_its_size_is_another_asset(tmp_path):
    """audit desk21 2 (p23): a basis trade between Binance's BTCUSDT and a BTC perp was skipped as "5.14238 BTCUSDT
    and 5.14 BTC are different assets", true under spec §3.2 (the base asset is the text before the first '-') but
    nothing a desk can act on: the reason now says why and which spelling would be compared. The verdict stays."""
    text = """\
graphc: 1
name: basis
legs:
  spot: {buy: 5.14238, symbol: BTCUSDT, venue: binance, limit: 97231}
  perp: {sell: 5.14 BTC, symbol: BTC-USD-PERP, venue: hyperliquid, limit: 97143, after: spot filled}
"""
    book, wire = lint_both(tmp_path, text, Q20)
    assert book == wire
    found, skipped = _gc405(book)
    assert found == []
    assert skipped == [
        "5.14238 BTCUSDT and 5.14 BTC are different assets: the hedge's size is not compared with its parent's "
        "(graphc has no exchange rates); BTCUSDT has no '-', so graphc reads its whole name as its base asset: "
        "written `BTC-USDT`, if the venue accepts it, its size is read in BTC"
    ]
    # so written: one asset, BTC, and the sizes are compared (5.14238 against 5.14: GC405 warns)
    book, _ = lint_both(tmp_path, text.replace("BTCUSDT", "BTC-USDT"), Q20)
    found, skipped = _gc405(book)
    assert skipped == [] and [f[2].split(" but ")[0] for f in found] == ["hedge 'perp' sells 5.14 BTC-USD-PERP"]


def test_gc405_a_derived_hedge_on_another_asset_than_prediction_contracts_warns(tmp_path):
    text = """\
graphc: 1
name: xasset-derived
risk:
  max_notional: 10000
legs:
  k: {buy: 100 contracts, symbol: KXBTCD-25DEC31-T100000, limit: 0.5}
  hedge: {sell: derived, symbol: BTC-USD, venue: coinbase, after: k each fill}
"""
    book, wire = lint_both(tmp_path, text, Q20)
    assert book == wire
    found, _ = _gc405(book)
    assert [f[2] for f in found] == [
        "hedge 'hedge' is sized `derived` on BTC-USD but its parent 'k' buys KXBTCD-25DEC31-T100000 (edge e0, "
        "on_fill): the router copies the parent's fill quantity, so 100 contracts filled sells 100 BTC"
    ]


@pytest.mark.parametrize(
    "hedge, parent_unit, child_unit",
    [
        ("100 shares\n    symbol: fed-decision-in-december-25-bps-cut:no", "100 contracts", "100 shares"),
        ("0.01\n    symbol: BTC-USD", "100 contracts", "0.01 BTC"),
    ],
)
def test_gc405_prediction_contracts_and_other_units_are_not_compared(tmp_path, hedge, parent_unit, child_unit):
    text = (
        "graphc: 1\nname: t\nlegs:\n  k: {buy: 100 contracts, symbol: KXFEDDECISION-26DEC-C25, limit: 0.5}\n"
        f"  h:\n    sell: {hedge}\n    after: k filled\n"
    )
    book, wire = lint_both(tmp_path, text)
    assert book == wire
    found, skipped = _gc405(book)
    assert found == []
    assert skipped == [
        f"{parent_unit} and {child_unit} are different assets: the hedge's size is not compared with its parent's "
        "(graphc has no exchange rates)"
    ]


@pytest.mark.parametrize(
    "parent, child, flagged",
    [
        ("200 ETH\n    symbol: ETH-USD", "200 ETH\n    symbol: ETH-USD-PERP", False),  # the spec's example
        ("200 ETH\n    symbol: ETH-USD", "150 ETH\n    symbol: ETH-USD-PERP", True),
        ("200 ETH\n    symbol: ETH-USD", "derived\n    symbol: ETH-USD-PERP", False),
        ("10 shares\n    symbol: a-pm:yes", "12 shares\n    symbol: b-pm:no", True),  # shares and shares
        ("10 contracts\n    symbol: KXA-26-B1", "12 contracts\n    symbol: KXB-26-B1", True),
    ],
)
def test_gc405_same_asset_and_same_unit_are_still_compared(tmp_path, parent, child, flagged):
    text = (
        f"graphc: 1\nname: t\nlegs:\n  spot:\n    buy: {parent}\n  hedge:\n    sell: {child}\n    after: spot filled\n"
    )
    book, wire = lint_both(tmp_path, text)
    assert book == wire
    found, skipped = _gc405(book)
    assert skipped == []
    assert bool(found) is flagged
    if flagged:
        assert found[0][3].endswith("or use a derived quantity to follow the parent's fills")


def test_gc402_message_shows_the_exact_product_of_huge_pacing():
    # audit exec20 6: slices and interval at 2**63 - 1 printed the product rounded to 28 digits
    big = 2**63 - 1
    [finding] = only(
        lint([node(pacing={"uniform": {"num_slices": big, "interval_ms": big}}, horizon_ms=3_600_000)])[0], "GC402"
    )
    assert f"= {big * big} ms ({big * big}ms) runs longer than horizon_ms 3600000 (1h)" in finding.message
    assert finding.hint == f"lengthen the horizon to at least {big * big} ms, or use fewer slices or a shorter interval"
