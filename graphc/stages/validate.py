"""Stage 3: structural validation against the JSON Schemas in ``schemas/``.

jsonschema does the checking; this module turns its errors into graphc
diagnostics: unknown key -> GC102 (with did-you-mean), missing key -> GC104,
wrong type / enum / pattern -> GC103, and a wrong ``graphc`` version -> GC110.
Validators are built once per process.

Most documents are valid, so :func:`validate` first asks a compiled yes/no check
(:mod:`graphc.stages.fastschema`, generated Python, a few microseconds, no jsonschema import);
only a document it cannot vouch for goes through jsonschema's ``iter_errors``, and only until it has given
GRAPHC_MAX_DIAGNOSTICS problems (:class:`SchemaProblems`: each costs jsonschema 100-300 µs, and a report lists no
more; a 3.8 MB file of 1.9 million of them took 190 s and 3.4 GB).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation, localcontext
from functools import cache

from graphc import diagnostics as _diagnostics
from graphc.diagnostics import Diagnostic, Span, sorted_diagnostics
from graphc.numbers import shown as plainly
from graphc.stages.suggest import did_you_mean

PLAYBOOK_SCHEMA = "playbook.schema.json"
WIRE_SCHEMA = "wire-graph.schema.json"


def _schema(name: str):
    from graphc.resources import read_text  # deferred: resolves paths at import; a template's lint reads no schema

    return json.loads(read_text("schemas", name))


@cache
def validator(name: str, *, skip_vouched: bool = True):
    """jsonschema's validator of schema ``name``. ``skip_vouched``: it steps over each list item and mapping value
    the generated check of its ``$ref`` schema vouches for (:func:`_vouched_keywords`); False: it checks all."""
    import jsonschema  # deferred: only a document the fast check cannot vouch for needs it

    schema = _schema(name)
    cls = jsonschema.validators.validator_for(schema)
    if name == PLAYBOOK_SCHEMA:  # a whole count written `10.0` is the whole number 10, as for_each and integer params
        cls = jsonschema.validators.extend(cls, type_checker=cls.TYPE_CHECKER.redefine("integer", _whole))
    if skip_vouched:
        cls = jsonschema.validators.extend(cls, validators=_vouched_keywords(name, cls.VALIDATORS))
    return cls(schema)


def _vouched_keywords(name: str, keywords: dict) -> dict:
    """``items``, ``additionalProperties`` and ``propertyNames`` that step over each item, value or key the
    generated check of the schema they apply vouches for: jsonschema reports no error there (the checks'
    contract, graphc.stages.fastschema), so only the ones it cannot vouch for are walked; ``additionalProperties``
    in the document's order (:func:`_each_additional`), also for an edited schema. One typo in a
    30,000-leg playbook or a 30,000-node graph took 3 to 4 s of jsonschema over the valid rest (a clean one
    lints in 0.2 s)."""
    from graphc.stages import fastschema  # deferred: only a document with a problem needs it
    from graphc.stages import fastschema_generated as generated  # deferred: as fast_check
    from graphc.stages.fastschema_runtime import surely_valid  # deferred: as fast_check

    additional = keywords["additionalProperties"]

    def in_order(validator, subschema, instance, schema):
        if type(instance) is not dict or type(subschema) is not dict:  # (`false`: one error, naming each key)
            yield from additional(validator, subschema, instance, schema)
            return
        yield from _each_additional(validator, subschema, instance, schema, None)

    if not is_shipped(name):  # an edited schema: the generated checks are not its own
        return {"additionalProperties": in_order}
    by_ref = {ref: surely_valid(check) for ref, check in generated.REF_CHECKS.get(name, {}).items()}
    made: dict[int, object] = {}  # id of a schema that is not a `$ref` -> its check (None: not modelled)

    def vouching(subschema):
        """The check of ``subschema`` (a part of the validator's own schema, alive as long as it), or None."""
        keywords = fastschema.schema_keywords(subschema)
        if keywords is None:
            return None
        if keywords.keys() == {"$ref"}:
            return by_ref.get(keywords["$ref"])
        if id(subschema) not in made:
            try:
                made[id(subschema)] = fastschema.compile_schema(subschema)  # (no `$ref` inside: else refused)
            except fastschema.UnsupportedSchema:
                made[id(subschema)] = None
        return made[id(subschema)]

    items, names = keywords["items"], keywords["propertyNames"]

    def vouched_items(validator, subschema, instance, schema):
        check = vouching(subschema)
        if check is None or type(instance) is not list or "prefixItems" in schema:
            yield from items(validator, subschema, instance, schema)
            return
        for index, item in enumerate(instance):
            if not check(item):
                yield from validator.descend(item, subschema, path=index)

    def vouched_additional(validator, subschema, instance, schema):
        if type(instance) is not dict or type(subschema) is not dict:  # (`false`: one error, naming each key)
            yield from additional(validator, subschema, instance, schema)
            return
        yield from _each_additional(validator, subschema, instance, schema, vouching(subschema))

    def vouched_names(validator, subschema, instance, schema):
        check = vouching(subschema)
        if check is not None and type(instance) is dict:
            instance = {key: value for key, value in instance.items() if not check(key)}
        yield from names(validator, subschema, instance, schema)

    return {"items": vouched_items, "additionalProperties": vouched_additional, "propertyNames": vouched_names}


def _each_additional(validator, subschema, instance: dict, schema, check):
    """jsonschema's ``additionalProperties`` with a schema (not ``false``), each value in the document's order,
    stepping over those ``check`` (when not None) vouches for. jsonschema's own takes the keys through a set, in the
    order of their hashes, which changes at each run: the first problems of a check that stops at
    GRAPHC_MAX_DIAGNOSTICS would be other legs each time (and, sorted, a report is the same at each run)."""
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    for key, value in instance.items():
        if key in properties or (patterns and re.search(patterns, key)):
            continue
        if check is None or not check(value):
            yield from validator.descend(value, subschema, path=key)


def _whole(_checker, value) -> bool:
    """JSON Schema's `integer` for a playbook: an int, or a number with no fraction (`slices: 10.0`,
    `ms: 5000.0`; JSON Schema counts 1.0 as an integer, and graphc reads a YAML number as an exact Decimal). A
    wire graph keeps jsonschema's own rule: the router reads `qty_1e8`, `num_slices` and `ms` as JSON integers."""
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return isinstance(value, int) and not isinstance(value, bool)


_edited: set[str] = set()  # the schemas fast_check found edited since their checks were generated


@cache
def fast_check(name: str):
    """The compiled check of schema ``name`` (None when the schema uses something it does not model).

    The checks of the shipped schemas come generated (graphc/stages/fastschema_generated.py); a schema
    whose text is not the one they were generated from (edited since) gets its check generated here.
    """
    from graphc.resources import read_text  # deferred: resolves paths at import; a template's lint reads no schema
    from graphc.stages import fastschema_generated as generated  # deferred: a template's lint validates nothing
    from graphc.stages.fastschema_runtime import schema_digest, surely_valid  # deferred: as the generated checks

    text = read_text("schemas", name)
    if generated.DIGESTS.get(name) == schema_digest(text):
        return surely_valid(generated.CHECKS[name])
    _edited.add(name)
    from graphc.stages import fastschema  # deferred: generating a check is for a schema edited since

    try:
        return fastschema.compile_schema(json.loads(text))
    except fastschema.UnsupportedSchema:
        return None


def is_shipped(name: str) -> bool:
    """Whether schema ``name`` is the text shipped with graphc (its generated check serves it: not edited since)."""
    return fast_check(name) is not None and name not in _edited


def _dotted(path) -> str:
    return ".".join(str(p) for p in path) or "the document"


_NOT_JSON_NUMBERS = frozenset({"NaN", "Infinity", "-Infinity"})  # Python's json writes these; no JSON reader
# takes them (a .json file with one is GC100), and YAML (a wire graph written in YAML) reads them as plain text


def kind_of_value(value) -> str:
    """What a value is, for "must be X, not ..." (``a boolean``, ``text``, ``a number``, ``empty``)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        if value in _NOT_JSON_NUMBERS:
            return f"{value} (JSON has no such number: it reads as text)"
        return "text"
    if value is None:
        return "empty"
    return "a number"


def not_of_type(path, expected: str, value) -> str:
    """The words of a value of the wrong type: "`schedule.catch_up` must be string or number, not a list".
    The schema check says it, and so does every reader of the same field that is not the schema (the schedule's),
    so a value is worded one way in every command (audit spec28b 1)."""
    return f"`{_dotted(path)}` must be {expected}, not {kind_of_value(value)}"


# What a duration is, for a value of another type (a list, a mapping, true, nothing) where one goes: an example
# that is itself a valid duration (audit spec28b 1: "write a number or text such as '0.5'" led to GC106)
DURATION_HINT = "write a duration with its unit, e.g. `10m`, `30s` or `2h`"


def _type_hint(error, doc, path, root) -> str | None:
    """A hint for a value of the wrong type: a duration's example; for a template's result where text for people
    goes (`description: "{{ flag }}"` is true, `"{{ [a, b] }}"` a list), how to make it text; for a plain number or
    boolean where text goes, that its text would do, quoted (`name: 2026`: YAML reads it as a number, audit spec28b
    4)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if root is not None and schema == root.get("$defs", {}).get("duration"):
        return DURATION_HINT
    value = error.instance
    if tuple(path) in _FREE_TEXT and (value is None or isinstance(value, (bool, list, dict))):
        made = _template_written_at(doc, path)
        if made is not None:
            return _as_text_hint(path[-1], made, value)
    if schema.get("type") != "string" or not isinstance(value, (int, Decimal)):  # (a boolean is an int)
        return None
    written = doc.written(path)
    key = path[-1] if path else None
    if not written or not _fits_as_text(written, schema):
        return None
    if key not in _TEXT_ALONE:
        return None  # text read past the schema (a venue, a timezone, a leg's id): the schema cannot say '5' would do
    if not isinstance(key, str):  # an item of a list
        return f"quote it to make it text: '{written}'"
    if _is_wire(root):
        return f"quote it to make it text: {_key_value(key, json.dumps(written), True)}"
    return f"quote it to make it text: {_key_value(key, repr(written), False)}"


# The playbook's text for people, which a template may write into (graphc.stages.render.FREE_TEXT; a number a
# template makes there is its text, a boolean, nothing, a list or a mapping is refused by the schema)
_FREE_TEXT = frozenset({("description",)})
# A value written as one `{{ }}` (quoted or not): the expression inside it
_WHOLE_TEMPLATE = re.compile(r"""(["']?)\{\{-?\s*(?P<expression>(?:(?!\{\{|\}\}).)+?)\s*-?\}\}\1""", re.DOTALL)


def _template_written_at(doc, path) -> str | None:
    """The expression of the one `{{ }}` the value at ``path`` was written as (`description: "{{ flag }}"`:
    ``flag``), read from the source at its span; ``""`` for another template there (a block scalar), None where the
    source at the span is no template (a value written as it is)."""
    span = doc.span(path)
    if span is None or (span.file is not None and span.file != doc.path):
        return None
    lines = doc.text.split("\n")[span.line - 1 : span.end_line]
    if len(lines) != span.end_line - span.line + 1:
        return None
    lines[-1] = lines[-1][: span.end_col - 1]
    lines[0] = lines[0][span.col - 1 :]
    source = "\n".join(lines).strip()
    if "{{" not in source:
        return None
    found = _WHOLE_TEMPLATE.fullmatch(source)
    return " ".join(found["expression"].split()) if found else ""


def _as_text_hint(key, expression: str, value) -> str:
    """How to make text of a template's result in the text-only field ``key`` (``description``)."""
    if not expression:
        written, used = "the template", "EXPR"
    else:
        written = f"`{{{{ {expression} }}}}`"
        used = expression if re.fullmatch(r"[A-Za-z_][\w.]*", expression) else f"({expression})"
    if isinstance(value, bool):
        return (
            f"`{key}` takes text, and {written} is {'true' if value else 'false'}: make it text, e.g. "
            f'`{key}: "{{{{ {used} | string }}}}"`, or write it into a sentence'
        )
    if isinstance(value, list):
        return (
            f"`{key}` takes text, and {written} is a list: join its items into text, e.g. "
            f"`{key}: \"{{{{ {used} | join(', ') }}}}\"`"
        )
    if isinstance(value, dict):
        return f"`{key}` takes text, and {written} is a mapping: write into the text the values of it you mean"
    return f"`{key}` takes text, and {written} is none (nothing): write the text, or leave `{key}` out"


# The string fields whose text the schema alone decides (`name`'s pattern, any `description`): a number written
# there is valid quoted when it fits the schema. A venue, timezone, cron or leg id is read further on.
_TEXT_ALONE = frozenset({"name", "description"})


def _fits_as_text(text: str, schema) -> bool:
    """Whether ``text`` meets a string schema's own limits (pattern, length, choices)."""
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and re.search(pattern, text) is None:
        return False
    if len(text) < schema.get("minLength", 0) or len(text) > schema.get("maxLength", len(text)):
        return False
    return "enum" not in schema or text in schema["enum"]


def _leaf(error):
    """For anyOf/oneOf, the sub-error that best explains the failure (check-jsonschema's best_match)."""
    from jsonschema.exceptions import best_match  # deferred: jsonschema, as in validator()

    while error.context:
        deeper = best_match(error.context)
        if deeper is None or deeper is error:
            break
        error = deeper
    return error


def _known_keys(schema) -> list:
    return sorted((schema or {}).get("properties", {}))


_TEMPLATE_PATTERN = r"\{\{[\s\S]*\}\}"  # $defs/template: a string is allowed where a value goes only as `{{ }}`
_WHAT = {"boolean": "true or false", "integer": "a whole number", "number": "a number"}
# Fields the schema types like the others (a value, or a string that is a `{{ }}` template) but that are never
# an expression: docs/templates.md, "`sandbox:` is never an expression" (GC103 from graphc.stages.render). Their
# messages say what the field must be, and offer no template and no string. `schedule` and `params` are not
# rendered either, but no field in them may be a template by the schema; the others that may be (`twap.slices`,
# `on_timeout.ms`, `offset_pct`, the words) are rendered.
_NEVER_AN_EXPRESSION = {("sandbox",): "true or false"}  # path -> what it must be


def _schema_at(root, steps):
    """The subschema at ``steps`` of an error's absolute_schema_path, following each `$ref` it passed through."""
    node = root
    for step in steps:
        while isinstance(node, dict) and "$ref" in node and step not in node:
            ref = node["$ref"]
            node = root
            for part in ref.removeprefix("#/").split("/"):
                node = node[part]
        node = node[step]
    return node


def _quoted_value(text, kinds) -> str | None:
    """What a string would be without its quotes, when that is a kind the field takes ("the boolean false")."""
    if not isinstance(text, str):
        return None
    word = text.strip().lower()
    if "true or false" in kinds and word in ("true", "false"):
        return f"the boolean {word}"
    if "a number" in kinds or "a whole number" in kinds:
        from graphc.stages.load import is_plain_number  # deferred: the loader; only a value the schema refused

        if is_plain_number(word):  # as YAML reads it unquoted: `'1e1'` is 10 as `'10'` is (audit consist27 2)
            return "a number"
    return None


_WORDS_ARE_NOT_BOOLEANS = "only true and false are booleans (YAML 1.2): yes, no, on and off are words"


def _quoted(doc, path, text: str, quoted: str, as_json: bool = False) -> Diagnostic:
    """GC103 for a value written in quotes (``"false"``, ``"10"``) where the field takes it unquoted."""
    return Diagnostic(
        "GC103",
        f"`{_dotted(path)}` is the text {text!r} (it is quoted), not {quoted}",
        doc.path,
        doc.span(path),
        hint=f"remove the quotes: {_key_value(path[-1], text.strip().lower(), as_json)}",
    )


def _key_value(key, value: str, as_json: bool) -> str:
    """``key: value`` as the file writes it: `` `sandbox: false` `` in YAML, ``"is_sandbox": false`` in a wire
    graph (the router's JSON; audit wire18 6)."""
    return f'"{key}": {value}' if as_json else f"`{key}: {value}`"


def _is_wire(root) -> bool:
    """Whether the schema being checked is the wire graph's: its documents are the router's JSON (spec §1), and
    messages write their keys as JSON does."""
    return bool(root) and "wire-graph" in str(root.get("$id", ""))


def _not_a_template(error, doc, path, root):
    """A word where a boolean or a number goes: the schema allows a string there only as a `{{ }}` template."""
    steps = list(error.absolute_schema_path)
    if root is None or steps[-2:] != ["then", "pattern"]:
        return None
    try:
        allowed = _schema_at(root, steps[:-2]).get("type", [])
    except (KeyError, TypeError, IndexError, AttributeError):
        return None
    kinds = [_WHAT[kind] for kind in (allowed if isinstance(allowed, list) else [allowed]) if kind in _WHAT]
    if not kinds:
        return None
    return _word_for_a_value(error.instance, kinds, path, doc, literal_only=tuple(path) in _NEVER_AN_EXPRESSION)


def _word_for_a_value(instance, kinds, path, doc, *, literal_only: bool, as_json: bool = False) -> Diagnostic:
    """Text where a boolean or number goes: a quoted value says so, a word says what the field takes."""
    quoted = _quoted_value(instance, kinds)
    if quoted is not None:
        return _quoted(doc, path, instance, quoted, as_json)
    hint = _WORDS_ARE_NOT_BOOLEANS if "true or false" in kinds else None
    return Diagnostic(
        "GC103",
        f"`{_dotted(path)}` must be {' or '.join(kinds)}{'' if literal_only else ' (or a `{{ }}` template)'}, "
        f"not {instance!r}",
        doc.path,
        doc.span(path),
        hint=hint,
    )


# Patterns of the playbook schema that are not a list of words, said in words (the schema's `description`s say the
# same), each with an example
_PATTERN_WORDS = {
    "^[A-Za-z0-9][A-Za-z0-9._-]*$": (
        "letters, digits, `.`, `_` and `-`, starting with a letter or digit",
        "e.g. `eth-hedge`",
    ),
    "^[a-z0-9][a-z0-9._-]*$": (
        "lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit",
        "e.g. `eth-basis-weekly`",
    ),
    "^[A-Za-z_][A-Za-z0-9_]*$": ("letters, digits and `_`, not starting with a digit", "e.g. `max_size`"),
}
_ALTERNATIVES = re.compile(r"\^\((?P<words>[^()]*)\)\$")
_LETTER_CLASS = re.compile(r"\[([A-Za-z])([A-Za-z])\]")


def _vocabulary(pattern) -> tuple[list[str], bool] | None:
    """The words a pattern such as ``^([Gg][Tt][Cc]|[Ii][Oo][Cc])$`` allows, and whether in any letter case.

    A pattern that is not a list of fixed words (each letter written as itself or as ``[Xx]``) gives None.
    """
    match = _ALTERNATIVES.fullmatch(pattern) if isinstance(pattern, str) else None
    if match is None:
        return None
    words, any_case = [], False
    for alternative in match["words"].split("|"):
        pairs = _LETTER_CLASS.findall(alternative)
        bare = _LETTER_CLASS.sub("", alternative)
        if not alternative or not re.fullmatch(r"[A-Za-z0-9_]*", bare):
            return None
        if any(a.upper() != b.upper() or a == b for a, b in pairs):
            return None
        any_case = any_case or bool(pairs)
        words.append(_LETTER_CLASS.sub(lambda m: m[1].upper(), alternative))
    return words, any_case


def _said_in_words(error, doc, path):
    """A `pattern` error of a field whose values the schema lists or describes, in words (None: no words known)."""
    if not isinstance(error.instance, str):
        return None
    known = _vocabulary(error.validator_value)
    if known is not None:
        words, any_case = known
        typed = error.instance.upper() if any_case else error.instance
        choices = ", ".join(f"`{w}`" for w in words[:-1]) + f" or `{words[-1]}`"
        return Diagnostic(
            "GC103",
            f"`{_dotted(path)}: {error.instance}` is not one of {', '.join(words)}{did_you_mean(typed, words)}",
            doc.path,
            doc.span(path),
            hint=f"write {choices}" + (" (any letter case)" if any_case else ""),
        )
    said = _PATTERN_WORDS.get(error.validator_value)
    if said is None:
        return None
    words, example = said
    steps = list(error.absolute_schema_path)
    if steps[-2:] == ["propertyNames", "pattern"]:  # a key of the mapping at `path`: said at that key
        key = error.instance
        what = f"leg id {key!r}" if path == ("legs",) else f"name {key!r} in `{_dotted(path)}`"
        return Diagnostic(
            "GC103",
            f"{what} may use {words}",
            doc.path,
            doc.key_span(path + (key,)),
            hint=f"rename it, {example}",
        )
    return Diagnostic(
        "GC103",
        f"`{_dotted(path)}: {error.instance}`: use only {words}",
        doc.path,
        doc.span(path),
        hint=example,
    )


def _diagnostics_for(error, doc, root=None):
    path = tuple(error.absolute_path)
    keyword = error.validator
    as_json = _is_wire(root)
    if keyword == "additionalProperties":
        known = _known_keys(error.schema)
        patterns = error.schema.get("patternProperties", {})

        for key in error.instance:
            if key in known or any(re.search(p, str(key)) for p in patterns):
                continue
            yield Diagnostic(
                "GC102",
                f"unknown key {key!r} in {_dotted(path)}{did_you_mean(key, known)}",
                doc.path,
                doc.key_span(path + (key,)),
                hint="known keys here: " + ", ".join(known),
            )
        return
    if keyword == "required":
        for key in error.validator_value:
            if isinstance(error.instance, dict) and key not in error.instance:
                where = f"leg {path[-1]!r}" if len(path) == 2 and path[0] == "legs" else _dotted(path)
                yield Diagnostic(
                    "GC104",
                    f'{where} needs "{key}"' if as_json else f"{where} needs `{key}:`",
                    doc.path,
                    doc.key_span(path) if path else doc.span(()),
                    hint=f"add {_key_value(key, '...', as_json)}",
                )
        return
    if path == ("graphc",):
        if isinstance(error.instance, str) and error.instance.strip() == "1":
            yield Diagnostic(
                "GC110",
                f"`graphc:` is the text {error.instance!r} (it is quoted), not the number 1",
                doc.path,
                doc.span(path),
                hint="write `graphc: 1` without quotes",
            )
            return
        yield Diagnostic(
            "GC110",
            f"unsupported playbook version `graphc: {_as_written(doc, path, error.instance)}`; "
            "this graphc reads version 1",
            doc.path,
            doc.span(path),
            hint="write `graphc: 1`",
        )
        return
    if keyword == "propertyNames":
        key = error.instance
        yield Diagnostic(
            "GC103",
            f"{key!r} is not a valid id in {_dotted(path)}",
            doc.path,
            doc.key_span(path + (key,)),
            hint="ids use letters, digits, `.`, `_` and `-`",
        )
        return
    if keyword == "enum" and isinstance(error.instance, str) and _is_trigger_names(error.validator_value):
        from graphc.stages.triggers import not_a_trigger_name  # deferred: only a misspelt trigger needs it

        edge = _value_at(doc.data, path[:-1])
        source = edge.get("from", edge.get("from_node")) if isinstance(edge, dict) else None
        message, hint = not_a_trigger_name(
            error.instance, wire=as_json, leg=source if isinstance(source, str) and source else None
        )
        yield Diagnostic("GC103", message, doc.path, doc.span(path), hint=hint)
        return
    if keyword == "enum":
        choices = [str(c) for c in error.validator_value]
        if error.instance is None:  # `type: ~` is empty, as `venue: ~` says ("must be string, not empty")
            message = f"`{_dotted(path)}` must be one of {', '.join(choices)}, not empty"
        else:
            message = (
                f"`{_dotted(path)}: {_as_written(doc, path, error.instance)}` is not one of {', '.join(choices)}"
                f"{did_you_mean(error.instance, choices) if isinstance(error.instance, str) else ''}"
            )
        yield Diagnostic("GC103", message, doc.path, doc.span(path))
        return
    if keyword == "type" and _takes_a_template(error.schema):
        # a number (or a boolean) whose only string is a `{{ }}` template: said as `_not_a_template` says it
        # ("must be integer or string, not a number" read as if any text would do; audit spec.md 4)
        kinds = [_WHAT[kind] for kind in error.validator_value if kind in _WHAT]
        value = error.instance
        shown = (
            _number(value)
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool)
            else kind_of_value(value)
        )
        yield Diagnostic(
            "GC103",
            f"`{_dotted(path)}` must be {' or '.join(kinds)} (or a `{{{{ }}}}` template), not {shown}",
            doc.path,
            doc.span(path),
        )
        return
    if keyword == "type":
        expected = error.validator_value
        if expected == "boolean" and isinstance(error.instance, str):  # `sandbox: no`, `sandbox: "false"`
            yield _word_for_a_value(error.instance, [_WHAT["boolean"]], path, doc, literal_only=True, as_json=as_json)
            return
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        expected = _NEVER_AN_EXPRESSION.get(tuple(path), expected)  # not "boolean or string": no string is one
        yield Diagnostic(
            "GC103",
            not_of_type(path, expected, error.instance),
            doc.path,
            doc.span(path),
            hint=_type_hint(error, doc, path, root),
        )
        return
    if (
        keyword == "exclusiveMinimum" and error.validator_value == 0
    ):  # the wire's risk limits: spec §3.2, as a playbook's
        shown = _as_written(doc, path, error.instance)  # `-1e999` as written, never Decimal's `-1E+999`
        yield Diagnostic("GC103", f"`{_dotted(path)}` must be positive, not {shown}", doc.path, doc.span(path))
        return
    if keyword == "pattern" and error.validator_value == _TEMPLATE_PATTERN:
        found = _not_a_template(error, doc, path, root)
        if found is not None:
            yield found
            return
    if keyword == "pattern":
        found = _said_in_words(error, doc, path)
        if found is not None:
            yield found
            return
    if keyword in _RANGE_WORDS:  # jsonschema's message reprs the value (Decimal('1E+400')): said plainly
        shown = _number(error.instance, doc.written(path))
        message = f"{shown} {_RANGE_WORDS[keyword]} {_number(error.validator_value)}"
        hint = _range_hint(error.schema)
        yield Diagnostic("GC103", f"`{_dotted(path)}`: {message}", doc.path, doc.span(path), hint=hint)
        return
    yield Diagnostic("GC103", f"`{_dotted(path)}`: {error.message}", doc.path, doc.span(path))


def _as_written(doc, path, value) -> str:
    """``value`` (at ``path``) as the file writes it: text as it is, another scalar by its source text (`true`,
    `0x2`, `1e3`), else as graphc.numbers.shown spells it (never Python's `True` or `None`)."""
    if isinstance(value, str):
        return value
    return doc.written(path) or plainly(value)


def _is_trigger_names(values) -> bool:
    """Whether an enum is the wire trigger names (the playbook's and the wire graph's `trigger`)."""
    from graphc.vocabulary import TRIGGER_NAMES  # deferred: only a value out of an enum needs it

    return isinstance(values, list) and tuple(values) == TRIGGER_NAMES


def _value_at(data, path):
    """The value of ``data`` at ``path`` (None when the path is not there)."""
    for step in path:
        present = step in data if isinstance(data, dict) else isinstance(data, list) and step in range(len(data))
        if not present:
            return None
        data = data[step]
    return data


def _takes_a_template(schema) -> bool:
    """Whether ``schema`` types a value as a number or a boolean, or a string only as a `{{ }}` template (or, for a
    count or an offset, as the number's text: ``numberText``, which the compiler reads)."""
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    return (
        isinstance(kinds, list)
        and "string" in kinds
        and any(kind in _WHAT for kind in kinds)
        and schema.get("if") == {"type": "string"}
        and schema.get("then") in ({"$ref": "#/$defs/template"}, {"$ref": "#/$defs/numberText"})
    )


def _number(value, written: str | None = None) -> str:
    """A number as a range message shows it: plain digits (``1.5e19`` -> ``15000000000000000000``), and a
    Decimal past 40 digits from the point (not a line of 400 zeros) as the file writes it, ``written`` (``1e400``),
    else as Decimal writes it (``1E+400``)."""
    if isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) > 40:
        return written or str(value)
    return plainly(value)


