"""graphc's client in a host that logs everything: the host's own HTTP logging is its own, and no record of
graphc's requests carries router text (audit embed29 1).

Importing graphc changes no logger (it silenced httpx, httpcore, httpx_retries, h11, h2 and hpack for the whole
process, so a host lost its own HTTP logs). The records the HTTP libraries make while graphc's request is in flight
(httpcore's DEBUG trace lists every answer header, httpx_retries warns with a raw `Retry-After`: audit hrouter.md 2)
are dropped, and only those. Each host runs as its own Python process, as a service that embeds graphc does: a root
handler at DEBUG captures every record of every logger, while graphc's client talks over real HTTP to ``scripted``
(a hostile router echoing the key in headers and reason phrases) and to ``graphc sandbox serve --port 0`` (429 and
500 faults), and the host makes httpx requests of its own, before, after and during graphc's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from sandbox_fixture import CANARY_KEY, REPO, _pythonpath, hedge_graph, wire

KEY = "sk_live_Q7zX2mV9pL4wR8tY6nB3cK1d"
PIECES = {k[i : i + 12] for k in (KEY, CANARY_KEY) for i in range(len(k) - 11)}

HOST = r"""
import json, logging, sys, threading
import httpx

scripted, sandbox, key, canary, configured = sys.argv[1:6]
records, phase = [], ["host-before"]


class Capture(logging.Handler):
    def emit(self, record):
        text = self.format(record)
        records.append({"phase": phase[0], "name": record.name, "level": record.levelname, "thread": record.threadName,
                        "text": text})


if configured == "yes":
    handler = Capture(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.DEBUG)
NAMES = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.proxy", "httpx_retries",
         "httpx_retries.retry", "httpx_retries.transport", "h11", "h2", "hpack")


def loggers():
    return {n: [logging.getLogger(n).propagate, len(logging.getLogger(n).handlers), logging.getLogger(n).level,
                len(logging.getLogger(n).filters)] for n in NAMES}


def host_request(path):
    with httpx.Client() as own:
        own.get(scripted + path)


host_request("/host/1")
import graphc, graphc.submit, graphc.api.client, graphc.api.ledger  # noqa: E401
from graphc.api.client import Client
from graphc.api.errors import ApiError

state = {"after_import": loggers()}
graphc.lint_text("graphc: 1\nname: a\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD}\n")
phase[0] = "host-after-import"
host_request("/host/2")

phase[0] = "graphc"
with Client(scripted, key, backoff_factor=0.01, max_retry_wait=0.05) as client:
    state["after_client"] = loggers()
    client.list_orders()                  # 503 Retry-After: KEY, 429 with KEY in its reason and headers, 200 the same
    client.kill_switch(True, "test")      # PUT: 429 Retry-After: KEY, then 200
    client.submit_graph(b"{}")            # POST: 200 with KEY in a header and the reason phrase
    try:
        client.get_graph("g1")            # 500 five times: the last one raises
    except ApiError:
        pass
    host = threading.Thread(target=host_request, args=("/host/4",), name="host-thread")
    host.start()                          # the router holds graphc's request until the host's is answered
    client.list_fills()
    host.join()
with Client(sandbox, canary, backoff_factor=0.01) as client:
    client.list_orders()                  # the sandbox's 429 (Retry-After: 1), then its 500, then the answer
    client.submit_graph(sys.stdin.buffer.read())
