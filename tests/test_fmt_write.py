"""`graphc fmt` writing files: whole or not at all, never over an edit made meanwhile, never a crash (audit fmt22
1, 2); `--diff` that `patch` applies (fmt22 4); the directory walk's symlinks as lint's (fmt22 minor)."""

from __future__ import annotations

import ctypes
import os
import re
import resource
import select
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphc.cli import cli

UNSORTED = "name: x\ngraphc: 1\nlegs:\n  a:\n    symbol: ETH-USD\n    buy: 1 ETH\n"
SORTED = "graphc: 1\nname: x\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n"


def fmt(*args, input=None):
    return CliRunner().invoke(cli, ["fmt", *map(str, args)], input=input)


def graphc(*args, cwd, preexec_fn=None, prefix=()):
    """The real CLI in a process of its own (a file-size limit, dropped privileges), as a user runs it."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "graphc", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        preexec_fn=preexec_fn,
        timeout=120,
    )


def big_playbook(legs: int, limit: str = "$10m") -> str:
    lines = ["graphc: 1", "name: big", "risk:", f"  max_notional: {limit}", "legs:"]
    for i in range(legs):
        lines += [f"  l{i}:", "    symbol: ETH-USD", "    buy: 1 ETH"]  # symbol before buy: fmt reorders every leg
    return "\n".join(lines) + "\n"


def leftovers(folder: Path) -> list[str]:
    """Files in ``folder`` other than the test's own: a temporary file fmt did not remove."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- fmt22 2: a file that cannot be written ------------------------------------------------------


