"""`graphc plan`, `submit`, `status` and `ledger` end to end: the real CLI against
`graphc sandbox serve` running as a separate process (tests/sandbox_fixture.py).

Single runs go through `python -m graphc` subprocesses, exactly as a user or a
cron job runs them.  The 200-submission fault test uses click's CliRunner in
this process (200 interpreter start-ups would be slow), but every request it
makes is still real HTTP to the sandbox process.
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from sandbox_fixture import REPO

from graphc.api.client import Client
from graphc.api.ledger import Ledger
from graphc.cli import cli

SECRET = "seq_test_SECRET_canary_9f8e7d"
HEDGE = REPO / "examples" / "eth-hedge.yaml"
QUOTES = REPO / "examples" / "quotes.yaml"
GRAPH_ID = re.compile(r"as graph (graph_[0-9a-f]+)")


# -- helpers ------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """A project directory (a `.git` marks its root): the default ledger goes in its .graphc/."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    return root


def cli_env(sb, **extra) -> dict:
    """Environment for the CLI against the sandbox, with the canary key and no
    credentials file of the machine's user."""
    env = sb.env(SEQUENCE_API_KEY=SECRET, GRAPHC_CREDENTIALS="/nonexistent/graphc-credentials", NO_COLOR="1")
    env.update(extra)
    return env


