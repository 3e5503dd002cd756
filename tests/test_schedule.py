"""Recurring playbooks (spec §9): cron, timezones, DST, catch_up, run keys, `graphc schedule`, lint.

Every expected instant below was worked out by hand from the 2026 clock
changes (not produced by the code under test):

* Europe/London: clocks go forward Sun 29 Mar 2026 at 01:00 GMT (01:00-01:59
  local never happens) and back Sun 25 Oct 2026 at 02:00 BST (01:00-01:59
  local happens twice: first at UTC+1, then at UTC+0).
* America/New_York: forward Sun 8 Mar 2026 at 02:00 EST (02:00-02:59 never
  happens), back Sun 1 Nov 2026 at 02:00 EDT (01:00-01:59 twice: first at
  UTC-4, then at UTC-5).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import zoneinfo
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphc.schedule import CronError, Schedule, describe_duration, parse_cron, run_key
from graphc.stages.load import load_text


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sched(cron: str, tz: str = "UTC", catch_up: timedelta = timedelta(hours=1)) -> Schedule:
    return Schedule(parse_cron(cron), tz, catch_up)


def upcoming(schedule: Schedule, after: str, n: int) -> list[str]:
    return [f"{o:%Y-%m-%dT%H:%MZ}" for o in itertools.islice(schedule.occurrences(utc(after)), n)]


# -- DST, by hand ---------------------------------------------------------------------------


def test_london_spring_forward_skipped_time_does_not_occur():
    # 01:30 local does not exist on 29 Mar 2026: that day has no occurrence.
    s = sched("30 1 * * *", "Europe/London")
    assert upcoming(s, "2026-03-27T12:00Z", 3) == ["2026-03-28T01:30Z", "2026-03-30T00:30Z", "2026-03-31T00:30Z"]


def test_london_fall_back_repeated_time_occurs_once_at_its_first_instant():
    # 01:30 local happens at 00:30Z (BST) and again at 01:30Z (GMT); only the first counts.
    s = sched("30 1 * * *", "Europe/London")
    assert upcoming(s, "2026-10-24T00:00Z", 3) == ["2026-10-24T00:30Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z"]
    assert s.latest_at_or_before(utc("2026-10-25T01:45Z")) == utc("2026-10-25T00:30Z")


def test_london_weekly_moves_in_utc_when_the_clocks_change():
    s = sched("0 14 * * MON", "Europe/London")
    assert upcoming(s, "2026-03-20T00:00Z", 2) == ["2026-03-23T14:00Z", "2026-03-30T13:00Z"]
    assert upcoming(s, "2026-10-20T00:00Z", 2) == ["2026-10-26T14:00Z", "2026-11-02T14:00Z"]


def test_new_york_spring_forward():
    s = sched("30 2 * * *", "America/New_York")
    assert upcoming(s, "2026-03-07T00:00Z", 2) == ["2026-03-07T07:30Z", "2026-03-09T06:30Z"]
    hourly = sched("0 * * * *", "America/New_York")
    # local 00:00 EST, 01:00 EST, (02:00 skipped), 03:00 EDT
    assert upcoming(hourly, "2026-03-08T04:30Z", 3) == ["2026-03-08T05:00Z", "2026-03-08T06:00Z", "2026-03-08T07:00Z"]


def test_new_york_fall_back_repeated_half_hours_occur_once():
    s = sched("*/30 * * * *", "America/New_York")
    # 00:30 EDT, 01:00 EDT, 01:30 EDT, [01:00 EST and 01:30 EST are repeats], 02:00 EST, 02:30 EST
    assert upcoming(s, "2026-11-01T04:00Z", 5) == [
        "2026-11-01T04:30Z",
        "2026-11-01T05:00Z",
        "2026-11-01T05:30Z",
        "2026-11-01T07:00Z",
        "2026-11-01T07:30Z",
    ]


# -- due, catch_up, run keys --------------------------------------------------------------


def test_due_exactly_at_catch_up_and_not_a_millisecond_after():
    s = sched("0 14 * * MON", "Europe/London", timedelta(hours=2))  # Mon 5 Jan 2026, 14:00 GMT = 14:00Z
    assert s.due_at(utc("2026-01-05T14:00Z")).due  # at the occurrence itself
    edge = s.due_at(utc("2026-01-05T16:00Z"))
    assert edge.due and edge.latest == utc("2026-01-05T14:00Z")
    late = s.due_at(utc("2026-01-05T16:00:00.001Z"))
    assert not late.due and late.latest == utc("2026-01-05T14:00Z") and late.next == utc("2026-01-12T14:00Z")
    before = s.due_at(utc("2026-01-05T13:59Z"))
    assert before.latest == utc("2025-12-29T14:00Z") and not before.due and before.next == utc("2026-01-05T14:00Z")


def test_run_key_is_name_at_the_occurrence_in_utc():
    assert run_key("btc-weekly-dca", utc("2026-03-30T13:00Z")) == "btc-weekly-dca@2026-03-30T13:00Z"
    local = datetime(2026, 3, 30, 14, 0, tzinfo=ZoneInfo("Europe/London"))
    assert run_key("x", local) == "x@2026-03-30T13:00Z"


def test_today_is_the_occurrence_date_in_the_schedule_timezone():
    s = sched("30 23 * * *", "America/New_York")
    o = s.next_after(utc("2026-06-01T00:00Z"))  # 20:00 EDT on Sunday 31 May
    assert o == utc("2026-06-01T03:30Z")  # 23:30 EDT on 31 May: 1 June in UTC
    assert s.today(o) == "2026-05-31"


# -- the cron reader ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        ("*/15 9-10 * * 1-5", "2026-01-02T10:40Z", ["2026-01-02T10:45Z", "2026-01-05T09:00Z"]),  # Fri -> Mon
        ("5/20 * * * *", "2026-01-01T00:00Z", ["2026-01-01T00:05Z", "2026-01-01T00:25Z", "2026-01-01T00:45Z"]),
        ("0 0 * * 7", "2026-01-01T00:00Z", ["2026-01-04T00:00Z"]),  # 7 is Sunday
        ("0 0 * * fri-sun", "2026-01-01T00:00Z", ["2026-01-02T00:00Z", "2026-01-03T00:00Z", "2026-01-04T00:00Z"]),
        # day-of-month and day-of-week both restricted: either one (1 Mar is a Sunday, 2 and 9 Mar Mondays)
        ("0 0 1 * MON", "2026-02-27T00:00Z", ["2026-03-01T00:00Z", "2026-03-02T00:00Z", "2026-03-09T00:00Z"]),
        # a day-of-month that starts with `*` counts as unrestricted (Vixie cron; docs/recurring.md): `*/2` with
        # MON is the Mondays on odd days (January 2026's Mondays are 5, 12, 19, 26: 5 and 19 are odd; Feb 9 next)
        ("0 0 */2 * MON", "2026-01-01T00:00Z", ["2026-01-05T00:00Z", "2026-01-19T00:00Z", "2026-02-09T00:00Z"]),
        # ... while the same days written without the `*` are restricted: either one (1, 3, 5 odd; 12 a Monday)
        (
            "0 0 1-31/2 * MON",
            "2026-01-09T00:00Z",
            ["2026-01-11T00:00Z", "2026-01-12T00:00Z", "2026-01-13T00:00Z", "2026-01-15T00:00Z"],
        ),
        ("0 12 1,15 jan,JUL *", "2026-01-01T12:00Z", ["2026-01-15T12:00Z", "2026-07-01T12:00Z"]),
        ("0 0 29 2 *", "2026-01-01T00:00Z", ["2028-02-29T00:00Z"]),
        ("@weekly", "2026-01-01T00:00Z", ["2026-01-04T00:00Z"]),
        ("@hourly", "2026-01-01T00:00Z", ["2026-01-01T01:00Z"]),
    ],
)
def test_cron_fields(cron, after, expected):
    assert upcoming(sched(cron), after, len(expected)) == expected


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("* * *", "expected 5 fields"),
        ("0 0 0 * * *", "seconds or year"),
        ("0 0 31 2 *", "never occurs"),
        ("0 0 * * 8", "day-of-week 8 is out of range 0-7"),
        ("0 0 * FOO *", "month 'FOO' is not a number or a name"),
        ("*/0 * * * *", "step"),
        ("5-1 * * * *", "runs backwards"),
        ("1,,2 * * * *", "empty list item"),
        ("@reboot", "unknown cron nickname"),
        ("", "expected 5 fields"),
    ],
)
def test_bad_cron_says_why(cron, message):
    with pytest.raises(CronError, match=message):
        parse_cron(cron)


# -- an independent oracle: walk every minute in UTC ----------------------------------------


def _matches(cron, local: datetime) -> bool:
    return (
        local.minute in cron.minutes
        and local.hour in cron.hours
        and cron.matches_date(local.date())
        and local.fold == 0  # a repeated wall time counts at its first instant only
    )


@settings(deadline=None)  # examples: the suite's profile (tests/conftest.py)
@given(
    minute=st.sampled_from(["*/7", "0", "30", "0,45", "15-20"]),
    hour=st.sampled_from(["*", "1", "2", "0-3", "*/5"]),
    dow=st.sampled_from(["*", "SUN", "1-5"]),
    tz=st.sampled_from(["Europe/London", "America/New_York", "UTC", "Australia/Lord_Howe"]),
    start=st.sampled_from(["2026-03-07T00:00Z", "2026-03-28T00:00Z", "2026-10-24T12:00Z", "2026-10-31T20:00Z"]),
)
def test_occurrences_equal_a_minute_by_minute_walk(minute, hour, dow, tz, start):
    s = sched(f"{minute} {hour} * * {dow}", tz)
    zone = ZoneInfo(tz)
    t0 = utc(start)
    walk = [
        t0 + timedelta(minutes=i)
        for i in range(1, 3 * 24 * 60)
        if _matches(s.cron, (t0 + timedelta(minutes=i)).astimezone(zone))
    ]
    found = list(itertools.takewhile(lambda o: o < t0 + timedelta(days=3), s.occurrences(t0)))
    assert found == walk
    for o in found[:5]:
        assert s.latest_at_or_before(o) == o
        assert s.latest_at_or_before(o - timedelta(seconds=1)) < o


def _walk(s: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every occurrence in [start, end): each UTC minute whose local time the cron names, at its first instant."""
    zone = ZoneInfo(s.timezone)
    minutes = int((end - start) / timedelta(minutes=1))
    return [
        start + timedelta(minutes=i)
        for i in range(minutes)
        if _matches(s.cron, (start + timedelta(minutes=i)).astimezone(zone))
    ]


