"""``graphc deploy DIR`` and ``graphc strategy list|logs|stop|start|delete``: hosted strategies over /v1/strategies."""

from __future__ import annotations

import contextlib
import shlex
import sys
import time

import click

from graphc.api.errors import ApiError, NotFound, UncertainOutcome
from graphc.api.redact import clean, json_text
from graphc.commands.common import EXIT_USAGE, FiniteFloat, confirm_or_refuse, echo_done, write_output


@contextlib.contextmanager
def _router(verbose: bool = False):
    """The configured router client; configuration and router errors end the command with their exit code."""
    from graphc.api.client import Client  # deferred: httpx; --help stays fast
    from graphc.api.secrets import configure_cli_logging  # deferred: logging; --help stays fast
    from graphc.strategies import DeployError  # deferred: tarfile; --help stays fast

    configure_cli_logging(verbose)  # retries announced, any library's warning redacted (audit hrouter.md 2)
    try:
        with Client.from_env() as client:
            yield client
    except DeployError as exc:
        click.echo(f"graphc: {'refused' if exc.exit_code == EXIT_USAGE else 'error'}: {exc}", err=True)
        sys.exit(exc.exit_code)
    except ApiError as exc:
        click.echo(f"graphc: error: {exc}", err=True)
        sys.exit(exc.exit_code)


def _live_opt_in(
    name: str, live_from: str | None, live: bool, yes: bool, act: str, question: str, env: dict | None = None
) -> None:
    """Deploying or starting a strategy that runs with GRAPHC_LIVE=1 (``live_from`` says where from) is the submit
    of a hosted strategy: it needs --live, then --yes or a yes at the prompt, as `graphc submit` does (audit live23
    F1). --live for one that does not is said to have no effect. A refusal is DeployError or exit 2."""
    from graphc.strategies import refuse_live  # deferred: tarfile; --help stays fast

    name = clean(name, 200)  # a start's name is the router's
    refuse_live(name, live_from, live, act, env)
    if live_from is None:
        if live:
            click.echo(
                f"graphc: warning: --live has no effect: {name} does not run with GRAPHC_LIVE=1, so a "
                "graphc bundle cannot trade live",
                err=True,
            )
        return
    if not yes:
        confirm_or_refuse(
            f"{question} to trade LIVE, with real money?",
            no_terminal=f"{name} trades LIVE; with no terminal to confirm on, pass --yes as well as --live",
            not_done="nothing was sent",
        )


def _mode(live: bool | None) -> str | None:
    """A strategy's mode in words: LIVE, sandbox, or None when graphc cannot tell."""
    return None if live is None else "LIVE" if live else "sandbox"


def _env_option(values) -> dict:
    env = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint="--env")
        env[key.strip()] = value
    return env


