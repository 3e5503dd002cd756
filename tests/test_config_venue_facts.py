"""A graphc.toml value that loosens a venue-wide fact graphc has from venue-rules.md (audit cfg20 2).

Hyperliquid's $10 minimum order value and 5 significant figures (§3), Kalshi's whole contracts (§2), Polymarket's
$1 minimum (§0): a config value looser than the venue's is GC103 at the value, names the venue's own value and its
source, and is not used (the venue's is), so the order the venue rejects is still found. A stricter value stays
allowed; a venue graphc has no profile for is untouched.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write

HL = "graphc: 1\nname: t\nlegs:\n  a: {{buy: {size} ETH, symbol: ETH-USD-PERP, venue: hyperliquid, limit: {price}}}\n"
KX = "graphc: 1\nname: t\nlegs:\n  a: {buy: 2.5 contracts, symbol: KXFEDDECISION-26DEC-C25, limit: 0.55}\n"
PM = "graphc: 1\nname: t\nlegs:\n  a: {buy: 5 shares, symbol: 'fed-decision-in-december-25-bps-cut:yes', limit: 0.1}\n"


def lint(root, toml: str, playbook: str):
    (root / ".git").mkdir(exist_ok=True)
    write(root, "graphc.toml", toml)
    return CliRunner().invoke(cli, ["lint", "--no-cache", str(write(root, "p.yaml", playbook))])


@pytest.mark.parametrize(
    ("toml", "playbook", "said", "order"),
    [
        (
            "[venues.hyperliquid]\nmin_notional = 1\n",
            HL.format(size="0.001", price="2325.5"),
            "[venues.hyperliquid] `min_notional` 1 is looser than hyperliquid's own 10: $10 minimum order value, "
            "MinTradeNtl (venue-rules.md §3), so it is not used",
            "GC301",
        ),
        (
            "[venues.hyperliquid]\nsig_figs = 8\n",
            HL.format(size="0.01", price="2325.123"),
            "[venues.hyperliquid] `sig_figs` 8 is looser than hyperliquid's own 5",
            "GC308",
        ),
        ("[venues.kalshi]\nlot = 0.5\n", KX, "[venues.kalshi] `lot` 0.5 is looser than kalshi's own 1", "GC305"),
        (
            "[venues.polymarket]\nmin_notional = 0.25\n",
            PM,
            "[venues.polymarket] `min_notional` 0.25 is looser than polymarket's own 1: $1 minimum notional "
            "(venue-rules.md §0)",
            "GC301",
        ),
        (
            '[markets."ETH-USD-PERP"]\nmin_notional = 1\n',
            HL.format(size="0.001", price="2325.5"),
            '[markets."ETH-USD-PERP"] `min_notional` 1 is looser than hyperliquid\'s own 10',
            "GC301",
        ),
    ],
)
def test_a_looser_value_is_gc103_at_it_and_the_venues_own_is_used(tmp_path, toml, playbook, said, order):
    result = lint(tmp_path, toml, playbook)
    # before the fix: "no problems", rc 0, for orders the venue rejects
    assert result.exit_code == 1, result.output
    assert f"graphc.toml:2:1: error GC103 {said}" in result.output
    assert f'if the venue changed its rule, turn the rule off for this project (`{order} = "off"` in [rules]) and ' in (
        " ".join(result.output.split())
    )
    assert f"error {order} " in result.output  # the order is checked against the venue's own value


@pytest.mark.parametrize(
    ("toml", "playbook"),
    [
        ("[venues.hyperliquid]\nmin_notional = 20\nsig_figs = 5\n", HL.format(size="0.01", price="2325.5")),
        ("[venues.polymarket]\nmin_notional = 1\nlot = 1\n", PM.replace("0.1}", "0.3}")),
        ('[markets."KXFEDDECISION-26DEC-C25"]\nfractional = true\nlot = 0.5\n', KX),
        # a market's lot is checked against the `fractional` of its layers up to its own (audit selfcons24 1)
        ('[venues.kalshi]\nfractional = true\n[markets."KXFEDDECISION-26DEC-C25"]\nlot = 0.5\n', KX),
        ("[venues.kraken]\nmin_notional = 0.0001\n", PM.replace("0.1}", "0.3}")),
    ],
)
def test_a_stricter_value_and_an_unprofiled_venue_are_untouched(tmp_path, toml, playbook):
    result = lint(tmp_path, toml, playbook)
    assert result.exit_code == 0, result.output
    assert "GC103" not in result.output
