"""The generated yes/no schema checks (graphc/stages/fastschema.py) answer exactly as jsonschema does.

- the checked-in module is what the schemas give today (regenerating it changes nothing);
- a schema edited since gets its check generated afresh, not the stale one;
- on valid documents (the examples, their wire graphs, the schemas' own examples)
  and near-valid ones (a key dropped, added or renamed, a value swapped for
  another of the vocabulary, a number at a bound), every answer that is not
  "unsure" is jsonschema's: True exactly when it reports no error. Both the
  generated module and the keyword-by-keyword generation are held to it;
- the valid documents are answered True (the fast path is taken for them);
- schemas outside the modelled subset are refused, and the modelled corners
  (recursive references, numeric enums, ``not``/``oneOf``) answer as jsonschema.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from graphc.pipeline import compile_text
from graphc.stages import fastschema, fastschema_generated, validate
from graphc.stages.emit import to_json
from graphc.stages.fastschema_runtime import Unsure
from graphc.stages.load import load_text
from tests.conftest import EXAMPLES, REPO

NAMES = ("playbook.schema.json", "wire-graph.schema.json")
SCHEMAS = {name: json.loads((REPO / "schemas" / name).read_text(encoding="utf-8")) for name in NAMES}
JSONSCHEMA = {name: Draft202012Validator(schema) for name, schema in SCHEMAS.items()}
CHECKS = {
    "generated": fastschema_generated.CHECKS,
    "keyword by keyword": {name: fastschema.exact_check(schema, fuse=False) for name, schema in SCHEMAS.items()},
}


def _walk(schema):
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("properties", "$defs"):
                yield from ((name, sub) for name, sub in value.items())
                for sub in value.values():
                    yield from _walk(sub)
            elif key not in ("examples", "default", "description", "title"):
                yield (key, value)
                yield from _walk(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _walk(item)


def _vocabulary():
    keys, texts = set(), set()
    for schema in SCHEMAS.values():
        for key, value in _walk(schema):
            keys.add(key)
            if key in ("enum", "const"):
                texts.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
    return sorted(keys), sorted(texts)


KEYS, TEXTS = _vocabulary()
VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2,
    512,
    2**63 - 1,
    2**63,
    Decimal("0.5"),
    Decimal("1.0"),
    Decimal("-0"),
    "",
    "x",
    "a" * 513,
    "{{ size }}",
    "{{",
    "200 ETH",
    "$500k",
    "gtc",
    "0 */5 * * *",
    [],
    ["x"],
    {},
    {"symbol": "ETH-USD"},
    *TEXTS,
]


def _seeds():
    seeds = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        doc, _ = load_text(text, str(path))
        if doc is not None and isinstance(doc.data, dict) and "graphc" in doc.data:
            seeds.append(doc.data)
            result = compile_text(text, str(path))
            if result.wire is not None:
                seeds.append(json.loads(to_json(result.wire), parse_float=Decimal))
    for schema in SCHEMAS.values():
        seeds += [json.loads(json.dumps(example), parse_float=Decimal) for example in schema.get("examples", [])]
    return seeds


SEEDS = _seeds()


def _places(data, path=()):
    """Every (path, value) in ``data``, the root included."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _places(value, (*path, index))


def _at(data, path):
    for part in path:
        data = data[part]
    return data


@st.composite
def near_valid(draw):
    """A seed document with up to three small changes (none: the valid document itself)."""
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 3))):
        path, value = draw(st.sampled_from(list(_places(doc))))
        op = draw(st.sampled_from(["replace", "drop", "add", "rename"]))
        if op == "replace" and path:
            _at(doc, path[:-1])[path[-1]] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif op == "drop" and isinstance(value, dict) and value:
            del value[draw(st.sampled_from(sorted(value)))]
        elif op == "drop" and isinstance(value, list) and value:
            del value[draw(st.integers(0, len(value) - 1))]
        elif op == "add" and isinstance(value, dict):
            value[draw(st.sampled_from(KEYS))] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        elif op == "add" and isinstance(value, list):
            value.append(copy.deepcopy(draw(st.sampled_from(value or VALUES))))
        elif op == "rename" and isinstance(value, dict) and value:
            old, new = draw(st.sampled_from(sorted(value))), draw(st.sampled_from(KEYS))
            if new not in value:
                value[new] = value.pop(old)
    return doc


def _answer(check, doc):
    try:
        return check(doc)
    except Unsure:
        return None


