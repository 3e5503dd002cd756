"""Which files a command looks at: the paths named, and the lintable files under named directories.

Kept apart from :mod:`graphc.lint` so that commands which only walk files
(``graphc fmt``) do not import the compiler.
"""

from __future__ import annotations

import os
from pathlib import Path

LINTABLE_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = {".git", ".graphc", ".venv", "venv", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache"}


def collect_files(paths) -> list[str]:
    """Expand directories into the paths of their lintable files (sorted). Missing paths raise FileNotFoundError."""
    files = []
    for raw in paths:
        path = str(Path(raw))  # normalised once (`./x/` -> `x`); the files below are joined onto it
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                files.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(LINTABLE_SUFFIXES))
        elif os.path.exists(path):
            files.append(path)
        else:
            raise FileNotFoundError(raw)
    return files
