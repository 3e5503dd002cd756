"""The submission ledger: states, run-key refusals, reconciliation against the
sandbox (a separate process), and a seeded fault soak of the whole protocol."""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections import Counter

import pytest
from click.testing import CliRunner
from sandbox_fixture import hedge_graph, wire

from graphc.api.client import Client
from graphc.api.errors import (
    AlreadySubmitted,
    ApiError,
    LedgerError,
    PendingUncertain,
    UncertainSubmission,
)
from graphc.api.ledger import (
    Ledger,
    default_ledger_path,
    default_run_key,
    find_project_root,
    guarded_submit,
    parse_node_order_id,
    wire_hash,
)
from graphc.commands.ledger import ledger_command

KEY = "sk_test_LEDGER_0a1b2c3d4e5f_SECRET"
WIRE = wire(hedge_graph())


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / ".graphc" / "ledger.sqlite") as led:
        yield led


@pytest.fixture
def client(sandbox):
    with Client(sandbox.base_url, KEY, backoff_factor=0.01) as c:
        yield c


def begin(ledger, key="nightly@abc", wire_bytes=WIRE, **kw):
    return ledger.begin(key, "nightly", wire_hash(wire_bytes), False, wire=wire_bytes, **kw)


# -- paths and keys -----------------------------------------------------------------


def test_default_path_is_in_the_project_root(tmp_path, monkeypatch):
    project = tmp_path / "proj"
    (project / "a" / "b").mkdir(parents=True)
    (project / "graphc.toml").write_text("")
    monkeypatch.chdir(project / "a" / "b")
    assert find_project_root() == project
    assert default_ledger_path() == project / ".graphc" / "ledger.sqlite"
    Ledger().close()
    assert (project / ".graphc" / "ledger.sqlite").exists()
    assert (project / ".graphc" / ".gitignore").read_text() == "*\n"
    bare = tmp_path / "bare"
    bare.mkdir()
    assert find_project_root(bare) == bare


def test_run_key_and_node_order_id_helpers():
    assert default_run_key("nightly", WIRE) == f"nightly@{wire_hash(WIRE)[:16]}"
    assert default_run_key("nightly", WIRE) != default_run_key("nightly", wire(hedge_graph(1)))
    assert parse_node_order_id("graph:graph_7d7:spot:1") == ("graph_7d7", "spot", "1")
    assert parse_node_order_id("graph_7d7:spot:1") is None


# -- states -------------------------------------------------------------------------


def test_intent_then_submitted(ledger):
    run_id = begin(ledger)
    run = ledger.get(run_id)
    assert (run.state, run.graph_id, run.idempotency_key, run.pending) == ("intent", None, "nightly@abc", True)
    ledger.record_submitted(run_id, "graph_1")
    run = ledger.get(run_id)
    assert (run.state, run.graph_id, run.pending) == ("submitted", "graph_1", False)
    assert [e["state"] for e in ledger.events(run_id)] == ["intent", "submitted"]
    with pytest.raises(LedgerError):
        ledger.record_failed(run_id, "too late")


def test_intent_is_committed_before_anything_else(ledger):
    run_id = begin(ledger)
    other = sqlite3.connect(ledger.path)  # another process sees it at once
    assert other.execute("SELECT state FROM runs WHERE id = ?", (run_id,)).fetchone() == ("intent",)
    other.close()


def test_second_submission_of_a_run_key_is_refused_unless_forced(ledger):
    first = begin(ledger)
    ledger.record_submitted(first, "graph_1")
    with pytest.raises(AlreadySubmitted) as info:
        begin(ledger)
    assert info.value.graph_id == "graph_1" and info.value.exit_code == 2 and "--force" in str(info.value)
    forced = begin(ledger, force=True)
    assert ledger.get(forced).idempotency_key == f"nightly@abc#{forced}"  # not a replay of the first
    assert begin(ledger, key="other@def")  # other run keys are independent


