"""Golden compile tests: each bundled example against a hand-checked wire graph.

The golden files in tests/golden/ were checked by hand against
playbook-spec.md (key order §3, triggers §5, units §3.2/§4). The arithmetic
for the legs that need it:

* eth-hedge `spot`: `200 ETH` -> 200 x 10^8 = 20000000000 qty_1e8; the hedge
  edge `spot filled 50%` -> on_fill_ratio with fill_ratio_gte 0.5; `$1m` ->
  max_notional_usd 1000000, `$10k` -> max_loss_usd 10000.
* btc-twap `accumulate`: `$250k` with no limit is sized at the ask 97251:
  250000 / 97251 = 2.5706676538..., rounded down to the 1e-8 lot ->
  2.57066765 -> qty_1e8 257066765. `10 slices every 30s` -> num_slices 10,
  interval_ms 30000; `5m` -> horizon_ms 300000; `25bps` -> 25.
* dip-buy `entry`: `bid - 0.5%` with bid 97250: 97250 x 0.005 = 486.25,
  97250 - 486.25 = 96763.75 (already on the 0.01 tick) -> price_1e9
  96763750000000. The stop edge -> on_price below graph_entry_price, -5.0.
* prediction-arb: Kalshi `ask + 1 tick` = 0.41 + 0.01 = 0.42 -> 420000000;
  Polymarket 0.56 + 0.01 = 0.57 -> 570000000; `100 contracts` / `100 shares`
  -> 10000000000. Venues inferred from the symbols (KX... -> kalshi,
  `:no` -> polymarket), both legs roots.
* btc-bracket (spec §4, the `trigger` base): `entry` `bid - 0.2%` with bid 97250: 97250 x 0.998 = 97055.5, on the 0.01 tick -> 97055500000000.
  The take-profit fires at the entry's limit + 3%: 97055.5 x 1.03 = 99967.165;
  `trigger - 0.1%`: 99967.165 x 0.999 = 99867.197835, a sell, so rounded UP to
  the tick: 99867.20 -> 99867200000000. The stop fires at 97055.5 x 0.98 =
  95114.39; `trigger - 0.5%`: 95114.39 x 0.995 = 94638.81805, rounded up ->
  94638.82 -> 94638820000000. `0.5 BTC` -> 50000000, `0.25 BTC` -> 25000000.
"""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import EXAMPLES, REPO

GOLDEN = REPO / "tests" / "golden"
EXAMPLE_NAMES = ["eth-hedge", "prediction-arb", "btc-twap", "dip-buy", "btc-bracket"]


def compile_example(name):
    runner = CliRunner()
    result = runner.invoke(cli, ["compile", str(EXAMPLES / f"{name}.yaml"), "--quotes", str(EXAMPLES / "quotes.yaml")])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_matches_golden(name):
    expected = (GOLDEN / f"{name}.json").read_text()
    assert compile_example(name) == expected  # byte for byte, key order included


def compile_in_process(name, hash_seed, *extra):
    """`graphc compile` in a fresh interpreter with its own hash seed (set and dict order vary with it)."""
    cmd = [sys.executable, "-m", "graphc", "compile", str(EXAMPLES / f"{name}.yaml")]
    cmd += ["--quotes", str(EXAMPLES / "quotes.yaml"), *extra]
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_compile_is_reproducible_across_processes(name):
    """Two interpreters with different hash seeds write the committed golden bytes."""
    expected = (GOLDEN / f"{name}.json").read_text()
    assert compile_in_process(name, 1) == expected
    assert compile_in_process(name, 2) == expected


def test_golden_hedge_matches_reference_graph_shape():
    """The hedge example is the reference doc's graph, except it is sandboxed and its limit is $1m."""
    wire = json.loads((GOLDEN / "eth-hedge.json").read_text())
    assert [n["node_id"] for n in wire["nodes"]] == ["spot", "hedge"]
    assert wire["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 20000000000}}
    assert wire["nodes"][1]["instrument"] == {"symbol": "ETH-USD-PERP", "type": "perp", "venue": "hyperliquid"}
    assert wire["edges"] == [
        {
            "edge_id": "e0",
            "from_node": "spot",
            "to_node": "hedge",
            "trigger": "on_fill_ratio",
            "condition": {"fill_ratio_gte": 0.5},
        }
    ]
    assert list(wire) == ["nodes", "edges", "risk", "is_sandbox"]
    assert list(wire["nodes"][0]) == [
        "node_id",
        "instrument",
        "side",
        "order_type",
        "quantity",
        "execution",
        "activation",
    ]
    assert wire["is_sandbox"] is True


def test_output_file(tmp_path):
    out = tmp_path / "graph.json"
    result = CliRunner().invoke(cli, ["compile", str(EXAMPLES / "eth-hedge.yaml"), "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text() == (GOLDEN / "eth-hedge.json").read_text()


def test_installed_script_compiles_example():
    """Once as a real subprocess of the installed console script (or the module)."""
    cmd = [
        sys.executable,
        "-m",
        "graphc",
        "compile",
        str(EXAMPLES / "dip-buy.yaml"),
        "--quotes",
        str(EXAMPLES / "quotes.yaml"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (GOLDEN / "dip-buy.json").read_text()


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.name)
def test_every_golden_output_validates_against_wire_schema(golden):
    """Every compiled output the tests pin (this file's and the template goldens)."""
    import jsonschema

    from graphc.resources import read_text

    schema = json.loads(read_text("schemas", "wire-graph.schema.json"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(golden.read_text()))


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_validate_against_playbook_schema(path):
    from graphc.stages.load import load_text
    from graphc.stages.validate import PLAYBOOK_SCHEMA, validate

    doc, diagnostics = load_text(path.read_text(), str(path))
    assert diagnostics == []
    if "graphc" in doc.data:
        assert validate(doc, PLAYBOOK_SCHEMA) == []
        assert path.read_text().startswith("# yaml-language-server: $schema=")
