"""``graphc lint``: check playbooks, wire graphs and simple orders."""

from __future__ import annotations

import contextlib
import gc
import math
import os
import re
import sys
from pathlib import Path
from typing import NamedTuple

import click

from graphc import limits
from graphc.cli import exit_program, verbose_requested
from graphc.commands.common import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    StaleOutputCommand,
    build_options,
    compile_options,
    explain_live,
    explain_skips_option,
    internal_error_detail,
    print_internal_error,
    removes_stale_output,
    warn_not_followed,
    write_report,
)
from graphc.config import (
    Config,
    config_at,
    find_config,
    missing_graphc_table,
    parse_selectors,
    read_config,
    selected_again,
    warnings_as_errors,
    with_overrides,
)
from graphc.diagnostics import FileResult, Span, unchecked, unlisted_errors
from graphc.files import (
    CONFIG_FILE,
    LINTABLE_SUFFIXES,
    PYPROJECT,
    UNREADABLE,
    YAML_SUFFIXES,
    Seen,
    collect,
    display_path,
    file_kind,
    find_project_root,
    git_paths,
    has_suffix,
    open_source,
    outermost_project_root,
    read_source,
    read_stdin,
    read_whole_source,
    real_path,
    recording,
    repository_top,
    resolved_path,
    suffix_patterns,
    unreadable,
)
from graphc.inputs import TEMPLATE_MARKER
from graphc.lint import (
    NOT_RENDERED,
    Dependants,
    LintOptions,
    as_listed,
    checked,
    find_changed_dependants,
    is_template_file,
    lint_path,
    lint_source,
    located_result,
    not_read,
    not_text,
    searched_roots,
    unmarked_playbook,
    unreadable_result,
)
from graphc.report import LISTS_SKIPS, one_line

FORMATS = ("text", "json", "sarif", "github", "junit")


class Crash(NamedTuple):
    """A file whose lint hit a bug in graphc: reported after the other files, and the run exits 4."""

    path: str
    error: BaseException
    traceback: str


# The run's LintOptions, one per project config (Projects.options), and what the run read before linting (a Seen,
# when its results are kept), for _lint_one: set in the parent before a pool forks (and by each worker's initializer).
_RUN: dict = {}


def _use_options(options: list, at_start: Seen | None = None) -> None:
    _RUN["options"] = options
    _RUN["at_start"] = at_start


def _lint_one(item):
    """Lint one file, in this process or a -j worker: ``(FileResult | None, the files its compile read, whether
    its render read the clock, the path the file resolved to while it was linted)``.
    ``item`` is (path, text or None, explicit, the index of its project's LintOptions).
    An unreadable file is a FileResult with GC112; a bug in graphc is a Crash.

    When the run keeps its results (a cache), each file read is ``(path reached by, the path it resolved to, its
    state)``, the state as the compile found it when it read the file (graphc.files.recording: the digest of the
    bytes read, or what was there instead), never read again; None where it is not known (the file changed
    during the lint, or only its type or size was looked at), and such a result is not kept."""
    path, text, explicit, profile = item
    at_start = _RUN["at_start"]
    real = None
    try:
        if at_start is None:  # nothing is kept: nothing to record
            outcome = lint_path(path, _RUN["options"][profile], explicit=explicit, text=text)
        else:
            real = resolved_path(path)  # (its `use:` paths are relative to the folder of the file it leads to)
            with recording() as seen:
                outcome = lint_path(path, _RUN["options"][profile], explicit=explicit, text=text)
    except Exception as exc:  # one file's bug must not lose the other files' findings, nor read as findings
        import traceback  # deferred: only a crash needs it

        return Crash(path, _picklable(exc), "".join(traceback.format_exception(exc))), [], False, None
    result = outcome.result
    if at_start is None:
        return result, [], outcome.read_clock, None
    reads = [(name, resolved, seen.state(resolved)) for name, resolved in outcome.files_read]
    compiled_with = _RUN["options"][profile].compile
    if compiled_with is not None and compiled_with.params_file and compiled_with.params_text is not None:
        # the --params file was read once, before any file was linted (a pipe gives its text once): its state is
        # the one the run read it in, which every file's compile used
        read_at_start = os.path.abspath(compiled_with.params_file)
        reads = [
            (name, resolved, _params_state(seen.state(resolved), at_start.state(resolved)))
            if name == read_at_start
            else (name, resolved, state)
            for name, resolved, state in reads
        ]
    if result is not None and any(d.path != path for d in result.diagnostics):
        # a finding placed in another file (a graphc.toml or snapshot tick its market's venue cannot have:
        # graphc.lint; a template's): the cached result depends on where that file writes it too, as it was read
        # in this lint (graphc.toml, a template) or before it (the snapshot)
        for placed in dict.fromkeys(d.path for d in result.diagnostics if d.path != path):
            resolved = resolved_path(placed)
            reads.append((placed, resolved, seen.state(resolved) or at_start.state(resolved)))
    if reads and real != resolved_path(path):
        real = None  # the file is a link that moved while it was linted: not known which folder its `use:`s were in
    return result, reads, outcome.read_clock, real


def _params_state(during: str | None, at_start: str | None) -> str | None:
    """The state of the --params file for the cache: as the run read it at the start, unless this file's compile
    found it otherwise (the same file read as a `use:` template too, changed meanwhile): then not known."""
    return at_start if during is None or during == at_start else None


def _picklable(exc: BaseException) -> BaseException:
    """``exc``, or a RuntimeError with its text when it cannot cross a process boundary (-j)."""
    import pickle  # deferred: only a crash needs it

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


# Starting a process and sending its files and results back costs about what linting this many files does:
# `-j auto` adds a worker only for each such share of the files that are to be linted.
FILES_PER_WORKER = 50


