"""HTTP client for the order router (``/v1/orders``, ``/v1/execution_graphs``, …).

Safety rules this module enforces, and why:

* **Reads retry, changes do not.**  GET and DELETE (a cancel: nothing can
  undo it, so an attempt that lands late changes nothing) go through an
  ``httpx_retries.RetryTransport`` that retries on 429 (honouring
  ``Retry-After``), 5xx, timeouts and dropped connections; each retry is
  announced on the ``graphc.api`` logger (a warning, shown without ``-v``).
  A PATCH (amend) or PUT (kill switch) is retried only after a 429, a definite
  refusal: an attempt abandoned after it was sent may still be applied later,
  after a later change of the same value, and undo it (audit ops19 1), so its
  unknown outcome is :class:`~graphc.api.errors.UncertainOutcome`, for the
  caller to record with its landing time.  A ``POST`` is only ever retried by
  the inner ``httpx.HTTPTransport(retries=)``, which retries *establishing the
  connection* and nothing else, i.e. failures where the request provably never
  left this machine.
* **Only a definite refusal means "not applied".**  A POST answered 400, 401,
  403, 404, 405, 411, 413, 414, 415, 422, 423, 429 or 431 was refused; any
  other answer that is not a success with a readable graph id (a redirect, a
  409, a 5xx, a timeout, a dropped connection, an unreadable body) raises
  :class:`~graphc.api.errors.UncertainSubmission`: the router may have created
  the graph, so the caller must record the run as uncertain and reconcile it.
* **Every request ends.**  Explicit timeouts per phase, and a deadline per
  attempt: httpx's read timeout restarts with every byte, so a server that
  trickles its answer would hold a request forever; a watchdog closes the
  socket when the deadline passes.  Answers are read up to ``max_answer_bytes``.
* **The key never leaks.**  It is held in an :class:`~graphc.api.secrets.ApiKey`
  and attached by :class:`BearerAuth` at send time; our log lines carry method,
  path, status and time only; every text taken from an answer is redacted
  first, then stripped of terminal control sequences, then truncated.
* **No plain-text key over the network.**  ``http://`` is accepted only for a
  loopback address (decided on the parsed IP, or the name ``localhost``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
from httpx_retries import Retry, RetryTransport

from graphc.api.bootclock import boot_deadline, boot_ns
from graphc.api.errors import (
    ApiConnectionError,
    ApiError,
    ApiHTTPError,
    ApiProtocolError,
    ApiTimeout,
    AuthError,
    ConfigError,
    Conflict,
    KillSwitchActive,
    LedgerError,
    NotFound,
    NotSentInTime,
    RateLimited,
    Rejected,
    ServerError,
    UncertainOutcome,
    UncertainSubmission,
    error_fields,
)
from graphc.api.redact import clean
from graphc.api.secrets import (
    ApiKey,
    default_credentials_path,
    http_records_of_graphc_dropped,
    keep_http_records_of_graphc_out,
    load_api_key,
)
from graphc.loopback import is_loopback_host
from graphc.quotes import MalformedQuote, quote_from_router
from graphc.version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "GRAPH_ID_RE",
    "BearerAuth",
    "Client",
    "DeletedOnRetry",
    "UnreadableAnswer",
    "answer_lost",
    "is_graph_id",
    "is_loopback_host",
    "is_loopback_url",
    "normalize_base_url",
]

log = logging.getLogger("graphc.api")

DEFAULT_BASE_URL = "https://api.sequencemkts.com"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0, pool=5.0)
DEFAULT_DEADLINE_S = 30.0  # one attempt, from opening the connection to the last byte of the answer
MAX_ANSWER_BYTES = 16 * 1024 * 1024
RETRY_STATUSES = (429, 500, 502, 503, 504)
# Methods retried after the request was sent: reads, and cancel (a cancel that lands late undoes nothing).
IDEMPOTENT_METHODS = ("GET", "DELETE")
# Methods that set a value (amend, kill switch): retried only after a definite refusal (429), never once the request
# may have reached the router, where it may still be applied after a later change of the same value and undo it.
CHANGE_METHODS = ("PATCH", "PUT")
# After-send failures worth retrying for idempotent methods.  Connect-phase
# failures are retried by the inner transport for every method.
RETRY_EXCEPTIONS = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)
# Failures that prove the request never left this machine.
NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
)
# Answers to a POST that prove it was not applied.  Anything else that is not a
# success may have created the graph (a 303 "see other", a 409 conflict, a 5xx).
DEFINITE_REFUSALS = frozenset({400, 401, 403, 404, 405, 411, 413, 414, 415, 422, 423, 429, 431})
# Answers to a PATCH or PUT that prove it was not applied: a POST's, and a 409 (the node or graph is in a state that
# does not take it). No idempotency key is sent with them, so a 409 is not a key reused.
CHANGE_REFUSALS = DEFINITE_REFUSALS | {409}
GRAPH_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}\Z")
NODE_ID_RE = re.compile(r"^[^/?#\s]{1,200}\Z")
# A path segment that URL normalisation removes (RFC 3986 5.2.4; httpx does it): `nodes/..` would be the graph.
DOT_SEGMENTS = frozenset({".", ".."})
ANONYMOUS_SANDBOX_KEY = "graphc-local-sandbox"


def is_graph_id(value) -> bool:
    """Whether ``value`` may stand as a graph id: letters, digits and ``_ . : -``, at most 200 characters.

    The one check of every graph id graphc takes from the router (the POST's answer, the ``node_order_id``
    of a ``GET /v1/orders`` entry), from a user (``--graph-id``, a command's argument) or puts into a path:
    an id that fails it is never stored in the ledger, printed raw or sent back (no ``../``, no line break,
    no terminal escape)."""
    return isinstance(value, str) and GRAPH_ID_RE.match(value) is not None


def answer_lost(exc: ApiError) -> bool:
    """Whether a request that failed (after any retries) may have been applied: it may have reached the router and
    no answer refused it (:data:`CHANGE_REFUSALS`). Not when nothing was sent or it was never valid to send."""
    if isinstance(exc, (ApiConnectionError, ConfigError)):
        return False
    if isinstance(exc, ApiHTTPError):
        return exc.status not in CHANGE_REFUSALS
    return True  # a timeout, a dropped connection, an answer graphc cannot read, an UncertainOutcome


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(httpx.URL(url).host)


def _sandbox_key(base_url: str) -> ApiKey | None:
    """The stand-in key of a client of ``base_url`` given none: a loopback URL (the local sandbox) needs no key;
    None for any other URL (a key is needed). The one rule of :class:`Client` and :meth:`Client.from_env`."""
    return ApiKey(ANONYMOUS_SANDBOX_KEY, source="local sandbox") if is_loopback_url(base_url) else None


# A URL with a user or password (`scheme://USER:PASSWORD@host`, any scheme) is refused and never echoed (audit
# status28 2): any `@` at all, before the URL is parsed, since a password may hold `/`, `?` or `#` and a parser then
# reads it as a port or a path and quotes it (review28 5); a router base URL never needs an `@`.
CREDENTIALS_IN_URL = (
    "the router URL must not contain a user or password (it is not shown here); put the API key in "
    "SEQUENCE_API_KEY and give the URL as https://HOST"
)
# What a URL shown in a message loses: everything up to its last `@` (a user and password, with or without a
# `//` before them) and anything shaped like a Sequence key (`seq_live_…`, `seq_test_…`: a key pasted into the URL
# variable), besides the registered secrets :func:`clean` masks.
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*:(?://)?)?.*@", re.S)
_KEY_SHAPED = re.compile(r"seq_(?:live|test)_[A-Za-z0-9_-]*")


def _masked_url(url: str) -> str:
    """``url`` as a message may show it: ``https://***@host``, a key-shaped word as ``***``."""
    masked = _URL_USERINFO.sub(lambda m: f"{m['scheme'] or ''}***@", url, count=1)
    return _KEY_SHAPED.sub("***", masked)


def normalize_base_url(url: str, *, allow_plain_http: bool = False) -> str:
    """Validate a router base URL; refuse credentials in it and plain http to
    anything but loopback (a bearer key must not cross a network in clear).

    ``allow_plain_http`` is for the one place the reference itself uses plain
    http to another host: the URL a hosted-strategy runner injects, which
    points at the runner's own host (see :mod:`graphc.hosted`)."""
    if isinstance(url, str) and "@" in url:  # first, whatever else is wrong with it (status28 2, review28 5)
        raise ConfigError(CREDENTIALS_IN_URL)
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigError(f"invalid router URL: {clean(_masked_url(str(exc)), 120)}") from None
    if parsed.userinfo:
        raise ConfigError(CREDENTIALS_IN_URL)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"invalid router URL {clean(_masked_url(url), 80)!r}: expected https://HOST")
    if parsed.query or parsed.fragment:
        raise ConfigError("the router URL must not contain a query or fragment")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host) and not allow_plain_http:
        raise ConfigError(
            f"refusing plain http to {clean(parsed.host, 80)}: the API key would travel unencrypted; use https "
            "(plain http is only for a loopback address such as 127.0.0.1 or localhost)"
        )
    return str(parsed).rstrip("/")


