"""The GitHub Action, the pre-commit hooks and their documentation agree with each other."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import pytest
import yaml

from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
HOOKS_TEXT = (REPO / ".pre-commit-hooks.yaml").read_text()
HOOKS = {hook["id"]: hook for hook in yaml.safe_load(HOOKS_TEXT)}
DOC = (REPO / "docs" / "integrations.md").read_text()


def test_action_installs_graphc_lints_to_sarif_and_uploads():
    assert ACTION["runs"]["using"] == "composite"
    assert {"paths", "python-version", "args"} <= set(ACTION["inputs"])
    steps = ACTION["runs"]["steps"]
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert "pip install" in scripts
    assert 'graphc lint --format sarif -o "$SARIF"' in scripts
    assert any(step.get("uses", "").startswith("actions/setup-python@") for step in steps)
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "${{ inputs." not in scripts  # inputs reach scripts through env, never pasted into them


def test_the_action_uploads_under_a_category_the_workflow_chooses():
    """Audit ci16 #5: the upload hard-coded `category: graphc`; several uses of the action for one commit (a step
    per desk, a matrix) need a category each, or their analyses replace one another in code scanning."""
    assert ACTION["inputs"]["category"]["default"] == "graphc"
    upload = next(s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload"))
    assert upload["with"]["category"] == "${{ inputs.category }}"


def test_every_input_of_the_action_is_documented():
    table = DOC[DOC.index("| input | default | meaning |") :].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `([a-z-]+)` \|", table, re.M)
    assert documented == list(ACTION["inputs"])
    assert "| `category` | `graphc` |" in table


def _step_runs(condition: str, exit_code: int, fail_on_findings: str) -> bool:
    """Evaluate the `Fail` step's `if:` (an expression of ==, !=, &&, || and parentheses) for one run."""
    expression = (
        condition.replace("steps.lint.outputs.exit-code", repr(str(exit_code)))
        .replace("inputs.fail-on-findings", repr(fail_on_findings))
        .replace("&&", " and ")
        .replace("||", " or ")
    )
    assert re.fullmatch(r"[\s'a-z0-9=!()]+", expression), expression  # nothing but what we substituted
    return eval(expression)


@pytest.mark.parametrize("fail_on_findings", ["true", "false"])
@pytest.mark.parametrize("exit_code", [0, 1, 2, 3, 4])
def test_action_fails_on_any_exit_code_but_findings_when_told_not_to(exit_code, fail_on_findings):
    [step] = [step for step in ACTION["runs"]["steps"] if step.get("name") == "Fail on findings"]
    expected = exit_code >= 2 or (exit_code == 1 and fail_on_findings == "true")  # 2, 3, 4: always
    assert _step_runs(step["if"], exit_code, fail_on_findings) == expected
    assert 'exit "$CODE"' in step["run"]


def _step(name: str) -> dict:
    [step] = [step for step in ACTION["runs"]["steps"] if step.get("id") == name or step.get("name") == name]
    return step


def _run_step(step: dict, env: dict, cwd) -> subprocess.CompletedProcess:
    """A step's `run:` script, as the runner runs it (`bash --noprofile --norc -eo pipefail`)."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def _run_lint_step(tmp_path, *, bin_dir=None, **inputs) -> tuple[subprocess.CompletedProcess, dict]:
    """The action's Lint step run for real in ``tmp_path`` with ``inputs`` (its env names: PATHS, ARGS, SARIF, ...;
    ARGS empty and SARIF graphc.sarif unless given): the finished script and the outputs it wrote."""
    outputs_file = tmp_path / "github_output"
    outputs_file.write_text("")
    env = {
        "PATH": (bin_dir or os.path.dirname(sys.executable)) + os.pathsep + os.environ["PATH"],
        "ARGS": "",
        "SARIF": "graphc.sarif",
        **inputs,
        "GITHUB_OUTPUT": str(outputs_file),
        "PYTHONPATH": str(REPO),
    }
    lint = _run_step(_step("lint"), env, tmp_path)
    assert lint.returncode == 0, lint.stderr  # the step records the status; the Fail step decides
    return lint, dict(line.split("=", 1) for line in outputs_file.read_text().splitlines())


PLAYBOOK = "graphc: 1\nname: p\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n"


# graphc with a bug: building any wire graph raises (a fault injected into the real code, as in test_exit_codes)
BUGGY_GRAPHC = """#!/bin/sh
exec "{python}" -c '
import sys
import graphc.stages.model
def build_wire(*args, **kwargs):
    raise KeyError("injected")
