"""The router's wire vocabulary, named once.

Every enumerated word of the wire format (../shared/reference/
orders-and-execution-graphs.md: node fields, execution policies, edge
triggers, statuses) lives here. The compiler, the rules, decompile, the
pictures and the local sandbox import these names, and a test checks that the
JSON Schemas in ``schemas/`` list exactly the same values.
"""

from __future__ import annotations

from decimal import Decimal

# -- instruments and orders ----------------------------------------------------
INSTRUMENT_TYPES = ("spot", "perp", "prediction")
SIDES = ("buy", "sell")
ORDER_TYPE_MARKET = "market"
ACTIVATIONS = ("root", "wait")
PREDICTION_VENUES = ("polymarket", "kalshi")
MAX_SYMBOL = 512  # characters of a symbol: instrument.symbol and on_price.symbol (spec §3.2, GC103)
# The currencies a dollar amount (`$5k`, `5000 USD`, risk.max_notional) is read in 1:1. The dollar stablecoins
# count: the router reports Polymarket's USDC notional as notional_usd (hosted-strategies.md, the example log).
DOLLARS = frozenset({"USD", "USDC", "USDT"})

# -- execution -----------------------------------------------------------------
POLICIES = ("sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip")
DEFAULT_POLICY = "sor"
URGENCIES = ("low", "medium", "high")
TIFS = ("GTC", "IOC", "FOK")
EXECUTION_FIELDS = ("policy", "urgency", "max_slippage_bps", "horizon_ms", "tif", "pacing")
# The whole bps a slippage cap may be (GC403, playbook-spec.md §8: "slippage ≤ 0 or > 10000 bps (error)"): the
# playbook's `slippage`, `graphc amend --slippage` and the local sandbox's amend all stop there.
MAX_SLIPPAGE_BPS = 10000

# -- edge triggers ---------------------------------------------------------------
# Triggers written as a bare name; on_fill_ratio is the only one with a condition.
TRIGGER_NAMES = (
    "on_accepted",
    "on_first_fill",
    "on_fill",
    "on_fill_ratio",
    "on_full_fill",
    "on_cancel",
    "on_done",
)
# Triggers written as a one-key object: {"on_timeout": {"ms": N}}, {"on_price": {...}}.
TRIGGER_OBJECTS = ("on_timeout", "on_price")
FILL_TRIGGERS = ("on_fill", "on_first_fill", "on_fill_ratio", "on_full_fill")
RATIO_TRIGGER = "on_fill_ratio"
RATIO_CONDITION = "fill_ratio_gte"
PRICE_DIRECTIONS = ("below", "above")
PRICE_REFERENCES = ("graph_entry_price",)
# The fields of an on_price trigger, in the reference's order (a JSON object's keys have none: compare as a set).
ON_PRICE_FIELDS = ("symbol", "direction", "reference", "offset_pct")

# -- statuses the router reports ---------------------------------------------------
GRAPH_STATUSES = ("active", "completed", "cancelled", "failed", "paused")
TERMINAL_GRAPH_STATUSES = ("completed", "cancelled", "failed")
NODE_STATUSES = ("pending", "executing", "filled", "partial_fill", "cancelled", "rejected", "failed")
TERMINAL_NODE_STATUSES = ("filled", "partial_fill", "cancelled", "rejected", "failed")
# A hosted strategy's `status` (hosted-strategies.md): `queued` (the create answer; `start` flips a stopped one back
# to it), `running` (a claimed one: the create answer's `desired_state`), and, from "Restart semantics", `stopped`
# (its process exited 0: not restarted) and `failed` (a non-zero exit or a kill: restarted).
STRATEGY_STATUSES = ("queued", "running", "stopped", "failed")

# -- fixed-point scales ------------------------------------------------------------
QTY_DIGITS = 8  # quantity.fixed.qty_1e8
PRICE_DIGITS = 9  # order_type.limit.price_1e9
QTY_SCALE = Decimal(10) ** QTY_DIGITS
PRICE_SCALE = Decimal(10) ** PRICE_DIGITS
