"""Options and helpers shared by the commands that compile playbooks."""

from __future__ import annotations

import sys

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_REMOTE = 0, 1, 2, 3


def compile_options(fn):
    """--quotes, --set, --params and --now, shared by compile, lint and plan."""
    fn = click.option(
        "--now",
        "now",
        metavar="ISO8601",
        help="Fix `now`/`today` in templates (e.g. 2026-01-05T09:00:00Z) for reproducible output.",
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
    if text is None:
        return None
    from datetime import UTC, datetime  # deferred: most runs give no --now

    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO 8601 time, e.g. 2026-01-05T09:00:00Z", param_hint="--now"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_set(values) -> dict:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--set")
        out[name.strip()] = value
    return out


def load_quotes_option(path):
    """Returns (quotes, diagnostics). An unreadable file is a usage error (exit 2); ``live`` is filled later."""
    if path is None or path == "live":
        return {}, []
    from graphc.quotes import load_quotes

    try:
        return load_quotes(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read quotes file {path}: {getattr(exc, 'strerror', None) or exc}") from None


def build_options(quotes_path, set_values, params_file, now, *, require_quotes, sources=()):
    """CompileOptions from the shared options; with ``--quotes live``, the quotes that
    ``sources`` (paths, ``-`` for stdin text already read: pass ``(text, path)``) need, read from the router."""
    from graphc.pipeline import CompileOptions

    quotes, diagnostics = load_quotes_option(quotes_path)
    if params_file is not None:  # unreadable input is a usage error (exit 2); its contents are checked later
        try:
            with open(params_file, "rb"):
                pass
        except OSError as exc:
            raise click.UsageError(f"cannot read params file {params_file}: {exc.strerror or exc}") from None
    options = CompileOptions(
        quotes=quotes,
        params=parse_set(set_values),
        params_file=params_file,
        now=parse_now(now),
        require_quotes=require_quotes,
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
    from graphc.api.client import Client
    from graphc.api.errors import ApiError
    from graphc.files import read_source
    from graphc.lint import LintOptions, live_quotes

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
            return live_quotes(texts, LintOptions(compile=options, quotes_given=True), client.get_quote)
    except ApiError as exc:
        click.echo(f"graphc: error: --quotes live: {exc}", err=True)
        sys.exit(exc.exit_code)


def explain_live(results, quotes) -> None:
    """Say, in each GC109 about a symbol the router had no quote for, that the router had none."""
    missing = getattr(quotes, "missing", None)
    if not missing:
        return
    from graphc.quotes import explain_missing

    for result in results:
        if result is not None:
            result.diagnostics[:] = explain_missing(result.diagnostics, missing)


def print_diagnostics(results, *, stream=None, summary=False):
    """Print diagnostics as text (with source snippets) to stderr by default."""
    from graphc.report import render
    from graphc.report.text import should_color

    stream = stream or sys.stderr
    text = render("text", results, color=should_color(stream), summary=summary)
    if text:
        stream.write(text if text.endswith("\n") else text + "\n")


def read_error(path, exc) -> str:
    reason = getattr(exc, "strerror", None) or str(exc)
    if isinstance(exc, UnicodeDecodeError):
        reason = "not UTF-8 text"
    return f"cannot read {path}: {reason}"


def read_input(source) -> tuple[str, str]:
    """(text, shown path) of a file argument, ``-`` meaning stdin; exits 2 when unreadable."""
    from graphc.files import read_source

    if source == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        return read_source(source), str(source)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"graphc: {read_error(source, exc)}", err=True)
        sys.exit(EXIT_USAGE)
