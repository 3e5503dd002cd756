"""What graphc writes for a character a stream's encoding cannot hold (a cp1252 console, the C locale).

:func:`graphc.cli.fall_back_to_ascii` puts :data:`ERRORS` on stdout and stderr for messages to people; the text
report escapes a code frame's source line the same way before it places the ``^~~`` marker under it
(:func:`for_encoding`), so the marker stays under the span. Data (wire JSON, ``fmt -``) never goes through it:
it is written as UTF-8 (docs/output-formats.md, "Encodings").
"""

from __future__ import annotations

import codecs

# What graphc's own non-ASCII characters become on a stream that cannot show them (a cp1252
# console); anything else, e.g. a playbook's CJK leg id, is written as a \\uXXXX escape.
ASCII_FALLBACK = {
    "→": "->",
    "←": "<-",
    "└": "`",
    "├": "|",
    "│": "|",
    "─": "-",
    "…": "...",
    "×": "x",
    "≤": "<=",
    "≥": ">=",
    "−": "-",
    "–": "-",
    "—": "--",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "·": ".",
    "✓": "ok",
    "✗": "x",
}
ERRORS = "graphc-ascii-fallback"  # the name of the error handler (codecs.register_error)


def _ascii_fallback(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(ASCII_FALLBACK.get(ch) or ch.encode("ascii", "backslashreplace").decode() for ch in text), exc.end


def register() -> None:
    """Make :data:`ERRORS` an error handler (once)."""
    try:
        codecs.lookup_error(ERRORS)
    except LookupError:
        codecs.register_error(ERRORS, _ascii_fallback)


def holds_all_of_unicode(encoding: str | None) -> bool:
    """Whether ``encoding`` can write every character (a UTF); None (not known) counts as ASCII."""
    try:
        return codecs.lookup(encoding or "ascii").name.startswith("utf")
    except (LookupError, TypeError):
        return False


def for_encoding(text: str, encoding: str | None) -> str:
    """``text`` as a stream in ``encoding`` with the fallback writes it: ``->`` for ``→``, ``\\u6771`` for ``東``
    on ASCII; ``text`` itself when ``encoding`` holds every character or is None (a file, a UTF-8 terminal)."""
    if encoding is None or text.isascii() or holds_all_of_unicode(encoding):
        return text
    register()
    try:
        return text.encode(encoding, ERRORS).decode(encoding)
    except (LookupError, UnicodeError):
        return text.encode("ascii", ERRORS).decode("ascii")
