"""Did-you-mean suggestions for unknown names, and bounded lists of the names there are.

Both are bounded whatever the file holds (docs/robustness.md, "Messages"): a
word longer than :data:`MAX_WORD_CHARS` gets no suggestion, and one is sought
among at most :data:`MAX_CANDIDATES` names, those closest to it in length
(difflib's similarity of 0.6 needs the shorter of two words to be at least 3/7
of the longer, so no other name could match), so one lookup costs about the same over ten names or a hundred
thousand 195-character ids. A hint lists at most :data:`MAX_LISTED` names.
"""

from __future__ import annotations

from itertools import islice

MAX_WORD_CHARS = 64  # a longer unknown name gets no suggestion (difflib's cost grows as the square of the length)
MAX_CANDIDATES = 50  # names compared with the unknown one: those closest to it in length
MAX_LISTED = 20  # names a hint lists before "… and N more"
CUTOFF = 0.6


def did_you_mean(word, choices) -> str:
    """`` (did you mean 'limit'?)`` or an empty string."""
    if not isinstance(word, str) or len(word) > MAX_WORD_CHARS:
        return ""
    import difflib  # deferred: only a misspelt name needs it (a clean lint never asks)
    import heapq

    size = len(word)
    # 2 * matches / (len(a) + len(b)) >= CUTOFF needs min/max length >= CUTOFF / (2 - CUTOFF) (= 3/7)
    fitting = (c for c in map(str, choices) if 3 * max(size, len(c)) <= 7 * min(size, len(c)))
    candidates = heapq.nsmallest(MAX_CANDIDATES, fitting, key=lambda c: abs(len(c) - size))  # stable: first found
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=CUTOFF)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def listed(names, count: int | None = None) -> str:
    """``a, b, c``: the names sorted, or, past :data:`MAX_LISTED` of them, the first ones given (in the order they
    come) and ``… and N more`` (``count``: how many there are, when ``names`` is not sized)."""
    names = names if count is not None or hasattr(names, "__len__") else list(names)
    total = len(names) if count is None else count
    if total <= MAX_LISTED:
        return ", ".join(sorted(map(str, names)))
    shown = ", ".join(map(str, islice(names, MAX_LISTED)))
    return f"{shown} … and {total - MAX_LISTED:,} more"
