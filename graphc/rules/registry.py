"""Every rule code graphc can report, built from the rule modules.

Like yamllint's ``rules/__init__.py`` this imports each family explicitly and
builds one table; nothing is discovered by magic. Codes are stable. GC1xx are
reported by the loading and compiling stages (:mod:`graphc.rules.input` holds
their metadata and pages); GC2xx-GC5xx by the checks of the other families.
Each code has a page, ``docs/rules/CODE.md``, written from its rule by
:mod:`graphc.rules.docs` and served by ``graphc explain CODE``.
"""

from __future__ import annotations

from graphc.diagnostics import ERROR, RuleInfo
from graphc.rules import execution, input, risk, venue
from graphc.stages import graph_rules as graph
from graphc.stages.checks import Rule

FAMILY_MODULES = (input, graph, venue, execution, risk)

RULES: dict[str, Rule] = {r.code: r for module in FAMILY_MODULES for r in sorted(module.RULES, key=lambda r: r.code)}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES.values()}
CHECKED: tuple[Rule, ...] = tuple(r for module in FAMILY_MODULES for r in module.RULES if r.check)  # report order


def get(code_or_name: str) -> Rule:
    """The rule for a code (``GC303``, ``gc303``) or a name (``off-tick``, ``OFF_TICK``); KeyError if none."""
    key = code_or_name.strip()
    found = RULES.get(key.upper()) or BY_NAME.get(key.lower().replace("_", "-"))
    if found is None:
        raise KeyError(code_or_name)
    return found


def default_severity(code: str) -> str:
    found = RULES.get(code)
    return found.severity if found else ERROR


def report_rules(*, with_help: bool = False) -> dict[str, RuleInfo]:
    """Every rule as the renderers need it; ``with_help`` adds each rule's page (SARIF shows it):
    the shipped ``docs/rules/CODE.md``, which a test keeps equal to what the rule generates."""
    if not with_help:
        return {code: r.info for code, r in RULES.items()}
    from graphc.resources import read_text  # deferred: resolves paths at import; only SARIF reads the rule pages

    def page(code):
        try:
            return read_text("rules", f"{code}.md")
        except (OSError, UnicodeDecodeError):
            return None

    return {code: RuleInfo(r.code, r.name, r.severity, r.summary, page(code)) for code, r in RULES.items()}
