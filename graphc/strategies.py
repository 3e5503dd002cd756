"""Hosted strategies without the Sequence CLI: ``graphc deploy`` and ``graphc strategy ...``.

The router's ``/v1/strategies`` endpoints (``../shared/reference/hosted-strategies.md``):
create + upload (``POST``, ``artifact_base64`` = the strategy directory as a
tar.gz), list, inspect, start, stop, delete, and logs. The directory is read
the way ``sequence strategy deploy DIR`` reads it: ``Sequence.toml`` gives
``[strategy] name/runtime``, ``[hosted] entrypoint``, ``[hosted.env]``,
``[hosted.secrets]``, ``[hosted.placement]`` and ``[hosted.resources]``.

Safety:

* deploying (and starting) is the submit of a hosted strategy: one that runs
  with ``GRAPHC_LIVE=1`` needs the command's ``--live`` (:func:`refuse_live`),
  no ``GRAPHC_*`` setting (``GRAPHC_LIVE`` above all) may hide in ``[hosted.secrets]``, and a graphc bundle is
  deployed only with the ``project/`` that ``graphc bundle`` checked
  (:func:`check_bundle`);
* the artifact is refused when any file in it contains the API key in use
  (``graphc bundle`` never writes one; a hand-edited directory might);
* the key the runner injects travels only in the create request's body
  (``sequence_api_key``), added by the client, never printed, and never to a
  loopback router;
* a create whose answer is lost is looked up by name and artifact hash before
  anyone tries again: two strategies running one schedule would still submit
  each occurrence once (run keys), but nobody wants two.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import stat
import tarfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graphc.api.errors import ApiError, ApiProtocolError, UncertainOutcome
from graphc.api.redact import clean
from graphc.files import TomlTooDeep, file_kind, open_source, parse_toml, read_whole_source
from graphc.vocabulary import STRATEGY_STATUSES

__all__ = [
    "BUNDLE_MARKER",
    "DeployError",
    "StrategyDir",
    "build_artifact",
    "check_bundle",
    "deploy",
    "env_trades_live",
    "find_strategy",
    "listed_id",
    "listed_live",
    "log_lines",
    "project_sha256",
    "read_strategy_dir",
    "refuse_live",
    "strategy_status",
    "unchecked_setting",
]

MAX_ARTIFACT_BYTES = 64 * 1024 * 1024
SKIPPED_NAMES = {"__pycache__", ".git", ".DS_Store"}
RESERVED_ENV_PREFIX = "SEQUENCE_"  # the runner's own variables: user env may not shadow them
BUNDLE_MARKER = "graphc-bundle.json"  # `graphc bundle` wrote this directory (and checked its project/)
SETTINGS_PREFIX = "GRAPHC_"  # graphc's own settings (graphc.run.hosted_settings): never sealed in secrets
LIVE_VARIABLE = "GRAPHC_LIVE"  # "1": the bundle's run may send a live graph (graphc.run.hosted_settings)
CHECKED_SETTINGS = ("GRAPHC_PLAYBOOK", "GRAPHC_SET", "GRAPHC_PARAMS")  # what is run: graphc bundle checked these
NOW_VARIABLE = "GRAPHC_NOW"  # the rehearsal clock of the bundle's run (graphc.run.hosted_settings)


class DeployError(Exception):
    """A refusal before anything was sent (exit 2), or a router answer to report (``exit_code``)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(clean(message, None))  # its text quotes the router's answers (names, ids, states)
        self.exit_code = exit_code


@dataclass
class StrategyDir:
    path: Path
    name: str
    entrypoint: str
    env: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)
    placement: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    @property
    def bundle(self) -> dict | None:
        """What ``graphc bundle`` recorded in graphc-bundle.json; None for a directory it did not write."""
        return self.manifest.get("graphc_bundle")

    def live_from(self, cli_env: dict) -> str | None:
        """Where the strategy's ``GRAPHC_LIVE=1`` comes from (``--env`` wins over Sequence.toml, as deploy sends
        them); None when it runs without it: then a graphc bundle cannot send a live graph."""
        if LIVE_VARIABLE in cli_env:
            return f"--env {LIVE_VARIABLE}=1" if env_trades_live(cli_env) else None
        return f'{LIVE_VARIABLE} = "1" in Sequence.toml\'s [hosted.env]' if env_trades_live(self.env) else None


