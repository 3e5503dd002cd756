"""The `--watch` redraw on a terminal (audit status28 5): a line wider than the terminal, a line on stderr between
polls, or a block that got shorter left stale lines (`graph G: active` above `graph G: completed`, a 50% bar beside
the 100% one), because the redraw moved up by the lines it wrote, not the rows they took.

The :class:`graphc.commands.common.Screen` driven with a fake terminal (its width and height given), its bytes
replayed in a small terminal model below (the VT100 codes the Screen writes: ESC[nF, ESC[2K, ESC[J) to get the
screen a person sees."""

from __future__ import annotations

import io
import logging
import re
import sys

import pytest

from graphc.api.follow import EdgeView, GraphView, NodeView
from graphc.api.secrets import configure_cli_logging
from graphc.commands.common import Screen, display_width, fit_line, render_graph


class Terminal:
    """What a terminal of ``columns`` x ``rows`` shows after the bytes written to it (stdout and stderr alike)."""

    def __init__(self, columns: int, rows: int):
        self.columns, self.rows = columns, rows
        self.lines = [""] * rows
        self.row = self.col = 0

    def feed(self, text: str) -> None:
        for part in re.split(r"(\x1b\[\d*[A-Za-z])", text):
            code = re.fullmatch(r"\x1b\[(\d*)([A-Za-z])", part)
            if code:
                self._code(int(code.group(1) or 1), code.group(2))
                continue
            for char in part:
                if char == "\n":  # the pty's onlcr: a new line starts at column 0
                    self._down()
                    continue
                if self.col >= self.columns:  # autowrap
                    self._down()
                line = self.lines[self.row].ljust(self.col)
                self.lines[self.row] = line[: self.col] + char + line[self.col + 1 :]
                self.col += 1

    def _down(self) -> None:
        self.col = 0
        if self.row == self.rows - 1:
            self.lines = [*self.lines[1:], ""]
        else:
            self.row += 1

    def _code(self, n: int, final: str) -> None:
        if final == "F":
            self.row, self.col = max(0, self.row - n), 0
        elif final == "K":
            self.lines[self.row] = ""
        elif final == "J":
            self.lines[self.row] = self.lines[self.row][: self.col]
            self.lines[self.row + 1 :] = [""] * (self.rows - self.row - 1)
        else:
            raise AssertionError(f"a code the Screen does not write: {final}")

    def shown(self) -> list[str]:
        return [line.rstrip() for line in self.lines if line.strip()]


class Tty(io.StringIO):
    """A terminal's stream: what is written goes to ``terminal`` as well."""

    encoding = "utf-8"

    def __init__(self, terminal: Terminal):
        super().__init__()
        self.terminal = terminal

    def write(self, text: str) -> int:
        self.terminal.feed(text)
        return super().write(text)

    def isatty(self) -> bool:
        return True


def node(name="spot_entry", status="executing", filled=12_345_678, target=123_456_789, fills=3) -> NodeView:
    return NodeView(name, name + ".tag", status, target, filled, 3_456_789_012_345 if filled else 0, fills)


def view(status="active", nodes=None, edges=()) -> GraphView:
    return GraphView("graph_0f9a1c2b3d4e5f60", status, list(nodes or [node()]), list(edges))


def screen(columns=80, rows=24):
    terminal = Terminal(columns, rows)
    out = Tty(terminal)
    return Screen(out, tty=True, size=lambda: (columns, rows)), terminal, out


def test_a_line_wider_than_the_terminal_is_cut_to_its_width_less_one_with_an_ellipsis():
    wide = view(nodes=[node()])
    assert len(render_graph(wide)[1]) > 80  # 8-decimal quantities and a 9-decimal average: 100+ characters
    shown, _terminal, out = screen(80)
    shown.show(wide)
    drawn = [line for line in re.sub(r"\x1b\[\d*[A-Za-z]", "", out.getvalue()).split("\n") if line]
    assert [display_width(line) <= 79 for line in drawn] == [True] * len(drawn)
    assert drawn[1].endswith("\u2026") and drawn[1] == render_graph(wide)[1][:78] + "\u2026"
    assert drawn[0] == render_graph(wide)[0]  # a line that fits is as it was


def test_the_redraw_of_wide_lines_leaves_no_stale_row():
    """seq2: `graph G: active` and a 50.4% bar stayed above `graph G: completed`, and `fills)` after it."""
    shown, terminal, out = screen(80, 24)
    shown.show(view("active", [node(filled=62_345_678, fills=6)]))
    shown.show(view("completed", [node(status="filled", filled=123_456_789, fills=12)]))
    assert terminal.shown() == [
        line if len(line) < 80 else line[:78] + "\u2026"
        for line in render_graph(view("completed", [node(status="filled", filled=123_456_789, fills=12)]))
    ]
    assert out.getvalue().count("\x1b[2F") == 1 and out.getvalue().endswith("\x1b[J")


