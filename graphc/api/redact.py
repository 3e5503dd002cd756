"""Scrubbing text before it is shown: secrets, terminal control sequences, length.

The lowest piece of the API layer. Every text that came from a router (an
answer's field, an error body, a header, a hosted strategy's log line) reaches
the terminal, a file or an exception message through :func:`clean`: secrets
masked, then control characters written as escapes, then cut to a length.
:func:`redact` (secrets only, control characters kept) is for text that is
escaped afterwards by its own format (``json.dumps`` in ``--json``) and for
tracebacks.

Why the masking looks through a normalised view of the text, not the text:
a key with ``\\x1b[0m``, a zero-width space, a newline or a ``\\u001b`` written
inside it does not hold the key as a substring, yet a terminal (or a reader of
the escaped form) shows the key whole. :func:`redact` therefore also searches
the text with escape sequences, control and invisible characters and white
space removed, with textual escapes (``\\u0073``, ``\\x1b``, ``%5F``,
``&#115;``) decoded and with compatibility forms folded (NFKC: fullwidth
letters), and masks the whole stretch of the original that the key spans.
So the order of masking and escaping does not matter, and truncating comes
last: cutting first could leave a prefix that no longer matches the key.

Not caught (docs/submitting.md, Configuration, says so): a key cut into pieces
that arrive in different fields or different answers (each piece alone is not
the key), and a key transformed beyond escaping (base64, reversed, look-alike
letters of another script).
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from decimal import Decimal

MASK = "[REDACTED]"
_MIN_SECRET_LEN = 4  # shorter strings would scrub ordinary words
_secrets: set[str] = set()
_lock = threading.Lock()
# A bearer token (RFC 6750 §2.1: letters, digits and -._~+/ then `=` padding) never holds quotes, separators or
# brackets, so the mask stops before them: `(oops Bearer KEY)` keeps its `)`, and `[REDACTED]` is not masked again.
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)(?:\x1b\[[0-?]*[ -/]*[@-~]|[^\s'\",;()<>\[\]{}])+")

# Step 1 of the normalised view: textual escapes decoded (one level; a doubly escaped one leaves a backslash,
# which step 2 drops). Everything else is copied as it is.
_TEXTUAL = re.compile(
    r"(?P<u>\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2})"
    r"|(?P<oct>\\0[0-7]{0,2}|\\033)"
    r"|(?P<named>\\[nrtfvae])"
    r"|(?P<pct>%[0-9a-fA-F]{2})"
    r"|(?P<html>&#[0-9]{1,7};|&#[xX][0-9a-fA-F]{1,6};)"
    r"|(?P<plain>[^\\%&]+|.)",
    re.S,
)
_NAMED = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v", "a": "\x07", "e": "\x1b"}
# Step 2: what a terminal does not show. Two readings, because an escape sequence's final byte may be the key's
# next letter (`…SECRET\x1b[KEY…`: a terminal erases the line at `\x1b[K`, but an escaped copy shows `[KEY`):
# the terminal's (whole CSI sequences and the OSC introducer gone) and the reader's (only the escape character
# and the bracket after it gone). In both, the text inside an OSC (a window title) stays: it is shown somewhere.
_TERMINAL = re.compile(
    r"(?P<drop>\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][0-9]*;?|\x1b[@-_]?|[\s\x00-\x1f\x7f-\x9f\\]+)"
    r"|(?P<plain>[!-\[\]-~]+)"
    r"|(?P<other>.)",
    re.S,
)
_READER = re.compile(r"(?P<drop>[\x1b\x9b][\[\]]?|[\s\x00-\x1f\x7f-\x9f\\]+)|(?P<plain>[!-\[\]-~]+)|(?P<other>.)", re.S)
# A first look at a long text (a lint report) for a key the readings below may find, without their maps of
# positions: the escapes `_TEXTUAL` decodes (it copies the rest), looked for only where one may start; then, of a
# decoded text that is ASCII and holds no ESC, both readings only drop white space, control characters and
# backslashes (no escape sequence starts without an ESC), which `str.translate` does.
_ESCAPES = re.compile(r"(?=[\\%&])(?:" + _TEXTUAL.pattern.split("|(?P<plain>")[0] + ")", re.S)
_DROPPED = dict.fromkeys([*range(0x21), 0x7F, ord("\\")])


def register_secret(value: str) -> None:
    """Remember a secret so :func:`redact` scrubs it wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LEN:
        with _lock:
            _secrets.add(value)


