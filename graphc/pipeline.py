"""The compile pipeline: source text -> wire graph + diagnostics.

Each stage returns data and diagnostics; the pipeline stops at the first stage
that cannot produce anything useful for the next one, and never raises for
bad input.
"""

from __future__ import annotations

import functools
import gc
import re
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from graphc.diagnostics import Diagnostic, Skip, has_errors, located
from graphc.files import find_project_root, read_source
from graphc.inputs import is_playbook_data
from graphc.record import Record
from graphc.venues import MarketConfig, MarketResolver

if TYPE_CHECKING:  # annotations only: the quotes module is imported by those who read quotes; the stages by
    from datetime import datetime  # the runs that compile (a lint served from its cache never does)

    from graphc.facts import GraphFacts
    from graphc.quotes import Quote
    from graphc.stages.load import Document
    from graphc.stages.model import Locator, NodeOrigin

TEMPLATE_MARKERS = ("{{", "{%", "{#")  # in the text; params/for_each/use/with are looked for in the data
_TEMPLATE_MARKER = re.compile("|".join(re.escape(marker) for marker in TEMPLATE_MARKERS))
# Leg keys that only the render stage understands (_needs_render first searches the text for these words, and
# for the markers' "{").
_TEMPLATE_KEYS = frozenset({"for_each", "use", "with"})


class CompileOptions(Record):
    """What a compile may use besides the playbook: quotes, params, the time, the project."""

    FIELDS = (
        "quotes",
        "params",
        "params_file",
        "now",
        "today",
        "require_quotes",
        "project_root",
        "market_config",
        "live_quotes",
        "untracked",
        "params_shared",
        "params_text",
    )

    quotes: dict[str, Quote]  # symbol -> Quote
    params: dict[str, str]  # --set NAME=VALUE (raw text)
    params_file: str | None  # --params FILE
    now: datetime | None  # datetime for `now`/`today` (--now); None = the current time
    today: str | None  # `today` as ISO date text; None = now's date in UTC (a schedule's occurrence sets it)
    require_quotes: bool  # compile: a needed, missing quote is GC109; lint: the check is skipped
    project_root: str | None  # `use:` templates must stay inside it
    market_config: MarketConfig  # [venues.*] / [markets.*] of graphc.toml
    live_quotes: bool  # bundle: quote() in a template is read when the strategy runs, so its value is unknown here
    # template files (real paths) on disk that git does not track, which a commit would not hold: a `use:` of one
    # is GC107 (lint --dependants, the pre-commit hook, finds them; docs/integrations.md "pre-commit")
    untracked: frozenset[str]
    # the --set/--params values are given to several files at once (a lint of many): a name one of them does not
    # declare is not that file's GC108; the command reports a name none of them declares (docs/templates.md)
    params_shared: bool
    # the --params file's text, read once by the command (a pipe, `--params <(make-params)`, can be read only once):
    # every file's compile (and each -j worker's) renders with the same values; None: the compile reads params_file
    params_text: str | None

    def __init__(
        self,
        quotes: dict[str, Quote] | None = None,
        params: dict[str, str] | None = None,
        params_file: str | None = None,
        now: datetime | None = None,
        today: str | None = None,
        require_quotes: bool = True,
        project_root: str | None = None,
        market_config: MarketConfig | None = None,
        live_quotes: bool = False,
        untracked: frozenset[str] = frozenset(),
        params_shared: bool = False,
        params_text: str | None = None,
    ):
        self.quotes = {} if quotes is None else quotes
        self.params = {} if params is None else params
        self.params_file, self.now, self.today = params_file, now, today
        self.require_quotes, self.project_root = require_quotes, project_root
        self.market_config = MarketConfig() if market_config is None else market_config
        self.live_quotes = live_quotes
        self.untracked = untracked
        self.params_shared = params_shared
        self.params_text = params_text

    def resolver(self) -> MarketResolver:
        """The market-facts resolver of these options (spec §3.3): the quotes, then the config, then profiles."""
        if not self.quotes and not self.market_config:
            return _profiles_resolver()
        return MarketResolver(self.quotes, self.market_config)

    def fingerprint(self) -> dict[str, object]:
        """Everything here that can change what a compile gives, as plain data (the lint cache's key).

        The params file is named, not read: its content is among the files a
        compile reads (:attr:`CompileResult.files_read`), and when the command
        read it (``params_text``), the lint cache records the state it read it in
        (graphc.commands.lint).
        """
        return {
            "quotes": {symbol: repr(quote) for symbol, quote in sorted(self.quotes.items())},
            "params": sorted(self.params.items()),
            "params_file": self.params_file,
            "now": self.now.isoformat() if self.now is not None else None,
            "today": self.today,
            "require_quotes": self.require_quotes,
            "project_root": self.project_root,
            "market_config": self.market_config.fingerprint,
            "live_quotes": self.live_quotes,
            "untracked": sorted(self.untracked),
            "params_shared": self.params_shared,
        }


