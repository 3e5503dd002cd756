"""The submission ledger's state machine, the run tag, the router scan, and the submit library,
against the sandbox (a separate process, real HTTP) where the router is involved."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sandbox_fixture import REPO, hedge_graph, wire

from graphc.api.client import Client
from graphc.api.errors import (
    AlreadySubmitted,
    ApiError,
    KillSwitchActive,
    LedgerError,
    PendingUncertain,
    RouterCheckIncomplete,
    UncertainSubmission,
)
from graphc.api.ledger import Ledger, Scope, default_ledger_path
from graphc.api.lookup import find_run, parse_node_order_id
from graphc.api.runtag import (
    TAG_PATTERN,
    canonical_wire_text,
    content_run_key,
    node_tag,
    run_tag,
    tag_wire,
    untagged_node_id,
)
from graphc.commands.ledger import ledger_command
from graphc.submit import Refused, prepare, submit_prepared, submit_wire

KEY = "sk_test_LEDGER_0a1b2c3d4e5f_SECRET"
WIRE = canonical_wire_text(wire(hedge_graph()).decode())
HEDGE = REPO / "examples" / "eth-hedge.yaml"
QUOTES = REPO / "examples" / "quotes.yaml"
SCOPE = Scope("http://127.0.0.1:1", "key:test")


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / ".graphc" / "ledger.sqlite") as led:
        yield led


@pytest.fixture
def client(reference_router):
    with Client(reference_router.base_url, KEY, backoff_factor=0.01) as c:
        yield c


def begin(ledger, key="nightly@abc", scope=SCOPE, **kw):
    return ledger.begin(scope, key, "nightly", False, wire_for=lambda tag: tag_wire(WIRE, tag).encode(), **kw)


LIVE_WIRE = WIRE.replace('"is_sandbox": true', '"is_sandbox": false')


def submit(ledger, client, key="k", **kw):
    return submit_wire(WIRE, "p", client=client, ledger=ledger, run_key=key, **kw)


# -- run keys and tags ---------------------------------------------------------------


def test_a_run_tag_is_fixed_by_the_run_key_alone_and_is_ascii():
    assert run_tag("dca@2026-01-05T14:00Z") == run_tag("dca@2026-01-05T14:00Z")
    assert run_tag("dca@2026-01-05T14:00Z") != run_tag("dca@2026-01-12T14:00Z")
    tag = run_tag("dca-Mär")
    assert tag.isascii() and len(tag) == 18 and tag.startswith("gc")
    # pinned (checked with `printf 'graphc run\0nightly' | sha256sum | xxd -r -p | base32`): a change here
    # would make runs submitted by an older graphc unrecognisable at the router
    assert run_tag("nightly") == "gcg4xq2a44yoauwcyf"


def test_tagging_touches_node_ids_and_edge_ends_only():
    tagged = json.loads(tag_wire(WIRE, "gcaaaaaaaaaaaaaaaa"))
    original = json.loads(WIRE)
    assert [n["node_id"] for n in tagged["nodes"]] == ["spot.gcaaaaaaaaaaaaaaaa", "hedge.gcaaaaaaaaaaaaaaaa"]
    assert (tagged["edges"][0]["from_node"], tagged["edges"][0]["to_node"]) == (
        "spot.gcaaaaaaaaaaaaaaaa",
        "hedge.gcaaaaaaaaaaaaaaaa",
    )
    for node in tagged["nodes"]:
        node["node_id"] = untagged_node_id(node["node_id"])
    tagged["edges"][0].update(from_node="spot", to_node="hedge")
    assert tagged == original
    assert node_tag("spot.gcaaaaaaaaaaaaaaaa") == "gcaaaaaaaaaaaaaaaa" and node_tag("spot.gcshort") is None


def test_the_default_run_key_is_the_content_and_the_name():
    other = canonical_wire_text(wire(hedge_graph(1)).decode())
    assert content_run_key("nightly", WIRE) == content_run_key("nightly", WIRE)
    assert content_run_key("nightly", WIRE) != content_run_key("nightly", other)
    assert content_run_key("nightly", WIRE) != content_run_key("other", WIRE)
    reformatted = json.dumps(json.loads(WIRE))  # one line, other spacing: the same graph
    assert canonical_wire_text(reformatted) == WIRE
    # audit roundtrip.md 1: keys in another order (`jq -S`) were another run key, so the graph was sent twice
    assert list(json.loads(WIRE)["nodes"][0])[:2] == ["node_id", "instrument"]  # compile's order: not sorted
    sorted_keys = json.dumps(json.loads(WIRE), sort_keys=True)
    assert canonical_wire_text(sorted_keys) == WIRE
    assert content_run_key("nightly", sorted_keys) == content_run_key("nightly", WIRE)


def test_one_flat_table_of_field_places_orders_every_mapping_of_the_wire_schema():
    # in_wire_order ranks a name by one place, whichever mapping has it; that is right for every
    # mapping only if a name two mappings share has the same place in both (`symbol`: instrument, on_price)
    from graphc.stages.wire_order import field_places, in_wire_order

    places = field_places()
    assert {name: p for name, p in places.items() if len(p) > 1} == {}
    assert places["symbol"] == {0} and places["offset_pct"] == {3}
    price = {"offset_pct": -5, "reference": "graph_entry_price", "symbol": "ETH-USD", "direction": "below"}
    assert list(in_wire_order(price)) == ["symbol", "direction", "reference", "offset_pct"]
    assert list(in_wire_order({"zz": 1, "node_id": "a", "aa": 2})) == ["node_id", "aa", "zz"]  # unknown: by name


def test_node_order_ids():
    tag = "gcaaaaaaaaaaaaaaaa"
    assert parse_node_order_id(f"graph:graph_7d7:spot.{tag}:1", tag) == ("graph_7d7", f"spot.{tag}")
    assert parse_node_order_id("graph_7d7:spot:1", tag) is None and parse_node_order_id(5, tag) is None


# -- where the ledger is -------------------------------------------------------------------


def test_the_ledger_is_in_the_playbooks_project_and_private(tmp_path, monkeypatch):
    project = tmp_path / "proj"
    (project / "plays").mkdir(parents=True)
    (project / "graphc.toml").write_text("")
    elsewhere = tmp_path / "cron"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = default_ledger_path(project / "plays" / "x.yaml")
    assert path == project / ".graphc" / "ledger.sqlite"
    Ledger(path).close()
    assert (project / ".graphc" / ".gitignore").read_text() == "*\n"
    assert os.stat(path).st_mode & 0o077 == 0 and os.stat(path.parent).st_mode & 0o077 == 0


# -- the state machine -----------------------------------------------------------------------


def test_intent_sent_confirmed(ledger):
    run = begin(ledger)
    assert (run.state, run.graph_id, run.tag, run.pending) == ("intent", None, run_tag("nightly@abc"), True)
    assert json.loads(run.wire)["nodes"][0]["node_id"] == f"spot.{run.tag}"  # the exact bytes it sends
    ledger.mark_sent(run.id, time.time_ns())
    ledger.record_confirmed(run.id, "graph_1")
    run = ledger.get(run.id)
    assert (run.state, run.graph_id, run.pending) == ("confirmed", "graph_1", False)
    assert [e["state"] for e in ledger.events(run.id)] == ["intent", "sent", "confirmed"]
    with pytest.raises(LedgerError):
        ledger.record_absent(run.id, "too late")


def test_the_intent_is_committed_before_anything_else(ledger):
    run = begin(ledger)
    other = sqlite3.connect(ledger.path)  # another process sees it at once
    assert other.execute("SELECT state FROM runs WHERE id = ?", (run.id,)).fetchone() == ("intent",)
    other.close()


def test_a_stale_intent_can_never_be_sent_once_it_is_declared_absent(ledger, client):
    run = begin(ledger, scope=Scope.of(client))
    later = run.created_ns + 31 * 10**9  # its process stopped before sending
    result = ledger.reconcile(run.id, client, now_ns=later)
    assert result.found is False and ledger.get(run.id).state == "absent"
    with pytest.raises(LedgerError) as info:  # the slow process wakes up: it must not send
        ledger.mark_sent(run.id, time.time_ns())
    assert "nothing was sent" in str(info.value)


def test_a_stale_intent_sent_while_it_is_being_settled_stays_sent(ledger, client):
    # the race the check-and-set closes: a reconcile reads the row as a stale intent, then its slow process marks it
    # sent (the request may now land) before the reconcile writes `absent`; the request in flight must stay `sent`
    run = begin(ledger, scope=Scope.of(client))
    read_by_the_reconcile = ledger.get(run.id)
    ledger.mark_sent(run.id, time.time_ns() + 60 * 10**9)
    result = ledger._reconcile_intent(read_by_the_reconcile, run.created_ns + 31 * 10**9)
    assert ledger.get(run.id).state == "sent" and result.found is None
    assert "was just sent" in result.message
    assert [e["state"] for e in ledger.events(run.id)] == ["intent", "sent"]


def test_a_fresh_intent_belongs_to_a_process_that_may_send_it(ledger, client):
    begin(ledger, scope=Scope.of(client))
    with pytest.raises(PendingUncertain) as info:
        submit(ledger, client, key="nightly@abc")
    said = str(info.value)  # as Ledger.begin's refusal says it, the run named once (audit ops19 6)
    assert "(ledger run 1): another graphc is submitting this run right now (its attempt was recorded at " in said
    assert said.endswith("; nothing was sent for this run") and "run 1 (" not in said and info.value.exit_code == 3


def test_a_second_submission_is_refused_unless_forced_and_a_forced_one_has_its_own_tag(ledger):
    first = begin(ledger)
    ledger.mark_sent(first.id, 0)
    ledger.record_confirmed(first.id, "graph_1")
    with pytest.raises(AlreadySubmitted) as info:
        begin(ledger)
    assert info.value.graph_id == "graph_1" and info.value.exit_code == 2 and "--force" in str(info.value)
    forced = begin(ledger, force=True)
    # the nonce is recorded with the intent, and gives the row's tag back: run_tag(KEY + "#" + nonce)
    nonce = ledger.events(forced.id)[0]["note"].rpartition("#")[2].rstrip("'")
    assert len(nonce) == 16 and forced.tag == run_tag(f"nightly@abc#{nonce}") != first.tag
    ledger.mark_sent(forced.id, 0)
    ledger.record_confirmed(forced.id, "graph_2")
    assert begin(ledger, force=True).tag not in (first.tag, forced.tag)
    assert begin(ledger, key="other@def").state == "intent"  # other run keys are independent


def test_a_forced_tag_does_not_depend_on_the_ledger(tmp_path):
    """Two fresh ledgers (two clones) forcing one run key: the tags differ from each other and from the run's
    own tag. The old `#N` numbering counted this ledger's graphs only, so both got the first run's tag."""
    tags = []
    for name in ("a", "b"):
        with Ledger(tmp_path / f"{name}.sqlite") as fresh:
            run = begin(fresh, force=True)
            assert TAG_PATTERN.fullmatch(run.tag) and f".{run.tag}" in (run.wire or b"").decode()
            tags.append(run.tag)
    assert len({*tags, run_tag("nightly@abc")}) == 3


def test_runs_are_scoped_to_the_router_and_the_account(ledger):
    run = begin(ledger)
    ledger.mark_sent(run.id, 0)
    ledger.record_confirmed(run.id, "graph_1")
    # a graph elsewhere (a rehearsal at another router; another account) is not this scope's graph, nor the reverse
    for scope in (Scope("http://127.0.0.1:2", "key:test"), Scope(SCOPE.endpoint, "key:other")):
        other = begin(ledger, scope=scope)
        assert other.state == "intent"
        ledger.mark_sent(other.id, 0)
        ledger.record_confirmed(other.id, f"graph_{other.id}")  # settled: an unsettled one blocks every scope
    with pytest.raises(AlreadySubmitted):
        begin(ledger, scope=SCOPE)


def test_an_unsettled_attempt_blocks_its_run_key_in_every_scope(ledger):
    """audit submit16 1: a scope is a URL spelling and a key fingerprint; `localhost` for `127.0.0.1`, or a second key
    of one account, reaches the same router and account, where the unsettled request may still land."""
    run = begin(ledger)
    ledger.mark_sent(run.id, time.time_ns() + 60 * 10**9)
    ledger.record_uncertain(run.id, "read timeout")
    for scope, said in (
        (Scope("http://localhost:1", SCOPE.account), f"submitted to {SCOPE.endpoint}; reconcile it with "),
        (Scope(SCOPE.endpoint, "key:other"), f"submitted with another API key (account {SCOPE.account})"),
    ):
        with pytest.raises(PendingUncertain) as info:
            begin(ledger, scope=scope, force=True)
        message = str(info.value)
        assert info.value.exit_code == 3 and said in message and "may still reach the router until" in message
        assert "--resolve 1 --graph-id ID" in message
    ledger.record_absent(run.id, "proven absent")
    assert begin(ledger, scope=Scope("http://localhost:1", SCOPE.account)).state == "intent"  # settled: free again


def test_an_unresolved_attempt_blocks_even_a_forced_one(ledger):
    run = begin(ledger)
    ledger.mark_sent(run.id, 0)
    ledger.record_uncertain(run.id, "read timeout")
    with pytest.raises(PendingUncertain):
        begin(ledger, force=True)


def test_a_graph_found_later_wins_over_absent(ledger):
    run = begin(ledger)
    ledger.mark_sent(run.id, 0)
    ledger.record_absent(run.id, "thought it failed")
    ledger.record_confirmed(run.id, "graph_9")
    assert ledger.get(run.id).state == "confirmed"


def test_manual_resolution_is_the_way_to_force(ledger):
    run = begin(ledger)
    ledger.mark_sent(run.id, 0)
    ledger.record_uncertain(run.id, "dropped")
    assert ledger.resolve(run.id, graph_id="graph_5").state == "confirmed"
    with pytest.raises(LedgerError):
        ledger.resolve(run.id)
    other = begin(ledger, key="k2")
    ledger.mark_sent(other.id, 0)
    assert ledger.resolve(other.id).state == "absent"


def test_a_ledger_of_the_previous_format_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_key TEXT NOT NULL, idempotency_key TEXT NOT NULL,
            playbook TEXT NOT NULL, wire_hash TEXT NOT NULL, wire BLOB, state TEXT NOT NULL, graph_id TEXT,
            live INTEGER NOT NULL, endpoint TEXT, error TEXT, created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL);
        CREATE TABLE run_events (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, at_ns INTEGER NOT NULL,
            state TEXT NOT NULL, note TEXT);
        INSERT INTO runs VALUES (1, 'a', 'a', 'p', 'h', NULL, 'submitted', 'graph_a', 0, 'http://x', NULL, 1, 1);
        INSERT INTO runs VALUES (2, 'b', 'b', 'p', 'h', NULL, 'uncertain', NULL, 0, 'http://x', 'timeout', 1, 1);
        INSERT INTO runs VALUES (3, 'c', 'c', 'p', 'h', NULL, 'failed', NULL, 0, 'http://x', '400', 1, 1);
        INSERT INTO runs VALUES (4, 'd', 'd', 'p', 'h', NULL, 'intent', NULL, 0, NULL, NULL, 1, 1);
        INSERT INTO runs VALUES (5, 'e', 'e', 'p', 'h', NULL, 'reconciled', 'graph_e', 1, 'http://x', NULL, 1, 1);
        """
    )
    db.close()
    with Ledger(path) as led:
        assert [(r.run_key, r.state, r.graph_id, r.tag) for r in led.runs()] == [
            ("a", "confirmed", "graph_a", ""),
            ("b", "uncertain", None, ""),
            ("c", "absent", None, ""),
            ("d", "uncertain", None, ""),  # an old intent may have been sent
            ("e", "confirmed", "graph_e", ""),
        ]
        # a row from before scopes counts for every router: the safe side
        with pytest.raises(PendingUncertain):
            begin(led, key="d", scope=Scope("https://elsewhere", "key:z"))


