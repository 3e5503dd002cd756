"""Each report says a verdict where it belongs and never reads "skipped" or "nothing linted" as "passed".

Audit formats.md findings 2, 3 and 4 (docs/output-formats.md; playbook-spec.md §8: a check that could not run is
skipped, never passed).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import EXAMPLES, REPO, write
from tests.test_report import _check_junit_10, _check_sarif, json_validator, sarif_validator  # noqa: F401  (fixtures)

FORMATS = ("text", "json", "sarif", "github", "junit")


def lint(*args):
    return CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)])


# -- 2. a check skipped inside a `use:` template is reported at the template ------------------------------------


@pytest.fixture
def hedged(tmp_path, monkeypatch):
    """The shipped btc-spot-hedged example with its template and quotes: its perp legs come from
    templates/perp-hedge.yaml, and with no BTC-USD-PERP quote their notional checks are skipped."""
    shutil.copy(EXAMPLES / "btc-spot-hedged.yaml", tmp_path)
    shutil.copy(EXAMPLES / "quotes.yaml", tmp_path)
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# The template's legs: line 17 is `    sell: "{{ size }}"` (leg short) whose value starts at column 11, and
# line 23 is `    buy: "{{ size }}"` (leg stop) at column 10 (checked by hand in examples/templates/perp-hedge.yaml).
# The playbook has 17 lines or more, but its line 17 is `  hedge:`, 8 characters: column 11 does not exist there.
TEMPLATE = "templates/perp-hedge.yaml"


def test_the_example_template_is_as_this_test_assumes():
    lines = (EXAMPLES / TEMPLATE).read_text().splitlines()
    assert lines[16] == '    sell: "{{ size }}"' and lines[16][10:].startswith('"{{ size }}"')
    assert lines[22] == '    buy: "{{ size }}"' and lines[22][9:].startswith('"{{ size }}"')
    assert len((EXAMPLES / "btc-spot-hedged.yaml").read_text().splitlines()[16]) < 11


def test_text_puts_a_skip_inside_a_template_at_the_template(hedged):
    out = lint("--quotes", "quotes.yaml", "--explain-skips", "btc-spot-hedged.yaml").stdout
    skips = [line for line in out.splitlines() if ": skipped " in line]
    assert (
        f"{TEMPLATE}:17:11: skipped GC301 market order and no quote for BTC-USD-PERP: the notional is unknown" in skips
    )
    assert (
        f"{TEMPLATE}:23:10: skipped GC301 market order and no quote for BTC-USD-PERP: the notional is unknown" in skips
    )
    assert not [s for s in skips if s.startswith(("btc-spot-hedged.yaml:17:", "btc-spot-hedged.yaml:23:"))]
    # GC503 is about the playbook's own hedge block: it stays there
    assert any(s.startswith("btc-spot-hedged.yaml:10:17: skipped GC503") for s in skips)


def test_json_says_which_file_a_skip_is_in(hedged, json_validator):  # noqa: F811
    report = json.loads(lint("--quotes", "quotes.yaml", "-f", "json", "btc-spot-hedged.yaml").stdout)
    json_validator.validate(report)
    [file] = report["files"]
    places = {(s["code"], s["path"], s["line"], s["column"]) for s in file["skipped"]}
    assert ("GC301", TEMPLATE, 17, 11) in places and ("GC301", TEMPLATE, 23, 10) in places
    assert ("GC503", "btc-spot-hedged.yaml", 10, 17) in places
    assert not [p for p in places if p[1] == "btc-spot-hedged.yaml" and p[2] in (17, 23)]


def test_sarif_github_and_junit_put_a_template_skip_at_the_template(hedged, sarif_validator):  # noqa: F811
    log = json.loads(lint("--quotes", "quotes.yaml", "-f", "sarif", "btc-spot-hedged.yaml").stdout)
    _check_sarif(sarif_validator, log)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    places = set()
    for note in notes:
        for location in (place["physicalLocation"] for place in note["locations"]):
            places.add(
                (note["associatedRule"]["id"], location["artifactLocation"]["uri"], location["region"]["startLine"])
            )
    assert ("GC301", TEMPLATE, 17) in places and ("GC305", TEMPLATE, 23) in places
    assert not [p for p in places if p[1] == "btc-spot-hedged.yaml" and p[2] in (17, 23)]

    github = lint("--quotes", "quotes.yaml", "-f", "github", "--explain-skips", "btc-spot-hedged.yaml").stdout
    assert f"::notice file={TEMPLATE},line=17,col=11" in github
    assert "file=btc-spot-hedged.yaml,line=17" not in github and "file=btc-spot-hedged.yaml,line=23" not in github

    junit = ET.fromstring(lint("--quotes", "quotes.yaml", "-f", "junit", "btc-spot-hedged.yaml").stdout)
    [out] = junit.iter("system-out")
    assert f"{TEMPLATE}:23:10: skipped GC501" in out.text
    assert "btc-spot-hedged.yaml:17:11" not in out.text and "btc-spot-hedged.yaml:23:10" not in out.text


# -- 3. nothing linted is never a clean run ---------------------------------------------------------------------


@pytest.mark.parametrize("where", ["empty", "nomatch/**/*.yaml"])
def test_nothing_linted_is_said_by_every_machine_format(tmp_path, monkeypatch, where, json_validator, sarif_validator):  # noqa: F811
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    text = lint(where)
    assert text.exit_code == 2 and text.stdout.startswith("nothing linted: ")
    why = text.stdout.strip().removeprefix("nothing linted: ")

    log = json.loads(lint("-f", "sarif", where).stdout)
    _check_sarif(sarif_validator, log)
    [invocation] = log["runs"][0]["invocations"]  # before: no invocations, an empty run read as a clean analysis
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": f"nothing linted: {why}"}}
    ]

    report = json.loads(lint("-f", "json", where).stdout)
    json_validator.validate(report)
    assert report["summary"] == {"errors": 0, "warnings": 0, "files": 0, "skipped": 0, "nothing_linted": why}

    result = lint("-f", "junit", where)
    assert result.exit_code == 2
    junit = ET.fromstring(result.stdout)
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("1", "0", "1")
    [case] = junit.iter("testcase")
    [error] = list(case)
    assert (case.get("name"), error.tag, error.get("message")) == ("nothing linted", "error", f"nothing linted: {why}")


def test_nothing_linted_under_allow_empty_is_said_but_does_not_fail_the_reports(tmp_path, monkeypatch, sarif_validator):  # noqa: F811
    """Audit review11 3: `--allow-empty` (the pre-commit hook with no file) exits 0, but SARIF said
    executionSuccessful false and JUnit had an error, so CI reading the report went red."""
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    result = lint("--allow-empty", "-f", "sarif", "empty")
    assert result.exit_code == 0, result.output
    log = json.loads(result.stdout)
    _check_sarif(sarif_validator, log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "note" and note["message"]["text"].startswith("nothing linted: ")

    result = lint("--allow-empty", "-f", "junit", "empty")
    assert result.exit_code == 0, result.output
    junit = ET.fromstring(result.stdout)
    suite = junit.find("testsuite")  # (`skipped` is the <testsuite>'s: junit-10.xsd allows none on <testsuites>)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "1",
        "0",
        "0",
        "1",
    )
    [case] = junit.iter("testcase")
    assert [child.tag for child in case] == ["skipped"]


def test_a_clean_run_has_no_nothing_linted(tmp_path, monkeypatch):
    shutil.copy(EXAMPLES / "eth-hedge.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    assert "nothing_linted" not in json.loads(lint("-f", "json", "eth-hedge.yaml").stdout)["summary"]
    assert 'errors="0"' in lint("-f", "junit", "eth-hedge.yaml").stdout


def test_junit_lists_files_that_could_not_be_read_with_gc112_off(tmp_path, monkeypatch):
    (tmp_path / "latin1.yaml").write_bytes(b"graphc: 1\nname: caf\xe9\n")
    monkeypatch.chdir(tmp_path)
    result = lint("-f", "junit", "--config", 'rules.GC112 = "off"', "latin1.yaml", "nope.yaml")
    assert result.exit_code == 2
    junit = ET.fromstring(result.stdout)  # before: tests="0" errors="0", neither file named
    cases = {case.get("name"): [(child.tag, child.get("message")) for child in case] for case in junit.iter("testcase")}
    assert cases == {
        "latin1.yaml": [("error", "could not be read: not linted")],
        "nope.yaml": [("error", "not found: not linted")],
        "nothing linted": [("error", "nothing linted: latin1.yaml could not be read; nope.yaml not found")],
    }
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("3", "0", "3")


# -- 4. GC112 as a warning: the unread file's checks are skipped, never passed ----------------------------------


@pytest.fixture
def latin(tmp_path, monkeypatch):
    (tmp_path / "latin1.yaml").write_bytes(b"graphc: 1\nname: caf\xe9\n")
    write(tmp_path, "graphc.toml", '[rules]\nGC112 = "warning"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


SKIP_REASON = "the file is not UTF-8 text, so every rule was skipped on it: no other check ran on this file"


def test_gc112_as_a_warning_counts_the_unread_files_checks_as_skipped(latin, json_validator):  # noqa: F811
    result = lint("--explain-skips", "latin1.yaml")
    assert result.exit_code == 2
    # the é is the 10th character of line 2 (`name: caf` is 9): GC112's place, and its skip's
    assert f"latin1.yaml:2:10: skipped GC112 {SKIP_REASON}" in result.stdout
    # not counted among the files checked, but named as not checked (audit reports23 1; before that
    # "1 warning in 1 file (1 check skipped)", and before that "1 warning in 1 file")
    assert result.stdout.splitlines()[-1] == (
        "1 warning in 0 files; 1 file not checked: latin1.yaml (GC112 at latin1.yaml:2:10 stopped the checks)"
    )
    report = json.loads(lint("-f", "json", "latin1.yaml").stdout)
    json_validator.validate(report)
    assert report["files"][0]["skipped"] == [
        {"code": "GC112", "reason": SKIP_REASON, "path": "latin1.yaml", "line": 2, "column": 10}
    ]


def test_gc112_as_a_warning_is_an_errored_junit_case_and_a_sarif_notification(latin, sarif_validator):  # noqa: F811
    junit = ET.fromstring(lint("-f", "junit", "latin1.yaml").stdout)
    [case] = junit.iter("testcase")  # before audit verdict17: a passing test case; before ci24 2: a skipped one
    assert [child.tag for child in case] == ["error", "system-out"]
    assert case.find("error").get("type") == "not-read"
    assert case.find("error").get("message") == "not checked: GC112 at latin1.yaml:2:10 stopped the checks"
    suite = junit.find("testsuite")  # (`skipped` is the <testsuite>'s: junit-10.xsd allows none on <testsuites>)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "1",
        "0",
        "1",
        "0",
    )

    log = json.loads(lint("-f", "sarif", "latin1.yaml").stdout)
    _check_sarif(sarif_validator, log)
    assert [(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]] == [("GC112", "warning")]
    [invocation] = log["runs"][0]["invocations"]  # before: none, so the run read as a complete analysis
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["associatedRule"]["id"] == "GC112"
    assert note["message"]["text"] == f"skipped GC112: {SKIP_REASON}"


def test_gc112_as_an_error_also_counts_a_skip_but_the_junit_case_fails(tmp_path, monkeypatch):
    (tmp_path / "latin1.yaml").write_bytes(b"graphc: 1\nname: caf\xe9\n")
    monkeypatch.chdir(tmp_path)
    assert lint("latin1.yaml").stdout.splitlines()[-1] == (  # (audit reports23 1: named as not checked)
        "1 error in 0 files; 1 file not checked: latin1.yaml (GC112 at latin1.yaml:2:10 stopped the checks)"
    )
    junit = ET.fromstring(lint("-f", "junit", "latin1.yaml").stdout)
    # its finding fails a case; not read, it is an error too, as with GC112 off: each a case of its own (reports26 4)
    finding, unread = junit.iter("testcase")
    assert [child.tag for child in finding] == ["failure", "system-out"] and finding.get(
        "name"
    ) == "GC112 latin1.yaml:2:10"
    assert [child.tag for child in unread] == ["error"] and unread.find("error").get("type") == "not-read"
    assert {finding.get("classname"), unread.get("classname"), unread.get("name")} == {"latin1.yaml"}
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("2", "1", "1")


# -- 4. the JSON summary counts skipped checks, as the text and github summary lines do (audit verdict17 5) -------


def test_every_format_counts_the_same_skipped_checks(hedged, json_validator, sarif_validator):  # noqa: F811
    args = ("--quotes", "quotes.yaml", "btc-spot-hedged.yaml")
    text = lint(*args).stdout.splitlines()[-1]
    [counted] = [int(n) for n in text.split("(")[1].split()[:1]]  # `no problems in 1 file (N checks skipped; ...)`
    assert counted > 0, text
    report = json.loads(lint("-f", "json", *args).stdout)
    json_validator.validate(report)
    assert report["summary"]["skipped"] == counted == sum(len(f["skipped"]) for f in report["files"])
    assert f"({counted} checks skipped" in lint("-f", "github", *args).stdout.splitlines()[-1]
    # SARIF: a tool-execution notification per file, rule and reason, with its count; JUnit: each listed in the
    # file's system-out
    log = json.loads(lint("-f", "sarif", *args).stdout)
    _check_sarif(sarif_validator, log)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert all(note["message"]["text"].startswith("skipped ") for note in notes)
    assert sum(note["properties"]["count"] for note in notes) == counted
    junit = ET.fromstring(lint("-f", "junit", *args).stdout)
    assert sum(": skipped GC" in line for out in junit.iter("system-out") for line in out.text.splitlines()) == counted


def test_the_json_skipped_count_is_the_files_skips(json_validator):  # noqa: F811
    report = json.loads(lint("-f", "json", "--quotes", EXAMPLES / "quotes.yaml", EXAMPLES / "eth-hedge.yaml").stdout)
    json_validator.validate(report)
    assert report["summary"]["skipped"] == sum(len(f["skipped"]) for f in report["files"])


# -- 5. SARIF groups skipped checks: one notification per (file, rule, reason), with the exact count ------------
# Audit wire18, observation (a): a 40,000-node wire graph linted without quotes skips about 8 checks per node, and
# each was its own toolExecutionNotification (150 MB of SARIF, more than GitHub code scanning accepts).

SKIP_PLACES = 20  # the places a grouped notification lists (docs/output-formats.md, "sarif")


def test_the_documented_number_of_places_is_the_one_sarif_lists():
    from graphc.report import sarif

    page = (REPO / "docs" / "output-formats.md").read_text()
    assert sarif.SKIP_PLACES == SKIP_PLACES and f"else the first {SKIP_PLACES}," in page


def _wire_chain(n: int) -> str:
    """n limit orders on coinbase, each waiting on the one before; no quotes, so each node skips its venue
    checks (GC301 ... GC309) and its quote checks (GC404, GC406), one per node with the same reason."""
    nodes = [
        {
            "node_id": f"n{i}",
            "instrument": {"symbol": "ETH-USD", "type": "spot", "venue": "coinbase"},
            "side": "buy" if i % 2 == 0 else "sell",
            "order_type": {"limit": {"price_1e9": 2000000000000}},
            "quantity": {"fixed": {"qty_1e8": 100000000}},
            "execution": {"policy": "sor"},
            "activation": "wait" if i else "root",
        }
        for i in range(n)
    ]
    edges = [
        {"edge_id": f"e{i}", "from_node": f"n{i - 1}", "to_node": f"n{i}", "trigger": "on_full_fill"}
        for i in range(1, n)
    ]
    return json.dumps({"nodes": nodes, "edges": edges, "is_sandbox": True}, indent=2)


def _skip_notes(log) -> list[dict]:
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    return [note for note in notes if note["message"]["text"].startswith("skipped ")]


def test_sarif_notes_each_rule_and_reason_once_with_a_count(tmp_path, monkeypatch, json_validator, sarif_validator):  # noqa: F811
    write(tmp_path, "chain.json", _wire_chain(30))
    monkeypatch.chdir(tmp_path)
    summary = lint("chain.json").stdout.splitlines()[-1]
    assert summary == "no problems in 1 file (240 checks skipped; --explain-skips lists them)"
    explained = [line for line in lint("--explain-skips", "chain.json").stdout.splitlines() if ": skipped GC" in line]
    assert len(explained) == 240  # the text list still has a line per skipped check

    report = json.loads(lint("-f", "json", "chain.json").stdout)
    json_validator.validate(report)
    assert report["summary"]["skipped"] == 240  # the JSON report still lists each check (its version 1 shape)
    groups: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for skip in report["files"][0]["skipped"]:
        groups.setdefault((skip["code"], skip["reason"]), []).append((skip["line"], skip["column"]))
    assert len(groups) == 8 and all(len(places) == 30 for places in groups.values())

    log = json.loads(lint("-f", "sarif", "chain.json").stdout)
    _check_sarif(sarif_validator, log)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True
    notes = _skip_notes(log)  # before: 240 notifications, one per skipped check
    assert [(n["associatedRule"]["id"], n["message"]["text"].partition(": ")[2]) for n in notes] == list(groups)
    for note in notes:
        code, reason = note["associatedRule"]["id"], note["message"]["text"].partition(": ")[2]
        assert note["level"] == "note"
        assert (
            note["message"]["text"]
            == f"skipped {code} (30 checks; the first {SKIP_PLACES} places are listed): {reason}"
        )
        assert note["properties"] == {"count": 30, "locationsNotListed": 30 - SKIP_PLACES}
        places = [
            (loc["physicalLocation"]["region"]["startLine"], loc["physicalLocation"]["region"]["startColumn"])
            for loc in note["locations"]
        ]
        assert places == sorted(groups[code, reason])[:SKIP_PLACES]
        assert {loc["physicalLocation"]["artifactLocation"]["uri"] for loc in note["locations"]} == {"chain.json"}
    assert sum(note["properties"]["count"] for note in notes) == 240  # the summary's count, exactly


def test_sarif_groups_skips_per_file_and_lists_a_small_groups_places(tmp_path, monkeypatch, sarif_validator):  # noqa: F811
    write(tmp_path, "a.json", _wire_chain(3))
    write(tmp_path, "b.json", _wire_chain(1))
    monkeypatch.chdir(tmp_path)
    log = json.loads(lint("-f", "sarif", "a.json", "b.json").stdout)
    _check_sarif(sarif_validator, log)
    notes = _skip_notes(log)
    assert len(notes) == 16  # 8 groups in each file, never merged across files
    for note in notes[:8]:
        code, reason = note["associatedRule"]["id"], note["message"]["text"].partition(": ")[2]
        assert note["message"]["text"] == f"skipped {code} (3 checks): {reason}"
        assert note["properties"] == {"count": 3}
        assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in note["locations"]] == ["a.json"] * 3
        assert len({loc["physicalLocation"]["region"]["startLine"] for loc in note["locations"]}) == 3
    for note in notes[8:]:  # one check: the message it always had
        code, reason = note["associatedRule"]["id"], note["message"]["text"].partition(": ")[2]
        assert note["message"]["text"] == f"skipped {code}: {reason}"
        assert note["properties"] == {"count": 1} and len(note["locations"]) == 1
        assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b.json"


def test_sarif_groups_the_skipped_notional_checks_of_many_market_orders(tmp_path, monkeypatch, sarif_validator):  # noqa: F811
    """GC501's skip named its node in its reason, so a 30,000-node graph of market orders without quotes made
    30,000 groups of one (13 MB of notifications, the report 29 MB): the reason now names the market, the
    place says which order."""
    graph = json.loads(_wire_chain(300))
    for i, node in enumerate(graph["nodes"]):
        node["order_type"] = "market"
        node["instrument"]["symbol"] = ("ETH-USD", "BTC-USD")[i % 2]
    graph["risk"] = {"admission": {"max_notional_usd": 1000000}}  # (GC501 checks each order against it)
    write(tmp_path, "a.json", json.dumps(graph))
    monkeypatch.chdir(tmp_path)
    log = json.loads(lint("-f", "sarif", "a.json").stdout)
    _check_sarif(sarif_validator, log)
    gc501 = [note for note in _skip_notes(log) if note["associatedRule"]["id"] == "GC501"]
    assert [note["properties"]["count"] for note in gc501] == [150, 150]
    assert {note["message"]["text"].partition(": ")[2] for note in gc501} == {
        f"the order's notional is unknown: it is a market order and there is no quote for {symbol}"
        for symbol in ("BTC-USD", "ETH-USD")
    }
    assert len(_skip_notes(log)) < 30


# -- 6. every SARIF log is valid SARIF 2.1.0, also when skipped checks share a place (audit ci19 2) --------------
# The rungs of a `for_each` leg, and two legs made from one `use:` template, have the same span: their skipped
# checks listed the same place several times, and the schema declares a notification's `locations` uniqueItems
# (codeql-action's upload-sarif validates against it and refuses the file, so a clean playbook failed the Action).

TWICE = """\
graphc: 1
name: twice
risk:
  max_notional: $2m
