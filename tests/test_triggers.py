"""Every trigger row of spec §5, table-driven, through the compiler.

Expected wire values are copied from the spec's table, not produced by the code.
"""

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write

PLAYBOOK = """\
graphc: 1
name: t
legs:
  L:
    buy: 1 ETH
    symbol: ETH-USD
  child:
    sell: 1 ETH
    symbol: ETH-USD
    after: {after}
"""

# (after: text, wire trigger, wire condition or None) -- spec §5, row by row.
ROWS = [
    ("L accepted", "on_accepted", None),
    ("L first fill", "on_first_fill", None),
    ("L each fill", "on_fill", None),
    ("L filled 50%", "on_fill_ratio", {"fill_ratio_gte": 0.5}),
    ("L filled", "on_full_fill", None),
    ("L + 5s", {"on_timeout": {"ms": 5000}}, None),
    ("L cancelled", "on_cancel", None),
    ("L done", "on_done", None),
    (
        "L price SYMBOL below entry -5%",
        {"on_price": {"symbol": "SYMBOL", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5.0}},
        None,
    ),
    # the same rows in other spellings a trader writes
    ("L filled 12.5%", "on_fill_ratio", {"fill_ratio_gte": 0.125}),
    ("L +250ms", {"on_timeout": {"ms": 250}}, None),
    ("L + 1m", {"on_timeout": {"ms": 60000}}, None),
    ("L canceled", "on_cancel", None),
    # no spaces around `+`, as `ask+1tick` is read (audit spec28 5): a leg id has no `+`
    ("L+5s", {"on_timeout": {"ms": 5000}}, None),
    ("L+ 5s", {"on_timeout": {"ms": 5000}}, None),
    # numbers with an exponent, as everywhere (audit consist27 2)
    ("L + 1e1s", {"on_timeout": {"ms": 10000}}, None),
    ("L filled 5e1%", "on_fill_ratio", {"fill_ratio_gte": 0.5}),
    (
        "L price SYMBOL below entry -5e0%",
        {"on_price": {"symbol": "SYMBOL", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5.0}},
        None,
    ),
    (
        "L price SYMBOL above entry +2.5E0 %",
        {"on_price": {"symbol": "SYMBOL", "direction": "above", "reference": "graph_entry_price", "offset_pct": 2.5}},
        None,
    ),
    (
        "L price SYMBOL below entry -1,000%",  # groups of three, as before
        {
            "on_price": {
                "symbol": "SYMBOL",
                "direction": "below",
                "reference": "graph_entry_price",
                "offset_pct": -1000.0,
            }
        },
        None,
    ),
    (
        "L price BTC-USD above entry +2.5%",
        {"on_price": {"symbol": "BTC-USD", "direction": "above", "reference": "graph_entry_price", "offset_pct": 2.5}},
        None,
    ),
]


def compile_edges(tmp_path, after):
    path = write(tmp_path, "p.yaml", PLAYBOOK.format(after=json.dumps(after)))
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("text,trigger,condition", ROWS, ids=[r[0] for r in ROWS])
def test_after_text(tmp_path, text, trigger, condition):
    wire = compile_edges(tmp_path, text)
    expected = {"edge_id": "e0", "from_node": "L", "to_node": "child", "trigger": trigger}
    if condition is not None:
        expected["condition"] = condition
    assert wire["edges"] == [expected]
    assert [n["activation"] for n in wire["nodes"]] == ["root", "wait"]


@pytest.mark.parametrize(
    "mapping,trigger,condition",
    [
        ({"from": "L", "trigger": "on_full_fill"}, "on_full_fill", None),
        ({"from": "L", "trigger": "on_fill_ratio", "fill_ratio": "25%"}, "on_fill_ratio", {"fill_ratio_gte": 0.25}),
        ({"from": "L", "trigger": {"on_timeout": {"ms": 5000}}}, {"on_timeout": {"ms": 5000}}, None),
    ],
)
def test_edge_mapping(tmp_path, mapping, trigger, condition):
    wire = compile_edges(tmp_path, [mapping])
    edge = wire["edges"][0]
    assert edge["trigger"] == trigger
    assert edge.get("condition") == condition


def test_edge_ids_follow_source_order(tmp_path):
    """Legs in source order, each leg's after entries in order, then `edges:` (spec §5)."""
    text = """\
graphc: 1
name: t
legs:
  a: {buy: 1 ETH, symbol: ETH-USD}
  b: {buy: 1 ETH, symbol: ETH-USD, after: [a accepted, a filled]}
  c: {buy: 1 ETH, symbol: ETH-USD, after: b done}
edges:
  - {from: a, to: c, trigger: on_cancel}
"""
    result = CliRunner().invoke(cli, ["compile", str(write(tmp_path, "p.yaml", text))])
    assert result.exit_code == 0, result.output
    edges = json.loads(result.stdout)["edges"]
    assert [(e["edge_id"], e["from_node"], e["to_node"], e["trigger"]) for e in edges] == [
        ("e0", "a", "b", "on_accepted"),
        ("e1", "a", "b", "on_full_fill"),
        ("e2", "b", "c", "on_done"),
        ("e3", "a", "c", "on_cancel"),
    ]


