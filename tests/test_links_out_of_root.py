"""A file reached through a symbolic link out of its repository never has its text shown (audit sec29 1).

A repository may hold a link to any file the user running graphc can read: the API key's credentials file,
``/proc/self/environ``. graphc's own search never reads a config behind such a link (GC100 at the link), and a
file named on the command line behind one (``--quotes``, ``--params``, ``--config``, a playbook) is read but shown
without code frames, in every format. Every text report is passed through the key's redaction too, the key of the
environment registered when the command starts. Each test runs graphc as its own process, as CI does.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sandbox_fixture import run_graphc

from tests.conftest import REPO

SECRET = "seq_live_TOPSECRET_0123456789"
ENV_SECRET = "seq_test_ENVSECRET_999"
PLAYBOOK = "graphc: 1\nname: plain\nlegs:\n  e1:\n    buy: 0.5 BTC\n    symbol: BTC-USD\n    limit: 100\n"
FORMATS = ("text", "github", "junit", "json", "sarif")


@pytest.fixture
def repo(tmp_path):
    """(a git checkout holding c.yaml, the credentials file outside it: `api_key = "..."`, mode 0600)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    credentials = outside / "credentials"
    credentials.write_text(f'api_key = "{SECRET}"\n')
    credentials.chmod(0o600)
    root = tmp_path / "r"
    (root / ".git").mkdir(parents=True)
    (root / "c.yaml").write_text(PLAYBOOK)
    return root, credentials


def graphc(cwd: Path, *args, key: str | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(cwd),
        "PYTHONPATH": str(REPO),
        "NO_COLOR": "1",
        "GRAPHC_NO_CACHE": "1",
        "SEQUENCE_API_URL": "http://127.0.0.1:9",  # (never reached: every command here stops before the router)
    }
    if key is not None:
        env["SEQUENCE_API_KEY"] = key
    return run_graphc(args, env, cwd)  # (sandbox_fixture's one runner of graphc in a process)


def assert_never_shown(done: subprocess.CompletedProcess, *secrets: str) -> None:
    for secret in secrets or (SECRET,):
        assert secret not in done.stdout and secret not in done.stderr, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


# -- a config graphc finds itself -----------------------------------------------------------------------------


def test_a_found_graphc_toml_linked_to_the_credentials_file_is_refused_unread_in_every_format(repo):
    root, credentials = repo
    (root / "graphc.toml").symlink_to(credentials)
    done = graphc(root, "lint", "c.yaml")
    assert_never_shown(done)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"graphc.toml: error GC100 cannot read config file: it is a symbolic link to {credentials.resolve()}, outside"
        f" the repository {root.resolve()}; graphc does not read a config it finds through a link out of its"
        " repository"
    ), done.stdout
    assert lines[1] == "  hint: copy the file into the repository, or name it with `graphc lint --config FILE`"
    for fmt in FORMATS[1:]:
        done = graphc(root, "lint", "c.yaml", "-f", fmt)
        assert_never_shown(done)
        assert done.returncode == 1 and "GC100" in done.stdout, (fmt, done.stdout)
    for command in (["compile", "c.yaml"], ["plan", "c.yaml"]):
        done = graphc(root, *command)
        assert_never_shown(done)
        assert done.returncode == 1 and "GC100 cannot read config file: it is a symbolic link" in done.stderr


def test_a_found_graphc_toml_linked_to_the_process_environment_never_shows_the_key_in_submit(repo):
    root, _ = repo
    (root / "graphc.toml").symlink_to("/proc/self/environ")
    done = graphc(root, "submit", "c.yaml", key=ENV_SECRET)
    assert_never_shown(done, ENV_SECRET)
    assert done.returncode == 1
    assert "graphc.toml: error GC100 cannot read config file: it is a symbolic link to /proc/" in done.stderr
    assert "graphc: refused: graphc.toml has errors" in done.stderr


def test_a_found_graphc_toml_linked_inside_the_project_is_read_as_before(repo):
    root, _ = repo
    (root / "conf").mkdir()
    (root / "conf" / "desk.toml").write_text("bogus = 1\n")
    (root / "graphc.toml").symlink_to("conf/desk.toml")
    done = graphc(root, "lint", "c.yaml")
    assert done.returncode == 1
    # read, and shown with its line: the link stays in the project
    assert "graphc.toml:1:1: error GC102 unknown key 'bogus'" in done.stdout
    assert "1 | bogus = 1" in done.stdout


