"""Resource limits, each changeable by whoever runs graphc (docs/robustness.md lists them).

Every limit that bounds work or memory is read through :func:`limit`: its
default, or the environment variable ``GRAPHC_<NAME>`` (a whole number above
0), read once when the module that uses it is imported. The environment
belongs to the operator (the CI job, the shell); the files being checked can
never raise a limit, which is why this is not a ``graphc.toml`` setting. The
command line checks every ``GRAPHC_MAX_*`` variable first (:func:`refusal`)
and refuses to run with a malformed or unknown one (exit 2); each function of
the public API raises ``ValueError`` with the same words
(:func:`graphc.boundary.entry_point`).
"""

from __future__ import annotations

import os

PREFIX = "GRAPHC_"
NAMES = frozenset(
    {
        "MAX_FILE_BYTES",
        "MAX_DEPTH",
        "MAX_NODES",
        "MAX_TOTAL_NODES",
        "MAX_SCALAR_CHARS",
        "MAX_FOR_EACH",
        "MAX_LEGS",
        "MAX_EXPANSION",
        "MAX_TEMPLATE_DEPTH",
        "MAX_TEMPLATE_BYTES",
        "MAX_TEMPLATE_CHARS",
        "MAX_NESTING",
        "MAX_EXPRESSION_DEPTH",
        "MAX_OUTPUT_CHARS",
        "MAX_ITEMS",
        "MAX_VALUE_ITEMS",
        "MAX_VALUE_CHARS",
        "MAX_VALUE_DEPTH",
        "MAX_OPERATIONS",
        "MAX_FILE_OPERATIONS",
        "MAX_FILE_OUTPUT",
        "MAX_EXPONENT",
        "MAX_POW_BITS",
        "MAX_ROUND_DIGITS",
        "MAX_NUMBER_DIGITS",
        "MAX_LIVE_QUOTES",
        "MAX_SANDBOX_NODES",
        "MAX_DOT_SECONDS",
        "MAX_DIAGNOSTICS",
    }
)


def limit(name: str, default: int) -> int:
    """``default``, or the value of the environment variable ``GRAPHC_<name>`` when it is a whole number above 0."""
    assert name in NAMES, name
    value = _value(os.environ.get(PREFIX + name))
    return default if value is None else value


def overrides() -> dict[str, int]:
    """The limits the environment sets (name -> value): they change what a run reports (the lint cache's key)."""
    found = {}
    for name in sorted(NAMES):
        value = _value(os.environ.get(PREFIX + name))
        if value is not None:
            found[name] = value
    return found


def problems() -> list[str]:
    """What is wrong with the ``GRAPHC_MAX_*`` variables of the environment (unknown names, bad values)."""
    found = []
    for variable, text in sorted(os.environ.items()):
        if not variable.startswith(PREFIX + "MAX_"):
            continue
        name = variable[len(PREFIX) :]
        if name not in NAMES:
            import difflib  # deferred: only a misspelt GRAPHC_MAX_* name needs it

            guess = difflib.get_close_matches(name, NAMES, n=1)
            maybe = f" (did you mean {PREFIX}{guess[0]}?)" if guess else ""
            found.append(f"{variable} is not a graphc limit{maybe}")
        elif _value(text) is None:
            found.append(f"{variable}={text!r}: a limit is a whole number above 0")
    return found


def refusal() -> str | None:
    """Why graphc must not run with the ``GRAPHC_MAX_*`` variables of the environment (:func:`problems`), or None:
    a limit graphc cannot use is refused rather than guessed."""
    wrong = problems()
    return "; ".join(wrong) + " (docs/robustness.md lists the limits)" if wrong else None


def _value(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        return None
    return value if value > 0 else None
