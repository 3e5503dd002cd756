"""Docs that cannot drift: every command the docs show with its output is run here.

In README.md and docs/**/*.md, a fenced block whose info string is ``console``
is a terminal session: each line starting with ``$ `` is a command, the lines up
to the next ``$ `` are what it prints (stdout and stderr, in order). Each
command runs in a fresh interpreter (``graphc`` becomes ``python -m graphc``) in
a scratch directory holding a copy of ``examples/``, with NO_COLOR set and the
lint cache on, as a user runs it.

Markers (HTML comments, invisible on GitHub), on the line before a block:

* ``<!-- file: NAME -->`` before any fenced block: its text is written to NAME
  in the scratch directory of that page, for the sessions after it;
* ``<!-- exit: N -->`` before a console block: its last command exits N
  (otherwise every command must exit 0 or 1 — a finding is fine, a crash is not);
* ``<!-- router -->`` before a console block: the session talks to a router, a
  real local sandbox process (``graphc sandbox serve``, over HTTP) started by
  this test, reset before each session and shared by the sessions of the module
  that start it alike. ``SEQUENCE_API_URL`` points at it, no API key and no
  credentials file are set, and the scratch directory is a checkout (``.git``),
  so it is the project whose ledger ``graphc ledger`` lists. A session that starts
  the sandbox itself (``$ graphc sandbox serve ... &`` and then
  ``$ export SEQUENCE_API_URL=...``) runs it with the options it shows, and what
  it prints is its start-up notes (stderr) and then its URL line; otherwise
  ``<!-- router: OPTIONS -->`` gives them (the page says what they are). A
  ``$ export SEQUENCE_API_KEY=...`` before it gives the sandbox and the commands
  after it one key (the test's own: the page's is a secret of the reader's), the
  one the sandbox runs hosted strategies for;
* ``<!-- before: COMMAND -->`` before a console block: a graphc command the page
  showed earlier (a bundle the session deploys) is run first, unchecked but for
  its exit 0.

Markers stack: several, one a line, may precede one block.

In the expected output a line ``...`` matches any number of lines, and ``...``
inside a line matches any text (graph ids, times).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sandbox_fixture import Sandbox, running_sandbox

from tests.conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+|~~~+)(?P<info>[^\n`]*)$")
DOCS_KEY = "seq_test_docs-session-key-4c1d"  # a session's `export SEQUENCE_API_KEY=...`
MARKER = re.compile(r"^<!--\s*(?P<key>file|exit|router|before)(?::\s*(?P<value>.*?))?\s*-->$")


@dataclass
class Session:
    page: Path
    line: int  # 1-based line of the opening fence
    commands: list[tuple[str, list[str]]] = field(default_factory=list)
    exit_code: int | None = None
    files: dict[str, str] = field(default_factory=dict)  # files declared earlier on the page
    router: list[str] | None = None  # `<!-- router -->`: the options of its sandbox (None: offline)
    before: str | None = None  # `<!-- before: COMMAND -->`

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def sessions_of(page: Path) -> list[Session]:
    lines = page.read_text(encoding="utf-8").splitlines()
    sessions, files, i = [], {}, 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        markers: dict[str, str] = {}
        j = i - 1
        while j >= 0 and (marker := MARKER.match(lines[j].strip())):
            markers.setdefault(marker["key"], marker["value"] or "")
            j -= 1
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == m["fence"])
        body = [line[len(m["indent"]) :] for line in lines[i + 1 : end]]
        if "file" in markers:
            files[markers["file"]] = "\n".join(body) + "\n"
        if m["info"].strip() == "console":
            session = Session(page, i + 1, files=dict(files))
            if "exit" in markers:
                session.exit_code = int(markers["exit"])
            session.before = markers.get("before")
            if "router" in markers:
                session.router = shlex.split(markers["router"])
            for line in body:
                if line.startswith("$ "):
                    session.commands.append((line[2:], []))
                elif session.commands:
                    session.commands[-1][1].append(line)
            if session.commands:
                sessions.append(session)
        i = end + 1
    return sessions


SESSIONS = [s for page in PAGES for s in sessions_of(page)]


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """Line-wise match where a lone ``...`` spans lines and ``...`` in a line spans text."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(output_matches(rest, actual[k:]) for k in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*?".join(re.escape(part) for part in head.rstrip().split("..."))
    return re.fullmatch(pattern, actual[0].rstrip()) is not None and output_matches(rest, actual[1:])


