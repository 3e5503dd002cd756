"""Schema checking stops at GRAPHC_MAX_DIAGNOSTICS problems a file (audit: the schema's budget).

A wire file of 300,000 bad nodes (`{"nodes":[0,0,...]}`) took 20-40 s and 320 MB, 1.9 million (3.8 MB) 190 s and
3.4 GB, all inside jsonschema's iter_errors (100-300 µs a problem), although a report lists only a file's first
GRAPHC_MAX_DIAGNOSTICS findings. A playbook's `legs:` of 100,000 `aN: 0` took the same path. Now the check stops
one problem past the limit: the first ``limit - 1`` are listed with a GC103 at 1:1 that says checking stopped, the
rest of the file is not checked (no model, number, symbol or rule check reads it), and lint exits 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from graphc import diagnostics
from graphc.cli import cli
from graphc.stages import validate
from graphc.stages.load import load_text
from tests.conftest import REPO, write

LIMIT = 50
STOPPED = f"schema checking stopped after {LIMIT - 1} problems, at GRAPHC_MAX_DIAGNOSTICS ({LIMIT} findings listed"


def _bad_nodes(count: int, last: str = "") -> str:
    return '{"nodes":[' + ",".join(["0"] * count) + last + "]}"


def _bad_legs(count: int, last: str = "") -> str:
    return "graphc: 1\nname: many\nlegs:\n" + "".join(f"  a{i}: 0\n" for i in range(count)) + last


# a node the schema accepts whose symbol has whitespace around it: GC103 from graphc.inputs, not from the schema
GOOD_SHAPE_BAD_SYMBOL = (
    ',{"node_id":"last","instrument":{"symbol":" ETH-USD ","venue":"coinbase"},"side":"buy",'
    '"order_type":{"limit":{"price_1e9":2000000000000}},"quantity":{"fixed":{"qty_1e8":100000000}},'
    '"execution":{"policy":"sor"}}'
)
# a leg the schema accepts whose quantity the model cannot read: GC105 from graphc.stages.model, not the schema
UNREADABLE_LEG = "  zz: {buy: lots of ETH, symbol: ETH-USD}\n"


@pytest.fixture
def lint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")
    monkeypatch.setattr(diagnostics, "MAX_DIAGNOSTICS", LIMIT)

    def run(name, text, *args):
        write(tmp_path, name, text)
        return CliRunner().invoke(cli, ["lint", "--no-cache", *args, name])

    return run


@pytest.mark.parametrize(
    ("name", "text"),
    [("z.json", _bad_nodes(10_000, GOOD_SHAPE_BAD_SYMBOL)), ("p.yaml", _bad_legs(10_000, UNREADABLE_LEG))],
)
def test_a_file_of_10000_schema_problems_lists_the_first_and_says_checking_stopped(lint, name, text):
    result = lint(name, text)
    assert result.exit_code == 1, result.output
    out = result.stdout.splitlines()
    errors = [line for line in out if " error GC" in line]
    assert errors[0].startswith(f"{name}:1:1: error GC103 {STOPPED}")
    assert len(errors) == LIMIT  # the note and LIMIT - 1 problems: none left to count as "… and K more"
    assert all(" error GC103 " in line for line in errors)
    assert not any("more GC" in line for line in out)
    assert "hint: fix the problems listed and lint again; set GRAPHC_MAX_DIAGNOSTICS higher" in result.stdout
    assert out[-1] == f"{LIMIT} errors in 1 file"
    # the last item's own problem (a symbol check, the model's reading) was never looked for
    assert "whitespace" not in result.stdout and "GC105" not in result.stdout

    report = json.loads(lint(name, text, "-f", "json").stdout)
    listed = report["diagnostics"]
    assert len(listed) == LIMIT and report["summary"]["errors"] == LIMIT
    assert "unlisted" not in report["files"][0]
    first = listed[0]
    assert (first["code"], first["severity"], first["line"], first["column"]) == ("GC103", "error", 1, 1)
    assert first["message"].startswith(STOPPED)
    # the problems listed are the first ones, in the document's order (not jsonschema's set order of a run)
    item = "nodes" if name == "z.json" else "legs.a"
    assert [d["message"].split("`")[1] for d in listed[1:]] == [
        f"nodes.{i}" if item == "nodes" else f"legs.a{i}" for i in range(LIMIT - 1)
    ]


def test_the_schema_check_pulls_no_more_than_the_limit_from_jsonschema(monkeypatch):
    """The work is bounded: jsonschema is asked for LIMIT + 1 errors of a 10,000-problem file, not 10,000."""
    monkeypatch.setattr(diagnostics, "MAX_DIAGNOSTICS", LIMIT)
    real = validate.validator
    pulled = []

    class Counting:
        def __init__(self, check):
            self.check, self.schema = check, check.schema

        def iter_errors(self, data):
            for error in self.check.iter_errors(data):
                pulled.append(error)
                yield error

    monkeypatch.setattr(validate, "validator", lambda name: Counting(real(name)))
    for text, schema in ((_bad_nodes(10_000), validate.WIRE_SCHEMA), (_bad_legs(10_000), validate.PLAYBOOK_SCHEMA)):
        pulled.clear()
        doc, problems = load_text(text, "f.yaml")
        assert doc is not None and not problems
        found = validate.validate(doc, schema)
        assert found.stopped and len(found) == LIMIT
        assert len(pulled) == LIMIT + 1


@pytest.mark.parametrize("count", [LIMIT - 1, LIMIT])
def test_a_file_with_no_more_problems_than_the_limit_gets_no_note(lint, count):
    result = lint("z.json", _bad_nodes(count))
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if " error GC" in line]
    assert len(errors) == count and not any("schema checking stopped" in line for line in errors)
    assert result.stdout.splitlines()[-1] == f"{count} errors in 1 file"


def test_one_problem_past_the_limit_stops_the_check(lint):
    result = lint("z.json", _bad_nodes(LIMIT + 1))
    errors = [line for line in result.stdout.splitlines() if " error GC" in line]
    assert len(errors) == LIMIT and STOPPED in errors[0]
    assert f"`nodes.{LIMIT - 2}`" in result.stdout and f"`nodes.{LIMIT - 1}`" not in result.stdout


def test_the_limit_from_the_environment_stops_the_check(tmp_path):
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "p.yaml", _bad_legs(10_000, UNREADABLE_LEG))
    done = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "--no-cache", "p.yaml"],
        cwd=tmp_path,
        env={**os.environ, "GRAPHC_MAX_DIAGNOSTICS": "7", "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(
        "p.yaml:1:1: error GC103 schema checking stopped after 6 problems, at GRAPHC_MAX_DIAGNOSTICS (7 findings"
    )
    assert done.stdout.rstrip().endswith("\n7 errors in 1 file")


def test_graph_and_decompile_read_no_further_than_the_schema_check(monkeypatch):
    from graphc.wire_input import read_graph_input

    monkeypatch.setattr(diagnostics, "MAX_DIAGNOSTICS", LIMIT)
    loaded = read_graph_input(_bad_nodes(10_000, GOOD_SHAPE_BAD_SYMBOL), "z.json")
    assert len(loaded.diagnostics) == LIMIT
    assert any(d.message.startswith(STOPPED) for d in loaded.diagnostics)
    assert not any("whitespace" in d.message for d in loaded.diagnostics)


def test_the_sandbox_says_there_may_be_more(monkeypatch):
    from graphc.sandbox.validate import ValidationError, parse_submission

    monkeypatch.setattr(diagnostics, "MAX_DIAGNOSTICS", LIMIT)
    with pytest.raises(ValidationError) as refused:
        parse_submission(_bad_nodes(10_000).encode())
    assert str(refused.value).endswith(f"(and at least {LIMIT - 1} more)")
