"""Edges of the playbook grammar (audit grammar17): names YAML reads as numbers, the symbol limit in the trigger
text, where a `fill_ratio` error points, and the codes and wording of a few GC1xx messages.

Everything goes through the real command line (click's runner) and the wire bytes it writes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write

HEAD = "graphc: 1\nname: t\nlegs:\n"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def compiled(path) -> dict:
    result = run("compile", str(path))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- 1. A leg key YAML reads as a number is named by its source text (spec §1) -------------------------------


NUMBER_KEYS = HEAD + (
    "  007: {buy: 1, symbol: ETH-USD, limit: 2300}\n"
    "  0x1F:\n"
    "    sell: 1\n"
    "    symbol: ETH-USD\n"
    "    limit: 2400\n"
    "    after: 007 filled\n"
    "  1e3: {sell: 1, symbol: ETH-USD, limit: 2400, after: [0x1F + 5s]}\n"
    "  1.50: {buy: 1, symbol: ETH-USD, limit: 2400}\n"
    "edges:\n"
    '  - {from: "1e3", to: "1.50", trigger: on_fill}\n'
)


def test_a_number_leg_key_is_the_leg_id_as_written_and_after_finds_it(tmp_path):
    graph = compiled(write(tmp_path, "p.yaml", NUMBER_KEYS))
    assert [node["node_id"] for node in graph["nodes"]] == ["007", "0x1F", "1e3", "1.50"]
    assert [node["activation"] for node in graph["nodes"]] == ["root", "wait", "wait", "wait"]
    assert graph["edges"] == [
        {"edge_id": "e0", "from_node": "007", "to_node": "0x1F", "trigger": "on_full_fill"},
        {"edge_id": "e1", "from_node": "0x1F", "to_node": "1e3", "trigger": {"on_timeout": {"ms": 5000}}},
        {"edge_id": "e2", "from_node": "1e3", "to_node": "1.50", "trigger": "on_fill"},
    ]


def test_a_number_leg_key_lints_clean_on_the_playbook_and_its_wire(tmp_path):
    path = write(tmp_path, "p.yaml", NUMBER_KEYS)
    assert run("compile", str(path), "-o", str(tmp_path / "w.json")).exit_code == 0
    for checked in (path, tmp_path / "w.json"):
        result = run("lint", str(checked))
        assert result.exit_code == 0, result.output
        assert "GC202" not in result.output


def test_fmt_decompile_and_graph_keep_a_number_leg_key(tmp_path):
    path = write(tmp_path, "p.yaml", NUMBER_KEYS)
    wire = compiled(path)
    assert run("fmt", str(path)).exit_code == 0
    assert compiled(path) == wire  # fmt changed the layout, not the meaning
    wire_path = write(tmp_path, "w.json", json.dumps(wire))
    back = run("decompile", str(wire_path))
    assert back.exit_code == 0, back.output
    assert compiled(write(tmp_path, "back.yaml", back.stdout))["edges"] == wire["edges"]
    drawn = run("graph", str(path))
    assert drawn.exit_code == 0, drawn.output
    assert "<b>007 (root)</b>" in drawn.stdout and "<b>0x1F</b>" in drawn.stdout


@pytest.mark.parametrize("key", [".5", "-1", "+0x10", "-.inf"])
def test_a_number_leg_key_that_is_no_leg_id_is_gc103_naming_its_text(tmp_path, key):
    path = write(tmp_path, "p.yaml", HEAD + f"  {key}: {{buy: 1, symbol: ETH-USD, limit: 2300}}\n")
    result = run("compile", str(path))
    assert result.exit_code == 1
    assert f"{path}:4:3: error GC103 leg id '{key}' may use letters" in result.stderr, result.stderr


def test_two_number_keys_are_one_leg_only_when_written_the_same(tmp_path):
    leg = "{buy: 1, symbol: ETH-USD, limit: 2300}"
    graph = compiled(write(tmp_path, "p.yaml", HEAD + f"  007: {leg}\n  7: {leg}\n"))
    assert [node["node_id"] for node in graph["nodes"]] == ["007", "7"]
    result = run("compile", str(write(tmp_path, "q.yaml", HEAD + f"  007: {leg}\n  '007': {leg}\n")))
    assert result.exit_code == 1 and ":5:3: error GC101 duplicate key '007'" in result.stderr, result.stderr


# The same for the keys YAML reads as booleans or null (audit spec28 3: `True:` was the node `true`, `~:` the node
# `null`, and `after: True filled` was GC202 "did you mean 'true'?")

BOOL_KEYS = HEAD + (
    "  True: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n"
    "  NULL:\n"
    "    sell: 1 ETH\n"
    "    symbol: ETH-USD\n"
    "    after: True filled\n"
    "  FALSE: {buy: 1 ETH, symbol: ETH-USD, limit: 2000, after: NULL done}\n"
)


def test_a_boolean_or_null_leg_key_is_the_leg_id_as_written_and_after_finds_it(tmp_path):
    path = write(tmp_path, "p.yaml", BOOL_KEYS)
    graph = compiled(path)
    assert [node["node_id"] for node in graph["nodes"]] == ["True", "NULL", "FALSE"]
    assert [(e["from_node"], e["to_node"]) for e in graph["edges"]] == [("True", "NULL"), ("NULL", "FALSE")]
    result = run("lint", "--no-cache", str(path))
    assert result.exit_code == 0, result.output


def test_a_null_leg_key_that_is_no_leg_id_is_gc103_naming_its_text(tmp_path):
    path = write(tmp_path, "p.yaml", HEAD + "  ~: {buy: 1, symbol: ETH-USD}\n")
    result = run("compile", str(path))
    assert result.exit_code == 1
    assert f"{path}:4:3: error GC103 leg id '~' may use letters" in result.stderr, result.stderr


def test_fmt_keeps_a_boolean_or_null_leg_key(tmp_path):
    """fmt's reader (ruamel) wrote `True:` back as `true:`, another leg now: it keeps the key's text, as a number's,
    and a boolean value's (`sandbox: True`)."""
    path = write(tmp_path, "p.yaml", BOOL_KEYS.replace("name: t\n", "name: t\nsandbox: True\n"))
    wire = compiled(path)
    result = run("fmt", str(path))
    assert result.exit_code == 0, result.output
    assert "cannot keep" not in result.stderr, result.stderr  # it was "fmt cannot keep `legs.True`", unformatted
    text = path.read_text()
    assert "sandbox: True\n" in text and "  True:" in text and "  NULL:" in text and "  FALSE:" in text, text
    assert compiled(path) == wire


