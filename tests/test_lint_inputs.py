"""What `graphc lint` reads: unreadable files (GC112), stdin, repeated paths, empty directories and globs."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from graphc.cli import cli
from graphc.pipeline import CompileOptions, compile_file
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
    # the file GC112 reports is not counted among the files checked, but named (audit reports23 1)
    assert "2 errors in 1 file" in result.stdout and "1 file not checked: " in result.stdout


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
    [case] = [c for c in junit.iter("testcase") if c.get("classname") == latin and c.find("failure") is not None]
    assert case.find("failure").get("type") == "GC112" and case.get("name") == f"GC112 {latin}:3:7"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_gc112_exits_2_in_every_format(mixed, fmt):
    assert lint(mixed, "-f", fmt).exit_code == 2


def test_a_use_template_that_is_not_utf8_is_gc112_at_its_first_bad_byte_and_exits_2(tmp_path, monkeypatch):
    # audit tmpl19 #6: it was GC107 "cannot read template t/nu.yaml: not UTF-8" at the playbook's `use:`, exit 1;
    # spec §8: undecodable input is GC112 at the first bad byte (the template's), and exit 2, as for a playbook
    write(tmp_path, "graphc.toml", "")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "nu.yaml").write_bytes(b'graphc-template: 1\nlegs:\n  a: {buy: 1, symbol: "ETH-\xff"}\n')
    write(tmp_path, "u.yaml", "graphc: 1\nname: u\nlegs:\n  x:\n    use: ./t/nu.yaml\n")
    monkeypatch.chdir(tmp_path)
    text = lint("u.yaml", "--no-cache")
    assert text.exit_code == 2, text.output
    assert "t/nu.yaml:3:28: error GC112 the file is not UTF-8 text: byte 0xFF cannot be decoded" in text.stdout
    assert 'a: {buy: 1, symbol: "ETH-\ufffd"}' in text.stdout  # the line, shown as for a playbook that is not UTF-8
    assert "note: u.yaml:5:10: template used here" in text.stdout and "GC107" not in text.stdout
    report = lint("u.yaml", "--no-cache", "-f", "json")
    assert report.exit_code == 2
    [found] = json.loads(report.stdout)["diagnostics"]
    assert (found["code"], found["path"], found["line"], found["column"]) == ("GC112", "t/nu.yaml", 3, 28)
    assert [(r["path"], r["line"], r["column"]) for r in found["related"]] == [("u.yaml", 5, 10)]
    compiled = CliRunner().invoke(cli, ["compile", "u.yaml"])
    assert compiled.exit_code == 2 and "t/nu.yaml:3:28: error GC112 " in compiled.output, compiled.output


def test_a_file_that_cannot_be_opened_is_gc112_without_a_position(tmp_path):
    write(tmp_path, "good.yaml", GOOD)
    with socket.socket(socket.AF_UNIX) as sock:  # a socket named like a playbook: open() fails (ENXIO), even for root
        sock.bind(str(tmp_path / "sock.yaml"))
        result = lint(tmp_path, "-f", "json")
    assert result.exit_code == 2
    [found] = json.loads(result.stdout)["diagnostics"]
    assert found["code"] == "GC112" and found["path"].endswith("sock.yaml") and found["line"] is None
    assert "cannot read the file" in found["message"]


def test_a_missing_path_is_gc112_in_every_format_and_the_other_files_are_still_linted(tmp_path, monkeypatch):
    # README: "a file graphc cannot read is GC112 (exit 2)"; `lint --help`: "unreadable input (GC112: reported,
    # and the other files are still linted)". A mistyped path in CI must not cost the other files their report.
    write(tmp_path, "m2/zero.yaml", BAD)
    monkeypatch.chdir(tmp_path)
    zero = os.path.join("m2", "zero.yaml")
    result = lint("nope.yaml", zero)
    assert result.exit_code == 2
    assert "nope.yaml: error GC112 cannot read the file: No such file or directory" in result.stdout
    assert f"{zero}:20:12: error GC202 " in result.stdout and "2 errors in 1 file" in result.stdout
    assert "1 file not checked: nope.yaml (GC112 at nope.yaml stopped the checks)" in result.stdout

    report = json.loads(lint("nope.yaml", zero, "-f", "json").stdout)
    assert sorted((d["path"], d["code"], d["line"]) for d in report["diagnostics"]) == [
        (zero, "GC202", 20),
        ("nope.yaml", "GC112", None),
    ]
    assert lint("nope.yaml", zero, "-f", "sarif", "-o", "r.sarif").exit_code == 2
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert sorted(r["ruleId"] for r in sarif["runs"][0]["results"]) == ["GC112", "GC202"]
    for fmt in ("github", "junit"):
        assert "GC112" in lint("nope.yaml", zero, "-f", fmt).stdout

    # with GC112 turned off the path is still not a pass: exit 2, and stderr names it
    quiet = lint("nope.yaml", zero, "--ignore", "GC112")
    assert quiet.exit_code == 2 and "GC112" not in quiet.stdout and "GC202" in quiet.stdout
    assert "graphc: no such file or directory: nope.yaml" in quiet.stderr


# -- stdin ------------------------------------------------------------------------------------


def test_dash_reads_stdin_and_names_it_stdin():
    result = lint("-", input=BAD)
    assert result.exit_code == 1
    assert "<stdin>:20:12: error GC202 " in result.stdout


def test_stdin_filename_names_the_file_and_finds_its_config(tmp_path):
    write(tmp_path, "graphc.toml", '[rules]\nGC202 = "warning"\n')
    result = lint("-", "--stdin-filename", tmp_path / "plays" / "hedge.yaml", input=BAD)
    assert result.exit_code == 0, result.output  # the config beside the named file made GC202 a warning
    assert f"{tmp_path / 'plays' / 'hedge.yaml'}:20:12: warning GC202 " in result.stdout


def test_stdin_that_is_not_utf8_is_gc112(tmp_path):
    result = CliRunner().invoke(cli, ["lint", "-", "-f", "json"], input=LATIN1)
    assert result.exit_code == 2
    [found] = json.loads(result.stdout)["diagnostics"]
    assert (found["code"], found["path"], found["line"], found["column"]) == ("GC112", "<stdin>", 3, 7)


def test_stdin_beside_files_is_one_more_input(tmp_path):
    path = write(tmp_path, "bad.yaml", BAD)
    result = lint(path, "-", input=BAD)
    assert result.exit_code == 1 and "2 errors in 2 files" in result.stdout


# -- each file once ---------------------------------------------------------------------------


def test_a_file_named_twice_or_also_found_in_its_directory_is_linted_once(tmp_path, monkeypatch):
    write(tmp_path, "bad.yaml", BAD)
    monkeypatch.chdir(tmp_path)
    result = lint("bad.yaml", "./bad.yaml", ".", tmp_path / "bad.yaml", "-f", "json")
    assert result.exit_code == 1
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["GC202"]
    assert "1 error in 1 file" in lint("bad.yaml", "./bad.yaml", ".").stdout


def test_files_in_a_directory_named_in_several_ways_are_listed_once(tmp_path, monkeypatch):
    from graphc.files import collect

    write(tmp_path, "plays/a.yaml", GOOD)
    write(tmp_path, "plays/sub/b.yaml", BAD)
    monkeypatch.chdir(tmp_path)
    found = collect(["plays", "./plays/../plays/", str(tmp_path / "plays"), "plays/sub/../sub/b.yaml", "plays/sub"])
    assert found.files == [os.path.join("plays", "a.yaml"), os.path.join("plays", "sub", "b.yaml")]
    assert found.named == {os.path.join("plays", "sub", "b.yaml")}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/.ab", max_size=10))
def test_named_paths_are_normalised_as_pathlib_does(raw):
    """collect's shortcut for a plain name (no Path object) says what str(Path(name)) says, for any name."""
    from graphc.files import _normalised

    assert _normalised(raw) == str(Path(raw))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="/.ab", max_size=12), st.sampled_from(["/", "/w", "/w/x.y", "//w"]))
def test_absolute_paths_are_made_as_abspath_makes_them(raw, cwd):
    """collect's shortcut for the absolute form of a plain relative name says what os.path.abspath says."""
    from unittest import mock

    from graphc.files import _absolute_path_function

    with mock.patch("os.getcwd", return_value=cwd):
        assert _absolute_path_function()(raw) == os.path.abspath(raw)


