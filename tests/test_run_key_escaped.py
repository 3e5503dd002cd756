"""A run key, any text (graphc.api.runtag), and a saved plan's name reach the terminal escaped (notes/audit/status28.md
6): submit's confirmation line, plan's `run key:` line and `ledger --reconcile`'s "not reconciled here" line escape
it as the ledger listing does (graphc.api.redact.clean), and a plan file whose name a terminal would not show as itself
(anyone can recompute a plan's digest) is refused; any other name, a wire graph's file stem `My Graph`, is not
(review28 2). Real `python -m graphc` processes against `graphc sandbox serve`.
"""

from __future__ import annotations

import json

import pytest
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


@pytest.mark.parametrize("name", ["eth\x1b[2Jhedge\r", "\x1b[2J", "eth\u202ehedge", "eth\u200bhedge", "a\nb"])
def test_a_saved_plan_whose_name_cannot_be_shown_as_itself_is_refused(sandbox, hedge_project, name):
    env = _plan(sandbox, hedge_project, name=name)
    proc = run_graphc(["submit", "evil.plan"], env, hedge_project)
    assert proc.returncode == 2, proc.stdout + proc.stderr  # before 7b1a388: submitted, its name printed raw
    assert "evil.plan: its name has characters a terminal would not show as themselves" in proc.stderr
    shown = proc.stdout + proc.stderr.rstrip("\n")
    assert not any(c in shown for c in name if not c.isprintable()), repr(shown)  # nothing raw, one line
    assert sandbox.requests("POST") == []  # nothing sent


LOG_COMMAND_SAID = (
    "holds `##\\[` (shown escaped), which a GitHub Actions log reads as the start of a workflow command; run `graphc "
    "plan` again on a file whose name has none\n"
)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("a##[error]b", "evil.plan: its name " + LOG_COMMAND_SAID),
        (
            "##[stop-commands]x\x1b",
            "evil.plan: its name has characters a terminal would not show as themselves (control, line-break, bidi or "
            "zero-width), and " + LOG_COMMAND_SAID,
        ),
    ],
)
def test_a_saved_plan_whose_name_holds_a_workflow_command_is_refused_naming_it(sandbox, hedge_project, name, said):
    """Refused as a name with a control character is, but the message said only "control, line-break, bidi or
    zero-width" characters, none of which `a##[error]b` holds (a wire graph file `a##[error]b.json`, planned)."""
    env = _plan(sandbox, hedge_project, name=name)
    proc = run_graphc(["submit", "evil.plan"], env, hedge_project)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.endswith(said), proc.stderr
    assert "##[" not in proc.stdout + proc.stderr
    assert sandbox.requests("POST") == []  # nothing sent


@pytest.mark.parametrize("stem", ["Hedge", "My Graph", "hedge (copy)"])
def test_a_saved_plan_of_a_wire_graph_named_otherwise_than_a_playbook_is_submitted(sandbox, hedge_project, stem):
    """notes/audit/review28.md 2: `graphc plan Hedge.json` names the plan after the file's stem, `Hedge`, and submit
    refused any name that was not a playbook name, saying to run `graphc plan` again, which wrote the same name."""
    env = cli_env(sandbox)
    wire = f"{stem}.json"
    made = run_graphc(["compile", "eth-hedge.yaml", "-o", wire], env, hedge_project)
    assert made.returncode == 0, made.stdout + made.stderr
    planned = run_graphc(["plan", wire, "--quotes", "quotes.yaml", "-o", "p.json"], env, hedge_project)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert json.loads((hedge_project / "p.json").read_text())["name"] == stem
    proc = run_graphc(["submit", "p.json"], env, hedge_project)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # before the fix: 2, "its name is not a playbook name"
    assert len(sandbox.requests("POST")) == 1


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
