"""Human units in playbooks: numbers, money, durations, bps, percents, quantities, prices.

Everything is exact ``decimal.Decimal`` (or ``int``); no value ever passes through a
binary float. Inputs are ``str`` (parsed), ``int`` or ``Decimal`` (used as they are);
anything else, ``bool`` included, is a GC103 type error. Text is case-insensitive and
surrounding whitespace is ignored. Grammar::

    number    [+-] DIGITS [.DIGITS] [SUFFIX | e[+-]N]
              DIGITS: 1234 | 1,234 | 1_234 (separators only between groups of three)
              SUFFIX: k = 1e3, m/M = 1e6, bn = 1e9, written against the number and not
              running into a word ('5k ETH' is 5000 ETH; '5kETH' is unreadable)
    money     number | $number | number USD | USD number      (USDC/USDT count as USD)
    duration  [+-] (number UNIT)+ largest unit first, each once: '1h30m', '90 s', '1e1s'
              (a number here takes no k/m/bn suffix: '5m' is five minutes)
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
from decimal import Context, Decimal, DecimalException, DivisionByZero, Inexact, InvalidOperation, Overflow
from fractions import Fraction
from typing import NamedTuple

from graphc.numbers import plain
from graphc.numbers import shown as _shown_number
from graphc.venues.prices import (
    UnsettledPrice,
    align_generated,
    divide_down,
    generated_bounds,
    generated_grid,
    is_prediction,
    step_ceil,
    step_floor,
    walk_ticks,
)
from graphc.vocabulary import MAX_SLIPPAGE_BPS  # (the rules read it from here too)

INT64_MAX = 9223372036854775807
INT64_MIN = -INT64_MAX - 1
MAX_DIGITS = 40
MAX_TEXT = 200

# Wide enough that no sum or product of checked values is ever rounded; Inexact is
# trapped so a rounding we did not foresee fails loudly instead of silently.
_EXACT = Context(prec=1000, traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])
_NANO = Decimal("1E-9")
_POWERS = {exponent: 10**exponent for exponent in range(1, MAX_DIGITS + 1)}  # the wire scales to_scaled reads fast


class UnitError(ValueError):
    """A value that cannot be read: ``code`` (GC1xx), ``message`` and a ``hint``; ``shown``: the number the message
    quotes (``'1E+308' is out of range``), for :meth:`message_as_written`."""

    def __init__(self, code: str, message: str, hint: str | None = None, shown: str | None = None):
        super().__init__(code, message, hint)
        self.code = code
        self.message = message
        self.hint = hint
        self.shown = shown

    def message_as_written(self, written: str | None) -> str:
        """The message naming the number by ``written``, its source text where the caller knows it (a YAML or JSON
        number is read as a Decimal, whose text is ``1E+308`` for the ``1e308`` in the file: audit decomp26 4),
        else as it is."""
        if written is None or self.shown is None or written == self.shown:
            return self.message
        return self.message.replace(f"'{self.shown}'", f"'{_show(written)}'", 1)

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
_EXP = r"[eE][+-]?[0-9]{1,4}"  # `1e3`, `2.5E-2`: an exponent, never after a k/m/bn suffix
_NUM = rf"{_UNSIGNED}(?:{_EXP}|(?:k|m|bn)(?![a-z]))?"
# a number of the grammar without a k/m/bn suffix, where a letter after it is a unit ('5m' is minutes in a
# duration): digits, a fraction and an exponent, as everywhere else (audit consist27 2: '1e3' is 1000 ms)
_UNSUFFIXED = rf"{_UNSIGNED}(?:{_EXP})?"
_SUFFIXES = (("bn", 9), ("k", 3), ("m", 6))

# Each parser's full grammar below is pattern text that re compiles (and caches) only
# when the text is not in the common shape _COMMON reads: compiling ten copies of the
# number pattern cost a one-file lint ~6 ms of start-up. _COMMON accepts only text
# whose reading under the full grammar is unambiguous and computes it the same way
# (tests/test_units_reference.py holds both to the frozen pre-split parsers).
# Case-insensitive for ASCII letters only: under re.I alone 'ſ' matches 's' and the Kelvin sign
# matches 'k' ('5ſ' crashed a duration lookup; '5K' with a Kelvin sign read as 5000), while
# whitespace stays Unicode's, as before.
_I = re.I | re.A
_WS = r"(?u:\s)"
_SIGNED_NUM = rf"(?P<sign>[+-]?)(?P<num>{_NUM})"  # re.I
NUMBER_PATTERN = _NUM  # the grammar's number (no sign), for a pattern of another module that holds one (re.I)
_PLAIN_NUM = rf"[+-]?{_UNSUFFIXED}"  # no suffix: in a duration '5m' is minutes; not re.I

# sign, '$', plain digits with an optional fraction, at most one space, then letters or '%'.
_COMMON = re.compile(r"([+-]?)(\$?)([0-9]+(?:\.[0-9]+)?)( ?)([A-Za-z]*|%)")
_SUFFIX_WORDS = ("k", "m", "bn")
SUFFIX_WORDS = frozenset(_SUFFIX_WORDS)  # for messages: `1.5 m` (a space) is an asset named M

_NUMBER_HINT = "write digits with an optional k/m/bn suffix, e.g. '1234.5', '1,234.5', '1_234.5', '5k', '1.5m'"


def _show(value) -> str:
    """The offending value as it goes into a message, shortened when absurdly long."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"<{value.bit_length()}-bit integer>"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


shown_value = _show  # (graphc.stages.params names a number YAML read by its source text instead)


def _unreadable(value, what: str, hint: str) -> UnitError:
    return UnitError("GC105", f"cannot read '{_show(value)}' as {what}", hint)


def too_many_digits(d: Decimal) -> bool:
    """More than MAX_DIGITS significant digits: the zeros that end an integer's digits are not counted, so
    ``10422823007912604786858764720000000000000`` (a template's 1.0422...E+40 written out) has 28, as its normal form
    says, not 41 (the long fuzz run found the template layer writing such a text and this reader refusing it). A
    fraction's digits are all counted (``0.5000...`` past 40 digits stays refused)."""
    _sign, digits, exponent = d.as_tuple()
    if len(digits) <= MAX_DIGITS:
        return False
    if not isinstance(exponent, int) or exponent < 0:  # a fraction's zeros are written digits: counted, as before
        return True
    return len("".join(map(str, digits)).rstrip("0")) > MAX_DIGITS


