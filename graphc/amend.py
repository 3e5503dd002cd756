"""What ``graphc amend`` sends: ``--horizon`` and ``--qty`` read as the playbook reads them, and graphc's own guards.

``PATCH /v1/execution_graphs/{id}/nodes/{node}`` takes ``qty_1e8`` and
``horizon_ms`` (shared/reference/orders-and-execution-graphs.md, "Amend Graph
Node"). A person types them the way the playbook spells sizes and durations
(docs/playbooks.md §Sizes, §Durations), so they are read by the same parsers:
:func:`graphc.units.parse_duration_ms` (a bare number is milliseconds) and
:func:`graphc.units.parse_quantity` (``0.02``, ``0.02 BTC``, ``$600``, ``600 USD``).

The router's status answer (``GET /v1/execution_graphs/{id}``) gives a node's
size but not its symbol, limit price, the graph's risk limits or whether it is
LIVE. Those come from the graph as this machine submitted it: the wire the
ledger recorded for that graph id, under whatever router URL or API key it was
recorded (:func:`recorded_node`). Without that record only a plain number of
base units can be checked, and only against the node's size, so a larger size
is not sent (:func:`unchecked_increase`).

A size is a whole number of the venue's lot, as a leg's is (spec §3.2: a
notional is "rounded **down** to the venue lot (to 1e-8 where no lot is
known)"; venue-rules.md: Kalshi trades whole contracts, GC305): a notional is
rounded down to it, a size written in units must already be a multiple of it.
The lot is the one compile used for the recorded node's market, as far as
amend can know it: ``[markets."SYMBOL"]`` / ``[venues.NAME]`` of the
project's graphc.toml (the project that holds the ledger), else graphc's
built-in venue profile (:class:`graphc.venues.MarketResolver`); a quotes
snapshot's ``lot`` is not known here.

The guards are graphc's, not the router's: a size whose notional at the node's
limit is above the graph's ``risk.admission.max_notional_usd`` is refused; one
more than :data:`MAX_FACTOR` times the node's size needs ``--yes``. When the
max_notional guard cannot run, :func:`max_notional_unchecked` says why, so the
command can say so: a skipped guard must not read as passed; :func:`size_guard_unapplied` says when the
MAX_FACTOR guard has no size to compare with.

Then the amended node goes through graphc's lint (:func:`lint_amended`): the recorded graph with the node
changed as the PATCH changes it, linted as a wire file, so an amend is held to what ``graphc lint`` holds a
playbook to: venue-rules.md l.16 (Polymarket's 5-share minimum, GC302), hosted-strategies.md "Respect the
venue's minimum notional" (GC301), playbook-spec.md §8 (GC402, GC403). An error refuses the amend.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Context, Decimal
from typing import TYPE_CHECKING

from graphc.humanize import amount_of, exact, price_of, quantity_text
from graphc.numbers import beside, is_multiple, plain, times, usd
from graphc.units import UnitError, base_asset, divide_to_step, parse_duration_ms, parse_quantity, to_scaled
from graphc.venues.prices import size_step  # a notional rounds down onto the lot and 1e-8 at once, as a leg's does
from graphc.venues.symbols import router_type
from graphc.vocabulary import DOLLARS

if TYPE_CHECKING:
    from graphc.config import Config
    from graphc.venues import MarketConfig

__all__ = [
    "MAX_FACTOR",
    "AmendLint",
    "AmendRefused",
    "Record",
    "RecordedNode",
    "horizon_ms",
    "lint_amended",
    "max_notional_unchecked",
    "new_qty_1e8",
    "recorded_node",
    "size_change",
    "size_guard_unapplied",
    "unchecked_increase",
]

MAX_FACTOR = 10  # a new size more than this many times the node's size needs --yes (a fat-finger guard)
_FACTOR = Context(prec=40, rounding=ROUND_DOWN)  # size / size of two int64s: more than 10 by 1e-19 at the least


class AmendRefused(ValueError):
    """An amend argument graphc will not send; the message says why and names the number."""


@dataclass(frozen=True)
class RecordedNode:
    """A node as the ledger recorded its graph: what the router's status answer does not say."""

    symbol: str
    type_: str
    venue: str | None
    limit: Decimal | None  # the limit price, None for a market node
    max_notional: Decimal | None  # the graph's risk.admission.max_notional_usd
    market_config: MarketConfig | None = field(default=None, compare=False)  # graphc.toml's market settings
    wire: bytes | None = field(default=None, compare=False, repr=False)  # the graph as the ledger recorded it
    node_id: str | None = field(default=None, compare=False)  # the node's id in ``wire`` (with the run tag)
    live: bool = False  # the graph trades LIVE: its ``is_sandbox`` is not true (playbook-spec §2)
    side: str | None = field(default=None, compare=False)  # "buy" or "sell" as the wire says; None: not said


