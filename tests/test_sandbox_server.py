"""`graphc sandbox serve` as a separate process, driven with plain urllib:
endpoints and shapes, the fill simulator's triggers, faults."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from sandbox_fixture import REPO, edge, hedge_graph, node, running_sandbox, wire

from graphc.cli import cli

MAX_SANDBOX_NODES = 10_000  # docs/submitting.md, "The local sandbox server"; docs/robustness.md


def submit(sb, graph, headers=None):
    status, body, _hdrs = sb.request(
        "POST", "/v1/orders", wire(graph), {"Authorization": "Bearer t", **(headers or {})}
    )
    assert status == 200, body
    return body["graph_id"]


def get(sb, gid):
    status, body, _ = sb.api("GET", f"/v1/execution_graphs/{gid}")
    assert status == 200, body
    return body


def frozen(sb):
    """Stop simulated time; the test advances it with ticks."""
    sb.configure(speed=0)


def timeline(sb, gid, types=("edge_fired", "node_status", "node_accepted", "fill")):
    """Events as compact tuples, for asserting order."""
    out = []
    for e in sb.events(gid):
        if e["type"] not in types:
            continue
        if e["type"] == "edge_fired":
            out.append((e["t_ms"], "fired", e["edge"]))
        elif e["type"] == "node_status":
            out.append((e["t_ms"], e["node"], e["status"]))
        elif e["type"] == "node_accepted":
            out.append((e["t_ms"], e["node"], "accepted"))
        else:
            out.append((e["t_ms"], e["node"], "fill", e["filled_qty_1e8"]))
    return out


# -- endpoints --------------------------------------------------------------------


def test_requires_a_bearer_token(sandbox):
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic dXNlcg=="}):
        status, body, hdrs = sandbox.request("GET", "/v1/orders", headers=headers)
        assert status == 401 and body["error"]["code"] == "unauthorized"
        assert hdrs.get("WWW-Authenticate") == "Bearer"


def test_simple_order_is_a_one_node_graph(sandbox):
    status, body, _ = sandbox.api("POST", "/v1/orders", {"symbol": "BTC-USD", "side": "buy", "qty": 0.1})
    assert status == 200
    assert set(body) == {"graph_id", "status", "node_count", "edge_count"}
    assert (body["status"], body["node_count"], body["edge_count"]) == ("active", 1, 0)
    graph = get(sandbox, body["graph_id"])
    assert set(graph) == {"graph_id", "client_id", "status", "nodes", "edges"}
    assert set(graph["nodes"]["node_0"]) == {
        "status",
        "target_qty_1e8",
        "filled_qty_1e8",
        "avg_fill_price_1e9",
        "fill_count",
    }
    assert graph["nodes"]["node_0"]["target_qty_1e8"] == 10_000_000


@pytest.mark.parametrize(
    "body, rule, words",
    [
        ({"symbol": "BTC-USD", "side": "buy", "qty": 0.000000001}, "GC106", "more precision"),
        ({"symbol": "BTC-USD", "side": "buy", "qty": 0}, "GC103", "not positive"),
        ({"symbol": "BTC-USD", "side": "long", "qty": 1}, "GC103", "`side` must be buy or sell, not 'long'"),
        ({"nodes": [node("a", qty_1e8=1.5)], "edges": []}, "GC103", "nodes.0.quantity.fixed.qty_1e8"),
        ({"nodes": [node("a", qty_1e8=0)], "edges": []}, "GC103", "minimum of 1"),
        ({"nodes": [node("a", activation="wait")], "edges": []}, "GC206", "no node has activation 'root'"),
        ({"nodes": [node("a"), node("a")], "edges": []}, "GC203", "'a' is already used"),
        (
            {"nodes": [node("a"), node("b", activation="wait")], "edges": [edge("e0", "a", "b", "on_fill_ratio", 1.5)]},
            "GC208",
            "edge e0: fill_ratio_gte 1.5 is outside (0, 1]",
        ),
        (
            {"nodes": [node("a"), node("b", activation="wait")], "edges": [edge("e0", "a", "b", "on_fill_ratio")]},
            "GC208",
            "on_fill_ratio needs condition",
        ),
        (
            {"nodes": [node("a"), node("b", activation="wait")], "edges": [edge("e0", "a", "b", "on_whim")]},
            "GC103",
            "unknown trigger 'on_whim'",  # the names are in its hint (audit spec.md 4)
        ),
        (
            {"nodes": [node("a"), node("b", activation="wait")], "edges": [edge("e0", "a", "x", "on_done")]},
            "GC202",
            "edge e0 goes to unknown leg 'x'",
        ),
        (
            {
                "nodes": [node("a"), node("b", activation="wait"), node("c", activation="wait")],
                "edges": [
                    edge("e0", "a", "b", "on_done"),
                    edge("e1", "b", "c", "on_done"),
                    edge("e2", "c", "b", "on_done"),
                ],
            },
            "GC201",
            "cycle",
        ),
        ({"nodes": [node("a")], "edges": [], "colour": "red"}, "GC102", "unknown key 'colour'"),
        ({"graphc": 1, "name": "x", "legs": {}}, None, "compile it"),
    ],
)
def test_validation_errors_are_400_and_name_lints_rule(sandbox, body, rule, words):
    """The sandbox refuses exactly what the compiler's checks call errors, with lint's rule code."""
    status, answer, _ = sandbox.api("POST", "/v1/orders", body)
    assert status == 400
    assert answer["error"]["code"] == "validation_error"
    assert answer["error"].get("rule") == rule and words in answer["error"]["message"], answer
    assert sandbox.graphs() == []


# Audit wirelint23 4: the sandbox accepted graphs that `graphc lint` gives a graph error (GC2xx) for, although
# docs/submitting.md says the two never disagree. Each of these lints with that code as an error, and the sandbox,
# which now runs lint's own graph rules, refuses it with the same code and message.

BTC_LIMIT = 60_000_000_000_000  # $60,000
PRICE_EDGE = {"symbol": "BTC-USD", "direction": "above", "reference": "graph_entry_price", "offset_pct": -5}
LINT_GRAPH_ERRORS = {
    "orphan": (
        {"nodes": [node("a", "BTC-USD", limit_1e9=BTC_LIMIT), node("b", "BTC-USD", activation="wait")], "edges": []},
        "GC204",
        "node 'b' waits for an edge, but no edge leads to it",
    ),
    "root_in": (
        {
            "nodes": [node("a", "BTC-USD", limit_1e9=BTC_LIMIT), node("b", "BTC-USD")],
            "edges": [edge("e0", "a", "b", "on_full_fill")],
        },
        "GC205",
        "root node 'b' starts at once",
    ),
    "unreach": (
        {
            "nodes": [node("a", "BTC-USD"), node("b", "BTC-USD", activation="wait"), node("c", activation="wait")],
            "edges": [edge("e0", "b", "c", "on_full_fill")],
        },
        "GC204",  # and GC207 for c: the first error is answered, "(and 1 more)"
        "(and 1 more)",
    ),
    "der0": (
        {
            "nodes": [node("a", "BTC-USD", limit_1e9=BTC_LIMIT), node("b", "BTC-USD", "sell", "derived", "wait")],
            "edges": [edge("e0", "a", "b", "on_accepted")],
        },
        "GC209",
        "node 'b' has a derived quantity but no incoming fill edge",
    ),
    "dup_edge": (
        {
            "nodes": [node("a", "BTC-USD"), node("b", "BTC-USD", activation="wait")],
            "edges": [edge("e0", "a", "b", "on_full_fill"), edge("e1", "a", "b", "on_full_fill")],
        },
        "GC210",
        "edge e1 repeats edge e0",
    ),
    "price_bad_dir": (
        {
            "nodes": [node("a", "BTC-USD", limit_1e9=BTC_LIMIT), node("b", "BTC-USD", activation="wait")],
            "edges": [edge("e0", "a", "b", {"on_price": PRICE_EDGE})],
        },
        "GC208",
        "below the entry price, so it fires at once",
    ),
    "price_-100": (
        {
            "nodes": [node("a", "BTC-USD", limit_1e9=BTC_LIMIT), node("b", "BTC-USD", activation="wait")],
            "edges": [edge("e0", "a", "b", {"on_price": {**PRICE_EDGE, "direction": "below", "offset_pct": -100}})],
        },
        "GC208",
        "it never fires",
    ),
    "price_above_one": (  # a Polymarket price stays at or below 0.999: 0.6 + 80% is never reached
        {
            "nodes": [
                {**node("a", limit_1e9=600_000_000, qty_1e8=1_000_000_000), "instrument": {"symbol": "x:yes"}},
                {**node("b", "sell", activation="wait"), "instrument": {"symbol": "x:yes"}},
            ],
            "edges": [edge("e0", "a", "b", {"on_price": {**PRICE_EDGE, "symbol": "x:yes", "offset_pct": 80}})],
        },
        "GC208",
        "polymarket's prices stay at or below 0.999, so it never fires",
    ),
}


@pytest.mark.parametrize("name", sorted(LINT_GRAPH_ERRORS))
def test_a_graph_with_a_lint_graph_error_is_refused_with_its_code(sandbox, tmp_path, name):
    graph, rule, words = LINT_GRAPH_ERRORS[name]
    graph = {**graph, "is_sandbox": True}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(graph))
    linted = CliRunner().invoke(cli, ["lint", "--no-cache", "-f", "json", str(path)])
    errors = [d for d in json.loads(linted.stdout)["diagnostics"] if d["severity"] == "error"]
    assert linted.exit_code == 1 and errors[0]["code"] == rule, linted.stdout
    status, answer, _ = sandbox.api("POST", "/v1/orders", path.read_bytes())
    assert status == 400, answer
    assert answer["error"]["code"] == "validation_error" and answer["error"].get("rule") == rule, answer
    assert errors[0]["message"] in answer["error"]["message"] and words in answer["error"]["message"], answer
    assert sandbox.graphs() == []


def test_the_sandboxs_node_limit_says_it_is_its_own_not_the_routers(sandbox):
    count = MAX_SANDBOX_NODES + 1
    nodes = [node(f"n{i}", limit_1e9=BTC_LIMIT, activation="wait" if i else "root") for i in range(count)]
    edges = [edge(f"e{i}", f"n{i}", f"n{i + 1}", "on_full_fill") for i in range(count - 1)]
    status, answer, _ = sandbox.api("POST", "/v1/orders", {"nodes": nodes, "edges": edges, "is_sandbox": True})
    assert status == 400 and answer["error"]["code"] == "validation_error" and "rule" not in answer["error"], answer
    message = answer["error"]["message"]
    assert message.startswith(f"the graph has {count} nodes; this local sandbox simulates at most {count - 1}")
    assert "its own limit, not the router's" in message and "GRAPHC_MAX_SANDBOX_NODES" in message
    assert sandbox.graphs() == []


def test_the_node_limit_is_raised_or_lowered_by_its_environment_variable(monkeypatch):
    monkeypatch.setenv("GRAPHC_MAX_SANDBOX_NODES", "3")

    def chain(count):
        nodes = [node(f"n{i}", activation="wait" if i else "root") for i in range(count)]
        return {
            "nodes": nodes,
            "edges": [edge(f"e{i}", f"n{i}", f"n{i + 1}", "on_full_fill") for i in range(count - 1)],
        }

    with running_sandbox(speed=0) as sb:
        assert sb.api("POST", "/v1/orders", chain(3))[0] == 200
        status, answer, _ = sb.api("POST", "/v1/orders", chain(4))
        assert status == 400 and "this local sandbox simulates at most 3:" in answer["error"]["message"], answer


def test_unknown_graph_and_method(sandbox):
    assert sandbox.api("GET", "/v1/execution_graphs/graph_nope")[0] == 404
    assert sandbox.api("PATCH", "/v1/orders")[0] == 405
    assert sandbox.api("GET", "/v2/whatever")[0] == 404


def test_orders_listing(sandbox):
    frozen(sandbox)
    first = submit(sandbox, hedge_graph(), {"Idempotency-Key": "k1"})
    second = submit(sandbox, {"nodes": [node("x", "BTC-USD", "sell", 1)], "edges": []})
    sandbox.tick(1100)
    status, page, _ = sandbox.api("GET", "/v1/orders")
    assert status == 200 and page["total"] == 3 and page["has_more"] is False
    ids = [o["node_order_id"] for o in page["orders"]]
    # newest order first: the hedge was placed during the tick, after both graphs' roots
    assert ids == [f"graph:{first}:hedge:1", f"graph:{second}:x:1", f"graph:{first}:spot:1"]
    created = [o["created_unix_ns"] for o in page["orders"]]
    assert created == sorted(created, reverse=True)
    by_id = {o["node_order_id"]: o for o in page["orders"]}
    spot = by_id[f"graph:{first}:spot:1"]
    assert spot["side"] == "BUY" and spot["status"] == "ACTIVE" and spot["idempotency_key"] == "k1"
    assert by_id[f"graph:{second}:x:1"]["side"] == "SELL"
    assert by_id[f"graph:{second}:x:1"]["status"] == "COMPLETED"
    assert page["idempotency_key_supported"] is True
    _, page, _ = sandbox.api("GET", "/v1/orders?limit=1&offset=1")
    assert [o["node_order_id"] for o in page["orders"]] == ids[1:2] and page["has_more"] is True
    _, page, _ = sandbox.api("GET", "/v1/orders?symbol=ETH-USD-PERP")
    assert [o["node_order_id"] for o in page["orders"]] == ids[:1]
    _, page, _ = sandbox.api("GET", f"/v1/orders?node_order_id=graph:{first}:spot:1")
    assert page["total"] == 1
    assert sandbox.api("GET", "/v1/orders?limit=0")[0] == 400
    sandbox.configure(expose_idempotency_keys=False)
    _, page, _ = sandbox.api("GET", "/v1/orders")
    assert "idempotency_key" not in page["orders"][0] and "idempotency_key_supported" not in page


def test_fills_listing(sandbox):
    frozen(sandbox)
    gid = submit(sandbox, {"nodes": [node("a", qty_1e8=10, limit_1e9=2_500_000_000)], "edges": []})
    sandbox.tick(5000)
    _, page, _ = sandbox.api("GET", "/v1/fills")
    assert page["total"] == 4
    assert sum(f["qty_1e8"] for f in page["fills"]) == 10
    assert {f["price_1e9"] for f in page["fills"]} == {2_500_000_000}
    assert {f["node_order_id"] for f in page["fills"]} == {f"graph:{gid}:a:1"}
    assert get(sandbox, gid)["nodes"]["a"]["avg_fill_price_1e9"] == 2_500_000_000


def test_idempotency_key_replays_and_conflicts(sandbox):
    gid = submit(sandbox, hedge_graph(), {"Idempotency-Key": "run-7"})
    status, body, headers = sandbox.request(
        "POST", "/v1/orders", wire(hedge_graph()), {"Authorization": "Bearer t", "Idempotency-Key": "run-7"}
    )
    assert status == 200 and body["graph_id"] == gid and headers.get("Idempotent-Replayed") == "true"
    status, body, _ = sandbox.request(
        "POST", "/v1/orders", wire(hedge_graph(1)), {"Authorization": "Bearer t", "Idempotency-Key": "run-7"}
    )
    assert status == 409 and body["error"]["code"] == "idempotency_conflict"
    assert len(sandbox.graphs()) == 1


def test_kill_switch(sandbox):
    frozen(sandbox)
    gid = submit(sandbox, hedge_graph())
    status, body, _ = sandbox.api("PUT", "/v1/kill_switch", {"active": True, "reason": "drill"})
    assert status == 200 and body["cancelled_graphs"] == 1
    assert get(sandbox, gid)["status"] == "cancelled"
    status, body, _ = sandbox.api("POST", "/v1/orders", hedge_graph())
    assert status == 403 and body["error"]["code"] == "kill_switch_active"
    assert sandbox.api("PUT", "/v1/kill_switch", {"active": False})[0] == 200
    submit(sandbox, hedge_graph())


def test_cancel_pause_and_resume(sandbox):
    frozen(sandbox)
    gid = submit(sandbox, hedge_graph())
    sandbox.tick(600)  # first fill at 550
    sandbox.pause(gid)
    sandbox.tick(10_000)  # nothing happens while paused
    assert get(sandbox, gid)["nodes"]["spot"]["fill_count"] == 1
    status, body, _ = sandbox.api("POST", f"/v1/execution_graphs/{gid}/resume")
    assert status == 200 and body["status"] == "active"
    assert sandbox.api("POST", f"/v1/execution_graphs/{gid}/resume")[0] == 409
    sandbox.tick(449)
    assert get(sandbox, gid)["nodes"]["spot"]["fill_count"] == 1  # the pause shifted the schedule
    sandbox.tick(1)
    assert get(sandbox, gid)["nodes"]["spot"]["fill_count"] == 2
    status, body, _ = sandbox.api("DELETE", f"/v1/execution_graphs/{gid}")
    assert status == 200 and body["status"] == "cancelled"
    graph = get(sandbox, gid)
    assert graph["nodes"]["spot"]["status"] == "cancelled" and graph["nodes"]["hedge"]["status"] == "cancelled"
    assert sandbox.api("DELETE", f"/v1/execution_graphs/{gid}")[0] == 200  # idempotent


def test_risk_admission(sandbox):
    graph = hedge_graph(600_000_000_000)  # 6000 ETH at 100 (no price set: the sandbox's 100) = $600k per leg
    status, body, _ = sandbox.api("POST", "/v1/orders", graph)
    assert status == 400 and body["error"]["code"] == "risk_admission_rejected"
    assert body["error"]["rule"] == "GC501"


# The examples' quotes (examples/quotes.yaml) for the reference's Full Execution Graph.
EXAMPLE_BOOKS = {"ETH-USD": {"bid": "2325.10", "ask": "2325.53"}, "ETH-USD-PERP": {"bid": "2324.80", "ask": "2325.20"}}


def test_the_reference_full_execution_graph_is_admitted_at_the_examples_quotes(sandbox):
    """audit ops.md 5: the sandbox summed the graph (200 x ~2325 twice, $930k) against max_notional_usd 500000 and
    refused the reference's own example, which lint calls ready (GC503 is a warning: playbook-spec.md §8). Each
    order is under the limit (200 x 2325.53 = 465,106 bought at the ask; 200 x 2324.80 = 464,960 sold at the
    bid), which is what admission checks, as GC501 does."""
    full = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    assert full["risk"]["admission"]["max_notional_usd"] == 500000
    sandbox.control("POST", "/prices", EXAMPLE_BOOKS)
    status, body, _ = sandbox.api("POST", "/v1/orders", {**full, "is_sandbox": True})
    assert status == 200, body
    assert (body["status"], body["node_count"], body["edge_count"]) == ("active", 2, 1)


def test_one_order_above_max_notional_is_refused_at_the_examples_quotes(sandbox):
    # 215.01 ETH at the 2325.53 ask is $500,012.2053, a cent above the $500,000 limit: refused as GC501 refuses it
    full = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    full["nodes"][0]["quantity"] = {"fixed": {"qty_1e8": 21_501_000_000}}
    sandbox.control("POST", "/prices", EXAMPLE_BOOKS)
    status, body, _ = sandbox.api("POST", "/v1/orders", {**full, "is_sandbox": True})
    assert status == 400, body
    assert (body["error"]["code"], body["error"]["rule"]) == ("risk_admission_rejected", "GC501")
    assert "'spot'" in body["error"]["message"] and "500012.2053" in body["error"]["message"], body
    assert sandbox.graphs() == []
    # 215 ETH is $499,988.95: admitted
    full["nodes"][0]["quantity"] = {"fixed": {"qty_1e8": 21_500_000_000}}
    assert sandbox.api("POST", "/v1/orders", {**full, "is_sandbox": True})[0] == 200


def test_admission_compares_only_dollar_notionals(sandbox):
    """audit ops.md 5B: 1000 USD sold on USD-JPY at 150 is 150,000 yen and 50 ETH at 0.0239 BTC is 1.195 BTC;
    neither is dollars, so neither is compared with a $25,000 limit (GC501 skips them: graphc has no rates)."""
    graph = {
        "nodes": [
            node("a", "BTC-USD", qty_1e8=10_000_000, limit_1e9=97_000_010_000_000),  # $9,700.001
            node("b", "ETH-BTC", qty_1e8=5_000_000_000, limit_1e9=23_900_000),
            node("c", "USD-JPY", "sell", 100_000_000_000, limit_1e9=150_000_000_000),
        ],
        "edges": [],
        "risk": {"admission": {"max_notional_usd": 25000}},
        "is_sandbox": True,
    }
    status, body, _ = sandbox.api("POST", "/v1/orders", graph)
    assert status == 200, body


@pytest.mark.parametrize(
    "limit, admitted",
    [
        # audit rulesA.md 3: 90000000001.12345679 x 123456789.123456789 = 11111111021249809378.01234567787364731
        # (by hand with integers, tests/test_rules_risk.py PREC_UP), exactly the limit: admitted, as GC501 passes
        # it; one 1e-17 below it is refused. The 28-digit context rounded the notional to ...01234568.
        ("11111111021249809378.01234567787364731", True),
        ("11111111021249809378.0123456778736473", False),
    ],
)
def test_admission_compares_long_notionals_exactly(sandbox, limit, admitted):
    order = node("e", "BTC-USD", qty_1e8=9_000_000_000_112_345_679, limit_1e9=123_456_789_123_456_789)
    body = json.dumps(
        {"nodes": [order], "edges": [], "is_sandbox": True, "risk": {"admission": {"max_notional_usd": 0}}}
    )
    body = body.replace('"max_notional_usd": 0', f'"max_notional_usd": {limit}')  # the JSON number as written
    status, answer, _ = sandbox.api("POST", "/v1/orders", body.encode())
    assert (status == 200) is admitted, answer
    if not admitted:
        assert (answer["error"]["code"], answer["error"]["rule"]) == ("risk_admission_rejected", "GC501")


# -- the simulator's triggers --------------------------------------------------------


def test_hedge_fires_when_the_parent_reaches_half(sandbox):
    frozen(sandbox)
    gid = submit(sandbox, hedge_graph())
    sandbox.tick(1049)
    assert get(sandbox, gid)["nodes"]["hedge"]["status"] == "pending"
    sandbox.tick(1)
    graph = get(sandbox, gid)
    assert graph["nodes"]["spot"]["filled_qty_1e8"] == 10_000_000_000
    assert graph["nodes"]["hedge"]["status"] == "executing" and graph["edges"]["e0"] == {
        "status": "fired",
        "fired": True,
    }
    sandbox.tick(5000)
    assert timeline(sandbox, gid) == [
        (0, "spot", "executing"),
        (50, "spot", "accepted"),
        (550, "spot", "fill", 5_000_000_000),
        (1050, "spot", "fill", 10_000_000_000),
        (1050, "fired", "e0"),
        (1050, "hedge", "executing"),
        (1100, "hedge", "accepted"),
        (1550, "spot", "fill", 15_000_000_000),
        (1600, "hedge", "fill", 5_000_000_000),
        (2050, "spot", "fill", 20_000_000_000),
        (2050, "spot", "filled"),
        (2100, "hedge", "fill", 10_000_000_000),
        (2600, "hedge", "fill", 15_000_000_000),
        (3100, "hedge", "fill", 20_000_000_000),
        (3100, "hedge", "filled"),
    ]
    assert get(sandbox, gid)["status"] == "completed"


def test_on_timeout_fires_after_its_time(sandbox):
    frozen(sandbox)
    graph = {
        "nodes": [node("a"), node("b", activation="wait")],
        "edges": [edge("e0", "a", "b", {"on_timeout": {"ms": 5000}})],
    }
    gid = submit(sandbox, graph)
    sandbox.tick(4999)
    view = get(sandbox, gid)
    assert view["nodes"]["a"]["status"] == "filled"  # the parent finished long ago...
    assert view["nodes"]["b"]["status"] == "pending" and view["status"] == "active"  # ...b still waits
    sandbox.tick(1)
    assert get(sandbox, gid)["nodes"]["b"]["status"] == "executing"
    assert (5000, "fired", "e0") in timeline(sandbox, gid)


def test_first_fill_full_fill_accepted_and_done_in_order(sandbox):
    frozen(sandbox)
    graph = {
        "nodes": [node("a", qty_1e8=8), *(node(n, qty_1e8=1, activation="wait") for n in "bcdef")],
        "edges": [
            edge("e0", "a", "b", "on_accepted"),
            edge("e1", "a", "c", "on_first_fill"),
            edge("e2", "a", "d", "on_full_fill"),
            edge("e3", "a", "e", "on_done"),
            edge("e4", "a", "f", "on_cancel"),
        ],
    }
    gid = submit(sandbox, graph)
    sandbox.tick(10_000)
    events = timeline(sandbox, gid, ("edge_fired",))
    assert events == [(50, "fired", "e0"), (550, "fired", "e1"), (2050, "fired", "e2"), (2050, "fired", "e3")]
    view = get(sandbox, gid)
    assert view["status"] == "completed"
    assert view["nodes"]["f"]["status"] == "cancelled"  # its only parent finished without cancelling
    assert view["edges"]["e4"] == {"status": "skipped", "fired": False}
    assert {n: v["status"] for n, v in view["nodes"].items() if n != "f"} == dict.fromkeys("abcde", "filled")


def test_on_fill_streams_a_derived_hedge(sandbox):
    frozen(sandbox)
    graph = {
        "nodes": [node("a", qty_1e8=1000), node("h", "ETH-USD-PERP", "sell", "derived", "wait")],
        "edges": [edge("e0", "a", "h", "on_fill")],
    }
    gid = submit(sandbox, graph)
    sandbox.tick(1200)  # a: fills at 550 and 1050; h follows
    view = get(sandbox, gid)
    assert view["nodes"]["a"]["filled_qty_1e8"] == 500
    assert view["nodes"]["h"]["target_qty_1e8"] == 500
    sandbox.tick(10_000)
    view = get(sandbox, gid)
    assert view["status"] == "completed"
    assert view["nodes"]["h"] == {
        **view["nodes"]["h"],
        "status": "filled",
        "filled_qty_1e8": 1000,
        "target_qty_1e8": 1000,
    }
    fired = [e for e in sandbox.events(gid) if e["type"] == "edge_fired"]
    assert [e["count"] for e in fired] == [1, 2, 3, 4]  # every parent fill


def test_rejected_parent_fires_on_done_and_a_cancelled_child_fires_on_cancel(sandbox):
    frozen(sandbox)
    sandbox.configure(reject_symbols=["BAD-USD"])
    graph = {
        "nodes": [
            node("p", "BAD-USD"),
            node("d", qty_1e8="derived", activation="wait"),
            node("x", qty_1e8=4, activation="wait"),
        ],
        # e2 gives the derived d a fill edge to follow (else GC209, refused); p is rejected, so only on_done fires
        "edges": [edge("e0", "p", "d", "on_done"), edge("e1", "d", "x", "on_cancel"), edge("e2", "p", "d", "on_fill")],
    }
    gid = submit(sandbox, graph)
    sandbox.tick(10_000)
    view = get(sandbox, gid)
    assert view["nodes"]["p"]["status"] == "rejected"
    assert view["nodes"]["d"]["status"] == "cancelled"  # derived from a parent with no fills
    assert view["nodes"]["x"]["status"] == "filled"
    assert view["status"] == "completed"
    assert [e[2] for e in timeline(sandbox, gid, ("edge_fired",))] == ["e0", "e1"]


def test_on_price_follows_the_configured_path(sandbox):
    frozen(sandbox)
    sandbox.control("POST", "/prices", {"BTC-USD": {"price": 100, "path": [[1000, 97], [3000, 94.9]]}})
    trigger = {
        "on_price": {"symbol": "BTC-USD", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5.0}
    }
    graph = {
        "nodes": [node("a", "BTC-USD"), node("stop", "BTC-USD", "sell", activation="wait")],
        "edges": [edge("e0", "a", "stop", trigger)],
    }
    gid = submit(sandbox, graph)
    sandbox.tick(2999)
    assert get(sandbox, gid)["nodes"]["stop"]["status"] == "pending"  # 97 is only -3 %
    sandbox.tick(1)
    assert get(sandbox, gid)["nodes"]["stop"]["status"] == "executing"
    # market fills use the path price at fill time: a at 550 ms (100) and later (97), stop after 3000
    sandbox.tick(10_000)
    fills = sandbox.api("GET", "/v1/fills?symbol=BTC-USD")[1]["fills"]
    prices = [(f["node_order_id"].split(":")[2], f["price_1e9"]) for f in reversed(fills)]
    assert prices == [("a", 100_000_000_000)] + [("a", 97_000_000_000)] * 3 + [("stop", 94_900_000_000)] * 4


def test_unreachable_wait_nodes_are_cancelled_and_the_graph_completes(sandbox):
    frozen(sandbox)
    trigger = {
        "on_price": {"symbol": "ETH-USD", "direction": "above", "reference": "graph_entry_price", "offset_pct": 10}
    }
    graph = {
        "nodes": [node("a", qty_1e8=4), node("b", activation="wait"), node("c", activation="wait")],
        "edges": [edge("e0", "a", "b", trigger), edge("e1", "b", "c", "on_done")],
    }
    gid = submit(sandbox, graph)
    sandbox.tick(10_000)
    view = get(sandbox, gid)
    assert view["status"] == "completed"
    assert (view["nodes"]["b"]["status"], view["nodes"]["c"]["status"]) == ("cancelled", "cancelled")


def test_pacing_sets_the_fill_schedule(sandbox):
    frozen(sandbox)
    execution = {"policy": "time_drip", "pacing": {"uniform": {"num_slices": 3, "interval_ms": 1000}}}
    gid = submit(sandbox, {"nodes": [node("a", qty_1e8=10, execution=execution)], "edges": []})
    sandbox.tick(10_000)
    fills = [(t, q) for t, _, kind, *q in timeline(sandbox, gid, ("fill",))]
    assert fills == [(1050, [3]), (2050, [6]), (3050, [10])]


def test_time_runs_with_the_wall_clock_at_speed(sandbox):
    gid = submit(sandbox, hedge_graph())  # speed 50: the hedge completes in ~62 ms of wall time
    deadline = time.monotonic() + 10
    while get(sandbox, gid)["status"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_reset_reseeds_graph_ids(sandbox):
    first = submit(sandbox, hedge_graph())
    sandbox.reset()
    assert submit(sandbox, hedge_graph()) == first
    assert len(sandbox.graphs()) == 1


# -- fault injection ----------------------------------------------------------------


def test_fault_500_and_429(sandbox):
    sandbox.set_faults(
        [
            {"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "count": 2},
            {"method": "GET", "path_prefix": "/v1/fills", "kind": "http_429", "retry_after": 7},
        ]
    )
    assert [sandbox.api("GET", "/v1/orders")[0] for _ in range(3)] == [500, 500, 200]
    status, _, headers = sandbox.api("GET", "/v1/fills")
    assert status == 429 and headers["Retry-After"] == "7"
    assert sandbox.api("GET", "/v1/fills")[0] == 200
    assert [r["hits"] for r in sandbox.faults()] == [2, 1]


def test_fault_drop_after_read_applies_the_request(sandbox):
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        sandbox.api("POST", "/v1/orders", hedge_graph())
    assert len(sandbox.graphs()) == 1


def test_fault_500_can_apply_first(sandbox):
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "apply": True}])
    assert sandbox.api("POST", "/v1/orders", hedge_graph())[0] == 500
    assert len(sandbox.graphs()) == 1


def test_fault_slow(sandbox):
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": 0.3}])
    started = time.monotonic()
    assert sandbox.api("GET", "/v1/orders")[0] == 200
    assert time.monotonic() - started >= 0.3


def test_fault_probability_is_seeded(sandbox):
    rule = {"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "probability": 0.5, "seed": 3}
    runs = []
    for _ in range(2):
        sandbox.set_faults([rule])
        runs.append([sandbox.api("GET", "/v1/orders")[0] for _ in range(20)])
    assert runs[0] == runs[1] and 500 in runs[0] and 200 in runs[0]


def test_bad_fault_rules_are_refused(sandbox):
    status, body, _ = sandbox.request("POST", "/_sandbox/faults", b'{"rules": [{"kind": "meteor"}]}')
    assert status == 400 and "kind" in body["error"]["message"]


def test_fixed_port_and_custom_price_via_cli_options():
    with running_sandbox("--price", "SOL-USD=150.25", "--fills", "2", speed=0) as sb:
        gid = submit(sb, {"nodes": [node("a", "SOL-USD", qty_1e8=2)], "edges": []})
        sb.tick(2000)
        view = get(sb, gid)
        assert view["nodes"]["a"]["avg_fill_price_1e9"] == 150_250_000_000
        assert view["nodes"]["a"]["fill_count"] == 2


# -- behaving like the reference router, and the newer endpoints ------------------------


def test_ignore_idempotency_key_creates_a_graph_per_post_and_lists_no_keys():
    with running_sandbox("--ignore-idempotency-key", speed=0) as sb:
        first = submit(sb, hedge_graph(), {"Idempotency-Key": "run-7"})
        status, body, headers = sb.request(
            "POST", "/v1/orders", wire(hedge_graph()), {"Authorization": "Bearer t", "Idempotency-Key": "run-7"}
        )
        assert status == 200 and body["graph_id"] != first and "Idempotent-Replayed" not in headers
        _, page, _ = sb.api("GET", "/v1/orders")
        assert "idempotency_key_supported" not in page
        assert all("idempotency_key" not in o and "client_order_id" not in o for o in page["orders"])
        assert sb.configure()["honour_idempotency_key"] is False


def test_amend_a_running_node(sandbox):
    frozen(sandbox)
    gid = submit(sandbox, hedge_graph())
    sandbox.tick(600)  # one spot fill of 4: 50 of 200 ETH
    status, body, _ = sandbox.api(
        "PATCH", f"/v1/execution_graphs/{gid}/nodes/spot", {"qty_1e8": 10_000_000_000, "urgency": "high"}
    )
    assert status == 200 and body["status"] == "accepted" and body["amended"] == ["qty_1e8", "urgency"]
    sandbox.tick(10_000)
    view = get(sandbox, gid)
    assert view["nodes"]["spot"]["status"] == "filled" and view["nodes"]["spot"]["filled_qty_1e8"] == 10_000_000_000
    assert sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/spot", {"urgency": "high"})[0] == 409  # done
    assert sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/nope", {"urgency": "high"})[0] == 404
    assert sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/hedge", {"colour": 1})[0] == 400
    assert sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/hedge", {"urgency": "asap"})[0] == 400


def test_amend_cannot_shrink_below_what_filled(sandbox):
    frozen(sandbox)
    gid = submit(sandbox, hedge_graph())
    sandbox.tick(1100)  # two spot fills: 100 ETH
    status, body, _ = sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/spot", {"qty_1e8": 5_000_000_000})
    assert status == 409 and "already filled" in body["error"]["message"]


def test_market_fills_at_the_ask_for_a_buy_and_the_bid_for_a_sell(sandbox):
    frozen(sandbox)
    sandbox.control("POST", "/prices", {"ETH-USD": {"bid": "2000.5", "ask": "2001.5"}})
    buy = submit(sandbox, {"nodes": [node("a", qty_1e8=4)], "edges": []})
    sell = submit(sandbox, {"nodes": [node("b", side="sell", qty_1e8=4)], "edges": []})
    sandbox.tick(5000)
    assert get(sandbox, buy)["nodes"]["a"]["avg_fill_price_1e9"] == 2_001_500_000_000
    assert get(sandbox, sell)["nodes"]["b"]["avg_fill_price_1e9"] == 2_000_500_000_000
    assert sandbox.configure()["prices"]["ETH-USD"] == "2001.0"  # the mid


def test_fast_forward_jumps_to_the_next_event_on_each_request(sandbox):
    frozen(sandbox)
    sandbox.configure(fast_forward=True)
    execution = {"policy": "time_drip", "pacing": {"uniform": {"num_slices": 3, "interval_ms": 3_600_000}}}
    gid = submit(sandbox, {"nodes": [node("a", qty_1e8=9, execution=execution)], "edges": []})
    statuses = [get(sandbox, gid)["status"] for _ in range(6)]  # an hour per slice, no waiting
    assert statuses[-1] == "completed" and "active" in statuses


def test_status_fault_answers_what_it_is_told(sandbox):
    sandbox.set_faults(
        [{"method": "POST", "path_prefix": "/v1/orders", "kind": "status", "status": 303, "apply": True}]
    )
    status, _, _ = sandbox.api("POST", "/v1/orders", hedge_graph())
    assert status == 303 and len(sandbox.graphs()) == 1
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "status", "status": 200, "body": "[1,"}])
    assert sandbox.api("GET", "/v1/orders")[:2] == (200, "[1,")


def test_seeded_orders_make_a_long_history(sandbox):
    sandbox.control("POST", "/seed_orders", {"count": 250})
    _, page, _ = sandbox.api("GET", "/v1/orders?limit=100")
    assert page["total"] == 250 and page["has_more"] is True


def test_a_port_in_use_is_a_usage_error_exit_2_with_its_message():
    """A port another process holds (audit live23 O1: a fixed --port on a shared machine) is an environment error,
    exit 2 (spec §8), not 1 ("errors found"), and says what to do; nothing is served."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))  # a free port, held here for the length of the test
        held.listen()
        port = held.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "graphc", "sandbox", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
        )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == (
        f"graphc: error: cannot listen on 127.0.0.1:{port}: Address already in use (another process holds the "
        "port); give another --port, or --port 0 for a free one\n"
    )
