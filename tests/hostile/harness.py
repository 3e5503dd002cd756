"""The hostile-input corpus, run through every command under a memory and a CPU budget.

Every class of input that once crashed graphc, hung it or exhausted memory
(issue 12) is a file in this directory, or is generated below when it is
large. Each file goes through ``lint``, ``compile``, ``graph``, ``decompile``
and ``fmt --check``. One child process per command reads every file in turn:

* its address space is capped (``RLIMIT_AS``: what it used after start-up
  plus ``MEMORY_BUDGET``), so a blow-up fails fast with a MemoryError instead
  of swapping the machine;
* each file gets ``CPU_BUDGET`` seconds of CPU (a profiling timer, so a
  loaded machine does not count against it); a file that uses them is
  stopped and reported.

Outcomes, not speed, are what :mod:`tests.test_hostile` asserts: the exit
code (never 4, the internal-error code), no traceback, the diagnostic that
names the limit, and that no file ran out of its budgets. As a script this is
a benchmark-style run that also prints the CPU time and peak memory of each::

    python tests/hostile/harness.py            # the corpus
    python tests/hostile/harness.py --large    # plus large legal inputs (100k legs, 40k-node wire, 9.7 MB)

``--large`` adds inputs that are legal but big; the test suite leaves them
to the benchmark (bench/) and to this script.
"""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
MEMORY_BUDGET = 1 << 30  # bytes of address space each child may add after start-up
CPU_BUDGET = 30.0  # CPU seconds per file and command
COMMANDS = {
    "lint": ["lint", "-f", "sarif", "-o", "{out}/reports/lint.sarif"],
    "compile": ["compile"],
    "graph": ["graph", "-f", "mermaid"],
    "decompile": ["decompile"],
    "fmt": ["fmt", "--check"],
}
NEVER = ("Traceback", "internal error", '"<unicode string>"')  # (the last: the YAML parser's own place, hostile18 F6)


@dataclass
class Expect:
    """What one command must do with one file: an exit code in ``exits``, and every text of ``says`` in its output."""

    exits: tuple = (0, 1, 2)
    says: tuple = ()


@dataclass
class Case:
    name: str  # a file in this directory, or the name a generated file is written under
    expect: dict = field(default_factory=dict)  # command -> Expect; commands not named: any of 0, 1, 2
    text: str | None = None  # generated content (not kept in git: it is large)
    large: bool = False  # only with --large


def _lint(*says, exits=(1,)):
    return Expect(exits, says)


