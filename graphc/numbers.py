"""Numbers in one place: a Decimal in plain notation, a dollar amount, and whether one is a multiple of another.

Everything is exact: no value passes through float, and normalising never
rounds (the context is wide enough for any number the loader accepts; a wider
one is refused rather than shown rounded).
"""

from __future__ import annotations

from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from math import gcd

# The context graphc computes in wherever an operation names none: Python's default (28 digits, half-even, the
# signals that mean a mistake trapped), written out so that nothing but graphc decides it. The command line runs
# in it, and so does every function of the public API (graphc.boundary.entry_point), whatever the caller's thread
# has set: a caller's precision or trapped Inexact changes no result, and its flags stay as they were (api22 F4).
DECIMALS = Context(
    prec=28, rounding=ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_WIDE = Context(prec=1000, traps=[InvalidOperation, Inexact])
_MAX_PLAIN_CHARS = 40  # a number shown in a message longer than this is written with an exponent
_ROUND = Context(prec=1000, traps=[InvalidOperation])  # half-even, as format() rounds
_CUT = Context(prec=1000, rounding=ROUND_DOWN, traps=[InvalidOperation])
_CENT = Decimal("0.01")


def plain(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: 5E+2 -> '500', 0.50 -> '0.5', -0 -> '0'."""
    if value == 0:
        return "0"
    return format(value.normalize(_WIDE), "f")


def counted(amount: Decimal | int, word: str) -> str:
    """``1 contract``, ``1.5 contracts``, ``3 files``: an amount and its word, singular for exactly one."""
    text = plain(amount) if isinstance(amount, Decimal) else str(amount)
    return f"{text} {word}" if amount == 1 else f"{text} {word}s"


_SPELLED = {True: "true", False: "false", None: "null"}  # as YAML and JSON write them, not Python's True/None
_NOT_FINITE = {"Infinity": ".inf", "-Infinity": "-.inf", "NaN": ".nan", "-NaN": ".nan", "sNaN": ".nan"}  # YAML's


def shown(value: object) -> str:
    """A value as a message shows it: a number in plain decimal (``-0.5``, ``0``; never ``Decimal('-0.5')`` or
    ``0E-8``), text quoted as it was written (``'-5 ETH'``), true/false/null and .inf/.nan as YAML spells them
    (never Python's ``True``, ``None``, ``Infinity``), anything else as its repr. Where the source text of a value
    is known, a message shows that instead (graphc.stages.load.Document.written: `007`, `1e3`)."""
    if value is None or isinstance(value, bool):
        return _SPELLED[value]
    if isinstance(value, Decimal) and not value.is_finite():
        return _NOT_FINITE.get(str(value), str(value))
    if isinstance(value, Decimal):
        try:
            text = plain(value)
        except ArithmeticError:  # more digits than the wide context holds: Decimal's own text is exact
            return str(value)
        if len(text) <= _MAX_PLAIN_CHARS:
            return text
        # 1e400 is "1E+400", not 401 digits: still exact (every significant digit), and a line a person reads
        scientific = format(value, "E")
        return scientific if len(scientific) < len(text) else text
    if isinstance(value, int):
        return str(value)
    return repr(value)


def beside(value: Decimal, bound: Decimal, places: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """``value`` rounded to ``places`` decimals (``rounding``), unless that reads on the wrong side of ``bound``
    (equal to it, or past it) or as 0 when ``value`` is not 0: then cut (never rounded up) to as many decimals as
    show it, so 1000.0002 against 1000 is 1000.0002, not 1000.00 ("$1,000.00 ... above $1,000" contradicts
    itself), and 0.00999 against 10 at cents cut is 0.009, not 0.00. ``value`` equal to ``bound``: only the 0 rule.
    Exact: the cut stops at ``value``'s own digits at the latest."""

    def reads(candidate: Decimal) -> bool:
        if (candidate == 0) is not (value == 0):
            return False
        return candidate > bound if value > bound else candidate < bound if value < bound else True

    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=_ROUND)
    if reads(rounded):
        return rounded
    exponent = value.as_tuple().exponent
    last = -exponent if isinstance(exponent, int) else places  # value's own places: quantizing there is exact
    for digits in range(places + 1, last):
        cut = _CUT.quantize(value, Decimal(1).scaleb(-digits))
        if reads(cut):
            return cut
    return value


def above(value: Decimal, bound: Decimal, places: int = 1) -> str:
    """``value`` (more than ``bound``) rounded to ``places`` decimals, unless that reads as no more than
    ``bound``: then cut (never rounded up) to as many decimals as show it is more, so 10.0000166... against 10
    is ``10.00001``, not ``10.0`` (a message saying "10.0% ... more than 10%" contradicts itself)."""
    return format(beside(value, bound, places), "f")


def usd(value: Decimal) -> str:
    """Dollars, exactly, with thousands separators: whole dollars when whole (``$930,066``), cents when a whole
    number of cents (``$1.50``), else every digit the amount has (``$0.999``, ``$4.99977``, ``$1,000.00009``).

    The one text of an amount of money in graphc's reports (GC301, GC309, GC501, GC503, ``plan``'s notional
    column and total, ``amend``), a notional and the limit it is compared with alike: never rounded up or cut
    to cents, so an amount reads on its own side of any bound ($0.999 below a $1 minimum, never "$1.00" or
    "$0.99"), is never ``$0.00`` when it is not 0 (``$0.000001``), and one leg shows the same figure in every
    line (audit desk21 1). See :func:`money` for the digits alone (an amount in another currency).
    """
    text = money(value)
    return f"-${text[1:]}" if text.startswith("-") else f"${text}"


def money(value: Decimal) -> str:
    """The digits :func:`usd` shows, without the sign of the currency: ``930,066``, ``1.50``, ``0.00999``
    (``0.00999 USDC``, an amount in a currency other than dollars)."""
    value = value.normalize(_WIDE)  # exactly: 1.500 is 1.50, never 1.500 (Decimal.normalize() rounds to 28 digits)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{_at_least_cents(value):,f}"


def cents_down(value: Decimal) -> Decimal:
    """``value`` cut (never rounded up) to cents at any size: ``value.quantize`` in the 28-digit default context
    raises once the cents have more digits (a notional of a long quote)."""
    return _CUT.quantize(value, _CENT)


def _at_least_cents(value: Decimal) -> Decimal:
    """``value`` with two decimals at least (1000.5 -> 1000.50), never fewer digits than it has."""
    exponent = value.as_tuple().exponent
    return _WIDE.quantize(value, _CENT) if isinstance(exponent, int) and exponent > -2 else value


# Notionals (quantity × price) and their sums, exact. Decimal's own ``*`` and ``+`` round to the default context's
# 28 digits, and an in-range product has more: a wire quantity is an int64 of 1e-8 (at most 19 digits) and a price
# an int64 of 1e-9 (19 digits), or a quote, a limit or a venue setting as the loader checks every number (at most
# 40 significant digits, adjusted exponent -40..40, so a multiple of 1e-79 below 1e41: units.MAX_DIGITS). Every such
# product is a multiple of 1e-158 below 1e82, at most 240 digits, and a sum (or difference) of up to 10**700 of them
# has fewer than 1,000: _WIDE (prec 1000) holds each exactly, far beyond any graph's node count. It traps Inexact,
# so a rounding nobody foresaw (a number the loader never checked) raises instead of deciding a limit silently.


def times(a: Decimal, b: Decimal) -> Decimal:
    """``a × b`` exactly (a notional: quantity × price; see the comment above)."""
    return _WIDE.multiply(a, b)


def plus(a: Decimal, b: Decimal) -> Decimal:
    """``a + b`` exactly (a running total of notionals)."""
    return _WIDE.add(a, b)


def half(a: Decimal) -> Decimal:
    """``a ÷ 2`` exactly, in ``a``'s own exponent where it can be (a quote's mid: 2325.315, never 2325.3150)."""
    return _WIDE.divide(a, 2)


def quotient(a: Decimal, b: Decimal) -> Decimal | None:
    """``a ÷ b`` exactly (a TWAP slice: size ÷ slices), or None when it has no exact decimal (10 ÷ 3): a message
    then says so in words rather than show a rounded number as the size."""
    try:
        return _WIDE.divide(a, b)
    except ArithmeticError:  # Inexact (trapped): no finite decimal of 1,000 digits; or b is 0
        return None


def minus(a: Decimal, b: Decimal) -> Decimal:
    """``a - b`` exactly (how far a notional is above its limit)."""
    return _WIDE.subtract(a, b)


def unscaled(raw: int, scale: Decimal) -> Decimal:
    """A wire integer as the number it stands for (``price_1e9`` ÷ 1e9, ``qty_1e8`` ÷ 1e8), in :data:`DECIMALS`
    whatever context the caller runs: exact for every wire integer (an int64 has 19 digits)."""
    return DECIMALS.divide(Decimal(raw), scale)


def off_by(value: Decimal, reference: Decimal) -> Decimal:
    """``(value - reference) ÷ reference`` in :data:`DECIMALS` whatever context the caller runs: how far a price
    is from the mid, as a fraction of the mid (-0.1 is 10% below it)."""
    return DECIMALS.divide(DECIMALS.subtract(value, reference), reference)


def is_multiple(value: Decimal, step: Decimal) -> bool:
    """Whether ``value`` is a whole number of ``step``s (``step`` > 0, finite), exactly, at any magnitude.

    ``value % step`` divides in the 28-digit context and raises once the quotient has more digits (a
    large size on a tiny lot from a quotes snapshot). The usual sizes and prices are decided by one exact
    remainder in a 1,000-digit context (a C call); a quotient or remainder wider than that raises there, and
    :func:`_is_multiple_exact` answers with integers. tests/test_market_facts.py holds the two equal.
    """
    if not (step.is_finite() and step > 0):  # no grid: fail here, never loop below (audit venues 1)
        raise ValueError(f"a step must be finite and positive, not {step}")
    if not value.is_finite():
        return False
    try:
        return not _WIDE.remainder(value, step)  # exact, or it raises (InvalidOperation, Inexact are trapped)
    except ArithmeticError:
        return _is_multiple_exact(value, step)


def _is_multiple_exact(value: Decimal, step: Decimal) -> bool:
    """:func:`is_multiple` of a finite ``value``, as a question about the integers ``value = c_v * 10**e_v`` and
    ``step = c_s * 10**e_s``, with no power of ten ever built out (any magnitude)."""
    _, v_digits, v_exp = value.as_tuple()
    _, s_digits, s_exp = step.as_tuple()
    c_v = int(Decimal((0, v_digits, 0)))
    c_s = int(Decimal((0, s_digits, 0)))
    if c_v == 0:
        return True
    shift = int(v_exp) - int(s_exp)
    if shift < 0:  # c_s * 10**-shift must divide c_v: impossible once it has more digits than c_v
        return -shift < len(v_digits) and c_v % (c_s * 10**-shift) == 0
    # c_s divides c_v * 10**shift exactly when what c_s has beyond gcd(c_s, c_v) divides 10**shift
    rest = c_s // gcd(c_s, c_v)
    twos = fives = 0
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    return rest == 1 and max(twos, fives) <= shift
