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
