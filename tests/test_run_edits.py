"""`graphc run --loop` after its files were edited: each occurrence is made from one consistent set of files.

Audit sched20 4: the loop read the playbook once, at start, and its templates, params and graphc.toml again at
each occurrence, so after an edit it sent a graph half old and half new, and edits to the playbook itself (sizes,
`sandbox:`, the schedule) were ignored in silence. Now every occurrence reads the playbook and what it uses afresh,
each file once (the graph sent after a settle is rendered from the same files as the one linted before it), says
when the playbook changed, and stops (exit 2) rather than trade under a changed `name:` or `schedule:`.

Against `graphc sandbox serve --ignore-idempotency-key` (a real server process, real HTTP). The loop runs in this
process on a rehearsal clock whose sleep is the hook where the files are edited.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphc.api.client import Client
from graphc.run import Clock, EventLog, Runner, RunSettings

PLAYBOOK = """\
graphc: 1
name: minutely
schedule: {cron: "* * * * *", catch_up: 10m}
legs:
  a: {buy: 0.001, symbol: BTC-USD, limit: 97000}
  b: {use: ./t/x.yaml}
"""
TEMPLATE = "graphc-template: 1\nlegs:\n  x: {buy: 0.001, symbol: BTC-USD, limit: 96000}\n"


@pytest.fixture
def sandbox(btc_router):
    return btc_router


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.yaml").write_text(TEMPLATE)
    (tmp_path / "m.yaml").write_text(PLAYBOOK)
    return tmp_path


def events(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def sizes(sandbox, graph_id: str) -> dict[str, int]:
    _, graph, _ = sandbox.api("GET", f"/v1/execution_graphs/{graph_id}")
    return {node_id.split(".")[0]: node["target_qty_1e8"] for node_id, node in graph["nodes"].items()}


def loop(sandbox, project: Path, edit, *, settle_s: float = 0, log=None, stop_after: int = 2):
    """Run the loop from 14:00:50Z; ``edit()`` is called at its first sleep (after the 14:00 occurrence)."""
    stream = io.StringIO()
    edited: list = []

    def sleep(seconds: float) -> None:
        if not edited:
            edited.append(edit())

    env = sandbox.env()
    runner = Runner(
        RunSettings(playbook=str(project / "m.yaml"), settle_s=settle_s, retry_s=5),
        lambda: Client.from_env(env),
        clock=Clock(datetime(2026, 1, 5, 14, 0, 50, tzinfo=UTC), sleep=sleep),
        log=log or EventLog(stream),
    )
    code = runner.loop(stop=lambda: stream.getvalue().count('"submitted"') >= stop_after)
    return code, events(stream)


def test_an_edit_of_the_playbook_and_its_template_between_occurrences_is_sent_whole(sandbox, project):
    def edit():
        (project / "m.yaml").write_text(
            PLAYBOOK.replace("buy: 0.001, symbol: BTC-USD, limit: 97000", "buy: 0.005, symbol: BTC-USD, limit: 97000")
        )
        (project / "t" / "x.yaml").write_text(TEMPLATE.replace("0.001", "0.007"))

    code, log = loop(sandbox, project, edit)
    assert code == 0, log
    first, second = [e for e in log if e["event"] == "submitted"]
    assert first["run_key"] == "minutely@2026-01-05T14:00Z" and second["run_key"] == "minutely@2026-01-05T14:01Z"
    assert sizes(sandbox, first["graph_id"]) == {"a": 100_000, "b": 100_000}
    assert sizes(sandbox, second["graph_id"]) == {"a": 500_000, "b": 700_000}
    (changed,) = [e for e in log if e["event"] == "playbook_changed"]
    new = hashlib.sha256((project / "m.yaml").read_bytes()).hexdigest()
    assert changed["sha256"] == new[:12] and changed["was"] == hashlib.sha256(PLAYBOOK.encode()).hexdigest()[:12]
    names = [e["event"] for e in log]
    assert names.index("playbook_changed") < names.index("submitted", names.index("submitted") + 1)


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (("* * * * *", "*/2 * * * *"), "schedule"),
        (("name: minutely", "name: other"), "name"),
    ],
    ids=["schedule", "name"],
)
def test_a_changed_schedule_or_name_stops_the_loop_before_it_trades_under_them(sandbox, project, change, what):
    def edit():
        (project / "m.yaml").write_text(PLAYBOOK.replace(*change))

    code, log = loop(sandbox, project, edit, stop_after=2)
    assert code == 2, log
    assert [e["event"] for e in log if e["event"] in ("submitted", "error")] == ["submitted", "error"]
    message = log[-1]["message"]
    assert log[-1]["event"] == "error" and f"its `{what}:` changed" in message and "restart" in message, message
    assert len(sandbox.graphs()) == 1


def test_a_template_edited_during_the_settle_does_not_change_the_graph_sent_after_it(sandbox, project):
    """The graph linted before the settle and the one sent after it (priced again) are rendered from the files as
    they were when the occurrence began: an edit during the wait is the next occurrence's."""
    stream = io.StringIO()
    plain = EventLog(stream)

    def log(event: str, **fields) -> None:
        plain(event, **fields)
        if event == "settle":  # the wait begins: the template changes meanwhile
            (project / "t" / "x.yaml").write_text(TEMPLATE.replace("0.001", "0.009"))

    env = sandbox.env()
    runner = Runner(
        RunSettings(playbook=str(project / "m.yaml"), settle_s=1),
        lambda: Client.from_env(env),
        clock=Clock(datetime(2026, 1, 5, 14, 0, 50, tzinfo=UTC)),
        log=log,
    )
    assert runner.once() == 0, stream.getvalue()
    record = events(stream)
    assert [e["event"] for e in record if e["event"] in ("settle", "submitted")] == ["settle", "submitted"]
    (submitted,) = [e for e in record if e["event"] == "submitted"]
    assert sizes(sandbox, submitted["graph_id"]) == {"a": 100_000, "b": 100_000}
