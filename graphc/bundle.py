"""``graphc bundle``: a recurring playbook as a hosted strategy directory.

The router runs hosted strategies as ``python -u main.py`` in a bare
``python:3.12-slim`` container (no pip packages), restarting it when it exits
non-zero and stopping it when it exits 0 (``../shared/reference/hosted-strategies.md``).
A bundle is everything that needs, and nothing secret::

    DIR/
      Sequence.toml        [strategy], [hosted] entrypoint, [hosted.resources], [hosted.env] (settings, params)
      main.py              puts vendor/ on sys.path and calls graphc.hosted.main
      project/             the playbook, its templates and the params file, at their paths inside
                           the project, and the project's graphc config at its root, by content
                           (a link is followed; said on stderr)
      vendor/              graphc and the pure-Python parts of what its run path imports
        LICENSES/          the licence files of the vendored distributions
      zoneinfo/            the schedule's timezone file (the image's tz database may be missing)

The templates copied are those the playbook's ``use:`` can name on any date: every template a literal
``use:`` names, directly or through other templates, and those the next occurrences render; when a ``use:``
along that chain is written as an expression (``use: "./t/{{ tpl }}.yaml"``), which names its file only when
an occurrence is rendered, every template file of the project root (:func:`graphc.lint.project_templates`, the
files ``graphc lint --dependants`` takes such a ``use:`` to reach), said on stderr with how many.

What is vendored is the runtime path of ``graphc run`` only: the YAML loader
(PyYAML's pure-Python parser is used when libyaml's C extension is absent), the
Jinja2 sandbox (MarkupSafe falls back to its pure escape), and the HTTP client
(httpx and its pure-Python dependencies). No compiled extension is ever copied:
a ``.so`` built for this interpreter would not load in another one anyway.
jsonschema (its ``rpds`` dependency is Rust) and networkx are not vendored; the
run path only needs them to *explain* a broken playbook, and the bundle's
playbook was linted when it was made (see ``graphc.stages.validate``).

The API key is never written: the runner injects ``SEQUENCE_API_KEY`` into the
process. Nothing here reads the environment or the credentials file.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import shutil
import tempfile
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from importlib.resources import files
from pathlib import Path

from graphc.config import find_config, load_config
from graphc.diagnostics import Diagnostic
from graphc.files import find_project_root, option_file_problem, real_path
from graphc.lint import LintOptions, LintOutcome, lint_source, project_templates, use_chain
from graphc.pipeline import CompileOptions
from graphc.resources import resource_path
from graphc.schedule import read_scheduled
from graphc.stages.legs import LIVE_QUOTE_SKIP
from graphc.stages.model import NAME_PATTERN

__all__ = ["BundleError", "BundleSettings", "runtime_distributions", "write_bundle"]

# graphc's dependencies that the run path never imports (they explain a broken playbook, or serve
# other commands); everything else graphc requires is vendored with its own requirements.
NOT_ON_RUN_PATH = frozenset({"click", "jsonschema", "networkx", "ruamel-yaml", "ruamel.yaml"})
SKIPPED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".c", ".h", ".pyx", ".pxd", ".pyi", ".pyc")
MARKER = "graphc-bundle.json"  # says "graphc wrote this directory": only such a directory is replaced
LOOKAHEAD = 10  # occurrences linted before writing (the templates they render are copied, with every one named)
SCHEMAS = ("playbook.schema.json", "wire-graph.schema.json")
# A strategy name given with --name. The hosted-strategies reference gives no pattern for strategy
# names, so a bundle's name follows the playbook name's (playbook-spec.md §2), which is also what
# the default (the playbook's `name`) already is.
STRATEGY_NAME = NAME_PATTERN


class BundleError(Exception):
    """The bundle cannot be written; ``exit_code`` 2 (usage) or 1 (the playbook has errors)."""

    def __init__(self, message: str, exit_code: int = 2, diagnostics: list | None = None):
        super().__init__(message)
        self.exit_code = exit_code
        self.diagnostics = diagnostics or []


@dataclass
class BundleSettings:
    playbook: Path
    out: Path
    params: dict = field(default_factory=dict)  # --set NAME=VALUE
    params_file: str | None = None
    live: bool = False  # may the playbook trade live (`sandbox: false`)?
    name: str | None = None  # strategy name (default: the playbook's name)
    cpu_millis: int = 250
    memory_mb: int = 256
    timeout_secs: int = 0
    latency_target: tuple[str, ...] = ()
    now: datetime | None = None  # for the occurrences compiled while bundling


@dataclass
class BundleResult:
    out: Path
    name: str
    files: list[str]
    diagnostics: list[Diagnostic]
    vendored: list[str]
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # checks that need a live quote: not run, never passed
    notes: list[str] = field(default_factory=list)  # what was copied from where, when it is not what it seems


def write_bundle(settings: BundleSettings) -> BundleResult:
    """Check the playbook, then write the bundle directory (replacing an earlier bundle there)."""
    if settings.name is not None and not STRATEGY_NAME.fullmatch(settings.name):
        raise BundleError(
            f"--name {settings.name!r}: a strategy name is [a-z0-9][a-z0-9._-]* "
            "(lower-case letters, digits, '.', '_', '-'; the playbook name's pattern)"
        )
    problem = None if settings.params_file is None else option_file_problem("params", settings.params_file)
    if problem is not None:  # a usage error before any occurrence is linted, as in lint and submit (review15 3)
        raise BundleError(problem)
    playbook = Path(settings.playbook).resolve()
    try:
        scheduled = read_scheduled(playbook)
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"cannot read {settings.playbook}: {getattr(exc, 'strerror', None) or exc}") from None
    if any(d.is_error for d in scheduled.diagnostics):
        raise BundleError("the playbook's schedule has errors", 1, scheduled.diagnostics)
    if scheduled.schedule is None:
        raise BundleError(f"{settings.playbook} has no `schedule:`; a hosted strategy runs a schedule")
    root = find_project_root(playbook).resolve()
    used, diagnostics, live, skip_notes = _check_occurrences(playbook, root, scheduled, settings)
    name = settings.name if settings.name is not None else scheduled.name or playbook.stem
    notes = []
    chain = use_chain(playbook, root)  # what the `use:` name as written, on every date: not only the next ones
    if chain.expressions:
        every = set(project_templates(root))
        unseen = every - used
        used |= every
        shown = ", ".join(p.relative_to(root).as_posix() for p in chain.expressions if p.is_relative_to(root))
        notes.append(
            f"{shown} has a `use:` written as an expression, which names its template only when an occurrence is "
            f"rendered: every template file of the project root {root} is copied, as `graphc lint --dependants` "
            f"takes such a `use:` to name any of them ({len(every)} template files copied, {len(unseen)} of them "
            "used by none of the next occurrences); bundle again after adding a template"
        )
    used |= chain.templates - {playbook}
    files = [playbook, *sorted(used)]
    config = find_config(root)  # at the root, as it is named there (graphc.toml, or a pyproject.toml)
    if config is not None and os.path.islink(config):
        notes.append(
            f"{config.name} is a link to {real_path(config)}: its content is copied into the bundle "
            f"(project/{config.name}), so the strategy runs with the market facts and rule levels it has now; "
            "bundle again after it changes"
        )
    params_rel = None
    if settings.params_file:
        params_path = Path(settings.params_file).resolve()
        params_rel = (
            params_path.relative_to(root).as_posix()
            if params_path.is_relative_to(root)
            else f".graphc-bundle/{params_path.name}"
        )
    out = Path(settings.out)
    _check_out_dir(out)
    try:  # staging beside OUT, so that the final rename stays on one file system
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".graphc-bundle-", dir=out.parent))
    except OSError as exc:
        raise BundleError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        written = []
        for path in files:
            rel = path.relative_to(root).as_posix()
            _copy(path, staging / "project" / rel)
            written.append(f"project/{rel}")
        if params_rel and settings.params_file:
            _copy(Path(settings.params_file).resolve(), staging / "project" / params_rel)
            written.append(f"project/{params_rel}")
        if config is not None:  # by content, at the root: a link (to a shared desk config) is followed, never dropped
            _copy_config(config, staging / "project" / config.name)
            written.append(f"project/{config.name}")
        else:  # marks the project root, so `use:` paths resolve as they did here
            (staging / "project" / "graphc.toml").write_text("# written by graphc bundle: the project root\n")
            written.append("project/graphc.toml")
        vendored = _vendor(staging / "vendor")
        tz_file = _copy_zone(scheduled.schedule.timezone, staging / "zoneinfo")
        if tz_file:
            written.append(f"zoneinfo/{tz_file}")
        env = _env(playbook.relative_to(root).as_posix(), params_rel, settings)
        (staging / "Sequence.toml").write_text(_sequence_toml(name, env, settings), encoding="utf-8")
        (staging / "main.py").write_text(MAIN_PY.format(name=repr(name)), encoding="utf-8")
        marker = {"graphc_bundle": 1, "name": name, "playbook": env["GRAPHC_PLAYBOOK"], "vendored": vendored}
        (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        written = ["Sequence.toml", "main.py", MARKER, *written]
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    warnings = []
    if settings.live and not live:  # the double opt-in: --live alone does not make a graph live
        warnings.append(
            f"--live has no effect: {scheduled.name or playbook.stem} is a sandbox playbook (it does not say "
            "`sandbox: false`), so the strategy will paper-trade"
        )
    return BundleResult(out, name, written, diagnostics, vendored, warnings, skip_notes, notes)


# -- checking the playbook --------------------------------------------------------------------


def _check_occurrences(playbook: Path, root: Path, scheduled, settings: BundleSettings):
    """Lint the playbook as the next occurrences will render it (no quotes: those are live).

    Returns the template files they use, the diagnostics of the first one, and whether any of them is live.
    Raises BundleError on lint errors or on a live graph without ``--live``.
    """
    schedule = scheduled.schedule
    now = settings.now or datetime.now(UTC)
    due = schedule.due_at(now)
    occurrences = ([due.occurrence] if due.occurrence else []) + list(
        itertools.islice(schedule.occurrences(now), LOOKAHEAD)
    )
    if not occurrences:
        raise BundleError(f"{settings.playbook}: the schedule names no time in the years ahead")
    config, config_diagnostics = load_config(playbook)
    if any(d.is_error for d in config_diagnostics):
        raise BundleError("the project's graphc config has errors", 1, config_diagnostics)
    text = scheduled.text or ""
    used: set[Path] = set()
    params_path = Path(settings.params_file).resolve() if settings.params_file else None
    first: LintOutcome | None = None
    live = False
    live_skips: dict[str, list[datetime]] = {}  # quote() in a template: checked when the strategy runs
    skipped_codes: set[str] = set()
    for occurrence in occurrences:
        options = CompileOptions(
            params=dict(settings.params),
            params_file=settings.params_file,
            now=occurrence,
            today=schedule.today(occurrence),
            project_root=str(root),
            live_quotes=True,
        )
        outcome = lint_source(text, str(playbook), LintOptions(compile=options, config=config), explicit=True)
        # templates only: not the params file, nor a template looked for and not found (files_read names both,
        # as they were reached: resolved here, so a template is bundled where it is)
        # (refused below when it does not lint: a `use:` that loops or leads out is one of its errors, not a crash)
        refused = outcome.has_errors or outcome.refusal is not None
        reached = [] if refused else [real_path(Path(path)) for path in outcome.files_read]
        used.update(path for path in reached if path != params_path and os.path.isfile(path))
        if first is None:
            first = outcome
        skips = getattr(outcome.result, "skipped", ())
        for skip in skips:
            if not skip.reason.endswith(LIVE_QUOTE_SKIP):
                continue
            times = live_skips.setdefault(skip.reason, [])
            if not times or times[-1] != occurrence:  # one skip per for_each leg or same-text leg: the time once
                times.append(occurrence)
        if any(skip.reason.endswith(LIVE_QUOTE_SKIP) for skip in skips):
            skipped_codes.update(skip.code for skip in skips)
            skipped_codes.update(outcome.stood_for)  # the price checks a quote-based limit leaves unrun (review15 2)
        if outcome.has_errors or outcome.refusal is not None:  # (a demoted input error: the graph is incomplete)
            raise BundleError(
                f"the occurrence at {occurrence:%Y-%m-%dT%H:%MZ} does not lint"
                + (f": {outcome.refusal}" if outcome.refusal is not None else ""),
                1,
                getattr(outcome.result, "diagnostics", []),
            )
        if outcome.wire is not None and outcome.wire.get("is_sandbox") is False:
            live = True
            if not settings.live:
                raise BundleError(
                    f"{scheduled.name} is a LIVE playbook (`sandbox: false`); pass --live to bundle it to trade for real"
                )
    outside = sorted(str(p) for p in used if not p.is_relative_to(root))
    if outside:
        raise BundleError(f"templates outside the project root {root}: {', '.join(outside)}")
    return (
        used,
        getattr(first.result if first else None, "diagnostics", []),
        live,
        _skip_notes(live_skips, skipped_codes),
    )


def _skip_notes(live_skips: dict[str, list[datetime]], codes: set[str]) -> list[str]:
    """The checks not run because they need a quote read when the strategy runs: said, never read as passed."""
    notes = []
    for reason, times in live_skips.items():
        at = ", ".join(f"{t:%Y-%m-%dT%H:%MZ}" for t in times[:3]) + (", ..." if len(times) > 3 else "")
        notes.append(f"skipped: {reason} ({len(times)} occurrences: {at})")
    if notes:
        notes.append(
            f"not checked here, so not passed: the checks that need those values ({', '.join(sorted(codes))}); "
            "everything else was checked"
        )
    return notes


def _copy_config(config: Path, target: Path) -> None:
    """The project's config, by content (a link followed), or BundleError (exit 2) when it cannot be read: a bundle
    without it would trade with other market facts and rule levels than lint, compile and run apply here."""
    try:
        _copy(config, target)
    except OSError as exc:
        link = f" (a link to {real_path(config)})" if os.path.islink(config) else ""
        raise BundleError(
            f"cannot read the project's config {config}{link}: {exc.strerror or exc}; the bundle needs its content"
        ) from None


# -- writing ----------------------------------------------------------------------------------


def _check_out_dir(out: Path) -> None:
    for parent in out.parents:  # the nearest existing ancestor must be a directory to write under
        if parent.exists():
            if not parent.is_dir():
                raise BundleError(f"cannot write {out}: {parent} is a file, not a directory")
            break
    if out.exists() and not out.is_dir():
        raise BundleError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise BundleError(f"{out} is not empty and was not written by graphc bundle; choose another -o DIR")


def _replace(staging: Path, out: Path) -> None:
    """Move the finished bundle into place; an earlier bundle there is replaced as a whole."""
    if out.exists():
        old = out.with_name(out.name + ".old-graphc-bundle")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(out)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _vendor(target: Path) -> list[str]:
    """Copy graphc and the run path's distributions (pure-Python files and data only) under ``target``."""
    graphc_dir = Path(__file__).resolve().parent  # this module is graphc/bundle.py
    _copy_tree(graphc_dir, target / "graphc", skip_dirs={"_data"})
    for schema in SCHEMAS:
        _copy(resource_path("schemas", schema), target / "graphc" / "_data" / "schemas" / schema)
    vendored = ["graphc"]
    distributions = runtime_distributions()
    for name in runtime_modules(distributions):
        spec = importlib.util.find_spec(name)
        if spec is None or (spec.origin is None and not spec.submodule_search_locations):
            raise BundleError(f"cannot vendor {name}: it is not installed here (pip install graphc installs it)")
        if spec.submodule_search_locations:
            _copy_tree(Path(next(iter(spec.submodule_search_locations))), target / name)
        else:
            _copy(Path(str(spec.origin)), target / Path(str(spec.origin)).name)
        vendored.append(name)
    _copy_licenses(distributions, target / "LICENSES")
    return vendored


