"""`graphc run`: each occurrence of a schedule is submitted once, found at the router on every re-run.

Against `graphc sandbox serve --ignore-idempotency-key` (a real server process,
real HTTP) which, like the router reference, offers no idempotency: a second
graph for one occurrence would show up in its graph list. Occurrence times are
worked out by hand (see tests/test_schedule.py for the 2026 clock changes).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphc.api.client import Client
from graphc.api.ledger import CLOCK_SKEW_S
from graphc.run import Clock, EventLog, Runner, RunSettings
from graphc.submit import DEFAULT_LOOKBACK_S, occurrence_window_ns

REPO = Path(__file__).resolve().parent.parent

DCA = """\
graphc: 1
name: dca
schedule:
  cron: "0 14 * * MON"
  timezone: Europe/London
  catch_up: 2h
legs:
  buy:
    buy: $500
    symbol: BTC-USD
    venue: coinbase
    limit: ask + 1 tick
"""


@pytest.fixture
def sandbox(btc_router):
    return btc_router  # (sandbox_fixture: one such router per module, reset for each test)


def run(sandbox, playbook: Path, *args, env=None, timeout=120) -> tuple[int, list[dict], str]:
    """`graphc run PLAYBOOK ARGS` (with `--settle 0`: nothing crashed before these runs)."""
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(playbook), "--settle", "0", *args],
        capture_output=True,
        text=True,
        env=sandbox.env(**(env or {})),
        cwd=playbook.parent,
        timeout=timeout,
    )
    return proc.returncode, events(proc.stdout), proc.stderr


def events(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        record = json.loads(line)  # every line is one JSON object
        assert {"ts", "event"} <= set(record), record
        out.append(record)
    return out


def named(records: list[dict], event: str) -> list[dict]:
    return [r for r in records if r["event"] == event]


def write(tmp_path: Path, text: str = DCA, name: str = "dca.yaml") -> Path:
    (tmp_path / ".git").mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    path.write_text(text)
    return path


def test_once_submits_the_due_occurrence_once_and_a_rerun_finds_it(sandbox, tmp_path):
    playbook = write(tmp_path)
    code, log, err = run(sandbox, playbook, "--once", "--now", "2026-01-05T14:20:00Z")
    assert code == 0, err + json.dumps(log)
    (submitted,) = named(log, "submitted")
    assert submitted["run_key"] == "dca@2026-01-05T14:00Z"
    assert [g["graph_id"] for g in sandbox.graphs()] == [submitted["graph_id"]]
    quotes = named(log, "quotes")[0]
    assert quotes["symbols"] == ["BTC-USD"] and quotes["missing"] == []

    # later within catch_up, from a fresh process with no local state: the router says it is done
    code, log, err = run(sandbox, playbook, "--once", "--now", "2026-01-05T15:59:00Z")
    assert code == 0, err + json.dumps(log)
    (already,) = named(log, "already")
    assert already["graph_id"] == submitted["graph_id"] and already["run_key"] == "dca@2026-01-05T14:00Z"
    assert len(sandbox.graphs()) == 1
    # recorded in the project's ledger, the one a hand `graphc submit` of the playbook uses (audit conc21 1)
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*.sqlite")] == [Path(".graphc/ledger.sqlite")]
    # a fresh checkout (no ledger: the CI job's) finds it at the router, by its run tag
    elsewhere = write(tmp_path / "elsewhere")
    code, log, err = run(sandbox, elsewhere, "--once", "--now", "2026-01-05T15:59:00Z")
    assert code == 0, err + json.dumps(log)
    assert named(log, "already")[0]["graph_id"] == submitted["graph_id"] and len(sandbox.graphs()) == 1


def test_once_outside_catch_up_submits_nothing_and_says_when_next(sandbox, tmp_path):
    playbook = write(tmp_path)
    code, log, _ = run(sandbox, playbook, "--once", "--now", "2026-01-05T16:00:01Z")
    assert code == 0
    (not_due,) = named(log, "not_due")
    assert not_due["latest"] == "2026-01-05T14:00:00Z" and not_due["next"] == "2026-01-12T14:00:00Z"
    assert sandbox.graphs() == []
    assert not [r for r in sandbox.requests() if r["path"] == "/v1/orders" and r["method"] == "POST"]


def test_an_occurrence_is_rendered_with_its_own_now_and_local_today(sandbox, tmp_path):
    # 23:30 in New York on Sunday 31 May 2026 is 03:30Z on 1 June: `today` is the local date.
    playbook = write(
        tmp_path,
        'graphc: 1\nname: late\nschedule: {cron: "30 23 * * *", timezone: America/New_York}\n'
        "legs:\n  a:\n    buy: \"{{ 1 if today == '2026-05-31' and now.hour == 3 else 2 }}\"\n"
        "    symbol: BTC-USD\n    limit: 97000\n",
    )
    code, log, err = run(sandbox, playbook, "--once", "--now", "2026-06-01T03:45:00Z")
    assert code == 0, err + json.dumps(log)
    (submitted,) = named(log, "submitted")
    assert submitted["run_key"] == "late@2026-06-01T03:30Z"
    _, graph, _ = sandbox.api("GET", f"/v1/execution_graphs/{submitted['graph_id']}")
    assert [n["target_qty_1e8"] for n in graph["nodes"].values()] == [100_000_000]


def test_lint_errors_refuse_the_occurrence(sandbox, tmp_path):
    playbook = write(
        tmp_path, DCA.replace("limit: ask + 1 tick", "limit: ask + 1 tick\n    tif: IOC\n    policy: passive_limit")
    )
    code, log, _ = run(sandbox, playbook, "--once", "--now", "2026-01-05T14:20:00Z")
    assert code == 1
    (failed,) = named(log, "lint_failed")
    assert "GC401" in failed["message"]
    assert sandbox.graphs() == []


def test_no_quote_at_the_router_is_gc109_naming_the_symbol(sandbox, tmp_path):
    playbook = write(tmp_path, DCA.replace("BTC-USD", "DOGE-USD"))
    code, log, _ = run(sandbox, playbook, "--once", "--now", "2026-01-05T14:20:00Z")
    assert code == 1
    assert named(log, "quotes")[0]["missing"] == ["DOGE-USD"]
    (failed,) = named(log, "lint_failed")
    assert "GC109" in failed["message"] and "the router has no quote for DOGE-USD" in failed["message"]
    assert sandbox.graphs() == []


def test_a_live_playbook_needs_live(sandbox, tmp_path):
    playbook = write(tmp_path, DCA.replace("legs:", "sandbox: false\nrisk: {max_notional: $10k}\nlegs:"))
    code, log, _ = run(sandbox, playbook, "--once", "--now", "2026-01-05T14:20:00Z")
    assert code == 2
    assert "--live" in named(log, "refused")[0]["message"]
    assert sandbox.graphs() == []


def test_live_on_a_sandbox_playbook_warns_that_it_has_no_effect(sandbox, tmp_path):
    """The double opt-in (docs/submitting.md "Sandbox and live"): --live alone sends a paper trade, and says so
    in the event and on stderr (audit ops.md 6)."""
    # on the real clock (`--now` is refused with --live: audit live23 O2): this year's 1 January, due all year
    playbook = write(tmp_path, DCA.replace('"0 14 * * MON"', '"0 0 1 1 *"').replace("catch_up: 2h", "catch_up: 400d"))
    code, log, err = run(sandbox, playbook, "--once", "--live")
    assert code == 0, err + json.dumps(log)
    (submitted,) = named(log, "submitted")
    said = "--live has no effect: dca is a sandbox graph (its playbook does not say `sandbox: false`)"
    assert said in submitted["warning"] and f"graphc: warning: {said}" in err
    assert sandbox.graphs()[0]["is_sandbox"] is True


def test_a_playbook_without_schedule_is_a_usage_error(sandbox, tmp_path):
    playbook = write(tmp_path, "graphc: 1\nname: x\nlegs:\n  a: {buy: 1, symbol: BTC-USD}\n")
    code, log, _ = run(sandbox, playbook, "--once")
    assert code == 2
    assert "has no `schedule:`" in named(log, "error")[0]["message"]


def test_a_wrong_path_is_named_before_any_router_setting(tmp_path):
    # a typo in the path, on a machine with no router configured yet: the path is the mistake to report
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEQUENCE_")}
    env["GRAPHC_CREDENTIALS"] = str(tmp_path / "no-credentials")
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", "nope.yaml", "--once"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    said = proc.stdout + proc.stderr
    assert "nope.yaml" in said and "No such file" in said and "API key" not in said, said
    assert "Traceback" not in said and len(said.strip().splitlines()) == 1
    # docs/recurring.md: every event is one JSON line on stdout, this one too
    [error] = events(proc.stdout)
    assert error["event"] == "error" and error["message"] == "cannot read nope.yaml: No such file or directory"


def test_a_router_not_configured_is_an_error_event_on_stdout(tmp_path):
    # no SEQUENCE_API_URL, no key: `graphc run` says so as its one JSON line on stdout, where a log shipper reads
    playbook = write(tmp_path, DCA)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEQUENCE_")}
    env["GRAPHC_CREDENTIALS"] = str(tmp_path / "no-credentials")
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "run", str(playbook), "--once"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2 and proc.stderr == ""
    [error] = events(proc.stdout)
    assert error["event"] == "error" and error["message"].startswith("no API key: set SEQUENCE_API_KEY")


# -- --loop: killed and restarted, still one graph per occurrence ------------------------------

EVERY_MINUTE = """\
graphc: 1
name: minutely
schedule: {cron: "* * * * *", catch_up: 10m}
legs:
  a: {buy: 0.001, symbol: BTC-USD, limit: 97000}
