"""Write docs/rules/*.md from the rules themselves (graphc/rules/docs.py).

python tools/rule_docs.py          # rewrite the pages that changed
python tools/rule_docs.py --check  # exit 1 when a page is out of date (a test does the same)
"""

import sys

from graphc.rules.docs import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
