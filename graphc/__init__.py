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
from decimal import Decimal
from os import PathLike
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

__all__ = ["__version__", "compile_file", "compile_text", "lint_file", "lint_text", "load_quotes"]


@entry_point
def compile_text(
    text: str,
    path: str = "<string>",
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
    ``.wire_json()`` and ``.diagnostics``; bad input never raises.
    """
    from graphc import pipeline  # deferred: `import graphc` stays light (graphc --version)

    options = _options(quotes, params, params_file, now, project_root, require_quotes=True)
    return pipeline.compile_text(text, path, options)


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
    to that project. A config with errors is a result with its diagnostics and no graph (as the CLI, which
    stops). Unreadable: ``OSError``; a file that is not UTF-8 is a result with one GC112 at the first bad
    byte, as ``graphc compile`` says it."""
    from graphc import pipeline  # deferred: `import graphc` stays light (graphc --version)
    from graphc.diagnostics import has_errors  # deferred: `import graphc` stays light
    from graphc.files import unreadable  # deferred: `import graphc` stays light

    config, problems = _project_config(path)
    if has_errors(problems):
        return pipeline.CompileResult(str(path), None, diagnostics=problems)
    options = _options(quotes, params, params_file, now, None, require_quotes=True)
    options.market_config = config.market_config  # compile and lint read the same market facts (spec §3.3)
    try:
        result = pipeline.compile_file(path, options)
    except UnicodeDecodeError as exc:
        diagnostic, text = unreadable(str(path), exc)
        return pipeline.CompileResult(str(path), text, diagnostics=[diagnostic])
    return result.replace(diagnostics=[*problems, *result.diagnostics]) if problems else result


@entry_point
def lint_text(
    text: str,
    path: str = "<string>",
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
    skipped (listed in ``.skipped``).
    """
    return _lint(text, path, quotes, params, params_file, now, None)


def _lint(
    text: str,
    path: str,
    quotes: QuotesArg,
    params: Mapping[str, str] | None,
    params_file: str | PathLike[str] | None,
    now: datetime | None,
    config: Config | None,
) -> FileResult:
    """lint_text's work, with ``config`` (a project's graphc.toml: market settings and rule levels) or none."""
    from graphc.diagnostics import FileResult  # deferred: `import graphc` stays light (graphc --version)
    from graphc.lint import LintOptions, lint_source  # deferred: `import graphc` stays light (graphc --version)

    options = _options(quotes, params, params_file, now, None, require_quotes=quotes is not None)
    if config is not None:
        options.market_config = config.market_config  # as graphc lint: the config's market facts (spec §3.3)
    lint_options = LintOptions(compile=options, quotes_given=quotes is not None, config=config)
    outcome = lint_source(text, path, lint_options, keep_wire=False)
    # None only for files found while walking a directory; text given here is explicit.
    assert isinstance(outcome.result, FileResult)
    return outcome.result


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
    read of it, as the CLI does. Unreadable: ``OSError``; a file that is not UTF-8 is a result with one GC112
    at the first bad byte, as ``graphc lint`` reports it (playbook-spec.md §8)."""
    from graphc.files import read_source  # deferred: `import graphc` stays light (graphc --version)

    try:
        text = read_source(path)
    except UnicodeDecodeError as exc:
        from graphc.lint import unreadable_result  # deferred: only an undecodable file needs it

        return unreadable_result(str(path), exc)
    config, problems = _project_config(path)
    result = _lint(text, str(path), quotes, params, params_file, now, config)
    return result.replace(diagnostics=[*problems, *result.diagnostics]) if problems else result


def _project_config(path: str | PathLike[str]) -> tuple[Config, list[Diagnostic]]:
    """The config of the project ``path`` belongs to, found and read as the CLI does (graphc.config)."""
    from graphc.config import load_config  # deferred: tomllib; `import graphc` stays light (graphc --version)

    return load_config(path)


@entry_point
def load_quotes(path: str | PathLike[str]) -> dict[str, Quote]:
    """Read a quotes snapshot file; ``ValueError`` lists its problems (with line:col), a file that is not UTF-8
    among them. Unreadable: ``OSError``."""
    from graphc.files import unreadable  # deferred: `import graphc` stays light
    from graphc.quotes import load_quotes as _load_quotes  # deferred: `import graphc` stays light (graphc --version)

    try:
        quotes, diagnostics = _load_quotes(path)
    except UnicodeDecodeError as exc:
        raise ValueError(unreadable(str(path), exc)[0].headline()) from None
    if diagnostics:
        raise ValueError("; ".join(d.headline() for d in diagnostics))
    return quotes


def _options(
    quotes: QuotesArg,
    params: Mapping[str, str] | None,
    params_file: str | PathLike[str] | None,
    now: datetime | None,
    project_root: str | PathLike[str] | None,
    *,
    require_quotes: bool,
) -> CompileOptions:
    from datetime import datetime  # deferred: `import graphc` stays light (graphc --version)

    from graphc.pipeline import CompileOptions  # deferred: `import graphc` stays light (graphc --version)

    if now is not None and not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    return CompileOptions(
        quotes=_quotes(quotes),
        params=dict(params or {}),
        params_file=None if params_file is None else str(params_file),
        now=now,
        require_quotes=require_quotes,
        project_root=None if project_root is None else str(project_root),
    )


def _quotes(quotes: QuotesArg) -> dict[str, Quote]:
    """A path (loaded) or a mapping of symbol -> Quote / field mapping (converted exactly)."""
    from graphc.quotes import QUOTE_FIELDS, Quote, crossed  # deferred: `import graphc` stays light (graphc --version)

    if quotes is None:
        return {}
    if isinstance(quotes, (str, PathLike)):
        return load_quotes(quotes)
    if not isinstance(quotes, Mapping):
        raise TypeError(f"quotes must be a path or a mapping of symbol -> quote, not {type(quotes).__name__}")
    out: dict[str, Quote] = {}
    for symbol, entry in quotes.items():
        if isinstance(entry, Quote):
            out[str(symbol)] = entry
            continue
        if not isinstance(entry, Mapping):
            raise TypeError(f"quote for {symbol!r} must be a Quote or a mapping of {', '.join(QUOTE_FIELDS)}")
        unknown = set(entry) - set(QUOTE_FIELDS)
        if unknown:
            raise ValueError(f"unknown quote field(s) {sorted(unknown)} for {symbol!r}")
        values: dict[str, Any] = {key: _exact(symbol, key, value) for key, value in entry.items()}  # Quote's fields
        why = crossed(values.get("bid"), values.get("ask"))
        if why is not None:
            raise ValueError(f"quote {symbol}: {why}")
        out[str(symbol)] = Quote(**values)  # as a snapshot file: a mid the caller wrote is the mid, sides or not
    return out


def _exact(symbol: object, key: str, value: object) -> Decimal | None:
    """``value`` as a snapshot file's value is read (:func:`graphc.quotes.quote_value`: a price of 0 is an
    empty side), given exactly: a float is refused, and text must be a plain number."""
    from graphc.numbers import shown  # deferred: `import graphc` stays light (graphc --version)
    from graphc.quotes import quote_value  # deferred: `import graphc` stays light (graphc --version)
    from graphc.units import UnitError  # deferred: `import graphc` stays light (graphc --version)

    if value is None:
        return None
    if isinstance(value, (bool, float)):
        raise TypeError(f"quote {symbol}.{key}: pass a Decimal, int or str, not {type(value).__name__} (not exact)")
    try:
        number = Decimal(value)  # type: ignore[arg-type]  # anything else is refused just below
    except (ArithmeticError, TypeError, ValueError):
        raise ValueError(f"quote {symbol}.{key}: {shown(value)} is not a number") from None
    try:
        return quote_value(key, number, shown=value if isinstance(value, str) else shown(value))
    except UnitError as exc:
        raise ValueError(f"quote {symbol}.{key}: {exc.message}") from None
