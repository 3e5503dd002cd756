"""Write plain data as block-style YAML that graphc reads back to the same values.

PyYAML's emitter decides quoting with YAML 1.1 rules, and graphc reads YAML 1.2
core with exact decimals, so the two disagree on a few plain scalars: ``0o17``
or ``.5`` would be written bare and come back as numbers. Strings are therefore
quoted whenever graphc's own scalar resolver would not give the same string
back; Decimals are written in plain notation (never ``1E+2``); key order is
kept, and sequences are indented under their key as ``graphc fmt`` writes them.

PyYAML's emitter is pure Python and costs about 100 µs a scalar (a decompiled
100k-leg graph: over a minute), so :func:`dump_yaml` writes the text itself
when every scalar is one it can place exactly as PyYAML would: single-line
text, numbers, booleans and null, under text keys. The quoting style of each
scalar is still PyYAML's own decision (its scalar analysis and its YAML 1.1
resolver, remembered per text); anything else (a line break, a key PyYAML
would write as ``? key``) hands the whole document to PyYAML. Both paths give
the same bytes (tests/test_decompile.py checks them against each other).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import yaml
from yaml.emitter import Emitter
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from graphc.stages.load import LoadError, resolve_plain_scalar
from graphc.units import format_decimal

STR, INT, FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # `key:\n  - item`, not `key:\n- item`

    def ignore_aliases(self, data):
        return True  # the data is a tree: a value used twice (the loader shares equal numbers) is written twice


def _needs_double_quotes(value: str) -> bool:
    """Whether graphc would read the plain scalar as something else than this string."""
    try:
        resolved = resolve_plain_scalar(value)
    except LoadError:  # a number graphc cannot read exactly: as text it must be quoted
        return True
    return not (isinstance(resolved, str) and resolved == value)


def _str(dumper, value: str):
    return dumper.represent_scalar(STR, value, style='"' if _needs_double_quotes(value) else None)


def _decimal_text(value) -> tuple[str, str]:
    """(tag, text) of a Decimal (JsonFloat too) or float: plain notation, a float only with a point."""
    text = format_decimal(Decimal(repr(value)) if isinstance(value, float) else value)
    return (FLOAT if "." in text else INT), text


def read_back(value):
    """What graphc's loader gives for the text this module writes for ``value``, a number that is not an int (a
    Decimal or float; anything else is given back as it is): ``Decimal('2318.120000000')`` is written ``2318.12``
    and read as ``Decimal('2318.12')``, ``Decimal('5E+2')`` as the int ``500``. Data that holds this is the data its
    text gives (graphc.decompile's proof in two processes compares the two exactly)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, float)):
        return value
    try:
        return resolve_plain_scalar(_decimal_text(value)[1])
    except LoadError:  # (no number the writer writes is out of the reader's range; kept as it is if one were)
        return value


def _decimal(dumper, value):
    return dumper.represent_scalar(*_decimal_text(value))


_Dumper.add_representer(str, _str)
_Dumper.add_multi_representer(Decimal, _decimal)  # JsonFloat too
_Dumper.add_representer(float, _decimal)


def dump_yaml(data) -> str:
    """``data`` (dicts, lists, str, int, Decimal, bool, None) as block YAML, keys in insertion order."""
    if isinstance(data, dict) and data:
        out: list[str] = []
        try:
            _mapping(data, 0, "", out)
        except _UsePyYAML:
            pass
        else:
            return "".join(out)
    return _pyyaml_dump(data)


def _pyyaml_dump(data) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 30, indent=2
    )


# -- the fast path ------------------------------------------------------------------------------


class _UsePyYAML(Exception):
    """A scalar or key this writer does not place exactly as PyYAML would."""


_ANALYZER = Emitter(io.StringIO(), allow_unicode=True)  # only its analyze_scalar is used: nothing is written
_RESOLVER = Resolver()  # PyYAML's YAML 1.1 implicit resolver: what its emitter may write bare
# Text PyYAML's analyze_scalar always lets be plain, in block context and as a simple key: it starts with a
# letter or digit (no indicator), has no `:`, `#`, `,`, brackets, quotes or line breaks, and single spaces
# only between words.
_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/%+-]*(?: [A-Za-z0-9._/%+-]+)*\Z")
_TEXTS: tuple[dict, dict] = ({}, {})  # string -> its YAML text, as a value and as a key
_MAX_REMEMBERED = 65536


def _text(value: str, key: bool) -> str:
    """A string scalar as PyYAML writes it (plain, 'single' or "double" quoted), or _UsePyYAML."""
    texts = _TEXTS[key]
    remembered = texts.get(value)
    if remembered is not None:
        return remembered
    if value[:1] in _PLAIN_FIRST and len(value) < 128 and _WORDS.match(value):
        # the usual text (a leg id, `l41 filled 50%`): what the steps below give it, plain, found in one test
        if len(texts) < _MAX_REMEMBERED:
            texts[value] = value
        return value
    if _WORDS.match(value) and len(value) < 128:
        analysis = None  # words PyYAML's analysis always allows plain (leg ids, `spot filled 50%`): skip it
    else:
        analysis = _ANALYZER.analyze_scalar(value)
        if analysis.multiline or (key and (analysis.empty or len(value) >= 128)):
            raise _UsePyYAML  # line breaks are folded with the indent; long or empty keys are written as `? key`
    if _needs_double_quotes(value):
        text = _double_quoted(value)
    elif _resolves_to_str(value) and (analysis is None or analysis.allow_block_plain):
        text = value
    elif analysis is None or analysis.allow_single_quoted:
        text = "'" + value.replace("'", "''") + "'"
    else:
        text = _double_quoted(value)
    if len(texts) < _MAX_REMEMBERED:
        texts[value] = text
    return text


