"""Stage 4: turn one playbook leg (human units) into a wire node.

Everything here is exact ``Decimal`` arithmetic. Errors are raised as
:class:`DiagnosticError` with the span of the offending field, and collected by
:mod:`graphc.stages.model`, which keeps going with the next leg.
"""

from __future__ import annotations

import re
from decimal import Decimal

from graphc.diagnostics import DiagnosticError, Related
from graphc.numbers import shown
from graphc.quotes import refused_text, traded_here
from graphc.stages.live import LiveValue
from graphc.stages.suggest import did_you_mean
from graphc.units import (
    INT64_MAX,
    QUOTE_BASES,
    SHARE_WORDS,
    SUFFIX_WORDS,
    UnitError,
    base_asset,
    dashed,
    divide_to_step,
    format_decimal,
    generated_price,
    parse_bps,
    parse_duration_ms,
    parse_number,
    parse_price,
    parse_quantity,
    plain_size,
    scaled_fast,
    to_scaled,
    undashed,
    unmarked,
)
from graphc.venues import MarketResolver, infer_instrument, market_quote, prediction_venue
from graphc.venues.prices import WIRE_QTY_STEP, size_step
from graphc.venues.profiles import Refusal, price_refusals
from graphc.vocabulary import DOLLARS, POLICIES, TIFS, URGENCIES

__all__ = ["LegContext", "infer_instrument"]

_TWAP_TEXT = re.compile(r"^\s*(?P<slices>\S+)\s+slices?\s+(?P<mode>every|over)\s+(?P<duration>.+?)\s*$", re.IGNORECASE)

# The memos below keep only keys of text this short in all: a value padded with whitespace still reads
# (parsers strip it), but it is read again each time rather than kept for the rest of the process.
MEMO_KEY_CHARS = 1024


_PAIR = re.compile(r"[A-Za-z0-9]+([-/_][A-Za-z0-9]+)?(-PERP)?", re.I)  # a spot or perp market's symbol shape


def memo_key(values) -> bool:
    """Whether field values may key a memo: each None or text (no other value equals a text), and short."""
    total = 0
    for value in values:
        if value is not None:
            if type(value) is not str:
                return False
            total += len(value)
    return total <= MEMO_KEY_CHARS


class LegContext:
    """What a leg needs from outside: its fields (defaults merged), where each came from, and the markets."""

    __slots__ = (
        "doc",
        "fields",
        "key",
        "leg_id",
        "notional",
        "quotes",
        "raw",
        "require_quotes",
        "resolver",
        "skips",
        "trigger",
        "trigger_unknown",
        "type_",
        "unaligned",
        "written_defaults",
    )

    def __init__(
        self,
        leg_id: str,
        fields: dict,
        doc,
        key,
        raw: dict,
        written_defaults: dict,
        quotes: dict,
        require_quotes: bool,
        resolver: MarketResolver,
    ):
        self.leg_id = leg_id
        self.fields = fields
        self.doc = doc  # the document, for span_of
        self.key = key  # the leg's key in `legs:` as read (leg_id is its text)
        self.raw = raw  # the leg's fields as written
        self.written_defaults = written_defaults  # `defaults:` as written
        self.quotes = quotes
        self.require_quotes = require_quotes  # compile: a missing quote is GC109; lint: the value is unknown (a skip)
        self.resolver = resolver  # market facts (spec §3.3), shared with lint
        self.trigger = None  # the projected level of the leg's on_price edge, for the `trigger` price base
        self.trigger_unknown = False  # lint without quotes: the level cannot be projected
        self.type_ = None  # the inferred instrument type, once known
        self.skips: list[tuple[str, str, str]] = []  # (code, the node's wire field, reason): the model makes Skips
        # (the limit as written, its price before the grids) of a template the grid alignment moved (GC404)
        self.unaligned: tuple[str, Decimal] | None = None
        # the dollars a notional size (`buy: $1`) was written as, which compile divided by the price and rounded
        # down to the lot: GC301 says so when that put the order under the venue's minimum (audit desk21 1)
        self.notional: Decimal | None = None

    def span_of(self, name):
        """The span to report field ``name`` at (``None``: the leg's key)."""
        return field_span(self.doc, self.key, self.raw, self.written_defaults, name)

    def value_span_of(self, name, key):
        """The span of the value of ``key`` in the mapping that field ``name`` holds, where that field is written."""
        if name in self.raw:
            return self.doc.span(("legs", self.key, name, key))
        if name in self.written_defaults:
            return self.doc.span(("defaults", name, key))
        return self.span_of(name)

    def key_span_of(self, name, key):
        """The span of the key ``key`` in the mapping that field ``name`` holds, where that field is written."""
        if name in self.raw:
            return self.doc.key_span(("legs", self.key, name, key))
        if name in self.written_defaults:
            return self.doc.key_span(("defaults", name, key))
        return self.span_of(name)


