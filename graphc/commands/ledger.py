"""``graphc ledger``: list submission runs; reconcile or resolve the unsettled ones."""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
import sys
import time
from pathlib import Path

import click

from graphc.api.errors import ConfigError
from graphc.api.redact import clean, json_text
from graphc.commands.common import EXIT_USAGE, api_errors, fail, ledger_option, make_client, write_output
from graphc.files import find_project_root
from graphc.report import one_line

EXIT_UNSETTLED = 3  # `--reconcile` left a run unsettled (undecided, or another scope's), or found a second graph


def _state_text(run, now_ns: int) -> str:
    """A pending row that no process can still be working on is shown for what it is read as (:meth:`Run.stale`)."""
    stale = run.stale(now_ns)
    return run.state if stale is None else f"{run.state} (stale: {stale})"


def _shown_in(run, state: str, now_ns: int) -> bool:
    """Whether ``--state STATE`` lists ``run``: its state, or what a stale row is read as (`sent (stale: uncertain)`
    is listed by `--state sent` and `--state uncertain`)."""
    return state in (run.state, run.stale(now_ns))


def _mode_text(live: bool | None) -> str:
    """LIVE, sandbox, or ``?`` for a graph found at the router: the router does not say whether it is LIVE."""
    return "?" if live is None else "LIVE" if live else "sandbox"


