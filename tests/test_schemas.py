"""The two JSON Schemas in schemas/: well formed, documented, and right about real data.

- both are valid Draft 2020-12 schemas;
- every property, at every level, has a description (editors show it on hover);
- enum values are explained in the description of the property that takes them;
- every `examples` value validates against the schema it documents;
- the wire-graph examples published in the router reference validate;
- playbooks as graphc's loader produces them (ints and Decimals) validate, and
  bad ones fail with the single, plain keyword graphc maps to a GC1xx code.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
SHARED = REPO.parent / "shared"

PLAYBOOK_SCHEMA = json.loads((SCHEMAS / "playbook.schema.json").read_text(encoding="utf-8"))
WIRE_SCHEMA = json.loads((SCHEMAS / "wire-graph.schema.json").read_text(encoding="utf-8"))
PLAYBOOK = Draft202012Validator(PLAYBOOK_SCHEMA)
WIRE = Draft202012Validator(WIRE_SCHEMA)
BOTH = pytest.mark.parametrize("schema", [PLAYBOOK_SCHEMA, WIRE_SCHEMA], ids=["playbook", "wire"])

INT64_MAX = 2**63 - 1

# --------------------------------------------------------------------------
# walking a schema
# --------------------------------------------------------------------------

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_ONE = (
    "additionalProperties",
    "unevaluatedProperties",
    "items",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contentSchema",
)
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def subschemas(schema, pointer=""):
    """Yield (json pointer, subschema) for the schema and every schema nested in it."""
    if not isinstance(schema, dict):
        return
    yield pointer, schema
    for keyword in _SCHEMA_MAPS:
        for name, sub in schema.get(keyword, {}).items():
            yield from subschemas(sub, f"{pointer}/{keyword}/{name}")
    for keyword in _SCHEMA_ONE:
        if keyword in schema:
            yield from subschemas(schema[keyword], f"{pointer}/{keyword}")
    for keyword in _SCHEMA_LISTS:
        for i, sub in enumerate(schema.get(keyword, [])):
            yield from subschemas(sub, f"{pointer}/{keyword}/{i}")


def all_properties(schema):
    """Yield (json pointer, property schema) for every entry of every `properties` object."""
    for pointer, sub in subschemas(schema):
        for name, prop in sub.get("properties", {}).items():
            yield f"{pointer}/properties/{name}", prop


def resolve(root, schema):
    while "$ref" in schema:
        assert schema["$ref"].startswith("#/"), schema["$ref"]
        target = root
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def value_enums(root, schema):
    """The words a property's *value* may be, looking through $ref and if/then/else branches."""
    schema = resolve(root, schema)
    words = list(schema.get("enum", []))
    for keyword in ("then", "else"):
        if keyword in schema:
            words += value_enums(root, schema[keyword])
    return words


# --------------------------------------------------------------------------
# the schemas themselves
# --------------------------------------------------------------------------


@BOTH
def test_schema_is_valid_draft_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # A URN, not a URL: graphc serves its schemas from the package (`graphc schema`), not from a domain.
    assert schema["$id"] in ("urn:graphc:schema:playbook:1", "urn:graphc:schema:wire-graph:1")
    Draft202012Validator.check_schema(schema)
    assert schema["title"] and schema["description"]


@BOTH
def test_every_property_has_a_description(schema):
    props = list(all_properties(schema))
    assert len(props) > 20
    missing = [
        ptr for ptr, prop in props if not (isinstance(prop.get("description"), str) and prop["description"].strip())
    ]
    assert missing == [], f"properties without a description: {missing}"


@BOTH
def test_every_definition_has_a_description(schema):
    missing = [name for name, sub in schema.get("$defs", {}).items() if not sub.get("description", "").strip()]
    assert missing == []


