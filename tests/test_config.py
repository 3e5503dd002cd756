"""graphc.toml / [tool.graphc] discovery, parsing, validation and apply_config."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

from graphc import files
from graphc.config import Config, apply_config, find_config, load_config, read_config
from graphc.diagnostics import Diagnostic, Span
from graphc.venues import Band


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(diagnostics):
    return [(d.code, d.span.line if d.span else None) for d in diagnostics]


# -- discovery -------------------------------------------------------------------


def test_walks_up_from_the_linted_file(tmp_path):
    (tmp_path / ".git").mkdir()
    config = write(tmp_path / "graphc.toml", "strict = true\n")
    playbook = write(tmp_path / "plays" / "deep" / "a.yaml", "graphc: 1\n")
    assert find_config(playbook) == config
    assert find_config(playbook.parent) == config
    assert find_config(tmp_path / "plays" / "missing.yaml") == config


def test_graphc_toml_wins_over_pyproject_in_the_same_directory(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.graphc]\nstrict = true\n")
    config = write(tmp_path / "graphc.toml", "strict = false\n")
    assert find_config(tmp_path) == config


def test_nearest_directory_wins(tmp_path):
    write(tmp_path / "graphc.toml", "strict = false\n")
    inner = write(tmp_path / "sub" / "pyproject.toml", "[tool.graphc.rules]\nGC405 = 'off'\n")
    assert find_config(tmp_path / "sub" / "a.yaml") == inner


def test_pyproject_without_tool_graphc_does_not_stop_the_search(tmp_path):
    outer = write(tmp_path / "graphc.toml", "strict = true\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path / "pkg" / "a.yaml") == outer


@pytest.mark.parametrize(
    "text, declares",
    [
        ("[tool.graphc]\nstrict = true\n", True),
        ('[ tool . "graphc" ]\nstrict = true\n', True),
        ("[tool.graphc.rules]\nGC405 = 'off'\n", True),
        ("tool.graphc.strict = true\n", True),
        ("[tool]\nx = 1\n\ngraphc = {strict = true}\n", True),
        ("[tool]\n# ours\ngraphc.strict = true\n", True),
        ("tool = { graphc = { strict = true } }\n", True),
        ("[project]\nname = 'desk'\ndependencies = [\n  \"graphc>=0.1\",\n]\n", False),
        ("[project.scripts]\ngraphc = 'graphc.cli:main'\n[tool.ruff]\nline-length = 120\n", False),
        ("[tool]\nx = 1\n[project.scripts]\ngraphc = 'graphc.cli:main'\n", False),
    ],
)
def test_a_pyproject_declares_graphc_only_with_a_tool_graphc_table(tmp_path, monkeypatch, text, declares):
    """A pyproject that names graphc only as a dependency or a script is not even parsed (start-up: no
    tomllib); the cheap look never says no where the parse would say yes."""
    import sys

    from graphc.files import declares_graphc

    path = write(tmp_path / "pyproject.toml", text)
    monkeypatch.delitem(sys.modules, "tomllib", raising=False)  # put back afterwards
    assert declares_graphc(path) is declares
    assert ("tomllib" in sys.modules) is declares


def test_search_stops_at_the_git_directory(tmp_path):
    write(tmp_path / "graphc.toml", "strict = true\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_config(repo / "a.yaml") is None
    config, diagnostics = load_config(repo / "a.yaml")
    assert config == Config() and diagnostics == []


def test_search_starts_at_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    config = write(tmp_path / "graphc.toml", "strict = true\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert find_config() == config
    assert load_config()[0].strict is True


def test_load_config_takes_the_linted_path(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "graphc.toml", "[rules]\nGC405 = 'off'\n")
    write(tmp_path / "plays" / "a.yaml", "graphc: 1\n")
    monkeypatch.chdir(tmp_path)
    config, diagnostics = load_config("plays")
    assert diagnostics == [] and config.rules == {"GC405": "off"}
    config, _ = load_config("plays/a.yaml")
    assert config.path == tmp_path / "graphc.toml"


def test_config_diagnostics_name_the_file_relative_to_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "graphc.toml", "strict = 1\n")
    monkeypatch.chdir(tmp_path)
    _, [d] = load_config("plays")
    assert (
        d.path == "graphc.toml" and d.headline() == "graphc.toml:1:1: error GC103 `strict` must be true or false, not 1"
    )


# -- contents --------------------------------------------------------------------


FULL = """\
strict = true

