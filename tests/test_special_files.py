"""Files that are not regular files, and symlinks out of the project, in a lint (docs/robustness.md, "Reading
files"; audit tmpl2 finding 10).

graphc runs unattended in pre-commit and CI: a FIFO named ``*.yaml`` (open() waits for a writer for ever), a
symlink to ``/dev/stdin`` (read() waits while stdin is held open, as under a pipe or a terminal) or to
``/dev/zero`` (never ends) must never stall ``graphc lint DIR`` or ``graphc lint --dependants``. Each run is a
child process under a timeout, so a regression fails in seconds instead of hanging the suite.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sandbox_fixture import cli_env

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs or /dev here")

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 30  # seconds: each run below takes about one; a hang is killed and fails the test

PLAYBOOK = "graphc: 1\nname: p\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n"
TEMPLATE = "graphc-template: 1\nlegs:\n  t: {sell: 1 ETH, symbol: ETH-USD}\n"
USER = "graphc: 1\nname: u\nlegs:\n  h: {use: ./templates/t.yaml}\n"


def graphc(cwd: Path, *args: str, stdin=subprocess.DEVNULL, env=None) -> subprocess.CompletedProcess:
    """``graphc ARGS`` in ``cwd``, in the environment ``env`` (else this one)."""
    env = {**(os.environ if env is None else env), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args],
        cwd=cwd,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,  # raises TimeoutExpired (the child is killed): the hang is the failure
        env=env,
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / "graphc.toml").write_text("")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.yaml").write_text(TEMPLATE)
    (tmp_path / "user.yaml").write_text(USER)
    return tmp_path


def diagnostics(result) -> list[tuple[str, str, str]]:
    return [(os.path.normpath(d["path"]), d["code"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]


def linted(result, project: Path) -> list[str]:
    """The paths of the files a JSON report lists, relative to the project (``./user.yaml`` and the absolute
    paths --dependants lists alike), sorted."""
    return sorted(os.path.relpath(project / f["path"], project) for f in json.loads(result.stdout)["files"])


def test_a_fifo_in_a_directory_lint_is_gc112_and_never_opened(project):
    os.mkfifo(project / "stuck.yaml")  # before the fix: open() waited for a writer for ever
    result = graphc(project, "lint", "--no-cache", ".", "--format", "json")
    assert result.returncode == 2, result.stderr  # input that could not be checked (robustness.md promise 3)
    assert diagnostics(result) == [
        ("stuck.yaml", "GC112", "cannot read the file: it is a named pipe (FIFO), not a regular file")
    ]
    summary = json.loads(result.stdout)["summary"]  # user.yaml and the template were linted too; the FIFO was
    assert (summary["files"], summary["not_checked"]) == (2, 1)  # not checked (audit reports23 1: it counted as 3)


def test_dependants_of_a_template_do_not_wait_on_a_fifo(project):
    os.mkfifo(project / "stuck.yaml")
    result = graphc(project, "lint", "--no-cache", "--dependants", "templates/t.yaml", "--format", "json")
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert linted(result, project) == ["templates/t.yaml", "user.yaml"]


@pytest.mark.parametrize("command", [["."], ["--dependants", "templates/t.yaml"]])
def test_a_symlink_to_stdin_held_open_does_not_hang(project, command):
    os.symlink("/dev/stdin", project / "s.yaml")  # a symlink can be committed; a FIFO cannot
    # stdin is a pipe nobody writes to or closes: reading it would wait for ever
    with subprocess.Popen(["sleep", str(TIMEOUT + 5)], stdout=subprocess.PIPE) as held:
        try:
            result = graphc(project, "lint", "--no-cache", *command, "--format", "json", stdin=held.stdout)
        finally:
            held.kill()
    assert result.returncode == 0, (result.stdout, result.stderr)
    paths = linted(result, project)
    assert "s.yaml" not in paths  # its target is outside the project root: not followed
    assert "user.yaml" in paths


def test_a_symlink_out_of_the_root_is_not_followed_in_a_directory_walk(project):
    os.symlink("/dev/zero", project / "z.yaml")  # before: read up to the size limit, GC100 "larger than ..."
    outside = project.parent / f"{project.name}-outside.yaml"
    outside.write_text("graphc: 1\nname: o\nlegs: {}\n")  # would be a finding if it were read
    os.symlink(outside, project / "o.yaml")
    os.symlink("user.yaml", project / "inside.yaml")  # a link inside the root is linted as before
    result = graphc(project, "lint", "--no-cache", ".", "--format", "json")
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert linted(result, project) == [
        "inside.yaml",
        "templates/t.yaml",
        "user.yaml",
    ]
    # not read, but never silently: a file a walk skipped must not pass unnoticed (it was a silent skip)
    assert (
        "graphc: warning: o.yaml, z.yaml not read: symlinks to files outside the project root"
        " (name a file to lint it)\n"
    ) in result.stderr


def test_a_glob_says_which_symlinks_out_of_the_root_it_did_not_follow(project):
    outside = project.parent / f"{project.name}-outside.yaml"
    outside.write_text("graphc: 1\nname: o\nlegs: {}\n")
    os.symlink(outside, project / "o.yaml")
    result = graphc(project, "lint", "--no-cache", "*.yaml", "--format", "json")
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert linted(result, project) == ["user.yaml"]
    assert "graphc: warning: o.yaml not read: a symlink to a file outside the project root" in result.stderr
    named = graphc(project, "lint", "--no-cache", "o.yaml")  # named itself: the operator chose it, it is read
    assert named.returncode == 1 and "GC" in named.stdout and "warning" not in named.stderr, named


def test_a_named_device_or_fifo_is_gc112_saying_what_it_is(project):
    os.mkfifo(project / "pipe.yaml")
    os.symlink("/dev/zero", project / "z.yaml")
    result = graphc(project, "lint", "--no-cache", "pipe.yaml", "z.yaml", "user.yaml")
    assert result.returncode == 2, result.stderr
    assert "pipe.yaml: error GC112 cannot read the file: it is a named pipe (FIFO), not a regular file" in (
        result.stdout
    )
    assert "z.yaml: error GC112 cannot read the file: it is a character device, not a regular file" in result.stdout
    assert "graphc reads only regular files; to lint standard input, name `-`" in result.stdout


def test_compile_of_a_fifo_is_gc112_not_a_hang(project):
    os.mkfifo(project / "pipe.yaml")
    result = graphc(project, "compile", "pipe.yaml")
    assert result.returncode == 2
    assert "it is a named pipe (FIFO), not a regular file" in result.stderr


@pytest.mark.parametrize(
    ("make", "kind"), [(os.mkfifo, "a named pipe (FIFO)"), (os.mkdir, "a directory")], ids=["fifo", "dir"]
)
def test_a_use_path_that_is_not_a_regular_file_says_what_it_is(project, make, kind):
    # audit tmpl2 finding 7: it was "template file not found", though the path exists
    make(project / "templates" / "odd.yaml")
    (project / "user.yaml").write_text(USER.replace("t.yaml", "odd.yaml"))
    result = graphc(project, "lint", "--no-cache", "user.yaml")
    assert result.returncode == 1, result.stderr
    assert f"user.yaml:4:12: error GC107 `use: ./templates/odd.yaml` is {kind}, not a template file" in result.stdout


LONG = "a" * 300 + ".yaml"  # over NAME_MAX (255 bytes on Linux and macOS): stat() fails with ENAMETOOLONG
DEEP = "a/" * 3000 + "t.yaml"  # over PATH_MAX (4,096): ENAMETOOLONG too


@pytest.mark.parametrize("use", [LONG, DEEP], ids=["long-name", "long-path"])
def test_a_use_name_too_long_is_gc107_and_the_other_files_are_still_linted(project, use):
    # audit cfgsec 2: Path.is_file() lets ENAMETOOLONG through (it hides ENOENT, ENOTDIR, EBADF, ELOOP only), so
    # `lint .` crashed on this file (exit 4, "internal error") and compile did too; it is a bad `use:` value
    (project / "long.yaml").write_text(USER.replace("./templates/t.yaml", use))
    message = f"long.yaml:4:12: error GC107 cannot read template `use: {use}`: File name too long"  # line 4: `h:`
    result = graphc(project, "lint", "--no-cache", ".")
    assert result.returncode == 1, result.stderr
    assert message in result.stdout and "internal error" not in result.stderr
    # user.yaml and the template were linted too, clean (their quote checks skipped: no --quotes)
    assert result.stdout.splitlines()[-1].startswith("1 error in 3 files (")
    compiled = graphc(project, "compile", "long.yaml")
    assert compiled.returncode == 1 and message in compiled.stderr + compiled.stdout, compiled.stderr
    # as a for_each's `use:` it is first looked at to bound the copies (Templates.floor): the same answer
    (project / "long.yaml").write_text(USER.replace("{use: ./templates/t.yaml}", f"{{for_each: [1, 2], use: {use}}}"))
    looped = graphc(project, "lint", "--no-cache", "long.yaml")
    assert looped.returncode == 1 and f"GC107 cannot read template `use: {use}`" in looped.stdout, looped.stderr


def test_a_use_name_too_long_does_not_stop_a_dependants_run(project):
    # audit cfgsec 2: the pre-commit hook's command scans every playbook of the project for `use:` edges; that
    # scan crashed on one such file (Path.exists), so no file at all was reported, for any commit
    (project / "long.yaml").write_text(USER.replace("./templates/t.yaml", LONG))
    result = graphc(project, "lint", "--no-cache", "--ignore-unknown", "--dependants", "user.yaml", "-f", "json")
    assert result.returncode == 1, result.stderr
    # long.yaml is listed as a user of a template that is not there (its dangling `use:`; docs/integrations.md)
    assert linted(result, project) == ["long.yaml", "user.yaml"]
    assert [code for _, code, _ in diagnostics(result)] == ["GC107"]


def test_a_stdin_filename_too_long_still_finds_the_config(project):
    # the project root walk (find_project_root) asked Path.is_dir, which raises ENAMETOOLONG: exit 4
    (project / "graphc.toml").write_text('[rules]\nGC102 = "warning"\n')
    (project / "p.yaml").write_text(PLAYBOOK.replace("ETH-USD}", "ETH-USD, bogus: 1}"))
    with open(project / "p.yaml") as stdin:
        result = graphc(project, "lint", "--no-cache", "-", "--stdin-filename", LONG, stdin=stdin)
    # GC102 is a warning, so the project's graphc.toml was read (without it: an error, exit 1); it stopped the
    # checks, so the file was not checked: exit 2 (audit reports23 1; it was 0)
    assert result.returncode == 2, result.stderr
    assert f"{LONG}:4:36: warning GC102 unknown key 'bogus' in legs.a" in result.stdout, result.stdout


def test_a_use_through_a_symlink_loop_says_so(project):
    # was "`use: ...` is outside the project root" (Path.resolve raises RuntimeError for a loop): it is inside
    os.symlink("loop2.yaml", project / "templates" / "loop1.yaml")
    os.symlink("loop1.yaml", project / "templates" / "loop2.yaml")
    (project / "user.yaml").write_text(USER.replace("t.yaml", "loop1.yaml"))
    result = graphc(project, "lint", "--no-cache", "user.yaml")
    assert result.returncode == 1, result.stderr
    assert "user.yaml:4:12: error GC107 `use: ./templates/loop1.yaml` is a symlink loop" in result.stdout


def test_a_params_file_that_is_a_symlink_loop_is_reported_not_a_crash(project):
    # the CLI refuses it first (exit 2, tests/test_exit_codes.py); the library reports the read as GC108, and
    # listing the files the render read (Path.resolve: RuntimeError on a loop) crashed after it
    from graphc import lint_file

    os.symlink("b.yaml", project / "a.yaml")
    os.symlink("a.yaml", project / "b.yaml")
    result = lint_file(project / "user.yaml", params_file=project / "a.yaml")
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("GC108", f"cannot read params file {project / 'a.yaml'}: Too many levels of symbolic links")
    ]
    cli = graphc(project, "lint", "--no-cache", "user.yaml", "--params", "a.yaml")
    assert cli.returncode == 2 and "cannot read params file a.yaml: Too many levels of symbolic links" in cli.stderr


def test_a_quotes_snapshot_or_params_file_may_be_the_operators_own_pipe(tmp_path):
    # `--quotes <(fetch-quotes)`: a process substitution is a pipe the person running graphc wrote; it is read
    # to its end (a repository cannot name it, unlike a playbook, a template or a file a walk finds)
    (tmp_path / ".git").mkdir()
    play = tmp_path / "p.yaml"
    play.write_text(
        "graphc: 1\nname: p\nparams:\n  px: {type: number}\nlegs:\n"
        '  a: {buy: 1 ETH, symbol: ETH-USD, limit: "{{ px }}"}\n  b: {buy: $100, symbol: BTC-USD}\n'
    )
    script = (
        f"{sys.executable} -m graphc compile {play} "
        "--quotes <(printf 'BTC-USD: {bid: 100000, ask: 100000}\\n') --params <(printf 'px: 2000\\n')"
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    nodes = {n["node_id"]: n for n in json.loads(done.stdout)["nodes"]}
    assert nodes["a"]["order_type"] == {"limit": {"price_1e9": 2000 * 10**9}}
    assert nodes["b"]["quantity"] == {"fixed": {"qty_1e8": 100000}}  # $100 / 100,000 = 0.001 BTC


def test_a_saved_plan_never_records_a_pipe_it_read_as_an_empty_file(tmp_path):
    # the plan hashes its input files again after the compile read them: a process substitution is used up by
    # then, and was recorded as the SHA-256 of nothing (e3b0c442...), a false statement of what was planned
    (tmp_path / ".git").mkdir()
    (tmp_path / "p.yaml").write_text("graphc: 1\nname: p\nlegs:\n  a: {buy: $100, symbol: BTC-USD}\n")
    (tmp_path / "q.yaml").write_text("BTC-USD: {bid: 100000, ask: 100000}\n")
    script = f"{sys.executable} -m graphc plan p.yaml -o plan.json --quotes <(cat q.yaml)"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    inputs = json.loads((tmp_path / "plan.json").read_text())["inputs"]
    assert inputs["quotes"]["sha256"] is None and inputs["quotes"]["pipe"] is True
    assert inputs["quotes"]["path"].startswith("/dev/fd/")
    assert inputs["playbook"] == {
        "path": "p.yaml",
        "sha256": hashlib.sha256((tmp_path / "p.yaml").read_bytes()).hexdigest(),
    }


# -- a named FIFO given as an option file (audit: `--params /tmp/f.yaml` after `mkfifo`: graphc hung for ever) ----


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["compile", "user.yaml", "--quotes", "q.yaml"], "--params"),
        (["compile", "user.yaml"], "--quotes"),
        (["lint", "--no-cache", "user.yaml"], "--params"),
        (["lint", "--no-cache", "user.yaml"], "--quotes"),
        (["plan", "user.yaml", "--quotes", "q.yaml"], "--params"),
    ],
    ids=["compile-params", "compile-quotes", "lint-params", "lint-quotes", "plan-params"],
)
def test_a_named_fifo_as_an_option_file_is_refused_not_waited_on(project, command, option):
    # only the operator's own pipe (a process substitution, which has no name in a folder) is read from a
    # pipe; a FIFO made with mkfifo that no one writes to blocked open() for ever
    (project / "q.yaml").write_text("ETH-USD: {bid: 2000, ask: 2000}\n")
    os.mkfifo(project / "f.yaml")
    result = graphc(project, *command, option, "f.yaml")
    assert result.returncode == 2, (result.stdout, result.stderr)
    kind = "params" if option == "--params" else "quotes"
    assert f"cannot read {kind} file f.yaml: it is a named pipe (FIFO), not a regular file" in result.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("option", ["--params", "--quotes"])
def test_a_device_as_an_option_file_is_refused_not_read_without_end(project, option, device):
    result = graphc(project, "compile", "user.yaml", option, device)
    assert result.returncode == 2, (result.stdout, result.stderr)
    kind = "params" if option == "--params" else "quotes"
    assert f"cannot read {kind} file {device}: it is a character device, not a regular file" in result.stderr


@pytest.mark.parametrize("make", [os.mkfifo, lambda path: os.symlink("/dev/zero", path)], ids=["fifo", "zero"])
def test_a_config_file_that_is_not_a_regular_file_says_what_it_is(project, make):
    # was "'c.toml' is neither a file nor a KEY = VALUE setting": it is there, but not a regular file
    make(project / "c.toml")
    kind = "a named pipe (FIFO)" if make is os.mkfifo else "a character device"
    result = graphc(project, "lint", "--no-cache", "user.yaml", "--config", "c.toml")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"cannot read config file c.toml: it is {kind}, not a regular file" in result.stderr


def test_a_found_config_that_is_a_fifo_is_not_waited_on(project):
    # discovery takes only a regular graphc.toml (git cannot hold a FIFO; such a file is not a config)
    (project / "graphc.toml").unlink()
    os.mkfifo(project / "graphc.toml")
    (project / ".git").mkdir()
    result = graphc(project, "lint", "--no-cache", "user.yaml")
    assert result.returncode == 0, (result.stdout, result.stderr)


def test_dependants_named_a_fifo_do_not_wait_on_it(project):
    # --dependants looks at each named file's head for `graphc-template:`: that look opened a FIFO and waited
    os.mkfifo(project / "stuck.yaml")
    result = graphc(project, "lint", "--no-cache", "--dependants", "stuck.yaml", "templates/t.yaml", "-f", "json")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert diagnostics(result) == [
        ("stuck.yaml", "GC112", "cannot read the file: it is a named pipe (FIFO), not a regular file")
    ]
    assert linted(result, project) == ["stuck.yaml", "templates/t.yaml", "user.yaml"]


def test_run_of_a_fifo_is_refused_not_waited_on(project):
    # `graphc run` first opens the playbook to name a wrong path before any router setting: open() waited
    os.mkfifo(project / "pipe.yaml")
    result = graphc(project, "run", "--once", "pipe.yaml")
    assert result.returncode == 2, (result.stdout, result.stderr)
    [event] = [json.loads(line) for line in result.stdout.splitlines()]
    assert event["message"] == "cannot read pipe.yaml: it is a named pipe (FIFO), not a regular file"


def test_a_credentials_file_that_is_a_fifo_is_refused_not_waited_on(project, monkeypatch):
    os.mkfifo(project / "credentials", 0o600)
    monkeypatch.delenv("SEQUENCE_API_KEY", raising=False)
    monkeypatch.setenv("GRAPHC_CREDENTIALS", str(project / "credentials"))
    result = graphc(project, "status", "g-1")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert (
        f"cannot read credentials file {project / 'credentials'}: it is a named pipe (FIFO), not a regular file"
    ) in result.stderr


# Every command that reads the key from the credentials file: a router command of each family, the runner, a lint
# that reads live quotes, submit with and without a router named (without one it looks for a key first).
CREDENTIAL_COMMANDS = [
    pytest.param(("status", "g-1"), True, id="status"),
    pytest.param(("cancel", "g-1"), True, id="cancel"),
    pytest.param(("submit", "user.yaml"), True, id="submit"),
    pytest.param(("submit", "user.yaml"), False, id="submit-no-router"),
    pytest.param(("strategy", "list"), True, id="strategy"),
    pytest.param(("lint", "--no-cache", "user.yaml", "--quotes", "live"), True, id="lint-live"),
    pytest.param(("run", "--once", "user.yaml"), True, id="run"),
]


@pytest.mark.parametrize(("args", "router"), CREDENTIAL_COMMANDS)
def test_a_credentials_file_that_is_not_utf8_is_a_usage_error_that_never_shows_the_key(project, args, router):
    # was an internal error (UnicodeDecodeError, exit 4) in every command that reads it (review15 1)
    secret = "sk-0123456789abcdef"
    (project / "credentials").write_bytes(f'api_key = "{secret}'.encode() + b'\xff"\n')
    (project / "credentials").chmod(0o600)
    env = {k: v for k, v in os.environ.items() if k not in ("SEQUENCE_API_KEY", "SEQUENCE_API_URL")}
    env["GRAPHC_CREDENTIALS"] = str(project / "credentials")
    if router:
        env["SEQUENCE_API_URL"] = "http://127.0.0.1:1"  # never reached: the key is read first
    result = graphc(project, *args, env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    output = result.stdout + result.stderr
    assert f"cannot read credentials file {project / 'credentials'}: not UTF-8" in output
    assert secret not in output and "sk-" not in output
    assert "internal error" not in output and "Traceback" not in output


# -- run and bundle refuse an option file that cannot be read up front, as lint/compile/plan/submit do (review15 3)

SCHEDULED = 'graphc: 1\nname: s\nschedule:\n  cron: "0 14 * * MON"\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n'


def unreadable_option_file(project: Path, how: str) -> str:
    """An option file that cannot be read: a named FIFO, not UTF-8, or missing."""
    if how == "fifo":
        os.mkfifo(project / "f.yaml")
        return "it is a named pipe (FIFO), not a regular file"
    if how == "not-utf8":
        (project / "f.yaml").write_bytes(b'px: "\xff"\n')
        return "not UTF-8"
    return "No such file or directory"


@pytest.mark.parametrize("how", ["fifo", "not-utf8", "missing"])
@pytest.mark.parametrize(("option", "mode"), [("--params", "--once"), ("--params", "--loop"), ("--quotes", "--once")])
def test_run_refuses_an_unreadable_option_file_before_any_occurrence(project, option, mode, how):
    # was a lint_failed event (GC108, exit 1) when the occurrence came due, and for --quotes a refusal then (the
    # occurrence's quotes and due events already logged); --loop waited for the occurrence to find it
    (project / "s.yaml").write_text(SCHEDULED)
    reason = unreadable_option_file(project, how)
    now = "2026-01-05T14:00:00Z"  # an occurrence is due
    env = {**os.environ, "SEQUENCE_API_KEY": "k", "SEQUENCE_API_URL": "http://127.0.0.1:1"}
    result = graphc(project, "run", "s.yaml", mode, "--now", now, "--settle", "0", option, "f.yaml", env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    kind = "params" if option == "--params" else "quotes"
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["event"], e["message"]) for e in events] == [("error", f"cannot read {kind} file f.yaml: {reason}")]


@pytest.mark.parametrize("how", ["fifo", "not-utf8"])
def test_bundle_refuses_an_unreadable_params_file_before_linting_and_writes_nothing(project, how):
    # was GC108 in the occurrence's lint and "bundle not written: the occurrence ... does not lint", exit 1
    (project / "s.yaml").write_text(SCHEDULED)
    reason = unreadable_option_file(project, how)
    result = graphc(project, "bundle", "s.yaml", "-o", "out", "--params", "f.yaml", "--now", "2026-01-05T00:00:00Z")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr == f"graphc: bundle not written: cannot read params file f.yaml: {reason}\n"
    assert result.stdout == "" and not (project / "out").exists()


# -- an option file that is the operator's own pipe, given to many files (`lint a.yaml b.yaml --params <(...)`) ---

PRICED = (
    "graphc: 1\nname: {name}\nparams:\n  px: {{type: number}}\nlegs:\n"
    '  a: {{buy: 1 ETH, symbol: ETH-USD, limit: "{{{{ px }}}}"}}\n'
)


def graphc_with_pipe(cwd: Path, content: str, *args: str, env=None) -> subprocess.CompletedProcess:
    """``graphc ARGS`` with ``{pipe}`` in ARGS replaced by ``/dev/fd/N``, a pipe (no name in a folder, as a shell's
    process substitution) that ``content`` was written to once, its writer then closed; in the environment ``env``
    (else this one)."""
    read, write = os.pipe()
    try:
        os.write(write, content.encode())  # (well within a pipe's buffer: the writer never waits for the reader)
        os.close(write)
        named = [arg.replace("{pipe}", f"/dev/fd/{read}") for arg in args]
        env = {**(os.environ if env is None else env), "PYTHONPATH": str(REPO)}
        return subprocess.run(
            [sys.executable, "-m", "graphc", *named],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=env,
            pass_fds=(read,),
        )
    finally:
        os.close(read)


@pytest.fixture
def priced(tmp_path):
    """Three playbooks that need the param `px`, in a project of their own."""
    (tmp_path / ".git").mkdir()
    for name in "abc":
        (tmp_path / f"{name}.yaml").write_text(PRICED.format(name=name))
    return tmp_path


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["no-cache", "cache"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_params_pipe_given_to_many_files_is_read_once_for_them_all(priced, jobs, cache):
    # before the fix each file's compile read the pipe again: the first file took its text, every other file read
    # nothing (GC108 "params file /dev/fd/N must be a mapping", and its param "required and has no value"), and
    # each -j worker did the same
    files = ["a.yaml", "b.yaml", "c.yaml"]
    result = graphc_with_pipe(
        priced, "px: 2000\n", "lint", *cache, "-j", jobs, *files, "--params", "{pipe}", "-f", "json"
    )
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert diagnostics(result) == []
    assert linted(result, priced) == files


def test_a_params_pipe_given_to_many_files_says_the_names_none_declares(priced):
    # the names of the params file are checked against the files linted after the run: from the text read once,
    # not from the used-up pipe (which gave none, so the run passed a name no file declares)
    result = graphc_with_pipe(
        priced, "px: 2000\nnope: 1\n", "lint", "--no-cache", "a.yaml", "b.yaml", "--params", "{pipe}"
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert (
        "--params /dev/fd/" in result.stderr and "no linted playbook or template declares param `nope`" in result.stderr
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_params_pipe_with_a_problem_is_reported_as_a_params_file_is(priced, jobs):
    # the params file's own findings are located in it (line:col), as for a regular file: once per linted file,
    # each file's the same
    text = "px: 2000\npx: 3\n"
    (priced / "params.yaml").write_text(text)
    files = ["a.yaml", "b.yaml"]
    from_file = graphc(priced, "lint", "--no-cache", "-j", jobs, *files, "--params", "params.yaml", "-f", "json")
    from_pipe = graphc_with_pipe(
        priced, text, "lint", "--no-cache", "-j", jobs, *files, "--params", "{pipe}", "-f", "json"
    )
    assert from_file.returncode == from_pipe.returncode == 1, (from_pipe.stdout, from_pipe.stderr)

    def found(result, params):
        return sorted(
            (params if d["path"] not in files else d["path"], d["code"], d["line"], d["column"], d["message"])
            for d in json.loads(result.stdout)["diagnostics"]
        )

    assert found(from_pipe, "PARAMS") == found(from_file, "PARAMS")
    assert [(d[1], d[2], d[3]) for d in found(from_pipe, "PARAMS")] == [("GC101", 2, 1)] * 2 + [("GC108", 4, 3)] * 2
    placed = {d["path"] for d in json.loads(from_pipe.stdout)["diagnostics"]} - set(files)
    assert len(placed) == 1 and placed.pop().startswith("/dev/fd/")  # at the name the pipe was given by


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_quotes_pipe_given_to_many_files_is_read_once_for_them_all(priced, jobs):
    files = ["a.yaml", "b.yaml", "c.yaml"]
    quotes = "ETH-USD: {bid: 1999, ask: 2001, tick: 0.01}\n"
    result = graphc_with_pipe(
        priced, quotes, "lint", "--no-cache", "-j", jobs, *files, "--set", "px=3000", "--quotes", "{pipe}", "-f", "json"
    )
    # a limit 50% over the quote's mid, in every file: each file's check used the snapshot (GC406, a warning)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert sorted((path, code) for path, code, _ in diagnostics(result)) == [(f, "GC406") for f in files]


# -- a params pipe given to a command that compiles its playbook more than once (`--quotes live`, `run --loop`) -----

BUDGETED = """\
graphc: 1
name: budgeted
params:
  budget: {type: money}
