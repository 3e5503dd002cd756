"""Sandboxed `{{ ... }}` expressions in playbook strings (spec §6.2).

A playbook from a pull request is compiled in CI, so an expression must not be
able to run code, read files, see the environment or exhaust memory. The
defence is layered, and each layer is simple on its own:

1. **Static check of the parsed template** (before anything runs): only
   ``{{ }}`` output of a whitelisted set of expression node types; no blocks
   (``{% %}``), so no include/import/extends/set/for/macro; every name must be
   one the caller binds (params, ``now``, ``today``, ``quote``, ``range`` and,
   in a ``for_each``, ``item``/``index``) - ``self``, ``loop``, ``config``,
   ``cycler``, ``lipsum`` ... are simply undefined. Bracket nesting and the
   template length are bounded.
2. **Jinja2's ImmutableSandboxedEnvironment**, further narrowed: attribute
   access is a per-type whitelist (a few string, list, dict and date
   methods; nothing on functions, numbers or other objects), ``str.format`` is
   not special-cased into reach, and an unsafe attribute raises at once
   instead of returning an undefined that a test could swallow.
3. **Bounded operators and filters**: ``**`` caps its exponent and result
   size, ``*``/``+`` cap repeated or concatenated text and lists, ``%`` is
   arithmetic only (no printf formatting), ``range`` yields at most 10,000
   items, and only a short list of filters exists (no ``format``, ``center``,
   ``replace``, ``wordwrap``, ``pprint`` ...). Rendered text is capped.

Numbers stay exact: float literals are rewritten to Decimals at compile time,
``/`` of two integers gives a Decimal, and a float that still appears (never
from our own filters) is converted through its shortest repr.

Every failure is raised as :class:`ExpressionError` (code GC107, or GC109 for
a missing quote); the caller turns it into a diagnostic at the scalar.
"""

from __future__ import annotations

import decimal
import operator
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, nodes
from jinja2 import filters as jinja_filters
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.runtime import new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_CHARS = 4_000  # a template string longer than this is refused before parsing
MAX_OUTPUT_CHARS = 100_000  # the same as the loader's scalar limit
MAX_ITEMS = 10_000  # range(), lists built by operators, for_each
MAX_NESTING = 50  # brackets; deeper input would only exercise the parser's recursion
MAX_EXPONENT = 100
MAX_POW_BITS = 256  # about 1e77; playbook numbers stop at 1e40 anyway (units.MAX_DIGITS)
MAX_ROUND_DIGITS = 40
MAX_NUMBER_DIGITS = 1_000  # writing a Decimal with a larger exponent as text is refused

RESERVED_NAMES = frozenset({"now", "today", "quote", "range", "item", "index"})


class ExpressionError(Exception):
    """A template that cannot be evaluated; ``code`` is GC107 unless stated."""

    def __init__(self, message: str, code: str = "GC107", hint: str | None = None):
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


# ---------------------------------------------------------------------------
# Values <-> text


