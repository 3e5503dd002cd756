"""Values that travel through templates: `for_each` items, `with:` values, and the percent mark (audit tmpl2 1-5).

- A Unicode digit ('²', '٣') is not a whole number: GC103 at the value, never a crash (spec §8: exit 4 is a bug;
  docs/robustness.md promise 1).
- A literal `for_each:` list's text items are rendered like any string scalar (spec §6.2 "Any string scalar may
  contain {{ … }}"; docs/templates.md "`for_each` reference").
- A percent param's ratio written before `%` is refused wherever it comes from: a second `{{ }}` giving the `%`,
  a `for_each` item, a `with:` value (docs/templates.md "Params reference" and "`use:` template files").
"""

from __future__ import annotations

import sys
import textwrap
from decimal import Decimal

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from graphc.cli import cli
from graphc.pipeline import CompileOptions, compile_file, compile_text
from graphc.quotes import Quote
from graphc.schedule import CronError, parse_cron
from graphc.stages.expressions import compile_template, evaluate
from graphc.stages.load import load_text
from graphc.stages.render import render
from graphc.units import MoneyAmount, MoneyInt, MoneyText, PercentRatio, money_of, money_without_unit
from tests.conftest import REPO

# Every character `str.isdigit()` accepts that is not an ASCII digit: superscripts ('²', which `int()` refuses),
# other scripts' digits ('٣', which `int()` reads as 3), circled and full-width digits.
ODD_DIGITS = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isdigit() and not c.isascii()]


def playbook(body: str) -> str:
    return "graphc: 1\nname: t\n" + textwrap.dedent(body)


def compiled(text, path="<t>", **options):
    return compile_text(text, path, CompileOptions(**options))


def codes(result):
    return [(d.code, d.span.line, d.span.col) for d in result.diagnostics]


def nodes(result):
    assert result.ok, result.diagnostics
    return {n["node_id"]: n for n in result.wire["nodes"]}


def offsets(result):
    return {e["to_node"]: e["trigger"]["on_price"]["offset_pct"] for e in result.wire["edges"]}


def no_mark_in(value) -> bool:
    """No percent or money mark anywhere in ``value`` (the wire holds plain numbers and text)."""
    if isinstance(value, dict):
        return all(no_mark_in(k) and no_mark_in(v) for k, v in value.items())
    if isinstance(value, list):
        return all(map(no_mark_in, value))
    return type(value) not in (PercentRatio, MoneyAmount, MoneyInt, MoneyText)


def no_ratio_in(value) -> bool:
    if isinstance(value, dict):
        return all(no_ratio_in(k) and no_ratio_in(v) for k, v in value.items())
    if isinstance(value, list):
        return all(map(no_ratio_in, value))
    return type(value) is not PercentRatio


# ---------------------------------------------------------------------------
# 1. Unicode digits


def test_the_odd_digits_include_those_int_refuses_and_those_it_reads():
    assert {"²", "¹", "٣", "５", "⑤"} <= set(ODD_DIGITS)
    assert len(ODD_DIGITS) > 300


FOR_EACH = playbook("""\
    legs:
      a:
        for_each: FOR_EACH
        buy: 1 ETH
        symbol: ETH-USD
    """)


@pytest.mark.parametrize("form", ['"{d}"', "\"{{{{ '{d}' }}}}\"", '"1{d}"', '"{d}{d}"'])
def test_a_unicode_digit_in_for_each_is_gc103_not_a_crash(form):
    # audit tmpl2 1: `for_each: "²"` was ValueError (exit 4); '٣' made 3 legs. Each odd digit, written alone,
    # inside an expression, after and doubled, is the GC103 of any text that is not a whole number.
    for digit in ODD_DIGITS:
        written = form.format(d=digit)
        result = compiled(FOR_EACH.replace("FOR_EACH", written))
        assert codes(result) == [("GC103", 5, 15)], (digit, result.diagnostics)
        assert result.diagnostics[0].message.startswith("`for_each` needs a list or a whole number, not the text")


def test_a_unicode_digit_in_for_each_exits_1_on_the_command_line(tmp_path):
    (tmp_path / "fx.yaml").write_text(FOR_EACH.replace("FOR_EACH", '"²"'))
    for command in ("lint", "compile"):
        result = CliRunner().invoke(cli, [command, str(tmp_path / "fx.yaml")])
        assert result.exit_code == 1, result.output
        assert "GC103 `for_each` needs a list or a whole number, not the text '²'" in result.output


def test_ascii_digit_text_in_for_each_is_still_a_count():
    assert list(nodes(compiled(FOR_EACH.replace("FOR_EACH", "\"{{ '2' }}\"")))) == ["a-0", "a-1"]


@pytest.mark.parametrize("form", ["*/{d} * * * *", "0 {d} * * MON", "0 1{d} * * *", "{d}-5 * * * *", "0 0 * {d} *"])
def test_a_unicode_digit_in_a_cron_field_is_a_cron_error(form):
    # audit tmpl2 1: `cron: "0 ¹4 * * MON"` was ValueError (exit 4) in graphc/schedule.py
    for digit in ODD_DIGITS:
        with pytest.raises(CronError):
            parse_cron(form.format(d=digit))


def test_a_unicode_digit_in_a_cron_field_is_gc103_at_the_cron():
    text = playbook("""\
        schedule: {cron: "0 ¹4 * * MON", timezone: UTC}
        legs:
          a: {buy: 1 ETH, symbol: ETH-USD}
        """)
    result = compiled(text)
    assert codes(result) == [("GC103", 3, 18)]  # the cron's opening quote
    assert result.diagnostics[0].message == "schedule.cron: hour '¹4' is not a number"


# ---------------------------------------------------------------------------
# 2. Literal for_each items are rendered

ITEMS = playbook("""\
    params:
      sym: {type: symbol, default: ETH-USD}
    legs:
      s:
        for_each: FOR_EACH
        buy: 1
        symbol: "{{ item.sym }}"
    """)


def test_a_template_in_a_literal_for_each_item_is_rendered():
    # audit tmpl2 2: `"{{ sym }}"` went to the wire as the symbol, lint clean
    text = ITEMS.replace("FOR_EACH", '[{sym: "{{ sym }}"}, {sym: BTC-USD}]')
    legs = nodes(compiled(text))
    assert [n["instrument"]["symbol"] for n in legs.values()] == ["ETH-USD", "BTC-USD"]
    legs = nodes(compiled(text, params={"sym": "SOL-USD"}))
    assert legs["s-0"]["instrument"]["symbol"] == "SOL-USD"


def test_a_rendered_text_item_names_the_copy():
    text = ITEMS.replace("FOR_EACH", '["{{ sym }}", "{{ sym | lower }}x"]').replace("item.sym", "item")
    assert list(nodes(compiled(text))) == ["s-ETH-USD", "s-eth-usdx"]


def test_an_error_in_a_literal_for_each_item_is_gc107_at_the_item():
    text = ITEMS.replace("FOR_EACH", '[{sym: ETH-USD}, {sym: "{{ item }}"}]')
    result = compiled(text)
    assert codes(result) == [("GC107", 7, 38)]  # the item's opening quote; no leg is made, so nothing else
    assert "undefined name `item`" in result.diagnostics[0].message


# ---------------------------------------------------------------------------
# 3-4. A percent ratio before `%`: from a second expression, from a for_each item

STOP = playbook("""\
    params:
      stop: {type: percent, default: 5%}
    legs:
      entry: {buy: 1 ETH, symbol: ETH-USD}
      s:
        FOR_EACH
        sell: 1 ETH
        symbol: ETH-USD
        after: 'entry price ETH-USD below entry -AFTER'
    """)


@pytest.mark.parametrize(
    "after, unit",
    [
        ('{{ stop }}{{ "%" }}', "%"),  # audit tmpl2 3: the `%` came from the next expression
        ('{{ stop }}{{ "" }}%', "%"),
        ('{{ stop }} {{ "bps" }}', "bps"),
        ('{{ stop }}{{ " %" }}', "%"),
    ],
)
def test_a_ratio_before_a_unit_from_the_next_expression_is_refused(after, unit):
    result = compiled(STOP.replace("FOR_EACH", "").replace("AFTER", after))
    assert codes(result) == [("GC107", 11, 12)]
    assert f"0.05 is a ratio from percent param `stop` (5% is 0.05), so writing it before `{unit}`" in (
        result.diagnostics[0].message
    )


def test_percent_points_before_a_unit_from_the_next_expression_are_read():
    result = compiled(STOP.replace("FOR_EACH", "").replace("AFTER", '{{ stop * 100 }}{{ "%" }}'))
    assert offsets(result) == {"s": -5}


