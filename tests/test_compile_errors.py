"""Bad input gives the spec's code at the right line and column, exit 1, no traceback."""

import json
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write
from tests.wire_nodes import wire_node

HEAD = "graphc: 1\nname: t\nlegs:\n"

# (case id, playbook text, code, line, col, words the message must contain)
CASES = [
    ("syntax", HEAD + "  a:\n    buy: [1\n", "GC100", 6, 1, "syntax"),
    (
        "duplicate-key",
        HEAD + "  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    symbol: ETH-USDT\n",
        "GC101",
        7,
        5,
        "duplicate key 'symbol'",
    ),
    (
        "unknown-key",
        HEAD + "  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    limt: 2000\n",
        "GC102",
        7,
        5,
        "did you mean 'limit'",
    ),
    ("wrong-unit", HEAD + "  a:\n    buy: 1 BTC\n    symbol: ETH-USD\n", "GC105", 5, 10, "ETH"),
    # A dollar notional divided by a price in bitcoin or yen is not a size: $5,000 at 0.05 BTC was 100,000 ETH
    (
        "dollars-on-a-bitcoin-market",
        HEAD + "  a:\n    buy: $5000\n    symbol: ETH-BTC\n    limit: 0.05\n",
        "GC105",
        5,
        10,
        "ETH-BTC is priced in BTC",
    ),
    (
        "usd-on-a-yen-market",
        HEAD + "  a:\n    buy: 5000 USD\n    symbol: BTC-JPY\n    limit: 10000000\n",
        "GC105",
        5,
        10,
        "BTC-JPY is priced in JPY",
    ),
    (
        "dollars-on-an-unknown-currency",
        HEAD + "  a:\n    buy: $5000\n    symbol: BTC\n    limit: 60000\n",
        "GC105",
        5,
        10,
        "the currency of BTC's prices is unknown",
    ),
    ("unreadable", HEAD + "  a:\n    buy: 2OO ETH\n    symbol: ETH-USD\n", "GC105", 5, 10, "2OO ETH"),
    ("excess-precision", HEAD + "  a:\n    buy: 0.123456789 ETH\n    symbol: ETH-USD\n", "GC106", 5, 10, "precision"),
    (
        "missing-quote",
        HEAD + "  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: ask + 1 tick\n",
        "GC109",
        7,
        12,
        "ETH-USD",
    ),
    ("missing-symbol", HEAD + "  a:\n    buy: 1 ETH\n", "GC104", 4, 3, "symbol"),
    ("bad-enum", HEAD + "  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    policy: fast\n", "GC103", 7, 13, "policy"),
    # `^...$` with re.match let a name ending in a newline by (`$` matches before a final "\n")
    (
        "name-with-newline",
        'graphc: 1\nname: "abc\\n"\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n',
        "GC103",
        2,
        7,
        "must be lower-case letters",
    ),
    (
        "leg-id-with-newline",  # it reached the wire as node_id "a\n"
        'graphc: 1\nname: abc\nlegs:\n  "a\\n": {buy: 1 ETH, symbol: ETH-USD}\n',
        "GC103",
        4,
        3,
        "leg id",
    ),
    (
        "param-name-with-newline",
        'graphc: 1\nname: abc\nparams:\n  "p\\n": {type: number, default: 1}\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n',
        "GC103",
        4,
        3,
        "param name",
    ),
    ("shares-on-spot", HEAD + "  a:\n    buy: 5 shares\n    symbol: ETH-USD\n", "GC105", 5, 10, "prediction"),
    (
        "bad-trigger",
        HEAD + "  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n  b:\n    sell: 1 ETH\n    symbol: ETH-USD\n"
        "    after: a half filled\n",
        "GC105",
        10,
        12,
        "trigger",
    ),
    ("version", "graphc: 2\nname: t\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n", "GC110", 1, 9, "version"),
    ("not-a-playbook", "name: t\n", "GC110", 1, 1, "graphc: 1"),
    (
        "sandbox-string",
        "graphc: 1\nname: t\nsandbox: no\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n",
        "GC103",
        3,
        10,
        "sandbox",
    ),
]


