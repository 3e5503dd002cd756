"""``graphc plan``: compile and lint a playbook, show what would be sent, optionally save it."""

from __future__ import annotations

import sys

import click

from graphc.commands.common import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    build_options,
    compile_options,
    explain_live,
    print_diagnostics,
    read_error,
)


def prepare(playbook, quotes_path, set_values, params_file, now):
    """Compile (quotes required) and lint a playbook. Returns (LintOutcome, CompileOptions).

    Exits 2 when the playbook cannot be read, 1 when the quotes snapshot is invalid.
    """
    from graphc.config import load_config
    from graphc.files import read_source
    from graphc.lint import LintOptions, lint_source
    from graphc.report import FileResult

    compile_opts, quote_diagnostics = build_options(
        quotes_path, set_values, params_file, now, require_quotes=True, sources=[playbook]
    )
    if quote_diagnostics:
        print_diagnostics([FileResult(quotes_path, None, quote_diagnostics, [])])
        if any(d.is_error for d in quote_diagnostics):
            sys.exit(EXIT_FINDINGS)
    try:
        text = read_source(playbook)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"graphc: {read_error(playbook, exc)}", err=True)
        sys.exit(EXIT_USAGE)
    config, config_diagnostics = load_config(playbook)
    options = LintOptions(
        compile=compile_opts, quotes_given=quotes_path is not None, config=config, require_quotes=True
    )
    outcome = lint_source(text, str(playbook), options, explicit=True)
    explain_live([outcome.result], compile_opts.quotes)
    if config_diagnostics:
        print_diagnostics([FileResult(config_diagnostics[0].path, None, config_diagnostics, [])])
    return outcome, compile_opts


def source_name(outcome, path) -> str:
    """The name a run is recorded under: the playbook's ``name``, or for a wire
    JSON file (which has none) the file's stem, never ``None``."""
    from pathlib import Path

    return outcome.name or Path(str(path)).stem or "graph"


@click.command("plan")
@click.argument("playbook", type=click.Path(dir_okay=False))
@compile_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Save the plan (exact wire bytes, hashes, time) for `graphc submit PLAN`.",
)
def plan_command(playbook, quotes_path, set_values, params_file, now, output):
    """Compile and lint PLAYBOOK, then summarise what would be submitted: the
    legs, the trigger tree, the risk limits, the total notional, and whether it
    trades in the SANDBOX or LIVE.

    Exit status: 0 ready to submit, 1 lint errors, 2 unreadable input.
    """
    import json

    from graphc.commands.common import parse_now, parse_set
    from graphc.plan import build_plan, summary_lines

    outcome, compile_opts = prepare(playbook, quotes_path, set_values, params_file, now)
    if outcome.result.diagnostics:
        print_diagnostics([outcome.result], summary=True)
    if outcome.wire_text is None or outcome.has_errors:
        click.echo("graphc: not planned: fix the errors above", err=True)
        sys.exit(EXIT_FINDINGS)
    wire_text, name = outcome.wire_text, source_name(outcome, playbook)
    click.echo(f"plan for {name} ({playbook})\n")
    for line in summary_lines(outcome.wire, compile_opts.quotes, bold=bold_style()):
        click.echo(line)
    if output:
        plan = build_plan(
            name=name,
            wire_text=wire_text,
            playbook=playbook,
            quotes=None if quotes_path == "live" else quotes_path,  # live quotes are not a file to hash
            params_file=params_file,
            params=parse_set(set_values),
            now=parse_now(now),
        )
        try:
            with open(output, "w", encoding="utf-8") as fh:
                json.dump(plan, fh, indent=2)
                fh.write("\n")
        except OSError as exc:
            click.echo(f"graphc: cannot write plan {output}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_USAGE)
        click.echo(f"\nsaved plan to {output}; submit it with `graphc submit {output}` within a minute (--max-age)")


def bold_style():
    """click bold on a colour terminal (NO_COLOR honoured), else plain text."""
    from graphc.report.text import should_color

    if should_color(sys.stdout):
        return lambda s: click.style(s, bold=True)
    return lambda s: s
