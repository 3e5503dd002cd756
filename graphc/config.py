"""Project configuration: ``graphc.toml`` or ``[tool.graphc]`` in ``pyproject.toml``.

::

    strict = false                 # warnings in this project's files are errors (as --strict)

    [rules]                        # code or name = "error" | "warning" | "off"
    GC405 = "off"
    far-from-mid = "error"

    [venues.polymarket]            # overrides of a venue profile
    min_notional = 1

    [markets."BTC-USD"]            # overrides for one market (symbol as the router spells it)
    tick = 0.5
    sz_decimals = 4                # counts are TOML integers
    price_bands = [[0, "0.10", "0.001"], ["0.10", 1, "0.01"]]

Discovery (:func:`find_config`) walks up from each linted file (or the working
directory) and takes the first ``graphc.toml``, or ``pyproject.toml`` that has
a ``[tool.graphc]`` table (like ruff, a ``pyproject.toml`` without one does not
stop the search); ``graphc.toml`` wins in the same directory. The walk stops at
the directory holding ``.git``.

The keys of ``venues`` and ``markets`` tables are defined once, in
:mod:`graphc.venues.settings`, and every value is typed when the file is read:
a decimal from a TOML integer, float (through its shortest text: ``0.01`` stays
exactly 0.01) or quoted number; a count from a TOML integer only; booleans;
``price_bands`` from an array of ``[lo, hi, tick]`` arrays. An unknown key is a
GC102 with a did-you-mean, a bad value a GC103, both located in the file; the
table keeps only what it could read. :attr:`Config.market_config` hands the
typed settings to the resolver (:class:`graphc.venues.MarketResolver`).

A bad configuration never raises: :func:`load_config` (find, then read) and
:func:`read_config` (one given file) return what they could read plus
diagnostics located in the config file (GC100 TOML syntax, GC102 unknown key
with a did-you-mean, GC103 invalid value).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from graphc.diagnostics import ERROR, MAX_DIAGNOSTICS, WARNING, Diagnostic, Span
from graphc.files import (
    CONFIG_FILE,
    PYPROJECT,
    FileTooBig,
    TomlTooDeep,
    declares_graphc,
    display_path,
    find_project_root,
    is_config_entry,
    leaves_root,
    link_root,
    link_root_named,
    parse_toml,
    read_whole_source,
    real_path,
    unreadable,
)
from graphc.lines import split_lines
from graphc.record import FrozenRecord
from graphc.venues import MarketConfig, SettingError, parse_setting
from graphc.venues.profiles import setting_refusals
from graphc.venues.settings import KEYS as SETTING_KEYS
from graphc.venues.settings import limit_conflict_error, limit_conflicts, lot_conflict

OFF = "off"
LEVELS = (ERROR, WARNING, OFF)
KEYS = ("rules", "venues", "markets", "strict")


class Config(FrozenRecord):
    """Settings read from one config file (all defaults when there is none)."""

    FIELDS = ("path", "rules", "venues", "markets", "strict", "overridden")

    path: Path | None
    rules: dict  # code -> "error" | "warning" | "off"
    venues: dict  # venue name (lower-case) -> {setting: typed value}
    markets: dict  # symbol -> {setting: typed value}
    strict: bool
    # (section, name lower-cased, key) of each venue/market setting ``--config`` gave: a problem found in one later
    # is the command line's, not a line of the file (setting_at)
    overridden: frozenset

    def __init__(
        self,
        path: Path | None = None,
        rules: dict | None = None,
        venues: dict | None = None,
        markets: dict | None = None,
        strict: bool = False,
        overridden: frozenset = frozenset(),
    ):
        d = self.__dict__
        d["path"], d["strict"], d["overridden"] = path, strict, overridden
        d["rules"] = {} if rules is None else rules
        d["venues"] = {} if venues is None else venues
        d["markets"] = {} if markets is None else markets

    @property
    def market_config(self) -> MarketConfig:
        """The ``[venues.*]`` / ``[markets.*]`` settings, for :class:`graphc.venues.MarketResolver`."""
        return MarketConfig(self.venues, self.markets)

    def severity_for(self, code: str, default: str) -> str | None:
        """The configured severity of ``code``, ``default`` if not configured, ``None`` if off."""
        level = self.rules.get(code)
        if level is None:
            return default
        return None if level == OFF else level


def apply_config(diagnostics, config: Config | None) -> list[Diagnostic]:
    """Re-stamp each diagnostic's severity from ``config``; drop the ones turned off; with ``strict = true``, its
    warnings are errors. The one reader of ``strict``: lint, plan, submit, run and bundle all lint through it, so a
    project's ``strict`` refuses in each what it fails in lint (audit cfg20 4)."""
    if config is None or not (config.rules or config.strict):
        return list(diagnostics)
    out = []
    for d in diagnostics:
        severity = config.severity_for(d.code, d.severity)
        if severity is None:
            continue
        out.append(d if severity == d.severity else d.with_(severity=severity))
    return warnings_as_errors(out) if config.strict else out


