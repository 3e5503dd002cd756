"""Counts, delays and offsets written in an edge or twap mapping take the one number syntax (spec §3.2, audit spec28
4), as their text forms do; text it refuses is GC103 at the value, with a spelling it takes."""

import json

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import write


def test_counts_delays_and_offsets_in_a_mapping_take_the_number_syntax(tmp_path):
    """Audit spec28 4: spec §3.2's "Number syntax everywhere" stopped at the fields that take a YAML number: `slices:
    1k`, `slices: 1_000` and `ms: 5_000` were GC103, and `offset_pct: -5%` too, though the docs read `-5%` as -5.0
    for on_price offsets and the same mapping's `fill_ratio: 50%` was read."""
    price = "{symbol: ETH-USD, direction: below, reference: graph_entry_price, offset_pct: %s}"
    text = (
        "graphc: 1\nname: sfx\nlegs:\n"
        "  a: {buy: 10 ETH, symbol: ETH-USD, limit: 2000, twap: 1k slices every 1s}\n"
        "  b: {buy: 10 ETH, symbol: ETH-USD, limit: 2000, twap: {slices: 1k, every: 1s}}\n"
        "  c: {buy: 10 ETH, symbol: ETH-USD, limit: 2000, twap: {slices: 1_000, every: 1s}}\n"
        "  d: {buy: 10 ETH, symbol: ETH-USD, limit: 2000, after: [{from: a, trigger: {on_timeout: {ms: 5_000}}}]}\n"
        "  e: {buy: 10 ETH, symbol: ETH-USD, limit: 2000, after: [{from: a, trigger: {on_timeout: {ms: 5k}}}]}\n"
        f"  f: {{sell: 1 ETH, symbol: ETH-USD, after: [{{from: a, trigger: {{on_price: {price % '-5%'}}}}}]}}\n"
        f"  g: {{sell: 1 ETH, symbol: ETH-USD, after: [{{from: a, trigger: {{on_price: {price % '-5'}}}}}]}}\n"
    )
    result = CliRunner().invoke(cli, ["compile", str(write(tmp_path, "p.yaml", text))])
    assert result.exit_code == 0, result.output
    assert '"offset_pct": -5.0' in result.stdout
    wire = json.loads(result.stdout)
    pacing = {"uniform": {"num_slices": 1000, "interval_ms": 1000}}
    assert [n["execution"].get("pacing") for n in wire["nodes"][:3]] == [pacing] * 3
    assert [e["trigger"] for e in wire["edges"]] == [{"on_timeout": {"ms": 5000}}] * 2 + [
        {"on_price": {"symbol": "ETH-USD", "direction": "below", "reference": "graph_entry_price", "offset_pct": -5}}
    ] * 2


@pytest.mark.parametrize(
    "rest,message,hint",
    [
        (
            "twap: {slices: 1 k, every: 1s}",
            "`legs.b.twap.slices` must be a whole number (or a `{{ }}` template), not '1 k'",
            "`slices: 1000`, `slices: 1_000` or `slices: 1k`",
        ),
        (
            "after: [{from: a, trigger: {on_timeout: {ms: 5 s}}}]",
            "`legs.b.after.0.trigger.on_timeout.ms` must be a whole number (or a `{{ }}` template), not '5 s'",
            "`ms: 5000`, `ms: 5_000` or `ms: 5k`",
        ),
        (  # a million in a number, a minute in a duration: neither is guessed
            "after: [{from: a, trigger: {on_timeout: {ms: 1m}}}]",
            "`legs.b.after.0.trigger.on_timeout.ms` must be a whole number (or a `{{ }}` template), not '1m'",
            "`ms: 5000`",
        ),
        (
            "after: [{from: a, trigger: {on_price: {symbol: ETH-USD, direction: below, reference: graph_entry_price,"
            " offset_pct: five}}}]",
            "`legs.b.after.0.trigger.on_price.offset_pct` must be a number (or a `{{ }}` template), not 'five'",
            "`offset_pct: -5` or `offset_pct: -5%`",
        ),
    ],
)
def test_text_the_number_syntax_refuses_is_gc103_with_a_spelling_it_takes(tmp_path, rest, message, hint):
    text = (
        "graphc: 1\nname: sfx\nlegs:\n  a: {buy: 10 ETH, symbol: ETH-USD, limit: 2000}\n"
        f"  b: {{buy: 10 ETH, symbol: ETH-USD, limit: 2000, {rest}}}\n"
    )
    result = CliRunner().invoke(cli, ["compile", str(write(tmp_path, "p.yaml", text))])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if ": error " in line]
    assert len(errors) == 1 and errors[0].split(": error ")[1] == f"GC103 {message}", result.output
    assert hint in result.output, result.output


