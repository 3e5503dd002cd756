"""What a loaded file is, decided in one place: a playbook, a wire graph, a simple order, or not graphc's.

``graphc lint``, ``graph``, ``decompile``, ``plan`` and ``submit`` all read
files through :func:`kind_of`, so one file is the same kind of input to every
command. The router's simple order (``{symbol, side, qty, price?, venue?}``) is
wrapped into a one-node wire graph that says what the order says
(:func:`wrap_simple_order`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from graphc.diagnostics import Diagnostic, sorted_diagnostics
from graphc.venues import checked_venue, infer_instrument, router_type, symbol_in_quotes, symbol_problem
from graphc.vocabulary import DEFAULT_POLICY, MAX_SYMBOL, PRICE_DIGITS, QTY_DIGITS, SIDES

if TYPE_CHECKING:  # annotations only
    from graphc.facts import GraphFacts
    from graphc.stages.validate import SchemaProblems
    from graphc.venues import MarketResolver

PLAYBOOK, WIRE, SIMPLE = "playbook", "wire", "simple"
SIMPLE_ORDER_KEYS = frozenset({"symbol", "side", "qty"})  # the required ones: they make a file a simple order
SIMPLE_ORDER_FIELDS = frozenset({"symbol", "side", "qty", "price", "venue"})
TEMPLATE_MARKER = "graphc-template"  # the first key of a `use:` template file (docs/templates.md)
NOT_GRAPHC = "not a playbook (`graphc: 1`), a wire graph (`nodes`) or a simple order (`symbol`, `side`, `qty`)"


def is_playbook_data(data) -> bool:
    return isinstance(data, dict) and "graphc" in data


def is_template_data(data) -> bool:
    """A ``use:`` template file (``graphc-template: ...`` at the top, not a playbook)."""
    return isinstance(data, dict) and TEMPLATE_MARKER in data and "graphc" not in data


def kind_of(data) -> str | None:
    """``PLAYBOOK``, ``WIRE``, ``SIMPLE``, or None for data that is none of graphc's inputs."""
    if not isinstance(data, dict):
        return None
    if "graphc" in data:
        return PLAYBOOK
    if "nodes" in data:
        return WIRE
    if data.keys() >= SIMPLE_ORDER_KEYS:
        return SIMPLE
    return None


def not_graphc(doc, hint: str | None = None) -> Diagnostic:
    """GC110 for a file that is none of graphc's inputs; without ``hint``, a saved plan is named as one
    (:func:`saved_plan_hint`) and anything else is told to start with `graphc: 1`."""
    hint = hint or saved_plan_hint(doc) or "start a playbook with `graphc: 1`"
    return Diagnostic("GC110", NOT_GRAPHC, doc.path, doc.span(()), hint=hint)


_SIMPLE_ORDER_ORDER = ("symbol", "side", "qty")  # the required keys, in the order the reference lists them


def incomplete_simple_order(doc) -> list[Diagnostic]:
    """GC104 naming what a simple order lacks, for data none of graphc's inputs that has two of its three
    required keys (``{symbol, side}``: "a simple order needs `qty`", where GC110 "not a playbook" would not say
    what is wrong), with GC102 at its unknown keys; [] for any other data."""
    data = doc.data
    if not isinstance(data, dict) or kind_of(data) is not None or is_template_data(data):
        return []
    missing = [key for key in _SIMPLE_ORDER_ORDER if key not in data]
    if len(missing) != 1:
        return []
    needs = Diagnostic(
        "GC104",
        f"a simple order needs `{missing[0]}`",
        doc.path,
        doc.span(()),
        hint="a simple order has symbol, side and qty, and may have price and venue",
    )
    return sorted_diagnostics([needs, *_unknown_simple_keys(doc)])


PLAN_MARKER = "graphc_plan"  # the first key of a plan saved by `graphc plan -o` (graphc.plan)


def saved_plan_hint(doc) -> str | None:
    """The hint for a plan saved by ``graphc plan -o`` given where a playbook or a graph belongs: graphc wrote it,
    so "start a playbook with `graphc: 1`" would send its user the wrong way. None for any other data."""
    if not (isinstance(doc.data, dict) and PLAN_MARKER in doc.data):
        return None
    path = "PLAN" if doc.path == "<stdin>" else shlex.quote(str(doc.path))
    return (
        f"this is a plan saved by `graphc plan -o`: `graphc plan {path}` shows it and `graphc submit {path}` sends it"
    )


