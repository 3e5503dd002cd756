"""The ``graphc`` command line: a thin click group.

Each subcommand lives in its own module under :mod:`graphc.commands` and is
imported only when it runs, so ``graphc --version`` and ``graphc lint`` do not
pay for the HTTP client, Jinja2 or networkx unless they use them.
"""

from __future__ import annotations

import gc

# Start-up makes some hundred modules' long-lived objects (functions, classes, constants); the collector's
# passes over them while they were made cost a twentieth of a one-file lint. It is paused while this module's
# imports run, and from main() until the command's module is imported; then what start-up made is frozen
# (gc.freeze: no later pass scans it again) and collection goes on as usual.
_COLLECTING = gc.isenabled()
gc.disable()

import contextlib
import importlib
import importlib.util
import os
import sys
from typing import NoReturn

import click
from click.exceptions import ClickException, Exit, NoSuchCommand

from graphc.ascii_fallback import ERRORS as FALLBACK_ERRORS
from graphc.ascii_fallback import holds_all_of_unicode
from graphc.ascii_fallback import register as register_fallback
from graphc.limits import refusal
from graphc.streams import ClosedStdout, GuardedStdout, StdoutUnwritable, cannot_write_line
from graphc.version import __version__

# name -> "module:attribute"; the order is the order of ``graphc --help``.
COMMANDS = {
    "compile": "graphc.commands.compile:compile_command",
    "lint": "graphc.commands.lint:lint_command",
    "rules": "graphc.commands.explain:rules_command",
    "explain": "graphc.commands.explain:explain_command",
    "plan": "graphc.commands.plan:plan_command",
    "submit": "graphc.commands.submit:submit_command",
    "status": "graphc.commands.status:status_command",
    "resume": "graphc.commands.status:resume_command",
    "amend": "graphc.commands.status:amend_command",
    "cancel": "graphc.commands.status:cancel_command",
    "kill-switch": "graphc.commands.status:kill_switch_command",
    "ledger": "graphc.commands.ledger:ledger_command",
    "schedule": "graphc.commands.schedule:schedule_command",
    "run": "graphc.commands.run:run_command",
    "bundle": "graphc.commands.bundle:bundle_command",
    "deploy": "graphc.commands.strategy:deploy_command",
    "strategy": "graphc.commands.strategy:strategy_group",
    "sandbox": "graphc.commands.sandbox:sandbox_group",
    "graph": "graphc.commands.graph:graph_command",
    "decompile": "graphc.commands.decompile:decompile_command",
    "schema": "graphc.commands.schema:schema_command",
    "fmt": "graphc.commands.fmt:fmt_command",
    "cache": "graphc.commands.cache:cache_group",
}