@click.command("deploy")
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
@click.option("--env", "env_values", multiple=True, metavar="KEY=VALUE", help="Add to [hosted.env] (repeatable).")
@click.option("--no-start", is_flag=True, help="Upload only; start later with `graphc strategy start NAME`.")
@click.option(
    "--replace",
    is_flag=True,
    help="Replace a strategy of the same name: check the new one with the router, then stop and delete the old one and create the new one.",
)
@click.option("--live", is_flag=True, help="Allow a strategy that trades live (GRAPHC_LIVE=1 in its env).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of a live strategy (needed without a terminal).")
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def deploy_command(directory, env_values, no_start, replace, live, yes, verbose):
    """Upload DIRECTORY (a `graphc bundle` output, or any directory with a
    Sequence.toml) as a hosted strategy and start it: what `sequence strategy
    deploy DIR --start` does, through POST /v1/strategies.

    The runner is given the API key graphc is configured with (as
    SEQUENCE_API_KEY), except by a loopback router (the local sandbox): none
    is sent there. No file of the upload, and no env value, may contain it
    (a secret belongs in [hosted.secrets]).

    Deploying is the submit of a hosted strategy: one that would run with
    GRAPHC_LIVE=1 (in Sequence.toml's [hosted.env] or from --env) trades
    live, so it needs --live, and --yes or a yes at the prompt, and says
    LIVE. GRAPHC_LIVE, or any other GRAPHC_* setting, in [hosted.secrets]
    is refused (what is traded, and when, must be visible). A graphc bundle
    is deployed only as `graphc bundle` checked it: a project/ edited since
    is refused, and so is a GRAPHC_PLAYBOOK, GRAPHC_SET or GRAPHC_PARAMS
    (Sequence.toml or --env) other than the one it was checked with. Of any other directory graphc cannot tell whether it trades
    live: a note says so.

    Exit status: 0 deployed, 2 refused (no Sequence.toml, a name already
    deployed without --replace, a file or an env value holding the key, a
    live strategy without --live or not confirmed, a bundle edited after
    `graphc bundle`), 3 router failure.
    """
    from graphc.strategies import DeployError, check_bundle, deploy, read_strategy_dir  # deferred: tarfile

    env = _env_option(env_values)
    try:
        sdir = read_strategy_dir(directory)
        note = check_bundle(sdir, env)
        live_from = sdir.live_from(env)
        _live_opt_in(
            sdir.name, live_from, live, yes, "deploy it", f"Deploy {clean(sdir.name, 200)}", {**sdir.env, **env}
        )
    except DeployError as exc:
        click.echo(f"graphc: refused: {exc}", err=True)
        sys.exit(exc.exit_code)
    if note is not None:
        click.echo(f"graphc: note: {clean(note, None)}", err=True)
    with _router(verbose) as client:
        if client.key_configured and not client.gives_strategies_the_key:
            click.echo(
                "graphc: note: the router's URL is a loopback address (a local sandbox, or a tunnel): the API key is "
                "not sent, so the strategy runs without SEQUENCE_API_KEY",
                err=True,
            )
        created = deploy(client, sdir, env=env, start=not no_start, replace=replace, allow_live=live)
    name, sid = clean(created.get("name"), 200), clean(created.get("strategy_id"), 80)  # the router's answer
    sha, status = clean(str(created.get("artifact_sha256", ""))[:12], 12), clean(created.get("status"), 40)
    mode = _mode(True if live_from is not None else False if sdir.bundle is not None else None)
    shown = f"{mode}, " if mode else ""
    echo_done(f"deployed {name} as strategy {sid} ({shown}artifact sha256 {sha}, status {status})")
    click.echo(f"follow it with `graphc strategy logs {name} --follow`")


@click.group("strategy")
def strategy_group():
    """List, follow, stop, start and delete hosted strategies (/v1/strategies)."""


