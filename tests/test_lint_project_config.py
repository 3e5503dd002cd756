"""Each linted file gets the configuration of its own project root, whatever else is on the command line.

docs/playbooks.md "Market facts and graphc.toml", docs/output-formats.md "Suppressing and configuring" and
docs/integrations.md: the config is the ``graphc.toml`` (or ``[tool.graphc]``) found by walking up from the
linted file. Before this was fixed, ``graphc lint`` read one config per run, the one found from the first path
(audit ci.md #1), and its cache key did not cover where each file's project root is (ci.md #2).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli

# 97000.25 is on the default coinbase BTC-USD tick (0.01) and off a 0.5 tick: GC303 only where a graphc.toml
# sets tick = 0.5 (the audit's reproduction; the message is the one `graphc lint b/y.yaml` gives alone).
PLAYBOOK = "graphc: 1\nname: x\nlegs:\n  spot: {buy: 2 BTC, symbol: BTC-USD, venue: coinbase, limit: 97000.25}\n"
HALF_TICK = '[markets."BTC-USD"]\ntick = 0.5\n'
OFF_TICK = "error GC303 price 97000.25 is not on coinbase's 0.5 tick"


def repository(root, files: dict[str, str]):
    """A git repository at ``root`` (a `.git` folder: the outermost project root) holding ``files``."""
    (root / ".git").mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """A repository with two subprojects: a/ (no graphc.toml: the repository's defaults) and b/ (tick 0.5)."""
    monkeypatch.chdir(tmp_path)
    return repository(tmp_path, {"a/x.yaml": PLAYBOOK, "b/y.yaml": PLAYBOOK, "b/graphc.toml": HALF_TICK})


def lint(*args, cache=False):
    env = {"GRAPHC_NO_CACHE": "" if cache else "1"}  # conftest.py turns the cache off for the suite
    result = CliRunner().invoke(cli, ["lint", *map(str, args)], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout


def error_paths(stdout: str) -> list[str]:
    return [line.split(":")[0] for line in stdout.splitlines() if OFF_TICK in line]


@pytest.mark.parametrize(
    "paths",
    [["a/x.yaml", "b/y.yaml"], ["b/y.yaml", "a/x.yaml"], ["."], ["b", "a"]],
    ids=["a-first", "b-first", "dot", "dirs-b-first"],
)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_file_is_linted_with_its_own_project_config(desk, paths, jobs):
    code, out = lint(*paths, "-j", jobs)
    assert code == 1, out
    # only b's file is off b's tick; a/x.yaml keeps the default tick, whichever path came first
    assert [p.removeprefix("./") for p in error_paths(out)] == ["b/y.yaml"], out
    assert "1 error in 2 files" in out


def test_the_same_verdicts_as_linting_each_file_alone(desk):
    assert lint("a/x.yaml")[0] == 0
    assert lint("b/y.yaml")[0] == 1
    assert lint("a/x.yaml", "b/y.yaml", "-f", "json")[0] == 1
    report = json.loads(lint("a/x.yaml", "b/y.yaml", "-f", "json")[1])
    assert {f["path"]: f["errors"] for f in report["files"]} == {"a/x.yaml": 0, "b/y.yaml": 1}
    assert [(d["path"], d["code"]) for d in report["diagnostics"]] == [("b/y.yaml", "GC303")]


def test_rule_severities_and_strict_are_per_file(desk):
    # b makes GC303 a warning and is strict; a has the same tick but turns GC303 off
    (desk / "b" / "graphc.toml").write_text(HALF_TICK + 'strict = true\n[rules]\nGC303 = "warning"\n')
    (desk / "a" / "graphc.toml").write_text('[markets."BTC-USD"]\ntick = 0.5\n[rules]\nGC303 = "off"\n')
    code, out = lint("a/x.yaml", "b/y.yaml")
    assert "b/y.yaml:4:63: warning GC303" in out and "a/x.yaml:" not in out, out
    assert code == 1  # b's strict: its warning fails the run
    (desk / "b" / "graphc.toml").write_text(HALF_TICK + '[rules]\nGC303 = "warning"\n')
    (desk / "a" / "graphc.toml").write_text("strict = true\n")  # a is strict, but a has no finding
    code, out = lint("a/x.yaml", "b/y.yaml")
    assert "b/y.yaml:4:63: warning GC303" in out, out
    assert code == 0  # a warning in a non-strict project does not fail the run because another project is strict


def test_config_problems_are_reported_once_per_config_file(desk):
    (desk / "a" / "graphc.toml").write_text("stirct = true\n")
    (desk / "a" / "z.yaml").write_text(PLAYBOOK)
    (desk / "b" / "graphc.toml").write_text("strict = 1\n" + HALF_TICK)
    code, out = lint("a/x.yaml", "a/z.yaml", "b/y.yaml")
    assert code == 1
    lines = out.splitlines()
    assert sum(line.startswith("a/graphc.toml:1:1: error GC102 unknown key 'stirct'") for line in lines) == 1, out
    assert sum(line.startswith("b/graphc.toml:1:1: error GC103 `strict` must be true") for line in lines) == 1, out
    assert error_paths(out) == ["b/y.yaml"]  # b's tick still applies: what could be read is used


def test_a_config_file_given_applies_to_every_file(desk):
    (desk / "half.toml").write_text(HALF_TICK)
    code, out = lint("a/x.yaml", "b/y.yaml", "--config", "half.toml")
    assert code == 1 and error_paths(out) == ["a/x.yaml", "b/y.yaml"], out
    # an inline setting goes on top of each file's own config
    code, out = lint("a/x.yaml", "b/y.yaml", "--config", 'rules.GC303 = "warning"')
    assert code == 0 and "b/y.yaml:4:63: warning GC303" in out and "a/x.yaml:" not in out, out


@pytest.mark.parametrize(
    ("text", "near"),
    [
        ('[tool.graphic]\nstrict = true\n[tool.graphic.rules]\nGC303 = "warning"\n', " (it has [tool.graphic]: did"),
        ("[tools.graphc]\nstrict = true\n", " (it has [tools.graphc]: did"),
        ("[graphc]\nstrict = true\n", " (it has [graphc]: did"),
        ('[project]\nname = "desk"\n[tool.ruff]\nline-length = 100\n', ""),
    ],
    ids=["misspelt", "tools", "top-level", "none"],
)
def test_a_pyproject_named_with_config_must_hold_graphc_settings(desk, text, near):
    # audit cfgsec 5: `--config pyproject.toml` without a [tool.graphc] table ran with an empty config, without a
    # word (exit 1 here: b's own tick 0.5 was dropped too, and GC303 = "warning" or strict unread). The operator
    # named the file as the config, so it is a usage error (exit 2) naming the table graphc reads.
    (desk / "p2").mkdir()
    (desk / "p2" / "pyproject.toml").write_text(text)
    result = CliRunner().invoke(cli, ["lint", "b/y.yaml", "--config", "p2/pyproject.toml"])
    assert result.exit_code == 2, result.output
    message = "p2/pyproject.toml has no [tool.graphc] table, so it holds no graphc settings"
    assert message + (near + " you mean [tool.graphc]?)" if near else "\n") in result.stderr, result.stderr
    assert "GC303" not in result.stdout  # nothing was linted


def test_a_pyproject_with_tool_graphc_is_a_config_and_discovery_still_passes_over_one_without(desk):
    (desk / "p2").mkdir()
    (desk / "p2" / "pyproject.toml").write_text('[tool.graphc.markets."BTC-USD"]\ntick = 0.5\n')
    code, out = lint("a/x.yaml", "--config", "p2/pyproject.toml")
    assert code == 1 and error_paths(out) == ["a/x.yaml"], out  # its tick 0.5 applies to a/, which has none
    # found by the walk, a pyproject without [tool.graphc] is passed over without a word, as documented
    # (docs/output-formats.md): a/ is linted with the repository's defaults, as with no pyproject at all
    before = lint("a/x.yaml")
    (desk / "a" / "pyproject.toml").write_text("[tool.graphic]\nstrict = true\n")
    assert lint("a/x.yaml") == before and before[0] == 0, before


# review15 3: a --config file that cannot be read was a GC100 finding and the playbooks were linted without it
# (exit 1). The operator named it to configure the run: unreadable input, exit 2 (spec §8), before any playbook.
UNREADABLE_CONFIGS = {
    "not-utf8": (
        lambda desk: (desk / "c.toml").write_bytes(b'[rules]\nGC105 = "\xff"\n'),
        "cannot read config file c.toml:2:10: the file is not UTF-8 text: byte 0xFF cannot be decoded "
        "(invalid start byte)",
    ),
    "too-big": (
        lambda desk: (desk / "c.toml").write_text("strict = true\n" + "# padding\n" * 30),
        "cannot read config file c.toml: it is larger than 200 bytes (GRAPHC_MAX_FILE_BYTES)",
    ),
    "missing": (lambda desk: None, "cannot read config file c.toml: there is no such file"),
    "folder": (lambda desk: (desk / "c.toml").mkdir(), "cannot read config file c.toml: it is a directory"),
    "pyproject-not-utf8": (
        lambda desk: (desk / "pyproject.toml").write_bytes(b"[tool.graphc]\nstrict = true # \xe9t\xe9\n"),
        "cannot read config file pyproject.toml:2:17: the file is not UTF-8 text: byte 0xE9",
    ),
}


@pytest.mark.parametrize("kind", UNREADABLE_CONFIGS)
def test_a_config_file_named_that_cannot_be_read_is_a_usage_error(desk, monkeypatch, kind):
    from graphc import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 200)
    make, message = UNREADABLE_CONFIGS[kind]
    make(desk)
    name = "pyproject.toml" if kind.startswith("pyproject") else "c.toml"
    for paths in (["b/y.yaml"], ["a/x.yaml", "b/y.yaml", "-"]):
        result = CliRunner().invoke(cli, ["lint", *paths, "--config", name], input=PLAYBOOK)
        assert result.exit_code == 2, result.output
        assert message in result.stderr, result.stderr
        assert "--config" in result.stderr, result.stderr  # click's "Invalid value for '--config'"
        assert result.stdout == ""  # nothing linted: no GC100 finding, no GC303 of b/, no summary


def test_a_config_file_named_that_reads_but_is_wrong_stays_a_located_finding(desk):
    # TOML syntax and bad values are the file's content: located in it, exit 1, as for a found graphc.toml
    (desk / "c.toml").write_text('[rules]\nGC105 = "loud"\n')
    code, out = lint("a/x.yaml", "--config", "c.toml")
    assert code == 1 and "c.toml:2:1: error GC103 rule GC105 must be" in out, out
    (desk / "c.toml").write_text("[rules\n")
    code, out = lint("a/x.yaml", "--config", "c.toml")
    assert code == 1 and "c.toml:1:7: error GC100 TOML syntax error" in out, out


def test_a_found_config_that_cannot_be_read_is_still_a_finding(desk):
    # not named by the operator: a repository's graphc.toml is checked like its playbooks (GC100, exit 1)
    (desk / "b" / "graphc.toml").write_bytes(b'[rules]\nGC105 = "\xff"\n')
    code, out = lint("b/y.yaml")
    said = "b/graphc.toml:2:10: error GC100 cannot read config file: the file is not UTF-8 text: byte 0xFF"
    assert code == 1 and said in out, out  # at the bad byte, as a playbook's GC112 (audit config26 11)


def test_lint_is_the_only_command_that_takes_a_config_file():
    # each command with --config must pass the one gate above (Projects): a new one fails here until it does
    import click

    context = click.Context(cli)
    commands = [cli.get_command(context, name) for name in cli.list_commands(context)]
    assert len(commands) > 15  # every command, loaded
    takers = [command.name for command in commands if any("--config" in p.opts for p in command.params)]
    assert takers == ["lint"]


def test_stdin_uses_the_config_of_its_file_name(desk):
    runner = CliRunner()
    for name, expected in (("b/y.yaml", 1), ("a/x.yaml", 0)):
        result = runner.invoke(
            cli, ["lint", "a/x.yaml", "-", "--stdin-filename", name], input=PLAYBOOK, env={"GRAPHC_NO_CACHE": "1"}
        )
        assert result.exit_code == expected, result.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_cache_keeps_each_files_config(desk, jobs):
    for paths in (["a/x.yaml", "b/y.yaml"], ["b/y.yaml", "a/x.yaml"], ["."]):
        uncached = lint(*paths, "-j", jobs)
        assert lint(*paths, "-j", jobs, cache=True) == uncached  # cold
        assert lint(*paths, "-j", jobs, cache=True) == uncached  # warm
    (desk / "b" / "graphc.toml").write_text('[markets."BTC-USD"]\ntick = 0.25\n')  # 97000.25 = 388001 * 0.25
    uncached = lint(".")
    assert uncached[0] == 0, uncached[1]
    assert lint(".", cache=True) == uncached


# -- ci.md #2: a graphc.toml appearing or disappearing between a file and its old project root ------------------

TEMPLATE = "graphc-template: 1\nlegs: {x: {buy: 1 BTC, symbol: BTC-USD, venue: coinbase, limit: 97000}}\n"
USER = "graphc: 1\nname: p\nlegs: {o: {use: ../../shared/t.yaml}}\n"


@pytest.fixture
def nested(tmp_path, monkeypatch):
    """The audit's reproduction: b/sub/p.yaml uses ../../shared/t.yaml, inside the repository's root."""
    monkeypatch.chdir(tmp_path)
    return repository(tmp_path, {"shared/t.yaml": TEMPLATE, "b/sub/p.yaml": USER, "a/x.yaml": PLAYBOOK})


def test_the_cache_sees_a_new_project_root(nested):
    assert lint(".", cache=True)[0] == 0
    (nested / "b" / "graphc.toml").write_text("")  # b/ is now a project: ../../shared is outside it (GC107)
    uncached = lint(".")
    assert uncached[0] == 1 and "GC107" in uncached[1] and "outside the project root" in uncached[1]
    assert lint(".", cache=True) == uncached


def test_the_cache_sees_a_project_root_go_away(nested):
    (nested / "b" / "graphc.toml").write_text("")
    assert lint(".", cache=True)[0] == 1
    (nested / "b" / "graphc.toml").unlink()  # the root is the repository again: the template is inside it
    uncached = lint(".")
    assert uncached[0] == 0, uncached[1]
    assert lint(".", cache=True) == uncached


def test_the_cache_sees_a_pyproject_that_starts_declaring_graphc(nested):
    (nested / "b" / "pyproject.toml").write_text('[project]\nname = "b"\n')  # not graphc's: no project root
    assert lint(".", cache=True)[0] == 0
    (nested / "b" / "pyproject.toml").write_text('[project]\nname = "b"\n[tool.graphc]\nstrict = false\n')
    uncached = lint(".")
    assert uncached[0] == 1 and "GC107" in uncached[1]
    assert lint(".", cache=True) == uncached


# -- compile and plan read the config of the playbook's own project too --------------------------------------------

# $1000 at 97000 is 0.0103092783... BTC: 0.01030927 on the default 1e-8 step (qty_1e8 1030927), 0.010 on a
# 0.001 lot (qty_1e8 1000000); the quotes carry no lot, so the config's lot decides (docs/playbooks.md
# "Market facts and graphc.toml": the snapshot, then [markets."SYMBOL"], then the venue profile).
NOTIONAL = "graphc: 1\nname: n\nlegs:\n  spot: {buy: $1000, symbol: BTC-USD, venue: coinbase, limit: 97000}\n"


@pytest.fixture
def lots(tmp_path):
    files = {"a/n.yaml": NOTIONAL, "b/n.yaml": NOTIONAL, "b/graphc.toml": '[markets."BTC-USD"]\nlot = 0.001\n'}
    return repository(tmp_path, {**files, "q.yaml": "BTC-USD: {bid: 96999, ask: 97001, last: 97000}\n"})


@pytest.mark.parametrize("cwd", [".", "a", "b"])
def test_compile_and_plan_use_the_playbooks_own_project_config(lots, monkeypatch, cwd):
    monkeypatch.chdir(lots / cwd)
    quotes = str(lots / "q.yaml")
    runner = CliRunner()
    for name, qty, size in (("a", 1030927, "0.01030927 BTC"), ("b", 1000000, "0.01 BTC ")):
        playbook = str(lots / name / "n.yaml")
        compiled = runner.invoke(cli, ["compile", playbook, "--quotes", quotes], catch_exceptions=False)
        assert compiled.exit_code == 0, compiled.output
        assert json.loads(compiled.stdout)["nodes"][0]["quantity"]["fixed"]["qty_1e8"] == qty
        planned = runner.invoke(cli, ["plan", playbook, "--quotes", quotes], catch_exceptions=False)
        assert planned.exit_code == 0, planned.output
        assert f"spot  buy   {size}" in planned.stdout, planned.stdout


# -- `strict = true` applies to every command that lints, as to lint (audit cfg20 4) ----------------------------------

SLIPPY = (
    "graphc: 1\nname: t\nlegs:\n  a: {buy: 0.01 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000, slippage: 6%}\n"
)


@pytest.mark.parametrize("strict", [True, False])
def test_lint_and_plan_agree_on_a_strict_projects_warning(tmp_path, monkeypatch, strict):
    repository(tmp_path, {"p.yaml": SLIPPY, "graphc.toml": f"strict = {'true' if strict else 'false'}\n"})
    monkeypatch.chdir(tmp_path)
    code, out = lint("p.yaml")
    planned = CliRunner().invoke(cli, ["plan", "p.yaml"], catch_exceptions=False)
    # before the fix: lint rc 1 (GC403 an error) while plan said ready, rc 0, with the same GC403 a warning
    assert (code, planned.exit_code) == ((1, 1) if strict else (0, 0)), (out, planned.output)
    level = "error" if strict else "warning"
    assert f"{level} GC403" in out and f"{level} GC403" in planned.output
    if strict:
        assert "not ready to submit: lint found errors (`strict = true` in graphc.toml: its warnings are errors)" in (
            planned.output
        )


# -- a rule the config turns off: plan names it, --select turns it on again (audit cfg20 5) ---------------------------

UNDER_A_DOLLAR = "graphc: 1\nname: t\nlegs:\n  a: {buy: 5 shares, symbol: 'will-it-rain:yes', limit: 0.1}\n"


def test_plan_names_the_checks_the_config_turns_off_and_select_turns_one_on(tmp_path, monkeypatch):
    repository(tmp_path, {"p.yaml": UNDER_A_DOLLAR, "graphc.toml": '[rules]\nGC301 = "off"\nGC405 = "warning"\n'})
    monkeypatch.chdir(tmp_path)
    planned = CliRunner().invoke(cli, ["plan", "p.yaml"], catch_exceptions=False)
    # before the fix: ready, and nothing said that GC301 was turned off
    assert planned.exit_code == 0, planned.output
    assert "mode: SANDBOX (paper trading)\nchecks turned off by graphc.toml: GC301\n" in planned.output
    for selector in ("GC301", "min-notional"):
        code, out = lint("--select", selector, "p.yaml")
        assert code == 1 and "error GC301 Polymarket order notional $0.50 is below the $1 minimum" in out, out
    code, out = lint("--select", "GC3", "p.yaml")  # a prefix keeps the file's choice
    assert code == 0 and "GC301" not in out
    # a project that turns nothing off says nothing
    (tmp_path / "graphc.toml").write_text("")
    planned = CliRunner().invoke(cli, ["plan", "p.yaml"], catch_exceptions=False)
    assert "turned off" not in planned.output
