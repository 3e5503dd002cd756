"""The Market layer: what each venue accepts, resolved once for compile, lint, plan and the sandbox.

- :mod:`graphc.venues.settings`: the market settings (graphc.toml keys), defined once.
- :mod:`graphc.venues.profiles`: the built-in venue profiles, each number with its source.
- :mod:`graphc.venues.resolver`: :class:`MarketResolver`, the one resolver of market facts (spec §3.3).
- :mod:`graphc.venues.model`: :class:`MarketFacts`, a market in ccxt's shape (``None`` = unknown).
- :mod:`graphc.venues.prices`: generated prices onto the venue's grids; tick and price-form checks.
- :mod:`graphc.venues.symbols`: instrument type inference from the symbol (spec §3.1); a symbol's text checked.
"""

from graphc.venues.model import MarketFacts, MinMax
from graphc.venues.profiles import PROFILES, known_venues
from graphc.venues.resolver import MarketResolver, is_prediction, market_quote, refused_price
from graphc.venues.settings import SETTINGS, Band, MarketConfig, SettingError, parse_setting
from graphc.venues.symbols import (
    SLUG_READING,
    checked_venue,
    infer_instrument,
    may_be_polymarket_slug,
    owning_venue,
    prediction_venue,
    router_normalizes,
    router_type,
    symbol_in_quotes,
    symbol_problem,
    venue_case_problem,
)

__all__ = [
    "PROFILES",
    "SETTINGS",
    "SLUG_READING",
    "Band",
    "MarketConfig",
    "MarketFacts",
    "MarketResolver",
    "MinMax",
    "SettingError",
    "checked_venue",
    "infer_instrument",
    "is_prediction",
    "known_venues",
    "market_quote",
    "may_be_polymarket_slug",
    "owning_venue",
    "parse_setting",
    "prediction_venue",
    "refused_price",
    "router_normalizes",
    "router_type",
    "symbol_in_quotes",
    "symbol_problem",
    "venue_case_problem",
]