"""


class Loop:
    """A `graphc run --loop` process whose JSON lines are read as they come."""

    def __init__(self, sandbox, playbook: Path, now: str, settle: str = "0", *extra: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "graphc", "run", str(playbook), "--loop", "--now", now, "--settle", settle, *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=sandbox.env(),
            cwd=playbook.parent,
        )
        self.log: list[dict] = []

    def wait_for(self, event: str, count: int = 1, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(named(self.log, event)) < count:
            assert time.monotonic() < deadline, f"no {event} within {timeout}s: {self.log}"
            line = self.proc.stdout.readline()
            assert line, f"loop exited {self.proc.poll()}: {self.log}\n{self.proc.stderr.read()}"
            self.log.extend(events(line))
        return named(self.log, event)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()


def test_a_killed_and_restarted_loop_submits_each_occurrence_once(sandbox, tmp_path):
    playbook = write(tmp_path, EVERY_MINUTE)
    first = Loop(sandbox, playbook, "2026-01-05T14:00:58Z")
    try:
        one, two = first.wait_for("submitted", 2)  # 14:00 at once, 14:01 two seconds later
        assert [one["run_key"], two["run_key"]] == ["minutely@2026-01-05T14:00Z", "minutely@2026-01-05T14:01Z"]
        first.wait_for("sleep", 2)
    finally:
        first.kill()  # SIGKILL: no clean-up, no goodbye
    # restarted inside the same minute: 14:01 is due again, and already at the router
    second = Loop(sandbox, playbook, "2026-01-05T14:01:30Z")
    try:
        (already,) = second.wait_for("already")
        assert already["run_key"] == "minutely@2026-01-05T14:01Z" and already["graph_id"] == two["graph_id"]
        second.wait_for("sleep")
    finally:
        second.kill()
    assert sorted(g["graph_id"] for g in sandbox.graphs()) == sorted([one["graph_id"], two["graph_id"]])


def test_loop_stops_cleanly_on_sigterm(sandbox, tmp_path):
    playbook = write(tmp_path, EVERY_MINUTE)
    loop = Loop(sandbox, playbook, "2026-01-05T14:00:30Z")
    loop.wait_for("sleep")
    loop.proc.send_signal(signal.SIGTERM)
    assert loop.proc.wait(timeout=20) == 0
    loop.log.extend(events(loop.proc.stdout.read()))
    assert loop.log[-1]["event"] == "stopped"
    loop.proc.stdout.close()
    loop.proc.stderr.close()
    assert os.path.exists(playbook)


@pytest.mark.parametrize("where", ["elsewhere", "same-project"])
def test_a_loop_killed_mid_request_and_restarted_at_once_still_makes_one_graph(sandbox, tmp_path, where):
    """The request of the killed process is still on its way when the restarted one looks. Restarted elsewhere (a
    checkout with a ledger of its own: nothing there says so), the restarted process waits (--settle) until it can
    no longer land, then finds it. Restarted in the same project, it sees the killed one's `sent` row in the
    project's ledger: `uncertain` (nothing sent, no settle), and the retry finds the graph (audit conc21 1)."""
    playbook = write(tmp_path / "first", EVERY_MINUTE)
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "slow", "delay": 4, "count": 1}])
    first = Loop(sandbox, playbook, "2026-01-05T14:00:30Z")
    try:
        first.wait_for("quotes")
        deadline = time.monotonic() + 20
        while not sandbox.requests("POST", "/v1/orders"):  # the POST has reached the router, which is slow
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        first.kill()
    assert sandbox.graphs() == []  # not created yet: the router is still working on it
    restarted = playbook if where == "same-project" else write(tmp_path / "elsewhere", EVERY_MINUTE)
    second = Loop(sandbox, restarted, "2026-01-05T14:00:40Z", "10", "--retry", "1")
    try:
        if where == "elsewhere":
            (settle,) = second.wait_for("settle")
            assert settle["run_key"] == "minutely@2026-01-05T14:00Z"
        else:
            (uncertain,) = second.wait_for("uncertain")
            assert uncertain["run_key"] == "minutely@2026-01-05T14:00Z"
        (already,) = second.wait_for("already", timeout=60)
    finally:
        second.kill()
    assert not named(second.log, "submitted")
    assert (where == "elsewhere") == bool(named(second.log, "settle"))
    assert [g["graph_id"] for g in sandbox.graphs()] == [already["graph_id"]]