def wire_diagnostics(doc) -> SchemaProblems:
    """A wire graph checked against the router's JSON Schema (``stopped``: past GRAPHC_MAX_DIAGNOSTICS problems, the
    rest was not checked)."""
    from graphc.stages.validate import WIRE_SCHEMA, validate  # deferred: a cached lint validates nothing

    return validate(doc, WIRE_SCHEMA)


def wire_diagnostics_shaped(doc) -> tuple[SchemaProblems, bool]:
    """:func:`wire_diagnostics`, and whether the shipped schema's check vouched for the graph's shape
    (:func:`graphc.stages.validate.validate_shaped`; ``graphc.facts.graph_facts(shaped=...)`` reads it)."""
    from graphc.stages.validate import WIRE_SCHEMA, validate_shaped  # deferred: a cached lint validates nothing

    return validate_shaped(doc, WIRE_SCHEMA)


def wire_number_diagnostics(doc, found: Sequence[Diagnostic] = ()) -> list:
    """GC103 at each fractional wire number graphc cannot hold, as where a playbook writes it.

    The wire's numbers that are not whole (the two risk limits, ``condition.fill_ratio_gte``,
    ``on_price.offset_pct``: "type": "number" in schemas/wire-graph.schema.json) are read, shown and written
    back (``graphc graph``, ``decompile``, ``plan``) as every playbook number: exact decimals of at most 40
    digits between 1e-40 and 1e40 (playbook-spec.md §1; :func:`graphc.units.parse_number`, the check a
    playbook's `risk.max_notional: 1e999` gets, with its message and hint). The schema's own problems come
    first: a value at a span in ``found`` (``-1e999``: "must be positive") is not reported twice; NaN and
    infinities are the schema check's "not a finite number".
    """
    from graphc.units import UnitError, parse_number  # deferred: a cached lint compiles nothing

    taken = {d.span for d in found}
    out = []
    held = _HELD_NUMBERS
    for path, value in _wire_numbers(doc.data):
        if type(value) is Decimal and not value.is_finite():
            continue
        key = (type(value), str(value))  # a number's exact text decides the check (a graph repeats a few)
        if key in held:
            continue
        try:
            parse_number(_whole_as_written(value))
        except UnitError as exc:
            span = doc.span(path)
            if span not in taken:
                dotted, message = ".".join(map(str, path)), exc.message_as_written(doc.written(path))  # `1e308`
                out.append(Diagnostic(exc.code, f"`{dotted}`: {message}", doc.path, span, hint=exc.hint))
        else:
            if len(held) < 4096:
                held.add(key)
    return out


# (type, text) of the wire numbers that passed wire_number_diagnostics' check: no other check of that number is
# needed (a large graph writes the same few ratios and limits on thousands of edges)
_HELD_NUMBERS: set[tuple[type, str]] = set()


def wire_symbol_problem(symbol: str) -> tuple[str, str | None] | None:
    """``(what is wrong, hint)`` for a symbol of the router's JSON (a wire graph's, a simple order's), else None: in
    quotes (:func:`graphc.venues.symbol_in_quotes`, the judgement a playbook's leg and on_price symbols get, there
    GC105), or not text a market's symbol can be (:func:`graphc.venues.symbol_problem`). Both are GC103 here: JSON
    has no human value to read (GC105, spec §8), and a symbol the router would look for and not find is an invalid
    value of a typed field, as one with whitespace around it is."""
    quoted = symbol_in_quotes(symbol)
    if quoted is None:
        return symbol_problem(symbol)
    bare = quoted[1]
    return quoted[0], (
        f'write the symbol without quotes: "{bare}"' if bare else 'write the market\'s symbol, e.g. "BTC-USD"'
    )


