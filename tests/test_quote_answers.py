"""Quotes that cannot be a market's book, from a snapshot file or the router's answer (audit quotes20).

Each is reproduced through the real CLI: a snapshot file on disk, or a scripted router over real HTTP
(tests/test_router_answers.py's `scripted_router`, answering `GET /v1/quotes` with the raw text a test gives).

- 1: a crossed book (bid > ask) is GC105 at the quote in a snapshot, and a malformed answer (exit 3) from the
  router, both values named; a locked book (bid = ask) is a book.
- 2: a router answer whose own `symbol` names another market than the one asked for is a malformed answer (exit
  3) naming both; the same market in other case or with spaces around it, or no `symbol` at all, is its answer.
- 3: a router's two-sided `mid` outside its own bid and ask is a malformed answer (exit 3).
- 8: a router's values are JSON numbers or plain decimal text, never the playbook's human grammar (`"1k"`, `"55c"`,
  `"$97,250"`, `"97250.5 USD"`); a 200 with no body, or the sides beside `nbbo`, is a malformed answer, while `{}`,
  `{"nbbo": null}` and a book without sides stay "no quote"; with `--quotes FILE`, a symbol the snapshot lacks is
  skipped saying so, naming a key nearly it, not "(pass --quotes)".
"""

from __future__ import annotations

import json

import pytest
from test_router_answers import RAW_CONTROL, scripted_router
from test_router_answers import env_for as router_env

import graphc
from tests.conftest import invoke, write

DOLLAR = """\
graphc: 1
name: dollar
risk: {max_notional: $20k}
legs:
  a:
    buy: $10k
    symbol: ETH-USD
    venue: coinbase
"""
SWAP = "graphc: 1\nname: swap\nlegs:\n  hedge:\n    buy: 10 ETH\n    symbol: ETH-USD\n    venue: coinbase\n    limit: ask + 1 tick\n"


def env_for(router, **extra) -> dict:
    """The scripted router's environment, with the lint cache off (live quotes never use it; a snapshot test might)."""
    return router_env(router, GRAPHC_NO_CACHE="1", **extra)


def answering(*bodies: bytes):
    """A scripted router whose `GET /v1/quotes` answers ``bodies`` in turn (the last one from then on); any other
    request is answered with an empty order list."""
    answers = list(bodies)

    def script(h):
        if h.path.startswith("/v1/quotes"):
            body = answers.pop(0) if len(answers) > 1 else answers[0]
            return h.answer(200, body)
        return h.answer(200, b'{"orders": [], "has_more": false}')

    return script


# -- 1: a crossed book ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["lint", "compile", "plan"])
def test_a_crossed_snapshot_quote_is_gc105_at_the_quote(tmp_path, command):
    playbook = write(tmp_path, "dollar.yaml", DOLLAR)
    quotes = write(tmp_path, "q-x.yaml", "ETH-USD: {bid: 2325.10, ask: 232.55, tick: 0.01}\n")
    args = [command, playbook, "--quotes", quotes] + (["--no-cache"] if command == "lint" else [])
    result = invoke(args, {"NO_COLOR": "1"})
    # before the fix: rc 0, 43.00150505 ETH sized at the crossed ask (about $100k at the bid)
    assert result.exit_code == 1, result.output
    assert "q-x.yaml:1:10: error GC105 quote ETH-USD: crossed: bid 2325.10 > ask 232.55" in result.output
    assert "a locked book (bid = ask) is fine" in result.output
    assert "43.00150505" not in result.output


def test_a_swapped_snapshot_quote_no_longer_prices_a_crossing_hedge_below_the_bid(tmp_path):
    playbook = write(tmp_path, "swap.yaml", SWAP)
    quotes = write(tmp_path, "q-swap.yaml", "ETH-USD: {bid: 2325.53, ask: 2325.10, tick: 0.01}\n")
    result = invoke(["lint", "--no-cache", playbook, "--quotes", quotes], {"NO_COLOR": "1"})
    assert result.exit_code == 1, result.output
    assert "error GC105 quote ETH-USD: crossed: bid 2325.53 > ask 2325.10" in result.output