@dataclass(frozen=True)
class Record:
    """What the ledger holds of the graph an amend changes (:func:`recorded_node`)."""

    node: RecordedNode | None  # the node as the graph was sent; None: the ledger holds no copy of it
    missing: str = ""  # why ``node`` is None: where graphc looked, and what to do
    run_id: int | None = None  # the ledger run whose copy ``node`` is
    # said in a note: that run was recorded under another router URL or API key, or is a copy whose answer its
    # ledger never recorded (found by the node id's run tag)
    elsewhere: str | None = None


def horizon_ms(text: str) -> int:
    """``--horizon`` as the playbook's ``horizon:`` reads it: ``1500`` is 1.5 s, ``30sec``, ``1m30s``."""
    try:
        ms = parse_duration_ms(text)
    except UnitError as exc:
        raise AmendRefused(_unit_message(exc)) from None
    if ms <= 0:
        raise AmendRefused(f"{text!r} must be longer than 0")
    return ms


LEDGER_THAT_SENT = "pass --ledger PATH for the ledger that submitted it"


def recorded_node(ledger_path, scope, graph_id: str, node_id: str, market_config=None) -> Record:
    """The node ``node_id`` (as the router names it, with the run tag) of the graph the ledger at ``ledger_path``
    recorded as ``graph_id``, and the run that recorded it; or why the ledger holds no copy of it. A missing
    ledger file is not created. ``market_config`` (graphc.toml's market settings) gives its lot.

    The graph is looked for under every router URL and API key the ledger holds (audit ops19 3: under
    ``localhost`` for ``127.0.0.1``, or after a key rotation, the same ledger's copy was "not in this ledger"
    and every check was dropped): the graph id and the node's tagged id, which carries the run's tag, name the
    graph, not the URL it was reached by. A run of ``scope``'s router (the URL as the ledger keys it,
    :func:`graphc.api.client.normalize_base_url`) is taken first, then one of its account; the newest first. The
    API key plays no part: the ledger holds only an account's fingerprint (``Scope.account``), never a key."""
    from graphc.api.ledger import Ledger  # deferred: sqlite3

    if not os.path.isfile(ledger_path):
        return Record(None, f"there is no ledger at {ledger_path}; {LEDGER_THAT_SENT}")
    with Ledger(ledger_path) as ledger:
        every = ledger.runs()
    runs = [r for r in every if r.graph_id == graph_id]
    if not runs:
        unanswered = _unanswered(every, scope, graph_id, node_id, market_config)
        if unanswered is not None:
            return unanswered
        return Record(
            None,
            f"graph {graph_id} is not in the ledger {ledger_path}, under any router URL or API key; {LEDGER_THAT_SENT}",
        )
    here = _router_key(scope.endpoint)
    nearest = sorted(runs, key=lambda r: (_router_key(r.endpoint) == here, r.account == scope.account, r.id))
    for run in reversed(nearest):
        node = _node_of(run.wire, node_id) if run.wire else None
        if node is not None:
            elsewhere = None if run.in_scope(scope) else _recorded_elsewhere(run, scope, graph_id)
            return Record(dataclasses.replace(node, market_config=market_config), "", run.id, elsewhere)
    copies = [r for r in runs if r.wire]
    if not copies:
        # a row that only found the graph at the router beside the row of this ledger that sent it (audit ledger24
        # 1: a concurrent submit's look recorded one before the sender's answer was): the sender's copy, by the tag
        unanswered = _unanswered(every, scope, graph_id, node_id, market_config)
        if unanswered is not None:
            return unanswered
        return Record(
            None,
            f"ledger run {runs[-1].id} only found graph {graph_id} at the router by its run tag, so the ledger holds "
            f"no copy of what was sent (another clone or machine sent it: {LEDGER_THAT_SENT})",
        )
    return Record(
        None,
        f"the ledger's copy of graph {graph_id} (run {copies[-1].id}) has no node {node_id}: it is not the graph "
        "the router holds under that id",
    )


