"""A damaged ledger is a ledger error (exit 2, nothing sent), never a crash (audit ops19 5).

The audit's 60-case mutation fuzz of a real ledger (random bytes, truncation, zeroed runs of 64 bytes) found one
crash: a byte of the schema text in ``sqlite_master`` that is not UTF-8 made Python's sqlite3 raise a bare
``UnicodeDecodeError`` (it decodes SQLite's error message, which quotes the damaged schema), and `ledger`, `submit`
and `amend` exited 4. Here the same fuzz is a property: a ledger written by the real CLI against the sandbox
(a separate process, real HTTP: tests/sandbox_fixture.py), damaged, then used by `ledger`, `submit` and `amend`.
A damage graphc can see is exit 2 naming the ledger, with nothing sent (no POST, no PATCH); a damage SQLite
cannot see (a changed byte in a value, in free space) leaves a ledger that still reads, exit 0. Never exit 4.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sandbox_fixture import ONE_LIMIT_ORDER, cli_env

from tests.conftest import invoke


class Written:
    """A ledger the CLI wrote (two confirmed runs and their events), the graph id of its first run, the order."""

    def __init__(self, data: bytes, graph_id: str, order: Path):
        self.data, self.graph_id, self.order = data, graph_id, order

    def __repr__(self) -> str:  # a failing example's report names the damage, not 20 kB of ledger
        return f"Written({len(self.data)} bytes, {self.graph_id})"


@pytest.fixture
def written(sandbox, tmp_path) -> Written:
    sandbox.configure(speed=0)  # the node stays executing: amend can change it
    order = tmp_path / "order.json"
    order.write_text(json.dumps(ONE_LIMIT_ORDER))
    ledger = tmp_path / "written.sqlite"
    env = cli_env(sandbox)
    first = invoke(["submit", order, "--run-key", "one", "--ledger", ledger], env)
    assert first.exit_code == 0, first.output
    second = invoke(["submit", order, "--run-key", "two", "--ledger", ledger], env)
    assert second.exit_code == 0, second.output
    graph_id = first.output.split(" as graph ")[1].split()[0]
    return Written(ledger.read_bytes(), graph_id, order)


def _schema_at(data: bytes, text: bytes) -> int:
    return data.index(text)


def _damaged(data: bytes, how: tuple) -> bytes:
    kind, *args = how
    damaged = bytearray(data)
    if kind == "bytes":  # random bytes at random places
        for where, value in args[0]:
            damaged[where % len(damaged)] = value
    elif kind == "truncated":
        damaged = damaged[: args[0] % len(damaged)]
    elif kind == "zeroed":  # a run of 64 zero bytes
        start = args[0] % len(damaged)
        damaged[start : start + 64] = bytes(len(damaged[start : start + 64]))
    elif kind == "schema":  # one byte of the schema text (sqlite_master), the audit's crash
        start = _schema_at(data, b"CREATE TABLE")
        damaged[start + args[0] % 700] = args[1]
    return bytes(damaged)


DAMAGE = st.one_of(
    st.tuples(
        st.just("bytes"), st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=4)
    ),
    st.tuples(st.just("truncated"), st.integers(0, 1 << 20)),
    st.tuples(st.just("zeroed"), st.integers(0, 1 << 20)),
    st.tuples(st.just("schema"), st.integers(0, 699), st.integers(0, 255)),
)


def _sent(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] in ("POST", "PATCH", "PUT", "DELETE")]


def _check(result, sandbox, before: int, command: str) -> None:
    """Exit 0 (the ledger still reads), or exit 2 with one line naming the ledger and nothing sent; never 4."""
    assert result.exit_code in (0, 2), (command, result.exit_code, result.output)
    assert "Traceback" not in result.output and "internal error" not in result.output, (command, result.output)
    if result.exit_code == 2:
        assert "ledger" in result.output, (command, result.output)
        assert _sent(sandbox)[before:] == [], (command, result.output)


def _use(ledger: Path, graph_id: str, order: Path, sandbox, run_key: str) -> list:
    """`ledger`, `submit` and `amend` on the ledger at ``ledger``: their results, each checked."""
    env = cli_env(sandbox)
    results = []
    for command, args in (
        ("ledger", ["ledger", "--ledger", ledger]),
        ("submit", ["submit", order, "--run-key", run_key, "--ledger", ledger]),
        ("amend", ["amend", graph_id, "a", "--urgency", "low", "--ledger", ledger]),
    ):
        before = len(_sent(sandbox))
        result = invoke(args, env)
        _check(result, sandbox, before, command)
        results.append(result)
    return results


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(how=DAMAGE)
@example(how=("schema", 0, 0x91))  # the audit's byte (before `playbook TEXT`, moved to the schema's start here)
def test_a_damaged_ledger_is_a_ledger_error_or_still_reads_never_a_crash(sandbox, written, how):
    data, graph_id, order = written.data, written.graph_id, written.order
    work = Path(tempfile.mkdtemp(prefix="graphc-damaged-"))
    try:
        ledger = work / "ledger.sqlite"
        ledger.write_bytes(_damaged(data, how))
        _use(ledger, graph_id, order, sandbox, run_key=f"fuzz-{work.name}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _schema_byte(data: bytes, text: bytes, value: int) -> bytes:
    damaged = bytearray(data)
    damaged[_schema_at(data, text)] = value
    return bytes(damaged)


RUNS_NOT_GRAPHCS = "it is damaged, or not graphc's: its runs table is not the one graphc writes"


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        # the audit's reproduction: one byte of the schema text that is not UTF-8 (a crash, exit 4, before)
        (lambda data: _schema_byte(data, b"    playbook TEXT", 0x91), RUNS_NOT_GRAPHCS),
        # one that no longer parses: SQLite's message quotes the byte (UnicodeDecodeError, exit 4, before)
        (lambda data: data.replace(b"NOT NULL,\n    note", b"NOT NU\xd8L,\n    note", 1), "not UTF-8 text (byte 0xd8)"),
        # a schema that still parses, with a column graphc reads under another name (IndexError, exit 4, before)
        (lambda data: data.replace(b"    playbook TEXT", b"    plaxbook TEXT", 1), RUNS_NOT_GRAPHCS),
        (lambda data: data.replace(b"    note TEXT", b"    nofe TEXT", 1), "its run_events table has no column note"),
        # a state the runs table's CHECK no longer allows: `confirmed` failed after the graph was sent (exit 3)
        (lambda data: data.replace(b"'confirmed'", b"'confirmec'", 1), RUNS_NOT_GRAPHCS),
        (lambda data: data[: len(data) // 2], "cannot open the ledger"),
        (lambda data: b"not a database" * 100, "file is not a database"),
    ],
    ids=["schema-byte", "events-schema-byte", "renamed-column", "renamed-events-column", "check", "half", "garbage"],
)
def test_a_damaged_ledger_is_exit_2_and_nothing_is_sent(sandbox, written, tmp_path, damage, said):
    ledger = tmp_path / "ledger.sqlite"
    ledger.write_bytes(damage(written.data))
    before = len(_sent(sandbox))
    for result in _use(ledger, written.graph_id, written.order, sandbox, run_key="damaged"):
        assert result.exit_code == 2, result.output
        assert f"ledger {ledger}" in result.output and said in result.output, result.output
    assert _sent(sandbox)[before:] == []


def test_the_audits_ledger_reads_again_once_its_byte_is_put_back(sandbox, written, tmp_path):
    """The refusal is about the damage, not the file: the same ledger with its byte restored lists its runs."""
    data = written.data
    ledger = tmp_path / "ledger.sqlite"
    ledger.write_bytes(_schema_byte(data, b"    playbook TEXT", 0x91))
    assert invoke(["ledger", "--ledger", ledger], cli_env(sandbox)).exit_code == 2
    ledger.write_bytes(data)
    listed = invoke(["ledger", "--ledger", ledger], cli_env(sandbox))
    assert listed.exit_code == 0 and "one" in listed.output and "two" in listed.output, listed.output
    with sqlite3.connect(ledger) as db:  # untouched by the refusal
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