graphc.stages.model.build_wire = build_wire
from graphc.cli import main
main(sys.argv[1:])
' "$@"
"""


@pytest.mark.parametrize(
    ("case", "exit_code", "has_sarif"),
    [
        ("clean", 0, "true"),
        ("finding", 1, "true"),
        ("unreadable", 2, "true"),
        ("the router unreachable", 3, None),  # audit ci28 4: `args: --quotes live`, nothing listening
        ("a bug in graphc", 4, "true"),  # issue 12: a crash exited 1 and the job went green, without a SARIF
        ("a graphc that dies at once", 4, None),
    ],
)
def test_the_action_with_fail_on_findings_false_still_fails_on_anything_but_findings(
    tmp_path, case, exit_code, has_sarif
):
    """The Lint and Fail steps' scripts run for real: graphc's exit code decides, the SARIF is kept when written."""
    plays = tmp_path / "plays"
    plays.mkdir()
    (plays / "a.yaml").write_text(PLAYBOOK if case != "finding" else PLAYBOOK.replace("2000}", "2000, after: b}"))
    if case == "unreadable":
        (plays / "b.yaml").write_bytes(b"graphc: 1\nname: caf\xe9\n")
    bin_dir = os.path.dirname(sys.executable)  # graphc of this environment
    if case.startswith("a bug") or case.startswith("a graphc"):
        bin_dir = str(tmp_path / "bin")
        os.mkdir(bin_dir)
        script = BUGGY_GRAPHC.format(python=sys.executable) if case.startswith("a bug") else "#!/bin/sh\nexit 4\n"
        (tmp_path / "bin" / "graphc").write_text(script)
        (tmp_path / "bin" / "graphc").chmod(0o755)
    live = {}
    if case.startswith("the router"):
        with socket.socket() as closed:  # a port just free: nothing listens there
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        live = {"ARGS": "--quotes live", "SEQUENCE_API_URL": f"http://127.0.0.1:{port}"}
    lint, outputs = _run_lint_step(tmp_path, bin_dir=bin_dir, PATHS="plays", SARIF="reports/graphc.sarif", **live)
    assert outputs["exit-code"] == str(exit_code), lint.stdout + lint.stderr
    assert outputs.get("has-sarif") == has_sarif  # -o made the folder; a run that wrote nothing uploads nothing
    fail_step = _step("Fail on findings")
    runs = _step_runs(fail_step["if"], exit_code, "false")
    assert runs == (exit_code >= 2)
    if runs:
        fail = _run_step(fail_step, {"CODE": outputs["exit-code"]}, tmp_path)
        assert fail.returncode == exit_code
        assert f"::error title=graphc lint::graphc lint exited {exit_code}" in fail.stdout
        assert "it failed (see the log above)" not in fail.stdout  # each status says what it means


def test_the_action_never_uploads_a_sarif_file_left_from_before(tmp_path):
    """Audit ci16 #4: a usage error (exit 2) writes no report; the SARIF an earlier run left (a second use of the
    action in one job, a runner that keeps its workspace) was uploaded as this run's clean analysis."""
    playbook = tmp_path / "plays" / "a.yaml"
    playbook.parent.mkdir()
    playbook.write_text(PLAYBOOK)
    stale = tmp_path / "graphc.sarif"
    stale.write_text('{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "graphc"}}, "results": []}]}')
    # no such quotes file: exit 2 before any report is written
    lint, outputs = _run_lint_step(tmp_path, PATHS="plays", ARGS="--quotes nope.yaml")
    assert outputs["exit-code"] == "2", lint.stdout + lint.stderr
    assert "has-sarif" not in outputs and not stale.exists()  # the upload step does not run


def test_the_action_takes_paths_with_spaces_one_per_line(tmp_path):
    """Audit ci16 #8: `paths` is split on whitespace (kept: `paths: a/ b/` works as it always did), so
    `playbooks/my hedge.yaml` became `playbooks/my` and `hedge.yaml` (GC112). `path-list` takes one path per line."""
    for name in ("my hedge.yaml", "other.yaml", "more/b.yaml"):
        (tmp_path / "plays" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "plays" / name).write_text(PLAYBOOK.replace("2000}", "2000, after: b}"))  # a finding each
    lint, outputs = _run_lint_step(
        tmp_path,
        PATHS="plays/other.yaml\n plays/more",  # the whitespace-separated input, as before
        PATH_LIST="plays/my hedge.yaml\n\n  plays/more/b.yaml  \n",  # surrounding blanks and empty lines: ignored
        ARGS="--no-cache",
    )
    assert outputs["exit-code"] == "1", lint.stdout + lint.stderr
    run = json.loads((tmp_path / "graphc.sarif").read_text())["runs"][0]
    found = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"])
    assert found == ["plays/more/b.yaml", "plays/my%20hedge.yaml", "plays/other.yaml"]  # b.yaml linted once


def test_the_action_passes_paths_after_a_double_dash(tmp_path):
    """Audit ci19 #8: a path starting with `-` was read as an option of graphc lint (exit 2)."""
    (tmp_path / "-dash.yaml").write_text(PLAYBOOK.replace("2000}", "2000, after: b}"))  # a finding
    lint, outputs = _run_lint_step(tmp_path, PATH_LIST="-dash.yaml", ARGS="--no-cache")
    assert outputs["exit-code"] == "1", lint.stdout + lint.stderr
    run = json.loads((tmp_path / "graphc.sarif").read_text())["runs"][0]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"-dash.yaml"}


@pytest.mark.parametrize(
    "args",
    [
        "-o reports/x.sarif",
        "--output reports/x.sarif",
        "--output=reports/x.sarif",
        "-oreports/x.sarif",
        "--format json",
        "-f json",
        "--format=json",
        "-fjson",
        "--strict --output reports/x.sarif",
    ],
)
def test_the_action_refuses_args_that_take_its_report_away(tmp_path, args):
    """Audit ci19 #8: `-o`/`--format` in `args` came after the action's own `--format sarif -o`, so graphc wrote the
    report elsewhere (or in another format): nothing was uploaded and nothing said why."""
    (tmp_path / "a.yaml").write_text(PLAYBOOK)
    lint, outputs = _run_lint_step(tmp_path, PATHS="a.yaml", ARGS=args)
    assert outputs["exit-code"] == "2" and "has-sarif" not in outputs, lint.stdout + lint.stderr
    assert "::error title=graphc lint::" in lint.stdout and "`sarif-file`" in lint.stdout
    assert not (tmp_path / "reports").exists() and not (tmp_path / "graphc.sarif").exists()  # graphc did not run
    fail = _run_step(_step("Fail on findings"), {"CODE": outputs["exit-code"]}, tmp_path)
    assert fail.returncode == 2


def test_pre_commit_hooks():
    assert HOOKS["graphc-lint"]["entry"] == "graphc lint --ignore-unknown --dependants"
    assert HOOKS["graphc-lint"]["files"] == r"(?i)\.(ya?ml|json)$"
    assert HOOKS["graphc-fmt"]["entry"] == "graphc fmt --check"
    assert all(hook["language"] == "python" for hook in HOOKS.values())
    assert re.search(HOOKS["graphc-fmt"]["files"], "playbooks/hedge.yaml")


