"""The README's finding is real: the same playbook gives the same output today."""

import re

from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import REPO, write


def test_readme_finding_is_what_lint_prints(tmp_path, monkeypatch):
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## What lint catches") : readme.index("## Pictures")]
    playbook = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    expected = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    write(tmp_path, "longshot.yaml", playbook)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", "longshot.yaml"])
    assert result.exit_code == 1
    assert result.stdout == expected