def _workers(jobs, count: int) -> int:
    """How many processes lint ``count`` files: ``-j N`` (at most one per file), or ``auto``: one per idle
    core this process may run on, while each has at least FILES_PER_WORKER files.

    "Idle" is the core count less the load average: on a machine whose cores
    are already busy, workers only take turns with each other, and their start
    and the results' trip back make the run slower than one process.
    """
    if jobs == "auto":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        try:
            idle = math.ceil(cores - os.getloadavg()[0])
        except OSError:  # no load average on this system
            idle = cores
        return max(1, min(cores, idle, count // FILES_PER_WORKER))
    return max(1, min(jobs, count))


def _run(files, places, explicit, projects, jobs, cache, at_start=None):
    """Each file's result, in order: from the cache when nothing that decides it changed, else linted
    (in a pool of processes when ``jobs`` says so), and then stored with what its lint read. ``places``: each
    file's :meth:`Projects.place` (its project's options, and what of its project the cache must match);
    ``at_start``: what the run read before linting (the quotes snapshot), as it was read."""
    if cache is None:  # (--no-cache) every file linted, in order: no index kept, nothing stored
        items = [
            (path, None, path in explicit, profile) for path, (profile, _) in zip(map(str, files), places, strict=True)
        ]
        return [result for result, _, _, _ in _lint_items(items, projects.options, jobs)]
    from graphc.cache import MISS  # deferred: see _open_cache

    results: list = [None] * len(files)
    work = []  # (index, (path, text or None, explicit, profile), the project's context for the cache)
    for i, (f, (profile, context)) in enumerate(zip(files, places, strict=True)):
        path, named = str(f), str(f) in explicit
        try:
            text = read_source(path)
        except (OSError, UnicodeDecodeError):
            text = None  # linted, which reports it (GC112); never stored
        if text is not None:
            found = cache.lookup(path, text, explicit=named, context=context)
            if found is not MISS:
                results[i] = found
                continue
        work.append((i, (path, text, named, profile), context))
    linted = _lint_items([item for _, item, _ in work], projects.options, jobs, at_start or Seen())
    for (i, (path, text, named, _), context), (result, reads, read_clock, real) in zip(work, linted, strict=True):
        results[i] = result
        if text is not None and not isinstance(result, Crash):
            cache.store(
                path,
                text,
                explicit=named,
                result=result,
                reads=reads,
                read_clock=read_clock,
                context=context,
                real=real,
            )
    cache.save()
    return results


def _lint_items(items, options: list, jobs, at_start: Seen | None = None):
    """``_lint_one`` of each item, in order (in a pool when ``jobs`` says so); ``options``: Projects.options;
    ``at_start``: what the run read before (a Seen) when what each lint reads is to be recorded."""
    _use_options(options, at_start)
    linted = _lint_all(items, _workers(jobs, len(items)), options, at_start)
    # Each file is linted with the collector paused, so what the files kept (their results, the memos) still
    # waits for its first pass: a thousand files' worth, scanned at the next allocation for nothing (the pipeline
    # makes no reference cycles), and again at exit. Where the program keeps what start-up made out of the
    # collector's sight (graphc.cli.main freezes it), what the run made is kept so too.
    if gc.get_freeze_count():
        gc.freeze()
    return linted


def _lint_all(items, workers: int, options, at_start: Seen | None):
    if workers <= 1:
        return [_lint_one(item) for item in items]
    import multiprocessing  # deferred: only -j with enough files starts a pool
    from concurrent.futures import ProcessPoolExecutor  # deferred: only -j with enough files starts a pool

    # fork: workers start in a millisecond with graphc already imported (spawn would re-import
    # everything in each worker). A few chunks per worker balance uneven files without much IPC.
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    chunk = max(1, len(items) // (workers * 4))
    others = set(multiprocessing.active_children())  # (children of a program embedding graphc: not the pool's)
    # Objects made so far go to the permanent generation: a worker's collections never touch (and so
    # never copy) the pages the parent made before forking.
    gc.freeze()
    try:
        with (
            _stopped_by_sigterm(),
            ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(options, at_start, os.getpid()),
            ) as pool,
        ):
            try:
                return list(pool.map(_lint_one, items, chunksize=chunk))
            except _Terminated:
                _stop_workers(pool, others)
                raise
    except _Terminated:  # `kill PID`, a runner's timeout: the run ends with its workers, quietly
        sys.exit(EXIT_TERMINATED)
    finally:
        gc.unfreeze()


EXIT_TERMINATED = 143  # 128 + SIGTERM, what a shell reports for a program SIGTERM ended


class _Terminated(BaseException):
    """SIGTERM reached the parent of a -j pool (:func:`_stopped_by_sigterm`)."""


@contextlib.contextmanager
def _stopped_by_sigterm():
    """While a -j pool runs, SIGTERM to this process raises :class:`_Terminated` in it, so the pool's
    workers are stopped rather than left blocked on a pipe nobody reads (audit ci28 2); outside it SIGTERM ends
    the process as it always did. A handler set by a program that embeds graphc, or a pool run off the main
    thread (where no handler can be set), is left as it is."""
    import signal  # deferred: only a -j pool handles SIGTERM

    parent = os.getpid()

    def handler(signum, frame):
        if os.getpid() != parent:  # a worker forked before its initializer reset it: die as SIGTERM says
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        raise _Terminated

    installed = False
    with contextlib.suppress(ValueError):  # (off the main thread: ValueError, nothing set)
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, handler)
            installed = True
    try:
        yield
    finally:
        if installed:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_workers(pool, others: set) -> None:
    """Kill the pool's workers (each may be mid-file) and let the pool go without waiting for its work. The workers
    are this process's children that were not ``others`` (its children before the pool started): the executor
    keeps its own list privately.

    The pool's manager thread then marks the work still queued as failed, and Python 3.11's does so for work
    the interrupted ``map`` has just cancelled too, which raises InvalidStateError in that thread (a traceback
    on stderr; later Pythons skip such work): the run is ending, so that one error is not printed."""
    import multiprocessing  # deferred: only a -j pool has workers
    import threading  # deferred: as above
    from concurrent.futures import InvalidStateError  # deferred: as above

    report = threading.excepthook

    def quiet(args):
        if not issubclass(args.exc_type, InvalidStateError):
            report(args)

    threading.excepthook = quiet
    try:
        for process in set(multiprocessing.active_children()) - others:
            with contextlib.suppress(OSError, ValueError):
                process.kill()
        pool.shutdown(wait=True, cancel_futures=True)  # (joins the manager thread)
    finally:
        threading.excepthook = report


def _start_worker(options: list, at_start: Seen | None, parent: int) -> None:
    """Each -j worker's initializer: the run's options, SIGTERM back to its default, and a worker that never
    outlives its parent (audit ci28 2: a parent killed by SIGKILL left its workers blocked forever, one writing
    to a results pipe nobody reads). On Linux the kernel kills the worker when the parent dies (the parent-death
    signal); elsewhere, or if that cannot be set, a thread checks each second that the parent is still its
    parent."""
    import signal  # deferred: only a -j worker starts here

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _use_options(options, at_start)
    if not _die_with_parent():
        import threading  # deferred: only a worker that could not ask the kernel watches its parent

        threading.Thread(target=_watch_parent, args=(parent,), name="graphc-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the worker could ask to die with it
        os._exit(EXIT_TERMINATED)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies (``prctl(PR_SET_PDEATHSIG)``); False elsewhere or
    if it cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes  # deferred: only a -j worker, on Linux, asks the kernel
        import signal  # deferred: as above

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int, every_s: float = 1.0) -> None:
    """End this worker once its parent is gone (it is then another process's child: init's, or a subreaper's)."""
    import time  # deferred: only a worker that watches its parent

    while os.getppid() == parent:
        time.sleep(every_s)
    os._exit(EXIT_TERMINATED)


class NamedPaths(click.Path):
    """``click.Path(allow_dash=True)``, which asks the system twice about each path named (``os.stat``, then
    ``os.access``): a path it may read exists and passes as it is, at one question (a thousand named playbooks).
    Anything else is click's to decide, with its own messages."""

    def convert(self, value, param, ctx):
        if type(value) is str and value != "-" and os.access(value, os.R_OK):
            return value
        return super().convert(value, param, ctx)


@click.command("lint", cls=StaleOutputCommand)
@click.argument("paths", nargs=-1, type=NamedPaths(allow_dash=True))  # required, except with --dependants
@compile_options
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the report here (missing folders are created); its summary line still goes to stderr. If lint "
    "stops before it writes the report (a "
    "usage error, a crash), a file already there is removed (and that is said), so an earlier run's report "
    "never passes for this one's.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (reported as errors in every format, exit 1).")
