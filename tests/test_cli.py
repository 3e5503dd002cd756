"""The command line itself: did-you-mean for a mistyped subcommand, and shell completion."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("complie", "'compile'"), ("lnt", "'lint'"), ("explian", "'explain'"), ("fmtt", "'fmt'")],
)
def test_a_mistyped_subcommand_gets_a_suggestion(typed, suggestion):
    result = CliRunner().invoke(cli, [typed, "x.yaml"])
    assert result.exit_code == 2
    assert f"No such command '{typed}'" in result.stderr and suggestion in result.stderr
    assert "Did you mean" in result.stderr


def test_nothing_close_gets_no_suggestion():
    result = CliRunner().invoke(cli, ["zzzz"])
    assert result.exit_code == 2 and "Did you mean" not in result.stderr


def complete(words: str) -> list[str]:
    """What bash completion offers for the command line ``words`` (the last word being typed)."""
    env = {
        **os.environ,
        "_GRAPHC_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    out = subprocess.run(
        [sys.executable, "-m", "graphc"], env=env, capture_output=True, text=True, cwd=REPO, check=True
    )
    return [line.split(",", 1)[1] for line in out.stdout.splitlines()]


def test_completion_offers_subcommands_and_options():
    assert complete("graphc li") == ["lint"]
    assert "decompile" in complete("graphc de") and "compile" not in complete("graphc de")
    assert complete("graphc lint --sel") == ["--select"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_for_each_documented_shell(shell):
    env = {**os.environ, "_GRAPHC_COMPLETE": f"{shell}_source"}
    out = subprocess.run(
        [sys.executable, "-m", "graphc"], env=env, capture_output=True, text=True, cwd=REPO, check=True
    )
    assert "_graphc_completion" in out.stdout
    assert f"_GRAPHC_COMPLETE={shell}_source graphc" in (REPO / "docs" / "integrations.md").read_text()


def test_start_up_pauses_the_collector_until_the_command_is_imported(monkeypatch):
    """main() pauses Python's cyclic collector while a command starts (imports), then freezes what start-up made
    and collects again before the command runs; importing graphc.cli leaves the collector as it was."""
    import gc

    from graphc import cli as cli_module

    out = subprocess.run(
        [sys.executable, "-c", "import gc, graphc.cli; print(gc.isenabled(), gc.get_freeze_count())"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.stdout.split() == ["True", "0"], out.stderr
    states = []
    get_command = cli_module.LazyGroup.get_command

    def spy(self, ctx, name):
        states.append(gc.isenabled())
        command = get_command(self, ctx, name)
        states.append(gc.isenabled())
        return command

    monkeypatch.setattr(cli_module.LazyGroup, "get_command", spy)
    gc.enable()
    try:
        with pytest.raises(SystemExit):
            cli_module.main(["schema", "playbook"])
        assert states[:2] == [False, True] and gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("command", ["compile", "graph", "lint", "plan", "submit", "schedule", "run", "bundle"])
def test_every_now_option_says_a_time_without_an_offset_is_utc(command):
    """audit cmds16 7d: `--now 2026-03-29T01:30` is read as UTC; a trader who types the schedule's local time gets a
    time an hour off in British summer time. Every --now says how it is read."""
    result = CliRunner().invoke(cli, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "--now ISO8601" in text
    assert "a time without an offset is UTC" in text, text


def test_recurring_docs_say_how_now_without_an_offset_is_read():
    text = " ".join((REPO / "docs" / "recurring.md").read_text().split())
    assert "A time without an offset (`2026-03-29T01:30`) is UTC" in text
