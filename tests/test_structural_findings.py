"""Identical findings (code, place, message and hint) are said once, unless their rule declares itself structural.

A value of `defaults:` is found again in each leg that takes it, the same finding at the same place each time, and
is said once (audit spec28 2). A rule about the graph's structure finds each of its problems once, and two of them
may read alike (two cycles whose listing is cut to the same text: f1e76e7), so a rule that declares
``structural=True`` (graphc.stages.checks.Rule.structural) is never collapsed. The flag, not the code's number,
decides it, in both places that collapse: the lint runner (graphc.lint) and the model builder (graphc.stages.model).
"""

from __future__ import annotations

import pytest

from graphc.diagnostics import ERROR, DiagnosticError
from graphc.lint import LintedGraph, LintOptions, _run_rules
from graphc.pipeline import CompileOptions, compile_text
from graphc.rules import registry
from graphc.stages import graph_rules, model
from graphc.stages.checks import Finding, Rule
from graphc.stages.load import load_text

PLAYBOOK = "graphc: 1\nname: twice\nlegs:\n  a: {buy: 1, symbol: BTC-USD}\n"


def _saying_twice(code: str, *, structural: bool) -> Rule:
    """A rule whose check finds the same thing twice at the same place, with the same words and hint."""

    def check(ctx):
        for _ in range(2):
            yield Finding(("nodes", 0, "quantity"), "the same words", "the same hint")

    return Rule(code, "says-it-twice", ERROR, "says it twice", "this test", "", check, structural=structural)


# a code of the graph family that does not declare the flag, and one of another family that does: the flag decides
@pytest.mark.parametrize(("code", "structural", "said"), [("GC201", False, 1), ("GC301", True, 2)])
def test_the_lint_runner_collapses_identical_findings_unless_the_rule_is_structural(
    monkeypatch, code, structural, said
):
    rule = _saying_twice(code, structural=structural)
    monkeypatch.setattr(registry, "CHECKED", (rule,))
    monkeypatch.setitem(registry.RULES, code, rule)
    built = compile_text(PLAYBOOK, "t.yaml", CompileOptions(require_quotes=False))
    assert built.wire is not None and not built.diagnostics
    diagnostics, _, _ = _run_rules(LintedGraph(built.wire, built.locator, [], built.origin), "t.yaml", LintOptions())
    assert [(d.code, d.message, d.hint) for d in diagnostics] == [(code, "the same words", "the same hint")] * said


@pytest.mark.parametrize(("code", "structural", "said"), [("GC201", False, 1), ("GC103", True, 2)])
def test_the_model_builder_collapses_identical_errors_unless_the_rule_is_structural(
    monkeypatch, code, structural, said
):
    monkeypatch.setattr(model, "STRUCTURAL_CODES", frozenset({code} if structural else ()))
    doc, problems = load_text(PLAYBOOK, "t.yaml")
    assert doc is not None and not problems
    builder = model._Builder(doc, None, False)
    for _ in range(2):
        builder.error(DiagnosticError(code, "the same words", doc.span(("legs", "a")), "the same hint"))
    said_by_the_builder = [(d.code, d.message, d.hint) for d in builder.diagnostics]
    assert said_by_the_builder == [(code, "the same words", "the same hint")] * said


def test_the_model_builder_sees_every_rule_that_declares_the_flag():
    """The model builder (Compile layer) may not read lint's registry: it reads the graph rules' flags. A rule of
    another family that declared it would not be seen there; this fails first."""
    declared = {code for code, rule in registry.RULES.items() if rule.structural}
    assert declared == graph_rules.STRUCTURAL_CODES


def test_every_graph_rule_is_structural_and_no_other_rule_is():
    assert {code for code, rule in registry.RULES.items() if rule.structural} == {
        code for code in registry.RULES if code.startswith("GC2")
    }