@explain_skips_option
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Report only these rules: codes, prefixes (GC3) or names, comma-separated; repeatable. A rule named by "
    "code or name is checked even where graphc.toml turns it off.",
)
@click.option(
    "--ignore", multiple=True, metavar="CODES", help="Do not report these rules (same forms as --select); repeatable."
)
@click.option(
    "--config",
    "config_args",
    multiple=True,
    metavar="FILE | KEY=VALUE",
    help="A config file to use for every file instead of the one found from each, or a graphc.toml setting such as "
    "'rules.GC405 = \"off\"' (repeatable).",
)
@click.option(
    "--stdin-filename", metavar="PATH", help="The file name to report for `-` (stdin); its folder finds the config."
)
@click.option(
    "--ignore-unknown",
    is_flag=True,
    help="Skip named files that are not playbooks, wire graphs or simple orders (for pre-commit).",
)
@click.option(
    "--allow-empty", is_flag=True, help="Exit 0 when a directory or glob gives no file to lint (default: exit 2)."
)
@click.option(
    "--dependants",
    is_flag=True,
    help="Also lint the playbooks that use a named `use:` template or one staged in git's index (searched in its "
    "project and the projects around it, up to the repository's top), or a template file that is not there "
    "(deleted or renamed) or that git does not track (GC107: a commit would not hold it); and every playbook and "
    "template of a project whose graphc.toml (or pyproject.toml [tool.graphc]) or --quotes file is named or staged, "
    "and of every project searched when the --config or --params file is (such a file is never linted itself). "
    "PATHS may then be left out (for pre-commit).",
)
@click.option(
    "-j",
    "--jobs",
    default="auto",
    show_default=True,
    metavar="N|auto",
    callback=lambda ctx, param, value: _jobs(value),
    help="Lint files in N processes; auto: one per idle core, when there are enough files to pay for starting them.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the lint cache (.graphc/cache/ at the project root; also GRAPHC_NO_CACHE=1).",
)
@removes_stale_output("lint", "report", inputs=("paths", "quotes_path", "params_file"))
def lint_command(
    paths,
    quotes_path,
    set_values,
    params_file,
    now,
    fmt,
    output,
    strict,
    explain_skips,
    select,
    ignore,
    config_args,
    stdin_filename,
    ignore_unknown,
    allow_empty,
    dependants,
    jobs,
    no_cache,
):
    """Lint playbooks (YAML with `graphc: 1`), wire graphs (JSON with `nodes`)
    and simple orders.

    PATHS are files, directories (searched for *.yaml, *.yml and *.json, in
    any case; YAML files that are not graphc's are skipped, even ones that do
    not load unless they have a `graphc:`, `graphc-template:` or `nodes` key,
    or are not text YAML can read), globs (`plays/**/*.yaml`, expanded
    by graphc when no shell did; of the files matched, those with one of these
    suffixes) or `-` for stdin. A file named twice is linted once.

    Each file's findings are kept in .graphc/cache/ at the project root and
    reused while nothing that decides them changed: the file, the templates
    and params file it reads, the configuration, the quotes, the options that
    change findings and graphc itself. The report is the same with or without
    it; `--quotes live` never uses it; `graphc cache clean` removes it.

    Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 usage
    error, unreadable input (GC112: reported, and the other files are still
    linted; a file holding a character YAML does not allow, such as NUL or
    UTF-16 without its byte-order mark, is GC100 at it and exit 2 too, named
    or found), a file not checked (the input error that stopped its checks
    suppressed, lowered to a warning or turned off) or a directory or glob
    with nothing to lint, 3 the router could not be reached or answered
    wrongly (--quotes live), 4 internal error.
    """
    _require_paths(paths, dependants)
    names = [p for p in paths if p != "-"]
    collected = collect(names, keep_missing=True)  # a missing path is GC112, the other files still linted
    # Only --dependants reads every named file up front to find the templates among them (a thousand named
    # playbooks cost as much as linting 40 of them); the note after the run looks only at "not rendered" results.
    try:
        select, ignore = parse_selectors(select), parse_selectors(ignore)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--select/--ignore") from None
    projects = Projects(config_args, select)
    templates = [path for path in collected.named if _looks_like_template(path)] if dependants else []
    inputs = RunInputs(quotes_path, projects.given, params_file)
    found = _add_dependants(collected, templates, names, inputs) if dependants else None
    users = found
    stdin_name = stdin_filename or "<stdin>"
    stdin = _read_stdin() if "-" in paths else None
    live_sources = [*collected.files, *([(stdin[0], stdin_name)] if stdin and stdin[0] is not None else [])]
    # each file's project config (found from the file itself), read before anything is linted
    stdin_profile = projects.of_start(stdin_filename) if stdin is not None else None
    places = [projects.place(path) for path in collected.files]
    # live quotes are looked up once for the run, with the market settings of the first file's project
    if stdin_profile is not None:
        first = stdin_profile
    else:  # (nothing to lint: the config of the first path, for its problems and the cache's settings)
        first = places[0][0] if places else projects.of_start(names[0] if names else None)
    with recording() as at_start:  # the quotes snapshot as read: the cache keeps a finding placed in it so
        compile_opts, quote_diagnostics = build_options(
            quotes_path,
            set_values,
            params_file,
            now,
            require_quotes=False,
            sources=live_sources if quotes_path == "live" else (),
            config=projects.configs[first] if quotes_path == "live" else None,
        )
    if found is not None and found.untracked:  # templates the commit would not hold: a `use:` of one is GC107
        compile_opts = compile_opts.replace(untracked=found.untracked)
    # --set/--params given to many files: a file that does not declare a name is not wrong; a name none declares is
    # (checked after the run: _params_across)
    shared_params = bool(set_values or params_file) and len(collected.files) + (stdin is not None) > 1
    if shared_params:
        compile_opts = compile_opts.replace(params_shared=True)
    projects.make_options(
        compile_opts,
        quotes_given=quotes_path is not None,
        report_skips=explain_skips or fmt in LISTS_SKIPS,  # the reports that list skips
        select=select,
        ignore=ignore,
    )
    results = []
    strict_results = []  # the results whose warnings fail the run: --strict, or `strict = true` in their project
    if quote_diagnostics:
        results.append(located_result(quote_diagnostics))
        if any(projects.strict):
            strict_results.append(results[-1])
    for profile, config_problems in projects.config_results:
        results.append(config_problems)
        if projects.strict[profile]:
            strict_results.append(config_problems)
    unread = {}  # path -> why, for a file that could not be read with GC112 off: not a result
    inputs_linted = []  # the results of the files linted (not of a config or the quotes snapshot)
    if stdin is not None:
        from_stdin = _lint_stdin(stdin_name, stdin, projects.options[stdin_profile])
        if not_read(from_stdin) is None:
            results.append(from_stdin)
            inputs_linted.append(from_stdin)
            if projects.strict[stdin_profile]:
                strict_results.append(from_stdin)
        else:
            unread[stdin_name] = "could not be read"
    explicit = set() if ignore_unknown else collected.named
    cache = None if no_cache or quotes_path == "live" else _open_cache(projects)
    crashes, linted, passed_over = [], set(), []
    for path, result, (profile, _) in zip(
        collected.files, _run(collected.files, places, explicit, projects, jobs, cache, at_start), places, strict=True
    ):
        if isinstance(result, Crash):
            crashes.append(result)
        elif result is None:  # not graphc's: passed over (a named one is GC110 unless --ignore-unknown)
            passed_over.append(str(path))
        else:
            why = not_read(result)
            if why is not None:  # never listed as a linted file with no problems
                unread[result.path] = why
                continue
            results.append(result)
            inputs_linted.append(result)
            linted.add(result.path)
            if projects.strict[profile]:
                strict_results.append(result)
    explain_live(results, compile_opts.quotes)
    _warnings_as_errors(results if strict else strict_results)
    _note_unrendered(results, collected.named, users)
    _note_unmarked(passed_over)
    # a file whose lint hit a bug is not linted, but it is graphc's to lint: not "nothing to lint" (see crashed=)
    crashed = {crash.path: internal_error_detail(crash.error) for crash in crashes}
    tried = linted.union(crashed)
    empty = [search for search, found in collected.searches.items() if not tried.intersection(found)]
    stdin_linted = stdin is not None and stdin_name not in unread
    nothing = "" if tried or stdin_linted else _nothing_linted(collected, empty, unread)
    diagnostics = [d for r in results for d in r.diagnostics]
    # a file YAML cannot read as text (GC100 at a NUL; UTF-16 without its byte-order mark): unreadable input too
    not_texts = [result.path for result in results if not_text(result)]
    not_applied, undeclared = (
        _params_across(inputs_linted, compile_opts.params, params_file, compile_opts.params_text, shared_params)
        if set_values or params_file
        else ([], [])
    )
    # spec §8: input that could not be checked is not a pass (exit 2, below), whatever its finding's severity
    unchecked_input = (
        not all(map(checked, results))  # GC112, and the not_texts (a `use:` template's too)
        or collected.missing
        or unread
        or (empty and not allow_empty)
        or undeclared  # a --set/--params name no linted file declares: a usage error
    )
    # before any exit: CI keeps the report
    write_report(
        fmt,
        results,
        output,
        explain_skips=explain_skips,
        nothing_linted=nothing,
        not_read="" if nothing else _not_read_note(unread),
        unread=unread,
        crashed=crashed,
        # nothing linted and still exit 0 (--allow-empty): the report must not fail the run either (review11 3);
        # with files linted, --allow-empty accepts the empty paths whatever else fails the run
        nothing_allowed=not unchecked_input if nothing else allow_empty,
        # every report says each path that gave nothing to lint, not only stderr (audit ci19 5)
        empty={search: _empty_message(search, collected.searches[search]) for search in empty},
    )
    for search in empty:
        _warn_empty(search, collected.searches[search])
    warn_not_followed(collected.not_followed)
    for said in (*not_applied, *undeclared):
        click.echo(f"graphc: {one_line(said)}", err=True)
    if crashes:  # the report covers the other files; the exit code says the run is incomplete
        _report_crashes(crashes)
        sys.exit(EXIT_INTERNAL)
    for path, why in unread.items():  # GC112 turned off: still not a pass, and still said
        said = f"no such file or directory: {path}" if why == "not found" else f"{path} {why}"
        click.echo(f"graphc: {one_line(said)}", err=True)
    reported = {d.path for d in diagnostics if d.code == "GC100"}
    for path in not_texts:  # its GC100 turned off or suppressed: as GC112 off, still not a pass, and still said
        if path not in reported:
            said = f"{path} holds a character YAML does not allow (GC100, not reported here), so it was not checked"
            click.echo(f"graphc: {one_line(said)}", err=True)
    for result in results:  # a `use:` template's GC112 turned off: as the file's own, still not a pass, and said
        for skip in result.skipped:
            if skip.code == UNREADABLE and unchecked(skip) and isinstance(skip.where, Span) and skip.where.file:
                said = (
                    f"{result.path} uses {skip.where.file}, which is not UTF-8 text (GC112, not reported here), so "
                    "it was not checked"
                )
                click.echo(f"graphc: {one_line(said)}", err=True)
    if unchecked_input:
        exit_program(EXIT_USAGE)
    if any(d.is_error for d in diagnostics) or any(map(unlisted_errors, results)):  # (counted past the limit too)
        exit_program(EXIT_FINDINGS)
    exit_program(EXIT_OK)