def field_span(doc, key, raw: dict, written_defaults: dict, name):
    """Where field ``name`` of the leg ``key`` (its fields ``raw`` as written) is reported: at its value in the
    leg, else in `defaults:` (as written), else at the leg's key; ``None``: at the leg's key."""
    if name is None:
        return doc.key_span(("legs", key))
    if name in raw:
        return doc.span(("legs", key, name))
    if name in written_defaults:
        return doc.span(("defaults", name))
    return doc.key_span(("legs", key))


def _text(ctx, name, *, required=False):
    value = ctx.fields.get(name)
    if value is None:
        if required:
            raise DiagnosticError("GC104", f"leg {ctx.leg_id!r} needs `{name}:`", ctx.span_of(None))
        return None
    if not isinstance(value, str):
        raise DiagnosticError("GC103", f"`{name}` must be text, not {_kind(value)}", ctx.span_of(name))
    return value


def _choice(ctx, name, choices, *, transform=str.lower):
    value = _text(ctx, name)
    if value is None:
        return None
    normalised = transform(value.strip())
    if normalised not in choices:
        raise DiagnosticError(
            "GC103",
            f"`{name}: {value}` is not one of {', '.join(choices)}{did_you_mean(normalised, choices)}",
            ctx.span_of(name),
        )
    return normalised


def _kind(value) -> str:
    return {bool: "a boolean", dict: "a mapping", list: "a list", type(None): "empty"}.get(type(value), "a number")


def _unit_call(ctx, name, fn, value):
    try:
        return fn(value)
    except UnitError as exc:
        raise located(ctx, name, exc) from None


def located(ctx, name, exc: UnitError) -> DiagnosticError:
    """A unit error in field ``name`` as a diagnostic at that field."""
    return DiagnosticError(exc.code, f"`{name}`: {exc.message}", ctx.span_of(name), exc.hint)


# How the skip of a value that quote() gives at run time ends (CompileOptions.live_quotes: `graphc bundle`)
LIVE_QUOTE_SKIP = ", read when the strategy runs"


def _other_asset_hint(ctx, asset: str, amount, symbol: str, venue, type_, expected: str, field: str) -> str:
    """The GC105 hint for a size in an asset the market does not trade. Never the same number in the traded
    asset: `1,000 USDC` on SOL-USDC meant $1,000 of SOL, not 1000 SOL (cmds16 2: the hint offered a trade 143
    times the size meant). An amount in the market's own quote currency is a notional: in dollars graphc divides
    it by the price (spec §3.2); in another currency it has no notional sizes."""
    quote = ctx.resolver.facts(symbol, venue, type_).cost_unit if type_ != "prediction" else None
    plain_base = type_ != "prediction" and undashed(symbol) is not None  # BTCUSDT: "the size in BTCUSDT" is no help
    if quote is not None and asset.upper() == quote.upper():
        what = "its base asset" if plain_base else expected
        if quote.upper() in DOLLARS:
            return (
                f"{asset} is {symbol}'s quote currency: for {what} worth {format_decimal(amount)} {asset} "
                f"write `${format_decimal(amount)}` (graphc divides it by the price), else "
                f"{_in_base(symbol, quote, field)}"
            )
        return (
            f"{asset} is {symbol}'s quote currency, and graphc sizes an order in dollars or in the asset it "
            f"trades (it has no exchange rates): write {_in_base(symbol, quote, field)}"
        )
    if plain_base:
        return f"write {_in_base(symbol, quote, field, asset, amount)}"
    return f"write the size in {expected} (graphc does not convert {asset} into {expected})"


def _in_base(symbol: str, quote: str | None, field: str, asset: str | None = None, amount=None) -> str:
    """How to size an order in ``symbol``'s base asset, after "write": ``the size in ETH``; on a symbol without '-'
    (BTCUSDT), whose base asset graphc reads as its whole name (spec §3.2), a plain number (base units: `buy: 0.5`
    when the size was written in the asset that BTC-USDT would name), or the symbol written with '-' (audit desk21
    2: "write the size in BTCUSDT" could not be followed)."""
    if undashed(symbol) is None:
        return f"the size in {base_asset(symbol)}"
    split = dashed(symbol, quote, asset)
    number = "a plain number of base units"
    if split is not None and asset is not None and amount is not None and split.split("-")[0].upper() == asset.upper():
        number += f" (`{field}: {format_decimal(amount)}`)"
    named = f"`{split}`" if split is not None else "BASE-QUOTE, with a '-'"
    return f"{number}, or the symbol as {named} if the venue accepts it"


def _check_live_form(ctx, name, check, raw: LiveValue) -> None:
    """The form of a value read when a bundled strategy runs, checked on its stand-in (every quote field 1): a
    unit that does not fit the market or text that is no size or price is GC105 now, as it would be at every
    run; what depends on the number (its size, sign, precision) stays unknown (review13 3)."""
    sample = raw.sample
    if sample is None:
        return
    from graphc.stages.expressions import to_text  # deferred: Jinja2; only a bundled template makes a LiveValue

    skips = len(ctx.skips)
    try:
        check(sample if isinstance(sample, str) else to_text(unmarked(sample)))
    except DiagnosticError as exc:
        if exc.code == "GC105":
            raise DiagnosticError(
                "GC105",
                f"`{name}: {' '.join(raw.split())}` (its quote is read when the strategy runs; written here with every "
                f"quote field 1): {exc.message}",
                ctx.span_of(name),
                exc.hint,
            ) from None
    finally:
        del ctx.skips[skips:]