def test_an_unresolved_attempt_blocks_even_a_forced_one(ledger):
    run_id = begin(ledger)
    with pytest.raises(PendingUncertain):
        begin(ledger, force=True)
    ledger.record_uncertain(run_id, "read timeout")
    with pytest.raises(PendingUncertain) as info:
        begin(ledger)
    assert "read timeout" in str(info.value) and "--resolve" in str(info.value)
    ledger.record_failed(run_id, "checked: not created")
    retry = begin(ledger)
    assert ledger.get(retry).idempotency_key == "nightly@abc"  # nothing was created: same key is safe


def test_a_late_graph_id_wins_over_failed(ledger):
    run_id = begin(ledger)
    ledger.record_failed(run_id, "thought it failed")
    ledger.record_submitted(run_id, "graph_9")
    assert ledger.get(run_id).state == "submitted"


def test_manual_resolution(ledger):
    run_id = begin(ledger)
    ledger.record_uncertain(run_id, "dropped")
    assert ledger.resolve(run_id, graph_id="graph_5").state == "reconciled"
    with pytest.raises(LedgerError):
        ledger.resolve(run_id)
    other = begin(ledger, key="k2")
    ledger.record_uncertain(other, "dropped")
    assert ledger.resolve(other).state == "failed"


def test_errors_are_redacted_and_the_file_never_holds_the_key(ledger, sandbox, client):
    run_id = begin(ledger, endpoint=client.base_url)
    ledger.record_uncertain(run_id, f"server echoed Authorization: Bearer {KEY}")
    assert KEY not in ledger.get(run_id).error
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    with pytest.raises(UncertainSubmission):
        guarded_submit(ledger, client, run_key="r2", playbook="p", wire=WIRE, live=False)
    ledger.close()
    for path in ledger.path.parent.iterdir():
        assert KEY.encode() not in path.read_bytes()


# -- reconciliation -----------------------------------------------------------------


def test_reconcile_finds_the_graph_a_dropped_post_created(ledger, sandbox, client):
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    with pytest.raises(UncertainSubmission):
        guarded_submit(ledger, client, run_key="nightly@abc", playbook="nightly", wire=WIRE, live=False)
    (run,) = ledger.runs()
    assert run.state == "uncertain" and run.graph_id is None
    (created,) = sandbox.graphs()
    result = ledger.reconcile(run.id, client)
    assert result.found is True and created["graph_id"] in result.message
    assert ledger.get(run.id).state == "reconciled" and ledger.get(run.id).graph_id == created["graph_id"]
    with pytest.raises(AlreadySubmitted):  # the dropped attempt did trade: do not send it again
        guarded_submit(ledger, client, run_key="nightly@abc", playbook="nightly", wire=WIRE, live=False)
    assert len(sandbox.graphs()) == 1


def test_guarded_submit_reconciles_first_then_resubmits_when_nothing_was_created(ledger, sandbox, client):
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}])
    with pytest.raises(UncertainSubmission):
        guarded_submit(ledger, client, run_key="k", playbook="p", wire=WIRE, live=False)
    assert sandbox.graphs() == []
    outcome = guarded_submit(ledger, client, run_key="k", playbook="p", wire=WIRE, live=False)
    assert [r.found for r in outcome.reconciled] == [False]
    assert outcome.run.state == "submitted" and outcome.response["graph_id"] == outcome.run.graph_id
    assert [r.state for r in ledger.runs()] == ["failed", "submitted"]
    assert [g["graph_id"] for g in sandbox.graphs()] == [outcome.run.graph_id]


def _dropped_then_reconciled(ledger, sandbox, client):
    """Submit with the answer dropped (the graph is created), then reconcile that run."""
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    with pytest.raises(UncertainSubmission):
        guarded_submit(ledger, client, run_key="k", playbook="p", wire=WIRE, live=False)
    (run,) = ledger.runs()
    return run, ledger.reconcile(run.id, client)