def account_of(key: ApiKey) -> str:
    """A fingerprint of the key, naming the account a run belongs to without storing the key."""
    if key.reveal() == ANONYMOUS_SANDBOX_KEY:
        return "local"
    return "key:" + hashlib.sha256(b"graphc account\0" + key.reveal().encode()).hexdigest()[:12]


class BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer <key>`` at send time; prints without the key."""

    def __init__(self, key: ApiKey):
        self._key = key

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self._key.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth('***')"


class _AnnouncedRetry(Retry):
    """A retry that says so before it waits: a silent 11 s of retries looks like a hang.

    ``current`` names the request being retried (``GET /v1/orders``); each
    client makes a subclass that reads it from the client's own thread-local.
    """

    current: Callable[[], str] = staticmethod(lambda: "request")
    slept: Callable[[float], None] = staticmethod(lambda seconds: None)
    waiting: Callable[[float], None] = staticmethod(lambda seconds: None)

    def sleep(self, response: httpx.Response | Exception) -> None:
        """Work the wait out once, say it, and sleep exactly it. (The library's own ``sleep`` works it out again,
        with a new draw of its random jitter: the wait announced was not the wait slept, audit follow17 6.)
        ``waiting`` is told the wait first (a change's landing time moves on by it, :meth:`Client.moving_on`); if
        it raises, nothing is sent again."""
        wait = self._calculate_sleep(response.headers if isinstance(response, httpx.Response) else {})
        self.waiting(wait)
        what = self.current()
        why = f"HTTP {response.status_code}" if isinstance(response, httpx.Response) else _describe(response)
        log.warning("%s: %s; retry %d of %d in %.1f s", what, clean(why, 120), self.attempts_made, self.total, wait)
        time.sleep(wait)
        self.elapsed_sleep += wait  # what total_timeout (the client's retry_budget) counts
        self.slept(wait)


class _Deadline:
    """Closes an attempt's socket once its time is up; httpx has no overall timeout.

    Used as the request's ``trace`` extension: httpcore reports each new TCP
    connection (one per attempt: there is no keep-alive), whose socket is shut
    down ``seconds`` after it began opening. ``attempts`` counts them, and
    ``fired`` says whether the *latest* attempt was cut by its deadline: an
    earlier attempt's timer that fires while a retry runs (its socket long
    closed by a read timeout) says nothing about how the request ended.
    """

    def __init__(self, seconds: float, send_by_ns: int | None = None):
        self.seconds = seconds
        self.send_by_ns = send_by_ns
        # the same time on the boot clock, counted from now (the request's start, just after the ledger recorded its
        # lands_by): a wall clock stepped back meanwhile does not let the request leave late (graphc.api.bootclock)
        self.send_by_boot_ns = None if send_by_ns is None else boot_deadline(send_by_ns)
        self.fired = False
        self.attempts = 0
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []

    def __call__(self, name: str, info: dict) -> None:
        if name == "http11.send_request_headers.started" and self.send_by_ns is not None:
            # the last moment before the request's first byte is written, after name resolution and connecting
            now_ns = time.time_ns()
            if now_ns > self.send_by_ns:
                raise _TooLate(now_ns, self.send_by_ns)
            on_boot = None if self.send_by_boot_ns is None else boot_ns()
            if on_boot is not None and self.send_by_boot_ns is not None and on_boot > self.send_by_boot_ns:
                raise _TooLate(on_boot, self.send_by_boot_ns)
        if name == "connection.connect_tcp.complete":
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                with self._lock:
                    self.attempts += 1
                    self.fired = False
                    timer = threading.Timer(self.seconds, self._fire, (sock, self.attempts))
                    timer.daemon = True
                    self._timers.append(timer)
                timer.start()

    def _fire(self, sock: socket.socket, attempt: int) -> None:
        with self._lock:
            if attempt == self.attempts:
                self.fired = True
        with contextlib.suppress(OSError):  # already closed: the attempt ended in time after all
            sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()


def _proxy_for(base_url: str) -> str | None:
    """The environment's proxy for this URL (none for loopback), so we can keep
    our own retrying transport instead of httpx's env-proxy mounts."""
    url = httpx.URL(base_url)
    if is_loopback_host(url.host) or urllib.request.proxy_bypass(url.host):
        return None
    return urllib.request.getproxies().get(url.scheme)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _TooLarge(Exception):
    pass


