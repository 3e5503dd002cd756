"""Messages about unknown names stay bounded whatever the file holds (sec16 3; docs/robustness.md, "Messages").

A file with thousands of names and thousands of mistakes once made a did-you-mean
over every name for every mistake and a hint listing every name in every
diagnostic: 118 s then a MemoryError for a 947 KB playbook, 692 MB of output for
a 458 KB ``use:``/``with:`` pair, 64 s for a param of 20,000 ``choices`` used by
3,000 legs. These run the real command on the same shapes, scaled down, and
count the work (names compared, choices coerced) and the size of what is said.
"""

from __future__ import annotations

import difflib
import json
import re

import pytest
from click.testing import CliRunner

import graphc.stages.params
from graphc.cli import cli
from graphc.stages import suggest

N = 300


@pytest.fixture
def compared(monkeypatch):
    """For each name difflib compares with an unknown one (``set_seq1``), the product of their lengths."""
    pairs = []
    real = difflib.SequenceMatcher.set_seq1

    def set_seq1(self, a):
        if self.b is not None and not self.b.startswith("-"):  # None: the matcher being made; "-f": an option
            pairs.append(len(a) * len(self.b))
        return real(self, a)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", set_seq1)
    return pairs


def lint(path):
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", str(path)])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)["diagnostics"]


def names_in(hint: str) -> int:
    listed = hint.split(": ", 1)[1].split(" … and ")[0]
    return len(listed.split(", "))


def test_undefined_names_in_many_legs_over_many_params(tmp_path, compared):
    (tmp_path / "p.yaml").write_text(
        "graphc: 1\nname: p\nparams:\n"
        + "".join(f"  p{i}: {{type: string, default: x}}\n" for i in range(N))
        + "legs:\n"
        + "".join(f"  l{i}: {{buy: 1 ETH, symbol: ETH-USD, tif: '{{{{ pp{i} }}}}'}}\n" for i in range(N))
    )
    found = lint(tmp_path / "p.yaml")
    assert len(found) == N and all("undefined name" in d["message"] for d in found)
    assert all(names_in(d["hint"]) <= suggest.MAX_LISTED for d in found)
    assert f"… and {N + 3 - suggest.MAX_LISTED:,} more" in found[0]["hint"]  # the params and now, today, quote
    assert sum(compared) <= suggest.MAX_SUGGESTIONS_PER_FILE * suggest.MAX_COMPARED_CHARS
    assert "did you mean 'p1'" in found[1]["message"]  # the first ones still get a suggestion


@pytest.fixture
def project(tmp_path):
    (tmp_path / "graphc.toml").write_text("")
    return tmp_path


def test_many_unknown_with_names_for_a_template_of_many_params(project, compared):
    (project / "t.yaml").write_text(
        "graphc-template: 1\nparams:\n"
        + "".join(f"  p{i}: {{type: string, default: x}}\n" for i in range(N))
        + "legs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n"
    )
    with_ = ", ".join(f"q{i}: 1" for i in range(N))
    (project / "p.yaml").write_text(f"graphc: 1\nname: p\nlegs:\n  l:\n    use: ./t.yaml\n    with: {{{with_}}}\n")
    found = lint(project / "p.yaml")
    assert len(found) == suggest.MAX_LISTED + 1  # twenty, then one for the rest
    assert f"t.yaml: {N - suggest.MAX_LISTED} more unknown params: q20, q21, " in found[-1]["message"]
    assert all(names_in(d["hint"]) <= suggest.MAX_LISTED for d in found)
    assert sum(compared) <= suggest.MAX_SUGGESTIONS_PER_FILE * suggest.MAX_COMPARED_CHARS


def test_a_value_not_among_many_choices_in_many_legs(project, monkeypatch):
    coerced = []
    real = graphc.stages.params.coerce

    def coerce(type_, value, written=None):
        coerced.append(value)
        return real(type_, value, written)

    monkeypatch.setattr(graphc.stages.params, "coerce", coerce)
    choices = 2000
    (project / "t.yaml").write_text(
        "graphc-template: 1\nparams:\n  x:\n    type: string\n    choices: ["
        + ", ".join(f"c{i}" for i in range(choices))
        + "]\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n"
    )
    legs = 50
    (project / "p.yaml").write_text(
        "graphc: 1\nname: p\nlegs:\n" + "".join(f"  l{i}: {{use: ./t.yaml, with: {{x: nope}}}}\n" for i in range(legs))
    )
    found = lint(project / "p.yaml")
    assert len(found) == legs
    message = found[0]["message"]
    assert re.search(r"'nope' is not one of c0, c1, .*, c19 … and 1,980 more$", message), message
    assert len(coerced) <= choices + 2 * legs  # each choice once for the file, then each leg's value


def test_a_few_choices_are_all_listed_in_order(project):
    (project / "t.yaml").write_text(
        "graphc-template: 1\nparams:\n  side: {type: string, choices: [sell, buy]}\n"
        "legs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n"
    )
    (project / "p.yaml").write_text("graphc: 1\nname: p\nlegs:\n  l: {use: ./t.yaml, with: {side: hold}}\n")
    [found] = lint(project / "p.yaml")
    assert found["message"].endswith("'hold' is not one of sell, buy")
