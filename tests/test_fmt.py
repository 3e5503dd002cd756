"""`graphc fmt`: canonical key order and spacing, comments kept, meaning unchanged."""

from __future__ import annotations

import random
import re
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from graphc.cli import cli
from graphc.fmt import LEG_ORDER, TOP_ORDER, FormatError, format_text
from graphc.pipeline import CompileOptions, compile_text
from graphc.quotes import load_quotes
from graphc.stages.load import load_text
from tests.conftest import EXAMPLES

PLAYBOOKS = sorted(p for p in EXAMPLES.glob("*.yaml") if "graphc:" in p.read_text())

MISFORMATTED_HEDGE = """\
# yaml-language-server: $schema=../schemas/playbook.schema.json
name: eth-spot-perp-hedge
graphc: 1
legs:
    # the spot leg
    spot:
        symbol: ETH-USD   # spot market
        urgency:    medium
        buy: 200 ETH
    # then the hedge
    hedge:
        after:
        - spot filled 50%
        sell: 200 ETH
        venue: hyperliquid
        symbol: ETH-USD-PERP
        policy: aggressive_chase
description: >
    Buy 200 ETH spot through smart order routing; once half of it has filled,
    short the same size on the Hyperliquid perp to hedge.
risk:
    max_loss: $10k
    max_notional: $1m
"""

FORMATTED_HEDGE = """\
# yaml-language-server: $schema=../schemas/playbook.schema.json
graphc: 1
name: eth-spot-perp-hedge
description: >
  Buy 200 ETH spot through smart order routing; once half of it has filled,
  short the same size on the Hyperliquid perp to hedge.
risk:
  max_notional: $1m
  max_loss: $10k
legs:
  # the spot leg
  spot:
    buy: 200 ETH
    symbol: ETH-USD       # spot market
    urgency: medium
  # then the hedge
  hedge:
    sell: 200 ETH
    symbol: ETH-USD-PERP
    venue: hyperliquid
    policy: aggressive_chase
    after:
      - spot filled 50%
"""


def compiled(text):
    quotes, _ = load_quotes(str(EXAMPLES / "quotes.yaml"))
    result = compile_text(text, "x.yaml", CompileOptions(quotes=quotes, require_quotes=False))
    return result.wire_json() if result.wire is not None else [d.code for d in result.diagnostics]


def comments(text):
    return sorted(re.findall(r"#[^\n]*", text))


# -- the examples ----------------------------------------------------------------------


