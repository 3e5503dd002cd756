"""Options and helpers shared by the commands that compile playbooks."""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import os
import stat
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import NoReturn

import click

from graphc.ascii_fallback import holds_all_of_unicode
from graphc.diagnostics import Diagnostic, FileResult
from graphc.files import (
    UNREADABLE,
    LinkedOutput,
    display_path,
    open_output_file,
    output_link_problem,
    read_source,
    read_stdin,
    unreadable,
)
from graphc.report import one_line  # (light: no renderer is imported with it)
from graphc.streams import StdoutUnwritable, why_unwritable
from graphc.version import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_REMOTE, EXIT_INTERNAL = 0, 1, 2, 3, 4


def internal_error_line(exc: BaseException, where: str | None = None, doing: str = "linting") -> str:
    """The one line printed for a bug in graphc: what failed, and a request to report it (secrets redacted;
    ``where``, a path, on one line, and what graphc was ``doing`` with it: ``while linting plays/a.yaml``)."""
    what = one_line(internal_error_detail(exc))
    place = f" while {doing} {one_line(where)}" if where else ""
    return (
        f"graphc: internal error{place}: {what}. This is a bug in graphc {__version__}, not a problem with your "
        "files: please report it with the command and the input (add -v for the traceback)."
    )


def internal_error_detail(exc: BaseException) -> str:
    """What failed, on one line and short: ``RuntimeError: the message`` (secrets redacted)."""
    from graphc.api.redact import redact  # deferred: only a crash needs it

    detail = " ".join(redact(str(exc)).split())
    detail = detail if len(detail) <= 200 else detail[:197] + "..."
    return type(exc).__name__ + (f": {detail}" if detail else "")


def print_internal_error(
    exc: BaseException, *, verbose: bool, where: str | None = None, doing: str = "linting"
) -> None:
    """The internal-error line on stderr, preceded by the (redacted) traceback when ``verbose``."""
    if verbose:
        import traceback  # deferred: only a crash with -v needs it

        from graphc.api.redact import redact  # deferred: only a crash with -v needs it

        sys.stderr.write(redact("".join(traceback.format_exception(exc))))
    click.echo(internal_error_line(exc, where, doing), err=True)


# lint, plan and submit: a skipped check is counted in the summary line; this lists each with its reason.
explain_skips_option = click.option(
    "--explain-skips", is_flag=True, help="Say which checks could not be decided (e.g. no quotes), and why."
)


def compile_options(fn):
    """--quotes, --set, --params and --now, shared by compile, lint and plan."""
    fn = click.option(
        "--now",
        "now",
        metavar="ISO8601",
        help="Fix `now`/`today` in templates (e.g. 2026-01-05T09:00:00Z) for reproducible output; a time without "
        "an offset is UTC.",
    )(fn)
    fn = click.option(
        "--params",
        "params_file",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="YAML/JSON mapping of param values.",
    )(fn)
    fn = click.option(
        "--set",
        "set_values",
        multiple=True,
        metavar="NAME=VALUE",
        help="Set a playbook param (repeatable; wins over --params).",
    )(fn)
    fn = click.option(
        "--quotes",
        "quotes_path",
        metavar="FILE|live",
        help="Quotes snapshot (YAML/JSON: SYMBOL: {bid, ask, last, mid, tick, lot}), or `live` to read them from the router.",
    )(fn)
    return fn


