"""The API key never reaches output, whatever a hostile router does with it (audit hrouter.md 1, 2, 3).

docs/submitting.md, Configuration: "Everything the router says is cleaned before it is shown: keys are
replaced by `[REDACTED]` ... The key is kept out of every output". Each CLI test runs ``python -m graphc``
as its own process (so Python's logging is as a user has it: no pytest handler on the root logger) against
``scripted``, a real HTTP server that answers what the test writes (tests/sandbox_fixture.py).

What "shown" means: the bytes written, and what a terminal makes of them (escape sequences and control
characters do not show, so ``SECRET\\x1b[0mKEY`` reads as ``SECRETKEY``). Neither may hold the key, nor any
12-character piece of it.
"""

from __future__ import annotations

import json
import re

import pytest
from sandbox_fixture import run_graphc

from graphc.api.redact import MASK, clean, redact, register_secret

KEY = "sk_live_Q7zX2mV9pL4wR8tY6nB3cK1d"
PIECES = {KEY[i : i + 12] for i in range(len(KEY) - 11)}
SPLIT = KEY[:14] + "\x1b[0m" + KEY[14:]  # an SGR reset in the middle: invisible on a terminal
_TERMINAL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?|[\x00-\x1f\x7f-\x9f]")


def assert_no_key(*texts: str) -> None:
    for text in texts:
        for view in (text, _TERMINAL.sub("", text)):
            leaked = sorted(p for p in PIECES if p in view)
            assert not leaked, f"{leaked[:3]} in {view!r}"


def graphc(scripted, tmp_path, *args):
    env = {
        "SEQUENCE_API_URL": scripted.url,
        "SEQUENCE_API_KEY": KEY,
        "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials",
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
    }
    return run_graphc(args, env, tmp_path, timeout=120)


def strategy(**fields) -> dict:
    return {"strategy_id": "5dfb", "name": "dip", "status": "running", "desired_state": "running", **fields}


def test_strategy_logs_never_show_the_key(scripted, tmp_path):
    # audit 1: a hosted strategy that logs its own auth header (the runner gives it this very key)
    st = strategy()
    lines = [f"auth: Bearer {KEY}", f"env KEY={KEY} done", f"split {SPLIT} end", "bell\x07 and \x1b]0;title\x07 kept"]
    body = {
        "strategies": [st],
        "strategy": st,
        "run_id": "r1",
        "logs": [{"seq": i, "line": t} for i, t in enumerate(lines)],
    }
    scripted.script = lambda h: h.answer(200, json.dumps(body).encode())
    proc = graphc(scripted, tmp_path, "strategy", "logs", "dip")
    assert proc.returncode == 0, proc.stderr
    assert_no_key(proc.stdout, proc.stderr)
    assert proc.stdout.splitlines() == [
        f"auth: Bearer {MASK}",
        f"env KEY={MASK} done",
        f"split {MASK} end",
        "bell\\x07 and \\x1b]0;title\\x07 kept",  # control characters shown as escapes, never raw
    ]


def test_strategy_list_never_shows_the_key(scripted, tmp_path):
    sts = [strategy(name=f"leak-{KEY}", status=f"Bearer {KEY}"), strategy(strategy_id="6aa0", name=SPLIT)]
    scripted.script = lambda h: h.answer(200, json.dumps({"strategies": sts}).encode())
    table = graphc(scripted, tmp_path, "strategy", "list")
    as_json = graphc(scripted, tmp_path, "strategy", "list", "--json")
    assert table.returncode == 0 and as_json.returncode == 0, table.stderr + as_json.stderr
    assert_no_key(table.stdout, table.stderr, as_json.stdout, as_json.stderr)
    assert f"leak-{MASK}" in table.stdout and f"Bearer {MASK}" in table.stdout
    assert [s["name"] for s in json.loads(as_json.stdout)["strategies"]] == [f"leak-{MASK}", MASK]


def test_deploy_never_shows_the_key_nor_a_raw_escape(scripted, tmp_path):
    d = tmp_path / "probe"
    d.mkdir()
    (d / "main.py").write_text("print('hi')\n")
    (d / "Sequence.toml").write_text(
        '[strategy]\nname = "probe"\nruntime = "python"\n\n[hosted]\nentrypoint = "main.py"\n'
    )
    created = strategy(name=f"x\x1b]0;pwn\x07 {KEY}", status=SPLIT, artifact_sha256="ab" * 32)
    scripted.script = lambda h: h.answer(200, json.dumps({"strategies": [], "strategy": created}).encode())
    proc = graphc(scripted, tmp_path, "deploy", str(d), "--no-start")
    assert proc.returncode == 0, proc.stderr
    assert_no_key(proc.stdout, proc.stderr)
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert proc.stdout.startswith(f"deployed x\\x1b]0;pwn\\x07 {MASK} as strategy 5dfb")


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_a_key_in_a_retry_after_header_is_never_shown(scripted, tmp_path, verbose):
    # audit 2: httpx_retries warned with the raw header value through Python's last-resort handler
    scripted.script = lambda h: h.answer(429, b'{"error": {"code": "rate_limited"}}', {"Retry-After": KEY})
    proc = graphc(scripted, tmp_path, "status", "graph_abc", *verbose)
    assert proc.returncode == 3, proc.stderr
    assert_no_key(proc.stdout, proc.stderr)
    assert proc.stderr.count("retry") == 4  # graphc's own announcements, one per retry
    assert "Retry-After header is not a valid HTTP date" not in proc.stderr