def test_unreadable_trigger_is_gc105_at_the_text(tmp_path):
    path = write(tmp_path, "p.yaml", PLAYBOOK.format(after="L half filled"))
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    assert f"{path}:10:12: error GC105 cannot read trigger 'L half filled'" in result.stderr


def test_edge_mapping_needs_a_trigger(tmp_path):
    path = write(tmp_path, "p.yaml", PLAYBOOK.format(after=json.dumps([{"from": "L", "fill_ratio": "50%"}])))
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    assert "error GC104" in result.stderr and "trigger" in result.stderr


def test_remembered_parses_are_per_leg_and_never_shared():
    from graphc.stages.triggers import parse_trigger_text

    first = parse_trigger_text("a + 5s")
    first.trigger["on_timeout"]["ms"] = 1  # a caller changing its copy
    second = parse_trigger_text("b  + 5s")  # same phrase after another leg id
    assert (second.from_leg, second.trigger) == ("b", {"on_timeout": {"ms": 5000}})
    ratio = parse_trigger_text("c filled 50%")
    assert (ratio.from_leg, ratio.trigger, ratio.condition) == ("c", "on_fill_ratio", {"fill_ratio_gte": 0.5})
    assert parse_trigger_text("d filled 50%").condition is not ratio.condition


QUOTED_STOP = """\
graphc: 1
name: quoted-stop
legs:
  entry:
    buy: 100 shares
    symbol: will-x:yes
    limit: 0.40
  stop:
    sell: 100 shares
    symbol: will-x:yes
    after: {after}
"""


@pytest.mark.parametrize(
    "after,symbol,fixed",
    [
        ('entry price "will-x:yes" below entry -25%', '"will-x:yes"', "entry price will-x:yes below entry -25%"),
        ("entry price 'ETH-USD' below entry -5%", "'ETH-USD'", "entry price ETH-USD below entry -5%"),
        ('entry  price  ETH-USD"  below entry -5%', 'ETH-USD"', "entry price ETH-USD below entry -5%"),
    ],
)
@pytest.mark.parametrize("command", ["compile", "lint"])
def test_a_quoted_trigger_symbol_is_refused_at_the_trigger(tmp_path, after, symbol, fixed, command):
    """Audit spec28 1: the symbol is sent verbatim, so `"will-x:yes"` watched a market that does not exist and the
    stop never fired, with lint clean. GC105 at the trigger, the hint showing the phrase without quotes."""
    path = write(tmp_path, "p.yaml", QUOTED_STOP.format(after=json.dumps(after)))
    result = CliRunner().invoke(cli, [command, *(["--no-cache"] if command == "lint" else []), str(path)])
    assert result.exit_code == 1, result.output
    assert f"{path}:11:12: error GC105 in trigger {after!r}: the symbol {symbol!r} has quote characters" in (
        result.stderr if command == "compile" else result.output
    )
    assert f"hint: write the symbol without quotes: `{fixed}`" in (
        result.stderr if command == "compile" else result.output
    )


def test_a_quoted_on_price_symbol_in_an_edge_mapping_is_refused_at_the_symbol(tmp_path):
    """The mapping form carries quotes the same way (`symbol: '"ETH-USD"'`): GC105 at the value (audit spec28 1). A
    quote inside a symbol written as YAML text is kept: it is how decompile writes a wire graph's odd symbol."""
    mapping = [
        {
            "from": "entry",
            "trigger": {
                "on_price": {
                    "symbol": '"will-x:yes"',
                    "direction": "below",
                    "reference": "graph_entry_price",
                    "offset_pct": -25,
                }
            },
        }
    ]
    path = write(tmp_path, "p.yaml", QUOTED_STOP.format(after=json.dumps(mapping)))
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1, result.output
    column = QUOTED_STOP.format(after=json.dumps(mapping)).splitlines()[10].index('"\\"will') + 1
    assert (
        f"{path}:11:{column}: error GC105 `legs.stop.after.0.trigger.on_price.symbol` '\"will-x:yes\"' is in quotes"
        in result.stderr
    )
    assert "hint: write the symbol without quotes: `symbol: will-x:yes`" in result.stderr


