"""Benchmark graphc against what a user would run instead, as paired ratios.

    pip install -r bench/requirements.txt   # check-jsonschema and yamllint (run.py installs them if missing)
    python bench/run.py                     # 7 rounds; writes bench/RESULTS.md
    python bench/run.py --runs 3 --readme   # fewer rounds; also copy the tables into README.md

This machine class is shared and noisy, so nothing here compares two medians
taken at different moments. Every command runs once per **round**; the rounds
alternate direction (A B C ... then ... C B A), and each ratio is computed
**within a round** from that round's own measurements (a burst of load hits
numerator and denominator alike). A verdict is the **median of the per-round
ratios**, shown with their min-max. Times are wall times of whole processes
(interpreter start-up, imports, reading the files, output) unless the row says
"in-process"; peak memory is the child's own maximum resident set (``wait4``;
Linux counts the bench process's size at the fork into it, so the bench keeps
itself small: about 20 MB).

What runs (all over files written by bench/make_corpus.py, fixed seed):

- the floor: ``bench/parse_floor.py FILES`` -- PyYAML's C loader, nothing else,
  over the 1,000-playbook corpus, over its first file, and over the
  100,000-leg playbook;
- ``graphc lint`` of the corpus with a warm cache (filled by the untimed
  warm-up round, files unchanged), and ``graphc lint --no-cache`` cold with
  ``-j 1`` (one process, like the floor) and with ``-j auto``; ``-j 2`` too,
  whose output must equal ``-j 1``'s, and the warm output must equal the cold;
- one file: ``graphc lint --no-cache FILE`` against ``yamllint FILE``;
- ``graphc compile`` of the 100,000-leg playbook (written to a file), time and
  peak memory, against the floor parsing the same file;
- for context: check-jsonschema and yamllint over the corpus, ``graphc
  --version`` against a bare import of graphc's five core dependencies;
- scaling, in-process (after imports: bench/scale_one.py, bench/scale_wire.py):
  compile + lint of 1k/10k/100k-leg playbooks, and lint and decompile of
  3k/30k-node wire graphs (compact JSON; 30k nodes is about as large as the
  10 MB file limit allows); with decompile, the floor of its round-trip proof
  (``json.loads`` of the 30k graph and libyaml's event stream of the playbook
  decompile writes for it), which no decompile that reads its playbook back
  can go under, and decompile without that proof (read, check, build, write);
  and ``json.loads`` alone of the 3k and 30k graphs, whose own 30k ÷ 3k ratio
  shows how far this machine's caches bend the "linear" rows: counted in
  instructions (``valgrind --tool=callgrind``, which no load disturbs), lint of
  the 30k graph does 9.99x the work of the 3k graph (3,543 M against 355 M
  instructions on 447cf34), so a wall-time ratio above 10 there is
  the memory hierarchy, not the algorithm.
- fmt, in-process (bench/scale_fmt.py): ``graphc fmt``'s work (format_text) on a
  200- and a 2,000-leg block-style playbook written out of fmt's order
  (``corpus/scaling/fmt-N.yaml``), and on the 2,000 legs already formatted (what
  ``fmt --check`` does on a clean file), against ruamel.yaml's own round trip
  (``YAML(typ="rt")`` load + dump) of the same file: fmt reads and writes with
  it, so that is the floor; and the 2,000 ÷ 200 legs ratio (linear: 10).

graphc's modules are compiled to bytecode first (bench/run.py `compile_bytecode`),
as pip does on install, so no run pays for compiling them from source.

"Start-up" in the per-file ratio is each tool's own one-file run: graphc's
per-file work is ``lint(corpus) - lint(one file)``, the floor's is
``parse(corpus) - parse(one file)``, both from the same round.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = HERE / "corpus" / "playbooks"
SCALING = HERE / "corpus" / "scaling"
SCHEMA = REPO / "schemas" / "playbook.schema.json"
RESULTS = HERE / "RESULTS.md"
README = REPO / "README.md"
SIZES = (1000, 10000, 100000)  # legs of the scaling playbooks
WIRE_SIZES = (3000, 30000)  # nodes of the scaling wire graphs
FMT_SIZES = (200, 2000)  # legs of the fmt playbooks (bench/make_corpus.py fmt_playbook)
IMPORTS = "import yaml, jsonschema, networkx, jinja2, click"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def tool(name: str) -> str | None:
    """The console script ``name`` installed next to this interpreter, else on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


