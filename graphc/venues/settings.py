"""The settings a market can have, defined once.

:data:`SETTINGS` is the one definition of the keys of ``[venues.NAME]`` and
``[markets."SYMBOL"]`` in ``graphc.toml``: each key's type and meaning. The
config loader reads TOML values with :func:`parse_setting` (so a bad value is a
located GC103 and an unknown key a GC102 with a did-you-mean, when the config
is read), the built-in profiles use the same keys, and the key table in
docs/playbooks.md is :func:`settings_table` (a test keeps the two equal).

Types:

- ``decimal``: a TOML integer or float, or a quoted number (``"0.01"``), read as
  an exact :class:`~decimal.Decimal` (a float through its shortest text, so
  ``0.01`` is exactly 0.01); never negative, and for a step (``tick``, ``lot``) or
  a maximum (``price_max``, ``max_size``, ``max_notional``) never 0 (:data:`POSITIVE`); between 1e-30 and 1e30 with
  at most 30 significant digits (:data:`MAX_SETTING_EXPONENT`).
- ``count``: a TOML integer (``sz_decimals = 1``); ``1.0`` and ``"1"`` are errors, and so is a negative one
  (``sz_decimals`` is also at most 8: :data:`MAX_SZ_DECIMALS`; ``sig_figs`` is 1 to 30: :data:`COUNT_RANGE`).
- ``bool``: ``true`` / ``false``.

A table's minimum above its maximum (:data:`LIMIT_PAIRS`: ``price_min`` > ``price_max``...) is an error too, found
once the table is read (:func:`limit_conflicts`).
- ``bands``: an array of ``[lo, hi, tick]`` arrays of decimals.
- ``structure``: one of Kalshi's price-level structure names.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from graphc.numbers import is_multiple, plain
from graphc.record import FrozenRecord


class Band(NamedTuple):
    """One price interval with its own tick (Kalshi ``price_ranges``)."""

    lo: Decimal
    hi: Decimal
    tick: Decimal


KALSHI_STRUCTURES = {  # docs.kalshi.com getting_started/fixed_point_migration
    "linear_cent": (Band(Decimal(0), Decimal(1), Decimal("0.01")),),
    "tapered_deci_cent": (
        Band(Decimal(0), Decimal("0.10"), Decimal("0.001")),
        Band(Decimal("0.10"), Decimal("0.90"), Decimal("0.01")),
        Band(Decimal("0.90"), Decimal(1), Decimal("0.001")),
    ),
    "deci_cent": (Band(Decimal(0), Decimal(1), Decimal("0.001")),),
}


class Setting(NamedTuple):
    """One key of [venues.NAME] / [markets."SYMBOL"]: its type, meaning and an example line."""

    key: str
    kind: str  # decimal | count | bool | bands | structure
    meaning: str
    example: str  # a TOML line


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "tick",
        "decimal",
        "Price step. Replaces the venue's default check grid. On Polymarket one of 0.1, 0.01, 0.001, 0.0001; on Kalshi 0.01 or 0.001.",
        "tick = 0.01",
    ),
    Setting("lot", "decimal", "Size step, in base units, shares or contracts.", "lot = 0.001"),
    Setting(
        "sz_decimals",
        "count",
        "Hyperliquid szDecimals: sets `lot` to 10^-n (unless `lot` is given) and the price decimals "
        "limit to 6 - n (perp) or 8 - n (spot), so at most 6 on a perp and 8 on spot.",
        "sz_decimals = 4",
    ),
    Setting("min_size", "decimal", "Smallest order size (GC302).", "min_size = 5"),
    Setting("max_size", "decimal", "Largest order size (GC309).", "max_size = 3400"),
    Setting(
        "min_notional",
        "decimal",
        "Smallest size x price, in the quote currency (GC301).",
        "min_notional = 1",
    ),
    Setting("max_notional", "decimal", "Largest size x price, in the quote currency (GC309).", "max_notional = 1e6"),
    Setting(
        "min_notional_market",
        "decimal",
        "The minimum notional of market orders, where it differs (Binance `applyMinToMarket`).",
        "min_notional_market = 5",
    ),
    Setting("price_min", "decimal", "Lowest price (prediction venues: the tick).", "price_min = 0.01"),
    Setting("price_max", "decimal", "Highest price (prediction venues: 1 - tick).", "price_max = 0.99"),
    Setting(
        "price_bands",
        "bands",
        "A tick per price interval, `[lo, hi, tick]` each (Kalshi `price_ranges`); `hi` is exclusive "
        "except in the last band. Replaces `tick`; a quotes snapshot's `tick` replaces them. Each band's tick "
        "is a tick: on Polymarket and Kalshi one `tick` could be. Each edge is a price of the bands on both "
        "sides of it, a multiple of their ticks (Kalshi's 0.10 and 0.90 are of 0.001 and 0.01).",
        'price_bands = [[0, "0.10", "0.001"], ["0.10", "0.90", "0.01"], ["0.90", 1, "0.001"]]',
    ),
    Setting(
        "price_level_structure",
        "structure",
        "Kalshi's name for its bands: " + ", ".join(f"`{name}`" for name in KALSHI_STRUCTURES) + ".",
        'price_level_structure = "tapered_deci_cent"',
    ),
    Setting(
        "fractional",
        "bool",
        "Kalshi `fractional_trading_enabled`: lot (and smallest order) 0.01 contracts instead of 1.",
        "fractional = true",
    ),
    Setting("sig_figs", "count", "Most significant figures in a price (Hyperliquid: 5).", "sig_figs = 5"),
    Setting(
        "integer_price_exempt",
        "bool",
        "Integer prices pass `sig_figs` whatever their length (Hyperliquid).",
        "integer_price_exempt = true",
    ),
    Setting(
        "prediction",
        "bool",
        "The venue lists prediction markets (for a venue known only from config).",
        "prediction = false",
    ),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}
KEYS = tuple(BY_KEY)

# Keys whose 0 is refused, each with what 0 means in a venue's own filters (venue-rules.md §4, Binance
# PRICE_FILTER: "A field set to 0 disables that check"). graphc has no "disabled" value: a key left out is an
# unknown setting, so a desk copying a symbol's filters leaves the key out instead of writing its 0. A step of 0
# is no grid at all (a price can never be "on" it), and a maximum of 0 is a bound every order breaks.
_NO_GRID = 'a step of 0 is no grid (Binance writes 0 for "no check")'
_NO_LIMIT = 'a maximum of 0 is broken by every order (Binance writes 0 for "no limit")'
POSITIVE = {
    "tick": _NO_GRID,
    "lot": _NO_GRID,
    "price_max": _NO_LIMIT,
    "max_size": _NO_LIMIT,
    "max_notional": _NO_LIMIT,
}


# The magnitude and digits a decimal setting may have: no venue's fact is near these (the finest steps venues list
# are 1e-8 to 1e-18, an ERC-20 token's 18 decimals; the largest limits 1e15 or so), and a value far outside them
# (`min_notional = "1e1000000"`) only overflows or cannot be divided exactly when orders are checked (audit
# config26 3). A count is bounded the same way: `sig_figs` is 1 to 30 (0 figures is no price at all).
MAX_SETTING_EXPONENT = 30
MAX_SETTING_DIGITS = 30
COUNT_RANGE = {"sig_figs": (1, MAX_SETTING_DIGITS)}  # sz_decimals: SZ_DECIMALS_BOUND below

# The most szDecimals a Hyperliquid market can have: a price has at most 6 - szDecimals decimals on a perp and
# 8 - szDecimals on spot (venue-rules.md §3), never fewer than none. graphc.toml's `[markets."X"]` does not say
# which a market is, so a value is bounded by the larger when it is read (parse_setting), and by its market's own
# where a leg trades it as one (graphc.venues.profiles.sz_decimals_refusal).
MAX_SZ_DECIMALS = {"perp": 6, "spot": 8}
SZ_DECIMALS_BOUND = max(MAX_SZ_DECIMALS.values())
SZ_DECIMALS_WHY = (
    "Hyperliquid prices have at most 6 - szDecimals decimals on a perp and 8 - szDecimals on spot (venue-rules.md "
    "§3), so a market's szDecimals is at most 6 on a perp and 8 on spot"
)


# The settings that bound one quantity from below and from above: what they bound, and the venue rule that orders
# them (venue-rules.md §4, Binance's filters; a market order's minimum has the same maximum). A table that gives
# both, the minimum above the maximum, bounds nothing any order can meet: GC103 (graphc.config, limit_conflicts).
LIMIT_PAIRS: tuple[tuple[str, str, str, str], ...] = (
    ("price_min", "price_max", "price", "PRICE_FILTER `minPrice <= price <= maxPrice`"),
    ("min_size", "max_size", "order size", "LOT_SIZE `minQty <= qty <= maxQty`"),
    ("min_notional", "max_notional", "notional", "NOTIONAL `minNotional <= price*qty <= maxNotional`"),
    (
        "min_notional_market",
        "max_notional",
        "market order's notional",
        "NOTIONAL `minNotional <= price*qty <= maxNotional`, `applyMinToMarket`",
    ),
)


def limit_conflicts(values: dict) -> list[tuple[str, str]]:
    """The pairs of :data:`LIMIT_PAIRS` whose minimum ``values`` (one table's parsed settings) puts above its
    maximum, as ``(minimum key, maximum key)``; equal is fine (one price, one size)."""
    return [
        (low, high) for low, high, *_ in LIMIT_PAIRS if low in values and high in values and values[low] > values[high]
    ]


def limit_conflict_error(low: str, high: str, values: dict) -> SettingError:
    """GC103's words for :func:`limit_conflicts`' pair ``low`` > ``high`` of ``values``."""
    what, rule = next((name, rule) for lo, hi, name, rule in LIMIT_PAIRS if (lo, hi) == (low, high))
    lo, hi = plain(values[low]), plain(values[high])
    return SettingError(
        f"`{low}` {lo} is above `{high}` {hi}: no {what} is at least {lo} and at most {hi}, so neither is used",
        f"give the market's own `{low}` and `{high}`, the minimum at most the maximum (equal is fine), or leave out "
        f"the one that is wrong (venue-rules.md §4, Binance {rule})",
    )


def lot_conflict(values: dict) -> SettingError | None:
    """GC103's words when ``values`` (one table's parsed settings) gives a ``lot`` finer than its ``sz_decimals``
    allows: Hyperliquid sizes have at most szDecimals decimals (venue-rules.md §3), so a size on that lot may be one
    the venue rejects (audit config26 9); None when they agree (a coarser lot, a multiple of 10^-sz, is stricter)."""
    sz, lot = values.get("sz_decimals"), values.get("lot")
    if lot is None or isinstance(sz, bool) or not isinstance(sz, int):
        return None
    _, digits, exponent = lot.as_tuple()
    kept = "".join(map(str, digits)).rstrip("0")
    if not kept or int(exponent) + len(digits) - len(kept) >= -sz:  # (no division: no context, no rounding)
        return None
    step = plain(Decimal(1).scaleb(-sz))
    return SettingError(
        f"`lot` {plain(lot)} is finer than `sz_decimals` {sz} allows: Hyperliquid sizes have at most {sz} decimals "
        f"(venue-rules.md §3), so `lot` is not used",
        f"leave `lot` out (`sz_decimals = {sz}` sets it to {step}), or give a multiple of {step}",
    )


class SettingError(ValueError):
    """A value of the wrong type or range; ``message`` says what is expected."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def parse_setting(key: str, value):
    """The typed value of ``key = value``; :class:`SettingError` for a bad one, ``KeyError`` for an unknown key."""
    kind = BY_KEY[key].kind
    if kind == "decimal":
        number = _decimal(value, key)
        if not number and key in POSITIVE:
            raise SettingError(
                f"`{key}` must be positive, not {_show(value)}",
                f"{POSITIVE[key]}: here leave `{key}` out",
            )
        return number
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SettingError(
                f"`{key}` is a count: a whole number written without a point or quotes, not {_show(value)}",
                f"write e.g. `{BY_KEY[key].example}`",
            )
        if key in COUNT_RANGE and not COUNT_RANGE[key][0] <= value <= COUNT_RANGE[key][1]:
            low, high = COUNT_RANGE[key]
            raise SettingError(
                f"`{key}` must be from {low} to {high}, not {_show(value)}",
                f"a price has at least one significant figure: write the venue's own count, e.g. `{BY_KEY[key].example}`",
            )
        if key == "sz_decimals" and value > SZ_DECIMALS_BOUND:
            raise SettingError(
                f"`{key}` must be at most {SZ_DECIMALS_BOUND}, not {_show(value)}",
                f"{SZ_DECIMALS_WHY}: write the market's szDecimals (`meta.universe[]` of Hyperliquid's info endpoint), "
                f"e.g. `{BY_KEY[key].example}`",
            )
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise SettingError(f"`{key}` must be true or false, not {_show(value)}", f"write `{key} = true`")
        return value
    if kind == "structure":
        if value not in KALSHI_STRUCTURES:
            raise SettingError(
                f"`{key}` must be one of {', '.join(KALSHI_STRUCTURES)}, not {_show(value)}",
                f"write e.g. `{BY_KEY[key].example}`",
            )
        return value
    return _bands(value, key)


