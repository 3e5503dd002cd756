"""Money in one report reads the same everywhere (audit desk21 1): GC301, GC503 and `graphc plan` show an amount
exactly (numbers.usd), never rounded up to a minimum or cut to cents, and GC301 says when a notional size came
under the venue's minimum because compile rounded it down to the lot.

Every figure below is worked out by hand in Decimal (the comment beside it shows how), never read off graphc."""

import re

from click.testing import CliRunner

from graphc.cli import cli

QUOTES = (
    "rain-london:yes: {bid: 0.15, ask: 0.16, tick: 0.01}\n"
    "will-btc-hit-150k-in-2026:yes: {bid: 0.072, ask: 0.074, tick: 0.001}\n"
)


def _run(tmp_path, monkeypatch, command, playbook, *args):
    (tmp_path / ".git").mkdir(exist_ok=True)  # the project's root
    (tmp_path / "q.yaml").write_text(QUOTES)
    (tmp_path / "p.yaml").write_text(playbook)
    monkeypatch.chdir(tmp_path)
    cache = ["--no-cache"] if command == "lint" else []
    return CliRunner().invoke(cli, [command, "p.yaml", "--quotes", "q.yaml", *cache, *args])


# audit desk21 p32: `buy: $1` at 0.15 beside 30 shares at 0.15, under a $5 limit
DISPLAY = """graphc: 1
name: pm-display
risk:
  max_notional: $5
legs:
  one-dollar:
    buy: $1
    symbol: rain-london:yes
    limit: 0.15
  five:
    buy: 30 shares
    symbol: rain-london:yes
    limit: 0.15
"""


def test_one_report_shows_a_notional_size_cut_to_the_lot_the_same_way_in_gc301_and_gc503(tmp_path, monkeypatch):
    # By hand (Decimal): $1 / 0.15 = 6.666... shares, rounded down to the 0.01 lot = 6.66 shares;
    # 6.66 x 0.15 = 0.999 (GC503 said "$1.00", GC301 "$0.99"); 30 x 0.15 = 4.50; 4.50 + 0.999 = 5.499 > 5,
    # 5.499 - 5 = 0.499 to cut. The smallest size on the lot that clears $1: 1 / 0.15 = 6.666..., up to the 0.01
    # lot = 6.67 (6.67 x 0.15 = 1.0005 >= 1; 6.66 x 0.15 = 0.999 < 1), above the 5-share minimum size; a notional
    # buys 6.67 shares from 1.0005 up (1.0005 / 0.15 = 6.67 exactly).
    result = _run(tmp_path, monkeypatch, "lint", DISPLAY)
    assert result.exit_code == 1, result.output
    out = result.output
    assert (
        "warning GC503 gross notional $5.499 of all legs is above risk.max_notional $5; "
        "largest legs: five $4.50, one-dollar $0.999\n" in out
    ), out
    assert "cut $0.499 from the legs" in out
    assert (
        "error GC301 Polymarket order notional $0.999 is below the $1 minimum: $1 at 0.15 buys 6.66 shares after "
        "rounding down to the 0.01-share lot; the router accepts it but it never crosses.\n" in out
    ), out
    hint = "hint: Buy at least 6.67 shares at 0.15, or write a notional of $1.0005 or more (it buys that many).\n"
    assert hint in out, out
    assert not re.search(r"\$(1\.00|0\.99)(?!\d)", out) and "least 7 shares" not in out


def test_the_hint_gives_the_venues_minimum_size_when_it_is_more_than_the_notional_needs(tmp_path, monkeypatch):
    # By hand (Decimal): $0.90 / 0.25 = 3.6 shares, on the 0.01 lot exactly, so nothing was rounded down and
    # the message says nothing of the lot; 3.6 x 0.25 = 0.9 < 1. $1 at 0.25 needs 4 shares (4 x 0.25 = 1.00),
    # under Polymarket's 5-share minimum size: the hint says 5 shares, 5 x 0.25 = 1.25.
    playbook = (
        "graphc: 1\nname: pm-min-size\nlegs:\n  a:\n    buy: $0.90\n    symbol: rain-london:yes\n    limit: 0.25\n"
    )
    result = _run(tmp_path, monkeypatch, "lint", playbook)
    assert result.exit_code == 1, result.output
    assert "Polymarket order notional $0.90 is below the $1 minimum; the router accepts it" in result.output
    assert "hint: Buy at least 5 shares at 0.25, or write a notional of $1.25 or more (it buys that many).\n" in (
        result.output
    )


def test_a_notional_under_the_minimum_before_rounding_says_what_it_bought(tmp_path, monkeypatch):
    # By hand (Decimal): $0.50 / 0.15 = 3.333..., down to the 0.01 lot = 3.33 shares; 3.33 x 0.15 = 0.4995
    result = _run(
        tmp_path,
        monkeypatch,
        "lint",
        "graphc: 1\nname: pm-half\nlegs:\n  a:\n    sell: $0.50\n    symbol: rain-london:yes\n    limit: 0.15\n",
    )
    assert (
        "Polymarket order notional $0.4995 is below the $1 minimum: $0.50 at 0.15 buys 3.33 shares after rounding "
        "down to the 0.01-share lot;" in result.output
    ), result.output
    assert "hint: Sell at least 6.67 shares at 0.15, or write a notional of $1.0005 or more" in result.output


# audit desk21 p15: template rungs and a `$5` leg on a 0.001-tick market, under a $20 limit
LADDER = """graphc: 1
name: pm-longshot-ladder
risk:
  max_notional: $20
legs:
  rung:
    for_each: [0.071, 0.070, 0.069, 0.068]
    buy: 50 shares
    symbol: will-btc-hit-150k-in-2026:yes
    limit: "{{ item }}"
  notional:
    buy: $5
    symbol: will-btc-hit-150k-in-2026:yes
    limit: 0.073
"""


def test_plan_shows_the_notionals_and_total_as_gc503_does(tmp_path, monkeypatch):
    # By hand (Decimal): $5 / 0.073 = 68.493..., down to the 0.01 lot = 68.49 shares; 68.49 x 0.073 = 4.99977
    # (plan cut it to "$4.99" beside GC503's "$5.00"). Rungs: 50 x 0.071 = 3.55, 50 x 0.070 = 3.50,
    # 50 x 0.069 = 3.45, 50 x 0.068 = 3.40, together 13.90; total 13.90 + 4.99977 = 18.89977 under $20.
    result = _run(tmp_path, monkeypatch, "plan", LADDER)
    assert result.exit_code == 0, result.output
    assert re.search(r"\nnotional +buy +68\.49 shares .* 0\.073 +\$4\.99977 ", result.output), result.output
    assert re.search(r"\nrung-0 +buy +50 shares .* 0\.071 +\$3\.55 ", result.output), result.output
    assert "total notional: $18.89977\n" in result.output

    # $18 of limit: 18.89977 > 18, so GC503 lists the same figures as the table
    over = _run(tmp_path, monkeypatch, "plan", LADDER.replace("max_notional: $20", "max_notional: $18"))
    assert (
        "gross notional $18.89977 of all legs is above risk.max_notional $18; largest legs: notional $4.99977, "
        "rung-0 $3.55, rung-1 $3.50" in over.output
    ), over.output
    assert "cut $0.89977 from the legs" in over.output  # 18.89977 - 18
    assert "total notional: $18.89977\n" in over.output
