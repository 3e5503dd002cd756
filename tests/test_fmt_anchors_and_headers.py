"""`graphc fmt` keeps what is written around an anchor and above a document's `---` (audit fmt22 #5, #6)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from graphc.fmt import FormatError, format_text
from graphc.stages.load import load_text
from tests.conftest import EXAMPLES


def fmt(*args, input=None):
    return CliRunner().invoke(cli, ["fmt", *map(str, args)], input=input)


def lint(path):
    """(codes and lines, exit status) of ``graphc lint`` on ``path``."""
    result = CliRunner().invoke(cli, ["lint", "--no-cache", "--quotes", str(EXAMPLES / "quotes.yaml"), str(path)])
    return sorted(re.findall(r":(\d+):\d+: \w+ (GC\d+)", result.stdout)), result.exit_code


def same_data(a, b):
    return load_text(a, "a.yaml")[0].data == load_text(b, "b.yaml")[0].data


# -- audit fmt22 #5: an end-of-line comment after `&anchor` stays on its key's line ------------------------------

# c3.yaml: ruamel stores a comment after `near: &rung` as one above the mapping's first key, so fmt wrote it
# above `limit:` once the keys were ordered: the desk's note about the leg's size then read as one about its limit.
C3 = """\
graphc: 1
name: c3
legs:
  near: &rung  # DO NOT raise: desk limit is 5 ETH
    limit: bid - 1 tick
    buy: 5 ETH
    symbol: ETH-USD
  far:
    <<: *rung
    limit: bid - 10bps
"""
C3_FORMATTED = """\
graphc: 1
name: c3
legs:
  near: &rung  # DO NOT raise: desk limit is 5 ETH
    buy: 5 ETH
    symbol: ETH-USD
    limit: bid - 1 tick
  far:
    <<: *rung
    limit: bid - 10bps
"""
# c4.yaml: already canonical, but fmt moved the directive off `near:`, then refused (exit 2) for ever
C4 = """\
graphc: 1
name: c4
legs:
  near: &rung  # graphc: ignore[GC406]
    buy: 5 ETH
    symbol: ETH-USD
    limit: 1000
"""


def test_a_comment_after_an_anchor_stays_on_its_key_line(tmp_path):
    path = tmp_path / "c3.yaml"
    path.write_text(C3)
    before = lint(path)
    result = fmt(path)
    assert result.exit_code == 0, result.output
    assert path.read_text() == C3_FORMATTED
    assert lint(path) == before
    assert fmt("--check", path).exit_code == 0


def test_a_directive_after_an_anchor_on_a_canonical_file_passes_check(tmp_path):
    path = tmp_path / "c4.yaml"
    path.write_text(C4)
    for args in (["--check", path], [path]):
        result = fmt(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), result.output
    assert path.read_text() == C4
    scrambled = C4.replace("    buy: 5 ETH\n    symbol: ETH-USD\n", "    symbol: ETH-USD\n    buy: 5 ETH\n")
    path.write_text(scrambled)
    before = lint(path)
    assert fmt(path).exit_code == 0
    assert path.read_text() == C4
    assert lint(path) == before


@pytest.mark.parametrize(
    ("text", "formatted"),
    [
        (  # comment lines below the anchored key's comment move with the first key, as below a plain key's
            "graphc: 1\nname: x\nlegs:\n  near: &rung  # the leg\n\n    # its size\n    symbol: ETH-USD\n"
            "    buy: 1 ETH\n  far: *rung\n",
            "graphc: 1\nname: x\nlegs:\n  near: &rung  # the leg\n\n    buy: 1 ETH\n    # its size\n"
            "    symbol: ETH-USD\n  far: *rung\n",
        ),
        (  # an anchored sequence, used by an alias
            "name: x\ngraphc: 1\nlegs:\n  a: {symbol: ETH-USD, buy: 1 ETH}\n  b:\n    symbol: ETH-USD\n"
            "    after: &p  # both wait for a\n      - a filled\n    sell: 1 ETH\n  c:\n    symbol: ETH-USD\n"
            "    sell: 1 ETH\n    after: *p\n",
            "graphc: 1\nname: x\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD}\n  b:\n    sell: 1 ETH\n"
            "    symbol: ETH-USD\n    after: &p  # both wait for a\n      - a filled\n  c:\n    sell: 1 ETH\n"
            "    symbol: ETH-USD\n    after: *p\n",
        ),
    ],
    ids=["comment-below", "sequence"],
)
def test_comments_after_anchors_keep_their_line(text, formatted):
    assert format_text(text) == formatted
    assert format_text(formatted) == formatted
    assert same_data(text, formatted)


@pytest.mark.parametrize(
    "text",
    [
        "graphc: 1\nname: d\ndefaults: &d\n  venue: coinbase\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n",
        "graphc: 1\nname: d\nlegs:\n  a: &a\n    buy: 1 ETH\n    symbol: ETH-USD\n    after: &p\n      - b filled\n"
        "  b: &b {buy: 1 ETH, symbol: ETH-USD}\n",
    ],
    ids=["mapping", "sequence-and-flow"],
)
def test_an_unused_anchor_is_kept(text):
    assert format_text(text) == text


# The other end of an anchor: ruamel stores a comment after an alias (`far: *rung  # ...`, `<<: *rung  # ...`,
# `sell: *size  # ...`) as one above the next key, or at the end of the file, so it left its line; a directive
# there was refused (exit 2) with advice that did not apply.
ALIASES = """\
graphc: 1
name: al
legs:
  near: &rung
    buy: &size 1 ETH
    symbol: ETH-USD
  far: *rung  # the same order again
  merged:
    <<: *rung  # from near
    venue: coinbase
  hedge:
    sell: *size  # same size
    symbol: ETH-USD-PERP
  last: *rung  # {comment}
