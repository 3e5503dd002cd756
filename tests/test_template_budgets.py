"""Template budgets (issue 12): every evaluation runs under explicit limits, enforced in the sandbox's hooks.

Each row of BUDGETS trips exactly one limit, and the test checks the message
that names it: removing any one budget changes what happens (no error, or a
later limit's message), so the test fails. The issue's reproductions follow,
each in the form it was reported. Every failure is GC107 at the template's
line and column. docs/robustness.md lists the limits.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.pipeline import CompileOptions, compile_text
from graphc.stages import expand, expressions
from graphc.stages.expressions import (
    MAX_EXPRESSION_DEPTH,
    MAX_ITEMS,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    MAX_OPERATIONS,
    MAX_OUTPUT_CHARS,
    MAX_VALUE_CHARS,
    MAX_VALUE_DEPTH,
    MAX_VALUE_ITEMS,
)
from tests.conftest import write

HEAD = "graphc: 1\nname: budgets\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: "
LINE, COL = 7, 12  # where the template starts in HEAD + template


def compile_one(template: str, head: str = HEAD):
    text = head + json.dumps(template) + "\n"
    return compile_text(text, "budgets.yaml", CompileOptions(require_quotes=False))


def gc107(result):
    found = [d for d in result.diagnostics if d.code == "GC107"]
    assert found, result.diagnostics
    return found[0]


BUDGETS = [
    # (id, template, words of the message that names the limit)
    ("template-length", "{{ " + "1 + " * 1100 + "1 }}", "characters is over the limit of 4,000"),
    ("bracket-nesting", "{{ " + "(" * 60 + "1" + ")" * 60 + " }}", f"brackets nested more than {MAX_NESTING} deep"),
    ("expression-depth", "{{ " + "*".join(["1"] * 300) + " }}", f"nested more than {MAX_EXPRESSION_DEPTH} levels"),
    ("unary-chain", "{{ " + "not " * 900 + "1 }}", f"nested more than {MAX_EXPRESSION_DEPTH} levels"),
    ("range-items", "{{ range(10001)|length }}", f"range() of 10,001 items is over the limit of {MAX_ITEMS:,}"),
    ("string-repeat", "{{ ('ab' * 50001)|length }}", "repeating would make 100,002 characters"),
    ("list-repeat", "{{ ([1, 2] * 5001)|length }}", "repeating would make a list of 10,002 items"),
    ("nested-repeat", "{{ ([[0] * 10000] * 10)|length }}", "repeating would make a value of 100,010 items"),
    (
        "text-in-a-repeat",
        "{{ (['x' * 100000] * 11)|length }}",
        f"the limits are {MAX_VALUE_ITEMS:,} items and {MAX_VALUE_CHARS:,} characters",
    ),
    ("string-plus", "{{ ('x' * 60000 + 'y' * 60000)|length }}", "`+` would make 120,000 characters"),
    (
        "list-plus",
        "{{ (([[0] * 10000] * 9) + ([[0] * 10000] * 9))|length }}",
        "`+` would make a value of more than 100,000 items",
    ),
    ("tilde", "{{ ('x' * 60000 ~ 'y' * 60000)|length }}", "`~` would make 120,000 characters"),
    (
        "join",
        "{{ (range(10000)|map('string')|list * 1)|join('-' * 20) }}",
        "join would make more than 100,000 characters",
    ),
    (
        "sum",
        "{{ (([range(9999)|list] * 10)|sum(start=range(100)|list))|length }}",
        "sum() would make a list of more than 100,000 items",
    ),
    ("list-filter", "{{ ([range(10000)|list] * 3)|map('list')|map('length')|sum }}", None),  # within every limit
    ("split", "{{ (' ' * 100000).split(' ')|length }}", "a value would hold more than 100,000 items"),
    (
        "value-chars",  # eleven strings within the string limit, in a list literal: no `*` or `+` sees the total
        "{{ [" + ", ".join(["'x' * 99999"] * 11) + "]|length }}",
        f"a value would hold more than {MAX_VALUE_CHARS:,} characters of text",
    ),
    ("value-chars-control", "{{ [" + ", ".join(["'x' * 99999"] * 10) + "]|length }}", None),
    (
        "list-plus-chars",
        "{{ (['x' * 99999] * 6 + ['y' * 99999] * 6)|length }}",
        f"`+` would make a value of more than {MAX_VALUE_CHARS:,} characters",
    ),
    (
        "number-text",
        "x{{ " + " * ".join(["1e40"] * 30) + " }}",  # literals stop at 1e40 (units.MAX_DIGITS); products do not
        f"an exponent of 1,200 is too large to write out as text (the limit is {MAX_NUMBER_DIGITS:,})",
    ),
    ("steps", "{{ range(10000)" + "|map('string')" * 12 + "|length }}", f"more than {MAX_OPERATIONS:,} steps"),
    (
        "rendered-text",
        "{{ 'x' * 60000 }}{{ 'y' * 60000 }}",
        f"more than {MAX_OUTPUT_CHARS:,} characters (the text limit)",
    ),
    ("exponent", "{{ 2 ** 101 }}", "exponent 101 is over the limit of 100"),
    ("power-size", "{{ 99 ** 99 }}", "the power is too large (over 256 bits)"),
    (
        "whole-number-size",
        "{{ 2 ** 100 * 2 ** 100 * 2 ** 100 }}",
        "a whole number of 301 bits is over the limit of 256 bits",
    ),
    ("round-digits", "{{ 1|round(41) }}", "precision must be a whole number up to 40"),
    # what a method or filter returns is a string built too (hostile18 F3: 'ﬃ' upper-cases to three letters)
    ("method-result", "{{ ('ﬃ' * 99999).upper()|length }}", "a string of 299,997 characters is over the limit"),
    ("filter-result", "{{ ('ﬃ' * 99999)|upper|length }}", "a string of 299,997 characters is over the limit"),
    ("decimal-power", "{{ 1.5e30 ** 3 }}", "the power is too large (over 85 digits)"),  # 1e93: past about 1e77
]


@pytest.mark.parametrize(("template", "words"), [b[1:] for b in BUDGETS], ids=[b[0] for b in BUDGETS])
def test_each_budget_is_gc107_at_the_template_naming_its_limit(template, words):
    result = compile_one(template)
    if words is None:  # the control row: heavy but legal work passes
        assert not [d for d in result.diagnostics if d.code == "GC107"], result.diagnostics
        return
    d = gc107(result)
    assert words in d.message, d.message
    assert (d.span.line, d.span.col) == (LINE, COL)


# (template, its steps): each row's count is what `graphc/stages/expressions.py` charges, item by item, so a
# charge left out anywhere changes a count (hostile18 F3). The template passes under a per-template limit of
# exactly its steps and is GC107 one step below it.
STEPS = [
    ("{{ 1 }}", 1),  # one node
    # 6 nodes + 100 to repeat 10,000 characters (one step per 100) + 100 for `in` to read them
    ("{{ 'x' in ('ab' * 5000) }}", 206),
    ("{{ 3 in range(10000)|list }}", 40_010),  # `in` reads the 10,000 items of the list
    # 8 nodes + 100 + 3 to build both texts + 1 to read `.count` + 1 to call it, 3 to read its argument and 100
    # to read the text it is called on
    ("{{ ('ab' * 5000).count('b' * 300) }}", 216),
    # `list` reads the range (10,001), counts the new list (10,000) and sizes it (10,001); `length` reads it
    ("{{ range(10000)|list|length }}", 40_009),
    ("{{ range(10000)|list is defined }}", 40_009),  # the test reads the list as `length` does
    ("{{ ([range(100)|list] * 100)|sum(start=[])|length }}", 30_721),  # sum: 101 a list added
    ("{{ range(1000)|sum }}", 2_006),  # sum of numbers: one a number
    ("{{ ([1, 2] * 5000)|length }}", 30_011),  # 10,000 to repeat, 10,001 to size the result
    ("{{ (range(5000)|list + range(5000)|list)|length }}", 60_018),  # `+` of lists: one an item
    ("{{ range(1000)|join(',')|length }}", 2_085),  # join: one a piece, one per 100 characters
    ("{{ (range(10000)|list)[::2]|length }}", 50_014),  # a slice reads its list, and its result is sized
    ("{{ range(1000)|map('string')|list|length }}", 8_013),  # map: one a call, one an item it makes
]


@pytest.mark.parametrize(("template", "steps"), STEPS, ids=[s[0] for s in STEPS])
def test_the_steps_of_known_templates(monkeypatch, template, steps):
    monkeypatch.setattr(expressions, "MAX_OPERATIONS", steps)
    assert not [d for d in compile_one(template).diagnostics if d.code == "GC107"]
    monkeypatch.setattr(expressions, "MAX_OPERATIONS", steps - 1)
    d = gc107(compile_one(template))
    assert f"the expression needs more than {steps - 1:,} steps (the per-template limit)" in d.message


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{{ range(10000)|list|length }}", "list() would make more than 1,000 items"),
        ("{{ range(10000)|map('string')|select|length }}", "a sequence would make more than 1,000 items"),
    ],
)
def test_a_list_is_refused_while_it_is_built(monkeypatch, template, words):
    """`list` and the sequences `map`, `select` and the like make stop at the value limit as they go, before the
    list is whole (GRAPHC_MAX_VALUE_ITEMS lowered here, so that a range reaches it)."""
    monkeypatch.setattr(expressions, "MAX_VALUE_ITEMS", 1_000)
    assert words in gc107(compile_one(template)).message


def test_a_value_deeper_than_the_limit_is_refused():
    item = "[" * 95 + "1" + "]" * 95  # the deepest list a for_each item may be (the loader's limit is 100)
    head = (
        f"graphc: 1\nname: deep\nlegs:\n  a:\n    for_each: [{item}]\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: "
    )
    text = head + json.dumps("{{ " + "[" * 10 + "item" + "]" * 10 + " }}") + "\n"
    d = gc107(compile_text(text, "deep.yaml", CompileOptions(require_quotes=False)))
    assert f"nest more than {MAX_VALUE_DEPTH} levels deep" in d.message


# -- per-file budgets -------------------------------------------------------------------------


def for_each_text(count: int, template: str, legs: int = 1) -> str:
    body = "".join(
        f"  l{i}:\n    for_each: {count}\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: {json.dumps(template)}\n"
        for i in range(legs)
    )
    return "graphc: 1\nname: file-budget\nlegs:\n" + body


def test_the_file_output_budget_stops_for_each_multiplying_a_big_string():
    """Issue 12: four legs of `for_each: 10000` making a 100k-character string reached 4 GB."""
    result = compile_text(for_each_text(10_000, "{{ 'x' * 100000 }}", legs=4), "four.yaml", CompileOptions())
    found = [d for d in result.diagnostics if d.code == "GC107"]
    assert found and all("the file's templates produce more than 50,000,000" in d.message for d in found)
    assert found[0].span.line == 8  # the first leg's template; for_each stops at its first error
    assert "(for_each index 500)" in found[0].message  # 500 x 100,000 characters is the budget


def test_the_file_step_budget(monkeypatch):
    monkeypatch.setattr(expressions, "MAX_FILE_OPERATIONS", 100_000)
    result = compile_text(
        for_each_text(1000, "bid - {{ range(100)|map('string')|list|length }}bps"), "f.yaml", CompileOptions()
    )
    d = gc107(result)
    assert "the file's templates need more than 100,000 steps in all" in d.message
    # 813 steps a copy, after the template's parse (200 + 4 x 51 characters): 404 + 122 x 813 = 99,590, the 123rd
    assert "(for_each index 122)" in d.message


def long_templates(count: int, distinct: str = "strings") -> str:
    """``count`` legs, each limit a 3,600-character template that runs in 2 steps (its list is never evaluated):
    texts that differ in their strings (``distinct="strings"``), only in their numbers ("numbers"), or not at all."""
    legs = []
    for i in range(count):
        if distinct == "strings":
            items = ",".join(f"'{i:04}{k:04x}'" for k in range(330))
        else:
            items = ",".join(str((i if distinct == "numbers" else 0) * 1000 + k) for k in range(330))
        template = f"{{{{ 2000 if true else [{items}] }}}}"
        legs.append(f'  l{i}: {{buy: 1 ETH, symbol: ETH-USD, limit: "{template}"}}\n')
    return "graphc: 1\nname: parse\nlegs:\n" + "".join(legs)


def test_parsing_distinct_templates_is_charged_to_the_file_before_they_are_lexed(monkeypatch):
    """Audit tmpl27 3: 2,613 distinct 3,650-character templates that run in 2 steps each (9.7 MB) took 18-21 s of
    CPU and broke no budget: only evaluation was charged. Each distinct text read now costs the file's steps
    before Jinja lexes it, so the file stops at the template that crosses them; no later one is parsed."""
    parses: list = []
    real_parse = expressions.ENV.parse
    monkeypatch.setattr(
        expressions.ENV, "parse", lambda source, *a, **k: parses.append(1) or real_parse(source, *a, **k)
    )
    result = compile_text(long_templates(300).replace("'0", "'8"), "parse.yaml", CompileOptions())  # (uncached)
    lexed = len(parses)
    found = [d for d in result.diagnostics if d.code == "GC107"]
    assert len(found) == 1, result.diagnostics
    crossed = found[0].span.line - 4  # the leg whose template crossed the budget (l0 is on line 4)
    assert f"more than {expressions.MAX_FILE_OPERATIONS:,} steps in all (the per-file limit)" in found[0].message
    text = long_templates(1).split('"')[1]
    per_text = expressions.PARSE_STEPS + expressions.PARSE_STEPS_PER_CHAR * len(text)  # 14,880
    run = expressions.compile_template(text).cost  # its steps to run (its nodes), about 335
    assert crossed in range(
        expressions.MAX_FILE_OPERATIONS // (per_text + run + 5), 1 + expressions.MAX_FILE_OPERATIONS // (per_text + run)
    )
    assert f"{300 - crossed - 1:,} later template evaluations of the file were not run" in found[0].message
    # none after the one that crossed was lexed (this one is, as its run crosses the budget, not its parse)
    assert lexed == crossed + 1


def test_a_text_whose_parse_crosses_the_file_budget_is_gc107_unlexed(monkeypatch):
    parses: list = []
    real_parse = expressions.ENV.parse
    monkeypatch.setattr(
        expressions.ENV, "parse", lambda source, *a, **k: parses.append(1) or real_parse(source, *a, **k)
    )
    text = long_templates(1).split('"')[1]
    per_text = expressions.PARSE_STEPS + expressions.PARSE_STEPS_PER_CHAR * len(text)
    monkeypatch.setattr(expressions, "MAX_FILE_OPERATIONS", per_text * 5 // 2)  # two parses and their runs fit
    result = compile_text(long_templates(10).replace("'00", "'99"), "parse.yaml", CompileOptions())
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("GC107", 6)]
    assert (
        f"more than {per_text * 5 // 2:,} steps in all (the per-file limit), reading each distinct template text "
        "at 200 steps and 4 a character; 7 later template evaluations of the file were not run"
    ) in result.diagnostics[0].message
    assert len(parses) == 2


@pytest.mark.parametrize(("distinct", "crosses"), [("numbers", None), ("none", None), ("strings", 5)])
def test_a_parse_is_charged_once_per_file(monkeypatch, distinct, crosses):
    """The same text, or texts that differ only in their numbers (one shape, one parse), cost one parse; texts
    that differ in their strings are a parse each. The budget: one and a half parses, and 20 evaluations."""
    text = long_templates(1, distinct).split('"')[1]
    parse = expressions.PARSE_STEPS + expressions.PARSE_STEPS_PER_CHAR * len(text)
    run = expressions.compile_template(text).cost + 10
    monkeypatch.setattr(expressions, "MAX_FILE_OPERATIONS", parse * 3 // 2 + 20 * run)
    result = compile_text(long_templates(20, distinct), "once.yaml", CompileOptions())
    assert [(d.code, d.span.line) for d in result.diagnostics] == ([] if crosses is None else [("GC107", crosses)])


OVER = "{{ range(10000)" + "|map('string')" * 12 + "|length }}"  # over the per-template limit: GC107 "steps"
UNDER = "{{ range(10000)" + "|map('string')" * 3 + "|length }}"  # 130,018 steps: legal on its own


def aliased_legs(template: str, count: int, tail: str = "") -> str:
    """``count`` legs sharing one template through a YAML alias: a small file, every leg evaluated on its own."""
    legs = "".join(f"  l{i}: {{buy: 1 ETH, symbol: ETH-USD, limit: *t}}\n" for i in range(1, count))
    return f"graphc: 1\nname: alias\nlegs:\n  l0: {{buy: 1 ETH, symbol: ETH-USD, limit: &t {json.dumps(template)}}}\n{legs}{tail}"


def test_templates_that_break_the_per_template_limit_count_against_the_file(monkeypatch):
    """hostile18 F1: an evaluation that failed was never charged to the file, so 300 legs sharing an over-budget
    template (10 KB) took 38 s of CPU and the file budget never noticed. Each failure now uses up the steps it
    took; the evaluation that would cross the file's budget stops there, and every later one is refused unrun
    (the `1 / 0` of the last leg is never evaluated), counted in the one GC107 of the file limit."""
    monkeypatch.setattr(expressions, "MAX_FILE_OPERATIONS", 600_000)
    tail = "  z: {buy: 1 ETH, symbol: ETH-USD, limit: '{{ 1 / 0 }}'}\n"
    result = compile_text(aliased_legs(OVER, 10, tail), "over.yaml", CompileOptions())
    found = [(d.span.line, d.message) for d in result.diagnostics if d.code == "GC107"]
    assert [line for line, _ in found] == [4, 5, 6], found  # l0, l1: the per-template limit; l2: the file's
    assert all(f"more than {MAX_OPERATIONS:,} steps (the per-template limit)" in m for _, m in found[:2]), found
    assert "the file's templates need more than 600,000 steps in all (the per-file limit)" in found[2][1]
    assert found[2][1].endswith("; 8 later template evaluations of the file were not run"), found[2][1]
    assert not [d for d in result.diagnostics if "division by zero" in d.message]


def test_once_the_file_budget_is_spent_no_later_template_runs(monkeypatch):
    """hostile18 F1: with the file budget crossed, each later template still ran in full before it was refused
    (1,000 legs of a 90,000-step template: 116 s of CPU). The refusal comes first: the `for_each` legs after the
    crossing count one refused evaluation each (a for_each leg stops at its first error)."""
    monkeypatch.setattr(expressions, "MAX_FILE_OPERATIONS", 500_000)
    result = compile_text(for_each_text(100, UNDER, legs=3), "under.yaml", CompileOptions())
    found = [d for d in result.diagnostics if d.code == "GC107"]
    assert len(found) == 1, found
    assert "more than 500,000 steps in all" in found[0].message and "(for_each index 3)" in found[0].message
    assert found[0].message.endswith("; 2 later template evaluations of the file were not run")


def test_the_file_output_budget_refuses_later_templates_too(monkeypatch):
    monkeypatch.setattr(expressions, "MAX_FILE_OUTPUT", 1_000_000)
    result = compile_text(for_each_text(100, "{{ 'x' * 100000 }}", legs=3), "out.yaml", CompileOptions())
    [d] = [d for d in result.diagnostics if d.code == "GC107"]
    assert "produce more than 1,000,000 characters and items in all" in d.message
    assert "(for_each index 10)" in d.message  # ten copies make 1,000,000: the eleventh crosses
    assert d.message.endswith("; 2 later template evaluations of the file were not run")


def test_a_ladder_at_the_leg_limit_fits_the_file_step_budget(monkeypatch):
    """The per-file budget keeps the largest legitimate playbooks legal with room to spare: a 10,000-rung ladder
    (bench/bench_for_each.py's, a limit and an `after:` template per rung) fits in a fifteenth of it, so ten of
    them, a playbook at the 100,000-leg limit, use two thirds of it at most."""
    monkeypatch.setattr(expressions, "MAX_FILE_OPERATIONS", expressions.MAX_FILE_OPERATIONS // 15)
    text = for_each_text(10_000, "bid - {{ index % 100 }}bps").replace(
        "    buy:", "    after: \"{{ 'l0-' ~ (index - 1) ~ ' filled' if index else none }}\"\n    buy:"
    )
    result = compile_text(text, "ladder.yaml", CompileOptions(require_quotes=False))
    assert not [d for d in result.diagnostics if d.code == "GC107"], result.diagnostics[:3]
    assert len(result.wire["nodes"]) == 10_000


# -- the reproductions ----------------------------------------------------------------


def test_nested_repeat_bomb_is_gc107_at_once():
    """`{{ [[[0]*10000]*10000]*10000 }}` (136 bytes) grew without bound: 2.5 GB at 90 s."""
    d = gc107(compile_one("{{ [[[0]*10000]*10000]*10000 }}"))
    assert "repeating would make a value of 100,010,000 items" in d.message
    assert (d.span.line, d.span.col) == (LINE, COL)


def test_quadratic_sum_is_gc107_at_once():
    """`([range(10000)|list] * 10000)|sum(start=[])` was quadratic: about 80 minutes."""
    d = gc107(compile_one("{{ ([range(10000)|list] * 10000)|sum(start=[]) }}"))
    assert "repeating would make a value of 100,010,000 items" in d.message


def test_sum_of_lists_is_linear_and_exact():
    result = compile_one("bid - {{ (([range(9)|list] * 1000)|sum(start=[]))|length // 900 }}bps")
    assert [d.code for d in result.diagnostics if d.code == "GC107"] == []
    assert result.wire["nodes"][0]["order_type"] is not None


@pytest.mark.parametrize("op", ["*", "+", "/", "**", "%", "-", "//", "and", "or", "|abs *"])
def test_a_300_term_chain_is_gc107_not_a_python_syntax_error(op):
    d = gc107(compile_one("{{ " + f" {op} ".join(["1"] * 300) + " }}"))
    assert f"nested more than {MAX_EXPRESSION_DEPTH} levels" in d.message


@pytest.mark.parametrize(
    "chain",
    [
        lambda n: " * ".join(["1"] * (n + 1)),
        lambda n: " + ".join(["1"] * (n + 1)),
        lambda n: " ** ".join(["1"] * (n + 1)),
        lambda n: " // ".join(["1"] * (n + 1)),
        lambda n: "1" + "|abs" * n,
        lambda n: "not " * n + "1",
    ],
    ids=["*", "+", "**", "//", "filter", "not"],
)
def test_the_expression_depth_limit_counts_one_level_per_operator_at_the_boundary(chain):
    """hostile18 F4: docs/robustness.md says 64 levels, `1*1*...*1` one per `*`; 64 `*` were refused."""
    assert MAX_EXPRESSION_DEPTH == 64  # the documented value
    at = compile_one("{{ " + chain(MAX_EXPRESSION_DEPTH) + " }}")
    assert not [d for d in at.diagnostics if d.code == "GC107"], at.diagnostics
    over = gc107(compile_one("{{ " + chain(MAX_EXPRESSION_DEPTH + 1) + " }}"))
    assert f"nested more than {MAX_EXPRESSION_DEPTH} levels" in over.message


def test_a_300_term_tilde_chain_is_one_level_and_just_text():
    result = compile_one("{{ " + " ~ ".join(["1"] * 300) + " }}")  # Jinja parses `~` chains flat
    assert [d.code for d in result.diagnostics] == ["GC105"]  # "111...1" is not a price


def test_a_300_term_chain_does_not_abort_the_directory_lint(tmp_path):
    write(tmp_path, "a-chain.yaml", HEAD + json.dumps("{{ " + "*".join(["1"] * 300) + " }}") + "\n")
    write(tmp_path, "b-bad.yaml", "graphc: 1\nname: b\nlegs:\n  x: {buy: 1, symbol: BTC-USD, after: y filled}\n")
    result = CliRunner().invoke(cli, ["lint", "-f", "sarif", str(tmp_path)])
    assert result.exit_code == 1, result.output
    rules = sorted(r["ruleId"] for r in json.loads(result.stdout)["runs"][0]["results"])
    assert rules == ["GC107", "GC202", "GC206"]


# -- expansion: for_each x use: -----------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    (tmp_path / "graphc.toml").write_text("")
    return tmp_path


def test_non_mapping_legs_of_a_template_count_against_the_leg_limit(project, monkeypatch):
    """Nested `use:` templates whose legs are not mappings were never counted against MAX_LEGS."""
    monkeypatch.setattr(expand, "MAX_LEGS", 1_000)
    leaves = "".join(f"  x{i}: {i}\n" for i in range(11))
    write(project, "t.yaml", "graphc-template: 1\nlegs:\n" + leaves)
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  a:\n    for_each: 100\n    use: ./t.yaml\n")
    result = CliRunner().invoke(cli, ["lint", "-f", "json", str(path)])
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], "more than 1,000 legs" in d["message"]) for d in found] == [("GC103", True)]


def test_expansion_is_counted_copy_by_copy_when_the_counts_are_expressions(project, monkeypatch):
    # (first of the expansion tests: without the budget it fails here at once, before the bomb below runs away)
    monkeypatch.setattr(expand, "MAX_EXPANSION", 5_000)
    write(project, "leaf.yaml", "graphc-template: 1\nlegs:\n  z: {for_each: 0, buy: 1, symbol: BTC-USD}\n")
    write(project, "mid.yaml", "graphc-template: 1\nlegs:\n  y: {for_each: '{{ 100 }}', use: ./leaf.yaml}\n")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  x: {for_each: '{{ 100 }}', use: ./mid.yaml}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    assert "GC107 expanding for_each and use: would make at least " in result.stderr
    assert "values in all, over the per-file limit of 5,000" in result.stderr
    assert "mid.yaml:3:" in result.stderr  # at the for_each that crossed the budget, in the template


def test_expansion_that_makes_no_legs_is_still_counted(project):
    """10,000 x 10,000 `use:` sites whose template makes no leg (`for_each: 0`): 10^8 instances before."""
    write(project, "leaf.yaml", "graphc-template: 1\nlegs:\n  z: {for_each: 0, buy: 1, symbol: BTC-USD}\n")
    write(project, "mid.yaml", "graphc-template: 1\nlegs:\n  y: {for_each: 10000, use: ./leaf.yaml}\n")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  x: {for_each: 10000, use: ./mid.yaml}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    # refused before the first copy: the template's literal for_each counts make the total certain
    assert f"{path}:4:17: error GC107 expanding for_each and use: would make at least 100,010,000" in result.stderr


def test_the_largest_legal_expansion_fits(project, monkeypatch):
    """A 100,000-leg playbook that makes every leg through `use:` (its site and a template leg of up to 9 values) is inside the budget."""
    assert 10 * expand.MAX_LEGS <= expand.MAX_EXPANSION


def _copies_made(monkeypatch) -> list:
    """The ids of the leg copies rendered (expand._render_leg), to show a refusal came before the work."""
    made: list = []
    real = expand._render_leg
    monkeypatch.setattr(expand, "_render_leg", lambda r, leg_id, *a: made.append(leg_id) or real(r, leg_id, *a))
    return made


def test_a_for_each_of_a_leg_with_a_long_literal_list_is_refused_before_its_first_copy(project, monkeypatch):
    """Audit tmpl27 1: the budget counted copies, not what each holds: `for_each: 1000` of a leg whose literal
    `after:` lists 5,000 entries made 5M edges from a 333 KB file (76 s, 4.6 GB). Every value of every copy counts."""
    made = _copies_made(monkeypatch)
    after = ", ".join(f"p{i} accepted" for i in range(2000))
    path = write(
        project,
        "p.yaml",
        "graphc: 1\nname: p\nlegs:\n  p0: {buy: 1 ETH, symbol: ETH-USD}\n"
        f"  r:\n    for_each: 1000\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: 2000\n    after: [{after}]\n",
    )
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    # 1,000 copies x (buy, symbol, limit and 2,000 `after:` entries), plus the written leg p0
    assert (
        f"{path}:6:15: error GC107 expanding for_each and use: would make at least 2,003,001 values in all, over the "
        f"per-file limit of {expand.MAX_EXPANSION:,}"
    ) in result.stderr
    assert "GRAPHC_MAX_EXPANSION raises the limit" in result.stderr
    assert made == ["p0"]  # no copy of r was made


def test_a_for_each_of_a_use_whose_template_legs_hold_long_lists_is_refused_before_its_first_copy(project, monkeypatch):
    """Audit tmpl27 1, through `use:`: the template's legs are copies too, each counted by what it holds, and the
    pre-check reads that from the template's text."""
    made = _copies_made(monkeypatch)
    entries = ", ".join(f"x{i} accepted" for i in range(500))
    write(project, "t.yaml", f"graphc-template: 1\nlegs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, after: [{entries}]}}\n")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  r:\n    for_each: 3000\n    use: ./t.yaml\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    # 3,000 copies of the `use:` leg (its one value), then 3,000 x the template leg's 502 values
    assert f"{path}:5:15: error GC107 expanding for_each and use: would make at least 1,509,000 values" in result.stderr
    assert made == []
    # a path the pre-check cannot read (an expression): each template leg is counted as it is made, by what it holds
    monkeypatch.setattr(expand, "MAX_EXPANSION", 50_000)
    write(project, "q.yaml", "graphc: 1\nname: q\nlegs:\n  r:\n    for_each: 3000\n    use: \"{{ './t.yaml' }}\"\n")
    result = CliRunner().invoke(cli, ["compile", str(project / "q.yaml")])
    assert result.exit_code == 1
    assert f"{project / 't.yaml'}:3:3: error GC107 expanding for_each and use: would make at least" in result.stderr
    assert len(made) < 2 * 100  # stopped at about the 100th copy (50,000 / 503), not after 3,000


def test_a_realistic_for_each_stays_well_within_the_expansion_budget(project):
    """10,000 copies of a 6-field leg (60,000 values), as many as a `for_each` may make, compile."""
    path = write(
        project,
        "p.yaml",
        "graphc: 1\nname: p\nlegs:\n  r:\n    for_each: 10000\n    buy: 0.01 ETH\n    symbol: ETH-USD\n"
        '    limit: "{{ 2000 - index * 0.01 }}"\n    venue: coinbase\n    tif: GTC\n    after: [start accepted]\n'
        "  start: {buy: 1 ETH, symbol: ETH-USD}\n",
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert "GC107" not in result.output + result.stderr
    assert 6 * expand.MAX_FOR_EACH * 10 <= expand.MAX_EXPANSION  # ten such legs fit too


def test_templates_nested_deeper_than_the_limit_are_gc107_at_the_use(project):
    depth = expand.MAX_TEMPLATE_DEPTH + 1
    for level in range(depth + 1):
        inner = f"use: ./t{level + 1}.yaml" if level < depth else "buy: 1, symbol: BTC-USD"
        write(project, f"t{level}.yaml", f"graphc-template: 1\nlegs:\n  x: {{{inner}}}\n")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  a: {use: ./t0.yaml}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    assert f"GC107 templates nested more than {expand.MAX_TEMPLATE_DEPTH} deep" in result.stderr
    # p.yaml uses t0 (level 1) ... t6 uses t7 (level 8): the `use:` in t7 would be level 9
    assert f"t{expand.MAX_TEMPLATE_DEPTH - 1}.yaml:3:12: error GC107" in result.stderr


def test_for_each_over_a_chain_of_600_templates_is_the_nesting_gc107_not_a_recursion_error(project):
    """Audit sec16 6: the expansion floor of `for_each` over `use:` followed the whole chain, a frame pair a file."""
    length = 600
    for level in range(length):
        write(project, f"t/t{level}.yaml", f"graphc-template: 1\nlegs:\n  a:\n    use: ./t{level + 1}.yaml\n")
    write(project, f"t/t{length}.yaml", "graphc-template: 1\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  x:\n    for_each: 2\n    use: ./t/t0.yaml\n")
    for command in ("compile", "lint"):
        result = CliRunner().invoke(cli, [command, *(["--no-cache"] if command == "lint" else []), str(path)])
        out = result.output + result.stderr
        assert result.exit_code == 1, out
        assert f"GC107 templates nested more than {expand.MAX_TEMPLATE_DEPTH} deep" in out
        assert "internal error" not in out


def test_the_expansion_floor_counts_templates_down_to_the_nesting_limit(project, monkeypatch):
    """The floor still sees a budget-breaking template at the deepest level a `use:` may reach (and no deeper)."""
    monkeypatch.setattr(expand, "MAX_EXPANSION", 5_000)
    depth = expand.MAX_TEMPLATE_DEPTH
    for level in range(depth - 1):  # p uses t0 (level 1) ... t6 uses t7 (level 8), whose leg is 10,000 copies
        write(project, f"t{level}.yaml", f"graphc-template: 1\nlegs:\n  x: {{use: ./t{level + 1}.yaml}}\n")
    write(project, f"t{depth - 1}.yaml", "graphc-template: 1\nlegs:\n  z: {for_each: 10000, buy: 1, symbol: BTC-USD}\n")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  x: {for_each: 2, use: ./t0.yaml}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert f"{path}:4:17: error GC107 expanding for_each and use: would make at least 40,016" in result.stderr


def _fan_out(project, folder: str, levels: int, legs: int, last: str) -> None:
    """Templates ``folder/t0.yaml`` ... : each of the first ``levels`` has ``legs`` legs that use the next one;
    ``t{levels}.yaml`` has ``legs`` legs written ``last``."""
    for level in range(levels + 1):
        leg = f"{{use: ./t{level + 1}.yaml}}" if level < levels else last
        body = "".join(f"  l{k}: {leg}\n" for k in range(legs))
        write(project, f"{folder}/t{level}.yaml", "graphc-template: 1\nlegs:\n" + body)


def lint_json(path) -> list[dict]:
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", str(path)])
    return json.loads(result.stdout)["diagnostics"]


def test_a_fan_out_of_plain_use_legs_is_refused_before_its_first_instance(project, monkeypatch):
    """Audit params25 1: legs that each use the next template, with no `for_each`, were expanded until the budget
    broke (20 legs x 8 levels: 58 s, 4 GB, 237,496 copies of one GC107). The template's literal counts are read
    first for every `use:`, as for a `for_each` of one."""
    monkeypatch.setattr(expand, "MAX_EXPANSION", 5_000)
    _fan_out(project, "f", 8, 4, "{buy: 1 ETH, symbol: ETH-USD}")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  a: {use: ./f/t0.yaml}\n")
    found = lint_json(path)
    # the leg, then 4 + 16 + ... + 4^8 instances down to t7, whose uses are nested too deep (no deeper: open's limit)
    assert [(d["line"], d["column"], d["message"].partition(" in all")[0]) for d in found] == [
        (4, 12, "expanding for_each and use: would make at least 87,381 values")
    ]


def test_a_use_that_fails_below_a_fan_out_is_one_finding_with_the_paths_that_reached_it(project, monkeypatch):
    """Audit params25 1: a missing template under 20 x 20 uses was 8,000 copies of one GC107, 400 at each line,
    and its path was resolved again for each; the nesting limit below a fan-out, one copy per path."""
    _fan_out(project, "g", 2, 20, "{use: ./gone.yaml}")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  a: {use: ./g/t0.yaml}\n")
    resolved = []
    real_resolve = expand.Templates._resolve
    monkeypatch.setattr(expand.Templates, "_resolve", lambda self, *a: resolved.append(a[1]) or real_resolve(self, *a))
    found = lint_json(path)
    assert [(d["path"], d["line"]) for d in found] == [(str(project / "g/t2.yaml"), line) for line in range(3, 23)]
    assert {d["message"] for d in found} == {"template file not found: ./gone.yaml (reached by 400 paths)"}
    assert sorted(resolved) == ["./g/t0.yaml", "./gone.yaml", "./t1.yaml", "./t2.yaml"]  # once per file and text

    depth = expand.MAX_TEMPLATE_DEPTH
    _fan_out(project, "d", depth, 3, "{buy: 1 ETH, symbol: ETH-USD}")
    path = write(project, "q.yaml", "graphc: 1\nname: q\nlegs:\n  a: {use: ./d/t0.yaml}\n")
    found = lint_json(path)
    assert [(d["path"], d["line"]) for d in found] == [(str(project / f"d/t{depth - 1}.yaml"), n) for n in (3, 4, 5)]
    paths = 3 ** (depth - 1)
    assert {d["message"] for d in found} == {f"templates nested more than {depth} deep (reached by {paths:,} paths)"}


def test_a_template_file_over_the_size_limit_is_gc107_unread(project, monkeypatch):
    monkeypatch.setattr(expand, "MAX_TEMPLATE_BYTES", 1_000)
    write(project, "big.yaml", "graphc-template: 1\nlegs:\n  x: {buy: 1, symbol: BTC-USD}\n" + "#" * 1_000 + "\n")
    path = write(project, "p.yaml", "graphc: 1\nname: p\nlegs:\n  a: {use: ./big.yaml}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4:12: error GC107 template " in result.stderr  # at the `use:` value
    assert "big.yaml is over 1,000 bytes" in result.stderr


def test_templates_in_a_file_that_nests_use_inside_for_each_render_each_copy(project):
    write(
        project,
        "t.yaml",
        "graphc-template: 1\nparams: {n: {type: integer}}\nlegs:\n  r: {buy: '{{ n }}', symbol: BTC-USD}\n",
    )
    path = write(
        project,
        "p.yaml",
        textwrap.dedent("""\
            graphc: 1
            name: p
            legs:
              a:
                for_each: 3
                use: ./t.yaml
                with: {n: "{{ index + 1 }}"}
            """),
    )
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 0, result.output
    nodes = json.loads(result.stdout)["nodes"]
    assert [(n["node_id"], n["quantity"]["fixed"]["qty_1e8"]) for n in nodes] == [
        ("a-0.r", 100000000),
        ("a-1.r", 200000000),
        ("a-2.r", 300000000),
    ]


# -- whole numbers (audit sec16 5) ------------------------------------------------------------------


def _balanced(count: int, leaf: str, op: str = "*") -> str:
    """``leaf op leaf op ...`` (``count`` leaves) as a balanced tree, within the expression depth limit."""
    if count == 1:
        return leaf
    return f"({_balanced(count // 2, leaf, op)}{op}{_balanced(count - count // 2, leaf, op)})"


BIG = _balanced(150, "2**99")  # 1.2 KB of text; a 14,851-bit int whose first str() raised (over 4,300 digits)
WHOLE_LIMIT = "bits is over the limit of 256 bits (about 1e77) for any number a template makes"
PYTHON_TEXT = ("4300", "set_int_max_str_digits", "Exceeds the limit", "internal error")


@pytest.mark.parametrize("command", ["lint", "compile", "graph"])
def test_a_product_of_powers_is_gc107_at_the_template_not_a_crash(tmp_path, command):
    path = write(
        tmp_path,
        "intc.yaml",
        f'graphc: 1\nname: t\nlegs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, tif: "{{{{ {BIG} }}}}"}}\n',
    )
    result = CliRunner().invoke(cli, [command, *(["--no-cache"] if command == "lint" else []), str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:4:41: error GC107" in result.output + result.stderr
    assert WHOLE_LIMIT in result.output + result.stderr
    assert not [t for t in PYTHON_TEXT if t in result.output + result.stderr]


TOP = "(2 ** 100 * 2 ** 100 * 2 ** 55)"  # 2**255, a whole number of 256 bits: the largest power of 2 allowed
DEC = _balanced(110, "1e40")  # a Decimal of 1e4400, within its 60-digit context; `| int` makes 4,401 digits


@pytest.mark.parametrize(
    "template",
    [
        f"{{{{ [{BIG}]|max }}}}",
        f"{{{{ [{BIG}]|sum }}}}",
        f"{{{{ [{BIG}]|sort }}}}",
        f"{{{{ ({BIG})|abs }}}}",
        f"{{{{ ({BIG})|int }}}}",
        f"{{{{ -{BIG} }}}}",
        f"{{{{ [1][{BIG}] }}}}",
        f"{{{{ 'a' * {BIG} }}}}",
        f"{{{{ [1] * {BIG} }}}}",
        f"{{{{ 2 ** {BIG} }}}}",
        f"{{{{ {DEC}|int }}}}",  # the filter makes it
        f"{{{{ [{DEC}|int, 1]|sum }}}}",
        f"{{{{ -({DEC}|int) }}}}",
        f"{{{{ [{TOP}, {TOP}]|sum }}}}",  # sum adds through the operator hook
        f"{{{{ {TOP} + {TOP} }}}}",
        f"{{{{ {TOP} * 2 }}}}",
        f"{{{{ 0 - {TOP} - {TOP} }}}}",
    ],
)
def test_every_way_to_make_a_big_whole_number_is_gc107_naming_the_limit(template):
    d = gc107(compile_one(template))
    assert WHOLE_LIMIT in d.message, d.message
    assert (d.span.line, d.span.col) == (LINE, COL)
    assert not [t for t in PYTHON_TEXT if t in d.message + (d.hint or "")]


def test_the_largest_whole_number_is_still_made():
    result = compile_one(f"bid - {{{{ ({TOP} + ({TOP} - 1)) // (2 ** 100 * 2 ** 100 * 2 ** 50) }}}}bps")
    assert [d.code for d in result.diagnostics if d.code == "GC107"] == []


def test_a_big_whole_number_from_a_yaml_list_is_refused_as_an_operand():
    item = "9" * 3000  # the loader keeps an int of up to 4,000 digits an int
    head = f"graphc: 1\nname: t\nlegs:\n  a:\n    for_each: [{item}]\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: "
    for template in (
        "{{ item * item }}",
        "{{ 2 ** item }}",
        "{{ 'a' * item }}",
        "{{ [1][item] }}",
        "{{ item % 7 }}",  # a small result: only the operand can be refused (hostile18 F3)
        "{{ item * 'a' }}",
        "{{ -item }}",
    ):
        d = gc107(compile_one(template, head))
        assert "a whole number of 9,966 bits is over the limit of 256 bits" in d.message, (template, d.message)


@pytest.mark.parametrize("kind", ["string", "symbol", "bool"])
def test_a_big_whole_number_through_for_each_into_a_template_param_is_gc107(project, kind):
    write(
        project,
        "t.yaml",
        f"graphc-template: 1\nparams: {{n: {{type: {kind}}}}}\nlegs:\n  r: {{buy: 1 ETH, symbol: ETH-USD, tif: '{{{{ n }}}}'}}\n",
    )
    path = write(
        project,
        "p.yaml",
        f'graphc: 1\nname: p\nlegs:\n  x:\n    for_each: "{{{{ [{BIG}] }}}}"\n    use: ./t.yaml\n    with: {{n: "{{{{ item }}}}"}}\n',
    )
    for command in ("lint", "compile"):
        result = CliRunner().invoke(cli, [command, *(["--no-cache"] if command == "lint" else []), str(path)])
        out = result.output + result.stderr
        assert result.exit_code == 1, out
        assert f"{path}:5:15: error GC107" in out, out
        assert WHOLE_LIMIT in out
        assert not [t for t in PYTHON_TEXT if t in out]
