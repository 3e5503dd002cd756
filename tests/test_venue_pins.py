"""GC306 on the venue a leg is pinned to: a symbol whose shape names one prediction venue, pinned to the other
(audit venue18 1), and a prediction leg on Hyperliquid (audit venue18 2), through the real CLI on a playbook, a
wire graph and a simple order.

Spec §3.1 gives the venue of a symbol's shape: a ``polymarket.com/event/...`` URL is Polymarket's (rule 3), a
``KX...`` ticker Kalshi's (rule 4). Rule 3's token ids, ``0x`` condition ids and ``:yes``/``:no`` suffixes are not
counted: the router lists Kalshi markets by yes/no token ids too (hosted-strategies.md, discovery), and the
reference does not show their form.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import SHARED, write

URL = "https://polymarket.com/event/will-btc-reach-150k"
CONDITION = "0x" + "ab" * 32
TOKEN = "43943720000000000000123"
TICKER = "KXBTCD-25DEC31-T100000"


def lint_json(path, *more):
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", str(path), *more])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def found(report, code="GC306"):
    return [d for d in report["diagnostics"] if d["code"] == code]


def playbook(symbol, venue, size="5 shares", price="0.55"):
    return f"graphc: 1\nname: t\nlegs:\n  a:\n    buy: {size}\n    symbol: '{symbol}'\n    venue: {venue}\n    limit: {price}\n"


@pytest.mark.parametrize(
    "symbol, venue, owner",
    [
        (TICKER, "polymarket", "kalshi"),
        (URL, "kalshi", "polymarket"),
        ("http://www.polymarket.com/event/x", "kalshi", "polymarket"),
    ],
)
def test_a_symbol_of_one_prediction_venue_pinned_to_the_other_is_gc306_at_the_venue(tmp_path, symbol, venue, owner):
    size = "5 contracts" if venue == "kalshi" else "5 shares"
    report = lint_json(write(tmp_path, "p.yaml", playbook(symbol, venue, size)))
    [d] = found(report)
    assert d["severity"] == "error" and (d["line"], d["column"]) == (7, 12)  # the `venue:` value
    assert f"{owner} market" in d["message"] and f"pinned to {venue}" in d["message"]
    assert d["hint"] == f"pin venue {owner}, the venue the symbol belongs to, or leave the venue out"
    assert report["summary"]["errors"] >= 1
    # pinned to its own venue, or not pinned: clean of GC306
    own = "5 contracts" if owner == "kalshi" else "5 shares"
    assert found(lint_json(write(tmp_path, "own.yaml", playbook(symbol, owner, own)))) == []
    unpinned = playbook(symbol, owner, own).replace(f"    venue: {owner}\n", "")
    assert found(lint_json(write(tmp_path, "sor.yaml", unpinned))) == []


def test_the_audit_repro_fails_both_legs(tmp_path):
    text = (
        "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 5 shares\n    symbol: KXBTCD-25DEC31-T100000\n"
        "    venue: polymarket\n    limit: 0.55\n  b:\n    buy: 1 contract\n"
        "    symbol: https://polymarket.com/event/will-btc-reach-150k\n    venue: kalshi\n    limit: 0.55\n"
    )
    path = write(tmp_path, "mism.yaml", text)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    assert "mism.yaml:7:12: error GC306 'KXBTCD-25DEC31-T100000' is a Kalshi ticker, a kalshi market" in result.output
    assert (
        "mism.yaml:12:12: error GC306 'https://polymarket.com/event/will-btc-reach-150k' is a polymarket.com URL"
        in (result.output)
    )


def test_wire_json_and_simple_orders_too(tmp_path):
    node = {
        "node_id": "a",
        "instrument": {"symbol": "KXRAIN-26JAN01-T5", "type": "prediction", "venue": "polymarket"},
        "side": "buy",
        "order_type": {"limit": {"price_1e9": 550000000}},
        "quantity": {"fixed": {"qty_1e8": 500000000}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }
    wire = write(tmp_path, "g.json", json.dumps({"nodes": [node], "edges": [], "is_sandbox": True}, indent=2))
    [d] = found(lint_json(wire))
    assert d["line"] == 8  # "venue": "polymarket"
    simple = write(
        tmp_path,
        "o.json",
        '{"symbol": "KXRAIN-26JAN01-T5",\n "side": "buy", "qty": 5, "price": 0.55,\n "venue": "polymarket"}\n',
    )
    [d] = found(lint_json(simple))
    assert (d["line"], d["column"]) == (3, 11)
    simple_url = write(tmp_path, "u.yaml", f"symbol: {URL}\nside: buy\nqty: 1\nprice: 0.55\nvenue: kalshi\n")
    [d] = found(lint_json(simple_url))
    assert (d["line"], d["column"]) == (5, 8)


@pytest.mark.parametrize(
    "symbol, venue",
    [
        # a `:yes`/`:no` symbol is not Polymarket's alone: Kalshi's yes/no token ids, whose form the reference
        # does not show, may end so
        ("KXBTCD-25DEC31-T100000:yes", "kalshi"),
        ("KXBTCD-25DEC31-T100000:no", "polymarket"),
        ("will-it-rain:yes", "kalshi"),
        # nor a token id or a `0x` id: Kalshi's token ids' form is not shown either (lead's review of venue18 1)
        (TOKEN, "kalshi"),
        (CONDITION, "kalshi"),
        # a slug names no venue
        ("will-it-rain", "kalshi"),
        ("will-it-rain", "polymarket"),
    ],
)
def test_shapes_that_do_not_name_one_venue_are_not_flagged(tmp_path, symbol, venue):
    size = "5 contracts" if venue == "kalshi" else "5 shares"
    assert found(lint_json(write(tmp_path, "p.yaml", playbook(symbol, venue, size)))) == []


def test_no_reference_example_is_flagged(tmp_path):
    """The router reference's pinned prediction examples: Kalshi tickers on kalshi, token and condition ids on
    polymarket (hosted-strategies.md, orders-and-execution-graphs.md)."""
    for symbol, venue in [
        ("KXBTCZ-26DEC31-T99000", "kalshi"),
        ("KX...", "kalshi"),
        ("4394372...", "polymarket"),
        ("43943720000000000000123", "polymarket"),
        ("0x" + "0" * 64, "polymarket"),
    ]:
        size = "1 contract" if venue == "kalshi" else "8 shares"
        assert found(lint_json(write(tmp_path, "p.yaml", playbook(symbol, venue, size, "0.18")))) == [], symbol
    text = (SHARED / "reference" / "hosted-strategies.md").read_text()
    assert '"symbol": "KX...", "type": "prediction", "venue": "kalshi"' in text
    assert '"symbol": "4394372...", "type": "prediction", "venue": "polymarket"' in text


def test_a_prediction_leg_on_hyperliquid_says_its_outcome_markets_are_not_modelled(tmp_path):
    """Audit venue18 2: Hyperliquid has outcome markets (venue-rules.md §5), so "lists no prediction markets" was
    untrue; the error stays (spec §8 GC306), and says what is so: graphc does not model them, and the router
    reference does not describe them."""
    text = 'graphc: 1\nname: t\nlegs:\n  a:\n    buy: 20 shares\n    symbol: "#90"\n    venue: hyperliquid\n'
    path = write(tmp_path, "hlpred.yaml", text + "    type: prediction\n    limit: 0.55\n")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1
    assert "hlpred.yaml:7:12: error GC306 instrument type 'prediction' on hyperliquid, whose outcome markets" in (
        result.output
    )
    assert "lists no prediction markets" not in result.output
    [d] = found(lint_json(path))
    assert d["message"] == (
        "instrument type 'prediction' on hyperliquid, whose outcome markets (venue-rules.md §5) graphc does not "
        "model and the router reference does not describe"
    )
    assert d["hint"] == "pin venue polymarket or kalshi, or leave the venue out"
    # a spot venue keeps its words: it lists no prediction markets
    coinbase = text.replace('"#90"', "BTC-USD").replace("hyperliquid", "coinbase").replace("20 shares", "0.001")
    [d] = found(lint_json(write(tmp_path, "cb.yaml", coinbase + "    type: prediction\n    limit: 50000\n")))
    assert d["message"] == "instrument type 'prediction' on coinbase, which lists no prediction markets"
