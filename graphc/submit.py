"""Plan and submit as a library: what ``graphc plan`` and ``graphc submit`` do, without a command line.

Two steps:

1. :func:`prepare` reads a source (a playbook, a wire graph, a simple order,
   or a plan saved by ``graphc plan -o``), compiles and lints it, and returns a
   :class:`Prepared` graph with every reason ``submit`` would refuse it
   (:attr:`Prepared.problems`). ``plan`` and ``submit`` both start here, so
   whatever submit refuses, plan reports as not ready.
2. :func:`submit_prepared` (or :func:`submit_wire`, for a graph made some other
   way) sends it to a router exactly once per run key, following the protocol
   in docs/submitting.md ("Exactly once"): reconcile earlier attempts, look for
   the run at the router whenever this ledger knows no graph of it, commit
   ``intent`` then ``sent`` before the request leaves, record what became of it.

Nothing here prints or exits: refusals are exceptions carrying an
``exit_code`` (:class:`Refused`, and the :mod:`graphc.api.errors` classes),
and the caller decides how to show them.

For recurring trades (one run per occurrence, recognised at the router
without local state)::

    from graphc.api.runtag import run_tag          # run key -> the tag in its node ids
    from graphc.api.lookup import find_run         # scan GET /v1/orders for a tag
    submitted = submit_prepared(prepared, client=client, ledger=Ledger(":memory:"),
                                run_key="dca@2026-01-05T14:00Z", window_start=occurrence)
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from graphc.api.errors import (
    AlreadySubmitted,
    ApiConnectionError,
    ApiError,
    GraphFailed,
    GraphNotRecorded,
    GraphStatusUndocumented,
    LedgerError,
    NotSentInTime,
    PastCatchUp,
    PendingUncertain,
    RouterCheckIncomplete,
    SecondGraph,
    UncertainOutcome,
    UncertainSubmission,
    error_fields,
    say_interrupted,
)
from graphc.api.errors import interrupted_at as said_when_interrupted
from graphc.api.follow import resume_command
from graphc.api.ledger import (
    CLOCK_SKEW_S,
    Ledger,
    LedgerGone,
    ReconcileResult,
    Run,
    RunStateError,
    Scope,
    default_ledger_path,
    in_flight_refusal,
    iso,
    more_graphs_warning,
)
from graphc.api.lookup import MAX_PAGES, SCAN_BUDGET_S, find_run, node_ids_of, symbols_to_scan
from graphc.api.redact import clean
from graphc.api.runtag import (
    canonical_wire_text,
    content_run_key,
    is_content_run_key,
    run_tag,
    tag_wire,
    untagged_node_id,
)
from graphc.boundary import entry_point
from graphc.config import STRICT_SAID, Config, load_config, project_config, turned_off_text
from graphc.diagnostics import FileResult, has_errors
from graphc.files import find_project_root, option_file_problem, read_source
from graphc.lint import (
    NOT_RENDERED,
    Carried,
    Hidden,
    LintOptions,
    lint_source,
    located_result,
    unreadable_input,
    unset_params,
)
from graphc.numbers import plain
from graphc.pipeline import CompileOptions
from graphc.plan import Plan, PlanError, is_plan_text, load_plan, stale_plan
from graphc.quotes import LiveQuotes, load_quotes, quote_mapping
from graphc.schedule import Due, Schedule, given_clock, read_scheduled, utc_text
from graphc.schedule import run_key as occurrence_run_key
from graphc.stages.emit import to_json
from graphc.vocabulary import GRAPH_STATUSES

__all__ = [
    "DEFAULT_LOOKBACK_S",
    "LANDING_MARGIN_S",
    "MAX_LANDING_MARGIN_S",
    "MAX_LOOKBACK_S",
    "MAX_QUOTE_AGE_S",
    "OUTSIDE_SCHEDULE",
    "Prepared",
    "Problem",
    "Refused",
    "Reprice",
    "Submitted",
    "expired",
    "interrupted_at",
    "interrupted_graph",
    "landing_margin",
    "landing_time_s",
    "ledger_for",
    "lookback",
    "occurrence_window_ns",
    "prepare",
    "rehearsal_clock",
    "send_wire",
    "settle_left",
    "sleep_until_monotonic",
    "submit_prepared",
    "submit_wire",
    "wire_mode",
]

LANDING_MARGIN_S = 120.0  # a request the router received is applied (or dropped) within this time
DEFAULT_LOOKBACK_S = 24 * 3600.0  # where a new run key's window starts (messages); the look reads the whole list
# Upper bounds (docs/robustness.md, "Timing settings"): a larger value is a mistake, refused before anything is
# recorded, never an overflow once the run is in the ledger (it would crash between `intent` and `sent`).
MAX_LANDING_MARGIN_S = 24 * 3600.0  # a router that holds a request for a day is outside what the margin models
MAX_LOOKBACK_S = 366 * 24 * 3600.0  # a year; a yearly job needs no more
EXIT_FINDINGS, EXIT_USAGE = 1, 2
# How old live quotes may be when the look at the router for a run ends; older, the graph is priced again before it is
# sent (:class:`Reprice`). The bound a saved plan's prices have (submit's default --max-age); `graphc run` uses it.
MAX_QUOTE_AGE_S = 60.0
# the way to trade a scheduled playbook when its occurrence is not (or no longer) due (docs/recurring.md, "By hand")
OUTSIDE_SCHEDULE = "to submit it now, outside its schedule, on purpose, give this run a key of its own: --run-key KEY"


class Refused(Exception):
    """Nothing was sent, on purpose; ``exit_code`` 1 for lint errors, 2 for everything else."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.message, self.exit_code = message, exit_code


@dataclass(frozen=True)
class Problem:
    """One reason a prepared graph must not be submitted: ``message`` in a program's words, and ``shown`` in the
    command line's (``plan`` and ``submit`` print a file's diagnostics above it: ``(see above)``)."""

    message: str
    exit_code: int = EXIT_USAGE
    printed: str | None = None  # the command line's words, where they are not the message

    @property
    def shown(self) -> str:
        """What ``graphc plan`` and ``graphc submit`` say of it."""
        return self.printed if self.printed is not None else self.message


@dataclass
class Prepared:
    """A graph read from a source, compiled and linted: what would be sent, and why it would not be."""

    source: str
    name: str  # for people: the playbook's name, else the file's stem
    # the run key: the one given, else a scheduled playbook's due occurrence's (spec §9), else content (hash) and name
    run_key: str
    wire_text: str | None  # canonical wire JSON, without the run tag
    wire: dict | None
    project: Path  # the project whose ledger records the run
    quotes: dict = field(default_factory=dict)
    result: FileResult | None = None  # lint's diagnostics, to show
    extra_results: list[FileResult] = field(default_factory=list)  # quotes and config diagnostics
    problems: list[Problem] = field(default_factory=list)
    plan: Plan | None = None
    schedule: Schedule | None = None  # a scheduled playbook's `schedule:` (no run key given)
    due: Due | None = None  # what its schedule has due at `--now` (or the clock)
    occurrence: datetime | None = None  # the occurrence this run is (its run key's), a saved plan's too
    turned_off: str | None = None  # which checks the project's config turns off (config.turned_off_text)
    # the findings suppression comments hid (a saved plan's: those it records), which would otherwise be reported
    hidden: tuple[Hidden, ...] = ()
    # the real time after which that occurrence may no longer be sent (spec §9; Schedule.catch_up_until)
    catch_up_until: datetime | None = None
    # the rehearsal clock it was prepared at: ``now=`` (--now), or a saved plan's --now; None: the real clock. A LIVE
    # graph is never sent so (:func:`rehearsal_clock`)
    clock: datetime | None = None
    # a simple order, or a saved plan of one: its graph is the order's wrapped node, linted as the order is
    simple_order: bool = False
    # what is worth saying that stops nothing: the --set/--params a wire graph or simple order does not take
    notes: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems

    @property
    def live(self) -> bool:
        return self.wire is not None and self.wire.get("is_sandbox") is False

    def clock_named(self, option: str) -> str:
        """Where :attr:`clock` was given, for a message: ``option`` (``--now``, ``now=``), or a saved plan's."""
        return "the saved plan's --now" if self.plan is not None else option

    @property
    def priced_at(self) -> datetime | None:
        """When the prices it was valued with were read: a saved plan's ``created_at``, or the reading of live
        quotes (``--quotes live``: :attr:`graphc.quotes.LiveQuotes.read_at`); None when they do not age here (a
        snapshot file, or no quotes)."""
        if self.plan is not None:
            return self.plan.created_at
        return getattr(self.quotes, "read_at", None)


@dataclass(frozen=True)
class Reprice:
    """How to price a graph again with quotes read now, for a graph priced from live quotes (docs/recurring.md,
    "Live quotes"): the look at the router for its run can take minutes, and the graph must not leave priced from
    a market that moved meanwhile.

    ``again(age_s)`` reads the quotes again and renders, compiles and lints the graph again, returning its wire
    text; it raises :class:`Refused` (exit 1) when the graph no longer lints, as lint would. ``read_at`` is the
    ``time.monotonic()`` at which the quotes the graph was priced with were read, ``max_age_s`` their bound."""

    again: Callable[[float], str]
    read_at: float
    max_age_s: float = MAX_QUOTE_AGE_S

    def __post_init__(self) -> None:
        check_seconds("max_age_s", self.max_age_s)  # NaN would never price the graph again


