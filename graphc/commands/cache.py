"""``graphc cache``: the lint cache in ``.graphc/cache/`` at the project root."""

from __future__ import annotations

import os

import click

from graphc.cache import LinkedCache, cache_dir, clean
from graphc.commands.common import EXIT_USAGE, fail
from graphc.files import display_path, find_project_root
from graphc.report import one_line


@click.group("cache")
def cache_group():
    """The lint cache (.graphc/cache/ at the project root).

    `graphc lint` keeps each file's findings there and reuses them while the
    file, the templates and params it reads, the configuration, the quotes
    and the options are unchanged; `graphc lint --no-cache` neither reads nor
    writes it.
    """


@cache_group.command("clean")
@click.argument("path", required=False, type=click.Path(exists=True))
def clean_command(path):
    """Remove the lint cache of the project PATH is in (default: the working directory).

    The ledger of submitted runs (.graphc/ledger.sqlite) is kept.
    """
    root = find_project_root(path)
    shown = one_line(display_path(str(cache_dir(root))))
    linked = os.path.islink(cache_dir(root))
    before = 0 if linked else _files(cache_dir(root))
    try:
        removed = clean(root)
    except OSError as exc:  # a read-only file system, a folder of another user's, a busy mount: not a bug (ci28 3)
        reason = exc.strerror or str(exc)
        if exc.filename is not None and os.path.basename(os.fsdecode(exc.filename).rstrip("/")) != "cache":
            reason += f" ({os.fsdecode(exc.filename)})"  # the entry inside it that could not be removed
        left = "; part of it was removed" if _files(cache_dir(root)) < before else ""
        fail(f"cannot remove {shown}: {reason}{left}", EXIT_USAGE)
    except LinkedCache as exc:  # graphc never used a cache through it: nothing of graphc's to remove there
        link = one_line(display_path(str(exc.link)))
        click.echo(
            f"no lint cache at {shown}: {link} is a symbolic link, which graphc does not use for its cache; "
            "nothing removed"
        )
        return
    if removed and linked:
        click.echo(f"removed {shown} (a symbolic link; what it pointed to was left alone)")
    else:
        click.echo(f"removed {shown}" if removed else f"no lint cache at {shown}")


def _files(directory) -> int:
    """How many entries there are in ``directory`` and below (a few: the lint cache's files)."""
    return sum(len(dirs) + len(names) for _, dirs, names in os.walk(directory))