def test_reconcile_by_shape_when_the_router_lists_no_keys(ledger, sandbox, client):
    sandbox.configure(expose_idempotency_keys=False)
    client.submit_graph(wire(hedge_graph(5)))  # an unrelated graph: different size is fine, other
    run, result = _dropped_then_reconciled(ledger, sandbox, client)
    # two graphs have the same node ids, symbols and sides: ambiguous, so a human decides
    assert result.found is None and "2 graphs match" in result.message
    assert ledger.get(run.id).state == "uncertain"


def test_reconcile_by_shape_picks_the_only_candidate(ledger, sandbox, client):
    sandbox.configure(expose_idempotency_keys=False)
    run, result = _dropped_then_reconciled(ledger, sandbox, client)
    assert result.found is True and "matched by node ids" in result.message
    assert ledger.get(run.id).graph_id == sandbox.graphs()[0]["graph_id"]


def test_absence_is_no_proof_when_the_router_lists_no_keys(ledger, sandbox, client):
    sandbox.configure(expose_idempotency_keys=False)
    sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}])
    with pytest.raises(UncertainSubmission):
        guarded_submit(ledger, client, run_key="k", playbook="p", wire=WIRE, live=False)
    with pytest.raises(PendingUncertain) as info:
        guarded_submit(ledger, client, run_key="k", playbook="p", wire=WIRE, live=False)
    assert "no proof" in str(info.value) and "--not-submitted" in str(info.value)
    (run,) = ledger.runs()
    ledger.resolve(run.id, note="operator checked the router")
    assert guarded_submit(ledger, client, run_key="k", playbook="p", wire=WIRE, live=False).run.graph_id


def test_a_fresh_intent_may_be_in_flight(ledger, sandbox, client):
    run_id = begin(ledger, endpoint=client.base_url)  # as if another process is mid-POST
    with pytest.raises(PendingUncertain) as info:
        guarded_submit(ledger, client, run_key="nightly@abc", playbook="nightly", wire=WIRE, live=False)
    assert "in flight" in str(info.value)
    result = ledger.reconcile(run_id, client, in_flight_grace=0)  # e.g. after a crash, later
    assert result.found is False and ledger.get(run_id).state == "failed"


def test_reconcile_refuses_another_router(ledger, client):
    run_id = begin(ledger, endpoint="https://api.sequencemkts.com")
    ledger.record_uncertain(run_id, "timeout")
    with pytest.raises(LedgerError) as info:
        ledger.reconcile(run_id, client)
    assert "SEQUENCE_API_URL=https://api.sequencemkts.com" in str(info.value)


def test_a_refused_submission_is_recorded_failed(ledger, sandbox, client):
    sandbox.control("POST", "/config", {"reject_symbols": []})
    client.kill_switch(True, "drill")
    with pytest.raises(ApiError):
        guarded_submit(ledger, client, run_key="k", playbook="p", wire=WIRE, live=False)
    (run,) = ledger.runs()
    assert run.state == "failed" and "kill switch" in run.error


# -- soak: random faults on POSTs and GETs ------------------------------------------------


