"""One resolver of market facts (spec §3.3), used by compile, lint, plan and the sandbox.

For each setting (tick, lot, minimums, maximums, significant figures, decimals,
price range), the first layer that has it wins (a tick and price bands are one
setting, the price grid: a snapshot's ``tick`` replaces the config's bands):

1. the quote snapshot's ``tick`` and ``lot`` for the symbol (spec §7);
2. ``[markets."SYMBOL"]`` in graphc.toml;
3. ``[venues.NAME]`` in graphc.toml;
4. the built-in venue profile (:mod:`graphc.venues.profiles`): its market
   snapshot, then its per-type part, its defaults, its venue-wide facts.

A tick of layers 1-3 that the venue's markets cannot have (a Polymarket tick other than 0.1, 0.01, 0.001 or
0.0001: :data:`~graphc.venues.profiles.ALLOWED_TICKS`) is not used: the next layer's tick is, and the facts'
``origin["refused"]`` says which layer gave what (lint reports it at the value). So is a layer's
``price_bands`` with such a band tick (the whole grid: the next layer's is used), and a value of layers 1-3
looser than a venue-wide fact (:data:`~graphc.venues.profiles.VENUE_FACTS`: a ``lot`` finer than Kalshi's whole
contract, or 0.01 on a market graphc.toml says is ``fractional``, or than Polymarket's 0.01 share), the
snapshot's lot as graphc.toml's, and an ``sz_decimals`` above the bound of the market's type (a perp's 6, spot's 8:
venue-rules.md §3). A quote's price that a
prediction market cannot have (``{bid: 40, ask: 41}``: cents, where prices are dollars per share, 0 < p < 1) is
refused the same way for a market traded as one, and has no next layer: :func:`market_quote` is the quote without
it, which is what every price read for that market uses.

A market whose venue is not pinned (the router picks it) or not known still gets
the facts of layers 1-2, so its tick and lot are checked wherever a snapshot or
the config gives them. Compile aligns generated prices with these facts and lint
checks with the same ones, so a price compile writes is never one lint flags.

Usage::

    resolver = MarketResolver(quotes, config.market_config)
    facts = resolver.facts("ETH-USD-PERP", "hyperliquid", "perp")
    facts.tick, facts.lot, facts.limits["cost"].min, facts.grid_for(price)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol, Self, TypeVar

from graphc.venues.model import MarketFacts, MinMax
from graphc.venues.profiles import (
    PROFILES,
    QUOTE_PRICES,
    VENUE_FACTS,
    Refusal,
    loosens_anywhere,
    prediction_price_refusal,
    price_refusals,
    refusable,
    setting_refusals,
    sz_decimals_refusal,
)
from graphc.venues.settings import MarketConfig, derived_settings
from graphc.venues.symbols import checked_venue, prediction_venue
from graphc.vocabulary import PREDICTION_VENUES


class QuoteFacts(Protocol):
    """What the resolver reads from a quote (``graphc.quotes.Quote`` has these)."""

    @property
    def tick(self) -> Decimal | None: ...
    @property
    def lot(self) -> Decimal | None: ...
    @property
    def bid(self) -> Decimal | None: ...
    @property
    def ask(self) -> Decimal | None: ...
    @property
    def mid(self) -> Decimal | None: ...
    @property
    def last(self) -> Decimal | None: ...
    def span_of(self, name: str) -> object: ...
    def without(self, names) -> Self: ...


Q = TypeVar("Q", bound=QuoteFacts)


class MarketResolver:
    """Market facts for ``(symbol, venue, type)``, each looked up once per resolver."""

    def __init__(self, quotes: Mapping[str, QuoteFacts] | None = None, config: MarketConfig | None = None):
        self.quotes = quotes or {}
        self.config = config or MarketConfig()
        self._memo: dict[tuple, MarketFacts] = {}
        self.refused = False  # a market resolved here lost a tick or a quote's price it cannot have (origin["refused"])

    def facts(self, symbol: str, venue: str | None, instrument_type: str | None) -> MarketFacts:
        """What graphc knows about ``symbol`` traded on ``venue`` (None: unpinned) as ``instrument_type``."""
        venue = checked_venue(venue)
        if venue is None and instrument_type == "prediction":
            # a prediction market's venue is the one its symbol names (spec §3.1 rules 3-4): the router
            # routes it there, so that venue's rules apply to a wire node that does not pin it
            venue = prediction_venue(symbol)
        key = (symbol, venue, instrument_type)
        facts = self._memo.get(key)
        if facts is None:
            facts = self._memo[key] = self._resolve(symbol, venue, instrument_type)
        return facts

    @property
    def markets_known(self) -> int:
        """How many markets this resolver has looked up (and keeps)."""
        return len(self._memo)

    def is_known_venue(self, venue: str | None) -> bool:
        return venue is not None and (venue.lower() in PROFILES or self.config.venue(venue) is not None)

    def unlike_prediction(self) -> frozenset[str]:
        """The symbols whose quote has a price no prediction market can have (:func:`market_quote`): only a market of
        these, traded as a prediction market, can lose a price here. Cheap (a look at the quotes): ``graphc
        compile`` asks it before it makes a graph's facts to report such a price (graphc.lint.refused_ticks)."""
        return frozenset(
            symbol
            for symbol, quote in self.quotes.items()
            if any(
                (price := getattr(quote, key, None)) is not None and prediction_price_refusal(price) is not None
                for key in QUOTE_PRICES
            )
        )

    def may_refuse_ticks(self) -> bool:
        """Whether a tick of this resolver's own layers (a quote's, a ``[markets."X"]`` one) is one that some venue's
        markets cannot have, or a value of them may loosen a venue-wide fact (a ``[markets."X"]`` one, a quote's lot):
        only then can a market resolved here lose it (:attr:`refused`). Cheap (a look at the quotes and the config, no
        market resolved): ``graphc compile`` asks it before it makes a graph's facts to report such a value
        (graphc.lint.refused_ticks). A ``[venues.X]`` value is refused when graphc.toml is read, except an
        ``sz_decimals`` above a perp's 6 (in either table): only a leg that trades the market as a perp refuses it."""
        ticks = [getattr(quote, "tick", None) for quote in self.quotes.values()]
        for settings in self.config.markets.values():
            if isinstance(settings, dict):
                ticks += [settings.get("tick"), *(band.tick for band in settings.get("price_bands", ()))]
        floors = {key for facts in VENUE_FACTS.values() for key in facts}
        loose = any(floors.intersection(s) for s in self.config.markets.values() if isinstance(s, dict))
        tables = [*self.config.markets.values(), *self.config.venues.values()]
        loose = loose or any(  # an szDecimals a perp cannot have, which only a leg's type refuses
            sz_decimals_refusal(s.get("sz_decimals"), "perp") is not None for s in tables if isinstance(s, dict)
        )
        lots = (getattr(quote, "lot", None) for quote in self.quotes.values())
        loose = loose or any(lot is not None and loosens_anywhere("lot", lot) for lot in lots)
        return loose or any(tick is not None and refusable(tick) for tick in ticks)

    def _own_layers(self, symbol, venue, instrument_type, quote) -> tuple[list[tuple[str, dict]], tuple]:
        """The layers of this resolver's config and ``quote`` (the profile's are the same for every resolver), and
        the ticks among them the venue's markets cannot have, which they lose, and the values looser than a
        venue-wide fact (``profiles.VENUE_FACTS``: the config's, the quote's lot, a Kalshi lot of 0.01 checked
        against the ``fractional`` of the layers up to its own), and, on a prediction market, the quote's prices no
        prediction market can have (:func:`market_quote` leaves them out): ``(label, refusal, where)`` each
        (:class:`~graphc.venues.profiles.Refusal`), ``where`` the snapshot's place of the value (``Quote.span_of``),
        None for graphc.toml's."""
        layers: list[tuple[str, dict | None]] = []
        if venue is not None:
            layers.append((f"[venues.{venue}]", self.config.venue(venue)))
        layers.append((f'[markets."{symbol}"]', self.config.market(symbol)))
        if quote is not None:
            layers.append(("quotes", {k: v for k in ("tick", "lot") if (v := getattr(quote, k, None)) is not None}))
        refused: list[tuple[str, Refusal, object]] = []
        fractional = False  # the market allows fractional trading, as the layers so far say (first match wins)
        for i, (label, values) in enumerate(layers):
            if values and "fractional" in values:
                fractional = bool(values["fractional"])
            lost = (
                setting_refusals(venue, values, fractional=fractional, instrument_type=instrument_type)
                if values
                else []
            )
            if lost:
                keys = {refusal.key for refusal in lost}
                layers[i] = (label, {k: v for k, v in values.items() if k not in keys})  # type: ignore[union-attr]
                refused += [
                    (label, refusal, quote.span_of(refusal.key) if quote is not None and label == "quotes" else None)
                    for refusal in lost
                ]
        if quote is not None and is_prediction(venue, instrument_type):
            refused += [("quotes", refusal, quote.span_of(refusal.key)) for refusal in price_refusals(quote)]
        return [(label, derived_settings(values)) for label, values in layers if values], tuple(refused)

    def _resolve(self, symbol, venue, instrument_type) -> MarketFacts:
        quote = self.quotes.get(symbol)
        if quote is None and not self.config:  # no layer of this run's own: the profile decides (cached per process)
            return _profile_facts(symbol, venue, instrument_type)
        own, refused = self._own_layers(symbol, venue, instrument_type, quote)
        if not own and not refused and (venue is None or self.config.venue(venue) is None):
            # the profile alone decides: the same facts for every file of the run
            return _profile_facts(symbol, venue, instrument_type)
        settings, origin = _merged([*_profile_layers(symbol, venue, instrument_type), *own])
        if refused:
            origin["refused"] = refused
            self.refused = True
        return build_facts(symbol, venue, instrument_type, self.is_known_venue(venue), settings, origin)


