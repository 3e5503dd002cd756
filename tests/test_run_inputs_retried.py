"""`graphc run`: an occurrence whose quotes file or graphc.toml cannot be used is `lint_failed`, and retried.

Audit hosted24 1: in `--loop`, a `--quotes FILE` that could not be read at an occurrence (a fetcher between its
delete and its create), a snapshot with an error (GC105: a crossed book) or a half-edited graphc.toml made the
occurrence `refused`, which the loop dropped: never tried again within its catch-up, never logged `missed`. A lost
trade with no line saying so. docs/recurring.md promises a retry for "a failed occurrence (lint errors, no quote
...)" and for "an edit left half-done"; `refused` is for the live gate and bad settings. Now each of these is
`lint_failed` (nothing sent), tried again every --retry seconds while within catch_up, then `missed`.

Against `graphc sandbox serve --ignore-idempotency-key` (a real server process, real HTTP). The loop runs in this
process on a rehearsal clock whose sleep is the hook where the files are broken and mended.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphc.api.client import Client
from graphc.run import Clock, EventLog, Runner, RunSettings

PLAYBOOK = """\
graphc: 1
name: weekly
schedule: {cron: "0 14 * * MON", catch_up: 2h}
legs:
  a: {buy: $500, symbol: BTC-USD, venue: coinbase, limit: ask + 1 tick}
"""
GOOD = "BTC-USD: {bid: 97250.00, ask: 97251.00, tick: 0.01}\n"
CROSSED = "BTC-USD: {bid: 97252.00, ask: 97251.00, tick: 0.01}\n"
CONFIG = '[markets."BTC-USD"]\ntick = "0.01"\n'
KEY = "weekly@2026-01-05T14:00Z"


@pytest.fixture
def sandbox(btc_router):
    return btc_router


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "w.yaml").write_text(PLAYBOOK)
    (tmp_path / "q.yaml").write_text(GOOD)
    (tmp_path / "graphc.toml").write_text(CONFIG)
    return tmp_path


def break_input(project: Path, how: str) -> None:
    if how == "quotes-missing":  # a fetcher between its delete and its create
        (project / "q.yaml").rename(project / "q.bak")
    elif how == "quotes-crossed":
        (project / "q.yaml").write_text(CROSSED)
    else:  # graphc.toml half-edited: a table header without its `]`
        (project / "graphc.toml").write_text('[markets."BTC-USD"\ntick = "0.01"\n')


def mend_input(project: Path, how: str) -> None:
    if how == "quotes-missing":
        (project / "q.bak").rename(project / "q.yaml")
    elif how == "quotes-crossed":
        (project / "q.yaml").write_text(GOOD)
    else:
        (project / "graphc.toml").write_text(CONFIG)


def run_loop(sandbox, project: Path, at_sleep: dict) -> list[dict]:
    """`run --loop --quotes q.yaml --retry 1800` from 13:59:30 on Monday 5 January 2026 (the 14:00 occurrence's
    catch-up is 2h); ``at_sleep[n]()`` runs at the loop's n-th sleep (the first is the wait for 14:00). It stops
    once the occurrence is submitted or missed, or after 8 sleeps (the current code slept to the next week)."""
    stream = io.StringIO()
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) in at_sleep:
            at_sleep[len(sleeps)]()

    env = sandbox.env()
    runner = Runner(
        RunSettings(playbook=str(project / "w.yaml"), quotes=str(project / "q.yaml"), retry_s=1800, settle_s=0),
        lambda: Client.from_env(env),
        clock=Clock(datetime(2026, 1, 5, 13, 59, 30, tzinfo=UTC), sleep=sleep),
        log=EventLog(stream),
    )
    said = stream.getvalue
    code = runner.loop(stop=lambda: '"submitted"' in said() or '"missed"' in said() or len(sleeps) >= 8)
    assert code == 0, said()
    return [json.loads(line) for line in said().splitlines()]


def outcomes(log: list[dict]) -> list[str]:
    kinds = ("lint_failed", "refused", "retry", "submitted", "missed")
    return [e["event"] for e in log if e["event"] in kinds]


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("quotes-missing", "cannot read quotes file"),
        ("quotes-crossed", "GC105 quote BTC-USD: crossed"),
        ("config", "graphc.toml:1:"),
    ],
)
def test_an_input_broken_at_an_occurrence_and_mended_within_catch_up_is_submitted_once(sandbox, project, how, said):
    log = run_loop(sandbox, project, {1: lambda: break_input(project, how), 2: lambda: mend_input(project, how)})
    assert outcomes(log) == ["lint_failed", "retry", "submitted"], log
    (failed,) = [e for e in log if e["event"] == "lint_failed"]
    assert failed["run_key"] == KEY and said in failed["message"], failed
    (retry,) = [e for e in log if e["event"] == "retry"]
    assert retry == {**retry, "occurrence": "2026-01-05T14:00:00Z", "at": "2026-01-05T14:30:00Z"}
    (submitted,) = [e for e in log if e["event"] == "submitted"]
    assert submitted["run_key"] == KEY
    assert [g["graph_id"] for g in sandbox.graphs()] == [submitted["graph_id"]]


@pytest.mark.parametrize("how", ["quotes-missing", "quotes-crossed", "config"])
def test_an_input_never_mended_is_retried_until_its_catch_up_ends_then_missed(sandbox, project, how):
    log = run_loop(sandbox, project, {1: lambda: break_input(project, how)})
    # tried at 14:00, 14:30, 15:00, 15:30 and 16:00 (2h: catch_up is inclusive); 16:30 would be past it
    assert outcomes(log) == ["lint_failed", "retry"] * 4 + ["lint_failed", "missed"], log
    (missed,) = [e for e in log if e["event"] == "missed"]
    assert missed["run_key"] == KEY and missed["occurrence"] == "2026-01-05T14:00:00Z"
    assert sandbox.graphs() == [] and not sandbox.requests("POST", "/v1/orders")


def test_once_with_a_crossed_snapshot_is_lint_failed_exit_1(sandbox, project):
    """The real command: `--once` gives what `lint_failed` gives (exit 1), not `refused`."""
    (project / "q.yaml").write_text(CROSSED)
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", "w.yaml", "--once", "--now", "2026-01-05T14:20:00Z"]
        + ["--quotes", "q.yaml", "--settle", "0"],
        capture_output=True,
        text=True,
        env=sandbox.env(),
        cwd=project,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    log = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["event"] for e in log][-1] == "lint_failed", log
    assert "q.yaml:1:" in log[-1]["message"] and "GC105" in log[-1]["message"]
    assert sandbox.graphs() == []
