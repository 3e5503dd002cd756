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
        ("p.yaml", playbook, "`on_price.symbol`", "            symbol: "),
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