# -- --loop: an error no occurrence can fix is an `error` at start, not a retry every week -------------------------


@pytest.mark.parametrize(
    ("text", "args", "code"),
    [
        (DCA.replace("    limit:", "    limitt:"), (), "GC102"),  # a misspelled key: no date fixes it
        (DCA, ("--set", "nope=1"), "GC108"),  # an unknown param: neither
    ],
    ids=["unknown-key", "unknown-set"],
)
def test_a_loop_with_a_broken_playbook_or_set_exits_before_its_first_sleep(sandbox, tmp_path, text, args, code):
    # docs/recurring.md: `error` = "the run cannot start ...: the playbook ... has errors"; exit 1 (lint errors)
    # as with --once. 14:00:30Z on Monday 5 Jan 2026 is inside the 14:00 occurrence's catch_up (due now), and
    # --retry 1 would retry (and then sleep to 12 Jan) if this were not caught at start: the timeout says so.
    playbook = write(tmp_path, text)
    rc, log, err = run(sandbox, playbook, "--loop", "--now", "2026-01-05T14:00:30Z", "--retry", "1", *args, timeout=20)
    assert rc == 1, err + json.dumps(log)
    assert [r["event"] for r in log] == ["start", "error"]
    assert f" {code} " in log[-1]["message"] and "dca.yaml:" in log[-1]["message"]
    assert err == "" and sandbox.graphs() == []


