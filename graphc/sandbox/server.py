"""The sandbox router's HTTP front (stdlib only): routing tables, bearer auth, faults.

Two routing tables map ``(method, path pattern)`` to a handler:

* :data:`API` holds the router's endpoints under ``/v1/``: they need a bearer
  token (any non-empty one) and go through fault injection; those that make the
  sandbox start a program (a hosted strategy's create and start) need the
  sandbox's own key as that token (:func:`_runs_code`);
* :data:`CONTROL` holds the unauthenticated ``/_sandbox/`` test controls; a body
  sent to one must say ``Content-Type: application/json``.

A request that carries an ``Origin`` other than this server's own loopback
origins (a web page's) is refused on every path (audit sec29 5).

A handler takes a :class:`Request` and returns a JSON-able dict (status 200) or
``(status, payload, headers)``; it raises :class:`SandboxHTTPError` to refuse.
Adding an endpoint is one decorated function::

    @API.route("GET", "/v1/quotes")
    def quotes(req: Request) -> dict: ...

Path patterns name their parameters in braces (``/v1/execution_graphs/{graph_id}``);
each matches one path segment, still percent-encoded, and is then decoded (``leg%3A1`` is ``leg:1``, ``a%2Fb``
the one segment ``a/b``), as a router reads its path parameters.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import re
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from graphc.loopback import host_header_name, is_loopback_host
from graphc.sandbox.engine import Sandbox, SandboxConfig, SandboxHTTPError, json_object, json_value
from graphc.sandbox.hosted import HostedError

__all__ = ["API", "CONTROL", "Request", "Routes", "SandboxServer", "make_server", "serve"]

MAX_BODY = 16 * 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    params: dict  # the path pattern's {parameters}
    query: dict  # the last value of each query parameter
    body: bytes
    headers: Message
    sandbox: Sandbox
    on_loopback: bool = True  # the server listens on a loopback address only
    url: str = "http://127.0.0.1"  # the server's own URL (its bound address and port)
    secret: str | None = None  # the sandbox's own key: the token that may make it start a program (None: no one)

    def json(self) -> dict:
        return json_object(self.body)


Handler = Callable[[Request], "dict | tuple[int, dict, dict]"]


class Routes:
    """An ordered routing table: the first pattern that matches the path decides."""

    def __init__(self):
        self._routes: list[tuple[str, re.Pattern, Handler]] = []

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

        def register(handler: Handler) -> Handler:
            self._routes.append((method.upper(), regex, handler))
            return handler

        return register

    def find(self, method: str, path: str) -> tuple[Handler, dict]:
        """The handler and path parameters; 405 when the path exists for other methods, else 404."""
        allowed = []
        for route_method, regex, handler in self._routes:
            match = regex.match(path)
            if match:
                if route_method == method:  # each parameter decoded once matched: %2F stays in its segment
                    return handler, {name: unquote(value) for name, value in match.groupdict().items()}
                allowed.append(route_method)
        if allowed:
            raise SandboxHTTPError(405, "method_not_allowed", f"{method} not allowed on {path}")
        raise SandboxHTTPError(404, "not_found", f"no endpoint {method} {path}")


API = Routes()
CONTROL = Routes()


# -- the router's endpoints ----------------------------------------------------------


@API.route("POST", "/v1/orders")
def submit(req: Request):
    payload, headers = req.sandbox.submit(req.body, req.headers.get("Idempotency-Key"))
    return 200, payload, headers


@API.route("GET", "/v1/orders")
def list_orders(req: Request):
    return req.sandbox.list_orders(req.query)


@API.route("GET", "/v1/fills")
def list_fills(req: Request):
    return req.sandbox.list_fills(req.query)


@API.route("PUT", "/v1/kill_switch")
def kill_switch(req: Request):
    data = req.json()
    return req.sandbox.set_kill_switch(data.get("active"), data.get("reason"))


@API.route("GET", "/v1/execution_graphs/{graph_id}")
def get_graph(req: Request):
    return req.sandbox.get_graph(req.params["graph_id"])


@API.route("DELETE", "/v1/execution_graphs/{graph_id}")
def cancel_graph(req: Request):
    return req.sandbox.cancel_graph(req.params["graph_id"])


@API.route("POST", "/v1/execution_graphs/{graph_id}/resume")
def resume_graph(req: Request):
    return req.sandbox.resume_graph(req.params["graph_id"])


@API.route("PATCH", "/v1/execution_graphs/{graph_id}/nodes/{node_id}")
def amend_node(req: Request):
    return req.sandbox.amend_node(req.params["graph_id"], req.params["node_id"], req.body)


@API.route("GET", "/v1/quotes")
def quote(req: Request):
    return req.sandbox.quote(req.query.get("symbol", ""))


# -- hosted strategies (graphc.sandbox.hosted runs them as subprocesses) ------------------


def _hosted(call):
    """Run a runner call; its refusals become the router's error answers."""
    try:
        return call()
    except HostedError as exc:
        raise SandboxHTTPError(exc.status, exc.code, exc.message) from None


