"""The human format: a grep-able headline, the source line with a marker, the hint.

Modelled on actionlint's ``Error.PrettyPrint``: the diagnostic holds no colour
and no source; the renderer takes the source separately and adds a line-number
gutter and a ``^~~~`` marker under the span::

    plays/hedge.yaml:7:12: error GC303 limit price 0.123 is not on the 0.01 tick
      |
    7 |     price: 0.123
      |            ^~~~~
      hint: use 0.12 or 0.13
      note: plays/hedge.yaml:3:10: the venue is chosen here

    1 error in 1 file

Colour is added only when the caller passes ``color=True``; use
:func:`should_color` to decide it from the stream and the environment.
"""

from __future__ import annotations

import os
import re
import unicodedata

from graphc.ascii_fallback import for_encoding
from graphc.diagnostics import Diagnostic, Span
from graphc.files import leaves_root, read_source, unreadable
from graphc.lines import split_lines
from graphc.report import (
    LOG_COMMAND,
    FileResult,
    ReportOptions,
    note,
    one_line,
    runs_in_order,
    skip_location,
    summarize,
    unlisted_line,
)
from graphc.report import location as shown_location

_RESET = "\x1b[0m"
_STYLES = {
    "bold": "1",
    "red": "1;31",
    "yellow": "1;33",
    "green": "1;32",
    "cyan": "1;36",
    "blue": "34",
    "dim": "2",
}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow"}


def should_color(stream=None, environ=None) -> bool:
    """Whether to colour output written to ``stream``.

    ``NO_COLOR`` (any non-empty value, https://no-color.org) turns colour off and
    wins over everything; ``FORCE_COLOR`` (any non-empty value) turns it on even
    when the stream is not a terminal; otherwise colour is used only on a TTY
    whose ``TERM`` is not ``dumb``.
    """
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed or detached stream
        return False


def render(results: list[FileResult], options: ReportOptions) -> str:
    """The report. A file that is a symbolic link out of the repository of the folder it is named in (outside any,
    its project root: :func:`graphc.files.leaves_root`) is shown without code frames: its
    findings' locations, messages and hints only, as a link can lead to any file the user can read (the API key's
    credentials file, ``/proc/self/environ``: audit sec29 1)."""
    paint = _painter(options.color)
    sources = {r.path: r.source for r in results}
    lines_cache: dict[str, list[str] | None] = {}
    out: list[str] = []
    for diagnostics, result in runs_in_order(results):
        for d in diagnostics:
            if d.path not in lines_cache:
                source = sources.get(d.path)
                if leaves_root(d.path):  # a link out of its repository: no line of its text is shown (audit sec29 1)
                    source = None
                elif source is None and d.span is not None and d.span.file == d.path:
                    source = _read_other_file(d.path)  # a `use:` template or a --params file
                lines_cache[d.path] = _lines(source) if source is not None else None
            out.extend(format_diagnostic(d, lines_cache[d.path], paint, options.encoding))
            out.append("")
        if result is not None and result.unlisted:  # past GRAPHC_MAX_DIAGNOSTICS: counted by code, not shown
            out.extend(paint(unlisted_line(result.path, *item), "bold") for item in result.unlisted)
            out.append("")
        if options.explain_skips and result is not None:
            for skip in result.skipped:
                out.append(_format_skip(result.path, skip, paint))
            if result.skipped:
                out.append("")
    if options.summary:
        out.append(
            paint(
                *_summary_line(
                    summarize(results),
                    options.explain_skips,
                    options.nothing_linted,
                    options.not_read,
                    options.crashed,
                    options.empty,
                )
            )
        )
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def _lines(source: str) -> list[str]:
    """``source`` split at the line breaks every position counts (graphc.lines: LF, CRLF, CR)."""
    return split_lines(source)


def _read_other_file(path: str) -> str | None:
    """The text of a file a diagnostic moved to (its span names it); None if it cannot be read. A file that is not
    UTF-8 (a `use:` template's GC112) is shown with its bad bytes replaced, as GC112 shows a playbook."""
    try:
        return read_source(path)
    except UnicodeDecodeError as exc:
        return unreadable(path, exc)[1]
    except OSError:
        return None