_PROFILES_RESOLVER: list[MarketResolver] = []


def _profiles_resolver() -> MarketResolver:
    """The resolver of every compile without quotes or market config: the built-in profiles alone decide,
    the same facts for each file of the process (as ``MarketResolver({}, MarketConfig())``, it keeps
    nothing of the options). Renewed once it holds many markets, so a long process stays small."""
    if not _PROFILES_RESOLVER or _PROFILES_RESOLVER[0].markets_known > 4096:
        _PROFILES_RESOLVER[:] = [MarketResolver()]
    return _PROFILES_RESOLVER[0]


class CompileResult(Record):
    """A compiled playbook: the wire graph (None when it could not be built), diagnostics, and the way back to the source."""

    FIELDS = (
        "path",
        "source",
        "wire",
        "diagnostics",
        "locator",
        "origin",
        "skips",
        "is_playbook",
        "files_read",
        "read_clock",
        "commented_templates",
        "facts_source",
    )
    COMPARED = SHOWN = FIELDS[:-1]

    path: str
    source: str | None
    wire: dict[str, Any] | None
    diagnostics: list[Diagnostic]
    locator: Locator | None  # .span(wire path) -> Span
    origin: dict[str, NodeOrigin]  # node_id -> NodeOrigin
    skips: list[Skip]  # Skip(code, wire path, reason)
    is_playbook: bool
    # `use:` templates and --params file read or looked for: (as reached, not resolved; the path it resolved to)
    files_read: list[tuple[str, str | None]]
    read_clock: bool  # an expression evaluated (playbook or template) named `now` or `today`: it depends on the time
    # the `use:` templates read whose text mentions a `# graphc:` directive: {the path their findings name: text}
    commented_templates: dict[str, str]
    facts_source: Callable[[], GraphFacts] | None  # see .facts
    _facts: GraphFacts | None

    def __init__(
        self,
        path: str,
        source: str | None,
        wire: dict[str, Any] | None = None,
        diagnostics: list[Diagnostic] | None = None,
        locator: Locator | None = None,
        origin: dict[str, NodeOrigin] | None = None,
        skips: list[Skip] | None = None,
        is_playbook: bool = True,
        files_read: list[tuple[str, str | None]] | None = None,
        read_clock: bool = False,
        commented_templates: dict[str, str] | None = None,
        facts_source: Callable[[], GraphFacts] | None = None,
    ):
        self.path, self.source, self.wire, self.locator = path, source, wire, locator
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.origin = {} if origin is None else origin
        self.skips = [] if skips is None else skips
        self.is_playbook = is_playbook
        self.files_read = [] if files_read is None else files_read
        self.read_clock = read_clock
        self.commented_templates = {} if commented_templates is None else commented_templates
        self.facts_source = facts_source
        self._facts = None

    @property
    def facts(self) -> GraphFacts | None:
        """The typed nodes and edges of ``wire`` (graphc.facts) for the rules, made on first use with the quotes
        and market facts this compile used: ``graphc compile`` never asks (a fifth of a 100,000-leg compile)."""
        if self._facts is None and self.facts_source is not None:
            self._facts = self.facts_source()
        return self._facts

    @property
    def ok(self) -> bool:
        return self.wire is not None and not has_errors(self.diagnostics)

    def wire_json(self) -> str:
        from graphc.stages.emit import to_json  # deferred: stages.emit; lint never writes wire JSON

        assert self.wire is not None, "no wire graph: the compile failed"
        return to_json(self.wire)

    def write_wire_json(self, write: Callable[[str], object]) -> None:
        """The wire JSON text through ``write(str)``, in chunks (a large graph is never one string)."""
        from graphc.stages.emit import write_json  # deferred: stages.emit; lint never writes wire JSON

        assert self.wire is not None, "no wire graph: the compile failed"
        with gc_paused():
            write_json(self.wire, write)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one file's work, when that is safe.

    Compiling a large graph allocates millions of long-lived, acyclic objects
    (values, positions, wire dicts); each collection re-scans all of them, so
    with the collector on, time grows faster than the graph (100k legs: 4x
    slower). Nothing the pipeline builds is a reference cycle, so nothing is
    left for the collector when it runs again afterwards.

    The switch is the process's, so it is touched only when no other thread can see it: the caller is the only
    Python thread (``threading.active_count() == 1``; ``threading`` not imported at all: none was started) and the
    collector is on. Then it is turned off for the work and on again after, only what this call turned off.
    Otherwise (a host's threads, a host that turned the collector off itself) the work runs with the collector as
    it is: a thread's ``gc.disable()`` is never undone, and no other thread ever sees it off because of graphc
    (audit embed29 2). The command line is one thread, so it always pauses; a library call pays the collector's
    passes only when the process has other threads (docs/api.md, "Threads").
    """
    threading = sys.modules.get("threading")
    paused = gc.isenabled() and (threading is None or threading.active_count() == 1)
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _not_a_playbook_hint(doc: Document) -> str:
    """What to do with a file that is not a playbook: a wire graph, a simple order and a `use:` template each
    have their command."""
    from graphc.inputs import (  # deferred: only a non-playbook
        SIMPLE,
        is_template_data,
        kind_of,
        reads_as_wire,
        saved_plan_hint,
    )

    path = "-" if doc.path == "<stdin>" else shlex.quote(str(doc.path))
    lint = f"`graphc lint {path}`"
    if reads_as_wire(doc.data):
        return f"this is a wire graph, already compiled: check it with {lint} (plan and submit take it as it is)"
    if kind_of(doc.data) == SIMPLE:
        return (
            "this is a simple order (`symbol`, `side`, `qty`): plan and submit take it as it is; "
            f"`graphc decompile {path}` turns it into a playbook"
        )
    if is_template_data(doc.data):
        return f"this is a `use:` template: it is compiled through the playbooks that use it; {lint} checks it"
    plan = saved_plan_hint(doc)
    if plan is not None:
        return plan
    return "start the file with `graphc: 1`; wire graphs are JSON files with `nodes`"


def compile_document(doc: Document, options: CompileOptions | None = None) -> CompileResult:
    """Compile an already loaded playbook document."""
    model, validation = _compiler_stages()
    options = options or CompileOptions()
    result = CompileResult(doc.path, doc.text)
    if not is_playbook_data(doc.data):
        result.diagnostics.append(
            Diagnostic(
                "GC110",
                "not a playbook: the top level has no `graphc: 1`",
                doc.path,
                doc.span(()),
                hint=_not_a_playbook_hint(doc),
            )
        )
        return result
    if _needs_render(doc, options):
        from graphc.stages.render import render_document  # deferred: Jinja2; only a playbook with templates

        doc, diagnostics, result.files_read, result.read_clock, result.commented_templates = render_document(
            doc, options
        )
        result.diagnostics.extend(diagnostics)
        if doc is None:
            return result
    reported_at: list[tuple[object, ...]] = []  # the document path of each schema problem
    found = validation.validate(doc, validation.PLAYBOOK_SCHEMA, reported_at)
    schema_diagnostics = [located(d) for d in found] if found else []  # template spans -> their file
    if schema_diagnostics:
        result.diagnostics.extend(schema_diagnostics)
        # not a playbook of this version, or its schema check stopped with more to find (GRAPHC_MAX_DIAGNOSTICS):
        # the rest of it was not checked, and the model would read it (audit: 1.9 million bad legs or nodes)
        if found.stopped or any(d.code == "GC110" for d in schema_diagnostics):
            return result
    if "schedule" in doc.data:  # spec §9: compile and lint only validate it
        from graphc.schedule import schedule_diagnostics  # deferred: zoneinfo; only a scheduled playbook needs it

        reported = {(d.code, d.span) for d in schema_diagnostics}
        result.diagnostics.extend(d for d in schedule_diagnostics(doc) if (d.code, d.span) not in reported)
    built = model.build_wire(
        doc, quotes=options.quotes, require_quotes=options.require_quotes, resolver=options.resolver()
    )
    if built.diagnostics:
        # The schema and the model can both notice one problem; report it once.
        reported = {(d.code, d.span) for d in schema_diagnostics}
        # a NaN or an infinity is GC103 "not a finite number" at its value: not also the model's GC105 there
        unread = {d.span for d in schema_diagnostics if d.code == "GC103" and d.message.endswith(validation.NOT_FINITE)}
        # the model's reading error about a value (a twap, an edge mapping) that holds a schema problem is the
        # same problem in other words, said at the value around it: `slices: 0` is not also "twap slices must be
        # a whole number", `trigger: on_fil` not also "unknown trigger" at its edge (audit spec.md 4)
        around = _enclosing_spans(doc, reported_at) if reported_at else frozenset()
        _drop_said_again(result.diagnostics, doc, reported_at, built.diagnostics)
        result.diagnostics.extend(
            d
            for d in built.diagnostics
            if (d.code, d.span) not in reported
            and d.span not in unread
            and not (d.code in _READING_CODES and d.span in around)
        )
    result.wire, result.locator, result.origin, result.skips = built.wire, built.locator, built.origin, built.skips
    result.facts_source = built.facts
    return result


# the model's errors about a value's form; not GC104: a required key that is missing is another problem than a bad
# value beside it (`twap: {slices: 0}` also lacks `every`/`over`: review12 3)
_READING_CODES = frozenset({"GC102", "GC103", "GC105", "GC106"})


def _drop_said_again(
    diagnostics: list[Diagnostic], doc: Document, paths: list[tuple[object, ...]], built: list[Diagnostic]
) -> None:
    """Drop the schema's GC104 "P needs `KEY:`" (at P's key) where the model reported a GC104 naming `KEY` at P's
    value: the model's says what the whole value lacks (`twap: {every: 1s}`: "twap needs `slices`"; for
    `twap: {}` also `every`/`over`, which the schema does not ask), so one missing key is one error, at the value
    (review14 6). A model GC104 about another key leaves the schema's standing."""
    at_values = {d.span: d.message for d in built if d.code == "GC104"}
    if not at_values or not paths:
        return
    said: dict[object, str] = {}  # the key span of P -> the model's message at P's value
    for path in paths:
        message = at_values.get(doc.span(path)) if path else None
        if message is not None and doc.key_span(path) not in at_values:
            said[doc.key_span(path)] = message
    if said:
        diagnostics[:] = [d for d in diagnostics if not _said_again(d, said)]


