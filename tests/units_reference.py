"""FROZEN reference copy of graphc/units.py as of c903314 (before the start-up rewrite of its parsers).

tests/test_units_reference.py holds the live module to this copy's behaviour; never edit it to make a test pass.
Deliberate changes since, each made in both modules at once: PriceExpr's text shows a zero offset with the sign
it was written with ('bid - 0bps', not 'bid + 0bps'); the parsed values are as before. The GC106 hint of a bps
value that is not whole offers only whole bps from 1 to 10000, the slippage GC403 accepts ('0.4bps': '1bps',
not '0bps'; audit rulesB.md 5, tests/test_units.py); the values and messages are as before. The GC106
hint of a positive duration that is not whole offers no 0ms ('0.5ms': '1ms'; audit verdict17 3). A duration's
number takes an exponent as every other number does ('1e3' is 1000 ms, '1e1s' is 10 s; audit consist27 2).
Only the parsers and what they call are kept (price resolution, step division and scaling, which
the rewrite did not touch, were removed from the copy).

Human units in playbooks: numbers, money, durations, bps, percents, quantities, prices.

Everything is exact ``decimal.Decimal`` (or ``int``); no value ever passes through a
binary float. Inputs are ``str`` (parsed), ``int`` or ``Decimal`` (used as they are);
anything else, ``bool`` included, is a GC103 type error. Text is case-insensitive and
surrounding whitespace is ignored. Grammar::

    number    [+-] DIGITS [.DIGITS] [SUFFIX | e[+-]N]
              DIGITS: 1234 | 1,234 | 1_234 (separators only between groups of three)
              SUFFIX: k = 1e3, m/M = 1e6, bn = 1e9, written against the number and not
              running into a word ('5k ETH' is 5000 ETH; '5kETH' is unreadable)
    money     number | $number | number USD | USD number      (USDC/USDT count as USD)
    duration  [+-] (number UNIT)+ largest unit first, each once: '1h30m', '90 s'
              UNIT: ms|msec|millisecond(s), s|sec(s)|second(s), m|min(s)|minute(s),
                    h|hr(s)|hour(s), d|day(s).  A bare number is milliseconds.
              The total must be a whole number of milliseconds (GC106).
    bps       number [bps|bp]  |  number %          ('0.25%' is 25 bps; whole bps only)
    percent   number %  -> a ratio ('50%' is 0.5);  a bare number is already a ratio
    quantity  number                 base units of the symbol
              number ASSET           '200 ETH' (the caller checks ASSET against the symbol)
              number share(s)|contract(s)          (a space before ASSET or the word
                                                    is required: '1e5', '0x1F' are no assets)
              $number | number USD   notional ('USDC'/'USDT' here are assets, not USD)
              derived
    price     BASE (+|- N UNIT)*
              BASE: bid | ask | mid | last | trigger | literal ('0.55', '55c', '$2,325.53')
              UNIT: tick(s) | bps | bp | % | c | $   ('$' may also lead: 'ask + $0.01')

Absurd numbers (more than 40 digits, magnitude beyond 1e+-40, text over 200
characters) are rejected before any arithmetic. Every problem is a
:class:`UnitError` with a rule code (GC103, GC105, GC106, GC109), a message that
quotes the offending text, and a hint saying how to fix it.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow
from typing import NamedTuple

from graphc.numbers import plain
from graphc.venues.prices import step_ceil, step_floor

INT64_MAX = 9223372036854775807
INT64_MIN = -INT64_MAX - 1
MAX_DIGITS = 40
MAX_TEXT = 200

# Wide enough that no sum or product of checked values is ever rounded; Inexact is
# trapped so a rounding we did not foresee fails loudly instead of silently.
_EXACT = Context(prec=1000, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
_NANO = Decimal("1E-9")


class UnitError(ValueError):
    """A value that cannot be read: ``code`` (GC1xx), ``message`` and a ``hint``."""

    def __init__(self, code: str, message: str, hint: str | None = None):
        super().__init__(code, message, hint)
        self.code = code
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def _memo_text(fn):
    """Remember ``fn``'s result for text input (a desk writes `25bps` and `ask + 1 tick` in every file).

    Only successful parses are kept (errors are raised again each time), only for
    ``str`` arguments, and the results are immutable (Decimal, int, named tuples).
    """
    cache = {}

    def parse(value):
        if type(value) is not str:
            return fn(value)
        result = cache.get(value)
        if result is None:
            result = fn(value)
            if len(cache) < 8192:
                cache[value] = result
        return result

    parse.__name__, parse.__qualname__, parse.__doc__, parse.__wrapped__ = fn.__name__, fn.__qualname__, fn.__doc__, fn
    return parse


# ---------------------------------------------------------------------------
# Number grammar (shared by every parser)

_INT = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:_[0-9]{3})+|[0-9]+)"
_UNSIGNED = rf"(?:{_INT}(?:\.[0-9]*)?|\.[0-9]+)"
_NUM = rf"{_UNSIGNED}(?:e[+-]?[0-9]{{1,4}}|(?:k|m|bn)(?![a-z]))?"
_SUFFIXES = (("bn", 9), ("k", 3), ("m", 6))

_SIGNED_NUM = re.compile(rf"(?P<sign>[+-]?)(?P<num>{_NUM})", re.I)
_UNSUFFIXED = rf"{_UNSIGNED}(?:[eE][+-]?[0-9]{{1,4}})?"  # a number with its exponent, without k/m/bn
_PLAIN_NUM = re.compile(rf"[+-]?{_UNSUFFIXED}")  # no suffix: in a duration '5m' is minutes

_NUMBER_HINT = "write digits with an optional k/m/bn suffix, e.g. '1234.5', '1,234.5', '1_234.5', '5k', '1.5m'"


def _show(value) -> str:
    """The offending value as it goes into a message, shortened when absurdly long."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"<{value.bit_length()}-bit integer>"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unreadable(value, what: str, hint: str) -> UnitError:
    return UnitError("GC105", f"cannot read '{_show(value)}' as {what}", hint)