def env_trades_live(env) -> bool:
    """Whether a strategy with this env may trade live: ``GRAPHC_LIVE`` is ``1``, as the bundle's run reads it."""
    return isinstance(env, Mapping) and env.get(LIVE_VARIABLE) == "1"  # a dict, or os.environ in the bundle


def read_strategy_dir(path) -> StrategyDir:
    """Read ``DIR/Sequence.toml``; DeployError says what is missing or wrong."""
    path = Path(path)
    toml_path = path / "Sequence.toml"
    try:
        # a regular file only (a FIFO is never opened: it blocked deploy for ever; audit hosted27 8), as graphc.toml
        # is read; nesting past the limit is TomlTooDeep, never a RecursionError
        data = parse_toml(read_whole_source(toml_path))
    except FileNotFoundError:
        raise DeployError(f"{path} has no Sequence.toml (write one with `graphc bundle PLAYBOOK -o {path}`)") from None
    except UnicodeDecodeError as exc:
        raise DeployError(f"cannot read {toml_path}: {exc}") from None
    except OSError as exc:
        raise DeployError(f"cannot read {toml_path}: {exc.strerror or exc}") from None
    except TomlTooDeep as exc:
        raise DeployError(
            f"{toml_path} is not valid TOML: {exc} (line {exc.line}, column {exc.col}); {exc.HINT}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise DeployError(f"{toml_path} is not valid TOML: {exc}") from None
    strategy, hosted = data.get("strategy"), data.get("hosted")
    if not isinstance(strategy, dict) or not isinstance(strategy.get("name"), str) or not strategy["name"].strip():
        raise DeployError(f'{toml_path}: [strategy] needs `name = "..."`')
    if strategy.get("runtime", "python") != "python":
        raise DeployError(f"{toml_path}: runtime must be 'python' (hosted strategies are Python only)")
    if not isinstance(hosted, dict) or not isinstance(hosted.get("entrypoint"), str):
        raise DeployError(f'{toml_path}: [hosted] needs `entrypoint = "main.py"`')
    entry = (path / hosted["entrypoint"]).resolve()
    if not entry.is_relative_to(path.resolve()) or not entry.is_file():
        raise DeployError(f"{toml_path}: entrypoint {hosted['entrypoint']!r} is not a file in {path}")

    def table(name) -> dict:
        value = hosted.get(name, {})
        if not isinstance(value, dict):
            raise DeployError(f"{toml_path}: [hosted.{name}] must be a table")
        return value

    env, secrets = _strings(table("env"), toml_path, "env"), _strings(table("secrets"), toml_path, "secrets")
    if LIVE_VARIABLE in secrets:  # sealed, never shown: the strategy would trade live while its env says "0"
        raise DeployError(
            f"{toml_path}: [hosted.secrets] {LIVE_VARIABLE}: the mode a strategy trades in must be visible; "
            "it belongs in [hosted.env] (`graphc bundle --live` writes it there)"
        )
    for key in secrets:  # sealed too: GRAPHC_NOW crash-looped a live runner, GRAPHC_SET changed what was bought
        if key.startswith(SETTINGS_PREFIX):
            raise DeployError(
                f"{toml_path}: [hosted.secrets] {key}: {SETTINGS_PREFIX}* names are graphc's settings, which decide "
                "what the strategy trades and when, so they must be visible (and checked before a deploy): move it "
                "to [hosted.env]"
            )
    manifest_path = path / BUNDLE_MARKER
    manifest = {}
    if manifest_path.is_file():
        try:
            marker = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            marker = None
        if not isinstance(marker, dict):
            raise DeployError(
                f"{manifest_path} is not graphc's (not a JSON object): write the bundle again with `graphc bundle`"
            )
        manifest = {"graphc_bundle": marker}
    return StrategyDir(
        path,
        strategy["name"].strip(),
        hosted["entrypoint"],
        env,
        secrets,
        table("placement"),
        table("resources"),
        manifest,
    )


def _strings(values: dict, where: Path, name: str) -> dict:
    out = {}
    for key, value in values.items():
        problem = env_name_problem(key, value if isinstance(value, str) else "")
        if problem is not None:
            raise DeployError(f"{where}: [hosted.{name}] {problem}")
        if key.startswith(RESERVED_ENV_PREFIX):
            raise DeployError(f"{where}: [hosted.{name}] {key}: SEQUENCE_* names are the runner's own")
        if not isinstance(value, (str, int, float, bool)):
            raise DeployError(f"{where}: [hosted.{name}] {key} must be a string")
        out[key] = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
    return out


def env_name_problem(key: str, value: str = "") -> str | None:
    """Why ``key`` cannot name an environment variable of the strategy's process (empty, or holding ``=`` or NUL),
    or ``value`` cannot be one's value (holding NUL), or None: refused before anything is sent, as the router would
    refuse it (audit hosted27 9)."""
    shown = clean(repr(key), 80)
    if not key or "=" in key or "\0" in key:
        return f"{shown}: not an environment variable name (empty, or holding '=' or a NUL character)"
    if "\0" in value:
        return f"{shown}: its value holds a NUL character, which no environment variable can hold"
    return None


def project_sha256(path) -> str:
    """The SHA-256 of a bundle's ``project/`` as it is uploaded: each file's path and content, in path order.

    ``graphc bundle`` records it in graphc-bundle.json once the bundle has proved itself; :func:`check_bundle`
    compares it before a deploy."""
    path = Path(path)
    digest = hashlib.sha256()
    for file, size in _sized_files(path):
        name = file.relative_to(path).as_posix().encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name + size.to_bytes(8, "big"))
        for chunk in _chunks(path, file, size):  # never the whole file in memory (audit hosted27 3)
            digest.update(chunk)
    return digest.hexdigest()


