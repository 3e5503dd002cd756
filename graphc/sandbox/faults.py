"""Fault injection: the failures that hurt, on the requests a test names.

A rule matches on method and path prefix and fires ``count`` times, or with
``probability`` from its own ``seed`` (so a run repeats exactly). The first
matching rule that fires decides the request's fate. The server
(:mod:`graphc.sandbox.server`) carries the fault out; this module only decides.

Kinds:

* ``drop_after_read``: apply the request, then close the connection without a byte of answer;
* ``http_500``: answer 500 without applying it (``apply``: apply it first);
* ``http_429``: answer 429 with ``Retry-After: retry_after``;
* ``slow``: wait ``delay`` seconds, then handle the request normally (a client
  that gave up earlier does not stop it from landing);
* ``status``: answer ``status`` (e.g. 303, 307, 409) with ``body`` (raw text,
  default a JSON error) and no ``Content-Type`` check, applying it first when ``apply``.

Malformed rules raise ``ValueError`` (the server answers 400).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

FAULT_KINDS = ("drop_after_read", "http_500", "http_429", "slow", "status")


@dataclass
class FaultRule:
    """One rule: which requests it hits, how often, and what it does to them."""

    kind: str
    method: str = "*"
    path_prefix: str = "/"
    count: int | None = None
    probability: float | None = None
    seed: int = 0
    retry_after: int = 1
    delay: float = 1.0
    apply: bool = False  # http_500 / status: apply the request, then answer
    status: int = 500  # status only
    body: str | None = None  # status only: the raw answer
    hits: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and path.startswith(self.path_prefix)

    def trigger(self) -> bool:
        """Deterministic for a given seed: the n-th matching request always gets the same fate."""
        if self.count is not None and self.hits >= self.count:
            return False
        if self.probability is not None and self.rng.random() >= self.probability:
            return False
        self.hits += 1
        return True

    def view(self) -> dict:
        return {
            "kind": self.kind,
            "method": self.method,
            "path_prefix": self.path_prefix,
            "count": self.count,
            "probability": self.probability,
            "hits": self.hits,
        }


def parse_fault(raw) -> FaultRule:
    if not isinstance(raw, dict):
        raise ValueError("each fault rule must be an object")
    kind = raw.get("kind")
    if kind not in FAULT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    rule = FaultRule(
        kind=kind,
        method=str(raw.get("method", "*")).upper(),
        path_prefix=str(raw.get("path_prefix", "/")),
        seed=int(raw.get("seed", 0)),
        retry_after=int(raw.get("retry_after", 1)),
        delay=float(raw.get("delay", 1.0)),
        apply=bool(raw.get("apply", False)),
        status=int(raw.get("status", 500)),
        body=None if raw.get("body") is None else str(raw["body"]),
    )
    if not 100 <= rule.status <= 599:
        raise ValueError("status must be an HTTP status code (100-599)")
    if raw.get("probability") is not None:
        rule.probability = float(raw["probability"])
    if raw.get("count") is not None:
        rule.count = int(raw["count"])
    elif rule.probability is None:
        rule.count = 1
    rule.rng = random.Random(rule.seed)
    return rule


class FaultInjector:
    """The active fault rules; the first matching rule that triggers wins."""

    def __init__(self):
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = []

    def clear(self) -> None:
        with self._lock:
            self.rules = []

    def set(self, data) -> dict:
        raw_rules = data.get("rules", []) if isinstance(data, dict) else data
        if not isinstance(raw_rules, list):
            raise ValueError("expected a list of fault rules")
        rules = [parse_fault(r) for r in raw_rules]
        with self._lock:
            self.rules = rules
        return self.view()

    def pick(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path) and rule.trigger():
                    return rule
        return None

    def view(self) -> dict:
        with self._lock:
            return {"rules": [r.view() for r in self.rules]}
