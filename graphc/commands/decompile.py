"""``graphc decompile``: a wire graph (or simple order) -> an idiomatic playbook."""

from __future__ import annotations

import sys

import click

from graphc.commands.common import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    StaleOutputCommand,
    exit_on_findings,
    print_diagnostics,
    read_input,
    removes_stale_output,
    write_output,
)
from graphc.decompile import DecompileError, decompile, decompile_simple_order, round_trip_difference
from graphc.diagnostics import Diagnostic, FileResult, has_errors
from graphc.humanize import playbook_name
from graphc.pipeline import gc_paused
from graphc.report import one_line
from graphc.wire_input import read_graph_input


@click.command("decompile", cls=StaleOutputCommand)
@click.argument("wire", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the playbook here (missing folders are created). If the decompile fails, a file already there is "
    "removed (and that is said), so an earlier run's playbook never passes for this one's.",
)
@removes_stale_output("decompile", "playbook", inputs=("wire",))
def decompile_command(wire, output):
    """Turn WIRE (the router's JSON graph, or a simple order) into a playbook.

    The playbook uses shorthand sides, human units and `after:` triggers, and
    leaves out what graphc infers. What the graph leaves to the router is read
    as the router reads it, each with a note on stderr: a node without
    `instrument.type` is spot and one without `activation` root when no edge
    leads to it, else wait (GC111); one without `execution.policy` is sor; a
    graph without `is_sandbox` is sandboxed (a playbook's default). A simple
    order gets the same notes for what it leaves out, one for its sandbox and
    leg id `order`, one when its type comes from its symbol's shape or its
    venue, and one when the playbook pins the venue of a prediction market the
    order leaves to the router; a lower-case, hyphenated symbol read as spot is
    noted as a possible Polymarket slug (add `venue: polymarket` to the leg if
    it is one). Edge ids
    other than e0, e1, ... are renumbered in order, with a note naming each
    renamed edge by its place and old id (`edge 2 (id e0, a repeat) becomes
    e1`). The
    playbook is compiled again before it is written: if it would not give back
    the same wire graph as JSON (the same keys and values; key order, number
    spelling and layout may differ), with exactly those filled in and
    renumbered, nothing is written and the command says where the two differ.

    WIRE is a JSON file or `-` for stdin.

    Exit status: 0 written, 1 input errors or no exact round trip, 2 usage
    error or unreadable input (a playbook given instead of wire JSON), 4
    internal error.
    """
    text, path = read_input(wire)
    with gc_paused():  # a large graph: millions of objects the collector would re-scan again and again
        _decompile(text, path, playbook_name(wire), output)


def _decompile(text, path, name, output):
    loaded = read_graph_input(text, path)
    if loaded.diagnostics:
        print_diagnostics([FileResult(path, text, loaded.diagnostics, [])])
    if loaded.kind == "playbook":
        click.echo(f"graphc: {one_line(path)} is already a playbook; decompile reads wire JSON", err=True)
        sys.exit(EXIT_USAGE)
    if loaded.wire is None or has_errors(loaded.diagnostics):
        exit_on_findings(FileResult(path, text, loaded.diagnostics, []))
    try:
        result = (decompile_simple_order if loaded.kind == "simple" else decompile)(loaded.wire, name)
    except DecompileError as exc:  # a diagnostic like any bad input's, at the offending value
        refused = Diagnostic(exc.code, exc.message, path, loaded.span(exc.at), hint=exc.hint)
        found = FileResult(path, text, [refused], [])
        print_diagnostics([found])
        exit_on_findings(found)
    playbook = result.text
    difference = round_trip_difference(playbook, result.wire, result.playbook)
    if difference:
        shown = one_line(f"{path}: the playbook would not compile back to the same graph ({difference})")
        click.echo(f"graphc: {shown}", err=True)
        sys.exit(EXIT_FINDINGS)
    for note in result.notes:
        click.echo(f"graphc: note: {one_line(note)}", err=True)
    write_output(playbook, output, what="the playbook")
