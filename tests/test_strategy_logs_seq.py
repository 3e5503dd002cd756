"""`graphc strategy logs` prints every entry once (notes/audit/status28.md 8). The reference does not document a logs
entry's shape or what its `seq` means (hosted-strategies.md shows neither), so an entry is dropped only when it is
the same entry read again (its seq, stream and text), never because another entry has its `seq`: two streams
numbered apart, a seq repeated with other text, a plain-text entry (no seq) beside objects. Real
`python -m graphc` processes against a scripted router (tests/sandbox_fixture.py) over real HTTP.
"""

from __future__ import annotations

import json

from sandbox_fixture import run_graphc

KEY = "seq_test_logs0123456789abcdef"


def _env(scripted) -> dict:
    return {
        "SEQUENCE_API_URL": scripted.url,
        "SEQUENCE_API_KEY": KEY,
        "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials",
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
    }


def _strategy(status: str = "running") -> dict:
    return {"strategy_id": "5dfb", "name": "dip", "status": status, "desired_state": "running"}


def _serving(scripted, logs, status: str = "running") -> list:
    """Every answer holds the strategy; a logs GET answers the next of ``logs`` (the last one again at the end)."""
    asked: list = []

    def script(h):
        st = _strategy(status)
        if "/logs" in h.path:
            asked.append(h.path)
            body = {"run_id": "r1", "logs": logs[min(len(asked), len(logs)) - 1]}
        else:
            body = {"strategies": [st], "strategy": st, **st}
        return h.answer(200, json.dumps(body).encode())

    scripted.script = script
    return asked


def test_a_plain_text_entry_is_not_dropped_for_an_objects_seq(scripted, tmp_path):
    """The audit's reproduction: `plain text line` (index 2) was lost to the object with seq 2."""
    logs = [{"seq": 1, "line": "hello"}, {"seq": 2, "message": "second"}, "plain text line"]
    _serving(scripted, [logs])
    proc = run_graphc(["strategy", "logs", "dip"], _env(scripted), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.splitlines()) == ["hello", "plain text line", "second"]  # before the fix: 2 lines


def test_two_streams_numbered_apart_are_both_printed(scripted, tmp_path):
    logs = [
        {"seq": 0, "stream": "stdout", "line": "out 0"},
        {"seq": 1, "stream": "stdout", "line": "out 1"},
        {"seq": 0, "stream": "stderr", "line": "err 0"},
        {"seq": 1, "stream": "stderr", "line": "err 1"},
    ]
    _serving(scripted, [logs])
    proc = run_graphc(["strategy", "logs", "dip"], _env(scripted), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["out 0", "err 0", "out 1", "err 1"]  # in seq order; before the fix: 2 lines


def test_a_seq_repeated_with_other_text_is_printed_too(scripted, tmp_path):
    logs = [{"seq": 7, "line": "first"}, {"seq": 7, "line": "restarted counter"}]
    _serving(scripted, [logs])
    proc = run_graphc(["strategy", "logs", "dip"], _env(scripted), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["first", "restarted counter"]  # before the fix: `first` only


def test_follow_prints_an_entry_read_again_once(scripted, tmp_path):
    """The follow logic's own case, kept: each poll answers the whole log, and nothing is printed twice."""
    first = [{"seq": 0, "line": "a"}, {"seq": 1, "line": "b"}, "plain"]
    second = [*first, {"seq": 2, "line": "c"}]
    asked = _serving(scripted, [first, second], status="stopped")  # stopped: read once more, then done
    proc = run_graphc(["strategy", "logs", "dip", "--follow", "--interval", "0.2"], _env(scripted), tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(asked) == 2
    assert proc.stdout.splitlines() == ["a", "b", "plain", "c"]  # before the fix: `c` lost to `plain` (index 2)