@pytest.mark.parametrize("case_id,text,code,line,col,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_reports_code_at_location(tmp_path, case_id, text, code, line, col, words):
    path = write(tmp_path, "p.yaml", text)
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    headline = f"{path}:{line}:{col}: error {code} "
    assert headline in result.stderr, result.stderr
    first = next(line for line in result.stderr.splitlines() if line.startswith(headline))
    assert words.lower() in first.lower() or words.lower() in result.stderr.lower()
    assert "Traceback" not in result.output
    assert result.stdout == ""  # no half-written graph on stdout


def test_hint_follows_the_headline(tmp_path):
    path = write(tmp_path, "p.yaml", CASES[2][1])
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert "hint:" in result.stderr


@pytest.mark.parametrize(
    ("symbol", "size", "hint"),
    [
        # USD is USD-JPY's base asset: `1000 USD` reads as a dollar notional (spec §3.2), but the size meant is
        # 1000 base units, written as a plain number (audit ops.md 7: the hint said "write the size in USD")
        ("USD-JPY", "1000 USD", "hint: USD is USD-JPY's base asset: write a size in USD as a plain number, `1000`"),
        ("USDT-JPY", "$2.5k", "hint: USDT is USDT-JPY's base asset: write a size in USDT as a plain number, `2500`"),
        ("ETH-BTC", "$5000", "hint: write the size in ETH"),
    ],
)
def test_a_dollar_size_on_a_market_not_priced_in_dollars_gets_a_hint_that_fits(tmp_path, symbol, size, hint):
    path = write(tmp_path, "p.yaml", HEAD + f"  a:\n    sell: {size}\n    symbol: {symbol}\n    limit: 150\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1 and "GC105" in result.stderr
    assert f"  {hint}\n" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("symbol", "venue", "size", "hint"),
    [
        # cmds16 2: the hint was "write the size in SOL, e.g. `1000 SOL`", 143 times the $1,000 meant
        (
            "SOL-USDC",
            "coinbase",
            "1,000 USDC",
            "USDC is SOL-USDC's quote currency: for SOL worth 1000 USDC write `$1000` (graphc divides it by the "
            "price), else the size in SOL",
        ),
        # and "write the size in ETH, e.g. `0.5 ETH`", 42 times too small at 0.024 BTC per ETH
        (
            "ETH-BTC",
            None,
            "0.5 BTC",
            "BTC is ETH-BTC's quote currency, and graphc sizes an order in dollars or in the asset it trades (it "
            "has no exchange rates): write the size in ETH",
        ),
        ("ETH-USD", None, "200 BTC", "write the size in ETH (graphc does not convert BTC into ETH)"),
    ],
)
def test_a_size_in_another_asset_never_gets_the_same_number_in_the_traded_asset_as_its_hint(
    tmp_path, symbol, venue, size, hint
):
    pinned = f"    venue: {venue}\n" if venue else ""
    path = write(tmp_path, "p.yaml", HEAD + f"  a:\n    buy: {size}\n    symbol: {symbol}\n{pinned}")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1 and "GC105" in result.stderr
    assert f"  hint: {hint}\n" in result.stderr, result.stderr


# audit desk21 2: on a symbol without '-' (Binance's BTCUSDT, Hyperliquid's PURR/USDC) graphc reads the whole name as
# the base asset (spec §3.2: the text before the first '-'), so `0.5 BTC` stays GC105; the message said "BTCUSDT
# trades BTCUSDT" and the hint "write the size in BTCUSDT", which nobody can follow.
NO_DASH = "but BTCUSDT has no '-', so graphc reads its whole name as its base asset"


@pytest.mark.parametrize(
    ("symbol", "venue", "size", "message", "hint"),
    [
        (
            "BTCUSDT",
            "binance",
            "0.5 BTC",
            f"quantity '0.5 BTC' is in BTC, {NO_DASH}",
            "write a plain number of base units (`buy: 0.5`), or the symbol as `BTC-USDT` if the venue accepts it",
        ),
        (  # not BTC: a plain 0.5 would be 0.5 of the base asset, not of ETH, so no number is offered
            "BTCUSDT",
            "binance",
            "0.5 ETH",
            f"quantity '0.5 ETH' is in ETH, {NO_DASH}",
            "write a plain number of base units, or the symbol as `BTC-USDT` if the venue accepts it",
        ),
        (
            "BTCUSDT",
            "binance",
            "100 USDT",
            f"quantity '100 USDT' is in USDT, {NO_DASH}",
            "USDT is BTCUSDT's quote currency: for its base asset worth 100 USDT write `$100` (graphc divides it by "
            "the price), else a plain number of base units, or the symbol as `BTC-USDT` if the venue accepts it",
        ),
        (
            "BTCUSDT",
            "binance",
            "2 shares",
            "'2 shares': shares/contracts are for prediction legs; BTCUSDT is spot",
            "write a plain number of base units, or the symbol as `BTC-USDT` if the venue accepts it",
        ),
        (
            "PURR/USDC",
            "hyperliquid",
            "10 PURR",
            "quantity '10 PURR' is in PURR, but PURR/USDC has no '-', so graphc reads its whole name as its base asset",
            "write a plain number of base units (`buy: 10`), or the symbol as `PURR-USDC` if the venue accepts it",
        ),
        (
            "BTCJPY",
            None,
            "$100",
            "notional size '$100' is in dollars, but BTCJPY is priced in JPY (graphc has no exchange rates)",
            "write a plain number of base units, or the symbol as `BTC-JPY` if the venue accepts it",
        ),
    ],
)
def test_a_size_on_a_symbol_without_a_dash_says_what_graphc_reads_and_how_to_write_it(
    tmp_path, symbol, venue, size, message, hint
):
    pinned = f"    venue: {venue}\n" if venue else ""
    path = write(tmp_path, "p.yaml", HEAD + f"  a:\n    buy: {size}\n    symbol: {symbol}\n{pinned}    limit: 9\n")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1, result.output
    assert f" error GC105 {message}\n" in result.stdout, result.stdout
    assert f"  hint: {hint}\n" in result.stdout, result.stdout
    assert f"in {symbol}" not in result.stdout  # never "write the size in BTCUSDT"
    # the hint's plain number is the verdict's way out: base units, no GC105
    plain = write(tmp_path, "n.yaml", HEAD + f"  a:\n    buy: 0.5\n    symbol: {symbol}\n{pinned}    limit: 9\n")
    assert "GC105" not in CliRunner().invoke(cli, ["lint", "--no-cache", str(plain)]).output


@pytest.mark.parametrize(
    "name,text,hint",
    [
        ("g.json", '{"nodes": [], "edges": [], "is_sandbox": true}\n', "already compiled: check it with `graphc lint"),
        ("t.yaml", "graphc-template: 1\nlegs:\n  a: {buy: 1, symbol: BTC-USD}\n", "a `use:` template"),
    ],
)
def test_a_wire_graph_or_template_given_to_compile_gets_a_hint_that_fits_it(tmp_path, name, text, hint):
    path = write(tmp_path, name, text)
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1 and "GC110" in result.stderr, result.output
    [said] = [line for line in result.stderr.splitlines() if line.strip().startswith("hint:")]
    assert hint in said and f"`graphc lint {path}`" in said
    assert "start the file with `graphc: 1`" not in said  # it is not a misspelt playbook


@pytest.mark.parametrize(
    "name,text",
    [
        ("so.json", '{"symbol":"BTC-USD","side":"buy","qty":0.01}\n'),
        ("so.yaml", "symbol: BTC-USD\nside: buy\nqty: 0.01\n"),
    ],
)
def test_a_simple_order_given_to_compile_is_told_plan_takes_it_and_decompile_makes_it_a_playbook(tmp_path, name, text):
    # audit docs.md 1: the hint spoke only of playbooks and wire graphs, which sent the user to rewrite the file
    path = write(tmp_path, name, text)
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1 and "GC110" in result.stderr, result.output
    [said] = [line for line in result.stderr.splitlines() if line.strip().startswith("hint:")]
    assert said == (
        "  hint: this is a simple order (`symbol`, `side`, `qty`): plan and submit take it as it is; "
        f"`graphc decompile {path}` turns it into a playbook"
    )


@pytest.mark.parametrize(
    "line,words",
    [
        ("sandbox: no\n", "`sandbox` must be true or false, not 'no'"),
        ("sandbox: Yes\n", "`sandbox` must be true or false, not 'Yes'"),
    ],
)
def test_a_word_where_a_boolean_goes_says_what_is_expected_not_the_template_pattern(tmp_path, line, words):
    # docs/playbooks.md, Common mistakes: `sandbox: no` is the string "no" (YAML 1.2), GC103 "must be true or false"
    path = write(tmp_path, "p.yaml", "graphc: 1\nname: t\n" + line + "legs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1
    assert f"{path}:3:10: error GC103 {words}" in result.stderr, result.stderr
    assert "does not match" not in result.stderr and "\\{" not in result.stderr  # no regular expression shown
    assert "hint: only true and false are booleans" in result.stderr


@pytest.mark.parametrize(("written", "offered"), [("0.4bps", ["1bps"]), ("2.5bps", ["2bps", "3bps"])])
def test_a_slippage_hint_offers_only_values_that_lint_clean(tmp_path, written, offered):
    # audit rulesB.md 5: `slippage: 0.4bps` was GC106 with "e.g. '0bps' or '1bps'", and 0bps is GC403
    leg = "  entry:\n    buy: 0.5\n    symbol: BTC-USD\n    limit: 97000\n    slippage: {}\n"
    path = write(tmp_path, "p.yaml", HEAD + leg.format(written))
    result = CliRunner().invoke(cli, ["lint", str(path)], env={"GRAPHC_NO_CACHE": "1"})
    assert result.exit_code == 1 and f"{path}:8:15: error GC106" in result.stdout, result.output
    [hint] = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("hint:")]
    assert re.findall(r"'([^']+bps)'", hint) == offered, hint
    for value in offered:  # each value offered is one GC403 (and everything else) accepts
        write(tmp_path, "p.yaml", HEAD + leg.format(value))
        fixed = CliRunner().invoke(cli, ["lint", str(path)], env={"GRAPHC_NO_CACHE": "1"})
        assert fixed.exit_code == 0 and "GC403" not in fixed.stdout, fixed.output


def test_a_word_where_a_count_goes_says_a_whole_number(tmp_path):
    leg = "  a: {buy: 1 ETH, symbol: ETH-USD, twap: {slices: ten, every: 30s}}\n"
    path = write(tmp_path, "p.yaml", HEAD + leg)
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1 and "`legs.a.twap.slices` must be a whole number" in result.stderr, result.stderr
    assert "does not match" not in result.stderr
    # a count may be a template (docs/templates.md), so the message offers one, unlike `sandbox`'s below
    assert "`legs.a.twap.slices` must be a whole number (or a `{{ }}` template), not 'ten'" in result.stderr


@pytest.mark.parametrize(
    "line,words",
    [
        # audit rulesA.md 4: the word was told "(or a `{{ }}` template)", and the template is then GC103 too
        ("sandbox: no\n", "`sandbox` must be true or false, not 'no'"),
        ("sandbox: maybe\n", "`sandbox` must be true or false, not 'maybe'"),
        # the schema's type list (boolean or string) named a string, which `sandbox` takes only as a template
        ("sandbox: 1\n", "`sandbox` must be true or false, not a number"),
        ("sandbox: [true]\n", "`sandbox` must be true or false, not a list"),
        ("sandbox:\n", "`sandbox` must be true or false, not empty"),
    ],
)
def test_sandbox_is_never_offered_a_template(tmp_path, line, words):
    """docs/templates.md: "`sandbox:` is never an expression ... (`sandbox: "{{ ... }}"` is GC103)". Its
    message must not send the author to a template; following that advice was a second GC103."""
    path = write(tmp_path, "p.yaml", "graphc: 1\nname: t\n" + line + "legs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n")
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1
    [error] = [line for line in result.stdout.splitlines() if " error GC" in line]
    assert error.startswith(f"{path}:3:") and error.endswith(f" error GC103 {words}"), result.stdout
    assert "template" not in result.stdout and "string" not in result.stdout


def test_a_templated_sandbox_is_still_refused_as_an_expression(tmp_path):
    # the advice the old message gave, followed (audit rulesA.md 4, h/sb2.yaml): GC103, said once, no template offered
    text = 'graphc: 1\nname: t\nsandbox: "{{ false }}"\nlegs:\n  e: {buy: 0.01, symbol: BTC-USD, limit: 60000}\n'
    path = write(tmp_path, "p.yaml", text)
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(path)])
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if " error GC" in line]
    assert errors == [
        f"{path}:3:10: error GC103 `sandbox` must be written as a literal true or false, not an expression"
    ], result.stdout


