"""``graphc submit``: send a playbook or a saved plan to the router, exactly once, on purpose.

Refusals, in the order they are checked:
1. lint errors (exit 1); a saved plan that was modified or is older than
   ``--max-age`` (exit 2);
2. a live graph (``sandbox: false``) without ``--live`` (exit 2); with
   ``--live``, a confirmation on a terminal unless ``--yes``, and ``--yes``
   required when there is no terminal (exit 2); a wire graph that does not say
   ``is_sandbox`` at all (the router's default would decide) is refused too;
3. the ledger: a run key that already has a graph (unless ``--force``), or an
   earlier attempt whose outcome is still unknown after reconciling (exit 2).
Remote failures exit 3; an unknown outcome is recorded as *uncertain*.
With ``--watch``, a graph that ends cancelled or failed exits 1, as
``graphc status --watch`` does.

The ledger defaults to ``.graphc/ledger.sqlite`` in the project root found
from the current directory, the same file ``graphc ledger`` reads.
"""

from __future__ import annotations

import contextlib
import sys

import click

from graphc.commands.common import EXIT_FINDINGS, EXIT_REMOTE, EXIT_USAGE, compile_options, print_diagnostics


def _refuse(message, code):
    click.echo(f"graphc: refused: {message}", err=True)
    sys.exit(code)


def _from_plan(path, text, max_age, quotes_path):
    """(name, wire_text, wire) from a saved plan, verified and re-linted."""
    from graphc.config import load_config
    from graphc.lint import LintOptions, lint_source
    from graphc.plan import PlanError, load_plan

    try:
        plan = load_plan(text, str(path), max_age_s=max_age)
    except PlanError as exc:
        _refuse(str(exc), EXIT_USAGE)
    config, _ = load_config(path)
    outcome = lint_source(plan.wire_text, f"{path}#wire", LintOptions(config=config), explicit=True)
    return plan.name, plan.wire_text, outcome


def _from_playbook(path, quotes_path, set_values, params_file, now):
    from graphc.commands.plan import prepare, source_name

    outcome, _ = prepare(path, quotes_path, set_values, params_file, now)
    return source_name(outcome, path), outcome.wire_text, outcome


def _confirm_live(name, wire, yes):
    from graphc.commands.plan import bold_style
    from graphc.plan import summary_lines

    if yes:
        return
    if not sys.stdin.isatty():
        _refuse(f"{name} trades LIVE; with no terminal to confirm on, pass --yes as well as --live", EXIT_USAGE)
    for line in summary_lines(wire, {}, bold=bold_style()):
        click.echo(line, err=True)
    if not click.confirm(f"Submit {name} LIVE, with real money?", default=False, err=True):
        _refuse("not confirmed", EXIT_USAGE)


def _embedded(allowed: bool) -> bool:
    """Use the embedded sandbox when no router is configured (never for a live graph)."""
    import os

    from graphc.api.secrets import load_api_key

    return allowed and not os.environ.get("SEQUENCE_API_URL") and load_api_key(None, os.environ) is None


@contextlib.contextmanager
def _router(embedded: bool):
    """The configured router, or a sandbox server running in this process."""
    from graphc.api.client import Client

    if not embedded:
        with Client.from_env() as client:
            yield client
        return
    import threading

    from graphc.sandbox.server import make_server

    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    click.echo(
        f"graphc: no SEQUENCE_API_URL or API key: using the embedded sandbox at http://{host}:{port} "
        "(nothing leaves this machine; its runs are not kept in the ledger)",
        err=True,
    )
    try:
        with Client(f"http://{host}:{port}", "graphc-embedded-sandbox") as client:
            yield client
    finally:
        server.shutdown()
        server.server_close()


