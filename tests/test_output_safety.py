"""What graphc prints is safe to print: any encoding, any value from a file, any line length, any -o path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import click
import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.diagnostics import Diagnostic, FileResult, Span
from graphc.report import render
from tests.conftest import EXAMPLES, REPO, write

CYCLE = "graphc: 1\nname: cyc\nlegs:\n  a: {buy: 1, symbol: BTC-USD, after: b filled}\n  b: {buy: 1, symbol: BTC-USD, after: a filled}\n"
INJECTION = 'graphc: 1\nname: inject\nlegs:\n  a: {buy: 1, symbol: BTC-USD, policy: "x\\n::stop-commands::pwned\\r\\n::error::fake"}\n'


def run_graphc(*args, encoding="utf-8", cwd=REPO, env=None, input=None):
    """``python -m graphc ARGS`` with stdout and stderr in ``encoding`` (PYTHONIOENCODING), or with ``env``'s
    settings instead (``encoding=None``: PYTHONIOENCODING unset, as in a bare C locale); ``input``: stdin's bytes."""
    env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    env.pop("PYTHONIOENCODING", None)
    if encoding is not None:
        env["PYTHONIOENCODING"] = encoding
    return subprocess.run(
        [sys.executable, "-m", "graphc", *map(str, args)],
        capture_output=True,
        cwd=cwd,
        env=env,
        check=False,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


# -- encodings ----------------------------------------------------------------------------------


def test_a_cp1252_stdout_gets_ascii_arrows_instead_of_a_crash(tmp_path):
    path = write(tmp_path, "cycle.yaml", CYCLE)
    result = run_graphc("lint", path, encoding="cp1252")
    assert result.returncode == 1, result.stderr
    out = result.stdout.decode("cp1252")
    assert "GC201" in out and "a -> b -> a" in out


def test_a_cp1252_stdout_escapes_what_it_cannot_show(tmp_path):
    path = write(
        tmp_path, "cjk.yaml", "graphc: 1\nname: cjk\nlegs:\n  a: {buy: 1, symbol: BTC-USD, after: 中 filled}\n"
    )
    result = run_graphc("lint", path, encoding="cp1252")
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert "\\u4e2d" in result.stdout.decode("cp1252")


# Streams that cannot encode every character: a Windows code page, ASCII, and the C locale without UTF-8 mode (where
# Python's stdout is ASCII with the surrogateescape error handler).
NARROW_STREAMS = {
    "cp1252": {"encoding": "cp1252"},
    "ascii": {"encoding": "ascii"},
    "C locale": {"encoding": None, "env": {"LC_ALL": "C", "PYTHONUTF8": "0"}},
}
UNICODE_SYMBOL = 'graphc: 1\nname: uni\nlegs:\n  a: {symbol: "😀→é", buy: 1, venue: coinbase, limit: 5}\n'
UNICODE_FMT = (
    'name: uni\ngraphc: 1\ndescription: "東京 — café → ok ✓ “q”"\n'
    "legs:\n  a: {symbol: BTC-USD, buy: 1}  # 注文 — note\n"
)
UNICODE_FINDINGS = "graphc: 1\nname: uni\nlegs:\n  東京: {symbol: BTC-USD, buy: 1, zz: 1}\n"


@pytest.mark.parametrize("stream", NARROW_STREAMS)
def test_compile_writes_the_exact_wire_json_on_any_stdout(tmp_path, stream):
    path = write(tmp_path, "uni.yaml", UNICODE_SYMBOL)
    utf8 = run_graphc("compile", path)
    result = run_graphc("compile", path, **NARROW_STREAMS[stream])
    assert utf8.returncode == 0 and result.returncode == 0, result.stderr
    assert result.stdout == utf8.stdout  # UTF-8 bytes, never transliterated (`->`) nor escaped (`\U0001f600`)
    assert json.loads(result.stdout.decode("utf-8"))["nodes"][0]["instrument"]["symbol"] == "😀→é"


@pytest.mark.parametrize("stream", NARROW_STREAMS)
def test_fmt_stdin_keeps_every_character_and_comment_on_any_stdout(stream):
    source = UNICODE_FMT.encode("utf-8")
    utf8 = run_graphc("fmt", "-", input=source)
    result = run_graphc("fmt", "-", input=source, **NARROW_STREAMS[stream])
    assert utf8.returncode == 0 and result.returncode == 0, result.stderr
    assert result.stdout == utf8.stdout
    text = result.stdout.decode("utf-8")
    assert '"東京 — café → ok ✓ “q”"' in text and "# 注文 — note" in text


def test_fmt_stdin_keeps_crlf_line_ends_on_a_narrow_stdout():
    source = UNICODE_FMT.replace("\n", "\r\n").encode("utf-8")
    result = run_graphc("fmt", "-", input=source, encoding="cp1252")
    assert result.returncode == 0, result.stderr
    assert result.stdout == run_graphc("fmt", "-", input=source).stdout
    assert result.stdout.count(b"\r\n") == 5 and b"\r\r" not in result.stdout


@pytest.mark.parametrize("stream", NARROW_STREAMS)
def test_decompile_keeps_the_symbol_on_any_stdout(tmp_path, stream):
    path = write(tmp_path, "uni.yaml", UNICODE_SYMBOL)
    assert run_graphc("compile", path, "-o", tmp_path / "uni.json").returncode == 0
    utf8 = run_graphc("decompile", tmp_path / "uni.json")
    result = run_graphc("decompile", tmp_path / "uni.json", **NARROW_STREAMS[stream])
    assert utf8.returncode == 0 and result.returncode == 0, result.stderr
    assert result.stdout == utf8.stdout and "symbol: 😀→é" in result.stdout.decode("utf-8")


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github"])
@pytest.mark.parametrize("stream", NARROW_STREAMS)
def test_machine_readable_reports_are_utf8_on_any_stdout(tmp_path, stream, fmt):
    write(tmp_path, "uni.yaml", UNICODE_FINDINGS)
    utf8 = run_graphc("lint", "-f", fmt, "uni.yaml", cwd=tmp_path)
    result = run_graphc("lint", "-f", fmt, "uni.yaml", cwd=tmp_path, **NARROW_STREAMS[stream])
    assert utf8.returncode == 1 and result.returncode == 1, result.stderr
    assert result.stdout == utf8.stdout
    shown = result.stdout.decode("utf-8")
    if fmt in ("json", "sarif"):  # which may escape it
        shown = json.dumps(json.loads(shown), ensure_ascii=False)
    assert "legs.東京" in shown


@pytest.mark.parametrize("args", [["schema", "playbook"], ["rules", "--format", "json"]])
@pytest.mark.parametrize("stream", NARROW_STREAMS)
def test_other_json_on_stdout_is_utf8_on_any_stdout(args, stream):
    result = run_graphc(*args, **NARROW_STREAMS[stream])
    assert result.returncode == 0, result.stderr
    assert result.stdout == run_graphc(*args).stdout
    json.loads(result.stdout.decode("utf-8"))


@pytest.mark.parametrize(
    "stream",
    [{"encoding": None, "env": {"LC_ALL": "C", "PYTHONUTF8": "0"}}, {"encoding": "ascii:surrogateescape"}],
    ids=["C locale", "ascii:surrogateescape"],
)
def test_an_ascii_stdout_with_surrogateescape_falls_back_too(tmp_path, stream):
    write(tmp_path, "uni.yaml", UNICODE_FINDINGS)
    result = run_graphc("lint", "uni.yaml", cwd=tmp_path, **stream)
    assert result.returncode == 1 and b"Traceback" not in result.stderr and b"internal error" not in result.stderr
    assert "unknown key 'zz' in legs.\\u6771\\u4eac" in result.stdout.decode("ascii")


CJK_BEFORE_THE_SPAN = (
    'graphc: 1\nname: uni\nparams:\n  a: {description: "東京 → 😀 é", zz: 1}\nlegs:\n  l: {symbol: BTC-USD, buy: 1}\n'
)


def _frame_of(report: str, code: str) -> tuple[str, str]:
    """The source line and the marker line of the first finding of ``code`` in a text report."""
    lines = report.splitlines()
    at = next(i for i, line in enumerate(lines) if f" {code} " in line)
    return lines[at + 2], lines[at + 3]


@pytest.mark.parametrize("stream", NARROW_STREAMS)
def test_the_marker_stays_under_the_span_on_a_narrow_stdout(tmp_path, stream):
    write(tmp_path, "uni.yaml", CJK_BEFORE_THE_SPAN)
    result = run_graphc("lint", "uni.yaml", cwd=tmp_path, **NARROW_STREAMS[stream])
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr
    encoding = NARROW_STREAMS[stream]["encoding"] or "ascii"
    frame, marker = _frame_of(result.stdout.decode(encoding), "GC102")
    assert "\\u6771\\u4eac -> \\U0001f600" in frame  # escaped as the fallback writes it ...
    assert marker.index("^~") == frame.index("zz: 1")  # ... and the marker under `zz`, not inside an escape
    assert ("é" in frame) == (encoding == "cp1252")  # what the stream can write is left as it is


def test_the_marker_stays_under_the_span_of_a_frame_on_a_narrow_stderr(tmp_path):
    write(tmp_path, "uni.yaml", CJK_BEFORE_THE_SPAN)
    result = run_graphc("compile", "uni.yaml", cwd=tmp_path, encoding="cp1252")
    assert result.returncode == 1 and b"Traceback" not in result.stderr, result.stderr
    frame, marker = _frame_of(result.stderr.decode("cp1252"), "GC102")
    assert marker.index("^~") == frame.index("zz: 1")


def test_the_text_report_escapes_a_frame_for_the_encoding_it_is_told():
    d = Diagnostic("GC102", "unknown key", "a.yaml", Span(1, 9, 1, 11))
    result = FileResult("a.yaml", "k: {東京: zz}\n", [d], [])
    frame, marker = render("text", [result], encoding="ascii").splitlines()[2:4]
    assert frame == "1 | k: {\\u6771\\u4eac: zz}" and marker.index("^~") == frame.index("zz")
    frame, marker = render("text", [result]).splitlines()[2:4]  # UTF-8 or a file: as it is, CJK two cells wide
    assert frame == "1 | k: {東京: zz}" and marker == "  | " + " " * 10 + "^~"


def test_an_ascii_stderr_still_gets_the_message(tmp_path):
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "loop.yaml", "graphc-template: 1\nlegs:\n  a: {use: ./loop.yaml}\n")
    path = write(tmp_path, "p.yaml", "graphc: 1\nname: p\nlegs:\n  x: {use: ./loop.yaml}\n")
    result = run_graphc("compile", path, encoding="ascii", cwd=tmp_path)
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert b"template include cycle: loop.yaml -> loop.yaml" in result.stderr