def test_missing_file_is_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["compile", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr


def test_bad_now_is_usage_error(tmp_path):
    path = write(tmp_path, "p.yaml", HEAD + "  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n")
    result = CliRunner().invoke(cli, ["compile", str(path), "--now", "yesterday"])
    assert result.exit_code == 2


def test_float_trap_quantities(tmp_path):
    import json

    path = write(
        tmp_path,
        "p.yaml",
        HEAD
        + textwrap.indent(
            textwrap.dedent("""\
        a:
          buy: 0.29 BTC
          symbol: BTC-USD
          limit: 2325.53
        b:
          sell: 0.57
          symbol: BTC-USD
        c:
          buy: 1.1 BTC
          symbol: BTC-USD
        """),
            "  ",
        ),
    )
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 0, result.output
    nodes = json.loads(result.stdout)["nodes"]
    assert [n["quantity"]["fixed"]["qty_1e8"] for n in nodes] == [29000000, 57000000, 110000000]
    assert nodes[0]["order_type"] == {"limit": {"price_1e9": 2325530000000}}


def _installed_graphc():
    exe = shutil.which("graphc")
    return [exe] if exe else [sys.executable, "-m", "graphc"]


def test_real_subprocess_of_installed_script(tmp_path):
    path = write(tmp_path, "p.yaml", CASES[2][1])
    proc = subprocess.run(_installed_graphc() + ["compile", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert f"{path}:7:5: error GC102 " in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "text, code, line, col",
    [
        ("graphc: 1\nname: x\nname: y\n", "GC101", 3, 1),
        ("graphc: 1\n? [a]\n: 1\n", "GC103", 2, 3),
        ("graphc: 1\nlegs: *nope\n", "GC100", 2, 7),
        ("graphc: 1\nname: !!python/object x\n", "GC100", 2, 7),
        ("graphc: 1\nname: !!int abc\n", "GC100", 2, 7),
        ("graphc: 1\nbase: 1\nlegs:\n  <<: *b\n", "GC100", 4, 7),
        ("a: &b 1\nc:\n  <<: *b\n", "GC103", 3, 7),
        ("graphc: 1\nname: " + "x" * 100_001 + "\n", "GC100", 2, 7),
        ("graphc: 1\n---\ngraphc: 1\n", "GC100", 2, 1),
        ("graphc: 1\nname: \x07\n", "GC100", 2, 7),  # a control character: where it is
    ],
)
def test_every_loader_error_has_a_location_and_a_hint(text, code, line, col):
    from graphc.stages.load import load_text

    doc, [diagnostic] = load_text(text, "bad.yaml")
    assert doc is None and diagnostic.code == code and diagnostic.hint
    assert (diagnostic.span.line, diagnostic.span.col) == (line, col)


# Execution values out of range: spec §8 GC103 is "wrong type or invalid value (enum, range)". A horizon is the
# time the router has to complete the order (orders-and-execution-graphs.md, Node Fields: execution.horizon_ms),
# so it must be positive; like qty_1e8 and price_1e9 (spec §3.2) every wire integer fits a signed 64-bit integer.
INT64_MAX = 9223372036854775807
LEG = HEAD + "  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n"
RANGE_CASES = [
    # (line 7 of the leg, column of its value, words of the message)
    ("    horizon: -5s", 14, "horizon -5s must be positive"),
    ("    horizon: 0s", 14, "horizon 0s must be positive"),
    ("    horizon: -1ms", 14, "horizon -1ms must be positive"),
    ('    horizon: "-1"', 14, "horizon -1 must be positive"),
    ("    horizon: 0", 14, "horizon 0 must be positive"),
    ("    horizon: '{{ 0 }}s'", 14, "horizon 0s must be positive"),
    ("    twap: 99999999999999999999 slices every 1ms", 11, "99999999999999999999 does not fit a signed 64-bit"),
    (f"    twap: {{slices: {INT64_MAX + 1}, every: 1s}}", 11, f"{INT64_MAX + 1} does not fit a signed 64-bit"),
]


@pytest.mark.parametrize("command", ["compile", "lint"])
@pytest.mark.parametrize("line,col,words", RANGE_CASES, ids=[c[0].strip() for c in RANGE_CASES])
def test_a_horizon_or_slice_count_out_of_range_is_gc103_at_the_value(tmp_path, command, line, col, words):
    path = write(tmp_path, "p.yaml", LEG + line + "\n")
    result = CliRunner().invoke(cli, [command, str(path)])
    assert result.exit_code == 1, result.output
    output = result.stderr if command == "compile" else result.stdout
    headline = f"{path}:7:{col}: error GC103 "
    assert headline in output, output
    first = next(text for text in output.splitlines() if text.startswith(headline))
    assert words in first, first
    assert "hint:" in output
    assert "GC402" not in output  # the horizon is reported once, as out of range
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "line,emitted",
    [
        ("    horizon: 1ms", {"policy": "sor", "horizon_ms": 1}),
        (
            f"    twap: {INT64_MAX} slices every 1ms",
            {"policy": "sor", "pacing": {"uniform": {"num_slices": INT64_MAX, "interval_ms": 1}}},
        ),
    ],
)
def test_the_smallest_horizon_and_the_largest_slice_count_compile(tmp_path, line, emitted):
    path = write(tmp_path, "p.yaml", LEG + line + "\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["execution"] == emitted


WIRE_RANGE_CASES = [
    # (execution, the value's text in the JSON, words of the message)
    ({"horizon_ms": -5000}, '"horizon_ms": -5000', "-5000 is less than the minimum of 1"),
    ({"horizon_ms": 0}, '"horizon_ms": 0', "0 is less than the minimum of 1"),
    (
        {"horizon_ms": 0, "pacing": {"uniform": {"num_slices": 2, "interval_ms": 1000}}},
        '"horizon_ms": 0',
        "0 is less than the minimum of 1",
    ),
    (
        {"pacing": {"uniform": {"num_slices": INT64_MAX + 1, "interval_ms": 1}}},
        f'"num_slices": {INT64_MAX + 1}',
        f"{INT64_MAX + 1} is greater than the maximum of {INT64_MAX}",
    ),
    (
        {"pacing": {"uniform": {"num_slices": 1, "interval_ms": INT64_MAX + 1}}},
        f'"interval_ms": {INT64_MAX + 1}',
        f"{INT64_MAX + 1} is greater than the maximum of {INT64_MAX}",
    ),
]


@pytest.mark.parametrize("execution,value,words", WIRE_RANGE_CASES, ids=[c[1] for c in WIRE_RANGE_CASES])
def test_lint_of_a_wire_graph_reports_a_horizon_or_pacing_out_of_range(tmp_path, execution, value, words):
    text = json.dumps({"nodes": [wire_node(**execution)], "edges": [], "is_sandbox": True}, indent=2)
    path = write(tmp_path, "g.json", text)
    line_no, line = next((n, t) for n, t in enumerate(text.splitlines(), 1) if value in t)
    col = line.index(value) + len(value.split(": ")[0]) + 3  # the value after `"key": `
    result = CliRunner().invoke(cli, ["lint", str(path)])
    assert result.exit_code == 1, result.output
    headline = f"{path}:{line_no}:{col}: error GC103 "
    assert headline in result.stdout, result.stdout
    first = next(text for text in result.stdout.splitlines() if text.startswith(headline))
    assert words in first, first
    assert "hint:" in result.stdout
    assert "GC402" not in result.stdout


@pytest.mark.parametrize(
    "symbol, limit, qty_1e8",
    [
        ("ETH-USD", "2000", 250000000),  # $5,000 / 2,000 = 2.5 ETH
        ("ETH-USDT", "2000", 250000000),  # dollar stablecoins count 1:1, as GC501 reads them
        ("ETH-USDC", "2000", 250000000),
        ("KXFEDDECISION-26DEC-C25", "0.5", 1000000000000),  # prediction markets are dollars: 10,000 contracts
        ("BTC-PERP", "97000", 5154639),  # a dollar perp: 5,000 / 97,000 = 0.0515463917..., down to 1e-8
        ("BTCUSDT", "97000", 5154639),  # Binance's spelling: the quote currency at the end
    ],
)
def test_a_dollar_notional_sizes_a_market_priced_in_dollars(tmp_path, symbol, limit, qty_1e8):
    path = write(tmp_path, "p.yaml", HEAD + f"  a:\n    buy: $5000\n    symbol: {symbol}\n    limit: {limit}\n")
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": qty_1e8}}


# audit spec.md 4: one mistake in an edge's `trigger:` or a twap's `slices:` gave two GC103s, the schema's and the
# model's, which disagreed: "unknown trigger 'on_timeout'" with a hint listing on_timeout among the triggers, and
# neither said on_timeout is written `{on_timeout: {ms: ...}}` (spec §5). Now one finding, at the value.
TRIGGER_CASES = [
    # (the edge, as written on line 7, the message, words of the hint)
    (
        "edges: [{from: p, to: a, trigger: on_timeout}]",
        "trigger `on_timeout` is written as a mapping with its delay, not as a name",
        ["write `trigger: {on_timeout: {ms: 5000}}`", "text form `p + 5s` in the leg's `after:`"],
    ),
    (
        "edges: [{from: p, to: a, trigger: on_price}]",
        "trigger `on_price` is written as a mapping with its move, not as a name",
        [
            "write `trigger: {on_price: {symbol: SYMBOL, direction: below, reference: graph_entry_price, "
            "offset_pct: -5}}`",
            "`p price SYMBOL below entry -5%`",
        ],
    ),
    (
        "edges: [{from: p, to: a, trigger: on_fil}]",
        "unknown trigger 'on_fil' (did you mean 'on_fill'?)",
        ["on_accepted, on_first_fill, on_fill, on_fill_ratio, on_full_fill, on_cancel, on_done", "{on_timeout:"],
    ),
]


@pytest.mark.parametrize("edge,message,hint_words", TRIGGER_CASES, ids=[c[0] for c in TRIGGER_CASES])
@pytest.mark.parametrize("where", ["edges", "after"])
def test_a_bad_trigger_name_in_an_edge_mapping_is_one_gc103(edge, message, hint_words, where):
    from graphc.pipeline import compile_text

    legs = HEAD + "  p: {buy: 1 ETH, symbol: ETH-USD, limit: 2300}\n  a: {buy: 1 ETH, symbol: ETH-USD}\n"
    if where == "after":  # the same mapping in the leg's `after:`
        legs = legs.replace("symbol: ETH-USD}", "symbol: ETH-USD, after: [" + edge[8:-1].replace("to: a, ", "") + "]}")
        edge = ""
    text = legs + edge + "\n"
    [d] = compile_text(text, "em.yaml").diagnostics
    assert d.code == "GC103" and d.message == message, d
    line = text.splitlines()[d.span.line - 1]
    assert line[d.span.col - 1 :].startswith(edge[edge.index("trigger: ") + 9 :][:6] if edge else "on_")
    for words in hint_words:
        assert words in d.hint, d.hint
    if message.startswith("unknown"):
        assert "names: " in d.hint and "on_timeout, on_price" not in d.hint.split(";")[0]


SLICES_CASES = [
    # (slices as written, the message, the hint)
    ("0", "`legs.a.twap.slices`: 0 is less than the minimum of 1", "write a whole number of at least 1"),
    ("-1", "`legs.a.twap.slices`: -1 is less than the minimum of 1", "write a whole number of at least 1"),
    ("2.5", "`legs.a.twap.slices` must be a whole number (or a `{{ }}` template), not 2.5", None),
    (
        "abc",
        "`legs.a.twap.slices` must be a whole number (or a `{{ }}` template), not 'abc'",
        "write a whole number, e.g. `slices: 1000`, `slices: 1_000` or `slices: 1k`",
    ),
]


@pytest.mark.parametrize("slices,message,hint", SLICES_CASES, ids=[c[0] for c in SLICES_CASES])
def test_a_bad_twap_slice_count_is_one_gc103_at_the_value(slices, message, hint):
    from graphc.pipeline import compile_text

    text = LEG + f"    twap: {{slices: {slices}, every: 30s}}\n"
    [d] = compile_text(text, "sl.yaml").diagnostics
    assert (d.code, d.message, d.hint) == ("GC103", message, hint)
    assert (d.span.line, d.span.col) == (7, 20)  # the value of `slices:`


@pytest.mark.parametrize("twap", ["{slices: 0}", "{slices: 0, every: 30s, over: 5m}"])
def test_a_bad_slice_count_does_not_hide_a_missing_or_doubled_every_or_over(twap):
    """review12 3: the twap lacks `every`/`over` (or has both) besides its bad `slices`: two problems, both said."""
    from graphc.pipeline import compile_text

    text = LEG + f"    twap: {twap}\n"
    found = sorted((d.code, d.message) for d in compile_text(text, "sl.yaml").diagnostics)
    needs = (
        "twap needs one of `every` or `over`"
        if "every" not in twap
        else "twap takes one of `every` or `over`, not both"
    )
    # both `every` and `over` is an invalid value (GC103, grammar17 4), a missing one a missing key (GC104)
    code = "GC104" if "every" not in twap else "GC103"
    assert found == sorted([("GC103", "`legs.a.twap.slices`: 0 is less than the minimum of 1"), (code, needs)])


TWAP_CASES = [
    # (the twap mapping as written on line 7, the one finding's code and message: what it lacks, said once)
    ("{every: 1s}", "GC104", "twap needs `slices`"),
    ("{over: 1m}", "GC104", "twap needs `slices`"),
    ("{}", "GC104", "twap needs `slices` and one of `every` or `over`"),
    ("{every: 1s, over: 1m}", "GC104", "twap needs `slices`, and takes one of `every` or `over`, not both"),
    ("{slices: 3}", "GC104", "twap needs one of `every` or `over`"),
    # nothing missing, one key too many: an invalid value (spec §8 GC103), as `buy:` with `side:` (grammar17 4)
    ("{slices: 3, every: 1s, over: 1m}", "GC103", "twap takes one of `every` or `over`, not both"),
]
_AT_OVER = len("    twap: {slices: 3, every: 1s, ") + 1  # that one is said at the second of the two keys


@pytest.mark.parametrize("twap,code,message", TWAP_CASES, ids=[c[0] for c in TWAP_CASES])
def test_a_twap_mapping_that_lacks_a_key_is_one_finding_at_the_twap(tmp_path, twap, code, message):
    """review14 6: `twap: {every: 1s}` was the schema's "legs.a.twap needs `slices:`" at the key and the model's
    "twap needs `slices` and exactly one of ..." at the value: one missing key, two errors. One is said, at the
    twap's value, naming what the mapping lacks (or has too much of), with a whole twap as the example."""
    from graphc.pipeline import compile_text

    text = LEG + f"    twap: {twap}\n"
    [d] = compile_text(text, "tw.yaml").diagnostics
    col = 11 if code == "GC104" else _AT_OVER
    assert (d.code, d.message, d.span.line, d.span.col) == (code, message, 7, col)
    assert d.hint == "e.g. `twap: {slices: 10, every: 30s}`"
    path = tmp_path / "tw.yaml"
    path.write_text(text)
    out = CliRunner().invoke(cli, ["lint", str(path)])
    assert out.exit_code == 1 and out.output.count("error GC1") == 1 and f"tw.yaml:7:{col}: error {code}" in out.output


EDGE_END_CASES = [
    # (the edge list or a leg's `after:` as written on line 6, the one finding: code, message, column)
    ("edges: [{from: p, to: 5, trigger: on_fill}]", "GC103", "`edges.0.to` must be string, not a number", 23),
    ("edges: [{from: p, to: null, trigger: on_fill}]", "GC103", "`edges.0.to` must be string, not empty", 23),
    ("edges: [{from: [p], to: a, trigger: on_fill}]", "GC103", "`edges.0.from` must be string, not a list", 16),
    ("edges: [{from: p, trigger: on_fill}]", "GC104", "edges.0 needs `to:`", 9),
    ("edges: [{to: a, trigger: on_fill}]", "GC104", "edges.0 needs `from:`", 9),
]


@pytest.mark.parametrize("edges,code,message,col", EDGE_END_CASES, ids=[c[0] for c in EDGE_END_CASES])
def test_an_edge_end_of_the_wrong_type_is_one_gc103_not_also_a_missing_key(edges, code, message, col):
    """review13 5: `to: 5` was the schema's GC103 at the value and also the model's GC104 "needs `to:`" at the edge,
    though the key is there; a key that is absent is GC104 alone."""
    from graphc.pipeline import compile_text

    text = HEAD + "  p: {buy: 1 ETH, symbol: ETH-USD, limit: 2300}\n  a: {buy: 1 ETH, symbol: ETH-USD}\n" + edges + "\n"
    [d] = compile_text(text, "ee.yaml").diagnostics
    assert (d.code, d.message, d.span.line, d.span.col) == (code, message, 6, col)


@pytest.mark.parametrize("after", ["[{from: 5, trigger: on_fill}]", "[{from: '', trigger: on_fill}]"])
def test_an_after_entry_whose_from_is_not_a_leg_name_is_one_gc103(after):
    from graphc.pipeline import compile_text

    text = HEAD + "  p: {buy: 1 ETH, symbol: ETH-USD, limit: 2300}\n"
    text += f"  a: {{buy: 1 ETH, symbol: ETH-USD, after: {after}}}\n"
    [d] = compile_text(text, "af.yaml").diagnostics
    assert d.code == "GC103" and d.message.startswith("`legs.a.after.0.from"), d


@pytest.mark.parametrize(
    "twap,message,col",
    [
        (
            "{slices: null, every: 1s}",
            "`legs.a.twap.slices` must be a whole number (or a `{{ }}` template), not empty",
            20,
        ),
        ("{slices: 3, every: null}", "`legs.a.twap.every` must be string or number, not empty", 30),
    ],
)
def test_a_twap_key_written_empty_is_the_schemas_gc103_alone(twap, message, col):
    """review14 6: a key written with no value is there: the schema's GC103 at it, not also the model's GC104
    "twap needs `slices`" as if it were missing."""
    from graphc.pipeline import compile_text

    [d] = compile_text(LEG + f"    twap: {twap}\n", "tw.yaml").diagnostics
    assert (d.code, d.message, d.span.line, d.span.col) == ("GC103", message, 7, col)


# compile16 3: a leg's `sell` next to a `buy` that only `defaults` wrote was "leg 'a' gives both `buy` and `sell`",
# blaming the leg for the default's key (and with `side`/`qty` defaults, pointing into `defaults:`). The refusal
# stays (docs/playbooks.md "Defaults": each key is its own field); the message says where each key came from.
DEFAULTS_CASES = [
    (
        "{buy: 1, symbol: ETH-USD}",
        "    sell: 2\n",
        (6, 11),
        "leg 'a' has `buy` from defaults (line 3) and `sell` here: a leg gives its side and size once",
        "a leg's key replaces only the same key of defaults, so `sell` leaves the default `buy` in place: drop "
        "`buy` from defaults and give each leg its own side and size",
    ),
    (
        "{side: buy, qty: 1, symbol: ETH-USD}",
        "    sell: 2\n",
        (6, 11),
        "leg 'a' has `side` and `qty` from defaults (line 3) and `sell` here: a leg gives its side and size once",
        "a leg's key replaces only the same key of defaults: write this leg as `side: sell` with `qty: 2`, or drop "
        "`side` and `qty` from defaults",
    ),
    (
        "\n  side: buy\n  symbol: ETH-USD",
        "    sell: 2\n",
        (8, 11),
        "leg 'a' has `side` from defaults (line 4) and `sell` here: a leg gives its side and size once",
        "a leg's key replaces only the same key of defaults: write this leg as `side: sell` with `qty: 2`, or drop "
        "`side` from defaults",
    ),
    (
        "{qty: 1, symbol: ETH-USD}",
        "    buy: 2\n",
        (6, 10),
        "leg 'a' has `qty` from defaults (line 3) and `buy` here: a leg gives its side and size once",
        "a leg's key replaces only the same key of defaults: write this leg as `side: buy` with `qty: 2`, or drop "
        "`qty` from defaults",
    ),
    (
        "{buy: 1, symbol: ETH-USD}",
        "    side: sell\n    qty: 2\n",
        (6, 11),
        "leg 'a' has `buy` from defaults (line 3) and `side` and `qty` here: a leg gives its side and size once",
        "a leg's key replaces only the same key of defaults, so `side` and `qty` leave the default `buy` in place: "
        "drop `buy` from defaults and give each leg its own side and size",
    ),
    (
        "\n  buy: 1\n  sell: 2\n  symbol: ETH-USD",
        "    side: sell\n    qty: 2\n",
        (5, 9),
        "`defaults` gives both `buy` and `sell` (lines 4 and 5), and leg 'a' takes them",
        "give defaults one of `buy: Q`, `sell: Q`, or `side` + `qty`, or leave the side and size to each leg",
    ),
    # the leg alone gives both: as before, at its own second key
    ("{buy: 1, symbol: ETH-USD}", "    sell: 2\n    buy: 3\n", (6, 11), "leg 'a' gives both `buy` and `sell`", None),
]


@pytest.mark.parametrize("defaults,leg,at,message,hint", DEFAULTS_CASES)
def test_a_side_from_defaults_and_another_on_the_leg_says_where_each_came_from(
    tmp_path, defaults, leg, at, message, hint
):
    path = write(tmp_path, "r.yaml", f"graphc: 1\nname: r\ndefaults: {defaults}\nlegs:\n  a:\n{leg}")
    out = CliRunner().invoke(cli, ["lint", str(path), "--format", "json", "--no-cache"])
    [d] = [d for d in json.loads(out.stdout)["diagnostics"] if d["code"] == "GC103"]
    assert (d["line"], d["column"]) == at and d["message"] == message, d
    if hint is not None:
        assert d["hint"] == hint, d
    else:
        assert d["hint"] == "use `buy: Q`, `sell: Q`, or `side` + `qty`, exactly one"


def test_a_template_leg_against_the_playbooks_default_side_names_the_playbook(tmp_path):
    # the playbook's defaults apply to template legs (docs/templates.md): the line is the playbook's, not t.yaml's
    write(tmp_path, "t.yaml", "graphc-template: 1\nlegs:\n  s:\n    sell: 2\n")
    path = write(
        tmp_path, "p.yaml", "graphc: 1\nname: r\ndefaults: {buy: 1, symbol: ETH-USD}\nlegs:\n  h:\n    use: t.yaml\n"
    )
    out = CliRunner().invoke(cli, ["compile", str(path)])
    assert out.exit_code == 1
    assert (
        "t.yaml:4:11: error GC103 leg 'h.s' has `buy` from defaults (line 3 of the playbook) and `sell` here"
    ) in out.stderr, out.stderr


@pytest.mark.parametrize(
    ("field", "written", "offered"),
    [
        ("buy", "0.000000001", "0.00000001"),  # truncated to 8 places it is 0: the smallest positive step instead
        ("limit", "0.0000000001", "0.000000001"),
        ("buy", "0.123456789", "0.12345678"),  # truncation that is not 0 is still the example
    ],
)
def test_a_precision_hint_never_offers_a_value_that_is_itself_an_error(tmp_path, field, written, offered):
    # audit verdict17 3: `buy: 0.000000001` was GC106 with "e.g. 0", and a quantity of 0 is GC103 (spec §3.2)
    legs = {"buy": "0.5", "limit": "97000", field: written}
    leg = "  entry:\n    buy: {buy}\n    symbol: BTC-USD\n    limit: {limit}\n"
    path = write(tmp_path, "p.yaml", HEAD + leg.format(**legs))
    result = CliRunner().invoke(cli, ["lint", str(path)], env={"GRAPHC_NO_CACHE": "1"})
    assert result.exit_code == 1 and " error GC106 " in result.stdout, result.output
    [hint] = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("hint:")]
    assert hint.endswith(f"decimal places, e.g. {offered}"), hint
    write(tmp_path, "p.yaml", HEAD + leg.format(**{**legs, field: offered}))
    fixed = CliRunner().invoke(cli, ["lint", str(path)], env={"GRAPHC_NO_CACHE": "1"})
    assert "GC106" not in fixed.stdout and "GC103" not in fixed.stdout, fixed.output


def test_a_simple_orders_precision_hint_offers_the_smallest_quantity(tmp_path):
    path = write(tmp_path, "order.json", '{"symbol": "ETH-USD", "side": "buy", "qty": 1e-9}')
    result = CliRunner().invoke(cli, ["lint", str(path)], env={"GRAPHC_NO_CACHE": "1"})
    assert result.exit_code == 1 and "hint: use at most 8 decimal places, e.g. 0.00000001\n" in result.stdout


@pytest.mark.parametrize(("written", "hint"), [("0.5ms", "write 1ms"), ("2.5ms", "write 2ms or 3ms")])
def test_a_duration_hint_never_offers_0ms(tmp_path, written, hint):
    # audit verdict17 3, the same slip for durations: every duration a leg sends must be positive
    leg = f"  entry:\n    buy: 0.5\n    symbol: BTC-USD\n    limit: 97000\n    horizon: {written}\n"
    result = CliRunner().invoke(cli, ["lint", str(write(tmp_path, "p.yaml", HEAD + leg))], env={"GRAPHC_NO_CACHE": "1"})
    assert result.exit_code == 1 and f"hint: the wire counts whole milliseconds; {hint}\n" in result.stdout


@pytest.mark.parametrize(
    "leg,field,line",
    [
        ("  a:\n    symbol: ETH-USD\n    buy:\n    limit: 2000\n", "buy", 6),
        ("  a:\n    symbol: ETH-USD\n    sell:\n", "sell", 6),
        ("  a:\n    symbol: ETH-USD\n    side: buy\n    qty:\n", "qty", 7),
        ("  a:\n    symbol: ETH-USD\n    side:\n    qty: 1 ETH\n", "side", 6),
    ],
)
def test_an_empty_side_or_size_is_one_gc103_at_the_value(tmp_path, leg, field, line):
    """Audit spec28 5: `buy:` with nothing after it gave, beside the schema's GC103 at the value, a GC104 "leg 'a'
    has no side and quantity" at the leg's key, which the leg does have."""
    path = write(tmp_path, "p.yaml", HEAD + leg)
    for command in (["compile"], ["lint", "--no-cache"]):
        result = CliRunner().invoke(cli, [*command, str(path)])
        assert result.exit_code == 1, result.output
        errors = [text for text in result.output.splitlines() if ": error " in text]
        assert len(errors) == 1, result.output
        assert errors[0].startswith(f"{path}:{line}:{len(field) + 6}: error GC103 `legs.a.{field}` must be "), errors
        assert errors[0].endswith("not empty"), errors


@pytest.mark.parametrize(
    "default,code",
    [
        ("slippage: 25.5bps", "GC106"),
        ("limit: bid + 1 bogus", "GC105"),
        ("horizon: 0.5ms", "GC106"),
        ("twap: 3 slices over 1s", "GC106"),
    ],
)
def test_a_bad_default_is_reported_once_not_once_per_leg(tmp_path, default, code):
    """Audit spec28 2: one bad value in `defaults:` gave one identical error per leg (40 legs, 40 errors at 5:13)."""
    legs = "".join(f"  r{i}: {{buy: 1 ETH, limit: {2000 - i}}}\n" for i in range(1, 41))
    if default.startswith("limit"):
        legs = "".join(f"  r{i}: {{buy: 1 ETH}}\n" for i in range(1, 41))
    text = f"graphc: 1\nname: rungs\ndefaults:\n  symbol: ETH-USD\n  {default}\nlegs:\n{legs}"
    path = write(tmp_path, "p.yaml", text)
    quotes = write(tmp_path, "q.yaml", "ETH-USD: {bid: 2000, ask: 2001}\n")
    column = len("  " + default.split(":")[0]) + 3
    for command in (["compile", "--quotes", str(quotes)], ["lint", "--no-cache", "--quotes", str(quotes)]):
        result = CliRunner().invoke(cli, [*command, str(path)])
        assert result.exit_code == 1, result.output
        errors = [line for line in result.output.splitlines() if ": error " in line]
        assert len(errors) == 1, result.output
        assert errors[0].startswith(f"{path}:5:{column}: error {code} "), errors


def test_a_rule_finding_about_a_default_is_reported_once(tmp_path):
    """Audit spec28 2: a rule finds a default's value in each leg that takes it: 3 legs gave 3x GC303 and 3x GC304,
    all at 4:10."""
    text = (
        "graphc: 1\nname: d2\ndefaults:\n  limit: 0.9991\n  symbol: will-x:yes\nlegs:\n"
        "  a: {buy: 10 shares}\n  b: {buy: 20 shares}\n  c: {buy: 30 shares}\n"
    )
    result = CliRunner().invoke(cli, ["lint", "--no-cache", str(write(tmp_path, "p.yaml", text))])
    assert result.exit_code == 1, result.output
    found = [line.split(": ")[1].split()[:2] for line in result.output.splitlines() if ": error " in line]
    assert found == [["error", "GC303"], ["error", "GC304"]], result.output


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("name: 2026", "quote it to make it text: `name: '2026'`"),  # fits [a-z0-9][a-z0-9._-]* as text
        ("name: 1.5", "quote it to make it text: `name: '1.5'`"),
        ("name: -5", None),  # '-5' is no name either: quoting it would not do
        ("description: 7", "quote it to make it text: `description: '7'`"),
        ("legs: {a: {buy: 1 ETH, symbol: ETH-USD, venue: 5}}", None),  # no venue is named 5: no such hint
    ],
)
def test_a_plain_number_where_text_goes_is_refused_with_the_quoted_text_as_the_hint(line, hint):
    """audit spec28b 4: `name: 2026` fits spec §2's name pattern, but YAML reads it as a number: still GC103 (the
    schema types it as a string), now with the hint to quote it, where the quoted text would be valid."""
    from graphc.pipeline import compile_text

    text = "graphc: 1\nname: x\nlegs: {a: {buy: 1 ETH, symbol: ETH-USD}}\n"
    key = line.split(":", 1)[0]
    text = "\n".join(line if row.startswith(key + ":") else row for row in text.splitlines()) + "\n"
    if key not in ("name", "legs"):
        text += line + "\n"
    [d] = compile_text(text, "nm.yaml").diagnostics
    assert d.code == "GC103" and d.message.endswith("must be string, not a number"), d
    assert d.hint == hint
    if hint is not None:  # the hint's own text is valid
        quoted = hint.split("`")[1]
        assert compile_text(text.replace(line, quoted), "nm.yaml").diagnostics == []
