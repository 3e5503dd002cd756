"""``graphc run``: a scheduled playbook's occurrences, each submitted exactly once, unattended.

One occurrence goes through the same steps as ``graphc submit``: render with
``now`` = the occurrence and ``today`` = its date in the schedule's timezone
(spec §9), live quotes (or a snapshot), compile, lint (any error refuses), then
the submission library (:mod:`graphc.submit`) with the occurrence's run key,
``NAME@YYYY-MM-DDTHH:MMZ``. That library finds an earlier submission of the
same run key *at the router* (the run tag it echoes in ``GET /v1/orders``), so
a crash, a restart, a second runner that looks later or a re-run of CI never
creates a second graph (two runners that look at the same moment, each with a
ledger of its own, can: the next look names the extra graphs in a warning).
Nothing here needs local state, since a hosted runner's disk does not survive a
restart; but ``graphc run`` records its attempts in the project's ledger, the
one a hand ``graphc submit`` of the playbook uses, so the two (and two runners
of one project) see each other's requests in flight; a hosted bundle keeps its
record in memory. An occurrence is one run whatever its params or sandbox mode
(spec §9); an ``already`` whose graph is not the trade this run would send
(other legs; other sizes or prices when its ledger holds the graph sent)
carries a ``warning`` saying so.

Every step is logged as one JSON line (``{"ts", "event", ...}``, flushed), the
format the hosted-strategies reference recommends for ``strategy logs``.

Failure policy, because nobody is watching:

* an occurrence that fails (lint errors, no quote, a quotes file or graphc.toml
  that cannot be read or has errors at that moment, the router unreachable, an
  outcome still uncertain) is tried again every ``retry_s`` seconds while it is
  within ``catch_up``; then it is logged as ``missed`` and the loop goes on;
* except one whose request may have created a graph (``uncertain``): a try looks for it at the router first,
  and once it is given up it is looked for there after its request can no longer land (never sent again):
  ``already`` when found, ``missed`` when proved absent, ``unresolved`` when neither (looked for again up to
  MAX_LOOKS times) (Runner._give_up, _look_again);
* an occurrence ``loop`` never got to (busy with a slow submission, or suspended, while it came and went) is
  logged as ``missed`` too, when the loop is free again (Runner._skipped, bounded);
* ``loop`` first lints the playbook once (Runner._check): an error no occurrence can fix (YAML, an unknown
  key, a bad ``--set``) stops it at start with ``error``, exit 1, instead of a ``missed`` every occurrence;
* ``once`` reports the outcome in its exit status: 0 submitted, already
  submitted or nothing due; 1 lint errors, or the router answered that the
  graph it created failed; 2 configuration or refusal; 3 the router failed,
  the outcome is uncertain, or the ledger could not record the graph created
  (``submitted`` with ``recorded`` false: the graph id is never ``failed``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from graphc.api.errors import (
    AlreadySubmitted,
    ApiError,
    ConfigError,
    GraphFailed,
    GraphNotRecorded,
    LedgerError,
    PastCatchUp,
    PendingUncertain,
    SecondGraph,
    UncertainOutcome,
)
from graphc.api.ledger import (
    CLOCK_SKEW_S,
    Ledger,
    LedgerGone,
    Scope,
    default_ledger_path,
    elsewhere,
    iso,
    landing_open,
    may_land,
    more_graphs_warning,
)
from graphc.api.lookup import find_run, node_ids_of
from graphc.api.redact import clean, json_text
from graphc.api.runtag import run_tag
from graphc.config import load_config
from graphc.diagnostics import unchecked
from graphc.files import read_digest, read_once, recording
from graphc.lint import LintOptions, lint_source, live_quotes, quote_symbols
from graphc.pipeline import CompileOptions
from graphc.quotes import explain_missing, load_quotes
from graphc.schedule import Schedule, describe_duration, read_scheduled, run_key
from graphc.submit import (
    MAX_QUOTE_AGE_S,
    Refused,
    Reprice,
    compile_options_for,
    interrupted_at,
    interrupted_graph,
    landing_margin,
    landing_time_s,
    rehearsal_clock,
    send_wire,
    settle_left,
    sleep_until_monotonic,
)

__all__ = ["Clock", "EventLog", "OccurrenceResult", "RunSettings", "Runner", "hosted_settings"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_REMOTE = 0, 1, 2, 3
RETRY_S = 60.0
# Errors that do not depend on the occurrence's time or quotes: `run --loop` stops at start on them (Runner._check).
TIMELESS_ERRORS = frozenset({"GC100", "GC101", "GC102", "GC108", "GC110"})
MAX_SETTLE_S = 24 * 3600.0  # --settle / GRAPHC_SETTLE at most a day (docs/robustness.md, "Timing settings")
MAX_RETRY_S = MAX_SETTLE_S  # --retry at most a day too: a later retry time overflowed (audit sched20 5)
MAX_SLEEP_S = 300.0  # sleep in slices, so a wall clock that jumps (suspend, NTP) is noticed
# Occurrences a `--loop` skipped at once (it was busy or suspended past them): one `missed` line each for the first
# MAX_MISSED_LINES, then one line that counts the rest (docs/recurring.md, events), counted up to MAX_MISSED_COUNTED
# (an every-minute cron on a wall clock that jumped a year would otherwise be counted for seconds).
MAX_MISSED_LINES = 10
MAX_MISSED_COUNTED = 100_000
# An `uncertain` occurrence given up (past its catch-up): looked for at the router at most this many times, the
# first a second after its request can no longer land, then --retry seconds apart, doubled each time up to 64x
# (docs/recurring.md, `unresolved`)
MAX_LOOKS = 10
# The lint warnings an occurrence's event lists (`lint_warnings`); past them, `more_lint_warnings` counts the rest (a warning on
# each rung of a 1,000-rung ladder is one line of a strategy's log, not 150 KB of it)
MAX_WARNINGS_LOGGED = 20


class Clock:
    """The run's clock: the wall clock, or a rehearsal clock that starts at a fixed time
    (``--now``, ``GRAPHC_NOW``) and moves only by sleeping: it stands still while an
    occurrence is worked on (so ``--once --now T`` decides at exactly T), and
    ``sleep_until`` waits the real time to the target before moving it there, so
    a rehearsal of ``--loop`` reaches each occurrence at the pace it would."""

    def __init__(self, start: datetime | None = None, *, sleep: Callable[[float], None] = time.sleep):
        self._current = start
        self._sleep = sleep

    @property
    def fixed(self) -> bool:
        return self._current is not None

    def now(self) -> datetime:
        return datetime.now(UTC) if self._current is None else self._current

    def sleep_until(self, when: datetime) -> None:
        if self._current is not None:
            left = (when - self._current).total_seconds()
            if left > 0:
                self._sleep(left)
                self._current = when
            return
        while True:
            left = (when - datetime.now(UTC)).total_seconds()
            if left <= 0:
                return
            self._sleep(min(left, MAX_SLEEP_S))


class EventLog:
    """One JSON object per line: ``{"ts": epoch seconds, "event": NAME, ...}``, flushed at once.

    A line that cannot be written (a full disk, a closed file: audit ledger26 3) is not lost, nor does it stop the
    run midway (a graph may just have been sent): ``failed`` keeps the error, stderr says so, and that line and
    every later one go to stderr (a line half written to the log may be left there); the command then exits
    non-zero (:func:`graphc.commands.run.run_command`)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.failed: OSError | None = None

    def __call__(self, event: str, **fields) -> None:
        record = {"ts": round(time.time(), 3), "event": event, **fields}
        line = json_text(record, indent=None, ensure_ascii=False) + "\n"
        if self.failed is None:
            try:
                self.stream.write(line)
                self.stream.flush()
                return
            except OSError as exc:
                self.failed = exc
                self._drop_unwritten()
                sys.stderr.write(
                    f"graphc: error: cannot write the event log: {exc.strerror or exc}; this event and every later "
                    "one go to stderr (the log may end in a half-written line)\n"
                )
        sys.stderr.write(line)
        sys.stderr.flush()

    def _drop_unwritten(self) -> None:
        """The log's buffer still holds what could not be written: pointed at /dev/null, so the exit does not fail
        on it again."""
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)


@dataclass
class RunSettings:
    playbook: str
    params: dict = field(default_factory=dict)  # --set NAME=VALUE (text)
    params_file: str | None = None
    # the params file's text when it was read once at start (the operator's pipe, which gives its text once): every
    # occurrence renders with it; None: the file is read again at each occurrence (docs/recurring.md, "Edits ...")
    params_text: str | None = None
    quotes: str | None = "live"  # "live", a snapshot file, or None
    live: bool = False  # may a `sandbox: false` graph be submitted?
    retry_s: float = RETRY_S
    settle_s: float | None = None  # see Runner._settle; None: the client's longest call + the landing margin
    # live quotes older than this when the look at the router for the occurrence ends are read again, and the graph
    # priced again, before it is sent (graphc.submit.Reprice; docs/recurring.md, "Live quotes")
    max_quote_age_s: float = MAX_QUOTE_AGE_S


