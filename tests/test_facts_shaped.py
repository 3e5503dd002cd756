"""A wire graph of the usual shape is read in the pass that checks its shape (graphc.facts.usual_graph_facts,
which lint uses in place of the schema check; graph_facts(shaped=True): usual_node_facts and _usual_edges);
it must give exactly the facts the defensive reading gives, field by field and digit by digit, and vouch
only for graphs the shipped schema accepts.

The inputs: the examples compiled (with and without quotes), the bench's scaling graph, the reference's
example graphs, generated wire graphs that pass the check (optional fields left out, execution variants,
repeated ids, edges to unknown nodes, conditions), and near-valid ones (a key dropped, added or renamed, a
value swapped: tests/test_fastschema.py's), whose lint reports must not change in any format.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from graphc import facts as facts_module
from graphc import lint as lint_module
from graphc.facts import graph_facts, usual_graph_facts
from graphc.lint import LintOptions, _classify, lint_source
from graphc.pipeline import CompileOptions, compile_text
from graphc.quotes import load_quotes
from graphc.report import RENDERERS, render
from graphc.rules.registry import report_rules
from graphc.stages.load import _values_below, load_text
from graphc.stages.validate import WIRE_SCHEMA, fast_check, validate_shaped
from graphc.venues import MarketResolver
from tests.bench_corpus import make_corpus
from tests.test_facts_compiled import _exact
from tests.test_fastschema import near_valid
from tests.test_fuzz import FUZZ
from tests.test_schemas import reference_wire_graphs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "quotes.yaml")
QUOTES, _ = load_quotes(ROOT / "examples" / "quotes.yaml")


def _read(text: str):
    doc, diagnostics = load_text(text, "graph.json")
    assert doc is not None, diagnostics
    return doc


SCHEMA = json.loads((ROOT / "schemas" / WIRE_SCHEMA).read_text(encoding="utf-8"))
JSONSCHEMA = Draft202012Validator(SCHEMA)


def _same(one, other) -> None:
    assert _exact(one) == _exact(other)
    assert (one.forward_only, one.forks) == (other.forward_only, other.forks)
    assert one.nodes == other.nodes and one.edges == other.edges
    assert one.incoming == other.incoming


def assert_same_facts(wire: dict, quotes=None) -> None:
    assert fast_check(WIRE_SCHEMA)(wire)  # the shaped reading is only for what the check accepted
    defensive = graph_facts(wire, quotes=quotes, resolver=MarketResolver(quotes or {}))
    shaped = graph_facts(wire, quotes=quotes, resolver=MarketResolver(quotes or {}), shaped=True)
    _same(shaped, defensive)
    usual = usual_graph_facts(wire, quotes=quotes or {}, resolver=MarketResolver(quotes or {}))
    assert usual is not None  # every graph the check accepts is of the usual shape: lint reads it in one pass
    _same(usual[0], defensive)
    assert usual[1] == _values_below(wire)  # what load's key proof compares with the text's count


def assert_vouches_only_for_valid(wire) -> None:
    """usual_graph_facts vouches for a graph only when jsonschema and the generated check find no error."""
    usual = usual_graph_facts(wire, quotes={}, resolver=MarketResolver({}))
    if usual is not None:
        assert [e.message for e in JSONSCHEMA.iter_errors(wire)] == []
        assert fast_check(WIRE_SCHEMA)(wire)
        _same(usual[0], graph_facts(wire, quotes={}, resolver=MarketResolver({})))
        assert usual[1] == _values_below(wire)
    elif fast_check(WIRE_SCHEMA)(wire):
        pytest.fail("the generated check accepts a graph usual_graph_facts does not read")


@pytest.mark.parametrize("name", ["orders-and-execution-graphs.md", "hosted-strategies.md"])
def test_the_reference_graphs(name):
    for graph in reference_wire_graphs(name):
        wire = _read(json.dumps(graph)).data
        assert_same_facts(wire)
        assert_same_facts(wire, QUOTES)


def test_the_enums_are_the_schemas():
    """The enums usual_node_facts and _usual_edges check are the shipped schema's."""
    node, edge = SCHEMA["$defs"]["node"]["properties"], SCHEMA["$defs"]["edge"]["properties"]
    execution = node["execution"]["properties"]
    assert set(node["instrument"]["properties"]["type"]["enum"]) == facts_module._INSTRUMENT_TYPES
    assert set(execution["policy"]["enum"]) == facts_module._POLICIES
    assert set(execution["urgency"]["enum"]) == facts_module._URGENCIES
    assert set(execution["tif"]["enum"]) == facts_module._TIFS
    assert set(facts_module._ACTIVATIONS) == set(node["activation"]["enum"])
    assert set(facts_module._SIDES) == set(node["side"]["enum"])
    assert set(edge["trigger"]["then"]["enum"]) == facts_module._TRIGGER_NAMES
    assert set(edge["trigger"]["properties"]["on_price"]["properties"]["direction"]["enum"]) == facts_module._DIRECTIONS


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