# A range keyword's words, as jsonschema says them ("5 is less than the minimum of 10"), for plain numbers
_RANGE_WORDS = {
    "minimum": "is less than the minimum of",
    "maximum": "is greater than the maximum of",
    "exclusiveMinimum": "is less than or equal to the minimum of",
    "exclusiveMaximum": "is greater than or equal to the maximum of",
}


def _range_hint(schema) -> str | None:
    """What a value out of a schema's ``minimum``/``maximum`` may be: ``write a whole number from 1 to ...``."""
    if not isinstance(schema, dict):
        return None
    low, high = schema.get("minimum"), schema.get("maximum")
    kinds = schema.get("type")
    whole = kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds and "number" not in kinds)
    what = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        return f"write {what} from {low} to {high}"
    if low is not None:
        return f"write {what} of at least {low}"
    return f"write {what} of at most {high}" if high is not None else None


class SchemaProblems(list[Diagnostic]):
    """The schema problems of a document (Diagnostics), and whether checking ``stopped`` with more to find.

    jsonschema spends 100-300 µs on each problem, and a report lists a file's first GRAPHC_MAX_DIAGNOSTICS
    findings (graphc.diagnostics.capped): a 3.8 MB wire file of 1.9 million bad nodes took 190 s and 3.4 GB.
    So checking stops at one problem more than that limit: the first ``limit - 1`` are kept, with a GC103 at the
    start of the file that says the rest was not checked (:func:`_stopped_note`), ``limit`` findings in all. A
    document whose checking stopped is not read further (graphc.pipeline, graphc.inputs): its model, numbers and
    rules are those of a file that was not checked.
    """

    stopped: bool = False


