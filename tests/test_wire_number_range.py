"""Wire numbers graphc cannot hold, and wire numbers shown exactly (audit roundtrip.md finding 4, smaller notes).

The wire's four fractional numbers (schemas/wire-graph.schema.json, "type": "number": the two risk limits,
`condition.fill_ratio_gte`, `on_price.offset_pct`) are read, shown and written back by graphc as every playbook
number is: exact decimals of at most 40 digits between 1e-40 and 1e40 (playbook-spec.md §1; graphc.units). A
risk limit of 1e999 linted clean and then crashed `graph`, `decompile` and `plan` (exit 4, "internal error:
UnitError"); `fill_ratio_gte: 1e999` was refused by lint but crashed them too. Each is now GC103 at the value,
with the message and hint the same value gets in a playbook, and `graph`/`decompile` exit 1 (input errors).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from graphc import humanize as H
from graphc.cli import cli

# graphc.units._checked's hints, as for a playbook number
RANGE_HINT = "hint: write a number between 1e-40 and 1e40"
DIGITS_HINT = "hint: write at most 40 significant digits"

_NODE = {
    "instrument": {"symbol": "BTC-USD", "type": "spot"},
    "side": "buy",
    "order_type": "market",
    "quantity": {"fixed": {"qty_1e8": 1000000}},
    "execution": {"policy": "sor"},
}


def _wire(risk: str | None = None, trigger: str = '"on_full_fill"', condition: str | None = None) -> str:
    """A one-line wire graph a -> b; ``risk``, ``trigger`` and ``condition`` are JSON text, numbers written as given
    (json.dumps would write 1e999 as Infinity, which is not JSON)."""
    wire = {
        "nodes": [{"node_id": "a", **_NODE, "activation": "root"}, {"node_id": "b", **_NODE, "activation": "wait"}],
        "edges": [{"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": "TRIGGER"}],
        "is_sandbox": True,
    }
    text = json.dumps(wire).replace('"TRIGGER"', trigger)
    if condition is not None:
        text = text.replace(trigger + "}", f'{trigger}, "condition": {condition}}}')
    if risk is not None:
        text = text[:-1] + f', "risk": {risk}}}'
    return text


def _risk(section: str, key: str, value: str) -> str:
    return _wire(risk=f'{{"{section}": {{"{key}": {value}}}}}')


def _price_trigger(offset: str) -> str:
    trigger = f'{{"on_price": {{"symbol": "BTC-USD", "direction": "below", "reference": "graph_entry_price", "offset_pct": {offset}}}}}'
    return _wire(trigger=trigger)


def _ratio(value: str) -> str:
    return _wire(trigger='"on_fill_ratio"', condition=f'{{"fill_ratio_gte": {value}}}')


def _col(text: str, key: str) -> int:
    """The 1-based column where ``key``'s value starts on the one line of ``text``."""
    return text.index(f'"{key}": ') + len(f'"{key}": ') + 1


def _run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# (wire text, dotted path, key, the message after the path): the three reproductions of the audit, then a whole
# number and a fraction with more than 40 digits, then the trigger numbers
UNREPRESENTABLE = [
    (_risk("admission", "max_notional_usd", "1e999"), "risk.admission.max_notional_usd", "'1e999' is out of range"),
    (_risk("admission", "max_notional_usd", "1e-999"), "risk.admission.max_notional_usd", "'1e-999' is out of range"),
    (_risk("runtime", "max_loss_usd", "1e400"), "risk.runtime.max_loss_usd", "'1e400' is out of range"),
    (
        _risk("runtime", "max_loss_usd", "1" + "0" * 45),
        "risk.runtime.max_loss_usd",
        f"'{10**45}' has more than 40 digits",
    ),
    (
        _risk("admission", "max_notional_usd", "1234567890.1234567890123456789012345678901"),
        "risk.admission.max_notional_usd",
        "'1234567890.1234567890123456789012345678901' has more than 40 digits",
    ),
    (_ratio("1e999"), "edges.0.condition.fill_ratio_gte", "'1e999' is out of range"),
    (_price_trigger("-1e-999"), "edges.0.trigger.on_price.offset_pct", "'-1e-999' is out of range"),
    (_price_trigger("1e999"), "edges.0.trigger.on_price.offset_pct", "'1e999' is out of range"),
]
IDS = ["notional-1e999", "notional-1e-999", "loss-1e400", "loss-46-digits", "notional-41-digits"]
IDS += ["ratio-1e999", "offset-minus-1e-999", "offset-1e999"]


