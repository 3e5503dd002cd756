"""Did-you-mean suggestions for unknown names."""

from __future__ import annotations


def did_you_mean(word, choices) -> str:
    """`` (did you mean 'limit'?)`` or an empty string."""
    if not isinstance(word, str):
        return ""
    import difflib  # deferred: only a misspelt name needs it (a clean lint never asks)

    matches = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {matches[0]!r}?)" if matches else ""
