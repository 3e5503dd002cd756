"""`graphc run` and a bundle's main.py log the occurrence's lint warnings and skipped checks, and the quotes file read.

Audit hosted24 2: an occurrence whose lint warned (GC406: a limit 287% above the quote mid, a typo) or skipped
checks (a quotes file with no entry for a traded symbol: 9 checks that could not run) was logged as a bare
`submitted`, which reads as a clean pass, while `graphc submit` of the same playbook prints the warning and "9
checks skipped" (playbook-spec.md §8: a skipped check is never passed). And with `--quotes FILE` there was no
`quotes` event, so the log did not say which prices an occurrence used. Now `submitted`, `already` and
`lint_failed` carry `lint_warnings` (code, message, location) and `skipped` (count and codes), from the lint the
occurrence ran, and a `quotes` event names the file, the SHA-256 of the bytes read and the symbols it lacks.

Each run is compared with `graphc lint` of the same files: the same findings, the same skipped checks.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_recurring_e2e import PYTHON, events, hosted_env, make_bundle

LIT = """\
graphc: 1
name: lit
schedule: {cron: "0 14 * * MON", catch_up: 2h}
legs:
  a: {buy: 0.01 BTC, symbol: BTC-USD, venue: coinbase, limit: 97000}
  b: {buy: 0.1 ETH, symbol: ETH-USD, venue: coinbase, limit: 9000}
