"""The router client and the status/cancel/kill-switch commands, over real HTTP
against `graphc sandbox serve` running as a separate process."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import socket
import subprocess
import sys
import time
import traceback

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sandbox_fixture import REPO, hedge_graph, node, wire

from graphc.api.client import Client, _error_detail
from graphc.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiProtocolError,
    ApiTimeout,
    ConfigError,
    Conflict,
    InsecureCredentials,
    KillSwitchActive,
    NotFound,
    RateLimited,
    Rejected,
    ServerError,
    UncertainSubmission,
)
from graphc.api.follow import graph_view
from graphc.api.lookup import find_run
from graphc.api.secrets import ApiKey, RedactingFilter, load_api_key, redact
from graphc.commands.common import render_graph
from graphc.commands.status import cancel_command, kill_switch_command, status_command

KEY = "sk_test_9f8e7d6c5b4a_DO_NOT_LEAK"


def client_for(sb, **kw) -> Client:
    kw.setdefault("backoff_factor", 0.01)
    return Client(sb.base_url, KEY, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _own_folder(tmp_path, monkeypatch):
    """Each test types its commands in a folder of its own: kill-switch records its requests in the ledger of the
    folder's project (docs/submitting.md, "Changes whose answer was lost"), which must not be the repository's."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def client(sandbox):
    with client_for(sandbox) as c:
        yield c


# -- idempotent requests retry ----------------------------------------------------


def test_get_retries_on_500_then_succeeds(sandbox, client):
    gid = client.submit_graph(wire(hedge_graph()))["graph_id"]
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/execution_graphs/", "kind": "http_500", "count": 2}])
    graph = client.get_graph(gid)
    assert graph["graph_id"] == gid
    assert len(sandbox.requests("GET", f"/v1/execution_graphs/{gid}")) == 3


def test_get_gives_up_after_retries(sandbox):
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "count": 50}])
    with client_for(sandbox, retries=2) as c, pytest.raises(ServerError) as info:
        c.list_orders()
    assert info.value.exit_code == 3 and info.value.status == 500
    assert len(sandbox.requests("GET", "/v1/orders")) == 3


def test_get_honours_retry_after_on_429(sandbox, client):
    sandbox.set_faults(
        [{"method": "GET", "path_prefix": "/v1/orders", "kind": "http_429", "retry_after": 1, "count": 1}]
    )
    started = time.monotonic()
    page = client.list_orders()
    assert time.monotonic() - started >= 0.95  # waited what the server asked, not the 0.01 s backoff
    assert page["orders"] == []
    assert [r["fault"] for r in sandbox.requests("GET", "/v1/orders")] == ["http_429", None]


def test_get_retries_after_a_read_timeout(sandbox):
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/fills", "kind": "slow", "delay": 0.8, "count": 1}])
    with client_for(sandbox, timeout=0.3) as c:
        assert c.list_fills()["fills"] == []
    assert len(sandbox.requests("GET", "/v1/fills")) == 2


def test_rate_limited_read_reports_retry_after(sandbox):
    sandbox.set_faults(
        [{"method": "GET", "path_prefix": "/v1/orders", "kind": "http_429", "retry_after": 0, "count": 50}]
    )
    with client_for(sandbox, retries=1) as c, pytest.raises(RateLimited) as info:
        c.list_orders()
    assert info.value.retry_after == 0 and info.value.exit_code == 3


# -- submissions are never retried blindly ------------------------------------------


def test_post_dropped_after_read_is_uncertain_and_not_retried(sandbox, client):
    body = wire(hedge_graph())
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    with pytest.raises(UncertainSubmission) as info:
        client.submit_graph(body, idempotency_key="run-1")
    assert info.value.exit_code == 3
    assert len(sandbox.requests("POST", "/v1/orders")) == 1
    graphs = sandbox.graphs()
    assert len(graphs) == 1  # the router did apply it: exactly the dangerous case
    assert graphs[0]["idempotency_key"] == "run-1"
    assert graphs[0]["wire_sha256"] == hashlib.sha256(body).hexdigest()


def test_post_500_is_uncertain_and_not_retried(sandbox, client):
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "count": 5}])
    with pytest.raises(UncertainSubmission) as info:
        client.submit_graph(wire(hedge_graph()))
    assert info.value.status == 500
    assert len(sandbox.requests("POST", "/v1/orders")) == 1