def side_and_quantity(ctx):
    """Exactly one of ``buy: Q``, ``sell: Q`` or ``side`` + ``qty``. Returns (side, raw qty, field name)."""
    fields = ctx.fields
    if "side" not in fields and "qty" not in fields:  # the usual short form: only `buy` or only `sell`
        buy, sell = fields.get("buy"), fields.get("sell")
        if buy is not None and sell is None:
            return "buy", buy, "buy"
        if sell is not None and buy is None:
            return "sell", sell, "sell"
    present = [k for k in ("buy", "sell") if ctx.fields.get(k) is not None]
    long_form = [k for k in ("side", "qty") if ctx.fields.get(k) is not None]
    if both_forms(present + long_form):
        raise _given_twice(ctx, present + long_form)
    if present:
        return present[0], ctx.fields[present[0]], present[0]
    empty = [k for k in ("buy", "sell", "side", "qty") if k in fields and fields[k] is None]
    if empty and (not long_form or empty[0] in ("side", "qty")):
        # `buy:` with nothing after it gives the side; its size is what is missing: the schema's GC103 at the
        # value says it (the pipeline keeps one finding per code and place), not "has no side and quantity" at
        # the leg's key (audit spec28 5)
        raise DiagnosticError(
            "GC103",
            f"`{empty[0]}` is empty",
            ctx.span_of(empty[0]),
            "write the size, e.g. `buy: 200 ETH`" if empty[0] != "side" else "write `side: buy` or `side: sell`",
        )
    if not long_form:
        raise DiagnosticError(
            "GC104",
            f"leg {ctx.leg_id!r} has no side and quantity",
            ctx.span_of(None),
            "add `buy: 200 ETH` (or `sell:`), or `side: buy` with `qty: 200 ETH`",
        )
    side = _choice(ctx, "side", ("buy", "sell"))
    if side is None:
        raise DiagnosticError(
            "GC104",
            f"leg {ctx.leg_id!r} has `qty` but no `side`",
            ctx.span_of("qty"),
            "add `side: buy` or `side: sell`",
        )
    if ctx.fields.get("qty") is None:
        raise DiagnosticError(
            "GC104",
            f"leg {ctx.leg_id!r} has `side` but no `qty`",
            ctx.span_of("side"),
            "add `qty: ...`, e.g. `qty: 200 ETH`",
        )
    return side, ctx.fields["qty"], "qty"


def both_forms(keys: list[str]) -> bool:
    """Whether ``keys`` (of ``buy``, ``sell``, ``side``, ``qty``, in that order) give a side and size twice."""
    shorthand = [k for k in keys if k in ("buy", "sell")]
    return len(shorthand) > 1 or (bool(shorthand) and len(keys) > len(shorthand))


def _given_twice(ctx, keys: list[str]) -> DiagnosticError:
    """GC103 for a leg whose fields (``defaults:`` merged in) give its side and size twice, saying where each
    key came from. Each key is its own field: a leg's ``sell`` replaces a default ``sell``, never a default
    ``buy`` (docs/playbooks.md "Defaults": graphc does not choose between two sides)."""
    own = [k for k in keys if k in ctx.raw]
    inherited = [k for k in keys if k not in ctx.raw]
    if not inherited or both_forms(own):  # the leg alone gives both, as written
        both = own if both_forms(own) else keys
        return DiagnosticError(
            "GC103",
            f"leg {ctx.leg_id!r} gives both `{both[0]}` and `{both[1]}`",
            ctx.span_of(both[1]),
            "use `buy: Q`, `sell: Q`, or `side` + `qty`, exactly one",
        )
    if not own or both_forms(inherited):  # `defaults:` alone gives both: every leg takes them
        pair = inherited[:2]  # (a shorthand first, then the other form's key or the other shorthand)
        at = ctx.span_of(pair[1])
        lines = _lines((ctx.doc.span(("defaults", k)) for k in pair), at)
        return DiagnosticError(
            "GC103",
            f"`defaults` gives both `{pair[0]}` and `{pair[1]}`{lines}, and leg {ctx.leg_id!r} takes them",
            at,
            "give defaults one of `buy: Q`, `sell: Q`, or `side` + `qty`, or leave the side and size to each leg",
        )
    at = ctx.span_of(own[0])
    lines = _lines((ctx.doc.span(("defaults", k)) for k in inherited), at)
    message = (
        f"leg {ctx.leg_id!r} has {_keys(inherited)} from defaults{lines} and {_keys(own)} here: a leg gives its "
        "side and size once"
    )
    if any(k in ("buy", "sell") for k in inherited):  # a shorthand default: no key of the leg can replace it
        shorthand = next(k for k in inherited if k in ("buy", "sell"))
        leaves = "leaves" if len(own) == 1 else "leave"
        hint = (
            f"a leg's key replaces only the same key of defaults, so {_keys(own)} {leaves} the default "
            f"`{shorthand}` in place: drop `{shorthand}` from defaults and give each leg its own side and size"
        )
    else:  # `side`/`qty` defaults: the leg's own `side` and `qty` replace them
        side, size = own[0], ctx.raw[own[0]]
        hint = (
            f"a leg's key replaces only the same key of defaults: write this leg as `side: {side}` with "
            f"`qty: {size if isinstance(size, str) else shown(size)}`, or drop {_keys(inherited)} from defaults"
        )
    return DiagnosticError("GC103", message, at, hint)


