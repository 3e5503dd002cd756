"""What a venue accepts for one market, in ccxt's market shape (venue-rules.md §5, §6).

Numbers read from ccxt or a venue API drop in unchanged: ``precision`` holds
``amount`` and ``price`` and ``limits`` holds ``amount``/``price``/``cost`` as
:class:`MinMax`. Two rules shape everything here:

* Every number is a ``Decimal``, and precision uses ccxt's TICK_SIZE meaning
  (the step itself, e.g. ``0.01``). Digit counts such as Hyperliquid's
  ``szDecimals`` become steps when settings are read.
* ``None`` means *unknown*, never "no limit". A rule that needs an unknown value
  skips and says why; "no minimum" is written ``Decimal(0)``.

Settings (the keys of graphc.toml ``[venues.<name>]`` and ``[markets."<symbol>"]``)
----------------------------------------------------------------------------------
``tick``                   price step (Kalshi 0.01; Polymarket per market)
``lot``                    size step, in base units / shares / contracts
``sz_decimals``            Hyperliquid szDecimals: sets ``lot`` = 10^-n and the price
                           decimals limit (6 - n for perps, 8 - n for spot)
``min_size``/``max_size``  size limits
``min_notional``/``max_notional``  size x price limits, in the quote currency
``min_notional_market``    the minimum for market orders where it differs (Binance
                           ``applyMinToMarket``)
``price_min``/``price_max`` price range; prediction venues default to tick .. 1 - tick
``price_bands``            list of ``[lo, hi, tick]``: a tick per price interval
                           (Kalshi ``price_ranges``); ``hi`` is exclusive but for the last
``price_level_structure``  Kalshi's name for bands: ``linear_cent``, ``tapered_deci_cent``,
                           ``deci_cent``
``fractional``             Kalshi ``fractional_trading_enabled``: lot 0.01, else 1 contract
``sig_figs``               most significant figures in a price (Hyperliquid 5)
``integer_price_exempt``   integer prices pass ``sig_figs`` (Hyperliquid)
``prediction``             the venue lists prediction markets (for venues known only
                           from config)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

_D = Decimal

OVERRIDE_KEYS = {
    "tick": "decimal",
    "lot": "decimal",
    "sz_decimals": "int",
    "min_size": "decimal",
    "max_size": "decimal",
    "min_notional": "decimal",
    "max_notional": "decimal",
    "min_notional_market": "decimal",
    "price_min": "decimal",
    "price_max": "decimal",
    "price_bands": "bands",
    "price_level_structure": "structure",
    "fractional": "bool",
    "sig_figs": "int",
    "integer_price_exempt": "bool",
    "prediction": "bool",
}
# Only built-in profiles set these: Hyperliquid's "6 or 8" before subtracting
# szDecimals, and Binance's "market orders have their own minimum".
_INTERNAL_KEYS = {"max_decimals_base": "int", "separate_market_min": "bool", "cost_unit": "str"}

KALSHI_STRUCTURES = {  # docs.kalshi.com getting_started/fixed_point_migration
    "linear_cent": [("0", "1", "0.01")],
    "tapered_deci_cent": [("0", "0.10", "0.001"), ("0.10", "0.90", "0.01"), ("0.90", "1", "0.001")],
    "deci_cent": [("0", "1", "0.001")],
}


@dataclass(frozen=True)
class Band:
    """One price interval with its own tick (Kalshi ``price_ranges``)."""

    lo: Decimal
    hi: Decimal
    tick: Decimal


@dataclass(frozen=True)
class MinMax:
    min: Decimal | None = None  # None = UNKNOWN, never "unbounded"
    max: Decimal | None = None


@dataclass(frozen=True)
class MarketMeta:
    venue: str
    symbol: str
    type: str | None  # graphc's spot | perp | prediction (ccxt calls perp "swap")
    prediction: bool | None  # does the venue list prediction markets; None = unknown
    precision: dict  # {"amount": lot, "price": tick}, steps (TICK_SIZE), None = unknown
    limits: dict  # {"amount", "price", "cost", "market_cost"}: MinMax
    price_bands: tuple = ()  # when present, they replace precision["price"]
    sig_figs: int | None = None
    integer_price_exempt: bool = False
    sz_decimals: int | None = None
    max_price_decimals: int | None = None  # None with a base: szDecimals unknown
    max_price_decimals_base: int | None = None  # Hyperliquid 6 (perp) / 8 (spot): a decimals rule exists
    cost_unit: str | None = None  # currency of notionals: "USD", "USDC", None = unknown
    origin: dict = field(default_factory=dict)  # setting -> the layer it came from

    @property
    def precision_mode(self) -> str:
        return "SIGNIFICANT_DIGITS" if self.sig_figs and not self.precision["price"] else "TICK_SIZE"

    @property
    def lot(self) -> Decimal | None:
        return self.precision["amount"]

    def band_for(self, price: Decimal) -> Band | None:
        for i, band in enumerate(self.price_bands):
            last = i == len(self.price_bands) - 1
            if band.lo <= price < band.hi or (last and price == band.hi):
                return band
        return None

    def tick_for(self, price: Decimal) -> Decimal | None:
        """The tick that applies at ``price``: its band's, else the market's."""
        band = self.band_for(price)
        return band.tick if band else self.precision["price"]


def _decimal(value):
    if isinstance(value, bool) or value is None:
        raise ValueError("expected a number")
    try:
        result = _D(str(value)) if isinstance(value, float) else _D(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError("expected a number") from None
    if not result.is_finite() or result < 0:
        raise ValueError("expected a non-negative number")
    return result


def _coerce(kind, value):
    if kind == "decimal":
        return _decimal(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("expected a non-negative integer")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if kind == "str":
        return str(value)
    if kind == "structure":
        if value not in KALSHI_STRUCTURES:
            raise ValueError("expected one of " + ", ".join(KALSHI_STRUCTURES))
        return value
    bands = tuple(Band(*(_decimal(x) for x in row)) for row in value)  # "bands"
    if not bands or any(b.tick <= 0 or b.lo >= b.hi for b in bands):
        raise ValueError("expected [[lo, hi, tick], ...] with lo < hi and tick > 0")
    return bands


def read_settings(raw: dict, keys=None) -> tuple[dict, list]:
    """Coerce one layer of settings; derived keys (lot from sz_decimals, ...) filled in.

    Returns ``(settings, problems)``; a bad value is left out and named in ``problems``.
    """
    keys = keys or {**OVERRIDE_KEYS, **_INTERNAL_KEYS}
    out, problems = {}, []
    for key, value in (raw or {}).items():
        if key not in keys:
            problems.append(f"unknown venue setting {key!r} (known: {', '.join(OVERRIDE_KEYS)})")
            continue
        try:
            out[key] = _coerce(keys[key], value)
        except (ValueError, TypeError, InvalidOperation) as exc:
            problems.append(f"{key} = {value!r}: {exc}")
    if "sz_decimals" in out and "lot" not in out:
        out["lot"] = _D(1).scaleb(-out["sz_decimals"])
    if "fractional" in out and "lot" not in out:
        out["lot"] = _D("0.01") if out["fractional"] else _D(1)
    if "price_level_structure" in out and "price_bands" not in out:
        out["price_bands"] = _coerce("bands", KALSHI_STRUCTURES[out["price_level_structure"]])
    return out, problems


def validate_overrides(raw: dict) -> list:
    """Problems in one graphc.toml ``[venues.*]`` / ``[markets.*]`` table, for the config loader."""
    if not isinstance(raw, dict):
        return ["expected a table of venue settings"]
    return read_settings(raw, OVERRIDE_KEYS)[1]


def _quote_currency(symbol: str) -> str | None:
    for sep in ("/", "-"):
        if sep in symbol:
            return symbol.split(sep)[1].upper()
    return None


def build_market(venue, symbol, instrument_type, s: dict, origin: dict) -> MarketMeta:
    """Turn merged settings into a MarketMeta, deriving what follows from them."""
    tick, bands = s.get("tick"), s.get("price_bands", ())
    price_min, price_max = s.get("price_min"), s.get("price_max")
    if s.get("prediction"):  # venue-rules.md: prediction prices run tick .. 1 - tick
        low_tick, high_tick = (bands[0].tick, bands[-1].tick) if bands else (tick, tick)
        if price_min is None and low_tick is not None:
            price_min, origin = low_tick, {**origin, "price_min": origin.get("price_bands" if bands else "tick")}
        if price_max is None and high_tick is not None:
            price_max, origin = 1 - high_tick, {**origin, "price_max": origin.get("price_bands" if bands else "tick")}
    sz, base = s.get("sz_decimals"), s.get("max_decimals_base")
    market_min = s.get("min_notional_market")
    if market_min is None and not s.get("separate_market_min"):
        market_min = s.get("min_notional")
    return MarketMeta(
        venue=venue,
        symbol=symbol,
        type=instrument_type,
        prediction=s.get("prediction"),
        precision={"amount": s.get("lot"), "price": tick},
        limits={
            "amount": MinMax(s.get("min_size"), s.get("max_size")),
            "price": MinMax(price_min, price_max),
            "cost": MinMax(s.get("min_notional"), s.get("max_notional")),
            "market_cost": MinMax(market_min, s.get("max_notional")),
        },
        price_bands=bands,
        sig_figs=s.get("sig_figs"),
        integer_price_exempt=s.get("integer_price_exempt", False),
        sz_decimals=sz,
        max_price_decimals=None if sz is None or base is None else max(base - sz, 0),
        max_price_decimals_base=base,
        cost_unit=s.get("cost_unit") or _quote_currency(symbol),
        origin=origin,
    )


def fmt_decimal(value: Decimal) -> str:
    """``Decimal`` as plain text: no exponent, no trailing zeros (100 -> "100", 0.50 -> "0.5")."""
    return format(value.normalize(), "f")
