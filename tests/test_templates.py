"""Templated playbooks (spec §6): typed params, expressions, for_each and `use:` templates.

Errors are checked for their code *and* their place: every diagnostic that
comes from a template or a for_each leg must point at a real line of the file
it names, and that line must hold the offending template text.
"""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from graphc.cli import cli
from graphc.pipeline import CompileOptions, compile_file, compile_text
from graphc.quotes import Quote
from graphc.stages.load import load_text
from graphc.stages.render import render
from graphc.stages.suggest import did_you_mean

QUOTES = {
    "ETH-USD": Quote(bid=Decimal("2325.10"), ask=Decimal("2325.53"), tick=Decimal("0.01")),
    "BTC-USD": Quote(bid=Decimal("97250"), ask=Decimal("97251"), tick=Decimal("0.01")),
}
NOW = datetime(2026, 1, 7, 9, 0, tzinfo=UTC)  # a Wednesday


def playbook(body: str) -> str:
    return "graphc: 1\nname: t\n" + textwrap.dedent(body)


def compiled(text, path="<t>", **options):
    options.setdefault("quotes", QUOTES)
    options.setdefault("now", NOW)
    return compile_text(text, path, CompileOptions(**options))


def rendered(text, **options):
    options.setdefault("quotes", QUOTES)
    options.setdefault("now", NOW)
    doc, diagnostics = load_text(text, "<t>")
    assert diagnostics == []
    out, diagnostics = render(doc, CompileOptions(**options))
    return out, diagnostics


def only(result, code):
    codes = [d.code for d in result.diagnostics]
    assert code in codes, result.diagnostics
    return next(d for d in result.diagnostics if d.code == code)


def line_of(diagnostic, source=None) -> str:
    """The text of the line a diagnostic points at, read from the file it names."""
    text = source if source is not None else Path(diagnostic.path).read_text()
    lines = text.splitlines()
    assert 1 <= diagnostic.span.line <= len(lines), diagnostic
    return lines[diagnostic.span.line - 1]


def nodes(result):
    assert result.ok, result.diagnostics
    return {n["node_id"]: n for n in result.wire["nodes"]}


def edges(result):
    return [(e["from_node"], e["to_node"], e["trigger"]) for e in result.wire["edges"]]


# ---------------------------------------------------------------------------
# Params

PARAMS = playbook("""\
    params:
      size: {type: quantity, default: 2 ETH, min: 1 ETH, max: 5 ETH}
      venue: {type: string, default: coinbase, choices: [coinbase, kraken]}
      urgent: {type: bool, default: false}
      slices: {type: integer, default: 4, min: 1, max: 20}
    legs:
      a:
        buy: "{{ size }}"
        symbol: ETH-USD
        venue: "{{ venue }}"
        urgency: "{{ 'high' if urgent else 'low' }}"
        twap: "{{ slices }} slices every 30s"
    """)


def test_param_defaults():
    node = nodes(compiled(PARAMS))["a"]
    assert node["quantity"] == {"fixed": {"qty_1e8": 200000000}}
    assert node["instrument"]["venue"] == "coinbase"
    assert node["execution"]["urgency"] == "low"
    assert node["execution"]["pacing"] == {"uniform": {"num_slices": 4, "interval_ms": 30000}}


def test_set_values_are_parsed_per_type():
    result = compiled(PARAMS, params={"size": "3.5 ETH", "venue": "kraken", "urgent": "TRUE", "slices": "1e1"})
    node = nodes(result)["a"]
    assert node["quantity"] == {"fixed": {"qty_1e8": 350000000}}
    assert node["instrument"]["venue"] == "kraken"
    assert node["execution"]["urgency"] == "high"
    assert node["execution"]["pacing"]["uniform"]["num_slices"] == 10


