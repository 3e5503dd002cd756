"""The public API gives the command line's verdict (audit api22): what `graphc compile` refuses, `compile_file` /
`compile_text` refuse too (F1)."""

from __future__ import annotations

from click.testing import CliRunner

import graphc
from graphc.cli import cli
from tests.conftest import write

# -- F1: a tick (or a quote price) the market's venue cannot have: compile's GC105 / GC103, through the API too ------

PM = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1000 shares\n    symbol: will-it-rain:yes\n    limit: {limit}\n"
BAD_TICK = "'will-it-rain:yes': {bid: 0.4, ask: 0.6, tick: 0.005}\n"
TICK_SAID = "0.005 is not a Polymarket tick (0.1, 0.01, 0.001 or 0.0001), so it is not used"


def _project(tmp_path, limit="0.995", toml=None):
    (tmp_path / ".git").mkdir(parents=True)
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    return write(tmp_path, "pm.yaml", PM.format(limit=limit)), write(tmp_path, "q.yaml", BAD_TICK)


def _headlines(result):
    return [d.headline() for d in result.diagnostics]


def test_compile_file_refuses_a_snapshot_tick_graphc_compile_refuses(tmp_path):
    for limit in ("0.995", "bid + 1 tick"):  # pm.yaml, pm2.yaml of the audit
        playbook, quotes = _project(tmp_path / limit.replace(" ", ""), limit)
        cli_run = CliRunner().invoke(cli, ["compile", str(playbook), "--quotes", str(quotes)])
        assert cli_run.exit_code == 1 and cli_run.stdout == "", cli_run.output
        said = f"{quotes}:1:48: error GC105 quote will-it-rain:yes.tick: {TICK_SAID}"
        assert said in cli_run.stderr
        # before the fix: ok, no diagnostic (and for `bid + 1 tick` a graph priced on another tick: 0.41)
        for result in (
            graphc.compile_file(playbook, quotes=quotes),
            graphc.compile_text(playbook.read_text(), str(playbook), quotes=quotes),
        ):
            assert not result.ok
            assert _headlines(result) == [said]
            assert result.diagnostics[0].related[0].message == "will-it-rain:yes is traded on polymarket here"


def test_compile_text_refuses_a_tick_of_a_quotes_mapping_at_the_leg(tmp_path):
    mapping = {"will-it-rain:yes": {"bid": "0.4", "ask": "0.6", "tick": "0.005"}}
    result = graphc.compile_text(PM.format(limit="0.995"), "pm.yaml", quotes=mapping)
    # before the fix: ok, no diagnostic
    assert not result.ok
    assert _headlines(result) == [f"pm.yaml:6:13: error GC105 quote will-it-rain:yes.tick: {TICK_SAID}"]


def test_compile_file_refuses_a_graphc_toml_market_tick_graphc_compile_refuses(tmp_path):
    playbook, _ = _project(tmp_path, toml='[markets."will-it-rain:yes"]\ntick = 0.005\n')
    cli_run = CliRunner().invoke(cli, ["compile", str(playbook)])
    said = f'{tmp_path / "graphc.toml"}:2:1: error GC103 [markets."will-it-rain:yes"] `tick` {TICK_SAID}'
    assert cli_run.exit_code == 1 and said in cli_run.stderr, cli_run.output
    result = graphc.compile_file(playbook)
    # before the fix: ok, no diagnostic
    assert not result.ok
    assert _headlines(result) == [said]
    write(tmp_path, "graphc.toml", '[markets."will-it-rain:yes"]\ntick = 0.001\n')
    assert graphc.compile_file(playbook).ok and CliRunner().invoke(cli, ["compile", str(playbook)]).exit_code == 0


KX = "KXFEDDECISION-26DEC-C25"
K3 = (  # the audit ci22 2 k3 repro: integer cents pasted into a snapshot
    "graphc: 1\nname: k3\nrisk: {max_notional: $5k}\nlegs:\n"
    f"  kb: {{buy: 1000 contracts, symbol: {KX}}}\n  ks: {{sell: $500, symbol: {KX}}}\n"
)


def test_compile_file_refuses_a_quote_price_no_prediction_market_can_have_as_graphc_compile(tmp_path):
    (tmp_path / ".git").mkdir()
    playbook = write(tmp_path, "k3.yaml", K3)
    quotes = write(tmp_path, "q.yaml", f"{KX}: {{bid: 40, ask: 41}}\n")
    cli_run = CliRunner().invoke(cli, ["compile", str(playbook), "--quotes", str(quotes)])
    assert cli_run.exit_code == 1, cli_run.output
    said = [line for line in cli_run.stderr.splitlines() if " error GC" in line]
    assert len(said) == 2, cli_run.stderr  # the bid and the ask, once each
    result = graphc.compile_file(playbook, quotes=quotes)
    assert not result.ok
    assert _headlines(result) == said
