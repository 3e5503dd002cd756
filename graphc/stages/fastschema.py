"""A compiled yes/no check for the JSON Schemas in ``schemas/``: the fast path of validation.

Nearly every file graphc sees is valid, and for a valid file jsonschema's only
answer is "no errors" -- which costs about a millisecond per playbook, more than
parsing it. This module writes a schema as Python source, as fastjsonschema
does: one function per schema reached by ``$ref`` (and per ``if``/``not``/
``anyOf``/``oneOf`` branch), each property check of an object inlined in its
parent's function, so a wire node costs one call instead of a call per
keyword and value. :mod:`graphc.stages.validate` asks the check first and runs
jsonschema's ``iter_errors`` (messages, best-match, paths) only when the
answer is not a sure "valid".

The checks of the two schemas graphc ships are generated once, into
``graphc/stages/fastschema_generated.py`` (importing it costs far less than
generating it at start-up); ``python -m graphc.stages.fastschema`` rewrites it,
tests/test_fastschema.py fails when it differs from what the schemas give, and
:func:`graphc.stages.validate.fast_check` generates the check afresh (with
:func:`compile_schema`) for a schema whose text is not the one it was made
from.

Soundness is the whole contract: the check returns True only when jsonschema
(Draft 2020-12, no format checker) would report no error. Each generated check
answers exactly or raises :class:`~graphc.stages.fastschema_runtime.Unsure`:
anything it does not model exactly -- a keyword outside the supported list, a
non-local ``$ref``, a value of a type the YAML loader does not produce, a NaN
or infinite number in a numeric comparison -- makes it unsure (or makes
generating fail), which only means "ask jsonschema". ``tests/test_fuzz.py``
and ``tests/test_fastschema.py`` check the contract on generated documents.

Supported keywords: ``type``, ``enum``, ``const``, ``properties``,
``additionalProperties``, ``required``, ``propertyNames``, ``minProperties``,
``maxProperties``, ``dependentRequired``, ``items`` (a schema), ``minItems``,
``maxItems``, ``minLength``, ``maxLength``, ``pattern``, ``minimum``,
``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``if``/``then``/``else``, ``allOf``, ``anyOf``, ``oneOf``,
``not``, local ``$ref`` (``#/...``), boolean schemas; annotations are ignored.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from graphc.stages.fastschema_runtime import scalar_key, schema_digest, surely_valid

ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)

# The schemas whose checks are generated into GENERATED_MODULE, and the name each check has there.
SHIPPED = {"playbook.schema.json": "playbook", "wire-graph.schema.json": "wire"}
GENERATED_MODULE = Path(__file__).with_name("fastschema_generated.py")

_EXACT_TYPES = {"object": "dict", "array": "list", "string": "str", "boolean": "bool"}
_TYPE_NAMES = {python: name for name, python in _EXACT_TYPES.items()}
_TYPE_TESTS = {"number": "is_number", "integer": "is_integer"}
_OBJECT_KEYWORDS = frozenset(
    {"properties", "additionalProperties", "required", "minProperties", "maxProperties", "propertyNames"}
)
_INLINE_LINES = 8  # a referenced schema of at most this many lines is inlined where it is used
_RUNTIME_NAMES = ("in_enum", "is_integer", "is_number", "not_a_text", "not_an_integer_in_range")


class UnsupportedSchema(Exception):
    """The schema uses something this module does not model; use jsonschema alone."""


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines] or ["    pass"]


def _count(value, keyword: str) -> int:
    if type(value) is not int or value < 0:
        raise UnsupportedSchema(f"{keyword} {value!r}")
    return value


def _bound(value, keyword: str) -> str:
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    raise UnsupportedSchema(f"{keyword} {value!r}")


def schema_keywords(schema) -> dict | None:
    """The keywords of a schema object that are not annotations (None for a boolean schema)."""
    return {key: value for key, value in schema.items() if key not in ANNOTATIONS} if isinstance(schema, dict) else None


def _texts(values) -> str:
    return "frozenset((" + "".join(repr(value) + ", " for value in values) + "))"


class _Generator:
    """Python source for the checks of one schema: module-level constants and functions ``x0 -> bool``."""

    def __init__(self, root, prefix: str, fuse: bool = True):
        self.root = root
        self.prefix = prefix
        self.fuse = fuse  # False: keyword by keyword only (the tests compare the two)
        self.constants: dict[str, str] = {}  # source -> name
        self.functions: list[list[str]] = []
        self.function_of_ref: dict[str, str] = {}
        self.inlining: set[str] = set()  # references whose target is being inlined

    def source(self) -> list[str]:
        constants = [f"{name} = {source}" for source, name in self.constants.items()]
        return constants + [line for function in self.functions for line in ["", "", *function]]

    def constant(self, source: str) -> str:
        name = self.constants.get(source)
        if name is None:
            name = self.constants[source] = f"_{self.prefix}_k{len(self.constants)}"
        return name

    def function(self, schema, ref: str | None = None) -> str:
        """The name of a function ``x0 -> bool`` (or raising Unsure) answering for ``schema``."""
        if ref is not None and ref in self.function_of_ref:
            return self.function_of_ref[ref]  # made already, or being made (a recursive reference)
        name = f"_{self.prefix}_{len(self.functions)}"
        if ref is not None:
            self.function_of_ref[ref] = name
        lines: list[str] = []
        self.functions.append(lines)
        lines += [f"def {name}(x0):", *_indent([*self.statements(schema, "x0", 0), "return True"])]
        return name

    def test(self, schema, v: str) -> str:
        """An expression: whether ``schema`` accepts ``v``."""
        simple = self._inlined_test(schema, v)
        if simple is not None:
            return simple
        keywords = schema_keywords(schema)
        if keywords is not None and keywords.keys() == {"$ref"}:
            return f"{self.reference(keywords['$ref'])}({v})"
        return f"{self.function(schema)}({v})"

    def _inlined_test(self, schema, v: str) -> str | None:
        """:meth:`test`'s expression when it is inlined (type tests and comparisons, never raising); else None."""
        keywords = schema_keywords(schema)
        if keywords is not None and keywords.keys() == {"$ref"}:
            ref = keywords["$ref"]
            if self.fuse and isinstance(ref, str) and ref.startswith("#") and ref not in self.inlining:
                return self._simple_test(schema_keywords(self._resolve(ref)), v)
            return None
        return self._simple_test(keywords, v)

    def _simple_test(self, keywords: dict | None, v: str) -> str | None:
        """The test of a one-type schema (or, fused, a pattern on text) as an expression; None for others."""
        if keywords is None:
            return None
        if keywords.keys() == {"type"} and keywords["type"] in _EXACT_TYPES:
            return f"type({v}) is {_EXACT_TYPES[keywords['type']]}"
        if self.fuse and keywords.keys() == {"type", "pattern"} and keywords["type"] == "string":
            return f"(type({v}) is str and {self._search(keywords['pattern'])}({v}) is not None)"
        return None

    def reference(self, ref) -> str:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise UnsupportedSchema(f"$ref {ref!r}")
        if ref in self.function_of_ref:
            return self.function_of_ref[ref]
        return self.function(self._resolve(ref), ref)

    def _resolve(self, ref: str):
        target = self.root
        for part in ref[1:].split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                raise UnsupportedSchema(f"$ref {ref!r} does not resolve")
        return target

    # -- statements: lines that `return False` when the schema rejects v, and fall through otherwise --------
    # `known` names v's Python type when the lines before have settled it ("dict", "str", ...), so no
    # check asks again.
    def statements(self, schema, v: str, depth: int, known: str | None = None) -> list[str]:
        if schema is True:
            return []
        if schema is False:
            return ["return False"]
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"schema must be an object or a boolean, not {schema!r}")
        keywords = {key: value for key, value in schema.items() if key not in ANNOTATIONS}
        if self.fuse:
            fused = self._fused(keywords, v, depth, known)
            if fused is not None:
                return fused
        lines: list[str] = []
        kind = keywords.get("type")
        if self.fuse and isinstance(kind, str) and kind in _EXACT_TYPES:  # the type first: the rest relies on it
            lines += self._kw_type(kind, keywords, v, depth, known)
            known = _EXACT_TYPES[kind]
        for key in keywords:
            if key in ("then", "else") or (key == "type" and known is not None and kind == _TYPE_NAMES.get(known)):
                continue  # with `if`; checked already
            handler = getattr(self, "_kw_" + key.lstrip("$"), None)
            if handler is None:
                raise UnsupportedSchema(f"keyword {key!r}")
            lines += handler(keywords[key], keywords, v, depth, known)
        return lines

    @staticmethod
    def _when(kind: str, v: str, known: str | None, body: list[str]) -> list[str]:
        """``body`` for a value of Python type ``kind`` (keywords of objects apply to objects only)."""
        if not body:
            return []
        return body if known == kind else [f"if type({v}) is {kind}:", *_indent(body)]

    @staticmethod
    def _reject_when(kind: str, v: str, known: str | None, condition: str) -> list[str]:
        guard = "" if known == kind else f"type({v}) is {kind} and "
        return [f"if {guard}{condition}:", "    return False"]

    # -- the usual shapes, inlined --------------------------------------------------------------------------
    def _fused(self, keywords: dict, v: str, depth: int, known: str | None) -> list[str] | None:
        """Lines for a common schema shape; None: the keywords one by one.

        Each answers as the keyword checks together would (tests/test_fuzz.py
        compares the two): a False here is always a real rejection, and every
        other question goes to the same runtime functions.
        """
        kind = keywords.get("type")
        not_text = "" if known == "str" else f"type({v}) is not str or "
        if kind == "string" and keywords.keys() <= {"type", "minLength", "maxLength"}:
            low, high = keywords.get("minLength", 0), keywords.get("maxLength")
            if type(low) is not int or not (high is None or type(high) is int):
                return None
            if high is not None:
                return [f"if {not_text}not {low} <= len({v}) <= {high}:", "    return False"]
            if low:
                return [f"if {not_text}len({v}) < {low}:", "    return False"]
            return [f"if type({v}) is not str:", "    return False"] if known != "str" else []
        if kind == "integer" and keywords.keys() <= {"type", "minimum", "maximum"}:
            low, high = keywords.get("minimum"), keywords.get("maximum")
            if not all(bound is None or type(bound) is int for bound in (low, high)):
                return None
            bounds = [f"{low} <= {v}"] if low is not None else []
            bounds += [f"{v} <= {high}"] if high is not None else []
            condition = " and ".join([f"type({v}) is int", *bounds])
            return [f"if not ({condition}):", f"    return not_an_integer_in_range({v})"]
        if keywords.keys() in ({"enum"}, {"const"}):
            values = keywords["enum"] if "enum" in keywords else [keywords["const"]]
            if not isinstance(values, list) or not values or any(type(value) is not str for value in values):
                return None
            texts = self.constant(_texts(values))
            return [f"if {not_text}{v} not in {texts}:", f"    return not_a_text({v})"]
        if kind == "object" and keywords.keys() <= {"type", "properties", "additionalProperties", "required"}:
            return self._closed_object(keywords, v, depth, known)
        if (
            isinstance(kind, list)
            and sorted(kind) == ["object", "string"]
            and keywords.get("if") == {"type": "string"}
            and "else" not in keywords
            and keywords.keys() <= {"type", "if", "then"} | _OBJECT_KEYWORDS
        ):  # a name or an object: `"market"` or `{"limit": ...}`
            rest = {key: keywords[key] for key in keywords if key in _OBJECT_KEYWORDS}
            return [
                f"if type({v}) is str:",
                *_indent(self.statements(keywords.get("then", True), v, depth, "str")),
                f"elif type({v}) is dict:",
                *_indent(self.statements({"type": "object", **rest}, v, depth, "dict")),
                "else:",
                "    return False",
            ]
        return None

    def _closed_object(self, keywords: dict, v: str, depth: int, known: str | None) -> list[str] | None:
        """``type: object`` with ``additionalProperties: false``: unknown and missing keys fail at once."""
        properties, required = keywords.get("properties", {}), keywords.get("required", [])
        if (
            keywords.get("additionalProperties") is not False
            or not isinstance(properties, dict)
            or not isinstance(required, list)
            or any(type(name) is not str for name in required)
        ):
            return None
        allowed = self.constant(_texts(properties))
        tests = [] if known == "dict" else [f"type({v}) is not dict"]
        if set(required) == set(properties):
            tests.append(f"{v}.keys() != {allowed}")
        else:
            tests.append(f"not {v}.keys() <= {allowed}")
            if required:
                tests.append(f"not {v}.keys() >= {self.constant(_texts(required))}")
        lines = [f"if {' or '.join(tests)}:", "    return False"]
        inner = f"x{depth + 1}"
        for name, sub in properties.items():
            body = self.statements(sub, inner, depth + 1)
            if not body:
                continue
            if name in required:
                lines += [f"{inner} = {v}[{name!r}]", *body]
            else:
                lines += [f"if {name!r} in {v}:", *_indent([f"{inner} = {v}[{name!r}]", *body])]
        return lines

    # -- keywords one by one --------------------------------------------------------------------------------
    def _kw_ref(self, ref, _keywords, v, depth, known):
        if self.fuse and isinstance(ref, str) and ref.startswith("#") and ref not in self.inlining:
            self.inlining.add(ref)  # a reference inside its own target is called, not inlined again
            try:
                lines = self.statements(self._resolve(ref), v, depth, known)
            finally:
                self.inlining.discard(ref)
            if len(lines) <= _INLINE_LINES:
                return lines  # a small schema (a bounded text, an enum): no call
        return [f"if not {self.reference(ref)}({v}):", "    return False"]

    def _kw_type(self, value, _keywords, v, _depth, known):
        names = value if isinstance(value, list) else [value]
        if not names or any(name not in _EXACT_TYPES and name not in _TYPE_TESTS and name != "null" for name in names):
            raise UnsupportedSchema(f"type {value!r}")
        if known is not None and _TYPE_NAMES.get(known) in names:
            return []
        tests = [f"type({v}) is {_EXACT_TYPES[name]}" for name in names if name in _EXACT_TYPES]
        tests += [f"{v} is None" for name in names if name == "null"]
        tests += [f"{_TYPE_TESTS[name]}({v})" for name in names if name in _TYPE_TESTS]  # last: they may raise
        return [f"if not ({' or '.join(tests)}):", "    return False"]

    def _kw_enum(self, values, _keywords, v, _depth, _known):
        if not isinstance(values, list):
            raise UnsupportedSchema("enum must be a list")
        keys = []
        for value in values:
            key = scalar_key(value)
            if key is None:
                raise UnsupportedSchema(f"enum value {value!r}")
            keys.append(key)
        return [f"if not in_enum({v}, {self.constant(_texts(keys))}):", "    return False"]

    def _kw_const(self, value, keywords, v, depth, known):
        return self._kw_enum([value], keywords, v, depth, known)

    def _kw_if(self, condition, keywords, v, depth, known):
        then = self.statements(keywords.get("then", True), v, depth, known)
        other = self.statements(keywords.get("else", True), v, depth, known)
        test = self.test(condition, v)
        if not other:
            return [f"if {test}:", *_indent(then)]
        if not then:
            inlined = self._inlined_test(condition, v)
            if inlined is not None and len(other) == 2 and other[0].startswith("if ") and other[1].startswith("    "):
                # `if A: pass else: if B: return R` rejects when B and not A: asked in that order, the usual
                # value (`policy: sor`, which B lets through) costs no test of A (a template pattern)
                return [other[0], f"    if not {inlined}:", *_indent(other[1:])]
            return [f"if not {test}:", *_indent(other)]
        return [f"if {test}:", *_indent(then), "else:", *_indent(other)]

    def _kw_allOf(self, schemas, _keywords, v, depth, known):
        return [line for schema in schemas for line in self.statements(schema, v, depth, known)]

    def _kw_anyOf(self, schemas, _keywords, v, _depth, _known):
        tests = [self.test(schema, v) for schema in schemas] or ["False"]
        return [f"if not ({' or '.join(tests)}):", "    return False"]

    def _kw_oneOf(self, schemas, _keywords, v, _depth, _known):
        tests = [self.test(schema, v) for schema in schemas]
        return [f"if [{''.join(test + ', ' for test in tests)}].count(True) != 1:", "    return False"]

    def _kw_not(self, schema, _keywords, v, _depth, _known):
        return [f"if {self.test(schema, v)}:", "    return False"]

    def _kw_properties(self, properties, keywords, v, depth, known):
        if "patternProperties" in keywords:
            raise UnsupportedSchema("patternProperties")
        if not isinstance(properties, dict):
            raise UnsupportedSchema("properties must be an object")
        extra = keywords.get("additionalProperties", True)
        inner = f"x{depth + 1}"
        body: list[str] = []
        if extra is False:
            body += [f"if not {v}.keys() <= {self.constant(_texts(properties))}:", "    return False"]
        for name, sub in properties.items():
            check = self.statements(sub, inner, depth + 1)
            if check:
                body += [f"if {name!r} in {v}:", *_indent([f"{inner} = {v}[{name!r}]", *check])]
        if extra is not True and extra is not False:
            check = self.statements(extra, inner, depth + 1)
            if check:
                key, names = f"k{depth}", self.constant(_texts(properties))
                body += [
                    f"for {key}, {inner} in {v}.items():",
                    f"    if {key} not in {names}:",
                    *_indent(_indent(check)),
                ]
        return self._when("dict", v, known, body)

    def _kw_additionalProperties(self, extra, keywords, v, depth, known):
        if "properties" in keywords:
            return []  # with `properties`
        if "patternProperties" in keywords:
            raise UnsupportedSchema("patternProperties")
        inner = f"x{depth + 1}"
        check = self.statements(extra, inner, depth + 1)
        if not check:
            return []
        return self._when("dict", v, known, [f"for {inner} in {v}.values():", *_indent(check)])

    def _kw_required(self, names, _keywords, v, _depth, known):
        if not isinstance(names, list) or any(type(name) is not str for name in names):
            raise UnsupportedSchema(f"required {names!r}")
        return self._reject_when("dict", v, known, f"not {v}.keys() >= {self.constant(_texts(names))}")

    def _kw_propertyNames(self, names_schema, _keywords, v, depth, known):
        inner = f"x{depth + 1}"
        check = self.statements(names_schema, inner, depth + 1)
        if not check:
            return []
        return self._when("dict", v, known, [f"for {inner} in {v}:", *_indent(check)])

    def _kw_minProperties(self, n, _keywords, v, _depth, known):
        return self._reject_when("dict", v, known, f"len({v}) < {_count(n, 'minProperties')}")

    def _kw_maxProperties(self, n, _keywords, v, _depth, known):
        return self._reject_when("dict", v, known, f"len({v}) > {_count(n, 'maxProperties')}")

    def _kw_dependentRequired(self, table, _keywords, v, _depth, known):
        if not isinstance(table, dict):
            raise UnsupportedSchema("dependentRequired must be an object")
        body = []
        for key, names in table.items():
            if not isinstance(names, list) or any(type(name) is not str for name in names):
                raise UnsupportedSchema(f"dependentRequired {names!r}")
            body += [f"if {key!r} in {v} and not {v}.keys() >= {self.constant(_texts(names))}:", "    return False"]
        return self._when("dict", v, known, body)

    def _kw_items(self, items, _keywords, v, depth, known):
        if isinstance(items, list):
            raise UnsupportedSchema("items as a list (use prefixItems)")
        inner = f"x{depth + 1}"
        check = self.statements(items, inner, depth + 1)
        if not check:
            return []
        return self._when("list", v, known, [f"for {inner} in {v}:", *_indent(check)])

    def _kw_minItems(self, n, _keywords, v, _depth, known):
        return self._reject_when("list", v, known, f"len({v}) < {_count(n, 'minItems')}")

    def _kw_maxItems(self, n, _keywords, v, _depth, known):
        return self._reject_when("list", v, known, f"len({v}) > {_count(n, 'maxItems')}")

    def _kw_minLength(self, n, _keywords, v, _depth, known):
        return self._reject_when("str", v, known, f"len({v}) < {_count(n, 'minLength')}")

    def _kw_maxLength(self, n, _keywords, v, _depth, known):
        return self._reject_when("str", v, known, f"len({v}) > {_count(n, 'maxLength')}")

    def _kw_pattern(self, pattern, _keywords, v, _depth, known):
        return self._reject_when("str", v, known, f"{self._search(pattern)}({v}) is None")

    def _search(self, pattern) -> str:
        """The name of the constant ``re.compile(pattern).search``."""
        if not isinstance(pattern, str):
            raise UnsupportedSchema(f"pattern {pattern!r}")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UnsupportedSchema(f"pattern {pattern!r}") from exc
        return self.constant(f"re.compile({pattern!r}).search")

    def _kw_minimum(self, bound, _keywords, v, _depth, _known):
        return [f"if is_number({v}) and {v} < {_bound(bound, 'minimum')}:", "    return False"]

    def _kw_maximum(self, bound, _keywords, v, _depth, _known):
        return [f"if is_number({v}) and {v} > {_bound(bound, 'maximum')}:", "    return False"]

    def _kw_exclusiveMinimum(self, bound, _keywords, v, _depth, _known):
        return [f"if is_number({v}) and {v} <= {_bound(bound, 'exclusiveMinimum')}:", "    return False"]

    def _kw_exclusiveMaximum(self, bound, _keywords, v, _depth, _known):
        return [f"if is_number({v}) and {v} >= {_bound(bound, 'exclusiveMaximum')}:", "    return False"]


