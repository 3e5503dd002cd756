"""Typed playbook params (spec §6.1): definitions, values from --set / --params / with:, checks.

A value arrives as text (``--set``) or as a YAML value (``--params FILE``, a
``default``, a template's ``with:``). ``--set`` text is first read as YAML
reads a plain scalar (:func:`set_value`: the YAML 1.2 core schema, one
resolver with the loader's), then either way it is read with the same parser
as the field it stands for (graphc.units), so ``--set size=5k`` and ``size:
5k`` in a params file mean the same thing, as do ``--set budget=0x10`` and
``budget: 0x10``. What a template then sees:

=========  ===========================================================
number     Decimal                 integer   int
money      Decimal (dollars)**     duration  int (milliseconds)
percent    Decimal ratio (0.5)*    bool      True/False
string     str                     symbol    str (non-empty, no spaces)
quantity   as written ("200 ETH")  price     as written ("bid - 10bps")
=========  ===========================================================

Numbers are exact so template arithmetic is exact; quantity and price keep
their text because the unit (asset, quote base) is part of the value.
(*) A percent value is a :class:`~graphc.units.PercentRatio`, a Decimal that
knows its param's name: rendering refuses it written straight before ``%`` or
``bps`` (GC107), where the ratio would be read as percent points again.
(**) A money value is a :class:`~graphc.units.MoneyAmount`, and so is every
number computed from it: a size made from it without a unit is GC105
(graphc.stages.expand), as is one passed in ``with:`` to a ``quantity`` param;
a ``number``/``integer`` param given one keeps the mark.

Every problem is a GC108 (GC105 for that money number given to a ``quantity``)
located where the value came from: the ``default`` or the ``with:`` entry or
the params-file entry, and for ``--set`` (which has no file position) the
param's definition, with ``--set`` named in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from graphc.diagnostics import Span
from graphc.numbers import shown
from graphc.stages.load import LoadError, resolve_plain_scalar
from graphc.stages.suggest import MAX_LISTED, did_you_mean, listed, suggestion
from graphc.units import (
    MoneyAmount,
    MoneyInt,
    MoneyText,
    PercentRatio,
    UnitError,
    format_decimal,
    money_of,
    money_without_unit,
    parse_duration_ms,
    parse_money,
    parse_number,
    parse_percent,
    parse_price,
    parse_quantity,
    shown_amount,
    shown_dollars,
    shown_value,
    unmarked,
)

YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n"})  # booleans to YAML 1.1, words to 1.2 (spec §1)
TEXT_TYPES = ("string", "symbol")  # the params whose value is text as written (set_value)
PARAM_TYPES = ("number", "integer", "string", "bool", "quantity", "money", "price", "duration", "percent", "symbol")
DEF_KEYS = ("type", "default", "description", "choices", "min", "max")
ORDERED_TYPES = ("number", "integer", "money", "duration", "percent", "quantity", "price")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
# The names an expression (spec §6.2) reads as something of its own, so a param named so could never be read.
CLOCK_NAMES = frozenset({"now", "today"})  # the names that read the time of the run (unless --now fixes it)
LITERAL_NAMES = frozenset({"none", "None", "true", "True", "false", "False"})  # Jinja's constants, never names
RESERVED_NAMES = CLOCK_NAMES | {"quote", "range", "item", "index"} | LITERAL_NAMES


class ParamError(ValueError):
    def __init__(self, message: str, code: str = "GC108", hint: str | None = None):
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


@dataclass(frozen=True)
class Supplied:
    """A value for a param and where it came from (for the diagnostic)."""

    value: object
    origin: str  # "--set", "--params FILE", "with:"
    span: Span | None = None  # the value's place; None for --set
    key_span: Span | None = None  # the name's place (unknown-param errors)
    written: str | None = None  # a number's (or true's, null's) source text, as a message shows it: `007`, `1e3`


@dataclass(frozen=True)
class Problem:
    """A GC1xx found while resolving params; the caller turns it into a Diagnostic."""

    code: str
    message: str
    span: Span | None
    hint: str | None = None


# ---------------------------------------------------------------------------
# One value


def coerce(type_: str, value, written: str | None = None):
    """The typed value of ``value`` for a param of ``type_``; ParamError when it does not fit. ``written``: the
    value's source text where a file gave it (`007`, `1e3`), which a message shows rather than the value read."""
    said = written or _shown(value)
    if type_ == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if isinstance(value, str) and value.strip().lower() in YAML11_BOOLS:
            raise ParamError(
                f"expected true or false, got {said}",
                hint=f"`{value.strip()}` is text in YAML 1.2, not a boolean (spec §1: `yes`, `no`, `on`, `off`, `y` "
                "and `n` are words); write true or false",
            )
        raise ParamError(f"expected true or false, got {said}")
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise ParamError(f"expected {_WHAT[type_]}, got {_kind(value)}")
    if type(value) is PercentRatio:  # a percent param passed on in `with:`
        return _from_percent(type_, value)
    money = money_of(value)  # a number computed from a money param, passed on in `with:`
    if money is not None and type_ != "money":
        return _from_money(type_, value, money)
    try:
        if type_ in ("string", "symbol"):
            if not isinstance(value, str):
                raise ParamError(f"expected {_WHAT[type_]}, got the number {said}", hint="quote it to pass text")
            if type_ == "symbol" and (not value.strip() or len(value) > 512 or any(c.isspace() for c in value.strip())):
                raise ParamError(f"{said} is not a market symbol (non-empty, no spaces, <= 512 characters)")
            return value.strip() if type_ == "symbol" else value
        if isinstance(value, Decimal) and not value.is_finite():  # `.inf`: said as written, not as `Infinity`
            example = "10" if type_ == "integer" else "0.5"
            raise ParamError(f"cannot read '{said}' as {_WHAT[type_]}", hint=f"write a finite number, e.g. '{example}'")
        if type_ == "number":
            return _plain(parse_number(value))
        if type_ == "integer":
            number = parse_number(value)
            if number != number.to_integral_value():
                raise ParamError(f"expected a whole number, got {said}")
            return int(number)
        if type_ == "money":
            return _plain(parse_money(value))
        if type_ == "duration":
            return parse_duration_ms(value)
        if type_ == "percent":
            ratio = parse_percent(value)
            if abs(ratio) > 1 and "%" not in str(value):  # `--set cut=12.5` means 12.5% to a trader, not 1250%
                raise ParamError(
                    f"{said} is ambiguous for a percentage: write `{value}%` for {value} percent",
                    hint="a bare number is a ratio (0.125 is 12.5%), and one above 1 is more than 100%: add the `%`",
                )
            return _plain(ratio)
        if type_ == "quantity":
            parse_quantity(value)
            return _as_text(value)
        if type_ == "price":
            parse_price(value)
            return _as_text(value)
    except UnitError as exc:
        message = exc.message
        if written is not None and not isinstance(value, str):  # a number YAML read: named as written (`1e400`)
            message = message.replace(f"'{shown_value(value)}'", _shown(written), 1)
        raise ParamError(message, hint=exc.hint) from None
    raise ParamError(f"unknown param type {type_!r}")  # pragma: no cover - definitions are checked first