def test_post_read_timeout_is_uncertain(sandbox):
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": 0.6}])
    with client_for(sandbox, timeout=0.2) as c, pytest.raises(UncertainSubmission):
        c.submit_graph(wire(hedge_graph()))
    time.sleep(0.7)
    assert len(sandbox.graphs()) == 1  # applied after we stopped listening
    assert len(sandbox.requests("POST", "/v1/orders")) == 1


def test_post_refusals_are_definite(sandbox, client):
    with pytest.raises(Rejected) as info:
        client.submit_graph(b'{"symbol": "BTC-USD", "side": "hold", "qty": 1}')
    assert not isinstance(info.value, UncertainSubmission)
    assert info.value.status == 400 and info.value.code == "validation_error"
    assert "side" in str(info.value)
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_429", "count": 5}])
    with pytest.raises(RateLimited):
        client.submit_graph(wire(hedge_graph()))
    assert len(sandbox.requests("POST", "/v1/orders")) == 2  # one each, no retry
    assert sandbox.graphs() == []


# How many times this process called connect() to each port a test watches (httpcore's DEBUG records of graphc's
# own requests counted them; they are dropped now: test_http_logs_in_a_host.py). The audit hook stays for the
# process's life and only counts.
_CONNECTS: dict[int, int] = {}


def _count_connects(event: str, args: tuple) -> None:
    if event == "socket.connect" and isinstance(args[1], tuple) and len(args[1]) >= 2 and args[1][1] in _CONNECTS:
        _CONNECTS[args[1][1]] += 1


sys.addaudithook(_count_connects)


def test_post_connect_error_is_retried_then_fails_cleanly():
    started = time.monotonic()
    port = free_port()
    _CONNECTS[port] = 0
    with (
        Client(f"http://127.0.0.1:{port}", KEY, connect_retries=2) as c,
        pytest.raises(ApiConnectionError) as info,
    ):
        c.submit_graph(wire(hedge_graph()))
    assert _CONNECTS.pop(port) == 3
    assert time.monotonic() - started >= 0.45  # httpcore backs off 0 s, then 0.5 s
    err = info.value
    assert not isinstance(err, UncertainSubmission) and err.exit_code == 3
    assert "\n" not in str(err) and "nothing was sent" in str(err)


def test_submit_sends_the_exact_bytes(sandbox, client):
    body = b'{ "nodes" : [' + wire(node("a", qty_1e8=123)) + b'],\n "edges": [], "is_sandbox": true }'
    answer = client.submit_graph(body, idempotency_key="exact-1")
    assert answer["status"] == "active" and answer["node_count"] == 1 and answer["edge_count"] == 0
    (graph,) = sandbox.graphs()
    assert graph["wire_sha256"] == hashlib.sha256(body).hexdigest()
    assert graph["graph_id"] == answer["graph_id"]


def test_the_client_posts_orders_only_as_the_submitter_sends_them():
    """`Client.submit_order` posted a simple order, which has no `is_sandbox` (the router's default decided the
    mode), outside every gate, the ledger and the run tag; nothing used it (audit live23 O6). A graph is posted by
    `submit_graph` alone, which `graphc.submit` calls after the double opt-in (`wire_mode`) and the ledger; a
    simple order is sent as `graphc submit` sends it, wrapped as a sandbox graph (docs/submitting.md)."""
    posting = sorted(name for name in vars(Client) if name.startswith("submit"))
    assert posting == ["submit_graph"], posting


# -- other endpoints --------------------------------------------------------------


def test_kill_switch_cancels_and_blocks(sandbox, client):
    sandbox.configure(speed=0)  # the graph must still be running when the switch flips
    gid = client.submit_graph(wire(hedge_graph()))["graph_id"]
    answer = client.kill_switch(True, "test breach")
    assert answer["active"] is True and answer["cancelled_graphs"] == 1
    assert client.get_graph(gid)["status"] == "cancelled"
    with pytest.raises(KillSwitchActive) as info:
        client.submit_graph(wire(hedge_graph(1000)))
    assert info.value.exit_code == 3
    assert client.kill_switch(False)["active"] is False
    assert client.submit_graph(wire(hedge_graph(1000)))["status"] == "active"


