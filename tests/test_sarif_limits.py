"""SARIF results are bounded by what GitHub code scanning accepts (audit reports23 2).

GitHub's "SARIF results exceed one or more limits" page: at most 25,000 results per run; a run with more is
rejected ("Analysis SARIF file rejected due to result limits"), so the Action's upload failed on a run graphc
called clean. A router-valid wire graph of 12,600 nodes that leaves out `instrument.type` and `activation` gives
25,201 GC111 warnings. The log lists the first 25,000, errors first, then warnings, each in path order, and a
`note` notification says how many were left out and that the text and json formats list all; so does lint's
verdict on stderr.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from graphc.cli import cli
from graphc.report import sarif
from tests.conftest import write
from tests.test_report import _check_sarif, sarif_validator  # noqa: F401  (fixture)


def lint(*args):
    return CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)])


def _node(i: int, qty_1e8: int = 100_000_000) -> dict:
    """A router-valid wire node without `instrument.type` and `activation`: two GC111 warnings (1 ETH at $2,000)."""
    return {
        "node_id": f"n{i}",
        "instrument": {"symbol": "ETH-USD", "venue": "coinbase"},
        "side": "buy",
        "order_type": {"limit": {"price_1e9": 2_000_000_000_000}},
        "quantity": {"fixed": {"qty_1e8": qty_1e8}},
        "execution": {"policy": "sor"},
    }


def _graph(nodes: list[dict], max_notional_usd: int = 10_000_000) -> str:
    risk = {"admission": {"max_notional_usd": max_notional_usd}}
    return json.dumps({"nodes": nodes, "edges": [], "risk": risk, "is_sandbox": True})


def _left_out(log: dict) -> list[dict]:
    invocations = log["runs"][0].get("invocations", [])
    return [
        n
        for invocation in invocations
        for n in invocation["toolExecutionNotifications"]
        if "not listed" in n["message"]["text"]
    ]


def test_the_cap_is_githubs_limit():
    assert sarif.MAX_RESULTS == 25_000


def test_a_sarif_log_over_the_cap_lists_errors_first_and_says_what_it_left_out(
    tmp_path,
    monkeypatch,
    sarif_validator,  # noqa: F811
):
    # three nodes: six GC111 warnings, and the last one ($20,000 under a $5,000 limit) a GC501 error, last in path
    # order; with the cap lowered to 3 the log keeps the error and the first two warnings
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "small.json", _graph([_node(0), _node(1), _node(2, 1_000_000_000)], max_notional_usd=5000))
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    result = lint("-f", "sarif", "-o", "small.sarif", "small.json")
    assert result.exit_code == 1, result.output
    log = json.loads((tmp_path / "small.sarif").read_text())
    _check_sarif(sarif_validator, log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("GC501", "error"),
        ("GC111", "warning"),
        ("GC111", "warning"),
    ]
    assert [r["locations"][0]["physicalLocation"]["region"]["startColumn"] for r in results[1:]] == [12, 44]
    [note] = _left_out(log)
    assert note["level"] == "note" and note["properties"] == {"count": 4}
    assert note["message"]["text"] == (
        "4 of the 7 results are not listed: GitHub code scanning takes at most 3 results per run, so this log "
        "lists the first 3, errors first, then warnings; graphc lint's text and json formats list them all"
    )
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True  # results left out: not a failed run
    # the verdict on stderr says so too
    assert result.stderr.rstrip("\n").endswith(
        "; report written to small.sarif (it lists 3 of the 7 results, the most GitHub code scanning takes; "
        "the text and json formats list them all)"
    ), result.stderr
    # on stdout, stderr says it
    piped = lint("-f", "sarif", "small.json")
    assert len(json.loads(piped.stdout)["runs"][0]["results"]) == 3
    assert (
        "graphc: note: the SARIF report lists 3 of the 7 results, the most GitHub code scanning takes" in piped.stderr
    )
    # the json format lists them all
    assert len(json.loads(lint("-f", "json", "small.json").stdout)["diagnostics"]) == 7


def test_a_log_under_the_cap_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "small.json", _graph([_node(0), _node(1), _node(2, 1_000_000_000)], max_notional_usd=5000))
    monkeypatch.setattr(sarif, "MAX_RESULTS", 7)
    result = lint("-f", "sarif", "small.json")
    log = json.loads(result.stdout)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["GC111"] * 6 + ["GC501"]  # path order, as ever
    assert _left_out(log) == [] and "note:" not in result.stderr


def test_a_wire_graph_of_12600_nodes_gives_a_log_github_accepts(tmp_path, monkeypatch, sarif_validator):  # noqa: F811
    # the audit's graph: 25,201 results, one more than GitHub accepts... and 201 left out (a few seconds)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "gc111.json", _graph([_node(i) for i in range(12_600)]))
    result = lint("-f", "sarif", "-o", "g.sarif", "gc111.json")
    assert result.exit_code == 0, result.output  # warnings only
    log = json.loads((tmp_path / "g.sarif").read_text())
    assert len(log["runs"][0]["results"]) == 25_000  # before: 25,201, and the upload was rejected
    [note] = _left_out(log)
    assert note["properties"] == {"count": 201}
    _check_sarif(sarif_validator, log)
