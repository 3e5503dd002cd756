"""Every command puts a file in the same project (its root: `use:` confinement; its graphc.toml: market facts).

Audit cfgsec.md #3: for a playbook reached through a symlinked folder, lint and plan took the project of the real
folder and compile the one the link sits in, so one file linted clean and failed to compile (GC107, GC109). The
project is now decided from the file's real path (symlinks resolved), by :func:`graphc.files.find_project_root`
alone (docs/playbooks.md "Market facts and graphc.toml"; playbook-spec.md §3.3: compile and lint use the same
resolver).

Audit cfgsec.md #4: stdin resolved `use:` from the working directory: a `--stdin-filename` naming a file not on
disk yet (an editor's unsaved buffer) got a false GC107, and plain `-` in a subfolder took its config from the
project root but confined templates to the subfolder. Its `use:` root is now the project its config comes from
(docs/playbooks.md "Compiling and linting": `--stdin-filename` "finds its config and `use:` templates as if it
were that file").
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

import graphc
from graphc.cli import cli
from graphc.files import find_project_root

# $1000 at 97000 is 0.0103092783... BTC: 0.01030927 on coinbase's default 1e-8 step (qty_1e8 1030927) and 0.010
# on repo B's 0.001 lot (qty_1e8 1000000); the quotes carry no lot, so the config decides (docs/playbooks.md
# "Market facts and graphc.toml"), as in tests/test_lint_project_config.py.
NOTIONAL = "graphc: 1\nname: n\nlegs:\n  spot: {buy: $1000, symbol: BTC-USD, venue: coinbase, limit: 97000}\n"
LOT = '[markets."BTC-USD"]\nlot = 0.001\n'
QUOTES = "BTC-USD: {bid: 96999, ask: 97001, last: 97000}\n"
TEMPLATE = "graphc-template: 1\nlegs: {x: {buy: 1 BTC, symbol: BTC-USD, venue: coinbase, limit: 97000}}\n"
USER = "graphc: 1\nname: p\nlegs:\n  h:\n    use: ../tpl/t.yaml\n"


def repository(root, files: dict[str, str]):
    (root / ".git").mkdir(parents=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run(*args, stdin=None):
    result = CliRunner().invoke(cli, [*map(str, args)], input=stdin, env={"GRAPHC_NO_CACHE": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


# -- #3: a file reached through a symlinked folder ------------------------------------------------------------------


@pytest.fixture
def linked(tmp_path, monkeypatch):
    """The audit's layout: repo A (no config) holds `shared -> B/plays`; repo B has a graphc.toml (lot 0.001)
    and tpl/t.yaml, which B's plays/p.yaml uses as ../tpl/t.yaml."""
    b = repository(
        tmp_path / "B",
        {"graphc.toml": LOT, "tpl/t.yaml": TEMPLATE, "plays/p.yaml": USER, "plays/n.yaml": NOTIONAL},
    )
    a = repository(tmp_path / "A", {"q.yaml": QUOTES})
    (a / "shared").symlink_to(b / "plays", target_is_directory=True)
    monkeypatch.chdir(a)
    return a, b


def test_the_project_of_a_file_behind_a_linked_folder_is_its_real_folders(linked):
    a, b = linked
    assert find_project_root("shared/p.yaml") == b
    assert find_project_root(a / "shared") == b
    assert find_project_root(a / "shared" / "not-yet.yaml") == b  # (a file not on disk: its folder decides)
    assert find_project_root(a / "q.yaml") == a


def test_every_command_lets_a_linked_playbook_use_its_projects_templates(linked):
    # before: lint and plan passed, compile and graph said GC107 "outside the project root .../A"
    assert run("lint", "shared/p.yaml", "--quotes", "q.yaml")[0] == 0
    code, out = run("compile", "shared/p.yaml", "--quotes", "q.yaml")
    assert code == 0, out
    assert json.loads(out)["nodes"][0]["node_id"] == "h.x"
    code, out = run("plan", "shared/p.yaml", "--quotes", "q.yaml")
    assert code == 0 and "plan for p" in out, out
    code, out = run("graph", "shared/p.yaml", "--quotes", "q.yaml")
    assert code == 0 and "GC107" not in out, out


def test_every_command_reads_a_linked_playbooks_own_config(linked):
    # repo B's lot (0.001) for every command; before, compile (and the API's compile_file) used repo A's: none
    code, out = run("compile", "shared/n.yaml", "--quotes", "q.yaml")
    assert code == 0, out
    assert json.loads(out)["nodes"][0]["quantity"]["fixed"]["qty_1e8"] == 1000000
    code, out = run("plan", "shared/n.yaml", "--quotes", "q.yaml")
    assert code == 0 and "spot  buy   0.01 BTC " in out, out
    code, out = run("graph", "shared/n.yaml", "--quotes", "q.yaml")  # graph read no config at all before
    assert code == 0 and "0.01 BTC" in out and "0.01030927" not in out, out
    result = graphc.compile_file("shared/n.yaml", quotes="q.yaml")
    assert result.ok and result.wire["nodes"][0]["quantity"]["fixed"]["qty_1e8"] == 1000000


