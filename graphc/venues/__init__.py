"""Venue metadata for the GC3xx rules: a ccxt-shaped model and the built-in profiles.

``market_for(venue, symbol, instrument_type, quote=None, venue_overrides=None,
market_overrides=None)`` answers "what does this venue accept for this market",
merging the built-in profile, the quotes snapshot and config (see
:mod:`graphc.venues.profiles`); the accepted config keys are listed in
:mod:`graphc.venues.model`.
"""

from graphc.venues.model import OVERRIDE_KEYS, Band, MarketMeta, MinMax, fmt_decimal, validate_overrides
from graphc.venues.profiles import PROFILES, known_venues, market_for

__all__ = [
    "OVERRIDE_KEYS",
    "PROFILES",
    "Band",
    "MarketMeta",
    "MinMax",
    "fmt_decimal",
    "known_venues",
    "market_for",
    "validate_overrides",
]
