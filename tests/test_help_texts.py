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
