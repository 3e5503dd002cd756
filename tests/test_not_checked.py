"""A file none of whose checks ran is not checked, in every report and in the exit status (audit reports23 1).

An input error (GC1xx) stops the checks of its file. When a suppression comment hides it, or graphc.toml lowers it
to a warning or turns it off, no rule runs on the file all the same: a GC501 breach and an off-tick price in it go
unreported. That file was not checked, exactly as a file GC112 could not read (docs/rules/GC112.md): `graphc lint`
exits 2 (spec §8: 2 = input that could not be checked), whatever `--strict` says; the summary line does not count
it among the files with no problems but names it as not checked; the github format annotates it; the GitHub Action
warns on the run; and the library's ``graphc.checked``/``graphc.exit_code`` say what the command says.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

import graphc
from graphc.cli import cli
from tests.conftest import write
from tests.test_integrations import _run_lint_step
from tests.test_report import _check_sarif, json_validator, sarif_validator  # noqa: F401  (fixtures)

# The audit's playbook: a $20,000 order under `max_notional: $1k` (GC501) at an off-tick price (GC303), whose
# misspelt key (GC102, at 11:5) stops the checks; docs/rules/GC102.md recommended the comment that hides it.
CLEAN_KEYS = """\
graphc: 1
name: sup
risk:
  max_notional: $1k
legs:
  entry:
    buy: 10 ETH
    symbol: ETH-USD
    venue: coinbase
    limit: 2000.005