def is_prediction(venue: str | None, instrument_type: str | None) -> bool:
    """Whether a market is traded as a prediction market: its type is ``prediction``, or its venue is one of the
    prediction venues (Kalshi, Polymarket). Its quote's prices are then dollars per share, 0 < p < 1."""
    return instrument_type == "prediction" or (isinstance(venue, str) and venue.lower() in PREDICTION_VENUES)


def market_quote(quote: Q | None, venue: str | None, instrument_type: str | None) -> Q | None:
    """``quote`` (a symbol's, or None) as its market, traded on ``venue`` as ``instrument_type``, uses it: on a
    prediction market (:func:`is_prediction`) without the prices no prediction market can have (``ask: 41``,
    :func:`~graphc.venues.profiles.price_refusals`; the resolver's facts of the market name them in
    ``origin["refused"]``, which lint reports), else the quote itself. A ``mid`` worked out from a side left out is
    no mid either (``Quote.base`` needs both sides); a written ``mid`` left out leaves the mid of the book, as if
    not written (spec §4: (bid + ask) / 2 "unless given"), as a refused tick leaves the next tick. Every price read for a market comes through here: the
    template bases and notional sizes compile works out, the values lint's rules check, plan's notionals."""
    if quote is None or not is_prediction(venue, instrument_type):
        return quote
    refused = [refusal.key for refusal in price_refusals(quote)]
    return quote.without(refused) if refused else quote


