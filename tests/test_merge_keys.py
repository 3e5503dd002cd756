"""YAML merge keys (`<<`), and the `"<<"` of JSON, which is no merge key (graphc/stages/load.py).

- A mapping with two `<<:` merge keys repeats a key: GC101 at the second one (playbook-spec.md §1, "a mapping
  that repeats a key is an error (GC101), never 'last one wins'"). Readers disagree on which merge wins (ruamel,
  and so graphc fmt, refuse it; PyYAML lets the last one win; graphc let the first one win: a leg written to
  take 0.01 BTC from the last merge traded 5 BTC). One `<<: [*a, *b]` merges several mappings.
- A merge key is a plain `<<` (as PyYAML and ruamel read it): a quoted `"<<"` is the text `<<`. So JSON, whose
  keys are all quoted, never merges, whichever pass reads it; a `.json` file is read as JSON (a plain `<<` in one
  is not JSON: GC100, audit wire18 1). A wire graph's
  `"<<"` is an unknown key (GC102), as the router reads it (orders-and-execution-graphs.md, Node Fields).

Reproductions of the audit notes/audit/rulesA.md, findings 1 and 2 (m3.yaml, m4.yaml, j1.json, j2.json).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.stages.load import load_text
from graphc.yaml_out import dump_yaml
from tests.conftest import write
from tests.test_fuzz import check_fast_pass

# audit h/m4.yaml: the second merge (line 8) meant 0.01 BTC; the first one won, 5 BTC
M4 = """graphc: 1
name: t
legs:
  small: &small {symbol: BTC-USD, limit: 60000, buy: 0.01}
  big: &big {symbol: BTC-USD, limit: 60000, buy: 5}
  f:
    <<: *big
    <<: *small
"""
# audit h/m3.yaml: two instruments; leg f compiled as BTC-USD
M3 = """graphc: 1
name: t
legs:
  e: &d {symbol: BTC-USD, limit: 60000, buy: 0.01}
  g: &g {symbol: ETH-USD, limit: 3000, buy: 1}
  f:
    <<: *d
    <<: *g
"""
# audit h/j2.json: the node has no side or quantity of its own, only under a "<<" key
J2 = """{"nodes": [{"node_id": "a", "instrument": {"symbol": "BTC-USD", "type": "spot"},
  "<<": {"side": "buy", "quantity": {"fixed": {"qty_1e8": 50000000}}},
  "order_type": {"limit": {"price_1e9": 60000000000000}},
  "execution": {"policy": "sor"}, "activation": "root"}],
 "edges": [], "is_sandbox": true}
