"""Risk rules GC501-GC503: the graph against its risk limits.

The router's reference sets ``risk.admission.max_notional_usd`` on the graph
but does not say whether admission compares it with each order or with the sum
of the graph; its own Full Execution Graph (200 ETH spot bought and 200 ETH
sold on the perp, about $930k gross) sits under a $500k limit. So an order
above the limit is an error under any reading (GC501), and the gross sum above
it is a warning (GC503).

A notional is quantity × price: the limit price, else the quote's ask for a
buy, bid for a sell. A node whose notional is unknown (derived size, market
order without a quote) is skipped for GC501; GC503 is skipped unless the known
part alone already exceeds the limit, and is not reported alongside GC501 (an
order over the limit puts the sum over it too).

The limit is in dollars (``max_notional_usd``), and a notional is in the
currency the market is priced in: ETH-BTC in bitcoin, BTC-JPY in yen. graphc
has no exchange rates, so a leg priced in anything but dollars is skipped like
one of unknown notional, never compared as if it were dollars. Dollar
stablecoins (USDC, USDT) count 1:1: the router's reference reports Polymarket's
USDC notional as ``notional_usd`` (hosted-strategies.md, the example log).
"""

from __future__ import annotations

from decimal import Decimal

from graphc.diagnostics import WARNING
from graphc.facts import dollar_notional, missing_side, notional_gap, orders_over_limit
from graphc.numbers import minus, plus, usd
from graphc.stages.checks import Finding, Skipped, SkippedNodes, rule
from graphc.stages.wiregraph import number

TOP_LEGS = 3
_LIMIT = ("risk", "admission", "max_notional_usd")
_FULL_GRAPH = "orders-and-execution-graphs.md, Full Execution Graph"


def max_notional(wire) -> Decimal | None:
    """``risk.admission.max_notional_usd`` as a Decimal, or None when absent or not a positive number.

    A limit that is not positive is GC103 (playbook-spec.md §3.2; the wire schema's ``exclusiveMinimum``), so
    GC501 and GC503 never compare an order with it (no "above risk.max_notional $-1").
    """
    risk = wire.get("risk")
    admission = risk.get("admission") if isinstance(risk, dict) else None
    limit = number(admission.get("max_notional_usd")) if isinstance(admission, dict) else None
    return limit if limit is not None and limit > 0 else None


def _unknown_reason(node) -> str:
    if node.qty is not None and node.reference is not None:  # known, but not in dollars
        unit = node.market.cost_unit
        priced = f"{node.symbol} is priced in {unit}" if unit else f"the currency of {node.symbol}'s prices is unknown"
        return f"{priced}, and risk.max_notional is in USD (graphc has no exchange rates)"
    if node.derived:
        return "its size is derived from fills"
    if node.qty is None:
        return "its size is not known (a notional size without a price: pass --quotes)"
    if not node.market_order:  # a limit priced by a template (`bid - 0.5%`) linted without quotes
        return f"its limit price is a template that needs a quote for {node.symbol} (pass --quotes)"
    return "it is a market order and " + (missing_side(node) or "there is no quote for " + node.symbol)


