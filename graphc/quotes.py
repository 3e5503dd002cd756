"""The quotes snapshot (spec §7): ``SYMBOL: {bid, ask, last?, mid?, tick?, lot?}``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from graphc.diagnostics import Diagnostic
from graphc.files import read_source
from graphc.units import UnitError, parse_price

QUOTE_FIELDS = ("bid", "ask", "last", "mid", "tick", "lot")


@dataclass(frozen=True)
class Quote:
    bid: Decimal | None = None
    ask: Decimal | None = None
    last: Decimal | None = None
    mid: Decimal | None = None
    tick: Decimal | None = None
    lot: Decimal | None = None

    def base(self, name: str) -> Decimal | None:
        """The value of a price-template base (bid, ask, mid, last)."""
        if name == "mid" and self.mid is None and self.bid is not None and self.ask is not None:
            return (self.bid + self.ask) / 2
        return getattr(self, name)


def quotes_from_data(data, doc) -> tuple[dict, list]:
    """Build ``{symbol: Quote}`` from a loaded snapshot document; diagnostics for bad entries."""
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
        values = {}
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
                expr = parse_price(raw)
                if not expr.is_literal or expr.literal <= 0:
                    raise UnitError("GC105", f"{raw!r} is not a positive price")
                values[key] = expr.literal
            except UnitError as exc:
                diagnostics.append(
                    Diagnostic(exc.code, f"quote {symbol}.{key}: {exc.message}", doc.path, span, hint=exc.hint)
                )
        quotes[str(symbol)] = Quote(**values)
    return quotes, diagnostics


def load_quotes(path) -> tuple[dict, list]:
    """Read a YAML/JSON snapshot file. Unreadable file -> OSError for the caller (exit 2)."""
    from graphc.stages.load import load_text  # deferred: PyYAML; `graphc ledger` loads this module, parses nothing

    text = read_source(path)
    doc, diagnostics = load_text(text, str(path))
    if doc is None:
        return {}, diagnostics
    return quotes_from_data(doc.data, doc)


# -- `--quotes live`: quotes read from the router -----------------------------------------

LIVE = "live"  # the --quotes value that means "ask the router"
LIVE_WORKERS = 8  # concurrent quote requests


class LiveQuotes(dict):
    """``{symbol: Quote}`` read from the router, one request per distinct symbol, several at once.

    ``fetch(symbol)`` returns a :class:`Quote`, or None when the router has no
    quote for it (those symbols collect in ``missing``), and raises when the
    router cannot be asked (unreachable, a bad key): :meth:`load` lets that
    propagate. Nothing is asked for twice.
    """

    def __init__(self, fetch, *, workers: int = LIVE_WORKERS):
        super().__init__()
        self._fetch = fetch
        self._workers = workers
        self.missing: set[str] = set()

    def detach(self) -> None:
        """Forget the fetcher (it holds a connection): what is left is plain data, safe to pickle."""
        self._fetch = None

    def known(self, symbol) -> bool:
        return symbol in self or symbol in self.missing

    def load(self, symbols) -> None:
        todo = [s for s in dict.fromkeys(symbols) if isinstance(s, str) and not self.known(s)]
        if not todo:
            return
        if len(todo) == 1:
            answers = [self._fetch(todo[0])]
        else:
            from concurrent.futures import ThreadPoolExecutor  # deferred: threads only for several live quotes at once

            with ThreadPoolExecutor(max_workers=min(self._workers, len(todo))) as pool:
                answers = list(pool.map(self._fetch, todo))  # the first failure is re-raised here
        for symbol, quote in zip(todo, answers, strict=True):
            if quote is None:
                self.missing.add(symbol)
            else:
                self[symbol] = quote


class RecordingQuotes(dict):
    """A snapshot that remembers every symbol looked up in it (to learn which quotes a playbook needs)."""

    def __init__(self, known=None):
        super().__init__(known or {})
        self.asked: list[str] = []

    def get(self, symbol, default=None):
        if isinstance(symbol, str) and symbol not in self.asked:
            self.asked.append(symbol)
        return super().get(symbol, default)


def wire_symbols(wire) -> list[str]:
    """The symbols a wire graph trades or watches (node instruments, then ``on_price`` triggers), once each."""
    if not isinstance(wire, dict):
        return []
    found: dict[str, None] = {}
    for node in wire.get("nodes") or []:
        instrument = node.get("instrument") if isinstance(node, dict) else None
        if isinstance(instrument, dict) and isinstance(instrument.get("symbol"), str):
            found[instrument["symbol"]] = None
    for edge in wire.get("edges") or []:
        trigger = edge.get("trigger") if isinstance(edge, dict) else None
        on_price = trigger.get("on_price") if isinstance(trigger, dict) else None
        if isinstance(on_price, dict) and isinstance(on_price.get("symbol"), str):
            found[on_price["symbol"]] = None
    return list(found)


def quote_from_router(payload) -> Quote | None:
    """A :class:`Quote` from the router's quote answer, ``{"nbbo": {"bid", "ask", "mid"}, ...}``.

    Prices are read exactly (the caller parses JSON numbers as Decimal); a side
    that is missing, zero or negative (a one-sided book) is None. Optional
    ``last``, ``tick`` and ``lot`` at the top level are used when present. None
    when neither side has a price.
    """
    if not isinstance(payload, dict):
        return None
    nbbo = payload["nbbo"] if isinstance(payload.get("nbbo"), dict) else {}
    values = {
        "bid": _positive(nbbo.get("bid")),
        "ask": _positive(nbbo.get("ask")),
        "mid": _positive(nbbo.get("mid")),
        "last": _positive(payload.get("last")),
        "tick": _positive(payload.get("tick")),
        "lot": _positive(payload.get("lot")),
    }
    if values["bid"] is None and values["ask"] is None:
        return None
    if values["bid"] is None or values["ask"] is None:
        values["mid"] = None  # a mid of a one-sided book means nothing
    return Quote(**values)


def _positive(value) -> Decimal | None:
    """A positive, sanely sized price read exactly, else None (the number rules of a snapshot file)."""
    if isinstance(value, (bool, float)) or not isinstance(value, (int, str, Decimal)):
        return None
    try:
        expr = parse_price(value)
    except UnitError:
        return None
    return expr.literal if expr.is_literal and expr.literal > 0 else None


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
