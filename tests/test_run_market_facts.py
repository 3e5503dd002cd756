"""`graphc run` and the hosted bundle price and check with graphc.toml's market facts, as compile, lint, plan and
submit do (audit recur23 1).

Spec §3.3: a market's tick and lot come from one resolver (the quote, then graphc.toml, then the venue's profile).
`graphc run` built its compile options without the config's market facts, so a leg whose tick or lot only
graphc.toml knows went out off the tick (2323.7458825 on a 0.01 market) and off the lot, a literal price lint calls
GC303 was sent, and `ask + 1 tick` was GC109 at every occurrence. Against a real sandbox process over real HTTP
(tests/sandbox_fixture.py): the router records the SHA-256 of each POST body, which is compared with the body that
`graphc compile`'s graph makes under the occurrence's run tag, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graphc.api.runtag import canonical_wire_text, run_tag, tag_wire
from tests.sandbox_fixture import submitted_graphs

CONFIG = """\
[markets."ETH-USD"]
tick = 0.01
lot = 0.0001
"""

# the sandbox's answer for ETH-USD=2325.50 (one cent either side), as a snapshot file
SNAPSHOT = "ETH-USD: {bid: '2325.49', ask: '2325.51', mid: '2325.50'}\n"

LEG = """\
graphc: 1
name: {name}
schedule: {{cron: "0 * * * *", catch_up: 30m}}
legs:
  a:
    buy: {size}
    symbol: ETH-USD
    venue: coinbase
    limit: {limit}
"""


OCCURRENCE, NOW = "2026-01-05T14:00:00Z", "2026-01-05T14:10:00Z"  # the hourly occurrence, and a time 10 m into it


@pytest.fixture
def sandbox(btc_router):
    btc_router.control("POST", "/prices", {"ETH-USD": "2325.50"})
    return btc_router


def project(tmp_path: Path, name: str, size: str, limit: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "graphc.toml").write_text(CONFIG)
    (tmp_path / "snap.yaml").write_text(SNAPSHOT)
    path = tmp_path / f"{name}.yaml"
    path.write_text(LEG.format(name=name, size=size, limit=limit))
    return path


def graphc(sandbox, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args],
        capture_output=True,
        text=True,
        env=sandbox.env(GRAPHC_LOOKBACK="0"),
        cwd=cwd,
        timeout=120,
    )


def events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def body_of(wire_text: str, run_key: str) -> bytes:
    """The POST body graphc sends for ``wire_text`` under ``run_key``: its canonical text, the run's tag in its ids."""
    return tag_wire(canonical_wire_text(wire_text), run_tag(run_key)).encode()


def prices(wire_text: str) -> list:
    return [
        (node["order_type"].get("limit", {}).get("price_1e9"), node["quantity"])
        for node in json.loads(wire_text)["nodes"]
    ]


def test_run_once_sends_exactly_the_graph_compile_makes_with_the_configs_tick_and_lot(sandbox, tmp_path):
    playbook = project(tmp_path, "e1", "$1000", "bid - 7.5bps")
    compiled = graphc(sandbox, tmp_path, "compile", playbook.name, "--quotes", "snap.yaml", "--now", OCCURRENCE)
    assert compiled.returncode == 0, compiled.stderr
    # the config's facts: 2325.49 - 7.5 bps = 2323.7458825, down to the 0.01 tick; $1000 of it cut to the 0.0001 lot
    assert prices(compiled.stdout) == [(2323740000000, {"fixed": {"qty_1e8": 43030000}})], prices(compiled.stdout)
    ran = graphc(sandbox, tmp_path, "run", playbook.name, "--once", "--now", NOW, "--settle", "0")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    (submitted,) = [e for e in events(ran.stdout) if e["event"] == "submitted"]
    assert submitted["run_key"] == "e1@2026-01-05T14:00Z"
    (graph,) = submitted_graphs(sandbox)
    # before the fix: price_1e9 2323745882500 (off the tick) and qty_1e8 43033587 (off the lot)
    expected = hashlib.sha256(body_of(compiled.stdout, submitted["run_key"])).hexdigest()
    assert graph["wire_sha256"] == expected, sandbox.api("GET", f"/v1/execution_graphs/{graph['graph_id']}")[1]