def test_params_file_and_set_wins(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("size: 4 ETH\nslices: 8\n")
    result = compiled(PARAMS, params_file=str(values), params={"slices": "2"})
    node = nodes(result)["a"]
    assert node["quantity"] == {"fixed": {"qty_1e8": 400000000}}
    assert node["execution"]["pacing"]["uniform"]["num_slices"] == 2


@pytest.mark.parametrize(
    "name,value,words",
    [
        ("size", "9 ETH", "above the maximum 5 ETH"),
        ("size", "0.5 ETH", "below the minimum 1 ETH"),
        ("size", "$5k", "different units"),
        ("size", "lots", "cannot read 'lots' as a quantity"),
        ("venue", "binance", "not one of coinbase, kraken"),
        ("urgent", "yes", "expected true or false"),
        ("slices", "2.5", "whole number"),
        ("slices", "0", "below the minimum 1"),
    ],
)
def test_bad_set_value_is_gc108_at_the_definition(name, value, words):
    result = compiled(PARAMS, path="p.yaml", params={name: value})
    diagnostic = only(result, "GC108")
    assert diagnostic.message.startswith(f"--set {name}={value}: ")
    assert words in diagnostic.message
    assert line_of(diagnostic, PARAMS).strip().startswith(f"{name}:")
    assert result.wire is None


def test_unknown_set_is_gc108_with_did_you_mean():
    diagnostic = only(compiled(PARAMS, params={"sise": "1 ETH"}), "GC108")
    assert "unknown param `sise`" in diagnostic.message and "did you mean 'size'" in diagnostic.message
    assert line_of(diagnostic, PARAMS) == "params:"


READ_ALIKE = playbook("""\
    params:
      budget: {type: money, default: $500}
      n: {type: integer, default: 3}
      x: {type: number, default: 1}
      flag: {type: bool, default: false}
      size: {type: quantity, default: 1 ETH}
      tag: {type: string, default: t}
    description: "{{ budget }}|{{ n }}|{{ x }}|{{ flag }}|{{ size }}|{{ tag }}"
    legs:
      a: {buy: "${{ budget }}", symbol: ETH-USD, limit: 2000}
    """)


@pytest.mark.parametrize(
    "name, value, seen",
    [  # audit params25 6: a params file read `0x10` and `0o7`, `--set` refused them
        ("budget", "0x10", "16"),
        ("n", "0o7", "7"),
        ("n", "007", "7"),
        ("x", "1e3", "1000"),
        ("flag", "True", "true"),
        ("size", "5k", "5k"),
        ("size", "0x10", "16"),
        ("budget", "$1.5k", "1500"),
    ],
)
def test_a_set_value_is_read_as_the_same_value_in_a_params_file_is(tmp_path, name, value, seen):
    values = tmp_path / "v.yaml"
    values.write_text(f"{name}: {value}\n")
    descriptions = []
    for options in ({"params": {name: value}}, {"params_file": str(values)}):
        doc, diagnostics = rendered(READ_ALIKE, **options)
        assert diagnostics == []
        descriptions.append(doc.data["description"])
    assert descriptions[0] == descriptions[1]
    words = dict(zip(["budget", "n", "x", "flag", "size", "tag"], descriptions[0].split("|"), strict=True))
    assert words[name] == seen


@pytest.mark.parametrize("given", ["--set", "--params"])
def test_a_number_yaml_reads_is_named_as_written_when_it_is_refused(tmp_path, given):
    """Read as YAML reads it, `1e400` is the Decimal 1E+400; the message still names what was written."""
    text = playbook("params:\n  px: {type: price, default: 100}\nlegs:\n  a: {buy: 1, symbol: BTC-USD, limit: 1}\n")
    values = tmp_path / "v.yaml"
    values.write_text("px: 1e400\n")
    options = {"params": {"px": "1e400"}} if given == "--set" else {"params_file": str(values)}
    found = only(compiled(text, **options), "GC108")
    assert found.message.endswith("param `px` (price): '1e400' is out of range"), found.message


def test_a_set_value_for_a_text_param_is_the_text_given():
    """A command line has no YAML quotes: `--set tag=123` is the text (a params file needs `tag: "123"`)."""
    doc, diagnostics = rendered(READ_ALIKE, params={"tag": "123", "n": " 12 "})
    assert diagnostics == []
    assert doc.data["description"].split("|")[1::4] == ["12", "123"]
    found = only(compiled(READ_ALIKE, params={"n": ""}), "GC108")  # nothing is null, as `n:` in a file
    assert found.message == "--set n=: param `n` (integer): expected a whole number, got nothing"


HINTED = playbook("""\
    params:
      n: {type: integer, default: 3}
      venue: {type: string, default: coinbase, choices: [coinbase, kraken]}
      flag: {type: bool, default: false}
      size: {type: quantity, default: 1 ETH, min: 0.5 ETH, max: 5 ETH}
      notional: {type: quantity, default: $100, max: $500}
    legs:
      a: {buy: "{{ size }}", symbol: ETH-USD, venue: "{{ venue }}"}
    """)


@pytest.mark.parametrize(
    "name, value, words, hint",
    [  # audit params25 4: none of these had a hint
        ("N", "5", "unknown param `N` (did you mean 'n'?)", "params here: flag, n, notional, size, venue"),
        ("venue", "krakn", "'krakn' is not one of coinbase, kraken (did you mean 'kraken'?)", None),
        ("venue", "Kraken", "'Kraken' is not one of coinbase, kraken (did you mean 'kraken'?)", None),
        ("size", "1", "'1' and min '0.5 ETH' are in different units", "write the value with its unit, e.g. `1 ETH`"),
        (
            "notional",
            "250",
            "'250' and max '$500' are in different units",
            "write the value with its unit, e.g. `$250`",
        ),
        ("size", "$5", "'$5' and min '0.5 ETH' are in different units", "`min` is in ETH: give the value in ETH too"),
        (
            "flag",
            "yes",
            "expected true or false, got 'yes'",
            "`yes` is text in YAML 1.2, not a boolean (spec §1: `yes`, `no`, `on`, `off`, `y` and `n` are words); "
            "write true or false",
        ),
    ],
)
def test_a_mistaken_set_value_or_name_gets_a_hint(name, value, words, hint):
    diagnostic = only(compiled(HINTED, params={name: value}), "GC108")
    assert diagnostic.message.endswith(words), diagnostic.message
    assert diagnostic.hint == hint


def test_did_you_mean_tries_the_case_first():
    assert did_you_mean("N", ["n", "m", "x"]) == " (did you mean 'n'?)"  # difflib scores it 0
    assert did_you_mean("KRAKEN", ["coinbase", "kraken", "krakken"]) == " (did you mean 'kraken'?)"
    assert did_you_mean("sise", ["size", "Sise2"]) == " (did you mean 'size'?)"  # no case match: difflib's


def test_set_on_a_playbook_without_params_is_reported():
    text = playbook("legs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n")
    assert "unknown param `x`" in only(compiled(text, params={"x": "1"}), "GC108").message


def test_missing_required_param_points_at_its_definition():
    text = playbook("""\
        params:
          size: {type: quantity, description: no default, so required}
        legs:
          a: {buy: "{{ size }}", symbol: ETH-USD}
        """)
    diagnostic = only(compiled(text), "GC108")
    assert "param `size` (quantity) is required" in diagnostic.message
    assert "--set size=VALUE" in diagnostic.hint
    assert line_of(diagnostic, text).strip().startswith("size:")


def test_bad_default_points_at_the_default():
    text = playbook("""\
        params:
          step: {type: duration, default: 5 parsecs}
        legs:
          a: {buy: 1 ETH, symbol: ETH-USD}
        """)
    diagnostic = only(compiled(text), "GC108")
    assert "default" in diagnostic.message
    assert diagnostic.span.col == line_of(diagnostic, text).index("5 parsecs") + 1


def test_params_file_entry_error_is_located_in_the_params_file(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text("venue: coinbase\nsize: 50 ETH\n")
    diagnostic = only(compiled(PARAMS, params_file=str(values)), "GC108")
    assert diagnostic.path == str(values)
    assert (diagnostic.span.line, diagnostic.span.col) == (2, 7)


@pytest.mark.parametrize("name", ["none", "None", "true", "True", "false", "False"])
def test_a_param_named_as_a_literal_of_the_expressions_is_reserved(tmp_path, name):
    # audit tmpl19 #5: `{{ None }}` is the literal none and `{{ false }}` the boolean, never the param: it was
    # accepted, and its use gave a puzzle far away ("must be string or number, not empty")
    (tmp_path / "graphc.toml").write_text("")
    path = tmp_path / "p.yaml"
    path.write_text(
        f'graphc: 1\nname: p\nparams:\n  "{name}": {{type: number, default: 2300}}\n'
        f'legs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, limit: "{{{{ {name} }}}}"}}\n'
    )
    template = tmp_path / "t.yaml"  # a template checked for its shape only (no default) reports it too
    template.write_text(f'graphc-template: 1\nparams:\n  "{name}": {{type: number}}\nlegs:\n  a: {{buy: "1 ETH"}}\n')
    for linted, line in ((path, 4), (template, 3)):
        [found] = lint_json(linted)
        assert (found["code"], found["line"], found["column"]) == ("GC108", line, 3), found
        assert found["message"].startswith(f"param name `{name}` is reserved")
        assert "rename" in found["hint"] and name in found["hint"]


def test_param_definition_problems():
    text = playbook("""\
        params:
          now: {type: number}
          n: {type: numbr}
          m: {type: integer, defualt: 3}
        legs:
          a: {buy: 1 ETH, symbol: ETH-USD}
        """)
    result = compiled(text)
    messages = " | ".join(f"{d.code} {d.message}" for d in result.diagnostics)
    assert "GC108 param name `now` is reserved" in messages
    assert "GC103 param `n`: type 'numbr' is not one of" in messages and "did you mean 'number'" in messages
    assert "GC102 unknown key 'defualt' in param `m` (did you mean 'default'?)" in messages


@pytest.mark.parametrize(
    "definition, words",
    [
        ("{type: number, min: 10, max: 1}", "min 10 is above max 1, so no value fits"),
        ("{type: percent, min: 10%, max: 1%}", "min 10% is above max 1%, so no value fits"),
        ("{type: money, min: $5k, max: $500}", "min $5k is above max $500, so no value fits"),
        ("{type: duration, min: 1h, max: 30m}", "min 1h is above max 30m, so no value fits"),
        (
            "{type: quantity, min: 1 ETH, max: 5 BTC}",
            "min 1 ETH and max 5 BTC are in different units, so no value fits",
        ),
        ("{type: quantity, min: 2 ETH, max: 1.5 ETH}", "min 2 ETH is above max 1.5 ETH, so no value fits"),
    ],
)
def test_limits_no_value_can_meet_are_gc103_at_the_max_key(definition, words):
    """Audit params25 3: each value was blamed instead (`--set b=5: '5' is below the minimum 10`)."""
    text = playbook(f"""\
        params:
          b: {definition}
        legs:
          a: {{buy: 1 ETH, symbol: ETH-USD}}
        """)
    for values in ({}, {"b": "5"}):
        found = compiled(text, params=values).diagnostics
        assert [(d.code, d.message, line_of(d, text)) for d in found] == [
            ("GC103", f"param `b`: {words}", "  b: " + definition)
        ]
        assert text.splitlines()[found[0].span.line - 1][found[0].span.col - 1 :].startswith("max:")


@pytest.mark.parametrize(
    "definition, value",
    [
        ("{type: number, min: 5, max: 5}", "5"),
        ("{type: quantity, min: 1 ETH, max: 1.0 ETH}", "1 ETH"),
        ("{type: percent, min: 1%, max: 0.01}", "1%"),
    ],
)
def test_min_equal_to_max_is_one_value_and_allowed(definition, value):
    text = playbook(f"""\
        params:
          b: {definition}
        legs:
          a: {{buy: 1 ETH, symbol: ETH-USD}}
        """)
    assert compiled(text, params={"b": value}).diagnostics == []


def test_typed_values_seen_by_templates():
    text = playbook("""\
        params:
          money: {type: money, default: $5k}
          wait: {type: duration, default: 1m30s}
          ratio: {type: percent, default: 12.5%}
          n: {type: number, default: 1.5k}
        description: "{{ money }} {{ wait }} {{ ratio }} {{ n }} {{ money * 2 }} {{ n / 4 }}"
        legs:
          a: {buy: 1 ETH, symbol: ETH-USD}
        """)
    doc, diagnostics = rendered(text)
    assert diagnostics == []
    assert doc.data["description"] == "5000 90000 0.125 1500 10000 375"
    assert "params" not in doc.data


def test_cli_set_and_params_on_compile_and_lint(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PARAMS)
    values = tmp_path / "v.json"
    values.write_text(json.dumps({"size": "3 ETH"}))
    runner = CliRunner()
    result = runner.invoke(cli, ["compile", str(path), "--set", "slices=2", "--params", str(values)])
    assert result.exit_code == 0, result.output
    node = json.loads(result.stdout)["nodes"][0]
    assert node["quantity"]["fixed"]["qty_1e8"] == 300000000
    result = runner.invoke(cli, ["lint", str(path), "--set", "size=50 ETH"])
    assert result.exit_code == 1 and "GC108" in result.output
    result = runner.invoke(cli, ["compile", str(path), "--params", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2


@pytest.mark.parametrize("command", ["compile", "lint", "plan"])
def test_a_param_set_twice_to_two_values_is_a_usage_error_naming_both(tmp_path, command):
    """Audit params25 2: `--set slices=2 --set slices=5` kept the 5 without a word (also with ` slices=5`)."""
    path = tmp_path / "p.yaml"
    path.write_text(PARAMS)
    runner = CliRunner()
    for second in ("slices=5", " slices =5"):
        result = runner.invoke(cli, [command, str(path), "--set", "slices=2", "--set", second])
        assert result.exit_code == 2, result.output
        assert "`slices` is set twice, to '2' and to '5': give it once" in result.stderr
    result = runner.invoke(cli, [command, str(path), "--set", "slices=2", "--set", "slices=2"])
    assert result.exit_code in (0, 1) and "set twice" not in result.output, result.output  # the same value twice


# ---------------------------------------------------------------------------
# Expressions


@pytest.mark.parametrize(
    ("expression", "text"),
    [
        ("{{ now.year }}", "2026"),
        ("{{ 7 / 2 }}", "3.5"),
        ("{{ 2 / 3 }}", "0." + "6" * 59 + "7"),  # past 40 digits: only text here (never GC106)
        ("{{ n }}", "3"),
    ],
)
def test_a_whole_expression_number_in_the_description_is_its_text(expression, text):
    """audit spec28b 3: docs/templates.md says `description` (text for people) takes a number as text, but
    `description: "{{ now.year }}"` kept the number and the schema refused it (GC103 must be string)."""
    source = playbook(f"""\
        params:
          n: {{type: integer, default: 3}}
        description: "{expression}"
        legs:
          a: {{buy: 1 ETH, symbol: ETH-USD, limit: 2000}}
        """)
    doc, diagnostics = rendered(source)
    assert diagnostics == []
    assert doc.data["description"] == text
    result = compiled(source)
    assert result.ok and result.diagnostics == [], result.diagnostics


@pytest.mark.parametrize(
    ("expression", "kind", "hint", "followed"),
    [
        (
            "{{ flag }}",
            "a boolean",
            "`description` takes text, and `{{ flag }}` is true: make it text, e.g. "
            '`description: "{{ flag | string }}"`, or write it into a sentence',
            "{{ flag | string }}",
        ),
        (
            "{{ n > 5 }}",
            "a boolean",
            "`description` takes text, and `{{ n > 5 }}` is false: make it text, e.g. "
            '`description: "{{ (n > 5) | string }}"`, or write it into a sentence',
            "{{ (n > 5) | string }}",
        ),
        (
            "{{ [n, 'x'] }}",
            "a list",
            "`description` takes text, and `{{ [n, 'x'] }}` is a list: join its items into text, e.g. "
            "`description: \"{{ ([n, 'x']) | join(', ') }}\"`",
            "{{ ([n, 'x']) | join(', ') }}",
        ),
        (
            "{{ none }}",
            "empty",
            "`description` takes text, and `{{ none }}` is none (nothing): write the text, or leave `description` out",
            "n is {{ n }}",
        ),
    ],
)
def test_a_template_result_that_is_not_text_in_the_description_has_a_hint(expression, kind, hint, followed):
    """`description: "{{ flag }}"` (true) or `"{{ [a, b] }}"` (a list) was GC103 "must be string" with no hint: the
    hint says `description` takes text and how to write the value as text, and what it writes compiles."""
    source = playbook(f"""\
        params:
          n: {{type: integer, default: 3}}
          flag: {{type: bool, default: true}}
        description: "{expression}"
        legs:
          a: {{buy: 1 ETH, symbol: ETH-USD, limit: 2000}}
        """)
    [found] = compiled(source).diagnostics
    assert (found.code, found.message, found.hint) == ("GC103", f"`description` must be string, not {kind}", hint)
    assert found.span is not None and found.span.line == 6
    result = compiled(source.replace(expression, followed))
    assert result.ok and result.diagnostics == [], result.diagnostics


def test_a_plain_boolean_in_the_description_is_quoted_by_the_hint():
    """The same GC103 for `description: true` as written (no template): the hint quotes it, as for a number."""
    [found] = compiled(playbook("description: true\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n")).diagnostics
    assert (found.code, found.hint) == ("GC103", "quote it to make it text: `description: 'true'`")


def test_whole_expression_keeps_its_type():
    text = playbook("""\
        params:
          n: {type: integer, default: 3}
        defaults: {urgency: "{{ n > 2 }}"}
        description: "{{ [n, n * 0.5, 'x', none, 7 / 2] }}"
        legs:
          a: {buy: "{{ n * 0.1 }}", symbol: ETH-USD}
        """)
    doc, diagnostics = rendered(text)
    assert diagnostics == []
    assert doc.data["defaults"]["urgency"] is True  # the stage keeps the type; the schema judges it later
    assert doc.data["description"] == [3, Decimal("1.5"), "x", None, Decimal("3.5")]
    assert doc.data["legs"]["a"]["buy"] == Decimal("0.3")  # exact: never 0.30000000000000004


def test_text_expression_is_parsed_as_the_fields_value():
    text = playbook("""\
        legs:
          a: {buy: "{{ 0.1 + 0.2 }} ETH", symbol: "{{ 'eth' | upper }}-USD", limit: "bid - {{ 3 * 5 }}bps"}
        """)
    node = nodes(compiled(text))["a"]
    assert node["quantity"] == {"fixed": {"qty_1e8": 30000000}}
    assert node["instrument"]["symbol"] == "ETH-USD"
    # 2325.10 x (1 - 0.0015) = 2321.61235 -> buys round down to the tick: 2321.61
    assert node["order_type"] == {"limit": {"price_1e9": 2321610000000}}


def test_now_today_and_quote():
    text = playbook("""\
        description: "{{ today }} {{ now.isoformat() }} {{ now.isoweekday() }} {{ now.isocalendar().week }}"
        legs:
          a: {buy: 1 ETH, symbol: ETH-USD, limit: "{{ quote('ETH-USD').mid - 1 }}"}
        """)
    result = compiled(text)
    assert nodes(result)["a"]["order_type"] == {"limit": {"price_1e9": 2324315000000}}  # (2325.10+2325.53)/2 - 1
    doc, _ = rendered(text)
    assert doc.data["description"] == "2026-01-07 2026-01-07T09:00:00+00:00 3 2"


def test_missing_quote_is_gc109_at_the_scalar():
    text = playbook("legs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: \"{{ quote('DOGE-USD').bid }}\"}\n")
    diagnostic = only(compiled(text), "GC109")
    assert "DOGE-USD" in diagnostic.message
    assert "quote('DOGE-USD')" in line_of(diagnostic, text)[diagnostic.span.col - 1 :]


# audit spec.md 3: a field the snapshot lacks (QUOTES has no `last`) was `none`, and the errors that followed were
# about something else: "cannot read 'USD' as a price", "leg 'g' has no side and quantity" (it has `buy:`),
# "`+` cannot combine none and a number". docs/templates.md: "a missing quote is GC109".
@pytest.mark.parametrize(
    "leg",
    [
        "{buy: 1 ETH, symbol: ETH-USD, limit: \"{{ quote('ETH-USD').last }} USD\"}",
        "{buy: \"{{ quote('ETH-USD').last }}\", symbol: ETH-USD}",
        "{buy: 1 ETH, symbol: ETH-USD, limit: \"{{ quote('ETH-USD').last + 1 }}\"}",
        "{buy: 1 ETH, symbol: ETH-USD, limit: \"{{ quote('ETH-USD')['last'] }}\"}",
        "{buy: 1 ETH, symbol: ETH-USD, limit: \"{{ quote('ETH-USD').last | round(2) }}\"}",
        "{buy: 1 ETH, symbol: ETH-USD, limit: \"{{ quote('ETH-USD').last ~ '' }}\"}",
    ],
)
def test_a_missing_quote_field_is_gc109_at_the_template(leg):
    text = playbook(f"legs:\n  a: {leg}\n")
    result = compiled(text)
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "GC109" and not result.ok
    template = leg.split('"')[1]
    assert diagnostic.message == f"in `{template}`: the quotes snapshot has no last for ETH-USD"
    assert "last" in diagnostic.hint and "ETH-USD" in diagnostic.hint
    assert line_of(diagnostic, text)[diagnostic.span.col - 1 :].startswith('"{{ quote(')


# audit review12 1: a template that tests for the field, or falls back from it, still works as it did when a
# missing field was `none` (QUOTES has no `last`; its ETH-USD ask is the fallback, so each compiles to the ask).
@pytest.mark.parametrize(
    "template",
    [
        "{{ quote('ETH-USD').last or quote('ETH-USD').ask }}",
        "{{ quote('ETH-USD').last | default(quote('ETH-USD').ask, true) }}",
        "{{ quote('ETH-USD').last | default(quote('ETH-USD').ask) }}",
        "{{ quote('ETH-USD').ask if quote('ETH-USD').last is none else 1 }}",
        "{{ quote('ETH-USD').ask if quote('ETH-USD').last == none else 1 }}",  # review13 1
        "{{ 1 if quote('ETH-USD').last != none else quote('ETH-USD').ask }}",
        "{{ quote('ETH-USD').ask if quote('ETH-USD').last is undefined else 1 }}",
        "{{ quote('ETH-USD').get('last', quote('ETH-USD').ask) }}",
        "{{ quote('ETH-USD').get('last') or quote('ETH-USD').ask }}",
        "{{ 1 if 'last' in quote('ETH-USD') else quote('ETH-USD').ask }}",
    ],
)
def test_a_template_can_fall_back_from_a_missing_quote_field(template):
    text = playbook(f'legs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, limit: "{template}"}}\n')
    result = compiled(text)
    assert result.ok, result.diagnostics
    ask = QUOTES["ETH-USD"].ask
    assert nodes(result)["a"]["order_type"] == {"limit": {"price_1e9": int(ask * 10**9)}}


def test_a_quote_with_only_last_has_no_bid_in_a_template():
    quotes = {"ETH-USD": Quote(last=Decimal("2325.20"), tick=Decimal("0.01"))}
    text = playbook("legs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: \"{{ quote('ETH-USD').last - 1 }}\"}\n")
    assert nodes(compiled(text, quotes=quotes))["a"]["order_type"] == {"limit": {"price_1e9": 2324200000000}}
    [diagnostic] = compiled(text.replace(".last", ".bid"), quotes=quotes).diagnostics
    assert diagnostic.code == "GC109" and "no bid for ETH-USD" in diagnostic.message


@pytest.mark.parametrize(
    "template,words",
    [
        ("{{ sise }}", "undefined name `sise` (did you mean 'size'?)"),
        ("{{ item }}", "undefined name `item`"),
        ("{{ size | nope }}", "no filter named 'nope'"),
        ("{{ size + }}", "template syntax error"),
        ("{% if size %}x{% endif %}", "blocks `{% if %}` are not available"),
        # audit tmpl27 5: `raw` is read by Jinja's lexer, leaving only text, and a comment leaves nothing
        ("{% raw %}ETH-USD{% endraw %}", "blocks `{% raw %}` are not available"),
        ("{%raw%}{%endraw%}ETH-USD", "blocks `{% raw %}` are not available"),
        ("{%- raw -%}{{ 1 / 0 }}{% endraw %}", "blocks `{% raw %}` are not available"),
        ("{{ 1 }}{%- set x = 1 %}", "blocks `{% set %}` are not available"),
        ("ETH-USD {%", "blocks `{% … %}` are not available"),
        ("ETH-USD{# a note #}", "comments `{# … #}` are not available"),
        ("{{ size }}{#", "comments `{# … #}` are not available"),
        ("{{ 1 / 0 }}", "division by zero"),
        ("{{ size.missing }}", "has no attribute 'missing'"),
        ("{{ [1, 2] }} ETH", "cannot write a list into text"),
    ],
)
def test_expression_errors_are_gc107_at_the_template_text(template, words):
    text = playbook(f"""\
        params:
          size: {{type: number, default: 1}}
        legs:
          a:
            buy: 1 ETH
            symbol: '{template}'
        """)
    diagnostic = only(compiled(text), "GC107")
    assert words in diagnostic.message, diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.col) == (8, 13)
    assert template in line_of(diagnostic, text)


@pytest.mark.parametrize(
    ("field", "template", "message"),
    [
        # audit tmpl27 4: `0 ** -1` was an Infinity, reported as if the file said `.inf` (GC103, GC108)
        ("limit", "{{ 0**-1 }}", "0 raised to a negative power (a division by zero)"),
        ("limit", "{{ -(0**-1) }}", "0 raised to a negative power (a division by zero)"),
        ("buy", "{{ 0.0**-2 }}", "0 raised to a negative power (a division by zero)"),
        ("for_each", "{{ 0**-1 }}", "0 raised to a negative power (a division by zero)"),
        ("limit", "{{ 0.0 / 0 }}", "division by zero"),  # was "invalid arithmetic (e.g. 0/0, ...)"
        # a result past the 60 digits templates compute with, not "a number that is not finite"
        ("limit", "{{ 1e40 // 1e-40 }}", "the result has more than 60 digits, the most a template computes with"),
        ("limit", "{{ 1e40 % 1e-40 }}", "the result has more than 60 digits, the most a template computes with"),
        (
            "limit",
            "{{ 1e40 | round(40) }}",
            "round(40) of 10000000000000000000000000000000000000000: the result has more than 60 digits, the most a "
            "template computes with",
        ),
    ],
)
def test_arithmetic_that_does_not_end_in_a_number_is_gc107_saying_why(field, template, message):
    fields = {"buy": "1 ETH", "limit": "2000"} | {field: f'"{template}"'}
    legs = ", ".join(f"{key}: {value}" for key, value in fields.items())
    result = compiled(playbook(f"legs:\n  a: {{symbol: ETH-USD, {legs}}}\n"))
    assert [(d.code, d.message) for d in result.diagnostics] == [("GC107", f"in `{template}`: {message}")]


def test_a_param_given_0_to_a_negative_power_is_gc107_at_the_template(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "graphc-template: 1\nparams:\n  n: {type: number}\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n"
    )
    path = tmp_path / "p.yaml"
    path.write_text('graphc: 1\nname: p\nlegs:\n  a: {use: ./t.yaml, with: {n: "{{ 0**-1 }}"}}\n')
    result = compile_file(str(path), CompileOptions(project_root=str(tmp_path)))
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("GC107", "in `{{ 0**-1 }}`: 0 raised to a negative power (a division by zero)")
    ]  # was GC108 "cannot read '.inf' as a number"


@pytest.mark.parametrize(
    "template,kind",
    [
        ("{{ [size] | map('nope') | join }}", "filter"),
        ("{{ [size] | map('center', 50) | join }}", "filter"),
        ("{{ size | center }}", "filter"),
        ("{{ [size] | select('nope') | list | length }}", "test"),
        ("{{ size is nope }}", "test"),
    ],
)
def test_a_filter_or_test_graphc_lacks_is_worded_alike_however_it_is_named(template, kind):
    """hostile18 F6: `map('center', 50)` said Jinja's "No filter named 'center'." where `| center` says
    "no filter named 'center'" with a hint listing the filters: one wording."""
    name = template.split("'")[1] if "'" in template else template.split()[-2]
    text = playbook(f"""\
        params:
          size: {{type: number, default: 1}}
        legs:
          a:
            buy: 1 ETH
            symbol: "{template}"
        """)
    diagnostic = only(compiled(text), "GC107")
    assert diagnostic.message == f"in `{template}`: no {kind} named '{name}'", diagnostic.message
    if kind == "filter":
        assert diagnostic.hint.startswith("filters: abs, capitalize,"), diagnostic.hint


# Number literals inside `{{ }}` are the exact decimals of their text (spec §1: "Numbers are read from
# their source text as exact decimals ... never a binary float on the way"; §3.2). Each expected
# value below is the literal's digits shifted by the wire scale (qty x 1e8, price x 1e9), by hand.


@pytest.mark.parametrize(
    "buy,qty_1e8",
    [
        ('"{{ 2500000000.12345678 }}"', 250000000012345678),  # 17 significant digits: float gave ...45700
        ('"{{ 12345678901.00000001 }}"', 1234567890100000001),  # float dropped the last 1e-8
        ('"{{ 987654321.87654321 }}"', 98765432187654321),
        ('"{{ 2_500_000_000.123_456_78 }}"', 250000000012345678),  # Jinja's digit separators
        ('"{{ 2500000000.12345678 }} PEPE"', 250000000012345678),  # written into text
        # text holding the shape's slot prefix is parsed as written, not by shape (a `{# #}` did that: refused now)
        ("\"{{ 2500000000.12345678 }}{{ 'graphc_k'[:0] }}\"", 250000000012345678),
        ('"{{ 25000000.0012345678e2 }}"', 250000000012345678),  # an exponent form: 2500000000.12345678
        ('"{{ 1E3 }}"', 100000000000),
        ('"{{ 0.1 + 0.2 }}"', 30000000),
    ],
)
def test_number_literals_are_exact_decimals(buy, qty_1e8):
    node = nodes(compiled(playbook(f"legs:\n  a: {{buy: {buy}, symbol: PEPE-USD}}\n")))["a"]
    assert node["quantity"] == {"fixed": {"qty_1e8": qty_1e8}}


def test_a_price_literal_keeps_all_its_digits():
    text = playbook('legs:\n  a: {buy: 1, symbol: PEPE-USD, limit: "{{ 12345678.123456789 }}"}\n')
    assert nodes(compiled(text))["a"]["order_type"] == {"limit": {"price_1e9": 12345678123456789}}


def test_a_literal_finer_than_the_wire_is_gc106():
    text = playbook('legs:\n  a: {buy: "{{ 0.10000000000000000001 }}", symbol: PEPE-USD}\n')
    assert only(compiled(text), "GC106").span.line == 4  # float read it as 0.1 and it passed


@pytest.mark.parametrize(
    "literal",
    ["1e400", "1e999999999", "1e-999999999", "1e41", "1.5e-41", "1" * 41 + ".5", "0.1e99999999999999999999"],
)
def test_a_literal_out_of_range_is_gc103_at_the_template(literal):
    # the range and digits of a number written outside a template (units.MAX_DIGITS): 1e-40 .. 1e40, 40 digits
    text = playbook(f'legs:\n  a: {{buy: 1, symbol: PEPE-USD, limit: "{{{{ {literal} * 2 }}}}"}}\n')
    diagnostic = only(compiled(text), "GC103")
    assert literal[:20] in diagnostic.message, diagnostic.message
    assert "Infinity" not in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.col) == (4, 40)  # the opening quote of the template
    assert line_of(diagnostic, text)[39:].startswith('"{{')


def test_literals_at_the_edge_of_the_range_are_read():
    from graphc.stages.expressions import compile_template, evaluate

    for text, value in [
        ("{{ 1e40 }}", Decimal("1e40")),
        ("{{ 1e-40 }}", Decimal("1e-40")),
        ("{{ " + "9" * 39 + ".9 }}", Decimal("9" * 39 + ".9")),  # 40 digits
        ("{{ 0.0000000000000000000000000000000000000000 }}", Decimal(0)),
    ]:
        assert evaluate(compile_template(text), {}) == value, text


# audit money20 3: `//` and `%` follow Python's numeric semantics for every number, integers and decimals alike:
# `//` floors, and `%` has the sign of the divisor (it was Decimal's: truncated toward zero, the dividend's sign).


@pytest.mark.parametrize(
    "expression,qty",
    [
        ("10 + (-7 // 2)", "6"),  # -4, as it was
        ("10 + (-7.5 // 2)", "6"),  # -4 (was -3)
        ("10 + (7.5 // -2)", "6"),  # -4 (was -3)
        ("10 + (-7.5 // -2)", "13"),  # 3
        ("10 + (7.5 // 2)", "13"),
        ("10 + (-7 % 2)", "11"),  # 1, as it was
        ("10 + (-7.5 % 2)", "10.5"),  # 0.5 (was -1.5)
        ("10 + (7.5 % -2)", "9.5"),  # -0.5 (was 1.5)
        ("10 + (-7.5 % -2)", "8.5"),  # -1.5
        ("10 + (7.5 % 2)", "11.5"),
        ("10 + (-6 // 1.5) + (-6 % 1.5)", "6"),  # -4 and 0: exact
        ("10 + (-0.3 % 0.1)", "10"),  # 0 exactly (a float gives 0.09999999999999998)
    ],
)
def test_floor_division_and_modulo_floor_for_decimals_as_for_integers(expression, qty):
    node = nodes(compiled(playbook(f'legs:\n  a: {{buy: "{{{{ {expression} }}}}", symbol: PEPE-USD}}\n')))["a"]
    assert node["quantity"] == {"fixed": {"qty_1e8": int(Decimal(qty) * 10**8)}}, expression


def test_a_negative_offset_snaps_down_onto_the_tick():
    """The docs' example (docs/templates.md "Operators"): bid 2325.10 - 0.015 snapped down is 2325.08, not .09."""
    text = playbook(
        "legs:\n  a:\n    buy: 1\n    symbol: ETH-USD\n"
        "    limit: \"{{ quote('ETH-USD').bid + (-0.015 // 0.01) * 0.01 }}\"\n"
    )
    node = nodes(compiled(text))["a"]  # QUOTES: ETH-USD bid 2325.10
    assert node["order_type"] == {"limit": {"price_1e9": 2325080000000}}


decimals = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False)


