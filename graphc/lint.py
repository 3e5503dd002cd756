"""``graphc lint`` without the command line: classify each file, compile or
wrap it into a wire graph, run every rule family, apply config and
suppressions, and return plain :class:`graphc.report.FileResult` records.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from graphc.config import Config, apply_config, is_selected, load_config, select_diagnostics
from graphc.diagnostics import (
    NO_CHECK_RAN,
    Diagnostic,
    FileResult,
    Skip,
    Span,
    capped,
    has_errors,
    located,
    unchecked,
    unlisted_errors,
)
from graphc.files import (
    JSON_SUFFIXES,
    UNREADABLE,
    collect,
    find_project_root,
    git_paths,
    has_suffix,
    leaves_root,
    outermost_project_root,
    read_source,
    real_path,
    repository_top,
    unreadable,
)
from graphc.inputs import (
    SIMPLE,
    SIMPLE_ORDER_KEYS,
    TEMPLATE_MARKER,
    WIRE,
    incomplete_simple_order,
    is_playbook_data,
    is_template_data,
    kind_of,
    not_graphc,
    read_wire_graph,
    reads_as_wire,
    saved_plan_hint,
    wrap_simple_order,
)
from graphc.pipeline import CompileOptions, CompileResult, compile_document, gc_paused
from graphc.record import Record
from graphc.yaml_comments import mentions_directive

if TYPE_CHECKING:  # annotations only: the parser, the facts and the rules are imported by the runs that
    from graphc.facts import GraphFacts  # lint a file (one served from the lint cache never needs them)
    from graphc.quotes import LiveQuotes, Quote
    from graphc.stages.load import Document
    from graphc.stages.model import NodeOrigin
    from graphc.suppress import Suppressions
    from graphc.venues import MarketResolver

WirePath = tuple[Any, ...]  # keys and indexes from the wire graph's root, e.g. ("nodes", 0, "side")
About = tuple[str, str]  # a wire node or edge: ("node", node_id) or ("edge", edge_id)
PlacedKey = tuple[str, str, str, Span | None]  # a finding's code, message, path and span (:func:`_placed_key`)
Placed = dict[PlacedKey, set[About]]  # each rule finding about one wire node or edge, put there


class LintOptions(Record):
    """How to lint: compile options, quotes, config, and whether the report lists skipped checks."""

    FIELDS = ("compile", "quotes_given", "config", "require_quotes", "report_skips", "select", "ignore", "carried")

    compile: CompileOptions | None  # quotes, params, now, the config's market settings
    quotes_given: bool
    config: Config | None  # rule severities (its market settings go in through `compile`)
    require_quotes: bool | None  # None: only when a snapshot is given (plan/submit: always)
    report_skips: bool  # locate skipped checks in the source (reports that list them); they are always counted
    select: tuple[str, ...]  # --select: code prefixes to report (all when empty); see config.select_diagnostics
    ignore: tuple[str, ...]  # --ignore: code prefixes not to report
    carried: tuple[Carried, ...]  # the suppressions a saved plan records, for its graph (wire input) only

    def __init__(
        self,
        compile: CompileOptions | None = None,
        quotes_given: bool = False,
        config: Config | None = None,
        require_quotes: bool | None = None,
        report_skips: bool = True,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        carried: tuple[Carried, ...] = (),
    ):
        self.compile, self.quotes_given, self.config, self.require_quotes = (
            compile,
            quotes_given,
            config,
            require_quotes,
        )
        self.report_skips, self.select, self.ignore, self.carried = report_skips, select, ignore, carried


class Carried(NamedTuple):
    """A suppression a saved plan records (docs/submitting.md): the finding of ``code`` about the wire node or
    edge ``about`` (``("node", id)`` or ``("edge", id)``) was hidden, when the plan was made, by the comment at
    ``directive`` (``p.yaml:7``). Its graph is linted again with exactly these: a finding of that code located in
    that node or edge object is hidden, nothing broader (:func:`lint_source`)."""

    code: str
    about: About
    directive: str


class Hidden(NamedTuple):
    """A finding a suppression hid that would otherwise be reported, at ``diagnostic.severity`` (graphc.toml's
    levels applied): by a comment of the linted file at ``directive`` (``p.yaml:7``), or, in a saved plan's graph,
    by one the plan records (:class:`Carried`). ``about`` is the wire node or edge the finding is in (None: in
    neither, such as the graph's risk limits, or found before the rules ran), which a saved plan records."""

    diagnostic: Diagnostic
    directive: str
    about: About | None


class Locates(Protocol):
    """The way from a wire path back to the source (a compile Locator, or the loaded Document)."""

    def span(self, path: WirePath) -> Span | None: ...


class LintedGraph(NamedTuple):
    """A wire graph ready for the rules, with the way back to the source text (a named tuple, as are the
    other records a lint makes: a dataclass costs its methods' compilation at every start)."""

    wire: dict[str, Any] | None
    locator: Locates
    diagnostics: Sequence[Diagnostic] = ()
    origin: Mapping[str, NodeOrigin] = MappingProxyType({})
    skips: Sequence[Skip] = ()  # `where` is the wire path
    is_wire_input: bool = False  # read as the router's JSON, not compiled from a playbook
    facts: GraphFacts | None = None  # compile's typed facts; built from the wire for JSON input
    files_read: Sequence[tuple[str, str | None]] = ()  # `use:` templates, --params file read or looked for (+ resolved)
    unrendered: tuple[str, ...] = ()  # a template linted alone: its params that have no value here (not rendered)
    shaped: bool = False  # wire input the shipped schema's generated check accepted (graph_facts reads it so)
    read_clock: bool = False  # its render evaluated `now` or `today` (CompileResult.read_clock)
    # the `use:` templates read that hold a `# graphc:` comment (CompileResult.commented_templates): {path: text}
    commented_templates: Mapping[str, str] = MappingProxyType({})
    simple: bool = False  # a simple order, wrapped into its one node (graphc.inputs.wrap_simple_order)


def _classify(
    doc: Document, path: str, explicit: bool, options: LintOptions, simple_order: bool = False
) -> LintedGraph | None:
    """Turn a loaded document into a LintedGraph, or None for a YAML file that is not graphc's. ``simple_order``: a
    wire graph that is a simple order's node as graphc wrapped it (a saved plan's), read as the order is."""
    data = doc.data
    if is_playbook_data(data):
        return _compiled(doc, options)
    if is_template_data(data):
        return _template(doc, options)
    kind = kind_of(data)
    if kind == WIRE:  # the usual graph's facts are read in the pass that checks its shape
        compile_options = options.compile or CompileOptions()
        diagnostics, shaped, facts = read_wire_graph(doc, compile_options.quotes, compile_options.resolver)
        return LintedGraph(data, doc, diagnostics, is_wire_input=True, facts=facts, shaped=shaped, simple=simple_order)
    if kind == SIMPLE:
        wire, locator, diagnostics = wrap_simple_order(doc)
        return LintedGraph(wire, locator, diagnostics, simple=True)
    if explicit:  # found while walking a directory: not ours, skipped like any other file
        incomplete = incomplete_simple_order(doc)
        if incomplete:
            return LintedGraph(None, doc, incomplete)
        start = saved_plan_hint(doc) or "start a playbook with `graphc: 1`"
        hint = f"{start}; `graphc lint --ignore-unknown` skips named files that are not graphc's"
        return LintedGraph(None, doc, [not_graphc(doc, hint)])
    return None


def _compiled(doc: Document, options: LintOptions) -> LintedGraph:
    compile_options = options.compile or CompileOptions()
    # With a snapshot, a symbol missing from it is an error (GC109); without
    # one, prices that need quotes are unknown and their checks are skipped.
    compile_options.require_quotes = options.quotes_given if options.require_quotes is None else options.require_quotes
    if options.require_quotes is None and getattr(compile_options.quotes, "not_asked", None):
        # `--quotes live` past GRAPHC_MAX_LIVE_QUOTES: a quote not asked for is unknown, its checks skipped (GC109)
        # as without quotes, never passed (compile, plan and submit require every quote: GC109 errors there)
        compile_options.require_quotes = False
    result = compile_document(doc, compile_options)
    locator = result.locator if result.locator is not None else doc  # no locator: no graph was built
    # (made positionally, without the named tuple's own __new__: one per file linted)
    return _new(
        LintedGraph,
        (
            result.wire,
            locator,
            result.diagnostics,
            result.origin,
            result.skips,
            False,
            result.facts,
            result.files_read,
            (),
            False,
            result.read_clock,
            result.commented_templates,
            False,
        ),
    )


_new = tuple.__new__
assert LintedGraph._fields == (
    "wire",
    "locator",
    "diagnostics",
    "origin",
    "skips",
    "is_wire_input",
    "facts",
    "files_read",
    "unrendered",
    "shaped",
    "read_clock",
    "commented_templates",
    "simple",
), "update _compiled and lint_source for the new LintedGraph"


def _template(doc: Document, options: LintOptions) -> LintedGraph:
    """A ``use:`` template linted on its own: as the playbook it makes with its defaults, ``--params`` and ``--set``.

    A template with a param that has no value here is checked only for its
    shape (its keys, its param definitions): it is not rendered, and a skip
    says so, since the playbooks that use it supply the value.
    """
    from graphc.stages.expand import template_as_playbook  # deferred: only a template linted alone needs it
    from graphc.stages.params import ParamSet  # deferred: only a template linted alone needs it

    playbook, problems = template_as_playbook(doc)
    if playbook is None:
        return LintedGraph(None, doc, problems)
    defs = playbook.data.get("params")
    unset = _unset_params(defs, options)
    if not unset:
        graph = _compiled(playbook, options)
        return graph._replace(diagnostics=[*problems, *graph.diagnostics])
    checked = ParamSet(
        defs,
        lambda p: doc.span(("params",) + p),
        lambda p: doc.key_span(("params",) + p),
        written_of=lambda p: doc.written(("params",) + p),
    )
    problems += [Diagnostic(p.code, p.message, doc.path, p.span, hint=p.hint) for p in checked.problems]
    return LintedGraph(None, doc, problems, unrendered=tuple(unset))


def _unset_params(defs: object, options: LintOptions) -> list[str]:
    """Params declared without a default and not given with ``--set`` (a ``--params`` file counts as given)."""
    compile_options = options.compile or CompileOptions()
    if not isinstance(defs, dict) or compile_options.params_file:
        return []
    given = compile_options.params or {}
    return [
        str(name)
        for name, spec in defs.items()
        if isinstance(spec, dict) and "default" not in spec and name not in given
    ]


NOT_RENDERED = "GC108"  # the code of the skip that says a template was not rendered alone


_NOT_RENDERED_HEAD = "template not rendered on its own: "


def _not_rendered(doc: Document, unset: Sequence[str]) -> Skip:
    names = ", ".join(f"`{name}`" for name in unset)
    return Skip(
        NOT_RENDERED,
        doc.key_span(("params", unset[0])),
        f"{_NOT_RENDERED_HEAD}{names} {'has' if len(unset) == 1 else 'have'} no default here; "
        "the playbooks that use it give the values (`--dependants` lints them), or pass --params FILE / --set NAME=VALUE",
    )


def unset_params(skip: Skip) -> str:
    """What a template's NOT_RENDERED skip says has no value (```size`, `perp` have no default here``), read back
    from the reason :func:`_not_rendered` wrote (param names hold no `;`)."""
    return skip.reason.removeprefix(_NOT_RENDERED_HEAD).partition(";")[0]


@functools.cache
def _rule_modules() -> tuple[ModuleType, ModuleType, ModuleType]:
    """graphc.facts, graphc.stages.checks and graphc.rules.registry, imported when the first file is linted (an import
    statement in _run_rules would cost microseconds at every file; the modules' names are read at each call)."""
    from graphc import facts  # deferred: a lint served from the cache runs no rule
    from graphc.rules import registry  # deferred: a lint served from the cache runs no rule
    from graphc.stages import checks as base  # deferred: a lint served from the cache runs no rule

    return facts, base, registry


@functools.cache
def _loader() -> ModuleType:
    """graphc.stages.load, imported at the first file parsed (as _rule_modules)."""
    from graphc.stages import load  # deferred: the parser; a lint served from the cache never loads it

    return load


def _run_rules(
    graph: LintedGraph, path: str, options: LintOptions, placed: Placed | None = None
) -> tuple[list[Diagnostic], list[Skip], list[Diagnostic]]:
    """The rules' findings located in the source, the checks they skipped, and the errors of the values the
    graph's markets refused (:func:`refused_ticks`), which are graphc.toml's or the snapshot's, not the playbook's:
    lint_source reports them whatever the config, the selection and the comments say. With ``placed``, each
    finding about one wire node or edge is also put there, as (code, message, path, span) -> {("node", id), ...}:
    what a suppression that hides it records (:class:`Hidden`)."""
    wire = graph.wire
    if wire is None:
        return [], [], []
    facts_module, base, registry = _rule_modules()
    facts = graph.facts
    playbook = facts is not None and not graph.is_wire_input  # compile's facts: a playbook (or template) compiled
    if facts is None:  # a wire graph or a simple order: read the same facts compile would have made
        compile_options = options.compile or CompileOptions()
        facts = facts_module.graph_facts(
            wire, quotes=compile_options.quotes, resolver=compile_options.resolver(), shaped=graph.shaped
        )
    run = base.run_rules(
        base.LintContext(wire, facts, playbook=playbook, simple=graph.simple),
        registry.CHECKED,
        skip_paths=options.report_skips,
    )
    refused = (
        refused_ticks(facts, path, graph.locator, options.config, quotes=(options.compile or CompileOptions()).quotes)
        if facts.resolver.refused
        else []
    )
    diagnostics: list[Diagnostic] = []
    rules = registry.RULES
    # (code, message, hint, span, its file, its note) of each finding reported: a rule finds a value of `defaults:` in
    # each leg that takes it, the same finding at the same place each time, and says it once (audit spec28 2)
    said: set[tuple[object, ...]] = set()
    for finding in run.findings:
        severity = finding.severity or rules[finding.code].severity
        span = graph.locator.span(finding.where)
        diagnostic = located(Diagnostic(finding.code, finding.message, path, span, severity, finding.hint))
        span = diagnostic.span
        key = (diagnostic.code, diagnostic.message, diagnostic.hint, span, span and span.file, span and span.via)
        # A rule about a structure (Rule.structural: the graph rules) finds each problem once, never a value several
        # legs share: two cycles whose listing is cut to the same text are two problems (GRAPHC_MAX_CYCLES counts both)
        if rules[finding.code].structural or key not in said:
            said.add(key)
            diagnostics.append(diagnostic)
        if placed is not None:
            about = wire_object(wire, finding.where)
            if about is not None:
                placed.setdefault(_placed_key(diagnostic), set()).add(about)
    if not options.report_skips:  # their `where` is None already
        return diagnostics, run.skipped, refused
    return diagnostics, _located_skips(run.skipped, graph.locator, options), refused


def wire_object(wire: dict[str, Any], where: WirePath) -> About | None:
    """``("node", node_id)`` or ``("edge", edge_id)``: the wire node or edge the path ``where`` is in (the object
    itself or a field of it); None for any other place (the risk limits, the graph itself, a list of them)."""
    if len(where) < 2 or where[0] not in ("nodes", "edges") or type(where[1]) is not int:
        return None
    items = wire.get(where[0])
    item = items[where[1]] if isinstance(items, list) and 0 <= where[1] < len(items) else None
    kind, key = ("node", "node_id") if where[0] == "nodes" else ("edge", "edge_id")
    ident = item.get(key) if isinstance(item, dict) else None
    return (kind, ident) if isinstance(ident, str) and ident else None


def _placed_key(d: Diagnostic) -> PlacedKey:
    """What a finding is known by between the rules and the suppressions (config may re-stamp its severity)."""
    return d.code, d.message, d.path, d.span


def _hidden(
    diagnostics: list[Diagnostic],
    path: str,
    suppressions: Suppressions | None,
    carried: Sequence[Carried],
    placed: Placed,
    templates: Mapping[str, str] | None = None,
) -> tuple[list[Diagnostic], list[Hidden]]:
    """``diagnostics`` split into those reported and those a suppression hides: a comment of ``path`` (its own
    rules, :meth:`graphc.suppress.Suppressions.kept`), a comment of the ``use:`` template a finding is located in
    (``templates``: {the path its findings name: its text}; each file's directives cover only the findings located
    in it, wherever the template is used from: audit rules23 2), or one of ``carried`` (a saved plan's), which
    hides a finding of its code located in its node or edge only."""
    kept, hidden = _by_comments(diagnostics, path, suppressions, placed)
    for shown, text in (templates or {}).items():
        if not has_suffix(shown, JSON_SUFFIXES) and any(d.path == shown for d in kept):  # (JSON: no comments)
            kept, more = _by_comments(kept, shown, _template_directives(text), placed)
            hidden += more
    if carried:
        by_place = {(c.code, c.about): c.directive for c in carried}
        still = []
        for d in kept:
            at = placed.get(_placed_key(d), set()) if d.path == path else set()
            matched = [(about, by_place[d.code, about]) for about in at if (d.code, about) in by_place]
            if matched:
                hidden += [Hidden(d, directive, about) for about, directive in sorted(matched)]
            else:
                still.append(d)
        kept = still
    return kept, hidden


def _by_comments(
    diagnostics: list[Diagnostic], path: str, suppressions: Suppressions | None, placed: Placed
) -> tuple[list[Diagnostic], list[Hidden]]:
    """``diagnostics`` less those the comments of the file ``path`` hide (findings located in other files pass
    through), and a record of each hidden one: the directive's ``path:line`` and the wire node or edge it is about."""
    kept = suppressions.kept(diagnostics, path) if suppressions else diagnostics
    hidden: list[Hidden] = []
    if suppressions and len(kept) < len(diagnostics):
        shown, done = {id(d) for d in kept}, set()
        for d in diagnostics:
            if id(d) in shown:
                continue
            key, directive = _placed_key(d), f"{path}:{suppressions.line_of(d)}"
            places = placed.get(key)
            if not places:
                hidden.append(Hidden(d, directive, None))
            elif key not in done:  # (a `for_each` leg's findings share their text and span: one record a node)
                done.add(key)
                hidden += [Hidden(d, directive, about) for about in sorted(places)]
    return kept, hidden


def hidden_text(hidden: Iterable[Hidden], limit: int = 10) -> str | None:
    """``suppressed by comments: GC303 (p.yaml:7), GC301 (p.yaml:3)``: each code and the comment that hid it, in
    the comments' order (None when nothing was hidden), for plan's summary and submit's prompt beside the checks
    graphc.toml turns off, so "ready" hides neither (audit rules23 5). Past ``limit``, the rest are counted."""
    said = list(dict.fromkeys((h.diagnostic.code, h.directive) for h in hidden))
    if not said:
        return None

    def order(item: tuple[str, str]) -> tuple[str, int, str]:
        file, _, line = item[1].rpartition(":")
        return file, int(line) if line.isdigit() else 0, item[0]

    said.sort(key=order)
    shown = ", ".join(f"{code} ({directive})" for code, directive in said[:limit])
    more = f", and {len(said) - limit} more" if len(said) > limit else ""
    return f"suppressed by comments: {shown}{more}"


def refused_ticks(
    facts: GraphFacts, path: str, locator: Locates, config: Config | None, *, quotes: Mapping[str, Any] | None = None
) -> list[Diagnostic]:
    """An error at each tick the graph's markets did not use because their venue's markets cannot have it (a
    Polymarket tick other than 0.1, 0.01, 0.001 or 0.0001, a Kalshi tick other than 0.01 or 0.001: venue-rules.md
    §1-§2, ``MarketResolver``), once a tick: in the quotes snapshot (GC105, as a tick of 0 or less is there), in
    graphc.toml (GC103, as there), each with a note on the first leg that trades the market there. Where the file
    cannot be named (a snapshot given as a mapping, a market config without a file), at that leg; a tick of the
    router's answer (``quotes`` read by ``--quotes live``) at that leg too, saying it is the router's. A quote's
    price that a market traded as a prediction market cannot have (``ask: 41``: 0 < p < 1, venue-rules.md §0, §4;
    :func:`graphc.venues.market_quote`) is reported the same way, GC105 at the value, its note saying the
    leg trades it as a prediction market (the router's answer has none: ``--quotes live`` refuses it as malformed).
    So is a value looser than a venue-wide fact (a quote's or ``[markets."X"]`` lot finer than Kalshi's whole
    contract or Polymarket's 0.01 share, a ``[markets."X"]`` minimum below the venue's: ``profiles.loosened``), and
    an ``sz_decimals`` of ``[markets."X"]`` or ``[venues.X]`` above a perp's 6 on a market traded as a perp
    (``profiles.sz_decimals_refusal``; graphc.toml refuses one above 8 when it is read).

    The one report of them: lint's rules run after it (:func:`_run_rules`), or beside the compile's errors when
    they do not run (:func:`unsaid_refusals`), and a compile (``graphc compile``,
    ``graphc graph``, ``graphc.compile_file`` / ``compile_text``), which runs no rule and makes no facts, makes the
    facts for it when a tick of its quotes or config may be refused (:func:`report_refused_ticks`). They are errors
    of the file that gives the value, as that file's problems found when it is read are (a ``[venues.X]`` tick, a
    ``bid: -1``): lint reports them whatever ``[rules]``, ``strict``, ``--select``/``--ignore`` and suppression
    comments say (:func:`lint_source`), so every command refuses them as compile does (audit rules23 3)."""
    from graphc.config import setting_at  # deferred: only a graph with such a tick needs it
    from graphc.diagnostics import Related  # deferred: (as above)
    from graphc.numbers import plain  # deferred: (as above)
    from graphc.quotes import LiveQuotes, traded_here  # deferred: (as above)
    from graphc.venues.profiles import QUOTE_PRICES  # deferred: (as above)

    live = isinstance(quotes, LiveQuotes)

    out: list[Diagnostic] = []
    seen: set[tuple[str, str, str, object]] = set()
    for node in facts.nodes:
        refused = node.market.origin.get("refused")
        if not refused:
            continue
        leg = locator.span(node.at("instrument", "symbol"))
        for label, refusal, where in refused:
            if (label, node.symbol, refusal.key, refusal.value) in seen:
                continue
            seen.add((label, node.symbol, refusal.key, refusal.value))
            why, hint = refusal.why, refusal.hint
            span: Span | None = where
            shown: str | None = None  # the file, where the line is not known
            price = label == "quotes" and refusal.key in QUOTE_PRICES
            used = Related(path, leg, traded_here(node.symbol, node.venue, prediction=price))
            if label == "quotes" and live:  # the router's answer gave it: the user wrote no value to fix
                code = "GC105"
                message = (
                    f"quote {node.symbol}.{refusal.key} of the router's answer "
                    f"(GET /v1/quotes?symbol={node.symbol}): {why}"
                )
                instead = getattr(node.market, refusal.key, None)  # the tick or lot used instead
                hint = (
                    f"the router's answer is wrong about this market, not the playbook: the checks that need its "
                    f"{refusal.key} are skipped"
                    if price
                    else f"the router's answer is wrong about this market, not the playbook: {node.symbol} is checked "
                    f"against the next {refusal.key} known instead{'' if instead is None else f' ({plain(instead)})'}; "
                    f'to give the market\'s own, set [markets."{node.symbol}"] {refusal.key} in graphc.toml'
                )
            elif label == "quotes":
                code, message = "GC105", f"quote {node.symbol}.{refusal.key}: {why}"
            else:  # [markets."X"], or [venues.X] (whose tick is refused when graphc.toml is read; a perp's sz_decimals here)
                code, message = "GC103", f"{label} {refusal.what} {why}"
                section = "venues" if label.startswith("[venues.") else "markets"
                name = label.removeprefix(f"[{section}.").removesuffix("]").strip('"')
                found = setting_at(config, section, name, refusal.key) if config else None
                shown, span = found if found is not None else (None, None)
            if span is not None:
                out.append(located(Diagnostic(code, message, path, span.replace(via=used), hint=hint)))
            elif shown is not None:
                out.append(Diagnostic(code, message, shown, None, hint=hint, related=(used,)))
            else:
                out.append(Diagnostic(code, message, path, leg, hint=hint))
    return out


def report_refused_ticks(result: CompileResult, options: CompileOptions, config: Config | None) -> None:
    """Add to ``result.diagnostics`` the errors :func:`refused_ticks` finds for a compile: a tick a market's venue
    cannot have (a quote's, graphc.toml's ``[markets."X"]``), and a quote's price a market traded as a prediction
    market cannot have, are not used, and are errors in lint, plan and submit (GC105, GC103). ``graphc compile``,
    ``graphc graph`` and ``graphc.compile_file`` / ``compile_text`` report them through this one function, so the library refuses the
    graphs the command refuses. They are found as the graph's facts are made, which lint's rules need and compile
    otherwise never makes (a fifth of a 100,000-leg compile): so they are made only when such a value may be there."""
    resolver = options.resolver()
    if result.wire is None or not (resolver.may_refuse_ticks() or _trades_as_prediction(result.wire, resolver)):
        return
    if result.facts is not None and result.locator is not None:
        result.diagnostics.extend(
            unsaid_refusals(result.facts, result.path, result.locator, config, options.quotes, result.diagnostics)
        )


def unsaid_refusals(
    facts: GraphFacts,
    path: str,
    locator: Locates,
    config: Config | None,
    quotes: Mapping[str, Any] | None,
    said: Sequence[Diagnostic],
) -> list[Diagnostic]:
    """:func:`refused_ticks` of a compile beside its own errors (``said``): those not said already. A price a leg
    needed is said where the leg raised it (graphc.stages.legs). ``graphc compile`` (:func:`report_refused_ticks`)
    and lint of a file whose compile has errors (:func:`lint_source`: its rules do not run) report them so."""
    if not facts.resolver.refused:
        return []
    seen = {(d.code, d.message, d.path, d.span and (d.span.line, d.span.col)) for d in said}
    return [
        d
        for d in refused_ticks(facts, path, locator, config, quotes=quotes)
        if (d.code, d.message, d.path, d.span and (d.span.line, d.span.col)) not in seen
    ]


def _trades_as_prediction(wire: dict[str, Any], resolver: MarketResolver) -> bool:
    """Whether a node of ``wire`` trades, as a prediction market, a symbol whose quote has a price no prediction
    market can have (MarketResolver.unlike_prediction): only then can its facts refuse one (:func:`refused_ticks`).
    Compile writes every node's instrument type (and a prediction leg's venue)."""
    unlike = resolver.unlike_prediction()
    if not unlike:
        return False
    from graphc.venues import is_prediction  # deferred: only a snapshot with such a price needs it

    for node in wire.get("nodes") or ():
        instrument = node.get("instrument") or {}
        if instrument.get("symbol") in unlike and is_prediction(instrument.get("venue"), instrument.get("type")):
            return True
    return False


def _located_skips(skips: Iterable[Skip], locator: Locates, options: LintOptions) -> list[Skip]:
    """Skips with the wire path replaced by its source span (None when no report shows where they are).

    Every skip is kept, so the text summary can count them; only placing them costs time.
    """
    if not skips:
        return []  # (most compiles skip nothing: no comprehension to run)
    if not options.report_skips:
        return [_new(Skip, (code, None, reason)) for code, _, reason in skips]
    return [Skip(code, locator.span(where), reason) for code, where, reason in skips]  # type: ignore[arg-type]  # a wire path here


def lint_file(
    path: str | os.PathLike[str], options: LintOptions | None = None, *, explicit: bool = False
) -> FileResult | None:
    """Lint one file. Returns a FileResult, or None when it is a YAML file that is not graphc's.

    A file that cannot be read or is not UTF-8 is a FileResult with one GC112
    (at the first bad byte), so every report lists it; the CLI exits 2 for it.
    """
    return lint_path(path, options, explicit=explicit).result


def lint_path(
    path: str | os.PathLike[str], options: LintOptions | None = None, *, explicit: bool = False, text: str | None = None
) -> LintOutcome:
    """Lint one file as ``graphc lint`` does; the :class:`LintOutcome` also says which files its compile read.

    ``text`` is the file's content when the caller has read it already (the
    lint cache reads every file to look it up). The wire JSON is not written.

    Python's cyclic garbage collector is paused while one file is linted, when
    that is safe (:func:`graphc.pipeline.gc_paused`: the only thread, the
    collector on): a large graph allocates millions of long-lived, acyclic
    objects (spans, wire dicts), and the collector re-scanning them made time
    grow faster than the graph (100k legs: 4x slower). It runs again between files.
    """
    with gc_paused():
        name = str(path)
        if text is None:
            try:
                text = read_source(name)
            except (OSError, UnicodeDecodeError) as exc:
                return LintOutcome(unreadable_result(name, exc, options))
        return lint_source(text, name, options, explicit=explicit, keep_wire=False)


def unreadable_result(path: str, exc: Exception, options: LintOptions | None = None) -> FileResult:
    """The FileResult of a file that could not be read: one GC112.

    With GC112 turned off (config, ``--ignore``) the result has no diagnostic but one GC112 skip saying why
    (``not found``): :func:`not_read` tells it apart, so the file is never reported as linted and clean
    (playbook-spec.md §8: input that could not be checked is not a pass)."""
    diagnostic, text = unreadable(path, exc)
    diagnostics = _configured([diagnostic], options)
    if not diagnostics:
        why = "not found" if isinstance(exc, FileNotFoundError) else "could not be read"
        return FileResult(path, None, [], [Skip(diagnostic.code, None, why)])
    # Whatever GC112's severity (error, or "warning" in graphc.toml), none of the file's checks ran: one skip
    # stands for all of them, so the summary counts it and no report shows the file as checked (docs/rules/GC112.md).
    return FileResult(path, text, diagnostics, [Skip(diagnostic.code, diagnostic.span, _not_checked(diagnostic))])


def not_read(result: FileResult) -> str | None:
    """Why the file of ``result`` could not be read, when its GC112 was turned off (:func:`unreadable_result`);
    else None. The diagnostics of other files before its own (``graphc.lint_file``'s: graphc.toml's, the
    snapshot's) do not change that."""
    if any(d.path == result.path for d in result.diagnostics) or len(result.skipped) != 1 or result.source is not None:
        return None
    skip = result.skipped[0]
    return skip.reason if skip.code == UNREADABLE and skip.where is None else None


def not_text(result: FileResult) -> bool:
    """Whether ``result`` is of a file YAML cannot read as text (graphc.stages.load.not_text_at: NUL or another
    control character; UTF-16 without its byte-order mark reads so): its load stopped at that character, GC100
    there, whatever severity it is reported at, or turned off (the skip that says no other check ran).

    Input graphc could not check, as a file that is not UTF-8 (GC112): ``graphc lint`` exits 2 for it, named,
    found by a walk or read from stdin, as ``graphc fmt`` does (spec §8; docs/rules/GC100.md)."""
    if result.source is None:
        return False
    stops: list[object] = [d.span for d in result.diagnostics if d.code == "GC100" and d.path == result.path]
    stops += [s.where for s in result.skipped if s.code == "GC100" and unchecked(s)]
    if not stops:  # (most results: the text is not searched)
        return False
    at = _loader().not_text_at(result.source, result.path)  # (JSON's reader for a text meant as JSON)
    return at is not None and any(
        place is None or (isinstance(place, Span) and (place.line, place.col) == (at.line, at.col)) for place in stops
    )


def unreadable_input(result: FileResult) -> bool:
    """Whether a file ``result`` checks, or one it reads (a ``use:`` template), could not be read as text: a GC112
    (its own at any severity, or a template's that is not UTF-8), or one turned off that stopped the checks (the
    skip that says so), or what :func:`not_text` tells. Spec §8: such input is not a pass: the commands exit 2."""
    return (
        any(d.code == UNREADABLE for d in result.diagnostics)
        or any(s.code == UNREADABLE and unchecked(s) for s in result.skipped)
        or not_text(result)
    )


def checked(result: FileResult) -> bool:
    """Whether graphc could check the file of ``result`` as input at all: False for a file it could not read
    (:func:`not_read`) or read as text (:func:`unreadable_input`), and for one none of whose checks ran because the
    input error that stopped them was suppressed, lowered to a warning or turned off (its skip says no other check
    ran: :func:`graphc.diagnostics.unchecked`), for which ``graphc lint`` exits 2 (spec §8) whatever ``.diagnostics``
    hold (nothing, when the error is suppressed or off), as for a file GC112 reports (audit reports23 1). The one test
    of that exit, for the command and the library (graphc.exit_code)."""
    return not_read(result) is None and not any(map(unchecked, result.skipped)) and not unreadable_input(result)


def exit_code(result: FileResult) -> int:
    """The exit status ``graphc lint`` gives for the one file of ``result``: 2 not checked (:func:`checked`), 1 an
    error (at its configured severity: graphc.toml's ``[rules]`` and ``strict``), else 0."""
    if not checked(result):
        return 2
    return 1 if has_errors(result.diagnostics) or unlisted_errors(result) else 0


def _configured(diagnostics: list[Diagnostic], options: LintOptions | None) -> list[Diagnostic]:
    """Severities from the config, then --select/--ignore."""
    if options is None:
        return diagnostics
    if options.config is not None:
        diagnostics = apply_config(diagnostics, options.config)
    if options.select or options.ignore:
        diagnostics = select_diagnostics(diagnostics, options.select, options.ignore)
    return diagnostics


def located_result(diagnostics: list[Diagnostic]) -> FileResult:
    """A file's own problems, all located in it, as `graphc lint` reports them: one result of that file, with its
    text for the snippets when it can be read. The file is a config (GC100, GC102, GC103:
    :func:`graphc.config.read_config`) or a ``--quotes`` snapshot (GC100, GC102, GC103, GC105:
    :func:`graphc.quotes.load_quotes`); lint, compile, plan, submit and graph show both through this one path."""
    shown = diagnostics[0].path
    text: str | None
    try:
        # a link out of its repository is not read for the snippets: the report shows none of it (graphc.report.text)
        text = None if leaves_root(shown) else read_source(shown)
    except UnicodeDecodeError as exc:  # a config's GC100 at its first bad byte: shown with the bad bytes replaced
        text = unreadable(shown, exc)[1]
    except OSError:  # (a config's GC100 "cannot read config file" says why; a pipe is gone)
        text = None
    # past GRAPHC_MAX_DIAGNOSTICS, counted by code, not listed, as a playbook's are (audit config26 4)
    listed, unlisted = capped(diagnostics)
    return FileResult(shown, text, listed, [], unlisted)


def as_linted(diagnostics: Sequence[Diagnostic], text: str | None, path: str) -> list[FileResult]:
    """The diagnostics a command found reading ``path`` itself (``graphc schedule``) as ``graphc lint`` reports
    them: first the problems of the file's graphc.toml (:func:`located_result`: a broken config is an error there,
    never passed over), then the file's, with its warnings' severities from that config, minus the ones turned off
    there or suppressed on their line (spec §8). Errors are kept as found: they stop the command whatever the
    config says. No result when there is nothing to report."""
    config, problems = load_config(path)
    results = [located_result(problems)] if problems else []
    errors = [d for d in diagnostics if d.is_error]
    warnings = [d for d in diagnostics if not d.is_error]
    if warnings:
        from graphc.suppress import filter_suppressed  # deferred: most schedules have no warning

        warnings = filter_suppressed(apply_config(warnings, config), text, path=path)
    if errors or warnings:
        results.append(FileResult(path, text, sorted(errors + warnings, key=Diagnostic.sort_key), []))
    return results


# The rules that read a node's limit price and record no skip when it is unknown (GC303 tick, GC304 range,
# GC308 price form, GC404, GC406, GC407): the compile's GC109 skip at a price it could not know without a quote
# (a node's `order_type`) is the only trace of their checks that never ran, so it stands for them.
_PRICE_RULES = ("GC303", "GC304", "GC308", "GC404", "GC406", "GC407")
# The rules that read a node's size and record no skip when it is unknown: GC405 (hedge size) compares a hedge's
# fixed size with its parent's and moves on in silence when either is unknown. The compile's GC109 skip at a size
# it could not know without a quote (a notional `buy: $500k` with no limit price; a node's `quantity`) is the only
# trace of that check, so it stands for it. The other size rules record a skip of their own for an unknown size
# and are not here: GC301 min notional, GC302 min size, GC305 lot, GC309 max size (the quantity is not a fixed
# number), GC408 exits overfill (the size of the parent or exit is not known), GC501 and GC503 (the notional is
# unknown) (review14 1, the size half).
_SIZE_RULES = ("GC405",)


def stands_for(skip: Skip) -> tuple[str, ...]:
    """The rule codes whose checks ``skip`` (a compile skip, at its wire path) stands for, besides its own: those
    rules record no skip of their own, so what says which checks did not run asks this (lint's choice of the skips
    to report, bundle's note through :attr:`LintOutcome.stood_for`)."""
    where = skip.where
    if skip.code != "GC109" or type(where) is not tuple:
        return ()
    if where[-1:] == ("order_type",):
        return _PRICE_RULES
    if where[-1:] == ("quantity",):
        return _SIZE_RULES
    return ()


def _reported(skips: Sequence[Skip], options: LintOptions) -> Sequence[Skip]:
    """The skipped checks of rules the config and --select/--ignore report: a check turned off was not
    skipped for want of a fact, and counting it would hide the skips that matter (spec §8).

    A skip that stands for other rules' checks (:func:`stands_for`: a price or a size without a quote) is kept
    while any of them, or its own code, is reported: turning GC109 off or selecting GC406 or GC405 alone never
    makes a price or size check that could not run read as passed (review14 1)."""
    config = options.config
    select, ignore = options.select, options.ignore
    if not skips or ((config is None or not config.rules) and not select and not ignore):
        return skips

    def reported(code: str) -> bool:
        return (config is None or config.severity_for(code, "warning") is not None) and is_selected(
            code, select, ignore
        )

    return [s for s in skips if reported(s.code) or any(map(reported, stands_for(s)))]


def _unchecked(stopped: Diagnostic, reported: list[Diagnostic]) -> str:
    """Why the error ``stopped`` is no longer reported as one although no other check ran: it is still ``reported``
    with its severity lowered to warning (graphc.toml), or it was turned off, deselected or suppressed. The file was
    not checked (:func:`checked`): lint exits 2 for it."""
    lowered = any(d.code == stopped.code and d.span == stopped.span and d.message == stopped.message for d in reported)
    done = "'s severity is lowered to warning here" if lowered else " is turned off or ignored here"
    return f"{stopped.code}{done}, but it stopped the checks ({stopped.message}): {NO_CHECK_RAN}"


def _not_checked(unread: Diagnostic) -> str:
    what = "is not UTF-8 text" if unread.span is not None else "could not be read"
    return f"the file {what}, so every rule was skipped on it: {NO_CHECK_RAN}"


def params_unread(result: FileResult, problem: str) -> FileResult:
    """``result`` of a lint whose params file could not be read (``problem``: :func:`graphc.files.option_file_problem`,
    ``cannot read params file p.yaml: No such file or directory``), marked not checked (:func:`checked`): no rule ran
    with the params it was meant to have. ``graphc lint`` stops before any file for it (a usage error, exit 2: spec
    §8); the library returns the result (its GC108, docs/api.md) and :func:`exit_code` gives that 2."""
    why = f"{problem}, so no rule ran with the intended params: {NO_CHECK_RAN}"
    return result.replace(skipped=[*result.skipped, Skip(PARAMS_UNREAD, None, why)])


PARAMS_UNREAD = "GC108"  # the code of the skip that says a params file could not be read (:func:`params_unread`)


class LintOutcome(NamedTuple):
    """What linting one source produced, for the commands that go on to submit it."""

    result: FileResult | None  # None for a YAML file that is not graphc's
    wire: dict[str, Any] | None = None  # the wire graph (Decimals for fractions), when one was built
    wire_text: str | None = None  # its exact JSON text: compiled for playbooks, as read for wire files
    name: str | None = None  # the playbook's name
    files_read: Sequence[tuple[str, str | None]] = ()  # `use:` templates, --params file read or looked for (+ resolved)
    # The input error (before config and suppressions) that dropped part of the graph or kept it from being
    # built, however it is reported: then there is no graph (wire is None) to plan, save or send.
    incomplete: Diagnostic | None = None
    # The rules whose checks a skip in result.skipped stands for (:func:`stands_for`): they did not run either, and
    # record no skip of their own (a Skip in the result is at a span, no longer at the wire path that tells).
    stood_for: frozenset[str] = frozenset()
    # Its render evaluated `now` or `today` (CompileResult.read_clock): the result depends on when it was made.
    read_clock: bool = False
    # The findings a suppression comment (or a saved plan's record of one) hid, which would otherwise be reported.
    hidden: tuple[Hidden, ...] = ()
    simple: bool = False  # a simple order (or a saved plan's graph of one), linted as its wrapped node
    is_wire_input: bool = False  # a wire graph, read as it is (not compiled: --set and --params do not apply)

    @property
    def has_errors(self) -> bool:
        return self.result is not None and (has_errors(self.result.diagnostics) or unlisted_errors(self.result))

    @property
    def refusal(self) -> str | None:
        """Why no graph of this source may leave graphc, when the only reason is an input error that the config
        or a suppression comment demoted (reported as a warning, or not at all): else None. Configuration
        changes how a finding is reported, never whether an incomplete graph is planned or sent (spec §8:
        `submit` refuses on any error; what could not be checked is never a pass). Errors still reported as
        errors are the caller's to word (``has_errors``)."""
        if self.incomplete is None or self.has_errors:
            return None
        return incomplete_graph(self.incomplete, self.result.diagnostics if self.result is not None else ())


assert LintOutcome._fields == (
    "result",
    "wire",
    "wire_text",
    "name",
    "files_read",
    "incomplete",
    "stood_for",
    "read_clock",
    "hidden",
    "simple",
    "is_wire_input",
), "update lint_source"


def incomplete_graph(stopped: Diagnostic, reported: Sequence[Diagnostic]) -> str:
    """The line that says a graph is incomplete because of ``stopped`` (an input error found before config),
    with the severity it is ``reported`` at (see :attr:`LintOutcome.refusal`)."""
    shown = next((d for d in reported if d.code == stopped.code and d.span == stopped.span), None)
    how = f"reported as a {shown.severity} here" if shown is not None else "turned off or suppressed here"
    return (
        f"the graph is incomplete: {stopped.location()}: {stopped.code} {stopped.message} ({how}) is an input "
        "error: part of the graph may not have been built and no rule checked it, so there is no graph to plan or "
        "send; graphc.toml and suppression comments change how a finding is reported, never what is sent: fix the "
        "input"
    )


def lint_source(
    text: str,
    path: str,
    options: LintOptions | None = None,
    *,
    explicit: bool = True,
    keep_wire: bool = True,
    simple_order: bool = False,
) -> LintOutcome:
    """Lint source text (one file's contents) and keep the wire graph it produced.

    ``keep_wire=False`` (plain ``graphc lint``) skips writing the wire JSON text,
    a sixth of the time of linting a small playbook. ``simple_order``: ``text`` is the graph graphc wrapped a
    simple order into (a saved plan's), linted as the order was (GC111 says nothing of the type the order cannot
    give: :func:`graphc.inputs.wrap_simple_order`).
    """
    options = options or LintOptions()
    doc, diagnostics = _loader().load_text(text, path, keys_later=reads_as_wire)  # (read_wire_graph proves them)
    if doc is None and not explicit and not may_be_graphc(text) and _loader().not_text_at(text, path) is None:
        # found by a walk (or --ignore-unknown), does not load, says nothing of graphc; a file YAML cannot read as
        # text (NUL, UTF-16 without its byte-order mark) says nothing at all, and is reported (hostile18 F6e)
        return LintOutcome(None)
    skips: list[Skip] = []
    refused: list[Diagnostic] = []  # values graphc.toml or the snapshot gives that a market cannot have
    stood_for: frozenset[str] = frozenset()
    stopped = next((d for d in diagnostics if d.is_error), None)  # what kept the rules from running, if anything
    commented = not has_suffix(path, JSON_SUFFIXES) and mentions_directive(text)  # (JSON has no comments)
    # where each rule's finding is in the wire, for the suppressions that may hide it (most files have none)
    placed: Placed | None = {} if commented or options.carried else None
    graph: LintedGraph | None = None
    name: str | None = None
    if doc is not None:
        graph = _classify(doc, path, explicit, options, simple_order)
        if graph is None:
            return LintOutcome(None)
        diagnostics.extend(graph.diagnostics)
        reported = _reported(graph.skips, options)
        skips.extend(_located_skips(reported, graph.locator, options))
        if reported:  # (most compiles skip nothing)
            stood_for = frozenset(code for skip in reported for code in stands_for(skip))
        if graph.unrendered:  # always kept: it says a whole file was only partly checked
            skips.append(_not_rendered(doc, graph.unrendered))
        if graph.commented_templates and placed is None:  # a template's comments may hide a finding too
            placed = {}
        if graph.wire is not None and not has_errors(diagnostics):
            found, rule_skips, refused = _run_rules(graph, path, options, placed)
            diagnostics.extend(found)
            skips.extend(_reported(rule_skips, options))
        else:
            stopped = next((d for d in diagnostics if d.is_error), None)
            if graph.facts is not None:  # a value the markets refused is said beside the errors, as compile does
                compile_options = options.compile or CompileOptions()
                refused = unsaid_refusals(
                    graph.facts, path, graph.locator, options.config, compile_options.quotes, diagnostics
                )
        if isinstance(doc.data, dict) and isinstance(doc.data.get("name"), str):
            name = doc.data["name"]
    suppressions = None
    if commented:
        from graphc.suppress import parse_suppressions  # deferred: most files have no suppression comment

        suppressions = parse_suppressions(text, path)
        diagnostics.extend(suppressions.problems)  # a directive not written as documented: it suppresses nothing
    if diagnostics:  # (most files have none: no config to apply, and the suppression module is not even imported)
        diagnostics = _configured(diagnostics, options)
    hidden: list[Hidden] = []
    templates = graph.commented_templates if graph is not None else {}
    if diagnostics and (suppressions or options.carried or templates):
        diagnostics, hidden = _hidden(diagnostics, path, suppressions, options.carried, placed or {}, templates)
    if refused:
        # problems of graphc.toml or the snapshot (GC103, GC105), as a [venues.X] tick or a `bid: -1` is when the
        # file is read: errors whatever [rules], --select/--ignore or a comment say, as in compile (audit rules23 3)
        diagnostics.extend(refused)
    if diagnostics:
        diagnostics.sort(key=Diagnostic.sort_key)
    if stopped is not None and not has_errors(diagnostics):
        # the error that stopped the checks is turned off or suppressed: the file is not "no problems", its
        # rules never ran (spec §8: what could not be checked is never a pass), so the summary counts a skip
        skips.append(Skip(stopped.code, stopped.span, _unchecked(stopped, diagnostics)))
    # past GRAPHC_MAX_DIAGNOSTICS, counted by code, not listed (audit scale25 4); the verdict below counts them
    listed, unlisted = capped(diagnostics)
    result = FileResult(path, text, listed, skips, unlisted)
    if graph is None:
        return LintOutcome(result, name=name, incomplete=stopped, hidden=tuple(hidden))
    # an input error stopped the checks (whatever severity it is reported at): the graph built is not the file's
    if keep_wire and stopped is None and graph.wire is not None and not has_errors(diagnostics):
        wire_text = text if graph.is_wire_input else _wire_text(graph.wire)
        return LintOutcome(
            result,
            graph.wire,
            wire_text,
            name,
            graph.files_read,
            stood_for=stood_for,
            read_clock=graph.read_clock,
            hidden=tuple(hidden),
            simple=graph.simple,
            is_wire_input=graph.is_wire_input,
        )
    # (positionally: one per file)
    return _new(
        LintOutcome,
        (
            result,
            None,
            None,
            name,
            graph.files_read,
            stopped,
            stood_for,
            graph.read_clock,
            tuple(hidden),
            graph.simple,
            graph.is_wire_input,
        ),
    )


@functools.lru_cache(maxsize=16)
def _template_directives(text: str) -> Suppressions:
    """The suppression comments of a template's text, read once in a run however many playbooks use it. Those
    not written as documented suppress nothing, and are reported when the template itself is linted (as
    ``--dependants`` does), not in each playbook that uses it."""
    from graphc.suppress import parse_suppressions  # deferred: most templates have no suppression comment

    return parse_suppressions(text)


# The keys that make a file graphc's, looked for in the text of a file that did not load (so could not be
# classified): `graphc:` / `graphc-template:` at any indentation; `nodes:` (a wire graph) and the simple
# order's `symbol`, `side` and `qty` at the start of a line; and each of them after `{` or `,` (JSON, flow style).
_BLOCK_KEY = (
    r"""^\ufeff?[ \t]*(["']?)(graphc|graphc-template)\1[ \t]*:|^\ufeff?(["']?)(nodes|symbol|side|qty)\3[ \t]*:"""
)
_FLOW_KEY = r"""[{,][ \t\r\n]*(["'])(graphc|graphc-template|nodes|symbol|side|qty)\1[ \t\r\n]*:|[{,][ \t]*()(graphc|graphc-template|nodes|symbol|side|qty)[ \t]*:"""


def may_be_graphc(text: str) -> bool:
    """Whether a file that did not load may be a playbook, a template, a wire graph or a simple order: it has
    a `graphc:` or `graphc-template:` key, a `nodes:` key, or all of a simple order's keys.

    A file found by walking a directory, or named with ``--ignore-unknown``, is graphc's only if it says so.
    Once loaded, :func:`_classify` reads its keys; one that does not load (a Kubernetes file of several
    documents, CloudFormation's ``!Ref``, a Helm template, JSON with comments) can only be looked at as text.
    Without such a key it is skipped like any other file that is not graphc's (docs/integrations.md); with
    one its load errors are reported, so a broken playbook never reads as skipped, let alone as passed
    (playbook-spec.md §8)."""
    import re  # deferred: only a file that does not load needs it

    keys = {match[1] or match[3] for match in re.findall(_BLOCK_KEY, text, re.M)}
    keys |= {match[1] or match[3] for match in re.findall(_FLOW_KEY, text)}
    return bool(keys & {"graphc", "graphc-template", "nodes"}) or keys >= SIMPLE_ORDER_KEYS


def unmarked_playbook(path: str) -> bool:
    """Whether the file at ``path``, which lint passed over as not graphc's (a walk found it, or it was named with
    ``--ignore-unknown``), looks like a playbook all the same: a mapping whose ``legs:`` is a mapping, its
    ``graphc: 1`` marker missing or mistyped (``grapch: 1``). Only a file whose text names ``legs`` is parsed; False
    when it cannot be read or does not load. Lint names such a file in a note; it is still not linted."""
    from graphc.stages.load import load_text  # deferred: the parser, as in lint_source

    try:
        text = read_source(path)
    except (OSError, UnicodeDecodeError):
        return False
    if "legs" not in text:
        return False  # cheap: most files passed over are other tools' (a workflow, package.json)
    doc, _ = load_text(text, path)
    data = doc.data if doc is not None else None
    return isinstance(data, dict) and isinstance(data.get("legs"), dict) and kind_of(data) is None


def _wire_text(wire: dict[str, Any]) -> str:
    from graphc.stages.emit import to_json  # deferred: plain `graphc lint` keeps no wire text

    return to_json(wire)


# Rounds of "compile, see which quotes it asked for, fetch those": the second round
# only matters when a fetched quote changes what the playbook looks up next.
LIVE_QUOTE_ROUNDS = 3


def live_quotes(
    sources: Sequence[tuple[str, str]], options: LintOptions, fetch: Callable[[str], Quote | None]
) -> LiveQuotes:
    """Quotes for ``--quotes live``: a :class:`graphc.quotes.LiveQuotes` (``{symbol: Quote}``;
    ``.missing`` names the symbols the router had no quote for).

    ``sources`` are ``(text, path)`` pairs. Each is compiled (quotes optional)
    to learn the symbols it looks up and the symbols its graph trades or
    watches; those are fetched with ``fetch(symbol)`` (see
    :class:`graphc.quotes.LiveQuotes`: concurrently, once each). Errors of
    ``fetch`` (the router unreachable) propagate.
    """
    from graphc.quotes import LiveQuotes  # deferred: only --quotes live needs it

    live = LiveQuotes(fetch)
    for _ in range(LIVE_QUOTE_ROUNDS):
        wanted: list[str] = []
        prediction: list[str] = []  # those a leg trades as a prediction market: asked for as one
        for text, path in sources:
            symbols, traded = quote_needs(text, path, options, known=live)
            wanted += symbols
            prediction += traded
        if not live.pending(wanted, prediction):
            break
        live.load(wanted, prediction)
    live.detach()
    return live


def quote_symbols(text: str, path: str, options: LintOptions, *, known: Mapping[str, Quote] | None = None) -> list[str]:
    """The symbols ``text`` needs quotes for: those its compile looks up, and those its graph trades or watches
    (``known``: the quotes it is priced with, live or a snapshot's, so that a lookup that depends on one is made)."""
    return quote_needs(text, path, options, known=known)[0]


def quote_needs(
    text: str, path: str, options: LintOptions, *, known: Mapping[str, Quote] | None = None
) -> tuple[list[str], list[str]]:
    """:func:`quote_symbols`, and those of them its graph trades as a prediction market
    (:func:`graphc.quotes.prediction_symbols`)."""
    from graphc.quotes import RecordingQuotes, prediction_symbols, wire_symbols  # deferred: only --quotes live
    from graphc.stages.load import load_text  # deferred: the parser, as in lint_source

    doc, _ = load_text(text, path)
    if doc is None:
        return [], []
    recording = RecordingQuotes(known)
    compile_options = (options.compile or CompileOptions()).replace(quotes=recording)
    graph = _classify(doc, path, True, options.replace(compile=compile_options, require_quotes=False))
    if graph is None:
        return [], []
    return list(dict.fromkeys([*recording.asked, *wire_symbols(graph.wire)])), prediction_symbols(graph.wire)


# -- the playbooks that use a template -----------------------------------------------------------


class Dependants(NamedTuple):
    """The playbooks :func:`find_changed_dependants` found: those that use a named template, those whose
    ``use:`` chain reaches a template file that no longer exists (deleted or renamed), when git was asked those
    git tracks whose chain reaches through a file git tracks a template that git does not (``untracked``), and
    those that may do any of these through a ``use:`` written as an expression (which names its template only
    when rendered)."""

    of_templates: list[str]
    of_missing: list[str]
    of_untracked: list[str]
    untracked: frozenset[str]
    maybe: list[str]


def find_dependants(templates: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The playbooks that use any of ``templates``, directly or through other templates.

    Every YAML and JSON file under the outermost project root that may use a
    template (:func:`graphc.files.outermost_project_root`: its project and the
    ones around it, up to the repository's top) is read (not rendered): a leg's
    ``use:`` that names a file inside the project root of the file it is
    written in (the confinement ``use:`` itself applies), relative to that
    file, is an edge. A ``use:`` written as an expression is not followed here
    (:func:`find_changed_dependants` lists its playbooks apart, as ones that may
    use the template). Paths are returned as :func:`graphc.files.collect`
    lists them (relative to the working directory when they lie under it), sorted.
    """
    return find_changed_dependants(templates).of_templates


def find_changed_dependants(
    templates: Iterable[str | os.PathLike[str]],
    projects: Iterable[str | os.PathLike[str]] = (),
    *,
    ask_git: bool = False,
) -> Dependants:
    """The playbooks that use any of ``templates`` (as :func:`find_dependants`), and, in the projects of
    ``projects`` (files or folders), the playbooks whose ``use:``, directly or through other templates, names a
    file of the project that does not exist.

    The second list is what a commit that deletes or renames a template breaks: pre-commit never names a
    deleted file, and names a renamed one by its new name only, so its users are found by their dangling
    ``use:`` (GC107 when linted; docs/integrations.md, "pre-commit").

    With ``ask_git``, in a git repository: the templates on disk that a file git tracks uses and git does not
    track (never added, or taken out with ``git rm --cached``), which a commit would not hold though pre-commit
    leaves them on disk, and the tracked playbooks that reach them (compiled with them as ``untracked``, GC107).
    A file git does not track is not in the commit: what it uses is not asked about.

    A ``use:`` written as an expression (``use: "./t/{{ tpl }}.yaml"``) names its file only when rendered, with
    the values of that lint; the search renders nothing, so such a ``use:`` may name any file inside the project
    root of the file it is written in. The third list holds the playbooks not in the other two that may use a
    named template that way, or may name a missing one: every playbook of the searched projects whose ``use:``
    chain holds an expression. Linting them is what tells (docs/templates.md, "Linting a template on its own").
    """
    from graphc.stages.load import load_text  # deferred: the parser, as in lint_source

    targets = {Path(t).resolve() for t in templates}
    searched = {find_project_root(folder) for folder in _folders(projects)}
    # a file may be used from its own project and from every project around it (up to the repository's top)
    roots = _outermost({outermost_project_root(root) for root in {*map(find_project_root, targets), *searched}})
    own_roots: dict[Path, Path] = {}  # folder -> its project root, the one `use:` confines its playbooks to
    uses: dict[Path, set[Path]] = {}  # resolved file -> the resolved paths its legs use (existing or not)
    open_in: dict[Path, Path] = {}  # resolved file with a `use:` written as an expression -> the root it confines
    shown: dict[Path, str] = {}  # resolved playbook -> its path as listed
    missing: set[Path] = set()  # used, inside a searched project, and not there
    maybe_broken: set[Path] = set()  # a file with a `use:` written as an expression, where `missing` is looked for
    untracked: set[Path] = set()  # used by a file git tracks, inside a searched project, there, and not tracked
    committed: set[Path] = set()  # the files read that git tracks (with ask_git)
    for root in roots:
        dangling = any(project.is_relative_to(root) for project in searched)
        index = _git_index(root) if ask_git and dangling else None
        for file in collect([root]).files:  # .yaml, .yml and .json, as `graphc lint DIR` finds them
            try:
                text = read_source(file)
            except (OSError, UnicodeDecodeError):
                continue
            if not _may_hold(text, "use", "legs"):
                continue  # cheap: no `use:` key, no edge
            doc, _ = load_text(text, file)
            data = doc.data if doc is not None else None
            legs = data.get("legs") if isinstance(data, dict) else None
            if not isinstance(legs, dict):
                continue
            real = Path(file).resolve()
            own = own_roots.get(real.parent) or own_roots.setdefault(real.parent, find_project_root(real.parent))
            written = _written_uses(legs)
            literal = (_use_path(real.parent, use, own) for use in written if not _is_expression(use))
            uses[real] = {target for target in literal if target is not None}
            if any(map(_is_expression, written)):
                open_in[real] = own
                if dangling:
                    maybe_broken.add(real)
            if dangling:
                missing.update(target for target in uses[real] if not os.path.exists(target))  # never raises
            if index is not None and index.tracks(real):
                committed.add(real)
                untracked.update(t for t in uses[real] if os.path.isfile(t) and not index.tracks(t))
            if is_playbook_data(data):
                shown[real] = as_listed(file)

    def may_use(user: Path, used: set[Path]) -> bool:
        """Whether ``user`` uses one of ``used`` (a file reached): by a literal ``use:``, or, when it has one written
        as an expression, by any template inside its root (a playbook is never a template: GC107)."""
        if uses[user] & used:
            return True
        root = open_in.get(user)
        return root is not None and any(file not in shown and file.is_relative_to(root) for file in used)

    def reaching(seeds: set[Path], broken: Iterable[Path] = (), *, guessing: bool = False) -> set[Path]:
        """The files whose ``use:`` chain reaches ``seeds``, and ``broken`` (found already); ``guessing``: through
        ``use:`` written as expressions too."""
        found, frontier = set(broken), seeds.union(broken)
        while frontier:
            frontier = {
                f for f in uses if f not in found and (may_use(f, frontier) if guessing else uses[f] & frontier)
            }
            found |= frontier
        return found

    def listed(files: set[Path]) -> list[str]:
        return sorted(shown[f] for f in files if f in shown)

    users, broken = reaching(targets), reaching(missing)
    guessed = (reaching(targets, guessing=True) | reaching(missing, maybe_broken, guessing=True)) if open_in else set()
    # (a playbook git does not track is not in the commit: it is not linted for what the commit lacks)
    of_untracked = listed(reaching(untracked) & committed) if untracked else []
    return Dependants(
        listed(users), listed(broken), of_untracked, frozenset(map(str, untracked)), listed(guessed - users - broken)
    )


class UseChain(NamedTuple):
    """What the ``use:`` of a playbook name without rendering it (:func:`use_chain`)."""

    templates: set[Path]  # the template files literal `use:` name, directly or through other templates (resolved)
    expressions: list[Path]  # the files of the chain with a `use:` written as an expression (resolved, sorted)


def use_chain(playbook: str | os.PathLike[str], root: Path) -> UseChain:
    """The files the ``use:`` of ``playbook`` name as written, read as :func:`find_changed_dependants` reads them
    (not rendered): each literal ``use:``, relative to the file it is written in and inside ``root`` (the root
    rendering confines every template of the playbook to), followed through the templates it names; and the files
    along that chain whose ``use:`` is written as an expression, which may name any template of ``root``
    (:func:`project_templates`) on some date or with some params. Files that do not exist or cannot be read are
    left out (rendering reports them)."""
    from graphc.stages.expand import MAX_TEMPLATE_BYTES  # deferred: the render stage, as _use_path
    from graphc.stages.load import load_text  # deferred: the parser, as in lint_source

    found: set[Path] = set()
    expressions: set[Path] = set()
    todo, seen = [real_path(Path(playbook))], set()
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        try:
            if file in found and file.stat().st_size > MAX_TEMPLATE_BYTES:
                continue  # a template that large is refused when rendered (GC107): its `use:` lead nowhere
            text = read_source(file)
        except (OSError, UnicodeDecodeError):
            continue
        if not _may_hold(text, "use", "legs"):
            continue  # cheap: no `use:` key, no edge
        doc, _ = load_text(text, str(file))
        legs = doc.data.get("legs") if doc is not None and isinstance(doc.data, dict) else None
        written = _written_uses(legs) if isinstance(legs, dict) else []
        if any(map(_is_expression, written)):
            expressions.add(file)
        for use in written:
            target = None if _is_expression(use) else _use_path(file.parent, use, root)
            if target is not None and os.path.isfile(target):  # (isfile: False on any OSError)
                found.add(target)
                todo.append(target)
    return UseChain(found, sorted(expressions))


def project_templates(root: Path) -> list[Path]:
    """Every template file a ``use:`` written as an expression may name in the project at ``root``: the files
    :func:`find_changed_dependants` takes such a ``use:`` to reach (the YAML and JSON files under the root, as
    ``graphc lint DIR`` walks them: no ``.git``, ``.graphc`` or other folder of :data:`graphc.files.SKIP_DIRS`, no
    hidden folder, no link out of the root) that are templates, with ``graphc-template: 1`` at the top (``use:``
    refuses any other file, GC107) and no larger than a template may be. Resolved, sorted."""
    from graphc.stages.expand import MAX_TEMPLATE_BYTES  # deferred: the render stage, as _use_path

    found = set()
    for file in collect([root]).files:
        try:
            if os.stat(file).st_size > MAX_TEMPLATE_BYTES:
                continue
            text = read_source(file)
        except (OSError, UnicodeDecodeError):
            continue
        if _is_template_text(text, file):
            found.add(real_path(Path(file)))
    return sorted(found)


def is_template_file(path: str) -> bool:
    """Whether the file at ``path`` is a ``use:`` template (parsed: ``graphc-template`` at its top, however its key is
    written); False when it cannot be read."""
    try:
        text = read_source(path)
    except (OSError, UnicodeDecodeError):
        return False
    return _is_template_text(text, path)


def _is_template_text(text: str, path: str) -> bool:
    if not _may_hold(text, TEMPLATE_MARKER):
        return False  # cheap: not a template
    from graphc.stages.load import load_text  # deferred: the parser, as in lint_source

    doc, _ = load_text(text, path)
    return doc is not None and is_template_data(doc.data)


def _may_hold(text: str, *keys: str) -> bool:
    """Whether the file of ``text`` may have each of ``keys``, as the search reads it before parsing it: a key is its
    own letters in the text unless an escape wrote it (`"\\x75se":` in YAML, `"\\u0075se"` in JSON), so a text with
    a backslash anywhere is parsed whatever its letters (audit ci24 4), as the render stage's own test does."""
    return "\\" in text or all(key in text for key in keys)


def _written_uses(legs: dict[Any, Any]) -> list[Any]:
    """The ``use:`` values of a document's ``legs:``, as written."""
    return [leg["use"] for leg in legs.values() if isinstance(leg, dict) and "use" in leg]


class _GitIndex(NamedTuple):
    """The files git's index holds in the repository at ``top``: what a commit made now would hold."""

    top: Path
    paths: frozenset[str]  # POSIX, relative to top

    def tracks(self, path: Path) -> bool:
        try:
            return path.relative_to(self.top).as_posix() in self.paths
        except ValueError:  # (outside the repository)
            return False


def _git_index(root: Path) -> _GitIndex | None:
    """The index of the repository holding ``root`` (one ``git ls-files``); None outside a repository or when git
    cannot answer (the check is then left out, never failed)."""
    top = repository_top(root)
    listed = git_paths(top, "ls-files", "--cached") if top is not None else None
    return _GitIndex(top, listed) if top is not None and listed is not None else None


def _is_expression(use: object) -> bool:
    """Whether a ``use:`` is written as an expression, whose file is known only when it is rendered."""
    if not isinstance(use, str) or "{" not in use:
        return False
    from graphc.stages.expressions import is_template  # deferred: Jinja2; only a `use:` with a brace needs it

    return is_template(use)


def _use_path(base_dir: Path, use: object, root: Path) -> Path | None:
    """The resolved path a literal ``use:`` written in ``base_dir`` names, when it lies inside ``root`` (whether or
    not a file is there); None for a ``use:`` that is not a relative path."""
    from graphc.stages.expand import use_target  # deferred: the render stage; only --dependants reads it

    return use_target(base_dir, use, root, must_exist=False)


def searched_roots(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The roots a ``--dependants`` search of ``paths`` (files or folders) walks: the outermost project root of
    each (:func:`graphc.files.outermost_project_root`: its project and the ones around it, up to the repository's
    top), none inside another, sorted: every file whose verdict an input of them all may change (a ``--config``
    or ``--params`` file) lies under them."""
    return _outermost({outermost_project_root(folder) for folder in _folders(paths)})


def _folders(paths: Iterable[str | os.PathLike[str]]) -> set[Path]:
    """The folders of ``paths`` (a folder is its own), absolute: one project-root walk per folder, not per file."""
    folders = set()
    for path in paths:
        absolute = Path(os.path.abspath(path))
        folders.add(absolute if os.path.isdir(absolute) else absolute.parent)  # isdir: False on any OSError
    return folders


def _outermost(roots: set[Path]) -> list[Path]:
    """``roots`` without those inside another of them (a folder walk already covers its subfolders), sorted."""
    return sorted(root for root in roots if not any(other != root and root.is_relative_to(other) for other in roots))


def as_listed(path: str) -> str:
    """``path`` relative to the working directory when it lies under it, as the reports show every path."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative
