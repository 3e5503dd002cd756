"""`--quotes live`: the router's quote shape, one request per symbol, concurrency, GC109 naming the symbol.

The CLI tests run against `graphc sandbox serve` (a real server process), whose
`GET /v1/quotes?symbol=S` answers from its `--price` settings, in the reference's shape only (`{"nbbo": {bid, ask,
mid}}`): a tick comes from the sandbox only when a test asks for it (`/_sandbox/prices`), or from graphc.toml, and
`ask + 1 tick` with neither is GC109 (audit quotes20 6).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest

from graphc.lint import LintOptions, live_quotes, quote_symbols
from graphc.pipeline import CompileOptions
from graphc.quotes import LiveQuotes, MalformedQuote, Quote, explain_missing, quote_from_router, wire_symbols


def test_quote_from_the_reference_shape_is_exact():
    q = quote_from_router(
        {"symbol": "BTC-USD", "nbbo": {"bid": Decimal("0.153"), "ask": Decimal("0.154"), "mid": Decimal("0.1535")}}
    )
    assert q == Quote(bid=Decimal("0.153"), ask=Decimal("0.154"), mid=Decimal("0.1535"))


def test_quote_one_sided_book_and_garbage():
    # the reference's Kalshi book: bid 0.99, ask 0 (nothing offered)
    q = quote_from_router({"nbbo": {"bid": Decimal("0.99"), "ask": 0, "mid": Decimal("0.495")}})
    assert q == Quote(bid=Decimal("0.99"))
    assert quote_from_router({"nbbo": {"bid": 0, "ask": None}}) is None
    assert quote_from_router({"nbbo": None}) is None and quote_from_router({}) is None
    assert quote_from_router({"nbbo": {"bid": "1", "ask": "2"}, "tick": "0.5"}).tick == Decimal("0.5")
    # a value graphc refuses is the router's failure, not "no quote" (notes/audit/hrouter.md, finding 6)
    for answer, said in [
        ({"nbbo": "x"}, "its nbbo is 'x': not a mapping of bid, ask, mid"),
        ([], "its answer is []: not a JSON object"),
        ({"nbbo": {"bid": "NaN", "ask": "2"}}, "its bid is 'NaN': not a plain decimal number"),
        ({"nbbo": {"bid": "1", "ask": "1e999999999"}}, "its ask is '1e999999999': '1e999999999' is out of range"),
        ({"nbbo": {"bid": True, "ask": "2"}}, "its bid is True: not a number"),
        ({"nbbo": {"bid": "1", "ask": "2"}, "tick": "-1"}, "its tick is '-1': -1 is not positive"),
    ]:
        with pytest.raises(MalformedQuote) as info:
            quote_from_router(answer)
        assert str(info.value) == said


def test_live_quotes_asks_each_symbol_once_and_several_at_a_time():
    calls, lock, inside, most = [], threading.Lock(), [0], [0]

    def fetch(symbol):
        with lock:
            calls.append(symbol)
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.2)  # long enough that sequential requests could not overlap
        with lock:
            inside[0] -= 1
        return None if symbol == "NOPE" else Quote(bid=Decimal(1), ask=Decimal(2))

    live = LiveQuotes(fetch)
    live.load(["A", "B", "A", "C", "NOPE"])
    live.load(["A", "NOPE"])
    assert sorted(calls) == ["A", "B", "C", "NOPE"]
    assert most[0] > 1  # concurrently
    assert set(live) == {"A", "B", "C"} and live.missing == {"NOPE"}


def test_a_failure_to_ask_propagates():
    def fetch(symbol):
        raise ConnectionError("router down")

    with pytest.raises(ConnectionError):
        LiveQuotes(fetch).load(["A", "B"])


PLAYBOOK = """\
graphc: 1
name: p
params:
  perp: {type: symbol, default: ETH-USD-PERP}
legs:
  spot: {buy: $1k, symbol: ETH-USD, limit: "{{ quote('BTC-USD').bid / 40 }}"}
  hedge:
    sell: 0.1
    symbol: "{{ perp }}"
    after: spot price SOL-USD below entry -5%