# First letters of words that both readers take as text whatever follows: graphc's resolver reads a plain scalar
# starting with a letter as text unless it is null, true or false (n, t, f: resolve_plain_scalar), and PyYAML's
# has no implicit resolver (bool, null, ...) listed under them. With _WORDS, such a word needs no quotes, is
# plain in PyYAML's analysis, and is written as it is: _text's steps give it so.
_PLAIN_FIRST = (
    frozenset(
        c
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        if c not in "nNtTfF" and c not in _RESOLVER.yaml_implicit_resolvers
    )
    if None not in _RESOLVER.yaml_implicit_resolvers and not _RESOLVER.yaml_path_resolvers
    else frozenset()
)


def _resolves_to_str(value: str) -> bool:
    """Whether PyYAML's resolver reads the plain scalar ``value`` as text: asked of it only when one of its implicit
    resolvers may apply, those listed under the first character (a leg id ``l123`` or ``spot filled 50%`` has none,
    and its resolver then gives its default, text, after a look at each table)."""
    table = _RESOLVER.yaml_implicit_resolvers
    if value and value[0] not in table and None not in table and not _RESOLVER.yaml_path_resolvers:
        return True  # (Resolver.resolve: no implicit resolver, no path resolver -> DEFAULT_SCALAR_TAG, text)
    return _RESOLVER.resolve(ScalarNode, value, (True, False)) == STR


def _double_quoted(value: str) -> str:
    """PyYAML's double-quoted form (allow_unicode, no line folding): its escapes, character for character."""
    out = ['"']
    for ch in value:
        if ch in '"\\\x85\u2028\u2029\ufeff' or not (
            "\x20" <= ch <= "\x7e" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
        ):
            if ch in Emitter.ESCAPE_REPLACEMENTS:
                out.append("\\" + Emitter.ESCAPE_REPLACEMENTS[ch])
            elif ch <= "\xff":
                out.append(f"\\x{ord(ch):02X}")
            elif ch <= "\uffff":
                out.append(f"\\u{ord(ch):04X}")
            else:
                out.append(f"\\U{ord(ch):08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _scalar(value) -> str | None:
    """The YAML text of a scalar value, or None for a mapping or list."""
    kind = type(value)
    if kind is str:
        return _text(value, False)
    if kind is bool:
        return "true" if value else "false"
    if value is None:
        return "null"
    if kind is int:
        tag, text = INT, str(value)
    elif kind is float or isinstance(value, Decimal):
        tag, text = _decimal_text(value)
    elif kind is dict or kind is list:
        return None
    else:
        raise _UsePyYAML  # a type only PyYAML's representers know (or refuse)
    if _RESOLVER.resolve(ScalarNode, text, (True, False)) != tag:
        raise _UsePyYAML  # PyYAML would add an explicit tag
    return text


def _mapping(data: dict, indent: int, first_prefix: str, out: list) -> None:
    """Block mapping lines at ``indent``; the first key follows ``first_prefix`` (``- `` in a list)."""
    pad = " " * indent
    prefix = first_prefix
    value_texts, key_texts = _TEXTS  # _text's memory, asked first (a remembered text is never empty)
    for key, value in data.items():
        if type(key) is not str:
            raise _UsePyYAML
        head = prefix + (key_texts.get(key) or _text(key, True)) + ":"
        prefix = pad
        text = (value_texts.get(value) or _text(value, False)) if type(value) is str else _scalar(value)
        if text is not None:
            out.append(f"{head} {text}\n")
        elif not value:
            out.append(head + (" {}\n" if isinstance(value, dict) else " []\n"))
        elif isinstance(value, dict):
            out.append(head + "\n")
            _mapping(value, indent + 2, " " * (indent + 2), out)
        else:
            out.append(head + "\n")
            _sequence(value, indent + 2, " " * (indent + 2), out)


def _sequence(data: list, indent: int, first_prefix: str, out: list) -> None:
    """Block sequence items at ``indent``; the first ``-`` follows ``first_prefix``."""
    pad = " " * indent
    prefix = first_prefix
    value_texts = _TEXTS[0]
    for value in data:
        text = (value_texts.get(value) or _text(value, False)) if type(value) is str else _scalar(value)
        if text is not None:
            out.append(f"{prefix}- {text}\n")
        elif not value:
            out.append(prefix + ("- {}\n" if isinstance(value, dict) else "- []\n"))
        elif isinstance(value, dict):
            _mapping(value, indent + 2, prefix + "- ", out)
        else:
            _sequence(value, indent + 2, prefix + "- ", out)
        prefix = pad