def test_an_edge_mapping_keeps_a_quote_inside_its_symbol(tmp_path):
    mapping = [
        {
            "from": "entry",
            "trigger": {
                "on_price": {"symbol": "it's", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5}
            },
        }
    ]
    path = write(tmp_path, "p.yaml", QUOTED_STOP.format(after=json.dumps(mapping)))
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edges"][0]["trigger"]["on_price"]["symbol"] == "it's"


def test_a_refused_price_trigger_is_not_also_a_missing_one_at_limit_trigger(tmp_path):
    """stop2.yaml of audit spec28 1: with `limit: trigger`, the quoted symbol's GC105 was followed by a second GC105
    at the limit, "this leg has no on_price edge", about the same mistake."""
    text = QUOTED_STOP.format(after=json.dumps('entry price "will-x:yes" below entry -25%')) + "    limit: trigger\n"
    path = write(tmp_path, "p.yaml", text)
    for command in (["compile"], ["lint", "--no-cache"]):
        result = CliRunner().invoke(cli, [*command, str(path)])
        assert result.exit_code == 1, result.output
        errors = [line for line in result.output.splitlines() if ": error " in line]
        assert len(errors) == 1 and errors[0].startswith(f"{path}:11:12: error GC105 in trigger"), result.output


# Quote characters a paste brings besides `"` and `'`: typographic quotes, a Markdown backtick, guillemets
# (audit review28 1).
PASTED_QUOTES = [
    ("\u201c", "\u201d"),  # “ ”
    ("\u2018", "\u2019"),  # ‘ ’
    ("`", "`"),
    ("\u00ab", "\u00bb"),  # « »
    ("\u201e", "\u201c"),  # „ “
    ("\u201a", "\u2018"),  # ‚ ‘
    ("\u2039", "\u203a"),  # ‹ ›
    ("\u201f", "\u201b"),  # ‟ ‛
]


@pytest.mark.parametrize(("opening", "closing"), PASTED_QUOTES)
@pytest.mark.parametrize("command", ["compile", "lint"])
def test_a_symbol_in_typographic_quotes_backticks_or_guillemets_is_refused_as_in_plain_quotes(
    tmp_path, opening, closing, command
):
    """Audit review28 1: `price “BTC-USD” below ...` (a paste from a word processor or a chat), `` `BTC-USD` `` or
    `«BTC-USD»` compiled lint-clean and the wire watched the market `“BTC-USD”`, which does not exist: the stop
    never fired. The same GC105 as `"BTC-USD"`, the hint writing the symbol without them."""
    symbol = f"{opening}will-x:yes{closing}"
    after = f"entry price {symbol} below entry -25%"
    path = write(tmp_path, "p.yaml", QUOTED_STOP.format(after=json.dumps(after)))
    result = CliRunner().invoke(cli, [command, *(["--no-cache"] if command == "lint" else []), str(path)])
    assert result.exit_code == 1, result.output
    shown = result.stderr if command == "compile" else result.output
    assert f"{path}:11:12: error GC105 in trigger {after!r}: the symbol {symbol!r} has quote characters" in shown
    assert "hint: write the symbol without quotes: `entry price will-x:yes below entry -25%`" in shown


@pytest.mark.parametrize(("opening", "closing"), PASTED_QUOTES)
def test_an_edge_mapping_symbol_in_typographic_quotes_is_refused_at_the_symbol(tmp_path, opening, closing):
    """The mapping form's rule with the wider pairs (audit review28 1): a symbol wrapped in two quote characters,
    which need not be the same (`„…“`, `«…»`), is GC105 at the value."""
    symbol = f"{opening}will-x:yes{closing}"
    price = {"symbol": symbol, "direction": "below", "reference": "graph_entry_price", "offset_pct": -25}
    mapping = [{"from": "entry", "trigger": {"on_price": price}}]
    text = QUOTED_STOP.format(after=json.dumps(mapping, ensure_ascii=False))
    path = write(tmp_path, "p.yaml", text)
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1, result.output
    column = text.splitlines()[10].index(f'"{symbol}"') + 1
    assert (
        f"{path}:11:{column}: error GC105 `legs.stop.after.0.trigger.on_price.symbol` {symbol!r} is in quotes"
        in result.stderr
    ), result.stderr
    assert "hint: write the symbol without quotes: `symbol: will-x:yes`" in result.stderr


def test_an_edge_mapping_keeps_a_typographic_apostrophe_inside_its_symbol(tmp_path):
    """Only a pair around the symbol is the copy artefact; one inside is kept, as `it's` is."""
    price = {"symbol": "it\u2019s", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5}
    path = write(
        tmp_path, "p.yaml", QUOTED_STOP.format(after=json.dumps([{"from": "entry", "trigger": {"on_price": price}}]))
    )
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edges"][0]["trigger"]["on_price"]["symbol"] == "it\u2019s"