@pytest.mark.parametrize("written", ['"{{ stop }} "', '"{{ stop | string }}"'])
def test_an_offset_written_as_text_ending_with_a_percent_ratio_is_gc107(tmp_path, written):
    """Text in `offset_pct` is now read as a number of percent points, so a percent param's ratio written as text
    (-0.05 for -5%) would be a stop 100 times tighter, as `slippage: "{{ slip }} "` would be 0.0025 bps: GC107 at
    the offset, as for the slippage (docs/templates.md, Percent params). The whole `{{ stop }}` is -5."""
    price = "{symbol: ETH-USD, direction: below, reference: graph_entry_price, offset_pct: %s}"
    text = (
        "graphc: 1\nname: pct\nparams:\n  stop: {type: percent, default: -5%}\nlegs:\n"
        "  entry: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n"
        f"  a: {{sell: 1 ETH, symbol: ETH-USD, after: [{{from: entry, trigger: {{on_price: {price % written}}}}}]}}\n"
    )
    path = write(tmp_path, "p.yaml", text)
    result = CliRunner().invoke(cli, ["compile", str(path)])
    assert result.exit_code == 1, result.output
    column = text.splitlines()[6].index(written) + 1
    assert f"{path}:7:{column}: error GC107 `offset_pct` is the text '-0.05', where -0.05 is a ratio" in result.output
    assert 'hint: write the whole value, `offset_pct: "{{ stop }}"`' in result.output
    whole = text.replace(written, '"{{ stop }}"')
    result = CliRunner().invoke(cli, ["compile", str(write(tmp_path, "q.yaml", whole))])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edges"][0]["trigger"]["on_price"]["offset_pct"] == -5


@pytest.mark.parametrize(
    ("number", "text", "written"),
    [
        (
            "after: [{from: a, trigger: {on_timeout: {ms: 0.5}}}]",
            'after: [{from: a, trigger: {on_timeout: {ms: "0.5"}}}]',
            # the schema's words for the number, and the model's for the text: one path form (the whole path)
            "`legs.b.after.0.trigger.on_timeout.ms` must be a whole number (or a `{{ }}` template), not ",
        ),
        (
            "twap: {slices: 2.5, every: 1s}",
            'twap: {slices: "2.5", every: 1s}',
            "`legs.b.twap.slices` must be a whole number (or a `{{ }}` template), not ",
        ),
        (
            "twap: {slices: 0, every: 1s}",
            'twap: {slices: "0", every: 1s}',
            "`legs.b.twap.slices`: 0 is less than the minimum of 1",
        ),
    ],
)
def test_a_count_or_delay_written_as_text_is_refused_as_the_same_number_is(tmp_path, number, text, written):
    """Audit review28 7: `ms: 0.5` was the schema's GC103 "must be a whole number", `ms: "0.5"` the duration
    reader's GC106 "is not a whole number of milliseconds"; `slices: "2.5"` and `slices: "0"` had other words than
    `slices: 2.5` and `slices: 0`. The text gets the number's code and words (the value shown as written), at the
    value."""
    found = []
    for name, rest in (("n.yaml", number), ("t.yaml", text)):
        source = (
            "graphc: 1\nname: sfx\nlegs:\n  a: {buy: 10 ETH, symbol: ETH-USD, limit: 2000}\n"
            f"  b: {{buy: 10 ETH, symbol: ETH-USD, limit: 2000, {rest}}}\n"
        )
        path = write(tmp_path, name, source)
        result = CliRunner().invoke(cli, ["compile", str(path)])
        assert result.exit_code == 1, result.output
        [error] = [line for line in result.output.splitlines() if ": error " in line]
        line = source.splitlines()[4]
        column = (
            line.index("ms: " if "ms: " in line else "slices: ") + len("ms: " if "ms: " in line else "slices: ") + 1
        )
        assert error.startswith(f"{path}:5:{column}: error GC103 "), (error, column)
        assert written in error, error
        found.append(error)
    assert "GC106" not in found[1]


@pytest.mark.parametrize(
    ("where", "path"),
    [
        ("after: [{from: a, trigger: {on_timeout: {ms: MS}}}]", "legs.b.after.0"),
        ("edges", "edges.0"),
    ],
)
def test_a_delay_as_text_and_as_a_number_are_named_by_one_path_form(tmp_path, where, path):
    """`ms: 0.5` is the schema's GC103, named by its whole path (`legs.b.after.0.trigger.on_timeout.ms`); `ms: "0.5"`
    is the edge reader's, which named the path below the edge (`trigger.on_timeout.ms`). One form, the whole path,
    the one the schema's and the other messages use, in `after:` and `edges:` alike."""
    said = []
    for ms in ("0.5", '"0.5"'):
        source = "graphc: 1\nname: sfx\nlegs:\n  a: {buy: 10 ETH, symbol: ETH-USD, limit: 2000}\n"
        if where == "edges":
            source += "  b: {buy: 10 ETH, symbol: ETH-USD, limit: 2000}\n"
            source += f"edges:\n  - {{from: a, to: b, trigger: {{on_timeout: {{ms: {ms}}}}}}}\n"
        else:
            source += f"  b: {{buy: 10 ETH, symbol: ETH-USD, limit: 2000, {where.replace('MS', ms)}}}\n"
        result = CliRunner().invoke(cli, ["lint", "--no-cache", str(write(tmp_path, "p.yaml", source))])
        assert result.exit_code == 1, result.output
        [error] = [line.split(": error ", 1)[1] for line in result.output.splitlines() if ": error " in line]
        said.append(error)
    words = f"GC103 `{path}.trigger.on_timeout.ms` must be a whole number (or a `{{{{ }}}}` template), not "
    assert said == [words + "0.5", words + "'0.5'"]
