"""Risk rules GC501-GC502: the graph as a whole against its risk limits.

GC501 adds up every node's notional (fixed quantity × limit price, else × the
quote's ask for buys / bid for sells) and compares it with
``risk.admission.max_notional_usd``, where the router rejects the graph at
admission. A node whose notional is unknown (derived size, market order without
a quote) makes the total undecidable: the check is skipped with the reason,
unless the known part alone already exceeds the limit.

GC502 warns when a live graph (``is_sandbox`` false) carries no risk limits:
no ``risk`` at all, or neither ``admission`` nor ``runtime`` in it.
"""

from __future__ import annotations

from decimal import Decimal

from graphc.rules.base import Finding, checks

TOP_LEGS = 3


def _money(value: Decimal) -> str:
    return f"${value:,.0f}" if value == value.to_integral_value() else f"${value:,.2f}"


def _limit(wire) -> Decimal | None:
    risk = wire.get("risk")
    admission = risk.get("admission") if isinstance(risk, dict) else None
    raw = admission.get("max_notional_usd") if isinstance(admission, dict) else None
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal, float)):
        return None
    limit = Decimal(str(raw)) if isinstance(raw, float) else Decimal(raw)
    return limit if limit.is_finite() else None


@checks("GC501")
def check_max_notional(ctx):
    limit = _limit(ctx.wire)
    if limit is None:
        return
    where = ("risk", "admission", "max_notional_usd")
    known, unknown = [], []
    for i, node in enumerate(ctx.nodes):
        if isinstance(node, dict):
            qty, _, price = ctx.numbers[i]
            notional = None if qty is None or price is None else qty * price
            name = node.get("node_id", f"nodes[{i}]")
            if notional is None:
                unknown.append(name)
            else:
                known.append((abs(notional), name))
    total = sum((value for value, _ in known), Decimal(0))
    if total <= limit:
        if unknown:
            ctx.skip(
                "GC501",
                where,
                f"notional unknown for {', '.join(map(str, unknown[:TOP_LEGS]))}"
                f"{' and more' if len(unknown) > TOP_LEGS else ''} "
                "(derived size, or no limit price and no quote)",
            )
        return
    top = sorted(known, key=lambda item: item[0], reverse=True)[:TOP_LEGS]
    legs = ", ".join(f"{name} {_money(value)}" for value, name in top)
    legs_word = "leg" if len(unknown) == 1 else "legs"
    partial = f" (at least; {len(unknown)} {legs_word} of unknown notional not counted)" if unknown else ""
    yield Finding(
        "GC501",
        where,
        f"total notional {_money(total)}{partial} is above risk.max_notional {_money(limit)}; largest legs: {legs}",
        hint=f"cut {_money(total - limit)} from the legs' sizes or raise risk.max_notional; "
        "the router rejects the whole graph at admission",
    )


@checks("GC502")
def check_live_without_risk(ctx):
    if ctx.wire.get("is_sandbox") is not False:
        return
    risk = ctx.wire.get("risk")
    if isinstance(risk, dict) and (risk.get("admission") or risk.get("runtime")):
        return
    yield Finding(
        "GC502",
        ("is_sandbox",),
        "live graph (is_sandbox false) has no risk limits: nothing caps its notional or its loss",
        hint="add `risk: {max_notional: ..., max_loss: ...}` to the playbook",
    )


CHECKS = [check_max_notional, check_live_without_risk]
