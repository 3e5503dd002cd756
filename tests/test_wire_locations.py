"""A finding on a wire graph points at the offending number, not at the object that holds it (audit wirelint23 6).

Spec §1: every diagnostic carries the ``path:line:column`` of the offending scalar or key. On a pretty-printed wire
graph the venue rules' findings were at the ``{`` after ``"quantity":`` or ``"order_type":``, GC208 for
``on_timeout`` at ``"trigger": {`` and GC402 at ``pacing``'s ``{``: a GitHub annotation landed lines above the number
to change. wire18 6 fixed the fill ratio (GC208 at the ratio); these are the others.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write


def _node(symbol, qty_1e8, price_1e9=None, *, venue=None, type_=None, node_id="a", execution=None, activation="root"):
    instrument = {"symbol": symbol}
    if type_:
        instrument["type"] = type_
    if venue:
        instrument["venue"] = venue
    node = {
        "node_id": node_id,
        "instrument": instrument,
        "side": "buy",
        "order_type": "market" if price_1e9 is None else {"limit": {"price_1e9": price_1e9}},
        "quantity": {"fixed": {"qty_1e8": qty_1e8}},
        "execution": execution or {"policy": "sor"},
        "activation": activation,
    }
    return node


def _graph(*nodes, edges=()):
    return {"nodes": list(nodes), "edges": list(edges), "is_sandbox": True}


POLYMARKET = {"venue": "polymarket", "type_": "prediction"}
KALSHI = {"venue": "kalshi", "type_": "prediction"}


CASES = {
    # 5 shares at 0.199: $0.995, under Polymarket's $1 (repro pm_5x0.199.json)
    "GC301": (_graph(_node("will-it-rain:yes", 500_000_000, 199_000_000, **POLYMARKET)), "qty_1e8"),
    # 4 shares, under Polymarket's 5
    "GC302": (_graph(_node("will-it-rain:yes", 400_000_000, 500_000_000, **POLYMARKET)), "qty_1e8"),
    # 0.995 on Kalshi's 0.01 tick (repro k_0.995.json)
    "GC303": (_graph(_node("KXBTCD-25DEC31-T100000", 100_000_000, 995_000_000, **KALSHI)), "price_1e9"),
    # 0.995 outside Kalshi's 0.01-0.99
    "GC304": (_graph(_node("KXBTCD-25DEC31-T100000", 100_000_000, 995_000_000, **KALSHI)), "price_1e9"),
    # 1.5 contracts: Kalshi trades whole ones
    "GC305": (_graph(_node("KXBTCD-25DEC31-T100000", 150_000_000, 500_000_000, **KALSHI)), "qty_1e8"),
    # Hyperliquid: 6 significant figures
    "GC308": (
        _graph(_node("ETH-USD-PERP", 100_000_000, 2_325_555_000_000, venue="hyperliquid", type_="perp")),
        "price_1e9",
    ),
    # Coinbase's maximum size of BTC-USD is 3400
    "GC309": (_graph(_node("BTC-USD", 340_000_000_001, 60_000_000_000_000, venue="coinbase", type_="spot")), "qty_1e8"),
    # ten slices a minute apart, a five-minute horizon
    "GC402": (
        _graph(
            _node(
                "ETH-USD",
                100_000_000,
                type_="spot",
                execution={
                    "policy": "time_drip",
                    "horizon_ms": 300_000,
                    "pacing": {"uniform": {"num_slices": 10, "interval_ms": 60_000}},
                },
            )
        ),
        "num_slices",
    ),
    # an on_timeout of 0 ms (repro tmo0.json)
    "GC208": (
        _graph(
            _node("BTC-USD", 10_000_000, type_="spot"),
            _node("BTC-USD", 10_000_000, type_="spot", node_id="b", activation="wait"),
            edges=[{"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": {"on_timeout": {"ms": 0}}}],
        ),
        "ms",
    ),
}


def _value_at(text: str, key: str) -> tuple[int, int]:
    """The line and column of the value of the one ``"key": value`` line in ``text``."""
    [(line, row)] = [(n, row) for n, row in enumerate(text.splitlines(), 1) if row.lstrip().startswith(f'"{key}": ')]
    return line, row.index(f'"{key}": ') + len(f'"{key}": ') + 1


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_wire_finding_points_at_the_offending_number(tmp_path, code):
    graph, key = CASES[code]
    text = json.dumps(graph, indent=2)
    path = write(tmp_path, "w.json", text)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", str(path)])
    found = [(d["line"], d["column"]) for d in json.loads(result.stdout)["diagnostics"] if d["code"] == code]
    assert found == [_value_at(text, key)], result.stdout


def test_a_simple_order_and_a_playbook_still_point_at_their_own_values(tmp_path):
    # the wire paths above fall back to what the simple order's and the playbook's locators place: `qty`, `buy:`
    order = write(
        tmp_path,
        "o.json",
        json.dumps({"symbol": "will-it-rain:yes", "side": "buy", "qty": 5, "price": 0.199}, indent=2),
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", str(order)])
    assert [(d["code"], d["line"], d["column"]) for d in json.loads(result.stdout)["diagnostics"]] == [("GC301", 4, 10)]
    playbook = write(
        tmp_path,
        "p.yaml",
        "graphc: 1\nname: p\nlegs:\n  a:\n    buy: 5 shares\n    symbol: will-it-rain:yes\n    limit: 0.199\n",
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", str(playbook)])
    assert [(d["code"], d["line"], d["column"]) for d in json.loads(result.stdout)["diagnostics"]] == [("GC301", 5, 10)]
