"""The sandbox's hosted-strategy runner: ``/v1/strategies`` for rehearsing ``graphc deploy``.

It does what the hosted-strategies reference says the real runner does, on
this machine: unpack the uploaded tar.gz into a per-run directory, write the
manifest to ``.sequence/manifest.json``, and run ``python -u ENTRYPOINT`` with
``[hosted.env]``, the secrets and the runner's own ``SEQUENCE_*`` variables
(``SEQUENCE_API_URL`` is this sandbox). Each line the process prints is kept
for the logs endpoint. Restart semantics are the reference's: exit 0 is
*stopped* (done, not restarted); a non-zero exit or a kill is *failed* and the
strategy is started again (a new run id) after ``restart_delay`` seconds while
its desired state is *running*; ``stop`` sends SIGTERM.

The interpreter is ``python -I -S`` by default: isolated, without
site-packages, the closest a machine without Docker gets to a bare
``python:3.12-slim`` image. ``graphc sandbox serve --runner-python PATH``
picks another (a real 3.12, say).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import PurePosixPath

__all__ = ["HostedError", "HostedRunner"]

MAX_ARTIFACT_BYTES = 64 * 1024 * 1024
MAX_LOG_LINES = 20_000  # per run; older lines are dropped
MAX_LINE_CHARS = 16_384
STOP_GRACE_S = 5.0


class HostedError(Exception):
    """A request the router would refuse: ``status`` and an error ``code``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Run:
    run_id: str
    workdir: str
    proc: subprocess.Popen | None = None
    lines: list = field(default_factory=list)  # {"seq", "ts", "stream", "line"}
    seq: int = 0
    exit_code: int | None = None
    started_at: int = 0
    ended_at: int | None = None


