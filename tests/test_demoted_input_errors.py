"""An input error (GC1xx) demoted or turned off in graphc.toml, or suppressed, still leaves no graph to send.

Audit spec.md finding 1: with `GC105 = "warning"` a leg whose size is in the wrong unit was left out of
the graph, and `submit` sent the rest (exit 0) while `compile` refused the file. Spec §8: "`submit` refuses
on any error"; "a check that cannot run ... is *skipped*, never passed". Configuration changes how a finding
is reported, never whether an incomplete graph is planned or sent: every way a graph leaves graphc (plan,
plan -o, submit, run, bundle, the library's prepare, amend's check) refuses, sends nothing, and says why.

Each playbook below compiles with an input error (compile exits 1 on it, checked in the first test), so
whatever graph lint built from the legs that did compile is not the playbook's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from sandbox_fixture import REPO, cli_env, run_graphc

QUOTES = REPO / "examples" / "quotes.yaml"
INCOMPLETE = "the graph is incomplete"

# the audit's pair: `short` sells 2 BTC on an ETH market (GC105), so compile could build only `long`
PAIR = """\
graphc: 1
name: pair
legs:
  long:  {buy: 2 ETH, symbol: ETH-USD}
  short: {sell: 2 BTC, symbol: ETH-USD-PERP}
"""
# the audit's basis trade: the example quotes have no SOL-USD-PERP, so `$2k` cannot be sized (GC109)
BASIS = """\
graphc: 1
name: basis
legs:
  spot: {buy: $2k, symbol: ETH-USD}
  perp: {sell: $2k, symbol: SOL-USD-PERP}
"""
# an edge into the leg that cannot be built: the graph sent carried a dangling edge
HEDGE = """\
graphc: 1
name: hedge
legs:
  spot:  {buy: 2 ETH, symbol: ETH-USD}
  hedge: {sell: 2 BTC, symbol: ETH-USD-PERP, after: spot filled}
"""
# one leg, which cannot be built: graphc POSTed `{"nodes": []}`
SINGLE = """\
graphc: 1
name: single
legs:
  only: {sell: 2 BTC, symbol: ETH-USD-PERP}