def test_description_walk_reaches_nested_playbook_properties():
    pointers = {ptr for ptr, _ in all_properties(PLAYBOOK_SCHEMA)}
    for expected in (
        "/properties/legs",
        "/properties/risk/properties/max_loss",
        "/properties/defaults/properties/slippage",
        "/$defs/leg/properties/after",
        "/$defs/leg/properties/with",
        "/$defs/twap/properties/slices",
        "/$defs/twap/properties/over",
        "/$defs/afterEdge/properties/fill_ratio",
        "/$defs/edge/properties/to",
        "/$defs/trigger/properties/on_timeout/properties/ms",
        "/$defs/trigger/properties/on_price/properties/offset_pct",
        "/$defs/param/properties/choices",
        "/$defs/param/properties/description",
    ):
        assert expected in pointers


@BOTH
def test_enum_values_are_explained_in_the_description(schema):
    for pointer, prop in all_properties(schema):
        text = resolve(schema, prop)["description"] if "description" not in prop else prop["description"]
        for word in value_enums(schema, prop):
            assert str(word) in text, f"{pointer}: {word!r} is not explained in its description"


@BOTH
def test_examples_are_valid(schema):
    validator = Draft202012Validator(schema)
    seen = 0
    for pointer, sub in subschemas(schema):
        for example in sub.get("examples", []):
            errors = [e.message for e in validator.evolve(schema=sub).iter_errors(example)]
            assert errors == [], f"{pointer}: example {example!r}: {errors}"
            seen += 1
    assert seen > 10


def test_closed_mappings_reject_unknown_keys():
    defs = PLAYBOOK_SCHEMA["$defs"]
    closed = [
        PLAYBOOK_SCHEMA,
        PLAYBOOK_SCHEMA["properties"]["risk"],
        PLAYBOOK_SCHEMA["properties"]["defaults"],
        defs["leg"],
        defs["twap"],
        defs["afterEdge"],
        defs["edge"],
        defs["param"],
        defs["trigger"],
    ]
    for sub in closed:
        assert sub["additionalProperties"] is False


# --------------------------------------------------------------------------
# wire graphs from the router reference
# --------------------------------------------------------------------------


def reference_wire_graphs(name):
    """Every top-level JSON object in a reference page whose `nodes` is a list (a full graph).

    The pages show JSON blocks unfenced, each starting with `{` in column 0.
    """
    if not SHARED.is_dir():  # a checkout without ../shared: the copies in tests/data/reference
        return [json.loads((VENDORED / VENDORED_NAMES[name]).read_text(encoding="utf-8"))]
    text = (SHARED / "reference" / name).read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    graphs, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line.startswith("{"):
            try:
                value, _ = decoder.raw_decode(text, offset)
            except json.JSONDecodeError:
                value = None
            if isinstance(value, dict) and isinstance(value.get("nodes"), list):
                graphs.append(value)
        offset += len(line)
    return graphs


VENDORED = Path(__file__).resolve().parent / "data" / "reference"
VENDORED_NAMES = {"orders-and-execution-graphs.md": "full-graph.json", "hosted-strategies.md": "parallel-roots.json"}


def test_vendored_copies_match_the_reference():
    if SHARED.is_dir():
        for name, copy in VENDORED_NAMES.items():
            assert reference_wire_graphs(name) == [json.loads((VENDORED / copy).read_text(encoding="utf-8"))]


def test_full_execution_graph_from_the_reference_is_valid():
    graphs = reference_wire_graphs("orders-and-execution-graphs.md")
    assert len(graphs) == 1  # the "Full Execution Graph" block
    graph = graphs[0]
    assert graph["edges"][0]["trigger"] == "on_fill_ratio"
    assert [e.message for e in WIRE.iter_errors(graph)] == []


def test_parallel_roots_graph_from_the_reference_is_valid():
    # The hosted-strategies page shows the wire shape of a two-root graph; its
    # nodes omit execution.policy (the router defaults it to sor).
    graphs = reference_wire_graphs("hosted-strategies.md")
    assert len(graphs) == 1
    assert [n["activation"] for n in graphs[0]["nodes"]] == ["root", "root"]
    assert [e.message for e in WIRE.iter_errors(graphs[0])] == []