@given(decimals, decimals.filter(bool))
def test_floor_division_and_modulo_are_pythons_on_exact_values(a, b):
    from graphc.stages.expressions import compile_template, evaluate
    from graphc.stages.render import DECIMALS

    x, y = Fraction(a), Fraction(b)  # exact rationals: Python's // floors and % takes the divisor's sign
    with localcontext(DECIMALS):
        quotient = evaluate(compile_template(f"{{{{ ({a}) // ({b}) }}}}"), {})
        remainder = evaluate(compile_template(f"{{{{ ({a}) % ({b}) }}}}"), {})
    assert Fraction(quotient) == x // y and Fraction(remainder) == x % y, (a, b, quotient, remainder)


@pytest.mark.parametrize(
    "buy,params,shown",
    [
        ("-.5", {}, "quantity -0.5 must be positive"),  # YAML reads -.5 as a number: plain text, not a repr
        ("0", {}, "quantity 0 must be positive"),
        ("'-5 PEPE'", {}, "quantity '-5 PEPE' must be positive"),  # text as written
        ("\"{{ (total / 4) | round(8, 'floor') }}\"", {"total": "-0"}, "quantity 0 must be positive"),  # was 0E-8
    ],
)
def test_a_quantity_that_is_not_positive_is_shown_as_written(buy, params, shown):
    text = playbook(f"params:\n  total: {{type: number, default: 1}}\nlegs:\n  a: {{buy: {buy}, symbol: PEPE-USD}}\n")
    diagnostic = only(compiled(text, params=params), "GC103")
    assert diagnostic.message == shown
    assert "Decimal" not in diagnostic.message


