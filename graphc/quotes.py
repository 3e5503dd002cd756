"""The quotes snapshot (spec §7): ``SYMBOL: {bid, ask, last?, mid?, tick?, lot?}``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from graphc.diagnostics import Diagnostic, Span
from graphc.files import read_source
from graphc.limits import limit
from graphc.lines import split_lines
from graphc.numbers import half, plain, plus, shown
from graphc.units import UnitError, parse_price
from graphc.venues import is_prediction, prediction_venue
from graphc.venues.profiles import QUOTE_PRICES, prediction_price_refusal

QUOTE_FIELDS = ("bid", "ask", "last", "mid", "tick", "lot")


@dataclass(frozen=True)
class Quote:
    bid: Decimal | None = None
    ask: Decimal | None = None
    last: Decimal | None = None
    mid: Decimal | None = None
    tick: Decimal | None = None
    lot: Decimal | None = None
    # Where a snapshot file writes each value (``(field, span)`` pairs, ``file`` set): a tick the market's venue
    # cannot have, and a price a prediction market cannot have, are reported there (graphc.venues.resolver,
    # graphc.lint). Not compared; shown in the repr, so the lint cache's key (CompileOptions.fingerprint) changes
    # when a value moves in the file.
    spans: tuple[tuple[str, Span], ...] = field(default=(), compare=False)

    def span_of(self, name: str) -> Span | None:
        """Where the snapshot file writes field ``name`` (None: not written there, or not read from a file)."""
        return next((span for key, span in self.spans if key == name), None)

    def without(self, names) -> Quote:
        """This quote without the fields ``names`` (prices a market does not use: graphc.venues.market_quote)."""
        gone: dict[str, Any] = dict.fromkeys(names)
        return replace(self, **gone)

    def base(self, name: str) -> Decimal | None:
        """The value of a price-template base (bid, ask, mid, last)."""
        if name == "mid" and self.mid is None and self.bid is not None and self.ask is not None:
            return half(plus(self.bid, self.ask))  # exact: a 40-digit quote's mid is not rounded to 28
        return getattr(self, name)


def quotes_from_data(data, doc) -> tuple[dict, list]:
    """Build ``{symbol: Quote}`` from a loaded snapshot document; diagnostics for bad entries.

    Each value is read by :func:`quote_value`, as ``--quotes live`` reads the
    router's answer: a price of 0 is an empty side (a one-sided book), a
    negative one is GC105, shown as the file writes it. A ``mid`` the file
    writes is used whatever the sides say (spec §4: ``mid`` = (bid+ask)/2
    "unless given"); only the router's mid of a one-sided book is dropped
    (:func:`book_quote`).
    """
    diagnostics = []
    quotes = {}
    if not isinstance(data, dict):
        return {}, [
            Diagnostic("GC103", "a quotes snapshot is a mapping of SYMBOL: {bid, ask, ...}", doc.path, doc.span(()))
        ]
    for symbol, entry in data.items():
        if not isinstance(entry, dict):
            diagnostics.append(
                Diagnostic(
                    "GC103", f"quote for {symbol!r} must be a mapping with bid/ask", doc.path, doc.span((symbol,))
                )
            )
            continue
        values: dict[str, Any] = {}  # the fields' values, and where the tick is written
        written: dict[str, str] = {}  # the sides as the file writes them (a crossed book names them so)
        for key, raw in entry.items():
            span = doc.span((symbol, key))
            if key not in QUOTE_FIELDS:
                diagnostics.append(
                    Diagnostic(
                        "GC102",
                        f"unknown quote field {key!r} for {symbol!r}",
                        doc.path,
                        doc.key_span((symbol, key)),
                        hint="quote fields are " + ", ".join(QUOTE_FIELDS),
                    )
                )
                continue
            if raw is None:
                continue
            try:
                written[key] = _written(doc.text, span, raw)
                values[key] = quote_value(key, raw, shown=written[key])
            except UnitError as exc:
                diagnostics.append(
                    Diagnostic(exc.code, f"quote {symbol}.{key}: {exc.message}", doc.path, span, hint=exc.hint)
                )
                continue
        why = crossed(values.get("bid"), values.get("ask"), written.get("bid"), written.get("ask"))
        if why is not None:  # neither side is used: which one is wrong is not known
            diagnostics.append(
                Diagnostic("GC105", f"quote {symbol}: {why}", doc.path, doc.span((symbol,)), hint=CROSSED_HINT)
            )
            values["bid"] = values["ask"] = None
        spans = ((key, doc.span((symbol, key))) for key in QUOTE_FIELDS if values.get(key) is not None)
        values["spans"] = tuple((key, span.replace(file=doc.path)) for key, span in spans if span is not None)
        quotes[str(symbol)] = Quote(**values)  # the user's own mid, if written, is the mid
    return quotes, diagnostics


def traded_here(symbol: str, venue: str | None, *, prediction: bool = False) -> str:
    """The note on the leg that trades a market whose quote (or config) value was not used: where it is traded,
    and, for a price a prediction market cannot have, that it is traded as one."""
    where = f" on {venue}" if venue else ""
    return f"{symbol} is traded as a prediction market{where} here" if prediction else f"{symbol} is traded{where} here"


def refused_text(symbol: str, refusal) -> str:
    """How a skip names a quote's price that was not used (a prediction market's outside 0 < p < 1, GC105 at the
    value: graphc.venues.market_quote): ``the quote's ask for X, 41, is not used (GC105: ...)``."""
    return (
        f"the quote's {refusal.key} for {symbol}, {plain(refusal.value)}, is not used "
        "(GC105: not a prediction market's price)"
    )


