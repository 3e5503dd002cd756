"""Sandboxed `{{ ... }}` expressions in playbook strings (spec §6.2).

A playbook from a pull request is compiled in CI, so an expression must not be
able to run code, read files, see the environment, or use unbounded time or
memory. The defence is layered, and each layer is simple on its own:

1. **Static check of the parsed template** (before anything runs): only
   ``{{ }}`` output of a whitelisted set of expression node types; no blocks
   (``{% %}``), so no include/import/extends/set/for/macro; every name must be
   one the caller binds (params, ``now``, ``today``, ``quote``, ``range`` and,
   in a ``for_each``, ``item``/``index``). The template's length, its bracket
   nesting and the depth of its expression tree are bounded here, on Jinja's
   parse tree: no Python parser ever sees a template.
2. **Jinja2's ImmutableSandboxedEnvironment**, further narrowed: attribute
   access is a per-type whitelist (a few string, list, dict and date
   methods; nothing on functions, numbers or other objects), ``str.format`` is
   out of reach, and an unsafe attribute raises at once.
3. **Budgets, enforced in the sandbox's own hooks.** graphc evaluates Jinja's
   parse tree itself (:func:`_build` turns it into closures once per template
   text) and every operator, call, filter, test, attribute and item access goes
   through :class:`PlaybookEnvironment`'s ``call_binop``/``call``/
   ``call_filter``/``call_test``/``getattr``/``getitem``. There each
   evaluation is charged against a :class:`Budget`: a number of work units
   (every node, plus the items and text each filter, call or operator
   touches), and a size limit on every value built (items in all, nested lists
   counted; characters in all; nesting). Operators that can multiply a size
   (``*``, ``+``, ``sum``, ``join``, ``~``) check the size *before* building the
   result. The Renderer adds each evaluation to a per-file total, so a
   ``for_each`` cannot multiply a cheap template into an expensive file.

Numbers stay exact: a float literal is read from its text as an exact
Decimal (never through a binary float; the range and digits of any playbook
number, GC103 past them), ``/`` of two integers gives a Decimal, and a float
that still appears (never from our own filters) is converted through its
shortest repr.

Every failure is raised as :class:`ExpressionError` (code GC107, or GC109 for
a missing quote); the caller turns it into a diagnostic at the scalar. The
limits are listed in docs/robustness.md.
"""

from __future__ import annotations

import decimal
import operator
import re
from contextvars import ContextVar
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2 import filters as jinja_filters
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.lexer import TOKEN_FLOAT, Lexer, Token, float_re, integer_re, name_re, operator_re, string_re
from jinja2.runtime import new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from graphc.limits import limit
from graphc.stages.suggest import listed, suggestion
from graphc.units import (
    MAX_DIGITS,
    MoneyAmount,
    MoneyInt,
    MoneyText,
    PercentRatio,
    PercentText,
    UnitError,
    literal_number,
    money_of,
    parse_number,
    too_many_digits,
)

# -- limits (docs/robustness.md) ---------------------------------------------------------------
MAX_TEMPLATE_CHARS = limit("MAX_TEMPLATE_CHARS", 4_000)  # a template string longer than this is refused before parsing
MAX_NESTING = limit("MAX_NESTING", 50)  # brackets, counted in the text before parsing
MAX_EXPRESSION_DEPTH = limit(
    "MAX_EXPRESSION_DEPTH", 64
)  # levels of the parsed expression tree (`1*1*...*1` is one level per `*`)
MAX_OUTPUT_CHARS = limit(
    "MAX_OUTPUT_CHARS", 100_000
)  # one string built by a template (the same as the loader's scalar limit)
MAX_ITEMS = limit("MAX_ITEMS", 10_000)  # range(), and one list built by repetition; for_each has the same limit
MAX_VALUE_ITEMS = limit("MAX_VALUE_ITEMS", 100_000)  # items in one value, nested lists and mappings counted
MAX_VALUE_CHARS = limit("MAX_VALUE_CHARS", 1_000_000)  # characters in one value, all its strings counted
MAX_VALUE_DEPTH = limit("MAX_VALUE_DEPTH", 100)  # nesting of one value (the loader's nesting limit)
MAX_OPERATIONS = limit("MAX_OPERATIONS", 250_000)  # work units of one evaluation
# work units of all the evaluations of one file: about a second of the heaviest templates (0.5 us a step), and
# more than twice the steps of a 95,000-leg file of distinct templates (docs/robustness.md, "each file")
MAX_FILE_OPERATIONS = limit("MAX_FILE_OPERATIONS", 2_000_000)
MAX_FILE_OUTPUT = limit(
    "MAX_FILE_OUTPUT", 50_000_000
)  # characters and items that all the evaluations of one file produce
MAX_EXPONENT = limit("MAX_EXPONENT", 100)
# a power, and any whole number a template makes or reads: about 1e77; playbook numbers stop at 1e40 (units.MAX_DIGITS)
MAX_POW_BITS = limit("MAX_POW_BITS", 256)
MAX_ROUND_DIGITS = limit("MAX_ROUND_DIGITS", 40)
MAX_NUMBER_DIGITS = limit("MAX_NUMBER_DIGITS", 1_000)  # writing a Decimal with a larger exponent as text is refused
TEXT_CHARS_PER_UNIT = 100  # reading text costs one work unit per this many characters
# What parsing a template text costs the file's steps (graphc.stages.expressions.read_template): about what Jinja's
# lexer and parser and graphc's checks take, at 0.5 µs a step (docs/robustness.md: 100 µs a parse and 2 µs a
# character, measured 2026-12-06; audit tmpl27 3)
PARSE_STEPS = 200
PARSE_STEPS_PER_CHAR = 4

_LIMITS_HINT = "templates run under fixed budgets (docs/robustness.md lists them); simplify the expression"


class ExpressionError(Exception):
    """A template that cannot be evaluated; ``code`` is GC107 unless stated."""

    def __init__(self, message: str, code: str = "GC107", hint: str | None = None):
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


class MissingQuoteField:
    """A field of ``quote(SYMBOL)`` that the quotes snapshot does not have (no ``last``, an empty side).

    Falsy, so a template can fall back (``quote(X).last or quote(X).mid``, ``| default(p, true)``, ``is none``),
    but written into text or a value, or computed with, it is GC109 naming the symbol and the field
    (docs/templates.md), never an empty text that later reads as something else ("cannot read 'USD'")."""

    __slots__ = ("name", "refusal", "symbol")

    def __init__(self, symbol: str, name: str, refusal=None):
        # ``refusal``: the snapshot has the field, but a price no prediction market has (graphc.venues.market_quote)
        self.symbol, self.name, self.refusal = symbol, name, refusal

    def __bool__(self) -> bool:
        return False

    # equal to none, as the field read before (`quote(X).last == none` takes the fallback: review13 1)
    def __eq__(self, other) -> bool:
        return other is None or isinstance(other, MissingQuoteField)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(None)

    def __repr__(self) -> str:
        return f"<no {self.name} for {self.symbol[:80]}>"

    def error(self) -> ExpressionError:
        symbol = self.symbol[:80]
        if self.refusal is not None:  # GC105, as the snapshot's value is reported where a leg trades the market
            return ExpressionError(f"quote {symbol}.{self.refusal.key}: {self.refusal.why}", "GC105", self.refusal.hint)
        return ExpressionError(
            f"the quotes snapshot has no {self.name} for {symbol}",
            "GC109",
            hint=f"add {self.name} for {symbol} to the quotes snapshot (--quotes FILE), use a field it has, or fall "
            f"back: `quote('{symbol}').{self.name} or quote('{symbol}').mid`"
            + (" (mid comes from bid and ask)" if self.name == "mid" else ""),
        )

    def _refuse(self, *_args):
        raise self.error()

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refuse
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refuse
    __pow__ = __rpow__ = __neg__ = __pos__ = __abs__ = __round__ = _refuse
    __lt__ = __le__ = __gt__ = __ge__ = __int__ = __float__ = __str__ = __iter__ = __len__ = _refuse


class QuoteNotGiven(ExpressionError):
    """``quote(SYMBOL)`` with no quote for SYMBOL (GC109); ``graphc bundle`` defers it to run time."""

    def __init__(self, message: str, symbol: str, hint: str | None = None):
        super().__init__(message, "GC109", hint)
        self.symbol = symbol


def stand_in_quote(symbol):
    """``quote()`` for a value read when a bundled strategy runs: every field 1, so the value's form (its unit,
    its words) can be checked here while its number stays unknown."""
    if not isinstance(symbol, str):
        raise ExpressionError("quote() takes a symbol as text, e.g. quote('ETH-USD')")
    return {"bid": Decimal(1), "ask": Decimal(1), "mid": Decimal(1), "last": Decimal(1)}


class LongNumber(ExpressionError):
    """A number a template writes, as its whole value or into its text, with more significant digits than any
    playbook number may have (units.MAX_DIGITS): a division that does not end (``total / n`` with n = 3) gives the
    context's 60. GC106 (spec §8: more precision than the wire scale), at the template; ``number`` is the value
    (marks kept), ``written`` the number as the field reads it (a text writes it normalised), and ``expression``
    the text of the ``{{ }}`` that gave it, when it can be told. :func:`evaluate` says whether the value is
    ``exact`` (no step of its evaluation rounded it) and the ``precision`` it was worked out to. The renderer words
    it for the field (graphc.stages.render: a size, a price, dollars)."""

    def __init__(self, number: Decimal, index: int, written: Decimal | None = None):
        self.number, self.index = number, index
        self.written = number if written is None else written
        self.expression: str | None = None
        self.exact, self.precision = False, decimal.getcontext().prec
        super().__init__(self.words("the number"), "GC106", hint=None)

    def words(self, subject: str) -> str:
        """Why ``subject`` (the expression, in backquotes) cannot be a playbook number: its exact value and digits,
        or, worked out with rounding, that it needs more digits than that; never the rounded value, which the
        expression does not have (audit money20 4a: "`2 - 1e-40 * 1e-30` is 2")."""
        if not self.exact:
            return (
                f"{subject} needs more than {self.precision} significant digits to be worked out exactly; "
                f"a number may have at most {MAX_DIGITS}"
            )
        written = self.written
        text = format(written, "f") if abs(written.adjusted()) <= 2 * MAX_DIGITS else format(written, "E")
        digits = len(written.as_tuple().digits)
        return f"{subject} is {text}, {digits} significant digits; a number may have at most {MAX_DIGITS}"


