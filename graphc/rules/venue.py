"""Venue rules GC301-GC308: would the pinned venue accept this order, and would it trade?

Each check reads the wire nodes, asks :func:`graphc.venues.market_for` what the
venue accepts for the market (built-in profile, then the quotes snapshot's
tick/lot, then config) and yields a Finding that carries the numbers and the fix.

A value graphc does not know is never a pass: the check calls ``ctx.skip`` with
the reason (``--explain-skips``). A node with no venue pin is routed by SOR and
gets no venue checks, except that a prediction price must lie strictly inside
0..1 (GC304); on prediction nodes the other checks skip, because polymarket and
kalshi differ. A market order has no price to check (GC303, GC304, GC308).
"""

from __future__ import annotations

import difflib
import re
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from typing import NamedTuple

from graphc.rules.base import Finding, checks, new_tuple
from graphc.venues import MarketMeta, known_venues, market_for
from graphc.venues import fmt_decimal as fmt

_CENT = Decimal("0.01")
_WIRE_QTY_STEP = Decimal("1e-8")
_BELOW_MIN_EFFECT = {"polymarket": "the router accepts it but it never crosses"}  # venue-rules.md §0
_UNITS = {"polymarket": "shares", "kalshi": "contracts"}


class _Leg(NamedTuple):
    """One wire node, its instrument read defensively and its market looked up."""

    i: int
    node: dict
    symbol: str
    type: str | None
    venue: str | None
    market: MarketMeta | None
    qty: Decimal | None  # fixed size in base units (None: derived or malformed)
    price: Decimal | None  # limit price (None: market order or unknown)
    reference: Decimal | None  # the limit price, else the quote's ask (buy) / bid (sell)

    def at(self, *path) -> tuple:
        return ("nodes", self.i, *path)

    def amount(self, qty: Decimal) -> str:
        """``7 shares``, ``0.5 BTC``: a size in the unit a trader reads."""
        unit = _UNITS.get(self.venue or "")
        if unit is None and (self.type == "prediction" or (self.market and self.market.prediction)):
            unit = "shares"
        if unit is None and re.search(r"[-/]", self.symbol):
            unit = re.split(r"[-/]", self.symbol)[0]
        return f"{fmt(qty)} {unit}" if unit else fmt(qty)

    @property
    def verb(self) -> str:
        return "Sell" if self.node.get("side") == "sell" else "Buy"

    def set_it(self, key: str) -> str:
        return f'set {key} in [markets."{self.symbol}"] of graphc.toml'


def _legs(ctx):
    """Every well-formed node with its market, size and price, read once per graph (each GC3xx check walks them)."""
    legs = ctx.__dict__.get("_venue_legs")
    if legs is None:
        legs = ctx.__dict__["_venue_legs"] = list(_read_legs(ctx))
    return legs


def _read_legs(ctx):
    for i, node in enumerate(ctx.nodes):
        instrument = node.get("instrument") if isinstance(node, dict) else None
        if not isinstance(instrument, dict):
            continue  # malformed input is GC1xx's business
        symbol = instrument.get("symbol") if isinstance(instrument.get("symbol"), str) else ""
        kind = instrument.get("type") if isinstance(instrument.get("type"), str) else None
        venue = instrument.get("venue")
        venue = venue.lower() if isinstance(venue, str) and venue else None
        market = market_for(venue, symbol, kind, ctx.quote(symbol), ctx.venue_overrides, ctx.market_overrides)
        qty, price, reference = ctx.numbers[i]
        yield new_tuple(_Leg, (i, node, symbol, kind, venue, market, qty, price, reference))


def _venue_legs(ctx, code, *path):
    """Legs whose venue rules are known; the others are skipped with the reason (SOR spot/perp silently)."""
    for leg in _legs(ctx):
        if leg.market is not None:
            yield leg
        elif leg.venue is not None:
            ctx.skip(code, leg.at(*path), f"venue {leg.venue!r} is unknown (GC307): its rules are not known")
        elif leg.type == "prediction":
            ctx.skip(code, leg.at(*path), "no venue pinned: the router picks polymarket or kalshi, whose rules differ")


def _qty_unknown(leg) -> str:
    if leg.node.get("quantity") == "derived":
        return "the quantity is derived from fills, so it is not known before they happen"
    return "the quantity is not a fixed number"