def test_a_loop_that_starts_clean_still_sleeps(sandbox, tmp_path):
    # the start check must not refuse a good playbook without quotes (the quotes are read per occurrence)
    loop = Loop(sandbox, write(tmp_path), "2026-01-05T16:30:00Z")
    try:
        (sleep,) = loop.wait_for("sleep", timeout=30)
        assert sleep["until"] == "2026-01-12T14:00:00Z"
        assert not named(loop.log, "error")
    finally:
        loop.kill()


# -- --now outside the supported years: a usage error (exit 2), not an OverflowError (exit 4) ----------------------


@pytest.mark.parametrize(
    "now", ["9999-12-31T23:59:00Z", "9999-12-27T14:30:00Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00"]
)
@pytest.mark.parametrize("command", ["run", "schedule", "compile"])
def test_now_outside_the_supported_years_is_a_usage_error(tmp_path, command, now):
    playbook = write(tmp_path)
    args = {"run": ["--once", "--settle", "0"], "schedule": [], "compile": []}[command]
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", command, str(playbook), *args, "--now", now],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--now" in proc.stderr and "1970-01-01T00:00:00Z to 8999-12-31T23:59:59Z" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


# -- two runners on one schedule: a refused try proves nothing about the other runner ---------------------------


def test_a_loop_retrying_a_refused_occurrence_finds_the_graph_a_second_runner_submitted(sandbox, tmp_path):
    """audit/submit.md finding 1, reproduction B; recurring.md "What happens when things go wrong", Two runners:
    "Each asks the router before it submits; the second finds the first's graph". Runner A (`run --loop`, in this
    process; its clock's sleep is the hook) is refused with a 429, so its in-memory ledger holds an `absent` row;
    while A waits to retry, runner B (`graphc run --once`, a separate process with no ledger) submits the
    occurrence. A's retry must look at the router again and find B's graph, not send a second one."""
    playbook = write(tmp_path, EVERY_MINUTE)
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_429", "count": 1}])
    runner_b: list = []

    def sleep(seconds: float) -> None:  # A's first sleep is its wait before the retry: B runs meanwhile
        if not runner_b:
            runner_b.append(run(sandbox, playbook, "--once", "--now", "2026-01-05T14:00:35Z"))

    stream = io.StringIO()
    env = sandbox.env()
    settings = RunSettings(playbook=str(playbook), retry_s=5, settle_s=0)
    runner_a = Runner(
        settings,
        lambda: Client.from_env(env),
        clock=Clock(datetime(2026, 1, 5, 14, 0, 30, tzinfo=UTC), sleep=sleep),
        log=EventLog(stream),
    )
    code = runner_a.loop(stop=lambda: '"already"' in stream.getvalue() or '"submitted"' in stream.getvalue())
    log_a = events(stream.getvalue())
    assert code == 0, log_a
    (b_code, log_b, b_err) = runner_b[0]
    assert b_code == 0, b_err + json.dumps(log_b)
    (b_submitted,) = named(log_b, "submitted")
    assert [r["event"] for r in log_a if r["event"] in ("failed", "retry", "already", "submitted")] == [
        "failed",
        "retry",
        "already",
    ], log_a
    (already,) = named(log_a, "already")
    assert already["run_key"] == "minutely@2026-01-05T14:00Z" == b_submitted["run_key"]
    assert already["graph_id"] == b_submitted["graph_id"]
    assert [g["graph_id"] for g in sandbox.graphs()] == [b_submitted["graph_id"]]