def _module_lines(schemas: dict[str, tuple[str, object]], *, fuse: bool = True) -> list[str]:
    """The checks of ``schemas`` (``{check name: (prefix, schema)}``) and a table ``CHECKS`` of them."""
    lines = [
        "import re",
        "",
        f"from graphc.stages.fastschema_runtime import {', '.join(_RUNTIME_NAMES)}",
    ]
    entries, ref_entries = [], []
    for check_name, (prefix, schema) in schemas.items():
        generator = _Generator(schema, prefix, fuse)
        entry = generator.function(schema)
        for name in schema.get("$defs", {}) if isinstance(schema, dict) else ():  # each, for REF_CHECKS
            generator.reference("#/$defs/" + name.replace("~", "~0").replace("/", "~1"))
        lines += ["", "", f"# -- {check_name} " + "-" * max(0, 100 - len(check_name)), "", *generator.source()]
        entries.append(f"    {check_name!r}: {entry},")
        refs = "".join(f"{ref!r}: {name}, " for ref, name in sorted(generator.function_of_ref.items()))
        ref_entries.append(f"    {check_name!r}: {{{refs}}},")
    lines += ["", "", "CHECKS = {", *entries, "}"]
    # the check of each schema a `$ref` names: validation skips a list item or mapping value it vouches for
    lines += ["", "# The check of the schema each `$ref` names, by the `$ref`.", "REF_CHECKS = {", *ref_entries, "}"]
    return lines


