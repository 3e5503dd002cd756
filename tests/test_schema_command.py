"""`graphc schema playbook|wire` prints the shipped JSON Schemas exactly."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import REPO


@pytest.mark.parametrize("kind, file", [("playbook", "playbook.schema.json"), ("wire", "wire-graph.schema.json")])
def test_prints_the_schema_file(kind, file):
    result = CliRunner().invoke(cli, ["schema", kind])
    assert result.exit_code == 0, result.output
    expected = (REPO / "schemas" / file).read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(expected)
    assert result.stdout.rstrip("\n") == expected.rstrip("\n")


def test_printed_playbook_schema_is_a_valid_schema():
    from jsonschema import Draft202012Validator

    schema = json.loads(CliRunner().invoke(cli, ["schema", "playbook"]).stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "urn:graphc:schema:playbook:1"


def test_unknown_kind_is_a_usage_error():
    result = CliRunner().invoke(cli, ["schema", "quotes"])
    assert result.exit_code == 2
    assert "playbook" in result.output and "wire" in result.output
