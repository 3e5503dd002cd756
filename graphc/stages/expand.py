"""``for_each`` (spec §6.3) and ``use:`` templates: a legs mapping in, a flat list of legs out.

Each output leg carries the source positions of the text it was made from
(``spans``/``key_spans``, keyed by the path inside the leg), so that a
diagnostic on ``rung-7`` points at the ``rung`` template line, and one on a
leg inlined from a template file points into that file (``Span.file``) and
names the ``use:`` site (``Span.via``).

Rules (documented in docs/templates.md):

* ``for_each: LIST | N | "{{ expr }}"`` makes ``ID-<index>``, or ``ID-<item>``
  when every item is a string; ``item``/``index`` are bound in every field of
  that leg, ``after:`` included. At most 10,000 items per leg and 100,000 legs
  in all (GC103).
* ``after:`` entries that render to nothing (``none`` or blank text) are
  dropped, so ``"{{ 'rung-' ~ (index - 1) ~ ' filled' if index else none }}"``
  gives rung 0 no edge. A whole-expression entry that gives a list adds each
  of its items.
* ``use: PATH`` + ``with: {...}`` inlines the legs of a template file under
  ``<leg id>.``; ``after:`` references between the template's own legs are
  renamed with that prefix, the template's root legs (no ``after`` left) take
  the using leg's ``after:``, and any other field written on the using leg
  overrides that field on every template leg (a side or size must fit them all:
  GC103 at the using leg's key otherwise). Template errors are GC107.
"""

from __future__ import annotations

import errno
import os
import re
import shlex
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath, PureWindowsPath
from stat import S_ISREG
from typing import Any, NamedTuple

from graphc.diagnostics import Diagnostic, Related, Span
from graphc.files import file_kind, read_source, stat_source, unreadable
from graphc.inputs import TEMPLATE_MARKER
from graphc.limits import limit
from graphc.stages.legs import both_forms
from graphc.stages.live import LiveValue
from graphc.stages.load import Document, load_text
from graphc.stages.params import ParamSet, Supplied
from graphc.stages.suggest import did_you_mean
from graphc.units import (
    PercentRatio,
    PercentText,
    RatioText,
    UnitError,
    base_asset,
    format_decimal,
    money_without_unit,
    ratio_as,
    shown_amount,
    shown_dollars,
    unmarked,
)
from graphc.venues.symbols import prediction_venue

MAX_FOR_EACH = limit("MAX_FOR_EACH", 10_000)
MAX_LEGS = limit("MAX_LEGS", 100_000)
# Values made while expanding one file: every leaf (field, list entry, mapping value) of every copy that for_each
# or `use:` makes, at every level of templates, a copy counted as at least one (issue 12, audit tmpl27 1: a literal
# `after:` list of 5,000 entries copied 1,000 times was 5M edges, 4.6 GB). Legs written in the playbook count one
# each. 100,000 legs (the leg limit) of 10 values each.
MAX_EXPANSION = limit("MAX_EXPANSION", 1_000_000)
MAX_TEMPLATE_DEPTH = limit("MAX_TEMPLATE_DEPTH", 8)
# Template legs the expansion's pre-check (Templates.floor) looks at per file; past them it counts nothing more
# (a lower bound still) and the expansion is counted as it is made.
MAX_FLOOR_STEPS = 250_000
MAX_TEMPLATE_BYTES = limit("MAX_TEMPLATE_BYTES", 1_000_000)
TEMPLATE_KEYS = (TEMPLATE_MARKER, "description", "params", "legs")
NOT_INHERITED = ("use", "with", "after", "for_each")

_REFERENCE = re.compile(r"^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)(?=\s)")


class TooManyLegs(Exception):
    """Raised once the whole document passes MAX_LEGS or MAX_EXPANSION; render stops expanding."""


@dataclass
class LegOut:
    id: str  # relative to the scope that produced it
    fields: Any  # the rendered leg mapping (or whatever bad value was written; the schema reports it)
    spans: dict  # path inside the leg -> Span; () is the leg's mapping
    key_spans: dict  # path inside the leg -> Span of the key; () is the leg id


class Scope:
    """One YAML file being expanded: the playbook, or a template file seen from one ``use:`` site."""

    def __init__(
        self,
        doc,
        path: str,
        real: Path | None,
        via: Related | None = None,
        chain: tuple = (),
        folder: Path | None = None,
    ):
        self.doc, self.path, self.real, self.via, self.chain = doc, path, real, via, chain
        # the folder its `use:` paths are relative to: the real file's, or for text not on disk (stdin, an unsaved
        # buffer) the folder of the name it is given (the working directory for `<stdin>`)
        self.folder = folder if folder is not None or real is None else real.parent
        self._legs = None

    def wrap(self, span):
        if span is None or self.via is None:
            return span
        # (Span(...), not span.replace: a for_each over `use:` wraps every span of the template once per copy)
        return Span(span.line, span.col, span.end_line, span.end_col, self.path, self.via)

    def span(self, path):
        return self.wrap(self.doc.span(path))

    def key_span(self, path):
        return self.wrap(self.doc.key_span(path))

    def leg_spans(self, leg_id):
        """(spans, key_spans) of one leg, relative to the leg, wrapped; built once per scope."""
        if self._legs is None:
            self._legs = {}
            for table, slot in ((self.doc.spans, 0), (self.doc.key_spans, 1)):
                for path, span in table.items():
                    if len(path) >= 2 and path[0] == "legs":
                        self._legs.setdefault(path[1], ({}, {}))[slot][path[2:]] = self.wrap(span)
        return self._legs.get(leg_id, ({}, {}))


SIZE_KEYS = ("buy", "sell", "qty")
_ONE_EXPRESSION = re.compile(r"\{\{((?:(?!\{\{|\}\}).)*)\}\}", re.S)