def graphc(args, env, cwd, timeout=60, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    """`python -m graphc ARGS` as a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "graphc", *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=stdin,
    )


def graph_id_of(output: str) -> str:
    match = GRAPH_ID.search(output)
    assert match, output
    return match.group(1)


def orders_posted(sb) -> list[dict]:
    return sb.requests("POST", "/v1/orders")


def write_playbook(path: Path, name: str, *, size: int = 200, live: bool = False, extra: str = "") -> Path:
    """A variant of the hedge example."""
    path.write_text(
        "graphc: 1\n"
        f"name: {name}\n" + ("sandbox: false\n" if live else "") + "risk:\n  max_notional: $1m\n  max_loss: $10k\n"
        "legs:\n"
        f"  spot:\n    buy: {size} ETH\n    symbol: ETH-USD\n"
        f"  hedge:\n    sell: {size} ETH\n    symbol: ETH-USD-PERP\n    venue: hyperliquid\n"
        "    policy: aggressive_chase\n    after: spot filled 50%\n" + extra,
        encoding="utf-8",
    )
    return path


# -- 1. submit, watch, and the hedge's triggers in order -------------------------------


def test_submit_watch_hedge_example_fires_triggers_in_order(sandbox, project):
    env = cli_env(sandbox)
    proc = graphc(["submit", HEDGE, "--quotes", QUOTES, "--watch"], env, project)
    assert proc.returncode == 0, proc.stderr
    gid = graph_id_of(proc.stdout)
    assert proc.stdout.startswith(
        f"submitted eth-spot-perp-hedge as graph {gid} (sandbox, run key eth-spot-perp-hedge@"
    )
    assert proc.stdout.splitlines()[-1] == f"graph {gid} completed"
    assert "\x1b[" not in proc.stdout  # not a terminal: no redraw codes

    events = sandbox.events(gid)
    fired = [e for e in events if e["type"] == "edge_fired"]
    assert [(e["edge"], e["trigger"], e["from_node"], e["to_node"]) for e in fired] == [
        ("e0", "on_fill_ratio", "spot", "hedge")
    ]
    e0 = fired[0]
    spot_fills = [e for e in events if e["type"] == "fill" and e["node"] == "spot"]
    before = [f for f in spot_fills if f["seq"] < e0["seq"]]
    # e0 fires on the first spot fill that reaches 50 %, not before, not later
    assert before and 2 * before[-1]["filled_qty_1e8"] >= before[-1]["target_qty_1e8"]
    assert all(2 * f["filled_qty_1e8"] < f["target_qty_1e8"] for f in before[:-1])
    assert before[-1]["t_ms"] == e0["t_ms"]
    # the hedge does nothing until e0 activates it
    hedge = [e for e in events if e.get("node") == "hedge"]
    assert hedge and min(e["seq"] for e in hedge) > e0["seq"]
    assert (hedge[0]["type"], hedge[0]["status"], hedge[0]["via"]) == ("node_status", "executing", "e0")
    # spot completes, then the hedge, then the graph
    done = [(e["node"], e["status"]) for e in events if e["type"] == "node_status" and e["status"] != "executing"]
    assert done == [("spot", "filled"), ("hedge", "filled")]
    assert (events[-1]["type"], events[-1]["status"]) == ("graph_status", "completed")

    status = graphc(["status", gid], env, project)
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines() == [
        f"graph {gid}: completed",
        "  spot   [####################] 100.0%  200 / 200  avg 100  filled (4 fills)",
        "  hedge  [####################] 100.0%  200 / 200  avg 100  filled (4 fills)",
        "  edges: e0 fired",
    ]
    # the default ledger is the project's .graphc/, and `graphc ledger` there shows the run
    assert (project / ".graphc" / "ledger.sqlite").exists()
    listing = graphc(["ledger"], env, project)
    assert listing.returncode == 0 and re.search(
        rf"\bsubmitted\s+sandbox\s+eth-spot-perp-hedge@\w+\s+{gid}$", listing.stdout, re.M
    ), listing.stdout


def test_plan_then_submit_sends_exactly_the_planned_bytes(sandbox, project, tmp_path):
    env = cli_env(sandbox)
    elsewhere = tmp_path / "plans"  # a plan saved outside the project still uses the project's ledger
    elsewhere.mkdir()
    plan_file = elsewhere / "plan.json"
    planned = graphc(["plan", HEDGE, "--quotes", QUOTES, "-o", plan_file], env, project)
    assert planned.returncode == 0, planned.stderr
    for expected in (
        "leg    side  size     instrument",
        "spot   buy   200 ETH  ETH-USD",
        "hedge  sell  200 ETH  ETH-USD-PERP  hyperliquid",
        "└─ hedge  after spot filled 50%",
        "risk: max notional $1m, max loss $10k",
        "total notional: $930,066.00",
        "mode: SANDBOX (paper trading)",
    ):
        assert expected in planned.stdout
    plan = json.loads(plan_file.read_text())
    proc = graphc(["submit", plan_file], env, project)
    assert proc.returncode == 0, proc.stderr
    gid = graph_id_of(proc.stdout)
    (graph,) = sandbox.graphs()
    assert graph["graph_id"] == gid and graph["wire_sha256"] == plan["wire_sha256"]
    assert not (elsewhere / ".graphc").exists() and (project / ".graphc" / "ledger.sqlite").exists()
    # the playbook itself compiles to the same bytes: the same run, refused as a duplicate
    again = graphc(["submit", HEDGE, "--quotes", QUOTES], env, project)
    assert again.returncode == 2 and f"already submitted as graph {gid}" in again.stderr
    assert len(orders_posted(sandbox)) == 1


def test_a_wire_json_file_is_submitted_under_its_file_name(sandbox, project):
    env = cli_env(sandbox)
    compiled = graphc(["compile", HEDGE, "--quotes", QUOTES], env, project)
    assert compiled.returncode == 0, compiled.stderr
    (project / "hedge-wire.json").write_text(compiled.stdout)
    proc = graphc(["submit", "hedge-wire.json"], env, project)
    assert proc.returncode == 0, proc.stderr
    assert "run key hedge-wire@" in proc.stdout
    data = json.loads(compiled.stdout)
    del data["is_sandbox"]  # the router's default would decide: graphc does not guess
    (project / "unsaid.json").write_text(json.dumps(data))
    refused = graphc(["submit", "unsaid.json"], env, project)
    assert refused.returncode == 2 and "is_sandbox" in refused.stderr
    assert len(orders_posted(sandbox)) == 1


def test_watch_exits_1_when_the_graph_does_not_complete(sandbox, project):
    sandbox.configure(reject_symbols=["ETH-USD"])
    proc = graphc(["submit", HEDGE, "--quotes", QUOTES, "--watch"], cli_env(sandbox), project)
    assert proc.returncode == 1, proc.stderr
    gid = graph_id_of(proc.stdout)
    assert proc.stdout.splitlines()[-1] == f"graph {gid} failed"


def test_embedded_sandbox_without_any_router_configuration(project):
    env = {k: v for k, v in os.environ.items() if k not in ("SEQUENCE_API_URL", "SEQUENCE_API_KEY")}
    env.update(
        GRAPHC_CREDENTIALS="/nonexistent/graphc-credentials",
        NO_COLOR="1",
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    )
    proc = graphc(["submit", HEDGE, "--quotes", QUOTES], env, project)
    assert proc.returncode == 0, proc.stderr
    assert "using the embedded sandbox at http://127.0.0.1:" in proc.stderr
    assert proc.stdout.splitlines()[-1].endswith(" completed")
    assert not (project / ".graphc").exists()  # its runs are not kept in the ledger


# -- 2. 200 submissions with random faults ------------------------------------------------


@pytest.fixture
def fast_client(monkeypatch):
    """The CLI's client with tiny backoffs and a short timeout, so the soak stays fast.

    The timeout is shorter than the `slow` fault's delay: a slow POST becomes a
    read timeout (an unknown outcome) while the sandbox still applies it.
    """
    real = Client.from_env.__func__

    def from_env(cls, env=None, **kw):
        kw = {"timeout": 0.25, "retries": 3, "backoff_factor": 0.005, "max_retry_wait": 0.05, **kw}
        return real(cls, env, **kw)

    monkeypatch.setattr(Client, "from_env", classmethod(from_env))


SOAK_FAULTS = [
    {"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read", "probability": 0.15, "seed": 11},
    {"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "probability": 0.1, "seed": 12},
    {"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "apply": True, "probability": 0.1, "seed": 13},
    {
        "method": "POST",
        "path_prefix": "/v1/orders",
        "kind": "http_429",
        "retry_after": 0,
        "probability": 0.1,
        "seed": 14,
    },
    {"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": 0.4, "probability": 0.05, "seed": 15},
    {"method": "GET", "path_prefix": "/v1/", "kind": "http_500", "probability": 0.2, "seed": 16},
    {"method": "GET", "path_prefix": "/v1/", "kind": "drop_after_read", "probability": 0.1, "seed": 17},
    {"method": "GET", "path_prefix": "/v1/", "kind": "http_429", "retry_after": 0, "probability": 0.15, "seed": 18},
    {"method": "GET", "path_prefix": "/v1/", "kind": "slow", "delay": 0.4, "probability": 0.1, "seed": 19},
]


def test_fault_soak_through_the_cli(sandbox, tmp_path, fast_client, monkeypatch):
    """200 `graphc submit` runs of 108 logical runs (each retried like a cron job
    would) with seeded random faults on POSTs and GETs.  Afterwards: every run
    left pending is shown as uncertain, reconciliation settles them all, the
    sandbox holds exactly one graph per run key, and the ledger knows every
    graph the sandbox created.

    The sandbox also honours Idempotency-Key, which would mask a resent run,
    so graphc's own behaviour is checked too: no POST for a run whose graph the
    router already has, and never two ledger rows with a graph for one run key."""
    ledger_path = tmp_path / "ledger.sqlite"
    env = cli_env(sandbox)
    runner = CliRunner()
    runs = {}  # run key -> submit arguments
    for i in range(8):  # distinct playbooks, default run keys: name @ first 16 hex of the graph's SHA-256
        playbook = write_playbook(tmp_path / f"soak-{i}.yaml", f"soak-{i}", size=100 + i)
        planned = runner.invoke(cli, ["plan", str(playbook), "--quotes", str(QUOTES), "-o", str(tmp_path / "p.json")])
        assert planned.exit_code == 0, planned.output
        digest = json.loads((tmp_path / "p.json").read_text())["wire_sha256"]
        runs[f"soak-{i}@{digest[:16]}"] = [playbook, "--quotes", QUOTES]
    for week in range(1, 101):  # one playbook, one run per week: explicit run keys
        runs[f"dca-W{week:03d}"] = [HEDGE, "--quotes", QUOTES, "--run-key", f"dca-W{week:03d}"]

    def submit(args):
        result = runner.invoke(cli, ["submit", *map(str, args), "--ledger", str(ledger_path)], env=env)
        assert isinstance(result.exception, (SystemExit, type(None))), result.exception
        assert SECRET not in result.output
        return result

    # The sandbox honours Idempotency-Key, which would hide a resent run; so
    # every POST is checked: was that run's graph already on the router?
    resent, real_submit = [], Client.submit_graph

    def watched_submit(self, wire_bytes, *, idempotency_key=None):
        if any(g["idempotency_key"] == idempotency_key for g in sandbox.graphs()):
            resent.append(idempotency_key)
        return real_submit(self, wire_bytes, idempotency_key=idempotency_key)

    monkeypatch.setattr(Client, "submit_graph", watched_submit)
    sandbox.set_faults(SOAK_FAULTS)
    rng = random.Random(20260101)
    codes, messages = Counter(), Counter()
    for _ in range(200):
        result = submit(runs[rng.choice(sorted(runs))])
        codes[result.exit_code] += 1
        for word in ("UNCERTAIN", "already submitted", "unresolved attempt", "HTTP 429"):
            messages[word] += word in result.output
    assert set(codes) <= {0, 2, 3}, codes  # submitted / refused by the ledger / remote failure or unknown outcome
    assert codes[0] >= 30 and codes[2] >= 30 and codes[3] >= 20, codes
    assert messages["UNCERTAIN"] and messages["already submitted"] and messages["HTTP 429"], messages
    hits = Counter((r["method"], r["fault"]) for r in sandbox.requests() if r["fault"])
    for method in ("POST", "GET"):
        for kind in ("drop_after_read", "http_500", "http_429", "slow"):
            assert hits[(method, kind)], (method, kind, hits)
    # only a POST still being processed (a `slow` one the client gave up on) can
    # be overtaken by the next attempt; the router's idempotency covers that race
    assert len(resent) <= hits[("POST", "slow")], resent

    time.sleep(0.5)  # let the slow POSTs land
    sandbox.set_faults([])
    created = Counter(g["idempotency_key"] for g in sandbox.graphs())
    assert set(created.values()) <= {1} and set(created) <= set(runs)

    # nothing is pending without being shown as uncertain
    with Ledger(ledger_path) as ledger:
        pending = ledger.pending()
        assert not ledger.runs(state="intent")
        assert pending and all(r.state == "uncertain" for r in pending)
    listing = runner.invoke(cli, ["ledger", "--ledger", str(ledger_path)], env=env)
    assert listing.exit_code == 0
    rows = {line.split()[0]: line.split() for line in listing.stdout.splitlines()[1:] if line[:1].isdigit()}
    for run in pending:
        assert rows[str(run.id)][2] == "uncertain" and rows[str(run.id)][5] == "-", rows[str(run.id)]

    # reconcile every pending run through the CLI; all of them settle against this router
    reconciled = runner.invoke(cli, ["ledger", "--ledger", str(ledger_path), "--reconcile"], env=env)
    assert reconciled.exit_code == 0, reconciled.output
    assert "still uncertain" not in reconciled.stdout
    with Ledger(ledger_path) as ledger:
        assert not ledger.pending()
    # a calm pass, as tomorrow's cron run: every run key ends with its graph, none with two
    final = Counter(submit(args).exit_code for args in runs.values())
    assert set(final) <= {0, 2}, final
    graphs = sandbox.graphs()
    assert Counter(g["idempotency_key"] for g in graphs) == Counter(dict.fromkeys(runs, 1))
    with Ledger(ledger_path) as ledger:
        assert {g["graph_id"] for g in graphs} <= ledger.graph_ids()
        assert not ledger.pending()
        for key in runs:
            with_graph = [r for r in ledger.runs(key) if r.graph_id]
            assert len(with_graph) == 1, (key, with_graph)
            assert with_graph[0].graph_id == next(g["graph_id"] for g in graphs if g["idempotency_key"] == key)
    listing = runner.invoke(cli, ["ledger", "--ledger", str(ledger_path)], env=env)
    for g in graphs:
        assert g["graph_id"] in listing.stdout


# -- 3. the API key never shows -----------------------------------------------------------


class _EchoAuth(BaseHTTPRequestHandler):
    """A hostile router: refuses every request and echoes the caller's credentials back."""

    protocol_version = "HTTP/1.0"

    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        auth = self.headers.get("Authorization", "")
        self.server.seen.append(auth)
        token = auth.partition(" ")[2]
        body = json.dumps(
            {"error": {"code": "unauthorized", "message": f"key {token} is not valid (you sent {auth!r})"}}
        ).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Echo-Authorization", auth)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoAuth)
    server.seen, server.status = [], 401
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_api_key_never_appears_in_output_logs_ledger_or_plan(sandbox, project, echo_server):
    env = cli_env(sandbox)
    outputs = []

    def run(args, env=env, codes=(0,)):
        proc = graphc(args, env, project)
        outputs.append((args, proc.stdout + proc.stderr))
        assert proc.returncode in codes, (args, proc.returncode, proc.stdout, proc.stderr)
        return proc

    plan_file = project / "plan.json"
    run(["plan", HEDGE, "--quotes", QUOTES, "-o", plan_file])
    first = run(["submit", plan_file, "--verbose", "--watch"])
    assert "POST /v1/orders -> 200" in first.stderr  # --verbose really logs the requests
    gid = graph_id_of(first.stdout)
    second = graph_id_of(run(["submit", HEDGE, "--quotes", QUOTES, "--run-key", "key-test-2", "--verbose"]).stdout)
    run(["status", gid])
    run(["status", gid, "--verbose", "--json"])
    run(["cancel", second, "--verbose"])
    run(["kill-switch", "on", "--reason", "drill", "--verbose"])
    run(["submit", HEDGE, "--quotes", QUOTES, "--run-key", "while-killed", "--verbose"], codes=(3,))
    run(["kill-switch", "off", "--verbose"])
    run(["ledger"])
    run(["ledger", "--json"])

    # errors: a 500 on reads (retried, then refused) and on a POST (unknown outcome)
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/", "kind": "http_500", "count": 2}])
    run(["status", gid, "--verbose"])
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}])
    assert (
        "UNCERTAIN" in run(["submit", HEDGE, "--quotes", QUOTES, "--run-key", "k500", "--verbose"], codes=(3,)).stderr
    )
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    run(["submit", HEDGE, "--quotes", QUOTES, "--run-key", "kdrop", "--verbose"], codes=(3,))
    sandbox.set_faults([])
    run(["ledger", "--reconcile", "--verbose"])
    run(["ledger", "--json"])

    # a router that refuses the key and echoes it back, in its body and its headers
    hostile = {**env, "SEQUENCE_API_URL": f"http://127.0.0.1:{echo_server.server_address[1]}"}
    refused = run(["status", "graph_x", "--verbose"], env=hostile, codes=(3,))
    assert "HTTP 401" in refused.stderr and "[REDACTED]" in refused.stderr  # the echo was scrubbed
    run(["submit", HEDGE, "--quotes", QUOTES, "--run-key", "k401", "--verbose"], env=hostile, codes=(3,))
    run(["cancel", "graph_x", "--verbose"], env=hostile, codes=(3,))
    run(["kill-switch", "on", "--reason", "drill", "--verbose"], env=hostile, codes=(3,))
    echo_server.status = 500
    run(["submit", HEDGE, "--quotes", QUOTES, "--run-key", "k500-hostile", "--verbose"], env=hostile, codes=(3,))
    echo_server.status = 401
    run(["ledger", "--reconcile", "--verbose"], env=hostile, codes=(2, 3))
    assert echo_server.seen and all(seen == f"Bearer {SECRET}" for seen in echo_server.seen)

    # nobody listening
    down = {**env, "SEQUENCE_API_URL": f"http://127.0.0.1:{_free_port()}"}
    run(["submit", HEDGE, "--quotes", QUOTES, "--run-key", "kdown", "--verbose"], env=down, codes=(3,))
    run(["status", gid, "--verbose"], env=down, codes=(3,))
    run(["ledger", "--verbose"])

    for args, text in outputs:
        assert SECRET not in text, args
        assert "Traceback" not in text, (args, text)
    files = [plan_file, *(project / ".graphc").iterdir()]
    assert any(p.name == "ledger.sqlite" for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in sandbox.stderr()


# -- 4. refusals ----------------------------------------------------------------------------


def test_a_live_playbook_needs_live_and_a_confirmation(sandbox, project):
    env = cli_env(sandbox)
    live = write_playbook(project / "live.yaml", "eth-live", live=True)
    plan = graphc(["plan", live, "--quotes", QUOTES], env, project)
    assert plan.returncode == 0 and "mode: LIVE: real orders, real money" in plan.stdout

    proc = graphc(["submit", live, "--quotes", QUOTES], env, project)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "graphc: refused: eth-live is a LIVE graph (`sandbox: false`); pass --live to trade it for real"
    )
    proc = graphc(["submit", live, "--quotes", QUOTES, "--live"], env, project)  # stdin is not a terminal
    assert proc.returncode == 2 and "no terminal to confirm on, pass --yes" in proc.stderr
    assert orders_posted(sandbox) == [] and sandbox.graphs() == []
    assert not (project / ".graphc").exists()  # refused before the ledger was touched

    proc = graphc(["submit", live, "--quotes", QUOTES, "--live", "--yes"], env, project)
    assert proc.returncode == 0, proc.stderr
    assert "(LIVE, run key eth-live@" in proc.stdout
    (graph,) = sandbox.graphs()
    assert graph["is_sandbox"] is False and graph["graph_id"] == graph_id_of(proc.stdout)