def hosted_settings(bundle_dir: str, env) -> RunSettings:
    """The settings of a bundle's run (graphc.hosted; ``graphc bundle`` proves its bundle with them): ``env`` as
    the runner gives it, ``[hosted.env]`` of Sequence.toml (GRAPHC_PLAYBOOK, GRAPHC_SET, GRAPHC_PARAMS,
    GRAPHC_QUOTES, GRAPHC_LIVE, GRAPHC_SETTLE), paths in it taken inside ``bundle_dir``; ValueError names a bad one."""
    from graphc.strategies import env_trades_live  # deferred: tarfile; only a bundle's run reads these settings

    playbook = env.get("GRAPHC_PLAYBOOK")
    if not playbook:
        raise ValueError("GRAPHC_PLAYBOOK is not set (Sequence.toml [hosted.env] names the playbook)")
    params = _set_params(env["GRAPHC_SET"]) if env.get("GRAPHC_SET") else {}
    params_file = os.path.join(bundle_dir, env["GRAPHC_PARAMS"]) if env.get("GRAPHC_PARAMS") else None
    quotes = env.get("GRAPHC_QUOTES", "live") or None
    if quotes not in (None, "live"):
        quotes = os.path.join(bundle_dir, quotes)
    settle = None
    if env.get("GRAPHC_SETTLE"):
        try:
            settle = float(env["GRAPHC_SETTLE"])
        except ValueError:
            raise ValueError("GRAPHC_SETTLE must be a number of seconds") from None
        if not settle >= 0:
            raise ValueError("GRAPHC_SETTLE must be 0 or more seconds")
        if not settle <= MAX_SETTLE_S:
            raise ValueError(f"GRAPHC_SETTLE must be at most {MAX_SETTLE_S:.0f} seconds (1 day)")
    return RunSettings(
        playbook=os.path.join(bundle_dir, playbook),
        params=params,
        params_file=params_file,
        quotes=quotes,
        live=env_trades_live(env),
        settle_s=settle,
    )


class _Written(str):
    """A JSON number of ``GRAPHC_SET`` as its source text (``12345678.123456789``, ``1e400``)."""


class _NotANumber(str):
    """``NaN``, ``Infinity`` or ``-Infinity`` in ``GRAPHC_SET``: Python's json reads them, no JSON parser does."""


def _set_params(text: str) -> dict[str, str]:
    """``GRAPHC_SET`` (the ``--set`` params as a JSON object) as ``--set`` texts.

    A number is passed on as its source text, as ``--set`` reads it: exact, never through a binary float (spec §1),
    and a number no param can hold (``1e400``) is refused by the param's own check, named as written; true, false
    and null as JSON writes them. ``NaN`` and the infinities are no JSON numbers, and a list or an object is no
    param value: a ValueError naming the param."""
    try:
        params = json.loads(text, parse_float=_Written, parse_int=_Written, parse_constant=_NotANumber)
    except (ValueError, RecursionError):
        raise ValueError("GRAPHC_SET must be a JSON object of param values") from None
    if not isinstance(params, dict):
        raise ValueError("GRAPHC_SET must be a JSON object of param values")
    texts = {}
    for name, value in params.items():
        if type(value) is _NotANumber:
            raise ValueError(
                f"GRAPHC_SET: the value of `{name}` is {value}, which is not a JSON number; write a finite number"
            )
        if isinstance(value, list | dict):
            kind = "a list" if isinstance(value, list) else "an object"
            raise ValueError(f"GRAPHC_SET: the value of `{name}` is {kind}; a param's value is text or a number")
        texts[str(name)] = str(value) if isinstance(value, str) else json.dumps(value)
    return texts


@dataclass
class OccurrenceResult:
    occurrence: datetime
    run_key: str
    status: str  # submitted | already | missed | refused | lint_failed | failed | uncertain
    exit_code: int
    graph_id: str | None = None
    message: str = ""
    fatal: bool = False  # retrying cannot help (configuration): a loop stops
    warning: str = ""  # `already`: the graph found may not be this run's trade, or more graphs carry the tag
    # `submitted`: False when the router created the graph but the ledger could not record it (GraphNotRecorded;
    # ``message`` says so and what records it)
    recorded: bool = True
    # `submitted`: whether the graph sent is LIVE (its ``is_sandbox``); None: not known here (the events look it up)
    live: bool | None = None

    @property
    def done(self) -> bool:
        """Nothing more to do for this occurrence."""
        return self.status in ("submitted", "already", "missed")


@dataclass(frozen=True)
class _Verdict:
    """What a look at the router for an unsettled run (:meth:`Runner._resolve`) concluded: ``kind`` ``found``
    (``detail`` the graph id, ``warning`` what the look learnt of it), ``absent`` (``detail`` the proof) or
    ``unresolved`` (``detail`` why); ``whose`` names the request that created a graph found."""

    kind: str
    detail: str
    warning: str = ""
    whose: str = "the request whose answer was lost (`uncertain`)"


@dataclass
class _Unsettled:
    """An occurrence given up whose request may have created a graph: when to look for it at the router next."""

    key: str
    look_at: datetime  # on the run's clock
    looks: int = 0


