"""graphc's own exceptions for everything that talks to the router.

Callers (commands, the ledger) catch these instead of httpx's exceptions so
that the HTTP library stays an implementation detail, and so that every error
carries the process exit code the CLI should use (spec §8: 3 for a remote API
failure, 2 for a usage or configuration problem).

The distinction that matters most is between a failure whose outcome is
*known* (the request was refused, or never left this machine) and one whose
outcome is *unknown* (the request may have been applied).  Only the first may
be retried or recorded as failed; the second is :class:`UncertainSubmission`
and must be reconciled before anything else is submitted for the same run.

Every message passes through :func:`graphc.api.redact.clean` (secrets masked,
control characters written as escapes), so even a server that echoes a credential (or an
escape sequence) back cannot make one show up in output.
"""

from __future__ import annotations

import contextlib

from graphc.api.redact import clean
from graphc.vocabulary import GRAPH_STATUSES

__all__ = [
    "AlreadySubmitted",
    "ApiConnectionError",
    "ApiError",
    "ApiHTTPError",
    "ApiProtocolError",
    "ApiTimeout",
    "AuthError",
    "ConfigError",
    "Conflict",
    "GraphFailed",
    "GraphNotRecorded",
    "GraphStatusUndocumented",
    "InsecureCredentials",
    "KillSwitchActive",
    "LedgerError",
    "NotFound",
    "NotSentInTime",
    "PastCatchUp",
    "PendingChange",
    "PendingUncertain",
    "RateLimited",
    "Rejected",
    "RouterCheckIncomplete",
    "SecondGraph",
    "ServerError",
    "UncertainOutcome",
    "UncertainSubmission",
    "error_fields",
    "interrupted_at",
    "say_interrupted",
]


def _one_line(text: str) -> str:
    """Collapse whitespace so a message prints as exactly one line."""
    return " ".join(str(text).split())


class _OneLineError(Exception):
    """An error whose message is one line with secrets redacted; ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str):
        self.message = clean(_one_line(message), None)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ApiError(_OneLineError):
    """Base of every router/networking error."""

    exit_code = 3


class ConfigError(ApiError):
    """Local configuration is wrong (no key, bad URL): a usage problem, not a remote one."""

    exit_code = 2


class InsecureCredentials(ConfigError):
    """A credentials file others can read is refused, like ssh does with private keys."""


class ApiConnectionError(ApiError):
    """The request never reached the router (connect failed), even after retries.

    Safe to retry later: nothing was sent.
    """

    sent = False


class NotSentInTime(ApiConnectionError):
    """A submission was not sent: its first byte would have left after the time it had to leave by (its run's
    ledger row promises it cannot land after ``lands_by``). Nothing was sent; safe to retry. ``late_s``: how
    long after that time the check was made."""

    late_s: float = 0.0


class PastCatchUp(NotSentInTime):
    """A scheduled occurrence's submission was not sent: its first byte would have left after the end of the
    occurrence's catch-up (``catch_up_until``; spec §9: then nothing is due). Nothing was sent; the run is
    recorded ``absent``. ``graphc run`` logs the occurrence ``missed`` (exit 0); ``graphc submit`` refuses, exit 2,
    as when nothing is due (trying again cannot help: the occurrence is over)."""

    exit_code = 2


class ApiTimeout(ApiError):
    """A read/write timed out on an idempotent request, even after retries."""


class ApiProtocolError(ApiError):
    """The router answered something graphc cannot read (not JSON, wrong shape)."""


class ApiHTTPError(ApiError):
    """The router answered with an error status; the request was *not* applied.

    ``status`` is the HTTP status, ``code`` the router's error code when it gave
    one, ``detail`` its message.
    """

    def __init__(self, message: str, *, status: int, code: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = clean(_one_line(detail), None) if detail else None


class AuthError(ApiHTTPError):
    """401/403: the key is missing, wrong or lacks permission."""


class Rejected(ApiHTTPError):
    """400/422: the router refused the request as invalid; fix the input, do not retry."""


class NotFound(ApiHTTPError):
    """404: no such graph (or endpoint)."""


class Conflict(ApiHTTPError):
    """409: e.g. resuming a graph that is not paused, or an idempotency key reused
    with a different body."""


class KillSwitchActive(ApiHTTPError):
    """The router's kill switch is on: new submissions are blocked."""


