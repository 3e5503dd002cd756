"""GC401-GC406: one failing wire graph and a near-identical passing one per code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from graphc.quotes import Quote
from graphc.rules import execution
from graphc.rules.base import LintContext, run_checks
from tests.wire_nodes import wire_node

QUOTES = {
    "ETH-USD": Quote(bid=Decimal("2000"), ask=Decimal("2001"), tick=Decimal("0.5")),
    "ETH-USD-PERP": Quote(bid=Decimal("2000"), ask=Decimal("2001")),
    "will-it-rain:yes": Quote(bid=Decimal("0.53"), ask=Decimal("0.55"), tick=Decimal("0.01")),
}


node = wire_node


def lint(nodes, edges=(), quotes=None):
    ctx = LintContext(
        wire={"nodes": list(nodes), "edges": list(edges), "is_sandbox": True},
        quotes=QUOTES if quotes is None else quotes,
    )
    return run_checks(ctx, execution.CHECKS), ctx


def only(findings, code):
    assert {f.code for f in findings} == {code}, findings
    return [f for f in findings if f.code == code]


PACING = {"uniform": {"num_slices": 10, "interval_ms": 30000}}

# (failing execution fields, passing near-identical fields, field reported, words)
GC401_CASES = [
    (dict(policy="passive_limit"), dict(policy="passive_limit", price="2000"), "policy", "market order"),
    (dict(policy="passive_ladder"), dict(policy="aggressive_chase"), "policy", "market order"),
    (dict(policy="ioc_sweep", tif="GTC"), dict(policy="ioc_sweep", tif="IOC"), "tif", "GTC"),
    (
        dict(policy="passive_limit", price="2000", tif="IOC"),
        dict(policy="passive_limit", price="2000", tif="GTC"),
        "tif",
        "IOC",
    ),
    (dict(policy="passive_ladder", price="2000", tif="fok"), dict(policy="passive_ladder", price="2000"), "tif", "FOK"),
    (dict(policy="time_drip", tif="FOK"), dict(policy="time_drip"), "tif", "FOK"),
    (dict(policy="ioc_sweep", pacing=PACING), dict(policy="sor", pacing=PACING), "pacing", "ioc_sweep"),
    (dict(pacing=PACING, tif="IOC"), dict(pacing=PACING, tif="GTC"), "tif", "TWAP"),
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


def test_gc402_twap_longer_than_horizon():
    [finding] = only(lint([node(pacing=PACING, horizon_ms=60000)])[0], "GC402")
    assert finding.where == ("nodes", 0, "execution", "pacing")
    assert "300000 ms" in finding.message and "60000" in finding.message


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
    [finding] = only(lint([node(side="sell", price="2000", symbol="ETH-USD-PERP")])[0], "GC404")
    assert "exactly the bid" in finding.message and "bid - 1 tick" in finding.hint


@pytest.mark.parametrize("side, price", [("buy", "2001.5"), ("buy", "2000"), ("sell", "2001"), ("sell", "1999.5")])
def test_gc404_passes_off_the_touch(side, price):
    assert lint([node(side=side, price=price)])[0] == []


def test_gc404_and_gc406_skip_without_a_quote():
    findings, ctx = lint([node(price="2001")], quotes={})
    assert findings == []
    assert {skip.code for skip in ctx.skipped} == {"GC404", "GC406"}


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
    ],
)
def test_gc405_passes(hedge):
    assert lint([node(qty="200"), hedge], [HEDGE_EDGE])[0] == []


def test_gc405_needs_a_fill_edge():
    nodes = [node(qty="200"), node("hedge", "sell", "150", symbol="ETH-USD-PERP", activation="wait")]
    edge = {"edge_id": "e0", "from_node": "spot", "to_node": "hedge", "trigger": "on_accepted"}
    assert lint(nodes, [edge])[0] == []


def test_gc406_far_from_mid():
    [finding] = only(lint([node(price="0.80", symbol="will-it-rain:yes")])[0], "GC406")
    assert finding.where == ("nodes", 0, "order_type")
    assert "48.1% above the quote mid 0.54" in finding.message


def test_gc406_passes_within_ten_percent():
    assert lint([node(price="0.59", symbol="will-it-rain:yes")])[0] == []


def test_malformed_nodes_never_raise():
    nodes = [
        None,
        {"node_id": "x", "execution": "fast", "order_type": {"limit": 3}},
        {"execution": {"max_slippage_bps": Decimal("NaN"), "tif": 5, "policy": ["x"], "pacing": {"uniform": 1}}},
    ]
    edges = [None, {"from_node": ["x"], "to_node": "x", "trigger": "on_fill"}]
    assert lint(nodes, edges)[0] == []
