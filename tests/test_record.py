"""Start-up shortcuts behave as what they replaced: graphc.record's classes as dataclasses, decode_source as utf-8-sig."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphc.diagnostics import Diagnostic, FileResult, Related, Span
from graphc.files import decode_source
from graphc.lint import LintOptions
from graphc.pipeline import CompileOptions
from graphc.record import FrozenInstanceError


@dataclasses.dataclass(frozen=True, order=True)
class DataSpan:
    """Span as it was: a frozen, ordered dataclass whose file and via are not compared."""

    line: int
    col: int
    end_line: int = 0
    end_col: int = 0
    file: str | None = dataclasses.field(default=None, compare=False)
    via: object = dataclasses.field(default=None, compare=False)


numbers = st.integers(min_value=0, max_value=3)
files = st.sampled_from([None, "a.yaml", "b.yaml"])
spans = st.tuples(numbers, numbers, numbers, numbers, files)


@given(spans, spans)
def test_span_compares_hashes_and_orders_as_the_dataclass_did(a, b):
    new_a, new_b = Span(*a), Span(*b)
    old_a, old_b = DataSpan(*a), DataSpan(*b)
    assert (new_a == new_b) is (old_a == old_b)
    assert (new_a != new_b) is (old_a != old_b)
    assert (new_a < new_b) is (old_a < old_b)
    assert (new_a <= new_b) is (old_a <= old_b)
    assert (new_a > new_b) is (old_a > old_b)
    assert (new_a >= new_b) is (old_a >= old_b)
    if new_a == new_b:
        assert hash(new_a) == hash(new_b)
    assert repr(new_a) == repr(old_a).replace("DataSpan", "Span")


def test_records_compare_only_with_their_own_class():
    assert Span(1, 2) != (1, 2, 0, 0)
    assert Span(1, 2).__eq__(DataSpan(1, 2)) is NotImplemented
    with pytest.raises(TypeError):
        _ = Span(1, 2) < (1, 2)  # the comparison is what is tested


def test_frozen_records_refuse_assignment_and_replace_makes_a_changed_copy():
    span = Span(1, 2, 1, 5, file="t.yaml", via=Related("p.yaml", Span(3, 4), "used here"))
    with pytest.raises(FrozenInstanceError):
        span.line = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del span.col
    moved = span.replace(line=7)
    assert (moved.line, moved.col, moved.file, moved.via) == (7, 2, "t.yaml", span.via)
    assert span.line == 1
    with pytest.raises(TypeError):
        span.replace(column=3)


def test_defaults_are_fresh_per_instance_and_records_survive_pickling():
    a, b = FileResult("a.yaml", None), FileResult("b.yaml", None)
    a.diagnostics.append(Diagnostic("GC101", "m"))
    assert b.diagnostics == [] and b.skipped == []
    diagnostic = Diagnostic("GC301", "off tick", "p.yaml", Span(3, 4, 3, 9), hint="use 0.01")
    assert pickle.loads(pickle.dumps(diagnostic)) == diagnostic
    assert hash(pickle.loads(pickle.dumps(diagnostic))) == hash(diagnostic)
    assert diagnostic.with_(severity="warning") == Diagnostic(
        "GC301", "off tick", "p.yaml", Span(3, 4, 3, 9), "warning", "use 0.01"
    )


def test_mutable_records_are_unhashable_and_replace_keeps_the_other_fields():
    options = LintOptions(compile=CompileOptions(params={"n": "1"}), quotes_given=True, select=("GC3",))
    with pytest.raises(TypeError):
        hash(options)
    changed = options.replace(require_quotes=False)
    assert changed.compile is options.compile and changed.select == ("GC3",) and changed.require_quotes is False
    assert changed != options and changed.replace(require_quotes=None) == options
    assert CompileOptions().quotes is not CompileOptions().quotes


@given(st.binary(max_size=12), st.booleans())
def test_sources_decode_as_the_utf_8_sig_codec_did(body, bom):
    # decode_source strips the BOM itself (no codec import at start-up); a bad byte is reported where utf-8-sig did
    raw = (b"\xef\xbb\xbf" if bom else b"") + body
    try:
        expected: object = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        expected = (exc.object, exc.start, exc.end, exc.reason)
    try:
        got: object = decode_source(raw)
    except UnicodeDecodeError as exc:
        got = (exc.object, exc.start, exc.end, exc.reason)
    assert got == expected
