"""`graphc run` and a hand `graphc submit` of one occurrence see each other (audit conc21 1 and 5).

`graphc run` records its attempts in the project's ledger, the one a `graphc submit` of the playbook uses, so a hand
submission made while the runner's request is in flight (or after the runner was killed or stopped mid-request)
sees its `sent`/`uncertain` row and refuses, nothing sent; once the request has landed it says `already`, naming the
graph. A hand submission whose ledger never saw the occurrence (the runner is elsewhere: another checkout, a hosted
runner) first waits out the settle a runner's first start waits, then finds the runner's graph at the router. A
`graphc run` stopped mid-request says, as its last word, that its request may still land, and until when.

Against `graphc sandbox serve --ignore-idempotency-key` (a separate process, real HTTP), which like the router
reference has no idempotency of its own: a second graph for one occurrence would be in its graph list. Its `slow`
fault holds the runner's POST at the router for a few seconds, the time in which the audit's hand submission came.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ledger_holder import hold_ledger, release
from sandbox_fixture import cli_env, ledger_rows, posts, run_graphc, submitted_graphs, wait_for

from graphc.api.client import Client
from graphc.api.ledger import Ledger
from graphc.api.runtag import run_tag
from graphc.run import Clock, EventLog, RunSettings
from graphc.run import Runner as InProcessRunner
from graphc.submit import ledger_for

PLAYBOOK = """\
graphc: 1
name: mindca
schedule:
  cron: "* * * * *"
  catch_up: 10m
risk:
  max_notional: $50k
legs:
  dca: {buy: "$100", symbol: BTC-USD, venue: coinbase, urgency: low}
"""
NOW = "2026-01-05T14:00:05Z"  # a rehearsal clock: every process below decides the same occurrence
KEY = "mindca@2026-01-05T14:00Z"
HELD_S = 5  # how long the router holds the runner's POST before it creates the graph


@pytest.fixture
def router(btc_router):
    return btc_router  # (sandbox_fixture: one such router per module, reset for each test)


def project(root: Path, playbook: str = PLAYBOOK) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "dca.yaml").write_text(playbook)
    (root / "q.yaml").write_text("BTC-USD: {bid: 89990, ask: 90010}\n")
    return root


def hold_the_next_post(router, seconds: float = HELD_S) -> None:
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": seconds, "count": 1}])


class Runner:
    """A `graphc run` process (settle 0: nothing ran before it), its JSON lines read as they come."""

    def __init__(self, router, root: Path, mode: str, *extra: str, now: str = NOW):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "graphc", "run", "dca.yaml", mode, "--now", now, "--settle", "0"]
            + ["--quotes", "q.yaml", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(router),
            cwd=root,
        )
        self.log: list[dict] = []

    def wait_for(self, *names: str, timeout: float = 60, after: dict | None = None) -> dict:
        """The first event named one of ``names`` (logged after the event ``after``), reading lines until it comes."""
        deadline = time.monotonic() + timeout
        start = 0 if after is None else self.log.index(after) + 1
        while not [e for e in self.log[start:] if e["event"] in names]:
            assert time.monotonic() < deadline, f"no {names} within {timeout}s: {self.log}"
            line = self.proc.stdout.readline()
            assert line, f"run exited {self.proc.poll()}: {self.log}\n{self.proc.stderr.read()}"
            self.log.append(json.loads(line))
        return next(e for e in self.log[start:] if e["event"] in names)

    def exit_code(self, timeout: float = 30) -> int:
        """The code it exits with by itself; one still running after ``timeout`` is killed (-9), never left behind."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        return self.stop(signal.SIGKILL)  # a process that exited is sent nothing

    def stop(self, how: signal.Signals) -> int:
        self.proc.send_signal(how)
        code = self.proc.wait(timeout=30)
        self.log.extend(json.loads(line) for line in self.proc.stdout.read().splitlines())
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


