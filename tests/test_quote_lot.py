"""A quote's `lot` gets the venue-wide facts check graphc.toml's `lot` gets (audit selfcons24 1).

Kalshi trades whole contracts (venue-rules.md §2; 0.01 only where `fractional_trading_enabled`, which graphc.toml
says with `fractional = true`) and Polymarket sizes are in 0.01 shares (§1). A finer `lot` in the quotes snapshot,
or in the router's quote answer (`--quotes live`), is GC105 at the value and is not used: the venue's own lot is,
so compile sizes a notional on it, GC305 checks a typed size against it, and nothing finer reaches the router.
Before the fix a snapshot's lot was used whatever it was: 30.3 contracts and 30.303 shares were compiled, linted
clean and sent.
"""

from __future__ import annotations

import pytest
from sandbox_fixture import cli_env, run_graphc

import graphc

QUOTES = """\
KXFED-26DEC-T4.25: {bid: 0.33, ask: 0.34, lot: 0.01}
will-x:yes: {bid: 0.33, ask: 0.34, lot: 0.0001}
"""
PLAYBOOK = """\
graphc: 1
name: f1
legs:
  k:
    buy: $10
    symbol: KXFED-26DEC-T4.25
    limit: 0.33
  k2:
    buy: 2.5 contracts
    symbol: KXFED-26DEC-T4.25
    limit: 0.33
  p:
    buy: $10
    symbol: will-x:yes
    limit: 0.33
"""
KALSHI_SAID = (
    "0.01 is looser than kalshi's own 1: whole contracts (venue-rules.md §2; 0.01 only where "
    "fractional_trading_enabled: `fractional = true`), so it is not used"
)
POLY_SAID = (
    "0.0001 is looser than polymarket's own 0.01: sizes in 0.01 shares (venue-rules.md §1: size rounds down to "
    "2 dp), so it is not used"
)


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "graphc.toml").write_text("")
    (tmp_path / "q.yaml").write_text(QUOTES)
    (tmp_path / "p.yaml").write_text(PLAYBOOK)
    return tmp_path


def qty(wire: dict) -> dict:
    return {node["node_id"]: node["quantity"]["fixed"]["qty_1e8"] for node in wire["nodes"]}


def test_a_snapshot_lot_finer_than_the_venues_is_gc105_at_it_and_the_venues_lot_is_used(project):
    result = run_graphc(["lint", "--no-cache", "p.yaml", "--quotes", "q.yaml"], {"NO_COLOR": "1"}, project)
    # before the fix: "no problems in 1 file", rc 0
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert f"q.yaml:1:48: error GC105 quote KXFED-26DEC-T4.25.lot: {KALSHI_SAID}" in out
    assert f"q.yaml:2:41: error GC105 quote will-x:yes.lot: {POLY_SAID}" in out
    assert "note: p.yaml:6:13: KXFED-26DEC-T4.25 is traded on kalshi here" in out
    assert "note: p.yaml:14:13: will-x:yes is traded on polymarket here" in out
    # the typed 2.5 contracts is checked against kalshi's whole contract, as without --quotes
    assert "p.yaml:9:10: error GC305 size 2.5 is not a whole number of contracts" in out

    compiled = run_graphc(["compile", "p.yaml", "--quotes", "q.yaml"], {"NO_COLOR": "1"}, project)
    assert compiled.returncode == 1 and compiled.stdout == "", compiled.stdout  # refused as lint refuses it
    assert f"error GC105 quote KXFED-26DEC-T4.25.lot: {KALSHI_SAID}" in compiled.stderr
    # the graph compile worked out is sized on the venues' own lots: 30 contracts and 30.30 shares of $10 at 0.33
    # (before: 30.3 contracts, 30.303 shares)
    made = graphc.compile_file(project / "p.yaml", quotes=project / "q.yaml")
    assert qty(made.wire) == {"k": 3_000_000_000, "k2": 250_000_000, "p": 3_030_000_000}
    assert {d.code for d in made.diagnostics} == {"GC105"}


def test_a_snapshot_lot_is_not_sent_to_the_router(project, sandbox):
    result = run_graphc(["submit", "p.yaml", "--quotes", "q.yaml", "--run-key", "f1"], cli_env(sandbox), project)
    # before the fix: "submitted", rc 0, with 30.3 contracts, 2.5 contracts and 30.303 shares
    assert result.returncode == 1, result.stderr
    assert f"error GC105 quote KXFED-26DEC-T4.25.lot: {KALSHI_SAID}" in result.stderr
    assert sandbox.requests("POST", "/v1/orders") == []


