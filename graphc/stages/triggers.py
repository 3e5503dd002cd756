"""Trigger texts and edge mappings (spec §5) -> wire triggers and conditions.

``after:`` strings read like the trader says them (``spot filled 50%``,
``entry + 5s``); this module turns each into ``(from_leg, trigger, condition)``
where trigger and condition are exactly the wire values.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from graphc.diagnostics import DiagnosticError
from graphc.stages.suggest import did_you_mean
from graphc.stages.wire_order import in_wire_order
from graphc.units import (
    NUMBER_PATTERN,
    RatioText,
    UnitError,
    parse_duration_ms,
    parse_number,
    parse_percent,
    parse_percent_points,
)
from graphc.venues.symbols import QUOTE_CHARACTERS, quoted_in_text, symbol_in_quotes, symbol_problem
from graphc.vocabulary import MAX_SYMBOL
from graphc.vocabulary import TRIGGER_NAMES as WIRE_TRIGGER_NAMES
from graphc.vocabulary import TRIGGER_OBJECTS as WIRE_TRIGGER_OBJECTS

LEG_ID = r"[A-Za-z0-9][A-Za-z0-9._-]*"

_SIMPLE = {
    "accepted": "on_accepted",
    "first fill": "on_first_fill",
    "each fill": "on_fill",
    "filled": "on_full_fill",
    "cancelled": "on_cancel",
    "canceled": "on_cancel",
    "done": "on_done",
}
# The leg id, then spaces, or a `+` right after it: `L+5s` is `L + 5s`, as `ask+1tick` is `ask + 1 tick` (a leg id
# has no `+`, so the text is not ambiguous; audit spec28 5)
_TRIGGER = re.compile(rf"^\s*(?P<leg>{LEG_ID})(?:\s+|(?=\+))(?P<rest>\S.*?)\s*$")
# `filled 50%` and `filled 50 %`: the ratio is read by units.parse_percent, as a mapping's `fill_ratio: "50 %"` is
_FILLED_RATIO = re.compile(r"^filled\s+(?P<ratio>\S+(?:\s+%)?)$", re.IGNORECASE)
_TIMEOUT = re.compile(r"^\+\s*(?P<duration>\S.*)$")
# A pattern, compiled (and cached by re) when a `price ...` trigger is read: most playbooks have none. The offset
# is a number of the one number grammar (units.py: `-5%`, `-5e0%`, `-1,000%`; audit consist27 2).
_PRICE = (
    r"^price\s+(?P<symbol>\S+)\s+(?P<direction>below|above)\s+entry\s*"
    rf"(?P<offset>[-+]?\s*{NUMBER_PATTERN}\s*%)?$"
)

FORMS_HINT = (
    "write one of: `L accepted`, `L first fill`, `L each fill`, `L filled 50%`, `L filled`, "
    "`L + 5s`, `L cancelled`, `L done`, `L price SYMBOL below entry -5%`"
)


def _quoted_symbol(symbol: str) -> tuple[str, str, str] | None:
    """``(what is wrong, hint with a ``{}`` for the corrected text, the symbol without quotes)`` when an on_price
    trigger's symbol in an ``after:`` text has a quote character, else None. graphc sends a symbol as written (spec
    §3), and no venue's symbol has a quote character (`"`, `'`, `“`, `«`...: QUOTE_CHARACTERS): `price "will-x:yes"
    below ...` would watch the market `"will-x:yes"`, which does not exist, and the stop would never fire (audit
    spec28 1). Refused, never stripped: the symbol meant is not guessed."""
    if not quoted_in_text(symbol):
        return None
    bare = symbol.translate({ord(q): None for q in QUOTE_CHARACTERS})
    if not bare:
        return "is only quote characters", "write the market's symbol, without quotes, e.g. {}", "BTC-USD"
    return (
        "has quote characters: graphc sends the symbol as written, and no market's symbol has them",
        "write the symbol without quotes: {}",
        bare,
    )


def unquoted_hint(bare: str | None) -> str:
    """The hint for a playbook's ``symbol:`` written in quotes (:func:`graphc.venues.symbol_in_quotes`): the line
    without them; a leg's symbol and an on_price mapping's say the same."""
    if bare is None:
        return "write the market's symbol, without quotes, e.g. `symbol: BTC-USD`"
    return f"write the symbol without quotes: `symbol: {bare}`"


class JsonFloat(Decimal):
    """A Decimal the wire shows as a JSON float (always with a decimal point)."""


class Trigger(NamedTuple):
    """An edge's source leg, its wire trigger and its condition."""

    from_leg: str
    trigger: object  # wire trigger: a name or {"on_timeout": ...} / {"on_price": ...}
    condition: dict | None = None


# The text after the leg id (`filled 50%`) -> (wire trigger, condition). Leg ids differ from edge to
# edge, but the few phrases after them recur in every playbook of a repo (and 100,000 times in a big one).
_PARSED: dict = {}
# The whole text (`spot filled 50%`) -> (leg, wire trigger, condition): a repo's playbooks reuse their leg
# names too, so most texts are read whole once per process.
_PARSED_TEXTS: dict = {}
_new_trigger = tuple.__new__  # Trigger's own __new__ (keyword arguments) is a Python call per edge


def parse_trigger_text(text: str) -> Trigger:
    """``spot filled 50%`` -> Trigger("spot", "on_fill_ratio", {"fill_ratio_gte": 0.5}).

    Parses are remembered by the whole text and by the phrase after the leg id; each call returns its
    own copy of the dicts.
    """
    return _new_trigger(Trigger, trigger_parts(text))


def trigger_parts(text: str) -> tuple:
    """:func:`parse_trigger_text`'s ``(from_leg, trigger, condition)`` as a plain tuple (the compiler's edges
    need no named tuple); the dicts in it are the caller's own."""
    whole = _PARSED_TEXTS.get(text) if type(text) is str else None
    if whole is None:
        match = _TRIGGER.match(text) if isinstance(text, str) else None
        parsed = _PARSED.get(match["rest"]) if match else None
        if parsed is None:
            first = _parse_trigger_text(text)  # raises for text it cannot read, naming the whole text
            if match is None:
                return tuple(first)
            parsed = (first.trigger, first.condition)
            if len(_PARSED) < 8192:
                _PARSED[match["rest"]] = parsed
        assert match is not None  # a remembered parse came from a matching text
        whole = (match["leg"], *parsed)
        if type(text) is str and len(text) <= 1024 and len(_PARSED_TEXTS) < 8192:  # a padded text is not kept
            _PARSED_TEXTS[text] = whole
    leg, trigger, condition = whole
    if condition is None:
        return whole if type(trigger) is str else (leg, _copy(trigger), None)  # a tuple of texts is shared
    return leg, trigger if type(trigger) is str else _copy(trigger), condition.copy()


def _copy(trigger: dict) -> dict:
    """A copy of a wire trigger object this module made: ``{name: {parameter: number or text}}``."""
    return {name: body.copy() for name, body in trigger.items()}


def _parse_trigger_text(text: str) -> Trigger:
    match = _TRIGGER.match(text)
    if not match:
        raise DiagnosticError("GC105", f"cannot read trigger {text!r}", hint=FORMS_HINT)
    leg, rest = match["leg"], re.sub(r"\s+", " ", match["rest"])
    simple = _SIMPLE.get(rest.lower())
    if simple:
        return Trigger(leg, simple)
    try:
        if m := _FILLED_RATIO.match(rest):
            return Trigger(leg, "on_fill_ratio", {"fill_ratio_gte": JsonFloat(parse_percent(m["ratio"]))})
        if m := _TIMEOUT.match(rest):
            return Trigger(leg, {"on_timeout": {"ms": parse_duration_ms(m["duration"])}})
        if m := re.match(_PRICE, rest, re.IGNORECASE):
            quoted = _quoted_symbol(m["symbol"])
            if quoted is not None:
                start, end = m.span("symbol")
                shown = text if len(text) <= 60 else text[:57] + "..."
                raise DiagnosticError(
                    "GC105",
                    f"in trigger {shown!r}: the symbol {m['symbol']!r} {quoted[0]}",
                    hint=quoted[1].format(f"`{leg} {rest[:start]}{quoted[2]}{rest[end:]}`"),
                )
            problem = symbol_problem(m["symbol"])  # as every symbol is checked (spec §3.2; audit wirelint23 3)
            if problem is not None:
                shown = text if len(text) <= 60 else text[:57] + "..."
                raise DiagnosticError(
                    "GC103",
                    f"in trigger {shown!r}: the symbol {problem[0]}",
                    hint=problem[1]
                    or f"a market symbol is at most {MAX_SYMBOL} characters: check the text between `price` and "
                    "`below`/`above`",
                )
            offset = parse_percent_points(m["offset"].replace(" ", "")) if m["offset"] else Decimal(0)
            return Trigger(
                leg,
                {
                    "on_price": {
                        "symbol": m["symbol"],
                        "direction": m["direction"].lower(),
                        "reference": "graph_entry_price",
                        "offset_pct": JsonFloat(offset),
                    }
                },
            )
    except UnitError as exc:
        raise DiagnosticError(exc.code, f"in trigger {text!r}: {exc.message}", hint=exc.hint) from None
    raise DiagnosticError("GC105", f"cannot read trigger {text!r}", hint=FORMS_HINT)


_OBJECT_FORMS = {
    "on_timeout": ("its delay", "{on_timeout: {ms: 5000}}", "`LEG + 5s`"),
    "on_price": (
        "its move",
        "{on_price: {symbol: SYMBOL, direction: below, reference: graph_entry_price, offset_pct: -5}}",
        "`LEG price SYMBOL below entry -5%`",
    ),
}
_JSON_FORMS = {
    "on_timeout": '{"on_timeout": {"ms": 5000}}',
    "on_price": '{"on_price": {"symbol": "SYMBOL", "direction": "below", "reference": "graph_entry_price", '
    '"offset_pct": -5.0}}',
}


def not_a_trigger_name(name: str, *, wire: bool = False, leg: str | None = None) -> tuple[str, str]:
    """The message and hint of ``trigger: NAME`` where NAME is not a wire trigger name (one finding, from the
    schema's enum or from the compiler): on_timeout and on_price are the triggers written as one-key mappings
    (spec §5, orders-and-execution-graphs.md Edge Triggers), so for them it says that form; any other name is
    unknown, with the names and the two mapping forms. ``wire``: the forms as JSON; ``leg``: the edge's `from`
    leg, to show the `after:` text form."""
    if name in WIRE_TRIGGER_OBJECTS:
        what, form, text = _OBJECT_FORMS[name]
        if wire:
            return (
                f"trigger `{name}` is written as an object with {what}, not as a name",
                f'write `"trigger": {_JSON_FORMS[name]}`',
            )
        text = text.replace("LEG", leg) if leg else text
        return (
            f"trigger `{name}` is written as a mapping with {what}, not as a name",
            f"write `trigger: {form}`, or the text form {text} in the leg's `after:`",
        )
    forms = " and ".join(f"`{_JSON_FORMS[n] if wire else _OBJECT_FORMS[n][1]}`" for n in WIRE_TRIGGER_OBJECTS)
    return (
        f"unknown trigger {name!r}{did_you_mean(name, WIRE_TRIGGER_NAMES + WIRE_TRIGGER_OBJECTS)}",
        "names: "
        + ", ".join(WIRE_TRIGGER_NAMES)
        + f"; the other triggers are written as {'objects' if wire else 'mappings'}: {forms}",
    )


def edge_end_error(message: str, entry: dict, key: str) -> DiagnosticError:
    """A missing edge end is GC104; one that is there but is not a leg's name (`to: 5`, `from: ''`, `to: null`) is
    GC103, the schema's finding at the value in other words, so it is said once (review13 5)."""
    if key not in entry:
        return DiagnosticError("GC104", message, hint=f"add `{key}: LEG_ID`")
    return DiagnosticError("GC103", f"{message}, not {entry[key]!r}", hint=f"write `{key}: LEG_ID`")


_OFFSET_AT = ("trigger", "on_price", "offset_pct")
_SYMBOL_AT = ("trigger", "on_price", "symbol")
# An edge mapping's errors name the field by its path below the mapping (all this module knows), with `at`; the
# model names it by its whole path, `legs.b.after.0.trigger.on_price.symbol`, as the schema does
# (DiagnosticError.named_under)
_SYMBOL_NAMED = ".".join(_SYMBOL_AT)


def _offset_points(value) -> Decimal:
    """An edge mapping's ``on_price.offset_pct`` in percent points, with the digits and range of every playbook
    number (GC103 at the offset, as the wire graph's lint says: :func:`graphc.inputs.wire_number_diagnostics`), be
    it a literal, a template's result or a percent param placed whole (sec16 2: 1e-50 and 60 digits compiled).
    A NaN or an infinity is kept: the schema's GC103 "not a finite number" says it, and the edge stays one whose
    level is unknown (graphc.stages.model._price_watch), not a missing edge (review14 3)."""
    if isinstance(value, Decimal) and not value.is_finite():
        return value
    if type(value) is RatioText:  # a percent param's ratio written as text: -0.05 for -5% (graphc.stages.expand)
        raise DiagnosticError("GC107", value.message, hint=value.hint, at=_OFFSET_AT)
    try:
        return parse_percent_points(value)  # `-5%` is -5.0, as in the text form (audit spec28 4)
    except UnitError as exc:
        if type(value) is str and exc.code == "GC105":  # text no number reads: an invalid value, at it
            raise DiagnosticError(
                "GC103",
                f"`{'.'.join(_OFFSET_AT)}` must be a number (or a `{{{{ }}}}` template), not {value!r}",
                hint="write e.g. `offset_pct: -5` or `offset_pct: -5%` (5% below the reference)",
                at=_OFFSET_AT,
            ) from None
        raise DiagnosticError(
            exc.code, f"`{'.'.join(_OFFSET_AT)}`: {exc.message}", hint=exc.hint, at=_OFFSET_AT
        ) from None


_TIMEOUT_AT = ("trigger", "on_timeout", "ms")


def _timeout_ms(value) -> int:
    """An edge mapping's ``on_timeout.ms``: a number, or text in the number grammar (`5_000`, `5k`; audit spec28
    4), a whole number of milliseconds. `1m` is refused: in the number grammar it is a million, in a duration a
    minute, and graphc does not choose."""
    if type(value) is str:
        try:
            number = parse_number(value)
        except UnitError:
            number = None
        # text that reads as a number that is not whole (`"0.5"`) is the schema's GC103 for `ms: 0.5`, not the
        # duration reader's GC106 (audit review28 7)
        if number is None or value.strip()[-1:] in ("m", "M") or number != number.to_integral_value():
            raise DiagnosticError(
                "GC103",
                f"`{'.'.join(_TIMEOUT_AT)}` must be a whole number (or a `{{{{ }}}}` template), not {value!r}",
                hint="write the milliseconds, e.g. `ms: 5000`, `ms: 5_000` or `ms: 5k` for five seconds (`m` is a "
                "million in a number, a minute in a duration: not read here), or the text form `LEG + 5s` in the "
                "leg's `after:`",
                at=_TIMEOUT_AT,
            )
        value = number
    return parse_duration_ms(value)


def _fill_ratio(value) -> Decimal:
    """An edge mapping's ``fill_ratio`` as a ratio (``50%`` is 0.5), its errors at the value and naming the field,
    as :func:`_offset_points` does for the offset (with several edges, the message says which value is meant)."""
    try:
        return parse_percent(value)
    except UnitError as exc:
        raise DiagnosticError(exc.code, f"`fill_ratio`: {exc.message}", hint=exc.hint, at=("fill_ratio",)) from None


def trigger_from_mapping(entry: dict, *, from_key="from") -> Trigger:
    """An edge mapping ``{from: L, trigger: NAME|OBJECT, fill_ratio: 50%}``."""
    source = entry.get(from_key)
    if not isinstance(source, str) or not source:
        raise edge_end_error(f"edge needs `{from_key}:` naming a leg", entry, from_key)
    trigger = entry.get("trigger")
    ratio = entry.get("fill_ratio")
    if trigger is None:
        trigger = "on_fill_ratio" if ratio is not None else None
    if trigger is None:
        raise DiagnosticError(
            "GC104",
            "edge needs `trigger:`",
            hint="e.g. `trigger: on_full_fill`; names: " + ", ".join(WIRE_TRIGGER_NAMES),
        )
    condition = None
    try:
        if ratio is not None:
            condition = {"fill_ratio_gte": JsonFloat(_fill_ratio(ratio))}
        if isinstance(trigger, str):
            if trigger not in WIRE_TRIGGER_NAMES:
                message, hint = not_a_trigger_name(trigger, leg=source)
                raise DiagnosticError("GC103", message, hint=hint)
            return _new_trigger(Trigger, (source, trigger, condition))
        if isinstance(trigger, dict) and len(trigger) == 1:
            ((name, body),) = trigger.items()
            if name == "on_timeout" and isinstance(body, dict) and "ms" in body:
                return _new_trigger(Trigger, (source, {"on_timeout": {"ms": _timeout_ms(body["ms"])}}, condition))
            if name == "on_price" and isinstance(body, dict):
                watched = body.get("symbol")
                if type(watched) is str and 0 < len(watched) <= MAX_SYMBOL:  # (else the schema's GC103 says it)
                    quoted = symbol_in_quotes(watched)  # judged as a leg's `symbol:` is (graphc.stages.model)
                    if quoted is not None:
                        raise DiagnosticError(
                            "GC105", f"`{_SYMBOL_NAMED}` {quoted[0]}", hint=unquoted_hint(quoted[1]), at=_SYMBOL_AT
                        )
                    problem = symbol_problem(watched)  # as every symbol is checked (audit wirelint23 3)
                    if problem is not None:
                        raise DiagnosticError(
                            "GC103", f"`{_SYMBOL_NAMED}` {problem[0]}", hint=problem[1], at=_SYMBOL_AT
                        )
                price = in_wire_order(body)  # the wire's order, whatever the playbook's: one graph, one run key
                if "offset_pct" in price:
                    price["offset_pct"] = JsonFloat(_offset_points(price["offset_pct"]))
                return _new_trigger(Trigger, (source, {"on_price": price}, condition))
    except UnitError as exc:
        raise DiagnosticError(exc.code, exc.message, hint=exc.hint) from None
    except (TypeError, ArithmeticError, ValueError):
        pass
    raise DiagnosticError(
        "GC103",
        "trigger must be a trigger name or {on_timeout: {ms: N}} / {on_price: {...}}",
        hint="names: " + ", ".join(WIRE_TRIGGER_NAMES),
    )
