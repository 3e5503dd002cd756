"""Recurring playbooks (spec §9): the ``schedule:`` key, 5-field cron, occurrences.

```yaml
schedule:
  cron: "0 14 * * MON"      # minute hour day-of-month month day-of-week
  timezone: Europe/London   # IANA name; default UTC
  catch_up: 2h              # how late an occurrence may still run; default 1h
```

An *occurrence* is a wall-clock time the cron names, in the schedule's
timezone, turned into an instant with :mod:`zoneinfo`. Around daylight-saving
changes the spec is precise and differs from Vixie cron (and so from cronsim
and croniter, which copy its "run the skipped hour late" habit): a local time
the clocks skip **does not occur**, and a local time they repeat **occurs
once**, at its first instant (the one before the clocks go back). That rule is
why this module has its own small cron reader: it is ~200 lines of stdlib, so
a hosted bundle (``graphc bundle``) runs it in a bare ``python:3.12-slim``.

Cron syntax: ``*``, numbers, ``a-b`` ranges, ``/step`` (``*/15``, ``5-59/10``,
``5/10`` = ``5-max/10``), comma lists, month names ``JAN``-``DEC``, weekday
names ``SUN``-``SAT`` (0 and 7 are Sunday; ``FRI-SUN`` wraps to Sunday), and the nicknames ``@hourly``,
``@daily`` (``@midnight``), ``@weekly``, ``@monthly``, ``@yearly``
(``@annually``). As in every cron, when both day-of-month and day-of-week are
restricted a day matching **either** one qualifies.

The module is in the Compile layer: lint validates ``schedule:`` (GC103 at the
offending value) with the same reader that ``graphc schedule`` and
``graphc run`` use to find occurrences.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from graphc.diagnostics import Diagnostic
from graphc.files import read_source
from graphc.inputs import is_playbook_data
from graphc.numbers import shown
from graphc.stages.load import load_text
from graphc.stages.suggest import did_you_mean
from graphc.stages.validate import DURATION_HINT, not_of_type
from graphc.units import UnitError, parse_duration_ms

__all__ = [
    "DEFAULT_CATCH_UP",
    "Cron",
    "CronError",
    "Due",
    "Schedule",
    "ScheduleError",
    "parse_cron",
    "run_key",
    "schedule_diagnostics",
    "schedule_from_doc",
    "templated_name",
]

DEFAULT_CATCH_UP = timedelta(hours=1)
DEFAULT_TIMEZONE = "UTC"
SCHEDULE_KEYS = ("cron", "timezone", "catch_up")
# How far to look for an occurrence: 400 years is the whole Gregorian cycle (146,097 days, a whole number of weeks),
# after which dates, weekdays and leap days repeat, so a cron that names any real date (29 February on a Sunday,
# say) is found within it. 28 years is no cycle: 2100, 2200 and 2300 are not leap years, and 29 February falls on
# a Sunday in 2088, then 2128 (audit sched26 3). The search is bounded: a cron that never fires (which parse_cron
# refuses when it can tell) would cost one date test per day of the cycle each way, about 0.3 s.
SEARCH_YEARS = 400
# The times a clock (``--now``, ``GRAPHC_NOW``) may be set to: from the Unix epoch (the wire's nanosecond times
# count from it) to a year far enough from 9999 that a schedule searched SEARCH_YEARS on, plus --retry, stays
# inside Python's datetime (audit tmpl.md 4: year 9999 or 1 was an OverflowError, exit 4). A catch_up may end
# past it (up to 999999999d is accepted): Schedule.catch_up_until holds that end to LAST_TIME.
CLOCK_MIN = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_MAX = datetime(8999, 12, 31, 23, 59, 59, tzinfo=UTC)
CLOCK_RANGE = "1970-01-01T00:00:00Z to 8999-12-31T23:59:59Z"
# The last time a datetime holds: the end of a catch-up that would end later (in effect, none)
LAST_TIME = datetime.max.replace(tzinfo=UTC)
MAX_CRON_CHARS = 200

_FIELDS = (  # name, low, high
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 7),
)
_MONTHS = {
    m: i for i, m in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)
}
_WEEKDAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_NICKNAMES = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the most each month can have


class CronError(ValueError):
    """A cron expression graphc cannot read; the message says which field and why."""


class ScheduleError(ValueError):
    """A schedule that cannot be used (bad cron, unknown timezone, catch_up <= 0): its rule ``code`` and ``hint``
    (a catch_up the duration reader refuses keeps that reader's, as every duration does: docs/playbooks.md)."""

    def __init__(self, message: str, code: str = "GC103", hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.hint = hint


@dataclass(frozen=True)
class Cron:
    """A parsed 5-field cron expression: the sets of values each field allows."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday ... 6 = Saturday
    any_day: bool  # day-of-month is `*`
    any_weekday: bool  # day-of-week is `*`

    def matches_date(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        if self.any_day or self.any_weekday:  # one side unrestricted: both must hold
            return by_day and by_weekday
        return by_day or by_weekday  # both restricted: either one (Vixie cron's rule)

    def times(self) -> list[time]:
        return [time(h, m) for h in self.hours for m in self.minutes]


def parse_cron(text: str) -> Cron:
    """Read a 5-field cron expression (or a nickname); raises :class:`CronError`."""
    if not isinstance(text, str):
        raise CronError("a cron expression is text, e.g. '0 14 * * MON'")
    if len(text) > MAX_CRON_CHARS:
        raise CronError(f"a cron expression is at most {MAX_CRON_CHARS} characters")
    expanded = text.strip()
    if expanded.startswith("@"):
        if expanded.lower() not in _NICKNAMES:
            raise CronError(
                f"unknown cron nickname {expanded!r}{did_you_mean(expanded.lower(), list(_NICKNAMES))}; "
                "known: " + ", ".join(_NICKNAMES)
            )
        expanded = _NICKNAMES[expanded.lower()]
    parts = expanded.split()
    if len(parts) != 5:
        raise CronError(
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(parts)}"
            + (": graphc does not take a seconds or year field" if len(parts) in (6, 7) else "")
        )
    values = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
    minutes, hours, days, months, weekdays = values
    cron = Cron(
        text=text.strip(),
        minutes=tuple(sorted(minutes)),
        hours=tuple(sorted(hours)),
        days=frozenset(days),
        months=frozenset(months),
        weekdays=frozenset(d % 7 for d in weekdays),
        any_day=parts[2].startswith("*"),
        any_weekday=parts[4].startswith("*"),
    )
    if cron.any_weekday and not any(d <= _DAYS_IN_MONTH[m - 1] for m in cron.months for d in cron.days):
        raise CronError(f"{text.strip()!r} never occurs: no month in it has that day")
    return cron


def _field(part: str, name: str, low: int, high: int) -> set[int]:
    out: set[int] = set()
    for item in part.split(","):
        if not item:
            raise CronError(f"{name} field {part!r} has an empty list item")
        body, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not _digits(step_text) or int(step_text) == 0:
                raise CronError(f"{name} field {item!r}: the step after '/' must be a whole number of at least 1")
            step = int(step_text)
        if body == "*":
            first, last = low if name != "day-of-week" else 0, high if name != "day-of-week" else 6
        elif "-" in body:
            a, _, b = body.partition("-")
            first, last = _value(a, name, low, high), _value(b, name, low, high)
            if name == "day-of-week" and last == 0 < first:
                last = 7  # FRI-SUN: Sunday closes the week
            if first > last:
                raise CronError(f"{name} field {item!r}: the range runs backwards ({first} > {last})")
        else:
            first = _value(body, name, low, high)
            last = (high if name != "day-of-week" else 6) if slash else first
            last = max(last, first)
        out.update(range(first, last + 1, step))
    return out


def _digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` is true for '²' and '٣' too, which ``int()`` refuses or reads as 3."""
    return text.isascii() and text.isdigit()


def _value(text: str, name: str, low: int, high: int) -> int:
    names = _MONTHS if name == "month" else _WEEKDAYS if name == "day-of-week" else {}
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not _digits(text) or len(text) > 2:
        known = f" or a name ({', '.join(names)})" if names else ""
        raise CronError(f"{name} {text!r} is not a number{known}")
    value = int(text)
    if not low <= value <= high:
        raise CronError(f"{name} {value} is out of range {low}-{high}")
    return value


@dataclass(frozen=True)
class Due:
    """What is due at wall time ``at``: the latest occurrence, whether it may still run, the next one."""

    at: datetime
    latest: datetime | None  # the latest occurrence <= at (UTC)
    due: bool  # at - latest <= catch_up
    next: datetime | None  # the first occurrence > at (UTC)

    @property
    def occurrence(self) -> datetime | None:
        """The occurrence to run at ``at`` (spec §9): the latest one while within catch_up, else None (nothing due).
        ``graphc run``, and ``plan``/``submit`` of a scheduled playbook, all decide with it."""
        return self.latest if self.due else None


@dataclass(frozen=True)
class Schedule:
    cron: Cron
    timezone: str
    catch_up: timedelta

    @property
    def zone(self):
        return _zone(self.timezone)

    def next_after(self, t: datetime) -> datetime | None:
        """The first occurrence strictly after ``t`` (UTC), None if none within SEARCH_YEARS."""
        return next(self.occurrences(t), None)

    def occurrences(self, after: datetime):
        """Occurrences strictly after ``after``, in order, as UTC datetimes."""
        zone = self.zone
        t = _utc(after)
        day = t.astimezone(zone).date()
        for _ in range(SEARCH_YEARS * 366):
            if self.cron.matches_date(day):
                for clock in self.cron.times():
                    instant = _instant(datetime.combine(day, clock), zone)
                    if instant is not None and instant > t:
                        yield instant
            day += timedelta(days=1)

    def latest_at_or_before(self, t: datetime) -> datetime | None:
        """The latest occurrence ``<= t`` (UTC), None if none within SEARCH_YEARS."""
        zone = self.zone
        t = _utc(t)
        # From the local date a day after t's: where the clocks go back across midnight (America/St_Johns until
        # 2010, Antarctica/Casey in 2010), t in the repeated hour is dated the day before an occurrence already
        # past (audit sched26 2). Instants after t are left out below.
        day = (t + timedelta(days=1)).astimezone(zone).date()
        times = self.cron.times()[::-1]
        for _ in range(SEARCH_YEARS * 366):
            if self.cron.matches_date(day):
                for clock in times:
                    instant = _instant(datetime.combine(day, clock), zone)
                    if instant is not None and instant <= t:
                        return instant
            day -= timedelta(days=1)
        return None

    def due_at(self, t: datetime) -> Due:
        """Spec §9: the latest occurrence o <= t is due when t - o <= catch_up."""
        t = _utc(t)
        latest = self.latest_at_or_before(t)
        return Due(t, latest, latest is not None and t - latest <= self.catch_up, self.next_after(t))

    def catch_up_until(self, occurrence: datetime, decided_at: datetime, decided_real: datetime) -> datetime:
        """The real wall-clock time after which ``occurrence`` may no longer be sent (spec §9: t - o <= catch_up).

        It was found due at ``decided_at`` on the run's clock (``--now``, or the wall clock) when the wall clock
        read ``decided_real``; a rehearsal clock counts as moving on with the real time since. ``graphc run`` and a
        hand ``graphc submit`` (or ``plan -o``) of the occurrence hold its request to this time
        (:func:`graphc.submit.submit_wire`'s ``catch_up_until``).

        An end past the last time a datetime holds (:data:`LAST_TIME`, 9999-12-31T23:59:59.999999Z), which a
        ``catch_up`` of up to ``999999999d`` reaches, is that time: in effect no end (audit sched26 1: it was an
        OverflowError, exit 4, at every occurrence)."""
        try:
            return decided_real + (self.catch_up - (decided_at - occurrence))  # what is left of it, from then on
        except OverflowError:
            return LAST_TIME

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.zone)

    def today(self, occurrence: datetime) -> str:
        """``today`` while rendering an occurrence: its date in the schedule's timezone."""
        return self.local(occurrence).date().isoformat()

    def local_text(self, instant: datetime) -> str:
        """``Mon 2026-01-12 14:00 GMT``: an instant on the schedule's clock."""
        return self.local(instant).strftime("%a %Y-%m-%d %H:%M %Z")

    def describe(self) -> str:
        """``cron '0 14 * * MON' in Europe/London (an occurrence may run up to 2h late)``."""
        return (
            f"cron {self.cron.text!r} in {self.timezone} "
            f"(an occurrence may run up to {describe_duration(self.catch_up)} late)"
        )

    def not_due_text(self, due: Due) -> str:
        """Why nothing is due at ``due.at``: how old the latest occurrence is, and when the next one is."""
        if due.latest is None:
            why = "the schedule has no earlier occurrence"
        else:
            age = due.at - due.latest
            whole = age - timedelta(microseconds=age.microseconds)  # a wall clock's microseconds, unless they decide
            why = (
                f"the latest, {self.local_text(due.latest)} ({utc_text(due.latest)}), is "
                f"{describe_duration(whole if whole > self.catch_up else age)} old, past its catch-up of "
                f"{describe_duration(self.catch_up)}"
            )
        following = "none" if due.next is None else f"{self.local_text(due.next)} ({utc_text(due.next)})"
        return f"{why}; the next is {following}"


def run_key(name: str, occurrence: datetime) -> str:
    """Spec §9: ``NAME@YYYY-MM-DDTHH:MMZ`` with the occurrence in UTC."""
    return f"{name}@{_utc(occurrence):%Y-%m-%dT%H:%MZ}"


def utc_text(instant: datetime) -> str:
    """``2026-01-12T14:00Z`` (with seconds when it has any): an instant in UTC, for people."""
    instant = _utc(instant)
    return f"{instant:%Y-%m-%dT%H:%MZ}" if instant.second == 0 else f"{instant:%Y-%m-%dT%H:%M:%SZ}"


def _utc(t: datetime) -> datetime:
    return (t if t.tzinfo is not None else t.replace(tzinfo=UTC)).astimezone(UTC)


def _instant(wall: datetime, zone) -> datetime | None:
    """The instant of local wall time ``wall``: None when the clocks skip it, the first one when they repeat it."""
    first = wall.replace(tzinfo=zone, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != wall:
        return None  # skipped: converting back lands on another wall time
    return utc


def _zone(name: str):
    """The tzinfo of an IANA name; UTC needs no tz database (a bare container may have none)."""
    if name == "UTC":
        return UTC

    return ZoneInfo(name)


# Files of the tz database that are not a place: `localtime` (and `posixrules`) are whatever zone the host reading
# the playbook is set to, so one schedule would have other occurrences, and other run keys, on each machine;
# `Factory` is the "-00" zone of an unconfigured system (audit cmds16 5).
NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})
# what people write for UTC that is not its IANA name (any case): `Z` of ISO 8601 (difflib would say 'NZ')
_UTC_SPELLINGS = frozenset({"z", "utc", "+00:00", "00:00"})