@pytest.mark.parametrize(
    ("cron", "tz", "catch_up", "at", "latest"),
    [
        # 00:01 NDT became 23:01 NST the day before: at 23:30 NST (Sat 31 Oct, local) Sunday's 00:00 NDT, 02:30Z,
        # had come half an hour ago, and the search that began at the local date, 31 October, never saw it
        ("0 0 * * *", "America/St_Johns", timedelta(hours=1), "2009-11-01T03:00Z", "2009-11-01T02:30Z"),
        # 01:59:59 +11 on 5 March became 23:00 +08 on the 4th: Friday's 01:00 +11 (14:00Z) was 1h30m old at 15:30Z
        ("0 1 * * *", "Antarctica/Casey", timedelta(hours=2), "2010-03-04T15:30Z", "2010-03-04T14:00Z"),
    ],
)
def test_the_latest_occurrence_where_the_clocks_go_back_across_midnight(cron, tz, catch_up, at, latest):
    # audit sched26 2: the occurrence dated the next local day, already past, was lost in the repeated hour
    s = sched(cron, tz, catch_up)
    assert s.latest_at_or_before(utc(at)) == utc(latest)
    assert s.due_at(utc(at)).occurrence == utc(latest)
    # against the minute-by-minute walk, every 5 minutes of the two days around the transition
    start, end = utc(at) - timedelta(days=1), utc(at) + timedelta(days=1)
    walk = _walk(s, start - timedelta(days=2), end)
    assert utc(latest) in walk
    for i in range(0, int((end - start) / timedelta(minutes=5)) + 1):
        t = start + timedelta(minutes=5 * i)
        assert s.latest_at_or_before(t) == max(o for o in walk if o <= t), t
        following = [o for o in walk if o > t]
        if following:
            assert s.next_after(t) == following[0], t