@rule(
    "GC501",
    "max-notional",
    summary="one order's notional above risk.max_notional",
    source=f"{_FULL_GRAPH} (risk.admission.max_notional_usd: the graph is refused at admission)",
    flagged="    buy: 0.5",
)
def check_max_notional(ctx):
    """One order's notional is above `risk.max_notional`.

    ## What it checks

    graphc computes each order's notional, quantity × price, where the price is
    the leg's limit price or, for a market order, the quote (ask for a buy, bid
    for a sell). An order whose notional is above `risk.max_notional` (sent to
    the router as `risk.admission.max_notional_usd`) is GC501, reported at that
    leg's size. The product is exact at any size (never rounded to a fixed number
    of digits), and an order exactly at the limit passes. The message shows the
    notional exactly, never rounded or cut to cents (0.01666667 BTC at 60,000 is
    `$1,000.0002`, above a `$1,000` limit, not "$1,000.00"), as `graphc plan` and
    the other rules show money, and the suggested cut exactly too (`$0.0002`):
    cutting that much brings the order to the limit, which passes.

    A limit order is valued at its limit, on either side. For a buy the limit
    is the most it pays, so its notional is never understated. For a sell the
    limit is the least it takes: a sell limit below the bid is marketable and
    fills at the bid or better, so what it trades can be more than
    risk.max_notional at today's bid while its notional, read at the limit, is
    under it. With BTC-USD bid at 97,250, this exit is valued at $900,000
    (10 × 90,000) and passes a $950,000 limit, though it sells about $972,500
    of BTC:

    ```yaml
    graphc: 1
    name: btc-exit
    risk:
      max_notional: 950000
    legs:
      exit:
        sell: 10
        symbol: BTC-USD
        venue: coinbase
        limit: 90000
    ```

    ```yaml
    # quotes.yaml
    BTC-USD: {bid: 97250, ask: 97251, tick: 0.01}
    ```

    It is not a GC501 error: the router refuses an order at admission "under
    any reading of the limit" (playbook-spec.md §8), and read at its limit this
    one is under it. To have the cap measure what a sell trades, write it as a
    market order, valued at the bid it sells into ($972,500 here: GC501), or
    with a limit at or above the bid (97300, say: $973,000), valued at that
    limit, the price it trades at when it fills. GC503 adds up the same
    values.

    The router's reference does not say whether admission compares the limit
    with each order or with the whole graph, so graphc reports what is refused
    under either reading as an error here, and the sum of all legs above the
    limit as a warning (GC503). A leg whose notional cannot be known (a market
    order without `--quotes`, a `derived` size) is skipped for this check, and
    `--explain-skips` says so. The local sandbox router (`graphc sandbox serve`)
    admits a graph with this same check, so a graph lint calls ready is not
    refused there for its notional.

    The limit is in dollars (`max_notional_usd`), and a notional is in the
    currency its market is priced in. Legs priced in USD, or in the dollar
    stablecoins USDC and USDT (counted 1:1), and prediction markets (dollars
    per share) are compared with it. A leg priced in anything else, such as
    ETH-BTC in bitcoin or BTC-JPY in yen, is skipped: graphc has no exchange
    rates, and 50 BTC must not pass a $25,000 limit as "$50". The currency is
    the part of the symbol after the base asset (`-PERP` is not one: BTC-PERP
    and ETH-USD-PERP are dollar perps), or a known quote currency at the end of
    a symbol written without a separator (BTCUSDT); a symbol that names none
    is skipped too, and the skip says that its currency is unknown: `BTC`, or
    a symbol of more parts than a base and a quote, such as a bare slug
    `will-btc-reach-150k` read as spot (its second word is no currency).
    `graphc plan` shows such legs' notionals in their own currency and leaves
    them out of its dollar total.

    ## Why it matters

    The router refuses a graph over its admission limit, and finding that out at
    submission time, when the trade is meant to go out, usually means missing
    it. The finding also says something about the playbook: one order is bigger
    than the limit the desk chose for the whole trade, and one of the two is
    wrong.

    ## Failing example

    0.5 BTC at 60,000 is a $30,000 order, above the $25,000 limit:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    risk:
      max_notional: 25000
    legs:
      entry:
        buy: 0.5
        symbol: BTC-USD
        limit: 60000
    ```

    ## Fix

    Size the order to fit the limit (0.4 BTC is $24,000), or raise the limit if
    the desk agrees:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    risk:
      max_notional: 25000
    legs:
      entry:
        buy: 0.4
        symbol: BTC-USD
        limit: 60000
    ```
    """
    limit = max_notional(ctx.wire)
    if limit is None:
        return
    # the one reading of "an order above the limit", shared with the sandbox's admission (graphc.facts)
    over, unknown = orders_over_limit(ctx.nodes, limit)
    for node, notional in over:
        yield Finding(
            node.at("quantity"),
            f"order {node.node_id!r} is {usd(notional)} notional, above risk.max_notional "
            f"{usd(limit)}: the router refuses the graph at admission",
            hint=f"cut this order by {usd(minus(notional, limit))} or more, or raise risk.max_notional",
        )
    if unknown:  # a lint without quotes skips most nodes: one SkippedNodes, yielded at the end
        why = [f"the order's notional is unknown: {_unknown_reason(node)}" for node in unknown]
        yield SkippedNodes("quantity", [node.index for node in unknown], why)