# -- reconciliation at the router ---------------------------------------------------------------


def test_reconcile_finds_the_graph_by_its_tag(ledger, reference_router, client):
    reference_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    with pytest.raises(UncertainSubmission):  # the router applied it, then dropped the connection
        submit(ledger, client)
    (run,) = ledger.runs("k")
    (created,) = reference_router.graphs()
    assert created["idempotency_key"] == run.tag  # the tag is also the Idempotency-Key header
    result = ledger.reconcile(run.id, client)
    assert result.found is True and created["graph_id"] in result.message
    assert ledger.get(run.id).graph_id == created["graph_id"]
    with pytest.raises(AlreadySubmitted):
        submit(ledger, client)
    assert len(reference_router.graphs()) == 1


def test_absence_needs_the_landing_time_past_and_a_complete_scan(ledger, reference_router, client):
    reference_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "http_500"}])  # not applied
    with pytest.raises(UncertainSubmission) as info:
        submit(ledger, client, landing_margin_s=60)
    assert "may still reach the router until" in str(info.value)
    (run,) = ledger.runs()
    early = ledger.reconcile(run.id, client)
    assert early.found is None and "may still reach the router until" in early.message
    assert "--not-submitted" in early.message and f".{run.tag}" in early.message  # what to check, how to force
    late = run.lands_by_ns + 1
    reference_router.control("POST", "/seed_orders", {"count": 250, "symbol": "ETH-USD"})  # in the run's own list
    short = ledger.reconcile(run.id, client, now_ns=late, max_pages=2)
    assert (
        short.found is None
        and "could not be read to the end" in short.message
        and "stopped after 2 pages" in short.message
    )
    full = ledger.reconcile(run.id, client, now_ns=late)
    assert full.found is False and ledger.get(run.id).state == "absent"
    assert submit(ledger, client).graph_id  # proven absent: submitted again, once


