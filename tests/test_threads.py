"""The library in threads (audit api22 F3): each evaluation of a template runs under its own budget.

A Python tool may compile or lint several playbooks at once in threads. The
budget of the template evaluation that is running is per thread (a context
variable), so one thread's steps are never charged to another thread's budget,
and a thread that finishes never takes the budget away from one still running.
Before, the running budget was one for the process: a valid playbook heavy in
templates was a false GC107 when another thread evaluated at the same time, and
the step bomb below passed with no GC107 while other threads rendered.

The checks are on outcomes (the sequential result, the GC107), never on time.
A short switch interval makes the threads take turns inside one evaluation.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import graphc
from tests.conftest import REPO

# Eight copies of about 180,000 steps each: under the per-template limit (250,000) and the file's (2,000,000).
HEAVY = (
    "graphc: 1\nname: heavy\nlegs:\n  rung:\n    for_each: 8\n"
    '    buy: "{{ (((range(5000)|list + range(5000)|list)|length + (range(5000)|list + range(5000)|list)|length'
    ' + (range(5000)|list + range(5000)|list)|length) // 30000) }} ETH"\n'
    "    symbol: ETH-USD\n    limit: 2000\n"
)
SMALL = 'graphc: 1\nname: s\nlegs:\n  a:\n    for_each: 50\n    buy: "{{ 1 + index * 0 }} ETH"\n    symbol: ETH-USD\n'
SMALL += "    limit: 2000\n"
STEP_BOMB = REPO / "tests" / "hostile" / "template-steps.yaml"


@pytest.fixture
def threads_take_turns():
    """Threads switch every 0.1 ms, so each evaluation is interrupted by the others many times."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(before)


def outcome(result):
    return result.ok, [d.headline() for d in result.diagnostics], result.wire_json() if result.ok else None


def test_a_heavy_valid_playbook_compiles_in_threads_as_it_does_alone(threads_take_turns):
    alone = outcome(graphc.compile_text(HEAVY, "heavy.yaml"))
    assert alone[0] and alone[1] == [], alone[1]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda _: outcome(graphc.compile_text(HEAVY, "heavy.yaml")), range(8)))
    assert [o == alone for o in together] == [True] * 8, [o[1] for o in together if o != alone][:2]


def test_lint_in_threads_gives_the_sequential_findings(threads_take_turns):
    def findings(_):
        return [d.headline() for d in graphc.lint_text(HEAVY, "heavy.yaml").diagnostics]

    alone = findings(0)
    assert not any(" GC107 " in line for line in alone), alone
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(findings, range(8))) == [alone] * 8


def test_the_step_bomb_is_gc107_while_other_threads_render(threads_take_turns):
    bomb = STEP_BOMB.read_text()
    alone = [d.headline() for d in graphc.compile_text(bomb, "bomb.yaml").diagnostics]
    assert any(" GC107 " in line and "steps (the per-template limit)" in line for line in alone), alone
    stop = threading.Event()

    def noise():
        while not stop.is_set():  # a small playbook's templates, started and ended again and again
            assert graphc.compile_text(SMALL, "small.yaml").ok

    others = [threading.Thread(target=noise) for _ in range(3)]
    for thread in others:
        thread.start()
    try:
        seen = [d.headline() for d in graphc.compile_text(bomb, "bomb.yaml").diagnostics]
    finally:
        stop.set()
        for thread in others:
            thread.join()
    assert seen == alone
