"""A --quotes snapshot with problems is shown by compile, plan, submit and graph exactly as `graphc lint` shows it.

A snapshot's own problems (bad YAML, a bid that is not a number, an unknown field) were printed without the
snippet of the line, through a result of their own in lint, compile and submit; the project's graphc.toml
was already shown through one path (lint.located_result). The snapshot now goes through it too: the same block,
with the line of the snapshot under each diagnostic, in every command, and the same exit, 1 (spec §8: an
error stops the command; nothing is compiled, planned or sent).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_fixture import cli_env, run_graphc

BOOK = "graphc: 1\nname: pair\nlegs:\n  long: {buy: 2 ETH, symbol: ETH-USD, limit: 2300}\n"
BROKEN = {
    "yaml": (
        "ETH-USD: [\n",
        """\
bad.yaml:2:1: error GC100 YAML syntax error: did not find expected node content (while parsing a flow node)
  |
2 |
  | ^
  hint: check the indentation and quoting on this line""",
    ),
    "bid-and-field": (
        "ETH-USD:\n  bid: abc\n  ask: 2301\n  colour: red\n",
        """\
bad.yaml:2:8: error GC105 quote ETH-USD.bid: cannot read 'abc' as a price
  |
2 |   bid: abc
  |        ^~~
  hint: write a literal ('0.55', '55c', '$2,325.53') or a base with offsets ('ask + 1 tick', 'bid - 2 ticks', \
'mid - 25bps', 'bid - 0.5%', 'last + 5c', 'ask + $0.01', 'trigger - 0.5%')

bad.yaml:4:3: error GC102 unknown quote field 'colour' for 'ETH-USD'
  |
4 |   colour: red
  |   ^~~~~~
  hint: quote fields are bid, ask, last, mid, tick, lot""",
    ),
}


def make_project(root: Path, quotes: str) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "bad.yaml").write_text(quotes)
    (root / "book.yaml").write_text(BOOK)
    return root


def quotes_block(output: str) -> str:
    """The snapshot's block: every paragraph about bad.yaml, in order, up to the first about another file."""
    blocks = [b.strip("\n") for b in output.split("\n\n")]
    start = next(i for i, b in enumerate(blocks) if b.startswith("bad.yaml:"))
    end = next((i for i in range(start, len(blocks)) if not blocks[i].startswith("bad.yaml:")), len(blocks))
    return "\n\n".join(blocks[start:end])


def linted_block(project: Path, env=None) -> str:
    linted = run_graphc(["lint", "--no-cache", "book.yaml", "--quotes", "bad.yaml"], env, project)
    assert linted.returncode == 1, linted
    return quotes_block(linted.stdout)


@pytest.mark.parametrize("broken", list(BROKEN))
def test_lint_shows_the_snapshots_problems_with_their_lines(tmp_path, broken):
    quotes, expected = BROKEN[broken]
    assert linted_block(make_project(tmp_path / "project", quotes)) == expected


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize("command", ["compile", "plan"])
def test_compile_and_plan_print_lints_block_for_the_snapshot_and_exit_1(tmp_path, broken, command):
    quotes, expected = BROKEN[broken]
    project = make_project(tmp_path / "project", quotes)
    proc = run_graphc([command, "book.yaml", "--quotes", "bad.yaml"], None, project)
    assert proc.returncode == 1, proc
    assert quotes_block(proc.stderr) == expected == linted_block(project)
    if command == "compile":
        assert proc.stdout == ""  # no graph from prices that could not be read
    else:
        assert "graphc: not ready to submit: bad.yaml has errors (see above)" in proc.stderr


# audit pict22 2: `graph` never read the snapshot of a wire graph (and showed no snapshot's problems at all).
@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize("source", ["book.yaml", "wire.json"])
def test_graph_prints_lints_block_for_the_snapshot_and_exit_1(tmp_path, broken, source):
    quotes, expected = BROKEN[broken]
    project = make_project(tmp_path / "project", quotes)
    compiled = run_graphc(["compile", "book.yaml", "-o", "wire.json"], None, project)
    assert compiled.returncode == 0, compiled
    proc = run_graphc(["graph", source, "--quotes", "bad.yaml", "-o", "book.mmd"], None, project)
    assert proc.returncode == 1, proc
    assert quotes_block(proc.stderr) == expected == linted_block(project)
    assert not (project / "book.mmd").exists()


@pytest.mark.parametrize("broken", list(BROKEN))
def test_submit_prints_lints_block_for_the_snapshot_and_sends_nothing(sandbox, tmp_path, broken):
    quotes, expected = BROKEN[broken]
    project = make_project(tmp_path / "project", quotes)
    env = cli_env(sandbox)
    proc = run_graphc(["submit", "book.yaml", "--quotes", "bad.yaml", "--yes"], env, project)
    assert proc.returncode == 1, proc
    assert "submitted" not in proc.stdout
    assert quotes_block(proc.stderr) == expected == linted_block(project, env)
    assert "graphc: refused: bad.yaml has errors (see above)" in proc.stderr
    assert sandbox.requests("POST") == [] and sandbox.graphs() == []
