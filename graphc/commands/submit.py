"""``graphc submit``: send a playbook or a saved plan to the router, exactly once, on purpose.

The checks and the protocol are :mod:`graphc.submit` (the library); this
module parses the options, asks for a live confirmation on a terminal, runs
the embedded sandbox when no router is configured, and prints.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NoReturn

import click

from graphc.api.errors import (
    AlreadySubmitted,
    ApiError,
    GraphNotRecorded,
    LedgerError,
    PastCatchUp,
    PendingUncertain,
    SecondGraph,
    UncertainOutcome,
)
from graphc.api.redact import clean
from graphc.commands.common import (
    EXIT_USAGE,
    FiniteFloat,
    api_errors,
    bold_style,
    compile_options,
    confirm_or_refuse,
    explain_live,
    explain_skips_option,
    fail,
    follow_and_report,
    ledger_option,
    live_params_text,
    occurrence_text,
    parse_now,
    parse_seconds,
    parse_set,
    print_diagnostics,
    quotes_for,
    settle_option,
    summary_lines,
    unwritable_stdout,
    wire_units,
)
from graphc.report import one_line

EMBEDDED_KEY = "graphc-embedded-sandbox"


def _confirm_live(prepared, yes: bool, max_age: float) -> None:
    """Ask the person (unless --yes), then check again what a wait makes stale: the prompt has no time limit of
    its own, so a plan, live quotes or a catch-up that expired while it waited refuses here (audit plan20 1)."""
    from graphc.submit import expired  # deferred: --help stays fast

    if not yes:
        no_terminal = f"{prepared.name} trades LIVE; with no terminal to confirm on, pass --yes as well as --live"
        if sys.stdin.isatty():
            for line in summary_lines(
                prepared.wire,
                prepared.quotes,
                bold=bold_style(sys.stderr),
                turned_off=prepared.turned_off,
                hidden=prepared.hidden,
            ):
                click.echo(line, err=True)
            for line in _answer_by(prepared, max_age):
                click.echo(line, err=True)
        confirm_or_refuse(
            f"Submit {clean(prepared.name, 200)} LIVE, with real money?",
            no_terminal=no_terminal,
            not_done="nothing was submitted",
        )
    late = expired(prepared, max_age)
    if late is not None:
        fail(late, EXIT_USAGE, prefix="refused")


def _answer_by(prepared, max_age: float) -> list[str]:
    """How old the prices shown are, and by when a yes must come to send them (--max-age; a catch-up's end)."""
    lines = []
    if prepared.priced_at is not None:
        age = (datetime.now(UTC) - prepared.priced_at).total_seconds()
        what = "saved plan made" if prepared.plan is not None else "live quotes read"
        lines.append(
            f"{what} at {_utc(prepared.priced_at)} ({max(0, round(age))} s ago): answer by "
            f"{_utc(prepared.priced_at + timedelta(seconds=max_age))} (--max-age {max_age:g} s) or nothing is sent"
        )
    if prepared.catch_up_until is not None:
        lines.append(
            f"occurrence {occurrence_text(prepared)}: answer by {_utc(prepared.catch_up_until)} (the end of its "
            "catch-up) or nothing is sent"
        )
    return lines


def _utc(when: datetime) -> str:
    from graphc.api.ledger import iso  # deferred: the ledger (sqlite3); --help stays fast

    return iso(int(when.timestamp() * 1e9))


def _settled(client, prepared, ledger_file, settle_s, started: float, max_age: float) -> bool:
    """A scheduled occurrence its ledger has no record of, and the router does not show, is sent only once a request
    another graphc sent for it before this process started can no longer land: the settle `graphc run`'s first
    start waits (graphc.submit.settle_left; ``settle_s`` is --settle, as run's). Says why it waits and until when,
    then waits; True when it waited (the caller prices the graph again). A wait that would end past the occurrence's
    catch-up, or past --max-age of a saved plan, is refused at once (exit 2): nothing is sent."""
    from graphc.api.ledger import Ledger, Scope  # deferred: the ledger (sqlite3); --help stays fast
    from graphc.schedule import describe_duration  # deferred: zoneinfo; --help stays fast
    from graphc.submit import landing_time_s, settle_left, sleep_until_monotonic  # deferred: --help stays fast

    key = prepared.run_key
    recorded = False
    if os.path.isfile(ledger_file):  # a ledger not written yet has no record; it is not made before a confirmation
        try:
            with Ledger(ledger_file) as ledger:
                recorded = bool(ledger.runs(key, scope=Scope.of(client)))
        except LedgerError as exc:  # damaged, unreadable, held by another process past the wait
            fail(f"{exc}; nothing was sent", exc.exit_code)
    wait = landing_time_s(client) if settle_s is None else settle_s
    left = settle_left(client, key, prepared.occurrence, recorded=recorded, started_s=started, settle_s=wait)
    if left <= 0:
        return False
    ready_at = datetime.now(UTC) + timedelta(seconds=left)
    must = (
        f"graphc must wait until {_utc(ready_at)} ({describe_duration(timedelta(seconds=max(round(left), 1)))}) before it "
        f"sends run {key!r}: a request for it that another graphc sent before this one started may still land"
    )
    skip = "`--settle 0` skips the wait only when no other process can have sent this occurrence"
    if prepared.catch_up_until is not None and ready_at > prepared.catch_up_until:
        within = f" of {describe_duration(prepared.schedule.catch_up)}" if prepared.schedule is not None else ""
        fail(
            f"{must}, which is past its catch-up{within} (it ends at {_utc(prepared.catch_up_until)}): nothing was "
            f"sent; {skip}",
            EXIT_USAGE,
            prefix="refused",
        )
    if prepared.plan is not None and prepared.priced_at is not None:
        age = (ready_at - prepared.priced_at).total_seconds()
        if age > max_age:
            fail(
                f"{must}, when the saved plan would be {age:.0f} s old, older than --max-age {max_age:g} s: nothing "
                f"was sent; plan it again just before you submit it, give a larger --max-age, or {skip}",
                EXIT_USAGE,
                prefix="refused",
            )
    click.echo(
        f"graphc: note: waiting until {_utc(ready_at)} ({describe_duration(timedelta(seconds=max(round(left), 1)))}) before "
        f"it sends run {key!r}: its ledger has no record of this occurrence and the router does not show it, but a "
        "request for it that another graphc sent before this one started (a `graphc run` killed or stopped "
        "mid-request, on another machine or in another checkout; a hosted runner restarted) may still reach the "
        "router until then; after the wait graphc looks for it at the router again (the settle, as `graphc run` "
        f"waits it: docs/recurring.md; {skip})",
        err=True,
    )
    try:
        sleep_until_monotonic(time.monotonic() + left)
    except KeyboardInterrupt:
        fail(f"interrupted while waiting before it sends run {key!r}: nothing was sent", 130)
    return True


def _no_router_configured() -> bool:
    from graphc.api.secrets import load_api_key  # deferred: tomllib and logging; --help stays fast

    return not os.environ.get("SEQUENCE_API_URL") and load_api_key(None, os.environ) is None


def _sandbox_prices(quotes: dict) -> dict:
    """The quotes snapshot as the embedded sandbox's price table: buys fill at the ask, sells at the bid."""
    prices = {}
    for symbol, quote in quotes.items():
        entry = {side: getattr(quote, side) for side in ("bid", "ask") if getattr(quote, side) is not None}
        mid = quote.base("mid") or quote.last or entry.get("ask") or entry.get("bid")
        if mid is not None and mid > 0:
            prices[symbol] = {**entry, "price": mid, "path": []}
    return prices


@contextlib.contextmanager
def _embedded_router(quotes: dict):
    """A sandbox router inside this process, its clock fast-forwarded to each next event."""
    from graphc.api.client import Client  # deferred: httpx; --help stays fast
    from graphc.sandbox.engine import SandboxConfig  # deferred: the sandbox; only without a configured router
    from graphc.sandbox.server import make_server  # deferred: the sandbox; only without a configured router

    server = make_server("127.0.0.1", 0, SandboxConfig(fast_forward=True, prices=_sandbox_prices(quotes)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    click.echo(
        f"graphc: no SEQUENCE_API_URL or API key: using the embedded sandbox at {server.url} (nothing leaves this "
        "machine; it runs only while this command does, and its runs are not kept in the ledger)",
        err=True,
    )
    try:
        with Client(server.url, EMBEDDED_KEY) as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


@click.command("submit")
@click.argument("source", type=click.Path(dir_okay=False))
@compile_options
@explain_skips_option
@click.option("--live", is_flag=True, help="Allow a live graph (the playbook must also say `sandbox: false`).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of a live submission.")
@click.option(
    "--run-key",
    help="Identify this run (default: the graph's content: name + hash of the graph; a scheduled playbook's: "
    "its due occurrence's, NAME@YYYY-MM-DDTHH:MMZ, as `graphc run` submits it).",
)
@click.option("--force", is_flag=True, help="Submit again even though the run key already has a graph.")
@ledger_option("Ledger file (default: .graphc/ledger.sqlite).")
@click.option(
    "--max-age",
    type=FiniteFloat(min=0),
    default=60.0,
    show_default=True,
    help="Refuse a saved plan older than this many seconds, checked again once a live confirmation is answered. "
    "With --quotes live: a confirmation answered later than this after the quotes were read is refused, and when "
    "the look at the router for the run ends later than this after they were read, they are read again and the "
    "graph priced again before it is sent.",
)
@click.option(
    "--lookback",
    metavar="DURATION",
    help="Before a run key's first submission, it is looked for among every order the router lists; 0 skips "
    "that look. Any other value (default 24h, or GRAPHC_LOOKBACK seconds; at most 366d) names the start of the "
    "run's window in messages.",
)
@settle_option(
    "A scheduled playbook's occurrence that neither its ledger nor the router shows is sent only once a request "
    "another graphc may have sent for it before this one started can no longer land: wait this long first (default, "
    "as `graphc run`: the longest request plus the landing margin; at most 86400; 0 only when no other process can "
    "have sent this occurrence)."
)
@click.option("--watch", is_flag=True, help="Follow the graph until it finishes, is paused, or --timeout passes.")
@click.option("--timeout", metavar="DURATION", help="With --watch: stop following after this long (e.g. 10m).")
@click.option("-v", "--verbose", is_flag=True, help="Print one line per HTTP request (method, path, status, ms).")
@api_errors
def submit_command(
    source,
    quotes_path,
    set_values,
    params_file,
    now,
    explain_skips,
    live,
    yes,
    run_key,
    force,
    ledger_path,
    max_age,
    lookback,
    settle_s,
    watch,
    timeout,
    verbose,
):
    """Submit SOURCE (a playbook, a wire graph, a simple order, or a plan saved by
    `graphc plan -o`) to the router, exactly once per run.

    Lint errors, a tampered or stale plan, or a live graph without --live are
    refused. Every attempt is recorded in the project's ledger before it is
    sent, and each graph carries its run's tag in its node ids, so a retried
    job never submits the same run twice. A playbook with a `schedule:` is
    submitted as its occurrence due at --now (or now), with the run key
    `graphc run` uses, so the runner finds it (and this finds the runner's);
    with nothing due it is refused, unless --run-key names a run of its own.

    Exit status: 0 submitted (with --watch: and completed); 1 lint errors, the
    router answered that the graph it created failed, was cancelled or is
    paused, or with --watch the graph did not complete, or completed with a
    leg rejected, failed, still executing or only partly filled (partial_fill,
    or filled short of its target; each named on stderr); 2 refused, nothing sent
    (already submitted, live without --live, --live with --now (a rehearsal
    clock, also a plan's), nothing due or its catch-up over
    before the request could leave, bad input); 3 the
    router refused it or the outcome is unknown (recorded as uncertain), the
    graph's status in the answer is none of the reference's (recorded with its
    id), an earlier attempt is still unresolved, or with --watch a leg's
    status is none of the reference's node statuses or a leg is shown filled
    beyond its target.
    """
    from graphc.api.ledger import Ledger, default_ledger_path  # deferred: the ledger (sqlite3); --help stays fast
    from graphc.api.runtag import canonical_wire_text  # deferred: --help stays fast
    from graphc.api.secrets import configure_cli_logging  # deferred: tomllib and logging; --help stays fast
    from graphc.submit import (  # deferred: --help stays fast
        MAX_LOOKBACK_S,
        OUTSIDE_SCHEDULE,
        Refused,
        Reprice,
        diagnostics_of,
        ledger_for,
        prepare,
        rehearsal_clock,
        submit_prepared,
        wire_mode,
    )
    from graphc.submit import lookback as default_lookback  # deferred: --help stays fast (`lookback` is the option)

    started = time.monotonic()  # a settle counts from this process's start (graphc.submit.settle_left)
    if timeout is not None and not watch:
        raise click.UsageError("--timeout goes with --watch")
    # the --params text every compile of this submit renders with (a pipe gives it once): read once
    params_text = live_params_text(quotes_path, params_file, source)
    live_quotes = quotes_for(quotes_path, set_values, params_file, now, source, run_key, params_text)
    read_at = time.monotonic()  # when the quotes were read: the graph must not leave priced from much older ones
    prepared = prepare(
        source,
        quotes_path=None if live_quotes is not None else quotes_path,
        quotes=live_quotes,
        params=parse_set(set_values),
        params_file=params_file,
        params_text=params_text,
        now=parse_now(now),
        max_age_s=max_age,
        run_key=run_key,
    )
    explain_live([prepared.result], live_quotes)
    for note in prepared.notes:
        click.echo(f"graphc: note: {one_line(note)}", err=True)
    results = diagnostics_of(prepared)
    if results:
        print_diagnostics(results, summary=True, explain_skips=explain_skips)
    if prepared.problems:
        fail(prepared.problems[0].shown, prepared.problems[0].exit_code, prefix="refused")
    wire_mode(prepared.wire, prepared.name, allow_live=live)  # the double opt-in: refused (exit 2) here
    rehearsal_clock(live, prepared.clock, given=prepared.clock_named("--now"), opt_in="--live")  # before any prompt
    embedded = not prepared.live and _no_router_configured()
    seconds = parse_seconds(lookback, "--lookback", MAX_LOOKBACK_S)
    # A scheduled occurrence under its own run key may first wait out a request another graphc sent for it (the
    # settle, as `graphc run`'s first start waits it), and is confirmed after that wait, at the prices then.
    # Not on the embedded sandbox (it starts with this command), nor when forced or when the look is skipped.
    settles = (
        prepared.occurrence is not None
        and run_key in (None, prepared.run_key)
        and not (force or embedded)
        and (default_lookback() if seconds is None else seconds) > 0
    )
    if prepared.live and not settles:
        _confirm_live(prepared, yes, max_age)
    elif live and not prepared.live and prepared.wire is not None:  # --live alone does not make a graph live
        click.echo(
            f'graphc: warning: --live has no effect: {prepared.name} is a sandbox graph (`"is_sandbox": true`), '
            "sent as a paper trade; a graph trades live only when it says so too: `sandbox: false` in its "
            "playbook (a simple order is always a sandbox graph: write it as a playbook to trade it live)",
            err=True,
        )
    configure_cli_logging(verbose)
    # The embedded sandbox forgets everything when this command exits: its runs must not block a real one.
    ledger_file = ledger_for(prepared.project, ledger_path, embedded=embedded)  # as `graphc run` chooses it
    listing = _ledger_listing(ledger_file, default_ledger_path())
    router = _embedded_router(prepared.quotes) if embedded else _configured_router()
    wait = parse_seconds(timeout, "--timeout")

    def priced_again(age: float) -> str:
        """The graph priced with quotes read now: the look at the router ended ``age`` s after they were read."""
        click.echo(
            f"graphc: note: re-priced: the quotes {prepared.name} was priced with were {age:.0f} s old (more than "
            f"--max-age {max_age:g} s) when the look at the router for its run ended; reading them again and "
            "rendering, compiling and linting the graph again before it is sent",
            err=True,
        )
        again = prepared_again()
        assert again.wire_text is not None and prepared.wire_text is not None
        if (
            prepared.live
            and not yes
            and canonical_wire_text(again.wire_text) != canonical_wire_text(prepared.wire_text)
        ):
            # a person said yes to the prices shown, not to these: they must see the new ones first
            raise Refused(
                f"{prepared.name} priced again with quotes read now is not the graph you confirmed (its prices or "
                "sizes moved while the router was searched for its run); nothing was sent: submit it again to see "
                "and confirm the new prices"
            )
        return again.wire_text

    def prepared_again():
        """The source prepared again with live quotes read now, as the same run (a scheduled one: its occurrence)."""
        at = prepared.occurrence or parse_now(now)  # a scheduled run: the same occurrence, rendered as before
        fresh = quotes_for(quotes_path, set_values, params_file, at, source, run_key, params_text)
        again = prepare(
            source,
            quotes=fresh,
            params=parse_set(set_values),
            params_file=params_file,
            params_text=params_text,  # the text the graph was first priced with, read once
            now=at,
            max_age_s=max_age,
            run_key=run_key,
        )
        explain_live([again.result], fresh)
        if again.problems:  # refused as lint refuses it: its findings first
            print_diagnostics(diagnostics_of(again), summary=True, explain_skips=explain_skips)
            raise Refused(again.problems[0].shown, again.problems[0].exit_code)
        return again

    def plan_too_old(age: float) -> str:
        """A saved plan cannot be priced again: past --max-age once the look at the router ended, it is refused."""
        raise Refused(
            f"the saved plan was {age:.0f} s old when the look at the router for its run ended, older than "
            f"--max-age {max_age:g} s: its prices may be stale; nothing was sent. Plan it again, or give a larger "
            "--max-age"
        )

    submitted = None
    try:
        with contextlib.ExitStack() as stack:  # the router first: the settle asks it before the ledger is written
            client = stack.enter_context(router)
            waited = settles and _settled(client, prepared, ledger_file, settle_s, started, max_age)
            if waited and live_quotes is not None:  # the graph priced before the wait is stale: priced again now
                again = prepared_again()
                prepared.wire_text, prepared.wire, prepared.quotes = again.wire_text, again.wire, again.quotes
                read_at = time.monotonic()
            if settles and prepared.live:
                _confirm_live(prepared, yes, max_age)  # after the wait: the person sees the prices sent
            reprice = None
            if live_quotes is not None:
                reprice = Reprice(priced_again, read_at, max_age)
            elif prepared.plan is not None and prepared.priced_at is not None:  # its age counts until it is sent
                made_ago = (datetime.now(UTC) - prepared.priced_at).total_seconds()
                reprice = Reprice(plan_too_old, time.monotonic() - made_ago, max_age)
            try:
                ledger = stack.enter_context(Ledger(ledger_file))
            except LedgerError as exc:  # a directory, a link, damaged, unreadable: refused before any request
                fail(f"{_from_here(str(exc), listing)}; nothing was sent", exc.exit_code)
            try:
                submitted = submit_prepared(
                    prepared,
                    client=client,
                    ledger=ledger,
                    run_key=run_key,
                    allow_live=live,
                    force=force,
                    lookback_s=seconds,
                    reprice=reprice,
                )
            except AlreadySubmitted as exc:
                for warning in exc.warnings:  # the graph found is not this run's trade, or more graphs carry the tag
                    click.echo(f"graphc: warning: {clean(warning, None)}", err=True)
                said = _from_here(exc.words("use --force", "--run-key"), listing)
                if prepared.occurrence is not None and run_key in (None, prepared.run_key):
                    said = _occurrence_traded(exc, prepared)  # not "use --force": that would trade it twice
                fail(f"{said} (see `{listing}` and docs/submitting.md)", exc.exit_code, prefix="refused")
            except UncertainOutcome as exc:
                fail(_from_here(str(exc), listing), exc.exit_code, prefix="UNCERTAIN")
            except PendingUncertain as exc:  # it names the commands that settle the earlier attempt
                fail(_from_here(str(exc), listing), exc.exit_code)
            except SecondGraph as exc:  # created and recorded, and the run already had another graph: it trades twice
                fail(_from_here(str(exc), listing), exc.exit_code, prefix="WARNING")
            except PastCatchUp as exc:  # the look at the router (or the confirmation) outlasted the catch-up
                said = f"{exc}. The occurrence is no longer due (spec §9: only while within its catch-up); "
                fail(said + OUTSIDE_SCHEDULE, exc.exit_code, prefix="refused")
            mode = "LIVE" if prepared.live else "sandbox"
            said = (  # a run key is any text, a saved plan's too: escaped, as the ledger listing shows it (status28 6)
                f"submitted {clean(prepared.name, None)} as graph {submitted.graph_id} ({mode}, "
                f"run key {clean(submitted.run.run_key, None)})"
            )
            try:
                click.echo(said)
            except OSError as exc:  # a full disk, a closed file: the graph's id must not go with it (ledger26 3)
                _unwritable_stdout(said, submitted, exc)
            for warning in submitted.warnings:
                click.echo(f"graphc: warning: {clean(warning, None)}", err=True)
            if prepared.occurrence is not None:
                click.echo(
                    f"graphc: note: {prepared.name} has a `schedule:`: this is its occurrence of "
                    f"{occurrence_text(prepared)}, so `graphc run` finds it at the router and does not submit it again",
                    err=True,
                )
            if listing != "graphc ledger" and not embedded and not ledger_path:
                click.echo(f"graphc: note: recorded in the playbook's project ledger; `{listing}` lists it", err=True)
            if watch or embedded:
                sys.exit(
                    _watch(client, submitted.graph_id, embedded, wait, lambda: prepared.live, wire_units(prepared.wire))
                )
    except KeyboardInterrupt as exc:
        _interrupted(submitted, embedded, exc, listing)
    except GraphNotRecorded as exc:  # the commands it names, typed to read the run's ledger from here
        fail(_from_here(str(exc), listing), exc.exit_code)
    except LedgerError as exc:
        from graphc.api.ledger import LedgerLocked, LedgerUnusable  # deferred: the ledger is loaded by now

        if not isinstance(exc, LedgerLocked | LedgerUnusable):
            raise
        # another process held the ledger past graphc's wait, or SQLite could not write it (a full disk, read-only):
        # every such failure but the one after the router answered (GraphNotRecorded, above) comes before the
        # request leaves (and one while recording a lost answer is said with it: UNCERTAIN)
        fail(f"{_from_here(str(exc), listing)}; nothing was sent", exc.exit_code)


def _unwritable_stdout(said: str, submitted, exc: OSError) -> NoReturn:
    """The graph was created and recorded, but its line could not be written to stdout (a full disk, a closed
    file): say it on stderr, with why, and exit 2 (audit ledger26 3: a traceback's exit 4 named no graph), as every
    command says a stdout it cannot write (:func:`unwritable_stdout`)."""
    unwritable_stdout(exc, said=f"{said}; it is recorded (ledger run {submitted.run.id})")


def _ledger_listing(ledger_file, here) -> str:
    """The command that lists ``ledger_file`` from this folder: `graphc ledger` reads the ledger of where it is typed."""
    if ledger_file == ":memory:" or os.path.abspath(ledger_file) == os.path.abspath(here):
        return "graphc ledger"
    relative = os.path.relpath(ledger_file)
    shown = relative if not relative.startswith("..") else os.path.abspath(ledger_file)
    return f"graphc ledger --ledger {shlex.quote(shown)}"


def _occurrence_traded(exc: AlreadySubmitted, prepared) -> str:
    """The refusal of a scheduled occurrence that already has its graph (`graphc run` sent it, or an earlier hand
    submission did): it traded, and ``--force`` would trade it again. The schedule's promise is one trade per
    occurrence (docs/recurring.md), so ``--force`` is named for what it does, not offered as the way on."""
    graph = exc.graph_id
    return (
        f"run {exc.run_key!r} was already submitted as graph {graph} (ledger run {exc.run_id}): its occurrence of "
        f"{occurrence_text(prepared)} already traded as graph {graph} (`graphc status {graph}` shows it); --force "
        "would trade this occurrence a second time, so use it only to trade it twice on purpose"
    )


def _from_here(message: str, listing: str) -> str:
    """``message`` with each `graphc ledger ...` it suggests (after a `SEQUENCE_API_URL=URL ` too) typed so that it
    reads the run's ledger from here."""
    return re.sub(r"(`(?:SEQUENCE_API_URL=\S+ )?)graphc ledger", lambda m: m.group(1) + listing, message)


@contextlib.contextmanager
def _configured_router():
    from graphc.api.client import Client  # deferred: httpx; --help stays fast

    with Client.from_env() as client:
        yield client


def _watch(client, graph_id: str, embedded: bool, timeout: float | None, live: Callable[[], bool], unit_of) -> int:
    try:
        return follow_and_report(
            client,
            graph_id,
            interval=0.05 if embedded else 1.0,
            timeout=timeout,
            live=live,
            unit_of=unit_of,
            submitted=True,
        )
    except ApiError as exc:
        fail(
            f"graph {graph_id} was submitted, but following it failed: {exc}; "
            f"follow it with `graphc status {graph_id} --watch`",
            exc.exit_code,
        )


def _interrupted(submitted, embedded: bool, exc: BaseException, listing: str) -> None:
    """Ctrl-C: what became of the run, as far as this process knows it (:func:`graphc.submit.interrupted_at`):
    nothing sent, in flight (recorded uncertain until its lands_by), or answered (the graph id); then exit 130."""
    from graphc.submit import interrupted_at  # deferred: the submitter is loaded by now

    said = interrupted_at(exc)
    said = said and _from_here(said, listing)
    if submitted is None:
        message = f"interrupted {said}" if said else "interrupted before the request was sent: nothing was sent"
    elif embedded:
        message = (
            f"interrupted; graph {submitted.graph_id} ran in the embedded sandbox, which stops with this command: "
            "its simulation ends here (nothing was traded)"
        )
    else:
        message = (
            f"stopped watching; graph {submitted.graph_id} was submitted and keeps running at the router "
            f"(graphc status {submitted.graph_id} --watch)"
        )
    click.echo(f"\ngraphc: {message}", err=True)
    sys.exit(130)
