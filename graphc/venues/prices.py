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
each of them. ``N tick`` on a banded market steps band by band (walk_ticks),
and a generated price must stay in the range of :func:`generated_bounds`
(compile's GC103 otherwise), so it also passes GC304. All arithmetic is exact.
"""

from __future__ import annotations

from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow
from fractions import Fraction
from math import lcm

from graphc.numbers import is_multiple
from graphc.venues.model import MarketFacts

# Wide enough that no checked value is ever rounded; Inexact is trapped so a rounding we did not foresee fails loudly.
_EXACT = Context(prec=1000, traps=[InvalidOperation, Overflow, Inexact])
_ONE = Decimal(1)
WIRE_QTY_STEP = Decimal("1e-8")  # the wire's quantity scale (qty_1e8; graphc.vocabulary.QTY_DIGITS)


def step_floor(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` (> 0) that is <= ``value``, exactly."""
    return _to_step(value, step, up=False)


def step_ceil(value: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` (> 0) that is >= ``value``, exactly."""
    return _to_step(value, step, up=True)


def _to_step(value: Decimal, step: Decimal, *, up: bool) -> Decimal:
    if not (step.is_finite() and step > 0):  # no grid to move onto (audit venues 1)
        raise ValueError(f"a step must be finite and positive, not {step}")
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


def size_step(lot: Decimal | None) -> Decimal:
    """The grid a size graphc works out (a notional's, the smallest size that clears a minimum) is put on: the
    coarsest one on both the venue ``lot`` and the wire's 1e-8, their least common multiple; 1e-8 where no lot is
    known (spec §3.2). A lot finer than the wire (1e-9) gives 1e-8, one off it (1.5e-8) gives 3e-8: a size there
    is a whole number of lots and an exact qty_1e8."""
    return WIRE_QTY_STEP if lot is None else common_step(lot, WIRE_QTY_STEP) or WIRE_QTY_STEP


def figures_step(price: Decimal, market: MarketFacts) -> Decimal | None:
    """The step the price-form rules allow at ``price``: 10^(magnitude - sig_figs + 1), at most 1 when
    integers are exempt, and no finer than 10^-max_decimals; None when the venue has no such rules."""
    steps = []
    if market.sig_figs is not None and price > 0:  # as the rule reads it (a setting of 0 is refused when read)
        step = _ONE.scaleb(price.adjusted() - market.sig_figs + 1)
        steps.append(min(step, _ONE) if market.integer_price_exempt else step)
    if market.max_price_decimals is not None:
        steps.append(_ONE.scaleb(-market.max_price_decimals))
    return max(steps) if steps else None


def generated_grid(market: MarketFacts, price: Decimal) -> tuple[str, str, Decimal | None]:
    """The grid :func:`align_generated` puts a generated ``price`` on, in words; its kind: ``default`` (the coarse
    stand-in for a tick that is unknown, spec §4: Polymarket 0.01), ``figures`` (a price form: significant figures,
    decimals, with the tick where there is one) or ``tick``; and its step at ``price`` (None: only the wire's 1e-9).
    One wording for compile's GC103 (a template no grid price fits) and lint's GC404 (a touch the grid moved off)."""
    venue = market.venue or "the market"
    tick = market.grid_for(price)
    if tick is not None and market.tick_is_default and tick == market.generated_tick:
        return (
            f"{venue}'s {_plain(tick)} grid for generated prices (the market's tick is unknown; playbook-spec.md §4)",
            "default",
            tick,
        )
    figures = figures_step(price, market)
    step = common_step(tick, figures)  # as align_generated: on every grid at once
    if figures is not None and step is not None and step != tick:
        rules = []
        if market.sig_figs:
            rules.append(f"{market.sig_figs} significant figures")
        if market.max_price_decimals is not None:
            base, sz = market.max_price_decimals_base, market.sz_decimals
            rule = f"{base} - szDecimals {sz} = " if base is not None and sz is not None else ""
            rules.append(f"at most {rule}{market.max_price_decimals} decimals")
        if tick is not None:
            rules.append(f"its {_plain(tick)} tick")
        return (
            f"{venue}'s price grid ({' and '.join(rules)}: a step of {_plain(step)} at this price)",
            "figures",
            step,
        )
    return (f"{venue}'s {_plain(tick)} tick" if tick is not None else "the wire's 1e-9 scale"), "tick", tick


class UnsettledPrice(ValueError):
    """:func:`align_generated` moved a price :data:`ALIGN_PASSES` times (plus one a band) and it is still off the
    grid at where it got to: ``price``, off ``step``. Compile refuses it (GC103) rather than write a price lint
    flags (spec §3.3); graphc.toml's bands are refused when read unless their edges are on both ticks
    (settings.py), and no grid graphc knows gets here, so this is a guard, not a path."""

    def __init__(self, price: Decimal, step: Decimal):
        super().__init__(f"{price} is off the {step} step after {ALIGN_PASSES} moves")
        self.price, self.step = price, step


# Each move that does not settle takes the price into another band (or past the edge bands) or another power of
# ten (where the figures grid's step changes), one way only, so never into one twice: the bands, and the powers of
# ten of the prices a template can give (a base of at most 1e40 and offsets of at most 1e40%: about 160), bound it.
ALIGN_PASSES = 256


def align_generated(price: Decimal, side: str, market: MarketFacts | None) -> Decimal:
    """``price`` on every grid ``market`` imposes on generated prices, moved down for buys and up for sells.

    The moves are repeated until the price is on the grid at where it is (a move can cross into a band with
    another tick, or into another power of ten), at most ``ALIGN_PASSES`` + one a band times;
    :class:`UnsettledPrice` if it is still off it then (audit consist27 1: three passes left 2.2 on a 0.9 band).
    """
    if market is None:
        return price
    align = step_floor if side == "buy" else step_ceil
    for _ in range(ALIGN_PASSES + len(market.price_bands)):
        step = common_step(market.grid_for(price), figures_step(price, market))
        if step is None:
            return price
        aligned = align(price, step)
        if aligned == price or aligned <= 0:
            return aligned
        price = aligned
    step = common_step(market.grid_for(price), figures_step(price, market))
    if step is None or is_multiple(price, step):
        return price
    raise UnsettledPrice(price, step)


def walk_ticks(price: Decimal, ticks: Decimal, market: MarketFacts, *, up: bool) -> Decimal | None:
    """``price`` moved by ``ticks`` (signed) steps along the market's price bands, or None without bands.

    Each step is the tick of the band being crossed (venue-rules.md §2: Kalshi's
    ``tapered_deci_cent`` is 0.001 below 0.10, 0.01 from 0.10 to 0.90 and 0.001
    above 0.90), so from a price on the grid, N ticks are N prices of the grid:
    ``0.10 - 1 tick`` is 0.099 and ``0.90 - 1 tick`` is 0.89, the prices GC303
    accepts next to them. Below the first band and above the last one the edge
    band's tick continues. On one band this is ``price + ticks × tick``.
    A result that is no finite decimal (bands whose edges are off their ticks)
    is cut to 1e-9 towards ``up`` (the leg's favour; alignment follows).
    """
    bands = market.price_bands
    if not bands:
        return None
    p, left = Fraction(price), Fraction(ticks)
    if left > 0:
        for i, band in enumerate(bands):
            if band.hi <= p and i < len(bands) - 1:
                continue
            tick = Fraction(band.tick)
            room = None if i == len(bands) - 1 else (Fraction(band.hi) - p) / tick
            if room is None or left <= room:
                return _decimal(p + left * tick, up=up)
            p, left = Fraction(band.hi), left - room
    elif left < 0:
        for i in range(len(bands) - 1, -1, -1):
            band = bands[i]
            if band.lo >= p and i > 0:
                continue
            tick = Fraction(band.tick)
            room = None if i == 0 else (p - Fraction(band.lo)) / tick
            if room is None or -left <= room:
                return _decimal(p + left * tick, up=up)
            p, left = Fraction(band.lo), left + room
    return _decimal(p, up=up)


def _decimal(value: Fraction, *, up: bool) -> Decimal:
    """``value`` exactly when it is a finite decimal, else cut to 1e-9 up or down."""
    num, den = value.numerator, value.denominator
    rest = den
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest == 1:
        return _EXACT.divide(Decimal(num), Decimal(den))
    scaled = -((-num * 10**9) // den) if up else (num * 10**9) // den
    return Decimal(scaled).scaleb(-9)


def is_prediction(market: MarketFacts) -> bool:
    """Prices of this market are dollars per share, strictly between 0 and 1 (GC304): a known venue says so,
    else the instrument type."""
    return market.prediction if market.prediction is not None else market.type == "prediction"


def generated_bounds(market: MarketFacts, grid: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest price (inclusive; None: no bound known) a price generated on ``grid`` may take.

    The market's own range (GC304: ``price_min``/``price_max``; a prediction market's tick .. 1 - tick,
    venue-rules.md §1, §2). While the tick is only the venue's default and the price is generated on the
    venue's coarsest grid (spec §4, Polymarket 0.01), also that grid's range (``grid <= price <= 1 - grid``,
    venue-rules.md §1): the price must be valid on every market of the venue, the coarse-grid ones included.
    """
    low, high = market.limits["price"]
    if grid is not None and market.tick_is_default and grid == market.generated_tick and is_prediction(market):
        low = grid if low is None else max(low, grid)
        high = _ONE - grid if high is None else min(high, _ONE - grid)
    return low, high


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
