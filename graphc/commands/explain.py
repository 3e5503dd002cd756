"""``graphc rules`` (the table of rule codes) and ``graphc explain CODE`` (a rule's page).

Both read the registry (:mod:`graphc.rules.registry`, built from the rule
modules) and the pages in ``docs/rules/`` (shipped in the wheel as
``graphc/_data/rules``), which :mod:`graphc.rules.docs` writes from the same
rules; a test keeps the shipped pages equal to what the rules say.
"""

from __future__ import annotations

import difflib
import json
import re
import sys

import click

from graphc.commands.common import EXIT_USAGE, write_output
from graphc.report.text import should_color
from graphc.resources import read_text
from graphc.rules.docs import markdown_table
from graphc.rules.registry import BY_NAME, RULES
from graphc.stages.checks import Rule

FORMATS = ("text", "json", "markdown")
COLUMNS = ("code", "name", "severity", "summary")


def lookup(query: str) -> Rule | None:
    """The rule for a code (``GC303``, ``gc303``) or a name (``off-tick``, ``OFF_TICK``)."""
    key = query.strip()
    return RULES.get(key.upper()) or BY_NAME.get(key.lower().replace("_", "-"))


def suggestions(query: str, limit: int = 3) -> list[str]:
    """Codes or names close to ``query``, best first, for a did-you-mean: the start of a code (``GC1``, ``gc30``)
    gets every code of that family first (GC101 to GC112), then codes and names close by spelling, ``limit`` in
    all unless the family alone has more. A family as the docs write it (``GC3xx``, ``gc30X``) is its start
    (``GC3``, ``GC30``): it got GC503 and GC403 first (audit graph27 5)."""
    key = query.strip()
    start = key.upper().rstrip("X")
    family = [code for code in RULES if code.startswith(start)] if _CODE_START.fullmatch(key) else []
    found = difflib.get_close_matches(key.upper(), list(RULES), n=limit, cutoff=0.6)
    found += difflib.get_close_matches(key.lower().replace("_", "-"), list(BY_NAME), n=limit, cutoff=0.6)
    return list(dict.fromkeys(family + found))[: max(limit, len(family))]


_CODE_START = re.compile(r"(?i)GC(\d{1,2}|\dx{1,2}|\d\dx)")  # the start of a rule code, or a family: GC3, GC3xx
USAGE_POINTER = "Run `graphc rules` to list every rule."


def rule_rows() -> list[dict]:
    return [
        {
            "code": info.code,
            "name": info.name,
            "severity": info.severity,
            "graded": info.graded,  # which findings are not at `severity` when left unset (None: all are)
            "family": info.family,
            "summary": info.summary,
            "source": info.source,
        }
        for info in RULES.values()
    ]


def render_table(rows) -> str:
    headers = {column: column.upper() for column in COLUMNS}
    widths = {c: max(len(headers[c]), *(len(row[c]) for row in rows)) for c in COLUMNS[:-1]}

    def line(values):
        cells = [values[c].ljust(widths[c]) for c in COLUMNS[:-1]]
        return "  ".join([*cells, values["summary"]]).rstrip()

    return "\n".join([line(headers), *(line(row) for row in rows)]) + "\n"


def style_markdown(text: str) -> str:
    """Bold headings (the title also in cyan); code blocks and prose unchanged."""
    out, in_code = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            out.append(line)
        elif not in_code and line.startswith("# "):
            out.append(click.style(line, fg="cyan", bold=True))
        elif not in_code and line.startswith("#"):
            out.append(click.style(line, bold=True))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def read_page(code: str) -> str:
    return read_text("rules", f"{code}.md")


@click.command("rules")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format."
)
def rules_command(fmt):
    """List every rule code with its name, default severity and summary.

    A code some of whose findings are warnings when left unset (the others
    errors) shows `error (some findings: warning)`; its page says which, and
    `--format json` says so in `graded` (null for the other codes).

    `--format markdown` adds what each rule rests on (the router reference, a
    venue's docs, or the playbook spec); `--format json` has every field.
    `graphc explain CODE` shows a rule's full page.
    """
    rows = rule_rows()
    if fmt == "json":
        write_output(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", None)  # data: UTF-8 whatever the locale
    elif fmt == "markdown":
        write_output(markdown_table(RULES.values()), None, for_people=True)
    else:  # a graded code's severity as its page shows it: `error (some findings: warning)`
        write_output(
            render_table([{**row, "severity": RULES[row["code"]].shown_severity} for row in rows]),
            None,
            for_people=True,
        )


@click.command("explain")
@click.argument("code", metavar="CODE", required=False)
def explain_command(code):
    """Show the documentation page of a rule: what it checks, why it matters,
    a failing example, the fix and how to configure it.

    CODE is a rule code (GC303, gc303) or a rule name (off-tick).
    """
    ctx = click.get_current_context()
    if code is None:  # click's own "Missing argument" would not say where the codes are
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"Try '{ctx.command_path} --help' for help.\n", err=True)
        click.echo("Error: Missing argument 'CODE', a rule code (GC303) or name (off-tick).", err=True)
        click.echo(USAGE_POINTER, err=True)
        ctx.exit(EXIT_USAGE)
    info = lookup(code)
    if info is None:
        close = suggestions(code)
        message = f"graphc explain: unknown rule code or name {code.strip()!r}."
        if close:
            shown = " or ".join(close) if len(close) <= 3 else f"one of {', '.join(close)}"
            message += f" Did you mean {shown}?"
        click.echo(message, err=True)
        click.echo(USAGE_POINTER, err=True)
        ctx.exit(EXIT_USAGE)
    try:
        page = read_page(info.code)
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"graphc explain: cannot read the page of {info.code}: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
    # through the writer every command shares: a stdout that cannot be written is said, exit 2 (audit graph27 3)
    if should_color(sys.stdout):
        write_output(style_markdown(page), None, for_people=True)
    else:
        write_output(page if page.endswith("\n") else page + "\n", None, for_people=True)
