"""The Python API as docs/api.md promises it (audit compat27 7): the router's answer to a submission holds Decimals,
never floats; `Client(url)` of a loopback URL needs no key, as `Client.from_env` reads it; a quotes mapping whose
symbol is not text raises TypeError, as its other wrong arguments do. Routers are real HTTP servers: the sandbox
process, and a scripted one for an answer the sandbox never gives."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sandbox_fixture import REPO, hedge_graph, wire

import graphc
from graphc.api.client import Client
from graphc.api.errors import ConfigError
from graphc.api.ledger import Ledger
from graphc.api.runtag import canonical_wire_text
from graphc.submit import submit_wire

WIRE = canonical_wire_text(wire(hedge_graph()).decode())
NO_CREDENTIALS = "/nonexistent/graphc-credentials"


def test_the_answer_to_a_submission_holds_decimals_not_floats(scripted):
    """Before: `Submitted.response` held `1000.1` as a float (the POST answer was read without exact numbers)."""
    answer = b'{"graph_id": "graph_c27", "status": "active", "node_count": 2, "edge_count": 1, "fee_usd": 1000.10}'

    def router(handler):
        if handler.command == "GET":  # the look for the run's tag: nothing carries it
            handler.answer(200, json.dumps({"orders": [], "has_more": False, "total": 0}).encode())
        else:
            handler.answer(201, answer)

    scripted.script = router
    with Client(scripted.url, "sk_test_c27", retries=0) as client, Ledger(":memory:") as ledger:
        submitted = submit_wire(WIRE, "c27", client=client, ledger=ledger, run_key="c27-decimal")
    fee = submitted.response["fee_usd"]
    assert type(fee) is Decimal and str(fee) == "1000.10"
    assert submitted.graph_id == "graph_c27" and submitted.response["node_count"] == 2


def test_a_client_of_a_loopback_url_needs_no_key_as_from_env_reads_it(sandbox):
    """Before: `Client("http://127.0.0.1:PORT")` raised `ConfigError: no API key given` (only from_env applied the
    rule that a loopback URL, the local sandbox, needs no key)."""
    env = {"SEQUENCE_API_URL": sandbox.base_url, "GRAPHC_CREDENTIALS": NO_CREDENTIALS}
    with Client(sandbox.base_url) as direct, Client.from_env(env) as configured:
        assert direct.key_configured is False and configured.key_configured is False
        assert direct.account == configured.account
        graph_id = direct.submit_graph(WIRE.encode())["graph_id"]
    assert [g["graph_id"] for g in sandbox.graphs()] == [graph_id]
    with pytest.raises(ConfigError, match=r"^no API key given$"):
        Client("https://router.example.com")


@pytest.mark.parametrize("symbol", [1, None, ("BTC-USD",), b"BTC-USD"])
def test_a_quotes_mapping_whose_symbol_is_not_text_raises_type_error(symbol):
    """Before: `quotes={1: {...}}` was read as the quote of a symbol "1" and silently unused."""
    text = (REPO / "examples" / "btc-twap.yaml").read_text()
    for call in (graphc.lint_text, graphc.compile_text):
        with pytest.raises(TypeError) as info:
            call(text, quotes={symbol: {"bid": "1", "ask": "2"}})
        assert str(info.value) == f"quotes: a symbol is text, not {type(symbol).__name__} ({symbol!r})"