def _too_long(number: Decimal) -> bool:
    """More significant digits than a playbook number may have, counted as units._checked counts them."""
    return len(str(number)) > MAX_DIGITS and too_many_digits(number)


class BudgetExceeded(ExpressionError):
    """A template went over one of the limits above (GC107, the limit named in the message)."""

    def __init__(self, message: str):
        super().__init__(message, hint=_LIMITS_HINT)


class FileBudgetExceeded(BudgetExceeded):
    """The templates of a file went over one of its totals: raised by the evaluation that crosses it, and by
    every later evaluation of the file, refused before it runs (:attr:`FileBudget.spent`)."""


# ---------------------------------------------------------------------------
# Budgets


class FileBudget:
    """What all the evaluations of one file have used so far (the Renderer keeps one per file).

    ``operations`` counts the steps of every evaluation, failed ones included; ``spent`` is the message of the
    per-file limit once one is crossed, after which :func:`evaluate` refuses every evaluation before it runs.
    """

    __slots__ = ("operations", "output", "parsed", "read", "spent", "suggestions")

    def __init__(self):
        self.operations = 0
        self.output = 0
        self.spent: str | None = None
        self.suggestions = 0  # did-you-mean lookups made for the file (graphc.stages.suggest.suggestion)
        self.read: set[str] = set()  # template texts read for the file (:func:`read_template`)
        self.parsed: set[str] = set()  # what was parsed for them: their shapes, or the texts that have none


class Budget:
    """The work and size limits of one evaluation.

    ``charge`` counts work units; ``measure`` walks a value (iteratively; shared
    sub-values counted every time they appear, as writing the value out would)
    and refuses one that is too large, too deep or too long. Measuring is work
    too, so it is charged; sizes are remembered per object for the evaluation,
    so building a list of lists does not re-walk the inner ones.
    """

    __slots__ = ("_sizes", "consts", "context", "limit", "names", "operations")

    def __init__(self, names: dict, context=None, consts: tuple = (), limit: int | None = None):
        self.names = names
        self.consts = consts  # the template's numbers, when it was built for its shape
        self.context = context
        self.operations = 0  # the steps taken (a charge that would go over the limit is refused, not taken)
        # the steps it may take: MAX_OPERATIONS, or what the file has left when that is less (:func:`evaluate`)
        self.limit = MAX_OPERATIONS if limit is None else limit
        self._sizes: dict = {}  # id -> (object, items, chars, depth); the object keeps the id valid

    def charge(self, units: int) -> None:
        operations = self.operations + units
        if operations > self.limit:
            if self.limit < MAX_OPERATIONS:  # the file's steps run out first
                raise FileBudgetExceeded(_FILE_STEPS.format(MAX_FILE_OPERATIONS))
            raise BudgetExceeded(f"the expression needs more than {MAX_OPERATIONS:,} steps (the per-template limit)")
        self.operations = operations

    def jinja_context(self):
        """A Jinja context over the names, for the filters that take one (map, select, reject)."""
        if self.context is None:
            self.context = make_context(self.names)
        return self.context

    def size(self, value) -> tuple[int, int, int]:
        """(items, characters, depth) of ``value``, within the value limits (else BudgetExceeded).

        Items count every entry at every level (a list of two 3-item lists is 8);
        characters count every string, mapping keys included.
        """
        kind = type(value)
        if kind in _TEXTS:
            return 0, len(value), 0
        if kind is range:
            return len(value), 0, 1
        if kind not in _CONTAINERS:
            return 0, 0, 0
        sizes = self._sizes
        stack = [(value, False)]
        while stack:  # post-order: a container is sized once its children are
            node, children_done = stack.pop()
            if id(node) in sizes:
                continue
            children = list(node.values()) if type(node) is dict else node
            if not children_done:
                stack.append((node, True))
                stack.extend((c, False) for c in children if type(c) in _CONTAINERS and id(c) not in sizes)
                continue
            items, chars, depth = len(node), 0, 0
            if type(node) is dict:
                chars += sum(len(k) for k in node if type(k) in _TEXTS)
            for child in children:
                child_kind = type(child)
                if child_kind in _TEXTS:
                    chars += len(child)
                elif child_kind is range:
                    items += len(child)
                    depth = max(depth, 1)
                elif child_kind in _CONTAINERS:
                    _, c_items, c_chars, c_depth = sizes[id(child)]
                    items, chars, depth = items + c_items, chars + c_chars, max(depth, c_depth)
            depth += 1
            self.charge(1 + len(node))
            self._check(items, chars, depth)
            sizes[id(node)] = (node, items, chars, depth)
        return sizes[id(value)][1:]

    def measure(self, value):
        """``value`` itself, after checking it is within the value limits."""
        _check_whole(value)
        if type(value) in _TEXTS:
            if len(value) > MAX_OUTPUT_CHARS:
                raise BudgetExceeded(
                    f"a string of {len(value):,} characters is over the limit of {MAX_OUTPUT_CHARS:,} characters"
                )
            return value
        if type(value) in _CONTAINERS:
            self.size(value)
        return value

    @staticmethod
    def _check(items: int, chars: int, depth: int = 0) -> None:
        if depth > MAX_VALUE_DEPTH:
            raise BudgetExceeded(f"a value would nest more than {MAX_VALUE_DEPTH} levels deep")
        if items > MAX_VALUE_ITEMS:
            raise BudgetExceeded(f"a value would hold more than {MAX_VALUE_ITEMS:,} items (nested items counted)")
        if chars > MAX_VALUE_CHARS:
            raise BudgetExceeded(f"a value would hold more than {MAX_VALUE_CHARS:,} characters of text")


_CONTAINERS = frozenset({list, tuple, dict})


def _work(value) -> int:
    """Work units to read ``value`` once: one per item, one per TEXT_CHARS_PER_UNIT characters."""
    kind = type(value)
    if kind in _TEXTS:
        return len(value) // TEXT_CHARS_PER_UNIT
    if kind in _CONTAINERS or kind is range:
        return len(value)
    return 0


# The budget of the evaluation running now, for the sandbox's hooks: one per thread (and per asyncio task), so
# evaluations in threads never charge or end each other's (audit api22 F3); an evaluation inside one restores
# the outer's when it ends (:func:`evaluate`).
_RUNNING: ContextVar[Budget | None] = ContextVar("graphc_template_budget", default=None)


def _current() -> Budget:
    budget = _RUNNING.get()
    if budget is None:  # a hook called outside evaluate(): give it a fresh, full budget
        return Budget({})
    return budget


# ---------------------------------------------------------------------------
# Values <-> text


def to_text(value) -> str:
    """How a value is written into text: exact decimals, lower-case booleans, no reprs."""
    if isinstance(value, str):
        return value
    if isinstance(value, Undefined):
        return str(value)  # StrictUndefined raises the undefined-name error here
    if isinstance(value, MissingQuoteField):
        raise value.error()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # Python refuses over 4,300 digits (and names sys.set_int_max_str_digits): say why here
            raise ExpressionError(
                f"a whole number of {value.bit_length():,} bits is too large to write into text",
                hint="numbers have at most 40 significant digits",
            ) from None
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise ExpressionError(
        f"cannot write {_kind_of(type(value).__name__)} into text",
        hint="join a list with `|join(', ')`, or use the whole scalar `{{ ... }}` to keep it a list",
    )


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ExpressionError(f"the result {value} is not a finite number")
    if abs(value.adjusted()) > MAX_NUMBER_DIGITS:
        raise BudgetExceeded(
            f"a number with an exponent of {value.adjusted():,} is too large to write out as text "
            f"(the limit is {MAX_NUMBER_DIGITS:,})"
        )
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def to_plain(value, depth: int = 0, keep_marks: bool = False):
    """A native expression result as playbook data: str, int, Decimal, bool, None, list, dict.

    A percent param's ratio (:class:`PercentRatio`) leaves as a plain Decimal, and a number or text computed from
    a money param (:class:`MoneyAmount`, :class:`MoneyInt`, :class:`MoneyText`) as a plain number or text, unless
    ``keep_marks``: a ``for_each`` list, a ``with:`` value and a size keep them, so the item or the template's
    param is still known as a ratio (audit tmpl2 4/5) or as dollars, and a size written from money without a
    unit is refused (GC105; graphc.stages.expand). Values that reach the wire never keep them."""
    if isinstance(value, Undefined):
        str(value)  # raises
    if isinstance(value, MissingQuoteField):
        raise value.error()
    if isinstance(value, str):
        _check_size(value, "the result")
        if type(value) is str or (keep_marks and type(value) in (MoneyText, PercentText)):
            return value
        return str(value)  # a PercentText or MoneyText leaves as plain text
    if value is None or isinstance(value, bool) or type(value) is int:
        return value
    if isinstance(value, int):
        return value if keep_marks and type(value) is MoneyInt else int(value)
    if isinstance(value, Decimal):
        if type(value) is Decimal or (keep_marks and type(value) in (PercentRatio, MoneyAmount)):
            return value
        return Decimal(value)  # a PercentRatio or MoneyAmount leaves as the plain number
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if depth > MAX_VALUE_DEPTH:
        raise BudgetExceeded(f"the result nests more than {MAX_VALUE_DEPTH} levels deep")
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise BudgetExceeded(f"the result has more than {MAX_ITEMS:,} entries")
        return {to_text(k): to_plain(v, depth + 1, keep_marks) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)) or _is_iterator(value):
        items: list[object] = []
        for item in value:
            if len(items) >= MAX_ITEMS:
                raise BudgetExceeded(f"the result has more than {MAX_ITEMS:,} items")
            items.append(to_plain(item, depth + 1, keep_marks))
        return items
    raise ExpressionError(
        f"the expression gives a {type(value).__name__}, not a value",
        hint="call functions, e.g. `quote('ETH-USD').bid`",
    )