def check_bundle(sdir: StrategyDir, env: dict | None = None) -> str | None:
    """A graphc bundle is deployed only as ``graphc bundle`` checked it: its ``project/`` (the playbook, templates,
    params and config) must have the hash graphc-bundle.json records, else DeployError (exit 2; audit live23 F1),
    and the settings that choose what runs (:data:`CHECKED_SETTINGS`, from Sequence.toml's [hosted.env] and then
    ``env``, the ``--env`` values) must be those it checked with (audit hosted27 5).
    Returns a note for a directory graphc did not write: graphc cannot judge what its code does."""
    if sdir.bundle is None:
        return (
            f"{sdir.path} is not a graphc bundle (no {BUNDLE_MARKER}): graphc cannot tell whether it trades live; "
            "graphc's --live gate covers graphc bundles only"
        )
    recorded = sdir.bundle.get("project_sha256")
    if not isinstance(recorded, str):
        raise DeployError(
            f"{sdir.path / BUNDLE_MARKER} records no hash of project/ (an older graphc wrote it), so graphc cannot "
            "tell whether project/ is what `graphc bundle` checked; run graphc bundle again"
        )
    if not (sdir.path / "project").is_dir() or project_sha256(sdir.path / "project") != recorded:
        raise DeployError(
            f"{sdir.path / 'project'} was edited after `graphc bundle` checked it ({BUNDLE_MARKER} records another "
            "hash of it); run graphc bundle again"
        )
    checked = sdir.bundle.get("checked_env")
    if not isinstance(checked, dict):
        raise DeployError(
            f"{sdir.path / BUNDLE_MARKER} records no settings it was checked with (an older graphc wrote it), so "
            "graphc cannot tell whether the playbook, --set and --params it runs with are those `graphc bundle` "
            "checked; run graphc bundle again"
        )
    cli_env = env or {}
    problem = unchecked_setting(
        checked, {**sdir.env, **cli_env}, lambda key: "--env" if key in cli_env else "Sequence.toml's [hosted.env]"
    )
    if problem is not None:
        raise DeployError(f"{sdir.path}: {problem}")
    return None


def unchecked_setting(checked: dict, env: Mapping, where) -> str | None:
    """What is wrong when ``env`` runs a graphc bundle with a :data:`CHECKED_SETTINGS` value other than the one
    ``graphc bundle`` checked (``checked``, graphc-bundle.json's ``checked_env``: a setting absent there must be
    absent); ``where(key)`` says where the value comes from. None when each is as checked. The rehearsal knobs
    (``GRAPHC_NOW``, ``GRAPHC_SETTLE``, ...) change no amount or playbook and are not compared."""

    def shown(value) -> str:
        return "none" if value is None else repr(value)

    for key in CHECKED_SETTINGS:
        if checked.get(key) != env.get(key):
            return (
                f"{where(key)} sets {key} to {shown(env.get(key))}, but `graphc bundle` checked this bundle with "
                f"{key} {shown(checked.get(key))}: a bundle runs only what was checked; run `graphc bundle` again "
                "with the playbook, --set and --params wanted; nothing was sent"
            )
    return None


