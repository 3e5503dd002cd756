"""An occurrence whose look at the router used more than half of the scan's budget says so in a `warning`.

Audit hosted24 4: each occurrence's look for its run tag reads the account's whole order list, which the runner's
own graphs fill (a 40-leg `*/5` schedule adds 11,520 orders a day). Once the list is longer than the scan's budget
(1,000 pages of 100 orders, 120 s) the look cannot finish, and every occurrence is `failed` then `missed`: safe
(nothing is sent unproven), but a schedule that stopped trading. The occurrences before that said nothing. Now an
occurrence whose look read more than half of the budget carries a `warning` naming the pages, the orders and the
time it took, and what to do (docs/recurring.md, "The look at the router grows with the runner's own orders").

Against a scripted router in this process (real HTTP) that lists 50,100 orders of other graphs, answered fast
(`graphc sandbox serve` takes a minute to list so many), and creates the graph it is sent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_router_answers import env_for, scripted_router

PLAYBOOK = """\
graphc: 1
name: weekly
schedule: {cron: "0 14 * * MON", catch_up: 2h}
legs:
  a: {buy: 0.001 BTC, symbol: BTC-USD, venue: coinbase, limit: 97000}
"""
QUOTES = "BTC-USD: {bid: 97250.00, ask: 97251.00, tick: 0.01}\n"


def listing(count: int):
    """A router whose order list holds ``count`` orders of other graphs, each page as the reference shapes it (with
    the `total`, `offset`, `limit` and `has_more` graphc checks), and which creates each graph it is sent."""
    orders = [
        {"node_order_id": f"graph:graph_{i:06d}:a:1", "symbol": "SEED-USD", "side": "BUY", "status": "FILLED"}
        for i in range(count)
    ]

    def script(h):
        if h.command == "POST":
            return h.answer(200, json.dumps({"graph_id": "graph_runner", "status": "active"}).encode())
        query = parse_qs(urlsplit(h.path).query)
        limit, offset = int(query["limit"][0]), int(query.get("offset", ["0"])[0])
        page = orders[offset : offset + limit]
        body = {"orders": page, "total": count, "limit": limit, "offset": offset, "has_more": offset + limit < count}
        return h.answer(200, json.dumps(body).encode())

    return script


def run_once(router, tmp_path: Path) -> tuple[int, list[dict], str]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "w.yaml").write_text(PLAYBOOK)
    (tmp_path / "q.yaml").write_text(QUOTES)
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", "w.yaml", "--once", "--now", "2026-01-05T14:20:00Z"]
        + ["--quotes", "q.yaml", "--settle", "0"],
        capture_output=True,
        text=True,
        env=env_for(router),
        cwd=tmp_path,
        timeout=300,
    )
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


@pytest.mark.parametrize(("orders", "warned"), [(50_100, True), (300, False)])
def test_a_look_that_read_more_than_half_of_its_page_budget_warns(tmp_path, orders, warned):
    with scripted_router() as router:
        router.script = listing(orders)
        code, log, err = run_once(router, tmp_path)
    assert code == 0, err + json.dumps(log)
    (submitted,) = [e for e in log if e["event"] == "submitted"]
    assert submitted["graph_id"] == "graph_runner"
    if not warned:
        assert "warning" not in submitted, submitted
        return
    warning = submitted["warning"]
    said = f"the look at the router for run 'weekly@2026-01-05T14:00Z' read {orders} orders (501 pages"
    assert said in warning and "more than half of its budget (1000 pages, 120 s)" in warning, warning
    assert "docs/recurring.md" in warning and f"graphc: warning: {warning}" in err