def test_29_february_on_a_sunday_is_found_across_the_40_years_2100_puts_between_two():
    # audit sched26 3: 2100 is no leap year, so 29 February falls on a Sunday in 2088, then 2128 (and 2280, then
    # 2320): a 28-year search said "next: none", and `run --loop` "finished", between them
    s = sched("0 12 29 2 */7")
    assert s.next_after(utc("2089-03-01T00:00Z")) == utc("2128-02-29T12:00Z")
    assert s.latest_at_or_before(utc("2128-02-28T00:00Z")) == utc("2088-02-29T12:00Z")
    assert s.next_after(utc("2281-03-01T00:00Z")) == utc("2320-02-29T12:00Z")
    assert s.latest_at_or_before(utc("2320-02-28T00:00Z")) == utc("2280-02-29T12:00Z")


def test_the_search_covers_the_400_year_gregorian_cycle_and_no_more(monkeypatch):
    # a cron that never fires (30 February on a Sunday, which parse_cron refuses: made here by hand) is searched
    # for one whole cycle of the calendar (146,097 days; 400 x 366 days are searched) each way, then None: bounded
    from graphc.schedule import Cron

    calls = []
    monkeypatch.setattr(Cron, "matches_date", lambda self, day: calls.append(day) or False)
    never = Cron("0 0 30 2 */7", (0,), (0,), frozenset({30}), frozenset({2}), frozenset({0}), False, True)
    s = Schedule(never, "UTC", timedelta(hours=1))
    assert s.next_after(utc("2026-01-01T00:00Z")) is None
    assert utc("2426-01-01T00:00Z").date() <= calls[-1] < utc("2427-01-01T00:00Z").date()
    assert len(calls) <= 400 * 366
    calls.clear()
    assert s.latest_at_or_before(utc("2026-01-01T00:00Z")) is None
    assert utc("1626-01-01T00:00Z").date() > calls[-1] >= utc("1625-01-01T00:00Z").date()
    assert len(calls) <= 400 * 366 + 1