HOSTED_NEED_KEY = (
    "hosted strategies are off on this sandbox: it was started without SEQUENCE_API_KEY. An uploaded strategy runs "
    "as a program, as the user who started the sandbox, and any local user can reach a loopback port, so the "
    "sandbox runs one only for a request that carries its own key; start it with SEQUENCE_API_KEY set, and run "
    "graphc deploy with the same SEQUENCE_API_KEY; nothing was run"
)
HOSTED_WRONG_KEY = (
    "this sandbox runs a hosted strategy only for a request that carries its own key, the SEQUENCE_API_KEY it was "
    "started with (an uploaded strategy runs as a program, as the user who started the sandbox); run graphc with "
    "that same SEQUENCE_API_KEY; nothing was run"
)


def _runs_code(req: Request) -> None:
    """Refuse a request that would make the sandbox start a program (a hosted strategy's create, its start, its
    restart after a kill) unless it carries the sandbox's own key as its bearer token (audit sec29 2): the program
    runs as whoever started the sandbox, and every local account can reach a loopback port. Any other endpoint takes
    any token: simulated trading runs no code."""
    if not req.on_loopback:  # the upload runs as whoever started the sandbox, for anyone who can reach it
        raise SandboxHTTPError(
            403,
            "hosted_strategies_off",
            "hosted strategies run only on a sandbox listening on loopback: this one was started with a --host "
            "others can reach, and an uploaded strategy runs as a program on its machine",
        )
    if req.secret is None:
        raise SandboxHTTPError(403, "hosted_strategies_off", HOSTED_NEED_KEY)
    given = _bearer_token(req.headers).encode("utf-8", "replace")
    if not hmac.compare_digest(given, req.secret.encode("utf-8", "surrogateescape")):
        raise SandboxHTTPError(403, "forbidden", HOSTED_WRONG_KEY)


