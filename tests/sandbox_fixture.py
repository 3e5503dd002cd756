"""Run ``graphc sandbox serve`` as a separate process for integration tests.

Usage, as a context manager::

    with running_sandbox(speed=0) as sb:
        env = sb.env(SEQUENCE_API_KEY="k")   # for subprocess CLI runs
        sb.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])

or as the pytest fixtures ``sandbox`` and ``sandbox_server`` (tests/conftest.py registers
this module as a plugin).

``sandbox_server`` is one process per test module; ``sandbox`` resets it
(graphs, faults, request log, config) before each test.  The server binds
port 0 on 127.0.0.1 and the fixture reads the URL from its first stdout line.
It is started with ``SEQUENCE_API_KEY`` set to ``key`` (:data:`CANARY_KEY` unless
a test says otherwise, ``None`` for none), the one bearer token for which it runs
hosted strategies; :func:`cli_env` gives the CLI the same key.
Control calls use urllib so the fixture does not depend on graphc's client.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
URL_LINE = re.compile(r"listening on (http://\S+)")
# the key of the CLI in these tests (cli_env), and the sandbox's own (the token it runs hosted strategies for)
CANARY_KEY = "seq_test_SECRET_canary_9f8e7d"


class Sandbox:
    """A running sandbox process and helpers for its ``/_sandbox`` controls."""

    def __init__(
        self, base_url: str, proc: subprocess.Popen, stderr_path: str, first_line: str = "", key: str | None = None
    ):
        self.base_url = base_url
        self.key = key  # the SEQUENCE_API_KEY it was started with: its hosted strategies' token
        self.startup_stderr = ""  # what it wrote on stderr before its first stdout line (its notes at start-up)
        self.first_line = first_line  # what `graphc sandbox serve` printed first (the URL it listens on)
        self.proc = proc
        self.stderr_path = stderr_path

    # -- raw HTTP ------------------------------------------------------------

    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 10.0):
        """(status, parsed JSON body, headers) of one request; no retries, no graphc code."""
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, _json(resp.read()), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, _json(err.read()), dict(err.headers)

    def api(self, method: str, path: str, body=None, token: str = "test-token"):
        """A router call with a bearer token."""
        return self.request(method, path, body, {"Authorization": f"Bearer {token}"})

    def control(self, method: str, path: str, body=None) -> dict:
        status, payload, _ = self.request(method, "/_sandbox" + path, body)
        assert status == 200, (status, payload)
        return payload

    # -- controls ------------------------------------------------------------

    def reset(self) -> None:
        self.control("POST", "/reset")

    def set_faults(self, rules: list[dict]) -> dict:
        return self.control("POST", "/faults", {"rules": rules})

    def faults(self) -> list[dict]:
        return self.control("GET", "/faults")["rules"]

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict]:
        entries = self.control("GET", "/requests")["requests"]
        return [r for r in entries if (method is None or r["method"] == method) and (path is None or r["path"] == path)]

    def graphs(self) -> list[dict]:
        return self.control("GET", "/graphs")["graphs"]

    def events(self, graph_id: str) -> list[dict]:
        return self.control("GET", f"/graphs/{graph_id}/events")["events"]

    def tick(self, ms: int) -> int:
        return self.control("POST", "/tick", {"ms": ms})["now_ms"]

    def configure(self, **settings) -> dict:
        return self.control("POST", "/config", settings)

    def pause(self, graph_id: str) -> dict:
        return self.control("POST", f"/graphs/{graph_id}/pause")

    def env(self, **extra) -> dict:
        """Environment for running the graphc CLI against this sandbox."""
        env = {**os.environ, "SEQUENCE_API_URL": self.base_url, "PYTHONPATH": _pythonpath()}
        env.pop("SEQUENCE_API_KEY", None)
        env.update(extra)
        return env

    def stderr(self) -> str:
        return Path(self.stderr_path).read_text(errors="replace")


def _json(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")


def _pythonpath() -> str:
    parts = [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return os.pathsep.join(parts)


def _read_first_line(proc: subprocess.Popen, timeout: float) -> str:
    """The first stdout line, without blocking forever; stdout keeps draining after."""
    lines: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        line = lines.get(timeout=timeout)
    except queue.Empty:
        line = None
    return line or ""


def _wait_ready(sb: Sandbox, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if sb.request("GET", "/_sandbox/health", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("sandbox did not become ready")
        time.sleep(0.05)


@contextlib.contextmanager
def running_sandbox(
    *extra_args: str, speed: float = 50.0, seed: int = 7, startup_timeout: float = 20.0, key: str | None = CANARY_KEY
):
    """Start ``python -m graphc sandbox serve --port 0`` with ``SEQUENCE_API_KEY`` set to ``key`` (unset for None) and
    yield a :class:`Sandbox`."""
    cmd = [
        sys.executable,
        "-m",
        "graphc",
        "sandbox",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--seed",
        str(seed),
        "--speed",
        str(speed),
        *extra_args,
    ]
    env = {**os.environ, "PYTHONPATH": _pythonpath(), "PYTHONUNBUFFERED": "1"}
    env.pop("SEQUENCE_API_KEY", None)
    if key is not None:
        env["SEQUENCE_API_KEY"] = key
    stderr = tempfile.NamedTemporaryFile(prefix="graphc-sandbox-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, text=True, env=env, cwd=str(REPO)
    )
    try:
        line = _read_first_line(proc, startup_timeout)
        match = URL_LINE.search(line)
        if not match:
            raise RuntimeError(f"sandbox did not start: {line!r}\n{Path(stderr.name).read_text()}")
        sb = Sandbox(match.group(1), proc, stderr.name, line.rstrip("\n"), key)
        sb.startup_stderr = sb.stderr()
        _wait_ready(sb, startup_timeout)
        yield sb
    finally:
        _stop(proc)
        stderr.close()
        os.unlink(stderr.name)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def sandbox_server():
    """One sandbox process per test module (fast time: speed 50)."""
    with running_sandbox() as sb:
        yield sb


@pytest.fixture
def sandbox(sandbox_server):
    """The module's sandbox, reset to a clean state for this test."""
    sandbox_server.reset()
    yield sandbox_server