GC107 = "GC107"
CASES = [
    # -- templates: budgets inside the sandbox --------------------------------------------------
    Case("template-nested-repeat.yaml", {c: _lint(GC107, "100,010,000 items") for c in ("lint", "compile")}),
    Case("template-quadratic-sum.yaml", {c: _lint(GC107, "100,010,000 items") for c in ("lint", "compile")}),
    Case(
        "template-for-each-big-strings.yaml",
        {c: _lint(GC107, "more than 50,000,000 characters") for c in ("lint", "compile")},
    ),
    Case("template-steps.yaml", {c: _lint(GC107, "more than 250,000 steps") for c in ("lint", "compile")}),
    # hostile18 F1: legs sharing one heavy template through an alias (10 KB, 35 KB) took 38 s and 116 s of CPU
    *(
        Case(name, {c: _lint(GC107, "steps in all (the per-file limit)", "were not run") for c in ("lint", "compile")})
        for name in ("template-steps-x300-legs.yaml", "template-steps-x1000-legs.yaml")
    ),
    # audit tmpl27 3: distinct 3,650-character templates that run in a few steps each: parsing them was not charged
    Case(
        "template-distinct-long-texts.yaml",
        {c: _lint(GC107, "steps in all (the per-file limit)", "were not run") for c in ("lint", "compile")},
    ),
    Case("template-unary-chain.yaml", {c: _lint(GC107, "nested more than 64 levels") for c in ("lint", "compile")}),
    Case("expression-300-terms.yaml", {c: _lint(GC107, "nested more than 64 levels") for c in ("lint", "compile")}),
    Case("template-escape-attempts.yaml", {c: _lint(GC107, "sandbox violation") for c in ("lint", "compile")}),
    Case("for-each-absurd-count.yaml", {"compile": _lint("GC103", "limit of 10,000 per leg")}),
    Case("nested-use/p-leaves.yaml", {"lint": _lint("GC103", "more than 100,000 legs")}),
    Case("nested-use/p-empty.yaml", {c: _lint(GC107, "would make at least 100,010,000") for c in ("lint", "compile")}),
    # audit tmpl27 1: `for_each: 1000` of a leg whose literal `after:` lists 5,000 legs was 5M edges, 76 s and 4.6 GB
    # (here 1,100 legs: fmt --check of a 5,000-item flow list alone takes 21 s of CPU, of 2,000 8 s)
    Case(
        "for-each-long-after.yaml",
        {c: _lint(GC107, "would make at least 1,104,100 values", "limit of 1,000,000") for c in ("lint", "compile")},
    ),
    Case("nested-use/p-cycle.yaml", {"compile": _lint(GC107, "template include cycle")}),
    Case("nested-use/p-escape.yaml", {"compile": _lint(GC107, "outside the project root")}),
    # audit params25 1: legs that use the next template, no for_each: 58 s, 4 GB and 237,496 copies of one GC107
    Case(
        "nested-use/p-fan-out.yaml",
        {c: _lint(GC107, "would make at least 26,947,368,421", ":5:12") for c in ("lint", "compile")},
    ),
    Case(
        "nested-use/p-fan-out-missing.yaml",
        {c: _lint(GC107, "template file not found: ./gone.yaml (reached by 400 paths)") for c in ("lint", "compile")},
    ),
    Case("nested-use/leaves.yaml"),
    Case("nested-use/mid.yaml"),
    # -- the loader, and fmt through it -------------------------------------------------------
    Case("alias-bomb.yaml", {c: _lint("GC100", "alias bomb") for c in ("lint", "compile", "fmt")}),
    Case("merge-keys.yaml", {"lint": Expect((0,)), "compile": Expect((0,)), "fmt": Expect((1,), ("would reformat",))}),
    # hostile18 F2: ruamel, which fmt needs for comments, compared each merging mapping with every earlier one
    Case("merge-keys-10000-items.yaml", {"lint": _lint("GC102"), "fmt": Expect((1,), ("would reformat",))}),
    Case("merge-keys-3000-legs.yaml", {"lint": Expect((0,)), "compile": Expect((0,)), "fmt": Expect((0,))}),
    Case("merge-keys-3000-legs-to-reorder.yaml", {"lint": _lint("GC102"), "fmt": Expect((0,), ("above its anchor",))}),
    Case("merge-keys-bomb.yaml", {c: _lint("GC100", "alias bomb", ":43:7") for c in ("lint", "compile", "fmt")}),
    Case("merge-keys-wide.yaml", {c: _lint("GC100", "alias bomb", ":8:13") for c in ("lint", "compile", "fmt")}),
    Case("integer-5000-digits.yaml", {"lint": _lint("GC103"), "fmt": Expect((0, 1))}),
    Case("hex-5000-digits.yaml", {"lint": _lint("GC103")}),
    Case("syntax-error.yaml", {c: _lint("GC100", ":5:1") for c in ("lint", "compile", "fmt")}),
    Case("crlf.yaml", {"lint": Expect((0,)), "fmt": Expect((1,), ("would reformat",))}),
    Case("not-utf8.yaml", {c: Expect((2,), ("GC112", ":3:7")) for c in ("lint", "compile", "graph", "fmt")}),
    Case("bom.yaml", {"lint": Expect((0,)), "compile": Expect((0,))}),
    Case("deep-nesting.yaml", {c: _lint("GC100", "nesting depth") for c in ("lint", "compile", "fmt")}),
    Case("deep-block-nesting.yaml", {c: _lint("GC100", "nesting deeper than 100") for c in ("lint", "compile", "fmt")}),
    Case("huge-scalar.yaml", {c: _lint("GC100", "over the 100,000 limit") for c in ("lint", "compile", "fmt")}),
    Case("python-tag.yaml", {c: _lint("GC100", "is not allowed") for c in ("lint", "compile")}),
    Case("empty.yaml", {"lint": _lint("GC110")}),
    Case("second-document.yaml", {"lint": _lint("GC100", "second one")}),
    # a file YAML cannot read as text: unreadable input for lint, fmt and compile, exit 2 (hostile18 F6e)
    Case("nul-byte.yaml", {c: Expect((2,), ("GC100", ":4:27")) for c in ("lint", "fmt", "compile")}),
    # hostile18 F6: YAML reads no UTF-16 without its byte-order mark (NULs); fmt passed it over, exit 0
    Case(
        "utf16-no-bom.yaml",
        {c: Expect((2,), ("GC100", ":1:1")) for c in ("lint", "fmt", "compile")},
    ),
    Case("line-separators.yaml"),
    # -- what reports print ---------------------------------------------------------------------
    # SARIF keeps the exact text (JSON escapes it); compile prints text, where the value stays on its line
    Case(
        "stop-commands.yaml",
        {"lint": _lint("GC103", "::stop-commands::pwned"), "compile": _lint("\\n::stop-commands::pwned")},
    ),
    # reports26 1: the runner reads a legacy `##[cmd]` anywhere in a line; every text format writes it `##\[`
    Case(
        "log-commands.yaml",
        {"lint": _lint("GC105", "##[stop-commands]pwned")}
        | {c: _lint("'##\\[stop-commands]pwned'", "# ##\\[error]in a comment") for c in ("compile", "graph")},
    ),
    Case("long-flow-list.yaml", {"lint": _lint("GC202")}),
    # sec16 3: a did-you-mean over every name and a hint listing them all, for every mistake (118 s, MemoryError)
    Case("undefined-names-x-params.yaml", {c: _lint("GC107", "… and 1,483 more") for c in ("lint", "compile")}),
    Case("cycle-arrows.yaml", {"lint": _lint("GC201", "a → b → a")}),
    # -- wire graphs ---------------------------------------------------------------------------
    Case("wire-cycle.json", {"lint": _lint("GC201"), "decompile": Expect((0, 1))}),
    Case("wire-deep.json", {c: _lint("GC100", "nesting deeper than 100") for c in ("lint", "decompile", "graph")}),
    Case("wire-huge-number.json", {"lint": _lint("GC103")}),
    Case("wire-long-unknown-ids.json", {"lint": _lint("GC202")}),  # sec16 4: was 131 s of did-you-mean
    # -- large legal inputs (--large) -------------------------------------------------------------
    Case("large-distinct-templates.yaml", {"lint": Expect((0,)), "compile": Expect((0,))}, large=True),
    Case("large-for-each-100k.yaml", {"lint": Expect((0,)), "compile": Expect((0,))}, large=True),
    Case("large-wire-40k.json", {"lint": Expect((0,)), "decompile": Expect((0,))}, large=True),
]