def canonical_timezones() -> frozenset[str]:
    """The IANA names a schedule may use: zoneinfo's available ones (the tz database on zoneinfo.TZPATH, or the
    tzdata package; never its posix/ and right/ copies) but :data:`NOT_PLACES`, and UTC, which needs no database."""
    return _canonical_timezones(tuple(zoneinfo.TZPATH))


@lru_cache(maxsize=4)
def _canonical_timezones(tzpath: tuple[str, ...]) -> frozenset[str]:
    return frozenset(available_timezones() - NOT_PLACES) | {DEFAULT_TIMEZONE}


def check_timezone(name) -> str | None:
    """An error message for a timezone that is not a canonical IANA name zoneinfo can load, else None."""
    example = "use an IANA name such as Europe/London, America/New_York or UTC"
    if not isinstance(name, str) or not name.strip():
        return "a timezone is an IANA name such as Europe/London or America/New_York"
    base = name.strip().rstrip("/").rsplit("/", 1)[-1]
    if base in NOT_PLACES:
        what = (
            "the tz database's placeholder for a machine nobody configured ('-00'), not a place"
            if base == "Factory"
            else "the zone of the machine that reads it, not a place, so occurrences (and their run keys) would "
            "differ from one host to another"
        )
        return f"timezone {name!r} is {what}; write the schedule's IANA name, e.g. Europe/London or UTC"
    zones = canonical_timezones()
    if name in zones:
        try:
            _zone(name)
            return None
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return f"unknown timezone {name!r}{_suggest_timezone(name, zones)}: {example}"


