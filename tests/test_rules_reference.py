"""The lint rules, their runner and the wire facts give exactly what their frozen reference gives.

The checks were made cheaper (inline readings of the facts, facts shared between
rules, and sufficient tests that skip the full check on the usual graph: no edge
leads backwards, no two edges join the same two nodes, a fill ratio or timeout
that is a plain number). tests/rules_reference.py keeps the checks, the runner
and :func:`graphc.facts.node_facts` / :func:`graphc.facts.graph_facts` as they
were; here every rule's findings and skips (type, place, message, hint,
severity, digit by digit) must equal the reference's on the examples, the rule
fixtures, and generated wire graphs, hostile numbers included.
"""

from __future__ import annotations

import functools
import json
import math
from decimal import Decimal
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphc.facts import graph_facts
from graphc.pipeline import CompileOptions, compile_text
from graphc.quotes import load_quotes
from graphc.rules.registry import CHECKED
from graphc.stages import checks as base
from graphc.stages.checks import LintContext, SkippedNodes, _run_unplaced, run_rules
from graphc.stages.triggers import JsonFloat
from graphc.venues import MarketResolver
from tests import rules_reference as reference
from tests.bench_corpus import corpus_playbooks, make_corpus
from tests.test_facts_compiled import _exact
from tests.test_fuzz import FUZZ, wire_graphs
from tests.wire_nodes import wire_node

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "quotes.yaml")
FIXTURES = sorted(p for p in (ROOT / "tests" / "fixtures" / "rules").glob("*.yaml") if not p.name.startswith("GC112"))
WIRE_FIXTURES = sorted((ROOT / "tests" / "fixtures" / "rules").glob("*.json"))
QUOTES, _ = load_quotes(ROOT / "examples" / "quotes.yaml")


def _each(item) -> tuple:
    """A check's item; the skips of many nodes at once (SkippedNodes) one by one, as the reference yields each."""
    return tuple(item.each()) if isinstance(item, SkippedNodes) else (item,)


def _items(items) -> list:
    """Findings and skips as text: the type and every field by its repr (1.0 and 1 differ here).

    Findings, then skips, each in the order the check yields them: the runner keeps the two apart, and a
    check that gathers its skips into one SkippedNodes yields them after its findings.
    """
    texts = [(type(item).__name__, repr(tuple(item))) for batch in items for item in _each(batch)]
    return [text for text in texts if text[0] != "Skipped"] + [text for text in texts if text[0] == "Skipped"]


def _one_by_one(check):
    """``check`` with its SkippedNodes yielded one by one, for the frozen runner."""
    return lambda ctx: [item for batch in check(ctx) for item in _each(batch)]


ONE_BY_ONE = [r._replace(check=_one_by_one(r.check)) if r.check is not None else r for r in CHECKED]


def assert_same_rules(wire: dict, facts, reference_facts=None, *, playbook: bool = False) -> None:
    """Every rule, and the runner over all of them, as the reference gives them (fresh contexts each); ``playbook``:
    the graph was compiled from a playbook, as lint tells the rules (``LintContext.playbook``: hints in its form)."""
    reference_facts = facts if reference_facts is None else reference_facts
    context = functools.partial(LintContext, playbook=playbook)
    # The venue rules decide per market (LintContext.first_on_market): a node's market is its own.
    assert all((n.market.symbol, n.market.venue, n.market.type) == (n.symbol, n.venue, n.type) for n in facts.nodes)
    # What the edges' reading notes for the graph rules (GC201, GC210, GC408), as they would work it out.
    from graphc.stages.graph_rules import _forward_only

    if facts.forward_only is not None:
        assert facts.forward_only == _forward_only(facts)
    if facts.forks is not None:
        assert sorted(facts.forks) == sorted(src for src, children in facts.children.items() if len(children) > 1)
    for r in CHECKED:
        live = _items(r.check(context(wire, facts)))
        frozen = _items(reference.CHECKS.get(r.code, r.check)(context(wire, reference_facts)))
        assert live == frozen, r.code
    for skip_paths in (True, False):
        live_run = run_rules(context(wire, facts), CHECKED, skip_paths=skip_paths)
        frozen_run = reference.run_rules(context(wire, facts), ONE_BY_ONE, skip_paths=skip_paths)
        assert repr(live_run) == repr(frozen_run)
    # Unplaced skips: a small graph's made one by one, a large graph's shared; both ways on every graph here.
    unplaced = repr(reference.run_rules(context(wire, facts), ONE_BY_ONE, skip_paths=False))
    assert repr(_run_unplaced(context(wire, facts), CHECKED)) == unplaced
    assert repr(_run_unplaced(context(wire, facts), list(CHECKED))) == unplaced  # (the pairs read each time)
    with patch.object(base, "_SHARED_SKIPS_FROM", 0):
        assert repr(run_rules(context(wire, facts), CHECKED, skip_paths=False)) == unplaced


