"""A file meant as JSON is read as JSON (audit wire18, findings 1 and 3).

A `.json` file, or standard input that opens as JSON does (graphc.stages.load ``_is_json``), is the router's
format (playbook-spec.md §1), and the desk's pre-submit gate lints the very file it POSTs. So strict JSON
(RFC 8259, as the router's parser reads it; Python's `json` without its NaN and Infinity) decides what such a
file says: anything it refuses is GC100 "not valid JSON" at the place it stopped, and every value is the one
it reads. It used to be read by the YAML parser whenever the JSON fast pass declined, so

1. text that is not JSON at all (trailing commas, single quotes, `True`, hex numbers, anchors, YAML block
   style) linted clean, a false pass for the gate;
2. valid JSON was refused (surrogate-pair escapes as Python's json.dumps writes them, a newline between a key
   and its colon, raw DEL or C1 characters) or read with another value (a raw NEL inside a string became a
   space, and `plan -o` stored that other symbol).

Positions stay exact: where YAML reads the same values they are the ones it gives (held equal here for texts
that only JSON reads, through a text of the same layout that YAML reads too), and the line breaks are the
ones the text report's code frame shows.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

from graphc.cli import cli
from graphc.stages.load import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_REPLAY_CHARS,
    MAX_TOTAL_NODES,
    Document,
    _Composer,
    _flatten,
    _json_events,
    _json_tree,
    load_text,
)
from tests.conftest import write
from tests.test_fuzz import FUZZ, _full_composer, _typed

# The router reference's Full Execution Graph (orders-and-execution-graphs.md), which lints clean.
GRAPH = {
    "nodes": [
        {
            "node_id": "spot",
            "instrument": {"symbol": "ETH-USD", "type": "spot"},
            "side": "buy",
            "order_type": "market",
            "quantity": {"fixed": {"qty_1e8": 20000000000}},
            "execution": {"policy": "sor", "urgency": "medium"},
            "activation": "root",
        },
        {
            "node_id": "hedge",
            "instrument": {"symbol": "ETH-USD-PERP", "type": "perp", "venue": "hyperliquid"},
            "side": "sell",
            "order_type": "market",
            "quantity": {"fixed": {"qty_1e8": 20000000000}},
            "execution": {"policy": "aggressive_chase"},
            "activation": "wait",
        },
    ],
    "edges": [
        {
            "edge_id": "e0",
            "from_node": "spot",
            "to_node": "hedge",
            "trigger": "on_fill_ratio",
            "condition": {"fill_ratio_gte": 0.5},
        }
    ],
    "risk": {"admission": {"max_notional_usd": 500000}, "runtime": {"max_loss_usd": 10000}},
    "is_sandbox": False,
}
COMPACT = json.dumps(GRAPH, separators=(",", ":"))
PRETTY = json.dumps(GRAPH, indent=2)

# The line breaks graphc counts (the text report's code frame, suppression comments, GC112): LF, CRLF and CR
# (YAML 1.2 §5.4, as git, GitHub and editors count lines), not NEL, LS or PS.
LINE_BREAK = re.compile("\r\n|[\n\r]")


def lint(*args, input=None):
    return CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)], input=input)


def at(text: str, index: int) -> tuple[int, int]:
    """(line, column) of ``text[index]``, 1-based, columns in code points, lines broken as graphc breaks them."""
    lines = LINE_BREAK.split(text[:index])
    return len(lines), len(lines[-1]) + 1


def where_json_stops(text: str) -> tuple[int, int]:
    """Where Python's json (the router's reading of the text: RFC 8259) refuses it (the texts here break lines
    with LF alone, so its own line and column are graphc's)."""
    assert "\r" not in text
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.lineno, exc.colno
    raise AssertionError("json reads it")


# -- 1. text that is not JSON is GC100, at the place JSON stops ------------------------------------------------

# (name, what is replaced (its first occurrence), what by): each makes text the router's parser refuses
NOT_JSON = [
    ("hex", "20000000000", "0x4A817C800"),
    ("leading-zero", "20000000000", "020000000000"),
    ("plus-sign", "20000000000", "+20000000000"),
    ("bare-dot", "0.5", ".5"),
    ("capital-False", "false", "False"),
    ("capital-True", "false", "True"),
    ("yaml-no", "false", "no"),
    ("single-quotes", '"buy"', "'buy'"),
    ("unquoted-value", '"buy"', "buy"),
    ("unquoted-key", '"is_sandbox"', "is_sandbox"),
    ("trailing-comma-object", '"root"', '"root",'),
    ("anchor", '"instrument":', '"instrument": &a'),
    ("raw-tab-in-string", '"ETH-USD"', '"ETH\tUSD"'),
    ("raw-line-break-in-string", '"ETH-USD"', '"ETH\nUSD"'),
    ("unknown-escape", '"ETH-USD"', '"ETH\\-USD"'),
    ("infinity-yaml", "500000", ".inf"),
]


def _not_json(layout: str, old: str, new: str) -> str:
    text = COMPACT if layout == "compact" else PRETTY
    assert old in text
    return text.replace(old, new, 1)


def _assert_gc100_at(result, path, line: int, col: int) -> None:
    assert result.exit_code == 1, result.output
    assert f"{path}:{line}:{col}: error GC100 not valid JSON: " in result.stdout, result.stdout
    assert "1 error in 1 file" in result.stdout


@pytest.mark.parametrize("layout", ["compact", "pretty"])
@pytest.mark.parametrize(("name", "old", "new"), NOT_JSON, ids=[case[0] for case in NOT_JSON])
def test_text_that_is_not_json_is_gc100_where_json_stops(tmp_path, layout, name, old, new):
    text = _not_json(layout, old, new)
    path = write(tmp_path, "w.json", text)
    _assert_gc100_at(lint(path), path, *where_json_stops(text))


@pytest.mark.parametrize("layout", ["compact", "pretty"])
def test_a_trailing_comma_in_a_list_and_an_alias(tmp_path, layout):
    text = COMPACT if layout == "compact" else PRETTY
    end = text.rindex("]")  # the end of `edges`: a comma after its last item
    comma = write(tmp_path, "comma.json", text[:end] + "," + text[end:])
    _assert_gc100_at(lint(comma), comma, *where_json_stops(comma.read_text()))
    aliased = text.replace('"instrument":', '"instrument": &a', 1)  # the first node's, repeated in the second
    second = aliased.rindex('"instrument":')
    aliased = aliased[:second] + '"instrument": *a' + aliased[aliased.index("}", second) + 1 :]
    alias = write(tmp_path, "alias.json", aliased)
    _assert_gc100_at(lint(alias), alias, *where_json_stops(aliased))


def test_the_reports_trailing_comma_file(tmp_path):
    """The report's y_trailing.json: trailing commas, single quotes, `True` and a hex number; it linted clean."""
    text = (
        "{\n"
        '  "nodes": [\n'
        "    {\n"
        '      "node_id": "a",\n'
        '      "instrument": {"symbol": "ETH-USD", "type": "spot",},\n'
        '      "side": "buy",\n'
        '      "order_type": "market",\n'
        '      "quantity": {"fixed": {"qty_1e8": 0x5F5E100}},\n'
        "      \"activation\": 'root',\n"
        "    },\n"
        "  ],\n"
        '  "edges": [],\n'
        '  "is_sandbox": True,\n'
        "}\n"
    )
    path = write(tmp_path, "y_trailing.json", text)
    result = lint(path)
    _assert_gc100_at(result, path, 5, 58)  # json: "Expecting property name enclosed in double quotes"
    assert "JSON allows no comma after the last" in result.stdout  # the hint names the mistake
    # standard input that opens as JSON does is read the same way
    _assert_gc100_at(lint("-", input=text), "<stdin>", 5, 58)
    _assert_gc100_at(lint("--stdin-filename", "w.json", "-", input=text), "w.json", 5, 58)


def test_yaml_block_style_in_a_json_file(tmp_path):
    """The report's y_block.json: a `.json` file holding YAML block style linted clean."""
    text = yaml.safe_dump(GRAPH, sort_keys=False)
    path = write(tmp_path, "y_block.json", text)
    result = lint(path)
    _assert_gc100_at(result, path, 1, 1)
    assert ".yaml" in result.stdout  # the hint: write JSON, or name the file .yaml


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("comment", "// the hedge\n" + COMPACT),
        ("two-documents", COMPACT + "\n" + COMPACT),
        ("empty", ""),
        ("yaml-document-marker", "---\n" + COMPACT),
    ],
)
def test_more_text_that_is_not_json(tmp_path, name, text):
    path = write(tmp_path, "w.json", text)
    _assert_gc100_at(lint(path), path, *where_json_stops(text))


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("layout", ["compact", "pretty"])
def test_nan_and_infinity_are_not_json(tmp_path, constant, layout):
    """Python's json reads them by default; no RFC 8259 parser does (they used to lint as GC103 "not a number")."""
    text = _not_json(layout, "0.5", constant)
    path = write(tmp_path, "w.json", text)
    result = lint(path)
    _assert_gc100_at(result, path, *at(text, text.index(constant)))
    assert f"not valid JSON: {constant} is not a JSON number" in result.stdout


