"""Messages that say what is wrong and how to fix it (audits ux.md finding 4, compile.md findings 4, 5 and 7).

Each case was a misleading message on main: a quoted version reported as the number, a raw regex for `tif`
and leg ids, a leg id reported twice (once under another leg), a quoted `sandbox` not called quoted, a tab
indent not named, decompile blaming a `None` it wrote itself, and fmt saying a file that parses cannot be parsed.
Lines and columns are counted by hand in the texts below (1-based).
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.fmt import FormatError, format_text
from graphc.pipeline import compile_text

HEAD = "graphc: 1\nname: t\nlegs:\n"


def _errors(text: str):
    return [d for d in compile_text(text, "t.yaml").diagnostics if d.is_error]


def _only(text: str):
    errors = _errors(text)
    assert len(errors) == 1, errors
    return errors[0]


def test_quoted_version_is_called_text_not_the_number():
    found = _only('graphc: "1"\nname: t\nlegs:\n  a: {buy: 1, symbol: ETH-USD}\n')
    assert found.code == "GC110"
    assert (found.span.line, found.span.col) == (1, 9)
    assert "the text '1'" in found.message and "not the number 1" in found.message
    assert "unsupported playbook version `graphc: 1`" not in found.message  # the old, self-contradicting words
    assert "without quotes" in found.hint


def test_unsupported_number_version_keeps_its_message():
    found = _only("graphc: 2\nname: t\nlegs:\n  a: {buy: 1, symbol: ETH-USD}\n")
    assert found.code == "GC110"
    assert found.message == "unsupported playbook version `graphc: 2`; this graphc reads version 1"


def test_tif_outside_its_vocabulary_is_said_in_words():
    found = _only(HEAD + "  a: {buy: 1, symbol: ETH-USD, tif: day}\n")
    assert found.code == "GC103"
    assert (found.span.line, found.span.col) == (4, 37)  # `day`
    assert found.message == "`legs.a.tif: day` is not one of GTC, IOC, FOK"
    assert "does not match" not in found.message and "[Gg]" not in found.message
    assert found.hint is not None and "`GTC`" in found.hint and "letter case" in found.hint


def test_tif_typo_gets_did_you_mean():
    found = _only(HEAD + "  a: {buy: 1, symbol: ETH-USD, tif: IOK}\n")
    assert "did you mean 'IOC'" in found.message or "did you mean 'FOK'" in found.message


def test_playbook_name_pattern_is_said_in_words():
    found = _only("graphc: 1\nname: My Name\nlegs:\n  a: {buy: 1, symbol: ETH-USD}\n")
    assert found.code == "GC103"
    assert "does not match" not in found.message
    assert "lower-case letters, digits" in found.message


def test_invalid_leg_id_reported_once_at_its_key_in_words():
    found = _only(HEAD + "  first: {buy: 1, symbol: ETH-USD}\n  my leg: {buy: 1, symbol: ETH-USD}\n")
    assert found.code == "GC103"
    assert (found.span.line, found.span.col) == (5, 3)  # `my leg:`, not `first:` (line 4)
    assert "leg id 'my leg'" in found.message and "letters, digits" in found.message
    assert "does not match" not in found.message


def test_invalid_for_each_leg_id_reported_once_at_the_item():
    text = HEAD + '  first: {buy: 1, symbol: ETH-USD}\n  s:\n    for_each: ["a b"]\n    buy: 1\n    symbol: ETH-USD\n'
    found = _only(text)
    assert found.code == "GC103"
    assert (found.span.line, found.span.col) == (6, 16)  # the item "a b" that made the id `s-a b`
    assert "leg id 's-a b'" in found.message and "for_each" in found.message
    assert "does not match" not in found.message


def test_invalid_for_each_leg_id_from_a_template_points_at_the_template_text():
    text = HEAD + "  s:\n    for_each: \"{{ ['ok', 'x y'] }}\"\n    buy: 1\n    symbol: ETH-USD\n"
    found = _only(text)
    assert (found.span.line, found.span.col) == (5, 15)  # the `{{ }}` text that listed the item
    assert "leg id 's-x y'" in found.message


def test_invalid_for_each_leg_key_reported_once_at_the_key():
    found = _only(HEAD + "  my s:\n    for_each: 2\n    buy: 1\n    symbol: ETH-USD\n")  # not once per copy
    assert (found.span.line, found.span.col) == (4, 3)
    assert "leg id 'my s'" in found.message


def test_invalid_param_name_reported_once_in_words():
    found = _only("graphc: 1\nname: t\nparams:\n  a b: {default: 1}\nlegs:\n  a: {buy: 1, symbol: ETH-USD}\n")
    assert "does not match" not in found.message
    assert (found.span.line, found.span.col) == (4, 3)


def test_quoted_sandbox_is_called_quoted():
    found = _only('graphc: 1\nname: t\nsandbox: "false"\nlegs:\n  a: {buy: 1, symbol: ETH-USD}\n')
    assert found.code == "GC103"
    assert (found.span.line, found.span.col) == (3, 10)
    assert "quoted" in found.message and "text 'false'" in found.message
    assert "remove the quotes" in found.hint and "`sandbox: false`" in found.hint


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        (HEAD + "  a:\n\tbuy: 1\n", 5, 1),
        (HEAD + "  a:\n    buy: 1\n  \tsymbol: ETH-USD\n", 6, 3),  # two spaces, then the tab
    ],
)
def test_tab_indent_is_named_with_its_place(text, line, col):
    found = _only(text)
    assert found.code == "GC100"
    assert (found.span.line, found.span.col) == (line, col)
    assert f"a tab at line {line}, column {col}" in found.message
    assert "spaces" in found.message and "spaces" in found.hint


# -- decompile: wire nodes without instrument.type / activation (spec GC111) ---------------------------------

_NODE = {
    "side": "buy",
    "order_type": "market",
    "quantity": {"fixed": {"qty_1e8": 100000000}},
    "execution": {"policy": "sor"},
}


def _wire_without_defaults() -> dict:
    return {
        "nodes": [
            {"node_id": "a", "instrument": {"symbol": "ETH-USD"}, **_NODE},  # no type, no activation
            {"node_id": "b", "instrument": {"symbol": "ETH-USD-PERP", "venue": "hyperliquid"}, **_NODE},
            {"node_id": "c", "instrument": {"symbol": "ETH-USD", "type": "spot"}, **_NODE, "activation": "wait"},
        ],
        "edges": [
            {"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": "on_full_fill"},
            {"edge_id": "e1", "from_node": "a", "to_node": "c", "trigger": "on_full_fill"},
        ],
        "is_sandbox": True,
    }


def test_decompile_fills_in_type_and_activation_as_the_router_reads_them(tmp_path):
    path = tmp_path / "w2.json"
    path.write_text(json.dumps(_wire_without_defaults()))
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 0, result.output
    assert "None" not in result.output
    assert "instrument.type" in result.output and "spot" in result.output  # the notes say what was assumed
    assert "activation" in result.output
    playbook = result.stdout
    built = compile_text(playbook, "back.yaml")
    assert not [d for d in built.diagnostics if d.is_error], built.diagnostics
    nodes = {node["node_id"]: node for node in built.wire["nodes"]}
    # the router's reading (spec GC111): no type -> spot; no activation -> root without incoming edges, else wait
    assert nodes["a"]["instrument"]["type"] == "spot" and nodes["a"]["activation"] == "root"
    assert nodes["b"]["instrument"]["type"] == "spot" and nodes["b"]["activation"] == "wait"
    assert nodes["c"]["activation"] == "wait"


def test_decompile_reads_an_untyped_polymarket_url_as_prediction_as_the_router_does(tmp_path):
    # audit wire18 4: a Polymarket URL or slug without instrument.type is normalized to prediction by the router
    # (orders-and-execution-graphs.md, Node Fields): the playbook must not say `type: spot`
    node = {"node_id": "p", "instrument": {"symbol": "will-it-rain:yes", "venue": "polymarket"}, **_NODE}
    node["quantity"] = {"fixed": {"qty_1e8": 500000000}}
    node["order_type"] = {"limit": {"price_1e9": 500000000}}
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"nodes": [node], "edges": [], "is_sandbox": True}))
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 0, result.output
    assert "type:" not in result.stdout  # prediction: inferred from the symbol and the venue
    assert (
        "graphc: note: node 'p' has no instrument.type; the playbook reads it as the router does, as prediction "
        "(the router normalizes a Polymarket URL or slug, and a symbol pinned to polymarket, to prediction)"
    ) in result.stderr
    built = compile_text(result.stdout, "back.yaml")
    assert built.wire["nodes"][0]["instrument"] == {
        "symbol": "will-it-rain:yes",
        "type": "prediction",
        "venue": "polymarket",
    }


# -- fmt: a reorder that would put an alias before its anchor -------------------------------------------------

ANCHOR_IN_LEG = "graphc: 1\nname: anc\nlegs:\n  a: {buy: 1, symbol: ETH-USD, policy: &pol passive_limit}\ndefaults:\n  policy: *pol\n"


def test_fmt_alias_before_anchor_is_left_unchanged_and_says_why():
    assert not [d for d in compile_text(ANCHOR_IN_LEG, "anc.yaml").diagnostics if d.is_error]
    try:
        format_text(ANCHOR_IN_LEG)
    except FormatError as exc:
        message = str(exc)
    else:
        raise AssertionError("fmt reordered a file whose alias would come before its anchor")
    assert "cannot parse" not in message
    assert "left unchanged" in message and "*pol" in message and "anchor" in message


def test_fmt_cli_alias_before_anchor_is_a_note_file_untouched(tmp_path):
    path = tmp_path / "anc.yaml"
    path.write_text(ANCHOR_IN_LEG)
    result = CliRunner().invoke(cli, ["fmt", str(path)])
    # a valid playbook fmt cannot reorder safely: left as it is with a note, not a failure (audit fmtdec #3:
    # `fmt --check` must not fail for ever on a file lint accepts)
    assert result.exit_code == 0
    assert "graphc: note: " in result.output and "*pol" in result.output and "left unchanged" in result.output
    assert path.read_text() == ANCHOR_IN_LEG


# -- audit price.md finding 6: unit and price messages that named the wrong problem --------------------------


def _quoted(text: str):
    """The errors of ``text`` compiled with a quote for ETH-USD and SOL-PERP (no tick for SOL-PERP)."""
    from graphc.pipeline import CompileOptions
    from graphc.quotes import Quote

    quotes = {"ETH-USD": Quote(bid=D("2000"), ask=D("2000.5")), "SOL-PERP": Quote(bid=D("150"), ask=D("150.1"))}
    return [d for d in compile_text(text, "t.yaml", CompileOptions(quotes=quotes)).diagnostics if d.is_error]


def test_a_negative_notional_is_called_negative_not_small():
    [found] = _quoted(HEAD + '  a: {buy: "-$5", symbol: ETH-USD}\n')
    assert (found.code, found.message) == ("GC103", "notional '-$5' must be positive")  # was "buys less than one lot"


def test_a_suffix_after_a_space_is_explained():
    [found] = _quoted(HEAD + '  a: {buy: "1.5 m", symbol: ETH-USD}\n')
    assert found.code == "GC105"  # was "quantity '1.5 m' is in M but ETH-USD trades ETH"
    assert found.message == "quantity '1.5 m': `m` after a space is read as an asset, not as a multiplier"
    assert found.hint == "write `1.5m` (no space) for a multiple, or `1.5 ETH`"


def test_a_tick_offset_with_a_quote_but_no_tick_names_the_tick_not_the_quote():
    # Hyperliquid prices go by significant figures: no tick is known, but the quote is there
    [found] = _quoted(HEAD + "  a: {buy: 1, symbol: SOL-PERP, venue: hyperliquid, limit: mid + 1 tick}\n")
    assert found.code == "GC109" and "needs a quote" not in found.message
    assert (
        found.message == "`limit: mid + 1 tick` on SOL-PERP: 'mid + 1 tick' needs the market's tick, which is unknown"
    )
    assert "tick" in found.hint and "bps" in found.hint


def test_arithmetic_on_a_price_param_says_price_params_are_text():
    text = 'graphc: 1\nname: t\nparams:\n  px: {type: price, default: 2000}\nlegs:\n  a: {buy: 1, symbol: ETH-USD, limit: "{{ px * 1.01 }}"}\n'
    [found] = _errors(text)
    assert found.code == "GC107" and "TypeError" not in found.message  # was Python's "can't multiply sequence"
    assert "`*` cannot combine text '2000' and a number" in found.message
    assert "price params are text" in found.hint and "`number`" in found.hint


@pytest.mark.parametrize(
    ("leg", "why", "hint"),
    [
        # audit walk.md 3: a prediction leg copied from a crypto leg kept `type: spot`; the hint said "write the
        # size in FED" (an outcome sized in "FED" units)
        (
            '{buy: 10 shares, symbol: "fed-cut:no", type: spot, limit: 0.5}',
            "fed-cut:no is a polymarket market, but `type: spot` makes it spot",
            "drop the `type:` line (graphc infers prediction from the symbol) or write `type: prediction`",
        ),
        (
            "{buy: 10 contracts, symbol: KXFED-26DEC-C25, type: perp, limit: 0.5}",
            "KXFED-26DEC-C25 is a kalshi market, but `type: perp` makes it perp",
            "drop the `type:` line (graphc infers prediction from the symbol) or write `type: prediction`",
        ),
        (
            "{buy: 10 contracts, symbol: FED-23DEC-T3.00, limit: 0.5}",  # a ticker graphc cannot tell from spot
            "graphc reads FED-23DEC-T3.00 as spot",
            "if FED-23DEC-T3.00 is a prediction market, pin `venue: polymarket` or `venue: kalshi`; "
            "else write the size in FED",
        ),
    ],
)
def test_shares_on_a_leg_read_as_spot_say_why_and_how_to_fix(leg, why, hint):
    found = _only(HEAD + f"  a: {leg}\n")
    assert found.code == "GC105" and found.message.endswith(f"shares/contracts are for prediction legs; {why}")
    assert found.hint == hint


@pytest.mark.parametrize(("side", "verb", "col"), [("buy", "buys", 12), ("sell", "sells", 13)])
def test_a_notional_under_one_lot_says_what_the_leg_does(tmp_path, side, verb, col):
    """audit ci22 4: a sell leg's notional under one lot read "buys less than one lot", in compile and lint."""
    quotes = tmp_path / "q.yaml"
    quotes.write_text("BTC-USD: {bid: 97250, ask: 97251, tick: 0.01, lot: 0.001}\n")
    playbook = tmp_path / "n.yaml"
    playbook.write_text(HEAD + f"  c: {{{side}: $50, symbol: BTC-USD, venue: coinbase, limit: ask + 1000 ticks}}\n")
    said = f"n.yaml:4:{col}: error GC103 notional '$50' {verb} less than one lot (0.001) at 97261\n"
    for command in (["compile"], ["lint", "--no-cache"]):
        result = CliRunner().invoke(cli, [*command, str(playbook), "--quotes", str(quotes)])
        assert result.exit_code == 1 and said in result.output, (command, result.output)