@strategy_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the router's answer as JSON, with graphc_live.")
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def list_command(as_json, verbose):
    """List the account's hosted strategies, with the mode of each: LIVE when
    it runs with GRAPHC_LIVE=1, sandbox for a graphc bundle without, `?` when
    graphc cannot tell (not a graphc bundle). --json adds `graphc_live`
    (true, false or null) to each entry."""
    from graphc.strategies import listed_live  # deferred: tarfile; --help stays fast

    with _router(verbose) as client:
        strategies = client.list_strategies(exact=as_json)  # --json prints its numbers as they came
    if as_json:
        # data, as every command's JSON is written (audit status28 4)
        write_output(json_text({"strategies": [{**s, "graphc_live": listed_live(s)} for s in strategies]}) + "\n", None)
        return
    if not strategies:
        click.echo("no strategies")
        return
    rows = [
        (
            clean(s.get("name", ""), 80),
            clean(s.get("strategy_id", ""), 80),
            _mode(listed_live(s)) or "?",
            clean(s.get("status", ""), 40),
            clean(s.get("desired_state", ""), 40),
            clean(str(s.get("artifact_sha256", ""))[:12], 12),
        )
        for s in strategies
    ]
    header = ("name", "strategy_id", "mode", "status", "desired", "artifact")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _lifecycle(action: str, strategy: str, verbose: bool, *, live: bool = False, yes: bool = False) -> None:
    """stop / start / delete one strategy, found by name or id, and say where it stands (and its mode). A start is
    the submit of a hosted strategy again: one that runs with GRAPHC_LIVE=1 needs --live (:func:`_live_opt_in`)."""
    from graphc.api.client import DeletedOnRetry  # deferred: httpx; --help stays fast
    from graphc.strategies import DeployError, find_strategy, listed_live  # deferred: tarfile; --help stays fast

    with _router(verbose) as client:
        found = find_strategy(client, strategy)
        sid, name = found["strategy_id"], str(found.get("name"))
        seen = found
        if action == "start":
            seen = {**found, **client.get_strategy(sid)}  # its env: shown by GET /v1/strategies/ID
            _start_opt_in(name, seen, live, yes)
        try:
            answer = getattr(client, f"{action}_strategy")(sid)
        except UncertainOutcome as exc:  # a stop or a start (a delete is retried): the same again is harmless
            flags = " --live" if action == "start" and listed_live(seen) else ""
            raise DeployError(
                f"{exc}; check with `graphc strategy list`, or run `graphc strategy {action} {shlex.quote(strategy)}"
                f"{flags}` again (a second {action} is harmless)",
                exc.exit_code,
            ) from None
        if action == "delete":
            state = "deleted"
            if isinstance(answer, DeletedOnRetry):
                state += " (an earlier attempt deleted it; its answer was lost)"
        else:
            now = client.get_strategy(sid)
            seen, state = {**seen, **now}, now.get("status")
    mode = _mode(listed_live(seen))
    shown = f", {mode}" if mode else ""
    echo_done(f"{action}: {clean(found.get('name'), 200)} ({clean(sid, 80)}{shown}): {clean(state, 120)}")


def _start_opt_in(name: str, strategy: dict, live: bool, yes: bool) -> None:
    """--live (and --yes, or a yes) to start a strategy the router shows with GRAPHC_LIVE=1; also one that graphc
    bundled whose env the router does not show: graphc cannot tell, so it asks for the opt-in rather than guess."""
    from graphc.strategies import DeployError, listed_live, unchecked_setting  # deferred: tarfile; --help stays fast

    mode = listed_live(strategy)
    manifest = strategy.get("manifest")
    live_from = 'GRAPHC_LIVE = "1" in its env' if mode else None
    if mode is None and isinstance(manifest, dict) and isinstance(manifest.get("graphc_bundle"), dict):
        if not live:
            raise DeployError(
                f"{clean(name, 200)} is a graphc bundle whose env the router does not show, so graphc cannot tell "
                "whether it trades LIVE; pass --live to start it as a live one; nothing was sent"
            )
        live_from = "its env not shown"
    shown_env = strategy.get("env")
    bundle = manifest.get("graphc_bundle") if isinstance(manifest, dict) else None
    checked = bundle.get("checked_env") if isinstance(bundle, dict) else None
    if isinstance(checked, dict) and isinstance(shown_env, dict):  # deployed by something else than graphc deploy
        problem = unchecked_setting(checked, shown_env, lambda key: "its env (as the router shows it)")
        if problem is not None:
            raise DeployError(f"{clean(name, 200)}: {clean(problem, None)}")
    _live_opt_in(
        name,
        live_from,
        live,
        yes,
        "start it",
        f"Start {clean(name, 200)}",
        shown_env if isinstance(shown_env, dict) else None,
    )


@strategy_group.command("stop")
@click.argument("strategy")
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def stop_command(strategy, verbose):
    """Stop STRATEGY (name or id): the runner sends it SIGTERM and does not restart it."""
    _lifecycle("stop", strategy, verbose)


