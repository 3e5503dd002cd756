"""The wire JSON writer (graphc/stages/emit.py): json.dumps's layout, exact decimals, streamed."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphc.stages.emit import to_json, write_json
from graphc.stages.triggers import JsonFloat

# Everything a wire graph can hold except Decimals, which json.dumps cannot print exactly.
_scalars = st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.text(max_size=12)
_json_like = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=30,
)


@given(_json_like)
def test_layout_is_json_dumps_indent_2(value):
    # json.dumps is the independent oracle for everything but Decimals (unicode, escapes, empty containers).
    assert to_json(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (Decimal("0.1000000000000000055511151231257827"), "0.1000000000000000055511151231257827"),
        (Decimal("96763.750"), "96763.75"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-0.000"), "0"),
        (Decimal("12345678901234567890.5"), "12345678901234567890.5"),
        (JsonFloat("0.50"), "0.5"),
        (JsonFloat("-5"), "-5.0"),  # a JSON float stays a float: `-5.0`
    ],
)
def test_decimals_never_pass_through_float(number, text):
    assert to_json({"n": number, "in_list": [number]}) == f'{{\n  "n": {text},\n  "in_list": [\n    {text}\n  ]\n}}\n'


def test_non_finite_and_foreign_values_are_refused():
    with pytest.raises(ValueError):
        to_json({"n": Decimal("NaN")})
    with pytest.raises(TypeError):
        to_json({"n": 0.5})  # a float on the wire is a bug upstream, never printed


def test_subclasses_are_written_like_their_base():
    class Text(str):
        pass

    class Mapping(dict):
        pass

    value = Mapping(a=[Text("x"), True, None, 3], b=Mapping())
    assert to_json(value) == json.dumps(dict(value), indent=2) + "\n"


def test_non_string_keys_are_written_as_text():
    assert to_json({1: "a", "2": 3}) == json.dumps({"1": "a", "2": 3}, indent=2) + "\n"


def test_a_large_graph_is_written_in_chunks():
    nodes = [
        {"node_id": f"n{i}", "quantity": {"fixed": {"qty_1e8": i}}, "ratio": JsonFloat("0.5")} for i in range(30000)
    ]
    wire = {"nodes": nodes, "edges": [], "is_sandbox": True}
    chunks: list[str] = []
    write_json(wire, chunks.append)
    assert len(chunks) > 1  # streamed, not one string
    assert "".join(chunks) == to_json(wire)
    assert json.loads(to_json(wire))["nodes"][29999] == {
        "node_id": "n29999",
        "quantity": {"fixed": {"qty_1e8": 29999}},
        "ratio": 0.5,
    }
