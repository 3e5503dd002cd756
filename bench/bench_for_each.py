"""Time a 10,000-leg ``for_each`` playbook against the same 10,000 legs written out.

Both playbooks are generated here (nothing is read from disk but the example
quotes), compiled in-process with the same options, best of N runs, and the
ratio printed: the for_each overhead is the render stage (params, sandboxed
expressions, expansion); everything after it is the same work for both.

    python bench/bench_for_each.py [--legs 10000] [--runs 5] [--profile]

Both are loaded with the same raised node limit, so the loader's alias
guard never decides the result. No assertion: CI machines vary. The test suite only checks that 10,000 items
compile (tests/test_templates.py).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graphc.pipeline import CompileOptions, compile_document  # noqa: E402
from graphc.quotes import load_quotes  # noqa: E402
from graphc.stages.load import load_text  # noqa: E402
from graphc.stages.render import render  # noqa: E402


def for_each_playbook(n: int) -> str:
    return f"""graphc: 1
name: bench-for-each
legs:
  rung:
    for_each: {n}
    buy: 0.01 ETH
    symbol: ETH-USD
    limit: "bid - {{{{ index % 100 }}}}bps"
    after: "{{{{ 'rung-' ~ (index - 1) ~ ' filled' if index else none }}}}"
"""


def plain_playbook(n: int) -> str:
    lines = ["graphc: 1", "name: bench-plain", "legs:"]
    for i in range(n):
        lines += [f"  rung-{i}:", "    buy: 0.01 ETH", "    symbol: ETH-USD", f"    limit: bid - {i % 100}bps"]
        if i:
            lines.append(f"    after: rung-{i - 1} filled")
    return "\n".join(lines) + "\n"


def best_of(runs: int, fn) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one for_each compile")
    args = parser.parse_args(argv)

    quotes, _ = load_quotes(REPO / "examples" / "quotes.yaml")
    texts = {"for_each": for_each_playbook(args.legs), "plain": plain_playbook(args.legs)}
    wires = {}

    def compile_(name):
        # Loaded with a raised node limit (the same for both) so that neither trips the
        # loader's alias-expansion guard: the comparison is about compiling.
        doc, diagnostics = load_text(texts[name], f"{name}.yaml", max_nodes=10_000_000)
        assert doc is not None, diagnostics
        result = compile_document(doc, CompileOptions(quotes=quotes))
        assert result.ok, result.diagnostics[:3]
        wires[name] = result.wire

    times = {name: best_of(args.runs, lambda name=name: compile_(name)) for name in texts}
    assert wires["for_each"] == wires["plain"], "the two playbooks must compile to the same graph"
    doc, _ = load_text(texts["for_each"], "for_each.yaml")
    render_time = best_of(args.runs, lambda: render(doc, CompileOptions(quotes=quotes)))

    print(f"{args.legs:,} legs, best of {args.runs} runs (identical wire graphs)")
    print(f"  plain playbook      {times['plain']:.3f} s")
    print(f"  for_each playbook   {times['for_each']:.3f} s   (render stage alone {render_time:.3f} s)")
    print(f"  ratio for_each/plain  {times['for_each'] / times['plain']:.2f}x")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(compile_, "for_each")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
