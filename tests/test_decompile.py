"""`graphc decompile`: wire graph -> playbook, proved by compiling back.

The property test draws random wire graphs in compile's canonical form (every
instrument kind, market and limit orders, fixed and derived sizes, every
execution field, every trigger kind with and without conditions, `after:` and
top-level edge orders, risk, sandbox) and checks that compiling the decompiled
playbook gives the same JSON back.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from graphc.cli import cli
from graphc.decompile import DecompileError, decompile, decompile_simple_order, round_trip_difference
from graphc.fmt import format_text
from graphc.humanize import playbook_name
from graphc.pipeline import compile_text
from graphc.stages.emit import to_json
from graphc.stages.triggers import JsonFloat
from graphc.venues import prediction_venue, symbol_problem
from graphc.venues.symbols import wrapped_in_quotes
from graphc.wire_input import read_graph_input
from tests.conftest import EXAMPLES, REPO

GOLDEN = REPO / "tests" / "golden"
INT64_MAX = 2**63 - 1

leg_ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,7}", fullmatch=True)
assets = st.from_regex(r"[A-Z][A-Z0-9]{1,5}", fullmatch=True)
venues = st.from_regex(r"[a-z][a-z0-9_]{1,9}", fullmatch=True)
# Template markup (`{{`, `{%`, `{#`) a text may hold: compile renders such a string, so decompile writes it as an
# expression returning it (audit decomp26 1), and generated symbols include it.
_MARKUP = ["{{ 7*7 }}", "{#c#}", "X{{y}}", 'a"{%b', "it's \\ {{", "{{", "é{#😀"]
odd_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)


@st.composite
def instruments(draw):
    kind = draw(st.sampled_from(["spot", "perp", "kalshi", "polymarket", "token", "url", "odd"]))
    if kind == "spot":
        symbol, type_, venue = f"{draw(assets)}-USD", "spot", draw(st.none() | st.sampled_from(["coinbase", "kraken"]))
    elif kind == "perp":
        symbol, type_, venue = f"{draw(assets)}-USD-PERP", "perp", draw(st.none() | st.just("hyperliquid"))
    elif kind == "kalshi":
        symbol = "KX" + draw(st.from_regex(r"[A-Z0-9]{2,8}(-[A-Z0-9.]{1,6}){1,3}", fullmatch=True))
        type_, venue = "prediction", "kalshi"
    elif kind == "polymarket":
        slug = draw(st.from_regex(r"[a-z0-9]+(-[a-z0-9]+){0,4}", fullmatch=True))
        symbol, type_, venue = f"{slug}:{draw(st.sampled_from(['yes', 'no']))}", "prediction", "polymarket"
    elif kind == "token":
        symbol, type_, venue = draw(st.from_regex(r"[0-9]{20,40}", fullmatch=True)), "prediction", "polymarket"
    elif kind == "url":
        slug = draw(st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True))
        symbol, type_, venue = f"https://polymarket.com/event/{slug}", "prediction", "polymarket"
    else:  # anything compile accepts, with an explicit type and maybe a pinned venue
        symbol = draw(
            odd_text
            | st.sampled_from(
                [
                    "0o17",
                    ".5",
                    "true",
                    "null",
                    "~",
                    "1e5",
                    "USD-X",
                    "shares-x",
                    "a: b",
                    "# x",
                    "- y",
                    "eth-usd",
                    "BTC/USD",
                    *_MARKUP,
                ]
            )
        )
        type_ = draw(st.sampled_from(["spot", "perp", "prediction"]))
        venue = draw(st.none() | venues)
    if kind != "odd" and draw(st.booleans()):  # any instrument can carry an explicit type or a pinned venue
        type_ = draw(st.sampled_from(["spot", "perp", "prediction"]))
        venue = draw(st.none() | venues | st.just(venue))
    if type_ == "prediction" and venue is None:  # compile infers the venue the symbol names (spec §3.1)
        venue = prediction_venue(symbol)
    instrument = {"symbol": symbol, "type": type_}
    if venue is not None:
        instrument["venue"] = venue
    return instrument


def _symbol_ok(instrument) -> bool:
    symbol = instrument["symbol"]
    # a symbol every input form accepts (wirelint23 3); one inside quote characters is refused (GC103 on wire)
    return symbol_problem(symbol) is None and not wrapped_in_quotes(symbol)


@st.composite
def executions(draw):
    execution = {
        "policy": draw(
            st.sampled_from(["sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip"])
        )
    }
    if draw(st.booleans()):
        execution["urgency"] = draw(st.sampled_from(["low", "medium", "high"]))
    if draw(st.booleans()):
        execution["max_slippage_bps"] = draw(st.integers(-100, 20_000))
    if draw(st.booleans()):
        # a valid wire horizon is positive (schemas/wire-graph.schema.json: minimum 1)
        execution["horizon_ms"] = draw(st.integers(1, 10**11) | st.sampled_from([1, 1500, 60_000, 3_600_000]))
    if draw(st.booleans()):
        execution["tif"] = draw(st.sampled_from(["GTC", "IOC", "FOK"]))
    if draw(st.booleans()):
        execution["pacing"] = {
            "uniform": {"num_slices": draw(st.integers(1, 1000)), "interval_ms": draw(st.integers(1, 10**9))}
        }
    return execution


def _decimal(places_max=6, low=1, high=10**6):
    return st.builds(lambda n, p: Decimal(n).scaleb(-p), st.integers(low, high), st.integers(0, places_max))


@st.composite
def nodes(draw, node_id):
    instrument = draw(instruments().filter(_symbol_ok))
    order_type = draw(st.just("market") | st.builds(lambda n: {"limit": {"price_1e9": n}}, st.integers(1, INT64_MAX)))
    quantity = draw(
        st.just("derived")
        | st.builds(lambda n: {"fixed": {"qty_1e8": n}}, st.integers(1, INT64_MAX) | st.integers(1, 10**12))
    )
    return {
        "node_id": node_id,
        "instrument": instrument,
        "side": draw(st.sampled_from(["buy", "sell"])),
        "order_type": order_type,
        "quantity": quantity,
        "execution": draw(executions()),
        "activation": None,
    }


@st.composite
def triggers(draw):
    kind = draw(st.sampled_from(["name", "ratio", "timeout", "price", "price-odd"]))
    condition = None
    if kind == "name":
        trigger = draw(
            st.sampled_from(
                ["on_accepted", "on_first_fill", "on_fill", "on_fill_ratio", "on_full_fill", "on_cancel", "on_done"]
            )
        )
    elif kind == "ratio":
        trigger = "on_fill_ratio"
    elif kind == "timeout":
        trigger = {"on_timeout": {"ms": draw(st.integers(1, 10**10))}}  # the wire schema asks 1 or more (ab41f18)
    else:
        # a symbol every input form accepts (as _symbol_ok for a node's): a blank one or one in quotes is refused
        odd = (odd_text | st.sampled_from(_MARKUP)).filter(
            lambda s: symbol_problem(s) is None and not wrapped_in_quotes(s)
        )
        symbol = f"{draw(assets)}-USD" if kind == "price" else draw(odd)
        reference = "graph_entry_price" if kind == "price" else draw(st.sampled_from(["graph_entry_price", "last"]))
        offset = JsonFloat(draw(_decimal(3, -(10**5), 10**5)))
        trigger = {
            "on_price": {
                "symbol": symbol,
                "direction": draw(st.sampled_from(["below", "above"])),
                "reference": reference,
                "offset_pct": offset,
            }
        }
    if kind == "ratio" or draw(st.integers(0, 9)) == 0:  # conditions on other triggers are legal wire too
        condition = {"fill_ratio_gte": JsonFloat(draw(_decimal(4, 1, 10**4)))}
    return trigger, condition


@st.composite
def wire_graphs(draw):
    ids = draw(st.lists(leg_ids, min_size=1, max_size=6, unique=True))
    graph_nodes = [draw(nodes(node_id)) for node_id in ids]
    edge_count = draw(st.integers(0, 8))
    edges = []
    for i in range(edge_count):
        source = draw(st.sampled_from(ids) | leg_ids)
        target = draw(st.sampled_from(ids)) if draw(st.integers(0, 9)) else draw(leg_ids)
        trigger, condition = draw(triggers())
        edge = {"edge_id": f"e{i}", "from_node": source, "to_node": target, "trigger": trigger}
        if condition is not None:
            edge["condition"] = condition
        edges.append(edge)
    targets = {e["to_node"] for e in edges}
    for node in graph_nodes:
        consistent = "wait" if node["node_id"] in targets else "root"
        node["activation"] = consistent if draw(st.integers(0, 4)) else draw(st.sampled_from(["root", "wait"]))
    wire = {"nodes": graph_nodes, "edges": edges}
    risk = {}
    if draw(st.booleans()):
        risk["admission"] = {"max_notional_usd": draw(_decimal(2, 1, 10**10))}
    if draw(st.booleans()):
        risk["runtime"] = {"max_loss_usd": draw(_decimal(2, 1, 10**8))}
    if risk:
        wire["risk"] = risk
    wire["is_sandbox"] = draw(st.booleans())
    return wire


def _round_trip(wire_text: str, path="graph.json"):
    loaded = read_graph_input(wire_text, path)
    assert loaded.diagnostics == []
    result = decompile(loaded.wire, playbook_name(path))
    playbook = result.text
    compiled = compile_text(playbook, "decompiled.yaml")
    assert compiled.ok, (playbook, compiled.diagnostics)
    return playbook, compiled.wire_json()


@given(wire_graphs())
def test_compile_of_decompile_is_identity(wire):
    text = to_json(wire)
    playbook, compiled = _round_trip(text)
    assert json.loads(compiled) == json.loads(text), playbook
    assert compiled == text  # byte for byte, key order and number forms included
    assert format_text(playbook) == playbook  # already in `graphc fmt` layout


@st.composite
def simple_orders(draw):
    order = {
        "symbol": draw(instruments().filter(_symbol_ok))["symbol"],
        "side": draw(st.sampled_from(["buy", "sell"])),
        "qty": draw(_decimal(8, 1, 10**9)),
    }
    if draw(st.booleans()):
        order["price"] = draw(_decimal(9, 1, 10**9))
    if draw(st.booleans()):
        order["venue"] = draw(venues)
    return order


@given(simple_orders())
def test_simple_order_round_trips(order):
    text = to_json(order)
    loaded = read_graph_input(text, "order.json")
    assert loaded.diagnostics == []
    result = decompile_simple_order(loaded.wire, "order")
    assert round_trip_difference(result.text, result.wire) is None, result.text
    # the playbook's graph is the order's, with what the order leaves to the router written out (the type, and a
    # prediction market's venue: audit wirelint23 1), each said in a note
    compiled = json.loads(compile_text(result.text, "decompiled.yaml").wire_json())
    wrapped = json.loads(to_json(loaded.wire))
    [node], [sent] = compiled["nodes"], wrapped["nodes"]
    assert node["instrument"].items() >= sent["instrument"].items()
    assert {**node, "instrument": None} == {**sent, "instrument": None}
    assert {**compiled, "nodes": None} == {**wrapped, "nodes": None}


# -- examples and idiom ----------------------------------------------------------


@pytest.mark.parametrize("name", ["eth-hedge", "prediction-arb", "btc-twap", "dip-buy"])
def test_golden_graphs_round_trip(name):
    text = (GOLDEN / f"{name}.json").read_text()
    _, compiled = _round_trip(text, f"{name}.json")
    assert compiled == text


def test_hedge_reads_like_the_example():
    playbook, _ = _round_trip((GOLDEN / "eth-hedge.json").read_text(), "eth-hedge.json")
    example = (EXAMPLES / "eth-hedge.yaml").read_text()
    legs = example[example.index("legs:") :]
    assert playbook.endswith(legs)  # same legs, same words, nothing inferable spelled out
    assert "  max_notional: $1m\n  max_loss: $10k\n" in playbook
    assert "sandbox" not in playbook  # sandboxed is the default


def test_live_graph_says_sandbox_false():
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["is_sandbox"] = False
    playbook, compiled = _round_trip(json.dumps(wire))
    assert "sandbox: false\n" in playbook
    assert json.loads(compiled)["is_sandbox"] is False


def test_out_of_order_edges_fall_back_to_top_level_edges():
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["nodes"].append({**wire["nodes"][1], "node_id": "third"})
    wire["edges"] = [
        {"edge_id": "e0", "from_node": "spot", "to_node": "third", "trigger": "on_full_fill"},
        {"edge_id": "e1", "from_node": "spot", "to_node": "hedge", "trigger": {"on_timeout": {"ms": 5000}}},
    ]
    playbook, compiled = _round_trip(json.dumps(wire))
    assert "after: spot filled\n" in playbook
    assert "edges:\n  - from: spot\n    to: hedge\n    trigger:\n      on_timeout:\n        ms: 5000\n" in playbook
    assert json.loads(compiled)["edges"] == wire["edges"]


def test_name_comes_from_the_file_name():
    assert playbook_name("graphs/My Hedge (v2).json") == "my-hedge-v2-"
    assert playbook_name("__x.json") == "x"
    assert playbook_name("-") == "decompiled"
    assert playbook_name("...json") == "decompiled"


def test_strings_yaml_would_misread_are_quoted():
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["nodes"][0]["instrument"] = {"symbol": "0o17", "type": "spot"}
    wire["nodes"][1]["instrument"] = {"symbol": "true", "type": "perp", "venue": "null"}
    playbook, compiled = _round_trip(json.dumps(wire))
    assert 'symbol: "0o17"' in playbook and 'symbol: "true"' in playbook and 'venue: "null"' in playbook
    assert json.loads(compiled)["nodes"][0]["instrument"]["symbol"] == "0o17"


def test_unexpressible_graphs_are_refused():
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["nodes"][1]["node_id"] = "spot"
    with pytest.raises(DecompileError, match="already used by nodes") as refused:
        decompile(wire)
    assert (refused.value.code, refused.value.at) == ("GC203", ("nodes", 1, "node_id"))
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["nodes"][1]["instrument"]["venue"] = "HyperLiquid"
    with pytest.raises(DecompileError, match="not lower-case") as refused:
        decompile(wire)
    assert (refused.value.code, refused.value.at) == ("GC103", ("nodes", 1, "instrument", "venue"))


def test_edge_ids_are_renumbered_with_a_note():
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["edges"][0]["edge_id"] = "hedge-edge"
    result = decompile(wire)
    assert result.notes and "hedge-edge" in result.notes[0]
    assert round_trip_difference(result.text, result.wire) is None


# -- the command -------------------------------------------------------------------


def test_command_writes_playbook(tmp_path):
    out = tmp_path / "hedge.yaml"
    result = CliRunner().invoke(cli, ["decompile", str(GOLDEN / "eth-hedge.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    compiled = CliRunner().invoke(cli, ["compile", str(out)])
    assert compiled.stdout == (GOLDEN / "eth-hedge.json").read_text()


def test_a_graph_without_is_sandbox_says_the_router_would_have_decided(tmp_path):
    """audit rulesA.md 5 (h/nosb.json): `plan` says "mode: NOT SET: no is_sandbox, the router's default would decide";
    decompile writes a sandboxed playbook (a playbook's default) and its note says what the graph left open, as plan
    and graph do. 50000000 qty_1e8 = 0.5 BTC; 60000000000000 price_1e9 = 60000."""
    graph = tmp_path / "nosb.json"
    graph.write_text(
        '{"nodes": [{"node_id": "a", "instrument": {"symbol": "BTC-USD", "type": "spot"}, "side": "buy",\n'
        '  "order_type": {"limit": {"price_1e9": 60000000000000}}, "quantity": {"fixed": {"qty_1e8": 50000000}},\n'
        '  "execution": {"policy": "sor"}, "activation": "root"}], "edges": []}\n'
    )
    result = CliRunner().invoke(cli, ["decompile", str(graph)])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == "graphc: 1\nname: nosb\nlegs:\n  a:\n    buy: 0.5 BTC\n    symbol: BTC-USD\n    limit: 60000\n"
    )
    assert result.stderr == (
        "graphc: note: the graph has no is_sandbox, so the router's default would decide whether it trades live "
        "(which may be live); the playbook is sandboxed, a playbook's default (add `sandbox: false` and risk limits "
        "to trade live)\n"
    )


def test_command_reads_simple_order(tmp_path):
    order = tmp_path / "buy-btc.json"
    order.write_text('{"symbol": "BTC-USD", "side": "buy", "qty": 0.1, "price": 97000}')
    result = CliRunner().invoke(cli, ["decompile", str(order)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "graphc: 1\nname: buy-btc\nlegs:\n  order:\n    buy: 0.1 BTC\n    symbol: BTC-USD\n    limit: 97000\n"
    )


def test_command_refuses_playbooks_and_bad_graphs(tmp_path):
    assert CliRunner().invoke(cli, ["decompile", str(EXAMPLES / "eth-hedge.yaml")]).exit_code == 2
    assert CliRunner().invoke(cli, ["decompile", str(tmp_path / "missing.json")]).exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [{"node_id": "a"}]}')
    assert CliRunner().invoke(cli, ["decompile", str(bad)]).exit_code == 1
    twice = tmp_path / "twice.json"
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["nodes"][1]["node_id"] = "spot"
    twice.write_text(json.dumps(wire))
    result = CliRunner().invoke(cli, ["decompile", str(twice)])
    assert result.exit_code == 1 and "error GC203 node id 'spot' is already used by nodes[0]" in result.stderr


def test_a_value_used_in_two_places_is_written_twice_not_as_an_alias():
    from graphc.yaml_out import dump_yaml

    shared_number, shared_mapping = Decimal("0.1"), {"ms": 5000}
    text = dump_yaml({"a": shared_number, "b": shared_number, "c": shared_mapping, "d": shared_mapping})
    assert text == "a: 0.1\nb: 0.1\nc:\n  ms: 5000\nd:\n  ms: 5000\n"


# -- the YAML writer -----------------------------------------------------------------

_words = st.from_regex(r"[A-Za-z0-9+.-][A-Za-z0-9._/%+:-]{0,6}( [A-Za-z0-9._/%+-]{1,4}){0,2}", fullmatch=True)
_yaml_scalars = st.one_of(
    st.text(max_size=8),
    _words,
    st.sampled_from(
        ["0o17", ".5", "yes", "on", "2026-01-05", "1_000", "- x", "a: b", "#c", "'q'", "x\ny", "é", "\u2028"]
    ),
    st.integers(-(10**20), 10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.builds(JsonFloat, st.decimals(allow_nan=False, allow_infinity=False, places=2)),
    st.booleans(),
    st.none(),
)
_yaml_keys = st.one_of(st.text(max_size=6), _words, st.sampled_from(["", "x" * 130, "a\nb", "true", "1", "? k"]))
_yaml_data = st.recursive(
    _yaml_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_yaml_keys, inner, max_size=3),
    max_leaves=12,
)


@given(st.dictionaries(_yaml_keys, _yaml_data, min_size=1, max_size=4))
def test_yaml_writer_writes_what_pyyaml_writes(data):
    from graphc.yaml_out import _pyyaml_dump, dump_yaml

    assert dump_yaml(data) == _pyyaml_dump(data)


@pytest.mark.parametrize("first", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
def test_a_word_is_written_as_pyyaml_writes_it_whatever_its_first_letter(first, monkeypatch):
    """The writer's one-test path for a word (graphc.yaml_out._PLAIN_FIRST: a leg id, `l41 filled 50%`) gives
    what PyYAML writes, and graphc reads the text back as the same words, for every first letter (nothing
    remembered from an earlier text)."""
    import graphc.yaml_out
    from graphc.stages.load import load_text

    monkeypatch.setattr(graphc.yaml_out, "_TEXTS", ({}, {}))
    endings = ["", "1", "o", "n", "es", "rue", "alse", "ull", "ff", "-1.5 filled 50%", "x/y+z%", "0 accepted"]
    data = {first + ending: first + ending for ending in endings}
    text = graphc.yaml_out.dump_yaml(data)
    assert text == graphc.yaml_out._pyyaml_dump(data)
    assert load_text(text)[0].data == data


def test_a_decompiled_playbook_is_written_without_pyyaml(monkeypatch):
    import graphc.yaml_out

    def refuse(data):
        raise AssertionError("the fast writer handed a plain playbook to PyYAML")

    monkeypatch.setattr(graphc.yaml_out, "_pyyaml_dump", refuse)
    for name in ("eth-hedge", "prediction-arb", "btc-twap", "dip-buy"):
        wire = read_graph_input((GOLDEN / f"{name}.json").read_text(), f"{name}.json").wire
        assert decompile(wire, name).text.startswith(f"graphc: 1\nname: {name}\n")


# -- the shortcuts of a large graph change nothing ---------------------------------


@st.composite
def reworded_graphs(draw):
    """Canonical graphs with execution keys in any order (policy maybe left out) and fill ratios written
    in other exact forms (`0.50`, `5E-1`, an int), the shapes decompile's shortcuts must tell apart."""
    wire = draw(wire_graphs())
    for node in wire["nodes"]:
        items = draw(st.permutations(list(node["execution"].items())))
        if draw(st.booleans()):
            items = [(key, value) for key, value in items if key != "policy"]
        node["execution"] = dict(items)
    for edge in wire["edges"]:
        if "condition" in edge:
            ratio = Decimal(edge["condition"]["fill_ratio_gte"])
            forms = [ratio, ratio.quantize(Decimal("0.00001")), Decimal(f"{ratio:E}"), ratio.normalize()]
            if ratio == ratio.to_integral_value():
                forms.append(int(ratio))
            edge["condition"] = {"fill_ratio_gte": draw(st.sampled_from(forms))}
    return wire


def _decompiled(wire):
    try:
        result = decompile(copy.deepcopy(wire), "g")
    except DecompileError as exc:
        return ("error", str(exc))
    return (result.text, to_json(result.wire), result.notes)


@given(reworded_graphs())
def test_remembered_phrases_and_ordered_executions_change_nothing(wire):
    import graphc.decompile as D

    first, again = _decompiled(wire), _decompiled(wire)  # the second meets what the first remembered
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(D, "_phrase_key", lambda trigger, condition: None)
        patch.setattr(D, "_in_field_order", lambda keys: False)
        unshortened = _decompiled(wire)
    assert first == again == unshortened


def test_a_prediction_node_without_the_venue_its_symbol_names_is_reported_not_rewritten(tmp_path):
    # compile always writes the venue a prediction symbol names (spec §3.1: the router needs it), so no
    # playbook gives back a wire node that leaves it out: decompile says so and writes nothing
    node = {
        "node_id": "a",
        "instrument": {"symbol": "KX00-0", "type": "prediction"},
        "side": "buy",
        "order_type": {"limit": {"price_1e9": 500000000}},
        "quantity": {"fixed": {"qty_1e8": 100000000}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }
    wire = tmp_path / "w.json"
    wire.write_text(json.dumps({"nodes": [node], "edges": [], "is_sandbox": True}))
    out = tmp_path / "p.yaml"
    result = CliRunner().invoke(cli, ["decompile", str(wire), "-o", str(out)])
    assert result.exit_code == 1 and "error GC104 node 'a' has no instrument.venue" in result.output, result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("symbol", "venue"), [("KXBTC-26DEC31-T99000", "kalshi"), ("will-x:yes", "polymarket")], ids=["kalshi", "poly"]
)
def test_a_prediction_node_without_its_venue_is_refused_saying_why(tmp_path, symbol, venue):
    """audit fmtdec #2: lint passes it (the reference: venue optional), decompile said "`venue` is extra", as if
    the input had one. A playbook always pins the venue the symbol names (playbook-spec.md §3.1)."""
    wire = {
        "nodes": [
            {
                "node_id": "a",
                "instrument": {"symbol": symbol, "type": "prediction"},
                "side": "buy",
                "order_type": {"limit": {"price_1e9": 500000000}},
                "quantity": {"fixed": {"qty_1e8": 1000000000}},  # 10: above Polymarket's 5-share minimum
                "execution": {"policy": "sor"},
                "activation": "root",
            }
        ],
        "edges": [],
        "is_sandbox": True,
    }
    graph = tmp_path / "pred.json"
    graph.write_text(json.dumps(wire))
    assert CliRunner().invoke(cli, ["lint", str(graph)]).exit_code == 0
    result = CliRunner().invoke(cli, ["decompile", str(graph)])
    assert result.exit_code == 1
    assert "extra" not in result.stderr
    assert "node 'a' has no instrument.venue" in result.stderr
    assert f'hint: add "venue": "{venue}" to the node\'s instrument' in result.stderr
    wire["nodes"][0]["instrument"]["venue"] = venue  # as the message says: then it round-trips
    graph.write_text(json.dumps(wire))
    assert CliRunner().invoke(cli, ["decompile", str(graph)]).exit_code == 0


def test_a_round_trip_difference_says_which_side_has_the_key():
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    result = decompile(wire)
    del wire["nodes"][1]["instrument"]["venue"]
    assert round_trip_difference(result.text, wire) == (
        "nodes[1].instrument: the playbook's graph would have `venue`, which the input has not"
    )
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    wire["nodes"][0]["instrument"]["venue"] = "coinbase"
    assert (
        round_trip_difference(result.text, wire)
        == "nodes[0].instrument: the playbook's graph would lack the input's `venue`"
    )


# -- every fill-in is announced (audit verdict17 4) ------------------------------------------------------------
# decompile fills in what the router would default and renumbers edge ids; each kind has its note, so "a playbook
# it does write compiles back to the same graph" (docs/submitting.md) never hides a change.

_FULL = {
    "node_id": "a",
    "instrument": {"symbol": "BTC-USD", "type": "spot"},
    "side": "buy",
    "order_type": {"limit": {"price_1e9": 60000000000000}},
    "quantity": {"fixed": {"qty_1e8": 50000000}},
    "execution": {"policy": "sor"},
    "activation": "root",
}
_SELL = {**_FULL, "node_id": "b", "side": "sell", "activation": "wait"}
_EDGE = {"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": "on_full_fill"}

# (what the graph leaves out or writes its own way, the note's words)
FILL_INS = {
    "type": (
        lambda g: g["nodes"][0]["instrument"].pop("type"),
        "node 'a' has no instrument.type; the playbook reads it as the router does, as spot",
    ),
    "activation": (
        lambda g: g["nodes"][1].pop("activation"),
        "node 'b' has no activation; the playbook reads it as the router does (root when no edge leads to the "
        "node, else wait)",
    ),
    "policy": (
        lambda g: g["nodes"][1]["execution"].pop("policy"),
        "node 'b' has no execution.policy; the playbook reads it as the router does, as sor (its default)",
    ),
    "execution": (
        lambda g: g["nodes"][0].pop("execution"),
        "node 'a' has no execution.policy; the playbook reads it as the router does, as sor (its default)",
    ),
    "is_sandbox": (lambda g: g.pop("is_sandbox"), "the graph has no is_sandbox, so the router's default would decide"),
    "edge ids": (
        lambda g: g["edges"][0].update(edge_id="spot-to-hedge"),
        "edge ids are renumbered, as a playbook numbers its edges e0, e1, ... in order: "
        "edge 1 (id spot-to-hedge) becomes e0",
    ),
}


def _notes_of(tmp_path, graph) -> list[str]:
    path = tmp_path / "g.json"
    path.write_text(json.dumps(graph))
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 0, result.output
    return [line.removeprefix("graphc: note: ") for line in result.stderr.splitlines()]


def _graph():
    return {"nodes": [copy.deepcopy(_FULL), copy.deepcopy(_SELL)], "edges": [dict(_EDGE)], "is_sandbox": True}


def test_a_complete_graph_decompiles_without_notes(tmp_path):
    assert _notes_of(tmp_path, _graph()) == []


@pytest.mark.parametrize("kind", sorted(FILL_INS))
def test_every_kind_of_fill_in_has_its_note(tmp_path, kind):
    leave_out, words = FILL_INS[kind]
    graph = _graph()
    leave_out(graph)
    [note] = _notes_of(tmp_path, graph)
    assert note.startswith(words), note


def test_all_fill_ins_at_once_give_one_note_each(tmp_path):
    graph = _graph()
    for kind in ("type", "activation", "policy", "is_sandbox", "edge ids"):
        FILL_INS[kind][0](graph)
    notes = _notes_of(tmp_path, graph)
    assert len(notes) == 5
    for kind in ("type", "activation", "policy", "is_sandbox", "edge ids"):
        assert sum(note.startswith(FILL_INS[kind][1]) for note in notes) == 1, kind


# audit pict22 4: with an edge id repeated, the note said "edge ids e0 become e0, e1, ...", as if nothing changed;
# the second e0 became e1. Each renamed edge is named by its position and old id, the first 5 of a large graph.
RENUMBERED = "edge ids are renumbered, as a playbook numbers its edges e0, e1, ... in order: "


def test_the_renumbering_note_names_each_renamed_edge_by_its_position(tmp_path):
    repeated = _graph()
    repeated["edges"].append(dict(_EDGE, trigger="on_cancel"))
    assert _notes_of(tmp_path, repeated) == [RENUMBERED + "edge 2 (id e0, a repeat) becomes e1"]
    swapped = _graph()
    swapped["edges"] = [dict(_EDGE, edge_id="e1"), dict(_EDGE, edge_id="e0", trigger="on_cancel")]
    assert _notes_of(tmp_path, swapped) == [RENUMBERED + "edge 1 (id e1) becomes e0, edge 2 (id e0) becomes e1"]
    many = _graph()
    many["edges"] = [dict(_EDGE, edge_id=f"x{i}") for i in range(1_205)]
    assert _notes_of(tmp_path, many) == [
        RENUMBERED + "edge 1 (id x0) becomes e0, edge 2 (id x1) becomes e1, edge 3 (id x2) becomes e2, "
        "edge 4 (id x3) becomes e3, edge 5 (id x4) becomes e4 and 1,200 more"
    ]


def test_the_reference_graph_with_its_edge_twice_is_noted_as_it_is_renumbered(tmp_path):
    wire = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    wire["edges"].append(dict(wire["edges"][0]))
    assert _notes_of(tmp_path, wire) == [RENUMBERED + "edge 2 (id e0, a repeat) becomes e1"]


def test_the_help_and_the_docs_list_every_fill_in():
    shown = " ".join(CliRunner().invoke(cli, ["decompile", "--help"]).output.lower().split())
    docs = " ".join((REPO / "docs" / "submitting.md").read_text().lower().split())
    for text in (shown, docs):
        for words in ("instrument.type", "activation", "execution.policy", "is_sandbox", "edge ids", "renumbered"):
            assert words in text, words


# audit pict22 3: docs/submitting.md said "a graph that needs no note comes back byte for byte", but the proof compares
# the graphs as JSON values: a compact graph with `type` before `symbol` and `-5` comes back pretty-printed, in graphc's
# key order, with `-5.0`. Only a graph already in graphc's own layout comes back byte for byte.
COMPACT = (
    '{"nodes":[{"node_id":"spot","side":"buy","instrument":{"type":"spot","symbol":"ETH-USD"},'
    '"order_type":{"limit":{"price_1e9":2325500000000}},"quantity":{"fixed":{"qty_1e8":20000000000}},'
    '"execution":{"policy":"sor"},"activation":"root"},{"node_id":"stop","instrument":{"symbol":"ETH-USD",'
    '"type":"spot"},"side":"sell","order_type":"market","quantity":{"fixed":{"qty_1e8":20000000000}},'
    '"execution":{"policy":"sor"},"activation":"wait"}],"edges":[{"edge_id":"e0","from_node":"spot","to_node":"stop",'
    '"trigger":{"on_price":{"symbol":"ETH-USD","direction":"below","reference":"graph_entry_price","offset_pct":-5}}}],'
    '"is_sandbox":true}'
)


def _back(tmp_path, name, text) -> str:
    """``text`` decompiled (with no note) and compiled again, by the commands."""
    source, playbook, again = tmp_path / name, tmp_path / f"{name}.yaml", tmp_path / f"{name}.again.json"
    source.write_text(text)
    decompiled = CliRunner().invoke(cli, ["decompile", str(source), "-o", str(playbook)])
    assert (decompiled.exit_code, decompiled.stderr) == (0, ""), decompiled.output
    assert CliRunner().invoke(cli, ["compile", str(playbook), "-o", str(again)]).exit_code == 0
    return again.read_text()


def test_a_graph_without_notes_comes_back_as_the_same_json_and_the_docs_say_so(tmp_path):
    back = _back(tmp_path, "compact.json", COMPACT)
    assert json.loads(back) == json.loads(COMPACT) and back != COMPACT
    assert '"offset_pct": -5.0' in back and '"symbol": "ETH-USD",\n        "type": "spot"' in back
    full = (REPO / "tests" / "data" / "reference" / "full-graph.json").read_text()
    assert _back(tmp_path, "full.json", full) == full  # already in graphc's layout: byte for byte
    docs = " ".join((REPO / "docs" / "submitting.md").read_text().split())
    assert "no note comes back byte for byte." not in docs
    assert (
        "a graph that needs no note comes back as the same JSON: the same keys and values, though key order, "
        "number spelling (`-5` and `-5.0`) and layout may differ. It comes back byte for byte only when it is in "
        "graphc's own layout" in docs
    )
    shown = " ".join(CliRunner().invoke(cli, ["decompile", "--help"]).output.split())
    assert "identical wire graph" not in shown
    assert (
        "give back the same wire graph as JSON (the same keys and values; key order, number spelling and layout"
        in shown
    )


# -- simple orders go through the wire path's completion and notes (rt19 5) ----------------------------------------
# Decompiling a simple order printed no note although graphc filled in its type, activation, policy and sandbox, and
# a bare Polymarket slug (`will-btc-hit-100k`) became a spot leg (`buy: 5 WILL`) without a word.


def _decompile_file(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return CliRunner().invoke(cli, ["decompile", str(path)])


def _notes(result) -> list[str]:
    return [line.removeprefix("graphc: note: ") for line in result.stderr.splitlines()]


def test_a_simple_order_gets_the_notes_of_the_fields_it_leaves_out(tmp_path):
    simple = _decompile_file(tmp_path, "o.json", {"symbol": "ETH-USD", "side": "sell", "qty": 0.5, "price": 2400.5})
    assert simple.exit_code == 0, simple.output
    wire = {
        "nodes": [
            {
                "node_id": "order",
                "instrument": {"symbol": "ETH-USD"},
                "side": "sell",
                "order_type": {"limit": {"price_1e9": 2400500000000}},
                "quantity": {"fixed": {"qty_1e8": 50000000}},
                "execution": {},
            }
        ],
        "edges": [],
        "is_sandbox": True,
    }
    graph = _decompile_file(tmp_path, "o2.json", wire)
    assert graph.exit_code == 0, graph.output
    assert simple.stdout.replace("name: o\n", "name: o2\n") == graph.stdout
    assert _notes(simple)[1:] == _notes(graph)  # one path: the same notes, plus the simple order's own
    assert _notes(simple)[0].startswith("a simple order has no field for sandbox or live, so graphc sends it sandboxed")
    assert len(_notes(graph)) == 3  # type (spot), activation (root), policy (sor)


def test_a_simple_order_with_a_bare_polymarket_slug_says_it_is_read_as_spot(tmp_path):
    order = {"symbol": "will-btc-hit-100k", "side": "buy", "qty": 5, "price": 0.3}
    result = _decompile_file(tmp_path, "s5.json", order)
    assert result.exit_code == 0, result.output
    assert "symbol: will-btc-hit-100k" in result.stdout
    (slug,) = [note for note in _notes(result) if "Polymarket slug" in note]
    assert slug.startswith("node 'order' has no instrument.type and a lower-case, hyphenated symbol")
    assert "reads it as spot" in slug and "add `venue: polymarket` to the leg" in slug
    assert not any(note.endswith("as the router does, as spot") for note in _notes(result))
    # the fix the note names: a prediction leg on polymarket, noted as such
    pinned = _decompile_file(tmp_path, "s6.json", {**order, "venue": "polymarket"})
    assert pinned.exit_code == 0, pinned.output
    assert "buy: 5 shares\n    symbol: will-btc-hit-100k\n    venue: polymarket\n" in pinned.stdout
    assert (
        "node 'order' has no instrument.type; the playbook reads it as a prediction market on polymarket, as it "
        "reads a leg with this venue (playbook-spec.md §3.1)"
    ) in _notes(pinned)


def test_a_wire_node_with_a_bare_slug_and_no_type_is_noted_as_a_possible_slug(tmp_path):
    node = {
        "node_id": "bet",
        "instrument": {"symbol": "will-btc-hit-100k"},
        "side": "buy",
        "order_type": "market",
        "quantity": {"fixed": {"qty_1e8": 500000000}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }
    result = _decompile_file(tmp_path, "g.json", {"nodes": [node], "edges": [], "is_sandbox": True})
    assert result.exit_code == 0, result.output
    assert [note for note in _notes(result) if "may be a Polymarket slug" in note]


# -- audit decomp24 3: an object's keys have no order in JSON ---------------------------------------------------------
# `on_price` with its keys in another order than the reference's was decompiled to the verbose edge mapping (in the
# input's key order, which `fmt --check` then flagged), and graph and plan said `below graph_entry_price -5%`.


def _price_wire(reference="graph_entry_price"):
    price = {"reference": reference, "symbol": "BTC-USD", "offset_pct": -5.0, "direction": "below"}
    node = {
        "instrument": {"symbol": "BTC-USD", "type": "spot"},
        "side": "buy",
        "order_type": "market",
        "quantity": {"fixed": {"qty_1e8": 10000000}},
        "execution": {"policy": "sor"},
    }
    return {
        "nodes": [
            {"node_id": "entry", **node, "activation": "root"},
            {"node_id": "stop", **node, "side": "sell", "activation": "wait"},
        ],
        "edges": [{"edge_id": "e0", "from_node": "entry", "to_node": "stop", "trigger": {"on_price": price}}],
        "is_sandbox": True,
    }


def test_an_on_price_trigger_in_any_key_order_is_decompiled_to_its_after_text(tmp_path):
    path, out = tmp_path / "ord.json", tmp_path / "ord.yaml"
    path.write_text(json.dumps(_price_wire()))
    result = CliRunner().invoke(cli, ["decompile", str(path), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert out.read_text().endswith("    after: entry price BTC-USD below entry -5%\n"), out.read_text()
    assert CliRunner().invoke(cli, ["fmt", "--check", str(out)]).exit_code == 0


def test_an_on_price_edge_mapping_is_written_in_fmts_key_order(tmp_path):
    """A trigger with no `after:` text (a reference other than the entry price) is an edge mapping, its
    `on_price` keys in the order fmt gives them, whatever the input's."""
    path, out = tmp_path / "odd.json", tmp_path / "odd.yaml"
    path.write_text(json.dumps(_price_wire(reference="last")))
    result = CliRunner().invoke(cli, ["decompile", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "        trigger:\n          on_price:\n            symbol: BTC-USD\n            direction: below\n"
        "            reference: last\n            offset_pct: -5\n"
    ) in out.read_text(), out.read_text()
    assert CliRunner().invoke(cli, ["fmt", "--check", str(out)]).exit_code == 0


def test_graph_and_plan_word_an_on_price_trigger_in_any_key_order_alike(tmp_path):
    path = tmp_path / "ord.json"
    path.write_text(json.dumps(_price_wire()))
    drawn = CliRunner().invoke(cli, ["graph", str(path)])
    assert drawn.exit_code == 0 and '-->|"price BTC-USD below entry -5%"|' in drawn.stdout, drawn.output
    plan = CliRunner().invoke(
        cli, ["plan", "--quotes", str(EXAMPLES / "quotes.yaml"), "--now", "2026-01-05T09:00:00Z", str(path)]
    )
    assert plan.exit_code == 0 and "└─ stop  after entry price BTC-USD below entry -5%" in plan.stdout, plan.output


# audit decomp24 (also noted): `"risk": {}` lints clean, and decompile refused it as "the playbook's graph would lack
# the input's `risk`", which did not say why, nor what to do
@pytest.mark.parametrize(
    ("risk", "empty"),
    [
        ({}, "`risk`"),
        ({"admission": {}, "runtime": {}}, "`risk.admission`"),
        ({"admission": {"max_notional_usd": 5000}, "runtime": {}}, "`risk.runtime`"),
        ({"runtime": {"max_loss_usd": 100}, "admission": {}}, "`risk.admission`"),
    ],
)
def test_an_empty_risk_block_is_said_to_have_no_playbook_form(tmp_path, risk, empty):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({**_price_wire(), "risk": risk}))
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 1 and result.stdout == ""
    key = empty.strip("`").split(".")[-1]  # the refusal is at the empty block's value, `{`
    column = path.read_text().index("{", path.read_text().index(f'"{key}":')) + 1
    assert f"r.json:1:{column}: error GC103 {empty} is empty" in result.stderr, result.stderr
    assert "sets no limit and has no playbook form" in result.stderr
    assert "hint: remove it from the graph" in result.stderr
    kept = {section: limits for section, limits in risk.items() if limits}  # what the message says to do
    path.write_text(json.dumps({**_price_wire(), **({"risk": kept} if kept else {})}))
    assert CliRunner().invoke(cli, ["decompile", str(path)]).exit_code == 0


# -- audit decomp26 2: decompile's refusals are diagnostics, at the offending value, with a code and a hint -----------


def _one_node(node_id="a", **instrument):
    return {
        "node_id": node_id,
        "instrument": {"symbol": "ETH-USD", "type": "spot", **instrument},
        "side": "buy",
        "order_type": "market",
        "quantity": {"fixed": {"qty_1e8": 100000000}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }


def _refused(tmp_path, wire, name="g.json"):
    path = tmp_path / name
    path.write_text(json.dumps(wire, indent=1) if isinstance(wire, dict) else wire)
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 1 and result.stdout == "", result.output
    return path, result.stderr


def _place(path, needle, nth=0) -> str:
    """`line:col` of the ``nth`` occurrence of ``needle`` in the file."""
    text, at = path.read_text(), -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return f"{line}:{at - (text.rfind(chr(10), 0, at) + 1) + 1}"


@pytest.mark.parametrize(("node_id", "suggested"), [("1:2", "1-2"), ("-a", "a"), ("é", "leg"), ("a#b", "a-b")])
def test_a_node_id_no_leg_id_can_be_is_gc103_at_the_id_with_the_whole_rule(tmp_path, node_id, suggested):
    """/tmp/decomp26/h/id_72634351.json: one line without a place, and a rule `-a` seemed to meet."""
    path, stderr = _refused(tmp_path, {"nodes": [_one_node(node_id)], "edges": [], "is_sandbox": True})
    shown = json.dumps(node_id)
    assert stderr.startswith(
        f"{path}:{_place(path, shown)}: error GC103 node id {node_id!r} cannot be a leg id, so no playbook can name "
        "this node: a leg id starts with a letter or digit (A-Z, a-z, 0-9), then has only those, `.`, `_` and `-` "
        "(playbook-spec.md §2)\n"
    ), stderr
    assert f"  hint: rename the node, and the edges that name it, e.g. to {suggested!r}\n" in stderr
    assert "no playbook can express this graph" not in stderr


def test_a_repeated_node_id_is_gc203_at_the_second_copy(tmp_path):
    path, stderr = _refused(tmp_path, {"nodes": [_one_node(), _one_node()], "edges": [], "is_sandbox": True})
    second = _place(path, '"a"', 1)
    assert stderr.startswith(f"{path}:{second}: error GC203 node id 'a' is already used by nodes[0]"), stderr
    assert "  hint: give every node a unique node_id" in stderr


def test_a_mixed_case_venue_is_refused_as_lint_says_it(tmp_path):
    """/tmp/decomp26/h/venue_upper.json: lint says GC103 at the venue; decompile said only that the playbook would
    not compile back (`'coinbase' instead of 'Coinbase'`)."""
    wire = {"nodes": [_one_node(venue="Coinbase")], "edges": [], "is_sandbox": True}
    path, stderr = _refused(tmp_path, json.dumps(wire))
    lint = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    venue = _place(path, '"Coinbase"')
    said = f"{path}:{venue}: error GC103 venue 'Coinbase' is not lower-case"
    assert stderr.startswith(said) and lint.stdout.startswith(said), (stderr, lint.output)
    assert '  hint: write "coinbase"\n' in stderr and "would not compile back" not in stderr


def test_a_simple_orders_refusal_is_at_the_orders_own_key(tmp_path):
    path, stderr = _refused(tmp_path, '{"symbol": "ETH-USD", "side": "buy", "qty": 1, "venue": "Coinbase"}')
    assert stderr.startswith(f"{path}:1:57: error GC103 venue 'Coinbase' is not lower-case"), stderr


def test_an_edge_end_no_leg_id_can_be_is_at_the_edge_end(tmp_path):
    edge = {"edge_id": "x", "from_node": "a", "to_node": "z z", "trigger": "on_fill"}
    path, stderr = _refused(tmp_path, {"nodes": [_one_node()], "edges": [edge], "is_sandbox": True})
    end = _place(path, '"z z"')
    assert stderr.startswith(f"{path}:{end}: error GC103 edge 1's to_node 'z z' names no node and cannot be a leg id")
    assert "  hint: point the edge at one of the graph's nodes\n" in stderr


# -- audit decomp26 1: a text holding template markup is written so that it compiles back to itself ------------------


def _price_edge(symbol, reference="graph_entry_price"):
    on_price = {"symbol": symbol, "direction": "below", "reference": reference, "offset_pct": -5}
    return {"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": {"on_price": on_price}}


@pytest.mark.parametrize(
    ("symbol", "written"),
    [
        ("{{ 7*7 }}", """'{{ "{{ 7*7 }}" }}'"""),  # /tmp/decomp26/repro/tpl.json: "must be string, not a number"
        ("{#c#}", """'{{ "{#c#}" }}'"""),  # "'' should be non-empty"
        ('it\'s "q" \\ {%x', r"""'{{ "it''s \"q\" \\ {%x" }}'"""),
    ],
)
def test_a_symbol_holding_template_markup_compiles_back_to_itself(tmp_path, symbol, written):
    wire = {"nodes": [_one_node(), {**_one_node("b"), "activation": "wait"}], "edges": [], "is_sandbox": True}
    wire["nodes"][0]["instrument"]["symbol"] = symbol
    wire["edges"] = [_price_edge(symbol)]
    path = tmp_path / "tpl.json"
    path.write_text(json.dumps(wire))
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 0, result.output
    assert f"    symbol: {written}\n" in result.stdout, result.stdout
    playbook = tmp_path / "tpl.yaml"
    playbook.write_text(result.stdout)
    compiled = json.loads(CliRunner().invoke(cli, ["compile", str(playbook)]).stdout)
    assert compiled["nodes"][0]["instrument"]["symbol"] == symbol
    assert compiled["edges"][0]["trigger"]["on_price"]["symbol"] == symbol
    assert CliRunner().invoke(cli, ["fmt", "--check", str(playbook)]).exit_code == 0


def test_an_on_price_symbol_venue_and_reference_with_markup_round_trip():
    """/tmp/decomp26/repro/tplprice.json (`X{{y}}`: "undefined name `y`"), and every other text decompile writes
    from the wire: a venue, an on_price reference (the mapping form), a character that is not printable."""
    wire = {"nodes": [_one_node(venue="v{{e}}\u0007x"), {**_one_node("b"), "activation": "wait"}], "edges": []}
    wire["is_sandbox"] = True
    for edge in (_price_edge("X{{y}}"), _price_edge("X{{ y }}", reference="ref{#x")):
        wire["edges"] = [edge]
        result = decompile(copy.deepcopy(wire), "t")
        assert round_trip_difference(result.text, result.wire) is None, result.text
    assert "venue: '{{ \"v{{e}}\\u0007x\" }}'" in result.text, result.text
    assert "reference: '{{ \"ref{#x\" }}'" in result.text, result.text


def test_an_on_price_symbol_with_a_quote_is_decompiled_to_the_edge_mapping(tmp_path):
    """The `after:` text refuses a symbol with a quote character (audit spec28 1); the edge mapping keeps one
    inside, so a wire graph's `it's` still compiles back to itself; one in quotes is refused at it."""
    wire = {"nodes": [_one_node(), {**_one_node("b"), "activation": "wait"}], "edges": [], "is_sandbox": True}
    wire["edges"] = [_price_edge("it's")]
    result = decompile(copy.deepcopy(wire), "t")
    assert "price it's" not in result.text
    assert round_trip_difference(result.text, result.wire) is None, result.text
    wire["edges"] = [_price_edge('"ETH-USD"')]
    with pytest.raises(DecompileError) as refused:
        decompile(copy.deepcopy(wire), "t")
    assert refused.value.at == ("edges", 0, "trigger", "on_price", "symbol")
    assert refused.value.code == "GC103"


@pytest.mark.parametrize("symbol", ["it\u2019s", "a`b", "x\u00abyes"])
def test_an_on_price_symbol_with_a_typographic_quote_inside_is_decompiled_to_the_edge_mapping(symbol):
    """The `after:` text refuses typographic quotes, backticks and guillemets as it does `"` and `'` (audit review28
    1): a wire graph's symbol with one inside is written in the edge mapping, which compiles back to itself."""
    wire = {"nodes": [_one_node(), {**_one_node("b"), "activation": "wait"}], "edges": [], "is_sandbox": True}
    wire["edges"] = [_price_edge(symbol)]
    result = decompile(copy.deepcopy(wire), "t")
    assert f"price {symbol}" not in result.text
    assert round_trip_difference(result.text, result.wire) is None, result.text


@pytest.mark.parametrize("symbol", ["\u201cETH-USD\u201d", "`ETH-USD`", "\u00abETH-USD\u00bb", "\u201eETH-USD\u201c"])
def test_an_on_price_symbol_in_typographic_quotes_is_refused_by_decompile(symbol):
    """A playbook refuses such a symbol in either form (audit review28 1), so decompile says so at it."""
    wire = {"nodes": [_one_node(), {**_one_node("b"), "activation": "wait"}], "edges": [_price_edge(symbol)]}
    wire["is_sandbox"] = True
    with pytest.raises(DecompileError) as refused:
        decompile(copy.deepcopy(wire), "t")
    assert refused.value.at == ("edges", 0, "trigger", "on_price", "symbol")
