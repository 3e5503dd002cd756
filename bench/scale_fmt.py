"""Time ``graphc fmt``'s work on one playbook inside the process (no interpreter start-up, no imports).

    python bench/scale_fmt.py fmt FILE      -> one JSON line: seconds (format_text of FILE as written)
    python bench/scale_fmt.py clean FILE    -> one JSON line: seconds (format_text of FILE's formatted text,
                                               what `graphc fmt --check` does on a file already formatted)
    python bench/scale_fmt.py ruamel FILE   -> one JSON line: seconds (ruamel.yaml's own round trip of FILE:
                                               YAML(typ="rt").load, then .dump, nothing else)

Used by bench/run.py for the fmt rows, over ``corpus/scaling/fmt-N.yaml``
(bench/make_corpus.py: a block-style ladder written out of fmt's order). fmt
reads a text with ruamel's round-trip loader (comments kept) and writes it
again, so ruamel's own load + dump of the same file is the floor a formatter
built on it cannot go under. Imports and a small file's formatting happen
before the clock starts; ``clean`` formats FILE once, untimed, first.
"""

import io
import json
import sys
import time


def main(mode, path):
    from ruamel.yaml import YAML

    from graphc.fmt import format_text

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    format_text("graphc: 1\nname: warm-up\nlegs:\n  a:\n    symbol: BTC-USD\n    buy: 1\n")  # imports, caches
    if mode == "clean":
        text = format_text(text)
    start = time.perf_counter()
    if mode == "ruamel":
        yaml = YAML(typ="rt")
        yaml.dump(yaml.load(text), io.StringIO())
    else:
        format_text(text)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "bytes": len(text.encode())}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
