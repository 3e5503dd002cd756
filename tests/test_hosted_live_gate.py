"""The live-trading gate of hosted strategies: `graphc deploy` and `graphc strategy start` are the submit of a
hosted strategy (audit live23 F1), against the sandbox's /v1/strategies (real HTTP, real subprocesses).

A graphc bundle trades live when its strategy runs with ``GRAPHC_LIVE=1`` (and its playbook says ``sandbox:
false``). Writing it took ``graphc bundle --live``; starting it takes the command's own opt-in too, as `graphc
submit` does: ``--live``, and ``--yes`` or a yes at the prompt. ``graphc deploy`` also checks that the bundle's
``project/`` is the one ``graphc bundle`` checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.sandbox_fixture import on_a_terminal, running_sandbox
from tests.test_strategies_cli import strategy_dir

LIVE = """\
graphc: 1
name: dca-live
sandbox: false
schedule:
  cron: "0 14 * * MON"
  catch_up: 1h
risk:
  max_notional: $50k
legs:
  dca:
    buy: 0.01 BTC
    symbol: BTC-USD
    venue: coinbase
"""
PAPER = LIVE.replace("name: dca-live\nsandbox: false\n", "name: dca-paper\n")


@pytest.fixture(scope="module")
def router():
    with running_sandbox(speed=0) as sb:
        yield sb


@pytest.fixture
def sandbox(router):
    router.reset()
    return router


def make_bundle(tmp_path: Path, playbook: str, *args: str) -> tuple[subprocess.CompletedProcess, Path]:
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "dca.yaml").write_text(playbook)
    out = tmp_path / "strat"
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "bundle", "dca.yaml", "-o", str(out), "--now", "2026-01-05T13:00:00Z", *args],
        capture_output=True,
        text=True,
        cwd=project,
        env=_env(),
    )
    assert proc.returncode == 0, proc.stderr
    return proc, out


def _env(sandbox=None) -> dict:
    env = sandbox.env() if sandbox is not None else {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SEQUENCE_API_KEY", None)
    if sandbox is not None:  # the sandbox's own key: the one it runs hosted strategies for (audit sec29 2)
        env["SEQUENCE_API_KEY"] = sandbox.key
    return env


def graphc(sandbox, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args],
        capture_output=True,
        text=True,
        env=_env(sandbox),
        timeout=120,
        stdin=subprocess.DEVNULL,  # no terminal: a live deploy or start needs --yes
    )


def listed(sandbox) -> list[dict]:
    proc = graphc(sandbox, "strategy", "list", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["strategies"]


def sent(sandbox) -> list[dict]:
    """The requests that change something at the router (creates, starts, stops, deletes)."""
    return [r for r in sandbox.requests() if r["method"] != "GET"]


def test_bundle_live_says_live_and_writes_graphc_live_only_for_a_live_playbook(tmp_path):
    proc, out = make_bundle(tmp_path / "a", LIVE, "--live")
    assert proc.stdout.startswith(f"wrote {out}/ (hosted strategy dca-live, LIVE): ")
    assert f"deploy it with `graphc deploy {out} --live`" in proc.stdout
    assert tomllib.loads((out / "Sequence.toml").read_text())["hosted"]["env"]["GRAPHC_LIVE"] == "1"
    # --live of a sandbox playbook has no effect (warned): its strategy is a sandbox one, GRAPHC_LIVE 0
    proc, out = make_bundle(tmp_path / "b", PAPER, "--live")
    assert "--live has no effect" in proc.stderr
    assert proc.stdout.startswith(f"wrote {out}/ (hosted strategy dca-paper, sandbox): ")
    assert tomllib.loads((out / "Sequence.toml").read_text())["hosted"]["env"]["GRAPHC_LIVE"] == "0"


def test_deploy_of_a_live_bundle_needs_live_and_yes_off_a_terminal(sandbox, tmp_path):
    """audit live23 F1: a committed `bundle --live` output was deployed, and traded live, by `graphc deploy DIR`
    with no opt-in, no prompt and no LIVE in the output."""
    _, out = make_bundle(tmp_path, LIVE, "--live")
    bare = graphc(sandbox, "deploy", str(out), "--no-start")
    assert bare.returncode == 2, bare.stderr
    assert 'graphc: refused: dca-live trades LIVE (GRAPHC_LIVE = "1" in Sequence.toml\'s [hosted.env])' in bare.stderr
    assert "pass --live to deploy it to trade for real; nothing was sent" in bare.stderr
    no_yes = graphc(sandbox, "deploy", str(out), "--no-start", "--live")
    assert no_yes.returncode == 2, no_yes.stderr
    assert "with no terminal to confirm on, pass --yes as well as --live" in no_yes.stderr
    assert sent(sandbox) == [] and listed(sandbox) == []
    done = graphc(sandbox, "deploy", str(out), "--no-start", "--live", "--yes")
    assert done.returncode == 0, done.stderr
    (entry,) = listed(sandbox)
    assert done.stdout.startswith(f"deployed dca-live as strategy {entry['strategy_id']} (LIVE, artifact sha256 ")
    assert entry["graphc_live"] is True and entry["env"]["GRAPHC_LIVE"] == "1"
    table = graphc(sandbox, "strategy", "list").stdout.splitlines()
    assert table[0].split()[:3] == ["name", "strategy_id", "mode"]
    assert table[1].split()[:3] == ["dca-live", entry["strategy_id"], "LIVE"]


def test_deploy_env_graphc_live_needs_live_and_says_live(sandbox, tmp_path):
    """audit live23 F1: `--env GRAPHC_LIVE=1` overrode the bundle's "0" without a word."""
    _, out = make_bundle(tmp_path, LIVE, "--live")
    text = (out / "Sequence.toml").read_text().replace('GRAPHC_LIVE = "1"', 'GRAPHC_LIVE = "0"')
    (out / "Sequence.toml").write_text(text)
    paper = graphc(sandbox, "deploy", str(out), "--no-start")
    assert paper.returncode == 0, paper.stderr
    assert "(sandbox, artifact sha256 " in paper.stdout
    refused = graphc(sandbox, "deploy", str(out), "--no-start", "--replace", "--env", "GRAPHC_LIVE=1")
    assert refused.returncode == 2, refused.stderr
    assert "dca-live trades LIVE (--env GRAPHC_LIVE=1)" in refused.stderr
    assert len(sandbox.requests("POST", "/v1/strategies")) == 1
    live = graphc(sandbox, "deploy", str(out), "--no-start", "--replace", "--env", "GRAPHC_LIVE=1", "--live", "--yes")
    assert live.returncode == 0, live.stderr
    assert "(LIVE, artifact sha256 " in live.stdout
    (entry,) = listed(sandbox)
    assert entry["graphc_live"] is True


