"""graphc's state that git tracks is not trusted (audit sec16 1): the lint cache and the submission ledger.

`.graphc/.gitignore` keeps both out of git; one added anyway (`git add -f`) came with the checkout, and a pull
request may have chosen what it holds. :func:`graphc.files.git_tracked` is the one question both ask, answered
from a real repository's index here (versions 2, 3 and 4).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from sandbox_fixture import REPO, cli_env, run_graphc

from graphc.api.client import Client
from graphc.api.ledger import Ledger, Scope
from graphc.api.runtag import run_tag
from graphc.files import git_tracked


def _git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a"}
    env["GIT_COMMITTER_EMAIL"] = "a@b"
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _repository(root, index_version):
    root.mkdir(parents=True)
    _git(root, "init", "-q", ".")
    _git(root, "config", "index.version", index_version)
    for name in (".graphc/ledger.sqlite", ".graphc/cache/lint-1.json", "sub/.graphc/ledger.sqlite", "x.graphc/a"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    return root


@pytest.mark.parametrize("index_version", ["2", "3", "4"])
def test_git_tracked_answers_for_a_path_and_what_is_under_it_only(tmp_path, index_version):
    root = _repository(tmp_path / "repo", index_version)
    # a nested project's committed ledger, and a folder whose name ends in `.graphc`, are not this project's
    _git(root, "add", "-f", "sub/.graphc/ledger.sqlite", "x.graphc/a")
    assert git_tracked(root / ".graphc", "ledger.sqlite") is None
    assert git_tracked(root, ".graphc/cache", ".graphc") is None
    assert git_tracked(root / "sub" / ".graphc", "ledger.sqlite") == "ledger.sqlite"
    assert git_tracked(root / "sub", ".graphc") == ".graphc"  # a folder: anything under it
    if index_version == "3":  # an entry with extended flags (intent to add) puts two more bytes before its path
        _git(root, "add", "-N", "-f", ".graphc/ledger.sqlite")
    else:
        _git(root, "add", "-f", ".graphc/ledger.sqlite")
    assert git_tracked(root / ".graphc", "ledger.sqlite-journal", "ledger.sqlite") == "ledger.sqlite"
    assert git_tracked(root, ".graphc/cache") is None  # the folder beside it is not
    assert git_tracked(root / ".graphc", "ledger") is None  # a path is matched whole, not by its start
    _git(root, "add", "-f", ".graphc/cache")
    assert git_tracked(root, ".graphc/cache") == ".graphc/cache"


def test_git_tracked_outside_a_repository_is_nothing(tmp_path):
    (tmp_path / ".graphc").mkdir()
    (tmp_path / ".graphc" / "ledger.sqlite").write_text("x")
    assert git_tracked(tmp_path / ".graphc", "ledger.sqlite") is None
    (tmp_path / ".git").mkdir()  # a `.git` marks a project root, but has no index: nothing tracked
    assert git_tracked(tmp_path / ".graphc", "ledger.sqlite") is None


# -- the ledger (audit sec16 1, as the lint cache) -----------------------------------------------------------------
# A ledger a pull request brings (committed with `git add -f` past `.graphc/.gitignore`) could make a run look
# already submitted (a missed trade), hold an unsettled attempt that blocks it, or name the graph amend reads. Every
# command that opens a ledger refuses one git tracks (exit 2), naming it, before anything is sent.


@pytest.fixture
def repository(tmp_path):
    """A git repository holding the hedge example and a quotes snapshot: its ledger is .graphc/ledger.sqlite."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", ".")
    for source in (REPO / "examples" / "eth-hedge.yaml", REPO / "examples" / "quotes.yaml"):
        (root / source.name).write_text(source.read_text())
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "playbooks")
    return root


def _submit(sandbox, cwd, run_key, *extra):
    args = ["submit", "eth-hedge.yaml", "--quotes", "quotes.yaml", "--run-key", run_key, *extra]
    return run_graphc(args, cli_env(sandbox), cwd)


def _said(proc) -> str:
    """The last line on stderr: submit first reports its lint ("no problems in 1 file ...")."""
    return proc.stderr.splitlines()[-1] if proc.stderr else ""


