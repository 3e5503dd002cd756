"""The three LIVE confirmation prompts never pass a control character to the terminal (audit sec29 3).

`deploy --live` asks about a bundle's name (Sequence.toml, a file copied from a colleague), `strategy start --live`
about the router's name of the strategy, `submit WIRE.json --live` about a wire file's name. Any of them may hold an
escape sequence that clears the line, writes the clipboard (OSC 52), draws a link (OSC 8) or hides the rest of the
question ("to trade LIVE, with real money?"). Each is asked on a real terminal (a pty), as a person answers it, and
answered no: the question shows the name with its control characters escaped, and nothing is sent.
"""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from tests.sandbox_fixture import cli_env, node, on_a_terminal, running_sandbox
from tests.test_hosted_live_gate import LIVE, _env, make_bundle, sent

# ESC [2K (erase the line) CR, OSC 52 (write the clipboard) ended by BEL, SGR 8 (conceal what follows), backspaces
HOSTILE = "dca\x1b[2K\rsandbox-dca\x1b]52;c;SEVMTE8=\x07\x1b[8m\b\b"
SHOWN = r"dca\x1b[2K\rsandbox-dca\x1b]52;c;SEVMTE8=\x07\x1b[8m\x08\x08"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # no control character but the line breaks of stderr's lines


@pytest.fixture(scope="module")
def router():
    with running_sandbox(speed=0) as sb:
        yield sb


@pytest.fixture
def sandbox(router):
    router.reset()
    return router


def assert_escaped(err: str, question: str) -> None:
    assert not RAW.search(err), repr(err)
    assert f"{question} [y/N]: " in err, repr(err)
    assert "graphc: refused: not confirmed:" in err, err


def test_deploy_live_shows_the_bundles_name_escaped(sandbox, tmp_path):
    _, out = make_bundle(tmp_path, LIVE, "--live")
    toml = out / "Sequence.toml"
    text = toml.read_text()
    assert 'name = "dca-live"' in text
    toml.write_text(text.replace('name = "dca-live"', "name = " + json.dumps(HOSTILE)))
    assert tomllib.loads(toml.read_text())["strategy"]["name"] == HOSTILE
    code, _, err = on_a_terminal(["deploy", str(out), "--live"], _env(sandbox), tmp_path, b"n\n")
    assert code == 2
    assert_escaped(err, f"Deploy {SHOWN} to trade LIVE, with real money?")
    assert sent(sandbox) == []


def test_strategy_start_live_shows_the_routers_name_escaped(sandbox, tmp_path):
    """The sandbox answers a strategy with the hostile name and GRAPHC_LIVE=1 in its env (its fault rules give an
    answer's body as written): a router's name, which graphc does not choose."""
    entry = {
        "strategy_id": "abc-1",
        "name": HOSTILE,
        "status": "stopped",
        "env": {"GRAPHC_LIVE": "1"},
        "manifest": {"graphc_bundle": {}},
    }
    faults = [
        ("/v1/strategies/abc-1", {"strategy": entry}),
        ("/v1/strategies", {"strategies": [entry]}),
    ]
    sandbox.set_faults(
        [
            {
                "kind": "status",
                "status": 200,
                "method": "GET",
                "path_prefix": path,
                "count": 10,
                "body": json.dumps(body),
            }
            for path, body in faults
        ]
    )
    code, _, err = on_a_terminal(["strategy", "start", "abc-1", "--live"], _env(sandbox), tmp_path, b"n\n")
    assert code == 2
    assert_escaped(err, f"Start {SHOWN} to trade LIVE, with real money?")
    assert sent(sandbox) == []


def test_submit_of_a_wire_file_live_shows_its_name_escaped(sandbox, tmp_path):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    graph = {
        "nodes": [node("spot", qty_1e8=1_000_000, limit_1e9=2_000_000_000_000)],
        "edges": [],
        "risk": {"admission": {"max_notional_usd": 100_000}},
        "is_sandbox": False,
    }
    name = "w\x1b]52;c;SEVMTE8=\x07\x1b[31mX"
    (project / f"{name}.json").write_text(json.dumps(graph))
    code, _, err = on_a_terminal(["submit", f"{name}.json", "--live"], cli_env(sandbox), project, b"n\n")
    assert code == 2, err
    assert_escaped(err, r"Submit w\x1b]52;c;SEVMTE8=\x07\x1b[31mX LIVE, with real money?")
    assert "nothing was submitted" in err