def _unanswered(runs, scope, graph_id: str, node_id: str, market_config) -> Record | None:
    """The copy of a graph this ledger sent but whose answer it never recorded (audit conc21 6: the submit died,
    or was stopped, between the router's answer and the ledger's write): an unsettled row (``sent``, ``uncertain``)
    whose tag the node's id carries (:func:`graphc.api.runtag.node_tag`), and which holds that node. None when there
    is none, or when a row of that tag has another graph: the graph is then not this ledger's answer. (A row of
    that tag with this graph and no copy only found it at the router, while this ledger's request of it was
    unanswered.)"""
    from graphc.api.runtag import node_tag  # deferred: the emitter

    tag = node_tag(node_id)
    same = [r for r in runs if tag is not None and r.tag == tag]
    if any(r.graph_id and r.graph_id != graph_id for r in same):
        return None
    here = _router_key(scope.endpoint)
    nearest = sorted(same, key=lambda r: (_router_key(r.endpoint) == here, r.account == scope.account, r.id))
    for run in reversed(nearest):
        node = _node_of(run.wire, node_id) if run.pending and run.wire else None
        if node is not None:
            said = (
                f"ledger run {run.id} (`{run.state}`: its process never recorded the router's answer) holds the graph "
                f"it sent with the tag of node {node_id}, so its copy is taken as graph {graph_id}'s; `graphc ledger "
                f"--reconcile` records {graph_id} for that run"
            )
            return Record(dataclasses.replace(node, market_config=market_config), "", run.id, said)
    return None


def _router_key(endpoint: str) -> str:
    """A router URL as the ledger keys runs by it (``Client.base_url``: normalize_base_url), whatever its spelling
    when it was recorded; a recorded URL that is not one any more stays as it is."""
    from graphc.api.client import normalize_base_url  # deferred: httpx
    from graphc.api.errors import ConfigError  # deferred: as above

    try:
        return normalize_base_url(endpoint, allow_plain_http=True)
    except ConfigError:
        return endpoint


def _recorded_elsewhere(run, scope, graph_id: str) -> str:
    """The note for a copy recorded under another URL or key: which, by the account's fingerprint (never a key)."""
    if run.endpoint and _router_key(run.endpoint) != _router_key(scope.endpoint):
        where = f"as sent to {run.endpoint}, not {scope.endpoint}"
    else:
        where = f"as sent with another API key (account {run.account})"
    return (
        f"ledger run {run.id} recorded graph {graph_id} {where}; its copy of the graph is used: the node's id "
        "carries that run's tag"
    )


def _node_of(wire: bytes, node_id: str) -> RecordedNode | None:
    try:
        graph = json.loads(wire, parse_float=Decimal)
        (node,) = [n for n in graph["nodes"] if n.get("node_id") == node_id]
        instrument = node["instrument"]
        symbol, venue = instrument["symbol"], instrument.get("venue")
        type_ = router_type(symbol, instrument.get("type"), venue)  # as the router reads a node without one (GC111)
        order_type = node.get("order_type")
        limit = price_of(order_type["limit"]["price_1e9"]) if isinstance(order_type, dict) else None
        cap = ((graph.get("risk") or {}).get("admission") or {}).get("max_notional_usd")
        max_notional = None if cap is None else exact(cap)
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
        return None  # not a graph this graphc wrote: as good as no record
    if not isinstance(symbol, str) or not isinstance(type_, str):
        return None
    shown_venue = venue if isinstance(venue, str) else None
    live = graph.get("is_sandbox") is not True  # one that does not say is the router's default: not a sandbox one
    side = node.get("side") if node.get("side") in ("buy", "sell") else None
    return RecordedNode(
        symbol, type_, shown_venue, limit, max_notional, wire=wire, node_id=node_id, live=live, side=side
    )


