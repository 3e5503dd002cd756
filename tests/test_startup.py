"""Start-up stays lean: a command imports only what the playbooks in front of it need.

Every CI job and pre-commit hook pays graphc's start-up once per run, and most
playbooks use no templates, so Jinja2 (about a fifth of a one-file lint's wall
time) must be imported only by a playbook that has one. The check runs the
real command in a fresh interpreter and reads ``sys.modules`` afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import EXAMPLES, REPO

HEAVY = ("jinja2", "networkx", "jsonschema", "tomllib")


def modules_after(*argv: str) -> tuple[int, set[str]]:
    """The exit code of ``graphc ARGV`` and which of HEAVY it imported."""
    code = (
        "import json, sys\n"
        "from graphc.cli import main\n"
        "try:\n"
        f"    main({list(argv)!r})\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        f"print(json.dumps([status, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    status, heavy = json.loads(out.stdout.strip().splitlines()[-1])
    return status, set(heavy)


def test_linting_a_playbook_without_templates_imports_no_jinja2():
    playbook = EXAMPLES / "eth-hedge.yaml"
    assert "{{" not in playbook.read_text() and "use:" not in playbook.read_text()
    status, heavy = modules_after("lint", "--no-cache", str(playbook))
    assert status == 0
    assert heavy == set(), f"a plain lint imported {sorted(heavy)}"


def test_compiling_a_playbook_without_templates_imports_no_jinja2():
    status, heavy = modules_after(
        "compile", str(EXAMPLES / "eth-hedge.yaml"), "--quotes", str(EXAMPLES / "quotes.yaml")
    )
    assert status == 0
    assert "jinja2" not in heavy


def test_a_playbook_with_a_template_does_import_jinja2():
    """The check above can see Jinja2 when it is there: a templated example imports it."""
    templated = EXAMPLES / "btc-weekly-dca.yaml"
    assert "{{" in templated.read_text()
    _status, heavy = modules_after("lint", "--no-cache", str(templated))
    assert "jinja2" in heavy
