"""A ledger file graphc did not write as it writes it (audit compat27): a newer graphc's ledger is refused as newer,
before anything is read or written; another program's database is refused and left byte for byte as it was; an
empty file holds no ledger for `graphc ledger`, and is adopted as a new one by `submit`; an older graphc's rows
without a run tag are never looked up by the empty tag. The router is a sandbox process (real HTTP)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest
from sandbox_fixture import ONE_LIMIT_ORDER, cli_env

from graphc.api.client import Client
from graphc.api.errors import LedgerError
from graphc.api.ledger import SCHEMA_VERSION, Ledger, iso
from tests.conftest import invoke


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
    order.write_text(json.dumps(ONE_LIMIT_ORDER))
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
    order.write_text(json.dumps(ONE_LIMIT_ORDER))
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
    order.write_text(json.dumps(ONE_LIMIT_ORDER))
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


# -- a schema-1 ledger's runs have no tag (audit compat27 5) -------------------------------------------------------

V1_SCHEMA = """
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_key TEXT NOT NULL, idempotency_key TEXT NOT NULL,
    playbook TEXT NOT NULL, wire_hash TEXT NOT NULL, wire BLOB, state TEXT NOT NULL, graph_id TEXT,
    live INTEGER NOT NULL, endpoint TEXT, error TEXT, created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL);
CREATE TABLE run_events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, at_ns INTEGER NOT NULL,
    state TEXT NOT NULL, note TEXT);
"""


def _v1_ledger(path: Path, run_key: str, state: str, graph_id: str | None, endpoint: str, at_ns: int) -> Path:
    """A ledger as the first `graphc submit` (b41cbad, schema 1: an idempotency key, no run tag) wrote it."""
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.execute(
        "INSERT INTO runs VALUES (1, ?, ?, 'btc-twap', 'h', NULL, ?, ?, 0, ?, NULL, ?, ?)",
        (run_key, run_key, state, graph_id, endpoint, at_ns, at_ns),
    )
    db.commit()
    db.close()
    return path


def test_a_schema_1_runs_look_for_a_second_graph_is_not_a_scan_for_the_empty_tag(sandbox, tmp_path):
    """Before: the look for other graphs carrying the run's tag looked for the empty tag, took the tagged order of
    another run for the run's, and warned that it could not tell whether the run was sent twice (`.`)."""
    from graphc.submit import prepare  # the run key the first graphc computed for the same playbook (checked)

    repo = Path(__file__).resolve().parent.parent
    for name in ("btc-twap.yaml", "quotes.yaml"):
        (tmp_path / name).write_text((repo / "examples" / name).read_text())
    (tmp_path / ".git").mkdir()
    env = cli_env(sandbox)
    other = invoke(["submit", tmp_path / "btc-twap.yaml", "--quotes", tmp_path / "quotes.yaml", "--run-key",
                    "another-run", "--ledger", tmp_path / "other.sqlite"], env)  # fmt: skip
    assert other.exit_code == 0, other.output  # a tagged graph at the router, another run's
    key = prepare(tmp_path / "btc-twap.yaml", quotes_path=tmp_path / "quotes.yaml").run_key
    at = time.time_ns() - 10**9
    v1 = _v1_ledger(tmp_path / "v1.sqlite", key, "submitted", "graph_old", sandbox.base_url, at)
    before = len(_sent(sandbox))
    refused = invoke(["submit", tmp_path / "btc-twap.yaml", "--quotes", tmp_path / "quotes.yaml", "--ledger", v1], env)
    assert refused.exit_code == 2, refused.output
    assert f"run {key!r} was already submitted as graph graph_old" in refused.output, refused.output
    assert "(`.`)" not in refused.output and "node_order_id" not in refused.output, refused.output
    assert (
        f"graphc cannot look for other graphs of run {key!r} (ledger run 1): it was recorded by a graphc without run "
        f"tags, so it cannot be looked up at the router; a graph other than graph_old created around {iso(at)} would "
        "be a second one; the run is refused all the same (it has its graph, graph_old)\n"
    ) in refused.output, refused.output
    assert _sent(sandbox)[before:] == []
    with Ledger(v1) as ledger, Client(sandbox.base_url, "k") as client:
        check = ledger.look_for_duplicates(1, client)
        assert (check.done, check.others, check.scan) == (False, [], None)
        (again,) = ledger.look_again_for_duplicates([1], client)
        assert (again.done, again.message) == (False, check.message)


def test_a_schema_1_uncertain_runs_advice_is_a_graph_created_around_its_time_not_a_tag(sandbox, tmp_path):
    """Before: "look at the router for orders whose node ids end in `.?`": a schema-1 graph's node ids carry no
    tag, so that advice could not be followed."""
    at = time.time_ns() - 3600 * 10**9
    v1 = _v1_ledger(tmp_path / "v1.sqlite", "k@1", "uncertain", None, sandbox.base_url, at)
    with Ledger(v1) as ledger, Client(sandbox.base_url, "k") as client:
        result = ledger.reconcile(1, client)
    assert result.found is None
    assert ".?" not in result.message and "node ids end in" not in result.message, result.message
    assert (
        "is still uncertain: it was recorded by a graphc without run tags, so it cannot be looked up at the router. "
        f"To settle it by hand, look at the router for a graph created around {iso(at)}, when the run was sent to "
        f"{sandbox.base_url} (GET /v1/orders), then record what you found: "
    ) in result.message, result.message
