"""Absence at the router is concluded only from a proof (notes/audit/reconcile17.md, findings 3-4).

Each finding is reproduced end to end: the real CLI (`graphc submit`, `graphc ledger --reconcile`) over real
HTTP against a scripted router in this process (`_Listing`, which applies POSTs and lists them the way the
finding says).

- 3: an order carrying the tag in another spelling (the reference's Amend Order `graph_abc:node_0:2`, without
  `graph:`) is read, or, when it cannot be read, ends the scan incomplete: never silently skipped.
- 4: graph ids with `:` (which graphc accepts) are read by anchoring on the tag, never split at the first colon.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from test_ledger_scopes_and_bounds import SIMPLE  # the audit's one-node wire file (BTC-USD)

from graphc.api.client import Client
from graphc.api.ledger import Ledger
from graphc.api.lookup import find_run, parse_node_order_id
from graphc.api.runtag import run_tag
from graphc.cli import cli

KEY = "sk_test_abcdefabcdef0123456789"
DAY_NS = 86400 * 10**9
TAG = run_tag("k")


class _Listing(BaseHTTPRequestHandler):
    """The audit's router.py: POST /v1/orders creates a graph and lists one order per node; GET /v1/orders lists
    them with ``server.fillers`` the way ``server.mode`` says, filtered by ``symbol`` like the reference."""

    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def _send(self, status: int, payload) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        server = self.server
        with server.lock:
            server.posts += 1
            gid = f"graph:{server.posts:04d}x" if server.mode == "colon_gid" else f"graph_{server.posts:04d}abc"
            now = time.time_ns()
            for node in body["nodes"]:
                spelled = (
                    f"{gid}:{node['node_id']}:1" if server.mode == "noprefix" else f"graph:{gid}:{node['node_id']}:1"
                )
                if server.mode == "upper":
                    spelled = spelled.upper()
                server.ours.append(_order(spelled, now, symbol=node["instrument"]["symbol"], side=node["side"]))
        if server.drop:  # applied, then the connection is dropped without an answer (sandbox's drop_after_read)
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(200, {"graph_id": gid, "status": "active", "node_count": len(body["nodes"]), "edge_count": 0})

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path != "/v1/orders":
            return self._send(404, {"error": "not_found"})
        server = self.server
        with server.lock:
            server.gets.append(query)
            listed = server.listing(server)
        symbol = query.get("symbol")
        if symbol:
            listed = [o for o in listed if o["symbol"] == symbol]
        limit, offset = int(query.get("limit", 50)), int(query.get("offset", 0))
        return self._send(200, server.page(listed, limit, offset))


def _order(node_order_id: str, created: int, updated: int | None = None, symbol="BTC-USD", side="buy") -> dict:
    return {
        "node_order_id": node_order_id,
        "client_id": "client_me",
        "side": side.upper(),
        "symbol": symbol,
        "qty_1e8": 1,
        "filled_qty_1e8": 0,
        "status": "EXECUTING",
        "created_unix_ns": created,
        "updated_unix_ns": updated or created,
        "failure_reason": None,
    }


def _newest_first(server) -> list[dict]:
    return sorted(server.ours + server.fillers, key=lambda o: -o["created_unix_ns"])


def _honest_page(listed, limit, offset) -> dict:
    page = listed[offset : offset + limit]
    return {
        "orders": page,
        "total": len(listed),
        "limit": limit,
        "offset": offset,
        "has_more": offset + len(page) < len(listed),
    }


@pytest.fixture
def listing():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Listing)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.posts, server.gets, server.ours, server.fillers = 0, [], [], []
    server.mode, server.drop = "normal", False
    server.listing, server.page = _newest_first, _honest_page
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def env_for(server, **extra) -> dict:
    return {
        "SEQUENCE_API_URL": server.url,
        "SEQUENCE_API_KEY": KEY,
        "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials",
        "NO_COLOR": "1",
        **extra,
    }


def invoke(args, env):
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def order(tmp_path):
    path = tmp_path / "order.json"
    path.write_text(json.dumps(SIMPLE))
    return path


def _filler(n: int, created: int, updated: int | None = None, symbol: str = "BTC-USD") -> dict:
    return _order(f"graph:graph_f{n:06d}:n:1", created, updated, symbol=symbol)


def _set_mode(server, mode: str) -> None:
    server.mode = mode


# -- finding 3: the tag in another spelling --------------------------------------------------------------------


def test_the_references_spelling_without_graph_prefix_is_read(listing, order, tmp_path):
    _set_mode(listing, "noprefix")
    env = env_for(listing)
    first = invoke(["submit", order, "--ledger", tmp_path / "l1.sqlite"], env)
    assert first.exit_code == 0, first.output
    second = invoke(["submit", order, "--ledger", tmp_path / "l2.sqlite"], env)
    # before the fix: exit 0, graph_0002abc sent
    assert second.exit_code == 2 and "already submitted as graph graph_0001abc" in second.output, second.output
    assert listing.posts == 1


def test_an_order_carrying_the_tag_that_cannot_be_read_ends_the_look_incomplete(listing, order, tmp_path):
    _set_mode(listing, "upper")  # the router upper-cases the node_order_id: the tag is there, the ids unsure
    env = env_for(listing)
    assert invoke(["submit", order, "--run-key", "up", "--ledger", tmp_path / "l1.sqlite"], env).exit_code == 0
    second = invoke(["submit", order, "--run-key", "up", "--ledger", tmp_path / "l2.sqlite"], env)
    assert second.exit_code == 3 and "Nothing was sent" in second.output, second.output
    assert f"GRAPH:GRAPH_0001ABC:A.{run_tag('up').upper()}:1" in second.output, second.output  # the entry, named
    assert listing.posts == 1


def test_the_tag_in_another_field_only_is_never_counted_as_absence(listing):
    """Any string field of an entry that holds `.TAG` makes it the run's: read, or the scan is incomplete."""
    listing.fillers = [
        {**_filler(1, time.time_ns()), "node_order_id": "x-17", "client_order_id": f"leg.{TAG}"},
        _filler(2, time.time_ns() - 10**9),
    ]
    with Client(listing.url, KEY) as client:
        scan = find_run(client, TAG, time.time_ns() - DAY_NS)
    assert not scan.complete and not scan.found
    assert "x-17" in scan.detail and "carries the tag" in scan.detail, scan.detail


