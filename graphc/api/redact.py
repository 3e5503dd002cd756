"""Scrubbing text before it is shown: secrets, terminal control sequences, length.

The lowest piece of the API layer: errors, the ledger, the client, the log
filter and every command that prints what a router said pass text through
:func:`redact` (secrets only) or :func:`clean` (secrets, then control
characters, then the length limit). The order matters: truncating first could
cut a key in half and leave a prefix that no longer matches the key it hides.
"""

from __future__ import annotations

import re
import threading

MASK = "[REDACTED]"
_MIN_SECRET_LEN = 4  # shorter strings would scrub ordinary words
_secrets: set[str] = set()
_lock = threading.Lock()
# A bearer token (RFC 6750 §2.1: letters, digits and -._~+/ then `=` padding) never holds quotes, separators or
# brackets, so the mask stops before them: `(oops Bearer KEY)` keeps its `)`, and `[REDACTED]` is not masked again.
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[^\s'\",;()<>\[\]{}]+")
# ANSI escape sequences (CSI, OSC, and the two-character ones), then any other control character,
# and the Unicode bidi controls that can reorder what a terminal shows.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def register_secret(value: str) -> None:
    """Remember a secret so :func:`redact` scrubs it wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _lock:
            _secrets.add(value)


def redact(text) -> str:
    """Return ``text`` with every registered secret and bearer token masked."""
    text = "" if text is None else str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters (newlines and tabs become spaces)."""
    text = _ESCAPES.sub("", text).replace("\n", " ").replace("\t", " ").replace("\r", " ")
    return _CONTROLS.sub("", text)


def clean(text, limit: int | None = 300) -> str:
    """Text from outside (a router's answer) made safe to print: redacted, de-escaped, then truncated."""
    text = strip_controls(redact(text))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text