def _is_iterator(value) -> bool:
    return hasattr(value, "__next__") and hasattr(value, "__iter__")


def _check_size(value, what):
    if isinstance(value, str) and len(value) > MAX_OUTPUT_CHARS:
        raise BudgetExceeded(f"{what} would make {len(value):,} characters; the limit is {MAX_OUTPUT_CHARS:,}")


# ---------------------------------------------------------------------------
# Bounded builtins and filters


def safe_range(*args):
    """``range`` that refuses more than MAX_ITEMS items (Jinja's own allows 100,000)."""
    for arg in args:
        if isinstance(arg, bool) or not isinstance(arg, int):
            if isinstance(arg, (str, int, float, Decimal)) and not isinstance(arg, bool):  # its text says it
                raise ExpressionError(f"range() takes whole numbers, not {to_text(arg)!r}")
            # none, a list, a mapping...: named in words, as abs() and round() do (audit review28 8)
            raise ExpressionError(f"range() takes whole numbers, not {_kind_of(type(arg).__name__)}")
    rng = range(*args)
    if len(rng) > MAX_ITEMS:
        raise BudgetExceeded(f"range() of {len(rng):,} items is over the limit of {MAX_ITEMS:,} items")
    return rng


def _join(value, d="", attribute=None):
    budget = _current()
    pieces = []
    size = 0
    d = to_text(d)
    money = money_of(d)
    for x in value:
        item = ENV.getitem(x, attribute) if attribute is not None else x
        money = _last_money(item, money)
        piece = to_text(item)
        size += len(piece) + (len(d) if pieces else 0)
        if size > MAX_OUTPUT_CHARS:
            raise BudgetExceeded(f"join would make more than {MAX_OUTPUT_CHARS:,} characters (the text limit)")
        pieces.append(piece)
    budget.charge(len(pieces) + size // TEXT_CHARS_PER_UNIT)
    return _marked(d.join(pieces), money)  # `{{ [budget / 2] | join }}` is still money without a unit


def _concat(pieces) -> str:
    """``a ~ b ~ c``: the texts joined, the size checked before joining (and a percent ratio never joined to a
    `%` or `bps` after it: ``{{ stop ~ '%' }}`` is ``{{ stop }}%``). A ratio that ends the text keeps its mark
    (:class:`PercentText`), so ``{{ stop ~ '' }}%`` is caught too."""
    texts = [to_text(piece) for piece in pieces]
    size = sum(map(len, texts))
    if size > MAX_OUTPUT_CHARS:
        raise BudgetExceeded(f"`~` would make {size:,} characters; the limit is {MAX_OUTPUT_CHARS:,}")
    text = "".join(texts)
    ratios: list[tuple[PercentRatio, int]] = []
    start = 0
    for piece, piece_text in zip(pieces, texts, strict=True):
        ratios.extend((ratio, start + end) for ratio, end in _ratios_in(piece, piece_text))
        start += len(piece_text)
    text = _checked_ratios(text, ratios)
    return text if type(text) is PercentText else _money_text(text, *pieces)


def _ratios_in(value, text: str) -> list[tuple[PercentRatio, int]]:
    """The percent ratios ``value`` (written as ``text``) ends with, each with where its text ends."""
    if type(value) is PercentRatio:
        return [(value, len(text))]
    if type(value) is PercentText:
        return [(value.ratio, len(text))]
    return []


def _checked_ratios(text: str, ratios) -> str:
    """``text``, after refusing any ratio in it followed by `%` or `bps`; a :class:`PercentText` when a ratio
    ends it, spaces aside (what comes next is not known yet)."""
    for ratio, end in ratios:
        _percent_written_as_unit(ratio, text, end)
    tail = len(text.rstrip())  # spaces after it change nothing: `{{ stop ~ ' ' }}%` reads `0.05 %`, as `0.05%`
    last = next((ratio for ratio, end in reversed(ratios) if end >= tail), None)
    return PercentText(text, last) if last is not None else text


def _string(value) -> str:
    """Jinja's ``string``: the text of a value (:func:`to_text`); a percent ratio's or a money amount's text keeps
    the mark."""
    text = to_text(value)
    return PercentText(text, value) if type(value) is PercentRatio else _money_text(text, value)


_TEXTS = frozenset({str, PercentText, MoneyText})  # text, marked or not (sizes and work are counted alike)


def _last_money(value, money):
    """``value``'s money mark, else ``money`` (a mark may be zero, so never ``or``)."""
    mark = money_of(value)
    return money if mark is None else mark


def _money_text(text: str, *sources):
    """``text`` marked as :class:`MoneyText` when any of ``sources`` (what it was made from) carries money."""
    money = None
    for source in sources:
        money = _last_money(source, money)
    return text if money is None or type(text) is MoneyText else MoneyText(text, money)


def _marked(result, money: MoneyAmount | MoneyInt | None, degree: Fraction | None = None):
    """``result`` (a number or text computed from ``money``) with its mark (of ``degree``, else ``money``'s);
    anything else as it is."""
    if money is None or type(result) in (MoneyAmount, MoneyInt, MoneyText):
        return result
    name, origin = money.name, money.origin
    degree = money.degree if degree is None else degree
    if isinstance(result, bool):
        return result
    if isinstance(result, int):
        return MoneyInt(result, name, origin, degree)
    if isinstance(result, Decimal):
        return MoneyAmount(result, name, origin, degree)
    if isinstance(result, str) and type(result) is not PercentText:
        if degree != money.degree:
            money = MoneyAmount(Decimal(money), name, origin, degree)
        return MoneyText(result, money)
    return result


def _marked_items(result, money: MoneyAmount | MoneyInt | None):
    """:func:`_marked`, and a list's items each marked (``list``, ``map``, ``reverse`` of text made from money:
    its characters are still that text, review10 3)."""
    if money is None:
        return result
    if type(result) is list:
        return [_marked(item, money) for item in result]
    return _marked(result, money)


def _money_in(*values) -> MoneyAmount | MoneyInt | None:
    """The first money mark any of ``values`` carries, looking one level into lists and tuples
    (``[budget | string] | map('title')``, ``range(budget | int)``)."""
    for value in values:
        money = money_of(value)
        if money is None and type(value) in (list, tuple):
            money = next((mark for mark in map(money_of, value) if mark is not None), None)
        if money is not None:
            return money
    return None


def _sum(value, attribute=None, start=0):
    """Jinja's ``sum`` without its quadratic list concatenation: lists are extended, sizes checked as they grow."""
    budget = _current()
    if attribute is not None:
        value = [ENV.getitem(item, attribute) for item in value]
    if isinstance(start, (list, tuple)):
        items = budget.size(start)[0]
        out = list(start)  # extended below: never measured itself, its size is the running count
        for item in value:
            if not isinstance(item, (list, tuple)):
                raise ExpressionError(f"sum() with a list start can only add lists, not {type(item).__name__}")
            items += budget.size(item)[0]
            if items > MAX_VALUE_ITEMS:
                raise BudgetExceeded(f"sum() would make a list of more than {MAX_VALUE_ITEMS:,} items (nested counted)")
            out.extend(item)
            budget.charge(1 + len(item))
        return out
    total = start
    for item in value:
        budget.charge(1)
        total = ENV.call_binop(None, "+", total, item)
    return total


def _round(value, precision=0, method="common"):
    if isinstance(precision, bool) or not isinstance(precision, int) or abs(precision) > MAX_ROUND_DIGITS:
        raise ExpressionError(f"round() precision must be a whole number up to {MAX_ROUND_DIGITS}")
    modes = {"common": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING}
    if method not in modes:
        raise ExpressionError("round() method must be common, floor or ceil")
    number = _number(value, "round()")
    try:
        result = number.quantize(Decimal(1).scaleb(-precision), rounding=modes[method])
    except decimal.InvalidOperation:  # (`1e40 | round(40)`: 81 digits) not "a number that is not finite"
        if not number.is_finite():
            raise
        raise ExpressionError(f"round({precision}) of {to_text(number)}: {_too_many_digits()}") from None
    return int(result) if precision <= 0 and isinstance(value, int) else result


_NO_DEFAULT = object()


def _int(value, default=_NO_DEFAULT):
    """``x|int``: a number or numeric text as a whole number (rounded toward zero). What it cannot read is GC107
    (audit tmpl27 2: `'2O'|int` was 0, silently), unless the template gives ``default=`` for it; a budget's GC107 is
    never a fallback."""
    try:
        if isinstance(value, str):
            value = parse_number(value)
        return int(_number(value, "int"))
    except BudgetExceeded:
        raise
    except Exception:
        if default is not _NO_DEFAULT:
            return default
        shown = value if isinstance(value, str) else to_text(value) if _is_number(value) else None
        if shown is None:
            raise ExpressionError(f"int needs a number or numeric text, not {_kind_of(type(value).__name__)}") from None
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise ExpressionError(
            f"cannot read {shown!r} as a whole number",
            hint="write digits (`'20' | int`); `| int(default=0)` gives 0 for text that is not a number",
        ) from None


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ExpressionError(f"{what} needs a number, not {_kind_of(type(value).__name__)}")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value) if isinstance(value, int) else value