def test_a_live_submission_asks_on_a_terminal(sandbox, project):
    env = cli_env(sandbox)
    live = write_playbook(project / "live.yaml", "eth-live", live=True)

    def on_a_terminal(answer: bytes):
        master, slave = os.openpty()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "graphc", "submit", str(live), "--quotes", str(QUOTES), "--live"],
                stdin=slave,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                cwd=project,
                text=True,
            )
            os.close(slave)
            os.write(master, answer)
            out, err = proc.communicate(timeout=60)
        finally:
            os.close(master)
        return proc.returncode, out, err

    code, out, err = on_a_terminal(b"n\n")
    assert code == 2 and "Submit eth-live LIVE, with real money?" in err and "not confirmed" in err
    assert "mode: LIVE: real orders, real money" in err  # the summary is shown before the question
    assert orders_posted(sandbox) == []
    code, out, err = on_a_terminal(b"y\n")
    assert code == 0, err
    assert "(LIVE, run key eth-live@" in out and len(orders_posted(sandbox)) == 1


def test_stale_and_tampered_plans_are_refused(sandbox, project):
    env = cli_env(sandbox)
    plan_file = project / "plan.json"
    assert graphc(["plan", HEDGE, "--quotes", QUOTES, "-o", plan_file], env, project).returncode == 0
    original = plan_file.read_text()
    data = json.loads(original)

    time.sleep(1.1)
    proc = graphc(["submit", plan_file, "--max-age", "0"], env, project)
    assert proc.returncode == 2
    assert re.search(r"plan\.json is \d+ s old, older than --max-age 0 s: its prices may be stale", proc.stderr)

    # Back-dating (or refreshing) the time by hand is noticed: the plan hash covers it.
    data["created_at"] = "2020-01-01T00:00:00Z"
    plan_file.write_text(json.dumps(data))
    proc = graphc(["submit", plan_file], env, project)
    assert proc.returncode == 2 and "was modified after it was planned (its time" in proc.stderr

    tampered = json.loads(original)
    tampered["wire"] = tampered["wire"].replace("20000000000", "20000000001", 1)  # one digit of one quantity
    assert tampered["wire"] != json.loads(original)["wire"]
    plan_file.write_text(json.dumps(tampered))
    proc = graphc(["submit", plan_file], env, project)
    assert proc.returncode == 2
    assert "plan.json was modified after it was planned" in proc.stderr and "run `graphc plan` again" in proc.stderr

    assert orders_posted(sandbox) == [] and sandbox.graphs() == []
    plan_file.write_text(original)  # the untouched plan, still fresh enough with a generous --max-age
    assert graphc(["submit", plan_file, "--max-age", "600"], env, project).returncode == 0
    assert len(orders_posted(sandbox)) == 1