def test_true_and_True_are_two_legs(tmp_path):
    graph = compiled(
        write(tmp_path, "p.yaml", HEAD + "  true: {buy: 1, symbol: ETH-USD}\n  True: {buy: 2, symbol: ETH-USD}\n")
    )
    assert [node["node_id"] for node in graph["nodes"]] == ["true", "True"]
    result = run(
        "compile",
        str(
            write(tmp_path, "q.yaml", HEAD + "  True: {buy: 1, symbol: ETH-USD}\n  'True': {buy: 2, symbol: ETH-USD}\n")
        ),
    )
    assert result.exit_code == 1 and ":5:3: error GC101 duplicate key 'True'" in result.stderr, result.stderr


# -- 2. The 512-character symbol limit in the `after:` text form (spec §3.2), as on the wire --------------------


def _price_trigger_playbook(symbol: str) -> str:
    return HEAD + (
        "  x: {buy: 1, symbol: ETH-USD, limit: 2300}\n"
        f'  y: {{sell: 1, symbol: ETH-USD, limit: 2300, after: "x price {symbol} below entry -5%"}}\n'
    )


@pytest.mark.parametrize("command", ["compile", "lint"])
def test_a_trigger_text_symbol_over_512_characters_is_gc103_at_the_trigger_text(tmp_path, command):
    symbol = "A" * 509 + "-USD"  # 513
    path = write(tmp_path, "p.yaml", _price_trigger_playbook(symbol))
    result = run(command, str(path))
    assert result.exit_code == 1, result.output
    out = result.stderr if command == "compile" else result.stdout
    assert f"{path}:5:53: error GC103 in trigger 'x price AAAA" in out, out
    assert "the symbol is 513 characters; the limit is 512" in out


def test_a_trigger_text_symbol_of_512_characters_passes_on_the_playbook_and_its_wire(tmp_path):
    symbol = "A" * 508 + "-USD"  # 512
    path = write(tmp_path, "p.yaml", _price_trigger_playbook(symbol))
    wire_path = tmp_path / "w.json"
    assert run("compile", str(path), "-o", str(wire_path)).exit_code == 0
    wire = json.loads(wire_path.read_text())
    assert wire["edges"] == [
        {
            "edge_id": "e0",
            "from_node": "x",
            "to_node": "y",
            "trigger": {
                "on_price": {
                    "symbol": symbol,
                    "direction": "below",
                    "reference": "graph_entry_price",
                    "offset_pct": -5.0,
                }
            },
        }
    ]
    assert '"offset_pct":-5.0' in wire_path.read_text().replace(" ", "")
    for checked in (path, wire_path):
        result = run("lint", str(checked))
        assert "GC103" not in result.output, result.output


