"""The floor: read each file and parse it with PyYAML's C loader, nothing else.

    python bench/parse_floor.py FILE...

No linter can check a YAML file faster than it can parse it; bench/run.py times
this script over the same files as `graphc lint` to show how close graphc gets.
"""

import sys

import yaml


def main(paths):
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            yaml.load(fh.read(), Loader=yaml.CSafeLoader)


if __name__ == "__main__":
    main(sys.argv[1:])
