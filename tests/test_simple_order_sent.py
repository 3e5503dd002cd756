"""A simple order is sent as written: its node gives the router the symbol and the venue the user wrote, and an
instrument type only where the router would otherwise read the symbol as another kind of market (audit wirelint23 1).

The reference's simple order is `{symbol, side, qty, price?, venue?}`: no type, and "venue … Omit for SOR routing";
its symbol "can be a Polymarket slug, :yes / :no slug, raw token ID, or a full polymarket.com/event/... URL", and
the router normalizes Polymarket slug and URL inputs to prediction (Node Fields, instrument.type). graphc wrapped
`{"symbol": "will-btc-reach-150k", ...}` into a node with `"type": "spot"`, the unroutable order GC306 exists to stop,
and pinned `"venue": "polymarket"` on a `:yes` slug or a token id the user left to the router; lint and plan said
nothing. Now the node leaves the type out wherever the router reads a node without one as graphc reads the order
(graphc.venues.router_type: a pair as spot, a URL or `:yes`/`:no` slug as prediction, a bare slug as the router
decides) and writes it only where it would not (a token id, a `KX` ticker, a `-PERP` symbol, a venue of prediction
markets: without it "the graph engine assumes spot", hosted-strategies.md); the venue is there only when written.
A symbol that may be a bare slug, with no venue, is GC111 in lint and plan. Each body is checked byte for byte
against what the local sandbox router received (its SHA-256), over real HTTP.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from sandbox_fixture import cli_env, run_graphc

from graphc.api.runtag import content_run_key, run_tag, tag_wire
from graphc.cli import cli
from graphc.stages.emit import to_json
from tests.conftest import write

SLUG = "will-btc-reach-150k"
TOKEN = "71321045679252212594626385532706912750332728571942532289631379312455583992563"

# the simple order's symbol and venue -> the node's instrument
CASES = {
    "slug": ({"symbol": SLUG}, {"symbol": SLUG}),
    "slug, venue": (
        {"symbol": SLUG, "venue": "polymarket"},
        {"symbol": SLUG, "type": "prediction", "venue": "polymarket"},
    ),
    ":yes slug": ({"symbol": f"{SLUG}:yes"}, {"symbol": f"{SLUG}:yes"}),
    ":yes slug, venue": (
        {"symbol": f"{SLUG}:yes", "venue": "polymarket"},
        {"symbol": f"{SLUG}:yes", "venue": "polymarket"},
    ),
    "token id": ({"symbol": TOKEN}, {"symbol": TOKEN, "type": "prediction"}),
    "token id, venue": (
        {"symbol": TOKEN, "venue": "polymarket"},
        {"symbol": TOKEN, "type": "prediction", "venue": "polymarket"},
    ),
    "pair": ({"symbol": "BTC-USD"}, {"symbol": "BTC-USD"}),
    "pair, venue": ({"symbol": "BTC-USD", "venue": "coinbase"}, {"symbol": "BTC-USD", "venue": "coinbase"}),
}


def _order(written: dict) -> dict:
    prediction = written["symbol"] != "BTC-USD"
    return {**written, "side": "buy", "qty": 10 if prediction else 0.1, "price": 0.4 if prediction else 60000}


def _node(instrument: dict, written: dict) -> dict:
    prediction = written["symbol"] != "BTC-USD"
    return {
        "node_id": "order",
        "instrument": instrument,
        "side": "buy",
        "order_type": {"limit": {"price_1e9": 400_000_000 if prediction else 60_000_000_000_000}},
        "quantity": {"fixed": {"qty_1e8": 1_000_000_000 if prediction else 10_000_000}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }


@pytest.mark.parametrize("case", list(CASES))
def test_the_sandbox_receives_the_simple_order_as_written(sandbox, tmp_path, case):
    written, instrument = CASES[case]
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    path = write(project, "order.json", json.dumps(_order(written)))
    proc = run_graphc(["submit", path], cli_env(sandbox), project)
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    # what graphc sends: the wrapped node, its id tagged with the run (docs/submitting.md, exactly once)
    untagged = to_json({"nodes": [_node(instrument, written)], "edges": [], "is_sandbox": True})
    body = tag_wire(untagged, run_tag(content_run_key("graph", untagged))).encode()
    (graph,) = sandbox.graphs()
    assert graph["wire_sha256"] == hashlib.sha256(body).hexdigest(), body.decode()
    [request] = sandbox.requests("POST", "/v1/orders")
    assert request["fields"] == ["edges", "is_sandbox", "nodes"]


def _lint(path, *args):
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--format", "json", *args, str(path)])
    return result.exit_code, json.loads(result.stdout)["diagnostics"]


def test_lint_and_plan_warn_of_a_symbol_that_may_be_a_bare_slug(tmp_path):
    text = json.dumps(_order({"symbol": SLUG}), indent=2)
    path = write(tmp_path, "slug.json", text)
    code, diagnostics = _lint(path)
    assert code == 0
    [found] = diagnostics
    line = text.splitlines().index(f'  "symbol": "{SLUG}",') + 1
    assert (found["code"], found["severity"], found["line"], found["column"]) == ("GC111", "warning", line, 13)
    assert found["message"] == (
        f"'{SLUG}' may be a Polymarket slug: the router reads a slug as a prediction market (it normalizes "
        "Polymarket slugs), but graphc cannot tell one from a trading pair, so it checks the order as spot"
    )
    assert found["hint"] == (
        'if it is a slug, write its `:yes`/`:no` form or its polymarket.com/event/... URL, or pin "venue": '
        '"polymarket"; write a trading pair in capitals (BTC-USD)'
    )
    assert _lint(path, "--strict")[0] == 1
    plan = CliRunner().invoke(cli, ["plan", str(path)])
    assert plan.exit_code == 0, plan.output
    assert "warning GC111" in plan.stderr and "may be a Polymarket slug" in plan.stderr


@pytest.mark.parametrize("case", [c for c in CASES if c != "slug"])
def test_no_warning_where_the_router_reads_the_symbol_as_graphc_does(tmp_path, case):
    written, _ = CASES[case]
    assert _lint(write(tmp_path, "o.json", json.dumps(_order(written))), "--strict") == (0, [])


def test_a_wire_node_with_a_bare_slug_and_no_type_is_warned_in_the_same_words(tmp_path):
    graph = {"nodes": [_node({"symbol": SLUG}, {"symbol": SLUG})], "edges": [], "is_sandbox": True}
    [found] = _lint(write(tmp_path, "w.json", json.dumps(graph)))[1]
    assert found["code"] == "GC111" and found["message"] == (
        f"node 'order' has no instrument.type: the router reads it as spot, or as a prediction market if '{SLUG}' "
        "is a Polymarket slug (the router reads a slug as a prediction market (it normalizes Polymarket slugs), but "
        "graphc cannot tell one from a trading pair; it checks the node as spot)"
    )


@pytest.mark.parametrize(
    "written, leg, note",
    [
        (
            {"symbol": f"{SLUG}:yes"},
            f"    buy: 10 shares\n    symbol: {SLUG}:yes\n    limit: 0.4\n",  # (the venue its symbol names)
            "the simple order leaves the venue to the router; the playbook pins polymarket",
        ),
        (
            {"symbol": TOKEN},
            f'    buy: 10 shares\n    symbol: "{TOKEN}"\n    limit: 0.4\n',
            "the simple order leaves the venue to the router; the playbook pins polymarket",
        ),
        (
            {"symbol": SLUG},
            f"    buy: 10 {SLUG.split('-')[0].upper()}\n    symbol: {SLUG}\n",
            "may be a Polymarket slug",
        ),
    ],
)
def test_decompile_of_a_simple_order_says_what_the_playbook_pins(tmp_path, written, leg, note):
    path = write(tmp_path, "o.json", json.dumps(_order(written)))
    result = CliRunner().invoke(cli, ["decompile", str(path)])
    assert result.exit_code == 0, result.output
    assert leg in result.stdout, result.stdout
    assert note in result.stderr, result.stderr


def test_a_saved_plan_of_a_simple_order_is_linted_again_as_the_order_was(sandbox, tmp_path):
    # its graph is the order's node, without the type the order cannot give: linted again as a hand-written wire
    # graph, it drew GC111 "add "type": ..." (a plan cannot be edited), and `--strict` refused to send it
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    env = cli_env(sandbox)
    for name, written, warned in [("pair", {"symbol": "BTC-USD"}, False), ("slug", {"symbol": SLUG}, True)]:
        order = write(project, f"{name}.json", json.dumps(_order(written)))
        saved = project / f"{name}.plan"
        planned = run_graphc(["plan", order, "-o", saved], env, project)
        assert planned.returncode == 0, planned.stderr
        assert json.loads(saved.read_text())["simple_order"] is True
        again = run_graphc(["plan", saved], env, project)
        assert again.returncode == 0, again.stderr
        assert ("warning GC111" in again.stderr) is warned, again.stderr
        assert ("may be a Polymarket slug" in again.stderr) is warned, again.stderr
    sent = run_graphc(["submit", project / "pair.plan"], env, project)
    assert sent.returncode == 0, sent.stderr
    plan = json.loads((project / "pair.plan").read_text())
    (graph,) = sandbox.graphs()
    body = tag_wire(plan["wire"], run_tag(plan["run_key"])).encode()
    assert graph["wire_sha256"] == hashlib.sha256(body).hexdigest()
    assert json.loads(plan["wire"])["nodes"][0]["instrument"] == {"symbol": "BTC-USD"}
