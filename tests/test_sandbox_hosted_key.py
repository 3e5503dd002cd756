"""Audit notes/audit/sec29.md finding 2: the loopback sandbox ran a hosted strategy uploaded by anyone.

`graphc sandbox serve` took any bearer token, and on loopback it runs an uploaded strategy as a program, as the user
who started it; every local account can reach a loopback port. Now whatever makes it start a program (a create, a
start, the restart after a kill) needs its own key as the bearer token: the SEQUENCE_API_KEY it was started with.
Started without one it runs none, and says how to turn them on. Every other endpoint still takes any token.

A real `graphc sandbox serve` process over real HTTP (tests/sandbox_fixture.py); whether a program ran is whether the
file its main.py writes appears.
"""

from __future__ import annotations

import base64
import io
import tarfile
import time
from pathlib import Path

import pytest
from sandbox_fixture import CANARY_KEY, run_graphc, running_sandbox

WRONG = [{"Authorization": "Bearer anything"}, {"Authorization": f"Bearer {CANARY_KEY}x"}, {}, {"Authorization": ""}]


def upload(marker: Path, *, start: bool = True, forever: bool = False) -> dict:
    """A strategy whose main.py appends a line to ``marker`` each time it is started (and then runs on, ``forever``)."""
    code = f"import time\nopen({str(marker)!r}, 'a').write('ran\\n')\n"
    if forever:
        code += "while True:\n    time.sleep(0.1)\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("main.py")
        info.size = len(code.encode())
        tar.addfile(info, io.BytesIO(code.encode()))
    return {
        "name": "probe",
        "entrypoint": "main.py",
        "artifact_base64": base64.b64encode(buffer.getvalue()).decode(),
        "start_immediately": start,
    }


def own_key(sandbox) -> dict:
    return {"Authorization": f"Bearer {sandbox.key}"}


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def strategies(sandbox) -> list[dict]:
    return sandbox.api("GET", "/v1/strategies")[1]["strategies"]


@pytest.mark.parametrize("headers", WRONG, ids=["any-token", "another-key", "no-header", "empty-header"])
def test_an_upload_without_the_sandboxs_own_key_runs_nothing(sandbox, tmp_path, headers):
    marker = tmp_path / "ran"
    status, body, _ = sandbox.request("POST", "/v1/strategies", upload(marker), headers)
    # before the fix: 200 {"strategy": {... "status": "running"}}, and main.py ran as the sandbox's owner
    if headers.get("Authorization"):
        assert status == 403, (status, body)
        assert body["error"]["code"] == "forbidden"
        assert "only for a request that carries its own key, the SEQUENCE_API_KEY it was started with" in str(body)
        assert CANARY_KEY not in str(body)
    else:
        assert status == 401, (status, body)  # no token at all: refused as any /v1 request is
    time.sleep(1.0)
    assert not marker.exists()
    assert strategies(sandbox) == []


def test_an_upload_with_the_sandboxs_own_key_runs(sandbox, tmp_path):
    marker = tmp_path / "ran"
    status, body, _ = sandbox.request("POST", "/v1/strategies", upload(marker), own_key(sandbox))
    assert status == 200, body
    wait_for(lambda: marker.exists() and marker.read_text() == "ran\n")


def test_a_start_without_the_sandboxs_own_key_runs_nothing(sandbox, tmp_path):
    marker = tmp_path / "ran"
    status, body, _ = sandbox.request("POST", "/v1/strategies", upload(marker, start=False), own_key(sandbox))
    assert status == 200, body
    sid = body["strategy"]["strategy_id"]
    for headers in WRONG[:2]:
        status, body, _ = sandbox.request("POST", f"/v1/strategies/{sid}/start", {}, headers)
        assert status == 403 and body["error"]["code"] == "forbidden", (status, body)
    time.sleep(1.0)
    assert not marker.exists()
    (entry,) = strategies(sandbox)
    assert entry["status"] == "stopped" and entry["run_id"] is None
    # what does not start a program still takes any token, as every other /v1 endpoint does
    assert sandbox.request("GET", f"/v1/strategies/{sid}/logs", None, WRONG[0])[0] == 200
    assert sandbox.request("POST", f"/v1/strategies/{sid}/stop", {}, WRONG[0])[0] == 200
    assert sandbox.request("POST", f"/v1/strategies/{sid}/start", {}, own_key(sandbox))[0] == 200
    wait_for(marker.exists)


