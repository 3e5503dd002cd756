"""Stage 2: params, sandboxed expressions, for_each and ``use:`` templates (spec §6).

Runs after YAML parsing and before schema validation, on data, never on the
raw file text: every string scalar is rendered on its own, so each keeps the
source position it was read from, and the schema and model stages see an
ordinary playbook (no ``params``, ``for_each``, ``use`` or ``with`` left).

The pieces live in their own modules: :mod:`graphc.stages.params` (typed
params), :mod:`graphc.stages.expressions` (the sandbox) and
:mod:`graphc.stages.expand` (for_each and templates). This module wires them
together and owns the diagnostics. When anything here fails the stage returns
no document: the later stages would only repeat the failure in other words.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Context, DivisionByZero, InvalidOperation, Overflow, localcontext
from pathlib import Path

from graphc.diagnostics import Diagnostic, Span, located
from graphc.files import find_project_root, read_source, real_path, resolved_path
from graphc.schedule import templated_name
from graphc.stages import expand
from graphc.stages.expand import Scope, Templates, TooManyLegs, check_foreign_references, expand_legs, span_in
from graphc.stages.expressions import (
    ExpressionError,
    FileBudget,
    FileBudgetExceeded,
    LongNumber,
    MissingQuoteField,
    QuoteNotGiven,
    evaluate,
    is_template,
    read_template,
    safe_range,
    stand_in_quote,
)
from graphc.stages.live import LiveValue
from graphc.stages.load import Document, load_text
from graphc.stages.params import CLOCK_NAMES, ParamSet, Supplied
from graphc.units import money_of
from graphc.venues import infer_instrument, market_quote
from graphc.venues.profiles import price_refusals
from graphc.yaml_comments import mentions_directive

# Exact enough for any playbook value (units allow 40 digits); traps turn nonsense into GC107.
DECIMALS = Context(prec=60, Emax=10_000, Emin=-10_000, traps=[InvalidOperation, DivisionByZero, Overflow])


def render(doc, options):
    """``(rendered Document | None, diagnostics)``; never raises for bad input."""
    rendered, diagnostics, _, _, _ = render_document(doc, options)
    return rendered, diagnostics


def render_document(doc, options):
    """``(rendered Document | None, diagnostics, files read, read the clock, commented templates)``: also the
    paths of every ``use:`` template and ``--params`` file the rendering read, and whether an expression it
    evaluated (in the playbook or in a template) reads ``now`` or ``today``: so a cache can tell when the result
    is stale, and that a result which depends on when it was made is never kept; and the text of each template
    read that holds a suppression comment (:meth:`Renderer.commented_templates`)."""
    renderer = Renderer(doc, options)
    with localcontext(DECIMALS):
        rendered, diagnostics = renderer.run()
    renderer.count_refused()
    renderer.count_repeats()
    return rendered, diagnostics, renderer.files_read(), renderer.read_clock, renderer.commented_templates()


class Renderer:
    FAILED = object()

    def __init__(self, doc, options):
        self.doc = doc
        self.options = options
        self.diagnostics = []
        self.error_count = 0
        self.foreign_references: list = []  # template `after:` names outside the template (expand.py)
        self.leg_total = 0
        self.expansion_total = 0
        self.file_budget = FileBudget()  # the templates' work and output, summed over the whole file
        self.over_file_budget: int | None = None  # the index of the GC107 of a per-file limit, once reported
        self.refused = 0  # template evaluations refused after it, unrun (FileBudget.spent)
        self.repeats: dict = {}  # report_once's key -> [index of its diagnostic, how many paths reached it]
        self.base_names = _base_names(options)
        # An expression evaluated here named `now` or `today`: the result depends on when it was rendered. Taken
        # from the parsed expression (what YAML gave, escapes already read), never from the file's spelling.
        self.read_clock = False
        self.params_real: str | None = None  # the path the params file resolved to when it was read
        real = _real_path(doc.path)
        # Text that is not a file on disk (stdin, `--stdin-filename` of an unsaved buffer, the API's text) is
        # placed where its name says: `use:` is relative to that folder and confined to its project, the one its
        # config comes from (find_project_root places a file not on disk by its folder; `<stdin>`: the working
        # directory's project). docs/playbooks.md "Compiling and linting"; audit cfgsec.md #4.
        folder = real.parent if real else real_path(Path(doc.path)).parent if doc.path else Path.cwd()
        self.scope = Scope(doc, doc.path, real, chain=(real,) if real else (), folder=folder)
        root = options.project_root or find_project_root(folder)
        self.templates = Templates(self, Path(root).resolve())

    def files_read(self) -> list[tuple[str, str | None]]:
        """The template files and the params file this rendering read, and the template files it looked for
        and did not find (sorted): the files whose content decides its result. Each as it was reached, not
        resolved: a template's folder joined with the text of its ``use:`` (``/r/plays/../tpl/cur.yaml``),
        the params file made absolute; with the path it resolved to when it was read (None: not known). So a
        symlink on the way that points elsewhere later is seen by the lint cache, which records what each
        path resolved to and what the compile found there (graphc/cache.py, graphc.files.recording)."""
        read = dict(self.templates.reached)
        if self.options.params_file:
            read[os.path.abspath(self.options.params_file)] = self.params_real
        return sorted(read.items(), key=lambda item: item[0])

    def commented_templates(self) -> dict[str, str]:
        """``{path: text}`` of the ``use:`` templates this rendering read whose text mentions a ``# graphc:``
        directive, by the path the diagnostics located in them name (each ``use:`` site's, as
        :meth:`Scope.wrap` places them): lint applies a template's suppression comments to the findings located
        in it, wherever it is used from (graphc.lint). The text is the one rendered, never read again."""
        commented = {
            id(doc) for doc in self.templates.docs.values() if doc is not None and mentions_directive(doc.text)
        }
        if not commented:  # (most templates hold no directive)
            return {}
        return {
            scope.path: scope.doc.text
            for scope in self.templates.scopes.values()
            if scope is not None and id(scope.doc) in commented
        }

    # -- diagnostics ---------------------------------------------------------------
    def report(self, code, message, span, hint=None, related=()):
        diagnostic = located(Diagnostic(code, message, self.doc.path, span, hint=hint, related=related))
        self.diagnostics.append(diagnostic)
        if diagnostic.is_error:
            self.error_count += 1

    def report_once(self, key, code, message, span, hint=None):
        """:meth:`report`, once per ``key``: a `use:` that fails (not found, a cycle, nested too deep) in a template
        reached by thousands of paths through the templates above it is one finding, which :meth:`count_repeats`
        says how many paths reached (audit params25 1: 237,496 copies of one GC107, a 438 MB report). Each repeat
        still counts as an error of the file."""
        seen = self.repeats.get(key)
        if seen is None:
            self.repeats[key] = [len(self.diagnostics), 1]
            self.report(code, message, span, hint=hint)
            return
        seen[1] += 1
        if self.diagnostics[seen[0]].is_error:
            self.error_count += 1

    def count_repeats(self):
        """The findings :meth:`report_once` kept once, with the number of paths that reached each."""
        for index, count in self.repeats.values():
            if count > 1:
                d = self.diagnostics[index]
                self.diagnostics[index] = d.replace(message=f"{d.message} (reached by {count:,} paths)")

    def count_legs(self, n, span):
        """Count legs of the output (leaves, whatever they hold); GC103 and stop past MAX_LEGS."""
        self.leg_total += n
        if self.leg_total > expand.MAX_LEGS:
            self.report(
                "GC103",
                f"the playbook expands to more than {expand.MAX_LEGS:,} legs (the limit)",
                span,
                hint="use fewer for_each items or templates",
            )
            raise TooManyLegs()

    def count_expansion(self, n, span, *, planned: bool = False):
        """Count what expanding makes (every leaf of every for_each and `use:` copy, at every level: expand.copy_cost);
        GC107 and stop past the budget, charged before the copies are made.

        ``planned`` values are checked, not counted: they are counted again as they are made.
        """
        total = self.expansion_total + n
        if not planned:
            self.expansion_total = total
        if total > expand.MAX_EXPANSION:
            self.report(
                "GC107",
                f"expanding for_each and use: would make at least {total:,} values in all, over the per-file limit "
                f"of {expand.MAX_EXPANSION:,} (every field, list entry and mapping value of every copy, at every "
                "level of templates)",
                span,
                hint="templates run under fixed budgets (docs/robustness.md); use fewer or smaller for_each "
                "lists, or fewer legs that use a template; the environment variable GRAPHC_MAX_EXPANSION raises "
                "the limit",
            )
            raise TooManyLegs()

    # -- rendering values ------------------------------------------------------------
    def render_value(self, text, names, span, *, where="", keep_marks=False, live=False, field=None, side=None):
        """One string scalar: its native value (whole `{{ expr }}`) or rendered text; FAILED after reporting.

        ``keep_marks``: the value keeps its percent and money marks (a ``for_each`` list, a ``with:`` value, a size).
        ``live``: a size or a ``limit``, which ``graphc bundle`` (``live_quotes``) may leave to the quote the
        strategy reads when it runs; anywhere else a missing quote is GC109. ``field``: the key the value is
        written at (``buy``, ``limit``, ``with``; a ``defaults:`` key too), and ``side`` the leg's (buy, sell or
        None: not known here), for the hint of a number that does not end (:func:`_long_number`)."""
        try:
            compiled = read_template(text, self.file_budget)  # its parse charged to the file's steps first
            if isinstance(compiled, ExpressionError):
                raise compiled
            if not self.read_clock and not CLOCK_NAMES.isdisjoint(compiled.names):
                self.read_clock = True
            return evaluate(
                compiled, names, file_budget=self.file_budget, keep_marks=keep_marks, free_text=field in FREE_TEXT
            )
        except ExpressionError as exc:
            if isinstance(exc, QuoteNotGiven) and live and self.options.live_quotes:
                # read when the strategy runs: its number is unknown here (a skip); its form is checked on a
                # stand-in quote (a size in the wrong unit or junk text would fail every run)
                try:
                    sample = evaluate(
                        compiled,
                        {**names, "quote": stand_in_quote},
                        file_budget=self.file_budget,
                        keep_marks=keep_marks,
                    )
                except ExpressionError:
                    sample = None
                return LiveValue(text, exc.symbol, sample)
            if isinstance(exc, LongNumber):
                if keep_marks and compiled.native and field in _MONEY_CHECKED and money_of(exc.number) is not None:
                    return exc.number  # dollars with no unit: the size's GC105, or the param's, says to round them
                exc = _long_number(exc, field, side)
            if isinstance(exc, FileBudgetExceeded):
                if self.over_file_budget is not None:  # one GC107 for the limit, which counts the rest
                    self.refused += 1
                    self.error_count += 1
                    return self.FAILED
                self.over_file_budget = len(self.diagnostics)
            shown = " ".join(text.split())
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            self.report(exc.code, f"in `{shown}`: {exc.message}{where}", span, hint=exc.hint)
            return self.FAILED

    def count_refused(self):
        """The GC107 of a per-file limit, with the number of template evaluations refused after it."""
        if self.refused and self.over_file_budget is not None:
            index, count = self.over_file_budget, self.refused
            d = self.diagnostics[index]
            were = "evaluation of the file was" if count == 1 else "evaluations of the file were"
            self.diagnostics[index] = d.replace(message=f"{d.message}; {count:,} later template {were} not run")

    def render_tree(self, value, names, spans, rel, where="", keep_marks=False, live=False, side=None):
        """Render every string scalar inside ``value``; ``spans`` are keyed by ``rel`` paths (``live`` and ``side``:
        see :meth:`render_value`, for the value itself when it is a scalar)."""
        if isinstance(value, str):
            if not is_template(value):
                return value
            rendered = self.render_value(
                value,
                names,
                span_in(spans, rel),
                where=where,
                keep_marks=keep_marks,
                live=live,
                field=_field(rel),
                side=side,
            )
            return value if rendered is self.FAILED else rendered
        if isinstance(value, dict):
            return {k: self.render_tree(v, names, spans, rel + (k,), where, keep_marks) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render_tree(v, names, spans, rel + (i,), where, keep_marks) for i, v in enumerate(value)]
        return value

    # -- the stage ---------------------------------------------------------------------
    def run(self):
        data = self.doc.data
        names = self._params(data.get("params"))
        if self.error_count:
            return None, self.diagnostics
        names = {**self.base_names, **names}
        out = {}
        spans, key_spans = dict(self.doc.spans), dict(self.doc.key_spans)
        top = _TopSpans(self.scope)
        for key, value in data.items():
            if key == "params":
                continue
            if key == "schedule":  # it decides `now`, so it is never rendered (a template in it is GC103)
                out[key] = value
                continue
            if key == "name":  # the run keys' NAME, read as written by run, schedule, plan, submit: never rendered
                templated = templated_name(self.doc)
                if templated is not None:
                    self.report(templated.code, templated.message, templated.span, hint=templated.hint)
                    continue
                out[key] = value
                continue
            if key == "sandbox" and isinstance(value, str) and is_template(value):
                # Live trading must be chosen in the file itself, not computed from params.
                self.report(
                    "GC103",
                    "`sandbox` must be written as a literal true or false, not an expression",
                    self.doc.span(("sandbox",)),
                    hint="write `sandbox: false` to trade live, or leave it out",
                )
                continue
            if key == "legs" and isinstance(value, dict):
                try:
                    legs = expand_legs(self, self.scope, value, names)
                except TooManyLegs:
                    return None, self.diagnostics
                check_foreign_references(self, legs)
                out["legs"] = self._assemble(legs, spans, key_spans)
            elif key == "defaults" and isinstance(value, dict):
                out[key] = self._defaults(value, names, top)
            elif key == "edges":  # an edge's `offset_pct` is in percent points (expand.in_field_unit)
                out[key] = expand.render_in_units(self, key, value, names, top, (key,))
            else:
                out[key] = self.render_tree(value, names, top, (key,))
        if self.error_count:
            return None, self.diagnostics

        return Document(self.doc.path, self.doc.text, out, spans, key_spans), self.diagnostics

    def _defaults(self, defaults: dict, names, top) -> dict:
        """``defaults:`` rendered; its sizes as a leg's are (a money amount without a unit is GC105)."""
        out = {}
        for key, value in defaults.items():
            if key in expand.SIZE_KEYS:
                size = expand.render_size(
                    self, key, value, names, top, ("defaults", key), symbol=defaults.get("symbol")
                )
                if size is not self.FAILED:
                    out[key] = size
            elif key in expand.PERCENT_KEYS:  # `slippage: "{{ slip }}"` is bps (expand.in_field_unit)
                rendered = expand.render_in_units(self, key, value, names, top, ("defaults", key))
                if rendered is not self.FAILED:
                    out[key] = rendered
            else:
                out[key] = self.render_tree(value, names, top, ("defaults", key), live=key == "limit")
        return out

    def _assemble(self, legs, spans, key_spans) -> dict:
        out = {}
        own = self.scope.leg_spans
        for leg in legs:
            if leg.id in out:
                self.report(
                    "GC203",
                    f"duplicate leg id {leg.id!r} after for_each/use expansion",
                    span_in(leg.key_spans, ()),
                    hint="rename the leg or change the for_each items",
                )
                continue
            out[leg.id] = leg.fields
            own_spans, own_keys = own(leg.id)
            if own_spans is leg.spans and own_keys is leg.key_spans:
                continue  # a plain leg of the playbook: its positions are already in place
            base = ("legs", leg.id)
            for rel, span in leg.spans.items():
                spans[base + rel] = span
            for rel, span in leg.key_spans.items():
                key_spans[base + rel] = span
        return out

    def _params(self, defs) -> dict:
        doc = self.doc
        params = ParamSet(
            defs,
            lambda p: doc.span(("params",) + p),
            lambda p: doc.key_span(("params",) + p),
            budget=self.file_budget,
            written_of=lambda p: doc.written(("params",) + p),
        )
        supplied = self._params_file()
        supplied.update(_from_set(self.options.params or {}))
        if self.options.params_shared:  # given to many files: a name this one does not declare is not its error
            supplied = {name: given for name, given in supplied.items() if isinstance(defs, dict) and name in defs}
        unknown_span = doc.key_span(("params",)) if isinstance(defs, dict) else doc.span(())
        values = params.resolve(
            supplied,
            missing_span=lambda name: doc.key_span(("params", name)),
            unknown_span=unknown_span,
            supply_hint="pass `--set {name}=VALUE` or put it in a `--params` file",
        )
        for problem in params.problems:
            self.report(problem.code, problem.message, problem.span, hint=problem.hint)
        return values

    def _params_file(self) -> dict:
        path = self.options.params_file
        if not path:
            return {}
        origin = f"--params {path}"
        self.params_real = resolved_path(path)
        text = self.options.params_text  # read once by the command, for every file it compiles
        if text is None:
            try:
                text = read_source(path, pipe_ok=True)  # `--params <(make-params)`: the operator's own pipe
            except (OSError, UnicodeDecodeError) as exc:
                self.report(
                    "GC108", f"cannot read params file {path}: {getattr(exc, 'strerror', None) or 'not UTF-8'}", None
                )
                return {}
        pdoc, diagnostics = load_text(text, str(path))
        for d in diagnostics:
            self.report(d.code, d.message, _in_file(d.span, path), hint=d.hint)
        if pdoc is None:
            return {}
        if not isinstance(pdoc.data, dict):
            self.report("GC108", f"params file {path} must be a mapping NAME: VALUE", _in_file(pdoc.span(()), path))
            return {}
        return {
            str(name): Supplied(
                value,
                origin,
                _in_file(pdoc.span((name,)), path),
                _in_file(pdoc.key_span((name,)), path),
                pdoc.written((name,)),
            )
            for name, value in pdoc.data.items()
        }