def offline_env() -> dict[str, str]:
    # as a user runs it: no router key, and the lint cache on (conftest.py turns it off for the other tests)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEQUENCE_") and k != "GRAPHC_NO_CACHE"}
    env.update(NO_COLOR="1", COLUMNS="100", PYTHONPATH=str(REPO))
    return env


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    assert argv[0] == "graphc", f"only graphc commands run in docs sessions: {argv!r}"
    return subprocess.run(
        [sys.executable, "-m", "graphc", *argv[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=120,
    )


def serve_options(argv: list[str]) -> tuple[tuple[str, ...], int | None]:
    """The options of a page's ``graphc sandbox serve`` (its ``&`` dropped) and the port it shows.

    The sandbox always runs on ``--port 0`` (a fixed port could collide with another process or test); where the
    page shows a port, what the session prints is compared as if the sandbox listened there (the real port is
    replaced by the page's)."""
    options, port, k = [], None, 0
    while k < len(argv):
        arg = argv[k]
        if arg == "--port":
            port, k = int(argv[k + 1]), k + 2
            continue
        if arg.startswith("--port="):
            port = int(arg.partition("=")[2])
        elif arg != "&":
            options.append(arg)
        k += 1
    return tuple(options), port


@pytest.fixture(scope="module")
def routers():
    """``routers(OPTIONS)``: a sandbox process started with OPTIONS, one per set of options for the module, reset.

    Unless OPTIONS set ``--speed``, its clock runs 50 times real time (the reader's runs at 1): what a session
    prints does not depend on it, only how many ``--watch`` frames it shows, which the pages elide with ``...``.
    Its seed is the command's default (0), as the reader's is, so graph ids are the page's."""
    started: dict[tuple[str, ...], Sandbox] = {}
    with contextlib.ExitStack() as stack:

        def router(options: tuple[str, ...], key: str | None = None) -> Sandbox:
            if (options, key) not in started:
                opts = list(options)
                speed = float(opts.pop(opts.index("--speed") + 1)) if "--speed" in opts else 50.0
                seed = int(opts.pop(opts.index("--seed") + 1)) if "--seed" in opts else 0
                opts = [o for o in opts if o not in ("--speed", "--seed")]
                started[options, key] = stack.enter_context(running_sandbox(*opts, speed=speed, seed=seed, key=key))
            started[options, key].reset()
            return started[options, key]

        yield router


@pytest.mark.parametrize("session", SESSIONS, ids=lambda s: s.id)
def test_docs_session_prints_what_the_page_shows(session, tmp_path, routers):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    for name, text in session.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = offline_env()
    router, shown_url, key = None, None, None
    if session.router is not None:
        (tmp_path / ".git").mkdir()  # a checkout: the project whose ledger `graphc ledger` reads
        env["GRAPHC_CREDENTIALS"] = str(tmp_path / "no-credentials")  # not the machine user's
        if not any(shlex.split(c)[:3] == ["graphc", "sandbox", "serve"] for c, _ in session.commands):
            router = routers(tuple(session.router))
            env["SEQUENCE_API_URL"] = router.base_url
    if session.before is not None:
        proc = run(shlex.split(session.before), tmp_path, env)
        assert proc.returncode == 0, (
            f"{session.id}: `{session.before}` (before it) exited {proc.returncode}\n{proc.stdout}"
        )
    for n, (command, expected) in enumerate(session.commands):
        while expected and not expected[-1].strip():
            expected = expected[:-1]
        argv = shlex.split(command, comments=True)
        if session.router is not None and argv[:3] == ["graphc", "sandbox", "serve"]:
            options, port = serve_options(argv[3:])
            router = routers(options, key)
            shown_url = router.base_url if port is None else f"http://127.0.0.1:{port}"
            actual = [*router.startup_stderr.splitlines(), router.first_line.replace(router.base_url, shown_url)]
            assert output_matches(expected, actual), f"{session.id}: `$ {command}` printed {actual}"
            continue
        if session.router is not None and argv[0] == "export":
            name, _, value = argv[1].partition("=")
            if name == "SEQUENCE_API_KEY":  # the page's value is the reader's secret (`$(openssl rand ...)`)
                key = env[name] = DOCS_KEY
                continue
            assert router is not None and name == "SEQUENCE_API_URL" and value == shown_url, command
            env[name] = router.base_url
            continue
        proc = run(argv, tmp_path, env)
        last = n == len(session.commands) - 1
        if last and session.exit_code is not None:
            assert proc.returncode == session.exit_code, f"$ {command}\n{proc.stdout}"
        else:
            assert proc.returncode in (0, 1), f"$ {command} exited {proc.returncode}\n{proc.stdout}"
        printed = proc.stdout
        if router is not None and shown_url is not None:
            printed = printed.replace(router.base_url, shown_url)
        actual = printed.splitlines()
        while actual and not actual[-1].strip():
            actual.pop()
        assert output_matches(expected, actual), (
            f"{session.id}: `$ {command}` printed:\n" + printed + "\n--- the page shows:\n" + "\n".join(expected)
        )


def test_the_docs_show_sessions():
    """The README's lint example is one of them (guards against the marker syntax silently matching nothing)."""
    assert any(s.page.name == "README.md" and s.commands[0][0].startswith("graphc lint") for s in SESSIONS)


def test_the_router_sessions_are_found():
    """`<!-- router -->` is read, alone and with options, on the pages that talk to a router (docs27: their sessions
    were `sh` blocks no test ran)."""
    router = {(s.page.name, tuple(s.router)) for s in SESSIONS if s.router is not None}
    assert {("submitting.md", ()), ("submitting.md", ("--speed", "0")), ("recurring.md", ())} <= router
    assert serve_options(["--port", "8765", "--price", "BTC-USD=97250.50", "&"]) == (
        ("--price", "BTC-USD=97250.50"),
        8765,
    )


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["a", "..."], ["a", "x", "y"], True),
        (["...", "z"], ["x", "y", "z"], True),
        (["...", "z"], ["x", "y"], False),
        (["graph graph_...: active"], ["graph graph_7d76: active"], True),
        (["graph graph_...: active"], ["graph graph_7d76: paused"], False),
        (["a"], ["a", "extra"], False),
    ],
)
def test_output_matching(expected, actual, ok):
    assert output_matches(expected, actual) is ok