def test_named_paths_are_taken_as_click_path_takes_them(tmp_path):
    """lint's PATHS type passes a readable path at one question to the system; every answer is click.Path's."""
    from unittest import mock

    import click

    from graphc.commands.lint import NamedPaths

    def outcome(kind, value):
        try:
            return kind.convert(value, None, None)
        except click.BadParameter as exc:
            return ("fails", exc.format_message())

    write(tmp_path, "a.yaml", GOOD)
    (tmp_path / "d").mkdir()
    values = [str(tmp_path / "a.yaml"), str(tmp_path / "d"), str(tmp_path / "missing.yaml"), "-", "", "p/*.yaml"]
    for unreadable in (False, True):
        with mock.patch("os.access", return_value=False) if unreadable else contextlib.nullcontext():
            for value in values:
                assert outcome(NamedPaths(allow_dash=True), value) == outcome(click.Path(allow_dash=True), value)
    with mock.patch("os.access", return_value=False):
        assert outcome(NamedPaths(allow_dash=True), str(tmp_path / "a.yaml"))[0] == "fails"  # (the case occurs)


def test_paths_named_oddly_are_listed_as_pathlib_writes_them(tmp_path, monkeypatch):
    from graphc.files import collect

    write(tmp_path, "plays/a.yaml", GOOD)
    monkeypatch.chdir(tmp_path)
    found = collect(["plays//a.yaml", "./plays/./a.yaml", "plays/a.yaml"])
    assert found.files == [os.path.join("plays", "a.yaml")] and found.named == {os.path.join("plays", "a.yaml")}
    assert collect([str(tmp_path / "plays" / "a.yaml"), "plays/a.yaml"]).files == [str(tmp_path / "plays" / "a.yaml")]


# -- nothing to lint --------------------------------------------------------------------------


def test_an_empty_directory_is_a_warning_and_exit_2(tmp_path):
    (tmp_path / "plays").mkdir()
    result = lint(tmp_path / "plays")
    assert result.exit_code == 2
    assert "warning: no *.yaml, *.yml or *.json file in" in result.stderr and "--allow-empty" in result.stderr
    # the summary line a CI log shows must not read as a pass: nothing was checked
    assert result.stdout == f"nothing linted: no *.yaml, *.yml or *.json file in {tmp_path / 'plays'}\n"
    allowed = lint(tmp_path / "plays", "--allow-empty")
    assert allowed.exit_code == 0 and allowed.stdout.startswith("nothing linted: ")
    github = lint(tmp_path / "plays", "-f", "github")
    assert github.stdout.splitlines()[-1].startswith("nothing linted: ") and "no problems" not in github.stdout


def test_a_directory_without_anything_graphc_reads_is_empty_too(tmp_path):
    write(tmp_path, "ci.yaml", "on: push\njobs: {}\n")
    result = lint(tmp_path)
    assert result.exit_code == 2 and "no playbook, wire graph or simple order in" in result.stderr


def test_a_glob_matching_nothing_is_a_warning_and_exit_2(tmp_path):
    result = lint(str(tmp_path / "plays" / "*.yaml"))
    assert result.exit_code == 2 and "matches" in result.stderr
    pattern = str(tmp_path / "plays" / "*.yaml")
    assert result.stdout == f"nothing linted: no *.yaml, *.yml or *.json file matches {pattern!r}\n"


def test_globs_are_expanded_when_no_shell_did(tmp_path):
    write(tmp_path, "plays/a/bad.yaml", BAD)
    write(tmp_path, "plays/good.yaml", GOOD)
    result = lint(str(tmp_path / "plays" / "**" / "*.yaml"))
    assert result.exit_code == 1 and "1 error in 2 files" in result.stdout


PLAIN = "graphc: 1\nname: t\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n"


@pytest.mark.parametrize("command", [["lint", "--no-cache"], ["fmt", "--check"]])
def test_a_double_star_glob_over_a_folder_1100_levels_deep_is_walked_not_a_crash(tmp_path, monkeypatch, command):
    """Audit sec16 7: `glob.glob(recursive=True)` recursed once per level (RecursionError, exit 4)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "graphc.toml").write_text("")
    folders = ["plays"] + ["a"] * 1100  # 2,206 characters: within PATH_MAX, past the recursion limit
    for depth in range(1, len(folders) + 1):
        os.mkdir("/".join(folders[:depth]))
    deepest = "/".join(folders)
    Path(deepest, "x.yaml").write_text(PLAIN)
    try:
        result = CliRunner().invoke(cli, [*command, "plays/**/*.yaml"])
        assert result.exit_code == 0, (result.output, result.stderr)
        assert "internal error" not in result.output + result.stderr
        if command[0] == "lint":
            assert result.stdout.startswith("no problems in 1 file")
    finally:  # shutil.rmtree recurses too: take the folders down from the deepest, one at a time
        os.remove(Path(deepest, "x.yaml"))
        for depth in range(len(folders), 0, -1):
            os.rmdir("/".join(folders[:depth]))


GLOB_TREE = [
    "plays/top.yaml",
    "plays/.hidden.yaml",
    "plays/a/one.yaml",
    "plays/a/b/two.yml",
    "plays/a/b/c/three.json",
    "plays/a/.dot/four.yaml",
    "plays/.git/five.yaml",
    "plays/node_modules/six.yaml",
    "plays/x[1]/seven.yaml",
    "other/eight.yaml",
]


@pytest.mark.parametrize(
    "pattern",
    [
        "plays/**/*.yaml",
        "plays/**",
        "**/*.yaml",
        "plays/**/b/*",
        "plays/**/.dot/*.yaml",
        "plays/.*.yaml",
        "plays/*/*.yaml",
        "plays/**/**/*.yml",
        "*/a/**/*.json",
        "pl?ys/[a-z]/**/t*",
        "plays/x[[]1]/*.yaml",
        "./plays/**/*.yaml",
        "plays/**/nothing/*.yaml",
        "{root}/plays/**/*.yaml",
    ],
)
def test_graphc_expands_a_glob_as_python_glob_does(tmp_path, monkeypatch, pattern):
    """The same files as `glob.glob(pattern, recursive=True)` (hidden names, `**` of zero folders, classes), in a
    tree with no symlinks: graphc walks it itself (iteratively) and keeps those semantics."""
    import glob

    from graphc.files import collect

    monkeypatch.chdir(tmp_path)
    (tmp_path / "graphc.toml").write_text("")
    for name in GLOB_TREE:
        write(tmp_path, name, PLAIN)
    pattern = pattern.format(root=tmp_path)
    matches = glob.glob(pattern, recursive=True)
    expected = sorted(
        {os.path.normpath(m) for m in matches if os.path.isfile(m) and m.endswith((".yaml", ".yml", ".json"))}
    )
    assert collect([pattern]).files == expected
    assert expected or pattern.endswith("nothing/*.yaml")


def test_a_double_star_glob_does_not_enter_a_symlinked_folder(tmp_path, monkeypatch):
    """docs/robustness.md: a symlinked folder is not entered by a walk or a glob (Python's glob entered it, and
    read a file outside the project root through it)."""
    project, outside = tmp_path / "p", tmp_path / "outside"
    write(outside, "sub/secret.yaml", PLAIN)
    write(project, "graphc.toml", "")
    write(project, "plays/ok.yaml", PLAIN)
    os.symlink(outside, project / "plays" / "link")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", "plays/**/*.yaml", "plays/*/*/*.yaml"])
    assert [f["path"] for f in json.loads(result.stdout)["files"]] == ["plays/ok.yaml"], result.stdout


def test_named_files_that_are_not_graphcs_are_not_empty_input_for_pre_commit(tmp_path):
    path = write(tmp_path, "ci.yaml", "on: push\n")
    result = lint("--ignore-unknown", path)
    assert result.exit_code == 0
    assert result.stdout == "nothing linted: no playbook, wire graph or simple order among the 1 file named\n"


# -- --select / --ignore / --config -----------------------------------------------------------

LIVE_AND_BAD = BAD.replace("risk:\n  max_notional: $1m\n  max_loss: $10k\n", "sandbox: false\n")  # GC202 + GC502


def codes(result):
    return sorted(d["code"] for d in json.loads(result.stdout)["diagnostics"])


@pytest.mark.parametrize(
    ("args", "expected", "status"),
    [
        ([], ["GC202", "GC502"], 1),
        (["--select", "GC5"], ["GC502"], 0),
        (["--select", "live-without-risk"], ["GC502"], 0),
        (["--ignore", "GC502"], ["GC202"], 1),
        (["--select", "GC2,GC5", "--ignore", "GC202"], ["GC502"], 0),
        (["--select", "GC202", "--ignore", "GC2"], ["GC202"], 1),  # the more specific selector wins
        (["--select", "GC2", "--ignore", "GC2"], [], 0),  # a tie: ignore wins
        (["--ignore", "ALL"], [], 0),
    ],
)
def test_select_and_ignore(tmp_path, args, expected, status):
    result = lint(write(tmp_path, "p.yaml", LIVE_AND_BAD), "-f", "json", *args)
    assert codes(result) == expected and result.exit_code == status


def test_select_never_hides_an_input_error_that_stopped_the_checks(tmp_path):
    path = write(tmp_path, "p.yaml", GOOD.replace("symbol: ETH-USD\n", "symbl: ETH-USD\n", 1))
    assert codes(lint(path, "-f", "json", "--select", "GC3")) == ["GC102", "GC104"]
    assert codes(lint(path, "-f", "json", "--select", "GC3", "--ignore", "GC1")) == []


def skipped_codes(result):
    return sorted({s["code"] for f in json.loads(result.stdout)["files"] for s in f["skipped"]})


# Without quotes the hedge skips GC301/302/305/309 (no venue or quote), GC501 and GC503 (notional unknown):
# see `graphc lint --explain-skips examples/eth-hedge.yaml`.
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["GC301", "GC302", "GC305", "GC309", "GC501", "GC503"]),
        (["--select", "GC303"], []),
        (["--select", "GC5"], ["GC501", "GC503"]),
        (["--ignore", "GC5,GC3"], []),
        (["--ignore", "GC3", "--select", "GC305"], ["GC305"]),
        (["--config", 'rules.GC501 = "off"'], ["GC301", "GC302", "GC305", "GC309", "GC503"]),
        (["--config", 'rules.GC501 = "error"'], ["GC301", "GC302", "GC305", "GC309", "GC501", "GC503"]),
    ],
)
def test_a_check_turned_off_is_not_counted_as_skipped(tmp_path, args, expected):
    """A rule the user turned off was not skipped for want of a fact (formats audit 7)."""
    result = lint(write(tmp_path, "p.yaml", GOOD), "--no-cache", "-f", "json", *args)
    assert result.exit_code == 0 and skipped_codes(result) == expected
    text = lint(tmp_path / "p.yaml", "--no-cache", *args).stdout
    assert ("checks skipped" in text or "check skipped" in text) == bool(expected)


# A limit priced from the quote, linted without one: the compile leaves one GC109 skip at the limit, the only
# trace of the price checks (GC303 tick, GC304 range, GC308, GC404, GC406, GC407) that could not run (review14 1).
QUOTED = "graphc: 1\nname: g\nlegs:\n  a:\n    buy: 0.1 ETH\n    symbol: ETH-USD\n    venue: coinbase\n    limit: bid - 20%\n"
PRICE_SKIP = "8:12: skipped GC109 price 'bid - 20%' needs a quote for ETH-USD; pass --quotes"


@pytest.mark.parametrize(
    ("args", "toml", "summary"),
    [
        (["--select", "GC406"], None, "(1 check skipped)"),
        (["--select", "GC304"], None, "(1 check skipped)"),
        (["--select", "GC3"], None, "(5 checks skipped)"),  # and GC301, GC302, GC305, GC309 (no market facts)
        (["--ignore", "GC109"], None, "(5 checks skipped)"),
        ([], '[rules]\nGC109 = "off"\n', "(5 checks skipped)"),
        (["--ignore", "GC109,GC303,GC304,GC308,GC404,GC406"], None, "(5 checks skipped)"),  # GC407 still runs
    ],
)
def test_the_quote_skip_stays_while_a_price_check_it_stands_for_is_reported(tmp_path, args, toml, summary):
    """--select/--ignore/config never make a price check that could not run read as passed (review14 1)."""
    path = write(tmp_path, "g.yaml", QUOTED)
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    text = lint(path, "--no-cache", "--explain-skips", *args)
    assert text.exit_code == 0 and f"{path}:{PRICE_SKIP}" in text.stdout.splitlines()
    assert text.stdout.splitlines()[-1] == f"no problems in 1 file {summary}"
    report = json.loads(lint(path, "--no-cache", "-f", "json", *args).stdout)
    [skip] = [s for s in report["files"][0]["skipped"] if s["code"] == "GC109"]
    assert (skip["line"], skip["column"], skip["reason"]) == (
        8,
        12,
        "price 'bid - 20%' needs a quote for ETH-USD; pass --quotes",
    )


def test_the_quote_skip_stays_for_a_venue_reject_that_could_not_be_checked(tmp_path):
    """Kalshi's 0.01-0.99 range on `bid + 70c`: skipped without quotes (GC304 selected), an error with them."""
    path = write(
        tmp_path,
        "k.yaml",
        QUOTED.replace("0.1 ETH", "10 contracts")
        .replace("ETH-USD", "KXFEDDECISION-26DEC-C25")
        .replace("coinbase", "kalshi")
        .replace("bid - 20%", "bid + 70c"),
    )
    text = lint(path, "--no-cache", "--explain-skips", "--select", "GC304").stdout
    assert (
        f"{path}:8:12: skipped GC109 price 'bid + 70c' needs a quote for KXFEDDECISION-26DEC-C25; pass --quotes" in text
    )
    assert text.splitlines()[-1] == "no problems in 1 file (1 check skipped)"
    quotes = write(tmp_path, "q.yaml", "KXFEDDECISION-26DEC-C25: {bid: 0.40, ask: 0.42}\n")
    found = lint(path, "--no-cache", "--select", "GC304", "--quotes", quotes)
    assert found.exit_code == 1 and "skipped" not in found.stdout
    assert found.stdout.splitlines()[0] == (
        f"{path}:8:12: error GC103 `limit: bid + 70c`: price 'bid + 70c' is 1.1; kalshi accepts only prices in the "
        "range 0.01-0.99"
    )


