"""A change of something running (an amend's PATCH, the kill switch's PUT), sent once with its landing window.

Why: the router documents no idempotency key, and a PATCH or PUT whose answer is lost (a timeout, a dropped
connection, a 5xx) may still be applied later, after a later change of the same value, and undo it: a node back at
the size the trader replaced, a kill switch turned on cleared by an earlier ``off`` (audit ops19 1). So such a
request is sent once (:meth:`graphc.api.client.Client.amend_node`, ``kill_switch``: retried only after a 429),
recorded in the ledger *before* it goes out with the time until which it may land (``lands_by``, the vocabulary
of a submission's run: docs/submitting.md, "Exactly once"), and settled by its answer. A lost answer leaves it
``uncertain`` until ``lands_by`` (the moment our socket closed plus the landing margin); an earlier change that may
still land is named to the next change it could undo (:meth:`graphc.api.ledger.Ledger.begin_change`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from graphc.api.errors import ApiError, LedgerError, UncertainOutcome, say_interrupted
from graphc.api.ledger import Change, Ledger, Scope, iso

__all__ = ["Sent", "landed", "send_change"]


@dataclass
class Sent:
    """What became of a change: the router's 2xx ``answer``, or ``lost`` (its outcome unknown: the change is
    recorded ``uncertain`` until its ``lands_by``); ``earlier``: changes that may still land and would undo it if
    they landed after it (sent anyway: ``refuse`` was False); ``warnings``: what the ledger could not record."""

    change: Change | None  # None: sent without a record (``ledger`` None, or ``unrecorded``)
    answer: dict | None
    lost: UncertainOutcome | None
    earlier: list[Change]
    warnings: list[str] = field(default_factory=list)
    unrecorded: LedgerError | None = None  # why a change sent with ``record_or_send`` went without a record


def send_change(
    ledger: Ledger | None,
    client,
    kind: str,
    target: str,
    fields: dict,
    said: str,
    request: Callable[[int | None], dict],
    *,
    landing_s: float,
    margin: float,
    seen: dict | None = None,
    refuse: bool,
    record_or_send: bool = False,
) -> Sent:
    """Record the change ``sent`` (``lands_by`` = now + ``landing_s``, the request's longest call and the landing
    margin), call ``request(send_by_ns)`` (the client method, told the time its first byte must leave by for
    ``lands_by`` to hold), and settle the record by what came back. A definite refusal or a request never sent is
    raised, settled; Ctrl-C mid-request leaves it ``uncertain`` for ``margin`` seconds, as a lost answer does.
    ``refuse``: an earlier change that may still land and would undo this one refuses it
    (:class:`~graphc.api.errors.PendingChange`, nothing sent). ``ledger`` None: sent with no record and no look at
    earlier changes (the kill switch's ON when the ledger cannot be used: graphc's bookkeeping never holds back an
    emergency stop). ``record_or_send``: a ledger that cannot record the change (locked by another process past
    its wait, unwritable: a :class:`~graphc.api.errors.LedgerError` from recording it, before anything is sent)
    does not hold it back either: it is sent without a record, and ``unrecorded`` says why (the kill switch's ON:
    a lock surfaces here, not when the ledger is opened, audit amend25 1)."""
    if ledger is None:
        return _unrecorded(request)
    lands_by = time.time_ns() + int(landing_s * 1e9)
    try:
        change, earlier = ledger.begin_change(
            Scope.of(client), kind, target, fields, said, lands_by, seen=seen, refuse=refuse
        )
    except LedgerError as exc:  # nothing recorded, nothing sent
        if not record_or_send:
            raise
        sent = _unrecorded(request)
        sent.unrecorded = exc
        return sent
    window_ns = int((client.deadline + margin) * 1e9)  # from an attempt's first byte to the latest it may land

    def moved_on(wait_s: float) -> int:
        """A 429 refused the attempt (it did not land): the retry leaves after ``wait_s``, with the first attempt's
        time to leave from then; the ledger records the later ``lands_by`` before it is sent (audit amend25 2)."""
        nonlocal lands_by
        lands_by = max(lands_by, time.time_ns() + int((wait_s + landing_s) * 1e9))
        ledger.move_change(change.id, lands_by)
        return lands_by - window_ns

    try:
        with client.moving_on(moved_on):
            answer = request(lands_by - window_ns)
    except UncertainOutcome as lost:
        until = time.time_ns() + int(margin * 1e9)
        unsaid = _settle(ledger, change, "uncertain", str(lost), until, lands_by)
        sent = Sent(change, None, lost, earlier)
        if unsaid is None:
            sent.change = _read_back(ledger, change, until)
        else:
            sent.change = replace(change, lands_by_ns=lands_by)
            sent.warnings.append(unsaid)
        return sent
    except ApiError as exc:  # refused, or never sent: it cannot land
        unsaid = _settle(ledger, change, "settled", f"not applied: {exc}", None, lands_by)
        if unsaid is not None:
            _add(exc, unsaid)
        raise
    except BaseException as exc:  # Ctrl-C (or any crash) mid-request: whatever was sent may still land
        until = time.time_ns() + int(margin * 1e9)
        try:
            unsaid = _settle(
                ledger, change, "uncertain", "interrupted while the request was in flight", until, lands_by
            )
        except BaseException as second:  # interrupted again while it waited for the ledger: the record stays `sent`
            _interrupted(second, change, lands_by, "it could not be recorded as uncertain: graphc was interrupted")
            raise
        _interrupted(exc, change, until if unsaid is None else lands_by, unsaid)
        raise
    sent = Sent(change, answer, None, earlier)
    unsaid = _settle(ledger, change, "settled", "answered", None, lands_by)
    if unsaid is None:
        sent.change = _read_back(ledger, change, change.lands_by_ns)
    else:  # the router answered; the record stays `sent`, which holds back a later change
        sent.change = replace(change, lands_by_ns=lands_by)
        sent.warnings.append(unsaid)
    return sent


def _settle(ledger: Ledger, change: Change, state: str, note: str, until: int | None, lands_by: int) -> str | None:
    """Record the change's outcome (:meth:`~graphc.api.ledger.Ledger.settle_change`). A ledger that cannot take it
    (locked past graphc's wait, a full disk, a read-only file: a :class:`~graphc.api.errors.LedgerError`) does not
    turn a request already sent into "nothing happened" (audit submit28 1): the record stays ``sent`` until
    ``lands_by``, and the words returned say so, to follow the outcome; None: recorded."""
    try:
        ledger.settle_change(change.id, state, note, until)
    except LedgerError as exc:
        return (
            f"the ledger could not record the request's outcome ({exc.cause or exc}): it keeps ledger change "
            f"{change.id} as sent until {iso(lands_by)}, so a later change that this one would undo is refused until "
            "then"
        )
    return None


def _read_back(ledger: Ledger, change: Change, lands_by: int) -> Change:
    """The change as recorded now; as it was sent, with ``lands_by``, if the ledger cannot be read."""
    try:
        return ledger.change(change.id)
    except LedgerError:
        return replace(change, lands_by_ns=lands_by)


def _add(exc: ApiError, words: str) -> None:
    """``words`` follow the refusal's message (its class and exit code kept)."""
    exc.message = f"{exc.message}; {words}"
    exc.args = (exc.message,)


def _interrupted(exc: BaseException, change: Change, until: int, unsaid: str | None) -> None:
    """What an interruption mid-request says (:func:`graphc.api.errors.interrupted_at`): the change was sent, may
    have been applied and may still be until ``until``, and what to look at."""
    if isinstance(exc, Exception):  # a crash: the CLI reports it as one
        return
    recorded = "recorded as uncertain" if unsaid is None else f"kept as sent ({unsaid})"
    say_interrupted(
        exc,
        f"while the request was in flight: {change.said} was sent (ledger change {change.id}, {recorded}); it may "
        f"have been applied, and may still be until {iso(until)}: {_check(change)}",
    )


def _check(change: Change) -> str:
    """How to see whether the change was applied."""
    if change.kind == "amend":
        graph_id = change.target.split("/", 1)[0]
        return f"look at the node with `graphc status {graph_id}`"
    return (
        "the reference documents no way to read the kill switch, so send the state you want again once that time "
        "has passed (setting it twice is harmless)"
    )


def _unrecorded(request: Callable[[int | None], dict]) -> Sent:
    """The change sent with no record: no landing time to hold, so no time its first byte must leave by."""
    try:
        return Sent(None, request(None), None, [])
    except UncertainOutcome as lost:
        return Sent(None, None, lost, [])


def landed(ledger: Ledger, target: str, size_1e8: int) -> list[Change]:
    """The amends of the node ``target`` that may still land which the node's size as the router shows it now
    (``size_1e8``) proves landed, each settled: it sets a size the node did not show before it was sent (``seen``)
    and shows now, and no later amend of the node sets that size (its landing would show the same). Sent once, it
    has landed once; it cannot land again and undo a later amend. A size set by a tool this ledger does not know
    would be taken for it (docs/submitting.md, "Changes whose answer was lost")."""
    amends = ledger.changes("amend", target)
    now = time.time_ns()
    proven = []
    for change in amends:
        size = change.fields.get("qty_1e8")
        before = (change.seen or {}).get("target_qty_1e8")
        if not change.may_land(now) or size is None or size == before or size != size_1e8:
            continue
        if any(later.id > change.id and later.fields.get("qty_1e8") == size for later in amends):
            continue
        # proven whether or not the ledger can record it now (locked, full): it stays unsettled until its lands_by
        _settle(
            ledger,
            change,
            "settled",
            f"read back: the router shows the node's size as qty_1e8 {size}",
            None,
            change.lands_by_ns,
        )
        proven.append(change)
    return proven
