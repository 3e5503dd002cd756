"""graphc: compile, lint, plan and submit order playbooks for an execution-graph router.

The public API (documented in docs/api.md)::

    import graphc

    result = graphc.compile_text(text, quotes={"ETH-USD": {"bid": "2325.10", "ask": "2325.53"}})
    if result.ok:
        print(result.wire_json())

    report = graphc.lint_text(text, path="order.yaml", quotes="examples/quotes.yaml")
    for diagnostic in report.diagnostics:
        print(diagnostic.headline())

Everything else is internal and may change. The module stays import-light, so
``graphc --version`` stays fast: the functions import the pipeline when called.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike, fspath
from typing import TYPE_CHECKING, Any, TypeAlias

from graphc.boundary import entry_point
from graphc.version import __version__

if TYPE_CHECKING:  # annotations only: `graphc --version` and `graphc lint` import this module
    from datetime import datetime

    from graphc.config import Config
    from graphc.diagnostics import Diagnostic, FileResult
    from graphc.pipeline import CompileOptions, CompileResult
    from graphc.quotes import Quote

QuotesArg: TypeAlias = (
    "str | PathLike[str] | Mapping[str, Any] | None"  # a snapshot file, or symbol -> Quote or field mapping
)

__all__ = [
    "__version__",
    "checked",
    "compile_file",
    "compile_text",
    "exit_code",
    "lint_file",
    "lint_text",
    "load_quotes",
]


@entry_point
def compile_text(
    text: str,
    path: str | PathLike[str] = "<string>",
    *,
    quotes: str | PathLike[str] | Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    params_file: str | PathLike[str] | None = None,
    now: datetime | None = None,
    project_root: str | PathLike[str] | None = None,
) -> CompileResult:
    """Compile playbook source text to the router's wire graph.

    ``quotes`` is a snapshot file's path or a mapping ``{symbol: Quote | {bid, ask,
    last, mid, tick, lot}}`` whose values are ``Decimal``, ``int`` or ``str``
    (a float is refused: it is not exact). ``params`` are ``--set`` values as
    text. Returns a :class:`graphc.pipeline.CompileResult`: ``.ok``, ``.wire``,
    ``.wire_json()`` and ``.diagnostics``; bad input never raises. A snapshot file with errors is a result
    with its diagnostics and no graph, as ``graphc compile --quotes FILE`` stops.
    """
    from graphc import pipeline  # deferred: `import graphc` stays light (graphc --version)
    from graphc.diagnostics import has_errors  # deferred: `import graphc` stays light
    from graphc.lint import report_refused_ticks  # deferred: `import graphc` stays light (graphc --version)

    path = _path(path, "path")
    given, problems = _snapshot(quotes)
    if has_errors(problems):
        return pipeline.CompileResult(path, text, diagnostics=problems)
    options = _options(given, params, params_file, now, project_root, require_quotes=True)
    result = pipeline.compile_text(text, path, options)
    report_refused_ticks(result, options, None)  # as graphc compile: a tick or price the venue cannot have
    return result.replace(diagnostics=[*problems, *result.diagnostics]) if problems else result


@entry_point
def compile_file(
    path: str | PathLike[str],
    *,
    quotes: str | PathLike[str] | Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    params_file: str | PathLike[str] | None = None,
    now: datetime | None = None,
) -> CompileResult:
    """Compile a playbook file as ``graphc compile`` does: with the market settings of its project's
    ``graphc.toml`` (or ``[tool.graphc]``), found by walking up from the file, and ``use:`` templates confined
    to that project. A config or a snapshot file with errors is a result with its diagnostics and no graph (as
    the CLI, which stops). Unreadable: ``OSError``; a file that is not UTF-8 is a result with one GC112 at the
    first bad byte, as ``graphc compile`` says it."""
    from graphc import pipeline  # deferred: `import graphc` stays light (graphc --version)
    from graphc.diagnostics import has_errors  # deferred: `import graphc` stays light
    from graphc.files import unreadable  # deferred: `import graphc` stays light
    from graphc.lint import report_refused_ticks  # deferred: `import graphc` stays light (graphc --version)

    path = _path(path, "path")
    config, problems = _project_config(path)
    if has_errors(problems):
        return pipeline.CompileResult(str(path), None, diagnostics=problems)
    given, quote_problems = _snapshot(quotes)  # read after the config, as `graphc compile` reads them
    problems += quote_problems
    if has_errors(quote_problems):
        return pipeline.CompileResult(str(path), None, diagnostics=problems)
    options = _options(given, params, params_file, now, None, require_quotes=True)
    options.market_config = config.market_config  # compile and lint read the same market facts (spec §3.3)
    try:
        result = pipeline.compile_file(path, options)
    except UnicodeDecodeError as exc:
        diagnostic, text = unreadable(str(path), exc)
        return pipeline.CompileResult(str(path), text, diagnostics=[diagnostic])
    report_refused_ticks(result, options, config)  # as graphc compile: a tick or price the venue cannot have
    return result.replace(diagnostics=[*problems, *result.diagnostics]) if problems else result


@entry_point
def lint_text(
    text: str,
    path: str | PathLike[str] = "<string>",
    *,
    quotes: str | PathLike[str] | Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    params_file: str | PathLike[str] | None = None,
    now: datetime | None = None,
) -> FileResult:
    """Lint a playbook, wire graph or simple order given as text, as ``graphc lint`` does.

    Returns a :class:`graphc.diagnostics.FileResult` (``.diagnostics``, sorted,
    and ``.skipped``). No config file is read (``path`` only names the text):
    pass what you need explicitly, or use :func:`lint_file`. With ``quotes``, a
    symbol missing from them is GC109; without, the checks that need a price are
    skipped (listed in ``.skipped``). A snapshot file's problems come first in ``.diagnostics``, located in
    it, and the lint uses what could be read of it, as ``graphc lint --quotes FILE`` does.
    """
    path = _path(path, "path")
    given, problems = _snapshot(quotes)
    result = _lint(text, path, given, params, params_file, now, None)
    return result.replace(diagnostics=[*problems, *result.diagnostics]) if problems else result


def _lint(
    text: str | UnicodeDecodeError,
    path: str,
    quotes: Mapping[str, Any] | None,
    params: Mapping[str, str] | None,
    params_file: str | PathLike[str] | None,
    now: datetime | None,
    config: Config | None,
) -> FileResult:
    """lint_text's work, with ``config`` (a project's graphc.toml: market settings and rule levels) or none.
    ``text`` is the decoding error of a file that is not UTF-8: its one GC112, at the severity ``config`` gives
    it, after the arguments are checked as for any other file (:func:`graphc.lint.unreadable_result`)."""
    from graphc.diagnostics import FileResult  # deferred: `import graphc` stays light (graphc --version)
    from graphc.files import option_file_problem  # deferred: `import graphc` stays light (graphc --version)
    from graphc.lint import (  # deferred: `import graphc` stays light (graphc --version)
        LintOptions,
        lint_source,
        params_unread,
        unreadable_result,
    )
    from graphc.pipeline import gc_paused  # deferred: `import graphc` stays light (graphc --version)

    options = _options(quotes, params, params_file, now, None, require_quotes=quotes is not None)
    if config is not None:
        options.market_config = config.market_config  # as graphc lint: the config's market facts (spec §3.3)
    lint_options = LintOptions(compile=options, quotes_given=quotes is not None, config=config)
    # a params file that cannot be read: `graphc lint` refuses it before any file (exit 2), the result is not checked
    unread = None if params_file is None else option_file_problem("params", params_file)
    result: FileResult | None
    if isinstance(text, UnicodeDecodeError):
        result = unreadable_result(path, text, lint_options)
    else:
        with gc_paused():  # as `graphc lint` (lint_path), and only when no other thread can see it (embed29 2)
            result = lint_source(text, path, lint_options, keep_wire=False).result
    # None only for files found while walking a directory; text given here is explicit.
    assert isinstance(result, FileResult)
    return result if unread is None else params_unread(result, unread)


@entry_point
def lint_file(
    path: str | PathLike[str],
    *,
    quotes: str | PathLike[str] | Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    params_file: str | PathLike[str] | None = None,
    now: datetime | None = None,
) -> FileResult:
    """Lint one file as ``graphc lint`` does: with its project's ``graphc.toml`` (or ``[tool.graphc]``), found
    by walking up from the file (market settings and rule levels; :func:`lint_text` reads none). The config's
    own problems come first in ``.diagnostics``, located in the config file, and the lint uses what could be
    read of it, as the CLI does; a snapshot file's problems follow them. Unreadable: ``OSError``; a file that is
    not UTF-8 is a result with one GC112 at the first bad byte, at the severity the config gives it, as
    ``graphc lint`` reports it (playbook-spec.md §8), the config and the snapshot read and the arguments checked
    first as for any other file. :func:`exit_code` gives the command's verdict on the result (a file not checked is not
    one without errors: :func:`checked`)."""
    from graphc.files import read_source  # deferred: `import graphc` stays light (graphc --version)

    path = _path(path, "path")
    text: str | UnicodeDecodeError
    try:
        text = read_source(path)
    except UnicodeDecodeError as exc:  # still GC112 as graphc.toml reports it, after the config and the snapshot
        text = exc
    config, problems = _project_config(path)
    given, quote_problems = _snapshot(quotes)  # the snapshot's problems, then the file's, as `graphc lint` shows
    problems += quote_problems
    result = _lint(text, str(path), given, params, params_file, now, config)
    return result.replace(diagnostics=[*problems, *result.diagnostics]) if problems else result


def checked(result: FileResult) -> bool:
    """Whether graphc could check the file of a lint result (:func:`lint_file`, :func:`lint_text`, a prepared
    graph's ``.result``) as input at all: False when it could not read it as text (not UTF-8: GC112; a character
    YAML refuses, as a NUL or UTF-16 without its byte-order mark: GC100), or when none of its checks ran because the
    input error that stopped them is suppressed, lowered to a warning or turned off (``.skipped`` says no other check
    ran), which ``graphc lint`` exits 2 for whatever the diagnostics say: with the error suppressed or turned off
    there are none; and when its ``params_file`` could not be read (GC108: no rule ran with the intended params).
    Not "clean"."""
    from graphc.lint import checked as _checked  # deferred: `import graphc` stays light (graphc --version)

    return _checked(_lint_result(result, "checked"))


def exit_code(result: FileResult) -> int:
    """The exit status ``graphc lint`` gives for the one file of a lint result: 0 passed, 1 an error (at the
    severity its project's graphc.toml gives it), 2 not checked (:func:`checked` is False)."""
    from graphc.lint import exit_code as _exit_code  # deferred: `import graphc` stays light (graphc --version)

    return _exit_code(_lint_result(result, "exit_code"))


def _lint_result(result: Any, function: str) -> FileResult:
    """``result`` when it is a lint result; else ``TypeError`` naming what ``function`` takes (a compile's result
    has no ``.skipped`` and no verdict of ``graphc lint``; audit embed29 3)."""
    from graphc.diagnostics import FileResult  # deferred: `import graphc` stays light (graphc --version)

    if not isinstance(result, FileResult):
        raise TypeError(
            f"{function}() takes a lint result (a graphc.report.FileResult, as lint_file and lint_text return), "
            f"not {type(result).__name__}"
        )
    return result


def _path(path: Any, name: str) -> str:
    """A path argument as text: a ``str`` or any ``os.PathLike`` giving one (a ``pathlib.Path``); ``TypeError`` for
    anything else, naming the argument (bytes, an int, which ``open`` would take for a file descriptor, None; audit
    embed29 3)."""
    if isinstance(path, (str, PathLike)):
        given = fspath(path)
        if isinstance(given, str):
            return given
    raise TypeError(f"{name} must be a str or an os.PathLike giving one (a pathlib.Path), not {type(path).__name__}")


def _project_config(path: str | PathLike[str]) -> tuple[Config, list[Diagnostic]]:
    """The config of the project ``path`` belongs to, found and read as the CLI does (graphc.config)."""
    from graphc.config import load_config  # deferred: tomllib; `import graphc` stays light (graphc --version)

    return load_config(path)


@entry_point
def load_quotes(path: str | PathLike[str]) -> dict[str, Quote]:
    """Read a quotes snapshot file; ``ValueError`` lists its problems (with line:col), a file that is not UTF-8
    among them. Unreadable: ``OSError``."""
    quotes, diagnostics = _read_snapshot(_path(path, "path"))
    if diagnostics:
        raise ValueError("; ".join(d.headline() for d in diagnostics))
    return quotes


def _snapshot(quotes: QuotesArg) -> tuple[Mapping[str, Any] | None, list[Diagnostic]]:
    """``quotes`` read when it names a snapshot file (:func:`_read_snapshot`), else as given, with no problems."""
    if isinstance(quotes, (str, PathLike)):
        return _read_snapshot(_path(quotes, "quotes"))
    return quotes, []


def _read_snapshot(path: str | PathLike[str]) -> tuple[dict[str, Quote], list[Diagnostic]]:
    """A snapshot file read as ``--quotes FILE`` reads it: ``{symbol: Quote}`` and the file's problems, located in
    it (a quote with a problem is left out, or keeps only the fields that could be read). A file that cannot be
    read raises (``OSError``; not UTF-8: ``ValueError``, as the command line refuses to go on)."""
    from graphc.files import unreadable  # deferred: `import graphc` stays light
    from graphc.quotes import load_quotes as _load_quotes  # deferred: `import graphc` stays light (graphc --version)

    try:
        return _load_quotes(path)
    except UnicodeDecodeError as exc:
        raise ValueError(unreadable(str(path), exc)[0].headline()) from None


def _options(
    quotes: Mapping[str, Any] | None,
    params: Mapping[str, str] | None,
    params_file: str | PathLike[str] | None,
    now: datetime | None,
    project_root: str | PathLike[str] | None,
    *,
    require_quotes: bool,
) -> CompileOptions:
    from graphc.pipeline import CompileOptions  # deferred: `import graphc` stays light (graphc --version)
    from graphc.schedule import given_clock  # deferred: zoneinfo; `import graphc` stays light (graphc --version)

    return CompileOptions(
        quotes=_quotes(quotes),
        params=dict(params or {}),
        params_file=None if params_file is None else _path(params_file, "params_file"),
        now=given_clock(now),  # the instant in UTC, as --now (a naive datetime: TypeError)
        require_quotes=require_quotes,
        project_root=None if project_root is None else _path(project_root, "project_root"),
    )


def _quotes(quotes: Mapping[str, Any] | None) -> dict[str, Quote]:
    """A mapping of symbol -> Quote / field mapping (converted exactly; a snapshot file is read by
    :func:`_snapshot` before)."""
    from graphc.quotes import quote_mapping  # deferred: `import graphc` stays light (graphc --version)

    return {} if quotes is None else quote_mapping(quotes)
