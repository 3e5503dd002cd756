"""Loading the router API key, and keeping it out of every output.

Two defences, because one is never enough for a trading credential:

1. The key lives in an :class:`ApiKey` whose ``str``/``repr`` are masked, so it
   cannot leak through an f-string, a traceback's locals or a debugger print.
   Only :meth:`ApiKey.reveal` returns it, and only the client's auth hook
   calls that.
2. Every key that was loaded is registered here, and :func:`redact` scrubs
   registered keys (and anything shaped like a bearer token) from text.  Error
   messages, ledger rows and log lines pass through it; :class:`RedactingFilter`
   applies it to log records.

Credentials files are refused when group or world can read or write them
(``mode & 0o077``), the rule ssh applies to private keys.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

__all__ = [
    "ApiKey",
    "RedactingFilter",
    "configure_cli_logging",
    "default_credentials_path",
    "http_records_of_graphc_dropped",
    "keep_http_records_of_graphc_out",
    "load_api_key",
    "quiet_http_libraries",
    "read_credentials_file",
    "redact",
    "register_secret",
]

from graphc.api.errors import ConfigError, InsecureCredentials
from graphc.api.redact import clean, redact, register_secret
from graphc.files import read_source


class ApiKey:
    """An API key that prints as ``***``; :meth:`reveal` is the only way to the value."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str = "argument"):
        value = (value or "").strip()
        if not value:
            raise ValueError("empty API key")
        self._value = value
        self.source = source  # where it came from, for messages ("SEQUENCE_API_KEY", a path)
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"ApiKey('***', source={self.source!r})"

    def __str__(self) -> str:
        return "***"

    def __reduce__(self):
        raise TypeError("ApiKey cannot be pickled")


class RedactingFilter(logging.Filter):
    """Rewrites a log record so its message (through :func:`clean`: secrets masked, control characters escaped, so
    one record is one line) and traceback text (secrets masked) carry no secret.

    Attach it to *handlers*: a filter on a logger does not see records that
    propagate up from child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        shown = clean(message, None)
        if shown != message:
            record.msg, record.args = shown, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# The libraries that see the router's bytes. Under the CLI their records never reach a handler
# (:func:`quiet_http_libraries`): httpx_retries warns with the raw `Retry-After` value (audit hrouter.md 2), httpx
# and httpcore log URLs, reason phrases and answer headers. graphc announces each retry itself
# (graphc.api.client._AnnouncedRetry) and logs each request with -v.
HTTP_LIBRARY_LOGGERS = ("httpx", "httpcore", "httpx_retries", "h11", "h2", "hpack")


def quiet_http_libraries() -> None:
    """Keep the HTTP libraries' log records from ever being printed, whatever the logging set-up: for the CLI,
    which owns its process (:func:`configure_cli_logging`). A library never calls it: a host's own HTTP logging is
    the host's (audit embed29 1); graphc's requests keep their records out by
    :func:`keep_http_records_of_graphc_out` instead.

    Each logger gets a :class:`logging.NullHandler` and stops propagating. A filter or a level would not do:
    a filter on ``httpcore`` does not see records of ``httpcore.http11``, a level is undone by anyone who sets
    one, and a record that finds no handler at all is printed raw by Python's last-resort handler (which is
    how the ``Retry-After`` warning reached stderr). A record that meets the NullHandler and stops is shown by
    nobody, so router text cannot leak through these loggers, with or without -v.
    """
    for name in HTTP_LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        logger.propagate = False


# The loggers that emit records while graphc's client sends a request (httpx, httpcore 1.x, httpx_retries;
# tests/test_http_logs_in_a_host.py holds that no other library logger does, with the versions installed). Their
# records carry the router's text: httpcore's DEBUG trace every answer header (a `Retry-After` or any header echoing
# the key), httpx's INFO line and httpx_retries' DEBUG lines the reason phrase, httpx_retries' WARNING the raw
# `Retry-After`. A logger's filter sees only the records made on that very logger, so each emitting logger is named,
# not its parent. graphc's transport speaks HTTP/1.1 only (httpx.HTTPTransport without http2=True), so
# httpcore.http2, h2 and hpack never log for it; httpcore.proxy and httpcore.socks do when the environment names a
# proxy.
GRAPHC_REQUEST_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.proxy",
    "httpcore.socks",
    "httpx_retries.retry",
    "httpx_retries.transport",
)
_IN_GRAPHC_REQUEST: ContextVar[bool] = ContextVar("graphc_request_in_flight", default=False)
_INSTALL_LOCK = threading.Lock()


class _DropGraphcRequestRecords(logging.Filter):
    """Drops a record made while graphc's own request is in flight in this thread (or task); passes every other,
    so a host's own httpx traffic logs as it would without graphc."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _IN_GRAPHC_REQUEST.get()


_DROP = _DropGraphcRequestRecords()


