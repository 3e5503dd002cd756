"""`graphc amend` on a LIVE graph, and on a graph reached under another URL spelling or API key (audit ops19 3).

The brief's rule is "never trading live unless the playbook AND the command both say so" (playbook-spec §2: live
trading needs `sandbox: false` in the file *and* `--live`). Submitting a live graph needed both; amending the
graph it created needed neither: 0.2 -> 5 BTC ($450k against a $20k max_notional) went through with only `--yes`.
And the ledger's copy of the graph was looked up in the scope of the command's URL and key only, so under
`localhost` for `127.0.0.1`, or after a key rotation, the same ledger said "not in this ledger", dropped the
max_notional and lint checks, and accepted an increase it had refused a moment before.

Everything here is the real CLI against `graphc sandbox serve` (a separate process, real HTTP:
tests/sandbox_fixture.py); the audit's playbook, BTC-USD at 90000 and ETH-USD at 2000.
"""

from __future__ import annotations

import re

import pytest
from sandbox_fixture import cli_env, run_graphc

from graphc.api.client import Client
from graphc.api.ledger import Ledger, Scope
from tests.conftest import invoke

LIMIT = (
    "graphc: 1\nname: {name}\n{mode}risk:\n  max_notional: $20k\nlegs:\n"
    "  a: {{buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}}\n"
    "  b: {{buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2000}}\n"
)
GRAPH_ID = re.compile(r"as graph (graph_[0-9a-f]+)")


@pytest.fixture
def project(tmp_path):
    """The audit's p1: a project (`.git` marks its root) with limit.yaml and live.yaml."""
    root = tmp_path / "p1"
    (root / ".git").mkdir(parents=True)
    (root / "limit.yaml").write_text(LIMIT.format(name="lim", mode=""))
    (root / "live.yaml").write_text(LIMIT.format(name="limlive", mode="sandbox: false\n"))
    return root


def _submitted(sandbox, project, playbook: str, *extra) -> str:
    sandbox.configure(speed=0)  # the nodes stay executing
    result = invoke(["submit", project / playbook, *extra], cli_env(sandbox))
    assert result.exit_code == 0, result.output
    return GRAPH_ID.search(result.output).group(1)


def _patches(sandbox) -> list[dict]:
    return sandbox.requests("PATCH")


def _amended(sandbox, gid) -> list[int | None]:
    return [e.get("qty_1e8") for e in sandbox.events(gid) if e["type"] == "node_amended"]


# -- a: the live opt-in ------------------------------------------------------------------------------------------


def test_amending_a_live_graph_needs_live_as_submitting_it_did(sandbox, project):
    gid = _submitted(sandbox, project, "live.yaml", "--live", "--yes")
    ledger = ["--ledger", project / ".graphc" / "ledger.sqlite"]
    env = cli_env(sandbox)
    for change in (["--qty", "0.2"], ["--urgency", "high"], ["--qty", "0.05"]):  # a smaller size too: it trades
        refused = invoke(["amend", gid, "a", *change, *ledger], env)
        assert refused.exit_code == 2, refused.output
        assert refused.output == (
            f"graphc: refused: graph {gid} is LIVE (ledger run 1 sent it with `sandbox: false`): an amend changes "
            "a real-money order; pass --live to amend it; nothing sent\n"
        )
    assert _patches(sandbox) == []
    accepted = invoke(["amend", gid, "a", "--qty", "0.2", "--urgency", "high", "--live", *ledger], env)
    assert accepted.exit_code == 0, accepted.output
    assert accepted.output == (
        f"graph {gid} (LIVE) node a: size 0.1 -> 0.2 BTC\ngraph {gid} (LIVE) node a: accepted (qty_1e8, urgency)\n"
    )
    # --live lifts no guard: 5 BTC x 90000 = $450,000, above the graph's $20,000, with --yes too
    huge = invoke(["amend", gid, "a", "--qty", "5", "--live", "--yes", *ledger], env)
    assert huge.exit_code == 2, huge.output
    assert "5 BTC at the limit 90000 is $450,000, above the graph's max_notional_usd $20,000" in huge.output
    assert _amended(sandbox, gid) == [20_000_000]


