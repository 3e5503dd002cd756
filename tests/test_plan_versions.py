"""Saved plans across graphc versions (audit compat27 3, 6): a plan this graphc writes is of a format an older
graphc refuses, a plan holding a field this graphc does not know is refused (it may limit what is sent), and a plan
of another version is refused saying which, not as tampered; `submit` sends nothing (a sandbox over real HTTP)."""

from __future__ import annotations

import json

import pytest
from sandbox_fixture import cli_env

from graphc.plan import PLAN_VERSION, plan_digest
from tests.conftest import invoke


@pytest.fixture
def project(hedge_project):
    return hedge_project


def _planned(sandbox, project) -> dict:
    made = invoke(
        ["plan", project / "eth-hedge.yaml", "--quotes", project / "quotes.yaml", "-o", project / "p.json"], {}
    )
    assert made.exit_code == 0, made.output
    return json.loads((project / "p.json").read_text())


def _rehashed(plan: dict, **fields) -> dict:
    """The plan with ``fields`` set, hashed as graphc hashes a plan it writes (as a newer or older graphc would)."""
    changed = {k: v for k, v in plan.items() if k != "plan_sha256"} | fields
    changed["plan_sha256"] = plan_digest(changed)
    return changed


def _refused(sandbox, project, plan: dict, said: str) -> None:
    """`submit` and `plan` of ``plan`` refuse it with ``said``, exit 2, and nothing reaches the router."""
    path = project / "other.json"
    path.write_text(json.dumps(plan, indent=2))
    env = cli_env(sandbox)
    for args in (["submit", path, "--ledger", project / "l.sqlite"], ["plan", path]):
        result = invoke(args, env)
        assert result.exit_code == 2, result.output
        assert said.format(path=path) in result.output, result.output
        assert "modified after it was planned" not in result.output, result.output
    assert sandbox.requests("POST", "/v1/orders") == []


def test_a_new_plan_is_of_format_2_which_a_graphc_that_reads_only_format_1_refuses(sandbox, project):
    """Plans gained `catch_up_until` (and more) as format 1, which a graphc that does not know it submitted without
    it, past the catch-up: a graphc that knows only format 1 refuses a format-2 plan."""
    assert PLAN_VERSION == 2
    assert _planned(sandbox, project)["graphc_plan"] == 2


def test_a_plan_with_a_field_this_graphc_does_not_know_is_refused_as_a_newer_graphcs(sandbox, project):
    """Before: a plan holding `not_before` (hash recomputed as graphc writes it) was submitted, exit 0."""
    plan = _rehashed(_planned(sandbox, project), not_before="2099-01-01T00:00:00Z")
    _refused(
        sandbox,
        project,
        plan,
        "{path} was made by a newer graphc (it has not_before, which this graphc does not know): upgrade graphc",
    )


def test_a_plan_of_a_newer_format_is_refused_as_a_newer_graphcs(sandbox, project):
    """Before: `is not a graphc plan (version 1)`, no hint that it came from a newer graphc."""
    plan = _rehashed(_planned(sandbox, project), graphc_plan=PLAN_VERSION + 1)
    _refused(
        sandbox, project, plan, f"{{path}} was made by a newer graphc (plan format {PLAN_VERSION + 1}): upgrade graphc"
    )


@pytest.mark.parametrize("version", ["2", True, None, 0, 1.0])
def test_a_plan_whose_format_is_not_a_known_number_is_not_a_graphc_plan(sandbox, project, version):
    plan = _rehashed(_planned(sandbox, project), graphc_plan=version)
    _refused(sandbox, project, plan, "{path} is not a graphc plan (plan format 1 or 2)")


def test_a_plan_of_the_first_graphc_plan_which_hashed_only_its_graph_is_refused_as_older(sandbox, project):
    """The first `graphc plan` (b41cbad) wrote no plan_sha256; before, its plan was refused as "modified after it
    was planned", which sends a desk looking for tampering. Its fields, as it wrote them."""
    new = _planned(sandbox, project)
    old = {k: new[k] for k in ("graphc_plan", "name", "created_at", "sandbox", "inputs", "wire_sha256", "wire")}
    old["graphc_plan"] = 1
    _refused(sandbox, project, old, "{path} was made by an older graphc, which did not hash its plans: plan it again")


def test_a_format_1_plan_is_read_as_before(sandbox, project):
    """A plan this graphc wrote before the format was 2 (the same fields) is submitted as it was."""
    plan = _rehashed(_planned(sandbox, project), graphc_plan=1)
    path = project / "v1.json"
    path.write_text(json.dumps(plan, indent=2))
    env = cli_env(sandbox)
    assert invoke(["plan", path], env).exit_code == 0
    submitted = invoke(["submit", path, "--ledger", project / "l.sqlite"], env)
    assert submitted.exit_code == 0, submitted.output
    assert len(sandbox.requests("POST", "/v1/orders")) == 1