def _decimal(value):
    """``'0.1'|decimal``: numeric text (or a number) as an exact Decimal."""
    if isinstance(value, bool):
        raise ExpressionError("decimal needs a number or numeric text")
    if isinstance(value, str):
        try:
            return parse_number(value)
        except UnitError as exc:
            raise ExpressionError(exc.message) from None
    return _number(value, "decimal")


def _list(value):
    return _counted_list(_current(), value, "list()")


def _counted_list(budget: Budget, value, what: str) -> list:
    """The items of ``value`` as a new list, refused past MAX_VALUE_ITEMS, one step charged per item."""
    items: list[object] = []
    for item in value:
        if len(items) >= MAX_VALUE_ITEMS:
            raise BudgetExceeded(f"{what} would make more than {MAX_VALUE_ITEMS:,} items")
        items.append(item)
    budget.charge(len(items))
    return items


_JINJA_FILTERS = (
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "first",
    "last",
    "length",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "reverse",
    "select",
    "sort",
    "title",
    "trim",
    "unique",
    "upper",
)
FILTERS = {name: jinja_filters.FILTERS[name] for name in _JINJA_FILTERS}
FILTERS.update(
    {"join": _join, "round": _round, "int": _int, "string": _string, "decimal": _decimal, "list": _list, "sum": _sum}
)


# ---------------------------------------------------------------------------
# The environment


_DATE_ATTRS = {"year", "month", "day", "weekday", "isoweekday", "isocalendar", "isoformat"}
_SAFE_ATTRIBUTES = (  # (type, allowed attributes); first isinstance match wins
    (
        str,
        {
            "upper",
            "lower",
            "strip",
            "lstrip",
            "rstrip",
            "startswith",
            "endswith",
            "split",
            "rsplit",
            "title",
            "capitalize",
            "casefold",
            "isdigit",
            "isalpha",
            "isalnum",
            "isupper",
            "islower",
            "removeprefix",
            "removesuffix",
            "find",
            "count",
        },
    ),
    (datetime, _DATE_ATTRS | {"hour", "minute", "second", "date"}),
    (date, _DATE_ATTRS),
    (type(date(2026, 1, 5).isocalendar()), {"year", "week", "weekday", "index", "count"}),
    (dict, {"keys", "values", "items", "get"}),
    ((list, tuple), {"index", "count"}),
)


def _float_literal(text: str) -> Decimal:
    """A float literal of a template (``2500000000.12345678``, ``1e3``) as the exact Decimal of its text.

    Spec §1/§3.2: numbers are exact decimals read from their source text, never a binary float; the range
    and digits are those of a number written outside a template (GC103 past them, never Infinity).
    """
    try:
        return literal_number(text)
    except UnitError as exc:
        raise ExpressionError(f"the number {exc.message}", code=exc.code, hint=exc.hint) from None


# Spec §6.2: only `{{ }}` expressions; a block (`{% if %}`, `{% raw %}`, any other) or a comment is refused where the
# lexer meets it, before any parse (audit tmpl27 5: `{% raw %}` and `{# #}` left only text, so nothing refused them)
_REFUSED_TOKENS = frozenset({"block_begin", "raw_begin", "comment_begin"})


def _no_blocks(name: str) -> ExpressionError:
    return ExpressionError(
        f"blocks `{{% {name} %}}` are not available in playbook templates",
        hint="use an inline condition: `{{ a if cond else b }}`",
    )


class _ExactLexer(Lexer):
    """Jinja's lexer, except that a float token's value is the exact Decimal of its text (Jinja's own
    reads it with ``literal_eval``, a binary float). Every other token is Jinja's."""

    def wrap(self, stream, name=None, filename=None):
        jinja_wrap = super().wrap
        block = False  # a `{%` was read: its name comes next
        for lineno, token, value in stream:
            if block and token != "whitespace":
                raise _no_blocks(value if token == "name" else "…")
            if token in _REFUSED_TOKENS:  # before Jinja drops it (a comment) or reads it (`raw` leaves only text)
                if token == "comment_begin":
                    raise ExpressionError(
                        "comments `{# … #}` are not available in playbook templates",
                        hint="write the comment as a YAML comment (`# …`) after the value",
                    )
                if token == "raw_begin":
                    raise _no_blocks("raw")
                block = True
                continue
            if token == TOKEN_FLOAT:
                yield Token(lineno, TOKEN_FLOAT, _float_literal(value))
            else:
                yield from jinja_wrap(((lineno, token, value),), name, filename)
        if block:  # `{%` and nothing after it
            raise _no_blocks("…")


class PlaybookEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with graphc's narrower attribute whitelist, bounded operators and budgets in its hooks.

    Nothing compiles a template to Python (graphc evaluates the parse tree itself: :func:`_build`), so every
    operator reaches :meth:`call_binop` without Jinja's ``intercepted_binops``, which only its compiled code reads.
    """

    @property
    def lexer(self) -> Lexer:
        """The lexer that reads number literals exactly (one per environment; the settings never change)."""
        lexer = self.__dict__.get("_exact_lexer")
        if lexer is None:
            lexer = self.__dict__["_exact_lexer"] = _ExactLexer(self)
        return lexer

    def is_safe_attribute(self, obj, attr, value):
        if not super().is_safe_attribute(obj, attr, value):
            return False
        for kind, allowed in _SAFE_ATTRIBUTES:
            if isinstance(obj, kind):
                return attr in allowed
        return False

    def wrap_str_format(self, value):
        return None  # `format`/`format_map` are not whitelisted, so they stay unreachable

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(f"access to attribute {attribute!r} of {_kind_of(type(obj).__name__)} is not allowed")

    # -- the hooks every operation goes through; each charges the running budget -------------------

    def call_binop(self, context, op, left, right):
        budget = _current()
        _check_whole(left)  # a whole number read from a for_each list or a with: value (`'a' * n`, `2 ** n`)
        _check_whole(right)
        if _is_number(left) and _is_number(right):
            return self._arithmetic(op, left, right)
        if isinstance(left, bool | int | float | Decimal) and isinstance(right, bool | int | float | Decimal):
            # true/false in arithmetic: Python's own `True / 3` is a binary float; a flag is not a number here
            raise ExpressionError(
                f"`{op}` cannot combine {_operand(left)} and {_operand(right)}",
                hint="true and false are not numbers; write `(1 if flag else 0)` for a count",
            )
        if op == "%":
            raise ExpressionError(
                "`%` is arithmetic only; printf-style formatting is not available",
                hint="join text with `~`, e.g. `'rung-' ~ index`",
            )
        if op == "*":
            self._check_repeat(budget, left, right)
        elif op == "+":
            self._check_concat(budget, left, right)
        try:
            result = self.binop_table[op](left, right)
        except TypeError:  # Python's own words ("can't multiply sequence by non-int") name no playbook thing
            raise ExpressionError(
                f"`{op}` cannot combine {_operand(left)} and {_operand(right)}",
                hint="quantity and price params are text (their unit is part of the value); use a `number` or "
                "`money` param for arithmetic, and `~` to join text",
            ) from None
        if type(result) is str:  # `(budget | string) + ''`
            result = _money_text(result, left, right)
        return budget.measure(result)

    @staticmethod
    def _check_repeat(budget: Budget, left, right):
        """``seq * n``: the result's size predicted from ``seq``'s before anything is built."""
        seq, times = (left, right) if isinstance(right, int) else (right, left)
        if not isinstance(seq, (str, list, tuple)) or not isinstance(times, int) or isinstance(times, bool):
            return
        times = max(times, 0)
        if isinstance(seq, str):
            if len(seq) * times > MAX_OUTPUT_CHARS:
                raise BudgetExceeded(
                    f"repeating would make {len(seq) * times:,} characters; the limit is {MAX_OUTPUT_CHARS:,}"
                )
            budget.charge(len(seq) * times // TEXT_CHARS_PER_UNIT)
            return
        if len(seq) * times > MAX_ITEMS:
            raise BudgetExceeded(
                f"repeating would make a list of {len(seq) * times:,} items; the limit is {MAX_ITEMS:,}"
            )
        items, chars, _ = budget.size(seq)
        if (items * times > MAX_VALUE_ITEMS) or (chars * times > MAX_VALUE_CHARS):
            raise BudgetExceeded(
                f"repeating would make a value of {items * times:,} items and {chars * times:,} characters in all; "
                f"the limits are {MAX_VALUE_ITEMS:,} items and {MAX_VALUE_CHARS:,} characters"
            )
        budget.charge(len(seq) * times)

    @staticmethod
    def _check_concat(budget: Budget, left, right):
        if isinstance(left, str) and isinstance(right, str):
            if len(left) + len(right) > MAX_OUTPUT_CHARS:
                raise BudgetExceeded(
                    f"`+` would make {len(left) + len(right):,} characters; the limit is {MAX_OUTPUT_CHARS:,}"
                )
        elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
            (li, lc, _), (ri, rc, _) = budget.size(left), budget.size(right)
            if li + ri > MAX_VALUE_ITEMS or lc + rc > MAX_VALUE_CHARS:
                raise BudgetExceeded(
                    f"`+` would make a value of more than {MAX_VALUE_ITEMS:,} items in all"
                    if li + ri > MAX_VALUE_ITEMS
                    else f"`+` would make a value of more than {MAX_VALUE_CHARS:,} characters of text in all"
                )
            budget.charge(len(left) + len(right))

    def _arithmetic(self, op, left, right):
        money_in = (money_of(left), money_of(right))  # before `int / int` becomes a plain Decimal
        if isinstance(left, float):
            left = Decimal(repr(left))
        if isinstance(right, float):
            right = Decimal(repr(right))
        if op == "**":
            _check_pow(left, right)
        if isinstance(left, int) and isinstance(right, int) and (op == "/" or (op == "**" and right < 0)):
            left = Decimal(left)  # exact decimals, never a binary float (`1 / 3`, `2 ** -30`)
        # `*`, `+` and `-` grow a whole number with no limit of their own (`**` is checked before it runs)
        floored = op in ("//", "%") and (isinstance(left, Decimal) or isinstance(right, Decimal))
        result = _check_whole(_floored(op, left, right) if floored else _OPS[op](left, right))
        if isinstance(result, Decimal) and not result.is_finite():  # `0 ** -1` is Infinity, no signal raised
            raise ExpressionError(
                "0 raised to a negative power (a division by zero)" if op == "**" else "division by zero"
            )
        found = _money_of(op, money_in[0], money_in[1], right)
        if found is not None:  # dollars scaled are dollars, a ratio of them or not (`budget * cut`)
            return _marked(result, *found)
        percent = _percent_of(op, left, right)
        return PercentRatio(result, percent.name) if percent is not None else result

    def call_unop(self, context, op, arg):
        result = _check_whole(-arg if op == "-" else +arg)
        if type(arg) is PercentRatio:
            return PercentRatio(result, arg.name)  # `{{ -stop }}%` is caught
        return _marked(result, money_of(arg))  # `sell: "{{ -budget }}"` is still dollars

    def call(__self, __context, __obj, *args, **kwargs):
        budget = _current()
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        budget.charge(1 + sum(map(_work, args)) + sum(map(_work, kwargs.values())))
        owner = getattr(__obj, "__self__", None)
        if owner is not None:  # a bound method reads its object (`s.split()`)
            budget.charge(_work(owner))
        result = _materialize(budget, __obj(*args, **kwargs))
        money = _money_in(owner, *args, *kwargs.values())
        if money is not None:  # `(budget | string).strip()`, `.split('.')`: text still made from the dollars
            if type(result) is range:  # `range(budget | int)`: its numbers are counted from the dollars
                result = _counted_list(budget, result, "range()")
            result = _marked_items(result, money)
        return budget.measure(result)

    def call_filter(self, name, value, args=None, kwargs=None, context=None, eval_ctx=None):
        if not isinstance(name, str) or name not in self.filters:  # `map('center')`: not Jinja's "No filter named"
            raise _no_such("filter", name)
        budget = _current()
        budget.charge(1 + _work(value) + sum(map(_work, args or ())))
        if context is None:
            context = budget.jinja_context()
        if isinstance(value, MissingQuoteField):  # `| default(p)` falls back; any other filter is GC109
            if name not in ("default", "d"):
                raise value.error()
            value = self.undefined(name=value.name)
        result = super().call_filter(name, value, args, kwargs, context, eval_ctx)
        if type(value) is PercentRatio and name in _RATIO_FILTERS and isinstance(result, Decimal):
            result = PercentRatio(result, value.name)  # `{{ stop | round(4) }}%` is still a ratio before `%`
        elif type(value) in (PercentRatio, PercentText) and name in _RATIO_TEXT_FILTERS and type(result) is str:
            # `{{ stop | trim }}%`, `{{ stop | string | upper }}%`: the text still ends with the ratio
            result = PercentText(result, value if type(value) is PercentRatio else value.ratio)
        result = _materialize(budget, result)
        if type(result) not in (PercentRatio, PercentText):
            # any filter of the dollars, or with them (`{{ budget | round(2) }}`, `| string | title`, `| list`,
            # `| map('upper') | join`): a number or text it gives is still the dollars, a list's items too
            result = _marked_items(result, _money_in(value, *(args or ()), *(kwargs or {}).values()))
        return budget.measure(result)

    def call_test(self, name, value, args=None, kwargs=None, context=None, eval_ctx=None):
        if not isinstance(name, str) or name not in self.tests:  # `select('nope')`
            raise _no_such("test", name)
        budget = _current()
        budget.charge(1 + _work(value) + sum(map(_work, args or ())))
        if context is None:
            context = budget.jinja_context()
        return super().call_test(name, value, args, kwargs, context, eval_ctx)

    def getattr(self, obj, attribute):
        _current().charge(1)
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        budget = _current()
        if isinstance(argument, slice):
            budget.charge(1 + _work(obj))
            return budget.measure(_text_of(obj, super().getitem(obj, argument)))
        budget.charge(1)
        return _text_of(obj, super().getitem(obj, _check_whole(argument)))


_RATIO_FILTERS = frozenset({"round", "abs", "default", "d"})  # a percent ratio through these is still the ratio
_RATIO_TEXT_FILTERS = frozenset({"string", "trim", "upper", "lower", "default", "d"})  # text still ending in it
_TO_POINTS = (Decimal(100), Decimal(10_000))  # `stop * 100` (percent points), `stop * 10000` (bps): not a ratio


def _percent_of(op: str, left, right) -> PercentRatio | None:
    """The percent param a result of ``left op right`` is still a ratio of, else None.

    A ratio scaled, shifted or split is a ratio (``(index + 1) * step``, ``stop / 2``, ``stop + 0.01``: a
    ladder rung ``{{ (index + 1) * step }}%`` would be 100 times too small too); times 100 or 10000 it is
    percent or basis points (the documented ``{{ stop * 100 }}%``); a ratio of two ratios, or anything else, is
    a plain number."""
    left_pct, right_pct = type(left) is PercentRatio, type(right) is PercentRatio
    if left_pct == right_pct:
        return None
    percent, other = (left, right) if left_pct else (right, left)
    if op in ("+", "-") or (op == "/" and left_pct):
        return percent
    if op == "*" and other not in _TO_POINTS:
        return percent
    return None


def _text_of(obj, part):
    """``part`` of ``obj`` (an item or slice of it): marked when ``obj`` is text made from money."""
    return MoneyText(part, obj.money) if type(obj) is MoneyText and type(part) is str else part


def _money_of(op: str, left, right, exponent=None) -> tuple[MoneyAmount | MoneyInt, Fraction] | None:
    """The money mark a result of ``left op right`` (the operands' marks; ``exponent``, the right operand) keeps,
    with its degree (the power of dollars it is), else None.

    Anything computed from a money param is still money (``budget / 2``, ``budget * cut``, ``100 + budget``):
    graphc cannot tell dollars from units (``budget / quote('BTC-USD').ask`` is BTC), so a size made from it must
    say its unit. Degrees add in ``*``, subtract in ``/`` and ``//``, multiply by a plain exponent in ``**``; ``+``,
    ``-`` and ``%`` keep them. Degree 0 is a plain number: a ratio of two amounts (``part / total``,
    ``budget // step``), but not ``budget * budget / total``, which is dollars again (review10 4)."""
    if left is None and right is None:
        return None
    ld = Fraction(0) if left is None else left.degree
    rd = Fraction(0) if right is None else right.degree
    if op == "*":
        degree = ld + rd
    elif op in ("/", "//"):
        degree = ld - rd
    elif op == "**" and right is None:
        try:
            degree = ld * Fraction(exponent)
        except (TypeError, ValueError, ArithmeticError):  # pragma: no cover - the power itself refuses these
            degree = ld
    else:
        degree = ld or rd
    if degree == 0:
        return None
    return (left if left is not None else right), degree


def _operand(value) -> str:
    """An operand as a message names it: ``text '2000'``, ``a number``, ``a list``."""
    if isinstance(value, str):
        return f"text {_short(repr(value))}"
    if isinstance(value, bool) or value is None:
        return repr(value).lower() if value is not None else "none"  # `true / 3`: the value says it best
    return _kind_of(type(value).__name__)


_OPS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "**": operator.pow,
    "%": operator.mod,
}


def _floored(op: str, left, right) -> Decimal:
    """``left // right`` or ``left % right`` with a Decimal among them, as Python's numbers give them (its ints,
    its floats, Jinja's): ``//`` floors, and ``%`` has the sign of the divisor (``-7.5 // 2`` is -4, ``-7.5 % 2``
    is 0.5). Decimal's own truncate toward zero and give the dividend's sign (-3 and -1.5), so one expression
    would round either way as a ``.`` is written or not (audit money20 3). Exact: the quotient is a whole number
    (Decimal refuses one beyond the context's digits, DivisionImpossible, as before) and the remainder what is
    left of ``left``."""
    quotient, remainder = divmod(left, right)  # zero, or too many digits: the context's traps, as for `/`
    if remainder and (remainder < 0) != (right < 0):  # truncated the other way: one step down, the rest moved over
        quotient, remainder = quotient - 1, remainder + right
    return quotient if op == "//" else remainder


def _materialize(budget: Budget, value):
    """A generator result (``map``, ``select``, ``unique``, ...) as a list, counted item by item."""
    if type(value) in _CONTAINERS or type(value) in (str, int, bool, Decimal, range) or value is None:
        return value
    if not _is_iterator(value):
        return value
    return _counted_list(budget, value, "a sequence")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _check_whole(value):
    """``value`` itself, after checking that a whole number is within MAX_POW_BITS (the size of any power).

    Python's ints have no size limit of their own, and the first ``str()`` of one past 4,300 digits raises, so a
    product of powers (``2**99 * 2**99 * ...``) must stop here, at the template, as a power does."""
    if isinstance(value, int) and value.bit_length() > MAX_POW_BITS:
        raise BudgetExceeded(
            f"a whole number of {value.bit_length():,} bits is over the limit of {MAX_POW_BITS:,} bits "
            f"(about 1e{int(MAX_POW_BITS * _LOG10_2)}) for any number a template makes"
        )
    return value


_LOG10_2 = 0.30103


def _check_pow(base, exponent):
    if isinstance(exponent, Decimal) and exponent == exponent.to_integral_value():
        exponent = int(exponent)
    if isinstance(exponent, int):
        if abs(exponent) > MAX_EXPONENT:
            raise BudgetExceeded(f"exponent {exponent} is over the limit of {MAX_EXPONENT}")
        if isinstance(base, int) and base.bit_length() * abs(exponent) > MAX_POW_BITS:
            raise BudgetExceeded(f"the power is too large (over {MAX_POW_BITS} bits)")
        if (
            isinstance(base, Decimal)
            and base.is_finite()
            and base
            and (abs(base.adjusted()) + 1) * abs(exponent) > MAX_POW_BITS // 3
        ):
            raise BudgetExceeded(f"the power is too large (over {MAX_POW_BITS // 3} digits)")
    elif abs(exponent) > MAX_EXPONENT:
        raise BudgetExceeded(f"exponent {exponent} is over the limit of {MAX_EXPONENT}")


ENV = PlaybookEnvironment(
    undefined=StrictUndefined,
    autoescape=False,
    finalize=to_text,
    keep_trailing_newline=True,
    cache_size=0,
    auto_reload=False,
)
ENV.globals.clear()  # range, dict, lipsum, cycler, joiner, namespace: gone; callers bind names
ENV.filters = dict(FILTERS)
# a quote field the snapshot does not have is none to a template that tests for it (MissingQuoteField)
ENV.tests["none"] = lambda value: value is None or isinstance(value, MissingQuoteField)
ENV.tests["defined"] = lambda value: not isinstance(value, (Undefined, MissingQuoteField))
ENV.tests["undefined"] = lambda value: isinstance(value, (Undefined, MissingQuoteField))


# ---------------------------------------------------------------------------
# Checking and building (once per distinct template text)

_EXPRESSION_NODES = (
    nodes.Name,
    nodes.Const,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Slice,
    nodes.Call,
    nodes.Keyword,
    nodes.Filter,
    nodes.Test,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.Compare,
    nodes.Operand,
    nodes.Add,
    nodes.Sub,
    nodes.Mul,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Mod,
    nodes.Pow,
    nodes.Concat,
    nodes.List,
    nodes.Tuple,
    nodes.Dict,
    nodes.Pair,
)


class Compiled:
    """One template text, checked and built: ``native`` when it is exactly one ``{{ expr }}``.

    ``parts`` are the template's pieces in order: literal text, or a closure
    that evaluates one expression; ``cost`` is the number of nodes, charged
    once per evaluation. ``consts`` are the number literals of the text, when
    the closures were built for its *shape* (see :func:`_shape_of`).
    """

    __slots__ = ("consts", "cost", "names", "native", "parts", "text")

    def __init__(self, native, names, parts, cost, text, consts=()):
        self.native, self.names, self.parts, self.cost, self.text = native, names, parts, cost, text
        self.consts = consts

    def with_consts(self, text: str, consts: tuple) -> Compiled:
        return Compiled(self.native, self.names, self.parts, self.cost, text, consts)


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def read_template(text: str, file_budget: FileBudget | None):
    """:func:`compile_template` of ``text``, its parse charged to ``file_budget`` first (audit tmpl27 3).

    Each distinct text a file reads costs PARSE_STEPS and PARSE_STEPS_PER_CHAR a character of the file's steps,
    charged before Jinja lexes it: a file of many long distinct templates (9.7 MB of them, 2 steps each to run) took 20 s of CPU and broke
    no budget, and now it is the GC107 of the file's steps at the template that crosses them. A text is charged
    once per file, and so is a parse that texts share: those that differ only in their numbers have one shape,
    parsed once (:func:`_shape_of`, a scan costing what reading the file does), so a generated file of
    100,000 `{{ 2000 + 17 * 0.01 }}`-style templates pays for one. Once the file's budget is spent, every later
    text is refused unread, as :func:`evaluate` refuses every later evaluation.
    """
    if file_budget is None:
        return compile_template(text)
    if file_budget.spent is not None:
        raise FileBudgetExceeded(file_budget.spent)
    if text in file_budget.read:
        return compile_template(text)
    file_budget.read.add(text)
    if len(text) > MAX_TEMPLATE_CHARS:  # refused from its length alone, unread
        return compile_template(text)
    shape = _shape_or_error(text)
    parsed = shape[0] if isinstance(shape, tuple) else text
    if parsed not in file_budget.parsed:
        file_budget.parsed.add(parsed)
        operations = file_budget.operations + PARSE_STEPS + PARSE_STEPS_PER_CHAR * len(text)
        if operations > MAX_FILE_OPERATIONS:
            file_budget.spent = _PARSE_STEPS.format(MAX_FILE_OPERATIONS)
            raise FileBudgetExceeded(file_budget.spent)
        file_budget.operations = operations
    return _compile_shaped(text, shape)


@lru_cache(maxsize=4096)
def compile_template(text: str):
    """A :class:`Compiled`, or an :class:`ExpressionError` (cached too: a bad template fails once); what
    :func:`read_template` reads for a file.

    Templates that differ only in their numbers (``{{ 17 * 0.01 }}``,
    ``{{ 18 * 0.01 }}``: a generated playbook has thousands) share one parse:
    the numbers are cut out of the text, the rest is parsed and built once,
    and each text keeps its own numbers. Anything unusual in the text, or any
    error, falls back to compiling the text as written, so messages are
    exactly Jinja's.
    """
    return _compile_shaped(text, _shape_or_error(text) if len(text) <= MAX_TEMPLATE_CHARS else None)


def _shape_or_error(text: str):
    """:func:`_shape_of` ``text``, or the ExpressionError of a number in it that no template may hold."""
    try:
        return _shape_of(text)
    except ExpressionError as exc:
        return exc
    except (ValueError, TypeError):  # (none known) compiled as written, which reports it
        return None


@lru_cache(maxsize=4096)
def _compile_shaped(text: str, shape):
    """:func:`compile_template` of ``text``, whose shape (:func:`_shape_or_error`) is ``shape``."""
    if isinstance(shape, ExpressionError):
        return shape
    try:
        if shape is not None:
            built = _compile_shape(shape[0])
            if isinstance(built, Compiled):
                return built.with_consts(text, shape[1])
        return _compile(text)
    except ExpressionError as exc:
        return exc
    except TemplateSyntaxError as exc:
        return ExpressionError(
            f"template syntax error: {_short(exc.message or str(exc))}",
            hint="write `{{ expression }}`; blocks `{% ... %}` are not available",
        )
    except RecursionError:  # Jinja's parser recurses on long chains of `not` or `-`
        return BudgetExceeded(f"the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep")
    except (TemplateError, MemoryError, ValueError, TypeError) as exc:
        return ExpressionError(f"cannot compile the template: {_short(str(exc))}")


def _compile(text: str, slots: bool = False) -> Compiled:
    """Check and build ``text``; with ``slots``, names ``graphc_kN`` stand for the N-th number of the text."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise BudgetExceeded(f"a template of {len(text):,} characters is over the limit of {MAX_TEMPLATE_CHARS:,}")
    _check_nesting(text)
    ast = ENV.parse(text)
    names: set = set()
    parts: list = []
    cost = 0
    for node in ast.body:
        if not isinstance(node, nodes.Output):
            raise ExpressionError(
                f"blocks `{{% {_block_name(node)} %}}` are not available in playbook templates",
                hint="use an inline condition: `{{ a if cond else b }}`",
            )
        for child in node.nodes:
            if isinstance(child, nodes.TemplateData):
                parts.append(child.data)
                continue
            cost += _check_expression(child, names)
            parts.append(_build(child, slots))
    if slots:
        names = {name for name in names if not name.startswith(_SLOT)}
    native = len(parts) == 1 and not isinstance(parts[0], str)
    return Compiled(native, frozenset(names), tuple(parts), cost, text)


# -- one parse per shape ---------------------------------------------------------------------
# The shape of a template is its text with every number literal inside `{{ }}` replaced by a
# name `graphc_kN`. The text is scanned with Jinja's own token patterns, in the lexer's order, so
# a number is cut out exactly where Jinja would read a number token (not inside a string or a
# name, nor after a `.`, where Jinja reads an item index); its value is read as Jinja reads it.

_SLOT = "graphc_k"


@lru_cache(maxsize=4096)
def _compile_shape(shape: str):
    try:
        return _compile(shape, slots=True)
    except Exception as exc:  # the caller compiles the original text, for the exact message
        return exc


def _shape_of(text: str) -> tuple[str, tuple] | None:
    """(shape, numbers) of ``text``, or None when it has no numbers or anything the scan does not expect."""
    if _SLOT in text or "{%" in text or "{#" in text:
        return None
    token_at = _token_pattern().match
    out, consts = [], []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos : start + 2])
        pos = start + 2
        after_dot = False
        while True:
            token = token_at(text, pos)
            if token is None:
                return None  # unterminated, or a character Jinja rejects: it reports it
            kind = token.lastgroup
            value = token.group(kind)
            out.append(text[pos : token.start(kind)])  # the space before the token, newlines included
            pos = token.end()
            if kind == "end":
                out.append(value)
                break
            if kind in ("float", "integer") and not after_dot:
                literal = value.replace("_", "")
                consts.append(_float_literal(value) if kind == "float" else int(literal, 0))
                out.append(f" {_SLOT}{len(consts) - 1} ")
                continue
            out.append(value)
            after_dot = value == "."
    return ("".join(out), tuple(consts)) if consts else None


@lru_cache(maxsize=1)
def _token_pattern():
    """One pattern for the tokens inside ``{{ }}``, alternatives in the order Jinja's lexer tries them."""
    return re.compile(
        rf"""\s*(?:(?P<end>-?}}}})|(?P<float>(?ix:{float_re.pattern}))|(?P<integer>(?ix:{integer_re.pattern}))"""
        rf"""|(?P<name>{name_re.pattern})|(?P<string>(?s:{string_re.pattern}))|(?P<operator>{operator_re.pattern}))"""
    )


def _block_name(node) -> str:
    return {
        "For": "for",
        "If": "if",
        "Include": "include",
        "Import": "import",
        "FromImport": "from ... import",
        "Extends": "extends",
        "Assign": "set",
        "AssignBlock": "set",
        "Macro": "macro",
        "CallBlock": "call",
        "FilterBlock": "filter",
        "With": "with",
        "Block": "block",
        "Scope": "scope",
    }.get(type(node).__name__, "...")


def _check_nesting(text: str):
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    if deepest > MAX_NESTING + 2:  # the `{{` of the expression itself counts twice
        raise BudgetExceeded(f"brackets nested more than {MAX_NESTING} deep")


def _no_such(kind: str, name) -> ExpressionError:
    """A filter or test graphc does not have, in one wording whether it is written ``| name`` / ``is name`` (found
    before evaluation) or named in ``map('name')`` / ``select('name')`` (found when it is called)."""
    hint = "filters: " + ", ".join(sorted(FILTERS)) if kind == "filter" else None
    return ExpressionError(f"no {kind} named {name!r}", hint=hint)


def _check_expression(root, names: set) -> int:
    """Whitelist the node types, bound the tree's depth and collect the names; the number of nodes.

    Iterative, and run before anything else walks the tree: a deep tree is
    refused here, before any recursive step could meet it.
    """
    count = 0
    stack = [(root, 0)]  # levels above a node: a leaf under 64 `*` is 64 levels deep (hostile18 F4)
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_EXPRESSION_DEPTH:
            raise BudgetExceeded(
                f"the expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep "
                "(each operator, call, filter and bracket is a level)"
            )
        if not isinstance(node, _EXPRESSION_NODES):
            raise ExpressionError(f"`{type(node).__name__}` is not allowed in a playbook expression")
        if isinstance(node, nodes.Name):
            names.add(node.name)
        elif isinstance(node, (nodes.Filter, nodes.Test)):
            known = ENV.filters if isinstance(node, nodes.Filter) else ENV.tests
            if node.name not in known:
                raise _no_such("filter" if isinstance(node, nodes.Filter) else "test", node.name)
        if isinstance(node, (nodes.Call, nodes.Filter, nodes.Test)) and (node.dyn_args or node.dyn_kwargs):
            raise ExpressionError("`*args` and `**kwargs` are not available in playbook expressions")
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return count


# Python's and Jinja's own words in a message name Python types and functions (`'PercentRatio' object is not
# callable`, `_quote_function.<locals>.quote()`): a playbook author knows numbers, text, lists and mappings.
_TYPE_WORDS = {
    "PercentRatio": "a number",
    "MoneyAmount": "a number",
    "MoneyInt": "a number",
    "MoneyText": "text",
    "PercentText": "text",
    "Decimal": "a number",
    "int": "a number",
    "float": "a number",
    "str": "text",
    "list": "a list",
    "tuple": "a list",
    "range": "a list",
    "dict": "a mapping",
    "bool": "true or false",
    "NoneType": "none",
    "function": "a function",
    "builtin_function_or_method": "a function",
    "method": "a function",
}
_PYTHON_WORDS = (
    (  # `{{ none | abs }}`, `{{ -none }}`: not Python's "bad operand type for abs(): 'NoneType'" (audit spec28b 1)
        re.compile(r"\bbad operand type for (unary [-+~]|\w+\(\)): '(\w+)'"),
        lambda m: f"{'`' + m[1][-1] + '`' if m[1].startswith('unary') else m[1]} needs a number, not {_kind_of(m[2])}",
    ),
    (re.compile(r"\bobject of type '(\w+)' has no len\(\)"), lambda m: f"{_kind_of(m[1])} has no length"),
    (
        re.compile(r"\binstances of '(\w+)' and '(\w+)'"),
        lambda m: f"{_kind_of(m[1])} and {_kind_of(m[2])}",
    ),
    (re.compile(r"'(\w+)' object\b"), lambda m: _kind_of(m[1])),
    (re.compile(r"\b(?:[\w]+\.)*([A-Z]\w*|int|str|list|dict|float|bool) object\b"), lambda m: _kind_of(m[1])),
    (re.compile(r"\b(?:\w+\.)*<locals>\."), lambda m: ""),
)


def _kind_of(type_name: str) -> str:
    return _TYPE_WORDS.get(type_name, "a value")


def _plain_words(text: str) -> str:
    """``text`` (a message Python or Jinja wrote) with Python's type and function names in a playbook's words."""
    for pattern, words in _PYTHON_WORDS:
        text = pattern.sub(words, text)
    return text


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- building: each node becomes a closure over its children's closures ----------------------------
# A closure takes the evaluation's Budget (its names, its Jinja context). Depth is bounded by
# _check_expression, so the recursion here and at evaluation is at most MAX_EXPRESSION_DEPTH deep.

_COMPARE = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gteq": operator.ge,
    "lt": operator.lt,
    "lteq": operator.le,
    "in": lambda a, b: a in b,
    "notin": lambda a, b: a not in b,
}
_COND_UNDEFINED = "the inline if-expression evaluated to false and no else section was defined"