STRICT_SAID = "`strict = true` in graphc.toml: its warnings are errors"


def warnings_as_errors(diagnostics) -> list[Diagnostic]:
    """``diagnostics`` with each warning an error (``--strict``, ``strict = true``), as a compiler's -Werror."""
    return [d.with_(severity=ERROR) if d.severity == WARNING else d for d in diagnostics]


# -- --config KEY = VALUE ----------------------------------------------------

OVERRIDES = "--config"


def with_overrides(base: Config, texts) -> tuple[Config, list[Diagnostic]]:
    """``base`` with ``--config 'KEY = VALUE'`` settings on top (TOML, as in graphc.toml; ruff's inline form).

    ``rules``, ``venues`` and ``markets`` entries are merged key by key; a key
    given here wins. Problems are diagnostics located in ``--config``.
    """
    text = "\n".join(texts)
    try:
        data = parse_toml(text)
    except ValueError as exc:
        return base, [_toml_error(exc, OVERRIDES)]
    reader = _Reader(Path(OVERRIDES), OVERRIDES, text, ())
    override = reader.read(data)
    if reader.diagnostics:
        return base, reader.diagnostics

    def merged(old: dict, new: dict) -> dict:
        # names match without regard to case, as the file's tables do (MarketConfig looks them up so): an override
        # of `[markets."BTC-USD"]` spelt `btc-usd` goes into the file's table, not beside it where the lookup
        # would never reach it (audit config26 8)
        out = dict(old)
        spelt = {name.lower(): name for name in old}
        for name, fields in new.items():
            name = spelt.get(name.lower(), name)
            out[name] = {**out.get(name, {}), **fields}
        return out

    return base.replace(
        rules={**base.rules, **override.rules},
        venues=merged(base.venues, override.venues),
        markets=merged(base.markets, override.markets),
        strict=override.strict if "strict" in data else base.strict,
        overridden=base.overridden
        | {
            (section, name.lower(), key)
            for section, table in (("venues", override.venues), ("markets", override.markets))
            for name, fields in table.items()
            for key in fields
        },
    ), []


# -- --select / --ignore -----------------------------------------------------


ALL = "ALL"


def parse_selectors(values) -> tuple[str, ...]:
    """``--select``/``--ignore`` values as code prefixes: codes (``GC303``), prefixes (``GC3``), rule names, ``ALL``.

    Each value may list several, comma-separated. Raises ValueError naming a
    selector that matches no rule (with a did-you-mean).
    """
    if not values:
        return ()
    import difflib  # deferred: only --select/--ignore need it

    from graphc.rules import registry  # deferred: it loads every rule; compile and a cached lint run none

    out = []
    for value in values:
        for item in filter(None, (part.strip() for part in value.split(","))):
            if item.upper() == ALL:
                out.append("GC")
                continue
            info = registry.BY_NAME.get(item.lower())
            prefix = info.code if info else item.upper()
            if not any(code.startswith(prefix) for code in registry.RULES) or not prefix.startswith("GC"):
                choices = [*registry.RULES, *registry.BY_NAME]
                guess = difflib.get_close_matches(item, choices, n=1) or difflib.get_close_matches(
                    item.upper(), list(registry.RULES), n=1
                )
                maybe = f" (did you mean {guess[0]!r}?)" if guess else ""
                raise ValueError(f"{item!r} is not a rule code, a code prefix such as GC3, or a rule name{maybe}")
            out.append(prefix)
    return tuple(out)


