"""A Polymarket tick that Polymarket cannot have (audit venue18 3), and a Kalshi tick that Kalshi cannot have
(audit quotes20 5).

venue-rules.md §1: a Polymarket market's tick is one of 0.1, 0.01, 0.001 and 0.0001 (py-clob-client's
``TickSize``). A snapshot's or graphc.toml's tick for a market traded on Polymarket that is none of them (a typo,
or a tick copied from another market) is an error at the value, as a tick of 0 or less already is (GC105 in the
snapshot, GC103 in graphc.toml), and it is not used: the market's checks read the next tick known (the venue's
0.001 check grid), never a grid no Polymarket market has.

venue-rules.md §2: a Kalshi market's price_level_structure is linear_cent (0.01), deci_cent (0.001) or
tapered_deci_cent (0.001 / 0.01 / 0.001): its tick is 0.01 or 0.001, and a snapshot's, the router's or
graphc.toml's 0.005 or 0.0001 is the same error, the market keeping Kalshi's 0.01.

`graphc compile` reports it too, through lint's one function (audit quotes20 7), and one from the router's answer
says so, without telling the user to fix a tick they never wrote.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write

PM995 = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1000 shares\n    symbol: will-it-rain:yes\n    limit: 0.995\n"


def lint(*args):
    return CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)])


def report(*args):
    result = lint("--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def codes(data):
    return sorted(d["code"] for d in data["diagnostics"])


def test_the_audit_repro_is_gc105_at_the_snapshots_tick(tmp_path):
    playbook = write(tmp_path, "pm995.yaml", PM995)
    quotes = write(tmp_path, "q.yaml", "'will-it-rain:yes': {bid: 0.4, ask: 0.6, tick: 0.005}\n")
    result = lint(playbook, "--quotes", quotes)
    assert result.exit_code == 1, result.output
    assert (
        "q.yaml:1:48: error GC105 quote will-it-rain:yes.tick: 0.005 is not a Polymarket tick "
        "(0.1, 0.01, 0.001 or 0.0001), so it is not used" in result.output
    )
    assert "hint: write the market's own tick" in result.output
    assert "pm995.yaml:6:13: will-it-rain:yes is traded on polymarket here" in result.output  # the note


@pytest.mark.parametrize(
    "tick, price, other",
    [
        ("0.02", "0.05", "GC303"),  # off a 0.02 grid: the grid is not used
        ("0.005", "0.996", "GC304"),  # above 1 - 0.005: the range is not narrowed by it
        ("0.005", "0.995", "GC303"),
    ],
)
def test_the_tick_is_not_used(tmp_path, tick, price, other):
    playbook = write(tmp_path, "p.yaml", PM995.replace("0.995", price))
    quotes = write(tmp_path, "q.yaml", f"'will-it-rain:yes': {{bid: 0.4, ask: 0.6, tick: {tick}}}\n")
    data = report(playbook, "--quotes", quotes)
    assert "GC105" in codes(data) and other not in codes(data)
    [d] = [d for d in data["diagnostics"] if d["code"] == "GC105"]
    assert d["path"].endswith("q.yaml") and d["line"] == 1


@pytest.mark.parametrize("tick", ["0.1", "0.01", "0.001", "0.0001", "0.010", "1e-3"])
def test_the_four_polymarket_ticks_are_used(tmp_path, tick):
    playbook = write(tmp_path, "p.yaml", PM995.replace("0.995", "0.5"))
    quotes = write(tmp_path, "q.yaml", f"'will-it-rain:yes': {{bid: 0.4, ask: 0.6, tick: {tick}}}\n")
    assert codes(report(playbook, "--quotes", quotes)) == []


def test_a_slug_pinned_to_polymarket_and_a_wire_graph_too(tmp_path):
    quotes = write(tmp_path, "q.yaml", "will-it-rain: {bid: 0.4, ask: 0.6, tick: 0.02}\n")
    pinned = PM995.replace("will-it-rain:yes", "will-it-rain\n    venue: polymarket").replace("0.995", "0.5")
    data = report(write(tmp_path, "p.yaml", pinned), "--quotes", quotes)
    assert codes(data) == ["GC105"]
    node = {
        "node_id": "a",
        "instrument": {"symbol": "will-it-rain", "type": "prediction", "venue": "polymarket"},
        "side": "buy",
        "order_type": {"limit": {"price_1e9": 500000000}},
        "quantity": {"fixed": {"qty_1e8": 1000 * 10**8}},
        "execution": {"policy": "sor"},
        "activation": "root",
    }
    wire = write(tmp_path, "g.json", json.dumps({"nodes": [node], "edges": [], "is_sandbox": True}))
    assert codes(report(wire, "--quotes", quotes)) == ["GC105"]


def test_other_venues_keep_their_ticks(tmp_path):
    """Kalshi's ticks and the exchanges' are not Polymarket's: a 0.5 tick on BTC-USD is that market's, and 0.001
    (a deci_cent Kalshi market's) is a Kalshi market's."""
    quotes = write(
        tmp_path, "q.yaml", "BTC-USD: {bid: 60000, ask: 60001, tick: 0.5}\nKXA-1: {bid: 0.4, ask: 0.6, tick: 0.001}\n"
    )
    btc = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 0.001\n    symbol: BTC-USD\n    venue: coinbase\n    limit: 60000.25\n"
    assert codes(report(write(tmp_path, "b.yaml", btc), "--quotes", quotes)) == ["GC303"]  # off the 0.5 tick
    kx = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 5 contracts\n    symbol: KXA-1\n    limit: 0.5105\n"
    assert codes(report(write(tmp_path, "k.yaml", kx), "--quotes", quotes)) == ["GC303"]  # off the 0.001 tick


def test_graphc_toml_ticks_are_gc103_at_the_key(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[markets."will-it-rain:yes"]\ntick = 0.005\n\n[venues.polymarket]\ntick = 0.02\n')
    playbook = write(tmp_path, "pm995.yaml", PM995)
    result = lint(playbook)
    assert result.exit_code == 1, result.output
    assert (
        'graphc.toml:2:1: error GC103 [markets."will-it-rain:yes"] `tick` 0.005 is not a Polymarket tick '
        "(0.1, 0.01, 0.001 or 0.0001), so it is not used" in result.output
    )
    assert (
        "graphc.toml:5:1: error GC103 [venues.polymarket] `tick` 0.02 is not a Polymarket tick "
        "(0.1, 0.01, 0.001 or 0.0001), so it is not used" in result.output
    )
    assert "GC303" not in result.output and "GC304" not in result.output
    # a market pinned to another venue keeps its graphc.toml tick
    write(tmp_path, "graphc.toml", '[markets."KXA-1"]\ntick = 0.001\n')
    kx = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 5 contracts\n    symbol: KXA-1\n    limit: 0.5105\n"
    data = report(write(tmp_path, "k.yaml", kx))
    assert codes(data) == ["GC303"]


def test_the_cache_follows_the_line_graphc_toml_writes_the_tick_on(tmp_path, monkeypatch):
    """The GC103 is placed in graphc.toml: a cached result must not show the old line once the tick moves there."""
    monkeypatch.delenv("GRAPHC_NO_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[markets."will-it-rain:yes"]\ntick = 0.005\n')
    write(tmp_path, "pm995.yaml", PM995)
    run = CliRunner().invoke(cli, ["lint", "pm995.yaml"])
    assert "graphc.toml:2:1: error GC103" in run.output
    write(tmp_path, "graphc.toml", '# the desk\'s markets\n\n[markets."will-it-rain:yes"]\ntick = 0.005\n')
    again = CliRunner().invoke(cli, ["lint", "pm995.yaml"])
    assert "graphc.toml:4:1: error GC103" in again.output, again.output


def test_gc404_does_not_offer_to_cross_by_the_refused_tick(tmp_path):
    playbook = write(tmp_path, "p.yaml", PM995.replace("0.995", "0.6"))
    quotes = write(tmp_path, "q.yaml", "'will-it-rain:yes': {bid: 0.4, ask: 0.6, tick: 0.005}\n")
    data = report(playbook, "--quotes", quotes)
    [gc404] = [d for d in data["diagnostics"] if d["code"] == "GC404"]
    assert "0.005" not in gc404["hint"] and "0.605" not in gc404["hint"], gc404["hint"]


# -- Kalshi (audit quotes20 5) -------------------------------------------------------------------------------------

KX = "graphc: 1\nname: kx\nlegs:\n  a:\n    buy: 10 contracts\n    symbol: KXBTCD-25DEC31-T100000\n    limit: {}\n"


@pytest.mark.parametrize(("tick", "price"), [("0.005", "0.555"), ("0.0001", "0.5555")])
def test_a_kalshi_tick_kalshi_cannot_have_is_gc105_and_not_used(tmp_path, tick, price):
    playbook = write(tmp_path, "kx.yaml", KX.format(price))
    quotes = write(tmp_path, "q.yaml", f"KXBTCD-25DEC31-T100000: {{bid: 0.55, ask: 0.56, tick: {tick}}}\n")
    result = lint(playbook, "--quotes", quotes)
    # before the fix: rc 0, "no problems", and the off-tick price Kalshi rejects went through
    assert result.exit_code == 1, result.output
    assert (
        f"error GC105 quote KXBTCD-25DEC31-T100000.tick: {tick} is not a Kalshi tick (0.01 or 0.001), so it is not "
        "used" in result.output
    ), result.output
    assert f"error GC303 price {price} is not on kalshi's 0.01 tick" in result.output  # Kalshi's own 0.01 grid
    plan = CliRunner().invoke(cli, ["plan", str(playbook), "--quotes", str(quotes)])
    assert plan.exit_code == 1 and "GC105" in plan.output, plan.output


@pytest.mark.parametrize("tick", ["0.01", "0.001"])
def test_the_two_kalshi_ticks_are_used(tmp_path, tick):
    playbook = write(tmp_path, "kx.yaml", KX.format("0.55"))
    quotes = write(tmp_path, "q.yaml", f"KXBTCD-25DEC31-T100000: {{bid: 0.55, ask: 0.56, tick: {tick}}}\n")
    assert codes(report(playbook, "--quotes", quotes)) == []


def test_a_kalshi_tick_in_graphc_toml_is_gc103(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", "[venues.kalshi]\ntick = 0.0001\n")
    result = lint(write(tmp_path, "kx.yaml", KX.format("0.55")))
    assert result.exit_code == 1, result.output
    assert "graphc.toml:2:1: error GC103 [venues.kalshi] `tick` 0.0001 is not a Kalshi tick (0.01 or 0.001)" in (
        result.output
    )


def test_a_kalshi_tick_from_the_router_is_gc105(tmp_path):
    from test_router_answers import KEY, scripted_router

    playbook = write(tmp_path, "kx.yaml", KX.format("0.555"))
    with scripted_router() as router:
        router.script = lambda h: h.answer(200, b'{"nbbo": {"bid": "0.55", "ask": "0.56"}, "tick": "0.005"}')
        env = {"SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent/x"}
        result = CliRunner().invoke(cli, ["lint", "--no-cache", str(playbook), "--quotes", "live"], env=env)
    assert result.exit_code == 1, result.output
    assert (
        "GC105 quote KXBTCD-25DEC31-T100000.tick of the router's answer (GET /v1/quotes?symbol=KXBTCD-25DEC31-T100000)"
        ": 0.005 is not a Kalshi tick (0.01 or 0.001)" in result.output
    ), result.output
    assert "GC303 price 0.555 is not on kalshi's 0.01 tick" in result.output


# -- compile reports it as lint does; the router's tick is named as the router's (audit quotes20 7) ----------------

PM = PM995 + "  b:\n    buy: 1000 shares\n    symbol: will-it-rain:yes\n    limit: ask + 1 tick\n"


def test_compile_reports_the_refused_tick_as_lint_does(tmp_path):
    playbook = write(tmp_path, "pm.yaml", PM)
    quotes = write(tmp_path, "q-pm.yaml", "will-it-rain:yes: {bid: 0.40, ask: 0.60, tick: 0.005}\n")
    compiled = CliRunner().invoke(cli, ["compile", str(playbook), "--quotes", str(quotes)])
    # before the fix: rc 0, no diagnostic, the graph written
    assert compiled.exit_code == 1, compiled.output
    said = (
        "q-pm.yaml:1:48: error GC105 quote will-it-rain:yes.tick: 0.005 is not a Polymarket tick "
        "(0.1, 0.01, 0.001 or 0.0001), so it is not used"
    )
    assert said in compiled.stderr and "pm.yaml:6:13: will-it-rain:yes is traded on polymarket here" in (
        compiled.stderr
    )
    assert compiled.stdout == ""
    linted = lint(playbook, "--quotes", quotes)
    assert linted.exit_code == 1 and said in linted.output


def test_compile_reports_a_refused_graphc_toml_market_tick_and_passes_good_ones(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", '[markets."will-it-rain:yes"]\ntick = 0.005\n')
    playbook = write(tmp_path, "pm.yaml", PM995)
    compiled = CliRunner().invoke(cli, ["compile", str(playbook)])
    assert compiled.exit_code == 1 and 'graphc.toml:2:1: error GC103 [markets."will-it-rain:yes"] `tick` 0.005' in (
        compiled.stderr
    ), compiled.output
    write(tmp_path, "graphc.toml", '[markets."will-it-rain:yes"]\ntick = 0.001\n')
    assert CliRunner().invoke(cli, ["compile", str(playbook)]).exit_code == 0


def test_a_refused_tick_from_the_router_names_the_router_not_the_user(tmp_path):
    from test_router_answers import KEY, scripted_router

    playbook = write(tmp_path, "pm.yaml", PM)
    with scripted_router() as router:
        router.script = lambda h: h.answer(200, b'{"nbbo": {"bid": "0.40", "ask": "0.60"}, "tick": "0.005"}')
        env = {"SEQUENCE_API_URL": router.url, "SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent/x"}
        for command in (["lint", "--no-cache"], ["compile"], ["plan"]):
            result = CliRunner().invoke(cli, [*command, str(playbook), "--quotes", "live"], env=env)
            assert result.exit_code == 1, (command, result.output)
            assert (
                "pm.yaml:6:13: error GC105 quote will-it-rain:yes.tick of the router's answer "
                "(GET /v1/quotes?symbol=will-it-rain:yes): 0.005 is not a Polymarket tick" in result.output
            ), (command, result.output)
            assert "write the market's own tick" not in result.output
            assert (
                "hint: the router's answer is wrong about this market, not the playbook: will-it-rain:yes is checked "
                "against the next tick known instead (0.001)" in result.output
            ), result.output


# -- a band tick of `price_bands` is a tick: the same check (audit cfg20 1) ------------------------------------------

ARB = (
    "graphc: 1\nname: arb\nlegs:\n"
    "  k:\n    buy: 100 contracts\n    symbol: KXFEDDECISION-26DEC-C25\n    limit: ask + 1 tick\n"
    "  p:\n    buy: 100 shares\n    symbol: fed-decision-in-december-25-bps-cut:no\n    limit: ask + 1 tick\n"
)
ARB_QUOTES = (
    "KXFEDDECISION-26DEC-C25: {bid: 0.40, ask: 0.41}\nfed-decision-in-december-25-bps-cut:no: {bid: 0.55, ask: 0.56}\n"
)


def test_a_band_tick_the_venue_cannot_have_is_gc103_at_the_band_and_not_used(tmp_path):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        "graphc.toml",
        '[markets."KXFEDDECISION-26DEC-C25"]\nprice_bands = [[0, 1, "0.005"]]\n\n'
        '[markets."fed-decision-in-december-25-bps-cut:no"]\nprice_bands = [[0, "0.5", "0.01"], ["0.5", 1, "0.005"]]\n',
    )
    playbook = write(tmp_path, "arb.yaml", ARB)
    quotes = write(tmp_path, "q.yaml", ARB_QUOTES)
    result = lint(playbook, "--quotes", quotes)
    # before the fix: rc 0, and plan priced the legs at 0.415 and 0.565
    assert result.exit_code == 1, result.output
    assert (
        'graphc.toml:2:1: error GC103 [markets."KXFEDDECISION-26DEC-C25"] `price_bands` tick 0.005 is not a Kalshi '
        "tick (0.01 or 0.001), so it is not used" in result.output
    )
    assert (
        'graphc.toml:5:1: error GC103 [markets."fed-decision-in-december-25-bps-cut:no"] `price_bands` tick 0.005 is '
        "not a Polymarket tick (0.1, 0.01, 0.001 or 0.0001), so it is not used" in result.output
    )
    compiled = CliRunner().invoke(cli, ["compile", str(playbook), "--quotes", str(quotes)])
    assert compiled.exit_code == 1 and "`price_bands` tick 0.005" in compiled.stderr, compiled.output
    planned = CliRunner().invoke(cli, ["plan", str(playbook), "--quotes", str(quotes)])
    assert planned.exit_code == 1 and "0.415" not in planned.output and "0.565" not in planned.output
    assert "not ready" in planned.output


@pytest.mark.parametrize(
    ("venue", "price", "message"), [("kalshi", "0.555", "Kalshi"), ("polymarket", "0.555", "Polymarket")]
)
def test_a_venue_band_tick_the_venue_cannot_have_is_gc103_when_graphc_toml_is_read(tmp_path, venue, price, message):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "graphc.toml", f'[venues.{venue}]\nprice_bands = [[0, 1, "0.005"]]\n')
    symbol = "KXFEDDECISION-26DEC-C25" if venue == "kalshi" else "will-it-rain:yes"
    playbook = write(
        tmp_path, "p.yaml", f"graphc: 1\nname: t\nlegs:\n  a: {{buy: 10 shares, symbol: '{symbol}', limit: {price}}}\n"
    )
    result = lint(playbook)
    assert result.exit_code == 1, result.output
    assert f"graphc.toml:2:1: error GC103 [venues.{venue}] `price_bands` tick 0.005 is not a {message} tick" in (
        result.output
    )
    # a band structure of ticks the venue has is used as before
    write(tmp_path, "graphc.toml", f'[venues.{venue}]\nprice_bands = [[0, "0.5", "0.01"], ["0.5", 1, "0.001"]]\n')
    assert lint(playbook).exit_code == 0