# -- finding 4: graph ids with `:` -----------------------------------------------------------------------------


@pytest.mark.parametrize("run_key", [None, "colon-1"])
def test_a_graph_id_with_colons_is_found_whole(listing, order, tmp_path, run_key):
    _set_mode(listing, "colon_gid")
    env = env_for(listing)
    key = ["--run-key", run_key] if run_key else []
    first = invoke(["submit", order, *key, "--ledger", tmp_path / "c1.sqlite"], env)
    assert first.exit_code == 0 and "graph:0001x" in first.output, first.output
    second = invoke(["submit", order, *key, "--ledger", tmp_path / "c2.sqlite"], env)
    # before the fix: graph id `graph`, node `0001x:a`, and a warning that the run's trade was not made
    assert second.exit_code == 2 and "already submitted as graph graph:0001x " in second.output, second.output
    assert "not the trade this run would send" not in second.output, second.output
    with Ledger(tmp_path / "c2.sqlite") as led:
        (run,) = led.runs()
    assert (run.state, run.graph_id) == ("confirmed", "graph:0001x")
    assert listing.posts == 1


def test_node_order_ids_are_read_anchored_on_the_tag():
    t = TAG
    assert parse_node_order_id(f"graph:graph_7d7:spot.{t}:1", t) == ("graph_7d7", f"spot.{t}")
    assert parse_node_order_id(f"graph_abc:node_0.{t}:2", t) == ("graph_abc", f"node_0.{t}")  # Amend Order's
    assert parse_node_order_id(f"graph:graph:0001x:a.{t}:1", t, node_ids={"a"}) == ("graph:0001x", f"a.{t}")
    assert parse_node_order_id(f"graph:g:leg:1.{t}:1", t, node_ids={"leg:1"}) == ("g", f"leg:1.{t}")  # a wire's node id
    assert parse_node_order_id(f"graph:g:x:a.{t}:1", t) is None  # graph `g`, node `x:a`, or `g:x` and `a`?
    assert parse_node_order_id(f"graph:graph:0001x:a.{t}:1", t, node_ids={"b"}) is None
    assert parse_node_order_id(f"graph:g:x:a.{t}:1", t, node_ids={"a", "x:a"}) is None
    assert parse_node_order_id(f"graph:graph_7d7:spot.{t}:1x", t) is None
    assert parse_node_order_id(f"graph:graph_7d7:spot.{t.upper()}:1", t) is None
    assert parse_node_order_id(f"graph:graph_7d7:spot.{t}x:1", t) is None
    assert parse_node_order_id("graph:graph_7d7:spot:1", t) is None and parse_node_order_id(5, t) is None
