"""A compiled yes/no check for the JSON Schemas in ``schemas/``: the fast path of validation.

Nearly every file graphc sees is valid, and for a valid file jsonschema's only
answer is "no errors" -- which costs about a millisecond per playbook, more than
parsing it. :func:`compile_schema` turns a schema into nested Python closures
(once per process) that answer the yes/no question in a few microseconds;
:mod:`graphc.stages.validate` asks it first and runs jsonschema's
``iter_errors`` (messages, best-match, paths) only when the answer is not a
sure "valid".

Soundness is the whole contract: the check returns True only when jsonschema
(Draft 2020-12, no format checker) would report no error. Anything it does not
model exactly -- a keyword outside the supported list, a non-local ``$ref``, a
value of a type the YAML loader does not produce, a NaN or infinite number in a
numeric comparison -- makes it return False (or makes compiling fail), which
only means "ask jsonschema". ``tests/test_fuzz.py`` checks the contract on
generated documents.

Supported keywords: ``type``, ``enum``, ``const``, ``properties``,
``additionalProperties``, ``required``, ``propertyNames``, ``minProperties``,
``maxProperties``, ``dependentRequired``, ``items`` (a schema), ``minItems``,
``maxItems``, ``minLength``, ``maxLength``, ``pattern``, ``minimum``,
``maximum``, ``if``/``then``/``else``, ``allOf``, ``anyOf``, ``oneOf``,
``not``, local ``$ref`` (``#/...``), boolean schemas; annotations are ignored.
"""

from __future__ import annotations

import re
from decimal import Decimal

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


class UnsupportedSchema(Exception):
    """The schema uses something this module does not model; use jsonschema alone."""


class _Unsure(Exception):
    """Raised while checking when only jsonschema can decide."""


def _always(_instance):
    return True


def _never(_instance):
    return False


# -- types: jsonschema's Draft 2020-12 type checker, for the values the loader makes ------


def _is_number(x):
    t = type(x)
    if t is int:
        return True
    if t is Decimal:
        if not x.is_finite():
            raise _Unsure  # jsonschema's comparisons raise on NaN
        return True
    if t in (str, dict, list, bool) or x is None:
        return False
    raise _Unsure  # floats and other numbers: leave them to jsonschema


def _is_integer(x):
    t = type(x)
    if t is int:
        return True
    if t in (str, dict, list, bool) or x is None:
        return False
    raise _Unsure  # Decimal("1.0"), floats: jsonschema's rules, not ours


_TYPES = {
    "object": lambda x: type(x) is dict,
    "array": lambda x: type(x) is list,
    "string": lambda x: type(x) is str,
    "boolean": lambda x: type(x) is bool,
    "null": lambda x: x is None,
    "number": _is_number,
    "integer": _is_integer,
}


_PYTHON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}  # type(x) is


def _known_type(x):
    t = type(x)
    if t in (str, int, bool, dict, list, Decimal) or x is None:
        return
    raise _Unsure


def _scalar_key(value):
    """A hashable key under which jsonschema's ``equal`` treats equal values alike; None if not modelled."""
    t = type(value)
    if t is str:
        return ("s", value)
    if t is bool:
        return ("b", value)
    if value is None:
        return ("n", None)
    if t is int or (t is Decimal and value.is_finite()):
        return ("#", value)  # 1 == Decimal("1.0"): jsonschema compares numbers by value
    return None


