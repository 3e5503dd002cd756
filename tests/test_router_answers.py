"""Audit findings on what graphc does with a hostile or broken router's answers (notes/audit/hrouter.md, findings
4-7), each reproduced over real HTTP against a local server process: the scripted router
(`_Scripted`, one script per test) or `graphc sandbox serve`, both in tests/sandbox_fixture.py.

- 4: a graph id read from `GET /v1/orders` gets the check the POST's answer gets (`client.is_graph_id`); one
  that fails is named escaped and never stored, and `graphc ledger` escapes whatever an old ledger holds.
- 5: `amend` answered 2xx with `"status": "rejected"` is exit 3 with the router's reason.
- 6: a malformed live quote is a router failure (exit 3) naming the symbol and the field, not "no quote".
- 7: a failed request's message says how many attempts it made and how long they took, and
  `ledger --reconcile` stops asking after the first look at the router that failed because the router did.

And notes/audit/sandbox27.md 6: an answer that gives a key twice is not JSON to graphc (a POST's: uncertain).

And notes/audit/money20.md 2: `status --json` and `strategy list --json` print the answer's numbers as they came
(never through a binary float), and an answer holding NaN or an infinity is not JSON (exit 3).
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
import time
from decimal import Decimal
from http.server import ThreadingHTTPServer

import pytest
from sandbox_fixture import (
    _Scripted,  # the scripted hostile router
    cli_env,
)
from test_ledger_scopes_and_bounds import SIMPLE  # the audit's one-node wire file

from graphc.api.client import Client
from graphc.api.errors import ApiTimeout
from graphc.api.ledger import Ledger, Scope
from tests.conftest import invoke

KEY = "sk_live_SECRETKEY0123456789abcdef"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what must never reach the terminal raw
EVIL = "g\x1b[31mRED\x1b]0;title\x07/../../v1/kill_switch\n"  # the audit's id: SGR, OSC, traversal, line break


class _Router(_Scripted):
    """The scripted router, keeping each request's body as ``h.body`` and its (method, path) in ``server.seen``."""

    def _any(self):
        self.body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append((self.command, self.path))
        with contextlib.suppress(OSError):  # the client hung up: that is what some tests want
            self.server.script(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any


@contextlib.contextmanager
def scripted_router(handler=None):
    """A scripted router (``handler``, by default this file's), served on a free port in a thread of this process
    (test_follow_answers.py and test_lookup_proofs.py use it too)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler or _Router)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def router():
    with scripted_router() as server:
        yield server


def env_for(router, **extra) -> dict:
    return {
        "SEQUENCE_API_URL": router.url,
        "SEQUENCE_API_KEY": KEY,
        "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials",
        "NO_COLOR": "1",
        **extra,
    }


# -- finding 4: a graph id from the order list is checked like the POST's -------------------------------------


def _evil_listing(router):
    """The audit's `evil_listing`: a POST is answered 200 without a graph id, and its nodes are listed by
    `GET /v1/orders` under the graph id EVIL."""
    orders: list[dict] = []

    def script(h):
        if h.command == "POST":
            for n in json.loads(h.body)["nodes"]:
                orders.append(
                    {
                        "node_order_id": f"graph:{EVIL}:{n['node_id']}:1",
                        "symbol": "BTC-USD",
                        "side": "BUY",
                        "created_unix_ns": time.time_ns(),
                    }
                )
            return h.answer(200, b'{"status": "active"}')
        return h.answer(200, json.dumps({"orders": orders, "has_more": False}).encode())

    return script


def test_a_graph_id_from_the_order_list_that_is_no_graph_id_is_never_stored(router, tmp_path):
    router.script = _evil_listing(router)
    order, ledger = tmp_path / "order.json", tmp_path / "ledger.sqlite"
    order.write_text(json.dumps(SIMPLE))
    env = env_for(router, GRAPHC_LANDING_MARGIN="1")
    first = invoke(["submit", order, "--run-key", "ev", "--ledger", ledger], env)
    assert first.exit_code == 3 and "UNCERTAIN" in first.output, first.output  # no graph id in the answer
    time.sleep(1.5)  # past the run's landing margin (1 s): only the scan can settle it now
    second = invoke(["submit", order, "--run-key", "ev", "--ledger", ledger], env)
    # before the fix: exit 2, "already submitted as graph gRED", and the ledger held EVIL as confirmed
    assert second.exit_code == 3, second.output
    assert "is not a graph id" in second.output, second.output
    assert r"'g\x1b[31mRED\x1b]0;title\x07/../../v1/kill_switch\n'" in second.output  # named, escaped
    assert not RAW_CONTROL.search(second.output), repr(second.output)
    assert [m for m, _ in router.seen].count("POST") == 1  # never resent
    reconciled = invoke(["ledger", "--reconcile", "--ledger", ledger], env)
    assert reconciled.exit_code == 3 and "is still uncertain" in reconciled.output, reconciled.output
    assert not RAW_CONTROL.search(reconciled.output), repr(reconciled.output)
    with Ledger(ledger) as led:
        (run,) = led.runs()
        assert (run.state, run.graph_id) == ("uncertain", None)
    assert [m for m, _ in router.seen].count("POST") == 1


def test_the_ledger_listing_escapes_a_graph_id_an_old_ledger_holds(tmp_path):
    """A ledger written before the check may hold EVIL as a confirmed graph id: the table shows it escaped
    (docs/robustness.md, "What reports print")."""
    ledger = tmp_path / "ledger.sqlite"
    with Ledger(ledger) as led:
        run = led.begin(Scope("http://127.0.0.1:9", "local"), "k\x1b]0;t\x07", "p", False, wire_for=lambda tag: b"{}")
        led.mark_sent(run.id, time.time_ns())
        led.record_confirmed(run.id, "graph_ok")
    with sqlite3.connect(ledger) as db:  # what the unchecked scan stored before the fix
        db.execute("UPDATE runs SET graph_id = ?", (EVIL,))
    listed = invoke(["ledger", "--ledger", ledger], {"NO_COLOR": "1"})
    assert listed.exit_code == 0, listed.output
    assert not RAW_CONTROL.search(listed.output), repr(listed.output)
    assert r"g\x1b[31mRED\x1b]0;title\x07/../../v1/kill_switch\n" in listed.output
    assert r"k\x1b]0;t\x07" in listed.output  # the run key likewise


# -- finding 5: amend answered 2xx "rejected" ----------------------------------------------------------------------

GRAPH = {
    "graph_id": "graph_abc",
    "status": "active",
    "nodes": {
        "order": {
            "status": "executing",
            "target_qty_1e8": 100000,
            "filled_qty_1e8": 0,
            "avg_fill_price_1e9": 0,
            "fill_count": 0,
        }
    },
    "edges": {},
}


def _amend_answer(patch: dict):
    def script(h):
        if h.command == "PATCH":
            return h.answer(200, json.dumps(patch).encode())
        return h.answer(200, json.dumps(GRAPH).encode())

    return script


@pytest.mark.parametrize(
    ("patch", "said"),
    [
        (
            {"status": "rejected", "reason": "node order is done\x1b[31m"},
            "graph graph_abc node order: rejected (urgency): the router refused the amend: node order is done",
        ),
        ({"status": "failed"}, "the router refused the amend (its answer gives no reason)"),
        ({"status": "error", "error": {"message": "engine busy"}}, "the router refused the amend: engine busy"),
    ],
)
def test_amend_answered_2xx_with_a_refusal_is_exit_3_with_the_reason(router, tmp_path, patch, said):
    router.script = _amend_answer(patch)
    result = invoke(
        ["amend", "graph_abc", "order", "--urgency", "high", "--ledger", tmp_path / "l.sqlite"], env_for(router)
    )
    assert result.exit_code == 3, result.output  # before the fix: 0
    assert said in result.output and not RAW_CONTROL.search(result.output), repr(result.output)


@pytest.mark.parametrize("patch", [{"status": "accepted"}, {}])
def test_amend_accepted_or_without_a_status_is_success(router, tmp_path, patch):
    router.script = _amend_answer(patch)
    result = invoke(
        ["amend", "graph_abc", "order", "--urgency", "high", "--ledger", tmp_path / "l.sqlite"], env_for(router)
    )
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"graph graph_abc node order: {patch.get('status', 'amend sent')} (urgency)\n")


# -- finding 6: a malformed live quote ------------------------------------------------------------------------------

LADDER = """\
graphc: 1
name: p
legs:
  spot: {buy: 0.1, symbol: ETH-USD, limit: bid - 0bps}
"""


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"nbbo": {"bid": NaN, "ask": NaN}}', "its bid is nan"),
        (b'{"nbbo": {"bid": -5, "ask": 2300}}', "its bid is -5: -5 is not a positive price"),
        (b'{"nbbo": {"bid": [1], "ask": 2300}}', "its bid is [1]: not a number"),
        (b'{"nbbo": {"bid": "2300\\u001b[31m", "ask": 2300}}', r"its bid is '2300\x1b[31m'"),
        (b'{"nbbo": {"bid": 1e999, "ask": 2300}}', "its bid is"),
        (b'{"nbbo": [2300, 2301]}', "its nbbo is [2300, 2301]: not a mapping"),
    ],
)
def test_a_malformed_live_quote_is_a_router_failure_naming_symbol_and_field(router, tmp_path, body, said):
    router.script = lambda h: h.answer(200, body)
    (tmp_path / "p.yaml").write_text(LADDER)
    result = invoke(["compile", tmp_path / "p.yaml", "--quotes", "live"], env_for(router))
    assert result.exit_code == 3, result.output  # before the fix: 1, GC109 "the router has no quote"
    assert "the router's quote for ETH-USD is malformed" in result.output and said in result.output, result.output
    assert "GC109" not in result.output and not RAW_CONTROL.search(result.output), repr(result.output)


@pytest.mark.parametrize("body", [b'{"nbbo": {"bid": 0, "ask": null}}', b'{"nbbo": {}}', b"{}", b'{"nbbo": null}'])
def test_a_live_quote_without_a_price_is_still_gc109(router, tmp_path, body):
    router.script = lambda h: h.answer(200, body)
    (tmp_path / "p.yaml").write_text(LADDER)
    result = invoke(["compile", tmp_path / "p.yaml", "--quotes", "live"], env_for(router))
    assert result.exit_code == 1 and "the router has no quote for ETH-USD" in result.output, result.output


# -- finding 7: true timeout messages; reconcile bounded -----------------------------------------------------------


def _headers_then_stall(h):
    """Status line and headers, then nothing: the body read times out (outside the retrying transport)."""
    h.send_response(200)
    h.send_header("Content-Length", "100")
    h.end_headers()
    h.wfile.flush()
    time.sleep(3)


def test_a_timeout_without_a_retry_does_not_say_after_retries(router):
    router.script = _headers_then_stall
    with Client(router.url, KEY, timeout=0.3, deadline=10.0) as c, pytest.raises(ApiTimeout) as info:
        c.get_graph("graph_x")
    # before the fix: "GET /v1/execution_graphs/graph_x timed out after retries: ReadTimeout"
    assert "after retries" not in str(info.value)
    assert re.search(r"timed out \(1 attempt in [0-9.]+ s\): ReadTimeout", str(info.value)), str(info.value)


def test_read_timeouts_are_not_reported_as_an_earlier_attempts_deadline(router):
    """The audit's silent router: every attempt ends on its read timeout (0.2 s here) well before its deadline
    (0.5 s), but the five attempts together outlast the first attempt's deadline, whose timer then fired during
    a retry and the failure was reported as "no complete answer within 0.5 s"."""
    router.script = lambda h: time.sleep(2)  # accepts, reads the request, never answers
    client = Client(router.url, KEY, timeout=0.2, deadline=0.5, retries=4, backoff_factor=0.01)
    with client as c, pytest.raises(ApiTimeout) as info:
        c.get_graph("graph_x")
    assert "within 0.5 s" not in str(info.value), str(info.value)
    assert re.search(r"timed out \(5 attempts in [0-9.]+ s\): ReadTimeout", str(info.value)), str(info.value)


def test_a_deadline_that_did_cut_the_attempt_says_so_with_the_attempts(router):
    def trickle(h):
        h.wfile.write(b"HTTP/1.0 200 OK\r\n")
        for _ in range(50):
            h.wfile.write(b"X")
            h.wfile.flush()
            time.sleep(0.1)

    router.script = trickle
    with Client(router.url, KEY, timeout=1.0, deadline=0.5, retries=0) as c, pytest.raises(ApiTimeout) as info:
        c.get_graph("graph_x")
    assert re.search(r"no complete answer within 0.5 s \(1 attempt in [0-9.]+ s\)", str(info.value)), str(info.value)


def test_reconcile_stops_asking_after_the_router_failed(sandbox, tmp_path):
    """Three uncertain runs, and a router whose order list fails (403): one look, not one per run."""
    order, ledger = tmp_path / "order.json", tmp_path / "ledger.sqlite"
    order.write_text(json.dumps(SIMPLE))
    env = cli_env(sandbox)
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "count": 3}])
    for key in ("r1", "r2", "r3"):
        assert invoke(["submit", order, "--run-key", key, "--ledger", ledger], env).exit_code == 3
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "status", "status": 403, "count": 10}])
    before = len(sandbox.requests("GET", "/v1/orders"))
    result = invoke(["ledger", "--reconcile", "--ledger", ledger], env)
    assert result.exit_code == 3, result.output
    assert len(sandbox.requests("GET", "/v1/orders")) - before == 1, result.output  # before the fix: 3
    assert "run 1 (r1) is still uncertain" in result.output and "HTTP 403" in result.output, result.output
    for run_id, key in ((2, "r2"), (3, "r3")):
        assert f"run {run_id} ({key}) not asked: the router failed while run 1 was looked up" in result.output
    with Ledger(ledger) as led:
        assert [r.state for r in led.runs()] == ["uncertain"] * 3


# -- audit money20 2: `--json` prints the router's numbers as they came, never through a binary float -----------------

# the audit's answer: a number of 19 digits, one beyond a double's range, one with a trailing zero, one of 22 digits
EXACT_GRAPH = (
    b'{"graph_id": "graph_abc123", "status": "active", "pnl_usd": 12345678901234567.89, "x": 1e400, "y": 1.10, '
    b'"nodes": {"a": {"status": "executing", "target_qty_1e8": 12345678, "filled_qty_1e8": 1, '
    b'"avg_fill_price_1e9": 9223372036854775807, "fill_count": 1, "avg_price": 2325.123456789012345678}}}'
)
EXACT_STRATEGIES = (
    b'{"strategies": [{"strategy_id": "strat_1", "name": "dca", "status": "running", "desired_state": "running", '
    b'"artifact_sha256": "ab", "restarts": 0, "cost_usd": 0.10, "budget": 12345678901234567.89}]}'
)


def _answering(body: bytes):
    return lambda h: h.answer(200, body)


def test_status_json_prints_the_routers_numbers_as_received(router):
    router.script = _answering(EXACT_GRAPH)
    result = invoke(["status", "graph_abc123", "--json"], env_for(router))
    assert result.exit_code == 0, result.output
    # before the fix: 1.2345678901234568e+16, Infinity (no JSON), 1.1 and 2325.1234567890124
    for number in (
        '"pnl_usd": 12345678901234567.89',
        '"x": 1E+400',
        '"y": 1.10',
        '"avg_price": 2325.123456789012345678',
    ):
        assert number in result.output, result.output
    assert '"avg_fill_price_1e9": 9223372036854775807' in result.output
    assert json.loads(result.output, parse_float=Decimal) == json.loads(EXACT_GRAPH, parse_float=Decimal)


def test_strategy_list_json_prints_the_routers_numbers_as_received(router):
    router.script = _answering(EXACT_STRATEGIES)
    result = invoke(["strategy", "list", "--json"], env_for(router))
    assert result.exit_code == 0, result.output
    assert '"cost_usd": 0.10' in result.output and '"budget": 12345678901234567.89' in result.output, result.output
    answered = json.loads(EXACT_STRATEGIES, parse_float=Decimal)
    for entry in answered["strategies"]:  # graphc adds its reading of the mode (audit live23 F1): unknown here
        entry["graphc_live"] = None
    assert json.loads(result.output, parse_float=Decimal) == answered


@pytest.mark.parametrize("constant", [b"Infinity", b"-Infinity", b"NaN"])
@pytest.mark.parametrize("args", [["status", "graph_abc123", "--json"], ["strategy", "list", "--json"]])
def test_json_of_an_answer_with_a_non_finite_number_is_a_router_failure(router, constant, args):
    """NaN and the infinities are no JSON: an answer holding one is not JSON, as any other such body is (exit 3);
    before the fix `Infinity` was printed, and jq refused the output."""
    body = EXACT_GRAPH if args[0] == "status" else EXACT_STRATEGIES
    router.script = _answering(body.replace(b"12345678901234567.89", constant))
    result = invoke(args, env_for(router))
    assert result.exit_code == 3, result.output
    assert "the router's answer is not JSON" in result.output, result.output
    assert "Infinity" not in result.output and "NaN" not in result.output


# -- notes/audit/sandbox27.md 6: an answer that gives a key twice is not read as its last value ----------------------


def test_an_answer_that_gives_a_key_twice_is_uncertain_for_a_post_and_not_json_for_a_get(router):
    from graphc.api.errors import ApiProtocolError, UncertainSubmission

    def script(h):
        if h.command == "POST":  # the audit's [dup graph_id]
            return h.answer(200, b'{"graph_id": "graph_a", "graph_id": "graph_b", "status": "active"}')
        return h.answer(  # the audit's [dup status]
            200, b'{"graph_id": "graph_a", "status": "failed", "status": "completed", "nodes": {}, "edges": {}}'
        )

    router.script = script
    with Client(router.url, KEY) as client:
        # before the fix: {'graph_id': 'graph_b', 'status': 'active'}, the second graph id taken as the one created
        with pytest.raises(UncertainSubmission) as posted:
            client.submit_graph(json.dumps(SIMPLE).encode())
        assert "POST /v1/orders: HTTP 200 but the answer could not be read" in str(posted.value), posted.value
        # before the fix: {'graph_id': 'graph_a', 'status': 'completed', ...}, a failed graph read as completed
        with pytest.raises(ApiProtocolError) as got:
            client.get_graph("graph_a")
        assert "the router's answer is not JSON" in str(got.value), got.value
    assert [m for m, _ in router.seen] == ["POST", "GET"]  # each sent once
