"""graphc's pause of the garbage collector never shows or leaves a host's threads a collector state they did not set
(audit embed29 2).

The pause (graphc.pipeline.gc_paused) turned the process-wide collector off for every compile and on again after:
a host thread that turned it off meanwhile found it on, and other threads saw it off. It is now taken only where no
other thread can see it: the caller is the only Python thread and the collector is on. A profile hook on the thread
that calls graphc stops it at its first ``compile_document`` (inside the work, inside any pause), so the host acts
while the call is surely in flight.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sandbox_fixture import REPO, _pythonpath

import graphc

TEXT = "graphc: 1\nname: a\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD}\n  y: {sell: 1 ETH, symbol: ETH-USD, after: x filled}\n"


def _calls(tmp: Path):
    playbook = tmp / "p.yaml"
    playbook.write_text(TEXT)
    return {
        "compile_text": lambda: graphc.compile_text(TEXT),
        "lint_text": lambda: graphc.lint_text(TEXT),
        "compile_file": lambda: graphc.compile_file(playbook),
        "lint_file": lambda: graphc.lint_file(playbook),
    }


CALLS = ["compile_text", "lint_text", "compile_file", "lint_file"]


def _in_a_thread(call, inside):
    """Run ``call`` in a new thread; ``inside()`` runs in this thread while that one is held in the work."""
    reached, done = threading.Event(), threading.Event()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "compile_document" and not reached.is_set():
            reached.set()
            assert done.wait(10)

    def worker():
        sys.setprofile(profile)
        try:
            call()
        finally:
            sys.setprofile(None)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert reached.wait(10), "the call never reached compile_document"
        return inside()
    finally:
        done.set()
        thread.join(10)


@pytest.mark.parametrize("name", CALLS)
def test_a_host_threads_gc_disable_during_a_call_is_kept(name, tmp_path):
    assert gc.isenabled()
    try:
        seen = _in_a_thread(_calls(tmp_path)[name], lambda: (gc.isenabled(), gc.disable()))
        assert seen[0] is True  # the host never sees the collector off because of graphc
        assert gc.isenabled() is False  # its own gc.disable(), not undone by the call's end
    finally:
        gc.enable()


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize("enabled", [True, False])
def test_a_call_from_a_multi_threaded_host_leaves_the_collector_alone(name, enabled, tmp_path):
    call = _calls(tmp_path)[name]
    idle = threading.Event()
    other = threading.Thread(target=idle.wait)  # a host thread that does nothing: the host is multi-threaded
    other.start()
    seen: list[bool] = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "compile_document":
            seen.append(gc.isenabled())

    try:
        (gc.enable if enabled else gc.disable)()
        sys.setprofile(profile)
        try:
            call()
        finally:
            sys.setprofile(None)
        assert seen and set(seen) == {enabled}  # during the call, as the host set it
        assert gc.isenabled() is enabled  # and after
    finally:
        idle.set()
        other.join()
        gc.enable()


SINGLE = r"""
import gc, sys, graphc
seen = []
def profile(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "compile_document":
        seen.append(gc.isenabled())
text = sys.argv[2]
for enabled in (True, False):
    (gc.enable if enabled else gc.disable)()
    sys.setprofile(profile)
    getattr(graphc, sys.argv[1])(text)
    sys.setprofile(None)
    print(enabled, set(seen), gc.isenabled())
    seen.clear()
"""


@pytest.mark.parametrize("name", ["compile_text", "lint_text"])
def test_the_only_thread_with_the_collector_on_still_pauses_it(name):
    # the CLI's case, and a single-threaded host's: paused for the work, on again after; a collector the program
    # turned off stays off
    proc = subprocess.run(
        [sys.executable, "-c", SINGLE, name, TEXT],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(REPO),
        env={"PYTHONPATH": _pythonpath(), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["True {False} True", "False {False} False"]