def render_size(r, key, value, names, spans, rel, where="", symbol=None):
    """A size (``buy``, ``sell``, ``qty``) rendered with no mark left; ``r.FAILED`` after a GC105 for one whose
    number is computed from a `money` param and carries no unit (``symbol``: the leg's, for the hint).

    A money param's number is dollars, a size's plain number base units (spec §3.2), so ``buy: "{{ budget / 2 }}"``
    with budget $500 on BTC-USD would buy 250 BTC, not $250 worth. graphc cannot check dimensions
    (``budget / quote('BTC-USD').ask`` is BTC), so the size must say its unit (docs/templates.md, Params
    reference; docs/rules/GC105.md)."""
    size = r.render_tree(value, names, spans, rel, where, keep_marks=True, live=True)
    found = money_without_unit(size.sample if isinstance(size, LiveValue) else size)
    if found is None:
        return unmarked(size)
    money, amount = found
    written = " ".join(value.split()) if isinstance(value, str) else shown_amount(amount)
    shown, dollars, origin = shown_amount(amount), shown_dollars(amount), shown_dollars(money.origin)
    one = _ONE_EXPRESSION.fullmatch(written)
    expr = one.group(1).strip() if one is not None else None
    if expr == money.name and money is names.get(expr):  # the param itself, written bare
        message = f"writes money param `{money.name}` ({origin}) as a bare number, which a size reads as base units"
        hint = f'write `{key}: "${{{{ {money.name} }}}}"` for a notional of {origin}'
    else:
        message = (
            f"is a number computed from money param `{money.name}` ({origin}) with no unit, and a size without a "
            "unit is base units"
        )
        unit = _unit_word(symbol)
        if expr is not None and _too_fine(amount):  # `budget / 3`: the number as it is cannot be a size
            whole = expr if expr.isidentifier() else f"({expr})"
            hint = (
                f"round it down to what a size can hold: write `\"${{{{ {whole} | round(2, 'floor') }}}}\"` for "
                f"dollars, or the {unit} after the number "
                f"({_unit_example(symbol, whole, rounded=True)}) if you computed units"
            )
        elif expr is not None:
            hint = (
                f'write `"${{{{ {expr} }}}}"` for dollars, or the {unit} after the number '
                f"({_unit_example(symbol, expr)}) if you computed units"
            )
        else:
            hint = f"write `$` before the number for dollars, or the {unit} after it if you computed units"
    r.report("GC105", f"`{key}: {written}` {message}: {shown} of the asset, not {dollars}", span_in(spans, rel), hint)
    return r.FAILED


# The fields that hold a number in percent points or basis points, not a ratio: `slippage` (bps) and, in an
# edge mapping of `after:` or the top-level `edges:`, `trigger: {on_price: {offset_pct}}` (percent points).
PERCENT_KEYS = ("slippage", "after", "edges")


def in_field_unit(key: str, value):
    """``value``, the rendered field ``key`` (of a leg, of ``defaults``, or the top-level ``edges``; marks kept),
    with no mark left, and a percent param's ratio placed whole in a field of percent points or basis points read
    as the percentage it is, in that unit: ``slippage: "{{ slip }}"`` with slip 0.25% is 25 bps, ``offset_pct:
    "{{ stop }}"`` with stop -5% is -5 (compile16 1: they were 0.0025 bps and -0.05%, a stop 100 times tighter).

    Spec §6.2: a scalar that is exactly one ``{{ expr }}`` keeps the expression's type, a percent here; §3 reads
    a `0.25%` slippage as 25 bps and §5 `-5%` as ``"offset_pct": -5.0``. A ratio computed from the param is
    still one (``stop * 2`` is -10%), and times 100 or 10000 it is a plain number the field reads in its unit
    (graphc.stages.expressions: ``_percent_of``). A ``fill_ratio`` takes the ratio itself (docs/templates.md)."""
    if key == "slippage":
        return ratio_as("bps", value) if type(value) is PercentRatio else unmarked(value)
    if key in ("after", "edges"):
        return [_edge_in_units(entry) for entry in value] if type(value) is list else _edge_in_units(value)
    return unmarked(value)


def render_in_units(r, key, value, names, spans, rel, where=""):
    """The field ``key`` (one of PERCENT_KEYS; a leg's ``after:`` goes through :func:`_render_after`) rendered and
    read by :func:`in_field_unit`; ``r.FAILED`` after a GC107 for a ``slippage`` whose text ends with a percent
    param's ratio (``"{{ slip }} "``, ``"{{ slip | string }}"``): its bare number is read as bps, 0.0025 bps for
    0.25%, as a ratio written before `bps` would be, which is refused too (docs/templates.md, Percent params).
    Text has no one number to convert (``"1{{ slip }}"``); the whole ``{{ slip }}`` has."""
    rendered = r.render_tree(value, names, spans, rel, where, keep_marks=True)
    if key != "slippage" or type(rendered) is not PercentText:
        return in_field_unit(key, rendered)
    ratio = rendered.ratio
    written = " ".join(value.split()) if isinstance(value, str) else str(rendered)
    written = written if len(written) <= 80 else written[:77] + "..."
    shown, percent, bps = (shown_amount(ratio.scaleb(n)) for n in (0, 2, 4))
    r.report(
        "GC107",
        f"in `{written}`: {shown} is a ratio from percent param `{ratio.name}` ({percent}%) written as text, which "
        f"`slippage` reads as {shown} bps, not {bps}{where}",
        span_in(spans, rel),
        hint=f'write the whole value, `slippage: "{{{{ {ratio.name} }}}}"` ({percent}% is {bps} bps), or the basis '
        f"points, `{{{{ {ratio.name} * 10000 }}}}`",
    )
    return r.FAILED


def _edge_in_units(entry):
    """An edge mapping (or an ``after:`` text) with no mark left, its ``on_price.offset_pct`` in percent points."""
    trigger = entry.get("trigger") if type(entry) is dict else None
    price = trigger.get("on_price") if type(trigger) is dict else None
    if type(price) is dict and type(price.get("offset_pct")) is PercentRatio:
        price = {**price, "offset_pct": ratio_as("%", price["offset_pct"])}
        entry = {**entry, "trigger": {**trigger, "on_price": price}}
    elif type(price) is dict and type(price.get("offset_pct")) is PercentText:
        # text that ends with the ratio (`"{{ stop }} "`): read as percent points it is -0.05 for -5%, as a
        # `slippage` text is 0.0025 bps (render_in_units); the trigger refuses it at the offset (GC107)
        text = price["offset_pct"]
        ratio = text.ratio
        written = " ".join(text.split())
        written = written if len(written) <= 80 else written[:77] + "..."
        shown, percent = shown_amount(ratio), shown_amount(ratio.scaleb(2))
        refused = RatioText(
            str(text),
            f"`offset_pct` is the text {written!r}, where {shown} is a ratio from percent param `{ratio.name}` "
            f"({percent}%), which `offset_pct` reads as {shown} percent points, not {percent}",
            f'write the whole value, `offset_pct: "{{{{ {ratio.name} }}}}"` ({percent}% is {percent} percent points), or '
            f"the points, `{{{{ {ratio.name} * 100 }}}}`",
        )
        price = {**price, "offset_pct": refused}
        entry = {**entry, "trigger": {**trigger, "on_price": price}}
    return unmarked(entry)


def _literal_symbol(symbol) -> str | None:
    return symbol.strip() if isinstance(symbol, str) and symbol.strip() and "{" not in symbol else None


def _unit_word(symbol) -> str:
    literal = _literal_symbol(symbol)
    return "word `shares`" if literal is not None and prediction_venue(literal) else "asset"


def _too_fine(amount: Decimal) -> bool:
    """More digits than any value may have, or more decimals than a wire quantity holds (`qty_1e8` is a whole number of 1e-8: spec §3.2):
    the size must be rounded (review10 5: ``budget / 3``, ``budget / quote('BTC-USD').ask``)."""
    try:
        text = format_decimal(amount)
    except UnitError:
        return True
    return len(text.partition(".")[2]) > 8