def _written(text: str, span, raw) -> str:
    """``raw`` as the snapshot writes it: the source text of its span (a number), else the text read."""
    if isinstance(raw, str):
        return raw
    if span is not None and span.line == span.end_line:
        lines = split_lines(text)
        if 1 <= span.line <= len(lines):
            written = lines[span.line - 1][span.col - 1 : span.end_col - 1].strip()
            if any(ch.isdigit() for ch in written):
                return written
    return str(raw)


# -- what a quote's values mean: one reading for a snapshot file, the Python API and the router's answer ------------

SIDES = ("bid", "ask")
PRICE_FIELDS = QUOTE_PRICES  # a 0 here is "no price"; tick and lot are grids and must be positive


def quote_value(field: str, raw, *, shown: str | None = None) -> Decimal | None:
    """The value of quote field ``field`` read exactly, or None when there is no price.

    A price (``bid``, ``ask``, ``last``, ``mid``) of exactly 0 is no price: it
    is how the router writes the empty side of a one-sided book
    (hosted-strategies.md: "Far-OTM Kalshi outcomes often have one-sided
    books"; its ``_probe_two_sided`` reads a missing bid as 0 and its log shows
    ``bid=0.99 ask=0``). Anything else must be a positive literal: a negative
    price, or a ``tick``/``lot`` of 0 or less, raises :class:`UnitError`
    (GC105) naming the value as ``shown`` (the text the user wrote), as does
    unreadable text; a value of the wrong type is GC103.
    """
    expr = parse_price(raw)
    shown = str(raw) if shown is None else shown
    if not expr.is_literal:
        raise UnitError("GC105", f"{shown} is not a price", "write a number, e.g. 0.55 or 55c")
    value = expr.literal
    if value == 0 and field in PRICE_FIELDS:
        return None
    if value <= 0:
        what = "a positive price" if field in PRICE_FIELDS else "positive"
        hint = (
            "write the price, or 0 for an empty side of the book"
            if field in PRICE_FIELDS
            else f"write the market's {field} size, e.g. 0.01, or leave {field} out"
        )
        raise UnitError("GC105", f"{shown} is not {what}", hint)
    return value


CROSSED_HINT = (
    "a bid above the ask is no market's book: check both sides (a digit dropped, or bid and ask swapped); "
    "a locked book (bid = ask) is fine"
)