def wire_symbol_diagnostics(doc) -> list:
    """GC103 at each wire symbol that cannot be a market's: a node's ``instrument.symbol`` and an ``on_price``
    trigger's ``symbol`` that is in quotes (`"\"ETH-USD\""`, `"“ETH-USD”"`), blank, has whitespace around it or a
    control or invisible character in it (:func:`wire_symbol_problem`: the judgements a playbook's and a simple
    order's symbol get; the three input forms agree, audit wirelint23 3). A symbol that is not text or not 1-512 characters is the schema's GC103,
    not said twice. Each distinct symbol is checked once (a graph trades a few markets on many nodes)."""
    data = doc.data
    out: list[Diagnostic] = []
    checked: dict[str, tuple[str, str | None] | None] = {}

    def check(path: tuple, symbol) -> None:
        if type(symbol) is not str:
            return
        if symbol in checked:
            found = checked[symbol]
        else:
            found = checked[symbol] = wire_symbol_problem(symbol) if 0 < len(symbol) <= MAX_SYMBOL else None
        if found is not None:
            dotted = ".".join(map(str, path))
            out.append(Diagnostic("GC103", f"`{dotted}` {found[0]}", doc.path, doc.span(path), hint=found[1]))

    nodes = data.get("nodes")
    for index, node in enumerate(nodes if type(nodes) is list else ()):
        instrument = node.get("instrument") if type(node) is dict else None
        if type(instrument) is dict:
            symbol = instrument.get("symbol")
            if type(symbol) is str and checked.get(symbol, symbol) is None:
                continue  # a symbol checked before and found fine (most nodes)
            check(("nodes", index, "instrument", "symbol"), symbol)
    edges = data.get("edges")
    for index, edge in enumerate(edges if type(edges) is list else ()):
        trigger = edge.get("trigger") if type(edge) is dict else None
        on_price = trigger.get("on_price") if type(trigger) is dict else None
        if type(on_price) is dict:
            check(("edges", index, "trigger", "on_price", "symbol"), on_price.get("symbol"))
    return out


def _whole_as_written(value):
    """A whole number the wire writes as a JSON float (``-5.0``: graphc.stages.emit writes an ``offset_pct`` so)
    with the digits of the whole number, which is what it was checked as: 40 nines written ``99…9.0`` are 40
    digits, not 41 (sec16 2: playbook lint and wire lint agree on a compiled graph)."""
    if type(value) is Decimal and value.as_tuple().exponent == -1 and value == value.to_integral_value():
        return value.to_integral_value()
    return value


def _wire_numbers(data):
    """``(path, value)`` of each number (int or Decimal, not bool) at a fractional number's place in ``data``."""
    places = []
    risk = data.get("risk")
    if type(risk) is dict:
        for section, key in (("admission", "max_notional_usd"), ("runtime", "max_loss_usd")):
            limits = risk.get(section)
            if type(limits) is dict and key in limits:
                places.append((("risk", section, key), limits[key]))
    edges = data.get("edges")
    for index, edge in enumerate(edges if type(edges) is list else ()):
        if type(edge) is not dict:
            continue
        condition, trigger = edge.get("condition"), edge.get("trigger")
        if type(condition) is dict and "fill_ratio_gte" in condition:
            places.append((("edges", index, "condition", "fill_ratio_gte"), condition["fill_ratio_gte"]))
        on_price = trigger.get("on_price") if type(trigger) is dict else None
        if type(on_price) is dict and "offset_pct" in on_price:
            places.append((("edges", index, "trigger", "on_price", "offset_pct"), on_price["offset_pct"]))
    return [(path, value) for path, value in places if type(value) is int or type(value) is Decimal]


def reads_as_wire(data) -> bool:
    """Whether graphc lint reads ``data`` as a wire graph (not a playbook, not a ``use:`` template; it has
    ``nodes``): the loader leaves such a JSON graph's key proof to :func:`read_wire_graph` (load_text's
    ``keys_later``)."""
    return kind_of(data) == WIRE and not is_template_data(data)


