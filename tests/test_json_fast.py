"""The JSON fast pass reads the usual file into the json module's own dicts (no Python call per object or
number) and proves its keys unique by counting afterwards (graphc/stages/load.py, ``_load_json_fast``).

Here it must give exactly what the checked reading gives (a Python check of each object as it is made,
each number read by ``_json_int``/``_json_decimal``, the limits measured by walking the values): the same
values of the same types, or the same refusal (the YAML passes then decide, GC101 for a duplicate key).
The checked reading is kept below as it was; the inputs are the examples, the fixtures, the bench's wire
graphs and generated ones with duplicate keys, `"<<"` keys, long numbers, escapes and deep nesting.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphc.pipeline import compile_text
from graphc.stages import load
from graphc.stages.load import MAX_DEPTH, MAX_TOTAL_NODES, load_text
from tests.bench_corpus import make_corpus
from tests.test_fuzz import FUZZ, _typed, check_fast_pass, wire_graphs

ROOT = Path(__file__).resolve().parent.parent
WIRE_FILES = sorted(
    [
        *(ROOT / "examples").glob("*.json"),
        *(ROOT / "tests" / "fixtures").rglob("*.json"),
    ]
)


def _bench_wire_graph(n_legs: int) -> str:
    """bench/run.py's ``wire-N.json``, made here as it makes it: the scaling playbook compiled, as compact JSON."""
    result = compile_text(make_corpus().scaling_playbook(n_legs), f"legs-{n_legs}.yaml")
    assert result.wire is not None, result.diagnostics
    return json.dumps(json.loads(result.wire_json()), separators=(",", ":")) + "\n"


def checked_reading(text: str, max_depth: int = MAX_DEPTH, max_total: int = MAX_TOTAL_NODES):
    """What ``_load_json_fast`` gave before it read plain dicts: its values, or "refused"."""
    try:
        if not load._JSON_START.match(text) or not text.isascii():
            return "refused"
        raw = text.encode("ascii")
        if (
            len(raw.translate(None, load._JSON_UNSAFE_BYTES)) != len(raw)
            or load._SURROGATE_ESCAPE.search(text)
            or (load._line_break_inside(raw) and load._KEY_COLON_ON_NEXT_LINE.search(text))
        ):
            return "refused"
        data = json.loads(
            text,
            parse_float=load._json_decimal,
            parse_int=load._json_int,
            parse_constant=load._json_constant,
            object_pairs_hook=load._json_object,
        )
        load._check_json_limits(text, data, max_depth, max_total)
    except Exception:
        return "refused"
    return _typed(data)


def fast_reading(text: str, max_depth: int = MAX_DEPTH, max_total: int = MAX_TOTAL_NODES):
    try:
        return _typed(load._load_json_fast(text, max_depth, max_total))
    except Exception:
        return "refused"


def assert_same_reading(text: str, **limits) -> None:
    assert fast_reading(text, **limits) == checked_reading(text, **limits)


def test_the_count_needs_values_only_from_the_collector():
    """The proof of unique keys rests on gc.get_referents giving a dict's values, not its keys."""
    assert load._REFERENTS_ARE_VALUES
    assert load._values_below({"a": [1, {"b": Decimal("1.5")}], "c": {}}) == 5


@pytest.mark.parametrize("path", WIRE_FILES, ids=lambda p: p.name)
def test_wire_files(path):
    text = path.read_text(encoding="utf-8")
    assert_same_reading(text)
    compact = json.dumps(json.loads(text, parse_float=Decimal, parse_int=int), default=str, separators=(",", ":"))
    assert_same_reading(compact)