legs:
  spot:
    buy: 200 ETH
    symbol: ETH-USD
    limit: 2325.50
  hedge1:
    use: ./templates/perp-hedge.yaml
    with: {size: 100 ETH, perp: ETH-USD-PERP}
    after: spot filled 50%
  hedge2:
    use: ./templates/perp-hedge.yaml
    with: {size: 100 ETH, perp: ETH-USD-PERP}
    after: spot filled
"""

# three rungs of one `for_each` leg, each off kalshi's 0.01 tick: GC303 three times at one place, and the checks
# skipped for want of a quote three times at each of their places
RUNGS = """\
graphc: 1
name: rungs
legs:
  entry:
    for_each: 3
    buy: 10 contracts
    symbol: KXFEDDECISION-26DEC-C25
    limit: 0.405
"""


@pytest.fixture
def shared_places(tmp_path, monkeypatch):
    """The examples (eth-ladder's ten rungs share one span), their template and quotes, a playbook that uses the
    template for two legs and a `for_each` with findings."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    write(tmp_path, "twice.yaml", TWICE)
    write(tmp_path, "rungs.yaml", RUNGS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _places(note) -> list[str]:
    return [json.dumps(place, sort_keys=True) for place in note.get("locations", [])]


@pytest.mark.parametrize(
    "args",
    [
        ("examples/eth-ladder.yaml",),  # the project's own example, clean: 61 checks skipped
        ("--quotes", "examples/quotes.yaml", "examples/eth-ladder.yaml"),
        ("examples",),  # what the Action's `paths: examples/` runs
        ("twice.yaml",),  # a template used twice
        ("rungs.yaml",),  # a for_each with findings at a shared place
        ("twice.yaml", "rungs.yaml", "examples"),
    ],
    ids=["eth-ladder", "eth-ladder-quotes", "examples-dir", "template-twice", "for-each-findings", "together"],
)
def test_sarif_validates_against_the_official_schema_when_skipped_checks_share_a_place(
    shared_places,
    args,
    sarif_validator,  # noqa: F811
):
    text = lint(*args).stdout.splitlines()[-1]
    result = lint("-f", "sarif", *args)
    log = json.loads(result.stdout)
    _check_sarif(sarif_validator, log)  # before: uniqueItems .../toolExecutionNotifications/N/locations
    notes = _skip_notes(log)
    assert notes and all(len(set(_places(note))) == len(_places(note)) for note in notes)
    if args == ("rungs.yaml",):
        # the three rungs' one price at one place is one finding (audit spec28 2: identical code, place and message)
        assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["GC303"]
        assert all(note["properties"]["count"] == 3 for note in notes)
    # the counts stay exact: they add up to the summary line's skipped checks
    counted = int(text.split("(")[1].split()[0])
    assert sum(note["properties"]["count"] for note in notes) == counted


def test_sarif_lists_a_place_shared_by_skipped_checks_once_and_keeps_their_count(shared_places, sarif_validator):  # noqa: F811
    log = json.loads(lint("-f", "sarif", "examples/eth-ladder.yaml").stdout)
    _check_sarif(sarif_validator, log)
    [note] = [n for n in _skip_notes(log) if n["associatedRule"]["id"] == "GC301"]
    reason = note["message"]["text"].partition(": ")[2]
    assert note["message"]["text"] == f"skipped GC301 (10 checks at 1 place): {reason}"
    assert note["properties"] == {"count": 10, "places": 1}  # ten rungs, one `for_each` leg
    [place] = note["locations"]
    assert place["physicalLocation"]["region"]["startLine"] == 17  # `    buy: "{{ rung_size }}"`

    log = json.loads(lint("-f", "sarif", "twice.yaml").stdout)
    _check_sarif(sarif_validator, log)
    in_template = [n for n in _skip_notes(log) if n["properties"]["count"] == 4]  # GC301, GC305, GC309, GC501
    assert sorted(n["associatedRule"]["id"] for n in in_template) == ["GC301", "GC305", "GC309", "GC501"]
    for note in in_template:  # two hedges x (short, stop): listed once at each of the template's two legs
        assert note["properties"] == {"count": 4, "places": 2}
        assert " (4 checks at 2 places): " in note["message"]["text"]
        assert [
            (place["physicalLocation"]["artifactLocation"]["uri"], place["physicalLocation"]["region"]["startLine"])
            for place in note["locations"]
        ] == [(TEMPLATE, 17), (TEMPLATE, 23)]


def test_every_sarif_log_of_the_rule_fixtures_examples_and_hostile_files_is_valid(sarif_validator):  # noqa: F811
    fixtures, hostile = REPO / "tests" / "fixtures" / "rules", REPO / "tests" / "hostile"
    log = json.loads(lint("-f", "sarif", "--allow-empty", fixtures, EXAMPLES, hostile).stdout)
    _check_sarif(sarif_validator, log)
    assert log["runs"][0]["results"]  # findings, skips and unreadable files: all in one log


# -- 7. a path that gives nothing to lint beside paths that do: every report says it (audit ci19 5) --------------
# `graphc lint err empty` exits 2 and warns on stderr, but the reports read as complete: SARIF
# executionSuccessful true (code scanning then closes the alerts of files under a renamed path as fixed), no JSON
# key, no JUnit case, no GitHub annotation. They now say it as they say a file that could not be read.

OFF_TICK = (REPO / "tests" / "fixtures" / "rules" / "GC303.fail.yaml").read_text()


@pytest.fixture
def err_and_empty(tmp_path, monkeypatch):
    write(tmp_path, "err/e.yaml", OFF_TICK)
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


EMPTY_WHY = {
    "empty": "no *.yaml, *.yml or *.json file in empty",
    "nomatch/**/*.yaml": "no *.yaml, *.yml or *.json file matches 'nomatch/**/*.yaml'",
}


@pytest.mark.parametrize("where", list(EMPTY_WHY))
def test_a_path_with_nothing_to_lint_beside_linted_files_is_in_every_report(
    err_and_empty,
    where,
    json_validator,  # noqa: F811
    sarif_validator,  # noqa: F811
):
    why = EMPTY_WHY[where]
    text = lint("err", where)
    assert text.exit_code == 2
    assert text.stdout.splitlines()[-1] == f"1 error in 1 file (3 checks skipped; --explain-skips lists them); {why}"

    result = lint("-f", "sarif", "err", where)
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    _check_sarif(sarif_validator, log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False  # before: true, a complete and successful analysis
    assert {"level": "error", "message": {"text": f"nothing to lint: {why}"}} in invocation[
        "toolExecutionNotifications"
    ]

    report = json.loads(lint("-f", "json", "err", where).stdout)
    json_validator.validate(report)
    assert report["empty_paths"] == [{"path": where, "reason": why}]
    assert report["summary"] == {"errors": 1, "warnings": 0, "files": 1, "skipped": 3}  # version 1: unchanged

    github = lint("-f", "github", "err", where).stdout.splitlines()
    assert f"::error title=nothing to lint::{why}" in github

    junit = ET.fromstring(lint("-f", "junit", "err", where).stdout)
    cases = {case.get("name"): [(child.tag, child.get("type")) for child in case] for case in junit.iter("testcase")}
    assert cases[where] == [("error", "nothing-linted")]
    [error] = [case.find("error") for case in junit.iter("testcase") if case.get("name") == where]
    assert error.get("message") == f"nothing to lint: {why}"
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("2", "1", "1")
    _check_junit_10(lint("-f", "junit", "err", where).stdout)  # audit ci19 6: valid for Jenkins' xunit plugin


def test_a_path_with_nothing_to_lint_under_allow_empty_is_said_without_failing_the_reports(
    err_and_empty,
    json_validator,  # noqa: F811
    sarif_validator,  # noqa: F811
):
    why = EMPTY_WHY["empty"]
    result = lint("--allow-empty", "-f", "sarif", "err", "empty")
    assert result.exit_code == 1  # the GC303 error; the empty path is accepted
    log = json.loads(result.stdout)
    _check_sarif(sarif_validator, log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    assert {"level": "note", "message": {"text": f"nothing to lint: {why}"}} in invocation["toolExecutionNotifications"]
    report = json.loads(lint("--allow-empty", "-f", "json", "err", "empty").stdout)
    json_validator.validate(report)
    assert report["empty_paths"] == [{"path": "empty", "reason": why}]
    assert f"::warning title=nothing to lint::{why}" in lint("--allow-empty", "-f", "github", "err", "empty").stdout
    junit = ET.fromstring(lint("--allow-empty", "-f", "junit", "err", "empty").stdout)
    [case] = [case for case in junit.iter("testcase") if case.get("name") == "empty"]
    assert [child.tag for child in case] == ["skipped"]
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("2", "1", "0")
    _check_junit_10(lint("--allow-empty", "-f", "junit", "err", "empty").stdout)


def test_every_path_with_nothing_to_lint_is_listed_when_nothing_was_linted(tmp_path, monkeypatch, json_validator):  # noqa: F811
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    why = EMPTY_WHY["empty"]
    report = json.loads(lint("-f", "json", "empty").stdout)
    json_validator.validate(report)
    assert report["empty_paths"] == [{"path": "empty", "reason": why}]
    assert report["summary"]["nothing_linted"] == why
    github = lint("-f", "github", "empty").stdout.splitlines()
    assert github == [f"::error title=nothing to lint::{why}", f"nothing linted: {why}"]


# -- 6. SARIF messages link the `use:` sites their findings were reached through (audit reports23 4) -------------
# GitHub code scanning shows a result's related locations only where its message links them (`[text](id)`, SARIF
# §3.11.6): a finding in a template used twice by each of two playbooks was four identical alerts on the template
# line, none saying which playbook or leg it came from. The text, github and junit formats say it in a `note:`.

HEDGE_TEMPLATE = """\
graphc-template: 1
params:
  size: {type: quantity}
legs:
  short:
    sell: "{{ size }}"
    symbol: ETH-USD
    venue: coinbase
    limit: 2000.005
"""
USED_TWICE = "graphc: 1\nname: {name}\nlegs:\n  h1:\n    use: ./templates/hedge.yaml\n    with: {{size: 1 ETH}}\n"
USED_TWICE += "  h2:\n    use: ./templates/hedge.yaml\n    with: {{size: 2 ETH}}\n"


def test_sarif_messages_embed_each_use_site_as_a_link_to_its_related_location(tmp_path, monkeypatch, sarif_validator):  # noqa: F811
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "templates/hedge.yaml", HEDGE_TEMPLATE)
    write(tmp_path, "a.yaml", USED_TWICE.format(name="a"))
    write(tmp_path, "b[1].yaml", USED_TWICE.format(name="b"))  # brackets in a link's text are escaped (SARIF §3.11.6)
    shutil.copy(EXAMPLES / "quotes.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    result = lint("--quotes", "quotes.yaml", "-f", "sarif", "a.yaml", "b[1].yaml")
    assert result.exit_code == 1, result.output
    log = json.loads(result.stdout)
    _check_sarif(sarif_validator, log)
    results = [r for r in log["runs"][0]["results"] if r["ruleId"] == "GC303"]
    off_tick = "price 2000.005 is not on coinbase's 0.01 tick\nhint: use 2000 or 2000.01"
    # before: the four messages were all `off_tick`, and the `use:` site only an unlinked relatedLocation
    assert sorted(r["message"]["text"] for r in results) == [
        f"{off_tick}\nnote: [a.yaml:5:10](1): template used here",
        f"{off_tick}\nnote: [a.yaml:8:10](1): template used here",
        f"{off_tick}\nnote: [b\\[1\\].yaml:5:10](1): template used here",
        f"{off_tick}\nnote: [b\\[1\\].yaml:8:10](1): template used here",
    ]
    for r in results:  # each link names a location of its own result (`id` 1), at the place its text says
        [related] = r["relatedLocations"]
        assert related["id"] == 1 and related["message"]["text"] == "template used here"
        place = related["physicalLocation"]
        uri = place["artifactLocation"]["uri"].replace("%5B", "[").replace("%5D", "]").replace("[", "\\[")
        uri = uri.replace("]", "\\]")
        assert f"[{uri}:{place['region']['startLine']}:{place['region']['startColumn']}](1)" in r["message"]["text"]