def test_fault_soak_keeps_exactly_one_graph_per_run_key(ledger, sandbox):
    """200 submissions of 100 run keys with seeded faults: every run key ends with
    exactly one graph, the ledger knows every graph the sandbox created, and
    nothing is left pending without being shown as uncertain."""
    sandbox.set_faults(
        [
            {"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read", "probability": 0.2, "seed": 1},
            {"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500", "probability": 0.1, "seed": 2},
            {
                "method": "POST",
                "path_prefix": "/v1/orders",
                "kind": "http_500",
                "apply": True,
                "probability": 0.1,
                "seed": 3,
            },
            {
                "method": "POST",
                "path_prefix": "/v1/orders",
                "kind": "http_429",
                "retry_after": 0,
                "probability": 0.1,
                "seed": 4,
            },
            {
                "method": "POST",
                "path_prefix": "/v1/orders",
                "kind": "slow",
                "delay": 0.3,
                "probability": 0.03,
                "seed": 5,
            },
            {"method": "GET", "path_prefix": "/v1/orders", "kind": "http_500", "probability": 0.2, "seed": 6},
            {"method": "GET", "path_prefix": "/v1/orders", "kind": "drop_after_read", "probability": 0.1, "seed": 7},
            {
                "method": "GET",
                "path_prefix": "/v1/orders",
                "kind": "http_429",
                "retry_after": 0,
                "probability": 0.1,
                "seed": 8,
            },
        ]
    )
    wires = {f"job-{i}@soak": wire(hedge_graph(1000 + i)) for i in range(100)}
    rng = random.Random(42)
    outcomes = Counter()
    with Client(sandbox.base_url, KEY, timeout=0.2, retries=3, backoff_factor=0.005) as c:
        for _ in range(200):
            key = rng.choice(sorted(wires))
            outcomes[_attempt(ledger, c, key, wires[key])] += 1
        assert outcomes["uncertain"] >= 20 and outcomes["submitted"] >= 50 and outcomes["already"]
        hits = Counter(r["fault"] for r in sandbox.requests())
        assert hits["drop_after_read"] and hits["http_500"] and hits["http_429"] and hits["slow"]
    time.sleep(0.4)  # let slow POSTs land
    sandbox.set_faults([])
    with Client(sandbox.base_url, KEY) as calm:  # a calm final pass settles every key
        for key, body in wires.items():
            _attempt(ledger, calm, key, body)
    created = Counter(g["idempotency_key"] for g in sandbox.graphs())
    assert created == Counter(dict.fromkeys(wires, 1))
    assert {g["graph_id"] for g in sandbox.graphs()} <= ledger.graph_ids()
    assert not [r for r in ledger.runs() if r.state == "intent"]
    assert not ledger.pending()


def _attempt(ledger, client, key, body) -> str:
    try:
        guarded_submit(ledger, client, run_key=key, playbook="soak", wire=body, live=False)
        return "submitted"
    except AlreadySubmitted:
        return "already"
    except (UncertainSubmission, PendingUncertain):
        return "uncertain"
    except ApiError:
        return "error"


# -- the ledger command ---------------------------------------------------------------


def test_ledger_command_lists_resolves_and_reconciles(tmp_path, sandbox, client):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as led:
        ok = begin(led, key="a@1")
        led.record_submitted(ok, "graph_a")
        sandbox.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
        with pytest.raises(UncertainSubmission):
            guarded_submit(led, client, run_key="b@2", playbook="nightly", wire=WIRE, live=True)
        manual = begin(led, key="c@3")
        led.record_uncertain(manual, "timeout")
    runner = CliRunner()
    result = runner.invoke(ledger_command, ["--ledger", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "CREATED", "(UTC)", "STATE", "MODE", "RUN", "KEY", "GRAPH"]
    assert lines[1].split()[2:] == ["submitted", "sandbox", "a@1", "graph_a"]
    assert lines[2].split()[2:] == ["uncertain", "LIVE", "b@2", "-"]
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--resolve", str(manual), "--not-submitted"])
    assert result.exit_code == 0 and result.output == f"run {manual}: failed\n"
    result = runner.invoke(
        ledger_command, ["--ledger", str(path), "--reconcile"], env=sandbox.env(SEQUENCE_API_KEY=KEY)
    )
    assert result.exit_code == 0, result.output
    assert "created graph graph_" in result.output
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--json", "--state", "reconciled"])
    (row,) = json.loads(result.output)
    assert row["run_key"] == "b@2" and row["graph_id"] == sandbox.graphs()[0]["graph_id"] and row["live"] is True
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--graph-id", "x"])
    assert result.exit_code == 2
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--resolve", "99", "--not-submitted"])
    assert result.exit_code == 2 and result.output.startswith("graphc: error: no ledger run 99")