"""
# audit h/j1.json: the same with a risk limit (GC501 was reported at the "<<" value)
J1 = J2.replace('"edges": [],', '"edges": [], "risk": {"admission": {"max_notional_usd": 1000}},')

RUNNER = CliRunner()


def run(*args):
    return RUNNER.invoke(cli, [*map(str, args)])


def findings(result) -> list[tuple[str, int, int]]:
    """(code, line, col) of each finding of `lint -f json` output."""
    report = json.loads(result.output)
    return sorted((d["code"], d["line"], d["column"]) for d in report["diagnostics"])


# -- 1. two merge keys in one mapping ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, col, first",
    [
        (M4, 8, 5, 7),
        (M3, 8, 5, 7),
        ("a: &a {x: 1}\nb: &b {x: 2}\nc: {<<: *a, <<: *b}\n", 3, 13, 3),  # flow style
        ("c:\n  <<: {x: 1}\n  y: 2\n  <<: {x: 2}\n", 4, 3, 2),  # mappings written out, a key between
        ("a: &a {x: 1}\nc:\n  <<: [*a]\n  <<: *a\n", 4, 3, 3),  # a list, then an alias
        ("c:\n  <<: {x: 1}\n  <<: 5\n", 3, 3, 2),  # the second is not even a mapping: GC101 first
        ("top:\n  - k:\n      <<: {x: 1}\n      <<: {y: 1}\n", 4, 7, 3),  # in a list, nested
    ],
)
def test_a_second_merge_key_is_gc101_at_it(text, line, col, first):
    doc, diagnostics = load_text(text, "p.yaml")
    assert doc is None
    [d] = diagnostics
    assert (d.code, d.span.line, d.span.col) == ("GC101", line, col)
    assert d.message == f"duplicate key '<<' in mapping (first at line {first})"
    assert "`<<: [*first, *second]`" in d.hint


@pytest.mark.parametrize(
    "text, expected",
    [
        # one list of merges: the first mapping listed wins a key both have (as now, and as the YAML merge spec)
        ("a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n", {"x": 1, "y": 1, "z": 2}),
        # a key written beside one merge overrides it, before or after the merge
        ("a: &a {x: 1, y: 1}\nc:\n  <<: *a\n  x: 3\n", {"x": 3, "y": 1}),
        ("a: &a {x: 1, y: 1}\nc:\n  x: 3\n  <<: *a\n", {"x": 3, "y": 1}),
        ("a: &a {x: 1}\nc: {<<: *a, y: 2}\n", {"x": 1, "y": 2}),  # flow style in YAML: still a merge
        # merges in two different mappings are two keys of two mappings
        ("a: &a {x: 1}\nc: {<<: *a, d: {<<: *a}}\n", {"x": 1, "d": {"x": 1}}),
        # a quoted or `!!str` `<<` in YAML is text, not a merge: as PyYAML and ruamel read it
        ("a: &a {x: 1}\nc:\n  '<<': *a\n", {"<<": {"x": 1}}),
        ("a: &a {x: 1}\nc:\n  !!str <<: *a\n", {"<<": {"x": 1}}),
        ('a: &a {x: 1}\nc: {"<<": *a, y: 2}\n', {"<<": {"x": 1}, "y": 2}),
    ],
)
def test_one_merge_key_still_merges_and_a_quoted_one_is_text(text, expected):
    doc, diagnostics = load_text(text, "p.yaml")
    assert diagnostics == [] and doc is not None
    assert doc.data["c"] == expected
    check_fast_pass(text)


def test_a_key_written_twice_beside_a_merge_is_still_gc101():
    doc, [d] = load_text("a: &a {x: 1}\nc:\n  <<: *a\n  x: 2\n  x: 3\n", "p.yaml")
    assert doc is None and (d.code, d.span.line, d.span.col) == ("GC101", 5, 3)


@pytest.mark.parametrize("text, line", [(M4, 8), (M3, 8)])
@pytest.mark.parametrize("command", ["lint", "compile"])
def test_lint_and_compile_refuse_two_merges(tmp_path, command, text, line):
    path = write(tmp_path, "m.yaml", text)
    result = run(command, *(["--no-cache"] if command == "lint" else []), path)
    assert result.exit_code == 1
    assert f"m.yaml:{line}:5: error GC101 duplicate key '<<' in mapping (first at line 7)" in result.output
    assert "qty_1e8" not in result.output  # compile wrote no graph


def test_two_merges_in_a_use_template_params_file_and_quotes_file(tmp_path):
    template = "graphc-template: 1\nlegs:\n" + M4.split("legs:\n", 1)[1]
    write(tmp_path, "t/two.yaml", template)
    path = write(tmp_path, "use.yaml", "graphc: 1\nname: u\nlegs:\n  h:\n    use: ./t/two.yaml\n")
    result = run("lint", "--no-cache", path)
    assert result.exit_code == 1
    assert "two.yaml:7:5: error GC101 duplicate key '<<' in mapping (first at line 6)" in result.output

    playbook = write(
        tmp_path,
        "p.yaml",
        "graphc: 1\nname: p\nparams:\n  size: {type: quantity, default: 1 BTC}\n"
        'legs:\n  a: {buy: "{{ size }}", symbol: BTC-USD, limit: 60000}\n',
    )
    values = write(tmp_path, "values.yaml", "s: &s {size: 0.01 BTC}\nb: &b {size: 5 BTC}\n<<: *b\n<<: *s\n")
    result = run("compile", playbook, "--params", values)
    assert result.exit_code == 1
    assert "values.yaml:4:1: error GC101 duplicate key '<<'" in result.output

    quotes = write(tmp_path, "q.yaml", "BTC-USD:\n  <<: {bid: 1, ask: 2}\n  <<: {bid: 3, ask: 4}\n")
    result = run("lint", "--no-cache", "--quotes", quotes, playbook)
    assert result.exit_code == 1
    assert "q.yaml:3:3: error GC101 duplicate key '<<'" in result.output


# -- 2. JSON has no merge keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [J2, J2.replace("BTC-USD", "BTC-USDé")], ids=["ascii", "non-ascii"])
def test_a_json_wire_node_with_a_merge_like_key_is_gc102_and_gc104(tmp_path, text):
    """The non-ASCII text is refused by the JSON fast pass and read by the YAML passes: the same findings."""
    path = write(tmp_path, "j2.json", text)
    result = run("lint", "--no-cache", "-f", "json", path)
    assert result.exit_code == 1
    # GC104 at the node (1:12), GC102 at the "<<" key (2:3)
    assert findings(result) == [("GC102", 2, 3), ("GC104", 1, 12), ("GC104", 1, 12)]
    messages = [d["message"] for d in json.loads(result.output)["diagnostics"]]
    assert "unknown key '<<' in nodes.0" in messages
    assert {'nodes.0 needs "side"', 'nodes.0 needs "quantity"'} <= set(messages)  # JSON words (wire18 6)


def test_a_json_merge_like_key_is_no_risk_finding_and_plan_writes_nothing(tmp_path):
    path = write(tmp_path, "j1.json", J1)
    result = run("lint", "--no-cache", "-f", "json", path)
    assert findings(result) == [("GC102", 2, 3), ("GC104", 1, 12), ("GC104", 1, 12)]  # no GC501 at the "<<"
    saved = tmp_path / "j1.plan.json"
    result = run("plan", path, "-o", saved)
    assert result.exit_code == 1 and not saved.exists()
    for command in ("graph", "decompile"):
        result = run(command, path)
        assert result.exit_code == 1 and "buy 0.5 BTC" not in result.output


@pytest.mark.parametrize(
    "text",
    [
        '{"<<": {"a": 1}}',
        '{"<<": {"a": 1}, "b": 2}',
        '{"a": {"<<": [1]}}',
        '{"\\u003c<": {"a": 1}}',  # written with an escape
        '{"<<": {"a": 1}, "x": "é"}',  # not ASCII: the YAML passes read it
        '{\n  "<<": {"a": 1}\n}',
    ],
)
@pytest.mark.parametrize("name", ["w.json", "w.yaml", "-"])
def test_a_quoted_merge_key_is_text_in_any_file(text, name):
    """JSON is read as JSON in a .yaml file too (and from stdin): its keys are quoted, so none merges."""
    doc, diagnostics = load_text(text, name)
    assert diagnostics == [] and doc is not None
    assert doc.data == json.loads(text)
    check_fast_pass(text)


def test_two_quoted_merge_like_keys_are_an_ordinary_duplicate():
    doc, [d] = load_text('{"a": {"<<": 1, "<<": 2}}', "w.json")
    # the second "<<" is the 17th character
    assert doc is None and (d.code, d.span.line, d.span.col) == ("GC101", 1, 17)
    assert d.message == "duplicate key '<<' in mapping (first at line 1)"


def test_a_plain_merge_key_in_a_json_file_is_not_json(tmp_path):
    """A .json file written in YAML is not JSON (audit wire18 1): its plain `<<` is GC100 where JSON stops, in a
    .json file of any case; the same text in a YAML file merges."""
    text = J2.replace('"<<"', "<<")  # a plain `<<` with a mapping written out: YAML, in a .json file
    for name in ("w.json", "w.JSON"):
        doc, [d] = load_text(text, name)
        assert doc is None and (d.code, d.span.line, d.span.col) == ("GC100", 2, 3)
        assert d.message == "not valid JSON: expected a key in double quotes, found `<`"
    doc, diagnostics = load_text(text, "w.yaml")  # the same text in a YAML file merges
    assert diagnostics == [] and doc is not None and doc.data["nodes"][0]["side"] == "buy"

    path = write(tmp_path, "y.json", text)
    result = run("lint", "--no-cache", "-f", "json", path)
    assert findings(result) == [("GC100", 2, 3)]


def test_yaml_written_by_graphc_quotes_a_merge_like_key():
    """decompile's YAML writer quotes a `<<` text, so what it writes reads back as the same key, never a merge."""
    data = {"a": {"<<": {"x": 1}, "y": ["<<"]}}
    text = dump_yaml(data)
    assert "'<<':" in text
    doc, diagnostics = load_text(text, "out.yaml")
    assert diagnostics == [] and doc is not None and doc.data == data


