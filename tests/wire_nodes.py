"""A wire node for rule tests, built from human numbers (exact: Decimal, never float)."""

from decimal import Decimal


def wire_node(node_id="spot", side="buy", qty="1", price=None, symbol="ETH-USD", activation="root", **execution_fields):
    return {
        "node_id": node_id,
        "instrument": {"symbol": symbol, "type": "spot"},
        "side": side,
        "order_type": "market" if price is None else {"limit": {"price_1e9": int(Decimal(price) * 10**9)}},
        "quantity": "derived" if qty == "derived" else {"fixed": {"qty_1e8": int(Decimal(qty) * 10**8)}},
        "execution": {"policy": "sor", **execution_fields},
        "activation": activation,
    }
