"""A playbook's `name:` is written literally: it is the run key (audit recur23 3).

Spec §2: `name` is `[a-z0-9][a-z0-9._-]*`, "used for ledger run keys". `graphc run`, `schedule`, `plan` and the
run key `NAME@TIME` read the name as written, so `name: "dca-{{ coin }}"` rendered by compile and lint was another
name than the run's: `--set coin=btc` and `--set coin=eth` were one run, and the ETH occurrence was `already` and
never traded. Like `schedule:`, `{{ }}` in `name:` is GC103 at the value, for every command that reads it.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import invoke, write

NAMED = """\
graphc: 1
name: NAME
schedule: {cron: "0 * * * *"}
params:
  coin: {type: string, default: btc, choices: [btc, eth]}
legs:
  a: {buy: $500, symbol: "{{ coin | upper }}-USD", venue: coinbase, limit: 1000}
"""
# a router on the loopback needs no key; nothing here reaches it
NO_ROUTER = {"SEQUENCE_API_URL": "http://127.0.0.1:9", "SEQUENCE_API_KEY": "", "GRAPHC_CREDENTIALS": "/nonexistent"}


@pytest.mark.parametrize(
    "name",
    # a template whose result is a number fitting the pattern too (audit spec28b 3): never rendered, GC103
    ['"dca-{{ coin }}"', '"dca-{% if coin %}x{% endif %}"', '"dca{# c #}"', '"{{ 2026 }}"', '"{{ now.year }}"'],
)
def test_a_templated_name_is_gc103_at_its_value(tmp_path, name):
    write(tmp_path, "nm.yaml", NAMED.replace("NAME", name))
    result = invoke(["lint", tmp_path / "nm.yaml", "--format", "json"], NO_ROUTER)
    # before the fix: no problems, rc 0 (the rendered name `dca-btc` was checked, not the run key's text)
    assert result.exit_code == 1, result.output
    [finding] = json.loads(result.output)["diagnostics"]
    assert (finding["code"], finding["line"], finding["column"]) == ("GC103", 2, 7), finding
    assert "`name` is written literally: it is the run key" in finding["message"], finding


def test_a_templated_name_stops_run_and_schedule_before_any_occurrence(tmp_path):
    write(tmp_path, "nm.yaml", NAMED.replace("NAME", '"dca-{{ coin }}"'))
    ran = invoke(
        ["run", tmp_path / "nm.yaml", "--once", "--now", "2026-01-08T14:05:00Z", "--set", "coin=eth"], NO_ROUTER
    )
    # before the fix: the occurrence ran as run 'dca-{{ coin }}@2026-01-08T14:00Z', whatever coin
    assert ran.exit_code == 1, ran.output
    [error] = [json.loads(line) for line in ran.output.splitlines() if line.startswith("{")]
    assert error["event"] == "error" and "GC103" in error["message"] and "run key" in error["message"], error
    scheduled = invoke(["schedule", tmp_path / "nm.yaml", "--now", "2026-01-08T14:05:00Z"], NO_ROUTER)
    assert scheduled.exit_code == 1 and "GC103" in scheduled.output, scheduled.output


def test_a_name_without_a_schedule_is_literal_too(tmp_path):
    text = NAMED.replace("NAME", '"dca-{{ coin }}"').replace('schedule: {cron: "0 * * * *"}\n', "")
    write(tmp_path, "nm.yaml", text)
    result = invoke(["compile", tmp_path / "nm.yaml"], NO_ROUTER)
    assert result.exit_code == 1 and "GC103" in result.output, result.output


def test_a_literal_name_outside_the_pattern_is_still_gc103_in_its_own_words(tmp_path):
    write(tmp_path, "nm.yaml", NAMED.replace("NAME", '"Bad Name!"'))
    result = invoke(["lint", tmp_path / "nm.yaml"], NO_ROUTER)
    assert result.exit_code == 1, result.output
    assert "GC103 `name: Bad Name!`: use only lower-case letters, digits" in result.output, result.output
