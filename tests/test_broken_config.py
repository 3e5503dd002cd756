"""A graphc.toml that cannot be read is reported by every command that reads it as `graphc lint` reports it.

review14 5: `graphc lint` shows a broken graphc.toml's own problems (GC100 TOML syntax, GC103 a bad severity) at
their line in graphc.toml with the snippet, exit 1. compile and graph printed them through a copy of their own,
without the snippet; submit sent a saved plan whatever its project's config said, so a `GC105 = "off"` it could
not read was neither applied nor reported. Each command that reads the config (docs/configuration.md, "Which
commands read it") now prints lint's block for it, and the ones that send (plan, submit, run) refuse: a config
the operator cannot read may be turning a check on or off.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sandbox_fixture import REPO, cli_env, run_graphc

QUOTES = REPO / "examples" / "quotes.yaml"
BOOK = "graphc: 1\nname: pair\nlegs:\n  long: {buy: 2 ETH, symbol: ETH-USD}\n"
DCA = """\
graphc: 1
name: dca
schedule: {cron: "0 14 * * MON", timezone: Europe/London, catch_up: 2h}
legs:
  buy: {buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2300}
"""
BROKEN = {
    "syntax": (
        '[rules\nGC105 = "off"\n',
        "graphc.toml:1:7: error GC100 TOML syntax error: Expected ']' at the end of a table declaration",
    ),
    "severity": (
        '[rules]\nGC105 = "loud"\n',
        'graphc.toml:2:1: error GC103 rule GC105 must be "error", "warning" or "off", not \'loud\'',
    ),
}


def make_project(root: Path, config: str | None) -> Path:
    (root / ".git").mkdir(parents=True)
    if config is not None:
        (root / "graphc.toml").write_text(config)
    (root / "quotes.yaml").write_text(QUOTES.read_text())
    (root / "book.yaml").write_text(BOOK)
    (root / "dca.yaml").write_text(DCA)
    return root


def config_block(output: str) -> str:
    """The block of graphc.toml's problems: its diagnostics, snippets and hints, up to the next blank line."""
    [block] = [b.strip("\n") for b in output.split("\n\n") if b.lstrip("\n").startswith("graphc.toml:")]
    return block


def linted_block(project: Path, env=None) -> str:
    linted = run_graphc(["lint", "--no-cache", "book.yaml"], env, project)
    assert linted.returncode == 1, linted
    return config_block(linted.stdout)


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize(
    "args",
    [
        ["compile", "book.yaml", "--quotes", "quotes.yaml"],
        ["graph", "book.yaml"],
        ["plan", "book.yaml", "--quotes", "quotes.yaml"],
        ["bundle", "dca.yaml", "-o", "out"],
        ["schedule", "dca.yaml", "--now", "2026-01-05T14:20:00Z"],
    ],
    ids=lambda args: args[0],
)
def test_a_command_that_reads_the_config_prints_its_problems_as_lint_does(tmp_path, broken, args):
    toml, headline = BROKEN[broken]
    project = make_project(tmp_path / "project", toml)
    proc = run_graphc(args, None, project)
    assert proc.returncode == 1, proc
    block = config_block(proc.stderr)
    assert block.splitlines()[0] == headline
    assert "\n  | " in block  # the snippet of graphc.toml, as lint shows it
    assert block == linted_block(project)
    if args[0] in ("compile", "graph"):
        assert proc.stdout == ""  # no graph, no picture: the config's settings were not applied
    if args[0] == "plan":
        assert "graphc: not ready to submit: graphc.toml has errors (see above)" in proc.stderr


@pytest.mark.parametrize("broken", list(BROKEN))
def test_submit_refuses_a_source_and_a_saved_plan_whose_config_is_broken_and_sends_nothing(sandbox, tmp_path, broken):
    """A saved plan was sent whatever its project's graphc.toml said (exit 0, one POST): its lint ran with the
    built-in severities and never said that the config it was to use could not be read."""
    toml, headline = BROKEN[broken]
    project = make_project(tmp_path / "project", None)
    env = cli_env(sandbox)
    planned = run_graphc(["plan", "book.yaml", "--quotes", "quotes.yaml", "-o", "plan.json"], env, project)
    assert planned.returncode == 0, planned
    (project / "graphc.toml").write_text(toml)
    expected = linted_block(project, env)

    for source in ("book.yaml", "plan.json"):
        args = ["submit", source, "--yes"] + (["--quotes", "quotes.yaml"] if source == "book.yaml" else [])
        submitted = run_graphc(args, env, project)
        assert submitted.returncode == 1, submitted
        assert "submitted" not in submitted.stdout
        block = config_block(submitted.stderr)
        assert block.splitlines()[0] == headline and block == expected
        assert "graphc: refused: graphc.toml has errors (see above)" in submitted.stderr

    replanned = run_graphc(["plan", "plan.json"], env, project)
    assert replanned.returncode == 1, replanned
    assert config_block(replanned.stderr) == expected
    assert "graphc: not ready to submit: graphc.toml has errors (see above)" in replanned.stderr

    assert sandbox.requests("POST") == [] and sandbox.graphs() == []
    assert not (project / ".graphc").exists()  # nothing recorded in a ledger either


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize(("mode", "event"), [("--once", "lint_failed"), ("--loop", "error")])
def test_run_refuses_at_the_configs_line_and_sends_nothing(sandbox, tmp_path, broken, mode, event):
    """--once fails the occurrence (`lint_failed`: the config read for it has errors, as a loop's retry would find
    it; audit hosted24 1); --loop stops before it first sleeps (docs/recurring.md); both exit 1."""
    toml, headline = BROKEN[broken]
    project = make_project(tmp_path / "project", toml)
    args = ["run", "dca.yaml", mode, "--settle", "0", "--now", "2026-01-05T14:20:00Z", "--quotes", "quotes.yaml"]
    proc = run_graphc(args, cli_env(sandbox), project)
    assert proc.returncode == 1, proc
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    (refused,) = [e for e in events if e["event"] == event]
    # lint's headline without the severity: the one line a run's log gives a refusal
    assert refused["message"] == headline.replace(": error GC", ": GC"), refused
    assert not [e for e in events if e["event"] == "submitted"]
    assert sandbox.requests("POST") == [] and sandbox.graphs() == []