def new_qty_1e8(text: str, node: RecordedNode | None, missing: str = "") -> int:
    """``--qty TEXT`` as the wire's qty_1e8, read as the playbook reads a leg's size (graphc/stages/legs.py):
    a plain number is base units; ``N ASSET`` must name the node's base asset; ``$N`` / ``N USD`` is
    divided by the node's limit price and rounded down to the venue's lot (1e-8 where no lot is known),
    as graphc/stages/legs.py ``quantity`` does. A size in units that is not a whole number of a known
    lot is refused, as GC305 would flag it. ``missing`` says why there is no ``node``."""
    try:
        q = parse_quantity(text)
    except UnitError as exc:
        raise AmendRefused(_unit_message(exc)) from None
    if q.kind == "derived" or q.amount is None:
        raise AmendRefused(f"{text!r}: a running node's size cannot become derived")
    amount = q.amount
    if q.kind in ("asset", "shares"):
        if node is None:
            raise AmendRefused(
                f"cannot check that {text!r} is in the node's unit: {missing}; or write a plain number of base units"
            )
        expected = "shares" if node.type_ == "prediction" else base_asset(node.symbol)
        if q.kind == "shares" and node.type_ != "prediction":
            raise AmendRefused(f"{text!r}: shares/contracts are for prediction legs; {node.symbol} trades {expected}")
        if q.kind == "asset" and q.asset != expected:
            raise AmendRefused(f"{text!r} is in {q.asset} but {node.symbol} trades {expected}")
    elif q.kind == "notional":
        if node is None or node.limit is None:
            why = missing if node is None else "it is a market node"
            raise AmendRefused(f"{text!r} is a notional size: it needs the node's limit price, and {why}")
        if not _in_dollars(node):  # as a playbook's notional size (graphc/stages/legs.py)
            raise AmendRefused(
                f"{text!r} is in dollars, but {node.symbol} is not priced in dollars (graphc has no exchange rates); "
                f"write the size in {base_asset(node.symbol)}"
            )
        if amount > 0:
            lot = _facts(node).lot
            step = size_step(lot)
            amount = divide_to_step(amount, node.limit, step)
            if amount <= 0:
                under = (
                    f"one lot ({plain(step)})"
                    if lot is None or lot == step
                    else f"{plain(step)} (on the {plain(lot)} lot and the wire's 1e-8)"
                )
                verb = "sells" if node.side == "sell" else "buys"
                raise AmendRefused(f"{text!r} {verb} less than {under} at the limit {plain(node.limit)}")
    if amount <= 0:
        raise AmendRefused(f"{text!r} must be positive")
    if node is not None and q.kind != "notional":
        _check_lot(text, amount, node)
    try:
        return to_scaled(amount, 8, "quantity")
    except UnitError as exc:
        raise AmendRefused(_unit_message(exc)) from None


def _check_lot(text: str, amount: Decimal, node: RecordedNode) -> None:
    """AmendRefused unless ``amount`` is a whole number of the node's lot (when graphc knows one), as GC305."""
    facts = _facts(node)
    lot = facts.lot
    if lot is None or lot <= 0 or is_multiple(amount, lot):
        return
    if facts.venue == "kalshi" and lot == 1:  # GC305's wording (graphc/rules/venue.py)
        raise AmendRefused(f"{text!r} is not a whole number of contracts; Kalshi trades whole contracts")
    raise AmendRefused(f"{text!r} is not a multiple of {facts.venue or node.symbol}'s {plain(lot)} lot")


def unchecked_increase(qty_1e8: int, current_1e8: int, record: Record, node_name: str) -> str | None:
    """Why a new size of the node is not sent when the ledger holds no copy of its graph, or None: a size larger
    than the router's (a derived node's 0 included) is refused, as none of graphc's checks of it can run (the
    graph's max_notional, lint's, whether the graph is LIVE); the 10x guard alone, the one the router's answer
    allows, would let a 9x increase of a real-money order through unchecked (audit ops19 3)."""
    if record.node is not None or qty_1e8 <= current_1e8:
        return None
    return (
        f"{plain(amount_of(qty_1e8))} is more than node {node_name}'s size {plain(amount_of(current_1e8))}, and "
        f"graphc cannot check a larger size (the graph's max_notional, graphc lint's checks, whether it is LIVE): "
        f"{record.missing}; nothing sent"
    )


def max_notional_unchecked(node: RecordedNode | None, node_name: str) -> str | None:
    """Why :func:`size_change` cannot compare a new size of the node (named ``node_name``) with the graph's
    max_notional, or None when it does (a node of a graph graphc has no copy of: the caller says why)."""
    if node is None:
        return "graphc has no copy of the graph"
    if node.max_notional is None:
        return "the graph has no max_notional"
    if node.limit is None:
        return f"node {node_name} is a market order (no limit price)"
    if not _in_dollars(node):
        return f"{node.symbol} is not priced in dollars"
    return None


