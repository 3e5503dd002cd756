"""``graphc schema``: print a JSON Schema that ships with graphc.

Editors point their YAML language server at the playbook schema for completion
and hover docs; other tools validate router JSON against the wire schema. The
files are printed exactly as shipped, so `graphc schema playbook > x.json` is a
copy of the real thing.
"""

from __future__ import annotations

import click

from graphc.commands.common import write_output
from graphc.resources import read_text

SCHEMAS = {"playbook": "playbook.schema.json", "wire": "wire-graph.schema.json"}


@click.command("schema")
@click.argument("kind", type=click.Choice(sorted(SCHEMAS)))
def schema_command(kind):
    """Print the JSON Schema for KIND: `playbook` (YAML playbooks) or `wire` (the router's graph JSON)."""
    text = read_text("schemas", SCHEMAS[kind])
    write_output(text if text.endswith("\n") else text + "\n", None)  # data: UTF-8 whatever the locale
