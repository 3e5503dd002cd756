"""No text of the project tells anyone to install graphc from a package index (audit docs17 1).

graphc is not published on PyPI, and the name ``graphc`` there belongs to an unrelated project: a recipe that
runs ``pip install graphc`` installs that project and then runs *its* ``graphc`` with the environment it is given
(a CI job's ``SEQUENCE_API_KEY``). graphc is installed from a checkout (``pip install .``) or from a pinned git
URL (``pip install "graphc @ git+https://...@SHA"``), never by its bare name.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO

# where a user reads how to install or run graphc: pages, the action, the hooks, the examples, CI
TEXTS = sorted(
    p
    for p in [
        REPO / "README.md",
        REPO / "action.yml",
        REPO / ".pre-commit-hooks.yaml",
        *(REPO / "docs").rglob("*"),
        *(REPO / "examples").rglob("*"),
        *(REPO / ".ci").rglob("*"),
    ]
    if p.is_file()
)
INSTALL = re.compile(r"\b(?:pipx|pip3?|python3?(?:\.\d+)? -m pip|uv pip)\s+install\b(?P<args>[^\n`;&|)]*)")
OPTIONS_WITH_A_VALUE = {
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "--target", "-t", "--python", "--prefix", "--root",
}  # fmt: skip
BY_NAME = re.compile(r"graphc(\[[^\]]*\])?\s*((==|>=|<=|~=|!=|<|>).*)?", re.IGNORECASE)


def index_installs_of_graphc(text: str) -> list[str]:
    """Every ``pip install`` / ``pipx install`` in ``text`` that names graphc as a requirement from an index."""
    text = text.replace("\\\n", " ")  # a shell command continued on the next line
    found = []
    for m in INSTALL.finditer(text):
        try:
            words = shlex.split(m["args"], comments=True)
        except ValueError:  # an unbalanced quote in prose: take the words as they are
            words = m["args"].split()
        skip = False
        for i, word in enumerate(words):
            if skip:
                skip = False
            elif word.startswith("-"):
                skip = word in OPTIONS_WITH_A_VALUE
            elif BY_NAME.fullmatch(word.strip("\"'")) and (i + 1 >= len(words) or words[i + 1] != "@"):
                found.append(m.group(0).strip())
    return found


@pytest.mark.parametrize(
    ("command", "bad"),
    [
        ("pip install graphc", True),
        ("pip install -U graphc", True),
        ("python -m pip install --upgrade 'graphc[test]'", True),
        ("pipx install graphc==0.1.0", True),
        ("- run: pip install graphc\n", True),
        ("pip install .", False),
        ("pip install '.[test]' && python -m pytest", False),
        ('pip install "graphc @ git+https://github.com/YOUR-ORG/graphc@${{ env.GRAPHC_SHA }}"', False),
        ("pip install graphc @ git+https://github.com/YOUR-ORG/graphc@0123abc", False),
        ("pip install -r bench/requirements.txt", False),
        ("pip install graphc-tools", False),
    ],
)
def test_the_check_tells_an_index_install_from_a_checkout_or_git_install(command, bad):
    assert bool(index_installs_of_graphc(command)) is bad


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(REPO)))
def test_no_text_installs_graphc_from_a_package_index(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:  # a picture
        return
    assert index_installs_of_graphc(text) == [], (
        f"{path.relative_to(REPO)} installs graphc by name from a package index; graphc is not on PyPI (the name "
        "there is another project's): install it from the checkout (`pip install .`) or a pinned git URL"
    )


def test_the_ci_recipe_says_graphc_is_not_on_pypi():
    page = (REPO / "docs" / "recurring.md").read_text(encoding="utf-8")
    section = page[page.index("## The alternative: a scheduled CI job") : page.index("## What happens when")]
    assert re.search(r"^      - run: pip install \.( +#.*)?$", section, re.M), section
    prose = " ".join(section.split())
    assert "graphc is not on PyPI" in prose and "belongs to another project" in prose
