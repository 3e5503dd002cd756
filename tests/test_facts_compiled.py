"""Compile's typed node facts (graphc.stages.model.compiled_node_facts) equal those read from its wire graph.

Lint's rules read the facts compile makes as it knows each node's shape; a
wire graph read from JSON gets them from graphc.facts.node_facts, which reads
any node defensively. For every graph compile writes the two must be the same
record, field by field and digit by digit (a Decimal's ``repr``: ``1.0`` and
``1`` are equal numbers but print differently in a message).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphc.facts import graph_facts
from graphc.pipeline import CompileOptions, compile_text
from graphc.quotes import load_quotes
from tests.bench_corpus import corpus_playbooks
from tests.test_fuzz import FUZZ, dump, playbooks

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "quotes.yaml")
QUOTES, _ = load_quotes(ROOT / "examples" / "quotes.yaml")


def _exact(facts) -> list:
    """The facts as text, each field by its repr (equal Decimals of different exponents differ here)."""
    return [
        [repr(node) for node in facts.nodes],
        sorted(facts.by_id),
        facts.duplicates,
        [repr(edge) for edge in facts.edges],
        facts.unknown_ends,
        sorted(facts.incoming),
        facts.children,
        sorted(facts.dangling),
    ]


def assert_same_facts(text: str, quotes: dict, path: Path = ROOT / "t.yaml") -> bool:
    """Compile ``text``; when it gives a graph, its facts must be those read back from the wire. True if it did."""
    options = CompileOptions(quotes=quotes, require_quotes=False, project_root=str(ROOT))
    result = compile_text(text, str(path), options)
    if result.wire is None or result.facts is None:
        return False
    options = CompileOptions(quotes=quotes)
    from_wire = graph_facts(result.wire, quotes=quotes, resolver=options.resolver())
    assert _exact(result.facts) == _exact(from_wire)
    assert (result.facts.forward_only, result.facts.forks) == (from_wire.forward_only, from_wire.forks)
    return True


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("quoted", [True, False], ids=["quotes", "no-quotes"])
def test_examples(path, quoted):
    assert assert_same_facts(path.read_text(encoding="utf-8"), QUOTES if quoted else {}, path)


def test_every_field_of_a_node():
    """Each optional field set (venue, limit, tif, urgency, slippage, horizon, twap, activation), a derived size,
    a notional size, a market order and an unknown price."""
    text = """graphc: 1
name: all-fields
legs:
  entry:
    buy: $5k
    symbol: ETH-USD
    venue: Coinbase
    limit: ask + 1 tick
    tif: gtc
    urgency: high
    slippage: 25bps
    horizon: 90s
    twap: 10 slices over 5m
    activation: root
  hedge:
    sell: derived
    symbol: ETH-USD-PERP
    after: entry filled 50%
  stop:
    sell: 0.5 ETH
    symbol: ETH-USD
    limit: trigger - 1%
    after: entry price ETH-USD below entry -5%
  market:
    side: sell
    qty: 1.50
    symbol: BTC-USD
"""
    assert assert_same_facts(text, QUOTES)
    assert assert_same_facts(text, {})


@FUZZ
@given(playbooks(), st.integers(0, 2), st.booleans())
def test_generated_playbooks(doc, style, quoted):
    assert_same_facts(dump(doc, style), QUOTES if quoted else {})


def test_bench_corpus():
    """The bench's thousand playbooks, as the cold lint row compiles them (no quotes)."""
    for name, text in corpus_playbooks():
        assert assert_same_facts(text, {}, ROOT / name), name


def test_edges_to_unknown_legs():
    """A compile with errors still writes its graph: an edge from or to a leg that is not there, a leg named
    twice in `after:`, a loop and a fork are read as graph_facts reads them."""
    text = """graphc: 1
name: odd-edges
legs:
  a:
    buy: 1
    symbol: ETH-USD
    after: [ghost filled, b filled, b filled]
  b:
    sell: 1
    symbol: ETH-USD
    after: a filled
  c:
    sell: 1
    symbol: ETH-USD
    after: a filled
edges:
  - {from: a, to: nowhere, trigger: on_full_fill}
  - {from: nobody, to: c, trigger: on_full_fill}
"""
    options = CompileOptions(require_quotes=False)
    result = compile_text(text, "odd.yaml", options)
    assert result.wire is not None and result.facts is not None
    assert result.facts.unknown_ends and result.facts.dangling and result.facts.forks and not result.facts.forward_only
    from_wire = graph_facts(result.wire, quotes={}, resolver=options.resolver())
    assert _exact(result.facts) == _exact(from_wire)
    assert (result.facts.forward_only, result.facts.forks) == (from_wire.forward_only, from_wire.forks)