def to_text(value) -> str:
    """How a value is written into text: exact decimals, lower-case booleans, no reprs."""
    if isinstance(value, str):
        return value
    if isinstance(value, Undefined):
        return str(value)  # StrictUndefined raises the undefined-name error here
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    kind = (
        "a list"
        if isinstance(value, (list, tuple, range))
        else "a mapping"
        if isinstance(value, dict)
        else f"a {type(value).__name__}"
    )
    raise ExpressionError(
        f"cannot write {kind} into text",
        hint="join a list with `|join(', ')`, or use the whole scalar `{{ ... }}` to keep it a list",
    )


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ExpressionError(f"the result {value} is not a finite number")
    if abs(value.adjusted()) > MAX_NUMBER_DIGITS:
        raise ExpressionError("a number in the template is too large to write out")
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def to_plain(value, depth: int = 0):
    """A native expression result as playbook data: str, int, Decimal, bool, None, list, dict."""
    if isinstance(value, Undefined):
        str(value)  # raises
    if isinstance(value, str):
        _check_size(value, "the result")
        return value
    if value is None or isinstance(value, (bool, int, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if depth > MAX_NESTING:
        raise ExpressionError("the result is nested too deeply")
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise ExpressionError(f"the result has more than {MAX_ITEMS:,} entries")
        return {to_text(k): to_plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)) or _is_iterator(value):
        items = []
        for item in value:
            if len(items) >= MAX_ITEMS:
                raise ExpressionError(f"the result has more than {MAX_ITEMS:,} items")
            items.append(to_plain(item, depth + 1))
        return items
    raise ExpressionError(
        f"the expression gives a {type(value).__name__}, not a value",
        hint="call functions, e.g. `quote('ETH-USD').bid`",
    )


def _is_iterator(value) -> bool:
    return hasattr(value, "__next__") and hasattr(value, "__iter__")


# ---------------------------------------------------------------------------
# Bounded builtins and filters


def safe_range(*args):
    """``range`` that refuses more than MAX_ITEMS items (Jinja's own allows 100,000)."""
    for arg in args:
        if isinstance(arg, bool) or not isinstance(arg, int):
            raise ExpressionError(f"range() takes whole numbers, not {to_text(arg)!r}")
    rng = range(*args)
    if len(rng) > MAX_ITEMS:
        raise ExpressionError(f"range() of {len(rng):,} items is over the {MAX_ITEMS:,} limit")
    return rng


def _join(value, d="", attribute=None):
    pieces = [to_text(ENV.getitem(x, attribute) if attribute is not None else x) for x in value]
    d = to_text(d)
    size = sum(map(len, pieces)) + len(d) * max(len(pieces) - 1, 0)
    if size > MAX_OUTPUT_CHARS:
        raise ExpressionError(f"join would make {size:,} characters; the limit is {MAX_OUTPUT_CHARS:,}")
    return d.join(pieces)


def _round(value, precision=0, method="common"):
    if isinstance(precision, bool) or not isinstance(precision, int) or abs(precision) > MAX_ROUND_DIGITS:
        raise ExpressionError(f"round() precision must be a whole number up to {MAX_ROUND_DIGITS}")
    modes = {"common": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING}
    if method not in modes:
        raise ExpressionError("round() method must be common, floor or ceil")
    number = _number(value, "round()")
    result = number.quantize(Decimal(1).scaleb(-precision), rounding=modes[method])
    return int(result) if precision <= 0 and isinstance(value, int) else result


def _int(value, default=0):
    try:
        if isinstance(value, str):
            from graphc.units import parse_number

            value = parse_number(value)
        return int(_number(value, "int"))
    except Exception:
        return default


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ExpressionError(f"{what} needs a number, not {type(value).__name__}")
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value) if isinstance(value, int) else value


def _decimal(value):
    """``'0.1'|decimal``; float literals in templates are rewritten to this filter."""
    if isinstance(value, bool):
        raise ExpressionError("decimal needs a number or numeric text")
    if isinstance(value, str):
        from graphc.units import UnitError, parse_number

        try:
            return parse_number(value)
        except UnitError as exc:
            raise ExpressionError(exc.message) from None
    return _number(value, "decimal")


def _list(value):
    items = []
    for item in value:
        if len(items) >= MAX_OUTPUT_CHARS:
            raise ExpressionError("list() result is too long")
        items.append(item)
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
    "sum",
    "title",
    "trim",
    "unique",
    "upper",
)
FILTERS = {name: jinja_filters.FILTERS[name] for name in _JINJA_FILTERS}
FILTERS.update({"join": _join, "round": _round, "int": _int, "string": to_text, "decimal": _decimal, "list": _list})


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


def _check_size(value, what):
    if isinstance(value, str) and len(value) > MAX_OUTPUT_CHARS:
        raise ExpressionError(f"{what} would make {len(value):,} characters; the limit is {MAX_OUTPUT_CHARS:,}")


class PlaybookEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with graphc's narrower attribute whitelist and bounded operators."""

    intercepted_binops = frozenset({"+", "*", "/", "**", "%"})

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
        raise SecurityError(f"access to attribute {attribute!r} of a {type(obj).__name__} is not allowed")

    def call_binop(self, context, op, left, right):
        if _is_number(left) and _is_number(right):
            return self._arithmetic(op, left, right)
        if op == "%":
            raise ExpressionError(
                "`%` is arithmetic only; printf-style formatting is not available",
                hint="join text with `~`, e.g. `'rung-' ~ index`",
            )
        if op == "*":
            seq, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int):
                limit = MAX_OUTPUT_CHARS if isinstance(seq, str) else MAX_ITEMS
                if len(seq) * max(times, 0) > limit:
                    raise ExpressionError(
                        f"repeating would make more than {limit:,} {'characters' if isinstance(seq, str) else 'items'}"
                    )
        if (
            op == "+"
            and isinstance(left, (str, list, tuple))
            and isinstance(right, (str, list, tuple))
            and len(left) + len(right) > MAX_OUTPUT_CHARS
        ):
            raise ExpressionError(f"concatenating would make more than {MAX_OUTPUT_CHARS:,} items or characters")
        return self.binop_table[op](left, right)

    def _arithmetic(self, op, left, right):
        if isinstance(left, float):
            left = Decimal(repr(left))
        if isinstance(right, float):
            right = Decimal(repr(right))
        if op == "/" and isinstance(left, int) and isinstance(right, int):
            left = Decimal(left)
        if op == "**":
            _check_pow(left, right)
        return _OPS[op](left, right)


_OPS = {"+": operator.add, "*": operator.mul, "/": operator.truediv, "**": operator.pow, "%": operator.mod}


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _check_pow(base, exponent):
    if isinstance(exponent, Decimal) and exponent == exponent.to_integral_value():
        exponent = int(exponent)
    if isinstance(exponent, int):
        if abs(exponent) > MAX_EXPONENT:
            raise ExpressionError(f"exponent {exponent} is over the limit of {MAX_EXPONENT}")
        if isinstance(base, int) and base.bit_length() * abs(exponent) > MAX_POW_BITS:
            raise ExpressionError(f"the power is too large (over {MAX_POW_BITS} bits)")
        if (
            isinstance(base, Decimal)
            and base.is_finite()
            and base
            and (abs(base.adjusted()) + 1) * abs(exponent) > MAX_POW_BITS // 3
        ):
            raise ExpressionError(f"the power is too large (over {MAX_POW_BITS // 3} digits)")
    elif abs(exponent) > MAX_EXPONENT:
        raise ExpressionError(f"exponent {exponent} is over the limit of {MAX_EXPONENT}")


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


# ---------------------------------------------------------------------------
# Compiling (once per distinct template text)

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
    """One template text, checked and compiled: ``native`` when it is exactly one ``{{ expr }}``."""

    __slots__ = ("names", "native", "template", "text")

    def __init__(self, native, names, template, text):
        self.native, self.names, self.template, self.text = native, names, template, text


def is_template(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


@lru_cache(maxsize=4096)
def compile_template(text: str):
    """A :class:`Compiled`, or an :class:`ExpressionError` (cached too: a bad template fails once)."""
    try:
        return _compile(text)
    except ExpressionError as exc:
        return exc
    except TemplateSyntaxError as exc:
        message = _short(exc.message or str(exc))
        if message.startswith(("No filter named", "No test named")):
            return ExpressionError(message[0].lower() + message[1:], hint="filters: " + ", ".join(sorted(FILTERS)))
        return ExpressionError(
            f"template syntax error: {message}", hint="write `{{ expression }}`; blocks `{% ... %}` are not available"
        )
    except (TemplateError, RecursionError, MemoryError, ValueError, TypeError) as exc:
        return ExpressionError(f"cannot compile the template: {_short(str(exc))}")


def _compile(text: str) -> Compiled:
    if len(text) > MAX_TEMPLATE_CHARS:
        raise ExpressionError(f"a template of {len(text):,} characters is over the {MAX_TEMPLATE_CHARS:,} limit")
    _check_nesting(text)
    ast = ENV.parse(text)
    names = set()
    for node in ast.body:
        if not isinstance(node, nodes.Output):
            raise ExpressionError(
                f"blocks `{{% {_block_name(node)} %}}` are not available in playbook templates",
                hint="use an inline condition: `{{ a if cond else b }}`",
            )
        for child in node.nodes:
            if not isinstance(child, nodes.TemplateData):
                _check_expression(child, names)
    body = ast.body
    native = len(body) == 1 and len(body[0].nodes) == 1 and not isinstance(body[0].nodes[0], nodes.TemplateData)
    if native:
        target = nodes.Name("result", "store")
        ast = nodes.Template([nodes.Assign(target, body[0].nodes[0], lineno=1)], lineno=1)
    template = ENV.from_string(ast)
    return Compiled(native, frozenset(names), template, text)


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
        raise ExpressionError(f"brackets nested more than {MAX_NESTING} deep")


def _check_expression(node, names: set):
    """Whitelist the node types, collect the names, and make float literals exact."""
    if not isinstance(node, _EXPRESSION_NODES):
        raise ExpressionError(f"`{type(node).__name__}` is not allowed in a playbook expression")
    if isinstance(node, nodes.Name):
        names.add(node.name)
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, list):
            for i, child in enumerate(value):
                if isinstance(child, nodes.Node):
                    value[i] = _exact(child)
                    _check_expression(value[i], names)
        elif isinstance(value, nodes.Node):
            setattr(node, field, _exact(value))
            _check_expression(getattr(node, field), names)