def set_value(text):
    """``(value, its text)`` of a ``--set NAME=VALUE``'s VALUE read as a params file's value is: a YAML 1.2 core
    plain scalar (spec §1; graphc.stages.load), so `--set budget=0x10` is 16 as `budget: 0x10` is, `1e3` 1000,
    `007` 7, `True` true, `~` and nothing null (audit params25 6: a params file read hex and octal, `--set` refused
    them). Text stays the text given (`5k`, `200 ETH`, `$500`), read by the param's type as a file's text is.
    (A `string` or `symbol` param takes the text as written: a command line has no YAML quotes to keep `123` text.)
    A value that is not text (the Python API's) is taken as it is."""
    if not isinstance(text, str):
        return text, None
    written = text.strip()
    try:
        value = resolve_plain_scalar(written)
    except LoadError:  # an exponent beyond what graphc reads exactly: the type's parser refuses the text
        return text, None
    return (text, None) if isinstance(value, str) else (value, written)


def _from_money(type_: str, value, money: MoneyAmount | MoneyInt):
    """A number (or text) computed from a money param of the using playbook, passed on in ``with:``.

    A ``quantity`` param is a size: a money number without a unit there is GC105, as ``buy: "{{ budget / 2 }}"``
    is (250 of the asset, not $250: docs/templates.md, Params reference); with its unit it is the plain text. A
    ``number`` or ``integer`` param keeps the mark, and so does a ``string``, ``symbol`` or ``price`` param's text
    (review10 2), so the template's own ``buy: "{{ size }}"`` is refused too. A ``money`` param takes the dollars
    (a new amount of its own), a ``percent`` or ``duration`` param its plain value (neither is read as a size).
    """
    if type_ == "quantity":
        found = money_without_unit(value)
        if found is not None:
            amount = found[1]
            raise ParamError(
                f"{shown_amount(amount)} is a number computed from money param `{money.name}` "
                f"({shown_dollars(money.origin)}) with no unit, and a quantity without a unit is base units: "
                f"{shown_amount(amount)} of the asset, not {shown_dollars(amount)}",
                code="GC105",
                hint='pass dollars with `$` before the number (`"${{ ... }}"`), or the asset after it if you '
                "computed units",
            )
    plain = coerce(type_, unmarked(value))
    if type_ == "number":
        return MoneyAmount(plain, money.name, money.origin, money.degree)
    if type_ == "integer":
        return MoneyInt(plain, money.name, money.origin, money.degree)
    if type_ in ("string", "symbol", "price"):
        return MoneyText(plain, money)
    return plain