def test_the_schedule_command_shows_an_occurrence_40_years_ahead(tmp_path):
    text = PLAYBOOK.format(cron="0 12 29 2 */7", tz="UTC", catch_up="1h")
    proc = run_schedule(tmp_path, "--now", "2089-03-01T00:00:00Z", text=text)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2128-02-29T12:00Z" in proc.stdout and "next: none" not in proc.stdout


# -- lint and compile validate `schedule:` (GC103 at the offending value) -----------------------

PLAYBOOK = """\
graphc: 1
name: dca
schedule:
  cron: "{cron}"
  timezone: {tz}
  catch_up: {catch_up}
legs:
  dca: {{buy: 0.01, symbol: BTC-USD}}
"""


def lint(tmp_path, **fields) -> subprocess.CompletedProcess:
    values = {"cron": "0 14 * * MON", "tz": "Europe/London", "catch_up": "2h", **fields}
    path = tmp_path / "dca.yaml"
    path.write_text(PLAYBOOK.format(**values))
    return subprocess.run(
        [sys.executable, "-m", "graphc", "lint", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )


def findings(proc) -> list[tuple[str, int, int]]:
    report = json.loads(proc.stdout)
    return [(d["code"], d["line"], d["column"]) for d in report["diagnostics"]]


def test_a_valid_schedule_lints_clean(tmp_path):
    proc = lint(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert findings(proc) == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"cron": "0 25 * * MON"}, ("GC103", 4, 9)),
        ({"tz": "Europe/Londn"}, ("GC103", 5, 13)),
        ({"catch_up": "0s"}, ("GC103", 6, 13)),
        ({"catch_up": "-5m"}, ("GC103", 6, 13)),
        ({"catch_up": "soon"}, ("GC105", 6, 13)),
        # beyond a timedelta's 999999999 days: a diagnostic at the value, not an OverflowError (exit 4)
        ({"catch_up": "1000000000d"}, ("GC103", 6, 13)),
    ],
)
def test_a_bad_schedule_is_reported_at_its_value(tmp_path, fields, expected):
    proc = lint(tmp_path, **fields)
    assert proc.returncode == 1
    assert findings(proc) == [expected]


def tz_message(tmp_path, tz: str) -> str:
    proc = lint(tmp_path, tz=tz)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert findings(proc) == [("GC103", 5, 13)]  # at the value, as any bad timezone
    return json.loads(proc.stdout)["diagnostics"][0]["message"]


@pytest.mark.parametrize(
    "tz", ["localtime", "Factory", "posixrules", "/etc/localtime", "posix/Europe/London", "right/Europe/London"]
)
def test_a_timezone_that_is_not_a_canonical_iana_name_is_gc103(tmp_path, tz):
    """`localtime` (and `posixrules`) open as each host's own zone, `Factory` is no place, `right/...` counts leap
    seconds: occurrences and run keys would differ from host to host (audit cmds16 5). Only the names of
    zoneinfo.available_timezones() but those are accepted, and no did-you-mean points at them."""
    message = tz_message(tmp_path, tz)
    assert message.startswith(f"schedule.timezone: unknown timezone {tz!r}") or "not a place" in message, message
    assert "did you mean 'localtime'" not in message and "did you mean 'Factory'" not in message


def test_localtime_is_refused_because_it_is_the_host_s_zone(tmp_path):
    message = tz_message(tmp_path, "localtime")
    assert "the zone of the machine that reads it" in message and "e.g. Europe/London or UTC" in message, message


