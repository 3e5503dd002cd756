"""Numbers as text, in one place: a Decimal in plain notation, and a dollar amount.

Everything is exact: no value passes through float, and normalising never
rounds (the context is wide enough for any number the loader accepts; a wider
one is refused rather than shown rounded).
"""

from __future__ import annotations

from decimal import Context, Decimal, Inexact, InvalidOperation

_WIDE = Context(prec=1000, traps=[InvalidOperation, Inexact])


def plain(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: 5E+2 -> '500', 0.50 -> '0.5', -0 -> '0'."""
    if value == 0:
        return "0"
    return format(value.normalize(_WIDE), "f")


def usd(value: Decimal) -> str:
    """Dollars with thousands separators: whole dollars when whole (``$930,066``), else cents (``$1.50``)."""
    return f"${value:,.0f}" if value == value.to_integral_value() else f"${value:,.2f}"
