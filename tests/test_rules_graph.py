"""GC201-GC210: one failing wire graph and a near-identical passing one per code."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from graphc.stages import graph_rules as graph
from graphc.stages import suggest
from tests.wire_nodes import run_rules_on


def node(node_id, activation="root", quantity=None):
    return {
        "node_id": node_id,
        "instrument": {"symbol": "ETH-USD", "type": "spot"},
        "side": "buy",
        "order_type": "market",
        "quantity": quantity or {"fixed": {"qty_1e8": 100000000}},
        "execution": {"policy": "sor"},
        "activation": activation,
    }


def edge(j, src, dst, trigger="on_full_fill", condition=None):
    e = {"edge_id": f"e{j}", "from_node": src, "to_node": dst, "trigger": trigger}
    if condition is not None:
        e["condition"] = condition
    return e


def wire(nodes, edges=()):
    return {
        "nodes": list(nodes),
        "edges": [edge(j, *e) if isinstance(e, tuple) else e for j, e in enumerate(edges)],
        "is_sandbox": True,
    }


def lint(w):
    return run_rules_on(w, graph.RULES)[0]


def codes(findings):
    return {f.code for f in findings}


def only(findings, code):
    assert codes(findings) == {code}, findings
    return [f for f in findings if f.code == code]


# A cycle a → b → c → a entered from the root r (so nothing else is wrong).
CYCLE = wire(
    [node("r"), node("a", "wait"), node("b", "wait"), node("c", "wait")],
    [("r", "a"), ("a", "b"), ("b", "c"), ("c", "a")],
)


def test_gc201_cycle_names_the_whole_loop_at_the_closing_edge():
    [finding] = only(lint(CYCLE), "GC201")
    assert finding.where == ("edges", 3)
    assert "a → b → c → a" in finding.message


def test_gc201_passes_without_the_closing_edge():
    ok = copy.deepcopy(CYCLE)
    del ok["edges"][3]
    assert lint(ok) == []


def test_gc201_self_loop():
    w = wire([node("r"), node("a", "wait")], [("r", "a"), ("a", "a", "on_fill")])
    [finding] = only(lint(w), "GC201")
    assert finding.where == ("edges", 1)
    assert "a → a" in finding.message


def test_gc201_each_cycle_once_and_bounded():
    names = [f"n{k}" for k in range(9)]
    nodes = [node("r")] + [node(n, "wait") for n in names]
    edges = [("r", "n0")] + [(a, b) for a in names for b in names if a != b]
    findings = only(lint(wire(nodes, edges)), "GC201")
    assert len(findings) == graph.MAX_CYCLES
    assert len({f.message for f in findings}) == graph.MAX_CYCLES


def test_gc202_unknown_leg_with_did_you_mean():
    w = wire([node("spot"), node("hedge", "wait")], [("spot", "hedge"), ("spt", "hedge", "on_accepted")])
    [finding] = only(lint(w), "GC202")
    assert finding.where == ("edges", 1, "from_node")
    assert "'spt'" in finding.message and "did you mean 'spot'" in finding.message


@pytest.fixture
def compared(monkeypatch):
    """For each name difflib compares with an unknown one (``set_seq1``), the product of their lengths."""
    import difflib

    pairs = []
    real = difflib.SequenceMatcher.set_seq1

    def set_seq1(self, a):
        if self.b is not None:  # None: the matcher being made
            pairs.append(len(a) * len(self.b))
        return real(self, a)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", set_seq1)
    return pairs


def _ids(count, size, seed):
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice("ab") for _ in range(size)) for _ in range(count)]


@pytest.mark.parametrize("size", [40, 195])
def test_gc202_did_you_mean_compares_a_bounded_number_of_ids(compared, size):
    """sec16 4: 2,000 ids over a two-letter alphabet pass difflib's quick filters; each of the 20 suggestions
    compared the unknown name with every id (131 s for 195-character ids). Now with a bounded few, and a name
    over 64 characters with none."""
    ids = _ids(2000, size, 7)
    unknown = _ids(30, size, 8)
    w = wire([node(i) for i in ids], [(u, ids[0], "on_accepted") for u in unknown])
    findings = only(lint(w), "GC202")
    assert len(findings) == 30
    assert sum(compared) <= graph.MAX_SUGGESTIONS * suggest.MAX_COMPARED_CHARS
    if size > suggest.MAX_WORD_CHARS:
        assert compared == [] and not any("did you mean" in f.message for f in findings)


def test_gc202_still_suggests_among_many_legs():
    ids = [f"leg_{k}" for k in range(5000)] + ["hedge_perp"]
    w = wire([node(i) for i in ids], [("hedge_prep", ids[0], "on_accepted")])
    [finding] = only(lint(w), "GC202")
    assert "did you mean 'hedge_perp'" in finding.message


@pytest.mark.parametrize("count", [5, 6, 7, 13, 101])
def test_gc202_hint_counts_every_leg_it_does_not_name(count):
    """wire18 5: the hint names five legs and then said "and 1 more" whatever the number of the others."""
    ids = [f"n{k}" for k in range(count)]
    w = wire([node(i) for i in ids], [("x", ids[0], "on_accepted")])
    [finding] = only(lint(w), "GC202")
    named = ", ".join(repr(i) for i in ids[:5])
    more = f" and {count - 5} more" if count > 5 else ""
    assert finding.hint == f"name one of the legs: {named}{more}"


def test_gc202_passes_when_the_leg_exists():
    w = wire([node("spot"), node("hedge", "wait")], [("spot", "hedge"), ("spot", "hedge", "on_accepted")])
    assert lint(w) == []


def test_gc202_skips_cycle_search_for_unresolved_edges():
    w = wire([node("a"), node("b", "wait")], [("a", "b"), ("b", "x")])
    [finding] = only(lint(w), "GC202")
    assert finding.where == ("edges", 1, "to_node")


def test_gc203_duplicate_node_id_at_the_second():
    [finding] = only(lint(wire([node("spot"), node("spot")])), "GC203")
    assert finding.where == ("nodes", 1, "node_id")


def test_gc203_passes_with_unique_ids():
    assert lint(wire([node("spot"), node("spot2")])) == []


def test_gc204_orphan():
    [finding] = only(lint(wire([node("spot"), node("hedge", "wait")])), "GC204")
    assert finding.where == ("nodes", 1, "activation")
    assert "'hedge'" in finding.message


def test_gc204_passes_with_an_edge():
    assert lint(wire([node("spot"), node("hedge", "wait")], [("spot", "hedge")])) == []


def test_gc205_root_with_incoming_edges():
    [finding] = only(lint(wire([node("spot"), node("hedge", "root")], [("spot", "hedge")])), "GC205")
    assert finding.where == ("nodes", 1, "activation")
    assert "'spot'" in finding.message


def test_gc205_passes_when_the_child_waits():
    assert lint(wire([node("spot"), node("hedge", "wait")], [("spot", "hedge")])) == []


def test_gc206_no_root():
    [finding] = only(lint(wire([node("a", "wait"), node("b", "wait")], [("a", "b")])), "GC206")
    assert finding.where == ("nodes",)


def test_gc206_passes_with_a_root():
    assert lint(wire([node("a", "root"), node("b", "wait")], [("a", "b")])) == []


def test_gc207_unreachable_from_an_orphan():
    # A wait node is unreachable only below an orphan (GC204) or a cycle (GC201);
    # the orphan itself is GC204 and not reported again as GC207.
    w = wire([node("spot"), node("lost", "wait"), node("child", "wait")], [("lost", "child")])
    findings = lint(w)
    assert codes(findings) == {"GC204", "GC207"}
    [gc207] = [f for f in findings if f.code == "GC207"]
    assert gc207.where == ("nodes", 2, "node_id")
    assert "'child'" in gc207.message and "'lost'" in gc207.message


def test_gc207_unreachable_below_a_cycle():
    w = wire(
        [node("spot"), node("a", "wait"), node("b", "wait"), node("c", "wait")], [("a", "b"), ("b", "a"), ("b", "c")]
    )
    assert codes(lint(w)) == {"GC201", "GC207"}
    assert sorted(f.where for f in lint(w) if f.code == "GC207") == [("nodes", i, "node_id") for i in (1, 2, 3)]


def test_gc207_passes_when_connected_to_the_root():
    w = wire([node("spot"), node("lost", "wait"), node("child", "wait")], [("spot", "lost"), ("lost", "child")])
    assert lint(w) == []


RATIO = {"fill_ratio_gte": Decimal("0.5")}


@pytest.mark.parametrize(
    "bad_edge, where, words",
    [
        # wire18 6: an out-of-range ratio is found at the ratio, not at the `condition` mapping
        (
            edge(0, "spot", "hedge", "on_fill_ratio", {"fill_ratio_gte": Decimal("1.5")}),
            "condition.fill_ratio_gte",
            "1.5",
        ),
        (edge(0, "spot", "hedge", "on_fill_ratio", {"fill_ratio_gte": 0}), "condition.fill_ratio_gte", "(0, 1]"),
        (edge(0, "spot", "hedge", "on_fill_ratio"), "trigger", "fill_ratio_gte"),
        (
            edge(0, "spot", "hedge", {"on_timeout": {"ms": 0}}),
            "trigger.on_timeout.ms",
            "ms",
        ),  # at the delay (wirelint23 6)
        (edge(0, "spot", "hedge", "on_full_fill", RATIO), "condition", "on_full_fill"),
        (edge(0, "spot", "hedge", "on_fil"), "trigger", "valid triggers: on_accepted"),
        (edge(0, "spot", "hedge", "on_timeout"), "trigger", "on_timeout"),
    ],
)
def test_gc208_trigger_condition_mismatch(bad_edge, where, words):
    [finding] = only(lint(wire([node("spot"), node("hedge", "wait")], [bad_edge])), "GC208")
    assert finding.where == ("edges", 0, *where.split("."))
    assert words in finding.message


@pytest.mark.parametrize(
    "good_edge",
    [
        edge(0, "spot", "hedge", "on_fill_ratio", RATIO),
        edge(0, "spot", "hedge", "on_fill_ratio", {"fill_ratio_gte": 1}),
        edge(0, "spot", "hedge", {"on_timeout": {"ms": 5000}}),
        edge(0, "spot", "hedge", "on_full_fill"),
        edge(0, "spot", "hedge", "on_fill"),
        edge(
            0,
            "spot",
            "hedge",
            {
                "on_price": {
                    "symbol": "ETH-USD",
                    "direction": "below",
                    "reference": "graph_entry_price",
                    "offset_pct": -5.0,
                }
            },
        ),
    ],
)
def test_gc208_passes_for_consistent_edges(good_edge):
    assert lint(wire([node("spot"), node("hedge", "wait")], [good_edge])) == []


def on_price(direction, offset, reference="graph_entry_price"):
    params = {"symbol": "ETH-USD", "direction": direction, "reference": reference, "offset_pct": Decimal(offset)}
    return edge(0, "spot", "hedge", {"on_price": params})


@pytest.mark.parametrize(
    "bad_edge, words",
    [
        (on_price("below", "5"), "fires at once"),  # `below entry 5%`: already below the level at the start
        (on_price("above", "-3"), "fires at once"),
        (on_price("below", "-100"), "never fires"),  # the boundary: a price of zero
        (on_price("below", "-150"), "never fires"),
        (on_price("below", "-5", "last_price"), "reference 'last_price'"),
    ],
)
def test_gc208_on_price_that_fires_at_once_or_never(bad_edge, words):
    [finding] = only(lint(wire([node("spot"), node("hedge", "wait")], [bad_edge])), "GC208")
    assert finding.where == ("edges", 0, "trigger") and words in finding.message


@pytest.mark.parametrize(
    "good_edge",
    [on_price("below", "-5"), on_price("above", "3"), on_price("below", "-99.99"), on_price("below", "0")],
)
def test_gc208_on_price_that_can_fire(good_edge):
    assert lint(wire([node("spot"), node("hedge", "wait")], [good_edge])) == []


def test_gc208_unknown_trigger_suggests():
    w = wire([node("spot"), node("hedge", "wait")], [edge(0, "spot", "hedge", "on_fil")])
    assert "did you mean 'on_fill'" in lint(w)[0].message


def test_gc209_derived_without_fill_edge():
    w = wire([node("spot"), node("hedge", "wait", "derived")], [("spot", "hedge", "on_accepted")])
    [finding] = only(lint(w), "GC209")
    assert finding.where == ("nodes", 1, "quantity")
    assert "on_accepted from 'spot'" in finding.message


def test_gc209_passes_with_a_fill_edge():
    w = wire([node("spot"), node("hedge", "wait", "derived")], [("spot", "hedge", "on_fill")])
    assert lint(w) == []


def test_gc210_duplicate_edge_compared_structurally():
    w = wire(
        [node("spot"), node("hedge", "wait")],
        [("spot", "hedge", {"on_timeout": {"ms": 5000}}), ("spot", "hedge", {"on_timeout": {"ms": Decimal(5000)}})],
    )
    [finding] = only(lint(w), "GC210")
    assert finding.where == ("edges", 1)
    assert "e0" in finding.message


def test_gc210_passes_with_a_different_trigger_or_ratio():
    w = wire(
        [node("spot"), node("hedge", "wait")],
        [
            ("spot", "hedge", {"on_timeout": {"ms": 5000}}),
            ("spot", "hedge", {"on_timeout": {"ms": 6000}}),
            edge(2, "spot", "hedge", "on_fill_ratio", RATIO),
            edge(3, "spot", "hedge", "on_fill_ratio", {"fill_ratio_gte": Decimal("0.8")}),
        ],
    )
    assert lint(w) == []


def test_gc210_repeated_edge_id_is_an_error_at_the_second_id():
    # audit graph.md 1: two edges called e0 (different triggers, so not a same-from/to/trigger duplicate).
    # graphc's sandbox router refuses this (it runs this rule: GC210) and Get Graph Status keys edges by id.
    w = wire(
        [node("a"), node("b", "wait")],
        [
            {"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": "on_full_fill"},
            {"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": "on_accepted"},
        ],
    )
    [finding] = only(lint(w), "GC210")
    assert finding.where == ("edges", 1, "edge_id")
    assert finding.message == "edges[1] repeats the edge id 'e0' of edges[0]"
    assert finding.hint


def test_gc210_repeated_edge_id_counts_edges_with_unknown_ends():
    # The id clashes even when an end does not resolve (GC202 says that); the router refuses both.
    w = wire(
        [node("a"), node("b", "wait")],
        [
            {"edge_id": "x", "from_node": "a", "to_node": "b", "trigger": "on_full_fill"},
            {"edge_id": "x", "from_node": "a", "to_node": "nope", "trigger": "on_full_fill"},
            {"edge_id": "x", "from_node": "a", "to_node": "b", "trigger": "on_accepted"},
        ],
    )
    findings = [f for f in lint(w) if f.code == "GC210"]
    assert [f.where for f in findings] == [("edges", 1, "edge_id"), ("edges", 2, "edge_id")]
    assert all("of edges[0]" in f.message for f in findings)


def test_gc210_identical_edges_reported_once():
    # Same from/to/trigger and same id: one finding (the structural repeat), not two for one edge.
    e = {"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": "on_full_fill"}
    [finding] = only(lint(wire([node("a"), node("b", "wait")], [e, dict(e)])), "GC210")
    assert finding.where == ("edges", 1)


def test_malformed_input_never_raises():
    w = {
        "nodes": [None, 3, {"node_id": 5}, {"node_id": ["x"]}, node("a"), {"node_id": "b"}],
        "edges": [
            None,
            "e",
            {"from_node": ["a"], "to_node": {"b": 1}, "trigger": ["on_fill"]},
            {"from_node": "a", "to_node": "b", "trigger": {"on_timeout": "soon"}, "condition": 7},
            {"from_node": "a", "to_node": "b", "trigger": "on_fill_ratio", "condition": {"fill_ratio_gte": "x"}},
            {"from_node": "a", "to_node": "b", "trigger": {"on_timeout": {"ms": Decimal("NaN")}}},
            {"from_node": "a", "to_node": "b"},
        ],
    }
    assert codes(lint(w)) == {"GC208"}
    assert lint({"nodes": "x", "edges": {"a": 1}}) == []
    assert lint({}) == []


def test_100k_node_chain_lints():
    n = 100_000
    nodes = [node(f"n{k}", "root" if k == 0 else "wait") for k in range(n)]
    edges = [
        {"edge_id": f"e{k}", "from_node": f"n{k}", "to_node": f"n{k + 1}", "trigger": "on_full_fill"}
        for k in range(n - 1)
    ]
    assert lint({"nodes": nodes, "edges": edges, "is_sandbox": True}) == []


def test_gc208_shows_a_huge_offset_briefly_and_exactly():
    # -1e400 used to print all 401 characters (audit graph.md 5); 31 significant digits are kept, not rounded
    [huge] = only(lint(wire([node("spot"), node("hedge", "wait")], [on_price("below", "-1e400")])), "GC208")
    assert "below entry -1E+400% waits for the price to fall to zero or less" in huge.message
    edge = on_price("below", "-100.000000000000000000000000001")
    [fine] = only(lint(wire([node("spot"), node("hedge", "wait")], [edge])), "GC208")
    assert "below entry -100.000000000000000000000000001%" in fine.message


# -- audit exec20 4: an on_price level a prediction price never reaches ------------------------------------------
# Prediction prices stay strictly inside 0..1 (spec GC304), so `above` a level of 1 or more never fires: GC208, as
# `offset_pct` <= -100 ("below" a level of 0 or less) already is. Only where the level can be projected (spec §4:
# the `from` leg's limit on the trigger's symbol, else the snapshot mid); otherwise this check says nothing.
PM_TP = """\
graphc: 1
name: pm-tp
legs:
  entry: {buy: 10 shares, symbol: "will-btc-reach-150k:yes", limit: 0.6}
  tp:
    sell: 10 shares
    symbol: "will-btc-reach-150k:yes"
    after: "entry price will-btc-reach-150k:yes above entry 80%"
  k-entry: {buy: 10 contracts, symbol: KXBTCD-25DEC31-T100000, limit: 0.6}
  k-tp:
    sell: 10 contracts
    symbol: KXBTCD-25DEC31-T100000
    limit: 0.95
    after: "k-entry price KXBTCD-25DEC31-T100000 above entry 70%"