def size_change(qty_1e8: int, current_1e8: int, node: RecordedNode | None, *, confirmed: bool) -> str:
    """``size 0.00555555 -> 0.00666666 BTC``, after the guards: AmendRefused when the new size's
    notional at the node's limit is above the graph's max_notional_usd (even with ``confirmed``), or
    it is more than MAX_FACTOR times the node's size and not ``confirmed``. The max_notional guard runs
    when :func:`max_notional_unchecked` is None."""
    new = _shown(qty_1e8, node)
    # the cases max_notional_unchecked names are the ones this skips
    if node is not None and node.limit is not None and node.max_notional is not None and _in_dollars(node):
        notional = times(amount_of(qty_1e8), node.limit)  # exact, as GC501 reads it (graphc.numbers)
        if notional > node.max_notional:
            raise AmendRefused(
                f"{new} at the limit {plain(node.limit)} is {usd(notional)}, above the "
                f"graph's max_notional_usd {usd(node.max_notional)}; nothing sent"
            )
    if not confirmed and current_1e8 > 0 and qty_1e8 > MAX_FACTOR * current_1e8:
        # cut, never raised past the true factor; shown to 0.1, or to as many decimals as show it is more than 10
        # (10.0000018... is `10.000001x`, never "10x ..., more than 10x": audit money20 4b)
        factor = _FACTOR.divide(Decimal(qty_1e8), Decimal(current_1e8))
        raise AmendRefused(
            f"{new} is {plain(beside(factor, Decimal(MAX_FACTOR), 1))}x the node's size {_shown(current_1e8, node)}, "
            f"more than {MAX_FACTOR}x; "
            "nothing sent (check the units; add --yes if you mean it)"
        )
    return f"size {plain(amount_of(current_1e8))} -> {new}"


def size_guard_unapplied(current_1e8: int, node_name: str) -> str | None:
    """Why the MAX_FACTOR guard of :func:`size_change` could not compare a new size with the node's, or None
    when it could: the router reports no size for the node (0 for a pending node whose size is derived from
    another node's fills, orders-and-execution-graphs.md, Quantity), so there is nothing to be 10x of."""
    if current_1e8 > 0:
        return None
    return (
        f"the router reports node {node_name}'s size as {plain(amount_of(current_1e8))} (a derived size not yet known)"
    )


@dataclass(frozen=True)
class AmendLint:
    """What graphc's lint says of the amended node (:func:`lint_amended`)."""

    errors: list  # Diagnostics of the node: the amend is refused
    warnings: list  # Diagnostics of the node: printed, the amend goes on
    skipped: list  # the codes of the checks of what the amend changes that could not run (a fact graphc lacks)
    unchecked: str | None = None  # why no rule could run on the node at all
    incomplete: str | None = None  # an input error in the node that the config demoted: the amend is refused