def _suggest_timezone(name: str, zones) -> str:
    """`` (did you mean 'UTC'?)``: the canonical name in another case, UTC for `Z`, else the closest name."""
    folded = name.strip().casefold()
    if folded in _UTC_SPELLINGS:
        return f" (did you mean {DEFAULT_TIMEZONE!r}?)"
    same = [zone for zone in zones if zone.casefold() == folded]
    if same:
        return f" (did you mean {min(same)!r}?)"
    return did_you_mean(name, sorted(zones))


# The largest catch_up: a timedelta's range (datetime.timedelta.max is 999999999 days and a bit).
MAX_CATCH_UP_DAYS = 999_999_999
MAX_CATCH_UP_MS = MAX_CATCH_UP_DAYS * 86_400_000


def _parse_catch_up(value) -> timedelta:
    try:  # the reader of every duration (`horizon:` too): its code and hint (audit sched26 4: all were GC105)
        ms = parse_duration_ms(value)
    except UnitError as exc:
        raise ScheduleError(exc.message, exc.code, exc.hint) from None
    if ms <= 0:
        raise ScheduleError(f"catch_up must be positive, not {value if isinstance(value, str) else shown(value)}")
    if ms > MAX_CATCH_UP_MS:  # beyond what a timedelta holds (999999999 days): out of range, not a crash
        raise ScheduleError(
            f"catch_up must be at most {MAX_CATCH_UP_DAYS}d, not {value if isinstance(value, str) else shown(value)}"
        )
    return timedelta(milliseconds=ms)