def _bearer_token(headers: Message) -> str:
    """The request's bearer token, stripped as graphc's client strips a key ("" when there is none)."""
    scheme, _, token = (headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@API.route("POST", "/v1/strategies")
def create_strategy(req: Request):
    _runs_code(req)  # an upload with --no-start too: whoever starts it later would run someone else's code
    # the runner's processes reach this sandbox the way the client did (at its own address when no Host was sent)
    host = req.headers.get("Host")
    url = f"http://{host}" if host else req.url
    return _hosted(lambda: req.sandbox.hosted.create(req.json(), url))


@API.route("GET", "/v1/strategies")
def list_strategies(req: Request):
    return req.sandbox.hosted.list()


@API.route("GET", "/v1/strategies/{strategy_id}")
def get_strategy(req: Request):
    return _hosted(lambda: req.sandbox.hosted.get(req.params["strategy_id"]))


@API.route("POST", "/v1/strategies/{strategy_id}/start")
def start_strategy(req: Request):
    _runs_code(req)
    return _hosted(lambda: req.sandbox.hosted.start(req.params["strategy_id"]))


@API.route("POST", "/v1/strategies/{strategy_id}/stop")
def stop_strategy(req: Request):
    return _hosted(lambda: req.sandbox.hosted.stop(req.params["strategy_id"]))


@API.route("DELETE", "/v1/strategies/{strategy_id}")
def delete_strategy(req: Request):
    return _hosted(lambda: req.sandbox.hosted.delete(req.params["strategy_id"]))


@API.route("GET", "/v1/strategies/{strategy_id}/logs")
def strategy_logs(req: Request):
    return _hosted(lambda: req.sandbox.hosted.logs(req.params["strategy_id"], req.query.get("run_id")))


# -- test controls (no auth, no faults) ---------------------------------------------


@CONTROL.route("GET", "/_sandbox/health")
def health(req: Request):
    return {"ok": True, "now_ms": req.sandbox.now()}


@CONTROL.route("POST", "/_sandbox/reset")
def reset(req: Request):
    req.sandbox.reset()
    return {"ok": True}


@CONTROL.route("GET", "/_sandbox/faults")
def faults(req: Request):
    return req.sandbox.faults.view()


@CONTROL.route("POST", "/_sandbox/faults")
def set_faults(req: Request):
    return req.sandbox.faults.set(json_value(req.body))


@CONTROL.route("DELETE", "/_sandbox/faults")
def clear_faults(req: Request):
    req.sandbox.faults.clear()
    return req.sandbox.faults.view()


@CONTROL.route("GET", "/_sandbox/requests")
def requests(req: Request):
    with req.sandbox.lock:
        return {"requests": list(req.sandbox.requests)}


@CONTROL.route("DELETE", "/_sandbox/requests")
def clear_requests(req: Request):
    with req.sandbox.lock:
        req.sandbox.requests = []
    return {"requests": []}


@CONTROL.route("GET", "/_sandbox/graphs")
def graphs(req: Request):
    return req.sandbox.graph_list()


@CONTROL.route("GET", "/_sandbox/graphs/{graph_id}/events")
def graph_events(req: Request):
    return req.sandbox.graph_events(req.params["graph_id"])


@CONTROL.route("POST", "/_sandbox/graphs/{graph_id}/pause")
def pause_graph(req: Request):
    return req.sandbox.pause_graph(req.params["graph_id"])


@CONTROL.route("POST", "/_sandbox/strategies/{strategy_id}/kill")
def kill_strategy(req: Request):
    """SIGKILL a hosted strategy's current run, as an OOM kill would (it is then restarted: a new process, so the
    sandbox's own key is needed, as for a start)."""
    _runs_code(req)
    return _hosted(lambda: req.sandbox.hosted.kill(req.params["strategy_id"]))


@CONTROL.route("POST", "/_sandbox/tick")
def tick(req: Request):
    return req.sandbox.tick(req.json().get("ms"))


@CONTROL.route("POST", "/_sandbox/prices")
def prices(req: Request):
    with req.sandbox.lock:
        req.sandbox.set_prices(req.json())
        return req.sandbox.config_view()


@CONTROL.route("GET", "/_sandbox/config")
def config(req: Request):
    return req.sandbox.config_view()


@CONTROL.route("POST", "/_sandbox/config")
def update_config(req: Request):
    return req.sandbox.update_config(req.json())


@CONTROL.route("POST", "/_sandbox/seed_orders")
def seed_orders(req: Request):
    data = req.json()
    return req.sandbox.seed_orders(data.get("count"), str(data.get("symbol", "SEED-USD")))


# -- HTTP plumbing ---------------------------------------------------------------------


class SandboxHandler(BaseHTTPRequestHandler):
    """Routes router endpoints (bearer auth, faults) and ``/_sandbox`` controls (no auth)."""

    server_version = "graphc-sandbox"
    protocol_version = "HTTP/1.0"  # one request per connection: a dropped one cannot poison the next

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    server: SandboxServer

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox

    def log_message(self, fmt, *args):  # request line and status only, never headers
        if self.server.verbose:
            sys.stderr.write("sandbox: %s\n" % (fmt % args))

    def dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        control = split.path == "/_sandbox" or split.path.startswith("/_sandbox/")
        try:
            refusal = self._misdirected() or self._foreign_origin()
            if refusal:  # read (a body left unread may turn the answer into a reset), then refuse
                with contextlib.suppress(SandboxHTTPError):
                    self._read_body(method)
                self._send(*refusal)
                return
            body = self._read_body(method)
            if control and body and method in ("POST", "PUT", "PATCH", "DELETE"):
                self._json_body_only()
            req = Request(
                method,
                split.path,
                {},
                query,
                body,
                self.headers,
                self.sandbox,
                self.server.on_loopback,
                self.server.url,
                self.server.secret,
            )
            if control:
                self._send(*_call(CONTROL, req))
            else:
                self._serve_api(req)
        except SandboxHTTPError as exc:
            self._send(exc.status, exc.body())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except (ValueError, TypeError) as exc:  # malformed control input: say so, stay up
            self._send(400, _err("bad_request", str(exc)[:200]))
        except Exception as exc:  # the sandbox's own failure: an answer that says so, never a dropped connection
            traceback.print_exc(file=sys.stderr)
            self._send(
                500,
                _err(
                    "internal",
                    f"the sandbox failed on this request ({type(exc).__name__}); its stderr has the traceback",
                ),
            )

    def _serve_api(self, req: Request) -> None:
        fault = self.sandbox.faults.pick(req.method, req.path)
        self.sandbox.note_request(req.method, req.path, fault.kind if fault else None, req.body)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "http_429":
            self._send(429, _err("rate_limited", "sandbox fault: slow down"), {"Retry-After": str(fault.retry_after)})
            return
        applies = fault is None or fault.kind in ("slow", "drop_after_read") or fault.apply
        if applies:
            try:
                if not self._authorized():
                    raise SandboxHTTPError(401, "unauthorized", "missing or empty bearer token")
                status, payload, headers = _call(API, req)
            except SandboxHTTPError as exc:
                status, payload, headers = exc.status, exc.body(), {}
        if fault is not None and fault.kind == "drop_after_read":
            self._drop()
        elif fault is not None and fault.kind == "http_500":
            self._send(500, _err("internal", "sandbox fault: " + ("applied, then failed" if applies else "error")))
        elif fault is not None and fault.kind == "status":
            self._send_raw(fault.status, fault.body if fault.body is not None else json.dumps(_err("fault", "sandbox")))
        else:
            self._send(status, payload, headers)

    def _drop(self) -> None:
        """Close the socket without a byte of answer: the request *was* applied."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_body(self, method: str) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            if method in ("POST", "PUT", "PATCH") and self.headers.get("Transfer-Encoding"):
                raise SandboxHTTPError(411, "length_required", "send a Content-Length")
            return b""
        if not (length.isascii() and length.isdigit()) or int(length) > MAX_BODY:  # not '²', which int() refuses
            raise SandboxHTTPError(413, "too_large", f"body larger than {MAX_BODY} bytes")
        return self.rfile.read(int(length))

    def _foreign_origin(self) -> tuple[int, dict] | None:
        """403 for a request that carries an ``Origin`` other than this server's own loopback origins
        (``http://127.0.0.1:PORT``, ``http://localhost:PORT``, ``http://[::1]:PORT``), on every path; None otherwise.
        A browser adds ``Origin`` to what a web page sends (to every POST), and a page may send a "simple" POST to any
        port without asking first, so a page that found this port could drive the ``/_sandbox/`` controls, which take
        no token (audit sec29 5). graphc's client, curl and the tests send no ``Origin``."""
        given = self.headers.get_all("Origin") or []
        if not given:
            return None
        port = self.server.server_address[1]
        own = {f"http://{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}
        if port == 80:
            own |= {"http://127.0.0.1", "http://localhost", "http://[::1]"}
        if len(given) == 1 and given[0].strip().lower() in own:
            return None
        named = f"Origin {given[0][:80]!r}" if len(given) == 1 else f"{len(given)} Origin headers"
        message = (
            f"this sandbox answers no request a web page sends (this one came with {named}): its /_sandbox/ "
            f"controls take no token, so a page could change its faults, prices and clock; only its own origins "
            f"(http://127.0.0.1:{port}, http://localhost:{port}, http://[::1]:{port}) may send one; nothing was done"
        )
        return 403, _err("cross_origin_refused", message)

    def _json_body_only(self) -> None:
        """A body sent to a ``/_sandbox/`` control must say it is JSON: a page may send ``text/plain`` to any
        port without asking first, but not ``application/json`` (the browser asks first, and the sandbox never
        says yes; audit sec29 5)."""
        given = self.headers.get("Content-Type") or ""
        if given.partition(";")[0].strip().lower() != "application/json":
            shown = f"Content-Type {given[:80]!r}" if given else "no Content-Type"
            raise SandboxHTTPError(
                415,
                "unsupported_media_type",
                f"a /_sandbox/ control reads a body sent as Content-Type: application/json; this one came with "
                f"{shown}; nothing was done",
            )

    def _misdirected(self) -> tuple[int, dict] | None:
        """421 when a sandbox on loopback does not answer this request, saying why; None otherwise. It answers only
        requests addressed to a loopback name (``Host``: 127.0.0.1, [::1], localhost, any port; none at all, as
        HTTP/1.0 may send): a web page can reach a loopback server under a name of its own that it points at
        127.0.0.1 (DNS rebinding), and its requests then name that host. Off loopback anyone may reach the server
        anyway (``--host``)."""
        if not self.server.on_loopback:
            return None
        given = self.headers.get_all("Host") or []
        if not given:
            return None
        name = host_header_name(given[0]) if len(given) == 1 else None
        if name is not None and is_loopback_host(name):
            return None
        named = f"Host {given[0][:80]!r}" if len(given) == 1 else f"{len(given)} Host headers"
        message = (
            f"this sandbox listens on loopback and answers only requests addressed to 127.0.0.1, [::1] or "
            f"localhost; this one was sent with {named} (a web page reaching it under a name of its own?), so "
            "nothing was done"
        )
        return 421, _err("misdirected_request", message)

    def _authorized(self) -> bool:
        return bool(_bearer_token(self.headers))

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
        self._send_raw(status, json.dumps(payload, default=str), headers)

    def _send_raw(self, status: int, text: str, headers: dict | None = None) -> None:
        data = text.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", "Bearer")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _call(routes: Routes, req: Request) -> tuple[int, dict, dict]:
    handler, req.params = routes.find(req.method, req.path)
    answer = handler(req)
    return answer if isinstance(answer, tuple) else (200, answer, {})


def _err(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sandbox: Sandbox, verbose: bool = False, secret: str | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.sandbox, self.verbose = sandbox, verbose
        self.secret = (secret or "").strip() or None  # never printed, never logged
        self.on_loopback = is_loopback_host(str(address[0]))
        super().__init__(address, SandboxHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    verbose: bool = False,
    secret: str | None = None,
) -> SandboxServer:
    """A bound, listening sandbox. ``secret`` is its own key: the bearer token that may make it start a program
    (hosted strategies); without one it runs none."""
    return SandboxServer((host, port), Sandbox(config), verbose=verbose, secret=secret)


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    verbose: bool = False,
    out=None,
    secret: str | None = None,
) -> None:
    """Run until interrupted; the first line printed carries the URL (tests read it)."""
    run_server(make_server(host, port, config, verbose, secret), out)


def run_server(server: SandboxServer, out=None) -> None:
    """Serve ``server`` (:func:`make_server`: bound, listening) until interrupted; the first line printed carries the
    URL (tests read it)."""
    out = out or sys.stdout
    print(f"graphc sandbox listening on {server.url}", file=out, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.sandbox.hosted.shutdown()
        server.server_close()
        print("graphc sandbox stopped", file=out, flush=True)