def _decimal(value, key: str) -> Decimal:
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(value))  # the shortest text that reads back as this float: 0.01 stays 0.01
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise SettingError(
            f"`{key}` must be a number, not {_show(value)}", 'write numbers plainly (0.01) or quoted ("0.01")'
        )
    if number < 0:
        raise SettingError(f"`{key}` must not be negative, not {_show(value)}")
    figures = len("".join(map(str, number.as_tuple().digits)).strip("0"))  # (not normalize(): it would round)
    if number and (abs(number.adjusted()) > MAX_SETTING_EXPONENT or figures > MAX_SETTING_DIGITS):
        shown = _show(value) if len(_show(value)) <= 40 else _show(value)[:37] + "..."
        raise SettingError(
            f"`{key}` must be between 1e-{MAX_SETTING_EXPONENT} and 1e{MAX_SETTING_EXPONENT} with at most "
            f"{MAX_SETTING_DIGITS} significant digits, not {shown}",
            "write the venue's own value; no market's step or limit is near these bounds",
        )
    return number


def _bands(value, key: str) -> tuple[Band, ...]:
    hint = f"write e.g. `{BY_KEY[key].example}`"
    if not isinstance(value, list) or not value:
        raise SettingError(f"`{key}` must be an array of [lo, hi, tick] arrays, not {_show(value)}", hint)
    bands: list[Band] = []
    for row in value:
        if not isinstance(row, list) or len(row) != 3:
            raise SettingError(f"each band of `{key}` is [lo, hi, tick], not {_show(row)}", hint)
        band = Band(*(_decimal(x, key) for x in row))
        if band.tick <= 0 or band.lo >= band.hi:
            raise SettingError(f"band {_show(row)} of `{key}` needs lo < hi and a positive tick", hint)
        if bands and band.lo != bands[-1].hi:
            raise SettingError(
                f"the bands of `{key}` must follow each other: {_show(row)} does not start at {bands[-1].hi}", hint
            )
        bands.append(band)
    _edges_on_ticks(bands, key)
    return tuple(bands)


