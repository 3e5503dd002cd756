"""The caller's decimal context never changes a result of the library (audit api22 F4).

Money code often traps ``Inexact`` or works at a low precision. graphc's public
functions run under graphc's own context (graphc.numbers.DECIMALS, the one the
command line computes in), so a caller's traps and precision change no graph,
no finding and no exception, and the call leaves no flag set in the caller's
context. Before, ``lint_file`` raised ``decimal.Inexact`` on 35 of the examples
and fixtures, and a precision of 5 digits moved the bracket's prices.
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime

import pytest

import graphc
from graphc.submit import prepare
from tests.conftest import EXAMPLES, REPO

QUOTES = EXAMPLES / "quotes.yaml"
NOW = datetime(2026, 3, 2, 14, tzinfo=UTC)
FILES = sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "quotes.yaml")
FILES += sorted((REPO / "tests" / "fixtures" / "rules").glob("GC[3-5]*.yaml"))


def outcomes(paths):
    """What each public function gives for each file: wire text, findings, a prepared graph's verdict."""
    found = {}
    for path in paths:
        compiled = graphc.compile_file(path, quotes=QUOTES, now=NOW)
        text = graphc.compile_text(path.read_text(), str(path), quotes=graphc.load_quotes(QUOTES), now=NOW)
        prepared = prepare(path, quotes_path=QUOTES, now=NOW)
        found[path.name] = (
            compiled.wire_json() if compiled.ok else [d.headline() for d in compiled.diagnostics],
            text.wire_json() if text.ok else [d.headline() for d in text.diagnostics],
            [d.headline() for d in graphc.lint_file(path, quotes=QUOTES, now=NOW).diagnostics],
            [d.headline() for d in graphc.lint_text(path.read_text(), str(path), quotes=QUOTES, now=NOW).diagnostics],
            (prepared.wire_text, prepared.run_key, [p.message for p in prepared.problems]),
        )
    return found


def hostile(context: decimal.Context) -> None:
    """A caller's context as unlike Python's default as it gets: every signal trapped, 5 digits, rounded up."""
    context.prec, context.rounding, context.Emax, context.Emin = 5, decimal.ROUND_UP, 99, -99
    for signal in context.traps:
        context.traps[signal] = True
    context.clear_flags()


@pytest.mark.parametrize("files", [FILES[:9], FILES[9:]], ids=["examples", "fixtures"])
def test_the_callers_context_changes_no_result_and_gets_no_flag(files):
    expected = outcomes(files)
    with decimal.localcontext() as context:
        hostile(context)
        seen = outcomes(files)
        flags = [signal.__name__ for signal, raised in context.flags.items() if raised]
    assert flags == []
    assert seen == expected


def test_the_callers_inexact_trap_does_not_raise_from_lint():
    """The audit's repro: a trapped Inexact raised from check_far_from_mid (GC405)."""
    with decimal.localcontext() as context:
        context.traps[decimal.Inexact] = True
        result = graphc.lint_file(EXAMPLES / "btc-bracket.yaml", quotes=QUOTES)
    assert [d for d in result.diagnostics if d.is_error] == []


def test_a_low_precision_does_not_move_a_price():
    """The audit's repro: at prec=5 the take-profit and stop of the bracket were priced at other values."""
    expected = graphc.compile_file(EXAMPLES / "btc-bracket.yaml", quotes=QUOTES).wire_json()
    with decimal.localcontext(prec=5):
        assert graphc.compile_file(EXAMPLES / "btc-bracket.yaml", quotes=QUOTES).wire_json() == expected
