"""Each rule page's failing example really triggers its code, and its fix really does not.

The pages are what `graphc explain CODE` prints, so a stale example would teach
users the wrong thing. Every code block under "Failing example" and under "Fix"
is linted (YAML playbook, or JSON wire graph; the first is the one the Options
section's suppression line comes from); a block starting with `# quotes.yaml` is
passed as --quotes. A failing example gets its own code and nothing else, and a
fix no finding at all (audit ruledoc21). GC109 is a compile-time error, so
its page is checked with `graphc compile`. GC112's example is a file saved as
Windows-1252, so it is written in that encoding.
"""

import json
import re

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.rules.registry import RULES
from tests.conftest import REPO

PAGES = REPO / "docs" / "rules"
BLOCK = re.compile(r"```(yaml|json)\n(.*?)```", re.S)


def section_examples(page: str, heading: str):
    """Every example of a section (``(kind, text)``, in page order), and its quotes snapshot (None: none)."""
    body = page.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    blocks = BLOCK.findall(body)
    examples = [(kind, text) for kind, text in blocks if not text.startswith("# quotes.yaml")]
    quotes = next((text for _, text in blocks if text.startswith("# quotes.yaml")), None)
    return examples, quotes


def section_blocks(page: str, heading: str):
    examples, quotes = section_examples(page, heading)
    return examples[0], quotes


def codes_for(tmp_path, code, example, quotes, *, command=None):
    """The codes of every finding the example gets, in report order (one per finding): from `graphc lint`, or,
    for GC109's page, which says to run it so, `graphc compile` (``command`` chooses one)."""
    kind, text = example
    path = tmp_path / f"example.{kind}"
    path.write_bytes(text.encode("cp1252" if code == "GC112" else "utf-8"))
    args = ["lint", "--format", "json", str(path)]
    if quotes is not None:
        (tmp_path / "quotes.yaml").write_text(quotes)
        args += ["--quotes", str(tmp_path / "quotes.yaml")]
    if (command or ("compile" if code == "GC109" else "lint")) == "compile":
        result = CliRunner().invoke(cli, ["compile", str(path)])
        return re.findall(r" (?:error|warning) (GC\d{3}) ", result.stderr)
    result = CliRunner().invoke(cli, args)
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


@pytest.mark.parametrize("code", sorted(RULES))
def test_failing_example_triggers_the_code(tmp_path, code):
    examples, quotes = section_examples((PAGES / f"{code}.md").read_text(), "Failing example")
    for example in examples:
        assert code in codes_for(tmp_path, code, example, quotes), example[1]


@pytest.mark.parametrize("code", sorted(RULES))
def test_fix_does_not(tmp_path, code):
    page = (PAGES / f"{code}.md").read_text()
    examples, quotes = section_examples(page, "Fix")
    if quotes is None:
        quotes = section_blocks(page, "Failing example")[1]
    for example in examples:
        assert code not in codes_for(tmp_path, code, example, quotes), example[1]


@pytest.mark.parametrize("code", sorted(RULES))
def test_failing_example_gives_its_own_code_and_nothing_else(tmp_path, code):
    """Audit ruledoc21 (checked by hand there, held here): the failing example shows one rule, and only it. GC111's
    example leaves out both fields GC111 is about (two findings); GC109's is a compile error (its page runs
    `graphc compile`), which lint without a snapshot skips, as its page says."""
    examples, quotes = section_examples((PAGES / f"{code}.md").read_text(), "Failing example")
    expected = {"GC111": ["GC111", "GC111"]}.get(code, [code])
    for example in examples:
        assert codes_for(tmp_path, code, example, quotes) == expected, example[1]
        if code == "GC109":
            assert codes_for(tmp_path, code, example, quotes, command="lint") == [], example[1]


@pytest.mark.parametrize("code", sorted(RULES))
def test_fix_lints_with_no_findings_at_all(tmp_path, code):
    """Audit ruledoc21: a fix that trades one finding for another would teach the wrong thing; every fix is clean
    (GC109's under compile too)."""
    page = (PAGES / f"{code}.md").read_text()
    examples, quotes = section_examples(page, "Fix")
    if quotes is None:
        quotes = section_blocks(page, "Failing example")[1]
    for example in examples:
        assert codes_for(tmp_path, code, example, quotes, command="lint") == [], example[1]
        if code == "GC109":
            assert codes_for(tmp_path, code, example, quotes) == [], example[1]


@pytest.mark.parametrize("code", sorted(c for c in RULES if RULES[c].flagged))
def test_the_options_suppression_example_silences_the_finding(tmp_path, code):
    """The page's `# graphc: ignore[CODE]` line is a line of the failing example, and it works
    (on the last such line: GC408's example has two exits of one size, and the second is reported)."""
    (kind, text), quotes = section_blocks((PAGES / f"{code}.md").read_text(), "Failing example")
    flagged = RULES[code].flagged
    before, found, after = text.rpartition(flagged + "\n")
    assert found, f"{code}: the flagged line {flagged!r} is not in the failing example"
    silenced = f"{before}{flagged}  # graphc: ignore[{code}]\n{after}"
    assert code not in codes_for(tmp_path, code, (kind, silenced), quotes)


def findings_for(tmp_path, example, quotes, config=None):
    """(code, severity) of every finding ``graphc lint`` reports on the example, with ``--config`` lines."""
    kind, text = example
    path = tmp_path / f"example.{kind}"
    path.write_text(text)
    args = ["lint", "--no-cache", "--format", "json", str(path)]
    if quotes is not None:
        (tmp_path / "quotes.yaml").write_text(quotes)
        args += ["--quotes", str(tmp_path / "quotes.yaml")]
    for line in config or ():
        args += ["--config", line]
    result = CliRunner().invoke(cli, args)
    return sorted((d["code"], d["severity"]) for d in json.loads(result.stdout)["diagnostics"])


@pytest.mark.parametrize("code", sorted(c for c in RULES if c not in ("GC109", "GC112")))
def test_writing_the_line_a_page_calls_the_default_changes_nothing(tmp_path, code):
    """ci16 7: GC403's page called `GC403 = "error"` the default, but writing it turned the 500-10000 bps band's
    warnings into errors (CI started failing). A line the Options block marks `# the default` must be a no-op."""
    page = (PAGES / f"{code}.md").read_text()
    options = page.split("## Options", 1)[1]
    defaults = re.findall(r'^# ((GC\d{3}) = "(?:error|warning)")\s+# the default$', options, re.M)
    for line, named in defaults:
        assert named == code
        example, quotes = section_blocks(page, "Failing example")
        line = "rules." + line.replace(" = ", "=", 1).replace('"', "'")
        assert findings_for(tmp_path, example, quotes, [line]) == findings_for(tmp_path, example, quotes)
