"""A ``catch_up`` lint accepts never crashes the commands that send an occurrence (audit sched26 1).

Up to ``999999999d`` (a timedelta's range) is accepted; its end, the occurrence's time plus ``catch_up``, can be past
the year 9999, where ``occurrence + catch_up`` was an OverflowError (exit 4) in ``run``, ``plan``, ``submit`` and a
bundle's ``main.py``. :meth:`graphc.schedule.Schedule.catch_up_until` now holds such an end to the last time a
datetime holds: in effect, no end. Against ``graphc sandbox serve --port 0`` (a separate process, real HTTP).
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sandbox_fixture import cli_env, run_graphc, submitted_graphs

from graphc.schedule import CLOCK_MAX, Schedule, parse_cron
from tests.test_recurring_e2e import PYTHON, events, hosted_env, make_bundle

BIG = """\
graphc: 1
name: big
schedule:
  cron: "0 * * * *"
  timezone: UTC
  catch_up: {catch_up}
legs:
  a:
    buy: 0.01
    symbol: BTC-USD
    venue: coinbase
"""
LAST = datetime.max.replace(tzinfo=UTC)
# (the catch_up, the --now): the audit's, in 2026 and at the end of the --now range
CASES = [
    ("999999999d", "2026-01-01T00:30:00Z"),
    ("2920000d", "2026-01-01T00:30:00Z"),
    ("400000d", "8999-01-01T00:30:00Z"),
]


@pytest.fixture
def router(btc_router):
    return btc_router  # BTC-USD at 97,250.50, no waiting (sandbox_fixture)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    return root


def write(project, catch_up: str) -> str:
    (project / "big.yaml").write_text(BIG.format(catch_up=catch_up))
    return "big.yaml"


def no_crash(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode != 4, proc.stdout + proc.stderr
    assert "internal error" not in proc.stderr and "OverflowError" not in proc.stdout + proc.stderr


def occurrence_of(now: str) -> str:
    return f"big@{now[:13]}:00Z"


@pytest.mark.parametrize(("catch_up", "now"), CASES)
def test_run_once_sends_the_occurrence(router, project, catch_up, now):
    proc = run_graphc(
        ["run", write(project, catch_up), "--once", "--now", now, "--settle", "0"], cli_env(router), project
    )
    no_crash(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (submitted,) = [e for e in map(json.loads, proc.stdout.splitlines()) if e["event"] == "submitted"]
    assert submitted["run_key"] == occurrence_of(now)
    assert len(submitted_graphs(router)) == 1


@pytest.mark.parametrize(("catch_up", "now"), CASES)
def test_plan_then_submit_of_the_plan(router, project, catch_up, now):
    planned = run_graphc(["plan", write(project, catch_up), "--now", now, "-o", "plan.json"], cli_env(router), project)
    no_crash(planned)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    plan = json.loads((project / "plan.json").read_text())
    assert plan["run_key"] == occurrence_of(now)
    assert plan["catch_up_until"] > "2026"  # a real time (never in the past), at most 9999-12-31T23:59:59.999Z
    sent = run_graphc(["submit", "plan.json", "--settle", "0"], cli_env(router), project)
    no_crash(sent)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert len(submitted_graphs(router)) == 1


@pytest.mark.parametrize(("catch_up", "now"), CASES)
def test_submit_of_the_playbook(router, project, catch_up, now):
    proc = run_graphc(["submit", write(project, catch_up), "--now", now, "--settle", "0"], cli_env(router), project)
    no_crash(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"run key {occurrence_of(now)})" in proc.stdout
    assert len(submitted_graphs(router)) == 1


def test_the_bundles_main_py_sends_the_occurrence(router, tmp_path):
    bundle = make_bundle(tmp_path, BIG.format(catch_up="999999999d"))
    env = hosted_env(bundle, router, GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:20:00Z")
    proc = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)
    no_crash(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (submitted,) = [e for e in events(proc.stdout) if e["event"] == "submitted"]
    assert submitted["run_key"] == "big@2026-01-05T14:00Z"


@pytest.mark.parametrize("catch_up", [timedelta(days=999_999_999), timedelta(days=400_000), timedelta(hours=2)])
def test_the_end_of_the_catch_up_is_the_occurrence_plus_catch_up_or_the_last_time_a_datetime_holds(catch_up):
    schedule = Schedule(parse_cron("0 * * * *"), "UTC", catch_up)
    for occurrence in (datetime(2026, 1, 1, tzinfo=UTC), CLOCK_MAX.replace(minute=0, second=0)):
        decided_at = occurrence + timedelta(minutes=30)
        real = datetime(2026, 1, 1, 0, 40, tzinfo=UTC)  # the wall clock when it was decided (a rehearsal, or not)
        until = schedule.catch_up_until(occurrence, decided_at, real)
        left = catch_up - timedelta(minutes=30)
        assert until == (real + left if left < LAST - real else LAST)