[rules]
GC405 = "off"
far-from-mid = "error"
gc307 = "Warning"

[venues.polymarket]
min_notional = 1
tick = 0.01
price_max = "0.99"
prediction = true

[markets."BTC-USD"]
tick = 0.1
lot = 1e-8

[markets."ETH-USD-PERP"]
sz_decimals = 4
sig_figs = 5
price_bands = [[0, "0.10", "0.001"], ["0.10", 1, "0.01"]]
"""


def test_full_config(tmp_path):
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", FULL))
    assert diagnostics == []
    assert config.strict is True
    assert config.path == tmp_path / "graphc.toml"
    assert config.rules == {"GC405": "off", "GC406": "error", "GC307": "warning"}
    assert config.venues == {
        "polymarket": {
            "min_notional": Decimal("1"),
            "tick": Decimal("0.01"),
            "price_max": Decimal("0.99"),
            "prediction": True,
        }
    }
    tick = config.markets["BTC-USD"]["tick"]
    assert isinstance(tick, Decimal) and str(tick) == "0.1"  # via the float's shortest text, not Decimal(0.1)
    assert config.markets["BTC-USD"]["lot"] == Decimal("1e-8")
    perp = config.markets["ETH-USD-PERP"]
    # issue 11: TOML integers were dropped where a count is meant; they are the counts themselves
    assert perp["sz_decimals"] == 4 and type(perp["sz_decimals"]) is int and perp["sig_figs"] == 5
    assert perp["price_bands"] == (
        Band(Decimal(0), Decimal("0.10"), Decimal("0.001")),
        Band(Decimal("0.10"), Decimal(1), Decimal("0.01")),
    )


def test_pyproject_tool_graphc(tmp_path):
    text = "[project]\nname = 'x'\n\n[tool.graphc]\nstrict = true\n\n[tool.graphc.rules]\nGC502 = 'off'\n"
    config, diagnostics = read_config(write(tmp_path / "pyproject.toml", text))
    assert diagnostics == []
    assert config.strict is True and config.rules == {"GC502": "off"}


def test_defaults():
    config = Config()
    assert config.strict is False and config.venues == {} and config.markets == {} and config.path is None
    assert config.severity_for("GC303", "error") == "error"


def test_severity_for_and_apply_config(tmp_path):
    config, _ = read_config(write(tmp_path / "graphc.toml", FULL))
    assert config.severity_for("GC405", "warning") is None
    assert config.severity_for("GC406", "warning") == "error"
    assert config.severity_for("GC303", "error") == "error"
    diagnostics = [
        Diagnostic("GC405", "hedge", "a.yaml", Span(1, 1), severity="warning"),
        Diagnostic("GC406", "far", "a.yaml", Span(2, 1), severity="warning"),
        Diagnostic("GC303", "tick", "a.yaml", Span(3, 1)),
    ]
    out = apply_config(diagnostics, config)
    assert [(d.code, d.severity) for d in out] == [("GC406", "error"), ("GC303", "error")]
    assert out[1] is diagnostics[2]  # unchanged diagnostics are kept as they are
    assert apply_config(diagnostics, None) == diagnostics


# -- bad config: diagnostics, never a traceback --------------------------------


def test_unknown_top_level_key_has_a_did_you_mean(tmp_path):
    _, diagnostics = read_config(write(tmp_path / "graphc.toml", "# settings\nstirct = true\n"))
    [d] = diagnostics
    assert d.code == "GC102" and d.span == Span(2, 1, 2, 7)
    assert d.path.endswith("graphc.toml")
    assert d.message == "unknown key 'stirct' in graphc.toml (did you mean 'strict'?)"
    assert d.hint == "known keys: rules, venues, markets, strict"


@pytest.mark.parametrize("character", ["\u2028", "\x85", "\u2029"])
def test_a_key_after_a_string_holding_ls_nel_or_ps_is_on_its_editors_line(tmp_path, character):
    """TOML ends a line at LF only: a LINE SEPARATOR (or NEL, PS) inside a string does not move the next keys'
    lines, as graphc counts lines everywhere (graphc.lines)."""
    text = '# settings\n[markets."a' + character + 'b"]\ntick = 0.01\nstirct = true\n'
    _, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert problems(diagnostics) == [("GC102", 4)]


def test_unknown_rule_and_bad_level(tmp_path):
    text = '[rules]\noff-tik = "off"\nGC303 = "warn"\nGC999 = "off"\nGC405 = 1\n'
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert problems(diagnostics) == [("GC102", 2), ("GC103", 3), ("GC102", 4), ("GC103", 5)]
    assert diagnostics[0].message == "unknown key 'off-tik' in [rules] (did you mean 'off-tick'?)"
    assert (
        diagnostics[1].message
        == 'rule GC303 must be "error", "warning" or "off", not \'warn\' (did you mean \'warning\'?)'
    )
    assert "graphc rules" in diagnostics[2].hint
    assert config.rules == {}


def test_same_rule_twice_by_code_and_name(tmp_path):
    text = '[rules]\nGC303 = "off"\noff-tick = "warning"\n'
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert problems(diagnostics) == [("GC103", 3)]
    assert config.rules == {"GC303": "off"}


@pytest.mark.parametrize(
    ("text", "said", "kept"),
    [
        (
            "[venues.polymarket]\ntick = 0.01\n\n[venues.Polymarket]\nmin_size = 5\n",
            "venue Polymarket is set twice, as 'polymarket' and 'Polymarket'",
            ("venues", "polymarket", {"tick": Decimal("0.01")}),
        ),
        (
            '[markets."will-it-rain:yes"]\ntick = 0.01\n\n[markets."Will-It-Rain:yes"]\nlot = 1\n',
            "market Will-It-Rain:yes is set twice, as 'will-it-rain:yes' and 'Will-It-Rain:yes'",
            ("markets", "will-it-rain:yes", {"tick": Decimal("0.01")}),
        ),
    ],
)
def test_the_same_venue_or_market_twice_in_another_case_is_set_twice(tmp_path, text, said, kept):
    # before the fix (audit cfg20 3): no diagnostic, and the later table replaced the earlier one, tick lost
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert problems(diagnostics) == [("GC103", 4)]
    assert diagnostics[0].message == said and diagnostics[0].hint == "keep one of the two entries"
    section, name, values = kept
    assert getattr(config, section) == {name: values}


def test_wrong_types(tmp_path):
    text = 'strict = "yes"\nrules = 3\n\n[venues]\npolymarket = 5\n\n[markets.X]\ntick = nan\nsizes = [1, 2]\n'
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert problems(diagnostics) == [("GC103", 1), ("GC103", 2), ("GC103", 5), ("GC103", 8), ("GC102", 9)]
    assert config.strict is False and config.rules == {} and config.venues == {}
    assert config.markets == {"X": {}}


def test_unknown_market_setting_is_an_error_with_a_did_you_mean(tmp_path):
    # issue 11: `tikc = 0.5` was silently ignored
    text = '[venues.polymarket]\ntick = 0.01\n\n[markets."BTC-USD"]\ntikc = 0.5\nszdecimals = 3\n'
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert problems(diagnostics) == [("GC102", 5), ("GC102", 6)]
    assert diagnostics[0].message == "unknown key 'tikc' in [markets.\"BTC-USD\"] (did you mean 'tick'?)"
    assert diagnostics[0].span == Span(5, 1, 5, 5)
    assert "(did you mean 'sz_decimals'?)" in diagnostics[1].message
    assert diagnostics[0].hint.startswith("known settings: tick, lot, sz_decimals")
    assert config.markets == {"BTC-USD": {}} and config.venues == {"polymarket": {"tick": Decimal("0.01")}}


@pytest.mark.parametrize(
    "line, words",
    [
        ("sz_decimals = 1.0", "`sz_decimals` is a count"),
        ('sz_decimals = "1"', "`sz_decimals` is a count"),
        ("sig_figs = -5", "`sig_figs` is a count"),
        ("sz_decimals = 9", "`sz_decimals` must be at most 8, not 9"),  # venuenum25 2: 8 - szDecimals on spot
        ("sz_decimals = 10000000", "`sz_decimals` must be at most 8, not 10000000"),  # was an InvalidOperation
        ("tick = -0.01", "`tick` must not be negative"),
        ("tick = 0", "`tick` must be positive, not 0"),  # audit venues 1: lint looped forever on it
        ("tick = 0.0", "`tick` must be positive, not 0.0"),
        ('lot = "0"', "`lot` must be positive, not '0'"),
        ("price_max = 0", "`price_max` must be positive, not 0"),  # audit venues 2: every price was GC304
        ("max_size = 0.0", "`max_size` must be positive, not 0.0"),  # and every size GC309
        ("max_notional = 0", "`max_notional` must be positive, not 0"),  # and every notional GC309
        ('tick = "abc"', "`tick` must be a number"),
        ("fractional = 1", "`fractional` must be true or false"),
        ('price_level_structure = "linear"', "must be one of linear_cent, tapered_deci_cent, deci_cent"),
        ("price_bands = [0, 1, 0.01]", "each band of `price_bands` is [lo, hi, tick]"),
        ("price_bands = [[0, 1, 0]]", "needs lo < hi and a positive tick"),
        ("price_bands = [[0, 0.5, 0.01], [0.6, 1, 0.01]]", "must follow each other"),
        # audit consist27 1: an edge off a tick of a band it bounds (graphc's grids are a tick's multiples from 0)
        (
            'price_bands = [[0, "1.0", "0.3"], ["1.0", "1.25", "0.7"], ["1.25", "1.45", "1.1"], ["1.45", 10, "0.9"]]',
            "the band [0, 1, 0.3] of `price_bands` ends at 1, which is not on its 0.3 tick",
        ),
        (  # on the band below's tick, off the band above's
            'price_bands = [[0, "0.5", "0.01"], ["0.5", 1, "0.3"]]',
            "the band [0.5, 1, 0.3] of `price_bands` starts at 0.5, which is not on its 0.3 tick",
        ),
        ('price_bands = [["0.05", 1, "0.1"]]', "the band [0.05, 1, 0.1] of `price_bands` starts at 0.05"),
        ('price_bands = [[0, "0.95", "0.1"]]', "the band [0, 0.95, 0.1] of `price_bands` ends at 0.95"),
    ],
)
def test_market_settings_are_typed_when_read(tmp_path, line, words):
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", f'[markets."X"]\n{line}\n'))
    [d] = diagnostics
    assert (d.code, d.span.line) == ("GC103", 2) and words in d.message and d.message.startswith('[markets."X"]')
    assert config.markets == {"X": {}}


# audit venuenum25 4: `price_min = 20`, `price_max = 10` was read silently, and every price on the market was GC304
# "outside binance's range 20-10", its hint asking for a price in that empty range. A minimum above its maximum is
# GC103 at the key written later, naming both, and neither is used (venue-rules.md §4: minPrice <= price <= maxPrice).
@pytest.mark.parametrize(
    "lines, line, said",
    [
        (
            "price_min = 20\nprice_max = 10",
            3,
            "`price_min` 20 is above `price_max` 10: no price is at least 20 and at most 10, so neither is used",
        ),
        (  # the other order: at price_min, written later
            "price_max = 10\nprice_min = 20",
            3,
            "`price_min` 20 is above `price_max` 10: no price is at least 20 and at most 10, so neither is used",
        ),
        (
            "min_size = 20\nlot = 1\nmax_size = 10.5",
            4,
            "`min_size` 20 is above `max_size` 10.5: no order size is at least 20 and at most 10.5, so neither is used",
        ),
        (
            'max_notional = 50\nmin_notional = "100"',
            3,
            "`min_notional` 100 is above `max_notional` 50: no notional is at least 100 and at most 50, so neither "
            "is used",
        ),
        (
            "min_notional_market = 60\nmax_notional = 50",
            3,
            "`min_notional_market` 60 is above `max_notional` 50: no market order's notional is at least 60 and at "
            "most 50, so neither is used",
        ),
    ],
)
@pytest.mark.parametrize("table", ['markets."BTCUSDT"', "venues.binance"])
def test_a_minimum_above_its_maximum_is_gc103_at_the_later_key(tmp_path, table, lines, line, said):
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", f"[{table}]\n{lines}\n"))
    [d] = diagnostics
    assert (d.code, d.span.line, d.message) == ("GC103", line, f"[{table}] {said}")
    assert "the minimum at most the maximum (equal is fine)" in d.hint and "venue-rules.md §4" in d.hint
    kept = config.markets.get("BTCUSDT", config.venues.get("binance"))
    assert kept == ({"lot": Decimal(1)} if "lot" in lines else {})  # neither bound is used


def test_both_conflicts_of_a_table_are_reported(tmp_path):
    text = "[markets.X]\nmin_size = 20\nmax_size = 10\nmin_notional = 100\nmax_notional = 50\n"  # repro/f4/g2.toml
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert problems(diagnostics) == [("GC103", 3), ("GC103", 5)]
    assert config.markets == {"X": {}}


def test_a_minimum_equal_to_its_maximum_is_accepted(tmp_path):
    text = "[markets.X]\nprice_min = 15\nprice_max = 15\nmin_size = 1\nmax_size = 1\nmin_notional = 15\nmax_notional = 15\n"
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert diagnostics == []
    assert config.markets["X"]["price_min"] == config.markets["X"]["price_max"] == Decimal(15)


def test_venue_names_are_read_in_lower_case(tmp_path):
    config, _ = read_config(write(tmp_path / "graphc.toml", "[venues.Polymarket]\ntick = 0.01\n"))
    assert config.venues == {"polymarket": {"tick": Decimal("0.01")}}
    assert config.market_config.venue("POLYMARKET") == {"tick": Decimal("0.01")}


def test_the_settings_table_in_the_docs_is_generated_from_the_one_definition():
    from graphc.venues.settings import SETTINGS, settings_table

    docs = (Path(__file__).resolve().parents[1] / "docs" / "playbooks.md").read_text()
    begin, end = "<!-- market-settings:begin -->\n", "<!-- market-settings:end -->"
    assert docs[docs.index(begin) + len(begin) : docs.index(end)] == settings_table()
    assert [line.split("`")[1] for line in settings_table().splitlines()[2:]] == [s.key for s in SETTINGS]


def test_located_in_the_right_table(tmp_path):
    text = (
        '[tool.graphc.venues.kalshi]\ntick = 0.01\n\n[tool.ruff]\ntick = 1\n\n[tool.graphc.markets."A.B"]\ntick = [1]\n'
    )
    _, diagnostics = read_config(write(tmp_path / "pyproject.toml", text))
    assert problems(diagnostics) == [("GC103", 8)]
    assert diagnostics[0].message == '[tool.graphc.markets."A.B"] `tick` must be a number, not [1]'


def test_toml_syntax_error_has_line_and_column(tmp_path):
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", "strict = true\n[rules\nGC405 = 'off'\n"))
    [d] = diagnostics
    assert d.code == "GC100" and d.span == Span(2, 7)
    assert d.message.startswith("TOML syntax error: ") and "(at line" not in d.message
    assert config == Config(path=tmp_path / "graphc.toml")


def test_broken_pyproject_meant_for_graphc_is_found_and_reported(tmp_path):
    path = write(tmp_path / "pyproject.toml", "[tool.graphc]\nstrict = \n")
    assert find_config(tmp_path) == path
    _, diagnostics = load_config(tmp_path)
    assert problems(diagnostics) == [("GC100", 2)]


@pytest.mark.parametrize("data", [b"\xff\xfe garbage", b"strict = true\x00"])
def test_unreadable_config_is_a_diagnostic(tmp_path, data):
    path = tmp_path / "graphc.toml"
    path.write_bytes(data)
    _, diagnostics = read_config(path)
    assert [d.code for d in diagnostics] == ["GC100"]


def test_tool_graphc_that_is_not_a_table(tmp_path):
    _, diagnostics = read_config(write(tmp_path / "pyproject.toml", "[tool]\ngraphc = 1\n"))
    assert [d.code for d in diagnostics] == ["GC103"]


def test_config_that_is_a_fifo_is_refused_not_waited_on(tmp_path):
    # A repository's graphc.toml is as untrusted as its playbooks: a named pipe with no writer would block the run.
    path = tmp_path / "graphc.toml"
    os.mkfifo(path)
    config, diagnostics = read_config(path)
    assert [(d.code, d.message, d.span) for d in diagnostics] == [
        ("GC100", "cannot read config file: it is a named pipe (FIFO), not a regular file", None)
    ]
    assert config == Config(path=path)


def test_config_over_the_file_size_limit_is_not_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    path = write(tmp_path / "graphc.toml", "strict = true\n" + "# padding\n" * 20)
    config, diagnostics = read_config(path)
    assert [(d.code, d.message, d.span, d.hint) for d in diagnostics] == [
        (
            "GC100",
            "cannot read config file: it is larger than 100 bytes (GRAPHC_MAX_FILE_BYTES)",
            Span(1, 1),
            "split it, or raise the limit (docs/robustness.md)",
        )
    ]
    assert config == Config(path=path)  # strict = true was not read
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 10_000)
    assert read_config(path)[1] == []


def test_a_pyproject_over_the_size_limit_is_found_but_never_parsed(tmp_path, monkeypatch):
    # discovery once parsed a whole pyproject (55 MB: 6 s, 210 MB) before the reader refused it (review15 4)
    import tomllib

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 200)
    path = write(
        tmp_path / "pyproject.toml", "[tool.graphc]\nstrict = true\n" + "".join(f"k{i} = 1\n" for i in range(100))
    )

    def no_parse(text, **kw):
        raise AssertionError(f"parsed {len(text)} characters of a file over the limit")

    monkeypatch.setattr(tomllib, "loads", no_parse)
    assert find_config(tmp_path) == path
    config, diagnostics = load_config(tmp_path)
    assert [(d.code, d.span) for d in diagnostics] == [("GC100", Span(1, 1))]
    assert diagnostics[0].message == "cannot read config file: it is larger than 200 bytes (GRAPHC_MAX_FILE_BYTES)"
    assert config.strict is False


# audit consist27 1: a band edge off a neighbour's tick made the grid jump there, and compile wrote a price (2.2 for
# a sell at a 0.95 ask) that lint flagged GC303 on the 0.9 band. graphc.toml refuses such a table when read, at the
# key, naming the edge and both ticks; every structure Kalshi has (venue-rules.md §2: linear_cent, tapered_deci_cent,
# deci_cent; edges 0, 0.10, 0.90, 1 on both 0.001 and 0.01) and Polymarket's ticks on [0, 1] are accepted.
def test_a_band_edge_off_a_neighbours_tick_is_gc103_at_the_key_with_the_edge_and_both_ticks(tmp_path):
    line = 'price_bands = [[0, "0.2", "0.01"], ["0.2", "0.75", "0.05"], ["0.75", 1, "0.1"]]'
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", f'[markets."X"]\n{line}\n'))
    [d] = diagnostics
    assert (d.code, d.span.line, d.span.col) == ("GC103", 2, 1), d
    assert d.message == (
        '[markets."X"] the band [0.75, 1, 0.1] of `price_bands` starts at 0.75, which is not on its 0.1 tick'
    )
    assert d.hint == (
        "write edges that are prices of the bands on both sides: 0.75 must be a multiple of 0.1 and of 0.05 (the "
        "tick of the band on its other side), as Kalshi's 0.10 and 0.90 are of 0.001 and 0.01"
    )
    assert config.markets == {"X": {}}


def _toml_bands(bands) -> str:
    return "[" + ", ".join(f'["{b.lo}", "{b.hi}", "{b.tick}"]' for b in bands) + "]"


@pytest.mark.parametrize("name", ["linear_cent", "tapered_deci_cent", "deci_cent"])
def test_every_kalshi_structure_is_accepted_as_bands_and_by_name(tmp_path, name):
    from graphc.venues.settings import KALSHI_STRUCTURES

    bands = KALSHI_STRUCTURES[name]
    text = f'[markets."A"]\nprice_bands = {_toml_bands(bands)}\n[markets."B"]\nprice_level_structure = "{name}"\n'
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", text))
    assert diagnostics == []
    assert config.markets["A"]["price_bands"] == bands


@pytest.mark.parametrize(
    "line",
    [
        # venue-rules.md §2, as Kalshi's price_ranges give tapered_deci_cent, and the docs' example table
        'price_bands = [[0, "0.10", "0.001"], ["0.10", "0.90", "0.01"], ["0.90", 1, "0.001"]]',
        'price_bands = [[0, "0.10", "0.001"], ["0.10", 1, "0.01"]]',
        # Polymarket's ticks (venue-rules.md §1: 0.1, 0.01, 0.001, 0.0001) over 0-1, and split at 0.5
        *(f'price_bands = [[0, 1, "{tick}"]]' for tick in ("0.1", "0.01", "0.001", "0.0001")),
        'price_bands = [[0, "0.5", "0.01"], ["0.5", 1, "0.001"]]',
    ],
)
def test_real_band_tables_are_accepted(tmp_path, line):
    config, diagnostics = read_config(write(tmp_path / "graphc.toml", f'[markets."X"]\n{line}\n'))
    assert diagnostics == [] and config.markets["X"]["price_bands"]
