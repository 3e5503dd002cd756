"""A hint, followed literally on the input in front of the user, makes its finding go away without an error.

Audit ruledoc21: each test here lints an input with the real CLI, does what the hint says (its words, on that
input: a playbook's legs, or a wire graph's fields), lints again, and asserts that the finding is gone and that
nothing new is reported (no error, and no other warning than the test names).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner

from graphc.cli import cli


def lint(tmp_path, name: str, text: str, *, quotes: str | None = None, toml: str | None = None) -> list[dict]:
    """The diagnostics of `graphc lint --format json` on ``text`` saved as ``name`` (with the quotes snapshot
    ``quotes`` and the project's graphc.toml ``toml``, when given)."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    args = ["lint", "--no-cache", "--format", "json", str(tmp_path / name)]
    if quotes is not None:
        (tmp_path / "quotes.yaml").write_text(quotes, encoding="utf-8")
        args += ["--quotes", str(tmp_path / "quotes.yaml")]
    config = tmp_path / "graphc.toml"
    if toml is not None:
        config.write_text(toml, encoding="utf-8")
    elif config.exists():
        config.unlink()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["diagnostics"]


def one(diagnostics: list[dict], code: str) -> dict:
    found = [d for d in diagnostics if d["code"] == code]
    assert len(found) == 1, diagnostics
    return found[0]


def codes(diagnostics: list[dict]) -> list[str]:
    return [d["code"] for d in diagnostics]


def backticked(hint: str) -> list[str]:
    return re.findall(r"`([^`]+)`", hint)


# --- GC404: cross the touch with what compiles on this market (ruledoc21 1) ----------------------------------


def _leg(side: str, limit, symbol: str, venue: str | None, size="1") -> str:
    pinned = f"\n    venue: {venue}" if venue else ""
    return f"graphc: 1\nname: t\nlegs:\n  c:\n    {side}: {size}\n    symbol: {symbol}{pinned}\n    limit: {limit}\n"


# (side, symbol, venue, size, bid, ask): markets whose tick graphc does not know
NO_TICK = [
    ("buy", "ETH-USD", "coinbase", "1", "2325.10", "2325.53"),
    ("sell", "ETH-USD", "coinbase", "1", "2325.10", "2325.53"),
    ("buy", "ETH-USD", "binance", "1", "2325.10", "2325.53"),
    ("buy", "ETH-USD", "kraken", "1", "2325.10", "2325.53"),
    ("buy", "ETH-USD", None, "1", "2325.10", "2325.53"),
    ("buy", "ETH-USD-PERP", "hyperliquid", "100", "1.2344", "1.2345"),
    ("sell", "ETH-USD-PERP", "hyperliquid", "100", "1.2344", "1.2345"),
    ("buy", "BTC-USD-PERP", "hyperliquid", "0.001", "99999", "100000"),
]


def _at_touch(tmp_path, side, symbol, venue, size, bid, ask, *, toml=None, tick=""):
    touch, name = (ask, "ask") if side == "buy" else (bid, "bid")
    quotes = f"{symbol}: {{bid: {bid}, ask: {ask}{tick}}}\n"
    found = one(lint(tmp_path, "t.yaml", _leg(side, touch, symbol, venue, size), quotes=quotes, toml=toml), "GC404")
    assert f"exactly the {name}" in found["message"]
    return found["hint"], quotes, name


@pytest.mark.parametrize("side, symbol, venue, size, bid, ask", NO_TICK)
def test_gc404_without_a_tick_the_hint_crosses_with_what_compiles(tmp_path, side, symbol, venue, size, bid, ask):
    hint, quotes, name = _at_touch(tmp_path, side, symbol, venue, size, bid, ask)
    sign = "+" if side == "buy" else "-"
    offset = f"{name} {sign} 5bps"
    assert backticked(hint)[0] == offset, hint  # the first thing to write: a bps offset, no tick needed
    after = lint(tmp_path, "t.yaml", _leg(side, offset, symbol, venue, size), quotes=quotes)
    assert after == [], after
    # the literal price it names compiles too, and crosses
    literal = re.search(r"a literal price such as ([\d.]+)", hint)
    assert literal, hint
    after = lint(tmp_path, "t.yaml", _leg(side, literal[1], symbol, venue, size), quotes=quotes)
    assert after == [], after
    # the other way it gives: the tick where it says (the snapshot, or graphc.toml), and a cross by one tick
    by_tick = f"{name} {sign} 1 tick"
    assert f'give it (`tick:` in the quotes snapshot, or `tick` in [markets."{symbol}"] of graphc.toml)' in hint
    assert f"cross with `{by_tick}`" in hint
    step = "0.0001" if "." in ask and len(ask.split(".")[1]) == 4 else "0.01" if "." in ask else "1"
    toml = f'[markets."{symbol}"]\ntick = {step}\n'
    for given in ({"toml": toml}, {"quotes": quotes.replace("}", f", tick: {step}}}")}):
        after = lint(
            tmp_path,
            "t.yaml",
            _leg(side, by_tick, symbol, venue, size),
            quotes=given.get("quotes", quotes),
            toml=given.get("toml"),
        )
        assert [d for d in after if d["code"] in ("GC404", "GC109") or d["severity"] == "error"] == [], after


def test_gc404_the_old_hint_was_gc109_there(tmp_path):
    """What the audit saw: `ask + 1 tick` on a market whose tick is unknown does not compile (GC109)."""
    quotes = "ETH-USD: {bid: 2325.10, ask: 2325.53}\n"
    after = lint(tmp_path, "t.yaml", _leg("buy", "ask + 1 tick", "ETH-USD", "coinbase"), quotes=quotes)
    assert codes(after) == ["GC109"]


@pytest.mark.parametrize(
    "symbol, venue, size, bid, ask, toml",
    [
        ("KXBTCD-25DEC31-T100000", None, "10 contracts", "0.54", "0.56", None),  # Kalshi's profile tick
        ("BTC-USD", "coinbase", "0.01", "97250", "97251", None),  # the built-in BTC-USD tick
        ("ETH-USD", "coinbase", "1", "2325.10", "2325.53", '[markets."ETH-USD"]\ntick = 0.01\n'),  # graphc.toml
    ],
)
def test_gc404_with_a_known_tick_the_hint_crosses_by_one_tick(tmp_path, symbol, venue, size, bid, ask, toml):
    hint, quotes, _ = _at_touch(tmp_path, "buy", symbol, venue, size, bid, ask, toml=toml)
    assert backticked(hint)[0] == "ask + 1 tick", hint
    after = lint(tmp_path, "t.yaml", _leg("buy", "ask + 1 tick", symbol, venue, size), quotes=quotes, toml=toml)
    assert after == [], after


def _wire(side: str, price: str, symbol="ETH-USD", venue="coinbase") -> str:
    node = {
        "node_id": "c",
        "instrument": {"symbol": symbol, "type": "spot", "venue": venue},
        "side": side,
        "order_type": {"limit": {"price_1e9": int(Decimal(price) * 10**9)}},
        "quantity": {"fixed": {"qty_1e8": 10**8}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }
    return json.dumps({"nodes": [node], "edges": [], "is_sandbox": True})


@pytest.mark.parametrize("side, toml", [("buy", None), ("sell", None), ("buy", '[markets."ETH-USD"]\ntick = 0.01\n')])
def test_gc404_on_a_wire_graph_the_hint_is_a_price(tmp_path, side, toml):
    quotes = "ETH-USD: {bid: 2325.10, ask: 2325.53}\n"
    touch = "2325.53" if side == "buy" else "2325.10"
    hint = one(lint(tmp_path, "w.json", _wire(side, touch), quotes=quotes, toml=toml), "GC404")["hint"]
    assert "tick`" not in hint and "bps`" not in hint, hint  # no template: a wire node holds a price
    price = re.search(rf"{side} at ([\d.]+)", hint)
    assert price, hint
    after = lint(tmp_path, "w.json", _wire(side, price[1]), quotes=quotes, toml=toml)
    assert after == [], after


def test_gc404_moved_off_the_touch_give_the_tick_and_cross(tmp_path):
    """Polymarket, tick unknown, a 0.554 / 0.556 quote: the tick alone would leave `limit: ask` at the ask (a second
    GC404); the hint says give it and cross, and crossing alone works too."""
    symbol = "will-btc-reach-150k-in-2025:yes"
    quotes = f"{symbol}: {{bid: 0.554, ask: 0.556}}\n"
    found = one(lint(tmp_path, "t.yaml", _leg("buy", "ask", symbol, None, "10 shares"), quotes=quotes), "GC404")
    assert "below the bid" in found["message"]
    hint = found["hint"]
    assert "`tick: 0.001`" in hint and "and cross with `ask + 1 tick`" in hint, hint
    ticked = quotes.replace("}", ", tick: 0.001}")
    for given in (ticked, quotes):  # the tick given and the cross; the cross alone
        assert lint(tmp_path, "t.yaml", _leg("buy", "ask + 1 tick", symbol, None, "10 shares"), quotes=given) == []


# --- GC404 at the edge of a prediction market's range: no price past the touch fits (venuenum25 1) -----------

KALSHI = "KXFEDDECISION-26DEC-C25"
POLY = "fed-decision-in-december-25-bps-cut:no"


def _prediction_wire(side: str, price: str, symbol: str, venue: str, qty: str = "500") -> str:
    node = {
        "node_id": "c",
        "instrument": {"symbol": symbol, "type": "prediction", "venue": venue},
        "side": side,
        "order_type": {"limit": {"price_1e9": int(Decimal(price) * 10**9)}},
        "quantity": {"fixed": {"qty_1e8": int(Decimal(qty) * 10**8)}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }
    return json.dumps({"nodes": [node], "edges": [], "is_sandbox": True})


def _proposed(hint: str) -> list[Decimal]:
    """Every price the hint names (numbers outside backticked templates, graphc.toml keys and ranges)."""
    text = re.sub(r"`[^`]*`|\[markets\.\"[^\"]*\"\]|\d+(\.\d+)?-\d+(\.\d+)?", "", hint)
    return [Decimal(n) for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text)]


EDGE = [  # (file, text, quotes, kept price, the hint's range words)
    (
        "t.yaml",
        _leg("buy", "0.99", KALSHI, None, "10 contracts"),
        f"{KALSHI}: {{bid: 0.98, ask: 0.99}}\n",
        "0.99",
        "no buy price past the ask is inside kalshi's range 0.01-0.99",
    ),
    (
        "t.yaml",
        _leg("buy", "0.99", POLY, None, "10 shares"),
        f"{POLY}: {{bid: 0.98, ask: 0.99, tick: 0.01}}\n",
        "0.99",
        "no buy price past the ask is inside polymarket's range 0.01-0.99",
    ),
    (
        "w.json",
        _prediction_wire("sell", "0.01", POLY, "polymarket"),
        f"{POLY}: {{bid: 0.01, ask: 0.02, tick: 0.01}}\n",
        "0.01",
        "no sell price past the bid is inside polymarket's range 0.01-0.99",
    ),
    (  # a wire graph with no snapshot tick: Kalshi's built-in 0.01 tick
        "w.json",
        _prediction_wire("buy", "0.99", KALSHI, "kalshi", "10"),
        f"{KALSHI}: {{bid: 0.98, ask: 0.99}}\n",
        "0.99",
        "no buy price past the ask is inside kalshi's range 0.01-0.99",
    ),
]


@pytest.mark.parametrize("name, text, quotes, touch, said", EDGE)
def test_gc404_at_the_edge_of_the_range_the_hint_proposes_no_price_outside_it(
    tmp_path, name, text, quotes, touch, said
):
    """venuenum25 1: at 0.99 (buying) or 0.01 (selling) no price past the touch is one the venue accepts (venue-rules.md
    §0-§2: 0.01-0.99; GC304). The hint said `buy at 1` / `sell at 0`, and on Kalshi that its tick was unknown."""
    found = lint(tmp_path, name, text, quotes=quotes)
    hint = one(found, "GC404")["hint"]
    assert hint.startswith(said + ": "), hint
    assert f"keep {touch}, which takes the" in hint, hint
    assert "does not know" not in hint and "needs the market's tick" not in hint, hint  # Kalshi's tick is known
    assert all(Decimal("0.01") <= p <= Decimal("0.99") for p in _proposed(hint)), hint
    assert "rest below the ask" in hint if "buy" in said else "rest above the bid" in hint, hint  # no room inside
    assert [d for d in found if d["severity"] == "error"] == [], found


def test_gc404_at_the_edge_the_hint_no_longer_offers_what_graphc_rejects(tmp_path):
    """What the old hints proposed: 1 for the buy (GC304), 0 for the sell (GC103), `ask + 1 tick` on Kalshi (GC103)."""
    quotes = f"{KALSHI}: {{bid: 0.98, ask: 0.99}}\n"
    assert "GC304" in codes(lint(tmp_path, "t.yaml", _leg("buy", "1", KALSHI, None, "10 contracts"), quotes=quotes))
    followed = lint(tmp_path, "t.yaml", _leg("buy", "ask + 1 tick", KALSHI, None, "10 contracts"), quotes=quotes)
    assert "GC103" in codes(followed), followed
    pm = f"{POLY}: {{bid: 0.01, ask: 0.02, tick: 0.01}}\n"
    assert "GC103" in codes(lint(tmp_path, "w.json", _prediction_wire("sell", "0", POLY, "polymarket"), quotes=pm))


def test_gc404_at_the_edge_with_polymarket_tick_unknown_says_give_the_tick(tmp_path):
    """No snapshot tick: graphc generates on the 0.01 grid (spec §4), whose range ends at 0.99; a finer tick given,
    `ask + 1 tick` crosses inside the range."""
    quotes = f"{POLY}: {{bid: 0.98, ask: 0.99}}\n"
    hint = one(lint(tmp_path, "t.yaml", _leg("buy", "0.99", POLY, None, "10 shares"), quotes=quotes), "GC404")["hint"]
    assert hint.startswith(
        "no buy price past the ask is inside 0.01-0.99, the range of the 0.01 grid graphc uses for polymarket "
        "while the market's tick is unknown: keep 0.99"
    ), hint
    assert "and cross with `ask + 1 tick`" in hint, hint
    assert all(Decimal("0.01") <= p <= Decimal("0.99") for p in _proposed(hint)), hint
    ticked = quotes.replace("}", ", tick: 0.001}")
    after = lint(tmp_path, "t.yaml", _leg("buy", "ask + 1 tick", POLY, None, "10 shares"), quotes=ticked)
    assert after == [], after
    wire = one(
        lint(
            tmp_path,
            "w.json",
            _prediction_wire("buy", "0.999", POLY, "polymarket", "10"),
            quotes=f"{POLY}: {{bid: 0.998, ask: 0.999}}\n",
        ),
        "GC404",
    )["hint"]
    assert "buy at 1" not in wire and "no buy price past the ask is inside 0.01-0.99" in wire, wire
    assert "lint again for the price to write" in wire, wire


def test_gc404_at_the_edge_with_room_in_the_spread_offers_to_rest_there(tmp_path):
    quotes = f"{KALSHI}: {{bid: 0.97, ask: 0.99}}\n"
    hint = one(lint(tmp_path, "t.yaml", _leg("buy", "0.99", KALSHI, None, "10 contracts"), quotes=quotes), "GC404")
    assert hint["hint"] == (
        "no buy price past the ask is inside kalshi's range 0.01-0.99: keep 0.99, which takes the ask only while "
        "it stays there, or rest inside the spread"
    )
    assert lint(tmp_path, "t.yaml", _leg("buy", "0.98", KALSHI, None, "10 contracts"), quotes=quotes) == []


def test_gc404_moved_off_the_touch_at_the_edge_offers_only_what_compiles(tmp_path):
    """A 0.995 ask with the tick unknown: `limit: ask` goes down to 0.99 and rests. `ask + 1 tick` alone is 1 on the
    0.01 grid (GC103): no longer offered; with the 0.001 tick given it is 0.996. At a 0.999 ask no price past it is
    inside 0.001-0.999 even on that tick, and the hint says so instead of proposing a cross."""
    quotes = f"{POLY}: {{bid: 0.985, ask: 0.995}}\n"
    hint = one(lint(tmp_path, "t.yaml", _leg("buy", "ask", POLY, None, "10 shares"), quotes=quotes), "GC404")["hint"]
    assert hint.endswith("and cross with `ask + 1 tick`") and "alone crosses" not in hint, hint
    assert codes(lint(tmp_path, "t.yaml", _leg("buy", "ask + 1 tick", POLY, None, "10 shares"), quotes=quotes)) == [
        "GC103"
    ]
    ticked = quotes.replace("}", ", tick: 0.001}")
    assert lint(tmp_path, "t.yaml", _leg("buy", "ask + 1 tick", POLY, None, "10 shares"), quotes=ticked) == []
    quotes = f"{POLY}: {{bid: 0.985, ask: 0.999}}\n"
    hint = one(lint(tmp_path, "t.yaml", _leg("buy", "ask", POLY, None, "10 shares"), quotes=quotes), "GC404")["hint"]
    assert hint.endswith(
        "and `limit: ask` stays at 0.999: no buy price past the ask is inside 0.001-0.999 on that tick"
    ), hint


ONE_INSIDE = [  # one tick inside the bound the hint still crosses: (file, at the touch, quotes, hint says, followed)
    (
        "t.yaml",
        _leg("buy", "0.98", KALSHI, None, "10 contracts"),
        f"{KALSHI}: {{bid: 0.97, ask: 0.98}}\n",
        "cross by one tick (`ask + 1 tick`: 0.99), or rest inside the spread",
        _leg("buy", "ask + 1 tick", KALSHI, None, "10 contracts"),
    ),
    (
        "t.yaml",
        _leg("buy", "0.98", POLY, None, "10 shares"),
        f"{POLY}: {{bid: 0.97, ask: 0.98, tick: 0.01}}\n",
        "cross by one tick: buy at 0.99 (quote tick 0.01)",
        _leg("buy", "0.99", POLY, None, "10 shares"),
    ),
    (
        "w.json",
        _prediction_wire("sell", "0.02", POLY, "polymarket"),
        f"{POLY}: {{bid: 0.02, ask: 0.03, tick: 0.01}}\n",
        "cross by one tick: sell at 0.01 (quote tick 0.01)",
        _prediction_wire("sell", "0.01", POLY, "polymarket"),
    ),
    (
        "w.json",
        _prediction_wire("buy", "0.98", KALSHI, "kalshi", "10"),
        f"{KALSHI}: {{bid: 0.97, ask: 0.98}}\n",
        "cross by one tick: buy at 0.99, or rest inside the spread",
        _prediction_wire("buy", "0.99", KALSHI, "kalshi", "10"),
    ),
]


@pytest.mark.parametrize("name, text, quotes, said, followed", ONE_INSIDE)
def test_gc404_one_tick_inside_the_range_the_hint_still_crosses(tmp_path, name, text, quotes, said, followed):
    """The boundary of venuenum25 1: a touch one tick inside the range still has a crossing price, 0.99 or 0.01."""
    assert one(lint(tmp_path, name, text, quotes=quotes), "GC404")["hint"] == said
    assert lint(tmp_path, name, followed, quotes=quotes) == []


# --- GC502: the risk keys of the input's own form (ruledoc21 2) ----------------------------------------------

LIVE_PLAYBOOK = """\
graphc: 1
name: btc-dip-buy
sandbox: false
legs:
  entry:
    buy: 0.01
    symbol: BTC-USD
    limit: 60000
"""


def _filled(template: str, value: str) -> str:
    """A hint's `...` placeholders given a value (what a reader following the hint types)."""
    return template.replace("...", value)


def test_gc502_on_a_live_wire_graph_names_the_wire_keys(tmp_path):
    wire = _compiled(tmp_path, LIVE_PLAYBOOK)
    assert wire["is_sandbox"] is False and "risk" not in wire
    found = one(lint(tmp_path, "w.json", json.dumps(wire)), "GC502")
    hint = found["hint"]
    assert "risk.admission.max_notional_usd" in hint and "risk.runtime.max_loss_usd" in hint, hint
    written = re.search(r'"risk": (\{.*\})', hint)
    assert written, hint
    wire["risk"] = json.loads(_filled(written[1], "1000"))
    after = lint(tmp_path, "w.json", json.dumps(wire))
    assert after == [], after  # no GC102 (unknown key in risk), no GC502


def test_gc502_on_a_live_playbook_names_the_playbook_keys(tmp_path):
    hint = one(lint(tmp_path, "t.yaml", LIVE_PLAYBOOK), "GC502")["hint"]
    written = re.search(r"`(risk: \{.*\})`", hint)
    assert written, hint
    fixed = LIVE_PLAYBOOK.replace("legs:", _filled(written[1], "1000") + "\nlegs:")
    assert lint(tmp_path, "t.yaml", fixed) == []


# --- GC206: the first leg starts on submission (ruledoc21 3) -------------------------------------------------

WAITING_PLAYBOOK = """\
graphc: 1
name: btc-dip-buy
legs:
  entry:
    buy: 0.01
    symbol: BTC-USD
    limit: 60000
    activation: wait
  exit:
    sell: 0.01
    symbol: BTC-USD
    limit: 70000
    after: entry filled
"""


def test_gc206_in_a_playbook_remove_activation_wait_from_the_first_leg(tmp_path):
    hint = one(lint(tmp_path, "t.yaml", WAITING_PLAYBOOK), "GC206")["hint"]
    assert "remove `activation: wait` from leg 'entry'" in hint, hint
    fixed = WAITING_PLAYBOOK.replace("    activation: wait\n", "")
    assert lint(tmp_path, "t.yaml", fixed) == []


def test_gc206_in_a_wire_graph_set_the_first_node_to_root(tmp_path):
    wire = _compiled(tmp_path, WAITING_PLAYBOOK)
    wire["nodes"][0]["activation"] = "wait"
    hint = one(lint(tmp_path, "w.json", json.dumps(wire)), "GC206")["hint"]
    assert "after:" not in hint, hint  # a wire graph has no `after:`
    assert """set "activation": "root" on node 'entry'""" in hint, hint
    wire["nodes"][0]["activation"] = "root"
    assert lint(tmp_path, "w.json", json.dumps(wire)) == []
    # the other way it names, and what it says comes with it: GC111's warning, the field the router fills in
    assert """without "activation" is read as root too, with a GC111 warning""" in hint, hint
    del wire["nodes"][0]["activation"]
    assert [(d["code"], d["severity"]) for d in lint(tmp_path, "w.json", json.dumps(wire))] == [("GC111", "warning")]


def test_gc206_in_a_loop_the_first_leg_loses_its_after(tmp_path):
    looped = (
        "graphc: 1\nname: t\nlegs:\n"
        "  a:\n    buy: 0.01\n    symbol: BTC-USD\n    limit: 60000\n    after: b filled\n"
        "  b:\n    sell: 0.01\n    symbol: BTC-USD\n    limit: 70000\n    after: a filled\n"
    )
    found = lint(tmp_path, "t.yaml", looped)
    assert sorted(codes(found)) == ["GC201", "GC206"]
    hint = one(found, "GC206")["hint"]
    assert "make leg 'a' start on submission: remove its `after:`" in hint, hint
    assert lint(tmp_path, "t.yaml", looped.replace("    after: b filled\n", "")) == []


# --- hints in the input's own form: GC208, GC407, GC204, GC209 (ruledoc21 4) ---------------------------------


def _exit_after(after: str) -> str:
    return (
        "graphc: 1\nname: t\nlegs:\n"
        "  p: {buy: 1, symbol: ETH-USD, venue: coinbase, limit: 2000}\n"
        f"  a: {{sell: 1, symbol: ETH-USD, venue: coinbase, after: {after}}}\n"
    )


def _compiled(tmp_path, text: str) -> dict:
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "c.yaml")])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "written, offered",
    [
        ("p + 0s", ["p + 5s"]),
        ("p filled 0%", ["p filled 50%", "p filled"]),
        ("p filled 150%", ["p filled 50%", "p filled"]),
        ("p price ETH-USD below entry +5%", ["p price ETH-USD below entry -5%"]),
        ("p price ETH-USD above entry -5%", ["p price ETH-USD above entry +5%"]),
        ("p price ETH-USD below entry -100%", ["p price ETH-USD below entry -5%"]),
    ],
)
def test_gc208_in_a_playbook_the_hint_is_an_after_text(tmp_path, written, offered):
    hint = one(lint(tmp_path, "t.yaml", _exit_after(written)), "GC208")["hint"]
    assert "{" not in hint.split("(in an edge mapping")[0], hint  # no wire trigger object to type
    for text in offered:
        # the hint writes the text, or the part of it to change (`below entry -5%`)
        assert f"`{text}`" in hint or f"`{text.split(' ', 3)[-1]}`" in hint, (text, hint)
        assert lint(tmp_path, "t.yaml", _exit_after(text)) == [], text