def _edges_on_ticks(bands: list[Band], key: str) -> None:
    """SettingError unless every edge of ``bands`` is a price of each band it bounds (a multiple of its tick).

    A band's grid is its tick's multiples from 0, so an edge off a neighbour's tick makes the grid jump there:
    a price moved onto one band's tick lands in the next band off its tick, and compile could write a price
    lint flags (audit consist27 1; spec §3.3). Kalshi's structures have such edges: 0.10 and 0.90 are on both
    0.001 and 0.01 (venue-rules.md §2), as are 0 and 1.
    """
    for i, band in enumerate(bands):
        for edge, side in ((band.lo, "starts"), (band.hi, "ends")):
            if is_multiple(edge, band.tick):
                continue
            shown = f"[{plain(band.lo)}, {plain(band.hi)}, {plain(band.tick)}]"
            neighbour = (
                bands[i - 1]
                if side == "starts" and i > 0
                else bands[i + 1]
                if side == "ends" and i + 1 < len(bands)
                else None
            )
            both = f" and of {plain(neighbour.tick)} (the tick of the band on its other side)" if neighbour else ""
            raise SettingError(
                f"the band {shown} of `{key}` {side} at {plain(edge)}, which is not on its {plain(band.tick)} tick",
                f"write edges that are prices of the bands on both sides: {plain(edge)} must be a multiple of "
                f"{plain(band.tick)}{both}, as Kalshi's 0.10 and 0.90 are of 0.001 and 0.01",
            )


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