def test_localtime_is_refused_whatever_zone_the_host_s_localtime_is(tmp_path):
    # the audit's reproduction: a tz database whose localtime is New York made `localtime` a New York schedule
    tzdir = tmp_path / "tzd"
    (tzdir / "America").mkdir(parents=True)
    shutil.copy(Path(zoneinfo.TZPATH[0]) / "America" / "New_York", tzdir / "America" / "New_York")
    shutil.copy(Path(zoneinfo.TZPATH[0]) / "America" / "New_York", tzdir / "localtime")
    path = tmp_path / "s8.yaml"
    path.write_text(PLAYBOOK.format(cron="30 1 * * *", tz="localtime", catch_up="1h"))
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "schedule", str(path), "--now", "2026-01-01T00:00:00Z", "-n", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONTZPATH": str(tzdir)},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "GC103" in proc.stderr + proc.stdout and "dca@" not in proc.stdout


@pytest.mark.parametrize(
    ("tz", "suggested"),
    [("utc", "UTC"), ("Utc", "UTC"), ("Z", "UTC"), ("z", "UTC"), ("europe/london", "Europe/London")],
)
def test_a_timezone_in_the_wrong_case_or_z_suggests_the_iana_name(tmp_path, tz, suggested):
    message = tz_message(tmp_path, tz)
    assert f"(did you mean {suggested!r}?)" in message, message
    assert "'NZ'" not in message  # New Zealand is not what `Z` means


@pytest.mark.parametrize("tz", ["UTC", "Etc/UTC", "America/New_York", "Asia/Kolkata"])
def test_canonical_iana_names_are_accepted(tmp_path, tz):
    assert findings(lint(tmp_path, tz=tz)) == []


@pytest.mark.parametrize("catch_up", ["7200", "'7200'", "3_600_000"])
def test_a_catch_up_without_a_unit_is_a_warning_saying_it_is_milliseconds(tmp_path, catch_up):
    """`catch_up: 7200` meant as two hours is 7.2 s (a bare duration is ms), and `run` then misses every
    occurrence: lint says so (a warning: the value is valid, and it does not change the graph)."""
    proc = lint(tmp_path, catch_up=catch_up)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (diagnostic,) = json.loads(proc.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["severity"], diagnostic["line"], diagnostic["column"]) == (
        "GC105",
        "warning",
        6,
        13,
    )
    seconds = "7.2s" if "7200" in catch_up else "1h"
    assert f"has no unit, so it is {seconds} (" in diagnostic["message"] and "catch_up: " in diagnostic["hint"]


@pytest.mark.parametrize("catch_up", ["7200ms", "7200s", "2h"])
def test_a_catch_up_with_a_unit_has_no_warning(tmp_path, catch_up):
    assert findings(lint(tmp_path, catch_up=catch_up)) == []


def test_unknown_schedule_key_and_template_in_schedule(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "graphc: 1\nname: p\nschedule:\n  cron: '{{ c }}'\n  every: 1d\n"
        "params:\n  c: {type: string, default: '0 0 * * *'}\nlegs:\n  a: {buy: 1, symbol: BTC-USD}\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", str(path), "--format", "json"], capture_output=True, text=True
    )
    report = json.loads(proc.stdout)
    got = sorted((d["code"], d["line"], d["message"]) for d in report["diagnostics"])
    assert [g[:2] for g in got] == [("GC102", 5), ("GC103", 4)]
    assert "literally" in got[1][2]


def test_schedule_does_not_change_the_compiled_graph():
    with_schedule = PLAYBOOK.format(cron="0 14 * * MON", tz="UTC", catch_up="1h")
    without = "\n".join(line for line in with_schedule.splitlines() if not line.startswith(("schedule", "  c", "  t")))
    from graphc.pipeline import compile_text

    a, b = compile_text(with_schedule), compile_text(without + "\n")
    assert a.ok and b.ok and a.wire_json() == b.wire_json()


def test_schedule_from_doc_defaults():
    from graphc.schedule import schedule_from_doc

    doc, _ = load_text("graphc: 1\nname: x\nschedule: {cron: '@daily'}\nlegs: {}\n", "x.yaml")
    schedule, problems = schedule_from_doc(doc)
    assert problems == []
    assert schedule.timezone == "UTC" and schedule.catch_up == timedelta(hours=1)


# -- graphc schedule --------------------------------------------------------------------------


def run_schedule(tmp_path, *args, text=None) -> subprocess.CompletedProcess:
    path = tmp_path / "dca.yaml"
    path.write_text(text or PLAYBOOK.format(cron="0 14 * * MON", tz="Europe/London", catch_up="2h"))
    return subprocess.run(
        [sys.executable, "-m", "graphc", "schedule", str(path), *args], capture_output=True, text=True
    )