# -- a fresh process's settle, and a clock ahead of the router's (audit dst.md 1, 2, 6) -------------------------
# No assertion is on a duration: the settle is waited for by reading its `settle` event, and the checks are on
# events and on what the router received (docs/recurring.md, "Settle" and "The clocks").

MINUTELY_1000 = """\
graphc: 1
name: minutely
schedule: {{cron: "* * * * *", catch_up: {catch_up}}}
legs:
  a: {{buy: $1000, symbol: BTC-USD, venue: coinbase}}
"""


def write_minutely(tmp_path: Path, catch_up: str) -> Path:
    (tmp_path / ".git").mkdir(exist_ok=True)
    path = tmp_path / "m.yaml"
    path.write_text(MINUTELY_1000.format(catch_up=catch_up))
    return path


def start_run(sandbox, playbook: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "graphc", "run", str(playbook), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=sandbox.env(),
        cwd=playbook.parent,
    )


def run_settled(sandbox, playbook: Path, *args: str) -> tuple[int, list[dict], str]:
    proc = start_run(sandbox, playbook, *args)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, [json.loads(line) for line in out.splitlines()], err


def order_posts(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] == "POST" and r["path"] == "/v1/orders"]


def test_a_fresh_process_prices_the_graph_after_its_settle_not_before(sandbox, tmp_path):
    """Audit 1: the price moves while the process settles; the graph sent is sized at the price after the wait."""
    playbook = write_minutely(tmp_path, "1h")
    proc = start_run(sandbox, playbook, "--once", "--now", "2026-01-05T14:00:05Z", "--settle", "5")
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(json.loads(line))
        if seen[-1]["event"] == "settle":
            break
    assert seen[-1]["event"] == "settle", seen
    sandbox.control("POST", "/prices", {"BTC-USD": "50000"})  # during the wait
    out, err = proc.communicate(timeout=120)
    log = seen + [json.loads(line) for line in out.splitlines()]
    assert proc.returncode == 0, err + json.dumps(log)
    (submitted,) = named(log, "submitted")
    assert len(named(log, "quotes")) == 2  # read before the wait (fail-fast lint) and again after it
    status, listing, _ = sandbox.api("GET", "/v1/orders?limit=1")
    assert status == 200
    (order,) = listing["orders"]
    assert submitted["graph_id"] in order["node_order_id"]
    # a buy is sized at the ask, one tick above the sandbox price: $1000 / 50000.01 = 0.019999996 BTC, rounded
    # down to 1999999 (1e-8 units); at the old price, $1000 / 97250.51 gave 1028272
    assert order["qty_1e8"] == 1_999_999, order