def test_a_fractional_kalshi_market_keeps_a_snapshot_lot_of_a_hundredth_and_nothing_finer(project, sandbox):
    (project / "graphc.toml").write_text('[markets."KXFED-26DEC-T4.25"]\nfractional = true\n')
    (project / "q.yaml").write_text(QUOTES.replace("lot: 0.0001", "lot: 0.01"))
    result = run_graphc(["lint", "--no-cache", "p.yaml", "--quotes", "q.yaml"], {"NO_COLOR": "1"}, project)
    assert result.returncode == 0, result.stderr
    sent = run_graphc(["submit", "p.yaml", "--quotes", "q.yaml", "--run-key", "f1"], cli_env(sandbox), project)
    assert sent.returncode == 0, sent.stderr
    assert sizes_sent(sandbox) == {"k": 3_030_000_000, "k2": 250_000_000, "p": 3_030_000_000}

    (project / "q.yaml").write_text(QUOTES.replace("lot: 0.01", "lot: 0.001"))
    result = run_graphc(["lint", "--no-cache", "p.yaml", "--quotes", "q.yaml"], {"NO_COLOR": "1"}, project)
    assert result.returncode == 1, result.stderr
    assert (
        "q.yaml:1:48: error GC105 quote KXFED-26DEC-T4.25.lot: 0.001 is looser than kalshi's own 0.01" in result.stdout
    )
    # the market's lot is then graphc.toml's, 0.01: 2.5 contracts is fine
    assert "error GC305" not in result.stdout


def sizes_sent(sandbox) -> dict:
    (graph,) = sandbox.graphs()
    status, view, _ = sandbox.api("GET", f"/v1/execution_graphs/{graph['graph_id']}")
    assert status == 200
    return {name.split(".gc")[0]: node["target_qty_1e8"] for name, node in view["nodes"].items()}


# -- --quotes live: the router's answer's lot takes the same path ------------------------------------------------


def live_prices(sandbox, kalshi_lot: str, poly_lot: str) -> None:
    sandbox.control(
        "POST",
        "/prices",
        {
            "KXFED-26DEC-T4.25": {"bid": "0.33", "ask": "0.34", "lot": kalshi_lot},
            "will-x:yes": {"bid": "0.33", "ask": "0.34", "lot": poly_lot},
        },
    )


def test_the_sandbox_answers_a_lot_only_where_asked(sandbox):
    live_prices(sandbox, "0.01", "0.0001")
    status, body, _ = sandbox.api("GET", "/v1/quotes?symbol=KXFED-26DEC-T4.25")
    assert status == 200 and body["lot"] == "0.01", body


def test_a_live_lot_finer_than_the_venues_is_gc105_and_nothing_is_sent(project, sandbox):
    live_prices(sandbox, "0.01", "0.0001")
    env = cli_env(sandbox)
    result = run_graphc(["lint", "p.yaml", "--quotes", "live"], env, project)
    assert result.returncode == 1, result.stderr
    out = " ".join(result.stdout.split())
    assert (
        "error GC105 quote KXFED-26DEC-T4.25.lot of the router's answer (GET /v1/quotes?symbol=KXFED-26DEC-T4.25): "
        f"{KALSHI_SAID}" in out
    )
    assert (
        f"error GC105 quote will-x:yes.lot of the router's answer (GET /v1/quotes?symbol=will-x:yes): {POLY_SAID}"
        in (out)
    )
    assert (
        "hint: the router's answer is wrong about this market, not the playbook: KXFED-26DEC-T4.25 is checked "
        'against the next lot known instead (1); to give the market\'s own, set [markets."KXFED-26DEC-T4.25"] lot '
        "in graphc.toml" in out
    )
    assert "error GC305 size 2.5 is not a whole number of contracts" in out

    sent = run_graphc(["submit", "p.yaml", "--quotes", "live", "--run-key", "f1"], env, project)
    assert sent.returncode == 1, sent.stderr
    assert sandbox.requests("POST", "/v1/orders") == []

    # the same answer on a market graphc.toml says is fractional: its 0.01 is the market's lot, and is sent
    (project / "graphc.toml").write_text('[markets."KXFED-26DEC-T4.25"]\nfractional = true\n')
    live_prices(sandbox, "0.01", "0.01")
    sent = run_graphc(["submit", "p.yaml", "--quotes", "live", "--run-key", "f2"], env, project)
    assert sent.returncode == 0, sent.stderr
    assert sizes_sent(sandbox) == {"k": 3_030_000_000, "k2": 250_000_000, "p": 3_030_000_000}