def test_the_generated_module_is_what_the_schemas_give():
    texts = {name: (REPO / "schemas" / name).read_text(encoding="utf-8") for name in NAMES}
    assert fastschema.GENERATED_MODULE.read_text(encoding="utf-8") == fastschema.generated_module(texts), (
        "run `python -m graphc.stages.fastschema` to regenerate graphc/stages/fastschema_generated.py"
    )


def test_a_schema_edited_since_gets_a_check_generated_afresh(monkeypatch):
    monkeypatch.setitem(fastschema_generated.DIGESTS, "wire-graph.schema.json", "0" * 64)
    validate.fast_check.cache_clear()
    try:
        check = validate.fast_check("wire-graph.schema.json")
        assert check.__closure__ is not None
        assert all(
            cell.cell_contents is not fastschema_generated.CHECKS["wire-graph.schema.json"]
            for cell in check.__closure__
        )
        wire = next(
            seed
            for seed in SEEDS
            if "nodes" in seed and not list(JSONSCHEMA["wire-graph.schema.json"].iter_errors(seed))
        )
        assert check(wire) is True
        assert check({**wire, "unknown": 1}) is False
    finally:
        validate.fast_check.cache_clear()
        validate._edited.discard("wire-graph.schema.json")  # else later tests see the shipped schema as edited


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("how", CHECKS)
def test_valid_documents_take_the_fast_path(name, how):
    valid = [seed for seed in SEEDS if not list(JSONSCHEMA[name].iter_errors(seed))]
    assert len(valid) >= 5
    assert all(CHECKS[how][name](seed) is True for seed in valid)


@given(near_valid())
def test_every_sure_answer_is_jsonschemas(doc):
    for name in NAMES:
        valid = not list(JSONSCHEMA[name].iter_errors(doc))
        for how, checks in CHECKS.items():
            answer = _answer(checks[name], doc)
            assert answer in (None, valid), (name, how, valid, doc)


@pytest.mark.parametrize("field", ["side", "type", "policy", "urgency", "tif", "activation"])
def test_a_choice_or_a_template_answers_as_jsonschema(field):
    """A leg's choice fields (a word of the vocabulary, or a template) ask the word first: every value in
    every leg answers as jsonschema does, whichever of the two tests decides."""
    playbooks = [seed for seed in SEEDS if isinstance(seed.get("legs"), dict) and seed["legs"]]
    assert playbooks
    name = "playbook.schema.json"
    for seed in playbooks[:3]:
        for leg_id in seed["legs"]:
            for value in [*VALUES, "{{ x }}", "GTC", " gtc", "{{ a }} {{ b }}"]:
                doc = copy.deepcopy(seed)
                doc["legs"][leg_id][field] = value
                valid = not list(JSONSCHEMA[name].iter_errors(doc))
                for how, checks in CHECKS.items():
                    assert _answer(checks[name], doc) in (None, valid), (how, field, value)
                    if valid:
                        assert _answer(checks[name], doc) is True, (how, field, value)


@pytest.mark.parametrize(
    "schema",
    [
        {"patternProperties": {"^a": True}},
        {"$ref": "https://example.com/schema.json"},
        {"$ref": "#/$defs/missing"},
        {"items": [{"type": "string"}]},
        {"unevaluatedProperties": False},
        {"enum": [1.5]},
        {"minimum": float("inf")},
        {"type": "decimal"},
    ],
)
def test_schemas_outside_the_model_are_refused(schema):
    with pytest.raises(fastschema.UnsupportedSchema):
        fastschema.compile_schema(schema)