@pytest.mark.parametrize(
    "mapping, fixed",
    [
        ("{from: p, trigger: {on_timeout: {ms: 0}}}", "{from: p, trigger: {on_timeout: {ms: 5000}}}"),
        ("{from: p, trigger: on_fill_ratio}", "{from: p, trigger: on_fill_ratio, fill_ratio: 50%}"),
        ("{from: p, trigger: on_fill_ratio, fill_ratio: 150%}", "{from: p, trigger: on_fill_ratio, fill_ratio: 50%}"),
    ],
)
def test_gc208_in_a_playbook_edge_mapping_the_hint_writes_its_keys(tmp_path, mapping, fixed):
    hint = one(lint(tmp_path, "t.yaml", _exit_after(f"[{mapping}]")), "GC208")["hint"]
    changed = re.search(r"in an edge mapping, `([^`]+)`", hint)
    assert changed and changed[1] in fixed, hint
    assert lint(tmp_path, "t.yaml", _exit_after(f"[{fixed}]")) == []


@pytest.mark.parametrize(
    "written, edit",
    [
        ("p filled 50%", lambda e: e["condition"].update(fill_ratio_gte=1.5)),
        ("p price ETH-USD below entry -5%", lambda e: e["trigger"]["on_price"].update(offset_pct=5.0)),
        ("p + 5s", lambda e: e["trigger"]["on_timeout"].update(ms=0)),
    ],
)
def test_gc208_in_a_wire_graph_the_hint_is_wire_json(tmp_path, written, edit):
    wire = _compiled(tmp_path, _exit_after(written))
    edit(wire["edges"][0])
    hint = one(lint(tmp_path, "w.json", json.dumps(wire)), "GC208")["hint"]
    assert "`" not in hint and "after:" not in hint, hint  # no playbook text
    edge = wire["edges"][0]
    if "fill_ratio_gte" in hint:  # 'a ratio ... "fill_ratio_gte": 0.5; "trigger": "on_full_fill" without ...'
        assert '"fill_ratio_gte": 0.5' in hint and '"trigger": "on_full_fill" without the condition' in hint
        edge["condition"]["fill_ratio_gte"] = 0.5
        assert lint(tmp_path, "w.json", json.dumps(wire)) == []
        edge["trigger"] = "on_full_fill"
        del edge["condition"]
    elif "offset_pct" in hint:
        assert '"offset_pct": -5' in hint, hint
        edge["trigger"]["on_price"]["offset_pct"] = -5
    else:
        assert hint == 'write {"on_timeout": {"ms": 5000}}', hint
        edge["trigger"] = {"on_timeout": {"ms": 5000}}
    assert lint(tmp_path, "w.json", json.dumps(wire)) == []


