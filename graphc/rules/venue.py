"""Venue rules GC301-GC309: would the venue accept this order, and would it trade?

Each check reads the node's market facts (``NodeFacts.market``, resolved once
by :class:`graphc.venues.MarketResolver`: the quotes snapshot's tick and lot,
then ``[markets."SYMBOL"]``, then ``[venues.NAME]``, then the built-in profile)
and yields a Finding that carries the numbers and the fix.

A value graphc does not know is never a pass: the check yields a
:class:`~graphc.stages.checks.Skipped` with the reason (``--explain-skips``). A
node without a venue (the router picks one) is checked with whatever facts are
known for its symbol, the snapshot's tick at least; the venue's minimums,
maximums, price range and price form (GC304, GC308) are then unknown and
skipped, as they are on a venue graphc does not know. A market order has no price to check
(GC303, GC304, GC308).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from operator import attrgetter

from graphc.diagnostics import WARNING
from graphc.facts import missing_side
from graphc.numbers import counted, is_multiple, money, quotient, times, usd
from graphc.numbers import plain as fmt
from graphc.stages.checks import Finding, Skipped, SkippedNodes, rule
from graphc.venues import MarketFacts, known_venues, owning_venue, prediction_venue
from graphc.venues.prices import (
    WIRE_QTY_STEP,
    divide_up,
    figures_step,
    form_problem,
    off_tick,
    size_step,
    step_ceil,
    step_floor,
)
from graphc.vocabulary import PREDICTION_VENUES

# A lint without quotes or config skips GC301, GC302, GC305 and GC309 on every node: each check gathers
# its skips into one SkippedNodes (an index and a reason per node, no record each), yielded at the end.
# What these four checks need of a market (its limit, or why it is unknown: _unknown's text) is worked out
# once per market and kept with its facts (MarketFacts.checks: the check's "plan", see _plan), so every
# node of it, in every file of the run, reads one tuple. The texts also name the node's venue and symbol:
# a node's market is always the resolver's answer for its own symbol and venue (node.venue ==
# market.venue, node.symbol == market.symbol; tests/test_rules_reference.py holds it), so they are the
# market's. GC303, GC304 and GC306 keep theirs there too.
_BELOW_MIN_EFFECT = {"polymarket": "the router accepts it but it never crosses"}  # venue-rules.md §0
_UNITS = {"polymarket": "share", "kalshi": "contract"}  # counted: 1 contract, 1.5 contracts
_VENUE_RULES = "venue-rules.md"
# GC306: a venue with outcome markets that graphc does not model (its profile says prediction = False)
_UNMODELLED_OUTCOMES = {
    "hyperliquid": f"whose outcome markets ({_VENUE_RULES} §5) graphc does not model and the router reference does "
    "not describe"
}


def _amount(node, qty: Decimal) -> str:
    """``7 shares``, ``1 contract``, ``0.5 BTC``: a size in the unit a trader reads."""
    unit = _UNITS.get(node.venue or "")
    if unit is None and node.market.is_sized_in_shares():
        unit = "share"
    if unit is not None:
        return counted(qty, unit)
    if re.search(r"[-/]", node.symbol):
        unit = re.split(r"[-/]", node.symbol)[0]
    return f"{fmt(qty)} {unit}" if unit else fmt(qty)


def _verb(node) -> str:
    return "Sell" if node.side == "sell" else "Buy"


def _set_it(node, key: str) -> str:
    return f'set {key} in [markets."{node.symbol}"] of graphc.toml'


def _unknown(node, what: str, key: str, note: str = "") -> str:
    """Why a venue fact is unknown for this node, and where to give it.

    Made once per market and question: a graph of 100,000 legs on a few markets
    asks the same few, once per leg and check.
    """
    asked = (node.venue, node.symbol, node.market.known_venue, what, key, note)
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
        text += note
        if len(_UNKNOWN_TEXTS) < _MAX_UNKNOWN_TEXTS:
            _UNKNOWN_TEXTS[asked] = text
    return text


_UNKNOWN_TEXTS: dict[tuple, str] = {}
_MAX_UNKNOWN_TEXTS = 4096  # distinct markets x questions kept (a graph of many markets makes the rest each time)


_DERIVED_QTY = "the quantity is derived from fills, so it is not known before they happen"
_UNFIXED_QTY = "the quantity is not a fixed number (a notional size without a price: pass --quotes)"


def _qty_unknown(node) -> str:
    return _DERIVED_QTY if node.derived else _UNFIXED_QTY  # (the quantity checks read it inline)


def _plan(node, key: str, make):
    """What check ``key`` needs of the node's market, made by ``make(node)`` the first time any node of
    that market asks (kept in MarketFacts.checks; see the note at the top)."""
    checks = node.market.checks
    plan = checks.get(key)
    if plan is None:
        plan = checks[key] = make(node)
    return plan


def _skipped_everywhere(ctx, field: str, unknown_text) -> SkippedNodes | None:
    """The skips of every node at once, when the fact a check needs is unknown on every market of the graph
    (no venue pinned and no quotes or config: a large wire graph), else None: the check reads node by node.

    ``unknown_text(node)`` is the skip's text for the first node on each market
    (:attr:`LintContext.first_on_market`), None where that market has the fact; each node then gets its
    market's text (the nodes on a market share its symbol and venue, all the text depends on), in node
    order, by C loops: no Python step per node. The same SkippedNodes as the loop's.
    """
    if len(ctx.nodes) < _BULK_NODES:
        return None  # a small graph (a playbook's): reading its few nodes costs less than setting this up
    texts = {}
    for key, node in ctx.first_on_market.items():
        text = unknown_text(node)
        if text is None:
            return None
        texts[key] = text
    return SkippedNodes(field, list(map(_index, ctx.nodes)), list(map(texts.__getitem__, ctx.market_ids)))


_index, _market_order = attrgetter("index"), attrgetter("market_order")
_new = tuple.__new__
_BULK_NODES = 12  # the fewest nodes _skipped_everywhere looks at (the bench's playbooks have 2-8 legs)


def _neighbours(value: Decimal, step: Decimal, ok=lambda v: v > 0) -> str:
    """``0.55 or 0.56``: the grid points either side of ``value`` (off the grid) that are allowed, exactly."""
    low, high = step_floor(value, step), step_ceil(value, step)
    options = [v for v in (low, high) if ok(v)] or [high]
    return " or ".join(fmt(v) for v in options)


def _money(value: Decimal, unit: str | None) -> str:
    """``$0.999``, ``$1``, ``0.00999 USDC``: an amount exactly, in the words of every money figure graphc shows
    (numbers.usd: GC503 and ``plan`` show the same leg the same way), never rounded up to a minimum or cut to cents
    below a maximum, so it always reads on its side of the bound it is compared with."""
    if unit == "USD":
        return usd(value)
    text = money(value)
    return f"{text} {unit}" if unit else f"{text} (quote currency)"


_shaped_venue = functools.lru_cache(maxsize=4096)(prediction_venue)  # NodeFacts.shaped_venue, once a symbol


def _venue_name(node) -> str:
    return node.venue or "the venue"


@rule(
    "GC301",
    "min-notional",
    summary="order notional below the venue minimum",
    source=(
        f"router reference via {_VENUE_RULES} §0 and hosted-strategies.md, Common pitfalls (Polymarket $1: accepted, "
        f"never crosses); {_VENUE_RULES} §3 (Hyperliquid $10), §4 (CEX quote_min_size, minNotional)"
    ),
    flagged="    buy: 5 shares",
    graded="an order whose notional clears the minimum as a whole but not in each of its TWAP slices is a warning and every other finding an error",
)
def check_min_notional(ctx):
    """The order's value, size times price, is below the venue's minimum.

    ## What it checks

    graphc computes each order's notional as quantity × price, exactly. For a limit
    order the price is the limit. For a market order it is the quote (the ask for a
    buy, the bid for a sell), so market orders are only checked when quotes are
    given with `--quotes`, and skipped when the quote has no price on that side (a
    one-sided book). The minimums graphc knows:

    | venue | minimum notional |
    |---|---|
    | polymarket | $1 on every order |
    | kalshi | none (one contract is fine) |
    | hyperliquid | $10 for perps; 10 units of the quote token for spot |
    | coinbase, binance | per product (`quote_min_size`, `minNotional`); applied to market orders only where the venue does |

    Notional sizes are rounded down to the venue's lot, so they can end up under the
    minimum: `buy: $1` at 0.15 on Polymarket becomes 6.66 shares, which is $0.999,
    and the message says so (`$1 at 0.15 buys 6.66 shares after rounding down to
    the 0.01-share lot`). An order worth exactly the minimum ($1) passes. The
    notional is shown exactly, as GC503 and `graphc plan` show money: `$0.999`,
    never rounded up to the minimum or cut to `$0.99`, and 0.001 PURR at 9.99 is
    `0.00999 USDC`, never "0.00 USDC". The hint gives the smallest size that
    clears the minimum, exactly on the lot and at least the venue's minimum
    size (6.67 shares at 0.15, which is $1.0005), and for a notional size the
    notional that buys it (`$1.0005` or more).

    A TWAP (`twap: 10 slices every 30s`) sends each slice as its own order, so
    an order that clears the minimum as a whole but not per slice (notional ÷
    slices) is a warning: every slice would be rejected. The router reference
    does not say how it sizes slices, so graphc assumes equal slices and does
    not make this an error.

    When graphc does not know the value it needs (a leg with no venue pinned or
    inferred, whose venue the router picks; a market the profiles do not cover
    and `graphc.toml` does not describe), the check is skipped, never passed: the
    summary line counts it, and `graphc lint --explain-skips` lists what was
    skipped and why.

    ## Why it matters

    On Polymarket the failure is silent. Through the router, an order under $1 is
    accepted (a graph id comes back, status `active`, no error) but the venue never
    crosses it, so it rests forever. Public Polymarket material describes such
    orders as rejected outright; either way the order never trades. If the small
    order is a hedge, the rest of the graph carries on as if it were hedged. On the
    other venues the order is rejected after submission, typically after earlier
    legs of the graph have already traded.

    ## Failing example

    The `:yes` symbol makes this a Polymarket prediction leg. 5 shares at 0.15 is
    $0.75:

    ```yaml
    graphc: 1
    name: btc-150k-yes
    legs:
      entry:
        buy: 5 shares
        symbol: will-btc-reach-150k-in-2025:yes
        limit: 0.15
    ```

    ## Fix

    Buy enough to clear $1: 6.67 shares at 0.15 is $1.0005, the least that does;
    7 shares ($1.05) leaves a margin if the price is later lowered:

    ```yaml
    graphc: 1
    name: btc-150k-yes
    legs:
      entry:
        buy: 7 shares
        symbol: will-btc-reach-150k-in-2025:yes
        limit: 0.15
    ```
    """
    market_orders = set(map(_market_order, ctx.nodes)) if len(ctx.nodes) >= _BULK_NODES else ()
    if len(market_orders) == 1:  # all market orders, or none: each market's minimum decides for all its nodes
        key = "GC301 market" if True in market_orders else "GC301"
        everywhere = _skipped_everywhere(ctx, "quantity", lambda node: _plan(node, key, _min_notional_plan)[0])
        if everywhere is not None:
            yield everywhere
            return
    skipped, why = [], []  # the SkippedNodes yielded at the end
    for node in ctx.nodes:
        m = node.market
        key = "GC301 market" if node.market_order else "GC301"  # a market order has its own minimum
        plan = m.checks.get(key)
        if plan is None:
            plan = m.checks[key] = _min_notional_plan(node)
        unknown, minimum, no_price = plan
        if unknown is not None:
            skipped.append(node.index)
            why.append(unknown)
            continue
        if minimum == 0:
            continue
        qty, price = node.qty, node.reference
        if qty is None:
            skipped.append(node.index)
            why.append(_DERIVED_QTY if node.derived else _UNFIXED_QTY)
        elif price is None or price <= 0:
            skipped.append(node.index)
            one_sided = missing_side(node)  # a quote without the side a market order meets
            why.append(no_price if one_sided is None else f"market order and {one_sided}: the notional is unknown")
        elif (notional := times(qty, price)) < minimum:  # exact (graphc.numbers): never rounded up to the minimum
            where = node.size_at
            venue = _venue_name(node)
            effect = _BELOW_MIN_EFFECT.get(venue, "the venue rejects it")
            need = _min_qty(m, minimum, price)
            hint = f"{_verb(node)} at least {_amount(node, need)} at {fmt(price)}"
            bought = ""
            written = ctx.facts.notionals.get(node.node_id)  # `buy: $1`: compile divided it and cut it to the lot
            if written is not None:
                if written != notional:
                    bought = _bought(node, written, price, qty)
                hint += f", or {_notional_for(need, price)}"
            yield Finding(
                where,
                f"{venue.capitalize()} order notional {_money(notional, m.cost_unit)} is below the "
                f"{_money(minimum, m.cost_unit)} minimum{bought}; {effect}.",
                f"{hint}.",
            )
        elif (slices := _twap_slices(node)) and notional < times(minimum, slices):
            yield Finding(
                node.size_at,
                f"{_money(notional, m.cost_unit)} in {fmt(slices)} TWAP slices is under the "
                f"{_money(minimum, m.cost_unit)} minimum a slice (each slice is an order)",
                # the quotient is below slices (an int64): its whole part fits the 28-digit context
                _fewer_slices(node, notional // minimum, f"{_money(minimum, m.cost_unit)} a slice"),
                severity=WARNING,
            )
    if skipped:
        yield SkippedNodes("quantity", skipped, why)


def _min_notional_plan(node) -> tuple[str | None, Decimal | None, str]:
    """GC301's plan for the node's market and order type: (why the minimum is unknown, or None; the minimum;
    the skip's text when the order has no price)."""
    market_order = node.market_order
    minimum = node.market.limits["market_cost" if market_order else "cost"].min
    unknown = None
    if minimum is None:
        what = "market-order minimum notional" if market_order else "minimum notional"
        # a market order's minimum is min_notional_market wherever it is set (Binance: only there, audit venues 3)
        unknown = _unknown(node, what, "min_notional_market" if market_order else "min_notional")
    what = "market order" if market_order else "price template"
    return unknown, minimum, f"{what} and no quote for {node.symbol}: the notional is unknown"


def _min_qty(m: MarketFacts, minimum: Decimal, price: Decimal) -> Decimal:
    """The smallest size that clears ``minimum`` at ``price``, exactly on the lot and at least the min size:
    $1 at 0.15 on Polymarket's 0.01 lot is 6.67 shares ($1.0005; 6.66 is $0.999), and at 0.25 it is the 5-share
    minimum size, not 4 (audit desk21 1: the hint said 7 shares, more than it takes)."""
    step = size_step(m.lot)  # a size on the lot that the wire writes exactly
    need = divide_up(minimum, price, step)
    min_size = m.limits["amount"].min
    return need if min_size is None or need >= min_size else step_ceil(min_size, step)


def _bought(node, written: Decimal, price: Decimal, qty: Decimal) -> str:
    """``: $1 at 0.15 buys 6.66 shares after rounding down to the 0.01-share lot``: how compile worked out the size
    ``qty`` of a notional size (``written``, :attr:`GraphFacts.notionals`) at ``price``, the rounding said only
    where there was one."""
    said = f": {usd(written)} at {fmt(price)} buys {_amount(node, qty)}"
    return said if times(qty, price) == written else f"{said} after rounding down to {_lot(node.market)}"


def _notional_for(size: Decimal, price: Decimal, *, at_least: bool = True) -> str:
    """``write a notional of $1.0005 or more (it buys that many)``: the notional that buys ``size`` at ``price``
    (it divides back to ``size`` exactly; ``at_least``: more buys at least as many)."""
    return f"write a notional of {usd(times(size, price))}{' or more' if at_least else ''} (it buys that many)"


def _lot(m: MarketFacts) -> str:
    """``the 0.01-share lot``, ``the 0.00001 BTC lot``: the grid a notional size was rounded down to
    (:func:`~graphc.venues.prices.size_step`, as compile sizes it)."""
    step = size_step(m.lot)
    unit = _UNITS.get(m.venue or "") or ("share" if m.is_sized_in_shares() else None)
    if unit is not None:
        text = f"{fmt(step)}-{unit}"
    else:
        asset = re.split(r"[-/]", m.symbol)[0] if re.search(r"[-/]", m.symbol) else None
        text = f"{fmt(step)} {asset}" if asset else fmt(step)
    if m.lot is None:
        return f"the wire's {text} step (no lot is known for {m.symbol})"
    if m.lot != step:
        return f"{text}, a whole number of {fmt(m.lot)} lots that the wire's 1e-8 writes exactly"
    return f"the {text} lot"


@rule(
    "GC302",
    "min-size",
    summary="order size below the venue minimum",
    source=(
        f"{_VENUE_RULES} §0-§1 (Polymarket min_order_size, often 5; the router reports `Size (N) lower than the "
        "minimum: M`); §4 (CEX base_min_size, minQty)"
    ),
    flagged="    buy: 4 shares",
    graded="an order whose size clears the minimum as a whole but not in each of its TWAP slices is a warning and every other finding an error",
)
def check_min_size(ctx):
    """The order's size is below the venue's minimum size.

    ## What it checks

    Venues set a smallest order size, separately from any minimum notional:

    | venue | minimum size |
    |---|---|
    | polymarket | set per market (`min_order_size`); graphc assumes 5 shares unless `min_size` is set for the market in `graphc.toml` |
    | kalshi | one lot: 1 contract, or 0.01 on a market that allows fractional trading (`fractional = true` in `graphc.toml`) |
    | coinbase, binance | per product (`base_min_size`, `LOT_SIZE` `minQty`) |

    The size compared is the one sent on the wire, after a notional size like `$5`
    has been converted and rounded down to the lot. For such a size the message
    says how it was worked out, as GC301's does (`$2.85 at 0.58 buys 4.91 shares
    after rounding down to the 0.01-share lot`), and the hint gives the notional
    that buys the minimum, and clears the venue's minimum notional too where
    graphc knows it (`or write a notional of $2.90 or more`). The size the hint
    gives clears that minimum notional too, as GC301's hint does: 5 Polymarket
    shares at 0.20 are exactly $1, but at 0.17 they are $0.85, so the hint
    there is 5.89 shares ($1.0013). A TWAP sends each slice as
    its own order, so a size that is above the minimum as a whole but not per
    slice (size ÷ slices) is a warning; the router reference does not say how
    it sizes slices, so graphc assumes equal slices and does not make it an
    error.

    When graphc does not know the value it needs (a leg with no venue pinned or
    inferred, whose venue the router picks; a market the profiles do not cover
    and `graphc.toml` does not describe), the check is skipped, never passed: the
    summary line counts it, and `graphc lint --explain-skips` lists what was
    skipped and why.

    ## Why it matters

    The venue rejects the order after it has been submitted; through the router a
    Polymarket reject reads like `Size (4) lower than the minimum: 5`. In a
    multi-leg graph the earlier legs may already have traded by then, leaving a
    one-sided position that has to be unwound by hand.

    ## Failing example

    $2 is above Polymarket's $1 minimum notional, but 4 shares is below its 5-share
    minimum size:

    ```yaml
    graphc: 1
    name: btc-150k-yes
    legs:
      entry:
        buy: 4 shares
        symbol: will-btc-reach-150k-in-2025:yes
        limit: 0.50
    ```

    ## Fix

    Trade at least the minimum size:

    ```yaml
    graphc: 1
    name: btc-150k-yes
    legs:
      entry:
        buy: 5 shares
        symbol: will-btc-reach-150k-in-2025:yes
        limit: 0.50
    ```
    """
    everywhere = _skipped_everywhere(ctx, "quantity", lambda node: _plan(node, "GC302", _min_size_plan)[0])
    if everywhere is not None:
        yield everywhere
        return
    skipped, why = [], []  # the SkippedNodes yielded at the end
    for node in ctx.nodes:
        m = node.market
        plan = m.checks.get("GC302")
        if plan is None:
            plan = m.checks["GC302"] = _min_size_plan(node)
        unknown, minimum = plan
        if unknown is not None:
            skipped.append(node.index)
            why.append(unknown)
            continue
        if minimum == 0:
            continue
        qty = node.qty
        if qty is None:
            skipped.append(node.index)
            why.append(_DERIVED_QTY if node.derived else _UNFIXED_QTY)
        elif qty < minimum:
            where = node.size_at
            note = ""
            venue = _venue_name(node)
            if m.origin.get("min_size", "").endswith(" default"):
                note = f" ({fmt(minimum)} is {venue}'s usual minimum; {_set_it(node, 'min_size')} if it differs)"
            bought = more = at = ""
            least = minimum
            written, price = ctx.facts.notionals.get(node.node_id), node.reference  # `buy: $2.85`: compile's size
            if price is not None and price > 0:
                # the size GC301's hint gives where the minimum size is under the minimum notional (5 shares at
                # 0.17 is $0.85): following one hint never leaves the other rule firing (audit consist27 3)
                least = _least_size(node, minimum, price)
                if least != minimum:
                    at = f" at {fmt(price)}"
                if written is not None:
                    bought = _bought(node, written, price, qty)
                    more = f", or {_notional_for(least, price)}"
            yield Finding(
                where,
                f"size {_amount(node, qty)} is below {venue}'s minimum of {_amount(node, minimum)}{bought}",
                f"{_verb(node)} at least {_amount(node, least)}{at}{note}{more}.",
            )
        elif (slices := _twap_slices(node)) and qty < times(minimum, slices):
            yield Finding(
                node.size_at,
                f"{_amount(node, qty)} in {fmt(slices)} TWAP slices is under {_venue_name(node)}'s minimum of "
                f"{_amount(node, minimum)} a slice (each slice is an order)",
                _fewer_slices(node, qty // minimum, f"{_amount(node, minimum)} a slice"),
                severity=WARNING,
            )
    if skipped:
        yield SkippedNodes("quantity", skipped, why)


def _twap_slices(node) -> Decimal | None:
    """The number of uniform TWAP slices of an order sent in more than one, else None.

    Each slice is an order at the venue, so each must clear the venue's minimums. The reference gives only
    ``pacing.uniform {num_slices, interval_ms}``, not how the router sizes the slices: an order that clears a
    minimum as a whole but not per uniform slice (qty / num_slices) is a warning, the whole order an error.
    """
    pacing = node.pacing
    return pacing[0] if pacing is not None and pacing[0] > 1 else None


def _fewer_slices(node, most: Decimal, per_slice: str) -> str:
    if most >= 2:
        return f"Use at most {fmt(most)} slices (at least {per_slice}), or a larger order."
    return f"Send it as one order (no twap), or a larger order with at least {per_slice}."


def _least_size(node, minimum: Decimal, price: Decimal) -> Decimal:
    """The smallest size on the lot at least ``minimum`` (the venue's minimum size) that, at ``price``, also clears
    the minimum notional where graphc knows it (GC301's :func:`_min_qty`): 5 Polymarket shares at 0.58, but 10 at
    0.10, where 5 is $0.50, under the $1 minimum."""
    m = node.market
    least = step_ceil(minimum, size_step(m.lot))
    unknown, min_notional, _ = _plan(node, "GC301 market" if node.market_order else "GC301", _min_notional_plan)
    if unknown is None and min_notional and times(least, price) < min_notional:
        least = _min_qty(m, min_notional, price)
    return least


def _min_size_plan(node) -> tuple[str | None, Decimal | None]:
    """GC302's plan for the node's market: (why the minimum size is unknown, or None; the minimum)."""
    minimum = node.market.limits["amount"].min
    return (_unknown(node, "minimum size", "min_size") if minimum is None else None), minimum


def _price_ok(m: MarketFacts):
    bounds = m.limits["price"]
    return lambda p: p > 0 and (bounds.min is None or p >= bounds.min) and (bounds.max is None or p <= bounds.max)


@rule(
    "GC303",
    "off-tick",
    summary="limit price not on the venue tick",
    source=(
        f"{_VENUE_RULES} §0-§2 (Kalshi rejects off-tick prices; Polymarket `invalid tick size`; Kalshi price "
        "bands), §4 (Binance PRICE_FILTER tickSize, Coinbase price_increment)"
    ),
    flagged="    limit: 0.555",
)
def check_tick(ctx):
    """A literal limit price is not a multiple of the venue's tick.

    ## What it checks

    A limit price must lie on the tick grid of the market, or, for markets whose
    tick changes with the price, on the grid of the band the price falls in. The
    tick is the first one known of: the quotes snapshot's `tick:` for the symbol,
    `tick` in `[markets."<symbol>"]` of `graphc.toml`, `tick` in
    `[venues.<name>]`, the venue's default. Price bands (`price_bands`,
    `price_level_structure`) are that source's tick, so a snapshot's `tick:`
    replaces the bands `graphc.toml` gives the market: the hint says so. A leg
    without a venue is checked too when the snapshot or `[markets."<symbol>"]`
    gives its tick. The defaults:

    | venue | default tick |
    |---|---|
    | kalshi | 0.01 |
    | polymarket | checked against 0.001 when the market's tick is unknown |
    | coinbase, binance | per product (`price_increment`, `PRICE_FILTER` `tickSize`) |

    Most Polymarket markets trade in 0.01, some in 0.001. When the market's tick is
    unknown, graphc checks against the finer 0.001 grid, so a price such as 0.555
    passes even on a market that only accepts whole cents. Put the market's real
    tick in the quotes snapshot (`tick: 0.01`) and graphc checks against that
    instead.

    A *template* price such as `ask + 1 tick` or `mid - 25bps` is put on the
    grid by graphc when it compiles, in the direction that never worsens it
    (buys round down, sells round up), from the same facts this check reads, so
    it always passes; where the tick is unknown it uses the venue's coarsest
    grid (Polymarket 0.01). A *literal* price is never moved: if it is off the
    tick, it is GC303. Hyperliquid has no fixed tick; its price rules are GC308.

    ## Why it matters

    Kalshi rejects off-tick prices, and other venues either refuse them or round
    them on their own terms. Rounding in graphc would be no better: it would change
    a price somebody reviewed, possibly upwards for a buy. Catching it before
    submission keeps the order from being bounced while the market moves.

    ## Failing example

    The symbol is a Kalshi ticker, so graphc infers venue `kalshi`, tick 0.01. 0.555
    falls between two ticks:

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 10 contracts
        symbol: KXBTCD-25DEC31-T100000
        limit: 0.555
    ```

    ## Fix

    Choose a price on the tick yourself (0.55 rounds this buy down, in your favour),
    or, with `--quotes`, write a template such as `ask - 1 tick`, which graphc
    aligns for you:

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 10 contracts
        symbol: KXBTCD-25DEC31-T100000
        limit: 0.55
    ```
    """
    for node in ctx.nodes:
        price = node.limit
        if price is None:
            continue
        m = node.market
        if not m.price_bands and m.precision["price"] is None:  # m.tick_for(price) is None, for every price
            if not m.sig_figs:  # Hyperliquid has no fixed tick: GC308 checks the price form
                text = m.checks.get("GC303")
                if text is None:
                    text = m.checks["GC303"] = _unknown(node, "tick", "tick", " (or give it in the quotes snapshot)")
                yield _new(Skipped, (("nodes", node.index, "order_type"), text))  # (no Python __new__)
            continue
        where = node.limit_at
        if m.tick_for(price) is None:
            if not m.sig_figs:
                yield Skipped(
                    node.at("order_type"), _unknown(node, "tick", "tick", " (or give it in the quotes snapshot)")
                )
            continue
        tick = off_tick(price, m)
        if tick is None:
            continue
        band = m.band_for(price)
        span = f" for prices {fmt(band.lo)}-{fmt(band.hi)}" if band else ""
        hint = "use " + _neighbours(price, tick, _price_ok(m))
        if not band and m.tick_is_default:
            hint += f" ({fmt(tick)} is graphc's default check; give the market's tick in the quotes snapshot)"
        elif not band and (replaced := m.origin.get("replaced price_bands")):
            # spec §3.3: the tick and the bands are one fact, and the first source that has it wins
            label = m.origin.get("tick")
            given, first = (
                ("the quotes snapshot's tick", "the snapshot") if label == "quotes" else (f"`tick` in {label}", label)
            )
            hint += f" ({given} replaces the price bands of {replaced}: {first} comes first)"
        yield Finding(where, f"price {fmt(price)} is not on {_venue_name(node)}'s {fmt(tick)} tick{span}", hint)


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f"range {fmt(low)}-{fmt(high)}"
    return f"minimum price {fmt(low)}" if low is not None else f"maximum price {fmt(high)}"


@rule(
    "GC304",
    "price-range",
    summary="price outside the venue's range",
    source=(
        f"{_VENUE_RULES} §0 (prediction prices are dollars per share, 0.01-0.99), §1 (Polymarket tick <= price "
        "<= 1 - tick), §2 (Kalshi 1-99 cents at a 0.01 tick; 0.1-99.9 cents on 0.001 bands)"
    ),
    flagged="    limit: 55",
)
def check_price_range(ctx):
    """A limit price is outside the range of prices the venue accepts.

    ## What it checks

    Prediction-market prices are dollars per share and must lie strictly between 0
    and 1. The venues narrow that further:

    | venue | accepted prices |
    |---|---|
    | kalshi | 0.01 to 0.99 at its usual 0.01 tick (`linear_cent`); 0.001 to 0.999 where the market's tick or price bands are finer (`tapered_deci_cent`, `deci_cent`; a quotes snapshot `tick` or `price_level_structure` in `graphc.toml`) |
    | polymarket | tick to 1 − tick (0.01–0.99 at a 0.01 tick; 0.001–0.999 at 0.001) |
    | any other prediction leg | above 0 and below 1 |
    | exchanges that publish price bounds (e.g. Binance `minPrice`/`maxPrice`) | within those bounds, when known |

    The usual slip is writing cents as a plain number: `limit: 55` is 55 dollars a
    share, not 55 cents. Write `55c` or `0.55`.

    Where the range is not known, the check is skipped, never passed
    (`graphc lint --explain-skips` says which key would let it run): a market
    whose venue publishes bounds per product (Coinbase, Binance), a leg with no
    venue pinned (the router picks one, so whose range applies is unknown, as
    for GC303's tick), and a leg on a venue graphc does not know (GC307), unless
    `price_min` and `price_max` are set for the market in `graphc.toml`.

    A *template* price (`limit: bid`, `ask + 1 tick`) never reaches this check
    out of range: compile stops with GC103 when the price, moved onto the grid
    in the leg's favour, falls outside this range (with no Polymarket tick known,
    the range of the 0.01 grid generated prices use: 0.01-0.99).

    ## Why it matters

    The venue rejects the order, so the leg never trades. The price is also a
    warning sign in itself: a share that pays at most $1 bought at $1 or more can
    only lose money, so a playbook that asks for it rarely says what its author
    meant.

    ## Failing example

    The author meant 55 cents and wrote 55:

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 10 contracts
        symbol: KXBTCD-25DEC31-T100000
        limit: 55
    ```

    ## Fix

    Write the price in dollars, or mark it as cents:

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 10 contracts
        symbol: KXBTCD-25DEC31-T100000
        limit: 55c
    ```
    """
    for node in ctx.nodes:
        price = node.limit
        if price is None:
            continue
        m = node.market
        prediction = m.prediction if m.prediction is not None else node.type == "prediction"  # a known venue wins
        low, high = m.limits["price"]
        if (low is not None and price < low) or (high is not None and price > high):
            yield Finding(
                node.limit_at,
                f"price {fmt(price)} is outside {_venue_name(node)}'s {_range_text(low, high)}",
                f"{_cents(prediction, price)}use a price in the {_range_text(low, high)}",
            )
        elif prediction and not 0 < price < 1:
            yield Finding(
                node.limit_at,
                f"price {fmt(price)} is not strictly between 0 and 1",
                f"{_cents(prediction, price)}use a price between 0 and 1",
            )
        elif low is None or high is None:  # with no venue pinned or a venue unknown too, as GC303 (venue18 5)
            text = m.checks.get("GC304")
            if text is None:
                text = m.checks["GC304"] = _unknown(node, "price range", "price_min and price_max")
            yield _new(Skipped, (("nodes", node.index, "order_type"), text))  # (no Python __new__)


def _cents(prediction: bool, price: Decimal) -> str:
    """GC304's note for a prediction price written in cents (made for a finding only)."""
    return "prediction prices are dollars per share (55c = 0.55); " if prediction and price >= 1 else ""


@rule(
    "GC305",
    "off-lot",
    summary="size not on the venue lot",
    source=(
        f"{_VENUE_RULES} §1 (Polymarket sizes to 2 dp), §2 (Kalshi whole contracts), §3 (Hyperliquid "
        "szDecimals), §4 (CEX base_increment, stepSize)"
    ),
    flagged="    buy: 2.5 contracts",
    graded="a size on the lot whose TWAP slices (size ÷ slices) are off it is a warning and every other finding an error",
)
def check_lot(ctx):
    """The order's size is not a multiple of the venue's size step (lot).

    ## What it checks

    Venues accept sizes only in whole steps:

    | venue | size step |
    |---|---|
    | kalshi | 1 contract (fractions only on markets that allow fractional trading) |
    | polymarket | 0.01 share |
    | hyperliquid | 10^-szDecimals, when `szDecimals` for the asset is configured |
    | coinbase, binance | per product (`base_increment`, `LOT_SIZE` `stepSize`) |

    The step is the first one known of: the quotes snapshot's `lot:` for the
    symbol, `lot` (or `sz_decimals`) in `[markets."<symbol>"]` of `graphc.toml`,
    the same in `[venues.<name>]`, the venue's default. Notional sizes such as
    `$50` are rounded down to the step automatically, so a size you write is
    the one off the step as a whole; the per-slice check below applies to a
    size compile worked out from a notional too (the router slices it). The
    hint gives the sizes on the step either side of yours, leaving
    out one under the venue's minimum size or minimum notional where graphc
    knows them (GC302, GC301): 0.00431 ETH at 2325.1 on Hyperliquid with
    szDecimals 4 gets `use 0.0044`, since 0.0043 is $9.99, under its $10
    minimum.

    A TWAP (`twap: 2 slices every 10s`) sends each slice as its own order, so a
    size on the step as a whole whose slices (size ÷ slices) are not is a
    warning: 3 contracts in 2 slices is 1.5 contracts a slice, 50.01 Polymarket
    shares in 10 slices is 5.001 shares a slice. 4 contracts in 2 slices (2 a
    slice) passes. As for GC301 and GC302, the router reference does not say how
    it sizes slices, so graphc assumes equal slices and does not make this an
    error; a size off the step as a whole is the error, reported once. Slices
    are checked only where the step is coarser than the wire's 1e-8 (contracts,
    shares, most exchange products): on a step of 1e-8, such as Coinbase
    BTC-USD's, every size the wire can carry is on the step, and a slice finer
    than that (`$250k` is 2.57066765 BTC, 0.257066765 in each of 10 slices) is
    one the router has to round to the wire's scale itself.

    Compile rounds a notional down to the step, not to the step × slices
    (playbook-spec.md §3.2: the notional sent never exceeds the one written),
    so `buy: $10` at 0.40 on Kalshi in 2 slices is 25 contracts, 12.5 a slice.
    For such a size the hint offers only the sizes the written notional pays
    for, and the notional that buys each: `use 24 contracts (whole contracts
    in each of 2 slices), or write a notional of $9.60 (it buys that many)`;
    26 contracts would be $10.40, more than the $10 written.

    When graphc does not know the value it needs (a leg with no venue pinned or
    inferred, whose venue the router picks; a market the profiles do not cover
    and `graphc.toml` does not describe), the check is skipped, never passed: the
    summary line counts it, and `graphc lint --explain-skips` lists what was
    skipped and why.

    ## Why it matters

    The venue rejects the size or cuts it to the step, so the order is refused or
    smaller than the one reviewed. For a hedge, a cut size leaves part of the
    position uncovered. Under a TWAP the same happens slice by slice: each
    rejected or cut slice leaves the order short of its size.

    ## Failing example

    Kalshi trades whole contracts (with `buy: 3 contracts` and `twap: 2 slices
    every 10s`, the same mistake is made slice by slice, 1.5 contracts each: a
    warning):

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 2.5 contracts
        symbol: KXBTCD-25DEC31-T100000
        limit: 0.55
    ```

    ## Fix

    Round the size to a whole number of contracts, in whichever direction you
    intend (under a TWAP, to a whole number of contracts a slice: 2 or 4
    contracts in 2 slices, or a slice count that divides the size):

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 2 contracts
        symbol: KXBTCD-25DEC31-T100000
        limit: 0.55
    ```
    """
    everywhere = _skipped_everywhere(ctx, "quantity", lambda node: _plan(node, "GC305", _lot_plan)[0])
    if everywhere is not None:
        yield everywhere
        return
    skipped, why = [], []  # the SkippedNodes yielded at the end
    for node in ctx.nodes:
        m = node.market
        plan = m.checks.get("GC305")
        if plan is None:
            plan = m.checks["GC305"] = _lot_plan(node)
        unknown, lot = plan
        if unknown is not None:
            skipped.append(node.index)
            why.append(unknown)
            continue
        qty = node.qty
        if qty is None:
            skipped.append(node.index)
            why.append(_DERIVED_QTY if node.derived else _UNFIXED_QTY)
        elif lot > 0 and not is_multiple(qty, lot):
            where = node.size_at
            options = lot_options(node, qty)
            if node.venue == "kalshi" and m.lot == 1:
                yield Finding(
                    where,
                    f"size {fmt(qty)} is not a whole number of contracts; kalshi trades whole contracts",
                    f"use {options} contracts, or {_set_it(node, 'fractional = true')} if the market "
                    "allows fractional trading",
                )
                continue
            yield Finding(where, f"size {_amount(node, qty)} is not a multiple of {_lot_text(node)}", f"use {options}")
        elif (slices := _twap_slices(node)) and _slices_may_be_off(lot) and not is_multiple(qty, times(lot, slices)):
            # each slice (qty / slices) is an order: GC301/GC302's model; `buy: $10` is compile's size, its notional
            yield _slices_off_lot(node, qty, slices, ctx.facts.notionals.get(node.node_id))
    if skipped:
        yield SkippedNodes("quantity", skipped, why)


def lot_options(node, qty: Decimal) -> str:
    """GC305's ``0.0043 or 0.0044``: the sizes on the lot either side of ``qty`` that the venue accepts, leaving out
    one under its minimum size or minimum notional where graphc knows them (GC302 and GC301 would report it); when
    neither is accepted, the smallest size on the lot that is, as GC301's hint works it out (:func:`_min_qty`)."""
    m = node.market
    unknown, min_size = _plan(node, "GC302", _min_size_plan)
    min_size = None if unknown is not None or not min_size else min_size
    unknown, min_notional, _ = _plan(node, "GC301 market" if node.market_order else "GC301", _min_notional_plan)
    price = node.reference
    if unknown is not None or not min_notional or price is None or price <= 0:
        min_notional = None

    def accepted(size: Decimal) -> bool:
        return (
            size > 0
            and (min_size is None or size >= min_size)
            and (min_notional is None or times(size, price) >= min_notional)
        )

    low, high = step_floor(qty, m.lot), step_ceil(qty, m.lot)
    options = [size for size in (low, high) if accepted(size)]
    if not options:  # both under a minimum: the smallest size on the lot over every minimum graphc knows
        least = _min_qty(m, min_notional, price) if min_notional is not None and price is not None else None
        if least is None or not accepted(least):
            least = step_ceil(max(high, min_size or high), m.lot)
        options = [least]
    return " or ".join(fmt(size) for size in options)


def _slices_may_be_off(lot: Decimal) -> bool:
    """Whether a TWAP slice the wire can carry may be off ``lot``: only a lot coarser than the wire's 1e-8 (a
    whole contract, 0.01 share, most exchange products). On a lot of 1e-8 or finer every size the wire carries is
    on the lot, and a slice finer than that (2.57066765 BTC in 10) is one the router must round to the wire's
    scale, so onto the lot, itself."""
    return lot > 0 and size_step(lot) != WIRE_QTY_STEP


def _lot_text(node) -> str:
    """``polymarket's 0.01 lot``, ``hyperliquid's 0.001 lot (szDecimals 3)``."""
    m = node.market
    sz = f" (szDecimals {m.sz_decimals})" if m.sz_decimals is not None else ""
    return f"{_venue_name(node)}'s {fmt(m.lot)} lot{sz}"


def _slices_off_lot(node, qty: Decimal, slices: Decimal, written: Decimal | None = None) -> Finding:
    """GC305's warning for a TWAP whose size is on the lot but whose equal slices (qty / slices) are not: worded
    as GC301's and GC302's slice warnings (graphc assumes equal slices: the router reference does not say).

    ``written``: the notional the size was worked out from (``buy: $10``, :attr:`GraphFacts.notionals`). Compile
    rounds it down to the lot, not to lot x slices (spec §3.2), so the hint offers only the sizes whose notional
    stays within it (24 contracts for $10 at 0.40, not 26: $10.40), each with the notional that buys it."""
    lot = node.market.lot
    each = quotient(qty, slices)  # None: no exact decimal (10 contracts in 3 slices), so none is shown
    sizes = [v for v in (step_floor(qty, times(lot, slices)), step_ceil(qty, times(lot, slices))) if v > 0]
    price, pays = node.reference, ""
    if written is not None and price is not None and price > 0:
        # the sizes the written notional pays for (when even the smaller is over it, the larger), and the notional
        # that buys the size offered (exactly: it divides back to that size)
        sizes = [v for v in sizes if times(v, price) <= written] or sizes[-1:]
        pays = f", or {_notional_for(sizes[0], price, at_least=False)}"
    options = " or ".join([*map(fmt, sizes[:-1]), _amount(node, sizes[-1])])  # 2 or 4 contracts
    whole, count = _amount(node, qty), fmt(slices)
    if node.venue == "kalshi" and lot == 1:
        said = "not a whole number of contracts"
        per = f"{_amount(node, each)} a slice, {said}" if each is not None else f"{said} a slice"
        return Finding(
            node.size_at,
            f"{whole} in {count} TWAP slices is {per}; kalshi trades whole contracts (each slice is an order)",
            f"use {options} (whole contracts in each of {count} slices){pays}, or a slice count that divides "
            f"{whole} into whole contracts",
            severity=WARNING,
        )
    said = f"not a multiple of {_lot_text(node)}"
    per = f"{_amount(node, each)} a slice, {said}" if each is not None else f"{said} a slice"
    return Finding(
        node.size_at,
        f"{whole} in {count} TWAP slices is {per} (each slice is an order)",
        f"use {options} (a multiple of {fmt(lot)} in each of {count} slices){pays}, or a slice count that divides "
        f"{whole} into multiples of {fmt(lot)}",
        severity=WARNING,
    )


def _lot_unknown(node) -> str:
    key = "sz_decimals" if node.market.sig_figs else "lot"
    return _unknown(node, "lot", key, " (or give lot in the quotes snapshot)")


def _lot_plan(node) -> tuple[str | None, Decimal | None]:
    """GC305's plan for the node's market: (why the lot is unknown, or None; the lot)."""
    lot = node.market.precision["amount"]
    return (_lot_unknown(node) if lot is None else None), lot


@rule(
    "GC306",
    "venue-type",
    summary="prediction venue or prediction-shaped symbol with a non-prediction type, or the reverse; a symbol of "
    "one prediction venue pinned to the other",
    source=(
        'hosted-strategies.md (instrument_type="prediction" is required: without it the graph engine assumes spot '
        "and cannot find the venue); orders-and-execution-graphs.md, Node Fields (Polymarket slug/URL inputs are "
        "normalized to prediction before routing: a node pinned to polymarket without a type is not GC306); "
        "playbook-spec.md §3.1 (prediction-shaped symbols; rules 3-4: the venue a URL or KX ticker names)"
    ),
    flagged="    type: spot",
)
def check_venue_type(ctx):
    """A prediction market is typed as spot or perp, a prediction leg is routed to a venue without prediction markets graphc models, or one venue's market is pinned to the other.

    ## What it checks

    Polymarket and Kalshi list only prediction markets, so a leg pinned to either
    must have `type: prediction`, and a `prediction` leg cannot be pinned to a spot
    or perp venue such as `coinbase` or `binance`. Nor to `hyperliquid`:
    Hyperliquid does have outcome markets (venue-rules.md §5), but graphc does not
    model them (their tick, sizes and minimums) and the router reference does not
    say it routes them, so such a leg could only be checked against rules that are
    not its own; the message says so.

    The type is normally inferred (playbook spec §3.1): venue `polymarket` or
    `kalshi`, a `polymarket.com/event/...` URL (`http` or `https`, with or without
    `www.`), a symbol ending in `:yes`/`:no`, a token id of 20 or more digits, a
    `0x` condition id of 64 hex digits, or a Kalshi ticker such as
    `KXBTCD-25DEC31-T100000` all make a leg `prediction`. An explicit `type:` always
    wins over inference, so a symbol of one of those shapes with `type: spot` or
    `type: perp` (in a playbook, or `instrument.type` in a wire graph) is GC306
    too, whatever the venue. It usually comes from a `type:` line copied from
    another leg, or from a hand-written wire graph. A wire node that gives no
    `instrument.type` is read as the router reads it, spot (GC111), so such a
    symbol or venue without a type is GC306 as well. The exceptions are a
    Polymarket event URL or `:yes`/`:no` slug with no type, and any symbol on a
    node pinned to `polymarket` with no type (a bare slug such as
    `will-btc-reach-150k-in-2025`): the router's orders-and-execution-graphs.md
    (Node Fields) says Polymarket slugs and URLs are made prediction before
    routing, and a symbol pinned to Polymarket is one of Polymarket's (a slug,
    token id or URL, as its Simple Order lists them), so graphc reads that node
    as `prediction`, with GC111's warning, as it reads the same simple order. A
    node pinned to `kalshi` with no type is still read as spot: the reference
    names no such normalization for Kalshi.

    A symbol whose shape can only be a market of one prediction venue must not be
    pinned to the other: a `polymarket.com/event/...` URL is a Polymarket market, a
    `KX...` ticker a Kalshi one (spec §3.1 rules 3 and 4), so `venue: kalshi` on
    the first, or `venue: polymarket` on the second, is GC306 at the venue, in a
    playbook, a wire graph or a simple order. Token ids (20 or more digits), `0x`
    condition ids and symbols ending in `:yes`/`:no` are not counted, though
    graphc infers Polymarket from them when no venue is pinned: the router lists
    Kalshi markets by yes/no token ids as well (hosted-strategies.md), whose form
    the reference does not show, so such a symbol pinned to Kalshi may be valid
    there. Nor is a slug, which names no venue.

    ## Why it matters

    Without type `prediction`, the router treats the order as spot and cannot route
    it to the prediction venue, so it fails instead of trading. Sizes and prices
    also mean different things: shares priced between 0 and 1 on a prediction
    market, coins at market prices on a spot venue.

    Pinned to the other prediction venue, the market cannot resolve there, and
    graphc's venue checks would read the wrong venue's rules: 1 contract at 0.55 is
    a fine Kalshi order, but on Polymarket, where a polymarket.com URL says the
    market is, 1 share for $0.55 is below both the 5-share and the $1 minimum.

    ## Failing example

    A Polymarket leg with a `type: spot` line copied from a crypto leg:

    ```yaml
    graphc: 1
    name: btc-150k-yes
    legs:
      entry:
        buy: 10
        symbol: will-btc-reach-150k-in-2025
        venue: polymarket
        type: spot
        limit: 0.40
    ```

    A Kalshi ticker pinned to Polymarket:

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 10 contracts
        symbol: KXBTCD-25DEC31-T100000
        venue: polymarket
        limit: 0.40
    ```

    ## Fix

    Drop the `type:` line (the venue makes the leg `prediction`) and state the size
    in shares:

    ```yaml
    graphc: 1
    name: btc-150k-yes
    legs:
      entry:
        buy: 10 shares
        symbol: will-btc-reach-150k-in-2025
        venue: polymarket
        limit: 0.40
    ```

    Pin the ticker to the venue it belongs to, or leave the venue out (graphc
    infers `kalshi` from the ticker):

    ```yaml
    graphc: 1
    name: btc-100k-kalshi
    legs:
      entry:
        buy: 10 contracts
        symbol: KXBTCD-25DEC31-T100000
        venue: kalshi
        limit: 0.40
    ```
    """
    for node in ctx.nodes:
        m = node.market
        quiet = m.checks.get("GC306")
        if quiet is None:
            quiet = m.checks["GC306"] = _quiet_types(m)
        if node.type in quiet:
            continue  # nothing to report on this market for this instrument type (most nodes)
        if (other := _pinned_elsewhere(m)) is not None:
            owner, what = other
            yield Finding(
                node.at("instrument", "venue"),
                f"{node.symbol!r} is {what}, a {owner} market, but it is pinned to {node.venue}, where it cannot "
                f"resolve (and {node.venue}'s minimums, tick and price range are not its own)",
                f"pin venue {owner}, the venue the symbol belongs to, or leave the venue out",
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
            why = _UNMODELLED_OUTCOMES.get(node.venue or "", "which lists no prediction markets")
            yield Finding(
                node.at("instrument", "venue"),
                f"instrument type 'prediction' on {node.venue}, {why}",
                "pin venue polymarket or kalshi, or leave the venue out",
            )
        elif node.type in ("spot", "perp") and (shaped := _shaped_venue(node.symbol)):
            # a missing type too: the router reads it as spot (GC111), and then cannot route it
            yield Finding(
                node.at("instrument", "type"),
                f"{node.symbol!r} is a {shaped} market, but {_type_words(node)}; the router "
                "would treat it as spot and cannot route it",
                _prediction_hint(node, "set type: prediction (or drop `type:`: graphc infers it from the symbol)"),
            )


def _pinned_elsewhere(m: MarketFacts) -> tuple[str, str] | None:
    """``(venue, what the symbol is)`` when market ``m`` is pinned to one prediction venue and its symbol's
    shape can only be the other's (:func:`~graphc.venues.symbols.owning_venue`), else None."""
    if m.venue not in PREDICTION_VENUES:
        return None
    owner = owning_venue(m.symbol)
    return owner if owner is not None and owner[0] != m.venue else None


def _type_words(node) -> str:
    """``the instrument type is 'spot'``, or what the router makes of a type the wire node does not give."""
    if "instrument.type" in node.missing:
        return "the node gives no instrument type"
    return f"the instrument type is {node.type!r}"


def _prediction_hint(node, given: str) -> str:
    return 'add "type": "prediction" to the instrument' if "instrument.type" in node.missing else given


def _quiet_types(m: MarketFacts) -> frozenset[str]:
    """The instrument types for which GC306 reports nothing on any node of market ``m`` (what it checks
    of a node besides its type, its symbol, is the market's; whether the type was given changes only the
    words of a finding)."""
    if (m.known_venue and m.prediction is None) or _pinned_elsewhere(m) is not None:
        return frozenset()  # every node is skipped, or pinned to the wrong prediction venue
    quiet = []
    for kind in ("spot", "perp", "prediction"):
        if m.prediction and kind != "prediction":
            continue
        if m.prediction is False and kind == "prediction":
            continue
        if kind in ("spot", "perp") and _shaped_venue(m.symbol):
            continue
        quiet.append(kind)
    return frozenset(quiet)


@rule(
    "GC307",
    "unknown-venue",
    severity=WARNING,
    summary="venue graphc has no profile for",
    source=f"{_VENUE_RULES} (the venues graphc has facts for, with their sources)",
    flagged="    venue: coinbse",
)
def check_unknown_venue(ctx):
    """The leg is pinned to a venue graphc has no profile for, so none of its venue checks can run.

    ## What it checks

    `venue:` pins a leg to one venue (compared in lower case, without whitespace
    around it; a wire graph's venue not written in lower case, or with whitespace
    around it, is GC103 as well). graphc has built-in
    profiles for `polymarket`, `kalshi`, `hyperliquid`, `coinbase`, `binance` and
    `kraken`, and knows any venue described in a `[venues.<name>]` table of
    `graphc.toml`. For any other venue name it reports GC307 (the message lists the
    known venues), and the venue's own rules (minimums, maximums, range) are skipped
    for that leg; the facts known for the symbol itself (the snapshot's tick and
    lot, `[markets."<symbol>"]`) are still checked. A leg without `venue:` is routed
    by the router's smart order router and is not reported.

    ## Why it matters

    Most often the name is misspelled, and the router cannot route to a venue it
    does not know, so the order is rejected at submission. When the venue does
    exist, the order still goes out without any of graphc's checks on tick, size or
    notional, which is worth knowing before real money moves. That is why this is a
    warning rather than an error.

    ## Failing example

    A typo in the venue name:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        venue: coinbse
    ```

    ## Fix

    Spell the venue correctly, or remove the `venue:` line to let the router choose.
    For a real venue graphc does not ship, describe it under `[venues.<name>]` in
    `graphc.toml`:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        venue: coinbase
    ```
    """
    for node in ctx.nodes:
        if node.venue is None or node.market.known_venue:
            continue
        known = known_venues(ctx.facts.resolver.config.venues)
        import difflib  # deferred: only an unknown venue needs it (a clean lint never asks)

        close = difflib.get_close_matches(node.venue, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"describe it under [venues.{node.venue}] in graphc.toml"
        yield Finding(
            node.at("instrument", "venue"),
            f"unknown venue {node.venue!r}, so its rules are not checked; known venues: {', '.join(known)}",
            hint,
        )


@rule(
    "GC308",
    "price-form",
    summary="venue rule on the form of the price (e.g. significant figures)",
    source=f"{_VENUE_RULES} §3 (Hyperliquid: at most 5 significant figures, integers exempt; 6/8 - szDecimals decimals)",
    flagged="    limit: 3456.78",
)
def check_price_form(ctx):
    """The limit price breaks a venue rule about how prices may be written, such as Hyperliquid's significant-figure limit.

    ## What it checks

    Some venues constrain the form of a price rather than a fixed tick. Hyperliquid
    is the main one:

    - at most 5 significant figures, except that integer prices are always allowed
      (`123456` passes, `12345.6` does not);
    - at most `6 − szDecimals` decimal places for perps and `8 − szDecimals` for
      spot, checked only when `szDecimals` for the asset is configured.

    A venue graphc knows without such a rule (Coinbase, Kalshi, ...) has nothing
    to check here. A leg with no venue pinned is routed by the router, possibly
    to Hyperliquid, and a leg on a venue graphc does not know (GC307) may have
    such a rule: there the check is skipped, never passed, as GC303 is for the
    tick (`graphc lint --explain-skips` lists it), unless `sig_figs` is set for
    the market in `graphc.toml`. Pin the venue to have it decided.

    ## Why it matters

    Hyperliquid rejects a price that breaks these rules, so the order never rests or
    fills. When the rejected order is a hedge or an exit, the position it was meant
    to protect stays open.

    ## Failing example

    3456.78 has six significant figures:

    ```yaml
    graphc: 1
    name: eth-perp-entry
    legs:
      entry:
        buy: 0.5
        symbol: ETH-USD-PERP
        venue: hyperliquid
        limit: 3456.78
    ```

    ## Fix

    Use at most five significant figures; for a buy, dropping the last digit keeps
    the price no higher than intended:

    ```yaml
    graphc: 1
    name: eth-perp-entry
    legs:
      entry:
        buy: 0.5
        symbol: ETH-USD-PERP
        venue: hyperliquid
        limit: 3456.7
    ```
    """
    for node in ctx.nodes:
        price = node.limit
        if price is None:
            continue
        m = node.market
        if (m.sig_figs is None and m.max_price_decimals_base is None) or price <= 0:
            if price > 0 and (node.venue is None or not m.known_venue):
                # the router picks the venue, or graphc does not know it: whether a rule limits the price's form
                # (Hyperliquid's) is unknown, as the tick is for GC303; skipped, never passed (venue18 5)
                text = m.checks.get("GC308")
                if text is None:
                    text = m.checks["GC308"] = _unknown(node, "price form (significant figures, decimals)", "sig_figs")
                yield _new(Skipped, (("nodes", node.index, "order_type"), text))  # (no Python __new__)
            continue  # no rule on the price's form here (most markets): not even a comparison made
        where = node.limit_at
        problem = form_problem(price, m)
        if problem:
            yield Finding(where, problem, "use " + _neighbours(price, figures_step(price, m)))
        elif m.sz_decimals is None and m.max_price_decimals_base is not None and price != price.to_integral_value():
            yield Skipped(
                node.at("order_type"),
                f"szDecimals of {node.symbol} is unknown, so the {m.max_price_decimals_base} - szDecimals "
                f"price-decimals limit cannot be checked; {_set_it(node, 'sz_decimals')}",
            )


@rule(
    "GC309",
    "max-size",
    summary="size or notional above the venue's maximum",
    source=(
        f"{_VENUE_RULES} §4 (Coinbase base_max_size and quote_max_size, Binance LOT_SIZE maxQty and NOTIONAL "
        "maxNotional), §5 (ccxt limits.amount.max, limits.cost.max), §6 (an unknown maximum is never a silent pass)"
    ),
    flagged="    buy: 5000 BTC",
)
def check_max_size(ctx):
    """Order size or notional is above the largest the venue accepts for the market.

    ## What it checks

    Venues cap single orders as well as setting minimums: Coinbase publishes a
    `base_max_size` and a `quote_max_size` per product, Binance a `maxQty`
    (`LOT_SIZE`) and a `maxNotional` (`NOTIONAL`). graphc compares each fixed
    size with the market's maximum size, and size × price (the limit, else the
    quote's ask for a buy, bid for a sell) with its maximum notional. A size
    exactly at the maximum passes.

    The maximums come from the market facts, like every venue number: the
    built-in profile (Coinbase BTC-USD: 3,400 BTC and $150,000,000, from one
    published snapshot), then `max_size` / `max_notional` in `[venues.<name>]`
    or `[markets."<symbol>"]` of `graphc.toml`. A maximum that is not known
    is never read as "no maximum" (venue-rules.md §6: unknown is a skip, never
    a silent pass; no venue's facts state that it has none). Where neither is
    known (most markets: venues publish them per product), the check is
    skipped, and `graphc lint --explain-skips` asks for both values. Where only
    one is known, that half is checked as above and the other half is skipped,
    naming the value to configure: with only `max_size`, an order within it is
    reported as skipped because its maximum notional is unknown (set
    `max_notional`); with only `max_notional`, likewise for `max_size`. An
    order over the known maximum is reported whatever the other half.

    ## Why it matters

    An order above the venue's maximum is rejected outright, after the legs
    before it in the graph may already have traded: the hedge that should follow
    a spot fill is refused and the position is left open. Sizes like this are
    usually a unit slip (`5000` meant as dollars, written as coins).

    ## Failing example

    5,000 BTC in one Coinbase order, above the product's 3,400 BTC maximum:

    ```yaml
    graphc: 1
    name: btc-accumulate
    legs:
      entry:
        buy: 5000 BTC
        symbol: BTC-USD
        venue: coinbase
        limit: 60000
    ```

    ## Fix

    Split the order, or size it in dollars if that was the intent:

    ```yaml
    graphc: 1
    name: btc-accumulate
    legs:
      first:
        buy: 2500 BTC
        symbol: BTC-USD
        venue: coinbase
        limit: 60000
      second:
        buy: 2500 BTC
        symbol: BTC-USD
        venue: coinbase
        limit: 60000
        after: first filled
    ```
    """
    everywhere = _skipped_everywhere(ctx, "quantity", lambda node: _plan(node, "GC309", _max_size_plan)[0])
    if everywhere is not None:
        yield everywhere
        return
    skipped, why = [], []  # the SkippedNodes yielded at the end
    for node in ctx.nodes:
        m = node.market
        plan = m.checks.get("GC309")
        if plan is None:
            plan = m.checks["GC309"] = _max_size_plan(node)
        unknown, max_size, max_cost, no_price, half_unknown = plan
        if unknown is not None:
            skipped.append(node.index)
            why.append(unknown)
            continue
        qty = node.qty
        if qty is None:
            skipped.append(node.index)
            why.append(_DERIVED_QTY if node.derived else _UNFIXED_QTY)
            continue
        if max_size is not None and qty > max_size:
            yield Finding(
                node.size_at,
                f"size {_amount(node, qty)} is above {_venue_name(node)}'s maximum of {_amount(node, max_size)} "
                f"for {node.symbol}",
                f"split it into orders of at most {_amount(node, max_size)} (`after: LEG filled`), or check the unit",
            )
            continue
        if max_cost is None:  # the size passed; the notional's maximum is unknown: skipped, never passed
            skipped.append(node.index)
            why.append(half_unknown)
            continue
        reference = node.reference
        if reference is None:
            skipped.append(node.index)
            one_sided = missing_side(node)  # a quote without the side a market order meets
            priceless = no_price if one_sided is None else f"no limit price and {one_sided}: the notional is unknown"
            why.append(priceless if half_unknown is None else f"{priceless}; and {half_unknown}")
        elif (notional := times(qty, reference)) > max_cost:  # exact (graphc.numbers), as GC501's
            yield Finding(
                node.size_at,
                f"order notional {_money(notional, m.cost_unit)} is above {_venue_name(node)}'s "
                f"maximum of "
                f"{_money(max_cost, m.cost_unit)} for {node.symbol}",
                "split it into smaller orders, or check the size and price",
            )
        elif half_unknown is not None:  # the notional passed; the size's maximum is unknown
            skipped.append(node.index)
            why.append(half_unknown)
    if skipped:
        yield SkippedNodes("quantity", skipped, why)


def _max_size_plan(node) -> tuple[str | None, Decimal | None, Decimal | None, str, str | None]:
    """GC309's plan for the node's market: (why both maximums are unknown, or None; the maximum size; the maximum
    notional; the skip's text when the order has no price; why the one unknown maximum is unknown, or None when
    both are known).

    Only a stated value decides: a maximum that is None is unknown, never "no maximum" (venue-rules.md §6 and
    its intro; no profile or setting states that a venue has no maximum), so the half it would check is skipped.
    """
    limits = node.market.limits
    max_size, max_cost = limits["amount"].max, limits["cost"].max
    unknown = half_unknown = None
    if max_size is None and max_cost is None:
        unknown = _unknown(node, "maximum size and notional", "max_size and max_notional")
    elif max_size is None:
        half_unknown = _unknown(node, "maximum size", "max_size")
    elif max_cost is None:
        half_unknown = _unknown(node, "maximum notional", "max_notional")
    no_price = f"no limit price and no quote for {node.symbol}: the notional is unknown"
    return unknown, max_size, max_cost, no_price, half_unknown


RULES = [
    check_min_notional.rule,
    check_min_size.rule,
    check_tick.rule,
    check_price_range.rule,
    check_lot.rule,
    check_venue_type.rule,
    check_unknown_venue.rule,
    check_price_form.rule,
    check_max_size.rule,
]
