"""A wire node for rule tests, built from human numbers (exact: Decimal, never float)."""

from decimal import Decimal


def wire_node(
    node_id="spot",
    side="buy",
    qty="1",
    price=None,
    symbol="ETH-USD",
    activation="root",
    type="spot",
    **execution_fields,
):
    return {
        "node_id": node_id,
        "instrument": {"symbol": symbol, "type": type},
        "side": side,
        "order_type": "market" if price is None else {"limit": {"price_1e9": int(Decimal(price) * 10**9)}},
        "quantity": "derived" if qty == "derived" else {"fixed": {"qty_1e8": int(Decimal(qty) * 10**8)}},
        "execution": {"policy": "sor", **execution_fields},
        "activation": activation,
    }


def config(venues=None, markets=None):
    """graphc.toml's market settings, typed as the config loader types them."""
    from graphc.venues import MarketConfig, parse_setting

    def typed(table):
        return {name: {k: parse_setting(k, v) for k, v in settings.items()} for name, settings in (table or {}).items()}

    return MarketConfig(typed(venues), typed(markets))


def run_rules_on(wire, rules, *, quotes=None, venues=None, markets=None):
    """Run ``rules`` over a wire graph as lint does for JSON input: (findings, skipped)."""
    from graphc.rules.base import LintContext, run_rules

    ctx = LintContext.for_wire(wire, quotes=quotes or {}, market_config=config(venues, markets))
    run = run_rules(ctx, rules)
    return run.findings, run.skipped
