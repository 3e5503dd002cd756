"""`graphc graph`: Mermaid and DOT text, and PNG/SVG through Graphviz.

The PNG and SVG tests need Graphviz's `dot`. Where it is not installed they
are skipped with the reason shown, except under GRAPHC_REQUIRE_GRAPHVIZ=1
(set by .ci/run, which installs graphviz), where they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.render_graph import NodeText, picture, to_dot, to_mermaid
from tests.conftest import EXAMPLES, REPO

GOLDEN = REPO / "tests" / "golden"
PLAYBOOKS = sorted(p for p in EXAMPLES.glob("*.yaml") if "graphc:" in p.read_text())
QUOTES = str(EXAMPLES / "quotes.yaml")


needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("GRAPHC_REQUIRE_GRAPHVIZ"),
    reason="Graphviz's dot is not installed (apt-get install graphviz / brew install graphviz)",
)


def graph(*args, **kwargs):
    result = CliRunner().invoke(cli, ["graph", *map(str, args)], **kwargs)
    return result


def assert_png(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0
    assert data[-12:-8] == b"\x00\x00\x00\x00" and data[-8:-4] == b"IEND"


# -- pictures of every example -----------------------------------------------------------


@needs_graphviz
@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.name)
def test_every_example_draws_as_png(path, tmp_path):
    out = tmp_path / "graph.png"
    result = graph(path, "--format", "png", "-o", out)
    assert result.exit_code == 0, result.output
    assert_png(out.read_bytes())


@needs_graphviz
def test_png_to_stdout_and_svg(tmp_path):
    result = graph(EXAMPLES / "dip-buy.yaml", "--format", "png", "--quotes", QUOTES)
    assert result.exit_code == 0, result.output
    assert_png(result.stdout_bytes)
    svg = graph(EXAMPLES / "eth-hedge.yaml", "--format", "svg").stdout
    assert "<svg" in svg and "filled 50%" in svg and "max notional $1m" in svg


def test_missing_graphviz_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr("graphc.render_graph.shutil.which", lambda name: None)
    result = graph(EXAMPLES / "eth-hedge.yaml", "--format", "png", "-o", tmp_path / "x.png")
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.stderr and "brew install graphviz" in result.stderr
    assert not (tmp_path / "x.png").exists()
    assert graph(EXAMPLES / "eth-hedge.yaml", "--format", "mermaid").exit_code == 0  # text needs no dot


# -- what the boxes and arrows say -----------------------------------------------------------


def test_hedge_in_mermaid():
    text = graph(EXAMPLES / "eth-hedge.yaml").stdout
    assert text.startswith("flowchart LR\n")
    assert 'n0[["<b>spot (root)</b><br/>buy 200 ETH<br/>ETH-USD (spot)<br/>any venue (router picks)<br/>market' in text
    assert 'n1["<b>hedge</b><br/>sell 200 ETH<br/>ETH-USD-PERP (perp)<br/>venue hyperliquid<br/>market' in text
    assert '    n0 -->|"filled 50%"| n1\n' in text
    assert "max notional $1m<br/>max loss $10k" in text
    assert "classDef root" in text and "n0[[" in text and ":::root" in text


def test_hedge_in_dot():
    text = graph(EXAMPLES / "eth-hedge.yaml", "--format", "dot").stdout
    assert text.startswith('digraph "eth-spot-perp-hedge" {')
    assert re.search(r"n0 \[label=<<b>spot \(root\)</b>.*peripheries=2", text)
    assert 'n0 -> n1 [label="filled 50%"];' in text
    assert "limits [shape=note" in text and "max notional $1m" in text


def test_template_prices_are_drawn_as_written_and_resolved_with_quotes():
    plain = graph(EXAMPLES / "prediction-arb.yaml").stdout
    assert "limit ask + 1 tick<br/>" in plain
    quoted = graph(EXAMPLES / "prediction-arb.yaml", "--quotes", QUOTES).stdout
    assert "limit ask + 1 tick = 0.42" in quoted and "limit ask + 1 tick = 0.57" in quoted
    assert "buy 100 contracts" in quoted and "buy 100 shares" in quoted


EXIT_TEMPLATE = """\
graphc-template: 1
params:
  size: {type: quantity}
  bps: {type: integer, default: 30}
legs:
  tp:
    sell: "{{ size }}"
    symbol: ETH-USD
    limit: "bid + {{ bps }}bps"
"""


# the audit's playbooks: at the template's `limit:` (line 10, column 12) play3 holds another leg's price, play2 a size
PLAY3 = """\
graphc: 1
name: play3
legs:
  entry:
    buy: 2 ETH
    symbol: ETH-USD
  other:
    buy: 1 ETH
    symbol: ETH-USD
    limit: "ask - 2%"
  exit:
    use: ./templates/exit.yaml
    with: {size: 2 ETH, bps: 50}
    after: entry filled