@pytest.mark.parametrize(
    ("escape", "where"),
    [("\\ud83d", 0), ("\\udd01", 0), ("\\ud83d\\ud83d\\udd01", 0), ("\\ud83d\\udd01\\udd01", 12), ("x\\ud800", 1)],
)
def test_an_unpaired_surrogate_escape_is_gc100_at_the_escape(tmp_path, escape, where):
    """A half of a surrogate pair alone stands for no character (RFC 8259 §8.2): no UTF-8 text can hold it."""
    text = PRETTY.replace('"hedge",', f'"hedge{escape}",', 1).replace(
        '"to_node": "hedge"', f'"to_node": "hedge{escape}"'
    )
    path = write(tmp_path, "w.json", text)
    result = lint(path)
    _assert_gc100_at(result, path, *at(text, text.index(escape) + where))
    assert "unpaired surrogate" in result.stdout


def test_a_yaml_file_holding_a_wire_graph_keeps_yaml_rules(tmp_path):
    """A wire graph written in YAML (docs/submitting.md) is read as YAML whatever its text looks like; graphc
    sends the JSON it checked, never the file's text."""
    text = COMPACT.replace('"root"', '"root",', 1).replace("false", "False")
    assert lint(write(tmp_path, "w.yaml", text)).exit_code == 0
    assert lint("--stdin-filename", "plays/w.yaml", "-", input=text).exit_code == 0