def test_schedule_command_shows_due_occurrence_in_local_time_and_utc(tmp_path):
    proc = run_schedule(tmp_path, "--now", "2026-03-30T14:30:00Z", "-n", "2")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1] == "now:  Mon 2026-03-30 15:30 BST  (2026-03-30T14:30Z)"
    assert lines[2] == "due:  Mon 2026-03-30 14:00 BST  (2026-03-30T13:00Z), 1h 30m ago; run key dca@2026-03-30T13:00Z"
    assert lines[4].split() == ["Mon", "2026-04-06", "14:00", "BST", "2026-04-06T13:00Z", "dca@2026-04-06T13:00Z"]
    assert len(lines) == 6


def test_schedule_command_says_when_nothing_is_due(tmp_path):
    proc = run_schedule(tmp_path, "--now", "2026-03-30T15:01:00Z", "--json")
    answer = json.loads(proc.stdout)
    assert answer["due"] is None
    assert answer["latest"]["utc"] == "2026-03-30T13:00Z"
    assert answer["next"][0] == {
        "utc": "2026-04-06T13:00Z",
        "local": "2026-04-06T14:00:00+01:00",
        "run_key": "dca@2026-04-06T13:00Z",
    }


UNITLESS = PLAYBOOK.format(cron="0 14 * * MON", tz="Europe/London", catch_up="7200")
NOW = ("--now", "2026-01-05T14:00:00Z")


def test_schedule_command_shows_the_catch_up_warning_lint_shows(tmp_path):
    proc = run_schedule(tmp_path, *NOW, text=UNITLESS)
    assert proc.returncode == 0, proc.stderr
    assert (
        f"{tmp_path / 'dca.yaml'}:6:13: warning GC105 schedule.catch_up `7200` has no unit, so it is 7.2s (7200 "
        "milliseconds, as any duration without a unit)"
    ) in proc.stderr.splitlines()
    assert "1 warning in 1 file" in proc.stderr


@pytest.mark.parametrize(
    ("text", "toml"),
    [
        (UNITLESS.replace("catch_up: 7200", "catch_up: 7200  # graphc: ignore[GC105]"), None),
        (UNITLESS, '[rules]\nGC105 = "off"\n'),
    ],
)
def test_schedule_command_leaves_out_a_warning_suppressed_or_turned_off(tmp_path, text, toml):
    """`graphc schedule` reports the warnings `graphc lint` reports: suppression comments and graphc.toml
    apply (review14 5)."""
    if toml is not None:
        (tmp_path / "graphc.toml").write_text(toml)
    proc = run_schedule(tmp_path, *NOW, text=text)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (
        proc.stdout.splitlines()[0]
        == "dca: cron '0 14 * * MON' in Europe/London (an occurrence may run up to 7.2s late)"
    )


def test_schedule_command_takes_a_warning_raised_to_an_error_as_lint_does(tmp_path):
    (tmp_path / "graphc.toml").write_text('[rules]\nGC105 = "error"\n')
    proc = run_schedule(tmp_path, *NOW, text=UNITLESS)
    assert proc.returncode == 1
    assert f"{tmp_path / 'dca.yaml'}:6:13: error GC105 schedule.catch_up `7200` has no unit" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (
            '[rules\nGC105 = "off"\n',
            "1:7: error GC100 TOML syntax error: Expected ']' at the end of a table declaration",
        ),
        ('[rules]\nGC105 = "loud"\n', '2:1: error GC103 rule GC105 must be "error", "warning" or "off", not \'loud\''),
    ],
)
@pytest.mark.parametrize("text", [UNITLESS, None])  # with a warning of the playbook's own, and without
def test_schedule_command_reports_the_problems_of_graphc_toml_as_lint_does(tmp_path, toml, problem, text):
    """A broken graphc.toml is an error of `graphc lint` (exit 1, the config's own GC100/GC103 shown with its
    line); `graphc schedule` ignored it, exit 0, and a `GC105 = "off"` it could not read went unnoticed."""
    config = tmp_path / "graphc.toml"
    config.write_text(toml)
    proc = run_schedule(tmp_path, *NOW, text=text)
    assert proc.returncode == 1 and proc.stdout == ""
    linted = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "--no-cache", str(tmp_path / "dca.yaml")],
        capture_output=True,
        text=True,
    )
    assert linted.returncode == 1
    # the config's block (its diagnostic and snippet) reads the same in both

    def config_block(output: str) -> str:
        [block] = [b for b in output.split("\n\n") if b.startswith(str(config))]
        return block

    assert config_block(proc.stderr).splitlines()[0] == f"{config}:{problem}"
    assert config_block(proc.stderr) == config_block(linted.stdout)
    summary = "1 error, 1 warning in 2 files" if text else "1 error in 1 file"  # (the playbook has nothing)
    assert proc.stderr.splitlines()[-1] == summary