"""
MISSPELT = CLEAN_KEYS + "    slipage: 25bps\n"
SUPPRESSED = CLEAN_KEYS + "    slipage: 25bps  # graphc: ignore[GC102]\n"

NOT_CHECKED = "1 file not checked: p.yaml (GC102 at p.yaml:11:5 is suppressed or turned off, and it stopped the checks)"


def lint(*args):
    return CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)])


@pytest.fixture
def project(tmp_path, monkeypatch):
    write(tmp_path, "graphc.toml", "")  # the project root: no config of the test machine above it applies
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_without_the_misspelt_key_the_breaches_are_found(project):
    write(project, "q.yaml", CLEAN_KEYS)
    result = lint("q.yaml")
    assert result.exit_code == 1, result.output
    assert "error GC501" in result.stdout


@pytest.mark.parametrize("strict", [(), ("--strict",)])
def test_a_suppressed_input_error_that_stopped_the_checks_leaves_the_file_not_checked(project, strict):
    write(project, "p.yaml", SUPPRESSED)
    result = lint(*strict, "p.yaml")
    assert result.exit_code == 2, result.output  # before: 0, "no problems in 1 file (1 check skipped; ...)"
    assert result.stdout.splitlines()[-1] == f"no problems in 0 files; {NOT_CHECKED}"


def test_an_input_error_lowered_to_a_warning_leaves_the_file_not_checked(project):
    write(project, "graphc.toml", '[rules]\nGC102 = "warning"\n')
    write(project, "p.yaml", MISSPELT)
    result = lint("p.yaml")
    assert result.exit_code == 2, result.output  # before: 0
    assert "p.yaml:11:5: warning GC102 unknown key 'slipage'" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "1 warning in 0 files; 1 file not checked: p.yaml (GC102 at p.yaml:11:5 stopped the checks)"
    )
    strict = lint("--strict", "p.yaml")  # reported as an error, and still not checked
    assert strict.exit_code == 2, strict.output
    assert strict.stdout.splitlines()[-1] == (
        "1 error in 0 files; 1 file not checked: p.yaml (GC102 at p.yaml:11:5 stopped the checks)"
    )


def test_a_yaml_syntax_error_turned_off_leaves_the_file_not_checked(project):
    write(project, "b.yaml", "graphc: 1\nname: broken: yes\nlegs: {}\n")
    result = lint("--config", 'rules.GC100 = "off"', "b.yaml")
    assert result.exit_code == 2, result.output  # before: 0
    assert result.stdout.splitlines()[-1] == (
        "no problems in 0 files; 1 file not checked: b.yaml (GC100 at b.yaml:2:13 is suppressed or turned off, "
        "and it stopped the checks)"
    )


def test_the_files_that_were_checked_are_still_counted_beside_one_that_was_not(project):
    write(project, "p.yaml", SUPPRESSED)
    write(project, "q.yaml", CLEAN_KEYS)
    result = lint("p.yaml", "q.yaml")
    assert result.exit_code == 2, result.output  # q.yaml's error is reported; p.yaml was not checked
    assert result.stdout.splitlines()[-1].startswith("1 error in 1 file (")
    assert result.stdout.splitlines()[-1].endswith(f"; {NOT_CHECKED}")


def test_the_github_format_warns_of_a_file_not_checked(project):
    write(project, "p.yaml", SUPPRESSED)
    result = lint("-f", "github", "p.yaml")
    assert result.exit_code == 2, result.output
    assert result.stdout.splitlines() == [  # before: only "no problems in 1 file (1 check skipped; ...)"
        "::warning file=p.yaml,line=11,col=5,endLine=11,endColumn=12,title=not checked::p.yaml was not checked: GC102 "
        "at p.yaml:11:5 is suppressed or turned off, and it stopped the checks; no other check ran on this file",
        f"no problems in 0 files; {NOT_CHECKED}",
    ]


def test_the_machine_formats_say_the_file_was_not_checked(project, json_validator, sarif_validator):  # noqa: F811
    write(project, "p.yaml", SUPPRESSED)
    report = json.loads(lint("-f", "json", "p.yaml").stdout)
    json_validator.validate(report)
    assert report["summary"] == {"errors": 0, "warnings": 0, "files": 0, "skipped": 0, "not_checked": 1}
    assert report["not_checked"] == [
        {"path": "p.yaml", "reason": "GC102 at p.yaml:11:5 is suppressed or turned off, and it stopped the checks"}
    ]
    [entry] = report["files"]  # still listed, with the skip that says why
    assert entry["path"] == "p.yaml" and entry["skipped"][0]["code"] == "GC102"

    log = json.loads(lint("-f", "sarif", "p.yaml").stdout)
    _check_sarif(sarif_validator, log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["error"]

    junit = ET.fromstring(lint("-f", "junit", "p.yaml").stdout)
    [case] = junit.iter("testcase")
    assert [child.tag for child in case] == ["error", "system-out"]  # counted by `errors`, never a skipped case
    error = case.find("error")
    assert error.get("type") == "not-checked"
    assert error.get("message") == (
        "not checked: GC102 at p.yaml:11:5 is suppressed or turned off, and it stopped the checks"
    )
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("1", "0", "1")
    assert junit.find("testsuite").get("skipped") == "0"


# Audit ci24 #2: in JUnit a file none of whose checks ran was a <skipped> case (failures="0" errors="0", while lint
# exited 2), and one that could not be read was an <error> with GC112 off but a <skipped> case with GC112 a warning:
# lowering GC112 gave a quieter report than turning it off. Every exit-2 state is an <error>, counted by `errors`.
@pytest.mark.parametrize("level", ["error", "warning", "off"])
def test_junit_counts_a_file_that_could_not_be_read_as_an_error_whatever_gc112s_level(project, level):
    write(project, "graphc.toml", f'[rules]\nGC112 = "{level}"\n')
    write(project, "ok.yaml", CLEAN_KEYS.replace("2000.005", "2000.01").replace("10 ETH", "0.1 ETH"))
    (project / "bad.yaml").write_bytes(b"graphc: 1\nname: \xff\n")
    result = lint("-f", "junit", "ok.yaml", "bad.yaml")
    assert result.exit_code == 2, result.output
    junit = ET.fromstring(result.stdout)
    cases = {case.get("name"): case for case in junit.iter("testcase")}
    bad = cases["bad.yaml"]
    [error] = bad.findall("error")
    assert error.get("type") == "not-read" and "bad.yaml" in error.text
    finding = [case for name, case in cases.items() if name.startswith("GC112 bad.yaml")]  # a case of its own
    assert [f.get("type") for case in finding for f in case.findall("failure")] == (
        ["GC112"] if level == "error" else []
    )
    assert bad.find("skipped") is None and bad.find("failure") is None and cases["ok.yaml"].find("error") is None
    failures = "1" if level == "error" else "0"
    tests = "3" if level == "error" else "2"
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == (tests, failures, "1")
    assert junit.find("testsuite").get("skipped") == "0"


# Audit ci24 #3: with GC112 off, a file that could not be read got no annotation in the github format (only the
# summary line named it), where every other state that leaves a file unlinted gets one.
def test_the_github_format_annotates_a_file_not_read_with_gc112_off(project):
    write(project, "graphc.toml", '[rules]\nGC112 = "off"\n')
    write(project, "ok.yaml", CLEAN_KEYS.replace("2000.005", "2000.01").replace("10 ETH", "0.1 ETH"))
    (project / "bad,1.yaml").write_bytes(b"graphc: 1\nname: \xff\n")
    result = lint("-f", "github", "ok.yaml", "bad,1.yaml", "nope.yaml")
    assert result.exit_code == 2, result.output
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=bad%2C1.yaml,title=not read::bad,1.yaml could not be read: not linted",
        "::error file=nope.yaml,title=not read::nope.yaml not found: not linted",
    ]


def test_the_verdict_on_stderr_names_the_file_not_checked(project):
    write(project, "p.yaml", SUPPRESSED)
    result = lint("-f", "sarif", "-o", "graphc.sarif", "p.yaml")
    assert result.exit_code == 2, result.output
    assert f"graphc: no problems in 0 files; {NOT_CHECKED}; report written to graphc.sarif" in result.stderr


def test_the_library_agrees_with_the_command(project):
    write(project, "p.yaml", SUPPRESSED)
    suppressed = graphc.lint_file("p.yaml")
    assert suppressed.diagnostics == []
    assert graphc.checked(suppressed) is False  # before: True
    assert graphc.exit_code(suppressed) == 2  # before: 0
    write(project, "graphc.toml", '[rules]\nGC102 = "warning"\n')
    write(project, "d.yaml", MISSPELT)
    demoted = graphc.lint_file("d.yaml")
    assert [d.severity for d in demoted.diagnostics] == ["warning"]
    assert (graphc.checked(demoted), graphc.exit_code(demoted)) == (False, 2)
    write(project, "q.yaml", CLEAN_KEYS)
    assert graphc.exit_code(graphc.lint_file("q.yaml")) == 1


def test_the_action_warns_on_the_run_when_a_file_was_not_checked(tmp_path):
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "plays/p.yaml", SUPPRESSED)
    lint_step, outputs = _run_lint_step(tmp_path, PATHS="plays", ARGS="--no-cache")
    assert outputs["exit-code"] == "2", lint_step.stdout + lint_step.stderr  # the Fail step fails the job
    [annotation] = [line for line in lint_step.stdout.splitlines() if line.startswith("::")]
    assert annotation.startswith("::warning title=graphc lint::not everything was checked: plays/p.yaml: ")
    assert "stopped the checks" in annotation, annotation  # before: a ::notice "1 check skipped"