def refused_price(market: MarketFacts, key: str) -> Refusal | None:
    """The refusal of the quote's price ``key`` (``bid``, ``ask``, ``mid``, ``last``) that ``market`` does not use
    (:func:`market_quote`), from its facts' ``origin["refused"]``; None when it uses it or has none."""
    for label, refusal, _ in market.origin.get("refused", ()):
        if label == "quotes" and refusal.key == key:
            return refusal
    return None


# The keys of a market's price grid given as bands (settings.derived_settings makes the one of the other).
_BAND_KEYS = ("price_bands", "price_level_structure")


def _merged(layers) -> tuple[dict, dict]:
    """The settings of ``layers`` (lowest first), each key from the last layer that has it, and its origin.

    The tick and the price bands are one fact, the market's price grid: a layer that gives a ``tick`` and no
    bands replaces the bands of the layers below it (spec §3.3, first match wins per field: the snapshot's
    ``tick`` is the market's displayed tick, venue-rules.md §0, whatever bands graphc.toml gives). Within one
    layer the bands replace the tick (settings.py). ``origin["replaced price_bands"]`` names the layer whose
    bands a tick replaced (GC303 says so)."""
    settings: dict = {}
    origin: dict = {}
    for label, values in layers:
        if "tick" in values and "price_bands" not in values and "price_bands" in settings:
            origin["replaced price_bands"] = origin["price_bands"]
            for key in _BAND_KEYS:
                settings.pop(key, None)
                origin.pop(key, None)
        elif "price_bands" in values:
            origin.pop("replaced price_bands", None)
        settings.update(values)
        origin.update(dict.fromkeys(values, label))
    return settings, origin


@functools.lru_cache(maxsize=4096)
def _profile_layers(symbol, venue, instrument_type) -> tuple[tuple[str, dict], ...]:
    """The built-in profile's layers for a market (static data: computed once per market and process)."""
    if venue is None:
        return ()
    profile: dict = PROFILES.get(venue, {})
    layers = [
        (venue, profile.get("venue")),
        (f"{venue} default", profile.get("default")),
        (f"{venue} {instrument_type}", profile.get("types", {}).get(instrument_type)),
        (f"{venue} {symbol}", profile.get("markets", {}).get(symbol)),
    ]
    return tuple((label, derived_settings(values)) for label, values in layers if values)


@functools.lru_cache(maxsize=4096)
def _profile_facts(symbol, venue, instrument_type) -> MarketFacts:
    """The facts of a market neither the config nor a quote says anything about (shared: MarketFacts is
    frozen, and nothing changes its dicts)."""
    settings, origin = _merged(_profile_layers(symbol, venue, instrument_type))
    return build_facts(symbol, venue, instrument_type, venue is not None and venue in PROFILES, settings, origin)