"""
PLAY2 = PLAY3.replace("name: play3", "name: play2").replace(
    "    symbol: ETH-USD\n  other:", "    symbol: ETH-USD\n    policy: ioc_sweep\n    tif: IOC\n  other:"
)


@pytest.mark.parametrize("text", [PLAY3, PLAY2], ids=["play3", "play2"])
def test_a_use_leg_is_drawn_with_its_own_rendered_price(tmp_path, text):
    """Audit cmds16 1: the template leg's price was cut from the playbook at the template's line and column."""
    (tmp_path / "graphc.toml").write_text("")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "exit.yaml").write_text(EXIT_TEMPLATE)
    play = tmp_path / "play.yaml"
    play.write_text(text)
    plain = graph(play).stdout
    market = "ETH-USD (spot)<br/>any venue (router picks)"
    assert f'"<b>exit.tp</b><br/>sell 2 ETH<br/>{market}<br/>limit bid + 50bps"' in plain
    assert f'"<b>other (root)</b><br/>buy 1 ETH<br/>{market}<br/>limit ask - 2%"' in plain
    assert plain.count("limit ") == 2
    quoted = graph(play, "--quotes", QUOTES).stdout  # 2325.10 × 1.005 = 2336.7255, a sell rounded up
    assert "limit bid + 50bps = 2336.73" in quoted and "limit ask - 2% = 2279.01" in quoted
    assert quoted.count("limit ") == 2
    dot = graph(play, "--quotes", QUOTES, "--format", "dot").stdout
    assert "limit bid + 50bps = 2336.73" in dot and "limit ask - 2% = 2279.01" in dot


def test_ladder_rungs_are_drawn_with_their_rendered_offsets():
    """Audit cmds16 4: each rung showed the raw Jinja `bid - {{ index * step_bps }}bps`."""
    plain = graph(EXAMPLES / "eth-ladder.yaml").stdout
    assert "{{" not in plain and "#123;" not in plain
    offsets = ["0", "10", "20", "30", "40", "50", "60", "70", "80", "90"]
    for i, bps in enumerate(offsets):
        assert f"<b>rung-{i}{' (root)' if i == 0 else ''}</b><br/>buy 0.5 ETH<br/>" in plain
        assert f"limit bid - {bps}bps<br/>" in plain
    assert [line.split("limit ")[1].split("<br/>")[0] for line in plain.splitlines() if "limit bid" in line] == [
        f"bid - {bps}bps" for bps in offsets
    ]
    quoted = graph(EXAMPLES / "eth-ladder.yaml", "--quotes", QUOTES).stdout  # bids, rounded down to the cent
    for text in ("bid - 0bps = 2325.1<", "bid - 10bps = 2322.77<", "bid - 20bps = 2320.44<", "bid - 90bps = 2304.17<"):
        assert "limit " + text in quoted
    wide = graph(EXAMPLES / "eth-ladder.yaml", "--set", "step_bps=25", "--set", "rungs=3").stdout
    assert "limit bid - 0bps<br/>" in wide and "limit bid - 25bps<br/>" in wide and "limit bid - 50bps<br/>" in wide


def test_a_param_in_a_price_is_drawn_with_its_value(tmp_path):
    """Audit cmds16 4: `--set step=200` was drawn as `bid - {{ step }}bps`."""
    play = tmp_path / "pt.yaml"
    play.write_text(
        "graphc: 1\nname: pt\nparams:\n  step: {type: integer, default: 10}\nlegs:\n  a:\n    buy: 1 ETH\n"
        '    symbol: ETH-USD\n    limit: "bid - {{ step }}bps"\n'
    )
    assert '<br/>limit bid - 10bps"' in graph(play).stdout
    assert '<br/>limit bid - 200bps"' in graph(play, "--set", "step=200").stdout
    dot = graph(play, "--set", "step=200", "--quotes", QUOTES, "--format", "dot").stdout
    assert "limit bid - 200bps = 2278.59" in dot and "{{" not in dot  # 2325.10 × 0.98 = 2278.598, rounded down


def test_notional_size_shows_both_forms():
    assert "buy $250k<br/>" in graph(EXAMPLES / "btc-twap.yaml").stdout
    assert "buy 2.57066765 BTC ($250k)" in graph(EXAMPLES / "btc-twap.yaml", "--quotes", QUOTES).stdout


def test_wire_json_and_simple_order(tmp_path):
    text = graph(GOLDEN / "prediction-arb.json").stdout
    assert "limit 0.42" in text and "limit 0.57" in text and "buy 100 contracts" in text
    order = tmp_path / "order.json"
    order.write_text('{"symbol": "BTC-USD", "side": "sell", "qty": 0.5}')
    # the order leaves the type to the router, which reads the pair as spot (audit wirelint23 1)
    assert "sell 0.5 BTC<br/>BTC-USD (spot, by default)<br/>any venue (router picks)<br/>market" in graph(order).stdout


def _wire(edges, **node_extra):
    base = json.loads((GOLDEN / "eth-hedge.json").read_text())
    base["nodes"][0].update(node_extra)
    base["edges"] = [{"edge_id": f"e{i}", "from_node": "spot", "to_node": "hedge", **e} for i, e in enumerate(edges)]
    return base


def test_every_trigger_in_the_playbooks_words():
    wire = _wire(
        [
            {"trigger": "on_accepted"},
            {"trigger": "on_first_fill"},
            {"trigger": "on_fill"},
            {"trigger": "on_fill_ratio", "condition": {"fill_ratio_gte": 0.25}},
            {"trigger": "on_full_fill"},
            {"trigger": {"on_timeout": {"ms": 5000}}},
            {"trigger": "on_cancel"},
            {"trigger": "on_done"},
            {
                "trigger": {
                    "on_price": {
                        "symbol": "BTC-USD",
                        "direction": "below",
                        "reference": "graph_entry_price",
                        "offset_pct": -5.0,
                    }
                }
            },
        ]
    )
    labels = [label for _, _, label in picture(wire).arrows]
    assert labels == [
        "accepted",
        "first fill",
        "each fill",
        "filled 25%",
        "filled",
        "+5s",
        "cancelled",
        "done",
        "price BTC-USD below entry -5%",
    ]


# audit pict22 1: an edge with a `condition` on a trigger other than on_fill_ratio (lint: GC208) was labelled with
# the trigger's name and the ratio (`on_price 50%`, `on_timeout 100%`), losing the price level and the delay. Each
# documented trigger is drawn as without a condition, the condition after it; written out by hand per format.
PRICE = {"symbol": "BTC-USD", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5.0}
VWAP = {"symbol": "ETH-USD", "direction": "above", "reference": "vwap", "offset_pct": 2.5}
EVERY_TRIGGER = [  # (trigger, its label without a condition, with {"fill_ratio_gte": 0.5})
    ("on_accepted", "accepted", "accepted (fill ≥ 50%)"),
    ("on_first_fill", "first fill", "first fill (fill ≥ 50%)"),
    ("on_fill", "each fill", "each fill (fill ≥ 50%)"),
    ("on_fill_ratio", "on_fill_ratio", "filled 50%"),
    ("on_full_fill", "filled", "filled (fill ≥ 50%)"),
    ({"on_timeout": {"ms": 3_600_000}}, "+1h", "+1h (fill ≥ 50%)"),
    ({"on_price": PRICE}, "price BTC-USD below entry -5%", "price BTC-USD below entry -5% (fill ≥ 50%)"),
    ({"on_price": VWAP}, "price ETH-USD above vwap +2.5%", "price ETH-USD above vwap +2.5% (fill ≥ 50%)"),
    ("on_cancel", "cancelled", "cancelled (fill ≥ 50%)"),
    ("on_done", "done", "done (fill ≥ 50%)"),
]


@pytest.mark.parametrize(
    "fmt, arrow",
    [("mermaid", '    n0 -->|"{}"| n1'), ("dot", '  n0 -> n1 [label="{}"];')],
)
def test_every_trigger_is_drawn_with_and_without_a_condition(tmp_path, fmt, arrow):
    edges = []
    for trigger, _, _ in EVERY_TRIGGER:
        edges += [{"trigger": trigger}, {"trigger": trigger, "condition": {"fill_ratio_gte": 0.5}}]
    path = tmp_path / "every.json"
    path.write_text(json.dumps(_wire(edges)))
    result = graph(path, "--format", fmt)
    assert result.exit_code == 0, result.output
    drawn = [line for line in result.stdout.splitlines() if "n0 -" in line]
    labels = [label for _, plain, conditioned in EVERY_TRIGGER for label in (plain, conditioned)]
    if fmt == "mermaid":  # Mermaid's entity for anything outside ASCII
        labels = [label.replace("≥", "#8805;") for label in labels]
    assert drawn == [arrow.format(label) for label in labels]


def test_the_trigger_walk_covers_every_trigger_the_wire_schema_has():
    trigger = json.loads((REPO / "schemas" / "wire-graph.schema.json").read_text())["$defs"]["edge"]["properties"]
    trigger = trigger["trigger"]
    documented = {*trigger["then"]["enum"], *trigger["properties"]}
    assert {t if isinstance(t, str) else next(iter(t)) for t, _, _ in EVERY_TRIGGER} == documented


def test_a_playbook_edge_mapping_with_a_fill_ratio_draws_its_trigger(tmp_path):
    path = tmp_path / "tcond.yaml"
    path.write_text(
        "graphc: 1\nname: tcond\nlegs:\n  entry:\n    buy: 0.1 BTC\n    symbol: BTC-USD\n"
        "  later:\n    sell: 0.1 BTC\n    symbol: BTC-USD\n    after:\n      - from: entry\n"
        "        trigger: {on_timeout: {ms: 3600000}}\n        fill_ratio: 100%\n"
    )
    result = graph(path, "--format", "dot")
    assert result.exit_code == 0, result.output
    assert '  n0 -> n1 [label="+1h (fill ≥ 100%)"];' in result.stdout.splitlines()


def test_unknown_legs_and_live_graphs_are_visible():
    wire = _wire([{"trigger": "on_done"}])
    wire["edges"][0]["from_node"] = "ghost"
    wire["is_sandbox"] = False
    del wire["risk"]
    pic = picture(wire)
    assert [b.title for b in pic.boxes if b.unknown] == ["ghost"]
    assert pic.note[1:] == ["LIVE (not sandboxed)", "no risk limits"]
    assert "stroke-dasharray" in to_mermaid(pic) and 'style="rounded,dashed"' in to_dot(pic)


# audit rulesA.md 5 (h/nosb.json): one limit node and no `is_sandbox`. `plan` says "mode: NOT SET: no is_sandbox,
# the router's default would decide" and submit refuses it (docs/submitting.md), but the picture said "sandbox".
NO_MODE = (
    '{"nodes": [{"node_id": "a", "instrument": {"symbol": "BTC-USD", "type": "spot"}, "side": "buy",\n'
    '  "order_type": {"limit": {"price_1e9": 60000000000000}}, "quantity": {"fixed": {"qty_1e8": 50000000}},\n'
    '  "execution": {"policy": "sor"}, "activation": "root"}], "edges": []}\n'
)
NOT_SET = "mode NOT SET: no is_sandbox (the router's default decides)"


def test_a_graph_without_is_sandbox_is_drawn_as_not_set():
    wire = json.loads(NO_MODE)
    assert picture(wire, name="nosb").note == ["nosb", NOT_SET, "no risk limits"]
    assert picture({**wire, "is_sandbox": True}).note[1] == "sandbox"
    assert picture({**wire, "is_sandbox": False}).note[1] == "LIVE (not sandboxed)"


@pytest.mark.parametrize(
    "fmt, drawn",
    [
        # Mermaid keeps printable ASCII as it is; DOT's HTML label escapes the apostrophe (html.escape: &#x27;)
        ("mermaid", "limits>\"<b>nosb</b><br/>mode NOT SET: no is_sandbox (the router's default decides)<br/>no risk"),
        (
            "dot",
            "<b>limits</b><br/>mode NOT SET: no is_sandbox (the router&#x27;s default decides)<br/>no risk limits>",
        ),
    ],
)
def test_every_text_format_draws_a_graph_without_is_sandbox_as_not_set(tmp_path, fmt, drawn):
    path = tmp_path / "nosb.json"
    path.write_text(NO_MODE)
    result = graph(path, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert drawn in result.stdout, result.stdout
    assert "<br/>sandbox<br/>" not in result.stdout


@needs_graphviz
def test_svg_draws_a_graph_without_is_sandbox_as_not_set(tmp_path):
    path = tmp_path / "nosb.json"
    path.write_text(NO_MODE)
    result = graph(path, "--format", "svg")
    assert result.exit_code == 0, result.output
    svg = result.stdout_bytes.decode()
    assert "mode NOT SET: no is_sandbox" in svg and ">sandbox<" not in svg


ODD = 'a "quoted" <b>tag</b> & #1 {{x}} | [y] é'


def test_mermaid_labels_are_escaped():
    wire = _wire([{"trigger": {"on_price": {"symbol": ODD, "direction": "above", "reference": "x", "offset_pct": 1}}}])
    wire["nodes"][0]["instrument"]["symbol"] = ODD
    text = to_mermaid(picture(wire, name=ODD))
    for line in text.splitlines()[1:]:
        if line.startswith("    n") and "[" in line and "-->" not in line:
            assert re.fullmatch(r'    n\d+\[\[?"[^"<>&{}]*(<b>|</b>|<br/>)?.*"\]\]?(:::\w+)?', line), line
            inner = line[line.index('"') + 1 : line.rindex('"')]
            assert '"' not in inner and "{" not in inner and "é" not in inner
            assert re.sub(r"</?b>|<br/>", "", inner).count("<") == 0
    assert "#quot;quoted#quot;" in text and "#60;b#62;tag" in text and "#233;" in text


def test_price_texts_are_escaped_like_every_label():
    wire = _wire([], order_type={"limit": {"price_1e9": 2_325_100_000_000}})
    drawn = picture(wire, texts={"spot": NodeText(price=ODD)})
    assert (
        "<br/>limit a #quot;quoted#quot; #60;b#62;tag#60;/b#62; #38; #35;1 #123;#123;x#125;#125; | [y] #233; = 2325.1<br/>"
        in to_mermaid(drawn)
    )
    dot = to_dot(drawn)
    assert "<br/>limit a &quot;quoted&quot; &lt;b&gt;tag&lt;/b&gt; &amp; #1 {{x}} | [y&#93; é = 2325.1<br/>" in dot


@needs_graphviz
def test_dot_with_odd_text_is_valid_graphviz(tmp_path):
    from graphc.render_graph import run_graphviz

    wire = _wire([{"trigger": "on_done"}])
    wire["nodes"][0]["instrument"]["symbol"] = ODD + " back\\slash"
    svg = run_graphviz(to_dot(picture(wire, name=ODD)), "svg").decode()
    assert "&lt;b&gt;tag&lt;/b&gt;" in svg and "back\\slash" in svg


# Graphviz's HTML-like label parser rejects a text chunk that is exactly `]` or `]]` between two tags: a wire node
# id `]` made `-f dot` write DOT that `dot` refused, and svg and png failed with "dot failed: syntax error" (audit
# graph27 1). `]` is written `&#93;`; the ids below are a sample of the audit's hostile ids.
HOSTILE_IDS = ["]", "]]", "]]]", "] ", "[", "[]", "a]b", "-->", "]]>", "<b>]</b>", '"]', "\\]", "&#93;", "#93;", "|]|"]


@needs_graphviz
@pytest.mark.parametrize("node_id", HOSTILE_IDS)
def test_dot_of_hostile_node_ids_is_accepted_by_graphviz(tmp_path, node_id):
    path = tmp_path / "w.json"
    wire = _wire([{"trigger": "on_done"}])
    wire["nodes"][1]["node_id"] = wire["edges"][0]["to_node"] = node_id
    wire["edges"].append({"edge_id": "e9", "from_node": "spot", "to_node": f"gone{node_id}", "trigger": "on_done"})
    path.write_text(json.dumps(wire), encoding="utf-8")
    dot = graph(path, "-f", "dot")
    assert dot.exit_code == 0, dot.output
    drawn = subprocess.run(["dot", "-Tsvg"], input=dot.stdout, capture_output=True, text=True, check=False)
    assert drawn.returncode == 0, drawn.stderr
    result = graph(path, "-f", "svg", "-o", tmp_path / "g.svg")
    assert result.exit_code == 0, result.output
    texts = _svg_texts((tmp_path / "g.svg").read_text(encoding="utf-8"))
    assert node_id.strip() in [text.strip() for text in texts], texts  # the box's title, as written
    assert f"gone{node_id}".strip() in [text.strip() for text in texts], texts  # an edge end not in the graph


def test_unreadable_and_invalid_inputs(tmp_path):
    assert graph(tmp_path / "missing.yaml").exit_code == 2
    assert graph(EXAMPLES / "quotes.yaml").exit_code == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [{"node_id": "a"}]}')
    assert graph(bad).exit_code == 1


# audit pict22 2: `graph` of a wire graph or simple order never read --quotes or --params (a missing file was exit 0
# where `lint` of the same file exits 2) and said nothing of them; they are read and checked as lint reads them, and
# one note says they do not change the picture.
FULL_GRAPH = REPO / "tests" / "data" / "reference" / "full-graph.json"
SIMPLE_ORDER = '{"symbol": "BTC-USD", "side": "sell", "qty": 0.5}'


def _wire_inputs(tmp_path):
    order = tmp_path / "order.json"
    order.write_text(SIMPLE_ORDER)
    return [(FULL_GRAPH, "a wire graph"), (order, "a simple order")]


@pytest.mark.parametrize("option, what", [("--quotes", "quotes"), ("--params", "params")])
def test_a_missing_options_file_stops_a_wire_graph_as_it_stops_a_playbook(tmp_path, option, what):
    missing = tmp_path / "missing.yaml"
    playbook = graph(EXAMPLES / "eth-hedge.yaml", option, missing)
    assert playbook.exit_code == 2 and f"cannot read {what} file {missing}" in playbook.stderr
    for source, _ in _wire_inputs(tmp_path):
        result = graph(source, option, missing, "-o", tmp_path / "out.mmd")
        assert (result.exit_code, result.stderr) == (2, playbook.stderr)
        assert not (tmp_path / "out.mmd").exists()
        assert CliRunner().invoke(cli, ["lint", str(source), option, str(missing)]).exit_code == 2


def test_bad_set_and_now_stop_a_wire_graph(tmp_path):
    for source, _ in _wire_inputs(tmp_path):
        assert "'foo' is not NAME=VALUE" in graph(source, "--set", "foo").stderr
        assert graph(source, "--set", "foo").exit_code == 2
        assert graph(source, "--now", "yesterday").exit_code == 2


def test_playbook_options_on_a_wire_graph_are_noted_and_change_nothing(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("size: 1\n")
    for source, what in _wire_inputs(tmp_path):
        plain = graph(source)
        assert (plain.exit_code, plain.stderr) == (0, "")
        one = graph(source, "--set", "size=2")
        assert (one.exit_code, one.stdout) == (0, plain.stdout)
        assert one.stderr == f"graphc: note: --set does not change the picture of {what}; it applies to playbooks\n"
        every = graph(source, "--quotes", QUOTES, "--params", params, "--set", "a=1", "--now", "2026-01-05T09:00:00Z")
        assert (every.exit_code, every.stdout) == (0, plain.stdout)
        assert every.stderr == (
            f"graphc: note: --quotes, --params, --set, --now do not change the picture of {what}; "
            "they apply to playbooks\n"
        )
        live = graph(source, "--quotes", "live")  # nothing to look up: no quote is asked of the router
        assert (live.exit_code, live.stdout) == (0, plain.stdout)
        assert live.stderr == f"graphc: note: --quotes does not change the picture of {what}; it applies to playbooks\n"
    quiet = graph(EXAMPLES / "eth-hedge.yaml", "--quotes", QUOTES, "--now", "2026-01-05T09:00:00Z")
    assert quiet.exit_code == 0 and "note" not in quiet.stderr


# -- the README picture -----------------------------------------------------------------------


def test_readme_picture_is_current():
    mermaid = graph(EXAMPLES / "eth-hedge.yaml").stdout
    assert (REPO / "docs" / "images" / "eth-hedge.mmd").read_text() == mermaid
    readme = (REPO / "README.md").read_text()
    assert "![" in readme and "(docs/images/eth-hedge.png)" in readme
    assert f"```mermaid\n{mermaid}```" in readme
    assert_png((REPO / "docs" / "images" / "eth-hedge.png").read_bytes())


# -- control characters (audit roundtrip.md finding 5) -----------------------------------------------------
# XML 1.0 (which Graphviz reads HTML-like labels and writes SVG with) has no NUL, no C0 control but tab, newline
# and CR, and no U+FFFE/U+FFFF, not even as `&#0;`: each is drawn as an escape (`\x1b`, `\ufffe`, as reports write
# them), and Mermaid draws the same escape (audit graph27 2: its `#27;` was an invisible ESC, and `#128;` an HTML
# reference browsers read as windows-1252 `€`, so `hedge\x1b` looked like `hedge`). lint accepts such ids (the router's schema has no pattern for them); a symbol
# with a control character is GC103 (audit wirelint23 3), so `graphc graph` draws only ids with one, and the drawing
# of a symbol with one is proved on the picture.

CONTROL = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ufffe", "\uffff"]


def _escaped(char):
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"  # "\x1b", "\ufffe"


def _control_wire(char):
    wire = _wire([{"trigger": "on_done"}])
    wire["nodes"][0]["node_id"] = f"x{char}y"
    wire["edges"][0]["from_node"] = f"x{char}y"
    wire["nodes"][1]["instrument"]["symbol"] = f"ETH{char}-USD"
    wire["edges"][0]["trigger"] = {
        "on_price": {"symbol": f"B{char}", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5}
    }
    return wire


@pytest.mark.parametrize("char", CONTROL, ids=lambda c: f"U+{ord(c):04X}")
def test_dot_draws_control_characters_as_escapes(char):
    text = to_dot(picture(_control_wire(char)))
    assert char not in text
    shown = _escaped(char)
    doubled = shown.replace("\\", "\\\\")  # an HTML-like label: the backslash doubled too (decomp24 2)
    assert f"<b>x{doubled}y (root)</b>" in text
    assert f"ETH{doubled}-USD (perp)" in text
    assert f'[label="price B\\{shown} below ' in text  # a quoted string: the backslash doubled


@pytest.mark.parametrize("char", [*CONTROL, "\x80", "\x9f"], ids=lambda c: f"U+{ord(c):04X}")
def test_mermaid_draws_control_characters_as_dot_draws_them(char):
    text = to_mermaid(picture(_control_wire(char)))
    assert char not in text
    shown = _escaped(char)
    assert f"<b>x{shown}y (root)</b>" in text
    assert f"ETH{shown}-USD (perp)" in text
    assert f'-->|"price B{shown} below ' in text
    # no character reference a browser reads as a control character or through windows-1252 (#128; is €)
    assert not [code for code in re.findall(r"#(\d+);", text) if int(code) < 32 or 127 <= int(code) <= 159]


def _mermaid_titles(text):
    titles = re.findall(r'\["(?:<b>)(.*?)</b>', text)
    return [re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), title.replace("#quot;", '"')) for title in titles]


def _dot_titles(text):
    import html

    return [html.unescape(title).replace("\\\\", "\\") for title in re.findall(r"label=<<b>(.*?)</b>", text)]


@pytest.mark.parametrize("char", [*CONTROL, "\x80", "\t", "\r", "\n", "\u2028", "\\", "]", "é"], ids=ascii)
def test_mermaid_and_dot_say_the_same_title(char):
    wire = _control_wire(char)
    wire["nodes"][1]["node_id"] = wire["edges"][0]["to_node"] = f"hedge{char}"
    wire["edges"].append({"edge_id": "e9", "from_node": "spot", "to_node": "hedge", "trigger": "on_done"})
    drawn = picture(wire)
    mermaid, dot = _mermaid_titles(to_mermaid(drawn)), _dot_titles(to_dot(drawn))
    assert mermaid == dot[: len(mermaid)], (mermaid, dot)
    assert len(set(mermaid)) == len(mermaid) == 4, mermaid  # `hedge` and `hedge\x1b` are two different boxes


@needs_graphviz
@pytest.mark.parametrize("char", CONTROL, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_svg_and_png_of_ids_with_control_characters(tmp_path, char, fmt):
    path = tmp_path / "w.json"
    wire = _control_wire(char)
    wire["nodes"][1]["instrument"]["symbol"] = "ETH-USD"  # (a symbol with one is GC103: the ids are drawn)
    wire["edges"][0]["trigger"]["on_price"]["symbol"] = "B"
    path.write_text(json.dumps(wire), encoding="utf-8")
    assert CliRunner().invoke(cli, ["lint", "--no-cache", str(path)]).exit_code == 0  # lint-clean input
    result = graph(path, "-f", fmt, "-o", tmp_path / f"g.{fmt}")
    assert result.exit_code == 0, result.output
    if fmt == "svg":
        svg = (tmp_path / "g.svg").read_text(encoding="utf-8")
        assert f"x{_escaped(char)}y (root)" in svg and char not in svg
    else:
        assert_png((tmp_path / "g.png").read_bytes())


# Graphviz expands `\N` (the node's name), `\G` (the graph's), `\T`, `\H`, `\E`, `\L` in an HTML-like label too:
# a box read `Xn0bs-USD` for the symbol `X\N\G-USD` (audit decomp24 2). The backslashes are doubled, as in a
# quoted DOT string; Graphviz draws `\\` as one.
GRAPHVIZ_ESCAPES = ["\\N", "\\G", "\\T", "\\H", "\\E", "\\L", "\\l", "\\r", "\\n", "\\\\", "\\x"]


def _svg_texts(svg: str) -> list[str]:
    import html

    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@needs_graphviz
def test_a_backslash_in_a_symbol_node_id_or_venue_is_drawn_as_written(tmp_path):
    path = tmp_path / "bs.json"
    wire = _wire([{"trigger": "on_done"}])
    odd = "".join(GRAPHVIZ_ESCAPES)
    wire["nodes"][0]["node_id"] = wire["edges"][0]["from_node"] = f"id{odd}"
    wire["nodes"][0]["instrument"]["symbol"] = f"X{odd}-USD"
    wire["nodes"][1]["instrument"]["venue"] = f"v{odd}"
    path.write_text(json.dumps(wire), encoding="utf-8")
    result = graph(path, "-f", "svg", "-o", tmp_path / "g.svg")
    assert result.exit_code == 0, result.output
    texts = _svg_texts((tmp_path / "g.svg").read_text(encoding="utf-8"))
    assert any(f"id{odd} (root)" in text for text in texts), texts
    assert any(f"X{odd}-USD" in text for text in texts), texts
    assert any(f"v{odd}" in text for text in texts), texts


@needs_graphviz
def test_a_playbook_symbol_with_a_backslash_is_drawn_as_written(tmp_path):
    path = tmp_path / "bs.yaml"
    path.write_text("graphc: 1\nname: bs\nlegs:\n  a:\n    buy: 1\n    symbol: 'X\\N\\G-USD'\n    limit: 5\n")
    result = graph(path, "-f", "svg")
    assert result.exit_code == 0, result.output
    texts = _svg_texts(result.stdout)
    assert "X\\N\\G-USD (spot)" in texts, texts


# -- what the graph leaves to the router (rt19 4) --------------------------------------------------------------------
# A node without activation and no edge leading to it was a plain box with type `(?)`: the picture had no root,
# while the router, lint (GC111) and decompile start it, as spot (or prediction for a Polymarket slug or URL).


def _node(node_id, symbol, **extra):
    return {
        "node_id": node_id,
        "instrument": {"symbol": symbol},
        "side": "buy",
        "order_type": "market",
        "quantity": {"fixed": {"qty_1e8": 100000000}},
        "execution": {},
        **extra,
    }


def test_a_node_left_to_the_router_is_drawn_as_the_router_reads_it(tmp_path):
    wire = {
        "nodes": [
            _node("spot", "ETH-USD"),
            _node("hedge", "https://polymarket.com/event/will-btc-hit-100k"),
            _node("set", "ETH-USD-PERP", activation="root"),
        ],
        "edges": [{"edge_id": "e0", "from_node": "spot", "to_node": "hedge", "trigger": "on_full_fill"}],
        "is_sandbox": True,
    }
    (tmp_path / "g.json").write_text(json.dumps(wire))
    mermaid = graph(tmp_path / "g.json")
    assert mermaid.exit_code == 0, mermaid.output
    text = mermaid.output
    assert 'n0[["<b>spot (root, by default)</b><br/>buy 1 ETH<br/>ETH-USD (spot, by default)<br/>' in text
    assert ":::root" in text.split("\n")[1]
    hedge = next(line for line in text.splitlines() if line.strip().startswith("n1"))
    assert "<b>hedge</b>" in hedge and "(prediction, by default)" in hedge and ":::root" not in hedge
    assert 'n2[["<b>set (root)</b>' in text  # an activation the node sets is not marked
    dot = graph(tmp_path / "g.json", "-f", "dot").output
    assert re.search(r"n0 \[label=<<b>spot \(root, by default\)</b>.*spot, by default.*peripheries=2", dot)
    assert "(?)" not in text + dot


# -- Graphviz at scale (audit scale25 5) ---------------------------------------------------


def fake_dot(tmp_path, script: str):
    """A `dot` that reads its input and runs ``script`` (sh): what it says and how long it takes are the test's."""
    folder = tmp_path / "fakebin"
    folder.mkdir(exist_ok=True)
    exe = folder / "dot"
    exe.write_text(f"#!/bin/sh\ncat > /dev/null\n{script}\n")
    exe.chmod(0o755)
    return exe