def validate_shaped(doc, schema_name: str) -> tuple[SchemaProblems, bool]:
    """:func:`validate`, and whether the shipped schema's generated check accepted ``doc.data``: then each value has
    the shape the shipped schema gives it (graphc.facts reads a wire graph so vouched for without defensive checks)."""
    fast = fast_check(schema_name)
    if fast is not None and fast(doc.data):
        return SchemaProblems(), schema_name not in _edited
    return _problems(doc, schema_name), False


NOT_FINITE = "not a finite number"  # the end of the GC103 message of a NaN or an infinity (graphc.pipeline reads it)
_YAML_SPELLING = {"NaN": ".nan", "sNaN": ".nan", "Infinity": ".inf", "-Infinity": "-.inf"}


def _non_finite(data):
    """``(path, value)`` of each NaN or infinity among the values of ``data``, in document order.

    Only YAML makes them (``.nan``, ``.inf``, ``-.inf``, ``!!float nan``: YAML 1.2 core floats, read as
    Decimal by graphc.stages.load); JSON has none (the JSON loader leaves ``NaN`` and ``Infinity`` to YAML,
    which reads them as text).
    """
    found = []
    stack = [((), data)]
    while stack:
        path, value = stack.pop()
        if type(value) is dict:
            stack.extend((path + (key,), item) for key, item in reversed(value.items()))
        elif type(value) is list:
            stack.extend((path + (i,), item) for i, item in reversed(list(enumerate(value))))
        elif type(value) is Decimal and not value.is_finite():
            found.append((path, value))
    return found


