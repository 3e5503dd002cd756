"""A run key, any text (graphc.api.runtag), and a saved plan's name reach the terminal escaped (notes/audit/status28.md
6): submit's confirmation line, plan's `run key:` line and `ledger --reconcile`'s "not reconciled here" line escape
it as the ledger listing does (graphc.api.redact.clean), and a plan file whose name is not a playbook name (anyone
can recompute a plan's digest) is refused. Real `python -m graphc` processes against `graphc sandbox serve`.
"""

from __future__ import annotations

import json

from sandbox_fixture import cli_env, run_graphc

from graphc.plan import plan_digest

EVIL = "desk-42\x1b[2J\x1b[1;32mAPPROVED by risk\x1b[0m\r\u202e"
SHOWN = "desk-42\\x1b[2J\\x1b[1;32mAPPROVED by risk\\x1b[0m\\r\\u202e"
RAW = ("\x1b", "\r", "\u202e")


def _no_raw(text: str) -> None:
    assert not any(c in text for c in RAW), repr(text)


def _plan(sandbox, project, **fields):
    env = cli_env(sandbox)
    made = run_graphc(["plan", "eth-hedge.yaml", "--quotes", "quotes.yaml", "-o", "p.plan"], env, project)
    assert made.returncode == 0, made.stdout + made.stderr
    data = json.loads((project / "p.plan").read_text())
    data.update(fields)
    data["plan_sha256"] = plan_digest(data)
    (project / "evil.plan").write_text(json.dumps(data))
    return env


def test_plans_run_key_line_is_escaped(sandbox, hedge_project):
    args = ["plan", "eth-hedge.yaml", "--quotes", "quotes.yaml", "--run-key", EVIL]
    proc = run_graphc(args, cli_env(sandbox), hedge_project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"run key: {SHOWN}\n" in proc.stdout  # before the fix: the CR and U+202E raw (click strips ESC off a tty)
    _no_raw(proc.stdout + proc.stderr)


def test_submits_confirmation_line_escapes_a_saved_plans_run_key(sandbox, hedge_project):
    env = _plan(sandbox, hedge_project, run_key=EVIL)
    proc = run_graphc(["submit", "evil.plan"], env, hedge_project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"(sandbox, run key {SHOWN})\n" in proc.stdout, proc.stdout  # before the fix: raw
    _no_raw(proc.stdout + proc.stderr)


def test_a_saved_plan_whose_name_is_not_a_playbook_name_is_refused(sandbox, hedge_project):
    env = _plan(sandbox, hedge_project, name="eth\x1b[2Jhedge\r")
    proc = run_graphc(["submit", "evil.plan"], env, hedge_project)
    assert proc.returncode == 2, proc.stdout + proc.stderr  # before the fix: submitted, its name printed raw
    assert "its name is not a playbook name ([a-z0-9][a-z0-9._-]*); run `graphc plan` again" in proc.stderr
    _no_raw(proc.stdout + proc.stderr)
    assert sandbox.requests("POST") == []  # nothing sent


def test_reconciles_not_reconciled_here_line_is_escaped(sandbox, hedge_project, tmp_path):
    ledger = tmp_path / "ledger.sqlite"
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}])
    args = ["submit", "eth-hedge.yaml", "--quotes", "quotes.yaml", "--run-key", EVIL, "--ledger", ledger]
    sent = run_graphc(args, cli_env(sandbox), hedge_project)
    assert sent.returncode == 3 and "UNCERTAIN" in sent.stderr, sent.stdout + sent.stderr
    _no_raw(sent.stdout + sent.stderr)
    sandbox.set_faults([])
    other = cli_env(sandbox, SEQUENCE_API_KEY="seq_test_other")  # another account: not reconciled here
    proc = run_graphc(["ledger", "--reconcile", "--ledger", ledger], other, hedge_project)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert f"run 1 ({SHOWN}) not reconciled here: it was submitted with another API key" in proc.stdout
    _no_raw(proc.stdout + proc.stderr)  # before the fix: `run 1 (desk-42…\r) not reconciled here`