def submit_by_hand(router, root: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_graphc(["submit", "dca.yaml", "--quotes", "q.yaml", "--now", NOW, *extra], cli_env(router), root)


def the_one_graph(router) -> str:
    wait_for(lambda: submitted_graphs(router), timeout=HELD_S + 20)  # the runner's request lands
    (graph,) = submitted_graphs(router)
    return graph["graph_id"]


def said(proc: subprocess.CompletedProcess) -> str:
    return " ".join(proc.stderr.split())


def already_traded(proc: subprocess.CompletedProcess, graph_id: str) -> bool:
    """The documented refusal of an occurrence that has its graph (docs/recurring.md, "By hand"): exit 2."""
    return proc.returncode == 2 and f"run {KEY!r} was already submitted as graph {graph_id}" in said(proc)


# -- 1a: the runner and the hand submission share the project's ledger -------------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM, None], ids=["killed", "terminated", "still-sending"])
def test_a_hand_submission_sees_the_runner_of_its_project_in_flight_and_sends_nothing(router, tmp_path, stop):
    """Audit conc21 1 (a), (b), (c): the runner's POST is held at the router when the person submits by hand, in
    the same project: the runner was SIGKILLed, stopped with SIGTERM, or is a loop still sending. The hand
    submission refuses (exit 3, nothing sent); after the runner's request landed, it says `already` (exit 2)."""
    root = project(tmp_path / "desk")
    hold_the_next_post(router)
    runner = Runner(router, root, "--once" if stop is not None else "--loop")
    wait_for(lambda: posts(router) == 1)  # the runner's request is at the router, which holds it
    if stop is not None:
        runner.stop(stop)

    hand = submit_by_hand(router, root)
    assert hand.returncode == 3, hand.stdout + hand.stderr
    assert "nothing was sent" in said(hand) or "is still uncertain" in said(hand), said(hand)
    assert posts(router) == 1  # the hand submission sent nothing

    graph_id = the_one_graph(router)
    if stop is None:
        assert runner.wait_for("submitted")["graph_id"] == graph_id
        runner.stop(signal.SIGTERM)
    again = submit_by_hand(router, root)
    assert already_traded(again, graph_id), again.stdout + again.stderr
    assert posts(router) == 1 and [g["graph_id"] for g in submitted_graphs(router)] == [graph_id]


def test_two_loops_of_one_playbook_in_one_project_make_one_graph(router, tmp_path):
    """Two `graphc run --loop` of one playbook in one project (audit conc21 1, last paragraph): the one that comes
    second sees the other's attempt in the project's ledger, sends nothing, and then finds its graph."""
    root = project(tmp_path / "desk")
    hold_the_next_post(router, 3)
    loops = [Runner(router, root, "--loop", "--retry", "1") for _ in range(2)]
    try:
        outcomes = [loop.wait_for("submitted", "already") for loop in loops]
    finally:
        for loop in loops:
            loop.stop(signal.SIGTERM)
    assert sorted(o["event"] for o in outcomes) == ["already", "submitted"], [loop.log for loop in loops]
    assert {o["graph_id"] for o in outcomes} == {g["graph_id"] for g in submitted_graphs(router)}
    assert posts(router) == 1


# -- 1b: a hand submission whose ledger never saw the occurrence settles first -------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM, None], ids=["killed", "terminated", "still-sending"])
def test_a_hand_submission_its_ledger_never_saw_settles_then_finds_the_runners_graph(router, tmp_path, stop):
    """The runner is elsewhere (another checkout of the playbook, with a ledger of its own): the hand submission
    cannot see its row, so it waits as a runner's first start waits (--settle), saying why and until when, then
    looks at the router, finds the runner's graph and says `already` (exit 2), nothing sent."""
    there, here = project(tmp_path / "runner"), project(tmp_path / "desk")
    hold_the_next_post(router)
    runner = Runner(router, there, "--once" if stop is not None else "--loop")
    wait_for(lambda: posts(router) == 1)
    if stop is not None:
        runner.stop(stop)

    hand = submit_by_hand(router, here, "--settle", str(HELD_S + 3))
    graph_id = the_one_graph(router)
    assert already_traded(hand, graph_id), hand.stdout + hand.stderr
    assert "waiting until " in said(hand) and f"before it sends run {KEY!r}" in said(hand), said(hand)
    assert "a request for it that another graphc sent" in said(hand), said(hand)
    assert posts(router) == 1 and len(submitted_graphs(router)) == 1
    if stop is None:
        runner.stop(signal.SIGTERM)


def test_a_hand_submission_its_ledger_never_saw_sends_once_settled_when_nothing_was_sent(router, tmp_path):
    """Nothing is in flight anywhere: after the settle (said on stderr) the look finds nothing, and it is sent."""
    root = project(tmp_path / "desk")
    hand = submit_by_hand(router, root, "--settle", "1")
    assert hand.returncode == 0, hand.stdout + hand.stderr
    assert f"run key {KEY})" in hand.stdout and "waiting until " in said(hand), said(hand)
    assert posts(router) == 1
    # a second one finds it in the project's ledger: no settle, no second graph
    again = submit_by_hand(router, root, "--settle", "60")
    assert already_traded(again, submitted_graphs(router)[0]["graph_id"]), again.stderr
    assert "waiting until " not in said(again) and posts(router) == 1


def test_a_settle_that_would_end_past_the_catch_up_refuses_at_once(router, tmp_path):
    """A settle that would end past the occurrence's catch-up is not waited out: refused (exit 2), nothing sent."""
    root = project(tmp_path / "desk")
    began = time.monotonic()
    hand = submit_by_hand(router, root, "--settle", "3600")  # catch_up is 10m
    assert hand.returncode == 2, hand.stdout + hand.stderr
    assert "past its catch-up of 10m" in said(hand) and "nothing was sent" in said(hand), said(hand)
    assert time.monotonic() - began < 30 and posts(router) == 0


def test_a_run_whose_project_ledger_cannot_be_used_stops_at_start_and_sends_nothing(router, tmp_path):
    """The project's ledger is refused by `graphc run` as by `graphc submit` (here `.graphc` is a symbolic link
    leading outside the project): an `error` event, exit 2, before the router is sent anything."""
    root = project(tmp_path / "desk")
    (tmp_path / "outside").mkdir()
    (root / ".graphc").symlink_to(tmp_path / "outside")
    proc = run_graphc(
        ["run", "dca.yaml", "--once", "--now", NOW, "--settle", "0", "--quotes", "q.yaml"], cli_env(router), root
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    (error,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert error["event"] == "error" and ".graphc" in error["message"], error
    assert error["message"].endswith("; nothing was sent"), error  # as submit says it (closing23's gap)
    assert posts(router) == 0 and not list((tmp_path / "outside").iterdir())


# -- ops22 3: the router created the graph, and the project's ledger could not record it -----------------------------


@pytest.mark.parametrize("mode", ["--once", "--loop"])
def test_a_graph_created_that_the_ledger_cannot_record_is_submitted_with_its_id_never_failed(router, tmp_path, mode):
    """Audit ops22 3: another process (a DB browser, a backup) holds the project's ledger while the runner's POST
    is in flight, so the graph the router created cannot be recorded (graphc waits 10 s). The event is `submitted`
    with the `graph_id` and `recorded: false`, its message saying the graph WAS CREATED and the command that records
    it: never `failed` ("nothing was created"), and a loop does not try it again."""
    root = project(tmp_path / "desk")
    hold_the_next_post(router, 3)
    runner = Runner(router, root, mode)
    wait_for(lambda: posts(router) == 1)
    holder = hold_ledger(root / ".graphc" / "ledger.sqlite")
    try:
        outcome = runner.wait_for("submitted", "failed", "already", timeout=60)
    finally:
        release(holder)
    code = runner.stop(signal.SIGTERM) if mode == "--loop" else runner.exit_code()
    graph_id = the_one_graph(router)
    assert outcome["event"] == "submitted" and outcome["graph_id"] == graph_id, runner.log
    assert outcome["recorded"] is False, outcome
    assert f"graph {graph_id} WAS CREATED for run {KEY!r}" in outcome["message"], outcome
    assert "graphc ledger --reconcile" in outcome["message"], outcome
    assert not [e for e in runner.log if e["event"] in ("failed", "retry", "already")], runner.log
    if mode == "--once":
        assert code == 3, runner.log
    else:  # the stop's last word names no request of it as uncertain: its graph is known. A SIGTERM that comes as
        # the `submitted` line is written (a loaded machine) has it said again after `stopped` (the test below)
        ending = [e["event"] for e in runner.log[runner.log.index(outcome) + 1 :]]
        assert code == 0 and ending in (["stopped"], ["stopped", "submitted"]), runner.log
        assert all({**e, "ts": 0} == {**outcome, "ts": 0} for e in runner.log if e["event"] == "submitted"), runner.log
    assert posts(router) == 1
    reconciled = run_graphc(["ledger", "--reconcile"], cli_env(router), root)
    assert reconciled.returncode == 0 and f"created graph {graph_id}" in reconciled.stdout, reconciled.stdout


class Interrupted(EventLog):
    """The run's log, which stops it (the KeyboardInterrupt SIGTERM raises in `graphc run`) at the event ``at``:
    right after its line is written (``written``), or as it is about to be."""

    def __init__(self, at: str, written: bool):
        super().__init__(io.StringIO())
        self.at, self.written = at, written

    def __call__(self, event: str, **fields) -> None:
        if event == self.at and not self.written:
            self.at = ""
            raise KeyboardInterrupt
        super().__call__(event, **fields)
        if event == self.at:
            self.at = ""
            raise KeyboardInterrupt

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


def locked_once_answered(router, root: Path, holders: list):
    """A client factory whose POST, once the router answered it, leaves the project's ledger held by another
    process (as the audit's DB browser held it while the request was in flight): the graph cannot be recorded."""

    def factory() -> Client:
        client = Client.from_env(cli_env(router))
        answer_of = client.submit_graph

        def submit_graph(*args, **kwargs):
            answer = answer_of(*args, **kwargs)
            holders.append(hold_ledger(root / ".graphc" / "ledger.sqlite"))
            return answer

        client.submit_graph = submit_graph  # type: ignore[method-assign]
        return client

    return factory


@pytest.mark.parametrize("written", [True, False], ids=["after-its-line", "before-its-line"])
def test_a_loop_stopped_as_it_names_a_graph_the_ledger_cannot_record_never_says_uncertain(
    router, tmp_path, monkeypatch, written
):
    """The stop of the test above, made exact (under load its SIGTERM came as the `submitted` line was written,
    and the last word was `uncertain`): SIGTERM right after the line is written, or right before, the ledger still
    held. The row stays `sent`, but the loop knows the graph: its stop never says the request "may have created a
    graph" (`uncertain`); `stopped` is followed by that `submitted` (graph id, `recorded: false`, the command that
    records it), so the id does not go with the process: said again when its line was written already."""
    root = project(tmp_path / "desk")
    monkeypatch.chdir(root)
    monkeypatch.setattr("graphc.api.ledger.BUSY_TIMEOUT_S", 0.5)  # not 10 s: the lock is held until the end
    holders: list = []
    log = Interrupted("submitted", written)
    with Ledger(ledger_for(root)) as ledger:
        runner = InProcessRunner(
            RunSettings(playbook="dca.yaml", quotes="q.yaml", settle_s=0),
            locked_once_answered(router, root, holders),
            clock=Clock(datetime(2026, 1, 5, 14, 0, 5, tzinfo=UTC), sleep=lambda seconds: None),
            log=log,
            ledger=ledger,
        )
        try:
            with pytest.raises(KeyboardInterrupt):
                runner.loop()
            runner.stopped("interrupted")  # as `graphc run` does on SIGTERM
        finally:
            for holder in holders:
                release(holder)
    events = log.lines()
    graph_id = the_one_graph(router)
    assert not [e for e in events if e["event"] in ("uncertain", "failed", "unresolved")], events
    said = ["submitted", "stopped", "submitted"] if written else ["stopped", "submitted"]
    assert [e["event"] for e in events[-len(said) :]] == said, events
    outcome, *again = [e for e in events if e["event"] == "submitted"]
    assert [{**e, "ts": 0} for e in again] == [{**outcome, "ts": 0}] * len(again), events
    assert outcome["graph_id"] == graph_id and outcome["recorded"] is False, outcome
    assert f"graph {graph_id} WAS CREATED for run {KEY!r}" in outcome["message"], outcome
    assert "graphc ledger --reconcile" in outcome["message"], outcome
    (row,) = ledger_rows(cli_env(router), root)
    assert row["state"] == "sent" and posts(router) == 1, row


def test_a_loop_stopped_while_it_waits_to_record_the_graph_created_names_it_never_uncertain(
    router, tmp_path, monkeypatch
):
    """SIGTERM while the loop waits for the held ledger to record the graph the router answered with (the audit's
    10 s): the row stays `sent`, and the stop's last word is `submitted` with the graph id, `recorded: false`, the
    message saying it WAS CREATED and the command that records it; never `uncertain` ("may have created a graph")."""
    root = project(tmp_path / "desk")
    monkeypatch.chdir(root)

    def interrupted(*args, **kwargs):  # SIGTERM raises KeyboardInterrupt as the wait for the lock ends
        raise KeyboardInterrupt

    monkeypatch.setattr(Ledger, "record_confirmed", interrupted)
    log = Interrupted("", written=True)
    with Ledger(ledger_for(root)) as ledger:
        runner = InProcessRunner(
            RunSettings(playbook="dca.yaml", quotes="q.yaml", settle_s=0),
            lambda: Client.from_env(cli_env(router)),
            clock=Clock(datetime(2026, 1, 5, 14, 0, 5, tzinfo=UTC), sleep=lambda seconds: None),
            log=log,
            ledger=ledger,
        )
        with pytest.raises(KeyboardInterrupt):
            runner.loop()
        runner.stopped("interrupted")
    events = log.lines()
    graph_id = the_one_graph(router)
    assert [e["event"] for e in events[-2:]] == ["stopped", "submitted"], events
    last = events[-1]
    assert last["graph_id"] == graph_id and last["recorded"] is False and last["live"] is not True, last
    assert last["message"].startswith("interrupted after the router answered: "), last
    assert f"graph {graph_id} WAS CREATED for run {KEY!r}" in last["message"], last
    assert "graphc ledger --reconcile" in last["message"], last
    assert not [e for e in events if e["event"] in ("uncertain", "failed")], events
    (row,) = ledger_rows(cli_env(router), root)
    assert row["state"] == "sent" and posts(router) == 1, row


# -- ops22 4: the project's ledger deleted or replaced while a loop runs -----------------------------------------------


def delete_ledger(root: Path, how: str) -> None:
    if how == "rm -rf .graphc":  # `git clean -fdx` does the same
        shutil.rmtree(root / ".graphc")
    else:
        for path in (root / ".graphc").glob("ledger.sqlite*"):
            path.unlink()


@pytest.mark.parametrize("how", ["rm -rf .graphc", "rm .graphc/ledger.sqlite*"])
def test_a_loop_whose_ledger_is_deleted_stops_with_an_error_that_says_so_and_sends_nothing(router, tmp_path, how):
    """Audit ops22 4: the ledger deleted while the loop sleeps before an occurrence. At the occurrence the loop finds
    its ledger gone: an `error` that names it, says it was deleted or replaced while the loop ran and to restart the
    loop, exit 2 (a supervisor restarts it); nothing is sent, and no new ledger is opened in its place."""
    root = project(tmp_path / "desk", DAILY)
    runner = Runner(router, root, "--loop", now="2026-01-05T13:59:57Z")
    runner.wait_for("sleep")
    delete_ledger(root, how)
    error = runner.wait_for("error", "failed", "submitted", timeout=60)
    assert runner.exit_code() == 2, runner.log
    ledger = root / ".graphc" / "ledger.sqlite"
    assert error["event"] == "error", runner.log
    message = error["message"]
    assert f"the ledger {ledger} was deleted or replaced while the loop ran" in message, message
    assert "Restart the loop" in message and "No attempt of this loop is unsettled" in message, message
    assert posts(router) == 0 and not ledger.exists()


def test_a_loop_whose_ledger_is_deleted_names_its_own_attempts_that_may_still_land(router, tmp_path):
    """The same while an attempt of the loop is unsettled (its POST answered 500, tried again after --retry): the
    `error` lists it with its tag and until when it may land, since the ledger that held it is gone."""
    root = project(tmp_path / "desk")
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "count": 1}])
    runner = Runner(router, root, "--loop", "--retry", "3")
    runner.wait_for("retry")
    (row,) = ledger_rows(cli_env(router), root)
    delete_ledger(root, "rm .graphc/ledger.sqlite*")
    error = runner.wait_for("error", "failed", "submitted", timeout=60)
    assert runner.exit_code() == 2, runner.log
    assert error["event"] == "error", runner.log
    message = error["message"]
    assert "was deleted or replaced while the loop ran" in message, message
    said = f"ledger run 1 of run {KEY!r} (tag {run_tag(KEY)}, state uncertain): its request may still reach the router until"
    assert f"{said} {row['lands_by']}" in message, message
    assert posts(router) == 1