def _wire_graph():
    return {
        "nodes": [
            {
                "node_id": "spot",
                "instrument": {"symbol": "ETH-USD", "type": "spot"},
                "side": "buy",
                "order_type": {"limit": {"price_1e9": 2325530000000}},
                "quantity": {"fixed": {"qty_1e8": 20000000000}},
                "execution": {
                    "policy": "sor",
                    "urgency": "medium",
                    "max_slippage_bps": 25,
                    "horizon_ms": 300000,
                    "tif": "GTC",
                    "pacing": {"uniform": {"num_slices": 10, "interval_ms": 30000}},
                },
                "activation": "root",
            },
            {
                "node_id": "hedge",
                "instrument": {"symbol": "ETH-USD-PERP", "type": "perp", "venue": "hyperliquid"},
                "side": "sell",
                "order_type": "market",
                "quantity": "derived",
                "execution": {"policy": "aggressive_chase"},
                "activation": "wait",
            },
            {
                "node_id": "stop",
                "instrument": {"symbol": "ETH-USD", "type": "spot"},
                "side": "sell",
                "order_type": "market",
                "quantity": {"fixed": {"qty_1e8": INT64_MAX}},
                "activation": "wait",
            },
        ],
        "edges": [
            {"edge_id": "e0", "from_node": "spot", "to_node": "hedge", "trigger": "on_fill"},
            {
                "edge_id": "e1",
                "from_node": "spot",
                "to_node": "stop",
                "trigger": {
                    "on_price": {
                        "symbol": "ETH-USD",
                        "direction": "below",
                        "reference": "graph_entry_price",
                        "offset_pct": -5.0,
                    }
                },
            },
            {"edge_id": "e2", "from_node": "hedge", "to_node": "stop", "trigger": {"on_timeout": {"ms": 5000}}},
            {
                "edge_id": "e3",
                "from_node": "spot",
                "to_node": "stop",
                "trigger": "on_fill_ratio",
                "condition": {"fill_ratio_gte": 0.5},
            },
        ],
        "risk": {"admission": {"max_notional_usd": 500000}, "runtime": {"max_loss_usd": 10000.5}},
        "is_sandbox": True,
    }


def wire_errors(graph):
    return sorted((e.validator, tuple(e.absolute_path)) for e in WIRE.iter_errors(graph))


def test_hand_written_wire_graph_is_valid():
    assert wire_errors(_wire_graph()) == []


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (
            lambda g: g["nodes"][0]["quantity"]["fixed"].update(qty_1e8=0),
            [("minimum", ("nodes", 0, "quantity", "fixed", "qty_1e8"))],
        ),
        (
            lambda g: g["nodes"][0]["quantity"]["fixed"].update(qty_1e8=INT64_MAX + 1),
            [("maximum", ("nodes", 0, "quantity", "fixed", "qty_1e8"))],
        ),
        (
            lambda g: g["nodes"][0]["order_type"]["limit"].update(price_1e9=1.5),
            [("type", ("nodes", 0, "order_type", "limit", "price_1e9"))],
        ),
        (lambda g: g["nodes"][1].update(order_type="limit"), [("const", ("nodes", 1, "order_type"))]),
        (
            lambda g: g["nodes"][0]["instrument"].update(symbol="X" * 513),
            [("maxLength", ("nodes", 0, "instrument", "symbol"))],
        ),
        (lambda g: g["nodes"][0]["execution"].update(policy="fast"), [("enum", ("nodes", 0, "execution", "policy"))]),
        (lambda g: g["nodes"][0]["execution"].update(tif="gtc"), [("enum", ("nodes", 0, "execution", "tif"))]),
        (lambda g: g["nodes"][0].update(price=1), [("additionalProperties", ("nodes", 0))]),
        (lambda g: g["nodes"][0].pop("side"), [("required", ("nodes", 0))]),
        (lambda g: g["edges"][0].update(trigger="on_fills"), [("enum", ("edges", 0, "trigger"))]),
        (
            lambda g: g["edges"][2].update(trigger={"on_timeout": {"ms": 5000}, "on_cancel": {}}),
            [("additionalProperties", ("edges", 2, "trigger")), ("maxProperties", ("edges", 2, "trigger"))],
        ),
        (lambda g: g.update(nodes=[]), [("minItems", ("nodes",))]),
        (lambda g: g.update(is_sandbox="false"), [("type", ("is_sandbox",))]),
    ],
)
def test_bad_wire_graphs_are_rejected(mutate, expected):
    graph = _wire_graph()
    mutate(graph)
    assert wire_errors(graph) == sorted(expected)