@strategy_group.command("start")
@click.argument("strategy")
@click.option("--live", is_flag=True, help="Allow a strategy that trades live (GRAPHC_LIVE=1 in its env).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of a live strategy (needed without a terminal).")
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def start_command(strategy, live, yes, verbose):
    """Re-queue a stopped STRATEGY (name or id).

    Starting is the submit of a hosted strategy again: one the router shows
    with GRAPHC_LIVE=1 in its env trades live, so it needs --live, and --yes
    or a yes at the prompt (exit 2, nothing sent, without)."""
    _lifecycle("start", strategy, verbose, live=live, yes=yes)


@strategy_group.command("delete")
@click.argument("strategy")
@click.option("--yes", is_flag=True, help="Do not ask (needed without a terminal).")
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def delete_command(strategy, yes, verbose):
    """Delete STRATEGY (name or id): its artifact, row and logs are purged."""
    if not yes:
        confirm_or_refuse(
            f"Delete strategy {strategy} and its logs?",
            no_terminal="deleting purges the strategy's logs; pass --yes",
            not_done=f"strategy {strategy} was not deleted",
        )
    _lifecycle("delete", strategy, verbose)


@strategy_group.command("logs")
@click.argument("strategy")
@click.option("--run-id", help="A given run's logs (default: the latest run).")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (across restarts) until it stops.")
@click.option("--interval", type=FiniteFloat(min=0.2), default=2.0, show_default=True, help="Seconds between polls.")
@click.option("-v", "--verbose", is_flag=True, help="Log HTTP requests to stderr (credentials are redacted).")
def logs_command(strategy, run_id, follow, interval, verbose):
    """Print STRATEGY's log lines (name or id); `--follow` keeps polling until
    the strategy is stopped, or Ctrl-C.

    With --follow, the logs are read once more after the strategy is seen
    stopped (its last lines), and a strategy deleted meanwhile (the router
    answers 404 for it) ends the follow with a note, exit 0. Lines are printed
    in their `seq` order, each once: an entry read again is not printed again,
    and entries that share a `seq` with other text are each printed. Exit 3: a router failure, a logs answer
    with no list of lines, or a strategy status none of the reference's
    (queued, running, stopped, failed).
    """
    from graphc.strategies import find_strategy, log_lines, strategy_status  # deferred: tarfile; --help stays fast

    with _router(verbose) as client:
        found = find_strategy(client, strategy)
        sid = found["strategy_id"]
        gone = (
            f"graphc: strategy {clean(found.get('name'), 200)} ({clean(sid, 80)}) is gone: the router answers 404 "
            "for it (deleted, its logs with it); stopped following"
        )
        printed: dict[str, set[tuple]] = {}  # the entries printed (LogLine.key), by run: each once, none left out
        current = None
        stopped = False
        try:
            while True:
                try:
                    answer = client.strategy_logs(sid, run_id)
                except NotFound:
                    if not follow or not _deleted(client, sid):  # a --run-id it does not have: still an error
                        raise
                    click.echo(gone, err=True)
                    return
                shown_run, lines = log_lines(answer)
                if follow and shown_run and shown_run != current:
                    if current is not None:
                        click.echo(f"--- run {clean(shown_run, 80)} ---", err=True)
                    current = shown_run
                seen = printed.setdefault(shown_run or "", set())
                for line in lines:  # in seq order (log_lines)
                    if line.key not in seen:  # a repeat of an entry shown, not one that shares its seq (status28 8)
                        click.echo(clean(line.text, None))
                        seen.add(line.key)
                if not follow or stopped:
                    return
                try:
                    status = strategy_status(client.get_strategy(sid))
                except NotFound:
                    click.echo(gone, err=True)
                    return
                if status == "stopped":
                    # the runner streams the process's lines as it runs, and its exit (the status) can come after
                    # the read above: read once more, or its last lines (often the crash) are lost (follow17 4)
                    stopped = True
                    continue
                time.sleep(interval)
        except KeyboardInterrupt:
            sys.exit(130)


def _deleted(client, strategy_id: str) -> bool:
    """Whether the router answers 404 for the strategy itself (its logs' 404 may be a run it does not have)."""
    try:
        client.get_strategy(strategy_id)
    except NotFound:
        return True
    return False
