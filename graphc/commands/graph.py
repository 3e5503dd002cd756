"""``graphc graph``: draw a playbook or a wire graph (Mermaid, DOT, SVG, PNG)."""

from __future__ import annotations

import sys

import click

from graphc import render_graph as R
from graphc.commands.common import (
    EXIT_USAGE,
    StaleOutputCommand,
    build_options,
    compile_options,
    exit_on_file_errors,
    exit_on_findings,
    print_diagnostics,
    read_input,
    removes_stale_output,
    write_output,
)
from graphc.config import load_project
from graphc.diagnostics import FileResult, has_errors
from graphc.humanize import playbook_name
from graphc.inputs import PLAYBOOK, SIMPLE
from graphc.lint import report_refused_ticks
from graphc.pipeline import compile_document
from graphc.render_graph import NodeText
from graphc.report import one_line
from graphc.stages.suggest import listed
from graphc.wire_input import read_graph_input

FORMATS = ("mermaid", "dot", "svg", "png")


@click.command("graph", cls=StaleOutputCommand)
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="mermaid",
    show_default=True,
    help="mermaid and dot are text; svg and png need Graphviz's `dot`.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the picture here (missing folders are created). If the drawing fails, a file already there is "
    "removed (and that is said), so an earlier run's picture never passes for this one's.",
)
@compile_options
@removes_stale_output("drawing", "picture", inputs=("source", "quotes_path", "params_file"))
def graph_command(source, fmt, output, quotes_path, set_values, params_file, now):
    """Draw SOURCE: a playbook, a wire graph JSON, or a simple order.

    Boxes show side, size, instrument, venue and price in the playbook's words;
    arrows carry their trigger (`filled 50%`, `+5s`; a condition on another
    trigger, which lint rejects, after it: `+1h (fill ≥ 100%)`); roots have a double, bold
    border; a type or activation a wire node leaves out is drawn as the router
    reads it (as lint's GC111 and decompile do: spot, or prediction for a
    Polymarket URL or slug; root when no edge leads to it), marked `by default`;
    a note shows the mode (sandbox, LIVE, or NOT SET for a wire graph
    without is_sandbox) and the risk limits. A template price (`ask + 1 tick`) is
    drawn as the leg reads once rendered (a ladder rung's `bid - 20bps`, a
    `use:` leg's from its template, --set values filled in), with its value
    when --quotes resolves it.

    SOURCE is a file or `-` for stdin. The picture is drawn without the lint
    rules: run `graphc lint` for those. --quotes, --params, --set and --now
    apply to playbooks: for a wire graph or simple order they are read and
    checked as lint checks them, and a note says they change nothing.

    Exit status: 0 drawn, 1 input errors (no graph to draw, or a --quotes
    snapshot or graphc.toml with errors, a tick or price the market's venue
    cannot have among them), 2 usage error, unreadable input, no Graphviz for
    svg/png, or dot failed or took longer than GRAPHC_MAX_DOT_SECONDS (120 s by
    default: it is stopped, nothing written), 4 internal error. What dot warns
    of when it succeeds (a png scaled down to fit) is passed on to stderr, and
    svg/png of more than 2,000 boxes is warned of before dot starts, as is
    Mermaid text past Mermaid's default limits (50,000 characters, 500 edges).
    """
    wire, name, texts = _load(source, quotes_path, set_values, params_file, now)
    pic = R.picture(wire, name=name, texts=texts)
    if fmt == "mermaid":
        text = R.to_mermaid(pic)
        passed = R.mermaid_limits_passed(text, len(pic.arrows))
        if passed:  # still written: a renderer whose limits are raised draws it
            click.echo(
                f"graphc: warning: the Mermaid text has {' and '.join(passed)}, past Mermaid's default limits: a "
                "renderer that keeps them shows an error instead of the graph; draw it with -f svg or -f dot, or raise "
                "the renderer's maxTextSize and maxEdges "
                "(https://mermaid.js.org/config/schema-docs/config-properties-maxtextsize.html)",
                err=True,
            )
        data = text.encode("utf-8")
    elif fmt == "dot":
        data = R.to_dot(pic).encode("utf-8")
    else:
        if len(pic.boxes) > R.DOT_PRACTICAL_BOXES:  # said before dot starts: it may take minutes
            picture = "an SVG" if fmt == "svg" else "a PNG"
            click.echo(
                f"graphc: warning: {len(pic.boxes):,} boxes: Graphviz lays out a graph this large slowly and "
                f"{picture} of it may be too large to read (3,000 legs took 9.4 s as svg, and a png of them was "
                f"scaled to 24%); dot is stopped after {R.DOT_SECONDS:,} s (GRAPHC_MAX_DOT_SECONDS), and -f dot or "
                "-f mermaid write the text at once",
                err=True,
            )
        try:
            data = R.run_graphviz(R.to_dot(pic), fmt, warn=_dot_said)
        except R.GraphvizMissing as exc:
            click.echo(f"graphc: {one_line(str(exc))}", err=True)
            sys.exit(EXIT_USAGE)
        except (RuntimeError, OSError) as exc:
            click.echo(f"graphc: dot failed: {one_line(str(exc))}", err=True)
            sys.exit(EXIT_USAGE)
    write_output(data, output, what="the picture")