def test_every_list_is_read_to_its_end_whatever_its_order(reference_router, client):
    """The reference promises no sort order, so no page that looks older than the window ends a scan (audit
    reconcile17 1): newest first or oldest first, the list is read to `has_more: false`."""
    reference_router.configure(oldest_first=True)
    gid = client.submit_graph(tag_wire(WIRE, run_tag("old")).encode())["graph_id"]
    reference_router.control("POST", "/seed_orders", {"count": 120})
    future = time.time_ns() + 3600 * 10**9  # every order is "older than the window"
    scan = find_run(client, run_tag("old"), future)
    assert scan.complete and scan.found == [gid] and scan.pages == 2
    reference_router.configure(oldest_first=False)
    scan = find_run(client, run_tag("missing"), future)
    assert scan.complete and scan.found == [] and scan.pages == 2  # before the fix: 1, stopped at the first old order


def test_a_run_found_twice_is_reported(ledger, reference_router, client):
    run = begin(ledger, key="twice", scope=Scope.of(client))
    ledger.mark_sent(run.id, 0)
    ledger.record_uncertain(run.id, "timeout")
    for _ in range(2):  # as if someone resubmitted the same tagged bytes by hand
        client.submit_graph(run.wire)
    result = ledger.reconcile(run.id, client)
    assert result.found is True and "WARNING: 1 more graph(s) carry the tag of run 'twice'" in result.message
    (warning,) = ledger.get(run.id).warnings  # kept on the row (audit submit16 4)
    assert warning in result.message
    with pytest.raises(AlreadySubmitted) as info:
        submit(ledger, client, key="twice")
    assert info.value.warnings == [warning]