def _step(value: Decimal, step: Decimal, rounding) -> Decimal:
    return (value / step).to_integral_value(rounding=rounding) * step


def _neighbours(value: Decimal, step: Decimal, ok=lambda v: v > 0) -> str:
    """``0.55 or 0.56``: the grid points either side of ``value`` that are allowed."""
    low = _step(value, step, ROUND_FLOOR)
    options = [v for v in (low, low + step) if ok(v)] or [low + step]
    return " or ".join(fmt(v) for v in options)


def _money(value: Decimal, unit: str | None, exact: bool = False) -> str:
    """``$0.35``: cents, rounded down so a shortfall never displays as the minimum itself."""
    cents = value.quantize(_CENT, rounding=ROUND_DOWN)
    text = f"{(value if exact and cents != value else cents):,f}"
    if unit == "USD":
        return "$" + text
    return f"{text} {unit}" if unit else f"{text} (quote currency)"


@checks("GC301")
def check_min_notional(ctx):
    """Polymarket leaves an order under $1 resting forever; other venues reject it outright."""
    for leg in _venue_legs(ctx, "GC301", "quantity"):
        where, m = leg.at("quantity"), leg.market
        is_market = leg.node.get("order_type") == "market"
        minimum = m.limits["market_cost" if is_market else "cost"].min
        qty, price = leg.qty, leg.reference
        if minimum == 0:
            continue
        if minimum is None:
            kind = "market-order minimum notional" if is_market else "minimum notional"
            ctx.skip("GC301", where, f"{m.venue}'s {kind} for {leg.symbol} is unknown; {leg.set_it('min_notional')}")
        elif qty is None:
            ctx.skip("GC301", where, _qty_unknown(leg))
        elif price is None or price <= 0:
            what = "market order" if is_market else "price template"
            ctx.skip("GC301", where, f"{what} and no quote for {leg.symbol}: the notional is unknown")
        elif qty * price < minimum:
            effect = _BELOW_MIN_EFFECT.get(m.venue, "the venue rejects it")
            yield Finding(
                "GC301",
                where,
                f"{m.venue.capitalize()} order notional {_money(qty * price, m.cost_unit)} is below the "
                f"{_money(minimum, m.cost_unit, exact=True)} minimum; {effect}.",
                f"{leg.verb} at least {leg.amount(_min_qty(m, minimum, price))} at {fmt(price)}.",
            )


def _min_qty(m: MarketMeta, minimum: Decimal, price: Decimal) -> Decimal:
    """The smallest size that clears ``minimum`` at ``price``, on the lot and at least the min size.

    Prediction sizes are rounded up to whole shares/contracts: the simple number a
    trader types (Polymarket's 0.01 lot would allow 6.67 at 0.15; we say 7).
    """
    step = m.lot or _WIRE_QTY_STEP
    if m.prediction:
        step = max(step, Decimal(1))
    need = _step(minimum / price, step, ROUND_CEILING)
    min_size = m.limits["amount"].min
    return max(need, min_size) if min_size is not None else need


@checks("GC302")
def check_min_size(ctx):
    """Sizes under the venue minimum are rejected (Polymarket: ``Size (N) lower than the minimum: M``)."""
    for leg in _venue_legs(ctx, "GC302", "quantity"):
        where, m = leg.at("quantity"), leg.market
        minimum, qty = m.limits["amount"].min, leg.qty
        if minimum == 0:
            continue
        if minimum is None:
            ctx.skip("GC302", where, f"{m.venue}'s minimum size for {leg.symbol} is unknown; {leg.set_it('min_size')}")
        elif qty is None:
            ctx.skip("GC302", where, _qty_unknown(leg))
        elif qty < minimum:
            note = ""
            if m.origin.get("min_size", "").endswith(" default"):
                note = f" ({fmt(minimum)} is {m.venue}'s usual minimum; {leg.set_it('min_size')} if it differs)"
            yield Finding(
                "GC302",
                where,
                f"size {leg.amount(qty)} is below {m.venue}'s minimum of {leg.amount(minimum)}",
                f"{leg.verb} at least {leg.amount(minimum)}{note}.",
            )


def _price_ok(m: MarketMeta):
    bounds = m.limits["price"]
    return lambda p: p > 0 and (bounds.min is None or p >= bounds.min) and (bounds.max is None or p <= bounds.max)