@click.command("submit")
@click.argument("source", type=click.Path(dir_okay=False))
@compile_options
@click.option("--live", is_flag=True, help="Allow a live graph (the playbook must also say `sandbox: false`).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of a live submission.")
@click.option("--run-key", help="Identify this run in the ledger (default: playbook name + graph hash).")
@click.option("--force", is_flag=True, help="Submit again even though the run key already has a graph.")
@click.option(
    "--ledger", "ledger_path", type=click.Path(dir_okay=False), help="Ledger file (default: .graphc/ledger.sqlite)."
)
@click.option(
    "--max-age",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Refuse a saved plan older than this many seconds.",
)
@click.option("--watch", is_flag=True, help="Follow the graph until it finishes.")
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def submit_command(
    source, quotes_path, set_values, params_file, now, live, yes, run_key, force, ledger_path, max_age, watch, verbose
):
    """Submit SOURCE (a playbook, or a plan saved by `graphc plan -o`) to the router.

    Lint errors, a tampered or stale plan, or a live graph without --live are
    refused. Every attempt is recorded in the ledger before it is sent, so a
    retried job never submits the same run twice.
    """
    import json
    from decimal import Decimal

    from graphc.api.errors import AlreadySubmitted, ApiError, LedgerError, PendingUncertain, UncertainOutcome
    from graphc.api.ledger import Ledger, default_ledger_path, default_run_key, guarded_submit
    from graphc.api.secrets import configure_cli_logging
    from graphc.commands.common import read_error
    from graphc.commands.status import watch_graph
    from graphc.files import read_source
    from graphc.plan import is_plan_text

    try:
        text = read_source(source)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"graphc: {read_error(source, exc)}", err=True)
        sys.exit(EXIT_USAGE)
    if is_plan_text(text):
        name, wire_text, outcome = _from_plan(source, text, max_age, quotes_path)
    else:
        name, wire_text, outcome = _from_playbook(source, quotes_path, set_values, params_file, now)
    if outcome.result is not None and outcome.result.diagnostics:
        print_diagnostics([outcome.result], summary=True)
    if wire_text is None or outcome.has_errors:
        _refuse("lint found errors; fix them and submit again", EXIT_FINDINGS)
    wire = json.loads(wire_text, parse_float=Decimal)
    if not isinstance(wire.get("is_sandbox"), bool):
        _refuse(
            f"{name} does not say whether it is a sandbox graph (no `is_sandbox`), so the router's default "
            'would decide; add `"is_sandbox": true` (or `false` together with --live)',
            EXIT_USAGE,
        )
    is_live = wire["is_sandbox"] is False
    if is_live and not live:
        _refuse(f"{name} is a LIVE graph (`sandbox: false`); pass --live to trade it for real", EXIT_USAGE)
    if is_live:
        _confirm_live(name, wire, yes)
    if verbose:
        configure_cli_logging(True)
    wire_bytes = wire_text.encode("utf-8")
    run_key = run_key or default_run_key(name, wire_bytes)
    try:
        embedded = _embedded(not is_live)
    except ApiError as exc:  # e.g. a credentials file others can read
        click.echo(f"graphc: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    # The embedded sandbox forgets everything when this command exits, so its
    # runs must not block a later submission of the same run to a real router.
    # The default is the project of the current directory, like `graphc ledger`
    # (not of SOURCE: a plan saved in /tmp must not get a ledger of its own).
    ledger_file = ":memory:" if embedded else (ledger_path or default_ledger_path())
    try:
        ledger = Ledger(ledger_file)
    except OSError as exc:
        click.echo(f"graphc: error: cannot open the ledger {ledger_file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    except LedgerError as exc:
        click.echo(f"graphc: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    try:
        with ledger, _router(embedded) as client:
            try:
                submitted = guarded_submit(
                    ledger, client, run_key=run_key, playbook=name, wire=wire_bytes, live=is_live, force=force
                )
            except (AlreadySubmitted, PendingUncertain) as exc:
                _refuse(f"{exc} (see `graphc ledger` and docs/submitting.md)", exc.exit_code)
            except UncertainOutcome as exc:
                click.echo(
                    f"graphc: UNCERTAIN: {exc}. The run {run_key!r} is recorded as uncertain and will be "
                    "reconciled against the router before anything else is submitted for it; "
                    "do not resubmit by hand (see `graphc ledger`).",
                    err=True,
                )
                sys.exit(EXIT_REMOTE)
            graph_id = submitted.response["graph_id"]
            mode = "LIVE" if is_live else "sandbox"
            click.echo(f"submitted {name} as graph {graph_id} ({mode}, run key {run_key})")
            if watch or embedded:
                try:
                    final = watch_graph(client, graph_id, interval=0.2 if embedded else 1.0)
                except ApiError as exc:
                    click.echo(
                        f"graphc: error: graph {graph_id} was submitted, but following it failed: {exc}; "
                        f"follow it with `graphc status {graph_id} --watch`",
                        err=True,
                    )
                    sys.exit(exc.exit_code)
                except KeyboardInterrupt:
                    click.echo(
                        f"\nstopped watching; graph {graph_id} was submitted and keeps running "
                        f"(graphc status {graph_id})",
                        err=True,
                    )
                    sys.exit(130)
                click.echo(f"graph {graph_id} {final.get('status')}")
                if final.get("status") != "completed":
                    sys.exit(EXIT_FINDINGS)
    except (ApiError, LedgerError) as exc:
        click.echo(f"graphc: error: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", EXIT_REMOTE))
    except KeyboardInterrupt:
        click.echo(
            f"\ngraphc: interrupted; if the submission was in flight, run {run_key!r} is recorded as "
            "uncertain and will be reconciled before it can be submitted again",
            err=True,
        )
        sys.exit(130)