def assert_same_wire(wire: dict, quotes: dict) -> None:
    """A wire graph read as lint reads JSON input: the facts, then every rule, as the reference."""
    live = graph_facts(wire, quotes=quotes, resolver=MarketResolver(quotes))
    frozen = reference.graph_facts(wire, quotes=quotes, resolver=MarketResolver(quotes))
    assert _exact(live) == _exact(frozen)
    assert repr(live.nodes) == repr(frozen.nodes)
    assert_same_rules(wire, live, frozen)


def _compiled(path: Path, quotes: dict):
    options = CompileOptions(quotes=quotes, require_quotes=False, project_root=str(ROOT))
    return compile_text(path.read_text(encoding="utf-8"), str(path), options)


@pytest.mark.parametrize("path", EXAMPLES + FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("quoted", [True, False], ids=["quotes", "no-quotes"])
def test_playbooks(path, quoted):
    quotes = QUOTES if quoted else {}
    result = _compiled(path, quotes)
    if result.wire is None or result.facts is None:  # a fixture of a compile error: no rule runs
        assert result.diagnostics
        return
    assert_same_rules(result.wire, result.facts, playbook=True)
    assert_same_wire(json.loads(result.wire_json()), quotes)  # the same graph read back as JSON input


def test_bench_corpus():
    """The bench's thousand playbooks (the cold lint row lints them without quotes): every rule as the reference."""
    for name, text in corpus_playbooks():
        result = compile_text(text, name, CompileOptions(require_quotes=False))
        assert result.wire is not None and result.facts is not None, name
        assert_same_rules(result.wire, result.facts, playbook=True)


@pytest.mark.parametrize("path", WIRE_FIXTURES, ids=lambda p: p.name)
@pytest.mark.parametrize("quoted", [True, False], ids=["quotes", "no-quotes"])
def test_wire_fixtures(path, quoted):
    assert_same_wire(json.loads(path.read_text(encoding="utf-8")), QUOTES if quoted else {})


def test_the_fast_paths_are_taken_and_left():
    """The examples the sufficient tests decide, and those they hand to the full check, both occur here."""
    chain = [wire_node(f"n{i}", activation="root" if i == 0 else "wait") for i in range(4)]
    forward = {"nodes": chain, "edges": [_edge(f"n{i}", f"n{i + 1}") for i in range(3)]}
    backward = {"nodes": chain[::-1], "edges": forward["edges"]}  # acyclic, but edges lead backwards
    loop = {"nodes": chain, "edges": [*forward["edges"], _edge("n3", "n1")]}
    repeated = {"nodes": chain, "edges": [*forward["edges"], _edge("n0", "n1")]}
    for wire in (forward, backward, loop, repeated):
        assert_same_wire(wire, {})
    from graphc.stages.graph_rules import _forward_only

    assert _forward_only(graph_facts(forward)) and not _forward_only(graph_facts(backward))
    codes = [f.code for f in run_rules(LintContext.for_wire(loop), CHECKED).findings]
    assert "GC201" in codes and "GC210" not in codes
    codes = [f.code for f in run_rules(LintContext.for_wire(repeated), CHECKED).findings]
    assert "GC210" in codes and "GC201" not in codes


def _edge(src, dst, trigger="on_full_fill", **extra):
    return {"edge_id": f"{src}-{dst}", "from_node": src, "to_node": dst, "trigger": trigger, **extra}


# Numbers as JSON and compile give them, and the ones they must not be read as: bools, NaN, infinities, text
# (no signaling NaN, which no input can give).
NUMBERS = st.one_of(
    st.integers(-3, 3),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2, max_value=2),
    st.sampled_from([0.0, -0.0, 1.0, 1.0000000000000002, 0.9999999999999999, 5e-324, math.inf, math.nan]),
    st.decimals(allow_nan=True, allow_infinity=True).filter(lambda d: not d.is_snan()),
    st.decimals(min_value=-2, max_value=2, places=3),
    st.sampled_from([Decimal("1.000"), Decimal("0E-5"), Decimal("-0"), Decimal("NaN"), Decimal("Infinity")]),
    st.booleans(),
    st.none(),
    st.text(max_size=3),
)
IDS = st.sampled_from(["a", "b", "c", "d", "e", "f"])
TRIGGERS = st.one_of(
    st.sampled_from(["on_accepted", "on_fill", "on_first_fill", "on_fill_ratio", "on_full_fill", "on_done", "nope"]),
    st.builds(lambda ms: {"on_timeout": {"ms": ms}}, NUMBERS),
    st.builds(lambda ms, extra: {"on_timeout": {"ms": ms}, **extra}, NUMBERS, st.just({"on_fill": {}})),
    st.builds(lambda params: {"on_timeout": params}, st.one_of(st.none(), NUMBERS, st.just({}))),
    st.builds(
        lambda symbol, direction, reference, offset: {
            "on_price": {"symbol": symbol, "direction": direction, "reference": reference, "offset_pct": offset}
        },
        st.sampled_from(["ETH-USD", "BTC-USD", "SOL-USD"]),
        st.sampled_from(["above", "below", "sideways"]),
        st.sampled_from(["graph_entry_price", "mid"]),
        NUMBERS,
    ),
    st.builds(lambda name: {name: {}}, st.sampled_from(["on_fill", "on_price", "on_done"])),
)
CONDITIONS = st.one_of(
    st.builds(lambda ratio: {"fill_ratio_gte": ratio}, NUMBERS),
    st.just({}),
    st.just("half"),
    st.builds(lambda ratio: {"fill_ratio_gte": ratio, "other": [1, {"x": 2}]}, NUMBERS),
)