@rule(
    "GC503",
    "gross-notional",
    severity=WARNING,
    summary="the graph's gross notional (all legs) above risk.max_notional",
    source=f"{_FULL_GRAPH} (200 ETH spot + 200 ETH perp, about $930k gross, under max_notional_usd 500000)",
    flagged="  max_notional: 25000",
)
def check_gross_notional(ctx):
    """The sum of every leg's notional is above `risk.max_notional`.

    ## What it checks

    graphc adds up quantity × price over every leg of the graph, buys and sells
    alike, hedges and conditional exits included, exactly, and compares the total
    with `risk.max_notional` (`risk.admission.max_notional_usd` on the wire); a
    total exactly at the limit passes. The total and its largest legs are shown
    exactly, never rounded or cut to cents, as `graphc plan` shows them: a total a
    hair above the limit reads above it (`$10,000.0001`: `a $6,000, b
    $4,000.0001`), and a leg of 6.66 shares at 0.15 is `$0.999` in every line. The
    price is the leg's limit price, or the quote for a market order (ask for a
    buy, bid for a sell). A leg whose notional cannot be known, or is not in
    dollars (see GC501), makes the total unknown, and the check is skipped
    (`--explain-skips` names each such leg with its own cause, in the words
    `graphc plan` leaves it out of its total with: `pm-no (derived size)`,
    `entry (no price)`, `n (no size)`, `a (not in dollars: BTC)`), unless the
    legs that are known already exceed the limit on their own. When one order
    alone is above the limit, GC501 reports it and GC503 stays quiet: the sum is
    then over the limit too, and the order is the thing to fix.

    ## Why it matters

    The router's reference leaves open whether admission sums the graph: its
    own Full Execution Graph, 200 ETH bought spot and 200 ETH sold on the perp
    (about $930,000 gross), is shown under a $500,000 limit. A gross total above
    the limit is therefore a warning, not an error: the graph may be refused if
    the router does sum it, and a hedge or a bracket counts each leg. When the
    desk means the limit as a cap on the whole trade, this is the number to
    watch; one order above the limit is GC501, an error.

    ## Failing example

    $15,000 of spot plus $15,012.50 of perp is $30,012.50 gross, above the
    $25,000 limit (each order alone is under it):

    ```yaml
    graphc: 1
    name: btc-basis
    risk:
      max_notional: 25000
    legs:
      spot:
        buy: 0.25
        symbol: BTC-USD
        limit: 60000
      perp:
        sell: 0.25
        symbol: BTC-USD-PERP
        limit: 60050
        after: spot filled
    ```

    ## Fix

    Size the trade to fit the limit (0.2 + 0.2 BTC is $24,010), or raise the
    limit if the desk agrees:

    ```yaml
    graphc: 1
    name: btc-basis
    risk:
      max_notional: 25000
    legs:
      spot:
        buy: 0.2
        symbol: BTC-USD
        limit: 60000
      perp:
        sell: 0.2
        symbol: BTC-USD-PERP
        limit: 60050
        after: spot filled
    ```
    """
    limit = max_notional(ctx.wire)
    if limit is None:
        return
    known, unknown = [], []  # (notional, node) and nodes; their names are written only for the message
    total = Decimal(0)
    for node in ctx.nodes:
        value = dollar_notional(node)  # as GC501 reads each order
        if value is None:
            unknown.append(node)
            continue
        if value > limit:
            return  # one order alone is over the limit: GC501 reports it, and fixing it is the first step
        known.append((value, node))
        total = plus(total, value)  # exact: a sum of long notionals has more than 28 digits (graphc.numbers)
    if total <= limit:
        if unknown:
            # the first leg whose reason is worth saying: priced in another currency, or a one-sided quote
            priced = next(
                (n for n in unknown if (n.qty is not None and n.reference is not None) or missing_side(n)), None
            )
            # each leg with the cause that applies to it, in plan's words (facts.notional_gap): `pm-no (derived size)`
            legs = ", ".join(
                f"{_name(n)} ({notional_gap(n.derived, n.qty, n.reference, n.market.cost_unit)})"
                for n in unknown[:TOP_LEGS]
            )
            yield Skipped(
                _LIMIT,
                f"notional unknown for {legs}{' and more' if len(unknown) > TOP_LEGS else ''}"
                + (f": {_unknown_reason(priced)}" if priced else ""),
            )
        return
    top = sorted(known, key=lambda item: item[0], reverse=True)[:TOP_LEGS]
    # every amount exactly, as plan and GC301 show it (numbers.usd): "$5.499 ...: five $4.50, one-dollar $0.999"
    legs = ", ".join(f"{_name(node)} {usd(value)}" for value, node in top)
    legs_word = "leg" if len(unknown) == 1 else "legs"
    partial = f" (at least; {len(unknown)} {legs_word} of unknown dollar notional not counted)" if unknown else ""
    yield Finding(
        _LIMIT,
        f"gross notional {usd(total)}{partial} of all legs is above risk.max_notional "
        f"{usd(limit)}; largest legs: {legs}",
        hint=f"if the router sums the graph at admission it refuses this one: cut {usd(minus(total, limit))} from "
        "the legs or raise risk.max_notional",
    )


