"""``graphc fmt``: rewrite playbooks in the canonical layout (``--check`` for CI)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from graphc.commands.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    print_diagnostics,
    print_unreadable,
    print_unwritable,
    warn_not_followed,
    write_output,
)
from graphc.diagnostics import FileResult
from graphc.files import (
    JSON_SUFFIXES,
    YAML_SUFFIXES,
    collect,
    has_suffix,
    leaves_root,
    link_root,
    link_root_named,
    read_source,
    read_stdin,
    real_path,
    replace_file,
    suffix_patterns,
)
from graphc.fmt import FormatError, FormatSkipped, NotText, SuppressionMoved, format_text, is_playbook_text
from graphc.report import one_line


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--check", is_flag=True, help="Change nothing; list the files that would change and exit 1 if any.")
@click.option("--diff", "show_diff", is_flag=True, help="Print what would change as a unified diff (implies --check).")
@click.option(
    "--allow-empty", is_flag=True, help="Exit 0 when a directory or glob gives no file to format (default: exit 2)."
)
def fmt_command(paths, check, show_diff, allow_empty):
    """Format playbooks: canonical key order, 2-space indent, comments, line ends and a BOM kept.

    PATHS are playbook and template files (read whatever their name ends
    with, as lint reads them), directories (searched for *.yaml / *.yml, in
    any case; YAML files that are not playbooks, such as quotes snapshots, are
    left alone) or globs. `-` is stdin, alone or among other paths: its
    formatted text (or, with nothing to change, its text as it came) goes to
    stdout; with --check or --diff it is checked as a file is, named
    `<stdin>`, and nothing else is printed.

    A file graphc cannot load is reported as in `graphc lint` (GC100 with its
    line and column) and left unchanged. A valid playbook with a construct fmt
    cannot reformat without changing it is left as it is, with a note. Exit
    status: 0 nothing to change (a file left as it is with a note counts as
    nothing to change: the note says it was not reformatted, with --check that
    it was not checked, and a last line counts them), 1 files would
    change (--check) or could not
    be formatted, 2 usage error, a file that cannot be read or written
    (GC112; a file is written whole or not at all, and left as it is when it
    changed while fmt ran), a symbolic link out of its repository (never read,
    written or shown in a diff; format the file it points to) or holds
    a character YAML does not allow (GC100: NUL, UTF-16 without a BOM), a
    directory or glob with nothing to format (see --allow-empty), or a
    formatting that would change what a `# graphc: ignore` covers.
    """
    check = check or show_diff
    names = [path for path in paths if path != "-"]  # `-` is stdin, wherever it is among the paths (as in lint)
    try:
        files, searches = _collect(names)
    except FileNotFoundError as exc:
        click.echo(f"graphc: no such file or directory: {one_line(str(exc.args[0]))}", err=True)
        sys.exit(EXIT_USAGE)
    changed, failed, unreadable, refused, unwritten, skipped, tried = [], [], [], [], [], [], set()
    for path in [*files, *([STDIN] if len(names) < len(paths) else [])]:
        outcome = _format_stdin(check) if path is STDIN else _format_file(path, check, named=path in files.named)
        if path is STDIN and not check:  # stdin's text goes to stdout: formatted, else as it came
            _write_stdout(outcome)
        if outcome is None:
            continue
        tried.add(path)
        if outcome is _UNREADABLE:
            unreadable.append(path)
            continue
        text, formatted = outcome
        if formatted is _REFUSED:
            refused.append(path)
            continue
        if formatted is None:
            failed.append(path)
            continue
        if formatted is _SKIPPED:
            skipped.append(path)
            continue
        if formatted == text:
            continue
        changed.append(path)
        if show_diff:
            _print_diff(path, text, formatted)
        elif check:
            click.echo(f"would reformat {one_line(path)}")
        elif path is not STDIN and not _write(path, text, formatted):
            unwritten.append(path)
    if check and changed:
        click.echo(f"{len(changed)} file(s) would be reformatted; run `graphc fmt` on them", err=True)
    if check and skipped:  # not a failure (documented), but never to read as "already formatted"
        click.echo(f"{len(skipped)} file(s) not checked: fmt cannot format them (the notes above say why)", err=True)
    empty = [search for search, found in searches.items() if not tried.intersection(found)]
    for search in empty:  # as lint's "nothing linted": a typo'd path never reads as a pass
        what = "no playbook or template in" if searches[search] else f"no {suffix_patterns(YAML_SUFFIXES)} file in"
        message = one_line(f"nothing to format: {what} {search}")
        click.echo(f"graphc: warning: {message} (--allow-empty accepts this)", err=True)
    warn_not_followed(files.not_followed, verb="format")
    if unreadable or refused or unwritten or (empty and not allow_empty):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if failed or (check and changed) else EXIT_OK)


_UNREADABLE = object()
_SKIPPED = object()  # a valid playbook fmt cannot reformat safely: left as it is, with a note (not a failure)
_REFUSED = object()  # formatting would change what a `# graphc: ignore` covers: never written (exit 2)


def _format_file(path: str, check: bool, named: bool = False):
    """``(text, formatted text, or None when it failed, _SKIPPED or _REFUSED)``; None for a file that is not
    a playbook.

    Problems are printed here: GC112 for a file that cannot be read (returns
    ``_UNREADABLE``), the loader's diagnostics for one that does not load.
    A file named on the command line is read whatever its name ends with (as
    lint reads it), except JSON, which fmt never rewrites: that is said.
    """
    if named and has_suffix(path, JSON_SUFFIXES):
        click.echo(f"graphc: note: {one_line(path)}: not formatted: fmt formats YAML playbooks, not JSON", err=True)
        return None
    if leaves_root(path):
        # never written through, nor shown in a diff: as an -o FILE that is a link (audit sec29 1 and 4)
        message = (
            f"{path}: not formatted: a symbolic link to {real_path(Path(path))}, outside"
            f" {link_root_named(link_root(os.path.dirname(path) or os.curdir))}; graphc fmt does not read or write a file through a"
            " link out of its repository: format the file it points to, or copy it into the repository"
        )
        click.echo(f"graphc: {one_line(message)}", err=True)
        return _UNREADABLE
    try:
        text = read_source(path, keep_bom=True)
    except (OSError, UnicodeDecodeError) as exc:
        print_unreadable(path, exc)
        return _UNREADABLE
    return _format_source(text, path, check)


def _format_source(text: str, path: str, check: bool):
    """As :func:`_format_file`, for ``text`` read with its BOM, if any: both texts returned start with it (a
    formatted file keeps it). ``_UNREADABLE`` for text YAML cannot read (:class:`NotText`), reported here."""
    bom = text[:1] if text.startswith("\ufeff") else ""
    text = text[len(bom) :]
    if not is_playbook_text(text):
        return None
    try:
        return bom + text, bom + format_text(text)
    except FormatSkipped as exc:
        # with --check, its layout was not checked: said so, not "not formatted" (audit decomp24 4)
        reason = f"not checked: {str(exc).removeprefix('not formatted: ')}" if check else str(exc)
        click.echo(f"graphc: note: {one_line(f'{path}: {reason}')}", err=True)
        return bom + text, _SKIPPED
    except SuppressionMoved as exc:
        click.echo(f"graphc: {one_line(f'{path}: {exc}')}", err=True)
        return bom + text, _REFUSED
    except NotText as exc:  # not a file fmt can read: as one that is not UTF-8 (GC112), exit 2
        _print_failure(path, text, exc)
        return _UNREADABLE
    except FormatError as exc:
        _print_failure(path, text, exc)
        return bom + text, None


def _write(path: str, text: str, formatted: str) -> bool:
    """Write ``formatted`` over the file ``path`` (a symlink inside its repository: its target, the link kept; one
    out of it never gets here, :func:`_format_file`) if it still holds
    ``text``, as read; whether it was written. A file edited meanwhile is left as it is, and one that cannot be
    written is GC112 and left whole (:func:`graphc.files.replace_file`): both are said here."""
    try:
        # the bytes read: strict UTF-8 (a BOM kept in the text) encodes back to exactly them
        written = replace_file(path, formatted.encode("utf-8"), expected=text.encode("utf-8"), through_link=True)
    except OSError as exc:
        print_unwritable(path, exc)
        return False
    if not written:
        click.echo(f"graphc: {one_line(f'{path}: changed while fmt ran; not written, run fmt again')}", err=True)
        return False
    click.echo(f"reformatted {one_line(path)}", err=True)
    return True


def _print_failure(path: str, text: str, exc) -> None:
    """The loader's diagnostics (GC100 at line:col) when the file does not load, else one line."""
    if exc.diagnostics:
        diagnostics = [d.with_(path=path) for d in exc.diagnostics]
        print_diagnostics([FileResult(path, text, diagnostics, [])])
    else:
        click.echo(f"graphc: {one_line(f'{path}: {exc}')}", err=True)