def keep_http_records_of_graphc_out() -> None:
    """Put the filter that drops the records of graphc's own requests on each of :data:`GRAPHC_REQUEST_LOGGERS`,
    once per process (a :class:`~graphc.api.client.Client` does it when made). Nothing else about those loggers
    changes: level, handlers and propagation stay the host's, and a record made outside graphc's requests passes."""
    with _INSTALL_LOCK:
        for name in GRAPHC_REQUEST_LOGGERS:
            logger = logging.getLogger(name)
            if _DROP not in logger.filters:
                logger.addFilter(_DROP)


@contextlib.contextmanager
def http_records_of_graphc_dropped(dropped: bool = True) -> Iterator[None]:
    """While in it, this thread's (or task's) records on :data:`GRAPHC_REQUEST_LOGGERS` are graphc's request's,
    and dropped; ``dropped=False`` inside it: code of the caller's that runs in the middle of graphc's request
    (a callback) logs as it would."""
    token = _IN_GRAPHC_REQUEST.set(dropped)
    try:
        yield
    finally:
        _IN_GRAPHC_REQUEST.reset(token)


class _CliHandler(logging.StreamHandler):
    """The handler :func:`configure_cli_logging` installs (found again by its type, to be replaced).

    Without a stream of its own it writes to ``sys.stderr`` as it is at each record (as Python's last-resort
    handler does), so a handler left on the root logger never writes to a stream that was swapped and closed.
    """

    def __init__(self, stream=None):
        self._fixed = stream
        super().__init__(stream)

    @property
    def stream(self):
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        self._fixed = value


def configure_cli_logging(verbose: bool, stream=None) -> logging.Handler:
    """Log lines on stderr, through a redacting handler on the root logger.

    graphc's own lines: without ``verbose``, warnings (a retry and why,
    before its wait); with it, one line per HTTP request too (method, path,
    status, milliseconds). The HTTP libraries' output is never shown
    (:func:`quiet_http_libraries`). The handler sits on the root logger, so a
    warning of any other library also passes :class:`RedactingFilter` instead
    of reaching Python's unfiltered last-resort handler. Calling it again
    replaces the handler (one command after another in one process).
    """
    quiet_http_libraries()
    root, logger = logging.getLogger(), logging.getLogger("graphc")
    for owner in (root, logger):
        for old in [h for h in owner.handlers if isinstance(h, _CliHandler)]:
            owner.removeHandler(old)
    handler = _CliHandler(stream)
    handler.setFormatter(logging.Formatter("graphc: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    return handler


def default_credentials_path(env=None) -> Path:
    """``$GRAPHC_CREDENTIALS``, else ``$XDG_CONFIG_HOME/graphc/credentials``
    (``~/.config/graphc/credentials``)."""
    env = os.environ if env is None else env
    if env.get("GRAPHC_CREDENTIALS"):
        return Path(env["GRAPHC_CREDENTIALS"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "graphc" / "credentials"


def _check_private(path: Path) -> None:
    """Refuse a credentials file that anyone but its owner can read or write."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise InsecureCredentials(
            f"refusing to read credentials file {path}: its mode is {mode:04o}, which lets "
            f"other users read it; run `chmod 600 {path}`"
        )


def read_credentials_file(path) -> ApiKey:
    """Read a credentials file: TOML (``api_key = "..."``) or a file holding
    only the key.  Returns the key as an :class:`ApiKey`."""
    path = Path(path)
    _check_private(path)
    try:
        text = read_source(path)  # a regular file only: a FIFO no one writes to is refused, not waited on
    except OSError as exc:
        raise ConfigError(f"cannot read credentials file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:  # never its message: the byte it names is part of the key, perhaps (review15 1)
        raise ConfigError(f"cannot read credentials file {path}: not UTF-8") from None
    data = _parse_credentials(text, path)
    key = data.get("api_key")
    if not isinstance(key, str) or not key.strip():
        raise ConfigError(f"credentials file {path} has no api_key")
    return ApiKey(key, source=str(path))


def _parse_credentials(text: str, path: Path) -> dict:
    """TOML when it looks like TOML, else a bare key on one line.

    A TOML error message could quote the file's text, so it is never shown.
    """
    stripped = text.strip()
    if "=" not in stripped and len(stripped.splitlines()) == 1:
        return {"api_key": stripped}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"credentials file {path} is not valid TOML") from None


def load_api_key(path=None, env=None) -> ApiKey | None:
    """The key from ``SEQUENCE_API_KEY``, else from the credentials file.

    An explicit ``path`` that does not exist is an error; the default path may
    be absent (then ``None``: the caller decides whether a key is required).
    """
    env = os.environ if env is None else env
    if env.get("SEQUENCE_API_KEY", "").strip():
        return ApiKey(env["SEQUENCE_API_KEY"], source="SEQUENCE_API_KEY")
    explicit = path is not None
    path = Path(path).expanduser() if explicit else default_credentials_path(env)
    if not path.exists():
        if explicit:
            raise ConfigError(f"credentials file {path} does not exist")
        return None
    return read_credentials_file(path)
