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

The bundle proves itself before it is put in place (:func:`_prove`): the occurrences checked are linted again
from its own ``project/``, as the strategy reads it, and must make the same graphs; else it is refused (a
template reached through a link inside the project is the usual cause: the bundle holds regular files only).

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
from graphc.resources import resource_path
from graphc.run import hosted_settings
from graphc.schedule import read_scheduled
from graphc.stages.legs import LIVE_QUOTE_SKIP
from graphc.stages.model import NAME_PATTERN
from graphc.strategies import (
    BUNDLE_MARKER,
    CHECKED_SETTINGS,
    LIVE_VARIABLE,
    DeployError,
    project_sha256,
    read_strategy_dir,
)
from graphc.submit import compile_options_for

__all__ = ["BundleError", "BundleSettings", "remove_earlier_bundle", "runtime_distributions", "write_bundle"]

# graphc's dependencies that the run path never imports (they explain a broken playbook, or serve
# other commands); everything else graphc requires is vendored with its own requirements.
NOT_ON_RUN_PATH = frozenset({"click", "jsonschema", "networkx", "ruamel-yaml", "ruamel.yaml"})
SKIPPED_SUFFIXES = (".so", ".pyd", ".dylib", ".dll", ".c", ".h", ".pyx", ".pxd", ".pyi", ".pyc")
MARKER = BUNDLE_MARKER  # says "graphc wrote this directory": only such a directory is replaced
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
    proved: int = 0  # occurrences linted again from the bundle's own copy, each making the project's graph
    live: bool = False  # the strategy may trade live: a live playbook bundled with --live (GRAPHC_LIVE=1)


@dataclass
class _Checked:
    """One occurrence linted from the project: the graph it makes, and the links inside the project on the way to
    the templates it reads (the bundle copies a template at its target's path only)."""

    at: datetime
    wire_text: str | None
    links: list[tuple[str, str, bool]]  # (the link's path in the project, what it points to, to a folder?)


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
    used, diagnostics, live, skip_notes, checked = _check_occurrences(playbook, root, scheduled, settings)
    name = settings.name if settings.name is not None else scheduled.name or playbook.stem
    notes = []
    chain = use_chain(playbook, root)  # what the `use:` name as written, on every date: not only the next ones
    if chain.expressions:
        every = set(_outside_bundles(project_templates(root), root, Path(settings.out)))
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
        env = _env(playbook.relative_to(root).as_posix(), params_rel, settings, live=settings.live and live)
        (staging / "Sequence.toml").write_text(_sequence_toml(name, env, settings), encoding="utf-8")
        (staging / "main.py").write_text(MAIN_PY.format(name=repr(name)), encoding="utf-8")
        marker = {
            "graphc_bundle": 1,
            "name": name,
            "playbook": env["GRAPHC_PLAYBOOK"],
            "vendored": vendored,
            # what _prove checks below: `graphc deploy` refuses a project/ edited since (audit live23 F1)
            "project_sha256": project_sha256(staging / "project"),
            # the settings _prove checks with: deploy and strategy start refuse others (audit hosted27 5)
            "checked_env": {key: env[key] for key in CHECKED_SETTINGS if key in env},
        }
        (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
        written = ["Sequence.toml", "main.py", MARKER, *written]
        _prove(staging, checked)  # before it is in place: a bundle that would fail at run time is never written
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
    return BundleResult(
        out, name, written, diagnostics, vendored, warnings, skip_notes, notes, len(checked), settings.live and live
    )


# -- checking the playbook --------------------------------------------------------------------


def _outside_bundles(templates: list[Path], root: Path, out: Path) -> list[Path]:
    """``templates`` without those under the ``-o`` folder or under any folder holding graphc-bundle.json: an earlier
    bundle's output (written inside the project, as `-o strategy` from its root is) is no template folder, and
    copying it made each bundle hold the one before it (audit hosted27 1). `graphc lint DIR` still lints them."""
    target = real_path(out)
    marked: dict[Path, bool] = {}

    def in_a_bundle(folder: Path) -> bool:
        if folder not in marked:
            inside = folder != root and folder.is_relative_to(root)
            marked[folder] = inside and ((folder / MARKER).is_file() or in_a_bundle(folder.parent))
        return marked[folder]

    return [t for t in templates if not t.is_relative_to(target) and not in_a_bundle(t.parent)]


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
    checked: list[_Checked] = []
    for occurrence in occurrences:
        outcome = _lint_occurrence(
            text, playbook, root, config, schedule, occurrence, settings.params, settings.params_file
        )
        # templates only: not the params file, nor a template looked for and not found (files_read names both,
        # as they were reached: resolved here, so a template is bundled where it is)
        # (refused below when it does not lint: a `use:` that loops or leads out is one of its errors, not a crash)
        refused = outcome.has_errors or outcome.refusal is not None
        reached = [] if refused else [(path, real_path(Path(path))) for path, _ in outcome.files_read]
        templates = [(path, real) for path, real in reached if real != params_path and os.path.isfile(real)]
        used.update(real for _, real in templates)
        links = [link for path, _ in templates if (link := _link_on_the_way(path, root)) is not None]
        checked.append(_Checked(occurrence, outcome.wire_text, links))
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
        checked,
    )