def test_the_python_submit_example_runs_as_shown(sandbox, tmp_path):
    # docs/submitting.md "Using it from Python" is a complete program: it once used a name it never defined. Run it
    # as a user would (from a checkout, against a router), twice: the second run finds the first at the router.
    page = (REPO / "docs" / "submitting.md").read_text(encoding="utf-8")
    section = page[page.index("## Using it from Python") :]
    program = section[section.index("```python\n") + len("```python\n") : section.index("\n```\n")]
    (tmp_path / "example.py").write_text(program, encoding="utf-8")
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    env = {**sandbox.env(), "NO_COLOR": "1"}
    first = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert re.fullmatch(r"graph_[0-9a-f-]+\n", first.stdout), first.stdout
    again = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 1 and "AlreadySubmitted" in again.stderr, again.stderr
    assert first.stdout.strip() in again.stderr  # it names the graph the first run made


def test_the_python_submit_wire_example_holds_the_double_opt_in(sandbox, tmp_path):
    # audit submit16 2: `submit_wire` sent a LIVE wire graph that its caller called sandbox. The page's second program
    # submits a wire file: a sandbox graph is sent and listed as such; a LIVE one is refused, nothing sent.
    page = (REPO / "docs" / "submitting.md").read_text(encoding="utf-8")
    section = page[page.index("## Using it from Python") : page.index("## Cancel and the kill switch")]
    programs = re.findall(r"```python\n(.*?)\n```\n", section, re.S)
    assert len(programs) == 2 and "submit_wire(" in programs[1]
    (tmp_path / ".git").mkdir()
    (tmp_path / "example.py").write_text(programs[1], encoding="utf-8")
    env = {**sandbox.env(), "NO_COLOR": "1"}
    compiled = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphc",
            "compile",
            REPO / "examples" / "eth-hedge.yaml",
            "--quotes",
            REPO / "examples" / "quotes.yaml",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert compiled.returncode == 0, compiled.stderr
    live_wire = compiled.stdout.replace('"is_sandbox": true', '"is_sandbox": false')
    assert live_wire != compiled.stdout
    (tmp_path / "hedge.wire.json").write_text(live_wire)
    refused = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 1 and "Refused: hedge is a LIVE graph" in refused.stderr, refused.stderr
    assert "allow_live=True" in refused.stderr and sandbox.requests("POST", "/v1/orders") == []
    (tmp_path / "hedge.wire.json").write_text(compiled.stdout)
    sent = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert sent.returncode == 0 and re.fullmatch(r"graph_[0-9a-f-]+ sandbox\n", sent.stdout), sent.stderr
    (graph,) = [g for g in sandbox.graphs() if g["wire_sha256"]]
    assert graph["is_sandbox"] is True and sent.stdout.split()[0] == graph["graph_id"]
