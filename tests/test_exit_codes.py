"""Exit codes (spec §8): a bug in graphc exits 4 with one line asking for a report, never 1 ("findings")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

import graphc.lint
import graphc.stages.model
from graphc.cli import cli
from tests.conftest import EXAMPLES, REPO, write

GOOD = (EXAMPLES / "eth-hedge.yaml").read_text()
BAD = GOOD.replace("after: spot filled 50%", "after: spto filled 50%")  # GC202


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def broken_lint_of(monkeypatch):
    """Make linting the files whose name contains ``marker`` hit a bug (a fault injected into the real code)."""
    real = graphc.lint.lint_source

    def install(marker):
        def lint_source(text, path, *args, **kwargs):
            if marker in path:
                raise KeyError("a bug with a secret-looking value")
            return real(text, path, *args, **kwargs)

        monkeypatch.setattr(graphc.lint, "lint_source", lint_source)

    return install


def test_a_crash_is_exit_4_with_one_line_and_no_traceback(tmp_path, broken_lint_of):
    broken_lint_of("boom")
    path = write(tmp_path, "boom.yaml", GOOD)
    result = invoke("lint", path)
    assert result.exit_code == 4
    [line] = result.stderr.splitlines()
    assert line.startswith("graphc: internal error while linting ") and "KeyError" in line
    assert "please report it" in line and "-v" in line
    assert "Traceback" not in result.output


def test_a_crash_in_the_rules_says_while_linting_not_while_reading(tmp_path, monkeypatch):
    """hostile18 F6: a bug in the rules stage read "internal error while reading FILE"; the file was read."""

    def run_rules(*args, **kwargs):
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(graphc.lint, "_run_rules", run_rules)
    path = write(tmp_path, "ok.yaml", GOOD)
    result = invoke("lint", "--no-cache", path)
    assert result.exit_code == 4, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"graphc: internal error while linting {path}: RuntimeError: a bug in a rule. ")
    assert "reading" not in line


@pytest.mark.parametrize("where", [["-v", "lint"], ["lint", "-j", "1"]])
def test_verbose_shows_the_traceback(tmp_path, broken_lint_of, where):
    broken_lint_of("boom")
    path = write(tmp_path, "boom.yaml", GOOD)
    result = invoke(*where, path)
    assert result.exit_code == 4
    assert ("Traceback (most recent call last)" in result.stderr) == ("-v" in where)


def test_a_crash_mid_directory_keeps_the_other_findings_and_exits_4_not_1(tmp_path, broken_lint_of):
    broken_lint_of("b-boom")
    write(tmp_path, "a-bad.yaml", BAD)
    write(tmp_path, "b-boom.yaml", GOOD)
    write(tmp_path, "c-bad.yaml", BAD)
    result = invoke("lint", "-f", "json", tmp_path)
    assert result.exit_code == 4
    found = {d["path"].rsplit("/", 1)[-1] for d in json.loads(result.stdout)["diagnostics"]}
    assert found == {"a-bad.yaml", "c-bad.yaml"}
    assert "b-boom.yaml" in result.stderr and "internal error" in result.stderr


def test_a_crash_in_a_worker_process_is_exit_4(tmp_path, broken_lint_of):
    broken_lint_of("boom")  # the pool forks after the patch, so the workers inherit it
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "boom.yaml", GOOD)
    result = invoke("lint", "-j", "2", tmp_path)
    assert result.exit_code == 4 and "boom.yaml" in result.stderr


def test_a_crash_in_compile_is_exit_4(monkeypatch):
    def build_wire(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(graphc.stages.model, "build_wire", build_wire)
    result = invoke("compile", EXAMPLES / "eth-hedge.yaml")
    assert result.exit_code == 4 and "internal error: RuntimeError: unexpected" in result.stderr


CRASHING_MAIN = """
import sys
import graphc.stages.model
def build_wire(*args, **kwargs):
    raise MemoryError()