def _unit_example(symbol, expr: str, rounded: bool = False) -> str:
    """``{{ expr }} BTC`` (the leg's asset, or ``shares``); ``rounded``: rounded down as a size can hold it, to
    1e-8 of the asset or to whole shares (spec §3.2 rounds a notional's quantity down the same way)."""
    literal = _literal_symbol(symbol)
    shares = literal is not None and prediction_venue(literal)
    if rounded:
        expr = f"{expr} | round({0 if shares else 8}, 'floor')"
    if literal is None:
        return f"e.g. `{{{{ {expr} }}}} BTC`"  # the symbol is itself computed: an example asset
    return f"`{{{{ {expr} }}}} {'shares' if shares else base_asset(literal)}`"


def span_in(spans: dict, rel: tuple):
    """The span of ``rel`` or of its nearest ancestor inside the leg."""
    while rel not in spans and rel:
        rel = rel[:-1]
    return spans.get(rel)


def _swap_subtree(spans: dict, key: str, source: dict, mapping=None) -> dict:
    """A copy of ``spans`` whose ``key`` subtree comes from ``source`` (entries renumbered by ``mapping``)."""
    out = {p: s for p, s in spans.items() if not p or p[0] != key}
    for path, span in source.items():
        if not path or path[0] != key:
            continue
        if mapping is None or len(path) == 1:
            out[path] = span
        else:
            for new_index, old_index in enumerate(mapping):
                if path[1] == old_index:
                    out[(key, new_index) + path[2:]] = span
    return out


# ---------------------------------------------------------------------------
# Legs


def expand_legs(r, scope: Scope, legs: dict, names: dict) -> list[LegOut]:
    """Render and expand one ``legs:`` mapping. ``r`` is the Renderer (rendering + diagnostics)."""
    out = []
    for leg_id, raw in legs.items():
        spans, key_spans = scope.leg_spans(leg_id)
        if not isinstance(raw, dict):  # not a leg at all (the schema reports it), but a leg of the output
            r.count_expansion(1, span_in(key_spans, ()))
            r.count_legs(1, span_in(key_spans, ()))
            out.append(LegOut(leg_id, raw, spans, key_spans))
            continue
        if "for_each" in raw:
            instances = _for_each(r, leg_id, raw, names, spans)
            if not _ids_valid(r, leg_id, instances, spans, key_spans):
                continue
            copies, at = len(instances), span_in(spans, ("for_each",))
        else:  # a leg of a template is a copy `use:` makes; one written in the playbook counts as one
            r.count_expansion(1 if scope.via is None else copy_cost(raw), span_in(key_spans, ()))
            instances = [(leg_id, names, "")]
            copies, at = 1, span_in(spans, ("use",))  # a plain `use:` leg: its template's own fan-out
        if "use" in raw and copies:  # copies x the template's own expansion, known before any copy is made
            at_least = copies * r.templates.floor(scope, raw["use"])
            r.count_expansion(at_least, at, planned=True)
        for new_id, leg_names, where in instances:
            errors = r.error_count
            leg = _render_leg(r, new_id, raw, leg_names, spans, key_spans, where)
            if "use" in raw and r.error_count == errors:
                legs_out = inline_template(r, scope, leg, copy=bool(where))
            else:
                legs_out = [leg]  # with an error reported: no document is made, so its `with:` goes nowhere
            if "use" not in raw:  # inlined template legs were counted when their own file was expanded
                r.count_legs(1, span_in(key_spans, ()))
            out.extend(legs_out)
            if r.error_count > errors and where:
                break  # one error per for_each leg is enough; the rest would repeat it
    return out


def copy_cost(raw: dict) -> int:
    """What one copy of the leg ``raw`` costs the expansion budget: its leaves (each scalar, list entry and mapping
    value, at every level, the ``for_each`` itself not counted), at least one. Counted as written, before any
    rendering, so a copy's literal `after:` list of 5,000 entries costs 5,000 (audit tmpl27 1)."""
    count, stack = 0, [value for key, value in raw.items() if key != "for_each"]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        else:
            count += 1
    return max(1, count)


def _for_each(r, leg_id, raw, names, spans):
    """[(leg id, names with item/index, label for messages)] for the ``for_each`` leg ``raw``, each copy costing
    :func:`copy_cost` to the expansion budget, charged before any copy is made."""
    span = span_in(spans, ("for_each",))
    value = raw["for_each"]
    if isinstance(value, str):  # a percent param's ratio stays marked in the items: `-{{ item }}%` is still refused
        value = r.render_value(value, names, span, keep_marks=True)
        if value is r.FAILED:
            return []
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():  # not '²' (int() refuses)
            value = int(value.strip())
    elif isinstance(value, list):  # spec §6.2: any string scalar may hold `{{ }}`, a literal list's items too
        errors = r.error_count
        value = r.render_tree(value, names, spans, ("for_each",), keep_marks=True)
        if r.error_count > errors:
            return []
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        if value.adjusted() >= 9:  # far over the limit; int(Decimal("1e999999999")) would never finish
            r.report(
                "GC103",
                f"`for_each: {value}` makes more legs than the limit of {MAX_FOR_EACH:,} per leg",
                span,
                hint="split the leg, or use fewer items",
            )
            return []
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, list)):
        r.report(
            "GC103",
            f"`for_each` needs a list or a whole number, not {_kind(value)}",
            span,
            hint='e.g. `for_each: 10`, `for_each: [BTC-USD, ETH-USD]` or `for_each: "{{ symbols }}"`',
        )
        return []
    count = value if isinstance(value, int) else len(value)
    if count < 0:
        r.report("GC103", f"`for_each: {value}` is negative", span)
        return []
    if count > MAX_FOR_EACH:
        r.report(
            "GC103",
            f"`for_each` makes {count:,} legs; the limit is {MAX_FOR_EACH:,} per leg",
            span,
            hint="split the leg, or use fewer items",
        )
        return []
    r.count_expansion(count * copy_cost(raw) if count else 0, span)  # before any copy is made
    items = list(range(value)) if isinstance(value, int) else value
    by_name = bool(items) and all(isinstance(item, str) for item in items)
    instances = []
    for index, item in enumerate(items):
        leg_names = dict(names)
        leg_names["item"] = item
        leg_names["index"] = index
        suffix = item if by_name else index
        instances.append((f"{leg_id}-{suffix}", leg_names, f" (for_each index {index})"))
    return instances


LEG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")  # the schema's `legs` propertyNames (spec §3: leg ids)
LEG_ID_WORDS = "letters, digits, `.`, `_` and `-`, starting with a letter or digit"