@pytest.mark.parametrize("for_each", ['"{{ [stop, stop * 2] }}"', '["{{ stop }}"]', "\"{{ [{'s': stop}] }}\""])
def test_a_percent_ratio_in_a_for_each_item_is_refused_before_percent(for_each):
    # audit tmpl2 4A: `-{{ item }}%` with item = stop (5%) was offset_pct -0.05, lint clean
    after = "{{ item.s }}%" if "'s'" in for_each else "{{ item }}%"
    result = compiled(STOP.replace("FOR_EACH", f"for_each: {for_each}").replace("AFTER", after))
    assert codes(result) == [("GC107", 11, 12)]
    assert result.diagnostics[0].message.endswith(
        "0.05 is a ratio from percent param `stop` (5% is 0.05), so writing it before `%` makes 0.05%, "
        "100 times smaller than meant (for_each index 0)"
    )


def test_a_percent_ratio_in_a_for_each_item_times_100_is_the_percentage():
    text = STOP.replace("FOR_EACH", 'for_each: "{{ [stop, stop * 2] }}"').replace("AFTER", "{{ item * 100 }}%")
    result = compiled(text)
    assert offsets(result) == {"s-0": -5, "s-1": -10}  # 5% and 2 x 5%, in percent points
    assert no_ratio_in(result.wire)
    text = STOP.replace("FOR_EACH", 'for_each: "{{ [stop] }}"').replace("AFTER", "5%")
    doc, diagnostics = render(load_text(text + "    fill: '{{ item }}'\n", "<t>")[0], CompileOptions())
    assert diagnostics == []  # rendering only: the schema, later, would name the made-up key `fill`
    value = doc.data["legs"]["s-0"]["fill"]
    assert (value, type(value)) == (Decimal("0.05"), Decimal)  # a whole `{{ item }}` leaves as the plain ratio


# ---------------------------------------------------------------------------
# 4-5. A percent param passed on in `with:`