"""


def test_the_symbols_a_playbook_needs_come_from_its_templates_legs_and_triggers():
    options = LintOptions(compile=CompileOptions(), quotes_given=True)
    assert quote_symbols(PLAYBOOK, "p.yaml", options) == ["BTC-USD"]  # quote() fails without it: no graph yet
    asked = []

    def fetch(symbol):
        asked.append(symbol)
        return Quote(bid=Decimal(100_000), ask=Decimal(100_001))

    live = live_quotes([(PLAYBOOK, "p.yaml")], options, fetch)
    assert asked[0] == "BTC-USD" and sorted(asked[1:]) == ["ETH-USD", "ETH-USD-PERP", "SOL-USD"]
    assert set(live) == {"BTC-USD", "ETH-USD", "ETH-USD-PERP", "SOL-USD"}


def test_wire_symbols():
    wire = {
        "nodes": [{"instrument": {"symbol": "A"}}, {"instrument": {"symbol": "B"}}, {"instrument": {"symbol": "A"}}],
        "edges": [{"trigger": {"on_price": {"symbol": "C"}}}, {"trigger": "on_fill"}],
    }
    assert wire_symbols(wire) == ["A", "B", "C"]


def test_explain_missing_names_the_router():
    from graphc.diagnostics import Diagnostic

    d = Diagnostic("GC109", "price 'ask + 1 tick' needs a quote for XYZ-USD", "p.yaml")
    (out,) = explain_missing([d], {"XYZ-USD"})
    assert out.message.endswith("(the router has no quote for XYZ-USD)")
    assert "GET /v1/quotes?symbol=XYZ-USD" in out.hint
    other = Diagnostic("GC105", "XYZ-USD is odd", "p.yaml")
    assert explain_missing([other], {"XYZ-USD"}) == [other]


# -- against `graphc sandbox serve` (real HTTP) --------------------------------------------------

HEDGE = """\
graphc: 1
name: hedge
legs:
  spot: {buy: $10k, symbol: ETH-USD, limit: ask + 1 tick}
  perp: {sell: 1, symbol: ETH-USD-PERP, limit: "{{ quote('ETH-USD-PERP').bid }}", after: spot filled}