# -- ops22 5: another graphc's request is its own, not the runner's ---------------------------------------------------


def test_a_loop_says_the_request_in_flight_is_another_graphcs_and_its_stop_does_not_claim_it(router, tmp_path):
    """Audit ops22 5: a hand `graphc submit` of the occurrence is in flight (the same router URL and key) while the
    loop tries it. Each try's `uncertain` says that request is another graphc's (its ledger run, sent by another
    process) and that the loop waits for it; a stop meanwhile has no last word about it: it is not the loop's."""
    root = project(tmp_path / "desk")
    hold_the_next_post(router, 8)
    hand = subprocess.Popen(
        [sys.executable, "-m", "graphc", "submit", "dca.yaml", "--quotes", "q.yaml", "--now", NOW, "--settle", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(router),
        cwd=root,
    )
    try:
        wait_for(lambda: posts(router) == 1)
        runner = Runner(router, root, "--loop", "--retry", "1")
        runner.wait_for("retry")
        assert runner.stop(signal.SIGTERM) == 0
    finally:
        out, err = hand.communicate(timeout=60)
    assert hand.returncode == 0, out + err
    tries = [e for e in runner.log if e["event"] == "uncertain"]
    assert tries and runner.log[-1]["event"] == "stopped", runner.log
    theirs = "is another graphc's request of this run (ledger run 1, sent by another process with this router URL"
    for attempt in tries:
        assert theirs in attempt["message"] and "not this loop's" in attempt["message"], attempt
        assert "This loop waits for it" in attempt["message"], attempt
    assert posts(router) == 1


def test_a_loop_that_found_another_scopes_graph_ends_without_a_word_about_that_request(router, tmp_path):
    """Audit ops22 5, the `xs` case: a hand submission to `localhost` whose answer was a 500 after the router created
    the graph (its row `uncertain`); the loop on `127.0.0.1` finds the graph (`already`), and its stop no longer
    says that a request of the occurrence (the hand submission's ledger run) may still land."""
    root = project(tmp_path / "desk", DAILY.replace("catch_up: 3s", "catch_up: 10m"))
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "apply": True, "count": 1}])
    localhost = router.base_url.replace("127.0.0.1", "localhost")
    hand = run_graphc(
        ["submit", "dca.yaml", "--quotes", "q.yaml", "--now", "2026-01-05T14:00:01Z", "--settle", "0"],
        cli_env(router, SEQUENCE_API_URL=localhost),
        root,
    )
    assert hand.returncode == 3 and "recorded as uncertain" in hand.stderr, hand.stderr
    runner = Runner(router, root, "--loop", "--retry", "1", now="2026-01-05T14:00:02Z")
    already = runner.wait_for("already", "uncertain", "missed")
    runner.wait_for("sleep", after=already)  # done with it: it sleeps until the next occurrence
    assert runner.stop(signal.SIGTERM) == 0
    (graph,) = submitted_graphs(router)
    assert already["event"] == "already" and already["graph_id"] == graph["graph_id"], runner.log
    assert runner.log[-1]["event"] == "stopped", runner.log
    assert posts(router) == 1