def test_cancel_resume_and_errors(sandbox, client):
    sandbox.configure(speed=0)
    gid = client.submit_graph(wire(hedge_graph()))["graph_id"]
    sandbox.pause(gid)
    assert client.get_graph(gid)["status"] == "paused"
    assert client.resume_graph(gid)["status"] == "active"
    with pytest.raises(Conflict):
        client.resume_graph(gid)
    assert client.cancel_graph(gid)["status"] == "cancelled"
    with pytest.raises(NotFound) as info:
        client.get_graph("graph_doesnotexist")
    assert info.value.exit_code == 3
    with pytest.raises(ConfigError):
        client.get_graph("../v1/kill_switch")


def test_list_orders_and_fills(sandbox, client):
    gid = client.submit_graph(wire(hedge_graph(400)))["graph_id"]
    deadline = time.monotonic() + 10
    while client.get_graph(gid)["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.05)
    orders = client.list_orders(symbol="ETH-USD")["orders"]
    assert [o["node_order_id"] for o in orders] == [f"graph:{gid}:spot:1"]
    assert orders[0]["side"] == "BUY" and orders[0]["status"] == "COMPLETED"
    assert len(list(client.iter_orders(page_size=1))) == 2
    fills = client.list_fills(node_order_id=f"graph:{gid}:hedge:1")["fills"]
    assert sum(f["qty_1e8"] for f in fills) == 400


# -- the key never leaks ----------------------------------------------------------


def test_key_never_appears_in_repr_errors_or_logs(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    c = client_for(sandbox, retries=1, timeout=0.3)
    errors = []
    sandbox.set_faults(
        [
            {"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "count": 5},
            {"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read", "count": 1},
            {"method": "GET", "path_prefix": "/v1/fills", "kind": "slow", "delay": 0.5, "count": 5},
        ]
    )
    for call in (
        c.list_orders,
        c.list_fills,
        lambda: c.submit_graph(wire(hedge_graph())),
        lambda: c.get_graph("graph_nope"),
        lambda: c.submit_graph(b"{}"),
    ):
        try:
            call()
        except ApiError as exc:
            errors.append(exc)
    assert len(errors) == 5
    request = next(c._http.auth.auth_flow(c._http.build_request("GET", "/v1/orders")))  # as sent
    texts = [repr(c), str(c), repr(c._http.auth), repr(request), repr(request.headers), caplog.text]
    for exc in errors:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    assert all(KEY not in t for t in texts)
    assert "[secure]" in repr(request.headers)  # the header is there, masked
    c.close()


def test_redaction_filter_scrubs_log_records():
    key = ApiKey("sk_live_abcdef123456", source="test")
    assert repr(key).count("sk_live") == 0 and str(key) == "***"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sent %s and Bearer tok123", (key.reveal(),), None)
    RedactingFilter().filter(record)
    assert "sk_live_abcdef123456" not in record.getMessage() and "tok123" not in record.getMessage()
    assert redact(f"a {key.reveal()} b") == "a [REDACTED] b"


# -- configuration ----------------------------------------------------------------


def test_credentials_file_must_be_private(tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text(f'api_key = "{KEY}"\n')
    creds.chmod(0o644)
    with pytest.raises(InsecureCredentials) as info:
        load_api_key(creds, env={})
    assert info.value.exit_code == 2 and "0644" in str(info.value) and KEY not in str(info.value)
    creds.chmod(0o600)
    assert load_api_key(creds, env={}).reveal() == KEY
    creds.write_text("sk_bare_key_on_one_line\n")
    assert load_api_key(creds, env={}).reveal() == "sk_bare_key_on_one_line"
    assert load_api_key(creds, env={"SEQUENCE_API_KEY": "from-env"}).reveal() == "from-env"
    with pytest.raises(ConfigError):
        load_api_key(tmp_path / "missing", env={})


def test_client_from_env(tmp_path, sandbox):
    creds = tmp_path / "graphc" / "credentials"
    creds.parent.mkdir()
    creds.write_text(f'api_key = "{KEY}"\n')
    creds.chmod(0o640)
    env = {"SEQUENCE_API_URL": "https://router.example", "XDG_CONFIG_HOME": str(tmp_path)}
    with pytest.raises(InsecureCredentials):
        Client.from_env(env)
    creds.chmod(0o600)
    with Client.from_env(env) as c:
        assert c.base_url == "https://router.example" and KEY not in repr(c)
    with pytest.raises(ConfigError) as info:
        Client.from_env({"XDG_CONFIG_HOME": str(tmp_path / "none")})
    # no router set at all: the message also says how to reach a local sandbox, which needs no key
    assert "SEQUENCE_API_URL=http://127.0.0.1:PORT" in str(info.value) and "graphc sandbox serve" in str(info.value)
    with pytest.raises(ConfigError) as info:
        Client.from_env({"SEQUENCE_API_URL": "https://router.example", "XDG_CONFIG_HOME": str(tmp_path / "none")})
    assert "graphc sandbox serve" not in str(info.value)  # a router was named: it is the key that is missing
    with Client.from_env({"SEQUENCE_API_URL": sandbox.base_url, "XDG_CONFIG_HOME": str(tmp_path / "none")}) as c:
        assert c.list_orders()["total"] == 0  # loopback sandbox needs no account


def test_unsafe_urls_are_refused():
    for url in ("http://router.example", "https://user:pw@router.example", "ftp://x", "https://x/?k=1"):
        with pytest.raises(ConfigError):
            Client(url, KEY)
    assert Client("http://localhost:1/", KEY).base_url == "http://localhost:1"


# -- status / cancel / kill-switch commands -----------------------------------------


def test_status_command_output(sandbox):
    sandbox.configure(speed=0)
    with client_for(sandbox) as c:
        gid = c.submit_graph(wire(hedge_graph()))["graph_id"]
    sandbox.tick(1050)  # accepted at 50 ms, fills at 550 and 1050: spot is at 50 %
    result = CliRunner().invoke(status_command, [gid], env=sandbox.env(SEQUENCE_API_KEY=KEY))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"graph {gid}: active"
    assert lines[1] == ("  spot   [##########..........]  50.0%  100 / 200  avg 100  executing (2 fills)")
    assert lines[2] == ("  hedge  [....................]   0.0%  0 / 200  avg -  executing")
    assert lines[3] == "  edges: e0 fired"


def test_status_watch_follows_to_completion_in_a_subprocess(sandbox):
    with client_for(sandbox) as c:
        gid = c.submit_graph(wire(hedge_graph()))["graph_id"]
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "status", gid, "--watch", "--interval", "0.05", "--verbose"],
        env=sandbox.env(SEQUENCE_API_KEY=KEY),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b[" not in proc.stdout  # not a terminal: plain blocks, no redraw codes
    blocks = [line for line in proc.stdout.splitlines() if line.startswith("graph ")]
    assert blocks[-2:] == [f"graph {gid}: completed", f"graph {gid} completed"]
    assert "100.0%  200 / 200  avg 100  filled (4 fills)" in proc.stdout
    # --verbose: one line per request (method, path, status, ms), and none of the HTTP library's debug output
    requests = [line for line in proc.stderr.splitlines() if line.startswith("graphc: GET ")]
    assert requests and all(
        re.fullmatch(rf"graphc: GET /v1/execution_graphs/{gid} -> 200 \(\d+ ms\)", r) for r in requests
    )
    assert len(requests) == len(proc.stderr.splitlines())
    assert KEY not in proc.stdout + proc.stderr


def test_status_render_tolerates_sparse_answers():
    view = graph_view({"graph_id": "g", "status": "active", "nodes": {"a": {"status": "pending"}}}, "g")
    assert render_graph(view) == ["graph g: active", "  a  [....................]   0.0%  0 / 0  avg -  pending"]


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ([], "the answer"),
        ({"status": 5}, "status"),
        ({"status": "active", "nodes": [1]}, "nodes"),
        ({"status": "active", "nodes": {"a": 1}}, "nodes.a"),
        ({"status": "active", "nodes": {"a": {"filled_qty_1e8": "lots"}}}, "filled_qty_1e8"),
        ({"status": "active", "nodes": {"a": {"target_qty_1e8": -5}}}, "target_qty_1e8"),
        ({"status": "active", "nodes": {"a": {"fill_count": True}}}, "fill_count"),
    ],
)
def test_an_answer_of_the_wrong_shape_names_the_field(answer, field):
    with pytest.raises(ApiProtocolError) as info:
        graph_view(answer, "g")
    assert f"not the documented shape: {field} is" in str(info.value) and info.value.exit_code == 3


def test_tagged_node_ids_are_shown_as_the_playbook_named_them():
    nodes = {"spot.gcabcdefghijklmnop": {"status": "pending"}, "a.b": {"status": "pending"}}
    view = graph_view({"status": "active", "nodes": nodes}, "g")
    assert [(n.name, n.node_id) for n in view.nodes] == [("spot", "spot.gcabcdefghijklmnop"), ("a.b", "a.b")]


def test_commands_exit_3_with_one_line_on_api_errors(sandbox):
    runner = CliRunner()
    env = sandbox.env(SEQUENCE_API_KEY=KEY)
    result = runner.invoke(status_command, ["graph_missing"], env=env)
    assert result.exit_code == 3
    assert result.output.strip().startswith("graphc: error: GET /v1/execution_graphs/graph_missing: HTTP 404")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    down = {**env, "SEQUENCE_API_URL": f"http://127.0.0.1:{free_port()}"}
    result = runner.invoke(cancel_command, ["graph_x"], env=down)
    assert result.exit_code == 3 and "cannot reach the router" in result.output
    result = runner.invoke(status_command, ["not/a/graph"], env=env)
    assert result.exit_code == 2
    result = runner.invoke(kill_switch_command, ["on"], env=env)
    assert result.exit_code == 2 and "--reason" in result.output


def test_cancel_and_kill_switch_commands(sandbox):
    sandbox.configure(speed=0)
    runner = CliRunner()
    env = sandbox.env(SEQUENCE_API_KEY=KEY)
    with client_for(sandbox) as c:
        first = c.submit_graph(wire(hedge_graph()))["graph_id"]
        second = c.submit_graph(wire(hedge_graph(1000)))["graph_id"]
        result = runner.invoke(cancel_command, [first], env=env)
        assert result.exit_code == 0 and result.output == f"graph {first}: cancelled\n"
        result = runner.invoke(kill_switch_command, ["on", "--reason", "drill"], env=env)
        assert result.exit_code == 0
        assert result.output == "kill switch is ON (drill); 1 active graph(s) cancelled\n"
        assert c.get_graph(second)["status"] == "cancelled"
        result = runner.invoke(kill_switch_command, ["off"], env=env)
        assert result.exit_code == 0 and result.output == "kill switch is OFF\n"


def test_insecure_credentials_exit_2_without_traceback(tmp_path, sandbox):
    creds = tmp_path / "credentials"
    creds.write_text(f'api_key = "{KEY}"\n')
    creds.chmod(0o644)
    env = {
        **sandbox.env(),
        "SEQUENCE_API_URL": "https://router.example",
        "GRAPHC_CREDENTIALS": str(creds),
        "SEQUENCE_API_KEY": None,
    }
    result = CliRunner().invoke(status_command, ["graph_x"], env=env)
    assert result.exit_code == 2
    assert "chmod 600" in result.output and KEY not in result.output


# -- a hostile or broken router ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8765", True),
        ("http://127.8.9.10", True),
        ("http://[::1]:8765", True),
        ("http://localhost:8765", True),
        ("http://LOCALHOST", True),
        ("http://127.attacker.example", False),
        ("http://127.0.0.1.nip.io", False),
        ("http://localhost.attacker.example", False),
        ("http://127.1", False),  # not a dotted quad: a name, whatever a resolver makes of it
        ("http://10.0.0.1", False),
        ("https://127.attacker.example", True),  # TLS: the key is not in clear text
    ],
)
def test_plain_http_only_to_a_loopback_address(url, allowed):
    if allowed:
        Client(url, KEY).close()
    else:
        with pytest.raises(ConfigError) as info:
            Client(url, KEY)
        assert "refusing plain http" in str(info.value)