# -- reading `schedule:` from a playbook ---------------------------------------------------


def schedule_from_doc(doc) -> tuple[Schedule | None, list[Diagnostic]]:
    """The playbook's schedule (None when it has none, or it is invalid) and its problems.

    Problems are GC102 (unknown key), GC104 (no ``cron``), GC103 (not a mapping,
    a bad cron, an unknown timezone, catch_up <= 0 or too long) and the duration
    reader's codes for catch_up as for any duration (GC105 unreadable, GC106 not
    whole milliseconds, GC103 not a duration or past a signed 64-bit integer),
    each at the offending key or value.
    """
    data = doc.data if isinstance(doc.data, dict) else {}
    if "schedule" not in data:
        return None, []
    raw = data["schedule"]
    out: list[Diagnostic] = []

    def problem(code, message, where, hint=None, key=False):
        span = doc.key_span(("schedule", *where)) if key else doc.span(("schedule", *where))
        out.append(Diagnostic(code, message, doc.path, span, hint=hint))

    if not isinstance(raw, dict):
        problem("GC103", "`schedule` must be a mapping with `cron:` (and optionally timezone, catch_up)", ())
        return None, out
    for key in raw:
        if key not in SCHEDULE_KEYS:
            problem(
                "GC102",
                f"unknown key {key!r} in schedule{did_you_mean(str(key), list(SCHEDULE_KEYS))}",
                (key,),
                hint="known keys here: " + ", ".join(SCHEDULE_KEYS),
                key=True,
            )
    for key, value in raw.items():
        if isinstance(value, str) and "{{" in value:
            problem(
                "GC103",
                f"`schedule.{key}` must be written literally, not as an expression",
                (key,),
                hint="the schedule decides `now`, so it cannot depend on it",
            )
            return None, out
    cron = None
    if "cron" not in raw:
        problem(
            "GC104",
            "schedule needs `cron:`",
            (),
            hint="add `cron: '0 14 * * MON'` (minute hour day month weekday)",
            key=True,
        )
    else:
        try:
            cron = parse_cron(raw["cron"])
        except CronError as exc:
            problem(
                "GC103",
                f"schedule.cron: {exc}",
                ("cron",),
                hint="five fields: minute hour day-of-month month day-of-week, e.g. '0 14 * * MON'",
            )
    timezone = raw.get("timezone", DEFAULT_TIMEZONE)
    tz_error = check_timezone(timezone)
    if tz_error:
        problem("GC103", f"schedule.timezone: {tz_error}", ("timezone",))
    catch_up = DEFAULT_CATCH_UP
    if "catch_up" in raw and (
        isinstance(raw["catch_up"], bool) or not isinstance(raw["catch_up"], (str, int, Decimal))
    ):
        # nothing, a boolean, a list, a mapping: the schema's words and hint, which lint and plan give for it (not
        # the duration reader's, which named Python's types: "got a NoneType 'None'", audit spec28b 1)
        problem(
            "GC103",
            not_of_type(("schedule", "catch_up"), "string or number", raw["catch_up"]),
            ("catch_up",),
            hint=DURATION_HINT,
        )
    elif "catch_up" in raw:
        try:
            catch_up = _parse_catch_up(raw["catch_up"])
        except ScheduleError as exc:
            problem(
                exc.code,
                f"schedule.catch_up: {exc}",
                ("catch_up",),
                hint=exc.hint or "how late an occurrence may still run, e.g. 30m or 2h",
            )
    if out or cron is None:
        return None, out
    if "catch_up" in raw and _is_bare_number(raw["catch_up"]):
        # Read as milliseconds like every duration, but a schedule's window is minutes or hours: `catch_up: 7200`
        # meant as seconds is 7.2 s, and `run` then misses every occurrence it cannot send within that.
        value = raw["catch_up"]
        shown_value = value.strip() if isinstance(value, str) else shown(value)
        out.append(
            Diagnostic(
                "GC105",
                f"schedule.catch_up `{shown_value}` has no unit, so it is {describe_duration(catch_up)} "
                f"({shown_value} milliseconds, as any duration without a unit)",
                doc.path,
                doc.span(("schedule", "catch_up")),
                "warning",
                hint=f"write the unit: `catch_up: {shown_value}s` for seconds, `2h`, `30m` (or `{shown_value}ms`)",
            )
        )
    return Schedule(cron, timezone, catch_up), out