HEDGE = """\
graphc-template: 1
params:
  stop_pct: {type: number, default: 5}
legs:
  short: {sell: 1 ETH, symbol: ETH-USD-PERP}
  stop:
    buy: 1 ETH
    symbol: ETH-USD-PERP
    after: "short price ETH-USD-PERP above entry +{{ stop_pct }}%"
"""
TAKE_PROFIT = """\
graphc-template: 1
params:
  gain: {type: percent}
legs:
  hold:
    buy: 1 ETH
    symbol: ETH-USD
    limit: 2000
  tp:
    sell: 1 ETH
    symbol: ETH-USD
    after: "hold price ETH-USD above entry +{{ gain * 100 }}%"
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "graphc.toml").write_text("")
    (tmp_path / "tp").mkdir()
    (tmp_path / "tp" / "hedge.yaml").write_text(HEDGE)
    (tmp_path / "tp" / "takeprofit.yaml").write_text(TAKE_PROFIT)
    return tmp_path


def use(project, body, **options):
    path = project / "play.yaml"
    path.write_text(playbook(body))
    return compile_file(path, CompileOptions(**options))


PASS_GAIN = """\
    params:
      gain: {type: percent, default: 150%}
    legs:
      entry: {buy: 1 ETH, symbol: ETH-USD}
      exit:
        use: ./tp/takeprofit.yaml
        with: {gain: WITH}
    """


@pytest.mark.parametrize(
    "given, with_, offset",
    [
        ("150%", '"{{ gain }}"', 150),  # audit tmpl2 5: GC108 "'1.5' is ambiguous ... write `1.5%`"
        ("5%", '"{{ gain }}"', 5),
        ("300%", '"{{ gain / 2 }}"', 150),  # a ratio computed from the param is still the ratio
        ("150%", "150%", 150),  # as written: unchanged
    ],
)
def test_a_percent_param_passed_to_a_percent_param_is_its_ratio_at_any_size(project, given, with_, offset):
    result = use(project, PASS_GAIN.replace("WITH", with_), params={"gain": given})
    assert offsets(result) == {"exit.tp": offset}
    assert no_ratio_in(result.wire)


def test_a_percent_param_passed_to_a_number_param_is_gc108_at_the_with_entry(project):
    # audit tmpl2 4B: the template writes `+{{ stop_pct }}%`, so the ratio 0.05 made a 0.05% stop, lint clean
    body = """\
        params:
          stop: {type: percent, default: 5%}
        legs:
          hedge:
            use: ./tp/hedge.yaml
            with: {stop_pct: "{{ stop }}"}
        """
    result = use(project, body)
    assert codes(result) == [("GC108", 8, 22)]  # the with: value
    [diagnostic] = result.diagnostics
    assert diagnostic.message.endswith(
        "tp/hedge.yaml: param `stop_pct` (number): `stop` is a percent (5%), passed as its ratio 0.05; "
        "a number param would take 0.05, not 5"
    )
    assert diagnostic.hint == (
        "pass the percent points with `{{ stop * 100 }}` (5), or make the template's param `type: percent`"
    )
    # the hint's spelling gives the 5% stop (offset_pct 5)
    result = use(project, body.replace("{{ stop }}", "{{ stop * 100 }}"))
    assert offsets(result) == {"hedge.stop": 5}


@pytest.mark.parametrize("type_", ["integer", "money", "duration", "quantity", "price", "string", "symbol", "bool"])
def test_a_percent_param_passed_to_another_type_is_gc108(project, type_):
    (project / "tp" / "other.yaml").write_text(
        f"graphc-template: 1\nparams:\n  x: {{type: {type_}}}\nlegs:\n  a: {{buy: 1 ETH, symbol: ETH-USD}}\n"
    )
    body = """\
        params:
          stop: {type: percent, default: 100%}
        legs:
          o:
            use: ./tp/other.yaml
            with: {x: "{{ stop }}"}
        """
    result = use(project, body)
    assert codes(result) == [("GC108", 8, 15)], result.diagnostics


# ---------------------------------------------------------------------------
# a money param written bare as a size: dollars read as base units


@pytest.mark.parametrize("key", ["buy", "sell"])
def test_a_bare_money_param_as_a_size_is_gc105(key):
    # docs/templates.md said graphc could not tell `buy: "{{ budget }}"` (500 BTC) from `"${{ budget }}"` ($500)
    text = playbook(f"""\
        params:
          budget: {{type: money, default: $500}}
        legs:
          a: {{{key}: "{{{{ budget }}}}", symbol: BTC-USD, limit: 100000}}
        """)
    result = compiled(text)
    assert codes(result) == [("GC105", 6, len(f"  a: {{{key}: ") + 1)]
    [diagnostic] = result.diagnostics
    assert diagnostic.message == (
        f"`{key}: {{{{ budget }}}}` writes money param `budget` ($500) as a bare number, which a size reads as base "
        "units: 500 of the asset, not $500"
    )
    assert diagnostic.hint == f'write `{key}: "${{{{ budget }}}}"` for a notional of $500'


def test_a_money_param_with_its_unit_is_a_size():
    text = playbook("""\
        params:
          budget: {type: money, default: $500}
        legs:
          a: {buy: "${{ budget }}", symbol: BTC-USD, limit: 100000}
          b: {buy: "{{ budget }} USD", symbol: BTC-USD, limit: 100000}
          c: {buy: "{{ budget / 100000 }} BTC", symbol: BTC-USD, limit: 100000}
        """)
    # $500 / 100,000 = 0.005 BTC each way; 0.005 x 1e8 = 500,000
    quantities = {k: n["quantity"] for k, n in nodes(compiled(text)).items()}
    assert quantities == {key: {"fixed": {"qty_1e8": 500000}} for key in "abc"}


# A number computed from a money param is still dollars, and a size without a unit is base units: each of these
# compiled, lint clean, to a buy of hundreds of BTC (budget $500 on BTC-USD; 250 BTC is about $25M at 100,000).
MONEY_SIZE = playbook("""\
    params:
      budget: {type: money, default: $500}
      cut: {type: percent, default: 50%}
    legs:
      a:
        KEY: SIZE
        symbol: BTC-USD
        limit: 100000
    """)


@pytest.mark.parametrize(
    ("key", "size", "amount"),
    [
        ("buy", "{{ budget / 2 }}", "250"),
        ("buy", "{{ budget * 1 }}", "500"),
        ("buy", "{{ 1 * budget }}", "500"),
        ("buy", "{{ budget + 0 }}", "500"),
        ("buy", "{{ 100 + budget }}", "600"),
        ("buy", "{{ budget | round(2) }}", "500"),
        ("buy", "{{ budget | abs }}", "500"),
        ("buy", "{{ budget | int }}", "500"),
        ("buy", "{{ budget | decimal }}", "500"),
        ("buy", "{{ (budget / 3) | round(2) }}", "166.67"),
        ("buy", "{{ budget // 3 }}", "166"),
        ("buy", "{{ budget % 300 }}", "200"),
        ("sell", "{{ -budget }}", "-500"),  # GC103 "quantity -500 must be positive" before: the wrong reason
        ("sell", "{{ -(-budget) }}", "500"),
        ("buy", "{{ +budget }}", "500"),
        ("buy", "{{ budget * cut }}", "250"),  # a percent param of the money is still money
        ("buy", "{{ cut * budget }}", "250"),
        ("buy", "{{ budget if budget > 0 else 0 }}", "500"),
        ("buy", "{{ [budget / 2] | sum }}", "250"),
        ("buy", "{{ [budget / 2, 1] | max }}", "250"),
        ("qty", "{{ budget / 2 }}", "250"),
        # the text path: a number written into text keeps the mark
        ("buy", "{{ budget / 2 }} ", "250"),
        ("buy", " {{ budget / 2 }}", "250"),
        ("buy", "{{ budget / 2 }}{{ '' }}", "250"),
        ("buy", "{{ budget / 2 }}k", "250000"),
        ("buy", "{{ (budget / 2) | string }}", "250"),
        ("buy", "{{ (budget / 2) ~ '' }}", "250"),
        ("buy", "{{ '' ~ budget / 2 }}", "250"),
        ("buy", "{{ budget | string | trim }}", "500"),
        ("buy", "{{ (budget | string) + '' }}", "500"),
        ("buy", "{{ (budget | string).strip() }}", "500"),
        ("buy", "{{ (budget | string)[0:3] }}", "500"),
        ("buy", "{{ (budget ~ '.5').split(' ')[0] }}", "500.5"),
        ("buy", "{{ [budget / 2] | join }}", "250"),
        ("buy", "{{ (budget | string) | decimal / 2 }}", "250"),
        ("buy", "{{ (budget | string) | int }}", "500"),
    ],
)
def test_a_size_computed_from_a_money_param_without_a_unit_is_gc105(key, size, amount):
    text = MONEY_SIZE.replace("KEY: SIZE", f"side: buy\n    qty: {size!r}" if key == "qty" else f"{key}: {size!r}")
    result = compiled(text)
    line, col = 9 if key == "qty" else 8, len(f"    {key}: ") + 1  # the size scalar, as the bare-money GC105
    assert codes(result) == [("GC105", line, col)], result.diagnostics
    [diagnostic] = result.diagnostics
    dollars = f"-${amount[1:]}" if amount.startswith("-") else f"${amount}"
    assert diagnostic.message == (
        f"`{key}: {' '.join(size.split())}` is a number computed from money param `budget` ($500) with no unit, "
        f"and a size without a unit is base units: {amount} of the asset, not {dollars}"
    )


def test_the_gc105_hint_gives_both_spellings():
    result = compiled(MONEY_SIZE.replace("KEY: SIZE", 'buy: "{{ budget / 2 }}"'))
    [diagnostic] = result.diagnostics
    assert diagnostic.hint == (
        'write `"${{ budget / 2 }}"` for dollars, or the asset after the number (`{{ budget / 2 }} BTC`) '
        "if you computed units"
    )
    kalshi = MONEY_SIZE.replace("KEY: SIZE", 'buy: "{{ budget / 2 }}"').replace(
        "symbol: BTC-USD\n    limit: 100000", "symbol: KXBTCZ-26DEC31-T99000\n    limit: 0.5"
    )
    [diagnostic] = compiled(kalshi).diagnostics
    assert diagnostic.code == "GC105"
    assert diagnostic.hint.endswith(
        "or the word `shares` after the number (`{{ budget / 2 }} shares`) if you computed units"
    )


@pytest.mark.parametrize(
    ("size", "qty_1e8"),
    [
        ("${{ budget / 2 }}", 250000),  # $250 at the 100,000 limit: 0.0025 BTC, x 1e8
        ("{{ budget / 2 }} USD", 250000),
        ("{{ budget / 2 }} usd", 250000),
        ("$ {{ budget / 2 }}", 250000),
        ("${{ (budget / 2) | string }}", 250000),
        ("${{ budget * cut }}", 250000),  # $500 x 50%
        ("{{ budget / 100000 }} BTC", 500000),  # 500 / 100,000 = 0.005 BTC
        ("{{ (budget / 100000) | round(3) }} BTC", 500000),
        ("{{ budget / quote('BTC-USD').ask }} BTC", 500000),  # the ask is 100,000 in the quotes below
    ],
)
def test_a_size_computed_from_money_with_its_unit_compiles(size, qty_1e8):
    text = MONEY_SIZE.replace("KEY: SIZE", f"buy: {size!r}")
    result = compiled(text, quotes={"BTC-USD": Quote(bid=Decimal(99990), ask=Decimal(100000), tick=Decimal("0.01"))})
    assert nodes(result)["a"]["quantity"] == {"fixed": {"qty_1e8": qty_1e8}}


def test_a_ratio_of_two_money_params_is_a_plain_number():
    text = playbook("""\
        params:
          part: {type: money, default: $250}
          total: {type: money, default: $1000}
          size_btc: {type: number, default: 0.01}
        legs:
          a: {buy: "{{ size_btc * (part / total) }}", symbol: BTC-USD, limit: 100000}
          b: {buy: "{{ size_btc * (part // 100 / (total // 100)) }}", symbol: BTC-USD, limit: 100000}
        """)
    # 0.01 x (250 / 1000) = 0.0025 BTC, x 1e8 = 250,000; b: 0.01 x (2 / 10) = 0.002 BTC
    quantities = {k: n["quantity"] for k, n in nodes(compiled(text)).items()}
    assert quantities == {"a": {"fixed": {"qty_1e8": 250000}}, "b": {"fixed": {"qty_1e8": 200000}}}


def test_money_in_a_limit_price_or_a_risk_limit_is_not_a_size():
    text = playbook("""\
        params:
          budget: {type: money, default: $500}
        risk:
          max_notional: "${{ budget * 2 }}"
        description: "{{ budget / 2 }} a leg"
        legs:
          a: {buy: 0.001 BTC, symbol: BTC-USD, limit: "{{ budget * 200 }}"}
          b: {buy: 0.001 BTC, symbol: BTC-USD, limit: "{{ (budget * 200) | string }}", twap: "{{ budget // 100 }} slices every 1m"}
        """)
    result = compiled(text)
    # 500 x 200 = 100,000, x 1e9 = 1e14; 0.001 BTC x 1e8 = 100,000; the limit is $500 x 2 = $1,000
    assert {k: n["order_type"] for k, n in nodes(result).items()} == {
        key: {"limit": {"price_1e9": 100000000000000}} for key in "ab"
    }
    assert {k: n["quantity"] for k, n in nodes(result).items()} == {key: {"fixed": {"qty_1e8": 100000}} for key in "ab"}
    assert result.wire["risk"] == {"admission": {"max_notional_usd": Decimal(1000)}}
    assert no_mark_in(result.wire)


def test_a_money_size_in_defaults_is_gc105_too():
    text = playbook("""\
        params:
          budget: {type: money, default: $500}
        defaults: {side: buy, qty: "{{ budget / 2 }}", symbol: BTC-USD, limit: 100000}
        legs:
          a: {venue: coinbase}
        """)
    assert codes(compiled(text)) == [("GC105", 5, 28)]
    # with its unit: $250 at 100,000 is 0.0025 BTC
    result = compiled(text.replace('"{{ budget / 2 }}"', '"${{ budget / 2 }}"'))
    assert nodes(result)["a"]["quantity"] == {"fixed": {"qty_1e8": 250000}}


@pytest.mark.parametrize(
    "for_each",
    ['"{{ [budget / 4, budget / 2] }}"', '["{{ budget / 4 }}", "{{ budget / 2 }}"]', '"{{ [budget / 4] * 2 }}"'],
)
def test_for_each_items_computed_from_money_keep_the_mark(for_each):
    text = playbook(f"""\
        params:
          budget: {{type: money, default: $500}}
        legs:
          a:
            for_each: {for_each}
            buy: "SIZE"
            symbol: BTC-USD
            limit: 100000
        """)
    result = compiled(text.replace("SIZE", "{{ item }}"))
    assert codes(result) == [("GC105", 8, 10)]  # the buy scalar; one error for the leg
    assert "computed from money param `budget` ($500) with no unit" in result.diagnostics[0].message
    assert "125 of the asset, not $125" in result.diagnostics[0].message  # the first item: 500 / 4
    result = compiled(text.replace("SIZE", "${{ item }}"))
    # $125 at 100,000 is 0.00125 BTC (125,000 x 1e-8), and the second item $250 or $125 again
    assert nodes(result)["a-0"]["quantity"] == {"fixed": {"qty_1e8": 125000}}
    assert no_mark_in(result.wire)


def test_a_bare_money_param_in_a_template_is_gc105_too(project):
    (project / "tp" / "spend.yaml").write_text(
        "graphc-template: 1\nparams:\n  amount: {type: money}\nlegs:\n"
        '  buy: {buy: "{{ amount }}", symbol: BTC-USD, limit: 100000}\n'
    )
    result = use(project, "legs:\n  s: {use: ./tp/spend.yaml, with: {amount: $500}}\n")
    assert [d.code for d in result.diagnostics] == ["GC105"]
    assert "money param `amount` ($500)" in result.diagnostics[0].message


def spend_template(project, type_: str, buy: str) -> None:
    (project / "tp" / "spend.yaml").write_text(
        f"graphc-template: 1\nparams:\n  size: {{type: {type_}}}\nlegs:\n"
        f"  buy: {{buy: {buy!r}, symbol: BTC-USD, limit: 100000}}\n"
    )


SPEND = """\
    params:
      budget: {type: money, default: $500}
    legs:
      s:
        use: ./tp/spend.yaml
        with: {size: SIZE}
    """


@pytest.mark.parametrize("size", ['"{{ budget / 2 }}"', '"{{ budget / 2 }} "', '"{{ (budget / 2) | string }}"'])
def test_a_money_number_passed_to_a_quantity_param_is_gc105_at_the_with_entry(project, size):
    # the template writes the quantity bare, `buy: "{{ size }}"`: 250 BTC, where $250 was meant
    spend_template(project, "quantity", "{{ size }}")
    result = use(project, SPEND.replace("SIZE", size))
    assert codes(result) == [("GC105", 8, 18)]  # the with: value
    [diagnostic] = result.diagnostics
    assert diagnostic.message.endswith(
        "tp/spend.yaml: param `size` (quantity): 250 is a number computed from money param `budget` ($500) with no "
        "unit, and a quantity without a unit is base units: 250 of the asset, not $250"
    )
    assert diagnostic.hint == (
        'pass dollars with `$` before the number (`"${{ ... }}"`), or the asset after it if you computed units'
    )


@pytest.mark.parametrize("type_", ["number", "integer"])
def test_a_money_number_passed_to_a_number_param_keeps_the_mark_into_the_template(project, type_):
    spend_template(project, type_, "{{ size }}")
    result = use(project, SPEND.replace("SIZE", '"{{ budget // 2 }}"'))
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.span.line) == ("GC105", 5)
    assert diagnostic.span.file.endswith("tp/spend.yaml")  # the template's `buy:`
    assert diagnostic.message == (
        "`buy: {{ size }}` is a number computed from money param `budget` ($500) with no unit, and a size without "
        "a unit is base units: 250 of the asset, not $250"
    )


@pytest.mark.parametrize(
    ("type_", "size", "buy", "qty_1e8"),
    [
        ("quantity", '"{{ budget / 2 }} USD"', "{{ size }}", 250000),  # $250 at 100,000: 0.0025 BTC
        ("quantity", '"${{ budget / 2 }}"', "{{ size }}", 250000),
        ("quantity", '"{{ budget / 100000 }} BTC"', "{{ size }}", 500000),  # 0.005 BTC
        ("money", '"{{ budget / 2 }}"', "${{ size }}", 250000),  # a money param takes the dollars
        ("number", '"{{ budget / 2 }}"', "${{ size }}", 250000),
        ("number", '"{{ budget / 100000 }}"', "{{ size }} BTC", 500000),
    ],
)
def test_a_money_number_passed_in_with_and_written_with_its_unit_compiles(project, type_, size, buy, qty_1e8):
    spend_template(project, type_, buy)
    result = use(project, SPEND.replace("SIZE", size))
    assert nodes(result)["s.buy"]["quantity"] == {"fixed": {"qty_1e8": qty_1e8}}
    assert no_mark_in(result.wire)


# Any chain of arithmetic, unary signs, number filters and text on a money amount keeps its mark, with or without
# the text in the middle; divided by money it is a plain ratio; and a value that leaves for the wire is plain.
_MONEY_STEPS = st.sampled_from(
    [
        "({}) * {n}",
        "{n} * ({})",
        "({}) / {n}",
        "({}) + {n}",
        "{n} + ({})",
        "({}) - {n}",
        "({}) // {n}",
        "({}) % {n}",
        "-({})",
        "+({})",
        "({}) | round(2)",
        "({}) | abs",
        "({}) | int",
        "(({}) | string) | decimal",
        "({}) * cut",
        "({}) if true else 0",
        # review10 3: any filter of the dollars keeps them, text ones too
        "(({}) | string | title) | decimal",
        "(({}) | string | list | join) | decimal",
        "(({}) | string | reverse | join | reverse | join) | decimal",
        "(({}) | string | map('upper') | join) | decimal",
        "[({}) | string] | map('trim') | first | decimal",
        "[({}), 1] | first",
        # review10 4: degrees; each step is dollars again, so `/ budget` below is still a plain ratio
        "({}) * budget / total",
        "budget * (({}) / total)",
        "({}) ** 2 / budget",
    ]
)


@given(st.lists(st.tuples(_MONEY_STEPS, st.integers(1, 999)), max_size=6))
# the long fuzz run's example: $1.0422...E+40, written out with 41 digits (28 significant) by the template layer, was
# refused by the size reader, which counted the integer's ending zeros as digits (units.too_many_digits)
@example(steps=[("({}) * {n}", 215)] + [("({}) ** 2 / budget", 1)] * 4)
def test_arithmetic_on_money_keeps_the_mark_and_money_over_money_drops_it(steps):
    expression = "budget"
    for step, n in steps:
        expression = step.format(expression, n=n)
    names = {
        "budget": MoneyAmount(Decimal(500), "budget"),
        "total": MoneyAmount(Decimal(1000), "total"),
        "cut": PercentRatio(Decimal("0.5"), "cut"),
    }
    value = evaluate(compile_template(f"{{{{ {expression} }}}}"), names, keep_marks=True)
    assert money_of(value) is not None and money_of(value).name == "budget", expression
    assert money_of(value).degree == 1, expression
    text = evaluate(compile_template(f"{{{{ {expression} }}}} "), names, keep_marks=True)
    assert type(text) is MoneyText and money_without_unit(text) is not None, expression
    assert money_without_unit(evaluate(compile_template(f"${{{{ {expression} }}}}"), names, keep_marks=True)) is None
    ratio = evaluate(compile_template(f"{{{{ ({expression}) / budget }}}}"), names, keep_marks=True)
    assert money_of(ratio) is None and type(ratio) is Decimal, expression
    plain = evaluate(compile_template(f"{{{{ {expression} }}}}"), names)
    assert type(plain) in (Decimal, int), expression
    assert type(evaluate(compile_template(f"{{{{ {expression} }}}} "), names)) is str


def test_the_gc105_page_money_examples_do_what_they_say():
    # docs/rules/GC105.md shows the money case inline (a rule page holds one example block per section)
    page = " ".join((REPO / "docs" / "rules" / "GC105.md").read_text().split())
    failing, dollars, units = 'buy: "{{ budget / 2 }}"', 'buy: "${{ budget / 2 }}"', 'buy: "{{ budget / 100000 }} BTC"'
    assert "`budget: {type: money, default: $500}`" in page
    assert all(f"`{snippet}`" in page for snippet in (failing, dollars, units))
    leg = "params:\n  budget: {type: money, default: $500}\nlegs:\n  entry: {SIZE, symbol: BTC-USD, limit: 100000}\n"
    result = compiled(playbook(leg.replace("SIZE", failing)))
    assert [d.code for d in result.diagnostics] == ["GC105"]
    assert "250 of the asset, not $250" in result.diagnostics[0].message
    # $250 at 100,000 is 0.0025 BTC (250,000 x 1e-8); 500 / 100,000 is 0.005 BTC
    for size, qty_1e8 in ((dollars, 250000), (units, 500000)):
        assert nodes(compiled(playbook(leg.replace("SIZE", size))))["entry"]["quantity"] == {
            "fixed": {"qty_1e8": qty_1e8}
        }


# ---------------------------------------------------------------------------
# review10: money-computed sizes that do not fit, `with:` to a text param, text filters, degrees, the hint's forms

LONG_QUOTES = {"BTC-USD": Quote(bid=Decimal(99990), ask=Decimal(100010), tick=Decimal("0.01"))}


@pytest.mark.parametrize(
    ("key", "size", "amount"),
    [
        # 500 / 3 and 500 / 100,010 do not end: cut at 40 characters; the others with an exponent
        ("buy", "{{ budget / 3 }}", "166.666666666666666666666666666666666666..."),
        ("buy", "{{ budget / quote('BTC-USD').ask }}", "0.00499950004999500049995000499950004999..."),
        ("sell", "{{ -budget / 7 }}", "-71.428571428571428571428571428571428571..."),
        ("buy", "{{ budget * 10 ** 50 }}", "5E+52"),
        ("buy", "{{ budget / 10 ** 50 }}", "5E-48"),
    ],
)
def test_a_money_size_that_does_not_fit_40_digits_is_gc105_not_a_crash(key, size, amount):
    result = compiled(MONEY_SIZE.replace("KEY: SIZE", f"{key}: {size!r}"), quotes=LONG_QUOTES)
    assert codes(result) == [("GC105", 8, len(f"    {key}: ") + 1)], result.diagnostics
    dollars = f"-${amount[1:]}" if amount.startswith("-") else f"${amount}"
    assert result.diagnostics[0].message.endswith(f"base units: {amount} of the asset, not {dollars}")


def test_a_money_size_that_does_not_fit_exits_1_on_the_command_line(tmp_path):
    path = tmp_path / "third.yaml"
    path.write_text(MONEY_SIZE.replace("KEY: SIZE", "buy: '{{ budget / 3 }}'"))
    for command in ("lint", "compile"):
        run = CliRunner().invoke(cli, [command, str(path)])
        assert run.exit_code == 1, run.output
        assert "GC105" in run.output and "internal error" not in run.output


def test_a_money_size_in_defaults_that_does_not_fit_is_gc105():
    text = playbook("""\
        params:
          budget: {type: money, default: $500}
        defaults: {side: sell, qty: "{{ budget / 7 }}", symbol: BTC-USD, limit: 100000}
        legs:
          a: {venue: coinbase}
        """)
    assert codes(compiled(text)) == [("GC105", 5, 29)]


def test_a_money_number_that_does_not_fit_passed_to_a_quantity_param_is_gc105(project):
    spend_template(project, "quantity", "{{ size }}")
    result = use(project, SPEND.replace("SIZE", '"{{ budget / 3 }}"'))
    assert codes(result) == [("GC105", 8, 18)]
    assert result.diagnostics[0].message.endswith(
        "166.666666666666666666666666666666666666... of the asset, not $166.666666666666666666666666666666666666..."
    )


@pytest.mark.parametrize(
    ("type_", "size", "code"),
    [
        ("string", '"{{ budget / 2 }} "', "GC105"),  # lint clean and 250 BTC before (review10 2)
        ("symbol", '"{{ budget / 2 }} "', "GC105"),
        ("price", '"{{ budget / 2 }} "', "GC105"),
        ("price", '"{{ budget / 2 }}"', "GC105"),
        ("price", '"{{ budget // 2 }}"', "GC105"),
        ("string", '"{{ budget / 2 }}"', "GC108"),  # a number given to a text param, as before
        ("symbol", '"{{ budget // 2 }}"', "GC108"),
    ],
)
def test_a_money_number_passed_to_a_text_param_keeps_the_mark_into_the_template(project, type_, size, code):
    # the template writes the text bare, `buy: "{{ size }}"`: 250 BTC, where $250 was meant
    spend_template(project, type_, "{{ size }}")
    result = use(project, SPEND.replace("SIZE", size))
    [diagnostic] = result.diagnostics
    assert diagnostic.code == code, result.diagnostics
    if code == "GC105":
        assert diagnostic.span.line == 5 and diagnostic.span.file.endswith("tp/spend.yaml")  # the template's buy
        assert diagnostic.message.endswith("base units: 250 of the asset, not $250")


@pytest.mark.parametrize("type_", ["string", "price"])
def test_a_money_text_param_with_its_unit_or_as_a_limit_compiles(project, type_):
    spend_template(project, type_, "${{ size }}")  # $250 at the 100,000 limit: 0.0025 BTC
    result = use(project, SPEND.replace("SIZE", '"{{ budget / 2 }} "'))
    assert nodes(result)["s.buy"]["quantity"] == {"fixed": {"qty_1e8": 250000}}
    assert no_mark_in(result.wire)


def test_a_money_number_passed_to_other_param_types_is_their_plain_value(project):
    # a money param takes the dollars (its own mark, degree 1), a duration its plain milliseconds
    (project / "tp" / "spend.yaml").write_text(
        "graphc-template: 1\nparams:\n  size: {type: money}\n  wait: {type: duration}\nlegs:\n"
        "  buy: {buy: '${{ size }}', symbol: BTC-USD, limit: 100000, twap: '{{ wait }} slices every 1m'}\n"
    )
    body = SPEND.replace("with: {size: SIZE}", 'with: {size: "{{ budget / 2 }}", wait: "{{ budget // 100 }}"}')
    result = use(project, body)
    assert nodes(result)["s.buy"]["quantity"] == {"fixed": {"qty_1e8": 250000}}  # $250 at 100,000
    assert no_mark_in(result.wire)


@pytest.mark.parametrize(
    ("size", "amount"),
    [
        ("{{ budget | string | title }}", "500"),
        ("{{ budget | string | capitalize }}", "500"),
        ("{{ budget | string | list | join }}", "500"),
        ("{{ (budget / 2) | string | list | join }}", "250"),
        ("{{ budget | string | reverse | join | reverse | join }}", "500"),
        ("{{ budget | string | select | join }}", "500"),
        ("{{ budget | string | reject('eq', 'x') | join }}", "500"),
        ("{{ budget | string | map('upper') | join }}", "500"),
        ("{{ [budget | string] | map('title') | first }}", "500"),
        ("{{ budget | string | unique | join }}", "50"),  # '5', '0': the second 0 dropped
        ("{{ budget | string | sort | join }}", "5"),  # '0', '0', '5': 005
        ("{{ range(budget | int) | length }}", "500"),
        ("{{ budget | string | length }}", "3"),
        ("{{ budget * budget / total }}", "250"),  # 500 x 500 / 1000: dollars again (review10 4)
        ("{{ budget ** 2 / total }}", "250"),
        ("{{ (budget * budget) ** 0.5 }}", "500"),
        ("{{ budget * budget }}", "250000"),
        ("{{ 1000 / budget }}", "2"),
    ],
)
def test_text_filters_and_powers_of_money_keep_the_mark(size, amount):
    text = MONEY_SIZE.replace("KEY: SIZE", f"buy: {size!r}").replace(
        "budget: {type: money, default: $500}",
        "budget: {type: money, default: $500}\n  total: {type: money, default: $1000}",
    )
    result = compiled(text)
    assert [d.code for d in result.diagnostics] == ["GC105"], result.diagnostics
    assert result.diagnostics[0].message.endswith(f"base units: {amount} of the asset, not ${amount}")


@pytest.mark.parametrize(
    "size",
    ["{{ budget * (budget / total) }}", "{{ budget / total * budget }}", "{{ budget * budget / total }}"],
)
def test_the_degree_does_not_depend_on_brackets(size):
    names = {"budget": MoneyAmount(Decimal(500), "budget"), "total": MoneyAmount(Decimal(1000), "total")}
    value = evaluate(compile_template(size), names, keep_marks=True)
    assert money_of(value) is not None and money_of(value).degree == 1 and value == 250


@pytest.mark.parametrize(
    "size", ["{{ budget / total }}", "{{ budget * budget / total / total }}", "{{ (budget / total) ** 2 }}"]
)
def test_degree_zero_is_a_plain_ratio(size):
    names = {"budget": MoneyAmount(Decimal(500), "budget"), "total": MoneyAmount(Decimal(1000), "total")}
    value = evaluate(compile_template(size), names, keep_marks=True)
    assert money_of(value) is None and type(value) is Decimal


HINTED = playbook("""\
    params:
      budget: {type: money, default: $500}
    legs:
      a:
        buy: SIZE
        symbol: SYMBOL
        limit: LIMIT
    """)


def test_the_gc105_hint_rounds_a_number_a_size_cannot_hold_and_its_forms_compile():
    result = compiled(
        HINTED.replace("SIZE", "'{{ budget / 3 }}'").replace("SYMBOL", "BTC-USD").replace("LIMIT", "100000")
    )
    [diagnostic] = result.diagnostics
    dollars, units = "${{ (budget / 3) | round(2, 'floor') }}", "{{ (budget / 3) | round(8, 'floor') }} BTC"
    assert diagnostic.hint == (
        f'round it down to what a size can hold: write `"{dollars}"` for dollars, or the asset after the number '
        f"(`{units}`) if you computed units"
    )
    # $166.66 at 100,000 is 0.0016666 BTC; 166.66666666 BTC is 16,666,666,666 x 1e-8
    for size, qty_1e8 in ((dollars, 166660), (units, 16666666666)):
        text = HINTED.replace("SIZE", repr(size)).replace("SYMBOL", "BTC-USD").replace("LIMIT", "100000")
        assert nodes(compiled(text))["a"]["quantity"] == {"fixed": {"qty_1e8": qty_1e8}}


def test_the_gc105_hint_rounds_to_whole_shares_on_a_prediction_market():
    text = HINTED.replace("SIZE", "'{{ budget / 3 }}'").replace("SYMBOL", "KXBTCZ-26DEC31-T99000")
    [diagnostic] = compiled(text.replace("LIMIT", "0.5")).diagnostics
    shares = "{{ (budget / 3) | round(0, 'floor') }} shares"
    assert diagnostic.hint.endswith(f"(`{shares}`) if you computed units")
    # 166.666... rounded down: 166 shares, x 1e8
    result = compiled(text.replace("LIMIT", "0.5").replace("'{{ budget / 3 }}'", repr(shares)))
    assert nodes(result)["a"]["quantity"] == {"fixed": {"qty_1e8": 16600000000}}


def test_units_from_a_quote_rounded_down_as_the_docs_say_compile():
    # docs/templates.md: 500 / 100,010 = 0.0049995000499..., rounded down to 1e-8: 0.00499950, x 1e8 = 499,950
    size = "{{ (budget / quote('BTC-USD').ask) | round(8, 'floor') }} BTC"
    assert size in " ".join((REPO / "docs" / "templates.md").read_text().split())
    text = HINTED.replace("SIZE", repr(size)).replace("SYMBOL", "BTC-USD").replace("LIMIT", "100000")
    assert nodes(compiled(text, quotes=LONG_QUOTES))["a"]["quantity"] == {"fixed": {"qty_1e8": 499950}}


# ---------------------------------------------------------------------------
# 7. A percent param placed whole in a field whose number is percent points or bps (audit compile16 1)
#
# Spec §6.2: a scalar that is exactly one `{{ expr }}` keeps the expression's type, here a percent; §5: `-5%` is
# `"offset_pct": -5.0`; §3: a `0.25%` slippage is 25 bps. So the ratio lands in the field's own unit.

QUOTES_FILE = str(REPO / "examples" / "quotes.yaml")
ETH_STOP = playbook("""\
    params:
      stop: {type: percent, default: -5%}
    legs:
      entry: {buy: 1 ETH, symbol: ETH-USD, limit: 2300}
      stop:
        sell: 1 ETH
        symbol: ETH-USD
        limit: trigger - 0.5%
        after:
          - from: entry
            trigger: {on_price: {symbol: ETH-USD, direction: below, reference: graph_entry_price, offset_pct: OFFSET}}
    """)
SLIP = playbook("""\
    params:
      slip: {type: percent, default: 100%}
    legs:
      a: {buy: 1, symbol: BTC-USD, slippage: SLIPPAGE}
    """)


def graphc(tmp_path, command, text, *args):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return CliRunner().invoke(cli, [command, str(path), "--quotes", QUOTES_FILE, *args])


def slippages(result):
    return {key: node["execution"].get("max_slippage_bps") for key, node in nodes(result).items()}


@pytest.mark.parametrize(
    "args, offset, price_1e9",
    [
        # 2300 x (1 - 5%) = 2185 is where the stop fires; less 0.5% is 2174.075, which a sell rounds up to 2174.08
        ((), "-5.0", 2174080000000),
        (("--set", "stop=-5%"), "-5.0", 2174080000000),
        (("--set", "stop=-0.05"), "-5.0", 2174080000000),  # a bare ratio is the same percent
        # 2300 x 0.975 = 2242.5; less 0.5% (11.2125) is 2231.2875, rounded up to 2231.29
        (("--set", "stop=-2.5%"), "-2.5", 2231290000000),
    ],
)
def test_a_percent_param_whole_in_offset_pct_is_percent_points(tmp_path, args, offset, price_1e9):
    # compile16 1: `offset_pct: "{{ stop }}"` with stop -5% compiled to -0.05, a stop 0.05% below the entry
    run = graphc(tmp_path, "compile", ETH_STOP.replace("OFFSET", '"{{ stop }}"'), *args)
    assert run.exit_code == 0, run.output
    assert f'"offset_pct": {offset}' in run.output
    assert f'"price_1e9": {price_1e9}' in run.output
    literal = graphc(tmp_path, "compile", ETH_STOP.replace("OFFSET", offset))
    assert run.output == literal.output


def test_lint_reads_a_whole_percent_in_offset_pct_as_percent_points(tmp_path):
    text = ETH_STOP.replace("OFFSET", '"{{ stop }}"')
    run = graphc(tmp_path, "lint", text, "--strict")
    assert run.exit_code == 0 and run.output.startswith("no problems in 1 file"), run.output
    # at -100% the stop's `trigger` level is 0 (2300 x (1 - 100%)); read as -1% it linted clean
    run = graphc(tmp_path, "lint", text, "--set", "stop=-100%")
    assert run.exit_code == 1, run.output
    assert "error GC103 `limit: trigger - 0.5%`: price 'trigger - 0.5%' resolves to 0 which is not positive" in (
        run.output
    )


@pytest.mark.parametrize(
    "args, bps",
    [((), 10000), (("--set", "slip=0.25%"), 25), (("--set", "slip=0.0025"), 25), (("--set", "slip=5%"), 500)],
)
def test_a_percent_param_whole_in_slippage_is_bps(tmp_path, args, bps):
    # compile16 1: 100% was `"max_slippage_bps": 1`, and 0.25% GC106 "'0.0025' is 0.0025 bps"
    run = graphc(tmp_path, "compile", SLIP.replace("SLIPPAGE", '"{{ slip }}"'), *args)
    assert run.exit_code == 0, run.output
    assert f'"max_slippage_bps": {bps}' in run.output


def test_a_percent_param_in_slippage_that_is_not_whole_bps_says_its_bps(tmp_path):
    run = graphc(tmp_path, "compile", SLIP.replace("SLIPPAGE", '"{{ slip }}"'), "--set", "slip=0.125%")
    assert run.exit_code == 1, run.output
    assert "GC106" in run.output and "12.5 bps, not a whole number of bps" in run.output


def test_lint_reads_a_whole_percent_in_slippage_as_bps(tmp_path):
    text = SLIP.replace("SLIPPAGE", '"{{ slip }}"')
    run = graphc(tmp_path, "lint", text)
    assert run.exit_code == 0, run.output
    assert "warning GC403 node 'a': max_slippage_bps 10000 (100%) is above 500 bps" in run.output
    run = graphc(tmp_path, "lint", text, "--strict", "--set", "slip=0.25%")
    assert run.exit_code == 0 and run.output.startswith("no problems in 1 file"), run.output


@pytest.mark.parametrize(
    "slippage, shown, percent, bps",
    [
        ('"{{ slip }} "', "0.0025", "0.25", "25"),
        ('"{{ slip | string }}"', "0.0025", "0.25", "25"),
        ("\"{{ slip ~ '' }}\"", "0.0025", "0.25", "25"),
        ('"+{{ slip * 2 }}"', "0.005", "0.5", "50"),
    ],
)
def test_a_percent_ratio_written_as_text_in_slippage_is_gc107(slippage, shown, percent, bps):
    # text has no one number to convert ("1{{ slip }}"), and its bare number would be read as bps: 0.0025 bps
    result = compiled(SLIP.replace("SLIPPAGE", slippage), params={"slip": "0.25%"})
    assert codes(result) == [("GC107", 6, 42)]
    [diagnostic] = result.diagnostics
    assert diagnostic.message.endswith(
        f": {shown} is a ratio from percent param `slip` ({percent}%) written as text, which `slippage` reads as "
        f"{shown} bps, not {bps}"
    )
    assert diagnostic.hint == (
        'write the whole value, `slippage: "{{ slip }}"` (0.25% is 25 bps), or the basis points, `{{ slip * 10000 }}`'
    ).replace("(0.25% is 25 bps)", f"({percent}% is {bps} bps)")
    result = compiled(SLIP.replace("SLIPPAGE", slippage).replace("a: {", "a: {for_each: 2, "), params={"slip": "0.25%"})
    assert [d.message.endswith("(for_each index 0)") for d in result.diagnostics] == [True]


def test_a_percent_ratio_written_as_text_in_defaults_slippage_is_gc107_and_elsewhere_is_text():
    text = playbook("""\
        params:
          slip: {type: percent, default: 0.25%}
        defaults: {slippage: "{{ slip }} "}
        legs:
          a: {buy: 1, symbol: BTC-USD}
        """)
    assert codes(compiled(text)) == [("GC107", 5, 22)]
    # the same text where a bare number is a ratio is that ratio, or a made-up field's text
    text = playbook("""\
        params:
          cut: {type: percent, default: 50%}
        legs:
          entry: {buy: 1 ETH, symbol: ETH-USD}
          hedge: {sell: 1 ETH, symbol: ETH-USD, after: [{from: entry, fill_ratio: "{{ cut }} "}]}
        """)
    assert [edge["condition"] for edge in compiled(text).wire["edges"]] == [{"fill_ratio_gte": Decimal("0.5")}]


@pytest.mark.parametrize(
    "offset, expected",
    [
        ('"{{ stop * 2 }}"', -10),  # still a ratio: -0.1 is -10%
        ('"{{ stop / 2 }}"', Decimal("-2.5")),
        ('"{{ stop | round(3) }}"', -5),
        ('"{{ stop * 100 }}"', -5),  # times 100 it is percent points already, a plain number
        ('"{{ -stop * -1 }}"', -5),
    ],
)
def test_arithmetic_on_a_percent_in_offset_pct(offset, expected):
    result = compiled(ETH_STOP.replace("OFFSET", offset), quotes={})
    assert offsets(result) == {"stop": expected}
    assert no_mark_in(result.wire)


@pytest.mark.parametrize(
    "slippage, given, bps",
    [
        ('"{{ slip }}"', "0.25%", 25),
        ('"{{ slip / 5 }}"', "0.25%", 5),  # 0.05%
        ('"{{ slip * 2 }}"', "1%", 200),
        ('"{{ slip * 10000 }}"', "0.25%", 25),  # basis points already, a plain number
    ],
)
def test_arithmetic_on_a_percent_in_slippage(slippage, given, bps):
    result = compiled(SLIP.replace("SLIPPAGE", slippage), params={"slip": given})
    assert slippages(result) == {"a": bps}
    assert no_mark_in(result.wire)


def test_a_whole_percent_in_defaults_slippage_and_top_level_edges_is_converted():
    text = playbook("""\
        params:
          stop: {type: percent, default: -5%}
          slip: {type: percent, default: 0.3%}
        defaults: {symbol: ETH-USD, slippage: "{{ slip }}"}
        legs:
          entry: {buy: 1 ETH, limit: 2300}
          stop: {sell: 1 ETH}
        edges:
          - {from: entry, to: stop, trigger: {on_price: {symbol: ETH-USD, direction: below, reference: graph_entry_price, offset_pct: "{{ stop }}"}}}
        """)
    result = compiled(text)
    assert slippages(result) == {"entry": 30, "stop": 30}
    assert offsets(result) == {"stop": -5}


@pytest.mark.parametrize(
    "after",
    [
        # the trigger mapping made by one expression
        "[{from: entry, trigger: \"{{ {'on_price': {'symbol': 'ETH-USD', 'direction': 'below', "
        "'reference': 'graph_entry_price', 'offset_pct': stop}} }}\"}]",
        # the whole `after:` list made by one expression
        "\"{{ [{'from': 'entry', 'trigger': {'on_price': {'symbol': 'ETH-USD', 'direction': 'below', "
        "'reference': 'graph_entry_price', 'offset_pct': stop}}}] }}\"",
    ],
)
def test_a_percent_in_offset_pct_built_by_an_expression_is_converted(after):
    text = playbook(f"""\
        params:
          stop: {{type: percent, default: -5%}}
        legs:
          entry: {{buy: 1 ETH, symbol: ETH-USD}}
          stop:
            sell: 1 ETH
            symbol: ETH-USD
            after: {after}
        """)
    assert offsets(compiled(text)) == {"stop": -5}


def test_a_percent_for_each_item_whole_in_offset_pct_is_converted():
    text = ETH_STOP.replace("  stop:\n", '  stop:\n    for_each: "{{ [stop, stop * 2] }}"\n', 1)
    result = compiled(text.replace("OFFSET", '"{{ item }}"'), quotes={})
    assert offsets(result) == {"stop-0": -5, "stop-1": -10}


def test_a_whole_percent_in_fill_ratio_is_the_ratio_it_wants():
    text = playbook("""\
        params:
          cut: {type: percent, default: 50%}
        legs:
          entry: {buy: 1 ETH, symbol: ETH-USD}
          hedge:
            sell: 1 ETH
            symbol: ETH-USD
            after: [{from: entry, fill_ratio: "{{ cut }}"}, "entry filled {{ cut / 2 }}"]
        """)
    conditions = [edge["condition"] for edge in compiled(text).wire["edges"]]
    assert conditions == [{"fill_ratio_gte": Decimal("0.5")}, {"fill_ratio_gte": Decimal("0.25")}]


STOP_TEMPLATE = """\
graphc-template: 1
params:
  stop: {type: percent}
  slip: {type: percent, default: 0.25%}
