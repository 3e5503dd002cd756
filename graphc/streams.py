"""Stdout while a command runs: a write that fails is said as stdout's, by its type.

:func:`graphc.cli.main` puts :class:`GuardedStdout` (or :class:`ClosedStdout`, for a process started without a
stdout: ``>&-``) in ``sys.stdout`` and takes it away when it returns, so a program that embeds graphc gets its own
stdout back. An OSError that writing or flushing the real stream raises (``> /dev/full``, an I/O error) comes out
of it as :class:`StdoutUnwritable`, which the CLI recognises by its type and says as ``graphc: error: cannot write
to stdout: WHY``, exit 2, rather than as a bug (exit 4). A closed pipe (``| head -1``) stays a BrokenPipeError: the
reader went away, and the CLI ends quietly (exit 141). Anything else is the real stream's own (``encoding``,
``errors``, ``isatty()``, ``fileno()``, ``reconfigure()``); its ``buffer``, which data is written to as UTF-8 bytes
(graphc.commands.common's writer) and click writes bytes to, is guarded the same way.

Nothing here imports anything of graphc: ``graphc --version`` pays for one small module.
"""

from __future__ import annotations

import errno


class StdoutUnwritable(OSError):
    """Writing stdout failed: its errno and strerror are the real stream's error (``No space left on device``), or
    ``EBADF``, ``stdout is closed`` for a process started without one."""


def _unwritable(exc: OSError) -> StdoutUnwritable:
    return StdoutUnwritable(exc.errno, exc.strerror or str(exc))


def cannot_write_line(exc: OSError | None) -> str:
    """What graphc says on stderr of a stdout it cannot write (exit 2); ``exc`` None: it is closed."""
    return f"graphc: error: cannot write to stdout: {why_unwritable(exc)}"


def why_unwritable(exc: OSError | None) -> str:
    """Why stdout cannot be written, as graphc says it (``exc`` None: it is closed)."""
    return "stdout is closed" if exc is None else exc.strerror or str(exc)


class _Guarded:
    """What both guards share: ``write`` and ``flush`` of ``stream``, an OSError from it (but a closed pipe) raised
    as :class:`StdoutUnwritable`; every other attribute is the stream's."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, data) -> int:
        try:
            return self.stream.write(data)
        except (BrokenPipeError, StdoutUnwritable):
            raise
        except OSError as exc:
            raise _unwritable(exc) from exc

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except (BrokenPipeError, StdoutUnwritable):
            raise
        except OSError as exc:
            raise _unwritable(exc) from exc

    def __getattr__(self, name):
        return getattr(self.stream, name)


class GuardedStdout(_Guarded):
    """``sys.stdout`` while a command runs (:func:`graphc.cli.main`): the real text stream, whose failed writes are
    :class:`StdoutUnwritable`. Its ``buffer`` is guarded too (the real one stays in ``buffer.stream``)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        buffer = getattr(stream, "buffer", None)
        self._buffer = None if buffer is None else _Guarded(buffer)

    @property
    def buffer(self):
        if self._buffer is None:
            raise AttributeError("buffer")
        return self._buffer

    # spelled out (not left to __getattr__) where click and graphc ask often, and for what they must find
    @property
    def encoding(self):
        return self.stream.encoding

    @property
    def errors(self):
        return self.stream.errors

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()


class ClosedStdout:
    """``sys.stdout`` when the process has none (``>&-``): a line written to it raises :class:`StdoutUnwritable`
    (``stdout is closed``), which the CLI says as it says a full stdout (exit 2), where click.echo would drop the
    line and the command exit 0 having shown nothing. A command that writes nothing is not refused."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, text: str) -> int:
        raise StdoutUnwritable(errno.EBADF, "stdout is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