def test_with_quotes_the_price_check_reports_its_finding_under_select(tmp_path):
    path = write(tmp_path, "g.yaml", QUOTED)
    result = lint(path, "--no-cache", "--select", "GC406", "--quotes", EXAMPLES / "quotes.yaml")
    assert result.stdout.splitlines()[0] == (
        f"{path}:8:12: warning GC406 node 'a' limit 1860.08 is 20.0% below the quote mid 2325.315 (more than 10%)"
    )
    assert "skipped" not in result.stdout


@pytest.mark.parametrize("args", [["--select", "GC2"], ["--ignore", "GC109,GC303,GC304,GC308,GC404,GC406,GC407,GC3"]])
def test_the_quote_skip_goes_when_neither_it_nor_a_price_check_is_reported(tmp_path, args):
    path = write(tmp_path, "g.yaml", QUOTED)
    result = lint(path, "--no-cache", "--explain-skips", *args)
    assert result.exit_code == 0 and result.stdout.splitlines() == ["no problems in 1 file"]


# A notional bought at the market, linted without quotes: its size is unknown, and the compile's GC109 skip at the
# size is the only trace of GC405 (hedge size), which passes in silence when a size is unknown. The other size
# rules (GC301, GC302, GC305, GC309, GC408, GC501, GC503) record skips of their own (review14 1, the size half).
SIZED = (
    "graphc: 1\nname: g\nlegs:\n  a:\n    buy: $5000\n    symbol: ETH-USD\n    venue: coinbase\n"
    "  b:\n    sell: 2 ETH\n    symbol: ETH-USD-PERP\n    after: a filled\n"
)
SIZE_SKIP = "5:10: skipped GC109 notional '$5000' needs a price for ETH-USD; pass --quotes"


def test_with_quotes_the_hedge_size_check_reports_its_finding_under_select(tmp_path):
    path = write(tmp_path, "h.yaml", SIZED)
    result = lint(path, "--no-cache", "--select", "GC405", "--quotes", EXAMPLES / "quotes.yaml")
    assert result.stdout.splitlines()[0] == (
        f"{path}:9:11: warning GC405 hedge 'b' sells 2 ETH-USD-PERP but its parent 'a' buys 2.15004751 ETH-USD "
        "(edge e0, on_full_fill)"
    )
    assert "skipped" not in result.stdout


@pytest.mark.parametrize(
    ("args", "toml"),
    [
        (["--select", "GC405"], None),
        (["--select", "GC405", "--ignore", "GC109"], None),
        (["--select", "GC405"], '[rules]\nGC109 = "off"\n'),
    ],
)
def test_the_size_skip_stays_while_the_hedge_size_check_is_reported(tmp_path, args, toml):
    """--select GC405 with GC109 ignored or off never reads as a hedge size that was checked and passed."""
    path = write(tmp_path, "h.yaml", SIZED)
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    text = lint(path, "--no-cache", "--explain-skips", *args)
    assert text.exit_code == 0 and text.stdout.splitlines() == [
        f"{path}:{SIZE_SKIP}",
        "",
        "no problems in 1 file (1 check skipped)",
    ]
    report = json.loads(lint(path, "--no-cache", "-f", "json", *args).stdout)
    assert [(s["code"], s["line"], s["column"]) for s in report["files"][0]["skipped"]] == [("GC109", 5, 10)]


