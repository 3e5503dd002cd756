"""A graph priced again after a slow look at the router that comes out with other legs (audit recur23 2).

The look at the router proves a run absent by its run key's tag. A scheduled occurrence's key is its name and its
time (``NAME@YYYY-MM-DDTHH:MMZ``), and a ``--run-key`` is the caller's: neither depends on the graph, so what the
look proved holds for the graph priced again, whatever its legs, and that graph is sent (linted, and checked for
its mode, as before). Only a run keyed by its content (a hand submission without a schedule or ``--run-key``) is
refused when the graph priced again has other legs: its key names the graph that was looked for. Over real HTTP
with the scripted router of tests/test_live_reprice.py, whose quote moves while the run is looked for.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from test_live_reprice import moving_router
from test_router_answers import KEY, env_for, scripted_router

from graphc.api.client import Client
from graphc.run import Clock, EventLog, Runner, RunSettings
from tests.conftest import invoke, write

# three rungs while ETH's bid is above 2200 (2325.49 before the look), two once it is not (2025.49 after it)
DYN = """\
graphc: 1
name: dyn
schedule: {cron: "0 * * * *", catch_up: 30m}
legs:
  rung:
    for_each: "{{ 3 if quote('ETH-USD').bid > 2200 else 2 }}"
    buy: 0.1 ETH
    symbol: ETH-USD
    venue: coinbase
    limit: "{{ 2300 - index * 10 }}"
"""
UNSCHEDULED = DYN.replace('schedule: {cron: "0 * * * *", catch_up: 30m}\n', "")


def rungs(state) -> list[str]:
    [body] = state["posts"]
    return sorted(node["node_id"].rpartition(".")[0] for node in body["nodes"])


def test_run_sends_the_occurrence_priced_again_with_other_legs(tmp_path):
    playbook = write(tmp_path, "dyn.yaml", DYN)
    stream = io.StringIO()
    with scripted_router() as router:
        state = moving_router(router, listing_s=1.5)
        settings = RunSettings(playbook=str(playbook), quotes="live", settle_s=0, max_quote_age_s=1)
        runner = Runner(
            settings,
            lambda: Client(router.url, KEY),
            clock=Clock(datetime(2026, 1, 5, 14, 5, tzinfo=UTC)),
            log=EventLog(stream),
        )
        code = runner.once()
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    # before the fix: `refused` ("... is another trade ...; nothing was sent: submit it again"), exit 2, and a
    # loop dropped the occurrence with its catch-up still open
    assert code == 0, stream.getvalue()
    assert [e["event"] for e in events] == ["start", "due", "quotes", "repriced", "quotes", "submitted"], events
    assert events[-1]["run_key"] == "dyn@2026-01-05T14:00Z"
    assert rungs(state) == ["rung-0", "rung-1"]  # the graph priced at the market when it left


def test_a_hand_submission_of_the_occurrence_sends_it_priced_again_with_other_legs(tmp_path):
    write(tmp_path, "dyn.yaml", DYN)
    with scripted_router() as router:
        state = moving_router(router, listing_s=1.5)
        result = invoke(
            ["submit", tmp_path / "dyn.yaml", "--quotes", "live", "--now", "2026-01-05T14:05:00Z", "--settle", "0",
             "--max-age", "1", "--ledger", tmp_path / "l.db"],
            env_for(router),
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "graphc: note: re-priced" in result.output
    assert "(sandbox, run key dyn@2026-01-05T14:00Z)" in result.output, result.output
    assert rungs(state) == ["rung-0", "rung-1"]


def test_a_run_key_given_is_not_the_content_the_graph_priced_again_is_sent(tmp_path):
    write(tmp_path, "dyn.yaml", UNSCHEDULED)
    with scripted_router() as router:
        state = moving_router(router, listing_s=1.5)
        result = invoke(
            ["submit", tmp_path / "dyn.yaml", "--quotes", "live", "--run-key", "dyn-jan", "--max-age", "1",
             "--ledger", tmp_path / "l.db"],
            env_for(router),
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert rungs(state) == ["rung-0", "rung-1"]


def test_a_run_keyed_by_its_content_is_refused_when_priced_again_with_other_legs(tmp_path):
    write(tmp_path, "dyn.yaml", UNSCHEDULED)
    with scripted_router() as router:
        state = moving_router(router, listing_s=1.5)
        result = invoke(
            ["submit", tmp_path / "dyn.yaml", "--quotes", "live", "--max-age", "1", "--ledger", tmp_path / "l.db"],
            env_for(router),
        )
    # its run key is the hash of the three-rung graph that was looked for: the two-rung one is another run
    assert result.exit_code == 2, result.output
    assert "is another trade" in result.output and "nothing was sent" in result.output, result.output
    assert state["posts"] == []