def _is_bare_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if not isinstance(value, str):
        return True  # a YAML number (int, exact decimal)
    return re.fullmatch(r"\s*[+-]?[0-9][0-9_,]*(\.[0-9]*)?\s*", value) is not None


# The marks that make a text a template (graphc.stages.expressions.is_template's, without loading Jinja)
_TEMPLATE_MARKS = ("{{", "{%", "{#")


def templated_name(doc) -> Diagnostic | None:
    """GC103 at a playbook's ``name:`` written as a template, else None. The name is the NAME of the run keys
    (``NAME@TIME``, spec §2 and §9) that ``graphc run``, ``schedule``, ``plan`` and ``submit`` read as written, so
    it is never rendered, as ``schedule:`` is not: ``name: "dca-{{ coin }}"`` made ``--set coin=btc`` and
    ``--set coin=eth`` one run, and the second never traded (audit recur23 3). The render stage reports it for
    lint and compile, :func:`read_scheduled` for the commands that read the schedule."""
    name = doc.data.get("name") if isinstance(doc.data, dict) else None
    if not isinstance(name, str) or not any(mark in name for mark in _TEMPLATE_MARKS):
        return None
    return Diagnostic(
        "GC103",
        "`name` is written literally: it is the run key (NAME@TIME of each occurrence), so it cannot be an expression",
        doc.path,
        doc.span(("name",)),
        hint="write the name itself, e.g. `name: dca-btc`; to trade another set of params as a run of its own, give "
        "it a playbook with a `name:` of its own (both may `use:` one template)",
    )


