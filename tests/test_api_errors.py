"""The library raises what docs/api.md says it raises (audit api22 F7), and words its refusals for a program (F8).

- ``submit_wire`` of a graph with NaN or an infinity in its JSON is ``Refused`` (nothing sent or recorded), as
  ``graphc submit`` refuses the file (GC100), not a ``TypeError``.
- ``prepare(quotes=...)`` takes the mapping the compile and lint functions take (``{symbol: {bid, ask, ...}}``),
  not only ``Quote`` objects.
- A quotes snapshot *file* with bad content, given to the compile and lint functions, is diagnostics in the
  result, located in the snapshot, as the command line reports it: lint goes on with what could be read, compile
  stops with no graph. A bad *mapping* is a wrong argument: ``ValueError``, as ``load_quotes``.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import graphc
from graphc.api.client import Client
from graphc.api.errors import AlreadySubmitted
from graphc.api.ledger import Ledger
from graphc.cli import cli
from graphc.submit import Refused, prepare, submit_wire
from tests.conftest import EXAMPLES, REPO

BRACKET = EXAMPLES / "btc-bracket.yaml"
HEDGE = EXAMPLES / "eth-hedge.yaml"
QUOTES = EXAMPLES / "quotes.yaml"
BAD_QUOTES = "BTC-USD: {bid: 90000, ask: 89000}\nETH-USD: {bid: abc, ask: 2}\n"


@pytest.fixture
def client(reference_router):
    with Client(reference_router.base_url, "k", backoff_factor=0.01) as c:
        yield c


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_submit_wire_refuses_a_graph_with_a_non_number(constant, tmp_path, reference_router, client):
    wire = graphc.compile_file(HEDGE, quotes=QUOTES).wire_json()
    text = wire.replace('"is_sandbox": true', f'"is_sandbox": true, "zz": {constant}')
    (tmp_path / ".git").mkdir()
    (tmp_path / "hedge.wire.json").write_text(text)
    cli_said = CliRunner().invoke(cli, ["submit", str(tmp_path / "hedge.wire.json"), "--run-key", "cli"])
    assert cli_said.exit_code == 1 and f"GC100 not valid JSON: {constant} is not a JSON number" in cli_said.output
    with Ledger(tmp_path / "ledger.sqlite") as ledger, pytest.raises(Refused) as refused:
        submit_wire(text, "hedge", client=client, ledger=ledger, run_key="api")
    # refused as the command refuses it (api22 F6: submit_wire lints first): exit 1, the same GC100
    assert refused.value.exit_code == 1
    assert f"error GC100 not valid JSON: {constant} is not a JSON number" in str(refused.value)
    assert reference_router.requests("POST", "/v1/orders") == []
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        assert ledger.runs() == []


def test_prepare_takes_the_quotes_mapping_the_compile_functions_take(tmp_path):
    mapping = {"BTC-USD": {"bid": "89000", "ask": "89001"}}
    (tmp_path / "q.yaml").write_text("BTC-USD: {bid: '89000', ask: '89001'}\n")
    by_mapping = prepare(BRACKET, quotes=mapping)
    by_file = prepare(BRACKET, quotes_path=tmp_path / "q.yaml")
    assert by_mapping.ready, [p.message for p in by_mapping.problems]
    assert (by_mapping.wire_text, by_mapping.run_key) == (by_file.wire_text, by_file.run_key)
    assert by_mapping.quotes == graphc.load_quotes(tmp_path / "q.yaml")
    with pytest.raises(TypeError, match="not exact"):
        prepare(BRACKET, quotes={"BTC-USD": {"bid": 89000.0, "ask": "89001"}})
    with pytest.raises(ValueError, match="crossed"):
        prepare(BRACKET, quotes={"BTC-USD": {"bid": "89002", "ask": "89001"}})


def headlines(diagnostics):
    return [(d.path, d.code, d.message) for d in diagnostics]


def test_a_bad_snapshot_file_is_linted_around_as_graphc_lint_does(tmp_path):
    (tmp_path / ".git").mkdir()
    playbook = tmp_path / "btc-bracket.yaml"
    playbook.write_text(BRACKET.read_text())
    (tmp_path / "bad.yaml").write_text(BAD_QUOTES)
    shown = CliRunner().invoke(
        cli, ["lint", "--no-cache", "--format", "json", str(playbook), "--quotes", str(tmp_path / "bad.yaml")]
    )
    assert shown.exit_code == 1, shown.output
    report = json.loads(shown.output)
    # the snapshot's two GC105, then the playbook's findings without those prices
    expected = [(d["path"], d["code"], d["message"]) for d in report["diagnostics"]]
    assert [code for _, code, _ in expected[:2]] == ["GC105", "GC105"]
    for lint in (graphc.lint_file, lambda path, **kw: graphc.lint_text(path.read_text(), str(path), **kw)):
        result = lint(playbook, quotes=tmp_path / "bad.yaml")
        assert headlines(result.diagnostics) == expected


def test_a_bad_snapshot_file_stops_a_compile_as_graphc_compile_does(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "bad.yaml").write_text(BAD_QUOTES)
    for compile_ in (graphc.compile_file, lambda path, **kw: graphc.compile_text(path.read_text(), str(path), **kw)):
        result = compile_(BRACKET, quotes=tmp_path / "bad.yaml")
        assert not result.ok and result.wire is None
        assert [(d.path, d.code) for d in result.diagnostics] == [(str(tmp_path / "bad.yaml"), "GC105")] * 2
    shown = CliRunner().invoke(cli, ["compile", str(BRACKET), "--quotes", str(tmp_path / "bad.yaml")])
    assert shown.exit_code == 1 and shown.output.count("error GC105 quote") == 2


def test_a_bad_quotes_mapping_is_a_wrong_argument():
    with pytest.raises(ValueError, match="crossed"):
        graphc.lint_text(BRACKET.read_text(), quotes={"BTC-USD": {"bid": "2", "ask": "1"}})
    # the text is read as the snapshot file's (audit pyapi25 3): its message too
    with pytest.raises(ValueError, match=r"^quote BTC-USD.bid: cannot read 'NaN\?' as a price$"):
        graphc.compile_file(BRACKET, quotes={"BTC-USD": {"bid": "NaN?", "ask": "1"}})


def test_the_api_page_documents_the_exceptions():
    page = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    for said in (
        "`graphc.api.errors.LedgerError`",
        "`except ApiError` does not catch",
        "a quotes mapping with a bad value raises `ValueError`",
        "`Refused` when it cannot read `source`",
    ):
        assert said in page, said


# -- F8: refusals worded for a program -------------------------------------------------------


def test_already_submitted_names_the_librarys_keywords(tmp_path, reference_router, client):
    wire = graphc.compile_file(HEDGE, quotes=QUOTES).wire_json()
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        submit_wire(wire, "hedge", client=client, ledger=ledger, run_key="api-1")
        with pytest.raises(AlreadySubmitted) as again:
            submit_wire(wire, "hedge", client=client, ledger=ledger, run_key="api-1")
    said = str(again.value)
    assert "pass force=True (the command line's --force) to submit it again on purpose" in said, said
    assert said.endswith("or a different run_key (--run-key)"), said
    assert "use --force" not in said


def test_a_prepared_problem_says_where_its_diagnostics_are(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "bad.yaml").write_text(BAD_QUOTES)
    (tmp_path / "graphc.toml").write_text("[rules]\nGC999 = 'off'\n")
    prepared = prepare(HEDGE, quotes_path=tmp_path / "bad.yaml")
    problem = prepared.problems[0].message
    assert "see above" not in problem
    assert problem == f"{tmp_path / 'bad.yaml'} has errors (its diagnostics are in the prepared graph's extra_results)"
    assert [r.path for r in prepared.extra_results] == [str(tmp_path / "bad.yaml")]
    playbook = tmp_path / "hedge.yaml"
    playbook.write_text(HEDGE.read_text())
    prepared = prepare(playbook)
    assert [p.message for p in prepared.problems] == [
        f"{tmp_path / 'graphc.toml'} has errors (its diagnostics are in the prepared graph's extra_results)"
    ]
    # the command line prints them, then the problem, in its own words
    shown = CliRunner().invoke(cli, ["plan", str(playbook)])
    assert shown.exit_code == 1 and "not ready to submit: " in shown.output
    assert f"{tmp_path / 'graphc.toml'} has errors (see above)" in shown.output


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("GRAPHC_MAX_LEGS", "abc", "GRAPHC_MAX_LEGS='abc': a limit is a whole number above 0"),
        ("GRAPHC_MAX_LEGZ", "5", "GRAPHC_MAX_LEGZ is not a graphc limit (did you mean GRAPHC_MAX_LEGS?)"),
    ],
)
def test_a_bad_limit_in_the_environment_is_a_value_error_naming_it(monkeypatch, variable, value, said):
    monkeypatch.setenv(variable, value)
    shown = CliRunner().invoke(cli, ["lint", "--no-cache", str(HEDGE)])
    assert shown.exit_code == 2 and said in shown.output
    for call in (
        lambda: graphc.lint_file(HEDGE),
        lambda: graphc.lint_text(HEDGE.read_text()),
        lambda: graphc.compile_file(HEDGE, quotes=QUOTES),
        lambda: graphc.compile_text(HEDGE.read_text(), quotes=QUOTES),
        lambda: graphc.load_quotes(QUOTES),
        lambda: prepare(HEDGE, quotes_path=QUOTES),
    ):
        with pytest.raises(ValueError) as refused:
            call()
        assert str(refused.value) == f"{said} (docs/robustness.md lists the limits)"