def _ids_valid(r, leg_id, instances, spans, key_spans) -> bool:
    """Whether every id a ``for_each`` makes is a leg id; else GC103, once for the leg, at the text that made it.

    Spec §1: a value made by ``for_each`` is reported at the template text. An id the leg's own key already
    breaks is reported at that key; one that only an item breaks, at that item (or at the ``for_each``
    template that listed it). Reported here, the id is not reported again by the schema at the expanded leg.
    """
    if not isinstance(leg_id, str) or not LEG_ID.match(leg_id):
        if instances:
            r.report(
                "GC103",
                f"leg id {leg_id!r} may use {LEG_ID_WORDS}",
                span_in(key_spans, ()),
                hint="rename it, e.g. `eth-hedge`",
            )
        return not instances
    for index, (new_id, names, _) in enumerate(instances):
        if LEG_ID.match(new_id):
            continue
        r.report(
            "GC103",
            f"leg id {new_id!r}, made by `for_each` from the item {names['item']!r}, may use {LEG_ID_WORDS}",
            span_in(spans, ("for_each", index)),
            hint=_numbered_hint(leg_id, [names["item"] for _, names, _ in instances]),
        )
        return False
    return True


_FLOW_PLAIN = re.compile(r"[A-Za-z0-9][^\s,\[\]{}#'\"]*")  # an item a flow list writes bare (rain-london:yes)


def _numbered_hint(leg_id: str, items: list) -> str:
    """GC103's hint for text items that make no leg id (a Polymarket `x:yes`): the same items as mappings, whose
    copies are numbered (`ID-0`, `ID-1`: docs/templates.md), read by their field, so the list is kept; `for_each: N`
    alone would lose it (audit desk21 3)."""

    def flow(item) -> str:
        text = str(item)
        plain = _FLOW_PLAIN.fullmatch(text) and not text.endswith(":") and ": " not in text
        return text if plain else '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    shown = items if len(items) <= 3 else items[:2]  # a long list: its first two, enough to copy the form
    listed = ", ".join(f"{{sym: {flow(item)}}}" for item in shown) + (", ..." if len(shown) < len(items) else "")
    ids = ", ".join(f"{leg_id}-{index}" for index in range(len(shown)))
    ids += f" ... {leg_id}-{len(items) - 1}" if len(shown) < len(items) else ""
    return (
        f"make the items mappings and read their field, which numbers the legs ({ids}): "
        f'`for_each: [{listed}]`, and `"{{{{ item.sym }}}}"` where the leg writes `"{{{{ item }}}}"` '
        f'(`symbol: "{{{{ item.sym }}}}"`); or use items made of those characters'
    )


def _kind(value) -> str:
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return {bool: "a boolean", dict: "a mapping", type(None): "nothing"}.get(type(value), f"the number {value}")


def _side_of(raw: dict) -> str | None:
    """The side a leg gives itself as written (``sell:``, ``buy:``, or a literal ``side:``), or None: none, two, or
    one a template or a `use:` template's legs give."""
    sides = [key for key in ("buy", "sell") if key in raw]
    if raw.get("side") in ("buy", "sell"):
        sides.append(raw["side"])
    return sides[0] if len(set(sides)) == 1 else None


def _render_leg(r, leg_id, raw, names, spans, key_spans, where) -> LegOut:
    fields = {}
    for key, value in raw.items():
        if key == "for_each":
            continue
        if key == "after":
            after, mapping = _render_after(r, value, names, spans, where)
            if after is not None:
                fields["after"] = in_field_unit("after", after)
            if mapping is not None:
                spans = _swap_subtree(spans, "after", spans, mapping)
                key_spans = _swap_subtree(key_spans, "after", key_spans, mapping)
            continue
        if key in SIZE_KEYS:
            size = render_size(r, key, value, names, spans, (key,), where, raw.get("symbol"))
            if size is not r.FAILED:
                fields[key] = size
            continue
        if key in PERCENT_KEYS:  # in percent points or bps: a percent param's ratio is read in that unit
            rendered = render_in_units(r, key, value, names, spans, (key,), where)
            if rendered is not r.FAILED:
                fields[key] = rendered
            continue
        # a `with:` value keeps a percent param's mark and a money amount's: the template's param reads it as the
        # ratio it is, and a `quantity` param refuses dollars without a unit
        fields[key] = r.render_tree(
            value, names, spans, (key,), where, keep_marks=key == "with", live=key == "limit", side=_side_of(raw)
        )
    if "with" in fields and "use" not in fields:
        r.report(
            "GC103",
            "`with:` only applies to a leg with `use:`",
            span_in(key_spans, ("with",)),
            hint="add `use: ./templates/NAME.yaml`, or remove `with:`",
        )
    return LegOut(leg_id, fields, spans, key_spans)


def _render_after(r, value, names, spans, where):
    """(rendered after or None when nothing is left, renumbering of list entries or None); marks kept, for
    :func:`in_field_unit`."""
    if not isinstance(value, list):
        rendered = r.render_tree(value, names, spans, ("after",), where, keep_marks=True)
        if isinstance(rendered, list):
            rendered = [e for e in rendered if not _empty(e)]
        return (None if _empty(rendered) or rendered == [] else rendered), None
    out, sources = [], []
    for i, entry in enumerate(value):
        rendered = r.render_tree(entry, names, spans, ("after", i), where, keep_marks=True)
        pieces = rendered if isinstance(rendered, list) and isinstance(entry, str) else [rendered]
        for piece in pieces:
            if not _empty(piece):
                out.append(piece)
                sources.append(i)
    if not out:
        return None, None
    return out, (None if sources == list(range(len(value))) else sources)


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------------------
# use: templates


def inline_template(r, scope: Scope, leg: LegOut, *, copy: bool = False) -> list[LegOut]:
    """The legs of the template named by ``leg``'s ``use:``, renamed under ``<leg id>.``; ``copy``: ``leg`` is one
    copy a ``for_each`` made, which the template's findings name (they are at the same places in every copy)."""
    use_span = span_in(leg.spans, ("use",))
    template = r.templates.open(scope, leg.fields.get("use"), use_span, leg.id if copy else None)
    if template is None:
        return []
    with_values = leg.fields.get("with") or {}
    if not isinstance(with_values, dict):
        r.report("GC103", "`with:` must be a mapping NAME: value", span_in(leg.spans, ("with",)))
        return []
    params = ParamSet(
        template.doc.data.get("params"),
        lambda p: template.span(("params",) + p),
        lambda p: template.key_span(("params",) + p),
        budget=r.file_budget,
        memo=r.templates.param_memo.setdefault(template.real, {}),
        written_of=lambda p: template.doc.written(("params",) + p),
    )
    supplied = {
        name: Supplied(value, "with:", span_in(leg.spans, ("with", name)), span_in(leg.key_spans, ("with", name)))
        for name, value in with_values.items()
    }
    values = params.resolve(
        supplied,
        missing_span=lambda name: use_span,
        unknown_span=use_span,
        supply_hint=f"pass it in `with:` on leg {leg.id!r}, e.g. " + "`with: {{name}: ...}`",
    )
    for problem in params.problems:
        in_template = problem.span is not None and problem.span.file == template.path
        prefix = "" if in_template else f"template {template.path}: "
        r.report(problem.code, prefix + problem.message, problem.span, hint=problem.hint)
    if params.problems:
        return []
    nested_from = len(r.foreign_references)  # references a template used by this one leaves unresolved
    inner = expand_legs(r, template, template.doc.data["legs"], {**r.base_names, **values})
    _check_side_overrides(r, leg, template, inner)
    local_ids = {c.id for c in inner}
    _check_references_to_user(r, nested_from, local_ids)
    for child in inner:
        _note_foreign_references(r, leg, child, local_ids)
    return [_adopt(leg, child, local_ids) for child in inner]