"""


def _gc208(report):
    return [(f[1], f[2], f[3]) for f in report["findings"] if f[0] == "GC208"]


def test_gc208_a_prediction_take_profit_above_1_never_fires(tmp_path):
    from tests.wire_nodes import lint_both

    book, wire = lint_both(tmp_path, PM_TP)
    assert book == wire
    assert book["rc"] == 1
    assert _gc208(book) == sorted(
        [
            (
                "error",
                "edge e1: on_price above entry +70% on KXBTCD-25DEC31-T100000, a prediction market, waits for the price "
                "to reach 1.02 (from k-entry's limit 0.6): kalshi's prices stay at or below 0.99, so it never fires",
                "choose an offset that keeps the level at or below 0.99 (at most +65% from 0.6), or take profit with "
                "a resting limit sell after the entry fills",
            ),
            (
                "error",
                "edge e0: on_price above entry +80% on will-btc-reach-150k:yes, a prediction market, waits for the "
                "price to reach 1.08 (from entry's limit 0.6): polymarket's prices stay at or below 0.999, so it "
                "never fires",
                "choose an offset that keeps the level at or below 0.999 (at most +66.5% from 0.6), or take profit "
                "with a resting limit sell after the entry fills",
            ),
        ]
    )


@pytest.mark.parametrize(
    "change, flagged",
    [
        ({"80%": "66%", "70%": "65%"}, False),  # 0.996 on Polymarket, 0.99 on Kalshi: each can fire
        ({"80%": "66%", "70%": "66%"}, True),  # 0.996 is over Kalshi's 0.99 (audit rules26 1)
        ({"limit: 0.6}": "limit: 0.5}", "80%": "100%", "70%": "10%"}, True),  # exactly 1: never above it
        ({"80%": "-10%", "above entry": "below entry", "70%": "-10%"}, False),  # stops at 0.54
    ],
)
def test_gc208_prediction_level_boundary(tmp_path, change, flagged):
    from tests.wire_nodes import alike, lint_both

    text = PM_TP
    for old, new in change.items():
        text = text.replace(old, new)
    book, wire = lint_both(tmp_path, text)
    assert alike(book, wire)
    assert bool(_gc208(book)) is flagged, book


def test_gc208_prediction_level_from_the_mid_or_not_at_all(tmp_path):
    from tests.wire_nodes import lint_both

    market = PM_TP.replace("limit: 0.6}\n  tp:", "}\n  tp:", 1)  # the Polymarket entry a market order
    market = market.split("  k-entry:")[0]
    (tmp_path / "none").mkdir()
    book, wire = lint_both(tmp_path / "none", market)  # no limit, no quote: the level is unknown, nothing said
    assert book == wire and _gc208(book) == []
    (tmp_path / "mid").mkdir()
    quotes = "will-btc-reach-150k:yes: {bid: 0.58, ask: 0.6, tick: 0.01}\n"
    book, wire = lint_both(tmp_path / "mid", market, quotes)  # the mid 0.59 x 1.8 = 1.062
    assert book == wire
    [(_, message, _)] = _gc208(book)
    assert "waits for the price to reach 1.062 (from the will-btc-reach-150k:yes mid 0.59)" in message


def test_gc208_a_spot_level_above_1_is_not_a_prediction_price(tmp_path):
    from tests.wire_nodes import lint_both

    text = PM_TP.replace('"will-btc-reach-150k:yes"', "BTC-USD").replace("will-btc-reach-150k:yes", "BTC-USD")
    text = text.replace("10 shares", "1").split("  k-entry:")[0]
    book, wire = lint_both(tmp_path, text)
    assert book == wire and _gc208(book) == []


# -- audit rules26 1: "never fires" is judged against the market's own range, the one GC304 reads -------------------
# Kalshi trades 0.01-0.99, Polymarket tick .. 1 - tick (0.001-0.999 at its default tick, 0.01-0.99 at a 0.01 one):
# a level exactly at the top or bottom fires (no finding), one a little beyond never does (GC208), in a playbook and
# in the wire graph it compiles to; the hint's offset is the largest that fires on that market, and following it
# clears the finding.
RANGE_TP = """\
graphc: 1
name: range-tp
legs:
  entry: {{buy: 10 {unit}, symbol: "{symbol}", limit: {entry}}}
  exit:
    sell: 10 {unit}
    symbol: "{symbol}"
    after: "entry price {symbol} {direction} entry {offset}%"