def test_an_occurrence_the_settle_would_take_past_catch_up_is_missed_and_nothing_is_sent(sandbox, tmp_path):
    """Audit dst 1: due 5 s after the occurrence with catch_up 10s, then a settle of 8 s would send it 13 s late:
    missed, nothing sent, and without waiting the 8 s out first (audit review11 2). The settle is shorter than
    catch_up, so a process started earlier would have made it: exit 0, as any missed occurrence."""
    playbook = write_minutely(tmp_path, "10s")
    code, log, err = run_settled(sandbox, playbook, "--once", "--now", "2026-01-05T14:00:05Z", "--settle", "8")
    assert code == 0, err + json.dumps(log)
    assert [r["event"] for r in log] == ["start", "due", "quotes", "missed"], log
    (missed,) = named(log, "missed")
    assert missed["run_key"] == "minutely@2026-01-05T14:00Z"
    assert "must wait 8s (its settle" in missed["reason"] and "past its catch-up of 10s" in missed["reason"], missed
    assert order_posts(sandbox) == [] and sandbox.graphs() == []


def test_a_catch_up_shorter_than_the_settle_is_exit_2_not_a_quiet_miss(sandbox, tmp_path):
    """Audit review11 2: catch_up 10s and a settle of 20 s: a fresh process (every `--once` from cron or CI) can
    never send, even at the occurrence itself. It said `missed`, exit 0, every time; now exit 2 says why."""
    playbook = write_minutely(tmp_path, "10s")
    code, log, err = run_settled(sandbox, playbook, "--once", "--now", "2026-01-05T14:00:00Z", "--settle", "20")
    assert code == 2, err + json.dumps(log)
    (missed,) = named(log, "missed")
    assert "give `catch_up` at least 20s, or a shorter `--settle`" in missed["reason"], missed
    assert order_posts(sandbox) == [] and sandbox.graphs() == []


def test_without_a_settle_the_boundary_is_decided_at_exactly_now(sandbox, tmp_path):
    """`--settle 0`: nothing waited, so catch_up's `<=` holds at --now exactly (no second quotes): it is due. Its
    request cannot leave at that same instant, though, and past catch_up nothing is sent (audit reconcile17 6;
    docs/recurring.md, "Late"): the occurrence is `missed`, exit 0."""
    playbook = write_minutely(tmp_path, "10s")
    code, log, err = run_settled(sandbox, playbook, "--once", "--now", "2026-01-05T14:00:10Z", "--settle", "0")
    assert code == 0, err + json.dumps(log)
    assert [r["event"] for r in log] == ["start", "due", "quotes", "missed"], log
    assert "late when its request was about to leave" in named(log, "missed")[0]["reason"]
    assert order_posts(sandbox) == []
    code, log, _ = run_settled(sandbox, playbook, "--once", "--now", "2026-01-05T14:00:10.001Z", "--settle", "0")
    (not_due,) = named(log, "not_due")
    assert not_due["late_by"] == "10.001s"  # audit 6: not "10s", which reads as due