def _dot_said(line: str) -> None:
    """A line dot wrote on stderr though it succeeded: a picture scaled down to fit is written, but said so."""
    click.echo(f"graphc: warning: dot: {one_line(line)}", err=True)


def _load(source, quotes_path, set_values, params_file, now):
    """(wire, name, {node_id: NodeText}) for a playbook, wire graph or simple order; exits on errors."""
    text, path = read_input(source)
    loaded = read_graph_input(text, path)
    diagnostics, wire, name, texts = list(loaded.diagnostics), loaded.wire, None, {}
    if loaded.kind == PLAYBOOK:
        result = _compile(
            loaded.doc, (text, path), None if source == "-" else source, quotes_path, set_values, params_file, now
        )
        diagnostics += result.diagnostics
        wire, texts = result.wire, _node_texts(result)
        name = loaded.doc.data.get("name") if isinstance(loaded.doc.data.get("name"), str) else None
    else:  # the options are read and checked as `graphc lint` reads them for this file, though they change nothing
        _options(None if quotes_path == "live" else quotes_path, set_values, params_file, now)  # (no quote asked)
        if wire is not None:
            name = playbook_name(path) if source != "-" else None
    errors = [d for d in diagnostics if d.code.startswith("GC1")]
    if diagnostics:
        print_diagnostics([FileResult(path, text, diagnostics, [])])
    if wire is None or has_errors(errors):
        exit_on_findings(FileResult(path, text, diagnostics, []))
    if loaded.kind != PLAYBOOK:
        _note_playbook_options(loaded.kind, quotes_path, set_values, params_file, now)
    return wire, name, texts


def _options(quotes_path, set_values, params_file, now, *, sources=(), config=None):
    """The compile options as `graphc lint` and `graphc compile` build them (an unreadable --quotes or --params file,
    a bad --set or --now: exit 2), the --quotes snapshot's problems shown as they show them (exit 1 on an error)."""
    options, quote_diagnostics = build_options(
        quotes_path, set_values, params_file, now, require_quotes=False, sources=sources, config=config
    )
    exit_on_file_errors(quote_diagnostics)
    return options


def _note_playbook_options(kind, quotes_path, set_values, params_file, now) -> None:
    """One note naming the options given that only a playbook uses: a wire graph or simple order is drawn as it is."""
    values = {"--quotes": quotes_path, "--params": params_file, "--set": set_values, "--now": now}
    given = [option for option, value in values.items() if value]
    if not given:
        return
    what = "a simple order" if kind == SIMPLE else "a wire graph"
    verb, pronoun, applies = ("does", "it", "applies") if len(given) == 1 else ("do", "they", "apply")
    click.echo(
        f"graphc: note: {listed(given, sort=False)} {verb} not change the picture of {what}; {pronoun} {applies} to "
        "playbooks",
        err=True,
    )


def _compile(doc, read, source, quotes_path, set_values, params_file, now):
    """Compile like `graphc lint`: a price or size that needs a missing quote is drawn as written.

    With the project of the file (``source``; None: stdin, the working directory's) as compile and lint take it:
    its `use:` root and its config's market settings, so the picture shows the prices and sizes compile writes
    (spec §3.3). A config with errors is reported and stops it, as `graphc compile` does. ``read``, the
    playbook's ``(text, path)``, is what ``--quotes live`` reads the symbols it needs from."""
    root, config, config_diagnostics = load_project(source)
    exit_on_file_errors(config_diagnostics)
    options = _options(quotes_path, set_values, params_file, now, sources=[read], config=config)
    options.project_root = str(root)
    result = compile_document(doc, options)
    # a tick or price graphc.toml or the snapshot gives that the market's venue cannot have: an error of that file,
    # which stops the picture as it stops compile (the same function; audit rules23 3)
    report_refused_ticks(result, options, config)
    return result


def _node_texts(result) -> dict:
    """NodeText per node: template prices and quantities as the leg writes them, after rendering.

    The price is the compiler's text of the leg (NodeOrigin.price_text): a `use:` leg's from its template, a
    `for_each` rung's with its own index and the params filled in. Never cut from the playbook at a span, which
    for a `use:` leg points into the template file."""
    texts = {}
    for node in (result.wire or {}).get("nodes", []):
        origin = result.origin.get(node["node_id"])
        if origin is None:
            continue
        price = " ".join((origin.price_text or "").split()) or None  # on one line
        texts[node["node_id"]] = NodeText(price=price, quantity=origin.quantity_text)
    return texts
