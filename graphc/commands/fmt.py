"""``graphc fmt``: rewrite playbooks in the canonical layout (``--check`` for CI)."""

from __future__ import annotations

import sys

import click

from graphc.commands.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, print_diagnostics, print_unreadable
from graphc.diagnostics import FileResult
from graphc.files import collect_files, read_source, read_stdin
from graphc.fmt import FormatError, format_text, is_playbook_text

YAML_SUFFIXES = (".yaml", ".yml")


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change and exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True, help="Print what would change as a unified diff (implies --check).")
def fmt_command(paths, check, show_diff):
    """Format playbooks: canonical key order, 2-space indent, comments and line ends kept.

    PATHS are playbook and template files, directories (searched for *.yaml /
    *.yml; YAML files that are not playbooks, such as quotes snapshots, are
    left alone) or globs. `-` reads stdin and writes the formatted playbook to
    stdout.

    A file graphc cannot load is reported as in `graphc lint` (GC100 with its
    line and column) and left unchanged. Exit status: 0 nothing to change, 1
    files would change (--check) or could not be formatted, 2 usage error or a
    file that cannot be read (GC112).
    """
    if paths == ("-",):
        _format_stdin()
        return
    check = check or show_diff
    try:
        files = _collect(paths)
    except FileNotFoundError as exc:
        click.echo(f"graphc: no such file or directory: {exc.args[0]}", err=True)
        sys.exit(EXIT_USAGE)
    changed, failed, unreadable = [], [], []
    for path in files:
        outcome = _format_file(path)
        if outcome is None:
            continue
        if outcome is _UNREADABLE:
            unreadable.append(path)
            continue
        text, formatted = outcome
        if formatted is None:
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
            with open(path, "w", encoding="utf-8", newline="") as fh:  # the text keeps its own line ends
                fh.write(formatted)
            click.echo(f"reformatted {path}", err=True)
    if check and changed:
        click.echo(f"{len(changed)} file(s) would be reformatted; run `graphc fmt` on them", err=True)
    if unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if failed or (check and changed) else EXIT_OK)


_UNREADABLE = object()


def _format_file(path: str):
    """``(text, formatted text or None when it failed)``; None for a file that is not a playbook.

    Problems are printed here: GC112 for a file that cannot be read (returns
    ``_UNREADABLE``), the loader's diagnostics for one that does not load.
    """
    try:
        text = read_source(path)
    except (OSError, UnicodeDecodeError) as exc:
        print_unreadable(path, exc)
        return _UNREADABLE
    return _format_source(text, path)


def _format_source(text: str, path: str):
    if not is_playbook_text(text):
        return None
    try:
        return text, format_text(text)
    except FormatError as exc:
        _print_failure(path, text, exc)
        return text, None


def _print_failure(path: str, text: str, exc) -> None:
    """The loader's diagnostics (GC100 at line:col) when the file does not load, else one line."""
    if exc.diagnostics:
        diagnostics = [d.with_(path=path) for d in exc.diagnostics]
        print_diagnostics([FileResult(path, text, diagnostics, [])])
    else:
        click.echo(f"graphc: {path}: {exc}", err=True)


def _collect(paths):
    """The *.yaml / *.yml files named or under the directories and globs named (lint's walker; JSON is left alone)."""
    return [path for path in collect_files(paths) if path.endswith(YAML_SUFFIXES)]


def _format_stdin():
    try:
        text = read_stdin()
    except (OSError, UnicodeDecodeError) as exc:
        print_unreadable("<stdin>", exc)
        sys.exit(EXIT_USAGE)
    outcome = _format_source(text, "<stdin>")
    if outcome is None:  # not a playbook: passed through unchanged, as for files
        sys.stdout.write(text)
        return
    if outcome[1] is None:
        sys.exit(EXIT_FINDINGS)
    sys.stdout.write(outcome[1])


def _print_diff(path, before, after):
    import difflib  # deferred: only --diff needs it

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
