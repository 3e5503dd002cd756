"""Wire values back into the playbook's words: ``20000000000`` -> ``200 ETH``.

The inverse of :mod:`graphc.units` and :mod:`graphc.stages.triggers`, shared by
``graphc decompile`` (which writes these texts into a playbook, so each one must
parse back to exactly the wire value), ``graphc graph`` (which labels a
picture with them) and ``graphc plan`` (whose summary says the same things). Every function works in exact decimals; a value that has no
human form returns a plain number or ``None`` instead of something lossy.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from graphc.numbers import plain
from graphc.units import UnitError, base_asset, parse_quantity
from graphc.vocabulary import ON_PRICE_FIELDS

_SIMPLE_TRIGGERS = {
    "on_accepted": "accepted",
    "on_first_fill": "first fill",
    "on_fill": "each fill",
    "on_full_fill": "filled",
    "on_cancel": "cancelled",
    "on_done": "done",
}
_DURATION_STEPS = ((86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s"))
_MONEY_SUFFIXES = ((9, "bn"), (6, "m"), (3, "k"))  # powers of ten


def exact(value) -> Decimal:
    """A wire number as a Decimal; a float (from ``json.loads``) goes through its shortest repr."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def number(value) -> str:
    """Plain decimal text, no exponent, no trailing zeros.

    Any finite number is shown: whether graphc can hold a wire number is decided when the file is read
    (:func:`graphc.inputs.wire_number_diagnostics`, GC103), and a percentage of one may be outside that range.
    """
    return plain(exact(value))


def _shifted(value: Decimal, places: int) -> Decimal:
    """``value * 10**places`` exactly, whatever its digits (Decimal's arithmetic would round at 28 digits)."""
    sign, digits, exponent = value.as_tuple()
    return Decimal((sign, digits, exponent + places)) if isinstance(exponent, int) else value


def amount_of(qty_1e8) -> Decimal:
    return Decimal(qty_1e8).scaleb(-8)


def price_of(price_1e9) -> Decimal:
    return Decimal(price_1e9).scaleb(-9)


def quantity_text(qty_1e8, symbol: str, type_: str, venue: str | None = None) -> str | None:
    """``200 ETH`` / ``100 shares`` / ``100 contracts``, or None when the unit would not read back.

    The unit is the one graphc checks against the instrument: the symbol's base
    asset for spot and perp, shares (contracts on Kalshi) for prediction legs.
    """
    amount = amount_of(qty_1e8)
    shown = number(amount)
    if type_ == "prediction":
        word = "contract" if venue == "kalshi" else "share"
        text = f"{shown} {word}" + ("" if amount == 1 else "s")
        expected: tuple[str, str | None] = ("shares", None)
    else:
        try:
            asset = base_asset(symbol)
        except UnitError:
            return None
        text = f"{shown} {asset}"
        expected = ("asset", asset)
    try:
        parsed = parse_quantity(text)
    except UnitError:
        return None
    if (parsed.kind, parsed.asset) != expected or parsed.amount != amount:
        return None
    return text


def size_text(quantity, symbol: str, type_: str, venue: str | None = None) -> str:
    """A wire ``quantity`` for people: ``200 ETH``, ``derived``, or the plain amount."""
    if quantity == "derived":
        return "derived"
    qty = (quantity or {}).get("fixed", {}).get("qty_1e8") if isinstance(quantity, dict) else None
    if qty is None:
        return "?"
    return quantity_text(qty, symbol, type_, venue) or number(amount_of(qty))


def money_text(value) -> str:
    """Dollars as a trader writes them: ``$500k``, ``$1.5m``, ``$2,325.53``."""
    value = exact(value)
    for power, suffix in _MONEY_SUFFIXES:
        scaled = _shifted(value, -power)
        if value and value.adjusted() >= power and _places(scaled) <= 2:  # abs(value) >= 10**power
            return f"${number(scaled)}{suffix}"
    whole, _, frac = number(value).partition(".")
    return f"${int(whole):,}" + (f".{frac}" if frac else "")


def duration_text(ms: int) -> str:
    """Milliseconds in the largest unit that divides them: ``300000`` -> ``5m``."""
    ms = int(ms)
    for size, unit in _DURATION_STEPS:
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def twap_text(slices: int, interval_ms: int) -> str:
    """``10 slices every 30s``, the text form of a uniform TWAP."""
    return f"{slices} slice{'' if slices == 1 else 's'} every {duration_text(interval_ms)}"


def execution_text(execution: dict, *, with_default_policy: bool = False) -> str:
    """How the router works an order, in the playbook's words: ``time_drip, urgency low, slippage 25bps, horizon
    5m, twap 10 slices every 30s``, ``passive_limit, GTC``: each wire ``execution`` setting that changes what
    trades (the policy, the urgency, the slippage cap, the horizon, the tif, a uniform TWAP's pacing), the one
    text `graphc graph` draws in a box and `graphc plan` shows in a leg's row. The policy is left out when it is
    the default (``sor``), unless ``with_default_policy`` (a plan's column always names it)."""
    parts = []
    policy = execution.get("policy", "sor")
    if policy != "sor" or with_default_policy:
        parts.append(str(policy))
    if "urgency" in execution:
        parts.append(f"urgency {execution['urgency']}")
    if "max_slippage_bps" in execution:
        parts.append(f"slippage {execution['max_slippage_bps']}bps")
    if "horizon_ms" in execution:
        parts.append(f"horizon {duration_text(execution['horizon_ms'])}")
    if "tif" in execution:
        parts.append(str(execution["tif"]))
    uniform = (execution.get("pacing") or {}).get("uniform") if isinstance(execution.get("pacing"), dict) else None
    if isinstance(uniform, dict) and isinstance(uniform.get("num_slices"), int):
        parts.append(f"twap {twap_text(uniform['num_slices'], uniform.get('interval_ms', 0))}")
    return ", ".join(parts)


