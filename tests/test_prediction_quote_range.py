"""A quote price no prediction market can have (audit ci22 2).

venue-rules.md §0: prediction prices are dollars per share (0.01-0.99 on Kalshi and Polymarket), §4: any prediction
price is 0 < p < 1. Kalshi's older API hands out integer cents (§2: "Integer cents from 1 to 99"), so a desk that
pastes `{bid: 40, ask: 41}` into a snapshot had graphc size a `buy: $1000` at $41 a contract (24 contracts, not
2,439) and flag a valid 1,000-contract market order as $41,000 (a false GC501).

Such a `bid`, `ask`, `mid` or `last`, for a market a leg trades as a prediction market (Kalshi, Polymarket, or any
`type: prediction`), is GC105 at the value in the snapshot, with a note naming the leg, as a tick the venue cannot
have is (quotes20), and it is not used: what needed it is skipped with the reason (lint) or refused (compile, plan),
never worked out from the wrong price. From the router (`--quotes live`) it is a malformed answer, exit 3. A price
of exactly 0 stays the empty side of a one-sided book (docs/playbooks.md "The quotes snapshot").
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write

KX = "KXFEDDECISION-26DEC-C25"
K2 = f"graphc: 1\nname: k2\nrisk: {{max_notional: $5k}}\nlegs:\n  kb: {{buy: $1000, symbol: {KX}}}\n"
K3 = (
    "graphc: 1\nname: k3\nrisk: {max_notional: $5k}\nlegs:\n"
    f"  kb: {{buy: 1000 contracts, symbol: {KX}}}\n  ks: {{sell: $500, symbol: {KX}}}\n"
)
CENTS = f"{KX}: {{bid: 40, ask: 41}}\n"
ASK = (
    f"q.yaml:1:41: error GC105 quote {KX}.ask: 41 is not a prediction market's price (dollars per share, "
    "0 < p < 1), so it is not used"
)
BID = ASK.replace(":41:", ":32:").replace(".ask: 41", ".bid: 40")


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def lint_json(*args):
    result = invoke("lint", "--no-cache", "--format", "json", "--explain-skips", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_the_audit_k2_repro_is_gc105_at_the_snapshot_not_24_contracts(tmp_path):
    playbook = write(tmp_path, "k2.yaml", K2)
    quotes = write(tmp_path, "q.yaml", CENTS)
    linted = invoke("lint", "--no-cache", playbook, "--quotes", quotes)
    # before the fix: "no problems in 1 file", and compile wrote 24 contracts (qty_1e8 2400000000)
    assert linted.exit_code == 1, linted.output
    assert ASK in linted.output, linted.output
    assert "hint: looks like cents: write 0.41 (or 41c)" in linted.output
    assert f"note: {playbook}:5:28: {KX} is traded as a prediction market on kalshi here" in linted.output
    compiled = invoke("compile", playbook, "--quotes", quotes)
    assert compiled.exit_code == 1 and compiled.stdout == "", compiled.output
    assert ASK in compiled.stderr and "2400000000" not in compiled.output, compiled.output
    plan = invoke("plan", playbook, "--quotes", quotes)
    assert plan.exit_code == 1 and ASK in plan.output and "24 contracts" not in plan.output, plan.output


def test_the_audit_k3_repro_is_gc105_and_no_false_gc501(tmp_path):
    playbook = write(tmp_path, "k3.yaml", K3)
    quotes = write(tmp_path, "q.yaml", CENTS)
    linted = invoke("lint", "--no-cache", playbook, "--quotes", quotes)
    # before the fix: GC501 "order 'kb' is $41,000 notional, above risk.max_notional $5,000", and ks sized 12
    assert linted.exit_code == 1 and BID in linted.output and "GC501" not in linted.output, linted.output
    compiled = invoke("compile", playbook, "--quotes", quotes)
    assert compiled.exit_code == 1 and BID in compiled.stderr and ASK in compiled.stderr, compiled.output
    assert compiled.stderr.count("error GC105") == 2, compiled.stderr  # once a value, however many legs use it


def test_a_market_order_valued_at_a_refused_price_skips_gc501_and_says_why(tmp_path):
    playbook = write(tmp_path, "k4.yaml", K3.replace(f"  ks: {{sell: $500, symbol: {KX}}}\n", ""))
    quotes = write(tmp_path, "q.yaml", CENTS)
    data = lint_json(playbook, "--quotes", quotes)
    assert [(d["code"], d["column"]) for d in data["diagnostics"]] == [("GC105", 32), ("GC105", 41)], data
    skipped = {s["code"]: s["reason"] for s in data["files"][0]["skipped"]}
    assert skipped["GC501"] == (
        "the order's notional is unknown: it is a market order and the quote's ask for "
        f"{KX}, 41, is not used (GC105: not a prediction market's price)"
    ), skipped
    plan = invoke("plan", playbook, "--quotes", quotes)
    assert plan.exit_code == 1 and "$41,000" not in plan.output, plan.output
    compiled = invoke("compile", playbook, "--quotes", quotes)
    assert compiled.exit_code == 1 and BID in compiled.stderr and ASK in compiled.stderr, compiled.output


@pytest.mark.parametrize(
    ("ask", "shown", "hint"),
    [
        ("1", "1", "looks like cents: write 0.01 (or 1c)"),
        ("1.5", "1.5", "write the market's price in dollars per share, above 0 and below 1 (e.g. 0.55 or 55c)"),
        ("40", "40", "looks like cents: write 0.40 (or 40c)"),
        ("99.0", "99", "looks like cents: write 0.99 (or 99c)"),
        ("100", "100", "write the market's price in dollars per share, above 0 and below 1 (e.g. 0.55 or 55c)"),
    ],
)
def test_a_price_of_one_or_more_is_refused(tmp_path, ask, shown, hint):
    playbook = write(tmp_path, "k2.yaml", K2)
    quotes = write(tmp_path, "q.yaml", f"{KX}: {{bid: 0.40, ask: {ask}}}\n")
    for command in (["lint", "--no-cache"], ["compile"]):
        result = invoke(*command, playbook, "--quotes", quotes)
        assert result.exit_code == 1, (command, result.output)
        assert f"error GC105 quote {KX}.ask: {shown} is not a prediction market's price" in result.output, result.output
        assert f"hint: {hint}\n" in result.output, result.output


@pytest.mark.parametrize(("ask", "qty"), [("0.01", 100_000), ("0.99", 1010), ("99c", 1010), ("0.41", 2439)])
def test_a_price_inside_the_range_is_used(tmp_path, ask, qty):
    playbook = write(tmp_path, "k2.yaml", K2)
    quotes = write(tmp_path, "q.yaml", f"{KX}: {{bid: 0.01, ask: {ask}}}\n")
    assert lint_json(playbook, "--quotes", quotes)["diagnostics"] == []
    compiled = invoke("compile", playbook, "--quotes", quotes)
    assert compiled.exit_code == 0, compiled.output
    assert json.loads(compiled.stdout)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": qty * 10**8}}


def test_a_price_of_zero_is_still_the_empty_side_of_the_book(tmp_path):
    """0 is no price (the router's one-sided book: docs/playbooks.md), not a cents typo: it is not used either way,
    and what needs it says the side is missing (GC109), as before."""
    playbook = write(tmp_path, "k2.yaml", K2)
    quotes = write(tmp_path, "q.yaml", f"{KX}: {{bid: 0.40, ask: 0}}\n")
    compiled = invoke("compile", playbook, "--quotes", quotes)
    assert compiled.exit_code == 1 and "GC105" not in compiled.output, compiled.output
    assert f"error GC109 notional size '$1000' needs a price: no limit and {KX}'s quote has no ask" in (
        compiled.output
    ), compiled.output


def test_a_refused_last_is_not_a_template_base(tmp_path):
    playbook = write(
        tmp_path,
        "t.yaml",
        f"graphc: 1\nname: t\nlegs:\n  b: {{buy: 10 contracts, symbol: {KX}, limit: last + 1 tick}}\n",
    )
    quotes = write(tmp_path, "q.yaml", f"{KX}: {{bid: 0.40, ask: 0.41, last: 41}}\n")
    said = f"q.yaml:1:55: error GC105 quote {KX}.last: 41 is not a prediction market's price"
    for command in (["lint", "--no-cache"], ["compile"]):
        result = invoke(*command, playbook, "--quotes", quotes)
        assert result.exit_code == 1 and said in result.output, (command, result.output)
        assert "GC109" not in result.output  # the value is there: it is refused, not missing
    data = lint_json(playbook)  # without --quotes a template is skipped; with the quote, it says why
    assert data["diagnostics"] == []


def test_a_refused_mid_leaves_the_midpoint_of_the_book(tmp_path):
    """A written mid is the mid (spec §4: (bid + ask) / 2 "unless given"); refused, it is as if not given, as a
    refused tick leaves the next tick known."""
    playbook = write(
        tmp_path,
        "t.yaml",
        f"graphc: 1\nname: t\nlegs:\n  a: {{buy: 10 contracts, symbol: {KX}, limit: mid - 1 tick}}\n",
    )
    quotes = write(tmp_path, "q.yaml", f"{KX}: {{bid: 0.40, ask: 0.42, mid: 40.5}}\n")
    said = f"q.yaml:1:54: error GC105 quote {KX}.mid: 40.5 is not a prediction market's price"
    data = lint_json(playbook, "--quotes", quotes)
    assert [d["code"] for d in data["diagnostics"]] == ["GC105"] and said.split("GC105 ")[1] in (
        data["diagnostics"][0]["message"]
    ), data
    compiled = invoke("compile", playbook, "--quotes", quotes)
    assert compiled.exit_code == 1 and said in compiled.stderr, compiled.output
    fixed = write(tmp_path, "q2.yaml", f"{KX}: {{bid: 0.40, ask: 0.42}}\n")
    wire = json.loads(invoke("compile", playbook, "--quotes", fixed).stdout)
    assert wire["nodes"][0]["order_type"] == {"limit": {"price_1e9": 400_000_000}}  # 0.41 - 1 tick


@pytest.mark.parametrize(
    "leg",
    [
        "{buy: 10 contracts, symbol: FED-23DEC-T3.00, venue: kalshi, limit: 0.41}",  # a ticker without KX, pinned
        "{buy: 10 shares, symbol: FED-23DEC-T3.00, type: prediction, venue: acme, limit: 0.41}",  # any prediction
    ],
)
def test_any_market_a_leg_trades_as_a_prediction_market(tmp_path, leg):
    playbook = write(tmp_path, "p.yaml", f"graphc: 1\nname: p\nlegs:\n  a: {leg}\n")
    quotes = write(tmp_path, "q.yaml", "FED-23DEC-T3.00: {bid: 40, ask: 41}\n")
    data = lint_json(playbook, "--quotes", quotes)
    assert [d["code"] for d in data["diagnostics"] if d["code"] == "GC105"] == ["GC105", "GC105"], data
    assert invoke("compile", playbook, "--quotes", quotes).exit_code == 1


def test_other_markets_keep_their_prices(tmp_path):
    playbook = write(
        tmp_path, "e.yaml", "graphc: 1\nname: e\nlegs:\n  a: {buy: $1000, symbol: ETH-USD, venue: coinbase}\n"
    )
    quotes = write(tmp_path, "q.yaml", f"ETH-USD: {{bid: 40, ask: 41}}\n{KX}: {{bid: 40, ask: 41}}\n")
    assert lint_json(playbook, "--quotes", quotes)["diagnostics"] == []  # KX is traded by no leg here
    compiled = invoke("compile", playbook, "--quotes", quotes)
    assert compiled.exit_code == 0, compiled.output
    assert json.loads(compiled.stdout)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 2439024390}}


def test_quote_in_an_expression_refuses_a_prediction_symbols_price_too(tmp_path):
    playbook = write(
        tmp_path,
        "j.yaml",
        "graphc: 1\nname: j\nlegs:\n"
        f"  a: {{buy: \"{{{{ (1000 / quote('{KX}').ask) | round(0, 'floor') }}}} contracts\", symbol: {KX}, "
        "limit: 0.45}\n",
    )
    quotes = write(tmp_path, "q.yaml", CENTS)
    for command in (["lint", "--no-cache"], ["compile"]):
        result = invoke(*command, playbook, "--quotes", quotes)
        assert result.exit_code == 1 and "24 contracts" not in result.output, result.output
        assert f"error GC105 in `{{{{ (1000 / quote('{KX}').ask)" in result.output, result.output
        assert f"...`: quote {KX}.ask: 41 is not a prediction market's price" in result.output, result.output
        assert "hint: looks like cents: write 0.41 (or 41c)" in result.output


# -- from the router: a malformed answer, exit 3 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "leg",
    [
        f"{{buy: $1000, symbol: {KX}}}",
        "{buy: 10 contracts, symbol: FED-23DEC-T3.00, venue: kalshi, limit: 0.41}",
    ],
)
def test_a_live_quote_out_of_range_is_the_routers_failure(tmp_path, leg):
    from test_router_answers import KEY, scripted_router

    playbook = write(tmp_path, "p.yaml", f"graphc: 1\nname: p\nlegs:\n  a: {leg}\n")
    symbol = KX if KX in leg else "FED-23DEC-T3.00"
    with scripted_router() as router:
        router.script = lambda h: h.answer(200, b'{"nbbo": {"bid": 40, "ask": 41, "mid": 40.5}}')
        env = {"SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent/x"}
        for command in (["lint", "--no-cache"], ["compile"], ["plan"]):
            result = invoke(*command, playbook, "--quotes", "live", env=env)
            assert result.exit_code == 3, (command, result.output)
            assert (
                f"graphc: error: --quotes live: GET /v1/quotes?symbol={symbol}: the router's quote for {symbol} is "
                "malformed: its bid is 40: not a prediction market's price (dollars per share, 0 < p < 1)"
            ) in result.output, (command, result.output)


def test_a_live_quote_of_another_market_keeps_its_price(tmp_path):
    from test_router_answers import KEY, scripted_router

    playbook = write(tmp_path, "e.yaml", "graphc: 1\nname: e\nlegs:\n  a: {buy: $1000, symbol: ETH-USD}\n")
    with scripted_router() as router:
        router.script = lambda h: h.answer(200, b'{"nbbo": {"bid": 40, "ask": 41, "mid": 40.5}}')
        env = {"SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent/x"}
        result = invoke("compile", playbook, "--quotes", "live", env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 2439024390}}


def test_a_live_quote_first_read_for_an_expression_is_asked_again_as_a_prediction_markets(tmp_path):
    """FED-23DEC-T3.00 names no venue by its shape: graphc learns it is a prediction market only from its leg, which
    compiles once the quote() expression has its quote. It is asked for again, as a prediction market's."""
    from test_router_answers import KEY, scripted_router

    symbol = "FED-23DEC-T3.00"
    size = f"{{{{ (1000 / quote('{symbol}').ask) | round(0, 'floor') }}}} contracts"
    leg = f'{{buy: "{size}", symbol: {symbol}, venue: kalshi, limit: 0.45}}'
    playbook = write(tmp_path, "p.yaml", f"graphc: 1\nname: p\nlegs:\n  a: {leg}\n")
    with scripted_router() as router:
        router.script = lambda h: h.answer(200, b'{"nbbo": {"bid": 40, "ask": 41}}')
        env = {"SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent/x"}
        result = invoke("compile", playbook, "--quotes", "live", env=env)
        asked = [path for _, path in router.seen if path.startswith("/v1/quotes")]
    assert result.exit_code == 3 and "24" not in result.stdout, result.output
    assert f"the router's quote for {symbol} is malformed: its bid is 40: not a prediction market's price" in (
        result.output
    ), result.output
    assert len(asked) == 2, asked  # once for the expression, once more as a prediction market's


def test_a_live_prediction_quote_in_range_is_asked_once(tmp_path):
    from test_router_answers import KEY, scripted_router

    playbook = write(tmp_path, "k2.yaml", K2)
    with scripted_router() as router:
        router.script = lambda h: h.answer(200, b'{"nbbo": {"bid": "0.40", "ask": "0.41"}}')
        env = {"SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent/x"}
        result = invoke("compile", playbook, "--quotes", "live", env=env)
        asked = [path for _, path in router.seen if path.startswith("/v1/quotes")]
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 2439 * 10**8}}
    assert len(asked) == 1, asked
