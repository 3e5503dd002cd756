"""FROZEN reference copy of the lint rule checks, the rule runner and the wire facts as of 186f3b0 (before they
were made cheaper: inline readings, shared facts, and sufficient tests that skip the full check).

tests/test_rules_reference.py holds the live rules to this copy's output, item by item, on the examples and on
generated graphs; never edit it to make a test pass. Only the functions that changed are kept (docstrings and
decorators dropped); the helpers that build their messages are imported from the live modules, unchanged.

Changed since, by decision and with the live rules in the same commit: GC501/GC503 compare only notionals
priced in dollars with max_notional_usd (``_dollar_notional``; tests/test_rules_risk.py says why); GC301/GC302
warn when a uniform TWAP slice (qty / num_slices) is under the venue's minimum (tests/test_rules_venue.py);
GC404/GC406 skip a limit order that an on_price edge starts, which meets the market after the move, not today's
quote (``_quoted_limits``; playbook-spec.md §4, audit graph.md 3, tests/test_rules_execution.py);
GC210 also reports a wire edge whose edge_id an earlier edge has (audit graph.md 1, tests/test_rules_graph.py);
a prediction node that pins no venue is read on the venue its symbol names (``MarketResolver.facts``, spec §3.1
rules 3-4; tests/test_rules_venue.py), as compile writes it; GC406 shows its percentage with the digits it takes
to read as more than 10% (``numbers.above``; audit graph.md 5); GC306 also reports a prediction-shaped symbol
whose wire node gives no type, which the router reads as spot (audit refex.md 1, tests/test_rules_venue.py);
GC407 skips, instead of passing, a limit order whose on_price edge watches another symbol than it trades
(``_elsewhere``; spec §8 and venue-rules.md: skipped, never passed; audit price.md 1, tests/test_rules_execution.py);
GC301/GC309/GC501/GC503 show an amount against its bound with the digits it takes to read on its side of it, the
bound as given and a suggested cut rounded up to a cent (``usd(.., than=)``, ``usd_exact``, ``usd_up``, ``_money``'s
bound; audit docs.md 2, tests/test_numbers.py); GC404 also warns when a limit template that takes the touch as
written no longer does once compile put it on the grid for generated prices (``_moved_off_touch``, read from
``GraphFacts.unaligned``, which only a compiled playbook has; spec §4, audit rulesB.md 2, tests/test_rules_execution.py);
GC301/GC309/GC501/GC503 multiply and add notionals exactly
(``numbers.times``/``plus``/``minus``, not the 28-digit default context: playbook-spec.md §3.2) and GC503 lists its
largest legs with as many decimals as its total shows (audit rulesA.md 3 and 6, tests/test_rules_risk.py);
GC301/GC309/GC501/GC503 skips of a market order whose quote lacks the side it meets say so ("the quote for X has no
ask", ``facts.missing_side``) instead of "no quote for X" (audit rulesA.md 6);
GC305 warns when a uniform TWAP slice (qty / num_slices) is off a lot coarser than the wire's 1e-8, as GC301/GC302
do for their minimums (``_slices_off_lot``; audit verdict17 1, tests/test_rules_venue.py); GC408 counts every exit
of a parent, names them all (``suggest.listed``) with their whole total, and decides on the exits of known size
when they already overfill (audit verdict17 2, tests/test_rules_execution.py); GC306 also reports a symbol whose
shape names one prediction venue pinned to the other (``owning_venue``, spec §3.1 rules 3-4; audit venue18 1,
tests/test_venue_pins.py), and says of a prediction node on Hyperliquid that graphc does not model its outcome
markets rather than that it lists none (``_UNMODELLED_OUTCOMES``; audit venue18 2); GC404's hint crosses by the
snapshot's tick only where the market uses it (not a Polymarket tick its venue cannot have: audit venue18 3), and
is skipped, instead of passing, a limit order whose quote has no price on its side (audit venue18 4,
tests/test_quotes_snapshot.py); GC304 and GC308 skip, instead of passing, a limit order with no venue pinned or
on a venue graphc does not know, as GC303 does (audit venue18 5, tests/test_lint_cli.py); GC404/GC406 skip, and
GC407 checks against the level of the move, a leg reachable from a leg an on_price edge starts too: it is placed
after that move (``_price_waits``; audit exec20 1, tests/test_rules_execution.py); GC405 compares a hedge's size with
its parent's only in one unit (a base asset; prediction shares, or Kalshi contracts: ``_size_unit``), skips the sizes
of different assets and warns of a `derived` hedge on another asset (audit exec20 3, tests/test_rules_execution.py);
GC208 reports an on_price level outside a prediction market's own range (GC304's: Kalshi 0.01-0.99, Polymarket
tick .. 1 - tick, else strictly inside 0..1), which never fires (in the live ``_price_findings``, imported here; audits
exec20 4, rules26 1, tests/test_rules_graph.py); GC404/GC406 skip a
limit order whose symbol has no quote saying why (``graphc.quotes.no_quote_reason``): "(pass --quotes)" only when
no quotes were given, else the snapshot has no entry for it (with a key nearly it) or the router has none (audit
quotes20 8, tests/test_quote_answers.py); GC404's hint at the touch crosses with what compiles on the market: by one
tick where graphc knows the tick, else `ask + 5bps` or a literal price, and a price on a wire graph (``cross_hint``;
audit ruledoc21 1, tests/test_hints_followed.py); GC206's hint names the leg to start and what to write there,
in the playbook's words or the wire graph's (``no_root_hint``; audit ruledoc21 3); GC208's hints write an `after:`
text or an edge mapping's keys in a playbook and the wire's JSON in a wire graph (``condition_hint``, ``_TIMEOUT_KEYS``
and the live ``_ratio_findings``/``_price_findings``; audit ruledoc21 4), GC204's an `after:` or a wire edge from the
first root (``orphan_hint``), GC407's on a wire graph the price `trigger ± 0.5%` compiles to (``_gc407_hint``,
``_gc407_behind_hint``: audit ruledoc21 4); GC305 offers only the sizes on the lot the venue accepts: none under its
minimum size or notional, else the smallest that is (``lot_options``; audit ruledoc21 5).
GC301/GC309/GC501/GC503 show every amount exactly, in the one money text graphc shows (``usd``, ``_money``; never
rounded or cut to cents, the suggested cut too: it replaces ``usd(.., than=)``, ``usd_exact``, ``usd_up`` and the
largest legs' ``places``), GC301 says of a notional size (``GraphFacts.notionals``, compile's only) that compile
rounded it down to the lot (``_lot``) and gives the notional that buys the smallest size its hint names, now exactly
on the lot (``_min_qty``: 6.67 shares, not 7; audit desk21 1, tests/test_money_in_reports.py); GC405's different
assets say of a symbol without '-' that its whole name is its base asset, and the spelling with one that would be
compared (``_undashed_note``, in the skip and the derived warning's hint; audit desk21 2,
tests/test_rules_execution.py); GC503's skip names each leg's own cause in `graphc plan`'s words
(``facts.notional_gap``: `pm-no (derived size)`), not every cause for every leg (audit desk21 4,
tests/test_rules_risk.py). A node traded as a prediction market reads its quote without a price outside
0 < p < 1 (``venues.market_quote``: `ask: 41` is cents, GC105 at the snapshot's value; audit ci22 2,
tests/test_prediction_quote_range.py). The findings on a node's size or limit price (GC301, GC302, GC303, GC304,
GC305, GC308, GC309) and GC208's on an `on_timeout` delay are at the wire's number, `qty_1e8`, `price_1e9`, `ms`
(``NodeFacts.size_at``/``limit_at``, ``_trigger_at``; spec §1, audit wirelint23 6, tests/test_wire_locations.py);
their skips stay at the field. GC305's TWAP hint on a size compile worked out from a notional offers only the
sizes within the notional written, and the notional that buys it (``_slices_off_lot``'s ``written``; audit
selfcons24 2, tests/test_notional_size_hints.py). GC302 on a notional size says how compile worked the size out
and gives the notional that buys the minimum, in GC301's words (``_bought``, ``_notional_for``, ``_least_size``;
audit selfcons24 4). GC406 on a playbook judges a template's price as written (``GraphFacts.unaligned``): one
within the threshold that only the grid's rounding took past it is not reported (audit selfcons24 3,
tests/test_rules_execution.py).; GC302's hint gives a size that clears the
minimum notional too where the price is known, GC301's number (``_least_size``; audit consist27 3,
tests/test_hints_followed.py)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import islice

from graphc.diagnostics import Skip
from graphc.facts import (
    _NO_FIELDS,
    EdgeFacts,
    GraphFacts,
    NodeFacts,
    missing_side,
    notional_gap,
    wire_limit,
    wire_qty,
)
from graphc.numbers import above, is_multiple, minus, plain, plus, times, usd
from graphc.quotes import no_quote_reason
from graphc.rules.execution import (
    CONTRADICTIONS,
    FAR_FROM_MID,
    _elsewhere,
    _gc407_behind_hint,
    _gc407_hint,
    _leg,
    _moved_off_touch,
    _size_unit,
    _sized,
    _turned_back,
    _undashed_note,
    cross_hint,
)
from graphc.rules.risk import _LIMIT, TOP_LEGS, _unknown_reason, max_notional
from graphc.rules.venue import (
    _BELOW_MIN_EFFECT,
    _UNMODELLED_OUTCOMES,
    _amount,
    _bought,
    _least_size,
    _lot,
    _min_qty,
    _money,
    _neighbours,
    _notional_for,
    _prediction_hint,
    _price_ok,
    _qty_unknown,
    _range_text,
    _set_it,
    _slices_off_lot,
    _type_words,
    _venue_name,
    _verb,
    fmt,
    lot_options,
)
from graphc.stages.checks import Finding, LintContext, Rule, RuleRun, Skipped
from graphc.stages.graph_rules import (
    _PLAIN_TRIGGERS,
    _TIMEOUT_KEYS,
    MAX_CYCLES,
    _freeze,
    _loop,
    _names,
    _price_findings,
    _ratio_findings,
    _rotate,
    _trigger_at,
    condition_hint,
    edge_label,
    no_root_hint,
    orphan_hint,
)
from graphc.stages.suggest import listed
from graphc.stages.wiregraph import find_cycle, is_acyclic, number, trigger_name, trigger_problem
from graphc.venues import MarketResolver, market_quote, owning_venue
from graphc.venues.prices import WIRE_QTY_STEP, figures_step, form_problem, off_tick, size_step
from graphc.vocabulary import DEFAULT_POLICY, FILL_TRIGGERS, PREDICTION_VENUES, RATIO_TRIGGER

_UNKNOWN_TEXTS: dict[tuple, str] = {}
_MAX_UNKNOWN_TEXTS = 4096

# -- graphc/rules/venue.py ----------------------------------------------------------------------------


def _unknown(node, what: str, key: str) -> str:
    asked = (node.venue, node.symbol, node.market.known_venue, what, key)
    text = _UNKNOWN_TEXTS.get(asked)
    if text is None:
        if node.venue is None:
            text = (
                f"no venue pinned (the router picks one), so the {what} is unknown; pin a venue or {_set_it(node, key)}"
            )
        elif not node.market.known_venue:
            text = f"venue {node.venue!r} is unknown (GC307), so its {what} is unknown; {_set_it(node, key)}"
        else:
            text = f"{node.venue}'s {what} for {node.symbol} is unknown; {_set_it(node, key)}"
        if len(_UNKNOWN_TEXTS) < _MAX_UNKNOWN_TEXTS:
            _UNKNOWN_TEXTS[asked] = text
    return text


def check_min_notional(ctx):
    for node in ctx.nodes:
        where, m = node.at("quantity"), node.market
        minimum = m.limits["market_cost" if node.market_order else "cost"].min
        qty, price = node.qty, node.reference
        if minimum == 0:
            continue
        if minimum is None:
            what = "market-order minimum notional" if node.market_order else "minimum notional"
            yield Skipped(where, _unknown(node, what, "min_notional_market" if node.market_order else "min_notional"))
        elif qty is None:
            yield Skipped(where, _qty_unknown(node))
        elif price is None or price <= 0:
            what = "market order" if node.market_order else "price template"
            missing = missing_side(node) or f"no quote for {node.symbol}"
            yield Skipped(where, f"{what} and {missing}: the notional is unknown")
        elif times(qty, price) < minimum:
            venue = _venue_name(node)
            effect = _BELOW_MIN_EFFECT.get(venue, "the venue rejects it")
            need = _min_qty(m, minimum, price)
            written = ctx.facts.notionals.get(node.node_id)
            why = (
                f": {usd(written)} at {fmt(price)} buys {_amount(node, qty)} after rounding down to {_lot(m)}"
                if written is not None and written != times(qty, price)
                else ""
            )
            more = f", or write a notional of {usd(times(need, price))} or more (it buys that many)" if written else ""
            yield Finding(
                node.size_at,
                f"{venue.capitalize()} order notional {_money(times(qty, price), m.cost_unit)} is below the "
                f"{_money(minimum, m.cost_unit)} minimum{why}; {effect}.",
                f"{_verb(node)} at least {_amount(node, need)} at {fmt(price)}{more}.",
            )
        elif node.pacing is not None and node.pacing[0] > 1 and times(qty, price) < times(minimum, node.pacing[0]):
            slices, each = node.pacing[0], _money(minimum, m.cost_unit)
            most = times(qty, price) // minimum
            yield Finding(
                node.size_at,
                f"{_money(times(qty, price), m.cost_unit)} in {fmt(slices)} TWAP slices is under the {each} minimum a "
                "slice (each slice is an order)",
                f"Use at most {fmt(most)} slices (at least {each} a slice), or a larger order."
                if most >= 2
                else f"Send it as one order (no twap), or a larger order with at least {each} a slice.",
                severity="warning",
            )


def check_min_size(ctx):
    for node in ctx.nodes:
        where, m = node.at("quantity"), node.market
        minimum, qty = m.limits["amount"].min, node.qty
        if minimum == 0:
            continue
        if minimum is None:
            yield Skipped(where, _unknown(node, "minimum size", "min_size"))
        elif qty is None:
            yield Skipped(where, _qty_unknown(node))
        elif qty < minimum:
            note = ""
            venue = _venue_name(node)
            if m.origin.get("min_size", "").endswith(" default"):
                note = f" ({fmt(minimum)} is {venue}'s usual minimum; {_set_it(node, 'min_size')} if it differs)"
            written, price = ctx.facts.notionals.get(node.node_id), node.reference
            priced = price is not None and price > 0
            notional = written is not None and priced
            least = _least_size(node, minimum, price) if priced else minimum
            yield Finding(
                node.size_at,
                f"size {_amount(node, qty)} is below {venue}'s minimum of {_amount(node, minimum)}"
                + (_bought(node, written, price, qty) if notional else ""),
                f"{_verb(node)} at least {_amount(node, least)}"
                + (f" at {fmt(price)}" if least != minimum else "")
                + note
                + (f", or {_notional_for(least, price)}" if notional else "")
                + ".",
            )
        elif node.pacing is not None and node.pacing[0] > 1 and qty / node.pacing[0] < minimum:
            slices, each, most = node.pacing[0], _amount(node, minimum), qty // minimum
            yield Finding(
                node.size_at,
                f"{_amount(node, qty)} in {fmt(slices)} TWAP slices is under {_venue_name(node)}'s minimum of "
                f"{each} a slice (each slice is an order)",
                f"Use at most {fmt(most)} slices (at least {each} a slice), or a larger order."
                if most >= 2
                else f"Send it as one order (no twap), or a larger order with at least {each} a slice.",
                severity="warning",
            )


def check_tick(ctx):
    for node in ctx.nodes:
        where, m, price = node.at("order_type"), node.market, node.limit
        if price is None:
            continue
        if m.tick_for(price) is None:
            if not m.sig_figs:  # Hyperliquid has no fixed tick: GC308 checks the price form
                yield Skipped(where, _unknown(node, "tick", "tick") + " (or give it in the quotes snapshot)")
            continue
        tick = off_tick(price, m)
        if tick is None:
            continue
        band = m.band_for(price)
        span = f" for prices {fmt(band.lo)}-{fmt(band.hi)}" if band else ""
        hint = "use " + _neighbours(price, tick, _price_ok(m))
        if not band and m.tick_is_default:
            hint += f" ({fmt(tick)} is graphc's default check; give the market's tick in the quotes snapshot)"
        yield Finding(node.limit_at, f"price {fmt(price)} is not on {_venue_name(node)}'s {fmt(tick)} tick{span}", hint)


def check_price_range(ctx):
    for node in ctx.nodes:
        where, m, price = node.at("order_type"), node.market, node.limit
        if price is None:
            continue
        prediction = m.prediction if m.prediction is not None else node.type == "prediction"  # a known venue wins
        cents = "prediction prices are dollars per share (55c = 0.55); " if prediction and price >= 1 else ""
        low, high = m.limits["price"].min, m.limits["price"].max
        if (low is not None and price < low) or (high is not None and price > high):
            yield Finding(
                node.limit_at,
                f"price {fmt(price)} is outside {_venue_name(node)}'s {_range_text(low, high)}",
                f"{cents}use a price in the {_range_text(low, high)}",
            )
        elif prediction and not 0 < price < 1:
            yield Finding(
                node.limit_at,
                f"price {fmt(price)} is not strictly between 0 and 1",
                f"{cents}use a price between 0 and 1",
            )
        elif low is None or high is None:
            yield Skipped(where, _unknown(node, "price range", "price_min and price_max"))


def check_lot(ctx):
    for node in ctx.nodes:
        where, m, qty = node.at("quantity"), node.market, node.qty
        if m.lot is None:
            key = "sz_decimals" if m.sig_figs else "lot"
            yield Skipped(where, _unknown(node, "lot", key) + " (or give lot in the quotes snapshot)")
        elif qty is None:
            yield Skipped(where, _qty_unknown(node))
        elif m.lot > 0 and not is_multiple(qty, m.lot):  # was `qty % m.lot`: it raised past 28 digits
            options = lot_options(node, qty)
            if node.venue == "kalshi" and m.lot == 1:
                yield Finding(
                    node.size_at,
                    f"size {fmt(qty)} is not a whole number of contracts; kalshi trades whole contracts",
                    f"use {options} contracts, or {_set_it(node, 'fractional = true')} if the market "
                    "allows fractional trading",
                )
                continue
            sz = f" (szDecimals {m.sz_decimals})" if m.sz_decimals is not None else ""
            yield Finding(
                node.size_at,
                f"size {_amount(node, qty)} is not a multiple of {_venue_name(node)}'s {fmt(m.lot)} lot{sz}",
                f"use {options}",
            )
        elif (
            node.pacing is not None
            and node.pacing[0] > 1
            and size_step(m.lot) != WIRE_QTY_STEP
            and not is_multiple(qty, times(m.lot, node.pacing[0]))
        ):
            yield _slices_off_lot(node, qty, node.pacing[0], ctx.facts.notionals.get(node.node_id))


def check_venue_type(ctx):
    for node in ctx.nodes:
        m = node.market
        shaped = node.shaped_venue
        owner = owning_venue(node.symbol) if node.venue in PREDICTION_VENUES else None
        if owner is not None and owner[0] != node.venue:
            yield Finding(
                node.at("instrument", "venue"),
                f"{node.symbol!r} is {owner[1]}, a {owner[0]} market, but it is pinned to {node.venue}, where it "
                f"cannot resolve (and {node.venue}'s minimums, tick and price range are not its own)",
                f"pin venue {owner[0]}, the venue the symbol belongs to, or leave the venue out",
            )
        if m.known_venue and m.prediction is None:
            yield Skipped(
                node.at("instrument", "venue"),
                f"whether {node.venue} lists prediction markets is unknown; set prediction in [venues.{node.venue}]",
            )
        elif m.prediction and node.type != "prediction":
            yield Finding(
                node.at("instrument", "type"),
                f"{node.venue} is a prediction venue but {_type_words(node)}; the router "
                "assumes spot and cannot route it",
                _prediction_hint(node, "set type: prediction"),
            )
        elif m.prediction is False and node.type == "prediction":
            yield Finding(
                node.at("instrument", "venue"),
                f"instrument type 'prediction' on {node.venue}, "
                + _UNMODELLED_OUTCOMES.get(node.venue or "", "which lists no prediction markets"),
                "pin venue polymarket or kalshi, or leave the venue out",
            )
        elif shaped and node.type in ("spot", "perp"):
            yield Finding(
                node.at("instrument", "type"),
                f"{node.symbol!r} is a {shaped} market, but {_type_words(node)}; the router "
                "would treat it as spot and cannot route it",
                _prediction_hint(node, "set type: prediction (or drop `type:`: graphc infers it from the symbol)"),
            )


def check_price_form(ctx):
    for node in ctx.nodes:
        where, m, price = node.at("order_type"), node.market, node.limit
        if price is None or price <= 0:
            continue
        if m.sig_figs is None and m.max_price_decimals_base is None:
            if node.venue is None or not m.known_venue:
                yield Skipped(where, _unknown(node, "price form (significant figures, decimals)", "sig_figs"))
            continue
        problem = form_problem(price, m)
        if problem:
            yield Finding(node.limit_at, problem, "use " + _neighbours(price, figures_step(price, m)))
        elif (
            m.sz_decimals is None and m.max_price_decimals_base is not None and price != price.to_integral_value()
        ):  # was `price % 1`
            yield Skipped(
                where,
                f"szDecimals of {node.symbol} is unknown, so the {m.max_price_decimals_base} - szDecimals "
                f"price-decimals limit cannot be checked; {_set_it(node, 'sz_decimals')}",
            )


def check_max_size(ctx):
    # Changed on purpose (audit venue.md finding 5; venue-rules.md §6: an unknown value is never a silent pass):
    # with one maximum known, the half whose maximum is unknown is a skip, no longer a pass; both unknown asks
    # for both values ("and", was "or").
    for node in ctx.nodes:
        where, m, qty = node.at("quantity"), node.market, node.qty
        max_size, max_cost = m.limits["amount"].max, m.limits["cost"].max
        if max_size is None and max_cost is None:
            yield Skipped(where, _unknown(node, "maximum size and notional", "max_size and max_notional"))
            continue
        if qty is None:
            yield Skipped(where, _qty_unknown(node))
            continue
        venue = _venue_name(node)
        if max_size is not None and qty > max_size:
            yield Finding(
                node.size_at,
                f"size {_amount(node, qty)} is above {venue}'s maximum of {_amount(node, max_size)} for {node.symbol}",
                f"split it into orders of at most {_amount(node, max_size)} (`after: LEG filled`), or check the unit",
            )
            continue
        if max_cost is None:
            yield Skipped(where, _unknown(node, "maximum notional", "max_notional"))
            continue
        size_unknown = _unknown(node, "maximum size", "max_size") if max_size is None else None
        if node.reference is None:
            no_price = (
                f"no limit price and {missing_side(node) or f'no quote for {node.symbol}'}: the notional is unknown"
            )
            yield Skipped(where, no_price if size_unknown is None else f"{no_price}; and {size_unknown}")
        elif times(qty, node.reference) > max_cost:
            yield Finding(
                node.size_at,
                f"order notional {_money(times(qty, node.reference), m.cost_unit)} is above {venue}'s maximum of "
                f"{_money(max_cost, m.cost_unit)} for {node.symbol}",
                "split it into smaller orders, or check the size and price",
            )
        elif size_unknown is not None:
            yield Skipped(where, size_unknown)


# -- graphc/rules/risk.py -----------------------------------------------------------------------------


def _dollar_notional(node):
    """The notional, when the market is priced in dollars (added with the limit's currency, see the header)."""
    return node.notional if node.market.cost_unit in ("USD", "USDC", "USDT") else None


def check_max_notional(ctx):
    limit = max_notional(ctx.wire)
    if limit is None:
        return
    for node in ctx.nodes:
        notional = _dollar_notional(node)
        if notional is None:
            yield Skipped(node.at("quantity"), f"the order's notional is unknown: {_unknown_reason(node)}")
        elif notional.copy_abs() > limit:
            yield Finding(
                node.at("quantity"),
                f"order {node.node_id!r} is {usd(notional.copy_abs())} notional, above risk.max_notional "
                f"{usd(limit)}: the router refuses the graph at admission",
                hint=f"cut this order by {usd(minus(notional.copy_abs(), limit))} or more, or raise risk.max_notional",
            )


def check_gross_notional(ctx):
    limit = max_notional(ctx.wire)
    if limit is None:
        return
    known, unknown, priced = [], [], []
    for node in ctx.nodes:
        notional = _dollar_notional(node)
        name = node.node_id or f"nodes[{node.index}]"
        if notional is None:
            unknown.append(f"{name} ({notional_gap(node.derived, node.qty, node.reference, node.market.cost_unit)})")
            if node.notional is not None or missing_side(node):
                priced.append(node)
        else:
            known.append((notional.copy_abs(), name))
    if any(value > limit for value, _ in known):
        return  # one order alone is over the limit: GC501 reports it, and fixing it is the first step
    total = Decimal(0)
    for value, _ in known:
        total = plus(total, value)
    if total <= limit:
        if unknown:
            yield Skipped(
                _LIMIT,
                f"notional unknown for {', '.join(unknown[:TOP_LEGS])}"
                f"{' and more' if len(unknown) > TOP_LEGS else ''}"
                + (f": {_unknown_reason(priced[0])}" if priced else ""),
            )
        return
    top = sorted(known, key=lambda item: item[0], reverse=True)[:TOP_LEGS]
    legs = ", ".join(f"{name} {usd(value)}" for value, name in top)
    legs_word = "leg" if len(unknown) == 1 else "legs"
    partial = f" (at least; {len(unknown)} {legs_word} of unknown dollar notional not counted)" if unknown else ""
    yield Finding(
        _LIMIT,
        f"gross notional {usd(total)}{partial} of all legs is above risk.max_notional {usd(limit)}; "
        f"largest legs: {legs}",
        hint=f"if the router sums the graph at admission it refuses this one: cut {usd(minus(total, limit))} from "
        "the legs or raise risk.max_notional",
    )


# -- graphc/rules/execution.py ------------------------------------------------------------------------


def check_contradictions(ctx):
    for node in ctx.nodes:
        for c in CONTRADICTIONS:
            if c.applies(node):
                text = c.message.format(policy=node.policy, tif=node.tif)
                yield Finding(node.at("execution", c.field), f"node {node.node_id!r}: {text}", hint=c.hint)


def trigger_level(ctx, edge):
    return LintContext.trigger_level(ctx, edge.src, edge.on_price)  # (moved to the context, unchanged)


def _direct_price_edges(ctx) -> dict:
    """node id -> the on_price edges into it."""
    direct: dict = {}
    for edge in ctx.edges:
        if isinstance(edge.trigger, dict) and "on_price" in edge.trigger:
            direct.setdefault(edge.dst, []).append(edge)
    return direct


def _price_waits(ctx) -> dict:
    """node id -> (the on_price edges whose move has happened when it is placed, in edge order; None for a leg an
    on_price edge starts, else the target of the first of them): each target's descendants, walked one by one up to
    the next target (added: audit exec20 1)."""
    direct = _direct_price_edges(ctx)
    waits = {dst: (edges, None) for dst, edges in direct.items()}
    found: dict = {}
    for dst, edges in direct.items():
        seen, todo = set(), list(ctx.facts.children.get(dst, ()))
        while todo:
            node_id = todo.pop()
            if node_id in direct or node_id in seen:
                continue
            seen.add(node_id)
            found.setdefault(node_id, set()).update(e.index for e in edges)
            todo.extend(ctx.facts.children.get(node_id, ()))
    by_index = {edge.index: edge for edge in ctx.edges}
    for node_id, indexes in found.items():
        edges = [by_index[i] for i in sorted(indexes)]
        waits[node_id] = (edges, edges[0].dst)
    return waits


def _quoted_limits(ctx):
    waits = _price_waits(ctx)
    for node in ctx.nodes:
        if node.limit is None:
            continue
        if node.node_id in waits:
            behind = waits[node.node_id][1]
            why = "on_price" if behind is None else f"it is placed after {behind!r}, which an on_price edge starts"
            reason = f"{node.node_id!r} waits for a price move ({why}); "
            yield (
                node,
                Skipped(node.at("order_type"), reason + "today's quote does not describe the market it will meet"),
            )
            continue
        if node.quote is None:
            yield node, Skipped(node.at("order_type"), no_quote_reason(node.symbol, ctx.facts.quotes))
            continue
        yield node, node.quote


def check_at_touch(ctx):
    for node, quote in _quoted_limits(ctx):
        if isinstance(quote, Skipped):
            yield quote
            continue
        side, price = node.side, node.limit
        touch, name = {"buy": (quote.ask, "ask"), "sell": (quote.bid, "bid")}.get(side, (None, None))
        if touch is None:
            if name is not None:
                yield Skipped(node.at("order_type"), f"the quote for {node.symbol!r} has no {name}")
            continue
        if price != touch:
            written = ctx.facts.unaligned.get(node.node_id)
            found = None if written is None else _moved_off_touch(node, quote, touch, name, written)
            if found is not None:
                yield found
            continue
        yield Finding(
            node.at("order_type"),
            f"node {node.node_id!r} {side}s at {plain(price)}, exactly the {name}: if the {name} "
            "moves first the order rests instead of filling",
            hint=cross_hint(node, quote, price, name, playbook=ctx.playbook),
        )


def check_hedge_size(ctx):
    seen = set()
    for edge in ctx.edges:
        if not (isinstance(edge.trigger, str) and edge.trigger in FILL_TRIGGERS) or (edge.src, edge.dst) in seen:
            continue
        parent, child = ctx.node(edge.src), ctx.node(edge.dst)
        if parent.symbol == child.symbol or (child.qty is None and not child.derived):
            continue  # same instrument: an exit, not a hedge
        units = [_size_unit(parent), _size_unit(child)]
        if units[0] != units[1]:  # different assets: never compared (added: audit exec20 3)
            seen.add((edge.src, edge.dst))
            if child.derived:
                copied = (
                    f"{_sized(parent.qty, units[0])} filled {child.side}s {_sized(parent.qty, units[1])}"
                    if parent.qty is not None
                    else f"its size is the parent's fill quantity read as {units[1]}"
                )
                yield Finding(
                    child.at("quantity"),
                    f"hedge {child.node_id!r} is sized `derived` on {child.symbol} but its parent {parent.node_id!r} "
                    f"{parent.side}s {parent.symbol} ({edge.label}, {edge.trigger}): the router copies the parent's "
                    f"fill quantity, so {copied}",
                    hint=f"size it fixed in {units[1]}, its own unit (what the parent's fills are worth in "
                    f"{units[1]}): `derived` copies the parent's quantity, not its value"
                    + _undashed_note(parent, child, *units),
                )
            else:
                yield Skipped(
                    child.at("quantity"),
                    f"{_sized(parent.qty, units[0])} and {_sized(child.qty, units[1])} are different assets: "
                    "the hedge's size is not compared with its parent's (graphc has no exchange rates)"
                    + _undashed_note(parent, child, *units),
                )
            continue
        if child.derived or parent.qty is None or parent.qty == child.qty:
            continue
        seen.add((edge.src, edge.dst))
        yield Finding(
            child.at("quantity"),
            f"hedge {child.node_id!r} {_leg(child)} but its parent {parent.node_id!r} {_leg(parent)} "
            f"({edge.label}, {edge.trigger})",
            hint=f"size the hedge like its parent ({plain(parent.qty)}), "
            "or use a derived quantity to follow the parent's fills",
        )


def check_far_from_mid(ctx):
    for node, quote in _quoted_limits(ctx):
        if isinstance(quote, Skipped):
            yield quote
            continue
        mid = quote.base("mid")
        if not mid:
            yield Skipped(node.at("order_type"), f"the quote for {node.symbol!r} has no bid/ask or mid")
            continue
        price = node.limit
        written = ctx.facts.unaligned.get(node.node_id, (None, None))[1]
        if node.type == "prediction" or node.market.prediction:
            gap = abs(price - mid)  # prices are probabilities: compare in price points
            if gap > FAR_FROM_MID and (written is None or abs(written - mid) > FAR_FROM_MID):
                yield Finding(
                    node.at("order_type"),
                    f"node {node.node_id!r} limit {plain(price)} is {plain(gap)} {'above' if price > mid else 'below'} "
                    f"the quote mid {plain(mid)} (more than {plain(FAR_FROM_MID)} on a prediction market)",
                    hint="check the price for a typo or wrong unit (55 vs 0.55), or the quote snapshot",
                )
            continue
        off = (price - mid) / mid
        if abs(off) > FAR_FROM_MID and (written is None or abs((written - mid) / mid) > FAR_FROM_MID):
            yield Finding(
                node.at("order_type"),
                f"node {node.node_id!r} limit {plain(price)} is {above(abs(off) * 100, FAR_FROM_MID * 100)}% "
                f"{'above' if off > 0 else 'below'} the quote mid {plain(mid)} (more than 10%)",
                hint="check the price for a typo or wrong unit (55 vs 0.55), or the quote snapshot",
            )


def check_stop_limits(ctx):
    waits = _price_waits(ctx)
    for node in ctx.nodes:
        if node.node_id not in waits:
            continue
        edges, behind = waits[node.node_id]
        for edge in edges:
            params = edge.on_price
            if params is None or node.market_order:
                continue
            watched = params.get("symbol")
            if watched != node.symbol:
                yield Skipped(node.at("order_type"), _elsewhere(node, edge, watched, behind is not None))
                continue
            if behind is not None and node.side != ctx.node(behind).side:  # a re-entry (added: lead, exec20 1)
                yield Skipped(node.at("order_type"), _turned_back(node, behind, ctx.node(behind).side))
                break
            if node.limit is None:
                yield Skipped(node.at("order_type"), "the limit price is not known (pass --quotes)")
                break
            level, basis = trigger_level(ctx, edge)
            if level is None:
                yield Skipped(node.at("order_type"), f"the trigger level of {edge.label} is unknown: {basis}")
                break
            wrong = (node.side == "sell" and node.limit > level) or (node.side == "buy" and node.limit < level)
            if wrong:
                way = "above" if node.side == "sell" else "below"
                move = f"{params.get('direction')} entry {plain(number(params.get('offset_pct')))}%"
                if behind is None:
                    yield Finding(
                        node.at("order_type"),
                        f"node {node.node_id!r} waits for {node.symbol} {move} (about {plain(level)}, from {basis}) "
                        f"but {node.side}s at limit {plain(node.limit)}, {way} that level: when it fires the order "
                        "rests instead of filling",
                        hint=f"price it from the level it fires at, e.g. `limit: trigger "
                        f"{'-' if node.side == 'sell' else '+'} 0.5%`, or make it a market order"
                        if ctx.playbook
                        else _gc407_hint(ctx, node, edges),
                    )
                else:
                    yield Finding(
                        node.at("order_type"),
                        f"node {node.node_id!r} is placed after {edge.dst!r}, which waits for {node.symbol} {move} "
                        f"(about {plain(level)}, from {basis}), but {node.side}s at limit {plain(node.limit)}, {way} "
                        "that level: when it is placed the order rests instead of filling",
                        hint=_gc407_behind_hint(node, edge, move, level, playbook=ctx.playbook),
                    )
                break


def check_overfilling_exits(ctx):
    for parent in ctx.nodes:
        children = ctx.facts.children.get(parent.node_id)
        if children is None or len(children) < 2 or parent.side is None:
            continue  # fewer than two children: fewer than two exits
        exits = [
            child
            for child in (ctx.node(c) for c in dict.fromkeys(children))
            if child.symbol == parent.symbol and child.side not in (None, parent.side)
        ]
        if len(exits) < 2:
            continue  # one exit cannot overfill beyond its own size: GC405-style sizing is the author's call
        if parent.qty is None:
            yield Skipped(exits[-1].at("quantity"), f"the size of {parent.node_id!r} is not known")
            continue
        sizes = [parent.qty if child.derived else child.qty for child in exits]
        known = [(child, size) for child, size in zip(exits, sizes, strict=True) if size is not None]
        unknown = [child for child, size in zip(exits, sizes, strict=True) if size is None]
        running = [sum((size for _, size in known[: i + 1]), Decimal(0)) for i in range(len(known))]
        crossing = next((child for (child, _), total in zip(known, running, strict=True) if total > parent.qty), None)
        if crossing is None:
            if unknown:
                yield Skipped(unknown[0].at("quantity"), f"the size of exit {unknown[0].node_id!r} is not known")
            continue
        named = [
            f"{child.node_id} {plain(size)}" if size is not None else f"{child.node_id} of unknown size"
            for child, size in zip(exits, sizes, strict=True)
        ]
        yield Finding(
            crossing.at("quantity"),
            f"exits of {parent.node_id!r} ({listed(named, sort=False)}) {crossing.side} "
            f"{'at least ' if unknown else ''}{plain(running[-1])} {crossing.symbol}, more than the "
            f"{plain(parent.qty)} it {parent.side}s; the router has no one-cancels-other, so "
            f"if {'both fire' if len(exits) == 2 else 'they all fire'} the position flips",
            hint=f"split {plain(parent.qty)} between the exits, or cancel the survivor yourself when one fills",
        )


# -- graphc/stages/graph_rules.py (was graphc/rules/graph.py) -----------------------------------------


def check_cycles(ctx):
    facts = ctx.facts
    if not facts.edges or is_acyclic(facts.children):
        return
    closing = {}
    for edge in facts.edges:
        closing.setdefault((edge.src, edge.dst), edge.index)
    try:
        import networkx as nx  # deferred: networkx; only a graph with a loop needs it
    except ImportError:  # a `graphc bundle` vendors no networkx: its run path still refuses the graph, naming one loop
        found = [find_cycle(facts.children)]
    else:
        found = list(islice(nx.simple_cycles(nx.DiGraph(list(closing))), MAX_CYCLES))
    order = {node_id: node.index for node_id, node in facts.by_id.items()}
    cycles = [_rotate(cycle, order) for cycle in found if cycle]
    for cycle in sorted(cycles, key=lambda c: [order[n] for n in c]):
        j = closing[(cycle[-1], cycle[0])]
        loop = " → ".join(_loop(cycle) + [cycle[0]])
        yield Finding(
            ("edges", j),
            f"cycle {loop}: these legs wait on each other",
            hint=f"remove or redirect one edge of the loop, e.g. {edge_label(ctx, j)} ({cycle[-1]} → {cycle[0]})",
        )


def _roots(ctx) -> list[str]:
    return [node_id for node_id, activation in ctx.activations.items() if activation == "root"]


def check_orphans(ctx):
    facts = ctx.facts
    if not _roots(ctx):
        return  # GC206 is the one fix
    for node_id, node in facts.by_id.items():
        if node.activation == "wait" and node_id not in facts.incoming and node_id not in facts.dangling:
            yield Finding(
                node.at("activation"),
                f"node {node_id!r} waits for an edge, but no edge leads to it: it never activates",
                hint=orphan_hint(ctx, node_id),
            )


def check_roots_with_edges(ctx):
    facts = ctx.facts
    for node_id, node in facts.by_id.items():
        incoming = facts.incoming.get(node_id)
        if node.activation == "root" and incoming:
            sources = _names(edge.src for edge in incoming)
            yield Finding(
                node.at("activation"),
                f"root node {node_id!r} starts at once, so its incoming edges from {sources} have no effect",
                hint="make it activation: wait to run after its parents, or delete the edges",
            )


def check_no_root(ctx):
    if ctx.facts.by_id and not _roots(ctx):
        yield Finding(
            ("nodes",),
            f"no node has activation 'root': none of the {len(ctx.facts.by_id)} nodes ever starts",
            hint=no_root_hint(ctx),
        )


def check_unreachable(ctx):
    facts = ctx.facts
    roots = _roots(ctx)
    if not roots:
        return  # GC206 is the one fix
    seeds = roots + sorted(facts.dangling)
    reached, queue = set(seeds), deque(seeds)
    while queue:
        for child in facts.children.get(queue.popleft(), ()):
            if child not in reached:
                reached.add(child)
                queue.append(child)
    for node_id, node in facts.by_id.items():
        incoming = facts.incoming.get(node_id)
        if node.activation == "wait" and incoming and node_id not in reached:
            parents = sorted({edge.src for edge in incoming}, key=lambda n: facts.by_id[n].index)
            yield Finding(
                node.at("node_id"),
                f"node {node_id!r} never activates: its incoming edges come only from "
                f"{_names(parents)}, which never {'activates' if len(parents) == 1 else 'activate'}",
                hint="connect it (or one of its ancestors) to a root node; check for orphans and cycles",
            )


def check_triggers(ctx):
    for j, edge in enumerate(ctx.raw_edges):
        if not isinstance(edge, dict):
            continue
        trigger = edge.get("trigger")
        if type(trigger) is str and trigger in _PLAIN_TRIGGERS and "condition" not in edge:
            continue  # the usual edge: nothing to report
        problem = trigger_problem(trigger)
        if problem:
            hint = problem[1]
            if ctx.playbook and trigger_name(trigger) == "on_timeout":
                hint = f"wait a positive time: `{edge.get('from_node')} + 5s` (in an edge mapping, {_TIMEOUT_KEYS})"
            yield Finding(_trigger_at(j, trigger), f"{edge_label(ctx, j)}: {problem[0]}", hint=hint)
        elif trigger == RATIO_TRIGGER:
            yield from _ratio_findings(ctx, j, edge)
        elif "condition" in edge:
            yield Finding(
                ("edges", j, "condition"),
                f"{edge_label(ctx, j)}: a condition only applies to on_fill_ratio, not {trigger_name(trigger)}",
                hint=condition_hint(ctx),
            )
        elif isinstance(trigger, dict) and "on_price" in trigger:
            yield from _price_findings(ctx, j, trigger["on_price"])


def check_duplicate_edges(ctx):
    seen = {}
    for edge in ctx.edges:
        trigger, condition = edge.trigger, edge.condition
        key = (
            edge.src,
            edge.dst,
            trigger if type(trigger) is str else _freeze(trigger),
            condition if condition is None else _freeze(condition),
        )
        if key in seen:
            yield Finding(
                ("edges", edge.index),
                f"{edge_label(ctx, edge.index)} repeats {edge_label(ctx, seen[key])}: "
                f"{edge.src} → {edge.dst}, trigger {trigger_name(edge.trigger)}",
                hint="delete the repeated edge (or the repeated `after:` entry)",
            )
        else:
            seen[key] = edge.index
    reported = {edge.index for edge in ctx.edges if seen.get(_edge_key(edge)) != edge.index}
    first = {}
    for j, raw in enumerate(ctx.raw_edges):
        edge_id = raw.get("edge_id") if isinstance(raw, dict) else None
        if not isinstance(edge_id, str):
            continue
        if edge_id in first and j not in reported:
            yield Finding(
                ("edges", j, "edge_id"),
                f"edges[{j}] repeats the edge id {edge_id!r} of edges[{first[edge_id]}]",
                hint="give every edge a unique edge_id: the router tracks each edge's status by its id",
            )
        first.setdefault(edge_id, j)


def _edge_key(edge):
    trigger, condition = edge.trigger, edge.condition
    return (
        edge.src,
        edge.dst,
        trigger if type(trigger) is str else _freeze(trigger),
        condition if condition is None else _freeze(condition),
    )


# -- graphc/stages/checks.py (was graphc/rules/base.py) -----------------------------------------------


def run_rules(ctx: LintContext, rules: Iterable[Rule], *, skip_paths: bool = True) -> RuleRun:
    findings: list[Finding] = []
    skipped: list[Skip] = []
    new = tuple.__new__  # the named tuples' own __new__ is a Python call: a lint without quotes makes thousands
    reasons: dict[str, str] = {}  # one text kept per distinct reason: a 100,000-leg graph repeats a few per check
    for r in rules:
        check = r.check
        if check is None:
            continue
        code = r.code
        for item in check(ctx):
            if isinstance(item, Skipped):
                reason = reasons.setdefault(item.reason, item.reason)
                skipped.append(new(Skip, (code, item.where if skip_paths else None, reason)))
            else:
                findings.append(new(Finding, (item.where, item.message, item.hint, item.severity, code)))
    return RuleRun(findings, skipped)


# -- graphc/facts.py ----------------------------------------------------------------------------------


def _text(value) -> str | None:  # graphc.facts had it (its loop reads node ids inline now)
    return value if isinstance(value, str) else None


def node_facts(index: int, node: dict, *, has_incoming: bool, quotes: Mapping, resolver: MarketResolver) -> NodeFacts:
    get = node.get
    instrument = get("instrument")
    if not isinstance(instrument, dict):
        instrument = _NO_FIELDS
    symbol = instrument.get("symbol")
    if not isinstance(symbol, str):
        symbol = ""
    given_type = instrument.get("type")
    if not isinstance(given_type, str):
        given_type = None
    venue = instrument.get("venue")
    venue = venue.lower() if isinstance(venue, str) and venue else None
    activation = get("activation")
    if activation not in ("root", "wait"):
        activation = "wait" if has_incoming else "root"
    if "type" in instrument:
        missing: tuple[str, ...] = () if "activation" in node else ("activation",)
    else:
        missing = ("instrument.type",) if "activation" in node else ("instrument.type", "activation")
    instrument_type = given_type or "spot"
    side = get("side")
    if side not in ("buy", "sell"):
        side = None
    quote = market_quote(quotes.get(symbol), venue, instrument_type)
    order_type = get("order_type")
    market_order = order_type == "market"
    limit = None if market_order else wire_limit(order_type)
    reference = limit
    if reference is None and quote is not None and side is not None:
        reference = quote.ask if side == "buy" else quote.bid
    quantity = get("quantity")
    derived = quantity == "derived"
    execution = get("execution")
    if isinstance(execution, dict) and execution:
        policy = _text(execution.get("policy")) or DEFAULT_POLICY
        tif = _text(execution.get("tif"))
        urgency = _text(execution.get("urgency"))
        slippage_bps = number(execution.get("max_slippage_bps"))
        horizon_ms = number(execution.get("horizon_ms"))
        pacing = execution.get("pacing")
        uniform = pacing.get("uniform") if isinstance(pacing, dict) else None
        slices = number(uniform.get("num_slices")) if isinstance(uniform, dict) else None
        interval = number(uniform.get("interval_ms")) if isinstance(uniform, dict) else None
        paced = (slices, interval) if slices is not None and interval is not None else None
    else:
        policy, tif, urgency, slippage_bps, horizon_ms, paced = DEFAULT_POLICY, None, None, None, None, None
    market = resolver.facts(symbol, venue, instrument_type)
    return NodeFacts(
        index,
        _text(get("node_id")),
        symbol,
        instrument_type,
        market.venue,
        side,
        None if derived else wire_qty(quantity),
        derived,
        limit,
        market_order,
        reference,
        activation,
        policy,
        tif.upper() if tif else None,
        urgency,
        slippage_bps,
        horizon_ms,
        paced,
        quote,
        market,
        missing,
    )


def graph_facts(
    wire: dict,
    *,
    quotes: Mapping | None = None,
    resolver: MarketResolver | None = None,
    nodes: list[NodeFacts] | None = None,
) -> GraphFacts:
    quotes = quotes or {}
    resolver = resolver or MarketResolver(quotes)
    raw_nodes: list = wire["nodes"] if isinstance(wire.get("nodes"), list) else []
    raw_edges: list = wire["edges"] if isinstance(wire.get("edges"), list) else []
    # the SDK's rule for a missing activation: "wait" when some edge leads to the node
    targets = {e.get("to_node") for e in raw_edges if isinstance(e, dict) and isinstance(e.get("to_node"), str)}
    if nodes is None:
        nodes = [
            node_facts(i, node, has_incoming=_text(node.get("node_id")) in targets, quotes=quotes, resolver=resolver)
            for i, node in enumerate(raw_nodes)
            if isinstance(node, dict)
        ]
    by_id: dict[str, NodeFacts] = {}
    duplicates = []
    for facts in nodes:
        if facts.node_id is None:
            continue
        if facts.node_id in by_id:
            duplicates.append((facts.index, facts.node_id, by_id[facts.node_id].index))
        else:
            by_id[facts.node_id] = facts
    edges: list[EdgeFacts] = []
    unknown: list[tuple[int, str, str]] = []
    incoming: dict[str, list[EdgeFacts]] = {}
    children: dict[str, list[str]] = {}
    dangling: set[str] = set()
    for j, edge in enumerate(raw_edges):
        if not isinstance(edge, dict):
            continue
        src, dst = edge.get("from_node"), edge.get("to_node")
        if isinstance(src, str) and isinstance(dst, str) and src in by_id and dst in by_id:
            resolved = EdgeFacts(j, _text(edge.get("edge_id")), src, dst, edge.get("trigger"), edge.get("condition"))
            edges.append(resolved)
            incoming.setdefault(dst, []).append(resolved)
            children.setdefault(src, []).append(dst)
            continue
        for end, name in (("from_node", src), ("to_node", dst)):
            if isinstance(name, str) and name not in by_id:
                unknown.append((j, end, name))
        if isinstance(dst, str) and dst in by_id:
            dangling.add(dst)
    return GraphFacts(nodes, by_id, duplicates, edges, unknown, incoming, children, dangling, quotes, resolver)


CHECKS = {  # code -> the reference check
    "GC301": check_min_notional,
    "GC302": check_min_size,
    "GC303": check_tick,
    "GC304": check_price_range,
    "GC305": check_lot,
    "GC306": check_venue_type,
    "GC308": check_price_form,
    "GC309": check_max_size,
    "GC501": check_max_notional,
    "GC503": check_gross_notional,
    "GC401": check_contradictions,
    "GC404": check_at_touch,
    "GC405": check_hedge_size,
    "GC406": check_far_from_mid,
    "GC407": check_stop_limits,
    "GC408": check_overfilling_exits,
    "GC201": check_cycles,
    "GC204": check_orphans,
    "GC205": check_roots_with_edges,
    "GC206": check_no_root,
    "GC207": check_unreachable,
    "GC208": check_triggers,
    "GC210": check_duplicate_edges,
}