def compile_schema(schema, *, fuse: bool = True):
    """A function ``instance -> bool``: True only when ``schema`` surely accepts ``instance``.

    Raises :class:`UnsupportedSchema` when the schema uses something not modelled here.
    ``fuse=False`` checks keyword by keyword, without the inlined shapes (for tests).
    """
    return surely_valid(exact_check(schema, fuse=fuse))


def exact_check(schema, *, fuse: bool = True):
    """The generated check itself: True or False exactly as jsonschema answers, or raises ``Unsure``."""
    namespace: dict = {}
    source = "\n".join(_module_lines({"schema": ("s", schema)}, fuse=fuse)) + "\n"
    exec(compile(source, "<graphc.stages.fastschema>", "exec"), namespace)
    return namespace["CHECKS"]["schema"]


def generated_module(texts: dict[str, str]) -> str:
    """The text of GENERATED_MODULE for the shipped schemas' texts (``{file name: text}``)."""
    digests = [f"    {name!r}: {schema_digest(texts[name])!r}," for name in SHIPPED]
    lines = [
        '"""The yes/no checks of the JSON Schemas in ``schemas/``, written by graphc.stages.fastschema: do not edit.',
        "",
        "Rewrite it with ``python -m graphc.stages.fastschema`` after changing a schema;",
        "tests/test_fastschema.py fails while it differs from what the schemas give.",
        '"""',
        "",
        *_module_lines({name: (prefix, json.loads(texts[name])) for name, prefix in SHIPPED.items()}),
        "",
        "# What each schema's text was when these checks were generated from it (schema_digest).",
        "DIGESTS = {",
        *digests,
        "}",
    ]
    return "\n".join(lines) + "\n"


def _shipped_texts() -> dict[str, str]:
    from graphc.resources import read_text  # deferred: only regenerating the module reads every schema

    return {name: read_text("schemas", name) for name in SHIPPED}


def main() -> None:
    """Rewrite GENERATED_MODULE from the schemas (tests/test_fastschema.py says when it is out of date)."""
    GENERATED_MODULE.write_text(generated_module(_shipped_texts()), encoding="utf-8")


if __name__ == "__main__":
    main()