def test_template_strings_compile_once(monkeypatch):
    from graphc.stages import expressions

    parses: list = []
    real_parse = expressions.ENV.parse
    monkeypatch.setattr(expressions.ENV, "parse", lambda source, *a, **k: parses.append(source) or real_parse(source))
    text = "bid - {{ index }}bps  "  # (a text no other test compiles, so not cached yet)
    compiled(playbook(f'legs:\n  r:\n    for_each: 50\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: "{text}"\n'))
    assert parses == [text]


# ---------------------------------------------------------------------------
# for_each


def test_for_each_number_list_and_expression():
    text = playbook("""\
        params:
          symbols: {type: string, default: "BTC-USD ETH-USD"}
        legs:
          n:
            for_each: 3
            buy: "{{ index + 1 }}"
            symbol: ETH-USD
          s:
            for_each: "{{ symbols.split() }}"
            buy: 1
            symbol: "{{ item }}"
          m:
            for_each: [{sym: BTC-USD, q: 0.5}, {sym: ETH-USD, q: 2}]
            buy: "{{ item.q }}"
            symbol: "{{ item.sym }}"
        """)
    result = nodes(compiled(text))
    assert list(result) == ["n-0", "n-1", "n-2", "s-BTC-USD", "s-ETH-USD", "m-0", "m-1"]
    assert result["n-2"]["quantity"] == {"fixed": {"qty_1e8": 300000000}}
    assert result["s-ETH-USD"]["instrument"]["symbol"] == "ETH-USD"
    assert result["m-0"]["quantity"] == {"fixed": {"qty_1e8": 50000000}}


def test_for_each_after_chain_and_dropped_entries():
    text = playbook("""\
        legs:
          first: {buy: 1 ETH, symbol: ETH-USD}
          rung:
            for_each: 3
            buy: 1 ETH
            symbol: ETH-USD
            after:
              - "{{ 'rung-' ~ (index - 1) ~ ' filled' if index else none }}"
              - "{{ 'first accepted' if index == 0 else '' }}"
        """)
    result = compiled(text)
    assert edges(result) == [
        ("first", "rung-0", "on_accepted"),
        ("rung-0", "rung-1", "on_full_fill"),
        ("rung-1", "rung-2", "on_full_fill"),
    ]
    assert nodes(result)["rung-0"]["activation"] == "wait"


def test_after_that_renders_to_nothing_leaves_a_root():
    text = playbook("""\
        legs:
          rung:
            for_each: 2
            buy: 1 ETH
            symbol: ETH-USD
            after: "{{ 'rung-0 filled' if index else '' }}"
        """)
    result = compiled(text)
    assert [n["activation"] for n in result.wire["nodes"]] == ["root", "wait"]