"""
# no config: the error is suppressed where it is written
SUPPRESSED = PAIR.replace("ETH-USD-PERP}", "ETH-USD-PERP}   # graphc: ignore[GC105]")

CASES = {
    "GC105 warning": ('[rules]\nGC105 = "warning"\n', PAIR, "GC105", "reported as a warning here"),
    "GC105 off": ('[rules]\nGC105 = "off"\n', PAIR, "GC105", "turned off or suppressed here"),
    "GC109 warning": ('[rules]\nGC109 = "warning"\n', BASIS, "GC109", "reported as a warning here"),
    "edge into the dropped leg": ('[rules]\nGC105 = "warning"\n', HEDGE, "GC105", "reported as a warning here"),
    "the only leg": ('[rules]\nGC105 = "warning"\n', SINGLE, "GC105", "reported as a warning here"),
    "suppressed": (None, SUPPRESSED, "GC105", "turned off or suppressed here"),
}


def make_project(root: Path, config: str | None, playbook: str) -> Path:
    (root / ".git").mkdir(parents=True)
    if config is not None:
        (root / "graphc.toml").write_text(config)
    (root / "quotes.yaml").write_text(QUOTES.read_text())
    path = root / "book.yaml"
    path.write_text(playbook)
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_plan_and_submit_refuse_a_graph_an_input_error_left_incomplete_and_send_nothing(sandbox, tmp_path, case):
    config, playbook, code, how = CASES[case]
    project = tmp_path / "project"
    path = make_project(project, config, playbook).name  # named as a person would, in the project
    env = cli_env(sandbox)
    compiled = run_graphc(["compile", path, "--quotes", "quotes.yaml"], env, project)
    assert compiled.returncode == 1 and compiled.stdout == "", compiled  # compile refuses the file: no graph
    assert f"error {code}" in compiled.stderr

    plan_file = project / "plan.json"
    planned = run_graphc(["plan", path, "--quotes", "quotes.yaml", "-o", plan_file], env, project)
    assert planned.returncode == 1, planned
    assert "plan for" not in planned.stdout and "run key" not in planned.stdout  # no table of surviving legs
    assert f"graphc: not ready to submit: {INCOMPLETE}: book.yaml:" in planned.stderr, planned.stderr
    assert f"{code} " in planned.stderr and f"({how})" in planned.stderr
    assert not plan_file.exists()

    submitted = run_graphc(["submit", path, "--quotes", "quotes.yaml", "--yes"], env, project)
    assert submitted.returncode == 1, submitted
    assert "submitted" not in submitted.stdout
    assert f"graphc: refused: {INCOMPLETE}: book.yaml:" in submitted.stderr, submitted.stderr
    if "warning" in how:  # the finding itself is shown at the severity the config gives it
        assert f"warning {code}" in submitted.stdout + submitted.stderr
    assert sandbox.requests("POST") == []  # nothing was sent: not a smaller graph, not an empty one
    assert sandbox.graphs() == []
    assert not (project / ".graphc").exists()  # nothing recorded in a ledger either

    # lint reports the finding as configured (the config's job), but no rule ran on the file: it was not checked,
    # and lint exits 2 for it as for a file it could not read (audit reports23 1; before: exit 0)
    linted = run_graphc(["lint", path, "--quotes", "quotes.yaml"], env, project)
    assert linted.returncode == 2, linted
    assert f"in 0 files; 1 file not checked: book.yaml ({code} at book.yaml:" in linted.stdout, linted


def test_a_wire_file_with_a_demoted_input_error_is_not_sent(sandbox, tmp_path):
    """A wire graph is sent as read: a value the router's schema refuses (GC103, demoted) is not sent either."""
    project = tmp_path / "project"
    good = json.loads(
        subprocess.run(
            [sys.executable, "-m", "graphc", "compile", "-", "--quotes", str(QUOTES)],
            input=PAIR.replace("  short: {sell: 2 BTC, symbol: ETH-USD-PERP}\n", ""),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    good["nodes"][0]["quantity"]["fixed"]["qty_1e8"] = 0  # below the schema's minimum of 1
    path = make_project(project, '[rules]\nGC103 = "warning"\n', "")
    path.with_suffix(".json").write_text(json.dumps(good))
    submitted = run_graphc(["submit", "book.json", "--yes"], cli_env(sandbox), project)
    assert submitted.returncode == 1, submitted
    assert f"graphc: refused: {INCOMPLETE}: book.json:" in submitted.stderr and "GC103" in submitted.stderr
    assert sandbox.requests("POST") == []


def test_the_library_prepare_has_no_graph_and_compile_file_is_not_ok(tmp_path):
    """graphc.submit.prepare (what plan and submit call) and graphc.compile_file agree with the CLI."""
    import graphc
    from graphc.submit import prepare

    path = make_project(tmp_path / "project", '[rules]\nGC105 = "warning"\n', PAIR)
    prepared = prepare(path, quotes_path=QUOTES)
    assert prepared.wire is None and prepared.wire_text is None and not prepared.ready
    (problem,) = prepared.problems
    assert problem.exit_code == 1 and problem.message.startswith(f"{INCOMPLETE}: {path}:5:17: GC105 quantity")
    compiled = graphc.compile_file(path, quotes=QUOTES)
    assert not compiled.ok and [d.code for d in compiled.diagnostics if d.is_error] == ["GC105"]


DCA = """\
graphc: 1
name: dca
schedule: {cron: "0 14 * * MON", timezone: Europe/London, catch_up: 2h}
legs:
  buy:   {buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2300}
  hedge: {sell: 1 BTC, symbol: ETH-USD-PERP, venue: hyperliquid, limit: 2300, after: buy filled}
"""


def test_run_refuses_the_occurrence_and_sends_nothing(sandbox, tmp_path):
    path = make_project(tmp_path / "project", '[rules]\nGC105 = "warning"\n', DCA)
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(path), "--once", "--settle", "0", "--now", "2026-01-05T14:20:00Z"],
        capture_output=True,
        text=True,
        env=cli_env(sandbox),
        cwd=path.parent,
        timeout=120,
    )
    assert proc.returncode == 1, proc
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    (failed,) = [e for e in events if e["event"] == "lint_failed"]
    assert failed["message"].startswith(f"{INCOMPLETE}: {path}:6:17: GC105 quantity '1 BTC'"), failed
    assert not [e for e in events if e["event"] == "submitted"]
    assert sandbox.requests("POST") == [] and sandbox.graphs() == []


def test_bundle_refuses_a_playbook_whose_graph_is_incomplete(tmp_path):
    path = make_project(tmp_path / "project", '[rules]\nGC105 = "warning"\n', DCA)
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "bundle", str(path), "-o", str(out), "--now", "2026-01-07T09:00:00Z"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=path.parent,
    )
    assert proc.returncode == 1, proc
    assert INCOMPLETE in proc.stderr and "GC105" in proc.stderr
    assert not out.exists()


def test_amend_refuses_a_node_change_whose_input_error_is_demoted(tmp_path):
    """An amend that makes the node unreadable as a wire node (horizon 0 ms: GC103, "at least 1") is refused
    even when graphc.toml reports GC103 as a warning; the rules never ran on it."""
    from graphc.amend import RecordedNode, lint_amended
    from graphc.config import load_config
    from graphc.pipeline import compile_text

    (tmp_path / "graphc.toml").write_text('[rules]\nGC103 = "warning"\n')
    config, _ = load_config(tmp_path)
    wire = compile_text("graphc: 1\nname: a\nlegs:\n  a: {buy: 1, symbol: ETH-USD, venue: coinbase, limit: 2300}\n")
    node = RecordedNode("ETH-USD", "spot", "coinbase", Decimal(2300), None, wire=wire.wire_json().encode(), node_id="a")
    found = lint_amended(node, {"horizon_ms": 0}, config)
    assert found.errors == [] and [d.severity for d in found.warnings] == ["warning"]  # reported as configured
    assert found.incomplete is not None and "GC103 `nodes.0.execution.horizon_ms`: 0 is less than" in found.incomplete
    assert lint_amended(node, {"horizon_ms": 1000}, config).incomplete is None  # a good change goes on
