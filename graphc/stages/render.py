"""Stage 2: params, sandboxed expressions, for_each and `use:` templates (spec §6).

Placeholder until templating lands: documents that use template features are
reported, not silently compiled wrong.
"""

from __future__ import annotations

from graphc.diagnostics import Diagnostic


def render(doc, options):
    return None, [Diagnostic("GC107", "templates, params and for_each are not supported yet", doc.path, doc.span(()))]