graphc.stages.model.build_wire = build_wire
from graphc.cli import main
main(sys.argv[1:])
"""


def test_the_real_process_exits_4():
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_MAIN, "compile", str(EXAMPLES / "eth-hedge.yaml")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 4, result.stderr
    assert result.stderr.count("\n") == 1 and "internal error: MemoryError" in result.stderr


def test_usage_errors_stay_2_and_findings_1(tmp_path):
    assert invoke("lint", tmp_path / "missing.yaml").exit_code == 2
    assert invoke("lint", write(tmp_path, "bad.yaml", BAD)).exit_code == 1
    assert invoke("compile", "--now", "yesterday", EXAMPLES / "eth-hedge.yaml").exit_code == 2


def _exit_with_stderr(args, where: str, cwd) -> int:
    """The exit code of a real ``graphc`` process whose stderr cannot be written: ``/dev/full`` (no space left), or
    a pipe whose reader has already gone (a closed ``| head -1``); its stdout is /dev/null."""
    command = [sys.executable, "-m", "graphc", *map(str, args)]
    if where == "full":
        with open("/dev/full", "w") as full:
            return subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=full, stdin=subprocess.DEVNULL, cwd=cwd
            ).returncode
    read, write_end = os.pipe()
    os.close(read)  # the reader went away before graphc wrote its first line
    try:
        return subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=write_end, stdin=subprocess.DEVNULL, cwd=cwd
        ).returncode
    finally:
        os.close(write_end)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("where", ["full", "closed-pipe"])
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["compile", "{good}", "--now", "bad"], 2),  # a usage error click reports
        (["lint", "{good}", "--format", "nope"], 2),
        (["nosuch"], 2),
        (["explain", "GC999"], 2),  # a usage error graphc reports
        (["compile", "{missing}"], 2),  # unreadable input
        (["compile", "{unknown_key}"], 1),  # findings (GC102), written to stderr
        (["plan", "{bad}"], 1),
    ],
)
def test_a_message_that_cannot_be_written_to_stderr_keeps_the_exit_code(tmp_path, args, code, where):
    # audit spec28b 2: `graphc compile n.yaml --now bad 2>&1 | head -1` (or 2>/dev/full) exited 4, "internal
    # error ... a bug in graphc": the write error escaped click's report of the usage error
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", BAD)
    unknown_key = write(tmp_path, "unknown.yaml", GOOD + "nmae: x\n")
    args = [a.format(good=good, bad=bad, unknown_key=unknown_key, missing=tmp_path / "missing.yaml") for a in args]
    assert subprocess.run([sys.executable, "-m", "graphc", *args], capture_output=True, cwd=tmp_path).returncode == code
    assert _exit_with_stderr(args, where, tmp_path) == code


@pytest.mark.parametrize("command", ["lint", "compile", "plan"])
@pytest.mark.parametrize(
    ("name", "reason"),
    [("latin.yaml", "not UTF-8"), ("/dev/zero", "it is a character device, not a regular file")],
    ids=["not-utf8", "device"],
)
def test_an_unreadable_params_file_is_a_usage_error_not_a_finding(tmp_path, command, name, reason):
    # audit cfgsec 7: these were "error GC108 cannot read params file ..." and exit 1, the playbook unchecked;
    # a missing params file, or an unreadable --quotes, is exit 2: spec §8 "2 usage error / unreadable input"
    if name == "/dev/zero" and not os.path.exists(name):
        pytest.skip("no /dev/zero here")
    params = name if name.startswith("/") else tmp_path / name
    if name == "latin.yaml":
        params.write_bytes(b"size: \xff\n")  # Latin-1 for "ÿ": not UTF-8
    result = invoke(command, EXAMPLES / "eth-hedge.yaml", "--quotes", EXAMPLES / "quotes.yaml", "--params", params)
    assert result.exit_code == 2, result.output
    assert f"cannot read params file {params}: {reason}" in result.stderr
    assert "GC108" not in result.output


@pytest.mark.parametrize("command", ["lint", "compile", "graph", "plan"])
def test_a_use_template_that_is_not_utf8_is_unreadable_input(tmp_path, command):
    # audit tmpl19 #6: GC107 and exit 1; spec §8: GC112 at the template's first bad byte, and exit 2, as for the
    # playbook itself. Turned off (lint), it still stopped the checks: not a pass either, and said on stderr.
    write(tmp_path, "graphc.toml", "")
    (tmp_path / "nu.yaml").write_bytes(b"graphc-template: 1\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-\xff}\n")
    playbook = write(tmp_path, "u.yaml", "graphc: 1\nname: u\nlegs:\n  x: {use: ./nu.yaml}\n")
    result = invoke(command, playbook, "--quotes", EXAMPLES / "quotes.yaml")
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'nu.yaml'}:3:31: error GC112 the file is not UTF-8 text" in result.output
    if command == "lint":
        off = invoke(command, playbook, "--ignore", "GC112")
        assert off.exit_code == 2, off.output
        assert f"uses {tmp_path / 'nu.yaml'}, which is not UTF-8 text (GC112, not reported here)" in off.stderr


@pytest.mark.parametrize("command", ["lint", "compile", "plan"])
def test_a_params_folder_or_a_missing_params_file_is_a_usage_error_too(tmp_path, command):
    for params in (tmp_path, tmp_path / "missing.yaml"):
        result = invoke(command, EXAMPLES / "eth-hedge.yaml", "--quotes", EXAMPLES / "quotes.yaml", "--params", params)
        assert result.exit_code == 2, result.output
        assert "GC108" not in result.output


# sec16 3: out of memory while formatting a hint, then again in `re` while the crash was being reported, escaped
# click as a raw traceback and exit 1. The faults are injected in the real code: the command's own, then the
# redaction that formats the internal-error line, or a fault outside the command's handler.
CRASHING_REPORT = """
import sys
import graphc.api.redact
import graphc.stages.model
def build_wire(*args, **kwargs):
    raise MemoryError()