@checks("GC303")
def check_tick(ctx):
    """An off-tick limit price is rejected (Kalshi) or fails the client's tick check (Polymarket)."""
    for leg in _venue_legs(ctx, "GC303", "order_type"):
        where, m, price = leg.at("order_type"), leg.market, leg.price
        if price is None:
            continue
        tick = m.tick_for(price)
        if tick is None and m.sig_figs:
            continue  # no fixed tick (Hyperliquid): GC308 checks the price form
        if tick is None:
            ctx.skip(
                "GC303",
                where,
                f"the tick of {leg.symbol} on {m.venue} is unknown; give it in the quotes "
                f"snapshot or {leg.set_it('tick')}",
            )
            continue
        if price % tick == 0:
            continue
        band = m.band_for(price)
        span = f" for prices {fmt(band.lo)}-{fmt(band.hi)}" if band else ""
        hint = "use " + _neighbours(price, tick, _price_ok(m))
        if not band and m.origin.get("tick", "").endswith(" default"):
            hint += f" ({fmt(tick)} is graphc's default check; give the market's tick in the quotes snapshot)"
        yield Finding("GC303", where, f"price {fmt(price)} is not on {m.venue}'s {fmt(tick)} tick{span}", hint)


def _range_text(low, high) -> str:
    if low is not None and high is not None:
        return f"range {fmt(low)}-{fmt(high)}"
    return f"minimum price {fmt(low)}" if low is not None else f"maximum price {fmt(high)}"


@checks("GC304")
def check_price_range(ctx):
    """A prediction price is dollars per share, strictly inside 0..1; venues narrow it further."""
    for leg in _legs(ctx):
        where, m, price = leg.at("order_type"), leg.market, leg.price
        if price is None:
            continue
        known = m is not None and m.prediction is not None
        prediction = m.prediction if known else leg.type == "prediction"  # a known venue outranks the type (GC306)
        cents = "prediction prices are dollars per share (55c = 0.55); " if prediction and price >= 1 else ""
        low, high = (m.limits["price"].min, m.limits["price"].max) if m else (None, None)
        if (low is not None and price < low) or (high is not None and price > high):
            yield Finding(
                "GC304",
                where,
                f"price {fmt(price)} is outside {m.venue}'s {_range_text(low, high)}",
                f"{cents}use a price in the {_range_text(low, high)}",
            )
        elif prediction and not 0 < price < 1:
            yield Finding(
                "GC304",
                where,
                f"price {fmt(price)} is not strictly between 0 and 1",
                f"{cents}use a price between 0 and 1",
            )
        elif m is None and (leg.venue is not None or leg.type == "prediction"):
            why = f"venue {leg.venue!r} is unknown (GC307)" if leg.venue else "no venue pinned"
            ctx.skip("GC304", where, f"{why}: the venue's price range is not known")
        elif m is not None and (low is None or high is None):
            ctx.skip(
                "GC304",
                where,
                f"{m.venue}'s price range for {leg.symbol} is not fully known; {leg.set_it('price_min and price_max')}",
            )


@checks("GC305")
def check_lot(ctx):
    """Sizes off the venue's lot are rejected (Kalshi) or silently cut down (Polymarket)."""
    for leg in _venue_legs(ctx, "GC305", "quantity"):
        where, m, qty = leg.at("quantity"), leg.market, leg.qty
        if m.lot is None:
            key = "sz_decimals" if m.sig_figs else "lot"
            ctx.skip("GC305", where, f"the lot of {leg.symbol} on {m.venue} is unknown; {leg.set_it(key)}")
        elif qty is None:
            ctx.skip("GC305", where, _qty_unknown(leg))
        elif m.lot > 0 and qty % m.lot != 0:
            options = _neighbours(qty, m.lot)
            if m.venue == "kalshi" and m.lot == 1:
                yield Finding(
                    "GC305",
                    where,
                    f"size {fmt(qty)} is not a whole number of contracts; kalshi trades whole contracts",
                    f"use {options} contracts, or {leg.set_it('fractional = true')} if the market "
                    "allows fractional trading",
                )
                continue
            sz = f" (szDecimals {m.sz_decimals})" if m.sz_decimals is not None else ""
            yield Finding(
                "GC305",
                where,
                f"size {leg.amount(qty)} is not a multiple of {m.venue}'s {fmt(m.lot)} lot{sz}",
                f"use {options}",
            )