def wide_wire(boxes: int) -> dict:
    """A wire graph of ``boxes`` unconnected root legs: a picture of that many boxes."""
    node = {
        "instrument": {"symbol": "ETH-USD", "type": "spot"},
        "side": "buy",
        "order_type": "market",
        "quantity": {"fixed": {"qty_1e8": 1_000_000}},
        "activation": "root",
    }
    return {"nodes": [dict(node, node_id=f"n{i}") for i in range(boxes)], "edges": [], "is_sandbox": True}


def test_what_dot_warns_of_when_it_succeeds_is_passed_on(monkeypatch, tmp_path):
    """dot scales a picture too large for cairo's bitmaps down, says so on stderr and exits 0: the PNG written is
    unreadable, and graphc said nothing (audit scale25 5). Now each line is a warning, at most five, then a count."""
    said = "Warning: graph is too large for cairo-renderer bitmaps. Scaling by 0.242299 to fit"
    exe = fake_dot(tmp_path, f"echo 'dot: {said[9:]}' >&2\nprintf 'PNG'")
    monkeypatch.setattr("graphc.render_graph.shutil.which", lambda name: str(exe))
    result = graph(EXAMPLES / "eth-hedge.yaml", "--format", "png", "-o", tmp_path / "g.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.png").read_bytes() == b"PNG"
    assert result.stderr == (
        "graphc: warning: dot: graph is too large for cairo-renderer bitmaps. Scaling by 0.242299 to fit\n"
    )
    lines = "\n".join(f"echo 'Warning: w{i}' >&2" for i in range(8))
    exe = fake_dot(tmp_path, f"{lines}\nprintf '<svg/>'")
    result = graph(EXAMPLES / "eth-hedge.yaml", "--format", "svg")
    assert result.exit_code == 0 and result.stdout == "<svg/>", result.output
    assert result.stderr.splitlines() == [f"graphc: warning: dot: w{i}" for i in range(5)] + [
        "graphc: warning: dot: … and 3 more lines"
    ]


