"""What `graphc lint` reads: unreadable files (GC112), stdin, repeated paths, empty directories and globs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import EXAMPLES, write

GOOD = (EXAMPLES / "eth-hedge.yaml").read_text()
BAD = GOOD.replace("after: spot filled 50%", "after: spto filled 50%")  # GC202
# Saved by an editor in Windows-1252: the é of the comment on line 3 is the byte 0xE9.
LATIN1 = b"graphc: 1\nname: latin\n# entr\xe9e\nlegs:\n  a: {buy: 1, symbol: BTC-USD}\n"


def lint(*args, input=None):
    return CliRunner().invoke(cli, ["lint", *map(str, args)], input=input)


@pytest.fixture
def mixed(tmp_path):
    """A directory with a playbook with a finding, and a file that is not UTF-8."""
    write(tmp_path, "bad.yaml", BAD)
    (tmp_path / "latin.yaml").write_bytes(LATIN1)
    return tmp_path


# -- GC112 ------------------------------------------------------------------------------------


def test_undecodable_file_is_gc112_at_the_first_bad_byte_and_the_rest_is_still_linted(mixed):
    result = lint(mixed)
    assert result.exit_code == 2, result.output  # spec §8: unreadable input, not "findings"
    assert f"{mixed / 'latin.yaml'}:3:7: error GC112 " in result.stdout
    assert "byte 0xE9" in result.stdout
    assert f"{mixed / 'bad.yaml'}:" in result.stdout and "GC202" in result.stdout
    assert "2 errors in 2 files" in result.stdout


def test_gc112_appears_in_every_format(mixed):
    latin = str(mixed / "latin.yaml")
    report = json.loads(lint(mixed, "-f", "json").stdout)
    [found] = [d for d in report["diagnostics"] if d["code"] == "GC112"]
    assert (found["path"], found["line"], found["column"]) == (latin, 3, 7)

    sarif = json.loads(lint(mixed, "-f", "sarif").stdout)
    [hit] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "GC112"]
    region = hit["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 7)
    assert hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("latin.yaml")

    github = lint(mixed, "-f", "github").stdout
    assert any(
        line.startswith("::error file=") and "line=3,col=7" in line and "GC112" in line for line in github.splitlines()
    )

    junit = ET.fromstring(lint(mixed, "-f", "junit").stdout)
    [case] = [c for c in junit.iter("testcase") if c.get("name") == latin]
    assert case.find("failure").get("type") == "GC112"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_gc112_exits_2_in_every_format(mixed, fmt):
    assert lint(mixed, "-f", fmt).exit_code == 2


def test_a_file_that_cannot_be_opened_is_gc112_without_a_position(tmp_path):
    import socket

    write(tmp_path, "good.yaml", GOOD)
    with socket.socket(socket.AF_UNIX) as sock:  # a socket named like a playbook: open() fails (ENXIO), even for root
        sock.bind(str(tmp_path / "sock.yaml"))
        result = lint(tmp_path, "-f", "json")
    assert result.exit_code == 2
    [found] = json.loads(result.stdout)["diagnostics"]
    assert found["code"] == "GC112" and found["path"].endswith("sock.yaml") and found["line"] is None
    assert "cannot read the file" in found["message"]