@FUZZ
@given(near_valid())
def test_near_valid_graphs_are_vouched_for_only_when_valid(doc):
    assume(isinstance(doc, dict) and "nodes" in doc)
    assert_vouches_only_for_valid(_read(json.dumps(doc, default=str)).data)
    assert_vouches_only_for_valid(doc)  # as built: Decimals, and values JSON would not give


def _reports(text: str) -> dict[str, str]:
    result = lint_source(text, "graph.json", LintOptions(), keep_wire=False).result
    assert result is not None
    rules = report_rules()
    return {name: render(name, [result], rules=rules, explain_skips=True) for name in RENDERERS}


def assert_same_reports(text: str) -> None:
    """lint's reports of ``text`` in every format, byte for byte, with and without the one-pass reading (and
    the key proof it makes for the loader)."""
    fast = _reports(text)
    with (
        mock.patch.object(facts_module, "_usual_graph", lambda *args: None),  # the schema check, then defensive
        mock.patch.object(lint_module, "reads_as_wire", lambda data: False),  # the loader proves the keys unique
    ):
        slow = _reports(text)
    assert fast == slow


@FUZZ
@given(st.one_of(near_valid(), shaped_wire_graphs()))
def test_lint_reports_are_the_same_in_every_format(doc):
    assume(isinstance(doc, dict) and "nodes" in doc)
    assert_same_reports(json.dumps(doc, default=str))


@pytest.mark.parametrize("path", EXAMPLES[:6], ids=lambda p: p.name)
def test_lint_reports_of_the_examples_wire_graphs_are_the_same(path):
    result = compile_text(path.read_text(encoding="utf-8"), str(path), CompileOptions(quotes=QUOTES))
    assert result.wire is not None, result.diagnostics
    assert_same_reports(result.wire_json())


