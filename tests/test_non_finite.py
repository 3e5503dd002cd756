"""NaN and infinities where a number goes (audit review.md finding 3) and plain numbers in range messages (finding 8).

YAML 1.2 core reads `.nan`, `.inf` and `-.inf` as numbers, which the JSON loader never makes (JSON has no NaN:
the json module's `NaN` is read as text). No wire field can hold one (spec §1: numbers are exact decimals; §3.2:
qty_1e8/price_1e9 are exact integers, risk limits positive amounts), so each is GC103 at the value, "not a finite number", before any schema comparison: jsonschema's `instance <= 0` raises on a NaN, which
was an internal error (exit 4), and `.inf` passed as a risk limit no order can exceed.
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from graphc.cli import cli

# A YAML wire graph holding every numeric wire field once; each line's value is replaced in turn.
WIRE = """\
is_sandbox: true
risk:
  admission:
    max_notional_usd: 1000000
  runtime:
    max_loss_usd: 50000
nodes:
  - node_id: a
    instrument: {symbol: BTC-USD, type: spot, venue: coinbase}
    side: buy
    quantity: {fixed: {qty_1e8: 100000000}}
    order_type: {limit: {price_1e9: 97000000000000}}
    execution: {policy: sor, horizon_ms: 60000, pacing: {uniform: {num_slices: 4, interval_ms: 1000}}}
    activation: root
  - node_id: b
    instrument: {symbol: BTC-USD, type: spot, venue: coinbase}
    side: sell
    quantity: {fixed: {qty_1e8: 100000000}}
    order_type: {limit: {price_1e9: 98000000000000}}
    activation: wait
edges:
  - edge_id: e
    from_node: a
    to_node: b
    trigger: on_fill_ratio
    condition: {fill_ratio_gte: 0.5}
"""

# field -> (its value as written in WIRE, its dotted path in messages)
FIELDS = {
    "max_notional_usd": ("1000000", "risk.admission.max_notional_usd"),
    "max_loss_usd": ("50000", "risk.runtime.max_loss_usd"),
    "qty_1e8": ("100000000", "nodes.0.quantity.fixed.qty_1e8"),
    "price_1e9": ("97000000000000", "nodes.0.order_type.limit.price_1e9"),
    "horizon_ms": ("60000", "nodes.0.execution.horizon_ms"),
    "num_slices": ("4", "nodes.0.execution.pacing.uniform.num_slices"),
    "interval_ms": ("1000", "nodes.0.execution.pacing.uniform.interval_ms"),
    "fill_ratio_gte": ("0.5", "edges.0.condition.fill_ratio_gte"),
}
NON_FINITE = [".nan", ".inf", "-.inf", ".NaN", "+.INF", "!!float nan", "!!float -inf"]


def _with(field: str, value: str) -> tuple[str, int, int]:
    """WIRE with ``field``'s first value replaced by ``value``, and the line and column where it now starts."""
    old, _ = FIELDS[field]
    lines = WIRE.splitlines(keepends=True)
    for number, line in enumerate(lines):
        key = f"{field}: {old}"
        if key in line:
            col = line.index(key) + len(field) + 2  # 0-based column of the value
            lines[number] = line[:col] + value + line[col + len(old) :]
            return "".join(lines), number + 1, col + 1
    raise AssertionError(field)


