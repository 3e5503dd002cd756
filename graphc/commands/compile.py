"""``graphc compile``: a playbook -> the router's wire JSON."""

from __future__ import annotations

import click

from graphc.commands.common import (
    StaleOutputCommand,
    build_options,
    compile_options,
    exit_on_file_errors,
    exit_on_findings,
    explain_live,
    open_output,
    print_diagnostics,
    read_input,
    removes_stale_output,
)
from graphc.config import load_project
from graphc.diagnostics import FileResult, has_errors
from graphc.lint import report_refused_ticks
from graphc.pipeline import compile_text, gc_paused


@click.command("compile", cls=StaleOutputCommand)
@click.argument("playbook", type=click.Path(dir_okay=False, allow_dash=True))
@compile_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the JSON here (missing folders are created). If the compile fails, a file already there is "
    "removed (and that is said), so an earlier run's graph never passes for this one's.",
)
@removes_stale_output("compile", "graph", inputs=("playbook", "quotes_path", "params_file"))
def compile_command(playbook, quotes_path, set_values, params_file, now, output):
    """Compile PLAYBOOK into the router's wire-format execution graph.

    PLAYBOOK is a YAML file with `graphc: 1`, or `-` for stdin. A wire graph
    (JSON with `nodes`) is already compiled: check it with `graphc lint`. A
    simple order (`symbol`, `side`, `qty`) needs no compiling: plan and submit
    take it as it is, and `graphc decompile` turns it into a playbook.

    Prints the JSON (2-space indent, stable key order), byte-identical on every
    run. It fails only on GC1xx input errors and on two expansion errors that
    leave no graph to print: two legs with one id after for_each/use expansion
    (GC203), and a template's `after:` naming a leg outside the template
    (GC202). Run `graphc lint` for the graph, venue, execution and risk rules.

    Exit status: 0 compiled, 1 input errors (or GC203/GC202 from an
    expansion), 2 usage error or unreadable input (GC112, or a file that cannot be read as text: GC100), 4 internal error.
    """
    text, path = read_input(playbook)  # GC112 and exit 2 when unreadable
    # The collector stays paused from the parse to the last byte written, and the graph is freed before it
    # runs again: re-enabled in between, its first collection re-scanned every object of the graph (a
    # 100,000-leg compile: a tenth of the run).
    with gc_paused():
        _compile(text, path, playbook, quotes_path, set_values, params_file, now, output)


def _compile(text, path, playbook, quotes_path, set_values, params_file, now, output):
    sources = [(text, path)] if playbook == "-" else [playbook]
    # graphc.toml's market settings shape generated prices and sizes exactly as lint checks them (spec §3.3)
    # one project for the file (its real path's; stdin: the working directory's): its config and its `use:` root
    root, config, config_diagnostics = load_project(None if playbook == "-" else playbook)
    exit_on_file_errors(config_diagnostics)
    options, quote_diagnostics = build_options(
        quotes_path, set_values, params_file, now, require_quotes=True, sources=sources, config=config
    )
    exit_on_file_errors(quote_diagnostics)  # the snapshot's own problems, shown as lint shows them
    options.project_root = str(root)
    result = compile_text(text, path, options)
    report_refused_ticks(result, options, config)  # as graphc.compile_file / compile_text (one function)
    errors = [d for d in result.diagnostics if d.code.startswith("GC1")]
    file_result = FileResult(result.path, result.source, result.diagnostics, [])
    if result.diagnostics:
        explain_live([file_result], options.quotes)
        errors = [d for d in file_result.diagnostics if d.code.startswith("GC1")]
        print_diagnostics([file_result])
    if result.wire is None or has_errors(errors):
        exit_on_findings(file_result)
    with open_output(output, what="the graph") as stream:
        result.write_wire_json(stream.write)  # streamed: a large graph is never one string
