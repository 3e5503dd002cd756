"""A ledger that can be read but not written (a full disk, a read-only mount) (audit ledger24 3), end to end: the
real CLI as separate processes against `graphc sandbox serve --ignore-idempotency-key` over real HTTP.

- `graphc ledger --reconcile` found the graph of an unsettled run at the router, then said only "the ledger ...
  cannot be used: database or disk is full": the graph id it had just found was lost.
- `graphc submit` whose ledger could not be written before anything was sent did not say that nothing was sent, as
  it does for a locked ledger.

The process is given a file size limit of 0 bytes (RLIMIT_FSIZE, SIGXFSZ ignored): every write to a file fails, as
on a full disk, and it does for root too (root ignores a read-only file mode); reads work.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from ledger_holder import lim_project
from sandbox_fixture import cli_env, posts, run_graphc, submitted_graphs

from graphc.api.ledger import Ledger

NO_WRITES = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), not the process
resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
sys.argv = ["graphc", *sys.argv[1:]]
runpy.run_module("graphc", run_name="__main__")
"""
APPLIED_THEN_500 = {"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "apply": True, "count": 1}


@pytest.fixture
def project(tmp_path):
    return lim_project(tmp_path)


def on_a_full_disk(args, env, cwd) -> subprocess.CompletedProcess:
    """``graphc ARGS`` as a process that cannot write a byte to any file."""
    return subprocess.run(
        [sys.executable, "-c", NO_WRITES, *map(str, args)], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


def _rows(env, project) -> list[dict]:
    listed = run_graphc(["ledger", "--json"], env, project)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def test_a_reconcile_that_finds_the_graph_but_cannot_write_names_it(reference_router, project):
    env = cli_env(reference_router)
    reference_router.set_faults([APPLIED_THEN_500])
    lost = run_graphc(["submit", "lim.yaml"], env, project)  # the router applied it; its answer was a 500
    assert lost.returncode == 3 and "UNCERTAIN" in lost.stderr, lost.stderr
    (graph,) = submitted_graphs(reference_router)
    graph_id = graph["graph_id"]
    (row,) = _rows(env, project)
    assert row["state"] == "uncertain"
    said = f"run {row['run_key']!r} (ledger run 1) has graph {graph_id} at the router (found by its run tag)"

    reconcile = on_a_full_disk(["ledger", "--reconcile"], env, project)
    assert reconcile.returncode == 2, reconcile.stdout + reconcile.stderr
    assert said in reconcile.stderr, reconcile.stderr
    assert "but it could not be recorded: the ledger " in reconcile.stderr
    assert "`graphc ledger --reconcile` records it once the ledger can be written" in reconcile.stderr
    assert "Traceback" not in reconcile.stderr

    again = on_a_full_disk(["submit", "lim.yaml"], env, project)  # its reconcile of the run comes first
    assert again.returncode == 2 and said in again.stderr, again.stderr
    assert again.stderr.rstrip().endswith("; nothing was sent"), again.stderr
    assert posts(reference_router) == 1 and _rows(env, project)[0]["state"] == "uncertain"

    recorded = run_graphc(["ledger", "--reconcile"], env, project)  # space again: recorded
    assert recorded.returncode == 0 and graph_id in recorded.stdout, recorded.stdout + recorded.stderr
    assert [(r["state"], r["graph_id"]) for r in _rows(env, project)] == [("confirmed", graph_id)]


def test_a_submit_whose_ledger_cannot_be_written_before_it_sends_says_nothing_was_sent(reference_router, project):
    env = cli_env(reference_router)
    refused = on_a_full_disk(["submit", "lim.yaml"], env, project)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "graphc: error: the ledger " in refused.stderr and " cannot be used: " in refused.stderr, refused.stderr
    assert refused.stderr.rstrip().endswith("; nothing was sent"), refused.stderr
    assert posts(reference_router) == 0
    with Ledger(project / ".graphc" / "ledger.sqlite") as ledger:
        assert ledger.runs() == []


def test_a_graph_found_at_the_router_that_cannot_be_recorded_is_named(reference_router, project, tmp_path):
    """The look at the router before a first submission finds the run's graph (another ledger sent it), and this
    ledger cannot record it."""
    env = cli_env(reference_router)
    other = tmp_path / "other.sqlite"
    sent = run_graphc(["submit", "lim.yaml", "--ledger", other], env, project)
    assert sent.returncode == 0, sent.stderr
    (graph,) = submitted_graphs(reference_router)
    found = on_a_full_disk(["submit", "lim.yaml"], env, project)
    assert found.returncode == 2, found.stdout + found.stderr
    assert f"has graph {graph['graph_id']} at the router (found by its run tag)" in found.stderr, found.stderr
    assert "the next `graphc submit` of this run finds it again" in found.stderr
    assert found.stderr.rstrip().endswith("; nothing was sent"), found.stderr
    assert posts(reference_router) == 1
