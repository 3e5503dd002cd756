"""Execution rules GC401-GC406: how each node is worked once it activates.

GC401 policy / tif / order-type contradictions. One row of ``CONTRADICTIONS``
per pair that cannot both hold; each reported at the field named:

| combination | at | why |
|---|---|---|
| passive_limit / passive_ladder on a market order | policy | a passive policy posts a limit price; market has none |
| ioc_sweep with tif GTC | tif | a sweep is immediate-or-cancel by definition; GTC asks it to rest |
| passive_limit / passive_ladder with tif IOC/FOK | tif | a passive order must rest; IOC/FOK cancels it at once |
| time_drip with tif IOC/FOK | tif | a drip works the order over time; IOC/FOK ends it after one attempt |
| TWAP pacing with ioc_sweep | pacing | pacing slices the order over time; a sweep is one immediate order |
| TWAP pacing with tif IOC/FOK | tif | the order must live for every slice; IOC/FOK ends it after the first |

The policy defaults to ``sor`` (spec §3); tif is compared upper-case.

GC402: a uniform TWAP runs ``num_slices × interval_ms``: each slice gets one
interval to work, so ``{slices: 10, over: 5m}`` lasts exactly 5m and fits a 5m
horizon. Reported when that exceeds ``horizon_ms``.

GC403: ``max_slippage_bps`` ≤ 0 or > 10000 is an error; above 500 the same code
is a warning (``Finding.severity``), per spec §8.

GC404/GC406 need the quote of the node's symbol; without one they are skipped
(``ctx.skip``). GC404's hint crosses by the quote's tick when the snapshot has one.

GC405: an edge with a fill trigger (on_fill, on_first_fill, on_fill_ratio,
on_full_fill) makes the child a *hedge* of the parent when the sides are
opposite or the instruments differ; a hedge whose fixed quantity differs from
the parent's fixed quantity is reported (derived sizes follow fills and are fine).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from graphc.diagnostics import WARNING
from graphc.rules.base import Finding, checks, new_tuple
from graphc.vocabulary import FILL_TRIGGERS

PASSIVE = ("passive_limit", "passive_ladder")
IMMEDIATE = ("IOC", "FOK")
FAR_FROM_MID = Decimal("0.10")


class _Facts(NamedTuple):
    policy: object
    tif: object
    market: bool
    paced: bool


CONTRADICTIONS = (  # (execution field to point at, applies, message, hint)
    (
        "policy",
        lambda f: f.policy in PASSIVE and f.market,
        "{policy} posts a resting limit price, but this is a market order",
        "give the leg a `limit:` price, or use policy sor or aggressive_chase",
    ),
    (
        "tif",
        lambda f: f.policy == "ioc_sweep" and f.tif == "GTC",
        "ioc_sweep is a single immediate-or-cancel sweep, but tif GTC asks the order to rest",
        "drop `tif: GTC`, or use policy passive_limit to rest on the book",
    ),
    (
        "tif",
        lambda f: f.policy in PASSIVE and f.tif in IMMEDIATE,
        "{policy} rests on the book, but tif {tif} cancels whatever does not fill at once",
        "use tif GTC with a passive policy, or policy ioc_sweep to take liquidity now",
    ),
    (
        "tif",
        lambda f: f.policy == "time_drip" and f.tif in IMMEDIATE,
        "time_drip works the order over time, but tif {tif} ends it after the first attempt",
        "drop the tif (or use GTC); use policy ioc_sweep for an immediate order",
    ),
    (
        "pacing",
        lambda f: f.paced and f.policy == "ioc_sweep",
        "TWAP pacing slices the order over time, but ioc_sweep is one immediate sweep",
        "drop `twap:`, or use policy sor or time_drip to pace the order",
    ),
    (
        "tif",
        lambda f: f.paced and f.tif in IMMEDIATE,
        "TWAP pacing needs the order alive for every slice, but tif {tif} ends it after the first",
        "drop the tif (or use GTC) on a paced order",
    ),
)


def _nodes(ctx) -> list:
    """(index, node, execution mapping) for every well-formed node, read once per graph (six checks walk them)."""
    nodes = ctx.__dict__.get("_execution_nodes")
    if nodes is None:
        nodes = ctx.__dict__["_execution_nodes"] = [
            (i, node, execution if isinstance(execution := node.get("execution"), dict) else {})
            for i, node in enumerate(ctx.nodes)
            if isinstance(node, dict)
        ]
    return nodes


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return number if number.is_finite() else None


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _duration(ms: Decimal) -> str:
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms >= size and ms % size == 0:
            return f"{_fmt(ms / size)}{unit}"
    return f"{_fmt(ms)}ms"


@checks("GC401")
def check_contradictions(ctx):
    for i, node, execution in _nodes(ctx):
        tif = execution.get("tif")
        facts = new_tuple(
            _Facts,
            (
                execution.get("policy", "sor"),
                tif.upper() if isinstance(tif, str) else tif,
                node.get("order_type") == "market",
                isinstance(execution.get("pacing"), dict),
            ),
        )
        for field, applies, message, hint in CONTRADICTIONS:
            if applies(facts):
                text = message.format(policy=facts.policy, tif=facts.tif)
                yield Finding(
                    "GC401", ("nodes", i, "execution", field), f"node {node.get('node_id')!r}: {text}", hint=hint
                )


@checks("GC402")
def check_twap_horizon(ctx):
    for i, node, execution in _nodes(ctx):
        pacing = execution.get("pacing")
        uniform = pacing.get("uniform") if isinstance(pacing, dict) else None
        if not isinstance(uniform, dict):
            continue
        slices, interval = _number(uniform.get("num_slices")), _number(uniform.get("interval_ms"))
        horizon = _number(execution.get("horizon_ms"))
        if None in (slices, interval, horizon) or slices * interval <= horizon:
            continue
        total = slices * interval
        yield Finding(
            "GC402",
            ("nodes", i, "execution", "pacing"),
            f"node {node.get('node_id')!r}: TWAP of {_fmt(slices)} slices × {_fmt(interval)} ms = "
            f"{_fmt(total)} ms ({_duration(total)}) runs longer than horizon_ms {_fmt(horizon)} "
            f"({_duration(horizon)})",
            hint=f"lengthen the horizon to at least {_fmt(total)} ms, or use fewer slices or a shorter interval",
        )


@checks("GC403")
def check_slippage(ctx):
    for i, node, execution in _nodes(ctx):
        bps = _number(execution.get("max_slippage_bps"))
        if bps is None or 0 < bps <= 500:
            continue
        where, name = ("nodes", i, "execution", "max_slippage_bps"), repr(node.get("node_id"))
        if bps <= 0 or bps > 10000:
            yield Finding(
                "GC403",
                where,
                f"node {name}: max_slippage_bps {_fmt(bps)} must be above 0 and at most 10000",
                hint="slippage is in basis points: 25bps = 0.25%; 10000 bps is 100%",
            )
        else:
            yield Finding(
                "GC403",
                where,
                f"node {name}: max_slippage_bps {_fmt(bps)} ({_fmt(bps / 100)}%) is above 500 bps",
                hint="check the unit (`25bps` vs `25%`); keep the cap as tight as the trade allows",
                severity=WARNING,
            )


def _quoted_limits(ctx, code):
    """(index, node, limit price, quote) for limit orders; skip those without a quote."""
    if not ctx.quotes and not ctx.record_skips:
        return  # no quotes at all: every limit order would only be skipped, and no report lists skips
    numbers = ctx.numbers
    for i, node, _ in _nodes(ctx):
        price = numbers[i][1]
        if price is None:
            continue
        instrument = node.get("instrument")
        symbol = instrument.get("symbol") if isinstance(instrument, dict) else None
        quote = ctx.quote(symbol) if isinstance(symbol, str) else None
        if quote is None:
            ctx.skip(code, ("nodes", i, "order_type"), f"no quote for {symbol!r} (pass --quotes)")
            continue
        yield i, node, price, quote


@checks("GC404")
def check_at_touch(ctx):
    for i, node, price, quote in _quoted_limits(ctx, "GC404"):
        side = node.get("side")
        touch, name = {"buy": (quote.ask, "ask"), "sell": (quote.bid, "bid")}.get(side, (None, None))
        if touch is None or price != touch:
            continue
        if quote.tick:
            crossed = price + quote.tick if side == "buy" else price - quote.tick
            hint = f"cross by one tick: {side} at {_fmt(crossed)} (quote tick {_fmt(quote.tick)})"
        else:
            hint = f"cross by one tick (`{name} {'+' if side == 'buy' else '-'} 1 tick`), or rest inside the spread"
        yield Finding(
            "GC404",
            ("nodes", i, "order_type"),
            f"node {node.get('node_id')!r} {side}s at {_fmt(price)}, exactly the {name}: if the {name} "
            "moves first the order rests instead of filling",
            hint=hint,
        )


@checks("GC405")
def check_hedge_size(ctx):
    seen = set()
    for j, edge in enumerate(ctx.edges):
        if not isinstance(edge, dict) or not isinstance(edge.get("trigger"), str):
            continue
        ends = (edge.get("from_node"), edge.get("to_node"))
        if (
            edge["trigger"] not in FILL_TRIGGERS
            or not (isinstance(ends[0], str) and isinstance(ends[1], str))
            or ends in seen
        ):
            continue
        seen.add(ends)
        parent, child = ctx.node(ends[0]), ctx.node(ends[1])
        if isinstance(parent, dict) and isinstance(child, dict) and _hedge_sizes_differ(ctx, parent, child):
            yield Finding(
                "GC405",
                ("nodes", ctx.node_index[ends[1]], "quantity"),
                f"hedge {ends[1]!r} {_leg(ctx, child)} but its parent {ends[0]!r} {_leg(ctx, parent)} "
                f"(edge {edge.get('edge_id', j)}, {edge['trigger']})",
                hint=f"size the hedge like its parent ({_fmt(ctx.qty(parent))}), "
                "or use a derived quantity to follow the parent's fills",
            )


def _hedge_sizes_differ(ctx, parent, child) -> bool:
    qty_parent, qty_child = ctx.qty(parent), ctx.qty(child)
    if qty_parent is None or qty_child is None or qty_parent == qty_child:
        return False
    sides = {parent.get("side"), child.get("side")}
    return sides == {"buy", "sell"} or _symbol(parent) != _symbol(child)


def _symbol(node):
    instrument = node.get("instrument")
    return instrument.get("symbol") if isinstance(instrument, dict) else None


def _leg(ctx, node) -> str:
    return f"{node.get('side')}s {_fmt(ctx.qty(node))} {_symbol(node)}"


@checks("GC406")
def check_far_from_mid(ctx):
    for i, node, price, quote in _quoted_limits(ctx, "GC406"):
        mid = quote.base("mid")
        if not mid:
            ctx.skip("GC406", ("nodes", i, "order_type"), f"the quote for {_symbol(node)!r} has no bid/ask or mid")
            continue
        off = (price - mid) / mid
        if abs(off) > FAR_FROM_MID:
            yield Finding(
                "GC406",
                ("nodes", i, "order_type"),
                f"node {node.get('node_id')!r} limit {_fmt(price)} is {abs(off) * 100:.1f}% "
                f"{'above' if off > 0 else 'below'} the quote mid {_fmt(mid)} (more than 10%)",
                hint="check the price for a typo or wrong unit (55 vs 0.55), or the quote snapshot",
            )


CHECKS = [
    check_contradictions,
    check_twap_horizon,
    check_slippage,
    check_at_touch,
    check_hedge_size,
    check_far_from_mid,
]
