"""Audit notes/audit/sec29.md finding 5: a web page could drive the loopback sandbox's `/_sandbox/*` controls.

The `/_sandbox/` controls take no token, and they read a `Content-Type: text/plain` body whatever the request's
`Origin`: a page that found the port could send `fetch(URL + "/_sandbox/faults", {method: "POST", mode: "no-cors",
body: ...})` (a "simple" request, which the browser sends without asking first) and change a rehearsal's faults,
prices, clock. Now a request whose `Origin` is not one of this server's own loopback origins is refused (403) on
every path, and a body sent to a control must say `Content-Type: application/json` (415 otherwise), which a page
can only send after a CORS preflight the sandbox never grants.

A real `graphc sandbox serve` process over real HTTP (tests/sandbox_fixture.py); requests sent as a browser sends
them, with urllib (the fixture's `request` adds `Content-Type: application/json` only to a body it encodes itself).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest
from sandbox_fixture import CANARY_KEY, REPO

FAULTS = {"rules": [{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}]}
AUTH = {"Authorization": f"Bearer {CANARY_KEY}"}
ORDER = {"symbol": "ETH-USD", "side": "buy", "qty": 1}


def send(sandbox, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, parsed body) of one request, with exactly these headers (urllib adds a Content-Type of its own
    to a body sent without one: it is given here whenever there is a body)."""
    req = urllib.request.Request(sandbox.base_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def port_of(sandbox) -> int:
    return int(sandbox.base_url.rsplit(":", 1)[1])


def test_the_audits_cross_origin_post_changes_no_fault(sandbox):
    body = json.dumps(FAULTS).encode()
    headers = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
    status, answer = send(sandbox, "POST", "/_sandbox/faults", body, headers)
    # before the fix: 200 {"rules": [{"kind": "http_500", ...}]}, and the next order was answered 500
    assert status == 403, (status, answer)
    assert answer["error"]["code"] == "cross_origin_refused"
    assert "Origin 'https://evil.example'" in answer["error"]["message"]
    assert "nothing was done" in answer["error"]["message"]
    assert sandbox.faults() == []
    assert sandbox.api("POST", "/v1/orders", ORDER)[0] == 200


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "null", "http://127.0.0.1", "http://127.0.0.1:1", "http://localhost:3000", "file://"],
)
def test_a_request_from_another_origin_is_refused_on_every_path(sandbox, origin):
    json_type = {"Content-Type": "application/json"}
    for method, path, body, headers in [
        ("GET", "/_sandbox/health", None, {}),
        ("GET", "/_sandbox/requests", None, {}),
        ("POST", "/_sandbox/reset", None, {}),
        ("POST", "/_sandbox/tick", b'{"ms": 1000}', json_type),
        ("POST", "/_sandbox/config", b'{"speed": 0}', {"Content-Type": "text/plain"}),
        ("DELETE", "/_sandbox/faults", None, {}),
        ("GET", "/v1/orders", None, AUTH),
        ("POST", "/v1/orders", json.dumps(ORDER).encode(), {**AUTH, **json_type}),
    ]:
        status, answer = send(sandbox, method, path, body, {**headers, "Origin": origin})
        assert status == 403, (origin, method, path, status, answer)
        assert answer["error"]["code"] == "cross_origin_refused"
    assert sandbox.requests() == [] and sandbox.graphs() == []  # not even seen


def test_the_sandboxs_own_loopback_origins_are_answered(sandbox):
    port = port_of(sandbox)
    for origin in [f"http://127.0.0.1:{port}", f"http://localhost:{port}", f"http://[::1]:{port}"]:
        assert send(sandbox, "GET", "/_sandbox/health", None, {"Origin": origin})[0] == 200, origin
        status, answer = send(
            sandbox,
            "POST",
            "/_sandbox/faults",
            json.dumps({"rules": []}).encode(),
            {"Origin": origin, "Content-Type": "application/json"},
        )
        assert status == 200, (origin, status, answer)


def test_two_origin_headers_are_refused(sandbox):
    port = port_of(sandbox)
    req = urllib.request.Request(sandbox.base_url + "/_sandbox/health")
    req.add_unredirected_header("Origin", f"http://127.0.0.1:{port}")
    req.headers["origin"] = "https://evil.example"  # urllib keeps both, as two header lines
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=10)
    assert refused.value.code == 403


@pytest.mark.parametrize(
    "content_type", ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", None]
)
def test_a_control_reads_a_body_only_when_it_says_it_is_json(sandbox, content_type):
    headers = {} if content_type is None else {"Content-Type": content_type}
    if content_type is None:  # urllib would add one: a request with no Content-Type at all, sent by hand
        raw = sandbox.base_url.removeprefix("http://")
        status, answer = _raw_post(raw, "/_sandbox/faults", json.dumps(FAULTS).encode())
    else:
        status, answer = send(sandbox, "POST", "/_sandbox/faults", json.dumps(FAULTS).encode(), headers)
    assert status == 415, (status, answer)
    assert answer["error"]["code"] == "unsupported_media_type"
    assert "Content-Type: application/json" in answer["error"]["message"]
    assert sandbox.faults() == []
    for path, body in [
        ("/_sandbox/tick", b'{"ms": 1000}'),
        ("/_sandbox/prices", b'{"ETH-USD": 5}'),
        ("/_sandbox/config", b'{"speed": 0}'),
        ("/_sandbox/seed_orders", b'{"count": 1}'),
    ]:
        assert send(sandbox, "POST", path, body, {"Content-Type": "text/plain"})[0] == 415, path
    assert sandbox.graphs() == [] and sandbox.control("GET", "/config")["prices"].get("ETH-USD") != "5"


def _raw_post(hostport: str, path: str, body: bytes):
    import socket

    host, port = hostport.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(f"POST {path} HTTP/1.0\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


def test_json_bodies_and_bodiless_controls_still_work(sandbox):
    status, answer = send(
        sandbox,
        "POST",
        "/_sandbox/faults",
        json.dumps(FAULTS).encode(),
        {"Content-Type": "application/json; charset=utf-8"},
    )
    assert status == 200 and answer["rules"][0]["kind"] == "http_500", (status, answer)
    assert send(sandbox, "DELETE", "/_sandbox/faults")[0] == 200  # no body: no Content-Type needed
    assert send(sandbox, "POST", "/_sandbox/reset")[0] == 200
    # the router's endpoints are unchanged: a bearer token already makes a page ask first
    assert (
        send(sandbox, "POST", "/v1/orders", json.dumps(ORDER).encode(), {**AUTH, "Content-Type": "text/plain"})[0]
        == 200
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_the_docs_curl_example_sets_the_fault_it_shows(sandbox):
    """docs/submitting.md's fault-injection example, run as shown (before the fix it sent curl's default
    form type, which is now refused)."""
    page = (REPO / "docs" / "submitting.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", page, re.S) if "curl" in b and "/_sandbox/faults" in b]
    env = {**os.environ, "SEQUENCE_API_URL": sandbox.base_url}
    proc = subprocess.run(["bash", "-c", block], env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rules"][0]["kind"] == "drop_after_read", proc.stdout
    assert [r["kind"] for r in sandbox.faults()] == ["drop_after_read"]
