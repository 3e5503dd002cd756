"""A tick or quote price the venue cannot have is a problem of graphc.toml or of the snapshot, whatever their
levels say (audit rules23 3).

A ``[venues.polymarket]`` tick of 0.005 is refused when graphc.toml is read, and a snapshot's ``bid: -1`` when the
snapshot is: errors of those files, which ``[rules]`` cannot lower nor a comment hide. The same 0.005 under
``[markets."X"]``, and a snapshot's 0.005 tick or ``ask: 41`` for a market traded as a prediction market, are
found later, when a leg trades the market there (graphc.lint.refused_ticks). They were lint findings of the
playbook, so ``GC103 = "off"`` in the same graphc.toml hid graphc.toml's own error (``GC105 = "off"`` the
snapshot's): ``lint``, ``plan`` and ``submit`` passed while ``compile`` failed. They are now errors of those files
everywhere: never lowered, turned off, deselected or suppressed, so every entry point refuses them alike.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

import graphc
from graphc.cli import cli
from graphc.submit import prepare
from tests.conftest import write

SLUG = "fed-decision-in-december-25-bps-cut:yes"
M2 = f"graphc: 1\nname: m2\nlegs:\n  entry:\n    buy: 10 shares\n    symbol: {SLUG}\n    limit: 0.555\n"
M2_TOML = f'[rules]\nGC103 = "off"\n\n[markets."{SLUG}"]\ntick = 0.005\n'
M2_SAID = (
    f'graphc.toml:5:1: error GC103 [markets."{SLUG}"] `tick` 0.005 is not a Polymarket tick (0.1, 0.01, 0.001 or '
    "0.0001), so it is not used"
)

K = "graphc: 1\nname: q-k\nlegs:\n  entry:\n    buy: 10 contracts\n    symbol: KXFEDDECISION-26DEC-C25\n    limit: 0.40\n"
QK = "KXFEDDECISION-26DEC-C25: {bid: 39, ask: 41, tick: 0.005}\n"
QK_SAID = [
    "qk.yaml:1:32: error GC105 quote KXFEDDECISION-26DEC-C25.bid: 39 is not a prediction market's price",
    "qk.yaml:1:41: error GC105 quote KXFEDDECISION-26DEC-C25.ask: 41 is not a prediction market's price",
    "qk.yaml:1:51: error GC105 quote KXFEDDECISION-26DEC-C25.tick: 0.005 is not a Kalshi tick (0.01 or 0.001)",
]


def graphc_cli(*args):
    result = CliRunner().invoke(cli, [*map(str, args)])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def m2(tmp_path, monkeypatch):
    """/tmp/rules23/M2: graphc.toml turns GC103 off and gives the market a tick Polymarket cannot have."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", M2_TOML)
    return write(tmp_path, "p.yaml", M2)


