"""Recurring trades end to end: a bundle run as the hosted runner runs it, and deployed to the sandbox.

* The bundle's main.py runs in an interpreter started with ``-I -S`` (no
  site-packages, no PYTHON* variables, not even the script's directory on the
  path), so it sees the standard library and the bundle and nothing else. A
  Python 3.12 is used when this machine has one (the hosted image is
  python:3.12-slim), else the interpreter running the tests. There is no Docker
  here: that is the closest rehearsal of the image available.
* ``graphc deploy`` uploads it to ``graphc sandbox serve``, which runs it as a
  subprocess with the runner's SEQUENCE_* variables and restart semantics.

The sandbox ignores idempotency keys, as the router reference does: a second
graph for one occurrence would be in its graph list.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.sandbox_fixture import running_sandbox
from tests.test_bundle import QUOTE_SIZED  # the playbook of audit hosted.md 1
from tests.test_router_answers import scripted_router  # a real HTTP server in this process, answering as scripted

CANARY = "seq_test_CANARY-e2e-5b7f0c"


def plain_python() -> str:
    """A Python 3.12 without packages if there is one (the hosted image's version), else this one."""
    for candidate in (shutil.which("python3.12"), "/root/.pyenv/versions/3.12.1/bin/python3.12"):
        if candidate and Path(candidate).is_file():
            probe = subprocess.run([candidate, "-I", "-S", "-c", "print(1)"], capture_output=True, text=True)
            if probe.returncode == 0:
                return candidate
    return sys.executable


PYTHON = plain_python()

DCA = """\
graphc: 1
name: dca
schedule:
  cron: "0 14 * * MON"
  timezone: Europe/London
  catch_up: 2h
params:
  budget: {type: money, default: $500}
legs:
  buy:
    buy: "${{ budget }}"
    symbol: BTC-USD
    venue: coinbase
    limit: ask + 1 tick
"""

EVERY_MINUTE = """\
graphc: 1
name: minutely
schedule: {cron: "* * * * *", catch_up: 10m}
legs:
  a: {buy: 0.001, symbol: BTC-USD, limit: 97000}
"""


@pytest.fixture(scope="module")
def router():
    with running_sandbox(
        "--ignore-idempotency-key", "--price", "BTC-USD=97250.50", "--runner-python", PYTHON, speed=0, key=CANARY
    ) as sb:  # started with the key `graphc deploy` is given: the one it runs hosted strategies for (audit sec29 2)
        yield sb


@pytest.fixture
def sandbox(router):
    router.reset()
    return router


def make_bundle(tmp_path: Path, playbook: str, *args: str) -> Path:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "playbook.yaml").write_text(playbook)
    out = tmp_path / "bundle"
    env = {**os.environ, "SEQUENCE_API_KEY": CANARY}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphc",
            "bundle",
            "playbook.yaml",
            "-o",
            str(out),
            "--now",
            "2026-01-05T13:00:00Z",
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=project,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.returncode == 0, proc.stderr
    return out


def hosted_env(bundle: Path, sandbox, **extra) -> dict:
    """What a runner gives the process: [hosted.env], the SEQUENCE_* variables, PATH. Nothing else."""
    env = tomllib.loads((bundle / "Sequence.toml").read_text())["hosted"]["env"]
    return {"PATH": "/usr/bin:/bin", **env, "SEQUENCE_API_URL": sandbox.base_url, "GRAPHC_SETTLE": "0", **extra}