def _tracked_refusal(ledger, tracked, keep="keep `.graphc/` ignored") -> str:
    what = "it" if tracked == ledger else f"its SQLite file {tracked}"
    return (
        f"graphc: error: cannot use the ledger {ledger}: git tracks {what}, and a ledger that comes with the checkout "
        "is not trusted (a pull request could make a run look submitted, hold it back with an unsettled attempt, or "
        f"name the graph amend reads); if its runs are yours, take it out of git (`git rm --cached "
        f"{shlex.quote(str(tracked))}`) and {keep}, or pass --ledger PATH naming a ledger git does not track"
    )


def test_a_committed_ledger_is_refused_by_submit_ledger_and_amend(sandbox, repository, tmp_path):
    env = cli_env(sandbox)
    mine = tmp_path / "mine.sqlite"  # outside the repository: used as ever
    first = _submit(sandbox, repository, "wk-04", "--ledger", mine)
    assert first.returncode == 0, first.stderr
    gid = first.stdout.split("as graph ")[1].split()[0]
    ledger = repository / ".graphc" / "ledger.sqlite"
    with Client.from_env(env) as client, Ledger(ledger) as planted:  # the pull request's: run wk-05 "was submitted"
        planted.record_found(Scope.of(client), "wk-05", "eth-spot-perp-hedge", run_tag("wk-05"), "graph_1", "x")
    _git(repository, "add", "-f", ".graphc/ledger.sqlite")
    _git(repository, "commit", "-qm", "innocent")
    before = ledger.read_bytes()
    refused = _tracked_refusal(ledger, ledger)

    proc = _submit(sandbox, repository, "wk-05")
    assert (proc.returncode, proc.stdout, _said(proc)) == (2, "", refused + "; nothing was sent")
    listed = run_graphc(["ledger"], env, repository)
    assert (listed.returncode, listed.stdout, _said(listed)) == (2, "", refused)
    amend = run_graphc(["amend", gid, "spot", "--horizon", "30s"], env, repository)
    assert (amend.returncode, _said(amend)) == (2, refused)
    assert len(sandbox.requests("POST", "/v1/orders")) == 1  # wk-04 only
    assert [e for e in sandbox.events(gid) if e["type"] == "node_amended"] == []
    assert ledger.read_bytes() == before  # neither read as this project's nor written to

    _git(repository, "rm", "-q", "--cached", ".graphc/ledger.sqlite")  # the fix the message gives
    again = _submit(sandbox, repository, "wk-06")
    assert again.returncode == 0, again.stderr
    assert run_graphc(["ledger"], env, repository).returncode == 0


def test_a_committed_ledger_named_by_ledger_path_or_its_committed_journal_is_refused(sandbox, repository):
    """--ledger PATH says which file, not that what a checkout put there is this machine's record."""
    (repository / "ci").mkdir()
    ledger = repository / "ci" / "ledger.sqlite"
    Ledger(ledger).close()
    _git(repository, "add", "ci/ledger.sqlite")
    _git(repository, "commit", "-qm", "a ledger in the repository")
    proc = _submit(sandbox, repository, "wk-05", "--ledger", "ci/ledger.sqlite")
    assert (proc.returncode, _said(proc)) == (
        2,
        _tracked_refusal(Path("ci/ledger.sqlite"), Path("ci/ledger.sqlite"), "ignore it") + "; nothing was sent",
    )

    journal = repository / ".graphc" / "ledger.sqlite-journal"  # SQLite would roll the ledger back with it
    journal.parent.mkdir()
    journal.write_bytes(b"")
    _git(repository, "add", "-f", ".graphc/ledger.sqlite-journal")
    _git(repository, "commit", "-qm", "a journal")
    proc = _submit(sandbox, repository, "wk-05")
    default = repository / ".graphc" / "ledger.sqlite"
    assert (proc.returncode, _said(proc)) == (2, _tracked_refusal(default, journal) + "; nothing was sent")
    assert sandbox.requests("POST", "/v1/orders") == []