def test_a_live_deploy_with_the_rehearsal_clock_is_refused(sandbox, tmp_path):
    """audit live23 O2: a live run refuses GRAPHC_NOW (graphc.submit.rehearsal_clock), so a live bundle deployed
    with it would exit 2 at every restart of the runner; deploy refuses it first, from --env or Sequence.toml.
    A sandbox bundle may rehearse with it."""
    _, out = make_bundle(tmp_path, LIVE, "--live")
    now = ("--env", "GRAPHC_NOW=2026-01-05T14:00:00Z")
    refused = graphc(sandbox, "deploy", str(out), "--no-start", "--live", "--yes", *now)
    assert refused.returncode == 2, refused.stderr
    assert 'dca-live trades LIVE (GRAPHC_LIVE = "1" in Sequence.toml\'s [hosted.env]) and sets GRAPHC_NOW' in (
        refused.stderr
    )
    assert "drop GRAPHC_NOW to deploy it; nothing was sent" in refused.stderr
    assert sent(sandbox) == []
    _, paper = make_bundle(tmp_path / "p", PAPER)
    rehearsal = graphc(sandbox, "deploy", str(paper), "--no-start", *now)
    assert rehearsal.returncode == 0, rehearsal.stderr


def test_graphc_live_in_the_secrets_is_refused(sandbox, tmp_path):
    """audit live23 F1: a sealed `[hosted.secrets] GRAPHC_LIVE = "1"` traded live while the visible env said "0"."""
    _, out = make_bundle(tmp_path / "b", PAPER)
    hand_made = strategy_dir(tmp_path)
    for directory in (out, hand_made):
        toml = directory / "Sequence.toml"
        toml.write_text(toml.read_text() + '\n[hosted.secrets]\nGRAPHC_LIVE = "1"\n')
        proc = graphc(sandbox, "deploy", str(directory), "--live", "--yes")
        assert proc.returncode == 2, proc.stderr
        assert "[hosted.secrets] GRAPHC_LIVE: the mode a strategy trades in must be visible" in proc.stderr
    assert sent(sandbox) == []


