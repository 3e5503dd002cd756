"""`graphc run` when an occurrence is worked on late: the occurrences a busy `--loop` skipped are logged `missed`,
and nothing is sent once the occurrence is past its catch-up, however long the look at the router took.

Audit reconcile17 findings 5 and 6. Against `graphc sandbox serve --ignore-idempotency-key` (a real server
process, real HTTP). No assertion is on a duration: the loop runs on a rehearsal clock (graphc.run.Clock) that
moves only when the test moves it, and a slow look at the router is a sandbox `slow` fault, which can only make
the request later than the deadline it is checked against.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

import graphc.run
from graphc.api.client import Client
from graphc.api.errors import NotSentInTime, PastCatchUp
from graphc.api.ledger import Ledger, Scope
from graphc.run import Clock, EventLog, Runner, RunSettings
from graphc.submit import submit_wire
from tests.conftest import REPO
from tests.sandbox_fixture import hedge_graph
from tests.test_run import events, named, write


@pytest.fixture
def sandbox(btc_router):
    return btc_router  # (sandbox_fixture: one such router per module, reset for each test)


def playbook_text(cron: str, catch_up: str) -> str:
    return f"""\
graphc: 1
name: late
schedule: {{cron: "{cron}", catch_up: {catch_up}}}
legs:
  a: {{buy: 0.001, symbol: BTC-USD, venue: coinbase, limit: 97000}}
