"""A wire graph the shipped schema's generated check accepted is read without defensive checks
(graphc.facts.graph_facts(shaped=True): shaped_node_facts and _shaped_edges); it must give exactly the facts
the defensive reading gives, field by field and digit by digit.

The inputs: the examples compiled (with and without quotes), the bench's scaling graph, and generated wire
graphs that pass the check (optional fields left out, execution variants, repeated ids, edges to unknown
nodes, conditions).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from graphc.facts import graph_facts
from graphc.lint import LintOptions, _classify
from graphc.pipeline import CompileOptions, compile_text
from graphc.quotes import load_quotes
from graphc.stages.load import load_text
from graphc.stages.validate import WIRE_SCHEMA, fast_check, validate_shaped
from graphc.venues import MarketResolver
from tests.bench_corpus import make_corpus
from tests.test_facts_compiled import _exact
from tests.test_fuzz import FUZZ

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "quotes.yaml")
QUOTES, _ = load_quotes(ROOT / "examples" / "quotes.yaml")


def _read(text: str):
    doc, diagnostics = load_text(text, "graph.json")
    assert doc is not None, diagnostics
    return doc


def assert_same_facts(wire: dict, quotes=None) -> None:
    assert fast_check(WIRE_SCHEMA)(wire)  # the shaped reading is only for what the check accepted
    defensive = graph_facts(wire, quotes=quotes, resolver=MarketResolver(quotes or {}))
    shaped = graph_facts(wire, quotes=quotes, resolver=MarketResolver(quotes or {}), shaped=True)
    assert _exact(shaped) == _exact(defensive)
    assert (shaped.forward_only, shaped.forks) == (defensive.forward_only, defensive.forks)
    assert shaped.nodes == defensive.nodes and shaped.edges == defensive.edges
    assert shaped.incoming == defensive.incoming


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples(path):
    result = compile_text(path.read_text(encoding="utf-8"), str(path), CompileOptions(quotes=QUOTES))
    assert result.wire is not None and result.wire["nodes"], result.diagnostics
    wire = _read(result.wire_json()).data
    assert_same_facts(wire)
    assert_same_facts(wire, QUOTES)


def test_the_bench_graph():
    result = compile_text(make_corpus().scaling_playbook(300), "legs-300.yaml")
    assert result.wire is not None, result.diagnostics
    assert_same_facts(_read(result.wire_json()).data)


def test_lint_reads_a_vouched_wire_graph_shaped():
    """Lint passes shaped=True only when the generated check accepted the graph (a schema error: False)."""
    result = compile_text(make_corpus().scaling_playbook(30), "legs-30.yaml")
    assert result.wire is not None, result.diagnostics
    good = _read(result.wire_json())
    graph = _classify(good, "graph.json", True, LintOptions())
    assert graph is not None and graph.shaped and not graph.diagnostics
    bad = _read(result.wire_json().replace('"side": "buy"', '"side": "purchase"', 1))
    assert validate_shaped(bad, WIRE_SCHEMA)[1] is False
    graph = _classify(bad, "graph.json", True, LintOptions())
    assert graph is not None and not graph.shaped and graph.diagnostics


IDS = st.sampled_from(["a", "b", "c", "d", "e", "f"])
POLICIES = st.sampled_from(["sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip"])


@st.composite
def shaped_wire_graphs(draw):
    instrument = st.fixed_dictionaries(
        {"symbol": st.sampled_from(["BTC-USD", "ETH-USD", "BTC-USD-PERP", "PRES-2028-YES", "X"])},
        optional={
            "type": st.sampled_from(["spot", "perp", "prediction"]),
            "venue": st.sampled_from(["coinbase", "Binance", "polymarket", "kalshi", "nyse"]),
        },
    )
    positive = st.integers(1, 10**12)
    execution = st.one_of(
        st.fixed_dictionaries({}),
        st.fixed_dictionaries({"policy": POLICIES}),
        st.fixed_dictionaries(
            {},
            optional={
                "policy": POLICIES,
                "urgency": st.sampled_from(["low", "medium", "high"]),
                "max_slippage_bps": st.integers(-5, 500),
                "horizon_ms": st.integers(-5, 10**6),
                "tif": st.sampled_from(["GTC", "IOC", "FOK"]),
                "pacing": st.fixed_dictionaries(
                    {"uniform": st.fixed_dictionaries({"num_slices": positive, "interval_ms": positive})}
                ),
            },
        ),
    )
    node = st.fixed_dictionaries(
        {
            "node_id": IDS,
            "instrument": instrument,
            "side": st.sampled_from(["buy", "sell"]),
            "order_type": st.one_of(
                st.just("market"), st.fixed_dictionaries({"limit": st.fixed_dictionaries({"price_1e9": positive})})
            ),
            "quantity": st.one_of(
                st.just("derived"), st.fixed_dictionaries({"fixed": st.fixed_dictionaries({"qty_1e8": positive})})
            ),
        },
        optional={"execution": execution, "activation": st.sampled_from(["root", "wait"])},
    )
    nodes = draw(st.lists(node, min_size=1, max_size=7))
    ends = st.sampled_from(["a", "b", "c", "d", "e", "f", "zz"])
    edge = st.fixed_dictionaries(
        {
            "edge_id": st.sampled_from(["e1", "e2", "e3"]),
            "from_node": ends,
            "to_node": ends,
            "trigger": st.sampled_from(["on_fill", "on_fill_ratio", "on_accepted"]),
        },
        optional={"condition": st.fixed_dictionaries({"fill_ratio_gte": st.sampled_from([0.5, 1, 0.25])})},
    )
    wire: dict = {"nodes": nodes}
    if draw(st.booleans()):
        wire["edges"] = draw(st.lists(edge, max_size=9))
    return wire


@FUZZ
@given(shaped_wire_graphs(), st.booleans())
def test_generated_graphs(wire, with_quotes):
    wire = _read(json.dumps(wire)).data  # as lint reads it: fractions as Decimals
    assume(fast_check(WIRE_SCHEMA)(wire))
    assert_same_facts(wire, QUOTES if with_quotes else None)
