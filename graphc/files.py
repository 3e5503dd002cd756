"""Which files a command looks at, and which project they belong to.

:func:`collect` expands the paths named (files, directories, globs) into lintable files, each once;
:func:`find_project_root` is the one answer to "which project is this file in"
(config discovery, `use:` confinement and the submission ledger all ask it).

Kept apart from :mod:`graphc.lint` so that commands which only walk files
(``graphc fmt``) do not import the compiler.
"""

from __future__ import annotations

import errno
import os
import re
import stat as _stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING, Any

from graphc.diagnostics import Diagnostic, Span
from graphc.limits import limit
from graphc.lines import line_and_column
from graphc.record import Record

if TYPE_CHECKING:
    import mmap

MAX_FILE_BYTES = limit("MAX_FILE_BYTES", 10_000_000)  # a larger file is rejected before parsing (GC100)
MAX_DEPTH = limit("MAX_DEPTH", 100)  # nesting of mappings and sequences (YAML, JSON) and of tables and arrays (TOML)
YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
LINTABLE_SUFFIXES = (*YAML_SUFFIXES, *JSON_SUFFIXES)  # each matched in any case: see has_suffix
SKIP_DIRS = {".git", ".graphc", ".venv", "venv", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache"}


GLOB_CHARS = frozenset("*?[")


def has_suffix(name: str, suffixes: tuple[str, ...] = LINTABLE_SUFFIXES) -> bool:
    """Whether the file name ``name`` ends in one of ``suffixes`` (written lower-case), in any case: ``p.YAML``,
    ``g.Json``. The one test of a name's suffix: what a walk, a glob and ``--dependants`` collect, and whether a
    file is read as JSON (docs/playbooks.md: "a `.json` file (any case)"), as the pre-commit hook's ``(?i)``
    pattern names them. (Only an ASCII character lower-cases to a letter of these suffixes.)"""
    return name.lower().endswith(suffixes)


def suffix_patterns(suffixes: tuple[str, ...]) -> str:
    """``*.yaml, *.yml or *.json``: the files ``suffixes`` take, for a message (any case, as :func:`has_suffix`)."""
    patterns = [f"*{suffix}" for suffix in suffixes]
    return patterns[0] if len(patterns) == 1 else f"{', '.join(patterns[:-1])} or {patterns[-1]}"


class Collected(Record):
    """The files a command was pointed at, each once, in the order named."""

    FIELDS = ("files", "named", "searches", "missing", "not_followed")

    files: list[str]
    named: set[str]  # files named themselves (not found in a directory or by a glob)
    searches: dict[str, list[str]]  # directory or glob named -> the files it gave
    missing: list[str]  # paths named that do not exist (with keep_missing: listed in files too)
    not_followed: list[str]  # symlinks a walk or glob met whose target is outside the project root: not read

    def __init__(
        self,
        files: list[str] | None = None,
        named: set[str] | None = None,
        searches: dict[str, list[str]] | None = None,
        missing: list[str] | None = None,
        not_followed: list[str] | None = None,
    ):
        self.files = [] if files is None else files
        self.named = set() if named is None else named
        self.searches = {} if searches is None else searches
        self.missing = [] if missing is None else missing
        self.not_followed = [] if not_followed is None else not_followed


def collect(
    paths: Iterable[str | os.PathLike[str]],
    suffixes: tuple[str, ...] = LINTABLE_SUFFIXES,
    *,
    keep_missing: bool = False,
    links_resolved: bool = False,
) -> Collected:
    """Expand directories and globs into files with ``suffixes`` (in any case: :func:`has_suffix`); a file reached
    twice is listed once.

    A file is the same when its absolute path is; with ``links_resolved``, when its real path is (symlinks
    resolved), so a link in a walk to a file the walk also finds is listed once, under the name met first
    (``graphc fmt``, which rewrites the file, and must not count it twice).

    A path that does not exist and has no glob characters raises FileNotFoundError;
    with ``keep_missing`` it is listed as a named file instead (and in ``missing``),
    so that reading it reports it (GC112) among the other files' results.
    Globs are expanded here (``plays/*.yaml``, ``**`` for any depth), so they work
    where no shell expands them (CI inputs, quoted arguments). A glob or directory
    that gives no file is in ``searches`` with an empty list: the caller warns.
    """
    out = Collected()
    seen: dict[str, str] = {}  # normalised absolute (or real) path -> the path listed for it
    absolute_of = _absolute_path_function()
    real_of = _real_path_function() if links_resolved else None

    def add(path: str, named: bool, absolute: str | None = None) -> str:
        """List ``path`` (``absolute``: its absolute form, when known) unless it already is; the path it is listed under."""
        key = absolute or absolute_of(path)
        key = os.path.normcase(key if real_of is None else real_of(key))
        if key not in seen:
            seen[key] = path
            out.files.append(path)
        if named:
            out.named.add(seen[key])
        return seen[key]

    for raw in paths:
        path = _normalised(raw)  # normalised once (`./x/` -> `x`); the files below are joined onto it
        mode = _mode(path)
        if mode is not None and S_ISDIR(mode):
            found = out.searches.setdefault(str(raw), [])
            for listed, absolute in _walk(path, suffixes, out.not_followed):
                found.append(add(listed, False, absolute))
        elif mode is not None:
            add(path, True)
        elif GLOB_CHARS.intersection(str(raw)):
            found = out.searches.setdefault(str(raw), [])
            inside_root = _inside_root_of(str(raw).split("*")[0].split("?")[0].split("[")[0] or ".")
            for match in _glob(str(raw)):
                # isfile: a regular file, links followed
                if not has_suffix(match, suffixes) or not os.path.isfile(match):
                    continue
                if not os.path.islink(match) or inside_root(match):  # as a directory walk: no link out of the root
                    found.append(add(os.path.normpath(match), False))
                else:
                    out.not_followed.append(os.path.normpath(match))
        elif keep_missing:
            out.missing.append(add(path, True))
        else:
            raise FileNotFoundError(raw)
    return out


def _walk(top: str, suffixes: tuple[str, ...], not_followed: list[str]) -> Iterable[tuple[str, str]]:
    """The files with ``suffixes`` (any case) under the directory ``top``, as (path listed, its absolute form), in
    the order ``os.walk`` gives with sorted names (a folder's files, then each sub-folder's), skipping
    :data:`SKIP_DIRS` and hidden folders.

    A symlink is listed only when its target is inside the project root of ``top`` (:func:`find_project_root`),
    so a link to ``/dev/stdin``, ``/dev/zero`` or a file elsewhere on the machine is never opened (docs/
    robustness.md, "Reading files"), only added to ``not_followed`` for the caller to say so; a symlinked folder
    is not entered (as ``os.walk`` does). A FIFO, socket or
    device named ``*.yaml`` is listed, and :func:`read_source` reports it (GC112) without opening it.
    The type comes from the directory listing: a plain file costs no extra ``stat``.
    """
    inside_root = _inside_root_of(top)
    pending = [(top, os.path.abspath(top))]
    while pending:
        here, absolute_here = pending.pop()
        try:
            with os.scandir(here) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed gives nothing
        folders = []
        for entry in entries:
            name = entry.name
            # under `.`: `tpl/a.yaml`, not `./tpl/a.yaml`, the one spelling display_path and `use:` give it
            listed = name if here == os.curdir else os.path.join(here, name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIP_DIRS and not name.startswith("."):
                        folders.append((listed, os.path.join(absolute_here, name)))
                    continue
                if not has_suffix(name, suffixes):
                    continue
                if entry.is_symlink() and entry.is_dir():
                    continue  # a linked folder is not entered (os.walk's way)
                if entry.is_symlink() and not inside_root(listed):
                    not_followed.append(listed)  # not read: the caller says so
                    continue
            except OSError:  # gone meanwhile
                continue
            yield listed, os.path.join(absolute_here, name)
        pending.extend(reversed(folders))


def _glob(pattern: str) -> list[str]:
    """The paths ``glob.glob(pattern, recursive=True)`` gives, sorted, each once, found with an explicit stack.

    Python's glob recurses once per folder level under ``**`` (a tree 1,100 folders deep was a RecursionError,
    audit sec16 7). Its semantics are kept: ``*``, ``?`` and ``[...]`` match within one name, and a name starting
    with ``.`` only where the pattern's part does too; ``**`` alone in a part is zero or more folders (none
    hidden) and, last, the files in them too; a literal part is taken as written. As in a directory walk
    (:func:`_walk`, docs/robustness.md), a symlinked folder is not entered by a wildcard or ``**`` (Python's
    glob entered it); one the pattern spells out is, as a directory named on the command line is. A link
    matched as a file is listed, and :func:`collect` decides whether to read it.
    """
    import fnmatch  # deferred: only a path with glob characters needs it

    head, tail = os.path.splitdrive(pattern)
    start = head + os.sep if tail[:1] in ("/", os.sep) else head
    parts = [part for part in re.split(r"[\\/]" if os.altsep else "/", tail) if part]
    if not parts or tail[-1:] in ("/", os.sep):  # `plays/*/`: folders only, never a file to read
        return []
    last = len(parts) - 1
    wildcards = [re.compile(fnmatch.translate(os.path.normcase(part))).match for part in parts]
    found: set[str] = set()
    pending, visited = [(start, 0)], set()
    while pending:
        here, index = pending.pop()
        if (here, index) in visited:  # `**/**`: a folder is reached once per split of its depth between them
            continue
        visited.add((here, index))
        part = parts[index]
        if part == "**":
            if index == last:
                found.add(here)  # glob gives `plays/` too; not a file, so nothing collect reads
            else:
                pending.append((here, index + 1))  # zero folders
            prefix = os.path.join(here, "")  # (here + a separator: a join per entry costs more than the walk)
            for entry in _listing(here):
                name = entry.name
                if name[:1] == ".":
                    continue
                if _is_folder(entry):
                    pending.append((prefix + name, index))
                elif index == last:
                    found.add(prefix + name)
        elif GLOB_CHARS.intersection(part):
            hidden, matches = part.startswith("."), wildcards[index]
            for entry in _listing(here):
                if (hidden or not entry.name.startswith(".")) and matches(os.path.normcase(entry.name)):
                    if index == last:
                        found.add(os.path.join(here, entry.name))
                    elif _is_folder(entry):
                        pending.append((os.path.join(here, entry.name), index + 1))
        elif index == last:
            if os.path.lexists(os.path.join(here, part)):
                found.add(os.path.join(here, part))
        else:
            pending.append((os.path.join(here, part), index + 1))  # not a folder: its listing is empty
    return sorted(found)


def _listing(folder: str) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` (the working directory for ``""``); none when it cannot be listed (as glob)."""
    try:
        with os.scandir(folder or os.curdir) as listing:
            return list(listing)
    except OSError:
        return []


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder a glob's wildcard enters: a real one, not a symlink to one."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _inside_root_of(start: str) -> Callable[[str], bool]:
    """Whether a path's target (symlinks resolved) lies inside the project root of ``start``; the root is looked
    up at the first question (most walks meet no symlink)."""
    root: list[str] = []

    def inside_root(path: str) -> bool:
        if not root:
            root.append(os.path.realpath(find_project_root(start)))
        return _within(os.path.realpath(path), root[0])

    return inside_root


def _within(target: str, root: str) -> bool:
    """Whether the real path ``target`` is the real path ``root`` or under it."""
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def leaves_root(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> bool:
    """Whether ``path`` is a symbolic link whose target (all links resolved) lies outside ``root``, by default
    :func:`link_root` of the folder ``path`` is named in: the repository that folder is in.

    Such a file's text is never shown (no code frame: graphc.report.text), a config graphc found itself behind such
    a link is not read at all (graphc.config), and ``graphc fmt`` refuses one named to it, unread and unwritten
    (graphc.commands.fmt). A link can point anywhere the user can read (the API key's credentials file, ``/proc/self/environ``), and
    a repository may hold one (audit sec29 1; docs/robustness.md). A file that is not itself a link never leaves:
    it is in its folder, which is in the folder's repository."""
    path = os.fspath(path)
    if not os.path.islink(path):
        return False
    if root is None:
        root = link_root(os.path.dirname(path) or os.curdir)
    return not _within(os.path.realpath(path), os.path.realpath(root))


def link_root(folder: str | os.PathLike[str], *, config: bool = False) -> Path:
    """What a link named in ``folder`` may point into and still be read and shown (:func:`leaves_root`): the top of
    the git repository ``folder`` (its real path) is in (:func:`repository_top`), so a monorepo's
    ``app/graphc.toml -> ../shared/graphc.toml`` is read. Outside any repository, the project root of ``folder``
    (:func:`find_project_root`); for a ``config`` graphc found in ``folder`` (its ``graphc.toml`` or
    ``pyproject.toml``), ``folder`` itself, the root that config marks (and a ``pyproject.toml`` is not read to
    decide whether it marks one).

    This is wider than a directory walk's limit (:func:`_inside_root_of`: the project root of the walked folder,
    as for ``use:``) when a repository holds projects of their own: the walk of ``app/`` does not follow
    ``app/x.yaml -> ../shared/x.yaml``, as ``use:`` from ``app/`` stays in ``app/``. The two answer different
    questions: which files belong to a project, and which files the repository may show."""
    here = real_path(Path(folder))
    top = repository_top(here)
    if top is not None:
        return top
    return here if config else find_project_root(here)


def link_root_named(root: Path) -> str:
    """``root`` (a :func:`link_root`) as messages name it: "the repository ROOT", or outside any "the project root
    ROOT"."""
    return f"{'the repository' if repository_top(root) is not None else 'the project root'} {root}"


def _normalised(raw: str | os.PathLike[str]) -> str:
    """``str(Path(raw))``: a name with no empty or ``.`` part (``a/b.yaml``, ``/x/a.yaml``) is already that, and a
    thousand named files need no thousand Path objects to say so (POSIX only: elsewhere Path decides)."""
    if isinstance(raw, str) and os.sep == "/" and os.altsep is None:
        parts = raw[1:].split("/") if raw[:1] == "/" and raw[1:2] != "/" else raw.split("/")
        if all(parts) and "." not in parts:
            return raw
    return str(Path(raw))


def _mode(path: str) -> int | None:
    """The file mode of ``path`` (symlinks followed), None when it does not exist (os.path.exists's answer)."""
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return None


def _absolute_path_function() -> Callable[[str], str]:
    """``os.path.abspath``, asking for the working directory once per collect (not once per file) where that is
    all abspath does (POSIX: the path joined onto it, normalised).

    A relative path with no empty, ``.`` or ``..`` part (``plays/a.yaml``; nothing starts with a dot) is the
    working directory, a slash and itself: normalising it changes nothing (a thousand named files, a thousand
    joins and normalisations saved)."""
    cwd: list[str] = []  # asked for at the first relative path, as abspath would; then that with a slash after it

    def absolute(path: str) -> str:
        if os.name != "posix" or path[:1] == "/":  # (isabs, on POSIX)
            return os.path.abspath(path)
        if not cwd:
            cwd.append(os.getcwd())
            cwd.append(cwd[0].rstrip("/") + "/")
        if path and path[:1] != "." and "/." not in path and "//" not in path and path[-1:] != "/":
            return cwd[1] + path
        return os.path.normpath(os.path.join(cwd[0], path))

    return absolute


def _real_path_function() -> Callable[[str], str]:
    """``os.path.realpath`` of an absolute path, resolving each folder once per collect: a file that is not a link
    is its folder's real path joined with its name (one ``lstat``), so a walk of a thousand files costs a thousand
    ``lstat``, not one per path component of each."""
    folders: dict[str, str] = {}

    def real(absolute: str) -> str:
        if os.path.islink(absolute):
            return os.path.realpath(absolute)
        folder, name = os.path.split(absolute)
        found = folders.get(folder)
        if found is None:
            found = folders[folder] = os.path.realpath(folder)
        return os.path.join(found, name)

    return real


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The lintable files named or under the directories and globs named (see :func:`collect`)."""
    return collect(paths).files


STATE_DIR = ".graphc"  # at a project's root: the ledger and the lint cache


def ensure_private_dir(directory: str | os.PathLike[str]) -> bool:
    """Make ``directory`` (and missing parents) if it does not exist: readable by its owner only (0700), and a
    new ``.graphc/`` gets a ``.gitignore`` of ``*`` so nothing in it is committed. True when it was made here.

    Every maker of ``.graphc/`` (the ledger, the lint cache) comes here, so the folder is the same whichever
    makes it first (docs/submitting.md, "The ledger": a new `.graphc/` is 0700 with a `.gitignore`).
    """
    directory = Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        if not directory.is_dir():  # a file where the folder should be (/dev/null/x.sqlite): say that, not "exists"
            raise NotADirectoryError(errno.ENOTDIR, f"{directory} is not a directory", str(directory)) from None
        return False
    if directory.name == STATE_DIR:
        (directory / ".gitignore").write_text("*\n")
    return True


def linked_state_part(*paths: str | os.PathLike[str]) -> Path | None:
    """The first of ``paths`` (files or folders of graphc's state), or of the ``.graphc`` folder one is in, that
    is a symbolic link (dangling or not); None when none is.

    graphc's state (the lint cache, the submission ledger) is never read or written through a link: a repository
    may hold one (committed, or made by a checkout) pointing anywhere, outside it, where graphc would then write,
    truncate or delete, or whose planted records it would read (audit cfgsec 6). Only these parts are looked at:
    the folders above ``.graphc`` are the project's, where the person running graphc put it.
    """
    for path in map(Path, paths):
        for part in (path.parent, path) if path.parent.name == STATE_DIR else (path,):
            if os.path.islink(part):
                return part
    return None


class LinkedOutput(OSError):
    """An ``-o FILE`` that is a symbolic link graphc does not write through (:func:`open_output_file`); its
    ``strerror`` says so, whole."""


def output_link_problem(path: str | os.PathLike[str]) -> str | None:
    """Why graphc does not write the ``-o FILE`` ``path``, or None when it may.

    A symbolic link at ``path`` (:func:`linked_state_part`: graphc's state refuses one for the same reason) whose
    final target is a regular file, a folder or nothing (dangling, a loop) is not written through: a repository
    may hold one (a committed ``plan.json`` or ``out.sarif``) pointing anywhere outside it, whose target a CI step
    would truncate and overwrite, or create (audit sec29 4). A link to a character device, a FIFO or a socket is
    written (``-o /dev/stdout``, ``/dev/null``, ``/proc/self/fd/N``), and so is one to the file this process has
    as its stdout or stderr (``-o /dev/stdout > out.json``): those are the streams the person running graphc
    chose. Only ``path`` itself (and a ``.graphc`` folder it is in) is looked at: its other folders are where the
    person running graphc asked for the file."""
    if linked_state_part(path) is None:
        return None
    try:
        info: os.stat_result | None = os.stat(path)
    except (OSError, ValueError):
        info = None
    if info is not None and (not (S_ISREG(info.st_mode) or S_ISDIR(info.st_mode)) or _is_own_stream(info)):
        return None
    return _linked_output(path)


def _linked_output(path: str | os.PathLike[str]) -> str:
    return (
        f"{os.fspath(path)} is a symbolic link; graphc does not write through links (a repository may hold one "
        "pointing outside it): remove it, or name the file it points to"
    )


def _is_own_stream(info: os.stat_result) -> bool:
    """Whether ``info`` is the file this process's stdout or stderr is."""
    for fd in (1, 2):
        try:
            own = os.fstat(fd)
        except OSError:
            continue
        if (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino):
            return True
    return False


def open_output_file(path: str | os.PathLike[str], mode: int = 0o666) -> tuple[int, bool]:
    """(a descriptor of ``path`` opened to write, created or emptied; whether it was reached through a link): the
    one way every ``-o FILE`` is opened (report, graph, picture, playbook, plan).

    :class:`LinkedOutput`, nothing opened, for a link :func:`output_link_problem` refuses. Any other file is
    opened with ``O_NOFOLLOW``, so a link made at ``path`` after that check is refused too (``ELOOP``) rather than
    followed. A link that may be written (to a device, a FIFO, this process's stdout) is opened through, without
    truncating, and what was opened is checked again: a regular file there (the link changed meanwhile) is
    refused, unless it is this process's stdout or stderr, which is then emptied as any ``-o`` file is."""
    problem = output_link_problem(path)
    if problem is not None:
        raise LinkedOutput(errno.ELOOP, problem, os.fspath(path))
    if not os.path.islink(path):
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), mode), False
        except OSError as exc:
            if exc.errno != errno.ELOOP or not os.path.islink(path):
                raise
            raise LinkedOutput(errno.ELOOP, _linked_output(path), os.fspath(path)) from None
    fd = os.open(path, os.O_WRONLY)
    try:
        info = os.fstat(fd)
        if S_ISREG(info.st_mode):
            if not _is_own_stream(info):  # (the link was changed since the check)
                raise LinkedOutput(errno.ELOOP, _linked_output(path), os.fspath(path))
            os.ftruncate(fd, 0)
    except BaseException:
        os.close(fd)
        raise
    return fd, True


def git_tracked(folder: str | os.PathLike[str], *relatives: str) -> str | None:
    """The first of ``relatives`` (POSIX paths in ``folder``) that git tracks, itself or anything under it; None
    when git tracks none of them (or there is no repository).

    graphc's state (the lint cache, the submission ledger) is kept out of git by ``.graphc/.gitignore``; one that
    git tracks anyway (``git add -f``) came with the checkout, and a pull request may have chosen what it holds:
    a cache's verdicts, a ledger's runs (audit sec16 1). Both ask here.

    Read from the index of the repository holding ``folder`` (the nearest folder at or above it with ``.git``: a
    folder, or a file naming the git directory of a worktree or submodule). An index of version 2 or 3 holds
    every tracked path whole, each at the start of an entry whose flags give its length: a path found there,
    whole (ending in NUL) or as a folder (``/`` after it), is tracked, and the same words inside a longer path (a
    nested project's ``.graphc``) are not. Version 4 compresses paths, and then ``git ls-files`` is asked. No
    repository, or an index that cannot be read: nothing tracked.
    """
    here = Path(folder)
    top = repository_top(here)
    if top is None:
        return None
    dot_git = top / ".git"
    inside = here.relative_to(top).as_posix()
    wanted = {relative: ("" if inside == "." else inside + "/") + relative.strip("/") for relative in relatives}
    try:
        git_dir = dot_git
        if dot_git.is_file():  # a worktree or submodule: `gitdir: PATH`
            pointer = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if not pointer.startswith("gitdir:"):
                return None
            git_dir = (top / pointer[len("gitdir:") :].strip()).resolve()
        with open(git_dir / "index", "rb") as index:
            header = index.read(12)
            if header[:4] != b"DIRC":
                return None
            if int.from_bytes(header[4:8], "big") in (2, 3):
                import mmap  # deferred: only a project in a git repository

                with mmap.mmap(index.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    return next((r for r, path in wanted.items() if _indexed(data, path.encode())), None)
    except (OSError, ValueError):
        return None
    import subprocess  # deferred: only an index of version 4

    for relative, path in wanted.items():
        try:
            listed = subprocess.run(
                ["git", "--literal-pathspecs", "-C", str(top), "ls-files", "-z", "--", path],
                capture_output=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if listed.stdout.strip(b"\0"):
            return relative
    return None


def repository_top(folder: str | os.PathLike[str]) -> Path | None:
    """The nearest folder at or above ``folder`` holding ``.git`` (a folder, or a file naming the git directory
    of a worktree or submodule): the top of the repository ``folder`` is in; None outside any."""
    here = Path(folder)
    return next((top for top in (here, *here.parents) if os.path.lexists(top / ".git")), None)


def git_paths(top: Path, *command: str) -> frozenset[str] | None:
    """The paths ``git -C top COMMAND -z`` prints (a command that lists paths relative to ``top``, such as
    ``ls-files`` or ``diff --name-only``), as POSIX text; None when git cannot answer: no ``git`` on PATH, ``top``
    not a repository git recognises, a failure or a timeout.

    Only the repository at ``top`` is asked: git does not look above it for another (a ``.git`` it does not
    recognise there is no repository). The environment is passed on as it is, so inside a git hook git's
    ``GIT_INDEX_FILE`` (the index of the commit being made, with ``git commit -a`` a temporary one) is the one read.
    """
    import subprocess  # deferred: only lint --dependants asks git

    env = {**os.environ, "GIT_CEILING_DIRECTORIES": os.fspath(top.parent)}
    try:
        listed = subprocess.run(
            ["git", "--literal-pathspecs", "-C", os.fspath(top), *command, "-z"],
            capture_output=True,
            env=env,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if listed.returncode != 0:
        return None
    return frozenset(os.fsdecode(path) for path in listed.stdout.split(b"\0") if path)


def _indexed(data: mmap.mmap, path: bytes) -> bool:
    """Whether an entry of the index ``data`` (version 2 or 3) is ``path`` or a path under it."""
    for needle in (path + b"\0", path + b"/"):
        at = data.find(needle)
        while at >= 4:  # (an entry's path starts after the 12 bytes of the header and its own fields)
            end = data.find(b"\0", at)
            length = min((end if end != -1 else len(data)) - at, 0xFFF)  # the flags hold 0xFFF for a longer path
            flags = int.from_bytes(data[at - 2 : at], "big")
            # version 3: an entry whose flags have 0x4000 has two bytes of extended flags before its path
            before = int.from_bytes(data[at - 4 : at - 2], "big")
            if flags & 0xFFF == length or (before & 0x4000 and before & 0xFFF == length):
                return True
            at = data.find(needle, at + 1)
    return False


CONFIG_FILE = "graphc.toml"
PYPROJECT = "pyproject.toml"


def find_project_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The project ``start`` (a file or directory; default: the working directory) belongs to.

    The nearest ancestor of its real path (symbolic links resolved) holding ``graphc.toml``, a
    ``pyproject.toml`` with a ``[tool.graphc]`` table, or ``.git``; else the start directory itself (real).
    Like ruff, a ``pyproject.toml`` that does not mention graphc does not end the walk. A file that does not
    exist (stdin named by ``--stdin-filename``, an editor's unsaved buffer) is placed by its folder.

    This is the one answer for every command (lint, compile, plan, submit, run, graph, the API): the root
    confines ``use:`` and its config (:func:`graphc.config.config_at`) gives the market facts and rule levels.
    The real path is the one that counts, so a playbook reached through a linked folder is in the project of
    the folder it really is in, whichever spelling names it, and a link cannot widen a project: a file linked
    in from outside keeps its own (docs/playbooks.md "Market facts and graphc.toml"; audit cfgsec.md #3).
    """
    here = real_path(Path(start) if start is not None else Path.cwd())
    # os.path's tests, not Path's: they answer False for every OSError, where Path.is_dir raises ENAMETOOLONG
    # (a `--stdin-filename` or `use:` over NAME_MAX must be a diagnostic, not a crash: audit cfgsec 2)
    if not os.path.isdir(here):
        here = here.parent
    for directory in (here, *here.parents):
        if _holds_project_marker(directory):
            return directory
    return here


def _holds_project_marker(directory: Path) -> bool:
    """Does ``directory`` hold ``graphc.toml``, ``.git`` or a ``pyproject.toml`` with ``[tool.graphc]``?"""
    if is_config_entry(directory / CONFIG_FILE) or os.path.exists(directory / ".git"):
        return True
    pyproject = directory / PYPROJECT
    return os.path.isfile(pyproject) and declares_graphc(pyproject)


def is_config_entry(path: Path) -> bool:
    """Whether ``path`` (a ``graphc.toml``) is its folder's config: a regular file, or a name there that cannot be
    read as one, a symbolic link to nothing (a shared folder not checked out), a loop or a folder, which the config
    reader then refuses (GC100), never passed over as if absent: its settings would vanish without a word (audit
    config26 5). A named FIFO or a device is passed over (docs/robustness.md): it is never opened."""
    mode, _ = _stat_mode(path)  # (links followed)
    if mode is not None:
        return S_ISREG(mode) or S_ISDIR(mode)
    return os.path.lexists(path)  # a link to nothing, a loop: the name is there


def outermost_project_root(start: str | os.PathLike[str]) -> Path:
    """The outermost project root whose playbooks may ``use:`` a file at ``start``: where a search for them begins.

    ``use:`` confines a path to the project root of the playbook that has it (:func:`find_project_root`), so a
    file can be used from its own project and from every project enclosing it: a template in a folder with a
    ``graphc.toml`` of its own is inside the root of the project around that folder too. This climbs from
    ``start``'s project root through the enclosing ones and stops at the repository's top (a root holding
    ``.git``), never above it. A folder with no marker is not climbed past (outside a repository, only folders
    that declare a project are), so the search never walks the disk above the projects (docs/templates.md).
    """
    root = find_project_root(start)
    while _holds_project_marker(root) and not os.path.exists(root / ".git") and root.parent != root:
        enclosing = find_project_root(root.parent)
        if not _holds_project_marker(enclosing):
            break  # no project above: root.parent was given back as the project of its own
        root = enclosing
    return root


def real_path(path: Path) -> Path:
    """``path`` absolute with its symbolic links resolved (as far as it exists); only absolute when that fails
    (a link loop, a name too long)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


def resolved_path(path: str | os.PathLike[str]) -> str | None:
    """The path ``path`` resolves to now (``os.path.realpath``: symlinks followed, as ``Path.resolve`` does); None
    when it cannot be worked out. The lint cache records it for each file a compile reads (graphc/cache.py)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


# A line that may open or set the `tool.graphc` table: `[tool.graphc]`, `[tool.graphc.rules]`, a dotted
# `tool.graphc.x =`, a `graphc =` inside `[tool]`, or an inline `tool = {...}`. A pyproject that names graphc
# only elsewhere (a dependency) is not parsed; one that matches is, and the parse decides.
_MAY_DECLARE_GRAPHC = (  # `[ \t]`, never `\s`: no part crosses a line break (a TOML key never does), so a run of
    # blank lines is not scanned again from each of its lines (quadratic: audit config26 1)
    r"""^[ \t]*(?:\[[ \t]*)*["']?tool["']?[ \t]*\.[ \t]*["']?graphc["']?[ \t]*[\].=]"""  # [tool.graphc...], tool.graphc... =
    r"""|^[ \t]*\[[ \t]*["']?tool["']?[ \t]*\][^\n]*(?:\n(?![ \t]*\[)[^\n]*)*?\n[ \t]*["']?graphc["']?[ \t]*[.=]"""  # in [tool]
    r"""|^[ \t]*["']?tool["']?[ \t]*="""  # tool = {...}
)


class TomlTooDeep(ValueError):
    """A TOML text nested deeper than ``MAX_DEPTH`` levels (the document's table is the first), as the YAML loader
    refuses one (GC100, docs/robustness.md); ``line``/``col``: the opening that goes past the limit (1:1 when it
    is not found: a table nested through dotted keys)."""

    def __init__(self, line: int, col: int):
        super().__init__(f"nesting deeper than {MAX_DEPTH} levels")
        self.line, self.col = line, col

    HINT = "flatten the value"


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)`` under the nesting limit every input has: raises ``tomllib.TOMLDecodeError`` for a
    syntax error and :class:`TomlTooDeep` for a document nested deeper than ``MAX_DEPTH`` levels, never the
    RecursionError tomllib's recursive parser meets a few hundred levels down (audit config26 2). The one parse
    of every TOML graphc reads: graphc.toml, ``[tool.graphc]``, ``--config``."""
    import tomllib  # deferred: start-up stays lean for projects without a config

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise _too_deep(text) from None
    if _toml_depth(data) > MAX_DEPTH:
        raise _too_deep(text)
    return data


def _toml_depth(data: dict[str, Any]) -> int:
    """How deep ``data`` (a parsed TOML document) nests: 1 for a document of plain values; no recursion."""
    deepest = 0
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))
    return deepest


# What can hold a bracket that is not one: strings (multi-line first) and comments; and the brackets themselves.
_TOML_BRACKETS = (  # compiled by re when used: only a document nested too deep is searched
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\']|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]'
)


def _too_deep(text: str) -> TomlTooDeep:
    """:class:`TomlTooDeep` at the first ``[`` or ``{`` of ``text`` that opens a level past ``MAX_DEPTH`` (the
    document's table being the first level), or at 1:1 when brackets alone do not go that deep."""
    depth = 1
    for token in re.finditer(_TOML_BRACKETS, text):
        mark = token.group()
        if mark in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = line_and_column(text, token.start())
                return TomlTooDeep(line, col)
        elif mark in "]}":
            depth = max(1, depth - 1)
    return TomlTooDeep(1, 1)


def declares_graphc(pyproject: Path) -> bool:
    """Whether a pyproject.toml has a ``[tool.graphc]`` table (a broken one that names it counts).

    One over ``MAX_FILE_BYTES`` is never parsed: it counts when its first ``MAX_FILE_BYTES`` name graphc's table,
    and the config reader then reports it too big (GC100)."""
    if os.path.islink(pyproject) and leaves_root(pyproject, link_root(pyproject.parent, config=True)):
        return False  # never read (docs/robustness.md): a link out of its repository is no project's config
    try:
        text = read_source(pyproject)
    except UnicodeDecodeError as exc:
        # not UTF-8: decided from its bytes (read as Latin-1, where every byte is a character), so a project's
        # [tool.graphc] is its config and the reader's GC100 at the bad byte, not passed over for an enclosing
        # project's (audit config26 6)
        raw = exc.object if isinstance(exc.object, bytes) else bytes(exc.object)
        text = raw.decode("latin-1")
    except OSError:
        return False
    if "graphc" not in text or not re.search(_MAY_DECLARE_GRAPHC, text, re.M):
        return False  # no TOML parse for the many that never mention graphc, or only as a dependency
    if too_big(text):
        return True
    try:
        data = parse_toml(text)
    except ValueError:  # a syntax error (tomllib.TOMLDecodeError), nested too deep (TomlTooDeep)
        return "tool.graphc" in text  # broken, but meant for us: the config reader reports it
    tool = data.get("tool")
    return isinstance(tool, dict) and "graphc" in tool


# Inside read_once(): what read_source gave for each file (by its real path and the flags): the text, or the error
# it raised, and the file's state then (file_state's words).
_READ_ONCE: ContextVar[dict[tuple[str, bool, bool], tuple[str | Exception, str]] | None] = ContextVar(
    "read_once", default=None
)
# Inside recording(): what read_source and stat_source found of each file.
_SEEN: ContextVar[Seen | None] = ContextVar("seen", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """While it lasts, :func:`read_source` reads each file from disk once: a later read of the same file (by its
    real path) gives the same text, or raises the same error, whatever happened to the file meanwhile. ``graphc
    run`` makes each occurrence in one (docs/recurring.md, "Edits while a loop runs"): its playbook, templates,
    params file and config are read as they were when the occurrence began, once each, so the graph sent after a
    settle (rendered again, with quotes read again) comes from the same files as the one linted before it."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


class Seen:
    """The state of each file :func:`read_source` read or :func:`stat_source` looked at while :func:`recording`
    lasted, by its real path then, as :func:`file_state` words it, taken from what was read: the lint cache keeps
    these, never a digest made by reading the file again when it stores the result (audit cache21 1)."""

    def __init__(self) -> None:
        self._states: dict[str, str | None] = {}

    def note(self, real: str, state: str) -> None:
        """One look at the file ``real``. A read's content supersedes a look that found a regular file there;
        two looks that disagree (the file changed during the run) leave its state unknown."""
        before = self._states.get(real, state)
        if before == state or (before == REGULAR and state.startswith(_CONTENT)):
            self._states[real] = state
        elif not (state == REGULAR and before is not None and before.startswith(_CONTENT)):
            self._states[real] = None

    def state(self, real: str | None) -> str | None:
        """What decided the result of the file ``real``: its content as read, or why there was none (missing, a
        folder, a FIFO, an error); None when it is not known: not looked at, only found to be a regular file
        (its size or its place decided, not its content), or seen to change."""
        state = self._states.get(real) if real is not None else None
        return None if state == REGULAR else state


@contextmanager
def recording() -> Iterator[Seen]:
    """While it lasts, each file :func:`read_source` reads or :func:`stat_source` looks at is noted in the
    :class:`Seen` it gives."""
    seen = Seen()
    token = _SEEN.set(seen)
    try:
        yield seen
    finally:
        _SEEN.reset(token)


REGULAR = "a regular file"  # a file's state when only its type was looked at


def stat_source(path: str | os.PathLike[str]) -> tuple[int | None, OSError | None]:
    """``(st_mode, None)`` of ``path`` (symlinks followed), or ``(None, the error)``: every OSError, not only the
    ENOENT that ``Path.is_file`` hides (``(None, None)``: a name this system cannot hold). Inside
    :func:`recording`, what it found is noted."""
    mode, error = _stat_mode(path)
    seen = _SEEN.get()
    if seen is not None:
        with suppress(OSError, ValueError):
            seen.note(os.path.realpath(path), file_state(mode=mode, error=error))
    return mode, error if isinstance(error, OSError) else None


def read_source(path: str | os.PathLike[str], *, pipe_ok: bool = False, keep_bom: bool = False) -> str:
    """Read a file as UTF-8 (BOM allowed; ``keep_bom``: kept as the text's first character, for ``graphc fmt`` to
    write back). Raises OSError / UnicodeDecodeError. Inside :func:`read_once`, a file is read once; inside
    :func:`recording`, its state as read is noted (the digest of the bytes read, or why none were).

    A file over ``MAX_FILE_BYTES`` is not read in full: only a prefix just over
    the limit is returned, which :func:`load_text` rejects (GC100) unparsed.
    ``pipe_ok``: the operator's own pipe is read too (to its end, or the limit), for a file the person running
    graphc names in an option (``--quotes <(fetch)``), never for one a repository can name (a playbook, a
    template, a file a walk found); see :func:`open_source`.
    """
    snapshot, seen = _READ_ONCE.get(), _SEEN.get()
    if snapshot is None and seen is None:
        return _read_source(path, pipe_ok, keep_bom)
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):  # (a NUL in the name): read as outside the scope, to fail as it does there
        return _read_source(path, pipe_ok, keep_bom)
    key = (real, pipe_ok, keep_bom)
    found = snapshot.get(key) if snapshot is not None else None
    if found is None:
        found = _read_with_state(path, pipe_ok, keep_bom)
        if snapshot is not None:
            snapshot[key] = found
    text, state = found
    if seen is not None:
        seen.note(real, state)
    if isinstance(text, Exception):
        raise text
    return text


def _read_with_state(path: str | os.PathLike[str], pipe_ok: bool, keep_bom: bool) -> tuple[str | Exception, str]:
    """(the text, or the error read_source raises; the file's state: :func:`file_state` of the bytes read)."""
    try:
        raw = _read_raw(path, pipe_ok)
    except OSError as exc:
        return exc, file_state(error=exc)
    state = file_state(content=raw)
    try:
        return decode_source(raw, keep_bom=keep_bom), state
    except UnicodeDecodeError as exc:
        return exc, state


def _read_source(path: str | os.PathLike[str], pipe_ok: bool, keep_bom: bool) -> str:
    return decode_source(_read_raw(path, pipe_ok), keep_bom=keep_bom)


def _read_raw(path: str | os.PathLike[str], pipe_ok: bool) -> bytes:
    # The usual case, a file within the limit, is read with the os calls alone: no file objects, no buffer (a lint
    # reads a thousand small files); an empty or too big one, or a pipe, reads at most the limit + 4 bytes.
    fd, info = open_source(path, pipe_ok=pipe_ok)
    try:
        raw = _read_to_end(fd, info.st_size) if S_ISREG(info.st_mode) and 0 < info.st_size <= MAX_FILE_BYTES else None
        if raw is None:
            if not S_ISREG(info.st_mode):
                os.set_blocking(fd, True)  # the operator's own pipe: read until its writer is done
            with open(fd, "rb", closefd=False) as fh:
                # read(n) allocates n bytes up front: ask for the limit only when the file is too big (or empty)
                raw = fh.read(MAX_FILE_BYTES + 4)
    finally:
        os.close(fd)
    return raw


_CONTENT = "sha256:"  # a file's state when it was read: the SHA-256 of its bytes as read


def file_state(
    *, content: bytes | None = None, mode: int | None = None, error: OSError | ValueError | None = None
) -> str:
    """A file's state as :class:`Seen` notes it and the lint cache compares it: ``sha256:<hex>`` of the bytes read
    (text or not: two files that are not UTF-8 differ by content), or, where there are none, what was there
    instead: ``a directory``, ``a named pipe (FIFO)``... (:func:`file_kind`; ``a regular file``: looked at, not
    read), or the error (``error ENOENT``, ``error EACCES``...)."""
    if content is not None:
        import hashlib  # deferred: only a run that keeps what it read hashes it

        return _CONTENT + hashlib.sha256(content).hexdigest()
    if isinstance(error, NotRegularFile):
        return error.kind
    if error is None and mode is not None:
        return file_kind(mode)
    number = getattr(error, "errno", None)
    return f"error {errno.errorcode.get(number, number) if number is not None else type(error).__name__}"


def read_digest(state: str | None) -> str | None:
    """The SHA-256 (hex) of the bytes read, from a file's state as :class:`Seen` noted it (:func:`file_state`), or
    None when no bytes were read."""
    return state[len(_CONTENT) :] if state is not None and state.startswith(_CONTENT) else None


def source_state(path: str | os.PathLike[str]) -> str:
    """The state of ``path`` now, as :func:`read_source` would find it (:func:`file_state`): a regular file is
    read (to the limit, as read_source reads it), anything else only looked at. The lint cache compares it with
    the state a compile saw."""
    mode, error = _stat_mode(path)
    if mode is None or not S_ISREG(mode):
        return file_state(mode=mode, error=error)
    try:
        return file_state(content=_read_raw(path, False))
    except OSError as exc:
        return file_state(error=exc)


def _stat_mode(path: str | os.PathLike[str]) -> tuple[int | None, OSError | ValueError | None]:
    try:
        return os.stat(path).st_mode, None
    except (OSError, ValueError) as exc:
        return None, exc


class FileTooBig(OSError):
    """A file over ``MAX_FILE_BYTES`` that is read whole or not at all (a config file): :func:`read_whole_source`."""


def too_big(text: str) -> bool:
    """Whether ``text``, as :func:`read_source` returned it, is the prefix of a file over ``MAX_FILE_BYTES``
    (encoded only when it may be: a prefix just over the limit loses at most 3 bytes to a cut character)."""
    return len(text) * 4 > MAX_FILE_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES


def read_whole_source(path: str | os.PathLike[str]) -> str:
    """:func:`read_source` for a file that is no use in part (a config file): :class:`FileTooBig`, an OSError,
    for one over ``MAX_FILE_BYTES``, read no further than the limit and never parsed."""
    text = read_source(path)
    if too_big(text):
        raise FileTooBig(errno.EFBIG, f"it is larger than {MAX_FILE_BYTES:,} bytes (GRAPHC_MAX_FILE_BYTES)", str(path))
    return text


def check_option_file(path: str | os.PathLike[str]) -> None:
    """Raise OSError / UnicodeDecodeError when ``path``, a file the operator named in an option (``--params``),
    cannot be read as text: missing, a directory, a device or a named FIFO (:class:`NotRegularFile`), not UTF-8.

    Unreadable input is a usage error, exit 2 (playbook-spec.md §8), found before any playbook is checked, not a
    finding in each one (audit cfgsec 7). The operator's own pipe (``--params <(make-params)``) is opened, not
    read: reading would use it up before the compile reads it.
    """
    fd, info = open_source(path, pipe_ok=True)
    os.close(fd)
    if S_ISREG(info.st_mode):
        read_source(path)


def option_file_problem(kind: str, path: str | os.PathLike[str]) -> str | None:
    """The usage error for ``path``, the ``kind`` file (``params``, ``quotes``) the operator named in an option,
    when :func:`check_option_file` finds it cannot be read (``cannot read params file f.yaml: it is a named pipe
    (FIFO), not a regular file``); None when it can. Each command that takes such a file says this, exit 2, before
    any playbook is checked (review15 3)."""
    try:
        check_option_file(path)
    except UnicodeDecodeError:
        return f"cannot read {kind} file {path}: not UTF-8"
    except OSError as exc:
        return f"cannot read {kind} file {path}: {exc.strerror or exc}"
    return None


def open_source(path: str | os.PathLike[str], *, pipe_ok: bool = False) -> tuple[int, os.stat_result]:
    """``path`` opened to be read (non-blocking; the caller closes the descriptor), and its stat; NotRegularFile
    (an OSError) when it is not a regular file, or with ``pipe_ok`` the operator's own pipe. The one gate every
    input file passes (:func:`read_source`, and a caller that only looks at a file's head or that it opens).

    Only a regular file is read: a FIFO with no writer blocks open() for ever, a symlink to /dev/stdin blocks
    read() while stdin is held open, /dev/zero never ends. The type is checked before opening (a device is never
    opened) and again on the open file (it may have been swapped meanwhile); O_NONBLOCK keeps even that open
    from waiting. ``pipe_ok`` lets through a pipe that has no name in a folder: the one a shell hands over as
    ``/dev/fd/N`` for a process substitution (``--quotes <(fetch-quotes)``), whose writer the operator started.
    A FIFO made with ``mkfifo`` has a name, and no one may ever write to it: refused like a device.
    """
    mode = os.stat(path).st_mode
    if not (pipe_ok and _stat.S_ISFIFO(mode)):
        _check_regular(path, mode)
    fd = os.open(path, os.O_RDONLY | _O_BINARY | _O_NONBLOCK | _O_NOCTTY)
    try:
        info = os.fstat(fd)
        if not (pipe_ok and _stat.S_ISFIFO(info.st_mode) and not _has_a_name(path, info)):
            _check_regular(path, info.st_mode)
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def _has_a_name(path: str | os.PathLike[str], info: os.stat_result) -> bool:
    """Whether the pipe open as ``info`` is an entry in a folder (a FIFO made with ``mkfifo``) rather than one a
    process handed over: ``/dev/fd/N`` resolves to ``pipe:[N]`` on Linux, which no folder holds (macOS's
    ``/dev/fd`` is no symlink: a name there is a descriptor too)."""
    real = os.path.realpath(path)
    if real.startswith("/dev/fd/"):
        return False
    try:
        entry = os.lstat(real)
    except OSError:
        return False
    return (entry.st_dev, entry.st_ino) == (info.st_dev, info.st_ino)


def regular_file_identity(path: str | os.PathLike[str]) -> tuple[int, int]:
    """``(device, inode)`` of the regular file at ``path``, for a caller that hands the path to a library that
    opens it (SQLite) to check that it opened that file. Raises OSError: :class:`NotRegularFile` for anything
    but a regular file (looked at before opening: a device is never opened; a symbolic link is one), ELOOP for a
    link made meanwhile (opened with ``O_NOFOLLOW``; ``O_NONBLOCK``: a FIFO does not wait for a writer)."""
    _check_regular(path, os.lstat(path).st_mode)
    fd = os.open(path, os.O_RDONLY | _O_BINARY | _O_NONBLOCK | _O_NOCTTY | _O_NOFOLLOW)
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    _check_regular(path, info.st_mode)
    return info.st_dev, info.st_ino


_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # POSIX: a symbolic link as the path's last part is not followed
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO does not wait for a writer
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)  # POSIX: a terminal opened is never made the controlling one


class NotRegularFile(OSError):
    """A path that names something other than a regular file (a directory, a FIFO, a device, a socket): never
    read (see :func:`read_source`). Its ``strerror`` says what it is, and ``kind`` (:func:`file_kind`) too."""

    kind = "not a regular file"


_KINDS = (
    (_stat.S_ISDIR, "a directory"),
    (_stat.S_ISFIFO, "a named pipe (FIFO)"),
    (_stat.S_ISCHR, "a character device"),
    (_stat.S_ISBLK, "a block device"),
    (_stat.S_ISSOCK, "a socket"),
    (_stat.S_ISLNK, "a symbolic link"),
)


def file_kind(mode: int) -> str:
    """What a file of ``mode`` is, in words: ``a regular file``, ``a directory``, ``a named pipe (FIFO)``..."""
    if S_ISREG(mode):
        return "a regular file"
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _check_regular(path: str | os.PathLike[str], mode: int) -> None:
    if not S_ISREG(mode):
        kind = file_kind(mode)
        code = errno.EISDIR if S_ISDIR(mode) else errno.EINVAL
        error = NotRegularFile(code, f"it is {kind}, not a regular file", str(path))
        error.kind = kind
        raise error


def _read_to_end(fd: int, size: int) -> bytes:
    """Everything left in ``fd``, a file of ``size`` bytes: one read asks for a byte more than all of it, and a
    read of a regular file that gives less has met its end (a file that grew meanwhile is read on to its end, as
    ``read()`` does)."""
    chunks = []
    while chunk := os.read(fd, size + 1):
        chunks.append(chunk)
        if len(chunk) <= size:
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def replace_file(
    path: str | os.PathLike[str], data: bytes, *, expected: bytes | None = None, through_link: bool = False
) -> bool:
    """Write ``data`` to ``path`` whole or not at all: into a temporary file in its folder (``.tmp-*.tmp``: no walk
    takes it for a playbook), moved over it with ``os.replace``. A reader sees the old bytes or the new, and a write
    that fails (a full disk, a file-size limit) leaves the file as it was. The one way graphc rewrites a file
    (``graphc fmt``'s playbooks, the lint cache).

    A file already there keeps its permission bits (and, where the process may set them, its owner and group);
    one it may not write (its mode) is refused (``PermissionError``) as ``open(path, "w")`` would refuse it,
    although the folder would let it be replaced. ``through_link``: a symbolic link at ``path`` is kept and the
    file it leads to is written (else the link itself is replaced). ``expected``: the bytes the caller read;
    when the file no longer holds them just before it would be replaced (edited, replaced or removed meanwhile),
    nothing is written and False is returned. Any OSError is raised with the temporary file removed.
    """
    import tempfile  # deferred: only a run that writes a file needs it

    target = os.path.realpath(path) if through_link else os.fspath(path)
    try:
        info: os.stat_result | None = os.lstat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not S_ISREG(info.st_mode):
        info = None  # (a link being replaced, not written through): the new file is a file of its own
    if info is not None and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".tmp", dir=os.path.dirname(target) or os.curdir)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
        if info is not None:
            if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                with suppress(OSError):  # root keeps a user's file theirs; a user cannot give a file away
                    os.chown(temporary, info.st_uid, info.st_gid)
            os.chmod(temporary, _stat.S_IMODE(info.st_mode))  # after chown, which clears set-id bits
        if expected is not None:
            try:
                now = _read_raw(target, False)
            except OSError:
                now = None
            if now != expected:
                _remove_quietly(temporary)
                return False
        os.replace(temporary, target)
    except BaseException:
        _remove_quietly(temporary)
        raise
    return True


def _remove_quietly(path: str) -> None:
    with suppress(OSError):
        os.unlink(path)


def read_stdin(*, keep_bom: bool = False) -> str:
    """Standard input as :func:`read_source` reads a file (bytes decoded here, so GC112 can locate a bad one)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text-only stream (embedding, tests): already decoded
        return sys.stdin.read()
    return decode_source(stream.read(MAX_FILE_BYTES + 4), keep_bom=keep_bom)


def decode_source(raw: bytes, *, keep_bom: bool = False) -> str:
    """UTF-8 after an optional BOM, as the ``utf-8-sig`` codec decodes it (a bad byte's offset counts from after
    the BOM), without importing that codec at every start; ``keep_bom``: the BOM stays, as the text's ``\\ufeff``."""
    bom = raw[:3] == b"\xef\xbb\xbf"
    body = raw[3:] if bom else raw
    if len(raw) > MAX_FILE_BYTES:  # cutting a character loses at most 3 of the 4 extra bytes
        text = body.decode("utf-8", errors="ignore")
    else:
        text = body.decode("utf-8")
    return "\ufeff" + text if bom and keep_bom else text


UNREADABLE = "GC112"


def unreadable(path: str, exc: Exception) -> tuple[Diagnostic, str | None]:
    """GC112 for a file that cannot be read or is not UTF-8, and the text to show it with.

    A decoding error is located at the first bad byte (line:col counted in
    characters, like every other position); the text returned has the bad bytes
    replaced, so a code frame can show the line. A file that cannot be opened at
    all has no position and no text.
    """
    if isinstance(exc, UnicodeDecodeError):
        raw = exc.object if isinstance(exc.object, bytes) else bytes(exc.object)
        before = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = line_and_column(before, len(before))
        span = Span(line, col, line, col + 1)
        byte = raw[exc.start : exc.start + 1].hex().upper()
        message = f"the file is not UTF-8 text: byte 0x{byte} cannot be decoded ({exc.reason})"
        fix = "save the file as UTF-8 (most editors: File > Save with Encoding > UTF-8)"
        return Diagnostic(UNREADABLE, message, path, span, hint=fix), raw.decode("utf-8", errors="replace")
    why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    hint = "check the path and its permissions" if isinstance(exc, OSError) else None
    if isinstance(exc, NotRegularFile):
        hint = "graphc reads only regular files; to lint standard input, name `-`"
    return Diagnostic(UNREADABLE, f"cannot read the file: {why}", path, None, hint=hint), None


_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(path: str, text: str) -> Diagnostic | None:
    """GC112 at the first lone surrogate of ``text`` (given as text, not read from a file: ``graphc.lint_text``,
    ``graphc.compile_text``), which no UTF-8 holds: what ``errors="surrogateescape"`` (and ``sys.stdin`` under a C
    locale) makes of a byte that is not UTF-8. As :func:`unreadable` says of that byte in a file (spec §8); None when
    there is none (text of ASCII alone is not searched)."""
    found = None if text.isascii() else _SURROGATE.search(text)
    if found is None:
        return None
    line, col = line_and_column(text, found.start())
    code = ord(found.group())
    byte = f" (byte 0x{code - 0xDC00:02X} read with errors='surrogateescape')" if 0xDC80 <= code <= 0xDCFF else ""
    message = f"the file is not UTF-8 text: U+{code:04X} is a lone surrogate, which UTF-8 cannot encode{byte}"
    fix = "decode the file as UTF-8 (errors='strict'), or save it as UTF-8 (most editors: File > Save with Encoding)"
    return Diagnostic(UNREADABLE, message, path, Span(line, col, line, col + 1), hint=fix)


def display_path(path: str, base: str | None = None) -> str:
    """``path`` relative to ``base`` (default: cwd) when it lies under it, with ``/`` separators.

    Pseudo paths such as ``<stdin>`` are returned as they are.
    """
    if path.startswith("<") and path.endswith(">"):
        return path
    if os.path.isabs(path):
        base = os.path.abspath(base or os.getcwd())
        try:
            rel = os.path.relpath(path, base)
        except ValueError:  # another drive on Windows
            rel = path
        if not rel.startswith(os.pardir):
            path = rel
    else:
        path = os.path.normpath(path)
    return path.replace(os.sep, "/")