"""


@pytest.fixture(scope="module")
def priced():
    from tests.sandbox_fixture import running_sandbox

    with running_sandbox("--price", "ETH-USD=2325.50", "--price", "ETH-USD-PERP=2324.75", speed=0) as sb:
        yield sb


def graphc(sb, *args, cwd):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "graphc", *args], capture_output=True, text=True, env=sb.env(), cwd=cwd, timeout=120
    )


def quote_requests(sb) -> int:
    return len(sb.requests("GET", "/v1/quotes"))


def pin_ticks(sb) -> None:
    """The sandbox's quote answers give the markets' tick (0.01): opted in, as the reference shows no tick."""
    sb.control(
        "POST",
        "/prices",
        {"ETH-USD": {"price": "2325.50", "tick": "0.01"}, "ETH-USD-PERP": {"price": "2324.75", "tick": "0.01"}},
    )


def test_the_sandbox_quotes_around_its_price(priced):
    priced.reset()
    status, body, _ = priced.api("GET", "/v1/quotes?symbol=ETH-USD")
    assert status == 200
    # the reference's shape and nothing else: before audit quotes20 6 it added "symbol" and a "tick" of 0.01 made
    # up from the price's decimals
    assert body == {"nbbo": {"bid": "2325.49", "ask": "2325.51", "mid": "2325.50"}}
    status, body, _ = priced.api("GET", "/v1/quotes?symbol=NOPE-USD")
    assert status == 404
    pin_ticks(priced)
    priced.control("POST", "/prices", {"BTC-USD": {"price": "97250.5", "last": "97250.25", "symbol": True}})
    status, body, _ = priced.api("GET", "/v1/quotes?symbol=ETH-USD")
    assert body == {"nbbo": {"bid": "2325.49", "ask": "2325.51", "mid": "2325.50"}, "tick": "0.01"}
    status, body, _ = priced.api("GET", "/v1/quotes?symbol=BTC-USD")
    assert body == {
        "nbbo": {"bid": "97250.49", "ask": "97250.51", "mid": "97250.50"},
        "last": "97250.25",
        "symbol": "BTC-USD",
    }


def test_a_reference_shaped_answer_has_no_tick_so_ask_plus_a_tick_is_gc109(priced, tmp_path):
    priced.reset()
    (tmp_path / "hedge.yaml").write_text(HEDGE)
    proc = graphc(priced, "compile", "hedge.yaml", "--quotes", "live", cwd=tmp_path)
    # before audit quotes20 6: rc 0 at 2325.52, from the tick the sandbox made up
    assert proc.returncode == 1, proc.stderr
    assert "error GC109 `limit: ask + 1 tick` on ETH-USD: 'ask + 1 tick' needs the market's tick" in proc.stderr
    # graphc.toml gives it, as it would for a reference router
    (tmp_path / "graphc.toml").write_text('[markets."ETH-USD"]\ntick = 0.01\n')
    proc = graphc(priced, "compile", "hedge.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["nodes"][0]["order_type"] == {"limit": {"price_1e9": 2325520000000}}


def test_compile_with_live_quotes_asks_once_per_symbol(priced, tmp_path):
    priced.reset()
    pin_ticks(priced)
    (tmp_path / "hedge.yaml").write_text(HEDGE)
    proc = graphc(priced, "compile", "hedge.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    wire = json.loads(proc.stdout)
    # ask 2325.51 + 1 tick (0.01) = 2325.52; the perp's bid 2324.74
    assert wire["nodes"][0]["order_type"] == {"limit": {"price_1e9": 2325520000000}}
    assert wire["nodes"][1]["order_type"] == {"limit": {"price_1e9": 2324740000000}}
    assert quote_requests(priced) == 2  # ETH-USD and ETH-USD-PERP, once each


def test_lint_and_plan_with_live_quotes(priced, tmp_path):
    priced.reset()
    (tmp_path / "graphc.toml").write_text('[markets."ETH-USD"]\ntick = 0.01\n')  # the market's tick, by config
    (tmp_path / "hedge.yaml").write_text(HEDGE)
    (tmp_path / "other.yaml").write_text(HEDGE.replace("name: hedge", "name: other"))
    proc = graphc(priced, "lint", ".", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert quote_requests(priced) == 2  # two files, two symbols: still once each
    proc = graphc(priced, "plan", "hedge.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # $10k at 2325.52 on a 1e-8 lot is 4.30011352 ETH = $9,999.9999930304: shown exactly, never rounded up to
    # $10,000.00 (audit venues 4) nor cut to cents (desk21 1); the total adds the perp's 2,324.74 (by hand, Decimal)
    assert " $9,999.9999930304 " in proc.stdout, proc.stdout
    assert "total notional: $12,324.7399930304\n" in proc.stdout, proc.stdout


def test_a_live_yes_given_after_the_live_quotes_went_stale_sends_nothing(priced, tmp_path):
    """`submit PLAYBOOK --quotes live --live`: its sizes and limits come from quotes read before the prompt; a yes
    typed more than --max-age after they were read is refused, and nothing is sent (audit plan20 1)."""
    from tests.sandbox_fixture import on_a_terminal

    priced.reset()
    pin_ticks(priced)
    (tmp_path / ".git").mkdir()
    (tmp_path / "live.yaml").write_text(
        HEDGE.replace("name: hedge", "name: hedge\nsandbox: false\nrisk: {max_notional: $1m}")
    )
    env = priced.env(SEQUENCE_API_KEY="k", GRAPHC_CREDENTIALS="/nonexistent/graphc-credentials", NO_COLOR="1")
    args = ["submit", "live.yaml", "--quotes", "live", "--live", "--max-age", "2"]
    code, _, err = on_a_terminal(args, env, tmp_path, b"y\n", not_before=time.time() + 5)
    assert "live quotes read at " in err and "(--max-age 2 s) or nothing is sent" in err, err
    assert code == 2, err
    last = err.splitlines()[-1]  # after the question: the answer's newline went to the terminal, not stderr
    assert "graphc: refused: the live quotes hedge was valued with were read " in last, err
    assert "longer than --max-age 2 s: its prices may be stale; nothing was sent" in last, err
    assert priced.requests("POST", "/v1/orders") == [] and not (tmp_path / ".graphc").exists()


def test_live_quotes_never_use_the_lint_cache(priced, tmp_path):
    """The router's prices move: a run with --quotes live neither reads nor writes .graphc/cache."""
    priced.reset()
    pin_ticks(priced)
    (tmp_path / "hedge.yaml").write_text(HEDGE)
    env = {k: v for k, v in priced.env().items() if k != "GRAPHC_NO_CACHE"}  # the cache on, as users have it

    def lint(*args):
        return subprocess.run(
            [sys.executable, "-m", "graphc", "lint", "hedge.yaml", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    for _ in range(2):
        assert lint("--quotes", "live").returncode == 0
    assert quote_requests(priced) == 4  # each run asked the router for both symbols
    assert not (tmp_path / ".graphc").exists()
    assert lint().returncode == 1  # no quotes: its `quote()` is an error, which the cache keeps like any result
    assert list((tmp_path / ".graphc" / "cache").glob("lint-*.json"))


def test_a_symbol_without_quote_is_gc109_naming_it(priced, tmp_path):
    priced.reset()
    (tmp_path / "p.yaml").write_text(HEDGE.replace("symbol: ETH-USD,", "symbol: XYZ-USD,"))
    proc = graphc(priced, "compile", "p.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 1
    assert "GC109" in proc.stderr and "the router has no quote for XYZ-USD" in proc.stderr
    proc = graphc(priced, "lint", "p.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 1 and "the router has no quote for XYZ-USD" in proc.stdout


def test_an_unreachable_router_is_exit_3(tmp_path):
    import subprocess
    import sys

    (tmp_path / "hedge.yaml").write_text(HEDGE)
    env = {**os.environ, "SEQUENCE_API_URL": "http://127.0.0.1:9"}
    env.pop("SEQUENCE_API_KEY", None)
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "compile", "hedge.yaml", "--quotes", "live"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 3
    assert "--quotes live" in proc.stderr and "Traceback" not in proc.stderr


def test_any_router_answer_is_a_quote_none_or_malformed():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.decimals(allow_nan=True)
    answers = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["nbbo", "bid", "ask", "mid", "last", "tick", "lot", "x"]), inner, max_size=4
            )
        ),
        max_leaves=12,
    )

    @settings(deadline=None)
    @given(answers)
    def check(answer):
        try:
            quote = quote_from_router(answer)
        except MalformedQuote as exc:  # a value graphc refuses: named, one line, cut short
            assert str(exc).startswith("its ") and "\n" not in exc.shown and len(exc.shown) <= 60
            return
        assert quote is None or isinstance(quote, Quote)
        if quote is not None:
            assert all(v is None or (v.is_finite() and v > 0) for v in vars(quote).values())

    check()