def _keys(keys: list[str]) -> str:
    """```side` and `qty``` (a list of field names, as a message names them)."""
    named = [f"`{k}`" for k in keys]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _lines(spans, at) -> str:
    """`` (line 4)`` / `` (lines 4 and 5)``: the lines of ``spans`` (those known), or ''; with the file they are in
    when it is not that of the diagnostic's span ``at`` (a leg of a ``use:`` template takes the playbook's
    ``defaults:``)."""
    known = [span for span in spans if span is not None]
    lines = sorted({span.line for span in known})
    if not lines:
        return ""
    file, here = known[0].file, at.file if at is not None else None
    where = "" if file == here else f" of {file}" if file else " of the playbook"
    if len(lines) == 1:
        return f" (line {lines[0]}{where})"
    return f" (lines {', '.join(map(str, lines[:-1]))} and {lines[-1]}{where})"


def resolve_limit(ctx, side, symbol, venue):
    """Returns (price Decimal | None for unknown | False for market order, is_template)."""
    raw = ctx.fields.get("limit")
    if raw is None:
        return False, False
    if isinstance(raw, LiveValue):  # quote() in a bundled template: the price is known when the strategy runs
        _check_live_form(ctx, "limit", lambda sample: _unit_call(ctx, "limit", parse_price, sample), raw)
        ctx.skips.append(("GC109", "order_type", f"price {shown(raw)} needs a quote for {raw.symbol}{LIVE_QUOTE_SKIP}"))
        return None, True
    expr = _unit_call(ctx, "limit", parse_price, raw)
    if expr.is_literal:
        if expr.literal <= 0:
            raise DiagnosticError("GC103", f"limit price {raw} must be positive", ctx.span_of("limit"))
        return expr.literal, False
    written = ctx.quotes.get(symbol)
    quote = market_quote(written, venue, ctx.type_)  # without a price its market cannot have
    if expr.base == "trigger" and ctx.trigger_unknown:
        return None, True  # the skip is recorded where the level was looked for
    if quote is None and expr.base in QUOTE_BASES and not ctx.require_quotes:
        return _unknown_price(ctx, raw, symbol), True  # lint without a quote: nothing to resolve against
    if quote is not written and expr.base in QUOTE_BASES and quote.base(expr.base) is None:
        refusal = _refused(written, quote, expr.base)
        if refusal is not None:  # the base is there, and not used: not worked out from the wrong price
            if not ctx.require_quotes:
                ctx.skips.append(("GC109", "order_type", f"price {shown(raw)}: {refused_text(symbol, refusal)}"))
                return None, True
            raise _refusal_error(ctx, written, symbol, venue, refusal)
    market = ctx.resolver.facts(symbol, venue, ctx.type_)
    try:
        price, unaligned = generated_price(expr, side=side, quote=quote, market=market, trigger=ctx.trigger)
        if unaligned != price:
            ctx.unaligned = (str(raw), unaligned)
        return price, True
    except UnitError as exc:
        if exc.code == "GC109" and not ctx.require_quotes:
            return _unknown_price(ctx, raw, symbol), True
        if exc.code == "GC109" and quote is not None:  # the quote is there: a fact of the market (a tick) is not
            raise DiagnosticError(
                "GC109", f"`limit: {raw}` on {symbol}: {exc.message}", ctx.span_of("limit"), exc.hint
            ) from None
        if exc.code == "GC109":
            raise DiagnosticError(
                "GC109",
                f"`limit: {raw}` needs a quote for {symbol}: {exc.message}",
                ctx.span_of("limit"),
                f"add {symbol} with bid/ask (and tick) to the quotes snapshot (--quotes FILE), "
                "or write a literal price",
            ) from None
        raise DiagnosticError(exc.code, f"`limit: {raw}`: {exc.message}", ctx.span_of("limit"), exc.hint) from None


def _unknown_price(ctx, raw, symbol):
    """A price lint cannot know without a quote: recorded as a skip, and None."""
    ctx.skips.append(("GC109", "order_type", f"price {shown(raw)} needs a quote for {symbol}; pass --quotes"))
    return None


# (size text as written, symbol, instrument type) -> qty_1e8, or "derived": sizes not in money, which no price
# or market changes. Text sizes only: no other value (True == 1 == 1.0) can find one.
_SIZES: dict[tuple, int | str] = {}
# (money, price, lot) of a notional size -> its qty_1e8 (exact: divide_to_step, then to_scaled).
_NOTIONALS: dict[tuple, int] = {}


