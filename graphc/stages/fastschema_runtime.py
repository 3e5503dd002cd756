"""What the generated schema checks call (graphc/stages/fastschema.py writes them; see its docstring).

A check answers exactly -- True: the schema accepts the value; False: jsonschema
would report an error -- or raises :class:`Unsure` when only jsonschema can
decide (a float, a NaN, a type the loader does not make). The rare cases live
here as functions; the usual ones are inlined in the generated code.
"""

from __future__ import annotations

import binascii
from decimal import Decimal


class Unsure(Exception):
    """Raised while checking when only jsonschema can decide."""


def schema_digest(text: str) -> str:
    """What the generated module records of a schema's text, so its checks serve that text only.

    A CRC-32 and the length (binascii is loaded already when graphc lints; importing hashlib would
    cost a one-file lint 8 ms): it tells an edited schema from the shipped one, all it is for.
    """
    return f"{binascii.crc32(text.encode('utf-8')):08x}-{len(text)}"


def surely_valid(check):
    """``instance -> bool``: True only when ``check`` accepts ``instance`` for sure."""

    def is_surely_valid(instance) -> bool:
        try:
            return check(instance)
        except (Unsure, RecursionError):
            return False

    return is_surely_valid


# -- types: jsonschema's Draft 2020-12 type checker, for the values the loader makes ------


def is_number(x) -> bool:
    t = type(x)
    if t is int:
        return True
    if t is Decimal:
        if not x.is_finite():
            raise Unsure  # jsonschema's comparisons raise on NaN
        return True
    if t in (str, dict, list, bool) or x is None:
        return False
    raise Unsure  # floats and other numbers: leave them to jsonschema


def is_integer(x) -> bool:
    t = type(x)
    if t is int:
        return True
    if t in (str, dict, list, bool) or x is None:
        return False
    raise Unsure  # Decimal("1.0"), floats: jsonschema's rules, not ours


def scalar_key(value):
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


def in_enum(x, keys) -> bool:
    """``x`` equals one of the values whose :func:`scalar_key` are ``keys``."""
    key = scalar_key(x)
    if key is None:
        if type(x) in (dict, list):
            return False  # an enum holds scalars only
        raise Unsure
    return key in keys


def not_a_text(x) -> bool:
    """False for a value outside an enum of texts (every such value is rejected), or Unsure."""
    if scalar_key(x) is None and type(x) not in (dict, list):
        raise Unsure
    return False


def not_an_integer_in_range(x) -> bool:
    """False for a value the inlined ``type: integer`` with bounds rejected (an int out of range, or not an int)."""
    is_integer(x)  # raises for what only jsonschema can decide
    return False