def test_schedule_command_without_a_schedule_exits_2(tmp_path):
    proc = run_schedule(tmp_path, text="graphc: 1\nname: x\nlegs:\n  a: {buy: 1, symbol: BTC-USD}\n")
    assert proc.returncode == 2
    assert "has no `schedule:`" in proc.stderr


def test_schedule_command_with_a_bad_schedule_exits_1(tmp_path):
    proc = run_schedule(tmp_path, text=PLAYBOOK.format(cron="0 14 * *", tz="UTC", catch_up="1h"))
    assert proc.returncode == 1
    assert "GC103" in proc.stderr and "expected 5 fields" in proc.stderr


# -- hostile input: a diagnostic, never a crash ------------------------------------------------


@settings(deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("0123456789*/,-@ MONJANSUNFRIabc\t\n")), max_size=60) | st.text(max_size=40)
)
def test_any_cron_text_parses_or_says_why(text):
    try:
        cron = parse_cron(text)
    except CronError as exc:
        assert str(exc)
        return
    schedule = Schedule(cron, "UTC", timedelta(hours=1))
    after = utc("2026-01-01T00:00Z")
    first = schedule.next_after(after)
    assert first is None or (first > after and schedule.latest_at_or_before(first) == first)


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["cron", "timezone", "catch_up", "every", "x"]),
        st.none()
        | st.booleans()
        | st.integers(-10, 10**6)
        | st.text(max_size=30)
        | st.lists(st.integers(), max_size=2),
        max_size=4,
    )
    | st.text(max_size=10)
    | st.integers()
)
def test_any_schedule_value_is_a_diagnostic_not_a_crash(value):
    import yaml

    from graphc.schedule import schedule_from_doc

    text = "graphc: 1\nname: x\n" + yaml.safe_dump({"schedule": value}) + "legs: {}\n"
    doc, problems = load_text(text, "x.yaml")
    if doc is None:
        return
    schedule, problems = schedule_from_doc(doc)
    assert (schedule is None) == any(p.is_error for p in problems)  # a schedule, or the reasons there is none
    for problem in problems:
        assert problem.code in ("GC102", "GC103", "GC104", "GC105", "GC106") and problem.span is not None


def test_utc_needs_no_tz_database(monkeypatch):
    import zoneinfo

    monkeypatch.setattr(zoneinfo, "ZoneInfo", None)  # as if the image had no tz database at all
    s = sched("0 14 * * MON", "UTC")
    assert s.next_after(utc("2026-01-01T00:00Z")) == utc("2026-01-05T14:00Z")
    from graphc.schedule import check_timezone

    assert check_timezone("UTC") is None


def test_a_catch_up_that_is_not_positive_is_shown_as_written(tmp_path):
    # YAML reads -1.0 as a number: the message shows it as plain text, not Decimal('-1.0')
    report = json.loads(lint(tmp_path, catch_up="-1.0").stdout)
    [diagnostic] = report["diagnostics"]
    assert diagnostic["code"] == "GC103"
    assert diagnostic["message"].endswith("catch_up must be positive, not -1"), diagnostic["message"]


def test_a_catch_up_too_long_names_the_largest_accepted(tmp_path):
    report = json.loads(lint(tmp_path, catch_up="1000000000d").stdout)
    [diagnostic] = report["diagnostics"]
    assert diagnostic["code"] == "GC103"
    assert diagnostic["message"].endswith("catch_up must be at most 999999999d, not 1000000000d"), diagnostic
    assert "catch_up must be at most" not in json.dumps(json.loads(lint(tmp_path, catch_up="999999999d").stdout))


def _finding(proc) -> tuple[str, str, str | None]:
    [diagnostic] = json.loads(proc.stdout)["diagnostics"]
    return diagnostic["code"], diagnostic["message"].rsplit(": ", 1)[-1], diagnostic.get("hint")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0.5ms", "GC106"),
        ("1.5", "GC106"),
        ("9223372036854775808", "GC103"),
        ("99999999999999999999d", "GC103"),
        ("soon", "GC105"),
        ("30m1h", "GC105"),
    ],
)
def test_a_catch_up_is_read_by_the_duration_reader_horizon_uses_same_code_and_hint(tmp_path, value, code):
    # audit sched26 4: docs/playbooks.md "Durations" holds for every duration; catch_up's came out GC105, hint lost
    (tmp_path / "h").mkdir()
    path = tmp_path / "h" / "h.yaml"
    path.write_text(f"graphc: 1\nname: h\nlegs:\n  a: {{buy: 0.01, symbol: BTC-USD, horizon: {value}}}\n")
    horizon = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", str(path), "--format", "json"], capture_output=True, text=True
    )
    expected = _finding(horizon)
    assert expected[0] == code, horizon.stdout
    assert _finding(lint(tmp_path, catch_up=value)) == expected