STOPPED = """\
graphc: 1
name: t
legs:
  entry: {buy: 0.25, symbol: BTC-USD, venue: coinbase, limit: 97000}
  stop: {sell: 0.25, symbol: BTC-USD, venue: coinbase, limit: 96763.75, after: entry price BTC-USD below entry -5%}
"""


def test_gc407_in_a_wire_graph_the_hint_is_a_price(tmp_path):
    wire = _compiled(tmp_path, STOPPED)
    hint = one(lint(tmp_path, "w.json", json.dumps(wire)), "GC407")["hint"]
    assert "`" not in hint and "trigger -" not in hint, hint  # a wire node holds a price, not a template
    price = re.search(r"sell at ([\d.]+)", hint)
    assert price, hint
    wire["nodes"][1]["order_type"] = {"limit": {"price_1e9": int(Decimal(price[1]) * 10**9)}}
    assert lint(tmp_path, "w.json", json.dumps(wire)) == []
    # the other way it gives: a market order
    assert '"order_type": "market"' in hint, hint
    wire["nodes"][1]["order_type"] = "market"
    assert lint(tmp_path, "w.json", json.dumps(wire)) == []
    # the playbook's hint, followed, gives the same price
    book = one(lint(tmp_path, "t.yaml", STOPPED), "GC407")["hint"]
    template = re.search(r"`limit: ([^`]+)`", book)
    assert template, book
    fixed = STOPPED.replace("limit: 96763.75", f"limit: {template[1]}")
    assert lint(tmp_path, "t.yaml", fixed) == []
    assert _compiled(tmp_path, fixed)["nodes"][1]["order_type"]["limit"]["price_1e9"] == int(Decimal(price[1]) * 10**9)