def lint_amended(node: RecordedNode, changes: dict, config: Config | None = None) -> AmendLint:
    """Lint the graph the ledger recorded with the node changed as the PATCH ``changes`` changes it, the way
    ``graphc lint`` lints a wire file (:func:`graphc.lint.lint_source`, with the project's ``config``: its
    rule severities and market facts), and keep what concerns that node.

    The PATCH (orders-and-execution-graphs.md, "Amend Graph Node") sets the node's fixed ``qty_1e8`` and
    its ``execution`` ``urgency``, ``max_slippage_bps`` and ``horizon_ms``; the rest of the node is as
    submitted (an earlier amend is not known here: the ledger records the submission). The run tag is taken
    off the node ids first, so findings name the node as the playbook did.

    A finding is the node's when it points inside the node; the rest of the graph's findings are left out
    (they do not concern this amend). A skipped check is kept when it points at a value the amend changes
    (the quantity, the execution field) or at something that holds it: a check of the limit price that
    needs a quote (GC404) was as unchecked when the graph was submitted and the amend does not change it. An input error elsewhere stops every rule (``graphc lint`` runs none on a file
    it cannot read as a wire graph): ``unchecked`` says so.
    """
    from graphc.api.runtag import untagged_node_id  # deferred: the checks need the ledger's graph
    from graphc.lint import LintOptions, lint_source  # deferred: the rules
    from graphc.pipeline import CompileOptions  # deferred: as above
    from graphc.stages.emit import to_json  # deferred: as above
    from graphc.stages.load import load_text  # deferred: as above
    from graphc.stages.triggers import JsonFloat  # deferred: as above

    assert node.wire is not None and node.node_id is not None, "a node recorded_node read"
    graph = json.loads(node.wire, parse_float=JsonFloat)
    nodes = graph["nodes"]
    (index,) = [i for i, n in enumerate(nodes) if n.get("node_id") == node.node_id]  # as _node_of found it
    for each in nodes:
        if isinstance(each, dict) and isinstance(each.get("node_id"), str):
            each["node_id"] = untagged_node_id(each["node_id"])
    for edge in graph.get("edges") or []:
        for end in ("from_node", "to_node"):
            if isinstance(edge, dict) and isinstance(edge.get(end), str):
                edge[end] = untagged_node_id(edge[end])
    amended = nodes[index]
    if "qty_1e8" in changes:
        amended["quantity"] = {"fixed": {"qty_1e8": changes["qty_1e8"]}}
    execution = {k: v for k, v in changes.items() if k != "qty_1e8"}
    if execution:
        before = amended.get("execution")
        amended["execution"] = {**(before if isinstance(before, dict) else {}), **execution}
    text = to_json(graph)
    name = f"{node.node_id} (amended)"
    market = config.market_config if config is not None else None
    options = LintOptions(compile=CompileOptions(require_quotes=False, market_config=market), config=config)
    outcome = lint_source(text, name, options, keep_wire=False)
    result = outcome.result
    assert result is not None  # explicit: a file that is not graphc's is still a result
    doc, _ = load_text(text, name)
    assert doc is not None  # the text to_json wrote
    paths = {span: path for path, span in doc.spans.items()}  # a finding's span is the span of its wire path
    here = ("nodes", index)

    def of_node(span) -> bool:
        return paths.get(span, ())[:2] == here

    changed: list[tuple] = [(*here, "quantity")] if "qty_1e8" in changes else []
    changed += [(*here, "execution", key) for key in changes if key != "qty_1e8"]

    def of_change(span) -> bool:  # inside a value the amend changes, or something that holds one (the node)
        path = paths.get(span)
        return path is not None and any(path[: len(c)] == c or c[: len(path)] == path for c in changed)

    inside = [d for d in result.diagnostics if d.span is not None and of_node(d.span)]
    # the input error that stopped the rules, whatever graphc.toml reports it as (LintOutcome.incomplete): in the
    # node, the amend would make a node graphc cannot build (refused); elsewhere, the recorded graph is unreadable
    stopped = outcome.incomplete
    mine = stopped is not None and stopped.span is not None and of_node(stopped.span)
    elsewhere = None if mine else stopped
    skipped = {s.code for s in result.skipped if s.where is not None and of_change(s.where)}
    return AmendLint(
        errors=[d for d in inside if d.is_error],
        warnings=[d for d in inside if not d.is_error],
        skipped=sorted(skipped),
        unchecked=None
        if elsewhere is None
        else f"the graph as recorded does not read as a wire graph ({elsewhere.code} {elsewhere.message})",
        incomplete=outcome.refusal if mine else None,
    )


def _facts(node: RecordedNode):
    """The market facts (lot, the currency of prices) of the recorded node's market: graphc.toml's, then
    the built-in profile's."""
    from graphc.venues import MarketResolver  # deferred: only a --qty with a recorded node asks

    return MarketResolver({}, node.market_config).facts(node.symbol, node.venue, node.type_)


def _in_dollars(node: RecordedNode) -> bool:
    """Whether the node's prices are dollars, so a notional at its limit compares with dollar amounts."""
    return _facts(node).cost_unit in DOLLARS


def _shown(qty_1e8: int, node: RecordedNode | None) -> str:
    if node is None:
        return plain(amount_of(qty_1e8))
    return quantity_text(qty_1e8, node.symbol, node.type_, node.venue) or plain(amount_of(qty_1e8))


def _unit_message(exc: UnitError) -> str:
    return exc.message + (f"; {exc.hint}" if exc.hint else "")