def quantity(ctx, raw, field_name, *, side, symbol, type_, venue, price):
    """The wire quantity: {"fixed": {"qty_1e8": N}}, "derived", or None when unknown (lint without quotes)."""
    if isinstance(raw, LiveValue):  # quote() in a bundled template: the size is known when the strategy runs
        _check_live_form(
            ctx,
            field_name,
            lambda sample: quantity(
                ctx, sample, field_name, side=side, symbol=symbol, type_=type_, venue=venue, price=price
            ),
            raw,
        )
        ctx.skips.append(("GC109", "quantity", f"size {shown(raw)} needs a quote for {raw.symbol}{LIVE_QUOTE_SKIP}"))
        return None
    kind = type(raw)
    if kind is str:
        if raw == "derived":
            return raw
        known = _SIZES.get((raw, symbol, type_))
        if known is not None:
            return known if known == "derived" else {"fixed": {"qty_1e8": known}}
        plain = plain_size(raw)  # '250 contracts', '1.5 ETH': parse_quantity and to_scaled in one step
        if plain is not None:
            unit, qty_1e8 = plain
            if (
                type_ == "prediction"
                if unit in SHARE_WORDS
                else unit != "usd" and type_ != "prediction" and unit.upper() == base_asset(symbol)
            ):
                _keep_size(raw, symbol, type_, qty_1e8)
                return {"fixed": {"qty_1e8": qty_1e8}}
    elif kind is Decimal or kind is int:  # not bool, not float: True == 1 == 1.0
        qty_1e8 = scaled_fast(raw, 8)  # a size in base units: no symbol or market changes it
        if qty_1e8 is not None:
            return {"fixed": {"qty_1e8": qty_1e8}}
    q = _unit_call(ctx, field_name, parse_quantity, raw)
    if q.kind == "derived":
        _keep_size(raw, symbol, type_, "derived")
        return "derived"
    amount = q.amount
    if q.kind == "asset" and (type_ == "prediction" or q.asset != base_asset(symbol)):
        expected = "shares" if type_ == "prediction" else base_asset(symbol)
        if q.asset.lower() in SUFFIX_WORDS:  # '1.5 m': a suffix after a space reads as an asset named M
            raise DiagnosticError(
                "GC105",
                f"quantity {shown(raw)}: `{q.asset.lower()}` after a space is read as an asset, not as a multiplier",
                ctx.span_of(field_name),
                f"write `{format_decimal(amount)}{q.asset.lower()}` (no space) for a multiple, or "
                f"`{format_decimal(amount)} {expected}`",
            )
        why = undashed(symbol) if type_ != "prediction" else None  # BTCUSDT: not "BTCUSDT trades BTCUSDT"
        raise DiagnosticError(
            "GC105",
            f"quantity {shown(raw)} is in {q.asset}, but {why}"
            if why
            else f"quantity {shown(raw)} is in {q.asset} but {symbol} trades {expected}",
            ctx.span_of(field_name),
            _other_asset_hint(ctx, q.asset, amount, symbol, venue, type_, expected, field_name),
        )
    if q.kind == "shares" and type_ != "prediction":
        shaped = prediction_venue(symbol)
        if shaped:  # only an explicit `type:` makes such a symbol spot or perp (spec §3.1; GC306)
            why = f"{symbol} is a {shaped} market, but `type: {type_}` makes it {type_}"
            hint = "drop the `type:` line (graphc infers prediction from the symbol) or write `type: prediction`"
        elif _PAIR.fullmatch(symbol):  # ETH-USD, BTCUSDT, SOL-USD-PERP: an exchange's market
            quote = ctx.resolver.facts(symbol, venue, type_).cost_unit
            why, hint = f"{symbol} is {type_}", f"write {_in_base(symbol, quote, field_name)}"
        else:  # FED-23DEC-T3.00, polymarket.com/event/...: a prediction market graphc cannot place by its shape
            why = f"graphc reads {symbol} as {type_}"
            quote = ctx.resolver.facts(symbol, venue, type_).cost_unit
            hint = (
                f"if {symbol} is a prediction market, pin `venue: polymarket` or `venue: kalshi`; "
                f"else write {_in_base(symbol, quote, field_name)}"
            )
        raise DiagnosticError(
            "GC105",
            f"{shown(raw)}: shares/contracts are for prediction legs; {why}",
            ctx.span_of(field_name),
            hint,
        )
    if q.kind == "notional":
        unit = ctx.resolver.facts(symbol, venue, type_).cost_unit
        if unit not in DOLLARS:  # dollars divided by a price in bitcoin or yen are not a size
            priced = f"{symbol} is priced in {unit}" if unit else f"the currency of {symbol}'s prices is unknown"
            base = base_asset(symbol)
            hint = f"write {_in_base(symbol, unit, field_name)}"
            if base.upper() in DOLLARS:  # `1000 USD` on USD-JPY: the size is already in the base asset
                hint = (
                    f"{base} is {symbol}'s base asset: write a size in {base} as a plain number, "
                    f"`{format_decimal(amount)}`"
                )
            raise DiagnosticError(
                "GC105",
                f"notional size {shown(raw)} is in dollars, but {priced} (graphc has no exchange rates)",
                ctx.span_of(field_name),
                hint,
            )
        reference = price if price else _quote_side(ctx, symbol, side, venue, type_)
        if reference is None:
            written = ctx.quotes.get(symbol)
            refusal = _refused(written, market_quote(written, venue, type_), "ask" if side == "buy" else "bid")
            if refusal is not None:  # the side is there, and not used: the size is not worked out from it
                if not ctx.require_quotes:
                    ctx.skips.append(("GC109", "quantity", f"notional {shown(raw)}: {refused_text(symbol, refusal)}"))
                    return None
                raise _refusal_error(ctx, written, symbol, venue, refusal)
        if reference is None:
            if not ctx.require_quotes:
                ctx.skips.append(
                    ("GC109", "quantity", f"notional {shown(raw)} needs a price for {symbol}; pass --quotes")
                )
                return None
            needed = "ask" if side == "buy" else "bid"
            missing = (
                f"no quote for {symbol}" if ctx.quotes.get(symbol) is None else f"{symbol}'s quote has no {needed}"
            )
            raise DiagnosticError(
                "GC109",
                f"notional size {shown(raw)} needs a price: no limit and {missing}",
                ctx.span_of(field_name),
                f"add a `limit:` or put {symbol} in the quotes snapshot (--quotes FILE)",
            )
        lot = ctx.resolver.facts(symbol, venue, type_).lot
        step = size_step(lot)  # spec §3.2: down to the lot, and so that the wire's 1e-8 writes it exactly
        notional = (amount, reference, step)  # equal numbers size equally
        ctx.notional = amount
        try:
            known = _NOTIONALS.get(notional)
        except TypeError:  # a signalling NaN cannot be hashed: read as written
            known = notional = None
        if known is not None:
            return {"fixed": {"qty_1e8": known}}
        if amount <= 0:  # not "buys (sells) less than one lot": it is not a small amount
            raise DiagnosticError("GC103", f"notional {shown(raw)} must be positive", ctx.span_of(field_name))
        amount = divide_to_step(amount, reference, step)
        if amount <= 0:
            raise DiagnosticError(
                "GC103",
                f"notional {shown(raw)} {'sells' if side == 'sell' else 'buys'} less than "
                f"{_one_step(lot, step, format_decimal(reference))}",
                ctx.span_of(field_name),
                "raise the notional",
            )
    if amount <= 0:
        raise DiagnosticError("GC103", f"quantity {shown(raw)} must be positive", ctx.span_of(field_name))
    try:
        qty_1e8 = to_scaled(amount, 8, "quantity")
    except UnitError as exc:
        raise located(ctx, field_name, exc) from None
    if q.kind != "notional":
        _keep_size(raw, symbol, type_, qty_1e8)
    elif notional is not None and len(_NOTIONALS) < 8192:  # by (money, price, lot): the price varies
        _NOTIONALS[notional] = qty_1e8
    return {"fixed": {"qty_1e8": qty_1e8}}