ORPHAN = """\
graphc: 1
name: btc-basis
legs:
  entry:
    buy: 0.5
    symbol: BTC-USD
  hedge:
    sell: 0.5
    symbol: BTC-USD-PERP
    activation: wait
"""


def test_gc204_in_a_playbook_the_hint_writes_the_after(tmp_path):
    hint = one(lint(tmp_path, "t.yaml", ORPHAN), "GC204")["hint"]
    assert "add `after: entry filled` to leg 'hedge'" in hint, hint
    assert lint(tmp_path, "t.yaml", ORPHAN.replace("activation: wait", "after: entry filled")) == []
    assert "remove its `activation: wait`" in hint, hint
    assert lint(tmp_path, "t.yaml", ORPHAN.replace("    activation: wait\n", "")) == []


def test_gc204_in_a_wire_graph_the_hint_writes_the_edge(tmp_path):
    wire = _compiled(tmp_path, ORPHAN)
    hint = one(lint(tmp_path, "w.json", json.dumps(wire)), "GC204")["hint"]
    assert "after:" not in hint and "`" not in hint, hint
    edge = re.search(r'(\{"edge_id": .*?\})', hint)
    assert edge, hint
    fed = {**wire, "edges": [json.loads(edge[1])]}
    assert lint(tmp_path, "w.json", json.dumps(fed)) == []
    assert """set its "activation": "root\"""" in hint, hint
    wire["nodes"][1]["activation"] = "root"
    assert lint(tmp_path, "w.json", json.dumps(wire)) == []