def test_lint_and_compile_agree_on_a_linked_playbooks_tick(linked):
    # a tick of 0.5 in B: 97000.25 is off it. lint said so before too (real folder); compile must write the same
    # tick, and `limit: bid - 1 tick` is bid - 0.5 = 96998.5 only with B's tick (coinbase's own is 0.01)
    _, b = linked
    (b / "graphc.toml").write_text('[markets."BTC-USD"]\ntick = 0.5\n')
    (b / "plays" / "t.yaml").write_text(NOTIONAL.replace("limit: 97000", "limit: bid - 1 tick"))
    code, out = run("compile", "shared/t.yaml", "--quotes", "q.yaml")
    assert code == 0, out
    assert json.loads(out)["nodes"][0]["order_type"]["limit"]["price_1e9"] == 96998_500000000  # 96998.5
    (b / "plays" / "off.yaml").write_text(NOTIONAL.replace("97000", "97000.25"))
    code, out = run("lint", "shared/off.yaml", "--quotes", "q.yaml")
    assert code == 1 and "GC303 price 97000.25 is not on coinbase's 0.5 tick" in out, out


def test_a_linked_file_beside_plain_files_is_placed_by_its_own_real_folder(linked):
    # lint resolves a folder's real path once for the plain files listed in it; a link listed in the same folder
    # is still placed by its target's folder (repo B's 0.5 tick), whichever of the two comes first
    a, b = linked
    (b / "graphc.toml").write_text('[markets."BTC-USD"]\ntick = 0.5\n')
    (b / "plays" / "off.yaml").write_text(NOTIONAL.replace("97000", "97000.25"))
    (a / "plays").mkdir()
    (a / "plays" / "own.yaml").write_text(NOTIONAL.replace("97000", "97000.25"))
    (a / "plays" / "linked.yaml").symlink_to(b / "plays" / "off.yaml")
    for order in (("own", "linked"), ("linked", "own")):
        code, out = run("lint", *(f"plays/{name}.yaml" for name in order), "--quotes", "q.yaml")
        assert code == 1 and out.count("GC303") == 1, (order, out)
        assert "plays/linked.yaml:4:" in out and "GC303 price 97000.25 is not on coinbase's 0.5 tick" in out, out


def test_a_link_cannot_widen_the_project(tmp_path, monkeypatch):
    # a playbook linked into repo A from outside it stays in its own folder's project: it cannot reach A's templates
    a = repository(tmp_path / "A", {"tpl/t.yaml": TEMPLATE, "q.yaml": QUOTES})
    outside = tmp_path / "loose"
    outside.mkdir()
    (outside / "p.yaml").write_text(USER)
    (a / "plays").mkdir()
    (a / "plays" / "p.yaml").symlink_to(outside / "p.yaml")
    monkeypatch.chdir(a)
    for command in ("lint", "compile"):
        code, out = run(command, "plays/p.yaml", "--quotes", "q.yaml")
        assert code == 1 and f"`use: ../tpl/t.yaml` is outside the project root {outside}" in out, (command, out)


# -- #4: stdin's `use:` root is the project its config comes from ---------------------------------------------------


@pytest.fixture
def r2(tmp_path, monkeypatch):
    root = repository(tmp_path / "r2", {"tpl/t.yaml": TEMPLATE, "plays/u.yaml": USER, "q.yaml": QUOTES})
    monkeypatch.chdir(root)
    return root


def test_stdin_named_as_a_file_not_on_disk_finds_its_templates(r2):
    assert not (r2 / "plays" / "new.yaml").exists()  # an editor's unsaved buffer
    # before: GC107 `use: ../tpl/t.yaml` is outside the project root .../r2 (resolved from the working directory)
    code, out = run("lint", "-", "--stdin-filename", "plays/new.yaml", "--quotes", "q.yaml", stdin=USER)
    assert code == 0, out
    # and a finding is shown at that name
    code, out = run("lint", "-", "--stdin-filename", "plays/new.yaml", stdin=USER.replace("h:", "h: {}\n  g:"))
    assert "plays/new.yaml:4:" in out, out


def test_stdin_named_in_a_subfolder_that_does_not_exist_yet(r2):
    # plays/new/x.yaml: `../tpl/t.yaml` is plays/tpl/t.yaml, inside the project and not there
    code, out = run("lint", "-", "--stdin-filename", "plays/new/x.yaml", stdin=USER)
    assert code == 1 and "plays/new/x.yaml:5:10: error GC107 template file not found: ../tpl/t.yaml" in out, out


def test_plain_stdin_in_a_subfolder_uses_the_project_root_of_its_config(r2, monkeypatch):
    (r2 / "graphc.toml").write_text('[markets."BTC-USD"]\ntick = 0.5\n')
    monkeypatch.chdir(r2 / "plays")
    # before: GC107 ... outside the project root .../r2/plays, while the config came from r2
    code, out = run("lint", "-", "--quotes", "../q.yaml", stdin=USER)
    assert code == 0, out
    code, out = run("compile", "-", "--quotes", "../q.yaml", stdin=USER)
    assert code == 0 and json.loads(out)["nodes"][0]["node_id"] == "h.x", out
    # the root a refusal names is that same project root (where the config came from), not the working directory
    escape = USER.replace("../tpl/t.yaml", "../../elsewhere.yaml")
    code, out = run("lint", "-", stdin=escape)
    assert code == 1 and f"is outside the project root {r2}\n" in out + "\n" and f"{r2}{os.sep}plays" not in out, out
    # and the config is r2's: the template's 97000 is on the 0.5 tick, 97000.25 is not
    (r2 / "tpl" / "t.yaml").write_text(TEMPLATE.replace("97000", "97000.25"))
    code, out = run("lint", "-", "--quotes", "../q.yaml", stdin=USER)
    assert code == 1 and "GC303 price 97000.25 is not on coinbase's 0.5 tick" in out, out