@pytest.mark.parametrize("name", ["p/HEDGE.YAML", "p/hedge.Yml", "p/graph.JSON"])
def test_pre_commit_hooks_take_upper_case_suffixes(name):
    """audit fmtdec #4: `files: \\.ya?ml$` never passed `HEDGE.YAML`, which lint and fmt both read when named.
    pre-commit matches `files` with Python's re.search (https://pre-commit.com/#regular-expressions)."""
    assert re.search(HOOKS["graphc-lint"]["files"], name)
    assert re.search(HOOKS["graphc-fmt"]["files"], name) or name.endswith(".JSON")


def test_documented_examples_parse_and_match():
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    assert workflow["permissions"]["security-events"] == "write"
    lint_step = next(s for s in workflow["jobs"]["lint"]["steps"] if "with" in s and "paths" in s["with"])
    assert set(lint_step["with"]) <= set(ACTION["inputs"])
    config = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    assert {hook["id"] for hook in config["repos"][0]["hooks"]} == set(HOOKS)
    assert "# yaml-language-server: $schema=" in DOC


# -- the graphc-lint hook when a `use:` template is deleted or renamed -------------------------------------------
# pre-commit passes only files that still exist (`git diff --staged --diff-filter=ACMRTUXB`): a deleted template is
# never named, and a renamed one only by its new name. Audit ci.md #3: both commits passed, leaving playbooks GC107.

INNER = "graphc-template: 1\nlegs:\n  x: {buy: 1 BTC, symbol: BTC-USD, venue: coinbase, limit: 97000}\n"
OUTER = "graphc-template: 1\nlegs:\n  o: {use: ./inner.yaml}\n"
USER = "graphc: 1\nname: p\nlegs:\n  o: {use: ./templates/outer.yaml}\n"