def test_a_crossed_snapshot_refuses_submit_and_sends_nothing(sandbox, tmp_path):
    from sandbox_fixture import cli_env, run_graphc

    (tmp_path / ".git").mkdir()
    write(tmp_path, "dollar.yaml", DOLLAR)
    write(tmp_path, "q.yaml", "ETH-USD: {bid: 2325.10, ask: 232.55}\n")
    proc = run_graphc(["submit", "dollar.yaml", "--quotes", "q.yaml", "--run-key", "x"], cli_env(sandbox), tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "GC105 quote ETH-USD: crossed: bid 2325.10 > ask 232.55" in proc.stderr
    assert sandbox.requests("POST") == []


def test_a_locked_book_is_a_book(tmp_path):
    playbook = write(tmp_path, "dollar.yaml", DOLLAR)
    quotes = write(tmp_path, "q.yaml", "ETH-USD: {bid: 2325.10, ask: 2325.10, tick: 0.01}\n")
    result = invoke(["plan", playbook, "--quotes", quotes], {"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output


def test_the_python_api_refuses_a_crossed_mapping():
    # each side as written, as the snapshot file's GC105 says it (audit pyapi25 3)
    with pytest.raises(ValueError, match=r"quote ETH-USD: crossed: bid 2325\.10 > ask 232\.55"):
        graphc.lint_text(DOLLAR, "d.yaml", quotes={"ETH-USD": {"bid": "2325.10", "ask": "232.55"}})


@pytest.mark.parametrize(
    "body",
    [
        b'{"nbbo": {"bid": 2325.10, "ask": 232.55, "mid": 1278.825}}',
        b'{"nbbo": {"bid": "2325.10", "ask": "232.55"}}',
    ],
)
def test_a_crossed_live_quote_is_a_malformed_answer_naming_both_sides(tmp_path, body):
    write(tmp_path, "dollar.yaml", DOLLAR)
    with scripted_router() as router:
        router.script = answering(body)
        for extra in (["plan"], ["submit", "--ledger", tmp_path / "l.db"]):
            result = invoke(
                [*extra, tmp_path / "dollar.yaml", "--quotes", "live"], env_for(router, GRAPHC_LOOKBACK="0")
            )
            assert result.exit_code == 3, result.output  # before the fix: 0, and the POST sent 43 ETH
            assert (
                "the router's quote for ETH-USD is malformed: its bid is 2325.10: above its ask 232.55 "
                "(crossed: bid 2325.10 > ask 232.55)" in result.output
            ), result.output
        assert [m for m, _ in router.seen].count("POST") == 0
        assert not RAW_CONTROL.search(result.output)


def test_a_locked_live_quote_is_a_book(tmp_path):
    write(tmp_path, "dollar.yaml", DOLLAR)
    with scripted_router() as router:
        router.script = answering(b'{"nbbo": {"bid": "2325.10", "ask": "2325.10"}}')
        result = invoke(["compile", tmp_path / "dollar.yaml", "--quotes", "live"], env_for(router))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 430089028}}  # $10k / 2325.10


# -- 2: an answer about another market ---------------------------------------------------------------------------

ONE = "graphc: 1\nname: one\nlegs:\n  a:\n    buy: $1000\n    symbol: ETH-USD\n    venue: coinbase\n"


def test_a_live_answer_about_another_symbol_is_a_malformed_answer_naming_both(tmp_path):
    write(tmp_path, "one.yaml", ONE)
    with scripted_router() as router:
        router.script = answering(b'{"symbol": "BTC-USD", "nbbo": {"bid": 97250, "ask": 97251}}')
        result = invoke(["plan", tmp_path / "one.yaml", "--quotes", "live"], env_for(router))
    # before the fix: rc 0, 0.01028267 ETH (about $24) shown as $999.99
    assert result.exit_code == 3, result.output
    assert (
        "GET /v1/quotes?symbol=ETH-USD: the router's quote for ETH-USD is malformed: its symbol is 'BTC-USD': "
        "another market than the one asked for, 'ETH-USD'" in result.output
    ), result.output
    assert "0.01028267" not in result.output


@pytest.mark.parametrize("named", ['"ETH-USD"', '"eth-usd"', '" ETH-USD "', "null"])
def test_a_live_answer_naming_the_symbol_asked_for_or_none_is_used(tmp_path, named):
    write(tmp_path, "one.yaml", ONE)
    body = b'{"symbol": %s, "nbbo": {"bid": "2325.49", "ask": "2325.51"}}' % named.encode()
    with scripted_router() as router:
        router.script = answering(body)
        result = invoke(["compile", tmp_path / "one.yaml", "--quotes", "live"], env_for(router))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 43001320}}  # $1000 / 2325.51


