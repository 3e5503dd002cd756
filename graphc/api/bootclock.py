"""The boot clock: when a request can no longer land, as one machine's processes agree on it whatever the wall clock.

A ``sent`` row's ``lands_by`` is a wall-clock time, and another process compares it with its own wall clock to
decide that the request can no longer land (then proves the run absent and may send it again). A wall clock that
steps forward meanwhile (an NTP step, a virtual machine resumed) makes that decision early, while the request is
still on its way: the run is sent twice (audit ledger26 1). ``CLOCK_BOOTTIME`` counts the time since the machine
booted, suspend included, and ``settimeofday`` never moves it; the kernel's boot id says which boot a reading
belongs to. A row records both with its ``lands_by``, and a process of the same boot takes it as passed only when
both clocks say so: a process in another time namespace (the same boot id, its CLOCK_BOOTTIME offset) disagrees with
the others by the offset, while their wall clocks agree (audit submit28 2). A process of another boot (or another
machine sharing the ledger) has only the wall clock (docs/submitting.md, "What graphc cannot prove").
"""

from __future__ import annotations

import functools
import time

__all__ = ["boot_deadline", "boot_id", "boot_ns"]

BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id"


@functools.cache
def boot_id() -> str | None:
    """This boot's id (Linux), or None where the kernel does not say (another system, a restricted /proc)."""
    try:
        with open(BOOT_ID_PATH, encoding="ascii") as f:
            text = f.read(100).strip()
    except (OSError, ValueError):
        return None
    return text or None


def boot_ns() -> int | None:
    """``CLOCK_BOOTTIME`` in ns (suspend included, never set), or None where there is none or no boot id."""
    clock = getattr(time, "CLOCK_BOOTTIME", None)
    if clock is None or boot_id() is None:
        return None
    try:
        return time.clock_gettime_ns(clock)
    except OSError:
        return None


def boot_deadline(wall_deadline_ns: int, wall_now_ns: int | None = None) -> int | None:
    """The boot-clock reading at which ``wall_deadline_ns`` (a wall-clock time, epoch ns) comes, counted from now;
    None without a boot clock."""
    now = boot_ns()
    if now is None:
        return None
    return now + wall_deadline_ns - (time.time_ns() if wall_now_ns is None else wall_now_ns)
