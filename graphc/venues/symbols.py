"""What a symbol says about its market: instrument type inference (spec §3.1).

The router accepts a Polymarket market as a slug, a ``:yes``/``:no`` slug, a
raw token id or a full ``polymarket.com/event/...`` URL (reference:
orders-and-execution-graphs.md, "Simple Order"), and Kalshi markets by their
``KX...`` ticker. :func:`prediction_venue` recognises those shapes;
:func:`infer_instrument` applies §3.1's rules in order. GC306 uses the first to
catch a prediction-shaped symbol typed spot or perp, and :func:`owning_venue` to catch one pinned to the other
prediction venue.
"""

from __future__ import annotations

import re
from functools import lru_cache

from graphc.vocabulary import PREDICTION_VENUES

_POLYMARKET_URL = re.compile(r"^https?://(www\.)?polymarket\.com/event/", re.IGNORECASE)
_OUTCOME = re.compile(r":(yes|no)$", re.IGNORECASE)
_TOKEN_ID = re.compile(r"^[0-9]{20,}\Z")
_CONDITION_ID = re.compile(r"^0x[0-9a-fA-F]{64}\Z")
_KALSHI = re.compile(r"^KX[A-Z0-9]+(-[A-Z0-9.]+)+\Z")


@lru_cache(maxsize=4096)  # a few symbols recur on every leg of a file
def prediction_venue(symbol: str) -> str | None:
    """``polymarket`` or ``kalshi`` when the symbol's shape names a prediction market (§3.1 rules 3-4), else None."""
    if (
        _POLYMARKET_URL.match(symbol)
        or _OUTCOME.search(symbol)
        or _TOKEN_ID.match(symbol)
        or _CONDITION_ID.match(symbol)
    ):
        return "polymarket"
    if _KALSHI.match(symbol):
        return "kalshi"
    return None


def router_normalizes(symbol: str) -> bool:
    """Whether the router reads ``symbol`` as a prediction market on a wire node that gives no
    ``instrument.type``: a Polymarket event URL or a ``:yes``/``:no`` slug.

    orders-and-execution-graphs.md (Node Fields, ``instrument.type``) says the router turns Polymarket slug and
    URL inputs into prediction instruments before it routes them; the URL and the outcome slug are the slugs graphc
    can tell by their shape. A token id, a ``0x`` condition id and a Kalshi ticker are neither, so the router's
    default for a missing type, spot, applies to them (hosted-strategies.md: "the graph engine assumes spot").
    """
    return bool(_POLYMARKET_URL.match(symbol) or _OUTCOME.search(symbol))


_BARE_SLUG = re.compile(r"^(?=[a-z0-9-]*[a-z])[a-z0-9]+(-[a-z0-9]+)+\Z")


def may_be_polymarket_slug(symbol: str) -> bool:
    """Whether ``symbol`` has the shape of a bare Polymarket slug (lower-case words joined by hyphens,
    ``will-btc-hit-100k``), which the router reads as a prediction market in a simple order
    (orders-and-execution-graphs.md, Simple Order) while spec §3.1 reads it as spot: graphc cannot tell such a
    slug from a lower-case trading pair, so it never infers prediction from this shape (rule 6 stands)."""
    return bool(_BARE_SLUG.match(symbol))


def router_type(symbol: str, given) -> str:
    """A wire node's instrument type as the router reads it (spec GC111): the ``given`` one (a text), else
    ``prediction`` for a symbol it normalizes (:func:`router_normalizes`), else ``spot``."""
    if isinstance(given, str):
        return given
    return "prediction" if isinstance(symbol, str) and router_normalizes(symbol) else "spot"


def owning_venue(symbol: str) -> tuple[str, str] | None:
    """``(venue, what the symbol is)`` when the symbol's shape can only be a market of that one prediction venue,
    else None: a ``polymarket.com/event/...`` URL is Polymarket's (§3.1 rule 3), a ``KX...`` ticker Kalshi's
    (rule 4).

    Rule 3's other shapes are not counted, though they infer Polymarket when no venue is pinned: the router
    also lists Kalshi markets by yes/no token ids (hosted-strategies.md, discovery), whose form the reference
    does not show, so a token id, a ``0x`` id or a ``:yes``/``:no`` symbol pinned to Kalshi may be valid
    there. A slug names no venue.
    """
    if _POLYMARKET_URL.match(symbol):
        return "polymarket", "a polymarket.com URL"
    if _KALSHI.match(symbol):
        return "kalshi", "a Kalshi ticker"
    return None


def infer_instrument(symbol: str, instrument_type: str | None, venue: str | None) -> tuple[str, str | None]:
    """Spec §3.1, first match wins: ``(type, venue)``, the venue inferred when the symbol names one.

    The first match decides the type; the venue a prediction-shaped symbol names is inferred whenever the
    type is prediction and no venue is pinned, an explicit ``type: prediction`` included: the router needs
    the venue for prediction markets (§3.1), and a type that only repeats what the symbol says must not
    change the graph. A symbol typed spot or perp gets no venue from its shape (that is GC306).
    """
    if instrument_type:
        if instrument_type == "prediction" and venue is None:
            return instrument_type, prediction_venue(symbol)
        return instrument_type, venue
    if venue in PREDICTION_VENUES:
        return "prediction", venue
    shaped = prediction_venue(symbol)
    if shaped is not None:
        return "prediction", venue or shaped
    if symbol.endswith("-PERP"):
        return "perp", venue
    return "spot", venue