def test_reconcile_refuses_another_router_or_key(ledger, client):
    run = begin(ledger, scope=Scope("https://api.sequencemkts.com", client.account))
    ledger.mark_sent(run.id, 0)
    with pytest.raises(LedgerError) as info:
        ledger.reconcile(run.id, client)
    assert "SEQUENCE_API_URL=https://api.sequencemkts.com" in str(info.value)
    run = begin(ledger, key="x", scope=Scope(client.base_url, "key:someone-else"))
    ledger.mark_sent(run.id, 0)
    with pytest.raises(LedgerError) as info:
        ledger.reconcile(run.id, client)
    assert "another API key" in str(info.value)


def test_a_refused_submission_is_absent_and_may_be_sent_again(ledger, client):
    client.kill_switch(True, "drill")
    with pytest.raises(KillSwitchActive):
        submit(ledger, client)
    (run,) = ledger.runs()
    assert run.state == "absent" and "kill switch" in run.error
    client.kill_switch(False)
    assert submit(ledger, client).run.state == "confirmed"


def test_nothing_sent_is_absent(ledger, tmp_path):
    with Client("http://127.0.0.1:9", KEY, connect_retries=0) as down, pytest.raises(ApiError):
        submit(ledger, down, lookback_s=0)
    (run,) = ledger.runs()
    assert run.state == "absent" and "nothing was sent" in run.error