# One change to a valid graph per case, at each place usual_graph_facts checks: jsonschema is the oracle
# (a graph it reads in one pass must be valid; one the generated check accepts must be read in one pass).
BASE_NODE = {
    "node_id": "a",
    "instrument": {"symbol": "BTC-USD", "type": "spot"},
    "side": "buy",
    "order_type": "market",
    "quantity": {"fixed": {"qty_1e8": 100000000}},
    "execution": {"policy": "sor"},
    "activation": "root",
}
BASE_EDGE = {"edge_id": "e", "from_node": "a", "to_node": "b", "trigger": "on_fill"}
ON_PRICE = {"symbol": "BTC-USD", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5}
PACING = {"uniform": {"num_slices": 4, "interval_ms": 1000}}
D = Decimal
NODE_CHANGES = {
    "node_id": ["", 5, None, "b"],
    "instrument": [
        "BTC",
        {},
        {"symbol": ""},
        {"symbol": "x" * 512},
        {"symbol": "x" * 513},
        {"symbol": 5},
        {"symbol": "X", "type": "future"},
        {"symbol": "X", "type": 5},
        {"symbol": "X", "type": None},
        {"symbol": "X", "venue": ""},
        {"symbol": "X", "venue": 5},
        {"symbol": "X", "venue": "Binance", "type": "perp"},
        {"symbol": "X", "extra": 1},
        {"symbol": "X"},
    ],
    "side": ["hold", 5, None, "sell", ["buy"]],
    "order_type": [
        "limit",
        5,
        {"limit": {}},
        {"limit": 5},
        {"limit": {"price_1e9": 0}},
        {"limit": {"price_1e9": 1}},
        {"limit": {"price_1e9": 2**63 - 1}},
        {"limit": {"price_1e9": 2**63}},
        {"limit": {"price_1e9": D("1.5")}},
        {"limit": {"price_1e9": D("1")}},
        {"limit": {"price_1e9": True}},
        {"limit": {"price_1e9": 5, "x": 1}},
        {"limit": {"price_1e9": 5}, "x": 1},
        {"market": {}},
    ],
    "quantity": [
        "fixed",
        True,
        {"fixed": {}},
        {"fixed": {"qty_1e8": 0}},
        {"fixed": {"qty_1e8": 2**63}},
        {"fixed": {"qty_1e8": 1, "y": 2}},
        {"fixed": {"qty_1e8": 1}, "y": 2},
        {"derived": 1},
        "derived",
    ],
    "execution": [
        5,
        None,
        {},
        {"policy": "fast"},
        {"policy": 5},
        {"urgency": "urgent"},
        {"urgency": "low"},
        {"tif": "gtc"},
        {"tif": "IOC", "policy": "time_drip"},
        {"max_slippage_bps": "5"},
        {"max_slippage_bps": D("5.5")},
        {"max_slippage_bps": -5},
        {"horizon_ms": True},
        {"horizon_ms": 10},
        {"horizon_ms": 0},
        {"horizon_ms": -5},
        {"horizon_ms": 2**63},
        {"pacing": {}},
        {"pacing": PACING},
        {"pacing": {"uniform": {"num_slices": 0, "interval_ms": 5}}},
        {"pacing": {"uniform": {"num_slices": 2**63, "interval_ms": 5}}},
        {"pacing": {"uniform": {"num_slices": 2, "interval_ms": 2**63}}},
        {"pacing": {"uniform": {"num_slices": 2**63 - 1, "interval_ms": 2**63 - 1}}},
        {"pacing": {"uniform": {"num_slices": 2}}},
        {"pacing": {"uniform": {"num_slices": 2, "interval_ms": 5, "z": 1}}},
        {"pacing": {**PACING, "z": 1}},
        {"policy": "sor", "other": 1},
        {"policy": "passive_limit", "urgency": "high", "tif": "GTC", "max_slippage_bps": 3, "horizon_ms": 9},
    ],
    "activation": ["later", 5, None, "wait"],
    "note": ["x"],
}
EDGE_CHANGES = {
    "edge_id": ["", 5, None],
    "from_node": ["", 5, "zz"],
    "to_node": ["", None, "zz", "a"],
    "trigger": [
        "on_foo",
        5,
        {},
        {"on_timeout": {"ms": 5}},
        {"on_timeout": {"ms": 0}},  # the schema's bound, 2**63-1 (audit graph.md 2); 0 or less is GC208 (refex.md 2)
        {"on_timeout": {"ms": -5}},
        {"on_timeout": {"ms": -(2**70)}},
        {"on_timeout": {"ms": 2**63 - 1}},
        {"on_timeout": {"ms": 2**63}},
        {"on_timeout": {"ms": 10**30}},
        {"on_timeout": {"ms": "5"}},
        {"on_timeout": {"ms": D("5")}},
        {"on_timeout": {"ms": 5, "x": 1}},
        {"on_timeout": {"ms": 5}, "on_price": ON_PRICE},
        {"on_timeout": None},
        {"on_price": ON_PRICE},
        {"on_price": {**ON_PRICE, "offset_pct": D("-2.5")}},
        {"on_price": {**ON_PRICE, "offset_pct": "5"}},
        {"on_price": {**ON_PRICE, "offset_pct": True}},
        {"on_price": {**ON_PRICE, "offset_pct": D("NaN")}},
        {"on_price": {**ON_PRICE, "direction": "up"}},
        {"on_price": {**ON_PRICE, "symbol": ""}},
        {"on_price": {**ON_PRICE, "symbol": "x" * 513}},
        {"on_price": {**ON_PRICE, "reference": ""}},
        {"on_price": {**ON_PRICE, "x": 1}},
        {"on_price": {k: v for k, v in ON_PRICE.items() if k != "reference"}},
        {"on_fill": {}},
    ],
    "condition": [{}, None, 5, {"fill_ratio_gte": "0.5"}, {"fill_ratio_gte": D("0.5")}, {"fill_ratio_gte": 1, "x": 1}],
    "note": ["x"],
}
TOP_CHANGES = {
    "nodes": [[], "x", [5]],
    "edges": [{}, [], [5], None],
    "risk": [
        {},
        {"x": {}},
        {"admission": {}},
        {"admission": {"max_notional_usd": "5"}},
        {"admission": {"max_notional_usd": 5, "y": 1}},
        {"admission": {"max_notional_usd": D("5.5")}, "runtime": {"max_loss_usd": 100}},
        {"runtime": {"max_loss_usd": True}},
        {"runtime": 5},
        5,
    ],
    "is_sandbox": [True, 1, None],
    "note": ["x"],
}


