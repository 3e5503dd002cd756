"""``graphc run``: submit a scheduled playbook's occurrences, each exactly once, unattended."""

from __future__ import annotations

import os
import signal
import sys

import click

from graphc.api.errors import ApiError, LedgerError
from graphc.commands.common import (
    EXIT_USAGE,
    MAX_SETTLE_S,
    FiniteFloat,
    data_stdout,
    parse_now,
    parse_set,
    settle_option,
)
from graphc.files import find_project_root, open_source, option_file_problem, read_source

MAX_RETRY_S = MAX_SETTLE_S  # graphc.run.MAX_RETRY_S: a day, as --settle


@click.command("run")
@click.argument("playbook", type=click.Path(dir_okay=False))
@click.option("--once", is_flag=True, help="Run the occurrence due now, if any, then exit.")
@click.option("--loop", is_flag=True, help="Keep running: sleep until each occurrence, then run it.")
@click.option(
    "--now",
    metavar="ISO8601",
    help="Start the clock at this time (rehearsals, tests; refused with --live); with --loop it then runs at real "
    "speed; a time without an offset is UTC, not the schedule's timezone.",
)
@click.option("--set", "set_values", multiple=True, metavar="NAME=VALUE", help="Set a playbook param (repeatable).")
@click.option("--params", "params_file", type=click.Path(dir_okay=False), metavar="FILE", help="Params file.")
@click.option(
    "--quotes",
    "quotes",
    default="live",
    show_default=True,
    metavar="live|FILE",
    help="Where prices come from: the router (live) or a snapshot file.",
)
@click.option("--live", is_flag=True, help="Allow a live graph (the playbook must also say `sandbox: false`).")
@click.option(
    "--retry",
    "retry_s",
    type=FiniteFloat(min=1, max=MAX_RETRY_S),
    metavar="SECONDS",
    default=60.0,
    show_default=True,
    help="With --loop: seconds between tries of a failed occurrence (while within catch_up; at most 86400).",
)
@settle_option(
    "Before this process first submits an occurrence that neither the project's ledger nor the router shows, wait "
    "until a request a crashed predecessor elsewhere sent could no longer land (default: the longest request plus "
    "the landing margin; at most 86400)."
)
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def run_command(playbook, once, loop, now, set_values, params_file, quotes, live, retry_s, settle_s, verbose):
    """Run PLAYBOOK's `schedule:`: render each occurrence (`now` = the
    occurrence), compile, lint (any error refuses it), and submit it with the
    run key NAME@YYYY-MM-DDTHH:MMZ, which the router is asked about first, so
    an occurrence is never submitted twice, across crashes and restarts. Each
    attempt is recorded in the project's ledger, as `graphc submit` records
    it, so a hand submission sees a run's request in flight. One JSON line per
    event on stdout.

    \b
    --once  exit 0: submitted, already submitted, or nothing due (the line says
            when the next occurrence is); 1 lint errors, or the router answered
            that the graph it created failed; 2 configuration or a refusal;
            3 the router failed, the outcome is uncertain, or the ledger
            could not record the graph created (`submitted`, `recorded`
            false).
    --loop  runs until interrupted (Ctrl-C, SIGTERM: exit 0); 1 errors no
            occurrence can fix (GC100-GC102, GC108, GC110), found at start.
    """
    from graphc.api.client import Client  # deferred: httpx; --help stays fast
    from graphc.api.ledger import Ledger  # deferred: the ledger (sqlite3); --help stays fast
    from graphc.run import Clock, EventLog, Runner, RunSettings  # deferred: the runner (linter, ledger); --help fast
    from graphc.submit import ledger_for  # deferred: the submitter; --help stays fast

    if once and loop:  # a CI job meant as --once must not hang until its timeout (audit recur.md 5)
        raise click.UsageError("say --once (run what is due now) or --loop (keep running), not both")
    if not (once or loop):
        raise click.UsageError("say --once (run what is due now) or --loop (keep running)")
    mode = "once" if once else "loop"
    from graphc.api.secrets import configure_cli_logging  # deferred: logging; --help stays fast

    configure_cli_logging(verbose)  # retries announced, any library's warning redacted (audit hrouter.md 2)
    settings = RunSettings(
        playbook=playbook,
        params=parse_set(set_values),
        params_file=params_file,
        quotes=quotes,
        live=live,
        retry_s=retry_s,
        settle_s=settle_s,
    )
    clock = Clock(parse_now(now))
    # every event, an `error` that stops the run too, is one JSON line on stdout (docs/recurring.md), UTF-8 always
    log = EventLog(data_stdout(guarded=False))  # its own OSError: the events go on on stderr
    try:  # a wrong path is the mistake to name first, before any router setting
        os.close(open_source(playbook)[0])  # a FIFO no one writes to is refused, not waited on
    except OSError as exc:
        log("error", message=f"cannot read {playbook}: {exc.strerror or exc}")
        sys.exit(EXIT_USAGE)
    for kind, path in (("params", params_file), ("quotes", None if quotes == "live" else quotes)):
        problem = None if path is None else option_file_problem(kind, path)
        if problem is not None:  # a usage error now, as in lint and submit, not at each occurrence (review15 3)
            log("error", message=problem)
            sys.exit(EXIT_USAGE)
    if params_file is not None and not os.path.isfile(params_file):
        # the operator's own pipe (`--params <(make-params)`; a named FIFO was refused above) gives its text once:
        # read now, for the check at start and every occurrence (a file is read again at each, docs/recurring.md)
        try:
            settings.params_text = read_source(params_file, pipe_ok=True)
        except (OSError, UnicodeDecodeError) as exc:  # said as the check above says it (option_file_problem)
            why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or exc)
            log("error", message=f"cannot read params file {params_file}: {why}")
            sys.exit(EXIT_USAGE)
    try:
        Client.from_env().close()  # configuration problems (no key, a bad URL) now, not at the first occurrence
    except ApiError as exc:
        log("error", message=str(exc))
        sys.exit(exc.exit_code if exc.exit_code else EXIT_USAGE)
    try:  # the project's ledger, the one `graphc submit` of the playbook uses: each sees the other's attempts
        ledger = Ledger(ledger_for(find_project_root(playbook)))
    except LedgerError as exc:  # git tracks it, a link, damaged, a read-only project: nothing can be recorded
        log("error", message=f"{exc}; nothing was sent")
        sys.exit(exc.exit_code or EXIT_USAGE)
    with ledger:
        runner = Runner(settings, Client.from_env, clock=clock, log=log, ledger=ledger)
        _stop_on_sigterm()
        try:
            code = runner.once() if mode == "once" else runner.loop()
        except KeyboardInterrupt:  # Ctrl-C, SIGTERM: `stopped`, then what may still land (its last word)
            runner.stopped("interrupted")
            code = 0 if mode == "loop" else 130
        sys.exit(code or (EXIT_USAGE if log.failed is not None else 0))  # a log that could not be written: never 0


def _stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