SIDE_KEYS = ("buy", "sell", "side", "qty")  # the keys that give a leg its side and size, in legs.both_forms' order


def _check_side_overrides(r, leg: LegOut, template: Scope, inner: list[LegOut]) -> None:
    """GC103, once for the ``use:`` leg, at its side or size key when that key, set on every template leg as any
    field on the using leg is (docs/templates.md), gives a template leg its side and size twice: ``buy: 2 ETH``
    over a template with a leg that sells. It was reported at the template's ``sell:`` (the ``buy:`` that caused
    it not shown), and the template's buying legs took the 2 ETH without a word (audit tmpl19 4). Spec §6 says
    nothing of ``use:``; so the override stays the documented one, every leg or none: never a resize of the legs
    of the same side alone. A using leg or template leg that gives both on its own is the model's usual error."""
    over = [key for key in SIDE_KEYS if leg.fields.get(key) is not None]
    if not over or both_forms(over):
        return
    clashes = []  # (template leg, its own key that the override leaves in place)
    for child in inner:
        own = [key for key in SIDE_KEYS if isinstance(child.fields, dict) and child.fields.get(key) is not None]
        if not both_forms(own) and both_forms([key for key in SIDE_KEYS if key in own or key in over]):
            clashes.append((child, next(key for key in own if key not in over)))
    if not clashes:
        return
    key = over[0]
    child, theirs = clashes[0]
    others = len(clashes) - 1
    more = f" ({others} other leg{'s' if others > 1 else ''} too)" if others else ""
    related = []
    for other, their_key in clashes[:3]:
        span = span_in(other.spans, (their_key,))
        where = span.file if span is not None and span.file is not None else template.path
        related.append(Related(where, span, f"leg {other.id!r} gives `{their_key}` here"))
    r.report(
        "GC103",
        f"`{key}: {_shown_value(leg.fields[key])}` on leg {leg.id!r} sets `{key}` on every leg of template "
        f"{template.path}, and its leg {child.id!r} gives `{theirs}`{more}: a leg gives its side and size once",
        span_in(leg.spans, (key,)),
        hint=_side_override_hint(leg, over, template),
        related=tuple(related),
    )


def _side_override_hint(leg: LegOut, over: list[str], template: Scope) -> str:
    size = next((leg.fields[key] for key in ("buy", "sell", "qty") if key in over), None)
    if size is None:
        return f"leave the side to the template's legs (drop `{over[0]}`), or use a template whose legs all take it"
    params = template.doc.data.get("params")
    quantities = [
        name
        for name, definition in (params.items() if isinstance(params, dict) else ())
        if isinstance(definition, dict) and definition.get("type") == "quantity"
    ]
    if not quantities:
        return "give the size through a param of the template in `with:`, or use a template whose legs all take it"
    return (
        f"pass the size to the template's quantity param in `with:` (`with: {{{quantities[0]}: "
        f"{_shown_value(size)}}}`), or use a template whose legs all take it"
    )


def _shown_value(value) -> str:
    """A field's value as a message quotes it: text on one line, a number in plain digits."""
    if isinstance(value, str):
        shown = " ".join(value.split())
        return shown if len(shown) <= 60 else shown[:57] + "..."
    if isinstance(value, Decimal) and not isinstance(value, bool):
        try:
            return format_decimal(value)
        except UnitError:
            return str(value)
    return str(value)


def _note_foreign_references(r, parent: LegOut, child: LegOut, local_ids: set) -> None:
    """Keep, for :func:`check_foreign_references`, each reference of a template leg's ``after:`` to a leg the
    template does not have."""
    after = child.fields.get("after") if isinstance(child.fields, dict) else None
    entries = list(enumerate(after)) if isinstance(after, list) else [(None, after)]
    for i, entry in entries:
        if isinstance(entry, str):
            m = _REFERENCE.match(entry)
            name = m.group(2) if m else None
        else:
            name = entry.get("from") if isinstance(entry, dict) else None
        if isinstance(name, str) and name not in local_ids:
            where = span_in(child.spans, ("after",) if i is None else ("after", i))
            shown = entry if isinstance(entry, str) else f"{name} filled"
            r.foreign_references.append((name, where, child.id, parent.id, sorted(local_ids), shown))


def _check_references_to_user(r, start: int, ids: set) -> None:
    """GC202 for each reference kept since ``start`` (by templates this template uses) that names one of this
    template's legs, ``ids``: a template two levels down naming a leg of the template that uses it is refused as
    one naming the playbook's leg is (:func:`check_foreign_references`); the others wait for the levels above."""
    kept = []
    for reference in r.foreign_references[start:]:
        if reference[0] in ids:
            _report_foreign_reference(r, *reference)
        else:
            kept.append(reference)
    r.foreign_references[start:] = kept


def check_foreign_references(r, legs: list[LegOut]) -> None:
    """GC202 for a template leg's ``after:`` that names a leg of the using playbook rather than of the template.

    docs/templates.md ("`use:` template files"): references between the template's own legs are renamed under
    the prefix, a template sees only what ``with:`` passes, and its root legs take the using leg's ``after:``.
    A name left over would bind to whatever leg of the playbook has it (``spot``), which the template's own lint
    calls unknown; so it is refused, as there (and `compile` writes no graph). A name no leg has is left to the
    graph's own GC202 ("unknown leg", with its suggestions).
    """
    if not r.foreign_references:
        return
    ids = {leg.id for leg in legs}
    for reference in r.foreign_references:
        if reference[0] in ids:
            _report_foreign_reference(r, *reference)


def _report_foreign_reference(r, name, where, child_id, parent_id, own, shown) -> None:
    r.report(
        "GC202",
        f"leg `{child_id}` waits for leg '{name}', which is not a leg of this template",
        where,
        hint=f"a template's `after:` names its own legs ({', '.join(own[:10])}); to wait for a leg of what "
        f"uses it, write `after: {shown}` on the `use:` leg {parent_id!r} (the template's first legs take it)",
    )