def schedule_diagnostics(doc) -> list[Diagnostic]:
    """Only the problems of ``schedule:`` (for lint and compile, which otherwise ignore it)."""
    return schedule_from_doc(doc)[1]


@dataclass
class ScheduledPlaybook:
    """A playbook file read for its schedule: its name, schedule and the problems found reading them."""

    path: str
    text: str | None
    name: str | None
    schedule: Schedule | None
    diagnostics: list[Diagnostic]

    @property
    def run_name(self) -> str:
        """The NAME of its occurrences' run keys: its ``name:``, else the file's stem."""
        return self.name or Path(self.path).stem


def read_scheduled(path, text: str | None = None) -> ScheduledPlaybook:
    """Read ``path`` (or its ``text``, already read) for ``graphc schedule``/``run``/``plan``/``submit``;
    OSError/UnicodeDecodeError if unreadable."""
    text = read_source(path) if text is None else text
    doc, diagnostics = load_text(text, str(path))
    if doc is None:
        return ScheduledPlaybook(str(path), text, None, None, diagnostics)
    if not is_playbook_data(doc.data):
        diagnostics.append(
            Diagnostic("GC110", "not a playbook: the top level has no `graphc: 1`", doc.path, doc.span(()))
        )
        return ScheduledPlaybook(str(path), text, None, None, diagnostics)
    name = doc.data.get("name") if isinstance(doc.data.get("name"), str) else None
    schedule, problems = schedule_from_doc(doc)
    templated = templated_name(doc)  # the run keys' NAME: a template in it is an error no occurrence can fix
    problems = [templated, *problems] if templated is not None else problems
    return ScheduledPlaybook(str(path), text, name, schedule, diagnostics + problems)