def _one_step(lot: Decimal | None, step: Decimal, at: str) -> str:
    """What a notional under one ``step`` (:func:`~graphc.venues.prices.size_step` of ``lot``) buys (or sells)
    less than at the price ``at``."""
    if lot is None or lot == step:
        return f"one lot ({format_decimal(step)}) at {at}"
    wire = format_decimal(WIRE_QTY_STEP)
    return (
        f"{format_decimal(step)} at {at}, the smallest size on both the {format_decimal(lot)} lot and the wire's "
        f"{wire} scale"
    )


def _keep_size(raw, symbol, type_, value) -> None:
    if type(raw) is str and len(raw) <= MEMO_KEY_CHARS and len(_SIZES) < 8192:
        _SIZES[raw, symbol, type_] = value


def _quote_side(ctx, symbol, side, venue, type_):
    """The quote's price a notional is sized at (the ask for a buy, the bid for a sell), as the market uses it."""
    quote = market_quote(ctx.quotes.get(symbol), venue, type_)
    if quote is None:
        return None
    return quote.ask if side == "buy" else quote.bid


def _refused(written, usable, base: str) -> Refusal | None:
    """The refusal of the price the template base (or side) ``base`` reads when ``written``, a quote, has it and
    ``usable``, the quote as the market uses it (graphc.venues.market_quote), does not; else None. A ``mid`` not
    written is worked out from both sides: the refusal of a side."""
    if written is None or usable is written or written.base(base) is None:
        return None
    refusals = {refusal.key: refusal for refusal in price_refusals(written)}
    keys = (base,) if base != "mid" or written.mid is not None else ("bid", "ask")
    return next((refusals[key] for key in keys if key in refusals), None)