@dataclass
class Submitted:
    """A submission the router accepted, recorded in the ledger."""

    run: Run
    graph_id: str
    response: dict
    reconciled: list[ReconcileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def landing_margin() -> float:
    """``GRAPHC_LANDING_MARGIN`` (seconds) or :data:`LANDING_MARGIN_S`; shortening it is for rehearsals."""
    return _seconds_from_env("GRAPHC_LANDING_MARGIN", LANDING_MARGIN_S, MAX_LANDING_MARGIN_S)


def lookback() -> float:
    """``GRAPHC_LOOKBACK`` (seconds; 0 turns the router check off) or :data:`DEFAULT_LOOKBACK_S`."""
    return _seconds_from_env("GRAPHC_LOOKBACK", DEFAULT_LOOKBACK_S, MAX_LOOKBACK_S)


def _seconds_from_env(name: str, default: float, maximum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise Refused(f"{name}={raw!r} is not a number of seconds") from None
    if not value >= 0:
        raise Refused(f"{name} must be 0 or more seconds")
    check_seconds(name, value, maximum)
    return value


def check_seconds(name: str, value: float, maximum: float | None = None) -> None:
    """Refuse (exit 2) a timing setting that is not a number of seconds from 0 to its documented maximum: NaN (every
    comparison with it is false, so the check it feeds would be off, or a wait crash: audit recur23 4), a negative
    number, and one above the maximum (``inf`` included), or without one ``inf``."""
    if value != value:
        raise Refused(f"{name} must be a finite number of seconds, not {value}")
    if value < 0:
        raise Refused(f"{name} must be 0 or more seconds, not {value:g}")
    if maximum is not None and not value <= maximum:
        raise Refused(f"{name} must be at most {maximum:.0f} seconds ({_days(maximum)}); it is {value:g}")
    if value == math.inf:
        raise Refused(f"{name} must be a finite number of seconds, not {value}")


def _days(seconds: float) -> str:
    return f"{seconds / 86400:g} day" + ("" if seconds == 86400 else "s")


# -- 1. prepare ---------------------------------------------------------------------------


def compile_options_for(
    config: Config,
    *,
    params: Mapping[str, str] | None = None,
    params_file: str | None = None,
    now: datetime | None = None,
    schedule: Schedule | None = None,
    quotes: dict | None = None,
    require_quotes: bool = True,
    project_root: str | None = None,
    live_quotes: bool = False,
    params_text: str | None = None,
) -> CompileOptions:
    """The compile options of a graph to be sent: :func:`prepare` (``graphc submit``, ``graphc plan``), each
    occurrence of ``graphc run`` and of a hosted bundle (:class:`graphc.run.Runner`), the loop's first check, and
    ``graphc bundle``'s checks of the occurrences all build them here, so that they render, price and check a
    playbook as ``graphc compile`` and ``graphc lint`` do: with the market facts of the project's config
    (``config``: ``[markets.*]``, ``[venues.*]``; spec §3.3, one resolver), the params as text, and ``now``. With
    ``schedule``, ``now`` is an occurrence of it, and ``today`` is its date in the schedule's timezone (spec §9).
    ``params_text``: the text of ``params_file``, read once by the caller (the operator's pipe gives it once), which
    the compile renders with instead of reading the file (:attr:`graphc.pipeline.CompileOptions.params_text`)."""
    return CompileOptions(
        quotes=quotes,  # as given: live quotes (graphc.quotes.LiveQuotes) keep when they were read
        params=dict(params or {}),
        params_file=params_file,
        params_text=params_text if params_file is not None else None,
        now=now,
        today=schedule.today(now) if schedule is not None and now is not None else None,
        require_quotes=require_quotes,
        project_root=project_root,
        market_config=config.market_config,  # compile and lint read the same market facts (spec §3.3)
        live_quotes=live_quotes,
    )


@entry_point
def prepare(
    source,
    *,
    quotes_path=None,
    params: dict | None = None,
    params_file=None,
    now: datetime | None = None,
    max_age_s: float = MAX_QUOTE_AGE_S,
    text: str | None = None,
    quotes: Mapping | None = None,
    run_key: str | None = None,
    params_text: str | None = None,
) -> Prepared:
    """Read, compile and lint ``source`` into a :class:`Prepared` graph.

    ``quotes`` is used instead of a snapshot file at ``quotes_path``: ``{symbol: Quote}`` (e.g. read from the
    router: ``--quotes live``), or the mapping the compile and lint functions take (``{symbol: {bid, ask, ...}}``,
    :func:`graphc.quotes.quote_mapping`; a bad value raises ``ValueError``, a float ``TypeError``).

    The run key is ``run_key`` when given. Otherwise a playbook with a ``schedule:`` is its occurrence due at
    ``now`` (else the clock), decided as ``graphc run`` decides it (:attr:`graphc.schedule.Due.occurrence`):
    rendered with ``now`` = the occurrence and ``today`` = its local date, under the occurrence's run key
    (spec §9), so a hand submission and the runner find each other's graph; nothing due is a :class:`Problem`
    (exit 2). The real time its catch-up ends (:meth:`graphc.schedule.Schedule.catch_up_until`, from the time
    it was decided) is :attr:`Prepared.catch_up_until`, which :func:`submit_prepared` holds the request to. Any other source's run key is its content (:func:`graphc.api.runtag.content_run_key`).

    ``now`` is a timezone-aware datetime, read as the same instant in UTC as ``--now`` is
    (:func:`graphc.schedule.given_clock`: a naive one is a TypeError).

    ``params_text`` is the text of ``params_file`` when the caller has read it already (``graphc plan`` and
    ``graphc submit`` read it once, so a pipe, ``--params <(make-params)``, gives every compile of the command the
    same values); without it the file is read here.

    Raises :class:`Refused` (exit 2) only when there is nothing to look at (an
    unreadable file or quotes snapshot); every other reason not to submit is a
    :class:`Problem` in the result, so ``plan`` can show them all.
    """
    path = str(source)
    check_seconds("max_age_s", max_age_s)  # NaN or infinity: a stale plan or stale quotes would never be refused
    run_key = run_key or None  # an empty --run-key names no run: the default one
    now = given_clock(now)  # the instant in UTC, as --now reads it (a naive datetime: TypeError)
    if text is None:
        try:
            text = read_source(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            raise Refused(f"cannot read {path}: {reason}") from None
    if is_plan_text(text):
        given = quotes_path if quotes_path is not None else quotes  # live quotes for no symbol are {}: given too
        return _prepare_plan(path, text, max_age_s, given, params, params_file, now, run_key)
    params_given = (params_file, params_text if params_file is not None else None)
    return _prepare_source(path, text, quotes_path, quotes, params or {}, params_given, now, run_key)


def _prepare_plan(path, text, max_age_s, quotes_path, params, params_file, now, run_key) -> Prepared:
    try:
        plan = load_plan(text, path, max_age_s=math.inf)  # a stale plan is still shown (plan), then refused
    except PlanError as exc:
        raise Refused(str(exc)) from None
    project = Path(plan.project) if plan.project else find_project_root(path)
    quotes = plan.quotes or {}  # the quotes it was valued with (a plan from before plans kept them: none)
    prepared = Prepared(path, plan.name, run_key or plan.run_key or "", None, None, project, quotes=quotes, plan=plan)
    prepared.clock = _planned_at(plan)
    if run_key is None:
        prepared.occurrence = plan.occurrence  # a scheduled playbook's occurrence, planned (None: any other run)
        prepared.catch_up_until = plan.catch_up_until  # its catch-up, decided when it was planned (older plans: None)
    stale = stale_plan(plan, max_age_s)
    if stale is not None:
        prepared.problems.append(Problem(stale))
    given = [
        opt
        for opt, value in (
            ("--quotes", quotes_path is not None),  # a file, or live quotes (audit plan20 7: {} passed silently)
            ("--set", params),
            ("--params", params_file),
            ("--now", now),
        )
        if value
    ]
    if given:
        prepared.problems.append(
            Problem(
                f"{path} is a saved plan: its graph was compiled with the inputs it records, so "
                f"{', '.join(given)} cannot change it; make a new plan with them (`graphc plan ... -o PLAN`)"
            )
        )
    if plan.project and not os.path.isdir(project):
        # its graphc.toml (rule levels, market facts) is gone with it: another config would not lint it as planned
        prepared.problems.append(
            Problem(
                f"{path} was planned in the project {plan.project}, which is gone (no such folder): the plan is "
                "linted again with that project's graphc.toml, which cannot be read, and no other; plan the "
                "playbook again in its project"
            )
        )
        return prepared
    # the config of the project it records (whose ledger records the run), not of the folder the plan file is in:
    # `plan -o /tmp/p.json` and `submit /tmp/p.json` give one verdict (audit plan20 5)
    config, config_diagnostics = project_config(project)
    _config_problems(prepared, config_diagnostics)  # a plan is linted again with the config, which must be read
    # the config's market settings and the plan's quotes, so a saved plan is checked against the facts and prices it
    # was compiled with (spec §3.3): its notional checks (GC501, GC503) run as they ran when it was planned; and the
    # suppressions it records, which its JSON cannot hold as comments (audit rules23 1)
    compile_options = CompileOptions(quotes=quotes, market_config=config.market_config)
    options = LintOptions(compile=compile_options, config=config, carried=plan.suppressed)
    outcome = lint_source(plan.wire_text, f"{path}#wire", options, explicit=True, simple_order=plan.simple_order)
    prepared.simple_order = plan.simple_order
    _finish(prepared, outcome, plan.wire_text, strict=config.strict)
    prepared.turned_off = turned_off_text(config)
    prepared.hidden = outcome.hidden
    if not prepared.run_key and prepared.wire_text is not None:
        prepared.run_key = content_run_key(plan.name, prepared.wire_text)
    return prepared


def _planned_at(plan: Plan) -> datetime | None:
    """The rehearsal clock a saved plan was made at (its inputs' ``now``: `graphc plan --now`), or None (the real
    clock). The plan's hash covers it, so graphc wrote it; one that is not a time is taken as a clock given."""
    given = (plan.inputs or {}).get("now")
    if given is None:
        return None
    try:
        return given_clock(datetime.fromisoformat(given))
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)


def _prepare_source(path, text, quotes_path, given_quotes, params, params_given, now, run_key) -> Prepared:
    given_now = now  # the rehearsal clock given (``now`` becomes a scheduled playbook's occurrence below)
    if given_quotes is not None and not isinstance(given_quotes, LiveQuotes):  # (read from the router: as they are)
        given_quotes = quote_mapping(given_quotes)  # the mapping the compile and lint functions take (docs/api.md)
    quotes: dict = {} if given_quotes is None else given_quotes
    quote_diagnostics: list = []
    if quotes_path is not None and given_quotes is None:
        try:
            quotes, quote_diagnostics = load_quotes(quotes_path)
        except (OSError, UnicodeDecodeError) as exc:
            raise Refused(f"cannot read quotes file {quotes_path}: {getattr(exc, 'strerror', None) or exc}") from None
    params_file, params_text = params_given  # (the text: read by the caller already, once)
    problem = None if params_file is None or params_text is not None else option_file_problem("params", params_file)
    if problem is not None:  # unreadable input: exit 2, as for the quotes (spec §8)
        raise Refused(problem)
    config, config_diagnostics = load_config(path)
    decided_real = datetime.now(UTC)  # when (on the wall clock) the occurrence was decided: catch-up counts from it
    scheduled, due = _due(path, text, now, run_key, decided_real)
    schedule = scheduled.schedule if scheduled is not None else None
    compile_options = _source_options(config, params, params_given, now, schedule, due, quotes)
    given = quotes_path is not None or given_quotes is not None
    options = LintOptions(compile=compile_options, quotes_given=given, config=config, require_quotes=True)
    outcome = lint_source(text, path, options, explicit=True)
    name = outcome.name or Path(path).stem or "graph"
    prepared = Prepared(
        path, name, "", None, None, find_project_root(path), quotes=quotes, clock=given_now, simple_order=outcome.simple
    )
    if (params or params_file) and (outcome.is_wire_input or outcome.simple):  # never silently (audit params25 5)
        options_given = [option for option, value in (("--set", params), ("--params", params_file)) if value]
        what = "a simple order" if outcome.simple else "a wire graph"
        prepared.notes.append(
            f"{' and '.join(options_given)} {'do' if len(options_given) > 1 else 'does'} not apply to {what}, whose "
            f"values are written in it: {path} is taken as it is"
        )
    if quote_diagnostics:
        prepared.extra_results.append(located_result(quote_diagnostics))
        if has_errors(quote_diagnostics):
            prepared.problems.append(_file_has_errors(quote_diagnostics[0].path))
    _config_problems(prepared, config_diagnostics)
    # Sent as lint read it, in compile's one layout: a playbook's compiled graph, or a wire file or
    # simple order without its comments and YAML form (the router reads JSON, and only what lint checked).
    wire_text = None if outcome.wire is None else to_json(outcome.wire)
    _finish(prepared, outcome, wire_text, strict=config.strict)
    prepared.turned_off = turned_off_text(config)
    prepared.hidden = outcome.hidden
    if run_key is not None:
        prepared.run_key = run_key
    elif scheduled is not None and schedule is not None and due is not None:
        prepared.schedule, prepared.due, prepared.occurrence = schedule, due, due.occurrence
        if due.occurrence is not None:
            prepared.run_key = occurrence_run_key(scheduled.run_name, due.occurrence)
            prepared.catch_up_until = schedule.catch_up_until(due.occurrence, due.at, decided_real)
        else:
            prepared.problems.append(Problem(_not_due(path, schedule, due)))
    elif prepared.wire_text is not None:
        # the content names the run; a wire file has no name, so two files with the same graph are one run
        prepared.run_key = content_run_key(outcome.name or "graph", prepared.wire_text)
    return prepared


def _due(path: str, text: str, now: datetime | None, run_key: str | None, decided_real: datetime):
    """``(scheduled, due)``: a scheduled playbook read as ``graphc run`` reads it, and what its schedule has due at
    ``now`` (else ``decided_real``); ``(None, None)`` for any other source, or when ``run_key`` names a run of its
    own."""
    scheduled = read_scheduled(path, text) if run_key is None else None  # the reader `graphc run` uses
    if scheduled is None or scheduled.schedule is None:
        return scheduled, None
    return scheduled, scheduled.schedule.due_at(now or decided_real)


def _source_options(config, params, params_given, now, schedule, due, quotes=None) -> CompileOptions:
    """A source's compile options (:func:`compile_options_for`): a scheduled playbook's due occurrence is rendered
    as ``graphc run`` renders it, ``now`` the occurrence and ``today`` its local date (spec §9). ``params_given``:
    ``(params_file, its text or None)``."""
    occurrence = due.occurrence if due is not None else None
    params_file, params_text = params_given
    return compile_options_for(
        config,
        params=params,
        params_file=params_file,
        params_text=params_text,
        now=occurrence or now,
        schedule=schedule if occurrence is not None else None,
        quotes=quotes,
    )


def quote_options(source, *, params=None, params_file=None, now=None, run_key=None, params_text=None) -> CompileOptions:
    """The compile options :func:`prepare` renders ``source`` with, without quotes: ``--quotes live`` asks the
    router for the symbols the graph renders with them, so a scheduled playbook's are its occurrence's (a symbol
    that depends on ``now`` was asked for at ``--now``, and the occurrence's was GC109). A source that cannot be
    read is left to :func:`prepare`, which says so. ``params_text``: as :func:`prepare` takes it (the same text
    for both, or a pipe would give its values to this compile only)."""
    path = str(source)
    config, _ = load_config(path)
    try:
        scheduled, due = _due(path, read_source(path), given_clock(now), run_key or None, datetime.now(UTC))
    except (OSError, UnicodeDecodeError):
        scheduled, due = None, None
    schedule = scheduled.schedule if scheduled is not None else None
    given = (params_file, params_text if params_file is not None else None)
    return _source_options(config, params or {}, given, now, schedule, due)


def expired(prepared: Prepared, max_age_s: float, now: datetime | None = None) -> str | None:
    """Why ``prepared``, ready when it was prepared, may no longer be sent at ``now`` (default: the clock), or
    None: a saved plan older than ``max_age_s`` (:func:`graphc.plan.stale_plan`), live quotes read longer ago than
    that, or a scheduled occurrence past its catch-up (spec §9). For a caller that waited between :func:`prepare`
    and :func:`submit_prepared`, a person's confirmation above all: the time a prompt waits makes the prices it
    shows no younger (audit plan20 1). The caller refuses (exit 2) with these words; nothing was sent."""
    now = now or datetime.now(UTC)
    if prepared.plan is not None:
        stale = stale_plan(prepared.plan, max_age_s, now)
        if stale is not None:
            return f"{stale}; nothing was sent"
    elif prepared.priced_at is not None:
        age = (now - prepared.priced_at).total_seconds()
        if age > max_age_s:
            return (
                f"the live quotes {prepared.name} was valued with were read {age:.0f} s ago, longer than --max-age "
                f"{max_age_s:g} s: its prices may be stale; nothing was sent. Submit it again (its quotes are read "
                "again), or give a larger --max-age"
            )
    if prepared.catch_up_until is not None and now > prepared.catch_up_until:
        late = (now - prepared.catch_up_until).total_seconds()
        return (
            f"run {prepared.run_key!r}: the catch-up of its occurrence ended at "
            f"{iso(int(prepared.catch_up_until.timestamp() * 1e9))} "
            f"({late:.0f} s ago); nothing was sent. The occurrence is no longer due (spec §9: only while within "
            f"its catch-up); {OUTSIDE_SCHEDULE}"
        )
    return None


def _not_due(path: str, schedule: Schedule, due: Due) -> str:
    """Why a scheduled playbook is not submitted now, and the two ways on (docs/recurring.md, "By hand")."""
    return (
        f"{path} has a `schedule:` and no occurrence of it is due at {utc_text(due.at)}: "
        f"{schedule.not_due_text(due)}. `graphc run` submits each occurrence when it is due, once (`graphc "
        f"schedule {path}` lists them); {OUTSIDE_SCHEDULE}"
    )


def _config_problems(prepared: Prepared, diagnostics: list) -> None:
    """The problems of the project's graphc.toml, shown as `graphc lint` shows them (:func:`located_result`: at
    their line there, with its snippet); an error among them refuses the graph (exit 1): a config that cannot be
    read may be turning a check off or on, so the graph is not sent as if it said nothing."""
    if diagnostics:
        prepared.extra_results.append(located_result(diagnostics))
        if has_errors(diagnostics):
            prepared.problems.append(_file_has_errors(diagnostics[0].path))


def _file_has_errors(path: str) -> Problem:
    """The problem of a quotes snapshot or graphc.toml with errors (exit 1): its diagnostics are in
    :attr:`Prepared.extra_results`, which the command line prints above it."""
    said = f"{path} has errors"
    return Problem(
        f"{said} (its diagnostics are in the prepared graph's extra_results)", EXIT_FINDINGS, f"{said} (see above)"
    )


def _finish(prepared: Prepared, outcome, wire_text: str | None, *, strict: bool = False) -> None:
    """Lint's verdict and the sandbox question, as problems (``strict``: the project's ``strict = true`` made its
    warnings errors, which the refusal says)."""
    prepared.result = outcome.result
    if outcome.result is None:
        prepared.problems.append(Problem(f"{prepared.source} is not a playbook, a wire graph or a simple order"))
        return
    unrendered = [skip for skip in outcome.result.skipped if skip.code == NOT_RENDERED]
    if wire_text is None and unrendered and not outcome.has_errors:  # a `use:` template whose params have no value
        prepared.problems.append(
            Problem(
                f"{prepared.source} is a `use:` template, not rendered on its own: {unset_params(unrendered[0])}; "
                "give them with --set NAME=VALUE or --params FILE, or submit a playbook that uses it"
            )
        )
        return
    # input that could not be read as text (a `use:` template that is not UTF-8: GC112) exits 2, as lint's (spec §8)
    code = EXIT_USAGE if unreadable_input(outcome.result) else EXIT_FINDINGS
    if outcome.refusal is not None:  # an input error the config demoted: no graph (docs/submitting.md)
        prepared.problems.append(Problem(outcome.refusal, code))
        return
    if outcome.has_errors or wire_text is None:
        why = f" ({STRICT_SAID})" if strict and outcome.has_errors else ""
        prepared.problems.append(Problem(f"lint found errors{why}; fix them and submit again", code))
        return
    prepared.wire_text = wire_text
    prepared.wire = json.loads(wire_text, parse_float=Decimal)
    if not isinstance(prepared.wire.get("is_sandbox"), bool):
        prepared.problems.append(Problem(_mode_unsaid(prepared.name)))


def _mode_unsaid(name: str) -> str:
    return (
        f"{name} does not say whether it is a sandbox graph (no `is_sandbox`), so the router's "
        'default would decide; add `"is_sandbox": true` (or `false` together with --live)'
    )


def wire_mode(wire, name: str, *, allow_live: bool, opt_in: str = "pass --live") -> bool:
    """Whether the wire graph ``wire`` (its JSON text, or the parsed graph) trades LIVE, read from the graph itself,
    and the double opt-in (playbook-spec §2, ``sandbox``): the one check of it, for the command line and the library.

    A graph whose ``is_sandbox`` is not true or false (absent: the router's default would decide) is refused, and so
    is a LIVE one (``"is_sandbox": false``) unless ``allow_live`` (``--live``; ``opt_in`` says how to give it).
    Raises :class:`Refused` (exit 2): nothing is recorded or sent."""
    if isinstance(wire, str):
        try:
            wire = json.loads(wire)
        except ValueError as exc:
            raise Refused(f"{name} is not a wire graph: its text is not JSON ({exc})") from None
    is_sandbox = wire.get("is_sandbox") if isinstance(wire, dict) else None
    if not isinstance(is_sandbox, bool):
        raise Refused(_mode_unsaid(name))
    if not is_sandbox and not allow_live:
        raise Refused(f"{name} is a LIVE graph (`sandbox: false`); {opt_in} to trade it for real")
    return not is_sandbox


def rehearsal_clock(allow_live: bool, clock: datetime | None, *, given: str, opt_in: str) -> None:
    """The rehearsal clock is for rehearsals (audit live23 O2): a run that may trade LIVE (``allow_live``: --live,
    ``GRAPHC_LIVE=1``, ``allow_live=True``; ``opt_in`` names it) at a clock given (``clock``, not None: --now,
    ``GRAPHC_NOW``, ``now=``, a saved plan's --now; ``given`` names it) is refused, :class:`Refused` exit 2, nothing
    recorded or sent: a LIVE trade is made at the real time, never as the occurrence of another time (one long past
    its catch-up), whatever the graph says. The one check, for ``graphc submit``, ``graphc run``, a bundle and the
    library."""
    if allow_live and clock is not None:
        raise Refused(
            f"the rehearsal clock ({given}) at {clock.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ} is for rehearsals: it is "
            f"refused with {opt_in}, since a LIVE graph trades at the real time; nothing was sent. To send a missed "
            "occurrence LIVE, use `graphc submit PLAYBOOK --live` without --now: it sends the occurrence due now, "
            "while within its catch-up (outside it, --run-key KEY makes a run of its own)"
        )


# -- 2. submit -----------------------------------------------------------------------------


@entry_point
def submit_prepared(
    prepared: Prepared,
    *,
    client,
    ledger: Ledger,
    run_key: str | None = None,
    allow_live: bool = False,
    force: bool = False,
    lookback_s: float | None = None,
    window_start: datetime | None = None,
    landing_margin_s: float | None = None,
    catch_up_until: datetime | None = None,
    reprice: Reprice | None = None,
) -> Submitted:
    """Submit a prepared graph once for its run key (see :func:`submit_wire`).

    Refuses (:class:`Refused`) a graph with problems, and a live graph unless
    ``allow_live`` (the caller has asked the person, or was told ``--yes``).

    Under its prepared run key (``run_key`` None or the same), a scheduled occurrence is sent as ``graphc run``
    sends it: looked for at the router from its time on, and held to its catch-up until the request's first
    byte (``window_start`` and ``catch_up_until`` default to the prepared :attr:`Prepared.occurrence` and
    :attr:`Prepared.catch_up_until`). Under another run key it is a run of its own, outside the schedule.
    """
    if prepared.problems:
        first = prepared.problems[0]
        raise Refused(first.message, first.exit_code)
    rehearsal_clock(allow_live, prepared.clock, given=prepared.clock_named("now="), opt_in="allow_live=True")
    if lookback_s is not None:
        check_seconds("the look-back", lookback_s, MAX_LOOKBACK_S)
    if landing_margin_s is not None:
        check_seconds("the landing margin", landing_margin_s, MAX_LANDING_MARGIN_S)
    assert prepared.wire_text is not None
    if run_key in (None, prepared.run_key):  # the prepared run: a scheduled occurrence's, sent as `graphc run` does
        window_start = window_start or prepared.occurrence  # looked for at the router from its time on
        catch_up_until = catch_up_until or prepared.catch_up_until  # and not sent once past its catch-up (spec §9)
    return send_wire(
        prepared.wire_text,
        prepared.name,
        client=client,
        ledger=ledger,
        run_key=run_key or prepared.run_key,
        allow_live=allow_live,
        force=force,
        lookback_s=lookback_s,
        window_start=window_start,
        landing_margin_s=landing_margin_s,
        catch_up_until=catch_up_until,
        reprice=reprice,
    )


@entry_point
def submit_wire(
    wire_text: str,
    name: str,
    *,
    client,
    ledger: Ledger,
    run_key: str,
    allow_live: bool = False,
    force: bool = False,
    lookback_s: float | None = None,
    window_start: datetime | None = None,
    landing_margin_s: float | None = None,
    catch_up_until: datetime | None = None,
    reprice: Reprice | None = None,
) -> Submitted:
    """POST a wire graph at most once per ``run_key`` at this router and account, if it lints.

    First it is read and linted as ``graphc submit`` reads and lints a wire file (:func:`prepare` of the text,
    named ``name``, in the project of the working directory: its graphc.toml, no quotes): every reason the command
    would refuse it (lint errors: exit 1, with each one named in the message; no ``is_sandbox``) is :class:`Refused`,
    and nothing is looked for, recorded or sent. So the library and the command send the same graphs. Then
    (:func:`send_wire`):

    0. The graph says whether it trades LIVE (``"is_sandbox": false``) or not, and the
       ledger records what it says: a LIVE graph is refused (:class:`Refused`, exit 2)
       unless ``allow_live``, and so is one that does not say (:func:`wire_mode`).
    1. Earlier unresolved attempts of the run key are reconciled; one that stays
       unresolved refuses (``PendingUncertain``, exit 3).
    2. A run key that already has a graph refuses (``AlreadySubmitted``, exit 2)
       unless ``force``, after one look at the router for other graphs carrying
       its tag (:meth:`Ledger.look_for_duplicates`; skipped as step 3's look is):
       a second trade is named in its ``warnings``, and so is a look that could
       not be done.
    3. A run key this ledger knows no graph of (never tried here, or only
       ``absent`` attempts: those prove that *our* requests created nothing, not
       that no other runner or clone submitted it since) is looked for at the
       router (its tag, among every order listed: :func:`graphc.api.lookup.find_run`;
       ``lookback_s`` 0 skips it): found, it is recorded and refused as
       a duplicate; a scan that cannot finish refuses (``RouterCheckIncomplete``).
       A forced submission is not looked for: it is a new trade on purpose, with
       a tag of its own (:meth:`Ledger.begin`).
    4. ``intent``, then ``sent`` (with the time after which the request can no
       longer land), then the POST of the graph with the run tag in its node
       ids, then ``confirmed``, ``absent`` (a definite refusal: the error is
       raised) or ``uncertain`` (``UncertainSubmission`` is raised).

    ``reprice`` (a graph priced from live quotes): when the look at the router (step 3) ends more than its
    ``max_age_s`` after the quotes were read, the graph is priced again with quotes read then (:class:`Reprice`),
    and that graph is sent: the run key and the look's proof are about the run, not its content, whatever legs it
    now has. A graph priced again that does not lint, or is of another mode, is refused (nothing sent), and so is
    one with other legs under a run key that is the content of the graph looked for (:func:`content_run_key`).

    ``catch_up_until`` (a wall-clock time; ``graphc run`` gives an occurrence's time + its catch_up, spec §9) is
    checked with ``lands_by``'s send-by time, right before the request's first byte is written (after the look at
    the router, which may take minutes): later, nothing is sent, the attempt is recorded ``absent`` as too late,
    and :class:`PastCatchUp` is raised. Between that check and the first byte (microseconds, unless the process
    is suspended right then) it is not checked again (docs/recurring.md, "Late").

    The graph id is always either returned or in the raised error: if the
    ledger cannot record an accepted graph, ``GraphNotRecorded`` carries it.
    """
    prepared = prepare(name, text=wire_text, run_key=run_key)  # as `graphc submit FILE` reads and lints it
    if prepared.problems:
        raise _refusal(prepared)
    return send_wire(
        wire_text,
        name,
        client=client,
        ledger=ledger,
        run_key=run_key,
        allow_live=allow_live,
        force=force,
        lookback_s=lookback_s,
        window_start=window_start,
        landing_margin_s=landing_margin_s,
        catch_up_until=catch_up_until,
        reprice=reprice,
    )


def _refusal(prepared: Prepared) -> Refused:
    """The first reason ``prepared`` is not sent, with the errors lint found, each on a line of its own (a library
    prints nothing: the message is where they are said)."""
    first = prepared.problems[0]
    errors = [d.headline() for result in diagnostics_of(prepared) for d in result.diagnostics if d.is_error]
    return Refused("\n  ".join([first.message, *errors]), first.exit_code)


def send_wire(
    wire_text: str,
    name: str,
    *,
    client,
    ledger: Ledger,
    run_key: str,
    allow_live: bool = False,
    force: bool = False,
    lookback_s: float | None = None,
    window_start: datetime | None = None,
    landing_margin_s: float | None = None,
    catch_up_until: datetime | None = None,
    reprice: Reprice | None = None,
) -> Submitted:
    """:func:`submit_wire`'s steps 0-4, for a graph linted already: :func:`submit_prepared`'s (:func:`prepare` linted
    it) and ``graphc run``'s (its occurrence's lint, with the run's quotes)."""
    live = wire_mode(wire_text, name, allow_live=allow_live, opt_in="pass allow_live=True (the command line's --live)")
    try:
        canonical = canonical_wire_text(wire_text)  # what is sent, with the run tag in its node ids
    except ValueError as exc:
        raise Refused(f"{name} is not a wire graph: {exc}") from None
    scope = Scope.of(client)
    margin = landing_margin() if landing_margin_s is None else landing_margin_s
    reconciled = [ledger.reconcile(r.id, client) for r in ledger.pending(run_key, scope)]
    unresolved = ledger.pending(run_key, scope)
    if unresolved:
        # another graphc's attempt in flight is refused in Ledger.begin's words, whichever look found it (audit
        # ops19 6: reconcile's message, which names the run for `graphc ledger --reconcile`, named it twice here)
        detail = in_flight_refusal(unresolved[0], time.time_ns()) or next(
            (r.message for r in reversed(reconciled) if r.run.id == unresolved[0].id), ""
        )
        raise PendingUncertain(run_key, unresolved[0].id, detail or f"state {unresolved[0].state}")
    earlier = ledger.runs(run_key, scope=scope)
    done = [r for r in earlier if r.graph_id]
    if done and not force:
        found = done[0]
        warnings = _found_warnings(run_key, found.graph_id or "", wire_text, live, recorded=found)
        if window_start is not None or (lookback() if lookback_s is None else lookback_s) > 0:
            warnings += _second_graphs(ledger, client, found, wire_text)
        raise AlreadySubmitted(run_key, found.graph_id or "", found.id, list(dict.fromkeys(warnings)))
    noted: list[str] = []  # what the look at the router says of itself (a scan near its budget)
    if not force:  # no graph known here (`done` is empty): the run may have been submitted elsewhere meanwhile
        noted = _look_at_the_router(
            ledger,
            client,
            scope,
            run_key,
            name,
            lookback_s,
            window_start,
            tried=bool(earlier),
            wanted=(wire_text, live),
        )
    if reprice is not None and (age := time.monotonic() - reprice.read_at) > reprice.max_age_s:
        wire_text, canonical = _priced_again(wire_text, name, run_key, live, reprice, age)
    run = ledger.begin(scope, run_key, name, live, wire_for=lambda tag: tag_wire(canonical, tag).encode(), force=force)
    body = run.wire or b""
    lands_by = time.time_ns() + int(landing_time_s(client, margin) * 1e9)
    ledger.mark_sent(run.id, lands_by)
    # The request must leave early enough to land by `lands_by` whatever happens after its first byte (the attempt's
    # deadline, then the margin): checked again right before that byte is written, so a process held up here
    # (suspended, waiting for the ledger, slow name resolution) sends nothing rather than a request that could land
    # after another process proved the run absent (docs/submitting.md, "What graphc cannot prove").
    send_by = lands_by - int((client.deadline + margin) * 1e9)
    # A scheduled occurrence must also leave within its catch-up (spec §9), however long the look at the router
    # above took: the same check, at the same last moment, against whichever time comes first.
    catch_up_ns = None if catch_up_until is None else int(catch_up_until.timestamp() * 1e9)
    submitted = _post(ledger, client, run, body, name, margin, reconciled, send_by, lands_by, catch_up_ns)
    submitted.warnings.extend(noted)
    return submitted


def _second_graphs(ledger: Ledger, client, found: Run, wire_text: str) -> list[str]:
    """What one look at the router says of other graphs carrying the tag of ``found``, the run's recorded graph
    (:meth:`Ledger.look_for_duplicates`): the WARNING naming them (a second trade, which two clones of a project,
    each with its ledger, make when both send the run at once), or that the look could not be done. The refusal
    stands either way: the run has its graph."""
    check = ledger.look_for_duplicates(found.id, client, wire_text=wire_text)
    said = [check.warning] if check.warning else []
    if not check.done:
        again = ": `graphc ledger --reconcile` looks again" if found.tag else ""  # untagged: no look can be done
        said.append(f"{check.message}; the run is refused all the same (it has its graph, {found.graph_id}){again}")
    return said


def _priced_again(wire_text: str, name: str, run_key: str, live: bool, reprice: Reprice, age: float) -> tuple[str, str]:
    """The graph priced again with quotes read now (:class:`Reprice`), and its canonical text; :class:`Refused` when
    it does not lint, is of another mode, or has other legs under a run key that is the content of the graph looked
    for (a hand submission's default key: another graph is another run). A key that does not depend on the graph (a
    scheduled occurrence's ``NAME@TIME``, a key given) was proved absent whatever the graph's legs (audit recur23 2:
    a quote-dependent ``for_each`` dropped the occurrence)."""
    fresh = reprice.again(age)
    other_legs = _legs(json.loads(fresh)) != _legs(json.loads(wire_text))
    if wire_mode(fresh, name, allow_live=True) != live or (other_legs and is_content_run_key(run_key, wire_text)):
        raise Refused(
            f"{name} priced again with quotes read now (those it was priced with were {age:.0f} s old when the look "
            f"at the router for run {run_key!r} ended) is another trade: it has "
            f"{_shown(_legs(json.loads(fresh)))}, the graph looked for {_shown(_legs(json.loads(wire_text)))}; "
            "nothing was sent: submit it again"
        )
    try:
        return fresh, canonical_wire_text(fresh)
    except ValueError as exc:
        raise Refused(f"{name} is not a wire graph: {exc}") from None


def occurrence_window_ns(window_start: datetime, lookback_s: float | None = None) -> int:
    """Where a recurring run's window starts (epoch ns, before the ``CLOCK_SKEW_S`` margin the caller
    subtracts): named in the messages of a look at the router that cannot finish. The look itself reads the
    router's whole order list, whatever the times (:func:`graphc.api.lookup.find_run`).

    The router stamps an order with *its* clock, so the window never starts after the real wall clock: it is
    the occurrence, but never later than the real now. An occurrence still in the future on the real clock can
    only be a rehearsal (``--now``), sent at any earlier real time: its window is the look-back (``lookback_s``,
    ``GRAPHC_LOOKBACK``, 24 h), as for a run key without a time."""
    now_ns = time.time_ns()
    start_ns = int(window_start.timestamp() * 1e9)
    if start_ns <= now_ns:
        return start_ns
    seconds = lookback() if lookback_s is None else lookback_s
    return now_ns - int(max(seconds, 0.0) * 1e9)


def settle_left(
    client, run_key: str, occurrence: datetime, *, recorded: bool, started_s: float, settle_s: float
) -> float:
    """How many seconds a process that started at ``started_s`` (``time.monotonic()``) must still wait before it
    first sends the occurrence ``run_key``: its *settle* (docs/recurring.md, "Settle"). 0 when the ledger in use has
    a record of the run in this scope (``recorded``: a process that shares the ledger records its attempt before it
    sends, so its rows say what may be in flight), when ``settle_s`` has passed since the start, or when the router
    already shows the run (the look at the router that follows finds it, and says so).

    Otherwise a request that a process this ledger never heard of sent before this one started (a runner killed
    mid-request, on another machine or in another checkout; a hosted runner restarted) may still land, and the router
    lists a graph only once its request lands: the longest call plus the landing margin after that process sent it
    (:func:`landing_time_s`, the default ``settle_s``), which was before this one started. ``graphc run`` and a hand
    ``graphc submit`` of a scheduled occurrence both wait this out, then look at the router. The wait is timed on
    the monotonic clock: a wall clock that steps forward cannot shorten it."""
    check_seconds("settle_s", settle_s)  # NaN: a wait of NaN seconds (audit recur23 4)
    if recorded or time.monotonic() - started_s >= settle_s:
        return 0.0
    # the run key (so the tag) is the name and the occurrence, not the graph: the scan needs no prices
    scan = find_run(client, run_tag(run_key), occurrence_window_ns(occurrence) - CLOCK_SKEW_S * 10**9)
    if scan.found:
        return 0.0
    return max(started_s + settle_s - time.monotonic(), 0.0)


def sleep_until_monotonic(until_s: float, slice_s: float = 300.0) -> None:
    """Sleep until ``time.monotonic()`` reaches ``until_s`` (a settle's end), in slices of at most ``slice_s``."""
    while (left := until_s - time.monotonic()) > 0:
        time.sleep(min(left, slice_s))


def ledger_for(project, given: str | None = None, *, embedded: bool = False) -> str | Path:
    """The ledger a run of a source in ``project`` (:attr:`Prepared.project`; a playbook's
    :func:`graphc.files.find_project_root`) is recorded in: ``given`` (``--ledger PATH``), else the project's
    (``.graphc/ledger.sqlite`` at its root); ``":memory:"`` for the embedded sandbox, which forgets its graphs when
    the command exits (its runs must not block a real one). ``graphc submit`` and ``graphc run`` both choose their
    ledger here, so a hand submission and a runner of the same project see each other's attempts."""
    if embedded:
        return ":memory:"
    return given or default_ledger_path(project)


def _look_at_the_router(
    ledger, client, scope, run_key, name, lookback_s, window_start, *, tried=False, wanted=None
) -> list[str]:
    """A run this ledger knows no graph of may have been submitted elsewhere (a lost ledger, another clone or
    runner), also after an attempt of ours was refused (``tried``): docs/recurring.md, "Two runners".

    Found, the oldest graph carrying the tag is the run's; the others are named in a WARNING (two runners that
    looked at the same moment both sent: docs/submitting.md, "What graphc cannot prove" and the recovery table),
    and the graph found is compared with ``wanted`` (this run's wire text, live) as far as the router shows it. A
    graph another graphc sharing this ledger sent while the look went on goes to that graphc's row
    (:meth:`Ledger.record_found`), whose copy of the graph it is compared with instead (audit ledger24 1).
    Returns the warning of a look that used more than half of its budget (:func:`_near_budget`), if any, which
    the :class:`AlreadySubmitted` of a graph found carries too (not kept on its row: the next look reads again)."""
    seconds = lookback() if lookback_s is None else lookback_s
    if window_start is not None:
        since_ns = occurrence_window_ns(window_start, seconds)
    elif seconds > 0:
        since_ns = time.time_ns() - int(seconds * 1e9)
    else:
        return []
    tag = run_tag(run_key)
    known = "has no graph in this ledger (its attempts here created none)" if tried else "is new to this ledger"
    wire = json.loads(wanted[0]) if wanted is not None else None
    # by symbol only when the tag can be on this graph alone (its content key); under a run key of one's own an
    # earlier graph may trade other markets, and only the whole list shows it (lookup.symbols_to_scan)
    only_this = wanted is not None and is_content_run_key(run_key, wanted[0])
    symbols = symbols_to_scan(wire) if only_this else None
    scan = find_run(client, tag, since_ns - CLOCK_SKEW_S * 10**9, symbols=symbols, node_ids=node_ids_of(wire))
    noted = _near_budget(run_key, scan)
    if scan.found:
        graph_id, *others = scan.found
        warnings = [more_graphs_warning(run_key, graph_id, others)] if others else []
        compared = []  # the graph at the router against this run: for a row that holds no copy of it
        if wanted is not None:
            compared = _found_warnings(run_key, graph_id, wanted[0], wanted[1], client=client, scan=scan)
        # kept on the row, so every later refusal of the run (and `graphc ledger`) says it again, not only this one
        how = f"found at the router by its run tag {tag}"
        run = ledger.record_found(
            scope, run_key, name, tag, graph_id, how, warnings=warnings, unknown_copy_warnings=compared
        )
        said = list(run.warnings)
        if run.wire and wanted is not None:  # another graphc sharing this ledger sent it: its row holds the graph
            said = _found_warnings(run_key, graph_id, wanted[0], wanted[1], recorded=run)
        raise AlreadySubmitted(run_key, graph_id, run.id, [*said, *noted])
    if not scan.complete:
        listed = f"the orders of {', '.join(symbols)}" if symbols else "the whole order list"
        skip = "skip the look (`--lookback 0`, GRAPHC_LOOKBACK=0) only if you are sure this run was never submitted"
        what_to_do = (
            f"Try again, or {skip} from anywhere else"
            if scan.router_failed  # the router failed: another try may get through
            else f"Another try reads the same list: look at the router for orders whose node ids end in `.{tag}`, "
            f"and {skip}"
        )
        raise RouterCheckIncomplete(
            f"run {run_key!r} {known}, so graphc looked for it at the router first (orders whose node ids end in "
            f"`.{tag}`, in {listed}, read to its end), and could not finish: {scan.detail}. Nothing was sent. "
            f"{what_to_do}"
        )
    return noted


def _near_budget(run_key: str, scan) -> list[str]:
    """The warning of a look at the router that read its list to the end with more than half of its budget used
    (pages or time: :attr:`graphc.api.lookup.Scan.budget_share`): the list only grows (every graph sent adds its
    orders), and a look that cannot finish sends nothing, for this run and every later one (audit hosted24 4)."""
    if not scan.complete or scan.budget_share <= 0.5:
        return []
    return [
        f"the look at the router for run {run_key!r} read {scan.orders} orders ({scan.pages} pages, "
        f"{scan.elapsed_s:.0f} s), more than half of its budget ({MAX_PAGES} pages, {SCAN_BUDGET_S:g} s): every "
        "graph sent adds its orders to the list, and once a look cannot read it to its end nothing more is sent "
        '(exit 3; `graphc run`: `failed`, then `missed`, at every occurrence); see docs/recurring.md, "The look at '
        "the router grows with the runner's own orders\""
    ]


def _nodes(wire) -> dict[str, dict]:
    """A wire graph's nodes by their id as the playbook named it (the run tag taken off)."""
    nodes = (wire.get("nodes") if isinstance(wire, dict) else None) or []
    return {untagged_node_id(str(n.get("node_id"))): n for n in nodes if isinstance(n, dict)}


def _leg(node: dict) -> tuple[str, str]:
    """A node's (symbol, side): what it trades, prices and sizes aside."""
    instrument = node.get("instrument")
    symbol = instrument.get("symbol") if isinstance(instrument, dict) else None
    return str(symbol), str(node.get("side")).lower()


def _legs(wire) -> set[tuple[str, str, str]]:
    """A wire graph's (node id as the playbook named it, symbol, side): what it trades, prices and sizes aside."""
    return {(node_id, *_leg(node)) for node_id, node in _nodes(wire).items()}


def _size_text(node: dict) -> str:
    quantity = node.get("quantity")
    fixed = quantity.get("fixed") if isinstance(quantity, dict) else None
    qty = fixed.get("qty_1e8") if isinstance(fixed, dict) else None
    if isinstance(qty, int) and not isinstance(qty, bool):
        return plain(Decimal(qty).scaleb(-8))  # in the leg's unit (its base asset, shares, contracts)
    return json.dumps(quantity)


def _price_text(node: dict) -> str:
    order_type = node.get("order_type")
    limit = order_type.get("limit") if isinstance(order_type, dict) else None
    price = limit.get("price_1e9") if isinstance(limit, dict) else None
    if isinstance(price, int) and not isinstance(price, bool):
        return f"limit {plain(Decimal(price).scaleb(-9))}"
    return order_type if isinstance(order_type, str) else json.dumps(order_type)


def _sizes_and_prices_differ(theirs, mine) -> list[str]:
    """Each leg both graphs trade (the same node, symbol and side) whose size or limit price is not the same:
    ``dca (buy BTC-USD): size 0.01028267, this run's 0.1028267``."""
    found, wanted = _nodes(theirs), _nodes(mine)
    said = []
    for node_id in sorted(found.keys() & wanted.keys()):
        a, b = found[node_id], wanted[node_id]
        if _leg(a) != _leg(b):
            continue  # another leg under the same name: the legs warning names it
        parts = [
            f"{what} {shown(a)}, this run's {shown(b)}"
            for what, shown in (("size", _size_text), ("", _price_text))
            if shown(a) != shown(b)
        ]
        if parts:
            symbol, side = _leg(a)
            said.append(f"{node_id} ({side} {symbol}): " + "; ".join(p.strip() for p in parts))
    return said


def _shown(legs) -> str:
    return ", ".join(f"{node} ({side} {symbol})" for node, symbol, side in sorted(legs)) or "no nodes"


def _found_warnings(run_key, graph_id, wire_text, live, *, recorded=None, client=None, scan=None) -> list[str]:
    """Why the graph found for ``run_key`` may not be the trade this run would send (docs/recurring.md, "Run keys").

    A run key is one run whatever its content (spec §9: an occurrence's key is ``NAME@`` + its time), so "already"
    is right; but a graph found that trades other legs (other ``--set`` params), or is a sandbox rehearsal when
    this run is live, means this run's trade was *not* made, and the caller must say so. The graph is known from
    the ledger row that sent it (``recorded.wire``: everything, ``is_sandbox`` included; then its sizes and limit
    prices are compared too, so a re-run that changes only a budget is not silent, audit docs17 3) or from the
    router (``scan``: the symbol and side of each order listed, and ``GET /v1/execution_graphs/{id}`` for the
    node ids; the router never says ``is_sandbox``, reference orders-and-execution-graphs.md). Sizes are not
    compared with the router's: one computed from quotes moves between tries, so every later run of such an
    occurrence would warn (docs/recurring.md says so)."""
    try:
        wanted = json.loads(wire_text)
    except ValueError:
        return []
    mine = _legs(wanted)
    where = f"the graph found for run {run_key!r} ({graph_id})"
    hint = (
        "nothing was sent for this run. A run key is one run whatever the graph's content, params or sandbox mode; "
        "to make both trades, give this one a run key of its own (`graphc run`: a playbook with its own `name:`)"
    )
    warnings: list[str] = []
    if recorded is not None:
        warnings = list(recorded.warnings)  # what the look that found it learnt, kept on the row
        theirs = _recorded_wire(recorded)
        if theirs is None:  # found at the router: its bytes and its mode were not known
            if live and recorded.live is None:
                warnings.append(_maybe_rehearsal(run_key, graph_id, hint))
        else:
            found_live = theirs.get("is_sandbox") is False
            if found_live != bool(live):
                found, asked = (
                    ("a sandbox", "a LIVE one: nothing was traded live") if live else ("a LIVE", "a sandbox one")
                )
                warnings.append(
                    f"the graph found for run {run_key!r} is {found} graph; this run asked for {asked} ({graph_id}); "
                    f"{hint}"
                )
            if _legs(theirs) != mine:
                warnings.append(
                    f"{where} is not the trade this run would send: it has {_shown(_legs(theirs))}; this run would "
                    f"send {_shown(mine)}; {hint}"
                )
            differ = _sizes_and_prices_differ(theirs, wanted)
            if differ:  # other params that change only sizes or prices (a budget) must not pass in silence either
                warnings.append(
                    f"{where} does not trade the sizes or prices this run would send: {' | '.join(differ)} (a size "
                    f"or price computed from quotes also moves with them between tries); {hint}"
                )
        return list(dict.fromkeys(warnings))  # a warning kept on the row and found again is said once
    listed = scan.legs.get(graph_id, {}) if scan is not None else {}
    node_ids: set[str] | None = None
    if client is not None:
        try:
            nodes = client.get_graph(graph_id).get("nodes")
            node_ids = {untagged_node_id(n) for n in nodes} if isinstance(nodes, dict) else None
        except ApiError:
            node_ids = None
    wanted_nodes = {node: (symbol, side) for node, symbol, side in mine}
    differs = (node_ids is not None and node_ids != set(wanted_nodes)) or any(
        wanted_nodes.get(node) != leg for node, leg in listed.items()
    )
    if differs:
        theirs_shown = [f"{node} ({side} {symbol})" for node, (symbol, side) in sorted(listed.items())]
        theirs_shown += [f"{node} (not listed yet)" for node in sorted((node_ids or set()) - set(listed))]
        warnings.append(
            f"{where} is not the trade this run would send: at the router it has {', '.join(theirs_shown)}; this "
            f"run would send {_shown(mine)}; {hint}"
        )
    elif node_ids is None and not listed:
        warnings.append(f"{where} could not be compared with this run's graph: the router showed none of its nodes")
    if live:
        warnings.append(_maybe_rehearsal(run_key, graph_id, hint))
    return warnings


def _maybe_rehearsal(run_key: str, graph_id: str, hint: str) -> str:
    return (
        f"graph {graph_id}, found at the router by the tag of run {run_key!r}, may be a sandbox rehearsal: the "
        "router does not say whether a graph is sandbox or LIVE, so graphc cannot tell whether this run was "
        f"traded LIVE (if that graph is a rehearsal, nothing was traded live); {hint}"
    )


def _recorded_wire(run: Run) -> dict | None:
    """The graph a ledger row holds (the bytes its process sent), or None when it holds none."""
    try:
        graph = json.loads(run.wire) if run.wire else None
    except ValueError:
        return None
    return graph if isinstance(graph, dict) else None


def _max_call_s(client) -> float:
    """How long a POST can take from first connect to our socket closing: connect retries, then the deadline."""
    connect = client.timeout.connect or 5.0
    return client.deadline + (client.connect_retries + 1) * (connect + 1.0)


def landing_time_s(client, landing_margin_s: float | None = None) -> float:
    """How long after a process starts sending a submission that request may still reach the router.

    A runner without a ledger (a hosted strategy after a restart) cannot see a
    request its previous life had in flight; waiting this long before
    submitting again lets such a request land first, so the router check finds it.
    """
    if landing_margin_s is not None:
        check_seconds("the landing margin", landing_margin_s, MAX_LANDING_MARGIN_S)
    return _max_call_s(client) + (landing_margin() if landing_margin_s is None else landing_margin_s)


def interrupted_at(exc: BaseException) -> str | None:
    """Where the run stood, and what became of it, when :func:`submit_wire` was interrupted (``exc``: Ctrl-C's
    KeyboardInterrupt, a SystemExit, re-raised as they came) once its request was on its way, as words that follow
    "interrupted": ``while the request was in flight: ...`` (recorded uncertain, and until when it may land) or
    ``after the router answered: ...`` (the graph id, which WAS CREATED, and the commands that record it). None: it
    was interrupted before the request left, so nothing was sent. ``graphc submit`` prints it before it exits 130.
    (:func:`graphc.api.errors.interrupted_at`, which an amend's or the kill switch's request says it with too.)"""
    return said_when_interrupted(exc)


def interrupted_graph(exc: BaseException) -> tuple[str, bool] | None:
    """``(graph id, recorded)`` when :func:`submit_wire` was interrupted (``exc``) after the router answered: the
    graph WAS CREATED, and whether the ledger recorded it (:func:`interrupted_at` says it in words). None: it was
    interrupted before an answer, or is no such interruption."""
    known = getattr(exc, _INTERRUPTED_GRAPH, None)
    return known if isinstance(known, tuple) else None


_INTERRUPTED_GRAPH = "graphc_submission_graph"  # ... and the graph the router created, when it answered


def _say_interrupted(exc: BaseException, said: str, graph: tuple[str, bool] | None = None) -> None:
    say_interrupted(exc, said)
    with contextlib.suppress(AttributeError, TypeError):  # an exception class without a __dict__: nothing to say
        if graph is not None:
            setattr(exc, _INTERRUPTED_GRAPH, graph)


def _not_recorded_advice(run: Run, graph_id: str, lands_by_ns: int) -> str:
    """The commands that record ``graph_id`` for ``run``, whose row stays ``sent`` (its process could not record the
    answer): ``--reconcile`` at once (the graph is listed: the router answered), ``--resolve`` once the request
    can no longer land (before then it is refused: another graphc may be sending it, as far as the ledger knows)."""
    return (
        f"ledger run {run.id} stays `sent`: `graphc ledger --reconcile` records {graph_id} (it finds it at the router "
        f"by the run's tag), and so does the next submit of this run, which is then refused as a duplicate; or, "
        f"after {iso(lands_by_ns)}, `graphc ledger --resolve {run.id} --graph-id {graph_id}`"
    )


def _settled_advice(row: Run, graph_id: str) -> str | None:
    """What to do with ``graph_id``, which the router answered for a run whose row another graphc confirmed with
    another graph meanwhile (found at the router, or resolved by hand): both are trades of the run. None when the
    row is in another state (it can then be recorded as :func:`_not_recorded_advice` says)."""
    if row.state != "confirmed" or not row.graph_id or row.graph_id == graph_id:
        return None
    return (
        f"ledger run {row.id} is already confirmed with graph {row.graph_id}, so {graph_id} is a second graph of the "
        f"run (a second trade, unless {row.graph_id} is not the run's graph): look at both (`graphc status "
        f"{row.graph_id}`, `graphc status {graph_id}`) and cancel the one you do not want (`graphc cancel ID`); "
        f"`graphc ledger --reconcile` names {graph_id} on the run's row as a graph carrying its tag"
    )


def _post(
    ledger: Ledger,
    client,
    run: Run,
    body: bytes,
    name: str,
    margin: float,
    reconciled,
    send_by: int,
    lands_by_sent: int,
    catch_up_ns: int | None = None,
) -> Submitted:
    send_by_ns = send_by if catch_up_ns is None else min(send_by, catch_up_ns)
    try:
        response = client.submit_graph(body, idempotency_key=run.tag, send_by_ns=send_by_ns)
    except UncertainOutcome as exc:
        lands_by = time.time_ns() + int(margin * 1e9)
        _record(ledger, run, "uncertain", str(exc), lands_by)
        raise UncertainSubmission(
            f"{exc}. Run {run.run_key!r} (ledger run {run.id}, tag {run.tag}) is recorded as uncertain: the request "
            f"may still reach the router until {iso(lands_by)}. Do not submit it by hand; the next `graphc submit` "
            "of this run (or `graphc ledger --reconcile`) looks for it at the router first",
            status=exc.status,
        ) from exc
    except NotSentInTime as exc:
        if catch_up_ns is None or catch_up_ns > send_by:  # the send-by time of `lands_by` came first
            _record(ledger, run, "absent", f"nothing was sent: {exc}")
            raise
        reason = (
            f"too late: the request would have left {exc.late_s:.1f} s after the end of its occurrence's catch-up "
            f"({iso(catch_up_ns)}); nothing was sent"
        )
        _record(ledger, run, "absent", reason)
        late = PastCatchUp(f"run {run.run_key!r} (ledger run {run.id}) was not sent, {reason}")
        late.late_s = exc.late_s
        raise late from None
    except ApiConnectionError as exc:
        _record(ledger, run, "absent", f"nothing was sent: {exc}")
        raise
    except ApiError as exc:
        _record(ledger, run, "absent", f"refused by the router: {exc}")
        raise
    except BaseException as exc:  # Ctrl-C (or any crash) mid-request: whatever was sent may still land
        lands_by = time.time_ns() + int(margin * 1e9)
        in_flight = f"run {run.run_key!r} (ledger run {run.id}, tag {run.tag})"
        again = "the next `graphc submit` of this run (or `graphc ledger --reconcile`) looks for it at the router first"
        try:
            _record(ledger, run, "uncertain", "interrupted while the request was in flight", lands_by)
        except BaseException as second:  # interrupted again while it waited for the ledger: the row stays `sent`
            if not isinstance(second, Exception):
                _say_interrupted(
                    second,
                    f"while the request was in flight: {in_flight} stays `sent` in the ledger (it could "
                    f"not be recorded as uncertain): the request may still reach the router until "
                    f"{iso(lands_by_sent)}; {again}",
                )
            raise
        if not isinstance(exc, Exception):
            _say_interrupted(
                exc,
                f"while the request was in flight: {in_flight} is recorded as uncertain: the request may "
                f"still reach the router until {iso(lands_by)}; {again}",
            )
        raise
    graph_id = response["graph_id"]
    created = _created(response, graph_id, bool(run.live))
    error, warnings = (None, []) if created is None else (created.error, [created.warning])
    submitted = Submitted(run, graph_id, response, list(reconciled))
    recorded = False
    twice = None  # the WARNING of a second graph: another attempt of the run recorded another graph (ledger26 1)
    try:  # the router answered: from here on, whatever stops graphc says the graph id (it WAS CREATED)
        try:
            ledger.check_still_there()
            twice = ledger.record_confirmed(run.id, graph_id, error=error, warnings=warnings)
            recorded = True
            submitted.run = ledger.get(run.id)
        except LedgerGone as gone:
            submitted.run = _record_again(ledger.path, run, name, graph_id, gone, warnings)
            submitted.warnings.append(f"{gone}; the run was recorded again in a new ledger at {ledger.path}")
        except RunStateError as exc:  # another graphc settled the row meanwhile
            advice = _settled_advice(exc.run, graph_id) or _not_recorded_advice(run, graph_id, lands_by_sent)
            raise GraphNotRecorded(run.run_key, graph_id, str(exc), run.id, advice=advice) from None
        except LedgerError as exc:  # locked, unwritable: the row stays `sent`
            advice = _not_recorded_advice(run, graph_id, lands_by_sent)
            raise GraphNotRecorded(run.run_key, graph_id, str(exc), run.id, advice=advice) from None
        except Exception as exc:
            if recorded:
                raise
            reason = f"graphc failed while recording it ({type(exc).__name__}: {exc})"
            raise GraphNotRecorded(
                run.run_key, graph_id, reason, run.id, advice=_not_recorded_advice(run, graph_id, lands_by_sent)
            ) from exc
    except BaseException as exc:
        if not isinstance(exc, Exception):  # Ctrl-C, SystemExit: the id must not go with the process
            said = "after the router answered: " + (
                f"graph {graph_id} was created for run {run.run_key!r} and recorded (ledger run {run.id})"
                if recorded
                else str(
                    GraphNotRecorded(
                        run.run_key,
                        graph_id,
                        "graphc was interrupted before it could record it",
                        run.id,
                        advice=_not_recorded_advice(run, graph_id, lands_by_sent),
                    )
                )
            )
            _say_interrupted(exc, said, (graph_id, recorded))
        raise
    if twice is not None:  # recorded, and the run trades twice: said loudly, whatever else the answer said
        raise SecondGraph(run.run_key, graph_id, run.id, twice)
    if created is not None:
        failed = GraphFailed if created.documented else GraphStatusUndocumented
        reason = "; ".join([created.reason, *submitted.warnings])
        raise failed(run.run_key, graph_id, reason, submitted.run.id, status=created.status, warning=created.warning)
    return submitted


@dataclass(frozen=True)
class _NotTrading:
    """What the POST's answer says about the graph it created, when that is not "it trades": its status (as
    the answer gives it), why (the answer's error), and the words for the ledger row's error and warning."""

    status: object
    reason: str
    documented: bool
    error: str
    warning: str


# The statuses of a created graph that trade (or traded): the reference's answer shows `active`.
TRADING_STATUSES = ("active", "completed")


def _created(response: dict, graph_id: str, live: bool) -> _NotTrading | None:
    """None when the POST's answer says the graph it created trades (`active`, `completed`, or no status at all);
    otherwise how it does not: a graph status of the reference (orders-and-execution-graphs.md) that is not
    trading (`failed`, `cancelled`, `paused`), or a status outside that list, which says nothing graphc can
    read (audit follow17 2: `cancelled` and `rejected` were taken for success, exit 0). A paused one names the
    command that resumes it (``live``: the graph sent is LIVE, so that command needs --live)."""
    if "status" not in response:
        return None
    status = response["status"]
    word = status if isinstance(status, str) else None  # exact, as graph_view reads it: `COMPLETED` is none of them
    if word in TRADING_STATUSES:
        return None
    code, message = error_fields(response)
    reason = ": ".join(dict.fromkeys(part for part in (code, message) if part)) or "the answer gives no reason"
    if word in GRAPH_STATUSES:
        if word == "paused":
            reason += f"; resume it with {resume_command(graph_id, live)}"
        return _NotTrading(
            word,
            reason,
            True,
            f"the router created the graph but reports it {word}: {reason}",
            f"the router reported graph {graph_id} {word} when it created it: {reason}",
        )
    shown = clean(repr(status), 60)
    return _NotTrading(
        status,
        reason,
        False,
        f"the router created the graph but its answer's status {shown} is undocumented: {reason}",
        f"the router reported graph {graph_id} with the status {shown}, none of the reference's graph statuses "
        f"({', '.join(GRAPH_STATUSES)}): whether it trades is unknown ({reason}); look at it with "
        f"`graphc status {graph_id}`",
    )


def _record(ledger: Ledger, run: Run, state: str, reason: str, lands_by: int | None = None) -> None:
    """Record a failed outcome; if the ledger cannot take it, say so with the outcome (a `sent` row stays)."""
    try:
        if state == "uncertain":
            ledger.record_uncertain(run.id, reason, lands_by)
        else:
            ledger.record_absent(run.id, reason)
    except RunStateError as exc:
        graph_id = exc.run.graph_id
        if not graph_id:
            raise _not_recorded(run, reason, exc) from None
        # another graphc found the run's graph meanwhile and gave it this row (its look at the router before it
        # sends, a reconcile: Ledger.record_found, audit ledger24 1): the run has its graph
        raise UncertainSubmission(
            f"{reason}; meanwhile another graphc found graph {graph_id}, which carries the run's tag, at the router "
            f"and recorded it for run {run.run_key!r} (ledger run {run.id}): it is this request's graph unless the "
            f"run was sent more than once (`graphc ledger --reconcile` looks for a second graph); `graphc status "
            f"{graph_id}` shows it"
        ) from None
    except LedgerError as exc:
        raise _not_recorded(run, reason, exc) from None


def _not_recorded(run: Run, reason: str, exc: LedgerError) -> UncertainSubmission:
    """The failed outcome ``reason`` of ``run``, which the ledger could not record (``exc``): its row stays `sent`,
    unless another graphc settled it meanwhile (a :class:`RunStateError` carries the row as it is)."""
    now = getattr(exc, "run", None)
    if isinstance(now, Run) and now.state == "absent":  # proved absent by another graphc while this request flew
        return UncertainSubmission(
            f"{reason}; meanwhile another graphc recorded run {run.run_key!r} (ledger run {run.id}) absent, taking "
            "its request as unable to land, and the run may have been sent again: this request may still have "
            "created a graph, a second one for the run. Look at the router for orders whose node ids end in "
            f"`.{run.tag}` (`graphc ledger --reconcile` looks again at the run's graph for others carrying its tag) "
            "and cancel the graph you do not want (`graphc cancel ID`)"
        )
    return UncertainSubmission(
        f"{reason}; and the ledger could not record it ({exc}): run {run.run_key!r} stays `sent` in the "
        "ledger and is reconciled before it can be submitted again"
    )


def _record_again(path: Path, run: Run, name: str, graph_id: str, gone: LedgerGone, warnings=()) -> Run:
    """The ledger was deleted mid-request: the run goes into whatever ledger is at the path now."""
    try:
        with Ledger(path) as fresh:
            scope = Scope(run.endpoint, run.account)
            how = f"recorded again: {gone}"  # by the process that sent it: the bytes and the mode are known
            return fresh.record_found(
                scope, run.run_key, name, run.tag, graph_id, how, wire=run.wire, live=run.live, warnings=warnings
            )
    except LedgerError as exc:
        raise GraphNotRecorded(run.run_key, graph_id, f"{gone}, and a new ledger could not be written: {exc}") from None


def kept_in_plan(prepared: Prepared) -> tuple[tuple[Carried, ...], list[Hidden]]:
    """What a plan saved from ``prepared`` records of the suppressions that shaped its verdict (its JSON has no
    comments): each finding a comment hid about one wire node or edge, as :class:`graphc.lint.Carried`, once; and
    the hidden findings about no one node or edge (the graph's risk limits, a finding made before the rules ran),
    which it cannot keep: a plan that needs one of them is not saved (:func:`saved_plan_refusal`). (A saved plan
    saved again keeps what it records: :func:`graphc.plan.resaved_plan`.)"""
    carried = dict.fromkeys(Carried(h.diagnostic.code, h.about, h.directive) for h in prepared.hidden if h.about)
    return tuple(carried), [h for h in prepared.hidden if h.about is None]


def saved_plan_refusal(document: dict, output: str, unkept: list[Hidden]) -> str | None:
    """Why the plan ``document`` (:func:`graphc.plan.build_plan`), to be written at ``output``, must not be saved,
    or None: linted again as ``graphc submit PLAN`` lints it, with the suppressions it records and no comment, it
    would not be ready, so ``plan`` would have said ready of a plan submit refuses (audit rules23 1). ``unkept``
    (:func:`kept_in_plan`) are the hidden findings it could not record, which are why."""
    # (just made, so its age is not the question here; a finite bound, as check_seconds wants: audit recur23 4)
    again = prepare(output, text=json.dumps(document), max_age_s=86400.0)
    if again.ready:
        return None
    why = "; ".join(problem.message.removesuffix("; fix them and submit again") for problem in again.problems)
    said = f"linted again as `graphc submit` lints a saved plan, its graph would be refused: {why}"
    if not unkept:
        return said
    named = list(dict.fromkeys(f"{h.diagnostic.code} ({h.directive})" for h in unkept))
    return (
        f"{said}. {', '.join(named)}, hidden by a comment, {'is' if len(named) == 1 else 'are'} about no one leg or "
        "edge, and a saved plan keeps only the suppressions of findings about one node or edge of its graph (its "
        "JSON has no comments); submit the playbook itself, which keeps its comments, or fix the finding"
    )


def diagnostics_of(prepared: Prepared) -> list[FileResult]:
    """Every file result to show for a prepared graph: quotes and config first, then the source's.

    The source's result is shown when it has findings or skipped checks: a graph whose checks could not all
    be decided must not read as checked (playbook-spec.md §8).
    """
    results = list(prepared.extra_results)
    if prepared.result is not None and (prepared.result.diagnostics or prepared.result.skipped):
        results.append(prepared.result)
    return results