def select_diagnostics(diagnostics, select: tuple = (), ignore: tuple = ()) -> list[Diagnostic]:
    """Keep the diagnostics ``select`` matches (all when empty) and ``ignore`` does not.

    As in ruff, the more specific selector wins (``--select GC303 --ignore GC3``
    keeps GC303), and ``ignore`` wins a tie. An input error (a GC1xx error: the
    file could not be read or compiled) is kept even when ``select`` leaves its
    code out, unless ``ignore`` names it: the selected rules never ran on that
    file, and an empty report would read as a pass.
    """
    if not select and not ignore:
        return list(diagnostics)
    out = []
    for d in diagnostics:
        code = d.code
        if is_selected(code, select, ignore) or (
            _longest_prefix(code, ignore) < 0 and d.is_error and code.startswith("GC1")
        ):
            out.append(d)
    return out


def is_selected(code: str, select: tuple = (), ignore: tuple = ()) -> bool:
    """Whether ``--select``/``--ignore`` report rule ``code`` (the more specific selector wins, ignore a tie)."""
    selected = _longest_prefix(code, select) if select else len("GC")
    return selected > _longest_prefix(code, ignore)


def _longest_prefix(code: str, prefixes: tuple) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def selected_again(config: Config, select: tuple = ()) -> Config:
    """``config`` with each rule it turns off that ``--select`` names (its code or name, not a prefix such as GC3 or
    ALL) on again, at its default severity: the command line overrides the file, as ruff's does (audit cfg20 5)."""
    on = {code for code in select if config.rules.get(code) == OFF}
    if not on:
        return config
    return config.replace(rules={code: level for code, level in config.rules.items() if code not in on})


def turned_off_text(config: Config) -> str | None:
    """``checks turned off by graphc.toml: GC301, GC405`` for the rules ``config`` turns off (None when none), for
    plan's summary and submit's prompt: "ready" never hides a check the project switched off (audit cfg20 5)."""
    off = sorted(code for code, level in config.rules.items() if level == OFF)
    if not off:
        return None
    return f"checks turned off by {config.path.name if config.path else 'the config'}: {', '.join(off)}"


# -- discovery ---------------------------------------------------------------


def find_config(start=None) -> Path | None:
    """The config file that applies to ``start`` (a file or directory; default: cwd): the one at its project root."""
    return config_at(find_project_root(start))


def config_at(root: Path) -> Path | None:
    """The config file of the project rooted at ``root`` (as :func:`graphc.files.find_project_root` gives it)."""
    if is_config_entry(root / CONFIG_FILE):  # (a broken link too: read_config refuses it, GC100)
        return root / CONFIG_FILE
    if os.path.isfile(root / PYPROJECT) and declares_graphc(root / PYPROJECT):
        return root / PYPROJECT
    return None


def load_config(start=None) -> tuple[Config, list[Diagnostic]]:
    """The config that applies to ``start`` (a linted file or directory; default: cwd).

    Finds it with :func:`find_config` and reads it with :func:`read_config`; an
    empty :class:`Config` (and no diagnostics) when there is none.
    """
    _, config, diagnostics = load_project(start)
    return config, diagnostics


def load_project(start=None) -> tuple[Path, Config, list[Diagnostic]]:
    """(project root, config, the config's problems) of ``start`` (a file, on disk or not, or a directory;
    default: cwd): the root confines its ``use:`` templates and the config is the one at that root, both from
    one :func:`graphc.files.find_project_root` (its real path: a linked folder's file is in the real folder's
    project), so a command never takes its config from one project and its templates from another."""
    root = find_project_root(start)
    config, diagnostics = project_config(root)
    return root, config, diagnostics


def project_config(root: Path) -> tuple[Config, list[Diagnostic]]:
    """The config of the project rooted at ``root`` and its problems (an empty :class:`Config` when it has none):
    a saved plan's, read from the project it records (graphc.submit), wherever the plan file is."""
    path = config_at(root)
    return read_config(path) if path is not None else (Config(), [])


# -- loading -----------------------------------------------------------------


