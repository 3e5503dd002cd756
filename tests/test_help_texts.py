"""Every option of every command says what it does in ``--help`` (audit docs27 2: `strategy list -v` and
`bundle --params`, `--cpu-millis`, `--memory-mb` showed a bare name or only a default)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from graphc.cli import cli


def _commands(group: click.Group, context: click.Context, prefix: str = ""):
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            yield from _commands(command, click.Context(command, parent=context), f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_option_of_every_command_has_help():
    commands = list(_commands(cli, click.Context(cli)))
    assert len(commands) > 20  # every command, subcommands of `strategy` and the others included
    bare = [
        f"{name} {'/'.join(param.opts)}"
        for name, command in commands
        for param in command.params
        if isinstance(param, click.Option)
        and not param.hidden
        and not (param.help or "").strip()
        and param.opts != ["--help"]
    ]
    assert bare == []


def test_the_help_shows_the_new_words():
    result = CliRunner().invoke(cli, ["strategy", "list", "--help"])
    assert "Log HTTP requests to stderr (credentials are redacted)." in result.output, result.output
    result = CliRunner().invoke(cli, ["bundle", "--help"])
    assert "CPU the runner gives the strategy." in " ".join(result.output.split()), result.output


def test_lint_help_lists_every_exit_status_lint_returns():
    """audit ci28 4: `lint --quotes live` exits 3 when the router cannot be reached, but `lint --help` listed 0, 1, 2
    and 4 only; so did the Action's `exit-code` and docs/integrations.md. Each lists every status lint returns."""
    import re

    import yaml

    from tests.conftest import REPO

    result = CliRunner().invoke(cli, ["lint", "--help"])
    said = " ".join(result.output.split())
    statuses = said[said.index("Exit status:") :]
    found = [int(n) for n in re.findall(r"(?:^|, )(\d) (?=[a-z])", statuses.removeprefix("Exit status: "))]
    assert found == [0, 1, 2, 3, 4], statuses
    assert "3 the router could not be reached or answered wrongly (--quotes live)" in statuses
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    for text in (action["outputs"]["exit-code"]["description"], action["inputs"]["fail-on-findings"]["description"]):
        assert "3 the router could not be reached" in " ".join(text.split()), text
    fail_step = next(step for step in action["runs"]["steps"] if step.get("name") == "Fail on findings")
    assert re.search(r"^\s*3\) why=", fail_step["run"], re.M)
    doc = " ".join((REPO / "docs" / "integrations.md").read_text(encoding="utf-8").split())
    assert "3 (the router could not be reached or answered wrongly, with `--quotes live` in `args`)" in doc
    assert "3 the router could not be reached or answered wrongly with `--quotes live`, 4 internal error" in doc
