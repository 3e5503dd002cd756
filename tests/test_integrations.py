"""The GitHub Action, the pre-commit hooks and their documentation agree with each other."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
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


def test_pre_commit_hooks():
    assert HOOKS["graphc-lint"]["entry"] == "graphc lint --ignore-unknown --dependants"
    assert HOOKS["graphc-lint"]["files"] == r"\.(ya?ml|json)$"
    assert HOOKS["graphc-fmt"]["entry"] == "graphc fmt --check"
    assert all(hook["language"] == "python" for hook in HOOKS.values())
    assert re.search(HOOKS["graphc-fmt"]["files"], "playbooks/hedge.yaml")


def test_documented_examples_parse_and_match():
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]
    workflow = next(b for b in blocks if isinstance(b, dict) and "jobs" in b)
    assert workflow["permissions"]["security-events"] == "write"
    lint_step = next(s for s in workflow["jobs"]["lint"]["steps"] if "with" in s and "paths" in s["with"])
    assert set(lint_step["with"]) <= set(ACTION["inputs"])
    config = next(b for b in blocks if isinstance(b, dict) and "repos" in b)
    assert {hook["id"] for hook in config["repos"][0]["hooks"]} == set(HOOKS)
    assert "# yaml-language-server: $schema=" in DOC