def _build(node, slots: bool = False):
    kind = type(node)
    if kind is nodes.Const:
        value = node.value  # a float literal is already the exact Decimal of its text (_ExactLexer)
        return lambda b: value
    if kind is nodes.Name:
        name = node.name
        if slots and name.startswith(_SLOT):
            index = int(name[len(_SLOT) :])
            return lambda b: b.consts[index]
        return lambda b: b.names[name]
    if kind is nodes.Getattr:
        obj, attr = _build(node.node, slots), node.attr
        return lambda b: ENV.getattr(obj(b), attr)
    if kind is nodes.Getitem:
        obj, arg = _build(node.node, slots), _build(node.arg, slots)
        return lambda b: ENV.getitem(obj(b), arg(b))
    if kind is nodes.Slice:
        parts = [_build(p, slots) if p is not None else None for p in (node.start, node.stop, node.step)]
        return lambda b: slice(*(p(b) if p is not None else None for p in parts))
    if kind is nodes.Call:
        func, args, kwargs = _build(node.node, slots), _build_args(node.args, slots), _build_kwargs(node.kwargs, slots)
        return lambda b: ENV.call(None, func(b), *[a(b) for a in args], **{k: v(b) for k, v in kwargs})
    if kind is nodes.Filter:
        value, name, args, kwargs = (
            _build(node.node, slots),
            node.name,
            _build_args(node.args, slots),
            _build_kwargs(node.kwargs, slots),
        )
        return lambda b: ENV.call_filter(name, value(b), [a(b) for a in args], {k: v(b) for k, v in kwargs})
    if kind is nodes.Test:
        value, name, args, kwargs = (
            _build(node.node, slots),
            node.name,
            _build_args(node.args, slots),
            _build_kwargs(node.kwargs, slots),
        )
        return lambda b: ENV.call_test(name, value(b), [a(b) for a in args], {k: v(b) for k, v in kwargs})
    if kind is nodes.CondExpr:
        test, yes = _build(node.test, slots), _build(node.expr1, slots)
        no = _build(node.expr2, slots) if node.expr2 is not None else (lambda b: ENV.undefined(_COND_UNDEFINED))
        return lambda b: yes(b) if test(b) else no(b)
    if kind is nodes.And:
        left, right = _build(node.left, slots), _build(node.right, slots)
        return lambda b: left(b) and right(b)
    if kind is nodes.Or:
        left, right = _build(node.left, slots), _build(node.right, slots)
        return lambda b: left(b) or right(b)
    if kind is nodes.Not:
        inner = _build(node.node, slots)
        return lambda b: not inner(b)
    if kind is nodes.Neg or kind is nodes.Pos:
        inner, op = _build(node.node, slots), node.operator
        return lambda b: ENV.call_unop(None, op, inner(b))
    if kind is nodes.Compare:
        first = _build(node.expr, slots)
        ops = [(_COMPARE[o.op], _build(o.expr, slots)) for o in node.ops]
        return lambda b: _compare(b, first, ops)
    if kind is nodes.Concat:
        pieces = _build_args(node.nodes, slots)
        return lambda b: _concat([p(b) for p in pieces])
    if kind is nodes.List or kind is nodes.Tuple:
        items = _build_args(node.items, slots)
        make = list if kind is nodes.List else tuple
        return lambda b: b.measure(make([i(b) for i in items]))
    if kind is nodes.Dict:
        pairs = [(_build(p.key, slots), _build(p.value, slots)) for p in node.items]
        return lambda b: b.measure({k(b): v(b) for k, v in pairs})
    if isinstance(node, nodes.BinExpr):
        left, right, op = _build(node.left, slots), _build(node.right, slots), node.operator
        return lambda b: ENV.call_binop(None, op, left(b), right(b))
    raise ExpressionError(f"`{kind.__name__}` is not allowed in a playbook expression")  # pragma: no cover