def test_plan_tree_on_cp1252(tmp_path):
    result = run_graphc(
        "plan",
        EXAMPLES / "eth-hedge.yaml",
        "--quotes",
        EXAMPLES / "quotes.yaml",
        "-o",
        tmp_path / "p.json",
        encoding="cp1252",
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr


# -- values from a file never start a line -----------------------------------------------------


def _lines_from_the_playbook(text: str) -> list[str]:
    return [
        line
        for line in text.splitlines()
        if (line.lstrip().startswith("::") and "pwned" in line) or ("fake" in line and line.startswith("::error::"))
    ]


@pytest.mark.parametrize("fmt", ["text", "github", "junit"])
def test_a_newline_in_a_value_never_starts_a_line_of_output(tmp_path, fmt):
    path = write(tmp_path, "inject.yaml", INJECTION)
    result = CliRunner().invoke(cli, ["lint", "-f", fmt, str(path)])
    assert result.exit_code == 1
    assert "stop-commands" in result.stdout  # the value is shown ...
    for line in result.stdout.splitlines():  # ... but never at the start of a line
        assert not line.lstrip().startswith("::stop-commands"), line
        assert not line.lstrip().startswith("::error::fake"), line


def test_github_escapes_percent_cr_and_lf_in_messages_and_properties():
    d = Diagnostic("GC103", "100% bad\r\nvalue", "dir,x/a:b.yaml", Span(2, 3), hint="a\nb")
    [line, _summary] = render("github", [FileResult("dir,x/a:b.yaml", "", [d], [])]).splitlines()
    assert line.endswith("::100%25 bad%0D%0Avalue%0Ahint: a%0Ab")
    assert "file=dir%2Cx/a%3Ab.yaml," in line


def test_text_escapes_control_characters_and_terminal_codes():
    d = Diagnostic("GC103", "red \x1b[31m here\u2028there", "a.yaml", Span(1, 1), hint="x\ry")
    out = render("text", [FileResult("a.yaml", "k: v\n", [d], [])])
    assert "\x1b" not in out and "\\x1b[31m" in out and "\\u2028" in out and "x\\ry" in out


@pytest.mark.parametrize("fmt", ["text", "github", "junit"])
def test_bidi_and_zero_width_characters_from_a_playbook_are_escaped(tmp_path, fmt):
    """A name `ab<U+202E>cd` was printed raw in the message and the code frame, where a terminal shows it as `abdc`
    (bidi override, "Trojan Source"), as router text never is (audit status28, a note beside finding 6)."""
    path = write(tmp_path, "p.yaml", 'graphc: 1\nname: "ab\u202ecd\u200b"\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n')
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", fmt, str(path)])
    assert result.exit_code == 1, result.output
    assert "\u202e" not in result.stdout and "\u200b" not in result.stdout, result.stdout
    assert "ab\\u202ecd\\u200b" in result.stdout, result.stdout
    if fmt == "text":  # the marker stays under the escaped value
        frame = result.stdout.splitlines()
        at = next(i for i, line in enumerate(frame) if line.startswith("2 | "))
        assert frame[at] == '2 | name: "ab\\u202ecd\\u200b"'
        assert frame[at + 1] == "  |       ^" + "~" * (len('"ab\\u202ecd\\u200b"') - 1)


def test_junit_text_keeps_each_value_on_its_line(tmp_path):
    path = write(tmp_path, "inject.yaml", INJECTION)
    report = CliRunner().invoke(cli, ["lint", "-f", "junit", str(path)]).stdout
    failure = ET.fromstring(report).find(".//failure")
    assert "\\n::stop-commands::pwned" in failure.text
    assert "\\n::stop-commands::pwned" in failure.get("message") and "\n" not in failure.get("message")


# -- code frames ---------------------------------------------------------------------------------


def test_a_long_line_is_cut_around_the_column_like_rustc():
    items = ", ".join(f"item{i}" for i in range(2000))
    source = f"k: [{items}, BAD]\n"
    col = source.index("BAD") + 1
    d = Diagnostic("GC103", "bad item", "a.yaml", Span(1, col, 1, col + 3))
    lines = render("text", [FileResult("a.yaml", source, [d], [])]).splitlines()
    frame, marker = lines[2], lines[3]
    assert len(frame) < 140 and frame.startswith("1 | ...") and "BAD]" in frame
    assert marker.index("^") == frame.index("BAD") and marker.endswith("^~~")


def test_a_long_line_cut_at_the_start_keeps_the_start():
    source = "k: [BAD, " + ", ".join(f"item{i}" for i in range(2000)) + "]\n"
    d = Diagnostic("GC103", "bad item", "a.yaml", Span(1, 5, 1, 8))
    frame, marker = render("text", [FileResult("a.yaml", source, [d], [])]).splitlines()[2:4]
    assert frame.startswith("1 | k: [BAD") and frame.endswith("...") and len(frame) < 140
    assert marker.index("^") == frame.index("BAD")


# -- -o into folders that do not exist yet -------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "check"),
    [
        (
            ["compile", EXAMPLES / "eth-hedge.yaml", "--quotes", EXAMPLES / "quotes.yaml"],
            lambda t: json.loads(t)["nodes"],
        ),
        (["graph", EXAMPLES / "eth-hedge.yaml", "-f", "mermaid"], lambda t: t.startswith("flowchart")),
        (["decompile", REPO / "tests" / "data" / "reference" / "full-graph.json"], lambda t: t.startswith("graphc: 1")),
        (["lint", EXAMPLES / "eth-hedge.yaml", "-f", "sarif"], lambda t: json.loads(t)["runs"]),
    ],
)
def test_output_into_a_missing_folder_creates_it(tmp_path, args, check):
    out = tmp_path / "reports" / "nested" / "out.txt"
    result = CliRunner().invoke(cli, [*map(str, args), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert check(out.read_text())


@pytest.mark.parametrize(
    "args",
    [
        ["compile", EXAMPLES / "eth-hedge.yaml", "--quotes", EXAMPLES / "quotes.yaml"],
        ["graph", EXAMPLES / "eth-hedge.yaml"],
        ["decompile", REPO / "tests" / "data" / "reference" / "full-graph.json"],
    ],
)
def test_output_that_cannot_be_written_is_exit_2_with_one_line(tmp_path, args):
    write(tmp_path, "file", "x")
    result = CliRunner().invoke(cli, [*map(str, args), "-o", str(tmp_path / "file" / "out.txt")])
    assert result.exit_code == 2 and "cannot write" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["compile", EXAMPLES / "eth-hedge.yaml", "--quotes", EXAMPLES / "quotes.yaml"],
        ["graph", EXAMPLES / "eth-hedge.yaml"],
        ["decompile", REPO / "tests" / "data" / "reference" / "full-graph.json"],
        ["lint", EXAMPLES / "eth-hedge.yaml", "-f", "json"],
    ],
)
@pytest.mark.parametrize("below", [["x.json"], ["deeper", "x.json"]])
def test_output_below_a_file_says_that_file_is_not_a_directory(tmp_path, monkeypatch, args, below):
    """hostile18 F6: `-o blocker/x.json` with `blocker` a regular file said "File exists" (and one level deeper
    "Not a directory", naming nothing)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "blocker", "a file where a folder should be")
    output = os.path.join("blocker", *below)
    result = CliRunner().invoke(cli, [*map(str, args), "-o", output])
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    assert line.startswith("graphc: cannot write ") and line.endswith(f" to {output}: blocker is not a directory")
    assert "File exists" not in result.output


# -- paths and control characters outside the diagnostics (audit ci.md #6) --------------------------


def _no_injected_line(*outputs: str):
    for output in outputs:
        for line in output.splitlines():
            assert not line.lstrip().startswith("::error file=x.yaml"), line
            assert not line.lstrip().startswith("::error::INJ"), line


@pytest.mark.parametrize("fmt", ["text", "github", "sarif"])
def test_a_line_break_in_a_folder_name_never_starts_a_line(tmp_path, fmt):
    folder = tmp_path / "e\n::error file=x.yaml::INJECTED"
    folder.mkdir()  # no file to lint in it: the summary line and a stderr warning name it
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", fmt, str(folder)])
    assert result.exit_code == 2
    assert "e\\n::error file=x.yaml::INJECTED (--allow-empty accepts this)" in result.stderr
    _no_injected_line(result.stdout, result.stderr)
    if fmt != "sarif":
        assert result.stdout.endswith("file in " + str(tmp_path) + "/e\\n::error file=x.yaml::INJECTED\n")


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_line_break_in_a_missing_file_name_never_starts_a_line(tmp_path, fmt):
    missing = tmp_path / "nope\n::error::INJ3.yaml"  # GC112 off: named on the summary line and on stderr
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", fmt, "--config", 'rules.GC112="off"', str(missing)])
    assert result.exit_code == 2
    said = f"nothing linted: {tmp_path}/nope\\n::error::INJ3.yaml not found\n"
    if fmt == "github":  # the file is annotated (audit ci24 3): `%0A` for the line break, `%3A` in the property
        said = (
            f"::error file={tmp_path}/nope%0A%3A%3Aerror%3A%3AINJ3.yaml,title=not read::{tmp_path}/nope%0A::error::"
            f"INJ3.yaml not found: not linted\n{said}"
        )
    assert result.stdout == said
    assert result.stderr == f"graphc: no such file or directory: {tmp_path}/nope\\n::error::INJ3.yaml\n"
    _no_injected_line(result.stdout, result.stderr)


CONTROL = "X\x1b]8;;https://evil.example/\x1b\\click\x1b[2K\x85\x0b\u2028"


def test_github_writes_control_characters_as_escapes(tmp_path):
    # docs/output-formats.md "Safe to print": no raw ESC, C1 (NEL), VT or U+2028 in a github report. (In a symbol,
    # such characters are GC103, whose message shows the symbol escaped already: audit wirelint23 3; a policy's
    # message shows the value as written.)
    policy = CONTROL.replace("\\", "\\\\").replace("\x1b", "\\e").replace("\x85", "\\N").replace("\x0b", "\\v")
    policy = policy.replace("\u2028", "\\L")  # YAML's own escapes for the characters
    text = f'graphc: 1\nname: x\nlegs:\n  a: {{buy: 1 BTC, symbol: BTC-USD, policy: "{policy}", limit: 1}}\n'
    path = write(tmp_path, "ctl.yaml", text)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "github", "--explain-skips", str(path)])
    assert "X\\x1b]8;;https://evil.example/\\x1b\\click\\x1b[2K\\x85\\x0b\\u2028" in result.stdout
    assert not any(ch in result.stdout for ch in "\x1b\x85\x0b\u2028"), repr(result.stdout)


def test_github_escaping_keeps_the_workflow_command_escapes():
    d = Diagnostic("GC103", "a\x1b[31m 100%\nb\u2028", "p\x1b.yaml", Span(1, 1), hint="h\x9bi")
    [line, _summary] = render("github", [FileResult("p\x1b.yaml", "", [d], [])]).splitlines()
    assert line == "::error file=p\\x1b.yaml,line=1,col=1,title=GC103::a\\x1b[31m 100%25%0Ab\\u2028%0Ahint: h\\x9bi"


def test_github_skip_notices_write_control_characters_as_escapes():
    from graphc.diagnostics import Skip

    skip = Skip("GC301", Span(2, 3), "no quote for X\x1b[2K\u2028y")
    out = render("github", [FileResult("a.yaml", "", [], [skip])], explain_skips=True)
    assert (
        out.splitlines()[0] == "::notice file=a.yaml,line=2,col=3,title=GC301 skipped::no quote for X\\x1b[2K\\u2028y"
    )


# -- a failed compile -o leaves no earlier graph that looks like this run's (audit cmds16 7a) -----------------


GOOD = "graphc: 1\nname: ok\nlegs:\n  a: {buy: 1, symbol: BTC-USD, limit: 97000}\n"


@pytest.mark.parametrize(
    ("broken", "args", "code"),
    [
        ("graphc: 1\nname: ok\nlegs:\n  a: {buy: 1, symbol: BTC-USD, limit: bid - 1%}\n", ["--quotes", "q.yaml"], 1),
        ("graphc: 1\nname: ok\nlegs:\n  a: {buy: one, symbol: BTC-USD}\n", [], 1),
        (GOOD, ["--quotes", "missing.yaml"], 2),
    ],
)
def test_a_failed_compile_removes_the_earlier_output_file(tmp_path, broken, args, code):
    """`compile … -o f || true; submit f` would send the graph of an earlier run: a compile that fails removes f."""
    (tmp_path / "q.yaml").write_text("ETH-USD: {bid: 2325.10, ask: 2325.53}\n")
    playbook = write(tmp_path, "p.yaml", GOOD)
    first = run_graphc("compile", playbook, "-o", "out/r.json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads((tmp_path / "out" / "r.json").read_text())["nodes"]
    playbook.write_text(broken)
    again = run_graphc("compile", playbook, *args, "-o", "out/r.json", cwd=tmp_path)
    assert again.returncode == code, again.stderr
    assert not (tmp_path / "out" / "r.json").exists()
    assert "graphc: removed out/r.json (from an earlier run): the compile failed" in again.stderr.decode()


def test_a_failed_compile_leaves_what_is_not_a_regular_file_alone(tmp_path):
    playbook = write(tmp_path, "p.yaml", "graphc: 1\nname: ok\nlegs:\n  a: {buy: one, symbol: BTC-USD}\n")
    target = tmp_path / "kept.json"
    target.write_text("{}\n")
    (tmp_path / "link.json").symlink_to(target)
    failed = run_graphc("compile", playbook, "-o", "link.json", cwd=tmp_path)
    # (refused before the compile: graphc never writes through a link to a file, audit sec29 4)
    assert failed.returncode == 2 and target.read_text() == "{}\n" and (tmp_path / "link.json").is_symlink()
    assert "removed" not in failed.stderr.decode()
    assert "graphc: error: link.json is a symbolic link; graphc does not write through links" in failed.stderr.decode()


# -- file names that other commands print (sec16 8) ----------------------------------------------------------------
# fmt (--check, --diff, plain), decompile, plan, schedule and submit printed a file's name raw: a file pushed as
# `x\n::error title=PWNED::…\n.yaml` became a workflow command in a CI log, and an OSC sequence in a name drove
# the terminal. Each is now escaped as lint escapes it (graphc.report.one_line).

NEWLINE_NAME = "x\n::error title=PWNED::injected by filename\n.yaml"
ESCAPE_NAME = "z\x1b]0;title\x07.yaml"
SHOWN = {NEWLINE_NAME: "x\\n::error title=PWNED::injected by filename\\n.yaml", ESCAPE_NAME: "z\\x1b]0;title\\x07.yaml"}
UNFORMATTED = "graphc: 1\nname:   t\nlegs:\n  a: {buy: 1 ETH,   symbol: ETH-USD}\n"


def _named(tmp_path, name: str, text: str = UNFORMATTED) -> str:
    write(tmp_path, "graphc.toml", "")
    (tmp_path / "plays").mkdir(exist_ok=True)
    (tmp_path / "plays" / name).write_text(text, encoding="utf-8")
    return os.path.join("plays", name)


def _safe(*outputs: str) -> None:
    """No line starts a workflow command, and no raw control character but the line ends reaches the output."""
    for output in outputs:
        for line in output.splitlines():
            assert not line.lstrip().startswith("::"), repr(line)
        assert not any(ch in output for ch in "\x1b\x07"), repr(output)


def _invoke(tmp_path, *args):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        return CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("name", [NEWLINE_NAME, ESCAPE_NAME], ids=["newline", "osc"])
def test_fmt_check_escapes_a_file_name(tmp_path, name):
    _named(tmp_path, name)
    result = _invoke(tmp_path, "fmt", "--check", "plays")  # the walk finds it, as pre-commit's file list names it
    assert result.exit_code == 1, result.output
    assert result.stdout == f"would reformat plays/{SHOWN[name]}\n"
    _safe(result.stdout, result.stderr)


@pytest.mark.parametrize("name", [NEWLINE_NAME, ESCAPE_NAME], ids=["newline", "osc"])
def test_fmt_diff_escapes_a_file_name_in_its_headers(tmp_path, name):
    _named(tmp_path, name)
    result = _invoke(tmp_path, "fmt", "--diff", "plays")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [f"--- plays/{SHOWN[name]} (now)", f"+++ plays/{SHOWN[name]} (formatted)", "@@ -1,4 +1,4 @@"]
    _safe(result.stdout, result.stderr)


def test_fmt_diff_headers_of_a_plain_name_stay_a_unified_diff(tmp_path):
    _named(tmp_path, "p.yaml")
    result = _invoke(tmp_path, "fmt", "--diff", "plays/p.yaml")
    assert result.stdout.splitlines()[:2] == ["--- plays/p.yaml (now)", "+++ plays/p.yaml (formatted)"]


@pytest.mark.parametrize("name", [NEWLINE_NAME, ESCAPE_NAME], ids=["newline", "osc"])
def test_fmt_escapes_a_file_name_it_reformats(tmp_path, name):
    _named(tmp_path, name)
    result = _invoke(tmp_path, "fmt", "plays")
    assert result.exit_code == 0, result.output
    assert result.stderr == f"reformatted plays/{SHOWN[name]}\n"
    assert (tmp_path / "plays" / name).read_text(encoding="utf-8").startswith("graphc: 1\nname: t\n")
    _safe(result.stdout, result.stderr)


@pytest.mark.parametrize("name", [NEWLINE_NAME, ESCAPE_NAME], ids=["newline", "osc"])
def test_fmt_escapes_a_file_name_in_its_notes_and_failures(tmp_path, name):
    json_name = name.replace(".yaml", ".json")
    _named(tmp_path, json_name, "{}")
    broken = _named(tmp_path, name, "graphc: 1\nname: t\nlegs: [\n")
    result = _invoke(tmp_path, "fmt", os.path.join("plays", json_name), broken)
    assert f"graphc: note: plays/{SHOWN[name].replace('.yaml', '.json')}: not formatted" in result.stderr
    assert f"plays/{SHOWN[name]}:4:1: error GC100" in result.stderr  # the GC100 of the broken file, as lint reports it
    _safe(result.stdout, result.stderr)


@pytest.mark.parametrize("name", [NEWLINE_NAME, ESCAPE_NAME], ids=["newline", "osc"])
def test_decompile_escapes_a_file_name(tmp_path, name):
    path = _named(tmp_path, name)
    result = _invoke(tmp_path, "decompile", path)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"graphc: plays/{SHOWN[name]} is already a playbook; decompile reads wire JSON\n"
    _safe(result.stdout, result.stderr)


@pytest.mark.parametrize("name", [NEWLINE_NAME, ESCAPE_NAME], ids=["newline", "osc"])
def test_plan_escapes_a_file_name(tmp_path, name):
    path = _named(tmp_path, name)
    write(tmp_path, "q.yaml", "ETH-USD: {bid: 2000, ask: 2001}\n")
    result = _invoke(tmp_path, "plan", "--quotes", "q.yaml", path, "-o", path + ".plan.json")
    assert result.exit_code == 0, result.output
    assert f"plan for t (plays/{SHOWN[name]})" in result.stdout.splitlines()
    assert f"saved plan to plays/{SHOWN[name]}.plan.json; submit it with" in result.stdout
    _safe(result.stdout, result.stderr)


@pytest.mark.parametrize("name", [NEWLINE_NAME, ESCAPE_NAME], ids=["newline", "osc"])
@pytest.mark.parametrize("command", [["schedule"], ["bundle", "-o", "out"], ["submit"], ["plan"]])
def test_other_commands_escape_a_file_name_they_cannot_use(tmp_path, name, command):
    # schedule and bundle: a playbook with no `schedule:`; submit and plan: a file that is not there
    path = _named(tmp_path, name)
    if command[0] in ("submit", "plan"):
        path = path.replace(".yaml", ".missing.yaml")
    result = _invoke(tmp_path, *command, path)
    assert result.exit_code == 2, result.output
    assert "plays/" + SHOWN[name].split(".yaml")[0] in result.stderr, result.stderr
    _safe(result.stdout, result.stderr)


# -- every -o is compile's (rt19 3) ---------------------------------------------------------------------------------
# decompile -o, graph -o, plan -o and lint -o left an earlier run's file in place when they failed, so
# `graphc decompile g.json -o p.yaml; graphc submit p.yaml` submitted the previous playbook.

BAD_WIRE = '{"nodes":[{"node_id":"a"}],"edges":[]}\n'


@pytest.mark.parametrize(
    ("args", "command", "code"),
    [
        (["decompile", "bad.json"], "decompile", 1),
        (["graph", "bad.json"], "drawing", 1),
        (["plan", "bad.json"], "plan", 1),
        (["lint", "p.yaml", "--quotes", "missing.yaml"], "lint", 2),
    ],
)
def test_every_failed_output_removes_the_earlier_file(tmp_path, args, command, code):
    write(tmp_path, "bad.json", BAD_WIRE)
    write(tmp_path, "p.yaml", GOOD)
    stale = tmp_path / "out" / "old.txt"
    stale.parent.mkdir()
    stale.write_text("from an earlier run\n")
    failed = run_graphc(*args, "-o", "out/old.txt", cwd=tmp_path)
    assert failed.returncode == code, failed.stderr
    assert not stale.exists()
    assert f"graphc: removed out/old.txt (from an earlier run): the {command} failed" in failed.stderr.decode()


@pytest.mark.parametrize("earlier", [False, True])
def test_a_report_cut_short_by_a_full_disk_is_removed_as_this_runs_partial_file(tmp_path, earlier):
    """audit ci28 5: a report `-o` whose write failed mid-way (a full disk; here a file size limit, EFBIG) was
    removed, rightly, but said to be "from an earlier run" when no file was there before, or when this run had
    already emptied it: what was removed is the part this lint wrote."""
    import resource  # (POSIX only, as the limit is)

    write(tmp_path, "cycle.yaml", CYCLE)
    if earlier:
        (tmp_path / "r.sarif").write_text("from an earlier run\n")

    def cap_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))  # the SARIF log is several times that

    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    failed = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "cycle.yaml", "--no-cache", "-f", "sarif", "-o", "r.sarif"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        check=False,
        stdin=subprocess.DEVNULL,
        preexec_fn=cap_file_size,
    )
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.decode().splitlines() == [
        "graphc: cannot write the report to r.sarif: File too large",
        "graphc: removed r.sarif (partly written by this lint): the lint failed, so it must not read as its report",
    ]
    assert not (tmp_path / "r.sarif").exists()


def test_a_lint_report_with_findings_is_this_runs_and_kept(tmp_path):
    write(tmp_path, "bad.json", BAD_WIRE)
    (tmp_path / "r.txt").write_text("from an earlier run\n")
    linted = run_graphc("lint", "bad.json", "--no-cache", "-o", "r.txt", cwd=tmp_path)
    assert linted.returncode == 1, linted.stderr
    assert "GC104" in (tmp_path / "r.txt").read_text() and "removed" not in linted.stderr.decode()


@pytest.mark.parametrize("command", ["compile", "decompile", "plan"])
def test_a_failed_command_never_removes_the_file_it_read(tmp_path, command):
    """`graphc compile p.yaml -o p.yaml` that failed removed p.yaml itself: the input is not an earlier output. (It is
    refused before the command runs now, below.)"""
    source = write(
        tmp_path,
        "in.yaml" if command == "compile" else "in.json",
        BAD_WIRE if command != "compile" else "graphc: 1\nname: ok\nlegs:\n  a: {buy: one, symbol: BTC-USD}\n",
    )
    before = source.read_bytes()
    failed = run_graphc(command, source.name, "-o", source.name, cwd=tmp_path)
    assert failed.returncode == 2, failed.stderr
    assert source.read_bytes() == before and "removed" not in failed.stderr.decode()


# -- -o naming an input (audit graph27 4) ------------------------------------------------------------------------
# `graphc graph p.yaml -o p.yaml` replaced the playbook with its picture, exit 0 (compile, decompile, lint and plan
# the same): one slip of a token lost the source. An -o that is the same file as an input (any spelling, a hard link,
# a symlink) is refused before anything is written, exit 2, naming both; `fmt` writes in place on purpose.

SAME_FILE_COMMANDS = {
    "graph": (["graph", "p.yaml"], "picture"),
    "compile": (["compile", "p.yaml"], "graph"),
    "plan": (["plan", "p.yaml", "--quotes", "q.yaml"], "plan"),
    "lint": (["lint", "--no-cache", "other.yaml", "p.yaml"], "report"),
    "decompile": (["decompile", "w.json"], "playbook"),
    "graph --quotes": (["graph", "p.yaml", "--quotes", "q.yaml"], "picture"),
}


@pytest.mark.parametrize("spelling", ["same", "dot-slash", "absolute", "hard-link", "symlink"])
@pytest.mark.parametrize("command", list(SAME_FILE_COMMANDS))
def test_an_output_that_is_an_input_is_refused_and_the_input_left_whole(tmp_path, command, spelling):
    write(tmp_path, "p.yaml", GOOD)
    write(tmp_path, "other.yaml", GOOD)
    write(tmp_path, "q.yaml", "BTC-USD: {bid: 96000, ask: 96001}\n")
    assert run_graphc("compile", "p.yaml", "-o", "w.json", cwd=tmp_path).returncode == 0
    args, what = SAME_FILE_COMMANDS[command]
    source = args[-1] if command != "graph --quotes" else "q.yaml"
    before = {name: (tmp_path / name).read_bytes() for name in ("p.yaml", "other.yaml", "q.yaml", "w.json")}
    output = {
        "same": source,
        "dot-slash": f"./{source}",
        "absolute": str(tmp_path / source),
        "hard-link": "hard.out",
        "symlink": "soft.out",
    }[spelling]
    os.link(tmp_path / source, tmp_path / "hard.out")
    (tmp_path / "soft.out").symlink_to(source)
    refused = run_graphc(*args, "-o", output, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.decode() == (
        f"graphc: error: -o {output} is the same file as the input {source}: the {what} would replace it; nothing "
        "was written (give -o another file)\n"
    )
    assert refused.stdout == b""
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert run_graphc(*args, "-o", "elsewhere.out", cwd=tmp_path).returncode in (0, 1)  # another file: written


def test_fmt_still_writes_in_place(tmp_path):
    path = write(tmp_path, "p.yaml", "graphc: 1\nname: ok\nlegs:\n  a: {buy: 1,   symbol: BTC-USD, limit: 97000}\n")
    assert run_graphc("fmt", "p.yaml", cwd=tmp_path).returncode == 0
    assert "buy: 1,   symbol" not in path.read_text()


# -- legacy workflow commands, `##[cmd]data` anywhere in a line (audit reports26 1) ------------------------------
# The GitHub Actions runner reads `::cmd::` only at the start of a line but `##[cmd]` anywhere in one, on stdout and
# stderr alike: `##[stop-commands]token` in a name stopped every later annotation (and `::add-mask::`). Every text
# route writes it `##\[` (graphc.diagnostics.no_log_command, through one_line, inert and escape_controls).

LOG_COMMAND_NAME = "z##[stop-commands]tok.yaml"
LOG_COMMANDS = 'graphc: 1\nname: "x ##[error title=fake]all clear"  # ##[error]in a comment\nlegs:\n' + "".join(
    f'  l{i}: {{buy: "##[stop-commands]y{i}", symbol: BTC-USD}}  # ##[warning]c{i}\n' for i in range(12)
)


def _no_log_command(*outputs: str) -> None:
    for output in outputs:
        for line in output.splitlines():
            assert "##[" not in line, repr(line)


@pytest.mark.parametrize("fmt", ["text", "github", "junit"])
def test_a_legacy_workflow_command_is_never_written_raw(tmp_path, fmt):
    write(tmp_path, LOG_COMMAND_NAME, LOG_COMMANDS)  # 13 errors: past github's 10 annotations, so plain lines too
    missing = tmp_path / "##[error]nope.yaml"  # GC112 off: named on stderr, the summary line and (github) a `not read`
    result = run_graphc(
        "lint", "--no-cache", "-f", fmt, "--config", 'rules.GC112="off"', LOG_COMMAND_NAME, missing.name, cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    _no_log_command(stdout, stderr)
    assert "'##\\[stop-commands]y11' as a quantity" in stdout  # shown, so a person still reads it
    assert "z##\\[stop-commands]tok.yaml" in stdout and "##\\[error]nope.yaml" in stderr
    if fmt == "text":
        assert 'name: "x ##\\[error title=fake]all clear"  # ##\\[error]in a comment' in stdout  # the code frame
    if fmt == "github":
        plain = [line for line in stdout.splitlines() if line.startswith("z##\\[stop-commands]tok.yaml:")]
        assert len(plain) == 3, stdout  # past the 10th error annotation


def test_a_legacy_workflow_command_split_by_the_marker_is_still_escaped():
    """The code frame escapes the text before, at and after the column apart: a `##` before it and a `[` at it
    meet only there, and are written `##\\[` with the marker kept under the `[`."""
    from graphc.report.text import format_diagnostic

    line = "name: ##[error]x"
    d = Diagnostic(code="GC103", severity="error", message="m", path="p.yaml", span=Span(1, 9, 1, 10))
    frame = format_diagnostic(d, [line])
    assert frame[2] == "1 | name: ##\\[error]x"
    assert frame[3].index("^") == frame[2].index("[")
    _no_log_command(*frame)


def test_router_text_never_writes_a_legacy_workflow_command():
    from graphc.api.redact import clean

    assert clean("venue said ##[stop-commands]x") == "venue said ##\\[stop-commands]x"


# -- a command line click rejects, before the command runs (audit reports26 2) -------------------------------------
# removes_stale_output wraps the command's body; click's usage errors (an unknown option, a bad --format or -j, a
# missing argument) come from parsing, before it: `compile p.yaml -o g.json --bogus || true; submit g.json` sent the
# earlier graph. The parse step (StaleOutputCommand) removes it too.

STALE_COMMANDS = {"lint": "lint", "compile": "compile", "plan": "plan", "decompile": "decompile", "graph": "drawing"}


@pytest.mark.parametrize("command", list(STALE_COMMANDS))
@pytest.mark.parametrize("output", [["-o", "old.out"], ["-oold.out"], ["--output", "old.out"], ["--output=old.out"]])
def test_a_rejected_command_line_removes_the_earlier_output(tmp_path, command, output):
    write(tmp_path, "p.yaml", GOOD)
    stale = write(tmp_path, "old.out", "from an earlier run\n")
    failed = run_graphc(command, "p.yaml", *output, "--bogus-option", cwd=tmp_path)
    assert failed.returncode == 2, failed.stderr
    assert not stale.exists()
    said = failed.stderr.decode()
    assert said.startswith(f"graphc: removed old.out (from an earlier run): the {STALE_COMMANDS[command]} failed")
    assert "No such option '--bogus-option'" in said


@pytest.mark.parametrize(
    "args",
    [
        ["lint", "p.yaml", "-f", "sarif", "-o", "old.out", "-j", "zero"],
        ["lint", "p.yaml", "--format", "nope", "-o", "old.out"],
        ["compile", "-o", "old.out"],  # the playbook missing
    ],
    ids=["bad-jobs", "bad-format", "missing-argument"],
)
def test_every_usage_error_of_the_parse_removes_the_earlier_output(tmp_path, args):
    write(tmp_path, "p.yaml", GOOD)
    stale = write(tmp_path, "old.out", "from an earlier run\n")
    failed = run_graphc(*args, cwd=tmp_path)
    assert failed.returncode == 2, failed.stderr
    assert not stale.exists() and "graphc: removed old.out (from an earlier run)" in failed.stderr.decode()


@pytest.mark.parametrize(
    "args",
    [
        ["compile", "p.yaml", "--bogus"],  # no -o
        ["compile", "p.yaml", "-o", "link.out", "--bogus"],  # a link, not a regular file
        ["compile", "p.yaml", "-o", "dir.out", "--bogus"],  # a folder
        ["compile", "old.out", "-o", "old.out", "--bogus"],  # what it reads
        ["compile", "--quotes=old.out", "p.yaml", "-o", "old.out", "--bogus"],  # what it reads, as --opt=value
        ["lint", "--bogus", "--", "p.yaml", "-o", "old.out"],  # after --: a path, not -o
        ["lint", "--stdin-filename", "-oold.out", "--bogus", "-"],  # another option's value
    ],
)
def test_a_rejected_command_line_leaves_the_rest_alone(tmp_path, args):
    write(tmp_path, "p.yaml", GOOD)
    stale = write(tmp_path, "old.out", "from an earlier run\n")
    (tmp_path / "link.out").symlink_to(stale)
    (tmp_path / "dir.out").mkdir()
    failed = run_graphc(*args, cwd=tmp_path)
    assert failed.returncode == 2, failed.stderr
    assert stale.read_text() == "from an earlier run\n" and (tmp_path / "link.out").is_symlink()
    assert (tmp_path / "dir.out").is_dir() and "removed" not in failed.stderr.decode()


def test_every_command_that_removes_a_stale_output_removes_it_on_a_usage_error_too():
    """removes_stale_output covers the body, StaleOutputCommand the parse: a command needs both."""
    from graphc.cli import cli as group
    from graphc.commands.common import StaleOutputCommand

    ctx = click.Context(group)
    decorated = {
        name
        for name in group.list_commands(ctx)
        if hasattr(getattr(group.get_command(ctx, name), "callback", None), "stale_output")
    }
    assert decorated == set(STALE_COMMANDS)
    assert all(isinstance(group.get_command(ctx, name), StaleOutputCommand) for name in decorated)
