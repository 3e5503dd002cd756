"""The table of every rule code graphc can report: code, name, default severity, summary.

Like ruff's ``codes.rs`` this is one explicit table; nothing is discovered by
magic. Codes are stable. GC1xx are reported by the loading and compiling
stages; GC2xx-GC5xx by the rule families in this package. Each code has a page
in ``docs/rules/CODE.md`` served by ``graphc explain CODE``.
"""

from __future__ import annotations

from dataclasses import replace

from graphc.diagnostics import ERROR, WARNING, RuleInfo

_TABLE = [
    ("GC100", "yaml-syntax", ERROR, "YAML syntax error, alias bomb or nesting too deep"),
    ("GC101", "duplicate-key", ERROR, "a mapping repeats a key"),
    ("GC102", "unknown-key", ERROR, "a key graphc does not know (with a did-you-mean)"),
    ("GC103", "invalid-value", ERROR, "wrong type or invalid value (enum, range, pattern)"),
    ("GC104", "missing-field", ERROR, "a required field is missing"),
    ("GC105", "unreadable-value", ERROR, "unreadable human value, or a unit that does not match the instrument"),
    ("GC106", "excess-precision", ERROR, "more precision than the wire scale (qty 1e-8, price 1e-9)"),
    ("GC107", "template-error", ERROR, "template error, undefined name or sandbox violation"),
    ("GC108", "param-error", ERROR, "param missing, unknown, wrongly typed or out of range"),
    ("GC109", "missing-quote", ERROR, "a quote is needed and not available"),
    ("GC110", "not-a-playbook", ERROR, "not a playbook, or an unsupported graphc version"),
    ("GC201", "cycle", ERROR, "the edges form a cycle"),
    ("GC202", "unknown-leg", ERROR, "an edge names a leg that does not exist"),
    ("GC203", "duplicate-node", ERROR, "two nodes share an id"),
    ("GC204", "orphan", ERROR, "a wait node with no incoming edge never activates"),
    ("GC205", "root-with-edges", ERROR, "a root node has incoming edges, which have no effect"),
    ("GC206", "no-root", ERROR, "no root node: nothing ever starts"),
    ("GC207", "unreachable", ERROR, "a node is only reachable from nodes that never activate"),
    ("GC208", "trigger-condition", ERROR, "trigger and condition do not match"),
    ("GC209", "derived-without-fills", ERROR, "a derived quantity with no incoming fill edge"),
    ("GC210", "duplicate-edge", ERROR, "two edges with the same from, to and trigger"),
    ("GC301", "min-notional", ERROR, "order notional below the venue minimum"),
    ("GC302", "min-size", ERROR, "order size below the venue minimum"),
    ("GC303", "off-tick", ERROR, "limit price not on the venue tick"),
    ("GC304", "price-range", ERROR, "price outside the venue's range"),
    ("GC305", "off-lot", ERROR, "size not on the venue lot"),
    ("GC306", "venue-type", ERROR, "prediction venue with a non-prediction type, or the reverse"),
    ("GC307", "unknown-venue", WARNING, "venue graphc has no profile for"),
    ("GC308", "price-form", ERROR, "venue rule on the form of the price (e.g. significant figures)"),
    ("GC401", "execution-contradiction", ERROR, "policy, time in force and order type contradict"),
    ("GC402", "twap-longer-than-horizon", ERROR, "TWAP pacing runs longer than the horizon"),
    ("GC403", "slippage", ERROR, "slippage not positive, above 10000 bps (error) or above 500 bps (warning)"),
    ("GC404", "at-touch", WARNING, "buy at exactly the ask or sell at exactly the bid"),
    ("GC405", "hedge-size", WARNING, "hedge size differs from its parent's"),
    ("GC406", "far-from-mid", WARNING, "limit price more than 10% from the quote mid"),
    ("GC501", "max-notional", ERROR, "total notional above risk.max_notional"),
    ("GC502", "live-without-risk", WARNING, "live graph without risk limits"),
]

RULES: dict[str, RuleInfo] = {code: RuleInfo(code, name, sev, summary) for code, name, sev, summary in _TABLE}
BY_NAME: dict[str, RuleInfo] = {info.name: info for info in RULES.values()}


def get(code_or_name: str) -> RuleInfo:
    key = code_or_name.strip()
    info = RULES.get(key.upper()) or BY_NAME.get(key.lower())
    if info is None:
        raise KeyError(code_or_name)
    return info


def default_severity(code: str) -> str:
    info = RULES.get(code)
    return info.severity if info else ERROR


def report_rules(*, with_help: bool = False) -> dict[str, RuleInfo]:
    """Every rule, for the renderers; ``with_help`` adds each rule's page (SARIF shows it)."""
    if not with_help:
        return dict(RULES)
    from graphc.resources import read_text

    def page(code):
        try:
            return read_text("rules", f"{code}.md")
        except (OSError, UnicodeDecodeError):
            return None

    return {code: replace(info, help=page(code)) for code, info in RULES.items()}