def _params_across(
    inputs_linted, given: dict, params_file: str | None, params_text: str | None, shared: bool
) -> tuple[list[str], list[str]]:
    """What to say on stderr of ``--set`` (``given``) and ``--params`` over the files linted: a note naming the
    wire graphs and simple orders among them, which take no params (never silently: audit params25 5); and, in a
    lint of many files (``shared``), a GC108 usage error for each name no linted playbook or template declares.
    A file that does not declare a name is not wrong: one `--set` serves a folder of playbooks that do not all
    take it (docs/templates.md). A lint of one file reports the name in the file, as compile does. Each file's
    text is read again, here only; the params file's is the one the run read (``params_text``: a pipe is read
    once)."""
    from graphc.inputs import SIMPLE, WIRE, is_playbook_data, is_template_data, kind_of  # deferred: see below
    from graphc.stages.load import load_text  # deferred: only --set/--params read the linted files again
    from graphc.stages.suggest import MAX_LISTED, did_you_mean, listed  # deferred: as load_text

    names = dict.fromkeys(given)
    if params_file is not None and params_text is not None:
        doc, _ = load_text(params_text, params_file)  # its own problems are each file's findings
        if doc is not None and isinstance(doc.data, dict):
            names.update(dict.fromkeys(map(str, doc.data)))
    declared: set[str] = set()
    playbooks, not_applied = 0, []
    for result in inputs_linted:
        if result.source is None:
            continue
        doc, _ = load_text(result.source, result.path)
        data = doc.data if doc is not None else None
        if isinstance(data, dict) and (is_playbook_data(data) or is_template_data(data)):
            playbooks += 1
            params = data.get("params")
            declared.update(map(str, params) if isinstance(params, dict) else ())
        elif kind_of(data) in (WIRE, SIMPLE):
            not_applied.append(result.path)
    notes = []
    if not_applied:
        what = (
            "--set and --params do" if given and params_file is not None else "--set does" if given else "--params does"
        )
        notes.append(
            f"note: {what} not apply to a wire graph or a simple order, whose values are written in it: not "
            f"applied to {listed(not_applied, sort=False)}"
        )
    if not shared or not playbooks:
        return notes, []
    missing = [name for name in names if name not in declared]
    errors = []
    for name in missing[:MAX_LISTED]:
        origin = f"--set {name}={given[name]}" if name in given else f"--params {params_file}"
        errors.append(
            f"error GC108 {origin}: no linted playbook or template declares param `{name}`"
            f"{did_you_mean(name, declared)}"
        )
    if len(missing) > MAX_LISTED:
        rest = missing[MAX_LISTED:]
        errors.append(f"error GC108 {len(rest):,} more params no linted file declares: {listed(rest, sort=False)}")
    return notes, errors


