"""graphc: compile, lint, plan and submit order playbooks for an execution-graph router.

The public API is kept import-light so that ``graphc --version`` stays fast;
heavier modules are imported by the functions that need them.
"""

from graphc.version import __version__

__all__ = ["__version__", "compile_file", "compile_text"]


def compile_text(text, path="<string>", **options):
    """Compile playbook source text. Returns a :class:`graphc.pipeline.CompileResult`."""
    from graphc.pipeline import compile_text as _compile_text

    return _compile_text(text, path=path, **options)


def compile_file(path, **options):
    """Compile a playbook file. Returns a :class:`graphc.pipeline.CompileResult`."""
    from graphc.pipeline import compile_file as _compile_file

    return _compile_file(path, **options)