def runtime_distributions() -> list[str]:
    """graphc's installed requirements (not extras) and theirs, less NOT_ON_RUN_PATH, by name."""
    found: dict[str, None] = {}
    todo = [(req, "graphc") for req in metadata.requires("graphc") or []]
    while todo:
        requirement, wanted_by = todo.pop(0)
        name_part, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", name_part)
        if match is None:
            continue
        name = match.group(1)
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in NOT_ON_RUN_PATH or key in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            if marker.strip():
                continue  # for another Python (exceptiongroup on 3.10): not needed here either
            raise BundleError(f"cannot vendor {name} (needed by {wanted_by}): it is not installed") from None
        found[key] = None
        todo.extend((req, name) for req in dist.requires or [])
    return sorted(found)


def runtime_modules(distributions) -> list[str]:
    """The top-level import names that ``distributions`` install."""
    names = []
    for module, dists in sorted(metadata.packages_distributions().items()):
        keys = {d.replace("_", "-").replace(".", "-").lower() for d in dists}
        if keys & set(distributions) and not module.startswith("_") and importlib.util.find_spec(module) is not None:
            names.append(module)
    return names


def _copy_tree(source: Path, target: Path, skip_dirs=frozenset()) -> None:
    for directory, dirnames, filenames in os.walk(source):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and d not in skip_dirs)
        rel = Path(directory).relative_to(source)
        for filename in sorted(filenames):
            if filename.endswith(SKIPPED_SUFFIXES):
                continue
            _copy(Path(directory) / filename, target / rel / filename)


