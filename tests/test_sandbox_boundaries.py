"""Audit notes/audit/sandbox27.md: where the local sandbox (`graphc sandbox serve`, a real process over real HTTP;
tests/sandbox_fixture.py) drew its boundaries wrong, each finding reproduced here.

- 1: on loopback it answers only requests addressed to a loopback name (421 otherwise, nothing run); off loopback
  it refuses hosted strategies (403) and its warning says why.
- 2: a body nested deeper than lint reads (GC100) is a 400 at every endpoint that reads JSON, logged first; a
  failure of the sandbox's own code is a 500 with a JSON body, never a dropped connection.
- 3: a path parameter is percent-decoded once matched (a node `café` or `leg:1` is amended; `a%2Fb` is `a/b`).
- 4: a price of one unit in its last place (0.01, 0.001, 1E-5) is quoted with a positive bid.
- 5: a key repeated in a JSON object is a 400 GC101 at every endpoint that reads JSON, as lint refuses it.
- 7: an amend's numbers stay within the wire's bounds (signed 64-bit, GC103; a slippage cap at most 10000 bps,
  GC403, as `graphc amend --slippage`), else 400.
"""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import tarfile
import time
from pathlib import Path

import pytest
from sandbox_fixture import cli_env, hedge_graph, node, run_graphc, running_sandbox

# -- finding 1: the Host header, and hosted strategies off loopback ----------------------------------------------


def upload(marker: Path, text: str = "'x'") -> dict:
    """The audit's `strat.json`: a hosted strategy whose main.py writes ``text`` (a Python expression) to
    ``marker``."""
    code = f"import os, pathlib; pathlib.Path({str(marker)!r}).write_text({text})\n".encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("main.py")
        info.size = len(code)
        tar.addfile(info, io.BytesIO(code))
    return {
        "name": "demo",
        "runtime": "python",
        "entrypoint": "main.py",
        "artifact_base64": base64.b64encode(buffer.getvalue()).decode(),
        "start_immediately": True,
    }


AUTH = {"Authorization": "Bearer anything"}


@pytest.mark.parametrize(
    "host", ["attacker.example:8765", "attacker.example", "127.0.0.1.attacker.example", "0.0.0.0:1", "", "[::1"]
)
def test_a_loopback_sandbox_runs_nothing_for_a_request_addressed_to_another_host(sandbox, tmp_path, host):
    marker = tmp_path / "ran-by-rebinding"
    headers = {**AUTH, "Host": host, "Origin": "http://attacker.example:8765"}
    status, body, _ = sandbox.request("POST", "/v1/strategies", upload(marker), headers)
    # before the fix: 200 {"strategy": {... "status": "running"}}, and main.py ran
    assert status == 421, (status, body)
    assert body["error"]["code"] == "misdirected_request"
    assert "answers only requests addressed to 127.0.0.1, [::1] or localhost" in body["error"]["message"]
    for method, path in [("GET", "/_sandbox/health"), ("POST", "/_sandbox/reset"), ("GET", "/v1/orders")]:
        assert sandbox.request(method, path, None, {**AUTH, "Host": host})[0] == 421, (method, path)
    time.sleep(1)
    assert not marker.exists()
    assert sandbox.control("GET", "/requests")["requests"] == []  # not even seen


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8765", "LOCALHOST", "localhost:1", "[::1]", "[::1]:80"])
def test_a_loopback_sandbox_answers_requests_addressed_to_loopback(sandbox, host):
    assert sandbox.request("GET", "/_sandbox/health", None, {"Host": host})[0] == 200
    status, body, _ = sandbox.request("GET", "/v1/orders", None, {**AUTH, "Host": host})
    assert status == 200, body


def test_a_request_without_a_host_header_is_answered_on_loopback(sandbox):
    host, port = sandbox.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET /_sandbox/health HTTP/1.0\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 200"), answer[:200]


def test_a_strategy_created_without_a_host_header_is_given_the_sandboxs_own_url(sandbox, tmp_path):
    # fixb's note: with no Host the runner was given http://127.0.0.1, no port, which reaches no sandbox
    marker = tmp_path / "url"
    data = json.dumps(upload(marker, "os.environ['SEQUENCE_API_URL']")).encode()
    host, port = sandbox.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            f"POST /v1/strategies HTTP/1.0\r\nAuthorization: Bearer {sandbox.key}\r\n".encode()
            + b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 200"), answer[:300]
    deadline = time.monotonic() + 30
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.read_text() == sandbox.base_url