def test_a_clock_ahead_of_the_router_still_finds_the_run_behind_150_newer_orders(sandbox, tmp_path):
    """Audit 2: graphc's clock (--now) 10 minutes ahead of the router's. The router stamps the run's order with
    its own, earlier time; 150 newer orders push it to page 2 of the listing. The scan's window must start at
    the real clock (minus the skew), not at the occurrence, or it stops at page 1 and a second graph is sent."""
    playbook = write_minutely(tmp_path, "1h")
    ahead = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=10)
    first, second = ahead + timedelta(seconds=5), ahead + timedelta(seconds=40)  # the same occurrence, `ahead`
    code, log, err = run_settled(sandbox, playbook, "--once", "--now", f"{first:%Y-%m-%dT%H:%M:%S}Z", "--settle", "0")
    assert code == 0, err + json.dumps(log)
    (submitted,) = named(log, "submitted")
    sandbox.control("POST", "/seed_orders", {"count": 150})
    code, log, err = run_settled(sandbox, playbook, "--once", "--now", f"{second:%Y-%m-%dT%H:%M:%S}Z", "--settle", "0")
    assert code == 0, err + json.dumps(log)
    assert named(log, "submitted") == [], log
    (already,) = named(log, "already")
    assert already["graph_id"] == submitted["graph_id"] and already["run_key"] == submitted["run_key"]
    assert len(order_posts(sandbox)) == 1


def test_the_window_never_starts_after_the_real_clock():
    now_ns = time.time_ns()
    past = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)
    assert occurrence_window_ns(past) == 1767621600 * 10**9  # 2026-01-05T14:00Z (date -d ... +%s)
    # an occurrence in the future (only a --now rehearsal reaches it): the look-back before the real now
    future = datetime.fromtimestamp(now_ns / 1e9, UTC) + timedelta(days=30)
    start = occurrence_window_ns(future, DEFAULT_LOOKBACK_S)
    assert now_ns - DEFAULT_LOOKBACK_S * 1e9 <= start <= time.time_ns() - DEFAULT_LOOKBACK_S * 1e9
    assert start - CLOCK_SKEW_S * 10**9 < now_ns


