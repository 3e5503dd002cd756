"""The package's layers point one way (docs/architecture.md, "Layers").

Every import of a graphc module, at module level or inside a function, is an
edge between two layers; an edge the layer table does not allow fails here, and
so does any import cycle between modules. Nothing is imported: the source is
read with ``ast``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "graphc"

# module prefix -> layer; the longest matching prefix wins.
LAYER_OF = {
    "graphc": "Face",  # graphc/__init__.py: the public API, beside the command line
    "graphc.__main__": "Face",
    "graphc.cli": "Face",
    "graphc.commands": "Face",
    "graphc.plan": "Submit",
    "graphc.submit": "Submit",
    "graphc.schedule": "Compile",
    "graphc.run": "Submit",
    "graphc.bundle": "Submit",
    "graphc.strategies": "Submit",
    "graphc.hosted": "Face",
    "graphc.api": "Submit",
    "graphc.sandbox": "Sandbox",
    "graphc.render_graph": "Render",
    "graphc.decompile": "Render",
    "graphc.fmt": "Render",
    "graphc.humanize": "Render",
    "graphc.yaml_out": "Render",
    "graphc.wire_input": "Render",
    "graphc.report": "Report",
    "graphc.lint": "Lint",
    "graphc.rules": "Lint",
    "graphc.suppress": "Lint",
    "graphc.config": "Lint",
    "graphc.cache": "Lint",
    "graphc.stages": "Compile",
    "graphc.pipeline": "Compile",
    "graphc.inputs": "Compile",
    "graphc.facts": "Compile",
    "graphc.units": "Compile",
    "graphc.quotes": "Compile",
    "graphc.venues": "Market",
    "graphc.ascii_fallback": "Core",
    "graphc.diagnostics": "Core",
    "graphc.boundary": "Core",
    "graphc.resources": "Core",
    "graphc.files": "Core",
    "graphc.limits": "Core",
    "graphc.lines": "Core",
    "graphc.loopback": "Core",
    "graphc.vocabulary": "Core",
    "graphc.numbers": "Core",
    "graphc.record": "Core",
    "graphc.version": "Core",
    "graphc.streams": "Core",
    "graphc.yaml_comments": "Core",
}

# layer -> the layers it may import (besides itself).
MAY_USE = {
    "Face": {"Submit", "Sandbox", "Render", "Report", "Lint", "Compile", "Market", "Core"},
    "Submit": {"Lint", "Compile", "Market", "Core"},
    "Sandbox": {"Compile", "Market", "Core"},
    "Render": {"Compile", "Market", "Core"},
    "Report": {"Core"},
    "Lint": {"Compile", "Market", "Core"},
    "Compile": {"Market", "Core"},
    "Market": {"Core"},
    "Core": set(),
}

# Edges that break the table today, each to be removed by the issue named; the
# test fails when one disappears too, so the list only shrinks.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    best = max((prefix for prefix in LAYER_OF if module == prefix or module.startswith(prefix + ".")), key=len)
    return LAYER_OF[best]


def graphc_imports(path: Path, module: str) -> set[str]:
    """Every graphc module ``path`` imports, resolved to the module (not the name) imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("graphc"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            if not base.startswith("graphc"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(
                    candidate
                    if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                    or (PACKAGE.parent / candidate.replace(".", "/")).is_dir()
                    else base
                )
    found.discard(module)
    return found


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        graph.add_node(module)
        for target in graphc_imports(path, module):
            graph.add_edge(module, target)
    return graph


GRAPH = import_graph()


def violations() -> set[tuple[str, str]]:
    found = set()
    for source, target in GRAPH.edges:
        a, b = layer(source), layer(target)
        if a != b and b not in MAY_USE[a]:
            found.add((source, target))
    return found


def test_every_module_has_a_layer():
    assert all(layer(module) for module in GRAPH.nodes)


def test_lower_layers_never_import_higher_ones():
    new = sorted(violations() - KNOWN_VIOLATIONS)
    assert not new, "imports against the layer table:\n" + "\n".join(
        f"  {a} ({layer(a)}) -> {b} ({layer(b)})" for a, b in new
    )


def test_known_violations_are_still_real():
    gone = sorted(KNOWN_VIOLATIONS - violations())
    assert not gone, f"fixed: remove these from KNOWN_VIOLATIONS: {gone}"


def test_no_import_cycles():
    cycles = list(nx.simple_cycles(GRAPH, length_bound=6))
    assert not cycles, "import cycles:\n" + "\n".join("  " + " -> ".join([*c, c[0]]) for c in cycles)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("graphc.stages.model", "graphc.rules.base", False),  # Compile must not use Lint
        ("graphc.rules.venue", "graphc.venues", True),  # Lint may use Market
        ("graphc.venues.profiles", "graphc.stages.legs", False),  # Market must not use Compile
        ("graphc.report.text", "graphc.diagnostics", True),
        ("graphc.diagnostics", "graphc.rules.registry", False),
    ],
)
def test_the_table_says_what_the_docs_say(source, target, allowed):
    assert (layer(target) in MAY_USE[layer(source)] or layer(source) == layer(target)) is allowed


def test_only_the_command_line_exits():
    """Below the command layer, refusals are exceptions with an exit code: nothing calls sys.exit or raises SystemExit."""
    face = ("graphc.cli", "graphc.__main__", "graphc.commands")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        if module.startswith(face):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "exit" and getattr(node.value, "id", None) == "sys":
                found.append(f"{module}:{node.lineno} sys.exit")
            if isinstance(node, ast.Name) and node.id == "SystemExit":
                found.append(f"{module}:{node.lineno} SystemExit")
    assert not found, found


DEFERRED = re.compile(r"#\s*deferred:\s*\S")


def unjustified_imports(text: str) -> list[int]:
    """Lines of the imports inside a function (or method, or lambda) without ``# deferred: why`` on their first line."""
    lines = text.splitlines()
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)) and not DEFERRED.search(lines[inner.lineno - 1]):
                    found.add(inner.lineno)
    return sorted(found)


def test_every_import_inside_a_function_says_why_it_is_deferred():
    """A function-level import defers something heavy and says what it saves on its line
    (``import jsonschema  # deferred: only ...``); anything else belongs at the top of its module."""
    bare = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(PACKAGE.parent).as_posix()
        bare += [f"{where}:{n}: {text.splitlines()[n - 1].strip()}" for n in unjustified_imports(text)]
    assert not bare, "imports inside functions without a '# deferred: why' comment:\n  " + "\n  ".join(bare)


def test_the_deferred_import_check_sees_what_it_should():
    source = """\
import json  # module level: never flagged
def f():
    import re
    import os  # deferred: a reason
    from a import (  # deferred: the reason sits on the first line
        b,
    )
    from c import (
        d,  # deferred: not on the first line
    )
    import difflib  # deferred:
    class K:
        def m(self):
            from x import y
    def inner():
        import zlib  # a comment that is not a reason
"""
    assert unjustified_imports(source) == [3, 8, 11, 14, 16]
