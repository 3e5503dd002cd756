"""A file meant as JSON must be JSON (audit wire18, finding 1).

A `.json` file, or standard input that opens as JSON does (graphc.stages.load ``_is_json``), is the router's
format (playbook-spec.md §1), and the desk's pre-submit gate lints the very file it POSTs. So strict JSON
(RFC 8259, as the router's parser reads it; Python's `json` without its NaN and Infinity) decides what such a
file may hold: anything it refuses is GC100 "not valid JSON" at the place it stopped. It used to be read by
the YAML parser whenever the JSON fast pass declined, so text that is not JSON at all (trailing commas, single
quotes, `True`, hex numbers, anchors, YAML block style) linted clean, a false pass for the gate.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write

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

# The line breaks graphc counts (the text report's code frame, suppression comments, GC112): YAML's.
LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


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
