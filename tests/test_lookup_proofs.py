"""Absence at the router is concluded only from a proof (notes/audit/reconcile17.md, findings 1-4).

Each finding is reproduced end to end: the real CLI (`graphc submit`, `graphc ledger --reconcile`) over real
HTTP against a scripted router in this process (`_Listing`, which applies POSTs and lists them the way the
finding says), then the honest cases against `graphc sandbox serve` (tests/sandbox_fixture.py).

- 1: the scan stopped at the first page holding an order older than the run's window, taking one page
  "newest first" for a proof; a router listing by last activity hides the run's order on page 2. The list is
  now read to `has_more: false` (by the graph's symbols where that cannot miss the run's orders).
- 2: an answer that contradicts itself (`total` above what was read, an echoed `offset` or `limit` other than
  the page's) is no proof.
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
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest
from sandbox_fixture import cli_env, posts, submitted_graphs
from test_ledger_scopes_and_bounds import SIMPLE  # the audit's one-node wire file (BTC-USD)
from test_router_answers import KEY, env_for, invoke, scripted_router

from graphc.api.client import Client
from graphc.api.ledger import Ledger
from graphc.api.lookup import find_run, parse_node_order_id
from graphc.api.runtag import run_tag

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
    with scripted_router(_Listing) as server:
        server.lock = threading.Lock()
        server.posts, server.gets, server.ours, server.fillers = 0, [], [], []
        server.mode, server.drop = "normal", False
        server.listing, server.page = _newest_first, _honest_page
        yield server


@pytest.fixture
def order(tmp_path):
    path = tmp_path / "order.json"
    path.write_text(json.dumps(SIMPLE))
    return path


def _filler(n: int, created: int, updated: int | None = None, symbol: str = "BTC-USD") -> dict:
    return _order(f"graph:graph_f{n:06d}:n:1", created, updated, symbol=symbol)


# -- the audit's listings ----------------------------------------------------------------------------------------


def _updated_sort(server) -> list[dict]:
    """A busy account listed by last activity (`updated_unix_ns` desc): an old resting order (created 2 days ago)
    got a fill 1 s after our POST, and 99 orders came after: page 1 is newest first by creation time and ends
    with an order older than any window; ours is first on page 2."""
    t0 = min((o["created_unix_ns"] for o in server.ours), default=time.time_ns())
    old = _filler(0, t0 - 2 * DAY_NS, t0 + 10**9)
    newer = [_filler(i + 1, t0 + (i + 2) * 10**9) for i in range(99)]
    return sorted([*server.ours, old, *newer], key=lambda o: -o["updated_unix_ns"])


def _cap50_listing(server) -> list[dict]:
    t0 = min((o["created_unix_ns"] for o in server.ours), default=time.time_ns())
    newer = [_filler(i, t0 + (i + 1) * 10**9) for i in range(129)]  # a busy account, all within the look-back
    return sorted([*server.ours, *newer], key=lambda o: -o["created_unix_ns"])


def _cap50_page(listed, limit, offset) -> dict:
    """`limit` capped at 50 (and echoed so), but has_more computed from the limit asked for."""
    page = listed[offset : offset + min(limit, 50)]
    return {
        "orders": page,
        "total": len(listed),
        "limit": min(limit, 50),
        "offset": offset,
        "has_more": offset + limit < len(listed),
    }


def _page_index_listing(server) -> list[dict]:
    t0 = min((o["created_unix_ns"] for o in server.ours), default=time.time_ns())
    newer = [_filler(i, t0 + (i + 2) * 10**9) for i in range(100)]
    older = [_filler(200 + i, t0 - 10**9 * (i + 1)) for i in range(49)]
    return sorted([*newer, *server.ours, *older], key=lambda o: -o["created_unix_ns"])


def _page_index_page(listed, limit, offset) -> dict:
    """`offset` read as a page number: offset=100 is page 100, empty, has_more false; `total` says 150."""
    page = listed[offset * limit : (offset + 1) * limit]
    has_more = (offset + 1) * limit < len(listed) if page else False
    return {"orders": page, "total": len(listed), "limit": limit, "offset": offset, "has_more": has_more}


MODES = {
    "updated_sort": (_updated_sort, _honest_page),
    "cap50": (_cap50_listing, _cap50_page),
    "page_index": (_page_index_listing, _page_index_page),
}


def _set_mode(server, mode: str) -> None:
    server.mode = mode
    server.listing, server.page = MODES.get(mode, (_newest_first, _honest_page))


# -- finding 1 (and 2): the fresh-clone look and reconcile never send a run that landed -------------------------


@pytest.mark.parametrize("run_key", [None, "dca-2026-W07"])  # the content key (by symbol) and one of your own
@pytest.mark.parametrize("mode", ["updated_sort", "cap50", "page_index"])
def test_a_fresh_clone_never_sends_a_run_the_list_holds_behind_a_misleading_page(
    listing, order, tmp_path, mode, run_key
):
    _set_mode(listing, mode)
    env = env_for(listing)
    key = ["--run-key", run_key] if run_key else []
    # sent from elsewhere (another clone that skipped the look): this broken list can prove nothing either way
    first = invoke(["submit", order, *key, "--ledger", tmp_path / "l1.sqlite", "--lookback", "0"], env)
    assert first.exit_code == 0 and "graph_0001abc" in first.output, first.output
    second = invoke(["submit", order, *key, "--ledger", tmp_path / "l2.sqlite"], env)
    # before the fix: exit 0, "submitted order as graph graph_0002abc", two POSTs
    assert listing.posts == 1, second.output
    if mode == "updated_sort":  # read to the end of the list: found on page 2
        assert second.exit_code == 2 and "already submitted as graph graph_0001abc" in second.output, second.output
    else:  # the answer contradicts itself: nothing proven, nothing sent
        assert second.exit_code == 3 and "Nothing was sent" in second.output, second.output
        assert "total" in second.output, second.output


@pytest.mark.parametrize("mode", ["updated_sort", "cap50", "page_index"])
def test_reconcile_never_calls_a_landed_run_never_created(listing, order, tmp_path, mode):
    _set_mode(listing, mode)
    env = env_for(listing, GRAPHC_LANDING_MARGIN="1")
    ledger = tmp_path / "dm.sqlite"
    args = ["submit", order, "--ledger", ledger, "--run-key", f"rk-{mode}"]
    listing.drop = True
    first = invoke([*args, "--lookback", "0"], env)  # no look first: the broken list would refuse it
    assert first.exit_code == 3 and "UNCERTAIN" in first.output, first.output
    listing.drop = False
    time.sleep(1.5)  # past lands_by: only the scan can settle it now
    reconciled = invoke(["ledger", "--reconcile", "--ledger", ledger], env)
    # before the fix: "run 1 (rk-...) never created a graph; it may be submitted again", exit 0
    assert "never created a graph" not in reconciled.output, reconciled.output
    again = invoke(args, env)
    assert listing.posts == 1, again.output
    with Ledger(ledger) as led:
        (run,) = led.runs()
    if mode == "updated_sort":
        assert reconciled.exit_code == 0 and "created graph graph_0001abc" in reconciled.output, reconciled.output
        assert (run.state, run.graph_id) == ("confirmed", "graph_0001abc")
        assert again.exit_code == 2, again.output
    else:
        assert reconciled.exit_code == 3 and "is still uncertain" in reconciled.output, reconciled.output
        assert "total" in reconciled.output, reconciled.output
        assert run.state == "uncertain" and again.exit_code == 3, again.output


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


# -- finding 2: the answer's own consistency ----------------------------------------------------------------------


def _scan(server, tag=TAG, **kw):
    with Client(server.url, KEY, timeout=5) as client:
        return find_run(client, tag, time.time_ns() - DAY_NS, **kw)


def _busy(server, count: int, ours_at: int) -> None:
    """``count`` orders of other graphs, newest first, with the run's order at position ``ours_at``."""
    now = time.time_ns()
    orders = [_filler(i, now - i * 10**9) for i in range(count)]
    orders[ours_at] = _order(f"graph:graph_ours:a.{TAG}:1", orders[ours_at]["created_unix_ns"])
    server.fillers = orders


