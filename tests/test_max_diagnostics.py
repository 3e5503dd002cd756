"""GRAPHC_MAX_DIAGNOSTICS: a file's findings past the limit are counted by code, not listed (audit scale25 4).

A 3.8 MB wire file of `{"nodes":[0,0,...]}` gave 1.9 million GC103 errors, each shown with its line: 194 s and
3.4 GB, and a text report ending only "1900000 errors in 1 file". Past the limit every format says how many more
of each code the file has, the summary line counts them by code, and the counts and the exit code are unchanged.

Schema problems themselves stop at the limit (tests/test_schema_budget.py), so the files here have 20 problems the
schema check does not find: node symbols with whitespace around them (graphc.inputs.wire_symbol_diagnostics).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from graphc import diagnostics
from graphc.cli import cli
from tests.conftest import REPO, write

MORE = "z.json: … and 15 more GC103 errors in this file (GRAPHC_MAX_DIAGNOSTICS: a file's first 5 findings are listed)"


def _node(i: int) -> dict:
    """A wire node the schema accepts whose symbol has whitespace around it: one GC103, not the schema's."""
    return {
        "node_id": f"n{i}",
        "instrument": {"symbol": f" ETH{i}-USD ", "venue": "coinbase"},
        "side": "buy",
        "order_type": {"limit": {"price_1e9": 2_000_000_000_000}},
        "quantity": {"fixed": {"qty_1e8": 100_000_000}},
        "execution": {"policy": "sor"},
    }


TWENTY = json.dumps({"nodes": [_node(i) for i in range(20)], "edges": [], "is_sandbox": True})


@pytest.fixture
def twenty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "z.json", TWENTY)
    monkeypatch.setattr(diagnostics, "MAX_DIAGNOSTICS", 5)

    def lint(*args):
        return CliRunner().invoke(cli, ["lint", *args, "z.json"])

    return lint


def test_the_text_report_lists_the_first_and_counts_the_rest_by_code(twenty):
    result = twenty("--no-cache")
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert sum(" error GC103 " in line for line in out) == 5
    assert MORE in out
    assert out[-1] == "20 errors in 1 file; by code: 20 GC103"


def test_the_cache_keeps_the_count(twenty):
    first = twenty()
    again = twenty()
    assert again.stdout == first.stdout and again.exit_code == 1
    assert MORE in again.stdout.splitlines()


def test_every_format_says_how_many_more(twenty):
    report = json.loads(twenty("--no-cache", "-f", "json").stdout)
    assert len(report["diagnostics"]) == 5
    assert report["files"][0]["errors"] == 20 and report["summary"]["errors"] == 20
    assert report["files"][0]["unlisted"] == [{"code": "GC103", "severity": "error", "count": 15}]
    import jsonschema

    jsonschema.validate(report, json.loads((REPO / "docs" / "lint-json.schema.json").read_text()))

    sarif = json.loads(twenty("--no-cache", "-f", "sarif").stdout)
    assert len(sarif["runs"][0]["results"]) == 5
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["message"]["text"], n["properties"]) for n in notes] == [(MORE, {"count": 15, "severity": "error"})]

    github = twenty("--no-cache", "-f", "github")
    assert github.exit_code == 1
    lines = github.stdout.splitlines()
    assert f"::error file=z.json,title=GC103::{MORE}" in lines
    assert lines[-1] == "20 errors in 1 file; by code: 20 GC103"

    junit = ET.fromstring(twenty("--no-cache", "-f", "junit").stdout)
    cases = junit.findall("testsuite/testcase")  # one case per finding, each with its one <failure> (reports26 4)
    failures = [failure for case in cases for failure in case.findall("failure")]
    assert len(cases) == len(failures) == 6 and failures[-1].get("message") == MORE
    assert junit.get("failures") == "6"


def test_the_limit_is_read_from_the_environment(tmp_path):
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "z.json", TWENTY)
    env = {**os.environ, "GRAPHC_MAX_DIAGNOSTICS": "3", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "--no-cache", "z.json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1
    assert "z.json: … and 17 more GC103 errors in this file" in done.stdout
    assert done.stdout.rstrip().endswith("20 errors in 1 file; by code: 20 GC103")
    bad = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "z.json"],
        cwd=tmp_path,
        env={**env, "GRAPHC_MAX_DIAGNOSTICS": "0"},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert bad.returncode == 2 and "GRAPHC_MAX_DIAGNOSTICS='0'" in bad.stderr
