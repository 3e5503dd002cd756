"""The build stage's remembered readings give exactly what reading each value afresh gives.

Compile remembers, per process, what recurring values make (a leg's instrument,
its execution fields, a literal limit, a size not in money, a whole trigger
text, a wire integer read back as a Decimal). Each
playbook here is compiled with nothing remembered (every value read by the full
path) and again with the memos warm from earlier playbooks, twice; the wire
JSON, the diagnostics, the skips, the origins, the typed facts (each Decimal by
its repr) and the spans of every node field must be the same text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphc.pipeline import CompileOptions, compile_text
from graphc.quotes import load_quotes
from graphc.stages import legs, model, triggers
from tests.bench_corpus import corpus_playbooks
from tests.test_facts_compiled import _exact
from tests.test_fuzz import FUZZ, dump, playbooks

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "quotes.yaml")
CORPUS = corpus_playbooks()[::50]  # the bench corpus, generated: every 50th of its 1,000 playbooks
QUOTES, _ = load_quotes(ROOT / "examples" / "quotes.yaml")

MEMOS = [
    (model, "_INSTRUMENTS"),
    (model, "_LEG_IDS"),
    (model, "_LITERAL_LIMITS"),
    (model, "_PRICES"),
    (model, "_QUANTITIES"),
    (legs, "_EXECUTION_READS"),
    (legs, "_SIZES"),
    (legs, "_NOTIONALS"),
    (triggers, "_PARSED_TEXTS"),
]
NODE_PATHS = [
    (),
    ("instrument",),
    ("instrument", "venue"),
    ("instrument", "type"),
    ("side",),
    ("quantity",),
    ("order_type",),
    ("activation",),
    ("execution", "policy"),
    ("execution", "tif"),
    ("execution", "urgency"),
    ("execution", "max_slippage_bps"),
    ("execution", "horizon_ms"),
    ("execution", "pacing"),
]


class _KeepsNothing(dict):
    """A memo that never fills: each store is refused (they all check the size first)."""

    def __len__(self) -> int:
        return 1 << 30


def _outcome(text: str, quoted: bool, require_quotes: bool) -> list:
    options = CompileOptions(quotes=QUOTES if quoted else {}, require_quotes=require_quotes, project_root=str(ROOT))
    result = compile_text(text, str(ROOT / "memo.yaml"), options)
    out: list = [
        result.wire_json() if result.wire is not None else None,
        [repr(d) for d in result.diagnostics],
        [repr(s) for s in result.skips],
        repr(result.origin),
        _exact(result.facts) if result.facts is not None else None,
    ]
    if result.wire is not None and result.locator is not None:
        nodes = range(len(result.wire["nodes"]))
        out.append([repr(result.locator.span(("nodes", i, *path))) for i in nodes for path in NODE_PATHS])
        out.append([repr(result.locator.span(("edges", j))) for j in range(len(result.wire["edges"]))])
    return out


def assert_memos_change_nothing(text: str, quoted: bool, require_quotes: bool = False) -> None:
    saved = [getattr(module, name) for module, name in MEMOS]
    try:
        for module, name in MEMOS:
            setattr(module, name, _KeepsNothing())
        fresh = _outcome(text, quoted, require_quotes)
    finally:
        for (module, name), memo in zip(MEMOS, saved, strict=True):
            setattr(module, name, memo)
    assert _outcome(text, quoted, require_quotes) == fresh  # memos as earlier playbooks left them
    assert _outcome(text, quoted, require_quotes) == fresh  # every value of this one remembered too


@pytest.mark.parametrize(
    "text",
    [pytest.param(p.read_text(encoding="utf-8"), id=p.name) for p in EXAMPLES]
    + [pytest.param(text, id=name) for name, text in CORPUS],
)
@pytest.mark.parametrize("quoted", [True, False], ids=["quotes", "no-quotes"])
def test_examples_and_corpus(text, quoted):
    assert_memos_change_nothing(text, quoted, require_quotes=quoted)


LOOKALIKES = """graphc: 1
name: lookalikes
legs:
  a: {buy: 1, symbol: BTC-USD, limit: 1, slippage: 1, horizon: 1}
  b: {buy: true, symbol: BTC-USD, limit: 1}
  c: {buy: 1.0, symbol: BTC-USD, limit: true}
  d: {buy: "1", symbol: BTC-USD, limit: "1", slippage: true}
  e: {buy: 1.50, symbol: BTC-USD, limit: 1.0, horizon: true}
  f: {buy: "1.5", symbol: true, limit: "1.00"}
  g: {buy: "1 BTC", symbol: BTC-USD, venue: true}
  h: {buy: "1 BTC", symbol: ETH-USD, venue: coinbase, twap: {slices: 2, every: 30s}}
  i: {buy: "1 BTC", symbol: BTC-USD, type: prediction}
  j: {buy: $100, symbol: BTC-USD, limit: 50}
  k: {buy: $100, symbol: BTC-USD, limit: 40}
  l: {buy: derived, symbol: [BTC-USD], after: a filled 50%}
  m: {buy: derived, symbol: BTC-USD, after: [a filled 50%, b + 5s, "a  filled  50%"]}
  n: {buy: "1 BTC", symbol: BTC-USD, twap: {slices: 2, every: 30s}}
  o: {buy: "1 BTC", symbol: BTC-USD, twap: {slices: true, every: 30s}}
  p: {buy: "1 BTC", symbol: BTC-USD, twap: {every: 30s, slices: 2.0}}
  q: {buy: "1 BTC", symbol: BTC-USD, twap: {slices: "2", every: 30000}}
  r: {buy: "1 BTC", symbol: BTC-USD, twap: {slices: 2, every: [30s]}}
  s: {buy: "1 BTC", symbol: BTC-USD, twap: {slices: 1, every: 30s}}
  t: {buy: "1 BTC", symbol: BTC-USD, twap: {slices: true, every: 30s}}
  u: {buy: $100, symbol: BTC-USD, limit: "50.0"}
  v: {buy: 100 USD, symbol: ETH-USD, limit: 50}
  w: {buy: $0.01, symbol: BTC-USD, limit: 50}
  x: {sell: 2, symbol: BTC-USD}
  y: {sell: 2, symbol: fed-cut:yes}
  z: {sell: 2, symbol: BTC-USD, policy: SOR, urgency: " high", tif: ioc, slippage: 0bps, horizon: 0}
  aa: {sell: 2, symbol: BTC-USD, policy: [sor], urgency: 1, tif: true}
  ab: {sell: 2, symbol: BTC-USD, policy: sor, urgency: high, tif: IOC, slippage: "25bps", horizon: 30s}