def test_a_wire_on_price_symbol_of_513_characters_is_gc103_as_the_text_form_is(tmp_path):
    wire = compiled(write(tmp_path, "p.yaml", _price_trigger_playbook("A" * 508 + "-USD")))
    wire["edges"][0]["trigger"]["on_price"]["symbol"] = "A" * 509 + "-USD"
    result = run("lint", str(write(tmp_path, "w.json", json.dumps(wire))))
    assert result.exit_code == 1 and "GC103" in result.stdout, result.output


# -- 3. A `fill_ratio` error is at the value and names the field, in `after:` and `edges:` alike ----------------

FILL_RATIOS = HEAD + (
    "  x: {buy: 1, symbol: ETH-USD, limit: 2300}\n"  # 4
    "  y:\n"
    "    sell: 1\n"
    "    symbol: ETH-USD\n"
    "    limit: 2300\n"
    "    after:\n"
    "      - from: x\n"  # 10
    "        trigger: on_fill_ratio\n"
    "        fill_ratio: 50bps\n"  # 12
    "      - {from: x, trigger: on_fill_ratio, fill_ratio: '{{ r }}'}\n"  # 13: a template's value, at the template text
    "edges:\n"
    "  - from: x\n"  # 15
    "    to: y\n"
    "    trigger: on_fill_ratio\n"
    "    fill_ratio: half\n"  # 18
)


@pytest.mark.parametrize("command", ["compile", "lint"])
def test_a_fill_ratio_error_is_at_the_value_and_names_the_field(tmp_path, command):
    path = write(
        tmp_path, "p.yaml", FILL_RATIOS.replace("legs:\n", "params:\n  r: {type: string, default: 5x}\nlegs:\n")
    )
    result = run(command, str(path))
    assert result.exit_code == 1, result.output
    out = result.stderr if command == "compile" else result.stdout
    said = [line for line in out.splitlines() if " error " in line]
    assert said == [
        f"{path}:14:21: error GC105 `legs.y.after.0.fill_ratio`: cannot read '50bps' as a percentage",
        f"{path}:15:55: error GC105 `legs.y.after.1.fill_ratio`: cannot read '5x' as a percentage",
        f"{path}:20:17: error GC105 `edges.0.fill_ratio`: cannot read 'half' as a percentage",
    ], out


# -- 4. Codes and wording -------------------------------------------------------------------------------------


def test_a_twap_with_both_every_and_over_is_gc103_at_the_second(tmp_path):
    line = "  x: {buy: 1, symbol: ETH-USD, limit: 2300, twap: {slices: 10, over: 5m, every: 30s}}\n"
    path = write(tmp_path, "p.yaml", HEAD + line)
    result = run("compile", str(path))
    assert result.exit_code == 1
    col = line.index("every") + 1
    assert f"{path}:4:{col}: error GC103 twap takes one of `every` or `over`, not both\n" in result.stderr
    assert "GC104" not in result.stderr


def test_a_whole_count_written_with_a_fraction_is_the_whole_number_on_the_wire(tmp_path):
    path = write(
        tmp_path,
        "p.yaml",
        HEAD
        + "  a: {buy: 1, symbol: ETH-USD, limit: 2300, twap: {slices: 10.0, every: 30s}}\n"
        + "  b: {buy: 1, symbol: ETH-USD, limit: 2300, after: [{from: a, trigger: {on_timeout: {ms: 5000.0}}}]}\n",
    )
    out = tmp_path / "w.json"
    assert run("compile", str(path), "-o", str(out)).exit_code == 0
    wire = out.read_text()
    assert '"num_slices": 10,' in wire and '"ms": 5000' in wire and "5000.0" not in wire and "10.0" not in wire
    graph = json.loads(wire)
    assert graph["nodes"][0]["execution"]["pacing"] == {"uniform": {"num_slices": 10, "interval_ms": 30000}}
    assert graph["edges"][0]["trigger"] == {"on_timeout": {"ms": 5000}}
    assert run("lint", str(out)).exit_code == 0