# -- 5: a run stopped mid-request says that its request may still land ----------------------------------------------


@pytest.mark.parametrize(
    ("mode", "how", "code"),
    [
        ("--once", signal.SIGTERM, 130),
        ("--once", signal.SIGINT, 130),
        ("--loop", signal.SIGTERM, 0),
        ("--loop", signal.SIGINT, 0),
    ],
)
def test_a_run_stopped_mid_request_says_its_request_may_still_land(router, tmp_path, mode, how, code):
    """Audit conc21 5: a run stopped by SIGTERM or Ctrl-C while its POST is in flight logs `uncertain` as its last
    word, with the run key, the tag, `lands_by` and what to do: not `stopped` alone."""
    root = project(tmp_path / "desk")
    hold_the_next_post(router)
    runner = Runner(router, root, mode)
    wait_for(lambda: posts(router) == 1)
    assert runner.stop(how) == code, runner.log
    events = [e["event"] for e in runner.log]
    assert events[-2:] == ["stopped", "uncertain"], runner.log
    last = runner.log[-1]
    assert last["run_key"] == KEY and last["tag"] == run_tag(KEY) and last["occurrence"] == "2026-01-05T14:00:00Z"
    lands_by = last["lands_by"]
    message = last["message"]
    assert f"may still reach the router until {lands_by}" in message, message
    assert f"do not submit it by hand before {lands_by}" in message, message
    assert "graphc ledger --reconcile" in message, message
    graph_id = the_one_graph(router)
    assert posts(router) == 1 and graph_id