def test_the_bench_graph_takes_the_plain_path():
    """The bench's 3,000-node graph is read without the per-object check (else the fast path is never taken)."""
    text = _bench_wire_graph(3000)
    assert_same_reading(text)
    counted = load._json_limits_from_text(text.encode(), MAX_DEPTH, MAX_TOTAL_NODES)
    assert counted is not None and counted[1]  # counted from the text, every number short
    assert counted[0] == load._values_below(json.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',  # a duplicate key
        '{"a": {"b": 1, "c": 2, "b": 3}, "d": [1, 2]}',  # one level down
        '{"a": {"b": 1, "b": 2}, "c": [5]}',  # a lost value where a list gains one: counts still differ
        '[{"x": 1}, {"x": 2, "x": 3}]',
        '{"<<": {"a": 1}}',  # a `"<<"` key: text, not a merge (JSON has none)
        '{"a": {"<<": [1]}}',
        '{"\\u003c<": 1}',  # the same written with an escape
        '{"<<": 1, "<<": 2}',  # written twice: a duplicate key
        '{"<": {"a": 1}, "b": "<x<"}',  # a `<` but no `<<`: the plain path
        '{"a": "\\\\", "b": "\\/"}',  # a backslash but no `\\u`
        '{"a": "\\ud800\\udc00"}',  # an escaped surrogate pair: refused
        '{"a": 1, "\\u0061": 2}',  # a duplicate written with an escape
        '{"a": ' + "9" * 3999 + "}",  # long numbers: int up to 4,000 digits, then Decimal, then refused
        '{"a": -' + "9" * 3999 + "}",
        '{"a": ' + "9" * 4001 + "}",
        "[" + "9" * 5000 + "]",  # a long number before any quote
        "[" + "9" * 100_001 + "]",
        '{"a": ' + "1" * 200 + ".5e3}",
        '{"a": 1.50, "b": -0, "c": 1E5, "d": [true, false, null]}',
        '{"a": "x\\"y", "b": "\\\\", "c": "\\n\\t\\/"}',  # escapes
        '{"a:b": 1, "a:b": 2}',  # punctuation in a string: the checked path
        '{"a": [], "b": [ ], "c": [\n], "d": {}, "e": [[]]}',
        "[" * 100 + "]" * 100,
        "[" * 101 + "]" * 101,
        '{"a": ' * 60 + "1" + "}" * 60,
        '{"a": NaN}',
        '{"a": 1} x',
        "{}",
        "[]",
    ],
)
def test_cases(text):
    assert_same_reading(text)
    check_fast_pass(text)  # and load_text equals the full composer (GC101 for a duplicate key)


@given(st.binary(max_size=40), st.sampled_from([b"<<", b"\\u", b"ab", b"\\", b"<"]))
def test_holds_is_in(raw, pair):
    """``_holds`` asks a byte first: it must answer exactly as ``in``."""
    assert load._holds(raw, pair) == (pair in raw)
    assert load._holds(raw + pair + raw, pair)


def test_a_duplicate_key_is_still_gc101():
    doc, diagnostics = load_text('{"nodes": [{"node_id": "a", "side": "buy", "side": "sell"}]}', "w.json")
    assert doc is None and [(d.code, d.span.line, d.span.col) for d in diagnostics] == [("GC101", 1, 44)]


@pytest.mark.parametrize("limits", [{"max_total": 11}, {"max_total": 12}, {"max_depth": 3}, {"max_depth": 4}])
def test_limits(limits):
    assert_same_reading('{"nodes": [{"node_id": "a", "instrument": {"symbol": "X"}}], "edges": []}', **limits)


def _with_duplicate(text: str, at: int) -> str:
    """``text`` with a key written twice in the ``at``-th object (by its opening brace)."""
    braces = [i for i, c in enumerate(text) if c == "{" and text[i + 1 : i + 2] == '"']
    if not braces:
        return text
    i = braces[at % len(braces)]
    end = text.index('"', i + 2)
    key = text[i + 1 : end + 1]
    return f"{text[: i + 1]}{key}: 0, {text[i + 1 :]}"


@FUZZ
@given(wire_graphs(), st.integers(0, 5), st.integers(0, 50))
def test_generated_wire_graphs(wire, layout, at):
    text = json.dumps(wire, default=str, **({} if layout % 2 else {"separators": (",", ":")}))
    if layout == 2:
        text = _with_duplicate(text, at)
    elif layout == 3:
        text = text.replace('"side"', '"<<"', 1)
    elif layout == 4:
        text = text.replace("1", "1" * 4100, 1)  # a long number somewhere (or a long string)
    elif layout == 5:
        text = json.dumps(wire, default=str, ensure_ascii=True, indent=1).replace('"node_id"', '"\\u006eode_id"', 1)
    assert_same_reading(text)
    if len(text) < 20_000:
        check_fast_pass(text)