def test_for_each_diagnostics_point_at_the_template_line():
    text = playbook("""\
        legs:
          rung:
            for_each: 4
            buy: 1 ETH
            symbol: ETH-USD
            limit: "bid - {{ index * 4000 }}bps"
            after: "rung-{{ index + 1 }} filled"
        """)
    result = compiled(text)
    found = {d.code: d for d in result.diagnostics}
    assert "GC103" in found  # bid - 120% is not positive, for rung-3
    assert "{{ index * 4000 }}" in line_of(found["GC103"], text)
    gc202 = [d for d in result.diagnostics if d.code == "GC202"]
    assert not gc202 or all("rung-{{ index + 1 }}" in line_of(d, text) for d in gc202)


def lint_json(path, *args):
    result = CliRunner().invoke(cli, ["lint", str(path), "--format", "json", *args])
    return json.loads(result.stdout)["diagnostics"]


def test_lint_finding_on_a_for_each_leg_points_at_the_template_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        playbook("""\
        legs:
          rung:
            for_each: 2
            buy: 1 ETH
            symbol: ETH-USD
            after: "{{ 'rung-' ~ (index - 1) ~ ' filled' }}"
        """)
    )
    found = [d for d in lint_json(path) if d["code"] == "GC202"]  # rung-0 waits for `rung--1`
    assert len(found) == 1 and "rung--1" in found[0]["message"]
    assert found[0]["line"] == 8 and "{{ 'rung-' ~ (index - 1)" in path.read_text().splitlines()[7]


def test_for_each_limits_and_errors():
    too_many = playbook("legs:\n  r:\n    for_each: 10001\n    buy: 1 ETH\n    symbol: ETH-USD\n")
    diagnostic = only(compiled(too_many), "GC103")
    assert "10,001 legs; the limit is 10,000 per leg" in diagnostic.message
    assert (diagnostic.span.line, diagnostic.span.col) == (5, 15)
    bad = playbook("legs:\n  r:\n    for_each: {a: 1}\n    buy: 1 ETH\n    symbol: ETH-USD\n")
    assert "needs a list or a whole number" in only(compiled(bad), "GC103").message
    dup = playbook("legs:\n  r:\n    for_each: [a, a]\n    buy: 1 ETH\n    symbol: ETH-USD\n")
    assert "duplicate leg id 'r-a'" in only(compiled(dup), "GC203").message


def test_an_error_in_a_for_each_leg_is_reported_once():
    text = playbook('legs:\n  r:\n    for_each: 500\n    buy: "{{ nope }}"\n    symbol: ETH-USD\n')
    result = compiled(text)
    assert [d.code for d in result.diagnostics] == ["GC107"]
    assert "(for_each index 0)" in result.diagnostics[0].message


def test_for_each_over_ten_thousand_items_compiles():
    text = playbook("""\
        legs:
          rung:
            for_each: 10000
            buy: 0.01 ETH
            symbol: ETH-USD
            limit: "bid - {{ index % 100 }}bps"
            after: "{{ 'rung-' ~ (index - 1) ~ ' accepted' if index else none }}"
        """)
    result = compiled(text)
    assert result.ok, result.diagnostics[:3]
    assert len(result.wire["nodes"]) == 10000 and len(result.wire["edges"]) == 9999
    assert result.wire["nodes"][-1]["node_id"] == "rung-9999"


def test_total_leg_limit():
    legs = "".join(f"  r{i}:\n    for_each: 10000\n    buy: 1 ETH\n    symbol: ETH-USD\n" for i in range(11))
    result = compiled(playbook("legs:\n" + legs))
    diagnostic = only(result, "GC103")
    assert "more than 100,000 legs" in diagnostic.message
    assert result.wire is None


# audit desk21 3: a basket of Polymarket outcomes is the natural for_each, and its `:yes` items make no leg id
# (GC103, spec §6.3); the hint offered only `for_each: N`, which loses the list. It now gives the same items as
# mappings, whose copies are numbered (docs/templates.md: `ID-0`, `ID-1`), and following it compiles.
BASKET = """\
graphc: 1
name: pm-basket
legs:
  yes:
    for_each: [rain-london:yes, will-btc-hit-150k-in-2026:yes]
    buy: 20 shares
    symbol: "{{ item }}"
    limit: 0.15
"""


def test_for_each_items_that_make_no_leg_id_get_a_hint_to_mapping_items_that_compiles(tmp_path):
    (tmp_path / "b.yaml").write_text(BASKET)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(tmp_path / "b.yaml")])
    assert result.exit_code == 1, result.output
    assert (
        "error GC103 leg id 'yes-rain-london:yes', made by `for_each` from the item 'rain-london:yes'" in result.stdout
    )
    hint = (
        "  hint: make the items mappings and read their field, which numbers the legs (yes-0, yes-1): "
        '`for_each: [{sym: rain-london:yes}, {sym: will-btc-hit-150k-in-2026:yes}]`, and `"{{ item.sym }}"` where '
        'the leg writes `"{{ item }}"` (`symbol: "{{ item.sym }}"`); or use items made of those characters\n'
    )
    assert hint in result.stdout, result.stdout
    assert "for_each: N" not in result.stdout
    # the hint followed, as written: the legs are yes-0 and yes-1, on the two outcomes, in the list's order
    fixed = BASKET.replace(
        "[rain-london:yes, will-btc-hit-150k-in-2026:yes]",
        "[{sym: rain-london:yes}, {sym: will-btc-hit-150k-in-2026:yes}]",
    ).replace('"{{ item }}"', '"{{ item.sym }}"')
    (tmp_path / "f.yaml").write_text(fixed)
    done = CliRunner().invoke(cli, ["compile", str(tmp_path / "f.yaml")])
    assert done.exit_code == 0, done.output
    nodes = json.loads(done.stdout)["nodes"]
    assert [(n["node_id"], n["instrument"]["symbol"]) for n in nodes] == [
        ("yes-0", "rain-london:yes"),
        ("yes-1", "will-btc-hit-150k-in-2026:yes"),
    ]


def test_the_mapping_hint_of_a_long_list_shows_its_first_items_and_quotes_what_a_flow_list_cannot_hold():
    text = playbook("""\
        legs:
          leg:
            for_each: ["a b", "c,d", e:yes, f:yes]
            buy: 1 share
            symbol: "{{ item }}"
        """)
    diagnostic = only(compiled(text), "GC103")
    assert diagnostic.hint.startswith(
        "make the items mappings and read their field, which numbers the legs (leg-0, leg-1 ... leg-3): "
        '`for_each: [{sym: "a b"}, {sym: "c,d"}, ...]`'
    ), diagnostic.hint


# ---------------------------------------------------------------------------
# use: templates

HEDGE = """\
graphc-template: 1
params:
  size: {type: quantity}
  perp: {type: symbol, default: ETH-USD-PERP}
legs:
  short:
    sell: "{{ size }}"
    symbol: "{{ perp }}"
    venue: hyperliquid
  stop:
    buy: "{{ size }}"
    symbol: "{{ perp }}"
    venue: hyperliquid
    after: short price {{ perp }} above entry +5%
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "graphc.toml").write_text("")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "hedge.yaml").write_text(HEDGE)
    return tmp_path


def write_playbook(project, body, name="play.yaml"):
    path = project / name
    path.write_text(playbook(body))
    return path


def test_use_inlines_legs_under_the_prefix(project):
    path = write_playbook(
        project,
        """\
        legs:
          spot: {buy: 2 ETH, symbol: ETH-USD}
          hedge:
            use: ./templates/hedge.yaml
            with: {size: 2 ETH}
            after: spot filled 50%
            urgency: high
        """,
    )
    result = compile_file(path, CompileOptions(quotes=QUOTES))
    legs = nodes(result)
    assert list(legs) == ["spot", "hedge.short", "hedge.stop"]
    assert legs["hedge.short"]["instrument"] == {"symbol": "ETH-USD-PERP", "type": "perp", "venue": "hyperliquid"}
    assert legs["hedge.stop"]["execution"]["urgency"] == "high"  # fields on the using leg override
    assert [e[:2] for e in edges(result)] == [("spot", "hedge.short"), ("hedge.short", "hedge.stop")]
    assert legs["hedge.short"]["activation"] == "wait"


def test_template_used_by_two_playbooks_and_for_each(project):
    write_playbook(
        project,
        """\
        legs:
          h:
            for_each: [ETH, BTC]
            use: ./templates/hedge.yaml
            with: {size: "1 {{ item }}", perp: "{{ item }}-USD-PERP"}
        """,
        "two.yaml",
    )
    result = compile_file(project / "two.yaml", CompileOptions(quotes=QUOTES))
    legs = nodes(result)
    assert list(legs) == ["h-ETH.short", "h-ETH.stop", "h-BTC.short", "h-BTC.stop"]
    assert legs["h-BTC.stop"]["instrument"]["symbol"] == "BTC-USD-PERP"
    assert ("h-BTC.short", "h-BTC.stop") in [e[:2] for e in edges(result)]


def test_nested_templates_rename_each_level(project):
    (project / "templates" / "pair.yaml").write_text(
        textwrap.dedent("""\
        graphc-template: 1
        legs:
          eth:
            use: ./hedge.yaml
            with: {size: 1 ETH}
          btc:
            use: ./hedge.yaml
            with: {size: 1 BTC, perp: BTC-USD-PERP}
            after: eth.short filled
        """)
    )
    path = write_playbook(project, "legs:\n  p:\n    use: ./templates/pair.yaml\n")
    result = compile_file(path, CompileOptions(quotes=QUOTES))
    assert list(nodes(result)) == ["p.eth.short", "p.eth.stop", "p.btc.short", "p.btc.stop"]
    assert [e[:2] for e in edges(result)] == [
        ("p.eth.short", "p.eth.stop"),
        ("p.eth.short", "p.btc.short"),
        ("p.btc.short", "p.btc.stop"),
    ]


def test_with_errors_are_gc108_at_the_use_site(project):
    path = write_playbook(
        project,
        """\
        legs:
          h:
            use: ./templates/hedge.yaml
            with: {sise: 2 ETH}
        """,
    )
    result = compile_file(path, CompileOptions(quotes=QUOTES))
    messages = [(d.code, d.message, d.path, d.span.line) for d in result.diagnostics]
    assert ("GC108", "template templates/hedge.yaml: unknown param `sise` (did you mean 'size'?)", str(path), 6) in [
        (c, m.replace(str(project) + "/", ""), p, line) for c, m, p, line in messages
    ]
    missing = next(d for d in result.diagnostics if "required" in d.message)
    assert "use: ./templates/hedge.yaml" in line_of(missing)


def test_diagnostic_inside_a_template_names_the_template_and_the_use_site(project):
    (project / "templates" / "hedge.yaml").write_text(
        HEDGE.replace("venue: hyperliquid\n  stop", "venue: hyperliquid\n    tif: GTX\n  stop")
    )
    path = write_playbook(project, "legs:\n  h:\n    use: ./templates/hedge.yaml\n    with: {size: '{{ 2 }} ETH'}\n")
    result = compile_file(path, CompileOptions(quotes=QUOTES))
    diagnostic = only(result, "GC103")
    assert diagnostic.path == str(project / "templates" / "hedge.yaml")
    assert line_of(diagnostic).strip() == "tif: GTX"
    assert [(r.path, r.span.line, r.message) for r in diagnostic.related] == [(str(path), 5, "template used here")]


def test_expression_error_inside_a_template_and_the_text_report(project):
    (project / "templates" / "hedge.yaml").write_text(HEDGE.replace('sell: "{{ size }}"', 'sell: "{{ sizee }}"'))
    path = write_playbook(project, "legs:\n  h:\n    use: ./templates/hedge.yaml\n    with: {size: 2 ETH}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    template = project / "templates" / "hedge.yaml"
    assert f"{template}:7:11: error GC107 in `{{{{ sizee }}}}`: undefined name `sizee`" in result.stderr
    assert '7 |     sell: "{{ sizee }}"' in result.stderr  # the template's own line is shown
    assert f"note: {path}:5:10: template used here" in result.stderr


def test_template_file_format_is_checked(project):
    (project / "templates" / "bad.yaml").write_text("graphc-template: 1\nlegz: {}\n")
    path = write_playbook(project, "legs:\n  h:\n    use: ./templates/bad.yaml\n")
    codes = {d.code: d for d in compile_file(path, CompileOptions()).diagnostics}
    assert "did you mean 'legs'" in codes["GC102"].message
    assert codes["GC102"].path.endswith("bad.yaml")
    (project / "templates" / "plain.yaml").write_text("legs: {}\n")
    path = write_playbook(project, "legs:\n  h:\n    use: ./templates/plain.yaml\n")
    diagnostic = only(compile_file(path, CompileOptions()), "GC107")
    assert "needs `graphc-template: 1`" in diagnostic.message


def test_with_without_use_is_an_error():
    text = playbook("legs:\n  a: {buy: 1 ETH, symbol: ETH-USD, with: {x: 1}}\n")
    assert "only applies to a leg with `use:`" in only(compiled(text), "GC103").message


# ---------------------------------------------------------------------------
# Every diagnostic from a template or for_each points at a real line holding its text


def test_all_template_diagnostics_point_at_real_lines(project):
    (project / "templates" / "broken.yaml").write_text(
        textwrap.dedent("""\
        graphc-template: 1
        legs:
          a:
            sell: "{{ 2 }} ETH"
            symbol: ETH-USD-PERP
            limit: "ask + {{ 3 }} ticks"
            policy: "{{ 'fastest' }}"
          b:
            buy: 1 ETH
            symbol: ETH-USD
            after: "{{ 'zz' }} filled"
        """)
    )
    path = write_playbook(
        project,
        """\
        legs:
          r:
            for_each: 2
            buy: "{{ index + 1 }} BTC"
            symbol: ETH-USD
          t:
            use: ./templates/broken.yaml
        """,
    )
    diagnostics = lint_json(path)
    assert {d["code"] for d in diagnostics} >= {"GC103", "GC105"}, diagnostics
    for d in diagnostics:
        lines = Path(d["path"]).read_text().splitlines()
        text = lines[d["line"] - 1]
        assert "{{" in text, (d, text)  # every value here came from a template


def test_sandbox_cannot_be_computed_by_an_expression(tmp_path):
    from click.testing import CliRunner

    from graphc.cli import cli

    path = tmp_path / "p.yaml"
    path.write_text(
        "graphc: 1\nname: t\nparams:\n  live: {type: bool, default: true}\n"
        'sandbox: "{{ not live }}"\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n'
    )
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    assert f"{path}:5:10: error GC103 `sandbox` must be written as a literal" in result.stderr


PERCENT = playbook(
    """