def derived_settings(values: dict) -> dict:
    """``values`` plus what follows from them in the same layer: ``lot`` from ``sz_decimals`` or
    ``fractional``, ``price_bands`` from ``price_level_structure`` (unless given explicitly)."""
    out = dict(values)
    sz = out.get("sz_decimals")
    if isinstance(sz, int) and 0 <= sz <= SZ_DECIMALS_BOUND and "lot" not in out:
        # a value outside 0..8 never gets here (parse_setting refuses it); were one to, it gives no lot, never an
        # InvalidOperation (10^-10000000 is below Decimal's smallest exponent: audit venuenum25 2)
        out["lot"] = Decimal(1).scaleb(-sz)
    if "fractional" in out and "lot" not in out:
        out["lot"] = Decimal("0.01") if out["fractional"] else Decimal(1)
    if "price_level_structure" in out and "price_bands" not in out:
        out["price_bands"] = KALSHI_STRUCTURES[out["price_level_structure"]]
    return out


class MarketConfig(FrozenRecord):
    """The market settings of ``graphc.toml``, typed: ``venues`` (name -> settings) and
    ``markets`` (symbol -> settings), each settings dict holding parsed values only."""

    FIELDS = ("venues", "markets")

    venues: dict
    markets: dict

    def __init__(self, venues: dict | None = None, markets: dict | None = None):
        d = self.__dict__
        d["venues"] = {} if venues is None else venues
        d["markets"] = {} if markets is None else markets

    def venue(self, name: str | None) -> dict | None:
        return _lookup(self.venues, name)

    def market(self, symbol: str | None) -> dict | None:
        return _lookup(self.markets, symbol)

    @property
    def fingerprint(self) -> str:
        """A stable text naming these settings, for cache keys (equal settings, equal text)."""
        return json.dumps({"venues": self.venues, "markets": self.markets}, sort_keys=True, default=_plain)

    def __bool__(self) -> bool:
        return bool(self.venues or self.markets)


def _plain(value):
    if isinstance(value, Band):
        return [str(value.lo), str(value.hi), str(value.tick)]
    return str(value)


def _lookup(table: dict, key: str | None) -> dict | None:
    """``table[key]``, else the entry whose key matches in another case (symbols and venues are case-blind here)."""
    if key is None:
        return None
    if key in table:
        return table[key]
    lowered = key.lower()
    for name, settings in table.items():
        if name.lower() == lowered:
            return settings
    return None


def settings_table() -> str:
    """The Markdown table of every setting, for docs/playbooks.md."""
    rows = ["| key | type | meaning | example |", "|---|---|---|---|"]
    for s in SETTINGS:
        rows.append(f"| `{s.key}` | {s.kind} | {s.meaning} | `{s.example}` |")
    return "\n".join(rows) + "\n"
