"""Plans: what ``graphc plan`` shows and saves, and what ``graphc submit`` checks.

A saved plan holds the graph that will be POSTed (canonical wire JSON; submit
adds the run tag to each node id, nothing else), its SHA-256, the run key it
will be submitted under, the project whose ledger records it, the hashes of
the inputs it came from, the quotes it was valued with (those of the symbols
its graph trades or watches, exact decimal text), the suppression comments
that hid findings about its nodes and edges (its JSON has no comments), and the
time it was made.
``submit`` checks the hashes (a tampered plan, its quotes included, is
refused) and the age (quotes go stale: a plan older than ``--max-age`` is
refused). A saved plan is shown and linted again with its own quotes, so its
notionals and the notional checks (GC501, GC503) are what they were when it
was made; a plan from before plans kept quotes has none, and its market
orders' notionals are unknown.

:func:`summarize` reads a wire graph into a :class:`Summary` (legs, their
notional in exact decimals, the trigger tree, the risk limits): the numbers a
person checks before money moves. How it is worded is the command line's job.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from graphc.api.redact import escape_controls
from graphc.facts import edge_targets, notional_gap, router_reading, wire_limit, wire_qty
from graphc.files import MAX_FILE_BYTES, open_output_file, open_source, too_big
from graphc.numbers import plus, times
from graphc.quotes import QUOTE_FIELDS, Quote, quote_value, wire_symbols
from graphc.units import UnitError

if TYPE_CHECKING:  # the lint layer's record of a suppression; a plan that holds none never imports lint here
    from graphc.lint import Carried

# The format of a saved plan. Bump it whenever a field is added that limits or changes what is sent (as
# `catch_up_until` limits when), so that a graphc that does not know the field refuses the plan rather than read it
# without the field and send what the field would have held back (audit compat27 3); add every new field to
# PLAN_FIELDS too. 2: the format every graphc from before it refuses (they read 1 only); plans of format 1 (the
# same fields, or fewer) are read as before.
PLAN_VERSION = 2
PLAN_VERSIONS = (1, PLAN_VERSION)  # the versions this graphc reads
# every top-level field of a plan this graphc reads (build_plan writes them); any other is a newer graphc's
PLAN_FIELDS = frozenset(
    (
        "graphc_plan",
        "name",
        "created_at",
        "sandbox",
        "run_key",
        "occurrence",
        "catch_up_until",
        "simple_order",
        "project",
        "wire_sha256",
        "inputs",
        "quotes",
        "suppressed",
        "wire",
        "plan_sha256",
    )
)


class PlanError(Exception):
    """A plan file that cannot be submitted as it is (unreadable, tampered or stale)."""


@dataclass(frozen=True)
class Plan:
    name: str
    wire_text: str
    created_at: datetime
    source: str
    run_key: str | None = None  # the content run key made at plan time (plans from before it: None)
    project: str | None = None  # the project whose ledger records the run
    # what it was made from: the playbook's, quotes' and params' paths and hashes (older plans: None)
    inputs: dict | None = field(default=None, hash=False)
    # the quotes it was valued with, {symbol: Quote} of the graph's symbols (plans from before they were kept: None)
    quotes: dict | None = field(default=None, hash=False)
    occurrence: datetime | None = None  # a scheduled playbook's occurrence that the run key names (else None)
    # the real time its catch-up ends, after which submit sends nothing (plans from before it, or no occurrence: None)
    catch_up_until: datetime | None = None
    # the suppressions that hid findings about its nodes and edges when it was made (plans from before them: none)
    suppressed: tuple[Carried, ...] = field(default=(), hash=False)
    # made from a simple order: its graph is the order's wrapped node, linted again as the order was (wirelint23 1)
    simple_order: bool = False

    @property
    def created_text(self) -> str:
        """``created_at`` as a plan file writes it (``2026-12-03T14:22:19Z``)."""
        return _utc_text(self.created_at)

    def age_s(self, now: datetime | None = None) -> float:
        """Seconds since the plan was made: how old its prices are."""
        return ((now or datetime.now(UTC)) - self.created_at).total_seconds()

    @property
    def wire_bytes(self) -> bytes:
        return self.wire_text.encode("utf-8")

    @property
    def wire(self) -> dict:
        return json.loads(self.wire_text, parse_float=Decimal)

    @property
    def live(self) -> bool:
        return self.wire.get("is_sandbox") is False


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path) -> dict | None:
    """``{"path", "sha256"}`` of an input file, read again to hash it (the compile read it already, within the size
    limit). The operator's own pipe (``--quotes <(fetch-quotes)``) was read to its end by then: re-reading it
    gives nothing, so its ``sha256`` is null and ``pipe`` says why, never the hash of an empty file."""
    if path is None:
        return None
    fd, info = open_source(path, pipe_ok=True)
    try:
        if not S_ISREG(info.st_mode):
            return {"path": str(path), "sha256": None, "pipe": True}
        with open(fd, "rb", closefd=False) as fh:
            return {"path": str(path), "sha256": sha256_hex(fh.read())}
    finally:
        os.close(fd)


def build_plan(
    *,
    name,
    wire_text,
    playbook,
    quotes=None,
    params_file=None,
    params=None,
    now=None,
    created_at=None,
    run_key=None,
    project=None,
    inputs=None,
    quote_values=None,
    occurrence=None,
    catch_up_until=None,
    suppressed=(),
    simple_order=False,
) -> dict:
    """The JSON document ``graphc plan -o`` writes.

    ``created_at`` and ``inputs`` are given when a saved plan is saved again
    (:func:`resaved_plan`): it is the same plan, made then from those inputs,
    so its age keeps counting. Otherwise the inputs are the files given, hashed now.
    ``quote_values`` (``{symbol: Quote}``) are the quotes the graph was valued
    with; those of its symbols are kept (:func:`quotes_document`). None (a plan
    saved again that kept none) writes no ``quotes``. ``occurrence`` is the
    scheduled playbook's occurrence the run key names (written only when there is one), ``catch_up_until`` the
    real time its catch-up ends (:attr:`graphc.submit.Prepared.catch_up_until`; in milliseconds, rounded down).
    ``suppressed`` (:class:`graphc.lint.Carried`) are the suppressions that hid findings about its nodes and edges,
    which its graph is linted again with (written only when there are some, so a plan without is as before).
    ``simple_order``: the graph is a simple order's (``"simple_order": true``, written only then), so ``submit``
    lints it again as the order was linted (:attr:`Plan.simple_order`).
    """
    created_at = created_at or datetime.now(UTC)
    wire_bytes = wire_text.encode("utf-8")
    if inputs is None:
        inputs = {
            "playbook": file_digest(playbook),
            "quotes": file_digest(quotes),
            "params_file": file_digest(params_file),
            "params": dict(sorted((params or {}).items())),
            "now": now.isoformat() if now else None,
        }
    plan = {
        "graphc_plan": PLAN_VERSION,
        "name": name,
        "created_at": _utc_text(created_at),
        "sandbox": json.loads(wire_text).get("is_sandbox") is not False,
        "run_key": run_key,
    }
    if occurrence is not None:  # submit looks for the occurrence's graph at the router from its time on
        plan["occurrence"] = _utc_text(occurrence)
        if catch_up_until is not None:  # and sends nothing once past its catch-up (spec §9)
            plan["catch_up_until"] = _utc_text(catch_up_until, "milliseconds")
    if simple_order:  # its graph is linted again as the order was (GC111: the order has no field for the type)
        plan["simple_order"] = True
    plan |= {
        "project": None if project is None else str(project),
        "wire_sha256": sha256_hex(wire_bytes),
        "inputs": inputs,
    }
    if quote_values is not None:
        plan["quotes"] = quotes_document(wire_text, quote_values)
    if suppressed:
        plan["suppressed"] = [{"code": c.code, c.about[0]: c.about[1], "directive": c.directive} for c in suppressed]
    plan["wire"] = wire_text
    plan["plan_sha256"] = plan_digest(plan)
    return plan


def resaved_plan(plan: Plan, *, run_key=None, occurrence=None, catch_up_until=None) -> dict:
    """The JSON document of a saved plan saved again (``graphc plan SAVED -o NEW``): its graph is not compiled
    again nor its prices read again, so it keeps what says where and when it was made (``created_at``,
    ``inputs``, ``project``) and goes stale when the original does (docs/submitting.md, ``--max-age``). Its run
    key, occurrence and the end of its catch-up are ``run_key``, ``occurrence`` and ``catch_up_until`` (the
    caller's: none with ``plan --run-key``)."""
    return build_plan(
        name=plan.name,
        wire_text=plan.wire_text,
        playbook=None,
        created_at=plan.created_at,
        inputs=plan.inputs,
        run_key=run_key or plan.run_key,
        project=plan.project,
        quote_values=plan.quotes,
        occurrence=occurrence,
        catch_up_until=catch_up_until,
        suppressed=plan.suppressed,
        simple_order=plan.simple_order,
    )


def quotes_document(wire_text: str, quotes) -> dict:
    """``{symbol: {field: "exact decimal"}}``: the quotes of the symbols the graph trades or watches
    (:func:`graphc.quotes.wire_symbols`), each field it has (bid, ask, last, mid, tick, lot) as text."""
    document = {}
    for symbol in wire_symbols(json.loads(wire_text)):
        quote = quotes.get(symbol)
        if not isinstance(quote, Quote):
            continue
        values = {name: _decimal_text(value) for name in QUOTE_FIELDS if (value := getattr(quote, name)) is not None}
        if values:
            document[symbol] = values
    return document


def _decimal_text(value: Decimal) -> str:
    """Exact text of ``value``: positional (``0.00000001``) unless that would be long, as str() writes it."""
    return format(value, "f") if -30 <= value.adjusted() <= 30 else str(value)


def _plan_quotes(raw, source: str) -> dict | None:
    """The ``quotes`` of a plan file as ``{symbol: Quote}`` (None when it has none: an older plan); PlanError
    for a value that is not a price as a snapshot would read it (the plan hash matched, so it was edited)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise PlanError(f"{source} has quotes that are not a mapping of SYMBOL: {{bid, ask, ...}}")
    quotes = {}
    for symbol, entry in raw.items():
        if not isinstance(entry, dict):
            raise PlanError(f"{source}: the quote of {str(symbol)[:80]!r} is not a mapping of bid, ask, ...")
        values: dict[str, Any] = {}  # Quote's fields
        for name, text in entry.items():
            where = f"{source}: quote {str(symbol)[:80]}.{str(name)[:20]}"
            if name not in QUOTE_FIELDS:
                raise PlanError(f"{where} is not a quote field ({', '.join(QUOTE_FIELDS)})")
            if not isinstance(text, str):
                raise PlanError(f"{where} is not a decimal written as text")
            try:
                values[name] = quote_value(name, text)
            except UnitError as exc:
                raise PlanError(f"{where}: {exc.message}") from None
        quotes[str(symbol)] = Quote(**values)
    return quotes


def _plan_suppressed(raw, source: str) -> tuple[Carried, ...]:
    """The ``suppressed`` of a plan file as :class:`graphc.lint.Carried` (none when it has none: an older plan, or
    one no comment shaped); PlanError for an entry that is not ``{"code", "node" or "edge", "directive"}`` with a
    rule code (the plan hash matched, so it was edited and hashed again, or made by another graphc)."""
    if raw is None:
        return ()
    from graphc.lint import Carried  # deferred: only a plan that records suppressions needs it
    from graphc.rules.registry import RULES  # deferred: (as above)

    form = '{"code": "GC303", "node": "ID" (or "edge": "ID"), "directive": "FILE:LINE"}'
    if not isinstance(raw, list):
        raise PlanError(f"{source} has suppressions that are not a list of {form}")
    carried = []
    for entry in raw:
        kind = "node" if isinstance(entry, dict) and "node" in entry else "edge"
        values = [entry.get(key) for key in ("code", kind, "directive")] if isinstance(entry, dict) else []
        texts = [value for value in values if isinstance(value, str) and value]
        if len(texts) != 3 or len(entry) != 3:
            raise PlanError(f"{source}: suppression {str(entry)[:120]} is not {form}")
        code, ident, directive = texts
        if code not in RULES:
            raise PlanError(f"{source}: suppression of {code[:20]!r}, which is no rule code")
        carried.append(Carried(code, (kind, ident), directive))
    return tuple(carried)


def _utc_text(when: datetime, timespec: str = "seconds") -> str:
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat(timespec=timespec).replace("+00:00", "Z")


def _unshowable(name: str) -> str:
    """What in a plan's ``name`` is not printed as itself (:func:`graphc.api.redact.escape_controls`), said by what
    it is: a character a terminal would not show (control, line-break, bidi, zero-width), and ``##[``, which a
    GitHub Actions log reads as the start of a workflow command (written here as graphc shows it, ``##\\[``: the
    message itself is printed)."""
    said = []
    if not all(ch.isprintable() or ch == "\t" for ch in name):
        said.append("has characters a terminal would not show as themselves (control, line-break, bidi or zero-width)")
    if "##[" in name:
        said.append(
            "holds `##\\[` (shown escaped), which a GitHub Actions log reads as the start of a workflow command"
        )
    return ", and ".join(said)


def _plan_time(value, source: str, name: str) -> datetime:
    """A time a plan file holds (``2026-12-03T14:22:19Z``) as an aware datetime; PlanError if it is not one."""
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PlanError(f"{source} has no valid {name} time") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def write_plan(plan: dict, path) -> None:
    """Write a plan readable by its owner only (0600): it says what a desk is about to trade.

    :class:`PlanError`, nothing written, for a plan over ``MAX_FILE_BYTES``:
    `plan` and `submit` would refuse to read it back (audit scale25 2: it was written, and reported ready)."""
    text = json.dumps(plan, indent=2) + "\n"  # (ASCII: json escapes every other character)
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise PlanError(
            f"the plan is {size:,} bytes, larger than {MAX_FILE_BYTES:,} bytes, the size limit of a file graphc reads "
            "(GRAPHC_MAX_FILE_BYTES), so `graphc plan` and `graphc submit` would refuse to read it: split the playbook "
            "into smaller ones, or set GRAPHC_MAX_FILE_BYTES to a larger number of bytes for this run and those that "
            'read the plan (docs/robustness.md, "Raising a limit")'
        )
    fd, through_link = open_output_file(path, 0o600)  # never through a link to a file (audit sec29 4)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        if not through_link and stat.S_ISREG(os.fstat(fd).st_mode):  # (never a device's mode: -o /dev/null)
            os.fchmod(fd, 0o600)  # an existing file keeps its mode otherwise
        fh.write(text)


def plan_digest(plan: dict) -> str:
    """SHA-256 over every field but itself, so an edited time or name is noticed too."""
    body = {k: v for k, v in plan.items() if k != "plan_sha256"}
    return sha256_hex(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def is_plan_text(text: str) -> bool:
    return '"graphc_plan"' in text[:4096]


def load_plan(text: str, source: str, *, max_age_s: float, now: datetime | None = None) -> Plan:
    """Parse and verify a saved plan; PlanError says exactly what is wrong."""
    if too_big(text):  # only its first MAX_FILE_BYTES were read: never parsed (that said "Unterminated string")
        raise PlanError(
            f"{source} is not read: it is larger than {MAX_FILE_BYTES:,} bytes, the size limit of a file graphc "
            "reads (GRAPHC_MAX_FILE_BYTES); set GRAPHC_MAX_FILE_BYTES to a larger number of bytes for the run that "
            'reads it (docs/robustness.md, "Raising a limit")'
        )
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"{source} is not a readable plan: {exc}") from None
    version = data.get("graphc_plan") if isinstance(data, dict) else None
    if type(version) is int and version > PLAN_VERSION:
        raise PlanError(f"{source} was made by a newer graphc (plan format {version}): upgrade graphc")
    if not isinstance(data, dict) or type(version) is not int or version not in PLAN_VERSIONS:
        raise PlanError(f"{source} is not a graphc plan (plan format {' or '.join(map(str, PLAN_VERSIONS))})")
    if "plan_sha256" not in data:  # the first `graphc plan` (b41cbad) hashed its wire graph only
        raise PlanError(f"{source} was made by an older graphc, which did not hash its plans: plan it again")
    wire_text, digest = data.get("wire"), data.get("wire_sha256")
    if not isinstance(wire_text, str) or not isinstance(digest, str):
        raise PlanError(f"{source} has no wire graph and hash")
    actual = sha256_hex(wire_text.encode("utf-8"))
    if actual != digest:
        raise PlanError(
            f"{source} was modified after it was planned: the wire graph's SHA-256 is "
            f"{actual[:12]}…, the plan says {digest[:12]}…; run `graphc plan` again"
        )
    if data.get("plan_sha256") != plan_digest(data):
        raise PlanError(
            f"{source} was modified after it was planned (its time, name or inputs changed); run `graphc plan` again"
        )
    unknown = sorted(set(data) - PLAN_FIELDS)
    if unknown:  # hashed as graphc hashes a plan: a newer graphc's field, which may limit what is sent
        raise PlanError(
            f"{source} was made by a newer graphc (it has {', '.join(unknown)}, which this graphc does not know): "
            "upgrade graphc"
        )
    created = _plan_time(data.get("created_at"), source, "created_at")
    age = ((now or datetime.now(UTC)) - created).total_seconds()  # (Plan.age_s)
    if age < -60:
        raise PlanError(f"{source} was created in the future ({created.isoformat()}); check the clock")
    name = str(data.get("name") or "plan")
    # Every command prints it (status28 6): refused if a terminal would not show it as itself; any other name is
    # fine, a wire graph's file stem `My Graph` too, since `graphc plan` saves that stem (review28 2)
    if escape_controls(name) != name:
        raise PlanError(
            f"{source}: its name {_unshowable(name)}; run `graphc plan` again on a file whose name has none"
        )
    run_key, project, inputs = data.get("run_key"), data.get("project"), data.get("inputs")
    quotes = _plan_quotes(data.get("quotes"), source)
    suppressed = _plan_suppressed(data.get("suppressed"), source)
    occurrence = _plan_time(data.get("occurrence"), source, "occurrence") if "occurrence" in data else None
    catch_up_until = _plan_time(data["catch_up_until"], source, "catch_up_until") if "catch_up_until" in data else None
    plan = Plan(
        name,
        wire_text,
        created,
        source,
        run_key if isinstance(run_key, str) and run_key else None,
        project if isinstance(project, str) and project else None,
        inputs if isinstance(inputs, dict) else None,
        quotes,
        occurrence,
        catch_up_until if occurrence is not None else None,
        suppressed,
        data.get("simple_order") is True,
    )
    stale = stale_plan(plan, max_age_s, now)
    if stale is not None:
        raise PlanError(stale)
    return plan


def stale_plan(plan: Plan, max_age_s: float, now: datetime | None = None) -> str | None:
    """Why ``plan`` is too old for ``graphc submit --max-age max_age_s``, or None. The way out names the
    commands that have it: a new plan, or submit's --max-age (``graphc plan`` has no such option)."""
    age = plan.age_s(now)
    if age <= max_age_s:
        return None
    playbook = (plan.inputs or {}).get("playbook")
    path = playbook.get("path") if isinstance(playbook, dict) else None
    fresh = (
        f"make a new one (`graphc plan {path} ... -o PLAN`)"
        if isinstance(path, str) and path
        else ("make a new one from its playbook (`graphc plan PLAYBOOK ... -o PLAN`)")
    )
    return (
        f"{plan.source} is {age:.0f} s old, older than --max-age {max_age_s:g} s: its prices may be stale; "
        f"{fresh}, or give `graphc submit` a larger --max-age"
    )


# -- the summary a person reads ---------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    node_id: str
    side: str
    quantity: object  # the wire quantity ({"fixed": ...} or "derived"), for the words
    amount: Decimal | None  # fixed size in base units
    symbol: str
    type: str
    venue: str | None
    order_type: object
    limit: Decimal | None
    notional: Decimal | None  # amount x (limit, else the quote's ask for a buy / bid for a sell)
    policy: str
    currency: str | None = "USD"  # what the notional is in: the market's price currency (None: unknown)
    # the wire `execution` (policy, urgency, max_slippage_bps, horizon_ms, tif, pacing): how it trades, shown
    execution: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class TreeLine:
    depth: int
    node_id: str
    parent: str | None  # None for a root
    edge: dict | None
    by_default: bool = False  # a root without `activation`: the router reads it as root (no edge leads to it)


@dataclass(frozen=True)
class Summary:
    legs: list[Leg]
    tree: list[TreeLine]
    max_notional: object = None
    max_loss: object = None
    has_risk: bool = False
    total: Decimal = Decimal(0)
    unknown: list[str] = field(
        default_factory=list
    )  # legs whose notional is unknown, each with why: `stop (derived size)`
    not_dollars: list[str] = field(default_factory=list)  # legs whose notional is in another currency: not in total
    is_sandbox: object = None  # True, False, or anything else: not said


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _amount(node: dict) -> Decimal | None:
    return wire_qty(node.get("quantity"))


def _limit(node: dict) -> Decimal | None:
    return wire_limit(node.get("order_type"))


def _quoted(node: dict, symbol: str, quotes: dict, venue: str | None, type_: str) -> Decimal | None:
    """The quote's price ``node``, a market order, is valued at (the ask for a buy, the bid for a sell), as its
    market uses it: a prediction market's has no price outside 0 < p < 1 (graphc.venues.market_quote)."""
    from graphc.venues import market_quote  # deferred: only a summary values a market order

    quote = market_quote(quotes.get(symbol), venue, type_)
    if quote is None:
        return None
    return quote.ask if node.get("side") == "buy" else quote.bid


def summarize(wire: dict, quotes: dict) -> Summary:
    """The numbers of a wire graph, exact: each leg's size, price and notional, the total, the trigger tree."""
    nodes = [n for n in wire.get("nodes") or [] if isinstance(n, dict)]
    edges = [e for e in wire.get("edges") or [] if isinstance(e, dict)]
    from graphc.venues import MarketResolver, router_type  # deferred: only a summary asks a market's currency

    resolver = MarketResolver({}, None)
    legs, total, unknown, not_dollars = [], Decimal(0), [], []
    for node in nodes:
        instrument = _mapping(node.get("instrument"))
        symbol = str(instrument.get("symbol"))
        venue, type_ = instrument.get("venue"), instrument.get("type")
        venue, type_ = venue if isinstance(venue, str) else None, router_type(symbol, type_, venue)
        currency = resolver.facts(symbol, venue, type_).cost_unit
        amount, limit = _amount(node), _limit(node)
        price = limit if limit is not None else _quoted(node, symbol, quotes, venue, type_)
        notional = times(amount, price) if amount is not None and price is not None else None  # exact, as GC501
        # why it is left out of the total, in GC503's words (facts.notional_gap): derived size, no size, no price
        why = notional_gap(node.get("quantity") == "derived", amount, price, currency)
        if notional is None:
            unknown.append(f"{node.get('node_id')} ({why})")
        elif why is not None:  # bitcoin or yen are not dollars (as GC501 reads them): listed by currency
            not_dollars.append(f"{node.get('node_id')} ({why.removeprefix('not in dollars: ')})")
        else:
            total = plus(total, notional)
        execution = _mapping(node.get("execution"))
        legs.append(
            Leg(
                node_id=str(node.get("node_id")),
                side=str(node.get("side")),
                quantity=node.get("quantity"),
                amount=amount,
                symbol=symbol,
                type=str(instrument.get("type", "")),
                venue=instrument.get("venue"),
                order_type=node.get("order_type"),
                limit=limit,
                notional=notional,
                policy=str(execution.get("policy", "sor")),
                currency=currency,
                execution=execution,
            )
        )
    risk = _mapping(wire.get("risk"))
    admission = risk.get("admission") if isinstance(risk.get("admission"), dict) else None
    runtime = risk.get("runtime") if isinstance(risk.get("runtime"), dict) else None
    return Summary(
        legs=legs,
        tree=_trigger_tree(nodes, edges),
        max_notional=None if admission is None else admission.get("max_notional_usd"),
        max_loss=None if runtime is None else runtime.get("max_loss_usd"),
        has_risk=admission is not None or runtime is not None,
        total=total,
        unknown=unknown,
        not_dollars=not_dollars,
        is_sandbox=wire.get("is_sandbox"),
    )


def _trigger_tree(nodes: list, edges: list) -> list[TreeLine]:
    """Each root, then what it triggers, depth first; a node reached twice is listed but not expanded again.
    A node without ``activation`` is a root as the router reads it (:func:`graphc.facts.router_reading`: when no
    edge leads to it), as GC111 and ``graphc graph`` read it.

    Iterative: a chain of thousands of legs must not exhaust Python's stack.
    """
    children: dict = {}
    for edge in edges:
        children.setdefault(edge.get("from_node"), []).append(edge)
    targets = edge_targets(edges)
    lines, seen = [], set()
    for node in nodes:
        _, defaulted = router_reading(node, targets)
        if (defaulted or node.get("activation")) != "root":
            continue
        root = node.get("node_id")
        seen.add(root)
        lines.append(TreeLine(0, str(root), None, None, by_default=defaulted is not None))
        stack = [(root, 1, iter(children.get(root, [])))]
        while stack:
            parent, depth, pending = stack[-1]
            edge = next(pending, None)
            if edge is None:
                stack.pop()
                continue
            target = edge.get("to_node")
            lines.append(TreeLine(depth, str(target), str(parent), edge))
            if target not in seen:
                seen.add(target)
                stack.append((target, depth + 1, iter(children.get(target, []))))
    return lines