def _said_again(diagnostic: Diagnostic, said: dict[object, str]) -> bool:
    """Whether ``diagnostic`` is a schema "needs `KEY:`" whose KEY the model's GC104 at the value names."""
    missing = _NEEDS_KEY.search(diagnostic.message) if diagnostic.code == "GC104" else None
    return missing is not None and f"`{missing[1]}`" in said.get(diagnostic.span, "")


_NEEDS_KEY = re.compile(r" needs `([^`]+):`$")  # graphc.stages.validate's message of a missing required key


def _enclosing_spans(doc: Document, paths: list[tuple[object, ...]]) -> frozenset[object]:
    """The spans of the values that hold each schema problem's path, up to the leg field (`legs.ID.FIELD`) or the
    top-level entry (`edges.N`, `defaults.FIELD`), and the value itself (an edge's `offset_pct: x` is the schema's
    GC103, not also the model's GC105 there: sec16 2): never a leg or the document itself, whose other problems
    stand."""
    spans = set()
    for path in paths:
        top = 3 if path[:1] == ("legs",) else 2
        for depth in range(top, len(path) + 1):
            spans.add(doc.span(path[:depth]))
    return frozenset(spans)


@functools.cache
def _compiler_stages() -> tuple[ModuleType, ModuleType]:
    """graphc.stages.model and graphc.stages.validate, imported at the first compile (an import statement in
    compile_document would cost microseconds at every file; their names are read at each call)."""
    from graphc.stages import model, validate  # deferred: the compiler; a cached lint compiles nothing

    return model, validate


