"""Find files that ship with graphc: rule pages and JSON Schemas.

An installed wheel carries them as package data (``pyproject.toml``
force-includes ``docs/rules`` as ``graphc/_data/rules`` and ``schemas`` as
``graphc/_data/schemas``). A source checkout or an editable install has no
``_data`` directory, so the files are read from where they live in the repo.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_DATA_DIR = _PACKAGE_DIR / "_data"
_REPO_DIR = _PACKAGE_DIR.parent

# kind -> directory of the source checkout that the wheel ships as _data/<kind>
SOURCE_DIRS = {
    "rules": _REPO_DIR / "docs" / "rules",
    "schemas": _REPO_DIR / "schemas",
}


def resource_dirs(kind: str) -> list[Path]:
    """The directories searched for ``kind``, in order: package data, then source checkout."""
    if kind not in SOURCE_DIRS:
        raise ValueError(f"unknown resource kind {kind!r} (expected one of {', '.join(SOURCE_DIRS)})")
    return [_DATA_DIR / kind, SOURCE_DIRS[kind]]


def resource_path(kind: str, name: str) -> Path:
    """The path of resource ``name`` of ``kind`` (``"rules"`` or ``"schemas"``).

    Raises :class:`FileNotFoundError` when no searched directory has it.
    """
    if not name or name != Path(name).name or name in (".", ".."):
        raise ValueError(f"resource name must be a plain file name, not {name!r}")
    dirs = resource_dirs(kind)
    for directory in dirs:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    searched = ", ".join(str(d) for d in dirs)
    raise FileNotFoundError(f"{kind} resource {name!r} not found (searched {searched})")


def read_text(kind: str, name: str) -> str:
    """The text of resource ``name`` of ``kind``, read as UTF-8."""
    return resource_path(kind, name).read_text(encoding="utf-8")
