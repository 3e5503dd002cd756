"""NaN and infinity are no number of seconds: every seconds (float) option refuses them as a usage error, exit 2
(audit recur23 4).

click's FloatRange lets `nan` through (every comparison with NaN is false), so `--settle nan` crashed `run --once`,
`run --loop` at its first occurrence and `submit` of a scheduled playbook with exit 4 ("cannot convert float NaN
to integer"), and `--max-age nan` turned off the re-pricing of live quotes without a word (`age > nan` is never
true). One click type (graphc.commands.common.FiniteFloat) refuses them in every such option; the submission
library's seconds (docs/api.md) refuse them too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from graphc.submit import Refused, Reprice, prepare
from tests.conftest import REPO, invoke, write

PLAYBOOK = """\
graphc: 1
name: e1
schedule: {cron: "0 * * * *", catch_up: 30m}
legs:
  a: {buy: 0.5 ETH, symbol: ETH-USD, venue: coinbase, limit: 2300}
"""
# a router on the loopback needs no key; nothing reaches it (the option is refused first)
ENV = {"SEQUENCE_API_URL": "http://127.0.0.1:9", "GRAPHC_CREDENTIALS": "/nonexistent", "GRAPHC_LOOKBACK": "0"}

CASES = [
    (["run", "PB", "--once", "--now", "2026-01-05T14:10:00Z", "--settle", "VALUE"], "--settle"),
    (["run", "PB", "--loop", "--now", "2026-01-05T14:10:00Z", "--retry", "VALUE"], "--retry"),
    (["submit", "PB", "--now", "2026-01-05T14:10:00Z", "--settle", "VALUE"], "--settle"),
    (["submit", "PB", "--now", "2026-01-05T14:10:00Z", "--max-age", "VALUE"], "--max-age"),
    (["status", "graph_0123", "--watch", "--interval", "VALUE"], "--interval"),
    (["strategy", "logs", "dca", "--follow", "--interval", "VALUE"], "--interval"),
]


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "infinity"])
@pytest.mark.parametrize(("args", "option"), CASES, ids=[f"{a[0]} {o}" for a, o in CASES])
def test_a_seconds_option_refuses_nan_and_infinity_as_a_usage_error(tmp_path, args, option, value):
    playbook = write(tmp_path, "e1.yaml", PLAYBOOK)
    given = [str(playbook) if a == "PB" else value if a == "VALUE" else a for a in args]
    result = invoke(given, ENV)
    # before the fix (nan): run --once and submit crashed (exit 4), --max-age nan was taken, run --loop --retry nan
    # logged an `error` event, and the polls were never refused
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output, result.output
    assert "not a finite number" in result.output or "not in the range" in result.output, result.output


def test_sandbox_serve_refuses_a_speed_that_is_not_a_finite_number(tmp_path):
    for value in ("nan", "inf"):
        proc = subprocess.run(
            [sys.executable, "-m", "graphc", "sandbox", "serve", "--port", "0", "--speed", value],
            capture_output=True,
            text=True,
            timeout=30,  # before the fix: it served (its clock NaN) until killed here
            cwd=REPO,
        )
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "Invalid value for '--speed'" in proc.stderr, proc.stderr
        # inf is past --speed's maximum (the range says so first, as for --settle and --retry), nan is no number
        assert "not a finite number" in proc.stderr or "0<=x<=1000000" in proc.stderr, proc.stderr


def test_the_librarys_seconds_refuse_nan_and_infinity(tmp_path: Path):
    playbook = write(tmp_path, "e1.yaml", PLAYBOOK)
    for value in (float("nan"), float("inf")):
        with pytest.raises(Refused, match="max_age_s must be a finite number of seconds"):
            prepare(playbook, max_age_s=value)  # a stale plan or stale live quotes would never be refused
        with pytest.raises(Refused, match="max_age_s must be a finite number of seconds"):
            Reprice(lambda age: "", 0.0, value)  # the graph would never be priced again


@pytest.mark.parametrize("value", ["1e400", "1e400s", "1e399m", "-1e400"])
def test_a_duration_whose_seconds_overflow_a_float_is_refused(value):
    """`--timeout 1e400` is a finite decimal whose float is infinite: it was taken as a watch with no end (audit
    amend25 4). Refused, exit 2, before the router is asked anything (nothing listens on the URL)."""
    result = invoke(["status", "graph_0123", "--watch", "--timeout", value], ENV)
    assert result.exit_code == 2, result.output  # before the fix: it watched (here: failed to reach the router, 3)
    assert "Invalid value for --timeout: " in result.output, result.output
    assert "not a finite number of seconds" in result.output or "must be 0 or more" in result.output, result.output
    assert repr(value) in result.output


def test_parse_seconds_never_returns_an_infinite_number():
    import click

    from graphc.commands.common import parse_seconds

    with pytest.raises(click.BadParameter, match="too large: not a finite number of seconds"):
        parse_seconds("1e400", "--timeout")
    assert parse_seconds("1e300", "--timeout") == 1e300
    assert parse_seconds("90s", "--timeout") == 90.0
