"""A project's config is as untrusted as its playbooks (docs/robustness.md): bounded work, and every problem a
located diagnostic, never a hang, a crash or a config silently not read (audit config26)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from graphc.cli import cli

# Kalshi: 10 contracts at 0.41, on the market's tick; the a.yaml of the audit's reproductions.
PLAYBOOK = (
    "graphc: 1\nname: a\nlegs:\n  entry:\n    buy: 10 contracts\n    symbol: KXFEDDECISION-26DEC-C25\n    limit: 0.41\n"
)


def project(root: Path, files: dict[str, str | bytes]) -> Path:
    """A git repository at ``root`` (a `.git` folder ends the walk) holding ``files`` and ``a.yaml``."""
    (root / ".git").mkdir()
    (root / "a.yaml").write_text(PLAYBOOK)
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            (root / name).write_bytes(data)
        else:
            (root / name).write_text(data)
    return root


def lint(*args):
    result = CliRunner().invoke(cli, ["lint", "--no-cache", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_a_pyproject_padded_with_blank_lines_is_read_in_linear_time(tmp_path):
    # `^\s*` crossed line breaks: each line of a run of blank lines scanned the rest of the run, 30,000 lines took
    # a minute (audit config26 1); each command looks at the pyproject on its way to the project root
    padding = "\n" * 100_000
    project(tmp_path, {"pyproject.toml": '[project]\nname = "desk"\ndependencies = ["graphc"]\n' + padding})
    env = {**os.environ, "NO_COLOR": "1", "GRAPHC_NO_CACHE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "a.yaml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems" in done.stdout