def _headline(path, text: str, dotted: str, message: str) -> str:
    col = _col(text, dotted.rsplit(".", 1)[1])
    return f"{path}:1:{col}: error GC103 `{dotted}`: {message}"


@pytest.mark.parametrize("text, dotted, message", UNREPRESENTABLE, ids=IDS)
def test_lint_says_gc103_at_the_value_with_the_range_hint(tmp_path, text, dotted, message):
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    result = _run("lint", "--no-cache", path)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    headline = _headline(path, text, dotted, message)
    assert headline in lines, result.stdout
    hint = DIGITS_HINT if "digits" in message else RANGE_HINT
    assert lines[lines.index(headline) + 4].strip() == hint, result.stdout  # after the 3-line excerpt
    assert "internal error" not in result.output


@pytest.mark.parametrize("text, dotted, message", UNREPRESENTABLE, ids=IDS)
@pytest.mark.parametrize("command", [["graph"], ["graph", "-f", "dot"], ["graph", "-f", "svg"], ["decompile"]])
def test_graph_and_decompile_report_the_input_error(tmp_path, text, dotted, message, command):
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = _run(*command, path, "-o", out)
    assert result.exit_code == 1, result.output  # `graphc graph --help`: 1 input errors (no graph to draw)
    assert _headline(path, text, dotted, message) in result.output.splitlines(), result.output
    assert "internal error" not in result.output
    assert not out.exists()


def test_plan_refuses_the_graph_instead_of_crashing(tmp_path):
    text, dotted, message = UNREPRESENTABLE[0]
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    result = _run("plan", path)
    assert result.exit_code == 1, result.output
    assert _headline(path, text, dotted, message) in result.output.splitlines(), result.output
    assert "internal error" not in result.output


def test_the_same_limit_in_a_playbook_gets_the_same_words(tmp_path):
    # the playbook path this reuses (graphc.stages.model._risk -> parse_money): one range check for both
    path = tmp_path / "p.yaml"
    path.write_text("graphc: 1\nname: p\nrisk:\n  max_notional: 1e999\nlegs:\n  a: {buy: 0.01, symbol: BTC-USD}\n")
    result = _run("lint", "--no-cache", path)
    assert result.exit_code == 1, result.output
    assert f"{path}:4:17: error GC103 `risk.max_notional`: '1e999' is out of range" in result.stdout, result.stdout
    assert RANGE_HINT in result.stdout


def test_a_negative_limit_out_of_range_is_reported_once(tmp_path):
    # the schema's "must be positive" says it; no second GC103 at the same place
    text = _risk("admission", "max_notional_usd", "-1e999")
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    result = _run("lint", "--no-cache", path)
    assert result.exit_code == 1, result.output
    col = _col(text, "max_notional_usd")
    found = [x for x in result.stdout.splitlines() if x.startswith(f"{path}:1:{col}: error GC103")]
    assert found == [f"{path}:1:{col}: error GC103 `risk.admission.max_notional_usd` must be positive, not -1e999"]


@pytest.mark.parametrize("value", ["1e40", "1e-40", "1234567890123456789012345678901234567.891"])
def test_limits_at_the_ends_of_the_range_are_clean_and_round_trip(tmp_path, value):
    text = _risk("admission", "max_notional_usd", value)
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    assert _run("lint", "--no-cache", path).exit_code == 0
    assert _run("graph", path).exit_code == 0
    result = _run("decompile", path)
    assert result.exit_code == 0, result.output


def test_a_ratio_in_range_whose_percentage_is_not_still_draws(tmp_path):
    # 1e40 is a number graphc holds (lint: GC208, not a ratio); as a percentage it is 1e42: the picture shows it
    # (graph draws without the lint rules), decompile's playbook cannot say it and the proof refuses it
    path = tmp_path / "w.json"
    path.write_text(_ratio("1e40"), encoding="utf-8")
    lint = _run("lint", "--no-cache", path)
    assert lint.exit_code == 1 and "GC208" in lint.stdout, lint.output
    drawn = _run("graph", path)
    assert drawn.exit_code == 0, drawn.output
    assert f"filled 1{'0' * 42}%" in drawn.stdout
    result = _run("decompile", path)
    assert result.exit_code == 1, result.output
    assert "would not compile back" in result.output and "internal error" not in result.output