def read_wire_graph(
    doc, quotes: Mapping, resolver: Callable[[], MarketResolver]
) -> tuple[list, bool, GraphFacts | None]:
    """:func:`wire_diagnostics_shaped`, and the graph's facts for the rules when they were read in the pass
    that proved the shipped schema accepts it (:func:`graphc.facts.usual_graph_facts`: the usual wire graph,
    linted without quotes); else None (``graphc.facts.graph_facts`` reads them when the rules run).

    A document loaded with its key proof left to this (``doc.unproven_values``: load_text's ``keys_later``,
    :func:`reads_as_wire`) gets it here, from the values that pass counted (else by counting them again); a
    repeated key gives what loading without the fast pass gives (GC101), as it always did.

    With quotes the facts are left to the rules' run: ``quotes`` may record what is looked up in it
    (graphc.quotes.RecordingQuotes), which a file's kind must not change.
    """
    from graphc.facts import usual_graph_facts  # deferred: a cached lint reads no facts
    from graphc.stages.load import prove_unique_keys  # deferred: as above
    from graphc.stages.validate import WIRE_SCHEMA, is_shipped, validate_shaped  # deferred: as above

    usual = None
    if not quotes and is_shipped(WIRE_SCHEMA):
        usual = usual_graph_facts(doc.data, quotes={}, resolver=resolver())
    if doc.unproven_values is not None:
        proven, problems = prove_unique_keys(doc, None if usual is None else usual[1])
        if proven is None or problems:  # a key repeated: the document as read without the fast pass says where
            return problems, False, None
    if usual is not None:
        return wire_number_diagnostics(doc) + wire_symbol_diagnostics(doc), True, usual[0]
    diagnostics, shaped = validate_shaped(doc, WIRE_SCHEMA)
    if diagnostics.stopped:  # past GRAPHC_MAX_DIAGNOSTICS: the rest of the graph was not checked, nor is it read
        return diagnostics, shaped, None
    return diagnostics + wire_number_diagnostics(doc, diagnostics) + wire_symbol_diagnostics(doc), shaped, None


