"""`graphc run` / `graphc submit` when the graph found for a run is not the trade this run would send, or more
than one graph carries the run's tag; `run --loop` logging the occurrence it abandons; `--once --loop`.

audit/recur.md findings 1, 2, 4 and 5. Against `graphc sandbox serve --ignore-idempotency-key` (a real server
process, real HTTP; it acts like the reference router, which offers no idempotency).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from graphc.api.runtag import run_tag
from tests.conftest import REPO
from tests.sandbox_fixture import cli_env, run_graphc, running_sandbox
from tests.test_run import events, named, run, write


@pytest.fixture(scope="module")
def router():
    prices = ("--price", "BTC-USD=97250.50", "--price", "ETH-USD=3100")
    with running_sandbox("--ignore-idempotency-key", *prices, speed=0) as sb:
        yield sb


@pytest.fixture
def sandbox(router):
    router.reset()
    return router


DCA_ANY = """\
graphc: 1
name: dca-any
schedule: {cron: "0 14 * * *"}
params: {sym: {type: string, default: BTC-USD}}
legs: {a: {buy: 1, symbol: "{{ sym }}", venue: coinbase, limit: 100000}}
"""

FLIP = """\
graphc: 1
name: flip
schedule: {cron: "*/15 * * * *", catch_up: 1h}
legs:
  a: {buy: 0.001, symbol: BTC-USD, venue: coinbase, limit: 97000}
