"""The render stage is skipped only where it has nothing to do: pipeline._needs_render's search of the text
for the template keys' words gives what a look at each leg gives (the way it was, kept here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphc.pipeline import _TEMPLATE_KEYS, _TEMPLATE_MARKER, CompileOptions, _needs_render
from graphc.stages.load import load_text
from tests.bench_corpus import corpus_playbooks

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    p
    for folder in ("examples", "tests/fixtures")
    for p in (ROOT / folder).rglob("*.y*ml")
    if p.suffix in (".yaml", ".yml")
)


def needs_render_reference(doc, options: CompileOptions) -> bool:
    """FROZEN: _needs_render before the text search (every leg looked at)."""
    data = doc.data
    if "params" in data or options.params or options.params_file:
        return True
    legs = data.get("legs")
    if isinstance(legs, dict):
        for leg in legs.values():
            if isinstance(leg, dict) and not _TEMPLATE_KEYS.isdisjoint(leg):
                return True
    # a marker in the text, or in what YAML gave (an escape can write one the text does not show: compile16 fixb)
    return _TEMPLATE_MARKER.search(doc.text or "") is not None or _any_marker(doc.data)


def _any_marker(value) -> bool:
    if isinstance(value, str):
        return _TEMPLATE_MARKER.search(value) is not None
    if isinstance(value, dict):
        return any(_any_marker(k) or _any_marker(v) for k, v in value.items())
    if isinstance(value, list):
        return any(map(_any_marker, value))
    return False


def _same(text: str, name: str = "<test>") -> bool:
    doc, _ = load_text(text, name)
    if doc is None or not isinstance(doc.data, dict):
        return True  # compile never asks
    for options in (CompileOptions(), CompileOptions(params={"x": "1"})):
        assert _needs_render(doc, options) == needs_render_reference(doc, options), name
    return _needs_render(doc, CompileOptions())


def test_bench_corpus():
    assert not any(_same(text, name) for name, text in corpus_playbooks())  # none has a template


def test_examples_and_fixtures():
    decided = [_same(path.read_text(encoding="utf-8", errors="replace"), str(path)) for path in FILES]
    assert any(decided) and not all(decided)  # both answers occur


LEG = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1 BTC\n    symbol: BTC-USD\n"


@pytest.mark.parametrize(
    "extra",
    [
        "",
        "    use: ./t.yaml\n",
        '    "use": ./t.yaml\n',
        '    "\\u0075se": ./t.yaml\n',  # an escape writes the key: the text has no "use"
        '    "\\x77ith": {a: 1}\n',
        "    ? for_each\n    : [1, 2]\n",
        "    with: {a: 1}\n",
        "    note: {{ x }}\n",
        "    note: '{% raw %}'\n",
        "    note: {a: 1}\n",
        "    note: because\n",  # the word inside another: the slow look decides
        "  b: &b {use: ./t.yaml}\n  c: *b\n",
        "  b: &b {note: 1}\n  c:\n    <<: *b\n",
        '    note: "\\x7b\\x7b x }}"\n',  # an escape writes the marker: the text has no "{{"
        '    note: "{\\\n      { x }}"\n',  # an escaped line break joins "{" and "{ x }}"
        '    "\\x7b\\x7b x }}": 1\n',  # in a key
    ],
)
def test_edges(extra):
    _same(LEG + extra)


@pytest.mark.parametrize(
    "size",
    [
        '"\\x7b\\x7b 1 + 1 }} ETH"',  # YAML's escapes write the marker
        '"{\\\n      { 1 + 1 }} ETH"',  # an escaped line break joins the braces
    ],
)
def test_a_template_written_with_escapes_is_rendered(tmp_path, size):
    """Templates are read after YAML (spec §6.2): a marker an escape writes is a template. It was GC105
    "cannot read '{{ 1 + 1 }} ETH'" (the render was skipped: the file's text shows no `{{`)."""
    from graphc.pipeline import compile_text

    text = f"graphc: 1\nname: t\nlegs:\n  a:\n    buy: {size}\n    symbol: ETH-USD\n"
    result = compile_text(text, str(tmp_path / "p.yaml"))
    assert result.ok, [d.headline() for d in result.diagnostics]
    assert result.wire["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 200000000}}