def test_simple_order_is_not_a_wire_graph():
    assert ("required", ()) in wire_errors({"symbol": "BTC-USD", "side": "buy", "qty": 0.1})


# --------------------------------------------------------------------------
# playbooks (as the loader returns them: ints, Decimals, strings)
# --------------------------------------------------------------------------


def test_decimal_is_a_json_number():
    assert Draft202012Validator.TYPE_CHECKER.is_type(Decimal("0.57"), "number")
    assert not Draft202012Validator.TYPE_CHECKER.is_type(True, "number")


def errors(playbook):
    return sorted((e.validator, tuple(e.absolute_path)) for e in PLAYBOOK.iter_errors(playbook))


def hedge():
    return {
        "graphc": 1,
        "name": "eth-basis-hedge",
        "description": "Buy spot, hedge on the perp after half fills.",
        "sandbox": True,
        "risk": {"max_notional": "$500k", "max_loss": Decimal("10000.50")},
        "legs": {
            "spot": {
                "buy": Decimal("200.0"),
                "symbol": "ETH-USD",
                "limit": "ask + 1 tick",
                "urgency": "medium",
                "slippage": "25bps",
                "horizon": "5m",
                "tif": "gtc",
                "twap": "10 slices every 30s",
            },
            "hedge": {
                "sell": "200 ETH",
                "symbol": "ETH-USD-PERP",
                "venue": "Hyperliquid",
                "policy": "aggressive_chase",
                "after": "spot filled 50%",
            },
        },
    }


def test_example_playbook_in_the_schema_is_valid():
    assert PLAYBOOK_SCHEMA["examples"]
    for example in PLAYBOOK_SCHEMA["examples"]:
        assert errors(example) == []


def test_hedge_with_decimals_is_valid():
    assert errors(hedge()) == []


def test_rich_playbook_is_valid():
    playbook = {
        "graphc": 1,
        "name": "rain.ladder_v2",
        "sandbox": True,
        "params": {
            "paper": {"type": "bool", "default": True},
            "size": {
                "type": "quantity",
                "default": "10 shares",
                "description": "Shares per rung",
                "min": Decimal("5"),
                "max": "500 shares",
            },
            "venue": {"type": "string", "choices": ["polymarket", "kalshi"]},
            "rungs": {"type": "integer", "default": 3, "min": 1, "max": 20},
        },
        "defaults": {"venue": "{{ venue }}", "policy": "passive_limit", "tif": "GTC", "slippage": Decimal("0.25")},
        "legs": {
            "entry": {
                "side": "buy",
                "qty": "{{ size }}",
                "symbol": "will-it-rain:yes",
                "limit": Decimal("0.55"),
                "type": "prediction",
                "for_each": "{{ range(rungs) }}",
            },
            "drip": {
                "buy": "$5k",
                "symbol": "BTC-USD",
                "twap": {"slices": 10, "over": "5m"},
                "horizon": 600000,
                "policy": "{{ 'time_drip' if paper else 'sor' }}",
            },
            "chase": {
                "buy": "derived",
                "symbol": "BTC-USD",
                "twap": {"slices": "{{ rungs }}", "every": "30s"},
                "after": [
                    "drip first fill",
                    {"from": "drip", "trigger": "on_fill_ratio", "fill_ratio": "50%"},
                    {"from": "drip", "trigger": {"on_timeout": {"ms": 5000}}},
                    {
                        "from": "drip",
                        "trigger": {
                            "on_price": {
                                "symbol": "BTC-USD",
                                "direction": "below",
                                "reference": "graph_entry_price",
                                "offset_pct": Decimal("-5.0"),
                            }
                        },
                    },
                ],
                "activation": "wait",
            },
            "templated": {"use": "./templates/hedge.yaml", "with": {"size": "200 ETH"}},
            "rungs-1.b": {"sell": 3, "symbol": "KXBTCZ-26DEC31-T99000", "for_each": [1, 2, 3]},
        },
        "edges": [
            {"from": "entry-0", "to": "chase", "trigger": "on_done"},
            {"from": "drip", "to": "chase", "trigger": "on_fill_ratio", "fill_ratio": Decimal("0.5")},
        ],
    }
    assert errors(playbook) == []


