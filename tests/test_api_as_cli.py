"""The public API gives the command line's verdict (audit api22): what `graphc compile` refuses, `compile_file` /
`compile_text` refuse too (F1); a `now=` is the instant `--now` names (F2); `graphc.exit_code`
tells a file not checked (exit 2) from a clean one (F5); `submit_wire` refuses a graph
`graphc submit` refuses (F6)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from click.testing import CliRunner

import graphc
from graphc.cli import cli
from graphc.submit import prepare
from tests.conftest import EXAMPLES, REPO, write

# -- F1: a tick (or a quote price) the market's venue cannot have: compile's GC105 / GC103, through the API too ------

PM = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1000 shares\n    symbol: will-it-rain:yes\n    limit: {limit}\n"
BAD_TICK = "'will-it-rain:yes': {bid: 0.4, ask: 0.6, tick: 0.005}\n"
TICK_SAID = "0.005 is not a Polymarket tick (0.1, 0.01, 0.001 or 0.0001), so it is not used"


def _project(tmp_path, limit="0.995", toml=None):
    (tmp_path / ".git").mkdir(parents=True)
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    return write(tmp_path, "pm.yaml", PM.format(limit=limit)), write(tmp_path, "q.yaml", BAD_TICK)


def _headlines(result):
    return [d.headline() for d in result.diagnostics]


def test_compile_file_refuses_a_snapshot_tick_graphc_compile_refuses(tmp_path):
    for limit in ("0.995", "bid + 1 tick"):  # pm.yaml, pm2.yaml of the audit
        playbook, quotes = _project(tmp_path / limit.replace(" ", ""), limit)
        cli_run = CliRunner().invoke(cli, ["compile", str(playbook), "--quotes", str(quotes)])
        assert cli_run.exit_code == 1 and cli_run.stdout == "", cli_run.output
        said = f"{quotes}:1:48: error GC105 quote will-it-rain:yes.tick: {TICK_SAID}"
        assert said in cli_run.stderr
        # before the fix: ok, no diagnostic (and for `bid + 1 tick` a graph priced on another tick: 0.41)
        for result in (
            graphc.compile_file(playbook, quotes=quotes),
            graphc.compile_text(playbook.read_text(), str(playbook), quotes=quotes),
        ):
            assert not result.ok
            assert _headlines(result) == [said]
            assert result.diagnostics[0].related[0].message == "will-it-rain:yes is traded on polymarket here"


def test_compile_text_refuses_a_tick_of_a_quotes_mapping_at_the_leg(tmp_path):
    mapping = {"will-it-rain:yes": {"bid": "0.4", "ask": "0.6", "tick": "0.005"}}
    result = graphc.compile_text(PM.format(limit="0.995"), "pm.yaml", quotes=mapping)
    # before the fix: ok, no diagnostic
    assert not result.ok
    assert _headlines(result) == [f"pm.yaml:6:13: error GC105 quote will-it-rain:yes.tick: {TICK_SAID}"]


def test_compile_file_refuses_a_graphc_toml_market_tick_graphc_compile_refuses(tmp_path):
    playbook, _ = _project(tmp_path, toml='[markets."will-it-rain:yes"]\ntick = 0.005\n')
    cli_run = CliRunner().invoke(cli, ["compile", str(playbook)])
    said = f'{tmp_path / "graphc.toml"}:2:1: error GC103 [markets."will-it-rain:yes"] `tick` {TICK_SAID}'
    assert cli_run.exit_code == 1 and said in cli_run.stderr, cli_run.output
    result = graphc.compile_file(playbook)
    # before the fix: ok, no diagnostic
    assert not result.ok
    assert _headlines(result) == [said]
    write(tmp_path, "graphc.toml", '[markets."will-it-rain:yes"]\ntick = 0.001\n')
    assert graphc.compile_file(playbook).ok and CliRunner().invoke(cli, ["compile", str(playbook)]).exit_code == 0


KX = "KXFEDDECISION-26DEC-C25"
K3 = (  # the audit ci22 2 k3 repro: integer cents pasted into a snapshot
    "graphc: 1\nname: k3\nrisk: {max_notional: $5k}\nlegs:\n"
    f"  kb: {{buy: 1000 contracts, symbol: {KX}}}\n  ks: {{sell: $500, symbol: {KX}}}\n"
)


def test_compile_file_refuses_a_quote_price_no_prediction_market_can_have_as_graphc_compile(tmp_path):
    (tmp_path / ".git").mkdir()
    playbook = write(tmp_path, "k3.yaml", K3)
    quotes = write(tmp_path, "q.yaml", f"{KX}: {{bid: 40, ask: 41}}\n")
    cli_run = CliRunner().invoke(cli, ["compile", str(playbook), "--quotes", str(quotes)])
    assert cli_run.exit_code == 1, cli_run.output
    said = [line for line in cli_run.stderr.splitlines() if " error GC" in line]
    assert len(said) == 2, cli_run.stderr  # the bid and the ask, once each
    result = graphc.compile_file(playbook, quotes=quotes)
    assert not result.ok
    assert _headlines(result) == said


# -- F2: `now=` is the instant it names, read in UTC as `--now` reads it ----------------------------------------------

EST = timezone(timedelta(hours=-5))
SATURDAY_NIGHT = datetime(2026, 3, 7, 23, 30, tzinfo=EST)  # 2026-03-08T04:30Z: a Sunday in UTC
TODAY = (  # 2 BTC in the first week of a month, as `today` says: the audit's today.yaml
    "graphc: 1\nname: today-size\nlegs:\n  a:\n"
    '    buy: "{{ 2 if today[8:] | int <= 7 else 1 }} BTC"\n    symbol: BTC-USD\n    venue: coinbase\n    limit: 90000\n'
)


def _cli_wire(*args):
    run = CliRunner().invoke(cli, ["compile", *map(str, args), "--now", SATURDAY_NIGHT.isoformat()])
    assert run.exit_code == 0, run.output
    return json.loads(run.stdout)


def test_compile_now_with_an_offset_is_the_instant_graphc_compile_now_reads():
    dca, quotes = EXAMPLES / "btc-weekly-dca.yaml", EXAMPLES / "quotes.yaml"
    wire = _cli_wire(dca, "--quotes", quotes)
    assert wire["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 514133}}  # $500: 2026-03-08 is no payday
    # before the fix: 1028267, the payday's $1000, from the local date 2026-03-07
    assert graphc.compile_file(dca, quotes=quotes, now=SATURDAY_NIGHT).wire == wire
    assert graphc.compile_text(dca.read_text(), str(dca), quotes=quotes, now=SATURDAY_NIGHT).wire == wire


def test_prepare_now_with_an_offset_is_the_instant_graphc_plan_now_reads(tmp_path):
    playbook = write(tmp_path, "today.yaml", TODAY)
    wire = _cli_wire(playbook)
    assert wire["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 100000000}}  # 2026-03-08 in UTC: 1 BTC
    prepared = prepare(playbook, now=SATURDAY_NIGHT)  # before the fix: 2 BTC, from the local date 2026-03-07
    assert prepared.wire == wire
    assert prepared.run_key == prepare(playbook, now=SATURDAY_NIGHT.astimezone(UTC)).run_key
    planned = CliRunner().invoke(cli, ["plan", str(playbook), "--now", SATURDAY_NIGHT.isoformat()])
    assert planned.exit_code == 0 and f"run key: {prepared.run_key}" in planned.output, planned.output


def test_lint_now_with_an_offset_is_the_instant_graphc_lint_now_reads(tmp_path):
    sunday_only = TODAY.replace("2 if today[8:] | int <= 7 else 1", "1 if today == '2026-03-08' else 'x'")
    playbook = write(tmp_path, "sunday.yaml", sunday_only)
    linted = CliRunner().invoke(cli, ["lint", "--no-cache", str(playbook), "--now", SATURDAY_NIGHT.isoformat()])
    assert linted.exit_code == 0, linted.output
    # before the fix: GC105 `x BTC`, rendered on the local date 2026-03-07
    for result in (graphc.lint_file(playbook, now=SATURDAY_NIGHT), graphc.lint_text(sunday_only, now=SATURDAY_NIGHT)):
        assert [d for d in result.diagnostics if d.is_error] == []
    assert graphc.lint_text(sunday_only, now=SATURDAY_NIGHT.replace(tzinfo=UTC)).diagnostics[0].code == "GC105"


NAIVE = datetime(2026, 3, 7, 23, 30)


def _each_function_given(now, tmp_path):
    playbook = write(tmp_path, "today.yaml", TODAY)
    yield lambda: graphc.compile_file(playbook, now=now)
    yield lambda: graphc.compile_text(TODAY, now=now)
    yield lambda: graphc.lint_file(playbook, now=now)
    yield lambda: graphc.lint_text(TODAY, now=now)
    yield lambda: prepare(playbook, now=now)


def test_a_naive_now_is_refused_naming_the_parameter(tmp_path):
    # docs/api.md asks for an aware datetime: a naive one names no instant (before the fix: read as UTC, silently)
    for call in _each_function_given(NAIVE, tmp_path):
        with pytest.raises(TypeError, match=r"^now must be a timezone-aware datetime"):
            call()


def test_a_now_outside_the_supported_times_is_refused_as_graphc_compile_now_refuses_it(tmp_path):
    far = datetime(9999, 1, 1, tzinfo=UTC)
    run = CliRunner().invoke(cli, ["compile", str(write(tmp_path, "t.yaml", TODAY)), "--now", far.isoformat()])
    assert run.exit_code == 2 and "is outside the supported times" in run.output
    for call in _each_function_given(far, tmp_path):
        with pytest.raises(ValueError, match=r"^now: .* is outside the supported times, 1970-01-01T00:00:00Z to"):
            call()


# -- F5: "not checked" is not "clean": graphc.checked / graphc.exit_code give graphc lint's verdict for one file -----

HOSTILE = REPO / "tests" / "hostile"
OFF = '[rules]\nGC112 = "off"\nGC100 = "off"\n'


@pytest.mark.parametrize("toml", [OFF, None], ids=["GC100-GC112-off", "default"])
@pytest.mark.parametrize(
    "name", ["nul-byte.yaml", "utf16-no-bom.yaml", "not-utf8.yaml", "syntax-error.yaml", "clean.yaml", "gc105.yaml"]
)
def test_exit_code_of_a_lint_file_result_is_graphc_lints(tmp_path, name, toml):
    (tmp_path / ".git").mkdir()
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    texts = {
        "clean.yaml": "graphc: 1\nname: x\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n",
        "gc105.yaml": "graphc: 1\nname: x\nlegs:\n  a: {buy: 1 BTC, symbol: ETH-USD, limit: 2000}\n",
    }
    path = tmp_path / name
    path.write_bytes(texts[name].encode() if name in texts else (HOSTILE / name).read_bytes())
    rc = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)]).exit_code
    result = graphc.lint_file(path)
    # before the fix, with GC100 off: nul-byte and utf16 gave ([], skipped GC100) as syntax-error does, exit 2 vs 0
    assert graphc.exit_code(result) == rc
    assert graphc.checked(result) is (rc != 2)
    expected = {"nul-byte.yaml": 2, "utf16-no-bom.yaml": 2, "not-utf8.yaml": 2, "clean.yaml": 0, "gc105.yaml": 1}
    # a syntax error with GC100 off stopped the checks: not checked, exit 2 (audit reports23 1; it was 0)
    assert rc == expected.get(name, 2 if toml else 1)


def test_exit_code_of_prepared_and_lint_text_results(tmp_path):
    text = (HOSTILE / "nul-byte.yaml").read_text()
    assert graphc.exit_code(graphc.lint_text(text, "nul.yaml")) == 2
    assert graphc.exit_code(graphc.lint_text("graphc: 1\nname: x\nlegs: {}\n")) == 1  # GC103: no legs
    assert graphc.exit_code(prepare(HOSTILE / "nul-byte.yaml").result) == 2


# -- F6: submit_wire lints the graph as `graphc submit` lints a wire file, and sends only what it would send -------


def _wire_of(fixture: str) -> str:
    compiled = CliRunner().invoke(
        cli,
        ["compile", str(REPO / "tests" / "fixtures" / "rules" / fixture), "--quotes", str(EXAMPLES / "quotes.yaml")],
    )
    assert compiled.exit_code == 0, compiled.output
    return compiled.stdout


@pytest.mark.parametrize("code", ["GC309", "GC403"])
def test_submit_wire_refuses_a_graph_graphc_submit_refuses_and_sends_nothing(sandbox, tmp_path, monkeypatch, code):
    from graphc.api.client import Client
    from graphc.api.ledger import Ledger
    from graphc.submit import Refused, submit_wire

    (tmp_path / ".git").mkdir()
    wire_text = _wire_of(f"{code}.fail.yaml")  # GC309: 5000 BTC, above coinbase's maximum order size
    write(tmp_path, f"{code}.wire.json", wire_text)
    cli_run = subprocess.run(
        [sys.executable, "-m", "graphc", "submit", f"{code}.wire.json", "--run-key", f"cli-{code}"],
        cwd=tmp_path,
        env={**sandbox.env(), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli_run.returncode == 1, cli_run.stderr
    assert "refused: lint found errors" in cli_run.stderr and f"error {code}" in cli_run.stderr
    monkeypatch.chdir(tmp_path)  # the working directory's project, as `graphc submit` run there
    with Client(sandbox.base_url, "k") as client, Ledger(tmp_path / "ledger.sqlite") as ledger:
        with pytest.raises(Refused) as refused:  # before the fix: SENT graph_...
            submit_wire(wire_text, code, client=client, ledger=ledger, run_key=f"api-{code}")
        assert ledger.runs(f"api-{code}") == []  # nothing recorded
    assert refused.value.exit_code == 1
    assert refused.value.message.startswith("lint found errors; fix them and submit again")
    assert f"error {code}" in refused.value.message  # the problems, named
    assert sandbox.requests("POST", "/v1/orders") == [] and sandbox.graphs() == []  # nothing sent


def test_submit_wire_still_sends_a_graph_that_lints(sandbox, tmp_path, monkeypatch):
    from graphc.api.client import Client
    from graphc.api.ledger import Ledger
    from graphc.submit import submit_wire

    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    wire_text = _wire_of("GC309.pass.yaml")
    with Client(sandbox.base_url, "k") as client, Ledger(tmp_path / "ledger.sqlite") as ledger:
        done = submit_wire(wire_text, "ok", client=client, ledger=ledger, run_key="api-ok")
    assert [g["graph_id"] for g in sandbox.graphs()] == [done.graph_id]


# -- audit pyapi25 1: a file that is not UTF-8 is linted with its project's config and the snapshot, as `graphc lint` --

NOT_UTF8 = b'graphc: 1\nname: a\nlegs:\n  x: {buy: 1 ETH, symbol: "caf\xe9"}\n'
CROSSED = "ETH-USD: {bid: 5, ask: 4}\n"


def _cli_lint_json(*args):
    run = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", *args])
    return run.exit_code, json.loads(run.stdout)["diagnostics"]


def _where(diagnostics):
    """(code, severity, path, line, col) of each diagnostic, from the JSON report or the API's result, in the
    report's order (the JSON report sorts by file; the API puts the config first, then the snapshot)."""
    return sorted(
        (d["code"], d["severity"], d["path"], d["line"], d["column"])
        if isinstance(d, dict)
        else (d.code, d.severity, d.path, d.span and d.span.line, d.span and d.span.col)
        for d in diagnostics
    )