@checks("GC306")
def check_venue_type(ctx):
    """Without type prediction the router assumes spot and cannot route to a prediction venue."""
    for leg in _legs(ctx):
        m = leg.market
        if m is None:
            continue  # no pin (SOR) or an unknown venue (GC307)
        if m.prediction is None:
            ctx.skip(
                "GC306",
                leg.at("instrument", "venue"),
                f"whether {m.venue} lists prediction markets is unknown; set prediction in [venues.{m.venue}]",
            )
        elif m.prediction and leg.type != "prediction":
            yield Finding(
                "GC306",
                leg.at("instrument", "type"),
                f"{m.venue} is a prediction venue but the instrument type is {leg.type!r}; the router "
                "assumes spot and cannot route it",
                "set type: prediction",
            )
        elif not m.prediction and leg.type == "prediction":
            yield Finding(
                "GC306",
                leg.at("instrument", "venue"),
                f"instrument type 'prediction' on {m.venue}, which lists no prediction markets",
                "pin venue polymarket or kalshi, or leave the venue out",
            )


@checks("GC307")
def check_unknown_venue(ctx):
    """A venue graphc has no profile for: none of its rules can be checked."""
    for leg in _legs(ctx):
        if leg.venue is None or leg.market is not None:
            continue
        known = known_venues(ctx.venue_overrides)
        close = difflib.get_close_matches(leg.venue, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"describe it under [venues.{leg.venue}] in graphc.toml"
        yield Finding(
            "GC307",
            leg.at("instrument", "venue"),
            f"unknown venue {leg.venue!r}, so its rules are not checked; known venues: {', '.join(known)}",
            hint,
        )


def _form_step(m: MarketMeta, price: Decimal) -> Decimal:
    """The finest step a price of this size may use under the venue's price-form rules."""
    steps = [Decimal(1).scaleb(price.adjusted() - m.sig_figs + 1)] if m.sig_figs else []
    if m.max_price_decimals is not None:
        steps.append(Decimal(1).scaleb(-m.max_price_decimals))
    step = max(steps)
    return min(step, Decimal(1)) if m.integer_price_exempt else step


def _price_form_problem(m: MarketMeta, symbol: str, price: Decimal) -> str | None:
    """What is wrong with the form of ``price`` (figures first, then decimals), or None."""
    digits = price.normalize().as_tuple()
    figures, decimals = len(digits.digits), max(-digits.exponent, 0)
    if m.sig_figs is not None and figures > m.sig_figs:
        exempt = " (integer prices are exempt)" if m.integer_price_exempt else ""
        return f"price {fmt(price)} has {figures} significant figures; {m.venue} allows at most {m.sig_figs}{exempt}"
    if m.max_price_decimals is not None and decimals > m.max_price_decimals:
        rule = f" ({m.max_price_decimals_base} - szDecimals {m.sz_decimals})" if m.sz_decimals is not None else ""
        return (
            f"price {fmt(price)} has {decimals} decimals; {m.venue} allows at most {m.max_price_decimals} "
            f"for {symbol}{rule}"
        )
    return None


@checks("GC308")
def check_price_form(ctx):
    """Hyperliquid rejects prices with more than 5 significant figures or 6/8 - szDecimals decimals."""
    for leg in _venue_legs(ctx, "GC308", "order_type"):
        where, m, price = leg.at("order_type"), leg.market, leg.price
        if price is None or price <= 0 or (m.sig_figs is None and m.max_price_decimals_base is None):
            continue
        if m.integer_price_exempt and price == price.to_integral_value():
            continue
        problem = _price_form_problem(m, leg.symbol, price)
        if problem:
            yield Finding("GC308", where, problem, "use " + _neighbours(price, _form_step(m, price)))
        elif m.max_price_decimals_base is not None and m.max_price_decimals is None:
            ctx.skip(
                "GC308",
                where,
                f"szDecimals of {leg.symbol} is unknown, so the {m.max_price_decimals_base} - "
                f"szDecimals price-decimals limit cannot be checked; {leg.set_it('sz_decimals')}",
            )


CHECKS = [
    check_min_notional,
    check_min_size,
    check_tick,
    check_price_range,
    check_lot,
    check_venue_type,
    check_unknown_venue,
    check_price_form,
]
