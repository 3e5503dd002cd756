"""The router's simple order (`{symbol, side, qty, price?, venue?}`) is checked as the router's reference types it.

Audit wire18 2: `qty` and `price` went through the playbook's human-value readers, so `"1k"` was 1000 and
`"$60,000"` was 60000; an empty or 600-character symbol and an empty venue passed; errors were at 1:1 and only the
first was said. The reference's field table types `qty` and `price` as numbers and its example writes `0.1`
(orders-and-execution-graphs.md, Simple Order); the wire schema's `instrument.symbol` is 1-512 characters and
`instrument.venue` non-empty, lower-case (spec §3, §3.2).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sandbox_fixture import cli_env, run_graphc

from graphc.cli import cli
from tests.conftest import REPO, write

REFERENCE_ORDER = REPO / "tests" / "data" / "reference" / "simple-order.json"


def lint(path):
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", str(path)])
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


def pretty(tmp_path, order: dict, name: str = "order.json"):
    """``order`` written one key a line, and ``at(key)``: the line and column of its value."""
    text = json.dumps(order, indent=2)
    path = write(tmp_path, name, text)
    lines = text.splitlines()

    def at(key):
        [line] = [n for n, row in enumerate(lines, 1) if row.startswith(f'  "{key}": ')]
        return line, len(f'  "{key}": ') + 1

    return path, at


def found(diagnostics):
    return [(d["code"], d["line"], d["column"]) for d in diagnostics]


@pytest.mark.parametrize(
    "key, value",
    [
        ("qty", "1k"),
        ("qty", "1,000"),
        ("qty", "1_000"),
        ("qty", " 1 "),
        ("qty", "1e3"),
        ("qty", "0.5"),  # a number in quotes: the reference types qty as a number (docs/submitting.md)
        ("qty", "200 ETH"),
        ("qty", True),
        ("qty", [1]),
        ("price", "$60,000"),
        ("price", "60k"),
        ("price", "55c"),
        ("price", "1e4"),
        ("price", "2400.5"),
        ("price", "ask + 1 tick"),
        ("price", False),
    ],
)
def test_a_quantity_or_price_that_is_not_a_json_number_is_gc103_at_the_value(tmp_path, key, value):
    order = {"symbol": "ETH-USD", "side": "buy", "qty": 1, "price": 2400, key: value}
    path, at = pretty(tmp_path, order)
    code, diagnostics = lint(path)
    assert code == 1
    assert found(diagnostics) == [("GC103", *at(key))]
    [d] = diagnostics
    assert d["message"].startswith(f"`{key}` must be a number, not ")
    assert "playbook" in d["hint"] or "remove the quotes" in d["hint"]


def test_a_number_in_quotes_is_told_to_lose_the_quotes(tmp_path):
    path, _ = pretty(tmp_path, {"symbol": "ETH-USD", "side": "buy", "qty": " 0.5 "})
    [d] = lint(path)[1]
    assert d["message"] == "`qty` must be a number, not text (' 0.5 ')"
    assert d["hint"] == "remove the quotes: write the number 0.5 itself"


def test_human_syntax_is_never_read_as_a_human_unit(tmp_path):
    # s4.json: `plan` showed 1000 BTC at 60000 ($60,000,000)
    path = write(tmp_path, "s4.json", '{"symbol":"BTC-USD","side":"buy","qty":"1k","price":"60k"}')
    code, diagnostics = lint(path)
    assert code == 1
    assert [(d["code"], d["column"]) for d in diagnostics] == [("GC103", 40), ("GC103", 53)]
    assert [d["message"] for d in diagnostics] == [
        "`qty` must be a number, not text ('1k')",
        "`price` must be a number, not text ('60k')",
    ]
    result = CliRunner().invoke(cli, ["plan", str(path)])
    assert result.exit_code == 1 and "1000" not in result.output and "60,000,000" not in result.output


def test_every_error_of_a_simple_order_is_said_at_its_value(tmp_path):
    # s1.json: only `1:1: quantity 0 is not positive` was said, and the negative price not at all
    path, at = pretty(tmp_path, {"symbol": "BTC-USD", "side": "buy", "qty": 0, "price": -5})
    code, diagnostics = lint(path)
    assert code == 1
    assert found(diagnostics) == [("GC103", *at("qty")), ("GC103", *at("price"))]
    assert [d["message"] for d in diagnostics] == ["quantity 0 is not positive", "price -5 is not positive"]


def test_every_field_wrong_at_once(tmp_path):
    order = {"symbol": "", "side": "hold", "qty": "1k", "price": "$5", "venue": "", "note": 1}
    path, at = pretty(tmp_path, order)
    code, diagnostics = lint(path)
    assert code == 1
    assert sorted(found(diagnostics), key=lambda f: f[1:]) == [
        ("GC103", *at("symbol")),
        ("GC103", *at("side")),
        ("GC103", *at("qty")),
        ("GC103", *at("price")),
        ("GC103", *at("venue")),
        ("GC102", at("note")[0], 3),  # at the key
    ]


@pytest.mark.parametrize(
    "symbol, message",
    [
        ("", "`symbol` is empty"),
        ("   ", "`symbol` is empty"),
        ("A" * 513, "`symbol` is 513 characters; the limit is 512"),
        ("A" * 604, "`symbol` is 604 characters; the limit is 512"),
        (5, "`symbol` must be text, not a number"),
    ],
)
def test_a_symbol_empty_or_over_512_characters_is_gc103_at_the_value(tmp_path, symbol, message):
    path, at = pretty(tmp_path, {"symbol": symbol, "side": "buy", "qty": 1})
    code, diagnostics = lint(path)
    assert code == 1
    assert found(diagnostics) == [("GC103", *at("symbol"))]
    assert diagnostics[0]["message"] == message


def test_a_symbol_of_512_characters_is_accepted(tmp_path):
    path, _ = pretty(tmp_path, {"symbol": "A" * 508 + "-USD", "side": "buy", "qty": 1})
    assert [d for d in lint(path)[1] if d["severity"] == "error"] == []


@pytest.mark.parametrize("venue, message", [("", "`venue` is empty"), (5, "`venue` must be text, not a number")])
def test_an_empty_venue_is_gc103_at_the_value(tmp_path, venue, message):
    path, at = pretty(tmp_path, {"symbol": "BTC-USD", "side": "buy", "qty": 1, "venue": venue})
    code, diagnostics = lint(path)
    assert code == 1
    assert found(diagnostics) == [("GC103", *at("venue"))]
    assert diagnostics[0]["message"] == message


@pytest.mark.parametrize(
    "key, message, hint",
    [
        ("price", "`price` must be a number, not empty", "leave `price` out for a market order"),
        ("venue", "`venue` must be text, not empty", "leave `venue` out to let the router choose, or name one"),
    ],
)
def test_a_null_price_or_venue_is_gc103_at_the_value_never_a_market_order(tmp_path, key, message, hint):
    # audit wirelint23 5: `"price": null` (a generator whose price lookup failed) linted clean and was sent as
    # `"order_type": "market"`, an unbounded market buy; `"venue": null` was read as unpinned. The reference says
    # "Omit for market order" / "Omit for SOR routing": null is neither a number, a text nor an omission.
    order = {"symbol": "BTC-USD", "side": "buy", "qty": 25, "price": 60000, "venue": "coinbase", key: None}
    path, at = pretty(tmp_path, order)
    code, diagnostics = lint(path)
    assert code == 1
    assert found(diagnostics) == [("GC103", *at(key))]
    assert (diagnostics[0]["message"], diagnostics[0]["hint"]) == (message, hint)
    plan = CliRunner().invoke(cli, ["plan", str(path)])
    assert plan.exit_code == 1 and "market" not in plan.stdout, plan.output


def test_a_venue_not_in_lower_case_is_gc103_as_in_a_wire_node(tmp_path):
    # docs/playbooks.md: the router's JSON is sent as written, so `"venue": "Polymarket"` is GC103; a simple order
    # is the router's JSON too (it was lower-cased silently)
    path, at = pretty(tmp_path, {"symbol": "BTC-USD", "side": "buy", "qty": 1, "venue": "Coinbase"})
    code, diagnostics = lint(path)
    assert code == 1
    assert found(diagnostics) == [("GC103", *at("venue"))]
    assert diagnostics[0]["message"] == (
        "venue 'Coinbase' is not lower-case: the wire spells venues in lower case (playbook-spec.md §3), and the "
        "router may not know 'Coinbase'; graphc checks the node as coinbase"
    )
    assert diagnostics[0]["hint"] == 'write "coinbase"'


@pytest.mark.parametrize(
    "order, missing",
    [
        ({"symbol": "BTC-USD", "side": "buy"}, "`qty`"),
        ({"symbol": "BTC-USD", "qty": 1}, "`side`"),
        ({"side": "buy", "qty": 1, "price": 5}, "`symbol`"),
        ({"symbol": "BTC-USD", "side": "buy", "quantity": 1}, "`qty`"),
    ],
)
def test_a_simple_order_missing_a_required_field_is_gc104_naming_it(tmp_path, order, missing):
    path, _ = pretty(tmp_path, order)
    code, diagnostics = lint(path)
    assert code == 1
    gc104 = [d for d in diagnostics if d["code"] == "GC104"]
    assert [(d["line"], d["column"], d["message"]) for d in gc104] == [(1, 1, f"a simple order needs {missing}")]
    assert "GC110" not in {d["code"] for d in diagnostics}


@pytest.mark.parametrize(
    "text",
    [
        REFERENCE_ORDER.read_text(),
        '{"symbol": "ETH-USD", "side": "sell", "qty": 0.5, "price": 2400.5}',  # docs/submitting.md
        '{"symbol": "BTC-USD", "side": "buy", "qty": 1e3, "price": 6E+4, "venue": "coinbase"}',  # JSON numbers
        "symbol: BTC-USD\nside: buy\nqty: 0.1\nprice: 97000\n",  # YAML (docs/submitting.md: JSON or YAML)
    ],
)
def test_simple_orders_written_as_the_reference_writes_them_pass(tmp_path, text):
    path = write(tmp_path, "order.yaml" if text.startswith("symbol:") else "order.json", text)
    code, diagnostics = lint(path)
    assert code == 0 and [d for d in diagnostics if d["severity"] == "error"] == []


def test_decompile_refuses_a_simple_order_lint_refuses(tmp_path):
    path = write(tmp_path, "order.json", '{"symbol": "BTC-USD", "side": "buy", "qty": "1,000", "price": "$60,000"}')
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 1 and "1000" not in result.stdout


def test_submit_of_a_bad_simple_order_sends_nothing(sandbox, tmp_path):
    # s5.json: submit POSTed a graph with "symbol": "" and the sandbox router answered 400
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    for name, text in [
        ("s5.json", '{"symbol":"","side":"buy","qty":1,"price":"60k","venue":""}'),
        ("s4.json", '{"symbol":"BTC-USD","side":"buy","qty":"1k","price":"60k"}'),
        ("s7.json", json.dumps({"symbol": "A" * 604, "side": "buy", "qty": 1})),
        ("null-price.json", '{"symbol": "BTC-USD", "side": "buy", "qty": 25, "price": null, "venue": "coinbase"}'),
    ]:
        path = write(project, name, text)
        proc = run_graphc(["submit", path], cli_env(sandbox), project)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        assert " error GC103 " in proc.stderr and "graphc: refused: lint found errors" in proc.stderr
    assert sandbox.requests("POST", "/v1/orders") == []


@pytest.mark.parametrize(
    "body, words",
    [
        ({"symbol": "BTC-USD", "side": "buy", "qty": "1k"}, "`qty` must be a number"),
        ({"symbol": "", "side": "buy", "qty": 1}, "`symbol` is empty"),
    ],
)
def test_the_sandbox_router_refuses_what_lint_refuses(sandbox, body, words):
    status, answer, _ = sandbox.api("POST", "/v1/orders", body)
    assert status == 400 and words in json.dumps(answer), answer