# The top-level keys that are only text for people (the schema's "free text"): a long number a template writes
# there is not read as a number (expressions.evaluate). (`name:` is never rendered: it is the run key.)
FREE_TEXT = ("description",)
# The fields whose caller reads a money amount left whole in them: a size (expand.render_size: GC105 with no unit,
# and a hint that rounds it) and a `with:` value (the template's param: a `quantity` refuses it the same way).
_MONEY_CHECKED = (*expand.SIZE_KEYS, "with")


def _field(rel: tuple):
    """The key a value at ``rel`` is written at: a leg's (``("limit",)``), a ``defaults:`` key's, ``with``."""
    if not rel:
        return None
    return rel[1] if rel[0] == "defaults" and len(rel) > 1 else rel[0]


def _long_number(exc: LongNumber, field, side=None) -> ExpressionError:
    """GC106 for a number a template made with more digits than any number has (spec §8: more
    precision than the wire scale), with the rounding that fits ``field`` written around its expression: a size
    rounds down to 1e-8 (spec §3.2 rounds a notional's quantity down), a price to its tick in the direction that
    never worsens it (spec §4: buys down, sells up: ``side``'s, written, where the leg's side is known; audit
    ruledoc21 5), dollars to the cent. Audit tmpl19 3: it was GC103 "has more
    than 40 digits", "write at most 40 significant digits", for a `{{ total / n }}` of five characters."""
    expr = exc.expression
    message = exc.words(f"`{expr}`" if expr is not None else "a number it makes")
    whole = "EXPR" if expr is None else expr if expr.isidentifier() else f"({expr})"
    if money_of(exc.number) is not None:
        hint = f"round the dollars down where they are made: `{{{{ {whole} | round(2, 'floor') }}}}`"
    elif field in expand.SIZE_KEYS:
        hint = (
            f"round it down where it is made, to what a size holds: `{{{{ {whole} | round(8, 'floor') }}}}` "
            "(8 decimals; `round(0, 'floor')` for shares or contracts)"
        )
    elif field == "limit" and side in ("buy", "sell"):
        way, rounded = ("floor", "down") if side == "buy" else ("ceil", "up")
        hint = (
            f"round it to the market's tick where it is made, {rounded} for a {side}: "
            f"`{{{{ {whole} | round(2, '{way}') }}}}` on a 0.01 tick"
        )
    elif field == "limit":
        hint = (
            "round it to the market's tick where it is made, down for a buy and up for a sell: "
            f"`{{{{ {whole} | round(2, 'floor') }}}}` on a 0.01 tick (`'ceil'` for a sell)"
        )
    else:
        hint = (
            f"round it where it is made, to the decimals the field takes: `{{{{ {whole} | round(2) }}}}` "
            "(`round(2, 'floor')` or `'ceil'` to choose the direction)"
        )
    return ExpressionError(message, exc.code, hint)


