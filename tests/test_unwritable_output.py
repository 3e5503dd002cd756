"""A graph created and recorded whose line cannot be written to stdout (audit ledger26 3): a cron job logging to a
full disk.

`graphc submit > /dev/full` exited 4 ("a bug in graphc ... not a problem with your files") and never named the graph
it had created; `graphc run --once` whose log filled up mid-line exited 0. Now the graph and its run are said on
stderr, and the command exits 2 (submit) or non-zero (run), never 4 and never 0.

The real CLI with its stdout on /dev/full, against `graphc sandbox serve --ignore-idempotency-key` (a separate
process, real HTTP).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sandbox_fixture import cli_env, run_graphc, submitted_graphs

PLAYBOOK = (
    "graphc: 1\nname: {name}\n{schedule}risk:\n  max_notional: $20k\n"
    "legs:\n  a: {{buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}}\n"
)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "full.yaml").write_text(PLAYBOOK.format(name="full", schedule=""))
    schedule = 'schedule: {cron: "*/5 * * * *", timezone: UTC, catch_up: 10m}\n'
    (root / "every.yaml").write_text(PLAYBOOK.format(name="every", schedule=schedule))
    return root


def _to_full(args, env, cwd) -> subprocess.CompletedProcess:
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "graphc", *args],
            env=env,
            cwd=cwd,
            stdout=full,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=60,
        )


def test_a_submit_whose_stdout_is_full_names_the_graph_it_created_and_exits_2(btc_router, project):
    env = cli_env(btc_router)
    done = _to_full(["submit", "full.yaml"], env, project)
    (graph,) = submitted_graphs(btc_router)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert f"submitted full as graph {graph['graph_id']} (sandbox, run key full@" in done.stderr, done.stderr
    assert "it is recorded (ledger run 1), but graphc could not write this line to stdout: No space left" in (
        done.stderr
    ), done.stderr
    (row,) = json.loads(run_graphc(["ledger", "--json"], env, project).stdout)
    assert (row["state"], row["graph_id"]) == ("confirmed", graph["graph_id"])


def test_a_run_whose_event_log_cannot_be_written_says_its_events_on_stderr_and_exits_non_zero(btc_router, project):
    env = cli_env(btc_router)
    done = _to_full(["run", "every.yaml", "--once", "--settle", "0", "--now", "2026-01-12T14:05:00Z"], env, project)
    (graph,) = submitted_graphs(btc_router)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "graphc: error: cannot write the event log: No space left on device" in done.stderr, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    submitted = [e for e in events if e["event"] == "submitted"]
    assert [e["graph_id"] for e in submitted] == [graph["graph_id"]], events
