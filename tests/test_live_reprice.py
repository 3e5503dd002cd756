"""A graph priced from live quotes is priced again when the look at the router for its run outlasts the quotes'
bound (audit quotes20 4).

`submit PLAYBOOK --quotes live` and `graphc run` read the quotes, price and lint the graph, and only then look for the
run at the router (`GET /v1/orders`), which can take minutes. A router whose order listing is slow, and whose quote
moves meanwhile, is scripted over real HTTP (tests/test_router_answers.py's `scripted_router`): once the look ends
more than the bound (`--max-age`, 60 s by default; `RunSettings.max_quote_age_s` for `run`) after the quotes were
read, they are read again and the graph rendered, compiled and linted again before it is sent, under the same run
key; a graph that no longer lints is refused as lint refuses it, nothing sent.
"""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal

from test_router_answers import KEY, env_for, scripted_router

from graphc.api.client import Client
from tests.conftest import invoke, write

SLOW = """\
graphc: 1
name: slow
legs:
  a:
    buy: $10k
    symbol: ETH-USD
    venue: coinbase
    limit: ask + 0.1%
"""
BEFORE = b'{"nbbo": {"bid": "2325.49", "ask": "2325.51"}}'
AFTER = b'{"nbbo": {"bid": "2025.49", "ask": "2025.51"}}'


def moving_router(router, *, listing_s: float, after: bytes = AFTER):
    """`GET /v1/quotes` answers BEFORE until the order listing is first asked for, then ``after``; each `GET
    /v1/orders` takes ``listing_s`` and lists nothing; a POST creates graph_fake1 and keeps its body."""
    state = {"quote": BEFORE, "posts": [], "quotes": 0}
    lock = threading.Lock()

    def script(h):
        if h.path.startswith("/v1/quotes"):
            with lock:
                state["quotes"] += 1
                body = state["quote"]
            return h.answer(200, body)
        if h.command == "GET" and h.path.startswith("/v1/orders"):
            with lock:
                state["quote"] = after  # the market moves while the run is looked for
            time.sleep(listing_s)
            return h.answer(200, b'{"orders": [], "total": 0, "limit": 100, "offset": 0, "has_more": false}')
        if h.command == "POST":
            state["posts"].append(json.loads(h.body))
            return h.answer(200, b'{"graph_id": "graph_fake1", "status": "active", "node_count": 1, "edge_count": 0}')
        return h.answer(404, b'{"error": {"code": "not_found", "message": "?"}}')

    router.script = script
    return state


def sent(state) -> tuple[int, int]:
    [body] = state["posts"]
    [node] = body["nodes"]
    return node["order_type"]["limit"]["price_1e9"], node["quantity"]["fixed"]["qty_1e8"]


def priced(ask: str) -> tuple[int, int]:
    """(price_1e9, qty_1e8) of SLOW at ``ask``: ask + 0.1% (ETH-USD on coinbase has no tick graphc knows), and
    $10k / that, cut to 1e-8."""
    price = Decimal(ask) * Decimal("1.001")
    return int(price * 10**9), int((Decimal(10_000) / price * 10**8).to_integral_value(rounding="ROUND_DOWN"))