def read_config(path, *, named: bool = False) -> tuple[Config, list[Diagnostic]]:
    """Read one config file (``graphc.toml``, or ``pyproject.toml`` for ``[tool.graphc]``).

    Never raises for bad content; returns what it could read plus diagnostics. One graphc found itself (not
    ``named`` with ``--config``) that is a symbolic link out of its repository (outside any, out of the folder it
    was found in: :func:`graphc.files.link_root`) is not read: a GC100 at the link (audit sec29 1).
    """
    path = Path(path)
    shown = _display(path)
    root = link_root(path.parent, config=True) if not named and os.path.islink(path) else None
    if root is not None and leaves_root(path, root) and os.path.exists(path):
        # (a link to nothing keeps the "cannot be followed" GC100 below: there is nothing there to read)
        return Config(path=path), [
            Diagnostic(
                "GC100",
                f"cannot read config file: it is a symbolic link to {real_path(path)}, outside {link_root_named(root)};"
                " graphc does not read a config it finds through a link out of its repository",
                shown,
                None,
                hint="copy the file into the repository, or name it with `graphc lint --config FILE`",
            )
        ]
    try:
        text = read_whole_source(path)
    except UnicodeDecodeError as exc:
        # at the first bad byte, with the hint a playbook's GC112 has (audit config26 6, 11)
        found, _ = unreadable(shown, exc)
        return Config(path=path), [found.with_(code="GC100", message=f"cannot read config file: {found.message}")]
    except OSError as exc:
        # a config file is read through the gate every input passes: a FIFO or a device is refused rather than
        # waited on or read for ever, one over the size limit is not parsed (a repository's graphc.toml is as
        # untrusted as its playbooks)
        why = exc.strerror or str(exc)
        span = Span(1, 1) if isinstance(exc, FileTooBig) else None
        hint = "split it, or raise the limit (docs/robustness.md)" if span else None
        if os.path.islink(path) and not os.path.exists(path):
            why = f"it is a symbolic link to {_link_target(path)}, which cannot be followed ({why})"
            hint = "check out or restore the file it links to, or remove the link"
        return Config(path=path), [Diagnostic("GC100", f"cannot read config file: {why}", shown, span, hint=hint)]
    try:
        data = parse_toml(text)
    except ValueError as exc:
        return Config(path=path), [_toml_error(exc, shown)]
    prefix: tuple = ()
    if path.name == PYPROJECT:
        prefix = ("tool", "graphc")
        tool = data.get("tool")
        data = tool.get("graphc", {}) if isinstance(tool, dict) else {}
    reader = _Reader(path, shown, text, prefix)
    if not isinstance(data, dict):
        reader.invalid((), "[tool.graphc] must be a table")
        return Config(path=path), reader.diagnostics
    return reader.read(data), reader.diagnostics


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def setting_at(config: Config, section: str, name: str, key: str) -> tuple[str, Span | None] | None:
    """Where ``config``'s file sets ``key`` of ``[section.name]`` (``[markets."X"] tick``): the file as
    diagnostics name it and the key's span (``file`` set; None when the line is not found), or None when the
    config has no file or it cannot be read. Read again when asked: only a problem found after the config was
    read (a tick its market's venue cannot have, graphc.lint) needs it. A setting ``--config`` gave is the
    command line's (``--config``, no span): the file's line for that key holds a value that was not used
    (audit config26 10)."""
    if (section, name.lower(), key) in config.overridden:
        return OVERRIDES, None
    if config.path is None:
        return None
    shown = _display(config.path)
    try:
        text = read_whole_source(config.path)
    except (OSError, UnicodeDecodeError):
        return None
    prefix = ("tool", "graphc") if config.path.name == PYPROJECT else ()
    span = _Reader(config.path, shown, text, prefix).locate((section, name, key))
    return shown, None if span is None else span.replace(file=shown)


def missing_graphc_table(path) -> str | None:
    """Why ``path``, a config file named with ``--config``, holds no graphc settings; None when it may.

    A ``pyproject.toml`` that parses and has no ``[tool.graphc]`` table (a misspelt ``[tool.graphic]``, a
    ``[tools.graphc]``, none at all) would be read as an empty config: discovery passes over such a file
    (docs/output-formats.md), but one the operator named was meant to configure the run, so it is refused
    (exit 2; audit cfgsec 5) with a did-you-mean for a table whose name is near. Any other file, and one that
    cannot be read or parsed, is None: :func:`read_config` reports its problems, located (GC100...).
    """
    path = Path(path)
    if path.name != PYPROJECT:
        return None
    try:
        text = read_whole_source(path)
    except (OSError, UnicodeDecodeError):
        return None
    try:
        data = parse_toml(text)
    except ValueError:  # a syntax error, nested too deep: read_config reports it
        return None
    tool = data.get("tool")
    if isinstance(tool, dict) and "graphc" in tool:
        return None
    return f"{_display(path)} has no [tool.graphc] table, so it holds no graphc settings{_near_table(data)}"