def test_a_bundle_edited_after_graphc_bundle_checked_it_is_refused(sandbox, tmp_path):
    """audit live23 F1: the bundle's playbook could be edited after its proof and was deployed as it was."""
    _, out = make_bundle(tmp_path, PAPER)
    marker = json.loads((out / "graphc-bundle.json").read_text())
    assert len(marker["project_sha256"]) == 64
    playbook = out / "project" / "dca.yaml"
    playbook.write_text(playbook.read_text().replace("name: dca-paper\n", "name: dca-paper\nsandbox: false\n"))
    proc = graphc(sandbox, "deploy", str(out))
    assert proc.returncode == 2, proc.stderr
    assert (
        f"graphc: refused: {out}/project was edited after `graphc bundle` checked it (graphc-bundle.json records "
        "another hash of it); run graphc bundle again"
    ) in proc.stderr
    (out / "project" / "extra.yaml").write_text("graphc-template: 1\nlegs: {}\n")
    playbook.write_text(PAPER)
    added = graphc(sandbox, "deploy", str(out))
    assert added.returncode == 2 and "was edited after `graphc bundle` checked it" in added.stderr
    (out / "project" / "extra.yaml").unlink()
    del marker["project_sha256"]
    (out / "graphc-bundle.json").write_text(json.dumps(marker))
    older = graphc(sandbox, "deploy", str(out))
    assert older.returncode == 2 and "records no hash of project/" in older.stderr
    (out / "graphc-bundle.json").write_text("{not json")
    broken = graphc(sandbox, "deploy", str(out))
    assert broken.returncode == 2 and "graphc-bundle.json is not graphc's" in broken.stderr
    assert sent(sandbox) == []


def test_a_directory_that_is_not_a_graphc_bundle_is_said_to_be_unjudged(sandbox, tmp_path):
    proc = graphc(sandbox, "deploy", str(strategy_dir(tmp_path)), "--no-start")
    assert proc.returncode == 0, proc.stderr
    assert "is not a graphc bundle (no graphc-bundle.json): graphc cannot tell whether it trades live" in proc.stderr
    assert "LIVE" not in proc.stdout and "sandbox," not in proc.stdout
    (entry,) = listed(sandbox)
    assert entry["graphc_live"] is None
    assert graphc(sandbox, "strategy", "list").stdout.splitlines()[1].split()[2] == "?"


def test_start_of_a_live_strategy_needs_live_and_yes_off_a_terminal(sandbox, tmp_path):
    """audit live23 F1: `strategy stop` then `strategy start` restarted live trading with no opt-in."""
    _, out = make_bundle(tmp_path, LIVE, "--live")
    assert graphc(sandbox, "deploy", str(out), "--no-start", "--live", "--yes").returncode == 0
    (entry,) = listed(sandbox)
    bare = graphc(sandbox, "strategy", "start", "dca-live")
    assert bare.returncode == 2, bare.stderr
    assert 'graphc: refused: dca-live trades LIVE (GRAPHC_LIVE = "1" in its env)' in bare.stderr
    assert "pass --live to start it to trade for real; nothing was sent" in bare.stderr
    no_yes = graphc(sandbox, "strategy", "start", "dca-live", "--live")
    assert no_yes.returncode == 2 and "pass --yes as well as --live" in no_yes.stderr
    assert sandbox.requests("POST", f"/v1/strategies/{entry['strategy_id']}/start") == []
    started = graphc(sandbox, "strategy", "start", "dca-live", "--live", "--yes")
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith(f"start: dca-live ({entry['strategy_id']}, LIVE): ")
    stopped = graphc(sandbox, "strategy", "stop", "dca-live")  # a stop needs no opt-in
    assert (
        stopped.returncode == 0 and stopped.stdout.strip() == f"stop: dca-live ({entry['strategy_id']}, LIVE): stopped"
    )


