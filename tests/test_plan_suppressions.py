"""A playbook's `# graphc: ignore[...]` comments through `plan`, `plan -o` and `submit PLAN` (audit rules23 1, 5).

A saved plan holds the compiled JSON, which has no comments: it records the suppressions that shaped `plan`'s
verdict, each as the code, the wire node or edge its finding is about and the comment's file:line, covered by
`plan_sha256`, and the plan's graph is linted again with exactly those. `plan` (and submit's live prompt) names
what comments hid, beside the checks graphc.toml turns off. The real CLI as separate processes, against
`graphc sandbox serve` (tests/sandbox_fixture.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sandbox_fixture import cli_env, on_a_terminal, run_graphc

from graphc.cli import cli
from graphc.plan import plan_digest

KALSHI = (
    "graphc: 1\n"
    "name: sup-plan\n"
    "legs:\n"
    "  entry:\n"
    "    buy: 10 contracts\n"
    "    symbol: KXFEDDECISION-26DEC-C25\n"
    "    limit: 0.405  # graphc: ignore[GC303]\n"
)
TOUCH = (
    "graphc: 1\n"
    "name: s2-touch\n"
    "legs:\n"
    "  entry:\n"
    "    buy: 0.01 BTC\n"
    "    symbol: BTC-USD\n"
    "    venue: coinbase\n"
    "    limit: 100000.00  # graphc: ignore[GC404] -- desk accepts the touch\n"
)
TOUCH_QUOTES = "BTC-USD: {bid: 99999.99, ask: 100000.00}\n"

# (files of the project, extra arguments of plan, the code hidden, the line of its comment)
CASES = {
    "kalshi-off-tick": ({"p.yaml": KALSHI}, [], "GC303", 7),
    "strict-touch": (
        {"p.yaml": TOUCH, "q.yaml": TOUCH_QUOTES, "graphc.toml": "strict = true\n"},
        ["--quotes", "q.yaml"],
        "GC404",
        8,
    ),
}


def project_with(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def graphc(args, env, cwd):
    return run_graphc(args, env, cwd)


@pytest.mark.parametrize("case", CASES)
def test_a_saved_plan_keeps_the_verdict_plan_gave_it_through_its_suppressions(sandbox, tmp_path, case):
    """`plan -o` said ready and `submit PLAN` refused the same graph: GC303 (Kalshi tick) or, with `strict = true`,
    GC404 came back because the plan's JSON has no comments (audit rules23 1)."""
    files, extra, code, line = CASES[case]
    env = cli_env(sandbox)
    project = project_with(tmp_path / "project", files)
    elsewhere = tmp_path / "plans"
    elsewhere.mkdir()
    plan_file = elsewhere / "plan.json"
    planned = graphc(["plan", "p.yaml", *extra, "-o", plan_file], env, project)
    assert planned.returncode == 0, planned.stderr
    said = f"suppressed by comments: {code} (p.yaml:{line})"
    assert said in planned.stdout, planned.stdout
    data = json.loads(plan_file.read_text())
    assert data["suppressed"] == [{"code": code, "node": "entry", "directive": f"p.yaml:{line}"}]

    again = graphc(["plan", plan_file, "-o", "resaved.json"], env, elsewhere)  # it was: rc 1, an error again
    assert again.returncode == 0, again.stderr
    assert code not in again.stderr and said in again.stdout, (again.stdout, again.stderr)
    assert json.loads((elsewhere / "resaved.json").read_text())["suppressed"] == data["suppressed"]  # kept

    # a hand edit of what the plan keeps is refused as any edit is: no suppression, or one on another node
    for edited in ([], [{"code": code, "node": "entry", "directive": "elsewhere.yaml:1"}]):
        plan_file.write_text(json.dumps(data | {"suppressed": edited}))
        refused = graphc(["submit", plan_file], env, elsewhere)
        assert refused.returncode == 2 and "was modified after it was planned" in refused.stderr, refused.stderr
    # one re-hashed on purpose (the hashes are no signature) applies to its own node only: the finding is back
    moved = data | {"suppressed": [{"code": code, "node": "hedge", "directive": f"p.yaml:{line}"}]}
    plan_file.write_text(json.dumps(moved | {"plan_sha256": plan_digest(moved)}))
    refused = graphc(["submit", plan_file], env, elsewhere)
    assert refused.returncode == 1 and f"error {code} " in refused.stderr, refused.stderr
    assert sandbox.graphs() == []

    plan_file.write_text(json.dumps(data))
    sent = graphc(["submit", plan_file], env, elsewhere)  # it was: rc 1, "lint found errors"
    assert sent.returncode == 0 and "submitted " in sent.stdout, sent.stderr
    (graph,) = sandbox.graphs()
    assert graph["graph_id"] in sent.stdout


def test_a_suppression_on_an_edge_is_kept_for_that_edge(sandbox, tmp_path):
    """A finding about an edge (GC208 at `after:`) is recorded by the edge's id."""
    env = cli_env(sandbox)
    playbook = (
        "graphc: 1\nname: stop-at-once\nlegs:\n"
        "  entry: {buy: 0.01 BTC, symbol: BTC-USD, limit: 90000}\n"
        "  stop:\n"
        "    sell: 0.01 BTC\n"
        "    symbol: BTC-USD\n"
        "    after: entry price BTC-USD below entry 5%  # graphc: ignore[GC208]\n"
    )
    project = project_with(tmp_path / "project", {"p.yaml": playbook})
    lint = graphc(["lint", "--no-cache", "p.yaml"], env, project)
    assert lint.returncode == 0, lint.stdout
    planned = graphc(["plan", "p.yaml", "-o", "plan.json"], env, project)
    assert planned.returncode == 0, planned.stderr
    assert "suppressed by comments: GC208 (p.yaml:8)" in planned.stdout, planned.stdout
    kept = json.loads((project / "plan.json").read_text())["suppressed"]
    assert kept == [{"code": "GC208", "edge": "e0", "directive": "p.yaml:8"}]
    sent = graphc(["submit", "plan.json"], env, project)
    # graphc's own re-lint passes (the plan kept the edge's suppression) and sends the graph; the local sandbox
    # runs lint's graph rules itself (docs/submitting.md), which no comment reaches, so it is the one that refuses
    assert sent.returncode == 3 and "lint found errors" not in sent.stderr, sent.stderr
    assert "HTTP 400" in sent.stderr and len(sandbox.requests("POST", "/v1/orders")) == 1, sent.stderr