def _near_table(data: dict) -> str:
    """`` (it has [tool.graphic]: did you mean [tool.graphc]?)`` for a table of ``data`` whose name is near
    ``tool.graphc`` (or a top-level ``[graphc]``), else an empty string."""
    import difflib  # deferred: only a pyproject without [tool.graphc] asks

    names = [str(key) for key in data]
    names += [f"{key}.{sub}" for key, table in data.items() if isinstance(table, dict) for sub in table]
    near = difflib.get_close_matches("tool.graphc", names, n=1, cutoff=0.8)
    near = near or difflib.get_close_matches("graphc", [str(key) for key in data], n=1, cutoff=0.8)
    return f" (it has [{near[0]}]: did you mean [tool.graphc]?)" if near else ""


_TOML_POSITION = r"\s*\(at line (\d+), column (\d+)\)\s*$"  # patterns here are compiled by re when used


def _toml_error(exc: ValueError, shown: str) -> Diagnostic:
    """GC100 for what :func:`graphc.files.parse_toml` raised: a syntax error, or nesting past the limit."""
    if isinstance(exc, TomlTooDeep):
        return Diagnostic("GC100", str(exc), shown, Span(exc.line, exc.col), hint=TomlTooDeep.HINT)
    return _syntax_error(exc, shown)


def _syntax_error(exc: ValueError, shown: str) -> Diagnostic:
    message = str(exc)
    line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)  # Python 3.14+
    match = re.search(_TOML_POSITION, message)
    if match:
        message = message[: match.start()]
        line, col = line or int(match.group(1)), col or int(match.group(2))
    message = re.sub(r"\s*\(at end of document\)\s*$", " at the end of the file", message)
    span = Span(line, col or 1) if line else None
    return Diagnostic(
        "GC100", f"TOML syntax error: {message}", shown, span, hint="check the quoting and the brackets on this line"
    )