SHORT_HELP = {
    "compile": "Compile a playbook to the router's wire JSON.",
    "lint": "Check playbooks and wire graphs for mistakes.",
    "rules": "List every rule code.",
    "explain": "Show the documentation page of a rule code.",
    "plan": "Compile, lint and summarise what would be submitted.",
    "submit": "Submit a playbook or a saved plan to the router.",
    "status": "Show the progress of a submitted graph.",
    "resume": "Resume a paused graph.",
    "amend": "Change a running node's size, urgency, slippage or horizon.",
    "cancel": "Cancel a submitted graph.",
    "kill-switch": "Turn the router's kill switch on or off.",
    "ledger": "List submitted runs and their states.",
    "schedule": "Show when a recurring playbook runs next.",
    "run": "Submit each occurrence of a scheduled playbook once.",
    "bundle": "Write a hosted strategy that runs a scheduled playbook.",
    "deploy": "Upload a bundle as a hosted strategy and start it.",
    "strategy": "List, follow, stop, start and delete hosted strategies.",
    "sandbox": "Run a local router sandbox.",
    "graph": "Draw a playbook or wire graph.",
    "decompile": "Turn a wire graph back into a playbook.",
    "schema": "Print a JSON Schema (playbook or wire).",
    "fmt": "Format playbooks canonically.",
    "cache": "Clean the lint cache.",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx):
        return [name for name in COMMANDS if self._available(name)]

    def get_command(self, ctx, name):
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        finally:
            _resume_collection()
        return getattr(module, attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    @staticmethod
    def _available(name):
        module_name = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module_name) is not None

    def resolve_command(self, ctx, args):
        """Click's lookup, with did-you-mean over the lazy commands (`graphc complie` -> compile)."""
        try:
            return super().resolve_command(ctx, args)
        except NoSuchCommand as exc:
            if exc.possibilities:
                raise
            raise NoSuchCommand(str(args[0]), possibilities=self.list_commands(ctx), ctx=ctx) from None

    def parse_args(self, ctx, args):
        ctx.meta["graphc.args"] = list(args)  # to find a subcommand's -v after a crash
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        """Run the subcommand; a bug in graphc exits 4 with one line (spec §8), never 1 like findings."""
        fall_back_to_ascii(sys.stdout, sys.stderr)
        register_environment_key()
        wrong = refusal()
        if wrong is not None:  # a limit set in the environment that graphc cannot use: refuse rather than guess
            raise click.UsageError(wrong)
        from decimal import localcontext  # deferred: `graphc --version` computes nothing and needs no decimal

        from graphc.numbers import DECIMALS  # deferred: as above

        try:
            with localcontext(DECIMALS):  # the public API's context too (graphc.boundary): one result for both
                return super().invoke(ctx)
        except (ClickException, Exit, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            from graphc.api.errors import interrupted_at  # deferred: `graphc --version` needs no API

            said = interrupted_at(exc)  # a request on its way when it came (an amend, the kill switch): what of it
            click.echo(f"\ngraphc: interrupted {said}" if said else "graphc: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            _quiet_stdout()  # the reader went away (`graphc lint | head`): nothing left to say
            ctx.exit(EXIT_BROKEN_PIPE)
        except StdoutUnwritable as exc:  # main()'s stdout said it: a line for people to a full or closed stdout
            from graphc.commands.common import unwritable_stdout  # deferred: only a stdout that cannot be written

            unwritable_stdout(exc)  # what the data commands' writer says
        except Exception as exc:  # any other OSError (not known to be stdout's), MemoryError, RecursionError: a bug
            report_crash(exc, ctx)
            ctx.exit(EXIT_INTERNAL)


def register_environment_key() -> None:
    """Register the environment's ``SEQUENCE_API_KEY`` (as graphc.api.secrets reads it: stripped) for redaction
    before the command runs, so a text report masks it wherever it shows up (a file that echoes the environment),
    not only after the command loads it (audit sec29 1). The credentials file is not read here: ``lint`` and
    ``--version`` stay lean (no TOML parse, no file), and a command that needs the key registers it as it loads it."""
    key = os.environ.get("SEQUENCE_API_KEY", "").strip()
    if key:
        from graphc.api.redact import register_secret  # deferred: only a run with the key in its environment

        register_secret(key)


EXIT_INTERNAL = 4  # graphc.commands.common.EXIT_INTERNAL, here for a crash too deep to import it
# The line for a crash that even reporting it failed on (out of memory while redacting the message), made at import:
# the type's name is all that is added to it then.
_CRASH_LINE = (
    "graphc: internal error: {}. This is a bug in graphc "
    + __version__
    + ", not a problem with your files: please report it with the command and the input (add -v for the traceback).\n"
)


def report_crash(exc: BaseException, ctx=None) -> None:
    """The internal-error line for ``exc``; should writing it fail too (a MemoryError, and another one raised
    while formatting it), a fixed line naming the first exception's type: never a traceback, never exit 1."""
    try:
        from graphc.commands.common import print_internal_error  # deferred: only a crash needs it

        print_internal_error(exc, verbose=ctx is not None and verbose_requested(ctx))
    except BaseException:  # the report of a crash must not crash
        _write_crash_line(exc)


def _write_crash_line(exc: BaseException) -> None:
    with contextlib.suppress(BaseException):
        sys.stderr.flush()
    with contextlib.suppress(BaseException):
        os.write(2, _CRASH_LINE.format(type(exc).__name__).encode("ascii", "replace"))


EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a program killed by a closed pipe


def verbose_requested(ctx=None) -> bool:
    """``graphc -v CMD`` or ``graphc CMD ... -v`` (before ``--``): show the traceback of an internal error."""
    ctx = (ctx or click.get_current_context()).find_root()
    if ctx.params.get("verbose"):
        return True
    args = ctx.meta.get("graphc.args", [])
    args = args[: args.index("--")] if "--" in args else args
    return "-v" in args or "--verbose" in args


def fall_back_to_ascii(*streams) -> None:
    """Make text streams write ``->`` for ``→`` (and so on) instead of failing when their encoding lacks it."""
    register_fallback()
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (
            not holds_all_of_unicode(getattr(stream, "encoding", None))
            or getattr(stream, "errors", None) in ("strict", "backslashreplace", None)
        ):
            # An encoding that cannot write every character (ASCII, cp1252) gets the fallback whatever its error
            # handler: the C locale without UTF-8 mode opens stdout as ASCII with surrogateescape, which fails on
            # any other character as strict does. A UTF stream keeps a handler it was given (surrogateescape
            # writes a file name's undecodable byte back as it was).
            with contextlib.suppress(ValueError, OSError, TypeError):  # a stream that cannot change (closed)
                reconfigure(errors=FALLBACK_ERRORS)


def _quiet_stdout():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file descriptor (tests)
        pass


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="graphc")
@click.option("-v", "--verbose", is_flag=True, help="Show the traceback of an internal error (exit 4).")
def cli(verbose):
    """graphc compiles order playbooks into execution graphs, lints them,
    and plans, submits and follows them through the router.

    Exit status: 0 no errors, 1 errors found (or warnings with --strict), 2
    usage error or unreadable input, 3 router API failure, 4 internal error (a bug in graphc: please
    report it).
    """


def main(argv=None):
    """Run the command line (``argv``, else the process's arguments); it ends by raising SystemExit."""
    if gc.isenabled():
        gc.disable()  # until the command's module is imported (LazyGroup.get_command)
        _PAUSED.append(True)
    stderr = sys.stderr
    if stderr is not None:  # a message that cannot be written keeps the command's exit code (audit spec28b 2)
        sys.stderr = _GuardedStderr(stderr)
    # A write to stdout that fails is StdoutUnwritable, said by the handlers below as stdout's by its type; started
    # with no stdout (`>&-`), a stand-in raises it, where click.echo would drop every line unsaid.
    stdout = sys.stdout
    guarded = sys.stdout = ClosedStdout() if stdout is None else GuardedStdout(stdout)
    try:
        cli.main(args=argv, prog_name="graphc")
    except (SystemExit, KeyboardInterrupt):
        raise
    except StdoutUnwritable as exc:  # written before any command ran (--version, --help), so no handler said it
        _say_unwritable(exc)
        sys.exit(EXIT_USAGE)
    except BaseException as exc:  # escaped the command's own handler (raised while reporting)
        report_crash(exc)
        sys.exit(EXIT_INTERNAL)
    finally:
        if isinstance(sys.stderr, _GuardedStderr) and sys.stderr.stream is stderr:
            sys.stderr = stderr
        if sys.stdout is guarded:  # a program embedding graphc gets its own stdout back (None when it had none)
            sys.stdout = stdout
        _resume_collection()


EXIT_USAGE = 2  # graphc.commands.common.EXIT_USAGE, here for `graphc --version`, which imports no command


def _say_unwritable(exc: StdoutUnwritable) -> None:
    """``graphc: error: cannot write to stdout: WHY`` on stderr for a line click wrote before any command ran
    (``graphc --version > /dev/full``; a command says it through graphc.commands.common.unwritable_stdout, which
    ``--version`` does not import); stdout's descriptor pointed at /dev/null, so the exit does not fail on it again."""
    _quiet_stdout()
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(cannot_write_line(exc) + "\n")
        sys.stderr.flush()


class _GuardedStderr:
    """``sys.stderr`` while a command runs: a message that cannot be written (``2>/dev/full``, ``2>&1 | head -1``
    whose reader has gone) is dropped with every later one, and the command ends with its own exit code: 2 for
    a usage error click reports, 1 for findings. Without it the write error escaped click's report of a usage
    error, or a command's diagnostics, and came out as an internal error, exit 4 (audit spec28b 2). Once a write
    fails nothing more is tried on stderr: the descriptor is pointed at /dev/null, so what the stream still
    holds is not written again at exit either. Anything else is the stream's own."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.failed = False

    def write(self, text) -> int:
        if not self.failed:
            try:
                return self.stream.write(text)
            except OSError:
                self._give_up()
        if not isinstance(text, str):  # a text stream still (click asks with b"" whether it is a binary one)
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        return len(text)

    def flush(self) -> None:
        if not self.failed:
            try:
                self.stream.flush()
            except OSError:
                self._give_up()

    def _give_up(self) -> None:
        self.failed = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self.stream.fileno())
            finally:
                os.close(devnull)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def program():
    """The ``graphc`` executable and ``python -m graphc``: :func:`main`, in a process that is graphc's own, so a
    finished command may end it without the interpreter's teardown (:func:`exit_program`). A program that
    embeds graphc calls :func:`main` and keeps its own exit (atexit handlers, SystemExit to catch)."""
    _PROGRAM.append(True)
    main()


_PROGRAM: list[bool] = []  # program() runs: the process is graphc's own, exit_program may end it


def exit_program(code: int) -> NoReturn:
    """``sys.exit(code)`` for a command whose work is done and written. Where graphc runs as the program itself,
    the process ends here without the interpreter's teardown, which frees every object the run made one by
    one (a lint of a thousand files: their results, a fiftieth of its time), as mypy's fast exit does: the
    output is flushed, then os._exit. The usual exit where a thread still runs or the output cannot be
    flushed (the teardown reports a closed pipe as it always did)."""
    threading = sys.modules.get("threading")
    if _PROGRAM and (threading is None or threading.active_count() == 1):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


_PAUSED: list[bool] = []  # main() paused the collector for start-up


def _resume_collection() -> None:
    """End main()'s start-up pause: freeze what start-up made, collect again."""
    if _PAUSED:
        _PAUSED.clear()
        gc.freeze()
        gc.enable()


if _COLLECTING:  # this module's imports are done
    gc.enable()
