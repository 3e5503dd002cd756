"""What a symbol says about its market: instrument type inference (spec §3.1).

The router accepts a Polymarket market as a slug, a ``:yes``/``:no`` slug, a
raw token id or a full ``polymarket.com/event/...`` URL (reference:
orders-and-execution-graphs.md, "Simple Order"), and Kalshi markets by their
``KX...`` ticker. :func:`prediction_venue` recognises those shapes;
:func:`infer_instrument` applies §3.1's rules in order. GC306 uses the first to
catch a prediction-shaped symbol typed spot or perp, and :func:`owning_venue` to catch one pinned to the other
prediction venue. :func:`symbol_problem` is the one check of a symbol as text, in every input form, and
:func:`symbol_in_quotes` the one judgement of a symbol written in quotes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

from graphc.vocabulary import MAX_SYMBOL, PREDICTION_VENUES

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


# What graphc says of such a symbol wherever it reads one as spot for want of a type or a venue (GC111 on a simple
# order or a wire node, decompile's note): one wording.
SLUG_READING = (
    "the router reads a slug as a prediction market (it normalizes Polymarket slugs), but graphc cannot tell one "
    "from a trading pair"
)


def checked_venue(venue: object) -> str | None:
    """The venue graphc checks a node under, for the ``instrument.venue`` text a wire node or a simple order pins:
    lower-cased, without whitespace around it (``"KALSHI"`` and ``"kalshi "`` are both kalshi), so the venue's rules
    run on it as on a playbook's ``venue:`` (graphc.stages.model reads that one the same way, and compile sends it so);
    GC103 says that the router gets the text as written (graphc.rules.input.check_wire_venue_case; audit rules26 2).
    None for no text; a blank text keeps its spaces (it names no venue: GC307 reports it as written)."""
    if not isinstance(venue, str) or not venue:
        return None
    return (venue.strip() or venue).lower()


def router_type(symbol: str, given, venue) -> str:
    """A wire node's instrument type as the router reads it (spec GC111): the ``given`` one (a text), else
    ``prediction`` for a node pinned to ``polymarket`` (``venue``, as written: :func:`checked_venue` reads it) or a
    symbol the router normalizes (:func:`router_normalizes`), else ``spot``.

    orders-and-execution-graphs.md (Node Fields) says "Polymarket slug/URL inputs are auto-normalized to prediction
    before routing", and its Simple Order lists a Polymarket slug, a ``:yes``/``:no`` slug, a raw token id or a
    polymarket.com/event URL as Polymarket's symbols: a symbol pinned to ``polymarket`` is one of them by the venue's
    own naming (it cannot be a trading pair there), so a wire node reads as a simple order does (audit rules26 3).
    Only Polymarket: the reference says nothing of the kind for Kalshi, whose tickers a node without a type sends
    as spot (GC306)."""
    if isinstance(given, str):
        return given
    if checked_venue(venue) == "polymarket":
        return "prediction"
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


def venue_case_problem(written: str) -> tuple[str, str] | None:
    """``(what is wrong, hint)`` when a wire node's ``instrument.venue`` is not in lower case or has whitespace
    around it (graphc reads it as :func:`checked_venue` gives it), else None: one wording for lint's GC103
    (:func:`graphc.rules.input.check_wire_venue_case`, which checks the node as the venue read) and decompile's
    refusal (a playbook's venue compiles to the venue read, so the graph would not come back). As the case, the
    spaces reach the router as written (audit rules26 2)."""
    venue = checked_venue(written)
    if venue is None or venue == written:  # (a blank text keeps its spaces: GC307 names it)
        return None
    bare = written.strip()
    if bare == written:
        return (
            f"venue {written!r} is not lower-case: the wire spells venues in lower case (playbook-spec.md §3), and the "
            f"router may not know {written!r}",
            f'write "{venue}"',
        )
    wrong = "is not lower-case and has whitespace around it" if bare != venue else "has whitespace around it"
    return (
        f"venue {written!r} {wrong}: the router gets the text as written, so it may not know {written!r} (the wire "
        "spells a venue in lower case with nothing around it, playbook-spec.md §3)",
        f'write "{venue}"',
    )


# `"` and `'`, a Markdown backtick, and the typographic quotes a paste from a word processor or a chat brings: ‘ ’ ‚ ‛
# “ ” „ ‟ (U+2018-U+201F), « » and ‹ › (audit review28 1). No market's symbol has any of them.
QUOTE_CHARACTERS = "\"'`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u00ab\u00bb\u2039\u203a"
_QUOTES_AND_SPACES = QUOTE_CHARACTERS + " "


def quoted_in_text(symbol: str) -> bool:
    """Whether a symbol has a quote character anywhere (QUOTE_CHARACTERS): an ``after:`` text's on_price symbol is
    refused for one (graphc.stages.triggers), since nothing but the copy of a quoted word puts one there."""
    return any(q in symbol for q in QUOTE_CHARACTERS)


def wrapped_in_quotes(symbol: str) -> bool:
    """Whether a symbol is written inside a pair of quote characters (`'"ETH-USD"'`, `“ETH-USD”`, `„ETH-USD“`,
    `«ETH-USD»`: the two need not be the same character): refused where a symbol is a value of its own
    (:func:`symbol_in_quotes`). Such a value may hold any other symbol, a quote in it too (`it’s`), which is how a
    wire graph's odd symbol is decompiled (graphc.decompile); a pair around it is the copy artefact of quoted text."""
    return len(symbol) >= 2 and symbol[0] in QUOTE_CHARACTERS and symbol[-1] in QUOTE_CHARACTERS


def symbol_in_quotes(symbol: str) -> tuple[str, str | None] | None:
    """``(what is wrong, the symbol without its quotes)`` when a symbol written as a value of its own is inside a pair
    of quote characters (:func:`wrapped_in_quotes`), else None; the symbol is None when only quotes (and spaces) are
    left. What is wrong reads after the field's name (``symbol '"ETH-USD"' is in quotes: ...``).

    The one judgement of a quoted symbol value: a playbook leg's ``symbol:`` and an on_price mapping's (GC105,
    graphc.stages.model, graphc.stages.triggers), a wire node's ``instrument.symbol``, a wire on_price trigger's
    ``symbol`` and a simple order's ``symbol`` (GC103, graphc.inputs). graphc sends a symbol as written (spec §3), and
    no market's symbol has a quote character: ``symbol: '"ETH-USD"'`` or ``symbol: “ETH-USD”`` would trade a market
    that does not exist. Refused, never stripped: the hint offers the symbol without them, the caller never sends it.
    """
    if not wrapped_in_quotes(symbol):
        return None
    shown = repr(symbol) if len(symbol) <= 60 else repr(symbol[:57]) + "..."
    bare = symbol.strip(_QUOTES_AND_SPACES)
    return (
        f"{shown} is in quotes: graphc sends the symbol as written, and no market's symbol has them",
        bare or None,
    )


_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})  # control, format, line/paragraph separator, surrogate
_CLEAN_HINT = "a market symbol has no whitespace around it and no control or invisible character"