def _exact(node):
    """A float literal becomes ``'<repr>'|decimal`` so arithmetic stays exact."""
    if isinstance(node, nodes.Const) and isinstance(node.value, float):
        return nodes.Filter(
            nodes.Const(repr(node.value), lineno=node.lineno), "decimal", [], [], None, None, lineno=node.lineno
        )
    if isinstance(node, nodes.Concat):
        node.nodes = [
            n
            if isinstance(n, nodes.Filter) and n.name == "string"
            else nodes.Filter(n, "string", [], [], None, None, lineno=n.lineno)
            for n in node.nodes
        ]
    return node


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------
# Evaluating


def make_context(names: dict):
    """A Jinja context over ``names``; reusable for every template rendered with the same names."""
    return new_context(ENV, None, {}, names, shared=True)


def evaluate(compiled: Compiled, names: dict, context=None):
    """Run a compiled template with ``names`` bound: a native value or the rendered text."""
    missing = compiled.names - names.keys()
    if missing:
        name = sorted(missing)[0]
        raise ExpressionError(f"undefined name `{name}`{_did_you_mean(name, names)}", hint=_name_hint(name, names))
    template = compiled.template
    if context is None:
        context = make_context(names)
    try:
        if compiled.native:
            try:
                for _ in template.root_render_func(context):
                    pass
                value = context.vars["result"]
            finally:
                context.vars.pop("result", None)  # the context is reused for the leg's next scalar
            return to_plain(value)
        text = ENV.concat(template.root_render_func(context))
    except ExpressionError:
        raise
    except SecurityError as exc:
        raise ExpressionError(f"sandbox violation: {_short(str(exc))}") from None
    except TemplateError as exc:
        raise ExpressionError(_short(exc.message or str(exc))) from None
    except ArithmeticError as exc:
        raise ExpressionError(_ARITHMETIC.get(type(exc), f"arithmetic error ({type(exc).__name__})")) from None
    except Exception as exc:
        raise ExpressionError(f"{type(exc).__name__}: {_short(str(exc))}") from None
    _check_size(text, "the template")
    return text


_ARITHMETIC = {
    ZeroDivisionError: "division by zero",
    decimal.DivisionByZero: "division by zero",
    decimal.DivisionUndefined: "division by zero",
    decimal.InvalidOperation: "invalid arithmetic (e.g. 0/0, or a number that is not finite)",
    decimal.Overflow: "the number is too large",
    OverflowError: "the number is too large",
}


def _did_you_mean(name, names) -> str:
    from graphc.stages.suggest import did_you_mean

    return did_you_mean(name, sorted(names))


def _name_hint(name, names) -> str:
    if name in ("item", "index"):
        return "`item` and `index` exist only in a leg with `for_each:`"
    known = ", ".join(sorted(n for n in names if n != "range"))
    return f"names you can use here: {known}"