def test_the_router_check_refuses_when_it_cannot_finish(ledger, reference_router, client, monkeypatch):
    monkeypatch.setattr("graphc.api.lookup.MAX_PAGES", 1)
    reference_router.control("POST", "/seed_orders", {"count": 150})
    since = datetime.fromtimestamp(0, UTC)  # the whole history: more than one page
    with pytest.raises(RouterCheckIncomplete) as info:
        submit(ledger, client, window_start=since)
    assert "Nothing was sent" in str(info.value) and info.value.exit_code == 3
    assert ledger.runs() == [] and len(reference_router.requests("POST", "/v1/orders")) == 0


def test_errors_are_redacted_and_no_file_holds_the_key(ledger, reference_router, client):
    run = begin(ledger, scope=Scope.of(client))
    ledger.mark_sent(run.id, 0)
    ledger.record_uncertain(run.id, f"server echoed Authorization: Bearer {KEY}")
    assert KEY not in ledger.get(run.id).error
    reference_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
    with pytest.raises(UncertainSubmission):
        submit(ledger, client, key="r2")
    ledger.close()
    for path in ledger.path.parent.iterdir():
        assert KEY.encode() not in path.read_bytes()


# -- the library: prepare --------------------------------------------------------------------------


def test_prepare_reports_what_submit_would_refuse(tmp_path):
    ready = prepare(HEDGE, quotes_path=QUOTES)
    assert ready.ready and ready.name == "eth-spot-perp-hedge" and ready.run_key.startswith("eth-spot-perp-hedge@")
    no_quotes = prepare(REPO / "examples" / "eth-ladder.yaml")  # GC109: its limits are `bid - N%`
    assert not no_quotes.ready and no_quotes.problems[0].exit_code == 1
    assert any(d.code == "GC109" for d in no_quotes.result.diagnostics)
    unsaid = tmp_path / "unsaid.json"
    data = json.loads(WIRE)
    del data["is_sandbox"]
    unsaid.write_text(json.dumps(data))
    assert [p.exit_code for p in prepare(unsaid).problems] == [2]
    assert "is_sandbox" in prepare(unsaid).problems[0].message
    with pytest.raises(Refused) as info:
        prepare(tmp_path / "missing.yaml")
    assert info.value.exit_code == 2