def test_run_once_refuses_a_literal_off_tick_price_that_lint_calls_gc303(sandbox, tmp_path):
    playbook = project(tmp_path, "e2", "0.5 ETH", "2323.745")
    linted = graphc(sandbox, tmp_path, "lint", playbook.name)
    assert linted.returncode == 1 and "error GC303" in linted.stdout, linted.stdout
    ran = graphc(sandbox, tmp_path, "run", playbook.name, "--once", "--now", NOW, "--settle", "0")
    # before the fix: `submitted`, rc 0, price_1e9 2323745000000 sent to a 0.01-tick market
    assert ran.returncode == 1, ran.stdout + ran.stderr
    (failed,) = [e for e in events(ran.stdout) if e["event"] == "lint_failed"]
    assert "GC303" in failed["message"] and "0.01 tick" in failed["message"], failed
    assert sandbox.requests("POST", "/v1/orders") == []


def test_bundle_refuses_a_playbook_whose_literal_price_is_off_the_configs_tick(sandbox, tmp_path):
    playbook = project(tmp_path, "e2", "0.5 ETH", "2323.745")
    out = tmp_path / "out"
    bundled = graphc(sandbox, tmp_path, "bundle", playbook.name, "-o", str(out), "--now", "2026-01-05T14:00:00Z")
    # before the fix: rc 0, "checked: the bundle's own copy makes the same graph ... at each of the 11 occurrences"
    assert bundled.returncode == 1, bundled.stdout + bundled.stderr
    assert "GC303" in bundled.stderr and "does not lint" in bundled.stderr, bundled.stderr
    assert not out.exists()


def test_ask_plus_one_tick_with_the_tick_only_in_graphc_toml_prices_in_run_as_in_plan(sandbox, tmp_path):
    playbook = project(tmp_path, "e4", "0.5 ETH", "ask + 1 tick")
    planned = graphc(sandbox, tmp_path, "plan", playbook.name, "--quotes", "live", "--now", NOW, "-o", "e4.plan.json")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    plan = json.loads((tmp_path / "e4.plan.json").read_text())
    assert plan["run_key"] == "e4@2026-01-05T14:00Z"
    wire = plan["wire"] if isinstance(plan["wire"], str) else json.dumps(plan["wire"])
    assert prices(wire)[0][0] == 2325520000000  # 2325.51 + the config's 0.01 tick
    ran = graphc(sandbox, tmp_path, "run", playbook.name, "--once", "--now", NOW, "--settle", "0")
    # before the fix: lint_failed, rc 1: "'ask + 1 tick' needs the market's tick, which is unknown" (GC109)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    (graph,) = submitted_graphs(sandbox)
    assert graph["wire_sha256"] == hashlib.sha256(body_of(wire, plan["run_key"])).hexdigest()


def test_the_bundles_main_py_sends_the_graph_compile_makes_with_the_bundled_configs_facts(sandbox, tmp_path):
    """The hosted strategy runs the same Runner from the bundle's own copy of the project and its graphc.toml."""
    from tests.test_recurring_e2e import PYTHON, hosted_env

    playbook = project(tmp_path, "e1", "$1000", "bid - 7.5bps")
    compiled = graphc(sandbox, tmp_path, "compile", playbook.name, "--quotes", "snap.yaml", "--now", OCCURRENCE)
    assert compiled.returncode == 0, compiled.stderr
    out = tmp_path / "out"
    bundled = graphc(sandbox, tmp_path, "bundle", playbook.name, "-o", str(out), "--now", "2026-01-05T14:00:00Z")
    assert bundled.returncode == 0, bundled.stderr
    env = hosted_env(out, sandbox, GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:05:00Z")
    ran = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=out, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    (submitted,) = [e for e in events(ran.stdout) if e["event"] == "submitted"]
    (graph,) = submitted_graphs(sandbox)
    # before the fix: the off-tick 2323.7458825 and the off-lot 0.43033965 ETH, as `graphc run` sent them
    assert graph["wire_sha256"] == hashlib.sha256(body_of(compiled.stdout, submitted["run_key"])).hexdigest()
