"""`graphc run` and LIVE trading: what its events say of the mode (audit live23 F3).

`submit` prints `(LIVE, run key ...)`; `run`'s events said nothing of the mode, so a desk reading a runner's log
(`strategy logs --follow | jq`) could not tell a paper DCA from a real-money one. `start` now says what the run
allows (`--live`, `GRAPHC_LIVE=1`), and each event naming a graph sent says what that graph is.

The real CLI as a process against `graphc sandbox serve` (BTC-USD at 97,250.50), on the real clock: the playbook's
occurrence is this year's 1 January, due all year (catch_up 400d).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

YEARLY = """\
graphc: 1
name: {name}
{mode}schedule:
  cron: "0 0 1 1 *"
  catch_up: 400d
risk: {{max_notional: $10k}}
legs:
  buy:
    buy: $500
    symbol: BTC-USD
    venue: coinbase
    limit: ask + 1 tick
"""


@pytest.fixture
def sandbox(btc_router):
    return btc_router


def playbook(folder: Path, name: str, live: bool) -> Path:
    (folder / ".git").mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(YEARLY.format(name=name, mode="sandbox: false\n" if live else ""))
    return path


def run(sandbox, path: Path, *args) -> tuple[int, list[dict], str]:
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(path), "--once", "--settle", "0", *args],
        capture_output=True,
        text=True,
        env=sandbox.env(SEQUENCE_API_KEY="k"),
        cwd=path.parent,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def one(log: list[dict], event: str) -> dict:
    (found,) = [e for e in log if e["event"] == event]
    return found


def test_a_live_run_says_live_in_start_and_in_the_graph_it_sent(sandbox, tmp_path):
    path = playbook(tmp_path, "dca-live", live=True)
    code, log, err = run(sandbox, path, "--live")
    assert code == 0, err + json.dumps(log)
    start, submitted = one(log, "start"), one(log, "submitted")
    assert list(start)[:4] == ["ts", "event", "mode", "live"] and start["live"] is True, start
    assert list(submitted)[-2:] == ["graph_id", "live"] and submitted["live"] is True, submitted
    assert [g["is_sandbox"] for g in sandbox.graphs()] == [False]
    code, log, err = run(sandbox, path, "--live")  # the same occurrence: found in the project's ledger
    already = one(log, "already")
    assert code == 0 and already["graph_id"] == submitted["graph_id"], err + json.dumps(log)
    assert list(already)[-2:] == ["graph_id", "live"] and already["live"] is True, already


def test_a_paper_run_says_live_false_and_live_alone_makes_no_graph_live(sandbox, tmp_path):
    path = playbook(tmp_path, "dca", live=False)
    code, log, err = run(sandbox, path)
    assert code == 0, err + json.dumps(log)
    assert one(log, "start")["live"] is False and one(log, "submitted")["live"] is False, log
    # --live allows a live graph (start says so), and the graph sent is still a paper one (submitted says so)
    code, log, err = run(sandbox, playbook(tmp_path / "other", "dca2", live=False), "--live")
    assert code == 0, err + json.dumps(log)
    submitted = one(log, "submitted")
    assert one(log, "start")["live"] is True and submitted["live"] is False, log
    assert "--live has no effect" in submitted["warning"]


def test_a_graph_found_only_at_the_router_has_an_unknown_mode(sandbox, tmp_path):
    """Another checkout (a ledger of its own) finds the graph by its run tag; the router does not say whether a
    graph is sandbox or LIVE (orders-and-execution-graphs.md), so `live` is null, never a guess."""
    code, log, err = run(sandbox, playbook(tmp_path / "a", "dca-live", live=True), "--live")
    assert code == 0, err + json.dumps(log)
    code, log, err = run(sandbox, playbook(tmp_path / "b", "dca-live", live=True), "--live")
    already = one(log, "already")
    assert code == 0 and already["live"] is None, err + json.dumps(log)
    assert len(sandbox.graphs()) == 1
