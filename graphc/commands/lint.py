"""``graphc lint``: check playbooks, wire graphs and simple orders."""

from __future__ import annotations

import sys
from typing import NamedTuple

import click

from graphc.commands.common import (
    EXIT_FINDINGS,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    build_options,
    compile_options,
    explain_live,
    print_internal_error,
)

FORMATS = ("text", "json", "sarif", "github", "junit")


class Crash(NamedTuple):
    """A file whose lint hit a bug in graphc: reported after the other files, and the run exits 4."""

    path: str
    error: BaseException
    traceback: str


def _lint_one(args):
    """Worker for -j: lint one file (an unreadable one is a FileResult with GC112; a bug is a Crash)."""
    path, options, explicit = args
    from graphc.lint import lint_file

    try:
        return lint_file(path, options, explicit=explicit)
    except Exception as exc:  # one file's bug must not lose the other files' findings, nor read as findings
        import traceback

        return Crash(path, _picklable(exc), "".join(traceback.format_exception(exc)))


def _picklable(exc: BaseException) -> BaseException:
    """``exc``, or a RuntimeError with its text when it cannot cross a process boundary (-j)."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _read_or_none(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None


def _run(files, explicit, options, jobs):
    work = [(str(f), options, str(f) in explicit) for f in files]
    if jobs <= 1 or len(work) < 2:
        return [_lint_one(item) for item in work]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers start in a millisecond with graphc already imported (spawn would re-import
    # everything in each worker). A few chunks per worker balance uneven files without much IPC.
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    chunk = max(1, len(work) // (jobs * 4))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_lint_one, work, chunksize=chunk))


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@compile_options
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--explain-skips", is_flag=True, help="Say which checks could not be decided (e.g. no quotes).")
@click.option(
    "--ignore-unknown",
    is_flag=True,
    help="Skip named files that are not playbooks, wire graphs or simple orders (for pre-commit).",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Lint files in N processes."
)
def lint_command(
    paths, quotes_path, set_values, params_file, now, fmt, output, strict, explain_skips, ignore_unknown, jobs
):
    """Lint playbooks (YAML with `graphc: 1`), wire graphs (JSON with `nodes`)
    and simple orders. Directories are searched for *.yaml, *.yml and *.json;
    YAML files that are not playbooks are skipped.

    Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 usage
    error or unreadable input (GC112: reported, and the other files are still
    linted), 4 internal error.
    """
    from graphc.config import load_config
    from graphc.files import UNREADABLE, collect_files
    from graphc.lint import LintOptions
    from graphc.report import FileResult, render
    from graphc.report.text import should_color
    from graphc.rules.registry import report_rules
    from graphc.version import __version__

    try:
        files = collect_files(paths)
    except FileNotFoundError as exc:
        click.echo(f"graphc: no such file or directory: {exc.args[0]}", err=True)
        sys.exit(EXIT_USAGE)
    config, config_diagnostics = load_config(paths[0])
    compile_opts, quote_diagnostics = build_options(
        quotes_path,
        set_values,
        params_file,
        now,
        require_quotes=False,
        sources=files if quotes_path == "live" else (),
        config=config,
    )
    options = LintOptions(
        compile=compile_opts,
        quotes_given=quotes_path is not None,
        config=config,
        report_skips=explain_skips or fmt == "json",
    )  # the reports that list skips
    results = []
    if quote_diagnostics:
        results.append(FileResult(quotes_path, None, quote_diagnostics, []))
    if config_diagnostics:
        config_path = config_diagnostics[0].path
        results.append(FileResult(config_path, _read_or_none(config_path), config_diagnostics, []))
    explicit = set() if ignore_unknown else {str(p) for p in paths}
    crashes = []
    for result in _run(files, explicit, options, jobs):
        if isinstance(result, Crash):
            crashes.append(result)
        elif result is not None:
            results.append(result)
    explain_live(results, compile_opts.quotes)
    color = fmt == "text" and not output and should_color(sys.stdout)
    rules = report_rules(with_help=fmt == "sarif")
    text = render(
        fmt, results, color=color, tool_version=__version__, explain_skips=explain_skips, summary=True, rules=rules
    )
    text = text if text.endswith("\n") else text + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(text)
    else:
        sys.stdout.write(text)
    if crashes:  # the report above covers the other files; the exit code says the run is incomplete
        _report_crashes(crashes)
        sys.exit(EXIT_INTERNAL)
    diagnostics = [d for r in results for d in r.diagnostics]
    strict = strict or bool(getattr(config, "strict", False))
    if any(d.code == UNREADABLE for d in diagnostics):  # spec §8: unreadable input is exit 2, after the report
        sys.exit(EXIT_USAGE)
    if any(d.is_error for d in diagnostics) or (strict and diagnostics):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _report_crashes(crashes):
    from graphc.cli import verbose_requested

    verbose = verbose_requested()
    for crash in crashes:
        if verbose:
            from graphc.api.redact import redact

            sys.stderr.write(redact(crash.traceback))
        print_internal_error(crash.error, verbose=False, where=crash.path)
