"""Audit notes/audit/sandbox27.md: where the local sandbox (`graphc sandbox serve`, a real process over real HTTP;
tests/sandbox_fixture.py) drew its boundaries wrong, each finding reproduced here.

- 1: on loopback it answers only requests addressed to a loopback name (421 otherwise, nothing run); off loopback
  it refuses hosted strategies (403) and its warning says why.
"""

from __future__ import annotations

import base64
import io
import socket
import tarfile
import time
from pathlib import Path

import pytest
from sandbox_fixture import running_sandbox

# -- finding 1: the Host header, and hosted strategies off loopback ----------------------------------------------


def upload(marker: Path) -> dict:
    """The audit's `strat.json`: a hosted strategy whose main.py creates ``marker``."""
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('x')\n".encode()
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
