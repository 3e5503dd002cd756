"""A size compile worked out from a notional, in GC305's TWAP hint and GC302 (audit selfcons24 2 and 4).

Compile divides a notional by the price and rounds it down to the venue's lot (spec §3.2: "the emitted notional
never exceeds what was written"), not to lot x slices, so a notional TWAP can land off the lot a slice (GC305's
warning). Its hint offers only sizes within the notional written, and the notional that buys each. GC302 on a
notional size says how the size was worked out and gives a notional that clears the minimum, in GC301's words.

Every figure below is worked out by hand in Decimal (the comment beside it shows how), never read off graphc.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from graphc.cli import cli

TWAP = """\
graphc: 1
name: f2
legs:
  a:
    buy: {size}
    symbol: {symbol}
    limit: {limit}
    policy: time_drip
    twap: {slices} slices every 10s
"""


def _run(tmp_path, monkeypatch, command, playbook, quotes="", toml="", *args):
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "graphc.toml").write_text(toml)
    (tmp_path / "q.yaml").write_text(quotes)
    (tmp_path / "p.yaml").write_text(playbook)
    monkeypatch.chdir(tmp_path)
    extra = ["--no-cache"] if command == "lint" else []
    given = ["--quotes", "q.yaml"] if quotes else []
    return CliRunner().invoke(cli, [command, "p.yaml", *given, *extra, *args])


def _qty(result) -> int:
    (node,) = json.loads(result.output)["nodes"]
    return node["quantity"]["fixed"]["qty_1e8"]


def test_a_notional_twap_off_the_lot_a_slice_is_offered_only_sizes_within_the_notional(tmp_path, monkeypatch):
    # The report's repro. By hand: $10 / 0.40 = 25 contracts, on Kalshi's whole-contract lot; 25 / 2 = 12.5 a
    # slice. On a multiple of 2 contracts: 24 ($9.60) or 26 ($10.40 > $10, over the notional written).
    playbook = TWAP.format(size="$10", symbol="KXFED-26DEC-T4.25", limit="0.40", slices=2)
    quotes = "KXFED-26DEC-T4.25: {bid: 0.40, ask: 0.41}\n"
    compiled = _run(tmp_path, monkeypatch, "compile", playbook, quotes)
    assert compiled.exit_code == 0, compiled.output
    assert _qty(compiled) == 2_500_000_000  # compile is unchanged: rounded down to the lot (spec §3.2)
    result = _run(tmp_path, monkeypatch, "lint", playbook, quotes)
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "warning GC305 25 contracts in 2 TWAP slices is 12.5 contracts a slice, not a whole number of contracts; "
        "kalshi trades whole contracts (each slice is an order)" in out
    ), out
    # before: "use 24 or 26 contracts", 26 being $10.40, over the $10 written
    assert (
        "hint: use 24 contracts (whole contracts in each of 2 slices), or write a notional of $9.60 (it buys that "
        "many), or a slice count that divides 25 contracts into whole contracts\n" in out
    ), out
    assert "26" not in out
    assert _run(tmp_path, monkeypatch, "lint", playbook, quotes, "", "--strict").exit_code == 1


def test_the_same_on_hyperliquid_and_polymarket(tmp_path, monkeypatch):
    # By hand: $10 / 2000 = 0.005 ETH on the 0.0001 lot (szDecimals 4); 7 slices need a multiple of 0.0007:
    # 0.0049 (x 2000 = $9.80) or 0.0056 ($11.20, over $10).
    playbook = TWAP.format(size="$10", symbol="ETH-USD-PERP\n    venue: hyperliquid", limit="2000", slices=7)
    toml = '[markets."ETH-USD-PERP"]\nsz_decimals = 4\n'
    out = _run(tmp_path, monkeypatch, "lint", playbook, "", toml).output
    assert (
        "hint: use 0.0049 ETH (a multiple of 0.0001 in each of 7 slices), or write a notional of $9.80 (it buys that "
        "many), or a slice count that divides 0.005 ETH into multiples of 0.0001\n" in out
    ), out
    # By hand: $10 / 0.33 = 30.3030..., down to the 0.01 lot = 30.30 shares; 4 slices need a multiple of 0.04:
    # 30.28 (x 0.33 = $9.9924) or 30.32 ($10.0056, over $10).
    playbook = TWAP.format(size="$10", symbol="will-x:yes", limit="0.33", slices=4)
    out = _run(tmp_path, monkeypatch, "lint", playbook, "will-x:yes: {bid: 0.33, ask: 0.34, tick: 0.01}\n").output
    assert "warning GC305 30.3 shares in 4 TWAP slices is 7.575 shares a slice, not a multiple of" in out, out
    assert "hint: use 30.28 shares (a multiple of 0.01 in each of 4 slices), or write a notional of $9.9924 (it" in out


def test_a_typed_size_keeps_both_neighbours(tmp_path, monkeypatch):
    # a size written in contracts has no notional to stay within: 3 contracts in 2 slices is 2 or 4
    playbook = TWAP.format(size="3 contracts", symbol="KXFED-26DEC-T4.25", limit="0.40", slices=2)
    out = _run(tmp_path, monkeypatch, "lint", playbook).output
    assert "hint: use 2 or 4 contracts (whole contracts in each of 2 slices), or a slice count that divides 3 " in out
    assert "notional" not in out


def test_gc302_on_a_notional_size_says_how_it_was_worked_out(tmp_path, monkeypatch):
    # The report's repro. By hand: `ask + 1 tick` = 0.57 + 0.01 = 0.58; $2.85 / 0.58 = 4.9137..., down to the
    # 0.01 lot = 4.91 shares, under the 5-share minimum; 5 x 0.58 = $2.90 buys 5 shares (2.90 / 0.58 = 5 exactly),
    # and is over Polymarket's $1 minimum notional.
    playbook = 'graphc: 1\nname: f\nlegs:\n  a:\n    buy: "$2.85"\n    symbol: will-x:yes\n    limit: ask + 1 tick\n'
    quotes = "will-x:yes: {bid: 0.56, ask: 0.57, tick: 0.01}\n"
    result = _run(tmp_path, monkeypatch, "lint", playbook, quotes)
    assert result.exit_code == 1, result.output
    out = result.output
    assert (
        "error GC302 size 4.91 shares is below polymarket's minimum of 5 shares: $2.85 at 0.58 buys 4.91 shares "
        "after rounding down to the 0.01-share lot\n" in out
    ), out
    assert (
        'hint: Buy at least 5 shares (5 is polymarket\'s usual minimum; set min_size in [markets."will-x:yes"] of '
        "graphc.toml if it differs), or write a notional of $2.90 or more (it buys that many).\n" in out
    ), out


def test_gc302_notional_hint_also_clears_the_minimum_notional(tmp_path, monkeypatch):
    # By hand: $0.40 / 0.10 = 4 shares exactly (nothing rounded), under 5; 5 x 0.10 = $0.50 is under Polymarket's
    # $1 minimum notional, so the notional given is the one that clears both: $1 / 0.10 = 10 shares, $1.
    playbook = 'graphc: 1\nname: f\nlegs:\n  a:\n    buy: "$0.40"\n    symbol: will-x:yes\n    limit: 0.10\n'
    quotes = "will-x:yes: {bid: 0.09, ask: 0.11, tick: 0.01}\n"
    out = _run(tmp_path, monkeypatch, "lint", playbook, quotes).output
    assert "error GC302 size 4 shares is below polymarket's minimum of 5 shares: $0.40 at 0.1 buys 4 shares\n" in out
    assert "or write a notional of $1 or more (it buys that many).\n" in out, out


def test_gc302_on_a_typed_size_is_unchanged(tmp_path, monkeypatch):
    playbook = "graphc: 1\nname: f\nlegs:\n  a:\n    buy: 4 shares\n    symbol: will-x:yes\n    limit: 0.50\n"
    out = _run(tmp_path, monkeypatch, "lint", playbook).output
    assert "error GC302 size 4 shares is below polymarket's minimum of 5 shares\n" in out, out
    assert "notional" not in out