params:
  cut: {type: percent, default: 12.5%}
legs:
  a:
    buy: 1 ETH
    symbol: ETH-USD
    slippage: "{{ (cut * 10000) | int }}bps"
"""
)


@pytest.mark.parametrize(
    "value, bps",
    [("12.5%", 1250), ("0.125", 1250), ("1", 10000), ("0.5%", 50)],  # a bare number is the ratio, up to 1 (100%)
)
def test_a_percent_param_reads_a_percentage_or_a_ratio_up_to_one(value, bps):
    assert nodes(compiled(PERCENT, params={"cut": value}))["a"]["execution"]["max_slippage_bps"] == bps


@pytest.mark.parametrize("value", ["12.5", "-12.5", "100"])
def test_a_bare_percent_param_above_one_is_refused_not_read_as_1250_percent(value):
    # `--set cut=12.5` means 12.5% to a trader; read as a ratio it was 1250% (audit ux.md 6)
    diagnostic = only(compiled(PERCENT, path="p.yaml", params={"cut": value}), "GC108")
    assert f"write `{value}%`" in diagnostic.message, diagnostic.message


# audit price.md 2: a percent param is a ratio (5% is 0.05), so `{{ stop }}%` wrote `0.05%`, a stop 100 times
# tighter than meant, and compiled and linted clean
PERCENT_AS_PERCENT = playbook(
    """
params:
  stop: {type: percent, default: 5%}
  edge: {type: percent, default: 0.5%}
legs:
  entry:
    buy: 0.1 BTC
    symbol: BTC-USD
    limit: "bid - {{ EDGE }}%"
  stop:
    sell: 0.1 BTC
    symbol: BTC-USD
    limit: trigger - 0.5%
    after: "entry price BTC-USD below entry -{{ STOP }}%"
"""
)


@pytest.mark.parametrize(
    "edge, stop, line, col, shown, right",
    [
        ("edge", "stop * 100", 11, 12, "bid - {{ edge }}%", "{{ edge * 100 }}%"),
        ("edge * 100", "stop", 16, 12, "entry price BTC-USD below entry -{{ stop }}%", "{{ stop * 100 }}%"),
        ("edge | default(0)", "stop * 100", 11, 12, "bid - {{ edge | default(0) }}%", "{{ edge * 100 }}%"),
        ("edge if edge else 0", "stop * 100", 11, 12, "bid - {{ edge if edge else 0 }}%", "{{ edge * 100 }}%"),
    ],
)
def test_a_percent_param_written_back_as_a_percentage_is_refused(edge, stop, line, col, shown, right):
    source = PERCENT_AS_PERCENT.replace("EDGE", edge).replace("STOP", stop)
    result = compiled(source, path="pc.yaml")
    assert not result.ok
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("GC107", line, col)
    assert line_of(diagnostic, source)[col - 1 :] == f'"{shown}"'  # at the template's opening quote
    name = right[3:7]
    value = {"edge": "0.005", "stop": "0.05"}[name]
    assert diagnostic.message == (
        f"in `{shown}`: {value} is a ratio from percent param `{name}` (5% is 0.05), so writing it before `%` "
        f"makes {value}%, 100 times smaller than meant"
    )
    assert diagnostic.hint == f"multiply by 100 for the percentage, e.g. `{right}`, or use the ratio in arithmetic"


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ("bid - {{ -edge }}%", "-0.005"),  # audit walk.md 2: each of these compiled to a 100x smaller offset
        ("bid - {{ edge | round(4) }}%", "0.005"),
        ("bid - {{ edge ~ '%' }}", "0.005"),
        ("bid - {{ (1 + 1) * edge }}%", "0.01"),  # a ladder rung: `(index + 1) * step`
        ("bid - {{ edge / 2 }}%", "0.0025"),
        # a ratio turned into text first (a known gap until PercentText): each compiled to a 100x smaller offset
        ("bid - {{ edge | string }}%", "0.005"),
        ("bid - {{ edge ~ '' }}%", "0.005"),
        ("bid - {{ edge ~ '' ~ '%' }}", "0.005"),
        ("bid - {{ '' ~ edge | string | trim }} %", "0.005"),
        ("bid - {{ (edge | string) ~ 'bps' }}", "0.005"),
        ("bid - {{ edge | trim }}%", "0.005"),  # audit review9 1: straight into trim/upper/lower, unmarked
        ("bid - {{ edge | upper }}%", "0.005"),
        ("bid - {{ (edge ~ ' ') | trim }}%", "0.005"),
    ],
)
def test_a_ratio_computed_from_a_percent_param_is_refused_before_percent_too(template, value):
    source = PERCENT_AS_PERCENT.replace("bid - {{ EDGE }}%", template).replace("STOP", "stop * 100")
    diagnostic = only(compiled(source, path="pc.yaml"), "GC107")
    assert f"{value} is a ratio from percent param `edge` (5% is 0.05)" in diagnostic.message


@pytest.mark.parametrize(
    ("template", "price_1e9"),
    [
        ("bid - {{ edge * 100 }}%", 96763750000000),  # 97250 less 0.5%
        ("bid - {{ 100 * edge }}%", 96763750000000),
        ("bid - {{ edge * 10000 }}bps", 96763750000000),
        ("bid - {{ (1 + 1) * edge * 100 }}%", 96277500000000),  # less 1%: 96277.5
        ("bid - {{ (edge * 100) | string }}%", 96763750000000),  # points made text: no ratio left
    ],
)
def test_a_percent_param_turned_into_points_is_not_refused(template, price_1e9):
    source = PERCENT_AS_PERCENT.replace("bid - {{ EDGE }}%", template).replace("STOP", "stop * 100")
    assert nodes(compiled(source))["entry"]["order_type"] == {"limit": {"price_1e9": price_1e9}}


def test_a_percent_param_before_bps_is_refused_too():
    source = PERCENT_AS_PERCENT.replace("{{ EDGE }}%", "{{ EDGE }} BPS").replace("EDGE", "edge")
    diagnostic = only(compiled(source.replace("STOP", "stop * 100"), path="pc.yaml"), "GC107")
    assert "before `BPS` makes 0.005 BPS, 10000 times smaller than meant" in diagnostic.message
    assert diagnostic.hint == (
        "multiply by 10000 for the basis points, e.g. `{{ edge * 10000 }}bps`, or use the ratio in arithmetic"
    )


@pytest.mark.parametrize("given", ["6%", "0.06"])
def test_a_percent_out_of_range_is_shown_in_percent_like_its_limit(given):
    # audit walk.md 5: "'0.06' is above the maximum 5%" mixed a ratio with a percentage
    text = PERCENT_AS_PERCENT.replace("{type: percent, default: 0.5%}", "{type: percent, default: 0.5%, max: 5%}")
    assert "max: 5%" in text
    diagnostic = only(
        compiled(text.replace("EDGE", "edge * 100").replace("STOP", "stop * 100"), params={"edge": given}), "GC108"
    )
    assert diagnostic.message.endswith("'6%' is above the maximum 5%")


def test_a_percent_param_times_100_is_the_percentage():
    # the right spelling: BTC-USD bid 97250 (QUOTES) less 0.5% = 96763.75, on the 0.01 tick already;
    # the stop fires 5% (not 0.05%) below the entry
    result = compiled(PERCENT_AS_PERCENT.replace("EDGE", "edge * 100").replace("STOP", "stop * 100"))
    assert nodes(result)["entry"]["order_type"] == {"limit": {"price_1e9": 96763750000000}}
    [(_, _, trigger)] = edges(result)
    assert trigger["on_price"]["offset_pct"] == Decimal("-5")


def test_a_percent_param_keeps_its_ratio_in_arithmetic_and_as_a_whole_value():
    text = playbook("""\
        params:
          cut: {type: percent, default: 12.5%}
        description: "{{ cut }} is {{ cut * 100 }}%"
        legs:
          a: {buy: 1 ETH, symbol: ETH-USD}
          b: {sell: 1 ETH, symbol: ETH-USD, after: [{from: a, trigger: on_fill_ratio, fill_ratio: "{{ cut }}"}]}
        """)
    doc, diagnostics = rendered(text)
    assert diagnostics == []
    assert doc.data["description"] == "0.125 is 12.5%"
    ratio = doc.data["legs"]["b"]["after"][0]["fill_ratio"]
    assert ratio == Decimal("0.125") and type(ratio) is Decimal  # a whole `{{ cut }}` is the plain ratio


QTY_TEXT = playbook(
    """
