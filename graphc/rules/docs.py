"""The rule pages in docs/rules/, written from the rules themselves.

Each page is a rule's docstring (its lede and the sections What it checks, Why
it matters, Failing example, Fix) with a generated header and Options section;
``docs/rules/README.md`` is the table of every rule with the source it rests
on. ``graphc explain CODE`` prints the page, and a test fails when a committed
page differs from what this module writes, so the two cannot drift::

    python tools/rule_docs.py          # rewrite docs/rules/
    python tools/rule_docs.py --check  # exit 1 when a page is out of date
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from graphc.resources import SOURCE_DIRS
from graphc.rules.registry import RULES
from graphc.stages.checks import Rule

FAMILIES = (
    ("input", "GC1xx: reading and compiling the playbook"),
    ("graph", "GC2xx: graph shape"),
    ("venue", "GC3xx: venue rules"),
    ("execution", "GC4xx: execution settings"),
    ("risk", "GC5xx: risk"),
)


def render_page(r: Rule) -> str:
    """The Markdown page of one rule."""
    lede, _, sections = r.docs.partition("\n\n## ")
    parts = [
        f"# {r.code}: {r.name}",
        lede.strip(),
        f"**Default severity:** {r.shown_severity}",
        _wrap(f"**Rests on:** {r.source}"),
        "## " + sections.strip(),
        "## Options",
        _options(r),
    ]
    return "\n\n".join(parts) + "\n"


def _options(r: Rule) -> str:
    """How to change the severity, turn the rule off, or silence one finding."""
    # a graded code (GC403) has no single default level: setting its own level changes the findings of the other
    default = "the default" if r.graded is None else f"every finding an {r.severity}"
    text = [
        "Change the severity, or turn the check off, in `graphc.toml` (the same table works as "
        "`[tool.graphc.rules]` in `pyproject.toml`):",
        "```toml\n[rules]\n"
        f'{r.code} = "{_other(r.severity)}"   # {r.demoted or _effect(r.severity, r.family)}\n'
        f'# {r.code} = "off"     # not reported at all\n'
        f'# {r.code} = "{r.severity}"   # {default}\n```',
        f'The rule\'s name works in place of its code, both here (`{r.name} = "off"`) and in '
        "`# graphc: ignore[...]` comments.",
    ]
    if r.graded is not None:
        text.insert(2, f"Left unset, {r.graded}; setting a severity gives every finding that one.")
    if r.suppression:
        text.append(r.suppression)
    elif r.flagged and r.family == "input" and r.severity == "error":  # audit reports23 1: it stops the checks
        text += [
            "An inline comment at the end of the line graphc reports hides the finding:",
            f"```yaml\n{r.flagged}  # graphc: ignore[{r.code}]\n```",
            f"`# graphc: ignore-file[{r.code}]` on a line of its own, anywhere in the playbook, hides the code for "
            "the whole file. Neither undoes what the error did: when it stopped the checks, no other check ran on "
            "the file, which counts as not checked, and `graphc lint` exits 2 (below).",
        ]
    elif r.flagged:
        text += [
            "To accept one finding, end the line graphc reports with an inline comment:",
            f"```yaml\n{r.flagged}  # graphc: ignore[{r.code}]\n```",
            f"`# graphc: ignore-file[{r.code}]` on a line of its own, anywhere in the playbook, silences the "
            "code for the whole file.",
        ]
    if r.family == "input":
        text.append(
            "GC1xx codes mean graphc could not read or build the playbook as written, so there is usually no "
            "graph left to check once one is reported. Lowering the severity, turning the code off or suppressing "
            "the finding hides the message; it does not make the input usable: when the error it hides stopped "
            "the checks, no other check ran on the file, so the file was not checked. `graphc lint` then exits 2, "
            "as for a file it could not read (GC112), whatever `--strict` says, and its summary line names the "
            "file instead of counting it as clean (`no problems in 0 files; 1 file not checked: p.yaml (GC102 at "
            "p.yaml:11:5 is suppressed or turned off, and it stopped the checks)`; `--explain-skips`: no other "
            "check ran on it). Nor does it let "
            "a graph leave graphc: `plan` (and `plan -o`), `submit`, `run`, `bundle` and `amend` refuse a file "
            'whose input error stopped the checks, whatever its configured severity, and send nothing ("the graph '
            'is incomplete"; exit 1, or 2 for `amend` as for its other refusals): the graph built without it lacks '
            "what the error dropped. `compile` stops on it too. Fix the file instead."
        )
    if r.code == "GC112":  # audit formats.md 4: whatever its severity, an unread file is never a pass
        text.append(
            "A file GC112 reports, as an error or a warning, always has one skipped GC112 that stands for all "
            "its checks (`the file is not UTF-8 text, so every rule was skipped on it: no other check ran on this "
            "file`): the summary line names it as not checked instead of counting it (`1 warning in 0 files; 1 "
            "file not checked: latin.yaml (GC112 at latin.yaml:2:10 stopped the checks)`), JUnit counts it as an "
            '`<error type="not-read">` test case (as with GC112 turned off), never a passing or skipped one, and '
            "SARIF adds an `error` notification with `executionSuccessful: false`."
        )
    return "\n\n".join(_wrap(part) for part in text)


def _wrap(paragraph: str) -> str:
    """A prose paragraph wrapped at 80 columns, never inside a `code span` (code blocks and
    pre-wrapped text are left alone)."""
    if paragraph.startswith("```") or "\n" in paragraph:
        return paragraph
    glued = re.sub(r"`[^`]*`", lambda m: m.group().replace(" ", _NBSP), paragraph)
    return textwrap.fill(glued, 80, break_long_words=False, break_on_hyphens=False).replace(_NBSP, " ")


_NBSP = "\u00a0"  # stands in for the spaces of a code span while wrapping


def _other(severity: str) -> str:
    return "warning" if severity == "error" else "error"


def _effect(severity: str, family: str = "") -> str:
    if severity == "error" and family == "input":  # (audit reports23 1) the file whose checks it stopped: exit 2
        return "still reported; a file it stopped the checks of is still not checked (exit 2)"
    if severity == "error":
        return "still reported, but `graphc lint` no longer fails on it"
    return "`graphc lint` fails on it"


def render_index(rules=None) -> str:
    """docs/rules/README.md: the families and a table of every rule with what it rests on."""
    rules = list((rules or RULES).values())
    blocks = [
        "# graphc rule codes",
        "Every diagnostic graphc reports carries a stable code. This directory has one page per code: what "
        "it checks, why it matters for the order, a minimal playbook that triggers it, the fix, and how to "
        "configure it. The same pages are printed by `graphc explain CODE` (a rule name such as `off-tick` "
        "works too), and `graphc rules --format markdown` prints the table below. The pages are written "
        "from the rules' own code by `python tools/rule_docs.py`: edit the rule, not the page.",
        "The codes fall into five families:",
        "\n".join(f"- **{title}**" for _, title in FAMILIES),
        "GC1xx codes come from loading and compiling the playbook; GC2xx-GC5xx come from the lint rules, "
        "which run on the compiled wire graph. `graphc compile` fails only on GC1xx errors and on two errors "
        "of a `for_each`/`use:` expansion that leave no graph to print (two legs with one id after the "
        "expansion (GC203), a template's `after:` naming a leg outside the template (GC202)), while "
        "`graphc lint`, `graphc plan` and `graphc submit` run every rule, and `submit` refuses to send a "
        "graph with any error. A check that needs a fact graphc does not have (a quote, a venue's lot) is "
        "skipped, never passed: the summary line counts skipped checks and `--explain-skips` lists them.",
        "Each rule rests on a source, named in the last column: the router's reference "
        "(`../shared/reference/`), a venue's own documentation (collected with sources in "
        "`../shared/venue-rules.md`), or the playbook contract (`playbook-spec.md`).",
        markdown_table(rules).rstrip("\n"),
        "## Configuring rules",
        "Severities can be changed, and rules turned off, in `graphc.toml` or under `[tool.graphc.rules]` "
        "in `pyproject.toml`:",
        '```toml\n[rules]\nGC405 = "off"       # not checked\nGC307 = "error"     # fail on unknown venues\n'
        'GC403 = "warning"   # report without failing\n```',
        "A single finding is silenced with `# graphc: ignore[GC405]` at the end of the reported line, and a "
        "whole file with `# graphc: ignore-file[GC405]` anywhere in it. Exit codes: 0 no errors, 1 errors "
        "found (or warnings with `--strict`), 2 usage error, unreadable input or a file not checked (an input "
        "error that stopped its checks suppressed, lowered or turned off), 3 remote API failure, "
        "4 internal error.",
    ]
    return "\n\n".join(_wrap(block) for block in blocks) + "\n"


def markdown_table(rules) -> str:
    rows = ["| Code | Name | Severity | Summary | Rests on |", "|---|---|---|---|---|"]
    for r in rules:
        rows.append(f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.shown_severity} | {r.summary} | {r.source} |")
    return "\n".join(rows) + "\n"


def pages() -> dict[str, str]:
    """File name -> text of every generated page."""
    out = {f"{code}.md": render_page(r) for code, r in RULES.items()}
    out["README.md"] = render_index()
    return out


def _differs(path: Path, text: str) -> bool:
    return not path.is_file() or path.read_text(encoding="utf-8") != text


def write(directory: Path) -> list[str]:
    """Write every page into ``directory``; return the names that changed."""
    expected = pages()
    changed = [name for name, text in expected.items() if _differs(directory / name, text)]
    for name in changed:
        (directory / name).write_text(expected[name], encoding="utf-8")
    return changed


def stale(directory: Path) -> list[str]:
    """Names of the pages in ``directory`` that differ from what would be written, then pages of no rule."""
    expected = pages()
    found = [name for name, text in expected.items() if _differs(directory / name, text)]
    return found + sorted(p.name for p in directory.glob("GC*.md") if p.name not in expected)


def main(argv: list[str]) -> int:
    """``tools/rule_docs.py``: write the pages (or with ``--check`` list the stale ones); the exit status."""
    directory = SOURCE_DIRS["rules"]
    if "--check" in argv:
        out_of_date = stale(directory)
        for name in out_of_date:
            print(f"docs/rules/{name} is out of date; run `python tools/rule_docs.py`", file=sys.stderr)
        return 1 if out_of_date else 0
    for name in write(directory):
        print(f"wrote docs/rules/{name}")
    return 0