def _checked(d: Decimal, shown) -> Decimal:
    """``d`` when it is finite and of sane size (GC105 / GC103 otherwise)."""
    if not d.is_finite():
        raise UnitError("GC105", f"cannot read '{_show(shown)}' as a number", "write a finite number, e.g. '0.5'")
    if len(str(d)) > MAX_DIGITS and len(d.as_tuple().digits) > MAX_DIGITS:  # str(d) is short: few digits
        raise UnitError(
            "GC103",
            f"'{_show(shown)}' has more than {MAX_DIGITS} digits",
            f"write at most {MAX_DIGITS} significant digits",
        )
    if not -MAX_DIGITS <= d.adjusted() <= MAX_DIGITS:
        raise UnitError(
            "GC103", f"'{_show(shown)}' is out of range", f"write a number between 1e-{MAX_DIGITS} and 1e{MAX_DIGITS}"
        )
    return d


def _exact(value, what: str = "a number") -> Decimal:
    """An ``int`` or ``Decimal`` input as a checked Decimal; any other type is GC103."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        kind = "a boolean" if isinstance(value, bool) else f"a {type(value).__name__}"
        hint = (
            "write the value as text (e.g. '0.1') so it stays exact"
            if isinstance(value, float)
            else "write a number or text such as '0.5'"
        )
        raise UnitError("GC103", f"expected {what}, got {kind} '{_show(value)}'", hint)
    if isinstance(value, int):
        if value.bit_length() > 133:  # 10**40 needs 133 bits
            raise UnitError(
                "GC103",
                f"'{_show(value)}' has more than {MAX_DIGITS} digits",
                f"write at most {MAX_DIGITS} significant digits",
            )
        value = Decimal(value)
    return _checked(value, value)


def _text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise UnitError("GC105", f"cannot read an empty string as {what}", f"write {what}, e.g. {_EXAMPLES[what]}")
    if len(text) > MAX_TEXT:
        raise UnitError(
            "GC105",
            f"cannot read '{_show(text)}' as {what}: it is over {MAX_TEXT} characters",
            f"write {what}, e.g. {_EXAMPLES[what]}",
        )
    return text


_EXAMPLES = {
    "a number": "'1,234.5'",
    "money": "'$500k'",
    "a duration": "'30s'",
    "bps": "'25bps'",
    "a percentage": "'50%'",
    "a quantity": "'200 ETH'",
    "a price": "'ask + 1 tick'",
}


def _decimal_of(num: str, shown) -> Decimal:
    """The exact value of text that matched ``_NUM`` (no sign)."""
    t = num.replace(",", "").replace("_", "").lower()
    for suffix, power in _SUFFIXES:
        if t.endswith(suffix):
            return _checked(Decimal(t[: -len(suffix)]).scaleb(power, _EXACT), shown)
    return _checked(Decimal(t), shown)


def _signed(sign: str, d: Decimal) -> Decimal:
    return d.copy_negate() if sign == "-" else d


def _whole(d: Decimal) -> int | None:
    """``d`` as an int when it is a whole number, else None (``d`` is already checked)."""
    if d != d.to_integral_value():  # exact: rounding to an integer ignores the context's precision
        return None
    return int(d)


def _int64(n: int, shown, what: str) -> int:
    if not INT64_MIN <= n <= INT64_MAX:
        raise UnitError(
            "GC103", f"{what} '{_show(shown)}' does not fit a signed 64-bit integer", f"write a smaller {what}"
        )
    return n


# ---------------------------------------------------------------------------
# Plain numbers, money, durations, bps, percents


@_memo_text
def parse_number(value) -> Decimal:
    """'1234.5', '1,234.5', '1_234.5', '5k', '1.5m', '2M', '2bn', '-3'; ints/Decimals pass through."""
    if not isinstance(value, str):
        return _exact(value)
    text = _text(value, "a number")
    m = _SIGNED_NUM.fullmatch(text)
    if not m:
        raise _unreadable(text, "a number", _NUMBER_HINT)
    return _signed(m["sign"], _decimal_of(m["num"], text))


_MONEY = re.compile(
    rf"(?P<sign>[+-]?)\s*(?:\$\s*(?P<dollars>{_NUM})"
    rf"|(?P<num>{_NUM})(?:\s*(?P<code>usd[ct]?))?"
    rf"|(?P<lead>usd[ct]?)\s*(?P<after>{_NUM}))",
    re.I,
)
_MONEY_HINT = "write dollars, e.g. '$500k', '$2,325.53', '500000 USD' or '500k USD'"


@_memo_text
def parse_money(value) -> Decimal:
    """Dollars: '$500k', '$2,325.53', '500000 USD', '500k usd', 'USD 500', '-$5', a plain number."""
    if not isinstance(value, str):
        return _exact(value, "money")
    text = _text(value, "money")
    m = _MONEY.fullmatch(text)
    if not m:
        raise _unreadable(text, "money", _MONEY_HINT)
    return _signed(m["sign"], _decimal_of(m["dollars"] or m["num"] or m["after"], text))


_DURATION_UNITS = {
    "ms": 1,
    "msec": 1,
    "msecs": 1,
    "millisecond": 1,
    "milliseconds": 1,
    "s": 1_000,
    "sec": 1_000,
    "secs": 1_000,
    "second": 1_000,
    "seconds": 1_000,
    "m": 60_000,
    "min": 60_000,
    "mins": 60_000,
    "minute": 60_000,
    "minutes": 60_000,
    "h": 3_600_000,
    "hr": 3_600_000,
    "hrs": 3_600_000,
    "hour": 3_600_000,
    "hours": 3_600_000,
    "d": 86_400_000,
    "day": 86_400_000,
    "days": 86_400_000,
}
_UNIT_ALT = "|".join(sorted(_DURATION_UNITS, key=len, reverse=True))
_SEGMENT = re.compile(rf"\s*(?P<num>{_UNSUFFIXED})\s*(?P<unit>{_UNIT_ALT})(?![a-z])\s*", re.I)
_DURATION_HINT = "write a number and a unit, e.g. '500ms', '30s', '1.5s', '5m', '1h30m', '2d'"


@_memo_text
def parse_duration_ms(value) -> int:
    """Milliseconds: '30s', '500ms', '1.5s', '1h30m', '90 s', '-5s'; a bare number is ms."""
    if not isinstance(value, str):
        return _whole_ms(_exact(value, "a duration"), value)
    text = _text(value, "a duration")
    if _PLAIN_NUM.fullmatch(text):
        return _whole_ms(parse_number(text), text)
    sign, body = (text[0], text[1:]) if text[0] in "+-" else ("", text)
    total, previous, pos = Decimal(0), None, 0
    while pos < len(body):
        m = _SEGMENT.match(body, pos)
        if not m:
            raise _unreadable(text, "a duration", _DURATION_HINT)
        unit_ms = _DURATION_UNITS[m["unit"].lower()]
        if previous is not None and unit_ms >= previous:
            raise UnitError(
                "GC105",
                f"cannot read '{_show(text)}' as a duration: units out of order or repeated",
                "write the largest unit first and each unit once, e.g. '1h30m'",
            )
        total = _EXACT.add(total, _EXACT.multiply(_decimal_of(m["num"], text), unit_ms))
        previous, pos = unit_ms, m.end()
    if pos == 0:
        raise _unreadable(text, "a duration", _DURATION_HINT)
    return _whole_ms(_signed(sign, total), text)


def _whole_ms(ms: Decimal, shown) -> int:
    n = _whole(ms)
    if n is None:
        low, high = round_down(ms, Decimal(1)), round_up(ms, Decimal(1))
        # every duration graphc sends or keeps is positive (GC103, GC208), so 0.5ms is offered 1ms, never 0ms
        offered = [v for v in (low, high) if v > 0 or ms < 0]
        raise UnitError(
            "GC106",
            f"'{_show(shown)}' is not a whole number of milliseconds",
            f"the wire counts whole milliseconds; write {' or '.join(f'{format_decimal(v)}ms' for v in offered)}",
        )
    return _int64(n, shown, "duration")


_BPS = re.compile(rf"(?P<sign>[+-]?)(?P<num>{_NUM})\s*(?P<unit>bps|bp|%)?", re.I)


@_memo_text
def parse_bps(value) -> int:
    """Basis points: '25bps', '25 bps', '25bp', '0.25%', a plain number; whole bps only."""
    if not isinstance(value, str):
        return _whole_bps(_exact(value, "bps"), value)
    text = _text(value, "bps")
    m = _BPS.fullmatch(text)
    if not m:
        raise _unreadable(text, "bps", "write basis points or a percentage, e.g. '25bps' or '0.25%'")
    bps = _decimal_of(m["num"], text)
    if m["unit"] == "%":
        bps = bps.scaleb(2, _EXACT)
    return _whole_bps(_signed(m["sign"], bps), text)


def _whole_bps(bps: Decimal, shown) -> int:
    n = _whole(bps)
    if n is None:
        lowest, highest = Decimal(1), Decimal(10000)  # GC403's range (see the module's docstring)
        nearest = (round_down(bps, lowest), round_up(bps, lowest))
        offered = sorted({min(max(v, lowest), highest) for v in nearest})
        examples = " or ".join(f"'{format_decimal(v)}bps'" for v in offered)
        moved = "" if len(offered) == 2 else " (slippage is more than 0 and at most 10000bps)"
        raise UnitError(
            "GC106",
            f"'{_show(shown)}' is {format_decimal(bps)} bps, not a whole number of bps",
            f"round to whole bps, e.g. {examples}{moved}",
        )
    return _int64(n, shown, "bps value")


_PERCENT = re.compile(rf"(?P<sign>[+-]?)(?P<num>{_NUM})\s*(?P<pct>%)?", re.I)


def _percent_parts(value, what: str) -> tuple[Decimal, bool]:
    """``(number, written with %)`` for the percent parsers."""
    if not isinstance(value, str):
        return _exact(value, what), False
    text = _text(value, what)
    m = _PERCENT.fullmatch(text)
    if not m:
        raise _unreadable(text, what, "write a percentage such as '50%', '12.5%' or '-5%'")
    return _signed(m["sign"], _decimal_of(m["num"], text)), bool(m["pct"])


@_memo_text
def parse_percent(value) -> Decimal:
    """A ratio: '50%' -> 0.5, '12.5%' -> 0.125, '-5%' -> -0.05; a bare number is already a ratio."""
    number, is_percent = _percent_parts(value, "a percentage")
    return number.scaleb(-2, _EXACT) if is_percent else number


@_memo_text
def parse_percent_points(value) -> Decimal:
    """Percent points: '-5%' -> -5, '2.5%' -> 2.5; a bare number is already in points."""
    return _percent_parts(value, "a percentage")[0]


# ---------------------------------------------------------------------------
# Quantities


class Quantity(NamedTuple):
    """A parsed size: its kind, amount and asset."""

    kind: str  # 'base' | 'asset' | 'shares' | 'notional' | 'derived'
    amount: Decimal | None  # None only for 'derived'
    asset: str | None = None  # upper-case asset for 'asset'; 'USD' for 'notional'


_QTY = re.compile(rf"(?P<sign>[+-]?)(?P<num>{_NUM})\s+(?P<unit>[a-z0-9]*[a-z][a-z0-9]*)", re.I)
_SHARE_WORDS = {"share", "shares", "contract", "contracts"}
_QTY_HINT = (
    "write a number then the asset, e.g. '200 ETH' "
    "(or a plain number '0.1', '10 shares', '$5k' / '5000 USD', or 'derived')"
)


@_memo_text
def parse_quantity(value) -> Quantity:
    """'0.1', '5k' (base); '200 ETH' (asset); '10 shares', '1 contract'; '$5k', '5000 USD'; 'derived'."""
    if not isinstance(value, str):
        return Quantity("base", _exact(value, "a quantity"))
    text = _text(value, "a quantity")
    if text.lower() == "derived":
        return Quantity("derived", None)
    if _SIGNED_NUM.fullmatch(text):
        return Quantity("base", parse_number(text))
    m = _QTY.fullmatch(text)
    if m:
        amount = _signed(m["sign"], _decimal_of(m["num"], text))
        unit = m["unit"].lower()
        if unit == "usd":
            return Quantity("notional", amount, "USD")
        if unit in _SHARE_WORDS:
            return Quantity("shares", amount)
        return Quantity("asset", amount, unit.upper())
    money = _MONEY.fullmatch(text)
    if money and (money["dollars"] or (money["code"] or money["lead"] or "").lower() == "usd"):
        return Quantity("notional", parse_money(text), "USD")
    raise _unreadable(text, "a quantity", _QTY_HINT)


def base_asset(symbol: str) -> str:
    """The base asset of a symbol: the text before the first '-', upper-cased ('eth-usd' -> 'ETH')."""
    if not isinstance(symbol, str):
        raise UnitError(
            "GC103", f"expected a symbol, got '{_show(symbol)}'", "write the symbol as text, e.g. 'ETH-USD'"
        )
    return symbol.split("-", 1)[0].strip().upper()


# ---------------------------------------------------------------------------
# Prices

_BASES = ("bid", "ask", "mid", "last", "trigger")
QUOTE_BASES = ("bid", "ask", "mid", "last")  # read from the quote snapshot; `trigger` from the leg's on_price edge
_OFFSET_UNITS = ("tick", "bps", "%", "c", "$")


class PriceExpr(NamedTuple):
    """A parsed price: a literal, or a quote base with offsets."""

    base: str | None  # 'bid' | 'ask' | 'mid' | 'last' | 'trigger' | None for a literal base
    literal: Decimal | None  # the literal base value when base is None
    offsets: tuple = ()  # ((Decimal signed amount, unit), ...), unit in _OFFSET_UNITS

    @property
    def is_literal(self) -> bool:
        return self.base is None and not self.offsets

    def __str__(self) -> str:
        if self.base:
            text = self.base
        else:
            assert self.literal is not None  # a price expression has a base or a literal
            text = format_decimal(self.literal)
        for amount, unit in self.offsets:
            n = format_decimal(abs(amount))
            shown = {"tick": f"{n} tick" + ("" if n == "1" else "s"), "$": f"${n}"}.get(unit, f"{n}{unit}")
            text += f" {'-' if amount.is_signed() else '+'} {shown}"  # is_signed: 'bid - 0bps' keeps its minus
        return text


_HEAD = re.compile(
    rf"\s*(?:(?P<base>bid|ask|mid|last|trigger)(?![a-z])"
    rf"|(?P<sign>[+-]?)\s*(?:\$\s*(?P<dollars>{_NUM})|(?P<num>{_NUM})\s*(?P<unit>c|usd)?(?![a-z])))\s*",
    re.I,
)
_OFFSET = re.compile(
    rf"\s*(?P<op>[+-])\s*(?:\$\s*(?P<dollars>{_NUM})"
    rf"|(?P<num>{_NUM})\s*(?P<unit>ticks?|bps|bp|%|c|\$)(?![a-z]))\s*",
    re.I,
)
_PRICE_HINT = (
    "write a literal ('0.55', '55c', '$2,325.53') or a base with offsets "
    "('ask + 1 tick', 'bid - 2 ticks', 'mid - 25bps', 'bid - 0.5%', 'last + 5c', 'ask + $0.01', 'trigger - 0.5%')"
)
_UNIT_NAMES = {"tick": "tick", "ticks": "tick", "bps": "bps", "bp": "bps", "%": "%", "c": "c", "$": "$"}


@_memo_text
def parse_price(value) -> PriceExpr:
    """A literal price ('0.55', '55c', '$2,325.53') or a template ('ask + 1 tick', 'mid - 25bps')."""
    if not isinstance(value, str):
        return PriceExpr(None, _exact(value, "a price"), ())
    text = _text(value, "a price")
    head = _HEAD.match(text)
    if not head:
        raise _unreadable(text, "a price", _PRICE_HINT)
    base, literal = _price_head(head, text)
    offsets, pos = [], head.end()
    while pos < len(text):
        m = _OFFSET.match(text, pos)
        if not m:
            raise _unreadable(text, "a price", _PRICE_HINT)
        amount = _decimal_of(m["dollars"] or m["num"], text)
        unit = "$" if m["dollars"] else _UNIT_NAMES[m["unit"].lower()]
        offsets.append((_signed(m["op"], amount), unit))
        pos = m.end()
    return PriceExpr(base, literal, tuple(offsets))


def _price_head(m: re.Match, text: str) -> tuple[str | None, Decimal | None]:
    if m["base"]:
        return m["base"].lower(), None
    amount = _decimal_of(m["dollars"] or m["num"], text)
    if (m["unit"] or "").lower() == "c":
        amount = amount.scaleb(-2, _EXACT)
    return None, _signed(m["sign"], amount)


# ---------------------------------------------------------------------------
# Rounding, wire scaling, formatting


def round_down(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` that is <= ``value`` (exact)."""
    return _to_step(value, step, up=False)


def round_up(value: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` that is >= ``value`` (exact)."""
    return _to_step(value, step, up=True)


def _to_step(value, step, *, up: bool) -> Decimal:
    v, s = _exact(value), _exact(step, "a step")
    if s <= 0:
        raise UnitError("GC103", f"step '{_show(step)}' is not positive", "round to a positive step, e.g. 0.01")
    return step_ceil(v, s) if up else step_floor(v, s)


def format_decimal(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: 5E+2 -> '500', 0.50 -> '0.5'."""
    return plain(_exact(value))