def test_a_suppression_about_no_one_leg_is_not_kept_and_a_plan_that_needs_it_is_not_saved(sandbox, tmp_path):
    """GC503 (the gross notional, at `risk:`) is about no one node or edge: a saved plan cannot keep it. Where the
    saved graph passes without it (a warning), the plan is saved and its re-lint shows it; where it would be
    refused (`strict = true`), `plan -o` says why and writes nothing: never a plan `submit` refuses."""
    env = cli_env(sandbox)
    playbook = (
        "graphc: 1\nname: basis\n"
        "risk:\n"
        "  max_notional: 25000  # graphc: ignore[GC503]\n"
        "legs:\n"
        "  spot: {buy: 0.25, symbol: BTC-USD, limit: 60000}\n"
        "  perp: {sell: 0.25, symbol: BTC-USD-PERP, limit: 60050, after: spot filled}\n"
    )
    project = project_with(tmp_path / "project", {"p.yaml": playbook})
    planned = graphc(["plan", "p.yaml", "-o", "plan.json"], env, project)
    assert planned.returncode == 0, planned.stderr
    assert "suppressed by comments: GC503 (p.yaml:4)" in planned.stdout
    assert "suppressed" not in json.loads((project / "plan.json").read_text())  # nothing to keep
    again = graphc(["plan", "plan.json"], env, project)
    assert again.returncode == 0 and "warning GC503" in again.stderr, again.stderr

    (project / "graphc.toml").write_text("strict = true\n")
    (project / "plan.json").unlink()
    planned = graphc(["plan", "p.yaml", "-o", "plan.json"], env, project)
    assert planned.returncode == 2, planned.stderr
    assert "GC503 (p.yaml:4)" in planned.stderr and "is about no one leg or edge" in planned.stderr, planned.stderr
    assert not (project / "plan.json").exists()
    assert graphc(["submit", "p.yaml"], env, project).returncode == 0  # the playbook itself keeps its comments


def test_plan_names_the_findings_comments_hide(sandbox, tmp_path):
    """A `# graphc: ignore[...]` that hides an error (GC301: a $0.50 Polymarket order that rests forever) is
    named beside the checks graphc.toml turns off, as they are, so "ready" hides neither (audit rules23 5)."""
    env = cli_env(sandbox)
    playbook = (
        "graphc: 1\nname: tiny\n"
        "# graphc: ignore-file[GC301]\n"
        "legs:\n"
        "  a: {buy: 5 shares, symbol: 'will-it-rain:yes', limit: 0.1}\n"
        "  b: {buy: 10 contracts, symbol: KXFEDDECISION-26DEC-C25, limit: 0.405}  # graphc: ignore[GC303, GC406]\n"
    )
    project = project_with(tmp_path / "project", {"p.yaml": playbook, "graphc.toml": '[rules]\nGC304 = "off"\n'})
    planned = graphc(["plan", "p.yaml"], env, project)
    assert planned.returncode == 0, planned.stderr
    lines = planned.stdout.splitlines()
    at = lines.index("checks turned off by graphc.toml: GC304")
    assert lines[at + 1] == "suppressed by comments: GC301 (p.yaml:3), GC303 (p.yaml:6)", planned.stdout
    # submit's live prompt shows the summary, and so both lines
    (project / "live.yaml").write_text(playbook.replace("name: tiny\n", "name: tiny\nsandbox: false\n"))
    code, _, err = on_a_terminal(["submit", "live.yaml", "--live"], env, project, b"n\n")
    assert code == 2 and "GC304\nsuppressed by comments: GC301 (live.yaml:4), GC303 (live.yaml:7)\n" in err, err
    assert sandbox.graphs() == []

    (project / "p.yaml").write_text(playbook.replace("limit: 0.1}", "limit: 0.3}").replace("0.405", "0.41"))
    clean = graphc(["plan", "p.yaml"], env, project)
    assert clean.returncode == 0 and "suppressed by comments" not in clean.stdout, clean.stdout


def test_a_for_each_legs_suppression_is_kept_for_each_copy(tmp_path, monkeypatch):
    """One comment on a `for_each` leg hides a finding on each copy: the plan keeps one suppression a copy."""
    project = project_with(tmp_path, {"p.yaml": KALSHI.replace("  entry:\n", "  k:\n    for_each: 3\n")})
    monkeypatch.chdir(project)
    planned = CliRunner().invoke(cli, ["plan", "p.yaml", "-o", "plan.json"], catch_exceptions=False)
    assert planned.exit_code == 0 and "suppressed by comments: GC303 (p.yaml:8)\n" in planned.output, planned.output
    kept = json.loads((project / "plan.json").read_text())["suppressed"]
    assert kept == [{"code": "GC303", "node": f"k-{i}", "directive": "p.yaml:8"} for i in range(3)]
    again = CliRunner().invoke(cli, ["plan", "plan.json"], catch_exceptions=False)
    assert again.exit_code == 0 and "GC303 (p.yaml:8)" in again.output, again.output
