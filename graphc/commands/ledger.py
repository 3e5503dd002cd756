"""``graphc ledger``: list submission runs; reconcile or resolve uncertain ones."""

from __future__ import annotations

import json
import time

import click

from graphc.commands.status import handle_api_errors, make_client, verbose_option

STALE_INTENT_S = 120


def _state_text(run) -> str:
    """An old intent without a graph id is shown for what it is: uncertain."""
    if run.state == "intent" and not run.graph_id and time.time_ns() - run.created_ns > STALE_INTENT_S * 10**9:
        return "intent (stale: uncertain)"
    return run.state


def _table(runs) -> list[str]:
    rows = [("ID", "CREATED (UTC)", "STATE", "MODE", "RUN KEY", "GRAPH")]
    for run in runs:
        rows.append(
            (
                str(run.id),
                run.created_at.replace("+00:00", ""),
                _state_text(run),
                "LIVE" if run.live else "sandbox",
                run.run_key,
                run.graph_id or "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows]


def _print_runs(ledger, state, as_json) -> None:
    runs = ledger.runs(state=state)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in runs], indent=2))
        return
    if not runs:
        click.echo(f"no runs in {ledger.path}")
        return
    for line in _table(runs):
        click.echo(line)
    for run in runs:
        if run.pending and run.error:
            click.echo(f"  run {run.id}: {run.error}")


def _reconcile_all(ledger, verbose) -> None:
    pending = ledger.pending()
    if not pending:
        click.echo("nothing to reconcile")
        return
    with make_client(verbose) as client:
        for run in pending:
            click.echo(ledger.reconcile(run.id, client).message)


def _resolve(ledger, run_id, graph_id, not_submitted) -> None:
    if bool(graph_id) == bool(not_submitted):
        raise click.UsageError("--resolve needs exactly one of --graph-id ID or --not-submitted")
    run = ledger.resolve(run_id, graph_id=graph_id, note="resolved by hand")
    click.echo(f"run {run.id}: {run.state}" + (f" (graph {run.graph_id})" if run.graph_id else ""))


@click.command("ledger")
@click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(dir_okay=False),
    help="Ledger file (default: .graphc/ledger.sqlite in the project root).",
)
@click.option(
    "--state",
    type=click.Choice(["intent", "submitted", "uncertain", "failed", "reconciled"]),
    help="Only runs in this state.",
)
@click.option("--json", "as_json", is_flag=True, help="Print runs as JSON.")
@click.option("--reconcile", is_flag=True, help="Ask the router about every unresolved run first.")
@click.option(
    "--resolve",
    "resolve_id",
    type=int,
    metavar="RUN_ID",
    help="Settle an uncertain run by hand (with --graph-id or --not-submitted).",
)
@click.option("--graph-id", help="With --resolve: the graph the run created.")
@click.option("--not-submitted", is_flag=True, help="With --resolve: the run never created a graph.")
@verbose_option
def ledger_command(ledger_path, state, as_json, reconcile, resolve_id, graph_id, not_submitted, verbose):
    """List submitted runs and their states.

    States: intent (written before the POST), submitted (graph id known),
    uncertain (the POST may or may not have been applied: reconcile it),
    failed (refused or never sent: safe to submit again), reconciled
    (an uncertain run whose graph was found afterwards).
    """
    from graphc.api.ledger import Ledger

    if (graph_id or not_submitted) and resolve_id is None:
        raise click.UsageError("--graph-id/--not-submitted go with --resolve RUN_ID")
    with handle_api_errors(), Ledger(ledger_path) as ledger:
        if resolve_id is not None:
            _resolve(ledger, resolve_id, graph_id, not_submitted)
            return
        if reconcile:
            _reconcile_all(ledger, verbose)
        _print_runs(ledger, state, as_json)