def test_the_audits_amend_of_a_live_graph_from_inside_the_project(sandbox, project):
    """The audit's first command, as a process in the project with no terminal: refused, nothing sent."""
    gid = _submitted(sandbox, project, "live.yaml", "--live", "--yes")
    proc = run_graphc(["amend", gid, "a", "--qty", "0.2", "--urgency", "high"], cli_env(sandbox), project)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"graph {gid} is LIVE" in proc.stderr and "pass --live" in proc.stderr
    assert proc.stdout == "" and _patches(sandbox) == []


def test_live_on_a_sandbox_graph_changes_nothing_and_says_so(sandbox, project):
    gid = _submitted(sandbox, project, "limit.yaml")
    ledger = ["--ledger", project / ".graphc" / "ledger.sqlite"]
    result = invoke(["amend", gid, "a", "--qty", "0.2", "--live", *ledger], cli_env(sandbox))
    assert result.exit_code == 0, result.output
    assert f"graphc: warning: --live has no effect: graph {gid} is a sandbox graph (ledger run 1)" in result.output
    assert f"graph {gid} node a: size 0.1 -> 0.2 BTC\n" in result.output  # no (LIVE)


# -- b: the ledger's copy under another URL spelling or API key --------------------------------------------------


def test_the_ledgers_copy_is_found_under_another_url_spelling_and_a_rotated_key(sandbox, project):
    """The audit's reproduction: 0.3 BTC ($27,000) refused under 127.0.0.1, then accepted under localhost and
    under a rotated key with every check dropped. Now the same refusal, with a note saying whose copy it is."""
    gid = _submitted(sandbox, project, "live.yaml", "--live", "--yes", "--run-key", "live-b")
    ledger = ["--ledger", project / ".graphc" / "ledger.sqlite"]
    refusal = "0.3 BTC at the limit 90000 is $27,000, above the graph's max_notional_usd $20,000; nothing sent"
    same = invoke(["amend", gid, "a", "--qty", "0.3", "--live", *ledger], cli_env(sandbox))
    assert same.exit_code == 2 and refusal in same.output, same.output
    assert "note:" not in same.output
    localhost = sandbox.base_url.replace("127.0.0.1", "localhost")
    for env, note in (
        (
            cli_env(sandbox, SEQUENCE_API_URL=localhost),
            f"note: ledger run 1 recorded graph {gid} as sent to {sandbox.base_url}, not {localhost}",
        ),
        (
            cli_env(sandbox, SEQUENCE_API_KEY="seq_live_rotatedkey_abcdef0123456789"),
            f"note: ledger run 1 recorded graph {gid} as sent with another API key (account key:",
        ),
    ):
        unopted = invoke(["amend", gid, "a", "--qty", "0.3", *ledger], env)  # still LIVE: --live still needed
        assert unopted.exit_code == 2 and f"graph {gid} is LIVE" in unopted.output, unopted.output
        refused = invoke(["amend", gid, "a", "--qty", "0.3", "--live", *ledger], env)
        assert refused.exit_code == 2, refused.output
        assert note in refused.output and refusal in refused.output, refused.output
        assert "not in this ledger" not in refused.output and "could not" not in refused.output
        assert "seq_live_rotatedkey" not in refused.output  # the account's fingerprint, never the key
        # and an amend it can check goes through with every check: the lint ran (no note says it could not)
        lint = invoke(["amend", gid, "a", "--qty", "0.00001", "--live", *ledger], env)  # $0.90: GC301
        assert lint.exit_code == 2 and "GC301" in lint.output, lint.output
    assert _patches(sandbox) == []
    # a trailing slash or capitals are the same URL as the ledger keys it (Client.base_url): no note at all
    spelled = cli_env(sandbox, SEQUENCE_API_URL=sandbox.base_url.replace("http://", "HTTP://") + "/")
    accepted = invoke(["amend", gid, "a", "--qty", "0.2", "--live", *ledger], spelled)
    assert accepted.exit_code == 0 and "note:" not in accepted.output, accepted.output
    assert _amended(sandbox, gid) == [20_000_000]


