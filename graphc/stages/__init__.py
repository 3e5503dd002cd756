"""The compile pipeline's stages (load, render, validate, model, emit, ...).

Importing PyYAML compiles, at class creation, the pure-Python reader's
pattern of non-printable characters (``yaml.reader.Reader.NON_PRINTABLE``),
whose ranges up to U+10FFFF take ``re`` some 5 ms to compile: a twentieth of
a one-file ``graphc lint``, for a reader graphc never uses (libyaml's parser
reads the text). This package is imported before :mod:`graphc.stages.load`
imports yaml, so it files the same character set, written as the short list
of characters it matches, in ``re``'s pattern cache under yaml's pattern
text: the reader gets a pattern that matches exactly the same characters
(tests/test_fuzz.py compares them over every code point), compiled in a
fraction of the time. Where ``re`` keeps no such cache, or yaml is imported
already, nothing is done.
"""

from __future__ import annotations

import re
import sys

# yaml.reader.Reader.NON_PRINTABLE's pattern, and the characters it matches (all of them below U+10000).
YAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
NON_PRINTABLE_LISTED = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"


def _file_yaml_reader_pattern() -> None:
    cache = getattr(re, "_cache", None)
    if "yaml" in sys.modules or not isinstance(cache, dict):
        return
    cache.setdefault((str, YAML_NON_PRINTABLE, 0), re.compile(NON_PRINTABLE_LISTED))


_file_yaml_reader_pattern()
