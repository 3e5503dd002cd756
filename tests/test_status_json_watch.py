"""`graphc status G --json --watch` printed one answer (`"status": "active"`) and exited 0 for a graph still
trading: --watch, and --timeout with it, were dropped without a word (audit status28 7). A script that added
--json to a --watch call read exit 0 as done. Now a usage error, exit 2, before the router is asked anything."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sandbox_fixture import _pythonpath

# nothing listens there: the usage error comes first
ENV = {"PYTHONPATH": _pythonpath(), "SEQUENCE_API_URL": "http://127.0.0.1:9", "GRAPHC_CREDENTIALS": "/nonexistent"}


@pytest.mark.parametrize(
    ("extra", "option"),
    [(["--watch"], "--watch"), (["--watch", "--timeout", "1s"], "--watch"), (["--timeout", "1s"], "--timeout")],
    ids=["watch", "watch-timeout", "timeout"],
)
def test_status_json_with_watch_or_timeout_is_a_usage_error(extra, option):
    done = subprocess.run(
        [sys.executable, "-m", "graphc", "status", "graph_0123", "--json", *extra],
        env=ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert f"Error: --json goes without {option}: --json prints the router's answer once, for programs; --watch " in (
        done.stderr
    ), done.stderr


def test_status_help_says_json_goes_without_watch():
    done = subprocess.run(
        [sys.executable, "-m", "graphc", "status", "--help"], env=ENV, capture_output=True, text=True, timeout=60
    )
    assert "--json prints the answer once and goes without --watch" in " ".join(done.stdout.split())
