"""Scrubbing secrets from text: the registry of loaded keys and :func:`redact`.

The lowest piece of the API layer: errors, the ledger, the client and the log
filter all pass text through :func:`redact`, and it imports nothing of graphc.
"""

from __future__ import annotations

import re
import threading

MASK = "[REDACTED]"
_MIN_SECRET_LEN = 4  # shorter strings would scrub ordinary words
_secrets: set[str] = set()
_lock = threading.Lock()
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[^\s'\",;]+")


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