DERIVED = """\
graphc: 1
name: btc-basis
legs:
  entry:
    buy: 0.5
    symbol: BTC-USD
  hedge:
    sell: derived
    symbol: BTC-USD-PERP
    after: entry accepted
"""


def test_gc209_in_a_playbook_the_hint_names_the_parent(tmp_path):
    hint = one(lint(tmp_path, "t.yaml", DERIVED), "GC209")["hint"]
    for text in re.findall(r"`after: (entry [^`]+)`", hint) or pytest.fail(hint):
        assert lint(tmp_path, "t.yaml", DERIVED.replace("entry accepted", text)) == [], text


def test_gc209_in_a_wire_graph_the_hint_is_the_edge_trigger(tmp_path):
    wire = _compiled(tmp_path, DERIVED)
    hint = one(lint(tmp_path, "w.json", json.dumps(wire)), "GC209")["hint"]
    assert "after" not in hint and "`" not in hint, hint
    triggers = re.findall(r'"trigger": "(on_\w+)"', hint)
    assert triggers, hint
    for trigger in triggers:
        wire["edges"][0]["trigger"] = trigger
        assert lint(tmp_path, "w.json", json.dumps(wire)) == [], trigger


# --- GC305 never offers a size under the venue's minimum; GC106 rounds a sell's price up (ruledoc21 5) ---------