def test_an_echoed_offset_other_than_the_one_asked_is_no_proof(listing):
    _busy(listing, 150, ours_at=120)

    def first_page_always(listed, limit, offset):  # offset ignored: the first page again, echoed as offset 0
        return {**_honest_page(listed, limit, 0), "has_more": offset + limit < len(listed)}

    listing.page = first_page_always
    scan = _scan(listing)
    # before the fix: complete, "read all 200 orders", nothing found
    assert not scan.complete and not scan.found
    assert "offset 0" in scan.detail and "offset 100" in scan.detail, scan.detail


def test_a_page_longer_than_its_echoed_limit_is_no_proof(listing):
    _busy(listing, 150, ours_at=20)
    listing.page = lambda listed, limit, offset: {**_honest_page(listed, limit, offset), "limit": 50}
    scan = _scan(listing)
    assert not scan.complete and "limit: 50" in scan.detail, scan.detail


def test_a_total_above_what_was_read_is_no_proof(listing):
    _busy(listing, 150, ours_at=120)
    listing.page = lambda listed, limit, offset: {**_honest_page(listed[:100], limit, offset), "total": 150}
    scan = _scan(listing)
    assert not scan.complete and "total: 150" in scan.detail and "read 100" in scan.detail, scan.detail


def test_an_order_that_moves_to_a_page_already_read_is_no_proof(listing):
    """Listed by last activity: the run's order gets a fill after page 1 was read and moves to the top, so every
    entry shifts down by one (the last of page 1 is read again) and the run's order is never read."""
    now = time.time_ns()
    others = [_filler(i, now - ((i * 7919) % 150) * 10**9, now - i * 10**9) for i in range(150)]
    ours = _order(f"graph:graph_ours:a.{TAG}:1", now - 3 * DAY_NS // 4, now - 120 * 10**9 - 1)

    def by_activity(server):
        moved = {**ours, "updated_unix_ns": now + 10**9} if len(server.gets) > 1 else ours
        return sorted([*others, moved], key=lambda o: -o["updated_unix_ns"])

    listing.listing = by_activity
    scan = _scan(listing)
    # before the fix: complete, "read all 151 orders" (one of them twice), nothing found
    assert not scan.complete and not scan.found
    assert "read twice" in scan.detail, scan.detail


def test_new_orders_arriving_at_the_head_during_a_scan_still_prove_absence(listing):
    """Newest first, 3 new orders per page read: entries are pushed to later pages and read again, never
    skipped; the total grew by at least as many as were read twice."""
    now = time.time_ns()
    listing.fillers = [_filler(i, now - i * 10**9) for i in range(250)]

    def growing(server):
        for _ in range(3):
            server.fillers.insert(0, _filler(len(server.fillers) + 1000, time.time_ns()))
        return list(server.fillers)

    listing.listing = growing
    scan = _scan(listing)
    assert scan.complete and not scan.found, scan.detail
    assert scan.pages == 3


def test_a_list_that_shrinks_while_it_is_read_is_no_proof(listing):
    now = time.time_ns()
    listing.fillers = [_filler(i, now - i * 10**9) for i in range(150)]

    def shrinking(server):
        if len(server.gets) > 1:
            del server.fillers[:5]  # orders dropped from the part already read: later ones move up, unread
        return list(server.fillers)

    listing.listing = shrinking
    scan = _scan(listing)
    assert not scan.complete and "150" in scan.detail and "145" in scan.detail, scan.detail


# -- the symbol filter -----------------------------------------------------------------------------------------


def test_a_scan_by_symbol_reads_each_symbols_list_to_its_end(listing):
    now = time.time_ns()
    listing.fillers = [_filler(i, now - i * 10**9, symbol="SEED-USD") for i in range(3000)]
    listing.fillers[2500] = _order(f"graph:graph_ours:a.{TAG}:1", now - 2 * DAY_NS, symbol="ETH-USD")
    scan = _scan(listing, symbols=["BTC-USD", "ETH-USD"])
    assert scan.complete and scan.found == ["graph_ours"], scan.detail
    assert [q.get("symbol") for q in listing.gets] == ["BTC-USD", "ETH-USD"]  # one page each: the run's symbols
    listing.gets.clear()
    absent = _scan(listing, tag=run_tag("other"), symbols=["BTC-USD", "ETH-USD"])
    assert absent.complete and not absent.found and len(listing.gets) == 2, absent.detail


# -- the honest sandbox: thousands of orders, within the budgets ----------------------------------------------------


@pytest.mark.parametrize("run_key", [None, "dca-2026-W07"])  # by symbol; the whole list
def test_the_sandbox_with_thousands_of_orders_proves_absence_and_finds_the_run(
    reference_router, order, tmp_path, run_key
):
    reference_router.control("POST", "/seed_orders", {"count": 5000})
    env = cli_env(reference_router)
    key = ["--run-key", run_key] if run_key else []
    started = time.monotonic()
    first = invoke(["submit", order, *key, "--ledger", tmp_path / "l1.sqlite"], env)
    assert first.exit_code == 0 and "submitted" in first.output, first.output  # absence proven, then sent
    reference_router.control("POST", "/seed_orders", {"count": 500})  # newer orders on top of the run's
    second = invoke(["submit", order, *key, "--ledger", tmp_path / "l2.sqlite"], env)
    (graph,) = submitted_graphs(reference_router)
    assert second.exit_code == 2 and f"already submitted as graph {graph['graph_id']}" in second.output
    assert posts(reference_router) == 1
    gets = len(reference_router.requests("GET", "/v1/orders"))
    assert gets == (2 if run_key is None else 2 * 50 + 5 + 1), gets  # by BTC-USD: one page each; else all of it
    assert time.monotonic() - started < 60