legs:
  a: {buy: "${{ budget }}", symbol: BTC-USD, venue: coinbase, limit: ask + 1 tick}
"""
BUDGET = "budget: $750\n"
SIZE_1E8 = 771204  # $750 at the sandbox's BTC-USD ask + 1 tick, 97250.52: 0.0077120410.., rounded down to 1e-8


def sizes_sent(router) -> list[int]:
    """The size of each graph the router (a sandbox, real HTTP) was sent, in 1e-8."""
    sizes = []
    for graph in router.graphs():
        status, view, _ = router.api("GET", f"/v1/execution_graphs/{graph['graph_id']}")
        assert status == 200, view
        sizes += [node["target_qty_1e8"] for node in view["nodes"].values()]
    return sizes


@pytest.fixture
def budgeted(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "b.yaml").write_text(BUDGETED)
    return tmp_path


@pytest.mark.parametrize("command", ["plan", "submit", "compile", "graph"])
def test_a_params_pipe_is_read_once_by_a_command_that_asks_the_router_for_quotes(btc_router, budgeted, command):
    # `--quotes live` compiles the playbook to learn which quotes to ask the router for, then again with them: before
    # the fix plan and submit read the pipe for each compile, so the second (the graph planned or sent) read nothing:
    # GC108 "params file /dev/fd/N must be a mapping", "param `budget` ... is required and has no value"
    result = graphc_with_pipe(
        budgeted, BUDGET, command, "b.yaml", "--quotes", "live", "--params", "{pipe}", env=cli_env(btc_router)
    )
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "GC108" not in result.stdout + result.stderr
    if command == "submit":
        assert sizes_sent(btc_router) == [SIZE_1E8]
    elif command == "plan":
        assert "0.00771204 BTC" in result.stdout, result.stdout
    else:
        assert btc_router.graphs() == []


def test_a_submit_that_prices_again_renders_with_the_params_pipe_it_read_once(btc_router, budgeted):
    # the look at the router for the run outlasts --max-age: the quotes are read again and the graph rendered,
    # compiled and linted again before it is sent, with the params the pipe gave the first time (it gives no more)
    btc_router.set_faults([{"method": "GET", "path_prefix": "/v1/orders", "kind": "slow", "delay": 1.5, "count": 1}])
    result = graphc_with_pipe(
        budgeted, BUDGET, "submit", "b.yaml", "--quotes", "live", "--params", "{pipe}", "--max-age", "1",
        "--run-key", "again", env=cli_env(btc_router),
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert "re-priced" in result.stderr and "GC108" not in result.stdout + result.stderr
    assert sizes_sent(btc_router) == [SIZE_1E8]


EVERY_MINUTE = """\
graphc: 1
name: minutely
schedule: {cron: "* * * * *", catch_up: 10m}
params:
  budget: {type: money}