class _View:
    """A text rewritten piece by piece, remembering where each piece came from.

    ``pieces`` are ``(start in the view, start in the source, end in the source, copied)``; a copied piece is the
    source text unchanged, so positions inside it map one to one.
    """

    def __init__(self, text: str, pieces: list[tuple[int, int, int, bool]]):
        self.text, self.pieces = text, pieces
        self.starts = [p[0] for p in pieces]

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        first = self.pieces[bisect.bisect_right(self.starts, start) - 1]
        last = self.pieces[bisect.bisect_right(self.starts, end - 1) - 1]
        a = first[1] + (start - first[0]) if first[3] else first[1]
        b = last[1] + (end - 1 - last[0]) + 1 if last[3] else last[2]
        return a, b


def _rewrite(text: str, pattern: re.Pattern, convert) -> _View:
    out: list[str] = []
    pieces: list[tuple[int, int, int, bool]] = []
    at = 0
    for m in pattern.finditer(text):
        kind, piece = m.lastgroup, m.group()
        new = piece if kind == "plain" else convert(kind, piece)
        if new:
            pieces.append((at, m.start(), m.end(), new == piece and kind == "plain"))
            out.append(new)
            at += len(new)
    return _View("".join(out), pieces)


def _decode(kind: str, piece: str) -> str:
    try:
        if kind == "u":
            return chr(int(piece[2:], 16))
        if kind == "oct":
            return chr(int(piece[1:] or "0", 8))
        if kind == "named":
            return _NAMED[piece[1]]
        if kind == "pct":
            return chr(int(piece[1:], 16))
        if kind == "html":
            return chr(int(piece[3:-1], 16) if piece[2] in "xX" else int(piece[2:-1]))
    except (ValueError, OverflowError):  # \U0011ffff, &#9999999;: not a character
        pass
    return piece


def _visible(kind: str, piece: str) -> str:
    """A character as it counts for finding a key: dropped when a terminal shows nothing (or a backslash)."""
    if kind == "drop" or piece == "\\" or piece.isspace() or not piece.isprintable():
        return ""
    if piece.isascii():
        return piece
    if unicodedata.category(piece).startswith("M"):  # a combining mark drawn over the letter before it
        return ""
    return unicodedata.normalize("NFKC", piece)


def _spans(text: str, secrets: list[str]) -> list[tuple[int, int]]:
    """Where in ``text`` each secret is, as written or as a terminal or a reader of its escapes would see it."""
    spans = []
    for secret in secrets:
        start = text.find(secret)
        while start != -1:
            spans.append((start, start + len(secret)))
            start = text.find(secret, start + 1)
    if not _may_hide(text, secrets):
        return spans
    decoded = _rewrite(text, _TEXTUAL, _decode)
    for reading in (_TERMINAL, _READER):
        seen = _rewrite(decoded.text, reading, _visible)
        for secret in secrets:
            start = seen.text.find(secret)
            while start != -1:
                a, b = seen.source_span(start, start + len(secret))
                spans.append(decoded.source_span(a, b))
                start = seen.text.find(secret, start + 1)
    return spans


def _may_hide(text: str, secrets: list[str]) -> bool:
    """Whether a normalised view of ``text`` (:func:`_spans`) may hold a secret: False only when the text, decoded,
    is ASCII without an ESC and its one view (both readings are the same there) holds none. The view is made
    without a map of positions, so a long report is read piece by piece only when it may hide a key (a lint
    report of 2.9 MB took 3.7 s, and 0.2 s this way)."""
    decoded = _ESCAPES.sub(lambda m: _decode(m.lastgroup or "", m.group()), text) if _may_escape(text) else text
    if not decoded.isascii() or "\x1b" in decoded:
        return True  # (NFKC, combining marks, escape sequences: the full readings)
    seen = decoded.translate(_DROPPED)
    return any(secret in seen for secret in secrets)


def _may_escape(text: str) -> bool:
    return "\\" in text or "%" in text or "&" in text


