"""Where a caller's program ends and graphc begins: what each public function (docs/api.md) does first.

A function of the public API is called from someone else's program, in its
thread's state. :func:`entry_point` runs it under graphc's own decimal context
(:data:`graphc.numbers.DECIMALS`, the one the command line computes in), so a
caller that traps ``Inexact`` or works at a lower precision gets the same
results as ``graphc`` on the command line, no ``decimal`` exception graphc
did not mean, and its context back as it was, with no flag set by graphc.

Before that, it refuses (``ValueError``) to run with a ``GRAPHC_MAX_*``
variable it cannot use (:func:`graphc.limits.refusal`), as every command exits
2 for one: a limit set by mistake is never silently the default.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from graphc.limits import refusal

P = ParamSpec("P")
R = TypeVar("R")


def entry_point(function: Callable[P, R]) -> Callable[P, R]:
    """``function``, run under graphc's decimal context (a fresh copy each call, no flag set), once the environment's
    limits are ones graphc can use (else ``ValueError``)."""

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        from decimal import localcontext  # deferred: `import graphc` (and `graphc --version`) stays light

        from graphc.numbers import DECIMALS  # deferred: as above

        wrong = refusal()
        if wrong is not None:
            raise ValueError(wrong)
        with localcontext(DECIMALS) as context:
            context.clear_flags()  # (DECIMALS' own flags: graphc.numbers computes in it explicitly)
            return function(*args, **kwargs)

    return call