SZ4 = '[markets."ETH-USD-PERP"]\nsz_decimals = 4\n'


@pytest.mark.parametrize(
    "size, symbol, venue, limit, toml, offered",
    [
        # 0.0043 ETH at 2325.1 is $9.99, under Hyperliquid's $10: only 0.0044 ($10.23) is offered
        ("0.00431 ETH", "ETH-USD-PERP", "hyperliquid", "2325.1", SZ4, ["0.0044"]),
        # 0.0042 and 0.0043 are both under $10: the smallest size on the lot that clears it
        ("0.00425 ETH", "ETH-USD-PERP", "hyperliquid", "2325.1", SZ4, ["0.0044"]),
        # 4.99 shares is under Polymarket's 5-share minimum: only 5
        ("4.995 shares", "will-btc-reach-150k-in-2025:yes", None, "0.5", None, ["5"]),
        # nothing under a minimum: both neighbours, as before
        ("0.01231 ETH", "ETH-USD-PERP", "hyperliquid", "2325.1", SZ4, ["0.0123", "0.0124"]),
    ],
)
def test_gc305_offers_only_sizes_the_venue_accepts(tmp_path, size, symbol, venue, limit, toml, offered):
    book = _leg("buy", limit, symbol, venue, size)
    hint = one(lint(tmp_path, "t.yaml", book, toml=toml), "GC305")["hint"]
    sizes = re.findall(r"\d+(?:\.\d+)?", hint.split(",")[0])
    assert sizes == offered, hint
    unit = size.split()[1]
    for given in sizes:
        after = lint(tmp_path, "t.yaml", book.replace(size, f"{given} {unit}"), toml=toml)
        assert after == [], (given, after)


