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

import logging
import os
import stat
import sys
import tomllib
from pathlib import Path

__all__ = [
    "ApiKey",
    "RedactingFilter",
    "configure_cli_logging",
    "default_credentials_path",
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


# The libraries that see the router's bytes. Their records never reach a handler: httpx_retries warns with the
# raw `Retry-After` value (audit hrouter.md 2), httpx and httpcore log URLs and headers at debug level. graphc
# announces each retry itself (graphc.api.client._AnnouncedRetry) and logs each request with -v.
HTTP_LIBRARY_LOGGERS = ("httpx", "httpcore", "httpx_retries", "h11", "h2", "hpack")


def quiet_http_libraries() -> None:
    """Keep the HTTP libraries' log records from ever being printed, whatever the logging set-up.

    Each logger gets a :class:`logging.NullHandler` and stops propagating. A filter or a level would not do:
    a filter on ``httpcore`` does not see records of ``httpcore.http11``, a level is undone by anyone who sets
    one, and a record that finds no handler at all is printed raw by Python's last-resort handler (which is
    how the ``Retry-After`` warning reached stderr). A record that meets the NullHandler and stops is shown by
    nobody, so router text cannot leak through these loggers, with or without -v, CLI or library use.
    """
    for name in HTTP_LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        logger.propagate = False


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