def test_a_json_playbook_is_read_as_json(tmp_path):
    """A playbook is a YAML document and JSON is YAML, so a `.json` playbook lints, read as JSON like any `.json`."""
    good = '{"graphc": 1, "name": "dip", "legs": {"entry": {"buy": 0.01, "symbol": "BTC-USD", "limit": 58000}}}\n'
    result = lint(write(tmp_path, "dip.json", good))
    assert result.exit_code == 0, result.output
    bad = good.replace("58000}", "58000,}")
    path = write(tmp_path, "bad.json", bad)
    _assert_gc100_at(lint(path), path, *where_json_stops(bad))
    assert lint(write(tmp_path, "bad.yaml", bad)).exit_code == 0  # the same text in a .yaml file is YAML


# -- 3. valid JSON is read, with the values JSON gives ---------------------------------------------------------


def _with_node_id(node_id: str) -> dict:
    graph = json.loads(json.dumps(GRAPH))
    graph["nodes"][0]["node_id"] = node_id
    graph["edges"][0]["from_node"] = node_id
    graph["nodes"][1]["execution"]["tif"] = "gtc"  # a finding after the escapes, to place
    return graph


@pytest.mark.parametrize("indent", [None, 2])
def test_surrogate_pair_escapes_as_json_dumps_writes_them(tmp_path, indent):
    """json.dumps writes a character outside the BMP as a surrogate pair: `spot🔁` is `"spot\\ud83d\\udd01"`."""
    graph = _with_node_id("spot\U0001f501")
    text = json.dumps(graph, indent=indent)
    assert "\\ud83d\\udd01" in text
    path = write(tmp_path, "surrogate.json", text)
    result = lint(path)
    assert result.exit_code == 1, result.output
    line, col = at(text, text.index('"gtc"'))  # each escape counts its six characters
    assert f"{path}:{line}:{col}: error GC103 `nodes.1.execution.tif: gtc` is not one of" in result.stdout
    assert "1 error in 1 file" in result.stdout
    doc, diagnostics = load_text(text, str(path))
    assert diagnostics == [] and doc is not None
    assert doc.data["nodes"][0]["node_id"] == "spot\U0001f501"
    assert doc.key_span(("nodes", 1, "execution", "tif")).col == col - len('"tif": ')


