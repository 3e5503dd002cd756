"""A local stand-in for the order router, for trying and testing graphc without an account.

* :mod:`graphc.sandbox.validate`: what ``POST /v1/orders`` accepts, decided by
  graphc's own checks (the wire JSON Schema, lint's graph rules GC201-GC210);
* :mod:`graphc.sandbox.engine`: graphs as deterministic discrete-event
  simulations, the simulated clock, the kill switch, idempotency keys;
* :mod:`graphc.sandbox.faults`: per-request fault injection;
* :mod:`graphc.sandbox.server`: the HTTP front, a routing table per side
  (router endpoints, ``/_sandbox`` controls).

Import the submodules directly; this package stays empty so that importing one
piece does not pull in the others.
"""