def test_start_of_a_sandbox_strategy_needs_nothing(sandbox, tmp_path):
    _, out = make_bundle(tmp_path, PAPER)
    assert graphc(sandbox, "deploy", str(out), "--no-start").returncode == 0
    (entry,) = listed(sandbox)
    started = graphc(sandbox, "strategy", "start", "dca-paper")
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith(f"start: dca-paper ({entry['strategy_id']}, sandbox): ")
    with_live = graphc(sandbox, "strategy", "start", "dca-paper", "--live")  # said to have no effect
    assert with_live.returncode == 0 and "graphc: warning: --live has no effect" in with_live.stderr
    assert graphc(sandbox, "strategy", "stop", "dca-paper").returncode == 0


@pytest.mark.parametrize("command", ["deploy", "start"])
def test_a_live_deploy_or_start_asks_on_a_terminal_and_no_sends_nothing(sandbox, tmp_path, command):
    _, out = make_bundle(tmp_path, LIVE, "--live")
    if command == "start":
        assert graphc(sandbox, "deploy", str(out), "--no-start", "--live", "--yes").returncode == 0
    before = len(sent(sandbox))
    args = ["deploy", str(out), "--live"] if command == "deploy" else ["strategy", "start", "dca-live", "--live"]
    code, _, err = on_a_terminal(args, _env(sandbox), tmp_path, b"n\n")
    question = "Deploy dca-live" if command == "deploy" else "Start dca-live"
    assert f"{question} to trade LIVE, with real money? [y/N]: " in err
    assert code == 2 and "graphc: refused: not confirmed: nothing was sent" in err
    assert len(sent(sandbox)) == before


def test_start_of_a_graphc_bundle_whose_env_is_not_shown_needs_live(sandbox):
    """A router that shows no env for a graphc bundle leaves its mode unknown: the start takes the opt-in."""
    entry = {"strategy_id": "abc-1", "name": "hidden", "status": "stopped", "manifest": {"graphc_bundle": {}}}
    sandbox.set_faults(
        [
            {
                "kind": "status",
                "status": 200,
                "method": "GET",
                "path_prefix": "/v1/strategies/abc-1",
                "count": 10,
                "body": json.dumps({"strategy": entry}),
            },
            {
                "kind": "status",
                "status": 200,
                "method": "GET",
                "path_prefix": "/v1/strategies",
                "count": 10,
                "body": json.dumps({"strategies": [entry]}),
            },
        ]
    )
    proc = graphc(sandbox, "strategy", "start", "hidden")
    assert proc.returncode == 2, proc.stderr
    assert "hidden is a graphc bundle whose env the router does not show" in proc.stderr
    with_live = graphc(sandbox, "strategy", "start", "hidden", "--live")
    assert with_live.returncode == 2 and "pass --yes as well as --live" in with_live.stderr
    assert sent(sandbox) == []