@pytest.mark.parametrize("layout", ["compact", "pretty"])
def test_a_newline_between_a_key_and_its_colon(tmp_path, layout):
    text = _not_json(layout, '"is_sandbox":', '"is_sandbox"\n:').replace('"edges":', '"edges"\r\n  \n :', 1)
    json.loads(text)  # valid JSON
    path = write(tmp_path, "w.json", text)
    result = lint(path)
    assert result.exit_code == 0, result.output
    doc, _ = load_text(text, str(path))
    assert doc is not None and doc.data["is_sandbox"] is False
    assert doc.span(("is_sandbox",)) is not None
    assert (doc.span(("is_sandbox",)).line, doc.span(("is_sandbox",)).col) == at(text, text.rindex("false"))
    assert (doc.key_span(("is_sandbox",)).line, doc.key_span(("is_sandbox",)).col) == at(text, text.index('"is_sa'))
    assert (doc.span(("edges",)).line, doc.span(("edges",)).col) == at(text, text.index("[", text.index('"edges"')))


@pytest.mark.parametrize("character", ["\x7f", "\x80", "\x9f", "\ufffe", "\uffff"])
def test_raw_del_c1_and_noncharacters_in_a_string(tmp_path, character):
    """JSON strings may hold any character but `"`, `\\` and C0 controls, written raw (YAML refused these)."""
    text = PRETTY.replace('"e0"', f'"e{character}0"')
    path = write(tmp_path, "w.json", text)
    result = lint(path)
    assert result.exit_code == 0, result.output
    assert "YAML" not in result.output
    doc, _ = load_text(text, str(path))
    assert doc is not None and doc.data["edges"][0]["edge_id"] == f"e{character}0"


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029"])
def test_raw_nel_ls_and_ps_keep_their_value(tmp_path, monkeypatch, character):
    """A raw NEL in a string was read as a space: graphc showed `ETH USD` and `plan -o` stored it, so it would
    send a symbol other than the file's. JSON keeps the character: in a node id it is sent as written, and in a
    symbol it is the GC103 of a control or invisible character (audit wirelint23 3), which a space would not be."""
    monkeypatch.chdir(tmp_path)
    text = PRETTY.replace('"node_id": "spot"', f'"node_id": "spot{character}1"')
    text = text.replace('"from_node": "spot"', f'"from_node": "spot{character}1"')
    path = write(tmp_path, "w.json", text)
    result = CliRunner().invoke(cli, ["plan", "-o", "w.plan", str(path)])
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "w.plan").read_text(encoding="utf-8"))
    assert json.loads(plan["wire"])["nodes"][0]["node_id"] == f"spot{character}1"
    symbol = write(tmp_path, "s.json", PRETTY.replace('"ETH-USD"', f'"ETH{character}USD"', 1))
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(symbol)])
    assert result.exit_code == 1 and f"invisible character, U+{ord(character):04X}" in result.output, result.output


@pytest.mark.parametrize("character", ["\x85", "\u2028", "\u2029"])
def test_a_finding_after_nel_ls_or_ps_inside_a_string(tmp_path, character):
    """NEL, LS and PS do not break lines where graphc counts lines (LF, CRLF, CR: as GitHub and editors do): a
    finding after one is on the line an editor shows, and the code frame shows that line."""
    text = PRETTY.replace('"ETH-USD"', f'"ETH{character}USD"', 1).replace('"aggressive_chase"', '"aggressive"')
    path = write(tmp_path, "w.json", text)
    result = lint(path)
    assert result.exit_code == 1, result.output
    line, col = at(text, text.index('"aggressive"'))
    assert line == text[: text.index('"aggressive"')].count("\n") + 1  # LF alone counts
    assert f"{path}:{line}:{col}: error GC103 `nodes.1.execution.policy: aggressive`" in result.stdout
    assert f'{line} |         "policy": "aggressive"' in result.stdout