def test_a_shorter_block_is_cleared_below_and_the_next_redraw_starts_at_its_top():
    """seq5: a node gone from one answer to the next; every later redraw started that many rows too low."""
    shown, terminal, out = screen(120, 24)
    edges = [EdgeView("e0", "pending")]
    shown.show(view("active", [node("a", filled=0), node("b", filled=0)], edges))
    shown.show(view("active", [node("a", filled=1)]))
    shown.show(view("completed", [node("a", status="filled", filled=123_456_789)]))
    assert terminal.shown() == render_graph(view("completed", [node("a", status="filled", filled=123_456_789)]))
    assert re.findall(r"\x1b\[(\d+)F", out.getvalue()) == ["4", "2"]


def test_a_line_on_stderr_between_polls_starts_a_fresh_block_below_it(monkeypatch):
    """seq4: the retry notice pushed the block down a row; the redraw overwrote the notice and left `active`."""
    shown, terminal, out = screen(120, 24)
    stderr = Tty(terminal)
    monkeypatch.setattr(sys, "stderr", stderr)
    handler = configure_cli_logging(False)  # the CLI's log handler, on this stderr: how the client's notices go out
    try:
        with shown.noticing_stderr():
            shown.show(view("active", [node("a", filled=0)]))
            logging.getLogger("graphc.api").warning("GET /v1/execution_graphs/g3: HTTP 503; retry 1 of 4 in 0.2 s")
            shown.show(view("active", [node("a", filled=50_000_000)]))
            sys.stderr.write("graphc: a line written to stderr as it is\n")
            shown.show(view("completed", [node("a", status="filled", filled=123_456_789)]))
    finally:
        logging.getLogger().removeHandler(handler)
    assert sys.stderr is stderr and handler.stream is stderr  # put back
    block = render_graph(view("completed", [node("a", status="filled", filled=123_456_789)]))
    assert terminal.shown()[-6:] == [
        "graphc: GET /v1/execution_graphs/g3: HTTP 503; retry 1 of 4 in 0.2 s",
        *render_graph(view("active", [node("a", filled=50_000_000)])),
        "graphc: a line written to stderr as it is",
        *block,
    ]
    assert not re.search(r"\x1b\[\d+F", out.getvalue())  # each block after a notice is drawn afresh below it


def test_a_block_taller_than_the_terminal_is_appended_not_moved_over():
    shown, _terminal, out = screen(120, 5)
    nodes = [node(f"n{i}", filled=0) for i in range(8)]
    shown.show(view("active", nodes))
    shown.show(view("completed", [node(f"n{i}", status="filled", filled=123_456_789) for i in range(8)]))
    assert not re.search(r"\x1b\[\d+F", out.getvalue())


def test_an_unchanged_block_taller_than_the_terminal_is_written_once():
    """Audit review28 3: the appended tall block left nothing to move over, read as "draw afresh", and the same
    block scrolled by at every poll for the whole life of the graph."""
    shown, _terminal, out = screen(80, 24)
    tall = view("active", [node(f"n{i}", filled=0) for i in range(30)])
    writes = []
    for _poll in range(5):
        before = len(out.getvalue())
        shown.show(tall)
        writes.append(len(out.getvalue()) - before)
    assert writes[0] > 0 and writes[1:] == [0, 0, 0, 0]
    assert out.getvalue().count("n29 ") == 1
    shown.fresh()  # a line written below it: drawn again, afresh
    shown.show(tall)
    assert out.getvalue().count("n29 ") == 2


def test_off_a_terminal_the_lines_are_whole_and_plain():
    out = io.StringIO()
    shown = Screen(out, tty=False, size=lambda: (40, 10))
    wide = view()
    shown.show(wide)
    shown.show(wide)  # unchanged: not printed again
    assert out.getvalue() == "".join(line + "\n" for line in render_graph(wide))


@pytest.mark.parametrize(
    ("text", "columns", "cut"),
    [
        ("abcdef", 7, "abcdef"),
        ("abcdefg", 7, "abcde\u2026"),
        ("\u65e5\u672c\u8a9e\u65e5\u672c", 8, "\u65e5\u672c\u8a9e\u2026"),  # two columns each
        ("e\u0301e\u0301e\u0301", 4, "e\u0301e\u0301e\u0301"),  # combining marks take none
    ],
)
def test_fit_line_counts_display_columns(text, columns, cut):
    assert fit_line(text, columns) == cut
    assert display_width(fit_line(text, columns)) <= columns - 1


def test_an_ascii_terminal_gets_three_dots():
    class Ascii(io.StringIO):
        encoding = "ascii"

    out = Ascii()
    Screen(out, tty=True, size=lambda: (40, 24)).show(view())
    assert "..." in out.getvalue() and "\u2026" not in out.getvalue()