def _copy_licenses(distributions, target: Path) -> None:
    """Each vendored distribution's licence files (the MIT/BSD/Apache terms ask for them)."""
    for dist_name in distributions:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        for file in dist.files or []:
            if any(word in file.name.upper() for word in ("LICENSE", "LICENCE", "COPYING", "NOTICE")):
                source = Path(str(file.locate()))
                if source.is_file():
                    _copy(source, target / dist_name / file.name)


def _copy_zone(name: str, target: Path) -> str | None:
    """The tz database file of ``name``, so the bundle does not depend on the image having tzdata."""
    if name == "UTC":
        return None
    parts = name.split("/")
    for directory in zoneinfo.TZPATH:
        candidate = Path(directory, *parts)
        if candidate.is_file():
            _copy(candidate, target / Path(*parts))
            return name
    try:
        data = files("tzdata").joinpath("zoneinfo", *parts)
        if data.is_file():
            (target / Path(*parts)).parent.mkdir(parents=True, exist_ok=True)
            (target / Path(*parts)).write_bytes(data.read_bytes())
            return name
    except ModuleNotFoundError:
        pass
    return None  # zoneinfo found it somewhere else; the image's tz database will have to do


def _env(playbook_rel: str, params_rel: str | None, settings: BundleSettings) -> dict[str, str]:
    """[hosted.env]: non-secret settings and params; visible in GET /v1/strategies/:id, so never a key."""
    env = {"GRAPHC_PLAYBOOK": f"project/{playbook_rel}", "GRAPHC_QUOTES": "live", "GRAPHC_LIVE": "0"}
    if settings.params:
        env["GRAPHC_SET"] = json.dumps(dict(sorted(settings.params.items())), ensure_ascii=False)
    if params_rel:
        env["GRAPHC_PARAMS"] = f"project/{params_rel}"
    if settings.live:
        env["GRAPHC_LIVE"] = "1"
    return env