def test_off_loopback_hosted_strategies_are_refused_and_the_warning_says_why(tmp_path):
    marker = tmp_path / "ran-from-the-network"
    with running_sandbox("--host", "0.0.0.0", speed=0) as sb:
        sb.base_url = sb.base_url.replace("0.0.0.0", "127.0.0.1")
        status, body, _ = sb.request("POST", "/v1/strategies", upload(marker), AUTH)
        # before the fix: 200, and main.py ran
        assert status == 403, (status, body)
        assert body["error"]["code"] == "hosted_strategies_off"
        assert "hosted strategies run only on a sandbox listening on loopback" in body["error"]["message"]
        assert sb.api("GET", "/v1/orders")[0] == 200  # the rest is served, to any Host (anyone can reach it anyway)
        assert sb.request("GET", "/_sandbox/health", None, {"Host": "sandbox.example"})[0] == 200
        warning = sb.stderr()
    time.sleep(0.5)
    assert not marker.exists()
    assert "anyone who can reach it can submit to this sandbox" in warning, warning
    assert "hosted strategies (POST /v1/strategies) are off for that reason" in warning, warning


# -- finding 2: a body nested too deep is a 400 like any other, and the sandbox's own failure a 500 ----------------


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("levels", [101, 1100, 3000])
def test_a_body_nested_deeper_than_lint_reads_is_refused_with_gc100(sandbox, levels):
    status, body, _ = sandbox.api("POST", "/v1/orders", nested(levels))
    # before the fix: 1100 and 3000 levels dropped the connection (RecursionError), the client's "applied, then
    # dropped"; 101 was a 400 of another kind
    assert status == 400, (status, body)
    assert body["error"] == {"code": "validation_error", "message": "nesting deeper than 100 levels", "rule": "GC100"}
    (seen,) = sandbox.requests("POST", "/v1/orders")  # logged before it was refused
    assert seen["fields"] is None
    assert sandbox.graphs() == []


def test_every_endpoint_that_reads_json_refuses_a_body_nested_too_deep(sandbox):
    graph = sandbox.api("POST", "/v1/orders", {"symbol": "ETH-USD", "side": "buy", "qty": 1})[1]["graph_id"]
    for method, path in [
        ("PUT", "/v1/kill_switch"),
        ("PATCH", f"/v1/execution_graphs/{graph}/nodes/node_0"),
        ("POST", "/v1/strategies"),
    ]:
        status, body, _ = sandbox.api(method, path, nested(3000), token=sandbox.key)  # the key a create needs
        assert (status, body["error"].get("rule")) == (400, "GC100"), (method, path, status, body)
    for path in ["/_sandbox/faults", "/_sandbox/tick", "/_sandbox/prices", "/_sandbox/config", "/_sandbox/seed_orders"]:
        status, body, _ = sandbox.request("POST", path, nested(3000))
        assert (status, body["error"].get("rule")) == (400, "GC100"), (path, status, body)


def test_the_client_reads_a_body_nested_too_deep_as_refused_not_uncertain(sandbox):
    from graphc.api.client import Client
    from graphc.api.errors import Rejected

    with Client(sandbox.base_url, "k") as client, pytest.raises(Rejected) as refused:
        client.submit_graph(nested(1100))  # before the fix: UncertainSubmission, "may have applied it"
    assert "nesting deeper than 100 levels" in str(refused.value)


def test_seeded_orders_of_a_symbol_holding_a_quote_are_answered(sandbox):
    # before the fix: the body built from text was no JSON, and its ValidationError dropped the connection
    status, body, _ = sandbox.request("POST", "/_sandbox/seed_orders", {"count": 1, "symbol": 'A"B'})
    assert (status, body) == (200, {"graphs": 1})
    status, body, _ = sandbox.request("POST", "/_sandbox/seed_orders", {"count": 1, "symbol": ""})
    assert status == 400 and body["error"]["code"] == "validation_error", (status, body)


def test_an_unexpected_failure_in_the_sandbox_is_a_500_with_a_json_body(monkeypatch, capfd):
    """The last resort of the sandbox's dispatch: a failure of its own code (made here) is answered, not dropped."""
    import threading
    import urllib.error
    import urllib.request

    from graphc.sandbox.engine import Sandbox
    from graphc.sandbox.server import make_server

    def broken(self, symbol):
        raise RuntimeError("made to fail")

    monkeypatch.setattr(Sandbox, "quote", broken)
    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        request = urllib.request.Request(server.url + "/v1/quotes?symbol=X", headers=AUTH)
        with pytest.raises(urllib.error.HTTPError) as answered:
            urllib.request.urlopen(request, timeout=10)
        assert answered.value.code == 500
        body = json.loads(answered.value.read())
    finally:
        server.shutdown()
        server.server_close()
    assert body["error"]["code"] == "internal" and "RuntimeError" in body["error"]["message"], body
    assert "RuntimeError: made to fail" in capfd.readouterr().err  # the traceback, on the sandbox's stderr