params:
  size: {type: quantity, default: "1"}
legs:
  a:
    buy: "{{ size.strip() }} ETH"
    symbol: ETH-USD
"""
)


def test_a_quantity_param_is_text_from_a_params_file_as_from_set(tmp_path):
    # docs/templates.md: a quantity param is "the text as written", wherever the value comes from (audit tmpl.md 5)
    values = tmp_path / "values.yaml"
    values.write_text("size: 2\n")  # a YAML number
    from_file = compiled(QTY_TEXT, params_file=str(values))
    from_set = compiled(QTY_TEXT, params={"size": "2"})
    assert nodes(from_file)["a"]["quantity"] == nodes(from_set)["a"]["quantity"] == {"fixed": {"qty_1e8": 200000000}}


# ---------------------------------------------------------------------------
# Audit tmpl2 findings 6-9: exact powers, plain words in messages, values shown as written, template `after:`


def _tif_message(expression: str) -> str:
    """The message of the diagnostic for ``tif: EXPRESSION`` (text that is no tif, so it shows the value)."""
    text = playbook(
        "params:\n  stop: {type: percent, default: 5%}\n"
        f"legs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    tif: {json.dumps(expression)}\n"
    )
    [diagnostic] = compiled(text).diagnostics
    return diagnostic.message


@pytest.mark.parametrize(
    ("expression", "shown"),
    [
        ("{{ 2 ** -30 * 2 ** 30 }}", "x1"),  # was 0.999999999999999983222784 (a binary float read back)
        ("{{ 2 ** -24 }}", "x0.000000059604644775390625"),  # exact: 1 / 16777216 (`{{ 1 / 2 ** 24 }}` agrees)
        ("{{ (2 ** -30 * 2 ** 30) == 1 }}", "xtrue"),
        ("{{ 10 ** -2 }}", "x0.01"),
    ],
)
def test_a_negative_power_of_a_whole_number_is_an_exact_decimal(expression, shown):
    # docs/templates.md, "Expressions reference": numbers are exact, never a binary float
    assert f"`legs.a.tif: {shown}` is not one of GTC, IOC, FOK" in _tif_message("x" + expression)


def test_a_negative_power_that_does_not_end_is_60_digits_not_a_float():
    # as `1 / 3`: the 60-digit context, not a float's 16 digits (which would fit and reach the tif check); a number
    # that does not end within 40 digits is GC106 wherever it is written (audit tmpl19 3)
    message = _tif_message("x{{ 3 ** -1 }}")
    assert message == (
        "in `x{{ 3 ** -1 }}`: `3 ** -1` needs more than 60 significant digits to be worked out exactly; a number "
        "may have at most 40"
    )


def test_true_and_false_are_not_numbers_in_arithmetic():
    message = _tif_message("x{{ true / 3 }}")  # Python's own `True / 3` is the float 0.3333333333333333
    assert message == "in `x{{ true / 3 }}`: `/` cannot combine true and a number"


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("{{ stop.real }}", "sandbox violation: access to attribute 'real' of a number is not allowed"),
        ("{{ stop[0] }}", "a number has no element 0"),
        ("{{ stop() }}", "a number is not callable"),
        ("{{ stop|length }}", "a number has no length"),
        ('{{ stop < "a" }}', "'<' not supported between a number and text"),
        ("{{ quote() }}", "quote() missing 1 required positional argument: 'symbol'"),
    ],
)
def test_expression_errors_name_no_python_internals(expression, words):
    # audit tmpl2 finding 7: these said PercentRatio, `TypeError:`, `_quote_function.<locals>.quote()`
    message = _tif_message(expression)
    assert message == f"in `{expression}`: {words}"
    for internal in ("PercentRatio", "Error", "<locals>", "graphc.", "object"):
        assert internal not in message


def test_a_whole_number_too_long_to_write_says_so_without_python_advice():
    from graphc.stages.expressions import ExpressionError, to_text

    with pytest.raises(ExpressionError) as caught:
        to_text(10**5000)  # Python: "Exceeds the limit (4300 digits) ...; use sys.set_int_max_str_digits()"
    assert (
        caught.value.message == "a whole number of 16,610 bits is too large to write into text"
    )  # 10**5000 < 2**16610


@pytest.mark.parametrize(
    ("definition", "shown"),
    [
        ("{type: percent, default: 60%, choices: [5%, 10%]}", "'60%' is not one of 5%, 10%"),  # was '0.6'
        ("{type: duration, default: 90s, max: 1m}", "'90s' is above the maximum 1m"),  # was '90000' (ms)
        ("{type: duration, default: 90s, choices: [1m, 2m]}", "'90s' is not one of 1m, 2m"),
        ("{type: money, default: $60k, max: $50k}", "'$60k' is above the maximum $50k"),  # was '60000'
        ("{type: money, default: 60000, max: $50k}", "'60000' is above the maximum $50k"),  # a YAML number
        ("{type: percent, default: 60%, max: 50%}", "'60%' is above the maximum 50%"),
    ],
)
def test_param_range_and_choice_errors_show_the_value_as_written(definition, shown):
    text = playbook(f"params:\n  p: {definition}\nlegs:\n  a: {{buy: 1 ETH, symbol: ETH-USD}}\n")
    assert only(compiled(text), "GC108").message.endswith(f": {shown}")


def test_a_set_value_out_of_range_is_shown_as_given():
    text = playbook(
        "params:\n  d: {type: duration, default: 30s, max: 1m}\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n"
    )
    message = only(compiled(text, params={"d": "2m"}), "GC108").message
    assert message.endswith("param `d` (duration): '2m' is above the maximum 1m"), message


REF = """\
graphc-template: 1
legs:
  r:
    buy: 1 ETH
    symbol: ETH-USD
  z:
    sell: 1 ETH
    symbol: ETH-USD
    after: [r filled, spot accepted]
"""


def test_a_template_after_naming_a_playbook_leg_is_gc202_at_the_template(project):
    # docs/templates.md, "`use:` template files": only references between the template's own legs are renamed,
    # and the root legs take the using leg's `after:`. `spot accepted` bound to the playbook's `spot` before,
    # while `graphc lint templates/ref.yaml` calls it unknown.
    (project / "templates" / "ref.yaml").write_text(REF)
    path = write_playbook(
        project, "legs:\n  spot: {buy: 1 ETH, symbol: ETH-USD}\n  h: {use: ./templates/ref.yaml, after: spot filled}\n"
    )
    result = compile_file(str(path), CompileOptions(quotes=QUOTES, now=NOW))
    assert result.wire is None
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "GC202"
    assert diagnostic.message == "leg `z` waits for leg 'spot', which is not a leg of this template"
    assert "write `after: spot accepted` on the `use:` leg 'h'" in diagnostic.hint
    assert diagnostic.path.endswith("ref.yaml") and (diagnostic.span.line, diagnostic.span.col) == (
        9,
        23,
    )  # at `spot accepted`


def test_a_template_naming_a_leg_of_the_template_that_uses_it_is_gc202_too(project):
    # The same rule one level down: inner's `after: o filled` bound to outer's leg `o` (renamed `x.o` when
    # outer was adopted), so a template could still name its user's legs through a second `use:`.
    (project / "templates" / "inner.yaml").write_text(
        "graphc-template: 1\nlegs:\n  i: {sell: 1 ETH, symbol: ETH-USD, after: o filled}\n"
    )
    (project / "templates" / "outer.yaml").write_text(
        "graphc-template: 1\nlegs:\n  o: {buy: 1 ETH, symbol: ETH-USD}\n  n: {use: ./inner.yaml}\n"
    )
    path = write_playbook(project, "legs:\n  x: {use: ./templates/outer.yaml}\n")
    result = compile_file(str(path), CompileOptions(quotes=QUOTES, now=NOW))
    assert result.wire is None
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "GC202",
        "leg `i` waits for leg 'o', which is not a leg of this template",
    )
    assert "write `after: o filled` on the `use:` leg 'n'" in diagnostic.hint
    assert diagnostic.path.endswith("inner.yaml") and (diagnostic.span.line, diagnostic.span.col) == (3, 44)


def test_a_template_waiting_for_its_own_nested_legs_is_fine(project):
    # the other direction is the template's own business: outer names the leg inner gave it (`n.i`)
    (project / "templates" / "inner.yaml").write_text(
        "graphc-template: 1\nlegs:\n  i: {sell: 1 ETH, symbol: ETH-USD}\n"
    )
    (project / "templates" / "outer.yaml").write_text(
        "graphc-template: 1\nlegs:\n  n: {use: ./inner.yaml}\n  o: {buy: 1 ETH, symbol: ETH-USD, after: n.i filled}\n"
    )
    path = write_playbook(project, "legs:\n  x: {use: ./templates/outer.yaml}\n")
    result = compile_file(str(path), CompileOptions(quotes=QUOTES, now=NOW))
    assert result.diagnostics == []
    assert [(e["from_node"], e["to_node"]) for e in result.wire["edges"]] == [("x.n.i", "x.o")]


def test_a_template_after_naming_no_leg_at_all_is_still_the_graphs_gc202(project):
    (project / "templates" / "ref.yaml").write_text(REF.replace("spot accepted", "spto accepted"))
    path = write_playbook(project, "legs:\n  spot: {buy: 1 ETH, symbol: ETH-USD}\n  h: {use: ./templates/ref.yaml}\n")
    messages = [d["message"] for d in lint_json(path) if d["code"] == "GC202"]
    assert messages == ["edge e1 comes from unknown leg 'spto' (did you mean 'spot'?)"], messages


# A finding inside a template reached through another template names every `use:` on the way, from the template
# that holds it out to the playbook (audit tmpl19 2: only the middle template's `use:` was named, so a report over
# a folder of playbooks that share the templates did not say which playbook passed the bad value).
LEAF = """\
graphc-template: 1
params:
  tif: {type: string, default: GTC}