# sec16 9: one request per distinct symbol, with no cap, let a 7-line `for_each` playbook make 10,000 authenticated
# requests. A run asks for at most GRAPHC_MAX_LIVE_QUOTES symbols (200); the others are not asked, and the checks
# that need them are skipped as GC109 in lint (errors in compile), with one note naming the limit.
MANY = """\
graphc: 1
name: many
legs:
  s:
    for_each: {count}
    buy: $100
    symbol: "S{{{{ index }}}}-USD"
"""


def test_live_quotes_ask_for_at_most_the_limit_of_symbols(priced, tmp_path):
    (tmp_path / "many.yaml").write_text(MANY.format(count=300))
    priced.reset()
    proc = graphc(priced, "lint", "many.yaml", "--quotes", "live", "--explain-skips", cwd=tmp_path)
    assert quote_requests(priced) == 200, proc.stderr  # not 300
    assert "Traceback" not in proc.stderr
    notes = [line for line in proc.stderr.splitlines() if "GRAPHC_MAX_LIVE_QUOTES" in line]
    assert notes == [
        "graphc: note: --quotes live asked the router for 200 symbols, the most one run asks "
        "(GRAPHC_MAX_LIVE_QUOTES=200); 100 more were not asked (S200-USD, S201-USD, S202-USD, ...), so the checks "
        "that need their quotes are skipped (GC109), and are errors where every quote is needed (compile, plan, "
        "submit, run); to ask for all of them, set GRAPHC_MAX_LIVE_QUOTES=300"
    ]
    assert proc.returncode == 0, proc.stdout  # skipped, not passed: each check that needed a quote says so
    assert "skipped GC109 notional '$100' needs a price for S299-USD" in proc.stdout, proc.stdout[-2000:]
    assert "no problems in 1 file (" in proc.stdout and "checks skipped" in proc.stdout

    priced.reset()
    proc = graphc(priced, "compile", "many.yaml", "--quotes", "live", cwd=tmp_path)
    assert quote_requests(priced) == 200
    assert proc.returncode == 1 and "GC109" in proc.stderr and "S299-USD" in proc.stderr
    assert proc.stdout == ""


