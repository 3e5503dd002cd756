"""An ``-o FILE`` that is a symbolic link is never written through (audit sec29 4).

A repository may hold a committed ``plan.json`` or ``out.sarif`` that links outside it; a CI step that writes there
truncated and overwrote the link's target (a dangling link made a new file wherever it pointed), and ``plan -o``
also set that file's mode to 0600. Such a link is refused before anything is written, exit 2, for every command's
``-o`` (one helper: graphc.files.open_output_file, which opens with O_NOFOLLOW); a link to a character device or a
FIFO (``-o /dev/stdout``, ``/dev/null``) is still written, as a person asked for it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sandbox_fixture import run_graphc

from tests.conftest import EXAMPLES, REPO

PLAYBOOK = "graphc: 1\nname: plain\nlegs:\n  e1:\n    buy: 0.5 BTC\n    symbol: BTC-USD\n    limit: 100\n"


def graphc(cwd: Path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "GRAPHC_NO_CACHE": "1"}
    env.pop("SEQUENCE_API_KEY", None)
    return run_graphc(args, env, cwd)  # (sandbox_fixture's one runner of graphc in a process)


@pytest.fixture
def repo(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "r"
    (root / ".git").mkdir(parents=True)
    (root / "c.yaml").write_text(PLAYBOOK)
    (root / "quotes.yaml").write_text((EXAMPLES / "quotes.yaml").read_text())
    (root / "wire.json").write_text(graphc(root, "compile", "c.yaml").stdout)
    return root, outside


COMMANDS = {
    "lint": ["lint", "c.yaml", "-f", "sarif"],
    "compile": ["compile", "c.yaml"],
    "plan": ["plan", "c.yaml", "--quotes", "quotes.yaml"],
    "graph": ["graph", "c.yaml"],
    "decompile": ["decompile", "wire.json"],
}


def refused(done: subprocess.CompletedProcess, name: str) -> bool:
    return done.returncode == 2 and (
        f"graphc: error: {name} is a symbolic link; graphc does not write through links (a repository may hold one"
        " pointing outside it): remove it, or name the file it points to"
    ) in " ".join(done.stderr.split())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_that_links_to_a_file_is_refused_and_the_file_is_left_as_it_was(repo, command):
    root, outside = repo
    victim = outside / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    (root / "out").symlink_to(victim)
    done = graphc(root, *COMMANDS[command], "-o", "out")
    assert refused(done, "out"), done.stderr
    assert victim.read_text() == "precious\n"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644  # plan -o made it 0600
    assert (root / "out").is_symlink()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_dangling_output_link_is_refused_and_makes_no_file(repo, command):
    root, outside = repo
    (root / "out").symlink_to(outside / "victim2.txt")
    done = graphc(root, *COMMANDS[command], "-o", "out")
    assert refused(done, "out"), done.stderr
    assert not (outside / "victim2.txt").exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_output_to_dev_stdout_and_dev_null_still_works(repo, command):
    root, _ = repo
    done = graphc(root, *COMMANDS[command], "-o", "/dev/stdout")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), command  # (stdout is a pipe here: the link's final target is a FIFO)
    if command != "plan":  # (graphc before sec29 4, run as root, made /dev/null 0600: the FIFO test below says it)
        done = graphc(root, *COMMANDS[command], "-o", "/dev/null")
        assert done.returncode == 0, done.stderr


def test_plan_written_through_a_link_to_a_fifo_leaves_its_mode(repo):
    """`plan -o` made the file it opened 0600 whatever it was: through a link, or a device (run as root, `-o
    /dev/null` made /dev/null 0600). A FIFO of the test's own stands for the device here."""
    root, outside = repo
    fifo = outside / "pipe"
    os.mkfifo(fifo, 0o644)
    os.chmod(fifo, 0o644)
    (root / "plan.json").symlink_to(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    done = graphc(root, "plan", "c.yaml", "--quotes", "quotes.yaml", "-o", "plan.json")
    reader.join(30)
    assert done.returncode == 0, done.stderr
    assert '"graphc_plan"' in got[0]
    assert stat.S_IMODE(fifo.stat().st_mode) == 0o644


def test_an_output_to_dev_stdout_redirected_to_a_file_is_its_own_stdout(repo):
    root, _ = repo
    target = root / "graph.json"
    with target.open("w") as out:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "graphc", "compile", "c.yaml", "-o", "/dev/stdout"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert '"nodes"' in target.read_text()


def test_a_plan_written_to_a_regular_file_is_still_made_private(repo):
    root, _ = repo
    (root / "plan.json").write_text("old\n")
    (root / "plan.json").chmod(0o644)
    done = graphc(root, "plan", "c.yaml", "--quotes", "quotes.yaml", "-o", "plan.json")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((root / "plan.json").stat().st_mode) == 0o600
    assert '"graphc_plan"' in (root / "plan.json").read_text()


def test_a_link_made_between_the_check_and_the_open_is_refused(tmp_path, monkeypatch):
    """O_NOFOLLOW on the open itself: the check passed (no link then), a link is there at the open."""
    from graphc import files

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    real_check = files.output_link_problem

    def check_then_link(path):
        answer = real_check(path)
        out.symlink_to(victim)  # (made after the check said there was none)
        return answer

    monkeypatch.setattr(files, "output_link_problem", check_then_link)
    with pytest.raises(files.LinkedOutput) as caught:
        files.open_output_file(out)
    assert "out is a symbolic link; graphc does not write through links" in caught.value.strerror
    assert victim.read_text() == "precious\n"
