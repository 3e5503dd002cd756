"""`--quotes live`: the router's quote shape, one request per symbol, concurrency, GC109 naming the symbol.

The CLI tests run against `graphc sandbox serve` (a real server process), whose
`GET /v1/quotes?symbol=S` answers from its `--price` settings.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest

from graphc.lint import LintOptions, live_quotes, quote_symbols
from graphc.pipeline import CompileOptions
from graphc.quotes import LiveQuotes, Quote, explain_missing, quote_from_router, wire_symbols


def test_quote_from_the_reference_shape_is_exact():
    q = quote_from_router(
        {"symbol": "BTC-USD", "nbbo": {"bid": Decimal("0.153"), "ask": Decimal("0.154"), "mid": Decimal("0.1535")}}
    )
    assert q == Quote(bid=Decimal("0.153"), ask=Decimal("0.154"), mid=Decimal("0.1535"))


def test_quote_one_sided_book_and_garbage():
    # the reference's Kalshi book: bid 0.99, ask 0 (nothing offered)
    q = quote_from_router({"nbbo": {"bid": Decimal("0.99"), "ask": 0, "mid": Decimal("0.495")}})
    assert q == Quote(bid=Decimal("0.99"))
    assert quote_from_router({"nbbo": {"bid": 0, "ask": None}}) is None
    assert quote_from_router({"nbbo": "x"}) is None
    assert quote_from_router([]) is None
    assert quote_from_router({"nbbo": {"bid": "NaN", "ask": "1e999999999"}}) is None
    assert quote_from_router({"nbbo": {"bid": True, "ask": "2"}}) == Quote(ask=Decimal(2))
    assert quote_from_router({"nbbo": {"bid": "1", "ask": "2"}, "tick": "0.5"}).tick == Decimal("0.5")


def test_live_quotes_asks_each_symbol_once_and_several_at_a_time():
    calls, lock, inside, most = [], threading.Lock(), [0], [0]

    def fetch(symbol):
        with lock:
            calls.append(symbol)
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.2)  # long enough that sequential requests could not overlap
        with lock:
            inside[0] -= 1
        return None if symbol == "NOPE" else Quote(bid=Decimal(1), ask=Decimal(2))

    live = LiveQuotes(fetch)
    live.load(["A", "B", "A", "C", "NOPE"])
    live.load(["A", "NOPE"])
    assert sorted(calls) == ["A", "B", "C", "NOPE"]
    assert most[0] > 1  # concurrently
    assert set(live) == {"A", "B", "C"} and live.missing == {"NOPE"}


def test_a_failure_to_ask_propagates():
    def fetch(symbol):
        raise ConnectionError("router down")

    with pytest.raises(ConnectionError):
        LiveQuotes(fetch).load(["A", "B"])


PLAYBOOK = """\
graphc: 1
name: p
params:
  perp: {type: symbol, default: ETH-USD-PERP}
legs:
  spot: {buy: $1k, symbol: ETH-USD, limit: "{{ quote('BTC-USD').bid / 40 }}"}
  hedge:
    sell: 0.1
    symbol: "{{ perp }}"
    after: spot price SOL-USD below entry -5%
"""


def test_the_symbols_a_playbook_needs_come_from_its_templates_legs_and_triggers():
    options = LintOptions(compile=CompileOptions(), quotes_given=True)
    assert quote_symbols(PLAYBOOK, "p.yaml", options) == ["BTC-USD"]  # quote() fails without it: no graph yet
    asked = []

    def fetch(symbol):
        asked.append(symbol)
        return Quote(bid=Decimal(100_000), ask=Decimal(100_001))

    live = live_quotes([(PLAYBOOK, "p.yaml")], options, fetch)
    assert asked[0] == "BTC-USD" and sorted(asked[1:]) == ["ETH-USD", "ETH-USD-PERP", "SOL-USD"]
    assert set(live) == {"BTC-USD", "ETH-USD", "ETH-USD-PERP", "SOL-USD"}


def test_wire_symbols():
    wire = {
        "nodes": [{"instrument": {"symbol": "A"}}, {"instrument": {"symbol": "B"}}, {"instrument": {"symbol": "A"}}],
        "edges": [{"trigger": {"on_price": {"symbol": "C"}}}, {"trigger": "on_fill"}],
    }
    assert wire_symbols(wire) == ["A", "B", "C"]


def test_explain_missing_names_the_router():
    from graphc.diagnostics import Diagnostic

    d = Diagnostic("GC109", "price 'ask + 1 tick' needs a quote for XYZ-USD", "p.yaml")
    (out,) = explain_missing([d], {"XYZ-USD"})
    assert out.message.endswith("(the router has no quote for XYZ-USD)")
    assert "GET /v1/quotes?symbol=XYZ-USD" in out.hint
    other = Diagnostic("GC105", "XYZ-USD is odd", "p.yaml")
    assert explain_missing([other], {"XYZ-USD"}) == [other]