def test_submit_prices_again_when_the_look_at_the_router_outlasts_max_age(tmp_path):
    write(tmp_path, "slow.yaml", SLOW)
    with scripted_router() as router:
        state = moving_router(router, listing_s=1.5)
        result = invoke(
            ["submit", tmp_path / "slow.yaml", "--quotes", "live", "--run-key", "slow2", "--max-age", "1",
             "--ledger", tmp_path / "l.db"],
            env_for(router),
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    # before the fix: sent at 2325.51 + 0.1%, from quotes read before the look (the market had moved 13%)
    assert sent(state) == priced("2025.51"), (sent(state), priced("2025.51"))
    assert state["quotes"] == 2  # read again after the look
    assert "graphc: note: re-priced: the quotes slow was priced with were" in result.output, result.output
    assert "submitted slow as graph graph_fake1 (sandbox, run key slow2)" in result.output


def test_submit_does_not_price_again_within_max_age(tmp_path):
    write(tmp_path, "slow.yaml", SLOW)
    with scripted_router() as router:
        state = moving_router(router, listing_s=0.2)
        result = invoke(
            ["submit", tmp_path / "slow.yaml", "--quotes", "live", "--run-key", "s", "--ledger", tmp_path / "l.db"],
            env_for(router),
        )
    assert result.exit_code == 0, result.output
    assert state["quotes"] == 1 and "re-priced" not in result.output
    assert sent(state) == priced("2325.51")  # the quotes are seconds old: the graph lint passed is the one sent


def test_submit_refuses_a_graph_that_no_longer_lints_once_priced_again(tmp_path):
    capped = SLOW.replace("name: slow\n", "name: slow\nrisk: {max_notional: $25k}\n").replace("$10k", "10 ETH")
    write(tmp_path, "slow.yaml", capped)
    with scripted_router() as router:
        # 10 ETH at 2325.51 + 0.1% is $23.3k, under the $25k cap; at 2625.51 it is $26.3k, GC501
        state = moving_router(router, listing_s=1.5, after=b'{"nbbo": {"bid": "2625.49", "ask": "2625.51"}}')
        result = invoke(
            ["submit", tmp_path / "slow.yaml", "--quotes", "live", "--run-key", "capped", "--max-age", "1",
             "--ledger", tmp_path / "l.db"],
            env_for(router),
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "re-priced" in result.output and "error GC501" in result.output, result.output
    assert "graphc: refused: lint found errors" in result.output
    assert state["posts"] == []


SCHED = SLOW.replace(
    "name: slow\n", 'name: sched\nschedule:\n  cron: "0 14 * * MON"\n  timezone: UTC\n  catch_up: 2h\n'
)


def test_run_prices_again_when_the_look_at_the_router_outlasts_the_bound(tmp_path):
    from graphc.run import Clock, EventLog, Runner, RunSettings

    playbook = write(tmp_path, "sched.yaml", SCHED)
    stream = io.StringIO()
    with scripted_router() as router:
        state = moving_router(router, listing_s=1.5)
        settings = RunSettings(playbook=str(playbook), quotes="live", settle_s=0, max_quote_age_s=1)
        runner = Runner(
            settings,
            lambda: Client(router.url, KEY),
            clock=Clock(datetime(2026, 1, 5, 14, 0, tzinfo=UTC)),
            log=EventLog(stream),
        )
        assert runner.once() == 0, stream.getvalue()
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    names = [e["event"] for e in events]
    # before the fix: `quotes`, then `submitted` 46 s later with the stale price_1e9
    assert names == ["start", "due", "quotes", "repriced", "quotes", "submitted"], names
    [repriced] = [e for e in events if e["event"] == "repriced"]
    assert repriced["run_key"] == "sched@2026-01-05T14:00Z" and repriced["quotes_age_s"] > 1
    assert sent(state) == priced("2025.51")


def test_a_live_graph_a_person_confirmed_is_not_sent_at_other_prices(tmp_path):
    """A yes is to the prices shown: a live graph priced again after the look is refused when it changed (lead's
    follow-up to quotes20 4 and plan20 1), nothing sent; the person submits again to see the new prices."""
    import os
    import sys

    from sandbox_fixture import on_a_terminal

    live = SLOW.replace("name: slow\n", "name: slow\nsandbox: false\nrisk: {max_notional: $20k, max_loss: $1k}\n")
    write(tmp_path, "slow.yaml", live)
    with scripted_router() as router:
        state = moving_router(router, listing_s=2.5)
        env = {**os.environ, **env_for(router), "PYTHONPATH": os.pathsep.join(sys.path)}
        args = ["submit", "slow.yaml", "--quotes", "live", "--live", "--run-key", "k", "--max-age", "2",
                "--ledger", tmp_path / "l.db"]  # fmt: skip
        code, _, err = on_a_terminal(args, env, tmp_path, b"y\n")
    assert "Submit slow LIVE, with real money?" in err, err
    # before the fix: exit 0, sent at 2025.51 + 0.1%, prices the person never saw
    assert code == 2, err
    assert "is not the graph you confirmed" in err and "nothing was sent" in err, err
    assert state["posts"] == []


def test_a_saved_plan_that_outlasts_max_age_during_the_look_is_not_sent(tmp_path):
    """A saved plan cannot be priced again: older than --max-age once the look at the router ended, it is refused
    (exit 2, nothing sent), as it is when it is older than that before the look."""
    write(tmp_path, "slow.yaml", SLOW)
    with scripted_router() as router:
        state = moving_router(router, listing_s=3.5)
        planned = invoke(
            ["plan", tmp_path / "slow.yaml", "--quotes", "live", "-o", tmp_path / "p.json"], env_for(router)
        )
        assert planned.exit_code == 0, planned.output
        result = invoke(
            ["submit", tmp_path / "p.json", "--run-key", "p", "--max-age", "3", "--ledger", tmp_path / "l.db"],
            env_for(router),
        )
    # before the fix: exit 0, the plan sent 3.5 s past the look though --max-age said 3
    assert result.exit_code == 2, result.output
    assert "the saved plan was" in result.output and "older than --max-age 3 s" in result.output, result.output
    assert state["posts"] == []