@pytest.fixture
def hooked(tmp_path, monkeypatch):
    """A repository as pre-commit sees it: playbooks/p.yaml uses templates/outer.yaml, which uses inner.yaml."""
    (tmp_path / ".git").mkdir()
    for name, text in {"templates/inner.yaml": INNER, "templates/outer.yaml": OUTER, "p.yaml": USER}.items():
        (tmp_path / "playbooks" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "playbooks" / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run_hook(*staged: str):
    """The graphc-lint hook as pre-commit runs it: its entry, then the staged files that still exist."""
    from click.testing import CliRunner

    from graphc.cli import cli

    hook = HOOKS["graphc-lint"]
    # always_run: a commit whose only change in scope is a deletion still runs the hook, with no file named
    assert staged or hook.get("always_run") is True
    program, *args = hook["entry"].split()
    assert program == "graphc"
    return CliRunner().invoke(cli, [*args, "--no-cache", *staged])


def test_the_hook_runs_serially_and_on_commits_with_no_file_left_to_name():
    hook = HOOKS["graphc-lint"]
    assert hook["always_run"] is True and hook.get("pass_filenames", True) is True
    assert hook["require_serial"] is True  # one graphc at a time (it has its own -j), not several batches at once


def test_the_docs_say_a_long_file_list_is_still_linted_in_batches():
    """Audit ci16 #6: require_serial only stops pre-commit running batches at once; it still cuts a long list of
    file names into batches (about 128 KiB of command line), one `graphc lint` each, so the docs must not promise
    one run per commit, and say what a second batch repeats."""
    doc = " ".join(DOC.split())
    assert "one `graphc lint` per commit" not in doc and "searched once" not in doc
    assert "one `graphc lint` per batch" in doc and "reported once per batch" in doc
    assert "searched once" not in " ".join(HOOKS_TEXT.split())


def test_the_hook_fails_a_commit_that_deletes_a_template_still_used(hooked):
    assert _run_hook().exit_code == 0  # nothing named, nothing dangling: a commit outside the playbooks passes
    (hooked / "playbooks" / "templates" / "outer.yaml").unlink()  # git rm; pre-commit names no file
    result = _run_hook()
    assert result.exit_code == 1, result.output
    assert "playbooks/p.yaml:4:12: error GC107 template file not found: ./templates/outer.yaml" in result.output


def test_the_hook_fails_a_commit_that_renames_a_template_still_used(hooked):
    templates = hooked / "playbooks" / "templates"
    (templates / "inner.yaml").rename(templates / "inner2.yaml")  # git mv; pre-commit names the new name only
    result = _run_hook("playbooks/templates/inner2.yaml")
    assert result.exit_code == 1, result.output
    # outer.yaml's `use:` (line 3, column 12) now points nowhere; p.yaml, which uses outer.yaml, is linted
    assert "playbooks/templates/outer.yaml:3:12: error GC107 template file not found: ./inner.yaml" in result.output
    assert "in 2 files" in result.output  # inner2.yaml and p.yaml


def test_the_hook_still_passes_playbooks_that_use_templates_that_exist(hooked):
    result = _run_hook("playbooks/p.yaml")
    assert result.exit_code == 0, result.output
    assert "no problems in 1 file" in result.output


def test_lint_still_needs_paths_without_dependants(hooked):
    from click.testing import CliRunner

    from graphc.cli import cli

    result = CliRunner().invoke(cli, ["lint", "--no-cache"])
    assert result.exit_code == 2 and "Missing argument 'PATHS...'" in result.output


# -- the graphc-lint hook when the template sits in a nested project -----------------------------------------------
# Audit ci16 #1: `use:` lets a playbook reach any template inside its own project root, including one in a subfolder
# with a graphc.toml of its own; --dependants searched only the template's (nested) project, so a commit that broke a
# playbook of the enclosing project passed.

HEDGE = (
    "graphc-template: 1\nparams:\n  size: {type: quantity}\nlegs:\n  short:\n"
    '    sell: "{{ size }}"\n    symbol: ETH-USD-PERP\n    venue: hyperliquid\n    limit: 2400.5\n'
)
RENAMED = HEDGE.replace("  size: {type: quantity}", "  qty: {type: quantity}").replace("{{ size }}", "{{ qty }}")


def _hedge_user(name: str, use: str) -> str:
    return (
        f"graphc: 1\nname: {name}\nlegs:\n  spot:\n    buy: 2 ETH\n    symbol: ETH-USD\n    venue: coinbase\n"
        f"    limit: 2325.50\n  hedge:\n    use: {use}\n    with: {{size: 2 ETH}}\n    after: spot filled\n"
    )


@pytest.fixture
def nested(tmp_path, monkeypatch):
    """outer/ (a graphc.toml, not in the repository) holds repo/ (.git), whose templates/ folder has a graphc.toml of
    its own: repo/p.yaml and repo/templates/q.yaml use templates/hedge.yaml, and so does outer/o.yaml (inside its
    own root, but outside the repository); repo/desk/ is a project that does not hold the template."""
    outer = tmp_path / "outer"
    repo = outer / "repo"
    (repo / ".git").mkdir(parents=True)
    files = {
        outer / "graphc.toml": "",
        outer / "o.yaml": _hedge_user("o", "./repo/templates/hedge.yaml"),
        repo / "templates" / "graphc.toml": '[markets."ETH-USD-PERP"]\nsz_decimals = 4\n',
        repo / "templates" / "hedge.yaml": HEDGE,
        repo / "templates" / "q.yaml": _hedge_user("q", "./hedge.yaml"),
        repo / "p.yaml": _hedge_user("p", "./templates/hedge.yaml"),
        repo / "desk" / "graphc.toml": "",
        # `..` leads out of desk/'s root: GC107 whenever it is linted, never a user of the template
        repo / "desk" / "d.yaml": _hedge_user("d", "../templates/hedge.yaml"),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(repo)
    return repo


def test_the_hook_fails_a_template_change_that_breaks_a_playbook_of_the_enclosing_project(nested):
    assert _run_hook("templates/hedge.yaml").exit_code == 0
    (nested / "templates" / "hedge.yaml").write_text(RENAMED)  # the param renamed; its users still give `size`
    result = _run_hook("templates/hedge.yaml")
    assert result.exit_code == 1, result.output
    assert (
        "p.yaml:10:10: error GC108 template templates/hedge.yaml: param `qty` (quantity) is required" in result.output
    )
    assert "p.yaml:11:12: error GC108 template templates/hedge.yaml: unknown param `size`" in result.output
    assert "templates/q.yaml:10:10: error GC108" in result.output  # the template's own project: still searched
    # outer/o.yaml is outside the repository, desk/d.yaml cannot reach the template: neither is searched
    assert "in 3 files" in result.output and "outer/o.yaml" not in result.output and "desk/" not in result.output


def test_the_hook_fails_a_commit_that_deletes_a_template_of_a_nested_project_still_used(nested):
    (nested / "templates" / "hedge.yaml").unlink()  # git rm, and q.yaml changed: pre-commit names q.yaml only
    result = _run_hook("templates/q.yaml")
    assert result.exit_code == 1, result.output
    assert "p.yaml:10:10: error GC107 template file not found: ./templates/hedge.yaml" in result.output
    assert "outer/o.yaml" not in result.output and "desk/" not in result.output


def test_dependants_outside_a_repository_climb_the_projects_that_declare_themselves(nested):
    (nested / ".git").rmdir()  # no repository: outer/graphc.toml is now the outermost project around the template
    (nested / "templates" / "hedge.yaml").write_text(RENAMED)
    result = _run_hook("templates/hedge.yaml")
    assert result.exit_code == 1, result.output
    assert "/outer/o.yaml:10:10: error GC108" in result.output and "p.yaml:10:10: error GC108" in result.output
    assert "in 4 files" in result.output and "desk/" not in result.output


# -- the graphc-lint hook and git's index: what the commit holds ----------------------------------------------------
# pre-commit names the staged files that match the hook's `files:` (the config's `files:` replaces the hook's own), and
# leaves files git does not track on disk. Audit ci19 #3: with the docs' `files: ^playbooks/`, a commit that renamed a
# param of a template kept in templates/ named no file and passed, leaving its users GC108. Audit ci19 #7: a commit whose
# playbook used a template git does not track (never added, or `git rm --cached`) passed, graphc reading it from disk.


def _git(*args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a"}
    env["GIT_COMMITTER_EMAIL"] = "a@b"
    return subprocess.run(["git", *args], env=env, check=True, capture_output=True, text=True).stdout


def _precommit_names(files: str) -> list[str]:
    """The files pre-commit names for a hook whose `files:` is ``files``: the staged ones (its own git command) that
    match it and still exist."""
    staged = _git("diff", "--staged", "--name-only", "--no-ext-diff", "-z", "--diff-filter=ACMRTUXB").split("\0")
    return [name for name in staged if name and re.search(files, name) and os.path.isfile(name)]


DESK = "playbooks/desk a/eth hedge.yaml"


@pytest.fixture
def committed(tmp_path, monkeypatch):
    """A git repository with one commit: the playbook DESK uses templates/hedge.yaml (outside playbooks/)."""
    monkeypatch.chdir(tmp_path)
    _git("init", "-q", ".")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "hedge.yaml").write_text(HEDGE)
    (tmp_path / DESK).parent.mkdir(parents=True)
    (tmp_path / DESK).write_text(_hedge_user("desk", "../../templates/hedge.yaml"))
    _git("add", "-A")
    _git("commit", "-qm", "desk")
    return tmp_path


def test_a_commit_that_changes_a_template_outside_the_hooks_files_still_lints_its_users(committed):
    assert _run_hook(*_precommit_names("^playbooks/")).exit_code == 0  # nothing staged: passes
    (committed / "templates" / "hedge.yaml").write_text(RENAMED)  # the param renamed; the desk still gives `size`
    _git("add", "-A")
    assert _precommit_names("^playbooks/") == []  # the template is outside `files:`: pre-commit names nothing
    result = _run_hook()
    assert result.exit_code == 1, result.output
    assert (
        f"{DESK}:10:10: error GC108 template templates/hedge.yaml: param `qty` (quantity) is required" in result.output
    )
    assert f"{DESK}:11:12: error GC108 template templates/hedge.yaml: unknown param `size`" in result.output
    assert "2 errors in 1 file" in result.output  # the template itself is out of scope: not linted on its own


def test_only_what_the_commit_stages_counts_as_changed(committed):
    (committed / "templates" / "hedge.yaml").write_text(RENAMED)  # changed on disk, not staged (pre-commit stashes
    result = _run_hook()  # it away before the hook runs; graphc reads the index, not the work tree, to choose)
    assert result.exit_code == 0 and "nothing linted" in result.output, result.output
    (committed / "notes.yaml").write_text("graphc-template: 1\nlegs: {}\n")  # a staged template no playbook uses
    _git("add", "notes.yaml")
    assert _run_hook().exit_code == 0


def test_the_documented_pre_commit_config_scopes_playbooks_and_templates():
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]
    config = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    for hook in config["repos"][0]["hooks"]:
        files = hook.get("files", HOOKS[hook["id"]]["files"])
        assert re.search(files, "playbooks/desk a/eth hedge.yaml") and re.search(files, "templates/hedge.yaml")
    doc = " ".join(DOC.split())
    assert "Scoping `files:` to the playbook folders still saves work" not in doc
    assert "templates staged in the commit" in doc


# Audit ci24 #4: the search for a template's users read only the files whose text holds `use`, so a playbook whose key
# is written with an escape (`"\x75se":`, YAML's for `use`; `"\u0075se"` in JSON) was never parsed: a commit that
# broke it passed, and the note said no playbook used the template.
ESCAPED_USERS = {
    "playbooks/esc.yaml": _hedge_user("esc", "../templates/hedge.yaml").replace("    use:", '    "\\x75se":'),
    "playbooks/esc.json": json.dumps(
        {"graphc": 1, "name": "j", "legs": {"h": {"use": "../templates/hedge.yaml", "with": {"size": "2 ETH"}}}}
    )
    .replace('"use"', '"\\u0075se"')
    .replace('"legs"', '"\\u006cegs"'),
}


def test_a_template_change_lints_the_users_whose_use_key_is_written_with_an_escape(committed):
    for name, text in ESCAPED_USERS.items():
        (committed / name).write_text(text)
        assert "use" not in text.replace("hedge.yaml", "")  # (only the escape says it)
    _git("add", "-A")
    _git("commit", "-qm", "escaped")
    assert _run_hook().exit_code == 0
    (committed / "templates" / "hedge.yaml").write_text(RENAMED)  # the param renamed; its users still give `size`
    _git("add", "-A")
    result = _run_hook("templates/hedge.yaml")
    assert result.exit_code == 1, result.output
    for name in ESCAPED_USERS:
        assert f"{name}:" in result.output and "unknown param `size`" in result.output, result.output
    assert "no playbook under" not in result.output
    assert "in 4 files" in result.output  # the template, the desk, and both escaped users
    assert "that contains `use` and `legs`, or a backslash" in " ".join(DOC.split())


@pytest.mark.parametrize("spelling", ['"graphc-t\\x65mplate"', '"graphc-template"'])
def test_a_staged_template_whose_marker_is_quoted_or_escaped_still_lints_its_users(committed, spelling):
    def spelt(text: str) -> str:
        return text.replace("graphc-template", spelling, 1)

    (committed / "templates" / "hedge.yaml").write_text(spelt(HEDGE))
    _git("add", "-A")
    _git("commit", "-qm", "spelt")
    assert _run_hook().exit_code == 0
    (committed / "templates" / "hedge.yaml").write_text(spelt(RENAMED))
    _git("add", "-A")
    result = _run_hook()  # outside the hook's `files:`: git names it, as staged
    assert result.exit_code == 1, result.output
    assert f"{DESK}:11:12: error GC108 template templates/hedge.yaml: unknown param `size`" in result.output


def test_lint_asks_git_only_for_dependants_and_works_without_it(committed, monkeypatch):
    """Only --dependants (the hook) asks git; a git that cannot answer leaves the check out, it never fails the run."""
    (committed / "templates" / "new.yaml").write_text(HEDGE)
    (committed / "playbooks" / "p2.yaml").write_text(_hedge_user("p2", "../templates/new.yaml"))
    bin_dir = committed / "bin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(f"#!/bin/sh\ntouch '{committed}/asked'\nexit 128\n")
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    from click.testing import CliRunner

    from graphc.cli import cli

    result = CliRunner().invoke(cli, ["lint", "--no-cache", "playbooks/p2.yaml"])
    assert result.exit_code == 0 and not (committed / "asked").exists(), result.output
    result = _run_hook("playbooks/p2.yaml")
    assert result.exit_code == 0 and (committed / "asked").exists(), result.output


def test_a_commit_whose_playbook_uses_a_template_git_does_not_track_fails(committed):
    (committed / "templates" / "new.yaml").write_text(HEDGE)  # made, never `git add`ed
    (committed / "playbooks" / "p2.yaml").write_text(_hedge_user("p2", "../templates/new.yaml"))
    _git("add", "playbooks/p2.yaml")
    result = _run_hook(*_precommit_names(HOOKS["graphc-lint"]["files"]))
    assert result.exit_code == 1, result.output
    assert (
        "playbooks/p2.yaml:10:10: error GC107 template file not in the commit: ../templates/new.yaml "
        "(git does not track it)" in result.output
    )
    assert "git add templates/new.yaml" in result.output
    _git("add", "templates/new.yaml")
    result = _run_hook(*_precommit_names(HOOKS["graphc-lint"]["files"]))
    assert result.exit_code == 0, result.output


def test_a_commit_that_takes_a_used_template_out_of_the_index_fails(committed):
    _git("rm", "-q", "--cached", "templates/hedge.yaml")  # still on disk, where pre-commit leaves it
    assert _precommit_names(HOOKS["graphc-lint"]["files"]) == []
    result = _run_hook()
    assert result.exit_code == 1, result.output
    assert f"{DESK}:10:10: error GC107 template file not in the commit: ../../templates/hedge.yaml" in result.output


def test_a_template_git_does_not_track_used_through_a_tracked_one_fails_at_that_use(committed):
    (committed / "templates" / "outer.yaml").write_text(
        "graphc-template: 1\nparams:\n  size: {type: quantity}\nlegs:\n  h:\n    use: ./inner.yaml\n"
        "    with: {size: '{{ size }}'}\n"
    )
    (committed / "templates" / "inner.yaml").write_text(HEDGE)
    (committed / DESK).write_text(_hedge_user("desk", "../../templates/outer.yaml"))
    _git("add", DESK, "templates/outer.yaml")
    result = _run_hook(*_precommit_names("^playbooks/"))
    assert result.exit_code == 1, result.output
    assert "templates/outer.yaml:6:10: error GC107 template file not in the commit: ./inner.yaml" in result.output


def test_files_the_commit_does_not_hold_are_not_checked_against_it(committed):
    """A draft git does not track, using a template git does not track either: neither is in the commit."""
    (committed / "templates" / "draft-hedge.yaml").write_text(HEDGE)
    (committed / "playbooks" / "draft.yaml").write_text(_hedge_user("draft", "../templates/draft-hedge.yaml"))
    result = _run_hook()
    assert result.exit_code == 0, result.output


def test_the_hook_reads_the_index_of_the_commit_being_made(committed, monkeypatch):
    """`git commit -a` (or `git commit PATH`) runs the hook with GIT_INDEX_FILE naming a temporary index: the one the
    commit is made from, and the one pre-commit's own `git diff --staged` reads."""
    (committed / "templates" / "new.yaml").write_text(HEDGE)
    (committed / "playbooks" / "p2.yaml").write_text(_hedge_user("p2", "../templates/new.yaml"))
    _git("add", "playbooks/p2.yaml")
    assert _run_hook("playbooks/p2.yaml").exit_code == 1  # the index lacks templates/new.yaml
    monkeypatch.setenv("GIT_INDEX_FILE", str(committed / ".git" / "next-index"))
    _git("read-tree", "HEAD")
    _git("add", "playbooks/p2.yaml", "templates/new.yaml")  # the commit's index holds both
    result = _run_hook("playbooks/p2.yaml")
    assert result.exit_code == 0, result.output


# -- the graphc-lint hook and the files every verdict depends on: the quotes snapshot and the project's config -------
# Audit ci22 #1: a commit that changed only the snapshot the hook's `--quotes` names (dropping a market a playbook
# prices from), or only graphc.toml (a lower max_size), named no playbook and passed; the next commit that touched a
# playbook failed for a reason its author did not cause. Such a file is an input of every verdict of its project.

QUOTED = "graphc: 1\nname: q\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: ask + 1 tick}\n"
QUOTES = "ETH-USD: {bid: 2325.10, ask: 2325.53, tick: 0.01}\nBTC-USD: {bid: 97250, ask: 97251, tick: 0.01}\n"
NOT_GRAPHCS = "kind: ConfigMap\nname: not graphc's\n"  # passed over, as a walk passes it over: never GC110


@pytest.fixture
def desk(committed):
    """``committed`` with a snapshot (quotes.yaml, at the top: outside the hook's `files:`), playbooks/q.yaml pricing
    from it, and YAML that is not graphc's, in one more commit."""
    (committed / "quotes.yaml").write_text(QUOTES)
    (committed / "playbooks" / "q.yaml").write_text(QUOTED)
    (committed / "playbooks" / "ci.yaml").write_text(NOT_GRAPHCS)
    _git("add", "-A")
    _git("commit", "-qm", "quotes")
    return committed


def _run_desk_hook(quotes: str = "quotes.yaml", files: str = "^(playbooks|templates)/"):
    """The hook as the docs configure it: `args: [--quotes, QUOTES]`, then the staged files `files:` matches."""
    return _run_hook("--quotes", quotes, *_precommit_names(files))


def test_a_commit_that_changes_only_the_quotes_snapshot_lints_the_playbooks_of_its_project(desk):
    assert _run_desk_hook().exit_code == 0  # nothing staged: passes
    (desk / "quotes.yaml").write_text(QUOTES.split("\n", 1)[1])  # ETH-USD dropped from the snapshot
    _git("add", "quotes.yaml")
    assert _precommit_names("^(playbooks|templates)/") == []  # the snapshot is outside `files:`: nothing named
    result = _run_desk_hook()
    assert result.exit_code == 1, result.output
    assert "playbooks/q.yaml:4:60: error GC109" in result.output and "ETH-USD" in result.output
    # every playbook and template of the project was linted; the YAML that is not graphc's is passed over silently
    assert "GC110" not in result.output and "ci.yaml" not in result.output
    assert "1 error in 3 files" in result.output  # q.yaml, the desk and templates/hedge.yaml


def test_a_quotes_snapshot_named_on_the_command_line_lints_the_playbooks_of_its_project(desk):
    """pre-commit's `files:` may match the snapshot (playbooks/quotes.yaml): named, it is a change of every verdict
    too, staged or not."""
    (desk / "playbooks" / "quotes.yaml").write_text(QUOTES.split("\n", 1)[1])
    result = _run_hook("--quotes", "playbooks/quotes.yaml", "playbooks/quotes.yaml")
    assert result.exit_code == 1, result.output
    assert "playbooks/q.yaml:4:60: error GC109" in result.output
    assert "GC110" not in result.output and "1 error in 3 files" in result.output


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("graphc.toml", '[markets."ETH-USD-PERP"]\nmax_size = 1\n'),
        ("pyproject.toml", '[project]\nname = "desk"\n\n[tool.graphc.markets."ETH-USD-PERP"]\nmax_size = 1\n'),
    ],
)
def test_a_commit_that_changes_only_the_config_lints_the_playbooks_of_its_project(desk, name, text):
    (desk / name).write_text(text)  # the desk hedges 2 ETH: now above the perp's largest order
    _git("add", name)
    assert _precommit_names("^(playbooks|templates)/") == []
    result = _run_desk_hook()
    assert result.exit_code == 1, result.output
    assert "GC309" in result.output and "above hyperliquid's maximum of 1 ETH" in result.output
    assert "GC110" not in result.output and "ci.yaml" not in result.output