class Runner:
    """Runs one scheduled playbook against one router.

    ``client_factory()`` returns a router client (a context manager); it is
    made per occurrence, so a long-lived loop never holds a stale connection.
    """

    def __init__(
        self,
        settings: RunSettings,
        client_factory,
        *,
        clock: Clock | None = None,
        log=None,
        ledger: Ledger | None = None,
    ):
        self.settings = settings
        self.client_factory = client_factory
        self.clock = clock or Clock()
        self.log = log or EventLog()
        # The record of the attempts: `graphc run` gives the project's ledger, the one `graphc submit` of the playbook
        # uses (graphc.submit.ledger_for), so a hand submission, a second runner and this one see each other's
        # attempts in flight. Without one (a hosted bundle: its disk does not survive a restart), this process's own
        # record, in memory: the router (the run tag) is then the record that counts, and this one covers the
        # requests this process sent.
        self.ledger = ledger if ledger is not None else Ledger(":memory:")
        self._on_disk = ledger is not None  # its messages may name `graphc ledger` commands
        # the occurrences being run, or whose last try was `uncertain` (tried again): what a stop must speak of
        self._open: dict[str, datetime] = {}
        # an occurrence whose graph is known (`submitted`, `already`) while its event is being logged: a stop then
        # logs that event (it names the graph), never `uncertain` about its request (audit ops22 3)
        self._naming: dict[str, tuple[str, dict]] = {}
        # `loop`: occurrences given up whose request may have created a graph (looked for at the router)
        self._unsettled: dict[datetime, _Unsettled] = {}
        # the occurrences this run tried (run key -> occurrence), until their attempts are forgotten (_forget)
        self._tried: dict[str, datetime] = {}
        self._mode = "once"  # or "loop": what an `uncertain` message says happens next
        self._cap_noted = False  # GRAPHC_MAX_LIVE_QUOTES left symbols out: said once, not at every read of the quotes
        self._started_s = time.monotonic()  # the settle is timed on it: a wall clock that steps (NTP) cannot shorten it
        self._quotes_read_at = time.monotonic()  # when the live quotes of the graph last priced were read
        # the `lint_warnings` and `skipped` fields of the lint the occurrence last ran (_findings), None before it ran one
        self._findings: dict | None = None

    # -- the schedule --------------------------------------------------------------------------

    def read(self) -> tuple[str, Schedule, str]:
        """(name, schedule, source text); raises RunError when the playbook cannot be run."""
        try:
            scheduled = read_scheduled(self.settings.playbook)
        except (OSError, UnicodeDecodeError) as exc:
            raise RunError(f"cannot read {self.settings.playbook}: {getattr(exc, 'strerror', None) or exc}") from None
        errors = [d for d in scheduled.diagnostics if d.is_error]
        if errors:
            raise RunError(_first_lines(errors), EXIT_FINDINGS)
        if scheduled.schedule is None:
            raise RunError(f"{self.settings.playbook} has no `schedule:`; `graphc submit` sends a playbook once")
        return scheduled.run_name, scheduled.schedule, scheduled.text or ""

    # -- once ----------------------------------------------------------------------------------

    def _start(self, mode: str):
        """``(name, schedule, text)`` after logging ``start``, or the exit code when the playbook cannot run."""
        self._mode = mode
        try:  # --now with --live: refused before anything is read or asked (graphc.submit.rehearsal_clock)
            fixed = self.clock.now() if self.clock.fixed else None
            rehearsal_clock(self.settings.live, fixed, given="--now, GRAPHC_NOW", opt_in="--live (GRAPHC_LIVE=1)")
        except Refused as exc:
            self.log("error", message=exc.message)
            return exc.exit_code
        try:
            name, schedule, text = self.read()
        except RunError as exc:
            self.log("error", message=str(exc))
            return exc.exit_code
        at = self.clock.now()
        fields = self._describe(name, schedule, at)
        due = schedule.due_at(at)
        if mode == "loop" and due.occurrence is None and due.latest is not None:
            # a loop (re)started after downtime: the occurrence it came too late for (never run: spec §9), as
            # `--once`'s `not_due` names it; a first start says the same (nothing tells a restart from one)
            fields["latest"] = _utc_text(due.latest)
            fields["late_by"] = describe_duration(at - due.latest)
        self.log("start", mode=mode, live=self.settings.live, **fields)
        return name, schedule, text

    def once(self) -> int:
        """Run the due occurrence, if any. The exit status of ``graphc run --once``."""
        with read_once():  # the playbook and what it uses, each read once (docs/recurring.md, "Edits while ...")
            return self._once()

    def _once(self) -> int:
        started = self._start("once")
        if isinstance(started, int):
            return started
        name, schedule, text = started
        at = self.clock.now()
        due = schedule.due_at(at)
        if due.occurrence is None:
            self.log("not_due", **self._not_due(schedule, due, at))
            return EXIT_OK
        gone = self._ledger_gone()
        if gone is not None:
            self.log("error", message=gone)
            return EXIT_USAGE
        return self.occurrence(name, schedule, text, due.occurrence).exit_code

    # -- loop ----------------------------------------------------------------------------------

    def loop(self, *, stop: Callable[[], bool] = lambda: False) -> int:
        """Run every occurrence as it comes. Returns only when the schedule has no next occurrence
        (exit 0), on a configuration error (2), or when ``stop()`` says so (0)."""
        started = self._start("loop")
        if isinstance(started, int):
            return started
        name, schedule, text = started
        retry_s = self.settings.retry_s
        if not 1 <= retry_s <= MAX_RETRY_S:  # (`graphc run --retry` is a usage error first): not an overflow later
            self.log(
                "error", message=f"the retry must be 1 to at most {MAX_RETRY_S:.0f} seconds (1 day), not {retry_s:g}"
            )
            return EXIT_USAGE
        problem = self._check(schedule, text)
        if problem is not None:  # no occurrence can fix it: say so now, not by a `missed` every week
            self.log("error", message=str(problem))
            return problem.exit_code
        done: set[datetime] = set()
        failing: tuple[datetime, str] | None = None  # the occurrence promised a `retry`, and its run key
        # occurrences given up whose request may have created a graph: looked for at the router, never sent again
        unsettled = self._unsettled
        # every occurrence up to here was run, is being run, was logged `missed`, or came before the loop started
        accounted = self.clock.now()
        while not stop():
            gone = self._ledger_gone()
            if gone is not None:  # never a new ledger in its place, which knows none of this loop's attempts
                self.log("error", message=gone)
                return EXIT_USAGE
            at = self.clock.now()
            self._look_again(schedule, unsettled, at)
            self._forget(schedule, at)
            done = {o for o in done if at - o <= schedule.catch_up}  # older ones can no longer be due
            due = schedule.due_at(at)
            pending = due.occurrence if due.occurrence not in done else None
            if failing is not None and failing[0] != pending:
                if failing[0] not in done:  # given up: spec §9 runs only the latest, and only within catch_up
                    if pending is not None:
                        reason = f"a newer occurrence ({_utc_text(pending)}) is due; only the latest is run"
                    else:  # the wait for its retry ended late (the process was suspended): past catch_up
                        reason = (
                            f"past its catch-up of {describe_duration(schedule.catch_up)} when it was to be tried again"
                        )
                    self._give_up(failing[0], failing[1], reason, unsettled)
                    done.add(failing[0])
                failing = None
            newest = pending if pending is not None else due.latest
            if newest is not None and newest > accounted:  # the loop was held up past occurrences it never ran
                self._skipped(name, schedule, accounted, newest, pending)
                accounted = newest
            if pending is not None:
                with read_once():  # the occurrence is made from the files as they are now, each read once
                    fresh = self._read_again(name, schedule, text)
                    if isinstance(fresh, Restart):  # not traded under a run key or a timing it was not planned with
                        self.log("error", message=str(fresh))
                        self._leave(unsettled, "the loop stopped (its playbook's name or schedule changed)")
                        return fresh.exit_code
                    if isinstance(fresh, str):
                        text = fresh
                    problem = fresh if isinstance(fresh, RunError) else None
                    result = self.occurrence(name, schedule, text, pending, problem=problem)
                if result.fatal:  # a bad setting (refused) or configuration: the same at every occurrence
                    self.log("error", message=result.message)
                    self._leave(unsettled, "the loop stopped (an error no retry can fix)")
                    return result.exit_code
                if result.done or result.status == "refused":
                    done.add(pending)
                    continue
                retry_at = self.clock.now() + timedelta(seconds=self.settings.retry_s)
                if retry_at - pending > schedule.catch_up:
                    self._give_up(pending, result.run_key, result.message, unsettled)
                    done.add(pending)
                    continue
                self.log("retry", occurrence=_utc_text(pending), at=_utc_text(retry_at))
                failing = (pending, result.run_key)
                self.clock.sleep_until(retry_at)
                continue
            following = schedule.next_after(at)
            looks = [entry.look_at for entry in unsettled.values()]
            if following is None and not looks:
                self.log("finished", message="the schedule has no further occurrence")
                return EXIT_OK
            wake = min([*looks, *([following] if following is not None else [])])
            self.log("sleep", until=_utc_text(wake), local=schedule.local(wake).isoformat())
            self.clock.sleep_until(wake)
        self.stopped()
        return EXIT_OK

    def _ledger_gone(self) -> str | None:
        """None while the ledger this run opened is still the file at its path (:meth:`Ledger.check_still_there`,
        as ``graphc submit`` checks it); else the ``error`` that stops it (exit 2, docs/recurring.md, "What happens
        when things go wrong"): the ledger was deleted or replaced (``rm -rf .graphc``, ``git clean -fdx``), so the
        attempts this run records would be seen by no other graphc of the project, and every write fails. It
        names this run's own attempts still unsettled, with their tags and until when they may land: a new ledger
        knows none of them."""
        try:
            self.ledger.check_still_there()
            return None
        except LedgerGone:
            pass
        path = self.ledger.path
        said = (
            f"the ledger {path} was deleted or replaced while the loop ran (`rm -rf .graphc`, `git clean -fdx`): the "
            "loop stops rather than record its attempts in a file no other graphc of this project reads, or open a "
            "new ledger that knows none of them. Restart the loop (`graphc run --loop` again; a supervisor restarts "
            "it on this exit): it opens the ledger at that path (a new one if none is there) and settles before it "
            "first sends an occurrence that ledger has no record of. "
        )
        try:
            mine = [run for run in self.ledger.pending() if run.id in self.ledger.begun]
        except LedgerError as exc:
            return said + f"Which attempts of this loop are unsettled could not be read: {exc}"
        if not mine:
            return said + "No attempt of this loop is unsettled."
        each = "; ".join(
            f"ledger run {run.id} of run {run.run_key!r} (tag {run.tag}, state {run.state}): "
            f"{may_land(run, time.time_ns())}"
            for run in mine
        )
        return said + (
            f"Attempts of this loop still unsettled, which a new ledger does not know of: {each}. Do not submit "
            "these occurrences by hand before then; to look for them yourself: orders whose node ids end in their "
            "tag (GET /v1/orders), then `graphc status GRAPH_ID`"
        )

    def _forget(self, schedule: Schedule, at: datetime) -> None:
        """Forget the attempts of each occurrence tried that can never matter again (audit hosted24 3: a bundle's
        record, in memory, grew by an occurrence's row, graph bytes and events at every occurrence until the
        strategy was OOM-killed): past its catch-up plus the landing margin at ``at``, not being run or looked
        for, every attempt settled for good (:meth:`Ledger.forget_settled`: ``confirmed`` or ``absent``). A
        record in memory deletes them; the project's ledger keeps its rows and forgets only their ids among this
        process's attempts (:attr:`Ledger.begun`).

        Exactly once still holds, because nothing reads those rows again. The ledger is read per run key: for the
        occurrence being run (send_wire's look, Ledger.begin, the settle), and for one given up unsettled
        (_resolve); every other key is untouched. An occurrence older than its catch-up is never run again (spec
        §9; the loop's schedule cannot change under it: Restart); its catch-up is counted on the run's clock, as
        ``due`` is. Should it come due again all the same (a wall clock stepped back by more than that), it would
        be as in a restarted bundle, which remembers nothing: a confirmed graph is found at the router by its run
        tag before anything is sent, and an ``absent`` attempt never blocked a new one. What can still land is
        never forgotten: an attempt ``intent``, ``sent`` or ``uncertain`` keeps its occurrence (and every row of
        its run key) in the record, whatever its age, and so does an occurrence given up unsettled
        (``_unsettled``: its look reads the run's rows) or still open (a stop names it)."""
        if not self._tried:
            return
        try:
            horizon = schedule.catch_up + timedelta(seconds=landing_margin())
        except Refused:  # GRAPHC_LANDING_MARGIN out of bounds: refused by the occurrence (its send), which stops
            return  # the loop with an `error`; nothing is forgotten meanwhile
        for key, occurrence in list(self._tried.items()):
            if at - occurrence <= horizon or key in self._open or occurrence in self._unsettled:
                continue
            try:
                if self.ledger.forget_settled(key):
                    del self._tried[key]
            except LedgerError:  # the ledger cannot be read now: the next wake tries again
                return

    # -- an uncertain occurrence given up: looked for at the router, never sent again -----------------------

    def _give_up(self, occurrence: datetime, key: str, reason: str, unsettled: dict[datetime, _Unsettled]) -> None:
        """The loop runs ``occurrence`` no more (past its catch-up, or a newer one is due). Logged ``missed``, unless
        a request of it may have created a graph (an `uncertain` answer, however the last try ended): then it is
        not known to be missed, and it is looked for at the router once that request can no longer land
        (:meth:`_look_again`; a look is not a late send, spec §9)."""
        self._open.pop(key, None)
        lands_by = max((run.lands_by_ns or 0 for run in self.ledger.pending(key)), default=None)
        if lands_by is None:
            self.log("missed", occurrence=_utc_text(occurrence), run_key=key, reason=reason)
            return
        # on the run's clock (a rehearsal's moves with the real time while it sleeps): a second after the landing
        wait = max(lands_by / 1e9 - time.time(), 0.0) + 1.0
        unsettled[occurrence] = _Unsettled(key, self.clock.now() + timedelta(seconds=wait))

    def _look_again(self, schedule: Schedule, unsettled: dict[datetime, _Unsettled], at: datetime) -> None:
        """Look at the router for the unsettled occurrences whose look is due at ``at``: found, ``already`` with
        the graph id; proved absent, ``missed`` saying so; neither, ``unresolved``, looked for again after
        ``--retry`` seconds (doubled each time, up to 64 times) until MAX_LOOKS looks, then given up, said."""
        for occurrence in sorted(o for o, entry in unsettled.items() if entry.look_at <= at):
            entry = unsettled[occurrence]
            entry.looks += 1
            verdict = self._resolve(entry.key)
            fields = {"occurrence": _utc_text(occurrence), "run_key": entry.key}
            tag = run_tag(entry.key)
            detail = verdict.detail
            if verdict.kind == "found":
                message = f"found at the router by its run tag {tag}: {verdict.whose} created it; nothing more was sent"
                warning = {"warning": verdict.warning} if verdict.warning else {}
                live = self._graph_mode(entry.key, detail)
                self.log("already", **fields, graph_id=detail, live=live, message=message, **warning)
                del unsettled[occurrence]
                continue
            if verdict.kind == "absent":
                reason = (
                    f"its request created no graph: {detail}; past its catch-up of "
                    f"{describe_duration(schedule.catch_up)}: it is not sent again"
                )
                self.log("missed", **fields, reason=reason)
                del unsettled[occurrence]
                continue
            look_yourself = self._in_the_ledger() + _look_yourself(tag)
            if entry.looks >= MAX_LOOKS:
                message = (
                    f"whether its request created a graph is still unknown: {detail}; graphc gave up looking after "
                    f"{entry.looks} looks and sends nothing for it. {look_yourself}"
                )
                self.log("unresolved", **fields, tag=tag, message=message)
                del unsettled[occurrence]
                continue
            entry.look_at = self.clock.now() + timedelta(seconds=self.settings.retry_s * 2 ** min(entry.looks - 1, 6))
            message = (
                f"whether its request created a graph is still unknown: {detail}; the loop looks again at "
                f"{_utc_text(entry.look_at)} (look {entry.looks} of at most {MAX_LOOKS}) and never sends it again. "
                f"{look_yourself}"
            )
            self.log("unresolved", **fields, tag=tag, message=message, again_at=_utc_text(entry.look_at))

    def stopped(self, message: str | None = None) -> None:
        """The run was stopped from outside (Ctrl-C, SIGTERM; the caller's ``KeyboardInterrupt``): logs ``stopped``,
        then, as its last word, ``uncertain`` for each occurrence whose request may still reach the router (one in
        flight when it was stopped, or one whose answer was lost and that was to be tried again), with the run key,
        the tag, ``lands_by`` and what to do; and ``unresolved`` for each occurrence a loop had given up unsettled.
        Never ``uncertain`` for an occurrence whose graph this run knows: stopped before its ``submitted`` or
        ``already`` was written, it logs that event (the graph id, and for one the ledger could not record, the
        command that records it); stopped after, nothing more (audit ops22 3)."""
        self.log("stopped", **({"message": message} if message else {}))
        for event, fields in list(self._naming.values()):  # stopped as its graph was being named: named now
            self.log(event, **fields)
        self._naming.clear()
        for key, occurrence in sorted(self._open.items(), key=lambda item: item[1]):
            try:
                landing = self._may_land(key)
            except LedgerError as exc:  # the ledger cannot be read now: say so rather than nothing
                tag = run_tag(key)
                said = f"whether a request of run {key!r} (tag {tag}) is still in flight is unknown: {exc}. "
                fields = {"occurrence": _utc_text(occurrence), "run_key": key, "tag": tag}
                self.log("uncertain", **fields, message=said + _look_yourself(tag))
                continue
            if landing:
                self.log("uncertain", **self._still_landing(occurrence, key, landing, message))
        self._open.clear()
        self._leave(self._unsettled, "the loop stopped")

    def _may_land(self, key: str) -> list:
        """The attempts of ``key`` this process made (:attr:`Ledger.begun`) whose request was sent and whose outcome
        is not known (``sent``, ``uncertain``): they may still reach the router (an ``intent`` was never sent).
        Another graphc's (a hand submission, another runner, in this scope or another) is its own to speak of: a
        stop's last word names only this run's (audit ops22 5)."""
        return [
            run
            for run in self.ledger.pending(key)
            if run.state in ("sent", "uncertain") and run.id in self.ledger.begun
        ]

    def _still_landing(self, occurrence: datetime, key: str, runs: list, why: str | None) -> dict:
        """The fields of the ``uncertain`` a stop logs for ``key``, whose requests ``runs`` may still land."""
        tag = runs[-1].tag or run_tag(key)
        lands_by = max(run.lands_by_ns or 0 for run in runs) or None
        until = iso(lands_by) if lands_by else "an unknown time"
        fields: dict = {"occurrence": _utc_text(occurrence), "run_key": key, "tag": tag, "lands_by": until}
        said = (
            f"stopped{f' ({why})' if why else ''} while a request of run {key!r} (tag {tag}) had no answer: it may "
            "have created a graph, "
            f"and it may still reach the router until {until}: do not submit it by hand before {until}. "
        )
        if self._on_disk:
            fields["ledger_run"] = runs[-1].id
        return {**fields, "message": said + self._in_the_ledger(runs[-1].id) + _look_yourself(tag)}

    def _graph_mode(self, key: str, graph_id: str) -> bool | None:
        """Whether graph ``graph_id`` of run ``key`` is LIVE, as the record of attempts holds the graph sent (its
        ``is_sandbox``); None when it holds no copy of it (a graph found at the router by its run tag: the router does
        not say whether a graph is sandbox or LIVE), or cannot be read now."""
        try:
            runs = self.ledger.runs(key)
        except LedgerError:
            return None
        return next((run.live for run in runs if run.graph_id == graph_id and run.live is not None), None)

    def _in_the_ledger(self, run_id: int | None = None, command: str | None = None) -> str:
        """What the project's ledger does for an unsettled attempt, and the command that settles it (``command``:
        another scope's, named before; nothing, for a record in memory: a hosted bundle's)."""
        if not self._on_disk:
            return ""
        where = f"ledger run {run_id} of" if run_id is not None else "recorded in"
        return (
            f"The attempt is {where} the project's ledger ({self.ledger.path}): a `graphc submit` or `graphc run` of "
            "this occurrence in this project sends nothing while its request may land, and after that time "
            f"{command or self._ledger_command()} looks for it at the router and records what became of it. "
        )

    def _ledger_command(self, what: str = "--reconcile") -> str:
        """`graphc ledger --reconcile`, typed so that it reads this run's ledger from the working directory."""
        if os.path.abspath(self.ledger.path) == os.path.abspath(default_ledger_path()):
            return f"`graphc ledger {what}`"
        return f"`graphc ledger {what} --ledger {shlex.quote(str(self.ledger.path))}`"

    def _leave(self, unsettled: dict[datetime, _Unsettled], why: str) -> None:
        """The loop ends with occurrences still unsettled: each gets its last word, ``unresolved``."""
        for occurrence in sorted(unsettled):
            entry = unsettled.pop(occurrence)
            tag = run_tag(entry.key)
            message = (
                f"whether its request created a graph is unknown: {why} before it could tell "
                f"({entry.looks} looks at the router). {self._in_the_ledger()}{_look_yourself(tag)}"
            )
            self.log("unresolved", occurrence=_utc_text(occurrence), run_key=entry.key, tag=tag, message=message)

    def _resolve(self, key: str, client=None) -> _Verdict:
        """Look at the router for the attempts of ``key`` the ledger holds unsettled (after their requests can no
        longer land: a look before proves nothing). Never sends. ``found`` (the graph id, and a warning), ``absent``
        (the proof) or ``unresolved`` (why).

        The attempts in this runner's scope (its router URL and API key) are settled through the ledger's
        reconciliation. Another scope's attempt (another spelling of the URL, another key of the account: the
        project's ledger is shared, docs/submitting.md) cannot be reconciled from here, and may have reached this
        router and account all the same: the run's tag is then looked for at the router (:meth:`_look_for_tag`), and
        ``absent`` is only said on a complete scan made once that request can no longer land."""
        if client is None:
            try:
                with self.client_factory() as made:
                    return self._resolve(key, made)
            except ApiError as exc:
                return _Verdict("unresolved", f"the router could not be asked: {exc}")
        scope = Scope.of(client)
        try:
            unsettled = self.ledger.pending(key)
            results = [self.ledger.reconcile(run.id, client) for run in unsettled if run.in_scope(scope)]
            every = self.ledger.runs(key)
        except LedgerError as exc:
            return _Verdict("unresolved", str(exc))
        runs = [run for run in every if run.in_scope(scope)]
        graphs = [run for run in runs if run.graph_id]
        if graphs:
            theirs = [run for run in unsettled if run.id not in self.ledger.begun]
            if theirs and len(theirs) == len(unsettled):  # the request looked for was another graphc's, not ours
                whose = f"{self._theirs(theirs, scope)}, or another attempt of this run,"
                return _Verdict("found", graphs[0].graph_id or "", " | ".join(graphs[0].warnings), whose)
            return _Verdict("found", graphs[0].graph_id or "", " | ".join(graphs[0].warnings))
        if any(run.pending for run in runs):
            return _Verdict("unresolved", _undecided(results))
        # another scope's attempt that may have created a graph (one proved absent cannot have, at any router)
        others = [run for run in every if not run.in_scope(scope) and run.state != "absent"]
        proofs = [run.error for run in runs if run.state == "absent" and run.error]
        if others or not proofs:  # no proof of this scope covers every attempt: never "absent" without looking
            return self._look_for_tag(key, client, scope, others)
        return _Verdict("absent", proofs[-1])

    def _look_for_tag(self, key: str, client, scope: Scope, others: list) -> _Verdict:
        """Look for ``key``'s tag (and that of each of ``others``, another scope's attempts of it) in the router's
        whole order list (:func:`graphc.api.lookup.find_run`, as :func:`graphc.submit.submit_wire` looks before it
        sends). Found: the graph, recorded in this scope (as that look records one). Not found: ``absent`` only when
        the scan read the whole list and none of ``others`` may still reach the router (the time is taken before the
        scan); otherwise ``unresolved``, naming each of ``others`` and the command that reconciles it in its scope."""
        now = time.time_ns()  # before the scan: a request that could land until now was listed by then
        tags = list(dict.fromkeys([run_tag(key), *(run.tag for run in others if run.tag)]))
        since = min((run.created_ns for run in others), default=now) - CLOCK_SKEW_S * 10**9
        theirs = self._theirs(others, scope)
        scans = []
        for tag in tags:
            wire = next((run.sent_wire for run in others if run.tag == tag and run.wire), None)
            scan = find_run(client, tag, since, node_ids=node_ids_of(wire))
            if scan.found:
                return self._found_elsewhere(key, scope, tag, scan.found, others, theirs)
            scans.append(scan)
        incomplete = next((scan for scan in scans if not scan.complete), None)
        landing = [run for run in others if run.state == "intent" or landing_open(run, now)]
        if incomplete is None and not landing:
            listed = "; ".join(f"no order at the router carries tag {scan.tag} ({scan.detail})" for scan in scans)
            if not others:
                return _Verdict("absent", listed)
            return _Verdict("absent", f"{listed}, and {theirs} could no longer reach it when it was read")
        if incomplete is not None:
            why = f"the look at the router for its tag could not finish: {incomplete.detail}"
        else:
            why = f"nothing carrying its tag is listed yet ({scans[-1].detail})"
        return _Verdict("unresolved", f"{why}; {self._elsewhere(others, scope, now)}")

    def _found_elsewhere(self, key, scope: Scope, tag: str, found: list[str], others: list, theirs: str) -> _Verdict:
        """The graphs ``found`` carry ``key``'s tag ``tag``: the oldest is the run's, recorded in this scope (the
        others named in a warning, kept on the row, as :func:`graphc.submit.submit_wire`'s look does)."""
        graph_id, *more = found
        warnings = [more_graphs_warning(key, graph_id, more)] if more else []
        name = others[-1].playbook if others else key.rpartition("@")[0]
        with contextlib.suppress(LedgerError):  # the graph is known all the same: the next look records it
            how = f"found at the router by its run tag {tag}"
            warnings = list(self.ledger.record_found(scope, key, name, tag, graph_id, how, warnings=warnings).warnings)
        whose = f"{theirs}, or another attempt of this run," if others else "an attempt of this run"
        return _Verdict("found", graph_id, " | ".join(warnings), whose)

    @staticmethod
    def _theirs(others: list, scope: Scope | None) -> str:
        """``others`` (attempts of a run another graphc process made) in the words of a message: whose request, sent
        where (in this run's ``scope``: by another process with this URL and key; else to another URL or key)."""
        each = []
        for run in others:
            if scope is None or run.in_scope(scope):
                where = "sent by another process with this router URL and API key"
            elif run.endpoint and run.endpoint != scope.endpoint:
                where = f"sent to {run.endpoint}"
            else:
                where = f"sent with another API key (account {run.account})"
            each.append(f"ledger run {run.id}, {where}")
        return f"another graphc's request of this run ({'; '.join(each)})"

    def _elsewhere(self, others: list, scope: Scope, now_ns: int) -> str:
        """Each of ``others`` (another scope's attempts), its state and when its request may still land, and the
        command that reconciles it in its own scope (:func:`graphc.api.ledger.elsewhere`)."""
        ledger_arg = ""
        if self._on_disk and os.path.abspath(self.ledger.path) != os.path.abspath(default_ledger_path()):
            ledger_arg = f" --ledger {shlex.quote(str(self.ledger.path))}"
        return "; ".join(
            f"ledger run {run.id} is another graphc's attempt of this run (state {run.state}; "
            f"{may_land(run, now_ns)}): {elsewhere(run, scope, ledger_arg)}"
            for run in others
        )

    def _skipped(self, name: str, schedule: Schedule, after: datetime, newest: datetime, pending) -> None:
        """Log ``missed`` for the occurrences after ``after`` that the loop never ran because it was busy (a slow
        submission, a long retry) or suspended while they came: those before ``newest``, and ``newest`` itself
        when it is not ``pending`` (past catch_up too). At most MAX_MISSED_LINES lines, then one with the count."""
        if pending is not None:
            reason = (
                f"a newer occurrence ({_utc_text(pending)}) came due while the loop was busy (a slow submission, "
                "or the process suspended); only the latest due occurrence is run (spec §9)"
            )
        else:
            reason = (
                f"past its catch-up of {describe_duration(schedule.catch_up)} by the time the loop was free "
                "(a slow submission, or the process suspended)"
            )
        count, capped = 0, False
        first = last = newest
        for occurrence in schedule.occurrences(after):
            if occurrence > newest or (occurrence == newest and pending is not None):
                break
            if count - MAX_MISSED_LINES >= MAX_MISSED_COUNTED:
                capped = True
                break
            count += 1
            if count <= MAX_MISSED_LINES:
                self.log("missed", occurrence=_utc_text(occurrence), run_key=run_key(name, occurrence), reason=reason)
                continue
            if count == MAX_MISSED_LINES + 1:
                first = occurrence
            last = occurrence
        more = count - MAX_MISSED_LINES
        if more > 0:
            since, until = _utc_text(first), _utc_text(last)
            counted = "at least " if capped else ""
            self.log(
                "missed",
                count=more,
                first=since,
                last=until,
                reason=f"{counted}{more} more occurrences, from {since} to {until}, were not run either: {reason}",
            )

    def _read_again(self, name: str, schedule: Schedule, text: str) -> str | RunError:
        """The playbook read again for an occurrence of ``loop`` (inside its :func:`read_once` scope): its text,
        logged ``playbook_changed`` when it differs from ``text`` (the last occurrence's, or the start's); a
        :class:`Restart` when its ``name:`` or ``schedule:`` changed (the run keys and the times the loop works
        with); a RunError (the occurrence's ``lint_failed``, retried) when it cannot be read or has errors."""
        path = self.settings.playbook
        try:
            scheduled = read_scheduled(path)
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or exc
            return RunError(f"cannot read {path} again for this occurrence: {why}", EXIT_FINDINGS)
        errors = [d for d in scheduled.diagnostics if d.is_error]
        if errors:
            return RunError(_first_lines(errors), EXIT_FINDINGS)
        fresh = scheduled.text or ""
        if fresh == text:
            return fresh
        self.log("playbook_changed", playbook=str(path), sha256=_sha(fresh), was=_sha(text))
        changed = [
            what
            for what, same in (("name", scheduled.run_name == name), ("schedule", scheduled.schedule == schedule))
            if not same
        ]
        if changed:
            said = " and ".join(f"its `{what}:` changed" for what in changed)
            return Restart(
                f"{path} was edited while the loop ran: {said}; the loop keeps the run keys and the occurrence "
                "times it started with, so it does not trade under the new ones: restart the loop (`graphc run "
                "--loop` again; a hosted strategy restarts itself on this exit) to run the playbook as it is now"
            )
        return fresh

    def _check(self, schedule: Schedule, text: str) -> RunError | None:
        """The errors no occurrence can fix, found once before the loop first sleeps (docs/recurring.md,
        `error`: "the playbook ... has errors"): graphc.toml, the YAML (GC100, GC101), the schema's unknown
        keys (GC102), ``--set``/``--params`` (GC108), not a playbook (GC110). The playbook is linted as the
        first occurrence from now renders it, without quotes; what depends on the occurrence (its time, the
        quotes then) is left to the occurrence and its retries, as before."""
        at = self.clock.now()
        due = schedule.due_at(at)
        occurrence = due.occurrence or due.next or at
        config, config_diagnostics = load_config(self.settings.playbook)
        if any(d.is_error for d in config_diagnostics):
            return RunError(_first_lines([d for d in config_diagnostics if d.is_error]), EXIT_FINDINGS)
        options = self._options(config, schedule, occurrence)
        outcome = lint_source(text, str(self.settings.playbook), LintOptions(compile=options, config=config))
        diagnostics = outcome.result.diagnostics if outcome.result is not None else []
        errors = [d for d in diagnostics if d.is_error and d.code in TIMELESS_ERRORS]
        stopped, refusal = outcome.incomplete, outcome.refusal
        if not errors and refusal is not None and stopped is not None and stopped.code in TIMELESS_ERRORS:
            return RunError(refusal, EXIT_FINDINGS)  # demoted in graphc.toml: still no graph to send
        return RunError(_first_lines(errors), EXIT_FINDINGS) if errors else None

    # -- one occurrence ------------------------------------------------------------------------

    def occurrence(
        self, name: str, schedule: Schedule, text: str, occurrence: datetime, *, problem: RunError | None = None
    ) -> OccurrenceResult:
        """Run one occurrence and log it; ``problem``: the playbook, read again for it, cannot be used (nothing is
        sent: ``lint_failed``, tried again while within catch_up)."""
        key = run_key(name, occurrence)
        self.log("due", occurrence=_utc_text(occurrence), local=schedule.local(occurrence).isoformat(), run_key=key)
        self._open[key] = occurrence  # a stop (Ctrl-C, SIGTERM) from here on speaks of it (stopped)
        self._tried[key] = occurrence
        self._findings = None
        try:
            if problem is not None:
                result = OccurrenceResult(occurrence, key, "lint_failed", EXIT_FINDINGS, message=str(problem))
            else:
                result = self._occurrence(name, schedule, text, occurrence, key)
        except RunError as exc:
            result = OccurrenceResult(occurrence, key, "refused", exc.exit_code, message=str(exc))
        except BaseException as exc:  # Ctrl-C, SIGTERM: after the router answered, a stop names the graph it created
            self._interrupted(exc, occurrence, key)
            raise
        fields: dict = {"occurrence": _utc_text(occurrence), "run_key": key}
        if result.graph_id:
            fields["graph_id"] = result.graph_id
            fields["live"] = result.live if result.live is not None else self._graph_mode(key, result.graph_id)
        if not result.recorded:
            fields["recorded"] = False
        if result.message:
            fields["reason" if result.status == "missed" else "message"] = result.message
        if self._findings is not None and result.status in ("submitted", "already", "lint_failed"):
            fields.update(self._findings)  # what the lint of the graph sent (or not sent) found and could not check
        if result.warning:
            fields["warning"] = result.warning
            sys.stderr.write(f"graphc: warning: {clean(result.warning, None)}\n")
            sys.stderr.flush()
        if result.graph_id:
            # A request whose graph is known landed: a stop never speaks of it as one that may still land, even if
            # its row could not say so (`sent`: the ledger could not record the graph). Settled before the event is
            # logged, so a stop right after it (SIGTERM as the line is read) cannot; a stop before the line is
            # written logs it after `stopped` (the graph id must not go with the process).
            self._naming[key] = (result.status, fields)
            self._open.pop(key, None)
            self.log(result.status, **fields)
            self._naming.pop(key, None)
            return result
        self.log(result.status, **fields)
        try:
            landing = result.status == "uncertain" or bool(self._may_land(key))
        except LedgerError:  # unreadable now: a stop looks again, and says what it finds
            landing = True
        if not landing:  # nothing of it may still land: a stop need not speak of it
            self._open.pop(key, None)
        return result

    def _interrupted(self, exc: BaseException, occurrence: datetime, key: str) -> None:
        """The occurrence was interrupted (``exc``: the KeyboardInterrupt of Ctrl-C or SIGTERM) after the router
        answered its request (:func:`graphc.submit.interrupted_graph`): the graph WAS CREATED, recorded or not (the
        ledger was locked: its row stays `sent`), so the stop logs `submitted` with its id and what records it
        (:meth:`stopped`), never `uncertain` about its request."""
        known = interrupted_graph(exc) if not isinstance(exc, Exception) else None
        if known is None:
            return
        graph_id, recorded = known
        fields: dict = {"occurrence": _utc_text(occurrence), "run_key": key, "graph_id": graph_id}
        fields["live"] = self._graph_mode(key, graph_id)
        if not recorded:
            fields["recorded"] = False
        fields["message"] = f"interrupted {interrupted_at(exc)}"
        self._naming[key] = ("submitted", fields)
        self._open.pop(key, None)

    def _occurrence(self, name, schedule, text, occurrence, key) -> OccurrenceResult:
        decided_at, decided_real = self.clock.now(), datetime.now(UTC)  # when (on the run's clock) it was due
        try:
            with self.client_factory() as client:
                if self.ledger.pending(key):  # an earlier try's answer was lost: look for its graph first (no quotes)
                    settled = self._settled(client, key, occurrence)
                    if settled is not None:
                        return settled
                # Rendered, priced and linted first, as a fail-fast check: a playbook with errors, a missing
                # quote or a live graph without --live is refused now, not after the settle's minutes of waiting.
                prepared = self._prepare(name, schedule, text, occurrence, key, client)
                if isinstance(prepared, OccurrenceResult):
                    return prepared
                # the latest real time at which the occurrence may still be sent (spec §9: t - o <= catch_up)
                give_up_at = schedule.catch_up_until(occurrence, decided_at, decided_real)
                try:
                    waited = self._settle(client, key, occurrence, give_up_at)
                except ApiError as exc:
                    return OccurrenceResult(occurrence, key, "failed", exc.exit_code or EXIT_REMOTE, message=str(exc))
                except Refused as exc:  # a timing setting out of bounds (GRAPHC_LANDING_MARGIN): the same next time
                    return OccurrenceResult(occurrence, key, "refused", exc.exit_code, message=exc.message, fatal=True)
                if waited < 0:  # the settle would end past catch_up: waiting it out could only end in `missed`
                    return self._past_catch_up(occurrence, key, schedule, client)
                if waited > 0:
                    # The wait took real time (~3 minutes by default). Spec §9: "if t - o > catch_up, nothing is
                    # due", so t is taken again after it: on the wall clock, or on a rehearsal clock (--now) moved
                    # on by the real time that passed, as it moves while a loop sleeps (Clock). Without a wait
                    # nothing is re-checked, so `--once --now` decides at exactly --now (catch_up's `<=` holds).
                    late = decided_at + (datetime.now(UTC) - decided_real) - occurrence
                    if late > schedule.catch_up:
                        reason = (
                            f"{describe_duration(late)} late after the settle, past its catch-up of "
                            f"{describe_duration(schedule.catch_up)}: nothing was sent"
                        )
                        return OccurrenceResult(occurrence, key, "missed", EXIT_OK, message=reason)
                    # The graph priced before the wait is stale: render it again with quotes read now. The run
                    # key (the tag the settle's scan looked for) is the name and the occurrence, not the graph,
                    # so what the scan proved still holds for the graph rendered now.
                    prepared = self._prepare(name, schedule, text, occurrence, key, client)
                    if isinstance(prepared, OccurrenceResult):
                        return prepared
                wire_text, live = prepared
                reprice = None
                if self.settings.quotes == "live":  # the look at the router may take minutes: priced again after it
                    again = self._priced_again(name, schedule, text, occurrence, key, client)
                    reprice = Reprice(again, self._quotes_read_at, self.settings.max_quote_age_s)
                result = self._submit(client, name, key, occurrence, wire_text, schedule, give_up_at, reprice)
                if result.status == "submitted":  # the graph this run sent: its mode is the one checked above
                    result.live = live
                if self.settings.live and not live:  # the double opt-in: --live alone does not make a graph live
                    unused = (
                        f"--live has no effect: {name} is a sandbox graph (its playbook does not say "
                        "`sandbox: false`), so this occurrence is a paper trade"
                    )
                    result.warning = " | ".join(w for w in (result.warning, unused) if w)
                return result
        except ConfigError as exc:  # no key, a bad URL: the same next time
            return OccurrenceResult(occurrence, key, "failed", exc.exit_code, message=str(exc), fatal=True)
        except ApiError as exc:
            return OccurrenceResult(occurrence, key, "failed", exc.exit_code, message=str(exc))

    def _settled(self, client, key: str, occurrence: datetime) -> OccurrenceResult | None:
        """A try of an occurrence whose earlier request may have created a graph (`uncertain`) looks for it at the
        router first: found, ``already``; still unknown, ``uncertain`` again (nothing is sent); None when it is
        proved absent, and the try goes on (within catch_up: spec §9 may send it)."""
        verdict = self._resolve(key, client)
        if verdict.kind == "found":
            message = (
                f"found at the router by its run tag {run_tag(key)}: {verdict.whose} created it; nothing more was sent"
            )
            return OccurrenceResult(
                occurrence, key, "already", EXIT_OK, graph_id=verdict.detail, message=message, warning=verdict.warning
            )
        if verdict.kind == "unresolved":
            message = self._uncertain_text(key, verdict.detail, Scope.of(client))
            return OccurrenceResult(occurrence, key, "uncertain", EXIT_REMOTE, message=message)
        return None

    def _uncertain_text(self, key: str, why: str, scope: Scope | None = None) -> str:
        """What an `uncertain` occurrence's event says: why, the run's tag, and what happens next: with the project's
        ledger, what it does and the `graphc ledger` command that settles it; a record in memory (a hosted bundle)
        names no ledger command: the router, by the tag, is where the graph is found. When the unsettled request is
        another graphc's (a hand `graphc submit`, another runner; ``scope``: this run's), it says so, and that this
        run waits for it (audit ops22 5): this run sent nothing for it."""
        tag = run_tag(key)
        pending = self.ledger.pending(key)
        mine = [run for run in pending if run.id in self.ledger.begun]
        if pending and not mine:
            return self._waiting_text(key, why, pending, scope)
        lands_by = max((run.lands_by_ns or 0 for run in mine), default=0)
        until = f" until {iso(lands_by)}" if lands_by else ""
        said = (
            f"{why.rstrip('.')}. The request of run {key!r} (tag {tag}) may have created a graph; it may still reach "
            f"the router{until}. "
        )
        if self._mode == "loop":
            said += (
                "This loop looks for its tag at the router before it sends anything more for this occurrence, and "
                "never sends it again once past its catch-up. "
            )
        else:
            said += (
                "A later `graphc run --once` of this occurrence, while within its catch-up, looks for its tag at the "
                "router first (and sends it only if the router proves it absent). "
            )
        return said + self._in_the_ledger(mine[-1].id if mine else None) + _look_yourself(tag)

    def _waiting_text(self, key: str, why: str, theirs: list, scope: Scope | None) -> str:
        """`uncertain` for an occurrence whose unsettled attempts (``theirs``) are all another graphc's: whose, and
        that this run waits for them (nothing of this run is in flight)."""
        tag = run_tag(key)
        lands_by = max((run.lands_by_ns or 0 for run in theirs), default=0)
        until = f" until {iso(lands_by)}" if lands_by else ""
        said = (
            f"{why.rstrip('.')}. The unsettled request of run {key!r} (tag {tag}) is {self._theirs(theirs, scope)}, "
            f"not this {self._mode}'s: it may have created a graph, and it may still reach the router{until}. "
        )
        if self._mode == "loop":
            said += (
                "This loop waits for it: it sends nothing for this occurrence while that request may land, looks for "
                "the run's tag at the router at each try, and never sends the occurrence once past its catch-up. "
            )
        else:
            said += (
                "This run sent nothing; a later `graphc run --once` of this occurrence, while within its catch-up, "
                "looks for its tag at the router first. "
            )
        elsewhere = scope is not None and not theirs[-1].in_scope(scope)
        command = "the command named above, with the URL and key it was sent with," if elsewhere else None
        return said + self._in_the_ledger(theirs[-1].id, command) + _look_yourself(tag)

    def _priced_again(self, name, schedule, text, occurrence, key, client) -> Callable[[float], str]:
        """What :class:`graphc.submit.Reprice` calls when the look at the router ends ``age`` s after the quotes were
        read: logs ``repriced``, then renders, prices and lints the occurrence again with quotes read now; a graph
        that no longer lints raises :class:`_NotPriced` with its ``lint_failed`` result."""

        def again(age: float) -> str:
            self.log(
                "repriced",
                run_key=key,
                quotes_age_s=round(age, 3),
                reason=f"the quotes were {age:.0f} s old (more than {self.settings.max_quote_age_s:g} s) when the "
                "look at the router for the run ended",
            )
            prepared = self._prepare(name, schedule, text, occurrence, key, client)
            if isinstance(prepared, OccurrenceResult):
                raise _NotPriced(prepared)
            return prepared[0]

        return again

    def _prepare(self, name, schedule, text, occurrence, key, client) -> OccurrenceResult | tuple[str, bool]:
        """``(wire text, live)`` of the occurrence rendered with quotes read now, or why it cannot be sent."""
        try:
            outcome = self._lint(schedule, text, occurrence, client)
        except _Unusable as exc:  # graphc.toml or the quotes file, as they are now: a retry may find them mended
            return OccurrenceResult(occurrence, key, "lint_failed", EXIT_FINDINGS, message=str(exc))
        if outcome.refusal is not None:  # an input error the config demoted: the graph built is incomplete
            return OccurrenceResult(occurrence, key, "lint_failed", EXIT_FINDINGS, message=outcome.refusal)
        if outcome.has_errors or outcome.wire_text is None:
            errors = [d for d in (outcome.result.diagnostics if outcome.result else []) if d.is_error]
            return OccurrenceResult(occurrence, key, "lint_failed", EXIT_FINDINGS, message=_first_lines(errors))
        live = outcome.wire.get("is_sandbox") is False
        if live and not self.settings.live:
            raise RunError(f"{name} is a LIVE graph (`sandbox: false`); run it with --live to trade for real")
        return outcome.wire_text, live

    def _options(self, config, schedule: Schedule, occurrence: datetime) -> CompileOptions:
        """The occurrence's compile options, built as ``graphc submit`` builds them
        (:func:`graphc.submit.compile_options_for`): ``now`` the occurrence, ``today`` its local date, the params,
        and the market facts of the project's config (audit recur23 1: without them the graph went out off the
        config's tick and lot)."""
        settings = self.settings
        return compile_options_for(
            config,
            params=settings.params,
            params_file=settings.params_file,
            params_text=settings.params_text,
            now=occurrence,
            schedule=schedule,
        )

    def _lint(self, schedule, text, occurrence, client):
        """The occurrence rendered, priced and linted (:func:`graphc.lint.lint_source`). Raises :class:`_Unusable`
        when graphc.toml has errors, or the quotes file cannot be read or has errors (GC105: a crossed book): a
        file being rewritten (a fetcher between its delete and its create, an edit left half-done) that the next
        try may find whole, so the occurrence is ``lint_failed`` and tried again, never dropped (audit hosted24 1)."""
        self._findings = None
        config, config_diagnostics = load_config(self.settings.playbook)
        if any(d.is_error for d in config_diagnostics):
            raise _Unusable(_first_lines([d for d in config_diagnostics if d.is_error]))
        options = self._options(config, schedule, occurrence)
        lint_options = LintOptions(compile=options, quotes_given=True, config=config, require_quotes=True)
        path = str(self.settings.playbook)
        missing: set = set()
        problems: list = []
        if self.settings.quotes == "live":
            quotes = live_quotes([(text, path)], lint_options, client.get_quote)
            self._quotes_read_at = time.monotonic()
            missing = quotes.missing
            self.log("quotes", symbols=sorted(quotes), missing=sorted(missing))
            note = quotes.cap_note()
            if note is not None and not self._cap_noted:  # the note every command that reads live quotes prints
                self._cap_noted = True
                sys.stderr.write(f"graphc: note: {clean(note, None)}\n")
                sys.stderr.flush()
            options.quotes = quotes
        elif self.settings.quotes:
            options.quotes, problems = self._quotes_file(text, path, lint_options)
            if any(d.is_error for d in problems):
                raise _Unusable(_first_lines([d for d in problems if d.is_error]))
        outcome = lint_source(text, path, lint_options, explicit=True)
        if outcome.result is not None and missing:
            outcome.result.diagnostics[:] = explain_missing(outcome.result.diagnostics, missing)
        self._findings = _findings([*config_diagnostics, *problems], outcome)
        return outcome

    def _quotes_file(self, text: str, path: str, lint_options: LintOptions) -> tuple[dict, list]:
        """``(quotes, diagnostics)`` of the ``--quotes FILE``, read again for this occurrence (once: the occurrence's
        :func:`read_once`), logged ``quotes`` as live quotes are: the file, the first 12 hex digits of the SHA-256
        of the bytes read (a fetcher that stopped rewriting it repeats it: nothing else tells its age), the symbols
        the occurrence needs that it has, and those it lacks (their checks are skipped, or GC109 where a price
        needs them). Raises :class:`_Unusable` when it cannot be read."""
        name = str(self.settings.quotes)
        try:
            with recording() as seen:
                quotes, problems = load_quotes(name)
        except (OSError, UnicodeDecodeError) as exc:
            raise _Unusable(f"cannot read quotes file {name}: {exc}") from None
        digest = read_digest(seen.state(os.path.realpath(name)))
        needed = quote_symbols(text, path, lint_options, known=quotes)
        self.log(
            "quotes",
            path=name,
            sha256=digest[:12] if digest else None,
            symbols=sorted(s for s in needed if quotes.get(s) is not None),
            missing=sorted(s for s in needed if quotes.get(s) is None),
        )
        return quotes, problems

    def _submit(
        self, client, name, key, occurrence, wire_text, schedule: Schedule, give_up_at, reprice=None
    ) -> OccurrenceResult:
        """Submit through the submission library (:func:`graphc.submit.send_wire`: linted above) with the occurrence's
        run key: it looks for the run's tag at the router (orders since the occurrence) before it sends, and
        reads the graph's mode from the graph (``--live`` is the opt-in it checks). ``give_up_at`` (real time:
        the occurrence's end of catch-up) is checked again right before the request's first byte: the look
        at the router can take minutes, and spec §9 sends nothing once ``t - o > catch_up``. For the same
        reason ``reprice`` prices the graph again when its live quotes are too old once the look ends."""
        try:
            submitted = send_wire(
                wire_text,
                name,
                client=client,
                ledger=self.ledger,
                run_key=key,
                allow_live=self.settings.live,
                window_start=occurrence,
                catch_up_until=give_up_at,
                reprice=reprice,
            )
        except _NotPriced as exc:  # priced again after the look, it no longer lints: nothing was sent
            return exc.result
        except PastCatchUp as exc:  # recorded `absent` in this process's ledger: nothing was sent
            late = schedule.catch_up + timedelta(milliseconds=round(exc.late_s * 1000))
            reason = (
                f"{describe_duration(late)} late when its request was about to leave (after the look at the router "
                f"for an earlier submission), past its catch-up of {describe_duration(schedule.catch_up)}: nothing "
                "was sent"
            )
            return OccurrenceResult(occurrence, key, "missed", EXIT_OK, message=reason)
        except AlreadySubmitted as exc:  # found in this process's record, or at the router by its run tag
            warning = " | ".join(exc.warnings)  # not this run's trade, or more than one graph: say so (exit 0 still)
            return OccurrenceResult(occurrence, key, "already", EXIT_OK, graph_id=exc.graph_id, warning=warning)
        except (UncertainOutcome, PendingUncertain) as exc:  # may have landed: looked for again on the next try
            cause = exc.__cause__ if isinstance(exc.__cause__, UncertainOutcome) else None  # the POST's own failure
            why = str(cause) if cause is not None else "an earlier request of this run may still land"
            if cause is None and self._on_disk and isinstance(exc, PendingUncertain):
                why = str(exc)  # another graphc's attempt in the project's ledger (in flight, or its answer lost)
            message = self._uncertain_text(key, why, Scope.of(client))
            return OccurrenceResult(occurrence, key, "uncertain", EXIT_REMOTE, message=message)
        except GraphFailed as exc:  # created, and not trading (failed, cancelled, paused: exit 1; undocumented: 3)
            warning = exc.warning  # the ledger row's: the run has its graph (a retry finds it)
            return OccurrenceResult(occurrence, key, "submitted", exc.exit_code, graph_id=exc.graph_id, warning=warning)
        except SecondGraph as exc:  # created and recorded, and the run already had another graph: it trades twice
            return OccurrenceResult(
                occurrence,
                key,
                "submitted",
                exc.exit_code,
                graph_id=exc.graph_id,
                message=str(exc),
                warning=exc.warning,
            )
        except GraphNotRecorded as exc:  # created, and the ledger could not record it: its id, never `failed`
            return OccurrenceResult(
                occurrence, key, "submitted", exc.exit_code, graph_id=exc.graph_id, message=str(exc), recorded=False
            )
        except (ApiError, LedgerError) as exc:
            return OccurrenceResult(occurrence, key, "failed", exc.exit_code or EXIT_REMOTE, message=str(exc))
        except Refused as exc:  # a timing setting out of bounds (GRAPHC_LANDING_MARGIN), LIVE without --live: the same
            return OccurrenceResult(occurrence, key, "refused", exc.exit_code, message=exc.message, fatal=True)
        warning = " | ".join(submitted.warnings)  # the look at the router near its budget (the list it reads grows)
        return OccurrenceResult(occurrence, key, "submitted", EXIT_OK, graph_id=submitted.graph_id, warning=warning)

    def _past_catch_up(self, occurrence, key, schedule: Schedule, client) -> OccurrenceResult:
        """The occurrence cannot be sent within catch_up because this process must first wait out its settle.
        A settle longer than catch_up is a setting that can never trade from a fresh process (every `--once`
        from cron or CI is one): exit 2, so the job goes red instead of missing every occurrence quietly."""
        settle = timedelta(seconds=self.settle_s(client))
        message = (
            f"this process must wait {describe_duration(settle)} (its settle: a request an earlier process sent "
            f"may still land) before it may send {key}, which would be past its catch-up of "
            f"{describe_duration(schedule.catch_up)}: nothing was sent"
        )
        if settle > schedule.catch_up:
            message += (
                f"; a process that has just started can never send within a catch-up shorter than its settle: "
                f"give `catch_up` at least {describe_duration(settle)}, or a shorter `--settle` if no earlier "
                "process can have sent this occurrence (docs/recurring.md, Settle)"
            )
            return OccurrenceResult(occurrence, key, "missed", EXIT_USAGE, message=message)
        return OccurrenceResult(occurrence, key, "missed", EXIT_OK, message=message)

    def _settle(self, client, key: str, occurrence: datetime, give_up_at: datetime | None = None) -> float:
        """Before this process first submits a run key its ledger has no record of: wait until a request another
        process sent for it before this one started can no longer land, unless the router already shows it
        (:func:`graphc.submit.settle_left`, which a hand ``graphc submit`` waits out too). Returns the seconds
        waited (0: no wait), or -1 without waiting when the wait would end after ``give_up_at`` (real time: past
        catch_up).

        A process that shares the ledger records its attempt before it sends, so a ledger row of the run says what
        may be in flight (no wait). A process that does not (a predecessor on another machine, a hosted runner's
        previous life, another checkout) cannot be seen: its POST lands, if at all, within the longest call plus the
        landing margin after it was sent, which was before this process started. So absence is only concluded (by
        the library's own look at the router) once that much time has passed since this process started.
        """
        left = settle_left(
            client,
            key,
            occurrence,
            recorded=bool(self.ledger.runs(key, scope=Scope.of(client))),
            started_s=self._started_s,
            settle_s=self.settle_s(client),
        )
        if left <= 0:
            return 0.0
        # timed on the monotonic clock (a wall clock stepped forward must not end it early); the wall clock only says
        # when, for the log and for catch_up (the occurrence's time is a wall-clock time)
        ready_at = datetime.now(UTC) + timedelta(seconds=left)
        if give_up_at is not None and ready_at > give_up_at:
            return -1.0
        self.log("settle", run_key=key, until=_utc_text(ready_at), reason="a request sent before a restart may land")
        began = time.monotonic()
        sleep_until_monotonic(began + left, MAX_SLEEP_S)
        return max(time.monotonic() - began, 1e-9)  # it waited: the caller checks catch_up and prices again

    def settle_s(self, client) -> float:
        """``settle`` seconds if set, else how long a request of ``client`` may still land after it started
        (:func:`graphc.submit.landing_time_s`: the longest call plus the landing margin)."""
        if self.settings.settle_s is not None:
            return self.settings.settle_s

        return landing_time_s(client)

    # -- log fields ----------------------------------------------------------------------------

    @staticmethod
    def _describe(name: str, schedule: Schedule, at: datetime) -> dict:
        return {
            "playbook": name,
            "cron": schedule.cron.text,
            "timezone": schedule.timezone,
            "catch_up_s": schedule.catch_up.total_seconds(),
            "now": _utc_text(at),
        }

    @staticmethod
    def _not_due(schedule: Schedule, due, at: datetime) -> dict:
        fields: dict = {"now": _utc_text(at)}
        if due.latest is not None:
            fields["latest"] = _utc_text(due.latest)
            fields["late_by"] = describe_duration(at - due.latest)
        if due.next is not None:
            fields["next"] = _utc_text(due.next)
            fields["next_local"] = schedule.local(due.next).isoformat()
        return fields


