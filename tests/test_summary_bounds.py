"""The plan summary (`graphc plan`, and `graphc submit --live`'s confirmation) is bounded: its size grows with the
legs (a table row each), never with the square of a chain's depth (audit scale25 1: the bench's 10,000-rung ladder
printed 151 MB, a 30,000-node chain 1.35 GB)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from click.testing import CliRunner

from graphc.cli import cli
from graphc.commands.common import SUMMARY_TREE_INDENT, SUMMARY_TREE_LINES, summary_lines
from graphc.stages.suggest import MAX_LISTED

REPO = Path(__file__).resolve().parent.parent
QUOTES = REPO / "examples" / "quotes.yaml"


def chain(n: int, *, priced: bool = False, is_sandbox: bool = True) -> dict:
    """A wire graph of ``n`` nodes, node i waiting on node i-1 (on_accepted): a chain ``n`` deep (as
    /tmp/scale25/genchain.py made it); market orders (no price without quotes) unless ``priced``."""
    nodes, edges = [], []
    for i in range(n):
        order_type = {"limit": {"price_1e9": 2_000_000_000_000}} if priced else "market"
        nodes.append(
            {
                "node_id": f"n{i}",
                "instrument": {"symbol": "ETH-USD", "type": "spot"},
                "side": "buy",
                "order_type": order_type,
                "quantity": {"fixed": {"qty_1e8": 1_000_000}},
                "execution": {"policy": "sor"},
                "activation": "root" if i == 0 else "wait",
            }
        )
        if i:
            edges.append(
                {"edge_id": f"e{i - 1}", "from_node": f"n{i - 1}", "to_node": f"n{i}", "trigger": "on_accepted"}
            )
    return {
        "nodes": nodes,
        "edges": edges,
        "risk": {"admission": {"max_notional_usd": 900_000_000_000}},
        "is_sandbox": is_sandbox,
    }


def for_each_playbook(n: int) -> str:
    """bench/bench_for_each.py's ladder: ``n`` rungs, each after the one before."""
    spec = importlib.util.spec_from_file_location("bench_for_each", REPO / "bench" / "bench_for_each.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.for_each_playbook(n)


def bound(output: str, legs: int, longest_id: int) -> int:
    """The most characters a summary of ``legs`` legs may have, from the caps: a table row a leg (each at most as
    wide as the table's rule line), at most SUMMARY_TREE_LINES tree lines of at most SUMMARY_TREE_INDENT levels,
    at most MAX_LISTED legs named on the total line, and a fixed rest."""
    lines = output.splitlines()
    rule = next(line for line in lines if set(line) <= {"-", " "} and line)
    assert len(rule) < 120, rule  # the table's width does not grow with the legs either
    table = (legs + 2) * (len(rule) + 1)
    tree_line = 2 + 3 * SUMMARY_TREE_INDENT + len("└─[99999] ") + 2 * longest_id + len("  after  accepted") + 1
    tree = (SUMMARY_TREE_LINES + 2) * tree_line + 100
    total = MAX_LISTED * (longest_id + len(" (no price), ")) + 200
    return table + tree + total + 2_000


def plan(tmp_path: Path, name: str, text: str, *args: str):
    (tmp_path / name).write_text(text)
    result = CliRunner().invoke(cli, ["plan", str(tmp_path / name), *args])
    assert result.exit_code == 0, result.output[-2000:]
    return result.stdout


def test_a_30000_node_chain_plans_in_a_size_linear_in_its_legs(tmp_path):
    out = plan(tmp_path, "chain.json", json.dumps(chain(30_000), separators=(",", ":")))
    assert len(out) <= bound(out, 30_000, len("n29999")), len(out)  # was 1,353,611,955 bytes
    lines = out.splitlines()
    assert len(lines) <= 30_000 + SUMMARY_TREE_LINES + 30, len(lines)
    assert max(map(len, lines)) < 1_000  # the total line names 20 legs, not 30,000 (was 558,914 characters)
    assert "  … and 29,800 more lines of the tree (`graphc graph` draws it all)" in lines
    total = next(line for line in lines if line.startswith("total notional: "))
    assert total.endswith("n18 (no price), n19 (no price) … and 29,980 more)"), total


def test_the_bench_10000_rung_ladder_plans_in_a_size_linear_in_its_legs(tmp_path):
    out = plan(tmp_path, "fe.yaml", for_each_playbook(10_000), "--quotes", str(QUOTES))
    assert len(out) <= bound(out, 10_000, len("rung-9999")), len(out)  # was 151,103,074 bytes
    assert len(out.splitlines()) <= 10_000 + SUMMARY_TREE_LINES + 30
    assert f"  … and {10_000 - SUMMARY_TREE_LINES:,} more lines of the tree (`graphc graph` draws it all)" in out


def test_the_tree_past_its_indent_cap_says_the_depth_and_past_its_line_cap_counts_the_rest():
    lines = list(summary_lines(chain(SUMMARY_TREE_LINES + 5, priced=True), {}))
    tree = lines[lines.index("triggers:") + 1 : lines.index("", lines.index("triggers:"))]
    indent = "   " * SUMMARY_TREE_INDENT
    assert tree[0] == "  n0 (root)"
    assert tree[1] == "     └─ n1  after n0 accepted"  # as before: three spaces a level
    assert (
        tree[SUMMARY_TREE_INDENT] == f"  {indent}└─ n{SUMMARY_TREE_INDENT}  after n{SUMMARY_TREE_INDENT - 1} accepted"
    )
    deeper = SUMMARY_TREE_INDENT + 1
    assert tree[deeper] == f"  {indent}└─[{deeper}] n{deeper}  after n{deeper - 1} accepted"
    assert tree[-2] == f"  {indent}└─[199] n199  after n198 accepted"
    assert tree[-1] == "  … and 5 more lines of the tree (`graphc graph` draws it all)"
    assert len(tree) == SUMMARY_TREE_LINES + 1


def test_a_tree_at_its_line_cap_is_shown_whole():
    lines = list(summary_lines(chain(SUMMARY_TREE_LINES, priced=True), {}))
    assert not any("more lines of the tree" in line for line in lines)
    assert f"  {'   ' * SUMMARY_TREE_INDENT}└─[199] n199  after n198 accepted" in lines


def test_the_total_names_at_most_twenty_legs_it_left_out():
    small = list(summary_lines(chain(3), {}))
    assert "total notional: unknown (n0 (no price), n1 (no price), n2 (no price))" in small  # unchanged
    lines = list(summary_lines(chain(MAX_LISTED + 1), {}))
    names = ", ".join(f"n{i} (no price)" for i in range(MAX_LISTED))
    assert f"total notional: unknown ({names} … and 1 more)" in lines