def _name(node) -> str:
    return node.node_id or f"nodes[{node.index}]"


@rule(
    "GC502",
    "live-without-risk",
    severity=WARNING,
    summary="live graph without risk limits",
    source=f"{_FULL_GRAPH} (risk.admission and risk.runtime limits; is_sandbox false trades live); "
    "hosted-strategies.md, Sandbox routing duality (only the flag or a seq_test_* key forces sandbox)",
    flagged="sandbox: false",
)
def check_live_without_risk(ctx):
    """A graph that trades live, or may, has no risk limits.

    ## What it checks

    Playbooks run in the sandbox unless they say `sandbox: false` (and live
    submission also needs `--live` on `graphc submit`). GC502 is reported for a live
    graph (`sandbox: false` in a playbook, `"is_sandbox": false` in a wire graph)
    that has no `risk:` section, that is, neither `risk.max_notional` (checked by
    the router when the graph is admitted) nor `risk.max_loss` (enforced while it
    runs).

    It is reported too for a wire graph that does not say `is_sandbox` at all and
    has no risk limits, such as this one:

    ```json
    {"nodes": [{"node_id": "entry", "instrument": {"symbol": "BTC-USD", "type": "spot"},
                "side": "buy", "order_type": {"limit": {"price_1e9": 60000000000000}},
                "quantity": {"fixed": {"qty_1e8": 1000000}}, "activation": "root"}],
     "edges": []}
    ```

    A playbook always says it: its compiled graph has `"is_sandbox": true` unless
    the playbook says `sandbox: false`. So does a simple order, which graphc always
    sends as a sandbox graph.

    ## Why it matters

    The router's risk limits are the last guard between a mistake and the market.
    `max_notional` turns away a graph that is larger than intended, such as a size
    typed with an extra zero; `max_loss` stops a graph that is losing more than the
    desk accepted. A live graph without either sends whatever it contains.

    A graph without `is_sandbox` leaves its mode to the router's default. The
    reference names only two ways to force the sandbox, the flag itself or an API
    key that starts `seq_test_` (hosted-strategies.md, "Sandbox routing duality"),
    so with a live key the graph may trade live. `graphc submit` and `graphc plan`
    refuse to send such a graph, but another client may send it: without limits
    either, it is a live graph without risk limits as far as anyone can tell.

    ## Failing example

    A live playbook with no `risk:` section (the wire graph above, which does not
    say `is_sandbox`, gets the warning too):

    ```yaml
    graphc: 1
    name: btc-dip-buy
    sandbox: false
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        limit: 60000
    ```

    ## Fix

    Add limits that fit the trade ($600 here); `max_loss` can be added the same way:

    ```yaml
    graphc: 1
    name: btc-dip-buy
    sandbox: false
    risk:
      max_notional: 1000
    legs:
      entry:
        buy: 0.01
        symbol: BTC-USD
        limit: 60000
    ```

    For the wire graph above, say the mode: write `"is_sandbox": true` to paper
    trade, or `"is_sandbox": false` together with `"risk": {"admission":
    {"max_notional_usd": 1000}}` (and `"runtime": {"max_loss_usd": ...}` if
    wanted) to trade live.
    """
    unsaid = "is_sandbox" not in ctx.wire  # only a wire graph (spec §2-3: a playbook's wire always says it)
    if ctx.wire.get("is_sandbox") is not False and not unsaid:
        return
    risk = ctx.wire.get("risk")
    if isinstance(risk, dict) and (risk.get("admission") or risk.get("runtime")):
        return
    if unsaid:
        yield Finding(
            ("is_sandbox",),
            "graph has no is_sandbox and no risk limits: the router's default decides whether it trades live, "
            "which may be live (with a live API key), and nothing caps its notional or its loss",
            hint=f'write "is_sandbox": true, or false with risk limits ({_WIRE_RISK})',
        )
        return
    yield Finding(
        ("is_sandbox",),
        "live graph (is_sandbox false) has no risk limits: nothing caps its notional or its loss",
        hint="add `risk: {max_notional: ..., max_loss: ...}` to the playbook"
        if ctx.playbook
        else f"add risk limits, risk.admission.max_notional_usd and risk.runtime.max_loss_usd: {_WIRE_RISK}",
    )


_WIRE_RISK = '"risk": {"admission": {"max_notional_usd": ...}, "runtime": {"max_loss_usd": ...}}'


RULES = [check_max_notional.rule, check_live_without_risk.rule, check_gross_notional.rule]
