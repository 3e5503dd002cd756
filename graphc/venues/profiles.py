"""Built-in venue profiles and :func:`market_for`, which merges them with quotes and config.

Each number carries its source from ../shared/venue-rules.md. A value a venue sets
per market and we have no source for is left out: it is unknown, and the rule that
needs it skips (``--explain-skips``) until the quotes snapshot or graphc.toml gives it.

Merge order, later wins (each layer only sets the keys it has):

1. the venue profile (``venue``: venue-wide facts; ``default``: stand-ins for
   per-market facts, e.g. Polymarket's 0.001 check grid; ``types[type]``;
   ``markets[symbol]``: sourced snapshots of single markets);
2. the quotes snapshot: ``Quote.tick`` and ``Quote.lot`` for that symbol (spec §7);
3. config ``[venues.<name>]``, then ``[markets."<symbol>"]``.

Keys and their meaning are listed in :mod:`graphc.venues.model`.
"""

from __future__ import annotations

from decimal import Decimal as D

from graphc.venues.model import MarketMeta, build_market, read_settings

PROFILES = {
    "polymarket": {
        "venue": {
            "prediction": True,  # spec §3.1; venue-rules.md §0
            "lot": D("0.01"),  # size rounds down to 2 dp: py-clob-client order_builder/builder.py ROUNDING_CONFIG
            "min_notional": D(1),  # router reference (venue-rules.md §0): $1, accepted but never crosses
            "cost_unit": "USD",
        },
        "default": {
            "tick": D("0.001"),  # per market (0.1/0.01/0.001/0.0001); 0.001 = safe default check, venue-rules.md §0
            "min_size": D(5),  # per market min_order_size, often 5: py-clob-client#301; router reference
        },
    },
    "kalshi": {
        "venue": {
            "prediction": True,
            "tick": D("0.01"),  # linear_cent: docs.kalshi.com getting_started/fixed_point_migration
            "lot": D(1),  # whole contracts: docs.kalshi.com getting_started/fixed_point_contracts
            "min_size": D(1),  # one contract is fine: router reference (venue-rules.md §0)
            "min_notional": D(0),  # no minimum notional: router reference (venue-rules.md §0)
            "cost_unit": "USD",
        },
    },
    "hyperliquid": {
        "venue": {
            "prediction": False,  # outcome markets not modelled
            "sig_figs": 5,  # hyperliquid.gitbook.io .../api/tick-and-lot-size
            "integer_price_exempt": True,  # same page: 123456 is valid
            "min_size": D(0),  # no size minimum; the order-value minimum governs (error-responses)
        },
        "types": {  # gitbook tick-and-lot-size (6/8 - szDecimals); error-responses (MinTradeNtl)
            "perp": {"max_decimals_base": 6, "min_notional": D(10), "cost_unit": "USD"},
            "spot": {"max_decimals_base": 8, "min_notional": D(10)},  # 10 units of the quote token
        },
    },
    "coinbase": {
        "venue": {"prediction": False},  # everything else is per product
        "markets": {
            # nautilus-coinbase test_data/http_product.json: a snapshot, check live
            "BTC-USD": {
                "tick": D("0.01"),
                "lot": D("0.00000001"),
                "min_size": D("0.00000001"),
                "max_size": D(3400),
                "min_notional": D(1),
                "max_notional": D(150000000),
            },
        },
    },
    "binance": {
        # PRICE_FILTER / LOT_SIZE / NOTIONAL are per symbol (binance-spot-api-docs filters.md);
        # BTCUSDT values are UNCONFIRMED, so none ship. applyMinToMarket is per symbol too.
        "venue": {"prediction": False, "separate_market_min": True},
    },
    "kraken": {
        # tick_size / lot_decimals / ordermin / costmin are per pair; XBT/USD values UNCONFIRMED.
        "venue": {"prediction": False},
    },
}


def _lookup(table, key):
    """``table[key]`` for a config mapping that may be None or keyed in another case."""
    if not isinstance(table, dict):
        return None
    if key in table:
        return table[key]
    lowered = {str(k).lower(): v for k, v in table.items()}
    return lowered.get(str(key).lower())


def known_venues(venue_overrides=None) -> list:
    """Built-in venues plus those described in config, sorted."""
    configured = [str(k).lower() for k in (venue_overrides or {})]
    return sorted(set(PROFILES) | set(configured))


def _quote_layer(quote) -> dict:
    return {k: v for k in ("tick", "lot") if (v := getattr(quote, k, None)) is not None}


_MARKETS: dict = {}  # (venue, symbol, type, quote tick/lot) -> MarketMeta, for lookups without config
_MARKETS_MAX = 4096
_MISSING = object()


def market_for(
    venue, symbol, instrument_type, quote=None, venue_overrides=None, market_overrides=None
) -> MarketMeta | None:
    """What ``venue`` accepts for ``symbol``; None when the venue is unknown (GC307) or not pinned.

    ``venue_overrides`` is config ``{venue: {key: value}}`` and ``market_overrides``
    ``{symbol: {key: value}}``, as held by ``LintContext``. Bad config values are
    ignored here; the config loader reports them with ``validate_overrides``.
    """
    if not isinstance(venue, str) or not venue:
        return None
    cacheable = (
        not venue_overrides
        and not market_overrides
        and isinstance(symbol, str)
        and (instrument_type is None or isinstance(instrument_type, str))
    )
    if cacheable:  # the same few markets come up in every file: build each once per process
        key = (venue.lower(), symbol, instrument_type, () if quote is None else tuple(_quote_layer(quote).items()))
        market = _MARKETS.get(key, _MISSING)
        if market is _MISSING:
            market = _market_for(venue, symbol, instrument_type, quote, None, None)
            if len(_MARKETS) < _MARKETS_MAX:
                _MARKETS[key] = market
        return market
    return _market_for(venue, symbol, instrument_type, quote, venue_overrides, market_overrides)


def _market_for(venue, symbol, instrument_type, quote, venue_overrides, market_overrides):
    name = venue.lower()
    profile, venue_config = PROFILES.get(name), _lookup(venue_overrides, name)
    if profile is None and venue_config is None:
        return None
    profile = profile or {}
    layers = [
        (name, profile.get("venue")),
        (f"{name} default", profile.get("default")),
        (f"{name} {instrument_type}", profile.get("types", {}).get(instrument_type)),
        (f"{name} {symbol}", profile.get("markets", {}).get(symbol)),
        ("quotes", _quote_layer(quote)),
        (f"[venues.{name}]", venue_config),
        (f'[markets."{symbol}"]', _lookup(market_overrides, symbol)),
    ]
    settings, origin = {}, {}
    for label, raw in layers:
        values, _problems = read_settings(raw if isinstance(raw, dict) else {})
        settings.update(values)
        origin.update(dict.fromkeys(values, label))
    return build_market(name, symbol, instrument_type, settings, origin)
