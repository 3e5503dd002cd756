"""A landing time has passed only when both the wall clock and the boot clock say so (audit submit28 2).

The kernel's boot id is not namespaced, CLOCK_BOOTTIME is: a graphc in a Linux time namespace (`unshare -T`, a
CRIU-restored or time-namespaced container) shares the boot id of the others and reads a boot clock offset from
theirs, while its wall clock agrees with theirs. When the boot clock alone decided for a process of the row's boot:

- (a) a process whose boot clock runs ahead took another's request, 3 s on its way, as unable to land, proved the run
  absent and sent it again: two graphs trading;
- (b) a request sent from a process whose boot clock runs ahead kept the run blocked for the offset's length, and the
  refusals named a landing time already past.

Now the wall clock must agree: (a) waits, as for a request on its way; (b) still waits (the clocks disagree, and
graphc cannot tell which is right), and says which clock disagrees and until when it says the request may land.
The offset is given as the boot clock's reading (the ``boot_now_ns`` every landing check takes), and once for real:
`unshare -T --boottime` around a second graphc, against `graphc sandbox serve --ignore-idempotency-key` (a separate
process, real HTTP) whose `slow` fault holds the first request.
"""

from __future__ import annotations

import sqlite3
import sys
import time

import pytest
import test_landing_boot_clock
from sandbox_fixture import beside_a_held_submit, cli_env
from test_landing_boot_clock import _sent

from graphc.api import bootclock
from graphc.api.errors import PendingUncertain
from graphc.api.ledger import Ledger, clocks_disagree, in_flight, landing_open

OFFSET_S = 100_000  # the audit's `unshare -T --boottime 100000`
project = test_landing_boot_clock.project  # the fixture: its step.yaml (one limit leg) in a project of its own


def test_a_boot_clock_running_ahead_does_not_end_a_landing_time_the_wall_clock_says_is_ahead(tmp_path):
    """(a): the reader's boot clock is OFFSET_S ahead of the sender's (same boot id): the request may still land."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run = _sent(ledger)
    assert run.boot_id == bootclock.boot_id() and run.lands_by_boot_ns is not None
    now, ahead = time.time_ns(), bootclock.boot_ns() + OFFSET_S * 10**9
    assert landing_open(run, now, ahead)  # before the fix: False, and the run was sent again
    assert run.stale(now) is None
    flying = in_flight(run, now, ahead)
    assert flying is not None and "another graphc's request for this run is in flight" in flying
    assert "(on the wall clock; this process's boot clock disagrees: it says that time has passed:" in flying
    assert "time namespaces" in flying
    assert clocks_disagree(run, now) == ""  # the clocks of this process agree


def test_a_sender_whose_boot_clock_ran_ahead_blocks_the_run_and_the_refusal_says_which_clock(tmp_path):
    """(b): the sender's boot clock was OFFSET_S ahead: past its wall-clock lands_by, the boot clock of this process
    says the request may land for about OFFSET_S s more. graphc waits (the clocks disagree), and says so."""
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        run = _sent(ledger)
    db = sqlite3.connect(path, isolation_level=None)  # as a sender in the namespace recorded it, 120 s ago
    db.execute(
        "UPDATE runs SET sent_ns = sent_ns - ?, lands_by_ns = lands_by_ns - ?, lands_by_boot_ns = lands_by_boot_ns + ?",
        (120 * 10**9, 120 * 10**9, (OFFSET_S - 120) * 10**9),
    )
    db.close()
    with Ledger(path) as ledger:
        run = ledger.get(run.id)
        now = time.time_ns()
        assert now > run.lands_by_ns and landing_open(run, now)
        with pytest.raises(PendingUncertain) as refused:
            ledger.resolve(run.id)  # --not-submitted
        assert ledger.get(run.id).state == "sent"
    said = str(refused.value)
    # before the fix: "--not-submitted is refused before T" with T past, and no word of the boot clock
    assert (
        "(on the wall clock, which says it has passed; this machine's boot clock disagrees: it says the request "
        in (said)
    )
    left = int(said.split("may still land for ")[1].split(" s more")[0])
    assert OFFSET_S - 120 - 10 < left <= OFFSET_S - 120 + 60, said
    assert "graphc waits until both say it has passed" in said


def test_a_graphc_in_a_time_namespace_waits_for_a_request_on_its_way(btc_router, project):
    """The audit's f2_timens.sh: A's request is held 6 s at the router; B, the same command in a time namespace whose
    boot clock is OFFSET_S ahead (`unshare -T`), finds it in flight, sends nothing and exits 3: one graph, A's."""
    env = cli_env(btc_router, GRAPHC_LANDING_MARGIN="5")
    in_a_namespace = ["unshare", "-T", "--boottime", str(OFFSET_S), sys.executable, "-m", "graphc"]
    # before the fix: B exit 0 with a second graph, and A's WARNING of two graphs trading
    b, _ = beside_a_held_submit(btc_router, ["submit", "step.yaml"], env, project, delay=6, b_launcher=in_a_namespace)
    assert "this process's boot clock disagrees" in b.stderr, b.stderr