def _lint_occurrence(
    text: str, playbook: Path, root: Path, config, schedule, occurrence: datetime, params, params_file
):
    """One occurrence of the playbook, rendered, compiled and linted without quotes (those are live): from the
    project, and again from the bundle's own copy (:func:`_prove`)."""
    options = compile_options_for(  # as the strategy's runner builds them: the config's market facts too (recur23 1)
        config,
        params=params,
        params_file=params_file,
        now=occurrence,
        schedule=schedule,
        project_root=str(root),
        live_quotes=True,
    )
    return lint_source(text, str(playbook), LintOptions(compile=options, config=config), explicit=True)


def _link_on_the_way(reached: str, root: Path) -> tuple[str, str, bool] | None:
    """The first symbolic link inside ``root`` on the way to a template, as reached (``/r/t/link.yaml``): its path in
    the project, what it points to, and whether it is a folder's link; None when there is none."""
    path = Path(reached)
    if not path.is_relative_to(root):
        return None
    step = root
    for part in path.relative_to(root).parts:
        step = step / part
        if os.path.islink(step):
            try:
                target = os.readlink(step)
            except OSError:
                target = "?"
            return step.relative_to(root).as_posix(), target, os.path.isdir(step)
    return None


def _prove(staging: Path, checked: list[_Checked]) -> None:
    """The bundle proves itself before it is put in place: each occurrence checked is linted again from the bundle's
    own copy, as the hosted strategy reads it (Sequence.toml's [hosted.env] read as deploy reads it, and as
    graphc.hosted takes it: the playbook, GRAPHC_SET, GRAPHC_PARAMS, GRAPHC_LIVE; the bundled config), and must make
    the same graph, wire JSON for wire JSON. Else BundleError (exit 1), naming the occurrence and the first error or
    difference, and a link inside the project on the way to its templates, which the bundle does not hold."""
    bundle_dir = staging.resolve()

    def refuse(why: str, item: _Checked | None = None) -> BundleError:
        said = f"the occurrence at {item.at:%Y-%m-%dT%H:%MZ}, " if item is not None else ""
        hints = [
            f"{link} is a symbolic link inside the project (to {target}); the bundle cannot hold links: "
            f"replace it with the {'folder' if folder else 'file'}"
            for link, target, folder in dict.fromkeys(item.links if item is not None else [])
        ]
        return BundleError(
            f"{said}linted again from the bundle's own copy (project/, as the hosted strategy reads it), "
            + "; ".join([why, *hints]),
            1,
        )

    def shown(diagnostics) -> str:
        first = next(d for d in diagnostics if d.is_error)
        path = Path(first.path)
        if path.is_relative_to(bundle_dir):
            first = first.with_(path=path.relative_to(bundle_dir).as_posix())
        return f"{first.location()}: {first.code} {first.message}"

    try:
        run = hosted_settings(str(bundle_dir), read_strategy_dir(bundle_dir).env)
    except (DeployError, ValueError) as exc:
        raise refuse(f"cannot be read as the hosted strategy reads it: {exc}") from None
    playbook = Path(run.playbook)
    try:
        scheduled = read_scheduled(playbook)
    except (OSError, UnicodeDecodeError) as exc:
        raise refuse(f"has no playbook to read: {getattr(exc, 'strerror', None) or exc}") from None
    if scheduled.schedule is None or any(d.is_error for d in scheduled.diagnostics):
        raise refuse("has a playbook whose schedule cannot be read")
    config, problems = load_config(playbook)
    if any(d.is_error for d in problems):
        raise refuse(f"has a config with errors: {shown(problems)}")
    root = find_project_root(playbook)
    for item in checked:
        outcome = _lint_occurrence(
            scheduled.text or "", playbook, root, config, scheduled.schedule, item.at, run.params, run.params_file
        )
        if outcome.refusal is not None:
            raise refuse(f"does not lint: {outcome.refusal}", item)
        if outcome.has_errors:
            raise refuse(f"does not lint: {shown(outcome.result.diagnostics)}", item)
        if outcome.wire_text != item.wire_text:
            raise refuse(
                f"makes another graph than the project: {_first_difference(item.wire_text, outcome.wire_text)}", item
            )
        if outcome.wire is not None and outcome.wire.get("is_sandbox") is False and not run.live:
            raise refuse("is a LIVE graph, and the bundle's GRAPHC_LIVE is not 1", item)


