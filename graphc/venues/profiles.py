"""Built-in venue profiles: what graphc knows about each venue, with the source of every number.

Each number carries its source from ../shared/venue-rules.md. A value a venue sets
per market and we have no source for is left out: it is unknown, and the rule that
needs it skips (``--explain-skips``) until the quotes snapshot or graphc.toml gives it.

A profile has up to four parts, later ones winning: ``venue`` (venue-wide facts),
``default`` (stand-ins for per-market facts, e.g. Polymarket's 0.001 check grid),
``types[type]`` and ``markets[symbol]`` (sourced snapshots of single markets).
The keys are those of :mod:`graphc.venues.settings`, plus five only profiles
set: ``max_decimals_base`` (Hyperliquid's 6 or 8 before subtracting
szDecimals), ``separate_market_min`` (market orders have their own minimum),
``cost_unit`` (the currency of notionals), ``generated_tick`` (the grid of
generated prices while the tick is only a default) and ``min_size_is_lot``
(no ``min_size`` known: the smallest order is one lot, Kalshi).
"""

from __future__ import annotations

from decimal import Decimal as D
from typing import NamedTuple

from graphc.numbers import plain
from graphc.venues.settings import MAX_SZ_DECIMALS, SZ_DECIMALS_WHY

PROFILES: dict[str, dict] = {
    "polymarket": {
        "venue": {
            "prediction": True,  # spec §3.1; venue-rules.md §0
            "lot": D("0.01"),  # size rounds down to 2 dp: py-clob-client order_builder/builder.py ROUNDING_CONFIG
            "min_notional": D(1),  # router reference (venue-rules.md §0): $1, accepted but never crosses
            "cost_unit": "USD",
        },
        "default": {
            "tick": D("0.001"),  # per market (0.1/0.01/0.001/0.0001); 0.001 = safe default check, venue-rules.md §0
            # Generated prices use the coarsest grid markets commonly run, so they are valid on each (spec §4).
            "generated_tick": D("0.01"),
            "min_size": D(5),  # per market min_order_size, often 5: py-clob-client#301; router reference
        },
    },
    "kalshi": {
        "venue": {
            "prediction": True,
            "tick": D("0.01"),  # linear_cent: docs.kalshi.com getting_started/fixed_point_migration
            "lot": D(1),  # whole contracts: docs.kalshi.com getting_started/fixed_point_contracts
            # No minimum size of its own: the smallest order is one lot, 1 contract (1 contract is fine: router
            # reference, venue-rules.md §0), 0.01 where fractional_trading_enabled (venue-rules.md §2: count_fp
            # takes 0-2 dp). So min_size is the market's resolved lot, whichever layer gives it (spec §3.3,
            # first match per field: `fractional`, `lot`, or the snapshot's `lot`, 0.01 only on a market graphc.toml
            # says is fractional: VENUE_FACTS); a `min_size` set in graphc.toml is a field of its own and wins.
            "min_size_is_lot": True,
            "min_notional": D(0),  # no minimum notional: router reference (venue-rules.md §0)
            "cost_unit": "USD",
        },
    },
    "hyperliquid": {
        "venue": {
            # Hyperliquid has outcome markets (venue-rules.md §5: ccxt's prediction namespace), but graphc does not
            # model them and the router reference does not describe them: a prediction leg here is GC306
            "prediction": False,
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


# The ticks a venue's markets can have, where the venue fixes the list (Polymarket: venue-rules.md §1; Kalshi: §2),
# and what to write instead. A tick outside it, from the quotes snapshot, the router's quote answer or graphc.toml,
# is an error at the value (GC105 for a quote, GC103 in graphc.toml, as a tick of 0 or less) and is not used: the
# market keeps the next tick known (MarketResolver, tick_refusal).
ALLOWED_TICKS: dict[str, tuple[tuple[D, ...], str]] = {
    "polymarket": (
        (D("0.1"), D("0.01"), D("0.001"), D("0.0001")),  # py-clob-client clob_types.py `TickSize` (venue-rules.md §1)
        "write the market's own tick (its displayed quote tick: most Polymarket markets trade in 0.01, some in "
        "0.001), or leave the tick out (graphc then checks against 0.001)",
    ),
    "kalshi": (
        # venue-rules.md §2: a market's price_level_structure is linear_cent ($0.01), deci_cent ($0.001) or
        # tapered_deci_cent (0.001 below 0.10 and above 0.90, 0.01 between): its tick is 0.01 or 0.001
        (D("0.01"), D("0.001")),
        "write the market's own tick (0.01 on a linear_cent market, 0.001 on a deci_cent one; a tapered_deci_cent "
        "market's bands go in graphc.toml: price_level_structure), or leave the tick out (graphc then checks "
        "against 0.01)",
    ),
}


def tick_refusal(venue: str | None, tick: D) -> tuple[str, str] | None:
    """Why ``tick`` cannot be a tick of ``venue``'s markets (``0.005 is not a Polymarket tick (0.1, 0.01, 0.001 or
    0.0001), so it is not used``) and the hint, or None when it can be, or the venue fixes no list
    (:data:`ALLOWED_TICKS`)."""
    if venue is None or (known := ALLOWED_TICKS.get(venue)) is None or tick in known[0]:
        return None
    names = [plain(t) for t in known[0]]
    why = (
        f"{plain(tick)} is not a {venue.capitalize()} tick ({', '.join(names[:-1])} or {names[-1]}), so it is not used"
    )
    return why, known[1]


def band_refusal(venue: str | None, bands) -> tuple[D, str, str] | None:
    """The first band tick of ``bands`` (``price_bands``) that ``venue``'s markets cannot have, with
    :func:`tick_refusal`'s why and hint; None when every one can. A band's tick is the market's tick in its
    interval, so it is checked as ``tick`` is."""
    for band in bands or ():
        refused = tick_refusal(venue, band.tick)
        if refused is not None:
            return band.tick, *refused
    return None


class Refusal(NamedTuple):
    """A value of one graphc.toml table (or quote) that the venue's markets cannot have: not used, an error at it."""

    key: str  # the setting: tick, price_bands, min_notional...
    what: str  # how the message names it: `tick`, `price_bands` tick
    value: object  # the refused value (a band's tick for price_bands)
    why: str
    hint: str


# The prices of a quote (the ``bid``, ``ask``, ``mid`` and ``last`` of the snapshot or the router's answer).
QUOTE_PRICES = ("bid", "ask", "mid", "last")


def prediction_price_refusal(price: D) -> tuple[str, str] | None:
    """Why ``price``, a quote's price, cannot be a prediction market's (``not a prediction market's price (dollars per
    share, 0 < p < 1)``) and the hint, or None when it can: a prediction market's prices are dollars per share,
    0.01-0.99 on Kalshi and Polymarket (venue-rules.md §0) and 0 < p < 1 on any (§4, the GC304 range). A whole number
    from 1 to 99 is read as the cents Kalshi's older format writes (§2: "Integer cents from 1 to 99"), and the hint
    says so. (A price of 0 never comes here: it is the empty side of a book, graphc.quotes.quote_value.)"""
    if 0 < price < 1:
        return None
    why = "not a prediction market's price (dollars per share, 0 < p < 1)"
    if 1 <= price <= 99 and price == price.to_integral_value():
        cents = int(price)
        return why, f"looks like cents: write 0.{cents:02d} (or {cents}c)"
    return why, "write the market's price in dollars per share, above 0 and below 1 (e.g. 0.55 or 55c)"


def price_refusals(quote) -> list[Refusal]:
    """The prices of ``quote`` (:data:`QUOTE_PRICES`) that a prediction market cannot have
    (:func:`prediction_price_refusal`), each a :class:`Refusal` whose ``why`` names the value."""
    out = []
    for key in QUOTE_PRICES:
        price = getattr(quote, key, None)
        if price is not None and (refused := prediction_price_refusal(price)) is not None:
            why, hint = refused
            out.append(Refusal(key, f"`{key}`", price, f"{plain(price)} is {why}, so it is not used", hint))
    return out


# Venue-wide facts of venue-rules.md that a graphc.toml value (or a quote's lot) may tighten but not loosen: per
# venue, key -> (the venue's value, what it is and its source, the rule that checks it). Per-market values
# (Polymarket's min_order_size, a CEX symbol's filters, Hyperliquid's szDecimals) are the user's to give and are not
# here.
VENUE_FACTS: dict[str, dict[str, tuple[D, str, str]]] = {
    "polymarket": {
        "min_notional": (D(1), "$1 minimum notional (venue-rules.md §0)", "GC301"),
        "min_notional_market": (D(1), "$1 minimum notional (venue-rules.md §0)", "GC301"),
        "lot": (D("0.01"), "sizes in 0.01 shares (venue-rules.md §1: size rounds down to 2 dp)", "GC305"),
    },
    "kalshi": {
        "lot": (
            D(1),
            "whole contracts (venue-rules.md §2; 0.01 only where fractional_trading_enabled: `fractional = true`)",
            "GC305",
        ),
    },
    "hyperliquid": {
        "min_notional": (D(10), "$10 minimum order value, MinTradeNtl (venue-rules.md §3)", "GC301"),
        "min_notional_market": (D(10), "$10 minimum order value, MinTradeNtl (venue-rules.md §3)", "GC301"),
        "sig_figs": (D(5), "at most 5 significant figures in a price (venue-rules.md §3)", "GC308"),
    },
}
_STEPS = ("lot", "tick")  # a step loosens when it is not a multiple of the venue's
_MOST = ("sig_figs",)  # a most-allowed loosens when above the venue's; a minimum when below


def loosened(venue: str | None, key: str, value, *, fractional: bool = False) -> tuple[str, str] | None:
    """Why ``key = value`` of a graphc.toml table or a quote loosens a venue-wide fact graphc has for ``venue``
    (:data:`VENUE_FACTS`), and the hint; None when it does not (equal or stricter: allowed) or graphc has none.
    ``fractional``: the market is one graphc.toml says allows fractional trading (``fractional = true``), whose
    Kalshi lot may be 0.01."""
    fact = VENUE_FACTS.get(venue or "", {}).get(key)
    if fact is None or isinstance(value, bool):
        return None
    limit, said, code = fact
    if venue == "kalshi" and key == "lot" and fractional:
        limit = D("0.01")  # a fractional market's lot (venue-rules.md §2)
    number = D(value)
    if key in _STEPS:
        loose = number % limit != 0
    elif key in _MOST:
        loose = number > limit
    else:
        loose = number < limit
    if not loose:
        return None
    why = f"{plain(number)} is looser than {venue}'s own {plain(limit)}: {said}, so it is not used"
    hint = (
        f"the venue rejects what it would let through: tighten it or leave it out; if the venue changed its rule, "
        f'turn the rule off for this project (`{code} = "off"` in [rules]) and report it so graphc\'s profile is '
        "updated"
    )
    return why, hint


# Whether a built-in venue lists prediction markets, and the source. `prediction` in graphc.toml is for a venue known
# only from config: on one of these it would silence GC306 or raise a false one (audit config26 7).
PREDICTION_SAID = {
    "polymarket": "it lists prediction markets (spec §3.1; venue-rules.md §0)",
    "kalshi": "it lists prediction markets (spec §3.1; venue-rules.md §0)",
    "hyperliquid": "graphc does not model its outcome markets (venue-rules.md §5), so a prediction leg there is GC306",
}


def prediction_refusal(venue: str | None, value) -> tuple[str, str] | None:
    """Why ``prediction = value`` of a graphc.toml table contradicts ``venue``'s own fact (a venue graphc has a
    profile of: :data:`PROFILES`), and the hint; None when it agrees, or the venue is known only from config."""
    own = PROFILES.get(venue or "", {}).get("venue", {}).get("prediction")
    if own is None or not isinstance(value, bool) or value == own:
        return None
    said = PREDICTION_SAID.get(venue or "", "it lists no prediction markets (venue-rules.md)")
    why = f"{'true' if value else 'false'} contradicts {venue}'s own `prediction = {'true' if own else 'false'}`: {said}, so it is not used"
    return why, "`prediction` is for a venue graphc has no profile of; leave it out here"


def sz_decimals_refusal(value, instrument_type: str | None) -> tuple[str, str] | None:
    """Why ``sz_decimals = value`` cannot be the szDecimals of a market traded as ``instrument_type`` (more than a
    perp's 6 or spot's 8: :data:`~graphc.venues.settings.MAX_SZ_DECIMALS`, venue-rules.md §3) and the hint, or None
    when it can be, or the type has no bound of its own (graphc.toml bounds every value by 8 when it is read)."""
    most = MAX_SZ_DECIMALS.get(instrument_type or "")
    if most is None or isinstance(value, bool) or not isinstance(value, int) or value <= most:
        return None
    why = f"{value} is more than a {instrument_type} market's {most}, so it is not used"
    return why, f"{SZ_DECIMALS_WHY}: write the market's own (`meta.universe[]` of Hyperliquid's info endpoint)"


def setting_refusals(
    venue: str | None, values: dict, *, fractional: bool | None = None, instrument_type: str | None = None
) -> list[Refusal]:
    """The values of ``values`` (one graphc.toml table, or a quote's tick and lot) that ``venue``'s markets cannot
    have, each not used (the next layer's value is): its ``tick`` and ``price_bands`` (the first refused band tick)
    outside the venue's tick list (:func:`tick_refusal`), a value that loosens a venue-wide fact
    (:func:`loosened`), a quote's lot as graphc.toml's, and, for a market traded as ``instrument_type`` (None:
    not known), an ``sz_decimals`` above that type's bound (:func:`sz_decimals_refusal`). ``fractional`` is whether
    the market allows fractional trading as the layers up to this one say it (None: as ``values`` says it)."""
    out = []
    if (refused_sz := sz_decimals_refusal(values.get("sz_decimals"), instrument_type)) is not None:
        out.append(Refusal("sz_decimals", "`sz_decimals`", values["sz_decimals"], *refused_sz))
    tick = values.get("tick")
    if tick is not None and (refused := tick_refusal(venue, tick)) is not None:
        out.append(Refusal("tick", "`tick`", tick, *refused))
    band = band_refusal(venue, values.get("price_bands"))
    if band is not None:
        out.append(Refusal("price_bands", "`price_bands` tick", *band))
    if (refused_prediction := prediction_refusal(venue, values.get("prediction"))) is not None:
        out.append(Refusal("prediction", "`prediction`", values["prediction"], *refused_prediction))
    if fractional is None:
        fractional = bool(values.get("fractional"))
    for key in VENUE_FACTS.get(venue or "", {}):
        if key in values and (loose := loosened(venue, key, values[key], fractional=fractional)) is not None:
            out.append(Refusal(key, f"`{key}`", values[key], *loose))
    return out


def loosens_anywhere(key: str, value) -> bool:
    """Whether ``key = value`` loosens a venue-wide fact of some venue (:func:`loosened` would refuse it there)."""
    return any(loosened(venue, key, value) is not None for venue in VENUE_FACTS)


def refusable(tick: D) -> bool:
    """Whether some venue's markets cannot have ``tick`` (:func:`tick_refusal` would refuse it on that venue)."""
    return any(tick not in allowed for allowed, _ in ALLOWED_TICKS.values())


PROFILE_ONLY_KEYS = ("max_decimals_base", "separate_market_min", "cost_unit", "generated_tick", "min_size_is_lot")


def known_venues(config_venues=()) -> list:
    """Built-in venues plus those described in config, sorted."""
    return sorted(set(PROFILES) | {str(name).lower() for name in config_venues})
