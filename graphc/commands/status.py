"""``graphc status``, ``graphc cancel`` and ``graphc kill-switch``.

They are thin: parse arguments, call :class:`graphc.api.client.Client`,
print.  Remote failures print one line and exit 3; configuration problems
(no key, unsafe credentials file, bad URL) exit 2; no tracebacks.
``render_graph`` and ``watch_graph`` are reused by ``graphc submit --watch``.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from decimal import Decimal

import click

GRAPH_TERMINAL = ("completed", "cancelled", "failed")
BAR_WIDTH = 20


# -- shared CLI plumbing ------------------------------------------------------


@contextlib.contextmanager
def handle_api_errors():
    """Turn graphc's API/ledger errors into one stderr line and their exit code."""
    from graphc.api.errors import ApiError, LedgerError

    try:
        yield
    except (ApiError, LedgerError) as exc:
        click.echo(f"graphc: error: {exc}", err=True)
        sys.exit(exc.exit_code)


def make_client(verbose: bool = False):
    """A client from the environment; ``verbose`` turns on redacted DEBUG logs."""
    from graphc.api.client import Client
    from graphc.api.secrets import configure_cli_logging

    if verbose:
        configure_cli_logging(True)
    return Client.from_env()


def _check_graph_id(ctx, param, value):
    from graphc.api.client import GRAPH_ID_RE

    if not GRAPH_ID_RE.match(value):
        raise click.BadParameter("not a graph id (letters, digits, _ . : - only)")
    return value


graph_id_argument = click.argument("graph_id", callback=_check_graph_id)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help="Log HTTP requests and retries to stderr (credentials are redacted)."
)


# -- rendering ----------------------------------------------------------------


def _scaled(value, scale: int) -> str:
    """An integer at 10**scale as plain decimal text (``20000000000``, 8 -> ``200``)."""
    number = Decimal(int(value or 0)).scaleb(-scale).normalize()
    return format(number, "f")


def progress_bar(filled: int, target: int, width: int = BAR_WIDTH) -> str:
    done = min(width, width * filled // target) if target > 0 else 0
    return "[" + "#" * done + "." * (width - done) + "]"


def _percent(filled: int, target: int) -> str:
    per_mille = min(1000, filled * 1000 // target) if target > 0 else 0
    return f"{per_mille // 10}.{per_mille % 10}%"


def render_node(name: str, node: dict, name_width: int) -> str:
    filled, target = int(node.get("filled_qty_1e8") or 0), int(node.get("target_qty_1e8") or 0)
    avg = node.get("avg_fill_price_1e9")
    avg_text = _scaled(avg, 9) if filled and avg else "-"
    fills = node.get("fill_count")
    fill_text = f" ({fills} fill{'s' if fills != 1 else ''})" if fills else ""
    return (
        f"  {name:<{name_width}}  {progress_bar(filled, target)} {_percent(filled, target):>6}  "
        f"{_scaled(filled, 8)} / {_scaled(target, 8)}  avg {avg_text}  {node.get('status', '?')}{fill_text}"
    )


def render_graph(graph: dict) -> list[str]:
    """Progress lines for a ``GET /v1/execution_graphs/{id}`` answer."""
    nodes = graph.get("nodes") or {}
    width = max((len(n) for n in nodes), default=4)
    lines = [f"graph {graph.get('graph_id', '?')}: {graph.get('status', '?')}"]
    lines += [render_node(name, node or {}, width) for name, node in nodes.items()]
    edges = graph.get("edges") or {}
    if edges:
        parts = [f"{eid} {(e or {}).get('status', '?')}" for eid, e in edges.items()]
        lines.append("  edges: " + ", ".join(parts))
    return lines


class _Screen:
    """Redraws in place on a terminal; elsewhere prints a block only when it changes."""

    def __init__(self, out, tty: bool):
        self.out, self.tty = out, tty
        self.previous: list[str] = []

    def show(self, lines: list[str]) -> None:
        if lines == self.previous:
            return
        if self.tty and self.previous:
            self.out.write(f"\x1b[{len(self.previous)}F")
        for line in lines:
            self.out.write(("\x1b[2K" if self.tty else "") + line + "\n")
        if self.tty:
            for _ in range(len(self.previous) - len(lines)):
                self.out.write("\x1b[2K\n")
        self.out.flush()
        self.previous = lines


def watch_graph(
    client, graph_id: str, *, interval: float = 1.0, timeout: float | None = None, out=None, tty: bool | None = None
) -> dict:
    """Poll until the graph reaches a terminal status (or ``timeout`` seconds);
    returns the last snapshot."""
    out = out or sys.stdout
    screen = _Screen(out, out.isatty() if tty is None else tty)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        graph = client.get_graph(graph_id)
        screen.show(render_graph(graph))
        if graph.get("status") in GRAPH_TERMINAL:
            return graph
        if deadline is not None and time.monotonic() >= deadline:
            return graph
        time.sleep(interval)


# -- commands -----------------------------------------------------------------


@click.command("status")
@graph_id_argument
@click.option("--watch", is_flag=True, help="Follow the graph until it completes, is cancelled or fails.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between polls with --watch.",
)
@click.option("--timeout", type=click.FloatRange(min=0), default=None, help="Stop watching after this many seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the router's JSON answer instead.")
@verbose_option
def status_command(graph_id, watch, interval, timeout, as_json, verbose):
    """Show the progress of a submitted graph: per node filled / target,
    average price and status.

    With --watch the exit code is 0 when the graph completed, 1 when it was
    cancelled, failed or the --timeout passed; 3 on a router error.
    """
    with handle_api_errors(), make_client(verbose) as client:
        if as_json:
            click.echo(json.dumps(client.get_graph(graph_id), indent=2))
            return
        if not watch:
            for line in render_graph(client.get_graph(graph_id)):
                click.echo(line)
            return
        try:
            final = watch_graph(client, graph_id, interval=interval, timeout=timeout)
        except KeyboardInterrupt:
            click.echo(f"\nstopped watching; the graph keeps running (graphc status {graph_id})", err=True)
            sys.exit(130)
    status = final.get("status")
    if status not in GRAPH_TERMINAL:
        click.echo(f"graphc: graph {graph_id} is still {status} after {timeout:g} s", err=True)
    sys.exit(0 if status == "completed" else 1)


@click.command("cancel")
@graph_id_argument
@verbose_option
def cancel_command(graph_id, verbose):
    """Cancel every active node of a submitted graph."""
    with handle_api_errors(), make_client(verbose) as client:
        answer = client.cancel_graph(graph_id)
    status = answer.get("status", "cancel requested")
    click.echo(f"graph {graph_id}: {status}")


@click.command("kill-switch")
@click.argument("state", type=click.Choice(["on", "off"], case_sensitive=False))
@click.option("--reason", help="Why (required to turn it on; recorded by the router).")
@verbose_option
def kill_switch_command(state, reason, verbose):
    """Turn the router's kill switch on (cancel everything, block new
    submissions) or off."""
    active = state.lower() == "on"
    if active and not (reason and reason.strip()):
        raise click.UsageError("kill-switch on needs --reason TEXT")
    with handle_api_errors(), make_client(verbose) as client:
        answer = client.kill_switch(active, reason)
    now_active = answer.get("active", active)
    line = f"kill switch is {'ON' if now_active else 'OFF'}"
    if now_active and (answer.get("reason") or reason):
        line += f" ({answer.get('reason') or reason})"
    if answer.get("cancelled_graphs"):
        line += f"; {answer['cancelled_graphs']} active graph(s) cancelled"
    click.echo(line)
