"""``graphc plan``: compile and lint a source, show what would be sent, optionally save it.

It runs exactly the checks ``graphc submit`` runs before sending
(:func:`graphc.submit.prepare`), so whatever submit would refuse, plan reports
as not ready, with the same exit status.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from graphc.api.redact import clean
from graphc.commands.common import (
    EXIT_USAGE,
    StaleOutputCommand,
    api_errors,
    bold_style,
    compile_options,
    explain_live,
    explain_skips_option,
    fail,
    live_params_text,
    make_folders_for,
    occurrence_lines,
    parse_now,
    parse_set,
    print_diagnostics,
    quotes_for,
    removes_stale_output,
    summary_lines,
)
from graphc.plan import PlanError, build_plan, resaved_plan, write_plan
from graphc.report import one_line


@click.command("plan", cls=StaleOutputCommand)
@click.argument("playbook", type=click.Path(dir_okay=False))
@compile_options
@explain_skips_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Save the plan (the graph, its hashes, the run key, the time, the suppression comments that hid findings "
    "about its legs) for `graphc submit PLAN`; written 0600, "
    "missing folders are created. "
    "A saved plan is saved again unchanged: its time and inputs are kept, so it goes stale as the original does. "
    "If the plan is not ready, a file already there is removed (and that is said), so an earlier run's plan "
    "never passes for this one's (unless it is the plan being read).",
)
@click.option(
    "--run-key",
    help="Plan the run under this key (default: the graph's content: name + hash; a scheduled playbook's: "
    "its due occurrence's, NAME@YYYY-MM-DDTHH:MMZ, as `graphc run` submits it).",
)
@removes_stale_output("plan", "plan", inputs=("playbook", "quotes_path", "params_file"))
@api_errors
def plan_command(playbook, quotes_path, set_values, params_file, now, explain_skips, output, run_key):
    """Compile and lint PLAYBOOK (or a wire graph, a simple order, a saved plan),
    then summarise what would be submitted: the legs, the trigger tree, the
    risk limits, the total notional, and whether it trades in the SANDBOX or LIVE.

    A playbook with a `schedule:` is planned as its occurrence due at --now (or
    now), as `graphc run` renders and keys it, so submitting the plan and the
    runner make one graph between them; with nothing due it is not ready,
    unless --run-key names a run of its own.

    Exit status: 0 ready to submit; 1 lint errors; 2 not ready for another
    reason submit would refuse it (no `is_sandbox`, a saved plan given --quotes,
    a stale or modified plan, a schedule with nothing due), unreadable input, or
    the plan cannot be written (or would be refused once saved: a comment hid a
    finding about no one leg, which a saved plan cannot keep, or the plan is
    larger than GRAPHC_MAX_FILE_BYTES, the size limit it is read under).
    """
    from graphc.submit import (  # deferred: the submitter and its ledger; --help stays fast
        diagnostics_of,
        kept_in_plan,
        prepare,
        saved_plan_refusal,
    )

    params, when = parse_set(set_values), parse_now(now)
    params_text = live_params_text(quotes_path, params_file, playbook)  # read once: both compiles render with it
    live = quotes_for(quotes_path, set_values, params_file, now, playbook, run_key, params_text)
    snapshot = None if live is not None else quotes_path
    prepared = prepare(
        playbook,
        quotes_path=snapshot,
        quotes=live,
        params=params,
        params_file=params_file,
        params_text=params_text,
        now=when,
        run_key=run_key,
    )
    explain_live([prepared.result], live)
    for note in prepared.notes:
        click.echo(f"graphc: note: {one_line(note)}", err=True)
    results = diagnostics_of(prepared)
    if results:
        print_diagnostics(results, summary=True, explain_skips=explain_skips)
    if prepared.wire is not None:
        click.echo(f"plan for {clean(prepared.name, None)} ({one_line(str(playbook))})\n")
        for line in summary_lines(
            prepared.wire, prepared.quotes, bold=bold_style(), turned_off=prepared.turned_off, hidden=prepared.hidden
        ):
            click.echo(line)
        for line in occurrence_lines(prepared):
            click.echo(line)
        if prepared.occurrence is not None:
            click.echo(
                f"run key: {clean(prepared.run_key, None)} (the occurrence's: `graphc run` uses the same, so it is "
                "submitted once)"
            )
        elif prepared.schedule is not None:
            click.echo("run key: none: no occurrence of the schedule is due")
        else:
            click.echo(f"run key: {clean(prepared.run_key, None)}")  # any text, a saved plan's too (status28 6)
        if prepared.plan is not None and not output:
            plan = prepared.plan
            click.echo(
                f"saved plan made at {plan.created_text} ({max(0, round(plan.age_s()))} s ago): "
                "submit refuses it once older than --max-age (60 s by default)"
            )
    if prepared.problems:
        for problem in prepared.problems:
            click.echo(f"graphc: not ready to submit: {problem.shown}", err=True)
        if output:
            click.echo(f"graphc: {one_line(output)} not written", err=True)
        sys.exit(prepared.problems[0].exit_code)
    if prepared.live and prepared.clock is not None:  # graphc.submit.rehearsal_clock: never sent live
        click.echo(
            f"submitting it needs --live, which is refused with {prepared.clock_named('--now')}: a rehearsal clock "
            "is for rehearsals; plan it without --now to trade it live"
        )
    elif prepared.live:
        click.echo("submitting it needs --live (and a confirmation, or --yes)")
    if output:
        if prepared.plan is not None:  # the same plan saved again: not compiled again, its prices not read again
            document = resaved_plan(
                prepared.plan,
                run_key=prepared.run_key,
                occurrence=prepared.occurrence,
                catch_up_until=prepared.catch_up_until,
            )
        else:
            # the comments that shaped its verdict, as the plan records them: its JSON has none (audit rules23 1)
            carried, unkept = kept_in_plan(prepared)
            document = build_plan(
                name=prepared.name,
                wire_text=prepared.wire_text,
                playbook=playbook,
                quotes=snapshot,  # live quotes are not a file to hash
                params_file=params_file,
                params=params,
                now=when,
                run_key=prepared.run_key,
                project=prepared.project,
                quote_values=prepared.quotes,  # the prices it was valued with, so the saved plan shows the same
                occurrence=prepared.occurrence,
                catch_up_until=prepared.catch_up_until,
                suppressed=carried,
                simple_order=prepared.simple_order,
            )
            refusal = saved_plan_refusal(document, output, unkept) if prepared.hidden else None
            if refusal is not None:  # a plan `submit` would refuse is never saved
                fail(f"{output} not written: {refusal}", EXIT_USAGE, prefix="")
        try:
            make_folders_for(output)
            write_plan(document, output)
        except OSError as exc:
            fail(f"cannot write plan {output}: {exc.strerror or exc}", EXIT_USAGE)
        except PlanError as exc:  # over the size limit `plan` and `submit` read a plan under
            fail(f"{output} not written: {exc}", EXIT_USAGE, prefix="")
        if prepared.plan is not None:
            click.echo(f"\n{one_line(_resaved(prepared.plan, output))}")
        else:
            shown = one_line(output)
            click.echo(f"\nsaved plan to {shown}; {_submit_it(prepared, shown)}")


def _submit_it(prepared, shown: str) -> str:
    """How to submit the plan saved to ``shown``. Within a minute (--max-age, 60 s by default), unless it is a
    scheduled occurrence's: `submit` of it waits out the settle first (a request another graphc sent for it may still
    land) when the project's ledger has no record of it, and the plan must still be younger than --max-age when it is
    sent, so that needs a --max-age past the settle (audit recur23 5: "within a minute" could never hold)."""
    if prepared.occurrence is None:
        return f"submit it with `graphc submit {shown}` within a minute (--max-age)"
    from math import ceil  # deferred: only a scheduled occurrence's plan

    from graphc.schedule import describe_duration  # deferred: zoneinfo; only a scheduled occurrence's plan

    settle = _settle_s()
    took = (
        f"{describe_duration(timedelta(seconds=round(settle)))} with this router's client"
        if settle
        else "about 3 minutes with the defaults"
    )
    max_age = 60 * ceil(((settle or 180.0) + 60) / 60)  # the settle, and a minute to send it in
    return (
        f"it is the occurrence's run {prepared.run_key!r}, and `graphc submit` of it waits out its settle first "
        f"({took}: a request another graphc sent for it may still land) unless this project's ledger has a record "
        "of the occurrence or the router shows it, while a plan older than --max-age (60 s by default) is refused: "
        f"submit it with `graphc submit {shown} --max-age {max_age}`, or with `--settle 0` only for a rehearsal no "
        "other process can have sent this occurrence (docs/recurring.md, Settle)"
    )


def _settle_s() -> float | None:
    """The settle `graphc submit` waits by default (no --settle) with the router client it makes (SEQUENCE_API_URL,
    the API key): :func:`graphc.submit.landing_time_s`; None when no client can be made here (no key, a bad URL,
    a bad GRAPHC_LANDING_MARGIN: submit says so itself)."""
    from graphc.api.client import Client  # deferred: httpx; only a scheduled occurrence's plan
    from graphc.api.errors import ApiError  # deferred: only a scheduled occurrence's plan
    from graphc.submit import Refused, landing_time_s  # deferred: the submitter's landing window

    try:
        with Client.from_env() as client:
            return landing_time_s(client)
    except (ApiError, Refused):
        return None


def _resaved(plan, output: str) -> str:
    """What saving a saved plan again did: nothing made it younger (docs/submitting.md, `--max-age`)."""
    playbook = (plan.inputs or {}).get("playbook")
    source = playbook.get("path") if isinstance(playbook, dict) else None
    fresh = f"plan {source} again" if source else "make a new plan from its playbook"
    return (
        f"re-saved the plan made at {plan.created_text} ({max(0, round(plan.age_s()))} s ago) to {output}: "
        "the same graph, prices, time and inputs, so its age still counts from then (--max-age); "
        f"for fresh prices, {fresh}"
    )