def _table(runs) -> list[str]:
    """The runs as a table. A run key or graph id is written with its control characters as escapes
    (docs/robustness.md, "What reports print"): a ledger written before graph ids from the router's order list
    were checked may hold one with a terminal escape, which must not reach the terminal."""
    rows = [("ID", "CREATED (UTC)", "STATE", "MODE", "RUN KEY", "GRAPH")]
    now = time.time_ns()
    for run in runs:
        rows.append(
            (
                str(run.id),
                run.created_at.rstrip("Z"),
                _state_text(run, now),
                _mode_text(run.live),
                clean(run.run_key, None),
                clean(run.graph_id, None) if run.graph_id else "-",  # a graph id from the router
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows]


def _know_the_key() -> None:
    """Register the configured key, if any, so it is masked in what this command prints: a ledger keeps graph
    ids and errors the router gave, and listing it talks to no router (so no client loads the key)."""
    from graphc.api.secrets import load_api_key  # deferred: tomllib; --help stays fast

    with contextlib.suppress(ConfigError, OSError):  # no readable key: nothing to mask; --reconcile reports it
        load_api_key()  # registers it (graphc.api.secrets.ApiKey)


def _print_runs(ledger, state, as_json) -> None:
    every = ledger.runs()
    now = time.time_ns()
    runs = [run for run in every if state is None or _shown_in(run, state, now)]
    if as_json:
        write_output(json_text([r.as_dict() for r in runs], ensure_ascii=False) + "\n", None)  # data: UTF-8
        return
    if not runs:
        if state is None or not every:
            click.echo(f"no runs in {one_line(str(ledger.path))}")
        else:  # not "no runs": the ledger holds runs, none of them in that state
            count = f"{len(every)} run" + ("" if len(every) == 1 else "s")
            click.echo(f"no {state} runs in {one_line(str(ledger.path))} ({count} in all)")
        return
    for line in _table(runs):
        click.echo(line)
    for run in runs:
        if run.pending and run.error:
            said = run.error if run.error.startswith(f"run {run.id} ") else f"run {run.id}: {run.error}"
            # what the last look found, dated: the router may list more since (`--reconcile` looks again)
            click.echo(f"  as of {run.updated_at}: {clean(said, None)}")
        for warning in run.warnings:  # what the look that found its graph learnt: never said only once
            click.echo(f"  run {run.id}: warning: {clean(warning, None)}")


def _reconcile_all(ledger, verbose, ledger_path=None) -> int:
    """Settle the unsettled runs of this router and key; list the other scopes' with how to reconcile them; then
    look again at the runs of this router and key confirmed in the last day (:data:`DUPLICATE_WINDOW_S`) for other
    graphs carrying their tag (:meth:`Ledger.look_for_duplicates`): a second trade, which two clones of a project
    (a ledger each) make when both send a run at once, and which no other command would look for.

    A run is only ever reconciled against the router and key it was sent with (docs/submitting.md,
    "Exactly once": a rehearsal against a sandbox never blocks the real one), so another scope's run is
    listed (never asked about, and it does not stop the others). Returns the exit code: 0 when no run of the
    ledger is left unsettled, 3 when one is (undecided here, or of another scope), so an unsettled run never
    reads as settled; 3 too when a look found a second graph its row did not name yet, or could not be done.

    Every run's look at the router reads the same list (``GET /v1/orders``), so once one fails because the
    router did (a request failed after its retries, or the scan ran out of its time), the runs after it are not
    asked: they are listed as not asked, and the command takes one failed look, not one per unsettled run
    (docs/submitting.md, "The ledger"). For the same reason the confirmed runs are looked at again together, in
    one read of the list (:func:`_look_again`): a runner's day of occurrences costs the list's pages, not that
    many per run (audit ops22 2).
    """
    from graphc.api.ledger import Scope, elsewhere  # deferred: the ledger (sqlite3); --help stays fast

    pending = ledger.pending()
    now = time.time_ns()
    recent = ledger.recently_confirmed(now)
    if not pending and not recent:
        click.echo("nothing to reconcile")
        return 0
    attention = False  # a second graph found (not named on its row before), or a look that could not be done
    with make_client(verbose) as client:
        scope = Scope.of(client)
        failed = None  # the run whose look at the router failed because the router did
        for run in pending:
            if not run.in_scope(scope):
                continue
            if failed is not None:
                click.echo(_not_asked(run, failed))
                continue
            result = ledger.reconcile(run.id, client)
            click.echo(clean(result.message, None))
            attention = attention or result.warning is not None
            if result.found is None and result.scan is not None and result.scan.router_failed:
                failed = run.id
        looked = [run for run in recent if run.in_scope(scope)]
        if looked and failed is not None:
            for run in looked:
                click.echo(_not_asked(run, failed, "looked at again"))
            attention = True
        elif looked:
            attention = _look_again(ledger, client, looked, now) or attention
    for run in pending:
        if not run.in_scope(scope):
            said = elsewhere(run, scope, f" --ledger {shlex.quote(ledger_path)}" if ledger_path else "")
            click.echo(f"run {run.id} ({clean(run.run_key, None)}) not reconciled here: {said}")
    return EXIT_UNSETTLED if ledger.pending() or attention else 0


def _look_again(ledger, client, runs, now_ns: int) -> bool:
    """Look again at ``runs`` (confirmed in the last day) for other graphs carrying their tags, all in one read of
    the router's order list (:meth:`Ledger.look_again_for_duplicates`); says what it found, or which runs it left
    unlooked when that read could not finish. True when something needs attention (exit 3): a second graph not
    named on its row before, or runs left unlooked."""
    checks = ledger.look_again_for_duplicates([run.id for run in runs], client)
    for check in checks:
        if check.warning is not None:
            run = check.run
            click.echo(f"run {run.id} ({clean(run.run_key, None)}) has graph {run.graph_id}; {check.warning}")
    unlooked = [check for check in checks if not check.done]
    if not unlooked:
        click.echo(_looked_again(runs, now_ns))
        return any(check.new for check in checks)
    detail = unlooked[0].scan.detail if unlooked[0].scan is not None else ""
    click.echo(
        f"the look again at the {_runs_confirmed_since(runs, now_ns)} for other graphs carrying their tags could not "
        f"finish: {clean(detail, None)}; whether they were sent more than once is not known (graphs named above "
        "were found before it stopped); run `graphc ledger --reconcile` again"
    )
    for check in unlooked:
        click.echo(f"run {check.run.id} ({clean(check.run.run_key, None)}) not looked at again")
    return True


def _not_asked(run, failed: int, what: str = "asked") -> str:
    return (
        f"run {run.id} ({clean(run.run_key, None)}) not {what}: the router failed while run {failed} was looked up, "
        "and every run is looked up in the same list; run `graphc ledger --reconcile` again"
    )


def _looked_again(runs, now_ns: int) -> str:
    """The line that says which confirmed runs were looked at again for a second graph carrying their tag."""
    return f"looked again at {_runs_confirmed_since(runs, now_ns)} for other graphs carrying their tags"


def _runs_confirmed_since(runs, now_ns: int) -> str:
    """``N runs confirmed since T (the last 24 hours)``: those `--reconcile` looks at again."""
    from graphc.api.ledger import DUPLICATE_WINDOW_S, iso  # deferred: the ledger (sqlite3); --help stays fast

    count = f"{len(runs)} run" + ("" if len(runs) == 1 else "s")
    return (
        f"{count} confirmed since {iso(now_ns - DUPLICATE_WINDOW_S * 10**9)} (the last "
        f"{DUPLICATE_WINDOW_S // 3600} hours)"
    )


def _resolve(ledger, run_id, graph_id, not_submitted) -> None:
    from graphc.api.client import is_graph_id  # deferred: httpx; only --resolve checks a graph id

    if bool(graph_id) == bool(not_submitted):
        raise click.UsageError("--resolve needs exactly one of --graph-id ID or --not-submitted")
    if graph_id and not is_graph_id(graph_id):
        raise click.BadParameter("not a graph id (letters, digits, _ . : - only)", param_hint="--graph-id")
    run = ledger.resolve(run_id, graph_id=graph_id, note="resolved by hand")
    click.echo(f"run {run.id}: {run.state}" + (f" (graph {clean(run.graph_id, None)})" if run.graph_id else ""))


def _no_ledger_no_listing(ledger_path) -> None:
    """Exit 2 when there is no ledger to read: opening one would create it (and its folders), and an empty
    listing of a mistyped path, or of the wrong folder's project, reads as "nothing was submitted". An empty file
    (a placeholder) holds no ledger either: opening it would write graphc's schema into it (audit compat27 2)."""
    from graphc.api.ledger import default_ledger_path  # deferred: the ledger (sqlite3); --help stays fast

    path = Path(ledger_path) if ledger_path is not None else default_ledger_path()
    try:
        info = os.lstat(path)
    except OSError:
        info = None
    if info is not None and not (stat.S_ISREG(info.st_mode) and info.st_size == 0):
        return
    if ledger_path is not None:
        fail(f"no ledger at {path}: nothing was recorded there (check the path)", EXIT_USAGE)
    fail(
        f"no ledger at {path}: nothing was submitted from this project ({find_project_root()}) yet, or this is not "
        "the folder of the project whose runs you want; run `graphc ledger` in that project, or pass --ledger PATH",
        EXIT_USAGE,
    )


@click.command("ledger")
@ledger_option()
@click.option(
    "--state",
    type=click.Choice(["intent", "sent", "confirmed", "uncertain", "absent"]),
    help="Only runs in this state, or read as in it: a `sent` row whose request can no longer land is listed by "
    "`uncertain` too (shown `sent (stale: uncertain)`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print runs as JSON.")
@click.option(
    "--reconcile",
    is_flag=True,
    help="First ask the router (SEQUENCE_API_URL, with this API key) about every unsettled run sent to it, and "
    "look again at the runs it confirmed in the last 24 hours for other graphs carrying their tag (a second "
    "trade); runs sent to another router or with another key are listed with the command that reconciles them.",
)
@click.option(
    "--resolve",
    "resolve_id",
    type=int,
    metavar="RUN_ID",
    help="Settle an unsettled run by hand (with --graph-id or --not-submitted).",
)
@click.option(
    "--graph-id",
    help="With --resolve: the graph the run created; refused for a sent run while its request may still land.",
)
@click.option(
    "--not-submitted",
    is_flag=True,
    help="With --resolve: the run created no graph (it may be sent again); refused while its request may still land.",
)
@click.option("-v", "--verbose", is_flag=True, help="Print one line per HTTP request (method, path, status, ms).")
@api_errors
def ledger_command(ledger_path, state, as_json, reconcile, resolve_id, graph_id, not_submitted, verbose):
    """List submitted runs and their states.

    States: intent (recorded before anything is sent), sent (on its way),
    confirmed (the router created its graph), uncertain (it may or may not
    have: reconcile it), absent (proven to have created nothing: safe to
    submit again). docs/submitting.md has the state machine. A row no
    process can still be working on is shown with what it is read as:
    `sent (stale: uncertain)`, `intent (stale: abandoned)` (`"stale"` in
    --json), and --state takes it as that state too.

    The ledger is read where it is: this command never creates one. With no
    ledger at the path (--ledger PATH, or .graphc/ledger.sqlite in the project
    of the current folder), or an empty file, it says `no ledger at PATH`,
    exit 2: that is not "no runs" (the runs may be in another project's
    ledger).

    `--resolve RUN_ID --not-submitted` is refused while the run's request may
    still reach the router (before the time the refusal names): a look at the
    router before then proves nothing. `--resolve RUN_ID --graph-id ID` is
    refused for a `sent` run until then too: another graphc may be sending it,
    and records the graph the router answers with (`--reconcile` records one
    already listed).

    Exit status: 0 listed (with --reconcile: and no run is left unsettled);
    2 bad arguments, unknown run, no ledger at the path, ledger error, --resolve
    --graph-id of a sent run whose request may still land; 3 with
    --reconcile: a run is still unsettled (the router could not settle it yet,
    or it was sent to another router or with another key: the line for it says
    how to reconcile it there), or a second graph carrying a run's tag was
    found (its row did not name it yet), or that look could not be done; with
    --resolve --not-submitted: the run's request may still land (nothing
    recorded).
    """
    from graphc.api.ledger import Ledger  # deferred: the ledger (sqlite3); --help stays fast

    if (graph_id or not_submitted) and resolve_id is None:
        raise click.UsageError("--graph-id/--not-submitted go with --resolve RUN_ID")
    _no_ledger_no_listing(ledger_path)
    _know_the_key()
    with Ledger(ledger_path) as ledger:
        if resolve_id is not None:
            _resolve(ledger, resolve_id, graph_id, not_submitted)
            return
        code = _reconcile_all(ledger, verbose, ledger_path) if reconcile else 0
        _print_runs(ledger, state, as_json)
    if code:
        sys.exit(code)