def test_the_wire_template_is_clean(tmp_path):
    # the guard below means something only if the unchanged graph lints and plans without errors
    path = tmp_path / "w.yaml"
    path.write_text(WIRE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(cli, ["plan", str(path)]).exit_code == 0


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("field", list(FIELDS))
def test_a_non_finite_wire_number_is_gc103_at_the_value_in_lint_and_plan(tmp_path, field, value):
    text, line, col = _with(field, value)
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    dotted = FIELDS[field][1]
    runner = CliRunner()
    for command in (["lint", "--no-cache"], ["plan"]):
        result = runner.invoke(cli, [*command, str(path)])
        assert result.exit_code in (1, 2), (command, result.output)
        assert "internal error" not in result.output, result.output
        headline = f"{path}:{line}:{col}: error GC103 `{dotted}` is "
        found = [x for x in result.output.splitlines() if x.startswith(headline)]
        assert len(found) == 1, result.output  # once: no second "must be positive" or "must be integer" there
        assert found[0].endswith("not a finite number"), found[0]
        assert "no problems" not in result.output and "nothing linted" not in result.output


def test_a_non_finite_wire_number_in_json_output(tmp_path):
    text, line, col = _with("max_notional_usd", ".inf")
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", str(path)])
    assert result.exit_code == 1, result.output
    [found] = json.loads(result.stdout)["diagnostics"]
    assert (found["code"], found["line"], found["column"]) == ("GC103", line, col)
    assert found["message"] == "`risk.admission.max_notional_usd` is .inf, not a finite number"


def test_a_non_finite_playbook_number_is_gc103_once(tmp_path):
    # The playbook reads the same YAML numbers: one GC103 at each value (no second GC105 "cannot read 'NaN'").
    path = tmp_path / "p.yaml"
    path.write_text(
        "graphc: 1\nname: t\nrisk:\n  max_notional: .nan\nlegs:\n  a:\n    buy: 1 BTC\n    limit: -.inf\n"
        "    symbol: BTC-USD\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    errors = [x.removeprefix(f"{path}:") for x in result.stdout.splitlines() if " error " in x]
    assert errors == [
        "4:17: error GC103 `risk.max_notional` is .nan, not a finite number",
        "8:12: error GC103 `legs.a.limit` is -.inf, not a finite number",
    ]


def test_a_quoted_nan_is_text_as_before(tmp_path):
    # '.nan' in quotes is text: the schema's "must be number, not text" (no finite-number check applies)
    text, _, _ = _with("max_notional_usd", "'.nan'")
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    assert "must be number, not text" in result.stdout and "finite" not in result.stdout


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_say_json_has_no_such_number(tmp_path, constant):
    # Python's json.dumps writes these; no JSON reader takes them. They used to read "must be number, not
    # text", which says nothing about what was written (audit graph.md 5); a .json file is now read as strict
    # JSON, which they are not (audit wire18 1): GC100 at the constant
    graph = yaml.safe_load(WIRE)
    text = json.dumps(graph).replace('"fill_ratio_gte": 0.5', f'"fill_ratio_gte": {constant}')
    assert constant in text
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    column = text.index(constant) + 1
    assert f"{path}:1:{column}: error GC100 not valid JSON: {constant} is not a JSON number" in result.stdout


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_in_yaml_say_json_has_no_such_number(tmp_path, constant):
    # the same JSON text in a YAML file is YAML, where these words are text: the schema's message names them
    graph = yaml.safe_load(WIRE)
    text = json.dumps(graph).replace('"fill_ratio_gte": 0.5', f'"fill_ratio_gte": {constant}')
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    assert (
        f"GC103 `edges.0.condition.fill_ratio_gte` must be number, not {constant} (JSON has no such number: "
        "it reads as text)" in result.stdout
    )


# -- finding 8: range messages show numbers plainly ----------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, words",
    [
        # num_slices has maximum 2**63-1 (9cf70c6); 1e400 read as Decimal('1E+400') was shown as its repr
        # (past 40 digits a number is written as the file writes it, not as a line of 400 zeros: decomp26 4)
        ("num_slices", "1e400", "1e400 is greater than the maximum of 9223372036854775807"),
        ("num_slices", "1.5e19", "15000000000000000000 is greater than the maximum of 9223372036854775807"),
        ("horizon_ms", "-5.0", "-5 is less than the minimum of 1"),
        ("max_notional_usd", "-2.50", None),  # exclusiveMinimum 0: its own "must be positive" message
    ],
)
def test_range_messages_show_numbers_plainly(tmp_path, field, value, words):
    text, line, col = _with(field, value)
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    assert "Decimal(" not in result.stdout, result.stdout
    headline = f"{path}:{line}:{col}: error GC103 "
    found = [x for x in result.stdout.splitlines() if x.startswith(headline)]
    assert found, result.stdout
    if words is not None:
        assert any(x.endswith(words) for x in found), found
    else:
        assert found == [f"{headline}`{FIELDS[field][1]}` must be positive, not -2.50"]  # as written


def test_range_message_of_a_json_wire_number_is_plain(tmp_path):
    # the reproduction: wire JSON with "num_slices": 1e400
    text = json.dumps(yaml.safe_load(WIRE)).replace('"num_slices": 4', '"num_slices": 1e400')
    path = tmp_path / "w.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    assert "Decimal(" not in result.stdout
    assert "num_slices`: 1e400 is greater than the maximum of 9223372036854775807" in result.stdout


# -- audit graph.md 2: on_timeout.ms has horizon_ms' bounds (1 to 2**63-1) --------------------------------------


def _timeout_wire(ms: str) -> str:
    """A one-line wire graph a → b on {"on_timeout": {"ms": MS}}, the number written as given."""
    node = {
        "instrument": {"symbol": "BTC-USD", "type": "spot"},
        "side": "buy",
        "order_type": "market",
        "quantity": {"fixed": {"qty_1e8": 1000000}},
        "execution": {"policy": "sor"},
    }
    wire = {
        "nodes": [{"node_id": "a", **node, "activation": "root"}, {"node_id": "b", **node, "activation": "wait"}],
        "edges": [{"edge_id": "e0", "from_node": "a", "to_node": "b", "trigger": {"on_timeout": {"ms": "MS"}}}],
        "is_sandbox": True,
    }
    return json.dumps(wire).replace('"MS"', ms)


@pytest.mark.parametrize(
    "ms, words",
    [
        ("1" + "0" * 30, f"{10**30} is greater than the maximum of 9223372036854775807"),  # the reproduction
        ("9223372036854775808", "9223372036854775808 is greater than the maximum of 9223372036854775807"),  # 2**63
    ],
)
def test_wire_timeout_ms_beyond_int64_is_gc103_at_the_value(tmp_path, ms, words):
    text = _timeout_wire(ms)
    path = tmp_path / "t.json"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    col = text.index('"ms": ') + len('"ms": ') + 1  # 1-based column of the number
    assert f"{path}:1:{col}: error GC103 `edges.0.trigger.on_timeout.ms`: {words}" in result.stdout, result.stdout


def test_wire_timeout_ms_at_int64_max_is_clean(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(_timeout_wire("9223372036854775807"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 0, result.output