def generated() -> dict:
    """The large cases' text, made here rather than kept in git."""
    head = "graphc: 1\nname: {}\nlegs:\n"
    texts = {
        "deep-nesting.yaml": "graphc: 1\nname: deep\nx: " + "[" * 200_000 + "]" * 200_000 + "\n",
        "deep-block-nesting.yaml": "graphc: 1\nname: deep\n"
        + "".join(" " * i + "k:\n" for i in range(150))
        + " " * 150
        + "v\n",
        "huge-scalar.yaml": head.format("scalar") + "  a:\n    buy: 1\n    symbol: " + "X" * 100_001 + "\n",
    }
    rng = random.Random(27)
    legs = "".join(f"  l{i}: {{<<: *base, after: l{i - 1} filled}}\n" for i in range(1, 3000))
    texts["merge-keys-10000-items.yaml"] = (  # 110 KB
        head.format("merges") + "  a: {buy: 1 BTC, symbol: BTC-USD}\nb: &b {k: 1}\nx:\n" + "- {<<: *b}\n" * 10_000
    )
    texts["merge-keys-3000-legs.yaml"] = (  # 110 KB, formatted as it is
        "graphc: 1\nname: merges\ndefaults: &base {buy: 1 BTC, symbol: BTC-USD, venue: coinbase}\nlegs:\n"
        "  l0: {<<: *base}\n" + legs
    )
    texts["merge-keys-3000-legs-to-reorder.yaml"] = (  # 124 KB: the anchor is in a key that sorts below `legs`
        "graphc: 1\nname: y\nx-base: &base {buy: 1 BTC, symbol: BTC-USD, venue: coinbase}\nlegs:\n"
        "  l0: {<<: *base}\n" + legs
    )
    texts["merge-keys-wide.yaml"] = (  # 65 KB: 40 legs merging a mapping of 5,000 keys three times
        "graphc: 1\nname: y\nbig: &big {"
        + ", ".join(f"k{i}: {i}" for i in range(5000))
        + "}\nlegs:\n"
        + "".join(f"  l{i}: {{<<: [*big, *big, *big], buy: 1 BTC, symbol: BTC-USD}}\n" for i in range(40))
    )
    many = 1500  # params, and as many legs each naming one that does not exist: 140 KB
    texts["undefined-names-x-params.yaml"] = (
        head.format("names")[: -len("legs:\n")]
        + "params:\n"
        + "".join(f"  p{i}: {{type: string, default: x}}\n" for i in range(many))
        + "legs:\n"
        + "".join(f"  l{i}: {{buy: 1 ETH, symbol: ETH-USD, tif: '{{{{ q{i} }}}}'}}\n" for i in range(many))
    )
    # one template over the per-template step limit, and one just under it (220,804 steps), each shared by
    # every leg through a YAML alias: every leg is evaluated on its own
    maps = "|map('string')|map('title')|map('upper')|map('lower')|map('trim')"
    for name, template, count in (
        ("template-steps-x300-legs.yaml", f"{{{{ range(10000){maps}|map('upper')|map('lower')|join|length }}}}", 300),
        ("template-steps-x1000-legs.yaml", f"{{{{ range(10000){maps}|join|length }}}}", 1000),
    ):
        texts[name] = (
            head.format("alias")
            + f'  l0: {{buy: &t "{template} BTC", symbol: BTC-USD}}\n'
            + "".join(f"  l{i}: {{buy: *t, symbol: BTC-USD}}\n" for i in range(1, count))
        )
    texts["template-distinct-long-texts.yaml"] = head.format("parse") + "".join(  # 2.6 MB: 700 distinct texts
        f'  l{i}: {{buy: 1 ETH, symbol: ETH-USD, limit: "{{{{ 2000 if true else [{items}] }}}}"}}\n'
        for i, items in enumerate(",".join(f"'{rng.getrandbits(32):08x}'" for _ in range(330)) for _ in range(700))
    )
    texts["for-each-long-after.yaml"] = (  # 72 KB: 1,100 written legs, and 1,000 copies of one waiting on them all
        head.format("edges")
        + "".join(f"  p{i}: {{buy: 1 ETH, symbol: ETH-USD, limit: 2000}}\n" for i in range(1100))
        + "  r:\n    for_each: 1000\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: 2000\n    after: ["
        + ",".join(f"p{i} accepted" for i in range(1100))
        + "]\n"
    )
    rng = random.Random(7)  # 2,000 nodes with 195-character ids over "ab", 20 edges from unknown ones: 800 KB
    ids = ["".join(rng.choice("ab") for _ in range(195)) for _ in range(2020)]
    node = {"instrument": {"symbol": "ETH-USD", "type": "spot"}, "side": "buy", "order_type": "market"}
    node |= {"quantity": {"fixed": {"qty_1e8": 100000000}}, "execution": {"policy": "sor"}, "activation": "root"}
    texts["wire-long-unknown-ids.json"] = json.dumps(
        {
            "nodes": [{"node_id": i, **node} for i in ids[:2000]],
            "edges": [
                {"edge_id": f"e{k}", "from_node": i, "to_node": ids[0], "trigger": "on_accepted"}
                for k, i in enumerate(ids[2000:])
            ],
            "is_sandbox": True,
        }
    )
    return texts