def _refusal_error(ctx, quote, symbol: str, venue, refusal: Refusal) -> DiagnosticError:
    """A price a leg needs that its market does not use (``ask: 41`` on Kalshi): GC105 at the value in the quotes
    snapshot (at the leg's symbol when the quote was not read from a file), with a note on the leg, said once, as
    lint reports it (graphc.lint.refused_ticks)."""
    leg = ctx.span_of("symbol")
    where = quote.span_of(refusal.key)
    note = Related(ctx.doc.path, leg, traded_here(symbol, venue, prediction=True))
    span = leg if where is None else where.replace(via=note)
    return DiagnosticError("GC105", f"quote {symbol}.{refusal.key}: {refusal.why}", span, refusal.hint, once=True)


# (execution field, its value as written) -> what it reads as: a desk's playbooks use a handful of policies,
# urgencies, slippages, horizons, tifs and twaps, each read once per process whichever legs combine them.
# Text values and twap mapping keys only: no other value (True == 1) can find one.
_EXECUTION_READS: dict[tuple, object] = {}


def execution(ctx):
    """The wire ``execution`` object: policy first, then only the fields the playbook gave."""
    get = ctx.fields.get  # most legs give none of these: look before reading
    reads = _EXECUTION_READS  # a text read before is looked up here, without a call (any text may look)
    raw = get("policy")
    if raw is None:
        out = {"policy": "sor"}
    else:
        known = reads.get(("policy", raw)) if type(raw) is str else None
        out = {"policy": (_execution_field(ctx, "policy", raw) if known is None else known) or "sor"}
    raw = get("urgency")
    if raw is not None:
        known = reads.get(("urgency", raw)) if type(raw) is str else None
        urgency = _execution_field(ctx, "urgency", raw) if known is None else known
        if urgency:
            out["urgency"] = urgency
    raw = get("slippage")
    if raw is not None:
        known = reads.get(("slippage", raw)) if type(raw) is str else None
        out["max_slippage_bps"] = _execution_field(ctx, "slippage", raw) if known is None else known
    raw = get("horizon")
    if raw is not None:
        known = reads.get(("horizon", raw)) if type(raw) is str else None
        out["horizon_ms"] = _execution_field(ctx, "horizon", raw) if known is None else known
    raw = get("tif")
    if raw is not None:
        known = reads.get(("tif", raw)) if type(raw) is str else None
        tif = _execution_field(ctx, "tif", raw) if known is None else known
        if tif:
            out["tif"] = tif
    raw = get("twap")
    if raw is not None:
        out["pacing"] = {"uniform": _execution_field(ctx, "twap", raw).copy()}  # each node owns its dict
    return out


def _execution_field(ctx, name, raw):
    """Execution field ``name`` (written ``raw``, not None) read, or remembered from an earlier read."""
    kind = type(raw)
    if kind is str:
        key = (name, raw) if len(raw) <= MEMO_KEY_CHARS else None
    elif kind is dict and name == "twap":
        key = _twap_key(raw)
        key = None if key is raw else (name, key)
    else:
        key = None
    if key is not None:
        known = _EXECUTION_READS.get(key)
        if known is not None:
            return known
    known = _EXECUTION_READERS[name](ctx, raw)  # a read that raised is not kept: it is reported each time
    if key is not None and len(_EXECUTION_READS) < 4096:
        _EXECUTION_READS[key] = known
    return known


_TWAP_MAPPING = object()  # marks a twap mapping's key: no value written in a playbook is this


def _twap_key(raw: dict):
    """``{slices: 5, every: 30s}`` as a memo key when each key is text and each value text or an int, else ``raw``."""
    items = tuple(raw.items())
    for name, value in items:
        if type(name) is not str or (type(value) is not str and type(value) is not int):
            return raw
        if type(value) is str and len(value) > MEMO_KEY_CHARS:
            return raw
    return (_TWAP_MAPPING, items)


def _twap_lacks(no_slices: bool, modes: int) -> str:
    """What a twap mapping lacks (or has too much of), given whether `slices` is missing and how many of `every`
    and `over` it has (not 1 with slices there). One finding for the mapping: the schema's "needs `slices:`" at
    its key is a part of this one (graphc.pipeline drops it, review14 6). GC104 when a key is missing; `slices`
    there with both `every` and `over` is GC103 at the second of them (spec §8: an invalid value, as `buy:` with
    `side:` is), which a bad `slices` beside it does not hide (review12 3)."""
    one = "one of `every` or `over`"
    if modes == 1:
        return "twap needs `slices`"
    if modes == 0:
        return f"twap needs `slices` and {one}" if no_slices else f"twap needs {one}"
    return f"twap needs `slices`, and takes {one}, not both" if no_slices else f"twap takes {one}, not both"