def _warnings_as_errors(results) -> None:
    """``--strict`` (or `strict = true` in a file's project): its warnings fail the run, so every report says
    them as errors, as a compiler's -Werror does: the exit code, the counts of the text and JSON summaries,
    JUnit's failures and SARIF's levels then tell one story (ci16 3: a strict run exited 1 with JUnit
    `failures="0"`, JSON `errors: 0` and only warning-level SARIF results)."""
    for result in results:
        result.diagnostics[:] = warnings_as_errors(result.diagnostics)
        if result.unlisted:  # those past GRAPHC_MAX_DIAGNOSTICS, counted by code, are errors too
            counts: dict[str, int] = {}
            for code, _, count in result.unlisted:
                counts[code] = counts.get(code, 0) + count
            result.unlisted[:] = [(code, "error", count) for code, count in sorted(counts.items())]


def _jobs(value: str):
    if value == "auto":
        return value
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise click.BadParameter(f"{value!r} is neither a number of processes (1 or more) nor auto")
    return jobs


def _open_cache(projects: Projects):
    """The lint cache of the working directory's project (as ``graphc cache clean`` finds it), for this
    run's settings; None when GRAPHC_NO_CACHE is set.

    The key holds what decides a verdict besides the files and their projects:
    the compile options (quotes, params, time:
    :meth:`graphc.pipeline.CompileOptions.fingerprint`), --select/--ignore,
    whether skipped checks are placed, the limits the environment sets, and
    the working directory (paths are reported as given). What each file's
    project decides (its root, its effective configuration) is matched entry
    by entry (:meth:`Projects.place`).
    """
    if os.environ.get("GRAPHC_NO_CACHE", "") not in ("", "0"):
        return None
    from graphc.cache import (  # deferred: --no-cache runs never hash
        LintCache,
        cache_dir,
        committed,
        linked_part,
        settings_key,
    )

    root = find_project_root()
    linked = linked_part(root)
    if linked is not None:  # a repository's link may point anywhere: never read or written through (audit cfgsec 6)
        click.echo(
            f"graphc: the lint cache is off: {display_path(str(linked))} is a symbolic link, and graphc does not "
            "write its cache through one (remove the link to use the cache)",
            err=True,
        )
        return None
    if committed(root):  # a cache from the checkout could choose its own verdicts (audit sec16 1)
        click.echo(
            f"graphc: the lint cache is off: {display_path(str(cache_dir(root)))} is committed to git, and a cache "
            "that comes with the checkout is not trusted (remove it from git: `git rm -r --cached .graphc/cache`)",
            err=True,
        )
        return None

    options = projects.options[0] if projects.options else LintOptions()
    compile_options = projects.compile
    settings = {
        "cwd": os.getcwd(),
        "compile": compile_options.fingerprint() if compile_options is not None else None,
        "quotes_given": options.quotes_given,
        "select": list(options.select),
        "ignore": list(options.ignore),
        "report_skips": options.report_skips,
        "limits": limits.overrides(),
    }
    directory = cache_dir(root)
    return LintCache(
        directory,
        settings_key(settings, directory),
        clock_fixed=compile_options is not None and compile_options.now is not None,
    )