def _first_difference(made: str | None, copied: str | None) -> str:
    """Where the wire JSON made from the bundle's copy first differs from the project's, by line."""
    if made is None or copied is None:
        return "the project makes no graph" if made is None else "the bundle's copy makes no graph"
    for number, (mine, theirs) in enumerate(itertools.zip_longest(made.splitlines(), copied.splitlines()), 1):
        if mine != theirs:
            return (
                f"line {number} of the graph's JSON is `{(theirs or '(the end)').strip()}` from the bundle, "
                f"`{(mine or '(the end)').strip()}` from the project"
            )
    return "the graph's JSON differs"


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


def remove_earlier_bundle(out: Path) -> str | None:
    """After a bundle failed: an earlier bundle at OUT (a directory with graphc's marker) is removed, as every
    command's ``-o`` removes an earlier run's output when it fails, so that `graphc deploy OUT` never deploys it as
    this one. What was done, in words; None when nothing was there (a directory graphc did not write, a link and a
    file are left alone)."""
    if os.path.islink(out) or not os.path.isfile(out / MARKER):
        return None
    try:
        shutil.rmtree(out)
    except OSError as exc:
        return (
            f"warning: {out} is an earlier bundle, not this one (it failed), and it could not be removed: "
            f"{exc.strerror or exc}"
        )
    return f"removed {out} (an earlier bundle): this bundle failed, so it must not be deployed as its bundle"


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


def _env(playbook_rel: str, params_rel: str | None, settings: BundleSettings, *, live: bool) -> dict[str, str]:
    """[hosted.env]: non-secret settings and params; visible in GET /v1/strategies/:id, so never a key.
    ``GRAPHC_LIVE`` is 1 only for a live playbook bundled with --live: what the strategy trades in, shown."""
    env = {"GRAPHC_PLAYBOOK": f"project/{playbook_rel}", "GRAPHC_QUOTES": "live", LIVE_VARIABLE: "1" if live else "0"}
    if settings.params:
        env["GRAPHC_SET"] = json.dumps(dict(sorted(settings.params.items())), ensure_ascii=False)
    if params_rel:
        env["GRAPHC_PARAMS"] = f"project/{params_rel}"
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