def redact(text) -> str:
    """``text`` with every registered secret and bearer token masked; control characters are kept.

    A secret is found also when escape sequences, control or invisible characters, white space or textual
    escapes split it (see the module docstring); the whole stretch it spans is masked.
    """
    text = "" if text is None else str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    if known:
        spans = sorted(_spans(text, known))
        if spans:
            merged = [list(spans[0])]
            for a, b in spans[1:]:
                if a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            parts, at = [], 0
            for a, b in merged:
                parts += [text[at:a], MASK]
                at = b
            text = "".join(parts) + text[at:]
    if "bearer" not in text.lower():  # (a quick look first: the pattern reads a long text slowly)
        return text
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


def escape_controls(text: str) -> str:
    """Every character a terminal would not print as itself (control characters, escape sequences' ESC, line
    breaks, bidi and zero-width characters) written as an escape: ``\\x1b``, ``\\n``, ``\\u202e``. A tab stays.
    ``##[`` is written ``##\\[`` (:func:`graphc.diagnostics.no_log_command`).

    Escapes are written as reports and graph pictures write them (:func:`graphc.diagnostics.escaped_char`).
    """
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() or ch == "\t" else _escaped(ch) for ch in text)
    if "##[" in text:  # a legacy GitHub workflow command, read anywhere in a line: ``##\\[`` (audit reports26 1)
        from graphc.diagnostics import no_log_command  # deferred: keeps this module free of the compiler's imports

        text = no_log_command(text)
    return text


def _escaped(ch: str) -> str:
    from graphc.diagnostics import escaped_char  # deferred: keeps this module free of the compiler's imports

    if ch in "\n\r":
        return "\\n" if ch == "\n" else "\\r"
    code = ord(ch)
    return escaped_char(code) if code <= 0xFFFF else f"\\U{code:08x}"


def clean(text, limit: int | None = 300) -> str:
    """Text from outside (a router's answer) made safe to print on one line: secrets masked, control characters
    written as escapes, then cut to ``limit`` characters. The one function every router text is shown through."""
    text = redact(text)
    escaped = escape_controls(text)
    if escaped != text:  # a second look at the escaped form, as a reader sees it (the first pass decodes escapes too)
        text = redact(escaped)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def redacted(value):
    """A JSON value (a router's answer) with every string, keys too, passed through :func:`redact`, for ``--json``
    (:func:`json_text`), and every Decimal (a number read exactly) an :class:`~graphc.stages.emit.AsRead`, which
    the writer shows as it was read."""
    if isinstance(value, dict):
        return {redact(k): redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(v) for v in value]
    if isinstance(value, Decimal):
        from graphc.stages.emit import AsRead  # deferred: most callers print text

        return AsRead(value)
    return redact(value) if isinstance(value, str) else value


def json_text(value, *, indent: int | None = 2, ensure_ascii: bool = True) -> str:
    """``value`` as JSON for output: its strings redacted, control characters escaped (all of them: C0 always,
    DEL, C1, bidi and zero-width ones as ``\\uXXXX`` too, and with ``ensure_ascii`` every character beyond ASCII),
    then the whole text redacted once more, as a reader of the escapes sees it.

    Indented (a command's ``--json``), it is written by the wire's writer (:func:`graphc.stages.emit.to_json`,
    the layout of ``json.dumps(indent=2)``), which never passes a number through float: a router's answer read
    with its numbers exact (``Client.get_graph(..., exact=True)``) is printed with each number as it came
    (``1.10``, ``12345678901234567.89``; spec §1). On one line (an event log), by ``json.dumps``."""
    data = redacted(value)
    if indent == 2:
        from graphc.stages.emit import to_json  # deferred: most callers print text

        text = to_json(data).removesuffix("\n")
    else:
        import json  # deferred: most callers print text

        text = json.dumps(data, indent=indent, default=str, ensure_ascii=False)
    text = escape_controls_in_json(text)
    if ensure_ascii and not text.isascii():
        text = "".join(ch if ch.isascii() else _escape(ch) for ch in text)
    return redact(text)


def escape_controls_in_json(text: str) -> str:
    """JSON text (``ensure_ascii=False``) with the characters ``json.dumps`` leaves raw but a terminal does not
    print as themselves (DEL, C1, bidi and zero-width characters) written as ``\\uXXXX``: still the same JSON."""
    if text.isprintable() or all(ch.isprintable() or ch in "\n\t" for ch in text):
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t" else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    """``ch`` as a JSON escape: ``\\u00e9``, or the two halves of its surrogate pair beyond U+FFFF."""
    return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else _surrogates(ch)


def _surrogates(ch: str) -> str:
    code = ord(ch) - 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