def test_a_hosted_run_stopped_mid_request_says_so_and_names_no_ledger(router, tmp_path):
    """A bundle's `main.py` (graphc.hosted) keeps its record in memory: stopped by the runner's SIGTERM mid-request,
    its last word is `uncertain` too, with how to look at the router, and no ledger command (it wrote none)."""
    bundle = project(tmp_path / "bundle")
    hold_the_next_post(router)
    env = {
        **cli_env(router),
        "GRAPHC_PLAYBOOK": "dca.yaml",
        "GRAPHC_QUOTES": "q.yaml",
        "GRAPHC_ONCE": "1",
        "GRAPHC_NOW": NOW,
        "GRAPHC_SETTLE": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from graphc.hosted import main; sys.exit(main(sys.argv[1]))", bundle],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    wait_for(lambda: posts(router) == 1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, out + err
    log = [json.loads(line) for line in out.splitlines()]
    assert [e["event"] for e in log][-2:] == ["stopped", "uncertain"], log
    last = log[-1]
    assert last["run_key"] == KEY and last["tag"] == run_tag(KEY) and "ledger_run" not in last, last
    assert f"do not submit it by hand before {last['lands_by']}" in last["message"], last
    assert f"orders whose node ids end in `.{run_tag(KEY)}`" in last["message"], last
    assert "graphc ledger" not in last["message"] and not (bundle / ".graphc").exists(), last
    the_one_graph(router)


# -- ops22 1: the occurrence's only unsettled attempt is another scope's (another URL spelling or API key) ----------

DAILY = PLAYBOOK.replace('cron: "* * * * *"', 'cron: "0 14 * * *"').replace("catch_up: 10m", "catch_up: 3s")
LANDS_IN_S = 7  # the router holds the hand submission's POST this long, past the loop's catch-up, then creates it


def submit_elsewhere(router, root: Path, margin_s: int = LANDS_IN_S + 2) -> str:
    """A hand `graphc submit` of the occurrence to `localhost` (the runner's router is `127.0.0.1`: one router and
    account, another scope of the shared ledger), stopped with Ctrl-C while the router holds its POST: its row is
    `uncertain` until its landing margin has passed, and its graph lands after LANDS_IN_S. Returns the localhost URL."""
    localhost = router.base_url.replace("127.0.0.1", "localhost")
    hold_the_next_post(router, LANDS_IN_S)
    env = cli_env(router, SEQUENCE_API_URL=localhost, GRAPHC_LANDING_MARGIN=str(margin_s))
    hand = subprocess.Popen(
        [sys.executable, "-m", "graphc", "submit", "dca.yaml", "--quotes", "q.yaml", "--now", "2026-01-05T14:00:01Z"]
        + ["--settle", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    wait_for(lambda: posts(router) == 1)
    hand.send_signal(signal.SIGINT)
    _, err = hand.communicate(timeout=30)
    assert hand.returncode == 130 and "recorded as uncertain" in err, err
    return localhost


def test_a_loop_looks_at_the_router_for_another_scopes_attempt_and_never_says_missed_unproven(router, tmp_path):
    """Audit ops22 1, shortened: a hand submission to `localhost` whose request the router holds past the loop's
    catch-up, and a loop on `127.0.0.1` sharing the project's ledger. The loop never sends (the other scope's attempt
    is unsettled); once that request can no longer land it looks for the run's tag at the router, finds the graph
    and says `already` with its id, recorded in its own scope: never `missed` ("created no graph") unlooked."""
    root = project(tmp_path / "desk", DAILY)
    localhost = submit_elsewhere(router, root)
    runner = Runner(router, root, "--loop", "--retry", "1", now="2026-01-05T14:00:01Z")
    outcome = runner.wait_for("already", "missed", timeout=60)
    runner.wait_for("sleep", after=outcome)  # done with it: it sleeps until the next occurrence
    runner.stop(signal.SIGTERM)
    graph_id = the_one_graph(router)
    assert outcome["event"] == "already" and outcome["graph_id"] == graph_id, runner.log
    assert f"found at the router by its run tag {run_tag(KEY)}" in outcome["message"], outcome
    assert f"another graphc's request of this run (ledger run 1, sent to {localhost})" in outcome["message"], outcome
    # within the catch-up each try looked, and named the other scope's attempt and the command that settles it, as
    # another graphc's that this loop waits for (ops22 5); the stop after `already` names no request of it
    tries = [e for e in runner.log if e["event"] == "uncertain"]
    assert tries and runner.log[-1]["event"] == "stopped", runner.log
    theirs = f"is another graphc's request of this run (ledger run 1, sent to {localhost}), not this loop's"
    for attempt in tries:
        assert f"`SEQUENCE_API_URL={localhost} graphc ledger --reconcile`" in attempt["message"], attempt
        assert theirs in attempt["message"] and "This loop waits for it" in attempt["message"], attempt
    assert not [e for e in runner.log if e["event"] == "missed"], runner.log
    assert posts(router) == 1
    rows = ledger_rows(cli_env(router), root)
    assert [(r["endpoint"], r["state"], r["graph_id"]) for r in rows if r["endpoint"] == router.base_url] == [
        (router.base_url, "confirmed", graph_id)
    ], rows


def test_a_loop_that_cannot_read_the_router_for_another_scopes_attempt_says_unresolved_naming_it(router, tmp_path):
    """The same, but the router's order list fails when the loop looks: `unresolved`, naming the other scope's
    attempt and the command that reconciles it there, and the loop looks again; never `missed`."""
    root = project(tmp_path / "desk", DAILY)
    localhost = submit_elsewhere(router, root)
    runner = Runner(router, root, "--loop", "--retry", "1", now="2026-01-05T14:00:01Z")
    runner.wait_for("sleep")  # given up within its catch-up: it sleeps until that request can no longer land
    router.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "count": 10_000}])
    unresolved = runner.wait_for("unresolved", "missed", "already", timeout=90)
    runner.stop(signal.SIGTERM)
    assert unresolved["event"] == "unresolved" and "again_at" in unresolved, runner.log
    message = unresolved["message"]
    assert "the look at the router for its tag could not finish" in message, message
    assert "ledger run 1 is another graphc's attempt of this run (state uncertain" in message, message
    assert f"`SEQUENCE_API_URL={localhost} graphc ledger --reconcile`" in message, message
    assert not [e for e in runner.log if e["event"] == "missed"] and posts(router) == 1