@pytest.mark.parametrize(
    ("toml", "quotes"),
    [
        ('[rules]\nGC112 = "off"\n', None),
        ('[rules]\nGC112 = "warning"\n', None),
        ('[rulez]\nGC112 = "off"\n', None),  # a typo: graphc.toml's GC102, and GC112 stays an error
        ('[rules]\nGC112 = "off"\n[marketz]\n', None),  # GC112 off beside a config problem: still not checked
        (None, CROSSED),  # the snapshot's GC105
        ('[rules]\nGC112 = "warning"\n', CROSSED),
    ],
    ids=["off", "warning", "config-typo", "off-and-config-typo", "bad-snapshot", "warning-and-bad-snapshot"],
)
def test_lint_file_of_a_file_not_utf8_reports_what_graphc_lint_reports(tmp_path, monkeypatch, toml, quotes):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)  # relative paths, as the report writes them
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    (tmp_path / "p.yaml").write_bytes(NOT_UTF8)
    options = []
    if quotes is not None:
        write(tmp_path, "q.yaml", quotes)
        options = ["--quotes", "q.yaml"]
    rc, said = _cli_lint_json("p.yaml", *options)
    result = graphc.lint_file("p.yaml", quotes=None if quotes is None else "q.yaml")
    # before the fix: always [('GC112', 'error', ...)] alone, whatever graphc.toml said, and no snapshot problem
    assert _where(result.diagnostics) == _where(said)
    assert graphc.exit_code(result) == rc == 2
    assert not graphc.checked(result)
    # the config's problems first, then the snapshot's, then the file's (docs/api.md)
    order = {"graphc.toml": 0, "q.yaml": 1, "p.yaml": 2}
    assert [order[d.path] for d in result.diagnostics] == sorted(order[d.path] for d in result.diagnostics)


