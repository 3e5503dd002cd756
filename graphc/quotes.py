"""The quotes snapshot (spec §7): ``SYMBOL: {bid, ask, last?, mid?, tick?, lot?}``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from graphc.diagnostics import Diagnostic

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
    from graphc.units import UnitError, parse_price

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
    from graphc.files import read_source
    from graphc.stages.load import load_text

    text = read_source(path)
    doc, diagnostics = load_text(text, str(path))
    if doc is None:
        return {}, diagnostics
    return quotes_from_data(doc.data, doc)