# -- a graph the ledger truly holds no copy of: an increase it cannot check is refused ---------------------------


def test_an_increase_graphc_cannot_check_is_refused_outside_the_project(sandbox, project, tmp_path):
    """The audit's `cd /tmp && graphc amend G a --qty 5 --yes`: 0.2 -> 5 BTC went through with every check
    dropped. Outside the project there is no ledger: an increase is refused, saying why; a smaller size and the
    other fields go through, with the checks that could not run named."""
    gid = _submitted(sandbox, project, "live.yaml", "--live", "--yes")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = cli_env(sandbox)
    no_ledger = (
        f"there is no ledger at {outside / '.graphc' / 'ledger.sqlite'}; pass --ledger PATH for the ledger that "
        "submitted it"
    )
    proc = run_graphc(["amend", gid, "a", "--qty", "5", "--yes"], env, outside)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == (
        f"graphc: error: --qty: 5 is more than node a's size 0.1, and graphc cannot check a larger size (the "
        f"graph's max_notional, graphc lint's checks, whether it is LIVE): {no_ledger}; nothing sent\n"
    )
    assert _patches(sandbox) == []
    smaller = run_graphc(["amend", gid, "a", "--qty", "0.05", "--urgency", "low"], env, outside)
    assert smaller.returncode == 0, smaller.stderr
    assert smaller.stdout == (
        f"graph {gid} node a: size 0.1 -> 0.05\n"
        f"note: graphc has no copy of graph {gid} ({no_ledger}); not checked: the graph's max_notional, graphc "
        "lint's checks of the amended node, whether the graph is LIVE\n"
        f"graph {gid} node a: accepted (qty_1e8, urgency)\n"
    )
    assert _amended(sandbox, gid) == [5_000_000]


def test_a_ledger_without_the_graph_says_so_truthfully(sandbox, project, tmp_path):
    gid = _submitted(sandbox, project, "limit.yaml")
    other = tmp_path / "other.sqlite"
    (project / "o.yaml").write_text(LIMIT.format(name="other", mode=""))
    assert invoke(["submit", project / "o.yaml", "--ledger", other], cli_env(sandbox)).exit_code == 0
    refused = invoke(["amend", gid, "a", "--qty", "0.2", "--ledger", other], cli_env(sandbox))
    assert refused.exit_code == 2, refused.output
    assert (
        f"graphc cannot check a larger size (the graph's max_notional, graphc lint's checks, whether it is LIVE): "
        f"graph {gid} is not in the ledger {other}, under any router URL or API key; pass --ledger PATH for the "
        "ledger that submitted it; nothing sent\n"
    ) in refused.output, refused.output


def test_a_graph_only_found_at_the_router_has_no_copy_to_check_against(sandbox, project, tmp_path):
    """A run this ledger found at the router by its tag (another clone sent it): the ledger knows the graph id
    but holds no copy of what was sent, nor whether it is LIVE."""
    gid = _submitted(sandbox, project, "limit.yaml")
    found = tmp_path / "found.sqlite"
    with Client(sandbox.base_url, "k") as client, Ledger(found) as ledger:
        ledger.record_found(Scope.of(client), "lim@x", "lim", "gcabc", gid, "found at the router by its tag")
    refused = invoke(["amend", gid, "a", "--qty", "0.2", "--ledger", found], cli_env(sandbox))
    assert refused.exit_code == 2, refused.output
    assert (
        f"ledger run 1 only found graph {gid} at the router by its run tag, so the ledger holds no copy of what "
        "was sent"
    ) in refused.output, refused.output
    assert _patches(sandbox) == []
