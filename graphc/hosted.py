"""The entry point of a bundle's ``main.py`` (``graphc bundle``): ``graphc run --loop`` for a hosted runner.

It takes no arguments and no click: everything comes from the environment.

* ``[hosted.env]`` of Sequence.toml: ``GRAPHC_PLAYBOOK`` (path inside the
  bundle), ``GRAPHC_SET`` (JSON params), ``GRAPHC_PARAMS`` (params file in the
  bundle), ``GRAPHC_QUOTES`` (``live``), ``GRAPHC_LIVE`` (``1`` allows a live graph);
* for rehearsals: ``GRAPHC_NOW`` (ISO 8601: the clock starts there),
  ``GRAPHC_ONCE=1`` (run the due occurrence, if any, and exit) and
  ``GRAPHC_SETTLE`` (seconds; see ``graphc run --settle``);
* injected by the runner: ``SEQUENCE_API_KEY``, ``SEQUENCE_API_URL``,
  ``SEQUENCE_STRATEGY_ID``, ``SEQUENCE_RUN_ID``.

The runner's ``SEQUENCE_API_URL`` is plain http to the runner's host in the
reference; it is trusted for plain http only when ``SEQUENCE_STRATEGY_ID`` and
``SEQUENCE_RUN_ID`` are set too (that is, inside a runner). Anywhere else the
usual rule holds: https, or http to loopback.

The run keeps its record of attempts in memory (a :class:`graphc.run.Runner` given no ledger): the runner's disk
does not survive a restart, so the router, by the run tag, is the record that counts (``graphc run`` on a machine
with the project records in the project's ledger instead). The loop deletes from it the attempts of each occurrence
past its catch-up plus the landing margin once all of them are settled (:meth:`graphc.run.Runner._forget`), so it
holds the last few occurrences and those still unsettled, not every occurrence since the strategy started.

Exit status (the runner restarts a non-zero exit and stops on 0): 0 when the
schedule is finished (``GRAPHC_ONCE=1``: the due occurrence was submitted,
had been already, or nothing was due) or when stopped with SIGTERM (the
runner's graceful stop); 1 lint errors; 2 configuration; 3 the router failed;
4 a bug.
"""

from __future__ import annotations

import os
import signal
import sys
import zoneinfo
from datetime import datetime

from graphc.api.client import Client
from graphc.api.errors import ApiError
from graphc.run import Clock, EventLog, Runner, hosted_settings
from graphc.schedule import clock_time
from graphc.version import __version__


def main(bundle_dir: str, env=None) -> int:
    env = os.environ if env is None else env
    log = EventLog(sys.stdout)
    _use_bundled_zones(bundle_dir)
    try:
        settings = hosted_settings(bundle_dir, env)
        clock = Clock(_fixed_clock(env.get("GRAPHC_NOW")))
    except ValueError as exc:
        log("error", message=str(exc))
        return 2

    log(
        "boot",
        graphc=__version__,
        strategy_id=env.get("SEQUENCE_STRATEGY_ID"),
        run_id=env.get("SEQUENCE_RUN_ID"),
        has_api_key=bool(env.get("SEQUENCE_API_KEY", "").strip()),
    )

    try:
        _client(env).close()  # the URL and the key are checked now, not at the first occurrence
    except ApiError as exc:
        log("error", message=str(exc))
        return exc.exit_code
    runner = Runner(settings, lambda: _client(env), clock=clock, log=log)
    _stop_on_sigterm()
    try:
        return runner.once() if env.get("GRAPHC_ONCE") == "1" else runner.loop()
    except KeyboardInterrupt:  # the runner's graceful stop (SIGTERM), or Ctrl-C in a rehearsal
        runner.stopped("asked to stop")  # `stopped`, then what may still land (its last word)
        return 0
    except Exception as exc:  # a bug: say so in the log, exit non-zero so the runner restarts us
        log("crash", error=f"{type(exc).__name__}: {exc}")
        return 4


def _fixed_clock(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return clock_time(text)
    except ValueError as exc:
        raise ValueError(f"GRAPHC_NOW {exc}") from None


def _client(env):
    """The router client: the runner's URL is trusted for plain http only inside a runner."""
    in_runner = bool(env.get("SEQUENCE_STRATEGY_ID")) and bool(env.get("SEQUENCE_RUN_ID"))
    return Client.from_env(env, allow_plain_http=in_runner)


def _stop_on_sigterm() -> None:
    """The runner stops a strategy with SIGTERM: stop as cleanly as on Ctrl-C (a log line, exit 0)."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _use_bundled_zones(bundle_dir: str) -> None:
    """Look for timezone files in the bundle first (the image may have no tz database)."""
    bundled = os.path.join(os.path.abspath(bundle_dir), "zoneinfo")
    if os.path.isdir(bundled):
        zoneinfo.reset_tzpath([bundled, *zoneinfo.TZPATH])