class _Reader:
    """Validates the config table, collecting diagnostics located in the file."""

    def __init__(self, path: Path, shown: str, text: str, prefix: tuple):
        self.path, self.shown, self.prefix = path, shown, prefix
        self.text = text
        self._index: dict[tuple, Span] | None = None  # built when the first diagnostic is located
        self.diagnostics: list[Diagnostic] = []

    @property
    def full(self) -> bool:
        """Past GRAPHC_MAX_DIAGNOSTICS: a further problem is only counted when reported (graphc.diagnostics.capped),
        so it is neither located nor given a did-you-mean (audit config26 4)."""
        return len(self.diagnostics) >= MAX_DIAGNOSTICS

    def read(self, data: dict) -> Config:
        for key in data:
            if key == "tool" and not self.prefix and isinstance(data[key], dict) and "graphc" in data[key]:
                # [tool.graphc.rules] copied from a pyproject.toml (audit config26 12)
                self.diagnostics.append(
                    Diagnostic(
                        "GC102",
                        f"unknown key 'tool' in {self.path.name}: [tool.graphc] is a table of pyproject.toml",
                        self.shown,
                        self.locate((key,)),
                        hint="drop the `tool.graphc.` prefix here: `[tool.graphc.rules]` is written `[rules]`",
                    )
                )
            elif key not in KEYS:
                self.unknown((key,), key, KEYS, "keys")
        strict = data.get("strict", False)
        if not isinstance(strict, bool):
            self.invalid(("strict",), f"`strict` must be true or false, not {_show(strict)}")
            strict = False
        return Config(
            path=self.path,
            rules=self.rules(data.get("rules", {})),
            venues=self.overrides("venues", data.get("venues", {})),
            markets=self.overrides("markets", data.get("markets", {})),
            strict=strict,
        )

    def rules(self, table) -> dict:
        from graphc.rules import registry  # deferred: it loads every rule; compile and a cached lint run none

        if not isinstance(table, dict):
            self.invalid(("rules",), f"`rules` must be a table of code = level, not {_show(table)}")
            return {}
        rules: dict[str, str] = {}
        seen: dict[str, str] = {}  # code -> the key that set it
        choices = [*registry.RULES, *registry.BY_NAME]
        for key, level in table.items():
            try:
                code = registry.get(key).code
            except KeyError:
                self.unknown(("rules", key), key, choices, "rule codes or names")
                continue
            if not isinstance(level, str) or level.strip().lower() not in LEVELS:
                import difflib  # deferred: only a misspelt level needs it

                guess = difflib.get_close_matches(str(level).lower(), LEVELS, n=1)
                maybe = f" (did you mean {guess[0]!r}?)" if guess else ""
                self.invalid(
                    ("rules", key), f'rule {key} must be "error", "warning" or "off", not {_show(level)}{maybe}'
                )
                continue
            if code in seen:
                self.invalid(
                    ("rules", key),
                    f"rule {code} is set twice, as {seen[code]!r} and {key!r}",
                    "keep one of the two entries",
                )
                continue
            seen[code] = key
            rules[code] = level.strip().lower()
        return rules

    def overrides(self, section: str, table) -> dict:
        """A ``[venues.*]`` or ``[markets.*]`` table, each value typed (:mod:`graphc.venues.settings`)."""
        if not isinstance(table, dict):
            self.invalid((section,), f"`{section}` must be a table of tables, not {_show(table)}")
            return {}
        out = {}
        seen: dict[str, str] = {}  # the name in lower case -> the table's own spelling
        what = "venue" if section == "venues" else "market"
        for name, fields in table.items():
            if name.lower() in seen:
                # TOML reads [venues.polymarket] and [venues.Polymarket] as two tables; graphc as one venue (lookups
                # are case-blind), so one would replace the other without a word: set twice, as in [rules]
                self.invalid(
                    (section, name),
                    f"{what} {name} is set twice, as {seen[name.lower()]!r} and {name!r}",
                    "keep one of the two entries",
                )
                continue
            seen[name.lower()] = name
            if not isinstance(fields, dict):
                self.invalid(
                    (section, name), f"`{section}.{name}` must be a table of setting = value, not {_show(fields)}"
                )
                continue
            values = {}
            for key, value in fields.items():
                if key not in SETTING_KEYS:
                    self.unknown((section, name, key), key, SETTING_KEYS, "settings")
                    continue
                try:
                    values[key] = parse_setting(key, value)
                except SettingError as exc:
                    self.invalid((section, name, key), f"{self._section((section, name))} {exc.message}", exc.hint)
            # a minimum above its maximum (`price_min = 20`, `price_max = 10`): no order meets both. At the key
            # written later, naming both, and neither is used (audit venuenum25 4)
            conflicts = limit_conflicts(values)
            order = list(fields)
            for low, high in conflicts:
                error = limit_conflict_error(low, high, values)
                later = max(low, high, key=order.index)
                self.invalid((section, name, later), f"{self._section((section, name))} {error.message}", error.hint)
            for key in {key for pair in conflicts for key in pair}:
                del values[key]
            lot_error = lot_conflict(values)
            if lot_error is not None:
                later = max("lot", "sz_decimals", key=order.index)
                self.invalid(
                    (section, name, later), f"{self._section((section, name))} {lot_error.message}", lot_error.hint
                )
                del values["lot"]
            if section == "venues":
                # a tick the venue's markets cannot have (venue-rules.md §1-§2), as `tick` or as a band's tick of
                # `price_bands`, or a value looser than a venue-wide fact (its $10 minimum...): an error, not used;
                # a market's own (`[markets."X"]`) is known to be the venue's only when a leg trades it there
                # (graphc.lint)
                for refused in setting_refusals(name.lower(), values):
                    self.invalid(
                        ("venues", name, refused.key),
                        f"{self._section((section, name))} {refused.what} {refused.why}",
                        refused.hint,
                    )
                    del values[refused.key]
            out[name.lower() if section == "venues" else name] = values
        return out

    # -- diagnostics -------------------------------------------------------
    def unknown(self, where: tuple, key: str, choices, what: str):
        if self.full:
            self.diagnostics.append(Diagnostic("GC102", f"unknown key {key!r}", self.shown, None))
            return
        import difflib  # deferred: only a misspelt key needs it

        choices = list(choices)
        guess = difflib.get_close_matches(key, choices, n=1, cutoff=0.6) or difflib.get_close_matches(
            key.lower(), [c.lower() for c in choices], n=1, cutoff=0.6
        )
        message = f"unknown key {key!r} in {self._section(where[:-1])}"
        if re.fullmatch(r"GC\d+", key, re.IGNORECASE):
            hint = "there is no such rule code; `graphc rules` lists them"
        else:
            if guess:
                message += f" (did you mean {guess[0]!r}?)"
            hint = f"known {what}: " + ", ".join(choices[:8]) + (", ..." if len(choices) > 8 else "")
        self.diagnostics.append(Diagnostic("GC102", message, self.shown, self.locate(where), hint=hint))

    def invalid(self, where: tuple, message: str, hint: str | None = None):
        span = None if self.full else self.locate(where)
        self.diagnostics.append(Diagnostic("GC103", message, self.shown, span, hint=hint))

    def _section(self, where: tuple) -> str:
        full = self.prefix + where
        if not full:
            return self.path.name
        # a market is written [markets."SYMBOL"] (symbols hold dots and dashes), as the docs show it
        keys = [f'"{k}"' if i and full[i - 1] == "markets" else _quote_key(k) for i, k in enumerate(full)]
        return "[" + ".".join(keys) + "]"

    def locate(self, where: tuple) -> Span | None:
        """The line that defines ``where`` (a key path), or its nearest ancestor; a heuristic."""
        if self._index is None:
            self._index = _key_index(self.text)
        full = self.prefix + where
        while len(full) >= max(1, len(self.prefix)):
            span = self._index.get(full)
            if span is not None:
                return span
            full = full[:-1]
        return None


