"""The lint cache: a file's findings are not worked out again while nothing that decides them changed.

``graphc lint`` keeps each file's result in ``.graphc/cache/`` at the project
root of the working directory (like ruff's ``.ruff_cache``; ``graphc cache
clean`` removes it). A result is reused only when all of these are what they
were when it was stored:

- the file's text (SHA-256), its path as given, and whether it was named on
  the command line (a YAML file found in a directory that is not graphc's is
  skipped; named, it is a finding);
- the file's project: its root (the nearest folder above it with
  ``graphc.toml``, a ``pyproject.toml`` with ``[tool.graphc]``, or ``.git``,
  which confines ``use:``) and the effective configuration it is linted with
  (that root's config, or ``--config``: rule levels, ``strict``, market and
  venue settings), hashed into the entry's ``context``: a ``graphc.toml``
  that appears or goes away between a file and its old root is a change;
- every file its compile read or looked for
  (:attr:`graphc.pipeline.CompileResult.files_read`): ``use:`` templates at
  any depth, a template that was not there (its appearing is a change), the
  ``--params`` file; each by the path it was reached by (symlinks not
  resolved), what that path resolves to now and what is found there
  (:func:`graphc.files.source_state`: the digest of its bytes, UTF-8 or not,
  or, with nothing to read, what is there instead: no file, a folder, a FIFO,
  an error), so a symlink (a file's or a folder's) that points elsewhere
  later is a change even when no file changed; and, for a file that reads
  any, the path its own path resolves to (its ``use:`` paths are relative to
  that folder). What is stored is what the compile found when it read each
  file (:func:`graphc.files.recording`), never what is there when the run
  stores its results: a file saved after the compile read it (an editor, a
  checkout, while the run lints other files) is a change next time, and a
  result whose files changed during its own compile is not stored;
- the settings of the run, hashed into the key (:func:`settings_key`):
  graphc's version and code (:func:`code_fingerprint`: a wheel's RECORD; a
  source checkout's files by content, hashed again when a file's size or
  modification time changed), the
  versions of the libraries that read and check files (PyYAML and whether its
  C parser is there, jsonschema, Jinja2, networkx), the Python version, and
  what the command passes: the compile options (quotes snapshot, ``--set``,
  ``--params``, ``--now``), ``--select``/``--ignore``, whether skipped checks are placed,
  the ``GRAPHC_MAX_*`` limits and the working directory.

A result whose render read the clock is not stored unless ``--now`` fixes the
time: the renderer says whether an expression it evaluated, in the playbook or
in any template it used, names ``now`` or ``today``
(:attr:`graphc.pipeline.CompileResult.read_clock`). That is the expression as
parsed from what YAML gave (``n\\x6fw`` is ``now``), never the file's spelling:
the words in a name or a comment read no clock, and the file is kept.
``--quotes live`` and ``--no-cache`` (or ``GRAPHC_NO_CACHE=1``) turn the
cache off.

One JSON file per set of settings (``lint-<key>.json``) maps each path to its
entry; skipped checks, a few dozen per file without quotes and mostly with
the same reasons, are indices into one table of (code, reason). The files are
never trusted: one that is not valid JSON, has another format marker,
version or key, or an entry of the wrong shape is ignored (and rewritten on
the next save); nothing in it is executed or unpickled. Writes go to a
temporary file in the same folder, moved into place with ``os.replace``, so
concurrent runs (``-j`` workers report to the one parent that writes; two
``graphc lint`` processes may each write) never leave a torn file: at worst
one run's new entries are lost and made again next time. It holds digests and
findings, never the settings themselves: no API key or config value is in it.

What is well-formed is trusted, though: the cache is a local speed-up, and
whoever can write an entry can make a file pass (docs/integrations.md says to
restore in CI only caches CI wrote). So it is never used through a link: a
``.graphc`` or ``.graphc/cache`` that is a symbolic link (a repository may
hold one, pointing anywhere) turns the cache off (:func:`linked_part`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path

from graphc.diagnostics import SEVERITIES, Diagnostic, FileResult, Related, Skip, Span
from graphc.files import (
    STATE_DIR,
    ensure_private_dir,
    git_tracked,
    linked_state_part,
    replace_file,
    resolved_path,
    source_state,
)
from graphc.version import __version__

CACHE_DIR = Path(STATE_DIR) / "cache"
FORMAT = "graphc-lint-cache"
FORMAT_VERSION = 6  # 6: a result may hold "unlisted" (GRAPHC_MAX_DIAGNOSTICS); 5: a file read is (path reached by, path it resolved to, its bytes' digest or what was there)
MISS = object()  # lookup(): nothing usable stored
CODE_MEMO = "code.json"  # a source checkout's code digest and the file sizes and times it was made from
MAX_SETTINGS_FILES = 16  # older sets of settings are removed when a new one is written
# they read, check and render what is linted: (module, distribution name as pip writes its dist-info folder)
_LIBRARIES = (("yaml", "pyyaml"), ("jsonschema", "jsonschema"), ("jinja2", "jinja2"), ("networkx", "networkx"))


def cache_dir(project_root) -> Path:
    return Path(project_root) / CACHE_DIR


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def settings_key(settings: dict, directory: Path | None = None) -> str:
    """The key of a run's settings: ``settings`` (plain data; anything else by its ``repr``) plus graphc's code
    (``directory``: the cache folder, where a source checkout's code digest is remembered)."""
    parts = {
        "format": [FORMAT, FORMAT_VERSION],
        "graphc": __version__,
        "code": code_fingerprint(directory),
        "python": list(sys.version_info[:2]),
        "settings": settings,
    }
    text = json.dumps(parts, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def code_fingerprint(directory: Path | None = None) -> list:
    """What identifies the code that lints: graphc's own files and the versions of the libraries it lints with.

    The digest is of the content, so a fresh checkout or install in CI of the
    same code finds the cache it restored (time stamps change on every
    checkout), and an editable install whose rule changed misses. An installed
    wheel's RECORD already lists every file's SHA-256, so it is the one file
    read. A source checkout's files (over 1 MB) are hashed again only when a
    file's stat (size, modification and change times, inode, device) or the
    package's real path differs from the last run's, which ``directory``
    remembers (``code.json``), as git's index trusts a file's stat: hashing
    them at every run would add about 1.5 ms to a warm lint. Another tree with
    the same sizes and times (a reproducible build, a copy, the same path
    rewritten) or an edit with its old time put back (``touch -r``) has other
    change times or inodes, so it is hashed again.
    """
    package = Path(__file__).resolve().parent
    record = package.parent / f"graphc-{__version__}.dist-info" / "RECORD"
    try:
        with open(record, "rb") as fh:
            own = ["RECORD", hashlib.sha256(fh.read()).hexdigest()]
    except OSError:  # a source checkout or an editable install
        from graphc.resources import resource_dirs  # deferred: only a source checkout hashes its files

        own = ["files", _source_digest([package, *resource_dirs("schemas")], directory)]
    return [own, *_library_versions()]


def _source_files(directories) -> list[tuple[str, str]]:
    """(path, name relative to its folder) of every file of graphc's source, in a fixed order."""
    found = []
    for directory in directories:
        for root, dirs, names in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found += [(os.path.join(root, n), os.path.relpath(os.path.join(root, n), directory)) for n in sorted(names)]
    return found


def _source_digest(directories, memo_dir: Path | None) -> str:
    """SHA-256 of the source files' names and contents; read again only when a file's stat (size, modification
    and change times, inode, device) or a folder's real path changed (or a file came or went): the remembered
    digest is trusted while every stat matches."""
    files = _source_files(directories)
    # Each folder's real path, and per file what git's index compares too (change time, inode, device): another
    # tree whose files have the same sizes and times (a reproducible build, a copy, the same path rewritten) is
    # never taken for the one remembered, and neither is an edit with its old time put back (`touch -r`).
    stamps: list = [os.path.realpath(d) for d in directories]
    for path, name in files:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        stamps.append([name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev])
    stamp = hashlib.sha256(json.dumps(stamps).encode("utf-8", "surrogatepass")).hexdigest()
    memo = memo_dir / CODE_MEMO if memo_dir is not None else None
    try:
        remembered = json.loads(memo.read_bytes()) if memo is not None else None
    except (OSError, ValueError, RecursionError):
        remembered = None
    if isinstance(remembered, dict) and remembered.get("stamp") == stamp and isinstance(remembered.get("digest"), str):
        return remembered["digest"]
    sha = hashlib.sha256()
    for path, name in files:
        try:
            with open(path, "rb") as fh:
                content = fh.read()
        except OSError:
            continue
        sha.update(f"{name}\0{len(content)}\0".encode("utf-8", "surrogatepass"))
        sha.update(content)
    digest_ = sha.hexdigest()
    if memo is not None:
        _UNSAVED_MEMOS[memo] = json.dumps({"stamp": stamp, "digest": digest_})
        if memo.parent.is_dir():  # (a new project's cache folder is made when its first results are saved)
            _save_memo(memo.parent)
    return digest_


# Code digests made for a cache folder that did not exist yet (a project's first run): written by the first save.
_UNSAVED_MEMOS: dict[Path, str] = {}


def _save_memo(directory: Path) -> None:
    """Write the code digest made for the cache folder ``directory`` (:func:`_source_digest`), if one waits."""
    text = _UNSAVED_MEMOS.pop(directory / CODE_MEMO, None)
    if text is not None:
        with contextlib.suppress(OSError):  # not remembered: hashed again next time
            replace_file(directory / CODE_MEMO, text.encode("utf-8"))


def _library_versions() -> list:
    """Each library's installed distribution (``name-version.dist-info``), read from its folder's listing
    (no import: a warm run never imports the YAML parser); for PyYAML also whether its C parser is there."""
    listings: dict = {}
    found: list[list] = []
    for module, distribution in _LIBRARIES:
        spec = importlib.util.find_spec(module)
        where = spec.submodule_search_locations if spec is not None else None
        if not where:
            found.append([module, None])
            continue
        package = next(iter(where))
        site = os.path.dirname(package)
        if site not in listings:
            listings[site] = _listing(site)
        prefix = distribution + "-"
        versions = sorted(n for n in listings[site] if n.lower().startswith(prefix))
        extensions = sorted(n for n in _listing(package) if n.startswith("_yaml")) if module == "yaml" else []
        found.append([module, versions, extensions])
    return found


def _listing(directory: str) -> list[str]:
    try:
        return [n for n in os.listdir(directory) if n.endswith(".dist-info") or n.startswith("_yaml")]
    except OSError:
        return []


class LintCache:
    """The stored results of one set of settings (see the module docstring)."""

    def __init__(self, directory: Path, key: str, *, clock_fixed: bool):
        self.directory = directory
        self.key = key
        self.clock_fixed = clock_fixed  # --now given: a template's `now` is part of the settings
        self.path = directory / f"lint-{key[:32]}.json"
        self.entries, self._skip_table = self._read()
        self._skip_protos: list[Skip] | None = None  # the skip table's Skips without a place, made on first use
        self.changed: dict = {}  # path -> entry stored in this run (its skips as (code, reason, span) triples)
        self._read_states: dict = {}  # file read by a compile -> [its resolved path, its state (source_state)]

    # -- reading -----------------------------------------------------------------
    def _read(self) -> tuple[dict, list]:
        """The stored entries and skip table, or nothing for a file that is missing, corrupt or not ours."""
        try:
            with open(self.path, "rb") as fh:
                data = json.loads(fh.read())
        except (OSError, ValueError, RecursionError):
            return {}, []
        if (
            not isinstance(data, dict)
            or data.get("format") != FORMAT
            or data.get("version") != FORMAT_VERSION
            or data.get("graphc") != __version__
            or data.get("settings") != self.key
            or type(data.get("entries")) is not dict
            or type(data.get("skips")) is not list
        ):
            return {}, []  # foreign, older or corrupt: ignored, and replaced on the next save
        return data["entries"], data["skips"]

    def lookup(self, path: str, text: str, *, explicit: bool, context: str = ""):
        """The stored result for ``path`` with this text (a FileResult, or None for a YAML file that is not
        graphc's), if nothing it depends on changed; else :data:`MISS`. ``context``: what of the file's project
        decides its verdict (its root and its effective configuration), as text."""
        entry = self.entries.get(path)
        if (
            type(entry) is not dict
            or entry.get("text") != digest(text)
            or entry.get("explicit") is not explicit
            or entry.get("context") != digest(context)
        ):
            return MISS
        try:
            reads = _list(entry["reads"])
            if reads and entry["real"] != resolved_path(path):  # the file is a link that points elsewhere now
                return MISS
            if not all(self._state_of(_str(name)) == [real, sha] for name, real, sha in map(_list, reads)):
                return MISS
            result = entry["result"]
            if result is None:
                return None
            if type(result) is not dict:  # a list, text, number (audit compat27 4: `.get` crashed every lint)
                return MISS
            unlisted = [_unlisted(item) for item in _list(result.get("unlisted", []))]
            return FileResult(
                path, text, _diagnostics(result["diagnostics"]), self._skips(_list(result["skipped"])), unlisted
            )
        except (KeyError, TypeError, ValueError, IndexError, RecursionError):
            return MISS  # an entry of the wrong shape: linted again, and replaced

    def _skips(self, items: list) -> list[Skip]:
        """Stored skips: indices into the skip table (a report that does not place them), or ``[index, span]``
        pairs. The table's Skips are made once and shared (they are tuples)."""
        if not items or type(items[0]) is not int:
            return [self._skip_at(*_list(item)) for item in items]
        protos = self._protos()
        if min(items) < 0:  # (an item that is not an int fails here, or in the indexing below)
            raise ValueError(items)
        return [protos[i] for i in items]

    def _protos(self) -> list[Skip]:
        if self._skip_protos is None:
            self._skip_protos = [Skip(_str(code), None, _str(reason)) for code, reason in map(_list, self._skip_table)]
        return self._skip_protos

    def _skip_at(self, index, span) -> Skip:
        if type(index) is not int or index < 0:
            raise ValueError(index)
        code, reason = _list(self._skip_table[index])
        return Skip(_str(code), _span(span), _str(reason))

    def _state_of(self, name: str) -> list:
        """``[resolved path, state]`` of a file a compile reads (a template, a params file), by the path it was
        reached by, looked at once per run. The state (:func:`graphc.files.source_state`) is the digest of its
        bytes (UTF-8 or not), or what was there instead of a file to read: nothing (``error ENOENT``: a template
        looked for and not found, whose appearing is a change), a folder, a FIFO, an error; the resolved path
        changes when a symlink on the way points elsewhere, whatever the content there."""
        if name not in self._read_states:
            self._read_states[name] = [resolved_path(name), source_state(name)]
        return self._read_states[name]

    # -- writing -----------------------------------------------------------------
    def store(
        self,
        path: str,
        text: str,
        *,
        explicit: bool,
        result: FileResult | None,
        reads=(),
        read_clock: bool = False,
        context: str = "",
        real: str | None = None,
    ) -> None:
        """Keep ``result`` (None: a YAML file that is not graphc's) for the next run, if it may be reused
        (``read_clock``: its render evaluated ``now`` or ``today``; ``context``: as for :meth:`lookup`).

        ``reads``: each file its compile read or looked for, ``(path reached by, the path it resolved to, its
        state)``, as the compile found it when it read it (:func:`graphc.files.recording`), never read again
        here: a file saved after the compile read it and before this store is a change next time (audit
        cache21 1). ``real``: the path ``path`` resolved to while it was linted (its ``use:`` paths are
        relative to that folder). A result with any of these unknown (None) is not kept."""
        if read_clock and not self.clock_fixed:
            return  # its findings may depend on when it runs
        reads = [[str(name), resolved, state] for name, resolved, state in reads]
        if any(resolved is None or state is None for _, resolved, state in reads) or (reads and real is None):
            return  # what decided it is not known: linted again next time
        encoded = None
        if result is not None:
            skipped = [(s.code, s.reason, _encode_span(_skip_place(s))) for s in result.skipped]
            encoded = {"diagnostics": [_encode_diagnostic(d) for d in result.diagnostics], "skipped": skipped}
            if result.unlisted:  # findings past GRAPHC_MAX_DIAGNOSTICS, counted by code
                encoded["unlisted"] = [list(item) for item in result.unlisted]
        self.changed[path] = {
            "text": digest(text),
            "explicit": explicit,
            "context": digest(context),
            "reads": reads,
            "real": real if reads else None,
            "result": encoded,
        }

    def save(self) -> None:
        """Write this run's new entries (merged with what other runs wrote meanwhile); never raises."""
        if not self.changed:
            return
        try:
            self._ensure_directory()
            table: dict = {}  # (code, reason) -> its index in the new skip table
            entries = self._kept_entries(table)
            for path, entry in self.changed.items():
                entries[path] = _with_skip_indices(entry, [(c, r, span) for c, r, span in _skips_of(entry)], table)
            data = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "graphc": __version__,
                "settings": self.key,
                "skips": [list(pair) for pair in table],
                "entries": entries,
            }
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:  # a file name that is not UTF-8 (a lone surrogate from os.fsdecode):
                    text = json.dumps(data, separators=(",", ":"))  # \udce9 escapes, which read back the same
            replace_file(self.path, text.encode("utf-8"))
            _save_memo(self.directory)  # a new project's first run: its folder is there now
            self._prune()
        except OSError:
            pass  # a read-only checkout or a full disk: linting goes on without a cache

    def _kept_entries(self, table: dict) -> dict:
        """The entries on disk now (another run may have saved since this one read) that this run keeps:
        not replaced by it, their file still there, well-formed; their skips re-indexed into ``table``."""
        stored, stored_table = self._read()
        kept = {}
        for path, entry in stored.items():
            if path in self.changed or type(entry) is not dict or not os.path.exists(path):
                continue
            result = entry.get("result")
            try:
                skips = []
                if result is not None:
                    for item in _list(result["skipped"]):
                        index, span = (item, None) if type(item) is int else _list(item)
                        if type(index) is not int or index < 0:
                            raise ValueError(index)
                        code, reason = _list(stored_table[index])
                        skips.append((_str(code), _str(reason), span))
            except (KeyError, TypeError, ValueError, IndexError):
                continue  # the wrong shape: dropped
            kept[path] = _with_skip_indices(entry, skips, table)
        return kept

    def _ensure_directory(self) -> None:
        ensure_private_dir(self.directory.parent)  # .graphc/ made as the ledger makes it: 0700, kept out of git
        if ensure_private_dir(self.directory):
            (self.directory / ".gitignore").write_text("*\n")
            (self.directory / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# graphc's lint cache; `graphc cache clean` removes it\n"
            )

    def _prune(self) -> None:
        files = sorted(self.directory.glob("lint-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in files[MAX_SETTINGS_FILES:]:
            _remove(stale)


def linked_part(project_root) -> Path | None:
    """``.graphc`` or ``.graphc/cache`` of the project, whichever is a symbolic link; None when neither is.

    The cache is never read or written through a link: a repository may hold one (committed, or made by a
    checkout) that points outside it, where lint would write, and :func:`clean` would delete.
    """
    return linked_state_part(Path(project_root) / STATE_DIR, cache_dir(project_root))


def committed(project_root) -> bool:
    """Whether git tracks a file of the project's cache: a cache that came with the checkout, committed with
    ``git add -f`` past ``.graphc/.gitignore``. Its entries are trusted (a stored digest and its findings), so
    a pull request that brings one could choose its own verdicts (audit sec16 1): such a cache is never read.
    The repository's index answers (:func:`graphc.files.git_tracked`, which the ledger asks too)."""
    return git_tracked(project_root, CACHE_DIR.as_posix()) is not None


def clean(project_root) -> Path | None:
    """Remove the project's lint cache; returns the folder removed (a symbolic link there: the link, never
    what it points to), or None if there was none. Nothing is removed through a ``.graphc`` that is a link:
    :class:`LinkedCache`."""
    import shutil  # deferred: only `graphc cache clean` removes a folder

    directory = cache_dir(project_root)
    linked = linked_part(project_root)
    if linked is not None and linked != directory:
        raise LinkedCache(linked)
    if linked is not None:
        os.unlink(directory)
        return directory
    if not directory.is_dir():
        return None
    shutil.rmtree(directory)
    return directory


class LinkedCache(Exception):
    """The project's ``.graphc`` is a symbolic link: no cache of graphc's is there (see :func:`linked_part`)."""

    def __init__(self, link: Path):
        super().__init__(str(link))
        self.link = link


def _remove(path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


# -- results as JSON, and back (every field checked) --------------------------------------------


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


def _skip_place(skip) -> Span | None:
    return skip.where if isinstance(skip.where, Span) else None


def _skips_of(entry: dict) -> list:
    result = entry["result"]
    return [] if result is None else result["skipped"]


def _with_skip_indices(entry: dict, skips: list, table: dict) -> dict:
    """``entry`` with its skips written as indices into the shared skip table (``[index, span]`` when placed):
    a lint without quotes skips a few dozen checks per file, mostly with the same few reasons."""
    result = entry["result"]
    if result is None:
        return entry
    indices = [table.setdefault((code, reason), len(table)) for code, reason, _ in skips]
    if any(span is not None for _, _, span in skips):
        written: list = [[index, span] for index, (_, _, span) in zip(indices, skips, strict=True)]
    else:
        written = indices  # the common case: a report that does not place skipped checks
    return {**entry, "result": {**result, "skipped": written}}


def _unlisted(item) -> tuple[str, str, int]:
    """A stored count of findings not listed: ``[code, severity, count]``."""
    code, severity, count = _list(item)
    if severity not in SEVERITIES or type(count) is not int or count < 1:
        raise ValueError(item)
    return _str(code), severity, count


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
