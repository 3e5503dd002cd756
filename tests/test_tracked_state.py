"""graphc's state that git tracks is not trusted (audit sec16 1): the lint cache and the submission ledger.

`.graphc/.gitignore` keeps both out of git; one added anyway (`git add -f`) came with the checkout, and a pull
request may have chosen what it holds. :func:`graphc.files.git_tracked` is the one question both ask, answered
from a real repository's index here (versions 2, 3 and 4).
"""

from __future__ import annotations

import os
import subprocess

import pytest

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