"""

FLIP_LIVE = FLIP.replace("legs:", "sandbox: false\nrisk: {max_notional: $1k}\nlegs:")


# -- finding 1: "already" for a graph that is not this run's trade ------------------------------------------------


def test_already_with_other_params_warns_that_the_graph_found_trades_something_else(sandbox, tmp_path):
    playbook = write(tmp_path, DCA_ANY, "p.yaml")
    at = ("--once", "--now", "2026-05-01T14:05:00Z")
    code, log, err = run(sandbox, playbook, *at, "--set", "sym=BTC-USD")
    assert code == 0, err + json.dumps(log)
    (submitted,) = named(log, "submitted")
    # the same params again: the same trade, no warning
    code, log, err = run(sandbox, playbook, *at, "--set", "sym=BTC-USD")
    (already,) = named(log, "already")
    assert code == 0 and "warning" not in already and "warning" not in err, err + json.dumps(log)
    # other params: the run key is the same (spec §9: NAME@occurrence), so nothing is sent, exit 0 as the spec
    # says, but the event says the graph found buys BTC-USD, not the ETH-USD this run asked for
    code, log, err = run(sandbox, playbook, *at, "--set", "sym=ETH-USD")
    assert code == 0, err + json.dumps(log)
    (already,) = named(log, "already")
    assert already["graph_id"] == submitted["graph_id"] and already["run_key"] == "dca-any@2026-05-01T14:00Z"
    warning = already["warning"]
    assert "not the trade this run would send" in warning, warning
    assert "it has a (buy BTC-USD); this run would send a (buy ETH-USD)" in warning, warning
    assert "nothing was sent" in warning and "name:" in warning, warning
    assert f"graphc: warning: {warning}" in err
    assert len(sandbox.graphs()) == 1


# FLIP's schedule on the real clock (`--now` is refused with --live: audit live23 O2): this year's 1 January is due
# all year, so the paper run and the live one below are one occurrence
YEARLY = ('schedule: {cron: "*/15 * * * *", catch_up: 1h}', 'schedule: {cron: "0 0 1 1 *", catch_up: 400d}')


def test_live_after_a_paper_rehearsal_found_at_the_router_says_it_cannot_tell_sandbox_from_live(sandbox, tmp_path):
    paper = write(tmp_path, FLIP.replace(*YEARLY), "flip.yaml")
    code, log, err = run(sandbox, paper, "--once")
    assert code == 0, err + json.dumps(log)
    (submitted,) = named(log, "submitted")
    # in another checkout (a ledger of its own, as the CI job's fresh one): the graph is found at the router only
    live = write(tmp_path / "elsewhere", FLIP_LIVE.replace(*YEARLY), "flip-live.yaml")
    code, log, err = run(sandbox, live, "--once", "--live")
    assert code == 0, err + json.dumps(log)
    (already,) = named(log, "already")
    assert already["graph_id"] == submitted["graph_id"]
    # GET /v1/orders and GET /v1/execution_graphs/{id} do not say is_sandbox (reference: orders-and-execution-
    # graphs.md), so a fresh process cannot compare it; it must say so rather than report the occurrence done
    warning = already["warning"]
    assert "LIVE" in warning and "sandbox" in warning and "cannot tell" in warning, warning
    assert f"graphc: warning: {warning}" in err
    # in the project that sent it, the project's ledger holds the graph sent (audit conc21 1): it says what happened
    live = write(tmp_path, FLIP_LIVE.replace(*YEARLY), "flip-live.yaml")
    code, log, err = run(sandbox, live, "--once", "--live")
    (already,) = named(log, "already")
    assert code == 0 and already["graph_id"] == submitted["graph_id"], err + json.dumps(log)
    assert "is a sandbox graph; this run asked for a LIVE one: nothing was traded live" in already["warning"], log
    assert [g["is_sandbox"] for g in sandbox.graphs()] == [True]


def test_submit_found_in_the_ledger_names_a_sandbox_graph_when_live_was_asked(sandbox, tmp_path):
    # the ledger keeps the wire it sent, so here is_sandbox is known: the warning says what happened
    (tmp_path / ".git").mkdir()
    (tmp_path / "flip.yaml").write_text(FLIP)
    (tmp_path / "flip-live.yaml").write_text(FLIP_LIVE)
    (tmp_path / "quotes.yaml").write_text("BTC-USD: {bid: 97250, ask: 97251}\n")
    env = cli_env(sandbox)
    key = ["--quotes", "quotes.yaml", "--run-key", "flip-2026-04-04"]
    first = run_graphc(["submit", "flip.yaml", *key], env, tmp_path)
    assert first.returncode == 0, first.stderr
    again = run_graphc(["submit", "flip-live.yaml", *key, "--live", "--yes"], env, tmp_path)
    assert again.returncode == 2, again.stdout + again.stderr
    assert "already submitted as graph" in again.stderr
    assert (
        "graphc: warning: the graph found for run 'flip-2026-04-04' is a sandbox graph; this run asked for a LIVE "
        "one: nothing was traded live" in again.stderr
    ), again.stderr
    assert len(sandbox.graphs()) == 1


def test_submit_found_in_the_ledger_names_other_sizes_when_only_the_budget_changed(sandbox, tmp_path):
    # audit docs17 3: a second submission of an occurrence whose params change only sizes was silent. The ledger
    # keeps the bytes the first submission sent, so the refusal names the sizes (the reproduction of the audit:
    # the weekly DCA's occurrence of 2026-01-05 again with --set weekly_budget=5000).
    (tmp_path / ".git").mkdir()
    shutil.copy(REPO / "examples" / "btc-weekly-dca.yaml", tmp_path / "dca.yaml")
    env = cli_env(sandbox)
    at = ["--quotes", "live", "--settle", "0"]  # no process sent this occurrence to this fresh router before
    first = run_graphc(["submit", "dca.yaml", *at, "--now", "2026-01-05T14:20:00Z"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    # the same params again: the same sizes and prices, refused without a warning
    same = run_graphc(["submit", "dca.yaml", "--quotes", "live", "--now", "2026-01-05T14:30:00Z"], env, tmp_path)
    assert same.returncode == 2 and "already submitted as graph" in same.stderr, same.stderr
    assert "warning" not in same.stderr, same.stderr
    again = run_graphc(
        ["submit", "dca.yaml", "--quotes", "live", "--now", "2026-01-05T14:30:00Z", "--set", "weekly_budget=5000"],
        env,
        tmp_path,
    )
    assert again.returncode == 2 and "already submitted as graph" in again.stderr, again.stderr
    (warning,) = [line for line in again.stderr.splitlines() if line.startswith("graphc: warning: ")]
    assert "'btc-weekly-dca@2026-01-05T14:00Z'" in warning, warning
    sizes = re.search(r"dca \(buy BTC-USD\): size ([0-9.]+), this run's ([0-9.]+)", warning)
    assert sizes, warning
    assert Decimal(sizes[2]) / Decimal(sizes[1]) > 9  # $1,000 then $10,000 (a payday week doubles the budget)
    assert "nothing was sent for this run" in warning, warning
    assert len(sandbox.graphs()) == 1


LIMITED = """\
graphc: 1
name: limited
schedule: {cron: "0 14 * * *"}
params: {top: {type: price, default: 97000}}
legs: {a: {buy: 0.001 BTC, symbol: BTC-USD, venue: coinbase, limit: "{{ top }}"}}
"""


def test_submit_found_in_the_ledger_names_another_limit_price(sandbox, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "p.yaml").write_text(LIMITED)
    (tmp_path / "quotes.yaml").write_text("BTC-USD: {bid: 97250, ask: 97251}\n")
    env = cli_env(sandbox)
    at = ["--quotes", "quotes.yaml", "--now", "2026-05-01T14:05:00Z"]
    assert run_graphc(["submit", "p.yaml", *at, "--settle", "0"], env, tmp_path).returncode == 0
    again = run_graphc(["submit", "p.yaml", *at, "--set", "top=96000"], env, tmp_path)
    assert again.returncode == 2, again.stderr
    assert "a (buy BTC-USD): limit 97000, this run's limit 96000" in again.stderr, again.stderr
    assert len(sandbox.graphs()) == 1


# -- finding 2: more than one graph carries the tag ---------------------------------------------------------------


def _post_tagged(sandbox, tag: str) -> str:
    """A graph whose node id carries ``tag``, POSTed straight to the router (what a second runner's POST does)."""
    body = {
        "nodes": [
            {
                "node_id": f"a.{tag}",
                "instrument": {"symbol": "BTC-USD", "type": "spot", "venue": "coinbase"},
                "side": "buy",
                "order_type": {"limit": {"price_1e9": 97_000_000_000_000}},
                "quantity": {"fixed": {"qty_1e8": 100_000}},
                "execution": {"policy": "sor"},
                "activation": "root",
            }
        ],
        "edges": [],
        "is_sandbox": True,
    }
    status, answer, _ = sandbox.api("POST", "/v1/orders", body)
    assert status in (200, 201), answer
    return answer["graph_id"]


def test_run_names_every_other_graph_carrying_the_occurrences_tag(sandbox, tmp_path):
    # two runners that scanned at the same moment both submitted 10:00 (docs/submitting.md "What graphc cannot
    # prove"); a later run confirms the oldest and must name the other (submitting.md's recovery table)
    playbook = write(tmp_path, FLIP.replace("name: flip", "name: two"), "two.yaml")
    tag = run_tag("two@2026-04-02T10:00Z")
    first = _post_tagged(sandbox, tag)
    time.sleep(0.01)
    second = _post_tagged(sandbox, tag)
    code, log, err = run(sandbox, playbook, "--once", "--now", "2026-04-02T10:05:00Z")
    assert code == 0, err + json.dumps(log)
    (already,) = named(log, "already")
    assert already["graph_id"] == first
    assert "WARNING" in already["warning"] and second in already["warning"], already
    assert "graphc cancel" in already["warning"]
    assert second in err and "graphc: warning:" in err
    assert len(sandbox.graphs()) == 2


def test_submit_names_every_other_graph_carrying_the_runs_tag(sandbox, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "flip.yaml").write_text(FLIP)
    (tmp_path / "quotes.yaml").write_text("BTC-USD: {bid: 97250, ask: 97251}\n")
    tag = run_tag("nightly-7")
    first, second = _post_tagged(sandbox, tag), _post_tagged(sandbox, tag)
    proc = run_graphc(
        ["submit", "flip.yaml", "--quotes", "quotes.yaml", "--run-key", "nightly-7"], cli_env(sandbox), tmp_path
    )
    assert proc.returncode == 2, proc.stderr
    assert f"already submitted as graph {first}" in proc.stderr
    assert "graphc: warning:" in proc.stderr and second in proc.stderr, proc.stderr


# -- finding 4: --loop logs `missed` for the failing occurrence a newer one replaces ------------------------------


def test_loop_logs_missed_for_a_failing_occurrence_when_a_newer_one_is_due(sandbox, tmp_path):
    playbook = write(tmp_path, FLIP.replace('"*/15 * * * *"', '"* * * * *"').replace("name: flip", "name: m1"))
    sandbox.set_faults([{"kind": "http_429", "method": "POST", "path_prefix": "/v1/orders", "count": 2}])
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphc", "run", str(playbook), "--loop"]
        + ["--now", "2026-03-01T10:00:57Z", "--retry", "2", "--settle", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sandbox.env(),
        cwd=tmp_path,
    )
    log: list[dict] = []
    try:
        deadline = time.monotonic() + 60
        while not named(log, "submitted"):
            assert time.monotonic() < deadline, log
            line = proc.stdout.readline()
            assert line, f"exited {proc.poll()}: {log}\n{proc.stderr.read()}"
            log.extend(events(line))
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    # 10:00 fails at 10:00:57 and 10:00:59 (two 429s); the retry at 10:01:01 finds 10:01 due: spec §9 runs the
    # latest, so 10:00 is given up, and the log says so before 10:01 is run
    sequence = [(r["event"], r.get("occurrence")) for r in log if r["event"] in ("due", "failed", "missed")]
    assert sequence == [
        ("due", "2026-03-01T10:00:00Z"),
        ("failed", "2026-03-01T10:00:00Z"),
        ("due", "2026-03-01T10:00:00Z"),
        ("failed", "2026-03-01T10:00:00Z"),
        ("missed", "2026-03-01T10:00:00Z"),
        ("due", "2026-03-01T10:01:00Z"),
    ], log
    (missed,) = named(log, "missed")
    assert missed["run_key"] == "m1@2026-03-01T10:00Z"
    assert "a newer occurrence (2026-03-01T10:01:00Z) is due" in missed["reason"], missed
    assert named(log, "submitted")[0]["run_key"] == "m1@2026-03-01T10:01Z"


# -- finding 5: --once and --loop together ------------------------------------------------------------------------


def test_once_and_loop_together_is_a_usage_error(sandbox, tmp_path):
    playbook = write(tmp_path, FLIP)
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(playbook), "--once", "--loop", "--now", "2026-04-05T10:20:00Z"],
        capture_output=True,
        text=True,
        env=sandbox.env(),
        cwd=tmp_path,
        timeout=30,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--once" in proc.stderr and "--loop" in proc.stderr and "not both" in proc.stderr
    assert proc.stdout == "" and sandbox.graphs() == []