"""


@pytest.mark.parametrize("quoted", [True, False], ids=["quotes", "no-quotes"])
def test_values_that_compare_equal_but_read_differently(quoted):
    """1, 1.0, "1" and true are equal keys or lookalikes; a notional size depends on the price."""
    assert_memos_change_nothing(LOOKALIKES, quoted)
    assert_memos_change_nothing(LOOKALIKES.replace("1.0", "1").replace("true", "1"), quoted)


@FUZZ
@given(playbooks(), st.integers(0, 2), st.booleans(), st.booleans())
def test_generated_playbooks(doc, style, quoted, require_quotes):
    assert_memos_change_nothing(dump(doc, style), quoted, require_quotes)


def test_one_profiles_resolver_for_compiles_without_quotes_or_config():
    """Without quotes or market config the built-in profiles alone decide: one resolver serves every compile
    (as a fresh one would), and it is renewed once it holds many markets."""
    from graphc.pipeline import _PROFILES_RESOLVER
    from graphc.venues import MarketConfig, MarketResolver

    shared = CompileOptions().resolver()
    assert CompileOptions(require_quotes=False).resolver() is shared
    assert CompileOptions(quotes=QUOTES).resolver() is not shared
    assert CompileOptions(market_config=MarketConfig(venues={"coinbase": {}})).resolver() is not shared
    for market in [("BTC-USD", "coinbase", "spot"), ("fed-cut:yes", "polymarket", "prediction"), ("X", None, "perp")]:
        assert shared.facts(*market) == MarketResolver({}, MarketConfig()).facts(*market)
    for i in range(4097 - shared.markets_known):
        shared.facts(f"S{i}", None, "spot")
    assert shared.markets_known == 4097
    assert CompileOptions().resolver() is not shared
    assert CompileOptions().resolver() is _PROFILES_RESOLVER[0]


def test_padded_values_are_read_but_not_kept():
    """A value padded with whitespace reads as the short one, but no memo keeps the long text."""
    pad = " " * (legs.MEMO_KEY_CHARS + 1)
    text = f"""graphc: 1
name: padded
legs:
  a: {{buy: "1{pad}", symbol: BTC-USD, venue: "coinbase{pad}", limit: "50{pad}", slippage: "25bps{pad}"}}
  b: {{buy: "2 BTC", symbol: BTC-USD, twap: {{slices: 2, every: "30s{pad}"}}, after: "a filled 50%{pad}"}}
"""
    for quoted in (True, False):
        assert_memos_change_nothing(text, quoted)
    for module, name in MEMOS:
        assert not any(pad in repr(key) for key in getattr(module, name)), name
