"""``graphc lint`` without the command line: classify each file, compile or
wrap it into a wire graph, run every rule family, apply config and
suppressions, and return plain :class:`graphc.report.FileResult` records.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import cache

from graphc.config import apply_config
from graphc.diagnostics import Diagnostic, has_errors, located
from graphc.pipeline import CompileOptions, compile_document, is_playbook_data
from graphc.report import FileResult
from graphc.rules.base import LintContext, Skip, run_checks
from graphc.rules.registry import default_severity
from graphc.stages.load import load_text, read_source
from graphc.suppress import filter_suppressed

SIMPLE_ORDER_KEYS = {"symbol", "side", "qty"}


@dataclass
class LintOptions:
    compile: object = None  # graphc.pipeline.CompileOptions (quotes, params, now)
    quotes_given: bool = False
    config: object = None  # graphc.config.Config
    require_quotes: bool | None = None  # None: only when a snapshot is given (plan/submit: always)
    report_skips: bool = True  # record skipped checks with their source spans (only reports that list skips need them)


@dataclass
class LintedGraph:
    """A wire graph ready for the rules, with the way back to the source text."""

    wire: dict | None
    locator: object
    diagnostics: list = field(default_factory=list)
    origin: dict = field(default_factory=dict)
    skips: list = field(default_factory=list)
    is_wire_input: bool = False  # read as the router's JSON, not compiled from a playbook


@cache
def rule_families() -> tuple:
    """Every check, in report order (imported on first use, then kept)."""
    from graphc.rules import execution, graph, risk, venue

    return (*graph.CHECKS, *venue.CHECKS, *execution.CHECKS, *risk.CHECKS)


def _classify(doc, path: str, explicit: bool, options: LintOptions):
    """Turn a loaded document into a LintedGraph, or None for a YAML file that is not graphc's."""
    data = doc.data
    if is_playbook_data(data):
        compile_options = options.compile or CompileOptions()
        # With a snapshot, a symbol missing from it is an error (GC109); without
        # one, prices that need quotes are unknown and their checks are skipped.
        compile_options.require_quotes = (
            options.quotes_given if options.require_quotes is None else options.require_quotes
        )
        result = compile_document(doc, compile_options)
        return LintedGraph(result.wire, result.locator, result.diagnostics, result.origin, result.skips)
    if isinstance(data, dict) and "nodes" in data:
        return _wire_input(doc)
    if isinstance(data, dict) and set(data) >= SIMPLE_ORDER_KEYS:
        return _simple_order(doc)
    if explicit:  # found while walking a directory: not ours, skipped like any other file
        return LintedGraph(
            None,
            doc,
            [
                Diagnostic(
                    "GC110",
                    "not a playbook (`graphc: 1`), a wire graph (`nodes`) or a simple order (`symbol`, `side`, `qty`)",
                    doc.path,
                    doc.span(()),
                    hint="start a playbook with `graphc: 1`; `--ignore-unknown` skips named files that are not graphc's",
                )
            ],
        )
    return None


def _wire_input(doc) -> LintedGraph:
    from graphc.stages.validate import WIRE_SCHEMA, validate

    return LintedGraph(doc.data, doc, validate(doc, WIRE_SCHEMA), is_wire_input=True)