"""
BOTH = "BTC-USD: {bid: 97250.00, ask: 97251.00, tick: 0.01}\nETH-USD: {bid: 2325.10, ask: 2325.53, tick: 0.01}\n"
BTC_ONLY = "BTC-USD: {bid: 97250.00, ask: 97251.00, tick: 0.01}\n"
NOW = "2026-01-05T14:20:00Z"


@pytest.fixture
def sandbox(btc_router):
    return btc_router


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "lit.yaml").write_text(LIT)
    (tmp_path / "both.yaml").write_text(BOTH)
    (tmp_path / "btc.yaml").write_text(BTC_ONLY)
    return tmp_path


def graphc(project: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args], capture_output=True, text=True, env=env, cwd=project, timeout=120
    )


def run_once(sandbox, project: Path, *args: str) -> tuple[int, list[dict]]:
    proc = graphc(project, "run", *args, "--once", "--now", NOW, "--settle", "0", env=sandbox.env())
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()]


def linted(project: Path, playbook: str, quotes: str) -> tuple[list[dict], dict]:
    """What `graphc lint PLAYBOOK --quotes QUOTES` finds: its warnings as a run logs them, and its skipped checks."""
    proc = graphc(project, "lint", playbook, "--quotes", quotes, "--format", "json")
    report = json.loads(proc.stdout)
    warnings = [
        {"code": d["code"], "message": d["message"], "location": f"{d['path']}:{d['line']}:{d['column']}"}
        for d in report["diagnostics"]
        if d["severity"] != "error"
    ]
    (result,) = report["files"]
    skipped = {"count": report["summary"]["skipped"], "codes": sorted({s["code"] for s in result["skipped"]})}
    return warnings, skipped


def one(log: list[dict], event: str) -> dict:
    (found,) = [e for e in log if e["event"] == event]
    return found


def test_a_warning_of_the_occurrences_lint_is_in_submitted_and_in_already(sandbox, project):
    warnings, skipped = linted(project, "lit.yaml", "both.yaml")
    assert [w["code"] for w in warnings] == ["GC406"] and warnings[0]["location"] == "lit.yaml:6:62"
    assert "287.0% above the quote mid" in warnings[0]["message"]
    code, log = run_once(sandbox, project, "lit.yaml", "--quotes", "both.yaml")
    assert code == 0, log
    submitted = one(log, "submitted")
    assert submitted["lint_warnings"] == warnings and submitted["skipped"] == skipped, submitted
    # the same occurrence again: nothing sent, and the graph this run would have sent warns the same
    code, log = run_once(sandbox, project, "lit.yaml", "--quotes", "both.yaml")
    assert code == 0, log
    already = one(log, "already")
    assert already["graph_id"] == submitted["graph_id"]
    assert already["lint_warnings"] == warnings and already["skipped"] == skipped
    assert len(sandbox.graphs()) == 1


def test_checks_skipped_for_a_symbol_the_quotes_file_lacks_are_counted_and_the_file_is_named(sandbox, project):
    warnings, skipped = linted(project, "lit.yaml", "btc.yaml")
    assert warnings == [] and skipped["count"] == 9 and {"GC404", "GC406"} <= set(skipped["codes"])
    code, log = run_once(sandbox, project, "lit.yaml", "--quotes", "btc.yaml")
    assert code == 0, log
    submitted = one(log, "submitted")
    assert submitted["lint_warnings"] == [] and submitted["skipped"] == skipped, submitted
    quotes = one(log, "quotes")
    digest = hashlib.sha256((project / "btc.yaml").read_bytes()).hexdigest()[:12]
    assert quotes == {**quotes, "path": "btc.yaml", "sha256": digest, "symbols": ["BTC-USD"], "missing": ["ETH-USD"]}
    names = [e["event"] for e in log]
    assert names.index("due") < names.index("quotes") < names.index("submitted")


def test_a_lint_failed_occurrence_carries_its_warnings_beside_its_errors(sandbox, project):
    (project / "bad.yaml").write_text(LIT.replace("limit: 97000}", "limit: 97000, tif: IOC, policy: passive_limit}"))
    warnings, skipped = linted(project, "bad.yaml", "both.yaml")
    code, log = run_once(sandbox, project, "bad.yaml", "--quotes", "both.yaml")
    assert code == 1, log
    failed = one(log, "lint_failed")
    assert "GC401" in failed["message"]
    assert [w["code"] for w in failed["lint_warnings"]] == ["GC406"] and failed["lint_warnings"] == warnings
    assert failed["skipped"] == skipped
    assert sandbox.graphs() == []


def test_the_bundles_main_py_logs_the_warning_of_its_live_quotes(sandbox, tmp_path):
    """The bundle's build-time lint has no quotes: its run, with the router's, is where GC406 is found."""
    bundle = make_bundle(
        tmp_path,
        LIT.replace("  b: {buy: 0.1 ETH, symbol: ETH-USD, venue: coinbase, limit: 9000}\n", "").replace(
            "97000", "300000"
        ),
    )
    env = hosted_env(bundle, sandbox, GRAPHC_ONCE="1", GRAPHC_NOW=NOW)
    proc = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    submitted = one(events(proc.stdout), "submitted")
    (warning,) = submitted["lint_warnings"]
    assert warning["code"] == "GC406" and warning["location"].endswith("playbook.yaml:5:63"), warning
    assert "above the quote mid" in warning["message"]
    assert submitted["skipped"]["count"] > 0 and "GC304" in submitted["skipped"]["codes"]


def test_more_than_twenty_warnings_are_counted_past_the_twentieth(sandbox, project):
    """A warning on each rung of a ladder is one line of the log, not all of them: 20 listed, the rest counted."""
    ladder = LIT.split("legs:")[0] + (
        "legs:\n  rung:\n    for_each: 25\n    buy: 0.001 BTC\n    symbol: BTC-USD\n    venue: coinbase\n"
        '    limit: "{{ 200000 + index }}"\n'
    )
    (project / "ladder.yaml").write_text(ladder)
    warnings, _ = linted(project, "ladder.yaml", "both.yaml")
    assert len(warnings) == 25 and {w["code"] for w in warnings} == {"GC406"}
    code, log = run_once(sandbox, project, "ladder.yaml", "--quotes", "both.yaml")
    assert code == 0, log
    submitted = one(log, "submitted")
    assert submitted["lint_warnings"] == warnings[:20] and submitted["more_lint_warnings"] == 5, submitted
