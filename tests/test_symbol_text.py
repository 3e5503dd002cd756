"""A market symbol that is blank, or has whitespace around it or an invisible character in it, is GC103 at the value in
every input form, by one check (audit wirelint23 3).

A wire graph's `"symbol": "  "` linted clean and was submitted, though the same order as a playbook or a simple order
was GC103 `symbol is empty`; `"BTC-USD "`, `"\\tBTC-USD"`, `"BTC-USD\\n"`, `"BTC-USD\\u0000"` and `"BTC\\u200b-USD"`
passed in all three (a playbook sent `"BTC-USD "` as written), and every venue check became a skip, because no
venue's market is called `BTC-USD `. No symbol form of the router's reference (a pair, a slug, a token id, a URL, a
ticker) has whitespace around it or a control or invisible character. The node's symbol and an `on_price` trigger's
are both checked (graphc.venues.symbol_problem).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sandbox_fixture import cli_env, run_graphc

from graphc.cli import cli
from tests.conftest import REPO, write

FULL_GRAPH = REPO / "tests" / "data" / "reference" / "full-graph.json"

BAD = {
    "blank": ("   ", "is empty"),
    "trailing space": ("BTC-USD ", "has whitespace at its end ('BTC-USD ')"),
    "leading space": (" BTC-USD", "has whitespace at its start (' BTC-USD')"),
    "tab": ("\tBTC-USD", "has whitespace at its start ('\\tBTC-USD')"),
    "line break": ("BTC-USD\n", "has whitespace at its end ('BTC-USD\\n')"),
    "NUL": ("BTC-USD\u0000", "has a control or invisible character, U+0000 ('BTC-USD\\x00')"),
    "zero-width space": (
        "BTC\u200b-USD",
        "has a control or invisible character, U+200B ZERO WIDTH SPACE ('BTC\\u200b-USD')",
    ),
}


def _lint(path):
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", str(path)])
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


def _errors(diagnostics):
    return [(d["code"], d["line"], d["column"], d["message"]) for d in diagnostics if d["severity"] == "error"]


def _at(text: str, marker: str, then: str = "") -> tuple[int, int]:
    """The line and column just after ``marker`` on the one line of ``text`` where ``then`` follows it (where the
    value starts)."""
    [(line, row)] = [(n, row) for n, row in enumerate(text.splitlines(), 1) if marker + then in row]
    return line, row.index(marker) + len(marker) + 1


def _yaml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar with the same escapes


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_symbol_is_checked_alike_in_a_playbook_a_simple_order_and_a_wire_graph(tmp_path, case):
    symbol, what = BAD[case]
    playbook = f"graphc: 1\nname: t\nlegs:\n  a:\n    buy: 0.1\n    symbol: {_yaml(symbol)}\n    limit: 60000\n"
    order = json.dumps({"symbol": symbol, "side": "buy", "qty": 0.1, "price": 60000}, indent=2)
    graph = json.loads(FULL_GRAPH.read_text())
    graph["nodes"][0]["instrument"]["symbol"] = symbol
    wire = json.dumps(graph, indent=2)
    for name, text, field, marker in [
        ("p.yaml", playbook, "symbol", "    symbol: "),
        ("o.json", order, "`symbol`", '  "symbol": '),
        ("w.json", wire, "`nodes.0.instrument.symbol`", '        "symbol": '),
    ]:
        code, diagnostics = _lint(write(tmp_path, name, text))
        assert code == 1, (name, diagnostics)
        at = _at(text, marker, json.dumps(symbol) if name.endswith(".json") else _yaml(symbol))
        assert _errors(diagnostics) == [("GC103", *at, f"{field} {what}")], name


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_on_price_symbol_is_checked_in_a_wire_graph_and_a_playbook_edge(tmp_path, case):
    symbol, what = BAD[case]
    graph = json.loads(FULL_GRAPH.read_text())
    graph["edges"][0] = {
        "edge_id": "e0",
        "from_node": "spot",
        "to_node": "hedge",
        "trigger": {
            "on_price": {"symbol": symbol, "direction": "below", "reference": "graph_entry_price", "offset_pct": -5}
        },
    }
    wire = json.dumps(graph, indent=2)
    playbook = (
        "graphc: 1\nname: t\nlegs:\n  a: {buy: 0.1, symbol: BTC-USD, limit: 60000}\n  b:\n    sell: 0.1\n"
        "    symbol: BTC-USD\n    after:\n      - from: a\n        trigger:\n          on_price:\n"
        f"            symbol: {_yaml(symbol)}\n            direction: below\n"
        "            reference: graph_entry_price\n            offset_pct: -5\n"
    )
    for name, text, field, marker in [
        ("w.json", wire, "`edges.0.trigger.on_price.symbol`", '          "symbol": '),
        ("p.yaml", playbook, "`legs.b.after.0.trigger.on_price.symbol`", "            symbol: "),
    ]:
        code, diagnostics = _lint(write(tmp_path, name, text))
        assert code == 1, (name, diagnostics)
        assert _errors(diagnostics) == [("GC103", *_at(text, marker), f"{field} {what}")], name


@pytest.mark.parametrize("case", ["NUL", "zero-width space"])
def test_a_price_trigger_text_with_an_invisible_character_in_its_symbol_is_gc103(tmp_path, case):
    # the `after:` text form reads the symbol up to whitespace, so only a character that is not whitespace is there
    symbol, what = BAD[case]
    text = (
        "graphc: 1\nname: t\nlegs:\n  a: {buy: 0.1, symbol: BTC-USD, limit: 60000}\n  b:\n    sell: 0.1\n"
        f"    symbol: BTC-USD\n    after: {_yaml(f'a price {symbol} below entry -5%')}\n"
    )
    code, diagnostics = _lint(write(tmp_path, "p.yaml", text))
    assert code == 1
    [(rule, _, _, message)] = _errors(diagnostics)
    assert rule == "GC103" and message.endswith(f": the symbol {what}"), message


def test_the_hint_writes_the_symbol_without_what_does_not_print(tmp_path):
    graph = json.loads(FULL_GRAPH.read_text())
    graph["nodes"][0]["instrument"]["symbol"] = "\tETH\u200b-USD "
    [found] = _lint(write(tmp_path, "w.json", json.dumps(graph, indent=2)))[1]
    assert (
        found["hint"]
        == 'write "ETH-USD": a market symbol has no whitespace around it and no control or invisible character'
    )


def test_a_graph_with_a_blank_symbol_is_not_submitted_graphed_or_decompiled(sandbox, tmp_path):
    # repro blank-symbol.json: submit POSTed `"symbol": "  "` and the sandbox made a graph of it
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    graph = json.loads(FULL_GRAPH.read_text())
    graph["nodes"][0]["instrument"]["symbol"] = "  "
    graph["is_sandbox"] = True
    path = write(project, "blank.json", json.dumps(graph, indent=2))
    proc = run_graphc(["submit", path], cli_env(sandbox), project)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "error GC103 `nodes.0.instrument.symbol` is empty" in proc.stderr
    assert sandbox.requests("POST", "/v1/orders") == []
    for command in ("graph", "decompile"):
        result = CliRunner().invoke(cli, [command, str(path)])
        assert result.exit_code == 1 and "GC103 `nodes.0.instrument.symbol` is empty" in result.output, result.output


@pytest.mark.parametrize(
    "symbol",
    [
        "BTC-USD",
        "will-btc-reach-150k:yes",
        "https://polymarket.com/event/will-btc-reach-150k",
        "KXBTCD-25DEC31-T100000",
        "1" * 77,
        "A" * 508 + "-USD",
    ],
)
def test_the_symbols_the_reference_writes_pass(tmp_path, symbol):
    graph = json.loads(FULL_GRAPH.read_text())
    graph["nodes"][0]["instrument"]["symbol"] = symbol
    del graph["nodes"][0]["instrument"]["type"]  # the router reads it (GC111): no GC306 for a prediction symbol
    _, diagnostics = _lint(write(tmp_path, "w.json", json.dumps(graph, indent=2)))
    assert [d for d in _errors(diagnostics) if d[0] == "GC103"] == []


# A symbol written inside a pair of quote characters: plain, typographic, a backtick, guillemets (the two ends need not
# be the same character). graphc sends a symbol as written, so `symbol: '"BTC-USD"'` traded the market `"BTC-USD"`,
# which does not exist, and linted clean.
QUOTED = {
    "double quotes": '"BTC-USD"',
    "single quotes": "'BTC-USD'",
    "typographic quotes": "\u201cBTC-USD\u201d",
    "low and high quotes": "\u201eBTC-USD\u201c",
    "backticks": "`BTC-USD`",
    "guillemets": "\u00abBTC-USD\u00bb",
    "two pairs": '"\u201cBTC-USD\u201d"',
}
_IN_QUOTES = "is in quotes: graphc sends the symbol as written, and no market's symbol has them"


def _errors_with_hints(diagnostics):
    return [
        (d["code"], d["line"], d["column"], d["message"], d["hint"]) for d in diagnostics if d["severity"] == "error"
    ]


@pytest.mark.parametrize("case", sorted(QUOTED))
def test_a_leg_symbol_in_quotes_is_gc105_as_an_on_price_symbol_in_quotes_is(tmp_path, case):
    """A leg's own `symbol:` in quotes is judged as an on_price symbol in quotes is (graphc.venues.symbol_in_quotes):
    GC105 at the value, the hint writing the line without them."""
    symbol = QUOTED[case]
    shown = repr(symbol)
    hint = "write the symbol without quotes: `symbol: BTC-USD`"
    leg = f"graphc: 1\nname: t\nlegs:\n  a:\n    buy: 0.1\n    symbol: {_yaml(symbol)}\n    limit: 60000\n"
    in_defaults = (
        f"graphc: 1\nname: t\ndefaults:\n  symbol: {_yaml(symbol)}\nlegs:\n  a: {{buy: 0.1}}\n  b: {{buy: 0.2}}\n"
    )
    on_price = (
        "graphc: 1\nname: t\nlegs:\n  a: {buy: 0.1, symbol: BTC-USD, limit: 60000}\n  b:\n    sell: 0.1\n"
        "    symbol: BTC-USD\n    after:\n      - from: a\n        trigger:\n          on_price:\n"
        f"            symbol: {_yaml(symbol)}\n            direction: below\n"
        "            reference: graph_entry_price\n            offset_pct: -5\n"
    )
    for text, field, marker in [
        (leg, "symbol", "    symbol: "),
        (in_defaults, "symbol", "  symbol: "),  # every leg takes it: said once, at the value
        (on_price, "`legs.b.after.0.trigger.on_price.symbol`", "            symbol: "),
    ]:
        code, diagnostics = _lint(write(tmp_path, "p.yaml", text))
        assert code == 1, diagnostics
        assert _errors_with_hints(diagnostics) == [
            ("GC105", *_at(text, marker), f"{field} {shown} {_IN_QUOTES}", hint)
        ], text


@pytest.mark.parametrize("case", sorted(QUOTED))
def test_a_symbol_in_quotes_is_gc103_in_a_wire_graph_and_a_simple_order(tmp_path, case):
    """The router's JSON has no human value to read (GC105): a symbol in quotes there is an invalid value, GC103, as a
    symbol with whitespace around it is; the hint writes it without them, in JSON."""
    symbol = QUOTED[case]
    hint = 'write the symbol without quotes: "BTC-USD"'
    order = json.dumps({"symbol": symbol, "side": "buy", "qty": 0.1, "price": 60000}, indent=2)
    node = json.loads(FULL_GRAPH.read_text())
    node["nodes"][0]["instrument"]["symbol"] = symbol
    edge = json.loads(FULL_GRAPH.read_text())
    edge["edges"][0] = {
        "edge_id": "e0",
        "from_node": "spot",
        "to_node": "hedge",
        "trigger": {
            "on_price": {"symbol": symbol, "direction": "below", "reference": "graph_entry_price", "offset_pct": -5}
        },
    }
    for name, text, field, marker in [
        ("o.json", order, "`symbol`", '  "symbol": '),
        ("w.json", json.dumps(node, indent=2), "`nodes.0.instrument.symbol`", '        "symbol": '),
        ("e.json", json.dumps(edge, indent=2), "`edges.0.trigger.on_price.symbol`", '          "symbol": '),
    ]:
        code, diagnostics = _lint(write(tmp_path, name, text))
        assert code == 1, (name, diagnostics)
        at = _at(text, marker, json.dumps(symbol))
        assert _errors_with_hints(diagnostics) == [("GC103", *at, f"{field} {symbol!r} {_IN_QUOTES}", hint)], name


def test_a_symbol_of_quotes_only_gets_an_example_for_a_hint(tmp_path):
    text = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 0.1\n    symbol: '\"\"'\n    limit: 60000\n"
    [(code, _, _, message, hint)] = _errors_with_hints(_lint(write(tmp_path, "p.yaml", text))[1])
    assert (code, message) == ("GC105", f"symbol '\"\"' {_IN_QUOTES}")
    assert hint == "write the market's symbol, without quotes, e.g. `symbol: BTC-USD`"


def test_a_quote_inside_a_symbol_is_kept_in_every_input_form(tmp_path):
    """Only a pair around the symbol is the copy artefact; one inside (`it’s`) is sent as written, in a leg as in an
    on_price mapping (tests/test_triggers.py) and a wire node, so a decompiled odd symbol compiles back."""
    playbook = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 0.1\n    symbol: it\u2019s\n    limit: 60000\n"
    result = CliRunner().invoke(cli, ["compile", str(write(tmp_path, "p.yaml", playbook))])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["instrument"]["symbol"] == "it\u2019s"
    graph = json.loads(FULL_GRAPH.read_text())
    graph["nodes"][0]["instrument"]["symbol"] = "it\u2019s"
    _, diagnostics = _lint(write(tmp_path, "w.json", json.dumps(graph, indent=2)))
    assert [d for d in _errors(diagnostics) if d[0] == "GC103"] == []


def test_decompile_refuses_a_node_symbol_in_quotes_as_a_playbook_would():
    from graphc.decompile import DecompileError, decompile

    graph = json.loads(FULL_GRAPH.read_text())
    graph["nodes"][0]["instrument"]["symbol"] = "\u201cETH-USD\u201d"
    with pytest.raises(DecompileError) as refused:
        decompile(graph)
    assert refused.value.at == ("nodes", 0, "instrument", "symbol")
    assert refused.value.hint == 'write the symbol without its quotes: "ETH-USD"'
