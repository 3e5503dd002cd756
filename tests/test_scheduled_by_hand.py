"""A scheduled playbook planned or submitted by hand is its due occurrence (audit cmds16 3).

`graphc plan` and `graphc submit` of a playbook with a `schedule:` use the run
key of the occurrence due at `--now` (or the clock), the one `graphc run`
uses, so a hand submission (the cron host was down) and the runner find each
other's graph: one graph per occurrence, whichever submits first. Nothing due
is refused (exit 2) unless the submission names its own `--run-key`.

Against `graphc sandbox serve --ignore-idempotency-key` (a separate process,
real HTTP), which like the router reference has no idempotency of its own: a
second graph for one occurrence would be in its graph list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sandbox_fixture import REPO, cli_env, ledger_rows, posts, run_graphc, submitted_graphs

DCA = REPO / "examples" / "btc-weekly-dca.yaml"
QUOTES = REPO / "examples" / "quotes.yaml"
KEY = "btc-weekly-dca@2026-01-05T14:00Z"  # Monday 5 January 2026, 14:00 in London (GMT: 14:00Z)
# A hand submission of an occurrence its ledger never saw first waits out a request another graphc may have sent for it
# (the settle, audit conc21 1): no process sent these occurrences to the router each test starts afresh.
NO_SETTLE = ("--settle", "0")


@pytest.fixture
def router(btc_router):
    return btc_router  # (sandbox_fixture: one such router per module, reset for each test)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    for source in (DCA, QUOTES):
        (root / source.name).write_text(source.read_text())
    return root


def graphc(router, project: Path, *args):
    return run_graphc(args, cli_env(router), project)


def run_once(router, project: Path, now: str) -> list[dict]:
    proc = graphc(router, project, "run", DCA.name, "--once", "--now", now, "--settle", "0", "--quotes", QUOTES.name)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_a_hand_submission_then_run_once_for_the_same_occurrence_makes_one_graph(router, project):
    # the audit's sequence: submitted by hand at the occurrence, then the runner twenty minutes later
    hand = graphc(
        router, project, "submit", DCA.name, "--quotes", QUOTES.name, "--now", "2026-01-05T14:00:00Z", *NO_SETTLE
    )
    assert hand.returncode == 0, hand.stderr
    assert f"run key {KEY})" in hand.stdout
    assert "its occurrence of Mon 2026-01-05 14:00 GMT (2026-01-05T14:00Z)" in hand.stderr
    (graph,) = submitted_graphs(router)

    log = run_once(router, project, "2026-01-05T14:20:00Z")
    (already,) = [e for e in log if e["event"] == "already"]
    assert already["run_key"] == KEY and already["graph_id"] == graph["graph_id"]
    assert "warning" not in already  # the same trade: the hand submission rendered the occurrence as run does
    assert not [e for e in log if e["event"] == "submitted"]
    assert [g["graph_id"] for g in submitted_graphs(router)] == [graph["graph_id"]]
    assert posts(router) == 1


def test_run_once_then_a_hand_submission_for_the_same_occurrence_is_refused(router, project):
    log = run_once(router, project, "2026-01-05T14:05:00Z")
    (submitted,) = [e for e in log if e["event"] == "submitted"]
    assert submitted["run_key"] == KEY

    # the project's ledger, where the runner recorded it (audit conc21 1), names the runner's graph
    hand = graphc(router, project, "submit", DCA.name, "--quotes", QUOTES.name, "--now", "2026-01-05T15:30:00Z")
    assert hand.returncode == 2, hand.stdout + hand.stderr
    assert f"run {KEY!r} was already submitted as graph {submitted['graph_id']}" in hand.stderr
    assert len(submitted_graphs(router)) == 1 and posts(router) == 1
    # the hint does not invite the double trade the schedule exists to prevent (audit sched20 6): it says that the
    # occurrence traded, and what --force would do
    said = " ".join(hand.stderr.split())
    assert "use --force to submit it again on purpose" not in said, said
    assert (
        "its occurrence of Mon 2026-01-05 14:00 GMT (2026-01-05T14:00Z) already traded as graph "
        f"{submitted['graph_id']} (`graphc status {submitted['graph_id']}` shows it); --force would trade this "
        "occurrence a second time"
    ) in said, said

    # spec §9: "the second run finds the first ... and exits 0": a second `graphc run --once` of the occurrence
    log = run_once(router, project, "2026-01-05T15:40:00Z")
    (already,) = [e for e in log if e["event"] == "already"]
    assert already["graph_id"] == submitted["graph_id"] and posts(router) == 1


def test_plan_shows_the_schedule_and_the_occurrence_run_key(router, project):
    proc = graphc(router, project, "plan", DCA.name, "--quotes", QUOTES.name, "--now", "2026-01-05T15:30:00Z")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "schedule: cron '0 14 * * MON' in Europe/London (an occurrence may run up to 2h late)" in lines
    assert (
        "occurrence: Mon 2026-01-05 14:00 GMT (2026-01-05T14:00Z): due, 1h 30m ago (now is 2026-01-05T15:30Z)" in lines
    )
    assert f"run key: {KEY} (the occurrence's: `graphc run` uses the same, so it is submitted once)" in lines


def test_a_saved_plan_of_an_occurrence_is_that_occurrence(router, project):
    saved = graphc(
        router, project, "plan", DCA.name, "--quotes", QUOTES.name, "--now", "2026-01-05T14:10:00Z", "-o", "p.json"
    )
    assert saved.returncode == 0, saved.stderr
    document = json.loads((project / "p.json").read_text())
    assert document["run_key"] == KEY and document["occurrence"] == "2026-01-05T14:00:00Z"
    shown = graphc(router, project, "plan", "p.json")
    assert shown.returncode == 0, shown.stderr
    assert "occurrence: 2026-01-05T14:00Z" in shown.stdout and f"run key: {KEY} " in shown.stdout

    hand = graphc(router, project, "submit", "p.json", *NO_SETTLE)
    assert hand.returncode == 0, hand.stderr
    assert f"run key {KEY})" in hand.stdout
    log = run_once(router, project, "2026-01-05T14:30:00Z")
    assert [e["event"] for e in log if e["event"] in ("submitted", "already")] == ["already"]
    assert len(submitted_graphs(router)) == 1


@pytest.mark.parametrize("command", ["plan", "submit"])
def test_nothing_due_is_refused_with_the_ways_out(router, project, command):
    # Wednesday: Monday's occurrence is 1d 20h old, past its catch_up of 2h
    proc = graphc(router, project, command, DCA.name, "--quotes", QUOTES.name, "--now", "2026-01-07T10:00:00Z")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    said = " ".join(proc.stderr.split())
    assert (
        "btc-weekly-dca.yaml has a `schedule:` and no occurrence of it is due at 2026-01-07T10:00Z: the latest, "
        "Mon 2026-01-05 14:00 GMT (2026-01-05T14:00Z), is 1d 20h old, past its catch-up of 2h; the next is "
        "Mon 2026-01-12 14:00 GMT (2026-01-12T14:00Z)" in said
    )
    assert "`graphc run` submits each occurrence when it is due" in said
    assert "--run-key KEY" in said
    assert posts(router) == 0 and not submitted_graphs(router)


def test_an_explicit_run_key_submits_outside_the_schedule(router, project):
    args = ("--quotes", QUOTES.name, "--now", "2026-01-07T10:00:00Z", "--run-key", "dca-extra-1")
    planned = graphc(router, project, "plan", DCA.name, *args)
    assert planned.returncode == 0, planned.stderr
    assert "run key: dca-extra-1" in planned.stdout and "occurrence:" not in planned.stdout
    hand = graphc(router, project, "submit", DCA.name, *args)
    assert hand.returncode == 0, hand.stderr
    assert "run key dca-extra-1)" in hand.stdout
    assert len(submitted_graphs(router)) == 1


def test_an_empty_run_key_is_the_default_one(router, project):
    args = ("--quotes", QUOTES.name, "--now", "2026-01-05T14:10:00Z", "--run-key", "")
    planned = graphc(router, project, "plan", DCA.name, *args)
    assert planned.returncode == 0, planned.stderr
    assert f"run key: {KEY} " in planned.stdout


def test_on_the_wall_clock_the_plan_says_how_long_ago_in_whole_seconds(router, project):
    (project / "every.yaml").write_text(
        'graphc: 1\nname: every\nschedule: {cron: "* * * * *", catch_up: 10m}\n'
        "legs:\n  a: {buy: 0.001, symbol: BTC-USD, limit: 97000}\n"
    )
    planned = graphc(router, project, "plan", "every.yaml")
    assert planned.returncode == 0, planned.stderr
    (line,) = [line for line in planned.stdout.splitlines() if line.startswith("occurrence: ")]
    assert re.search(r": due, (\d+m )?\d+s ago \(now is \S+Z\)$", line), line


# -- catch-up holds until the request leaves, by hand too (docs/recurring.md, "Late") ---------------------------------

LATE_KEY = "late@2026-01-05T14:00Z"
NINE_S_LATE = "2026-01-05T14:00:09Z"  # decided 9 s past the 14:00 occurrence


def write_late(project: Path, catch_up: str) -> str:
    (project / "late.yaml").write_text(
        f'graphc: 1\nname: late\nschedule: {{cron: "* * * * *", catch_up: {catch_up}}}\n'
        "legs:\n  a: {buy: 0.001, symbol: BTC-USD, venue: coinbase, limit: 97000}\n"
    )
    return "late.yaml"


def slow_look(router, seconds: float = 2) -> None:
    """The look at the router (GET /v1/orders) takes at least ``seconds``: longer than 1 s of catch-up left."""
    router.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": seconds}])


def assert_too_late_and_nothing_sent(router, project: Path, proc) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    said = " ".join(proc.stderr.split())
    assert f"graphc: refused: run {LATE_KEY!r} (ledger run 1) was not sent, too late" in said, said
    assert "after the end of its occurrence's catch-up" in said and "nothing was sent" in said, said
    assert "--run-key KEY" in said, said  # the way to trade it anyway, on purpose
    assert "Traceback" not in proc.stderr and "submitted" not in proc.stdout
    assert router.requests("GET", "/v1/orders"), "the look at the router was made"
    assert posts(router) == 0 and not submitted_graphs(router)
    (row,) = ledger_rows(cli_env(router), project)
    assert row["run_key"] == LATE_KEY and row["state"] == "absent", row
    assert (row["error"] or "").startswith("too late: the request would have left"), row


def test_a_hand_submission_whose_look_at_the_router_outlasts_its_catch_up_sends_nothing(router, project):
    """catch_up 10s, decided at 9 s past the occurrence (1 s left), and the look at the router takes 2 s: the POST
    would leave past catch_up, as in `graphc run` (test_run_late). Nothing is sent; exit 2, as for nothing due."""
    playbook = write_late(project, "10s")
    slow_look(router)
    proc = graphc(router, project, "submit", playbook, "--quotes", QUOTES.name, "--now", NINE_S_LATE, *NO_SETTLE)
    assert_too_late_and_nothing_sent(router, project, proc)


def test_a_hand_submission_within_catch_up_after_a_slow_look_is_sent(router, project):
    playbook = write_late(project, "1h")
    slow_look(router)
    proc = graphc(router, project, "submit", playbook, "--quotes", QUOTES.name, "--now", NINE_S_LATE, *NO_SETTLE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"run key {LATE_KEY})" in proc.stdout
    assert posts(router) == 1 and len(submitted_graphs(router)) == 1


def test_a_run_key_of_ones_own_has_no_catch_up(router, project):
    """--run-key submits outside the schedule on purpose: no occurrence, so no catch-up to hold it to."""
    playbook = write_late(project, "10s")
    slow_look(router)
    args = ("--quotes", QUOTES.name, "--now", NINE_S_LATE, "--run-key", "late-extra")
    proc = graphc(router, project, "submit", playbook, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "run key late-extra)" in proc.stdout
    assert posts(router) == 1 and len(submitted_graphs(router)) == 1


def test_a_saved_plan_of_an_occurrence_keeps_its_catch_up(router, project):
    """The plan records when its occurrence's catch-up ends (real time); `graphc submit PLAN` holds it as a
    playbook's submission does: past it when the request is about to leave, nothing is sent."""
    playbook = write_late(project, "10s")
    saved = graphc(router, project, "plan", playbook, "--quotes", QUOTES.name, "--now", NINE_S_LATE, "-o", "p.json")
    assert saved.returncode == 0, saved.stderr
    document = json.loads((project / "p.json").read_text())
    assert document["occurrence"] == "2026-01-05T14:00:00Z" and document["catch_up_until"], document
    resaved = graphc(router, project, "plan", "p.json", "-o", "again.json")  # the same plan saved again keeps it
    assert resaved.returncode == 0, resaved.stderr
    assert json.loads((project / "again.json").read_text())["catch_up_until"] == document["catch_up_until"]
    own = graphc(router, project, "plan", "p.json", "--run-key", "late-extra", "-o", "own.json")
    assert own.returncode == 0, own.stderr
    assert "catch_up_until" not in json.loads((project / "own.json").read_text())  # a run of its own: none
    slow_look(router)
    assert_too_late_and_nothing_sent(router, project, graphc(router, project, "submit", "p.json", *NO_SETTLE))
