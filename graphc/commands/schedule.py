"""``graphc schedule``: when a recurring playbook runs next, and whether an occurrence is due now."""

from __future__ import annotations

import itertools
import json
import sys
from datetime import UTC, datetime

import click

from graphc.commands.common import EXIT_FINDINGS, EXIT_USAGE, parse_now, print_diagnostics, read_error, write_output
from graphc.diagnostics import has_errors
from graphc.report import one_line
from graphc.schedule import describe_duration, read_scheduled, run_key, utc_text


def load_or_exit(playbook):
    """The playbook's name and schedule; exits 2 (unreadable, no schedule) or 1 (invalid) after saying why."""
    try:
        scheduled = read_scheduled(playbook)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"graphc: {read_error(playbook, exc)}", err=True)
        sys.exit(EXIT_USAGE)
    from graphc.lint import as_linted  # deferred: --help needs none of lint

    # what lint reports of this file: its graphc.toml's own problems (an error of the run, as in lint), then its
    # warnings with the config's severities and suppression comments applied
    results = as_linted(scheduled.diagnostics, scheduled.text, scheduled.path)
    if results:
        print_diagnostics(results, summary=True)
    if any(has_errors(result.diagnostics) for result in results):
        sys.exit(EXIT_FINDINGS)
    if scheduled.schedule is None:
        click.echo(
            f"graphc: {one_line(str(playbook))} has no `schedule:`; add one, e.g.\n"
            "  schedule:\n    cron: '0 14 * * MON'\n    timezone: Europe/London\n(see docs/recurring.md)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    return scheduled.run_name, scheduled.schedule


@click.command("schedule")
@click.argument("playbook", type=click.Path(dir_okay=False))
@click.option(
    "--now",
    "now",
    metavar="ISO8601",
    help="Take this as the current time (e.g. 2026-01-05T14:30:00Z); a time without an offset is UTC, not the "
    "schedule's timezone.",
)
@click.option(
    "-n", "--count", type=click.IntRange(1, 1000), default=5, show_default=True, help="How many next occurrences."
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def schedule_command(playbook, now, count, as_json):
    """Show when PLAYBOOK's `schedule:` runs: whether an occurrence is due now
    (the latest one, if it is no older than `catch_up`) and the next ones, in
    the schedule's timezone and in UTC, each with its run key.

    Exit status: 0 shown, 1 invalid schedule, 2 unreadable file or no schedule.
    """
    name, schedule = load_or_exit(playbook)
    at = parse_now(now) or datetime.now(UTC)
    due = schedule.due_at(at)
    upcoming = list(itertools.islice(schedule.occurrences(at), count))
    if as_json:

        def entry(instant):
            return {
                "utc": utc_text(instant),
                "local": schedule.local(instant).isoformat(),
                "run_key": run_key(name, instant),
            }

        answer = {
            "name": name,
            "cron": schedule.cron.text,
            "timezone": schedule.timezone,
            "catch_up_s": schedule.catch_up.total_seconds(),
            "now": at.isoformat().replace("+00:00", "Z"),
            "due": entry(due.occurrence) if due.occurrence else None,
            "latest": entry(due.latest) if due.latest else None,
            "next": [entry(o) for o in upcoming],
        }
        write_output(json.dumps(answer, indent=2) + "\n", None)  # data, as every JSON graphc prints
        return
    click.echo(f"{name}: {schedule.describe()}")
    click.echo(f"now:  {schedule.local_text(at)}  ({utc_text(at)})")
    if due.occurrence is not None:
        click.echo(
            f"due:  {schedule.local_text(due.occurrence)}  ({utc_text(due.occurrence)}), "
            f"{describe_duration(at - due.occurrence)} ago; run key {run_key(name, due.occurrence)}"
        )
    elif due.latest is not None:
        click.echo(
            f"due:  nothing; the last occurrence, {schedule.local_text(due.latest)} ({utc_text(due.latest)}), "
            f"is {describe_duration(at - due.latest)} old, past its catch-up of {describe_duration(schedule.catch_up)}"
        )
    else:
        click.echo("due:  nothing; the schedule has no earlier occurrence")
    if not upcoming:
        click.echo("next: none (the cron names no time in the years ahead)")
        return
    click.echo("next:")
    rows = [(schedule.local_text(o), utc_text(o), run_key(name, o)) for o in upcoming]
    width = max(len(r[0]) for r in rows)
    for local, utc, key in rows:
        click.echo(f"  {local:<{width}}  {utc}  {key}")