# -- 3: a mid outside its own book -------------------------------------------------------------------------------

MIDBUY = """\
graphc: 1
name: midbuy
risk: {max_notional: $100k}
legs:
  a:
    buy: 10 ETH
    symbol: ETH-USD
    venue: coinbase
    limit: mid - 5bps
"""


@pytest.mark.parametrize("mid", ["2500.00", "2325.00"])
def test_a_live_mid_outside_its_own_book_is_a_malformed_answer(tmp_path, mid):
    write(tmp_path, "midbuy.yaml", MIDBUY)
    body = b'{"nbbo": {"bid": 2325.10, "ask": 2325.53, "mid": %s}}' % mid.encode()
    with scripted_router() as router:
        router.script = answering(body)
        for command in ("lint", "plan"):
            result = invoke([command, tmp_path / "midbuy.yaml", "--quotes", "live"], env_for(router))
            # before the fix: rc 0, a "passive" buy at 2498.75, 7.4% above the ask, and GC406 silent
            assert result.exit_code == 3, result.output
            assert (
                f"the router's quote for ETH-USD is malformed: its mid is {mid}: outside its own bid 2325.10 and "
                "ask 2325.53" in result.output
            ), result.output


@pytest.mark.parametrize("mid", ["2325.10", "2325.53", "2325.3"])
def test_a_live_mid_within_its_book_is_used(tmp_path, mid):
    write(tmp_path, "midbuy.yaml", MIDBUY)
    body = b'{"nbbo": {"bid": 2325.10, "ask": 2325.53, "mid": %s}}' % mid.encode()
    with scripted_router() as router:
        router.script = answering(body)
        result = invoke(["compile", tmp_path / "midbuy.yaml", "--quotes", "live"], env_for(router))
    assert result.exit_code == 0, result.output


# -- 8: the router's numbers, its answer's shape, a missing snapshot entry ----------------------------------------


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"nbbo": {"bid": "2325.1", "ask": "1k"}}', "its ask is '1k': not a plain decimal number"),
        (b'{"nbbo": {"bid": "55c", "ask": "0.56"}}', "its bid is '55c': not a plain decimal number"),
        (b'{"nbbo": {"bid": "$97,250", "ask": 97251}}', "its bid is '$97,250': not a plain decimal number"),
        (b'{"nbbo": {"bid": "97250.5 USD", "ask": 97251}}', "its bid is '97250.5 USD': not a plain decimal number"),
        (b'{"nbbo": {"bid": "2bn", "ask": "3bn"}}', "its bid is '2bn': not a plain decimal number"),
        (b'{"nbbo": {"bid": " 2325.1", "ask": "2325.2"}}', "its bid is ' 2325.1': not a plain decimal number"),
        (b"", "its answer is empty: a 2xx without a body"),
        (b"  \n", "its answer is empty: a 2xx without a body"),
        (
            b'{"bid": 2325.10, "ask": 2325.53}',
            'its bid is 2325.10: outside `nbbo` (the answer graphc reads is {"nbbo": {"bid", "ask", "mid"}})',
        ),
        (b'{"nbbo": null, "ask": "2325.53"}', "its ask is '2325.53': outside `nbbo`"),
    ],
)
def test_a_live_answer_graphc_cannot_read_is_a_router_failure(tmp_path, body, said):
    write(tmp_path, "one.yaml", ONE)
    with scripted_router() as router:
        router.script = answering(body)
        result = invoke(["plan", tmp_path / "one.yaml", "--quotes", "live"], env_for(router))
    # before the fix: "1k" sized the buy as 1 ETH (rc 0), and the others read as "the router has no quote" (rc 1)
    assert result.exit_code == 3, result.output
    assert f"the router's quote for ETH-USD is malformed: {said}" in result.output, result.output
    assert "GC109" not in result.output


