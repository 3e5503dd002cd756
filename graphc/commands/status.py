"""``graphc status``, ``resume``, ``amend``, ``cancel`` and ``kill-switch``: one graph, or the whole desk.

They are thin: parse arguments, call :class:`graphc.api.client.Client`, print.
Remote failures print one line and exit 3; configuration problems (no key,
unsafe credentials file, bad URL) exit 2; no tracebacks. Everything printed
from the router's answers is cleaned first (secrets, terminal escapes).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import time

import click

from graphc.api.errors import UncertainOutcome
from graphc.api.redact import clean, json_text
from graphc.commands.common import (
    EXIT_FINDINGS,
    EXIT_USAGE,
    FiniteFloat,
    api_errors,
    before_sending,
    echo_done,
    fail,
    follow_and_report,
    ledger_option,
    leg_unit,
    make_client,
    parse_seconds,
    render_graph,
    report_outcome,
    say_unsaid,
    show_file_problems,
    write_output,
)
from graphc.vocabulary import MAX_SLIPPAGE_BPS


def _check_graph_id(ctx, param, value):
    from graphc.api.client import is_graph_id  # deferred: httpx; --help stays fast

    if not is_graph_id(value):
        raise click.BadParameter("not a graph id (letters, digits, _ . : - only)")
    return value


graph_id_argument = click.argument("graph_id", callback=_check_graph_id)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help="Print one line per HTTP request (method, path, status, ms)."
)


@click.command("status")
@graph_id_argument
@click.option("--watch", is_flag=True, help="Follow the graph until it completes, is cancelled, fails or pauses.")
@click.option(
    "--interval",
    type=FiniteFloat(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between polls with --watch.",
)
@click.option("--timeout", metavar="DURATION", help="With --watch: stop following after this long (90s, 10m, 2h).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the router's JSON answer once (secrets redacted, control characters escaped); not with --watch.",
)
@verbose_option
@api_errors
def status_command(graph_id, watch, interval, timeout, as_json, verbose):
    """Show the progress of a submitted graph: per node filled / target,
    average price and status.

    With --watch the exit code is 0 when the graph completed with every leg
    filled to its target, 1 when it was cancelled, failed, paused (resume it
    with `graphc resume GRAPH_ID`), completed with a leg rejected, failed,
    still executing or only partly filled (partial_fill, or filled short of
    its target; each named on stderr) or the --timeout passed; 3 on a router
    error or an answer in an undocumented shape (a graph status outside the
    reference's five: active, completed, cancelled, failed, paused; a leg's
    status outside its seven: pending, executing, filled, partial_fill,
    cancelled, rejected, failed, or none) or an inconsistent one (a leg
    filled beyond its target, or filled with no target). --json prints the answer
    once and goes without --watch and --timeout (a usage error, exit 2).

    Without --watch the block is printed once. A graph still active, or
    paused, exits 0; a finished one (completed, cancelled, failed) is judged
    as --watch judges it at its end: the same `graph GRAPH_ID STATUS` line,
    the same lines on stderr and the same exit code (1 for a leg short of its
    target, 3 for one beyond it).
    """
    from graphc.api.follow import (  # deferred: the wire emitter; --help fast
        check_leg_statuses,
        check_ranges,
        graph_view,
        resume_command,
    )

    if as_json and (watch or timeout is not None):  # audit status28 7: the watch was dropped, exit 0 while trading
        raise click.UsageError(
            f"--json goes without {'--watch' if watch else '--timeout'}: --json prints the router's answer once, for "
            "programs; --watch follows the graph to its end, for people (its exit code says how it ended)"
        )
    if timeout is not None and not watch:
        raise click.UsageError("--timeout goes with --watch")
    seconds = parse_seconds(timeout, "--timeout")
    with make_client(verbose) as client:
        if as_json:
            answer = client.get_graph(graph_id, exact=True)
            check_ranges(answer, graph_id)  # as the block reads them: the two views of one answer agree
            write_output(json_text(answer) + "\n", None)  # its numbers as they came; data, as every command writes it
            return
        if not watch:
            view = graph_view(client.get_graph(graph_id), graph_id, leg_statuses=False)
            for line in render_graph(view):
                click.echo(line)
            check_leg_statuses(view)  # shown as it came, then refused, as --watch does (audit review28 6)
            if view.status == "paused":
                resume = resume_command(graph_id, _recorded_live(client, graph_id, view))
                click.echo(f"graph {graph_id} is paused; resume it with {resume}", err=True)
            if not view.terminal:  # still running, or paused: nothing to judge yet, exit 0
                return
            # a finished graph: the verdict --watch gives at its end, by the same function and in the same words (a
            # leg filled short of its target exit 1, beyond it exit 3), not exit 0 whatever its legs show
            sys.exit(report_outcome(view, lambda node: _recorded_unit(client, graph_id, node), click.echo))
        try:
            code = follow_and_report(
                client,
                graph_id,
                interval=interval,
                timeout=seconds,
                live=lambda: _recorded_live(client, graph_id),
                unit_of=lambda node: _recorded_unit(client, graph_id, node),
            )
        except KeyboardInterrupt:
            click.echo(f"\nstopped watching; the graph keeps running (graphc status {graph_id})", err=True)
            sys.exit(130)
    sys.exit(code)


@click.command("resume")
@graph_id_argument
@ledger_option(
    "Ledger that recorded the graph's submission, which says whether it is LIVE (default: .graphc/ledger.sqlite)."
)
@click.option(
    "--live",
    is_flag=True,
    help="Allow resuming a LIVE graph (the ledger's copy of it must also say `sandbox: false`, as submit's --live).",
)
@verbose_option
@api_errors
def resume_command(graph_id, ledger_path, live, verbose):
    """Resume a paused graph: its pending nodes re-evaluate their triggers
    (POST /v1/execution_graphs/GRAPH_ID/resume).

    A LIVE graph (the ledger recorded it with `sandbox: false`) is resumed
    only with --live, as it was submitted and is amended only with --live:
    its pending nodes are real-money orders. Nothing is sent without it.
    Without the ledger's copy of the graph (another folder: --ledger PATH
    names it), it is resumed with a note that this was not checked.

    Exit status: 0 resumed; 2 a LIVE graph without --live, or a stdout that
    cannot take the notes printed before the request (nothing sent either
    way), bad arguments or configuration; 3 the router refused (e.g. the graph is
    not paused; also when it answers 2xx with the status rejected, failed or
    error: its reason is printed), the answer is about another graph, or the
    answer was lost (check with `graphc status`).
    """
    from graphc.api.ledger import default_ledger_path  # deferred: the ledger (sqlite3); --help stays fast

    with make_client(verbose) as client:
        record = _recorded_graph(client, graph_id, ledger_path or default_ledger_path())
        shown = _live_opt_in(graph_id, record, live, why="a resume starts its real-money orders again", verb="resume")
        with before_sending(f"graph {graph_id} was not resumed"):  # a stdout that cannot take them: nothing sent
            if record.elsewhere is not None:
                click.echo(f"note: {record.elsewhere}")
            if record.node is None:
                click.echo(
                    f"note: graphc has no copy of graph {graph_id} ({record.missing}); not checked: whether the graph "
                    "is LIVE"
                )
        check = f"check with `graphc status {graph_id}` (resuming twice is harmless)"
        try:
            answer = client.resume_graph(graph_id)
        except UncertainOutcome as exc:
            fail(f"{exc}; {check}", exc.exit_code)
    _same_graph(answer, graph_id, f"POST /v1/execution_graphs/{graph_id}/resume", "resumed", check)
    said = f"{shown}: {_status_of(answer, 'resumed')}"
    refused = _routers_no(answer, "resume")
    if refused is not None:  # a wrapper must not read the router's no as a graph trading again (audit follow26 2)
        fail(f"{said}: {refused}; the graph may still be paused: {check}", 3)
    echo_done(said)


def _recorded_graph(client, graph_id: str, ledger_path, view=None):
    """What the ledger at ``ledger_path`` holds of graph ``graph_id`` (:func:`graphc.amend.recorded_node`, the lookup
    amend makes: under any router URL or API key), by way of one of the graph's nodes as the router shows them
    (``view``, else read now): its copy of the graph sent, which says whether it is LIVE."""
    from graphc.amend import recorded_node  # deferred: units
    from graphc.api.follow import graph_view  # deferred: the wire emitter; --help stays fast
    from graphc.api.ledger import Scope  # deferred: the ledger (sqlite3); --help stays fast

    if view is None and not os.path.isfile(ledger_path):  # no ledger, no copy: the router is not asked for a node
        return recorded_node(ledger_path, Scope.of(client), graph_id, "")
    view = view or graph_view(client.get_graph(graph_id), graph_id, leg_statuses=False)
    node_id = view.nodes[0].node_id if view.nodes else ""
    return recorded_node(ledger_path, Scope.of(client), graph_id, node_id)


def _recorded_live(client, graph_id: str, view=None) -> bool:
    """Whether the project's ledger recorded graph ``graph_id`` as LIVE, for the resume command a hint names
    (`graphc resume G --live`); False when it holds no copy of it or cannot be read: a hint is no refusal."""
    from graphc.api.errors import ApiError, LedgerError  # deferred: only the router commands need it
    from graphc.api.ledger import default_ledger_path  # deferred: the ledger (sqlite3); --help stays fast

    try:
        node = _recorded_graph(client, graph_id, default_ledger_path(), view).node
    except (ApiError, LedgerError):
        return False
    return node is not None and node.live


def _recorded_unit(client, graph_id: str, node) -> str | None:
    """The units of a leg (``node``, a NodeView) as the project's ledger recorded its graph (``ETH``, ``shares``);
    None when it holds no copy of it or cannot be read: the numbers are then shown as the progress block shows
    them, without a unit."""
    from graphc.amend import recorded_node  # deferred: units
    from graphc.api.errors import LedgerError  # deferred: only the router commands need it
    from graphc.api.ledger import Scope, default_ledger_path  # deferred: the ledger (sqlite3); --help stays fast

    try:
        recorded = recorded_node(default_ledger_path(), Scope.of(client), graph_id, node.node_id).node
    except LedgerError:
        return None
    return None if recorded is None else leg_unit(recorded.symbol, recorded.type_, recorded.venue)


def _status_of(answer: dict, default: str) -> str:
    status = answer.get("status")
    return clean(status, 40) if isinstance(status, str) else default


@click.command("amend")
@graph_id_argument
@click.argument("node")
@click.option(
    "--qty",
    metavar="AMOUNT",
    help="New total size, written as in a playbook: 0.02 (base units), 0.02 BTC (the node's base asset), "
    "$600 or 600 USD (divided by the node's limit price).",
)
@click.option("--urgency", type=click.Choice(["low", "medium", "high"]), help="New urgency.")
@click.option(
    "--slippage", metavar="BPS", type=click.IntRange(min=1, max=MAX_SLIPPAGE_BPS), help="New max slippage in bps."
)
@click.option(
    "--horizon",
    metavar="DURATION",
    help="New execution horizon, written as in a playbook: 30s, 1m30s, 500ms; a bare number is milliseconds.",
)
@ledger_option(
    "Ledger that recorded the graph's submission, for amend's checks; the amend is recorded there too, with the "
    "time until which it may land (default: .graphc/ledger.sqlite)."
)
@click.option(
    "--live",
    is_flag=True,
    help="Allow amending a LIVE graph (the ledger's copy of it must also say `sandbox: false`, as submit's --live).",
)
@click.option(
    "--yes",
    is_flag=True,
    help="Allow a new size more than 10x the node's size (graphc's own guard, not a router rule).",
)
@verbose_option
@api_errors
def amend_command(graph_id, node, qty, urgency, slippage, horizon, ledger_path, live, yes, verbose):
    """Change a running node's size, urgency, slippage or horizon
    (PATCH /v1/execution_graphs/GRAPH_ID/nodes/NODE). NODE is the leg's name
    as the playbook gave it. Only the options given change.

    A LIVE graph (the ledger recorded it with `sandbox: false`) is amended
    only with --live, as it was submitted only with --live; nothing is sent
    without it.

    --qty and --horizon read sizes and durations as the playbook does. The
    node's symbol and limit price and the graph's max_notional come from the
    ledger that recorded the submission (under whatever router URL or API key
    it did); without it --qty takes only a plain number of base units, and a
    size larger than the node's is refused, as none of its checks can run. A
    dollar size rounds down to the venue's lot; a size in units that is not a
    whole number of lots is refused. graphc prints the size change first (and
    a note when it could not compare the graph's max_notional) and refuses
    (nothing sent) a size whose notional at the limit is above the graph's
    max_notional, or one more than 10x the node's size unless --yes is given.

    Every amend runs graphc lint's rules on the recorded graph with the node
    changed as the PATCH changes it: an error on that node (a size below the
    venue's minimum, a horizon shorter than the TWAP) refuses the amend,
    nothing sent; a warning is printed. Checks that could not run are named.

    The PATCH is sent once, never retried after it may have reached the
    router. A lost answer is read back where the router shows it (a node's
    size): shown, the amend is done; else it is UNCERTAIN (it may have been
    applied, or may still be until the time named), and until then an amend
    of the node that sets one of its fields to another value is refused,
    nothing sent (landing late, the earlier one would undo it).

    Exit status: 0 accepted (or its answer was lost and the size reads back); 1 the project's graphc.toml has errors (nothing sent); 2 bad arguments, unknown node,
    a LIVE graph without --live, a refused size or a lint error, or a stdout that cannot take the lines printed
    before the PATCH (nothing sent); 3 the router refused (also when it answers 2xx with
    the status rejected, failed or error: its reason is printed), the answer was lost (UNCERTAIN), or an earlier
    amend this one could be undone by may still land (nothing sent).
    """
    from graphc.amend import (  # deferred: units
        MAX_FACTOR,
        AmendRefused,
        horizon_ms,
        max_notional_unchecked,
        new_qty_1e8,
        recorded_node,
        size_change,
        size_guard_unapplied,
        unchecked_increase,
    )
    from graphc.api.follow import graph_view  # deferred: the wire emitter; --help stays fast
    from graphc.api.ledger import Scope, default_ledger_path  # deferred: the ledger (sqlite3)

    changes: dict = {}
    if urgency is not None:
        changes["urgency"] = urgency
    if slippage is not None:
        changes["max_slippage_bps"] = slippage
    if horizon is not None:
        try:
            changes["horizon_ms"] = horizon_ms(horizon)
        except AmendRefused as exc:
            raise click.BadParameter(str(exc), param_hint="--horizon") from None
    if qty is None and not changes:
        raise click.UsageError("give at least one of --qty, --urgency, --slippage, --horizon")
    ledger = ledger_path or default_ledger_path()
    config = _project_config(ledger)  # a broken one refuses the amend before the router is asked anything
    with make_client(verbose) as client:
        view = graph_view(client.get_graph(graph_id), graph_id, leg_statuses=False)  # it reads node ids and sizes
        matches = [n for n in view.nodes if node in (n.name, n.node_id)]
        if len(matches) != 1:
            names = ", ".join(n.name for n in view.nodes) or "none"
            fail(f"graph {graph_id} has no node {node!r} (its nodes: {names})", EXIT_USAGE)
        target = matches[0]
        record = recorded_node(ledger, Scope.of(client), graph_id, target.node_id, config.market_config)
        recorded = record.node
        shown = _live_opt_in(graph_id, record, live, why="an amend changes a real-money order", verb="amend")
        with before_sending(f"node {target.name} of graph {graph_id} was not amended"):  # its lines come first
            if record.elsewhere is not None:
                click.echo(f"note: {record.elsewhere}")
            if qty is not None:
                try:
                    changes["qty_1e8"] = new_qty_1e8(qty, recorded, record.missing)
                    unchecked = unchecked_increase(changes["qty_1e8"], target.target_qty_1e8, record, target.name)
                    if unchecked is not None:
                        raise AmendRefused(unchecked)
                    change = size_change(changes["qty_1e8"], target.target_qty_1e8, recorded, confirmed=yes)
                except AmendRefused as exc:
                    fail(f"--qty: {exc}", EXIT_USAGE)
                click.echo(f"{shown} node {target.name}: {change}")
                not_compared = None if recorded is None else max_notional_unchecked(recorded, target.name)
                if not_compared is not None:  # a skipped guard must not read as passed
                    click.echo(f"note: the graph's max_notional was not compared: {not_compared}")
                unapplied = None if yes else size_guard_unapplied(target.target_qty_1e8, target.name)
                if unapplied is not None:
                    click.echo(f"note: the {MAX_FACTOR}x size guard could not be applied: {unapplied}")
            if recorded is None:  # what could not be checked, and why, once
                skipped = ["the graph's max_notional"] if qty is not None else []
                skipped += ["graphc lint's checks of the amended node", "whether the graph is LIVE"]
                click.echo(
                    f"note: graphc has no copy of graph {graph_id} ({record.missing}); not checked: {', '.join(skipped)}"
                )
            else:
                _lint_amended_node(graph_id, target.name, recorded, changes, config)
        typed = _typed("amend", graph_id, target.name, qty=qty, urgency=urgency, slippage=slippage, horizon=horizon)
        answer = _send_amend(ledger, client, graph_id, target, changes, typed)
    said = f"{shown} node {target.name}: {_status_of(answer, 'amend sent')} ({', '.join(sorted(changes))})"
    refused = _routers_no(answer, "amend")
    if refused is not None:
        fail(f"{said}: {refused}", 3)
    echo_done(said)


# The amend option that sets each field of the PATCH (what a person reads in a message about the field).
AMEND_OPTIONS = {
    "qty_1e8": "--qty",
    "urgency": "--urgency",
    "max_slippage_bps": "--slippage",
    "horizon_ms": "--horizon",
}


def _typed(*words, **options) -> str:
    """The command as a person would type it (``graphc amend G a --qty 0.15``), quoted, for the ledger's record
    of a change and the messages that name it; an option given as None is left out."""
    parts = ["graphc", *map(str, words)]
    for name, value in options.items():
        if value is not None:
            parts += [f"--{name}", str(value)]
    return f"`{shlex.join(parts)}`"


def _send_amend(ledger_path, client, graph_id, target, changes, typed) -> dict:
    """The PATCH, sent once and recorded in the ledger with its landing window (:func:`graphc.api.changes.send_change`):
    refused, nothing sent, while an earlier amend of the node that sets one of these fields to another value may
    still land (it would undo this one, audit ops19 1), unless the node's size as the router shows it proves that
    one landed (:func:`graphc.api.changes.landed`). An answer lost is looked at again (:func:`_looked_again`):
    shown applied, it is done, with a note saying how graphc knows; else UNCERTAIN, exit 3, saying what the router
    shows and until when this amend may still land (audit ops19 4)."""
    from graphc.api.changes import landed, send_change  # deferred: the ledger (sqlite3); --help stays fast
    from graphc.api.errors import PendingChange  # deferred: as above
    from graphc.api.ledger import Ledger, iso  # deferred: as above
    from graphc.submit import landing_margin, landing_time_s  # deferred: the submitter's landing window

    margin = landing_margin()
    options = ", ".join(AMEND_OPTIONS[key] for key in changes)
    node = f"graph {graph_id} node {target.name}"
    key = f"{graph_id}/{target.node_id}"
    with Ledger(ledger_path) as ledger:
        for earlier in landed(ledger, key, target.target_qty_1e8):
            click.echo(
                f"graphc: note: the earlier {earlier.said} (ledger change {earlier.id}) has landed: the router shows "
                f"node {target.name}'s size as {_size(target.target_qty_1e8)}, the size it sets",
                err=True,
            )
        try:
            sent = send_change(
                ledger,
                client,
                "amend",
                key,
                changes,
                typed,
                lambda send_by: client.amend_node(graph_id, target.node_id, changes, send_by_ns=send_by),
                landing_s=landing_time_s(client, margin),
                margin=margin,
                seen={"target_qty_1e8": target.target_qty_1e8},
                refuse=True,
            )
        except PendingChange as exc:
            until = iso(max(c.lands_by_ns for c in exc.changes))
            fail(f"{node}: nothing sent: {exc}; send this amend again after {until}", exc.exit_code)
        assert sent.change is not None  # recorded: a ledger was given
        for warning in sent.warnings:
            click.echo(f"graphc: warning: {clean(warning, None)}", err=True)
        if sent.lost is None:
            assert sent.answer is not None  # a 2xx: the change is settled
            return sent.answer
        applied, looked = _looked_again(ledger, client, graph_id, target, changes, sent.change)
    if applied:
        click.echo(f"graphc: note: {sent.lost}; {looked}", err=True)
        return {"status": "applied, read back"}
    fail(
        f"{sent.lost}; {looked}. The amend of {node} may have been applied, or may still be until "
        f"{iso(sent.change.lands_by_ns)} (ledger change {sent.change.id}): look at the node with "
        f"`graphc status {graph_id}`. Until then graphc refuses an amend of node {target.name} that sets "
        f"{options} to another value: this one, landing after it, would undo it (the same amend again is "
        "harmless)",
        sent.lost.exit_code,
        prefix="UNCERTAIN",
    )


def _looked_again(ledger, client, graph_id, target, changes, change) -> tuple[bool, str]:
    """Whether the router's status shows that the amend ``change``, whose answer was lost, was applied, and what it
    shows. Only a size can be seen: the reference's Get Graph Status gives each node's ``target_qty_1e8`` and none
    of its execution fields. The amend was sent once, so the node at its size (not shown before) is that request
    landed (:func:`graphc.api.changes.landed`, which settles it)."""
    from graphc.api.changes import landed  # deferred: the ledger (sqlite3); --help stays fast
    from graphc.api.errors import ApiError  # deferred: only the router commands need it
    from graphc.api.follow import graph_view  # deferred: the wire emitter; --help stays fast

    if "qty_1e8" not in changes:
        return False, "the router's status does not show a node's urgency, slippage or horizon, so graphc cannot look"
    try:
        nodes = graph_view(client.get_graph(graph_id), graph_id, leg_statuses=False).nodes
    except ApiError as exc:
        return False, f"graphc could not read the node back ({exc})"
    shown = [n.target_qty_1e8 for n in nodes if n.node_id == target.node_id]
    if len(shown) != 1:
        return False, f"graphc read the graph back, and the router's status does not show node {target.name}"
    size, before = shown[0], target.target_qty_1e8
    said = f"graphc read the node back: the router shows its size as {_size(size)}"
    if change.id in {c.id for c in landed(ledger, change.target, size)}:
        return True, f"{said}, the size this amend sets (it showed {_size(before)} before), so the amend was applied"
    if size == changes["qty_1e8"]:
        return False, f"{said}, the size this amend sets, which it showed before too: that proves nothing"
    return False, f"{said}, not the size this amend sets"


def _size(qty_1e8: int) -> str:
    from graphc.humanize import amount_of  # deferred: the wire emitter; --help stays fast
    from graphc.numbers import plain  # deferred: as above

    return plain(amount_of(qty_1e8))


# A 2xx answer whose status says the request did not happen. No source documents the answer to an amend or a
# cancel (orders-and-execution-graphs.md shows the PATCH's request only; the DELETE "Returns 200 on success");
# the reference's uniform amend answers {"status": "accepted"}, so a status saying the opposite is the router's
# no (docs/submitting.md), for amend, cancel and resume alike. A cancel's `failed` is also a graph status: cancel
# reads the graph back before calling it a refusal (_failed_or_refused).
REFUSING_STATUSES = frozenset({"rejected", "failed", "error"})


def _routers_no(answer: dict, what: str) -> str | None:
    """Why the router refused the ``what`` (amend, cancel, resume) it answered with a 2xx (its reason, cleaned), or
    None when it did not."""
    status = answer.get("status")
    if not isinstance(status, str) or status.strip().lower() not in REFUSING_STATUSES:
        return None
    for key in ("reason", "message", "detail", "error"):
        reason = answer.get(key)
        if isinstance(reason, dict):
            reason = reason.get("message") or reason.get("code")
        if isinstance(reason, str) and reason.strip():
            return f"the router refused the {what}: {clean(reason, 200)}"
    return f"the router refused the {what} (its answer gives no reason)"


def _same_graph(answer: dict, graph_id: str, where: str, done: str, check: str) -> None:
    """Exit 3 when the 2xx ``answer`` to a change of graph ``graph_id`` (a cancel, a resume) is about another graph
    (status's check, :func:`graphc.api.follow.check_same_graph`): it must not read as this one's change, whether
    it was ``done`` (cancelled, resumed) is unknown, and ``check`` says how to look."""
    from graphc.api.errors import ApiProtocolError  # deferred: only the router commands need it
    from graphc.api.follow import check_same_graph  # deferred: the wire emitter; --help stays fast

    try:
        check_same_graph(answer, graph_id, where)
    except ApiProtocolError as exc:
        fail(f"{exc}; whether graph {graph_id} was {done} is unknown: {check}", exc.exit_code)


def _live_opt_in(graph_id, record, live: bool, *, why: str, verb: str) -> str:
    """The double opt-in of playbook-spec §2, for a change of a running graph (amend, resume): a graph the ledger's
    copy (``record``) says is LIVE is refused (exit 2, nothing sent) without --live, as its submission was; ``why``
    says what the change does to real money, ``verb`` names the command. ``--live`` makes no graph live (a warning
    for a sandbox one). Returns the graph as the command's lines name it: ``graph ID (LIVE)`` for a live one."""
    node = record.node
    if node is not None and node.live and not live:
        fail(
            f"graph {graph_id} is LIVE (ledger run {record.run_id} sent it with `sandbox: false`): {why}; pass --live "
            f"to {verb} it; nothing sent",
            EXIT_USAGE,
            prefix="refused",
        )
    if node is not None and not node.live and live:
        click.echo(
            f"graphc: warning: --live has no effect: graph {graph_id} is a sandbox graph (ledger run {record.run_id})",
            err=True,
        )
    return f"graph {graph_id} (LIVE)" if node is not None and node.live else f"graph {graph_id}"


def _lint_amended_node(graph_id, name, recorded, changes, config):
    """graphc lint's rules on the node as the amend leaves it (:func:`graphc.amend.lint_amended`): an error
    refuses the amend (exit 2, nothing sent), a warning is printed, and checks that could not run are named:
    a skipped check must not read as passed."""
    from graphc.amend import lint_amended  # deferred: the rules

    found = lint_amended(recorded, changes, config)
    if found.unchecked is not None:
        click.echo(f"note: graphc lint's checks of the amended node could not run: {found.unchecked}")
        return
    for diagnostic in found.warnings:
        click.echo(_finding_text(diagnostic))
    if found.incomplete is not None:  # an input error graphc.toml demoted: still not a node graphc can build
        fail(f"graph {graph_id} node {name}: {found.incomplete}; nothing sent", EXIT_USAGE)
    if found.errors:
        for diagnostic in found.errors:
            click.echo(_finding_text(diagnostic), err=True)
        codes = ", ".join(dict.fromkeys(d.code for d in found.errors))
        fail(
            f"graph {graph_id} node {name}: graphc lint calls the amended node an error ({codes}); nothing sent",
            EXIT_USAGE,
        )
    if found.skipped:
        click.echo(
            f"note: graphc lint skipped {', '.join(found.skipped)} on node {name}: a fact they need is not known "
            "here (a quote, or a limit of the market)"
        )


def _finding_text(diagnostic) -> str:
    """``error GC302: size 4 shares is below ...`` and its hint, as graphc lint words them (no file position:
    the amended graph is not a file)."""
    text = f"{diagnostic.severity} {diagnostic.code}: {clean(diagnostic.message, None)}"
    if diagnostic.hint:
        text += f"\n  hint: {clean(diagnostic.hint, None)}"
    return text


def _project_config(ledger_path):
    """The graphc.toml of the ledger's project: its market settings (the lot compile used) and rule severities,
    for amend's checks. Its problems are shown as `graphc lint` shows them; an error among them refuses the
    amend, exit 1, nothing sent, as plan and submit refuse (submit._config_problems): amend changes a live order,
    and a config it cannot read may hold the lot or tick that decides the new size (review15; it went on with
    the built-in facts, and sent a size off the configured lot)."""
    from graphc.config import load_config  # deferred: tomllib

    config, diagnostics = load_config(os.path.dirname(os.path.abspath(ledger_path)))
    if show_file_problems(diagnostics):
        fail(f"{diagnostics[0].path} has errors (see above); nothing sent", EXIT_FINDINGS)
    return config


@click.command("cancel")
@graph_id_argument
@verbose_option
@api_errors
def cancel_command(graph_id, verbose):
    """Cancel every active node of a submitted graph.

    A cancel is retried like a read (one that lands late undoes nothing).
    When every answer is lost (5xx, timeouts), the graph is read back.
    A graph that had already ended (completed, failed or cancelled: the
    reference's graph statuses in which nothing trades) has nothing left to
    cancel: `graph ID had already failed: nothing left to cancel`, exit 0.

    Exit status: 0 the router answered 2xx, or the graph reads back
    cancelled, completed or failed (every answer was lost, or the answer's
    status was failed, which names a graph status as well as a refusal);
    3 it refused or failed, every answer was lost and the graph reads back
    active or paused (UNCERTAIN), or its 2xx answer says it did not cancel
    (a status rejected or error, or failed while the graph reads back
    active or paused, with its reason) or is about another graph: check the
    graph with `graphc status GRAPH_ID` (cancelling twice is harmless).
    """
    from graphc.api.client import answer_lost  # deferred: httpx; --help stays fast
    from graphc.api.errors import ApiError  # deferred: only the router commands need it

    check = f"check it with `graphc status {graph_id}` (cancelling twice is harmless)"
    with make_client(verbose) as client:
        try:
            answer = client.cancel_graph(graph_id)
        except ApiError as exc:
            if not answer_lost(exc):
                raise
            said = _cancel_looked_again(client, graph_id, exc)
        else:
            _same_graph(answer, graph_id, f"DELETE /v1/execution_graphs/{graph_id}", "cancelled", check)
            said = f"graph {graph_id}: {_status_of(answer, 'cancel requested')}"
            refused = _routers_no(answer, "cancel")
            if refused is not None and _status_word(answer) == "failed":  # a graph status too: look at the graph
                said = _failed_or_refused(client, graph_id, said, refused, check)
            elif refused is not None:  # the emergency action: a wrapper must not read the router's no as done
                fail(f"{said}: {refused}; the graph may still be trading: {check}", 3)
    echo_done(said)


# The reference's graph statuses in which nothing trades any more ("Graph status values: active, completed,
# cancelled, failed, paused", orders-and-execution-graphs.md; a paused graph's pending nodes may be resumed): a
# cancel of such a graph has nothing left to do (audit amend25 3).
ENDED_STATUSES = ("completed", "cancelled", "failed")


def _status_word(answer: dict) -> str | None:
    status = answer.get("status")
    return status.strip().lower() if isinstance(status, str) else None


def _nothing_left(graph_id: str, status: str) -> str:
    """What cancel prints for a graph the router shows ended (:data:`ENDED_STATUSES`)."""
    if status == "cancelled":
        return f"graph {graph_id}: cancelled, read back"
    return f"graph {graph_id} had already {status}: nothing left to cancel"


def _failed_or_refused(client, graph_id: str, said: str, refused: str, check: str) -> str:
    """A cancel answered 2xx with ``"status": "failed"``: the router's no (the rule amend follows), or the status of
    a graph that had failed, one of the reference's graph statuses (the local sandbox answers a cancel with the
    graph's status). The graph is read back: ended (:data:`ENDED_STATUSES`), nothing is trading and the line to
    print is returned; active or paused, or unreadable, it is the router's no, exit 3."""
    from graphc.api.errors import ApiError  # deferred: only the router commands need it
    from graphc.api.follow import graph_view  # deferred: the wire emitter; --help stays fast

    try:
        status = graph_view(client.get_graph(graph_id), graph_id, leg_statuses=False).status
    except ApiError as exc:
        fail(
            f"{said}: {refused}; graphc could not read the graph back to tell a refused cancel from a graph that "
            f"failed ({exc}); the graph may still be trading: {check}",
            3,
        )
    if status in ENDED_STATUSES:
        click.echo(
            "graphc: note: the router answered the cancel with the status failed, which names a graph that failed "
            f"as well as a refused cancel; graphc read the graph back: the router shows it {status}",
            err=True,
        )
        return _nothing_left(graph_id, status)
    fail(
        f"{said}: {refused}; graphc read the graph back, and the router shows it {clean(status, 40)}: the graph may "
        f"still be trading: {check}",
        3,
    )


def _cancel_looked_again(client, graph_id: str, lost) -> str:
    """A cancel whose every answer was lost (a 5xx, a timeout, a dropped connection, after its retries) may have
    been applied: the graph is read back. Shown cancelled, the cancel is done, and shown completed or failed, there
    was nothing left to cancel (a note says how graphc knows; returns the line to print); active or paused, it is
    UNCERTAIN, exit 3, naming the status shown (audit ops19 4, amend25 3)."""
    from graphc.api.errors import ApiError  # deferred: only the router commands need it
    from graphc.api.follow import graph_view  # deferred: the wire emitter; --help stays fast

    again = f"cancel it again (`graphc cancel {graph_id}`; cancelling twice is harmless)"
    try:
        status = graph_view(client.get_graph(graph_id), graph_id, leg_statuses=False).status
    except ApiError as exc:
        fail(
            f"{lost}; the cancel may have been applied, and graphc could not read the graph back ({exc}): {again}",
            3,
            prefix="UNCERTAIN",
        )
    if status in ENDED_STATUSES:
        click.echo(f"graphc: note: {lost}; graphc read the graph back: the router shows it {status}", err=True)
        return _nothing_left(graph_id, status)
    fail(
        f"{lost}; the cancel may have been applied, or may still be: graphc read the graph back, and the router "
        f"shows it {clean(status, 40)}: {again}",
        3,
        prefix="UNCERTAIN",
    )


@click.command("kill-switch")
@click.argument("state", type=click.Choice(["on", "off"], case_sensitive=False))
@click.option("--reason", help="Why (required to turn it on; recorded by the router; not sent with off).")
@ledger_option(
    "Ledger that records the switch's requests, so that a later kill-switch knows of one still on its way "
    "(default: .graphc/ledger.sqlite in the project of the current folder)."
)
@verbose_option
@api_errors
def kill_switch_command(state, reason, ledger_path, verbose):
    """Turn the router's kill switch on (cancel everything, block new
    submissions) or off (PUT /v1/kill_switch).

    The request is sent once and recorded in the ledger with the time until
    which it may still reach the router. If an earlier request for the other
    state may still land then (its answer was lost), graphc sends this one
    now, waits until that one can no longer land, and sends it again.

    Exit status: 0 the router accepted it (a note says when its answer does
    not state the switch's state); 2 `off` with a ledger that cannot be used
    (nothing sent; `on` is sent all the same); 3 it refused or failed, its
    answer was lost (UNCERTAIN: it may have been applied), its answer says
    the switch is in the other state or gives `active` as something other
    than true or false, or a later kill-switch was given while this one
    waited to be sent again; 130 interrupted mid-request (it may still land)
    or while waiting to send it again.
    """
    active = state.lower() == "on"
    if active and not (reason and reason.strip()):
        raise click.UsageError("kill-switch on needs --reason TEXT")
    typed = _typed("kill-switch", state.lower())
    with make_client(verbose) as client, _switch_ledger(ledger_path, active) as ledger:
        sent = _send_switch(ledger, client, active, reason, typed)
        unsaid: list = []  # a stdout that cannot be written: said once the switch is sent again, if it must be
        _report_switch(sent.answer, active, reason, unsaid=unsaid)
        if sent.earlier:
            _send_switch_again(ledger, client, sent, active, reason, typed, unsaid)
    say_unsaid(unsaid)


def _wanted(active: bool) -> str:
    return "ON" if active else "OFF"


@contextlib.contextmanager
def _switch_ledger(ledger_path, active: bool):
    """The ledger that records the switch's requests; for ``on``, None when it cannot be used (with a warning): the
    emergency stop is sent all the same. An ``off`` with no ledger is refused (exit 2, nothing sent): a later ``on``
    could not know that it may still land."""
    from graphc.api.errors import LedgerError  # deferred: only the router commands need it
    from graphc.api.ledger import Ledger, default_ledger_path  # deferred: the ledger (sqlite3); --help stays fast

    try:
        ledger = Ledger(ledger_path or default_ledger_path())
    except LedgerError as exc:
        if not active:
            raise
        _warn_unrecorded(exc)
        yield None
        return
    with ledger:
        yield ledger


def _warn_unrecorded(exc) -> None:
    """The warning of a ``kill-switch on`` sent without a record, the ledger unusable (``exc``)."""
    click.echo(
        f"graphc: warning: {exc}; the kill switch is turned ON all the same, without a record: an earlier "
        "`kill-switch off` still on its way cannot be seen, nor this request by a later kill-switch",
        err=True,
    )


def _send_switch(ledger, client, active: bool, reason, typed: str):
    """The PUT, sent once and recorded with its landing window (:func:`graphc.api.changes.send_change`); an answer
    lost is UNCERTAIN, exit 3. An earlier request for the other state that may still land does not hold it back:
    it is in the result's ``earlier``."""
    from graphc.api.changes import send_change  # deferred: the ledger (sqlite3); --help stays fast
    from graphc.api.ledger import iso  # deferred: as above
    from graphc.submit import landing_margin, landing_time_s  # deferred: the submitter's landing window

    margin = landing_margin()
    sent = send_change(
        ledger,
        client,
        "kill_switch",
        "",
        {"active": active},
        typed,
        lambda send_by: client.kill_switch(active, reason, send_by_ns=send_by),
        landing_s=landing_time_s(client, margin),
        margin=margin,
        refuse=False,
        record_or_send=active,  # a ledger another process holds locked must not hold back the emergency stop
    )
    if sent.unrecorded is not None:
        _warn_unrecorded(sent.unrecorded)
    for warning in sent.warnings:
        click.echo(f"graphc: warning: {clean(warning, None)}", err=True)
    if sent.lost is None:
        return sent
    again = f"`graphc kill-switch {'on --reason ...' if active else 'off'}`"
    message = f"{sent.lost}. Whether the kill switch is {_wanted(active)} is unknown"
    if sent.change is not None:
        message += f", and the request may still reach the router until {iso(sent.change.lands_by_ns)}"
    message += (
        f"; the reference documents no way to read the switch, so graphc cannot look: send it again ({again}; "
        "setting it twice is harmless)"
    )
    if not active and sent.change is not None:
        message += ". A `graphc kill-switch on` given before then is sent again once this request can no longer land"
    if sent.earlier:
        message += f". {_earlier(sent.earlier, active)}"
    fail(message, sent.lost.exit_code, prefix="UNCERTAIN")


def _earlier(changes, active: bool) -> str:
    """The earlier requests for the other state that may still land, and what they would do."""
    from graphc.api.ledger import iso  # deferred: the ledger (sqlite3); --help stays fast

    each = "; ".join(f"{c.said} (ledger change {c.id}, sent {iso(c.sent_ns)} to {c.endpoint})" for c in changes)
    until = iso(max(c.lands_by_ns for c in changes))
    return (
        f"{each}: its answer was lost, and it may still reach the router until {until} and turn the switch "
        f"{_wanted(not active)} again"
    )


def _send_switch_again(ledger, client, sent, active: bool, reason, typed: str, unsaid: list) -> None:
    """Wait until every earlier request for the other state can no longer land, then send this one again, so that it
    is the last to land (as far as the landing margin holds); not when a later kill-switch was given meanwhile."""
    from graphc.api.ledger import iso  # deferred: the ledger (sqlite3); --help stays fast

    until = max(c.lands_by_ns for c in sent.earlier)
    click.echo(
        f"graphc: {_earlier(sent.earlier, active)}: graphc sends {typed} again at {iso(until)} (interrupting the wait "
        "leaves that to you)",
        err=True,
    )
    try:
        while (left := (until - time.time_ns()) / 1e9) > 0:
            time.sleep(min(left, 1.0))
    except KeyboardInterrupt:
        click.echo(
            f"\ngraphc: interrupted: the kill switch was turned {_wanted(active)}, but an earlier request may still "
            f"turn it {_wanted(not active)} until {iso(until)}; run `graphc kill-switch "
            f"{'on --reason ...' if active else 'off'}` again after that time",
            err=True,
        )
        sys.exit(130)
    later = [c for c in ledger.changes("kill_switch", "") if c.id > sent.change.id]
    if later:
        fail(
            f"{typed} was not sent again: {later[-1].said} was given at {iso(later[-1].sent_ns)}, after it, so the "
            "switch is as that one leaves it",
            3,
        )
    again = _send_switch(ledger, client, active, reason, typed)
    at = again.change.sent_ns if again.change is not None else time.time_ns()  # None: sent without a record
    _report_switch(again.answer, active, reason, f"sent again at {iso(at)}", unsaid=unsaid)


def _report_switch(answer: dict, active: bool, reason, again: str = "", *, unsaid: list) -> None:
    """The router's answer to the PUT: `kill switch is ON (reason)`, or exit 3 when it says the other state; a line
    stdout cannot take is kept in ``unsaid`` (:func:`graphc.commands.common.echo_done`)."""
    from graphc.api.client import UnreadableAnswer  # deferred: httpx; --help stays fast

    wanted, state = _wanted(active), "on" if active else "off"
    # The reference documents the request only ({"active": true, "reason": ...}; to clear {"active": false}),
    # no answer body: a 2xx is the router's yes. An answer that does say `active` must say the state asked for.
    said_active = answer.get("active", active)
    if not isinstance(said_active, bool):
        fail(
            f"PUT /v1/kill_switch: asked to turn the kill switch {wanted}, but the router's answer gives "
            f"`active` as {clean(json.dumps(said_active, default=str), 40)}, not true or false, so whether it is "
            f"{wanted} is unknown; run `graphc kill-switch {state}{' --reason ...' if active else ''}` again "
            "(setting it twice is harmless)",
            3,
        )
    if said_active is not active:
        fail(
            f"PUT /v1/kill_switch: asked to turn the kill switch {wanted}, but the router answered "
            f'`"active": {json.dumps(said_active)}`: it is {"ON" if said_active else "OFF"}',
            3,
        )
    line = f"kill switch is {wanted}"
    said = answer.get("reason") if isinstance(answer.get("reason"), str) else reason
    if active and said:
        line += f" ({clean(said, 200)})"
    cancelled = answer.get("cancelled_graphs")
    if isinstance(cancelled, int) and not isinstance(cancelled, bool) and cancelled:
        line += f"; {cancelled} active graph(s) cancelled"
    if again:
        line += f"; {again}"
    echo_done(line, unsaid)
    if "active" not in answer:
        what = "is not a JSON object" if isinstance(answer, UnreadableAnswer) else "does not state the switch's state"
        check = (
            "check that your active graphs show cancelled (`graphc status GRAPH_ID`)"
            if active
            else "a submission refused with kill_switch_active would show it is still on"
        )
        click.echo(
            f"graphc: note: the router accepted the request (HTTP 2xx), but its answer {what}, "
            f"so graphc cannot confirm the switch is {wanted}; {check}",
            err=True,
        )
