"""``graphc ledger``: list submission runs; reconcile or resolve the unsettled ones."""

from __future__ import annotations

import json
import time

import click

from graphc.commands.common import api_errors, ledger_option, make_client


def _state_text(run) -> str:
    """A pending row that no process can still be working on is shown for what it is: uncertain."""
    from graphc.api.ledger import INTENT_GRACE_S  # deferred: the ledger (sqlite3); --help stays fast

    now = time.time_ns()
    if run.state == "intent" and now - run.created_ns > INTENT_GRACE_S * 10**9:
        return "intent (stale)"
    if run.state == "sent" and run.lands_by_ns and now > run.lands_by_ns:
        return "sent (stale: uncertain)"
    return run.state


def _table(runs) -> list[str]:
    rows = [("ID", "CREATED (UTC)", "STATE", "MODE", "RUN KEY", "GRAPH")]
    for run in runs:
        rows.append(
            (
                str(run.id),
                run.created_at.rstrip("Z"),
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
        click.echo(json.dumps([r.as_dict() for r in runs], indent=2, ensure_ascii=False))
        return
    if not runs:
        click.echo(f"no runs in {ledger.path}")
        return
    for line in _table(runs):
        click.echo(line)
    for run in runs:
        if run.pending and run.error:
            said = run.error if run.error.startswith(f"run {run.id} ") else f"run {run.id}: {run.error}"
            click.echo(f"  {said}")


def _reconcile_all(ledger, verbose) -> None:
    pending = ledger.pending()
    if not pending:
        click.echo("nothing to reconcile")
        return
    with make_client(verbose) as client:
        for run in pending:
            click.echo(ledger.reconcile(run.id, client).message)


def _resolve(ledger, run_id, graph_id, not_submitted) -> None:
    from graphc.api.client import GRAPH_ID_RE  # deferred: httpx; only --resolve checks a graph id

    if bool(graph_id) == bool(not_submitted):
        raise click.UsageError("--resolve needs exactly one of --graph-id ID or --not-submitted")
    if graph_id and not GRAPH_ID_RE.match(graph_id):
        raise click.BadParameter("not a graph id (letters, digits, _ . : - only)", param_hint="--graph-id")
    run = ledger.resolve(run_id, graph_id=graph_id, note="resolved by hand")
    click.echo(f"run {run.id}: {run.state}" + (f" (graph {run.graph_id})" if run.graph_id else ""))


@click.command("ledger")
@ledger_option()
@click.option(
    "--state",
    type=click.Choice(["intent", "sent", "confirmed", "uncertain", "absent"]),
    help="Only runs in this state.",
)
@click.option("--json", "as_json", is_flag=True, help="Print runs as JSON.")
@click.option("--reconcile", is_flag=True, help="Ask the router about every unsettled run first.")
@click.option(
    "--resolve",
    "resolve_id",
    type=int,
    metavar="RUN_ID",
    help="Settle an unsettled run by hand (with --graph-id or --not-submitted).",
)
@click.option("--graph-id", help="With --resolve: the graph the run created.")
@click.option("--not-submitted", is_flag=True, help="With --resolve: the run created no graph (it may be sent again).")
@click.option("-v", "--verbose", is_flag=True, help="Print one line per HTTP request (method, path, status, ms).")
@api_errors
def ledger_command(ledger_path, state, as_json, reconcile, resolve_id, graph_id, not_submitted, verbose):
    """List submitted runs and their states.

    States: intent (recorded before anything is sent), sent (on its way),
    confirmed (the router created its graph), uncertain (it may or may not
    have: reconcile it), absent (proven to have created nothing: safe to
    submit again). docs/submitting.md has the state machine.
    """
    from graphc.api.ledger import Ledger  # deferred: the ledger (sqlite3); --help stays fast

    if (graph_id or not_submitted) and resolve_id is None:
        raise click.UsageError("--graph-id/--not-submitted go with --resolve RUN_ID")
    with Ledger(ledger_path) as ledger:
        if resolve_id is not None:
            _resolve(ledger, resolve_id, graph_id, not_submitted)
            return
        if reconcile:
            _reconcile_all(ledger, verbose)
        _print_runs(ledger, state, as_json)
