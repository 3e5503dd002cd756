"""The GitHub Action, the pre-commit hooks and their documentation agree with each other."""

from __future__ import annotations

import re

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


def test_pre_commit_hooks():
    assert HOOKS["graphc-lint"]["entry"] == "graphc lint --ignore-unknown"
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