def test_a_key_split_by_a_control_sequence_is_still_redacted(scripted, tmp_path):
    # audit 3: clean() redacted, then removed the escape, which put the key back together
    answer = {
        "graph_id": "graph_abc",
        "status": SPLIT,
        "note": "red\x1b[31m",
        "nodes": {"order": {"status": SPLIT, "target_qty_1e8": 100000, "filled_qty_1e8": 0}},
        "edges": {},
    }
    scripted.script = lambda h: h.answer(200, json.dumps(answer).encode())
    shown = graphc(scripted, tmp_path, "status", "graph_abc")
    as_json = graphc(scripted, tmp_path, "status", "graph_abc", "--json")
    cancelled = graphc(scripted, tmp_path, "cancel", "graph_abc")
    for proc in (shown, as_json, cancelled):
        assert proc.returncode == (3 if proc is shown else 0), proc.stderr
        assert_no_key(proc.stdout, proc.stderr)
    # a graph status outside the reference's five is an undocumented answer (audit follow17 1), named redacted
    assert f"status is '{MASK}', none of the reference's graph statuses" in shown.stderr, shown.stderr
    # a node status none of the reference's is one too (audit status28 1), named redacted
    scripted.script = lambda h: h.answer(200, json.dumps({**answer, "status": "active"}).encode())
    shown = graphc(scripted, tmp_path, "status", "graph_abc")
    assert shown.returncode == 3, shown.stderr
    assert_no_key(shown.stdout, shown.stderr)
    assert f"node order's status is '{MASK}' (the reference's node statuses:" in shown.stderr, shown.stderr
    # an edge status is shown as it came, redacted
    edged = {
        **answer,
        "status": "active",
        "nodes": {"order": {"status": "pending"}},
        "edges": {"e0": {"status": SPLIT}},
    }
    scripted.script = lambda h: h.answer(200, json.dumps(edged).encode())
    shown = graphc(scripted, tmp_path, "status", "graph_abc")
    assert shown.returncode == 0, shown.stderr
    assert_no_key(shown.stdout, shown.stderr)
    assert shown.stdout.startswith("graph graph_abc: active") and f"e0 {MASK}\n" in shown.stdout, shown.stdout
    assert cancelled.stdout == f"graph graph_abc: {MASK}\n"
    said = json.loads(as_json.stdout)
    assert said["status"] == MASK and said["nodes"]["order"]["status"] == MASK
    # docs/submitting.md: --json escapes control characters (a JSON \u001b escape), it does not remove them
    assert said["note"] == "red\x1b[31m" and "\\u001b[31m" in as_json.stdout and "\x1b" not in as_json.stdout


@pytest.mark.parametrize(
    "text",
    [
        KEY[:14] + "\x1b[0m" + KEY[14:],  # an SGR in the middle
        KEY[:14] + "\x1b[" + KEY[14:],  # `\x1b[K`: the escape's final byte is the key's next letter
        KEY[:10] + "\u200b" + KEY[10:],  # a zero-width space
        KEY[:10] + "\n" + KEY[10:],  # across two lines
        KEY[:10] + "\u202e\u202c" + KEY[10:],  # bidi controls
        KEY[:10] + "\\u001b[0m" + KEY[10:],  # the escape as JSON text writes it (a raw body)
        KEY[:10] + "\\x1b[0m" + KEY[10:],  # as graphc writes it
        KEY.replace("_", "%5F"),  # percent-encoded
        "\\u0073" + KEY[1:],  # a JSON \u escape of one of its letters
        "".join(chr(ord(c) + 0xFEE0) for c in KEY[:6]) + KEY[6:],  # fullwidth letters (NFKC folds them)
        "\x1b]0;" + KEY[:12] + "\x07" + KEY[12:],  # half in a window title
    ],
)
def test_redaction_holds_whatever_splits_the_key(text):
    register_secret(KEY)
    for out in (clean(f"before {text} after"), redact(f"before {text} after")):
        assert_no_key(out, out.encode().decode("unicode_escape", "ignore"))
        assert out.startswith("before ") and out.endswith(" after") and MASK in out
    assert "\x1b" not in clean(text) and "\n" not in clean(text)


def test_clean_escapes_control_characters_instead_of_removing_them():
    assert clean("a\x1b[31mb\nc\u202ed\x07") == "a\\x1b[31mb\\nc\\u202ed\\x07"
    assert clean("plain text, 100% & \\ kept") == "plain text, 100% & \\ kept"


def test_the_ledger_never_shows_a_key_the_router_gave_as_a_graph_id(tmp_path):
    # audit 4's path: a graph id read from the router's order list is kept as it came, then listed
    from graphc.api.ledger import Ledger, Scope

    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        ledger.record_found(Scope("http://127.0.0.1:1", "key:test"), "ev", "p", "gc" + "a" * 16, "g" + SPLIT, "scan")
    env = {"SEQUENCE_API_KEY": KEY, "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials", "PATH": "/usr/bin:/bin"}
    table = run_graphc(["ledger", "--ledger", path], env, tmp_path)
    as_json = run_graphc(["ledger", "--ledger", path, "--json"], env, tmp_path)
    for proc in (table, as_json):
        assert proc.returncode == 0, proc.stderr
        assert_no_key(proc.stdout, proc.stderr)
    assert table.stdout.splitlines()[1].endswith(f"g{MASK}")
    assert json.loads(as_json.stdout)[0]["graph_id"] == f"g{MASK}"
