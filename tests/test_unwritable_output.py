"""A graph created and recorded whose line cannot be written to stdout (audit ledger26 3): a cron job logging to a
full disk.

`graphc submit > /dev/full` exited 4 ("a bug in graphc ... not a problem with your files") and never named the graph
it had created; `graphc run --once` whose log filled up mid-line exited 0. Now the graph and its run are said on
stderr, and the command exits 2 (submit) or non-zero (run), never 4 and never 0.

The real CLI with its stdout on /dev/full, against `graphc sandbox serve --ignore-idempotency-key` (a separate
process, real HTTP).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys

import pytest
from sandbox_fixture import cli_env, run_graphc, submitted_graphs

PLAYBOOK = (
    "graphc: 1\nname: {name}\n{schedule}risk:\n  max_notional: $20k\n"
    "legs:\n  a: {{buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}}\n"
)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    (root / "full.yaml").write_text(PLAYBOOK.format(name="full", schedule=""))
    schedule = 'schedule: {cron: "*/5 * * * *", timezone: UTC, catch_up: 10m}\n'
    (root / "every.yaml").write_text(PLAYBOOK.format(name="every", schedule=schedule))
    return root


CLOSE_STDOUT = ("sh", "-c", 'exec "$@" >&-', "sh")  # the shell's `>&-`: no descriptor 1 at all


def _graphc_to(stdout, args, env=None, cwd=None, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    """``graphc ARGS`` (sandbox_fixture.run_graphc), its stderr captured, its stdout: "full" (/dev/full: no space
    left on device), "closed" (CLOSE_STDOUT) or the file or descriptor given."""
    if stdout == "full":
        with open("/dev/full", "w") as full:
            return run_graphc(args, env, cwd, stdin=stdin, stdout=full)
    if stdout == "closed":
        return run_graphc(args, env, cwd, stdin=stdin, stdout=None, prefix=CLOSE_STDOUT)
    return run_graphc(args, env, cwd, stdin=stdin, stdout=stdout)


# the two ways a stdout cannot be written, and what graphc says of each
UNWRITABLE = pytest.mark.parametrize(
    ("where", "why"), [("full", "No space left on device"), ("closed", "stdout is closed")], ids=["full", "closed"]
)


def test_a_submit_whose_stdout_is_full_names_the_graph_it_created_and_exits_2(btc_router, project):
    env = cli_env(btc_router)
    done = _graphc_to("full", ["submit", "full.yaml"], env, project)
    (graph,) = submitted_graphs(btc_router)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert f"submitted full as graph {graph['graph_id']} (sandbox, run key full@" in done.stderr, done.stderr
    assert "it is recorded (ledger run 1), but graphc could not write this line to stdout: No space left" in (
        done.stderr
    ), done.stderr
    (row,) = json.loads(run_graphc(["ledger", "--json"], env, project).stdout)
    assert (row["state"], row["graph_id"]) == ("confirmed", graph["graph_id"])


def test_a_run_whose_event_log_cannot_be_written_says_its_events_on_stderr_and_exits_non_zero(btc_router, project):
    env = cli_env(btc_router)
    once = ["run", "every.yaml", "--once", "--settle", "0", "--now", "2026-01-12T14:05:00Z"]
    done = _graphc_to("full", once, env, project)
    (graph,) = submitted_graphs(btc_router)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "graphc: error: cannot write the event log: No space left on device" in done.stderr, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    submitted = [e for e in events if e["event"] == "submitted"]
    assert [e["graph_id"] for e in submitted] == [graph["graph_id"]], events


# -- every command that writes data to stdout (audit graph27 3) ------------------------------------------------------
# `graphc graph e.yaml > /dev/full` (and compile, lint, explain, rules, decompile, fmt -, schema) exited 4 "This is
# a bug in graphc"; with stdout closed (`>&-`) an AttributeError (exit 4), or, for explain and rules, exit 0 with
# nothing written. Now one line, `graphc: error: cannot write to stdout: WHY`, exit 2, through the writer the
# commands share (graphc/commands/common.py). A closed pipe (`| head -1`) stays what it was: quiet, exit 141.

STDOUT_COMMANDS = [
    ["graph", "{playbook}"],
    ["graph", "-f", "dot", "{playbook}"],
    ["graph", "-f", "png", "{playbook}"],
    ["explain", "GC303"],
    ["rules"],
    ["rules", "-f", "markdown"],
    ["rules", "-f", "json"],
    ["compile", "{playbook}"],
    ["lint", "{playbook}"],
    ["lint", "-f", "json", "{playbook}"],
    ["decompile", "{wire}"],
    ["fmt", "-"],
    ["schema", "wire"],
]
HEDGE = os.path.join(os.path.dirname(__file__), "..", "examples", "eth-hedge.yaml")
GOLDEN_WIRE = os.path.join(os.path.dirname(__file__), "golden", "eth-hedge.json")


def _stdout_run(command, stdout):
    args = [arg.format(playbook=HEDGE, wire=GOLDEN_WIRE) for arg in command]
    with open(HEDGE, "rb") as source:  # (what `fmt -` reads)
        return _graphc_to(stdout, args, stdin=source)


@pytest.mark.parametrize("command", STDOUT_COMMANDS, ids=" ".join)
def test_a_full_stdout_is_said_exit_2(command):
    done = _stdout_run(command, "full")
    assert (done.returncode, done.stderr) == (2, "graphc: error: cannot write to stdout: No space left on device\n")


@pytest.mark.parametrize("command", STDOUT_COMMANDS, ids=" ".join)
def test_a_closed_stdout_is_said_exit_2(command):
    done = _stdout_run(command, "closed")
    assert (done.returncode, done.stderr) == (2, "graphc: error: cannot write to stdout: stdout is closed\n")


@pytest.mark.parametrize("command", STDOUT_COMMANDS, ids=" ".join)
def test_a_closed_pipe_is_quiet_exit_141_as_before(command):
    read, write = os.pipe()
    os.close(read)  # the reader went away before anything was written (`| head -1` after its line)
    try:
        done = _stdout_run(command, write)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (141, ""), done.stderr


PEOPLE_COMMANDS = [["plan", "{playbook}", "--quotes", "{quotes}"], ["schedule", "{scheduled}"], ["cache", "clean"]]


def _people_run(command, cwd, stdout) -> subprocess.CompletedProcess:
    examples = os.path.join(os.path.dirname(__file__), "..", "examples")
    paths = {
        "playbook": HEDGE,
        "quotes": os.path.join(examples, "quotes.yaml"),
        "scheduled": os.path.join(examples, "btc-weekly-dca.yaml"),
    }
    return _graphc_to(stdout, [arg.format(**paths) for arg in command], cwd=cwd)


@pytest.mark.parametrize("command", PEOPLE_COMMANDS, ids=" ".join)
def test_lines_for_people_to_a_full_stdout_are_said_exit_2(command, tmp_path):
    """Commands writing lines for people with click.echo: caught where the CLI reports a crash, when the code that
    raised held stdout (graphc/cli.py)."""
    done = _people_run(command, tmp_path, "full")
    assert done.returncode == 2, done.stderr
    assert done.stderr.endswith("graphc: error: cannot write to stdout: No space left on device\n"), done.stderr
    assert "internal error" not in done.stderr


@pytest.mark.parametrize("command", PEOPLE_COMMANDS, ids=" ".join)
def test_lines_for_people_to_a_closed_stdout_are_said_exit_2(command, tmp_path):
    """`graphc plan p.yaml >&-` exited 0 having shown nothing (click.echo drops what it is given when there is no
    stdout): the plan a person asked to see was lost without a word (closing note 24)."""
    done = _people_run(command, tmp_path, "closed")
    assert done.returncode == 2, done.stderr
    assert done.stderr.endswith("graphc: error: cannot write to stdout: stdout is closed\n"), done.stderr
    assert "internal error" not in done.stderr


def test_status_json_to_a_full_stdout_is_said_exit_2(btc_router, project):
    env = cli_env(btc_router)
    assert run_graphc(["submit", "full.yaml"], env, project).returncode == 0
    (graph,) = submitted_graphs(btc_router)
    done = _graphc_to("full", ["status", "--json", graph["graph_id"]], env, project)
    assert (done.returncode, done.stderr) == (2, "graphc: error: cannot write to stdout: No space left on device\n")


# -- a watched graph's progress (audit status28 3) -------------------------------------------------------------------
# `graphc status G --watch > /dev/full` exited 4 "a bug in graphc" (the redraw's write failed outside the handled
# path), and `graphc submit p.yaml --watch >&-` crashed with exit 4 after the graph was created, naming it nowhere.
# Now exit 2 "cannot write to stdout: WHY"; a watched submit names the graph it created whenever stdout fails.


@UNWRITABLE
def test_status_watch_to_an_unwritable_stdout_is_said_exit_2(btc_router, project, where, why):
    env = cli_env(btc_router)
    assert run_graphc(["submit", "full.yaml"], env, project).returncode == 0
    (graph,) = submitted_graphs(btc_router)
    watch = ["status", graph["graph_id"], "--watch", "--interval", "0.05", "--timeout", "1s"]
    done = _graphc_to(where, watch, env, project)
    assert (done.returncode, done.stderr) == (2, f"graphc: error: cannot write to stdout: {why}\n")


@UNWRITABLE
def test_submit_watch_to_an_unwritable_stdout_names_the_graph_exit_2(btc_router, project, where, why):
    env = cli_env(btc_router)
    done = _graphc_to(where, ["submit", "full.yaml", "--run-key", "w1", "--watch", "--timeout", "1s"], env, project)
    (graph,) = submitted_graphs(btc_router)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    assert f"submitted full as graph {graph['graph_id']} (sandbox, run key w1)" in done.stderr, done.stderr
    assert done.stderr.endswith(f"but graphc could not write this line to stdout: {why}\n"), done.stderr


def test_submit_watch_whose_stdout_fills_after_its_first_line_names_the_graph_exit_2(btc_router, project, tmp_path):
    """The submit line written, the disk full by the first redraw (a file size limit stands in for the disk)."""
    import resource

    env = cli_env(btc_router)
    first = "submitted full as graph graph_" + "0" * 32 + " (sandbox, run key w2)\n"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(first), len(first)))

    log = tmp_path / "out.log"
    args = ["submit", "full.yaml", "--run-key", "w2", "--ledger", ":memory:", "--watch", "--timeout", "1s"]
    with open(log, "w") as out:
        done = run_graphc(args, env, project, stdout=out, preexec_fn=limit)
    (graph,) = submitted_graphs(btc_router)
    gid = graph["graph_id"]
    assert log.read_text() == first.replace("graph_" + "0" * 32, gid)
    assert done.returncode == 2, done.stderr
    assert done.stderr.endswith(
        f"graphc: error: graph {gid} was submitted and keeps running at the router (`graphc status {gid} --watch` "
        "follows it), but graphc could not write its progress to stdout: File too large\n"
    ), done.stderr


# -- an action applied at the router whose line cannot be written (audit status28 4) ---------------------------------
# `graphc cancel G > /dev/full` (and kill-switch, resume, amend, strategy stop/start/delete, deploy) said only
# `cannot write to stdout`: a wrapper read "error" for an emergency action that was applied; with `>&-` they exited
# 0 having said nothing. Now the line each meant to print is on stderr, `LINE, but graphc could not write this line
# to stdout: WHY`, exit 2, as submit says the graph it created. The commands that only read say `cannot write to
# stdout`, exit 2; `strategy list --json` is written as every command's data is.

STRATEGY_MAIN = "import time\nprint('up', flush=True)\nwhile True:\n    time.sleep(0.2)\n"
STRATEGY_TOML = (
    '[strategy]\nname = "probe"\nruntime = "python"\n\n[hosted]\nentrypoint = "main.py"\n\n'
    "[hosted.resources]\ncpu_millis = 100\nmemory_mb = 128\n"
)


def _graph(router, env, project) -> str:
    assert run_graphc(["submit", "full.yaml"], env, project).returncode == 0
    (graph,) = submitted_graphs(router)
    return graph["graph_id"]


def _strategy(router, env, project, tmp_path, *, stopped=False) -> str:
    folder = tmp_path / "probe"
    folder.mkdir()
    (folder / "main.py").write_text(STRATEGY_MAIN)
    (folder / "Sequence.toml").write_text(STRATEGY_TOML)
    done = run_graphc(["deploy", str(folder)], env, project)
    assert done.returncode == 0, done.stderr
    if stopped:
        assert run_graphc(["strategy", "stop", "probe"], env, project).returncode == 0
    return "probe"


def _paused(router, env, project) -> str:
    graph = _graph(router, env, project)
    router.pause(graph)
    return graph


# what each needs at the router, the command, and the start of the line it prints
ACTION_COMMANDS = {
    "cancel": (_graph, ["cancel", "{it}"], "graph {it}: cancel"),
    "resume": (_paused, ["resume", "{it}"], "graph {it}: "),
    "amend": (_graph, ["amend", "{it}", "a", "--urgency", "high"], "graph {it} node a: "),
    "kill-switch on": (None, ["kill-switch", "on", "--reason", "drill"], "kill switch is ON (drill)"),
    "kill-switch off": (None, ["kill-switch", "off"], "kill switch is OFF"),
    "strategy stop": (_strategy, ["strategy", "stop", "probe"], "stop: probe ("),
    "strategy start": ("stopped", ["strategy", "start", "probe"], "start: probe ("),
    "strategy delete": (_strategy, ["strategy", "delete", "probe", "--yes"], "delete: probe ("),
    "deploy": (None, ["deploy", "{folder}"], "deployed probe as strategy "),
}


@UNWRITABLE
@pytest.mark.parametrize("action", ACTION_COMMANDS)
def test_an_action_whose_line_cannot_be_written_says_what_was_done_exit_2(
    btc_router, project, tmp_path, action, where, why
):
    env = cli_env(btc_router)
    setup, command, line = ACTION_COMMANDS[action]
    it = ""
    if setup == "stopped":
        it = _strategy(btc_router, env, project, tmp_path, stopped=True)
    elif setup is _strategy:
        it = _strategy(btc_router, env, project, tmp_path)
    elif setup is not None:
        it = setup(btc_router, env, project)
    folder = tmp_path / "new" / "probe"
    if action == "deploy":
        folder.mkdir(parents=True)
        (folder / "main.py").write_text(STRATEGY_MAIN)
        (folder / "Sequence.toml").write_text(STRATEGY_TOML)
    done = _graphc_to(where, [arg.format(it=it, folder=folder) for arg in command], env, project)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr, done.stderr
    (said,) = [text for text in done.stderr.splitlines() if text.startswith("graphc: error: ")]
    assert said.startswith("graphc: error: " + line.format(it=it)), done.stderr
    assert said.endswith(f", but graphc could not write this line to stdout: {why}"), done.stderr


# `graphc resume G` and `graphc amend G ...` print their notes (no copy of the graph here: what was not checked) and
# amend its size change before the request leaves; with stdout full or closed they exited 2 with `cannot write to
# stdout` alone, not saying whether the resume or the amend was sent. The lines stay first (a caveat, a preview: what
# a person reads before the change), and the request is not sent when they cannot be written: `...; nothing was
# sent (graph G was not resumed)`, exit 2; a rerun is safe. (cancel, kill-switch, strategy stop/start/delete and
# deploy print nothing to stdout before they send: their line after it is the test above.)

PRINTS_FIRST = {
    "resume elsewhere": (_paused, ["resume", "{it}"], "graph {it} was not resumed", "POST"),
    "amend elsewhere": (
        _graph,
        ["amend", "{it}", "a", "--urgency", "high"],
        "node a of graph {it} was not amended",
        "PATCH",
    ),
    "amend --qty": (_graph, ["amend", "{it}", "a", "--qty", "0.05"], "node a of graph {it} was not amended", "PATCH"),
}


@UNWRITABLE
@pytest.mark.parametrize("action", PRINTS_FIRST)
def test_an_action_whose_notes_cannot_be_written_sends_nothing_and_says_so(
    btc_router, project, tmp_path, action, where, why
):
    env = cli_env(btc_router)
    setup, command, unsent, method = PRINTS_FIRST[action]
    it = setup(btc_router, env, project)
    cwd = project
    if action.endswith("elsewhere"):  # no ledger holds the graph here: a note says what was not checked
        cwd = tmp_path / "elsewhere"
        cwd.mkdir()
    sent_before = len(btc_router.requests(method))
    done = _graphc_to(where, [arg.format(it=it) for arg in command], env, cwd)
    assert (done.returncode, done.stderr) == (
        2,
        f"graphc: error: cannot write to stdout: {why}; nothing was sent ({unsent.format(it=it)})\n",
    )  # before: `graphc: error: cannot write to stdout: WHY` alone
    assert len(btc_router.requests(method)) == sent_before  # and nothing was: no POST .../resume, no PATCH
    # with a stdout, the same command prints its notes, then is sent
    shown = run_graphc([arg.format(it=it) for arg in command], env, cwd)
    assert shown.returncode == 0, shown.stderr
    assert len(btc_router.requests(method)) == sent_before + 1


ROUTER_READ_COMMANDS = [
    ["status", "{graph}"],
    ["ledger"],
    ["ledger", "--reconcile"],
    ["strategy", "list"],
    ["strategy", "list", "--json"],
    ["strategy", "logs", "probe"],
]


@UNWRITABLE
@pytest.mark.parametrize("command", ROUTER_READ_COMMANDS, ids=" ".join)
def test_a_read_whose_lines_cannot_be_written_is_said_exit_2(btc_router, project, tmp_path, command, where, why):
    env = cli_env(btc_router)
    graph = _graph(btc_router, env, project)
    _strategy(btc_router, env, project, tmp_path)
    done = _graphc_to(where, [arg.format(graph=graph) for arg in command], env, project)
    assert (done.returncode, done.stderr) == (2, f"graphc: error: cannot write to stdout: {why}\n")


def test_a_program_embedding_graphc_gets_its_own_closed_stdout_back(tmp_path):
    """graphc.cli.main() in a host started without stdout: the command says it cannot write (exit 2), and the host's
    sys.stdout is None again afterwards, so its own print() stays the no-op it was (review28 4: it raised graphc's
    stand-in's error)."""
    host = (
        "import sys\nimport graphc.cli\n"
        "try:\n    graphc.cli.main(['rules'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print('host line')\n"  # a no-op with no stdout, as before graphc ran
        "sys.stderr.write(f'exit {code}, stdout {sys.stdout!r}\\n')\n"
    )
    done = subprocess.run(
        [*CLOSE_STDOUT, sys.executable, "-c", host],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "graphc: error: cannot write to stdout: stdout is closed\nexit 2, stdout None\n", done.stderr


# -- how the CLI knows a write error is stdout's (graphc/streams.py) --------------------------------------------------
# graphc.cli._stdout_fails guessed it: the failing frame's locals held the stdout object. A stream whose write fails
# one call deeper (a host's tee, a logging wrapper) failed the guess: `graphc schedule` under it was "internal error",
# exit 4. Now main() puts a thin proxy on stdout for the command's run: its write and flush raise StdoutUnwritable,
# which the CLI recognises by its type; it is taken away when main() returns.

HOST = (
    "import errno, io, sys\nimport graphc.cli\n"
    "def _emit(data):\n    raise OSError(errno.EIO, 'the tee failed')\n"
    "class Tee(io.TextIOBase):\n"
    "    encoding = 'utf-8'\n    errors = 'strict'\n"
    "    def writable(self):\n        return True\n"
    "    def write(self, text):\n        _emit(text)\n"
    "mine = sys.stdout = Tee()\n"
    "try:\n    graphc.cli.main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
    "sys.stderr.write(f'exit {code}, own stdout back: {sys.stdout is mine}\\n')\n"
)


def test_a_stdout_failing_one_call_deeper_is_still_said_as_stdout_s(tmp_path):
    scheduled = os.path.join(os.path.dirname(__file__), "..", "examples", "btc-weekly-dca.yaml")
    done = subprocess.run(
        [sys.executable, "-c", HOST, "schedule", scheduled],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # before: "graphc: internal error: OSError: [Errno 5] the tee failed ...", exit 4
    assert done.stderr == "graphc: error: cannot write to stdout: the tee failed\nexit 2, own stdout back: True\n"


def test_the_stdout_proxy_is_the_real_stream_but_for_its_errors():
    """What click and graphc read of stdout (encoding, errors, isatty, fileno) is the real stream's; its writes and
    flushes, and those of its byte stream (data: graphc.commands.common's writer, click's bytes), fail as
    StdoutUnwritable with the real error's words; a closed pipe stays a BrokenPipeError (quiet, exit 141)."""
    from graphc.streams import GuardedStdout, StdoutUnwritable

    full = open("/dev/full", "w", encoding="latin-1", errors="replace")  # not `with`: its close fails too
    try:
        proxy = GuardedStdout(full)
        assert (proxy.encoding, proxy.errors, proxy.isatty(), proxy.fileno()) == (
            "latin-1",
            "replace",
            False,
            full.fileno(),
        )
        assert proxy.buffer.stream is full.buffer
        proxy.write("x")  # buffered: not written yet
        with pytest.raises(StdoutUnwritable) as caught:
            proxy.flush()
        assert caught.value.strerror == "No space left on device"
        with pytest.raises(StdoutUnwritable):
            proxy.buffer.write(b"y" * 100_000)  # more than its buffer holds: written now
    finally:
        with contextlib.suppress(OSError):
            full.close()
    read, write = os.pipe()
    os.close(read)
    with open(write, "w") as pipe:
        with pytest.raises(BrokenPipeError):
            GuardedStdout(pipe).write("z" * 100_000)
            pipe.flush()
        with contextlib.suppress(OSError):
            pipe.close()


# -- `graphc --version` and `--help` (written by click before any command runs) ---------------------------------------
# `graphc --version > /dev/full` and `graphc --version >&-` were "internal error", exit 4 (the brief's report: exit 0,
# nothing said): no command's handler was there to say it. Now the line every command says, exit 2.


@pytest.mark.parametrize("option", ["--version", "--help"])
@pytest.mark.parametrize(("closed", "why"), [(False, "No space left on device"), (True, "stdout is closed")])
def test_version_and_help_to_an_unwritable_stdout_are_said_exit_2(option, closed, why):
    with open("/dev/full", "w") as full:
        argv = [sys.executable, "-m", "graphc", option]
        if closed:
            argv = ["sh", "-c", 'exec "$@" >&-', "sh", *argv]
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert (done.returncode, done.stderr) == (2, f"graphc: error: cannot write to stdout: {why}\n")


def test_version_to_a_full_stdout_stays_lean():
    """Saying it imports no command module (graphc.commands.common is the commands' writer, not --version's)."""
    host = (
        "import sys, graphc.cli\n"
        "sys.stdout = open('/dev/full', 'w')\n"
        "try:\n    graphc.cli.main(['--version'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "sys.stderr.write(f'{code} {sorted(m for m in sys.modules if m.startswith(\"graphc.commands\"))}\\n')\n"
    )
    done = subprocess.run([sys.executable, "-c", host], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert done.stderr == "graphc: error: cannot write to stdout: No space left on device\n2 []\n", done.stderr
