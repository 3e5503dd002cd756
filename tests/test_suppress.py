"""Suppression comments: # graphc: ignore[...] and # graphc: ignore-file[...]."""

from __future__ import annotations

import pytest

from graphc.diagnostics import Diagnostic, Span
from graphc.suppress import comment_start, filter_suppressed, parse_suppressions


def diag(code, line, path="a.yaml"):
    return Diagnostic(code, "m", path, Span(line, 1) if line else None)


def kept(source, *diagnostics, **kwargs):
    return [(d.code, d.span.line if d.span else None) for d in filter_suppressed(list(diagnostics), source, **kwargs)]


def test_ignore_one_code_on_the_line():
    source = "a: 1\nb: 2  # graphc: ignore[GC405]\nc: 3\n"
    assert kept(source, diag("GC405", 2), diag("GC303", 2), diag("GC405", 3)) == [("GC303", 2), ("GC405", 3)]


def test_ignore_several_codes_and_names():
    source = "b: 2  # graphc: ignore[GC405, gc303 off-lot]\n"
    assert kept(source, diag("GC405", 1), diag("GC303", 1), diag("GC305", 1), diag("GC406", 1)) == [("GC406", 1)]


def test_bare_ignore_suppresses_every_code_on_the_line():
    source = "a: 1\nb: 2 # graphc: ignore\n"
    assert kept(source, diag("GC405", 2), diag("GC100", 2), diag("GC405", 1)) == [("GC405", 1)]


def test_ignore_file_anywhere():
    source = "a: 1\nb: 2\n# graphc: ignore-file[GC307]\n"
    assert kept(source, diag("GC307", 1), diag("GC307", None), diag("GC405", 2)) == [("GC405", 2)]


def test_bare_ignore_file_suppresses_everything():
    assert kept("#graphc: ignore-file\na: 1\n", diag("GC405", 2), diag("GC100", None)) == []


def test_empty_brackets_suppress_nothing():
    assert kept("a: 1 # graphc: ignore[]\n", diag("GC405", 1)) == [("GC405", 1)]


def test_a_diagnostic_without_a_line_is_only_suppressed_file_wide():
    assert kept("a: 1 # graphc: ignore\n", diag("GC100", None)) == [("GC100", None)]


@pytest.mark.parametrize(
    "line",
    [
        "a: 'text # graphc: ignore'",  # inside a single-quoted scalar
        'a: "text # graphc: ignore"',  # inside a double-quoted scalar
        'a: "say \\" # graphc: ignore"',  # escaped quote does not end the string
        "a: 'it''s # graphc: ignore'",  # '' escape in single quotes
        "a: x#graphc: ignore",  # '#' not preceded by whitespace is part of the scalar
        "a: 1 # graphc: ignored",  # not the directive
        "a: 1 # graphc: ignore-lines[GC405]",  # not the directive
    ],
)
def test_not_a_directive(line):
    assert kept(line + "\n", diag("GC405", 1)) == [("GC405", 1)]


@pytest.mark.parametrize(
    "line",
    [
        "a: it's fine # graphc: ignore[GC405]",  # an apostrophe in a plain scalar is not a quote
        "a: 'x' # graphc: ignore[GC405]",
        "- ['a', \"b\"] # graphc: ignore[GC405]",
        "a: 1 # note # graphc: ignore[GC405]",  # later in the same comment
        "a: 1\t# GRAPHC: IGNORE[gc405]",
        "# graphc: ignore[GC405]",
    ],
)
def test_directive(line):
    assert kept(line + "\n", diag("GC405", 1)) == []


def test_block_scalar_content_is_not_a_comment():
    source = "note: |\n  # graphc: ignore-file\n  more text\nprice: 1 # graphc: ignore[GC303]\n"
    assert kept(source, diag("GC405", 2), diag("GC303", 4)) == [("GC405", 2)]
    found = parse_suppressions(source)
    assert found.file == frozenset() and set(found.lines) == {4}


def test_json_has_no_comments():
    source = '{"a": 1, "b": "x # graphc: ignore-file"}\n'
    assert kept(source, diag("GC405", 1, "w.json"), path="w.json") == [("GC405", 1)]


def test_path_limits_the_filter_to_that_file():
    source = "# graphc: ignore-file\n"
    out = kept(source, diag("GC405", 1, "a.yaml"), diag("GC102", 1, "graphc.toml"), path="a.yaml")
    assert out == [("GC102", 1)]


def test_crlf_line_numbers():
    source = "a: 1\r\nb: 2 # graphc: ignore[GC405]\r\n"
    assert kept(source, diag("GC405", 2), diag("GC405", 1)) == [("GC405", 1)]


def test_no_source_or_no_directive_is_a_no_op():
    diagnostics = [diag("GC405", 1)]
    assert filter_suppressed(diagnostics, None) == diagnostics
    assert filter_suppressed(diagnostics, "a: 1\n") == diagnostics


@pytest.mark.parametrize(
    "line, index",
    [("# c", 0), ("a: b # c", 5), ("a: b# c", None), ("a: '#' # c", 7), ('k: "a\\"#" #c', 10), ("a: b", None)],
)
def test_comment_start(line, index):
    assert comment_start(line) == index
