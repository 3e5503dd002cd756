import os
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The router sandbox fixtures (`sandbox`, `sandbox_server`) for every test module.
pytest_plugins = ["sandbox_fixture"]

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"

# Hypothesis profiles: the normal suite runs a small, derandomized number of
# examples per property (fast and reproducible in CI); GRAPHC_HYPOTHESIS=long
# (or GRAPHC_FUZZ_EXAMPLES=N, which also sets the count) runs many, randomly.
_LONG = os.environ.get("GRAPHC_HYPOTHESIS") == "long" or "GRAPHC_FUZZ_EXAMPLES" in os.environ
settings.register_profile(
    "default",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("GRAPHC_FUZZ_EXAMPLES", "2000")),
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("long" if _LONG else "default")

# The Ctrl-C tests send SIGINT to graphc processes they start. A suite started in the background (`.ci/run &`,
# nohup) inherits SIGINT ignored, and so would every graphc it starts, which then never sees the Ctrl-C: give this
# process Python's own handler, which a child's exec resets to the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Colour codes would make exact-output assertions depend on the terminal.
os.environ.setdefault("NO_COLOR", "1")
# The lint cache stays off (tests/test_lint_cache.py turns it on): a test that patches graphc's internals
# must not be served what the unpatched code found, nor leave .graphc/cache/ in the repository.
os.environ.setdefault("GRAPHC_NO_CACHE", "1")


@pytest.fixture
def repo():
    return REPO


@pytest.fixture
def hedge_project(tmp_path):
    """A checkout (``.git``) holding the ETH hedge example and its quotes snapshot."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    for name in ("eth-hedge.yaml", "quotes.yaml"):
        (root / name).write_text((EXAMPLES / name).read_text())
    return root


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pytest_configure(config):
    # tests/test_fuzz.py: `-m fuzz` selects the fuzz tests (GRAPHC_FUZZ_EXAMPLES=N sets their example count).
    config.addinivalue_line("markers", "fuzz: generated-input robustness tests (tests/test_fuzz.py)")


def pytest_sessionstart(session):
    """The suite checks graphc against the contract it is built to (the playbook spec, the router reference, the
    venue rules) in ../shared: without it, stop at once with what to do rather than fail tens of tests on a
    missing file (a usage error, never a skip: a check that did not run must not read as passed)."""
    if not (SHARED / "playbook-spec.md").is_file():
        pytest.exit(
            f"graphc's tests read the playbook spec, the router reference and the venue rules from {SHARED}, which "
            "is missing: check graphc out beside the `shared` folder (as CI does: ../shared next to the clone)",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


def invoke(args, env):
    """`graphc ARGS` in this process (a sandbox router is a separate process, over real HTTP); never a traceback."""
    from click.testing import CliRunner

    from graphc.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output, result.output
    return result