class _Files(list):
    """The files to format, ``named``: those named on the command line, and ``not_followed``: the links a walk or
    glob did not follow (outside the project root)."""

    named: set
    not_followed: list


def _collect(paths):
    """``(files, searches)``: the files named (whatever their suffix, as lint reads them) and the *.yaml / *.yml
    files (any case) under the directories and globs named (lint's walker; JSON is left alone), and what each
    directory or glob gave (one that gives no playbook is lint's "nothing linted"). A file reached twice (a link in
    a walk to a file it also finds) is listed once: it is one file to rewrite."""
    collected = collect(paths, YAML_SUFFIXES, links_resolved=True)
    files = _Files(collected.files)
    files.named = set(collected.named)
    files.not_followed = collected.not_followed
    return files, collected.searches


class _Stdin(str):
    """``-``: standard input, named ``<stdin>`` in messages; told apart by identity from a file of that name."""


STDIN = _Stdin("<stdin>")


def _format_stdin(check: bool):
    """As :func:`_format_file`, for standard input (``-``): ``_UNREADABLE`` when it cannot be read (reported)."""
    try:
        text = read_stdin(keep_bom=True)
    except (OSError, UnicodeDecodeError) as exc:
        print_unreadable(STDIN, exc)
        return _UNREADABLE
    outcome = _format_source(text, STDIN, check)
    return (text, text) if outcome is None else outcome  # not a playbook: nothing to change, as it came