def wrap_simple_order(doc):
    """``(wire graph or None, locator, diagnostics)`` for a simple order document.

    The node sends what the order says (audit wirelint23 1): its symbol, and its venue only when it gives one
    (the reference: "Omit for SOR routing"). The order has no instrument type, and the router reads a node
    without one (:func:`graphc.venues.router_type`) as graphc reads the order wherever it can: a pair as spot, a
    Polymarket URL or ``:yes``/``:no`` slug as prediction, and a bare slug as the router decides (it normalizes
    Polymarket slugs; graphc, which cannot tell one from a lower-case pair, checks it as spot, and GC111 says so).
    So the type is left out there, and written only where a node without it would be read as another market
    than the order's (spec §3.1): a token id, a ``0x`` id or a ``KX`` ticker (prediction), a venue of prediction
    markets (prediction), a ``-PERP`` symbol (perp); without it "the graph engine assumes spot"
    (hosted-strategies.md). The node id is ``order``, tagged with the run when submitted; its policy ``sor`` and
    activation ``root`` are the router's own defaults; the graph is sandboxed (the order has no field for it).

    Its fields are checked as the router's reference types them (orders-and-execution-graphs.md, Simple Order:
    ``qty`` and ``price`` are numbers, its example writes ``"qty": 0.1``) and as the wire schema checks the node
    they become (``instrument.symbol`` 1-512 characters, spec §3.2; ``instrument.venue`` non-empty). A simple
    order is the router's JSON, and its values are sent as written, so ``qty``/``price`` in text are GC103 and
    never read as a playbook's human values (``"1k"``, ``"$60,000"``, ``"55c"``; a number in quotes too: the
    reference shows no text there, and graphc does not bet an order on the router reading one). Each problem is at its value, and
    every one is reported. The venue is kept as written, so one not in lower case is GC103 as in a wire node
    (:func:`graphc.rules.input.check_wire_venue_case`).
    """
    from graphc.stages.model import Locator  # deferred: the compiler; a cached lint compiles nothing

    data = doc.data
    locator = Locator({(): doc.span(())})
    diagnostics = _unknown_simple_keys(doc)
    problems: list[Diagnostic] = []

    def problem(key: str, code: str, message: str, hint: str | None = None) -> None:
        problems.append(Diagnostic(code, message, doc.path, doc.span((key,)), hint=hint))

    symbol, side, venue = data["symbol"], data["side"], data.get("venue")
    symbol_wrong = _text_problem("symbol", symbol, "write the market, e.g. BTC-USD")
    if symbol_wrong is None and (found := wire_symbol_problem(symbol)) is not None:  # as a wire node's
        symbol_wrong = f"`symbol` {found[0]}", found[1]
    if symbol_wrong is not None:
        problem("symbol", "GC103", *symbol_wrong)
    if type(side) is not str or side not in SIDES:
        shown = repr(side) if type(side) is str else _kind(side)
        problem("side", "GC103", f"`side` must be buy or sell, not {shown}", "write buy or sell (lower case)")
    if "venue" in data:  # null too: the reference says "Omit for SOR routing", and null is no omission
        venue_problem = _text_problem("venue", venue, "leave `venue` out to let the router choose, or name one")
        if venue_problem is not None:
            problem("venue", "GC103", *venue_problem)
    qty = _simple_number(data["qty"], "qty", QTY_DIGITS, problem)
    price_1e9 = None
    if "price" in data:  # null is GC103, never a market order: "Omit for market order" (audit wirelint23 5)
        price_1e9 = _simple_number(data["price"], "price", PRICE_DIGITS, problem)
    if problems:
        return None, locator, sorted_diagnostics(diagnostics + problems)
    type_ = infer_instrument(symbol, None, checked_venue(venue))[0]
    instrument = {"symbol": symbol}
    # The type is written wherever the symbol alone would not tell the router its market: a node pinned to polymarket
    # is read as prediction (router_type, audit rules26 3), but hosted-strategies.md says the engine assumes spot
    # without the type, so the order sent keeps saying it, as it did.
    if type_ != router_type(symbol, None, None):
        instrument["type"] = type_
    if venue is not None:
        instrument["venue"] = venue  # as written: graphc.facts reads it in lower case
    node = {
        "node_id": "order",
        "instrument": instrument,
        "side": side,
        "order_type": "market" if price_1e9 is None else {"limit": {"price_1e9": price_1e9}},
        "quantity": {"fixed": {"qty_1e8": qty}},
        "execution": {"policy": DEFAULT_POLICY},
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
    return {"nodes": [node], "edges": [], "is_sandbox": True}, locator, diagnostics


def _unknown_simple_keys(doc) -> list[Diagnostic]:
    """GC102 at each key of a simple order that is not one of its five."""
    return [
        Diagnostic(
            "GC102",
            f"unknown key {key!r} in a simple order",
            doc.path,
            doc.key_span((key,)),
            hint="simple orders take symbol, side, qty, price, venue",
        )
        for key in sorted(set(doc.data) - SIMPLE_ORDER_FIELDS, key=str)
    ]


def _kind(value) -> str:
    from graphc.stages.validate import kind_of_value  # deferred: a cached lint validates nothing

    return kind_of_value(value)


def _text_problem(key: str, value, hint: str) -> tuple[str, str | None] | None:
    """``(message, hint)`` when a simple order's ``symbol``/``venue`` is not text or is blank, else None; ``hint``
    says what to write for a null or blank one (a number or a list is a different mistake)."""
    if type(value) is not str:
        return f"`{key}` must be text, not {_kind(value)}", hint if value is None else None
    if not value.strip():
        return f"`{key}` is empty", hint
    return None


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_HUMAN_FORMS = {
    "qty": "a plain number of base units, e.g. 0.1 (0.1 BTC on BTC-USD); 1k, 1,000 or 200 ETH are read in a "
    "playbook only",
    "price": "a plain number, e.g. 2400.5; $60,000, 55c or ask + 1 tick are read in a playbook only",
}


def _simple_number(value, key: str, digits: int, problem) -> int | None:
    """A simple order's ``qty`` or ``price`` as its scaled wire integer (``qty_1e8``, ``price_1e9``), or None
    after saying what is wrong at the value: not a JSON number (GC103), not positive or too large (GC103), more
    places than the wire holds (GC106)."""
    from graphc.units import UnitError, to_scaled  # deferred: a cached lint compiles nothing

    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        text = value.strip() if type(value) is str else None
        shown = f"text ({value!r})" if text is not None else _kind(value)
        if value is None and key == "price":
            hint = "leave `price` out for a market order"
        elif text is not None and _JSON_NUMBER.fullmatch(text):
            hint = f"remove the quotes: write the number {text} itself"
        else:
            hint = f"a simple order's `{key}` is {_HUMAN_FORMS[key]}"
        problem(key, "GC103", f"`{key}` must be a number, not {shown}", hint)
        return None
    try:
        return to_scaled(Decimal(value), digits, "quantity" if key == "qty" else "price")
    except UnitError as exc:
        problem(key, exc.code, exc.message, exc.hint)
        return None
