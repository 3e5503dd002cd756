"""`plan -o` of a scheduled occurrence says what `graphc submit PLAN` needs (audit recur23 5).

A saved plan is sent only while it is younger than --max-age (60 s by default). A scheduled occurrence's plan is
sent under the occurrence's run key, and a process whose ledger has no record of it first waits out its settle (the
longest request plus the landing margin: 2m 54s with the defaults) before it sends it: with the defaults, the plan
is always too old by then, and `submit` refuses it (exit 2). `plan` said "submit it ... within a minute".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.sandbox_fixture import posts

PLAYBOOK = """\
graphc: 1
name: e1
schedule: {cron: "0 * * * *", catch_up: 30m}
legs:
  a: {buy: 0.001 BTC, symbol: BTC-USD, venue: coinbase, limit: 97000}
"""


def graphc(sandbox, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args], capture_output=True, text=True, env=sandbox.env(), cwd=cwd, timeout=60
    )


def test_plan_of_an_occurrence_says_submit_needs_a_max_age_past_the_settle(btc_router, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "e1.yaml").write_text(PLAYBOOK)
    planned = graphc(btc_router, tmp_path, "plan", "e1.yaml", "--now", "2026-01-05T14:10:00Z", "-o", "e1.plan.json")
    assert planned.returncode == 0, planned.stderr
    # before the fix: "saved plan to e1.plan.json; submit it with `graphc submit e1.plan.json` within a minute"
    assert "within a minute" not in planned.stdout, planned.stdout
    said = planned.stdout.strip().splitlines()[-1]
    assert said.startswith("saved plan to e1.plan.json; "), said
    assert "waits out its settle first (2m 54s" in said, said
    assert "`graphc submit e1.plan.json --max-age 240`" in said, said
    assert "`--settle 0` only for a rehearsal" in said, said
    # what submit does with the defaults, as the line says: it would have to wait 2m 54s, and refuses at once
    refused = graphc(btc_router, tmp_path, "submit", "e1.plan.json")
    assert refused.returncode == 2, refused.stderr
    assert "older than --max-age 60 s: nothing was sent" in refused.stderr, refused.stderr
    assert posts(btc_router) == 0


def test_a_plan_of_a_run_without_a_schedule_still_says_within_a_minute(btc_router, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "once.yaml").write_text(PLAYBOOK.replace('schedule: {cron: "0 * * * *", catch_up: 30m}\n', ""))
    planned = graphc(btc_router, tmp_path, "plan", "once.yaml", "-o", "once.plan.json")
    assert planned.returncode == 0, planned.stderr
    last = planned.stdout.strip().splitlines()[-1]
    assert (
        last
        == "saved plan to once.plan.json; submit it with `graphc submit once.plan.json` within a minute (--max-age)"
    )


def test_live_quotes_are_asked_for_the_occurrence_not_for_now(btc_router, tmp_path):
    """`--quotes live` asks the router for the symbols the graph renders with: a scheduled playbook is rendered at
    its occurrence (`now` = 14:00), so the symbols are the occurrence's, not those of --now (14:10)."""
    btc_router.control("POST", "/prices", {"ETH-USD": "2325.50"})
    (tmp_path / ".git").mkdir()
    (tmp_path / "sw.yaml").write_text(
        PLAYBOOK.replace("symbol: BTC-USD", "symbol: \"{{ 'ETH-USD' if now.minute == 0 else 'BTC-USD' }}\"")
        .replace("0.001 BTC", "0.01")
        .replace("limit: 97000", "limit: ask + $0.01")
    )
    planned = graphc(btc_router, tmp_path, "plan", "sw.yaml", "--quotes", "live", "--now", "2026-01-05T14:10:00Z")
    # before the fix: GC109 "needs a quote for ETH-USD": the router was asked for BTC-USD, the symbol at 14:10
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "ETH-USD" in planned.stdout and "2325.52" in planned.stdout, planned.stdout
    submitted = graphc(
        btc_router, tmp_path, "submit", "sw.yaml", "--quotes", "live", "--now", "2026-01-05T14:10:00Z", "--settle", "0"
    )
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr
    assert posts(btc_router) == 1
