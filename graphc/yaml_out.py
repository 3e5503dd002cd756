"""Write plain data as block-style YAML that graphc reads back to the same values.

PyYAML's emitter decides quoting with YAML 1.1 rules, and graphc reads YAML 1.2
core with exact decimals, so the two disagree on a few plain scalars: ``0o17``
or ``.5`` would be written bare and come back as numbers. Strings are therefore
quoted whenever graphc's own scalar resolver would not give the same string
back; Decimals are written in plain notation (never ``1E+2``); key order is
kept, and sequences are indented under their key as ``graphc fmt`` writes them.
"""

from __future__ import annotations

from decimal import Decimal

import yaml

from graphc.stages.load import resolve_plain_scalar
from graphc.units import format_decimal


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # `key:\n  - item`, not `key:\n- item`

    def ignore_aliases(self, data):
        return True  # the data is a tree: a value used twice (the loader shares equal numbers) is written twice


def _str(dumper, value: str):
    style = None if resolve_plain_scalar(value) == value and isinstance(resolve_plain_scalar(value), str) else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _decimal(dumper, value):
    text = format_decimal(Decimal(repr(value)) if isinstance(value, float) else value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(str, _str)
_Dumper.add_multi_representer(Decimal, _decimal)  # JsonFloat too
_Dumper.add_representer(float, _decimal)


def dump_yaml(data) -> str:
    """``data`` (dicts, lists, str, int, Decimal, bool, None) as block YAML, keys in insertion order."""
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1 << 30, indent=2
    )
