import os
from pathlib import Path

import pytest

# The router sandbox fixtures (`sandbox`, `sandbox_server`) for every test module.
pytest_plugins = ["sandbox_fixture"]

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


def pytest_configure(config):
    # tests/test_fuzz.py: `-m fuzz` selects the fuzz tests (GRAPHC_FUZZ_EXAMPLES=N sets their example count).
    config.addinivalue_line("markers", "fuzz: generated-input robustness tests (tests/test_fuzz.py)")