# -- exact text of large and long numbers (audit smaller notes) ----------------------------------------------


def test_money_text_is_exact_past_28_digits():
    # 10**28 + 7 dollars: no k/m/bn (7 dollars would need 3, 6 or 9 places), so whole dollars with separators
    assert H.money_text(10**28 + 7) == "$10,000,000,000,000,000,000,000,000,007"
    # 1234567890123456789012345678901 * 10**9: exactly that many bn
    assert H.money_text(Decimal("1234567890123456789012345678901E9")) == "$1234567890123456789012345678901bn"
    assert H.money_text(Decimal("1234567890123456789012345678901.5E6")) == "$1234567890123456789012345678901.5m"
    assert H.money_text(500000) == "$500k" and H.money_text(Decimal("2325.53")) == "$2,325.53"


def test_percent_text_is_exact_past_28_digits():
    assert H.percent_text(Decimal("0.1234567890123456789012345678901")) == "12.34567890123456789012345678901%"
    assert H.percent_text(Decimal("0.5")) == "50%"


def test_a_limit_past_28_digits_decompiles_and_round_trips(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(_risk("admission", "max_notional_usd", str(10**28 + 7)), encoding="utf-8")
    result = _run("decompile", path)
    assert result.exit_code == 0, result.output
    assert "max_notional: $10,000,000,000,000,000,000,000,000,007" in result.stdout
    drawn = _run("graph", path)
    assert "max notional $10,000,000,000,000,000,000,000,000,007" in drawn.stdout


def test_a_ratio_past_28_digits_decompiles_and_round_trips(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(_ratio("0.1234567890123456789012345678901"), encoding="utf-8")
    result = _run("decompile", path)
    assert result.exit_code == 0, result.output
    assert "after: a filled 12.34567890123456789012345678901%" in result.stdout


# An `on_price` `offset_pct` in a playbook's edge mapping (in `after:` or `edges:`) gets the same check (sec16 2: a
# literal 1e-50, 47 digits, a template's 60-digit result and a percent param divided by 1e40 twice compiled, linted
# and planned clean, and `graphc lint` of the compiled graph said GC103). As written, a template's result, and
# a percent param placed whole (graphc.stages.expand.in_field_unit reads -5% as -5 points).
_SLIP_PARAM = "params:\n  slip: {type: percent, default: -5%}\n"
_OFFSETS = [
    ("0.00000000000000000000000000000000000000000000000001", "", "'1E-50' is out of range", RANGE_HINT),
    ("-" + "9" * 47, "", f"'-{'9' * 47}' has more than 40 digits", DIGITS_HINT),
    ('"{{ slip / 1e40 / 1e40 }}"', _SLIP_PARAM, "'-5E-80' is out of range", RANGE_HINT),
]
_OFFSET_IDS = ["literal-1e-50", "literal-47-digits", "percent-param-over-1e80"]


def _offset_playbook(offset: str, params: str, where: str) -> str:
    trigger = f"{{on_price: {{symbol: BTC-USD, direction: below, reference: graph_entry_price, offset_pct: {offset}}}}}"
    head = f"graphc: 1\nname: p\n{params}legs:\n  a: {{buy: 0.01, symbol: BTC-USD, limit: 97000}}\n"
    if where == "after":
        return (
            head
            + f"  b:\n    sell: 0.01\n    symbol: BTC-USD\n    after:\n      - from: a\n        trigger: {trigger}\n"
        )
    return head + f"  b: {{sell: 0.01, symbol: BTC-USD}}\nedges:\n  - from: a\n    to: b\n    trigger: {trigger}\n"


@pytest.mark.parametrize("offset, params, message, hint", _OFFSETS, ids=_OFFSET_IDS)
@pytest.mark.parametrize("where", ["after", "edges"])
def test_a_playbook_offset_pct_out_of_range_is_gc103_at_the_offset(tmp_path, offset, params, message, hint, where):
    path = tmp_path / "p.yaml"
    text = _offset_playbook(offset, params, where)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if "offset_pct" in x)) + 1
    col = text.splitlines()[line - 1].index("offset_pct: ") + len("offset_pct: ") + 1
    result = _run("lint", "--no-cache", path)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    found = [x for x in lines if " GC103 " in x]
    # named by its whole path, as the wire graph's lint names it (`edges.0.trigger.on_price.offset_pct`)
    field = "legs.b.after.0" if where == "after" else "edges.0"
    assert found == [f"{path}:{line}:{col}: error GC103 `{field}.trigger.on_price.offset_pct`: {message}"], (
        result.stdout
    )
    assert hint in result.stdout
    out = tmp_path / "p.json"
    for command in (["compile", path, "-o", out], ["plan", path]):
        result = _run(*command)
        assert result.exit_code == 1, (command, result.output)
        assert f"GC103 `{field}.trigger.on_price.offset_pct`" in result.output
        assert "internal error" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("where", ["after", "edges"])