def _write_stdout(outcome) -> None:
    """Without --check, what stdin's text becomes: formatted, or as it came when there is nothing to change or
    it was left as it is (with a note); nothing when it could not be read, formatted or was refused."""
    if outcome is None or outcome is _UNREADABLE or outcome[1] is None or outcome[1] is _REFUSED:
        return
    text, formatted = outcome
    write_output(text if formatted is _SKIPPED else formatted, None)  # data: UTF-8, its line ends kept


def _print_diff(path, before, after):
    """``before`` -> ``after`` as a unified diff as `diff -u` writes it, which `patch` applies: a line ends at
    ``\\n`` only (a lone-CR file is one line, to `diff` and `patch` too; U+2028 in a value ends none), and a last
    line without one is followed by `\\\\ No newline at end of file`."""
    import difflib  # deferred: only --diff needs it

    rows = difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=f"{one_line(path)} (now)",  # a name's line break would end the header: escaped
        tofile=f"{one_line(path)} (formatted)",
    )
    click.echo(
        "".join(row if row.endswith("\n") else row + "\n\\ No newline at end of file\n" for row in rows), nl=False
    )


def _lines(text: str) -> list[str]:
    """``text``'s lines as `diff` counts them: each up to and with its ``\\n``, the last one without, if so ended."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])
