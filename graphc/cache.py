"""The lint cache: a file's findings are not worked out again while nothing that decides them changed.

``graphc lint`` keeps each file's result in ``.graphc/cache/`` at the project
root (like ruff's ``.ruff_cache``). A result is reused only when all of these
are what they were when it was stored:

- the file's text (SHA-256), its path as given, and whether it was named on
  the command line (a YAML file found in a directory that is not graphc's is
  skipped; named, it is a finding);
- the content of every file its compile read: ``use:`` templates (through any
  depth) and the ``--params`` file;
- the settings of the run (:func:`settings_key`): graphc's version and code,
  the libraries that read and check files (PyYAML, jsonschema, Jinja2,
  networkx), the effective configuration as parsed, the quotes snapshot, the
  options that change findings (``--select``/``--ignore``, ``--set``,
  ``--params``, ``--now``, whether skipped checks are listed) and the working
  directory and project root.

A playbook or template whose text names ``now`` or ``today`` is not stored
unless ``--now`` fixes the time, and ``--quotes live`` turns the cache off.

One JSON file per set of settings (``lint-<key>.json``) maps each path to its
entry. The files are never trusted: one that is not valid JSON, has another
format marker, version or key, or an entry of the wrong shape is ignored (and
rewritten on the next save); nothing in it is executed or unpickled. Writes go
to a temporary file in the same folder, moved into place with ``os.replace``,
so concurrent runs (``-j`` workers report to the one parent that writes; two
``graphc lint`` processes may each write) never leave a torn file: at worst
one run's new entries are lost and made again next time. It holds digests and
findings, never the settings themselves: no API key or config value is in it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from graphc.diagnostics import SEVERITIES, Diagnostic, FileResult, Related, Skip, Span
from graphc.version import __version__

CACHE_DIR = Path(".graphc") / "cache"
FORMAT = "graphc-lint-cache"
FORMAT_VERSION = 1
MISS = object()  # lookup(): nothing usable stored
MAX_SETTINGS_FILES = 16  # older sets of settings are removed when a new one is written
_LIBRARIES = ("yaml", "jsonschema", "jinja2", "networkx")  # they read, check and render what is linted
_CLOCK = re.compile(r"\b(?:now|today)\b")  # names a template uses for the time of the run


def cache_dir(project_root) -> Path:
    return Path(project_root) / CACHE_DIR


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def settings_key(settings: dict) -> str:
    """The key of a run's settings: ``settings`` (plain data; anything else by its ``repr``) plus graphc's code."""
    parts = {
        "format": [FORMAT, FORMAT_VERSION],
        "graphc": __version__,
        "code": _code_fingerprint(),
        "python": list(sys.version_info[:2]),
        "settings": settings,
    }
    text = json.dumps(parts, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _code_fingerprint() -> list:
    """What identifies the code that lints: graphc's own files and the libraries' installed files.

    Sizes and modification times only (no file is read), so an editable
    install that changed a rule is not served results of the old rule.
    """
    import importlib.util

    from graphc.resources import resource_dirs

    graphc_dir = Path(__file__).resolve().parent
    stamps = [_tree_stamp(graphc_dir), *(_tree_stamp(d) for d in resource_dirs("schemas"))]
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        stamps.append([name, _file_stamp(origin) if origin else None])
    return stamps


def _tree_stamp(directory: Path) -> list:
    if not directory.is_dir():
        return [str(directory), None]
    entries: list = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        entries.extend(_file_stamp(os.path.join(root, name)) for name in sorted(names))
    return [str(directory), hashlib.sha256(json.dumps(entries).encode()).hexdigest()]


def _file_stamp(path: str) -> list:
    try:
        stat = os.stat(path)
    except OSError:
        return [path, None]
    return [path, stat.st_size, stat.st_mtime_ns]


class LintCache:
    """The stored results of one set of settings (see the module docstring)."""

    def __init__(self, directory: Path, key: str, *, clock_fixed: bool):
        self.directory = directory
        self.key = key
        self.clock_fixed = clock_fixed  # --now given: a template's `now` is part of the settings
        self.path = directory / f"lint-{key[:32]}.json"
        self.entries = self._read()
        self.changed: dict = {}  # path -> entry stored in this run

    # -- reading -----------------------------------------------------------------
    def _read(self) -> dict:
        try:
            with open(self.path, "rb") as fh:
                data = json.loads(fh.read())
        except (OSError, ValueError, RecursionError):
            return {}
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != FORMAT_VERSION
            or data.get("graphc") != __version__
            or data.get("settings") != self.key
            or not isinstance(data.get("entries"), dict)
        ):
            return {}  # foreign, older or corrupt: ignored, and replaced on the next save
        return data["entries"]

    def lookup(self, path: str, text: str, *, explicit: bool):
        """The stored result for ``path`` with this text (a FileResult, or None for a YAML file that is not
        graphc's), if nothing it depends on changed; else :data:`MISS`."""
        entry = self.entries.get(path)
        if not isinstance(entry, dict) or entry.get("text") != digest(text) or entry.get("explicit") is not explicit:
            return MISS
        try:
            if not all(_current_digest(_str(name)) == sha for name, sha in _list(entry["reads"])):
                return MISS
            result = entry["result"]
            if result is None:
                return None
            return FileResult(path, text, _diagnostics(result["diagnostics"]), _skips(result["skipped"]))
        except (KeyError, TypeError, ValueError, RecursionError):
            return MISS  # an entry of the wrong shape: linted again, and replaced

    # -- writing -----------------------------------------------------------------
    def store(self, path: str, text: str, *, explicit: bool, result: FileResult | None, files_read=()) -> None:
        """Keep ``result`` (None: a YAML file that is not graphc's) for the next run, if it may be reused."""
        reads = []
        texts = [text]
        for name in files_read:
            try:
                read = _read_text(name)
            except (OSError, UnicodeDecodeError):
                return  # a file it read is gone already: nothing to compare with next time
            reads.append([str(name), digest(read)])
            texts.append(read)
        if not self.clock_fixed and any(_CLOCK.search(t) for t in texts):
            return  # its findings may depend on when it runs
        self.changed[path] = {
            "text": digest(text),
            "explicit": explicit,
            "reads": reads,
            "result": None if result is None else _encode_result(result),
        }

    def save(self) -> None:
        """Write this run's new entries (merged with what other runs wrote meanwhile); never raises."""
        if not self.changed:
            return
        try:
            self._ensure_directory()
            entries = {p: e for p, e in self._read().items() if p not in self.changed and os.path.exists(p)}
            entries.update(self.changed)
            data = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "graphc": __version__,
                "settings": self.key,
                "entries": entries,
            }
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
                os.replace(temporary, self.path)
            except BaseException:
                _remove(temporary)
                raise
            self._prune()
        except OSError:
            pass  # a read-only checkout or a full disk: linting goes on without a cache

    def _ensure_directory(self) -> None:
        graphc_dir = self.directory.parent
        if not graphc_dir.exists():
            graphc_dir.mkdir(parents=True, exist_ok=True)
            (graphc_dir / ".gitignore").write_text("*\n")  # as the ledger does: keep .graphc out of git
        if not self.directory.exists():
            self.directory.mkdir(exist_ok=True)
            (self.directory / ".gitignore").write_text("*\n")
            (self.directory / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# graphc's lint cache; `graphc cache clean` removes it\n"
            )

    def _prune(self) -> None:
        files = sorted(self.directory.glob("lint-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in files[MAX_SETTINGS_FILES:]:
            _remove(stale)


def clean(project_root) -> Path | None:
    """Remove the project's lint cache; returns the folder removed, or None if there was none."""
    import shutil

    directory = cache_dir(project_root)
    if not directory.is_dir():
        return None
    shutil.rmtree(directory)
    return directory


def _read_text(name) -> str:
    from graphc.files import read_source

    return read_source(name)


def _current_digest(name) -> str | None:
    try:
        return digest(_read_text(name))
    except (OSError, UnicodeDecodeError):
        return None


def _remove(path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# -- results as JSON, and back (every field checked) --------------------------------------------


def _encode_result(result: FileResult) -> dict:
    return {
        "diagnostics": [_encode_diagnostic(d) for d in result.diagnostics],
        "skipped": [_encode_skip(s) for s in result.skipped],
    }


def _encode_diagnostic(d: Diagnostic) -> dict:
    return {
        "code": d.code,
        "message": d.message,
        "path": d.path,
        "span": _encode_span(d.span),
        "severity": d.severity,
        "hint": d.hint,
        "related": [_encode_related(r) for r in d.related],
    }


def _encode_span(span: Span | None):
    if span is None:
        return None
    return [span.line, span.col, span.end_line, span.end_col, span.file, _encode_related(span.via)]


def _encode_related(related: Related | None):
    if related is None:
        return None
    return {"path": related.path, "span": _encode_span(related.span), "message": related.message}


def _encode_skip(skip) -> dict:
    where = skip.where if isinstance(skip.where, Span) or skip.where is None else None
    return {"code": skip.code, "where": _encode_span(where), "reason": skip.reason}


def _diagnostics(items) -> list[Diagnostic]:
    out = []
    for item in _list(items):
        severity = item["severity"]
        if severity not in SEVERITIES:
            raise ValueError(severity)
        out.append(
            Diagnostic(
                _str(item["code"]),
                _str(item["message"]),
                _str(item["path"]),
                _span(item["span"]),
                severity,
                _optional_str(item["hint"]),
                tuple(_related(r) for r in _list(item["related"])),
            )
        )
    return out


def _skips(items) -> list:
    return [Skip(_str(item["code"]), _span(item["where"]), _str(item["reason"])) for item in _list(items)]


def _span(value) -> Span | None:
    if value is None:
        return None
    line, col, end_line, end_col, file, via = _list(value)
    if not all(type(n) is int for n in (line, col, end_line, end_col)):
        raise ValueError(value)
    return Span(line, col, end_line, end_col, _optional_str(file), None if via is None else _related(via))


def _related(value) -> Related:
    if not isinstance(value, dict):
        raise ValueError(value)
    return Related(_str(value["path"]), _span(value["span"]), _str(value["message"]))


def _list(value) -> list:
    if type(value) is not list:
        raise ValueError(value)
    return value


def _str(value) -> str:
    if type(value) is not str:
        raise ValueError(value)
    return value


def _optional_str(value) -> str | None:
    return None if value is None else _str(value)