def test_check_passes_on_examples():
    result = CliRunner().invoke(cli, ["fmt", "--check", str(EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.name)
def test_examples_are_already_canonical(path):
    assert format_text(path.read_text()) == path.read_text()


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: p.name)
def test_scrambled_example_formats_back_and_compiles_the_same(path):
    # ruamel moves a comment with the key *above* it when keys are shuffled in its tree, so the
    # scrambled copy is made without the examples' inner comments (comment tests are below)
    original = without_inner_comments(path.read_text())
    scrambled = scramble(original, random.Random(path.name))
    assert scrambled != original
    formatted = format_text(scrambled)
    assert formatted == original
    assert compiled(formatted) == compiled(original)


def without_inner_comments(text):
    lines = text.splitlines(keepends=True)
    return lines[0] + "".join(line for line in lines[1:] if not line.lstrip().startswith("#"))


def scramble(text, rng):
    """The same playbook with a 4-space indent and the keys of every mapping fmt orders shuffled."""
    from io import StringIO

    from ruamel.yaml import YAML

    from graphc.fmt import _ordered_maps

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1 << 20
    yaml.indent(mapping=4, sequence=4, offset=0)
    data = yaml.load(text)
    for mapping, _ in list(_ordered_maps(data)):
        keys = list(mapping)
        for _ in range(10):
            rng.shuffle(keys)
            if len(keys) < 2 or keys != list(mapping):
                break
        for key in keys:
            mapping.move_to_end(key)
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()


# -- the misformatted copy -------------------------------------------------------------------


def test_check_fails_on_misformatted_copy_and_fmt_fixes_it(tmp_path):
    bad = tmp_path / "examples" / "eth-hedge.yaml"
    shutil.copytree(EXAMPLES, bad.parent)
    bad.write_text(MISFORMATTED_HEDGE)
    check = CliRunner().invoke(cli, ["fmt", "--check", str(bad.parent)])
    assert check.exit_code == 1
    assert check.stdout == f"would reformat {bad}\n"
    assert bad.read_text() == MISFORMATTED_HEDGE  # --check changes nothing

    fix = CliRunner().invoke(cli, ["fmt", str(bad.parent)])
    assert fix.exit_code == 0, fix.output
    assert bad.read_text() == FORMATTED_HEDGE
    assert CliRunner().invoke(cli, ["fmt", "--check", str(bad.parent)]).exit_code == 0
    assert (bad.parent / "quotes.yaml").read_text() == (EXAMPLES / "quotes.yaml").read_text()  # not a playbook


def test_formatting_twice_changes_nothing():
    once = format_text(MISFORMATTED_HEDGE)
    assert format_text(once) == once


def test_comments_survive_next_to_their_keys():
    formatted = format_text(MISFORMATTED_HEDGE)
    assert comments(formatted) == comments(MISFORMATTED_HEDGE)
    assert "  # the spot leg\n  spot:\n" in formatted
    assert "  # then the hedge\n  hedge:\n" in formatted
    assert "symbol: ETH-USD       # spot market\n" in formatted


def test_formatted_copy_compiles_to_the_same_graph():
    assert compiled(format_text(MISFORMATTED_HEDGE)) == compiled((EXAMPLES / "eth-hedge.yaml").read_text())


def test_diff_shows_the_change(tmp_path):
    bad = tmp_path / "hedge.yaml"
    bad.write_text(MISFORMATTED_HEDGE)
    result = CliRunner().invoke(cli, ["fmt", "--diff", str(bad)])
    assert result.exit_code == 1
    assert "+graphc: 1\n" in result.stdout and "-graphc: 1\n" in result.stdout


# -- details -----------------------------------------------------------------------------------

TEMPLATED = """\
graphc: 1
params:
  size: {default: 200 ETH, type: quantity}
  n:
    default: 3
    type: integer
name: ladder
legs:
  rung:
    limit: "bid - {{ index * 10 }}bps"
    symbol: ETH-USD
    for_each: '{{ range(n) }}'
    buy: "{{ size }}"
    after: [ "first filled" ]
  first:
    sell:   '{{ size }}'
    symbol: ETH-USD
"""


def test_templates_are_preserved_exactly():
    formatted = format_text(TEMPLATED)
    for template in re.findall(r"""["']?[^"'\n]*\{\{.*?\}\}[^"'\n]*["']?""", TEMPLATED):
        assert template.strip() in formatted
    assert "  size: {type: quantity, default: 200 ETH}\n" in formatted  # flow mappings keep their style
    assert format_text(formatted) == formatted
    assert load_text(formatted)[0].data == load_text(TEMPLATED)[0].data


def test_leg_keys_follow_the_spec_table():
    formatted = format_text(TEMPLATED)
    rung = formatted[formatted.index("  rung:") : formatted.index("  first:")]
    keys = re.findall(r"^    ([a-z_]+):", rung, re.M)
    assert keys == sorted(keys, key=LEG_ORDER.index)
    top = re.findall(r"^([a-z_]+):", formatted, re.M)
    assert top == sorted(top, key=TOP_ORDER.index)


def test_sequences_are_indented_under_their_key():
    text = "graphc: 1\nname: x\nlegs:\n  a:\n    buy: 1\n    symbol: X\n    after:\n    - b done\n    - b + 5s\n"
    assert "    after:\n      - b done\n      - b + 5s\n" in format_text(text)


def test_unknown_keys_stay_after_known_ones_in_written_order():
    text = "zeta: 1\nlegs: {}\nalpha: 2\ngraphc: 1\n"
    assert format_text(text) == "graphc: 1\nlegs: {}\nzeta: 1\nalpha: 2\n"


def test_invalid_yaml_is_reported_not_rewritten(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("graphc: 1\nlegs: [\n")
    with pytest.raises(FormatError):
        format_text(bad.read_text())
    dup = tmp_path / "dup.yaml"
    dup.write_text("graphc: 1\nname: a\nname: b\n")
    result = CliRunner().invoke(cli, ["fmt", str(dup)])
    assert result.exit_code == 1 and dup.read_text() == "graphc: 1\nname: a\nname: b\n"


def test_missing_path_is_a_usage_error(tmp_path):
    assert CliRunner().invoke(cli, ["fmt", str(tmp_path / "nope.yaml")]).exit_code == 2


def test_stdin_to_stdout():
    result = CliRunner().invoke(cli, ["fmt", "-"], input=MISFORMATTED_HEDGE)
    assert result.exit_code == 0
    assert result.stdout == FORMATTED_HEDGE


# -- property: any key order, any indent, comments anywhere ------------------------------------


@given(st.sampled_from(PLAYBOOKS), st.randoms(use_true_random=False), st.lists(st.integers(0, 200), max_size=4))
def test_fmt_is_idempotent_and_keeps_meaning(path, rng, comment_rows):
    original = path.read_text()
    text = scramble(without_inner_comments(original), rng)
    lines = text.splitlines(keepends=True)
    for i, row in enumerate(sorted(set(comment_rows), reverse=True)):
        row = row % (len(lines) + 1)
        indent = len(lines[row]) - len(lines[row].lstrip()) if row < len(lines) else 0
        lines.insert(row, " " * indent + f"# note {i}\n")
    text = "".join(lines)
    formatted = format_text(text)
    assert format_text(formatted) == formatted
    assert comments(formatted) == comments(text)
    assert compiled(formatted) == compiled(original)


# -- hostile and unusual input (issue 12) -------------------------------------------------------

ALIAS_BOMB = "graphc: 1\nname: bomb\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
)


def fmt(*args, input=None):
    return CliRunner().invoke(cli, ["fmt", *map(str, args)], input=input)


def test_an_alias_bomb_is_gc100_at_once_as_in_lint(tmp_path):
    """A 617-byte alias bomb had not finished after 300 s: fmt now loads with lint's limits first."""
    path = tmp_path / "bomb.yaml"
    path.write_text(ALIAS_BOMB)
    result = fmt("--check", path)
    assert result.exit_code == 1
    assert f"{path}:8:" in result.stderr and "GC100" in result.stderr and "alias bomb" in result.stderr
    assert path.read_text() == ALIAS_BOMB


def test_nesting_deeper_than_the_loader_allows_is_gc100(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("graphc: 1\nname: deep\nx: " + "[" * 150 + "]" * 150 + "\n")
    result = fmt("--check", path)
    assert result.exit_code == 1 and "GC100" in result.stderr and "nesting deeper than 100 levels" in result.stderr


def test_a_parse_error_has_its_line_and_column(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("graphc: 1\nname: x\nlegs:\n  a: {buy: 1, symbol: [BTC\n")
    result = fmt("--check", path)
    assert result.exit_code == 1
    assert f"{path}:5:1: error GC100 YAML syntax error" in result.stderr


MERGED = """\
graphc: 1
name: merge
defaults: &base
  venue: coinbase
  symbol: ETH-USD
legs:
  a:
    <<: *base
    policy: sor
    buy: 1 ETH
"""


def test_merge_keys_are_formatted_not_a_crash(tmp_path):
    """A lint-clean playbook using the documented `<<: *anchor` merge crashed fmt with KeyError."""
    path = tmp_path / "merge.yaml"
    path.write_text(MERGED)
    assert CliRunner().invoke(cli, ["lint", str(path)]).exit_code == 0
    result = fmt(path)
    assert result.exit_code == 0, result.output
    formatted = path.read_text()
    assert formatted.splitlines()[7:] == ["    <<: *base", "    buy: 1 ETH", "    policy: sor"]
    assert compiled(formatted) == compiled(MERGED)
    assert format_text(formatted) == formatted


def test_a_merged_block_scalar_is_formatted_not_a_crash():
    """A `<<: *base` bringing in a block scalar (`symbol: >-`) crashed fmt with KeyError: the comment pass looked
    for the merged key's own line in the mapping that merges it; the scalar is written (and kept) at its anchor."""
    text = MERGED.replace("  symbol: ETH-USD\n", "  # the spot market\n  symbol: >-\n    ETH-USD\n")
    formatted = format_text(text)
    assert formatted.splitlines()[2:7] == [
        "defaults: &base",
        "  # the spot market",
        "  symbol: >-",
        "    ETH-USD",
        "  venue: coinbase",
    ]
    assert compiled(formatted) == compiled(text)
    assert format_text(formatted) == formatted


def test_a_5000_digit_integer_is_kept_exactly(tmp_path):
    digits = "7" * 5000
    text = f"graphc: 1\nname: big\ndescription: x\nlegs:\n  a:\n    symbol: ETH-USD\n    buy: {digits}\n"
    formatted = format_text(text)
    assert f"buy: {digits}\n" in formatted
    assert formatted.index("buy:") < formatted.index("symbol:")


def test_integers_keep_their_written_form():
    text = "graphc: 1\nname: ints\nlegs:\n  a: {symbol: ETH-USD, buy: 1_000, for_each: 0x10}\n"
    assert format_text(text) == "graphc: 1\nname: ints\nlegs:\n  a: {for_each: 0x10, buy: 1_000, symbol: ETH-USD}\n"


def test_crlf_line_ends_are_kept(tmp_path):
    path = tmp_path / "crlf.yaml"
    path.write_bytes(MISFORMATTED_HEDGE.replace("\n", "\r\n").encode())
    assert fmt(path).exit_code == 0
    assert path.read_bytes() == FORMATTED_HEDGE.replace("\n", "\r\n").encode()
    assert fmt("--check", path).exit_code == 0


def test_lf_files_stay_lf():
    assert "\r" not in format_text(MISFORMATTED_HEDGE)


def test_lone_cr_line_ends_are_kept(tmp_path):
    """hostile18 F5: a file whose lines end in a lone `\\r` (lint reads it) was rewritten with `\\n`."""
    path = tmp_path / "cr.yaml"
    path.write_bytes(MISFORMATTED_HEDGE.replace("\n", "\r").encode())
    assert fmt(path).exit_code == 0
    assert path.read_bytes() == FORMATTED_HEDGE.replace("\n", "\r").encode()
    assert fmt("--check", path).exit_code == 0


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_mixed_line_ends_all_become_the_first_lines(tmp_path, end):
    """audit decomp24 5: in a file whose first line ends in `\\n`, the CR of a later `\\r\\n` ending a comment's
    line was kept, as part of the comment (`# c1\\r\\n`)."""
    mixed = "graphc: 1{0}name: t\r\nlegs:\r\n  spot:\n    symbol: ETH-USD # c1\r\n    buy: 2 ETH # c2\r    venue: coinbase\n"
    path = tmp_path / "me.yaml"
    path.write_bytes(mixed.format(end).encode())
    assert fmt(path).exit_code == 0
    wanted = "graphc: 1\nname: t\nlegs:\n  spot:\n    buy: 2 ETH # c2\n    symbol: ETH-USD # c1\n    venue: coinbase\n"
    assert path.read_bytes() == wanted.replace("\n", end).encode()
    assert fmt("--check", path).exit_code == 0


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_utf8_byte_order_mark_is_kept(tmp_path, end):
    """hostile18 F5: a UTF-8 BOM was dropped when fmt rewrote the file (its line ends were kept)."""
    bom = b"\xef\xbb\xbf"
    path = tmp_path / "bom.yaml"
    path.write_bytes(bom + MISFORMATTED_HEDGE.replace("\n", end).encode())
    assert fmt(path).exit_code == 0
    assert path.read_bytes() == bom + FORMATTED_HEDGE.replace("\n", end).encode()
    assert fmt("--check", path).exit_code == 0
    plain = tmp_path / "plain.yaml"
    plain.write_text(FORMATTED_HEDGE)
    assert lint_codes(path) == lint_codes(plain)  # lint reads it as before


def test_a_byte_order_mark_on_stdin_is_kept_on_stdout():
    result = CliRunner().invoke(cli, ["fmt", "-"], input=b"\xef\xbb\xbf" + MISFORMATTED_HEDGE.encode())
    assert result.exit_code == 0
    assert result.stdout_bytes == b"\xef\xbb\xbf" + FORMATTED_HEDGE.encode()


def test_an_unreadable_file_is_gc112_exit_2_and_the_others_are_still_checked(tmp_path):
    (tmp_path / "a-latin.yaml").write_bytes(b"graphc: 1\nname: x\n# caf\xe9\n")
    (tmp_path / "b.yaml").write_text(MISFORMATTED_HEDGE)
    result = fmt("--check", tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path / 'a-latin.yaml'}:3:6: error GC112 " in result.stderr
    assert f"would reformat {tmp_path / 'b.yaml'}" in result.stdout


def test_unreadable_stdin_is_exit_2():
    result = CliRunner().invoke(cli, ["fmt", "-"], input=b"graphc: 1\nname: \xff\n")
    assert result.exit_code == 2 and "GC112" in result.stderr


UTF16_NO_BOM = MISFORMATTED_HEDGE.encode("utf-16-be")  # every other byte NUL: UTF-8, but not text YAML can read


def lint_line(path):
    """The first line lint prints for ``path`` (its diagnostic)."""
    return CliRunner().invoke(cli, ["lint", "--no-cache", str(path)]).stdout.splitlines()[0]


@pytest.mark.parametrize("check", [["--check"], []])
def test_a_file_yaml_cannot_read_as_text_is_reported_as_lint_reports_it_exit_2(tmp_path, check):
    """hostile18 F6: `fmt --check` passed, silently and exit 0, a UTF-16 playbook without its byte-order mark that
    lint reports as GC100: fmt cannot tell whether it is a playbook, and must not let it pass."""
    path = tmp_path / "utf16.yaml"
    path.write_bytes(UTF16_NO_BOM)
    result = fmt(*check, path)
    assert result.exit_code == 2, result.output
    expected = lint_line(path)
    assert expected.startswith(f"{path}:1:1: error GC100 cannot read the file as YAML: unacceptable character")
    assert result.stderr.splitlines()[0] == expected
    assert path.read_bytes() == UTF16_NO_BOM


def test_a_file_yaml_cannot_read_as_text_found_in_a_folder_is_reported_too(tmp_path):
    (tmp_path / "a-utf16.yaml").write_bytes(UTF16_NO_BOM)
    (tmp_path / "b.yaml").write_text(MISFORMATTED_HEDGE)
    (tmp_path / "c-nul.yaml").write_bytes(b'graphc: 1\nname: nul\nlegs:\n  a: {buy: 1, symbol: "BTC\x00USD"}\n')
    result = fmt("--check", tmp_path)
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'a-utf16.yaml'}:1:1: error GC100 " in result.stderr
    assert f"{tmp_path / 'c-nul.yaml'}:4:27: error GC100 " in result.stderr
    assert f"would reformat {tmp_path / 'b.yaml'}" in result.stdout


def test_a_file_yaml_cannot_read_as_text_on_stdin_is_exit_2():
    result = CliRunner().invoke(cli, ["fmt", "-"], input=UTF16_NO_BOM)
    assert result.exit_code == 2 and "<stdin>:1:1: error GC100 " in result.stderr and result.stdout == ""


# -- comments inside flow collections, comments that move with their key (audit roundtrip #2, #3) ---------


def lint_codes(path):
    result = CliRunner().invoke(cli, ["lint", "--quotes", str(EXAMPLES / "quotes.yaml"), "-f", "json", str(path)])
    return sorted(re.findall(r'"code": "(GC\d+)"', result.stdout)), result.exit_code


FLOW_MAP_WITH_DIRECTIVE = """\
graphc: 1
name: flowml
legs:
  spot: {symbol: BTC-USD,
         limit: 97000.125,  # graphc: ignore[GC303]
         venue: coinbase, buy: 0.1}
"""


def test_a_suppression_inside_a_multi_line_flow_mapping_survives_and_still_suppresses(tmp_path):
    """fmt wrote `spot: {buy: 0.1, symbol: BTC-USD, venue: coinbase, limit: 97000.125}`: the directive was
    gone and lint then reported GC303 (97000.125 is off coinbase's 0.01 tick). The mapping is now written in
    block style with the directive on the `limit:` line (column 28 as written, like other end-of-line comments)."""
    path = tmp_path / "flow.yaml"
    path.write_text(FLOW_MAP_WITH_DIRECTIVE)
    before = formats_to_with_the_same_lint(
        path,
        "graphc: 1\nname: flowml\nlegs:\n  spot:\n    buy: 0.1\n    symbol: BTC-USD\n    venue: coinbase\n"
        "    limit: 97000.125        # graphc: ignore[GC303]\n",
    )
    assert before == (["GC304"], 0)  # a warning about the limit price; GC303 is suppressed


def formats_to_with_the_same_lint(path, formatted):
    """fmt rewrites ``path`` to ``formatted``, lint reports the same codes and exit status, and --check is then
    clean; returns lint's (codes, exit status) from before."""
    before = lint_codes(path)
    assert fmt(path).exit_code == 0
    assert path.read_text() == formatted
    assert lint_codes(path) == before
    assert fmt("--check", path).exit_code == 0
    return before


def test_comments_in_a_multi_line_flow_sequence_stay_with_their_entries():
    """Before: `after: [a filled, b filled # second parent\\n]`, the first comment lost, `]` in column 0."""
    text = (
        "graphc: 1\nname: v3\nlegs:\n  a: {buy: 0.1, symbol: BTC-USD}\n  b: {buy: 0.1, symbol: BTC-USD}\n"
        "  spot:\n    buy: 0.1\n    symbol: BTC-USD\n    after: [\n      a filled,   # first parent\n"
        "      b filled    # second parent\n    ]\n"
    )
    formatted = format_text(text)
    assert formatted.endswith("    after:\n      - a filled  # first parent\n      - b filled  # second parent\n")
    assert comments(formatted) == comments(text)
    assert format_text(formatted) == formatted
    assert compiled(formatted) == compiled(text)


def test_a_comment_on_a_line_of_its_own_in_a_flow_collection_goes_above_the_next_entry():
    text = (
        "graphc: 1\nname: own\nlegs:\n  a:\n    twap: {\n      # how many\n      slices: 10,\n"
        "      # how often\n      every: 30s}\n    symbol: BTC-USD\n    buy: 1\n"
    )
    formatted = format_text(text)
    assert "    twap:\n      # how many\n      slices: 10\n      # how often\n      every: 30s\n" in formatted
    assert comments(formatted) == comments(text)
    assert format_text(formatted) == formatted
    assert compiled(formatted) == compiled(text)


@pytest.mark.parametrize(
    "flow",
    [
        # two entries on the commented line: the comment (and a directive) covers both of them
        "  spot: {symbol: BTC-USD,\n         venue: coinbase, buy: 0.1,  # graphc: ignore[GC303]\n         limit: 97000.125}\n",
        # a comment inside a nested flow collection
        "  spot: {symbol: BTC-USD, venue: coinbase, buy: 0.1, limit: 97000.125,\n"
        "         after: [{from: x,  # graphc: ignore[GC303]\n                  to: spot}]}\n",
    ],
    ids=["two-entries-on-the-line", "nested"],
)
def test_a_comment_fmt_cannot_place_is_refused_not_dropped(tmp_path, flow):
    """The floor: whatever fmt cannot keep, it leaves as it is (file unchanged), with a note; not a failure of
    `--check`, which would otherwise fail for ever on a valid file (audit fmtdec #3)."""
    text = "graphc: 1\nname: refuse\nlegs:\n" + flow
    path = tmp_path / "flow.yaml"
    path.write_text(text)
    result = fmt(path)
    assert result.exit_code == 0
    assert "graphc: note: " in result.stderr
    assert "formatting would drop the comment `# graphc: ignore[GC303]` (line 5)" in result.stderr
    assert "write that collection in block style" in result.stderr
    assert path.read_text() == text
    assert fmt("--check", path).exit_code == 0
    with pytest.raises(FormatError, match="would drop the comment"):
        format_text(text)


def test_the_comment_above_a_mappings_first_key_moves_with_that_key():
    """`# about loss` stayed at the top of `risk:` and ended up above `max_notional`."""
    text = "graphc: 1\nname: y1\nrisk:\n  # about loss\n  max_loss: $1k\n  max_notional: $50k   # cap\n"
    formatted = format_text(text)
    assert formatted == "graphc: 1\nname: y1\nrisk:\n  max_notional: $50k   # cap\n  # about loss\n  max_loss: $1k\n"
    assert format_text(formatted) == formatted


def test_the_comment_above_a_legs_first_key_moves_with_it():
    text = (
        "graphc: 1\nname: x\nlegs:\n  a:\n    # routed by the desk\n    policy: sor\n    buy: 1\n    symbol: BTC-USD\n"
    )
    formatted = format_text(text)
    assert formatted.endswith("    buy: 1\n    symbol: BTC-USD\n    # routed by the desk\n    policy: sor\n")


def test_a_comment_after_the_last_top_level_key_stays_at_the_end_of_the_file():
    """`graphc: 1` written last: its following comment moved to between `graphc: 1` and `name:`."""
    text = "name: y1\ngraphc: 1\n# end of file comment\n"
    assert format_text(text) == "graphc: 1\nname: y1\n# end of file comment\n"


def test_keys_of_a_top_level_list_item_written_at_column_0_are_reordered():
    # found by the long fuzz run (test_cli_never_crashes, 2026-12-03): an edge mapping written as `- trigger:`
    # at column 0 (a sequence item's first key) crashed fmt with a TypeError (exit 4) after 78063da
    text = "graphc: 1\nname: fuzz-pb\nedges:\n- trigger: on_accepted\n  to: a\n  from: a\n"
    formatted = format_text(text)
    assert formatted.endswith("edges:\n  - from: a\n    to: a\n    trigger: on_accepted\n"), formatted
    assert format_text(formatted) == formatted


def test_a_hash_line_inside_a_multi_line_quoted_string_is_text_not_a_lost_comment():
    # audit review9 2: the lost-comment check read `# not a comment...` (a continuation line of a double-quoted
    # scalar, text to YAML and to graphc's loader) as a comment ruamel dropped, and refused the file
    text = (
        'graphc: 1\nname: fmt-test\ndescription: "first line\n  # not a comment, part of the text"\nlegs:\n'
        "  entry:\n    symbol: BTC-USD\n    buy: 0.5 BTC\n    limit: 60000  # a real one\n"
    )
    formatted = format_text(text)
    assert 'description: "first line # not a comment, part of the text"\n' in formatted
    assert "    limit: 60000  # a real one\n" in formatted
    assert load_text(formatted, "f.yaml")[0].data == load_text(text, "f.yaml")[0].data


# -- audit fmtdec: a suppression directive keeps covering what it covered ---------------------------------------

# audit fmtdec #1 (p/d5.orig): fmt wrote `spot: {buy: 1, ..., limit: 97000.125} # graphc: ignore[GC303, GC501]`,
# so the directive, which covers what *starts* on its line (graphc.suppress), newly hid GC501 (97000.125 BTC-USD
# for 1 BTC = $97,000.12 > max_notional $10k) and GC303 (97000.125 is off coinbase's 0.01 tick): lint rc 1 -> 0.
KEY_LINE_DIRECTIVE_FLOW = """\
graphc: 1
name: cm
risk:
  max_notional: $10k
legs:
  spot:   # graphc: ignore[GC303, GC501]  (desk note)
    {symbol: BTC-USD, venue: coinbase, buy: 1,
     limit: 97000.125}
"""
# audit fmtdec #1 (p/f1.orig): `limit: 97000.125 # graphc: ignore[GC303]` after fmt hid the GC303 error
KEY_LINE_DIRECTIVE_SCALAR = """\
graphc: 1
name: f1
legs:
  spot:
    buy: 0.1
    symbol: BTC-USD
    venue: coinbase
    limit: # graphc: ignore[GC303]
      97000.125
"""


@pytest.mark.parametrize(
    ("text", "formatted"),
    [
        (
            KEY_LINE_DIRECTIVE_FLOW,
            "graphc: 1\nname: cm\nrisk:\n  max_notional: $10k\nlegs:\n"
            "  spot: # graphc: ignore[GC303, GC501]  (desk note)\n"
            "    {buy: 1, symbol: BTC-USD, venue: coinbase, limit: 97000.125}\n",
        ),
        (KEY_LINE_DIRECTIVE_SCALAR, KEY_LINE_DIRECTIVE_SCALAR),
    ],
    ids=["flow-mapping", "scalar"],
)
def test_a_value_below_a_key_with_a_directive_stays_on_its_own_line(tmp_path, text, formatted):
    path = tmp_path / "d.yaml"
    path.write_text(text)
    codes, status = formats_to_with_the_same_lint(path, formatted)
    assert status == 1 and "GC303" in codes  # the error the directive never covered, still reported


def test_a_bare_directive_on_a_key_line_keeps_its_value_below():
    """audit fmtdec #1 (p/d4): a bare `# graphc: ignore` on `spot:` came to hide the GC103 of `tif: XYZ`."""
    text = (
        "graphc: 1\nname: cm\nlegs:\n  spot:   # graphc: ignore\n"
        "    {symbol: BTC-USD, venue: coinbase, buy: 0.1, limit: 97000.12, tif: XYZ}\n"
    )
    formatted = format_text(text)
    assert formatted == (
        "graphc: 1\nname: cm\nlegs:\n  spot: # graphc: ignore\n"
        "    {buy: 0.1, symbol: BTC-USD, venue: coinbase, limit: 97000.12, tif: XYZ}\n"
    )
    assert format_text(formatted) == formatted


def test_fmt_refuses_to_write_what_would_move_a_value_onto_a_directive_line(tmp_path, monkeypatch):
    """The final guard: if the layout code ever moved a value onto a directive's line, fmt refuses (exit 2),
    comparing per directive the keys and values that start on its line. Simulated by turning the keeping off."""
    import graphc.fmt

    monkeypatch.setattr(graphc.fmt, "_values_below_directives", lambda *args: [])
    path = tmp_path / "f1.yaml"
    path.write_text(KEY_LINE_DIRECTIVE_SCALAR)
    for args in ([path], ["--check", path]):
        result = fmt(*args)
        assert result.exit_code == 2, result.output
        assert "graphc: ignore` comment on line 8 covers" in result.stderr
    assert path.read_text() == KEY_LINE_DIRECTIVE_SCALAR


# -- audit decomp24 1: a directive on the first line of a mapping covers the mapping too ---------------------------

# lint places an edge's findings (GC208, GC210) at the start of its mapping, its first key's line; fmt put the keys
# in `from, to, trigger, fill_ratio` order, so another key came to start the mapping, and lint's verdict flipped
EDGE_LEGS = "legs:\n  spot:\n    buy: 1 ETH\n    symbol: ETH-USD\n  hedge:\n    sell: 1 ETH\n    symbol: ETH-USD\n"
DIRECTIVE_ON_AN_EDGE = {
    # the directive on the edge's second line: GC208 reported before fmt, hidden after it (a false pass)
    "a": "graphc: 1\nname: sup-a\n" + EDGE_LEGS + "edges:\n  - to: hedge\n    from: spot  # graphc: ignore[GC208]\n"
    "    trigger: {on_timeout: {ms: 5000}}\n    fill_ratio: 50%\n",
    # on its first line: GC208 hidden before fmt, reported after it
    "b": "graphc: 1\nname: sup-b\n" + EDGE_LEGS + "edges:\n  - to: hedge  # graphc: ignore[GC208]\n    from: spot\n"
    "    trigger: {on_timeout: {ms: 5000}}\n    fill_ratio: 50%\n",
    # the `after:` list form, an hour-later flatten
    "c": "graphc: 1\nname: sup-c\nlegs:\n  spot:\n    buy: 1 ETH\n    symbol: ETH-USD\n  stop:\n    sell: 1 ETH\n"
    "    symbol: ETH-USD\n    after:\n      - trigger: {on_timeout: {ms: 3600000}}  # graphc: ignore[GC208] flatten "
    "after an hour whatever the fill\n        from: spot\n        fill_ratio: 100%\n",
    # GC210, a duplicate edge
    "h": "graphc: 1\nname: sup-h\n" + EDGE_LEGS + "    after: spot filled\nedges:\n"
    "  - trigger: on_full_fill  # graphc: ignore[GC210] -- belt and braces\n    to: hedge\n    from: spot\n",
}
DIRECTIVE_ON_AN_EDGE_FORMATTED = {
    "a": "  - to: hedge\n    from: spot  # graphc: ignore[GC208]\n    trigger: {on_timeout: {ms: 5000}}\n"
    "    fill_ratio: 50%\n",
    "b": "  - to: hedge  # graphc: ignore[GC208]\n    from: spot\n    trigger: {on_timeout: {ms: 5000}}\n"
    "    fill_ratio: 50%\n",
    "c": "      - trigger: {on_timeout: {ms: 3600000}}  # graphc: ignore[GC208] flatten after an hour whatever the "
    "fill\n        from: spot\n        fill_ratio: 100%\n",
    "h": "  - trigger: on_full_fill  # graphc: ignore[GC210] -- belt and braces\n    from: spot\n    to: hedge\n",
}
DIRECTIVE_ON_AN_EDGE_VERDICT = {"a": 1, "b": 0, "c": 0, "h": 0}


@pytest.mark.parametrize("name", sorted(DIRECTIVE_ON_AN_EDGE))
def test_a_directive_on_an_edge_mappings_first_line_keeps_covering_the_edge(tmp_path, name):
    """The key on the directive's line stays the mapping's first key (the others are ordered after it), so the
    directive covers the same findings, and lint says the same, after fmt as before."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(DIRECTIVE_ON_AN_EDGE[name])
    codes, status = lint_codes(path)
    assert status == DIRECTIVE_ON_AN_EDGE_VERDICT[name]
    assert ("GC208" in codes) == (name == "a")
    result = fmt(path)
    assert result.exit_code == 0, result.output
    assert path.read_text().endswith(DIRECTIVE_ON_AN_EDGE_FORMATTED[name]), path.read_text()
    assert lint_codes(path) == (codes, status)
    assert fmt("--check", path).exit_code == 0


@pytest.mark.parametrize("name", sorted(DIRECTIVE_ON_AN_EDGE))
def test_fmt_refuses_what_would_change_the_mapping_a_directives_line_starts(tmp_path, name, monkeypatch):
    """The final guard counts the mappings (and sequences) that start on a directive's line too, not only keys and
    scalars: with the first key no longer kept first, each of these is refused (exit 2), never written."""
    import graphc.fmt

    monkeypatch.setattr(graphc.fmt, "_first_key_kept", lambda *args: False)
    path = tmp_path / f"{name}.yaml"
    path.write_text(DIRECTIVE_ON_AN_EDGE[name])
    for args in ([path], ["--check", path]):
        result = fmt(*args)
        assert result.exit_code == 2, result.output
        row = next(i for i, line in enumerate(DIRECTIVE_ON_AN_EDGE[name].splitlines(), 1) if "graphc: ignore" in line)
        assert f"graphc: ignore` comment on line {row} covers" in result.stderr
    assert path.read_text() == DIRECTIVE_ON_AN_EDGE[name]


def test_a_directive_on_a_legs_or_a_twaps_first_key_keeps_that_key_first():
    """The same for any block mapping: a leg's or a `twap:`'s mapping starts on its first key's line."""
    text = (
        "graphc: 1\nname: pin\nlegs:\n  a:\n    symbol: BTC-USD  # graphc: ignore[GC301]\n    buy: 1\n"
        "    twap:\n      every: 30s  # graphc: ignore\n      over: 5m\n      slices: 10\n    policy: sor\n"
    )
    formatted = format_text(text)
    assert formatted == (
        "graphc: 1\nname: pin\nlegs:\n  a:\n    symbol: BTC-USD  # graphc: ignore[GC301]\n    buy: 1\n"
        "    policy: sor\n    twap:\n      every: 30s  # graphc: ignore\n      slices: 10\n      over: 5m\n"
    )
    assert format_text(formatted) == formatted


def _lint_verdict(text):
    from graphc.lint import lint_source

    return sorted((d.code, d.severity) for d in lint_source(text, "x.yaml", keep_wire=False).result.diagnostics)


@given(
    st.sampled_from(sorted(DIRECTIVE_ON_AN_EDGE)),
    st.randoms(use_true_random=False),
    st.integers(0, 30),
    st.sampled_from(["GC208", "GC210", "GC301", ""]),
)
def test_fmt_never_changes_what_a_directive_covers_wherever_it_is(name, rng, row, code):
    """Property: a directive on any line of a playbook whose edges' keys are in any order; fmt either gives a text
    lint says the same of, or refuses (SuppressionMoved)."""
    from graphc.fmt import SuppressionMoved

    lines = [re.sub(r"\s+#.*", "", line) for line in DIRECTIVE_ON_AN_EDGE[name].splitlines()]
    # the edge mapping's keys in a random order
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- "))
    indent = lines[start].index("-")
    keys = [lines[start][indent + 2 :]] + [line[indent + 2 :] for line in lines[start + 1 :]]
    rng.shuffle(keys)
    lines[start:] = [" " * indent + "- " + keys[0]] + [" " * (indent + 2) + key for key in keys[1:]]
    row %= len(lines)
    lines[row] += f"  # graphc: ignore[{code}]" if code else "  # graphc: ignore"
    text = "\n".join(lines) + "\n"
    try:
        formatted = format_text(text)
    except SuppressionMoved:
        return
    assert _lint_verdict(formatted) == _lint_verdict(text), (text, formatted)


# -- audit fmtdec #3: a valid playbook fmt cannot reformat is left as it is, with a correct note -----------------


def test_a_tab_inside_a_plain_value_is_a_note_not_a_failure(tmp_path):
    """audit fmtdec #3 (p/i1): graphc reads `description: a<TAB>b` (YAML 1.2 allows the tab), ruamel does not."""
    text = "name: i1\ngraphc: 1\ndescription: a\tb  c\nlegs:\n  spot: {symbol: BTC-USD, buy: 0.1, limit: 97000.12}\n"
    path = tmp_path / "i1.yaml"
    path.write_text(text)
    for args, said in (([path], "not formatted"), (["--check", path], "not checked")):
        result = fmt(*args)
        assert result.exit_code == 0, result.output
        assert f"graphc: note: {path}: {said}: " in result.stderr
        assert "cannot read the tab inside the value at line 3, column 15" in result.stderr
        assert "(quote that value, or write spaces instead of the tab" in result.stderr
    assert path.read_text() == text
    assert fmt("-", input=text).stdout == text  # stdin: passed through unchanged


# audit decomp24 4: a tab between a value and its comment, or ending a line, made fmt leave the whole file as it
# was, with the advice to quote the value (`name: "t"<TAB>` was quoted already); `fmt --check` passed it. Such a
# tab is read as a space by YAML: fmt writes a space, or drops it at the end of a line.
TABS = "graphc: 1\nlegs:\n  a:\n    symbol: ETH-USD\n    buy: 2 ETH\n"
TABS_FORMATTED = "legs:\n  a:\n    buy: 2 ETH\n    symbol: ETH-USD\n"


@pytest.mark.parametrize(
    ("line", "formatted"),
    [
        ('name: "t"\t# c', 'name: "t" # c'),
        ("name: t\t# c", "name: t # c"),
        ("name: t \t # c", "name: t   # c"),
        ("name: t\t", "name: t"),
        ('name: "t"\t', 'name: "t"'),
        ("name: t \t ", "name: t"),
        ("name:\tt", "name: t"),
    ],
    ids=["quoted-comment", "plain-comment", "blanks-comment", "trailing", "quoted-trailing", "blanks", "after-key"],
)
def test_a_tab_between_tokens_or_ending_a_line_is_formatted_as_a_space(tmp_path, line, formatted):
    path = tmp_path / "t.yaml"
    path.write_text(line + "\n" + TABS)
    assert fmt("--check", path).exit_code == 1
    result = fmt(path)
    assert (result.exit_code, result.stderr) == (0, f"reformatted {path}\n"), result.output
    assert path.read_text() == "graphc: 1\n" + formatted + "\n" + TABS_FORMATTED
    assert fmt("--check", path).exit_code == 0


def test_a_tab_in_a_values_text_is_kept():
    """A block scalar's line, a quoted value and a comment hold text: their tabs stay (the blanks after a block
    scalar's header are no text, and go)."""
    text = 'name: t\ndescription: |\t\n  a\t\n  b\tc\nsymbol_note: "x\ty"\t# c\td\n' + TABS
    formatted = format_text(text)
    assert formatted.startswith(
        "graphc: 1\nname: t\ndescription: |\n  a\t\n  b\tc\nlegs:\n  a:\n    buy: 2 ETH\n    symbol: ETH-USD\n"
        'symbol_note: "x\\ty" # c\td\n'  # (ruamel writes the quoted tab as its escape: the same text)
    ), formatted
    assert load_text(formatted, "f.yaml")[0].data == load_text(text, "f.yaml")[0].data


def test_a_note_counts_lines_above_the_document_start():
    """The line of a tab fmt cannot read was counted from the `---` line down."""
    text = "# schema\n---\nname: a\tb  c\n" + TABS
    with pytest.raises(FormatError, match="inside the value at line 3, column 8"):
        format_text(text)


def test_check_says_a_file_fmt_cannot_format_was_not_checked(tmp_path):
    text = "name: a\tb  c\n" + TABS
    path = tmp_path / "n.yaml"
    path.write_text(text)
    result = fmt("--check", path)
    assert result.exit_code == 0 and result.stdout == ""  # documented: a note, not a failure
    assert f"graphc: note: {path}: not checked: fmt's YAML reader cannot read the tab" in result.stderr
    assert result.stderr.endswith("1 file(s) not checked: fmt cannot format them (the notes above say why)\n")
    assert "not formatted" not in result.stderr


OVERLAP_LEG = "  spot: &a3\n    buy: 0.1\n    symbol: BTC-USD\n    limit: # graphc: ignore[GC303]\n      97000.125\n\n"


@pytest.mark.parametrize(
    "text",
    [
        # found profiling fmt: an anchored leg, a comment after a key whose value is on the next line, a blank line
        "graphc: 1\nname: f1\nlegs:\n" + OVERLAP_LEG + "x-ref3: *a3\n",
        "graphc: 1\nname: f1\nlegs:\n" + OVERLAP_LEG.replace(" &a3", "").replace("graphc: ignore[GC303]", "note"),
        "graphc: 1\nname: f1\nlegs:\n"
        + OVERLAP_LEG.replace("\n    ", "\n      ").replace("\n      buy", "\n    - buy"),
    ],
    ids=["anchored", "plain-comment", "in-a-list"],
)
def test_a_comment_ruamel_cannot_place_is_a_skip_not_a_crash(tmp_path, text):
    """ruamel's parser raised NotImplementedError ("overlap in comment") for a value on the line below its key's
    comment with a blank line after it: `internal error`, exit 4. graphc reads the file; fmt cannot: a skip."""
    path = tmp_path / "f1.yaml"
    path.write_text(text)
    assert load_text(text, "f1.yaml")[0] is not None
    for args, said in ((["--check"], "not checked"), ([], "not formatted")):
        result = fmt(*args, path)
        assert result.exit_code == 0 and result.stdout == "", result.stderr  # documented: a note, not a failure
        assert f"graphc: note: {path}: {said}: fmt's YAML reader cannot read this file at line 7, column " in (
            result.stderr
        )
        assert "a comment it cannot place" in result.stderr and "internal error" not in result.stderr
        assert path.read_text() == text


def test_a_comment_between_a_key_and_its_value_is_named_as_such(tmp_path):
    """audit fmtdec #3 (p/m1): the note spoke of `{...}`/`[...]`, which the file does not have."""
    text = (
        "graphc: 1\nname: m\nlegs:\n  spot:\n    buy: 0.1\n    symbol: BTC-USD\n    venue: coinbase\n"
        "    limit: # note\n      97000.125  # graphc: ignore[GC303]\n"
    )
    path = tmp_path / "m1.yaml"
    path.write_text(text)
    result = fmt("--check", path)
    assert result.exit_code == 0
    assert "drop the comment `# note` (line 8)" in result.stderr
    assert "between a key and its value" in result.stderr and "{...}" not in result.stderr
    assert path.read_text() == text


def test_a_yaml_1_1_directive_is_kept_and_the_file_formatted(tmp_path):
    """audit fmtdec #3 (p/a7): `%YAML 1.1` made ruamel read `sandbox: no` as false ("please report this").
    graphc reads YAML 1.2 core whatever the directive says, so fmt formats the document and keeps the line."""
    text = "%YAML 1.1\n---\ngraphc: 1\nname: y11\nsandbox: no\nlegs:\n  a: {symbol: BTC-USD, buy: 0.1, limit: 90000}\n"
    formatted = format_text(text)
    assert formatted == (
        "%YAML 1.1\n---\ngraphc: 1\nname: y11\nsandbox: no\nlegs:\n  a: {buy: 0.1, symbol: BTC-USD, limit: 90000}\n"
    )
    assert load_text(formatted)[0].data == load_text(text)[0].data
    assert format_text(formatted) == formatted


# -- audit fmtdec #4: named files whatever their suffix; nothing to format is not a pass -------------------------

UNFORMATTED = "name: up\ngraphc: 1\nlegs:\n  spot: {symbol: BTC-USD, buy: 0.1, limit: 97000.12}\n"


@pytest.mark.parametrize("name", ["UP.YAML", "up.YML", "up.txt", "upnoext"])
def test_a_named_playbook_is_checked_whatever_its_suffix(tmp_path, name):
    path = tmp_path / name
    path.write_text(UNFORMATTED)
    result = fmt("--check", path)
    assert result.exit_code == 1 and f"would reformat {path}" in result.stdout
    assert fmt(path).exit_code == 0
    assert path.read_text().startswith("graphc: 1\nname: up\n")


def test_a_named_json_file_is_said_to_be_left_alone(tmp_path):
    path = tmp_path / "e1.json"
    path.write_text('{"name": "x", "graphc": 1, "legs": {"a": {"symbol": "BTC-USD", "buy": 1}}}')
    result = fmt("--check", path)
    assert result.exit_code == 0 and "not formatted: fmt formats YAML playbooks, not JSON" in result.stderr


def test_a_directory_with_nothing_to_format_is_exit_2_as_lint(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    upper = tmp_path / "updir"
    upper.mkdir()
    (upper / "notes.txt").write_text(UNFORMATTED)  # lint's walker takes *.yaml / *.yml (any case) only, as fmt's
    quotes = tmp_path / "quotes"
    quotes.mkdir()
    (quotes / "q.yaml").write_text("BTC-USD: {bid: 1, ask: 2}\n")  # YAML, not a playbook
    for folder, what in (
        (empty, "no *.yaml or *.yml file in"),
        (upper, "no *.yaml or *.yml file in"),
        (quotes, "no playbook or template in"),
    ):
        result = fmt("--check", folder)
        assert result.exit_code == 2, (folder, result.output)
        assert f"graphc: warning: nothing to format: {what} {folder}" in result.stderr
        assert CliRunner().invoke(cli, ["lint", str(folder)]).exit_code == 2  # lint's "nothing linted"
        assert fmt("--check", "--allow-empty", folder).exit_code == 0


def test_a_directory_walk_formats_yaml_files_whose_suffix_is_in_any_case(tmp_path):
    """Audit wirelint23 2: the walk passed over `UP.YAML` ("nothing to format"), while the pre-commit hook, whose
    pattern is `(?i)\\.ya?ml$`, named it; `*.json` of any case is still left alone."""
    (tmp_path / "UP.YAML").write_text(UNFORMATTED)
    (tmp_path / "b.Yml").write_text(UNFORMATTED)
    (tmp_path / "g.JSON").write_text('{"name": "x", "graphc": 1, "legs": {"a": {"symbol": "BTC-USD", "buy": 1}}}')
    result = fmt("--check", tmp_path)
    assert result.exit_code == 1, result.output
    assert sorted(line.rsplit("/", 1)[-1] for line in result.stdout.splitlines()) == ["UP.YAML", "b.Yml"]
    assert "g.JSON" not in result.output


# -- audit rt19 #1: an anchor or alias on a number is kept, as on text ------------------------------------

SIZE_LINK = """\
graphc: 1
name: alias7
legs:
  a:
    buy: &size 2
    symbol: ETH-USD
  b:
    sell: *size
    symbol: ETH-USD-PERP
    after: a filled
"""

NUMBER_ANCHORS = {
    # (text as written, its canonical form)
    "int, canonical": (SIZE_LINK, SIZE_LINK),
    "decimal and int, reordered": (
        "graphc: 1\nname: alias5\nlegs:\n  a:\n    symbol: ETH-USD\n    buy: &size 2\n    limit: &px 2000.5\n"
        "    slippage: &slip 25bps\n  b:\n    symbol: ETH-USD\n    sell: *size\n    limit: *px\n"
        "    slippage: *slip\n    after: a filled\n",
        "graphc: 1\nname: alias5\nlegs:\n  a:\n    buy: &size 2\n    symbol: ETH-USD\n    limit: &px 2000.5\n"
        "    slippage: &slip 25bps\n  b:\n    sell: *size\n    symbol: ETH-USD\n    limit: *px\n"
        "    slippage: *slip\n    after: a filled\n",
    ),
    "flow style, reordered": (
        "graphc: 1\nname: flow\nlegs:\n  a: {symbol: ETH-USD, limit: &px 2000.25, buy: &size 1_000}\n"
        "  b: {after: a filled, symbol: ETH-USD-PERP, sell: *size, limit: *px}\n",
        "graphc: 1\nname: flow\nlegs:\n  a: {buy: &size 1_000, symbol: ETH-USD, limit: &px 2000.25}\n"
        "  b: {sell: *size, symbol: ETH-USD-PERP, limit: *px, after: a filled}\n",
    ),
    "merge key and twap": (
        "graphc: 1\nname: merged\ndefaults: &base\n  symbol: ETH-USD\n  twap: {every: 30s, slices: &n 4}\n"
        "legs:\n  a:\n    <<: *base\n    limit: &px 0.5e3\n    buy: &q 3\n  b:\n    <<: *base\n    sell: *q\n"
        "    limit: *px\n    twap: {slices: *n, every: 1m}\n    after: a filled\n",
        "graphc: 1\nname: merged\ndefaults: &base\n  symbol: ETH-USD\n  twap: {slices: &n 4, every: 30s}\n"
        "legs:\n  a:\n    <<: *base\n    buy: &q 3\n    limit: &px 0.5e3\n  b:\n    <<: *base\n    sell: *q\n"
        "    limit: *px\n    twap: {slices: *n, every: 1m}\n    after: a filled\n",
    ),
}


@pytest.mark.parametrize("case", list(NUMBER_ANCHORS))
def test_an_anchor_or_alias_on_a_number_is_kept(tmp_path, case):
    """fmt dropped `&size` / `*size` on a number silently (`sell: *size` became `sell: 2`, two independent
    sizes), and `--check` failed an already canonical file, so the pre-commit hook forced the loss."""
    text, canonical = NUMBER_ANCHORS[case]
    path = tmp_path / "p.yaml"
    path.write_text(text)
    assert CliRunner().invoke(cli, ["lint", str(path)]).exit_code == 0
    check = fmt("--check", path)
    assert check.exit_code == (0 if text == canonical else 1), check.output
    result = fmt(path)
    assert result.exit_code == 0 and "note" not in result.stderr, result.output
    assert path.read_text() == canonical
    assert fmt("--check", path).exit_code == 0
    assert format_text(canonical) == canonical
    assert compiled(canonical) == compiled(text) and isinstance(compiled(text), str)


def test_a_number_alias_the_key_order_would_put_above_its_anchor_is_left_with_a_note(tmp_path):
    """As for text (the alias would come first, which YAML does not allow): never dropped."""
    text = "graphc: 1\nname: up\nlegs:\n  a:\n    limit: &p 2000\n    symbol: ETH-USD\n    buy: *p\n"
    path = tmp_path / "p.yaml"
    path.write_text(text)
    result = fmt(path)
    assert result.exit_code == 0 and path.read_text() == text
    assert "graphc: note:" in result.stderr and "`*p` above its anchor `&p`" in result.stderr
    assert fmt("--check", path).exit_code == 0


# -- audit rt19 #2: --check and --diff on stdin, and `-` among other paths ----------------------------------

FLOW_UNSORTED = "graphc: 1\nname: q\nlegs:\n  a: {symbol: ETH-USD, buy: 1}\n"
FLOW_SORTED = "graphc: 1\nname: q\nlegs:\n  a: {buy: 1, symbol: ETH-USD}\n"


def test_check_on_stdin_changes_nothing_and_exits_1_when_the_text_would_change():
    """`fmt --check -` printed the formatted playbook and exited 0: `git show HEAD:p.yaml | graphc fmt --check -`
    always passed."""
    result = fmt("--check", "-", input=FLOW_UNSORTED)
    assert result.exit_code == 1, result.output
    assert result.stdout == "would reformat <stdin>\n"
    assert "1 file(s) would be reformatted" in result.stderr
    canonical = fmt("--check", "-", input=FLOW_SORTED)
    assert canonical.exit_code == 0 and canonical.stdout == ""


def test_diff_on_stdin_prints_a_diff_as_for_a_file(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(FLOW_UNSORTED)
    on_stdin, on_file = fmt("--diff", "-", input=FLOW_UNSORTED), fmt("--diff", path)
    assert on_stdin.exit_code == on_file.exit_code == 1, on_stdin.output
    assert on_stdin.stdout == on_file.stdout.replace(str(path), "<stdin>")
    assert "-  a: {symbol: ETH-USD, buy: 1}\n+  a: {buy: 1, symbol: ETH-USD}\n" in on_stdin.stdout
    assert path.read_text() == FLOW_UNSORTED
    assert fmt("--diff", "-", input=FLOW_SORTED).stdout == ""


@pytest.mark.parametrize("flag", ["--check", "--diff"])
def test_check_on_stdin_that_is_not_a_playbook_or_is_left_with_a_note_passes_silently(flag):
    assert fmt(flag, "-", input="BTC-USD: {bid: 1, ask: 2}\n").stdout == ""
    alias_first = "graphc: 1\nname: up\nlegs:\n  a:\n    limit: &p 2000\n    symbol: ETH-USD\n    buy: *p\n"
    result = fmt(flag, "-", input=alias_first)
    assert result.exit_code == 0 and result.stdout == "" and "graphc: note: <stdin>:" in result.stderr


def test_stdin_among_other_paths_is_formatted_too(tmp_path):
    """`graphc fmt --check z.yaml -` said "no such file or directory: -": `-` is stdin among files, as in lint."""
    canonical = tmp_path / "z.yaml"
    canonical.write_text(FLOW_SORTED)
    result = fmt("--check", canonical, "-", input=FLOW_UNSORTED)
    assert result.exit_code == 1, result.output
    assert result.stdout == "would reformat <stdin>\n"
    assert fmt("--check", canonical, "-", input=FLOW_SORTED).exit_code == 0
    unsorted = tmp_path / "u.yaml"
    unsorted.write_text(FLOW_UNSORTED)
    written = fmt(unsorted, "-", input=FLOW_UNSORTED)  # the file rewritten, stdin's text on stdout
    assert written.exit_code == 0 and written.stdout == FLOW_SORTED
    assert unsorted.read_text() == FLOW_SORTED and f"reformatted {unsorted}" in written.stderr


@pytest.mark.parametrize(
    "value", ["2026-01-05t09:00:00Z", "2026-01-05T09:00:00.5+01:00", "2026-1-5 9:00:00", "2026-01-05", "&t 2026-01-05"]
)
def test_a_timestamp_like_plain_string_is_kept_as_written(value):
    # ruamel reads these as timestamps and wrote them back in another spelling; graphc (YAML 1.2 core) reads
    # strings, so fmt refused the file with a note blaming its reader (audit fmt26 5)
    text = f"graphc: 1\nname: s\nparams:\n  p:\n    description: {value}\n    type: string\nlegs:\n  a: {{buy: 1, symbol: BTC-USD}}\n"
    formatted = format_text(text)
    assert f"    description: {value}\n" in formatted and formatted.index("type:") < formatted.index("description:")
    assert load_text(formatted, as_json=False)[0].data == load_text(text, as_json=False)[0].data
    assert format_text(formatted) == formatted


@pytest.mark.parametrize("after", ["", "edges: []\n"])
def test_a_moved_keep_block_scalar_is_left_alone_with_a_note_saying_why(after):
    # its closing blank lines would stay behind when the key order moves it: the note says that, not that the
    # YAML reader reads the value differently (audit fmt26 4)
    text = f"graphc: 1\nname: blk\nlegs:\n  a: {{symbol: BTC-USD, buy: 1}}\n{after}description: |+\n  keep\n\n"
    with pytest.raises(FormatError) as caught:
        format_text(text)
    message = str(caught.value)
    assert "blank lines at the end of `description`" in message and "|+" in message
    assert "reader" not in message


def test_the_bench_fmt_playbook_is_formatted_not_skipped():
    """bench/run.py's fmt rows time fmt on make_corpus.py's fmt playbook: it must be one fmt formats (a skip or
    a refusal would time the wrong work), written out of order (so the key-order pass works), and formatted it is
    a fixed point with the same graph."""
    from tests.bench_corpus import make_corpus

    text = make_corpus().fmt_playbook(60)
    formatted = format_text(text)
    assert formatted != text
    assert format_text(formatted) == formatted
    assert compiled(formatted) == compiled(text)