legs:
  a: {buy: 1 ETH, symbol: ETH-USD, limit: 2300, venue: coinbase, tif: "{{ tif }}"}
"""
MID = """\
graphc-template: 1
params:
  tif: {type: string, default: GTC}
legs:
  m:
    use: ../leaf.yaml
    with: {tif: "{{ tif }}"}
"""


@pytest.fixture
def desk(tmp_path, monkeypatch):
    (tmp_path / "graphc.toml").write_text("")
    (tmp_path / "t" / "d").mkdir(parents=True)
    (tmp_path / "t" / "leaf.yaml").write_text(LEAF)
    (tmp_path / "t" / "d" / "mid.yaml").write_text(MID)
    (tmp_path / "desk").mkdir()
    for name, tif in (("p1", "GTC"), ("p2", "GTD"), ("p3", "GTC")):
        (tmp_path / "desk" / f"{name}.yaml").write_text(
            f"graphc: 1\nname: {name}\nlegs:\n  x:\n    use: ../t/d/mid.yaml\n    with: {{tif: {tif}}}\n"
        )
    monkeypatch.chdir(tmp_path)
    return tmp_path


CHAIN = [("t/d/mid.yaml", 6, 10, "template used here"), ("desk/p2.yaml", 5, 10, "template used here")]


def test_a_finding_in_a_nested_template_names_each_use_out_to_the_playbook(desk):
    def lint(fmt):
        result = CliRunner().invoke(cli, ["lint", "--no-cache", "desk/", "--format", fmt])
        assert result.exit_code == 1, result.output
        return result.stdout

    text = lint("text")
    assert "t/leaf.yaml:5:71: error GC103 `legs.x.m.a.tif: GTD` is not one of GTC, IOC, FOK" in text
    assert "  note: t/d/mid.yaml:6:10: template used here\n  note: desk/p2.yaml:5:10: template used here\n" in text
    [finding] = json.loads(lint("json"))["diagnostics"]
    assert [(r["path"], r["line"], r["column"], r["message"]) for r in finding["related"]] == CHAIN
    [result] = json.loads(lint("sarif"))["runs"][0]["results"]
    related = [
        (
            r["physicalLocation"]["artifactLocation"]["uri"],
            r["physicalLocation"]["region"]["startLine"],
            r["physicalLocation"]["region"]["startColumn"],
            r["message"]["text"],
        )
        for r in result["relatedLocations"]
    ]
    assert related == CHAIN
    [annotation] = [line for line in lint("github").splitlines() if line.startswith("::error")]
    assert annotation.startswith("::error file=t/leaf.yaml,line=5,col=71,")
    assert annotation.endswith(
        "%0Anote: t/d/mid.yaml:6:10: template used here%0Anote: desk/p2.yaml:5:10: template used here"
    )


def test_each_use_of_a_nested_template_is_named_by_its_own_chain(desk):
    # one playbook uses the middle template twice: each finding names the `use:` it came through, not the first
    (desk / "desk" / "two.yaml").write_text(
        "graphc: 1\nname: two\nlegs:\n  x:\n    use: ../t/d/mid.yaml\n    with: {tif: GTX}\n"
        "  y:\n    use: ../t/d/mid.yaml\n    with: {tif: GTD}\n"
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "desk/two.yaml", "--format", "json"])
    findings = json.loads(result.stdout)["diagnostics"]
    chains = {f["message"].split(":")[0]: [(r["path"], r["line"]) for r in f["related"]] for f in findings}
    assert chains == {
        "`legs.x.m.a.tif": [("t/d/mid.yaml", 6), ("desk/two.yaml", 5)],
        "`legs.y.m.a.tif": [("t/d/mid.yaml", 6), ("desk/two.yaml", 8)],
    }


def test_a_finding_in_each_for_each_copy_of_a_template_names_its_copy(desk):
    """Audit ci24 (minor): `for_each` over `use:` gave one finding per copy, each byte for byte the same (same place in
    the template, same note at the `use:`): the report did not say which copy, where GC407 names the node."""
    (desk / "desk" / "ladder.yaml").write_text(
        "graphc: 1\nname: ladder\nlegs:\n  r:\n    for_each: 3\n    use: ../t/d/mid.yaml\n    with: {tif: GTD}\n"
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "desk/ladder.yaml", "--format", "json"])
    findings = json.loads(result.stdout)["diagnostics"]
    assert [[(r["path"], r["line"], r["message"]) for r in f["related"]] for f in findings] == [
        [("t/d/mid.yaml", 6, "template used here"), ("desk/ladder.yaml", 6, f"template used here (as leg 'r-{i}')")]
        for i in range(3)
    ]
    text = CliRunner().invoke(cli, ["lint", "--no-cache", "desk/ladder.yaml"]).stdout
    assert "  note: desk/ladder.yaml:6:10: template used here (as leg 'r-2')\n" in text


# A side or size written on the `use:` leg overrides it on every leg of the template, as any other field does; over
# a template whose legs buy and sell, it cannot fit them all (audit tmpl19 4: `buy: 2 ETH` was reported at the
# template's `sell:` line, the playbook's `buy:` never shown, while the buying leg took 2 ETH without a word; and
# `side: buy` + `qty: 3`, the same mistake, was reported twice, at the playbook).
RUNG = """\
graphc-template: 1
params:
  size: {type: quantity, default: 1 ETH}
legs:
  bid:
    buy: "{{ size }}"
    symbol: ETH-USD
    venue: coinbase
    limit: bid - 10bps
  ask:
    sell: "{{ size }}"
    symbol: ETH-USD
    venue: coinbase
    limit: ask + 10bps
    after: bid filled
"""


@pytest.mark.parametrize(
    ("override", "at", "key", "theirs"),
    [
        ("    buy: 2 ETH\n", (6, 10), "buy: 2 ETH", [("ask", "sell", 11)]),
        ("    side: buy\n    qty: 2 ETH\n", (6, 11), "side: buy", [("bid", "buy", 6), ("ask", "sell", 11)]),
        ("    qty: 2 ETH\n", (6, 10), "qty: 2 ETH", [("bid", "buy", 6), ("ask", "sell", 11)]),
    ],
)
def test_a_side_or_size_on_the_use_leg_that_does_not_fit_every_template_leg_is_one_error_there(
    project, monkeypatch, override, at, key, theirs
):
    monkeypatch.chdir(project)
    (project / "templates" / "rung.yaml").write_text(RUNG)
    write_playbook(project, "legs:\n  x:\n    use: ./templates/rung.yaml\n" + override, "pb.yaml")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "pb.yaml", "--format", "json"])
    [finding] = [d for d in json.loads(result.stdout)["diagnostics"] if d["severity"] == "error"]
    assert (finding["code"], finding["path"], finding["line"], finding["column"]) == ("GC103", "pb.yaml", *at)
    (leg, their_key, _), more = theirs[0], " (1 other leg too)" if len(theirs) > 1 else ""
    assert finding["message"] == (
        f"`{key}` on leg 'x' sets `{key.split(':')[0]}` on every leg of template templates/rung.yaml, and its leg "
        f"{leg!r} gives `{their_key}`{more}: a leg gives its side and size once"
    )
    assert finding["hint"] == (
        "pass the size to the template's quantity param in `with:` (`with: {size: 2 ETH}`), or use a template "
        "whose legs all take it"
    )
    assert [(r["path"], r["line"], r["message"]) for r in finding["related"]] == [
        ("templates/rung.yaml", line, f"leg {leg!r} gives `{their_key}` here") for leg, their_key, line in theirs
    ]


def test_a_size_on_the_use_leg_that_fits_every_template_leg_overrides_it(project):
    (project / "templates" / "rung.yaml").write_text(RUNG.replace("sell:", "buy:"))
    path = write_playbook(project, "legs:\n  x:\n    use: ./templates/rung.yaml\n    buy: 2 ETH\n")
    legs = nodes(compile_file(path, CompileOptions(quotes=QUOTES)))
    assert {leg: n["quantity"] for leg, n in legs.items()} == {
        "x.bid": {"fixed": {"qty_1e8": 200000000}},
        "x.ask": {"fixed": {"qty_1e8": 200000000}},
    }


def test_a_side_override_that_does_not_fit_is_reported_once_for_a_for_each_leg(project):
    (project / "templates" / "rung.yaml").write_text(RUNG)
    path = write_playbook(project, "legs:\n  x:\n    for_each: 3\n    use: ./templates/rung.yaml\n    buy: 2 ETH\n")
    result = compile_file(path, CompileOptions(quotes=QUOTES))
    assert [(d.code, d.path, d.span.line) for d in result.diagnostics] == [("GC103", str(path), 7)]
    assert result.diagnostics[0].message.startswith("`buy: 2 ETH` on leg 'x-0' sets `buy` on every leg")


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("{{ -none }}", "`-` needs a number, not none"),
        ("{{ none | abs }}", "abs() needs a number, not none"),
        ("{{ {'a': 1} | abs }}", "abs() needs a number, not a mapping"),
        ("{{ [1] | round }}", "round() needs a number, not a list"),
        ("{{ none | round }}", "round() needs a number, not none"),
    ],
)
def test_a_value_that_is_not_a_number_is_named_in_words_not_pythons_type_names(expression, words):
    """audit spec28b 1 (the same words everywhere): "bad operand type for abs(): 'NoneType'", "round() needs a
    number, not list" named Python's types."""
    result = compiled(playbook(f'legs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, limit: "{expression}"}}\n'))
    [d] = result.diagnostics
    assert d.code == "GC107" and d.message == f"in `{expression}`: {words}", d.message
    assert "NoneType" not in d.message and "'dict'" not in d.message


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("{{ range(none) }}", "range() takes whole numbers, not none"),
        ("{{ range([1]) }}", "range() takes whole numbers, not a list"),
        ("{{ range(1, {'a': 1}) }}", "range() takes whole numbers, not a mapping"),
        ("{{ range(true) }}", "range() takes whole numbers, not true or false"),
        ("{{ range('x') }}", "range() takes whole numbers, not 'x'"),
        ("{{ range(1.5) }}", "range() takes whole numbers, not '1.5'"),
    ],
)
def test_range_names_a_bad_argument_in_words(expression, words):
    """audit review28 8: `range(none)` said "not ''" and `range([1])` "cannot write a list into text"; the kind is
    named in words as abs() and round() do; text and a number that is not whole are still shown as written."""
    result = compiled(playbook(f'legs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, limit: "{expression}"}}\n'))
    [d] = result.diagnostics
    assert d.code == "GC107" and d.message == f"in `{expression}`: {words}", d.message