def test_a_commit_that_deletes_the_config_lints_the_playbooks_it_configured(desk):
    """A graphc.toml that turned a rule off, removed: its playbooks' findings come back (pre-commit names no file)."""
    (desk / "playbooks" / "q.yaml").write_text(QUOTED.replace("ask + 1 tick", "2325.505"))  # off the 0.01 tick
    (desk / "graphc.toml").write_text('[rules]\nGC303 = "off"\n')
    _git("add", "-A")
    _git("commit", "-qm", "off-tick on purpose")
    _git("rm", "-q", "graphc.toml")
    result = _run_desk_hook()
    assert result.exit_code == 1, result.output
    assert "playbooks/q.yaml:4:60: error GC303" in result.output


def test_a_config_named_on_the_command_line_lints_the_playbooks_of_its_project(desk):
    (desk / "graphc.toml").write_text('[markets."ETH-USD-PERP"]\nmax_size = 1\n')  # a hook whose `files:` takes it
    result = _run_hook("graphc.toml")
    assert result.exit_code == 1, result.output
    assert "GC309" in result.output and "GC110" not in result.output


def test_a_commit_that_removes_the_graphc_table_of_a_pyproject_lints_the_playbooks_it_configured(desk):
    (desk / "playbooks" / "q.yaml").write_text(QUOTED.replace("ask + 1 tick", "2325.505"))  # off the 0.01 tick
    (desk / "pyproject.toml").write_text('[project]\nname = "desk"\n\n[tool.graphc.rules]\nGC303 = "off"\n')
    _git("add", "-A")
    _git("commit", "-qm", "off-tick on purpose")
    (desk / "pyproject.toml").write_text('[project]\nname = "desk"\n')  # no longer graphc's config: none is
    _git("add", "pyproject.toml")
    result = _run_desk_hook()
    assert result.exit_code == 1, result.output
    assert "playbooks/q.yaml:4:60: error GC303" in result.output