class _NotPriced(Exception):
    """The occurrence priced again after the look at the router cannot be sent: ``result`` says why."""

    def __init__(self, result: OccurrenceResult):
        super().__init__(result.message)
        self.result = result


class _Unusable(Exception):
    """An input the occurrence is made from (graphc.toml, the quotes file) cannot be read or has errors now: the
    occurrence is ``lint_failed`` (nothing sent), tried again while within its catch-up."""


class RunError(Exception):
    """The playbook cannot be run as asked; ``exit_code`` 2 (usage) or 1 (errors in it)."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code


class Restart(RunError):
    """The playbook's ``name:`` or ``schedule:`` changed under a running loop: it stops (exit 2) rather than trade
    under run keys or times it did not plan with."""


def _sha(text: str) -> str:
    """The first 12 hex digits of the SHA-256 of ``text`` (UTF-8), as `playbook_changed` names a version."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _undecided(results) -> str:
    """Why a look at the router left an attempt unsettled, in words that name no ledger (the caller adds what the
    project's ledger does, :meth:`Runner._in_the_ledger`): its request may still land, or the router's order list
    could not be read to its end."""
    now = time.time_ns()
    for result in reversed([r for r in results if r.found is None]):
        lands_by, scan = result.run.lands_by_ns, result.scan
        if lands_by is not None and now < lands_by:
            listed = f" ({scan.detail})" if scan is not None else ""
            return (
                f"nothing carrying its tag is listed yet{listed}, and its request may still reach the router "
                f"until {iso(lands_by)}"
            )
        if scan is not None:
            return f"the look at the router could not finish: {scan.detail}"
    return "an attempt of it is unsettled"


