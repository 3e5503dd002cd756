"""The bench's generated inputs (bench/make_corpus.py), made in memory for tests.

bench/corpus/ is gitignored and only exists where the bench ran, so a test that read it there would test
less on a clean clone; these give every checkout the same playbooks, byte for byte.
"""

from __future__ import annotations

import functools
import importlib.util
import random
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def make_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", ROOT / "bench" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def corpus_playbooks(count: int = 1000) -> tuple[tuple[str, str], ...]:
    """(file name, text) of the first ``count`` playbooks ``make_corpus.py --count N`` writes (same seed)."""
    module = make_corpus()
    gen = module._Gen(random.Random(module.SEED))
    return tuple(gen.playbook(index) for index in range(count))