@pytest.mark.parametrize("beside", ["", "graphc.toml"])
def test_a_pyproject_that_does_not_configure_graphc_is_no_change_of_its_verdicts(desk, beside):
    """A pyproject.toml that never names graphc, or whose [tool.graphc] a graphc.toml beside it outranks."""
    (desk / "pyproject.toml").write_text('[project]\nname = "desk"\n')
    if beside:
        (desk / beside).write_text("")  # there, unchanged (committed below), and empty
    _git("add", "-A")
    _git("commit", "-qm", "config")
    graphc_table = '\n[tool.graphc.markets."ETH-USD-PERP"]\nmax_size = 1\n' if beside else ""
    (desk / "pyproject.toml").write_text(f'[project]\nname = "desk"\nversion = "2"\n{graphc_table}')
    _git("add", "pyproject.toml")
    result = _run_desk_hook()
    assert result.exit_code == 0 and "nothing linted" in result.output, result.output


def test_the_example_workflow_lints_pull_requests_that_change_only_templates_the_config_or_the_snapshot():
    """Audit ci22 #1: the example ran on `pull_request: paths: ["playbooks/**"]`, so a pull request that changed only
    templates/ or graphc.toml never ran the lint and was caught only after the merge."""
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    triggers = workflow[True]  # YAML 1.1 (PyYAML) reads the key `on` as true
    assert "pull_request" in triggers and not (triggers["pull_request"] or {}).get("paths")
    doc = " ".join(DOC.split())
    assert "lints every playbook and template of that project" in doc
    assert "The workflow runs on every pull request, with no `paths:` filter" in doc


