"""GC501-GC502: one failing wire graph and a near-identical passing one per code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from graphc.quotes import Quote
from graphc.rules import risk
from graphc.rules.base import LintContext, run_checks
from tests.wire_nodes import wire_node

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
    ctx = LintContext(wire=wire, quotes=QUOTES if quotes is None else quotes)
    return run_checks(ctx, risk.CHECKS), ctx


LEGS = [node("spot", "100", "2000"), node("more", "200", "2000"), node("btc", "1", symbol="BTC-USD", side="sell")]


def test_gc501_total_notional_above_the_limit():
    findings, _ = lint(LEGS, max_notional=500_000)
    [finding] = findings
    assert (finding.code, finding.where) == ("GC501", WHERE)
    assert "$660,000" in finding.message and "$500,000" in finding.message
    assert "more $400,000, spot $200,000, btc $60,000" in finding.message


def test_gc501_passes_at_the_limit():
    assert lint(LEGS, max_notional=660_000)[0] == []


def test_gc501_skips_when_a_notional_is_unknown():
    findings, ctx = lint(LEGS, max_notional=660_000, quotes={})
    assert findings == []
    [skip] = ctx.skipped
    assert (skip.code, skip.where) == ("GC501", WHERE) and "btc" in skip.reason


def test_gc501_reports_when_the_known_part_already_exceeds():
    findings, _ = lint(LEGS + [node("tail", "derived")], max_notional=Decimal("500000.5"), quotes={})
    [finding] = findings
    assert "$600,000 (at least; 2 legs" in finding.message and "$500,000.50" in finding.message


def test_gc501_without_a_limit_is_silent():
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