@lru_cache(maxsize=4096)  # a graph's few symbols recur on every node
def symbol_problem(symbol: str) -> tuple[str, str | None] | None:
    """``(what is wrong, hint)`` when the text ``symbol`` cannot be a market's symbol, else None. What is wrong reads
    after the field's name (``symbol is empty``); the hint is None where the caller says what to write.

    The one check of a symbol as text (audit wirelint23 3): a playbook leg's ``symbol`` and its ``on_price``
    trigger's (graphc.stages.model, graphc.stages.triggers), a simple order's ``symbol`` (graphc.inputs), a wire
    node's ``instrument.symbol`` and an ``on_price`` trigger's ``symbol``
    (:func:`graphc.inputs.wire_symbol_diagnostics`), each GC103 at the value. In order: more than :data:`~graphc.vocabulary.MAX_SYMBOL` characters (spec §3.2),
    blank, whitespace at either end, a control or invisible character anywhere in it (Unicode categories Cc, Cf, Zl,
    Zp, Cs: a tab, a line break, NUL, NEL, a zero-width space, a byte-order mark, a direction mark). No symbol form
    the router's reference shows (a pair, a Polymarket slug, token id or URL, a Kalshi ticker) has one: ``BTC-USD ``
    is not the market ``BTC-USD``, and no venue's facts would be found for it.
    """
    if len(symbol) > MAX_SYMBOL:
        return f"is {len(symbol)} characters; the limit is {MAX_SYMBOL}", None
    stripped = symbol.strip()
    if not stripped:
        return "is empty", "write the market, e.g. BTC-USD"
    if stripped == symbol and symbol.isprintable():
        return None  # (every usual symbol: a printable character is none of those categories)
    invisible = [c for c in symbol if unicodedata.category(c) in _INVISIBLE]
    if stripped == symbol and not invisible:
        return None  # an unassigned or private-use character: not one of these mistakes
    shown = repr(symbol) if len(symbol) <= 60 else repr(symbol[:57]) + "..."
    clean = "".join(c for c in stripped if unicodedata.category(c) not in _INVISIBLE)
    hint = (
        f"write {json.dumps(clean, ensure_ascii=False)}: {_CLEAN_HINT}" if clean else "write the market, e.g. BTC-USD"
    )
    if stripped != symbol:
        start, end = symbol[0] != stripped[0], symbol[-1] != stripped[-1]
        where = "both ends" if start and end else "its start" if start else "its end"
        return f"has whitespace at {where} ({shown})", hint
    bad = invisible[0]
    name = unicodedata.name(bad, "")
    return f"has a control or invisible character, U+{ord(bad):04X}{' ' + name if name else ''} ({shown})", hint