def test_no_graphc_setting_may_hide_in_the_secrets(sandbox, tmp_path):
    """audit hosted27 2: `[hosted.secrets] GRAPHC_NOW` on a live bundle was deployed (exit 0) and its runner exited 2
    at every restart; `[hosted.secrets] GRAPHC_SET` changed the budget bought while the visible env showed none.
    Every GRAPHC_* name is refused there, naming it and saying where it belongs; nothing is sent."""
    _, live = make_bundle(tmp_path / "l", LIVE, "--live")
    _, paper = make_bundle(tmp_path / "p", PAPER)
    cases = [
        (live, 'GRAPHC_NOW = "2026-01-19T14:10:00Z"', ("--live", "--yes")),
        (paper, 'GRAPHC_SET = "{\\"weekly_budget\\": \\"$40k\\"}"', ()),
        (strategy_dir(tmp_path), 'GRAPHC_PLAYBOOK = "other.yaml"', ()),
    ]
    for directory, line, flags in cases:
        toml = directory / "Sequence.toml"
        toml.write_text(toml.read_text() + f"\n[hosted.secrets]\n{line}\n")
        proc = graphc(sandbox, "deploy", str(directory), "--no-start", *flags)
        key = line.split(" =")[0]
        assert proc.returncode == 2, (line, proc.stderr)
        assert f"[hosted.secrets] {key}: GRAPHC_* names are graphc's settings" in proc.stderr, proc.stderr
        assert "move it to [hosted.env]" in proc.stderr
    assert sent(sandbox) == []
    other = strategy_dir(tmp_path, name="other")  # any other secret is still sealed and sent
    toml = other / "Sequence.toml"
    toml.write_text(toml.read_text() + '\n[hosted.secrets]\nTOKEN = "t"\n')
    assert graphc(sandbox, "deploy", str(other), "--no-start").returncode == 0


def test_a_bundle_whose_project_is_over_the_limit_is_refused_before_its_hash_reads_it(sandbox, tmp_path):
    """audit hosted27 3: the hash of project/ read each file whole; a 1 TiB sparse file is refused, named, unread.
    The hash is the one graphc bundle recorded before (name and content, each after its length)."""
    import hashlib

    from graphc.strategies import project_sha256

    _, out = make_bundle(tmp_path, PAPER)
    old = hashlib.sha256()
    for file in sorted(p for p in (out / "project").rglob("*") if p.is_file()):
        name, data = file.relative_to(out / "project").as_posix().encode(), file.read_bytes()
        old.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big") + data)
    assert project_sha256(out / "project") == old.hexdigest()
    with open(out / "project" / "huge.bin", "wb") as handle:
        handle.truncate(2**40)
    proc = graphc(sandbox, "deploy", str(out))
    assert proc.returncode == 2, proc.stderr
    assert f"{out}/project is over 64 MiB at huge.bin (1,099,511,627,776 bytes, not read)" in proc.stderr
    assert sent(sandbox) == []


