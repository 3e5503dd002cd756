"""Plans: what ``graphc plan`` shows and saves, and what ``graphc submit`` checks.

A saved plan holds the exact wire bytes that will be POSTed, their SHA-256,
the hashes of the inputs they came from, and the time it was made. ``submit``
sends exactly those bytes, after checking the hash (a tampered plan is refused)
and the age (quotes go stale: a plan older than ``--max-age`` is refused).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

PLAN_VERSION = 1


class PlanError(Exception):
    """A plan file that cannot be submitted as it is (unreadable, tampered or stale)."""


@dataclass(frozen=True)
class Plan:
    name: str
    wire_text: str
    created_at: datetime
    source: str

    @property
    def wire_bytes(self) -> bytes:
        return self.wire_text.encode("utf-8")

    @property
    def wire(self) -> dict:
        return json.loads(self.wire_text, parse_float=Decimal)

    @property
    def live(self) -> bool:
        return self.wire.get("is_sandbox") is False


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path) -> dict | None:
    if path is None:
        return None
    with open(path, "rb") as fh:
        return {"path": str(path), "sha256": sha256_hex(fh.read())}


def build_plan(
    *, name, wire_text, playbook, quotes=None, params_file=None, params=None, now=None, created_at=None
) -> dict:
    """The JSON document ``graphc plan -o`` writes."""
    created_at = created_at or datetime.now(UTC)
    wire_bytes = wire_text.encode("utf-8")
    plan = {
        "graphc_plan": PLAN_VERSION,
        "name": name,
        "created_at": created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "sandbox": json.loads(wire_text).get("is_sandbox") is not False,
        "wire_sha256": sha256_hex(wire_bytes),
        "inputs": {
            "playbook": file_digest(playbook),
            "quotes": file_digest(quotes),
            "params_file": file_digest(params_file),
            "params": dict(sorted((params or {}).items())),
            "now": now.isoformat() if now else None,
        },
        "wire": wire_text,
    }
    plan["plan_sha256"] = plan_digest(plan)
    return plan


def plan_digest(plan: dict) -> str:
    """SHA-256 over every field but itself, so an edited time or name is noticed too."""
    body = {k: v for k, v in plan.items() if k != "plan_sha256"}
    return sha256_hex(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def is_plan_text(text: str) -> bool:
    return '"graphc_plan"' in text[:4096]


def load_plan(text: str, source: str, *, max_age_s: float, now: datetime | None = None) -> Plan:
    """Parse and verify a saved plan; PlanError says exactly what is wrong."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PlanError(f"{source} is not a readable plan: {exc}") from None
    if not isinstance(data, dict) or data.get("graphc_plan") != PLAN_VERSION:
        raise PlanError(f"{source} is not a graphc plan (version {PLAN_VERSION})")
    wire_text, digest = data.get("wire"), data.get("wire_sha256")
    if not isinstance(wire_text, str) or not isinstance(digest, str):
        raise PlanError(f"{source} has no wire graph and hash")
    actual = sha256_hex(wire_text.encode("utf-8"))
    if actual != digest:
        raise PlanError(
            f"{source} was modified after it was planned: the wire graph's SHA-256 is "
            f"{actual[:12]}…, the plan says {digest[:12]}…; run `graphc plan` again"
        )
    if data.get("plan_sha256") != plan_digest(data):
        raise PlanError(
            f"{source} was modified after it was planned (its time, name or inputs changed); run `graphc plan` again"
        )
    try:
        created = datetime.fromisoformat(str(data.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        raise PlanError(f"{source} has no valid created_at time") from None
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    age = ((now or datetime.now(UTC)) - created).total_seconds()
    if age > max_age_s:
        raise PlanError(
            f"{source} is {age:.0f} s old, older than --max-age {max_age_s:g} s: its prices may be "
            "stale; run `graphc plan` again (or raise --max-age)"
        )
    if age < -60:
        raise PlanError(f"{source} was created in the future ({created.isoformat()}); check the clock")
    return Plan(str(data.get("name") or "plan"), wire_text, created, source)


# -- the readable summary ------------------------------------------------------------


def summary_lines(wire: dict, quotes: dict, *, bold=lambda s: s) -> list[str]:
    """Legs table, trigger tree, risk limits, total notional, SANDBOX/LIVE."""
    from graphc.humanize import edge_label, money_text, number, size_text
    from graphc.rules.base import LintContext

    ctx = LintContext(wire=wire, quotes=quotes)
    rows = [("leg", "side", "size", "instrument", "venue", "price", "notional", "policy")]
    total, unknown = Decimal(0), []
    for node in ctx.nodes:
        instrument = node.get("instrument") or {}
        order_type = node.get("order_type")
        price = ctx.limit_price(node)
        price_text = number(price) if price is not None else ("market" if order_type == "market" else "?")
        notional = ctx.notional(node)
        if notional is None:
            unknown.append(node.get("node_id"))
        else:
            total += notional
        rows.append(
            (
                str(node.get("node_id")),
                str(node.get("side")),
                size_text(
                    node.get("quantity"),
                    instrument.get("symbol", ""),
                    instrument.get("type", ""),
                    instrument.get("venue"),
                ),
                str(instrument.get("symbol")),
                str(instrument.get("venue") or "sor"),
                price_text,
                _dollars(notional) if notional is not None else "?",
                str((node.get("execution") or {}).get("policy", "sor")),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += ["", "triggers:"] + _trigger_tree(ctx, edge_label)
    risk = wire.get("risk") or {}
    limits = []
    if "admission" in risk:
        limits.append(f"max notional {money_text(risk['admission'].get('max_notional_usd'))}")
    if "runtime" in risk:
        limits.append(f"max loss {money_text(risk['runtime'].get('max_loss_usd'))}")
    lines += ["", "risk: " + (", ".join(limits) if limits else "no limits")]
    total_text = _dollars(total)
    if unknown:
        total_text = f"at least {total_text} (unknown for {', '.join(map(str, unknown))}: no price)"
    lines.append(f"total notional: {total_text}")
    mode = {False: "LIVE: real orders, real money", True: "SANDBOX (paper trading)"}.get(
        wire.get("is_sandbox"), "NOT SET: no is_sandbox, the router's default would decide (submit refuses it)"
    )
    lines.append("mode: " + bold(mode))
    return lines


def _dollars(value: Decimal) -> str:
    """$1,234.57: one fixed format so a column of notionals lines up."""
    return f"${value.quantize(Decimal('0.01')):,}"


def _trigger_tree(ctx, edge_label) -> list[str]:
    children = {}
    for edge in ctx.edges:
        if isinstance(edge, dict):
            children.setdefault(edge.get("from_node"), []).append(edge)
    roots = [n.get("node_id") for n in ctx.nodes if n.get("activation") == "root"]
    lines, seen = [], set()

    def walk(node_id, depth):
        for edge in children.get(node_id, []):
            target = edge.get("to_node")
            lines.append(f"  {'   ' * depth}└─ {target}  after {node_id} {edge_label(edge)}")
            if target not in seen:
                seen.add(target)
                walk(target, depth + 1)

    for root in roots:
        seen.add(root)
        lines.append(f"  {root} (root)")
        walk(root, 1)
    return lines