def _adopt(parent: LegOut, child: LegOut, local_ids: set) -> LegOut:
    """``child`` (a template leg) as a leg of the using scope: prefixed, after renamed or inherited, overridden."""
    prefix = f"{parent.id}."
    fields = dict(child.fields) if isinstance(child.fields, dict) else child.fields
    spans, key_spans = child.spans, child.key_spans
    if isinstance(fields, dict):
        if fields.get("after") is not None:
            fields["after"] = _rename(fields["after"], local_ids, prefix)
        elif parent.fields.get("after") is not None:
            fields["after"] = parent.fields["after"]
            spans = _swap_subtree(spans, "after", parent.spans)
            key_spans = _swap_subtree(key_spans, "after", parent.key_spans)
        for key, value in parent.fields.items():
            if key not in NOT_INHERITED:
                fields[key] = value
                spans = _swap_subtree(spans, key, parent.spans)
                key_spans = _swap_subtree(key_spans, key, parent.key_spans)
    return LegOut(prefix + child.id, fields, spans, key_spans)


def _rename(after, local_ids, prefix):
    def one(entry):
        if isinstance(entry, str):
            m = _REFERENCE.match(entry)
            if m and m.group(2) in local_ids:
                return entry[: m.start(2)] + prefix + entry[m.start(2) :]
        elif isinstance(entry, dict) and entry.get("from") in local_ids:
            return {**entry, "from": prefix + entry["from"]}
        return entry

    return [one(e) for e in after] if isinstance(after, list) else one(after)


_NO_USE = object()  # a leg of a template with no `use:` (Templates.floor)


class Unresolved(NamedTuple):
    """Why a `use:` names no template file: its GC103 or GC107 (Templates._resolve)."""

    code: str
    message: str
    hint: str | None = None