def _changed(place: str, key: str, value) -> dict:
    node, edge = copy.deepcopy(BASE_NODE), copy.deepcopy(BASE_EDGE)
    wire = {"nodes": [node, {**copy.deepcopy(BASE_NODE), "node_id": "b", "activation": "wait"}], "edges": [edge]}
    target = {"node": node, "edge": edge, "top": wire}[place]
    if value is _DROP:
        del target[key]
    else:
        target[key] = copy.deepcopy(value)
    return wire


class _Drop:
    """The key left out."""

    def __repr__(self) -> str:
        return "dropped"


_DROP = _Drop()
CASES = [
    (place, key, value)
    for place, changes in (("node", NODE_CHANGES), ("edge", EDGE_CHANGES), ("top", TOP_CHANGES))
    for key, values in changes.items()
    for value in [
        *values,
        *([_DROP] if key in {"node": BASE_NODE, "edge": BASE_EDGE, "top": ("nodes", "edges")}[place] else []),
    ]
]


@pytest.mark.parametrize(("place", "key", "value"), CASES, ids=lambda v: repr(v)[:40])
def test_one_change_at_each_checked_place(place, key, value):
    wire = _changed(place, key, value)
    assert_vouches_only_for_valid(wire)
    if fast_check(WIRE_SCHEMA)(wire):
        assert_same_facts(wire)
        assert_same_facts(wire, QUOTES)


def test_the_changes_give_both_answers():
    vouched = [usual_graph_facts(_changed(*case), quotes={}, resolver=MarketResolver({})) is not None for case in CASES]
    assert 30 < sum(vouched) < len(CASES) - 100


REPEATED = [  # (a mapping's opening text, a key of that mapping written again first in it)
    ("{", '"nodes":[],'),
    ('{"node_id"', '"side":"sell",'),
    ('"instrument":{', '"symbol":"X",'),
    ('"fixed":{', '"qty_1e8":5,'),
    ('"execution":{', '"policy":"sor",'),
    ('{"edge_id"', '"trigger":"on_fill",'),
    ('{"edge_id"', '"to_node":"a",'),
    ('"condition":{', '"fill_ratio_gte":1,'),
]


@pytest.mark.parametrize(("opening", "repeat"), REPEATED)
def test_a_repeated_key_is_reported_as_before(opening, repeat):
    """The loader leaves a JSON wire graph's key proof to lint's one pass (load_text's keys_later): a repeated
    key anywhere still gives the full pass's GC101, the same report in every format."""
    wire = _changed("edge", "condition", {"fill_ratio_gte": 1})
    text = json.dumps(wire, separators=(",", ":"))
    brace = text.index(opening) + (opening.index("{") if opening != "{" else 0) + 1
    repeated = text[:brace] + repeat + text[brace:]
    key = repeat.split(":")[0]
    assert repeated.count(key) == text.count(key) + 1
    assert_same_reports(repeated)
    result = lint_source(repeated, "graph.json", LintOptions(), keep_wire=False).result
    assert result is not None and [d.code for d in result.diagnostics] == ["GC101"]
    assert_same_reports(text)