# -- finding a key's line (tomllib keeps no positions) ----------------------

_KEY_PART = r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+'
_HEADER = r"^\s*\[\[?(.*?)\]\]?\s*(?:#.*)?$"


def _key_path(text: str) -> tuple | None:
    parts = [p.strip() for p in _split_dots(text)]
    keys = []
    for part in parts:
        if not part or not re.fullmatch(_KEY_PART, part):
            return None
        keys.append(part[1:-1] if part[0] in "\"'" else part)
    return tuple(keys)


def _split_dots(text: str):
    return [m.group() for m in re.finditer(r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.])+', text)]


# A located key path has at most this many parts: [tool.graphc.markets."X"] key
_MOST_PARTS = 5


def _key_index(text: str) -> dict[tuple, Span]:
    """Where each key path of ``text`` is first defined, from one pass over its lines (not one per diagnostic: 8,000
    unknown keys took minutes, audit config26 4): a table header defines its own path; a ``key = value`` line its
    table's path with the key's, and each leading part of that (``[markets."X"]`` then ``tick =``: the first line
    of ``("markets", "X")`` is the header, of ``("markets",)`` too). Paths of up to :data:`_MOST_PARTS` parts."""
    index: dict[tuple, Span] = {}
    current: tuple = ()
    for number, line in enumerate(split_lines(text), start=1):  # at LF, as TOML and editors count lines
        header = re.match(_HEADER, line) if line.lstrip().startswith("[") else None
        if header:
            path = _key_path(header.group(1))
            if path is not None:
                current = path
                col = line.index("[") + 1
                span = Span(number, col, number, len(line.rstrip()) + 1)
                for end in range(1, min(len(path), _MOST_PARTS) + 1):  # (a header defines its ancestors too:
                    index.setdefault(path[:end], span)  # `[tool.graphc.rules]` is where `tool` is first written)
            continue
        key_text, col = _key_before_equals(line)
        if key_text is None:
            continue
        path = _key_path(key_text)
        if path is None:
            continue
        full = (current + path)[:_MOST_PARTS]
        here = Span(number, col, number, col + len(key_text))
        for end in range(1, len(full) + 1):
            index.setdefault(full[:end], here)
    return index


def _key_before_equals(line: str):
    stripped = line.lstrip()
    if not stripped or stripped[0] in "#[":
        return None, 0
    quote = None
    for i, ch in enumerate(stripped):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "=":
            return stripped[:i].rstrip(), len(line) - len(stripped) + 1
    return None, 0


def _quote_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def _show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)):
        return str(value)
    return f"{type(value).__name__} {value}"  # dates and times


def _display(path: Path) -> str:

    return display_path(str(path))