def _from_percent(type_: str, value: PercentRatio):
    """A percent param of the using playbook passed on whole (``with: {gain: "{{ gain }}"}``): the ratio it is.

    To a ``percent`` param it is that ratio, whatever its size (150% is 1.5, never an ambiguous bare 1.5). To any
    other param it is refused: a ``number`` param written before ``%`` (``+{{ stop_pct }}%``) would read the ratio
    0.05 as 0.05%, a stop 100 times tighter than meant (audit tmpl2 4/5; docs/templates.md, `use:` template files).
    """
    if type_ == "percent":
        return _plain(Decimal(value))
    ratio = format_decimal(Decimal(value))
    percent = format_decimal(Decimal(value).scaleb(2))
    if type_ in ("string", "symbol"):
        raise ParamError(f"expected {_WHAT[type_]}, got the number {ratio!r}", hint="quote it to pass text")
    message = (
        f"`{value.name}` is a percent ({percent}%), passed as its ratio {ratio}; "
        f"{_WHAT[type_]} param would take {ratio}, not {percent}"
    )
    if type_ in ("number", "integer"):
        hint = (
            f"pass the percent points with `{{{{ {value.name} * 100 }}}}` ({percent}), "
            "or make the template's param `type: percent`"
        )
    else:
        hint = f"pass {_WHAT[type_]}, or make the template's param `type: percent`"
    raise ParamError(message, hint=hint)


def _as_text(value) -> str:
    """A quantity or price param as templates see it: its text, also when a params file gave a YAML number."""
    return value.strip() if isinstance(value, str) else format_decimal(Decimal(value))


def _plain(d: Decimal) -> Decimal:
    """``5E+3`` -> ``5000``: the value a template writes is the number a person would write."""
    return Decimal(format_decimal(d))


def order_key(type_: str, value):
    """A comparable form for min/max, or ParamError when the type has no order."""
    if type_ == "quantity":
        q = parse_quantity(value)
        if q.kind == "derived":
            raise ParamError("`derived` has no size to compare")
        return (q.kind, q.asset), q.amount
    if type_ == "price":
        p = parse_price(value)
        if not p.is_literal:
            raise ParamError(f"min/max compare literal prices only, not {_shown(value)}")
        return None, p.literal
    if type_ in ORDERED_TYPES:
        return None, value
    raise ParamError(f"min/max do not apply to {type_} params")


def same_value(type_: str, a, b) -> bool:
    if type_ == "quantity":
        return parse_quantity(a) == parse_quantity(b)
    if type_ == "price":
        return parse_price(a) == parse_price(b)
    return a == b


_WHAT = {
    "number": "a number",
    "integer": "a whole number",
    "string": "text",
    "bool": "true or false",
    "quantity": "a quantity",
    "money": "money",
    "price": "a price",
    "duration": "a duration",
    "percent": "a percentage",
    "symbol": "a symbol",
}


def _kind(value) -> str:
    return {bool: "a boolean", dict: "a mapping", list: "a list", type(None): "nothing"}.get(type(value), "a value")