def _summary_line(
    summary, explain_skips: bool, nothing_linted: str = "", not_read: str = "", crashed=None, empty=None
) -> tuple[str, str]:
    """``1 error in 2 files (3 checks skipped; --explain-skips lists them)``: a skipped check is never silent;
    ``nothing linted: ...`` (yellow: not a pass) when no file was; red when a file's lint hit a bug."""
    line = summary.line(explain_skips, nothing_linted, not_read, crashed, empty)
    if summary.errors or crashed:
        return line, "red"
    style = "yellow" if summary.warnings or summary.not_checked or nothing_linted or not_read or empty else "green"
    return line, style


def format_diagnostic(d: Diagnostic, lines: list[str] | None, paint=None, encoding: str | None = None) -> list[str]:
    """The lines that show one diagnostic (no trailing blank line); ``encoding``: see :func:`_snippet`."""
    paint = paint or _painter(False)
    severity_style = _SEVERITY_STYLE.get(d.severity, "bold")
    location, message = one_line(shown_location(d)), one_line(d.message)
    out = [f"{paint(location, 'bold')}: {paint(d.severity, severity_style)} {paint(d.code, 'bold')} {message}"]
    if d.span is not None and lines is not None:
        out.extend(_snippet(lines, d.span, paint, severity_style, encoding))
    if d.hint:
        out.append(f"  {paint('hint', 'cyan')}: {one_line(d.hint)}")
    out.extend(f"  {paint('note', 'bold')}: {one_line(note(rel))}" for rel in d.related)
    return out


_TOKEN = re.compile(r"\S+")
MAX_FRAME_CHARS = 120  # a longer source line is cut to a window around the column, like rustc's


def _snippet(lines: list[str], span: Span, paint, marker_style: str, encoding: str | None = None) -> list[str]:
    """The frame of ``span``: its source line, escaped, and the marker under the span. With ``encoding`` (a
    stream's that cannot write every character, cp1252), each character it cannot write is escaped as the
    stream's ASCII fallback would write it (``\\u6771``, ``->``) and the marker is placed under the escaped text, so
    it stays under the span (the fallback then finds nothing left to change in the line)."""
    if not 1 <= span.line <= len(lines):
        return []
    text = lines[span.line - 1]
    start = min(max(span.col, 1) - 1, len(text))
    width = _marker_width(text, start, span)
    if encoding is None:
        text, start, width = _sealed(*_window(text, start, width))
    else:
        text, start, width = _sealed(*_window(text, start, width, lambda part: for_encoding(one_line(part), encoding)))
    # Keep tabs, and count a wide character (CJK, most emoji) as two cells and a combining one as none, so the
    # marker lines up with the text above it in a terminal.
    pad = "".join("\t" if ch == "\t" else " " * _cells(ch) for ch in text[:start])
    width = max(1, sum(_cells(ch) for ch in text[start : start + width]))
    number = str(span.line)
    gutter = " " * len(number)
    bar = paint("|", "blue")
    return [
        f"{gutter} {bar}",
        f"{paint(number, 'blue')} {bar} {text}".rstrip(),
        f"{gutter} {bar} {pad}{paint('^' + '~' * (width - 1), marker_style)}",
    ]