def generated_large() -> dict:
    head = "graphc: 1\nname: {}\nlegs:\n"
    distinct = head.format("distinct") + "".join(
        f'  l{i}: {{buy: "{{{{ {i} * 0.00001 + 1 }}}} ETH", symbol: ETH-USD, limit: "{{{{ 2000 + {i} * 0.01 }}}}"}}\n'
        for i in range(95_000)  # 9.7 MB: under the 10 MB file limit, as in issue 12
    )
    for_each = head.format("ladder") + "".join(
        f'  r{i}:\n    for_each: 10000\n    buy: "0.01 ETH"\n    symbol: ETH-USD\n    limit: "{{{{ 2000 + index }}}}"\n'
        for i in range(10)
    )
    nodes = [
        {
            "node_id": f"n{i}",
            "instrument": {"symbol": "BTC-USD", "type": "spot"},
            "side": "buy",
            "order_type": "market",
            "quantity": {"fixed": {"qty_1e8": 1000000}},
            "activation": "root" if i == 0 else "wait",
        }
        for i in range(40_000)
    ]
    edges = [
        {"edge_id": f"e{i}", "from_node": f"n{i}", "to_node": f"n{i + 1}", "trigger": "on_full_fill"}
        for i in range(39_999)
    ]
    return {
        "large-distinct-templates.yaml": distinct,
        "large-for-each-100k.yaml": for_each,
        # compact, as a router client sends it: 10.0 MB, just under the file limit
        "large-wire-40k.json": json.dumps({"nodes": nodes, "edges": edges, "is_sandbox": True}, separators=(",", ":")),
    }


# -- the child: one command over every file --------------------------------------------------------


class OverBudget(BaseException):
    """Raised in the child when a file has used its CPU budget (a BaseException: graphc must not catch it)."""