def _check_named_config(path: str) -> None:
    """Refuse ``path``, the config file named with ``--config``, when it cannot be read (not UTF-8, over
    ``GRAPHC_MAX_FILE_BYTES``, gone meanwhile): the operator named it to configure the run, so it is unreadable
    input, exit 2 before any playbook is checked (spec §8; review15 3), not a GC100 finding beside playbooks
    linted without it. Its content (TOML syntax, values) is read later, and its problems are located findings.
    A config found by discovery is not checked here: a repository's graphc.toml is reported like its playbooks.
    """
    try:
        read_whole_source(path)
    except UnicodeDecodeError as exc:
        diagnostic, _ = unreadable(path, exc)
        span = diagnostic.span
        where = f"{path}:{span.line}:{span.col}" if span is not None else path
        raise click.BadParameter(
            f"cannot read config file {where}: {diagnostic.message}", param_hint="--config"
        ) from None
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read config file {path}: {exc.strerror or exc}", param_hint="--config"
        ) from None


class Projects:
    """The configuration each linted file is linted with, and the LintOptions made from it (one per config).

    A file's config is the ``graphc.toml`` or ``[tool.graphc]`` at its own project
    root (:func:`graphc.files.find_project_root` from the file, as the render stage
    finds the root that confines ``use:``), or ``--config FILE`` for every file;
    ``--config KEY=VALUE`` settings go on top of it. docs/output-formats.md
    "Suppressing and configuring": found by walking up from the linted path, so a
    run that names files of several projects lints each with its own markets,
    venues, rule levels and ``strict``. A config file's own problems are one result,
    however many files it applies to.
    """

    def __init__(self, config_args, select: tuple = ()) -> None:
        self.select = select  # --select: turns on again a rule a config turns off (selected_again)
        files = [arg for arg in config_args if os.path.isfile(arg)]
        self.inline = [arg for arg in config_args if arg not in files]
        if len(files) > 1:
            raise click.BadParameter("give at most one config file", param_hint="--config")
        for arg in self.inline:
            if "=" not in arg and os.path.exists(arg):  # there, but a folder, a FIFO or a device: never read
                kind = file_kind(os.stat(arg).st_mode)
                raise click.BadParameter(
                    f"cannot read config file {arg}: it is {kind}, not a regular file", param_hint="--config"
                )
            if "=" not in arg:
                raise click.BadParameter(
                    f"cannot read config file {arg}: there is no such file (nor is it a KEY = VALUE setting)",
                    param_hint="--config",
                )
        if self.inline:  # checked once, before any file: its problems are the same over every config
            _, problems = with_overrides(Config(), self.inline)
            if problems:
                raise click.BadParameter("; ".join(d.message for d in problems), param_hint="--config")
        self.given: str | None = files[0] if files else None
        if self.given is not None:
            _check_named_config(self.given)
        problem = missing_graphc_table(self.given) if self.given is not None else None
        if problem:  # named, yet no settings: not run as an empty config (discovery skips such files)
            raise click.BadParameter(problem, param_hint="--config")
        self.configs: list[Config] = []  # by profile index
        self.strict: list[bool] = []
        self.options: list[LintOptions] = []  # made by make_options
        self.compile = None  # the run's CompileOptions, before each config's market settings
        self.config_results: list[tuple[int, FileResult]] = []  # a config file's problems, once per file
        self._fingerprints: list[str] = []
        self._by_config: dict[str | None, int] = {}
        self._by_folder: dict[Path, tuple[int, str]] = {}
        self._real_folders: dict[str, Path] = {}  # by the folder a file is listed in

    def place(self, path) -> tuple[int, str]:
        """(the index of ``path``'s options, what the cache matches of its project: its root and config)."""
        folder = self._real_folder(path)
        found = self._by_folder.get(folder)
        if found is None:
            root = find_project_root(folder)
            profile = self._profile(self.given or config_at(root))
            found = self._by_folder[folder] = (profile, f"{root}\0{self._fingerprints[profile]}")
        return found

    def _real_folder(self, path) -> Path:
        """The real folder of ``path`` (find_project_root's real path). A file that is not a link is in the real
        form of the folder it is listed in, resolved once per folder: a large tree costs one ``lstat`` per file,
        not one per path component."""
        if os.path.islink(path):
            return real_path(Path(path)).parent
        listed = os.path.dirname(path) or os.curdir
        folder = self._real_folders.get(listed)
        if folder is None:
            folder = self._real_folders[listed] = real_path(Path(listed))
        return folder

    def of_start(self, start) -> int:
        """The profile of stdin: the config found from ``--stdin-filename`` (None: the working directory)."""
        return self._profile(self.given or find_config(start))

    def _profile(self, config_path) -> int:
        key = None if config_path is None else str(config_path)
        index = self._by_config.get(key)
        if index is not None:
            return index
        config, diagnostics = (
            read_config(config_path, named=self.given is not None) if config_path is not None else (Config(), [])
        )
        if self.inline:
            config, _ = with_overrides(config, self.inline)  # (problems: refused in __init__)
        config = selected_again(config, self.select)
        index = self._by_config[key] = len(self.configs)
        self.configs.append(config)
        self.strict.append(bool(config.strict))
        self._fingerprints.append(repr((config, config.market_config.fingerprint)))
        if diagnostics:
            self.config_results.append((index, located_result(diagnostics)))
        return index

    def make_options(self, compile_options, **fields) -> None:
        """The LintOptions of each config: ``compile_options`` with its market settings, and its rule levels."""
        self.compile = compile_options
        for config in self.configs:
            market = config.market_config
            own = compile_options.replace(market_config=market) if market else compile_options
            self.options.append(LintOptions(compile=own, config=config, **fields))