# Audit ci24 #1: a desk that keeps its CI settings in a file the hook's args name (`--config ci/desk.toml`) committed a
# lower max_size there, and the hook passed with nothing linted. That file replaces every file's config, as a `--params`
# file feeds every playbook: a commit that stages or names either changes every verdict the run covers.

CI_CONFIG = '[markets."ETH-USD-PERP"]\nmax_size = 10\n'
CI_ARGS = ("--config", "ci/desk.toml", "--quotes", "quotes.yaml")


@pytest.fixture
def ci_desk(desk):
    """``desk`` with a config file of its own for CI, ci/desk.toml (outside the hook's `files:`), committed."""
    (desk / "ci").mkdir()
    (desk / "ci" / "desk.toml").write_text(CI_CONFIG)
    _git("add", "-A")
    _git("commit", "-qm", "ci config")
    return desk


def test_a_commit_that_changes_only_the_config_file_the_hook_names_lints_every_playbook(ci_desk):
    assert _run_hook(*CI_ARGS).exit_code == 0  # nothing staged: passes
    (ci_desk / "ci" / "desk.toml").write_text(CI_CONFIG.replace("10", "1"))  # the desk hedges 2 ETH: now too many
    _git("add", "ci/desk.toml")
    assert _precommit_names("^(playbooks|templates)/") == [] and _precommit_names(HOOKS["graphc-lint"]["files"]) == []
    result = _run_hook(*CI_ARGS)
    assert result.exit_code == 1, result.output
    assert "GC309" in result.output and "above hyperliquid's maximum of 1 ETH" in result.output
    assert "GC110" not in result.output and "ci.yaml" not in result.output
    assert "in 3 files" in result.output  # q.yaml, the desk and templates/hedge.yaml: the whole repository
    doc = " ".join(DOC.split())
    assert "a changed `--config` or `--params` file every one of the repository" in doc
    assert "named among the paths is such an input, never linted itself" in doc


def _lint(*args: str):
    from click.testing import CliRunner

    from graphc.cli import cli

    return CliRunner().invoke(cli, ["lint", "--no-cache", *args])