def crossed(bid: Decimal | None, ask: Decimal | None, shown_bid=None, shown_ask=None) -> str | None:
    """``crossed: bid X > ask Y`` when the book's bid is above its ask (each shown as ``shown_*``, else as read),
    else None. No venue holds a crossed book, and an NBBO crossed is a data fault: notional sizing (the ask for a
    buy) and the risk checks (GC501 values a market order at the quote) would price at the wrong side, so such a
    quote is not used, from a snapshot (GC105 at the quote) or the router (a malformed answer, exit 3). A locked
    book (bid = ask) is a book."""
    if bid is None or ask is None or bid <= ask:
        return None
    return f"crossed: bid {shown_bid if shown_bid is not None else plain(bid)} > ask " + (
        shown_ask if shown_ask is not None else plain(ask)
    )


def book_quote(values: dict, *, one_sided: bool) -> Quote:
    """The router's answer ``values`` as a :class:`Quote`; with ``one_sided`` (a side of the book is empty)
    without its ``mid``.

    The router's midpoint of a book with one side empty is no price (its mid of
    bid 0.99 / ask 0 would be 0.495), so a ``mid`` base there is GC109, as a
    missing ``ask`` is for ``ask + 1 tick``. A snapshot file or the Python API
    does not come here: a mid the user wrote is the mid (spec §4, "unless given").
    """
    if one_sided:
        values = {**values, "mid": None}
    return Quote(**values)


def quote_mapping(quotes: Mapping) -> dict[str, Quote]:
    """Quotes given to the library as a mapping (docs/api.md: the compile and lint functions, and
    :func:`graphc.submit.prepare`): ``{symbol: Quote | {bid, ask, last, mid, tick, lot}}``, each field a
    ``Decimal``, ``int`` or ``str`` read as a snapshot file's value is (:func:`quote_value`: text such as ``$2325``,
    ``2,325.10``, ``55c`` or ``5k`` as the file's). A wrong argument
    raises: a float (not exact), anything but a mapping, or a symbol that is not text, ``TypeError``; an unknown field, a value that is not a
    price, a crossed book, ``ValueError`` naming the symbol and the field."""
    if not isinstance(quotes, Mapping):
        raise TypeError(f"quotes must be a path or a mapping of symbol -> quote, not {type(quotes).__name__}")
    out: dict[str, Quote] = {}
    for symbol, entry in quotes.items():
        if not isinstance(symbol, str):  # `{1: ...}` was kept as "1", a quote of no symbol (audit compat27 7)
            raise TypeError(f"quotes: a symbol is text, not {type(symbol).__name__} ({symbol!r})")
        if isinstance(entry, Quote):
            out[str(symbol)] = entry
            continue
        if not isinstance(entry, Mapping):
            raise TypeError(f"quote for {symbol!r} must be a Quote or a mapping of {', '.join(QUOTE_FIELDS)}")
        unknown = set(entry) - set(QUOTE_FIELDS)
        if unknown:
            raise ValueError(f"unknown quote field(s) {sorted(unknown)} for {symbol!r}")
        values: dict[str, Any] = {key: _given(symbol, key, value) for key, value in entry.items()}  # Quote's fields
        written = {key: value for key, value in entry.items() if isinstance(value, str)}  # `5k`, as a file says it
        why = crossed(values.get("bid"), values.get("ask"), written.get("bid"), written.get("ask"))
        if why is not None:
            raise ValueError(f"quote {symbol}: {why}")
        out[str(symbol)] = Quote(**values)  # as a snapshot file: a mid the caller wrote is the mid, sides or not
    return out


def _given(symbol: object, key: str, value: object) -> Decimal | None:
    """``value`` read as a snapshot file's value is (:func:`quote_value`, the one reader: a price of 0 is an empty
    side; text as the file's text, so ``$2325``, ``2,325.10``, ``2325 USD``, ``55c`` and ``5k`` are prices there
    too), given exactly: a float is refused."""
    if value is None:
        return None
    if isinstance(value, (bool, float)):
        raise TypeError(f"quote {symbol}.{key}: pass a Decimal, int or str, not {type(value).__name__} (not exact)")
    if isinstance(value, str):
        raw: object = value  # read as the file's text is
    else:
        try:
            raw = Decimal(value)  # type: ignore[arg-type]  # anything else is refused just below
        except (ArithmeticError, TypeError, ValueError):
            raise ValueError(f"quote {symbol}.{key}: {shown(value)} is not a number") from None
    try:
        return quote_value(key, raw, shown=value if isinstance(value, str) else shown(value))
    except UnitError as exc:
        raise ValueError(f"quote {symbol}.{key}: {exc.message}") from None