def ensure_baselines(install: bool):
    missing = [name for name in ("check-jsonschema", "yamllint") if tool(name) is None]
    if missing and install:
        print(f"installing {', '.join(missing)}: pip install -r bench/requirements.txt", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")], check=True)
        missing = [name for name in missing if tool(name) is None]
    if missing:
        sys.exit(f"bench: {', '.join(missing)} not found; run `pip install -r bench/requirements.txt`")


def graphc_cmd() -> list[str]:
    script = tool("graphc")
    return [script] if script else [sys.executable, "-m", "graphc"]


def installed_graphc() -> Path:
    """The folder of the graphc package the timed commands import (not necessarily this checkout's)."""
    where = subprocess.run(  # from a neutral folder: `-c` puts the current one first on sys.path
        [sys.executable, "-c", "import graphc, os; print(os.path.dirname(graphc.__file__))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    ).stdout.strip()
    return Path(where)


def compile_bytecode(where: Path) -> None:
    """Compile graphc's modules to bytecode, as `pip install` does for every package it installs.

    An editable install (or PYTHONDONTWRITEBYTECODE=1) would otherwise make every
    timed graphc run compile its modules from source, while the baselines load
    the bytecode pip wrote for them.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(where)], check=True, capture_output=True)


def ensure_corpus(count: int) -> list[Path]:
    files = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []
    sizes = sorted({*SIZES, *WIRE_SIZES})
    wanted = [SCALING / f"legs-{n}.yaml" for n in sizes] + [SCALING / f"fmt-{n}.yaml" for n in FMT_SIZES]
    if len(files) != count or not all(path.exists() for path in wanted):
        subprocess.run(
            [sys.executable, str(HERE / "make_corpus.py"), "--count", str(count), "--scaling", *map(str, sizes)]
            + ["--fmt", *map(str, FMT_SIZES)],
            check=True,
        )
        files = sorted(CORPUS.glob("*.yaml"))
    return files


def ensure_wires(graphc: list[str]) -> None:
    """``wire-N.json``: the compiled ``legs-N.yaml`` as compact JSON (the form a router client sends)."""
    for n in WIRE_SIZES:
        wire = SCALING / f"wire-{n}.json"
        playbook = SCALING / f"legs-{n}.yaml"
        if wire.exists() and wire.stat().st_mtime >= playbook.stat().st_mtime:
            continue
        # The scaling graphs hold integers and short fractions (fill ratios): floats give them back exactly.
        # Piped from child to child: Linux carries a process's peak memory into the children it starts,
        # so the bench process itself must stay small or every child's peak reads as at least its size.
        compact = "import json, sys; sys.stdout.write(json.dumps(json.load(sys.stdin), separators=(',', ':')) + '\\n')"
        with open(wire, "wb") as fh:
            compiling = subprocess.Popen(graphc + ["compile", str(playbook)], stdout=subprocess.PIPE)
            subprocess.run([sys.executable, "-c", compact], stdin=compiling.stdout, stdout=fh, check=True)
            compiling.stdout.close()
            if compiling.wait() != 0:
                sys.exit(f"bench: graphc compile {playbook}: exit {compiling.returncode}")
    # The same graph and playbook with one typo in their last node (leg): what a finding costs a large file.
    # Written by a child, as above: the bench process stays small.
    big = WIRE_SIZES[-1]
    typo_in_last = (
        "import sys; clean, typo, written = sys.argv[1:]; text = open(clean, encoding='utf-8').read(); "
        "at = text.rindex(written); open(typo, 'w', encoding='utf-8').write("
        "text[:at] + written.replace('sor', 'sorr', 1) + text[at + len(written):])"
    )
    for clean, typo, written in (
        (SCALING / f"wire-{big}.json", SCALING / f"wire-{big}-typo.json", '"policy":"sor"'),
        (SCALING / f"legs-{big}.yaml", SCALING / f"legs-{big}-typo.yaml", "policy: aggressive_chase"),
    ):
        if not typo.exists() or typo.stat().st_mtime < clean.stat().st_mtime:
            subprocess.run([sys.executable, "-c", typo_in_last, str(clean), str(typo), written], check=True)


@dataclass
class Command:
    key: str
    label: str
    argv: list[str]
    ok: tuple = (0,)
    reports_seconds: bool = False  # in-process rows print {"seconds": ...} as their last line
    times: list = field(default_factory=list)
    rss_mb: list = field(default_factory=list)
    outputs: list = field(default_factory=list)

    def run_once(self, scratch: Path) -> None:
        out_path, err_path = scratch / f"{self.key}.out", scratch / f"{self.key}.err"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(self.argv, cwd=REPO, stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in self.ok:
            sys.exit(
                f"bench: {self.label}: exit {proc.returncode} (expected {self.ok})\n"
                f"{err_path.read_text(errors='replace')[-2000:]}"
            )
        stdout = out_path.read_bytes()
        if self.reports_seconds:
            elapsed = json.loads(stdout.decode().strip().splitlines()[-1])["seconds"]
        self.times.append(elapsed)
        self.rss_mb.append(usage.ru_maxrss / 1024)  # Linux: KiB
        self.outputs.append(stdout)

    def clear(self) -> None:
        self.times.clear(), self.rss_mb.clear(), self.outputs.clear()


@dataclass
class Ratio:
    label: str
    per_round: object  # (round: {key: Sample}) -> float
    threshold: float | None = None
    strict: bool = False  # `<` instead of `<=`
    unit: str = ""  # "" (a ratio) or " s"

    def values(self, rounds: list[dict]) -> list[float]:
        return [self.per_round(r) for r in rounds]

    def verdict(self, median: float) -> bool | None:
        if self.threshold is None:
            return None
        return median < self.threshold if self.strict else median <= self.threshold

    @property
    def shown_threshold(self) -> str:
        if self.threshold is None:
            return "—"
        return f"{'<' if self.strict else '≤'} {self.threshold:g}{self.unit}"


@dataclass
class Sample:
    seconds: float
    rss_mb: float


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or "unknown"
    import yaml

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pyyaml": f"{yaml.__version__} ({'libyaml' if getattr(yaml, '__with_libyaml__', False) else 'no libyaml'})",
        "memory": _memory(),
        "commit": _commit(installed_graphc().parent),
    }


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _commit(checkout: Path) -> str:
    """The commit of the graphc measured, marked when its working tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "graphc"], cwd=checkout, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return head.stdout.strip() + (" (graphc/ modified)" if dirty.stdout.strip() else "") or "unknown"


def version_of(cmd) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    match = re.search(r"\d+\.\d+(?:\.\d+)?", out)
    return match.group(0) if match else out or "?"


def corpus_stats(files) -> dict:
    import yaml

    legs = edges = 0
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for leg in (data.get("legs") or {}).values():
            legs += 1
            after = leg.get("after")
            edges += len(after) if isinstance(after, list) else (after is not None)
        edges += len(data.get("edges") or [])
    return {"files": len(files), "kib": sum(p.stat().st_size for p in files) / 1024, "legs": legs, "edges": edges}


def fmt_s(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"


def lint_features(graphc: list[str]) -> set[str]:
    """What this graphc's lint offers ("cache": --no-cache, "auto": -j auto); rows that need more are skipped."""
    text = subprocess.run(graphc + ["lint", "--help"], capture_output=True, text=True).stdout
    return {name for name, flag in (("cache", "--no-cache"), ("auto", "auto")) if flag in text}


def commands(files: list[Path], graphc: list[str], out_dir: Path, features: set[str]) -> list[Command]:
    py = sys.executable
    rel = [str(p.relative_to(REPO)) for p in files]
    one = rel[0]
    corpus = str(CORPUS.relative_to(REPO))
    floor = str((HERE / "parse_floor.py").relative_to(REPO))
    big = str((SCALING / "legs-100000.yaml").relative_to(REPO))
    lint = graphc + ["lint"]
    no_cache = ["--no-cache"] if "cache" in features else []
    found = (0, 1)  # lint exits 1 when it finds errors (the corpus has some on purpose)
    cmds = [
        Command("floor", "floor: PyYAML C loader, corpus", [py, floor, *rel]),
        Command("floor1", "floor: PyYAML C loader, one file", [py, floor, one]),
        Command("warm", "`graphc lint` corpus, warm cache (files unchanged)", lint + [corpus], ok=found),
        Command("cold", "`graphc lint --no-cache -j 1` corpus", lint + [*no_cache, "-j", "1", corpus], ok=found),
        Command("cold1", "`graphc lint --no-cache` one file", lint + [*no_cache, one], ok=found),
        Command(
            "yl1",
            "`yamllint` one file (style only)",
            [tool("yamllint"), "-f", "parsable", "-c", str((HERE / "yamllint.yaml").relative_to(REPO)), one],
            ok=found,
        ),
        Command("auto", "`graphc lint --no-cache -j auto` corpus", lint + [*no_cache, "-j", "auto", corpus], ok=found),
        Command("j2", "`graphc lint --no-cache -j 2` corpus", lint + [*no_cache, "-j", "2", corpus], ok=found),
        Command(
            "compile100k",
            "`graphc compile` 100,000 legs (to a file)",
            graphc + ["compile", big, "-o", str(out_dir / "wire.json")],
        ),
        Command("floor100k", "floor: PyYAML C loader, 100,000 legs", [py, floor, big]),
        Command(
            "cj",
            "`check-jsonschema --schemafile schemas/playbook.schema.json` corpus",
            [tool("check-jsonschema"), "--schemafile", str(SCHEMA.relative_to(REPO)), *rel],
        ),
        Command(
            "yl",
            "`yamllint` corpus (style only)",
            [tool("yamllint"), "-f", "parsable", "-c", str((HERE / "yamllint.yaml").relative_to(REPO)), *rel],
            ok=found,
        ),
        Command("version", "`graphc --version`", graphc + ["--version"]),
        Command("import", f'`python -c "{IMPORTS}"`', [py, "-c", IMPORTS]),
    ]
    for n in SIZES:
        playbook = str((SCALING / f"legs-{n}.yaml").relative_to(REPO))
        cmds.append(
            Command(
                f"scale{n}",
                f"compile + lint, {n:,} legs (in-process)",
                [py, str((HERE / "scale_one.py").relative_to(REPO)), playbook],
                reports_seconds=True,
            )
        )
    for n in WIRE_SIZES:
        wire = str((SCALING / f"wire-{n}.json").relative_to(REPO))
        cmds.append(
            Command(
                f"jsonwire{n}",
                f"`json.loads` of a wire graph of {n:,} nodes (in-process)",
                [py, str((HERE / "scale_wire.py").relative_to(REPO)), "json", wire],
                reports_seconds=True,
            )
        )
        for what in ("lint", "decompile"):
            cmds.append(
                Command(
                    f"{what}wire{n}",
                    f"{what} a wire graph of {n:,} nodes (in-process)",
                    [py, str((HERE / "scale_wire.py").relative_to(REPO)), what, wire],
                    ok=(0, 1) if what == "lint" else (0,),
                    reports_seconds=True,
                )
            )
    big_wire = str((SCALING / f"wire-{WIRE_SIZES[-1]}.json").relative_to(REPO))
    cmds.append(
        Command(
            "typowire",
            f"lint a wire graph of {WIRE_SIZES[-1]:,} nodes with one typo in its last node (in-process)",
            [py, str((HERE / "scale_wire.py").relative_to(REPO)), "lint", big_wire.replace(".json", "-typo.json")],
            ok=(0, 1),
            reports_seconds=True,
        )
    )
    for suffix, what in (("", ""), ("-typo", ", one typo in its last leg")):
        playbook = str((SCALING / f"legs-{WIRE_SIZES[-1]}{suffix}.yaml").relative_to(REPO))
        cmds.append(
            Command(
                f"scale{WIRE_SIZES[-1]}{suffix}",
                f"compile + lint, {WIRE_SIZES[-1]:,} legs{what} (in-process)",
                [py, str((HERE / "scale_one.py").relative_to(REPO)), playbook],
                ok=(0, 1),
                reports_seconds=True,
            )
        )
    cmds.append(
        Command(
            "unprovenwire",
            f"decompile without its round-trip proof, {WIRE_SIZES[-1]:,} nodes (in-process)",
            [py, str((HERE / "scale_wire.py").relative_to(REPO)), "unproven", big_wire],
            reports_seconds=True,
        )
    )
    cmds.append(
        Command(
            "floorwire",
            f"floor of decompile's proof, {WIRE_SIZES[-1]:,} nodes: `json.loads` + libyaml events of its playbook",
            [py, str((HERE / "scale_wire.py").relative_to(REPO)), "floor", big_wire],
            reports_seconds=True,
        )
    )
    small_fmt, big_fmt = FMT_SIZES
    for key, mode, n, label in (
        (f"fmt{small_fmt}", "fmt", small_fmt, f"fmt of a {small_fmt:,}-leg playbook written out of order"),
        (f"fmt{big_fmt}", "fmt", big_fmt, f"fmt of a {big_fmt:,}-leg playbook written out of order"),
        (f"fmtclean{big_fmt}", "clean", big_fmt, f"fmt of the same {big_fmt:,} legs already formatted (`--check`)"),
        (f"ruamel{big_fmt}", "ruamel", big_fmt, f"ruamel.yaml's own round trip (load + dump) of the {big_fmt:,} legs"),
    ):
        playbook = str((SCALING / f"fmt-{n}.yaml").relative_to(REPO))
        cmds.append(
            Command(
                key,
                f"{label} (in-process)",
                [py, str((HERE / "scale_fmt.py").relative_to(REPO)), mode, playbook],
                reports_seconds=True,
            )
        )
    wanted = {"warm": "cache", "auto": "auto"}
    return [c for c in cmds if wanted.get(c.key, "") in features | {""}]


def ratios() -> tuple[list[Ratio], list[Ratio]]:
    """(issue 14's "done when" rows, the other rows); each is computed within one round."""
    big_wire = WIRE_SIZES[-1]
    done_when = [
        Ratio("warm `graphc lint` ÷ C-parse floor (corpus)", lambda r: r["warm"].seconds / r["floor"].seconds, 0.5),
        Ratio(
            "cold `lint --no-cache -j 1` after start-up ÷ floor after start-up: (corpus − one file) ÷ (corpus − one file)",
            lambda r: (r["cold"].seconds - r["cold1"].seconds) / (r["floor"].seconds - r["floor1"].seconds),
            1.5,
        ),
        Ratio("one file: `graphc lint --no-cache` ÷ `yamllint`", lambda r: r["cold1"].seconds / r["yl1"].seconds, 1.0),
        Ratio(
            "`graphc compile` 100k legs ÷ C-parse of the file: time",
            lambda r: r["compile100k"].seconds / r["floor100k"].seconds,
            0.5,
        ),
        Ratio(
            "`graphc compile` 100k legs ÷ C-parse of the file: peak memory",
            lambda r: r["compile100k"].rss_mb / r["floor100k"].rss_mb,
            1.0,
        ),
    ]
    other = [
        Ratio(
            "cold `lint --no-cache -j auto` after start-up ÷ floor after start-up",
            lambda r: (r["auto"].seconds - r["cold1"].seconds) / (r["floor"].seconds - r["floor1"].seconds),
        ),
        Ratio(
            "cold `lint --no-cache -j 1` ÷ check-jsonschema (corpus)",
            lambda r: r["cold"].seconds / r["cj"].seconds,
            1,
            strict=True,
        ),
        Ratio("cold `lint --no-cache -j 1` ÷ yamllint (corpus)", lambda r: r["cold"].seconds / r["yl"].seconds),
        Ratio(
            "`lint --no-cache -j 2` ÷ `-j 1` (corpus)", lambda r: r["j2"].seconds / r["cold"].seconds, 1, strict=True
        ),
        Ratio(
            "`graphc --version` ÷ bare import of the five dependencies",
            lambda r: r["version"].seconds / r["import"].seconds,
            0.3,
        ),
        Ratio(
            "compile + lint 10k legs ÷ 1k legs (linear: 10)",
            lambda r: r["scale10000"].seconds / r["scale1000"].seconds,
            12,
        ),
        Ratio(
            "compile + lint 100k legs ÷ 10k legs (linear: 10)",
            lambda r: r["scale100000"].seconds / r["scale10000"].seconds,
            12,
        ),
    ]
    small, big = WIRE_SIZES
    other.append(
        Ratio(  # context for the two rows below: how this machine's memory bends even C code's growth
            f"`json.loads` wire {big // 1000}k nodes ÷ {small // 1000}k nodes (the C parser alone; linear: {big // small})",
            lambda r: r[f"jsonwire{big}"].seconds / r[f"jsonwire{small}"].seconds,
        )
    )
    for what in ("lint", "decompile"):
        other.append(
            Ratio(
                f"{what} wire {big // 1000}k nodes ÷ {small // 1000}k nodes (linear: {big // small})",
                lambda r, w=what: r[f"{w}wire{big}"].seconds / r[f"{w}wire{small}"].seconds,
                1.2 * big / small,
            )
        )
        other.append(
            Ratio(
                f"{what} of a wire graph, seconds per 100k nodes (issue 12)",
                lambda r, w=what: r[f"{w}wire{big_wire}"].seconds * 100_000 / big_wire,
                2,
                unit=" s",
            )
        )
    other += [
        Ratio(
            f"lint wire {big_wire // 1000}k nodes with one typo in its last node ÷ the same graph clean",
            lambda r: r["typowire"].seconds / r[f"lintwire{big_wire}"].seconds,
            1.5,
        ),
        Ratio(  # a YAML file's positions are read again for its first finding (its events are not kept)
            f"compile + lint {big_wire // 1000}k legs with one typo in its last leg ÷ the same playbook clean",
            lambda r: r[f"scale{big_wire}-typo"].seconds / r[f"scale{big_wire}"].seconds,
        ),
        Ratio(
            "floor of decompile's proof (`json.loads` of the graph + libyaml events of its playbook), s per 100k nodes",
            lambda r: r["floorwire"].seconds * 100_000 / big_wire,
            unit=" s",
        ),
        Ratio(
            "decompile without its proof (read and check the graph, build and write the playbook), s per 100k nodes",
            lambda r: r["unprovenwire"].seconds * 100_000 / big_wire,
            unit=" s",
        ),
        Ratio(
            f"decompile wire {big_wire // 1000}k nodes ÷ the floor of its proof",
            lambda r: r[f"decompilewire{big_wire}"].seconds / r["floorwire"].seconds,
        ),
    ]
    small_fmt, big_fmt = FMT_SIZES
    other += [
        Ratio(  # fmt reads and writes with ruamel's round-trip mode: its own load + dump is the floor
            f"fmt {big_fmt:,} legs written out of order ÷ ruamel.yaml's own round trip (load + dump) of the file",
            lambda r: r[f"fmt{big_fmt}"].seconds / r[f"ruamel{big_fmt}"].seconds,
        ),
        Ratio(
            f"fmt {big_fmt:,} legs already formatted (the `--check` of a clean file) ÷ ruamel.yaml's round trip",
            lambda r: r[f"fmtclean{big_fmt}"].seconds / r[f"ruamel{big_fmt}"].seconds,
        ),
        Ratio(
            f"fmt {big_fmt:,} legs ÷ {small_fmt} legs, both written out of order (linear: {big_fmt // small_fmt})",
            lambda r: r[f"fmt{big_fmt}"].seconds / r[f"fmt{small_fmt}"].seconds,
            1.2 * big_fmt / small_fmt,
        ),
    ]
    return done_when, other


def ratio_rows(items: list[Ratio], rounds: list[dict]) -> list[str]:
    lines = ["| ratio | median | min–max | threshold | met |", "|---|---:|---:|---:|:---:|"]
    for item in items:
        try:
            values = item.values(rounds)
        except KeyError:  # a row this graphc cannot run (see lint_features)
            lines.append(f"| {item.label} | not measured | | {item.shown_threshold} | **no** |")
            continue
        median = statistics.median(values)
        met = item.verdict(median)
        mark = "—" if met is None else ("yes" if met else "**no**")
        lines.append(
            f"| {item.label} | {median:.2f}{item.unit} | {min(values):.2f}–{max(values):.2f} | "
            f"{item.shown_threshold} | {mark} |"
        )
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description="Benchmark graphc (see the module docstring).")
    parser.add_argument("--runs", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--count", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--no-install", action="store_true", help="do not pip-install missing baselines")
    parser.add_argument("--readme", action="store_true", help="also replace the tables in README.md")
    args = parser.parse_args(argv)

    ensure_baselines(not args.no_install)
    compile_bytecode(installed_graphc())
    graphc = graphc_cmd()
    files = ensure_corpus(args.count)
    ensure_wires(graphc)
    scratch = Path(tempfile.mkdtemp(prefix="graphc-bench-"))
    features = lint_features(graphc)
    cmds = commands(files, graphc, scratch, features)
    by_key = {c.key: c for c in cmds}
    done_when, other = ratios()

    info = machine()
    stats = corpus_stats(files)
    versions = {
        "graphc": version_of(graphc + ["--version"]),
        "check-jsonschema": version_of([tool("check-jsonschema"), "--version"]),
        "yamllint": version_of([tool("yamllint"), "--version"]),
    }
    if "cache" in features:
        subprocess.run(graphc + ["cache", "clean"], cwd=REPO, check=True, capture_output=True)
    load_before = os.getloadavg()
    print(f"bench: {args.runs} rounds of {len(cmds)} commands on {info['cpu']} ({info['cores']} cores)", flush=True)
    for c in cmds:  # one untimed warm-up each: page cache, .pyc files, and the lint cache of the warm row
        c.run_once(scratch)
        c.clear()
    for round_no in range(args.runs):
        for c in cmds if round_no % 2 == 0 else reversed(cmds):
            c.run_once(scratch)
        print(f"  round {round_no + 1}/{args.runs} done (load {os.getloadavg()[0]:.2f})", flush=True)
    load_after = os.getloadavg()
    shutil.rmtree(scratch, ignore_errors=True)

    rounds = [
        {c.key: Sample(c.times[i], c.rss_mb[i]) for c in cmds} for i in range(args.runs)
    ]  # round i: every command's i-th run
    cold_out = by_key["cold"].outputs[0]
    same_cache = "warm" in by_key and all(out == cold_out for out in by_key["warm"].outputs + by_key["cold"].outputs)
    same_jobs = all(out == cold_out for key in ("j2", "auto") if key in by_key for out in by_key[key].outputs)

    lines = [
        f"Taken on **{info['cpu']}**, {info['cores']} cores, {info['memory']}, {info['os']}, Python {info['python']}, "
        f"PyYAML {info['pyyaml']}, on {info['date']}, graphc commit {info['commit']} "
        f"(load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; the machine is shared).",
        f"graphc {versions['graphc']}, check-jsonschema {versions['check-jsonschema']}, yamllint {versions['yamllint']}. "
        f"Corpus: {stats['files']:,} playbooks, {stats['kib']:.0f} KiB, {stats['legs']:,} legs, "
        f"{stats['edges']:,} edges (`python bench/make_corpus.py`, fixed seed).",
        f"{args.runs} rounds, each running every command once (alternate rounds in reverse order). "
        "Ratios are computed within each round; the table shows the median of the per-round ratios and their "
        "min–max. Rows marked in-process time the work after imports.",
        "",
        "**Done when** (issue 14):",
        "",
        *ratio_rows(done_when, rounds),
        f"| identical output with and without the cache (warm ≡ `--no-cache`, every run) | "
        f"{'yes' if same_cache else 'NO'} | | | {'yes' if same_cache else '**no**'} |",
        f"| identical output `-j 1`, `-j 2`, `-j auto` (every run) | {'yes' if same_jobs else 'NO'} | | | "
        f"{'yes' if same_jobs else '**no**'} |",
        "",
        "Other ratios:",
        "",
        *ratio_rows(other, rounds),
        "",
        "The commands (per-command medians, for scale; the verdicts above are paired):",
        "",
        "| command | median | min–max | peak memory |",
        "|---|---:|---:|---:|",
    ]
    for c in cmds:
        rss = "—" if c.reports_seconds else f"{statistics.median(c.rss_mb):.0f} MB"
        lines.append(
            f"| {c.label} | {fmt_s(statistics.median(c.times))} | {fmt_s(min(c.times))}–{fmt_s(max(c.times))} | {rss} |"
        )
    table = "\n".join(lines) + "\n"

    RESULTS.write_text(
        "# Benchmark results\n\nWritten by `python bench/run.py` (its docstring says what each row runs). "
        "Reproduce with `pip install -r bench/requirements.txt && python bench/run.py`.\n\n" + table,
        encoding="utf-8",
    )
    print()
    print(table)
    print(f"wrote {RESULTS.relative_to(REPO)}")
    if args.readme:
        update_readme(table)
    verdicts = [
        item.verdict(statistics.median(item.values(rounds))) if _measured(item, rounds) else False
        for item in done_when + other
    ]
    return 0 if same_cache and same_jobs and all(v is not False for v in verdicts) else 1


def _measured(item: Ratio, rounds: list[dict]) -> bool:
    try:
        item.values(rounds)
    except KeyError:
        return False
    return True


def update_readme(table: str):
    text = README.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        print("README.md has no bench markers; not updated")
        return
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    README.write_text(f"{head}{README_START}\n{table}{README_END}{tail}", encoding="utf-8")
    print("updated README.md")


if __name__ == "__main__":
    sys.exit(main())