class _TopSpans:
    """``span_in`` over the playbook's own table for top-level values (no copy of the whole table)."""

    def __init__(self, scope):
        self.doc = scope.doc

    def __contains__(self, rel):
        return True  # Document.span already falls back to the nearest ancestor

    def get(self, rel):
        return self.doc.span(rel)


def _in_file(span, path):
    return None if span is None else Span(span.line, span.col, span.end_line, span.end_col, file=str(path))


def _from_set(values: dict) -> dict:
    return {name: Supplied(value, "--set") for name, value in values.items()}


def _base_names(options) -> dict:
    """The names every expression may use: now, today, quote() and a bounded range()."""
    now = options.now or datetime.now(UTC)
    return {
        "now": now,
        "today": options.today or now.date().isoformat(),
        "quote": _quote_function({} if options.quotes is None else options.quotes),
        "range": safe_range,
    }


def _quote_function(quotes):
    def quote(symbol):
        """``quote('ETH-USD')`` -> {bid, ask, mid, last} from the --quotes snapshot."""
        if not isinstance(symbol, str):
            raise ExpressionError("quote() takes a symbol as text, e.g. quote('ETH-USD')")
        q = quotes.get(symbol)
        if q is None:
            raise QuoteNotGiven(
                f"quote({symbol!r}): no quote for {symbol[:80]} in the snapshot",
                symbol,
                hint=f"pass --quotes FILE with an entry for {symbol[:80]}",
            )
        type_, venue = infer_instrument(symbol, None, None)  # the market the symbol's shape names (spec §3.1)
        usable = market_quote(q, venue, type_)  # a prediction market's: no price outside 0 < p < 1
        fields = {"bid": usable.bid, "ask": usable.ask, "mid": usable.base("mid"), "last": usable.last}
        refused = {}
        if usable is not q:
            refusals = {refusal.key: refusal for refusal in price_refusals(q)}
            sides = [refusals[side] for side in ("bid", "ask") if side in refusals]
            refused = {**({"mid": sides[0]} if q.mid is None and sides else {}), **refusals}
        return QuoteFields(symbol, fields, refused)

    return quote


class QuoteFields(dict):
    """``quote(SYMBOL)``'s ``{bid, ask, mid, last}``, holding only the fields the snapshot has: ``'last' in q``
    and ``q.get('last', d)`` see a missing one as missing, and ``q.last`` is a falsy :class:`MissingQuoteField`
    that is GC109 once written or computed with (docs/templates.md: "a missing quote is GC109"); GC105 for a price
    the snapshot has but a prediction market cannot have (``refused``: graphc.venues.market_quote)."""

    FIELDS = ("bid", "ask", "mid", "last")

    def __init__(self, symbol: str, fields: dict, refused: dict | None = None):
        super().__init__({name: value for name, value in fields.items() if value is not None})
        self.symbol = symbol
        self.refused = refused or {}  # name -> the refusal of a price the market does not use (``ask: 41``)

    def __missing__(self, name):
        if name in self.FIELDS:
            return MissingQuoteField(self.symbol, name, self.refused.get(name))
        raise KeyError(name)  # another name: the sandbox's "has no attribute"


def _real_path(path) -> Path | None:
    try:
        p = Path(path)
        return p.resolve() if p.is_file() else None
    except (OSError, ValueError):
        return None