def _needs_render(doc: Document, options: CompileOptions) -> bool:
    """Whether the render stage has anything to do (it is skipped for plain playbooks, for speed)."""
    data = doc.data
    if "params" in data or options.params or options.params_file:
        return True  # --set/--params on a playbook without params must still be reported (GC108)
    text = doc.text
    if text is not None and "\\" not in text and "use" not in text and "with" not in text and "for_each" not in text:
        # No leg can have a template key: a key is its own letters in the text unless an escape (a backslash)
        # wrote it. The usual playbook is decided by these searches, not a look at each leg.
        return "{" in text and _TEMPLATE_MARKER.search(text) is not None
    legs = data.get("legs")
    if isinstance(legs, dict):
        for leg in legs.values():
            if isinstance(leg, dict) and not _TEMPLATE_KEYS.isdisjoint(leg):
                return True
    if _TEMPLATE_MARKER.search(text or "") is not None:
        return True
    # An escape in a double-quoted scalar can write a marker the text does not show (`"\x7b\x7b n }}"`, or `"{\`
    # then `{ n }}"` on the next line): templates are read after YAML (spec §6.2), so look at what it gave.
    return (text is None or "\\" in text) and _holds_marker(data)


def _holds_marker(data: object) -> bool:
    """Whether a string in ``data`` (a key or a value, at any depth) holds a template marker; a mapping or list
    that aliases share is looked at once."""
    stack: list[object] = [data]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "{" in value and _TEMPLATE_MARKER.search(value) is not None:
                return True
        elif isinstance(value, (dict, list)) and id(value) not in seen:
            seen.add(id(value))
            stack.extend(value)
            if isinstance(value, dict):
                stack.extend(value.values())
    return False


def compile_text(text: str, path: str = "<string>", options: CompileOptions | None = None) -> CompileResult:
    from graphc.stages.load import load_text  # deferred: the YAML loader; a cached lint parses nothing

    with gc_paused():
        doc, diagnostics = load_text(text, path)
        if doc is None:
            return CompileResult(path, text, diagnostics=diagnostics)
        result = compile_document(doc, options)
    result.diagnostics[:0] = diagnostics
    return result


def compile_file(path: str | PathLike[str], options: CompileOptions | None = None) -> CompileResult:
    """Compile a playbook file. An unreadable file raises OSError/UnicodeDecodeError (exit 2 in the CLI)."""
    options = options or CompileOptions()
    if options.project_root is None:
        options.project_root = str(find_project_root(Path(path)))
    return compile_text(read_source(path), str(path), options)