def load_quotes(path) -> tuple[dict, list]:
    """Read a YAML/JSON snapshot file. Unreadable file -> OSError for the caller (exit 2)."""
    from graphc.stages.load import load_text  # deferred: PyYAML; `graphc ledger` loads this module, parses nothing

    text = read_source(path, pipe_ok=True)  # `--quotes <(fetch-quotes)`: the operator's own pipe
    doc, diagnostics = load_text(text, str(path))
    if doc is None:
        return {}, diagnostics
    return quotes_from_data(doc.data, doc)


# -- `--quotes live`: quotes read from the router -----------------------------------------

LIVE = "live"  # the --quotes value that means "ask the router"
LIVE_WORKERS = 8  # concurrent quote requests
# Distinct symbols one `--quotes live` run asks the router for (sec16 9: a 7-line `for_each` playbook made 10,000
# authenticated requests); past it the rest are not asked and their checks are GC109 (docs/robustness.md).
MAX_LIVE_QUOTES = limit("MAX_LIVE_QUOTES", 200)


class LiveQuotes(dict):
    """``{symbol: Quote}`` read from the router, one request per distinct symbol, several at once, at most
    ``cap`` symbols in all (``GRAPHC_MAX_LIVE_QUOTES``): the ones past it are not asked and collect in
    ``not_asked``, which have no quote, as a symbol the router does not quote (GC109).

    ``fetch(symbol)`` returns a :class:`Quote`, or None when the router has no
    quote for it (those symbols collect in ``missing``), and raises when the
    router cannot be asked (unreachable, a bad key): :meth:`load` lets that
    propagate. Nothing is asked for twice, but for one case: a symbol read
    before graphc knew that a leg trades it as a prediction market (it was
    first needed by a ``quote()`` expression) is asked again as one.
    ``fetch(symbol, prediction=True)`` (graphc.api.client.Client.get_quote)
    asks for a symbol a leg trades as a prediction market, or whose shape names
    one (:func:`graphc.venues.prediction_venue`): an answer with a price no
    prediction market has is malformed (:func:`quote_from_router`).
    """

    def __init__(self, fetch, *, workers: int = LIVE_WORKERS, cap: int | None = None):
        super().__init__()
        self._fetch = fetch
        self._workers = workers
        self.cap = MAX_LIVE_QUOTES if cap is None else cap
        self.missing: set[str] = set()
        self.not_asked: dict[str, None] = {}  # in the order they were wanted
        self.prediction: set[str] = set()  # the symbols a leg trades as a prediction market (load's `prediction`)
        self._as_prediction: set[str] = set()  # the symbols asked for as a prediction market's
        # when they were read (before the first request: never younger than they are), so that a graph valued
        # with them is not sent once they are stale (graphc.submit.expired)
        self.read_at = datetime.now(UTC)

    def detach(self) -> None:
        """Forget the fetcher (it holds a connection): what is left is plain data, safe to pickle."""
        self._fetch = None

    def known(self, symbol) -> bool:
        return symbol in self or symbol in self.missing or symbol in self.not_asked

    def cap_note(self) -> str | None:
        """The note of a run that reached the cap (docs/robustness.md), which every command that reads live quotes
        prints once: how many symbols were asked, which were not, and the value that asks for all of them. None
        when every symbol was asked. The symbols are the playbook's text: the caller escapes them for its stream."""
        names = list(self.not_asked)
        if not names:
            return None
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        asked = len(self) + len(self.missing)
        return (
            f"--quotes live asked the router for {asked} symbols, the most one run asks "
            f"(GRAPHC_MAX_LIVE_QUOTES={self.cap}); {len(names)} more were not asked ({shown}), so the checks that "
            "need their quotes are skipped (GC109), and are errors where every quote is needed (compile, plan, "
            f"submit, run); to ask for all of them, set GRAPHC_MAX_LIVE_QUOTES={asked + len(names)}"
        )

    def is_prediction(self, symbol: str) -> bool:
        """Whether ``symbol`` is asked for as a prediction market's: a leg trades it as one, or its shape names one."""
        return symbol in self.prediction or prediction_venue(symbol) is not None

    def pending(self, symbols, prediction=()) -> bool:
        """Whether :meth:`load` of these would ask the router anything."""
        again = set(prediction) - self._as_prediction
        return any(not self.known(s) or (s in again and s in self) for s in symbols if isinstance(s, str))

    def load(self, symbols, prediction=()) -> None:
        """Ask for each of ``symbols`` not asked for yet; ``prediction`` names those a leg trades as a prediction
        market (a symbol quoted before it was known to be one is asked again, as one)."""
        self.prediction.update(s for s in prediction if isinstance(s, str))
        again = [s for s in self.prediction if s in self and s not in self._as_prediction]
        todo = [s for s in dict.fromkeys(symbols) if isinstance(s, str) and not self.known(s)]
        room = max(0, self.cap - len(self) - len(self.missing))
        if len(todo) > room:  # the cap: never more requests than that, however many symbols a playbook names
            self.not_asked.update(dict.fromkeys(todo[room:]))
            todo = todo[:room]
        todo += again
        if not todo:
            return
        if len(todo) == 1:
            answers = [self._ask(todo[0])]
        else:
            from concurrent.futures import ThreadPoolExecutor  # deferred: threads only for several live quotes at once

            with ThreadPoolExecutor(max_workers=min(self._workers, len(todo))) as pool:
                answers = list(pool.map(self._ask, todo))  # the first failure is re-raised here
        for symbol, quote in zip(todo, answers, strict=True):
            if quote is None:
                self.missing.add(symbol)
            else:
                self[symbol] = quote

    def _ask(self, symbol: str) -> Quote | None:
        if not self.is_prediction(symbol):
            return self._fetch(symbol)
        self._as_prediction.add(symbol)
        return self._fetch(symbol, prediction=True)