class _Compiler:
    def __init__(self, root, fuse=True):
        self.root = root
        self.fuse = fuse  # False: keyword by keyword only (the tests compare the two)
        self.refs = {}  # pointer -> [compiled function] (a cell, for recursive references)

    def compile(self, schema):
        if schema is True or schema == {}:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"schema must be an object or a boolean, not {schema!r}")
        fused = self._fused(schema) if self.fuse else None
        if fused is not None:
            return fused
        checks = []
        for key in schema:
            if key in ANNOTATIONS or key in ("then", "else"):
                continue
            handler = getattr(self, "_kw_" + key.lstrip("$"), None)
            if handler is None:
                raise UnsupportedSchema(f"keyword {key!r}")
            check = handler(schema[key], schema)
            if check is not None:
                checks.append(check)
        if not checks:
            return _always
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:  # the usual sizes, without the loop
            first, second = checks
            return lambda x: first(x) and second(x)
        if len(checks) == 3:
            first, second, third = checks
            return lambda x: first(x) and second(x) and third(x)
        checks = tuple(checks)

        def all_of(x):
            for check in checks:
                if not check(x):
                    return False
            return True

        return all_of

    # -- the usual shapes, as one function each -----------------------------------------
    def _fused(self, schema):
        """One function for a common schema shape (fewer calls per value); None: the keywords one by one.

        Each answers as the keyword checks together would: a False here is always
        a real rejection (a wrong type, a key missing or unknown, a length out of
        bounds), and every other question goes to the same keyword checks.
        """
        keywords = {key: value for key, value in schema.items() if key not in ANNOTATIONS}
        kind = keywords.get("type")
        if kind == "string" and keywords.keys() <= {"type", "minLength", "maxLength"}:
            low, high = keywords.get("minLength", 0), keywords.get("maxLength")
            if type(low) is not int or not (high is None or type(high) is int):
                return None
            if high is None:
                return lambda x: type(x) is str and len(x) >= low
            return lambda x: type(x) is str and low <= len(x) <= high
        if keywords.keys() in ({"enum"}, {"const"}):
            values = keywords["enum"] if "enum" in keywords else [keywords["const"]]
            if not isinstance(values, list) or not values or any(type(v) is not str for v in values):
                return None
            texts, other = frozenset(values), self._kw_enum(values, schema)
            return lambda x: x in texts if type(x) is str else other(x)
        if kind == "object" and keywords.keys() <= {"type", "properties", "additionalProperties", "required"}:
            return self._closed_object(keywords)
        if (
            isinstance(kind, list)
            and sorted(kind) == ["object", "string"]
            and keywords.get("if") == {"type": "string"}
            and "else" not in keywords
            and keywords.keys() <= {"type", "if", "then", "properties", "additionalProperties", "required"}
        ):  # a name or an object: `"market"` or `{"limit": ...}`
            then = self.compile(keywords.get("then", True))
            rest = {key: keywords[key] for key in ("properties", "additionalProperties", "required") if key in keywords}
            as_object = self.compile({"type": "object", **rest})

            def text_or_object(x):
                t = type(x)
                if t is str:
                    return then(x)
                if t is dict:
                    return as_object(x)
                return False

            return text_or_object
        return None

    def _closed_object(self, keywords):
        """``type: object`` with ``additionalProperties: false``: unknown and missing keys fail at once."""
        properties, required = keywords.get("properties", {}), keywords.get("required", [])
        if (
            keywords.get("additionalProperties") is not False
            or not isinstance(properties, dict)
            or not isinstance(required, list)
            or any(type(name) is not str for name in required)
        ):
            return None
        compiled = {name: self.compile(sub) for name, sub in properties.items()}
        allowed, names = compiled.keys(), frozenset(required)

        def closed_object(x):
            if type(x) is not dict:
                return False
            keys = x.keys()
            if not (allowed >= keys and keys >= names):
                return False
            for key, value in x.items():
                if not compiled[key](value):
                    return False
            return True

        return closed_object

    # -- references -----------------------------------------------------------------
    def _kw_ref(self, ref, _schema):
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise UnsupportedSchema(f"$ref {ref!r}")
        cell = self.refs.get(ref)
        if cell is None:
            cell = self.refs[ref] = [None]
            cell[0] = self.compile(self._resolve(ref))
        if cell[0] is not None:
            return cell[0]  # compiled already: call it directly
        return cell[0]  # a reference to a schema still being compiled (recursion)

    def _resolve(self, ref):
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

    # -- any instance -----------------------------------------------------------------
    def _kw_type(self, value, _schema):
        names = value if isinstance(value, list) else [value]
        if not names or any(name not in _TYPES for name in names):
            raise UnsupportedSchema(f"type {value!r}")
        if len(names) == 1:
            return _TYPES[names[0]]
        exact = frozenset(_PYTHON_TYPES[name] for name in names if name in _PYTHON_TYPES)
        others = tuple(_TYPES[name] for name in names if name not in _PYTHON_TYPES)

        def type_check(x):
            if type(x) in exact:
                return True
            for test in others:
                if test(x):
                    return True
            return False

        return type_check

    def _kw_enum(self, values, _schema):
        if not isinstance(values, list):
            raise UnsupportedSchema("enum must be a list")
        keys = set()
        for value in values:
            key = _scalar_key(value)
            if key is None:
                raise UnsupportedSchema(f"enum value {value!r}")
            keys.add(key)

        def enum(x):
            key = _scalar_key(x)
            if key is None:
                _known_type(x)
                if type(x) in (dict, list):
                    return False  # the enum holds scalars only
                raise _Unsure
            return key in keys

        return enum

    def _kw_const(self, value, schema):
        return self._kw_enum([value], schema)

    def _kw_if(self, condition, schema):
        test = self.compile(condition)
        then = self.compile(schema.get("then", True))
        other = self.compile(schema.get("else", True))
        return lambda x: then(x) if test(x) else other(x)

    def _kw_allOf(self, schemas, _schema):
        checks = tuple(self.compile(s) for s in schemas)
        return lambda x: all(check(x) for check in checks)

    def _kw_anyOf(self, schemas, _schema):
        checks = tuple(self.compile(s) for s in schemas)
        return lambda x: any(check(x) for check in checks)

    def _kw_oneOf(self, schemas, _schema):
        checks = tuple(self.compile(s) for s in schemas)
        return lambda x: sum(1 for check in checks if check(x)) == 1

    def _kw_not(self, schema, _schema):
        check = self.compile(schema)
        return lambda x: not check(x)

    # -- objects ------------------------------------------------------------------------
    def _kw_properties(self, properties, schema):
        compiled = {name: self.compile(sub) for name, sub in properties.items()}
        extra = schema.get("additionalProperties", True)
        if "patternProperties" in schema:
            raise UnsupportedSchema("patternProperties")
        extra_check = None if extra is True else self.compile(extra)
        if extra is False:  # the usual closed object: unknown keys fail at once, known ones need no lookup miss
            allowed = compiled.keys()

            def closed_properties_check(x):
                if type(x) is not dict:
                    return True
                if not allowed >= x.keys():
                    return False
                for key, value in x.items():
                    if not compiled[key](value):
                        return False
                return True

            return closed_properties_check

        def properties_check(x):
            if type(x) is not dict:
                return True
            for key, value in x.items():
                check = compiled.get(key)
                if check is not None:
                    if not check(value):
                        return False
                elif extra_check is not None and not extra_check(value):
                    return False
            return True

        return properties_check

    def _kw_additionalProperties(self, extra, schema):
        if "properties" in schema:
            return None  # handled together with `properties`
        if "patternProperties" in schema:
            raise UnsupportedSchema("patternProperties")
        check = self.compile(extra)

        def additional(x):
            if type(x) is not dict:
                return True
            for value in x.values():
                if not check(value):
                    return False
            return True

        return additional

    def _kw_required(self, names, _schema):
        names = frozenset(names)
        return lambda x: type(x) is not dict or x.keys() >= names

    def _kw_propertyNames(self, names_schema, _schema):
        check = self.compile(names_schema)
        return lambda x: type(x) is not dict or all(check(key) for key in x)

    def _kw_minProperties(self, n, _schema):
        return lambda x: type(x) is not dict or len(x) >= n

    def _kw_maxProperties(self, n, _schema):
        return lambda x: type(x) is not dict or len(x) <= n

    def _kw_dependentRequired(self, table, _schema):
        table = {key: tuple(names) for key, names in table.items()}

        def dependent(x):
            if type(x) is not dict:
                return True
            for key, names in table.items():
                if key in x and not all(name in x for name in names):
                    return False
            return True

        return dependent

    # -- arrays --------------------------------------------------------------------------
    def _kw_items(self, items, _schema):
        if isinstance(items, list):
            raise UnsupportedSchema("items as a list (use prefixItems)")
        check = self.compile(items)

        def items_check(x):
            if type(x) is not list:
                return True
            for item in x:
                if not check(item):
                    return False
            return True

        return items_check

    def _kw_minItems(self, n, _schema):
        return lambda x: type(x) is not list or len(x) >= n

    def _kw_maxItems(self, n, _schema):
        return lambda x: type(x) is not list or len(x) <= n

    # -- strings -------------------------------------------------------------------------
    def _kw_minLength(self, n, _schema):
        return lambda x: type(x) is not str or len(x) >= n

    def _kw_maxLength(self, n, _schema):
        return lambda x: type(x) is not str or len(x) <= n

    def _kw_pattern(self, pattern, _schema):
        search = re.compile(pattern).search
        return lambda x: type(x) is not str or search(x) is not None

    # -- numbers -------------------------------------------------------------------------
    def _kw_minimum(self, bound, _schema):
        return lambda x: not _is_number(x) or x >= bound

    def _kw_maximum(self, bound, _schema):
        return lambda x: not _is_number(x) or x <= bound


def compile_schema(schema, *, fuse=True):
    """A function ``instance -> bool``: True only when ``schema`` surely accepts ``instance``.

    Raises :class:`UnsupportedSchema` when the schema uses something not modelled here.
    ``fuse=False`` checks keyword by keyword, without the one-function shapes (for tests).
    """
    check = _Compiler(schema, fuse).compile(schema)

    def is_surely_valid(instance) -> bool:
        try:
            return bool(check(instance))
        except (_Unsure, RecursionError):
            return False

    return is_surely_valid