def _not_finite(doc, path, value) -> Diagnostic:
    """GC103 for a NaN or an infinity where a value goes: no amount, count or limit is one (playbook-spec.md
    §1: numbers are exact decimals read from their text; §3.2: `qty_1e8`/`price_1e9` are exact integers and
    risk limits positive amounts; orders-and-execution-graphs.md: `{"fixed": {"qty_1e8": N}}`)."""
    spelled = _YAML_SPELLING.get(str(value).lstrip("+"), str(value))
    return Diagnostic(
        "GC103",
        f"`{_dotted(path)}` is {spelled}, {NOT_FINITE}",
        doc.path,
        doc.span(path),
        hint="write a finite number (or quote it if it is meant as text)",
    )


def validate(doc, schema_name: str, paths: list | None = None) -> SchemaProblems:
    """All schema problems of ``doc.data``, one per place, in source order; ``paths`` (when given) gets the
    document path of each (graphc.pipeline: a compiler error about a value that holds one says it again). Past
    GRAPHC_MAX_DIAGNOSTICS of them, checking stops (:class:`SchemaProblems`).

    A NaN or an infinity (YAML's ``.nan``, ``.inf``) is GC103 "not a finite number" at its value, in
    place of what the schema says there: jsonschema's range checks compare with ``<=``, which raises
    on a NaN, so the schema is checked with Decimal's invalid-operation signal off (a NaN then fails
    or passes a comparison harmlessly; its own diagnostic is what is reported at its place).
    """
    fast = fast_check(schema_name)
    if fast is not None and fast(doc.data):
        return SchemaProblems()
    return _problems(doc, schema_name, paths)