class RateLimited(ApiHTTPError):
    """429 after all retries; ``retry_after`` is the server's hint in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ServerError(ApiHTTPError):
    """5xx on an idempotent request after all retries."""


class UncertainOutcome(ApiError):
    """A non-idempotent request may or may not have been applied.

    Raised for any failure after the request could have reached the router:
    read timeout, connection dropped after sending, 5xx, or a success status
    whose body cannot be read.  Never retried automatically.
    """

    sent = None  # unknown, on purpose

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class UncertainSubmission(UncertainOutcome):
    """``POST /v1/orders`` outcome unknown: record the run as *uncertain* and
    reconcile it (``Ledger.reconcile``) before submitting that run again."""


class LedgerError(_OneLineError):
    """Base of ledger refusals; a refusal to submit is a usage problem (exit 2)."""

    exit_code = 2
    cause: str | None = None  # what failed, without the advice to try again (wrong once a request was sent)


class AlreadySubmitted(LedgerError):
    """This run key already has a graph id: submitting again would double-trade."""

    def __init__(self, run_key: str, graph_id: str, run_id: int, warnings=()):
        self.run_key, self.graph_id, self.run_id = run_key, graph_id, run_id
        # what the caller must show beside "already": the graph found is not this run's trade, or more than one
        # graph carries the run's tag (graphc.submit: _found_warnings, _look_at_the_router)
        self.warnings: list[str] = list(warnings)
        super().__init__(self.words("pass force=True (the command line's --force)", "run_key (--run-key)"))

    def words(self, force: str, run_key: str) -> str:
        """The refusal, naming how to submit again on purpose as the caller gives it: the library's keywords
        (the message: ``force=True``, ``run_key``), or ``graphc submit``'s options (``use --force``, ``--run-key``)."""
        said = (
            f"run {self.run_key!r} was already submitted as graph {self.graph_id} (ledger run {self.run_id}); "
            f"{force} to submit it again on purpose, or a different {run_key}"
        )
        return clean(_one_line(said), None)  # as every message of these errors (_OneLineError)


class PendingUncertain(LedgerError):
    """An earlier attempt of this run may have reached the router and cannot be settled yet.

    Exit 3, not 2: a cron wrapper may read exit 2 on a duplicate as "already
    done", and this run is not known to be done."""

    exit_code = 3

    def __init__(self, run_key: str, run_id: int, detail: str = ""):
        self.run_key, self.run_id = run_key, run_id
        super().__init__(f"run {run_key!r} has an unresolved attempt (ledger run {run_id}): {detail}")


class PendingChange(LedgerError):
    """An earlier PATCH or PUT of the same value (an amend of the node, the kill switch) may still reach the router:
    landing after this one, it would undo it. Nothing was sent. Exit 3, as :class:`PendingUncertain`: the earlier
    request's outcome is unknown, so this one is not known to be unneeded (a wrapper reads exit 2 as a usage error).
    ``changes``: the earlier requests (:class:`graphc.api.ledger.Change`)."""

    exit_code = 3

    def __init__(self, message: str, changes=()):
        self.changes = list(changes)
        super().__init__(message)


class RouterCheckIncomplete(LedgerError):
    """Before a run key's first submission, the router's recent orders could not all be read."""

    exit_code = 3


class GraphFailed(ApiError):
    """The router created the graph (its id is known and recorded) but answered that it does not trade: it
    failed, was cancelled, or is paused (``status``).

    Exit 1, as for a graph that fails while ``submit --watch`` follows it: the run has its graph, so submitting
    it again is refused as a duplicate; it is not a refusal (nothing created) nor an unknown outcome.
    ``warning`` is the line the ledger row keeps (later refusals and ``graphc run`` repeat it)."""

    exit_code = 1

    def __init__(
        self,
        run_key: str,
        graph_id: str,
        reason: str,
        run_id: int | None = None,
        *,
        status: object = "failed",
        warning: str | None = None,
    ):
        self.run_key, self.graph_id, self.run_id, self.reason = run_key, graph_id, run_id, reason
        self.status = status
        self.warning = clean(_one_line(warning or self._warning()), None)
        super().__init__(self._said() + self._recorded())

    def _warning(self) -> str:
        return f"the router reported graph {self.graph_id} {self.status} when it created it: {self.reason}"

    def _said(self) -> str:
        return (
            f"the router created graph {self.graph_id} for run {self.run_key!r} but reports it {self.status}: "
            f"{self.reason}"
        )

    def _recorded(self) -> str:
        recorded = f"ledger run {self.run_id}" if self.run_id is not None else "in the ledger"
        return (
            f". It is recorded ({recorded}), so submitting this run again is refused as a duplicate: look at it "
            f"with `graphc status {self.graph_id}`{self._then()}"
        )

    def _then(self) -> str:
        return ", and use --force or another --run-key to trade it again on purpose"