CORNERS = {
    "recursive": {
        "$defs": {
            "tree": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}}
        },
        "$ref": "#/$defs/tree",
    },
    "numeric enum": {"enum": [1, True, None, "1"]},
    "not and oneOf": {"not": {"type": "string"}, "oneOf": [{"type": "integer"}, {"minimum": 5}]},
    "anyOf and bounds": {"anyOf": [{"maxLength": 2}, {"type": "array", "minItems": 2, "maxItems": 3}]},
    "object keywords": {
        "propertyNames": {"pattern": "^[a-z]+$"},
        "minProperties": 1,
        "maxProperties": 2,
        "dependentRequired": {"a": ["b"]},
        "additionalProperties": {"type": "integer"},
        "required": ["b"],
    },
    "if without else": {"if": {"required": ["a"]}, "then": {"required": ["b"]}},
    "exclusive bounds": {"exclusiveMinimum": 0, "exclusiveMaximum": 6, "items": {"exclusiveMinimum": 1}},
}
CORNER_VALUES = st.recursive(
    st.sampled_from(
        [None, True, False, -1, 0, 1, 5, 6, Decimal("0.0"), Decimal("1.0"), Decimal("5.5"), "", "1", "ab", "abc", "A"]
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["a", "b", "c", "kids", "A"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(CORNER_VALUES)
def test_the_modelled_corners_answer_as_jsonschema(value):
    for name, schema in CORNERS.items():
        valid = not list(Draft202012Validator(schema).iter_errors(value))
        for fuse in (True, False):
            assert _answer(fastschema.exact_check(schema, fuse=fuse), value) in (None, valid), (name, fuse, value)
        assert fastschema.compile_schema(schema)(value) in (False, valid), (name, value)


# -- validation walks only what the generated checks cannot vouch for ---------------------------------------------


def _errors(check, doc) -> list:
    return sorted((repr(tuple(e.absolute_path)), e.validator, e.message) for e in check.iter_errors(doc))


@given(near_valid())
def test_skipping_vouched_items_reports_what_jsonschema_reports(doc):
    """``items`` and ``additionalProperties`` step over what the check of their `$ref` schema vouches for;
    the errors (their places, keywords and messages) are the ones of a walk over everything."""
    for name in NAMES:
        assert _errors(validate.validator(name), doc) == _errors(validate.validator(name, skip_vouched=False), doc)


def _descents(check, doc) -> int:
    """How many times jsonschema descends into a value while it lists ``doc``'s errors (its work, counted)."""
    import sys

    count = 0

    def profile(frame, event, _arg):
        nonlocal count
        if event == "call" and frame.f_code.co_name == "descend" and "jsonschema" in frame.f_code.co_filename:
            count += 1

    sys.setprofile(profile)
    try:
        errors = list(check.iter_errors(doc))
    finally:
        sys.setprofile(None)
    assert errors
    return count


@pytest.mark.parametrize("name", NAMES)
def test_one_typo_in_a_large_document_is_found_without_walking_the_rest(name):
    """One typo among 3,000 legs (or nodes) took jsonschema through every valid one: 3 to 4 s for 30,000
    (a clean one lints in 0.2 s). Now only the leg (node) the check cannot vouch for is walked."""
    if name == "playbook.schema.json":
        legs = {f"l{i}": {"buy": "1 ETH", "symbol": "ETH-USD", "after": f"l{i - 1} filled"} for i in range(1, 3000)}
        doc = {"graphc": 1, "name": "big", "legs": {"l0": {"buy": "1 ETH", "symbol": "ETH-USD"}, **legs}}
        doc["legs"]["l2000"]["policy"] = "sorr"
    else:
        node = {"instrument": {"symbol": "ETH-USD", "type": "spot"}, "side": "buy", "order_type": "market"}
        node |= {"quantity": {"fixed": {"qty_1e8": 100000000}}, "execution": {"policy": "sor"}, "activation": "root"}
        doc = {"nodes": [{**node, "node_id": f"n{i}"} for i in range(3000)], "edges": []}
        doc["nodes"][2000]["execution"] = {"policy": "sorr"}
    assert next(e.message for e in validate.validator(name).iter_errors(doc)).startswith("'sorr' is not one of")
    assert _descents(validate.validator(name, skip_vouched=False), doc) > 3000 * 3  # every leg (node), field by field
    assert _descents(validate.validator(name), doc) < 40  # the root, the list or mapping, the one leg (node)


def test_a_mappings_values_are_checked_in_the_documents_order(monkeypatch):
    """jsonschema's ``additionalProperties`` takes the keys through a set: in the order of their hashes, another at
    each run. The schema check stops at GRAPHC_MAX_DIAGNOSTICS problems, so which legs it lists would change from
    run to run; graphc's walks them in the document's order (for an edited schema too)."""
    doc = {"graphc": 1, "name": "many", "legs": {f"a{i}": 0 for i in range(40)}}
    name = "playbook.schema.json"
    legs = [e.absolute_path[1] for e in validate.validator(name).iter_errors(doc) if len(e.absolute_path) == 2]
    assert legs == [f"a{i}" for i in range(40)]
    monkeypatch.setattr(validate, "is_shipped", lambda _name: False)  # an edited schema: no generated check
    validate.validator.cache_clear()
    try:
        edited = validate.validator(name)
        assert [e.absolute_path[1] for e in edited.iter_errors(doc) if len(e.absolute_path) == 2] == legs
    finally:
        validate.validator.cache_clear()