def test_lint_errors_exit_1_and_send_nothing(sandbox, project):
    env = cli_env(sandbox)
    broken = write_playbook(project / "broken.yaml", "broken")
    broken.write_text(broken.read_text().replace("after: spot filled 50%", "after: spott filled 50%"))
    proc = graphc(["submit", broken, "--quotes", QUOTES], env, project)
    assert proc.returncode == 1
    assert "GC202" in proc.stderr and "graphc: refused: lint found errors" in proc.stderr
    proc = graphc(["plan", broken, "--quotes", QUOTES, "-o", project / "plan.json"], env, project)
    assert proc.returncode == 1 and not (project / "plan.json").exists()
    assert orders_posted(sandbox) == [] and not (project / ".graphc").exists()


def test_the_same_run_twice_is_refused_unless_forced(sandbox, project):
    env = cli_env(sandbox)
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "dca-2026-W05"]
    first = graphc(args, env, project)
    assert first.returncode == 0, first.stderr
    gid = graph_id_of(first.stdout)
    again = graphc(args, env, project)  # cron retried the job
    assert again.returncode == 2
    assert f"run 'dca-2026-W05' was already submitted as graph {gid}" in again.stderr and "--force" in again.stderr
    assert len(orders_posted(sandbox)) == 1
    forced = graphc([*args, "--force"], env, project)
    assert forced.returncode == 0, forced.stderr
    assert graph_id_of(forced.stdout) != gid
    keys = sorted(g["idempotency_key"] for g in sandbox.graphs())
    assert keys[0] == "dca-2026-W05" and keys[1].startswith("dca-2026-W05#")


def test_an_uncertain_submission_is_reconciled_before_the_next_attempt(sandbox, project):
    env = cli_env(sandbox)
    args = ["submit", HEDGE, "--quotes", QUOTES, "--run-key", "nightly"]
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    proc = graphc(args, env, project)
    assert proc.returncode == 3 and "graphc: UNCERTAIN:" in proc.stderr and "do not resubmit" in proc.stderr
    listing = graphc(["ledger"], env, project)
    assert re.search(r"^1\s+\S+\s+uncertain\s+sandbox\s+nightly\s+-$", listing.stdout, re.M), listing.stdout
    (graph,) = sandbox.graphs()  # the dropped POST did create the graph
    retry = graphc(args, env, project)  # the retry finds it and does not trade again
    assert retry.returncode == 2 and f"already submitted as graph {graph['graph_id']}" in retry.stderr
    assert len(sandbox.graphs()) == 1
    listing = graphc(["ledger"], env, project)
    assert re.search(rf"^1\s+\S+\s+reconciled\s+sandbox\s+nightly\s+{graph['graph_id']}$", listing.stdout, re.M)