def test_a_large_text_is_placed_by_the_position_tree(tmp_path):
    """A text over MAX_REPLAY_CHARS keeps no events: its positions are made by reading it again."""
    graph = json.loads(json.dumps(GRAPH))
    graph["nodes"][0]["label"] = "é" * 10
    for i in range(400):
        node = json.loads(json.dumps(GRAPH["nodes"][1]))
        node["node_id"] = f"h{i}\U0001f501"
        graph["nodes"].append(node)
    graph["nodes"][-1]["execution"]["tif"] = "gtc"
    text = json.dumps(graph, indent="\t")
    assert len(text) > MAX_REPLAY_CHARS and "\\ud83d" in text
    doc, diagnostics = load_text(text, "big.json")
    assert diagnostics == [] and doc is not None
    where = text.rindex('"gtc"')
    span = doc.span(("nodes", 401, "execution", "tif"))
    assert (span.line, span.col) == at(text, where)
    assert (span.end_line, span.end_col) == at(text, where + 5)


# -- duplicate keys and limits on the same path --------------------------------------------------------------


def test_a_duplicate_key_in_text_only_json_reads():
    text = PRETTY.replace('"side": "sell"', '"side": "sell",\n      "side": "buy"').replace(
        "hedge", "hedge\\ud83d\\udd01"
    )
    doc, diagnostics = load_text(text, "w.json")
    assert doc is None
    [d] = diagnostics
    assert d.code == "GC101" and "duplicate key 'side'" in d.message
    assert (d.span.line, d.span.col) == at(text, text.index('"side": "buy"', text.index('"sell"')))


def test_limits_on_text_only_json_reads():
    deep = "[" * 101 + '"\\ud83d\\udd01"' + "]" * 101
    doc, [d] = load_text(deep, "w.json")
    assert doc is None and d.code == "GC100" and "nesting deeper than 100 levels" in d.message
    assert (d.span.line, d.span.col) == (1, 101)
    long = '{"a": "\\ud83d\\udd01", "b": "' + "x" * 100_001 + '"}'
    doc, [d] = load_text(long, "w.json")
    assert doc is None and d.code == "GC100" and "over the 100,000 limit" in d.message
    assert (d.span.line, d.span.col) == at(long, long.index('"x'))
    key = '{"\\ud83d\\udd01": 1, "' + "k" * 2000 + '": 2}'  # a long key is JSON (YAML keys stop at 1024)
    doc, diagnostics = load_text(key, "w.json")
    assert diagnostics == [] and doc is not None and list(doc.data) == ["\U0001f501", "k" * 2000]
    huge = '{"a": "\\ud83d\\udd01", "b": 1e99999999999999999999}'  # no exact value
    doc, [d] = load_text(huge, "w.json")
    assert doc is None and d.code == "GC100" and "out of range" in d.message
    assert (d.span.line, d.span.col) == at(huge, huge.index("1e9"))


# -- the same positions as YAML's, for every text only JSON reads ------------------------------------------------

_REFUSED_BY_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")  # raw characters libyaml's reader refuses
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _as_yaml_reads(text: str) -> str:
    """``text`` with what YAML cannot read replaced by something as long (a surrogate escape by `\\u0041`, a
    character libyaml refuses by `x`): the same layout, which YAML reads."""
    return _SURROGATE.sub("\\\\u0041", _REFUSED_BY_YAML.sub("x", text))


def _pairs(a, b, path_a=(), path_b=()):
    """The paths of two values of the same shape, side by side (their keys may differ)."""
    yield path_a, path_b
    if isinstance(a, dict):
        assert isinstance(b, dict) and len(a) == len(b)
        for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True):
            yield from _pairs(va, vb, (*path_a, ka), (*path_b, kb))
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for i, (va, vb) in enumerate(zip(a, b, strict=True)):
            yield from _pairs(va, vb, (*path_a, i), (*path_b, i))


