import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"

# Colour codes would make exact-output assertions depend on the terminal.
os.environ.setdefault("NO_COLOR", "1")


@pytest.fixture
def repo():
    return REPO


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