def _checked(d: Decimal, shown) -> Decimal:
    """``d`` when it is finite and of sane size (GC105 / GC103 otherwise)."""
    if not d.is_finite():
        raise UnitError("GC105", f"cannot read '{_show(shown)}' as a number", "write a finite number, e.g. '0.5'")
    if len(str(d)) > MAX_DIGITS and too_many_digits(d):  # str(d) is short: few digits
        raise UnitError(
            "GC103",
            f"'{_show(shown)}' has more than {MAX_DIGITS} digits",
            f"write at most {MAX_DIGITS} significant digits",
            _show(shown),
        )
    if not -MAX_DIGITS <= d.adjusted() <= MAX_DIGITS:
        raise UnitError(
            "GC103",
            f"'{_show(shown)}' is out of range",
            f"write a number between 1e-{MAX_DIGITS} and 1e{MAX_DIGITS}",
            _show(shown),
        )
    return d


def literal_number(text: str) -> Decimal:
    """The exact value of a number literal of a template expression (Jinja's float syntax: digits with ``_``
    separators, a fraction, an exponent), with the range and digits of any playbook number (GC103).

    Spec §1: numbers are read from their source text as exact decimals, never through a binary float. The
    text is read as written (``Decimal`` keeps the exponent apart from the digits, so ``1e999999999`` costs
    nothing), and a value outside 1e-40..1e40 or over 40 digits is refused as it would be outside a template.
    """
    try:
        value = Decimal(text.replace("_", ""))
    except DecimalException:  # an exponent beyond what Decimal can hold
        value = Decimal("Infinity")
    if not value.is_finite():
        raise UnitError(
            "GC103", f"'{_show(text)}' is out of range", f"write a number between 1e-{MAX_DIGITS} and 1e{MAX_DIGITS}"
        )
    return _checked(value, text)