# -- finding 3: path parameters are percent-decoded once matched ---------------------------------------------------


def test_a_node_whose_id_needs_escaping_is_amended(sandbox, tmp_path):
    sandbox.configure(speed=0)  # nothing fills meanwhile
    graph = {"nodes": [node("leg:1"), node("café"), node("a/b")], "edges": [], "is_sandbox": True}
    status, body, _ = sandbox.api("POST", "/v1/orders", graph)
    assert status == 200, body
    gid = body["graph_id"]
    for name in ("café", "leg:1"):  # the client sends each quoted: caf%C3%A9, leg%3A1
        amended = run_graphc(["amend", gid, name, "--urgency", "low"], cli_env(sandbox), tmp_path)
        # before the fix: exit 3, HTTP 404 ... has no node caf%C3%A9
        assert amended.returncode == 0, amended.stderr
    status, body, _ = sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/a%2Fb", {"urgency": "high"})
    assert (status, body["node_id"]) == (200, "a/b"), body  # %2F stays inside its segment
    assert sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/a/b", {"urgency": "high"})[0] == 404
    amends = [(e["node"], e["urgency"]) for e in sandbox.events(gid) if e["type"] == "node_amended"]
    assert amends == [("café", "low"), ("leg:1", "low"), ("a/b", "high")], amends


# -- finding 4: a price of one unit in its last place keeps a positive bid ----------------------------------------


@pytest.mark.parametrize(
    ("symbol", "price", "bid", "ask"),
    [
        ("KXA-26-T1", 0.01, "0.009", "0.011"),  # a Kalshi penny market, given as a JSON number
        ("KXB-26-T1", "0.02", "0.01", "0.03"),  # (as before)
        ("PENNY-USD", "0.001", "0.0009", "0.0011"),
        ("MICRO-USD", "1E-5", "0.000009", "0.000011"),
    ],
)
def test_a_small_price_keeps_a_positive_bid(sandbox, symbol, price, bid, ask):
    from decimal import Decimal

    from graphc.api.client import Client

    sandbox.control("POST", "/prices", {symbol: price})
    status, body, _ = sandbox.api("GET", f"/v1/quotes?symbol={symbol}")
    # before the fix: {"bid": "0", "ask": "0.02", "mid": "0.01"}, one-sided, for 0.01 (and so for 0.001, 1E-5)
    assert status == 200, body
    nbbo = body["nbbo"]
    assert (Decimal(nbbo["bid"]), Decimal(nbbo["ask"])) == (Decimal(bid), Decimal(ask)), nbbo
    assert Decimal(nbbo["mid"]) == Decimal(str(price))
    with Client(sandbox.base_url, "k") as client:
        quote = client.get_quote(symbol)
    assert quote is not None and quote.bid == Decimal(bid) and quote.mid == Decimal(str(price)), quote


# -- finding 5: a key repeated in a JSON object is refused as lint refuses it ----------------------------------------


def test_a_graph_with_a_repeated_key_is_refused_as_lint_refuses_it(sandbox, tmp_path):
    text = json.dumps(hedge_graph(), indent=1)
    assert text.count('"side": "sell",') == 1
    twice = text.replace('"side": "sell",', '"side": "sell",\n "side": "buy",')  # the hedge: sell, then buy
    simple = '{"symbol":"BTC-USD","side":"buy","side":"sell","qty":1}'
    for name, body in [("dup_full.json", twice), ("dup_simple.json", simple)]:
        (tmp_path / name).write_text(body)
        linted = run_graphc(["lint", name], {**sandbox.env(), "NO_COLOR": "1"}, tmp_path)
        assert linted.returncode == 1 and "GC101 duplicate key 'side'" in linted.stdout, linted.stdout
        status, answer, _ = sandbox.api("POST", "/v1/orders", body.encode())
        # before the fix: 200, a graph whose hedge buys (the last one won)
        assert status == 400, (name, status, answer)
        assert answer["error"]["code"] == "validation_error" and answer["error"]["rule"] == "GC101", answer
        assert answer["error"]["message"].startswith("duplicate key 'side' in an object of the body")
        assert "never lets the last one win" in answer["error"]["message"]
    assert sandbox.graphs() == []