def test_the_settle_is_timed_on_a_monotonic_clock_not_the_wall_clock(sandbox, tmp_path, monkeypatch):
    """Audit submit16 5c: the settle compared the wall clock with the time the runner started, so a forward step of
    the wall clock (NTP at boot) in a fresh runner's first minutes ended it early. The step is simulated: the wall
    clock graphc.run reads jumps an hour ahead after the runner started (the router is real, over HTTP)."""
    playbook = write(tmp_path)
    settings = RunSettings(playbook=str(playbook), settle_s=1.5)
    with Client.from_env(sandbox.env()) as client:
        runner = Runner(settings, lambda: client, log=EventLog(io.StringIO()))

        class Stepped(datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.fromtimestamp(time.time(), tz) + timedelta(hours=1)

        monkeypatch.setattr("graphc.run.datetime", Stepped)
        began = time.monotonic()
        waited = runner._settle(client, "dca@2026-01-05T14:00Z", datetime(2026, 1, 5, 14, tzinfo=UTC))
        assert waited > 0 and time.monotonic() - began >= 1.4, waited  # the whole settle, whatever the wall clock says


FIVE_SYMBOLS = """\
graphc: 1
name: five
schedule: {cron: "0 14 * * MON", timezone: UTC, catch_up: 2h}
legs:
  s:
    for_each: 5
    buy: "1 S{{ index }}"
    symbol: "S{{ index }}-USD"
    limit: 10
"""


def test_run_says_once_when_the_live_quote_limit_left_symbols_out(sandbox, tmp_path):
    """lint, compile, plan, submit and graph print the note of GRAPHC_MAX_LIVE_QUOTES; run did not (nor the
    hosted runner, which is run's loop). Its prices are fixed, so it is sent, with the quotes read twice
    (before the settle and after it) and the note said once."""
    playbook = write(tmp_path, FIVE_SYMBOLS, "five.yaml")
    code, log, err = run(
        sandbox,
        playbook,
        "--once",
        "--now",
        "2026-01-05T14:20:00Z",
        "--settle",
        "3",
        env={"GRAPHC_MAX_LIVE_QUOTES": "2"},
    )
    assert code == 0, err + json.dumps(log)
    assert [q["symbols"] + q["missing"] for q in named(log, "quotes")] == [["S0-USD", "S1-USD"]] * 2
    assert named(log, "submitted")
    assert [line for line in err.splitlines() if "GRAPHC_MAX_LIVE_QUOTES" in line] == [
        "graphc: note: --quotes live asked the router for 2 symbols, the most one run asks "
        "(GRAPHC_MAX_LIVE_QUOTES=2); 3 more were not asked (S2-USD, S3-USD, S4-USD), so the checks that need their "
        "quotes are skipped (GC109), and are errors where every quote is needed (compile, plan, submit, run); to ask "
        "for all of them, set GRAPHC_MAX_LIVE_QUOTES=5"
    ]


# -- --retry: bounded at start, not an overflow at the first failing occurrence (audit sched20 5) ------------------


@pytest.mark.parametrize("retry", ["inf", "1e12", "86401"])
def test_a_retry_beyond_a_day_is_a_usage_error_at_start(tmp_path, retry):
    # DOGE-USD has no quote: the occurrence due at once fails, and its retry time was computed from --retry
    playbook = write(tmp_path, DCA.replace("BTC-USD", "DOGE-USD"))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphc",
            "run",
            str(playbook),
            "--loop",
            "--retry",
            retry,
            "--now",
            "2026-01-05T14:05Z",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--retry" in proc.stderr and "1<=x<=86400" in proc.stderr, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_a_runner_given_a_retry_beyond_a_day_stops_at_start_with_an_error_event(tmp_path):
    playbook = write(tmp_path, DCA.replace("BTC-USD", "DOGE-USD"))
    stream = io.StringIO()

    def no_router():
        raise AssertionError("the router is not asked: the setting is refused first")

    runner = Runner(
        RunSettings(playbook=str(playbook), retry_s=float("inf"), settle_s=0),
        no_router,
        clock=Clock(datetime(2026, 1, 5, 14, 5, tzinfo=UTC)),
        log=EventLog(stream),
    )
    assert runner.loop() == 2
    log = events(stream.getvalue())
    assert [r["event"] for r in log] == ["start", "error"]
    assert "retry" in log[-1]["message"] and "at most 86400 seconds" in log[-1]["message"]


# -- a loop started after downtime says which occurrence it missed (audit sched20 6) --------------------------------


def test_a_loop_started_past_an_occurrences_catch_up_names_it_in_start(tmp_path):
    # Monday 5 January 2026, 17:00Z: the 14:00 occurrence is 3h old, past its catch-up of 2h; nothing is due
    playbook = write(tmp_path)
    stream = io.StringIO()
    runner = Runner(
        RunSettings(playbook=str(playbook), settle_s=0),
        lambda: pytest.fail("nothing is due: the router is not asked"),
        clock=Clock(datetime(2026, 1, 5, 17, 0, tzinfo=UTC), sleep=lambda seconds: None),
        log=EventLog(stream),
    )
    assert runner.loop(stop=lambda: '"sleep"' in stream.getvalue()) == 0
    start, sleep, stopped = events(stream.getvalue())
    assert start["event"] == "start" and start["mode"] == "loop"
    assert start["latest"] == "2026-01-05T14:00:00Z" and start["late_by"] == "3h"
    assert sleep["until"] == "2026-01-12T14:00:00Z" and stopped["event"] == "stopped"

    # within the catch-up the occurrence is due, and `start` says nothing of it: `due` follows
    stream = io.StringIO()
    runner = Runner(
        RunSettings(playbook=str(playbook), settle_s=0, quotes=None),
        lambda: pytest.fail("stopped before the occurrence"),
        clock=Clock(datetime(2026, 1, 5, 14, 30, tzinfo=UTC)),
        log=EventLog(stream),
    )
    assert runner.loop(stop=lambda: '"start"' in stream.getvalue()) == 0
    (start,) = named(events(stream.getvalue()), "start")
    assert "latest" not in start and "late_by" not in start