class Templates:
    """Finds, checks and loads template files, once each; scopes per ``use:`` site."""

    def __init__(self, r, project_root: Path):
        self.r = r
        self.root = project_root
        self.docs: dict[Path, Any] = {}  # resolved path -> Document, or None once reported as broken
        self.param_memo: dict[Path, dict] = {}  # resolved path -> its params' choices, coerced once (ParamSet)
        self.scopes: dict[Any, Scope | None] = {}  # (template, using scope, use: span, for_each copy) -> its scope
        # (file that has the use:, use text) -> the template's path, once it was found; or what was wrong with it
        self.resolved: dict[tuple[Path | None, str] | None, Path] = {}
        self.unresolved: dict[tuple[Path | None, str] | None, Unresolved] = {}
        # (template path, depth) -> the least expanding it costs (see floor); its legs, read once
        self.floors: dict[tuple[Path, int], int] = {}
        self.floor_legs: dict[Path, list[tuple[int, int, Any]]] = {}
        self.floor_targets: dict[tuple[Path, str], Path | None] = {}  # (folder, literal use:) -> its file, or None
        self.floor_steps = 0  # legs looked at by floor, at most MAX_FLOOR_STEPS
        # every `use:` as it is spelt (the folder of the file holding it, joined with its text; symlinks not
        # resolved), found or not -> the path it resolved to then (None: it could not be resolved, or resolved
        # to two): what the lint cache checks, with what was found there (graphc.files.recording), as a link may
        # point elsewhere later
        self.reached: dict[str, str | None] = {}

    def open(self, scope: Scope, use, use_span, copy: str | None = None) -> Scope | None:
        """The template ``use`` names, seen from ``scope`` at ``use_span``; ``copy``: the id of the ``for_each`` copy
        of the using leg, which the note "template used here" of its findings names (audit ci24: every copy's finding
        was the same text, its place and note alike)."""
        site = (scope.real, use) if isinstance(use, str) else None
        # resolved once per file that holds the `use:`, found or not (audit params25 1: a missing template under a
        # fan-out was looked for again by each of the 8,000 paths that reach it)
        known = (self.resolved.get(site) or self.unresolved.get(site)) if site is not None else None
        found = known if known is not None else self._resolve(scope, use)
        if isinstance(found, Unresolved):
            if site is not None:
                self.unresolved[site] = found
            self._report(scope, use_span, found.code, found.message, found.hint)
            return None
        real = found
        if site is not None:
            self.resolved[site] = real
        if real in scope.chain:
            names = [self._shown(p) for p in (*scope.chain[scope.chain.index(real) :], real)]
            self._report(
                scope,
                use_span,
                "GC107",
                "template include cycle: " + " → ".join(names),
                "a template must not use itself, directly or through another template",
            )
            return None
        if len(scope.chain) > MAX_TEMPLATE_DEPTH:
            self._report(scope, use_span, "GC107", f"templates nested more than {MAX_TEMPLATE_DEPTH} deep")
            return None
        # per using scope, not per using file: a template used by a template names, through its `via`, the `use:`
        # the using template was itself reached from (diagnostics.use_chain), which differs between its uses
        key = (real, scope, use_span, copy)
        if key not in self.scopes:
            display = os.path.normpath(os.path.join(os.path.dirname(scope.path), use))
            via = Related(scope.path, use_span, "template used here" + (f" (as leg {copy!r})" if copy else ""))
            doc = self._load(real, display, via)
            self.scopes[key] = None if doc is None else Scope(doc, display, real, via, scope.chain + (real,))
        return self.scopes[key]

    def _shown(self, real: Path) -> str:
        """A template file as a cycle's chain names it: its path in the project (two `h.yaml` in different folders
        are not one file; audit params25 7)."""
        return real.relative_to(self.root).as_posix() if real.is_relative_to(self.root) else str(real)

    def _report(self, scope: Scope, use_span, code: str, message: str, hint: str | None = None) -> None:
        """A `use:` that fails, reported once per (file that holds it, its place): reached through templates that
        each use the next twenty times, one `use:` is reached by thousands of paths (Renderer.report_once)."""
        where = None if use_span is None else (use_span.line, use_span.col, use_span.end_line, use_span.end_col)
        self.r.report_once((scope.real, where, code, message), code, message, use_span, hint)

    def floor(self, scope: Scope, use) -> int:
        """The least one expansion of the template ``use`` names is sure to cost the expansion budget (copies, each
        counted by :func:`copy_cost`).

        Read from the template's text alone: literal ``for_each`` counts, and
        literal ``use:`` paths followed down (an expression counts as zero, so
        this is a lower bound), no deeper than :meth:`open` would nest them
        (MAX_TEMPLATE_DEPTH: a chain of 500 template files is the GC107 of the
        expansion, not 500 frames here), and not into a template :meth:`open`
        would refuse as a cycle. It lets every ``use:`` (and a ``for_each`` of
        copies of one) be refused at once when it must blow the expansion
        budget, instead of after expanding up to the budget: twenty legs that each
        use the next template, eight levels down, are 20^8 (audit params25 1).
        Nothing is reported here: the expansion does.

        At most MAX_FLOOR_STEPS legs are looked at in all (per file): past
        them a template counts as none, which keeps this a lower bound. Within
        templates that use each other (a cycle) a floor depends on the
        templates above it, so it is not kept for another path, and it could
        otherwise be worked out once per path.
        """
        return self._floor(scope.folder, use, list(scope.chain))[0]

    def _floor(self, folder: Path | None, use, chain: list) -> tuple[int, int]:
        """``(floor, lowest)``: :meth:`floor` of ``use`` in a file of ``folder`` reached through the template files
        ``chain`` (the playbook first), and the lowest index of ``chain`` a cycle below it stopped at (``len(chain)``
        when none: the floor does not depend on the templates above it, and is kept)."""
        depth = len(chain)
        if depth > MAX_TEMPLATE_DEPTH or self.floor_steps > MAX_FLOOR_STEPS:
            return 0, depth  # past the depth `open` allows, nothing is expanded
        real = self._floor_target(folder, use)
        if real is None:
            return 0, depth
        if real in chain:  # `open` refuses it: a cycle
            return 0, chain.index(real)
        key = (real, depth)
        if key in self.floors:
            return self.floors[key], depth
        total, lowest = 0, depth
        chain.append(real)
        for copies, cost, inner in self._floor_legs(real):
            self.floor_steps += 1
            if inner is _NO_USE:
                total += copies * cost
                continue
            below, low = self._floor(real.parent, inner, chain) if copies else (0, depth + 1)
            total += copies * (cost + below)
            lowest = min(lowest, low)
        chain.pop()
        if lowest >= depth:  # no cycle through a template above this one: the same from every path
            self.floors[key] = total
        return total, lowest

    def _floor_target(self, folder: Path | None, use) -> Path | None:
        """The template file a literal ``use:`` in ``folder`` names, for :meth:`floor`; None for none (the expansion
        reports it) or an expression. Looked up once per folder and text."""
        if not isinstance(use, str) or folder is None or "{" in use or not use.strip() or _absolute(use):
            return None
        site = (folder, use)
        if site not in self.floor_targets:
            # reached as `_resolve` reaches it, and looked at (stat, read) as the lint cache sees it: what the floor
            # found there decides a refusal, which opens no template (audit cache21 3)
            real = use_target(folder, use, self.root, must_exist=False)
            self._reach(folder / use, real)
            mode, _ = _mode(real) if real is not None else (None, None)
            self.floor_targets[site] = real if real is not None and mode is not None and S_ISREG(mode) else None
        return self.floor_targets[site]

    def _floor_legs(self, real: Path) -> list[tuple[int, int, Any]]:
        """(literal copies, the cost of one (:func:`copy_cost`), ``use:`` value or _NO_USE) of each leg of the
        template ``real``, read once."""
        if real not in self.floor_legs:
            self.floor_legs[real] = []
            try:
                if real.stat().st_size > MAX_TEMPLATE_BYTES:
                    return []
                doc, _ = load_text(read_source(real), str(real))
            except (OSError, UnicodeDecodeError):
                return []
            legs = doc.data.get("legs") if doc is not None and isinstance(doc.data, dict) else None
            if not isinstance(legs, dict):
                return []
            found = []
            for raw in legs.values():
                copies, cost, inner = 1, 1, _NO_USE
                if isinstance(raw, dict):
                    cost = copy_cost(raw)
                    count = raw.get("for_each", 1)
                    copies = len(count) if isinstance(count, list) else count if type(count) is int else 0
                    copies = copies if 0 <= copies <= MAX_FOR_EACH else 0  # over the limit: refused, no copies
                    inner = raw.get("use", _NO_USE)
                found.append((copies, cost, inner))
            self.floor_legs[real] = found
        return self.floor_legs[real]

    def _resolve(self, scope: Scope, use) -> Path | Unresolved:
        """The template file ``use`` names, seen from ``scope``, or why it names none."""
        if not isinstance(use, str) or not use.strip():
            return Unresolved("GC103", "`use:` needs a path to a template file, e.g. ./templates/hedge.yaml", None)
        if "\x00" in use:  # (an escape wrote it: `"./t/a\0.yaml"`) no file name holds one (audit params25 8)
            return Unresolved(
                "GC107",
                f"`use: {use.replace(chr(0), chr(92) + '0')}` holds a NUL byte, which no file name can",
                "write the template's path without the `\\0` escape",
            )
        if _absolute(use):
            return Unresolved(
                "GC107",
                f"`use: {use}`: absolute paths are not allowed",
                "write a path relative to the playbook, e.g. ./templates/hedge.yaml",
            )
        base = scope.folder if scope.folder is not None else Path.cwd()
        try:
            real = (base / use).resolve()
        except RuntimeError:  # Path.resolve's word for a symlink loop (ELOOP): not a way out of the project
            self._reach(base / use, None)
            return Unresolved("GC107", f"`use: {use}` is a symlink loop", "point the symlink at a template file")
        except OSError:
            real = None
        # reached, even when it leads out of the project or loops: a link fixed later changes the result (review12 2)
        self._reach(base / use, real)
        if real is None or not real.is_relative_to(self.root):
            return Unresolved(
                "GC107",
                f"`use: {use}` is outside the project root {self.root}",
                "templates must live inside the project (no `..` or symlinks leading out of it)",
            )
        mode, error = _mode(real)
        if mode is not None and S_ISREG(mode) and str(real) in self.r.options.untracked:
            display = os.path.normpath(os.path.join(os.path.dirname(scope.path), use))
            return Unresolved(
                "GC107",
                f"template file not in the commit: {use} (git does not track it)",
                f"it is on disk, but untracked or taken out of the index (`git rm --cached`): `git add "
                f"{shlex.quote(display)}` puts it in the commit; or stop using it here",
            )
        if mode is not None and S_ISREG(mode):
            missing = _missing_folder(base, use)
            if missing is not None:
                return Unresolved(
                    "GC107", f"template file not found: {use}", f"{missing} (the path is relative to {scope.path})"
                )
            return real
        if mode is not None:  # it exists, but is a folder, a FIFO, a device: say so (reading it could hang)
            return Unresolved(
                "GC107",
                f"`use: {use}` is {file_kind(mode)}, not a template file",
                "a template is a regular YAML file inside the project",
            )
        if error is None or error.errno in (errno.ENOENT, errno.ENOTDIR):
            return Unresolved("GC107", f"template file not found: {use}", f"the path is relative to {scope.path}")
        # a name too long (ENAMETOOLONG), a symlink loop (ELOOP), a folder it may not enter (EACCES)...
        return Unresolved(
            "GC107",
            f"cannot read template `use: {use}`: {error.strerror or error}",
            f"the path is relative to {scope.path}; a template is a regular YAML file inside the project",
        )

    def _reach(self, reached: Path, real: Path | None) -> None:
        """Note that a `use:` reached the path ``reached``, which resolved to ``real`` (see :attr:`reached`)."""
        name, resolved = str(reached), None if real is None else str(real)
        self.reached[name] = resolved if self.reached.get(name, resolved) == resolved else None

    def _load(self, real: Path, display: str, via: Related):
        if real in self.docs:
            return self.docs[real]
        self.docs[real] = None
        report = self.r.report
        here = Scope(None, display, real, via)
        try:
            if real.stat().st_size > MAX_TEMPLATE_BYTES:
                report("GC107", f"template {display} is over {MAX_TEMPLATE_BYTES:,} bytes", via.span)
                return None
            text = read_source(real)
        except UnicodeDecodeError as exc:  # GC112 at the first bad byte, in the template, as for a playbook (spec §8)
            undecodable, _ = unreadable(display, exc)
            report(undecodable.code, undecodable.message, here.wrap(undecodable.span), hint=undecodable.hint)
            return None
        except OSError as exc:
            report("GC107", f"cannot read template {display}: {exc.strerror or exc}", via.span)
            return None
        doc, diagnostics = load_text(text, display)
        for d in diagnostics:
            report(d.code, d.message, here.wrap(d.span) or via.span, hint=d.hint)
        if doc is None:
            return None
        here.doc = doc
        if not self._check(doc, here):
            return None
        self.docs[real] = doc
        return doc

    def _check(self, doc, here: Scope) -> bool:
        return check_template(doc, here, self.r.report)