legs:
  a: {buy: "${{ budget }}", symbol: BTC-USD, venue: coinbase, limit: ask + 1 tick}
"""


def test_a_loop_renders_every_occurrence_with_the_params_pipe_it_read_at_start(btc_router, tmp_path):
    # before the fix the check at start read the pipe, and each occurrence read it again and found nothing: the
    # first occurrence was `lint_failed` (GC108), retried for ever. A --params file is read again at each
    # occurrence (docs/recurring.md, "Edits while a loop runs"); a pipe has nothing more to give: read once
    (tmp_path / ".git").mkdir()
    (tmp_path / "m.yaml").write_text(EVERY_MINUTE)
    read, write = os.pipe()
    os.write(write, BUDGET.encode())
    os.close(write)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "graphc", "run", "m.yaml", "--loop", "--now", "2026-01-05T14:00:58Z",
             "--settle", "0", "--params", f"/dev/fd/{read}"],
            cwd=tmp_path, env={**cli_env(btc_router), "PYTHONPATH": str(REPO)}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, pass_fds=(read,),
        )  # fmt: skip
    finally:
        os.close(read)
    log: list[dict] = []
    try:
        deadline = time.monotonic() + TIMEOUT
        while sum(e["event"] in ("submitted", "lint_failed") for e in log) < 2:  # 14:00 at once, 14:01 two s later
            assert time.monotonic() < deadline, log
            line = proc.stdout.readline()
            assert line, (log, proc.stderr.read())
            log.append(json.loads(line))
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    done = [(e["event"], e["run_key"]) for e in log if e["event"] in ("submitted", "lint_failed")]
    assert done == [("submitted", "minutely@2026-01-05T14:00Z"), ("submitted", "minutely@2026-01-05T14:01Z")], log
    assert sizes_sent(btc_router) == [SIZE_1E8] * 2