def build_artifact(path, *, holds_key=None) -> tuple[bytes, str]:
    """The directory as a reproducible tar.gz (sorted, mtime 0, owner 0) and its SHA-256.

    Refuses when ``holds_key(file bytes)`` says a file contains the API key in use.
    """
    path = Path(path)
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for file, size in _sized_files(path):
            data = b"".join(_chunks(path, file, size))
            if holds_key is not None and holds_key(data):
                raise DeployError(
                    f"refusing to upload {file.relative_to(path)}: it contains the API key in use; "
                    "the runner injects SEQUENCE_API_KEY, so no file needs it"
                )
            info = tarfile.TarInfo(file.relative_to(path).as_posix())
            info.size, info.mtime, info.mode = len(data), 0, 0o755 if os.access(file, os.X_OK) else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    artifact = buffer.getvalue()
    return artifact, hashlib.sha256(artifact).hexdigest()


def _sized_files(path: Path):
    """``(file, size)`` for each of :func:`_files`, its size as stat gives it; DeployError at the first file that
    takes the total past ``MAX_ARTIFACT_BYTES``, before it is read: a 1 GB dataset in the directory cost its size
    in memory and time to be refused (audit hosted27 3)."""
    total = 0
    for file in _files(path):
        try:
            size = file.stat().st_size
        except OSError as exc:
            raise DeployError(f"cannot read {file.relative_to(path)} in {path}: {exc.strerror or exc}") from None
        total += size
        if total > MAX_ARTIFACT_BYTES:
            raise DeployError(
                f"{path} is over {MAX_ARTIFACT_BYTES // 2**20} MiB at {file.relative_to(path)} ({size:,} bytes, not "
                "read); a strategy bundle is a few MiB: move large files out of the directory"
            )
        yield file, size


CHUNK_BYTES = 1024 * 1024


def _chunks(path: Path, file: Path, size: int):
    """The content of ``file`` in chunks, exactly the ``size`` bytes stat gave it: DeployError when it has more or
    fewer (it changed while it was read), so what is read stays within the total that was checked."""
    seen = 0
    try:
        fd, _ = open_source(file)  # never blocks: a file swapped for a FIFO since the walk is refused
        with os.fdopen(fd, "rb") as handle:
            while chunk := handle.read(min(CHUNK_BYTES, size - seen + 1)):
                seen += len(chunk)
                if seen > size:
                    break
                yield chunk
    except OSError as exc:
        raise DeployError(f"cannot read {file.relative_to(path)} in {path}: {exc.strerror or exc}") from None
    if seen != size:
        raise DeployError(f"{file.relative_to(path)} in {path} changed while it was read; try again")


def _files(path: Path):
    """The regular files to upload; a symbolic link, or a FIFO, socket or device, is refused, naming it, never left
    out in silence.

    The runner unpacks the tar.gz the CLI makes of the directory (hosted-strategies.md) and the reference
    says nothing of links in it, so the artifact holds regular files only (`graphc bundle` writes no link).
    """
    for directory, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_NAMES)
        for name in [*dirnames, *sorted(filenames)]:
            if name not in SKIPPED_NAMES:
                _refuse_undecodable(path, Path(directory) / name)
                _refuse_unless_regular(path, Path(directory) / name)
        for name in sorted(filenames):
            file = Path(directory) / name
            if name not in SKIPPED_NAMES and not name.endswith(".pyc") and file.is_file():
                yield file


def _refuse_undecodable(path: Path, entry: Path) -> None:
    """A name that is not UTF-8 (its bytes kept as lone surrogates) cannot be written in the hash of project/ nor
    sent as a name the runner reads back the same: refused, shown with its bytes escaped (audit hosted27 7)."""
    relative = entry.relative_to(path).as_posix()
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(relative).decode("ascii", "backslashreplace")
        raise DeployError(
            f"{shown} in {path}: its name is not UTF-8, which the upload cannot carry as it is: rename it "
            "(or remove it)"
        ) from None