def test_a_template_offset_pct_that_does_not_end_is_gc106_at_the_template(tmp_path, where):
    # `{{ -15 / 7 }}` gives 60 digits: the template's GC106, with the rounding (audit tmpl19 3; it was this GC103)
    path = tmp_path / "p.yaml"
    text = _offset_playbook('"{{ -15 / 7 }}"', "", where)
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(x for x in text.splitlines() if "offset_pct" in x)) + 1
    col = text.splitlines()[line - 1].index("offset_pct: ") + len("offset_pct: ") + 1
    for command in (["lint", "--no-cache", path], ["compile", path], ["plan", path]):
        result = _run(*command)
        assert result.exit_code == 1, (command, result.output)
        assert (
            f"{path}:{line}:{col}: error GC106 in `{{{{ -15 / 7 }}}}`: `-15 / 7` needs more than 60 significant "
            "digits to be worked out exactly; a number may have at most 40"
        ) in result.output
        assert "hint: round it where it is made, to the decimals the field takes: `{{ (-15 / 7) | round(2) }}`" in (
            result.output
        )
        assert "GC103" not in result.output and "internal error" not in result.output


@pytest.mark.parametrize("offset", ["-5", '"{{ slip }}"', '"{{ slip / 1e20 / 1e10 }}"', "1e-40", "-" + "9" * 40])
def test_a_playbook_offset_pct_in_range_compiles_and_its_graph_lints_clean(tmp_path, offset):
    # playbook lint and wire lint agree: what compiles is a graph `graphc lint` reads without GC103
    path, out = tmp_path / "p.yaml", tmp_path / "p.json"
    path.write_text(_offset_playbook(offset, _SLIP_PARAM, "after"), encoding="utf-8")
    compiled = _run("compile", path, "-o", out)
    assert compiled.exit_code == 0, compiled.output
    for command in (["lint", "--no-cache", out], ["plan", out], ["graph", out], ["decompile", out]):
        result = _run(*command)
        assert "GC103" not in result.output, (command, result.output)
        assert "internal error" not in result.output


# audit decomp26 4: `"fill_ratio_gte": 0e3` was `fill_ratio_gte 0E+3 is outside (0, 1]` (Decimal's text, neither what
# the file wrote nor a plain number)
@pytest.mark.parametrize(
    ("value", "said"), [("0e3", "0"), ("0.00e5", "0"), ("-0e-2", "0"), ("2E+0", "2"), ("1e40", "1" + "0" * 40)]
)
def test_a_ratio_outside_its_range_is_named_in_plain_digits(tmp_path, value, said):
    text = _ratio(value)
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    result = _run("lint", "--no-cache", path)
    assert result.exit_code == 1, result.output
    col = _col(text, "fill_ratio_gte")
    headlines = [line for line in result.stdout.splitlines() if line.startswith(str(path))]
    assert headlines == [f"{path}:1:{col}: error GC208 edge e0: fill_ratio_gte {said} is outside (0, 1]"], headlines


@pytest.mark.parametrize("written", ["1e308", "1E+308", "10e307"])
def test_a_limit_out_of_range_is_named_as_the_file_writes_it(tmp_path, written):
    text = _risk("admission", "max_notional_usd", written)
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    for command in ("lint", "decompile"):
        result = _run(command, path)
        assert result.exit_code == 1, result.output
        said = _headline(path, text, "risk.admission.max_notional_usd", f"'{written}' is out of range")
        assert said in result.output.splitlines(), result.output
