"""Mutation check for the budgets (issue 12): remove each one in turn and see a test fail.

Each mutation turns one budget's check into ``if False:`` (or removes the
counting it relies on) in a copy of the package, then runs the tests that
guard the budgets against that copy. A mutation that leaves every test
passing "survives": the budget could be removed without anyone noticing.

    python bench/mutate_budgets.py            # every mutation, a table, exit 1 if one survives
    python bench/mutate_budgets.py steps      # only the mutations whose id contains "steps"

Not part of the test suite (a full run takes tens of test runs); its last
result is in docs/robustness.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/test_template_budgets.py",
    "tests/test_limits.py",
    "tests/test_templates.py",
    "tests/test_template_security.py",
    "tests/test_fmt.py",
]
EXPR = "graphc/stages/expressions.py"
TIMEOUT = 300  # seconds for one mutant's tests (they take about 10 s): longer means a test ran away

# (id, file, a text that identifies the line, what to replace on it, the replacement)
MUTATIONS = [
    (  # the per-template limit gone; the per-file one (a smaller limit) still stops an evaluation
        "steps",
        EXPR,
        "if operations > self.limit:",
        "operations > self.limit",
        "operations > self.limit and self.limit < MAX_OPERATIONS",
    ),
    ("value-depth", EXPR, "if depth > MAX_VALUE_DEPTH:\n            raise", "depth > MAX_VALUE_DEPTH", "False"),
    (
        "value-items",
        EXPR,
        '        if items > MAX_VALUE_ITEMS:\n            raise BudgetExceeded(f"a value',
        "items > MAX_VALUE_ITEMS",
        "False",
    ),
    ("value-chars", EXPR, "if chars > MAX_VALUE_CHARS:", "chars > MAX_VALUE_CHARS", "False"),
    ("range", EXPR, "if len(rng) > MAX_ITEMS:", "len(rng) > MAX_ITEMS", "False"),
    (
        "join",
        EXPR,
        '        if size > MAX_OUTPUT_CHARS:\n            raise BudgetExceeded(f"join',
        "size > MAX_OUTPUT_CHARS",
        "False",
    ),
    (
        "tilde",
        EXPR,
        '    if size > MAX_OUTPUT_CHARS:\n        raise BudgetExceeded(f"`~`',
        "size > MAX_OUTPUT_CHARS",
        "False",
    ),
    (
        "sum",
        EXPR,
        '            if items > MAX_VALUE_ITEMS:\n                raise BudgetExceeded(f"sum()',
        "items > MAX_VALUE_ITEMS",
        "False",
    ),
    ("round-digits", EXPR, "abs(precision) > MAX_ROUND_DIGITS", "abs(precision) > MAX_ROUND_DIGITS", "False"),
    ("repeat-string", EXPR, "if len(seq) * times > MAX_OUTPUT_CHARS:", "len(seq) * times > MAX_OUTPUT_CHARS", "False"),
    ("repeat-list", EXPR, "if len(seq) * times > MAX_ITEMS:", "len(seq) * times > MAX_ITEMS", "False"),
    (
        "repeat-deep",
        EXPR,
        "if (items * times > MAX_VALUE_ITEMS)",
        "(items * times > MAX_VALUE_ITEMS) or (chars * times > MAX_VALUE_CHARS)",
        "False",
    ),
    (
        "plus-string",
        EXPR,
        "if len(left) + len(right) > MAX_OUTPUT_CHARS:",
        "len(left) + len(right) > MAX_OUTPUT_CHARS",
        "False",
    ),
    (
        "plus-list-items",
        EXPR,
        "if li + ri > MAX_VALUE_ITEMS or lc + rc > MAX_VALUE_CHARS:",
        "li + ri > MAX_VALUE_ITEMS or ",
        "",
    ),
    (
        "plus-list-chars",
        EXPR,
        "if li + ri > MAX_VALUE_ITEMS or lc + rc > MAX_VALUE_CHARS:",
        " or lc + rc > MAX_VALUE_CHARS",
        "",
    ),
    (
        "number-text",
        EXPR,
        "if abs(value.adjusted()) > MAX_NUMBER_DIGITS:",
        "abs(value.adjusted()) > MAX_NUMBER_DIGITS",
        "False",
    ),
    ("exponent", EXPR, "        if abs(exponent) > MAX_EXPONENT:", "abs(exponent) > MAX_EXPONENT", "False"),
    (
        "pow-bits",
        EXPR,
        "base.bit_length() * abs(exponent) > MAX_POW_BITS",
        "base.bit_length() * abs(exponent) > MAX_POW_BITS",
        "False",
    ),
    (
        "template-chars",
        EXPR,
        "    if len(text) > MAX_TEMPLATE_CHARS:\n        raise",
        "len(text) > MAX_TEMPLATE_CHARS",
        "False",
    ),
    ("bracket-nesting", EXPR, "if deepest > MAX_NESTING + 2:", "deepest > MAX_NESTING + 2", "False"),
    ("expression-depth", EXPR, "if depth > MAX_EXPRESSION_DEPTH:", "depth > MAX_EXPRESSION_DEPTH", "False"),
    (
        "rendered-text",
        EXPR,
        '        if size > MAX_OUTPUT_CHARS:\n            raise BudgetExceeded(f"the template',
        "size > MAX_OUTPUT_CHARS",
        "False",
    ),
    (  # an evaluation no longer stops where the file's steps run out
        "file-steps",
        EXPR,
        "steps = None if file_budget is None else min(",
        "min(MAX_OPERATIONS, MAX_FILE_OPERATIONS - file_budget.operations)",
        "MAX_OPERATIONS",
    ),
    (  # hostile18 F1: a spent file budget no longer refuses the evaluations after it before they run
        "file-spent-refuses",
        EXPR,
        "if file_budget is not None and file_budget.spent is not None:",
        "file_budget is not None and file_budget.spent is not None",
        "False",
    ),
    (  # hostile18 F1: only the evaluations that succeed are charged to the file, as before
        "file-charges-failures",
        EXPR,
        "file_budget.operations += budget.operations  # a failed",
        "file_budget.operations += budget.operations",
        "file_budget.operations += budget.operations * (__import__('sys').exc_info()[0] is None)",
    ),
    # -- hostile18 F3: the step accounting the step budgets count, and the checks behind the value limits ------
    ("steps-compare", EXPR, "b.charge(_work(right))  # `in` reads", "b.charge(_work(right))", "pass"),
    (
        "steps-call-args",
        EXPR,
        "budget.charge(1 + sum(map(_work, args)) + sum(map(_work, kwargs.values())))",
        "1 + sum(map(_work, args)) + sum(map(_work, kwargs.values()))",
        "1",
    ),
    ("steps-call-owner", EXPR, "            budget.charge(_work(owner))", "budget.charge(_work(owner))", "pass"),
    (
        "steps-filter",
        EXPR,
        "        budget.charge(1 + _work(value) + sum(map(_work, args or ())))\n        if context is None:\n"
        "            context = budget.jinja_context()\n        if isinstance(value, MissingQuoteField)",
        "1 + _work(value) + sum(map(_work, args or ()))",
        "1",
    ),
    (
        "steps-test",
        EXPR,
        "        budget.charge(1 + _work(value) + sum(map(_work, args or ())))\n        if context is None:\n"
        "            context = budget.jinja_context()\n        return super().call_test",
        "budget.charge(1 + _work(value) + sum(map(_work, args or ())))",
        "pass",
    ),
    (
        "steps-getattr",
        EXPR,
        "        _current().charge(1)\n        return super().getattr",
        "_current().charge(1)",
        "pass",
    ),
    ("steps-sum-lists", EXPR, "            budget.charge(1 + len(item))", "budget.charge(1 + len(item))", "pass"),
    ("steps-sum-numbers", EXPR, "        budget.charge(1)\n        total = ", "budget.charge(1)", "pass"),
    ("steps-nodes", EXPR, "        budget.charge(compiled.cost)", "budget.charge(compiled.cost)", "pass"),
    (
        "steps-repeat-string",
        EXPR,
        "            budget.charge(len(seq) * times // TEXT_CHARS_PER_UNIT)",
        "budget.charge(len(seq) * times // TEXT_CHARS_PER_UNIT)",
        "pass",
    ),
    ("steps-repeat-list", EXPR, "        budget.charge(len(seq) * times)\n", "budget.charge(len(seq) * times)", "pass"),
    ("steps-plus-list", EXPR, "            budget.charge(len(left) + len(right))", "budget.charge(", "("),
    ("steps-size", EXPR, "            self.charge(1 + len(node))\n", "self.charge(1 + len(node))", "pass"),
    ("steps-join", EXPR, "    budget.charge(len(pieces) + size // TEXT_CHARS_PER_UNIT)", "budget.charge(", "("),
    ("steps-list", EXPR, "    budget.charge(len(items))\n    return items", "budget.charge(len(items))", "pass"),
    (
        "steps-slice",
        EXPR,
        "            budget.charge(1 + _work(obj))\n            return budget.measure(",
        "1 + _work(obj)",
        "1",
    ),
    (
        "string-result",
        EXPR,
        '            if len(value) > MAX_OUTPUT_CHARS:\n                raise BudgetExceeded(\n                    f"a string of',
        "len(value) > MAX_OUTPUT_CHARS",
        "False",
    ),
    (
        "call-result",
        EXPR,
        "            result = _marked_items(result, money)\n        return budget.measure(result)",
        "budget.measure(result)",
        "result",
    ),
    (
        "filter-result",
        EXPR,
        "*(kwargs or {}).values()))\n        return budget.measure(result)",
        "budget.measure(result)",
        "result",
    ),
    (
        "slice-result",
        EXPR,
        "return budget.measure(_text_of(obj, super().getitem(obj, argument)))",
        "budget.measure(_text_of(obj, super().getitem(obj, argument)))",
        "_text_of(obj, super().getitem(obj, argument))",
    ),
    (
        "generator-counted",
        EXPR,
        '    return _counted_list(budget, value, "a sequence")',
        '_counted_list(budget, value, "a sequence")',
        "list(value)",
    ),
    (
        "counted-list-cap",
        EXPR,
        '        if len(items) >= MAX_VALUE_ITEMS:\n            raise BudgetExceeded(f"{what} would',
        "len(items) >= MAX_VALUE_ITEMS",
        "False",
    ),
    ("whole-operand", EXPR, "        _check_whole(left)  # a whole number", "_check_whole(left)", "pass"),
    (
        "whole-result",
        EXPR,
        "        result = _check_whole(_OPS[op](left, right))",
        "_check_whole(_OPS[op](left, right))",
        "_OPS[op](left, right)",
    ),
    ("whole-unary", EXPR, '        result = _check_whole(-arg if op == "-" else +arg)', "_check_whole(", "("),
    (
        "whole-index",
        EXPR,
        "return _text_of(obj, super().getitem(obj, _check_whole(argument)))",
        "_check_whole(argument)",
        "argument",
    ),
    (
        "pow-decimal",
        EXPR,
        "and (abs(base.adjusted()) + 1) * abs(exponent) > MAX_POW_BITS // 3",
        "(abs(base.adjusted()) + 1) * abs(exponent) > MAX_POW_BITS // 3",
        "False",
    ),
    ("no-printf", EXPR, '        if op == "%":\n            raise ExpressionError(', 'op == "%"', "False"),
    ("file-output", EXPR, "if file_budget.output > MAX_FILE_OUTPUT:", "file_budget.output > MAX_FILE_OUTPUT", "False"),
    ("for-each", "graphc/stages/expand.py", "if count > MAX_FOR_EACH:", "count > MAX_FOR_EACH", "False"),
    (
        "legs",
        "graphc/stages/render.py",
        "if self.leg_total > expand.MAX_LEGS:",
        "self.leg_total > expand.MAX_LEGS",
        "False",
    ),
    (
        "legs-not-mappings",
        "graphc/stages/expand.py",
        "            r.count_legs(1, span_in(key_spans, ()))\n            out.append",
        "r.count_legs(1, span_in(key_spans, ()))",
        "pass",
    ),
    (
        "expansion",
        "graphc/stages/render.py",
        "if total > expand.MAX_EXPANSION:",
        "total > expand.MAX_EXPANSION",
        "False",
    ),
    (  # audit tmpl27 3: parsing a template text is free again
        "file-steps-parse",
        EXPR,
        "operations = file_budget.operations + PARSE_STEPS + PARSE_STEPS_PER_CHAR * len(text)",
        "PARSE_STEPS + PARSE_STEPS_PER_CHAR * len(text)",
        "0",
    ),
    (  # a text over the file's steps is lexed all the same
        "file-steps-parse-refused",
        EXPR,
        "        if operations > MAX_FILE_OPERATIONS:\n            file_budget.spent = _PARSE_STEPS",
        "operations > MAX_FILE_OPERATIONS",
        "False",
    ),
    (  # audit tmpl27 1: a copy counts as one, whatever it holds (a literal `after:` of 5,000 entries)
        "expansion-values",
        "graphc/stages/expand.py",
        "    return max(1, count)",
        "max(1, count)",
        "1",
    ),
    (  # the template legs a `use:` makes count as one each
        "expansion-values-of-use",
        "graphc/stages/expand.py",
        "r.count_expansion(1 if scope.via is None else copy_cost(raw),",
        "1 if scope.via is None else copy_cost(raw)",
        "1",
    ),
    (  # the pre-check counts a template leg as one, whatever it holds
        "expansion-planned-values",
        "graphc/stages/expand.py",
        "                    cost = copy_cost(raw)",
        "cost = copy_cost(raw)",
        "cost = 1",
    ),
    (  # neither a for_each of `use:` nor a plain `use:` leg is refused before its first copy
        "expansion-planned",
        "graphc/stages/expand.py",
        "at_least = copies * r.templates.floor(",
        'copies * r.templates.floor(scope, raw["use"])',
        "0",
    ),
    (  # audit params25 1: a plain `use:` leg is no longer refused before its template fans out
        "expansion-planned-plain-use",
        "graphc/stages/expand.py",
        'copies, at = 1, span_in(spans, ("use",))',
        "copies, at = 1,",
        "copies, at = 0,",
    ),
    (  # the pre-check no longer stops where `open` reports a cycle (a fan-out through one is over the budget)
        "expansion-planned-cycle",
        "graphc/stages/expand.py",
        "if real in chain:  # `open` refuses it",
        "real in chain",
        "False",
    ),
    (
        "template-depth",
        "graphc/stages/expand.py",
        "if len(scope.chain) > MAX_TEMPLATE_DEPTH:",
        "len(scope.chain) > MAX_TEMPLATE_DEPTH",
        "False",
    ),
    (
        "template-bytes",
        "graphc/stages/expand.py",
        "if real.stat().st_size > MAX_TEMPLATE_BYTES:\n                report(",
        "real.stat().st_size > MAX_TEMPLATE_BYTES",
        "False",
    ),
    (
        "file-bytes",
        "graphc/stages/load.py",
        "    if _too_big(text):\n        return None, [",
        "_too_big(text)",
        "False",
    ),
    (
        "file-read-prefix",
        "graphc/files.py",
        "if S_ISREG(info.st_mode) and 0 < info.st_size <= MAX_FILE_BYTES else None",
        "S_ISREG(info.st_mode) and 0 < info.st_size <= MAX_FILE_BYTES",
        "True",
    ),
    (
        "loader-json-total",
        "graphc/stages/load.py",
        "if 1 + keys + commas + nonempty > max_total:",
        "1 + keys + commas + nonempty > max_total",
        "False",
    ),
    ("loader-depth", "graphc/stages/load.py", "if len(stack) >= max_depth:", "len(stack) >= max_depth", "False"),
    (
        "loader-scalar",
        "graphc/stages/load.py",
        "if len(text) > MAX_SCALAR_CHARS:\n                    raise LoadError(",
        "len(text) > MAX_SCALAR_CHARS",
        "False",
    ),
    (
        "fast-pass-total-scalars",
        "graphc/stages/load.py",
        "if written > max_total:  # where the full composer would stop too: no need to run it\n"
        "                    raise _total_exceeded(max_total, event)\n            if not in_map",
        "written > max_total",
        "False",
    ),
    (
        "fast-pass-total-values",
        "graphc/stages/load.py",
        "if written > max_total:\n                        raise _total_exceeded(max_total, event)\n                continue",
        "written > max_total",
        "False",
    ),
    (
        "fast-pass-total-collections",
        "graphc/stages/load.py",
        "if written > max_total:  # where the full composer would stop too: no need to run it\n"
        "                raise _total_exceeded(max_total, event)\n        stack.append",
        "written > max_total",
        "False",
    ),
    (
        "fast-pass-total-counting",
        "graphc/stages/load.py",
        "counting = type(events) is not list or len(events) > max_total",
        "type(events) is not list or len(events) > max_total",
        "False",
    ),
    (
        "loader-total-scalars",
        "graphc/stages/load.py",
        "if written > max_total:\n                    self._too_many(span)\n                if event.anchor",
        "written > max_total",
        "False",
    ),
    (
        "loader-total-collections",
        "graphc/stages/load.py",
        "if written > max_total:\n                    self._too_many(span)\n                is_map",
        "written > max_total",
        "False",
    ),
    (
        "loader-aliases",
        "graphc/stages/load.py",
        "                if self.expanded > self.max_nodes:\n                    self._too_many",
        "self.expanded > self.max_nodes",
        "False",
    ),
]


def mutate(root: Path, file: str, where: str, old: str, new: str) -> None:
    """Replace ``old`` with ``new`` at the first place after ``where`` (which must be in the file once)."""
    path = root / file
    text = path.read_text()
    assert text.count(where) == 1, f"{file}: {where!r} is not in the file exactly once; update the table"
    at = text.index(where)
    assert text.index(old, at) < at + len(where) + 200, (file, old)
    path.write_text(text[:at] + text[at:].replace(old, new, 1))


def run(selected: list[str]) -> int:
    survivors = broken = 0
    print(f"{'mutation':28} {'seconds':>8}  verdict")
    for mutation_id, file, where, old, new in MUTATIONS:
        if selected and not any(s in mutation_id for s in selected):
            continue
        with tempfile.TemporaryDirectory(prefix="graphc-mutant-") as tmp:
            copy = Path(tmp) / "repo"  # the whole checkout, so the tests import the mutant (cwd comes first)
            shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".git", "corpus", "__pycache__", ".hypothesis"))
            shared = REPO.parent / "shared"  # the spec and references the tests read, beside the checkout
            if shared.is_dir():
                (copy.parent / "shared").symlink_to(shared, target_is_directory=True)
            mutate(copy, file, where, old, new)
            started = time.perf_counter()
            try:
                result = subprocess.run(
                    [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TESTS],
                    cwd=copy,
                    env={**os.environ, "PYTHONPATH": str(copy)},
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=TIMEOUT,
                )
            except subprocess.TimeoutExpired:  # without the budget a test runs away: that is noticed too
                print(f"{mutation_id:28} {time.perf_counter() - started:8.1f}  killed (the tests ran away)", flush=True)
                continue
            failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
            # (-x under xdist exits 2, "interrupted", after the first failure: that is a failed test too)
            if result.returncode not in (0, 1) and not failed:  # the tests did not run (pytest's 2 to 5)
                broken += 1
                why = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
                print(
                    f"{mutation_id:28} {time.perf_counter() - started:8.1f}  NOT RUN (exit {result.returncode}: "
                    f"{why[0][:60]})",
                    flush=True,
                )
                continue
            killed = result.returncode != 0
            survivors += not killed
            tail = failed[:1]
            verdict = f"killed ({tail[0][7:][:70]})" if killed and tail else "killed" if killed else "SURVIVED"
            print(f"{mutation_id:28} {time.perf_counter() - started:8.1f}  {verdict}", flush=True)
    print(f"\n{survivors} mutation(s) survived" + (f"; the tests did not run for {broken}" if broken else ""))
    return 1 if survivors or broken else 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