@pytest.fixture
def q(tmp_path, monkeypatch):
    """/tmp/rules23/Q: graphc.toml turns GC105 off; the snapshot gives a Kalshi market cents and a 0.005 tick."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[rules]\nGC105 = "off"\n')
    write(tmp_path, "qk.yaml", QK)
    return write(tmp_path, "k.yaml", K)


@pytest.mark.parametrize("command", [["lint", "--no-cache"], ["compile"], ["plan"], ["graph"]])
def test_a_markets_tick_the_venue_cannot_have_is_graphc_tomls_error_whatever_its_rules_say(m2, command):
    result = graphc_cli(*command, "p.yaml")
    assert result.exit_code == 1, result.output
    assert M2_SAID in result.output
    assert f"note: p.yaml:6:13: {SLUG} is traded on polymarket here" in result.output


def test_plan_says_it_is_not_ready(m2):
    result = graphc_cli("plan", "p.yaml")
    assert result.exit_code == 1 and "not ready to submit" in result.output, result.output


@pytest.mark.parametrize(
    "selection", [["--ignore", "GC103"], ["--select", "GC3"], ["--config", 'rules.GC103 = "warning"'], ["--strict"]]
)
def test_no_selection_or_level_of_the_run_lowers_it_either(m2, selection):
    data = json.loads(graphc_cli("lint", "--no-cache", "-f", "json", *selection, "p.yaml").stdout)
    assert [(d["path"], d["code"], d["severity"]) for d in data["diagnostics"]] == [("graphc.toml", "GC103", "error")]


def test_a_suppression_comment_does_not_hide_it(m2):
    m2.write_text("# graphc: ignore-file[GC103]\n" + M2.replace("limit: 0.555", "limit: 0.555  # graphc: ignore"))
    result = graphc_cli("lint", "--no-cache", "p.yaml")
    assert result.exit_code == 1 and M2_SAID in result.output, result.output


def test_the_api_refuses_it_at_every_entry_point(m2):
    linted = graphc.lint_file(m2)
    assert [(d.path, d.code, d.severity) for d in linted.diagnostics] == [("graphc.toml", "GC103", "error")]
    assert graphc.exit_code(linted) == 1
    compiled = graphc.compile_file(m2)
    assert not compiled.ok and [d.code for d in compiled.diagnostics] == ["GC103"]
    prepared = prepare(str(m2))
    assert not prepared.ready and any(d.code == "GC103" for d in prepared.result.diagnostics)


@pytest.mark.parametrize("command", [["lint", "--no-cache"], ["compile"], ["plan"], ["graph"]])
def test_a_snapshots_tick_and_prices_the_market_cannot_have_are_the_snapshots_errors(q, command):
    result = graphc_cli(*command, "k.yaml", "--quotes", "qk.yaml")
    assert result.exit_code == 1, result.output
    for said in QK_SAID:
        assert said in result.output


def test_the_api_refuses_the_snapshots_values_at_every_entry_point(q):
    linted = graphc.lint_file(q, quotes="qk.yaml")
    assert [(d.path, d.code, d.severity) for d in linted.diagnostics] == [("qk.yaml", "GC105", "error")] * 3
    assert graphc.exit_code(linted) == 1
    compiled = graphc.compile_file(q, quotes="qk.yaml")
    assert not compiled.ok and [d.code for d in compiled.diagnostics] == ["GC105"] * 3
    prepared = prepare(str(q), quotes_path="qk.yaml")
    assert not prepared.ready


def test_a_snapshot_given_as_a_mapping_is_refused_at_the_leg_whatever_the_comments_say():
    """No file to place it in: at the leg that trades the market, and a comment there does not hide it either."""
    text = K.replace("symbol: KXFEDDECISION-26DEC-C25", "symbol: KXFEDDECISION-26DEC-C25  # graphc: ignore")
    result = graphc.lint_text(text, "k.yaml", quotes={"KXFEDDECISION-26DEC-C25": {"bid": "0.39", "ask": "41"}})
    assert [(d.code, d.severity, d.span.line) for d in result.diagnostics] == [("GC105", "error", 6)]


# --- sz_decimals above its bound (audit venuenum25 2) ---------------------------------------------------------
# Hyperliquid prices have at most 6 - szDecimals decimals on a perp and 8 - szDecimals on spot (venue-rules.md §3):
# a market's szDecimals is at most 6 (perp) or 8 (spot). graphc.toml does not say which a market is, so a value above
# 8 is refused when it is read, and one above 6 where a leg trades the market as a perp. 10000000 crashed lint and
# compile (exit 4: InvalidOperation in derived_settings), and 7 to 9999999 gave "at most 0 (6 - szDecimals 100)".

HL_PERP = (
    "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1\n    symbol: X-PERP\n    venue: hyperliquid\n    limit: {limit}\n"
)
HL_SPOT = (
    "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 100\n    symbol: PURR/USDC\n    venue: hyperliquid\n    limit: {limit}\n"
)
HL_QUOTES = "X-PERP: {bid: 12.34, ask: 12.36}\nPURR/USDC: {bid: 2.49, ask: 2.51}\n"


@pytest.mark.parametrize(
    "text, symbol, value, said",
    [
        (HL_PERP, "X-PERP", 6, None),
        (HL_PERP, "X-PERP", 7, '[markets."X-PERP"] `sz_decimals` 7 is more than a perp market\'s 6, so it is not used'),
        (HL_SPOT, "PURR/USDC", 8, None),
        (HL_SPOT, "PURR/USDC", 9, '[markets."PURR/USDC"] `sz_decimals` must be at most 8, not 9'),
        (HL_PERP, "X-PERP", 10000000, '[markets."X-PERP"] `sz_decimals` must be at most 8, not 10000000'),
    ],
)
def test_sz_decimals_above_its_markets_bound_is_graphc_tomls_error(tmp_path, monkeypatch, text, symbol, value, said):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", f'[markets."{symbol}"]\nsz_decimals = {value}\n')
    write(tmp_path, "q.yaml", HL_QUOTES)
    write(tmp_path, "p.yaml", text.format(limit=12 if symbol == "X-PERP" else 1))  # whole prices: no decimals
    write(tmp_path, "t.yaml", text.format(limit="mid - 5bps"))
    for command in (["lint", "--no-cache", "p.yaml"], ["compile", "t.yaml", "--quotes", "q.yaml"]):
        result = graphc_cli(*command)
        if said is None:
            assert result.exit_code == 0 and "GC103" not in result.output, result.output
            continue
        assert result.exit_code == 1, result.output  # never 4: no internal error
        assert f"graphc.toml:2:1: error GC103 {said}\n" in result.output, result.output
        assert "at most 6 on a perp and 8 on spot" in result.output, result.output


def test_sz_decimals_of_a_venue_above_a_perps_bound_is_refused_at_the_venues_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", "[venues.hyperliquid]\nsz_decimals = 7\n")
    write(tmp_path, "p.yaml", HL_PERP.format(limit=12))
    result = graphc_cli("lint", "--no-cache", "p.yaml")
    assert result.exit_code == 1, result.output
    said = "graphc.toml:2:1: error GC103 [venues.hyperliquid] `sz_decimals` 7 is more than a perp market's 6"
    assert said in result.output, result.output
    write(tmp_path, "s.yaml", HL_SPOT.format(limit=1))  # on spot, 7 is a market's szDecimals: 8 - 7 = 1 decimal
    assert graphc_cli("lint", "--no-cache", "s.yaml").exit_code == 0


def test_derived_settings_never_raises_on_an_sz_decimals_past_decimals_range():
    from graphc.venues.settings import derived_settings

    assert "lot" not in derived_settings({"sz_decimals": 10000000})  # (refused when read: never gets here)
    assert derived_settings({"sz_decimals": 8})["lot"] == Decimal("1e-8")


# --- a minimum above its maximum (audit venuenum25 4) ---------------------------------------------------------

BINANCE = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1\n    symbol: BTCUSDT\n    venue: binance\n    limit: 15\n"


@pytest.mark.parametrize("command", [["lint", "--no-cache"], ["compile"]])
def test_a_price_min_above_price_max_is_graphc_tomls_error_not_a_gc304_on_every_leg(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[markets."BTCUSDT"]\nprice_min = 20\nprice_max = 10\n')
    write(tmp_path, "p.yaml", BINANCE)
    result = graphc_cli(*command, "p.yaml")
    assert result.exit_code == 1, result.output
    assert (
        'graphc.toml:3:1: error GC103 [markets."BTCUSDT"] `price_min` 20 is above `price_max` 10: no price is at '
        "least 20 and at most 10, so neither is used\n"
    ) in result.output, result.output
    assert "GC304" not in result.output and "range 20-10" not in result.output, result.output


def test_a_price_min_equal_to_price_max_is_one_price(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[markets."BTCUSDT"]\nprice_min = 15\nprice_max = 15\n')
    write(tmp_path, "p.yaml", BINANCE)
    assert graphc_cli("lint", "--no-cache", "p.yaml").exit_code == 0
    write(tmp_path, "p.yaml", BINANCE.replace("limit: 15", "limit: 16"))
    result = graphc_cli("lint", "--no-cache", "p.yaml")
    assert result.exit_code == 1 and "error GC304 price 16 is outside binance's range 15-15" in result.output


# audit config26 10: a market tick given with `--config KEY=VALUE` that the venue cannot have was reported at the
# graphc.toml line of the same key, which holds another (valid) value that was not used
K_TICK_SAID = (
    '--config: error GC103 [markets."KXFEDDECISION-26DEC-C25"] `tick` 0.005 is not a Kalshi tick (0.01 or 0.001), '
    "so it is not used"
)


@pytest.mark.parametrize("spelt", ["KXFEDDECISION-26DEC-C25", "kxfeddecision-26dec-c25"])
@pytest.mark.parametrize("toml", ['[markets."KXFEDDECISION-26DEC-C25"]\ntick = 0.01\n', None])
def test_a_refused_tick_given_with_config_is_the_command_lines_not_a_line_of_graphc_toml(
    tmp_path, monkeypatch, spelt, toml
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    write(tmp_path, "k.yaml", K)
    result = graphc_cli("lint", "--no-cache", "k.yaml", "--config", f'markets."{spelt}".tick = 0.005')
    assert result.exit_code == 1, result.output
    assert result.output.startswith(K_TICK_SAID + "\n"), result.output
    assert "graphc.toml:2" not in result.output and "| tick = 0.01" not in result.output, result.output
    assert "note: k.yaml:6:13: KXFEDDECISION-26DEC-C25 is traded on kalshi here" in result.output


def test_a_refused_tick_in_graphc_toml_beside_another_config_override_is_still_the_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[markets."KXFEDDECISION-26DEC-C25"]\ntick = 0.005\n')
    write(tmp_path, "k.yaml", K)
    result = graphc_cli("lint", "--no-cache", "k.yaml", "--config", 'markets."KXFEDDECISION-26DEC-C25".lot = 1')
    assert result.exit_code == 1, result.output
    assert "graphc.toml:2:1: error GC103" in result.output, result.output
