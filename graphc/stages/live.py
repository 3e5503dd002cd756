"""A template value that is known only when a bundled strategy runs.

Kept apart from :mod:`graphc.stages.expressions` (which imports Jinja2) so the leg stage can recognise one
without importing Jinja2: a playbook without templates never needs it (start-up of a plain lint).
"""

from __future__ import annotations


class LiveValue(str):
    """A template's value that needs a quote read when a bundled strategy runs (``CompileOptions.live_quotes``):
    the text as written; the leg checks read it as unknown (a skip, never a pass), as a price relative to the
    quote is without quotes."""

    symbol: str
    sample: object  # the value written with a stand-in quote (every field 1), to check its form; None if it fails

    def __new__(cls, text: str, symbol: str, sample: object = None):
        value = super().__new__(cls, text)
        value.symbol, value.sample = symbol, sample
        return value
