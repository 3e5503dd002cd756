"""How reports spell file paths: SARIF URIs for awkward names and files outside the working directory, `-o` with
a name that is not UTF-8, one spelling per file when linting `.`, and the wording of a wire JSON syntax error
(audit notes/audit/formats.md, findings 1, 6, 8 and 9)."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from click.testing import CliRunner

from graphc.cache import cache_dir
from graphc.cli import cli
from graphc.diagnostics import Diagnostic, Span
from graphc.files import collect
from graphc.report import FileResult, render
from tests.conftest import EXAMPLES, write

DATA = Path(__file__).resolve().parent / "data"

# The docs' off-tick example (docs/output-formats.md): GC303 at 10:12 (limit 97000.125 on a 0.01 tick).
OFF_TICK = """\
graphc: 1
name: btc-hedged
risk:
  max_notional: $1m
legs:
  spot:
    buy: 2 BTC
    symbol: BTC-USD
    venue: coinbase
    limit: 97000.125
"""

LATIN1 = os.fsdecode(b"caf\xe9.yaml")  # a Latin-1 file name (unzipped from Windows): a lone surrogate in Python


def lint(*args):
    return CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)])


def _sarif_errors(log: dict) -> list[str]:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]


def _locations(log: dict) -> list[dict]:
    return [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]


def test_sarif_a_colon_in_a_relative_name_is_percent_encoded(tmp_path, monkeypatch):
    # `a:b.yaml` crashed (exit 4, no report): `a` then `:` was taken for a Windows drive. `C:x.yaml` too.
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a:b.yaml", OFF_TICK)
    write(tmp_path, "C:x.yaml", OFF_TICK)
    result = lint("-f", "sarif", "-o", "r.sarif", ".")
    assert result.exit_code == 1, result.output
    log = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    assert _sarif_errors(log) == []
    # RFC 3986 §4.2: a `:` in the first segment of a relative reference would read as a scheme; %3A is the colon
    assert sorted(loc["uri"] for loc in _locations(log)) == ["C%3Ax.yaml", "a%3Ab.yaml"]
    assert all(loc["uriBaseId"] == "%SRCROOT%" for loc in _locations(log))


@pytest.mark.skipif(os.name != "posix", reason="a file name that is not UTF-8 needs a POSIX file system")
@pytest.mark.parametrize("fmt", ["sarif", "text", "github", "json", "junit"])
def test_a_name_that_is_not_utf8_is_reported_in_every_format_with_o(tmp_path, monkeypatch, fmt):
    monkeypatch.chdir(tmp_path)
    try:
        (tmp_path / LATIN1).write_text(OFF_TICK, encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses a name that is not UTF-8")
    result = lint("-f", fmt, "-o", f"out.{fmt}", ".")
    assert result.exit_code == 1, result.output  # the GC303 finding; was 4 (UnicodeEncodeError), for sarif always
    raw = (tmp_path / f"out.{fmt}").read_bytes()
    text = raw.decode("utf-8")  # a UTF-8 file, not a 0-byte one
    if fmt == "sarif":
        log = json.loads(text)
        assert _sarif_errors(log) == []
        # the byte 0xE9 percent-encoded as a byte (RFC 3986 §2.1), not as the UTF-8 of é (%C3%A9)
        assert _locations(log) == [{"uri": "caf%E9.yaml", "uriBaseId": "%SRCROOT%"}]
    elif fmt == "text":
        assert "caf\\udce9.yaml:10:12: error GC303" in text  # the escape a terminal shows too
    elif fmt == "github":
        assert "::error file=caf\\udce9.yaml,line=10,col=12," in text
    elif fmt == "json":
        # the escape `\udce9` written for the lone surrogate is JSON's own escape of it: the exact name read back
        assert json.loads(text)["diagnostics"][0]["path"] == LATIN1
    else:
        assert "caf\\udce9.yaml:10:12: error GC303" in text  # the <failure> body, as the text format writes it


@pytest.mark.skipif(os.name != "posix", reason="a file name that is not UTF-8 needs a POSIX file system")
def test_a_name_that_is_not_utf8_shows_escaped_on_stdout_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        (tmp_path / LATIN1).write_text(OFF_TICK, encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses a name that is not UTF-8")
    result = lint("-f", "github", ".")
    assert result.exit_code == 1, result.output
    assert "::error file=caf\\udce9.yaml,line=10,col=12," in result.stdout


@pytest.mark.skipif(os.name != "posix", reason="a file name that is not UTF-8 needs a POSIX file system")
def test_a_name_that_is_not_utf8_with_the_lint_cache_on(tmp_path, monkeypatch):
    # audit review11.md 1: with the cache on (the default) the report was never written: saving the cache
    # wrote the name's lone surrogate as UTF-8 and crashed (exit 4) in every format
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GRAPHC_NO_CACHE", raising=False)  # tests/conftest.py turns the cache off
    try:
        (tmp_path / LATIN1).write_text(OFF_TICK, encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system refuses a name that is not UTF-8")
    outputs = []
    for _ in range(2):  # filling the cache, then reading the file's verdict from it
        result = CliRunner().invoke(cli, ["lint", "-f", "sarif", "-o", "r.sarif", "."])
        assert result.exit_code == 1, result.output
        log = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
        assert _locations(log) == [{"uri": "caf%E9.yaml", "uriBaseId": "%SRCROOT%"}]
        outputs.append(log["runs"][0]["results"])
    assert outputs[0] == outputs[1]
    assert any(p.is_file() for p in cache_dir(tmp_path).rglob("*")), "the verdict was cached"


def test_sarif_a_file_outside_the_working_directory_named_relatively_gets_a_file_uri(tmp_path, monkeypatch):
    # docs/output-formats.md "sarif": a file outside the working directory gets an absolute `file:` URI; a
    # relative `../x` used to give `../x` against %SRCROOT%, a place outside the repository.
    here = tmp_path / "repo" / "plays"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    outside = write(tmp_path, "elsewhere/a b.yaml", OFF_TICK)
    result = lint("-f", "sarif", "../../elsewhere/a b.yaml")
    assert result.exit_code == 1, result.output
    log = json.loads(result.stdout)
    assert _sarif_errors(log) == []
    assert _locations(log) == [{"uri": Path(outside).resolve().as_uri()}]
    assert _locations(log)[0]["uri"].startswith("file:///") and _locations(log)[0]["uri"].endswith("/a%20b.yaml")


def test_sarif_uri_of_a_parent_relative_result(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parent = str(tmp_path.parent / "x.yaml")
    results = [FileResult("../x.yaml", None, [Diagnostic("GC100", "x", "../x.yaml", Span(1, 1))], [])]
    log = json.loads(render("sarif", results, tool_version="1"))
    assert _sarif_errors(log) == []
    assert _locations(log) == [{"uri": Path(parent).as_uri()}]


def test_linting_dot_spells_each_file_once(tmp_path, monkeypatch):
    # A template's diagnostic is placed at `tpl/perp-hedge.yaml`; the file walked from `.` was `./tpl/...`, so a
    # JSON consumer joining diagnostics to files[] by path found a diagnostic with no file.
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")  # the project root, so `use: ../tpl/...` stays inside it
    write(tmp_path, "tpl/hedge.yaml", (EXAMPLES / "templates" / "perp-hedge.yaml").read_text(encoding="utf-8"))
    # the audit's playbook: a 100 ETH hedge under a 200 ETH parent gives GC405, placed in the template
    write(
        tmp_path,
        "plays/p.yaml",
        "graphc: 1\nname: p\nlegs:\n  spot:\n    buy: 200 ETH\n    symbol: ETH-USD\n    venue: coinbase\n"
        "  hedge:\n    use: ../tpl/hedge.yaml\n    with: {size: 100 ETH, perp: ETH-USD-PERP}\n"
        "    after: spot filled 50%\n",
    )
    assert collect(["."]).files == ["plays/p.yaml", "tpl/hedge.yaml"]
    assert collect([".", "tpl/hedge.yaml", "./tpl/hedge.yaml", "tpl"]).files == ["plays/p.yaml", "tpl/hedge.yaml"]
    assert collect(["./tpl/"]).files == ["tpl/hedge.yaml"]

    result = lint("-f", "json", ".", "./tpl/hedge.yaml")  # the same file named twice: linted once
    report = json.loads(result.stdout)
    files = [f["path"] for f in report["files"]]
    assert files == ["plays/p.yaml", "tpl/hedge.yaml"], result.output
    paths = {d["path"] for d in report["diagnostics"]}
    assert paths and paths <= set(files), (paths, files)
    assert "tpl/hedge.yaml" in paths  # GC405 in the template, found through the playbook


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("w.json", "not valid JSON: expected a value, found `}`"),
        ("w.yaml", "YAML syntax error: did not find expected node content"),
        ("-", "not valid JSON: expected a value, found `}`"),
    ],
    ids=["json", "yaml", "stdin"],
)
def test_a_wire_json_syntax_error_is_called_a_json_syntax_error(tmp_path, name, message):
    """A `.json` file, or stdin that opens as JSON does, is read as JSON (audit wire18 1); a `.yaml` one as YAML."""
    text = '{"nodes": [1,}\n'  # a value missing after the comma: the parser stops at the `}`, 1:14
    if name == "-":
        result = CliRunner().invoke(cli, ["lint", "--no-cache", "-"], input=text)
        shown = "<stdin>"
    else:
        shown = write(tmp_path, name, text)
        result = lint(shown)
    assert result.exit_code == 1, result.output
    assert f"{shown}:1:14: error GC100 {message}" in result.stdout


def test_a_flow_style_playbook_on_stdin_stays_yaml():
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-"], input="{graphc: 1, legs: [1,}\n")
    assert result.exit_code == 1, result.output
    assert "error GC100 YAML syntax error" in result.stdout


def test_a_bad_unicode_escape_in_wire_json_is_a_json_syntax_error(tmp_path):
    path = write(tmp_path, "w.json", '{"a": "\\ud800"}\n')  # a lone surrogate escape: the router refuses it too
    result = lint(path)
    assert result.exit_code == 1, result.output
    assert f"{path}:1:8: error GC100 not valid JSON: `\\ud800` is an unpaired surrogate" in result.stdout


# -- one spelling of a path in every format (audit reports23 3) -------------------------------------------------
# docs/output-formats.md: "Every path is relative to the working directory when the file lies under it". sarif and
# github went through display_path; text, json and junit showed the path as typed (absolute, or with `..`), so a
# JUnit test case was named by the CI runner's checkout path and the JSON paths did not match the SARIF URIs.


def _shown_paths(args) -> dict[str, set[str]]:
    """The paths each format shows for the files and findings of ``graphc lint ARGS`` (the skips too)."""
    shown: dict[str, set[str]] = {}
    text = lint(*args, "--explain-skips").stdout.splitlines()
    shown["text"] = {line.split(":", 1)[0] for line in text if ": error GC" in line or ": skipped GC" in line}
    report = json.loads(lint("-f", "json", *args).stdout)
    shown["json"] = {f["path"] for f in report["files"]} | {d["path"] for d in report["diagnostics"]}
    shown["json"] |= {s["path"] for f in report["files"] for s in f["skipped"]}
    junit = ET.fromstring(lint("-f", "junit", *args).stdout)
    shown["junit"] = {case.get("classname") for case in junit.iter("testcase")}
    shown["junit"] |= {f.text.split(":", 1)[0] for f in junit.iter("failure")}
    shown["junit"] |= {line.split(":", 1)[0] for out in junit.iter("system-out") for line in out.text.splitlines()}
    github = lint("-f", "github", "--explain-skips", *args).stdout.splitlines()
    shown["github"] = {line.split("file=", 1)[1].split(",", 1)[0] for line in github if line.startswith("::")}
    log = json.loads(lint("-f", "sarif", *args).stdout)
    assert _sarif_errors(log) == []
    uris = [loc["uri"] for loc in _locations(log)]
    uris += [
        place["physicalLocation"]["artifactLocation"]["uri"]
        for note in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        for place in note.get("locations", [])
    ]
    shown["sarif"] = {unquote(uri) for uri in uris}
    return shown


@pytest.mark.parametrize("spelling", ["absolute", "dotted"])
def test_every_format_shows_a_file_under_the_working_directory_by_its_relative_path(tmp_path, monkeypatch, spelling):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")
    path = write(tmp_path, "plays/a.yaml", OFF_TICK)
    named = str(path) if spelling == "absolute" else "plays/../plays/a.yaml"
    shown = _shown_paths([named])
    # before: text, json and junit showed /tmp/.../plays/a.yaml or plays/../plays/a.yaml
    assert shown == {key: {"plays/a.yaml"} for key in ("text", "json", "junit", "github", "sarif")}, shown


def test_every_format_shows_a_file_outside_the_working_directory_by_one_path(tmp_path, monkeypatch):
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    write(tmp_path, "graphc.toml", "")
    path = write(tmp_path, "out/b.yaml", OFF_TICK)
    shown = _shown_paths(["../out/../out/b.yaml"])
    sarif = shown.pop("sarif")
    assert shown == {key: {"../out/b.yaml"} for key in ("text", "json", "junit", "github")}, shown
    assert sarif == {unquote(path.resolve().as_uri())}  # (SARIF: an absolute `file:` URI outside the root)