def redact(*args, **kwargs):
    raise MemoryError("while reporting")
graphc.stages.model.build_wire = build_wire
graphc.api.redact.redact = redact
from graphc.cli import main
main(sys.argv[1:])
"""

CRASHING_OUTSIDE = """
import sys
import graphc.cli
def fall_back_to_ascii(*streams):
    raise IndexError("before the command's handler")
graphc.cli.fall_back_to_ascii = fall_back_to_ascii
graphc.cli.main(sys.argv[1:])
"""


@pytest.mark.parametrize("script", [CRASHING_REPORT, CRASHING_OUTSIDE])
@pytest.mark.parametrize("command", ["compile", "lint"])
def test_a_crash_while_reporting_a_crash_still_exits_4_with_one_line(script, command):
    result = subprocess.run(
        [sys.executable, "-c", script, command, str(EXAMPLES / "eth-hedge.yaml")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("graphc: internal error") and "please report it" in result.stderr
    assert ("MemoryError" if script is CRASHING_REPORT else "IndexError") in result.stderr


def _help(*command: str) -> str:
    return " ".join(invoke(*command, "--help").output.split())


def test_compile_fails_on_expansion_errors_that_leave_no_graph_and_every_text_says_so(tmp_path):
    # audit docs17 4: "compile fails only on GC1xx" had two exceptions nobody named. Two legs with one id after
    # for_each/use expansion (GC203) and a template's `after:` naming a leg outside the template (GC202) leave no
    # graph to print, so compile exits 1 on them; the other GC2xx findings compile (exit 0).
    (tmp_path / ".git").mkdir()
    dup = write(
        tmp_path, "dup.yaml", "graphc: 1\nname: t\nlegs:\n  a: {for_each: [x, x], buy: 1 ETH, symbol: ETH-USD}\n"
    )
    write(tmp_path, "tpl.yaml", "graphc-template: 1\nlegs:\n  z: {buy: 1 ETH, symbol: ETH-USD, after: spot accepted}\n")
    foreign = write(
        tmp_path, "p.yaml", "graphc: 1\nname: p\nlegs:\n  spot: {buy: 1 ETH, symbol: ETH-USD}\n  h: {use: tpl.yaml}\n"
    )
    for path, code in ((dup, "GC203"), (foreign, "GC202")):
        result = invoke("compile", path)
        assert result.exit_code == 1 and f"error {code}" in result.stderr, result.output
        assert result.stdout == ""  # no graph
    assert invoke("compile", write(tmp_path, "typo.yaml", BAD), "--quotes", EXAMPLES / "quotes.yaml").exit_code == 0
    said = "fails only on GC1xx input errors and on two expansion errors that leave no graph to print"
    assert said in _help("compile"), _help("compile")
    assert "two legs with one id after for_each/use expansion (GC203)" in _help("compile")
    assert "a template's `after:` naming a leg outside the template (GC202)" in _help("compile")
    for page in (REPO / "README.md", *(REPO / "docs").glob("*.md"), REPO / "docs" / "rules" / "README.md"):
        text = " ".join(page.read_text(encoding="utf-8").split())
        # every "compile fails/exits only ..." names the two exceptions right after it
        for m in re.finditer(r"(fails|exits 1) only (on|for|when)", text):
            after = text[m.start() : m.start() + 500]
            assert "GC203" in after and "GC202" in after, f"{page.name}: {after}"


def test_the_top_level_help_says_strict_turns_warnings_into_exit_1():
    # audit docs17 7: spec §8's exit 1 is "errors found (or warnings with --strict)"
    assert "1 errors found (or warnings with --strict)" in _help()