def test_svg_and_png_of_more_boxes_than_graphviz_lays_out_in_time_are_warned_of_first(monkeypatch, tmp_path):
    from graphc.render_graph import DOT_PRACTICAL_BOXES

    exe = fake_dot(tmp_path, "printf '<svg/>'")
    monkeypatch.setattr("graphc.render_graph.shutil.which", lambda name: str(exe))
    for boxes, warned in ((DOT_PRACTICAL_BOXES, False), (DOT_PRACTICAL_BOXES + 1, True)):
        (tmp_path / "w.json").write_text(json.dumps(wide_wire(boxes)))
        for fmt in ("svg", "png"):
            result = graph(tmp_path / "w.json", "--format", fmt)
            assert result.exit_code == 0, result.output
            assert ("Graphviz lays out a graph this large slowly" in result.stderr) is warned, (boxes, result.stderr)
        if warned:
            assert result.stderr.startswith(f"graphc: warning: {boxes:,} boxes: "), result.stderr
            assert "dot is stopped after 120 s (GRAPHC_MAX_DOT_SECONDS)" in result.stderr
        assert graph(tmp_path / "w.json", "--format", "dot").stderr == ""  # text: no layout, no warning


def test_dot_is_stopped_after_graphc_max_dot_seconds_and_nothing_is_written(tmp_path):
    """The timeout is a limit (GRAPHC_MAX_DOT_SECONDS, 120 s by default; docs/robustness.md): exit 2, an earlier
    picture removed, a line naming the variable (audit scale25 5: a fixed 120 s, documented nowhere)."""
    import subprocess
    import sys

    exe = fake_dot(tmp_path, "exec sleep 30")
    (tmp_path / "g.svg").write_text("<svg>earlier</svg>")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHC_")}
    env.update(PATH=f"{exe.parent}{os.pathsep}{env.get('PATH', '')}", GRAPHC_MAX_DOT_SECONDS="1")
    args = [sys.executable, "-m", "graphc", "graph", str(EXAMPLES / "eth-hedge.yaml"), "-f", "svg", "-o", "g.svg"]
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "graphc: dot failed: dot took more than 1 s and was stopped (GRAPHC_MAX_DOT_SECONDS raises the limit" in (
        done.stderr
    )
    assert not (tmp_path / "g.svg").exists()