def test_symbol_may_come_from_defaults():
    playbook = hedge()
    playbook["defaults"] = {"symbol": "ETH-USD"}
    del playbook["legs"]["spot"]["symbol"]
    assert errors(playbook) == []


def _with(change):
    playbook = hedge()
    change(playbook)
    return errors(playbook)


@pytest.mark.parametrize(
    "change, expected",
    [
        # unknown keys -> additionalProperties (GC102)
        (lambda p: p["legs"]["spot"].update(quantity=1), [("additionalProperties", ("legs", "spot"))]),
        (lambda p: p.update(leggs={}), [("additionalProperties", ())]),
        (lambda p: p["risk"].update(max_drawdown=1), [("additionalProperties", ("risk",))]),
        (lambda p: p.update(defaults={"after": "spot filled"}), [("additionalProperties", ("defaults",))]),
        (
            lambda p: p["legs"]["spot"].update(twap={"slices": 10, "each": "30s"}),
            [("additionalProperties", ("legs", "spot", "twap"))],
        ),
        (
            lambda p: p["legs"]["hedge"].update(after=[{"from": "spot", "trigger": "on_fill", "ratio": 1}]),
            [("additionalProperties", ("legs", "hedge", "after", 0))],
        ),
        (
            lambda p: p.update(edges=[{"from": "spot", "to": "hedge", "trigger": "on_done", "when": 1}]),
            [("additionalProperties", ("edges", 0))],
        ),
        (
            lambda p: p.update(params={"size": {"type": "quantity", "defualt": 1}}),
            [("additionalProperties", ("params", "size"))],
        ),
        # missing fields -> required (GC104)
        (lambda p: p["legs"]["spot"].pop("symbol"), [("required", ("legs", "spot"))]),
        (lambda p: p.pop("name"), [("required", ())]),
        (
            lambda p: p["legs"]["hedge"].update(after=[{"trigger": "on_fill"}]),
            [("required", ("legs", "hedge", "after", 0))],
        ),
        (lambda p: p["legs"]["spot"].update(twap={"every": "30s"}), [("required", ("legs", "spot", "twap"))]),
        (lambda p: p.update(params={"size": {"default": 1}}), [("required", ("params", "size"))]),
        # wrong values -> type / enum / pattern / const / minimum (GC103)
        (lambda p: p["legs"]["hedge"].update(policy="fast"), [("enum", ("legs", "hedge", "policy"))]),
        (lambda p: p["legs"]["hedge"].update(side="short"), [("enum", ("legs", "hedge", "side"))]),
        (lambda p: p["legs"]["hedge"].update(urgency=3), [("enum", ("legs", "hedge", "urgency"))]),
        (lambda p: p["legs"]["hedge"].update(type="future"), [("enum", ("legs", "hedge", "type"))]),
        (lambda p: p["legs"]["hedge"].update(activation="later"), [("enum", ("legs", "hedge", "activation"))]),
        (
            lambda p: p["legs"]["hedge"].update(after=[{"from": "spot", "trigger": "on_filled"}]),
            [("enum", ("legs", "hedge", "after", 0, "trigger"))],
        ),
        (lambda p: p["legs"]["spot"].update(tif="GTD"), [("pattern", ("legs", "spot", "tif"))]),
        (lambda p: p["legs"]["spot"].update(buy=True), [("type", ("legs", "spot", "buy"))]),
        (lambda p: p["legs"]["spot"].update(symbol="X" * 513), [("maxLength", ("legs", "spot", "symbol"))]),
        (
            lambda p: p["legs"]["spot"].update(twap={"slices": 0, "every": "30s"}),
            [("minimum", ("legs", "spot", "twap", "slices"))],
        ),
        (lambda p: p.update(graphc=2), [("const", ("graphc",))]),
        (lambda p: p.update(graphc=True), [("const", ("graphc",))]),
        (lambda p: p.update(name="ETH Hedge"), [("pattern", ("name",))]),
        (lambda p: p.update(sandbox="no"), [("type", ("sandbox",))]),
        # lint refuses it (docs/templates.md: `sandbox:` is never an expression), so the schema does too
        (lambda p: p.update(sandbox="{{ paper }}"), [("type", ("sandbox",))]),
        (lambda p: p.update(legs={}), [("minProperties", ("legs",))]),
        (lambda p: p["legs"].update({"-bad": {"buy": 1, "symbol": "BTC-USD"}}), [("pattern", ("legs",))]),
        (lambda p: p.update(params={"size": {"type": "float"}}), [("enum", ("params", "size", "type"))]),
        # `with` needs `use`
        (lambda p: p["legs"]["spot"].update({"with": {"size": 1}}), [("dependentRequired", ("legs", "spot"))]),
    ],
)
def test_bad_playbooks_fail_with_one_plain_error(change, expected):
    assert _with(change) == sorted(expected)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["legs"]["spot"].update(twap={"slices": "1k", "every": "30s"}),
        lambda p: p["legs"]["spot"].update(twap={"slices": "1_000", "every": "30s"}),
        # text the number syntax refuses is the compiler's GC103, as for a quantity or a duration
        lambda p: p["legs"]["spot"].update(twap={"slices": "ten", "every": "30s"}),
    ],
)
def test_a_count_may_be_written_in_the_number_syntax(change):
    """Audit spec28 4: `slices`, `on_timeout.ms` and `offset_pct` take text in the number syntax (`1k`, `5_000`,
    `-5%`), as every other number field of the schema does; the compiler reads it."""
    assert _with(change) == []