phase[0] = "host-after-graphc"
host_request("/host/3")
state["end"] = loggers()
print(json.dumps({"records": records, "state": state}))
"""


def _script(server):
    """The hostile router: every answer to graphc echoes the key in a header and, but for the first, its reason."""
    counts: dict[str, int] = {}
    graphc_in_flight, host_answered = threading.Event(), threading.Event()

    def answer(h, status, reason, body=b"{}", headers=()):
        h.send_response(status, reason)
        for name, value in (("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers):
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def script(h):
        path = h.path.split("?")[0]
        n = counts[path] = counts.get(path, 0) + 1
        echo = [("X-Echo", f"Bearer {KEY}")]
        if path.startswith("/host/"):
            if path == "/host/4":
                assert graphc_in_flight.wait(10)
            answer(h, 200, "OK", b'{"host": true}')
            if path == "/host/4":
                time.sleep(0.2)  # graphc's request stays in flight while the host's client logs its answer
                host_answered.set()
        elif h.command == "POST":
            answer(h, 200, f"OK {KEY}", b'{"graph_id": "g1", "status": "accepted"}', echo)
        elif path == "/v1/orders":
            if n == 1:
                answer(h, 503, "Service Unavailable", headers=[("Retry-After", KEY)])
            elif n == 2:
                answer(h, 429, f"Slow {KEY}", headers=[("Retry-After", "0"), *echo])
            else:
                answer(h, 200, f"OK {KEY}", b'{"orders": [], "has_more": false}', echo)
        elif path == "/v1/kill_switch":
            answer(h, 429 if n == 1 else 200, f"R {KEY}", headers=[("Retry-After", KEY), *echo])
        elif path == "/v1/fills":
            graphc_in_flight.set()
            assert host_answered.wait(10)
            answer(h, 200, f"OK {KEY}", b'{"fills": [], "has_more": false}', echo)
        else:
            answer(h, 500, f"Broken {KEY}", headers=echo)

    server.script = script


def _host(scripted, sandbox, configured: str) -> subprocess.CompletedProcess:
    _script(scripted)
    sandbox.set_faults(
        [
            {"method": "GET", "path_prefix": "/v1/orders", "kind": "http_429", "retry_after": 1, "count": 1},
            {"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "count": 1},
        ]
    )
    proc = subprocess.run(
        [sys.executable, "-c", HOST, scripted.url, sandbox.base_url, KEY, CANARY_KEY, configured],
        input=wire(hedge_graph()),
        capture_output=True,
        timeout=120,
        cwd=str(REPO),
        env={"PYTHONPATH": _pythonpath(), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc


def _no_key(text: str) -> None:
    at = min((text.find(p) for p in PIECES if p in text), default=-1)
    assert at < 0, f"the key in ...{text[max(0, at - 300) : at + 60]!r}"


def test_graphc_changes_no_logger_and_its_requests_put_no_router_text_in_any_record(scripted, sandbox):
    proc = _host(scripted, sandbox, "yes")
    out = json.loads(proc.stdout)
    records, state = out["records"], out["state"]
    _no_key(proc.stdout.decode() + proc.stderr.decode())

    # importing graphc changes no logger; a Client adds only its filter to the loggers that log its requests
    untouched = [True, 0, 0, 0]
    assert all(v == untouched for v in state["after_import"].values()), state["after_import"]
    for when in ("after_client", "end"):
        for name, (propagate, handlers, level, filters) in state[when].items():
            assert (propagate, handlers, level) == (True, 0, 0), (when, name)
            assert filters == (name not in ("httpcore", "httpx_retries", "h11", "h2", "hpack")), (when, name)

    # the host's own requests log as without graphc: before, after importing it, after using it, and during a call
    def host(path, where):
        return [r for r in records if r["phase"] == where and r["name"] == "httpx" and path in r["text"]]

    for path, where in (("/host/1", "host-before"), ("/host/2", "host-after-import"), ("/host/3", "host-after-graphc")):
        assert host(path, where), (path, where)
        assert any(r["phase"] == where and r["name"] == "httpcore.http11" for r in records)
    during = [r for r in records if r["phase"] == "graphc" and r["thread"] == "host-thread"]
    assert any(r["name"] == "httpx" and "/host/4" in r["text"] for r in during)
    assert {"httpcore.connection", "httpcore.http11"} <= {r["name"] for r in during}

    # graphc's own requests: graphc's lines only, its retries announced; no other logger said anything
    mine = [r for r in records if r["phase"] == "graphc" and r["thread"] == "MainThread"]
    assert {r["name"] for r in mine} == {"graphc.api"}, {r["name"] for r in mine}
    warnings = [r["text"] for r in mine if r["level"] == "WARNING"]
    assert warnings[0].startswith("GET /v1/orders: HTTP 503; retry 1 of 4 in ")
    assert sum("PUT /v1/kill_switch: HTTP 429" in w for w in warnings) == 1
    assert sum("GET /v1/orders: HTTP 429" in w for w in warnings) == 2  # the scripted router's, the sandbox's
    assert any("POST /v1/orders -> 200" in r["text"] for r in mine)


def test_a_raw_retry_after_reaches_no_stderr_of_a_host_without_logging(scripted, sandbox):
    # the reason the HTTP libraries were silenced (hrouter.md 2): with no handler anywhere, Python's last-resort
    # handler printed httpx_retries' warning, the router's raw Retry-After in it
    proc = _host(scripted, sandbox, "no")
    err = proc.stderr.decode()
    _no_key(err + proc.stdout.decode())
    assert "Retry-After" not in err
    assert "retry 1 of 4" in err  # graphc's own warnings reach it, as Python shows a library's warnings