def _child(command: str, out: str, paths: list[str]) -> None:
    from click.testing import CliRunner  # deferred, as is graphc: only the child needs them, not the parent

    from graphc.cli import cli

    with open("/proc/self/statm") as fh:  # pages of address space used after start-up
        used = int(fh.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (used + MEMORY_BUDGET, resource.getrlimit(resource.RLIMIT_AS)[1]))

    def stop(signum, frame):
        raise OverBudget()

    signal.signal(signal.SIGPROF, stop)
    runner = CliRunner()
    args = [a.replace("{out}", out) for a in COMMANDS[command]]
    for path in paths:
        started, cpu = time.perf_counter(), time.process_time()
        signal.setitimer(signal.ITIMER_PROF, CPU_BUDGET)
        try:
            result = runner.invoke(cli, [*args, path], catch_exceptions=True)
            code, output = result.exit_code, result.stdout + result.stderr
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                code, output = -1, f"{output}\nTraceback: {type(result.exception).__name__}: {result.exception}"
        except OverBudget:
            code, output = -2, f"over the CPU budget of {CPU_BUDGET} s"
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        report = Path(out) / "reports" / "lint.sarif"
        if args[0] == "lint" and report.exists():  # -o into a folder that did not exist: the findings are there
            output += "\n" + _sarif_lines(report.read_text(encoding="utf-8"))
            report.unlink()
        line = {
            "path": path,
            "command": command,
            "exit": code,
            "cpu": round(time.process_time() - cpu, 3),
            "wall": round(time.perf_counter() - started, 3),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "output": output[-20000:],
        }
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


def _sarif_lines(text: str) -> str:
    """A SARIF report's results as ``uri:line:col: RULE message`` lines."""
    lines = []
    for result in json.loads(text)["runs"][0]["results"]:
        where = result["locations"][0]["physicalLocation"] if result.get("locations") else {}
        region = where.get("region", {})
        uri = where.get("artifactLocation", {}).get("uri", "?")
        lines.append(
            f"{uri}:{region.get('startLine')}:{region.get('startColumn')}: {result['ruleId']} {result['message']['text']}"
        )
    return "\n".join(lines)


# -- the parent -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    case: Case
    command: str
    exit: int
    cpu: float
    wall: float
    peak_rss_mb: int
    output: str

    def problems(self) -> list[str]:
        expect = self.case.expect.get(self.command, Expect())
        found = []
        if self.exit == -2:
            found.append(f"ran out of its CPU budget ({CPU_BUDGET} s)")
        elif self.exit not in expect.exits:
            found.append(f"exit {self.exit}, expected {' or '.join(map(str, expect.exits))}")
        found += [f"output has {word!r}" for word in NEVER if word in self.output]
        found += [f"output lacks {word!r}" for word in expect.says if word not in self.output]
        return found


def run(cases=None, *, large: bool = False, workdir: str | None = None) -> list[Outcome]:
    """Run ``cases`` (default: the corpus, plus the large ones with ``large``) through every command."""
    cases = [c for c in (cases or CASES) if large or not c.large]
    with tempfile.TemporaryDirectory(prefix="graphc-hostile-") as scratch:
        work = Path(workdir or scratch)
        texts = {**generated(), **(generated_large() if large else {})}
        paths = {}
        for case in cases:
            if case.name in texts:
                path = work / "generated" / case.name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(texts[case.name], encoding="utf-8")
            else:
                path = HERE / case.name
            paths[str(path)] = case
        outcomes = []
        for command in COMMANDS:
            out = str(work / command)
            child = subprocess.run(
                [sys.executable, __file__, "--child", command, out, *paths],
                capture_output=True,
                text=True,
                cwd=REPO,
                env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
                check=False,
            )
            seen = set()
            for line in child.stdout.splitlines():
                record = json.loads(line)
                seen.add(record["path"])
                outcomes.append(Outcome(paths[record.pop("path")], **record))
            for path in paths.keys() - seen:  # the child died (it must not): every file it did not reach fails
                outcomes.append(Outcome(paths[path], command, -3, 0, 0, 0, f"child died: {child.stderr[-2000:]}"))
        return outcomes


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        _child(argv[1], argv[2], argv[3:])
        return 0
    outcomes = run(large="--large" in argv)
    print(f"{'file':44} {'command':10} {'exit':>4} {'cpu s':>7} {'wall s':>7} {'peak MB':>8}  verdict")
    failed = 0
    for o in outcomes:
        problems = o.problems()
        failed += bool(problems)
        verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"{o.case.name:44} {o.command:10} {o.exit:>4} {o.cpu:>7.2f} {o.wall:>7.2f} {o.peak_rss_mb:>8}  {verdict}")
    print(f"\n{len(outcomes)} runs, {failed} failed; budgets: {MEMORY_BUDGET >> 20} MiB, {CPU_BUDGET} CPU s per file")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
