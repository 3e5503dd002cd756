"""Another process holding a project's ledger, for the tests of submissions that meet a locked ledger (audit conc21).

``hold_ledger`` starts a Python process that takes the SQLite lock (``IMMEDIATE``: a writer, as another graphc
recording a run; ``EXCLUSIVE``: readers too) and keeps it until it is killed, as /tmp/conc21/hold.py did.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graphc.api.ledger import Ledger

# Two limit legs ($11k at their limits) under a $20k cap: a playbook that lints clean and submits at once.
LIM = (
    "graphc: 1\nname: lim\nrisk:\n  max_notional: $20k\nlegs:\n"
    "  a: {buy: 0.1 BTC, symbol: BTC-USD, venue: coinbase, limit: 90000}\n"
    "  b: {buy: 1 ETH, symbol: ETH-USD, venue: coinbase, limit: 2000}\n"
)
SLOW_POST = {"method": "POST", "path_prefix": "/v1/orders", "kind": "slow"}
_HOLD = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
db.execute("BEGIN " + sys.argv[2])
if sys.argv[2] == "EXCLUSIVE":
    db.execute("UPDATE runs SET updated_ns = updated_ns WHERE 0")
print("locked", flush=True)
time.sleep(60)
"""


def lim_project(tmp_path: Path) -> Path:
    """A project (a git root) holding lim.yaml, whose ledger exists, for another process to lock."""
    root = tmp_path / "p1"
    (root / ".git").mkdir(parents=True)
    (root / "lim.yaml").write_text(LIM)
    Ledger(root / ".graphc" / "ledger.sqlite").close()
    return root


def hold_ledger(path: Path, mode: str = "IMMEDIATE") -> subprocess.Popen:
    """Another process holding the ledger at ``path`` locked until :func:`release`; returns once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path), mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n", holder.communicate()
    return holder


def release(holder: subprocess.Popen) -> None:
    holder.kill()
    holder.communicate(timeout=10)
