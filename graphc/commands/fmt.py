"""``graphc fmt``: rewrite playbooks in the canonical layout (``--check`` for CI)."""

from __future__ import annotations

import sys

import click

from graphc.commands.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, read_error

YAML_SUFFIXES = (".yaml", ".yml")


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change and exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True, help="Print what would change as a unified diff (implies --check).")
def fmt_command(paths, check, show_diff):
    """Format playbooks: canonical key order, 2-space indent, comments kept.

    PATHS are playbook files or directories (searched for *.yaml / *.yml; YAML
    files that are not playbooks, such as quotes snapshots, are left alone).
    `-` reads stdin and writes the formatted playbook to stdout.
    """
    from graphc.files import read_source
    from graphc.fmt import FormatError, format_text, is_playbook_text

    if paths == ("-",):
        _format_stdin(format_text, FormatError)
        return
    check = check or show_diff
    try:
        files = _collect(paths)
    except FileNotFoundError as exc:
        click.echo(f"graphc: no such file or directory: {exc.args[0]}", err=True)
        sys.exit(EXIT_USAGE)
    changed, failed = [], []
    for path in files:
        try:
            text = read_source(path)
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"graphc: {read_error(path, exc)}", err=True)
            sys.exit(EXIT_USAGE)
        if not is_playbook_text(text):
            continue
        try:
            formatted = format_text(text)
        except FormatError as exc:
            click.echo(f"graphc: {path}: {exc}", err=True)
            failed.append(path)
            continue
        if formatted == text:
            continue
        changed.append(path)
        if show_diff:
            _print_diff(path, text, formatted)
        elif check:
            click.echo(f"would reformat {path}")
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(formatted)
            click.echo(f"reformatted {path}", err=True)
    if check and changed:
        click.echo(f"{len(changed)} file(s) would be reformatted; run `graphc fmt` on them", err=True)
    sys.exit(EXIT_FINDINGS if failed or (check and changed) else EXIT_OK)


def _collect(paths):
    """The *.yaml / *.yml files named or under the directories named (lint's walker; JSON is left alone)."""
    from graphc.files import collect_files

    return [path for path in collect_files(paths) if path.endswith(YAML_SUFFIXES)]


def _format_stdin(format_text, error_type):
    text = sys.stdin.read()
    try:
        click.echo(format_text(text), nl=False)
    except error_type as exc:
        click.echo(f"graphc: <stdin>: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)


def _print_diff(path, before, after):
    import difflib

    click.echo(
        "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"{path} (now)",
                tofile=f"{path} (formatted)",
            )
        ),
        nl=False,
    )