class RecordingQuotes(dict):
    """A snapshot that remembers every symbol looked up in it (to learn which quotes a playbook needs)."""

    def __init__(self, known=None):
        super().__init__(known or {})
        self.asked: list[str] = []

    def get(self, symbol, default=None):
        if isinstance(symbol, str) and symbol not in self.asked:
            self.asked.append(symbol)
        return super().get(symbol, default)


def prediction_symbols(wire) -> list[str]:
    """The symbols a node of ``wire`` trades as a prediction market (type ``prediction``, or a prediction venue
    pinned: graphc.venues.is_prediction), once each."""
    found: dict[str, None] = {}
    for instrument in _node_instruments(wire):
        venue, type_ = instrument.get("venue"), instrument.get("type")
        if is_prediction(venue if isinstance(venue, str) else None, type_ if isinstance(type_, str) else None):
            found[instrument["symbol"]] = None
    return list(found)


def _node_instruments(wire):
    """The instruments of ``wire``'s nodes that name a text symbol (anything else in a malformed graph: skipped)."""
    if not isinstance(wire, dict):
        return
    for node in wire.get("nodes") or []:
        instrument = node.get("instrument") if isinstance(node, dict) else None
        if isinstance(instrument, dict) and isinstance(instrument.get("symbol"), str):
            yield instrument


def wire_symbols(wire) -> list[str]:
    """The symbols a wire graph trades or watches (node instruments, then ``on_price`` triggers), once each."""
    if not isinstance(wire, dict):
        return []
    found: dict[str, None] = dict.fromkeys(instrument["symbol"] for instrument in _node_instruments(wire))
    for edge in wire.get("edges") or []:
        trigger = edge.get("trigger") if isinstance(edge, dict) else None
        on_price = trigger.get("on_price") if isinstance(trigger, dict) else None
        if isinstance(on_price, dict) and isinstance(on_price.get("symbol"), str):
            found[on_price["symbol"]] = None
    return list(found)