def test_lint_file_of_a_file_not_utf8_checks_its_arguments_as_for_any_file(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[rules]\nGC112 = "off"\n')
    (tmp_path / "p.yaml").write_bytes(NOT_UTF8)
    playbook = tmp_path / "p.yaml"
    # before the fix: each returned the GC112 result, as if the argument were right
    with pytest.raises(TypeError, match=r"not float \(not exact\)"):
        graphc.lint_file(playbook, quotes={"ETH-USD": {"bid": 1.5, "ask": 2}})
    with pytest.raises(TypeError, match=r"^now must be a timezone-aware datetime"):
        graphc.lint_file(playbook, now=NAIVE)
    with pytest.raises(FileNotFoundError):
        graphc.lint_file(playbook, quotes=tmp_path / "missing.yaml")


# -- audit pyapi25 2: text holding a lone surrogate (a byte that is not UTF-8, read with surrogateescape) is GC112 ---

SURROGATE_TEXTS = {
    "p.yaml": b"graphc: 1\nname: a\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD}\n  y: {sell: 1 ETH, symbol: \xffETH}\n",
    "name.yaml": b"graphc: 1\nname: \xff\n",
    "w.json": b'{"nodes": [{"id": "\xff"}], "edges": []}\n',
}


@pytest.mark.parametrize("name", sorted(SURROGATE_TEXTS))
def test_text_with_a_lone_surrogate_is_gc112_where_graphc_lint_says_the_byte_is(tmp_path, monkeypatch, name):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    raw = SURROGATE_TEXTS[name]
    (tmp_path / name).write_bytes(raw)
    rc, said = _cli_lint_json(name)
    text = raw.decode("utf-8", errors="surrogateescape")  # as open(..., errors="surrogateescape") reads it
    # before the fix: UnicodeEncodeError ('surrogates not allowed') out of the YAML parser
    for result in (graphc.lint_text(text, name), graphc.compile_text(text, name)):
        assert _where(result.diagnostics) == _where(said)
        assert [d.code for d in result.diagnostics] == ["GC112"]
    linted = graphc.lint_text(text, name)
    assert graphc.exit_code(linted) == rc == 2 and not graphc.checked(linted)
    assert not graphc.compile_text(text, name).ok
    assert "U+DCFF is a lone surrogate" in linted.diagnostics[0].message


def test_a_lone_surrogate_not_from_a_byte_is_gc112_at_it():
    result = graphc.lint_text('graphc: 1\nname: "caf\u00e9 \ud800"\n', "p.yaml")
    assert [d.headline() for d in result.diagnostics] == [
        "p.yaml:2:13: error GC112 the file is not UTF-8 text: U+D800 is a lone surrogate, which UTF-8 cannot encode"
    ]


# -- audit pyapi25 3: a quotes mapping's text is read as the same text in a snapshot file (one price reader) ---------

PRICED = "graphc: 1\nname: w\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: bid - 1 tick}\n"


@pytest.mark.parametrize(
    ("bid", "wire_price"),
    [
        ("$2325", "2324.99"),
        ("2,325.10", "2325.09"),
        ("2325 USD", "2324.99"),
        ("55c", "0.54"),
        ("5k", "4999.99"),
        ("2325", "2324.99"),
    ],
)
def test_a_quotes_mapping_reads_price_text_as_a_snapshot_file_does(tmp_path, bid, wire_price):
    snapshot = write(tmp_path, "q.yaml", f'ETH-USD: {{bid: "{bid}", ask: "$6,000", tick: "0.01"}}\n')
    from_file = graphc.compile_text(PRICED, "w.yaml", quotes=snapshot)
    # before the fix: ValueError "... is not a number" for every form but the plain number
    from_mapping = graphc.compile_text(
        PRICED, "w.yaml", quotes={"ETH-USD": {"bid": bid, "ask": "$6,000", "tick": "0.01"}}
    )
    assert from_file.ok and from_mapping.ok, (from_file.diagnostics, from_mapping.diagnostics)
    assert from_mapping.wire_json() == from_file.wire_json()
    assert from_file.wire["nodes"][0]["order_type"]["limit"]["price_1e9"] == int(Decimal(wire_price) * 10**9)
    cli_run = CliRunner().invoke(cli, ["compile", "-", "--quotes", str(snapshot)], input=PRICED)
    assert (
        cli_run.exit_code == 0 and json.loads(cli_run.stdout)["nodes"] == json.loads(from_mapping.wire_json())["nodes"]
    )


def test_a_quotes_mapping_still_refuses_a_float_and_says_a_crossed_book_as_written():
    with pytest.raises(TypeError, match=r"^quote ETH-USD.bid: pass a Decimal, int or str, not float \(not exact\)$"):
        graphc.compile_text(PRICED, quotes={"ETH-USD": {"bid": 2325.1, "ask": "3000"}})
    with pytest.raises(ValueError, match=r"^quote ETH-USD: crossed: bid 5k > ask 3000$"):
        graphc.compile_text(PRICED, quotes={"ETH-USD": {"bid": "5k", "ask": 3000}})
    with pytest.raises(ValueError, match=r"^quote ETH-USD.bid: cannot read 'cheap' as a price$"):
        graphc.compile_text(PRICED, quotes={"ETH-USD": {"bid": "cheap", "ask": 3000}})


# -- audit pyapi25 4: a result whose params file could not be read is not checked: exit_code 2, as `graphc lint` ----

CLEAN = "graphc: 1\nname: a\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n"


def _params_files(tmp_path):
    (tmp_path / "adir").mkdir()
    (tmp_path / "latin1.yaml").write_bytes(b"note: caf\xe9\n")  # not UTF-8
    write(tmp_path, "good.yaml", "{}\n")
    return {"missing": "nope.yaml", "a directory": "adir", "not UTF-8": "latin1.yaml", "readable": "good.yaml"}


@pytest.mark.parametrize("case", ["missing", "a directory", "not UTF-8", "readable"])
@pytest.mark.parametrize("name", ["ok.yaml", "w.json"])
def test_exit_code_of_a_lint_whose_params_file_cannot_be_read_is_graphc_lints(tmp_path, monkeypatch, case, name):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    params_file = _params_files(tmp_path)[case]
    write(tmp_path, "ok.yaml", CLEAN)
    write(tmp_path, "w.json", graphc.compile_text(CLEAN).wire_json())  # a wire graph reads no params at all
    rc = CliRunner().invoke(cli, ["lint", "--no-cache", name, "--params", params_file]).exit_code
    assert rc == (0 if case == "readable" else 2)
    # before the fix: 1 for a playbook (its GC108 an error like any finding) and 0 for a wire graph
    for result in (
        graphc.lint_file(name, params_file=params_file),
        graphc.lint_text((tmp_path / name).read_text(), name, params_file=params_file),
    ):
        assert graphc.exit_code(result) == rc
        assert graphc.checked(result) is (rc == 0)
    if case != "readable" and name == "ok.yaml":  # the GC108 that says why stays in the result (docs/api.md)
        said = graphc.lint_file(name, params_file=params_file).diagnostics
        assert [d.code for d in said] == ["GC108"] and said[0].message.startswith(
            f"cannot read params file {params_file}"
        )


def test_a_params_file_that_cannot_be_read_is_not_checked_whatever_graphc_toml_says_of_gc108(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", '[rules]\nGC108 = "off"\n')
    write(tmp_path, "ok.yaml", CLEAN)
    result = graphc.lint_file("ok.yaml", params_file="nope.yaml")
    assert result.diagnostics == [] and graphc.exit_code(result) == 2  # not a pass, with the GC108 off
    assert CliRunner().invoke(cli, ["lint", "--no-cache", "ok.yaml", "--params", "nope.yaml"]).exit_code == 2


# -- audit pyapi25 5: lint says a tick the venue cannot have beside another compile error, as compile does -----------

TWO_LEGS = (
    "graphc: 1\nname: a\nlegs:\n"
    f"  x: {{buy: 10 contracts, symbol: {KX}, limit: bid}}\n"  # no quote for it: GC109
    "  y: {buy: 1000 shares, symbol: will-it-rain:yes, limit: bid}\n"
)


@pytest.mark.parametrize(
    ("toml", "quotes", "refused"),
    [
        (None, BAD_TICK, ("GC105", "q.yaml", 1, 48)),
        ('[markets."will-it-rain:yes"]\ntick = 0.005\n', "'will-it-rain:yes': {bid: 0.4, ask: 0.6}\n", None),
    ],
    ids=["snapshot-tick", "graphc.toml-tick"],
)
def test_lint_reports_a_refused_tick_beside_another_compile_error_as_compile(
    tmp_path, monkeypatch, toml, quotes, refused
):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    write(tmp_path, "q.yaml", quotes)
    write(tmp_path, "a.yaml", TWO_LEGS)
    refused = refused or ("GC103", "graphc.toml", 2, 1)
    expected = sorted([("GC109", "error", "a.yaml", 4, 66), (refused[0], "error", *refused[1:])])
    compiled = CliRunner().invoke(cli, ["compile", "a.yaml", "--quotes", "q.yaml"])
    assert compiled.exit_code == 1
    assert f"{refused[1]}:{refused[2]}:{refused[3]}: error {refused[0]}" in compiled.stderr  # compile says both
    rc, said = _cli_lint_json("a.yaml", "--quotes", "q.yaml")
    # before the fix: GC109 alone, from graphc lint and from the library
    assert rc == 1 and _where(said) == expected
    assert _where(graphc.compile_file("a.yaml", quotes="q.yaml").diagnostics) == expected
    result = graphc.lint_file("a.yaml", quotes="q.yaml")
    assert _where(result.diagnostics) == expected and graphc.exit_code(result) == 1
    if toml is None:  # lint_text reads no graphc.toml
        assert _where(graphc.lint_text(TWO_LEGS, "a.yaml", quotes="q.yaml").diagnostics) == expected
