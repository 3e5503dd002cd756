"""`graphc deploy` and `graphc strategy ...` against the sandbox's /v1/strategies (real HTTP, real subprocesses).

A hand-written strategy directory (Sequence.toml + main.py), so these tests
are about the endpoints and the commands; the graphc bundle is deployed in
tests/test_recurring_e2e.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sandbox_fixture import on_a_terminal, running_sandbox

CANARY = "seq_test_CANARY-deploy-91ac"

MAIN = """\
import hashlib, json, os, sys, time
key = os.environ.get("SEQUENCE_API_KEY", "")
print(json.dumps({"event": "boot", "run_id": os.environ["SEQUENCE_RUN_ID"], "mode": os.environ.get("MODE"),
                  "key_sha256": hashlib.sha256(key.encode()).hexdigest()}), flush=True)
print("bell\\x07 and \\x1b[2J escapes", flush=True)
if os.environ.get("MODE") == "crash":
    sys.exit(3)
if os.environ.get("MODE") == "forever":
    while True:
        time.sleep(0.2)
print(json.dumps({"event": "done"}), flush=True)
"""


@pytest.fixture(scope="module")
def router():
    # started with the key the CLI is given: the one token it runs hosted strategies for (audit sec29 2)
    with running_sandbox(speed=0, key=CANARY) as sb:
        yield sb


@pytest.fixture
def sandbox(router):
    router.reset()
    return router


def strategy_dir(tmp_path: Path, name: str = "probe", mode: str = "done") -> Path:
    d = tmp_path / name
    d.mkdir()
    (d / "main.py").write_text(MAIN)
    (d / "Sequence.toml").write_text(
        f'[strategy]\nname = "{name}"\nruntime = "python"\n\n[hosted]\nentrypoint = "main.py"\n\n'
        "[hosted.resources]\ncpu_millis = 100\nmemory_mb = 128\n\n"
        f'[hosted.env]\nMODE = "{mode}"\n'
    )
    return d


def graphc(sandbox, *args, key=CANARY) -> subprocess.CompletedProcess:
    env = sandbox.env(SEQUENCE_API_KEY=key) if key else sandbox.env()
    # stdin is never the terminal pytest may run in: the delete prompt is asked only of a terminal (`no_tty` below)
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def listed(sandbox) -> list[dict]:
    proc = graphc(sandbox, "strategy", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["strategies"]


def wait_status(sandbox, status: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        (entry,) = listed(sandbox)
        if entry["status"] == status:
            return entry
        assert time.monotonic() < deadline, entry
        time.sleep(0.2)


def test_deploy_runs_it_and_exit_0_stops_it_and_a_loopback_router_never_gets_the_key(sandbox, tmp_path):
    """audit live23 F6: with a key configured, a deploy to the local sandbox uploaded it as `sequence_api_key`, and
    the rehearsal's code (run uncontained) got the real key. A loopback router "needs no key": none is sent."""
    proc = graphc(sandbox, "deploy", str(strategy_dir(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("deployed probe as strategy ")
    assert CANARY not in proc.stdout + proc.stderr
    assert "graphc: note: the router's URL is a loopback address" in proc.stderr
    (create,) = sandbox.requests("POST", "/v1/strategies")
    assert "sequence_api_key" not in create["fields"] and "artifact_base64" in create["fields"]
    entry = wait_status(sandbox, "stopped")
    assert entry["restarts"] == 0 and entry["resources"] == {"cpu_millis": 100, "memory_mb": 128}
    assert "sequence_api_key" not in entry and CANARY not in json.dumps(entry)
    logs = graphc(sandbox, "strategy", "logs", "probe")
    lines = logs.stdout.splitlines()
    boot = json.loads(lines[0])
    assert boot["key_sha256"] == hashlib.sha256(b"").hexdigest()  # the runner had no key to inject
    assert lines[1] == "bell\\x07 and \\x1b[2J escapes"  # a log line cannot drive the terminal
    assert json.loads(lines[-1]) == {"event": "done"}
    quiet = graphc(sandbox, "deploy", str(strategy_dir(tmp_path, name="nokey")), "--no-start", key=None)
    assert "loopback" not in quiet.stderr  # no key configured: nothing to say about not sending it
    # and without the sandbox's own key nothing is uploaded, --no-start too (audit sec29 2)
    assert quiet.returncode == 3 and "HTTP 403" in quiet.stderr and "nothing was run" in quiet.stderr
    assert [s["name"] for s in listed(sandbox)] == ["probe"]


def test_deploy_to_a_router_that_is_not_loopback_sends_the_key_the_runner_injects(tmp_path, monkeypatch):
    """The other half of live23 F6: against the router, the configured key is the strategy's `sequence_api_key`,
    which the runner injects (tests/test_sandbox_hosted.py: the runner's environment). 0.0.0.0 is no loopback
    address to graphc (nor to Python's ipaddress), yet Linux connects it to this host: a stand-in for the router's
    own URL, over real HTTP (plain http, as a runner's URL is allowed to be). The router is the scripted one: the
    sandbox answers no request addressed to 0.0.0.0 (audit sandbox27 1, tests/test_sandbox_boundaries.py)."""
    from test_router_answers import scripted_router

    from graphc.api.client import Client
    from graphc.strategies import deploy, read_strategy_dir

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    sent = []
    with scripted_router() as router:

        def script(h):
            if h.command == "GET":
                return h.answer(200, b'{"strategies": []}')
            sent.append(json.loads(h.body))
            return h.answer(200, json.dumps({"strategy": {"strategy_id": "strat_1", "status": "running"}}).encode())

        router.script = script
        port = router.url.rsplit(":", 1)[1]
        with Client(f"http://0.0.0.0:{port}", CANARY, allow_plain_http=True) as client:
            created = deploy(client, read_strategy_dir(strategy_dir(tmp_path)))
    assert created["strategy_id"] == "strat_1"
    (create,) = sent
    assert create["sequence_api_key"] == CANARY


def test_a_crashing_strategy_is_restarted_and_stop_stops_it(sandbox, tmp_path):
    assert graphc(sandbox, "deploy", str(strategy_dir(tmp_path, mode="crash"))).returncode == 0
    deadline = time.monotonic() + 30
    while listed(sandbox)[0]["restarts"] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    stop = graphc(sandbox, "strategy", "stop", "probe")
    assert stop.returncode == 0 and stop.stdout.strip().endswith(": stopped")
    runs = listed(sandbox)[0]["restarts"]
    time.sleep(1.5)
    assert listed(sandbox)[0]["restarts"] == runs and listed(sandbox)[0]["status"] == "stopped"


def test_follow_prints_new_lines_and_ends_when_stopped(sandbox, tmp_path):
    assert graphc(sandbox, "deploy", str(strategy_dir(tmp_path, mode="forever"))).returncode == 0
    wait_status(sandbox, "running")
    follower = subprocess.Popen(
        [sys.executable, "-m", "graphc", "strategy", "logs", "probe", "--follow", "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=sandbox.env(SEQUENCE_API_KEY=CANARY),
    )
    first = follower.stdout.readline()
    assert json.loads(first)["event"] == "boot"
    assert graphc(sandbox, "strategy", "stop", "probe").returncode == 0
    # read through the same buffered file as readline (communicate() would read the pipe past its buffer)
    rest = follower.stdout.read()
    assert follower.wait(timeout=30) == 0
    assert "escapes" in rest


def test_start_delete_and_names_already_taken(sandbox, tmp_path):
    d = strategy_dir(tmp_path)
    assert graphc(sandbox, "deploy", str(d), "--no-start").returncode == 0
    assert listed(sandbox)[0]["status"] == "stopped"
    taken = graphc(sandbox, "deploy", str(d))
    assert taken.returncode == 2 and "--replace" in taken.stderr
    start = graphc(sandbox, "strategy", "start", "probe")
    assert start.returncode == 0
    wait_status(sandbox, "stopped")  # it ran and exited 0
    assert len(json.loads(graphc(sandbox, "strategy", "logs", "probe").stdout.splitlines()[0])) > 0
    replaced = graphc(sandbox, "deploy", str(d), "--replace", "--env", "MODE=forever")
    assert replaced.returncode == 0, replaced.stderr
    (entry,) = listed(sandbox)
    assert entry["env"]["MODE"] == "forever"
    no_tty = graphc(sandbox, "strategy", "delete", "probe")
    assert no_tty.returncode == 2 and "--yes" in no_tty.stderr
    assert graphc(sandbox, "strategy", "delete", "probe", "--yes").returncode == 0
    assert listed(sandbox) == []
    missing = graphc(sandbox, "strategy", "stop", "probe")
    assert missing.returncode == 2 and "no strategy named 'probe'" in missing.stderr


@pytest.mark.parametrize("answer", [b"n\n", b"\x04", None])  # no, Ctrl-D, Ctrl-C
def test_delete_declined_at_the_prompt_deletes_nothing(sandbox, tmp_path, answer):
    """No, Ctrl-D and Ctrl-C at `Delete strategy ...?` are one refusal (exit 2, said), never an internal error
    (audit plan20 2: the submit prompt's twin, through the same helper)."""
    assert graphc(sandbox, "deploy", str(strategy_dir(tmp_path)), "--no-start").returncode == 0
    env = sandbox.env(SEQUENCE_API_KEY=CANARY)
    code, _, err = on_a_terminal(
        ["strategy", "delete", "probe"], env, tmp_path, answer or b"", interrupt=answer is None
    )
    assert "Delete strategy probe and its logs? [y/N]: " in err
    assert code == 2 and err.splitlines()[-1].endswith("graphc: refused: not confirmed: strategy probe was not deleted")
    assert "internal error" not in err
    assert [entry["name"] for entry in listed(sandbox)] == ["probe"]


def test_deploy_refuses_a_directory_holding_the_key_or_without_sequence_toml(sandbox, tmp_path):
    d = strategy_dir(tmp_path)
    (d / "config.json").write_text(json.dumps({"key": CANARY}))
    refused = graphc(sandbox, "deploy", str(d))
    assert refused.returncode == 2 and "contains the API key" in refused.stderr
    assert CANARY not in refused.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = graphc(sandbox, "deploy", str(empty))
    assert proc.returncode == 2 and "has no Sequence.toml" in proc.stderr
    assert listed(sandbox) == []


def test_deploy_refuses_an_env_value_holding_the_key(sandbox, tmp_path):
    # audit recur.md 7: --env LEAK=$KEY landed in the plain env that GET /v1/strategies shows
    d = strategy_dir(tmp_path)
    leak = graphc(sandbox, "deploy", str(d), "--env", f"LEAK=Bearer {CANARY}")
    assert leak.returncode == 2, leak.stderr
    assert "--env LEAK" in leak.stderr and "[hosted.secrets]" in leak.stderr
    assert CANARY not in leak.stdout + leak.stderr
    toml = d / "Sequence.toml"
    toml.write_text(toml.read_text() + f'TOKEN = "{CANARY}"\n')
    in_toml = graphc(sandbox, "deploy", str(d))
    assert in_toml.returncode == 2, in_toml.stderr
    assert "[hosted.env] TOKEN" in in_toml.stderr and "[hosted.secrets]" in in_toml.stderr
    assert CANARY not in in_toml.stdout + in_toml.stderr
    assert listed(sandbox) == []
    assert sandbox.requests("POST", "/v1/strategies") == []


REFUSED_CREATE = {
    "kind": "status",
    "status": 422,
    "method": "POST",
    "path_prefix": "/v1/strategies",
    "count": 1,
    "body": json.dumps({"error": "validation_error", "message": "memory_mb too large"}),
}
# stop/start (POST /v1/strategies/ID/...) pass through this rule, so the status rule after it
# only meets a create (the first rule that fires decides)
LIFECYCLE_PASSES = {"kind": "slow", "delay": 0.01, "method": "POST", "path_prefix": "/v1/strategies/", "count": 50}


def test_replace_whose_create_is_refused_leaves_the_old_strategy_running(sandbox, tmp_path):
    # audit recur.md 3: --replace deleted the running strategy, then the create was refused: nothing ran
    d = strategy_dir(tmp_path, mode="forever")
    assert graphc(sandbox, "deploy", str(d)).returncode == 0
    old = wait_status(sandbox, "running")
    sandbox.set_faults([LIFECYCLE_PASSES, REFUSED_CREATE])
    proc = graphc(sandbox, "deploy", str(d), "--replace", "--env", "MODE=done")
    assert proc.returncode == 3, proc.stderr
    assert "memory_mb too large" in proc.stderr  # the router's message is kept
    assert "was not touched" in proc.stderr and old["strategy_id"] in proc.stderr
    (entry,) = listed(sandbox)
    assert entry["strategy_id"] == old["strategy_id"] and entry["status"] == "running"
    assert entry["env"]["MODE"] == "forever"


def test_replace_whose_create_fails_after_the_delete_says_so(sandbox, tmp_path):
    d = strategy_dir(tmp_path, mode="forever")
    assert graphc(sandbox, "deploy", str(d)).returncode == 0
    old = wait_status(sandbox, "running")
    check_passes = {"kind": "slow", "delay": 0.01, "method": "POST", "path_prefix": "/v1/strategies", "count": 1}
    sandbox.set_faults([LIFECYCLE_PASSES, check_passes, REFUSED_CREATE])
    proc = graphc(sandbox, "deploy", str(d), "--replace")
    assert proc.returncode == 3, proc.stderr
    assert f"The previous strategy 'probe' ({old['strategy_id']}) WAS STOPPED AND DELETED" in proc.stderr
    assert "memory_mb too large" in proc.stderr
    assert f"graphc deploy {d}" in proc.stderr and old["artifact_sha256"][:12] in proc.stderr
    assert listed(sandbox) == []


def test_replace_checks_the_request_under_another_name_then_replaces(sandbox, tmp_path):
    d = strategy_dir(tmp_path, mode="forever")
    assert graphc(sandbox, "deploy", str(d)).returncode == 0
    old = wait_status(sandbox, "running")
    proc = graphc(sandbox, "deploy", str(d), "--replace", "--env", "MODE=done")
    assert proc.returncode == 0, proc.stderr
    (entry,) = listed(sandbox)
    assert entry["name"] == "probe" and entry["strategy_id"] != old["strategy_id"]
    assert entry["env"]["MODE"] == "done"
    # the first deploy, the check copy (created stopped, then deleted), the new strategy
    assert len(sandbox.requests("POST", "/v1/strategies")) == 3
    assert len(sandbox.requests("DELETE")) == 2


def _after_landing(method: str, status: int, body: str | None = None) -> dict:
    """The sandbox applies the request, then answers ``status`` (its answer is lost to graphc)."""
    rule = {"kind": "status", "status": status, "apply": True, "method": method, "path_prefix": "/v1/strategies"}
    return {**rule, "count": 1, **({"body": body} if body is not None else {})}


PASS_ONE_DELETE = {"kind": "slow", "delay": 0.01, "method": "DELETE", "path_prefix": "/v1/strategies/", "count": 1}


def test_a_delete_whose_answer_is_lost_is_a_delete(sandbox, tmp_path):
    # audit hosted.md 2: the DELETE landed and answered 503; its retry got 404 and graphc said failure
    assert graphc(sandbox, "deploy", str(strategy_dir(tmp_path)), "--no-start").returncode == 0
    sandbox.set_faults([_after_landing("DELETE", 503)])
    proc = graphc(sandbox, "strategy", "delete", "probe", "--yes")
    assert proc.returncode == 0, proc.stderr
    assert "an earlier attempt deleted it" in proc.stdout and ": deleted" in proc.stdout
    assert len(sandbox.requests("DELETE")) == 2  # the first (503, applied), the retry (404)
    assert listed(sandbox) == []
    # a 404 to the first attempt is still "no such strategy": not a success
    assert graphc(sandbox, "deploy", str(strategy_dir(tmp_path, name="other")), "--no-start").returncode == 0
    not_found = json.dumps({"error": "not_found", "message": "no such strategy"})
    sandbox.set_faults([{"kind": "status", "status": 404, "method": "DELETE", "count": 1, "body": not_found}])
    first = graphc(sandbox, "strategy", "delete", "other", "--yes")
    assert first.returncode == 3 and "HTTP 404" in first.stderr and "no such strategy" in first.stderr
    assert "deleted" not in first.stdout


def test_replace_whose_old_delete_answer_is_lost_creates_the_new_version(sandbox, tmp_path):
    # audit hosted.md 2, scenario del503old: nothing was left running
    d = strategy_dir(tmp_path, mode="forever")
    assert graphc(sandbox, "deploy", str(d)).returncode == 0
    old = wait_status(sandbox, "running")
    # the check copy's DELETE passes; the old strategy's DELETE lands and answers 503
    sandbox.set_faults([PASS_ONE_DELETE, _after_landing("DELETE", 503)])
    proc = graphc(sandbox, "deploy", str(d), "--replace", "--env", "MODE=done")
    assert proc.returncode == 0, proc.stderr
    assert "an earlier attempt deleted it" in proc.stderr
    assert "strategy start" not in proc.stderr
    (entry,) = listed(sandbox)
    assert entry["strategy_id"] != old["strategy_id"] and entry["env"]["MODE"] == "done"


def test_replace_whose_check_copy_delete_answer_is_lost_goes_on(sandbox, tmp_path):
    # audit hosted.md 2, scenario del503: the check copy was gone, yet graphc said to delete it
    d = strategy_dir(tmp_path, mode="forever")
    assert graphc(sandbox, "deploy", str(d)).returncode == 0
    old = wait_status(sandbox, "running")
    sandbox.set_faults([_after_landing("DELETE", 503)])
    proc = graphc(sandbox, "deploy", str(d), "--replace", "--env", "MODE=done")
    assert proc.returncode == 0, proc.stderr
    assert "graphc strategy delete" not in proc.stderr
    (entry,) = listed(sandbox)
    assert entry["name"] == "probe" and entry["strategy_id"] != old["strategy_id"]


def test_a_create_answer_without_strategy_id_is_looked_up(sandbox, tmp_path):
    # audit hosted.md 3: 200 {"ok": true} after the create landed: exit 3, no lookup
    sandbox.set_faults([_after_landing("POST", 200, json.dumps({"ok": True}))])
    proc = graphc(sandbox, "deploy", str(strategy_dir(tmp_path)), "--no-start")
    assert proc.returncode == 0, proc.stderr
    (entry,) = listed(sandbox)
    assert proc.stdout.startswith(f"deployed probe as strategy {entry['strategy_id']} ")
    assert len(sandbox.requests("POST", "/v1/strategies")) == 1  # looked up, never sent again


def test_deploy_refuses_reserved_env_names(sandbox, tmp_path):
    # audit hosted.md 4: --env SEQUENCE_API_URL=... was sent; [hosted.env] refuses the same names
    proc = graphc(sandbox, "deploy", str(strategy_dir(tmp_path)), "--env", "SEQUENCE_API_URL=http://attacker.example")
    assert proc.returncode == 2, proc.stderr
    assert "--env SEQUENCE_API_URL: SEQUENCE_* names are the runner's own" in proc.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


def test_deploy_refuses_a_symlink_in_the_directory(sandbox, tmp_path):
    # audit hosted.md 5: main.py -> real.py passed the entrypoint check and was left out of the upload
    d = strategy_dir(tmp_path)
    (d / "main.py").rename(d / "real.py")
    (d / "main.py").symlink_to("real.py")
    proc = graphc(sandbox, "deploy", str(d))
    assert proc.returncode == 2, proc.stderr
    assert "main.py in" in proc.stderr and "is a symbolic link (to real.py)" in proc.stderr
    (d / "main.py").unlink()
    (d / "main.py").write_text(MAIN)
    (d / "lib").symlink_to(tmp_path)  # a linked folder is refused too, never walked or dropped in silence
    linked = graphc(sandbox, "deploy", str(d))
    assert linked.returncode == 2 and "lib in" in linked.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


def _listed_as(body: dict) -> dict:
    """Every GET /v1/strategies (and /v1/strategies/ID) answers ``body``: a router answer in an undocumented shape."""
    return {"kind": "status", "status": 200, "method": "GET", "path_prefix": "/v1/strategies", "body": json.dumps(body)}


@pytest.mark.parametrize(
    "entry", [{"name": "ghost"}, *({"name": "ghost", "strategy_id": v} for v in (12, None, ["a"]))]
)
@pytest.mark.parametrize("command", [["stop"], ["start"], ["delete", "--yes"], ["logs"]])
def test_a_listed_strategy_without_a_usable_id_is_an_undocumented_answer(sandbox, entry, command):
    """audit live23 F4: a KeyError (exit 4) or `invalid id` (exit 2, as if the user typed it): the router's answer."""
    sandbox.set_faults([_listed_as({"strategies": [entry]})])
    proc = graphc(sandbox, "strategy", command[0], "ghost", *command[1:])
    assert proc.returncode == 3, proc.stderr
    assert "internal error" not in proc.stderr and "invalid id" not in proc.stderr
    assert "GET /v1/strategies: the router's answer is not the documented shape" in proc.stderr
    assert "the strategy named 'ghost' has no usable strategy_id" in proc.stderr
    assert [r for r in sandbox.requests() if r["method"] != "GET"] == []


def test_replace_never_creates_a_second_strategy_beside_one_it_cannot_name(sandbox, tmp_path):
    """audit live23 F4: the old strategy listed without its id: `--replace` could not remove it and went on to create
    a second strategy of the same name (rc 0). It is refused before anything is sent (exit 3)."""
    d = strategy_dir(tmp_path, mode="forever")
    assert graphc(sandbox, "deploy", str(d)).returncode == 0
    sandbox.set_faults([_listed_as({"strategies": [{"name": "probe", "status": "running"}]})])
    proc = graphc(sandbox, "deploy", str(d), "--replace")
    sandbox.set_faults([])
    assert proc.returncode == 3, proc.stderr
    assert "the strategy named 'probe' has no usable strategy_id" in proc.stderr
    assert len(sandbox.requests("POST", "/v1/strategies")) == 1  # the first deploy only
    assert [entry["name"] for entry in listed(sandbox)] == ["probe"]


def _logs_answer(sandbox, tmp_path, body: dict) -> subprocess.CompletedProcess:
    assert graphc(sandbox, "deploy", str(strategy_dir(tmp_path)), "--no-start").returncode == 0
    (entry,) = listed(sandbox)
    path = f"/v1/strategies/{entry['strategy_id']}/logs"
    sandbox.set_faults(
        [{"kind": "status", "status": 200, "method": "GET", "path_prefix": path, "body": json.dumps(body)}]
    )
    return graphc(sandbox, "strategy", "logs", "probe")


@pytest.mark.parametrize("body", [{"error": "logs backend unavailable"}, {"logs": "line1\nline2"}, {"lines": None}])
def test_a_logs_answer_without_a_list_of_lines_is_exit_3(sandbox, tmp_path, body):
    """audit live23 F5: exit 0 and no output, as if the strategy had logged nothing (and `--follow` polled on)."""
    proc = _logs_answer(sandbox, tmp_path, body)
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "the router's answer is not the documented shape: no list of log lines" in proc.stderr


def test_log_lines_are_printed_in_seq_order_whatever_the_answer_order(sandbox, tmp_path):
    """audit live23 F5: a newest-first answer printed its first line only (a filter on seq in answer order)."""
    lines = [{"seq": 3, "line": "c"}, {"seq": 1, "line": "a"}, {"seq": 2, "line": "b"}]
    proc = _logs_answer(sandbox, tmp_path, {"run_id": "r1", "logs": lines})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["a", "b", "c"]


@pytest.mark.parametrize("kind", ["http_500", "drop_after_read"])
@pytest.mark.parametrize("action", ["stop", "start"])
def test_a_stop_or_start_whose_answer_is_lost_says_how_to_find_out(sandbox, tmp_path, kind, action):
    """audit live23 O5: "the router may have applied it", and nothing on what to do next."""
    assert graphc(sandbox, "deploy", str(strategy_dir(tmp_path, mode="forever"))).returncode == 0
    sandbox.set_faults([{"kind": kind, "method": "POST", "path_prefix": "/v1/strategies/", "count": 1}])
    proc = graphc(sandbox, "strategy", action, "probe")
    assert proc.returncode == 3, proc.stderr
    assert "may have applied" in proc.stderr
    assert (
        f"check with `graphc strategy list`, or run `graphc strategy {action} probe` again "
        f"(a second {action} is harmless)" in proc.stderr
    )


def _sparse(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no room on disk: reading it whole would take ``size`` bytes of memory."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def test_a_directory_over_the_limit_is_refused_at_the_first_file_past_it_before_reading_it(sandbox, tmp_path):
    """audit hosted27 3: a 1 GB file was read whole (1 GB of memory, 11 s) to be refused for 64 MiB. A 1 TiB sparse
    file here: refused, named, without being read (reading it whole is not possible in this machine's memory)."""
    d = strategy_dir(tmp_path)
    _sparse(d / "data.bin", 2**40)
    proc = graphc(sandbox, "deploy", str(d))
    assert proc.returncode == 2, proc.stderr
    assert f"{d} is over 64 MiB at data.bin (1,099,511,627,776 bytes, not read)" in proc.stderr
    (d / "data.bin").unlink()
    _sparse(d / "a.bin", 40 * 2**20)
    _sparse(d / "b.bin", 40 * 2**20)  # the file that takes the total past the limit is the one named
    two = graphc(sandbox, "deploy", str(d))
    assert two.returncode == 2 and f"{d} is over 64 MiB at b.bin" in two.stderr, two.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


FIRST_LIST_PASSES = {"kind": "slow", "delay": 0.01, "method": "GET", "path_prefix": "/v1/strategies", "count": 1}


@pytest.mark.parametrize("lookup_fault", ["http_500", "drop_after_read"])
def test_a_lost_create_whose_lookup_fails_too_still_says_it_may_have_created_it(sandbox, tmp_path, lookup_fault):
    """audit hosted27 4: the create's answer was lost (it landed), then the list that looks for it failed: exit 3
    with the list's error only (or "(nothing was sent)"), nothing on the create, and the strategy ran."""
    sandbox.set_faults(
        [
            {"kind": "drop_after_read", "method": "POST", "path_prefix": "/v1/strategies", "count": 1},
            FIRST_LIST_PASSES,  # the list before the create
            {"kind": lookup_fault, "method": "GET", "path_prefix": "/v1/strategies", "count": 50},
        ]
    )
    proc = graphc(sandbox, "deploy", str(strategy_dir(tmp_path)), "--no-start")
    sandbox.set_faults([])
    assert proc.returncode == 3, proc.stderr
    said = " ".join(proc.stderr.split())
    assert "may have" in said, said
    assert "looking for a strategy named 'probe' with this artifact" in said and "failed too" in said, said
    assert "Check `graphc strategy list` before deploying again" in said
    assert "nothing was sent" not in said
    assert [entry["name"] for entry in listed(sandbox)] == ["probe"]  # it was created: the message says it may be


def test_replace_whose_stop_fails_and_whose_lookup_fails_says_both(sandbox, tmp_path):
    """audit hosted27 4, the replace path: the old strategy's stop failed and the list that looks it up failed too;
    the message keeps the lookup's error rather than dropping it."""
    d = strategy_dir(tmp_path, mode="forever")
    assert graphc(sandbox, "deploy", str(d)).returncode == 0
    old = wait_status(sandbox, "running")
    sandbox.set_faults(
        [
            FIRST_LIST_PASSES,  # the list before the check copy
            {"kind": "http_500", "method": "POST", "path_prefix": "/v1/strategies/", "count": 50},  # the stop
            {"kind": "http_500", "method": "GET", "path_prefix": "/v1/strategies", "count": 50},  # the lookup
        ]
    )
    proc = graphc(sandbox, "deploy", str(d), "--replace", "--env", "MODE=done")
    sandbox.set_faults([])
    assert proc.returncode == 3, proc.stderr
    said = " ".join(proc.stderr.split())
    assert f"whether {old['strategy_id']} still exists is unknown (looking it up failed: GET /v1/strategies" in said
    assert "see `graphc strategy list`" in said and "nothing was sent" not in said, said
    (entry,) = listed(sandbox)
    assert entry["strategy_id"] == old["strategy_id"]


@pytest.mark.parametrize("depth", [500, 1000])
def test_a_sequence_toml_nested_too_deep_is_refused_not_a_crash(sandbox, tmp_path, depth):
    """audit hosted27 6: `x = [[[...]]]` 500 levels down in [hosted.placement] was RecursionError, exit 4."""
    d = strategy_dir(tmp_path)
    with open(d / "Sequence.toml", "a") as toml:
        toml.write("\n[hosted.placement]\nx = " + "[" * depth + "]" * depth + "\n")
    proc = graphc(sandbox, "deploy", str(d))
    assert proc.returncode == 2, proc.stderr
    assert f"graphc: refused: {d}/Sequence.toml is not valid TOML: nesting deeper than" in proc.stderr
    assert "internal error" not in proc.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


def test_a_file_name_that_is_not_utf8_is_refused_naming_it(sandbox, tmp_path):
    """audit hosted27 7: in a bundle's project/ it was UnicodeEncodeError, exit 4 (the hash of project/); in another
    directory it was uploaded with its bytes as they were. Refused, exit 2, with its bytes shown escaped."""
    import os

    d = strategy_dir(tmp_path)
    (d / "lib").mkdir()
    (d / "lib" / os.fsdecode(b"y\xff.yaml")).write_text("x: 1\n")
    proc = graphc(sandbox, "deploy", str(d))
    assert proc.returncode == 2, proc.stderr
    assert f"graphc: refused: lib/y\\xff.yaml in {d}: its name is not UTF-8" in proc.stderr
    (d / "lib" / os.fsdecode(b"y\xff.yaml")).unlink()
    (d / "lib").rename(d / os.fsdecode(b"l\xe9b"))  # a folder's name too
    folder = graphc(sandbox, "deploy", str(d))
    assert folder.returncode == 2 and "l\\xe9b in" in folder.stderr, folder.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


def test_a_sequence_toml_that_is_a_fifo_is_refused_without_opening_it(sandbox, tmp_path):
    """audit hosted27 8: deploy blocked for ever reading a FIFO Sequence.toml (no writer). Refused, exit 2, at
    once: were it opened, this test would hang to the subprocess timeout rather than see exit 2."""
    import os

    d = strategy_dir(tmp_path)
    (d / "Sequence.toml").unlink()
    os.mkfifo(d / "Sequence.toml")
    proc = graphc(sandbox, "deploy", str(d))
    assert proc.returncode == 2, proc.stderr
    assert f"cannot read {d}/Sequence.toml: it is a named pipe (FIFO), not a regular file" in proc.stderr
    (d / "Sequence.toml").unlink()
    (d / "Sequence.toml").mkdir()
    folder = graphc(sandbox, "deploy", str(d))
    assert folder.returncode == 2 and "it is a directory, not a regular file" in folder.stderr, folder.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


def test_a_fifo_or_socket_in_the_directory_is_refused_naming_it(sandbox, tmp_path):
    """audit hosted27 8: a FIFO (or a socket) in the directory was left out of the upload without a word."""
    import os
    import socket

    d = strategy_dir(tmp_path)
    os.mkfifo(d / "pipe")
    proc = graphc(sandbox, "deploy", str(d), "--no-start")
    assert proc.returncode == 2, proc.stderr
    assert f"pipe in {d} is a named pipe (FIFO), not a regular file" in proc.stderr
    (d / "pipe").unlink()
    (d / "lib").mkdir()
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(d / "lib" / "s.sock"))
        sockets = graphc(sandbox, "deploy", str(d), "--no-start")
    assert sockets.returncode == 2 and f"lib/s.sock in {d} is a socket, not a regular file" in sockets.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


@pytest.mark.parametrize("line", ['"A=B" = "x"', '"" = "x"', '"A\\u0000B" = "x"', 'OK = "a\\u0000b"'])
def test_an_env_name_no_process_can_hold_is_refused_before_sending(sandbox, tmp_path, line):
    """audit hosted27 9: `"A=B"` in [hosted.env] was sent; the sandbox answered 400 yet kept the strategy listed
    (`queued` for ever), and the next deploy of the fixed directory was refused as a second of that name."""
    for table in ("env", "secrets"):
        (tmp_path / table).mkdir()
        d = strategy_dir(tmp_path / table)
        with open(d / "Sequence.toml", "a") as toml:
            toml.write(f"\n[hosted.{table}]\n{line}\n" if table == "secrets" else f"{line}\n")
        proc = graphc(sandbox, "deploy", str(d))
        assert proc.returncode == 2, proc.stderr
        assert f"[hosted.{table}] " in proc.stderr, proc.stderr
        assert "not an environment variable name" in proc.stderr or "its value holds a NUL" in proc.stderr
    assert sandbox.requests("POST", "/v1/strategies") == []


def test_the_sandbox_refuses_an_env_name_before_listing_the_strategy(sandbox, tmp_path):
    """audit hosted27 9, the sandbox's side: a create it refuses leaves nothing listed, as a real refusal does."""
    import base64

    from graphc.strategies import build_artifact

    artifact = base64.b64encode(build_artifact(strategy_dir(tmp_path))[0]).decode()
    for env in ({"A=B": "x"}, {"": "x"}, {"A\u0000B": "x"}, {"OK": "a\u0000b"}):
        status, body, _ = sandbox.api(
            "POST", "/v1/strategies", {"name": "eqkey", "artifact_base64": artifact, "env": env}, token=CANARY
        )
        assert status == 400, (env, status, body)
        assert listed(sandbox) == []
    status, _, _ = sandbox.api("POST", "/v1/strategies", {"name": "eqkey", "artifact_base64": artifact}, token=CANARY)
    assert status in (200, 201) and [entry["name"] for entry in listed(sandbox)] == ["eqkey"]


def test_deploy_refuses_an_env_argument_name_no_process_can_hold(sandbox, tmp_path):
    """audit hosted27 9, deploy's `env` (what --env gives): `--env` cannot carry `=` in a name, a caller can."""
    from graphc.api.client import Client
    from graphc.strategies import DeployError, deploy, read_strategy_dir

    with Client(sandbox.base_url, CANARY) as client:
        sdir = read_strategy_dir(strategy_dir(tmp_path))
        for key in ("A=B", "", "A\0B"):
            with pytest.raises(DeployError, match="not an environment variable name"):
                deploy(client, sdir, env={key: "x"})
        with pytest.raises(DeployError, match="'OK': its value holds a NUL character"):  # sent before (the lead)
            deploy(client, sdir, env={"OK": "a\0b"})
    assert sandbox.requests("POST", "/v1/strategies") == []