@dataclass
class Strategy:
    strategy_id: str
    name: str
    entrypoint: str
    artifact: bytes
    env: dict
    secrets: dict
    manifest: dict
    placement: dict
    resources: dict
    api_key: str | None
    api_url: str
    desired_state: str = "running"
    status: str = "queued"
    created_at: int = 0
    updated_at: int = 0
    runs: list = field(default_factory=list)
    restarts: int = 0

    def public(self) -> dict:
        """What GET /v1/strategies shows: never the key, never the secrets."""
        return {
            "strategy_id": self.strategy_id,
            "name": self.name,
            "runtime": "python",
            "entrypoint": self.entrypoint,
            "artifact_sha256": hashlib.sha256(self.artifact).hexdigest(),
            "size_bytes": len(self.artifact),
            "desired_state": self.desired_state,
            "status": self.status,
            "is_sandbox": True,
            "env": dict(self.env),
            "manifest": self.manifest,
            "placement": self.placement,
            "resources": self.resources,
            "run_id": self.runs[-1].run_id if self.runs else None,
            "restarts": self.restarts,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


class HostedRunner:
    def __init__(self, python: list[str] | None = None, restart_delay: float = 1.0):
        self.python = python or [sys.executable, "-I", "-S"]
        self.restart_delay = restart_delay
        self.strategies: dict[str, Strategy] = {}
        self.lock = threading.RLock()
        self.root = tempfile.mkdtemp(prefix="graphc-sandbox-runner-")

    # -- endpoints -------------------------------------------------------------------------------

    def create(self, body: dict, api_url: str) -> dict:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise HostedError(400, "invalid_request", "name: a non-empty string is required")
        if body.get("runtime", "python") != "python":
            raise HostedError(400, "invalid_request", "runtime must be 'python'")
        entrypoint = body.get("entrypoint", "main.py")
        if not isinstance(entrypoint, str) or not entrypoint or entrypoint.startswith(("/", "..")):
            raise HostedError(400, "invalid_request", "entrypoint: a relative path is required")
        artifact = _artifact(body.get("artifact_base64"), entrypoint)
        tables = {key: body.get(key) or {} for key in ("env", "secrets", "manifest", "placement", "resources")}
        for key in ("env", "secrets"):
            if not isinstance(tables[key], dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in tables[key].items()
            ):
                raise HostedError(400, "invalid_request", f"{key}: an object of strings is required")
            if any(k.startswith("SEQUENCE_") for k in tables[key]):
                raise HostedError(400, "invalid_request", f"{key}: SEQUENCE_* names are reserved")
            # checked before the strategy is registered: a name no process environment can hold was a 400 from
            # Popen after it was listed, left `queued` for ever (audit hosted27 9)
            for k, v in tables[key].items():
                if not k or "=" in k or "\0" in k or "\0" in v:
                    raise HostedError(400, "invalid_request", f"{key}: illegal environment variable name {k!r}")
        api_key = body.get("sequence_api_key")
        now = int(time.time())
        strategy = Strategy(
            strategy_id=str(uuid.uuid4()),
            name=name.strip(),
            entrypoint=entrypoint,
            artifact=artifact,
            env=tables["env"],
            secrets=tables["secrets"],
            manifest=tables["manifest"],
            placement=tables["placement"],
            resources=tables["resources"],
            api_key=api_key if isinstance(api_key, str) and api_key.strip() else None,
            api_url=api_url,
            desired_state="running" if body.get("start_immediately", True) else "stopped",
            status="queued" if body.get("start_immediately", True) else "stopped",
            created_at=now,
            updated_at=now,
        )
        with self.lock:
            self.strategies[strategy.strategy_id] = strategy
            if strategy.desired_state == "running":
                try:
                    self._spawn(strategy)
                except BaseException:  # a refused create leaves nothing listed
                    del self.strategies[strategy.strategy_id]
                    raise
            return {"strategy": strategy.public()}

    def list(self) -> dict:
        with self.lock:
            return {"strategies": [s.public() for s in self.strategies.values()]}

    def get(self, strategy_id: str) -> dict:
        with self.lock:
            return {"strategy": self._find(strategy_id).public()}

    def start(self, strategy_id: str) -> dict:
        with self.lock:
            strategy = self._find(strategy_id)
            strategy.desired_state = "running"
            if not self._alive(strategy):
                strategy.status = "queued"
                self._spawn(strategy)
            return {"strategy": strategy.public()}

    def stop(self, strategy_id: str) -> dict:
        with self.lock:
            strategy = self._find(strategy_id)
            strategy.desired_state = "stopped"
            proc = strategy.runs[-1].proc if strategy.runs else None
        if proc is not None and proc.poll() is None:
            _terminate(proc)
        with self.lock:
            if proc is not None and strategy.runs[-1].exit_code is None:
                strategy.runs[-1].exit_code = proc.returncode  # known now; the watcher records the same
            strategy.status = "stopped"
            strategy.updated_at = int(time.time())
            return {"strategy": strategy.public()}

    def delete(self, strategy_id: str) -> dict:
        self.stop(strategy_id)
        with self.lock:
            strategy = self.strategies.pop(strategy_id)
            for run in strategy.runs:
                shutil.rmtree(run.workdir, ignore_errors=True)
        return {"deleted": True, "strategy_id": strategy_id}

    def logs(self, strategy_id: str, run_id: str | None = None) -> dict:
        with self.lock:
            strategy = self._find(strategy_id)
            runs = [r for r in strategy.runs if run_id is None or r.run_id == run_id]
            if run_id is not None and not runs:
                raise HostedError(404, "not_found", f"no run {run_id} of strategy {strategy_id}")
            run = runs[-1] if runs else None
            return {
                "strategy_id": strategy_id,
                "run_id": run.run_id if run else None,
                "runs": [r.run_id for r in strategy.runs],
                "logs": list(run.lines) if run else [],
                "exit_code": run.exit_code if run else None,
            }

    # -- test control --------------------------------------------------------------------------

    def kill(self, strategy_id: str) -> dict:
        """SIGKILL the current run, as an OOM kill would (the strategy is then restarted)."""
        with self.lock:
            strategy = self._find(strategy_id)
            proc = strategy.runs[-1].proc if strategy.runs else None
        if proc is not None and proc.poll() is None:
            proc.kill()
        return {"killed": proc is not None}

    def shutdown(self) -> None:
        """Stop every strategy (sandbox reset, server exit) and remove their directories."""
        with self.lock:
            ids = list(self.strategies)
        for strategy_id in ids:
            self.delete(strategy_id)

    # -- processes -----------------------------------------------------------------------------

    def _find(self, strategy_id: str) -> Strategy:
        strategy = self.strategies.get(strategy_id)
        if strategy is None:
            raise HostedError(404, "not_found", f"no strategy {strategy_id}")
        return strategy

    @staticmethod
    def _alive(strategy: Strategy) -> bool:
        return bool(strategy.runs) and strategy.runs[-1].proc is not None and strategy.runs[-1].proc.poll() is None

    def _spawn(self, strategy: Strategy) -> None:
        """Start a new run of ``strategy`` (the lock is held)."""
        run = Run(run_id=str(uuid.uuid4()), workdir=tempfile.mkdtemp(prefix="run-", dir=self.root))
        with tarfile.open(fileobj=io.BytesIO(strategy.artifact), mode="r:gz") as tar:
            tar.extractall(run.workdir, filter="data")
        os.makedirs(os.path.join(run.workdir, ".sequence"), exist_ok=True)
        manifest_path = os.path.join(run.workdir, ".sequence", "manifest.json")
        with open(manifest_path, "w", encoding="utf-8") as fh:
            json.dump(strategy.manifest, fh)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": run.workdir,
            "PYTHONUNBUFFERED": "1",
            **strategy.env,
            **strategy.secrets,  # secrets win over env of the same name, as in the reference
            "SEQUENCE_API_URL": strategy.api_url,
            "SEQUENCE_STRATEGY_ID": strategy.strategy_id,
            "SEQUENCE_RUN_ID": run.run_id,
            "SEQUENCE_CLIENT_ID": "client_sandbox",
            "SEQUENCE_IS_SANDBOX": "true",
            "SEQUENCE_STRATEGY_MANIFEST": manifest_path,
        }
        if strategy.api_key:
            env["SEQUENCE_API_KEY"] = strategy.api_key
        run.started_at = int(time.time())
        try:
            run.proc = subprocess.Popen(
                [*self.python, "-u", strategy.entrypoint],
                cwd=run.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            run.lines.append({"seq": 0, "ts": time.time(), "stream": "runner", "line": f"cannot start: {exc}"})
            run.exit_code = 127
            strategy.runs.append(run)
            strategy.status = "failed"
            return
        strategy.runs.append(run)
        strategy.status = "running"
        strategy.updated_at = int(time.time())
        threading.Thread(target=self._watch, args=(strategy, run), daemon=True).start()

    def _watch(self, strategy: Strategy, run: Run) -> None:
        """Collect the run's output; when it exits, apply the restart semantics."""
        assert run.proc is not None and run.proc.stdout is not None
        for raw in run.proc.stdout:
            text = raw.decode("utf-8", "replace").rstrip("\n")[:MAX_LINE_CHARS]
            with self.lock:
                run.lines.append({"seq": run.seq, "ts": round(time.time(), 3), "stream": "stdout", "line": text})
                run.seq += 1
                if len(run.lines) > MAX_LOG_LINES:
                    del run.lines[0]
        code = run.proc.wait()
        with self.lock:
            run.exit_code, run.ended_at = code, int(time.time())
            strategy.updated_at = run.ended_at
            if strategy.strategy_id not in self.strategies or strategy.runs[-1] is not run:
                return
            if strategy.desired_state != "running":
                strategy.status = "stopped"
                return
            if code == 0:  # "I'm done, don't bring me back"
                strategy.status, strategy.desired_state = "stopped", "stopped"
                return
            strategy.status = "failed"
        time.sleep(self.restart_delay)
        with self.lock:
            if (
                strategy.strategy_id in self.strategies
                and strategy.desired_state == "running"
                and strategy.runs[-1] is run
            ):
                strategy.restarts += 1
                self._spawn(strategy)


def _artifact(encoded, entrypoint: str) -> bytes:
    if not isinstance(encoded, str) or not encoded:
        raise HostedError(400, "invalid_request", "artifact_base64: the strategy directory as base64 tar.gz")
    if len(encoded) > MAX_ARTIFACT_BYTES * 4 // 3 + 4:
        raise HostedError(413, "too_large", f"artifact over {MAX_ARTIFACT_BYTES} bytes")
    try:
        artifact = base64.b64decode(encoded, validate=True)
        with tarfile.open(fileobj=io.BytesIO(artifact), mode="r:gz") as tar:
            members = tar.getmembers()
    except (binascii.Error, tarfile.TarError, OSError, EOFError):
        raise HostedError(400, "invalid_request", "artifact_base64 is not a base64 tar.gz") from None
    for member in members:
        parts = PurePosixPath(member.name).parts
        if member.name.startswith("/") or ".." in parts or not (member.isfile() or member.isdir()):
            raise HostedError(
                400, "invalid_request", f"artifact entry {member.name[:200]!r} is not a plain file inside it"
            )
    names = [m.name for m in members]
    if entrypoint not in names and f"./{entrypoint}" not in names:
        raise HostedError(400, "invalid_request", f"the artifact has no entrypoint {entrypoint!r}")
    return artifact


def _terminate(proc: subprocess.Popen) -> None:
    """SIGTERM (a graceful stop), then SIGKILL after STOP_GRACE_S."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