@pytest.fixture(scope="module")
def reference_server():
    """A sandbox process that, like the reference router, ignores Idempotency-Key (no replay, none listed)."""
    with running_sandbox("--ignore-idempotency-key") as sb:
        yield sb


@pytest.fixture
def reference_router(reference_server):
    reference_server.reset()
    yield reference_server


@pytest.fixture(scope="module")
def btc_server():
    """A sandbox process that ignores Idempotency-Key as the reference router does, with BTC-USD at 97,250.50 and
    no waiting (speed 0): the router of the recurring-run tests (test_run, test_run_late, test_scheduled_by_hand)."""
    with running_sandbox("--ignore-idempotency-key", "--price", "BTC-USD=97250.50", speed=0) as sb:
        yield sb


@pytest.fixture
def btc_router(btc_server):
    btc_server.reset()
    yield btc_server


# -- running the CLI against a sandbox ------------------------------------------


def posts(router) -> int:
    """How many POST /v1/orders the router received."""
    return len(router.requests("POST", "/v1/orders"))


def submitted_graphs(router) -> list[dict]:
    """Graphs created by POST /v1/orders (not the seeded history)."""
    return [g for g in router.graphs() if g["wire_sha256"]]


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def start_graphc(args, env, cwd) -> subprocess.Popen:
    """`graphc ARGS` started as its own process (to be killed, or raced, while it talks to the router)."""
    return subprocess.Popen(
        [sys.executable, "-m", "graphc", *map(str, args)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def cli_env(sb, **extra) -> dict:
    """Environment for the CLI against ``sb``: the canary key, no credentials file of the machine's user."""
    env = sb.env(SEQUENCE_API_KEY=CANARY_KEY, GRAPHC_CREDENTIALS="/nonexistent/graphc-credentials", NO_COLOR="1")
    env.update(extra)
    return env


def run_graphc(
    args, env, cwd, timeout=60, stdin=subprocess.DEVNULL, *, stdout=subprocess.PIPE, prefix=(), preexec_fn=None
) -> subprocess.CompletedProcess:
    """``python -m graphc ARGS`` as a separate process, its stderr captured, its stdout too unless ``stdout`` names
    where it goes (a file, a descriptor, None: this process's); ``prefix``: the argv that runs it (a shell that closes
    its stdout); ``preexec_fn``: run in the child before graphc (a resource limit)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "graphc", *map(str, args)],
        env=env,
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        stdin=stdin,
        preexec_fn=preexec_fn,
    )


def on_a_terminal(args, env, cwd, answer: bytes = b"", *, interrupt=False, not_before=0.0, timeout=60):
    """``python -m graphc ARGS`` with a terminal (a pty) as its standard input, as a person runs it. Once it asks
    (``[y/N]: `` on its stderr), and not before the clock reads ``not_before`` (``time.time()``), ``answer`` is
    typed (``b"\\x04"`` is Ctrl-D), or with ``interrupt`` Ctrl-C reaches it (SIGINT, as a terminal sends it).
    Returns (returncode, stdout, stderr); whether and when it asked: stderr holds the question."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphc", *map(str, args)],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        os.close(slave)
        err = bytearray()
        asked = threading.Event()

        def read_stderr():
            assert proc.stderr is not None
            while chunk := os.read(proc.stderr.fileno(), 4096):
                err.extend(chunk)
                if b"[y/N]: " in err:
                    asked.set()
            asked.set()  # it ended without asking

        out = bytearray()

        def read_stdout():
            assert proc.stdout is not None
            while chunk := os.read(proc.stdout.fileno(), 4096):
                out.extend(chunk)

        readers = [threading.Thread(target=read, daemon=True) for read in (read_stderr, read_stdout)]
        for reader in readers:
            reader.start()
        asked.wait(timeout)
        time.sleep(max(0.0, not_before - time.time()))
        if proc.poll() is None:
            if interrupt:
                proc.send_signal(signal.SIGINT)
            else:
                os.write(master, answer)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:  # never hang the suite: fail, with what it said
            proc.kill()
            proc.wait()
            raise AssertionError(
                f"graphc {args} did not end {timeout} s after its answer; stderr: {err.decode()}"
            ) from None
        for reader in readers:
            reader.join(timeout)
    finally:
        os.close(master)
    return proc.returncode, bytes(out).decode(), err.decode()


def beside_a_held_submit(
    router, args, env, cwd, *, delay: float, b_launcher
) -> tuple[subprocess.CompletedProcess, dict]:
    """Hold A's request at the router, run B beside it: ``graphc ARGS`` (A, a submit) is started with its
    POST /v1/orders held ``delay`` s at ``router`` (a ``slow`` fault); once the router holds it, B, the same ARGS run
    by ``b_launcher`` (the argv that runs graphc: on another clock, in a time namespace), runs to its end; then A.

    Asserts what such a race must end in: A submits (exit 0); B finds A's request in flight, sends nothing and exits
    3; one POST, one graph, A's. Returns B's completed process and the graph, for what a test adds."""
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": delay, "count": 1}])
    a = start_graphc(args, env, cwd)
    wait_for(lambda: router.faults()[0]["hits"] == 1 or a.poll() is not None)
    assert a.poll() is None, a.communicate()
    b = subprocess.run(
        [*b_launcher, *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    out, err = a.communicate(timeout=60)
    assert a.returncode == 0, out + err
    assert b.returncode == 3, b.stdout + b.stderr
    assert "another graphc's request for this run is in flight" in b.stderr and "nothing was sent" in b.stderr
    (graph,) = submitted_graphs(router)
    assert f"as graph {graph['graph_id']}" in out
    assert len(router.requests("POST", "/v1/orders")) == 1
    return b, graph


def ledger_rows(env, cwd) -> list[dict]:
    """``graphc ledger --json`` in ``cwd``: the ledger's rows, as the CLI lists them."""
    listed = run_graphc(["ledger", "--json"], env, cwd)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


# -- a scripted router: a real HTTP server in this process whose every answer a test writes ---------------


class _Scripted(BaseHTTPRequestHandler):
    """Answers every request with ``server.script(handler)`` (a hostile or broken router, as a test scripts it)."""

    protocol_version = "HTTP/1.0"

    def _any(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with contextlib.suppress(OSError):  # the client hung up: that is what some tests want
            self.server.script(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any

    def log_message(self, *args):
        pass

    def answer(self, status: int, body: bytes, headers: dict | None = None):
        self.send_response(status)
        for key, value in {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            **(headers or {}),
        }.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def scripted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


# -- wire graphs used across the networking tests ------------------------------


def node(
    node_id: str,
    symbol: str = "ETH-USD",
    side: str = "buy",
    qty_1e8=20_000_000_000,
    activation: str = "root",
    limit_1e9: int | None = None,
    execution: dict | None = None,
) -> dict:
    """One wire node; ``qty_1e8="derived"`` for a derived quantity."""
    return {
        "node_id": node_id,
        "instrument": {"symbol": symbol, "type": "perp" if symbol.endswith("-PERP") else "spot"},
        "side": side,
        "order_type": "market" if limit_1e9 is None else {"limit": {"price_1e9": limit_1e9}},
        "quantity": "derived" if qty_1e8 == "derived" else {"fixed": {"qty_1e8": qty_1e8}},
        "execution": execution or {"policy": "sor"},
        "activation": activation,
    }


def edge(edge_id: str, src: str, dst: str, trigger, ratio=None) -> dict:
    e = {"edge_id": edge_id, "from_node": src, "to_node": dst, "trigger": trigger}
    if ratio is not None:
        e["condition"] = {"fill_ratio_gte": ratio}
    return e


def hedge_graph(qty_1e8: int = 20_000_000_000) -> dict:
    """The reference example: buy spot, sell the perp once half the spot filled."""
    return {
        "nodes": [
            node("spot", qty_1e8=qty_1e8),
            node("hedge", "ETH-USD-PERP", "sell", qty_1e8, "wait", execution={"policy": "aggressive_chase"}),
        ],
        "edges": [edge("e0", "spot", "hedge", "on_fill_ratio", 0.5)],
        "risk": {"admission": {"max_notional_usd": 500000}, "runtime": {"max_loss_usd": 10000}},
        "is_sandbox": True,
    }


def wire(graph: dict) -> bytes:
    return json.dumps(graph).encode()


ONE_LIMIT_ORDER = {  # a wire graph of one limit node; lints clean
    "nodes": [
        {
            "node_id": "a",
            "instrument": {"symbol": "BTC-USD", "type": "spot", "venue": "coinbase"},
            "side": "buy",
            "order_type": {"limit": {"price_1e9": 90_000_000_000_000}},
            "quantity": {"fixed": {"qty_1e8": 1_000_000}},
            "execution": {"policy": "passive_limit"},
            "activation": "root",
        }
    ],
    "edges": [],
    "is_sandbox": True,
}