def test_the_size_skip_stays_for_a_hedge_whose_own_size_is_a_notional(tmp_path):
    path = write(tmp_path, "h.yaml", SIZED.replace("buy: $5000", "buy: 2 ETH").replace("sell: 2 ETH", "sell: $5000"))
    text = lint(path, "--no-cache", "--explain-skips", "--select", "GC405", "--ignore", "GC109").stdout.splitlines()
    assert text[0] == f"{path}:9:11: skipped GC109 notional '$5000' needs a price for ETH-USD-PERP; pass --quotes"
    assert text[-1] == "no problems in 1 file (1 check skipped)"


@pytest.mark.parametrize(
    ("args", "toml"),
    [(["--ignore", "GC109,GC405"], None), (["--ignore", "GC109"], '[rules]\nGC405 = "off"\n')],
)
def test_the_size_skip_goes_when_neither_it_nor_the_hedge_size_check_is_reported(tmp_path, args, toml):
    """The venue checks still skip the size in their own name; the GC109 skip has nothing left to stand for."""
    path = write(tmp_path, "h.yaml", SIZED)
    if toml is not None:
        write(tmp_path, "graphc.toml", toml)
    report = json.loads(lint(path, "--no-cache", "-f", "json", *args).stdout)
    skipped = report["files"][0]["skipped"]
    assert "GC109" not in {s["code"] for s in skipped}
    assert {s["code"] for s in skipped} == {"GC301", "GC302", "GC305", "GC309"}


PM = "fed-decision-in-december-25-bps-cut:no"


@pytest.mark.parametrize(
    ("code", "legs", "risk"),
    [
        ("GC301", f"  a:\n    buy: $0.50\n    symbol: {PM}\n    limit: bid\n", ""),
        ("GC309", "  a:\n    buy: $5000\n    symbol: ETH-USD\n    venue: coinbase\n", ""),  # max_size 1 (toml)
        ("GC302", f"  a:\n    buy: $2\n    symbol: {PM}\n    limit: bid\n", ""),
        ("GC501", "  a:\n    buy: $5000\n    symbol: ETH-USD\n", "risk:\n  max_notional: 1000\n"),
        (
            "GC503",
            "  a:\n    buy: $5000\n    symbol: ETH-USD\n  b:\n    sell: $5000\n    symbol: ETH-USD-PERP\n"
            "    after: a filled\n",
            "risk:\n  max_notional: 6000\n",
        ),
        (
            "GC408",
            "  a:\n    buy: $5000\n    symbol: ETH-USD\n  tp:\n    sell: 2 ETH\n    symbol: ETH-USD\n"
            "    limit: 3000\n    after: a filled\n  sl:\n    sell: 2 ETH\n    symbol: ETH-USD\n"
            "    limit: 2000\n    after: a filled\n",
            "",
        ),
    ],
)
def test_the_other_size_checks_skip_an_unknown_size_in_their_own_name(tmp_path, code, legs, risk):
    """Why _SIZE_RULES is GC405 alone: each of these fires with quotes and, without, records its own skip.
    (GC305 does too, but a notional size is floored to the lot, so it never fires on one.)"""
    path = write(tmp_path, "s.yaml", f"graphc: 1\nname: g\n{risk}legs:\n{legs}")
    write(tmp_path, "graphc.toml", '[markets."ETH-USD"]\nmax_size = 1\nmax_notional = 1000\n')
    found = lint(path, "--no-cache", "--select", code, "--quotes", EXAMPLES / "quotes.yaml").stdout.splitlines()
    assert f" {code} " in found[0] and "skipped" not in found[-1]
    report = json.loads(lint(path, "--no-cache", "-f", "json", "--select", code, "--ignore", "GC109").stdout)
    assert {s["code"] for s in report["files"][0]["skipped"]} == {code}


def test_a_file_whose_checks_never_ran_is_still_skipped_when_its_error_is_turned_off(tmp_path):
    path = write(tmp_path, "p.yaml", GOOD.replace("symbol: ETH-USD\n", "symbl: ETH-USD\n", 1))
    result = lint(path, "--no-cache", "-f", "json", "--select", "GC3", "--ignore", "GC1")
    assert codes(result) == [] and skipped_codes(result) != []


@pytest.mark.parametrize("bad", ["GC999", "GC9", "off-tik", "E501"])
def test_an_unknown_selector_is_a_usage_error_with_a_suggestion(tmp_path, bad):
    result = lint(write(tmp_path, "p.yaml", GOOD), "--select", bad)
    assert result.exit_code == 2 and repr(bad) in result.stderr
    if bad == "off-tik":
        assert "did you mean 'off-tick'" in result.stderr


def test_config_file_replaces_the_one_found(tmp_path):
    write(tmp_path, "graphc.toml", '[rules]\nGC202 = "off"\n')
    elsewhere = write(tmp_path, "ci/strict.toml", '[rules]\nGC202 = "error"\nGC502 = "error"\n')
    path = write(tmp_path, "p.yaml", LIVE_AND_BAD)
    assert codes(lint(path, "-f", "json")) == ["GC502"]
    report = json.loads(lint(path, "-f", "json", "--config", elsewhere).stdout)
    assert sorted((d["code"], d["severity"]) for d in report["diagnostics"]) == [("GC202", "error"), ("GC502", "error")]


def test_config_settings_on_the_command_line(tmp_path):
    path = write(tmp_path, "p.yaml", LIVE_AND_BAD)
    result = lint(path, "-f", "json", "--config", 'rules.GC202 = "warning"', "--config", "strict = false")
    assert result.exit_code == 0 and codes(result) == ["GC202", "GC502"]
    assert lint(path, "--config", 'rules.unknown-leg = "off"', "--config", "strict = true").exit_code == 1


@pytest.mark.parametrize("bad", ['rules.GC202 = "of"', "strict = maybe", "colour = 1", "nonsense"])
def test_a_bad_config_setting_is_a_usage_error(tmp_path, bad):
    result = lint(write(tmp_path, "p.yaml", GOOD), "--config", bad)
    assert result.exit_code == 2 and "--config" in result.stderr


# -- characters YAML does not allow ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "character"),
    [
        (b'graphc: 1\nname: nul\nlegs:\n  a: {buy: 1, symbol: "BTC\x00USD"}\n', "4:27", "#x0000"),
        (b"graphc: 1\nname: esc\nlegs:\n  a: {buy: 1, symbol: BTC\x1bUSD}\n", "4:26", "#x001b"),
        ("graphc: 1\nname: utf16\n".encode("utf-16-be"), "1:1", "#x0000"),  # UTF-16 without its byte-order mark
        # hostile18 F6e: the column counts characters (libyaml's offset counts UTF-8 bytes: 4:31), and lines end
        # as YAML ends them (a lone CR too: it said 1:...)
        ('graphc: 1\nname: "éé"\nlegs:\n  a: {buy: 1, symbol: "éBTC\x00USD"}\n'.encode(), "4:28", "#x0000"),
        (b"graphc: 1\rname: cr\rlegs:\r  a: {buy: 1, symbol: BTC\x1bUSD}\r", "4:26", "#x001b"),
        # a long file: libyaml reads it in chunks, and met the syntax error first, far above the NUL (exit 1)
        (b"graphc: 1\nname: [x\n" + b"b: 1\n" * 300_000 + b"c: \x00\n", "300003:4", "#x0000"),
    ],
)
def test_a_character_yaml_does_not_allow_is_named_without_the_parsers_internals(tmp_path, text, where, character):
    """hostile18 F6: the message ended with PyYAML's `\\n  in "<unicode string>", position 52`; the place is the
    diagnostic's line:col."""
    path = tmp_path / "p.yaml"
    path.write_bytes(text)
    result = lint(path, "-f", "json")
    assert result.exit_code == 2, result.output  # hostile18 F6e: input graphc cannot read, as GC112 and fmt
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert diagnostic["code"] == "GC100" and f"{diagnostic['line']}:{diagnostic['column']}" == where
    assert diagnostic["message"] == (
        f"cannot read the file as YAML: unacceptable character {character}: control characters are not allowed"
    )


# hostile18 F6e: a file YAML cannot read as text (NUL or another control character; UTF-16 saved without its
# byte-order mark reads so) was reported when named (GC100, exit 1) but silently passed over when a directory walk,
# a glob or the pre-commit hook's `--ignore-unknown` found it: "no problems in N files" without it, while fmt
# reported it with exit 2. Whether such a file is graphc's cannot be told, so it is never passed over, and it is
# input graphc could not check: exit 2 (spec §8), named or found, as `graphc fmt` and GC112.
NOT_TEXT = {
    "utf16.yaml": (Path(__file__).parent / "hostile" / "utf16-no-bom.yaml").read_bytes(),  # a playbook
    "wire.json": '{"nodes": [{"id": "a"}]}\n'.encode("utf-16-le"),  # a wire graph saved as UTF-16 too
    "bell.yml": b"on: push\njobs:\n  a:\n    run: echo \x07\n",  # a control character, no graphc key
}
ORDINARY = {  # YAML that is not graphc's, in the same folder: never linted (one loads, one does not)
    "k8s.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n",
    "ci.yml": "job:\n  script: !reference [.setup, script]\n---\nsecond: doc\n",
}
FORMATS = ["text", "json", "sarif", "github", "junit"]


