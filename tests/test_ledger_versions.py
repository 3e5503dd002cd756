"""A ledger file graphc did not write as it writes it (audit compat27): a newer graphc's ledger is refused as newer,
before anything is read or written; another program's database is refused and left byte for byte as it was; an
empty file holds no ledger for `graphc ledger`, and is adopted as a new one by `submit`."""

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


def _foreign(path: Path, user_version: int) -> Path:
    """Another program's SQLite database, with its own migrations' user_version."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users (name) VALUES ('alice')")
    db.execute(f"PRAGMA user_version = {user_version}")
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


@pytest.mark.parametrize("user_version", [0, 2, SCHEMA_VERSION, 99])
def test_another_programs_database_is_not_a_ledger_and_is_left_byte_for_byte(sandbox, tmp_path, user_version):
    """Before: `graphc ledger --ledger app.db` wrote graphc's tables into it, set its user_version to 5 and said "no
    runs"; `submit` turned it into a ledger."""
    app = _foreign(tmp_path / "app.db", user_version)
    data = app.read_bytes()
    order = tmp_path / "order.json"
    order.write_text(json.dumps(ORDER))
    env = cli_env(sandbox)
    said = f"cannot open the ledger {app}: it is not a graphc ledger"
    for args in (["ledger", "--ledger", app], ["submit", order, "--run-key", "r", "--ledger", app]):
        result = invoke(args, env)
        assert result.exit_code == 2, result.output
        assert said in result.output and "no runs" not in result.output, result.output
    with pytest.raises(LedgerError, match="it is not a graphc ledger"):
        Ledger(app)
    assert _sent(sandbox) == []
    assert app.read_bytes() == data


def test_a_database_with_no_tables_that_is_not_empty_is_not_a_ledger(tmp_path):
    """A program that only set its user_version: not empty, and graphc did not write it."""
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    data = path.read_bytes()
    with pytest.raises(LedgerError, match="it is not a graphc ledger"):
        Ledger(path)
    assert path.read_bytes() == data


def test_graphc_ledger_at_an_empty_file_says_there_is_no_ledger_and_writes_nothing(sandbox, tmp_path):
    placeholder = tmp_path / "placeholder.sqlite"
    placeholder.touch()
    result = invoke(["ledger", "--ledger", placeholder], cli_env(sandbox))
    assert result.exit_code == 2, result.output
    assert f"no ledger at {placeholder}: nothing was recorded there" in result.output
    assert placeholder.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["placeholder.sqlite"]


def test_submit_adopts_an_empty_file_as_a_new_ledger(sandbox, tmp_path):
    """An empty file holds nothing: submit makes it its ledger, and `graphc ledger` lists the run."""
    placeholder = tmp_path / "placeholder.sqlite"
    placeholder.touch()
    order = tmp_path / "order.json"
    order.write_text(json.dumps(ORDER))
    env = cli_env(sandbox)
    submitted = invoke(["submit", order, "--run-key", "adopted", "--ledger", placeholder], env)
    assert submitted.exit_code == 0, submitted.output
    listed = invoke(["ledger", "--ledger", placeholder], env)
    assert listed.exit_code == 0 and "adopted" in listed.output, listed.output


def test_a_new_ledger_and_a_memory_ledger_get_the_schema(tmp_path):
    for path in (tmp_path / "new" / "ledger.sqlite", ":memory:"):
        with Ledger(path) as ledger:
            assert ledger.runs() == []
    with sqlite3.connect(tmp_path / "new" / "ledger.sqlite") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