"""


def order_posts(sandbox) -> list[dict]:
    return sandbox.requests("POST", "/v1/orders")


class BusyClock(Clock):
    """A rehearsal clock (it moves only by sleeping, and the sleeps take no real time) on which the first
    submission takes ``busy``: once the sandbox has received the first POST /v1/orders, the clock is moved on by
    that much, as a wall clock would have moved while a slow request held the loop up."""

    def __init__(self, start: datetime, sandbox, busy: timedelta):
        super().__init__(start, sleep=lambda seconds: None)
        self.sandbox, self.busy, self.moved = sandbox, busy, False

    def now(self) -> datetime:
        if not self.moved and order_posts(self.sandbox):
            self.moved = True
            self.sleep_until(super().now() + self.busy)
        return super().now()


def loop_until_submitted(sandbox, playbook, clock: Clock, submissions: int) -> list[dict]:
    stream = io.StringIO()
    env = sandbox.env()
    runner = Runner(
        RunSettings(playbook=str(playbook), settle_s=0), lambda: Client.from_env(env), clock=clock, log=EventLog(stream)
    )
    code = runner.loop(stop=lambda: stream.getvalue().count('"event": "submitted"') >= submissions)
    log = events(stream.getvalue())
    assert code == 0, log
    return log


def occurrences(log: list[dict]) -> list[tuple[str, str | None]]:
    return [(r["event"], r.get("occurrence")) for r in log if r["event"] in ("due", "submitted", "missed")]


# -- finding 5: the occurrences that came due while a submission was slow -------------------------------------------


def test_a_loop_held_up_by_a_slow_submission_logs_each_occurrence_it_skipped(sandbox, tmp_path):
    """*/5 with catch_up 1h: the 14:00 submission holds the loop up until 14:25, when 14:25 is the latest due.
    Spec §9 runs only the latest; 14:05 to 14:20 were never logged at all. Each is now `missed`, with why."""
    playbook = write(tmp_path, playbook_text("*/5 * * * *", "1h"))
    clock = BusyClock(datetime(2026, 1, 5, 14, 0, tzinfo=UTC), sandbox, timedelta(minutes=25, seconds=10))
    log = loop_until_submitted(sandbox, playbook, clock, 2)
    assert occurrences(log) == [
        ("due", "2026-01-05T14:00:00Z"),
        ("submitted", "2026-01-05T14:00:00Z"),
        ("missed", "2026-01-05T14:05:00Z"),
        ("missed", "2026-01-05T14:10:00Z"),
        ("missed", "2026-01-05T14:15:00Z"),
        ("missed", "2026-01-05T14:20:00Z"),
        ("due", "2026-01-05T14:25:00Z"),
        ("submitted", "2026-01-05T14:25:00Z"),
    ], log
    missed = named(log, "missed")
    assert [m["run_key"] for m in missed] == [f"late@2026-01-05T14:{m:02d}Z" for m in (5, 10, 15, 20)]
    for m in missed:
        assert "a newer occurrence (2026-01-05T14:25:00Z) came due" in m["reason"], m
        assert "only the latest due occurrence is run" in m["reason"], m
    assert len(order_posts(sandbox)) == 2  # the skipped ones were not sent


def test_many_skipped_occurrences_are_a_bounded_number_of_lines_then_one_with_the_count(sandbox, tmp_path):
    """Every minute, held up 25 minutes: 24 skipped occurrences are 10 lines (MAX_MISSED_LINES), then one line that
    counts the rest and names the first and the last of them."""
    playbook = write(tmp_path, playbook_text("* * * * *", "1h"))
    clock = BusyClock(datetime(2026, 1, 5, 14, 0, tzinfo=UTC), sandbox, timedelta(minutes=25, seconds=10))
    log = loop_until_submitted(sandbox, playbook, clock, 2)
    missed = named(log, "missed")
    assert len(missed) == 11 and graphc.run.MAX_MISSED_LINES == 10, missed
    assert [m["occurrence"] for m in missed[:-1]] == [f"2026-01-05T14:{m:02d}:00Z" for m in range(1, 11)]
    summary = missed[-1]
    assert "occurrence" not in summary and "run_key" not in summary, summary
    assert summary["count"] == 14 and summary["first"] == "2026-01-05T14:11:00Z", summary
    assert summary["last"] == "2026-01-05T14:24:00Z", summary
    assert "14 more occurrences" in summary["reason"] and "came due" in summary["reason"], summary
    assert [r["occurrence"] for r in named(log, "submitted")] == ["2026-01-05T14:00:00Z", "2026-01-05T14:25:00Z"]
    page = " ".join((REPO / "docs" / "recurring.md").read_text(encoding="utf-8").split())
    assert f"logs at most {graphc.run.MAX_MISSED_LINES} `missed` lines" in page
    assert f"(counted up to {graphc.run.MAX_MISSED_COUNTED})" in page


def test_the_count_of_skipped_occurrences_is_bounded_too(sandbox, tmp_path):
    """A wall clock that jumps 100 days under an every-minute cron: the count stops at MAX_MISSED_COUNTED."""
    playbook = write(tmp_path, playbook_text("* * * * *", "1h"))
    clock = BusyClock(datetime(2026, 1, 5, 14, 0, tzinfo=UTC), sandbox, timedelta(days=100, seconds=10))
    log = loop_until_submitted(sandbox, playbook, clock, 2)
    missed = named(log, "missed")
    assert len(missed) == 11 and graphc.run.MAX_MISSED_COUNTED == 100_000, missed[-1]
    assert missed[-1]["count"] == 100_000 and missed[-1]["reason"].startswith("at least 100000 more occurrences")
    assert [r["occurrence"] for r in named(log, "submitted")] == ["2026-01-05T14:00:00Z", "2026-04-15T14:00:00Z"]


def test_occurrences_past_their_catch_up_when_the_loop_is_free_again_are_missed_at_once(sandbox, tmp_path):
    """*/5 with catch_up 1m, held up until 14:23:30: nothing is due then (14:20 is 3m30s old), and the loop used to
    sleep until 14:25 without a word about 14:05 to 14:20. They are `missed` before that sleep, past catch-up."""
    playbook = write(tmp_path, playbook_text("*/5 * * * *", "1m"))
    clock = BusyClock(datetime(2026, 1, 5, 14, 0, tzinfo=UTC), sandbox, timedelta(minutes=23, seconds=30))
    log = loop_until_submitted(sandbox, playbook, clock, 2)
    kinds = [(r["event"], r.get("occurrence") or r.get("until")) for r in log if r["event"] != "quotes"]
    assert kinds[kinds.index(("submitted", "2026-01-05T14:00:00Z")) :] == [
        ("submitted", "2026-01-05T14:00:00Z"),
        ("missed", "2026-01-05T14:05:00Z"),
        ("missed", "2026-01-05T14:10:00Z"),
        ("missed", "2026-01-05T14:15:00Z"),
        ("missed", "2026-01-05T14:20:00Z"),
        ("sleep", "2026-01-05T14:25:00Z"),
        ("due", "2026-01-05T14:25:00Z"),
        ("submitted", "2026-01-05T14:25:00Z"),
        ("stopped", None),
    ], log
    for m in named(log, "missed"):
        assert "past its catch-up of 1m" in m["reason"], m


class OversleepingClock(Clock):
    """A rehearsal clock whose first sleep ends ``late`` after the time asked for (a machine asleep meanwhile)."""

    def __init__(self, start: datetime, late: timedelta):
        super().__init__(start, sleep=lambda seconds: None)
        self.late: timedelta | None = late

    def sleep_until(self, when: datetime) -> None:
        late, self.late = self.late, None
        super().sleep_until(when + (late or timedelta(0)))


def test_a_failing_occurrence_whose_retry_wakes_past_catch_up_is_missed_not_dropped(sandbox, tmp_path):
    """14:00 is refused (429) and its retry is due at 14:01, within catch_up 2m; the machine sleeps until 14:03:30.
    Nothing is due then, and the loop used to forget 14:00 without a `missed`."""
    playbook = write(tmp_path, playbook_text("*/5 * * * *", "2m"))
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_429", "count": 1}])
    stream = io.StringIO()
    env = sandbox.env()
    runner = Runner(
        RunSettings(playbook=str(playbook), settle_s=0, retry_s=60),
        lambda: Client.from_env(env),
        clock=OversleepingClock(datetime(2026, 1, 5, 14, 0, tzinfo=UTC), timedelta(minutes=2, seconds=30)),
        log=EventLog(stream),
    )
    assert runner.loop(stop=lambda: '"event": "submitted"' in stream.getvalue()) == 0
    log = events(stream.getvalue())
    assert occurrences(log) == [
        ("due", "2026-01-05T14:00:00Z"),
        ("missed", "2026-01-05T14:00:00Z"),
        ("due", "2026-01-05T14:05:00Z"),
        ("submitted", "2026-01-05T14:05:00Z"),
    ], log
    (missed,) = named(log, "missed")
    assert missed["run_key"] == "late@2026-01-05T14:00Z"
    assert "past its catch-up of 2m when it was to be tried again" in missed["reason"], missed


# -- finding 6: catch_up checked again at the last moment before the request leaves -------------------------------


def _runner_at_9s(playbook, env, stream) -> Runner:
    """A runner deciding 9 s past the 14:00 occurrence, no settle, its events into ``stream``."""
    return Runner(
        RunSettings(playbook=str(playbook), settle_s=0),
        lambda: Client.from_env(env),
        clock=Clock(datetime(2026, 1, 5, 14, 0, 9, tzinfo=UTC)),
        log=EventLog(stream),
    )


def test_nothing_is_sent_once_a_slow_look_at_the_router_took_the_occurrence_past_catch_up(sandbox, tmp_path):
    """catch_up 10s, decided at 9 s past the occurrence (so 1 s left), and the look at the router (GET /v1/orders)
    takes at least 2 s: the POST would leave past catch_up. Nothing is sent; the event and the ledger row say it
    was too late and that nothing was sent. `--once` exits 0, as for any missed occurrence."""
    playbook = write(tmp_path, playbook_text("* * * * *", "10s"))
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": 2}])
    stream = io.StringIO()
    env = sandbox.env()
    runner = _runner_at_9s(playbook, env, stream)
    code = runner.once()
    log = events(stream.getvalue())
    assert code == 0, log
    assert [r["event"] for r in log] == ["start", "due", "quotes", "missed"], log
    (missed,) = named(log, "missed")
    assert missed["run_key"] == "late@2026-01-05T14:00Z"
    assert "late when its request was about to leave" in missed["reason"], missed
    assert "past its catch-up of 10s: nothing was sent" in missed["reason"], missed
    assert sandbox.requests("GET", "/v1/orders"), "the look at the router was made"
    assert order_posts(sandbox) == [] and sandbox.graphs() == []
    with Client.from_env(env) as client:
        (row,) = runner.ledger.runs("late@2026-01-05T14:00Z", scope=Scope.of(client))
    assert row.state == "absent", row
    assert "too late" in (row.error or "") and "catch-up" in (row.error or ""), row
    assert "nothing was sent" in (row.error or ""), row


def test_within_catch_up_after_the_look_at_the_router_it_is_sent(sandbox, tmp_path):
    """The same slow look with catch_up 1h: well within it, the occurrence is sent as before."""
    playbook = write(tmp_path, playbook_text("* * * * *", "1h"))
    sandbox.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": 2}])
    stream = io.StringIO()
    env = sandbox.env()
    runner = _runner_at_9s(playbook, env, stream)
    assert runner.once() == 0
    (submitted,) = named(events(stream.getvalue()), "submitted")
    assert [g["graph_id"] for g in sandbox.graphs()] == [submitted["graph_id"]]


def test_the_library_sends_nothing_past_catch_up_until_and_records_why(sandbox, tmp_path):
    """submit_wire(catch_up_until=...) with that time already gone: not a byte is sent, the attempt is `absent` as
    too late in the ledger, and PastCatchUp (a NotSentInTime: nothing was sent) is raised. A later attempt of the
    run without that deadline is sent as usual."""
    graph = json.dumps(hedge_graph())
    gone = datetime.now(UTC) - timedelta(seconds=5)
    with Client(sandbox.base_url, "k") as client, Ledger(tmp_path / "ledger.sqlite") as ledger:
        with pytest.raises(PastCatchUp) as info:
            submit_wire(graph, "p", client=client, ledger=ledger, run_key="late-lib", catch_up_until=gone)
        assert isinstance(info.value, NotSentInTime) and info.value.late_s >= 5, info.value
        assert "was not sent, too late" in str(info.value) and "nothing was sent" in str(info.value)
        (row,) = ledger.runs("late-lib")
        assert row.state == "absent" and (row.error or "").startswith("too late: the request would have left"), row
        assert "after the end of its occurrence's catch-up" in (row.error or ""), row
        assert order_posts(sandbox) == []
        done = submit_wire(graph, "p", client=client, ledger=ledger, run_key="late-lib")
    assert [g["graph_id"] for g in sandbox.graphs()] == [done.graph_id]