def test_a_wire_file_is_one_run_whatever_its_name(tmp_path):
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text(WIRE)
    (tmp_path / "c.json").write_text(json.dumps(json.loads(WIRE)))  # the same graph, other layout
    keys = {prepare(tmp_path / n).run_key for n in ("a.json", "b.json", "c.json")}
    assert keys == {content_run_key("graph", WIRE)}


def test_submit_prepared_refuses_problems_and_live(ledger, client, tmp_path):
    with pytest.raises(Refused) as info:
        submit_prepared(prepare(REPO / "examples" / "eth-ladder.yaml"), client=client, ledger=ledger)
    assert info.value.exit_code == 1
    live = tmp_path / "live.json"
    live.write_text(LIVE_WIRE)
    with pytest.raises(Refused) as info:
        submit_prepared(prepare(live), client=client, ledger=ledger)
    assert "is a LIVE graph" in str(info.value) and "pass allow_live=True" in str(info.value)
    assert submit_prepared(prepare(live), client=client, ledger=ledger, allow_live=True).graph_id


def test_submit_wire_reads_the_mode_from_the_graph_and_a_live_one_needs_allow_live(ledger, reference_router, client):
    """audit submit16 2: `submit_wire(..., live=False)` sent a LIVE wire graph and recorded it as sandbox. The mode is
    the graph's own `is_sandbox`, and the double opt-in holds for Python callers as for `graphc submit`."""
    assert json.loads(LIVE_WIRE)["is_sandbox"] is False
    with pytest.raises(Refused) as info:
        submit_wire(LIVE_WIRE, "lib", client=client, ledger=ledger, run_key="lib-1")
    assert info.value.exit_code == 2 and "is a LIVE graph" in str(info.value) and "allow_live=True" in str(info.value)
    unsaid = json.loads(WIRE)
    del unsaid["is_sandbox"]
    with pytest.raises(Refused) as info:
        submit_wire(json.dumps(unsaid), "lib", client=client, ledger=ledger, run_key="lib-1", allow_live=True)
    assert info.value.exit_code == 2 and "does not say whether it is a sandbox graph" in str(info.value)
    assert reference_router.requests("POST", "/v1/orders") == [] and ledger.runs() == []  # nothing sent or recorded

    live = submit_wire(LIVE_WIRE, "lib", client=client, ledger=ledger, run_key="lib-1", allow_live=True)
    paper = submit_wire(
        WIRE, "lib", client=client, ledger=ledger, run_key="lib-2", allow_live=True
    )  # allowed, not made
    sent = {g["graph_id"]: g["is_sandbox"] for g in reference_router.graphs() if g["wire_sha256"]}
    assert sent == {live.graph_id: False, paper.graph_id: True}
    assert (live.run.live, paper.run.live) == (True, False)  # recorded as sent
    listing = CliRunner().invoke(ledger_command, ["--ledger", str(ledger.path)])
    assert [line.split()[3:5] for line in listing.output.splitlines()[1:]] == [["LIVE", "lib-1"], ["sandbox", "lib-2"]]


