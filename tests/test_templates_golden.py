"""Golden compile tests for the templated examples (params, expressions, for_each, `use:`).

Each is compiled with `--quotes examples/quotes.yaml --now 2026-01-07T09:00:00Z`
(a Wednesday) and compared byte for byte with tests/golden/<name>.json. The
golden files were checked by hand; the arithmetic:

* eth-ladder (ETH-USD bid 2325.10, tick 0.01): rung i is `bid - (10 x i)bps`,
  i.e. 2325.10 - i x 2.32510 (10 bps of the bid), and a buy rounds DOWN to the
  tick (price_1e9 = price x 10^9):

      rung 0: 2325.10 - 0       = 2325.10    -> 2325.10 -> 2325100000000
      rung 1: 2325.10 - 2.32510 = 2322.77490 -> 2322.77 -> 2322770000000
      rung 2: 2325.10 - 4.65020 = 2320.44980 -> 2320.44 -> 2320440000000
      rung 3: 2325.10 - 6.97530 = 2318.12470 -> 2318.12 -> 2318120000000
      rung 4: 2325.10 - 9.30040 = 2315.79960 -> 2315.79 -> 2315790000000
      rung 5: 2325.10 - 11.6255 = 2313.47450 -> 2313.47 -> 2313470000000
      rung 6: 2325.10 - 13.9506 = 2311.14940 -> 2311.14 -> 2311140000000
      rung 7: 2325.10 - 16.2757 = 2308.82430 -> 2308.82 -> 2308820000000
      rung 8: 2325.10 - 18.6008 = 2306.49920 -> 2306.49 -> 2306490000000
      rung 9: 2325.10 - 20.9259 = 2304.17410 -> 2304.17 -> 2304170000000

  (rounding to nearest would give 2320.45, 2315.80, 2311.15 and 2306.50 for
  rungs 2, 4, 6 and 8: the golden file shows the floor). Each rung is `0.5 ETH` ->
  qty_1e8 50000000. rung-0 has no `after` (its expression renders to none) so
  it is the root; rung-i waits for `rung-(i-1) accepted` -> 9 on_accepted
  edges e0..e8. `$15k` -> max_notional_usd 15000.
* btc-weekly-dca: today = 2026-01-07, day 07 <= 7 is payday, so the buy is
  $500 x 2 = $1000 with no limit, sized at the BTC-USD ask 97251:
  1000 / 97251 = 0.0102826706... -> down to the 1e-8 lot 0.01028267 ->
  qty_1e8 1028267. Wednesday is isoweekday 3: 8 - 3 = 5 slices every 1d
  (86400000 ms). `25bps` -> 25; venue coinbase; `$50k` -> 50000.
* eth-spot-hedged: the shared template examples/templates/perp-hedge.yaml is
  inlined as `hedge.short` (sell 200 ETH -> 20000000000 on ETH-USD-PERP,
  venue hyperliquid, aggressive_chase, 25 bps) and `hedge.stop` (buy back,
  ioc_sweep, urgency high). The template's root `short` takes the using leg's
  `after: spot filled 50%` (e0: on_fill_ratio 0.5); its internal edge
  `short price ... above entry +5%` is renamed to `hedge.short` (e1: on_price
  above, offset_pct 5.0). `$1.5m` -> 1500000, `$10k` -> 10000.
* btc-spot-hedged: the same template with `size: 3 BTC` (-> 300000000, passed
  through the playbook's own `size` param), `perp: BTC-USD-PERP` and
  `stop_pct: 8` (-> offset_pct 8.0); `after: spot filled` -> on_full_fill.
  The spot leg pins coinbase. `$1m` -> 1000000, `$25k` -> 25000.
"""

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import EXAMPLES, REPO

GOLDEN = REPO / "tests" / "golden"
TEMPLATED_EXAMPLES = ["eth-ladder", "btc-weekly-dca", "eth-spot-hedged", "btc-spot-hedged"]
NOW = "2026-01-07T09:00:00Z"


def compile_example(name, *extra):
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["compile", str(EXAMPLES / f"{name}.yaml"), "--quotes", str(EXAMPLES / "quotes.yaml"), "--now", NOW, *extra],
    )
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", TEMPLATED_EXAMPLES)
def test_templated_example_matches_golden(name):
    assert compile_example(name) == (GOLDEN / f"{name}.json").read_text()


@pytest.mark.parametrize("name", TEMPLATED_EXAMPLES)
def test_templated_compile_is_reproducible_across_processes(name):
    """Two interpreters with different hash seeds write the committed golden bytes (`--now` fixed)."""
    from tests.test_compile_golden import compile_in_process

    expected = (GOLDEN / f"{name}.json").read_text()
    assert compile_in_process(name, 1, "--now", NOW) == expected
    assert compile_in_process(name, 3, "--now", NOW) == expected


@pytest.mark.parametrize("name", TEMPLATED_EXAMPLES)
def test_templated_output_validates_against_wire_schema(name):
    import jsonschema

    from graphc.resources import read_text

    schema = json.loads(read_text("schemas", "wire-graph.schema.json"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(compile_example(name)))


def test_ladder_prices_step_down_and_round_down_to_the_tick():
    from decimal import ROUND_FLOOR, Decimal

    wire = json.loads((GOLDEN / "eth-ladder.json").read_text())
    bid, tick = Decimal("2325.10"), Decimal("0.01")
    for i, node in enumerate(wire["nodes"]):
        exact = bid - bid * 10 * i / 10000
        expected = exact.quantize(tick, rounding=ROUND_FLOOR)
        assert node["node_id"] == f"rung-{i}"
        assert node["order_type"]["limit"]["price_1e9"] == int(expected * 10**9)
    assert [(e["from_node"], e["to_node"]) for e in wire["edges"]] == [(f"rung-{i}", f"rung-{i + 1}") for i in range(9)]
    assert [n["activation"] for n in wire["nodes"]] == ["root"] + ["wait"] * 9


def test_ladder_params_change_the_graph():
    wire = json.loads(compile_example("eth-ladder", "--set", "rungs=3", "--set", "step_bps=50"))
    # 2325.10 x 0.995 = 2313.4745 -> 2313.47; x 0.990 = 2301.849 -> 2301.84
    assert [n["order_type"]["limit"]["price_1e9"] for n in wire["nodes"]] == [
        2325100000000,
        2313470000000,
        2301840000000,
    ]


def test_dca_follows_today():
    runner = CliRunner()
    base = ["compile", str(EXAMPLES / "btc-weekly-dca.yaml"), "--quotes", str(EXAMPLES / "quotes.yaml")]
    monday = json.loads(runner.invoke(cli, base + ["--now", "2026-01-12T09:00:00Z"]).stdout)["nodes"][0]
    # not payday (day 12): $500 / 97251 = 0.00514133... -> 514133; Monday: 7 daily slices
    assert monday["quantity"] == {"fixed": {"qty_1e8": 514133}}
    assert monday["execution"]["pacing"]["uniform"]["num_slices"] == 7


def test_shared_template_is_used_by_two_playbooks():
    eth = json.loads((GOLDEN / "eth-spot-hedged.json").read_text())
    btc = json.loads((GOLDEN / "btc-spot-hedged.json").read_text())
    for wire in (eth, btc):
        assert [n["node_id"] for n in wire["nodes"]] == ["spot", "hedge.short", "hedge.stop"]
    assert "use: ./templates/perp-hedge.yaml" in (EXAMPLES / "eth-spot-hedged.yaml").read_text()
    assert "use: ./templates/perp-hedge.yaml" in (EXAMPLES / "btc-spot-hedged.yaml").read_text()