def events(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_bundle_main_py_in_a_plain_interpreter_submits_one_graph_and_a_rerun_adds_none(sandbox, tmp_path):
    bundle = make_bundle(tmp_path, DCA, "--set", "budget=750")
    env = hosted_env(bundle, sandbox, GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:20:00Z")
    first = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    log = events(first.stdout)
    (submitted,) = [e for e in log if e["event"] == "submitted"]
    assert submitted["run_key"] == "dca@2026-01-05T14:00Z"
    assert [g["graph_id"] for g in sandbox.graphs()] == [submitted["graph_id"]]
    # the graph is the $750 the [hosted.env] params say, at the sandbox's ask + 1 tick: 97250.52
    _, graph, _ = sandbox.api("GET", f"/v1/execution_graphs/{submitted['graph_id']}")
    (node,) = graph["nodes"].values()
    assert node["target_qty_1e8"] == 771204  # 750 / 97250.52 = 0.0077120410.., rounded down to 1e-8

    second = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stdout + second.stderr
    assert [e["event"] for e in events(second.stdout)][-1] == "already"
    assert len(sandbox.graphs()) == 1


def test_bundle_main_py_exits_non_zero_on_errors(sandbox, tmp_path):
    bundle = make_bundle(tmp_path, DCA)
    env = hosted_env(bundle, sandbox, GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:20:00Z", GRAPHC_PLAYBOOK="nope.yaml")
    proc = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    assert events(proc.stdout)[-1]["event"] == "error"
    # plain http to a non-loopback runner URL is refused outside a runner ...
    outside = hosted_env(bundle, sandbox, GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:20:00Z")
    outside["SEQUENCE_API_URL"] = "http://172.17.0.1:9"
    proc = subprocess.run(
        [PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=outside, capture_output=True, text=True
    )
    assert proc.returncode == 2 and "refusing plain http" in proc.stdout
    assert sandbox.graphs() == []


def wait_for_lines(strategy: str, sandbox, predicate, timeout: float = 90) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        proc = subprocess.run(
            [sys.executable, "-m", "graphc", "strategy", "logs", strategy],
            capture_output=True,
            text=True,
            env=sandbox.env(SEQUENCE_API_KEY=CANARY),
        )
        assert proc.returncode == 0, proc.stderr
        lines = events(proc.stdout)
        if predicate(lines):
            return lines
        assert time.monotonic() < deadline, f"timed out; logs so far:\n{proc.stdout}"
        time.sleep(0.5)


def cli(sandbox, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args],
        capture_output=True,
        text=True,
        env=sandbox.env(SEQUENCE_API_KEY=CANARY),
        timeout=120,
    )


def test_deploy_runs_the_bundle_one_graph_per_occurrence_across_a_crash(sandbox, tmp_path):
    bundle = make_bundle(tmp_path, EVERY_MINUTE)
    deployed = cli(
        sandbox, "deploy", str(bundle), "--env", "GRAPHC_NOW=2026-01-05T14:00:58Z", "--env", "GRAPHC_SETTLE=0"
    )
    assert deployed.returncode == 0, deployed.stderr
    assert "deployed minutely as strategy" in deployed.stdout

    def submitted(lines):
        return [e for e in lines if e["event"] == "submitted"]

    lines = wait_for_lines("minutely", sandbox, lambda ls: len(submitted(ls)) == 2)
    assert [e["run_key"] for e in submitted(lines)] == ["minutely@2026-01-05T14:00Z", "minutely@2026-01-05T14:01Z"]
    boot = lines[0]
    assert boot["event"] == "boot" and boot["strategy_id"] and boot["run_id"]
    assert boot["has_api_key"] is False  # a loopback router is never given the key (audit live23 F6)

    # an OOM-style kill: the runner restarts it with a new run id; the clock starts at 14:00:58 again
    (strategy,) = json.loads(cli(sandbox, "strategy", "list", "--json").stdout)["strategies"]
    killed = sandbox.request(  # a kill restarts it: a new process, so it takes the sandbox's own key too
        "POST", f"/_sandbox/strategies/{strategy['strategy_id']}/kill", None, {"Authorization": f"Bearer {CANARY}"}
    )
    assert killed[:2] == (200, {"killed": True}), killed
    lines = wait_for_lines(
        "minutely",
        sandbox,
        lambda ls: (
            ls and ls[0].get("run_id") != boot["run_id"] and len([e for e in ls if e["event"] == "already"]) == 2
        ),
    )
    assert [e["event"] for e in lines if e["event"] in ("submitted", "already")] == ["already", "already"]
    assert len(sandbox.graphs()) == 2  # one graph per occurrence, crash or not

    listed = cli(sandbox, "strategy", "list")
    assert "minutely" in listed.stdout and "running" in listed.stdout
    stopped = cli(sandbox, "strategy", "stop", "minutely")
    assert stopped.returncode == 0 and stopped.stdout.strip().endswith("stopped")
    follow = cli(sandbox, "strategy", "logs", "minutely", "--follow", "--interval", "0.2")
    assert follow.returncode == 0 and events(follow.stdout)[-1]["event"] == "stopped"
    deleted = cli(sandbox, "strategy", "delete", "minutely", "--yes")
    assert deleted.returncode == 0
    assert json.loads(cli(sandbox, "strategy", "list", "--json").stdout)["strategies"] == []


def test_restart_semantics_exit_0_stops_and_an_error_restarts(sandbox, tmp_path):
    bundle = make_bundle(tmp_path, DCA)
    done = cli(
        sandbox,
        "deploy",
        str(bundle),
        *("--env", "GRAPHC_ONCE=1", "--env", "GRAPHC_NOW=2026-01-05T14:20:00Z", "--env", "GRAPHC_SETTLE=0"),
    )
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 60
    while True:
        (strategy,) = json.loads(cli(sandbox, "strategy", "list", "--json").stdout)["strategies"]
        if strategy["status"] == "stopped":
            break
        assert time.monotonic() < deadline, strategy
        time.sleep(0.3)
    assert strategy["restarts"] == 0 and len(sandbox.graphs()) == 1
    # the same name again: refused without --replace
    again = cli(sandbox, "deploy", str(bundle))
    assert again.returncode == 2 and "--replace" in again.stderr
    broken = cli(sandbox, "deploy", str(bundle), "--replace", "--env", "GRAPHC_NOW=not-a-time")
    assert broken.returncode == 0, broken.stderr
    deadline = time.monotonic() + 60
    while True:
        (strategy,) = json.loads(cli(sandbox, "strategy", "list", "--json").stdout)["strategies"]
        if strategy["restarts"] >= 1:
            break
        assert time.monotonic() < deadline, strategy
        time.sleep(0.3)
    cli(sandbox, "strategy", "stop", "dca")


def test_deploy_never_uploads_the_key(sandbox, tmp_path):
    bundle = make_bundle(tmp_path, DCA)
    # beside project/ (a file added in it is refused first, as an edit after `graphc bundle` checked it)
    (bundle / "notes.txt").write_text(f"do not: {CANARY}")
    refused = cli(sandbox, "deploy", str(bundle))
    assert refused.returncode == 2 and "contains the API key" in refused.stderr
    assert CANARY not in refused.stderr + refused.stdout
    assert json.loads(cli(sandbox, "strategy", "list", "--json").stdout)["strategies"] == []


def test_a_quote_sized_playbook_bundles_and_its_strategy_reads_the_quote_live(sandbox, tmp_path):
    # audit hosted.md 1: bundle refused it (GC109), though the strategy reads quotes when it runs
    bundle = make_bundle(tmp_path, QUOTE_SIZED)
    env = hosted_env(bundle, sandbox, GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:05:00Z")
    proc = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (submitted,) = [e for e in events(proc.stdout) if e["event"] == "submitted"]
    _, graph, _ = sandbox.api("GET", f"/v1/execution_graphs/{submitted['graph_id']}")
    (node,) = graph["nodes"].values()
    # the sandbox's ask for --price 97250.50 is 97250.51 (the test above: ask + 1 tick = 97250.52);
    # 500 / 97250.51 = 0.005141362.. -> 0.00514136 BTC; limit 97250.51 * 1.01 = 98223.0151 -> 98223.02
    assert node["target_qty_1e8"] == 514136


def test_bundle_main_py_says_once_when_the_live_quote_limit_left_symbols_out(sandbox, tmp_path):
    """The hosted runner reads live quotes as `graphc run` does, and says as it does when GRAPHC_MAX_LIVE_QUOTES
    left symbols out (the runner's logs take stderr with stdout)."""
    five = "".join(
        ["graphc: 1\nname: five\n", 'schedule: {cron: "0 14 * * MON", timezone: UTC, catch_up: 2h}\n', "legs:\n"]
        + ['  s:\n    for_each: 5\n    buy: "1 S{{ index }}"\n    symbol: "S{{ index }}-USD"\n    limit: 10\n']
    )
    bundle = make_bundle(tmp_path, five)
    env = hosted_env(bundle, sandbox, GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:20:00Z", GRAPHC_MAX_LIVE_QUOTES="2")
    proc = subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [e["event"] for e in events(proc.stdout)][-1] == "submitted"
    assert [line for line in proc.stderr.splitlines() if "GRAPHC_MAX_LIVE_QUOTES" in line] == [
        "graphc: note: --quotes live asked the router for 2 symbols, the most one run asks "
        "(GRAPHC_MAX_LIVE_QUOTES=2); 3 more were not asked (S2-USD, S3-USD, S4-USD), so the checks that need their "
        "quotes are skipped (GC109), and are errors where every quote is needed (compile, plan, submit, run); to ask "
        "for all of them, set GRAPHC_MAX_LIVE_QUOTES=5"
    ]


def _page_rehearsal() -> tuple[str, str]:
    """docs/recurring.md's bundle command (its console block) and the `sh` rehearsal that runs the bundle."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "recurring.md").read_text(encoding="utf-8")
    section = page[page.index("## Hosted strategies: bundle and deploy") :]
    bundle = section[section.index("$ graphc bundle ") + 2 :].split("\n", 1)[0]
    rehearsal = section[section.index("Try the bundle exactly as the runner would") :]
    script = rehearsal[rehearsal.index("```sh\n") + len("```sh\n") : rehearsal.index("\n```\n")]
    return bundle, script


@pytest.mark.parametrize("layout", ["checkout", "folder"])
def test_the_pages_bundle_rehearsal_submits_from_a_checkout_and_from_a_plain_folder(sandbox, tmp_path, layout):
    # audit docs17 2: the page's rehearsal named the playbook `project/btc-weekly-dca.yaml`, which holds only in a
    # folder without `.git`; in a checkout the project root is the repository, so the bundle keeps it under
    # `project/examples/`, and the rehearsal ended at exit 2. Both layouts run the page's commands as written.
    bundle_command, script = _page_rehearsal()
    work = tmp_path / layout
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples", work / "examples")
    if layout == "checkout":
        (work / ".git").mkdir()
    argv = bundle_command.split()
    assert argv[:2] == ["graphc", "bundle"], bundle_command
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env = {k: v for k, v in env.items() if not k.startswith("SEQUENCE_")}
    made = subprocess.run(
        [sys.executable, "-m", "graphc", *argv[1:]], cwd=work, env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "http://127.0.0.1:8765" in script and "python3.12" in script, script
    script = script.replace("http://127.0.0.1:8765", sandbox.base_url).replace("python3.12", PYTHON)
    proc = subprocess.run(
        ["bash", "-c", script], cwd=work, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = events(proc.stdout)
    (submitted,) = [e for e in log if e["event"] == "submitted"]
    assert submitted["run_key"] == "btc-weekly-dca@2026-01-12T14:00Z"
    assert [g["graph_id"] for g in sandbox.graphs()] == [submitted["graph_id"]]


# -- audit money20 1: a number in GRAPHC_SET is read exactly, never through a binary float --------------------------

PRICED = """\
graphc: 1
name: priced
schedule: {cron: "0 14 * * MON", catch_up: 2h}
params:
  px: {type: price, default: 100}
legs:
  a: {buy: 1, symbol: BTC-USD, limit: "{{ px }}"}
"""


def _capturing(posted: list[bytes]):
    """A script for the scripted router: no earlier run, the POST's body kept in ``posted`` and accepted."""

    def script(h):
        if h.command == "POST":
            posted.append(h.body)
            return h.answer(200, b'{"graph_id": "graph_px", "status": "active", "node_count": 1, "edge_count": 0}')
        if h.path.startswith("/v1/orders"):
            return h.answer(200, b'{"orders": [], "total": 0, "limit": 100, "offset": 0, "has_more": false}')
        return h.answer(404, b'{"error": "not_found", "message": "no such thing"}')

    return script


def _hosted_run(bundle: Path, url: str, graphc_set: str) -> subprocess.CompletedProcess:
    env = tomllib.loads((bundle / "Sequence.toml").read_text())["hosted"]["env"]
    env = {"PATH": "/usr/bin:/bin", **env, "SEQUENCE_API_URL": url, "GRAPHC_SETTLE": "0", "GRAPHC_SET": graphc_set}
    env.update(GRAPHC_ONCE="1", GRAPHC_NOW="2026-01-05T14:05:00Z")
    return subprocess.run([PYTHON, "-I", "-S", "-u", "main.py"], cwd=bundle, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("written", ['"12345678.123456789"', "12345678.123456789"])
def test_a_number_in_graphc_set_is_sent_exactly(tmp_path, written):
    """`{"px": 12345678.123456789}` went through a float (12345678.12345679): the buy limit was sent raised."""
    bundle = make_bundle(tmp_path, PRICED)
    posted: list[bytes] = []
    with scripted_router() as server:
        server.script = _capturing(posted)
        proc = _hosted_run(bundle, server.url, f'{{"px": {written}}}')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [e["event"] for e in events(proc.stdout)][-1] == "submitted"
    (body,) = posted
    (node,) = json.loads(body)["nodes"]
    assert node["order_type"] == {"limit": {"price_1e9": 12345678123456789}}  # before the fix: ...790


def test_a_number_out_of_range_in_graphc_set_is_named_as_written(tmp_path):
    """`{"px": 1e400}` was "cannot read 'Infinity' as a price", a value nobody wrote."""
    bundle = make_bundle(tmp_path, PRICED)
    posted: list[bytes] = []
    with scripted_router() as server:
        server.script = _capturing(posted)
        proc = _hosted_run(bundle, server.url, '{"px": 1e400}')
    assert proc.returncode == 1, proc.stdout + proc.stderr
    last = events(proc.stdout)[-1]
    assert last["event"] == "lint_failed" and posted == []
    assert "px=1e400: param `px` (price): '1e400' is out of range" in last["message"], last
    assert "Infinity" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("constant", ["Infinity", "-Infinity", "NaN"])
def test_a_non_finite_number_in_graphc_set_is_an_error_naming_the_param(tmp_path, constant):
    bundle = make_bundle(tmp_path, PRICED)
    posted: list[bytes] = []
    with scripted_router() as server:
        server.script = _capturing(posted)
        proc = _hosted_run(bundle, server.url, f'{{"px": {constant}}}')
    assert proc.returncode == 2, proc.stdout + proc.stderr
    last = events(proc.stdout)[-1]
    assert last["event"] == "error" and posted == []
    assert last["message"] == (
        f"GRAPHC_SET: the value of `px` is {constant}, which is not a JSON number; write a finite number"
    )


@pytest.mark.parametrize(("value", "kind"), [("[1.5]", "a list"), ('{"a": 1}', "an object")])
def test_a_list_or_an_object_in_graphc_set_is_an_error_naming_the_param(tmp_path, value, kind):
    bundle = make_bundle(tmp_path, PRICED)
    posted: list[bytes] = []
    with scripted_router() as server:
        server.script = _capturing(posted)
        proc = _hosted_run(bundle, server.url, f'{{"px": {value}}}')
    assert proc.returncode == 2 and posted == [], proc.stdout + proc.stderr
    assert events(proc.stdout)[-1] == {
        **events(proc.stdout)[-1],
        "event": "error",
        "message": f"GRAPHC_SET: the value of `px` is {kind}; a param's value is text or a number",
    }