def test_a_kill_without_the_sandboxs_own_key_restarts_nothing(sandbox, tmp_path):
    """A kill restarts the strategy, a new process: it takes the key, as a start does."""
    marker = tmp_path / "ran"
    status, body, _ = sandbox.request("POST", "/v1/strategies", upload(marker, forever=True), own_key(sandbox))
    assert status == 200, body
    sid = body["strategy"]["strategy_id"]
    wait_for(marker.exists)
    status, body, _ = sandbox.request("POST", f"/_sandbox/strategies/{sid}/kill", None, WRONG[0])
    assert status == 403 and body["error"]["code"] == "forbidden", (status, body)
    time.sleep(2.0)  # past the runner's restart delay (1 s)
    (entry,) = strategies(sandbox)
    assert entry["status"] == "running" and entry["restarts"] == 0
    assert marker.read_text() == "ran\n"
    assert sandbox.request("POST", f"/_sandbox/strategies/{sid}/kill", None, own_key(sandbox))[:2] == (
        200,
        {"killed": True},
    )
    wait_for(lambda: marker.read_text() == "ran\nran\n")


def test_trading_still_takes_any_token(sandbox):
    status, body, _ = sandbox.api("POST", "/v1/orders", {"symbol": "ETH-USD", "side": "buy", "qty": 1}, token="x")
    assert status == 200, body


def test_the_key_is_never_printed_and_the_start_up_says_what_runs_hosted_strategies(sandbox):
    assert CANARY_KEY not in sandbox.first_line and CANARY_KEY not in sandbox.stderr()
    assert (
        "hosted strategies (graphc deploy, strategy start) run only for requests whose key is the SEQUENCE_API_KEY "
        "this sandbox was started with" in sandbox.stderr()
    )


def test_a_sandbox_started_without_a_key_runs_no_hosted_strategy_and_says_how(tmp_path):
    marker = tmp_path / "ran"
    with running_sandbox(speed=0, key=None) as sb:
        for headers in [{"Authorization": "Bearer anything"}, {"Authorization": f"Bearer {CANARY_KEY}"}]:
            status, body, _ = sb.request("POST", "/v1/strategies", upload(marker), headers)
            assert status == 403, (status, body)
            assert body["error"]["code"] == "hosted_strategies_off"
            message = body["error"]["message"]
            assert "it was started without SEQUENCE_API_KEY" in message
            assert "start it with SEQUENCE_API_KEY set, and run graphc deploy with the same SEQUENCE_API_KEY" in message
            assert "runs as a program, as the user who started the sandbox" in message
        assert sb.api("POST", "/v1/orders", {"symbol": "ETH-USD", "side": "buy", "qty": 1})[0] == 200
        time.sleep(1.0)
        assert strategies(sb) == []
        banner = sb.stderr()
    assert not marker.exists()
    assert "hosted strategies are off: SEQUENCE_API_KEY is not set" in banner, banner
    assert "start it with SEQUENCE_API_KEY set, and deploy with the same SEQUENCE_API_KEY" in banner, banner


def test_graphc_deploy_with_the_sandboxs_key_runs_and_with_another_is_refused(sandbox, tmp_path):
    d = tmp_path / "probe"
    d.mkdir()
    marker = tmp_path / "ran"
    (d / "main.py").write_text(f"open({str(marker)!r}, 'a').write('ran\\n')\n")
    (d / "Sequence.toml").write_text(
        '[strategy]\nname = "probe"\nruntime = "python"\n\n[hosted]\nentrypoint = "main.py"\n'
    )
    base = {"GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials", "NO_COLOR": "1"}
    other = run_graphc(["deploy", str(d)], sandbox.env(SEQUENCE_API_KEY="seq_test_someone_else", **base), tmp_path)
    assert other.returncode == 3, other.stderr
    assert "HTTP 403" in other.stderr and "run graphc with that same SEQUENCE_API_KEY; nothing was run" in other.stderr
    time.sleep(1.0)
    assert not marker.exists()
    done = run_graphc(["deploy", str(d)], sandbox.env(SEQUENCE_API_KEY=sandbox.key, **base), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deployed probe as strategy ")
    wait_for(marker.exists)