@pytest.mark.parametrize(
    ("field", "said"),
    [
        (
            "twap: {slices: 10.5, every: 30s}",
            "`legs.a.twap.slices` must be a whole number (or a `{{ }}` template), not 10.5",
        ),
        (
            "after: [{from: b, trigger: {on_timeout: {ms: 5000.5}}}]",
            "`legs.a.after.0.trigger.on_timeout.ms` must be a whole number (or a `{{ }}` template), not 5000.5",
        ),
    ],
)
def test_a_count_with_a_fraction_is_still_gc103_showing_it(tmp_path, field, said):
    text = HEAD + f"  a: {{buy: 1, symbol: ETH-USD, limit: 2300, {field}}}\n  b: {{buy: 1, symbol: ETH-USD}}\n"
    result = run("compile", str(write(tmp_path, "p.yaml", text)))
    assert result.exit_code == 1 and f"error GC103 {said}\n" in result.stderr, result.stderr


def test_the_version_is_shown_as_written(tmp_path):
    for written in ("true", "0x2", "2.50"):
        path = write(tmp_path, "p.yaml", f"graphc: {written}\nname: t\nlegs:\n  a: {{buy: 1, symbol: ETH-USD}}\n")
        result = run("compile", str(path))
        assert f"error GC110 unsupported playbook version `graphc: {written}`;" in result.stderr, result.stderr


def test_an_empty_choice_is_said_empty_as_an_empty_venue_is(tmp_path):
    line = "  x: {buy: 1, symbol: ETH-USD, limit: 2300, venue: ~, type: ~, policy: null}\n"
    result = run("compile", str(write(tmp_path, "p.yaml", HEAD + line)))
    said = [line.split(" GC103 ", 1)[1] for line in result.stderr.splitlines() if " GC103 " in line]
    assert said == [
        "`legs.x.venue` must be string, not empty",
        "`legs.x.type` must be one of spot, perp, prediction, not empty",
        "`legs.x.policy` must be one of sor, ioc_sweep, passive_limit, aggressive_chase, passive_ladder, time_drip, "
        "not empty",
    ]
    assert "None" not in result.stderr


PARAMS = (
    "graphc: 1\nname: t\nparams:\n"
    "  s: {type: string, default: x}\n  sy: {type: symbol, default: ETH-USD}\n"
    "  n: {type: number, default: 1}\n  i: {type: integer, default: 1, max: 1e1}\n"
    "legs:\n  a: {buy: 1, symbol: '{{ sy }}', venue: 'v{{ s }}', limit: '{{ n * 2300 }}', horizon: '{{ i }}s'}\n"
)


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("s: 1e3", "param `s` (string): expected text, got the number 1e3"),
        ("s: 007", "param `s` (string): expected text, got the number 007"),
        ("sy: 0x10", "param `sy` (symbol): expected a symbol, got the number 0x10"),
        ("n: .inf", "param `n` (number): cannot read '.inf' as a number"),
        ("i: -.inf", "param `i` (integer): cannot read '-.inf' as a whole number"),
        ("i: 1e3", "param `i` (integer): '1e3' is above the maximum 1e1"),
    ],
)
def test_a_params_file_value_is_shown_as_written(tmp_path, given, said):
    path = write(tmp_path, "p.yaml", PARAMS)
    values = write(tmp_path, "v.yaml", given + "\n")
    result = run("compile", str(path), "--params", str(values))
    assert result.exit_code == 1
    assert f"{values}:1:{given.index(':') + 3}: error GC108 {said}\n" in result.stderr, result.stderr


def test_a_param_default_is_shown_as_written(tmp_path):
    path = write(tmp_path, "p.yaml", PARAMS.replace("default: x}", "default: 007}"))
    for command in ("compile", "lint"):
        result = run(command, str(path))
        out = result.stderr if command == "compile" else result.stdout
        assert f"{path}:4:30: error GC108 param `s` default: expected text, got the number 007\n" in out, out


def test_filled_with_a_space_before_the_percent_reads_as_without(tmp_path):
    wires = []
    for after in (
        '"x filled 50 %"',
        '"x filled 50%"',
        '[{from: x, trigger: on_fill_ratio, fill_ratio: "50 %"}]',
        '"x  FILLED   50   %"',
    ):
        text = (
            HEAD + f"  x: {{buy: 1, symbol: ETH-USD, limit: 2300}}\n  y: {{sell: 1, symbol: ETH-USD, after: {after}}}\n"
        )
        wires.append(compiled(write(tmp_path, "p.yaml", text)))
    assert wires[0]["edges"] == [
        {
            "edge_id": "e0",
            "from_node": "x",
            "to_node": "y",
            "trigger": "on_fill_ratio",
            "condition": {"fill_ratio_gte": 0.5},
        }
    ]
    assert all(wire == wires[0] for wire in wires)