def test_fmt_keeps_a_quoted_merge_like_key_quoted(tmp_path):
    path = write(
        tmp_path, "p.yaml", 'graphc: 1\nname: t\nlegs:\n  a:\n    "<<": {buy: 1}\n    symbol: BTC-USD\n    limit: 1\n'
    )
    result = RUNNER.invoke(cli, ["fmt", "-"], input=path.read_text())
    assert result.exit_code == 0
    assert '    "<<": {buy: 1}\n' in result.output
    doc, _ = load_text(result.output, "p.yaml")
    assert doc is not None and doc.data["legs"]["a"]["<<"] == {"buy": 1}


@pytest.mark.parametrize("text", ["a: {'<<': [2], <<: {b: 1}}\n", "a: {<<: {b: 1}, '<<': [2]}\n"])
def test_a_merge_beside_the_text_key_keeps_its_position(text):
    """The text key `'<<'` and a merge in one mapping: the key's value is where it is written (column 11 or 23),
    not at the merge, and the merged key is at the merged mapping (column 20 or 9); columns counted by hand."""
    doc, diagnostics = load_text(text, "p.yaml")
    assert diagnostics == [] and doc is not None and doc.data == {"a": {"<<": [2], "b": 1}}
    first = text.startswith("a: {'")
    assert doc.span(("a", "<<")).col == (11 if first else 23)
    assert doc.span(("a", "<<", 0)).col == (12 if first else 24)
    assert doc.span(("a", "b")).col == (20 if first else 9)
    assert doc.key_span(("a", "<<")).col == (5 if first else 17)


def test_the_gc101_page_merge_example_and_its_fix(tmp_path):
    """docs/rules/GC101.md's second failing example (two merge keys) is GC101, and its fix compiles `retry`
    with the size of `*probe`, listed first: 0.01 BTC is qty_1e8 1000000, at probe's limit 59000."""
    from tests.conftest import REPO

    page = (REPO / "docs" / "rules" / "GC101.md").read_text()
    blocks = [b for b in page.split("```yaml\n")[1:] if "<<:" in b.split("```")[0]]
    failing, fixed = (b.split("```")[0] for b in blocks)
    result = run("lint", "--no-cache", write(tmp_path, "failing.yaml", failing))
    assert result.exit_code == 1 and "failing.yaml:8:5: error GC101 duplicate key '<<'" in result.output
    result = run("compile", write(tmp_path, "fixed.yaml", fixed))
    assert result.exit_code == 0, result.output
    [retry] = [n for n in json.loads(result.stdout)["nodes"] if n["node_id"] == "retry"]
    assert retry["quantity"] == {"fixed": {"qty_1e8": 1000000}}
    assert retry["order_type"] == {"limit": {"price_1e9": 59000 * 10**9}}
