"""Time lint or decompile of one wire graph inside the process (no interpreter start-up, no imports).

    python bench/scale_wire.py lint FILE        -> one JSON line: seconds, nodes, diagnostics
    python bench/scale_wire.py decompile FILE   -> one JSON line: seconds, playbook bytes
    python bench/scale_wire.py unproven FILE    -> one JSON line: seconds, playbook bytes
    python bench/scale_wire.py floor FILE       -> one JSON line: seconds, playbook bytes
    python bench/scale_wire.py json FILE        -> one JSON line: seconds (``json.loads`` alone)

Used by bench/run.py for the wire scaling rows. ``decompile`` times what the
command does: read and check the wire JSON, build the playbook, write its
text, and compile that text again to prove it gives back the same graph.
``unproven`` times the same steps without that last one (what decompile
would cost if it did not prove its output). ``floor`` times the two reads no decompile with that proof can skip:
``json.loads`` of the graph and libyaml's event stream of the playbook
decompile writes for it (made first, untimed), which graphc's own loader
is built on. ``json`` times ``json.loads`` of the graph alone (after one
untimed call), to show how the C parser's own time grows from the small graph
to the large one on this machine: a large graph outgrows the CPU caches, so
even C code takes more than 10x the time for 10x the nodes.
"""

import json
import sys
import time


def lint(path):
    from graphc.lint import LintOptions, lint_file

    options = LintOptions(report_skips=False)  # as `graphc lint` (text output) runs it
    lint_file(path, options)  # warm-up: imports, caches (the file is small next to the timed work)
    start = time.perf_counter()
    result = lint_file(path, options)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "diagnostics": len(result.diagnostics)}


def decompile(path, prove=True):
    from graphc.decompile import decompile, round_trip_difference
    from graphc.files import read_source
    from graphc.pipeline import gc_paused
    from graphc.wire_input import read_graph_input

    start = time.perf_counter()  # the steps of `graphc decompile` (graphc/commands/decompile.py)
    with gc_paused():
        loaded = read_graph_input(read_source(path), path)
        result = decompile(loaded.wire, "scaling")
        playbook = result.text
        difference = round_trip_difference(playbook, result.wire, result.playbook) if prove else None
    seconds = time.perf_counter() - start
    if loaded.diagnostics or difference:
        sys.exit(f"scale_wire: {path}: {loaded.diagnostics or difference}")
    return {"seconds": seconds, "bytes": len(playbook.encode())}


def unproven(path):
    return decompile(path, prove=False)


def floor(path):
    import yaml

    from graphc.decompile import decompile
    from graphc.files import read_source
    from graphc.pipeline import gc_paused
    from graphc.wire_input import read_graph_input

    text = read_source(path)
    with gc_paused():
        playbook = decompile(read_graph_input(text, path).wire, "scaling").text
    start = time.perf_counter()
    with gc_paused():  # as decompile runs
        json.loads(text)
        for _event in yaml.parse(playbook, Loader=yaml.CLoader):
            pass
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "bytes": len(playbook.encode())}


def json_only(path):
    from graphc.files import read_source
    from graphc.pipeline import gc_paused

    text = read_source(path)
    with gc_paused():
        json.loads(text)  # warm-up, as lint has its own
        start = time.perf_counter()
        graph = json.loads(text)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "nodes": len(graph["nodes"])}


if __name__ == "__main__":
    what, path = sys.argv[1], sys.argv[2]
    steps = {"lint": lint, "decompile": decompile, "unproven": unproven, "floor": floor, "json": json_only}
    print(json.dumps(steps[what](path)))