class MalformedQuote(ValueError):
    """The router answered a quote request with a value graphc refuses (NaN, negative, not a number): a router
    failure, not a missing quote. ``field`` names the value, ``shown`` is its text (escaped, cut short)."""

    def __init__(self, field: str, shown: str, reason: str):
        self.field, self.shown, self.reason = field, shown, reason
        super().__init__(f"its {field} is {shown}: {reason}")


def quote_from_router(payload, symbol: str | None = None, *, prediction: bool = False) -> Quote | None:
    """A :class:`Quote` from the router's quote answer to ``GET /v1/quotes?symbol=SYMBOL``, ``{"nbbo": {"bid",
    "ask", "mid"}, ...}``.

    Prices are read exactly (the caller parses JSON numbers as Decimal) by
    :func:`quote_value`, as a snapshot file is: a side that is missing, null or
    zero (a one-sided book) is None, and the book's mid with it. Optional
    ``last``, ``tick`` and ``lot`` at the top level are used when present.
    None when neither side has a price (``{}``, ``{"nbbo": null}``, ``{"nbbo":
    {}}``: the reference SDK's ``(q or {}).get("nbbo") or {}`` reads these as
    no quote): the router has no quote (GC109).

    A value is a JSON number or the text of a plain decimal number (``"2325.10"``,
    ``"1e-8"``): a JSON API writes no units, so ``"1k"``, ``"55c"``, ``"$97,250"``
    or ``"97250.5 USD"`` (which a playbook's human grammar would read) are not
    prices here. Such a value, one a snapshot would refuse (NaN, negative, a
    boolean), a ``bid``, ``ask`` or ``mid`` beside ``nbbo`` instead of in it, a
    crossed book (bid above ask: :func:`crossed`), a two-sided book's ``mid``
    outside its bid and ask, or an ``nbbo`` that is not a mapping, raises
    :class:`MalformedQuote`: the router did answer, with something graphc
    cannot use, which is a router failure (exit 3, docs/robustness.md "Exit
    codes"), not a market without a quote. So is an answer whose own ``symbol``
    names another market than ``symbol``, the one asked for (compared without
    case and surrounding spaces; an answer that names none is taken as the
    answer about it): its prices are another market's. With ``prediction``
    (a leg trades ``symbol`` as a prediction market, or its shape names one:
    :meth:`LiveQuotes.load`) so is a ``bid``, ``ask``, ``mid`` or ``last``
    outside 0 < p < 1, which no prediction market has (venue-rules.md §0, §4:
    ``{"bid": 40, "ask": 41}`` is cents), where a snapshot's is GC105.
    """
    if not isinstance(payload, dict):
        raise MalformedQuote("answer", _shown(payload), "not a JSON object")
    if payload.get("nbbo") is None:
        # the book's sides beside `nbbo` rather than in it: another shape than the reference's, not "no quote"
        for key in ("bid", "ask", "mid"):
            if payload.get(key) is not None:
                raise MalformedQuote(
                    key,
                    _shown(payload[key]),
                    'outside `nbbo` (the answer graphc reads is {"nbbo": {"bid", "ask", "mid"}})',
                )
    named = payload.get("symbol")
    if symbol is not None and named is not None:
        if not isinstance(named, str):
            raise MalformedQuote("symbol", _shown(named), f"not a symbol (it was asked for {_shown(symbol)})")
        if named.strip().casefold() != symbol.strip().casefold():
            raise MalformedQuote("symbol", _shown(named), f"another market than the one asked for, {_shown(symbol)}")
    nbbo = payload.get("nbbo")
    if nbbo is None:
        nbbo = {}
    elif not isinstance(nbbo, dict):
        raise MalformedQuote("nbbo", _shown(nbbo), "not a mapping of bid, ask, mid")
    values = {key: _value(key, nbbo.get(key)) for key in ("bid", "ask", "mid")}
    values.update({key: _value(key, payload.get(key)) for key in ("last", "tick", "lot")})
    if prediction:
        for key in QUOTE_PRICES:
            price = values[key]
            refused = None if price is None else prediction_price_refusal(price)
            if refused is not None:
                raise MalformedQuote(key, _shown(price), refused[0])
    if values["bid"] is None and values["ask"] is None:
        return None
    bid, ask = values["bid"], values["ask"]
    why = crossed(bid, ask, _shown(bid), _shown(ask))
    if why is not None:
        raise MalformedQuote("bid", _shown(bid), f"above its ask {_shown(ask)} ({why})")
    mid = values["mid"]
    if bid is not None and ask is not None and mid is not None and not bid <= mid <= ask:
        # a mid outside its own book: a `mid - 5bps` bid priced from it may cross, and GC406 measures against it
        raise MalformedQuote("mid", _shown(mid), f"outside its own bid {_shown(bid)} and ask {_shown(ask)}")
    return book_quote(values, one_sided=bid is None or ask is None)


