"""`graphc lint -j N` workers never outlive their parent (audit ci28 2).

A parent killed with SIGKILL (what ``subprocess.run(..., timeout=)`` and many editor and hook runners do on a
timeout) or SIGTERM (``kill PID``) left its pool's workers reparented to init and blocked forever: one writing to
a results pipe nobody reads, the other on the queue's lock. Now each worker dies with its parent (on Linux the
kernel's parent-death signal, elsewhere a thread that checks its parent each second), and the parent stops its
workers on SIGTERM and exits 143 without a word.

Real processes: graphc runs as its own program, with one fault injected into the real code (as in
test_integrations): linting a file records the worker's pid and then takes a minute, so the run is still linting,
in every worker, when the test kills the parent.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO

PLAYBOOK = "graphc: 1\nname: p{n}\nlegs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, limit: 2000}}\n"

# graphc whose lint of a file first says which worker took it (a file named by its pid in MARKS), then hangs
SLOW_GRAPHC = """
import os, sys, time
import graphc.commands.lint as lint
def lint_path(*args, **kwargs):
    open(os.path.join(os.environ["MARKS"], str(os.getpid())), "w").close()
    time.sleep(60)
lint.lint_path = lint_path
if os.environ.get("NO_PDEATHSIG"):  # a system without the parent-death signal: the worker watches its parent
    lint._die_with_parent = lambda: False
from graphc.cli import main
main(sys.argv[1:])
"""


def _gone(pid: int) -> bool:
    """The process ended (a zombie nobody has reaped yet has ended too)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the system
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


def _wait_for(condition, limit_s: float, step_s: float = 0.02) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


@pytest.fixture
def slow_run(tmp_path):
    """Start ``lint -j 2`` over four playbooks; returns (the parent, the two workers' pids) once both are linting."""
    started: list[subprocess.Popen] = []
    workers: list[int] = []
    marks = tmp_path / "marks"
    marks.mkdir()
    plays = tmp_path / "plays"
    plays.mkdir()
    (tmp_path / ".git").mkdir()
    for n in range(4):
        (plays / f"p{n}.yaml").write_text(PLAYBOOK.format(n=n))

    def start(**env):
        parent = subprocess.Popen(
            [sys.executable, "-c", SLOW_GRAPHC, "lint", "plays", "-j", "2", "--no-cache"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1", "MARKS": str(marks), **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        started.append(parent)
        assert _wait_for(lambda: len(os.listdir(marks)) == 2 or parent.poll() is not None, 60), "no worker started"
        assert parent.poll() is None, parent.communicate()
        workers.extend(int(name) for name in os.listdir(marks))
        assert parent.pid not in workers
        return parent, list(workers)

    yield start
    for pid in workers:  # whatever the test found, nothing it started is left behind
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)
    for parent in started:
        if parent.poll() is None:
            parent.kill()
        parent.communicate()


@pytest.mark.parametrize("pdeathsig", [True, False], ids=["parent-death signal", "watching the parent"])
def test_workers_end_when_their_parent_is_killed(slow_run, pdeathsig):
    if pdeathsig and not sys.platform.startswith("linux"):
        pytest.skip("the parent-death signal is Linux's")
    parent, workers = slow_run(**({} if pdeathsig else {"NO_PDEATHSIG": "1"}))
    parent.kill()  # SIGKILL: nothing of the parent's runs
    assert parent.wait(10) == -signal.SIGKILL
    # the kernel kills them at once; a watching thread looks each second
    assert _wait_for(lambda: all(_gone(pid) for pid in workers), 10), [p for p in workers if not _gone(p)]


def test_sigterm_stops_the_workers_and_exits_143_quietly(slow_run):
    parent, workers = slow_run()
    parent.send_signal(signal.SIGTERM)
    out, err = parent.communicate(timeout=10)
    assert parent.returncode == 143, err.decode()
    assert (out, err) == (b"", b"")
    assert _wait_for(lambda: all(_gone(pid) for pid in workers), 5), [p for p in workers if not _gone(p)]