def test_an_occurrence_is_found_at_the_router_without_any_local_state(reference_router, client):
    """What a hosted runner does after a restart: an empty ledger, the occurrence's run key and window."""
    occurrence = datetime.now(UTC)
    prepared = prepare(HEDGE, quotes_path=QUOTES)
    key = f"{prepared.name}@{occurrence:%Y-%m-%dT%H:%MZ}"
    with Ledger(":memory:") as first:
        done = submit_prepared(prepared, client=client, ledger=first, run_key=key, window_start=occurrence)
    with Ledger(":memory:") as after_restart, pytest.raises(AlreadySubmitted) as info:
        submit_prepared(prepared, client=client, ledger=after_restart, run_key=key, window_start=occurrence)
    assert info.value.graph_id == done.graph_id
    assert len(reference_router.requests("POST", "/v1/orders")) == 1


# -- the ledger command ---------------------------------------------------------------------------


def test_ledger_command_lists_resolves_and_reconciles(tmp_path, reference_router, client):
    path = tmp_path / "ledger.sqlite"
    scope = Scope.of(client)
    with Ledger(path) as led:
        ok = begin(led, key="a@1", scope=scope)
        led.mark_sent(ok.id, 0)
        led.record_confirmed(ok.id, "graph_a")
        reference_router.set_faults([{"method": "POST", "path_prefix": "/v1/orders", "kind": "drop_after_read"}])
        with pytest.raises(UncertainSubmission):
            submit_wire(LIVE_WIRE, "nightly", client=client, ledger=led, run_key="b@2", allow_live=True)
        manual = begin(led, key="c@3", scope=scope)
        led.mark_sent(manual.id, 0)
        led.record_uncertain(manual.id, "timeout")
    runner = CliRunner()
    result = runner.invoke(ledger_command, ["--ledger", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["ID", "CREATED", "(UTC)", "STATE", "MODE", "RUN", "KEY", "GRAPH"]
    assert lines[1].split()[2:] == ["confirmed", "sandbox", "a@1", "graph_a"]
    assert lines[2].split()[2:] == ["uncertain", "LIVE", "b@2", "-"]
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--resolve", str(manual.id), "--not-submitted"])
    assert result.exit_code == 0 and result.output == f"run {manual.id}: absent\n"
    result = runner.invoke(
        ledger_command, ["--ledger", str(path), "--reconcile"], env=reference_router.env(SEQUENCE_API_KEY=KEY)
    )
    assert result.exit_code == 0, result.output
    assert "created graph graph_" in result.output
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--json", "--state", "confirmed"])
    rows = json.loads(result.output)
    assert [r["run_key"] for r in rows] == ["a@1", "b@2"] and rows[1]["live"] is True
    assert rows[1]["graph_id"] == reference_router.graphs()[0]["graph_id"] and rows[1]["tag"] == run_tag("b@2")
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--graph-id", "x"])
    assert result.exit_code == 2
    result = runner.invoke(ledger_command, ["--ledger", str(path), "--resolve", "99", "--not-submitted"])
    assert result.exit_code == 2 and result.output.startswith("graphc: error: no ledger run 99")


def graphc_ledger(*args, cwd):
    """`graphc ledger ARGS` as its own process (typed in ``cwd``)."""
    return subprocess.run(
        [sys.executable, "-m", "graphc", "ledger", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials"},
    )


@pytest.mark.parametrize("args", [[], ["--json"], ["--state", "confirmed"], ["--reconcile"]])
def test_a_listing_of_a_mistyped_ledger_path_creates_nothing_and_says_there_is_no_ledger(tmp_path, args):
    """Audit cmds16 6: `graphc ledger --ledger TYPO` created the file (and its folders) and said "no runs", exit 0:
    read as "nothing was submitted", the next step would be a hand submission of a run that went out."""
    typo = tmp_path / "nodir" / "l.sqlite"
    proc = graphc_ledger("--ledger", str(typo), *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"graphc: error: no ledger at {typo}"), proc.stderr
    assert not (tmp_path / "nodir").exists()


def test_graphc_ledger_in_a_folder_whose_project_has_no_ledger_creates_nothing(tmp_path):
    # typed in the wrong folder: its project (the folder itself here) has no .graphc/ledger.sqlite
    proc = graphc_ledger(cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    expected = tmp_path / ".graphc" / "ledger.sqlite"
    assert proc.stderr.startswith(f"graphc: error: no ledger at {expected}: nothing was submitted from this project"), (
        proc.stderr
    )
    assert "--ledger PATH" in proc.stderr
    assert not (tmp_path / ".graphc").exists()


def test_graphc_ledger_in_a_project_with_a_ledger_lists_it(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    with Ledger(default_ledger_path(tmp_path)) as led:
        run = begin(led, key="a@1")
        led.mark_sent(run.id, 0)
        led.record_confirmed(run.id, "graph_a")
    proc = graphc_ledger(cwd=tmp_path / "sub")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1].split()[2:] == ["confirmed", "sandbox", "a@1", "graph_a"]
    empty = tmp_path / "empty.sqlite"
    Ledger(empty).close()  # a ledger with no runs: listed as such, exit 0
    proc = graphc_ledger("--ledger", str(empty), cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == f"no runs in {empty}\n", proc.stdout + proc.stderr


def test_a_state_filter_takes_a_stale_row_for_what_the_table_shows_it_as(tmp_path):
    """Audit ledger24 2: a submission killed mid-request stays `sent`, listed as `sent (stale: uncertain)` once its
    request can no longer land; `--state uncertain` said `no runs in PATH` (exit 0) about it, `--json` only
    `"state": "sent"`, and any empty filter spoke of a ledger holding runs as if it held none."""
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as led:
        done = begin(led, key="a@1")
        led.mark_sent(done.id, 0)
        led.record_confirmed(done.id, "graph_a")
        killed = begin(led, key="k1@1")
        led.mark_sent(killed.id, time.time_ns() - 10**9)  # its lands_by passed a second ago
        abandoned = begin(led, key="i@1")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE runs SET created_ns = created_ns - 60000000000 WHERE id = ?", (abandoned.id,))  # a minute old
    db.close()

    def listed(*args):
        proc = graphc_ledger("--ledger", str(path), *args, cwd=tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    def table(*args):
        return [line.split()[2:-3] for line in listed(*args).splitlines()[1:]]

    assert table() == [["confirmed"], ["sent", "(stale:", "uncertain)"], ["intent", "(stale:", "abandoned)"]]
    assert table("--state", "uncertain") == [["sent", "(stale:", "uncertain)"]]
    assert table("--state", "sent") == [["sent", "(stale:", "uncertain)"]]
    assert table("--state", "intent") == [["intent", "(stale:", "abandoned)"]]
    rows = json.loads(listed("--json"))
    assert [(r["state"], r["stale"]) for r in rows] == [
        ("confirmed", None),
        ("sent", "uncertain"),
        ("intent", "abandoned"),
    ]
    assert [r["id"] for r in json.loads(listed("--json", "--state", "uncertain"))] == [killed.id]
    assert listed("--state", "absent") == f"no absent runs in {path} (3 runs in all)\n"