def build_facts(symbol, venue, instrument_type, known_venue: bool, s: dict, origin: dict) -> MarketFacts:
    """Merged settings -> :class:`MarketFacts`, deriving what follows from them."""
    tick, bands = s.get("tick"), s.get("price_bands", ())
    price_min, price_max = s.get("price_min"), s.get("price_max")
    if s.get("prediction"):  # venue-rules.md: prediction prices run tick .. 1 - tick
        low_tick, high_tick = (bands[0].tick, bands[-1].tick) if bands else (tick, tick)
        tick_origin = origin.get("price_bands" if bands else "tick")
        if price_min is None and low_tick is not None:
            price_min, origin = low_tick, {**origin, "price_min": tick_origin}
        if price_max is None and high_tick is not None:
            price_max, origin = 1 - high_tick, {**origin, "price_max": tick_origin}
    min_size = s.get("min_size")
    if min_size is None and s.get("min_size_is_lot") and s.get("lot") is not None:
        # Kalshi: the smallest order is one lot of the market (profiles.py), so a fractional market's is 0.01.
        # A snapshot's `lot: 0.01` counts too: the snapshot is the first layer for the lot (spec §3.3, §7); it is
        # used only on a market graphc.toml says is fractional (fractional_trading_enabled, venue-rules.md §2):
        # elsewhere it is refused (_own_layers), as graphc.toml's own lot is.
        min_size, origin = s["lot"], {**origin, "min_size": origin.get("lot")}
    sz, base = s.get("sz_decimals"), s.get("max_decimals_base")
    market_min = s.get("min_notional_market")
    if market_min is None and not s.get("separate_market_min"):
        market_min = s.get("min_notional")
    return MarketFacts(
        symbol=symbol,
        venue=venue,
        type=instrument_type,
        known_venue=known_venue,
        prediction=s.get("prediction"),
        precision={"amount": s.get("lot"), "price": tick},
        limits={
            "amount": MinMax(min_size, s.get("max_size")),
            "price": MinMax(price_min, price_max),
            "cost": MinMax(s.get("min_notional"), s.get("max_notional")),
            "market_cost": MinMax(market_min, s.get("max_notional")),
        },
        price_bands=bands,
        sig_figs=s.get("sig_figs"),
        integer_price_exempt=s.get("integer_price_exempt", False),
        sz_decimals=sz,
        # szDecimals >= 0, so while it is unknown the base itself is still a limit
        max_price_decimals=None if base is None else max(base - (sz or 0), 0),
        max_price_decimals_base=base,
        generated_tick=s.get("generated_tick"),
        cost_unit=s.get("cost_unit") or _quote_currency(symbol, instrument_type),
        origin=origin,
    )


# Quote currencies recognised at the end of a symbol written without a separator (Binance's BTCUSDT, ETHBTC).
_SUFFIX_CURRENCIES = ("FDUSD", "USDT", "USDC", "BUSD", "USD", "EUR", "GBP", "JPY", "BTC", "ETH")


def _quote_currency(symbol: str, instrument_type: str | None) -> str | None:
    """The currency a market's prices are in (None: unknown): the part after the base asset (ETH-BTC: BTC).

    A prediction market's prices are dollars per share on every venue graphc knows (Kalshi in USD,
    Polymarket in USDC), and its symbol (a ticker, a slug) names no currency. A `-PERP` suffix is not a
    currency (ETH-USD-PERP is in USD), and a perp named by its base alone (BTC-PERP, Hyperliquid's ETH) is
    a dollar perp, as every perp venue graphc knows quotes them. A symbol with no separator is read by a
    known quote currency at its end (BTCUSDT: USDT). A symbol of more parts than base and quote (a bare
    slug read as spot, `will-btc-reach-150k`) names none: its second word is no currency (audit exec20 6);
    CCXT's ETH/USDT:USDT names its quote before the colon.
    """
    if instrument_type == "prediction":
        return "USD"
    parts = [part for part in re.split(r"[-/:]", symbol.upper()) if part]
    if parts and parts[-1] == "PERP":
        parts.pop()
    if len(parts) > 2:  # CCXT's BASE/QUOTE:SETTLE names its quote before the colon; anything else, none
        pair = [part for part in re.split(r"[-/]", symbol.upper().split(":", 1)[0]) if part]
        return pair[1] if len(pair) == 2 else None
    if len(parts) == 2:
        return parts[1]
    if instrument_type == "perp":
        return "USD"
    single = parts[0] if parts else ""
    return next((c for c in _SUFFIX_CURRENCIES if single.endswith(c) and len(single) > len(c)), None)