def without_write_override() -> tuple[str, ...]:
    """A command prefix under which file permissions hold: as root, setpriv drops CAP_DAC_OVERRIDE (root keeps
    its uid, so the interpreter under /root stays readable); as anyone else, nothing is needed."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: file permissions cannot be made to hold")
    caps = "-dac_override,-dac_read_search"
    return ("setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}")


def test_a_read_only_file_is_gc112_cannot_write_exit_2_and_the_other_files_are_formatted(tmp_path):
    """fmt22 2a: a read-only file was `internal error: PermissionError`, exit 4, and the files after it were left
    unformatted."""
    for name in ("before.yaml", "ro.yaml", "after.yaml"):
        (tmp_path / name).write_text(UNSORTED)
    (tmp_path / "ro.yaml").chmod(0o444)
    result = graphc("fmt", "before.yaml", "ro.yaml", "after.yaml", cwd=tmp_path, prefix=without_write_override())
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr
    assert "ro.yaml: error GC112 cannot write the file: Permission denied\n  hint: " in result.stderr
    assert (tmp_path / "before.yaml").read_text() == (tmp_path / "after.yaml").read_text() == SORTED
    assert (tmp_path / "ro.yaml").read_text() == UNSORTED
    assert "reformatted before.yaml" in result.stderr and "reformatted after.yaml" in result.stderr
    assert "reformatted ro.yaml" not in result.stderr
    assert leftovers(tmp_path) == []


def test_a_file_in_a_folder_fmt_cannot_write_in_is_gc112_exit_2_and_left_as_it_was(tmp_path):
    """The new text goes to a temporary file beside the file: a folder that takes no new file is a cannot-write."""
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "p.yaml").write_text(UNSORTED)
    (tmp_path / "q.yaml").write_text(UNSORTED)
    folder.chmod(0o555)
    try:
        result = graphc("fmt", "locked/p.yaml", "q.yaml", cwd=tmp_path, prefix=without_write_override())
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "locked/p.yaml: error GC112 cannot write the file: Permission denied\n  hint: " in result.stderr
    assert (folder / "p.yaml").read_text() == UNSORTED and (tmp_path / "q.yaml").read_text() == SORTED
    assert leftovers(folder) == []


def test_a_write_cut_short_by_a_file_size_limit_leaves_the_playbook_whole(tmp_path):
    """fmt22 2b: `open(path, "w")` truncated the playbook first, then the write failed at the limit (EFBIG): the
    file was left cut mid-value, and fmt exited 4."""
    text = big_playbook(300)
    (tmp_path / "big.yaml").write_text(text)
    (tmp_path / "small.yaml").write_text(UNSORTED)
    limit = len(text.encode()) // 3

    def cap_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = graphc("fmt", "big.yaml", "small.yaml", cwd=tmp_path, preexec_fn=cap_file_size)
    assert result.returncode == 2, result.stderr
    assert "big.yaml: error GC112 cannot write the file: File too large\n  hint: " in result.stderr
    assert "internal error" not in result.stderr
    assert (tmp_path / "big.yaml").read_text() == text
    assert (tmp_path / "small.yaml").read_text() == SORTED
    assert leftovers(tmp_path) == []


def test_a_formatted_file_keeps_its_mode_and_a_named_link_stays_a_link(tmp_path):
    play = tmp_path / "p.yaml"
    play.write_text(UNSORTED)
    play.chmod(0o640)
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    (tmp_path / "real.yaml").write_text(UNSORTED)
    (tmp_path / "real.yaml").chmod(0o604)
    result = fmt(play, tmp_path / "link.yaml")
    assert result.exit_code == 0, result.output
    assert play.read_text() == SORTED and stat.S_IMODE(play.stat().st_mode) == 0o640
    assert (tmp_path / "link.yaml").is_symlink() and os.readlink(tmp_path / "link.yaml") == "real.yaml"
    assert (tmp_path / "real.yaml").read_text() == SORTED
    assert stat.S_IMODE((tmp_path / "real.yaml").stat().st_mode) == 0o604
    assert leftovers(tmp_path) == []


# -- fmt22 1: an edit made while fmt runs ------------------------------------------------------------

IN_CLOSE_NOWRITE = 0x10


def watch_reads(path: Path) -> int:
    """An inotify descriptor that becomes readable when a file opened to read ``path`` is closed (Linux)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_CLOEXEC)
    if fd < 0 or libc.inotify_add_watch(fd, os.fsencode(path), IN_CLOSE_NOWRITE) < 0:
        pytest.skip(f"inotify is not available here: {os.strerror(ctypes.get_errno())}")
    return fd


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify tells when fmt has read the file")
def test_an_edit_saved_while_fmt_formats_is_kept_and_the_file_is_not_written(tmp_path):
    """fmt22 1: fmt wrote the formatted text of what it had read over the user's edit saved meanwhile (a risk
    limit cut from $10m to $5k was put back), and said `reformatted`, exit 0.

    No timing decides the outcome: fmt reads the file once; the moment it closes it, the kernel says so
    (inotify), fmt is stopped (SIGSTOP), the edit is saved, and fmt goes on. Formatting 300 legs takes fmt far
    longer than the few instructions between that close and the stop."""
    path = tmp_path / "conc.yaml"
    path.write_text(big_playbook(300))
    edited = big_playbook(300, limit="$5k")
    watch = watch_reads(path)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "graphc", "fmt", "conc.yaml"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready, _, _ = select.select([watch], [], [], 60)
        assert ready, "fmt never read the file"
        os.kill(process.pid, signal.SIGSTOP)
        path.write_text(edited)  # as an editor saves it; fmt has read the old text and not written yet
        os.kill(process.pid, signal.SIGCONT)
        _, err = process.communicate(timeout=120)
    finally:
        os.close(watch)
    assert process.returncode == 2, err
    assert "graphc: conc.yaml: changed while fmt ran; not written, run fmt again" in err
    assert "reformatted" not in err
    assert path.read_text() == edited
    assert leftovers(tmp_path) == []
    again = fmt(path)  # and run again, it formats what is there now
    assert again.exit_code == 0 and "max_notional: $5k" in path.read_text()


# -- fmt22 4: --diff that patch applies ------------------------------------------------------------------