def _problems(doc, schema_name: str, paths: list | None = None) -> SchemaProblems:
    """:func:`validate` of a document its generated check did not vouch for."""
    # (a text read by json holds no NaN or infinity: the reader refuses them)
    bad = [] if getattr(doc, "read_as_json", False) else _non_finite(doc.data)
    if bad:
        found = [_not_finite(doc, path, value) for path, value in bad]
        if paths is not None:
            paths.extend(path for path, _ in bad)
        taken = {d.span for d in found}
        with localcontext() as context:
            context.traps[InvalidOperation] = False
            rest = _validate(doc, schema_name, paths)
        other = {d.span for d in rest if d.code != "GC103"}  # e.g. GC110 for `graphc: .nan`: that says it
        found = [d for d in found if d.span not in other]
        both = SchemaProblems(sorted_diagnostics(found + [d for d in rest if d.span not in taken or d.code != "GC103"]))
        both.stopped = rest.stopped
        return both
    return _validate(doc, schema_name, paths)


def _validate(doc, schema_name: str, paths: list | None = None) -> SchemaProblems:
    try:
        check = validator(schema_name)
    except ImportError:  # a `graphc bundle` does not vendor jsonschema (its rpds-py is Rust)
        return SchemaProblems(
            [
                Diagnostic(
                    "GC103",
                    f"the document does not match {schema_name}",
                    doc.path,
                    doc.span(()),
                    hint="run `graphc lint` on it where graphc is installed to see each problem at its place",
                )
            ]
        )
    limit = _diagnostics.MAX_DIAGNOSTICS  # (read at each call: the tests lower it)
    seen = set()
    out = SchemaProblems()
    for error in check.iter_errors(doc.data):
        error = _leaf(error)
        if paths is not None:
            paths.append(tuple(error.absolute_path))
        for diag in _diagnostics_for(error, doc, check.schema):
            key = (diag.code, diag.span, diag.message)
            if key not in seen:
                seen.add(key)
                out.append(diag)
        if len(out) > limit:  # more than a report lists: the first limit - 1 and a note that checking stopped
            del out[limit - 1 :]
            out.append(_stopped_note(doc, limit))
            out.stopped = True
            break
    return out


def _stopped_note(doc, limit: int) -> Diagnostic:
    """GC103 at the start of the file: its schema check stopped after ``limit - 1`` problems (:class:`SchemaProblems`).
    At line 1 it sorts first, so a report that lists a file's first ``limit`` findings lists it."""
    root = doc.span(())
    at = None if root is None else root if (root.line, root.col) == (1, 1) else Span(1, 1, 1, 1)
    return Diagnostic(
        "GC103",
        f"schema checking stopped after {limit - 1} problems, at GRAPHC_MAX_DIAGNOSTICS ({limit} findings listed "
        "per file): the rest of the file was not checked, so its counts are a lower bound",
        doc.path,
        at,
        hint="fix the problems listed and lint again; set GRAPHC_MAX_DIAGNOSTICS higher to see more of them at once",
    )