# --- GC302's share count clears the minimum notional too: GC301's number (audit consist27 3) ---------------------


@pytest.mark.parametrize(
    "side, size, limit, offered",
    [
        # 5 x 0.20 is exactly $1.00: the 5-share minimum clears Polymarket's $1 minimum notional as it is
        ("buy", "4 shares", "0.20", "5"),
        # 5 x 0.19 is $0.95: $1 / 0.19 = 5.263..., up to the 0.01 lot = 5.27 shares ($1.0013)
        ("sell", "4 shares", "0.19", "5.27"),
        # the report's repro: 5 x 0.17 is $0.85; $1 / 0.17 = 5.882..., up to 5.89 shares ($1.0013)
        ("buy", "4 shares", "0.17", "5.89"),
        # a notional size: $0.68 / 0.17 buys 4 shares; the share count and the notional both clear both rules
        ("buy", '"$0.68"', "0.17", "5.89"),
    ],
)
def test_gc302_share_count_also_clears_the_minimum_notional(tmp_path, side, size, limit, offered):
    book = _leg(side, limit, "will-x:yes", None, size)
    found = lint(tmp_path, "t.yaml", book)
    hint = one(found, "GC302")["hint"]
    assert hint.startswith(f"{side.capitalize()} at least {offered} shares"), hint
    if "GC301" in codes(found):  # the two hints at one span name the same size
        assert one(found, "GC301")["hint"].startswith(f"{side.capitalize()} at least {offered} shares"), found
    assert lint(tmp_path, "t.yaml", book.replace(size, f"{offered} shares")) == [], hint
    if "notional of" in hint:
        money = re.search(r"notional of (\$[0-9.]+)", hint).group(1)
        assert lint(tmp_path, "t.yaml", book.replace(size, f'"{money}"')) == [], hint


def test_gc106_on_a_sell_writes_ceil(tmp_path):
    text = (
        "graphc: 1\nname: t\nlegs:\n"
        '  b:\n    buy: 1\n    symbol: ETH-USD\n    venue: coinbase\n    limit: "{{ 2300 / 7 }}"\n'
        '  s:\n    sell: 1\n    symbol: ETH-USD\n    venue: coinbase\n    limit: "{{ 2300 / 7 }}"\n'
    )
    found = [d for d in lint(tmp_path, "t.yaml", text) if d["code"] == "GC106"]
    assert len(found) == 2, found
    fixed = text
    for d, way in zip(found, ("floor", "ceil"), strict=True):  # in line order: the buy, then the sell
        [written] = [t for t in backticked(d["hint"]) if t.startswith("{{")]
        assert f"round(2, '{way}')" in written, d["hint"]
        assert "'ceil'" not in d["hint"] or way == "ceil", d["hint"]  # the buy's hint says floor alone
        at = fixed.index('"{{ 2300 / 7 }}"')
        fixed = fixed[:at] + f'"{written}"' + fixed[at + len('"{{ 2300 / 7 }}"') :]
    assert lint(tmp_path, "t.yaml", fixed) == []
