"""A ledger file graphc did not write as it writes it (audit compat27): a newer graphc's ledger is refused as newer,
before anything is read or written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sandbox_fixture import cli_env

from graphc.api.errors import LedgerError
from graphc.api.ledger import SCHEMA_VERSION, Ledger
from tests.conftest import invoke

ORDER = {  # one limit node; lints clean
    "nodes": [
        {
            "node_id": "a",
            "instrument": {"symbol": "BTC-USD", "type": "spot", "venue": "coinbase"},
            "side": "buy",
            "order_type": {"limit": {"price_1e9": 90_000_000_000_000}},
            "quantity": {"fixed": {"qty_1e8": 1_000_000}},
            "execution": {"policy": "passive_limit"},
            "activation": "root",
        }
    ],
    "edges": [],
    "is_sandbox": True,
}


def _sent(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] in ("POST", "PATCH", "PUT", "DELETE")]


def _newer(path: Path, how: str) -> Path:
    """A ledger of schema 6 as a newer graphc could write it: one with a table this graphc does not know (as schema
    4 added `changes`), or one whose runs table has another column (as schema 5 added `boot_id`)."""
    with Ledger(path):
        pass
    db = sqlite3.connect(path)
    if how == "table":
        db.execute("CREATE TABLE fences (id INTEGER PRIMARY KEY, run_key TEXT NOT NULL, until_ns INTEGER NOT NULL)")
    else:
        db.execute("ALTER TABLE runs ADD COLUMN fence_ns INTEGER")
    db.execute("PRAGMA user_version = 6")
    db.commit()
    db.close()
    return path


def _newer_said(path) -> str:
    return (
        f"cannot open the ledger {path}: it was written by a newer graphc (ledger schema 6; this graphc reads up "
        f"to {SCHEMA_VERSION}): upgrade graphc"
    )


@pytest.mark.parametrize("how", ["table", "column"])
def test_a_newer_graphcs_ledger_is_refused_as_newer_and_left_as_it_was(sandbox, tmp_path, how):
    """Before: a schema-6 ledger that added a table was listed ("no runs", exit 0) and written to, its new table
    unread; one whose runs table changed was called damaged, and the obvious repair (delete it) loses the record."""
    ledger = _newer(tmp_path / "ledger.sqlite", how)
    data = ledger.read_bytes()
    with pytest.raises(LedgerError) as info:
        Ledger(ledger)
    assert str(info.value) == _newer_said(ledger)
    order = tmp_path / "order.json"
    order.write_text(json.dumps(ORDER))
    env = cli_env(sandbox)
    for args in (["ledger", "--ledger", ledger], ["submit", order, "--run-key", "r", "--ledger", ledger]):
        result = invoke(args, env)
        assert result.exit_code == 2, result.output
        assert _newer_said(ledger) in result.output and "damaged" not in result.output, result.output
    assert _sent(sandbox) == []
    assert ledger.read_bytes() == data