def _look_yourself(tag: str) -> str:
    """How an operator finds an occurrence's graph at the router: by its run tag (a hand submission of it would be
    a second trade if it traded)."""
    return (
        f"To look yourself: orders whose node ids end in `.{tag}` (GET /v1/orders), then `graphc status GRAPH_ID`; "
        "do not submit this occurrence by hand meanwhile: if it traded, that would be a second trade"
    )


def _findings(diagnostics, outcome) -> dict:
    """The ``lint_warnings`` and ``skipped`` fields of an occurrence's event: every finding short of an error of the
    occurrence's lint (its config's and quotes file's too, as ``graphc submit`` shows them), each with its
    ``code``, ``message`` and ``location`` (``file:line:col``), at most MAX_WARNINGS_LOGGED (``more_lint_warnings``
    counts the rest); and the checks it skipped for want of a fact (a quote, a market's tick), counted as the text
    report's summary line counts them, with their codes: a skipped check is never passed (playbook-spec.md §8),
    so a bare `submitted` must not read as a clean lint (audit hosted24 2)."""
    result = outcome.result
    found = [*diagnostics, *(result.diagnostics if result is not None else ())]
    warned = [d for d in found if not d.is_error]
    fields: dict = {
        "lint_warnings": [
            {"code": d.code, "message": d.message, "location": d.location()} for d in warned[:MAX_WARNINGS_LOGGED]
        ]
    }
    if len(warned) > MAX_WARNINGS_LOGGED:
        fields["more_lint_warnings"] = len(warned) - MAX_WARNINGS_LOGGED
    skips = [skip for skip in (result.skipped if result is not None else ()) if not unchecked(skip)]
    fields["skipped"] = {"count": len(skips), "codes": sorted({skip.code for skip in skips})}
    return fields


def _first_lines(diagnostics, limit: int = 5) -> str:
    shown = [f"{d.location()}: {d.code} {d.message}" for d in diagnostics[:limit]]
    more = len(diagnostics) - limit
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _utc_text(t: datetime) -> str:
    t = t.astimezone(UTC)
    return f"{t:%Y-%m-%dT%H:%M:%S}Z" if t.microsecond == 0 else f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"