def _require_paths(paths, dependants):
    """PATHS may be left out only with --dependants (the pre-commit hook runs even when a commit only deletes)."""
    if not paths and not dependants:
        raise click.UsageError("Missing argument 'PATHS...' (only --dependants runs without one).")


class RunInputs(NamedTuple):
    """The files the run's options name that are inputs of every verdict: the ``--quotes`` snapshot (None, or
    ``live``: no file), the ``--config`` file (it replaces every file's config) and the ``--params`` file (it feeds
    every playbook). None: not given."""

    quotes: str | None
    config: str | None
    params: str | None


def _add_dependants(collected, templates, names, inputs: RunInputs) -> Dependants:
    """Add to ``collected.files`` the playbooks that use a named template or one the commit stages, those of the
    named paths' projects (the working directory's when none is named) whose `use:` names a file that is not
    there (a template deleted or renamed: pre-commit never names it), those git tracks that use a template git
    does not (pre-commit leaves it on disk, but the commit would not hold it), and those that may do any of these
    through a `use:` written as an expression (:func:`graphc.lint.find_changed_dependants`); and every file of a
    project whose config or ``--quotes`` snapshot is named or staged, and of every project searched when the
    ``--config`` or ``--params`` file is (:func:`_projects_of_changed_inputs`), as a walk of its root finds them.
    Such a file, named, is an input of those files, never linted as one (no GC110 for it). What was found."""
    searched = names or [os.curdir]
    staged = _staged_files(searched)
    staged_templates = [path for path in staged if has_suffix(path, YAML_SUFFIXES) and _looks_like_template(path)]
    found = find_changed_dependants([*templates, *staged_templates], searched, ask_git=True)
    roots, inputs_named = _projects_of_changed_inputs(sorted(collected.named), staged, inputs, searched)
    if inputs_named:
        collected.files[:] = [path for path in collected.files if _same_file(path) not in inputs_named]
    listed = {_same_file(path) for path in collected.files}
    everything = collect([*found.of_templates, *found.of_missing, *found.of_untracked, *found.maybe, *roots])
    for path in everything.files:
        if _same_file(path) not in listed and _same_file(path) not in inputs_named:
            listed.add(_same_file(path))
            collected.files.append(path)
    return found


def _staged_files(paths) -> list[str]:
    """The files staged in git's index (added, copied, modified, renamed, deleted: a rename as the path it leaves
    and the one it makes), in the repositories of ``paths``, named or not: a hook whose `files:` leaves a
    template, the project's config or the quotes snapshot out still lints what a commit of it may break (audits
    ci19 3, ci22 1). Absolute paths; nothing outside a repository, or when git cannot answer."""
    staged: list[str] = []
    for top in _repository_tops(paths):
        listed = git_paths(top, "diff", "--cached", "--name-only", "--no-ext-diff", "--no-renames")
        staged.extend(str(top / name) for name in sorted(listed or ()))
    return staged


def _repository_tops(paths) -> list[Path]:
    """The tops of the git repositories ``paths`` (files or folders) are in, sorted."""
    folders = {os.path.abspath(p) if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)) for p in paths}
    return sorted({top for folder in folders if (top := repository_top(real_path(Path(folder)))) is not None})


def _projects_of_changed_inputs(named, staged: list[str], inputs: RunInputs, searched) -> tuple[list[str], set[str]]:
    """The roots of the projects every verdict of which a file of ``named`` (named on the command line) or
    ``staged`` may change, as :func:`graphc.lint.as_listed` shows them, and those of ``named`` that are such inputs
    (:func:`_same_file`). A project's config (the ``graphc.toml`` or ``pyproject.toml``
    :func:`graphc.config.config_at` gives for its folder; when staged, also a graphc.toml the commit deletes, or a
    pyproject.toml whose ``[tool.graphc]`` it removes) and the ``--quotes`` snapshot (for its project,
    :func:`graphc.files.find_project_root`) are an input of every playbook of that project, so a commit that
    changes only one is checked through them all (audit ci22 1). The ``--config`` file replaces the config of every
    file linted, and the ``--params`` file feeds every playbook: either gives every root of ``searched`` (the run's
    paths: :func:`graphc.lint.searched_roots`) (audit ci24 1)."""
    quotes = resolved_path(inputs.quotes) if inputs.quotes not in (None, "live") else None
    every = {resolved_path(path) for path in (inputs.config, inputs.params) if path is not None} - {None}
    roots: set[Path] = set()
    named_inputs: set[str] = set()
    for path, is_staged in [*((path, False) for path in named), *((path, True) for path in staged)]:
        resolved = resolved_path(path) if every or quotes is not None else None
        if resolved is not None and resolved in every:
            roots.update(searched_roots(searched))
        elif quotes is not None and resolved == quotes:
            roots.add(find_project_root(path))
        elif not _changes_config(path, is_staged, roots):
            continue
        if not is_staged:
            named_inputs.add(_same_file(path))
    return [as_listed(str(root)) for root in sorted(roots)], named_inputs


def _changes_config(path: str, is_staged: bool, roots: set[Path]) -> bool:
    """Whether ``path`` (named, or ``is_staged``) is a project's config, or one the commit deletes or takes the
    graphc table out of (:func:`_projects_of_changed_inputs`): its project's root added to ``roots`` when it is."""
    name = os.path.basename(path)
    if name not in (CONFIG_FILE, PYPROJECT):
        return False
    folder = real_path(Path(path)).parent
    config = config_at(folder)
    if config is not None and config.name == name:  # the config of the project rooted here
        roots.add(folder)
    elif not is_staged or not os.path.isdir(folder):
        return False
    elif name == CONFIG_FILE and not os.path.lexists(path):  # deleted: its files are configured otherwise now
        roots.add(folder)
    elif name == PYPROJECT and config is None and _stages_lines_naming_graphc(path):
        roots.add(folder)  # its [tool.graphc] deleted, or the file
    else:
        return False
    return True


