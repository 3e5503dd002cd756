"""Did-you-mean suggestions for unknown names."""

from __future__ import annotations

import difflib


def did_you_mean(word, choices) -> str:
    """`` (did you mean 'limit'?)`` or an empty string."""
    if not isinstance(word, str):
        return ""
    matches = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