@pytest.fixture
def plays(tmp_path, monkeypatch):
    """``plays/``: the files YAML cannot read as text, a playbook with a finding, and YAML that is not graphc's."""
    monkeypatch.chdir(tmp_path)
    for name, data in NOT_TEXT.items():
        (write(tmp_path, f"plays/{name}", "")).write_bytes(data)
    write(tmp_path, "plays/bad.yaml", BAD)
    for name, text in ORDINARY.items():
        write(tmp_path, f"plays/{name}", text)
    return Path("plays")


def reported(fmt: str, output: str, path: str):
    """What a report in ``fmt`` says of the file ``path``, to compare runs."""
    if fmt == "text":  # the file's blocks (headline, code frame, hint)
        return [block for block in output.split("\n\n") if block.startswith(f"{path}:")]
    if fmt == "json":
        return [d for d in json.loads(output)["diagnostics"] if d["path"] == path]
    if fmt == "sarif":
        results = json.loads(output)["runs"][0]["results"]
        return [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path]
    if fmt == "github":
        return [line for line in output.splitlines() if line.startswith(f"::error file={path},")]
    cases = [case for case in ET.fromstring(output).iter("testcase") if case.get("classname") == path]
    return [ET.tostring(child, encoding="unicode") for case in cases for child in case]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "how", [["plays"], ["plays/*"], ["--ignore-unknown", *(f"plays/{name}" for name in [*NOT_TEXT, *ORDINARY])]]
)
def test_a_file_yaml_cannot_read_as_text_found_by_a_walk_is_reported_as_when_named(plays, fmt, how):
    walked = lint("--no-cache", "-f", fmt, *how, "plays/bad.yaml")
    assert walked.exit_code == 2, walked.output
    for name in NOT_TEXT:
        path = f"plays/{name}"
        named = lint("--no-cache", "-f", fmt, path)
        assert named.exit_code == 2, named.output
        alone = reported(fmt, named.stdout, path)
        assert alone and "GC100" in str(alone), named.output
        assert reported(fmt, walked.stdout, path) == alone  # same code, place, message and hint
    # the other files are still linted; YAML that is not graphc's is still not
    assert reported(fmt, walked.stdout, "plays/bad.yaml") == reported(
        fmt, lint("--no-cache", "-f", fmt, "plays/bad.yaml").stdout, "plays/bad.yaml"
    )
    assert "GC202" in walked.stdout
    for name in ORDINARY:
        assert f"plays/{name}" not in walked.stdout
    if fmt == "text":
        assert walked.stdout.splitlines()[-1].startswith("4 errors in 4 files"), walked.stdout


def test_a_file_yaml_cannot_read_as_text_is_exit_2_named_found_on_stdin_and_in_fmt(plays):
    for name, data in NOT_TEXT.items():
        path = f"plays/{name}"
        assert lint(path).exit_code == 2
        assert lint("--ignore-unknown", path).exit_code == 2  # the pre-commit hook
        assert lint("-", input=data).exit_code == 2
        assert lint("-", "--stdin-filename", path, input=data).exit_code == 2
        if name.endswith((".yaml", ".yml")):  # (fmt formats YAML only)
            assert CliRunner().invoke(cli, ["fmt", "--check", path]).exit_code == 2
    # ... and still exit 1 for what is text, just not valid YAML: a finding, not unreadable input
    write(plays, "broken.yaml", "graphc: 1\nname: [x\n")
    assert lint("plays/broken.yaml").exit_code == 1


@pytest.mark.parametrize("how", [["--ignore", "GC100"], ["--config", 'rules.GC100 = "warning"']])
def test_a_file_yaml_cannot_read_as_text_is_exit_2_whatever_gc100_s_severity(plays, how):
    """As GC112 (its page): the file was not checked, however its finding is reported; never "no problems"."""
    for way in (["plays/utf16.yaml"], ["plays"]):
        result = lint("--no-cache", *how, *way)
        assert result.exit_code == 2, result.output
        assert "no problems in 1 file" not in result.stdout, result.stdout
        assert " not checked: " in result.stdout.splitlines()[-1], result.stdout
        assert "plays/utf16.yaml (GC100 at plays/utf16.yaml:1:1 " in result.stdout.splitlines()[-1], result.stdout
        assert "plays/utf16.yaml" in result.output


def test_a_file_yaml_cannot_read_as_text_is_exit_2_from_the_lint_cache_too(plays, monkeypatch):
    monkeypatch.delenv("GRAPHC_NO_CACHE")
    first, second = lint("plays"), lint("plays")
    assert Path(".graphc/cache").is_dir()
    assert (first.exit_code, second.exit_code) == (2, 2) and first.stdout == second.stdout, second.output


# -- the report file --------------------------------------------------------------------------


def test_report_into_a_missing_folder_creates_it(tmp_path):
    out = tmp_path / "reports" / "deep" / "lint.sarif"
    result = lint(write(tmp_path, "p.yaml", BAD), "-f", "sarif", "-o", out)
    assert result.exit_code == 1 and json.loads(out.read_text())["runs"][0]["results"]


def test_report_that_cannot_be_written_is_a_usage_error(tmp_path):
    write(tmp_path, "blocker", "a file where a folder should be")
    result = lint(write(tmp_path, "p.yaml", GOOD), "-o", tmp_path / "blocker" / "lint.txt")
    assert result.exit_code == 2 and "cannot write the report" in result.stderr and "Traceback" not in result.output


# -- use: templates on their own ----------------------------------------------------------------

TEMPLATE = """\
graphc-template: 1
description: a perp hedge
params:
  size: {type: quantity, default: 1 ETH}
  perp: {type: symbol, default: ETH-USD-PERP}
legs:
  short:
    urgency: high
    symbol: "{{ perp }}"
    sell: "{{ size }}"
    policy: agressive_chase
"""


@pytest.fixture
def project(tmp_path):
    write(tmp_path, "graphc.toml", "")
    return tmp_path


def test_a_template_is_linted_alone_with_its_defaults(project):
    path = write(project, "templates/hedge.yaml", TEMPLATE)
    result = lint(path, "-f", "json")
    assert result.exit_code == 1
    [found] = json.loads(result.stdout)["diagnostics"]
    assert (found["code"], found["path"], found["line"]) == ("GC103", str(path), 11)  # the misspelt policy


def test_a_template_with_a_required_param_is_checked_for_its_shape_and_says_it_was_not_rendered(project):
    path = write(project, "t.yaml", TEMPLATE.replace("default: ETH-USD-PERP", "min: 1").replace("pollicy", "x"))
    result = lint(path, "-f", "json")
    report = json.loads(result.stdout)
    assert [d["code"] for d in report["diagnostics"]] == ["GC108"]  # `min` on a symbol param: a shape error
    [skip] = report["files"][0]["skipped"] if "files" in report else report["skipped"]
    assert skip["code"] == "GC108" and "not rendered on its own" in skip["reason"]
    assert "note: " in result.stderr and "not rendered on its own" in result.stderr


def test_the_not_rendered_note_is_only_for_templates_named_themselves(project):
    write(project, "plays/t.yaml", TEMPLATE.replace("default: ETH-USD-PERP", "min: 1"))
    write(project, "plays/p.yaml", GOOD)
    found_in_directory = lint(project / "plays", "-f", "json")
    assert "GC108" in found_in_directory.stdout and "note: " not in found_in_directory.stderr
    named = lint(project / "plays" / "t.yaml", project / "plays" / "p.yaml")
    assert named.stderr.count("note: ") == 1 and "t.yaml: template not rendered on its own" in named.stderr