def test_a_pyproject_linked_out_of_its_folder_is_not_read_for_a_graphc_table(repo):
    root, credentials = repo
    outside = credentials.parent / "pyproject.toml"
    outside.write_text(f'[tool.graphc]\nstrict = "{SECRET}"\n')  # read, it would be a GC103 quoting its line
    (root / "pyproject.toml").symlink_to(outside)
    done = graphc(root, "lint", "c.yaml")
    assert_never_shown(done)
    assert done.returncode == 0, done.stdout
    assert "GC103" not in done.stdout


def test_a_config_named_with_config_is_read_but_shown_without_its_lines(repo):
    root, credentials = repo
    (root / "desk.toml").symlink_to(credentials)
    done = graphc(root, "lint", "c.yaml", "--config", "desk.toml")
    assert_never_shown(done)
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == [
        "desk.toml:1:1: error GC102 unknown key 'api_key' in desk.toml",
        "  hint: known keys: rules, venues, markets, strict",
    ], done.stdout


# -- files named on the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "first"),
    [
        ("--quotes", "quotes.yaml:1:1: error GC103 a quotes snapshot is a mapping of SYMBOL: {bid, ask, ...}"),
        ("--params", "params.yaml:1:1: error GC108 params file params.yaml must be a mapping NAME: VALUE"),
    ],
)
def test_a_quotes_or_params_file_linked_out_of_the_repository_is_shown_without_its_lines(repo, option, first):
    root, credentials = repo
    name = "quotes.yaml" if option == "--quotes" else "params.yaml"
    (root / name).symlink_to(credentials)
    done = graphc(root, "lint", "c.yaml", option, name)
    assert_never_shown(done)
    assert done.returncode == 1
    assert done.stdout.splitlines()[:2] == [first, ""], done.stdout
    for fmt in FORMATS[1:]:
        done = graphc(root, "lint", "c.yaml", option, name, "-f", fmt)
        assert_never_shown(done)
        assert done.returncode == 1, (fmt, done.stdout)
    more = ["--quotes", REPO / "examples" / "quotes.yaml"] if option == "--params" else []
    done = graphc(root, "plan", "c.yaml", option, name, *more)
    assert_never_shown(done)
    assert done.returncode == 1 and first in done.stderr, done.stderr


def test_a_named_playbook_linked_out_of_the_repository_is_shown_without_its_lines(repo):
    root, credentials = repo
    credentials.write_text(f"graphc: 1\nname: {SECRET}\nlegs: [\n")  # a YAML error on its line 3
    (root / "p.yaml").symlink_to(credentials)
    done = graphc(root, "lint", "p.yaml")
    assert_never_shown(done)
    assert done.returncode == 1 and done.stdout.startswith("p.yaml:"), done.stdout
    assert " | " not in done.stdout


def test_a_link_inside_the_project_and_a_file_named_directly_keep_their_frames(repo, tmp_path):
    root, _ = repo
    (root / "snap").mkdir()
    (root / "snap" / "q.yaml").write_text("- not a snapshot\n")
    (root / "quotes.yaml").symlink_to("snap/q.yaml")
    done = graphc(root, "lint", "c.yaml", "--quotes", "quotes.yaml")
    assert done.returncode == 1
    assert "1 | - not a snapshot" in done.stdout, done.stdout
    # a regular file outside the repository, named as it is: the user named it, its lines are shown
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text("- not a snapshot\n")
    done = graphc(root, "lint", "c.yaml", "--quotes", elsewhere)
    assert done.returncode == 1
    assert "1 | - not a snapshot" in done.stdout, done.stdout


# -- the key of the environment ------------------------------------------------------------------------------


def test_the_environments_key_is_masked_in_a_text_report_of_a_file_that_holds_it(repo):
    root, _ = repo
    (root / "s.yaml").write_text(
        f"graphc: 1\nname: s\nlegs:\n  a: {{buy: 1 BTC, symbol: BTC-USD, limit: {ENV_SECRET}}}\n"
    )
    for args in (["lint", "s.yaml"], ["lint", "s.yaml", "-f", "github"], ["lint", "s.yaml", "-f", "junit"]):
        done = graphc(root, *args, key=ENV_SECRET)
        assert_never_shown(done, ENV_SECRET)
        assert done.returncode == 1 and "[REDACTED]" in done.stdout, done.stdout
    done = graphc(root, "compile", "s.yaml", key=ENV_SECRET)
    assert_never_shown(done, ENV_SECRET)
    assert done.returncode == 1 and "limit: [REDACTED]" in done.stderr, done.stderr
    # without the key in the environment, the same report shows the text (it is no secret then)
    done = graphc(root, "lint", "s.yaml")
    assert ENV_SECRET in done.stdout


