"""A project's config is as untrusted as its playbooks (docs/robustness.md): bounded work, and every problem a
located diagnostic, never a hang, a crash or a config silently not read (audit config26)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


DEEP = "x = " + "[" * 600 + "]" * 600 + "\n"  # tomllib recursed into a RecursionError: exit 4 (audit config26 2)


@pytest.mark.parametrize(
    "name, text, where",
    [
        ("graphc.toml", DEEP, "graphc.toml:1:104:"),  # the 101st opening: the document's table is the first level
        ("pyproject.toml", "[tool.graphc]\n" + DEEP, "pyproject.toml:2:104:"),
        ("graphc.toml", "[rules]\n" + ".".join(["a"] * 200) + " = 1\n", "graphc.toml:1:1:"),  # dotted keys
    ],
)
def test_a_config_nested_too_deep_is_gc100_at_the_opening_past_the_limit(tmp_path, monkeypatch, name, text, where):
    monkeypatch.chdir(project(tmp_path, {name: text}))
    code, out = lint("a.yaml")
    assert code == 1, out
    assert f"{where} error GC100 nesting deeper than 100 levels" in out
    assert "hint: flatten the value" in out

    import graphc  # the Python API reads the same config

    found = graphc.lint_file("a.yaml").diagnostics
    assert [(d.code, d.path) for d in found] == [("GC100", name)]


def test_a_config_option_nested_too_deep_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(project(tmp_path, {}))
    (tmp_path / "deep.toml").write_text(DEEP)
    code, out = lint("--config", "deep.toml", "a.yaml")
    assert (code, out.count("deep.toml:1:104: error GC100 nesting deeper than 100 levels")) == (1, 1), out
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--config", DEEP, "a.yaml"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert "nesting deeper than 100 levels" in result.output


def test_nesting_up_to_the_limit_is_read(tmp_path, monkeypatch):
    # 1 (the document) + 99 arrays: at the limit, parsed; `x` is no key of graphc.toml (GC102), not GC100
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": "x = " + "[" * 99 + "]" * 99 + "\n"}))
    _, out = lint("a.yaml")
    assert "GC100" not in out and "graphc.toml:1:1: error GC102 unknown key 'x'" in out, out


HYPERLIQUID = (
    "graphc: 1\nname: h\nlegs:\n  hedge:\n    sell: 5 ETH\n    symbol: ETH-USD-PERP\n    venue: hyperliquid\n"
    "    limit: 2325.2\n"
)


@pytest.mark.parametrize(
    "line, said",
    [
        # 0 figures: prices "had at most 0", lint and plan crashed on a prediction market (audit config26 3)
        ("sig_figs = 0", "`sig_figs` must be from 1 to 30, not 0"),
        ("sig_figs = 31", "`sig_figs` must be from 1 to 30, not 31"),
        # magnitudes no order check can divide by or hold (DivisionImpossible, Overflow: exit 4)
        ('min_notional = "1e1000000"', "`min_notional` must be between 1e-30 and 1e30"),
        ('tick = "1e1000000"', "`tick` must be between 1e-30 and 1e30"),
        ('max_notional = "1e-999999"', "`max_notional` must be between 1e-30 and 1e30"),
        (
            'lot = "0.1000000000000000000000000000001"',
            "`lot` must be between 1e-30 and 1e30 with at most 30 significant",
        ),
    ],
)
@pytest.mark.parametrize("table", ['[markets."KXFEDDECISION-26DEC-C25"]', "[venues.hyperliquid]"])
def test_a_nonsense_market_fact_is_gc103_at_its_key_when_read(tmp_path, monkeypatch, line, said, table):
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": f"{table}\n{line}\n", "h.yaml": HYPERLIQUID}))
    code, out = lint("a.yaml", "h.yaml")
    assert code == 1, out
    assert f"graphc.toml:2:1: error GC103 {table} {said}" in out, out
    assert "internal error" not in out and "GC308" not in out, out
    result = CliRunner().invoke(cli, ["plan", "a.yaml"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output and "graphc.toml has errors" in result.output


def test_market_facts_at_the_bounds_are_read(tmp_path, monkeypatch):
    facts = 'sig_figs = 30\nmax_size = 1e30\nmin_notional = "0.000000000000000000000000000001"\n'
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": f'[markets."KXFEDDECISION-26DEC-C25"]\n{facts}'}))
    code, out = lint("a.yaml")
    assert (code, "GC103" in out) == (0, False), out


def graphc_process(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """``python -m graphc ARGS`` in ``cwd``: a limit read from the environment is read when graphc starts."""
    return subprocess.run(
        [sys.executable, "-m", "graphc", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", "GRAPHC_NO_CACHE": "1", **env},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_a_config_with_many_problems_is_located_once_and_capped(tmp_path):
    # each problem rescanned every line of the file for its own (8,000 unknown keys: minutes), and all were
    # printed whatever GRAPHC_MAX_DIAGNOSTICS said (audit config26 4)
    keys = "".join(f"tikc{i} = 1\n" for i in range(4000))
    project(tmp_path, {"graphc.toml": '[markets."X"]\n' + keys})
    done = graphc_process(tmp_path, "lint", "a.yaml", GRAPHC_MAX_DIAGNOSTICS="10")
    assert done.returncode == 1, done.stdout + done.stderr
    listed = [line for line in done.stdout.splitlines() if "error GC102" in line]
    assert len(listed) == 10
    assert listed[0] == "graphc.toml:2:1: error GC102 unknown key 'tikc0' in [markets.\"X\"] (did you mean 'tick'?)"
    assert listed[-1].startswith("graphc.toml:11:1: error GC102 unknown key 'tikc9'")
    assert "graphc.toml: … and 3990 more GC102 errors in this file" in done.stdout
    assert "by code: 4000 GC102" in done.stdout


@pytest.mark.parametrize(
    "make, said",
    [
        # a shared folder or submodule not checked out: its settings vanished and plan said ready (audit config26 5)
        (lambda p: p.symlink_to("../shared/desk.toml"), "it is a symbolic link to ../shared/desk.toml, which cannot"),
        (lambda p: p.symlink_to("graphc.toml"), "it is a symbolic link to graphc.toml, which cannot be followed"),
        (lambda p: p.mkdir(), "it is a directory, not a regular file"),
    ],
    ids=["dangling-link", "link-loop", "folder"],
)
def test_a_graphc_toml_that_cannot_be_read_is_gc100_not_absent(tmp_path, monkeypatch, make, said):
    # an enclosing project with a looser config: the walk must not go up to it past the unreadable graphc.toml
    outer = project(tmp_path, {"graphc.toml": '[rules]\nGC303 = "off"\n'})
    inner = outer / "desk"
    inner.mkdir()
    (inner / "a.yaml").write_text(PLAYBOOK)
    make(inner / "graphc.toml")
    monkeypatch.chdir(inner)
    code, out = lint("a.yaml")
    assert code == 1, out
    assert f"graphc.toml: error GC100 cannot read config file: {said}" in out, out
    result = CliRunner().invoke(cli, ["plan", "a.yaml"], catch_exceptions=False)
    assert result.exit_code == 1 and "graphc.toml has errors" in result.output, result.output


NOT_UTF8 = "error GC100 cannot read config file: the file is not UTF-8 text: byte 0xE9 cannot be decoded"
SAVE_AS_UTF8 = "hint: save the file as UTF-8"


def test_a_pyproject_with_tool_graphc_that_is_not_utf8_is_its_projects_config(tmp_path, monkeypatch):
    # passed over, so the enclosing project's graphc.toml was used without a word (audit config26 6)
    outer = project(tmp_path, {"graphc.toml": '[rules]\nGC303 = "off"\n'})
    desk = b'[project]\nname = "desk"\nauthors = [{name = "Jos\xe9"}]\n\n[tool.graphc.rules]\nGC303 = "warning"\n'
    (outer / "desk").mkdir()
    (outer / "desk" / "pyproject.toml").write_bytes(desk)
    (outer / "desk" / "a.yaml").write_text(PLAYBOOK)
    monkeypatch.chdir(outer)
    code, out = lint("desk/a.yaml")
    assert code == 1, out
    assert f"desk/pyproject.toml:3:24: {NOT_UTF8}" in out and SAVE_AS_UTF8 in out, out


def test_a_pyproject_that_is_not_utf8_and_only_depends_on_graphc_is_passed_over(tmp_path, monkeypatch):
    outer = project(tmp_path, {"graphc.toml": '[rules]\nGC303 = "off"\n'})
    (outer / "desk").mkdir()
    (outer / "desk" / "pyproject.toml").write_bytes(b'[project]\nname = "Jos\xe9"\ndependencies = ["graphc"]\n')
    (outer / "desk" / "a.yaml").write_text(PLAYBOOK.replace("0.41", "0.405"))  # off the tick: GC303, off
    monkeypatch.chdir(outer)
    assert lint("desk/a.yaml") == (0, "no problems in 1 file (3 checks skipped; --explain-skips lists them)\n")


def test_a_graphc_toml_that_is_not_utf8_is_located_at_its_first_bad_byte(tmp_path, monkeypatch):
    # GC100 with Python's byte offset, no line:col and no hint (audit config26 11)
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": b'[rules]\nGC303 = "of\xe9"\n'}))
    code, out = lint("a.yaml")
    assert code == 1, out
    assert f"graphc.toml:2:12: {NOT_UTF8}" in out and SAVE_AS_UTF8 in out, out
    assert '2 | GC303 = "of\ufffd"' in out  # the line is shown, its bad byte replaced


COINBASE_PREDICTION = (
    "graphc: 1\nname: c\nlegs:\n  y:\n    buy: 10 shares\n    symbol: will-x-happen:yes\n    venue: coinbase\n"
    "    limit: 0.41\n"
)


@pytest.mark.parametrize(
    "table, value, said",
    [
        # silenced GC306 on coinbase (audit config26 7)
        ("[venues.coinbase]", "true", "`prediction` true contradicts coinbase's own `prediction = false`"),
        (
            "[venues.hyperliquid]",
            "true",
            "`prediction` true contradicts hyperliquid's own `prediction = false`: graphc does not model its outcome",
        ),
        ("[venues.polymarket]", "false", "`prediction` false contradicts polymarket's own `prediction = true`"),
    ],
)
def test_prediction_on_a_built_in_venue_cannot_contradict_its_fact(tmp_path, monkeypatch, table, value, said):
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": f"{table}\nprediction = {value}\n"}))
    code, out = lint("a.yaml")
    assert code == 1, out
    assert f"graphc.toml:2:1: error GC103 {table} {said}" in out, out


def test_prediction_set_for_coinbase_does_not_silence_gc306(tmp_path, monkeypatch):
    files = {"graphc.toml": "[venues.coinbase]\nprediction = true\n", "c.yaml": COINBASE_PREDICTION}
    monkeypatch.chdir(project(tmp_path, files))
    code, out = lint("c.yaml")
    assert code == 1 and "c.yaml:7:12: error GC306 instrument type 'prediction' on coinbase" in out, out


def test_prediction_for_a_venue_known_only_from_config_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": "[venues.myvenue]\nprediction = true\n"}))
    assert lint("a.yaml")[0] == 0


def test_a_config_override_of_a_market_in_another_case_wins(tmp_path, monkeypatch):
    # the file's table was found first by the case-blind lookup and the override was lost (audit config26 8)
    files = {"graphc.toml": '[markets."KXFEDDECISION-26DEC-C25"]\nmax_size = 500\n'}
    monkeypatch.chdir(project(tmp_path, files))
    code, out = lint("a.yaml", "--config", 'markets."kxfeddecision-26dec-c25".max_size = 5')
    assert code == 1 and "error GC309 size 10 contracts is above kalshi's maximum of 5 contracts" in out, out


ETH_SIZE = HYPERLIQUID.replace("sell: 5 ETH", "sell: 5.00005 ETH")  # on a 0.00001 lot, off szDecimals 4's 0.0001


@pytest.mark.parametrize("facts", ["sz_decimals = 4\nlot = 0.00001", "lot = 0.00001\nsz_decimals = 4"])
def test_a_lot_finer_than_sz_decimals_in_one_table_is_gc103_at_the_later_key(tmp_path, monkeypatch, facts):
    # the lot won, so sizes Hyperliquid rejects passed (audit config26 9)
    files = {"graphc.toml": f'[markets."ETH-USD-PERP"]\n{facts}\n', "h.yaml": ETH_SIZE}
    monkeypatch.chdir(project(tmp_path, files))
    code, out = lint("h.yaml")
    assert code == 1, out
    said = '[markets."ETH-USD-PERP"] `lot` 0.00001 is finer than `sz_decimals` 4 allows'
    assert f"graphc.toml:3:1: error GC103 {said}" in out, out
    assert "h.yaml:5:11: error GC305 size 5.00005 ETH is not a multiple of hyperliquid's 0.0001 lot" in out


def test_a_lot_coarser_than_sz_decimals_is_read(tmp_path, monkeypatch):
    files = {"graphc.toml": '[markets."ETH-USD-PERP"]\nsz_decimals = 4\nlot = 0.001\n', "h.yaml": HYPERLIQUID}
    monkeypatch.chdir(project(tmp_path, files))
    _, out = lint("h.yaml")
    assert "GC103" not in out, out


def test_tool_graphc_tables_in_graphc_toml_are_gc102_at_the_header_with_a_hint(tmp_path, monkeypatch):
    # GC102 'tool' at the line below the header, hinting the known keys (audit config26 12)
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": '[tool.graphc.rules]\nGC303 = "off"\n'}))
    code, out = lint("a.yaml")
    assert code == 1, out
    said = "graphc.toml:1:1: error GC102 unknown key 'tool' in graphc.toml: [tool.graphc] is a table of pyproject.toml"
    assert said in out, out
    assert "hint: drop the `tool.graphc.` prefix here: `[tool.graphc.rules]` is written `[rules]`" in out


def test_an_unknown_key_under_a_table_is_located_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(project(tmp_path, {"graphc.toml": 'x = 1\n[markets."X"]\n\ntikc = 1\n'}))
    _, out = lint("a.yaml")
    assert "graphc.toml:1:1: error GC102 unknown key 'x' in graphc.toml" in out, out
    assert "graphc.toml:4:1: error GC102 unknown key 'tikc' in [markets.\"X\"]" in out, out