def parse_now(text):
    """``--now``: UTC, within graphc.schedule.CLOCK_RANGE (a usage error otherwise, exit 2)."""
    if text is None:
        return None
    from graphc.schedule import clock_time  # deferred: zoneinfo; only --now needs it

    try:
        return clock_time(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--now") from None


def parse_set(values) -> dict:
    """``--set NAME=VALUE``s as ``{NAME: VALUE}`` (the name without the spaces around it). A name set twice to
    two values is a usage error naming both: never "last one wins", as a params file's repeated key (GC101) and a
    rule set twice in graphc.toml are not (spec §1; audit params25 2: `$BASE --set size=... --set size=...` from a
    composed CI command line silently kept the second). The same value twice is harmless."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        name = name.strip()
        if name in out and out[name] != value:
            raise click.BadParameter(
                one_line(f"`{name}` is set twice, to {_cut(out[name])!r} and to {_cut(value)!r}: give it once"),
                param_hint="--set",
            )
        out[name] = value
    return out


def _cut(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 3] + "..."


def load_quotes_option(path):
    """Returns (quotes, diagnostics). An unreadable file is a usage error (exit 2); ``live`` is filled later."""
    if path is None or path == "live":
        return {}, []
    from graphc.quotes import load_quotes  # deferred: only --quotes FILE needs it

    try:
        return load_quotes(path)
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise click.UsageError(one_line(f"cannot read quotes file {path}: {why}")) from None


def read_params_option(params_file) -> str | None:
    """The text of ``--params FILE``, read here once for the whole run: every file a command compiles (and each
    ``-j`` worker) renders with these values, never reading the file again, which the operator's own pipe
    (``--params <(make-params)``, ``/dev/stdin``) could not give twice. Unreadable input is a usage error (exit 2),
    said as :func:`graphc.files.option_file_problem` says it; its contents are checked by each compile."""
    if params_file is None:
        return None
    try:
        return read_source(params_file, pipe_ok=True)  # (a named FIFO, a device: refused, as open_source says)
    except UnicodeDecodeError:
        raise click.UsageError(f"cannot read params file {params_file}: not UTF-8") from None
    except OSError as exc:
        raise click.UsageError(f"cannot read params file {params_file}: {exc.strerror or exc}") from None


def build_options(quotes_path, set_values, params_file, now, *, require_quotes, sources=(), config=None):
    """CompileOptions from the shared options and the config's market settings (``config``: a Config);
    with ``--quotes live``, the quotes that ``sources`` (paths, ``-`` for stdin text already read: pass
    ``(text, path)``) need, read from the router."""
    from graphc.pipeline import CompileOptions  # deferred: the compiler; fmt, explain and rules load this module too
    from graphc.venues import MarketConfig  # deferred: fmt, explain and rules load this module too

    quotes, diagnostics = load_quotes_option(quotes_path)
    options = CompileOptions(
        quotes=quotes,
        params=parse_set(set_values),
        params_file=params_file,
        params_text=read_params_option(params_file),
        now=parse_now(now),
        require_quotes=require_quotes,
        market_config=config.market_config if config is not None else MarketConfig(),
    )
    if quotes_path == "live":
        options.quotes = fetch_live_quotes(sources, options)
    return options, diagnostics


def fetch_live_quotes(sources, options):
    """``--quotes live``: the quotes ``sources`` need, one request per symbol, concurrently.

    Returns a :class:`graphc.quotes.LiveQuotes` (a dict; ``.missing`` names the
    symbols the router had no quote for). A router that cannot be asked is
    exit 3 (2 for configuration: no key, a bad URL).
    """
    from graphc.api.client import Client  # deferred: httpx; only --quotes live needs it
    from graphc.api.errors import ApiError  # deferred: only --quotes live needs it
    from graphc.lint import LintOptions, live_quotes  # deferred: the linter; only --quotes live needs it here

    texts = []
    for source in sources:
        if isinstance(source, tuple):
            texts.append(source)
            continue
        try:
            texts.append((read_source(source), str(source)))
        except (OSError, UnicodeDecodeError):
            continue  # reported by the command when it reads the file
    try:
        with Client.from_env() as client:
            live = live_quotes(texts, LintOptions(compile=options, quotes_given=True), client.get_quote)
    except ApiError as exc:
        click.echo(f"graphc: error: --quotes live: {exc}", err=True)
        sys.exit(exc.exit_code)
    if live.not_asked:
        _note_not_asked(live)
    return live


def _note_not_asked(live) -> None:
    """The one note of a `--quotes live` run that reached GRAPHC_MAX_LIVE_QUOTES (its text:
    :meth:`graphc.quotes.LiveQuotes.cap_note`, which `graphc run` prints too)."""
    click.echo(f"graphc: note: {one_line(live.cap_note())}", err=True)


def quotes_for(quotes_path, set_values, params_file, now, source, run_key=None, params_text=None):
    """``--quotes live``: the quotes ``source`` needs, read from the router now; None for a snapshot file
    (the library reads that itself). ``now``: --now's text, or a time. The symbols are those of the graph
    :func:`graphc.submit.prepare` renders (with ``run_key`` given: not a scheduled occurrence), so a scheduled
    playbook's are its occurrence's, not --now's. ``params_text``: the params file's text, which the command read
    once (:func:`read_params_option`) and gives :func:`graphc.submit.prepare` too: a pipe (``--params
    <(make-params)``) gives its text once, so both compiles must render with that one text."""
    if quotes_path != "live":
        return None
    if _is_saved_plan(source):  # its own quotes are kept in it: prepare refuses --quotes, as for a file (plan20 7)
        return {}  # and nothing is asked of the router
    from graphc.submit import quote_options  # deferred: the submitter; only --quotes live asks here

    if params_file is not None and params_text is None:
        params_text = read_params_option(params_file)  # unreadable: a usage error (exit 2); contents checked later
    when = now if isinstance(now, datetime) else parse_now(now)  # --now, or the occurrence a submit prices again
    options = quote_options(
        source,
        params=parse_set(set_values),
        params_file=params_file,
        params_text=params_text,
        now=when,
        run_key=run_key,
    )
    return fetch_live_quotes([source], options)


def live_params_text(quotes_path, params_file, source) -> str | None:
    """The ``--params`` text of a ``--quotes live`` plan or submit of ``source``, read once here
    (:func:`read_params_option`; unreadable: a usage error, exit 2): :func:`quotes_for` compiles the source to learn
    the symbols to ask the router for, :func:`graphc.submit.prepare` compiles it again (and a submit that prices it
    again, twice more), and the operator's pipe (``--params <(make-params)``) gives its text once, so each of them
    is given this text. None without ``--params``, without ``--quotes live`` (one compile: prepare reads the file),
    or for a saved plan (its params are the ones it was planned with; prepare refuses ``--params``)."""
    if params_file is None or quotes_path != "live" or _is_saved_plan(source):
        return None
    return read_params_option(params_file)


def _is_saved_plan(source) -> bool:
    from graphc.plan import is_plan_text  # deferred: only --quotes live asks

    try:
        return is_plan_text(read_source(source))
    except (OSError, UnicodeDecodeError):
        return False  # reported by the command when it reads the file


def explain_live(results, quotes) -> None:
    """Say, in each GC109 about a symbol the router had no quote for, that the router had none."""
    missing = getattr(quotes, "missing", None)
    if not missing:
        return
    from graphc.quotes import explain_missing  # deferred: only --quotes live needs it

    for result in results:
        if result is not None:
            result.diagnostics[:] = explain_missing(result.diagnostics, missing)


def write_output(data, output: str | None, *, what: str = "the output", for_people: bool = False) -> None:
    """Write ``data`` (text or bytes) to the file ``output`` (see :func:`open_output`), or to stdout.

    Text for a file is encoded before the file is opened, so a report is never left half-written: a character
    UTF-8 cannot hold (a lone surrogate, the byte of a file name that is not UTF-8) is written as its escape
    (``\\udce9``), as on stdout, never a crash. Only ``for_people`` text (lint's text report) goes through
    stdout's text layer and its ASCII fallback (:func:`graphc.cli.fall_back_to_ascii`); anything else is data,
    written to stdout as UTF-8 bytes (:func:`open_output`).
    """
    if output is None and for_people and isinstance(data, str):
        with writing_stdout():
            sys.stdout.write(data)
            sys.stdout.flush()
        return
    if output is not None and isinstance(data, str):
        data = data.encode("utf-8", errors="backslashreplace")
    with open_output(output, what=what, binary=isinstance(data, bytes)) as stream:
        stream.write(data)


def unwritable_stdout(
    exc: OSError | None, *, said: str | None = None, what: str = "this line", unsent: str | None = None
) -> NoReturn:
    """Stdout cannot be written (a full disk: ``> /dev/full``; a closed stdout: ``>&-``, ``exc`` None): say so on
    stderr, ``graphc: error: cannot write to stdout: No space left on device``, and exit 2, as ``-o`` says a file it
    cannot write; never exit 4 "a bug in graphc" nor exit 0 having written nothing (audit graph27 3). ``said`` is
    what the line was to say when it matters (submit's graph id: ``SAID, but graphc could not write this line to
    stdout: WHY``; ``what`` names what was not written when it is not that line: a watched graph's progress).
    ``unsent`` names the request a router action did not send (:func:`before_sending`): ``...: WHY; nothing was sent
    (UNSENT)``. Stdout's descriptor is pointed at /dev/null, so the exit does not fail on it again."""
    why = why_unwritable(exc)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    message = (
        f"{said}, but graphc could not write {what} to stdout: {why}" if said else f"cannot write to stdout: {why}"
    )
    fail(message if unsent is None else f"{message}; nothing was sent ({unsent})", EXIT_USAGE)


@contextmanager
def before_sending(unsent: str) -> Iterator[None]:
    """Where a router action (resume, amend) prints its lines before its request leaves (notes on what was not
    checked, amend's size change and lint warnings): a stdout that cannot be written (full, closed) stops it there,
    with ``graphc: error: cannot write to stdout: WHY; nothing was sent (UNSENT)``, exit 2. The lines come first
    because they are what a person reads before the change (a caveat, a preview); a request that leaves anyway
    would act on lines nobody could read, and a failure that stops before it leaves is one a rerun repeats safely.
    Once the request is sent, :func:`echo_done` says what was done."""
    try:
        yield
    except StdoutUnwritable as exc:
        unwritable_stdout(exc, unsent=unsent)


def echo_done(line: str, unsaid: list[tuple[OSError | None, str]] | None = None) -> None:
    """The line of a command that applied an action at the router (cancel, resume, amend, kill-switch, strategy
    stop/start/delete, deploy) for people. A stdout that cannot be written (closed, full) is
    :func:`unwritable_stdout` with the line: ``graphc: error: LINE, but graphc could not write this line to stdout:
    WHY``, exit 2, so that what was done is said somewhere (audit status28 4: a cancel that was applied read
    "cannot write to stdout" alone, or, with ``>&-``, nothing at all and exit 0). With ``unsaid`` (a list), the
    failure is kept there for the caller to say once the rest is done (:func:`say_unsaid`)."""
    try:
        if sys.stdout is None:
            raise OSError(errno.EBADF, "stdout is closed")
        click.echo(line)
    except BrokenPipeError:
        raise
    except OSError as exc:
        if unsaid is None:
            unwritable_stdout(exc, said=line)
        unsaid.append((exc, line))


def say_unsaid(unsaid: list[tuple[OSError | None, str]]) -> None:
    """The lines :func:`echo_done` could not write, said on stderr with why, exit 2; nothing when there are none."""
    if unsaid:
        lines = [line for _, line in unsaid]
        unwritable_stdout(unsaid[0][0], said="; ".join(lines), what="this line" if len(lines) == 1 else "these lines")


@contextmanager
def writing_stdout():
    """Where graphc writes to stdout: a stdout that is closed (None) or whose write fails with anything but a
    closed pipe is :func:`unwritable_stdout`. A closed pipe (``| head -1``) is left to the CLI's handler (the reader
    went away: nothing left to say, exit 141)."""
    if sys.stdout is None:
        unwritable_stdout(None)
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        unwritable_stdout(exc)


class _StdoutWriter:
    """Stdout's byte stream for :func:`data_stdout`: text written as UTF-8, with a lone surrogate as its escape
    (``\\udce9``, as in a file written with ``-o``) and every line end as it is, or bytes as they are; a failed
    write or flush is :func:`unwritable_stdout`."""

    def __init__(self, buffer, *, encode: bool, guarded: bool = True):
        self.buffer = buffer
        self.encode = encode  # text to a byte stream (else bytes, or a text stream with no bytes under it)
        self.guarded = guarded  # else an OSError is the caller's to handle

    def write(self, data) -> int:
        with writing_stdout() if self.guarded else contextlib.nullcontext():
            self.buffer.write(data.encode("utf-8", errors="backslashreplace") if self.encode else data)
        return len(data)

    def flush(self) -> None:
        with writing_stdout() if self.guarded else contextlib.nullcontext():
            self.buffer.flush()


def data_stdout(*, binary: bool = False, guarded: bool = True):
    """Stdout for data a program reads (wire JSON, a formatted playbook, a JSON or SARIF report, an event log):
    its bytes, so the text is UTF-8 whatever the locale or PYTHONIOENCODING says, never transliterated by the
    ASCII fallback (which is for messages to people: :func:`graphc.cli.fall_back_to_ascii`), and its line ends
    never translated. The text layer is flushed first, so what was written to it comes before. A stdout with no
    bytes under it (replaced by a caller) is written as it is. A stdout that cannot be written (closed, a full disk)
    is :func:`unwritable_stdout`, unless not ``guarded``: then a failed write is the caller's OSError (`run`'s event
    log goes on on stderr); a closed stdout is refused all the same."""
    with writing_stdout():
        sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        return _StdoutWriter(sys.stdout, encode=False, guarded=guarded)
    return _StdoutWriter(buffer, encode=not binary, guarded=guarded)


def make_folders_for(output: str) -> None:
    """Create the missing folders of the file ``output`` (every command's ``-o``); OSError if it cannot.

    A file where a folder must be (``-o blocker/x.json``) is a NotADirectoryError naming it, not os.makedirs'
    "File exists" (or a bare "Not a directory" one folder deeper)."""
    folder = os.path.dirname(output)
    if not folder:
        return
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = folder
        while not os.path.lexists(blocker) and os.path.dirname(blocker) not in ("", blocker):
            blocker = os.path.dirname(blocker)  # up to the nearest path that exists
        if os.path.isdir(blocker):
            raise
        raise NotADirectoryError(errno.ENOTDIR, f"{blocker} is not a directory", blocker) from None


@contextmanager
def open_output(output: str | None, *, what: str = "the output", binary: bool = False):
    """A stream to write to: the file ``output``, with its missing folders created, or stdout.

    Files are UTF-8 with ``\\n`` line ends whatever the platform. A file that
    cannot be written is a usage error (exit 2) with one line, not a traceback.
    """
    if output is None:
        stream = data_stdout(binary=binary)
        yield stream
        stream.flush()
        return
    try:
        make_folders_for(output)
        fd, _ = open_output_file(output)  # never through a link to a file (audit sec29 4)
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            _STARTED.add(os.path.abspath(output))  # emptied: what is there from now on is this run's
            yield stream
        _WRITTEN.add(os.path.abspath(output))  # this run's, whole: no_stale_output keeps it
    except LinkedOutput as exc:
        fail(exc.strerror or str(exc), EXIT_USAGE)
    except OSError as exc:
        click.echo(f"graphc: {one_line(f'cannot write {what} to {output}: {exc.strerror or exc}')}", err=True)
        sys.exit(EXIT_USAGE)


_WRITTEN: set[str] = set()  # the -o files this process has finished writing (open_output)
_STARTED: set[str] = set()  # the -o files this process has opened to write (truncated), whole or not


@contextmanager
def no_stale_output(output: str | None, *, command: str, what: str = "output", inputs=()):
    """Run a command that writes ``output`` (every command's ``-o``): if it fails (any exit but 0, an error, a
    crash) before it has written the whole file, a regular file already at ``output`` is removed and that is said
    on stderr, so an earlier run's output never looks like this run's (``compile -o f || true; submit f`` would
    send the old graph). A file this run wrote is kept (lint's report of a run with findings, exit 1). A link, a
    device or a pipe is left alone.

    ``output`` that is the same file as one of the command's ``inputs`` (``compile p.yaml -o p.yaml``, ``-o
    ./p.yaml``, a hard link or a symlink to it) is refused before the command runs, exit 2, naming both: the
    output would replace what the command reads (audit graph27 4: the playbook became its picture, exit 0)."""
    if output is None:
        yield
        return
    same = next((source for source in inputs if source and source != "-" and _same_file(output, source)), None)
    if same is not None:
        fail(
            f"-o {output} is the same file as the input {same}: the {what} would replace it; nothing was written "
            "(give -o another file)",
            EXIT_USAGE,
        )
    linked = output_link_problem(output)
    if linked is not None:  # refused before the command runs; open_output_file refuses a link made since
        fail(linked, EXIT_USAGE)
    key = os.path.abspath(output)
    _WRITTEN.discard(key)
    _STARTED.discard(key)
    try:
        yield
    except BaseException as exc:
        failed = not (isinstance(exc, SystemExit) and exc.code in (0, None))
        if failed and key not in _WRITTEN:
            _remove_stale(output, command, what, partial=key in _STARTED)
        raise


def removes_stale_output(command: str, what: str, *, inputs: tuple[str, ...] = ()):
    """Decorate a command whose ``-o`` is the parameter ``output``: it runs in :func:`no_stale_output`, with the
    paths in the parameters named ``inputs`` (a path or a tuple of them) as the files it reads."""

    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            sources: list[str] = []
            for name in inputs:
                value = kwargs.get(name)
                sources.extend(value if isinstance(value, (tuple, list)) else [value] if value else [])
            with no_stale_output(kwargs.get("output"), command=command, what=what, inputs=sources):
                return function(*args, **kwargs)

        run.stale_output = (command, what)  # read by StaleOutputCommand's parse step
        return run

    return decorate


class StaleOutputCommand(click.Command):
    """The class of every command decorated with :func:`removes_stale_output` (``@click.command(NAME,
    cls=StaleOutputCommand)``; tests/test_output_safety.py checks each is): the decorator runs in the command's
    body, but click rejects a command line (an unknown option, a bad ``--format`` or ``-j``, a missing argument)
    while it parses it, before the body runs. So the parse step does what the decorator would: a regular file
    named by ``-o``/``--output`` in the raw arguments is removed, and that is said, before click's usage error
    (exit 2) -- unless it is also named elsewhere on the command line (``compile p.yaml -o p.yaml --bogus``: maybe
    what the command reads, never removed). Audit reports26 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        raw = list(args)  # click's parser consumes the list it is given
        try:
            return super().parse_args(ctx, args)
        except click.UsageError:
            stale = getattr(self.callback, "stale_output", None)
            taking = {name for p in self.params if isinstance(p, click.Option) and not p.is_flag for name in p.opts}
            output, others = output_in_args(raw, taking - {"-o", "--output"})
            if stale is not None and output and not any(_same_file(output, arg) for arg in others):
                _remove_stale(output, *stale)
            raise


def output_in_args(args: Sequence[str], taking: Collection[str] = ()) -> tuple[str | None, list[str]]:
    """The path ``-o``/``--output`` names in a raw command line (``-o X``, ``-oX``, ``--output X``,
    ``--output=X``; the last one, as click takes it; nothing after ``--`` is an option, nor the value of an option
    in ``taking``, such as ``--quotes -ox.yaml``), or None; and every other argument, with the value of an
    ``--option=value`` on its own (a file the command may read)."""
    found, others = None, []
    rest = iter(args)
    for arg in rest:
        if arg in taking:
            others.append(next(rest, ""))
        elif arg in ("-o", "--output"):
            found = next(rest, None)
        elif arg.startswith("--output="):
            found = arg.removeprefix("--output=")
        elif arg.startswith("-o") and len(arg) > 2:
            found = arg[2:]
        elif arg == "--":
            others.extend(rest)
        else:
            others.append(arg.partition("=")[2] if arg.startswith("--") and "=" in arg else arg)
    return found, others


def _same_file(output: str, source: str) -> bool:
    try:
        return os.path.samefile(output, source)
    except (OSError, ValueError):
        return False


def _remove_stale(output: str, command: str, what: str, *, partial: bool = False) -> None:
    """Remove the regular file at ``output`` and say so: an earlier run's, or (``partial``) the part of its
    ``what`` this run wrote before it failed (a full disk; audit ci28 5)."""
    whose = f"partly written by this {command}" if partial else "from an earlier run"
    held = (
        f"holds part of this {command}'s {what}" if partial else f"is from an earlier run, not this {command}'s {what}"
    )
    try:
        info = os.lstat(output)
    except OSError:
        return  # nothing there: nothing stale
    if not stat.S_ISREG(info.st_mode):
        return
    try:
        os.unlink(output)
    except OSError as exc:
        click.echo(
            "graphc: warning: "
            + one_line(f"{output} {held} (it failed), and it could not be removed: {exc.strerror or exc}"),
            err=True,
        )
        return
    click.echo(
        "graphc: " + one_line(f"removed {output} ({whose}): the {command} failed, so it must not read as its {what}"),
        err=True,
    )


# The reports read by people, line by line: every line passes graphc.api.redact.redact, as router text does. JSON
# and SARIF are data (their strings hold no frame of a file's text).
LINE_FORMATS = ("text", "github", "junit")


def masked(text: str) -> str:
    """``text`` through graphc.api.redact.redact, importing it only when it can change something: a secret is
    registered only through that module (so none is while it is not imported), and its other mask, a bearer
    token, needs the word. A lint that names no key keeps the import off its start-up (bench: warm lint)."""
    if "graphc.api.redact" not in sys.modules and "bearer" not in text.lower():
        return text
    from graphc.api.redact import redact  # deferred: see above

    return redact(text)


def write_report(
    fmt: str,
    results,
    output: str | None,
    *,
    explain_skips: bool = False,
    summary: bool = True,
    nothing_linted: str = "",
    not_read: str = "",
    unread: dict[str, str] | None = None,
    crashed: dict[str, str] | None = None,
    nothing_allowed: bool = False,
    empty: dict[str, str] | None = None,
):
    """Render ``results`` in ``fmt`` (colour only for text on a terminal; rule pages only in SARIF) and write
    it with :func:`write_output`; ``nothing_linted``: why no file was (the summary line says it). A report
    written to a file (``output``) has its closing line said on stderr too (:func:`graphc.report.verdict_line`)."""
    from graphc.report import render  # deferred: only lint writes a report
    from graphc.report.text import should_color  # deferred: only lint writes a report

    color = fmt == "text" and output is None and should_color(sys.stdout)
    rules = RuleTable(with_help=fmt == "sarif")
    text = render(
        fmt,
        results,
        color=color,
        tool_version=__version__,
        explain_skips=explain_skips,
        summary=summary,
        rules=rules,
        nothing_linted=nothing_linted,
        not_read=not_read,
        unread=unread,
        crashed=crashed,
        nothing_allowed=nothing_allowed,
        empty=empty,
        encoding=narrow_encoding(sys.stdout) if fmt == "text" and output is None else None,
    )
    text = text if text.endswith("\n") else text + "\n"
    if fmt in LINE_FORMATS:
        text = masked(text)  # the key, whatever file echoed it (audit sec29 1), as router text is masked
    write_output(text, output, what="the report", for_people=fmt == "text")  # the others are read by programs
    left_out = ""
    if fmt == "sarif":  # a log that cannot list every result says so on stderr too
        from graphc.report.sarif import left_out_note  # deferred: only lint writes a report

        left_out = left_out_note(results)
        if left_out and output is None:
            click.echo(f"graphc: note: the SARIF report{left_out.removeprefix('it')}", err=True)
    if output is not None and summary:  # the verdict is never only in a file: a CI log shows it (audit ci22 3)
        from graphc.report import verdict_line  # deferred: only lint writes a report

        line = verdict_line(
            results,
            fmt,
            output,
            explain_skips=explain_skips,
            nothing_linted=nothing_linted,
            not_read=not_read,
            crashed=crashed,
            empty=empty,
            left_out=left_out,
        )
        click.echo(f"graphc: {line}", err=True)


def narrow_encoding(stream) -> str | None:
    """``stream``'s encoding when it cannot write every character (cp1252, ASCII), for the text report to escape
    its code frames as the stream's ASCII fallback would and keep their markers under the span; else None."""
    encoding = getattr(stream, "encoding", None)
    return None if holds_all_of_unicode(encoding) else encoding or "ascii"


class RuleTable(Mapping):
    """:func:`graphc.rules.registry.report_rules`, made when a renderer first looks a rule up.

    The text format never does; importing every rule family for it would be a
    tenth of a lint whose findings all come from the cache.
    """

    def __init__(self, *, with_help: bool = False):
        self._with_help = with_help
        self._table: Mapping | None = None

    def _rules(self) -> Mapping:
        if self._table is None:
            from graphc.rules.registry import report_rules  # deferred: the point of this class

            self._table = report_rules(with_help=self._with_help)
        return self._table

    def __getitem__(self, code):
        return self._rules()[code]

    def __iter__(self):
        return iter(self._rules())

    def __len__(self) -> int:
        return len(self._rules())

    def __bool__(self) -> bool:
        return True  # never empty; asking must not build it


def print_diagnostics(results, *, stream=None, summary=False, explain_skips=False):
    """Print diagnostics as text (with source snippets) to stderr by default; ``explain_skips`` lists skipped checks."""
    from graphc.report import render  # deferred: a clean compile prints nothing
    from graphc.report.text import should_color  # deferred: a clean compile prints nothing

    stream = stream or sys.stderr
    text = render(
        "text",
        results,
        color=should_color(stream),
        summary=summary,
        explain_skips=explain_skips,
        encoding=narrow_encoding(stream),
    )
    if text:
        text = masked(text)  # the key, whatever file echoed it (audit sec29 1), as router text is masked
        stream.write(text if text.endswith("\n") else text + "\n")


def show_file_problems(diagnostics) -> bool:
    """One file's own problems, the project's graphc.toml's (``load_config``/``load_project``) or a ``--quotes``
    snapshot's (``build_options``), shown as `graphc lint` shows them (:func:`graphc.lint.located_result`: at their
    line in that file, with its snippet); True when one is an error: the file's settings or prices were not read."""
    if not diagnostics:
        return False
    from graphc.diagnostics import has_errors  # deferred: only a file with problems needs it
    from graphc.lint import located_result  # deferred: the linter; most runs have files without problems

    print_diagnostics([located_result(diagnostics)])
    return has_errors(diagnostics)


def exit_on_file_errors(diagnostics) -> None:
    """:func:`show_file_problems`, then exit 1 on an error: a command does not go on without its settings or
    its prices."""
    if show_file_problems(diagnostics):
        sys.exit(EXIT_FINDINGS)


def exit_on_findings(result: FileResult) -> NoReturn:
    """Stop a command whose input has findings: exit 1, or 2 when the input cannot be read as text (NUL or
    another control character; UTF-16 without its byte-order mark), or a `use:` template it reads is not UTF-8
    (GC112), which is unreadable input (spec §8), as ``graphc lint`` and ``graphc fmt`` exit for it
    (docs/rules/GC100.md, GC112.md)."""
    from graphc.lint import checked  # deferred: the lint module; only a command stopping on findings needs it

    sys.exit(EXIT_FINDINGS if checked(result) else EXIT_USAGE)


def read_error(path, exc) -> str:
    reason = getattr(exc, "strerror", None) or str(exc)
    if isinstance(exc, UnicodeDecodeError):
        reason = "not UTF-8 text"
    return one_line(f"cannot read {path}: {reason}")


def read_input(source, stdin_name: str = "<stdin>") -> tuple[str, str]:
    """(text, shown path) of a file argument, ``-`` meaning stdin.

    An unreadable or undecodable input is reported as GC112 (at the first bad
    byte) and exits 2.
    """
    path = stdin_name if source == "-" else str(source)
    try:
        return (read_stdin() if source == "-" else read_source(source)), path
    except (OSError, UnicodeDecodeError) as exc:
        exit_unreadable(path, exc)


def exit_unreadable(path: str, exc: Exception) -> NoReturn:
    """Print GC112 for ``path`` (stderr, text format) and exit 2."""
    print_unreadable(path, exc)
    sys.exit(EXIT_USAGE)


def print_unreadable(path: str, exc: Exception) -> None:
    """GC112 for ``path`` on stderr, text format, with the line of the first bad byte."""
    diagnostic, text = unreadable(path, exc)
    print_diagnostics([FileResult(path, text, [diagnostic], [])])


def print_unwritable(path: str, exc: OSError) -> None:
    """GC112 for ``path``, a file graphc read and could not write back (:func:`graphc.files.replace_file` left it
    as it was), on stderr as :func:`print_unreadable` gives one it could not read."""
    why = exc.strerror or str(exc) or type(exc).__name__
    hint = (
        "the file is left as it was; graphc writes the new text to a temporary file in the file's folder and moves "
        "it over the file, so the file and its folder must be writable and the disk must have room"
    )
    diagnostic = Diagnostic(UNREADABLE, f"cannot write the file: {why}", path, None, hint=hint)
    print_diagnostics([FileResult(path, None, [diagnostic], [])])


def warn_not_followed(links: list[str], *, verb: str = "lint") -> None:
    """Say which symlinks a walk or glob did not follow (target outside the project root, docs/robustness.md
    "Reading files"): a file not read must never pass unnoticed. A warning, not a failure: a walk cannot tell
    whether the file behind it is graphc's, and most YAML in a repository is not. ``verb``: what naming the file
    does (``lint``, ``format``)."""
    if not links:
        return
    links = [display_path(os.path.normpath(link)) for link in links]
    names = ", ".join(links) if len(links) <= 3 else f"{len(links)} files ({', '.join(links[:3])}, ...)"
    links_to = "a symlink to a file" if len(links) == 1 else "symlinks to files"
    message = one_line(f"{names} not read: {links_to} outside the project root (name a file to {verb} it)")
    click.echo(f"graphc: warning: {message}", err=True)


# -- shared by the commands that talk to the router -------------------------------------------


def ledger_option(help: str = "Ledger file (default: .graphc/ledger.sqlite in the project root)."):
    """``--ledger PATH`` of submit, ledger, amend and kill-switch (``ledger_path``; None: the project's ledger)."""
    return click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False), help=help)


class FiniteFloat(click.FloatRange):
    """A float option's type (every seconds option: --settle, --retry, --max-age, --interval; --speed) within its
    range, and a finite number: click's FloatRange lets ``nan`` through (every comparison with it is false), and
    ``inf`` where there is no maximum; ``--settle nan`` crashed later, ``--max-age nan`` turned the re-pricing off
    (audit recur23 4). Either is a usage error here (exit 2), named with the option."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


MAX_SETTLE_S = 24 * 3600.0  # graphc.run.MAX_SETTLE_S (not imported here: --help stays fast)


def settle_option(help: str):
    """``--settle SECONDS`` of run and submit (``settle_s``; None: the client's longest call plus the landing
    margin, :func:`graphc.submit.landing_time_s`): how long a fresh process waits before it first sends a scheduled
    occurrence its ledger has no record of (:func:`graphc.submit.settle_left`)."""
    return click.option("--settle", "settle_s", type=FiniteFloat(min=0, max=MAX_SETTLE_S), metavar="SECONDS", help=help)


def fail(message: str, code: int, *, prefix: str = "error") -> NoReturn:
    """Print one line to stderr and exit with ``code`` (the only way the router commands stop early); a path or
    value in ``message`` has its line breaks and control characters escaped (sec16 8: never a workflow command)."""
    message = one_line(message)
    click.echo(f"graphc: {prefix}: {message}" if prefix else f"graphc: {message}", err=True)
    sys.exit(code)


def confirm_or_refuse(question: str, *, no_terminal: str, not_done: str) -> None:
    """Ask ``question`` (y/N, on stderr) on the terminal and return only on yes: the one prompt of the commands
    that ask before they act. Anything else refuses with exit 2 and nothing done: no terminal to ask on
    (``no_terminal`` says what to pass instead), `n`, Enter, Ctrl-C or Ctrl-D (a no, never an internal error;
    audit plan20 2); any other answer asks again. ``not_done`` says what did not happen.

    The question is shown cleaned (:func:`graphc.api.redact.clean`: keys masked, control characters and escape
    sequences written as escapes), whatever its caller built it from: a bundle's name, the router's name of a
    strategy and a wire file's name reach it, and an escape sequence in one could rewrite or hide the line that
    asks for real money (audit sec29 3)."""
    from graphc.api.redact import clean  # deferred: only a prompt needs it (lint never asks)

    question = clean(question, None)
    if not sys.stdin.isatty():
        fail(no_terminal, EXIT_USAGE, prefix="refused")
    try:
        while True:
            answer = _typed_line(f"{question} [y/N]: ")
            if not answer:  # Ctrl-D: the question's line was never ended
                raise KeyboardInterrupt
            answer = answer.strip().lower()
            if answer in ("y", "yes"):
                return
            if answer in ("", "n", "no"):
                break
            click.echo("Error: invalid input", err=True)
    except KeyboardInterrupt:  # Ctrl-C or Ctrl-D
        click.echo("", err=True)
    fail(f"not confirmed: {not_done}", EXIT_USAGE, prefix="refused")


def _typed_line(prompt: str) -> str:
    """``prompt`` on stderr, then one line typed on the terminal ("" at Ctrl-D). The terminal is polled, not read
    at once: a Ctrl-C that arrives after the prompt is written but before a blocking read begins would wait,
    unhandled, for the next key press (Python runs a signal's handler between bytecodes, and ``input()`` goes
    from the write to the read in C; seen in CI under load). Polling runs it within the poll's interval."""
    import select  # deferred: only the prompt needs it

    sys.stderr.write(prompt)
    sys.stderr.flush()
    if os.name == "nt":  # select() takes only sockets there
        return sys.stdin.readline()
    while not select.select([sys.stdin], [], [], 0.2)[0]:
        pass
    return sys.stdin.readline()


def parse_seconds(text: str | None, option: str, maximum: float | None = None) -> float | None:
    """``30``, ``90s``, ``15m``, ``24h`` or ``2d`` as seconds (a bare number is seconds), at most ``maximum``."""
    if text is None:
        return None

    raw = text.strip().lower()
    scale = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(raw[-1:])
    number = raw[:-1] if scale else raw
    try:
        value = Decimal(number) * (scale or 1)
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not a duration such as 90s, 15m or 24h", param_hint=option) from None
    if not value.is_finite() or value < 0:
        raise click.BadParameter(f"{text!r} must be 0 or more", param_hint=option)
    if maximum is not None and value > Decimal(str(maximum)):
        days = f" ({maximum / 86400:g}d)" if maximum >= 86400 else ""
        raise click.BadParameter(f"{text!r} is more than the maximum, {maximum:.0f}s{days}", param_hint=option)
    seconds = float(value)
    if not math.isfinite(seconds):  # 1e400: a finite Decimal, but an infinite float (a wait with no end)
        raise click.BadParameter(f"{text!r} is too large: not a finite number of seconds", param_hint=option)
    return seconds


def api_errors(fn):
    """Decorator: graphc's API, ledger and library refusals become one stderr line and their exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from graphc.api.errors import ApiError, ApiHTTPError, LedgerError  # deferred: only the router commands need it
        from graphc.submit import Refused  # deferred: the submitter; only the router commands need it

        try:
            return fn(*args, **kwargs)
        except Refused as exc:
            fail(exc.message, exc.exit_code, prefix="refused")
        except (ApiError, LedgerError) as exc:
            fail(_untagged_answer(str(exc)) if isinstance(exc, ApiHTTPError) else str(exc), exc.exit_code)

    return wrapper


def _untagged_answer(message: str) -> str:
    """A router refusal (``METHOD PATH: HTTP 409 ...: node spot.gc… is cancelled``) with the node ids of the
    router's words shown as the playbook names them; the request's path, before the first ``: ``, is kept."""
    from graphc.api.runtag import untagged_text  # deferred: the emitter; only router errors need it

    request, sep, answer = message.partition(": ")
    return request + sep + untagged_text(answer) if sep else message


def make_client(verbose: bool = False):
    """A client from the environment; the CLI's log lines (retries; with ``verbose`` every request) on stderr."""
    from graphc.api.client import Client  # deferred: httpx; only the router commands need it
    from graphc.api.secrets import configure_cli_logging  # deferred: only the router commands need it

    configure_cli_logging(verbose)
    return Client.from_env()


# -- the plan summary ------------------------------------------------------------------------------


def bold_style(stream=None):
    """click bold on a colour terminal (NO_COLOR honoured), else plain text."""
    from graphc.report.text import should_color  # deferred: only plan and submit print a summary

    if should_color(stream or sys.stdout):
        return lambda s: click.style(s, bold=True)
    return lambda s: s


# The plan summary's bounds (docs/robustness.md, "What reports print"): what a person reads before money moves is
# readable at any size, and its size grows with the legs, never with the square of a chain's depth (audit scale25 1:
# a 30,000-leg chain printed 1.35 GB when every level was indented once more).
SUMMARY_TREE_LINES = 200  # lines of the trigger tree shown; the rest are counted: "… and K more lines of the tree"
SUMMARY_TREE_INDENT = 10  # levels of indentation shown; a line deeper than that says its depth: `└─[1234] n1234`


def summary_lines(
    wire: dict, quotes: dict, *, bold=lambda s: s, turned_off: str | None = None, hidden: Sequence = ()
) -> Iterator[str]:
    """Legs table, trigger tree, risk limits, total notional, SANDBOX/LIVE: what a person reads before money moves,
    then ``turned_off``, the checks the project's config turns off, and what the suppression comments ``hidden``
    (:class:`graphc.lint.Hidden`) hid, each code with its comment's file:line (so "ready" never hides either).
    A leg's row ends with how it is worked (:func:`graphc.humanize.execution_text`: policy, urgency, slippage cap,
    horizon, tif, TWAP pacing), as `graphc graph` draws it: how long an order runs and how far it may slip.
    Bounded but for the legs table (a row a leg): the trigger tree shows :data:`SUMMARY_TREE_LINES` lines, indented
    at most :data:`SUMMARY_TREE_INDENT` levels, and the total names at most 20 legs left out of it; the lines are
    yielded as they are made."""
    from graphc.humanize import (  # deferred: only plan and submit use it
        edge_label,
        execution_text,
        money_text,
        number,
        size_text,
    )
    from graphc.lint import hidden_text  # deferred: only plan and submit print a summary
    from graphc.plan import summarize  # deferred: only plan and submit print a summary

    summary = summarize(wire, quotes)
    rows = [("leg", "side", "size", "instrument", "venue", "price", "notional", "execution")]
    for leg in summary.legs:
        price = number(leg.limit) if leg.limit is not None else ("market" if leg.order_type == "market" else "?")
        rows.append(
            (
                leg.node_id,
                leg.side,
                size_text(leg.quantity, leg.symbol, leg.type, leg.venue),
                leg.symbol,
                str(leg.venue or "sor"),
                price,
                _notional(leg),
                execution_text(leg.execution, with_default_policy=True),  # as `graphc graph` says it
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        yield "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip()
        if index == 0:
            yield "  ".join("-" * w for w in widths)
    yield ""
    yield "triggers:"
    for line in summary.tree[:SUMMARY_TREE_LINES]:
        if line.parent is None:
            yield f"  {line.node_id} (root, by default)" if line.by_default else f"  {line.node_id} (root)"
        else:
            yield f"  {_tree_branch(line.depth)} {line.node_id}  after {line.parent} {edge_label(line.edge or {})}"
    if len(summary.tree) > SUMMARY_TREE_LINES:
        yield f"  … and {len(summary.tree) - SUMMARY_TREE_LINES:,} more lines of the tree (`graphc graph` draws it all)"
    limits = []
    if summary.max_notional is not None:
        limits.append(f"max notional {money_text(summary.max_notional)}")
    if summary.max_loss is not None:
        limits.append(f"max loss {money_text(summary.max_loss)}")
    yield ""
    yield "risk: " + (", ".join(limits) if limits else "no limits")
    yield f"total notional: {_total_text(summary)}"
    if summary.is_sandbox is True:
        mode = "SANDBOX (paper trading)"
    elif summary.is_sandbox is False:
        mode = "LIVE: real orders, real money"
    else:
        mode = "NOT SET: no is_sandbox, the router's default would decide (submit refuses it)"
    yield "mode: " + bold(mode)
    if turned_off:
        yield turned_off
    said = hidden_text(hidden)
    if said:
        yield said


def _tree_branch(depth: int) -> str:
    """``└─`` indented three spaces a level, or, past :data:`SUMMARY_TREE_INDENT` levels, indented that far and
    saying its depth (``└─[1234]``): a chain's lines stay as wide as its tenth level's."""
    if depth <= SUMMARY_TREE_INDENT:
        return f"{'   ' * depth}└─"
    return f"{'   ' * SUMMARY_TREE_INDENT}└─[{depth}]"


def occurrence_lines(prepared) -> list[str]:
    """A scheduled playbook's schedule and the occurrence a plan or submission is, for people (docs/recurring.md,
    "By hand"); nothing for any other run."""
    from graphc.schedule import describe_duration, utc_text  # deferred: zoneinfo; only plan and submit use it

    lines = []
    if prepared.schedule is not None:
        lines.append(f"schedule: {prepared.schedule.describe()}")
    if prepared.occurrence is not None:
        lines.append(f"occurrence: {occurrence_text(prepared)}")
        if prepared.due is not None:
            late = prepared.due.at - prepared.occurrence
            late -= timedelta(microseconds=late.microseconds)  # the wall clock's microseconds say nothing here
            lines[-1] += f": due, {describe_duration(late)} ago (now is {utc_text(prepared.due.at)})"
    return lines


def occurrence_text(prepared) -> str:
    """``Mon 2026-01-05 14:00 GMT (2026-01-05T14:00Z)``: the occurrence a run is (a saved plan's: in UTC only)."""
    from graphc.schedule import utc_text  # deferred: zoneinfo; only plan and submit use it

    utc = utc_text(prepared.occurrence)
    return utc if prepared.schedule is None else f"{prepared.schedule.local_text(prepared.occurrence)} ({utc})"


def _total_text(summary) -> str:
    """`$930,066`; `at least $4,000 (unknown for ...)` when legs are left out of the sum; `unknown (...)` when
    every leg is: nothing was added up, and "at least $0" would read as a number (audit cmds16 7b)."""
    from graphc.numbers import usd  # deferred: only plan and submit print a summary
    from graphc.stages.suggest import listed  # deferred: only plan and submit print a summary

    # at most MAX_LISTED (20) legs each, "… and K more" (audit scale25 1: 558,914 characters for a 30k chain)
    unknown, not_dollars = listed(summary.unknown, sort=False), listed(summary.not_dollars, sort=False)
    left_out = []
    if summary.unknown:
        left_out.append(f"unknown for {unknown}")
    if summary.not_dollars:
        left_out.append(f"not in dollars: {not_dollars}")
    if not left_out:
        return usd(summary.total)
    if len(summary.unknown) + len(summary.not_dollars) < len(summary.legs):
        return f"at least {usd(summary.total)} ({'; '.join(left_out)})"
    if not summary.not_dollars:
        return f"unknown ({unknown})"
    return f"unknown in dollars ({'; '.join(reversed(left_out))})"


def _notional(leg) -> str:
    """A leg's notional in its market's currency: `$1,234.57`, `$0.999`, `50 BTC`; `?` when it has no price.
    Dollars exactly, in GC301's and GC503's words (numbers.usd): never rounded or cut to cents, so 6.66 shares at
    0.15 is `$0.999` in the table and in GC301's line, not "$0.99" in one and "$1.00" in the other (audit desk21
    1), a notional a hair over risk.max_notional reads over it (`$1,000.00009`; plan20 6), and one under a cent is
    never `$0.00` (`$0.000001`)."""
    from graphc.vocabulary import DOLLARS  # deferred: only plan and submit print a summary

    if leg.notional is None:
        return "?"
    from graphc.numbers import plain, usd  # deferred: only plan and submit print a summary

    if leg.currency in DOLLARS:
        return usd(leg.notional)
    # plain normalises exactly: Decimal.normalize() rounds to the 28-digit context
    return f"{Decimal(plain(leg.notional)):,f} {leg.currency or '(quote currency)'}"


# -- a graph's progress --------------------------------------------------------------------------

BAR_WIDTH = 20


def _scaled(value: int, scale: int) -> str:
    """An integer at 10**scale as plain decimal text (``20000000000``, 8 -> ``200``), every digit kept: the exponent
    is set, not computed (``scaleb`` and ``normalize`` round to the 28-digit context; audit follow26 3)."""
    from graphc.numbers import plain  # deferred: only the router commands show a graph's progress

    sign, digits, _ = Decimal(value).as_tuple()
    return plain(Decimal((sign, digits, -scale)))


def progress_bar(filled: int, target: int, width: int = BAR_WIDTH) -> str:
    done = min(width, width * filled // target) if target > 0 else 0
    return "[" + "#" * done + "." * (width - done) + "]"


def _percent(filled: int, target: int) -> str:
    """Filled as a percentage of target, as the router gave them: above 100.0% for a leg the router shows filled
    beyond its order (not capped: audit status28 1; the bar is full)."""
    per_mille = filled * 1000 // target if target > 0 else 0
    return f"{per_mille // 10}.{per_mille % 10}%"


def render_graph(view) -> list[str]:
    """Progress lines for a :class:`graphc.api.follow.GraphView`."""
    width = max((len(n.name) for n in view.nodes), default=4)
    lines = [f"graph {view.graph_id}: {view.status}"]
    for node in view.nodes:
        avg = _scaled(node.avg_fill_price_1e9, 9) if node.filled_qty_1e8 and node.avg_fill_price_1e9 else "-"
        fills = f" ({node.fill_count} fill{'s' if node.fill_count != 1 else ''})" if node.fill_count else ""
        lines.append(
            f"  {node.name:<{width}}  {progress_bar(node.filled_qty_1e8, node.target_qty_1e8)} "
            f"{_percent(node.filled_qty_1e8, node.target_qty_1e8):>6}  "
            f"{_scaled(node.filled_qty_1e8, 8)} / {_scaled(node.target_qty_1e8, 8)}  avg {avg}  {node.status}{fills}"
        )
    if view.edges:
        lines.append("  edges: " + ", ".join(f"{e.edge_id} {e.status}" for e in view.edges))
    return lines


class StdoutFailed(Exception):
    """A write of the :class:`Screen` to stdout failed (a full disk: ``> /dev/full``; a closed stdout: ``>&-``,
    ``cause`` None): raised past the poll loop, for :func:`follow_and_report` to say as every command says a stdout
    it cannot write (audit status28 3: exit 4 "a bug in graphc", and a watched submit's graph named nowhere)."""

    def __init__(self, cause: OSError | None):
        super().__init__(cause)
        self.cause = cause


ELLIPSIS = "\u2026"


def display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: a wide or full-width character two, a combining mark none."""
    import unicodedata  # deferred: only a terminal's redraw measures lines

    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def fit_line(text: str, columns: int, ellipsis: str = ELLIPSIS) -> str:
    """``text`` cut to fewer than ``columns`` display columns (one is left free, so the terminal never wraps the
    line nor holds its cursor past the edge), ending with ``ellipsis`` when cut."""
    room = max(1, columns - 1)
    if display_width(text) <= room:
        return text
    room -= display_width(ellipsis)
    kept, used = [], 0
    for char in text:
        width = display_width(char)
        if used + width > room:
            break
        kept.append(char)
        used += width
    return "".join(kept) + ellipsis


class Screen:
    """Redraws in place on a terminal; elsewhere prints a block only when it changes.

    On a terminal each line is cut to its width (:func:`fit_line`), so a line takes one row; the redraw moves up
    over the rows the last block took, draws, and clears from there to the end of the screen (``ESC[J``), so a
    shorter block leaves nothing stale below it. A line written to stderr between polls (a retry notice, on the
    same terminal) moves the cursor: the next block is drawn afresh below it (:meth:`noticing_stderr`), as is a
    block taller than the terminal (``ESC[nF`` stops at its top). Audit status28 5: stale `active` and 50% lines
    stayed on screen beside the current ones. A write that fails is :class:`StdoutFailed`."""

    def __init__(self, out=None, tty: bool | None = None, size: Callable[[], tuple[int, int]] | None = None):
        self.out = out if out is not None else sys.stdout
        if tty is None:
            isatty = getattr(self.out, "isatty", None)
            tty = bool(isatty()) if isatty is not None else False
        self.tty = tty
        self.size = size or self._terminal_size
        self.previous: list[str] = []
        self.rows = 0  # rows of the block on screen that the next redraw moves up over (0: draw it afresh)
        # the next block is drawn even if unchanged: set by fresh() (a line was written below the block); an
        # unchanged block is otherwise never written again, whatever its height (audit review28 3: a block taller
        # than the screen, appended, was written again at every poll)
        self.must_redraw = True

    def _terminal_size(self) -> tuple[int, int]:
        try:
            size = os.get_terminal_size(self.out.fileno())
        except (AttributeError, ValueError, OSError):
            import shutil  # deferred: only a terminal's redraw asks its size

            size = shutil.get_terminal_size()
        return size.columns, size.lines

    def show(self, view) -> None:
        lines = render_graph(view)
        if lines == self.previous and not (self.tty and self.must_redraw):
            return
        text = self._redraw(lines) if self.tty else "".join(line + "\n" for line in lines)
        self._write(text)
        self.previous = lines
        self.must_redraw = False

    def _redraw(self, lines: list[str]) -> str:
        columns, height = self.size()
        encoding = getattr(self.out, "encoding", None)
        ellipsis = ELLIPSIS if holds_all_of_unicode(encoding) else "..."
        fitted = [fit_line(line, columns, ellipsis) for line in lines] if columns > 0 else lines
        up = f"\x1b[{self.rows}F" if self.rows else ""
        text = up + "".join("\x1b[2K" + line + "\n" for line in fitted) + "\x1b[J"
        self.rows = len(fitted) if 0 < len(fitted) < height else 0  # taller than the screen: append the next one
        return text

    def _write(self, text: str) -> None:
        if self.out is None:
            raise StdoutFailed(None)
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise StdoutFailed(exc) from None

    def say(self, line: str) -> None:
        """A line after the block (how the graph ended), written as the block is."""
        self._write(line + "\n")

    def fresh(self) -> None:
        """Something else was written to the terminal below the block: draw the next block afresh."""
        self.rows = 0
        self.must_redraw = True

    @contextmanager
    def noticing_stderr(self) -> Iterator[None]:
        """While it is in force, a line written to ``sys.stderr`` (the client's retry notices, any warning) makes
        the next block be drawn afresh below it, when stderr is a terminal too (it shares the screen)."""
        stderr = sys.stderr
        isatty = getattr(stderr, "isatty", None)
        if not self.tty or stderr is None or isatty is None or not isatty():
            yield
            return
        import logging  # deferred: only a watch on a terminal swaps the log's stream

        noticed = _Noticed(stderr, self)
        # the log's handler (graphc.api.secrets.configure_cli_logging: the client's retry notices) holds stderr itself
        loggers = (logging.getLogger(), logging.getLogger("graphc"))
        handlers = [
            h for lg in loggers for h in lg.handlers if isinstance(h, logging.StreamHandler) and h.stream is stderr
        ]
        sys.stderr = noticed
        for handler in handlers:
            handler.setStream(noticed)
        try:
            yield
        finally:
            for handler in handlers:
                if handler.stream is noticed:
                    handler.setStream(stderr)
            if sys.stderr is noticed:
                sys.stderr = stderr


class _Noticed:
    """``sys.stderr`` while a :class:`Screen` redraws: each write tells the screen to draw its next block afresh."""

    def __init__(self, stream, screen: Screen):
        self._stream = stream
        self._screen = screen

    def write(self, text) -> int:
        if text:
            self._screen.fresh()
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def follow_and_report(
    client,
    graph_id: str,
    *,
    interval: float,
    timeout: float | None,
    what: str = "",
    live: Callable[[], bool] = lambda: False,
    unit_of: Callable[[object], str | None] = lambda node: None,
    submitted: bool = False,
) -> int:
    """Follow a graph to its end (or pause, or ``timeout``); print how it ended; return the exit code.

    0 completed; 1 cancelled, failed, paused (with the resume command: ``live()`` says whether the graph is LIVE,
    when it paused, so that the command says --live), completed with a leg short of its order
    (:func:`graph_outcome`; ``unit_of(node)`` names a leg's units, or None) or still running at the timeout.
    A stdout that cannot be written (full, closed) is :func:`unwritable_stdout`, exit 2; ``submitted`` (this
    command created the graph) names the graph in that line.
    """
    screen = Screen()
    try:
        return _follow_on(screen, client, graph_id, interval, timeout, what, live, unit_of)
    except StdoutFailed as exc:
        said = None
        if submitted:
            said = f"graph {graph_id} was submitted and keeps running at the router (`graphc status {graph_id} --watch` follows it)"
        unwritable_stdout(exc.cause, said=said, what="its progress")


def _follow_on(screen: Screen, client, graph_id, interval, timeout, what, live, unit_of) -> int:
    from graphc.api.follow import PAUSED, TIMED_OUT, follow, resume_command  # deferred: only the router commands

    with screen.noticing_stderr():
        followed = follow(client, graph_id, interval=interval, timeout=timeout, show=screen.show)
    if followed.reason == PAUSED:
        click.echo(
            f"graph {graph_id} is paused: nothing more happens until it is resumed; resume it with "
            f"{resume_command(graph_id, live())}, then follow it with `graphc status {graph_id} --watch`",
            err=True,
        )
        return EXIT_FINDINGS
    if followed.reason == TIMED_OUT:
        click.echo(
            f"graphc: graph {graph_id} is still {followed.view.status} after {timeout:g} s{what}; "
            f"follow it with `graphc status {graph_id} --watch`",
            err=True,
        )
        return EXIT_FINDINGS
    return report_outcome(followed.view, unit_of, screen.say)


def report_outcome(view, unit_of: Callable[[object], str | None], say: Callable[[str], None]) -> int:
    """Say how a graph in a terminal state ended and return the exit code: the line ``graph G <status>`` through
    ``say`` (stdout), then :func:`graph_outcome`'s lines on stderr. What `status --watch`, `submit --watch` and a
    plain `status` of a finished graph print and exit with: one verdict, however the graph was looked at."""
    say(f"graph {view.graph_id} {view.status}")
    code, lines = graph_outcome(view, unit_of)
    for line in lines:
        click.echo(line, err=True)
    return code


# A leg's node status (reference "Node status values", orders-and-execution-graphs.md) that ended short of its
# order, said as a person reads it: in a completed graph the trade is not the one the playbook asked for (audit
# follow26 1: a rejected hedge read `graph G completed`, exit 0, 200 ETH bought and never hedged).
SHORT_LEGS = {
    "rejected": "was rejected",
    "failed": "failed",
    "partial_fill": "was only partly filled (partial_fill)",
    "executing": "was still executing",  # a completed graph's leg still trading: not done as asked (status28 1)
}
# A leg of a completed graph that never traded as asked for, but by design may not have: a fallback leg whose
# trigger never fired is left pending or cancelled. Named on a note; the exit code is not changed.
UNSTARTED_LEGS = {"pending": "never started (pending)", "cancelled": "was cancelled"}


def graph_outcome(view, unit_of: Callable[[object], str | None] = lambda node: None) -> tuple[int, list[str]]:
    """The exit code of a graph that ended (:class:`graphc.api.follow.GraphView`) and the lines for stderr that go
    with it; the one place that reads a final graph as success or not. 0 completed with every leg filled to its
    order; 1 completed with a leg rejected, failed, only partly filled (`partial_fill`, or `filled` short of its
    target), or still executing (one error line per such leg), cancelled, failed or paused; 3 a leg shown filled
    beyond its target, or `filled` with no target: an answer graphc cannot read as the trade asked for (audit
    status28 1). A completed graph's leg left pending or cancelled gets a note line. A leg's status outside the
    reference's node statuses never reaches here (:func:`graphc.api.follow.check_leg_statuses`, exit 3)."""
    code, lines = (EXIT_OK if view.status == "completed" else EXIT_FINDINGS), []
    for node in view.nodes:
        unit = unit_of(node)
        filled = f"{_scaled(node.filled_qty_1e8, 8)} / {_scaled(node.target_qty_1e8, 8)}{f' {unit}' if unit else ''}"
        if node.filled_qty_1e8 > node.target_qty_1e8 or (node.status == "filled" and node.target_qty_1e8 == 0):
            code = EXIT_REMOTE
            why = "beyond its target" if node.filled_qty_1e8 > node.target_qty_1e8 else "with no target quantity"
            lines.append(
                f"graphc: error: graph {view.graph_id} {view.status}, but the router shows leg {node.name} "
                f"{node.status} {why} ({filled} filled): the answer is inconsistent; look at the leg's orders "
                "(GET /v1/orders) before reading the trade as done"
            )
        elif view.status != "completed":
            continue
        elif node.status in SHORT_LEGS or (node.status == "filled" and node.filled_qty_1e8 < node.target_qty_1e8):
            code = max(code, EXIT_FINDINGS)
            said = SHORT_LEGS.get(node.status, "was only partly filled (the router says filled)")
            lines.append(
                f"graphc: error: graph {view.graph_id} completed, but leg {node.name} {said} "
                f"({filled} filled): the trade is not what the playbook asked for"
            )
        elif node.status in UNSTARTED_LEGS:
            lines.append(
                f"graphc: note: graph {view.graph_id} completed; leg {node.name} {UNSTARTED_LEGS[node.status]} "
                f"({filled} filled), as a leg whose trigger never fired is"
            )
    return code, lines


def wire_units(wire) -> Callable[[object], str | None]:
    """``unit_of`` for :func:`follow_and_report` from a wire graph (its nodes as sent, without the run tag): a
    leg's base asset (``ETH`` for ETH-USD-PERP), or ``shares`` for a prediction market; None for a node it lacks."""
    units = {}
    for node in (wire or {}).get("nodes") or []:
        if isinstance(node, dict) and isinstance(node.get("instrument"), dict):
            instrument = node["instrument"]
            unit = leg_unit(instrument.get("symbol"), instrument.get("type"), instrument.get("venue"))
            if unit is not None:
                units[node.get("node_id")] = unit
    return lambda node: units.get(getattr(node, "name", None))


def leg_unit(symbol, given_type, venue=None) -> str | None:
    """The units a leg's quantity is in (spec §3.2): a prediction market's shares, else the symbol's base asset."""
    from graphc.api.redact import clean  # deferred: only the router commands name units
    from graphc.units import base_asset  # deferred: only the router commands name units
    from graphc.venues.symbols import router_type  # deferred: only the router commands name units

    if not isinstance(symbol, str):
        return None
    return "shares" if router_type(symbol, given_type, venue) == "prediction" else clean(base_asset(symbol), 40)