# -- Mermaid's default limits (audit scale25 6) --------------------------------------------


def parallel_edges_wire(edges: int) -> dict:
    """Two legs and ``edges`` edges between them: many arrows, little text."""
    wire = wide_wire(2)
    wire["nodes"][1]["activation"] = "wait"
    wire["edges"] = [
        {"edge_id": f"e{i}", "from_node": "n0", "to_node": "n1", "trigger": "on_accepted"} for i in range(edges)
    ]
    return wire


def test_mermaid_past_500_edges_is_warned_of(tmp_path):
    """Mermaid refuses a flowchart's 501st edge by default (maxEdges 500: "Edge limit exceeded"); 500 are drawn."""
    for edges, warned in ((500, False), (501, True)):
        (tmp_path / "w.json").write_text(json.dumps(parallel_edges_wire(edges)))
        result = graph(tmp_path / "w.json")
        assert result.exit_code == 0, result.output
        assert result.stdout.count(" -->|") == edges
        assert len(result.stdout) < 50_000
        if warned:
            assert result.stderr == (
                "graphc: warning: the Mermaid text has 501 edges (maxEdges 500), past Mermaid's default limits: a "
                "renderer that keeps them shows an error instead of the graph; draw it with -f svg or -f dot, or raise "
                "the renderer's maxTextSize and maxEdges "
                "(https://mermaid.js.org/config/schema-docs/config-properties-maxtextsize.html)\n"
            )
        else:
            assert result.stderr == ""
        assert graph(tmp_path / "w.json", "-f", "dot").stderr == ""  # Mermaid's limits are Mermaid's


def test_mermaid_past_50000_characters_is_warned_of(tmp_path):
    from graphc.render_graph import mermaid_limits_passed

    assert mermaid_limits_passed("x" * 50_000, 500) == []
    assert mermaid_limits_passed("x" * 50_001, 0) == ["50,001 characters (maxTextSize 50,000)"]
    # counted as JavaScript counts a string: a character outside the BMP is two
    assert mermaid_limits_passed("x" * 49_998 + "\U0001f680", 0) == []
    assert mermaid_limits_passed("x" * 49_999 + "\U0001f680", 0) == ["50,001 characters (maxTextSize 50,000)"]
    (tmp_path / "w.json").write_text(json.dumps(wide_wire(450)))  # 450 boxes, no edge: about 52,000 characters
    result = graph(tmp_path / "w.json", "-o", tmp_path / "g.md")
    assert result.exit_code == 0, result.output
    size = len((tmp_path / "g.md").read_text())
    assert size > 50_000
    assert result.stderr.startswith(
        f"graphc: warning: the Mermaid text has {size:,} characters (maxTextSize 50,000), past Mermaid's default "
    ), result.stderr