def test_the_live_quote_limit_is_raised_by_its_variable(priced, tmp_path):
    (tmp_path / "many.yaml").write_text(MANY.format(count=300))
    priced.reset()
    env = {**priced.env(), "GRAPHC_MAX_LIVE_QUOTES": "300"}
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "many.yaml", "--quotes", "live"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert quote_requests(priced) == 300
    assert "GRAPHC_MAX_LIVE_QUOTES" not in proc.stderr
    assert proc.returncode == 1 and "the router has no quote for S299-USD" in proc.stdout  # asked: no quote, GC109


def test_live_quotes_past_the_cap_are_not_asked():
    asked = []

    def fetch(symbol):
        asked.append(symbol)
        return None

    live = LiveQuotes(fetch, cap=3)
    live.load(["A", "B"])
    live.load(["B", "C", "D", "E"])
    assert sorted(asked) == ["A", "B", "C"] and list(live.not_asked) == ["D", "E"]
    assert live.known("E") and "E" not in live and "E" not in live.missing


# Every command that reads `--quotes live` says once when GRAPHC_MAX_LIVE_QUOTES left symbols out (the note above);
# lint, compile, plan and submit did; graph asked for no quote at all, and run did not say it.


def _capped(sb, *args, cwd, cap="2"):
    """`graphc ARGS` against ``sb`` with GRAPHC_MAX_LIVE_QUOTES=``cap``; its GRAPHC_MAX_LIVE_QUOTES notes and the run."""
    env = {**sb.env(), "SEQUENCE_API_KEY": "k", "GRAPHC_MAX_LIVE_QUOTES": cap}
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )
    return [line for line in proc.stderr.splitlines() if "GRAPHC_MAX_LIVE_QUOTES" in line], proc


def _cap_note(asked: int, more: int, shown: str) -> str:
    return (
        f"graphc: note: --quotes live asked the router for {asked} symbols, the most one run asks "
        f"(GRAPHC_MAX_LIVE_QUOTES={asked}); {more} more were not asked ({shown}), so the checks that need their "
        "quotes are skipped (GC109), and are errors where every quote is needed (compile, plan, submit, run); to "
        f"ask for all of them, set GRAPHC_MAX_LIVE_QUOTES={asked + more}"
    )