def test_a_catch_up_of_half_a_millisecond_offers_1ms(tmp_path):
    report = json.loads(lint(tmp_path, catch_up="0.5ms").stdout)
    [diagnostic] = report["diagnostics"]
    assert (diagnostic["code"], diagnostic["line"], diagnostic["column"]) == ("GC106", 6, 13)
    assert diagnostic["message"] == "schedule.catch_up: '0.5ms' is not a whole number of milliseconds"
    assert diagnostic["hint"] == "the wire counts whole milliseconds; write 1ms"


@pytest.mark.parametrize("command", [["schedule", "--now", "2026-01-01T00:00:00Z"], ["compile"]])
def test_a_catch_up_too_long_is_exit_1_in_every_command(tmp_path, command):
    lint(tmp_path, catch_up="1000000000d")  # writes dca.yaml
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", *command[:1], str(tmp_path / "dca.yaml"), *command[1:]],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert "catch_up must be at most 999999999d" in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(hours=3, milliseconds=1), "3h 0.001s"),  # 1 ms past a catch_up of 3h: not "3h"
        (timedelta(milliseconds=500), "500ms"),  # catch_up: 0.5s, not "0s"
        (timedelta(milliseconds=1), "1ms"),
        (timedelta(microseconds=5), "0.000005s"),
        (timedelta(0), "0s"),
        (timedelta(seconds=7.2), "7.2s"),
        (timedelta(minutes=20), "20m"),
        (timedelta(days=1, hours=22), "1d 22h"),
        (timedelta(days=1, hours=19, minutes=5, seconds=3), "1d 19h 5m 3s"),
        (-timedelta(hours=2), "2h"),
    ],
)
def test_describe_duration_drops_nothing(delta, shown):
    assert describe_duration(delta) == shown


@pytest.mark.parametrize(
    ("value", "kind"), [("null", "empty"), ("true", "a boolean"), ("[1h]", "a list"), ("{a: 1}", "a mapping")]
)
def test_a_catch_up_of_no_type_is_worded_as_lint_words_it_in_every_command(tmp_path, value, kind):
    # audit spec28b 1: schedule, run and bundle said "expected a duration, got a NoneType 'None'" with the hint
    # "write a number or text such as '0.5'" (itself GC106), where lint and plan said "must be string or number"
    report = json.loads(lint(tmp_path, catch_up=value).stdout)
    [diagnostic] = report["diagnostics"]
    message = f"`schedule.catch_up` must be string or number, not {kind}"
    hint = "write a duration with its unit, e.g. `10m`, `30s` or `2h`"
    assert (diagnostic["code"], diagnostic["message"], diagnostic.get("hint")) == ("GC103", message, hint)
    path = str(tmp_path / "dca.yaml")
    now = ["--now", "2026-03-02T15:30:00Z"]
    for command in (["schedule", path, *now], ["bundle", path, "-o", str(tmp_path / "out")], ["plan", path, *now]):
        proc = subprocess.run([sys.executable, "-m", "graphc", *command], capture_output=True, text=True)
        assert proc.returncode == 1, (command, proc.stdout + proc.stderr)
        shown = proc.stdout + proc.stderr
        assert f"6:13: error GC103 {message}\n" in shown and f"  hint: {hint}\n" in shown, (command, shown)
    run = subprocess.run(
        [sys.executable, "-m", "graphc", "run", path, "--once", *now, "--settle", "0"],
        capture_output=True,
        text=True,
        env={**os.environ, "SEQUENCE_API_URL": "http://127.0.0.1:9"},
    )
    events = [json.loads(line) for line in run.stdout.splitlines() + run.stderr.splitlines() if line.startswith("{")]
    assert f"{path}:6:13: GC103 {message}" in [event.get("message") for event in events], run.stdout + run.stderr
    for text in (message, hint, run.stdout, run.stderr):
        assert "NoneType" not in text and "dict" not in text and "'True'" not in text
    # the hint's example is itself a catch_up
    assert findings(lint(tmp_path, catch_up="10m")) == []