def test_params_for_a_template_come_from_set_and_params(project):
    required = TEMPLATE.replace("{type: symbol, default: ETH-USD-PERP}", "{type: symbol}")
    path = write(project, "t.yaml", required.replace("agressive_chase", "aggressive_chase"))
    assert lint(path, "--set", "perp=ETH-USD-PERP").exit_code == 0
    values = write(project, "values.yaml", "perp: BTC-USD PERP\n")  # a symbol with a space: GC108 from the file
    result = lint(path, "--params", values, "-f", "json")
    assert result.exit_code == 1 and [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["GC108"]


def test_a_template_that_is_not_one_is_reported_alone(project):
    path = write(project, "t.yaml", "graphc-template: 1\nrisk: {max_notional: $1}\nlegs: {}\n")
    codes_found = sorted(d["code"] for d in json.loads(lint(path, "-f", "json").stdout)["diagnostics"])
    assert codes_found == ["GC102", "GC103"]  # `risk` is not a template key; `legs` is empty


def test_dependants_lints_the_playbooks_that_use_a_changed_template(project):
    write(project, "templates/inner.yaml", TEMPLATE.replace("default: ETH-USD-PERP", "min: x").replace("min: x", ""))
    write(
        project,
        "templates/outer.yaml",
        "graphc-template: 1\nlegs:\n  h: {use: ./inner.yaml, with: {perp: ETH-USD-PERP}}\n",
    )
    write(
        project,
        "plays/direct.yaml",
        "graphc: 1\nname: direct\nlegs:\n  h: {use: ../templates/inner.yaml, with: {perp: ETH-USD-PERP}}\n",
    )
    write(project, "plays/nested.yaml", "graphc: 1\nname: nested\nlegs:\n  o: {use: ../templates/outer.yaml}\n")
    write(
        project,
        "plays/other.yaml",
        "graphc: 1\nname: other\nlegs:\n  a: {buy: 1, symbol: BTC-USD, policy: agressive_chase}\n",
    )
    inner = project / "templates" / "inner.yaml"
    alone = json.loads(lint(inner, "-f", "json").stdout)
    assert {d["path"] for d in alone["diagnostics"]} == set()  # `perp` has no default: not rendered alone
    result = lint(inner, "--dependants", "--ignore-unknown", "-f", "json")
    found = sorted((Path(d["path"]).name, d["line"], d["code"]) for d in json.loads(result.stdout)["diagnostics"])
    # the misspelt policy, found through both playbooks (one direct, one through outer.yaml); other.yaml untouched
    assert found == [("inner.yaml", 11, "GC103"), ("inner.yaml", 11, "GC103")]
    assert result.exit_code == 1


# Audit tmpl19 #1: the search read only .yaml/.yml files, and a `use:` written as an expression was ignored, so the
# pre-commit hook passed a template change (or a deletion) that broke a playbook written as JSON or one that names
# its template with `{{ }}`.

RENAMED_PARAM = TEMPLATE.replace("size: {type: quantity", "qty: {type: quantity").replace("{{ size }}", "{{ qty }}")


def _dependants_found(*args) -> dict[str, list[tuple[str, int, str]]]:
    """{path linted: []} and the (path, line, code) of each diagnostic, from `graphc lint --dependants ...`."""
    result = lint(*args, "--dependants", "--ignore-unknown", "--no-cache", "-f", "json")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return {
        "files": sorted(f["path"] for f in report["files"]),
        "found": sorted((d["path"], d["line"], d["code"]) for d in report["diagnostics"]),
    }


def test_dependants_finds_the_playbooks_written_as_json(project, monkeypatch):
    write(project, "templates/t.yaml", TEMPLATE)
    write(
        project, "plays/j.json", json.dumps({"graphc": 1, "name": "j", "legs": {"h": {"use": "../templates/t.yaml"}}})
    )
    write(project, "plays/y.yaml", "graphc: 1\nname: y\nlegs:\n  h: {use: ../templates/t.yaml}\n")
    monkeypatch.chdir(project)
    changed = _dependants_found("templates/t.yaml")
    assert changed["files"] == ["plays/j.json", "plays/y.yaml", "templates/t.yaml"]
    (project / "templates" / "t.yaml").unlink()  # the commit that deletes it names no file
    deleted = _dependants_found()
    assert deleted["found"] == [("plays/j.json", 1, "GC107"), ("plays/y.yaml", 4, "GC107")]


DYNAMIC = """\
graphc: 1
name: dyn
params:
  tpl: {type: string, default: t}
legs:
  h:
    use: "../templates/{{ tpl }}.yaml"
    with: {size: 2 ETH}
"""


def test_dependants_lints_the_playbooks_whose_use_is_an_expression(project, monkeypatch):
    write(project, "templates/t.yaml", TEMPLATE.replace("agressive", "aggressive"))
    write(project, "plays/dyn.yaml", DYNAMIC)
    # a template whose `use:` is an expression may use the changed one too: its literal users are linted
    write(project, "templates/pick.yaml", "graphc-template: 1\nlegs:\n  h: {use: \"./{{ 't' }}.yaml\"}\n")
    write(project, "plays/via.yaml", "graphc: 1\nname: via\nlegs:\n  p: {use: ../templates/pick.yaml}\n")
    monkeypatch.chdir(project)
    assert _dependants_found("templates/t.yaml") == {
        "files": ["plays/dyn.yaml", "plays/via.yaml", "templates/t.yaml"],
        "found": [],
    }
    write(project, "templates/t.yaml", RENAMED_PARAM.replace("agressive", "aggressive"))  # `size` is now `qty`
    # dyn.yaml still passes `size`: the GC108 its compile gives, at its `with:` entry
    assert _dependants_found("templates/t.yaml")["found"] == [("plays/dyn.yaml", 8, "GC108")]
    (project / "templates" / "t.yaml").unlink()
    deleted = _dependants_found()
    assert [(path, code) for path, _, code in deleted["found"]] == [
        ("plays/dyn.yaml", "GC107"),
        ("templates/pick.yaml", "GC107"),
    ]


def test_dependants_says_when_only_a_use_written_as_an_expression_may_use_the_template(project, monkeypatch):
    required = TEMPLATE.replace("{type: symbol, default: ETH-USD-PERP}", "{type: symbol}")  # not rendered alone
    write(project, "templates/t.yaml", required.replace("agressive", "aggressive"))
    write(project, "plays/dyn.yaml", DYNAMIC.replace("{size: 2 ETH}", "{size: 2 ETH, perp: ETH-USD-PERP}"))
    monkeypatch.chdir(project)
    result = lint("templates/t.yaml", "--dependants", "--no-cache")
    assert result.exit_code == 0 and "no problems in 2 files" in result.stdout, result.output
    assert "checked through" not in result.stderr  # it was, here; but the search cannot know that
    assert "names it in a literal `use:`; 1 playbook whose `use:` is an expression was linted" in result.stderr


def test_dependants_says_so_when_no_playbook_uses_the_template(project):
    # e.g. a folder with no graphc.toml nor .git: the template's project is its own folder, which holds no playbook
    path = write(project, "templates/t.yaml", TEMPLATE.replace("default: ETH-USD-PERP", "min: x").replace("min: x", ""))
    write(project, "plays/other.yaml", GOOD)
    result = lint(path, "--dependants")
    assert result.exit_code == 0, result.output
    assert "checked through" not in result.stderr  # nothing checked it: the note must not say it was
    assert f"no playbook under {project} uses it" in result.stderr


def test_dependants_are_listed_relative_to_the_working_directory_in_every_format(project, monkeypatch):
    # audit ci.md #7: the playbooks --dependants added were listed by absolute path in text, json and junit
    write(project, "templates/t.yaml", TEMPLATE)
    write(project, "plays/p.yaml", "graphc: 1\nname: p\nlegs:\n  h: {use: ../templates/t.yaml}\n")
    monkeypatch.chdir(project)
    args = ("templates/t.yaml", "--dependants", "--no-cache")
    paths = {d["path"] for d in json.loads(lint(*args, "-f", "json").stdout)["files"]}
    assert paths == {"plays/p.yaml", "templates/t.yaml"}
    text = lint(*args).stdout
    assert "templates/t.yaml:11:13: error GC103" in text and str(project) not in text
    suite = ET.fromstring(lint(*args, "-f", "junit").stdout)
    assert sorted({case.get("classname") for case in suite.iter("testcase")}) == ["plays/p.yaml", "templates/t.yaml"]


def test_a_playbook_named_and_found_as_a_dependant_is_linted_once(project, monkeypatch):
    write(project, "templates/t.yaml", TEMPLATE)
    write(project, "plays/p.yaml", "graphc: 1\nname: p\nlegs:\n  h: {use: ../templates/t.yaml}\n")
    monkeypatch.chdir(project)
    report = json.loads(lint("templates/t.yaml", "plays/p.yaml", "--dependants", "--no-cache", "-f", "json").stdout)
    assert report["summary"]["files"] == 2


def test_every_format_orders_diagnostics_by_path_line_column_code_message(project, monkeypatch):
    # docs/output-formats.md: diagnostics in (path, line, column, code, message) order. A finding located in a
    # template (plays/templates/t.yaml) sorts after plays/q.yaml's, though it was found linting plays/p.yaml.
    write(project, "plays/templates/t.yaml", TEMPLATE)
    write(project, "plays/p.yaml", "graphc: 1\nname: p\nlegs:\n  h: {use: ./templates/t.yaml}\n")
    write(project, "plays/q.yaml", BAD)
    monkeypatch.chdir(project)
    expected = ["plays/q.yaml", "plays/templates/t.yaml", "plays/templates/t.yaml"]  # GC202; GC103 via p and alone
    report = json.loads(lint("plays", "--no-cache", "-f", "json").stdout)
    assert [d["path"] for d in report["diagnostics"]] == expected
    text = lint("plays", "--no-cache").stdout
    assert [line.split(":")[0] for line in text.splitlines() if " error GC" in line] == expected
    github = lint("plays", "--no-cache", "-f", "github").stdout
    assert [line.split("file=")[1].split(",")[0] for line in github.splitlines() if line.startswith("::error")] == (
        expected
    )


def test_compile_result_lists_the_files_it_read(project):
    write(project, "templates/hedge.yaml", TEMPLATE.replace("agressive", "aggressive"))
    values = write(project, "values.yaml", "n: 1\n")
    path = write(
        project,
        "p.yaml",
        "graphc: 1\nname: p\nparams: {n: {type: integer}}\nlegs:\n  h: {use: ./templates/hedge.yaml}\n",
    )
    result = compile_file(path, CompileOptions(params_file=str(values)))
    assert result.ok, result.diagnostics
    hedge = str((project / "templates" / "hedge.yaml").resolve())
    assert result.files_read == sorted([(hedge, hedge), (str(values.resolve()), str(values.resolve()))])


def test_with_gc112_off_an_unread_file_is_never_a_clean_linted_file(tmp_path, monkeypatch):
    # audit review.md finding 6: with `GC112 = "off"`, `graphc lint nope.yaml` said "no problems in 1 file" and
    # the json report listed nope.yaml as a file with 0 errors. Spec §8: input that could not be checked is not
    # a pass; so the file is in no report's files, and the summary line says it was not found (exit stays 2).
    write(tmp_path, "graphc.toml", '[rules]\nGC112 = "off"\n')
    write(tmp_path, "good.yaml", GOOD)
    monkeypatch.chdir(tmp_path)

    alone = lint("nope.yaml")
    assert alone.exit_code == 2
    assert alone.stdout.splitlines()[-1] == "nothing linted: nope.yaml not found"
    assert "graphc: no such file or directory: nope.yaml" in alone.stderr

    report = json.loads(lint("nope.yaml", "-f", "json").stdout)
    assert report["files"] == [] and report["summary"]["files"] == 0 and report["diagnostics"] == []
    # ... but a program reading the report learns which file was not linted, not only the exit code
    assert report["not_read"] == [{"path": "nope.yaml", "reason": "not found"}]
    sarif = json.loads(lint("nope.yaml", "-f", "sarif").stdout)
    assert sarif["runs"][0]["results"] == [] and "artifacts" not in sarif["runs"][0]
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    nothing, note = invocation["toolExecutionNotifications"]  # nothing was linted (audit formats.md 3), and why
    assert nothing == {"level": "error", "message": {"text": "nothing linted: nope.yaml not found"}}
    assert note["level"] == "error" and note["message"]["text"] == "nope.yaml not found: not linted"
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "nope.yaml"
    # JUnit: the unread file is an errored test case, never dropped (audit formats.md 3: it was, 0 tests 0 errors)
    junit = ET.fromstring(lint("nope.yaml", "good.yaml", "-f", "junit").stdout)
    cases = {case.get("name"): [child.tag for child in case] for case in junit.iter("testcase")}
    assert cases["nope.yaml"] == ["error"] and "error" not in cases["good.yaml"] and len(cases) == 2
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("2", "0", "1")

    both = lint("nope.yaml", "good.yaml")
    assert both.exit_code == 2
    summary = both.stdout.splitlines()[-1]
    assert summary.startswith("no problems in 1 file") and summary.endswith("; nope.yaml not found"), summary
    report = json.loads(lint("nope.yaml", "good.yaml", "-f", "json").stdout)
    assert [f["path"] for f in report["files"]] == ["good.yaml"]
    assert report["not_read"] == [{"path": "nope.yaml", "reason": "not found"}]
    assert "not_read" not in json.loads(lint("good.yaml", "-f", "json").stdout)  # optional: only when there is one
    github = lint("nope.yaml", "good.yaml", "-f", "github").stdout
    assert github.splitlines()[-1].endswith("; nope.yaml not found")


def test_with_gc112_ignored_a_file_that_is_not_utf8_is_not_a_pass(mixed, monkeypatch):
    # the same for a file that exists but cannot be read as text: `--ignore GC112` does not make it clean
    monkeypatch.chdir(mixed)
    result = lint("latin.yaml", "--ignore", "GC112")
    assert result.exit_code == 2, result.output
    assert result.stdout.splitlines()[-1] == "nothing linted: latin.yaml could not be read"
    assert "graphc: latin.yaml could not be read" in result.stderr
    report = json.loads(lint("latin.yaml", "--ignore", "GC112", "-f", "json").stdout)
    assert report["files"] == [] and report["summary"]["files"] == 0
    assert report["not_read"] == [{"path": "latin.yaml", "reason": "could not be read"}]


def test_gc112_as_a_warning_still_exits_2_as_its_page_says(tmp_path, monkeypatch):
    # the generated Options section said a rule set to "warning" no longer fails lint; for GC112 the file was
    # still not checked, so lint exits 2 whatever the severity, and the page must say so
    write(tmp_path, "graphc.toml", '[rules]\nGC112 = "warning"\n')
    (tmp_path / "latin.yaml").write_bytes(LATIN1)
    monkeypatch.chdir(tmp_path)
    result = lint("latin.yaml")
    assert result.exit_code == 2 and "warning GC112" in result.stdout, result.output
    page = CliRunner().invoke(cli, ["explain", "GC112"]).stdout
    assert 'GC112 = "warning"   # still reported, and `graphc lint` still exits 2' in page
    assert "no longer fails on it" not in page


def test_an_error_turned_off_that_stopped_the_checks_is_a_skip_not_a_clean_file(tmp_path, monkeypatch):
    # with GC107 off, a playbook whose `use:` template is missing read "no problems in 1 file": no rule ran on
    # it (compile refuses it). Spec §8: what could not be checked is never a pass, so the summary counts a skip
    write(tmp_path, "graphc.toml", '[rules]\nGC107 = "off"\nGC202 = "off"\n')
    write(tmp_path, "p.yaml", "graphc: 1\nname: p\nlegs:\n  h: {use: ./missing.yaml}\n")
    monkeypatch.chdir(tmp_path)
    result = lint("p.yaml")
    assert result.exit_code == 2, result.output  # not checked (audit reports23 1: it read as a pass, exit 0)
    assert result.stdout.splitlines()[-1] == (
        "no problems in 0 files; 1 file not checked: p.yaml (GC107 at p.yaml:4:12 is suppressed or turned off, and it "
        "stopped the checks)"
    )
    [skip] = json.loads(lint("p.yaml", "-f", "json").stdout)["files"][0]["skipped"]
    assert (skip["code"], skip["line"], skip["column"]) == ("GC107", 4, 12)
    assert skip["reason"].startswith("GC107 is turned off or ignored here, but it stopped the checks")
    # a finding of a rule that ran, turned off, is not such a skip: the checks did run
    write(tmp_path, "q.yaml", "graphc: 1\nname: q\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, after: b filled}\n")
    ran = json.loads(lint("q.yaml", "-f", "json").stdout)["files"][0]["skipped"]
    assert not [s for s in ran if "stopped the checks" in s["reason"]]


def test_an_error_lowered_to_a_warning_that_stopped_the_checks_says_it_was_lowered(tmp_path, monkeypatch):
    # audit cfgsec 8: GC102 = "warning" still reports the finding (as a warning), yet the skip said "GC102 is
    # turned off or ignored here"; it was lowered, not turned off. The skip itself is right: no rule ran
    write(tmp_path, "graphc.toml", '[rules]\nGC102 = "warning"\n')
    write(tmp_path, "p.yaml", "graphc: 1\nname: p\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, bogus: 1}\n")
    monkeypatch.chdir(tmp_path)
    result = lint("p.yaml", "--explain-skips")
    assert result.exit_code == 2, result.output  # not checked (audit reports23 1: exit 0 before)
    assert "p.yaml:4:36: warning GC102 unknown key 'bogus' in legs.a" in result.stdout
    assert (
        "p.yaml:4:36: skipped GC102 GC102's severity is lowered to warning here, but it stopped the checks "
        "(unknown key 'bogus' in legs.a): no other check ran on this file"
    ) in result.stdout
    assert "turned off" not in result.stdout
    # ignored on the command line as well, it is not reported at all: then it is "turned off or ignored"
    ignored = lint("p.yaml", "--explain-skips", "--ignore", "GC102")
    assert "skipped GC102 GC102 is turned off or ignored here, but it stopped the checks" in ignored.stdout


# -- a saved plan where a playbook or a graph belongs (audit cmds16 7c) ---------------------------------------


@pytest.mark.parametrize("command", ["graph", "lint", "decompile", "compile"])
def test_a_saved_plan_given_to_another_command_is_named_as_one(tmp_path, monkeypatch, command):
    """graphc wrote the file: "start a playbook with `graphc: 1`" sent its user the wrong way."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    playbook = write(tmp_path, "h.yaml", (EXAMPLES / "eth-hedge.yaml").read_text())
    planned = CliRunner().invoke(
        cli, ["plan", str(playbook), "--quotes", str(EXAMPLES / "quotes.yaml"), "-o", "p.json"]
    )
    assert planned.exit_code == 0, planned.output
    result = CliRunner().invoke(cli, [command, "p.json"])
    assert result.exit_code in (1, 2), result.output
    assert "GC110" in result.output
    assert "this is a plan saved by `graphc plan -o`: `graphc plan p.json` shows it" in result.output, result.output
    assert "start a playbook with `graphc: 1`" not in result.output
    assert "start the file with `graphc: 1`" not in result.output


def test_a_json_file_with_a_control_character_json_never_holds_raw_is_unreadable_text(tmp_path):
    # a `.json` file is read by JSON's reader (wire18 1), whose text allows DEL and C1 raw in a string but never
    # NUL: the walk reports it, at the NUL, and lint exits 2 as for a YAML file holding one (hostile18 F6e)
    write(tmp_path, "good.yaml", GOOD)
    (tmp_path / "g.json").write_bytes(b'{"nodes": [],\n "edges": [\x00]}\n')
    result = lint("--no-cache", "--format", "json", tmp_path)
    assert result.exit_code == 2, result.output
    [found] = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "GC100"]
    assert (found["line"], found["column"]) == (2, 12)
    assert found["message"].startswith("cannot read the file as JSON text: unacceptable character #x0000")


def test_a_json_syntax_error_beside_a_raw_del_is_a_finding_not_unreadable_text(tmp_path):
    # DEL is JSON text (raw in a string): the file is read, and its trailing comma is an ordinary GC100, exit 1
    path = tmp_path / "g.json"
    path.write_bytes(b'{"nodes": [{"node_id": "a\x7fb"},],\n "edges": []}\n')
    result = lint("--no-cache", path)
    assert result.exit_code == 1, result.output
    assert "not valid JSON" in result.output and "cannot read the file" not in result.output


@pytest.mark.parametrize("command", ["compile", "graph", "decompile", "plan"])
def test_other_commands_exit_2_for_a_file_that_cannot_be_read_as_text(tmp_path, command):
    # as lint and fmt do (hostile18 F6e): unreadable input (spec §8), not findings; an ordinary GC100 stays 1
    name = "g.json" if command == "decompile" else "p.yaml"
    nul = tmp_path / name
    nul.write_bytes((b'{"nodes": [],\n "edges": [\x00]}\n') if command == "decompile" else GOOD.encode() + b"# \x00\n")
    result = CliRunner().invoke(cli, [command, str(nul)])
    assert result.exit_code == 2, result.output
    assert "unacceptable character #x0000" in result.output
    broken = write(tmp_path, "b" + name, '{"nodes": [],}\n' if command == "decompile" else "graphc: 1\nname: [\n")
    assert CliRunner().invoke(cli, [command, str(broken)]).exit_code == 1


# -- audit wirelint23 2: a lintable suffix in any case ----------------------------------------------------------------
# A directory walk or a glob took `*.json` but passed over `bad.JSON` and `bad2.Json` without a word ("no problems in
# 1 file"), while a file named itself, the pre-commit hook's `(?i)` pattern and the docs' "(any case)" took them.

PM_NODE = (
    '{{"nodes": [{{"node_id": "a", "instrument": {{"symbol": "will-it-rain:yes", "type": "prediction", '
    '"venue": "polymarket"}}, "side": "buy", "order_type": {{"limit": {{"price_1e9": {price}}}}}, '
    '"quantity": {{"fixed": {{"qty_1e8": 500000000}}}}, "activation": "root"}}], "edges": [], "is_sandbox": true}}\n'
)


@pytest.fixture
def any_case(tmp_path):
    """ok.json (5 shares at 0.20: clean), bad.JSON and bad2.Json (at 0.199: GC301), p.YAML (a playbook: GC202)."""
    folder = tmp_path / "walk"
    write(folder, "ok.json", PM_NODE.format(price=200000000))
    write(folder, "bad.JSON", PM_NODE.format(price=199000000))
    write(folder, "bad2.Json", PM_NODE.format(price=199000000))
    write(folder, "p.YAML", BAD)
    write(folder, "notes.txt", "not a playbook\n")
    return folder


ANY_CASE_FOUND = [("bad.JSON", "GC301"), ("bad2.Json", "GC301"), ("p.YAML", "GC202")]


@pytest.mark.parametrize("how", ["directory", "glob", "glob-json"])
def test_a_walk_or_glob_lints_files_whose_suffix_is_in_any_case(any_case, monkeypatch, how):
    monkeypatch.chdir(any_case)
    target = {"directory": ".", "glob": "*", "glob-json": "*.[jJ][sS][oO][nN]"}[how]
    text = lint("--no-cache", target)
    found = sorted(ANY_CASE_FOUND if how != "glob-json" else ANY_CASE_FOUND[:2])
    files = 4 if how != "glob-json" else 3
    assert text.exit_code == 1, text.output
    assert f"{len(found)} errors in {files} files" in text.stdout
    for name, code in found:
        assert f"{name}:" in text.stdout and code in text.stdout

    report = json.loads(lint("--no-cache", "-f", "json", target).stdout)
    assert sorted(f["path"] for f in report["files"]) == sorted(["ok.json", *{n for n, _ in found}])

    sarif = json.loads(lint("--no-cache", "-f", "sarif", target).stdout)
    results = sarif["runs"][0]["results"]
    seen = sorted(
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"])
        for r in results
        if r["ruleId"] in ("GC202", "GC301")
    )
    assert seen == found


def test_a_glob_naming_an_upper_case_suffix_finds_those_files(any_case, monkeypatch):
    monkeypatch.chdir(any_case)
    result = lint("--no-cache", "*.JSON")  # was: "nothing linted: no *.yaml, *.yml or *.json file matches '*.JSON'"
    assert result.exit_code == 1 and "1 error in 1 file" in result.stdout and "bad.JSON:" in result.stdout


@pytest.mark.parametrize("name", ["g.json", "g.JSON", "g.Json"])
def test_a_json_file_of_any_case_is_read_as_strict_json_walked_or_named(tmp_path, name):
    path = write(tmp_path / "d", name, '{"nodes": [],}\n')  # a trailing comma: YAML would read it
    for target in (path, path.parent):
        result = lint("--no-cache", "-f", "json", target)
        [found] = json.loads(result.stdout)["diagnostics"]
        assert found["code"] == "GC100" and "not valid JSON" in found["message"], (target, found)


def test_dependants_finds_playbooks_whose_suffix_is_in_any_case(project, monkeypatch):
    write(project, "templates/t.yaml", TEMPLATE)
    write(
        project, "plays/j.JSON", json.dumps({"graphc": 1, "name": "j", "legs": {"h": {"use": "../templates/t.yaml"}}})
    )
    write(project, "plays/y.Yml", "graphc: 1\nname: y\nlegs:\n  h: {use: ../templates/t.yaml}\n")
    monkeypatch.chdir(project)
    assert _dependants_found("templates/t.yaml")["files"] == ["plays/j.JSON", "plays/y.Yml", "templates/t.yaml"]
    (project / "templates" / "t.yaml").unlink()
    assert _dependants_found()["found"] == [("plays/j.JSON", 1, "GC107"), ("plays/y.Yml", 4, "GC107")]


def test_the_lintable_suffixes_match_in_any_case():
    from graphc.files import LINTABLE_SUFFIXES, YAML_SUFFIXES, has_suffix, suffix_patterns

    assert all(has_suffix(name) for name in ("a.json", "a.JSON", "a.Json", "a.YAML", "a.yMl", "dir.x/a.yaml"))
    assert not any(has_suffix(name) for name in ("a.txt", "a.json.bak", "ajson", "a.YAML~"))
    assert has_suffix("a.YML", YAML_SUFFIXES) and not has_suffix("a.JSON", YAML_SUFFIXES)
    assert suffix_patterns(LINTABLE_SUFFIXES) == "*.yaml, *.yml or *.json"
    assert suffix_patterns(YAML_SUFFIXES) == "*.yaml or *.yml"
