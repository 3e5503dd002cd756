"""Did-you-mean suggestions for unknown names, and bounded lists of the names there are.

Both are bounded whatever the file holds (docs/robustness.md, "Messages"): a
word longer than :data:`MAX_WORD_CHARS` gets no suggestion, and one is sought
among the names closest to it in length (difflib's similarity of 0.6 needs the
shorter of two words to be at least 3/7 of the longer, so no other name could
match), as many as :data:`MAX_COMPARED_CHARS` allows (about 50 names of 64
characters, thousands of short ones), so one lookup over a hundred thousand
195-character ids costs about what one over ten names does. A hint lists at
most :data:`MAX_LISTED` names.
"""

from __future__ import annotations

from itertools import islice

MAX_WORD_CHARS = 64  # a longer unknown name gets no suggestion (difflib's cost grows as the square of the length)
MAX_COMPARED_CHARS = 200_000  # the names compared with an unknown one: their lengths times its, summed
MAX_LISTED = 20  # names a hint lists before "… and N more"
MAX_SUGGESTIONS_PER_FILE = 20  # did-you-means for the unknown params and template names of one file
CUTOFF = 0.6


def did_you_mean(word, choices) -> str:
    """`` (did you mean 'limit'?)`` or an empty string. A name that differs only in case comes first: difflib
    scores `N` against `n` at 0, so a one-letter param got no suggestion (audit params25 4)."""
    if not isinstance(word, str) or len(word) > MAX_WORD_CHARS:
        return ""
    folded = word.casefold()
    for choice in map(str, choices):
        if len(choice) == len(word) and choice != word and choice.casefold() == folded:
            return f" (did you mean {choice!r}?)"
    compared = candidates(word, choices)
    if not compared:  # none near its length (a comment's long word: difflib would still index it)
        return ""
    import difflib  # deferred: only a misspelt name needs it (a clean lint never asks)

    matches = difflib.get_close_matches(word, compared, n=1, cutoff=CUTOFF)
    return f" (did you mean {matches[0]!r}?)" if matches else ""


def candidates(word: str, choices) -> list[str]:
    """The names ``word`` is compared with: those closest to it in length first (the first found of each length),
    while the product of their lengths with its own sums to at most :data:`MAX_COMPARED_CHARS`."""
    size = len(word)
    by_length: dict[int, list[str]] = {}
    for choice in map(str, choices):
        # 2 * matches / (len(a) + len(b)) >= CUTOFF needs min/max length >= CUTOFF / (2 - CUTOFF) (= 3/7)
        if 3 * max(size, len(choice)) <= 7 * min(size, len(choice)):
            by_length.setdefault(len(choice), []).append(choice)
    chosen: list[str] = []
    work = 0
    for length in sorted(by_length, key=lambda n: (abs(n - size), n)):
        for choice in by_length[length]:
            work += max(1, size * length)
            if work > MAX_COMPARED_CHARS:
                return chosen
            chosen.append(choice)
    return chosen


def suggestion(word, choices, budget) -> str:
    """:func:`did_you_mean`, while ``budget`` (a file's, with a ``suggestions`` count) has some left: a file with
    ten thousand mistakes over ten thousand names gets :data:`MAX_SUGGESTIONS_PER_FILE` lookups, not 10^8."""
    if budget is not None:
        if budget.suggestions >= MAX_SUGGESTIONS_PER_FILE:
            return ""
        budget.suggestions += 1
    return did_you_mean(word, choices)


def listed(names, count: int | None = None, *, sort: bool = True) -> str:
    """``a, b, c``: the names (sorted unless not ``sort``), or, past :data:`MAX_LISTED` of them, the first ones
    given (in the order they come) and ``… and N more`` (``count``: how many there are, when ``names`` is not
    sized)."""
    names = names if count is not None or hasattr(names, "__len__") else list(names)
    total = len(names) if count is None else count
    if total <= MAX_LISTED:
        return ", ".join(sorted(map(str, names)) if sort else map(str, names))
    shown = ", ".join(map(str, islice(names, MAX_LISTED)))
    return f"{shown} … and {total - MAX_LISTED:,} more"