def test_every_endpoint_that_reads_json_refuses_a_repeated_key(sandbox):
    sandbox.configure(speed=0)
    graph = sandbox.api("POST", "/v1/orders", {"symbol": "ETH-USD", "side": "buy", "qty": 1})[1]["graph_id"]
    for method, path, body in [
        ("PUT", "/v1/kill_switch", b'{"active": true, "active": false}'),
        ("PATCH", f"/v1/execution_graphs/{graph}/nodes/node_0", b'{"urgency": "high", "urgency": "low"}'),
        ("POST", "/v1/strategies", b'{"name": "a", "name": "b"}'),
    ]:
        status, answer, _ = sandbox.api(method, path, body, token=sandbox.key)  # the key a create needs
        assert (status, answer["error"].get("rule")) == (400, "GC101"), (method, path, status, answer)
    assert sandbox.api("GET", "/v1/orders")[1]["orders"][0]["status"] == "ACTIVE"  # the kill switch never went on
    for path, body in [
        ("/_sandbox/tick", b'{"ms": 1, "ms": 2}'),
        ("/_sandbox/prices", b'{"X-USD": 1, "X-USD": 2}'),
        ("/_sandbox/faults", b'{"rules": [], "rules": []}'),
    ]:
        status, answer, _ = sandbox.request("POST", path, body)
        assert (status, answer["error"].get("rule")) == (400, "GC101"), (path, status, answer)


# -- finding 7: an amend within the wire's bounds only ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "words"),
    [
        ({"qty_1e8": 10**23}, "GC103", "qty_1e8 must be at most 9223372036854775807"),
        ({"qty_1e8": 2**63}, "GC103", "qty_1e8 must be at most 9223372036854775807"),
        ({"horizon_ms": 10**23}, "GC103", "horizon_ms must be at most 9223372036854775807"),
        ({"max_slippage_bps": 99999999}, "GC403", "max_slippage_bps must be at most 10000"),
        ({"max_slippage_bps": 10001}, "GC403", "max_slippage_bps must be at most 10000"),
        ({"qty_1e8": 100000000, "max_slippage_bps": 99999999}, "GC403", "max_slippage_bps must be at most 10000"),
    ],
)
def test_an_amend_beyond_the_wires_bounds_is_refused(sandbox, tmp_path, changes, rule, words):
    sandbox.configure(speed=0)
    graph = {"nodes": [node("leg1", qty_1e8=100_000_000)], "edges": [], "is_sandbox": True}
    gid = sandbox.api("POST", "/v1/orders", graph)[1]["graph_id"]
    status, body, _ = sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/leg1", changes)
    # before the fix: 200 accepted, and `graphc status` of the graph then failed (exit 3, beyond the 64-bit range)
    assert status == 400, body
    assert body["error"]["code"] == "validation_error" and body["error"]["rule"] == rule, body
    assert words in body["error"]["message"], body
    shown = run_graphc(["status", gid], cli_env(sandbox), tmp_path)
    assert shown.returncode == 0, shown.stderr


def test_an_amend_at_the_wires_bounds_is_accepted(sandbox):
    sandbox.configure(speed=0)
    graph = {"nodes": [node("leg1", qty_1e8=100_000_000)], "edges": [], "is_sandbox": True}
    gid = sandbox.api("POST", "/v1/orders", graph)[1]["graph_id"]
    changes = {"qty_1e8": 2**63 - 1, "max_slippage_bps": 10000, "horizon_ms": 2**63 - 1}
    status, body, _ = sandbox.api("PATCH", f"/v1/execution_graphs/{gid}/nodes/leg1", changes)
    assert (status, body["status"]) == (200, "accepted"), body


# -- fixb's note: a speed that overflowed the sandbox's clock ------------------------------------------------------


@pytest.mark.parametrize("speed", ["1e400", "1e308", "1000001"])
def test_a_speed_past_the_bound_is_refused_and_the_sandbox_keeps_answering(sandbox, speed):
    # before: {"speed": 1e400} was taken (float inf) and every later request failed with OverflowError
    status, body, _ = sandbox.request("POST", "/_sandbox/config", f'{{"speed": {speed}}}'.encode(), {})
    assert status == 400 and "speed must be a number from 0 to 1000000" in body["error"]["message"], body
    status, body, _ = sandbox.request("POST", "/v1/orders", hedge_graph(), AUTH)  # reads the clock
    assert status == 200 and body["status"] == "active", body


def test_a_speed_at_the_bound_is_taken(sandbox):
    status, body, _ = sandbox.request("POST", "/_sandbox/config", {"speed": 1000000}, {})
    assert status == 200 and body["speed"] == 1000000, body
    status, body, _ = sandbox.request("POST", "/_sandbox/config", {"speed": 1}, {})
    assert status == 200


def test_the_command_line_speed_has_the_same_bound():
    proc = run_graphc(["sandbox", "serve", "--port", "0", "--speed", "1000001"], dict(os.environ), Path.cwd())
    assert proc.returncode == 2 and "1000001" in proc.stderr, proc.stderr