def test_a_bundle_runs_only_the_playbook_set_and_params_graphc_bundle_checked(sandbox, tmp_path):
    """audit hosted27 5: `--env GRAPHC_PLAYBOOK=extra/dca.yaml` (or an edited Sequence.toml) ran a $20k playbook that
    `graphc bundle` never checked: only project/ was compared. graphc-bundle.json records the GRAPHC_PLAYBOOK,
    GRAPHC_SET and GRAPHC_PARAMS it checked with (absent stays absent), and deploy refuses any other value."""
    sized = PAPER.replace("legs:", "params:\n  size: {type: quantity, default: 0.01 BTC}\nlegs:").replace(
        "buy: 0.01 BTC", 'buy: "{{ size }}"'
    )
    _, out = make_bundle(tmp_path, sized, "--set", "size=0.02 BTC")
    marker = json.loads((out / "graphc-bundle.json").read_text())
    assert marker["checked_env"] == {"GRAPHC_PLAYBOOK": "project/dca.yaml", "GRAPHC_SET": '{"size": "0.02 BTC"}'}
    playbook = graphc(sandbox, "deploy", str(out), "--no-start", "--env", "GRAPHC_PLAYBOOK=extra/dca.yaml")
    assert playbook.returncode == 2, playbook.stderr
    assert (
        "--env sets GRAPHC_PLAYBOOK to 'extra/dca.yaml', but `graphc bundle` checked this bundle with GRAPHC_PLAYBOOK "
        "'project/dca.yaml'"
    ) in playbook.stderr
    assert "run `graphc bundle` again with the playbook, --set and --params wanted" in playbook.stderr
    params = graphc(sandbox, "deploy", str(out), "--no-start", "--env", "GRAPHC_PARAMS=project/p.yaml")
    assert params.returncode == 2 and "--env sets GRAPHC_PARAMS to 'project/p.yaml'" in params.stderr
    assert "checked this bundle with GRAPHC_PARAMS none" in params.stderr
    toml = out / "Sequence.toml"
    original = toml.read_text()
    assert 'GRAPHC_SET = "{\\"size\\": \\"0.02 BTC\\"}"' in original
    toml.write_text(original.replace("0.02 BTC", "2 BTC"))
    edited = graphc(sandbox, "deploy", str(out), "--no-start")
    assert edited.returncode == 2, edited.stderr
    assert 'Sequence.toml\'s [hosted.env] sets GRAPHC_SET to \'{"size": "2 BTC"}\'' in edited.stderr
    toml.write_text(original)
    assert sent(sandbox) == []
    # the value it was checked with, and the rehearsal knobs, are allowed
    same = ("--env", "GRAPHC_PLAYBOOK=project/dca.yaml", "--env", "GRAPHC_NOW=2026-01-05T14:00:00Z")
    ok = graphc(sandbox, "deploy", str(out), "--no-start", *same, "--env", "GRAPHC_SETTLE=0")
    assert ok.returncode == 0, ok.stderr
    # a bundle from an older graphc records no settings: refused, as one without a hash of project/ is
    del marker["checked_env"]
    (out / "graphc-bundle.json").write_text(json.dumps(marker))
    older = graphc(sandbox, "deploy", str(out), "--no-start", "--replace")
    assert older.returncode == 2 and "records no settings it was checked with" in older.stderr


def test_start_of_a_bundle_whose_env_runs_an_unchecked_playbook_is_refused(sandbox):
    """audit hosted27 5, strategy start: a graphc bundle deployed by another tool with another GRAPHC_PLAYBOOK."""
    entry = {
        "strategy_id": "abc-1",
        "name": "other-pb",
        "status": "stopped",
        "env": {"GRAPHC_PLAYBOOK": "project/extra/dca.yaml", "GRAPHC_LIVE": "0"},
        "manifest": {"graphc_bundle": {"checked_env": {"GRAPHC_PLAYBOOK": "project/dca.yaml"}}},
    }
    sandbox.set_faults(
        [
            {"kind": "status", "status": 200, "method": "GET", "path_prefix": path, "count": 10, "body": body}
            for path, body in (
                ("/v1/strategies/abc-1", json.dumps({"strategy": entry})),
                ("/v1/strategies", json.dumps({"strategies": [entry]})),
            )
        ]
    )
    proc = graphc(sandbox, "strategy", "start", "other-pb")
    assert proc.returncode == 2, proc.stderr
    assert (
        "other-pb: its env (as the router shows it) sets GRAPHC_PLAYBOOK to 'project/extra/dca.yaml', but "
        "`graphc bundle` checked this bundle with GRAPHC_PLAYBOOK 'project/dca.yaml'"
    ) in proc.stderr
    assert sent(sandbox) == []


def test_a_bundle_holding_a_file_name_that_is_not_utf8_is_refused_not_a_crash(sandbox, tmp_path):
    """audit hosted27 7: `project/y\\xff.yaml` made the hash of project/ raise UnicodeEncodeError, exit 4."""
    _, out = make_bundle(tmp_path, PAPER)
    (out / "project" / os.fsdecode(b"y\xff.yaml")).write_text("x: 1\n")
    proc = graphc(sandbox, "deploy", str(out), "--no-start")
    assert proc.returncode == 2, proc.stderr
    assert f"graphc: refused: y\\xff.yaml in {out}/project: its name is not UTF-8" in proc.stderr
    assert "internal error" not in proc.stderr and sent(sandbox) == []