# A JSON number written as text: what a router's value in quotes may be (`"2325.10"`, `"-1"`, `"1e-8"`); no unit,
# separator, sign other than `-`, or space (a playbook's `55c`, `1k`, `$97,250` are the human grammar, not JSON's)
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _value(field: str, value) -> Decimal | None:
    """Field ``field`` of the router's answer as :func:`quote_value` reads it; :class:`MalformedQuote` where it
    would refuse it (a boolean is no price either, though a snapshot's YAML reader would call it GC103), or where
    it is text other than a plain decimal number (:data:`_PLAIN_DECIMAL`)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise MalformedQuote(field, _shown(value), "not a number")
    if isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value) is None:
        raise MalformedQuote(field, _shown(value), "not a plain decimal number")
    try:
        return quote_value(field, value)
    except UnitError as exc:
        raise MalformedQuote(field, _shown(value), exc.message) from None


def _shown(value) -> str:
    """A value of the router's answer as a message shows it: its JSON-ish text, escaped (``ascii``), cut short."""
    if isinstance(value, str):
        text = ascii(value)
    elif isinstance(value, (bool, int, float, Decimal)):
        text = str(value)
    else:
        import json  # deferred: only a malformed answer needs it

        try:
            text = json.dumps(value, default=str)  # ensure_ascii: control characters come out escaped
        except (ValueError, RecursionError):
            text = type(value).__name__
    return text if len(text) <= 60 else text[:59] + "…"


def no_quote_reason(symbol: str, quotes) -> str:
    """Why a check that needs ``symbol``'s quote was skipped: no quotes given (``pass --quotes``), the router had
    none or was not asked (``--quotes live``), or the snapshot given has no entry for it, naming a key that is
    nearly it (``eth-usd`` for ``ETH-USD``: a symbol must match exactly, docs/playbooks.md)."""
    if isinstance(quotes, LiveQuotes):
        if symbol in quotes.not_asked:
            return f"no quote for {symbol!r}: not asked, past GRAPHC_MAX_LIVE_QUOTES"
        return f"no quote for {symbol!r}: the router has no quote for it"
    if not quotes:
        return f"no quote for {symbol!r} (pass --quotes)"
    return f"no quote for {symbol!r}: the quotes snapshot has no entry for it{_near_miss(symbol, quotes)}"


def _near_miss(symbol: str, quotes) -> str:
    """`` (did you mean 'eth-usd'?)`` for a snapshot key that is ``symbol`` in other case, else one spelt nearly
    as it (:func:`graphc.stages.suggest.did_you_mean`), else an empty string."""
    from graphc.stages.suggest import did_you_mean  # deferred: only a missing quote needs it

    folded = symbol.casefold()
    for key in quotes:
        if isinstance(key, str) and key.casefold() == folded:
            return f" (did you mean {key!r}?)"
    return did_you_mean(symbol, quotes)


def explain_missing(diagnostics, missing) -> list:
    """GC109 diagnostics about a symbol the router had no quote for, saying so (``--quotes live``)."""
    if not missing:
        return list(diagnostics)

    out = []
    for d in diagnostics:
        symbol = next((s for s in sorted(missing, key=len, reverse=True) if s in d.message), None)
        if d.code == "GC109" and symbol is not None:
            d = d.replace(
                message=f"{d.message} (the router has no quote for {symbol})",
                hint=f"GET /v1/quotes?symbol={symbol} gave no bid or ask: check the symbol, "
                "or run again when its market is quoted; a snapshot (--quotes FILE) works offline",
            )
        out.append(d)
    return out