def _simple_order(doc) -> LintedGraph:
    """The router's simple form ``{symbol, side, qty, price?, venue?}`` as a one-node graph."""
    from graphc.diagnostics import DiagnosticError
    from graphc.stages.legs import infer_instrument
    from graphc.stages.model import Locator
    from graphc.units import UnitError, parse_number, parse_price, to_scaled

    data = doc.data
    locator = Locator({(): doc.span(())})
    diagnostics = []
    unknown = set(data) - {"symbol", "side", "qty", "price", "venue"}
    for key in sorted(unknown, key=str):
        diagnostics.append(
            Diagnostic(
                "GC102",
                f"unknown key {key!r} in a simple order",
                doc.path,
                doc.key_span((key,)),
                hint="simple orders take symbol, side, qty, price, venue",
            )
        )
    try:
        symbol, side, venue = data["symbol"], data["side"], data.get("venue")
        if not isinstance(symbol, str) or side not in ("buy", "sell") or not (venue is None or isinstance(venue, str)):
            raise DiagnosticError(
                "GC103", "simple order needs text `symbol`, `side: buy|sell` and optional text `venue`"
            )
        type_, venue = infer_instrument(symbol, None, venue.lower() if venue else None)
        qty = to_scaled(parse_number(data["qty"]), 8, "quantity")
        order_type = "market"
        if data.get("price") is not None:
            price = parse_price(data["price"])
            if not price.is_literal:
                raise DiagnosticError("GC103", "a simple order's price is a number")
            order_type = {"limit": {"price_1e9": to_scaled(price.literal, 9, "price")}}
    except (UnitError, DiagnosticError) as exc:
        diagnostics.append(Diagnostic(exc.code, exc.message, doc.path, doc.span(()), hint=exc.hint))
        return LintedGraph(None, locator, diagnostics)
    instrument = {"symbol": symbol, "type": type_, **({"venue": venue} if venue else {})}
    node = {
        "node_id": "order",
        "instrument": instrument,
        "side": side,
        "order_type": order_type,
        "quantity": {"fixed": {"qty_1e8": qty}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }
    for wire_key, key in (
        ("instrument", "symbol"),
        ("side", "side"),
        ("quantity", "qty"),
        ("order_type", "price"),
        ("instrument", "venue"),
    ):
        if key in data:
            locator.spans[("nodes", 0, wire_key)] = doc.span((key,))
    locator.spans[("nodes", 0, "instrument", "venue")] = doc.span(("venue",) if "venue" in data else ("symbol",))
    return LintedGraph({"nodes": [node], "edges": [], "is_sandbox": True}, locator, diagnostics)


def _run_rules(graph: LintedGraph, path: str, options: LintOptions):
    config = options.config
    ctx = LintContext(
        wire=graph.wire,
        quotes=(options.compile.quotes if options.compile else {}) or {},
        quotes_given=options.quotes_given,
        venue_overrides=dict(getattr(config, "venues", {}) or {}),
        market_overrides=dict(getattr(config, "markets", {}) or {}),
        origin=graph.origin,
        record_skips=options.report_skips,
    )
    diagnostics = []
    for finding in run_checks(ctx, rule_families()):
        severity = getattr(finding, "severity", None) or default_severity(finding.code)
        diagnostics.append(
            located(
                Diagnostic(
                    finding.code, finding.message, path, graph.locator.span(finding.where), severity, finding.hint
                )
            )
        )
    return diagnostics, _located_skips(ctx.skipped, graph.locator, options)


def _located_skips(skips, locator, options: LintOptions) -> list:
    """Skips with the wire path replaced by the source span (none when no report shows them)."""
    if not options.report_skips:
        return []
    return [Skip(code, locator.span(where), reason) for code, where, reason in skips]


def lint_file(path, options: LintOptions | None = None, *, explicit: bool = False):
    """Lint one file. Returns a FileResult, or None when it is a YAML file that is not graphc's.

    Unreadable files raise OSError/UnicodeDecodeError for the caller (exit 2).

    Python's cyclic garbage collector is paused while one file is linted: a
    large graph allocates millions of long-lived, acyclic objects (spans, wire
    dicts), and the collector re-scanning them made time grow faster than the
    graph (100k legs: 4x slower). It runs again between files.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint_file(path, options, explicit)
    finally:
        if enabled:
            gc.enable()


def _lint_file(path, options, explicit):
    path = str(path)
    return lint_source(read_source(path), path, options, explicit=explicit, keep_wire=False).result


@dataclass
class LintOutcome:
    """What linting one source produced, for the commands that go on to submit it."""

    result: object  # FileResult, or None for a YAML file that is not graphc's
    wire: dict | None = None  # the wire graph (Decimals for fractions), when one was built
    wire_text: str | None = None  # its exact JSON text: compiled for playbooks, as read for wire files
    name: str | None = None  # the playbook's name

    @property
    def has_errors(self) -> bool:
        return self.result is not None and has_errors(self.result.diagnostics)


def lint_source(
    text: str, path: str, options: LintOptions | None = None, *, explicit: bool = True, keep_wire: bool = True
) -> LintOutcome:
    """Lint source text (one file's contents) and keep the wire graph it produced.

    ``keep_wire=False`` (plain ``graphc lint``) skips writing the wire JSON text,
    a sixth of the time of linting a small playbook.
    """
    options = options or LintOptions()
    doc, diagnostics = load_text(text, path)
    skips, graph, name = [], None, None
    if doc is not None:
        graph = _classify(doc, path, explicit, options)
        if graph is None:
            return LintOutcome(None)
        diagnostics.extend(graph.diagnostics)
        skips.extend(_located_skips(graph.skips, graph.locator, options))
        if graph.wire is not None and not has_errors(diagnostics):
            found, rule_skips = _run_rules(graph, path, options)
            diagnostics.extend(found)
            skips.extend(rule_skips)
        if isinstance(doc.data, dict) and isinstance(doc.data.get("name"), str):
            name = doc.data["name"]
    if options.config is not None:
        diagnostics = apply_config(diagnostics, options.config)
    diagnostics = filter_suppressed(diagnostics, text, path=path)
    diagnostics.sort(key=Diagnostic.sort_key)
    outcome = LintOutcome(FileResult(path, text, diagnostics, skips), name=name)
    if keep_wire and graph is not None and graph.wire is not None and not has_errors(diagnostics):
        outcome.wire = graph.wire
        outcome.wire_text = text if graph.is_wire_input else _wire_text(graph.wire)
    return outcome


def _wire_text(wire):
    from graphc.stages.emit import to_json

    return to_json(wire)
