"""What a venue accepts for one market, in ccxt's market shape (venue-rules.md §5, §6).

Numbers read from ccxt or a venue API drop in unchanged: ``precision`` holds
``amount`` and ``price`` and ``limits`` holds ``amount``/``price``/``cost`` as
:class:`MinMax`. Two rules shape everything here:

* Every number is a ``Decimal``, and precision uses ccxt's TICK_SIZE meaning
  (the step itself, e.g. ``0.01``). Digit counts such as Hyperliquid's
  ``szDecimals`` become steps when settings are read.
* ``None`` means *unknown*, never "no limit". A rule that needs an unknown value
  skips and says why; "no minimum" is written ``Decimal(0)``.

The settings a market can have are defined in :mod:`graphc.venues.settings`;
:mod:`graphc.venues.resolver` merges them into a :class:`MarketFacts`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from graphc.record import FrozenRecord
from graphc.venues.settings import Band


class MinMax(NamedTuple):
    """A lower and an upper limit, each None when unknown (never "unbounded")."""

    min: Decimal | None = None  # None = UNKNOWN, never "unbounded"
    max: Decimal | None = None


class MarketFacts(FrozenRecord):
    """Everything graphc knows about one market, and where each fact came from (``origin``)."""

    FIELDS = (
        "symbol",
        "venue",
        "type",
        "known_venue",
        "prediction",
        "precision",
        "limits",
        "price_bands",
        "sig_figs",
        "integer_price_exempt",
        "sz_decimals",
        "max_price_decimals",
        "max_price_decimals_base",
        "generated_tick",
        "cost_unit",
        "origin",
    )

    symbol: str
    venue: str | None  # pinned or inferred (lower-case); None: the router picks the venue
    type: str | None  # graphc's spot | perp | prediction (ccxt calls perp "swap")
    known_venue: bool  # a built-in profile or [venues.NAME] describes the venue
    prediction: bool | None  # does the venue list prediction markets; None = unknown
    precision: dict  # {"amount": lot, "price": tick}, steps (TICK_SIZE), None = unknown
    limits: dict  # {"amount", "price", "cost", "market_cost"}: MinMax
    price_bands: tuple[Band, ...]  # when present, they replace precision["price"]
    sig_figs: int | None
    integer_price_exempt: bool
    sz_decimals: int | None
    max_price_decimals: int | None  # 6/8 - szDecimals, or 6/8 while szDecimals is unknown
    max_price_decimals_base: int | None  # Hyperliquid 6 (perp) / 8 (spot): a decimals rule exists
    generated_tick: Decimal | None  # the grid of generated prices while the tick is only a default
    cost_unit: str | None  # currency of notionals: "USD", "USDC", None = unknown
    origin: dict  # setting -> the layer it came from
    # Not a field (not compared, hashed or shown): what the lint checks worked out from these facts alone, kept
    # here because one MarketFacts serves every node of its market, in every file a run lints without quotes
    # or market config (graphc.rules.venue: the quantity checks' plans). Only the rules write it.
    checks: dict

    def __init__(
        self,
        symbol: str,
        venue: str | None,
        type: str | None,
        known_venue: bool,
        prediction: bool | None,
        precision: dict,
        limits: dict,
        price_bands: tuple[Band, ...] = (),
        sig_figs: int | None = None,
        integer_price_exempt: bool = False,
        sz_decimals: int | None = None,
        max_price_decimals: int | None = None,
        max_price_decimals_base: int | None = None,
        generated_tick: Decimal | None = None,
        cost_unit: str | None = None,
        origin: dict | None = None,
    ):
        d = self.__dict__
        d["symbol"], d["venue"], d["type"], d["known_venue"] = symbol, venue, type, known_venue
        d["prediction"], d["precision"], d["limits"], d["price_bands"] = prediction, precision, limits, price_bands
        d["sig_figs"], d["integer_price_exempt"], d["sz_decimals"] = sig_figs, integer_price_exempt, sz_decimals
        d["max_price_decimals"], d["max_price_decimals_base"] = max_price_decimals, max_price_decimals_base
        d["generated_tick"], d["cost_unit"] = generated_tick, cost_unit
        d["origin"] = {} if origin is None else origin
        d["checks"] = {}

    @property
    def precision_mode(self) -> str:
        return "SIGNIFICANT_DIGITS" if self.sig_figs and not self.precision["price"] else "TICK_SIZE"

    @property
    def lot(self) -> Decimal | None:
        return self.precision["amount"]

    @property
    def tick(self) -> Decimal | None:
        return self.precision["price"]

    @property
    def tick_is_default(self) -> bool:
        """The tick is the venue's stand-in (Polymarket's 0.001 check grid), not the market's own."""
        return self.origin.get("tick", "").endswith(" default")

    def band_for(self, price: Decimal) -> Band | None:
        for i, band in enumerate(self.price_bands):
            last = i == len(self.price_bands) - 1
            if band.lo <= price < band.hi or (last and price == band.hi):
                return band
        return None

    def tick_for(self, price: Decimal) -> Decimal | None:
        """The tick a price is *checked* against: its band's, else the market's (or the venue's default)."""
        if not self.price_bands:  # most markets have none: no band to look for
            return self.precision["price"]
        band = self.band_for(price)
        return band.tick if band else self.precision["price"]

    def grid_for(self, price: Decimal) -> Decimal | None:
        """The grid a *generated* price is put on: the checked tick, except that while the tick is
        only a default, the coarsest grid the venue may use (spec §4: Polymarket 0.01)."""
        band = self.band_for(price)
        if band:
            return band.tick
        if self.generated_tick is not None and self.tick_is_default:
            return self.generated_tick
        return self.precision["price"]

    def is_sized_in_shares(self) -> bool:
        return bool(self.prediction) or self.type == "prediction"
