"""Prices on a venue's grid: aligning generated prices (compile) and checking written ones (lint).

Both sides read the same :class:`~graphc.venues.model.MarketFacts` and the same
step arithmetic here, so a price compile generates passes lint's GC303 (tick)
and GC308 (price form) under the same facts.

Spec §4: a generated price is moved only in the direction that never worsens it
for the leg (buys down, sells up) onto every grid the venue imposes at once: the
tick (or, while the tick is only a default, the coarsest grid of the venue),
and on significant-figure venues (Hyperliquid) the 5-significant-figure step
(integers exempt) and the ``6/8 - szDecimals`` decimals step. Where several
grids apply, the price goes onto their least common multiple, so it lies on
each of them. All arithmetic is exact.
"""

from __future__ import annotations

from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow
from math import lcm

from graphc.numbers import is_multiple
from graphc.venues.model import MarketFacts

# Wide enough that no checked value is ever rounded; Inexact is trapped so a rounding we did not foresee fails loudly.
_EXACT = Context(prec=1000, traps=[InvalidOperation, Overflow, Inexact])
_ONE = Decimal(1)


def step_floor(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` (> 0) that is <= ``value``, exactly."""
    return _to_step(value, step, up=False)


def step_ceil(value: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` (> 0) that is >= ``value``, exactly."""
    return _to_step(value, step, up=True)


def _to_step(value: Decimal, step: Decimal, *, up: bool) -> Decimal:
    k, rest = _EXACT.divmod(value, step)  # k truncated towards zero; rest has the sign of value
    if up and rest > 0:
        k = _EXACT.add(k, 1)  # never the default 28-digit context
    elif not up and rest < 0:
        k = _EXACT.subtract(k, 1)
    result = _EXACT.multiply(k, step)
    return result if result else result.copy_abs()  # zero is 0, never -0


def divide_down(amount: Decimal, price: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` whose value at ``price`` does not exceed ``amount``.

    ``floor(amount / (price × step)) × step``, computed exactly: the quotient is
    an integer division, never a rounded 28-digit one, so the size never buys
    more than ``amount`` (spec §3.2).
    """
    k = _EXACT.divide_int(amount, _EXACT.multiply(price, step))
    return _EXACT.multiply(k, step)


def divide_up(amount: Decimal, price: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` whose value at ``price`` is at least ``amount``, exactly:
    ``ceil(amount / (price × step)) × step`` (a size that clears a minimum notional)."""
    k, rest = _EXACT.divmod(amount, _EXACT.multiply(price, step))
    if rest > 0:
        k = _EXACT.add(k, 1)
    return _EXACT.multiply(k, step)


def trigger_level(reference: Decimal, offset_pct: Decimal) -> Decimal:
    """The price at which an ``on_price`` edge fires: ``reference × (1 + offset_pct / 100)``, exactly."""
    return _EXACT.multiply(reference, _EXACT.add(1, _EXACT.divide(offset_pct, 100)))


def common_step(*steps: Decimal | None) -> Decimal | None:
    """The least common multiple of the given steps (None entries ignored), exactly."""
    known = [s for s in steps if s is not None]
    if not known:
        return None
    exponent = min(int(s.as_tuple().exponent) for s in known)  # every step as a whole number of 10^exponent
    units = [int(s.scaleb(-exponent)) for s in known]
    return Decimal(lcm(*units)).scaleb(exponent)


def figures_step(price: Decimal, market: MarketFacts) -> Decimal | None:
    """The step the price-form rules allow at ``price``: 10^(magnitude - sig_figs + 1), at most 1 when
    integers are exempt, and no finer than 10^-max_decimals; None when the venue has no such rules."""
    steps = []
    if market.sig_figs and price > 0:
        step = _ONE.scaleb(price.adjusted() - market.sig_figs + 1)
        steps.append(min(step, _ONE) if market.integer_price_exempt else step)
    if market.max_price_decimals is not None:
        steps.append(_ONE.scaleb(-market.max_price_decimals))
    return max(steps) if steps else None


def align_generated(price: Decimal, side: str, market: MarketFacts | None) -> Decimal:
    """``price`` on every grid ``market`` imposes on generated prices, moved down for buys and up for sells."""
    if market is None:
        return price
    align = step_floor if side == "buy" else step_ceil
    for _ in range(3):  # a move can cross into a band with another tick, or into another magnitude
        step = common_step(market.grid_for(price), figures_step(price, market))
        if step is None:
            return price
        aligned = align(price, step)
        if aligned == price or aligned <= 0:
            return aligned
        price = aligned
    return price


# -- checks (lint) -----------------------------------------------------------------


def off_tick(price: Decimal, market: MarketFacts) -> Decimal | None:
    """The tick ``price`` is not on, or None (on the tick, or no tick known)."""
    tick = market.tick_for(price)
    if tick is None or is_multiple(price, tick):
        return None
    return tick


def form_problem(price: Decimal, market: MarketFacts) -> str | None:
    """What is wrong with the form of ``price`` (significant figures first, then decimals), or None."""
    if market.integer_price_exempt and price == price.to_integral_value():
        return None
    digits = price.normalize().as_tuple()
    figures, decimals = len(digits.digits), max(-int(digits.exponent), 0)
    venue = market.venue or "the venue"
    if market.sig_figs is not None and figures > market.sig_figs:
        exempt = " (integer prices are exempt)" if market.integer_price_exempt else ""
        return (
            f"price {_plain(price)} has {figures} significant figures; {venue} allows at most {market.sig_figs}{exempt}"
        )
    if market.max_price_decimals is not None and decimals > market.max_price_decimals:
        base, sz = market.max_price_decimals_base, market.sz_decimals
        rule = f" ({base} - szDecimals {sz})" if base is not None and sz is not None else ""
        return (
            f"price {_plain(price)} has {decimals} decimals; {venue} allows at most {market.max_price_decimals} "
            f"for {market.symbol}{rule}"
        )
    return None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
