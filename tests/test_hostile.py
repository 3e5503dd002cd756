"""Every hostile input of tests/hostile/ through lint, compile, graph, decompile and fmt, under budgets.

The corpus and the runner are tests/hostile/harness.py: one child process per
command with its address space capped (RLIMIT_AS: a blow-up is a MemoryError
in a second, not a swapped machine) and a CPU budget per file. This asserts
outcomes and budgets, never speed: the exit code (never 4), no traceback, the
diagnostic naming the limit, and that no file used up its budget.
`python tests/hostile/harness.py [--large]` prints the same run as a table,
with CPU time and peak memory.
"""

from __future__ import annotations

import pytest

from tests.hostile import harness

CASES = [case for case in harness.CASES if not case.large]


@pytest.fixture(scope="module")
def outcomes():
    return {(o.case.name, o.command): o for o in harness.run(CASES)}


@pytest.mark.parametrize("command", list(harness.COMMANDS))
@pytest.mark.parametrize("name", [case.name for case in CASES])
def test_hostile_input(outcomes, name, command):
    outcome = outcomes[(name, command)]
    assert outcome.problems() == [], outcome.output[-3000:]


def test_every_file_in_the_corpus_is_a_case():
    files = {
        str(path.relative_to(harness.HERE))
        for path in harness.HERE.rglob("*")
        if path.is_file() and path.suffix in (".yaml", ".json") and "/." not in str(path)
    }
    templates_only_used = {"nested-use/leaf.yaml", "nested-use/self.yaml"}  # reached through the playbooks
    templates_only_used |= {f"nested-use/fan/t{i}.yaml" for i in range(9)}
    templates_only_used |= {f"nested-use/fan-missing/t{i}.yaml" for i in range(3)}
    assert files - templates_only_used == {case.name for case in CASES} - set(harness.generated())


def test_the_harness_fails_a_run_that_breaks_its_expectations():
    """The checks can fail: a wrong expected code, a traceback and a spent budget are each reported."""
    case = harness.Case("x.yaml", {"lint": harness.Expect((1,), ("GC999",))})
    spent = harness.Outcome(case, "lint", -2, 30.0, 31.0, 10, "")
    crashed = harness.Outcome(case, "lint", 4, 0.1, 0.1, 10, "Traceback ... graphc: internal error")
    assert spent.problems() == ["ran out of its CPU budget (30.0 s)", "output lacks 'GC999'"]
    assert crashed.problems()[:3] == ["exit 4, expected 1", "output has 'Traceback'", "output has 'internal error'"]