def _shown(value) -> str:
    """Text quoted and cut short (`'ETH USD'`); a number, true, false or null as graphc.numbers.shown spells it."""
    text = value if isinstance(value, str) else shown(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return repr(text) if isinstance(value, str) else text


_RESERVED_HINT = (
    "rename it; an expression has its own meaning for "
    + ", ".join(sorted(RESERVED_NAMES - LITERAL_NAMES))
    + " and the literals "
    + ", ".join(sorted(LITERAL_NAMES, key=lambda name: (name.lower(), name)))
)


def _reserved_why(name: str) -> str:
    """What ``{{ name }}`` reads instead of a param called ``name``."""
    return f": `{{{{ {name} }}}}` is the literal {name.lower()}, never this param" if name in LITERAL_NAMES else ""


# ---------------------------------------------------------------------------
# A set of definitions


class ParamSet:
    """Checks a ``params:`` mapping and resolves values for it.

    ``span_of(path)``/``key_span_of(path)`` give places inside the defining
    document, with paths relative to the ``params`` mapping; ``supply_hint``
    says how a value is passed here (``--set NAME=VALUE`` for a playbook,
    ``with:`` for a template).
    """

    def __init__(self, defs, span_of, key_span_of, *, budget=None, memo=None, written_of=None):
        """``budget``: the file's (its did-you-mean count, graphc.stages.suggest.suggestion); ``memo``: a dict kept
        with the defining document (a template used by three thousand legs), where its choices are coerced once;
        ``written_of(path)``: the source text of a number there (Document.written), which messages show."""
        self.span_of, self.key_span_of = span_of, key_span_of
        self.written_of = written_of or (lambda path: None)
        self.budget = budget
        self.memo = {} if memo is None else memo
        self.problems: list[Problem] = []
        self.broken = set()  # params whose definition has a problem; their values are not checked
        self.defs = self._check_defs(defs)

    def _problem(self, message, span, code="GC108", hint=None):
        self.problems.append(Problem(code, message, span, hint))

    def _check_defs(self, defs) -> dict:
        if defs is None:
            return {}
        if not isinstance(defs, dict):
            self._problem("`params` must be a mapping NAME: {type: ...}", self.span_of(()), "GC103")
            return {}
        checked = {}
        for name, spec in defs.items():
            where = self.key_span_of((name,))
            if not isinstance(name, str) or not NAME.match(name):
                self._problem(f"param name {name!r} must be an identifier (letters, digits, `_`)", where, "GC103")
                continue
            if name in RESERVED_NAMES:
                self._problem(f"param name `{name}` is reserved{_reserved_why(name)}", where, hint=_RESERVED_HINT)
                continue
            if not isinstance(spec, dict):
                self._problem(
                    f"param `{name}` must be a mapping with `type:`",
                    self.span_of((name,)),
                    "GC103",
                    hint="e.g. `size: {type: quantity, default: 200 ETH}`",
                )
                continue
            for key in [k for k in spec if k not in DEF_KEYS]:
                self._problem(
                    f"unknown key {key!r} in param `{name}`{did_you_mean(key, DEF_KEYS)}",
                    self.key_span_of((name, key)),
                    "GC102",
                    hint="param keys: " + ", ".join(DEF_KEYS),
                )
            type_ = spec.get("type")
            if type_ is None:
                self._problem(f"param `{name}` needs `type:`", where, "GC104", hint="types: " + ", ".join(PARAM_TYPES))
                continue
            if type_ not in PARAM_TYPES:
                self._problem(
                    f"param `{name}`: type {type_!r} is not one of {', '.join(PARAM_TYPES)}"
                    f"{did_you_mean(type_, PARAM_TYPES)}",
                    self.span_of((name, "type")),
                    "GC103",
                )
                continue
            before = len(self.problems)
            self._check_def(name, spec, type_)
            checked[name] = spec  # even when broken: its name is known, so no "unknown param" follows
            if len(self.problems) > before:
                self.broken.add(name)
        return checked

    def _check_def(self, name, spec, type_):
        limits = {}  # min/max -> its order key, when it is a limit of this type
        for key in ("default", "min", "max"):
            if key in spec:
                try:
                    value = coerce(type_, spec[key], self.written_of((name, key)))
                    if key != "default":
                        limits[key] = order_key(type_, value)
                except ParamError as exc:
                    self._problem(f"param `{name}` {key}: {exc.message}", self.span_of((name, key)), hint=exc.hint)
        if len(limits) == 2:
            self._check_limits(name, spec, limits)
        choices = spec.get("choices")
        if choices is not None:
            if not isinstance(choices, list) or not choices:
                self._problem(
                    f"param `{name}` choices must be a non-empty list", self.span_of((name, "choices")), "GC103"
                )
                return
            for i, choice, wrong in self._choices(name, type_, choices).bad:
                self._problem(
                    f"param `{name}` choice {_shown(choice)}: {wrong.message}",
                    self.span_of((name, "choices", i)),
                    hint=wrong.hint,
                )

    def _check_limits(self, name, spec, limits) -> None:
        """GC103 at ``max:`` for limits no value can meet: ``min`` above ``max``, or a quantity's in two units. Each
        value was blamed instead (`--set b=5: '5' is below the minimum 10`), whatever was tried (audit params25 3).
        ``min`` equal to ``max`` is one value, which is allowed."""
        (low_unit, low), (high_unit, high) = limits["min"], limits["max"]
        low_text, high_text = (_shown(self.written_of((name, key)) or _text(spec[key]))[1:-1] for key in ("min", "max"))
        if low_unit != high_unit:
            message = f"param `{name}`: min {low_text} and max {high_text} are in different units, so no value fits"
            hint = "write both limits in the unit the values are given in, e.g. `min: 1 ETH, max: 5 ETH`"
        elif low > high:
            message = f"param `{name}`: min {low_text} is above max {high_text}, so no value fits"
            hint = "swap them, or fix the one that is wrong"
        else:
            return
        self._problem(message, self.key_span_of((name, "max")), "GC103", hint=hint)

    def _choices(self, name, type_, choices) -> Choices:
        """``choices`` of param ``name`` coerced, once per defining document (``memo``)."""
        found = self.memo.get((name, type_, id(choices)))
        if found is None:
            found = self.memo[(name, type_, id(choices))] = Choices(type_, choices)
        return found

    # -- values ------------------------------------------------------------------
    def resolve(self, supplied: dict, *, missing_span, supply_hint: str, unknown_span=None) -> dict:
        """Typed values for every defined param. ``supplied``: name -> Supplied (highest priority only)."""
        values = {}
        unknown = [name for name in supplied if name not in self.defs]
        if unknown:
            known = listed(self.defs) or "none"  # once: ten thousand unknown names, one list of at most twenty
        for name in unknown[:MAX_LISTED]:
            given = supplied[name]
            span = given.key_span or given.span or unknown_span
            self._problem(
                f"{_origin(given, name)}unknown param `{name}`{suggestion(name, self.defs, self.budget)}",
                span,
                hint=f"params here: {known}",
            )
        if len(unknown) > MAX_LISTED:  # the rest in one summary (sec16 3: 10,000 unknown names made 692 MB)
            rest = unknown[MAX_LISTED:]
            given = supplied[rest[0]]
            self._problem(
                f"{len(rest):,} more unknown params: {listed(rest, sort=False)}",
                given.key_span or given.span or unknown_span,
                hint=f"params here: {known}",
            )
        for name, spec in self.defs.items():
            if name in self.broken:
                continue
            type_ = spec["type"]
            given = supplied.get(name)
            if given is None:
                if "default" not in spec:
                    self._problem(
                        f"param `{name}` ({type_}) is required and has no value",
                        missing_span(name),
                        hint=supply_hint.replace("{name}", name),
                    )
                    continue
                given = Supplied(
                    spec["default"],
                    "default",
                    self.span_of((name, "default")),
                    written=self.written_of((name, "default")),
                )
            span = given.span or self.key_span_of((name,))
            try:
                raw, written = given.value, given.written
                if given.origin == "--set" and type_ not in TEXT_TYPES:
                    raw, written = set_value(raw)
                value = coerce(type_, raw, written)
                self._check_range(name, spec, type_, value, written or given.value)
            except ParamError as exc:
                self._problem(
                    f"{_origin(given, name)}param `{name}` ({type_}): {exc.message}", span, exc.code, hint=exc.hint
                )
                continue
            if type_ == "percent":
                value = PercentRatio(value, name)
            elif type_ == "money":
                value = MoneyAmount(value, name)
            values[name] = value
        return values

    def _check_range(self, name, spec, type_, value, written=None):
        """``choices``, ``min`` and ``max`` of ``value`` (``written``: the value as given, which the message
        quotes: `'90s' is above the maximum 1m`, not the milliseconds `'90000'`)."""
        if type_ == "percent":  # a percent in percent, as its limits are written: '6%', not '0.06'
            given = f"{format_decimal(value.scaleb(2))}%"
        else:
            given = written.strip() if isinstance(written, str) else _text(value)
        choices = spec.get("choices")
        if choices is not None and not self._choices(name, type_, choices).has(value):
            shown = listed((_text(c) for c in choices), len(choices), sort=False)
            # text: `krakn`, `Kraken` for kraken (did_you_mean tries the case first); a number's nearest text is not
            close = did_you_mean(given, [_text(c) for c in choices]) if type_ in ("string", "symbol") else ""
            raise ParamError(f"{_shown(given)} is not one of {shown}{close}")
        for key, bad in (("min", lambda v, limit: v < limit), ("max", lambda v, limit: v > limit)):
            if key not in spec:
                continue
            unit, amount = order_key(type_, value)
            limit_unit, limit = order_key(type_, coerce(type_, spec[key]))
            limit_text = self.written_of((name, key)) or _text(spec[key])  # `max: 1e3` as written
            if unit != limit_unit:
                raise ParamError(
                    f"{_shown(given)} and {key} {_shown(limit_text)} are in different units",
                    hint=_unit_hint(key, unit, amount, limit_unit),
                )
            if bad(amount, limit):
                word = "below the minimum" if key == "min" else "above the maximum"
                raise ParamError(f"{_shown(given)} is {word} {limit_text}")


def _unit_hint(key: str, unit, amount, limit_unit) -> str:
    """GC108's hint for a quantity in another unit than its limit: a bare number written with the limit's unit
    (`--set size=1` for `max: 5 ETH`: `1 ETH`; audit params25 4); a value in a third unit, in the limit's."""
    kind, asset = limit_unit
    if unit[0] != "base":  # `$5` for a limit in ETH: not the same amount in another unit
        word = {"asset": asset, "notional": "dollars", "shares": "shares"}.get(kind)
        if word is None:
            return f"`{key}` is a plain number (base units): write the value as one too"
        return f"`{key}` is in {word}: give the value in {word} too"
    number = format_decimal(amount)
    example = {"asset": f"{number} {asset}", "notional": f"${number}", "shares": f"{number} shares"}.get(kind, number)
    return f"write the value with its unit, e.g. `{example}`"


class Choices:
    """A param's ``choices``, coerced once: the ones that are not of its type (``bad``: index, choice, ParamError)
    and a lookup of the others (a set where the values hash, as :func:`same_value` compares them)."""

    def __init__(self, type_, choices):
        self.type_ = type_
        self.bad, self.values = [], []
        for i, choice in enumerate(choices):
            try:
                self.values.append(coerce(type_, choice))
            except ParamError as exc:
                self.bad.append((i, choice, exc))
        try:
            self.keys: set | None = {self._key(v) for v in self.values}
        except (TypeError, ParamError, ValueError, ArithmeticError):  # unhashable, or a key that cannot be read
            self.keys = None

    def _key(self, value):
        if self.type_ == "quantity":
            return parse_quantity(value)
        if self.type_ == "price":
            return parse_price(value)
        return value

    def has(self, value) -> bool:
        if self.keys is not None:
            try:
                return self._key(value) in self.keys
            except TypeError:  # unhashable: compared one by one
                pass
        return any(same_value(self.type_, value, v) for v in self.values)


def _text(value) -> str:
    from graphc.stages.expressions import to_text  # deferred: Jinja2; linting a template file renders nothing

    return to_text(value)


def _origin(given: Supplied, name: str) -> str:
    """``--set`` has no place in a file, so its diagnostics say where the value came from."""
    if given.origin == "--set":
        shown = _shown(given.value)  # text quoted (its quotes dropped here), a number as written (`0.1`, `-0.5`)
        return f"--set {name}={shown[1:-1] if isinstance(given.value, str) else shown}: "
    return ""