def _exact(value, what: str = "a number") -> Decimal:
    """An ``int`` or ``Decimal`` input as a checked Decimal; any other type is GC103."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        if isinstance(value, float):
            raise UnitError(
                "GC103",
                f"expected {what}, got a float '{_show(value)}'",
                "write the value as text (e.g. '0.1') so it stays exact",
            )
        # in words, never Python's type name or repr ("got a NoneType 'None'", "a dict '{'a': 1}'": audit spec28b
        # 1), and an example that is itself {what} (a duration's '0.5' was GC106)
        kind = _KINDS.get(type(value), "a value of another kind")
        example = _EXAMPLES.get(what, "'1.5'")
        raise UnitError("GC103", f"expected {what}, got {kind}", f"write {what}, e.g. {example}")
    if isinstance(value, int):
        if value.bit_length() > 133:  # 10**40 needs 133 bits
            raise UnitError(
                "GC103",
                f"'{_show(value)}' has more than {MAX_DIGITS} digits",
                f"write at most {MAX_DIGITS} significant digits",
                _show(value),
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


_KINDS = {type(None): "nothing", bool: "a boolean", list: "a list", tuple: "a list", dict: "a mapping"}

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
    c = _COMMON.fullmatch(text)
    if c and not c[2] and not c[4] and (not c[5] or c[5].lower() in _SUFFIX_WORDS):
        return _signed(c[1], _decimal_of(c[3] + c[5], text))
    m = re.fullmatch(_SIGNED_NUM, text, _I)
    if not m:
        raise _unreadable(text, "a number", _NUMBER_HINT)
    return _signed(m["sign"], _decimal_of(m["num"], text))


_MONEY = (  # re.I
    rf"(?P<sign>[+-]?){_WS}*(?:\${_WS}*(?P<dollars>{_NUM})"
    rf"|(?P<num>{_NUM})(?:{_WS}*(?P<code>usd[ct]?))?"
    rf"|(?P<lead>usd[ct]?){_WS}*(?P<after>{_NUM}))"
)
_USD_CODES = ("usd", "usdc", "usdt")
_MONEY_HINT = "write dollars, e.g. '$500k', '$2,325.53', '500000 USD' or '500k USD'"


@_memo_text
def parse_money(value) -> Decimal:
    """Dollars: '$500k', '$2,325.53', '500000 USD', '500k usd', 'USD 500', '-$5', a plain number."""
    if not isinstance(value, str):
        return _exact(value, "money")
    text = _text(value, "money")
    c = _COMMON.fullmatch(text)
    if c and not c[4] and (not c[5] or c[5].lower() in _SUFFIX_WORDS):  # '$50k', '-$5', '500', '2m'
        return _signed(c[1], _decimal_of(c[3] + c[5], text))
    if c and not c[2] and c[5].lower() in _USD_CODES:  # '500 USD', '500usdc'
        return _signed(c[1], _decimal_of(c[3], text))
    m = re.fullmatch(_MONEY, text, _I)
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
_SEGMENT = rf"{_WS}*(?P<num>{_UNSUFFIXED}){_WS}*(?P<unit>{_UNIT_ALT})(?![a-z]){_WS}*"  # re.I
_DURATION_HINT = "write a number and a unit, e.g. '500ms', '30s', '1.5s', '5m', '1h30m', '2d'"


@_memo_text
def parse_duration_ms(value) -> int:
    """Milliseconds: '30s', '500ms', '1.5s', '1h30m', '90 s', '-5s'; a bare number is ms."""
    if not isinstance(value, str):
        return _whole_ms(_exact(value, "a duration"), value)
    text = _text(value, "a duration")
    c = _COMMON.fullmatch(text)
    if c and not c[2] and not c[5]:  # '500', '-2.5': a bare number is milliseconds
        return _whole_ms(parse_number(text), text)
    if c and not c[2] and c[5].lower() in _DURATION_UNITS:  # '30s', '5 m', '-1.5h': one segment
        segment_ms = _EXACT.multiply(_decimal_of(c[3], text), _DURATION_UNITS[c[5].lower()])
        return _whole_ms(_signed(c[1], _EXACT.add(Decimal(0), segment_ms)), text)
    if re.fullmatch(_PLAIN_NUM, text):
        return _whole_ms(parse_number(text), text)
    sign, body = (text[0], text[1:]) if text[0] in "+-" else ("", text)
    total, previous, pos = Decimal(0), None, 0
    segment = re.compile(_SEGMENT, _I)
    while pos < len(body):
        m = segment.match(body, pos)
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


_BPS = rf"(?P<sign>[+-]?)(?P<num>{_NUM}){_WS}*(?P<unit>bps|bp|%)?"  # re.I


@_memo_text
def parse_bps(value) -> int:
    """Basis points: '25bps', '25 bps', '25bp', '0.25%', a plain number; whole bps only."""
    if not isinstance(value, str):
        return _whole_bps(_exact(value, "bps"), value)
    text = _text(value, "bps")
    c = _COMMON.fullmatch(text)
    if c and not c[2] and not c[4] and (not c[5] or c[5].lower() in _SUFFIX_WORDS):  # '25', '1k'
        sign, num, unit = c[1], c[3] + c[5], None
    elif c and not c[2] and (c[5] == "%" or c[5].lower() in ("bps", "bp")):  # '25bps', '25 bp', '0.25%'
        sign, num, unit = c[1], c[3], c[5]
    else:
        m = re.fullmatch(_BPS, text, _I)
        if not m:
            raise _unreadable(text, "bps", "write basis points or a percentage, e.g. '25bps' or '0.25%'")
        sign, num, unit = m["sign"], m["num"], m["unit"]
    bps = _decimal_of(num, text)
    if unit == "%":
        bps = bps.scaleb(2, _EXACT)
    return _whole_bps(_signed(sign, bps), text)


def _whole_bps(bps: Decimal, shown) -> int:
    n = _whole(bps)
    if n is None:
        # the whole numbers either side, each moved into GC403's range: a hint never offers a value GC403 refuses
        # (0.4bps: '1bps', not '0bps')
        lowest, highest = Decimal(1), Decimal(MAX_SLIPPAGE_BPS)
        nearest = (round_down(bps, lowest), round_up(bps, lowest))
        offered = sorted({min(max(v, lowest), highest) for v in nearest})
        examples = " or ".join(f"'{format_decimal(v)}bps'" for v in offered)
        moved = "" if len(offered) == 2 else f" (slippage is more than 0 and at most {MAX_SLIPPAGE_BPS}bps)"
        raise UnitError(
            "GC106",
            f"'{_show(shown)}' is {format_decimal(bps)} bps, not a whole number of bps",
            f"round to whole bps, e.g. {examples}{moved}",
        )
    return _int64(n, shown, "bps value")


_PERCENT = rf"(?P<sign>[+-]?)(?P<num>{_NUM}){_WS}*(?P<pct>%)?"  # re.I


def _percent_parts(value, what: str) -> tuple[Decimal, bool]:
    """``(number, written with %)`` for the percent parsers."""
    if not isinstance(value, str):
        return _exact(value, what), False
    text = _text(value, what)
    c = _COMMON.fullmatch(text)
    if c and not c[2] and not c[4] and (not c[5] or c[5].lower() in _SUFFIX_WORDS):  # '0.5', '1k'
        return _signed(c[1], _decimal_of(c[3] + c[5], text)), False
    if c and not c[2] and c[5] == "%":  # '50%', '-5 %'
        return _signed(c[1], _decimal_of(c[3], text)), True
    m = re.fullmatch(_PERCENT, text, _I)
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


# The power of ten that takes a ratio to percent points and to basis points: 0.05 is 5% and 500 bps.
_RATIO_SCALE = {"%": 2, "bps": 4}


def ratio_as(unit: str, ratio: Decimal) -> Decimal:
    """``ratio`` (a percent param's value: ``5%`` is ``0.05``) in ``unit``, exactly: ``%`` gives percent points
    (``-0.05`` -> ``-5``), ``bps`` basis points (``0.0025`` -> ``25``); a plain Decimal, as ``-5%`` and ``0.25%``
    written in a field whose bare number is in that unit are read (spec §5 `offset_pct`, §3 `slippage`)."""
    return Decimal(ratio).scaleb(_RATIO_SCALE[unit], _EXACT)


class ParamNumber(Decimal):
    """A typed param's number as a template sees it, marked with the param's name (so a rendering can say which
    param a misuse came from); arithmetic on it gives a plain Decimal, and values that reach the wire are plain."""

    __slots__ = ("name",)
    name: str

    def __new__(cls, value: Decimal, name: str):
        self = Decimal.__new__(cls, value)
        self.name = name
        return self


class PercentRatio(ParamNumber):
    """A ``percent`` param's value as a template sees it: the ratio (``5%`` is ``0.05``), marked with the param's
    name, so that rendering can refuse the ratio written straight back before ``%`` or ``bps`` (``{{ stop }}%`` is
    ``0.05%``, a stop 100 times tighter than meant; docs/templates.md). A ratio computed from it keeps the mark
    (``stop * 2``, ``-stop``); times 100 or 10000 it is a plain Decimal, so ``{{ stop * 100 }}%`` is the
    percentage. A whole ``{{ stop }}`` value placed in ``slippage`` or an ``offset_pct`` is read in that field's
    unit, bps or percent points (:func:`ratio_as`; graphc.stages.expand.in_field_unit), and anywhere else is the
    plain ratio (a ``for_each`` list and a ``with:`` value keep the mark: graphc.stages.expressions.to_plain)."""

    __slots__ = ()


class MoneyAmount(ParamNumber):
    """A ``money`` param's value as a template sees it: dollars, as a plain number (``$500`` is ``500``), marked
    with the param's name and its value (``origin``), and so is every number computed from it (``budget / 2``,
    ``-budget``, ``budget * cut``, ``budget | round(2)``; a ratio of two amounts, ``part / total``, is plain):
    a size whose number is money written without a unit (``buy: "{{ budget / 2 }}"``: 250 BTC, not $250) is
    refused (GC105; graphc.stages.expand). Values that reach the wire are plain.

    ``degree`` is the power of dollars the number is (review10 4): the param itself is 1, ``budget * budget`` 2,
    ``budget * budget / total`` 1 again (dollars, refused as a size), ``part / total`` 0 (a plain ratio, never
    marked); any other degree is still computed from money."""

    __slots__ = ("degree", "origin")
    origin: Decimal
    degree: Fraction

    def __new__(cls, value: Decimal, name: str, origin: Decimal | None = None, degree: Fraction | int = 1):
        self = ParamNumber.__new__(cls, value, name)
        self.origin = Decimal(value) if origin is None else origin
        self.degree = Fraction(degree)
        return self


class MoneyInt(int):
    """A whole number computed from a ``money`` param (``budget | int``): the mark of :class:`MoneyAmount` on an
    ``int``, so ``range()`` and repetition still take it (an ``int`` subclass cannot have ``__slots__``)."""

    name: str
    origin: Decimal
    degree: Fraction

    def __new__(cls, value: int, name: str, origin: Decimal, degree: Fraction | int = 1):
        self = int.__new__(cls, value)
        self.name, self.origin, self.degree = name, origin, Fraction(degree)
        return self


class MoneyText(str):
    """Text with a number computed from a money param written into it (``{{ budget / 2 }} ``,
    ``{{ (budget / 2) ~ '' }}``, ``{{ budget | string }}``): ``money`` is the (last) such number, so a size made of
    this text without a unit (``$`` before the number, an asset, USD or shares after it) is refused as the number
    itself is (GC105; graphc.stages.expand). Values that reach the wire are plain text."""

    money: MoneyAmount | MoneyInt

    def __new__(cls, text: str, money: MoneyAmount | MoneyInt):
        made = super().__new__(cls, text)
        made.money = money
        return made


class PercentText(str):
    """Text that ends (spaces aside) with a percent param's ratio written out (``{{ stop | string }}``, ``{{ 'x' ~ stop }}``,
    ``{{ slip }} ``): the ratio is kept so that a `%` or `bps` written after the text is refused as after the number
    (graphc.stages.expressions), and so is the text as a whole value of a field that reads it as bps
    (graphc.stages.expand). Values that reach the wire are plain text."""

    ratio: PercentRatio

    def __new__(cls, text: str, ratio: PercentRatio):
        made = super().__new__(cls, text)
        made.ratio = ratio
        return made


def money_of(value) -> MoneyAmount | MoneyInt | None:
    """The money mark ``value`` carries (a number computed from a money param, or text one was written into)."""
    kind = type(value)
    if kind is MoneyAmount or kind is MoneyInt:
        return value
    if kind is MoneyText:
        return value.money
    return None


def money_without_unit(value) -> tuple[MoneyAmount | MoneyInt, Decimal] | None:
    """``(the money mark, the size's number)`` when ``value``, a size or a quantity as a template rendered it
    (marks kept), is a number computed from a money param that carries no unit; else None.

    Spec §3.2: a size's plain number is base units, while a money param's number is dollars. graphc cannot
    tell ``budget / 2`` (dollars) from ``budget / quote('BTC-USD').ask`` (BTC), so the size must say which:
    ``$`` before the number or ``USD`` after it (a notional), the asset, ``shares`` or ``contracts`` after it.
    Text graphc cannot read as a quantity is left to the size's own check (GC105, "cannot read")."""
    money = money_of(value)
    if money is None:
        return None
    if type(value) is not MoneyText:
        return money, Decimal(value)
    try:
        size = parse_quantity(value)
    except UnitError:
        return None
    return (money, size.amount) if size.kind == "base" and size.amount is not None else None


def format_dollars(amount: Decimal) -> str:
    """``$500``, ``-$5``: an amount of dollars as a message shows it."""
    return f"-${format_decimal(-amount)}" if amount < 0 else f"${format_decimal(amount)}"


def shown_amount(amount: Decimal) -> str:
    """An amount computed in a template as a message shows it, at any size: plain when it fits the 40 digits a
    value may have (:func:`format_decimal`), else with an exponent (``5E+52``, ``5E-48``) or cut short with
    ``...`` (``166.666...``: a division that does not end). Never raises (review10 1: a size computed from money
    that does not fit was a crash)."""
    try:
        return format_decimal(amount)
    except UnitError:
        text = _shown_number(amount.normalize(_WIDE_SHOWN)) if amount.is_finite() else str(amount)
        return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def shown_dollars(amount: Decimal) -> str:
    """:func:`format_dollars` at any size (:func:`shown_amount`): the same digits, with `$` after the sign."""
    text = shown_amount(amount)
    return f"-${text[1:]}" if text.startswith("-") else f"${text}"


_MAX_SHOWN = 43  # 40 digits, a point and a sign, or the cut text with its `...`
_WIDE_SHOWN = Context(prec=1000)  # normalizing never rounds a value a template can compute


class RatioText(str):
    """An edge mapping's ``offset_pct`` rendered as text that ends with a percent param's ratio (``"{{ stop }} "``,
    ``"{{ stop | string }}"``): its number is the ratio, -0.05 for -5%, which the field would read as percent points,
    a stop 100 times tighter; graphc.stages.triggers refuses it (GC107) with ``message`` and ``hint``. Text in the
    number syntax is read there otherwise (audit spec28 4), so the mark outlives :func:`unmarked`."""

    message: str
    hint: str

    def __new__(cls, text: str, message: str, hint: str):
        made = super().__new__(cls, text)
        made.message, made.hint = message, hint
        return made


def unmarked(value):
    """``value`` with no percent or money mark left in it (the plain number or text), lists and mappings too."""
    kind = type(value)
    if kind is MoneyText or kind is PercentText:
        return str(value)
    if kind is MoneyInt:
        return int(value)
    if kind is MoneyAmount or kind is PercentRatio:
        return Decimal(value)
    if kind is dict:
        return {key: unmarked(item) for key, item in value.items()}
    if kind is list:
        return [unmarked(item) for item in value]
    return value


# ---------------------------------------------------------------------------
# Quantities


class Quantity(NamedTuple):
    """A parsed size: its kind, amount and asset."""

    kind: str  # 'base' | 'asset' | 'shares' | 'notional' | 'derived'
    amount: Decimal | None  # None only for 'derived'
    asset: str | None = None  # upper-case asset for 'asset'; 'USD' for 'notional'


_QTY = rf"(?P<sign>[+-]?)(?P<num>{_NUM}){_WS}+(?P<unit>[a-z0-9]*[a-z][a-z0-9]*)"  # re.I
SHARE_WORDS = frozenset(("share", "shares", "contract", "contracts"))
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
    c = _COMMON.fullmatch(text)
    if c and not c[4] and (not c[5] or c[5].lower() in _SUFFIX_WORDS):
        if c[2]:  # '$5k'
            return Quantity("notional", parse_money(text), "USD")
        return Quantity("base", parse_number(text))  # '0.1', '5k'
    if c and not c[2] and c[4] and c[5] and c[5] != "%":  # '200 ETH', '10 shares', '5000 usd'
        sign, num, unit = c[1], c[3], c[5].lower()
    elif re.fullmatch(_SIGNED_NUM, text, _I):
        return Quantity("base", parse_number(text))
    elif m := re.fullmatch(_QTY, text, _I):
        sign, num, unit = m["sign"], m["num"], m["unit"].lower()
    else:
        unit = ""
    if unit:
        amount = _signed(sign, _decimal_of(num, text))
        if unit == "usd":
            return Quantity("notional", amount, "USD")
        if unit in SHARE_WORDS:
            return Quantity("shares", amount)
        return Quantity("asset", amount, unit.upper())
    money = re.fullmatch(_MONEY, text, _I)
    if money and (money["dollars"] or (money["code"] or money["lead"] or "").lower() == "usd"):
        return Quantity("notional", parse_money(text), "USD")
    raise _unreadable(text, "a quantity", _QTY_HINT)


# The usual size and literal price texts ('250 contracts', '1.5 ETH', '48c', '$2,325.53'), read straight
# to the wire integer by parse_quantity / parse_price + to_scaled's arithmetic on the digits. At most 20
# digits on each side of the point, so the value is finite, short and in range: none of the general
# checks can fail. Any other text (signs, suffixes, exponents, spaces, more decimals than the wire
# keeps, zero) gives None and the general parsers decide (tests/test_units_reference.py compares them).
_PLAIN_SIZE = re.compile(r"([0-9]{1,20})(?:\.([0-9]{1,20}))? ([A-Za-z]{1,20})")
_PLAIN_PRICE = re.compile(r"(\$?)([0-9]{1,3}(?:,[0-9]{3}){1,6}|[0-9]{1,20})(?:\.([0-9]{1,20}))?(c?)")


def plain_size(text: str) -> tuple[str, int] | None:
    """``(unit word in lower case, qty_1e8)`` of a size written 'DIGITS[.DIGITS] WORD' (parse_quantity reads
    WORD as shares/contracts, USD or an asset), when it is a positive whole number of 1e-8; else None."""
    m = _PLAIN_SIZE.fullmatch(text)
    if m is None:
        return None
    whole, fraction, word = m.groups()
    if fraction is None:
        qty = int(whole) * 100_000_000
    elif len(fraction) <= 8:
        qty = int(whole + fraction.ljust(8, "0"))
    else:
        return None
    return (word.lower(), qty) if 0 < qty <= INT64_MAX else None


def plain_price(text: str) -> tuple[Decimal, int] | None:
    """``(parse_price(text).literal, price_1e9)`` of a literal price written 'DIGITS[.DIGITS]',
    '$DIGITS[.DIGITS]' (thousands may be grouped with ',') or 'DIGITS[.DIGITS]c', when it is a positive
    whole number of 1e-9; else None."""
    m = _PLAIN_PRICE.fullmatch(text)
    if m is None:
        return None
    dollar, whole, fraction, cents = m.groups()
    if "," in whole:
        if cents:
            return None
        whole = whole.replace(",", "")
    if fraction is None:
        price, digits, places = Decimal(whole), whole, 0
    else:
        price, digits, places = Decimal(f"{whole}.{fraction}"), whole + fraction, len(fraction)
    if cents:
        if dollar:
            return None  # '$5c' is no price
        price, places = price.scaleb(-2, _EXACT), places + 2
    if places > 9:
        return None
    scaled = int(digits) * _POWERS[9 - places] if places < 9 else int(digits)
    return (price, scaled) if 0 < scaled <= INT64_MAX else None


def base_asset(symbol: str) -> str:
    """The base asset of a symbol: the text before the first '-', upper-cased ('eth-usd' -> 'ETH')."""
    if not isinstance(symbol, str):
        raise UnitError(
            "GC103", f"expected a symbol, got '{_show(symbol)}'", "write the symbol as text, e.g. 'ETH-USD'"
        )
    return symbol.split("-", 1)[0].strip().upper()


def undashed(symbol: str) -> str | None:
    """What graphc makes of a symbol without '-' (``BTCUSDT``, ``PURR/USDC``: a venue's own spelling), said for a
    person: its whole name is its base asset (spec §3.2: the text before the first '-'); None when it has a '-'.
    A message that names such a symbol's base asset says this instead of "BTCUSDT trades BTCUSDT" (desk21 2)."""
    if not isinstance(symbol, str) or "-" in symbol:
        return None
    return f"{symbol} has no '-', so graphc reads its whole name as its base asset"


def dashed(symbol: str, *assets: str | None) -> str | None:
    """A symbol without '-' written with one, split after the first of ``assets`` (a currency or a base asset) that
    it starts or ends with: ``BTC-USDT`` for BTCUSDT and USDT or BTC, ``PURR-USDC`` for PURR/USDC; None when no split
    is known (graphc does not guess where an asset ends). Whether the venue takes that spelling is not known here."""
    if not isinstance(symbol, str) or "-" in symbol:
        return None
    if "/" in symbol:
        return symbol.replace("/", "-", 1)
    upper = symbol.upper()
    for asset in assets:
        asset = (asset or "").upper()
        if not asset or len(asset) >= len(upper):
            continue
        if upper.endswith(asset):
            return f"{symbol[: -len(asset)]}-{symbol[-len(asset) :]}"
        if upper.startswith(asset):
            return f"{symbol[: len(asset)]}-{symbol[len(asset) :]}"
    return None


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


_HEAD = (  # re.I
    rf"{_WS}*(?:(?P<base>bid|ask|mid|last|trigger)(?![a-z])"
    rf"|(?P<sign>[+-]?){_WS}*(?:\${_WS}*(?P<dollars>{_NUM})|(?P<num>{_NUM}){_WS}*(?P<unit>c|usd)?(?![a-z]))){_WS}*"
)
_OFFSET = (  # re.I
    rf"{_WS}*(?P<op>[+-]){_WS}*(?:\${_WS}*(?P<dollars>{_NUM})"
    rf"|(?P<num>{_NUM}){_WS}*(?P<unit>ticks?|bps|bp|%|c|\$)(?![a-z])){_WS}*"
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
    common = _common_price(text)
    if common is not None:
        return common
    head = re.match(_HEAD, text, _I)
    if not head:
        raise _unreadable(text, "a price", _PRICE_HINT)
    base, literal = _price_head(head, text)
    offsets, pos = [], head.end()
    offset = re.compile(_OFFSET, _I)
    while pos < len(text):
        m = offset.match(text, pos)
        if not m:
            raise _unreadable(text, "a price", _PRICE_HINT)
        amount = _decimal_of(m["dollars"] or m["num"], text)
        unit = "$" if m["dollars"] else _UNIT_NAMES[m["unit"].lower()]
        offsets.append((_signed(m["op"], amount), unit))
        pos = m.end()
    return PriceExpr(base, literal, tuple(offsets))


def _common_price(text: str) -> PriceExpr | None:
    """``text`` read as parse_price reads it, when it is a single literal ('0.55', '55c', '$5k')
    or a base with offsets each written 'OP N[UNIT]' / 'OP N UNIT' / 'OP $N' between single
    spaces ('ask + 1 tick', 'bid - 0.5%'); None for any other shape (the full grammar decides)."""
    tokens = text.split(" ")
    if len(tokens) == 1:
        if text.lower() in _BASES:
            return PriceExpr(text.lower(), None, ())
        c = _COMMON.fullmatch(text)
        if not c:
            return None
        sign, dollar, digits, word = c[1], c[2], c[3], c[5].lower()
        if not word or word in _SUFFIX_WORDS:
            return PriceExpr(None, _signed(sign, _decimal_of(digits + c[5], text)), ())
        if dollar or word not in ("c", "usd"):
            return None
        amount = _decimal_of(digits, text)
        return PriceExpr(None, _signed(sign, amount.scaleb(-2, _EXACT) if word == "c" else amount), ())
    if tokens[0].lower() not in _BASES:
        return None
    parts, i = [], 1  # (op, number text, unit) for each offset, all read before any is computed
    while i < len(tokens):
        op = tokens[i]
        c = _COMMON.fullmatch(tokens[i + 1]) if i + 1 < len(tokens) and op in ("+", "-") else None
        if not c or c[1]:
            return None
        after = tokens[i + 2].lower() if i + 2 < len(tokens) else None
        word = c[5].lower()
        if c[2] and (not word or word in _SUFFIX_WORDS):  # '+ $0.01'
            parts.append((op, c[3] + c[5], "$"))
            i += 2
        elif not c[2] and word in _UNIT_NAMES:  # '+ 1tick', '- 25bps', '- 0.5%'
            parts.append((op, c[3], _UNIT_NAMES[word]))
            i += 2
        elif not c[2] and (not word or word in _SUFFIX_WORDS) and after in _UNIT_NAMES:  # '+ 1 tick', '- 2k bps'
            parts.append((op, c[3] + c[5], _UNIT_NAMES[after]))
            i += 3
        else:
            return None
    offsets = tuple((_signed(op, _decimal_of(num, text)), unit) for op, num, unit in parts)
    return PriceExpr(tokens[0].lower(), None, offsets)


def _price_head(m: re.Match, text: str) -> tuple[str | None, Decimal | None]:
    if m["base"]:
        return m["base"].lower(), None
    amount = _decimal_of(m["dollars"] or m["num"], text)
    if (m["unit"] or "").lower() == "c":
        amount = amount.scaleb(-2, _EXACT)
    return None, _signed(m["sign"], amount)


def resolve_price(expr: PriceExpr, **where) -> Decimal:
    """The price of ``expr`` for a ``side`` leg (``where``: :func:`generated_price`'s keywords).

    Bases come from the quote snapshot (``bid``, ``ask``, ``mid``, ``last``) or,
    for ``trigger``, from the projected trigger level the caller passes. Offsets
    in % and bps are relative to the base value; ``N tick`` uses the market's
    grid for generated prices, and on a market with price bands (Kalshi) is N
    steps along them (:func:`graphc.venues.prices.walk_ticks`). A template's
    result goes onto the venue's grids (``market``: a
    :class:`graphc.venues.MarketFacts`, spec §4; else just ``tick``), buys down
    and sells up, and then onto 1e-9 the same way. A result outside the prices a
    generated price may take (:func:`graphc.venues.prices.generated_bounds`; at
    least above 0) is GC103: moving it in the leg's favour cannot reach the
    range, so compile never writes a price lint's GC304 rejects. A ``trigger``
    price that rounding in the leg's favour would carry past the level (a sell
    above it, a buy below it: it would rest, GC407) is rounded the other way.
    A literal is returned unchanged.
    """
    return generated_price(expr, **where)[0]


def generated_price(
    expr: PriceExpr,
    *,
    side: str,
    quote=None,
    tick: Decimal | None = None,
    market=None,
    trigger: Decimal | None = None,
) -> tuple[Decimal, Decimal]:
    """:func:`resolve_price`'s price of ``expr``, and the price it had before it went onto the grids (the
    base and its offsets as written; the same for a literal). GC404 reads the two: a template that takes
    the touch as written but not once aligned (spec §4's coarse grid while the tick is unknown) rests."""
    if not isinstance(expr, PriceExpr):
        raise UnitError("GC103", f"expected a parsed price, got '{_show(expr)}'", "parse it with parse_price first")
    if side not in ("buy", "sell"):
        raise UnitError("GC103", f"side '{_show(side)}' is not buy or sell", "write side: buy or side: sell")
    if expr.is_literal:
        literal = _positive_price(_exact(expr.literal, "a price"), expr)
        return literal, literal
    if expr.base is None:
        base = _exact(expr.literal, "a price")
    elif expr.base == "trigger":
        if trigger is None:
            raise UnitError(
                "GC105",
                f"price '{expr}' uses `trigger`, but this leg has no on_price edge to take the level from",
                "`trigger` is the level at which the leg's own `after: LEG price SYMBOL below|above entry N%` "
                "fires; a leg placed after such a leg fills meets the moved market too: put it behind the price "
                "trigger itself, give it a literal price near the level, or drop `limit:` for a market order "
                "(bid, ask, mid and last are today's quote)",
            )
        base = _exact(trigger, "a trigger level")
    else:
        base = _quote_base(expr, quote)
    grid = market.grid_for(base) if market is not None else tick
    step = None if grid is None else _tick_size(grid)
    try:
        price = base
        for amount, unit in expr.offsets:
            amount = _exact(amount, "an offset")
            walked = None
            if unit == "tick" and market is not None:
                walked = walk_ticks(price, amount, market, up=side == "sell")  # banded grids: step by step
            price = walked if walked is not None else _EXACT.add(price, _offset(amount, unit, base, step, expr))
    except DecimalException:  # pragma: no cover - _EXACT is wide enough for checked inputs
        raise UnitError("GC103", f"price '{expr}' cannot be computed exactly", "use fewer digits") from None
    price = _positive_price(price, expr)
    try:
        return _settled_price(expr, side, price, market, step, trigger)
    except UnsettledPrice as exc:  # never a price lint would flag GC303/GC308 (spec §3.3; audit consist27 1)
        venue = (market.venue if market is not None else None) or "the market"
        raise UnitError(
            "GC103",
            f"price '{expr}' is {format_decimal(price)}; moved onto {venue}'s grids it does not settle: "
            f"{format_decimal(exc.price)} is still off their {format_decimal(exc.step)} step there",
            f'write a literal price on the grid, or check the ticks of [markets."{market.symbol}"] in graphc.toml',
        ) from None


def _settled_price(expr, side: str, price: Decimal, market, step, trigger) -> tuple[Decimal, Decimal]:
    """:func:`generated_price` from the price as written (``price``) on: aligned, and checked against the range."""
    align_side = side
    if (
        expr.base == "trigger"
        and _crosses(price, side, trigger)
        and not _crosses(_aligned(price, side, market, step), side, trigger)
    ):
        # Rounding in the leg's favour would carry the limit past the level the stop fires at (a sell above
        # it, a buy below it): the order would rest, not fill (GC407). Spec §4: `trigger - 0.5%` "sells into
        # the market at the moment the stop fires". So the other way, to the grid price on the marketable side.
        align_side = "buy" if side == "sell" else "sell"
    align = round_down if align_side == "buy" else round_up
    if market is not None:
        aligned = align_generated(price, align_side, market)
        low, high = generated_bounds(market, market.grid_for(aligned))
        below_one = is_prediction(market)  # prediction prices: strictly between 0 and 1 (GC304)
    else:
        aligned = price if step is None else align(price, step)
        low = high = None
        below_one = False
    aligned = align(aligned, _NANO)
    over = (high is not None and aligned > high) or (below_one and aligned >= 1)
    if over or aligned <= 0 or (low is not None and aligned < low):
        kept = None if align_side == side else (trigger, _aligned(price, side, market, step))
        raise _no_generated_price(expr, side, price, aligned, market, step, (low, high, below_one), over, kept)
    return aligned, price


def _crosses(price: Decimal, side: str, level: Decimal | None) -> bool:
    """Whether a ``side`` limit at ``price`` is marketable when the price is at ``level``: a sell at or below
    it, a buy at or above it (GC407's test)."""
    return level is not None and (price <= level if side == "sell" else price >= level)


def _aligned(price: Decimal, side: str, market, step: Decimal | None) -> Decimal:
    """``price`` on the grids, in ``side``'s favour, as :func:`resolve_price` aligns it."""
    if market is not None:
        price = align_generated(price, side, market)
    elif step is not None:
        price = round_down(price, step) if side == "buy" else round_up(price, step)
    return round_down(price, _NANO) if side == "buy" else round_up(price, _NANO)


def _no_generated_price(expr, side, price, aligned, market, step, bounds, over, kept=None) -> UnitError:
    """GC103 for a template whose price, moved onto the grid in the leg's favour, is outside the range a
    generated price may take (spec §4; venue-rules.md §1, §2): says the price, the grid and the range.

    ``kept``: ``(level, favoured)`` when the price was moved the other way, to keep a ``trigger`` limit on the side
    of its level that fills (GC407: ``favoured``, the price in the leg's favour, would rest past ``level``); the
    message then names the direction used and why, not the leg's usual one (audit venuenum25 3)."""
    low, high, below_one = bounds
    venue = (market.venue if market is not None else None) or "the market"
    if market is not None:  # the grid the price went onto: where it settled, or where it left for 0
        words, kind, grid = generated_grid(market, aligned if aligned > 0 else price)
    else:
        words = "the wire's 1e-9 scale" if step is None else f"the market's {format_decimal(step)} tick"
        kind, grid = "tick", step
    default = kind == "default"
    on = f"onto {words}"
    if low is not None and high is not None:
        span = f"in the range {format_decimal(low)}-{format_decimal(high)}"
    elif high is not None:
        span = f"above 0 and at most {format_decimal(high)}"
    elif below_one:
        span = "between 0 and 1" if low is None else f"at least {format_decimal(low)} and below 1"
    else:
        span = "above 0" if low is None else f"at least {format_decimal(low)}"
    down = side == "buy" if kept is None else side == "sell"  # the direction the price went: kept turns it
    moved, way = ("rounded down", "at or below") if down else ("rounded up", "at or above")
    favourable = over if down else not over and aligned > 0  # a price moved up from under the range could reach it
    if favourable:  # the template itself is outside the range, not the rounding
        message = f"price '{expr}' is {format_decimal(price)}; {venue} accepts only prices {span}"
    elif kept is not None:
        level, favoured = kept
        usual, past = ("rounded up", "above") if down else ("rounded down", "below")
        message = (
            f"price '{expr}' is {format_decimal(price)}; this {side} is {moved} {on}, not {usual}: {usual} to "
            f"{format_decimal(favoured)} it would sit {past} the level {format_decimal(level)} its trigger fires at "
            f"and rest instead of filling (GC407). {moved.capitalize()}, it is {format_decimal(aligned)}, and no "
            f"{side} price {way} {format_decimal(price)} on that grid is {span}"
        )
    else:
        message = (
            f"price '{expr}' is {format_decimal(price)}; a {side} is {moved} {on}, which gives "
            f"{format_decimal(aligned)}, and no {side} price {way} {format_decimal(price)} on that grid is {span}"
        )
    if default and market is not None:
        fine = format_decimal(market.tick) if market.tick is not None else "0.001"
        hint = (
            f"if the market trades on a finer grid, give its tick in the quotes snapshot (`tick: {fine}`) or in "
            f'graphc.toml ([markets."{market.symbol}"] tick = {fine}); or write a literal price'
        )
    else:
        on_grid = f" on that grid (a multiple of {format_decimal(grid)})" if kind == "figures" and grid else ""
        hint = f"write a literal price {span}{on_grid}" + (
            "" if favourable or not expr.offsets else ", or change the offsets"
        )
    return UnitError("GC103", message, hint)


def _offset(amount: Decimal, unit: str, base: Decimal, tick: Decimal | None, expr: PriceExpr) -> Decimal:
    if unit == "tick":
        if tick is None:
            raise UnitError(
                "GC109",
                f"'{expr}' needs the market's tick, which is unknown",
                'give the tick (`tick:` in the quotes snapshot, or `tick` in [markets."SYMBOL"] of graphc.toml), '
                "or offset in bps, %, c or $",
            )
        return _EXACT.multiply(amount, tick)
    if unit == "bps":
        return _EXACT.divide(_EXACT.multiply(base, amount), 10_000)
    if unit == "%":
        return _EXACT.divide(_EXACT.multiply(base, amount), 100)
    if unit == "c":
        return _EXACT.divide(amount, 100)
    if unit == "$":
        return amount
    raise UnitError(
        "GC105", f"unknown price offset unit '{_show(unit)}' in '{expr}'", "use one of tick, bps, %, c or $"
    )


def _quote_field(quote, name: str) -> Decimal | None:
    if quote is None:
        return None
    raw = quote.get(name) if isinstance(quote, dict) else getattr(quote, name, None)
    return None if raw is None else _exact(raw, f"a quote {name}")


def _quote_base(expr: PriceExpr, quote) -> Decimal:
    assert expr.base is not None  # only called for an expression with a quote base
    value = _quote_field(quote, expr.base)
    if value is None and expr.base == "mid":
        bid, ask = _quote_field(quote, "bid"), _quote_field(quote, "ask")
        if bid is not None and ask is not None:
            value = _EXACT.divide(_EXACT.add(bid, ask), 2)
    if value is None:
        missing = "no quote is available" if quote is None else f"the quote has no {expr.base}"
        raise UnitError(
            "GC109",
            f"price '{expr}' needs the {expr.base}, but {missing}",
            "add bid and ask for this symbol to the quotes snapshot (--quotes FILE), or write a literal price",
        )
    return value


def _tick_size(tick) -> Decimal:
    step = _exact(tick, "a tick size")
    if step <= 0:
        raise UnitError("GC103", f"tick size '{_show(tick)}' is not positive", "set tick to a positive size, e.g. 0.01")
    return step


def _positive_price(price: Decimal, expr: PriceExpr) -> Decimal:
    if price <= 0:
        raise UnitError(
            "GC103",
            f"price '{expr}' resolves to {format_decimal(price)} which is not positive",
            "check the quote and make the offsets smaller" if expr.offsets else "check the quote",
        )
    return price


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


def divide_to_step(amount: Decimal, price: Decimal, step: Decimal) -> Decimal:
    """The size ``amount`` (money) buys at ``price``, rounded down to ``step``, exactly (spec §3.2):
    never a rounded 28-digit quotient, so ``size × price`` never exceeds ``amount``."""
    a, p, s = _exact(amount, "an amount"), _exact(price, "a price"), _exact(step, "a step")
    if p <= 0 or s <= 0:
        raise UnitError("GC103", "a notional size needs a positive price and lot", "check the quote and the lot")
    return divide_down(a, p, s)


def to_scaled(value: Decimal, exponent: int, what: str) -> int:
    """``value * 10**exponent`` as a positive int64, e.g. qty_1e8 / price_1e9."""
    scaled = scaled_fast(value, exponent)
    return _to_scaled_checked(value, exponent, what) if scaled is None else scaled


def scaled_fast(value, exponent: int) -> int | None:
    """to_scaled of the usual value (a short positive Decimal or int that scales exactly into an int64),
    else None: the general path decides (and words the error)."""
    power = _POWERS.get(exponent) if type(exponent) is int else None
    if power is None:
        return None
    kind = type(value)
    if kind is int:  # not bool
        whole = value * power if 0 < value <= INT64_MAX else 0
        return whole if 0 < whole <= INT64_MAX else None
    if (
        kind is Decimal
        and value.is_finite()
        and -MAX_DIGITS <= value.adjusted() <= MAX_DIGITS
        and len(str(value)) <= MAX_DIGITS
    ):
        # value is exactly n/q (q a power of 2 times a power of 5): value * power is whole when q divides power
        n, q = value.as_integer_ratio()
        if n > 0 and not power % q:
            whole = n * (power // q)
            if whole <= INT64_MAX:
                return whole
    return None


def _to_scaled_checked(value: Decimal, exponent: int, what: str) -> int:
    """to_scaled by the general checks, for every input (the fast path's reference; its errors)."""
    if isinstance(exponent, bool) or not isinstance(exponent, int) or not -MAX_DIGITS <= exponent <= MAX_DIGITS:
        raise UnitError("GC103", f"wire exponent '{_show(exponent)}' is not a small integer", "use 8 or 9")
    d = _exact(value, f"a {what}")
    if d <= 0:
        raise UnitError("GC103", f"{what} {format_decimal(d)} is not positive", f"write a {what} greater than zero")
    n = _whole(d.scaleb(exponent, _EXACT))
    if n is not None and n <= INT64_MAX:
        return n
    shown = format_decimal(d)
    if n is None:
        step = Decimal(1).scaleb(-exponent)
        # cut to the wire's places; a value that cuts to 0 is offered the smallest positive step instead, since
        # 0 is itself an error (GC103: quantities and prices must be positive, spec §3.2; audit verdict17 3)
        example = format_decimal(round_down(d, step) or step)
        raise UnitError(
            "GC106",
            f"{what} {shown} has more precision than the wire allows (1e{-exponent})",
            f"use at most {exponent} decimal places, e.g. {example}",
        )
    if n > INT64_MAX:
        raise UnitError(
            "GC103",
            f"{what} {shown} is too large: {what} x 10^{exponent} = {n} does not fit a signed 64-bit integer",
            f"keep {what} x 10^{exponent} <= {INT64_MAX}",
        )
    return n


def format_decimal(value: Decimal) -> str:
    """Plain notation, no exponent, no trailing zeros: 5E+2 -> '500', 0.50 -> '0.5'."""
    return plain(_exact(value))