def test_graph_with_live_quotes_reads_the_quotes_of_its_playbook(priced, tmp_path):
    """`graph --quotes live` asked the router for nothing, so a template price was never drawn with its value."""
    priced.reset()
    pin_ticks(priced)
    (tmp_path / "hedge.yaml").write_text(HEDGE)
    proc = graphc(priced, "graph", "hedge.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "limit ask + 1 tick = 2325.52" in proc.stdout, proc.stdout
    assert quote_requests(priced) == 2
    priced.reset()
    pin_ticks(priced)
    proc = subprocess.run(  # from stdin too
        [sys.executable, "-m", "graphc", "graph", "-", "--quotes", "live"],
        input=HEDGE,
        capture_output=True,
        text=True,
        env=priced.env(),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0 and "limit ask + 1 tick = 2325.52" in proc.stdout, proc.stderr
    assert quote_requests(priced) == 2


def test_graph_says_when_the_live_quote_limit_left_symbols_out(priced, tmp_path):
    (tmp_path / "many.yaml").write_text(MANY.format(count=5))
    priced.reset()
    notes, proc = _capped(priced, "graph", "many.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert notes == [_cap_note(2, 3, "S2-USD, S3-USD, S4-USD")]
    assert quote_requests(priced) == 2


# -- audit quotes20 6: the sandbox's one-sided book, end to end; its made-up tick no longer overrides the venue ----

KALSHI = "KXBTCD-25DEC31-T100000"
SMOKE = f"graphc: 1\nname: smoke\nlegs:\n  leg:\n    buy: 1 contract\n    symbol: {KALSHI}\n    limit: 0.49\n"


def test_a_one_sided_live_book_end_to_end(priced, tmp_path):
    """The reference's Kalshi book, `bid=0.99 ask=0`, served by the sandbox: a literal limit is unaffected and is
    submitted; a price on the empty side, or on the mid (the router's mid of one side is no price), is GC109."""
    from sandbox_fixture import cli_env, run_graphc

    priced.reset()
    priced.control("POST", "/prices", {KALSHI: {"bid": "0.99", "ask": 0}})
    status, body, _ = priced.api("GET", f"/v1/quotes?symbol={KALSHI}")
    assert (status, body) == (200, {"nbbo": {"bid": "0.99", "ask": "0", "mid": "0.495"}})
    (tmp_path / ".git").mkdir()
    (tmp_path / "smoke.yaml").write_text(SMOKE)
    (tmp_path / "ask.yaml").write_text(SMOKE.replace("limit: 0.49", "limit: ask + 1 tick"))
    (tmp_path / "mid.yaml").write_text(SMOKE.replace("limit: 0.49", "limit: mid"))
    proc = graphc(priced, "lint", "smoke.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = graphc(priced, "compile", "ask.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 1 and "GC109" in proc.stderr and "needs the ask" in proc.stderr, proc.stderr
    proc = graphc(priced, "compile", "mid.yaml", "--quotes", "live", cwd=tmp_path)
    assert proc.returncode == 1 and "GC109" in proc.stderr and "mid" in proc.stderr, proc.stderr
    proc = run_graphc(["submit", "smoke.yaml", "--quotes", "live", "--run-key", "one"], cli_env(priced), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(priced.graphs()) == 1


def test_a_kalshi_price_off_its_tick_is_refused_with_live_quotes_too(priced, tmp_path):
    """`--price KX...=0.555` made the sandbox answer `tick: 0.001` (the price's decimals), which overrode Kalshi's
    0.01 and let an off-tick 0.555 be submitted; with the reference's shape it is GC303, as without quotes."""
    from sandbox_fixture import cli_env, run_graphc

    priced.reset()
    priced.control("POST", "/prices", {KALSHI: "0.555"})
    (tmp_path / ".git").mkdir()
    (tmp_path / "kx.yaml").write_text(SMOKE.replace("limit: 0.49", "limit: 0.555"))
    proc = run_graphc(["submit", "kx.yaml", "--quotes", "live", "--run-key", "kx1"], cli_env(priced), tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "GC303 price 0.555 is not on kalshi's 0.01 tick" in proc.stderr
    assert priced.graphs() == []