def twap(ctx, raw):
    """``10 slices every 30s`` | {slices, every} | {slices, over} -> {num_slices, interval_ms}."""
    if isinstance(raw, str):
        match = _TWAP_TEXT.match(raw)
        if not match:
            raise DiagnosticError(
                "GC105",
                f"cannot read twap {raw!r}",
                ctx.span_of("twap"),
                "write `10 slices every 30s` or `10 slices over 5m`",
            )
        slices_raw, mode, duration_raw = match["slices"], match["mode"].lower(), match["duration"]
    elif isinstance(raw, dict):
        modes = [m for m in ("every", "over") if m in raw]  # `every: null` is there: the schema's GC103 says it
        if "slices" in raw and len(modes) == 2:  # nothing missing, a key too many: an invalid value, at that key
            second = [key for key in raw if key in modes][-1]
            raise DiagnosticError(
                "GC103", _twap_lacks(False, 2), ctx.key_span_of("twap", second), "e.g. `twap: {slices: 10, every: 30s}`"
            )
        if "slices" not in raw or len(modes) != 1:
            raise DiagnosticError(
                "GC104",
                _twap_lacks("slices" not in raw, len(modes)),
                ctx.span_of("twap"),
                "e.g. `twap: {slices: 10, every: 30s}`",
            )
        slices_raw, mode, duration_raw = raw["slices"], modes[0], raw[modes[0]]
    else:
        raise DiagnosticError("GC103", "twap must be text like `10 slices every 30s` or a mapping", ctx.span_of("twap"))
    # a mapping's `slices: 1k` is read with the number grammar, as `1k slices every 1s` is (audit spec28 4)
    at = ctx.value_span_of("twap", "slices") if isinstance(raw, dict) else ctx.span_of("twap")
    where = f"legs.{ctx.leg_id}" if "twap" in ctx.raw else "defaults"
    try:
        slices = parse_number(slices_raw)
    except UnitError as exc:
        if not isinstance(raw, dict):
            raise located(ctx, "twap", exc) from None
        slices = None
    # a mapping's text that is not whole (`slices: "2.5"`) or under 1 (`"0"`) gets the schema's words for the same
    # number written as a number (audit review28 7)
    if isinstance(raw, dict) and (slices is None or slices != slices.to_integral_value()):
        raise DiagnosticError(
            "GC103",
            f"`{where}.twap.slices` must be a whole number (or a `{{{{ }}}}` template), not "
            + (repr(slices_raw) if isinstance(slices_raw, str) else _written(slices_raw)),
            at,
            "write a whole number, e.g. `slices: 1000`, `slices: 1_000` or `slices: 1k`",
        )
    if isinstance(raw, dict) and slices < 1:
        raise DiagnosticError(
            "GC103",
            f"`{where}.twap.slices`: {_written(slices_raw)} is less than the minimum of 1",
            at,
            "write a whole number of at least 1",
        )
    if slices is None or slices != slices.to_integral_value() or slices < 1:  # (None: a mapping's, refused above)
        raise DiagnosticError(
            "GC103",
            f"twap slices must be a whole number >= 1, not {_written(slices_raw)}",
            at,
            "write a whole number of at least 1",
        )
    slices = int(slices)
    if slices > INT64_MAX:  # num_slices is a wire integer: like qty_1e8 (spec §3.2), it fits a signed 64-bit integer
        raise DiagnosticError(
            "GC103",
            f"twap slices {_written(slices_raw)} does not fit a signed 64-bit integer",
            ctx.span_of("twap"),
            f"write at most {INT64_MAX} slices",
        )
    duration = _unit_call(ctx, "twap", parse_duration_ms, duration_raw)
    if duration <= 0:
        raise DiagnosticError("GC103", f"twap interval must be positive, not {duration_raw}", ctx.span_of("twap"))
    if mode == "over":
        if duration % slices:
            raise DiagnosticError(
                "GC106",
                f"twap over {duration} ms in {slices} slices is not a whole number of ms",
                ctx.span_of("twap"),
                "pick a duration divisible by the slice count, or use `every`",
            )
        duration //= slices
    return {"num_slices": slices, "interval_ms": duration}


def horizon(ctx, raw) -> int:
    """``horizon: 30s`` -> ``horizon_ms``, a positive whole number of ms that fits a signed 64-bit integer.

    The horizon is the time the router has to complete the order (orders-and-execution-graphs.md, Node Fields:
    ``execution.horizon_ms``), so zero or a negative time is an invalid value: GC103 (spec §8, "invalid value
    (range)"). Whether a TWAP fits inside it is GC402's question.
    """
    ms = _unit_call(ctx, "horizon", parse_duration_ms, raw)
    if ms <= 0:
        raise DiagnosticError(
            "GC103",
            f"horizon {_written(raw)} must be positive",
            ctx.span_of("horizon"),
            "the horizon is the time the router has to complete the order: write a positive duration, e.g. `30s`",
        )
    return ms


def _written(raw) -> str:
    """A value as a message shows it inside a sentence: text as written, unquoted; a number in plain decimal."""
    return raw if isinstance(raw, str) else shown(raw)


# How each execution field is read (_execution_field): the field's own helper.
_EXECUTION_READERS = {
    "policy": lambda ctx, raw: _choice(ctx, "policy", POLICIES),
    "urgency": lambda ctx, raw: _choice(ctx, "urgency", URGENCIES),
    "slippage": lambda ctx, raw: _unit_call(ctx, "slippage", parse_bps, raw),
    "horizon": horizon,
    "tif": lambda ctx, raw: _choice(ctx, "tif", TIFS, transform=str.upper),
    "twap": twap,
}