def _toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, with non-ASCII left as UTF-8)."""
    return json.dumps(value, ensure_ascii=False)


def _sequence_toml(name: str, env: dict[str, str], settings: BundleSettings) -> str:
    lines = [
        "# Written by `graphc bundle`; deploy with `graphc deploy DIR` or `sequence strategy deploy DIR`.",
        "[strategy]",
        f"name = {_toml_str(name)}",
        'runtime = "python"',
        "",
        "[hosted]",
        'entrypoint = "main.py"',
        "",
    ]
    if settings.latency_target:
        lines += ["[hosted.placement]", f"latency_target = [{', '.join(map(_toml_str, settings.latency_target))}]", ""]
    lines += [
        "[hosted.resources]",
        f"cpu_millis = {int(settings.cpu_millis)}",
        f"memory_mb = {int(settings.memory_mb)}",
        f"timeout_secs = {int(settings.timeout_secs)}",
        "",
        "[hosted.env]",
        *(f"{key} = {_toml_str(value)}" for key, value in env.items()),
        "",
    ]
    return "\n".join(lines)


MAIN_PY = '''\
"""A hosted strategy (its name is STRATEGY_NAME below): runs a graphc playbook on its schedule.

Written by `graphc bundle`. Everything it imports is in vendor/ (pure Python),
so it runs in a bare python:3.12-slim. Settings come from Sequence.toml's
[hosted.env]; the runner injects SEQUENCE_API_KEY, SEQUENCE_API_URL,
SEQUENCE_STRATEGY_ID and SEQUENCE_RUN_ID. GRAPHC_ONCE=1 runs the due
occurrence (if any) and exits; GRAPHC_NOW=ISO8601 fixes the clock.
Exit 0: finished (the runner stops it); non-zero: an error (the runner restarts it).
"""

import os
import sys

STRATEGY_NAME = {name}
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "vendor"))

from graphc.hosted import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(HERE))
'''
