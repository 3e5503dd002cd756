"""The sandbox's hosted-strategy runner: unpack, inject, log, and the reference's restart semantics.

Real subprocesses (tiny strategies written here); the HTTP front is exercised by
tests/test_recurring_e2e.py through `graphc deploy` and `graphc strategy`.
"""

from __future__ import annotations

import base64
import io
import tarfile
import time

import pytest

from graphc.sandbox.hosted import HostedError, HostedRunner


def artifact(files: dict[str, str]) -> str:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return base64.b64encode(buffer.getvalue()).decode()


def wait(predicate, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def runner():
    r = HostedRunner(restart_delay=0.1)
    yield r
    r.shutdown()


SHOW_ENV = """\
import json, os, sys
keys = sorted(k for k in os.environ if k.startswith(("SEQUENCE_", "MY_", "TOKEN")))
print(json.dumps({k: os.environ[k] for k in keys}), flush=True)
print(json.dumps(json.load(open(os.environ["SEQUENCE_STRATEGY_MANIFEST"]))), flush=True)
print("path", sys.path[:1] == [os.getcwd()] or "isolated", flush=True)
"""


def test_a_strategy_runs_with_the_runner_environment_and_exit_0_stops_it(runner):
    created = runner.create(
        {
            "name": "env",
            "runtime": "python",
            "entrypoint": "main.py",
            "artifact_base64": artifact({"main.py": SHOW_ENV}),
            "env": {"MY_SETTING": "1", "TOKEN": "from-env"},
            "secrets": {"TOKEN": "from-secrets"},
            "manifest": {"pairs": [1, 2]},
            "sequence_api_key": "seq_test_k",
        },
        "http://127.0.0.1:1",
    )["strategy"]
    sid = created["strategy_id"]
    assert "sequence_api_key" not in created and "secrets" not in created
    wait(lambda: runner.get(sid)["strategy"]["status"] == "stopped")
    logs = runner.logs(sid)
    lines = [entry["line"] for entry in logs["logs"]]
    import json

    env = json.loads(lines[0])
    assert env["SEQUENCE_API_KEY"] == "seq_test_k" and env["SEQUENCE_API_URL"] == "http://127.0.0.1:1"
    assert env["SEQUENCE_STRATEGY_ID"] == sid and env["SEQUENCE_RUN_ID"] == logs["run_id"]
    assert env["SEQUENCE_IS_SANDBOX"] == "true" and env["MY_SETTING"] == "1"
    assert env["TOKEN"] == "from-secrets"  # secrets win over env, as in the reference
    assert json.loads(lines[1]) == {"pairs": [1, 2]}
    assert logs["exit_code"] == 0 and runner.get(sid)["strategy"]["restarts"] == 0


def test_a_non_zero_exit_is_restarted_with_a_new_run_id_until_stopped(runner):
    sid = runner.create(
        {"name": "crashy", "artifact_base64": artifact({"main.py": "import sys\nprint('boom')\nsys.exit(3)\n"})},
        "http://127.0.0.1:1",
    )["strategy"]["strategy_id"]
    wait(lambda: runner.get(sid)["strategy"]["restarts"] >= 2)
    logs = runner.logs(sid)
    assert len(set(logs["runs"])) >= 3
    first = runner.logs(sid, logs["runs"][0])
    assert first["exit_code"] == 3 and [e["line"] for e in first["logs"]] == ["boom"]
    runner.stop(sid)
    assert runner.get(sid)["strategy"]["status"] == "stopped"
    runs = len(runner.logs(sid)["runs"])
    time.sleep(0.5)
    assert len(runner.logs(sid)["runs"]) == runs  # stopped means stopped


def test_stop_sends_sigterm_and_start_runs_it_again(runner):
    forever = "import time\nprint('up', flush=True)\nwhile True:\n    time.sleep(1)\n"
    sid = runner.create({"name": "daemon", "artifact_base64": artifact({"main.py": forever})}, "http://x:1")[
        "strategy"
    ]["strategy_id"]
    wait(lambda: runner.logs(sid)["logs"])
    assert runner.get(sid)["strategy"]["status"] == "running"
    runner.stop(sid)
    assert runner.get(sid)["strategy"]["status"] == "stopped"
    assert runner.logs(sid)["exit_code"] == -15  # SIGTERM
    runner.start(sid)
    wait(lambda: len(runner.logs(sid)["runs"]) == 2 and runner.logs(sid)["logs"])
    runner.kill(sid)  # an OOM-style kill: failed, then restarted
    wait(lambda: len(runner.logs(sid)["runs"]) == 3)
    runner.delete(sid)
    with pytest.raises(HostedError):
        runner.get(sid)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "x", "runtime": "rust", "artifact_base64": "eA=="}, "runtime must be 'python'"),
        ({"name": "x", "artifact_base64": "not base64!"}, "not a base64 tar.gz"),
        ({"name": "x", "artifact_base64": artifact({"other.py": ""})}, "no entrypoint"),
        ({"artifact_base64": artifact({"main.py": ""})}, "name"),
        ({"name": "x", "artifact_base64": artifact({"main.py": ""}), "env": {"SEQUENCE_API_KEY": "k"}}, "reserved"),
    ],
)
def test_bad_create_requests_are_400(runner, body, message):
    with pytest.raises(HostedError, match=message) as err:
        runner.create(body, "http://x:1")
    assert err.value.status == 400


def test_an_artifact_cannot_write_outside_its_run_directory(runner, tmp_path):
    evil = tmp_path / "evil.txt"
    for name in (f"../../../..{evil}", str(evil)):
        with pytest.raises(HostedError, match="not a plain file inside it"):
            runner.create({"name": "x", "artifact_base64": artifact({"main.py": "", name: "gotcha"})}, "http://x:1")
    assert not evil.exists() and runner.list() == {"strategies": []}