class GraphStatusUndocumented(GraphFailed):
    """The router created the graph (its id is known and recorded), but its answer's ``status`` is none of the
    reference's graph statuses: whether the graph trades is unknown. Exit 3, an answer in an undocumented shape."""

    exit_code = 3

    def _said(self) -> str:
        return (
            f"the router created graph {self.graph_id} for run {self.run_key!r} but its answer's status "
            f"{clean(repr(self.status), 60)} is none of the reference's graph statuses "
            f"({', '.join(GRAPH_STATUSES)}), so whether it trades is unknown: {self.reason}"
        )

    def _then(self) -> str:
        return f" (and `graphc cancel {self.graph_id}` if it must not trade)"


class SecondGraph(LedgerError):
    """The router created the graph and the ledger recorded it, but it already recorded another graph carrying the
    run's tag for another attempt of the run (audit ledger26 1): the run trades twice. ``warning`` names both graphs
    and the one to cancel; it is kept on the rows. Exit 3, as an outcome that needs a look."""

    exit_code = 3

    def __init__(self, run_key: str, graph_id: str, run_id: int, warning: str):
        self.run_key, self.graph_id, self.run_id, self.warning = run_key, graph_id, run_id, warning
        super().__init__(
            f"graph {graph_id} was created for run {run_key!r} and recorded (ledger run {run_id}), but the run "
            f"already had another graph; {warning.removeprefix('WARNING: ')}"
        )


class GraphNotRecorded(LedgerError):
    """The router created the graph but the ledger could not record it (locked, deleted, unwritable)."""

    exit_code = 3

    def __init__(self, run_key: str, graph_id: str, reason: str, run_id: int | None = None, *, advice: str = ""):
        self.run_key, self.graph_id, self.run_id = run_key, graph_id, run_id
        # what records the graph in the state the ledger was left in (graphc.submit says it; `--resolve` is refused
        # while the row's request may still land, audit conc21 4); with no row to name, the next submit finds it
        advice = advice or "the next `graphc submit` of this run finds it at the router by its tag and records it"
        super().__init__(
            f"graph {graph_id} WAS CREATED for run {run_key!r}, but it could not be recorded in the ledger: "
            f"{reason}. The run is still recognised at the router by its tag, so submitting it again is "
            f"refused; {advice}"
        )


def error_fields(data: dict) -> tuple[str | None, str | None]:
    """(code, message) of the error an answer states, in any of the usual shapes (``{"error": {"code", "message"}}``,
    ``{"error": "word", "message": ...}``, ``{"message"}``, ``{"detail"}``); redacted before truncated."""
    err = data.get("error")
    if isinstance(err, dict):
        return _str_or_none(err.get("code")), _str_or_none(err.get("message"))
    message = data.get("message") or data.get("detail")
    if isinstance(err, str) and err:
        # {"error": "validation_error", "message": "memory_mb too large"}: the word is the code,
        # the message says what is wrong; keep both (audit recur.md 3 saw the message dropped)
        code = data.get("code") or err
        return _str_or_none(code), _str_or_none(f"{err}: {message}" if isinstance(message, str) and message else err)
    return _str_or_none(data.get("code")), _str_or_none(message)


def _str_or_none(value) -> str | None:
    return clean(value, 300) if value not in (None, "") else None


# The attribute of an interruption (Ctrl-C's KeyboardInterrupt, a SystemExit) that says what became of a request on
# its way when it came: a submission's run (graphc.submit), an amend or the kill switch (graphc.api.changes).
_INTERRUPTED = "graphc_submission"


def say_interrupted(exc: BaseException, said: str) -> None:
    """Attach ``said`` (words that follow "interrupted": ``while the request was in flight: ...``) to ``exc``."""
    with contextlib.suppress(AttributeError, TypeError):  # an exception class without a __dict__: nothing to say
        setattr(exc, _INTERRUPTED, said)


def interrupted_at(exc: BaseException) -> str | None:
    """What :func:`say_interrupted` attached to ``exc``, or None: it came before any request left."""
    said = getattr(exc, _INTERRUPTED, None)
    return said if isinstance(said, str) else None