def clock_time(text: str) -> datetime:
    """An ISO 8601 time for a clock (``--now``, ``GRAPHC_NOW``) as UTC; a time without an offset is UTC.
    ValueError, with the message to show, when it is not one or is outside CLOCK_RANGE."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time, e.g. 2026-01-05T09:00:00Z") from None
    return _in_utc(value if value.tzinfo else value.replace(tzinfo=UTC), repr(text))


def given_clock(value: object, name: str = "now") -> datetime | None:
    """A time a library caller gives (``now=``: docs/api.md), read as :func:`clock_time` reads ``--now``: the
    same instant in UTC, so ``today`` is its UTC date whatever offset it was written with. It must be a
    timezone-aware ``datetime`` (a naive one names no instant: TypeError naming ``name``); outside CLOCK_RANGE
    it is refused as ``--now`` is (ValueError naming ``name``). None stays None (the clock)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.utcoffset() is None:
        raise TypeError(
            f"{name} must be a timezone-aware datetime: a naive one names no instant (e.g. pass "
            f"{name}=datetime(2026, 1, 5, 9, tzinfo=UTC), as --now reads 2026-01-05T09:00:00Z)"
        )
    try:
        return _in_utc(value, value.isoformat())
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _in_utc(value: datetime, shown: str) -> datetime:
    """Aware ``value`` as the same instant in UTC; ValueError naming ``shown`` outside CLOCK_RANGE."""
    outside = ValueError(f"{shown} is outside the supported times, {CLOCK_RANGE}")
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise outside from None
    if not CLOCK_MIN <= value <= CLOCK_MAX:
        raise outside
    return value


def describe_duration(delta: timedelta) -> str:
    """``2h``, ``1d 19h``, ``45m``, ``30s``, ``500ms``, ``3h 0.001s``: every unit that is not zero, for messages.

    Nothing is dropped: a late-by of 3 h and 1 ms is past a catch_up of 3h, and showing it as ``3h`` (or a
    catch_up of 0.5s as ``0s``) would contradict the decision it explains. Seconds carry their decimals (to the
    microsecond, a timedelta's resolution); a duration under a second is in ms when whole ms."""
    micros = abs(delta) // timedelta(microseconds=1)
    seconds, fraction = divmod(micros, 1_000_000)
    if seconds == 0 and fraction and fraction % 1000 == 0:
        return f"{fraction // 1000}ms"
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds or fraction or not parts:
        text = f"{seconds}.{fraction:06d}".rstrip("0").rstrip(".")
        parts.append(f"{text}s")
    return " ".join(parts)
