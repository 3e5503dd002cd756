"""decompile's round-trip proof in two processes (graphc.decompile._proved_in_two): it proves what the one-process
proof proves, and whenever it does not prove, the one-process proof runs and says where the graphs differ.

The path is forced here for small graphs (its size threshold and its check of the machine are replaced), so each
test forks a real child.
"""

from __future__ import annotations

import copy
import json
import os
from decimal import Decimal

import pytest
from click.testing import CliRunner

import graphc.decompile as D
from graphc.cli import cli
from graphc.stages.triggers import JsonFloat
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the two-process proof needs os.fork")


@pytest.fixture
def forks(monkeypatch):
    """Every proof given its playbook takes the two-process path; yields the pids of the children forked."""
    pids: list[int] = []
    fork = os.fork

    def recording_fork():
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(D, "TWO_PROCESS_CHARS", 0)
    monkeypatch.setattr(D, "_two_processes_possible", lambda: True)
    monkeypatch.setattr(os, "fork", recording_fork)
    yield pids
    for pid in pids:  # every child was waited for (none left running or unreaped)
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _golden(name: str) -> tuple[dict, D.Decompiled]:
    wire = json.loads((GOLDEN / name).read_text())
    return wire, D.decompile(copy.deepcopy(wire))


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.json")))
def test_the_two_processes_prove_a_playbook_that_round_trips(forks, name):
    _, result = _golden(name)
    assert D._proved_in_two(result.text, result.wire, result.playbook)
    assert D.round_trip_difference(result.text, result.wire, result.playbook) is None
    assert len(forks) == 2


def test_a_difference_found_by_the_compile_is_said_by_the_one_process_proof(forks):
    wire, result = _golden("eth-hedge.json")
    del wire["nodes"][1]["instrument"]["venue"]
    assert not D._proved_in_two(result.text, wire, result.playbook)
    expected = "nodes[1].instrument: the playbook's graph would have `venue`, which the input has not"
    assert D.round_trip_difference(result.text, wire, result.playbook) == expected
    assert D.round_trip_difference(result.text, wire) == expected  # (no fork: the one-process proof alone)
    assert len(forks) == 2


def test_a_text_that_does_not_compile_is_said_with_its_finding(forks):
    """The text written is what is proved, not the playbook it was written from: a text that gives a finding
    fails the two-process proof, and the one-process proof reports the finding, as it always did."""
    _, result = _golden("eth-hedge.json")
    symbol = result.playbook["legs"]["spot"]["symbol"]
    text = result.text.replace(f"symbol: {symbol}", f"symbol: '{symbol} '", 1)
    assert text != result.text
    assert not D._proved_in_two(text, result.wire, result.playbook)
    difference = D.round_trip_difference(text, result.wire, result.playbook)
    assert difference == D.round_trip_difference(text, result.wire)
    assert difference.startswith("the playbook does not compile: GC103 symbol has whitespace at its end")


def test_the_child_proves_the_text_gives_the_playbook_exactly(forks):
    """Data that compiles to the same graph but is not what the text gives (keys in another order) is no proof:
    the child's check, not the compile, refuses it; the one-process proof then proves the text."""
    _, result = _golden("eth-hedge.json")
    reordered = copy.deepcopy(result.playbook)
    leg = next(iter(reordered["legs"]))
    reordered["legs"][leg] = dict(reversed(list(reordered["legs"][leg].items())))
    assert not D._proved_in_two(result.text, result.wire, reordered)
    assert D.round_trip_difference(result.text, result.wire, reordered) is None


def test_the_child_compares_types_order_and_values_not_identity():
    shared = "ETH-USD"
    assert D._pickled({"a": [shared, shared]}) == D._pickled({"a": ["ETH-USD", "ETH-" + "USD"]})
    for one, other in (
        ({"a": 1}, {"a": True}),
        ({"a": 1}, {"a": Decimal(1)}),
        ({"a": Decimal("1.5")}, {"a": JsonFloat("1.5")}),
        ({"a": Decimal("1.5")}, {"a": Decimal("1.50")}),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"a": "1"}, {"a": 1}),
        ({"a": None}, {"a": "null"}),
        ({"a": []}, {"a": {}}),
    ):
        assert D._pickled(one) != D._pickled(other), (one, other)


def test_a_child_that_fails_leaves_the_proof_to_one_process(forks, monkeypatch):
    def broken(text, path):
        raise RuntimeError("the child's loader broke")

    _, result = _golden("btc-bracket.json")
    monkeypatch.setattr(D, "load_text", broken)  # the child's reader (the one-process proof reads through compile)
    assert not D._proved_in_two(result.text, result.wire, result.playbook)
    assert D.round_trip_difference(result.text, result.wire, result.playbook) is None


def test_the_command_writes_the_same_playbook_either_way(forks, tmp_path, monkeypatch):
    graph = tmp_path / "graph.json"
    graph.write_text((GOLDEN / "eth-ladder.json").read_text())
    two = CliRunner().invoke(cli, ["decompile", str(graph)])
    assert two.exit_code == 0, two.output
    assert len(forks) == 1
    monkeypatch.setattr(D, "TWO_PROCESS_CHARS", 1 << 60)
    one = CliRunner().invoke(cli, ["decompile", str(graph)])
    assert (one.exit_code, one.stdout, one.stderr) == (two.exit_code, two.stdout, two.stderr)
    assert len(forks) == 1


def test_the_path_needs_a_second_cpu_and_no_other_thread(monkeypatch):
    import threading

    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    else:  # pragma: no cover - not Linux
        monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert not D._two_processes_possible()
    monkeypatch.undo()
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert not D._two_processes_possible()