def _window(text: str, start: int, width: int, escape=one_line) -> tuple[str, int, int]:
    """The part of a source line to show, the marker's column in it and its width.

    Control characters are shown escaped (the marker moves with them). A line
    longer than ``MAX_FRAME_CHARS`` is cut around the column, with ``...``
    where text was left out: a 2,000-item flow list shows the item, not the list.

    The window is the one of the escaped line (``MAX_FRAME_CHARS // 4`` escaped characters before the column,
    or the line's last ``MAX_FRAME_CHARS``), but a long line is never escaped whole: each character escapes on
    its own to one or more, so the window is made from the escapes of at most ``MAX_FRAME_CHARS`` characters
    either side of the column. Escaping the whole line for each finding made a report of many findings on one
    long line (minified wire JSON) quadratic (audit graph.md 4). ``escape``: :func:`one_line`, or that and the
    ASCII fallback's escapes (:func:`_snippet`); either makes each character one or more.
    """
    frame, lead = MAX_FRAME_CHARS, MAX_FRAME_CHARS // 4
    if len(text) <= frame:  # short: escape it all (at most 6 characters per character shown)
        before, marked, after = (
            escape(text[:start]),
            escape(text[start : start + width]),
            escape(text[start + width :]),
        )
        text, start, width = before + marked + after, len(before), max(1, len(marked))
        if len(text) <= frame:
            return text, start, width
        width = min(width, frame // 2)
        left = max(0, min(start - lead, len(text) - frame))
        right = left + frame
        shown = ("..." if left else "") + text[left:right] + ("..." if right < len(text) else "")
        return shown, start - left + (3 if left else 0), width
    # A long line (its escaped form is longer than the frame too). Any `frame` characters escape to `frame` or more.
    width = min(max(1, len(escape(text[start : start + min(width, frame // 2)]))), frame // 2)
    ahead = escape(text[start : start + frame])  # the whole rest of the line when start + frame reaches its end
    rest_known = start + frame >= len(text)
    if rest_known and len(ahead) < frame - lead:  # the column is in the last `frame` escaped characters
        tail = escape(text[-frame:])[-frame:]
        return "..." + tail, frame - len(ahead) + 3, width
    behind = escape(text[max(0, start - lead) : start])  # all of text[:start] when start <= lead
    cut = len(behind) > lead or start > lead  # the window starts after the line's first character
    behind = behind[-lead:]
    room = frame - len(behind)
    more = not rest_known or len(ahead) > room
    return (
        ("..." if cut else "") + behind + ahead[:room] + ("..." if more else ""),
        len(behind) + (3 if cut else 0),
        width,
    )


def _sealed(text: str, start: int, width: int) -> tuple[str, int, int]:
    """The window with a ``##[`` made where its escaped pieces meet (``##`` before the column, ``[`` at it) written
    ``##\\[`` as :func:`one_line` writes one inside a piece, the marker moved with it: no line of a code frame is
    ever a legacy GitHub workflow command (audit reports26 1)."""
    at = text.find(LOG_COMMAND)
    while at != -1:
        bracket = at + len(LOG_COMMAND) - 1
        text = text[:bracket] + "\\" + text[bracket:]
        if bracket <= start:
            start += 1
        elif bracket < start + width:
            width += 1
        at = text.find(LOG_COMMAND, bracket)
    return text, start, width


def _cells(ch: str) -> int:
    """The terminal cells one character takes (as wcwidth counts them for the common cases)."""
    if ch < "\u0300":  # ASCII and Latin-1: one cell (the frame's text is escaped, no control character is left)
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _marker_width(text: str, start: int, span: Span) -> int:
    room = len(text) - start
    if span.end_line == span.line and span.end_col > span.col:
        width = span.end_col - span.col
    elif span.end_line > span.line:
        width = room  # a multi-line span: mark to the end of its first line
    else:  # no end known: mark the token that starts at the column
        match = _TOKEN.match(text, start)  # not text[start:]: a copy of the rest of a long line per finding
        width = len(match.group()) if match else 1
    return max(1, min(width, room))


def _format_skip(path: str, skip, paint) -> str:
    where = skip_location(path, skip)  # at the template's path when the skip lies in one
    return f"{paint(one_line(where), 'bold')}: {paint('skipped', 'dim')} {paint(skip.code, 'bold')} {one_line(skip.reason)}"


def _painter(enabled: bool):
    if not enabled:
        return lambda text, style: text

    def paint(text: str, style: str) -> str:
        return f"\x1b[{_STYLES[style]}m{text}{_RESET}"

    return paint