"""


@pytest.mark.parametrize("comment", ["a note", "graphc: ignore[GC207]"])
def test_comments_after_aliases_keep_their_line(tmp_path, comment):
    text = ALIASES.format(comment=comment)
    path = tmp_path / "al.yaml"
    path.write_text(text)
    for args in (["--check", path], [path]):
        result = fmt(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), result.output
    assert path.read_text() == text
    scrambled = text.replace(
        "    sell: *size  # same size\n    symbol: ETH-USD-PERP\n",
        "    symbol: ETH-USD-PERP\n    sell: *size  # same size\n",
    )
    assert format_text(scrambled) == text


def test_a_leg_repeated_by_an_alias_is_ordered_once():
    """`far: *near` made the key order permute `near`'s lines twice: back as written, or a comment put out of
    the leg (`# its size` above `far:`)."""
    text = "graphc: 1\nname: x\nlegs:\n  near: &n\n    symbol: ETH-USD\n    # its size\n    buy: 1 ETH\n  far: *n\n"
    formatted = (
        "graphc: 1\nname: x\nlegs:\n  near: &n\n    # its size\n    buy: 1 ETH\n    symbol: ETH-USD\n  far: *n\n"
    )
    assert format_text(text) == formatted


def test_a_comment_after_an_alias_fmt_cannot_find_again_is_a_note_naming_it():
    from graphc.fmt import FormatSkipped, _after_aliases_again

    with pytest.raises(FormatSkipped, match=r"cannot keep the comment `# c` \(line 3\) on the line of the alias `\*x`"):
        _after_aliases_again("a: &x 1\nb: *x\n", [(3, "x", "  ", "# c")])


# -- audit fmt22 #6: comment lines (and directives) above a document's `---` ----------------------------------

SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/playbook.schema.json\n"
BODY = "graphc: 1\nname: d\nsandbox: no\nlegs:\n  a:\n    symbol: ETH-USD\n    buy: 1\n"
BODY_FORMATTED = "graphc: 1\nname: d\nsandbox: no\nlegs:\n  a:\n    buy: 1\n    symbol: ETH-USD\n"
HEADERS = {
    "hdr": SCHEMA_LINE + "---\n",  # the docs' schema line, then the document start yamllint asks for
    "hdr2": SCHEMA_LINE,  # no `---`: this one was formatted already
    "comments-blank-lines": "# one\n\n  # two, indented\n\n--- # a comment on the marker\n",
    "yaml-1.1-comment": "%YAML 1.1\n# a comment between the directive and the marker\n---\n",
    "comment-yaml-1.2": SCHEMA_LINE + "%YAML 1.2\n\n---\n",
}


@pytest.mark.parametrize("header", list(HEADERS.values()), ids=list(HEADERS))
def test_comments_and_directives_above_the_document_start_are_kept_and_the_file_formatted(tmp_path, header):
    path = tmp_path / "h.yaml"
    path.write_text(header + BODY)
    result = fmt("--check", path)
    assert result.exit_code == 1 and "note" not in result.stderr, result.output
    assert f"would reformat {path}" in result.stdout
    result = fmt(path)
    assert result.exit_code == 0 and "note" not in result.stderr, result.output
    assert path.read_text() == header + BODY_FORMATTED
    assert same_data(header + BODY, header + BODY_FORMATTED)
    result = fmt("--check", path)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_a_comment_below_the_document_start_stays_there():
    text = SCHEMA_LINE + "---\n# the hedge desk's playbook\n" + BODY
    assert format_text(text) == SCHEMA_LINE + "---\n# the hedge desk's playbook\n" + BODY_FORMATTED


@pytest.mark.parametrize("footer", ["...\n", "... # end of the playbook\n", "...\n# after the end\n\n"])
def test_the_document_end_and_comments_after_it_are_kept(footer):
    text = SCHEMA_LINE + "---\n" + BODY + footer
    assert format_text(text) == SCHEMA_LINE + "---\n" + BODY_FORMATTED + footer


@pytest.mark.parametrize("prop", ["!!str", "&note"])
def test_a_comment_fmt_cannot_keep_after_a_tag_or_anchor_is_a_note_naming_them(tmp_path, prop):
    """The note spoke of a `{...}` or `[...]` the file does not have."""
    text = f"graphc: 1\nname: d\ndescription: {prop}  # why\n  the text\n" + BODY.split("\n", 2)[2]
    path = tmp_path / "t.yaml"
    path.write_text(text)
    result = fmt("--check", path)
    assert result.exit_code == 0, result.output
    assert f"drop the comment `# why` (line 3); the file is left as it is (it is written after the `{prop}`" in (
        result.stderr
    )
    assert "{...}" not in result.stderr and path.read_text() == text


@pytest.mark.parametrize("text", ["", "null\n...\n", "x\n...\n# c\n", "# c\n---\n"])
def test_a_document_ruamel_ends_with_its_own_end_line_formats_once(text):
    """Found by test_fuzz: `''` formats to `null\\n...\\n`, whose `...` line was then kept and written again."""
    formatted = format_text(text)
    assert format_text(formatted) == formatted


def test_a_lost_comment_written_twice_is_named_where_it_is_lost():
    """Of two `# note` comments the one between a key and its value is lost; the note named the other, at the
    end of the file, with the `{...}` advice."""
    text = (
        "graphc: 1\nname: m\nlegs:\n  spot:\n    buy: 0.1\n    symbol: BTC-USD\n    venue: coinbase\n"
        "    limit: # note\n      97000.125  # graphc: ignore[GC303]\n# note\n"
    )
    with pytest.raises(FormatError, match=r"drop the comment `# note` \(line 8\).*between a key and its value"):
        format_text(text)