def check_template(doc, here: Scope, report) -> bool:
    """Is ``doc`` a usable template (``graphc-template: 1``, known keys, a ``legs:`` mapping)? Problems reported."""
    data = doc.data
    fallback = here.via.span if here.via is not None else here.span(())
    if not isinstance(data, dict) or data.get(TEMPLATE_MARKER) != 1:
        hint = "a playbook cannot be used as a template" if isinstance(data, dict) and "graphc" in data else None
        report(
            "GC107",
            f"{here.path} is not a graphc template: it needs `{TEMPLATE_MARKER}: 1` at the top",
            here.span((TEMPLATE_MARKER,)) if isinstance(data, dict) and TEMPLATE_MARKER in data else fallback,
            hint=hint or f"start the file with `{TEMPLATE_MARKER}: 1` and a `legs:` mapping",
        )
        return False
    ok = True
    for key in data:
        if key not in TEMPLATE_KEYS:
            report(
                "GC102",
                f"unknown key {key!r} in template {here.path}{did_you_mean(key, TEMPLATE_KEYS)}",
                here.key_span((key,)),
                hint="template keys: " + ", ".join(TEMPLATE_KEYS),
            )
            ok = False
    legs = data.get("legs")
    if not isinstance(legs, dict) or not legs:
        report(
            "GC104" if legs is None else "GC103",
            f"template {here.path} needs a `legs:` mapping of leg id -> leg",
            here.span(("legs",)) if "legs" in data else fallback,
        )
        ok = False
    return ok


def template_as_playbook(doc):
    """``(playbook Document | None, diagnostics)``: a template file read as the playbook it stands for alone.

    ``graphc-template: 1`` becomes ``graphc: 1`` and a ``name`` is made from
    the file name; params, legs and every position stay as they are, so the
    compiler checks the template's legs with its declared defaults (or the
    values given with ``--params``/``--set``) and every diagnostic points into
    the template file.
    """
    diagnostics = []

    def report(code, message, span, hint=None):
        diagnostics.append(Diagnostic(code, message, doc.path, span, hint=hint))

    if not check_template(doc, Scope(doc, doc.path, None), report):
        return None, diagnostics
    data = {"graphc": 1, "name": template_name(doc.path)}
    data.update((key, value) for key, value in doc.data.items() if key != TEMPLATE_MARKER)
    spans, key_spans = dict(doc.spans), dict(doc.key_spans)
    for table in (spans, key_spans):
        if (TEMPLATE_MARKER,) in table:
            table[("graphc",)] = table.pop((TEMPLATE_MARKER,))
    return Document(doc.path, doc.text, data, spans, key_spans), diagnostics


def template_name(path: str) -> str:
    """A playbook name (``[a-z0-9][a-z0-9._-]*``) from a template's file name."""
    stem = os.path.splitext(os.path.basename(path))[0].lower()
    name = re.sub(r"[^a-z0-9._-]+", "-", stem).lstrip("._-")
    return name or "template"


def use_target(base_dir: Path, use, root: Path, *, must_exist: bool = True) -> Path | None:
    """The file a ``use:`` written in ``base_dir`` names, when it is a file inside ``root``; else None.

    With ``must_exist=False``, also a path inside ``root`` where no file is (a deleted template: --dependants).
    """
    if not isinstance(use, str) or not use.strip() or _absolute(use):
        return None
    try:
        real = (base_dir / use).resolve()
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root):
        return None
    if not must_exist:
        return real
    mode, _ = _mode(real)
    return real if mode is not None and S_ISREG(mode) else None


def _mode(path: Path) -> tuple[int | None, OSError | None]:
    """``(st_mode, None)`` of ``path`` (symlinks followed), or ``(None, the error)``: every OSError, not only the
    ENOENT that ``Path.is_file`` hides (a name over NAME_MAX is ENAMETOOLONG, which it raises; audit cfgsec 2);
    ``(None, None)`` for a name this system cannot hold. What it found is the file's state for the lint cache
    (:func:`graphc.files.stat_source`)."""
    return stat_source(path)


def _missing_folder(base: Path, use: str) -> str | None:
    """Why the path ``use`` as written reaches no file although ``Path.resolve`` finds one, or None: a folder on its
    way that does not exist (``./nonexistent``) with a ``..`` after it, or a file on its way used as a folder
    (``./t/h.yaml/``, ``./t/h.yaml/.``, ``./t/h.yaml/../h.yaml``). ``Path.resolve`` applies ``..``, ``.`` and a
    trailing ``/`` to the text, so each resolved to a template that the system, git and a shell cannot open (ENOENT,
    ENOTDIR; audit params25 8, tmpl27 6): the file is found only if the path as written reaches it."""
    parts = use.split("/")
    at = base
    for i, part in enumerate(parts[:-1]):
        if part in ("", "."):
            continue
        at = at / part
        written = "/".join(parts[: i + 1])
        if part != ".." and ".." in parts[i + 1 :] and not os.path.lexists(at):
            return f"the folder {written} does not exist, and a `..` after it does not undo that"
        if os.path.exists(at) and not os.path.isdir(at):
            return f"{written} is a file, not a folder"
    return None


def _absolute(use: str) -> bool:
    return (
        "\x00" in use
        or PurePosixPath(use).is_absolute()
        or PureWindowsPath(use).is_absolute()
        or bool(PureWindowsPath(use).drive)
        or use.startswith(("~", "\\"))
    )
