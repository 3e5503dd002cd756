"""``graphc sandbox serve``: a local router stand-in for trying graphc without an account."""

from __future__ import annotations

import errno
import os
import signal
from decimal import Decimal, InvalidOperation

import click

from graphc.commands.common import EXIT_USAGE, FiniteFloat, fail


def _price_option(values) -> dict:
    """``--price SYMBOL=PRICE`` (repeatable) -> the sandbox's price table."""
    prices = {}
    for item in values:
        symbol, sep, price = item.partition("=")
        try:
            value = Decimal(price)
        except InvalidOperation:
            value = None
        if not sep or not symbol or value is None or not value.is_finite() or value <= 0:
            raise click.BadParameter(f"expected SYMBOL=PRICE, got {item!r}", param_hint="--price")
        prices[symbol] = {"price": value, "path": []}
    return prices


def _stop_on_sigterm() -> None:
    """Let `kill PID` stop the server as cleanly as Ctrl-C does."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _hosted_note(keyed: bool) -> str:
    """What the start-up says about hosted strategies on loopback (audit sec29 2)."""
    if keyed:
        return (
            "graphc sandbox: hosted strategies (graphc deploy, strategy start) run only for requests whose key is the "
            "SEQUENCE_API_KEY this sandbox was started with; deploy with the same SEQUENCE_API_KEY"
        )
    return (
        "graphc sandbox: hosted strategies are off: SEQUENCE_API_KEY is not set. An uploaded strategy runs as you, "
        "and other local users can reach this port too, so the sandbox runs one only for requests carrying its own "
        "key: start it with SEQUENCE_API_KEY set, and deploy with the same SEQUENCE_API_KEY, to rehearse them"
    )


@click.group("sandbox")
def sandbox_group():
    """Run a local router sandbox (deterministic fills, fault injection)."""


@sandbox_group.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; keep it on loopback, the sandbox accepts any bearer token for simulated trading (off "
    "loopback it refuses hosted strategies).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port; 0 picks a free one (the URL printed on the first line tells which).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for graph ids.")
@click.option(
    "--speed",
    type=FiniteFloat(min=0, max=1_000_000),  # graphc.sandbox.engine.MAX_SPEED (not imported: --help stays fast)
    default=1.0,
    show_default=True,
    help="Simulated time per wall-clock time; 0 freezes time (advance with POST /_sandbox/tick).",
)
@click.option(
    "--fills", "fills_per_node", type=click.IntRange(min=1), default=4, show_default=True, help="Fills per node."
)
@click.option(
    "--fill-interval-ms", type=click.IntRange(min=1), default=500, show_default=True, help="Simulated ms between fills."
)
@click.option(
    "--price",
    "prices",
    multiple=True,
    metavar="SYMBOL=PRICE",
    help="Reference price of a symbol (default 100); repeatable.",
)
@click.option(
    "--ignore-idempotency-key",
    is_flag=True,
    help="Behave like the reference router: the Idempotency-Key header changes nothing (no replay, not listed).",
)
@click.option(
    "--runner-python",
    metavar="PATH",
    help="Interpreter for hosted strategies (default: this one, as `python -I -S`: no site-packages).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each request line to stderr.")
def serve_command(
    host, port, seed, speed, fills_per_node, fill_interval_ms, prices, ignore_idempotency_key, runner_python, verbose
):
    """Serve the router endpoints graphc uses, on http://HOST:PORT.

    Point graphc at it with SEQUENCE_API_URL=http://127.0.0.1:PORT; no API key
    is needed for a loopback URL.

    Hosted strategies (graphc deploy, strategy start) run uploaded code as
    you, so the sandbox runs them only for a request whose key is the
    SEQUENCE_API_KEY it was started with; started without one, it runs none.
    """
    from graphc.loopback import is_loopback_host  # deferred: ipaddress; --help stays fast
    from graphc.sandbox.engine import SandboxConfig  # deferred: the sandbox; --help stays fast
    from graphc.sandbox.server import make_server, run_server  # deferred: the sandbox; --help stays fast

    if not is_loopback_host(host):
        click.echo(
            f"warning: binding {host}, not loopback: anyone who can reach it can submit to this sandbox (it takes "
            "any bearer token) and control it; hosted strategies (POST /v1/strategies) are off for that reason, as "
            "they run uploaded programs on this machine",
            err=True,
        )
    secret = os.environ.get("SEQUENCE_API_KEY", "").strip() or None  # never printed
    config = SandboxConfig(
        seed=seed,
        speed=speed,
        fills_per_node=fills_per_node,
        fill_interval_ms=fill_interval_ms,
        prices=_price_option(prices),
        honour_idempotency_key=not ignore_idempotency_key,
        expose_idempotency_keys=not ignore_idempotency_key,
        runner_python=(runner_python, "-I", "-S") if runner_python else (),
    )
    try:
        server = make_server(host, port, config, verbose, secret)
    except OSError as exc:  # the environment, not the sandbox: exit 2 (spec §8), nothing served
        why = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:  # on a shared machine: someone else's sandbox, or any other server
            why += " (another process holds the port); give another --port, or --port 0 for a free one"
        fail(f"cannot listen on {host}:{port}: {why}", EXIT_USAGE)
    if is_loopback_host(host):  # once it listens: a port in use says that alone
        click.echo(_hosted_note(secret is not None), err=True)
    _stop_on_sigterm()
    run_server(server)
