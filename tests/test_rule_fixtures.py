"""Every rule code has a failing and a passing fixture in tests/fixtures/rules/.

Like ruff's fixtures named after the code and actionlint's golden files: for
each code of the registry (not each file found, so a missing fixture fails),
``CODE.fail.yaml`` must give exactly the diagnostics its first line expects,
``# expect: GC303 9:12``, and ``CODE.pass.yaml`` none of that code and no
errors. JSON fixtures (wire input) keep the expectation in ``CODE.fail.expect``.
Every run gets the same ``--quotes quotes.yaml``, so quote-dependent checks run.

An expectation may list several diagnostics when the code cannot occur alone:
GC207 (unreachable) needs a node that never activates upstream, which is itself
an orphan (GC204) or a cycle (GC201), so its line is ``GC207 L:C, GC204 L:C``
and the exact set is compared. GC112 (a file that is not UTF-8) exits 2, not 1.
"""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.rules.registry import RULES

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
QUOTES = FIXTURES / "quotes.yaml"


def fixture(code, kind):
    found = [FIXTURES / f"{code}.{kind}.{ext}" for ext in ("yaml", "json")]
    found = [path for path in found if path.exists()]
    assert len(found) == 1, f"want one fixture {code}.{kind}.yaml or .json in {FIXTURES}, found {found}"
    return found[0]


def lint(path):
    result = CliRunner().invoke(cli, ["lint", "--format", "json", "--quotes", str(QUOTES), str(path)])
    assert result.exit_code in ((2,) if path.name.startswith("GC112.fail") else (0, 1)), result.output
    return json.loads(result.stdout)["diagnostics"]


def expected(path):
    if path.suffix == ".json":
        text = path.with_suffix(".expect").read_text()
    else:
        text = path.read_bytes().decode("utf-8", "replace").splitlines()[0].removeprefix("# expect:")
    items = (item.split() for item in text.split(","))
    return sorted((code, *map(int, place.split(":"))) for code, place in items)


@pytest.mark.parametrize("code", RULES)
def test_fail_fixture_reports_exactly_the_code(code):
    path = fixture(code, "fail")
    found = sorted((d["code"], d["line"], d["column"]) for d in lint(path))
    assert found == expected(path)
    assert code in {c for c, _, _ in found}


@pytest.mark.parametrize("code", RULES)
def test_pass_fixture_does_not(code):
    diagnostics = lint(fixture(code, "pass"))
    assert [d for d in diagnostics if d["code"] == code or d["severity"] == "error"] == []