def _stages_lines_naming_graphc(path: str) -> bool:
    """Whether the commit adds or removes a line that names graphc in the staged file ``path`` (absolute)."""
    top = repository_top(real_path(Path(path).parent))
    if top is None:
        return False
    changed = git_paths(top, "diff", "--cached", "--name-only", "--no-ext-diff", "--no-renames", "-Ggraphc")
    return changed is not None and any(str(top / name) == path for name in changed)


def _same_file(path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _looks_like_template(path: str) -> bool:
    """A cheap look at a named file: does a line start with `graphc-template:`? Else a file whose head names the
    marker otherwise (a quoted key, JSON) or holds a backslash, since an escape may write the key
    (`"graphc-t\\x65mplate": 1`), is parsed to tell (audit ci24 4)."""
    try:
        fd, _ = open_source(path)  # a FIFO or a device is no template (and is never waited on): GC112 when linted
        try:
            head = os.read(fd, 65536).decode("utf-8", errors="replace")
        finally:
            os.close(fd)
    except OSError:
        return False
    if re.search(rf"^{TEMPLATE_MARKER}\s*:", head, re.M) is not None:
        return True
    return (TEMPLATE_MARKER in head or "\\" in head) and os.path.isfile(path) and is_template_file(path)


def _note_unrendered(results, named, users: Dependants | None):
    """Say on stderr which named templates were not rendered on their own (the report lists them as skipped);
    ``users``: what --dependants found (None without it)."""
    for result in results:
        source = result.source
        if result.path not in named or (source is not None and TEMPLATE_MARKER not in source and "\\" not in source):
            continue  # (cheap tests first: a run names a thousand playbooks, each with a few dozen skips)
        if any(skip.code == NOT_RENDERED for skip in result.skipped) and _looks_like_template(result.path):
            if users is None:
                how = "--dependants lints the playbooks that use it"
            elif users.of_templates:
                how = "checked through the playbooks that use it"
            else:  # say where graphc looked: a folder without graphc.toml or .git is a project of its own
                root = outermost_project_root(Path(result.path).resolve())
                how = (
                    f"no playbook under {root} uses it, so nothing checked it with values (searched: its project, "
                    "the nearest folder above it with graphc.toml, a pyproject.toml with [tool.graphc], or .git, "
                    "and the projects around that one up to the repository's top)"
                )
                if users.maybe:  # linted: whether one of them renders its `use:` to this template is not known here
                    some = f"{len(users.maybe)} playbooks" if len(users.maybe) > 1 else "1 playbook"
                    how = (
                        f"no playbook under {root} names it in a literal `use:`; {some} whose `use:` is an "
                        f"expression {'were' if len(users.maybe) > 1 else 'was'} linted, which checks it only if "
                        "one renders to it"
                    )
            click.echo(
                f"graphc: note: {one_line(result.path)}: template not rendered on its own (a param has no default); {how}",
                err=True,
            )


def _note_unmarked(passed_over: list[str]) -> None:
    """Name on stderr each file passed over as not graphc's that looks like a playbook whose marker is missing or
    mistyped (:func:`graphc.lint.unmarked_playbook`): still not linted, as the docs say, but never without a word."""
    for path in passed_over:
        if unmarked_playbook(path):
            said = (
                f"{path} looks like a playbook (it has `legs:`) but has no `graphc: 1` marker; not linted (a walk "
                "and --ignore-unknown pass over files that are not graphc's)"
            )
            click.echo(f"graphc: note: {one_line(said)}", err=True)


def _read_stdin():
    """(text, None), or (None, the error) when stdin cannot be read or is not UTF-8."""
    try:
        return read_stdin(), None
    except (OSError, UnicodeDecodeError) as exc:
        return None, exc


def _lint_stdin(path: str, stdin, options):
    """Lint the text read from stdin as if it were the file ``path`` (GC112 when it was not readable)."""
    text, error = stdin
    if error is not None:
        return unreadable_result(path, error, options)
    return lint_source(text, path, options, explicit=True, keep_wire=False).result


def _empty_message(search: str, found: list[str]) -> str:
    """Why a directory or glob gave nothing to lint: ``no *.yaml, *.yml or *.json file in plays``."""
    what = "no playbook, wire graph or simple order in" if found else f"no {suffix_patterns(LINTABLE_SUFFIXES)} file"
    if any(ch in search for ch in "*?["):
        return f"{what} matches {search!r}" if not found else f"{what} the files {search!r} matches"
    return f"{what} in {search}" if not found else f"{what} {search}"


def _warn_empty(search: str, found: list[str]):
    message = one_line(_empty_message(search, found))  # a path on one line: never a workflow command
    click.echo(f"graphc: warning: {message} (--allow-empty accepts this)", err=True)


def _not_read_note(unread: dict[str, str]) -> str:
    """``nope.yaml not found``, ``a.yaml not found; b.yaml could not be read``, ``5 files not found or unreadable
    (a.yaml, b.yaml, c.yaml, ...)``: the files GC112 would report, for the summary line when GC112 is off."""
    shown = {display_path(path): why for path, why in unread.items()}  # as every report shows a path
    if len(shown) <= 3:
        return "; ".join(f"{path} {why}" for path, why in shown.items())
    return f"{len(shown)} files not found or unreadable ({', '.join(list(shown)[:3])}, ...)"


def _nothing_linted(collected, empty: list[str], unread: dict[str, str]) -> str:
    """Why no file was linted, for the summary line (which must not read as a pass: playbook-spec.md §8)."""
    reasons = [_not_read_note(unread)] if unread else []
    reasons += [_empty_message(search, collected.searches[search]) for search in empty]
    named = [path for path in collected.named if path not in collected.missing and path not in unread]
    if named:
        files = "the 1 file named" if len(named) == 1 else f"the {len(named)} files named"
        reasons.append(f"no playbook, wire graph or simple order among {files}")
    return "; ".join(reasons) or "no file given"


def _report_crashes(crashes):
    verbose = verbose_requested()
    for crash in crashes:
        if verbose:
            from graphc.api.redact import redact  # deferred: only a crash with -v needs it

            sys.stderr.write(redact(crash.traceback))
        print_internal_error(crash.error, verbose=False, where=crash.path, doing="linting")