def check_json_reading(text: str) -> bool:
    """load_text of ``text`` as a `.json` file gives json's values and, where it places them, YAML's places
    (False: YAML cannot read even the text of the same layout, e.g. two keys it reads alike)."""
    doc, diagnostics = load_text(text, "g.json")
    assert diagnostics == [] and doc is not None
    assert _typed(doc.data) == _typed(json.loads(text.removeprefix("\ufeff"), parse_float=Decimal))
    yaml_doc = _full_composer(_as_yaml_reads(text))
    if yaml_doc is None:
        return False
    for path, yaml_path in _pairs(doc.data, yaml_doc.data):
        assert doc.span(path) == yaml_doc.span(yaml_path), path
        assert doc.key_span(path) == yaml_doc.key_span(yaml_path), path
    again, _ = load_text(text, "g.json")  # the flattened tables say the same
    assert again is not None
    for path, yaml_path in _pairs(doc.data, yaml_doc.data):
        assert again.spans[path] == yaml_doc.span(yaml_path), path
    # the tree made in one pass is the full composer's of the text's events (which place GC101 and the limits)
    composer = _Composer(MAX_DEPTH, MAX_NODES, MAX_TOTAL_NODES)
    composer.run(_json_events(text).__next__)
    assert _flatten(_json_tree(text)) == _flatten(composer.tree)
    return True


_CHARS = st.characters(blacklist_categories=("Cs",))  # any character a UTF-8 file can hold
_SPECIAL = st.sampled_from(["\U0001f501", "é", "\x85", "\u2028", "\u2029", "\x7f", "\x9f", "\ufeff", '"', "\\", "\t"])
_TEXT = st.lists(st.one_of(_CHARS, _SPECIAL), max_size=6).map("".join)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=25,
)


@FUZZ
@given(_VALUES.filter(lambda v: isinstance(v, (dict, list))), st.integers(0, 5))
def test_json_only_texts_are_placed_as_yaml_places_their_layout(value, layout):
    text = [
        lambda: json.dumps(value),  # \uXXXX escapes, surrogate pairs among them
        lambda: json.dumps(value, ensure_ascii=False),  # raw characters
        lambda: json.dumps(value, ensure_ascii=False, indent=2),
        lambda: json.dumps(value, ensure_ascii=False, indent="\t").replace("\n", "\r\n"),
        lambda: json.dumps(value, indent=1).replace("\n", "\r"),
        lambda: json.dumps(value, ensure_ascii=False, separators=(" ,\t", " :  ")),
    ][layout]()
    assume(check_json_reading(text))


@pytest.mark.parametrize(
    "text",
    [
        PRETTY,
        COMPACT,
        PRETTY.replace("hedge", "hedge\\ud83d\\udd01"),
        PRETTY.replace("ETH-USD", "ETH\x85USD"),
        PRETTY.replace("ETH-USD", "ETH\u2028USD\u2029").replace("\n", "\r\n"),
        "\ufeff" + PRETTY.replace("spot", "sp\x7fot"),  # a BOM (standard input read as text keeps it)
        '[1, "\\ud83d\\ude00", {"\\u00e9\\ud83d\\ude00": [true, null, -0, 1E5, 1.50]}]',
    ],
)
def test_cases_are_placed_as_yaml_places_their_layout(text):
    assert check_json_reading(text)


# -- json decides: whatever it refuses is GC100 at its place, whatever it reads is read --------------------------


@FUZZ
@given(st.integers(0, len(COMPACT) - 1), st.sampled_from(["", ",", "'", "]", "}", ":", "0", "x", " ", "\x85", "é"]))
def test_json_decides_what_a_json_file_holds(at_index, inserted):
    """A character dropped or put in anywhere: GC100 exactly where json stops, or the values json reads."""
    text = COMPACT[:at_index] + inserted + COMPACT[at_index + (0 if inserted else 1) :]
    doc, diagnostics = load_text(text, "w.json")
    keys_repeat = []
    try:
        expected = json.loads(text, parse_float=Decimal, object_pairs_hook=lambda pairs: _object(pairs, keys_repeat))
    except json.JSONDecodeError as exc:
        assert doc is None
        [d] = diagnostics
        assert d.code == "GC100" and d.message.startswith("not valid JSON: ") and d.hint
        assert (d.span.line, d.span.col) == at(text, exc.pos)
        return
    if keys_repeat:
        assert doc is None and [d.code for d in diagnostics] == ["GC101"]
        return
    assert doc is not None and _typed(doc.data) == _typed(expected), diagnostics


