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

from graphc import diagnostics
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
    monkeypatch.setattr(diagnostics, "MAX_DIAGNOSTICS", 30_000)  # (GRAPHC_MAX_DIAGNOSTICS=30000: all 25,201 listed)
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "gc111.json", _graph([_node(i) for i in range(12_600)]))
    result = lint("-f", "sarif", "-o", "g.sarif", "gc111.json")
    assert result.exit_code == 0, result.output  # warnings only
    log = json.loads((tmp_path / "g.sarif").read_text())
    assert len(log["runs"][0]["results"]) == 25_000  # before: 25,201, and the upload was rejected
    [note] = _left_out(log)
    assert note["properties"] == {"count": 201}
    _check_sarif(sarif_validator, log)


# -- skipped-check notifications (audit scale25 3) ------------------------------------------------------------------


def _skipping_repository(files: int, checks: int = 22, distinct: int = 9_000) -> list:
    """``files`` linted playbooks that skip ``checks`` checks each, as a repository linted without quotes does: most
    reasons name a market (shared by many files), some a price expression (``distinct`` of them across the run)."""
    from graphc.diagnostics import Skip, Span
    from graphc.report import FileResult

    results = []
    for i in range(files):
        skips = [
            Skip(f"GC3{j % 10:02d}", Span(3 + j, 5, 3 + j, 12), f"coinbase's lot for SYM-{(i + j) % 40}-USD is unknown")
            for j in range(checks - 2)
        ]
        skips += [Skip("GC109", Span(2, 8), f"price 'bid - {(i * 7 + j) % distinct}%' needs a quote") for j in (0, 1)]
        results.append(FileResult(f"plays/{i:05d}.yaml", "", [], skips))
    return results


def _skip_notes(log: dict) -> list[dict]:
    return [n for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"] if "associatedRule" in n]


def test_the_skip_notifications_of_15000_playbooks_fit_what_github_code_scanning_takes():
    """15,000 playbooks of 22 skipped checks each (330,000, the audit's 325,776 in 15,000 files) gave a 357 MB log,
    11.1 MB gzip-compressed, over GitHub's 10 MB. Past MAX_SKIP_NOTIFICATIONS per-file groups they are grouped by
    rule and reason across files; past that many of those, the first are listed and one note counts the rest.
    Bound: MAX_SKIP_NOTIFICATIONS notifications of at most 20 places (about 3 KB each, compact) is 15 MB; gzip at
    least 5 to 1 on such repetitive JSON: 3 MB, well inside GitHub's 10 MB beside the results."""
    import gzip

    from graphc.report import render
    from graphc.rules.registry import report_rules

    results = _skipping_repository(15_000)
    text = render("sarif", results, rules=report_rules())
    log = json.loads(text)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == sarif.MAX_SKIP_NOTIFICATIONS  # 4,999 groups and the note that counts the rest
    assert len(text) < 15_000_000
    assert len(gzip.compress(text.encode(), 6)) < 3_000_000
    [left] = _left_out(log)
    assert left["properties"]["notifications"] > 0
    listed = sum(n["properties"]["count"] for n in _skip_notes(log))
    assert listed + left["properties"]["count"] == 15_000 * 22  # every skipped check counted, listed or not
    assert left["message"]["text"].startswith(f"{left['properties']['count']} skipped checks of ")
    assert all(len(n["locations"]) <= sarif.SKIP_PLACES for n in _skip_notes(log))
    grouped = next(n for n in _skip_notes(log) if n["properties"].get("files", 0) > 1)
    assert grouped["message"]["text"].startswith(f"skipped {grouped['associatedRule']['id']} (")
    assert (
        f" in {grouped['properties']['files']} files; the first 20 places are listed): " in grouped["message"]["text"]
    )
    assert "groups the notifications of skipped checks by rule and reason across files" in sarif.left_out_note(results)


def test_skips_grouped_across_files_when_per_file_groups_are_too_many(monkeypatch, sarif_validator):  # noqa: F811
    from graphc.report import render

    results = _skipping_repository(3, checks=4, distinct=1)
    small = json.loads(render("sarif", results))
    assert len(_skip_notes(small)) == 9  # per file, rule and reason: 3 files x (2 markets' rules + 1 price)
    assert sarif.left_out_note(results) == ""
    monkeypatch.setattr(sarif, "MAX_SKIP_NOTIFICATIONS", 8)
    log = json.loads(render("sarif", results))
    _check_sarif(sarif_validator, log)
    notes = _skip_notes(log)
    assert sum(n["properties"]["count"] for n in notes) == 12 and _left_out(log) == []
    price = next(n for n in notes if n["associatedRule"]["id"] == "GC109")
    assert price["message"]["text"] == "skipped GC109 (6 checks at 3 places in 3 files): price 'bid - 0%' needs a quote"
    assert price["properties"] == {"count": 6, "files": 3, "places": 3}
    assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in price["locations"]] == [
        "plays/00000.yaml",
        "plays/00001.yaml",
        "plays/00002.yaml",
    ]
    assert sarif.left_out_note(results) == (
        "it groups the notifications of skipped checks by rule and reason across files (9 otherwise); the json "
        "format lists every skipped check"
    )
    monkeypatch.setattr(sarif, "MAX_SKIP_NOTIFICATIONS", 2)
    log = json.loads(render("sarif", results))
    _check_sarif(sarif_validator, log)
    [left] = _left_out(log)
    assert len(_skip_notes(log)) == 1
    assert _skip_notes(log)[0]["properties"]["count"] + left["properties"]["count"] == 12
    assert sum(left["properties"]["rules"].values()) == left["properties"]["count"]