# -- the limit: the repository (lead decision after b7f7f81) -----------------------------------------------------

TICK_5 = '[markets."BTC-USD"]\ntick = 5\n'  # (a limit of 103 is then off the tick: GC303, an error)


def monorepo(tmp_path: Path, *, git: bool = True) -> Path:
    """(m/app/c.yaml with a limit of 103, m/shared/ beside app/; m a git checkout when ``git``)."""
    root = tmp_path / "m"
    (root / "app").mkdir(parents=True)
    (root / "shared").mkdir()
    if git:
        (root / ".git").mkdir()
    (root / "app" / "c.yaml").write_text(PLAYBOOK.replace("limit: 100", "limit: 103"))
    return root


@pytest.mark.parametrize("name", ["graphc.toml", "pyproject.toml"])
def test_a_found_config_linked_to_another_folder_of_the_same_repository_is_read_and_applied(tmp_path, name):
    root = monorepo(tmp_path)
    done = graphc(root, "lint", "app/c.yaml")
    assert done.returncode == 0, done.stdout  # no config: the default tick
    text = TICK_5 if name == "graphc.toml" else TICK_5.replace("[markets", "[tool.graphc.markets")
    (root / "shared" / name).write_text(text)
    (root / "app" / name).symlink_to(f"../shared/{name}")
    done = graphc(root, "lint", "app/c.yaml")
    assert done.returncode == 1, done.stdout
    assert "app/c.yaml:7:12: error GC303 price 103 is not on the venue's 5 tick" in done.stdout, done.stdout
    assert "GC100" not in done.stdout
    done = graphc(root, "compile", "app/c.yaml")  # (compile does not check ticks: it reads the config, no GC100)
    assert done.returncode == 0 and "GC100" not in done.stderr, done.stderr


def test_a_found_config_linked_out_of_the_repository_is_still_refused(tmp_path):
    root = monorepo(tmp_path)
    (tmp_path / "desk.toml").write_text(TICK_5)
    (root / "app" / "graphc.toml").symlink_to(tmp_path / "desk.toml")
    done = graphc(root, "lint", "app/c.yaml")
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        f"app/graphc.toml: error GC100 cannot read config file: it is a symbolic link to {tmp_path / 'desk.toml'},"
        f" outside the repository {root}; graphc does not read a config it finds through a link out of its"
        " repository"
    ), done.stdout
    assert "GC303" not in done.stdout


def test_outside_any_repository_the_limit_is_the_folder_the_config_was_found_in(tmp_path):
    from graphc.files import repository_top

    root = monorepo(tmp_path, git=False)
    assert repository_top(root) is None, "the test needs a folder outside any git repository"
    (root / "shared" / "graphc.toml").write_text(TICK_5)
    (root / "app" / "graphc.toml").symlink_to("../shared/graphc.toml")
    done = graphc(root, "lint", "app/c.yaml")
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith(
        f"app/graphc.toml: error GC100 cannot read config file: it is a symbolic link to"
        f" {root / 'shared' / 'graphc.toml'}, outside the project root {root / 'app'};"
    ), done.stdout
    # inside that folder, read and applied
    (root / "app" / "graphc.toml").unlink()
    (root / "app" / "conf").mkdir()
    (root / "app" / "conf" / "desk.toml").write_text(TICK_5)
    (root / "app" / "graphc.toml").symlink_to("conf/desk.toml")
    done = graphc(root, "lint", "app/c.yaml")
    assert done.returncode == 1 and "GC303" in done.stdout and "GC100" not in done.stdout, done.stdout


def test_a_named_file_linked_to_another_project_of_the_same_repository_keeps_its_frames(tmp_path):
    root = monorepo(tmp_path)
    (root / "app" / "graphc.toml").write_text("")  # app/ is a project of its own; shared/ is not in it
    (root / "shared" / "q.yaml").write_text("- not a snapshot\n")
    (root / "app" / "q.yaml").symlink_to("../shared/q.yaml")
    done = graphc(root, "lint", "app/c.yaml", "--quotes", "app/q.yaml")
    assert done.returncode == 1
    assert "1 | - not a snapshot" in done.stdout, done.stdout