def _object(pairs: list, keys_repeat: list) -> dict:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        keys_repeat.append(pairs)
    return mapping


# -- a finding in a large graph is placed without reading the whole text again ----------------------------------


def _large_graph(count: int) -> dict:
    graph = json.loads(json.dumps(GRAPH))
    for i in range(count):
        node = json.loads(json.dumps(GRAPH["nodes"][1]))
        node["node_id"] = f"h{i}"
        graph["nodes"].append(node)
    return graph


@pytest.mark.parametrize(
    "layout",
    [
        lambda g: json.dumps(g, separators=(",", ":")),  # what the JSON fast pass reads
        lambda g: json.dumps(g, indent="\t"),  # tabs: what JSON alone reads (the fast pass declines them)
        lambda g: json.dumps(g, indent=1, ensure_ascii=False).replace('"hedge"', '"hedgé"').replace("\n", "\r\n"),
    ],
)
def test_one_finding_in_a_large_json_text_makes_no_position_tree(layout):
    """Placing a finding near the start of a large graph read as JSON walked the whole text again (a 20,000-node
    graph with one GC408 warning linted in 1.04 s, the same graph clean in 0.15 s): the places now come from the
    text itself, found by walking to the path asked for; they are the places the whole tree gives."""
    text = layout(_large_graph(3000))
    assert len(text) > MAX_REPLAY_CHARS
    doc, diagnostics = load_text(text, "big.json")
    assert diagnostics == [] and doc is not None
    tree = Document._from_tree("big.json", text, doc.data, _json_tree(text))
    paths = [("nodes", 1, "side"), ("nodes", 1, "execution", "policy"), ("nodes", 1, "nope"), ("edges", 0), ()]
    paths += [("nodes", True, "side"), ("nodes", 1.0)]  # (True == 1 and 1.0 == 1: neither is a list index)
    for path in paths:
        assert doc.span(path) == tree.span(path), path
        assert doc.key_span(path) == tree.key_span(path), path
    where = text.index('"sell"')
    assert (doc.span(("nodes", 1, "side")).line, doc.span(("nodes", 1, "side")).col) == at(text, where)
    assert doc._root is None  # no tree of the whole text was made
    index = doc._index
    assert index is not None and index.lines.starts is not None  # many places: one table of line starts (counting
    #                                                               the lines before each place was quadratic)
    assert doc.span(("nodes", 3001, "quantity")) == tree.span(("nodes", 3001, "quantity"))  # the last node
    assert doc.span(("nodes", 3002)) == tree.span(("nodes",))  # past the end: the list itself
    assert doc._root is None


@FUZZ
@given(_VALUES.filter(lambda v: isinstance(v, (dict, list))), st.integers(0, 5), st.randoms(use_true_random=False))
def test_json_places_found_by_walking_are_the_trees(value, layout, random):
    """Every path (and paths that are not there: the nearest ancestor's place), asked in any order, is placed
    where the one-pass tree places it."""
    text = [
        lambda: json.dumps(value),
        lambda: json.dumps(value, ensure_ascii=False),
        lambda: json.dumps(value, ensure_ascii=False, indent=2),
        lambda: json.dumps(value, ensure_ascii=False, indent="\t").replace("\n", "\r\n"),
        lambda: "\ufeff" + json.dumps(value, indent=1).replace("\n", "\r"),
        lambda: json.dumps(value, ensure_ascii=False, separators=(" ,\t", " :  ")),
    ][layout]()
    doc, diagnostics = load_text(text, "g.json")
    assert diagnostics == [] and doc is not None
    assert doc._json or doc._events is not None  # placed from the text read as JSON, or from kept YAML events
    tree = Document._from_tree("g.json", text, doc.data, _json_tree(text))
    paths = [path for path, _ in _pairs(doc.data, doc.data)]
    paths += [(*path, "missing") for path in paths] + [(*path, 7) for path in paths] + [(*path, -1) for path in paths]
    random.shuffle(paths)
    for path in paths:
        assert doc.span(path) == tree.span(path), path
        assert doc.key_span(path) == tree.key_span(path), path
