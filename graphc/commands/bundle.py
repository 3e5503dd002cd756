"""``graphc bundle``: write a hosted strategy that runs a scheduled playbook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from graphc.commands.common import parse_now, parse_set, print_diagnostics
from graphc.report import one_line


@click.command("bundle")
@click.argument("playbook", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), help="Directory to write.")
@click.option("--set", "set_values", multiple=True, metavar="NAME=VALUE", help="Set a playbook param (repeatable).")
@click.option(
    "--params",
    "params_file",
    type=click.Path(dir_okay=False, exists=True),
    metavar="FILE",
    help="Params file (YAML or JSON) the bundle is checked and run with; copied into the bundle.",
)
@click.option("--live", is_flag=True, help="Allow the strategy to trade live (`sandbox: false` in the playbook).")
@click.option("--name", help="Strategy name, [a-z0-9][a-z0-9._-]* (default: the playbook's name).")
@click.option(
    "--cpu-millis", type=click.IntRange(1), default=250, show_default=True, help="CPU the runner gives the strategy."
)
@click.option(
    "--memory-mb", type=click.IntRange(64), default=256, show_default=True, help="Memory the runner gives it."
)
@click.option("--timeout-secs", type=click.IntRange(0), default=0, show_default=True, help="0: no timeout.")
@click.option("--latency-target", multiple=True, metavar="VENUE", help="Placement hint, e.g. coinbase (repeatable).")
@click.option(
    "--now",
    metavar="ISO8601",
    help="Check the occurrences from this time on (default: now); a time without an offset is UTC.",
)
def bundle_command(
    playbook, out, set_values, params_file, live, name, cpu_millis, memory_mb, timeout_secs, latency_target, now
):
    """Write a hosted strategy for PLAYBOOK's `schedule:` into OUT: Sequence.toml,
    main.py, the playbook with its templates and params, and graphc with the
    pure-Python parts of its dependencies, so it runs in a bare
    python:3.12-slim. Deploy it with `graphc deploy OUT` (or the Sequence CLI).

    The next occurrences are linted first (without quotes: those are read live
    at run time, so an occurrence that calls quote() in a template is reported
    as skipped, not checked); any other error refuses. The bundle then proves
    itself: the same occurrences, linted from its own copy as the strategy
    reads it, must make the same graphs, or it is refused. A refused bundle
    removes an earlier bundle at OUT. No API key is ever written: the runner
    injects it.

    Exit status: 0 written, 1 lint errors (of the project or of the bundle's
    copy), 2 usage (no schedule, a live
    playbook without --live, a bad --name, OUT holds something else or is
    under a file).
    """
    from graphc.bundle import (  # deferred: the linter; --help stays fast
        BundleError,
        BundleSettings,
        remove_earlier_bundle,
        write_bundle,
    )
    from graphc.lint import located_result  # deferred: the linter (graphc.bundle loads it too); --help stays fast

    settings = BundleSettings(
        playbook=Path(playbook),
        out=Path(out),
        params=parse_set(set_values),
        params_file=params_file,
        live=live,
        name=name,
        cpu_millis=cpu_millis,
        memory_mb=memory_mb,
        timeout_secs=timeout_secs,
        latency_target=tuple(latency_target),
        now=parse_now(now),
    )
    written = False
    try:
        result = write_bundle(settings)
        written = True
    except BundleError as exc:
        if exc.diagnostics:
            by_file: dict = {}
            for d in exc.diagnostics:
                by_file.setdefault(d.path, []).append(d)
            print_diagnostics([located_result(ds) for ds in by_file.values()], summary=True)
        click.echo(f"graphc: bundle not written: {one_line(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    finally:
        removed = None if written else remove_earlier_bundle(settings.out)  # a failed -o leaves no earlier output
        if removed is not None:
            click.echo(f"graphc: {one_line(removed)}", err=True)
    if result.diagnostics:
        print_diagnostics([located_result(result.diagnostics)], summary=True)
    for warning in result.warnings:
        click.echo(f"graphc: warning: {one_line(warning)}", err=True)
    for note in result.skipped:
        click.echo(f"graphc: {one_line(note)}", err=True)
    for note in result.notes:
        click.echo(f"graphc: note: {one_line(note)}", err=True)
    project = [f for f in result.files if f.startswith("project/")]
    out = one_line(str(result.out))
    click.echo(
        f"wrote {out}/ (hosted strategy {result.name}, {'LIVE' if result.live else 'sandbox'}): "
        f"{len(project)} project files, "
        f"graphc and {len(result.vendored) - 1} pure-Python packages ({', '.join(result.vendored[1:])})"
    )
    click.echo(
        f"checked: the bundle's own copy makes the same graph as the project at each of the {result.proved} "
        "occurrences linted"
    )
    live = " --live" if result.live else ""  # deploying is its submit: a live strategy needs the opt-in again
    click.echo(f"deploy it with `graphc deploy {out}{live}` (or `sequence strategy deploy {out}`)")