def _build_args(items, slots: bool) -> list:
    return [_build(item, slots) for item in items]


def _build_kwargs(keywords, slots: bool) -> list:
    return [(keyword.key, _build(keyword.value, slots)) for keyword in keywords]


def _compare(b, first, ops) -> bool:
    left = first(b)
    for compare, operand in ops:
        right = operand(b)
        if type(right) in _CONTAINERS or type(right) in _TEXTS:
            b.charge(_work(right))  # `in` reads the container
        if not compare(left, right):
            return False
        left = right
    return True


# ---------------------------------------------------------------------------
# Evaluating


def make_context(names: dict):
    """A Jinja context over ``names`` (for the filters that take one); reusable for one set of names."""
    return new_context(ENV, None, {}, names, shared=True)


def evaluate(
    compiled: Compiled,
    names: dict,
    context=None,
    file_budget: FileBudget | None = None,
    keep_marks: bool = False,
    free_text: bool = False,
):
    """Run a compiled template with ``names`` bound: a native value or the rendered text.

    A number it writes (the whole value, or a number written into the text) with more significant digits than
    any playbook number has is :class:`LongNumber` (GC106), unless the value is ``free_text`` (a playbook's
    ``description``), where it is only text: a whole-expression number there is its text.

    ``keep_marks``: the value keeps the percent and money marks in it (see :func:`to_plain`); text made from a
    money amount is then a :class:`MoneyText`.

    The evaluation runs under a fresh :class:`Budget`; what it used is added to
    ``file_budget`` (when given), failed or not. Its steps stop where the
    file's run out, and once a total of the file is crossed every later
    evaluation is refused before it runs (:class:`FileBudgetExceeded`).
    """
    if file_budget is not None and file_budget.spent is not None:
        raise FileBudgetExceeded(file_budget.spent)
    if not names.keys() >= compiled.names:
        name = sorted(compiled.names - names.keys())[0]
        raise ExpressionError(
            f"undefined name `{name}`{suggestion(name, names, file_budget)}", hint=_name_hint(name, names)
        )
    steps = None if file_budget is None else min(MAX_OPERATIONS, MAX_FILE_OPERATIONS - file_budget.operations)
    budget = Budget(names, context, compiled.consts, steps)
    running = _RUNNING.set(budget)
    decimals = decimal.getcontext()  # whether a step of this evaluation rounds: its own flag, the caller's kept
    rounded_before, decimals.flags[decimal.Inexact] = decimals.flags[decimal.Inexact], False
    try:
        budget.charge(compiled.cost)
        if compiled.native:
            value = to_plain(compiled.parts[0](budget), keep_marks=keep_marks)
            if free_text and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                # text for people takes a number as text, as written into text (docs/templates.md):
                # `description: "{{ now.year }}"` is '2026', where the schema refused a number (audit spec28b 3)
                value = to_text(value)
            elif not free_text and isinstance(value, Decimal) and value.is_finite() and _too_long(value):
                raise LongNumber(value, 0)
            items, chars, _ = budget.size(value)
        else:
            value = _render_text(compiled.parts, budget, free_text)
            items, chars = 0, len(value)
            if not keep_marks and type(value) is not str:
                value = str(value)
    except FileBudgetExceeded as exc:
        if file_budget is not None:
            file_budget.spent = exc.message
        raise
    except LongNumber as exc:
        exc.expression = _nth_expression(compiled.text, exc.index)
        exc.exact = not decimals.flags[decimal.Inexact]  # no step rounded: the value is the expression's own
        exc.message = exc.words(f"`{exc.expression}`" if exc.expression is not None else "the number")
        raise
    except ExpressionError:
        raise
    except SecurityError as exc:
        raise ExpressionError(f"sandbox violation: {_short(str(exc))}") from None
    except TemplateError as exc:
        raise ExpressionError(_plain_words(_short(exc.message or str(exc)))) from None
    except ArithmeticError as exc:
        raise ExpressionError(_arithmetic_words(exc)) from None
    except RecursionError:
        raise BudgetExceeded("the expression recursed too deeply") from None
    except MemoryError:
        raise BudgetExceeded("the expression needs more memory than graphc allows a template") from None
    except Exception as exc:
        raise ExpressionError(_plain_words(_short(str(exc))) or "the expression cannot be evaluated") from None
    finally:
        _RUNNING.reset(running)
        if rounded_before:
            decimals.flags[decimal.Inexact] = True
        if file_budget is not None:
            file_budget.operations += budget.operations  # a failed evaluation's steps too (hostile18 F1)
    if file_budget is not None:
        _charge_output(file_budget, items + chars)
    return value