def apply_unified_diff(before: str, diff: str) -> str:
    """``before`` with the one-file unified ``diff`` applied, read as `patch` reads it: a line is what ends in
    ``\\n``, and `\\ No newline at end of file` takes the ``\\n`` off the line above it."""
    old = re.findall(r"[^\n]*\n|[^\n]+$", before)
    rows = re.findall(r"[^\n]*\n", diff)
    assert rows[0].startswith("--- ") and rows[1].startswith("+++ "), diff
    out: list[str] = []
    at, i = 0, 2
    while i < len(rows):
        hunk = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n$", rows[i])
        assert hunk, f"not a hunk header: {rows[i]!r}"
        start = int(hunk.group(1)) - (0 if hunk.group(2) == "0" else 1)
        out += old[at:start]
        at, i = start, i + 1
        while i < len(rows) and not rows[i].startswith("@@"):
            row = rows[i]
            if i + 1 < len(rows) and rows[i + 1] == "\\ No newline at end of file\n":
                row, i = row[:-1], i + 1
            kind, line = row[:1], row[1:]
            assert kind in " -+", f"not a diff line: {row!r}"
            if kind in " -":
                assert old[at] == line, f"context does not match: {old[at]!r} != {line!r}"
                at += 1
            if kind in " +":
                out.append(line)
            i += 1
    return "".join(out + old[at:])


ENDS = {
    "lf": ("\n", ""),
    "crlf": ("\r\n", ""),
    "cr": ("\r", ""),
    "no-final-newline": ("\n", "strip"),
    "crlf-no-final-newline": ("\r\n", "strip"),
}


@pytest.mark.parametrize("case", sorted(ENDS))
def test_the_diff_applies_and_gives_what_fmt_writes(tmp_path, case):
    """fmt22 4: for a file without a final newline the last `-` line and the `+` line were glued into one (no
    `\\ No newline at end of file`), and a lone-CR file's diff was one line ending in `\\r` only: `patch` refused
    both (`malformed patch`, `unexpected end of file in patch`)."""
    end, strip = ENDS[case]
    text = UNSORTED.replace("\n", end)
    text = text.rstrip(end) if strip else text
    path = tmp_path / "p.yaml"
    path.write_bytes(text.encode())
    result = CliRunner().invoke(cli, ["fmt", "--diff", str(path)])
    assert result.exit_code == 1, result.output
    diff = result.stdout_bytes.decode()
    written = tmp_path / "w.yaml"
    written.write_bytes(text.encode())
    assert fmt(written).exit_code == 0
    formatted = written.read_bytes().decode()
    assert formatted != text
    assert apply_unified_diff(text, diff) == formatted
    if shutil.which("patch"):
        (tmp_path / "p.diff").write_bytes(result.stdout_bytes)
        patched = subprocess.run(
            ["patch", "--binary", "-s", "p.yaml", "p.diff"], cwd=tmp_path, capture_output=True, text=True
        )
        assert patched.returncode == 0, patched.stdout + patched.stderr
        assert path.read_bytes() == formatted.encode()


def test_a_diff_of_several_files_applies_when_one_has_no_final_newline(tmp_path, monkeypatch):
    """fmt22 4: the glued last line ran into the next file's `---` header."""
    monkeypatch.chdir(tmp_path)
    Path("only-nl.yaml").write_text(SORTED.rstrip("\n"))  # canonical but for its final newline
    Path("second.yaml").write_text(UNSORTED)
    result = fmt("--diff", "only-nl.yaml", "second.yaml")
    assert result.exit_code == 1, result.output
    assert "-    symbol: ETH-USD\n\\ No newline at end of file\n+    symbol: ETH-USD\n--- second.yaml" in result.stdout
    if shutil.which("patch"):
        Path("all.diff").write_text(result.stdout)
        patched = subprocess.run(["patch", "-s", "-p0", "-i", "all.diff"], capture_output=True, text=True)
        assert patched.returncode == 0, patched.stdout + patched.stderr
        assert Path("only-nl.yaml").read_text() == Path("second.yaml").read_text() == SORTED


def test_a_line_separator_inside_a_value_does_not_split_the_diff_line(tmp_path):
    """The diff's lines are the file's (`\\n`), not whatever str.splitlines also splits on (U+2028 here, which
    fmt writes as its escape `\\L`)."""
    text = UNSORTED.replace("name: x", 'name: "x\u2028y"')
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["fmt", "--diff", str(path)])
    assert result.exit_code == 1, result.output
    assert '-name: "x\u2028y"\n' in result.stdout and '+name: "x\\Ly"\n' in result.stdout
    written = tmp_path / "w.yaml"
    written.write_text(text, encoding="utf-8")
    fmt(written)
    assert apply_unified_diff(text, result.stdout) == written.read_text(encoding="utf-8")


# -- fmt22 minor: symlinks in a directory walk ----------------------------------------------------