legs:
  hold: {buy: 1 ETH, symbol: ETH-USD, limit: 2300, slippage: "{{ slip }}"}
  out:
    sell: 1 ETH
    symbol: ETH-USD
    after:
      - from: hold
        trigger: {on_price: {symbol: ETH-USD, direction: below, reference: graph_entry_price, offset_pct: "{{ stop }}"}}
"""


@pytest.mark.parametrize(
    "with_, offset",
    [
        ("{stop: -5%}", -5),
        ('{stop: "{{ stop }}"}', -5),
        ('{stop: "{{ stop * 2 }}"}', -10),
        ('{stop: "{{ stop }}", slip: "{{ stop * -0.1 }}"}', -5),  # slip 0.5%: 50 bps
    ],
)
def test_a_percent_passed_in_with_and_placed_whole_in_the_template_is_converted(project, with_, offset):
    (project / "tp" / "stop.yaml").write_text(STOP_TEMPLATE)
    body = f"""\
        params:
          stop: {{type: percent, default: -5%}}
        legs:
          guard:
            use: ./tp/stop.yaml
            with: {with_}
        """
    result = use(project, body)
    assert offsets(result) == {"guard.out": offset}
    assert slippages(result)["guard.hold"] == (50 if "slip" in with_ else 25)


ANY_STOP = playbook("""\
    params:
      stop: {type: percent}
    legs:
      entry: {buy: 1 ETH, symbol: ETH-USD}
      a:
        sell: 1 ETH
        symbol: ETH-USD
        slippage: SLIPPAGE
        after: AFTER
    """)
_RATIO_STEPS = st.sampled_from(
    ["({}) * {n}", "{n} * ({})", "({}) / 2", "({}) / 4", "({}) / 5", "-({})", "({}) | abs", "({}) | round(4)"]
)


@given(
    st.integers(-99_999, 99_999).filter(bool),
    st.integers(0, 3),
    st.lists(st.tuples(_RATIO_STEPS, st.integers(1, 9)), max_size=4),
)
def test_a_whole_percent_in_offset_pct_and_slippage_agree_with_the_percent_spelling(digits, places, steps):
    # `offset_pct: "{{ e }}"` is the text trigger `entry {{ e * 100 }}%` (docs/templates.md), and
    # `slippage: "{{ e }}"` is `slippage: "{{ e * 100 }}%"` (spec §3: `0.25%` is 25 bps), for any ratio e
    percent = f"{Decimal(digits).scaleb(-places)}%"
    expression = "stop"
    for step, n in steps:
        expression = step.format(expression, n=n)
    mapping = (
        "[{from: entry, trigger: {on_price: {symbol: ETH-USD, direction: below, reference: graph_entry_price, "
        f'offset_pct: "{{{{ {expression} }}}}"}}}}}}]'
    )
    spelled = f'"entry price ETH-USD below entry {{{{ ({expression}) * 100 }}}}%"'
    text = ANY_STOP
    whole = compiled(text.replace("AFTER", mapping).replace("SLIPPAGE", "25bps"), params={"stop": percent})
    written = compiled(text.replace("AFTER", spelled).replace("SLIPPAGE", "25bps"), params={"stop": percent})
    assert whole.ok and written.ok, (whole.diagnostics, written.diagnostics)
    assert offsets(whole) == offsets(written), expression
    whole = compiled(
        text.replace("AFTER", "entry filled").replace("SLIPPAGE", f'"{{{{ {expression} }}}}"'), params={"stop": percent}
    )
    written = compiled(
        text.replace("AFTER", "entry filled").replace("SLIPPAGE", f'"{{{{ ({expression}) * 100 }}}}%"'),
        params={"stop": percent},
    )
    assert [d.code for d in whole.diagnostics] == [d.code for d in written.diagnostics], expression
    if written.ok:
        assert slippages(whole) == slippages(written), expression
        assert no_mark_in(whole.wire)


# ---------------------------------------------------------------------------
# audit tmpl19 3: a division that does not end. Spec §8 gives "more precision than the wire scale (qty 1e-8, price
# 1e-9)" GC106; it was GC103 "has more than 40 digits" with the hint "write at most 40 significant digits" (the
# user wrote five characters), once per for_each copy. Now GC106 at the template, once for the leg, with the
# rounding that fixes it.

DIVIDED = playbook("""\
    params:
      total: {type: number, default: 1}
      n: {type: integer, default: 3}
      budget: {type: money, default: $500}
    legs:
      r:
        for_each: "{{ n }}"
        buy: BUY
        symbol: ETH-USD
        limit: LIMIT
    """)


def divided(buy="1 ETH", limit="2300"):
    return compiled(DIVIDED.replace("BUY", buy).replace("LIMIT", limit))


def test_a_size_from_a_division_that_does_not_end_is_gc106_once_for_the_for_each_leg(tmp_path):
    path = tmp_path / "dv.yaml"
    path.write_text(DIVIDED.replace("BUY", '"{{ total / n }} ETH"').replace("LIMIT", "2300"))
    run = CliRunner().invoke(cli, ["compile", str(path)])
    assert run.exit_code == 1, run.output
    assert run.stderr.count("error") == 1 and "GC103" not in run.stderr, run.stderr
    assert (
        f"{path}:10:10: error GC106 in `{{{{ total / n }}}} ETH`: `total / n` needs more than 60 significant digits "
        "to be worked out exactly; a number may have at most 40 (for_each index 0)\n"
    ) in run.stderr
    assert (
        "hint: round it down where it is made, to what a size holds: `{{ (total / n) | round(8, 'floor') }}` "
        "(8 decimals; `round(0, 'floor')` for shares or contracts)"
    ) in run.stderr


@pytest.mark.parametrize("limit", ['"{{ 2300 / 7 }}"', '"{{ 2 / 3 * 3 }}"'])
def test_a_price_from_a_division_that_does_not_end_is_gc106_at_the_template(limit):
    result = divided(limit=limit)
    assert codes(result) == [("GC106", 12, 12)], result.diagnostics
    [diagnostic] = result.diagnostics
    assert "needs more than 60 significant digits to be worked out exactly" in diagnostic.message
    expression = limit.strip('"{} ')
    assert diagnostic.hint == (  # a buy: the leg's own direction, written (audit ruledoc21 5)
        f"round it to the market's tick where it is made, down for a buy: "
        f"`{{{{ ({expression}) | round(2, 'floor') }}}}` on a 0.01 tick"
    )


def test_dollars_from_a_division_that_does_not_end_round_to_the_cent():
    result = divided(buy='"${{ budget / 3 }}"')
    assert codes(result) == [("GC106", 10, 10)], result.diagnostics
    assert result.diagnostics[0].hint == (
        "round the dollars down where they are made: `{{ (budget / 3) | round(2, 'floor') }}`"
    )


# audit money20 4a: the message named a value the expression does not have ("`2 - 1e-40 * 1e-30` is 2"), and called
# an exact 42-digit sum one that "does not end". Now an exact value is quoted in full with its digits counted, and a
# value worked out with rounding is not quoted at all.


@pytest.mark.parametrize(
    ("field", "template", "message"),
    [
        (
            "buy",
            '"{{ 2 - 1e-40 * 1e-30 }}"',  # 1.99...9, 71 digits: the 60-digit working rounded it to 2
            "`2 - 1e-40 * 1e-30` needs more than 60 significant digits to be worked out exactly; a number may have "
            "at most 40",
        ),
        (
            "limit",
            '"{{ 2300 + 1e-38 }} USD"',  # exact, 42 digits
            "`2300 + 1e-38` is 2300.00000000000000000000000000000000000001, 42 significant digits; a number may "
            "have at most 40",
        ),
        (
            "buy",
            '"{{ 1.00000000000000000000 * 1.00000000000000000000000 }}"',  # exact: 1 written with 44 digits
            "`1.00000000000000000000 * 1.00000000000000000000000` is 1.0000000000000000000000000000000000000000000, "
            "44 significant digits; a number may have at most 40",
        ),
        (
            "limit",
            '"{{ 2300 / 7 }}"',
            "`2300 / 7` needs more than 60 significant digits to be worked out exactly; a number may have at most 40",
        ),
        (
            "limit",
            '"{{ 1 / 3 * 3 }}"',  # 1, though a step of it does not end
            "`1 / 3 * 3` needs more than 60 significant digits to be worked out exactly; a number may have at most 40",
        ),
    ],
)
def test_a_number_too_long_is_named_truly(field, template, message):
    text = playbook("legs:\n  a:\n    buy: 1\n    symbol: ETH-USD\n    limit: 2300\n")
    text = text.replace(f"    {field}: {'1' if field == 'buy' else '2300'}\n", f"    {field}: {template}\n")
    result = compiled(text)
    assert [d.code for d in result.diagnostics] == ["GC106"], result.diagnostics
    assert result.diagnostics[0].message == f"in `{template.strip(chr(34))}`: {message}"


def test_the_rounding_the_hints_give_compiles():
    result = divided(
        buy="\"{{ (total / n) | round(8, 'floor') }} ETH\"", limit="\"{{ (2300 / 7) | round(2, 'floor') }}\""
    )
    legs = nodes(result)
    assert legs["r-2"]["quantity"] == {"fixed": {"qty_1e8": 33333333}}
    assert legs["r-2"]["order_type"]["limit"]["price_1e9"] == 328570000000
    dollars = nodes(divided(buy="\"${{ (budget / 3) | round(2, 'floor') }}\""))
    assert dollars["r-0"]["quantity"] == {
        "fixed": {"qty_1e8": 7246086}
    }  # $166.66 at 2300 is 0.072460869...: down to 1e-8


def test_a_with_value_that_does_not_end_is_gc106_at_the_with_entry(project):
    spend_template(project, "number", "{{ size }} BTC")
    result = use(project, SPEND.replace("SIZE", '"{{ 1 / 3 }}"'))
    assert codes(result) == [("GC106", 8, 18)], result.diagnostics


def test_a_division_inside_a_template_used_by_copies_is_reported_once(project):
    spend_template(project, "number", "{{ size / 3 }} BTC")
    body = SPEND.replace("      s:\n", "      s:\n        for_each: 3\n").replace("SIZE", "1")
    result = use(project, body)
    assert [(d.code, d.path.endswith("spend.yaml"), d.span.line) for d in result.diagnostics] == [("GC106", True, 5)]


def test_a_long_number_in_the_playbooks_free_text_is_only_text():
    # `description` is text for people: a number written there is never read as one (not refused); `name` is
    # never rendered (it is the run key: tests/test_literal_name.py)
    text = DIVIDED.replace("BUY", "1 ETH").replace("LIMIT", "2300")
    text = text.replace("legs:\n", 'description: "a third is {{ total / n }}"\nlegs:\n')
    assert compiled(text).ok


# -- `int` reads a whole number or says it cannot (audit tmpl27 2) ----------------------------------------------

INT_LADDER = playbook(
    """\
    params:
      offsets: {type: string, default: "10,20,30"}
    legs:
      rung:
        for_each: "{{ offsets.split(',') | map('trim') | list }}"
        buy: 1 ETH
        symbol: ETH-USD
        limit: "bid - {{ item | int }}bps"
    """
)
ETH = {"ETH-USD": Quote(bid=Decimal(2000), ask=Decimal("2000.5"))}


def test_int_of_text_that_is_not_a_number_is_gc107_not_zero():
    """`--set offsets=10,2O,30` (the letter O) moved rung 2O's limit to the bid ("bid - 0bps"), lint clean."""
    result = compiled(INT_LADDER, quotes=ETH, params={"offsets": "10,2O,30"})
    assert [(d.code, d.span.line, d.span.col, d.message) for d in result.diagnostics] == [
        ("GC107", 10, 12, "in `bid - {{ item | int }}bps`: cannot read '2O' as a whole number (for_each index 1)")
    ]
    assert "int(default=0)" in result.diagnostics[0].hint
    assert compiled(INT_LADDER, quotes=ETH, params={"offsets": "10,20,30"}).ok


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ 2000 + ('1e999' | int) }}", "cannot read '1e999' as a whole number"),  # was 2000
        ("{{ 2000 + ('' | int) }}", "cannot read '' as a whole number"),
        ("{{ 2000 + ([1] | int) }}", "int needs a number or numeric text, not a list"),
        ("{{ 2000 + (none | int) }}", "int needs a number or numeric text, not none"),
    ],
)
def test_int_refuses_what_it_cannot_read(template, message):
    result = compiled(playbook(f'legs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, limit: "{template}"}}\n'))
    assert [(d.code, d.message) for d in result.diagnostics] == [("GC107", f"in `{template}`: {message}")]


@pytest.mark.parametrize(
    ("template", "price"),
    [
        ("{{ 2000 + ('2O' | int(default=5)) }}", 2005),
        ("{{ 2000 + ('1e999' | int(default=0)) }}", 2000),
        ("{{ 2000 + ('12.7' | int) }}", 2012),
        ("{{ 2000 + ('-3' | int) }}", 1997),
    ],
)
def test_int_reads_numbers_and_keeps_an_explicit_default(template, price):
    result = compiled(playbook(f'legs:\n  a: {{buy: 1 ETH, symbol: ETH-USD, limit: "{template}"}}\n'))
    assert nodes(result)["a"]["order_type"]["limit"]["price_1e9"] == price * 10**9


def test_a_for_each_count_that_int_cannot_read_is_gc107_not_an_empty_leg():
    text = playbook(
        'params:\n  rungs: {type: string, default: "3"}\nlegs:\n'
        '  r: {for_each: "{{ rungs | int }}", buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n'
    )
    assert len(nodes(compiled(text))) == 3
    result = compiled(text, params={"rungs": "1O"})
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("GC107", "in `{{ rungs | int }}`: cannot read '1O' as a whole number")
    ]