@pytest.mark.parametrize(
    "body", [b'{"nbbo": {"bid": "2325.10", "ask": "2325.53"}}', b'{"nbbo": {"bid": 2325.10, "ask": 2.32553e3}}']
)
def test_plain_decimal_text_and_json_numbers_are_read(tmp_path, body):
    write(tmp_path, "one.yaml", ONE)
    with scripted_router() as router:
        router.script = answering(body)
        result = invoke(["compile", tmp_path / "one.yaml", "--quotes", "live"], env_for(router))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["nodes"][0]["quantity"] == {"fixed": {"qty_1e8": 43000950}}  # $1000 / 2325.53


@pytest.mark.parametrize("body", [b"{}", b'{"nbbo": null}', b'{"nbbo": {}}', b'{"nbbo": {"bid": 0, "ask": 0}}'])
def test_an_answer_without_a_side_is_still_no_quote(tmp_path, body):
    write(tmp_path, "one.yaml", ONE)
    with scripted_router() as router:
        router.script = answering(body)
        result = invoke(["plan", tmp_path / "one.yaml", "--quotes", "live"], env_for(router))
    assert result.exit_code == 1, result.output
    assert "the router has no quote for ETH-USD" in result.output


LIMIT = "graphc: 1\nname: l\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    venue: coinbase\n    limit: 2300\n"


def explained(tmp_path, snapshot: str | None) -> str:
    playbook = write(tmp_path, "l.yaml", LIMIT)
    args = ["lint", "--no-cache", "--explain-skips", playbook]
    if snapshot is not None:
        args += ["--quotes", write(tmp_path, "q.yaml", snapshot)]
    result = invoke(args, {"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_symbol_the_snapshot_lacks_is_skipped_saying_so_and_naming_a_near_miss(tmp_path):
    output = explained(tmp_path, "eth-usd: {bid: 2325.10, ask: 2325.53}\n")
    # before the fix: "skipped GC404 no quote for 'ETH-USD' (pass --quotes)", though --quotes was passed
    assert "(pass --quotes)" not in output, output
    assert (
        "skipped GC404 no quote for 'ETH-USD': the quotes snapshot has no entry for it (did you mean 'eth-usd'?)"
        in output
    ), output
    output = explained(tmp_path, "ETH-USDT: {bid: 2325.10, ask: 2325.53}\nBTC-USD: {bid: 1, ask: 2}\n")
    assert "no quote for 'ETH-USD': the quotes snapshot has no entry for it (did you mean 'ETH-USDT'?)" in output
    output = explained(tmp_path, "SOL-PERP: {bid: 1, ask: 2}\n")
    assert "no quote for 'ETH-USD': the quotes snapshot has no entry for it\n" in output, output


def test_without_quotes_the_skip_still_says_pass_quotes(tmp_path):
    assert "skipped GC404 no quote for 'ETH-USD' (pass --quotes)" in explained(tmp_path, None)