def _refuse_unless_regular(path: Path, entry: Path) -> None:
    """A link, or anything but a file or a folder (a FIFO, a socket, a device), is refused, naming it: the upload
    holds regular files only, and none is left out in silence (audit hosted27 8)."""
    try:
        mode = entry.lstat().st_mode
    except OSError as exc:
        raise DeployError(f"cannot read {entry.relative_to(path)} in {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(mode):
        _refuse_link(path, entry)
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise DeployError(
            f"{entry.relative_to(path)} in {path} is {file_kind(mode)}, not a regular file; the upload holds regular "
            "files only, so it would be left out: remove it, or put a file in its place"
        )


def _refuse_link(path: Path, link: Path) -> None:
    try:
        target = os.readlink(link)
    except OSError:
        target = "?"
    raise DeployError(
        f"{link.relative_to(path)} in {path} is a symbolic link (to {target}); the upload holds regular files "
        "only, so it would be left out: put a copy of the file in its place"
    )


def find_strategy(client, name_or_id: str) -> dict:
    """The strategy named ``name_or_id`` (or with that id); DeployError when none or several, ApiProtocolError
    (exit 3) when the router lists it without a usable ``strategy_id`` (:func:`listed_id`)."""
    strategies = client.list_strategies()
    by_id = [s for s in strategies if s.get("strategy_id") == name_or_id]
    if by_id:
        listed_id(by_id[0])
        return by_id[0]
    named = [s for s in strategies if s.get("name") == name_or_id]
    for entry in named:
        listed_id(entry)
    if len(named) == 1:
        return named[0]
    if not named:
        raise DeployError(f"no strategy named {name_or_id!r} (see `graphc strategy list`)")
    ids = ", ".join(str(s.get("strategy_id")) for s in named)
    raise DeployError(f"{len(named)} strategies are named {name_or_id!r} ({ids}); give the id instead")


def listed_id(entry: dict) -> str:
    """The ``strategy_id`` of a strategy the router listed, checked as every id graphc puts in a path is; a missing
    one, or one graphc would not send back (a number, null, ``../x``), is the router's answer in an undocumented
    shape: ApiProtocolError (exit 3), never a crash or a usage error (as if the user had typed it; audit live23 F4).
    """
    from graphc.api.client import is_graph_id  # deferred: httpx; `graphc bundle` reads strategy directories too

    strategy_id = entry.get("strategy_id")
    if not isinstance(strategy_id, str) or not is_graph_id(strategy_id):
        raise ApiProtocolError(
            "GET /v1/strategies: the router's answer is not the documented shape: the strategy named "
            f"{clean(repr(entry.get('name')), 200)} has no usable strategy_id ({clean(repr(strategy_id), 80)}); "
            "nothing was sent"
        )
    return strategy_id


def refuse_live(name: str, live_from: str | None, allow_live: bool, act: str, env: dict | None = None) -> None:
    """The hosted strategy's half of the double opt-in: one that runs with ``GRAPHC_LIVE=1`` (``live_from`` says
    where that comes from) is deployed or started only with ``allow_live`` (``--live``); DeployError (exit 2).
    A live one whose ``env`` sets ``GRAPHC_NOW`` is refused too: its runner would refuse the rehearsal clock with
    ``GRAPHC_LIVE=1`` (graphc.submit.rehearsal_clock) at every restart, so it is refused before it is sent."""
    if live_from is not None and not allow_live:
        raise DeployError(f"{name} trades LIVE ({live_from}); pass --live to {act} to trade for real; nothing was sent")
    if live_from is not None and isinstance(env, dict) and NOW_VARIABLE in env:
        raise DeployError(
            f"{name} trades LIVE ({live_from}) and sets {NOW_VARIABLE}, the rehearsal clock, which a live run "
            f"refuses (a LIVE graph trades at the real time); drop {NOW_VARIABLE} to {act}; nothing was sent"
        )


def deploy(
    client,
    sdir: StrategyDir,
    *,
    env: dict | None = None,
    start: bool = True,
    replace: bool = False,
    allow_live: bool = False,
) -> dict:
    """Create (and start) the strategy; an existing one of the same name is replaced only with ``replace``.

    Deploying is the submit of a hosted strategy: a graphc bundle must be as ``graphc bundle`` checked it
    (:func:`check_bundle`), and a strategy that runs with ``GRAPHC_LIVE=1`` (Sequence.toml or ``env``) needs
    ``allow_live`` (:func:`refuse_live`); both refuse before anything is sent.

    The reference has no update or rename endpoint (hosted-strategies.md: create, list, inspect,
    start, stop, delete, logs), so a replacement is a delete and a create. Before the delete, the
    very request is sent once under another name, created stopped and deleted at once: what the
    router refuses (a validation error, a quota) is then refused while the old strategy still runs.
    A create that fails after that anyway says that the old strategy is gone.
    """
    _refuse_reserved_env(env or {})
    _refuse_key_in_env(client, sdir.env, env or {})
    check_bundle(sdir, env)
    refuse_live(sdir.name, sdir.live_from(env or {}), allow_live, "deploy it", {**sdir.env, **(env or {})})
    artifact, sha = build_artifact(sdir.path, holds_key=client.holds_key)
    existing = [s for s in client.list_strategies() if s.get("name") == sdir.name]
    for old in existing:  # one it cannot name it cannot remove: never a second strategy beside it (audit live23 F4)
        listed_id(old)
    if existing and not replace:
        states = ", ".join(f"{s.get('strategy_id')} ({s.get('status')})" for s in existing)
        raise DeployError(
            f"a strategy named {sdir.name!r} exists: {states}; pass --replace to stop and delete it first "
            "(its logs go with it), or deploy under another [strategy] name"
        )
    request = {
        "name": sdir.name,
        "runtime": "python",
        "entrypoint": sdir.entrypoint,
        "artifact_base64": base64.b64encode(artifact).decode("ascii"),
        "env": {**sdir.env, **(env or {})},
        "manifest": sdir.manifest,
        "placement": sdir.placement,
        "resources": sdir.resources,
        "start_immediately": start,
    }
    if sdir.secrets:
        request["secrets"] = sdir.secrets
    if existing:
        _check_with_the_router(client, request, sha, existing)
        _remove(client, sdir.name, existing)
    try:
        created = client.create_strategy(request)
    except UncertainOutcome as exc:
        try:
            listing = client.list_strategies()
        except ApiError as lookup:  # the create's uncertainty is what to say, never the lookup's alone (hosted27 4)
            raise DeployError(
                f"{exc}; looking for a strategy named {sdir.name!r} with this artifact (sha256 {sha[:12]}) failed "
                f"too ({_lookup_failure(lookup)}). Check `graphc strategy list` before deploying again"
                f"{_deleted(sdir, existing)}",
                3,
            ) from None
        found = [s for s in listing if s.get("name") == sdir.name and s.get("artifact_sha256") == sha]
        if len(found) == 1:
            return found[0]
        raise DeployError(
            f"{exc}; no strategy named {sdir.name!r} with this artifact (sha256 {sha[:12]}) is listed yet. "
            f"Check `graphc strategy list` before deploying again{_deleted(sdir, existing)}",
            3,
        ) from None
    except ApiError as exc:
        if not existing:
            raise
        raise DeployError(f"{exc}{_deleted(sdir, existing)}", exc.exit_code) from None
    return created


def _refuse_reserved_env(cli_env: dict) -> None:
    """``--env SEQUENCE_*=...`` is refused as ``[hosted.env]`` is: "The runner won't let user env shadow the
    SEQUENCE_* invariants (those names are reserved)" (hosted-strategies.md, "Reading the values")."""
    for key, value in cli_env.items():
        problem = env_name_problem(key, str(value))
        if problem is not None:
            raise DeployError(f"--env {problem}")
        if key.startswith(RESERVED_ENV_PREFIX):
            raise DeployError(f"--env {key}: SEQUENCE_* names are the runner's own")


def _refuse_key_in_env(client, toml_env: dict, cli_env: dict) -> None:
    """Env is plain JSONB that GET /v1/strategies shows (hosted-strategies.md); the key must not be in it."""
    for where, values in (("[hosted.env]", toml_env), ("--env", cli_env)):
        for key, value in values.items():
            if client.holds_key(str(key).encode("utf-8")) or client.holds_key(str(value).encode("utf-8")):
                shown = "a variable" if client.holds_key(str(key).encode("utf-8")) else key
                raise DeployError(
                    f"refusing {where} {shown}: it holds the API key in use, and env is stored in plain text "
                    "and shown by GET /v1/strategies. The runner injects SEQUENCE_API_KEY already; any other "
                    "secret belongs in Sequence.toml's [hosted.secrets] (sealed, never returned)"
                )


def _untouched(existing: list[dict]) -> str:
    olds = ", ".join(f"{s.get('name')!r} ({s.get('strategy_id')}, {s.get('status')})" for s in existing)
    return f"the previous strategy {olds} was not touched"


def _check_with_the_router(client, request: dict, sha: str, existing: list[dict]) -> None:
    """Send ``request`` under another name, stopped, and delete it: a refusal comes before any delete."""
    check = {**request, "name": f"{request['name']}.graphc-replace-check-{sha[:8]}", "start_immediately": False}
    try:
        created = client.create_strategy(check)
    except UncertainOutcome as exc:
        leftover = ""
        try:
            for found in client.list_strategies():
                if found.get("name") == check["name"]:
                    client.delete_strategy(found.get("strategy_id"))  # an unusable id is a ConfigError
        except ApiError as lookup:
            leftover = (
                f"; a stopped copy named {check['name']!r} may be listed (looking for it failed: "
                f"{_lookup_failure(lookup)}): delete it"
            )
        raise DeployError(
            f"{exc} (checking the new version before replacing); {_untouched(existing)}{leftover}", 3
        ) from None
    except ApiError as exc:
        raise DeployError(
            f"{exc}; the router refused the new version, so {_untouched(existing)}", exc.exit_code
        ) from None
    try:
        client.delete_strategy(created["strategy_id"])  # a 404 to its retry is a delete (DeletedOnRetry)
    except ApiError as exc:
        listed, failed_lookup = _listed(client, created["strategy_id"])
        if listed is False:
            return  # the delete landed after all (its answer was lost): nothing is left behind
        raise DeployError(
            f"{exc}; the router accepted the new version as the stopped check copy {check['name']!r} "
            f"({created['strategy_id']}), which could not be deleted{failed_lookup}: delete it with "
            f"`graphc strategy delete {created['strategy_id']} --yes` and deploy again; {_untouched(existing)}",
            exc.exit_code,
        ) from None


def _remove(client, name: str, existing: list[dict]) -> None:
    """Stop and delete each of ``existing``; an error says where each one stands (looked up again)."""
    for old in existing:
        sid = old.get("strategy_id")
        try:
            client.stop_strategy(sid)
            client.delete_strategy(sid)  # a 404 to its retry is a delete (DeletedOnRetry)
        except ApiError as exc:
            listed, lookup = _listed(client, sid)
            if listed is False:
                continue  # gone after all: go on to create the new version
            where = (
                f"{sid} is still listed: see `graphc strategy list`; if it is stopped, it starts again with "
                f"`graphc strategy start {sid}`"
                if listed
                else f"whether {sid} still exists is unknown{lookup}: see `graphc strategy list`"
            )
            raise DeployError(
                f"{exc}; replacing {name!r} stopped while removing {sid} and the new version was not created; " + where,
                exc.exit_code,
            ) from None


def _listed(client, strategy_id) -> tuple[bool | None, str]:
    """Whether the router lists ``strategy_id`` now (None when the list cannot be read), and what to add to a
    message when it cannot: the lookup's own error, so that it is never lost (audit hosted27 4)."""
    try:
        return any(s.get("strategy_id") == strategy_id for s in client.list_strategies()), ""
    except ApiError as exc:
        return None, f" (looking it up failed: {_lookup_failure(exc)})"


def _lookup_failure(exc: ApiError) -> str:
    """The error of a lookup (GET /v1/strategies) made after a change was sent, to quote after that change's own:
    its "nothing was sent" is about the lookup only, and would read as if the change had not been sent."""
    text = str(exc)
    for said in (" (nothing was sent)", "; nothing was sent", ", nothing was sent"):
        text = text.replace(said, "")
    return text.rstrip(" .;")


def _deleted(sdir: StrategyDir, existing: list[dict]) -> str:
    """What to say when the create failed after ``existing`` were deleted: what is gone, how to get it back."""
    if not existing:
        return ""
    ids, origins = [], []
    for old in existing:
        ids.append(str(old.get("strategy_id")))
        origin = f"artifact sha256 {str(old.get('artifact_sha256', '?'))[:12]}"
        manifest = old.get("manifest")
        bundle = manifest.get("graphc_bundle") if isinstance(manifest, dict) else None
        if isinstance(bundle, dict) and isinstance(bundle.get("playbook"), str):
            origin += f", a graphc bundle of {bundle['playbook']}"
        if isinstance(old.get("env"), dict) and old["env"]:
            origin += f", env {json.dumps(old['env'], ensure_ascii=False, sort_keys=True)}"
        origins.append(origin)
    return (
        f". The previous strategy {sdir.name!r} ({', '.join(ids)}) WAS STOPPED AND DELETED, logs included, "
        f"before this create: nothing named {sdir.name!r} runs now. Deploy again with `graphc deploy {sdir.path}` "
        "once the cause is fixed; to bring back the previous version instead, deploy the directory it was made "
        f"from ({'; '.join(origins)}): graphc keeps no copy, and the router deleted its artifact with it"
    )


def listed_live(strategy: dict) -> bool | None:
    """Whether a strategy the router answered may trade live, read from its visible env: True with
    ``GRAPHC_LIVE=1``, False for a graphc strategy without it; None when graphc cannot tell (not a graphc bundle, or
    its env not shown). A secret could still set ``GRAPHC_LIVE``: ``graphc deploy`` refuses that, others may not."""
    env = strategy.get("env")
    if env_trades_live(env):
        return True
    manifest = strategy.get("manifest")
    from_graphc = isinstance(manifest, dict) and isinstance(manifest.get("graphc_bundle"), dict)
    if isinstance(env, dict) and (from_graphc or LIVE_VARIABLE in env):
        return False
    return None


def strategy_status(strategy: dict) -> str:
    """The ``status`` of a strategy the router answered (``GET /v1/strategies/ID``), one of the reference's;
    ApiProtocolError naming the field and the value for any other: `strategy logs --follow` stops on `stopped`
    only, so it would follow an undocumented `exited` or `completed` forever (audit follow17 1)."""
    status = strategy.get("status")
    if not isinstance(status, str) or status not in STRATEGY_STATUSES:
        where = f"GET /v1/strategies/{clean(str(strategy.get('strategy_id')), 80)}"
        raise ApiProtocolError(
            f"{where}: the router's answer is not the documented shape: status is {clean(repr(status), 60)}, "
            f"none of the reference's hosted-strategy statuses ({', '.join(STRATEGY_STATUSES)})"
        )
    return status


@dataclass(frozen=True)
class LogLine:
    seq: int | None  # the entry's own `seq` (or `id`); None for a plain-text entry or an object without one
    text: str
    ts: float | None = None
    stream: str | None = None
    index: int = 0  # its place in the answer's list

    @property
    def key(self) -> tuple:
        """What makes two entries the same entry, read twice across polls: the reference does not document the
        logs' shape or what a `seq` means (hosted-strategies.md shows neither), so an entry is its seq, stream
        and text; an entry without a seq is its place in the list and its text. Two entries that share a seq but
        not their text (two streams numbered apart, a counter restarted) are two entries (audit status28 8)."""
        return ("seq", self.seq, self.stream, self.text) if self.seq is not None else ("at", self.index, self.text)


def log_lines(body) -> tuple[str | None, list[LogLine]]:
    """``(run_id, lines)`` from a logs answer, in ``seq`` order whatever the answer's order (a newest-first list is
    a common design; an entry without a seq sorts at its place in the list); accepts ``{"logs": [...]}`` or
    ``{"lines": [...]}`` with entries as text or as objects holding ``line``/``message``/``text`` (the reference
    does not show the shape). An answer with neither list is ApiProtocolError (exit 3), never read as a strategy
    that logged nothing (audit live23 F5)."""
    entries = body.get("logs", body.get("lines")) if isinstance(body, dict) else None
    if not isinstance(entries, list):
        raise ApiProtocolError(
            "GET /v1/strategies/ID/logs: the router's answer is not the documented shape: no list of log lines "
            "under `logs` or `lines`"
        )
    lines = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            lines.append(LogLine(None, entry, index=index))
        elif isinstance(entry, dict):
            text = next((entry[k] for k in ("line", "message", "text") if isinstance(entry.get(k), str)), "")
            seq = entry.get("seq", entry.get("id"))
            ts, stream = entry.get("ts"), entry.get("stream")
            lines.append(
                LogLine(
                    seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
                    text,
                    ts if isinstance(ts, (int, float)) else None,
                    stream if isinstance(stream, str) else None,
                    index,
                )
            )
    lines.sort(key=lambda line: line.index if line.seq is None else line.seq)
    run_id = body.get("run_id")
    return (run_id if isinstance(run_id, str) else None), lines