HOSTILE_NUMBERS = [
    *(0, 1, 2, -1, 10**30, True, False, None, "0.5", [0.5], {"x": 1}),
    *(0.0, -0.0, 0.5, 1.0, 1.0000000000000002, 0.9999999999999999, 5e-324, -5e-324, math.inf, -math.inf, math.nan),
    *(Decimal("0.5"), Decimal("1.000"), Decimal("1.0001"), Decimal("0E-5"), Decimal("-0"), Decimal("1e-30")),
    *(Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")),
    *(JsonFloat("0.25"), JsonFloat("1.0"), JsonFloat("0"), JsonFloat("1.5"), JsonFloat("NaN"), JsonFloat("-5")),
]  # no signaling NaN: neither JSON nor YAML input can give one (and it cannot even be hashed)


@pytest.mark.parametrize("value", HOSTILE_NUMBERS, ids=repr)
def test_hostile_numbers(value):
    """Each number where the sufficient tests read fill ratios, timeouts, sizes, prices and offsets."""
    a, b = wire_node("a"), wire_node("b", activation="wait")
    a["quantity"] = {"fixed": {"qty_1e8": value}}
    b["order_type"] = {"limit": {"price_1e9": value}}
    b["execution"].update(max_slippage_bps=value, horizon_ms=value, pacing={"uniform": {"num_slices": value}})
    edges = [
        _edge("a", "b", "on_fill_ratio", condition={"fill_ratio_gte": value}),
        _edge("a", "b", {"on_timeout": {"ms": value}}),
        _edge("a", "b", {"on_price": {"symbol": "ETH-USD", "direction": "below", "offset_pct": value}}),
    ]
    for quotes in (QUOTES, {}):
        assert_same_wire({"nodes": [a, b], "edges": edges}, quotes)
        for edge in edges:
            assert_same_wire({"nodes": [a, b], "edges": [edge]}, quotes)


@st.composite
def shaped_graphs(draw):
    """Well-formed nodes (some fields wrong or missing) in any order, and edges of every trigger between them."""
    ids = draw(st.lists(IDS, min_size=1, max_size=6))
    nodes = []
    for node_id in ids:
        node = wire_node(
            node_id,
            side=draw(st.sampled_from(["buy", "sell"])),
            qty=draw(st.sampled_from(["1", "0.5", "2.5", "derived", "1000"])),
            price=draw(st.sampled_from([None, "2325.53", "2325.10", "0.555", "97251", "1"])),
            symbol=draw(st.sampled_from(["ETH-USD", "BTC-USD", "KXFEDDECISION-26DEC-C25", "SOL-USD"])),
            activation=draw(st.sampled_from(["root", "wait"])),
            type=draw(st.sampled_from(["spot", "perp", "prediction"])),
        )
        if draw(st.booleans()):
            node["instrument"]["venue"] = draw(st.sampled_from(["coinbase", "Kalshi", "polymarket", "nyse", ""]))
        for field in draw(st.lists(st.sampled_from(["activation", "side", "order_type", "quantity", "execution"]))):
            node.pop(field, None)
        if draw(st.booleans()):
            node["execution"] = {
                "policy": draw(st.sampled_from(["sor", "ioc_sweep", "passive_limit", ""])),
                "tif": draw(st.sampled_from(["GTC", "ioc", "FOK", "", None])),
                "max_slippage_bps": draw(NUMBERS),
                "horizon_ms": draw(NUMBERS),
                "pacing": {"uniform": {"num_slices": draw(NUMBERS), "interval_ms": draw(NUMBERS)}},
            }
        if draw(st.booleans()):
            node["quantity"] = {"fixed": {"qty_1e8": draw(NUMBERS)}}
        if draw(st.booleans()):
            node["order_type"] = {"limit": {"price_1e9": draw(NUMBERS)}}
        nodes.append(node)
    edges = []
    for _ in range(draw(st.integers(0, 9))):
        edge = _edge(draw(IDS), draw(IDS), draw(TRIGGERS))
        if draw(st.booleans()):
            edge["condition"] = draw(CONDITIONS)
        edges.append(edge)
    wire = {"nodes": nodes, "edges": edges, "is_sandbox": draw(st.booleans())}
    if draw(st.booleans()):
        wire["risk"] = {"admission": {"max_notional_usd": draw(st.sampled_from([1, 5000, 10**6, 10**12]))}}
    return wire


@FUZZ
@given(shaped_graphs(), st.booleans())
def test_generated_graphs(wire, quoted):
    assert_same_wire(wire, QUOTES if quoted else {})


@FUZZ
@given(wire_graphs(), st.booleans())
def test_fuzzed_graphs(wire, quoted):
    assert_same_wire(wire, QUOTES if quoted else {})


def test_a_null_venue_beside_a_venue_read_from_the_symbol_is_no_crash():
    # the long fuzz run of 2026-12-06 found GC103's venue check taking a null `instrument.venue` for a text where
    # the node's venue was read from its KX symbol (a graph the schema refuses, which the rules never crash on)
    node = wire_node("a")
    wire = {
        "nodes": [
            {**node, "instrument": None},
            {**node, "instrument": {"symbol": "KXFEDDECISION-26DEC-C25", "type": "prediction", "venue": None}},
        ],
        "edges": [],
        "is_sandbox": False,
    }
    assert_same_wire(wire, {})


@pytest.mark.parametrize("limit", [1, 0.125])
def test_a_cut_that_rounds_differently_reads_the_same_in_both(limit):
    # the long fuzz run of 2026-12-03 found GC501's hint apart ("cut ... by $1,161.77" live, "$1,161.76" here)
    # until the frozen copy took the decided money display: 0.5 ETH at the 2325.53 ask is $1,162.765
    node = wire_node("a", qty="0.5")
    wire = {"nodes": [node], "edges": [], "is_sandbox": False, "risk": {"admission": {"max_notional_usd": limit}}}
    assert_same_wire(wire, QUOTES)


def test_venue_skips_in_bulk():
    """A graph on markets with no venue facts (no venue pinned, no quotes or config) gets GC301, GC302, GC305 and
    GC309's skips of every node at once; a graph where some market has the fact, or with market and limit
    orders mixed (GC301), is read node by node; and GC306 on a symbol shaped like a prediction venue's. All as
    the reference reads them."""
    from graphc.rules.venue import _skipped_everywhere

    symbols = ["ETH-USD", "BTC-USD", "ETH-USD-PERP", "SOL-USD"]
    market = [wire_node(f"n{i}", symbol=symbols[i % 4], qty=str(i % 3 + 1)) for i in range(12)]
    limit = [wire_node(f"n{i}", symbol=symbols[i % 3], price="2325.53") for i in range(12)]
    pinned = [*market[:11], wire_node("p", symbol="ETH-USD")]  # (as many nodes as the bulk path looks at)
    pinned[-1]["instrument"]["venue"] = "coinbase"
    for nodes in (market, limit, market[:5] + limit, pinned):
        assert_same_wire({"nodes": nodes, "edges": []}, {})
    ctx = LintContext.for_wire({"nodes": market, "edges": []})
    assert _skipped_everywhere(ctx, "quantity", lambda node: "unknown") is not None
    ctx = LintContext.for_wire({"nodes": pinned, "edges": []})
    assert _skipped_everywhere(ctx, "quantity", lambda node: None if node.venue else "unknown") is None
    shaped = [*market[:2], wire_node("k", symbol="KXFEDDECISION-26DEC-C25")]  # GC306 asks each node of that market
    for nodes in (shaped, [*shaped[:2], {**shaped[2], "instrument": {"symbol": shaped[2]["instrument"]["symbol"]}}]):
        assert_same_wire({"nodes": nodes, "edges": []}, {})
    elsewhere = [  # pinned to the other prediction venue (audit venue18 1), typed and not
        {
            **shaped[2],
            "node_id": kind,
            "instrument": {"symbol": "KXFEDDECISION-26DEC-C25", "type": kind, "venue": "polymarket"},
        }
        for kind in ("prediction", "spot")
    ]
    url = {"symbol": "https://polymarket.com/event/x", "type": "prediction", "venue": "kalshi"}
    assert_same_wire(
        {"nodes": [*market[:2], *elsewhere, {**shaped[2], "node_id": "u", "instrument": url}], "edges": []}, {}
    )
    for quotes in (QUOTES, {}):  # the compiled bench graph (no venue pinned), as lint reads its JSON
        result = compile_text(make_corpus().scaling_playbook(60), "legs-60.yaml")
        assert_same_wire(json.loads(result.wire_json()), quotes)


def test_forks_read_with_the_edges():
    """GC408 looks only at the nodes with two or more edges out (each id once: else at every node), in node order
    (here not the order of their edges); GC210 and GC201 take what the edges' reading noted."""
    parents = [wire_node("p1"), wire_node("p2")]
    exits = [wire_node(name, side="sell", activation="wait") for name in ("a", "b", "c", "d")]
    edges = [_edge("p2", "a"), _edge("p2", "b"), _edge("p1", "c"), _edge("p1", "d")]
    wire = {"nodes": [*parents, *exits], "edges": edges}
    assert_same_wire(wire, {})
    ctx = LintContext.for_wire(wire)
    assert ctx.facts.forks == ["p2", "p1"] and ctx.facts.forward_only
    found = [f for f in run_rules(ctx, CHECKED).findings if f.code == "GC408"]
    assert [f.where for f in found] == [("nodes", 5, "quantity"), ("nodes", 3, "quantity")]  # p1 first, then p2
    repeated = {"nodes": wire["nodes"], "edges": [*edges, _edge("p1", "c"), _edge("c", "p1")]}  # a pair twice; a loop
    assert_same_wire(repeated, {})
    codes = [f.code for f in run_rules(LintContext.for_wire(repeated), CHECKED).findings]
    assert "GC210" in codes and "GC201" in codes
    twice = {"nodes": [*wire["nodes"], wire_node("p1")], "edges": edges}  # p1 named twice: every node is asked
    assert_same_wire(twice, {})