@pytest.mark.parametrize("ignore_unknown", [(), ("--ignore-unknown",)])
@pytest.mark.parametrize(
    ("named", "options"),
    [
        ("ci/desk.toml", CI_ARGS),
        ("graphc.toml", ()),
        ("quotes.yaml", ("--quotes", "quotes.yaml")),
    ],
)
def test_a_config_or_snapshot_named_with_dependants_is_a_dependency_never_a_playbook(
    ci_desk, named, options, ignore_unknown
):
    """Named (a `files:` that matches it, or by hand), such a file lints what it decides, and is never itself linted
    as a file that is not a playbook (GC110), with or without --ignore-unknown."""
    if named == "graphc.toml":
        (ci_desk / "graphc.toml").write_text('[markets."ETH-USD-PERP"]\nmax_size = 1\n')
    elif named == "quotes.yaml":
        (ci_desk / "quotes.yaml").write_text(QUOTES.split("\n", 1)[1])  # ETH-USD dropped
    else:
        (ci_desk / "ci" / "desk.toml").write_text(CI_CONFIG.replace("10", "1"))
    result = _lint(*ignore_unknown, "--dependants", *options, named)
    assert result.exit_code == 1, result.output
    assert ("GC109" if named == "quotes.yaml" else "GC309") in result.output
    assert "GC110" not in result.output and "GC100" not in result.output  # (GC100: a TOML file read as JSON)


PARAMETRIZED = (
    "graphc: 1\nname: p\nparams:\n  size: {type: quantity}\nlegs:\n"
    '  a: {buy: "{{ size }}", symbol: ETH-USD, venue: coinbase, limit: 2325.50}\n'
)


@pytest.fixture
def params_desk(tmp_path, monkeypatch):
    """A repository whose playbooks take their size from the hook's `--params ci/params.yaml`."""
    monkeypatch.chdir(tmp_path)
    _git("init", "-q", ".")
    (tmp_path / "graphc.toml").write_text('[markets."ETH-USD"]\nmax_size = 5\n')
    (tmp_path / "playbooks").mkdir()
    (tmp_path / "playbooks" / "p.yaml").write_text(PARAMETRIZED)
    (tmp_path / "playbooks" / "r.yaml").write_text(PARAMETRIZED.replace("name: p", "name: r"))
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "params.yaml").write_text("size: 1 ETH\n")
    _git("add", "-A")
    _git("commit", "-qm", "desk")
    return tmp_path


def test_a_commit_that_changes_only_the_params_file_the_hook_names_lints_every_playbook(params_desk):
    args = ("--params", "ci/params.yaml")
    assert _run_hook(*args).exit_code == 0
    (params_desk / "ci" / "params.yaml").write_text("size: 10 ETH\n")  # above the market's max_size of 5
    _git("add", "ci/params.yaml")
    assert _precommit_names("^playbooks/") == []
    result = _run_hook(*args)
    assert result.exit_code == 1, result.output
    assert "playbooks/p.yaml" in result.output and "playbooks/r.yaml" in result.output
    assert "GC309" in result.output and "2 errors in 2 files" in result.output
    result = _lint("--dependants", *args, "ci/params.yaml")  # named, without --ignore-unknown: a dependency too
    assert result.exit_code == 1 and "GC110" not in result.output and "2 errors in 2 files" in result.output


# -- the Action says what the lint skipped --------------------------------------------------------------------------
# Audit ci22 #3: with -o graphc printed nothing, the step's log said only `graphc lint exited 0`, and the skipped checks
# were only SARIF `note` notifications, which code scanning shows nowhere for a third-party tool: 200 ETH at market
# under `max_notional: $1k`, with no quote for ETH-USD, never had its risk limit checked and the run was green.

BIG = "graphc: 1\nname: big\nrisk: {max_notional: $1k}\nlegs:\n  a: {buy: 200 ETH, symbol: ETH-USD, venue: coinbase}\n"


def test_the_action_warns_on_the_run_when_a_risk_check_was_skipped(tmp_path):
    (tmp_path / "plays").mkdir()
    (tmp_path / "plays" / "big.yaml").write_text(BIG)
    lint, outputs = _run_lint_step(tmp_path, PATHS="plays", ARGS="--no-cache", SARIF="out/a%b,c.sarif")
    assert outputs["exit-code"] == "0", lint.stdout + lint.stderr  # a skipped check does not fail the run
    # graphc's own verdict, on stderr: the log never shows only an exit status
    assert "graphc: no problems in 1 file (6 checks skipped; the report lists them); report written to " in lint.stderr
    assert (
        "::warning title=graphc lint::6 checks skipped, among them the risk checks GC501 max-notional, GC503 "
        "gross-notional, whose limits were not checked. out/a%25b,c.sarif lists each skipped check with its reason"
    ) in lint.stdout  # `%` escaped as a workflow command's message needs (`,` and `:` only in properties)
    assert lint.stdout.count("::") == 2  # one annotation, nothing else that reads as a workflow command


def test_the_action_notes_skipped_checks_that_are_not_risk_checks_and_says_nothing_when_none_was(tmp_path):
    (tmp_path / "plays").mkdir()
    limit = BIG.replace("200 ETH", "0.1 ETH").replace("coinbase}", "coinbase, limit: 2325.5}")  # $232.55: GC501 ran
    (tmp_path / "plays" / "limit.yaml").write_text(limit)
    lint, outputs = _run_lint_step(tmp_path, PATHS="plays", ARGS="--no-cache")
    assert outputs["exit-code"] == "0", lint.stdout + lint.stderr
    [annotation] = [line for line in lint.stdout.splitlines() if line.startswith("::")]
    assert re.fullmatch(r"::notice title=graphc lint::\d+ checks skipped\. graphc\.sarif lists each .*", annotation)
    (tmp_path / "plays" / "limit.yaml").write_text(BIG.replace("coinbase}", "coinbase, after: b}"))  # GC202: no skip
    lint, outputs = _run_lint_step(tmp_path, PATHS="plays", ARGS="--no-cache")
    assert outputs["exit-code"] == "1" and "::" not in lint.stdout, lint.stdout + lint.stderr
    assert "graphc: 1 error in 1 file; report written to graphc.sarif" in lint.stderr