"""
_KALSHI = ("KXBTCD-25DEC31-T100000", "contracts", None)
_PM = ("will-x:yes", "shares", None)  # Polymarket's default tick, 0.001
_PM_CENT = ("will-x:yes", "shares", '"will-x:yes": {bid: 0.49, ask: 0.51, tick: 0.01}\n')


@pytest.mark.parametrize(
    "market, direction, offset, flagged",
    [
        # from 0.5: +98% is 0.99, +98.2% 0.991, +98.002% 0.99001; -98% is 0.01, -98.2% 0.009, -98.002% 0.00999
        (_KALSHI, "above", "98", False),
        (_KALSHI, "above", "98.2", True),  # one tenth of a tick over 0.99
        (_KALSHI, "above", "98.002", True),
        (_KALSHI, "below", "-98", False),
        (_KALSHI, "below", "-98.2", True),
        (_KALSHI, "below", "-98.002", True),
        (_PM_CENT, "above", "98", False),
        (_PM_CENT, "above", "98.2", True),
        (_PM_CENT, "below", "-98", False),
        (_PM_CENT, "below", "-98.002", True),
        # at the 0.001 tick: +99.8% is 0.999, +99.82% 0.9991; -99.8% is 0.001, -99.82% 0.0009
        (_PM, "above", "99.8", False),
        (_PM, "above", "99.82", True),
        (_PM, "above", "98.2", False),  # 0.991 is a Polymarket price at the 0.001 tick
        (_PM, "below", "-99.8", False),
        (_PM, "below", "-99.82", True),
        (_PM, "below", "-98.2", False),
    ],
)
def test_gc208_never_fires_outside_the_markets_own_range(tmp_path, market, direction, offset, flagged):
    from tests.wire_nodes import alike, lint_both

    symbol, unit, quotes = market
    text = RANGE_TP.format(symbol=symbol, unit=unit, entry="0.5", direction=direction, offset=offset)
    book, wire = lint_both(tmp_path, text, quotes)
    assert alike(book, wire)
    assert bool(_gc208(book)) is flagged, book
    assert bool(_gc208(wire)) is flagged, wire


@pytest.mark.parametrize(
    "market, entry, direction, offset, message, hint, fixed",
    [
        (  # the auditor's kalshi-tp-hint.yaml: +11.1%, 0.9999, would never fire on Kalshi either
            _KALSHI,
            "0.90",
            "above",
            "11.2",
            "waits for the price to reach 1.0008 (from entry's limit 0.9): kalshi's prices stay at or below 0.99, so "
            "it never fires",
            "choose an offset that keeps the level at or below 0.99 (at most +10% from 0.9), or take profit with a "
            "resting limit sell after the entry fills",
            "10",
        ),
        (  # kalshi-tp-never.yaml
            _KALSHI,
            "0.90",
            "above",
            "10.5",
            "waits for the price to reach 0.9945 (from entry's limit 0.9): kalshi's prices stay at or below 0.99, so "
            "it never fires",
            "choose an offset that keeps the level at or below 0.99 (at most +10% from 0.9), or take profit with a "
            "resting limit sell after the entry fills",
            "10",
        ),
        (  # kalshi-stop-never.yaml
            _KALSHI,
            "0.50",
            "below",
            "-99",
            "waits for the price to reach 0.005 (from entry's limit 0.5): kalshi's prices stay at or above 0.01, so "
            "it never fires",
            "choose an offset that keeps the level at or above 0.01 (down to -98% from 0.5)",
            "-98",
        ),
        (  # pm-stop-never.yaml
            _PM,
            "0.50",
            "below",
            "-99.9",
            "waits for the price to reach 0.0005 (from entry's limit 0.5): polymarket's prices stay at or above "
            "0.001, so it never fires",
            "choose an offset that keeps the level at or above 0.001 (down to -99.8% from 0.5)",
            "-99.8",
        ),
        (  # pm-tp-never.yaml with a 0.01 tick: 0.99 at most
            _PM_CENT,
            "0.90",
            "above",
            "10.6",
            "waits for the price to reach 0.9954 (from entry's limit 0.9): polymarket's prices stay at or below "
            "0.99, so it never fires",
            "choose an offset that keeps the level at or below 0.99 (at most +10% from 0.9), or take profit with a "
            "resting limit sell after the entry fills",
            "10",
        ),
        (  # an offset that is no whole hundredth of a percent: the hint's is cut, never past the range
            _KALSHI,
            "0.70",
            "above",
            "42",
            "waits for the price to reach 0.994 (from entry's limit 0.7): kalshi's prices stay at or below 0.99, so "
            "it never fires",
            "choose an offset that keeps the level at or below 0.99 (at most +41.42% from 0.7), or take profit with "
            "a resting limit sell after the entry fills",
            "41.42",
        ),
    ],
)
def test_gc208_hint_offers_an_offset_that_fires_on_the_market(
    tmp_path, market, entry, direction, offset, message, hint, fixed
):
    from tests.wire_nodes import lint_both

    symbol, unit, quotes = market
    text = RANGE_TP.format(symbol=symbol, unit=unit, entry=entry, direction=direction, offset=offset)
    book, wire = lint_both(tmp_path, text, quotes)
    [(severity, said, told)] = _gc208(book)
    assert severity == "error" and said.endswith(message), said
    assert told == hint
    [(_, wire_said, wire_told)] = _gc208(wire)
    assert wire_said == said and wire_told == hint  # the offset is a number in both forms
    (tmp_path / "fixed").mkdir()
    text = RANGE_TP.format(symbol=symbol, unit=unit, entry=entry, direction=direction, offset=fixed)
    book, wire = lint_both(tmp_path / "fixed", text, quotes)
    assert _gc208(book) == _gc208(wire) == []