def test_a_padded_echo_of_the_key_is_redacted_before_it_is_cut(scripted):
    message = "x" * 290 + f" you sent {KEY}"  # the key straddles where a message is cut
    scripted.script = lambda h: h.answer(
        401, json.dumps({"error": {"code": "unauthorized", "message": message}}).encode()
    )
    with Client(scripted.url, KEY, retries=0) as c, pytest.raises(ApiError) as info:
        c.get_graph("graph_x")
    text = str(info.value) + repr(info.value) + str(getattr(info.value, "detail", ""))
    assert KEY[:6] not in text and "x" * 250 in text


def test_status_json_redacts_an_echoed_key(scripted):
    answer = {"graph_id": "g", "status": "active", "nodes": {}, "note": f"auth Bearer {KEY}", "k": KEY}
    scripted.script = lambda h: h.answer(200, json.dumps(answer).encode())
    env = {"SEQUENCE_API_URL": scripted.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent"}
    result = CliRunner().invoke(status_command, ["graph_x", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert KEY not in result.output and json.loads(result.output)["k"] == "[REDACTED]"


def _endless(h):
    """200 with a body that never ends (no Content-Length)."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.end_headers()
    chunk = b" " * 65536
    for _ in range(100_000):  # 6.5 GB if nobody stops reading
        h.wfile.write(chunk)


def test_an_answer_larger_than_the_cap_is_refused_without_reading_it_all(scripted):
    scripted.script = _endless
    with Client(scripted.url, KEY, retries=0, max_answer_bytes=1 << 20) as c:
        with pytest.raises(ApiProtocolError) as info:
            c.list_orders()
        assert "larger than 1048576 bytes" in str(info.value)
        with pytest.raises(UncertainSubmission):  # a POST whose answer is unreadable may have been applied
            c.submit_graph(wire(hedge_graph()))
    scripted.script = _claims_two_gigabytes
    with Client(scripted.url, KEY, retries=0, max_answer_bytes=1 << 20) as c, pytest.raises(ApiProtocolError):
        c.list_orders()  # refused on its Content-Length, before a byte of the body


def _claims_two_gigabytes(h):
    h.send_response(200)
    h.send_header("Content-Length", str(2 * 10**9))
    h.end_headers()


def _trickle(h):
    """A status line, then one header byte every 0.2 s: no read ever times out, the answer never ends."""
    h.wfile.write(b"HTTP/1.0 200 OK\r\n")
    for _ in range(150):  # 30 s, so a broken deadline fails the test instead of hanging it
        h.wfile.write(b"X")
        h.wfile.flush()
        time.sleep(0.2)


def test_a_trickling_answer_is_cut_at_the_deadline(scripted):
    scripted.script = _trickle
    with Client(scripted.url, KEY, retries=0, timeout=1.0, deadline=1.0) as c:
        with pytest.raises(ApiTimeout) as info:
            c.get_graph("graph_x")
        assert "no complete answer within 1 s" in str(info.value)
        with pytest.raises(UncertainSubmission) as info:
            c.submit_graph(wire(hedge_graph()))
        assert "no complete answer within 1 s" in str(info.value)


def test_terminal_escape_sequences_from_the_router_are_shown_escaped(scripted):
    evil = "\x1b]0;owned\x07\x1b[2J\x1b[31mexecuting\x9b1m\u202e"
    answer = {
        "graph_id": "graph_x",
        "status": "active",
        "nodes": {"spot\x1b[5m": {"status": "executing"}},
        "edges": {"e\x07": {"status": evil}},
    }
    scripted.script = lambda h: h.answer(200, json.dumps(answer).encode())
    env = {"SEQUENCE_API_URL": scripted.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent"}
    shown = CliRunner().invoke(status_command, ["graph_x"], env=env)
    assert shown.exit_code == 0 and "\\x1b]0;owned\\x07\\x1b[2J" in shown.output, shown.output  # shown, inert
    assert "spot\\x1b[5m" in shown.output, shown.output
    # a node status none of the reference's (audit status28 1) is exit 3, named in the message, as inert
    scripted.script = lambda h: h.answer(200, json.dumps({**answer, "nodes": {"spot": {"status": evil}}}).encode())
    odd = CliRunner().invoke(status_command, ["graph_x"], env=env)
    assert odd.exit_code == 3 and "node spot's status is '\\x1b]0;owned\\x07\\x1b[2J" in odd.output, odd.output
    error = {"error": {"code": "x", "message": "no such graph\x1b[2J\x1b]8;;http://evil\x07"}}
    scripted.script = lambda h: h.answer(404, json.dumps(error).encode())
    refused = CliRunner().invoke(status_command, ["graph_x"], env=env)
    assert refused.exit_code == 3 and "no such graph" in refused.output
    for text in (shown.output, odd.output, refused.output):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", text), repr(text)


def test_retries_are_announced_without_verbose(sandbox):
    with client_for(sandbox) as c:
        gid = c.submit_graph(wire(hedge_graph()))["graph_id"]
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/execution_graphs/", "kind": "http_500", "count": 2}])
    result = CliRunner().invoke(status_command, [gid], env=sandbox.env(SEQUENCE_API_KEY=KEY))
    assert result.exit_code == 0, result.output
    retries = [line for line in result.output.splitlines() if "retry" in line]
    assert len(retries) == 2 and retries[0].startswith(
        f"graphc: GET /v1/execution_graphs/{gid}: HTTP 500; retry 1 of 4 in"
    )
    assert not any(line.startswith("graphc: GET") and "->" in line for line in result.output.splitlines())  # no -v


# -- answers of any shape are results or diagnostics, never crashes (hypothesis) ------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
NODE = st.dictionaries(
    st.sampled_from(["status", "target_qty_1e8", "filled_qty_1e8", "avg_fill_price_1e9", "fill_count"]), JSON
)
GRAPH_ANSWER = JSON | st.fixed_dictionaries(
    {"status": JSON, "nodes": JSON | st.dictionaries(st.text(max_size=30), NODE, max_size=3), "edges": JSON}
)


@given(GRAPH_ANSWER)
def test_any_status_answer_is_a_view_or_names_the_field(answer):
    try:
        view = graph_view(answer, "g")
    except ApiProtocolError as exc:
        assert "not the documented shape" in str(exc)
        return
    for line in render_graph(view):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", line)


class _Pages:
    """Stands in for the router's order list: the scan only calls ``list_orders``."""

    def __init__(self, pages):
        self.pages, self.calls = pages, 0

    def list_orders(self, limit, offset):
        page = self.pages[min(self.calls, len(self.pages) - 1)]
        self.calls += 1
        if isinstance(page, Exception):
            raise page
        return page


ORDER = st.fixed_dictionaries(
    {},
    optional={
        "node_order_id": st.sampled_from(["graph:g1:spot.gcaaaaaaaaaaaaaaaa:1", "graph:g2:x:1", "x"]) | JSON,
        "created_unix_ns": st.integers(min_value=-5, max_value=5) | JSON,
    },
)
PAGE = st.fixed_dictionaries({}, optional={"orders": st.lists(ORDER | JSON, max_size=4) | JSON, "has_more": JSON})


@given(st.lists(PAGE | st.just(ApiTimeout("GET /v1/orders: timed out")), min_size=1, max_size=5))
def test_a_scan_of_any_order_list_ends_and_proves_absence_only_when_complete(pages):
    scan = find_run(_Pages(pages), "gcaaaaaaaaaaaaaaaa", since_ns=0, max_pages=10)
    assert scan.pages <= 10 and scan.detail
    if scan.complete:  # it read to the end: no page that looks older than the window ends a scan
        assert "read all" in scan.detail and pages[scan.pages - 1]["has_more"] is False
    assert set(scan.found) <= {"g1"}


@given(st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_error_body_gives_a_clean_one_line_detail(body):
    code, detail = _error_detail(body)
    for text in (code, detail):
        assert text is None or (len(text) <= 300 and "\n" not in text)


@pytest.mark.parametrize("value", ["²", "¹0", "³"])
def test_a_retry_after_of_non_ascii_digits_is_no_hint_not_a_crash(scripted, value):
    # str.isdigit() is true for '²' (a latin-1 header byte), but float() refuses it: a ValueError, exit 4
    scripted.script = lambda h: h.answer(429, b'{"error": {"code": "rate_limited"}}', {"Retry-After": value})
    with Client(scripted.url, KEY, retries=0) as c, pytest.raises(RateLimited) as info:
        c.list_orders()
    assert info.value.retry_after is None and info.value.exit_code == 3


# -- cancel and kill-switch: what the router's answer may and may not say (audit ops.md 2, 3, 7) -----------
# The reference (orders-and-execution-graphs.md) documents the requests only: DELETE …/{graph_id} "Returns
# 200 on success"; PUT /v1/kill_switch takes {"active": true, "reason": ...}, "To clear: {"active": false}".


def _answer_kill_switch_with(sandbox, body: str) -> None:
    """The sandbox applies the PUT, then answers 200 with ``body`` instead of its own answer."""
    sandbox.set_faults(
        [
            {
                "method": "PUT",
                "path_prefix": "/v1/kill_switch",
                "kind": "status",
                "status": 200,
                "body": body,
                "apply": True,
                "count": 5,
            }
        ]
    )


@pytest.mark.parametrize(
    ("state", "body", "said"),
    [
        ("on", '{"active": false}', '"active": false`: it is OFF'),
        ("off", '{"active": true}', '"active": true`: it is ON'),
        ("on", '{"active": "yes"}', 'gives `active` as "yes", not true or false'),
        ("on", '{"active": null}', "gives `active` as null, not true or false"),
        ("off", '{"active": 0}', "gives `active` as 0, not true or false"),
    ],
)
def test_kill_switch_exits_3_when_the_answer_says_another_state(sandbox, state, body, said):
    _answer_kill_switch_with(sandbox, body)
    result = CliRunner().invoke(
        kill_switch_command, [state, "--reason", "drill"], env=sandbox.env(SEQUENCE_API_KEY=KEY)
    )
    assert result.exit_code == 3, result.output
    assert said in result.output and f"asked to turn the kill switch {state.upper()}" in result.output
    assert "kill switch is" not in result.output  # no line that reads as done
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ("OK", "is not a JSON object"),
        ("[true]", "is not a JSON object"),
        ("", "does not state the switch's state"),
        ("{}", "does not state the switch's state"),
    ],
)
def test_kill_switch_accepted_without_a_readable_state_is_done_with_a_note(sandbox, body, what):
    """A 2xx is the router's yes (no answer body is documented); the note says the state is not confirmed."""
    _answer_kill_switch_with(sandbox, body)
    env = sandbox.env(SEQUENCE_API_KEY=KEY)
    result = CliRunner().invoke(kill_switch_command, ["on", "--reason", "drill"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == "kill switch is ON (drill)\n"
    assert f"graphc: note: the router accepted the request (HTTP 2xx), but its answer {what}" in result.stderr
    assert "cannot confirm the switch is ON; check that your active graphs show cancelled" in result.stderr
    sandbox.set_faults([])
    assert sandbox.api("POST", "/v1/orders", wire(hedge_graph()))[0] == 403  # it was applied: the switch is on


def test_kill_switch_off_sends_only_active_false(sandbox):
    """To clear, the reference sends {"active": false}: a --reason given with off is not sent."""
    env = sandbox.env(SEQUENCE_API_KEY=KEY)
    assert CliRunner().invoke(kill_switch_command, ["on", "--reason", "drill"], env=env).exit_code == 0
    result = CliRunner().invoke(kill_switch_command, ["off", "--reason", "all clear"], env=env)
    assert result.exit_code == 0 and result.output == "kill switch is OFF\n"
    sent = [r["fields"] for r in sandbox.requests("PUT", "/v1/kill_switch")]
    assert sent == [["active", "reason"], ["active"]]


def test_cancel_answered_200_with_a_body_that_is_not_json_is_done(sandbox):
    """ "Returns 200 on success": the body (here `OK`) does not make a cancel that worked a failure."""
    sandbox.configure(speed=0)
    with client_for(sandbox) as c:
        gid = c.submit_graph(wire(hedge_graph()))["graph_id"]
    sandbox.set_faults(
        [
            {
                "method": "DELETE",
                "path_prefix": "/v1/execution_graphs/",
                "kind": "status",
                "status": 200,
                "body": "OK",
                "apply": True,
            }
        ]
    )
    result = CliRunner().invoke(cancel_command, [gid], env=sandbox.env(SEQUENCE_API_KEY=KEY))
    assert result.exit_code == 0, result.output
    assert result.output == f"graph {gid}: cancel requested\n"
    with client_for(sandbox) as c:
        assert c.get_graph(gid)["status"] == "cancelled"