_EXPRESSION = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)


def _nth_expression(text: str, index: int) -> str | None:
    """The text of the ``index``-th ``{{ }}`` of a template (``total / n``), or None when it cannot be told."""
    found = _EXPRESSION.findall(text)
    return " ".join(found[index].split()) if index < len(found) and found[index].strip() else None


def _render_text(parts, budget: Budget, free_text: bool = False) -> str:
    pieces = []
    size = 0
    ratios: list[tuple[PercentRatio, int]] = []  # (a percent ratio written into the text, where its text ends)
    money = None  # the last number computed from a money param written into the text
    index = -1  # which `{{ }}` of the text the part is
    for part in parts:
        if type(part) is str:
            piece = part
        else:
            index += 1
            value = part(budget)
            piece = to_text(value)
            # the number as written (normalised: `{{ 2 / 3 * 3 }}` writes 2), read by the field as any number
            if (
                not free_text
                and len(piece) > MAX_DIGITS
                and isinstance(value, Decimal)
                and _too_long(value.normalize())
            ):
                raise LongNumber(value, index, value.normalize())
            ratios.extend((ratio, size + end) for ratio, end in _ratios_in(value, piece))
            money = _last_money(value, money)
        size += len(piece)
        if size > MAX_OUTPUT_CHARS:
            raise BudgetExceeded(f"the template would make more than {MAX_OUTPUT_CHARS:,} characters (the text limit)")
        pieces.append(piece)
    # what follows a ratio is the rendered text, not only a literal part: `{{ stop }}{{ '%' }}`; text that ends with
    # one is a PercentText (`slippage: "{{ slip }} "` would read the ratio as bps: graphc.stages.expand)
    text = _checked_ratios("".join(pieces), ratios)
    return text if money is None else _marked(str(text), money)


# A unit that reads the number before it as percent points or basis points (graphc.units: `%`, `bps`, `bp`).
_UNIT_AFTER = re.compile(r"\s*(%|bps?(?![a-z0-9_]))", re.I).match


def _percent_written_as_unit(value: PercentRatio, after, pos: int = 0) -> None:
    """GC107 when the text right after a percent param's value (``after`` from ``pos``) is `%` or `bps`: the value
    is a ratio (5% is 0.05), so `{{ stop }}%` is 0.05% (audit price.md 2; docs/templates.md, Params reference)."""
    unit = _UNIT_AFTER(after, pos) if type(after) is str else None
    if unit is None:
        return
    word = unit.group(1)
    percent = word == "%"
    shown = _decimal_text(value)
    raise ExpressionError(
        f"{shown} is a ratio from percent param `{value.name}` (5% is 0.05), so writing it before `{word}` makes "
        f"{shown}{'%' if percent else ' ' + word}, {'100' if percent else '10000'} times smaller than meant",
        hint=(
            f"multiply by 100 for the percentage, e.g. `{{{{ {value.name} * 100 }}}}%`"
            if percent
            else f"multiply by 10000 for the basis points, e.g. `{{{{ {value.name} * 10000 }}}}bps`"
        )
        + ", or use the ratio in arithmetic",
    )


_FILE_STEPS = (
    "the file's templates need more than {:,} steps in all (the per-file limit); "
    "for_each multiplies the work of every template in its leg"
)


_PARSE_STEPS = (
    "the file's templates need more than {:,} steps in all (the per-file limit), reading each distinct template "
    f"text at {PARSE_STEPS} steps and {PARSE_STEPS_PER_CHAR} a character"
)


def _charge_output(file_budget: FileBudget, output: int) -> None:
    file_budget.output += output
    if file_budget.output > MAX_FILE_OUTPUT:
        file_budget.spent = (
            f"the file's templates produce more than {MAX_FILE_OUTPUT:,} characters and items in all "
            "(the per-file limit); for_each multiplies what every template in its leg makes"
        )
        raise FileBudgetExceeded(file_budget.spent)


_ARITHMETIC = {
    ZeroDivisionError: "division by zero",
    decimal.DivisionByZero: "division by zero",
    decimal.DivisionUndefined: "division by zero",
    decimal.InvalidOperation: "invalid arithmetic (e.g. 0/0, or a number that is not finite)",
    decimal.Overflow: "the number is too large",
    OverflowError: "the number is too large",
}


def _arithmetic_words(exc: ArithmeticError) -> str:
    """What went wrong, from the signals a decimal error carries (``args[0]``: ``[DivisionUndefined]`` for
    ``0.0 / 0``, ``[DivisionImpossible]`` for a ``//`` or ``%`` whose whole part has more digits than the
    context's precision), or from its type."""
    signals = exc.args[0] if exc.args and isinstance(exc.args[0], list) else [type(exc)]
    for signal in signals:
        if signal in (decimal.DivisionByZero, decimal.DivisionUndefined, ZeroDivisionError):
            return "division by zero"
        if signal is decimal.DivisionImpossible:
            return _too_many_digits()
    return _ARITHMETIC.get(type(exc), f"arithmetic error ({type(exc).__name__})")


def _too_many_digits() -> str:
    return f"the result has more than {decimal.getcontext().prec} digits, the most a template computes with"


def _name_hint(name, names) -> str:
    if name in ("item", "index"):
        return "`item` and `index` exist only in a leg with `for_each:`"
    known = listed((n for n in names if n != "range"), len(names) - ("range" in names))
    return f"names you can use here: {known}"
