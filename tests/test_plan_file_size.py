"""A saved plan and the file size limit (GRAPHC_MAX_FILE_BYTES) that `plan` and `submit` read it under (audit
scale25 2): `plan -o` never writes, or calls ready, a plan too large to read back, and a plan over the limit is
refused for its size, not as "not a readable plan: Unterminated string"."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sandbox_fixture import run_graphc

LIMIT = 20_000  # the playbook below is about 400 bytes; its plan about 30,000


def ladder(rungs: int) -> str:
    return f"""graphc: 1
name: ladder
sandbox: true
legs:
  rung:
    for_each: {rungs}
    buy: 0.01 ETH
    symbol: ETH-USD
    limit: "{{{{ 2000 - index }}}}"
    after: "{{{{ 'rung-' ~ (index - 1) ~ ' filled' if index else none }}}}"
"""


def graphc(args, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m graphc ARGS`` with no router, credentials or graphc limit from this environment but ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHC_", "SEQUENCE_"))}
    environment.update(NO_COLOR="1", GRAPHC_CREDENTIALS="/nonexistent/graphc-credentials", **env)
    return run_graphc(args, environment, cwd, timeout=120)


def test_plan_o_refuses_a_plan_over_the_limit_it_would_be_read_under(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ladder.yaml").write_text(ladder(50))
    assert (tmp_path / "ladder.yaml").stat().st_size < LIMIT
    (tmp_path / "p.plan").write_text('{"graphc_plan": 2}')  # an earlier run's: it must not pass for this one's
    done = graphc(["plan", "ladder.yaml", "-o", "p.plan"], tmp_path, GRAPHC_MAX_FILE_BYTES=str(LIMIT))
    assert done.returncode == 2, done.stderr  # was 0: "ready", and a plan no command could read back
    assert not (tmp_path / "p.plan").exists()
    said = done.stderr.splitlines()
    assert "graphc: removed p.plan (from an earlier run): the plan failed, so it must not read as its plan" in said
    assert any(
        line.startswith("graphc: p.plan not written: the plan is ")
        and f"bytes, larger than {LIMIT:,} bytes, the size limit of a file graphc reads (GRAPHC_MAX_FILE_BYTES)" in line
        and "set GRAPHC_MAX_FILE_BYTES to a larger number of bytes for this run and those that read the plan" in line
        for line in said
    ), done.stderr
    # under a limit it fits, the same plan is written and read back
    done = graphc(["plan", "ladder.yaml", "-o", "p.plan"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert LIMIT < (tmp_path / "p.plan").stat().st_size < 10_000_000


def test_a_plan_over_the_limit_is_refused_for_its_size(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ladder.yaml").write_text(ladder(50))
    assert graphc(["plan", "ladder.yaml", "-o", "p.plan"], tmp_path).returncode == 0
    size = (tmp_path / "p.plan").stat().st_size
    assert size > LIMIT
    for command in ("plan", "submit"):
        done = graphc([command, "p.plan"], tmp_path, GRAPHC_MAX_FILE_BYTES=str(LIMIT))
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines()[-1] == (
            f"graphc: refused: p.plan is not read: it is larger than {LIMIT:,} bytes, the size limit of a file graphc "
            "reads (GRAPHC_MAX_FILE_BYTES); set GRAPHC_MAX_FILE_BYTES to a larger number of bytes for the run that "
            'reads it (docs/robustness.md, "Raising a limit")'
        ), done.stderr
        assert "Unterminated" not in done.stderr and "not a readable plan" not in done.stderr
    done = graphc(["plan", "p.plan"], tmp_path, GRAPHC_MAX_FILE_BYTES=str(size))  # exactly at the limit: read
    assert done.returncode == 0, done.stderr