def test_templates_are_accepted_where_words_are_expected():
    playbook = hedge()
    playbook["legs"]["hedge"].update(
        policy="{{ policy }}",
        side="{{ side }}",
        type="{{ kind }}",
        urgency="{{ u }}",
        tif="{{ tif }}",
        activation="{{ a }}",
    )
    playbook["legs"]["hedge"]["after"] = [{"from": "spot", "trigger": "{{ trig }}"}]
    assert errors(playbook) == []


# -- one vocabulary -------------------------------------------------------------------


def _enums(node, path=()):
    """``{json path: enum values}`` of every enum in a schema."""
    if isinstance(node, dict):
        if "enum" in node:
            yield path, node["enum"]
        for key, value in node.items():
            yield from _enums(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _enums(value, (*path, i))


@pytest.mark.parametrize("schema_name", ["wire-graph.schema.json", "playbook.schema.json"])
def test_schema_enums_are_the_wire_vocabulary(schema_name):
    """Each enum of a wire word in the schemas lists exactly graphc.vocabulary's values."""
    from graphc import vocabulary as V

    by_field = {
        "type": V.INSTRUMENT_TYPES,
        "instrumentType": V.INSTRUMENT_TYPES,
        "side": V.SIDES,
        "policy": V.POLICIES,
        "urgency": V.URGENCIES,
        "tif": V.TIFS,
        "activation": V.ACTIVATIONS,
        "trigger": V.TRIGGER_NAMES,
        "triggerName": V.TRIGGER_NAMES,
        "direction": V.PRICE_DIRECTIONS,
    }
    schema = json.loads((REPO / "schemas" / schema_name).read_text())
    checked = 0
    for path, values in _enums(schema):
        word = next((p for p in reversed(path) if isinstance(p, str) and p in by_field), None)
        if word is None or "param" in path:
            continue
        assert sorted(values) == sorted(by_field[word]), (path, values)
        checked += 1
    assert checked >= 7