def percent_text(ratio) -> str:
    """A ratio as a percentage: ``0.5`` -> ``50%``."""
    return f"{number(_shifted(exact(ratio), 2))}%"


def points_text(points) -> str:
    """Percent points with a sign: ``-5.0`` -> ``-5%``, ``2.5`` -> ``+2.5%``."""
    text = number(points)
    return f"{'' if text.startswith('-') or text == '0' else '+'}{text}%"


def _places(value: Decimal) -> int:
    """Decimal places of ``value`` without trailing zeros (finite values only)."""
    return len(number(value).partition(".")[2])


def trigger_phrase(trigger, condition=None) -> str | None:
    """The words after the leg id in an ``after:`` text (``filled 50%``, ``+ 5s``).

    None when no trigger text produces exactly this trigger and condition; the
    caller then needs the edge-mapping form.
    """
    if isinstance(trigger, str):
        if trigger == "on_fill_ratio":
            ratio = fill_ratio_of(condition)
            return None if ratio is None else f"filled {percent_text(ratio)}"
        return _SIMPLE_TRIGGERS.get(trigger) if condition is None else None
    if condition is not None or not isinstance(trigger, dict) or len(trigger) != 1:
        return None
    ((name, body),) = trigger.items()
    if name == "on_timeout" and isinstance(body, dict) and list(body) == ["ms"] and _is_int(body["ms"]):
        return f"+ {duration_text(body['ms'])}"
    if name == "on_price" and _plain_price_trigger(body):
        return f"price {body['symbol']} {body['direction']} entry {points_text(body['offset_pct'])}"
    return None


def fill_ratio_of(condition):
    """The ratio of a ``{"fill_ratio_gte": r}`` condition, None for anything else."""
    if isinstance(condition, dict) and list(condition) == ["fill_ratio_gte"]:
        value = condition["fill_ratio_gte"]
        if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
            return exact(value)
    return None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _plain_price_trigger(body) -> bool:
    """Whether an ``on_price`` body has an ``after:`` text: its four fields, in any order (a JSON object's keys
    have none; audit decomp24 3), the entry price as reference, a symbol of one word."""
    if not isinstance(body, dict) or body.keys() != set(ON_PRICE_FIELDS):
        return False
    symbol, offset = body["symbol"], body["offset_pct"]
    return (
        isinstance(symbol, str)
        and symbol != ""
        and symbol.split() == [symbol]
        and body["direction"] in ("below", "above")
        and body["reference"] == "graph_entry_price"
        and isinstance(offset, (int, Decimal, float))
        and not isinstance(offset, bool)
    )


def edge_label(edge: dict) -> str:
    """What a picture (and plan's trigger tree) writes on an edge: the trigger text (``filled 50%``, ``+5s``), or
    the trigger as it is written without a condition followed by the condition, ``+1h (fill ≥ 100%)``, when no
    trigger text holds both (a condition on a trigger other than on_fill_ratio, which lint rejects: GC208)."""
    trigger, condition = edge.get("trigger"), edge.get("condition")
    phrase = trigger_phrase(trigger, condition)
    if phrase is not None:
        return _arrow_text(phrase)
    label = _trigger_label(trigger)
    if condition is None:
        return label
    ratio = fill_ratio_of(condition)
    shown = f"fill ≥ {percent_text(ratio)}" if ratio is not None else f"condition {condition}"
    return f"{label} ({shown})"


def _arrow_text(phrase: str) -> str:
    """An ``after:`` phrase as an arrow reads it: ``+ 5s`` -> ``+5s``."""
    return phrase.replace("+ ", "+", 1) if phrase.startswith("+ ") else phrase


def _trigger_label(trigger) -> str:
    """A trigger without its condition: its trigger text, or the wire trigger when it has none."""
    phrase = trigger_phrase(trigger)
    if phrase is not None:
        return _arrow_text(phrase)
    if isinstance(trigger, str):
        return trigger
    if not isinstance(trigger, dict) or not trigger:
        return "?"
    name = next(iter(trigger))
    body = trigger[name]
    if name == "on_price" and isinstance(body, dict):
        return (
            f"price {body.get('symbol')} {body.get('direction')} {body.get('reference')} "
            f"{points_text(body.get('offset_pct', 0))}"
        )
    return str(name)


def playbook_name(path: str | None) -> str:
    """A ``name`` from a file name, sanitised to ``[a-z0-9][a-z0-9._-]*``."""
    stem = Path(path).stem if path and path not in ("-", "<stdin>") else ""
    name = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).lstrip("._-")
    return name or "decompiled"