def test_another_scopes_attempt_proved_absent_at_the_router_is_missed_with_the_proof(router, tmp_path):
    """The other scope's request created nothing (the router answered 500 without applying it, so its row is
    `uncertain`): once it can no longer land, a complete look at the router proves it, and the loop says `missed`
    with that proof."""
    root = project(tmp_path / "desk", DAILY)
    localhost = router.base_url.replace("127.0.0.1", "localhost")
    router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "count": 1}])
    hand = run_graphc(
        ["submit", "dca.yaml", "--quotes", "q.yaml", "--now", "2026-01-05T14:00:01Z", "--settle", "0"],
        cli_env(router, SEQUENCE_API_URL=localhost, GRAPHC_LANDING_MARGIN="4"),
        root,
    )
    assert hand.returncode == 3 and "recorded as uncertain" in hand.stderr, hand.stderr
    runner = Runner(router, root, "--loop", "--retry", "1", now="2026-01-05T14:00:01Z")
    missed = runner.wait_for("missed", "already", "unresolved", timeout=60)
    runner.stop(signal.SIGTERM)
    assert missed["event"] == "missed", runner.log
    reason = missed["reason"]
    assert f"its request created no graph: no order at the router carries tag {run_tag(KEY)} (read all" in reason
    assert f"another graphc's request of this run (ledger run 1, sent to {localhost}) could no longer reach it" in (
        reason
    ), reason
    assert submitted_graphs(router) == [] and posts(router) == 1