def test_a_walk_warns_about_a_link_out_of_the_project_and_lists_a_file_reached_twice_once(tmp_path, monkeypatch):
    """fmt passed silently over a link whose target is outside the project root (lint warns), and `--check`
    listed a file twice, once under a link to it: `would reformat plays/in.yaml`, `would reformat
    plays/link-in.yaml`, "2 file(s)"."""
    project, outside = tmp_path / "proj", tmp_path / "outside"
    (project / "plays").mkdir(parents=True)
    outside.mkdir()
    (project / "graphc.toml").write_text("")
    (project / "plays" / "in.yaml").write_text(UNSORTED)
    (outside / "o.yaml").write_text(UNSORTED)
    (project / "plays" / "link-in.yaml").symlink_to("in.yaml")
    (project / "plays" / "link-out.yaml").symlink_to("../../outside/o.yaml")
    monkeypatch.chdir(project)
    result = fmt("--check", "plays")
    assert result.exit_code == 1, result.output
    assert result.stdout == "would reformat plays/in.yaml\n"
    assert "1 file(s) would be reformatted" in result.stderr
    lint = CliRunner().invoke(cli, ["lint", "--no-cache", "plays"])
    warning = "graphc: warning: plays/link-out.yaml not read: a symlink to a file outside the project root"
    assert warning in lint.stderr
    assert warning + " (name a file to format it)" in result.stderr
    written = fmt("plays")
    assert written.exit_code == 0, written.output
    assert written.stderr.count("reformatted") == 1
    assert (project / "plays" / "in.yaml").read_text() == SORTED
    assert (project / "plays" / "link-in.yaml").is_symlink()
    assert (outside / "o.yaml").read_text() == UNSORTED


# -- a named playbook that is a link out of its repository (audit sec29 1 and 4; lead decision) ------------------

HIDDEN = UNSORTED.replace("name: x", "name: seq_live_TOPSECRET_0123456789")


@pytest.mark.parametrize("mode", [(), ("--check",), ("--diff",)])
def test_a_named_playbook_linked_out_of_the_repository_is_refused_never_written_or_shown(tmp_path, monkeypatch, mode):
    """fmt wrote through a named link to a file outside the repository (the file there reformatted), and --diff
    printed that file's lines: as an -o FILE that is a link (e016cd5), it is refused, exit 2, with a clear message,
    and nothing of the file is read, written or shown; the other files named are formatted as before."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    outside.mkdir()
    (outside / "o.yaml").write_text(HIDDEN)
    (repo / "p.yaml").symlink_to("../outside/o.yaml")
    (repo / "q.yaml").write_text(UNSORTED)
    monkeypatch.chdir(repo)
    result = fmt(*mode, "p.yaml", "q.yaml")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"graphc: p.yaml: not formatted: a symbolic link to {outside / 'o.yaml'}, outside the repository {repo};"
        " graphc fmt does not read or write a file through a link out of its repository: format the file it points"
        " to, or copy it into the repository\n"
    ), result.stderr
    assert "TOPSECRET" not in result.output and "p.yaml (now)" not in result.stdout
    assert (outside / "o.yaml").read_text() == HIDDEN and (repo / "p.yaml").is_symlink()
    assert (repo / "q.yaml").read_text() == (UNSORTED if mode else SORTED)  # the others: as before
    assert ("q.yaml (now)" in result.stdout) == (mode == ("--diff",))


def test_a_named_playbook_linked_to_another_project_of_the_same_repository_is_formatted_through_the_link(
    tmp_path, monkeypatch
):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "app").mkdir()
    (repo / "shared").mkdir()
    (repo / "app" / "graphc.toml").write_text("")  # app/ is a project of its own: shared/ is outside it
    (repo / "shared" / "p.yaml").write_text(UNSORTED)
    (repo / "app" / "p.yaml").symlink_to("../shared/p.yaml")
    monkeypatch.chdir(repo)
    diff = fmt("--diff", "app/p.yaml")
    assert diff.exit_code == 1 and "app/p.yaml (formatted)" in diff.stdout, diff.output
    written = fmt("app/p.yaml")
    assert written.exit_code == 0, written.output
    assert (repo / "app" / "p.yaml").is_symlink() and (repo / "shared" / "p.yaml").read_text() == SORTED
