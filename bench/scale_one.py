"""Time compile + lint of one file inside the process (no interpreter start-up, no imports).

    python bench/scale_one.py FILE      -> one JSON line: seconds, nodes, edges, diagnostics

Used by bench/run.py for the scaling rows; the imports are done (and a tiny
playbook linted) before the clock starts, so the time is the work on FILE only.
"""

import gc
import json
import sys
import time


def main(path):
    from graphc.lint import LintOptions, lint_file
    from graphc.pipeline import CompileOptions, compile_file
    from graphc.stages.load import load_text

    load_text("graphc: 1\nname: warm-up\nlegs: {a: {buy: 1, symbol: BTC-USD}}\n")  # imports, caches
    start = time.perf_counter()
    result = lint_file(path, LintOptions(compile=CompileOptions(require_quotes=False), report_skips=False))
    seconds = time.perf_counter() - start
    gc.disable()  # as lint_file does; only for counting the nodes, not timed (skips: as `graphc lint` text output)
    compiled = compile_file(path, CompileOptions(require_quotes=False))
    wire = compiled.wire or {}
    print(
        json.dumps(
            {
                "seconds": seconds,
                "nodes": len(wire.get("nodes", [])),
                "edges": len(wire.get("edges", [])),
                "diagnostics": len(result.diagnostics) if result else None,
                "codes": sorted({d.code for d in result.diagnostics}) if result else [],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