class NoBody(dict):
    """An empty answer standing for a 2xx with no body at all, where that is not an empty object's ``{}`` (a quote:
    ``{}`` is the router's "no quote", no body is no answer)."""


class UnreadableAnswer(dict):
    """An empty answer standing for a 2xx whose body is not a JSON object, from an endpoint whose
    answer body the reference does not document (cancel, kill switch): the request succeeded, and
    the answer says nothing more."""


class DeletedOnRetry(dict):
    """A DELETE that a retry found already done: an earlier attempt deleted it, its answer lost."""


class Client:
    """Synchronous router client.  Use as a context manager or call :meth:`close`.

    ``retries`` bounds retries of idempotent requests; ``connect_retries``
    bounds re-tries of connection set-up (all methods, POST included);
    ``backoff_factor`` seeds the exponential backoff; ``max_retry_wait`` caps
    any single wait (including a server's ``Retry-After``) and
    ``retry_budget`` caps the total time spent waiting for one request;
    ``deadline`` bounds one attempt from connecting to the answer's last byte
    (default 30 s, or twice a given ``timeout``); ``max_answer_bytes`` bounds
    an answer's size.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: ApiKey | str | None = None,
        *,
        timeout: httpx.Timeout | float | None = None,
        retries: int = 4,
        connect_retries: int = 3,
        backoff_factor: float = 0.5,
        max_retry_wait: float = 30.0,
        retry_budget: float = 120.0,
        deadline: float | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        allow_plain_http: bool = False,
    ):
        self.base_url = normalize_base_url(base_url or DEFAULT_BASE_URL, allow_plain_http=allow_plain_http)
        if api_key is None:  # a loopback URL (the local sandbox) needs none, as from_env reads it (audit compat27 7)
            api_key = _sandbox_key(self.base_url)
        if api_key is None:
            raise ConfigError("no API key given")
        self._key = api_key if isinstance(api_key, ApiKey) else ApiKey(api_key)
        self.account = account_of(self._key)
        if isinstance(timeout, httpx.Timeout):
            self.timeout = timeout
        elif timeout:
            self.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        else:
            self.timeout = DEFAULT_TIMEOUT
        self.deadline = deadline or (
            2 * timeout if isinstance(timeout, (int, float)) and timeout else DEFAULT_DEADLINE_S
        )
        self.max_answer_bytes = max_answer_bytes
        self.connect_retries = connect_retries
        self._local = threading.local()
        # the HTTP libraries' records of this client's requests carry the router's text (a raw Retry-After, answer
        # headers): dropped, and only those (secrets.keep_http_records_of_graphc_out; nothing at import, embed29 1)
        keep_http_records_of_graphc_out()
        self._http = self._build_http(retries, connect_retries, backoff_factor, max_retry_wait, retry_budget)

    @classmethod
    def from_env(cls, env=None, *, credentials_path=None, **kwargs) -> Client:
        """Client configured from ``SEQUENCE_API_URL`` / ``SEQUENCE_API_KEY`` or the
        credentials file.  A loopback URL (the local sandbox) needs no key."""
        env = os.environ if env is None else env
        # the key first: read, it is registered, so a message quoting a bad URL masks it (a key pasted into
        # SEQUENCE_API_URL too; audit status28 2)
        key = load_api_key(credentials_path, env)
        base_url = normalize_base_url(
            env.get("SEQUENCE_API_URL") or DEFAULT_BASE_URL, allow_plain_http=kwargs.get("allow_plain_http", False)
        )
        if key is None:
            key = _sandbox_key(base_url)
        if key is None:
            local = (
                ""
                if env.get("SEQUENCE_API_URL")
                else "; or, for a local `graphc sandbox serve` (no key needed), "
                "set SEQUENCE_API_URL=http://127.0.0.1:PORT"
            )
            raise ConfigError(
                'no API key: set SEQUENCE_API_KEY or put `api_key = "..."` in '
                f"{credentials_path or default_credentials_path(env)} (chmod 600){local}"
            )
        return cls(base_url, key, **kwargs)

    def _build_http(self, retries, connect_retries, backoff_factor, max_retry_wait, retry_budget) -> httpx.Client:
        """Inner transport retries connection set-up only; the outer one retries
        whole idempotent requests (status codes, timeouts, drops), and a PATCH or
        PUT after a 429 only (``_change_retry``).  No keep-alive:
        each attempt opens its own connection, which its deadline can close."""
        inner = httpx.HTTPTransport(
            retries=connect_retries,
            trust_env=True,
            proxy=_proxy_for(self.base_url),
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        announced = type(
            "_Retry",
            (_AnnouncedRetry,),
            {
                "current": staticmethod(self._current_request),
                "slept": staticmethod(self._slept),
                "waiting": staticmethod(self._waiting),
            },
        )
        retry = announced(
            total=retries,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            retry_on_exceptions=RETRY_EXCEPTIONS,
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            max_backoff_wait=max_retry_wait,
            total_timeout=retry_budget,
        )
        # a PATCH or PUT carries this one instead (_send's ``retry``): a 429 refused it, nothing else is retried
        self._change_retry = announced(
            total=retries,
            allowed_methods=CHANGE_METHODS,
            status_forcelist=(429,),
            retry_on_exceptions=(),
            backoff_factor=backoff_factor,
            respect_retry_after_header=True,
            max_backoff_wait=max_retry_wait,
            total_timeout=retry_budget,
        )

        return httpx.Client(
            base_url=self.base_url,
            auth=BearerAuth(self._key),
            timeout=self.timeout,
            transport=RetryTransport(transport=inner, retry=retry),
            trust_env=False,  # env proxies are handled by _proxy_for on our own transport
            follow_redirects=False,
            headers={"User-Agent": f"graphc/{__version__}", "Accept": "application/json"},
        )

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, api_key='***')"

    # -- endpoints ---------------------------------------------------------

    def submit_graph(
        self, wire_bytes: bytes, *, idempotency_key: str | None = None, send_by_ns: int | None = None
    ) -> dict:
        """``POST /v1/orders`` with exactly ``wire_bytes`` as the body.

        Returns the router's answer (``graph_id``, ``status``, ``node_count``,
        ``edge_count``).  Raises ``UncertainSubmission`` when the outcome is
        unknown, ``ApiConnectionError`` when nothing was sent, an
        ``ApiHTTPError`` subclass when the router refused it.

        ``send_by_ns`` (epoch ns, wall clock): checked right before the request's
        first byte is written (after connecting); later than that, nothing is
        sent (``NotSentInTime``, an ``ApiConnectionError``). The ledger's
        ``lands_by`` assumes the request leaves by then.
        """
        if not isinstance(wire_bytes, (bytes, bytearray)):
            raise TypeError("submit_graph takes the exact wire bytes")
        if idempotency_key is not None and not idempotency_key.isascii():
            raise ValueError("an Idempotency-Key header must be ASCII")
        body = self._post(  # its numbers as Decimal, as every answer graphc hands on (audit compat27 7)
            "/v1/orders", bytes(wire_bytes), idempotency_key, UncertainSubmission, send_by_ns=send_by_ns, exact=True
        )
        if not is_graph_id(body.get("graph_id")):
            raise UncertainSubmission(
                "POST /v1/orders: the router answered success but without a readable graph_id; "
                "it may have created the graph"
            )
        return body

    def get_quote(self, symbol: str, *, prediction: bool = False):
        """The router's quote for ``symbol``, a :class:`graphc.quotes.Quote`, or None when it has none.

        The one place graphc assumes the router's quote endpoint: ``GET
        /v1/quotes?symbol=SYMBOL`` answering ``{"nbbo": {"bid", "ask", "mid"},
        ...}`` (the hosted-strategies reference shows that shape from
        ``seq.quote``). A 404, or an answer without a bid or an ask, is "no
        quote"; prices are read as exact decimals, JSON numbers or the text of plain
        decimal numbers. An answer with a value graphc refuses (NaN, negative, not a
        plain number, a crossed book), in another shape (no body at all, the sides
        outside ``nbbo``) or about another symbol than ``symbol`` is
        :class:`ApiProtocolError`, naming the symbol and the field: the router
        failed, the market is not unquoted. With ``prediction`` (a leg trades
        ``symbol`` as a prediction market) so is a price outside 0 < p < 1.
        """
        if not isinstance(symbol, str) or not symbol or len(symbol) > 512:
            return None
        try:
            body = self._call("GET", "/v1/quotes", params={"symbol": symbol}, exact=True, no_body=True)
        except NotFound:
            return None
        try:
            if isinstance(body, NoBody):  # a 200 with no body at all is no answer, not "no quote" (that is `{}`)
                raise MalformedQuote("answer", "empty", "a 2xx without a body")
            return quote_from_router(body, symbol, prediction=prediction)
        except MalformedQuote as exc:
            raise ApiProtocolError(
                f"GET /v1/quotes?symbol={clean(symbol, 80)}: the router's quote for {clean(symbol, 80)} is malformed: "
                f"{clean(str(exc), 200)}"
            ) from None

    def get_graph(self, graph_id: str, *, exact: bool = False) -> dict:
        """``GET /v1/execution_graphs/{id}``; ``exact`` reads a number with a fraction as a Decimal, not a float, and
        an answer holding ``NaN`` or an infinity as one that is not JSON (``--json`` prints the answer's numbers as
        they came, and only JSON)."""
        return self._call("GET", f"/v1/execution_graphs/{_graph_path(graph_id)}", exact=exact, strict=exact)

    def cancel_graph(self, graph_id: str) -> dict:
        """DELETE the graph. The reference: "Returns 200 on success", and no answer body is documented,
        so a 2xx is success whatever its body (an unreadable one is an :class:`UnreadableAnswer`)."""
        return self._call("DELETE", f"/v1/execution_graphs/{_graph_path(graph_id)}", any_body=True)

    def resume_graph(self, graph_id: str) -> dict:
        """POST …/resume; not retried after sending (it is a POST), but harmless to
        repeat by hand, so an unknown outcome is a plain ``UncertainOutcome``."""
        path = f"/v1/execution_graphs/{_graph_path(graph_id)}/resume"
        return self._post(path, b"{}", None, UncertainOutcome, refusals=range(400, 500))

    def amend_node(self, graph_id: str, node_id: str, changes: dict, *, send_by_ns: int | None = None) -> dict:
        """PATCH …/nodes/{node_id} with absolute values (qty_1e8, urgency, max_slippage_bps, horizon_ms).

        Sent once (:meth:`_change`): an attempt whose answer was lost may still be applied after a later amend of
        the node and undo it, so it is :class:`UncertainOutcome`, never retried. No source documents the
        answer's body, so a 2xx is success whatever its body (an unreadable one is an :class:`UnreadableAnswer`),
        as for a cancel; whether a readable one says no is the caller's question. ``send_by_ns``: as for
        :meth:`submit_graph` (the ledger's landing time of the change)."""
        if not isinstance(node_id, str) or not NODE_ID_RE.match(node_id):
            raise ConfigError(f"invalid node id {clean(str(node_id), 80)!r}")
        graph = f"/v1/execution_graphs/{_graph_path(graph_id)}"
        if node_id in DOT_SEGMENTS:  # quoting keeps dots, and the request would reach another resource (follow17 5)
            instead = graph if node_id == ".." else f"{graph}/nodes"
            raise ConfigError(
                f"node id {node_id!r} cannot be sent: URL normalisation removes a path segment of dots, so the PATCH "
                f"would reach {instead} instead of the node; nothing sent"
            )
        path = f"{graph}/nodes/{quote(node_id, safe='')}"
        return self._change("PATCH", path, changes, send_by_ns)

    def list_orders(
        self, limit: int = 50, offset: int = 0, symbol: str | None = None, node_order_id: str | None = None
    ) -> dict:
        return self._call("GET", "/v1/orders", params=_page_params(limit, offset, symbol, node_order_id))

    def iter_orders(self, *, symbol: str | None = None, page_size: int = 100, max_pages: int = 50) -> Iterator[dict]:
        """Every order entry, page by page, up to ``max_pages`` pages."""
        yield from self._iter_pages(self.list_orders, "orders", symbol, page_size, max_pages)

    def list_fills(
        self, limit: int = 50, offset: int = 0, symbol: str | None = None, node_order_id: str | None = None
    ) -> dict:
        return self._call("GET", "/v1/fills", params=_page_params(limit, offset, symbol, node_order_id))

    def kill_switch(self, active: bool, reason: str | None = None, *, send_by_ns: int | None = None) -> dict:
        """PUT /v1/kill_switch, sent once (:meth:`_change`): an ``off`` whose answer was lost may still land
        after a later ``on`` and clear it, so an unknown outcome is :class:`UncertainOutcome`, never retried.

        Sends what the reference documents: ``{"active": true, "reason": ...}`` to engage, and to clear
        ``{"active": false}`` (a ``reason`` given with ``False`` is not sent).  The reference documents
        no answer body, so a 2xx is success whatever its body (an unreadable one is an
        :class:`UnreadableAnswer`); whether the answer confirms the state is the caller's question."""
        payload: dict[str, Any] = {"active": bool(active)}
        if reason and active:
            payload["reason"] = reason
        return self._change("PUT", "/v1/kill_switch", payload, send_by_ns)

    @property
    def key_configured(self) -> bool:
        """Whether a key was configured (not the stand-in of a loopback URL given none)."""
        return self._key.source != "local sandbox"

    @property
    def gives_strategies_the_key(self) -> bool:
        """Whether :meth:`create_strategy` sends the configured key as ``sequence_api_key``: never to a loopback
        router. A loopback URL is the local sandbox, which needs no key and runs the upload uncontained (audit
        live23 F6), or a tunnel to the router, whose strategy then runs without ``SEQUENCE_API_KEY``."""
        return self.key_configured and not is_loopback_url(self.base_url)

    def holds_key(self, data: bytes) -> bool:
        """Whether ``data`` contains this client's API key (to refuse uploading a file that has it)."""
        if not self.key_configured:
            return False
        return self._key.reveal().encode("utf-8") in data

    # -- hosted strategies (/v1/strategies) ---------------------------------

    def list_strategies(self, *, exact: bool = False) -> list[dict]:
        """``GET /v1/strategies``: every strategy of the account (``exact``: as for :meth:`get_graph`)."""
        body = self._call("GET", "/v1/strategies", exact=exact, strict=exact)
        entries = body.get("strategies")
        if not isinstance(entries, list):
            raise ApiProtocolError("GET /v1/strategies: the answer has no `strategies` list")
        return [e for e in entries if isinstance(e, dict)]

    def get_strategy(self, strategy_id: str) -> dict:
        return _strategy(self._call("GET", f"/v1/strategies/{_id_path(strategy_id)}"), "GET /v1/strategies/ID")

    def create_strategy(self, request: dict, *, with_api_key: bool = True) -> dict:
        """``POST /v1/strategies`` (create + upload). ``with_api_key`` adds this client's key as
        ``sequence_api_key``, the key the runner injects as ``SEQUENCE_API_KEY``, unless the router is
        loopback (:attr:`gives_strategies_the_key`); it is only ever written into the request body here,
        never returned, logged or printed. Not retried after sending: an unknown outcome raises
        ``UncertainOutcome`` (look the strategy up by name)."""
        body = dict(request)
        if with_api_key and self.gives_strategies_the_key:
            body["sequence_api_key"] = self._key.reveal()
        answer = self._post("/v1/strategies", json.dumps(body).encode("utf-8"), None, UncertainOutcome)
        try:
            return _strategy(answer, "POST /v1/strategies")
        except ApiProtocolError:  # a success that does not say what it made: the create may have landed
            raise UncertainOutcome(
                "POST /v1/strategies: the router answered success but with no strategy_id; it may have created it"
            ) from None

    def start_strategy(self, strategy_id: str) -> dict:
        """Re-queue a stopped strategy. Starting twice is harmless, so an unknown outcome is plain uncertain."""
        path = f"/v1/strategies/{_id_path(strategy_id)}/start"
        return self._post(path, b"{}", None, UncertainOutcome, refusals=range(400, 500))

    def stop_strategy(self, strategy_id: str) -> dict:
        path = f"/v1/strategies/{_id_path(strategy_id)}/stop"
        return self._post(path, b"{}", None, UncertainOutcome, refusals=range(400, 500))

    def delete_strategy(self, strategy_id: str) -> dict:
        """``DELETE /v1/strategies/ID`` ("Purge artifact + row + logs", hosted-strategies.md).

        The transport retries it on a 5xx or a lost answer. A 404 to such a *retry* means that an
        earlier attempt deleted it and its answer was lost: that is success, returned as
        :class:`DeletedOnRetry` (and said on stderr). A 404 to the first attempt is ``NotFound``.
        """
        path = f"/v1/strategies/{_id_path(strategy_id)}"
        try:
            return self._call("DELETE", path)
        except NotFound:
            attempts = getattr(getattr(self._local, "deadline", None), "attempts", 1)
            if attempts <= 1:
                raise
            log.warning(
                "DELETE %s: HTTP 404 to retry %d: an earlier attempt deleted it (its answer was lost); it is deleted",
                path,
                attempts - 1,
            )
            return DeletedOnRetry()

    def strategy_logs(self, strategy_id: str, run_id: str | None = None) -> dict:
        """``GET /v1/strategies/ID/logs`` (the latest run unless ``run_id``)."""
        params = {"run_id": run_id} if run_id else None
        return self._call("GET", f"/v1/strategies/{_id_path(strategy_id)}/logs", params=params)

    # -- plumbing ----------------------------------------------------------

    def _iter_pages(self, fetch, key, symbol, page_size, max_pages):
        offset = 0
        for _ in range(max_pages):
            page = fetch(limit=page_size, offset=offset, symbol=symbol)
            entries = page.get(key)
            if not isinstance(entries, list):
                raise ApiProtocolError(f"GET /v1/{key}: the router's answer has no list of {key}")
            yield from (e for e in entries if isinstance(e, dict))
            if not entries or page.get("has_more") is not True:
                return
            offset += len(entries)

    def _current_request(self) -> str:
        return getattr(self._local, "request", "request")

    def _slept(self, seconds: float) -> None:
        getattr(self._local, "waits", []).append(seconds)

    @contextlib.contextmanager
    def moving_on(self, move: Callable[[float], int]) -> Iterator[None]:
        """While in it, a PATCH or PUT of this thread that a 429 refused calls ``move(wait_s)`` before it waits
        ``wait_s`` to be sent again, and its next attempt must leave by the time ``move`` returns (epoch ns)
        instead of its ``send_by_ns``: the 429 proves the attempt did not land, so the change's landing time
        (the ledger's ``lands_by``, which ``move`` records before anything is sent again) moves on by the wait.
        A :class:`~graphc.api.errors.LedgerError` from ``move`` stops the retries: nothing is sent again
        (:class:`~graphc.api.errors.NotSentInTime`)."""
        self._local.move = move
        try:
            yield
        finally:
            self._local.move = None

    def _waiting(self, seconds: float) -> None:
        """A retry is about to wait ``seconds``: a change's send-by time moves on (:meth:`moving_on`)."""
        move = getattr(self._local, "move", None)
        what = self._current_request()
        deadline = getattr(self._local, "deadline", None)
        if move is None or what.split(" ", 1)[0] not in CHANGE_METHODS or deadline is None:
            return
        try:
            with http_records_of_graphc_dropped(False):  # the caller's code: its own HTTP requests log as it has them
                send_by_ns = move(seconds)
        except LedgerError as exc:
            refused = len(getattr(self._local, "waits", ())) + 1
            raise NotSentInTime(
                f"{what} was not sent again after {_answers_429(refused)}: the ledger could not record the later "
                f"time the next attempt may land by ({exc}); the router refused every attempt, so nothing landed "
                "and sending it again is safe"
            ) from None
        if deadline.send_by_ns is not None:
            moved = max(deadline.send_by_ns, send_by_ns)
            if deadline.send_by_boot_ns is not None:  # moved on by as much on the boot clock
                deadline.send_by_boot_ns += moved - deadline.send_by_ns
            deadline.send_by_ns = moved

    @property
    def retry_waits(self) -> tuple[float, ...]:
        """The waits slept between the retries of this thread's latest request, in seconds, in order: the numbers
        its retry warnings announced (``retry 2 of 4 in 0.3 s``)."""
        return tuple(getattr(self._local, "waits", ()))

    def _send(self, method: str, path: str, send_by_ns: int | None = None, **kwargs) -> tuple[httpx.Response, bytes]:
        """One request (with the transport's retries: a PATCH or PUT only after a 429), its answer read whole within
        the deadline and size cap; ``send_by_ns``: not sent at all (``_TooLate``) if its first byte would leave after
        that wall-clock time."""
        started = time.monotonic()
        self._local.request = f"{method} {path}"
        self._local.tried = ""
        self._local.waits = []
        deadline = _Deadline(self.deadline, send_by_ns)
        self._local.deadline = deadline  # its ``attempts``: whether an answer came to a retry
        extensions: dict[str, Any] = {"trace": deadline}
        if method in CHANGE_METHODS:
            extensions["retry"] = self._change_retry  # httpx_retries takes a request's own retry from its extensions
        request = self._http.build_request(method, path, extensions=extensions, **kwargs)
        try:
            with http_records_of_graphc_dropped():  # the HTTP libraries' records of it carry router text
                response = self._http.send(request, stream=True)
                try:
                    body = self._read(response)
                finally:
                    response.close()
        except httpx.HTTPError as exc:
            log.info("%s %s failed after %.0f ms: %s", method, path, _ms(started), clean(_describe(exc), 200))
            self._local.tried = _tried(deadline.attempts, started)
            if deadline.fired:
                raise _DeadlinePassed(f"no complete answer within {self.deadline:g} s ({self._local.tried})") from exc
            raise
        except _TooLarge:
            log.info("%s %s -> %s (answer over %d bytes)", method, path, response.status_code, self.max_answer_bytes)
            raise
        finally:
            deadline.cancel()
        log.info("%s %s -> %s (%.0f ms)", method, path, response.status_code, _ms(started))
        return response, body

    def _read(self, response: httpx.Response) -> bytes:
        length = response.headers.get("Content-Length", "")
        if length.isascii() and length.isdigit() and int(length) > self.max_answer_bytes:
            raise _TooLarge
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_answer_bytes:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    def _call(
        self,
        method: str,
        path: str,
        *,
        exact: bool = False,
        strict: bool = False,
        any_body: bool = False,
        no_body: bool = False,
        **kwargs,
    ) -> dict:
        """An idempotent request: transport failures map to connection/timeout errors.

        ``exact`` reads JSON numbers with a fraction as ``Decimal`` (prices), not float; ``strict`` takes an answer
        holding ``NaN`` or an infinity for one that is not JSON (:func:`_parse`).
        ``any_body``: for an endpoint whose answer body the reference does not document, a 2xx whose
        body is not a JSON object is still success, returned as an empty :class:`UnreadableAnswer`.
        ``no_body``: a 2xx with no body at all is a :class:`NoBody` (else ``{}``; the quote endpoint tells them apart).
        """
        try:
            response, body = self._send(method, path, **kwargs)
        except NOT_SENT as exc:
            raise ApiConnectionError(f"cannot reach the router at {self.base_url}: {_describe(exc)}") from exc
        except _DeadlinePassed as exc:
            raise ApiTimeout(f"{method} {path}: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise ApiTimeout(f"{method} {path} timed out ({self._local.tried}): {_describe(exc)}") from exc
        except httpx.HTTPError as exc:
            raise ApiError(f"{method} {path} failed ({self._local.tried}): {_describe(exc)}") from exc
        except _TooLarge:
            raise ApiProtocolError(
                f"{method} {path}: the answer is larger than {self.max_answer_bytes} bytes"
            ) from None
        if response.is_success:
            if no_body and not body.strip():
                return NoBody()
            try:
                return _json_body(body, method, path, exact=exact, strict=strict)
            except ApiProtocolError:
                if not any_body:
                    raise
                log.info(
                    "%s %s: the answer is not a JSON object; HTTP %s is success", method, path, response.status_code
                )
                return UnreadableAnswer()
        raise _http_error(response, body, method, path)

    def _post(
        self,
        path: str,
        body: bytes,
        idempotency_key: str | None,
        uncertain,
        refusals=DEFINITE_REFUSALS,
        send_by_ns: int | None = None,
        exact: bool = False,
    ) -> dict:
        """A non-idempotent request: anything after sending but a definite refusal is an unknown outcome.
        ``exact``: the answer's numbers with a fraction are read as ``Decimal`` (:func:`_parse`)."""
        headers = {"Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self._once("POST", path, body, headers, uncertain, refusals, send_by_ns, exact=exact)

    def _change(self, method: str, path: str, payload: dict, send_by_ns: int | None) -> dict:
        """A PATCH or PUT that sets values: sent once (retried after a 429 only), so anything after sending but a
        definite refusal (:data:`CHANGE_REFUSALS`) is :class:`UncertainOutcome`. No source documents these answers'
        bodies, so a 2xx is success whatever its body (an unreadable one is an :class:`UnreadableAnswer`)."""
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        return self._once(method, path, body, headers, UncertainOutcome, CHANGE_REFUSALS, send_by_ns, any_body=True)

    def _once(
        self,
        method: str,
        path: str,
        body: bytes,
        headers: dict,
        uncertain,
        refusals,
        send_by_ns: int | None,
        *,
        any_body: bool = False,
        exact: bool = False,
    ) -> dict:
        """A request not retried once it may have reached the router: ``uncertain`` (an :class:`UncertainOutcome`
        class) for every end but a 2xx or an answer in ``refusals``."""
        try:
            response, answer = self._send(method, path, send_by_ns, content=body, headers=headers)
        except NOT_SENT as exc:
            raise ApiConnectionError(
                f"cannot reach the router at {self.base_url}: {_describe(exc)} (nothing was sent)"
            ) from exc
        except _TooLate as exc:
            waits = getattr(self._local, "waits", ())
            if waits:  # a retry after 429s: the earlier attempts were refused, this one was not sent
                error = NotSentInTime(
                    f"{method} {path} was not sent again after {_answers_429(len(waits))} (graphc waited "
                    f"{sum(waits):.1f} s as the router asked): the next attempt's first byte would have left "
                    f"{exc.late_s:.1f} s after the time it had to leave by for the ledger's landing time (lands_by) "
                    "to hold; the router refused every attempt, so nothing landed and sending it again is safe"
                )
            else:
                error = NotSentInTime(
                    f"{method} {path} was not sent: its first byte would have left {exc.late_s:.1f} s after the time "
                    "it had to leave by for the ledger's landing time (lands_by) to hold (this process was held up: "
                    "suspended, or waiting for the ledger or the network); nothing was sent, so sending it again is "
                    "safe"
                )
            error.late_s = exc.late_s
            raise error from None
        except (httpx.HTTPError, _DeadlinePassed) as exc:
            raise uncertain(
                f"{method} {path}: {_describe(exc)} after the request was sent; the router may have applied it"
            ) from exc
        except _TooLarge:
            raise uncertain(
                f"{method} {path}: the answer is larger than {self.max_answer_bytes} bytes; the router may have "
                "applied it"
            ) from None
        status = response.status_code
        if response.is_success:
            try:
                return _json_body(answer, method, path, exact=exact)
            except ApiProtocolError:
                if any_body:
                    log.info("%s %s: the answer is not a JSON object; HTTP %s is success", method, path, status)
                    return UnreadableAnswer()
                raise uncertain(
                    f"{method} {path}: HTTP {status} but the answer could not be read", status=status
                ) from None
        if status in refusals:
            raise _http_error(response, answer, method, path)
        _, detail = _error_detail(answer)
        raise uncertain(
            f"{method} {path}: router answered HTTP {status} {clean(response.reason_phrase, 60)}"
            + (f" ({detail})" if detail else "")
            + "; that is not a refusal, so it may have applied the request",
            status=status,
        )


class _DeadlinePassed(Exception):
    pass


class _TooLate(Exception):
    """Raised before the request's first byte is written: it is past the time it had to leave by."""

    def __init__(self, now_ns: int, send_by_ns: int):
        super().__init__(now_ns, send_by_ns)
        self.late_s = (now_ns - send_by_ns) / 1e9


def _answers_429(count: int) -> str:
    """``2 answers HTTP 429 (rate limited)``: the refusals a change was retried after."""
    return f"{count} answer{'' if count == 1 else 's'} HTTP 429 (rate limited)"


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000


def _tried(attempts: int, started: float) -> str:
    """What a failed request took, for its message: ``1 attempt in 15.2 s``, ``5 attempts in 80.4 s``."""
    return f"{attempts} attempt{'' if attempts == 1 else 's'} in {time.monotonic() - started:.1f} s"


def _graph_path(graph_id: str) -> str:
    """A graph id as a single safe path segment (no traversal into other endpoints)."""
    if not is_graph_id(graph_id):
        raise ConfigError(f"invalid graph id {clean(str(graph_id), 80)!r}")
    return quote(graph_id, safe="")


def _id_path(value: str) -> str:
    """A strategy id (or any router id) as a single safe path segment."""
    if not is_graph_id(value):
        raise ConfigError(f"invalid id {clean(str(value), 80)!r}")
    return quote(value, safe="")


def _strategy(body: dict, what: str) -> dict:
    """The ``strategy`` object of an answer (the reference wraps it: ``{"strategy": {...}}``)."""
    entry = body.get("strategy", body)
    if not isinstance(entry, dict) or not isinstance(entry.get("strategy_id"), str):
        raise ApiProtocolError(f"{what}: the answer has no strategy_id")
    return entry


def _page_params(limit, offset, symbol, node_order_id) -> dict:
    params: dict[str, Any] = {"limit": int(limit), "offset": int(offset)}
    if symbol:
        params["symbol"] = symbol
    if node_order_id:
        params["node_order_id"] = node_order_id
    return params


def _parse(body: bytes, *, exact: bool = False, strict: bool = False):
    """JSON, or _NOT_JSON (also for an object with a key given twice); ``exact`` reads numbers with a fraction as ``Decimal`` (prices), not float. ``strict``:
    ``NaN`` and the infinities, which no JSON has (Python's json alone reads them), make the body _NOT_JSON (an
    answer ``--json`` prints); without it they are read as floats, for the reader to name (a quote's field)."""
    try:
        return json.loads(
            body,
            parse_float=Decimal if exact else float,
            parse_constant=_not_a_number if strict else float,
            object_pairs_hook=_unique_keys,
        )
    except (ValueError, RecursionError):
        return _NOT_JSON


def _unique_keys(pairs: list) -> dict:
    """An object of an answer; one that gives a key twice is no answer graphc reads (its own inputs refuse the same,
    GC101): which value a reader takes is up to the reader, so a POST's answer naming two graphs is uncertain and
    any other is not JSON, never the last value silently."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise ValueError("a key is repeated in an object")
    return mapping


def _not_a_number(name: str):
    raise ValueError(f"{name} is not a JSON number")


_NOT_JSON = object()


def _json_body(body: bytes, method: str, path: str, *, exact: bool = False, strict: bool = False) -> dict:
    if not body.strip():
        return {}
    data = _parse(body, exact=exact, strict=strict)
    if data is _NOT_JSON:
        raise ApiProtocolError(f"{method} {path}: the router's answer is not JSON")
    if not isinstance(data, dict):
        raise ApiProtocolError(f"{method} {path}: expected a JSON object from the router")
    return data


def _error_detail(body: bytes) -> tuple[str | None, str | None]:
    """(code, message) from an error body in any of the usual shapes; redacted before truncated."""
    data = _parse(body)
    if data is _NOT_JSON:
        text = body.decode("utf-8", "replace").strip()
        return None, clean(text, 200) or None
    if not isinstance(data, dict):
        return None, None
    return error_fields(data)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isascii() and value.isdigit() else None  # not '²': isdigit() takes it, float() not


def _http_error(response: httpx.Response, body: bytes, method: str, path: str) -> ApiHTTPError:
    """The graphc exception for a refused request (a definite refusal, or a 4xx/5xx on a retried call)."""
    status = response.status_code
    code, detail = _error_detail(body)
    message = f"{method} {path}: HTTP {status} {clean(response.reason_phrase, 60)}".rstrip()
    if detail:
        message += f": {detail}"
    if status == 423 or code == "kill_switch_active":
        return KillSwitchActive(message, status=status, code=code, detail=detail)
    if status == 429:
        return RateLimited(message, retry_after=_retry_after(response), status=status, code=code, detail=detail)
    cls = {400: Rejected, 401: AuthError, 403: AuthError, 404: NotFound, 409: Conflict, 422: Rejected}.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ApiHTTPError
    return cls(message, status=status, code=code, detail=detail)
