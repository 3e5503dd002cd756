"""Fuzzing: whatever the input, graphc answers with output or diagnostics, never a traceback.

Generated inputs: random text and YAML-ish character soup, random nested
structures dumped as YAML, playbook-shaped mappings with random types, units,
triggers and structure, and wire graphs (JSON). Each goes through the pipeline
API (``load_text``, ``compile_text``, ``lint_file``), and a sample through the
command line (``graphc lint`` / ``graphc compile``: exit 0 or 1, no traceback).
Every diagnostic must carry a known rule code and, once the file has loaded, a
location inside the file. The compiled schema check must never call a document
valid that jsonschema rejects.

The normal suite runs a bounded, derandomized number of examples per test. The
long run before a release (docs/robustness.md) is::

    GRAPHC_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py -m fuzz -p no:randomly
"""

from __future__ import annotations

import atexit
import json
import re
import shutil
import string
import tempfile
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graphc.cli import cli
from graphc.diagnostics import Diagnostic, Span
from graphc.fmt import FormatError, format_text
from graphc.lint import LintOptions, lint_file
from graphc.pipeline import CompileOptions, compile_text
from graphc.quotes import Quote
from graphc.rules.registry import RULES
from graphc.stages.expressions import (
    MAX_OPERATIONS,
    ExpressionError,
    FileBudget,
    LongNumber,
    _compile,
    _shape_of,
    compile_template,
    evaluate,
)
from graphc.stages.load import MAX_TOTAL_NODES, load_text
from graphc.stages.render import DECIMALS, _base_names, _quote_function

pytestmark = pytest.mark.fuzz

# The example count comes from the hypothesis profile (tests/conftest.py): small and
# derandomized by default, GRAPHC_FUZZ_EXAMPLES=N for the long run.
EXAMPLES = settings.default.max_examples
CLI_EXAMPLES = max(20, EXAMPLES // 10)  # a process-free CLI run costs ~10x a pipeline call

FUZZ = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ_CLI = settings(FUZZ, max_examples=CLI_EXAMPLES)

WORK = Path(tempfile.mkdtemp(prefix="graphc-fuzz-"))
atexit.register(shutil.rmtree, WORK, True)
CODE = re.compile(r"^GC[1-5]\d\d$")
LINE_BREAK = re.compile("\r\n|[\r\n]")  # the line breaks graphc counts (graphc.lines): NEL, LS and PS are not


# -- invariants -------------------------------------------------------------------------------


def check_diagnostics(diagnostics, text: str, *, loaded: bool):
    lines = len(LINE_BREAK.findall(text)) + 2  # LF, CRLF and CR (YAML 1.2 §5.4; libyaml counts NEL, LS, PS too)
    for d in diagnostics:
        assert isinstance(d, Diagnostic), d
        assert CODE.match(d.code) and d.code in RULES, d
        assert isinstance(d.message, str) and d.message.strip(), d
        assert d.severity in ("error", "warning"), d
        if d.span is not None:
            assert isinstance(d.span, Span), d
            assert d.span.line >= 1 and d.span.col >= 1, d
            if d.span.file is None:
                assert d.span.line <= lines, (d, lines)
        elif loaded:
            pytest.fail(f"diagnostic without a location in a file that loaded: {d}")


def check_text(text: str, name: str = "fuzz.yaml"):
    """The pipeline API on ``text``: load, compile, lint the file."""
    doc, diagnostics = load_text(text, name)
    check_diagnostics(diagnostics, text, loaded=False)
    assert (doc is None) == bool(diagnostics)
    result = compile_text(text, name, CompileOptions(require_quotes=False))
    check_diagnostics(result.diagnostics, text, loaded=doc is not None)
    if doc is not None and isinstance(doc.data, dict) and "graphc" in doc.data:
        assert result.wire is not None or result.diagnostics, "a playbook gave neither output nor diagnostics"
        if result.wire is not None:
            json.dumps(result.wire, default=str)
            result.wire_json()
    if not _encodable(text):
        return
    path = WORK / name
    path.write_text(text, encoding="utf-8")
    try:
        linted = lint_file(path, LintOptions(compile=CompileOptions(require_quotes=False)), explicit=True)
    finally:
        path.unlink()
    if linted is not None:
        check_diagnostics(linted.diagnostics, text, loaded=doc is not None)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_cli(text: str, name: str, command: str):
    path = WORK / name
    path.write_text(text, encoding="utf-8")
    try:
        # -v: a crash (exit 4) prints its traceback, so the failure below shows where it happened
        result = CliRunner().invoke(cli, ["-v", *command.split(), str(path)], catch_exceptions=True)
    finally:
        path.unlink()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    assert "Traceback" not in result.output


# -- strategies -------------------------------------------------------------------------------

YAML_SOUP = st.lists(
    st.sampled_from(
        list(":-[]{},#&*!|>'\"%@`?~ \n\t\n\n  ")
        + [
            "a",
            "1",
            "0.5",
            "graphc",
            "legs",
            "buy",
            "&x",
            "*x",
            "<<",
            "!!int",
            "!!str",
            "---",
            "...",
            "\\",
            "é",
            "\u2028",
            "\x85",
            "graphc: 1\n",
            "legs:\n  a: {buy: 1, symbol: X}\n",
        ]
    ),
    max_size=120,
).map("".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "off",
            "~",
            "null",
            "1e400",
            "0x1F",
            ".inf",
            "-.nan",
            "1_000",
            "0o17",
            "",
            " ",
            "1,234.5",
            "$5k",
            "{{ x }}",
            "ask + 1 tick",
        ]
    ),
)
nested = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers(), st.booleans()), inner, max_size=5),
    ),
    max_leaves=30,
)

NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=10**6).map(str),
    st.decimals(min_value=Decimal("-10"), max_value=Decimal("100000"), places=4, allow_nan=False).map(str),
    st.sampled_from(
        [
            "1,234.5",
            "1_000",
            "5k",
            "1.5m",
            "2bn",
            "1e3",
            "0",
            "-0",
            ".5",
            "1e-12",
            "9" * 45,
            "1e400",
            "1e999999",
            "1e-999999",
            "NaN",
            "inf",
            "1,23",
            "0x10",
            "1" * 5000,
        ]
    ),
)
UNITS = [
    "",
    " ETH",
    " BTC",
    " shares",
    " contracts",
    " share",
    " USD",
    " USDC",
    " SOL",
    "%",
    "bps",
    " bp",
    "c",
    " ticks",
    "s",
    "ms",
    "m",
    " min",
    "h",
    "d",
    " slices every 30s",
]
QUANTITIES = st.one_of(
    st.builds(lambda n, u, dollar: ("$" if dollar else "") + n + u, NUMBERS, st.sampled_from(UNITS), st.booleans()),
    st.just("derived"),
    NUMBERS.map(lambda s: Decimal(s) if re.fullmatch(r"-?\d+(\.\d+)?", s) else s),
)
PRICES = st.one_of(
    st.builds(
        lambda base, ops: base + "".join(ops),
        st.sampled_from(["bid", "ask", "mid", "last", "0.55", "55c", "$2,325.53", "BID", "spread"]),
        st.lists(
            st.builds(
                lambda sign, n, u: f" {sign} {n}{u}",
                st.sampled_from(["+", "-", "*"]),
                NUMBERS,
                st.sampled_from([" tick", " ticks", "bps", "%", "c", "$", ""]),
            ),
            max_size=3,
        ),
    ),
    NUMBERS,
)
SYMBOLS = st.one_of(
    st.sampled_from(
        [
            "BTC-USD",
            "ETH-USD",
            "ETH-USD-PERP",
            "KXFEDDECISION-26DEC-C25",
            "fed-cut:yes",
            "fed-cut:no",
            "https://polymarket.com/event/x",
            "1234567890123456789012345",
            "SOL-USDT",
            "",
            " ",
            "X" * 600,
        ]
    ),
    st.text(max_size=20),
)
VENUES = st.sampled_from(["coinbase", "Binance", "kraken", "hyperliquid", "polymarket", "kalshi", "nyse", "", None])
TRIGGER_WORDS = [
    "accepted",
    "first fill",
    "each fill",
    "filled",
    "filled 50%",
    "filled 0%",
    "filled 150%",
    "filled 0.5",
    "+ 5s",
    "+ 0s",
    "+ -3s",
    "+ 1h30m",
    "cancelled",
    "done",
    "price BTC-USD below entry -5%",
    "price ETH-USD above entry +3%",
    "price X sideways entry",
    "whenever",
    "",
]
WIRE_TRIGGERS = [
    "on_accepted",
    "on_first_fill",
    "on_fill",
    "on_fill_ratio",
    "on_full_fill",
    "on_cancel",
    "on_done",
    "on_timeout",
    "on_price",
    "on_moon",
]


def maybe_wrong(value_strategy):
    """Mostly the right kind of value, sometimes any value at all."""
    return st.one_of(value_strategy, value_strategy, value_strategy, nested)


@st.composite
def playbooks(draw):
    ids = draw(
        st.lists(
            st.one_of(
                st.sampled_from(["a", "b", "c", "entry", "hedge", "leg-1", "x.y"]),
                st.text(alphabet=string.ascii_letters + string.digits + "._- ", min_size=1, max_size=8),
            ),
            min_size=0,
            max_size=6,
            unique=True,
        )
    )
    legs = {}
    for leg_id in ids:
        leg = {}
        form = draw(st.sampled_from(["buy", "sell", "long", "both", "none"]))
        if form in ("buy", "sell", "both"):
            leg["buy" if form != "sell" else "sell"] = draw(maybe_wrong(QUANTITIES))
        if form in ("long", "both"):
            leg["side"] = draw(maybe_wrong(st.sampled_from(["buy", "sell", "BUY", "hold"])))
            leg["qty"] = draw(maybe_wrong(QUANTITIES))
        if draw(st.integers(0, 9)):
            leg["symbol"] = draw(maybe_wrong(SYMBOLS))
        for key, strategy in (
            ("venue", VENUES),
            ("type", st.sampled_from(["spot", "perp", "prediction", "option"])),
            ("limit", PRICES),
            (
                "policy",
                st.sampled_from(
                    ["sor", "ioc_sweep", "passive_limit", "aggressive_chase", "passive_ladder", "time_drip", "yolo"]
                ),
            ),
            ("urgency", st.sampled_from(["low", "medium", "high", "asap"])),
            ("slippage", st.builds(lambda n, u: n + u, NUMBERS, st.sampled_from(["bps", "%", ""]))),
            ("horizon", st.builds(lambda n, u: n + u, NUMBERS, st.sampled_from(["s", "m", "ms", "h"]))),
            ("tif", st.sampled_from(["GTC", "ioc", "FOK", "DAY"])),
            (
                "twap",
                st.one_of(
                    st.builds(
                        lambda n, m, d: f"{n} slices {m} {d}",
                        NUMBERS,
                        st.sampled_from(["every", "over", "per"]),
                        st.sampled_from(["30s", "5m", "0s", "7ms", "x"]),
                    ),
                    st.fixed_dictionaries({"slices": NUMBERS}, optional={"every": NUMBERS, "over": NUMBERS}),
                ),
            ),
            ("activation", st.sampled_from(["root", "wait", "later"])),
        ):
            if draw(st.integers(0, 3)) == 0:
                leg[key] = draw(maybe_wrong(strategy) if key not in ("venue",) else strategy)
        if ids and draw(st.booleans()):
            refs = st.sampled_from(ids + ["ghost"])
            entry = st.one_of(
                st.builds(lambda r, w: f"{r} {w}", refs, st.sampled_from(TRIGGER_WORDS)),
                st.fixed_dictionaries(
                    {"from": refs, "trigger": st.one_of(st.sampled_from(WIRE_TRIGGERS), nested)},
                    optional={"fill_ratio": st.sampled_from(["50%", "0.5", "0", "2", "x"])},
                ),
            )
            leg["after"] = draw(st.one_of(entry, st.lists(entry, max_size=3), nested))
        if draw(st.integers(0, 15)) == 0:
            leg["for_each"] = draw(
                st.one_of(
                    st.integers(-2, 5),
                    st.lists(st.text(max_size=4), max_size=3),
                    st.sampled_from(["{{ [1, 2] }}", "{{ range(3) }}", "1e999999", "2.0"]),
                    nested,
                )
            )
        legs[leg_id] = leg
    doc = {
        "graphc": draw(st.one_of(st.just(1), st.just(1), st.just(1), nested)),
        "name": draw(st.one_of(st.just("fuzz-pb"), st.text(max_size=10), nested)),
    }
    if draw(st.integers(0, 9)):
        doc["legs"] = legs if draw(st.integers(0, 9)) else draw(nested)
    if draw(st.booleans()):
        doc["risk"] = draw(
            maybe_wrong(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "max_notional": st.sampled_from(["$1m", "5k", "-1", "0", "$", "1e50"]),
                        "max_loss": st.sampled_from(["$10k", "x", "0.5"]),
                    },
                )
            )
        )
    if draw(st.integers(0, 3)) == 0:
        doc["sandbox"] = draw(st.one_of(st.booleans(), st.sampled_from(["no", "false", "{{ true }}"]), nested))
    if draw(st.integers(0, 3)) == 0:
        doc["defaults"] = draw(
            maybe_wrong(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "policy": st.sampled_from(["sor", "ioc_sweep", "bad"]),
                        "venue": VENUES,
                        "symbol": SYMBOLS,
                        "after": st.just("a filled"),
                    },
                )
            )
        )
    if ids and draw(st.integers(0, 3)) == 0:
        refs = st.sampled_from(ids + ["ghost"])
        doc["edges"] = draw(
            st.one_of(
                st.lists(
                    st.fixed_dictionaries(
                        {"from": refs, "to": refs, "trigger": st.one_of(st.sampled_from(WIRE_TRIGGERS), nested)},
                        optional={"fill_ratio": st.sampled_from(["50%", "1.5"])},
                    ),
                    max_size=4,
                ),
                nested,
            )
        )
    if draw(st.integers(0, 7)) == 0:
        doc["params"] = draw(
            st.one_of(
                st.fixed_dictionaries(
                    {
                        "size": st.fixed_dictionaries(
                            {"type": st.sampled_from(["quantity", "number", "string", "weird"])},
                            optional={"default": scalars},
                        )
                    }
                ),
                nested,
            )
        )
    if draw(st.integers(0, 9)) == 0:
        doc[draw(st.sampled_from(["leg", "description", "extra", "Legs"]))] = draw(nested)
    return doc


def dump(doc, style: int) -> str:
    """The document as YAML text in one of a few styles (block, flow, canonical-ish)."""
    data = _plain(doc)
    if style == 0:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if style == 1:
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=True, width=1_000)
    return json.dumps(data, ensure_ascii=False, indent=1)


def _plain(value):
    """Decimals as YAML numbers: dump them through their text."""
    if isinstance(value, dict):
        return {_plain_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() and len(value.as_tuple().digits) < 15 else str(value)
    if isinstance(value, float) and value != value:
        return str(value)
    return value


def _plain_key(key):
    return key if isinstance(key, (str, int, bool)) or key is None else str(key)


@st.composite
def wire_graphs(draw):
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=6))
    node = st.fixed_dictionaries(
        {
            "node_id": st.one_of(st.sampled_from(ids or ["a"]), nested),
            "instrument": maybe_wrong(
                st.fixed_dictionaries(
                    {"symbol": SYMBOLS, "type": st.sampled_from(["spot", "perp", "prediction", "bond"])},
                    optional={"venue": VENUES},
                )
            ),
            "side": maybe_wrong(st.sampled_from(["buy", "sell", "short"])),
            "order_type": maybe_wrong(
                st.one_of(
                    st.just("market"),
                    st.fixed_dictionaries(
                        {
                            "limit": st.fixed_dictionaries(
                                {"price_1e9": st.one_of(st.integers(-10, 10**20), st.integers(10**8, 10**10))}
                            )
                        }
                    ),
                )
            ),
            "quantity": maybe_wrong(
                st.one_of(
                    st.just("derived"),
                    st.fixed_dictionaries(
                        {
                            "fixed": st.fixed_dictionaries(
                                {"qty_1e8": st.one_of(st.integers(-10, 10**20), st.integers(10**5, 10**9))}
                            )
                        }
                    ),
                )
            ),
            "execution": maybe_wrong(
                st.fixed_dictionaries(
                    {"policy": st.sampled_from(["sor", "ioc_sweep", "passive_limit", "time_drip", "nope"])},
                    optional={
                        "tif": st.sampled_from(["GTC", "IOC", "FOK"]),
                        "max_slippage_bps": st.integers(-5, 20000),
                        "horizon_ms": st.integers(-5, 10**7),
                        "pacing": nested,
                    },
                )
            ),
            "activation": maybe_wrong(st.sampled_from(["root", "wait", "sometimes"])),
        }
    )
    refs = st.sampled_from((ids or ["a"]) + ["zz"])
    trigger = st.one_of(
        st.sampled_from(WIRE_TRIGGERS),
        st.fixed_dictionaries({"on_timeout": st.fixed_dictionaries({"ms": st.integers(-5, 10**6)})}),
        st.fixed_dictionaries({"on_price": nested}),
        nested,
    )
    edge = st.fixed_dictionaries(
        {"edge_id": st.text(max_size=4), "from_node": refs, "to_node": refs, "trigger": trigger},
        optional={
            "condition": st.one_of(
                st.fixed_dictionaries({"fill_ratio_gte": st.one_of(st.floats(allow_nan=True), st.integers(-1, 2))}),
                nested,
            )
        },
    )
    graph = {
        "nodes": draw(maybe_wrong(st.lists(node, max_size=6))),
        "edges": draw(maybe_wrong(st.lists(edge, max_size=8))),
    }
    if draw(st.booleans()):
        graph["risk"] = draw(
            maybe_wrong(
                st.fixed_dictionaries(
                    {
                        "admission": st.fixed_dictionaries(
                            {"max_notional_usd": st.one_of(st.integers(-1, 10**9), st.floats())}
                        )
                    }
                )
            )
        )
    graph["is_sandbox"] = draw(maybe_wrong(st.booleans()))
    return graph


# -- tests ------------------------------------------------------------------------------------


@FUZZ
@given(st.one_of(st.text(max_size=300), YAML_SOUP))
def test_random_text(text):
    check_text(text)


@FUZZ
@given(nested, st.integers(0, 2))
def test_random_structures(data, style):
    check_text(dump(data, style))
    check_text("graphc: 1\nname: x\n" + (dump({"legs": data}, 0) if style == 0 else ""))


@FUZZ
@given(playbooks(), st.integers(0, 2))
def test_playbook_shaped(doc, style):
    check_text(dump(doc, style))


@FUZZ
@given(wire_graphs())
def test_wire_graphs(graph):
    text = json.dumps(_plain(graph), ensure_ascii=False)
    path = WORK / "graph.json"
    path.write_text(text, encoding="utf-8")
    linted = lint_file(path, LintOptions(), explicit=True)
    assert linted is not None
    check_diagnostics(linted.diagnostics, text, loaded=load_text(text)[0] is not None)


# review14 2, 3: a leg priced `limit: trigger ...` reads the symbol and offset of every on_price edge into it (its
# trigger level, and whether two of them differ); a list or mapping `symbol` was used as a quote key (TypeError:
# unhashable, exit 4) and a missing or NaN offset made a GC105 of its own. Any value in any on_price field, on
# any of the leg's edges, is the edge's own finding or none: never a crash.
WRONG_KINDS = (scalars, st.lists(scalars, max_size=2), st.dictionaries(st.text(max_size=3), scalars, max_size=2))
PRICE_FIELDS = {
    "symbol": st.sampled_from(["ETH-USD", "BTC-USD", ""]),
    "direction": st.sampled_from(["below", "above", "sideways"]),
    "reference": st.sampled_from(["graph_entry_price", "mid"]),
    "offset_pct": st.one_of(st.sampled_from([-5, -2, 3, "-5%", "x", 0]), st.floats()),
}


@st.composite
def price_trigger_playbooks(draw):
    def on_price():
        fields = {key: st.one_of(strategy, *WRONG_KINDS) for key, strategy in PRICE_FIELDS.items()}
        some = st.fixed_dictionaries({}, optional=fields)
        return st.one_of(st.fixed_dictionaries(fields), st.fixed_dictionaries(fields), some, nested)

    mapping = st.fixed_dictionaries({"from": st.just("q"), "trigger": st.fixed_dictionaries({"on_price": on_price()})})
    edge = st.one_of(st.sampled_from(["q price ETH-USD below entry -2%", "q price ETH-USD above entry +5%"]), mapping)
    limit = draw(st.sampled_from(["trigger - 1%", "trigger - 1%", "trigger", "2300"]))
    leg = {"sell": "1 ETH", "symbol": "ETH-USD", "limit": limit}
    leg["after"] = draw(st.lists(edge, min_size=1, max_size=3))
    return {"graphc": 1, "name": "pt", "legs": {"q": {"buy": "1 ETH", "symbol": "ETH-USD", "limit": 2300}, "a": leg}}


@settings(FUZZ, max_examples=EXAMPLES * 3)  # about 1 in 20 of its playbooks crashed before the fix
@given(price_trigger_playbooks(), st.integers(0, 2))
def test_any_value_in_a_price_trigger_of_a_trigger_priced_leg_is_a_diagnostic(doc, style):
    text = dump(doc, style)
    quotes = {"ETH-USD": Quote(bid=Decimal("2325.10"), ask=Decimal("2325.53"), tick=Decimal("0.01"))}
    for options in (CompileOptions(require_quotes=False), CompileOptions(quotes=quotes)):
        result = compile_text(text, "pt.yaml", options)
        check_diagnostics(result.diagnostics, text, loaded=True)
        if result.ok:  # a wire with errors is never written (it may hold the .inf the error is about)
            result.wire_json()
        else:
            assert result.diagnostics
        path = WORK / "pt.yaml"
        path.write_text(text, encoding="utf-8")
        linted = lint_file(path, LintOptions(compile=options), explicit=True)
        assert linted is not None
        check_diagnostics(linted.diagnostics, text, loaded=True)


@FUZZ
@given(st.one_of(playbooks(), wire_graphs(), nested))
def test_fast_schema_check_never_accepts_what_jsonschema_rejects(data):
    from graphc.stages.validate import PLAYBOOK_SCHEMA, WIRE_SCHEMA, fast_check, validator

    doc, _diagnostics = load_text(dump(data, 0))
    if doc is None:
        return
    for schema in (PLAYBOOK_SCHEMA, WIRE_SCHEMA):
        if fast_check(schema)(doc.data):
            errors = list(validator(schema).iter_errors(doc.data))
            assert not errors, (schema, [e.message for e in errors])


@FUZZ
@given(st.one_of(playbooks(), wire_graphs(), nested))
def test_fused_schema_checks_answer_as_the_keyword_checks(data):
    """The one-function shapes (closed objects, text enums, bounded text, name-or-object) change no answer."""
    from graphc.stages.fastschema import compile_schema
    from graphc.stages.validate import PLAYBOOK_SCHEMA, WIRE_SCHEMA, _schema

    doc, _diagnostics = load_text(dump(data, 0))
    if doc is None:
        return
    for name in (PLAYBOOK_SCHEMA, WIRE_SCHEMA):
        schema = _schema(name)
        assert compile_schema(schema)(doc.data) == compile_schema(schema, fuse=False)(doc.data), name


@FUZZ_CLI
@given(
    st.one_of(playbooks().map(lambda d: dump(d, 0)), YAML_SOUP, nested.map(lambda d: dump(d, 1))),
    st.sampled_from(["lint", "compile", "fmt --check"]),
)
def test_cli_never_crashes(text, command):
    check_cli(text, "cli-fuzz.yaml", command)


@FUZZ_CLI
@given(wire_graphs())
def test_cli_lint_wire_never_crashes(graph):
    check_cli(json.dumps(_plain(graph)), "cli-fuzz.json", "lint")


# -- templates: expressions under budgets -------------------------------------------------------

EXPRESSION_ATOMS = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(["0", "1", "2", "10000", "10001", "99999999999", "0.5", "1.5e3", "1_000", "0x10", "1e-9"]),
    st.sampled_from(["'x'", "'ab'", "''", "'{{'", "'}}'", "'1.5'", "'a\\nb'", '"é"']),
    st.sampled_from(["n", "s", "lst", "item", "index", "today", "now", "none", "true", "false"]),
    st.sampled_from(
        ["range(10)", "range(10000)", "range(10001)", "quote('ETH-USD')", "quote('NOPE')", "undefined_name"]
    ),
)
BINARY = ["+", "-", "*", "/", "//", "%", "**", "~", "and", "or", "==", "<", "in", "not in"]
FILTERS = [
    "length",
    "list",
    "sum",
    "join",
    "join('-')",
    "first",
    "last",
    "sort",
    "unique",
    "reverse",
    "string",
    "int",
    "abs",
    "upper",
    "round(2)",
    "map('string')",
    "select",
    "default(1)",
    "max",
    "min",
    "decimal",
]


def _expressions(inner):
    return st.one_of(
        st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(BINARY), inner),
        st.builds(lambda a, f: f"{a}|{f}", inner, st.sampled_from(FILTERS)),
        st.builds(lambda a: f"[{a}, {a}]", inner),
        st.builds(lambda a, b: f"{{'k': {a}, {b}: 1}}", inner, inner),
        st.builds(lambda a, b, c: f"({a} if {b} else {c})", inner, inner, inner),
        st.builds(lambda a, b: f"{a}[{b}]", inner, inner),
        st.builds(lambda a: f"{a}[1:3]", inner),
        st.builds(lambda a, m: f"{a}.{m}()", inner, st.sampled_from(["upper", "split", "strip", "keys", "items"])),
        st.builds(lambda a: f"not {a}", inner),
        st.builds(lambda a: f"-{a}", inner),
    )


EXPRESSIONS = st.recursive(EXPRESSION_ATOMS, _expressions, max_leaves=12)
TEMPLATES = st.one_of(
    EXPRESSIONS.map(lambda e: "{{ " + e + " }}"),
    st.builds(lambda a, b: f"bid - {{{{ {a} }}}}bps{{{{ {b} }}}}", EXPRESSIONS, EXPRESSIONS),
    st.builds(lambda op, n: "{{ " + f" {op} ".join(["1"] * n) + " }}", st.sampled_from(BINARY), st.integers(1, 300)),
    st.text(alphabet="{}%#|()[]'\"abc123 +-*~.", max_size=40),
)
TEMPLATE_NAMES = {"n": 3, "s": "a b", "lst": [1, 2, 3], "item": {"k": "v"}, "index": 2}


@FUZZ
@given(TEMPLATES)
def test_any_template_is_a_value_or_an_expression_error(text):
    """compile_template + evaluate: a value or ExpressionError (GC107/GC109, or GC106 for a number that does not end
    within 40 significant digits: ``{{ 1 / 3 }}``), under the budgets, nothing else."""
    names = {**_base_names(CompileOptions(now=datetime(2026, 1, 7, tzinfo=UTC))), **TEMPLATE_NAMES}
    names["quote"] = _quote_function({"ETH-USD": Quote(bid=Decimal("2325.1"), ask=Decimal("2325.5"))})
    compiled = compile_template(text)
    if isinstance(compiled, ExpressionError):
        assert compiled.code == "GC107" and compiled.message
        return
    file_budget = FileBudget()
    with localcontext(DECIMALS):
        try:
            evaluate(compiled, names, file_budget=file_budget)
        except ExpressionError as exc:
            expected = ("GC106",) if isinstance(exc, LongNumber) else ("GC107", "GC109")
            assert exc.code in expected and exc.message
    assert file_budget.operations <= MAX_OPERATIONS


@FUZZ
@given(TEMPLATES)
def test_a_template_built_for_its_shape_evaluates_as_the_text_does(text):
    """The shared parse per shape (numbers cut out) must give what compiling the text as written gives."""
    if _shape_of(text) is None:
        return
    shaped = compile_template(text)
    try:
        plain = _compile(text)
    except Exception as exc:  # the text itself does not compile: the shaped path must not either
        assert isinstance(shaped, ExpressionError), (text, exc)
        return
    assert not isinstance(shaped, ExpressionError), (text, shaped.message)

    def outcome(compiled):
        with localcontext(DECIMALS):
            try:
                return ("value", evaluate(compiled, dict(TEMPLATE_NAMES, range=range)))
            except ExpressionError as exc:
                return ("error", exc.message)

    assert outcome(shaped) == outcome(plain), text


@FUZZ
@given(playbooks(), st.lists(TEMPLATES, min_size=1, max_size=4), st.integers(0, 2))
def test_templated_playbooks(doc, templates, style):
    """Templates in leg fields, for_each and top-level values, through the whole pipeline."""
    legs = doc.get("legs") if isinstance(doc.get("legs"), dict) else {}
    fields = ["buy", "symbol", "limit", "after", "for_each", "venue", "slippage"]
    for i, template in enumerate(templates):
        leg = legs.setdefault(f"t{i}", {"buy": 1, "symbol": "ETH-USD"})
        if isinstance(leg, dict):
            leg[fields[i % len(fields)]] = template
    doc["legs"] = legs
    check_text(dump(doc, style))


@FUZZ
@given(st.one_of(playbooks().map(lambda d: dump(d, 0)), playbooks().map(lambda d: dump(d, 1)), YAML_SOUP))
def test_fmt_never_crashes_and_keeps_meaning(text):
    """format_text: the canonical text (graphc reads the same data from it, and formatting it again changes
    nothing), or a FormatError; nothing else, whatever the input."""
    try:
        formatted = format_text(text)
    except FormatError:
        return
    assert format_text(formatted) == formatted
    before, after = load_text(text)[0], load_text(formatted)[0]
    assert before is not None and after is not None and before.data == after.data


# -- inputs the fuzzing found (each crashed, hung or lost its location before the fix) -----


@pytest.mark.parametrize(
    "text",
    [
        "graphc: 1\nname: fuzz-pb\nsandbox: false\ndefaults: {}\nedges: true\n",  # model iterated `edges: true`
        "",  # an empty file's GC110 had no location
        "a: " + "1" * 5000 + "\n",  # int() of > 4,300 digits raised ValueError in the loader
        "graphc: 1\nname: x\nlegs:\n  " + "f" * 3 + ": {buy: 0x" + "f" * 5000 + ", symbol: BTC-USD}\n",  # str() of it
        "graphc: 1\nname: x\nlegs:\n  a: {for_each: 1e999999, buy: 1, symbol: BTC-USD}\n",  # int(Decimal) hung
        "-\u2028:-",  # a YAML line break that is not \n
        "a: 3.9e+" + "1" * 120 + "6\n",  # Decimal() of an exponent past its range raised InvalidOperation
        '{"nodes": [], "edges": [], "is_sandbox": 3.9e+' + "1" * 120 + "6}",
    ],
)
def test_regressions_found_by_fuzzing(text):
    check_text(text)
    check_cli(text, "regression.yaml", "lint")


def _all_paths(data, path=()):
    yield path
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for part, child in items:
        yield from _all_paths(child, path + (part,))


@FUZZ
@given(nested, st.integers(0, 2))
def test_position_tree_answers_like_the_flat_tables(data, style):
    """Document.span/key_span walk the loader's position tree; the flattened tables must say the same."""
    from graphc.stages.load import Document

    text = dump(data, style)
    tree, _ = load_text(text)
    if tree is None:
        return
    loaded = load_text(text)[0]
    flat = Document(loaded.path, text, loaded.data, loaded.spans, loaded.key_spans)
    for path in [*_all_paths(tree.data), *(p + ("missing",) for p in flat.spans), *(p + (7,) for p in flat.spans)]:
        assert tree.span(path) == flat.span(path), path
        assert tree.key_span(path) == flat.key_span(path), path


def _typed(value):
    """``value`` with every type spelled out (``1``, ``True`` and ``Decimal(1)`` are equal in Python)."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    return (type(value).__name__, repr(value))


def _full_composer(text, max_total=MAX_TOTAL_NODES):
    """The loader's full composer alone (positions made as it reads), or None where it reports a problem."""
    from graphc.stages.load import Document, _Composer, _get_events, _Parser

    composer, parser = _Composer(100, 100_000, max_total), _Parser(text)
    try:
        composer.run(_get_events(parser, text))
    except Exception:
        return None
    finally:
        parser.dispose()
    return Document._from_tree("<full>", text, composer.root, composer.tree)


def check_fast_pass(text: str, max_total: int = MAX_TOTAL_NODES):
    """load_text reads values in a fast pass and makes positions later: it must equal the full composer.

    As YAML (``as_json=False``): a text meant as JSON is JSON's alone (tests/test_json_strict.py)."""
    doc, diagnostics = load_text(text, max_total=max_total, as_json=False)
    full = _full_composer(text, max_total)
    assert (doc is None) == (full is None), diagnostics
    if doc is None:
        return
    assert _typed(doc.data) == _typed(full.data)
    for path in [*_all_paths(full.data), ("missing",), (7,)]:
        assert doc.span(path) == full.span(path), path
        assert doc.key_span(path) == full.key_span(path), path


@FUZZ
@given(nested, st.integers(0, 2))
def test_fast_pass_reads_what_the_full_composer_reads(data, style):
    check_fast_pass(dump(data, style))


@FUZZ
@given(YAML_SOUP)
def test_fast_pass_on_yaml_soup(text):
    check_fast_pass(text)


@FUZZ
@given(nested, st.integers(0, 3))
def test_fast_pass_on_json(data, layout):
    """JSON read as YAML is read by the json module when YAML would read it the same; else by the YAML passes."""
    data = _plain(data)
    if layout == 0:
        text = json.dumps(data)  # \uXXXX escapes (surrogate pairs too), NaN and Infinity
    elif layout == 1:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    elif layout == 2:
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:  # a key written twice, or a `"<<"` key (text: JSON has no merge keys), in otherwise valid JSON
        value = json.dumps(data, ensure_ascii=False)
        check_fast_pass(f'{{"<<": {value}}}')
        text = f'{{"k": {value}, "k": 1}}'
    check_fast_pass(text)


def _limits_verdict(check, *args, **kwargs):
    from graphc.stages.load import _FullPassNeeded

    try:
        return check(*args, **kwargs)
    except _FullPassNeeded:
        return "too much"


def check_json_limits_from_text(text: str):
    """The JSON limits counted from the text's punctuation agree with the walk over the values, at every limit;
    so do the values it counts (each key's value and each list item) and its verdict on the numbers."""
    from graphc.stages.load import (
        _check_json_limits,
        _json_decimal,
        _json_int,
        _json_limits_from_text,
        _json_object,
        _values_below,
    )

    data = _limits_verdict(json.loads, text, object_pairs_hook=_json_object)
    if data == "too much":
        return 0  # a duplicate key: the YAML passes read it, no limit is counted
    decided = 0
    for max_depth in (1, 2, 3, 4, 8, 9, 100):
        for max_total in (1, 2, 3, 5, 8, 13, 30, 100, 10_000):
            fast = _limits_verdict(_json_limits_from_text, text.encode("ascii"), max_depth, max_total)
            slow = _limits_verdict(_check_json_limits, text, data, max_depth, max_total)
            if fast is not None:  # None: the text cannot tell, the walk decides
                decided += 1
                assert (fast == "too much") == (slow == "too much"), (max_depth, max_total, fast, slow)
            if isinstance(fast, tuple):
                values, short_numbers = fast
                assert values == _values_below(data)
                if short_numbers:  # int and Decimal read every number as the checked readers do
                    assert _typed(json.loads(text, parse_int=int, parse_float=Decimal)) == _typed(
                        json.loads(text, parse_int=_json_int, parse_float=_json_decimal)
                    )
    return decided


JSON_PUNCTUATION_TEXT = st.text(alphabet='ab:,{}[]"\\ ', max_size=6)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10**20), JSON_PUNCTUATION_TEXT, st.text(max_size=3)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(JSON_PUNCTUATION_TEXT, st.text(max_size=3)), inner, max_size=4),
    ),
    max_leaves=40,
)


@FUZZ
@given(json_values.filter(lambda v: isinstance(v, (dict, list))), st.booleans())
def test_json_limits_from_text_agree_with_the_walk(data, indent):
    check_json_limits_from_text(json.dumps(data, indent=1 if indent else None))


def test_json_limits_from_text_cases():
    decided = [
        check_json_limits_from_text(text)
        for text in (
            "[]",
            "{}",
            "[[]]",
            '[{"a": [], "b": {}}, [[1, 2], {"c": [[[[[[[[[0]]]]]]]]]}]]',  # deeper than the fast passes look
            '{"a": {"b": [1, {"c": null}]}, "d": ["x", "y"]}',
            '{"a:b": [1]}',  # punctuation in a string: the walk decides
            '["\\"x"]',
            '{"' + "k" * 151 + '": 1}',  # a key longer than a key may be
            '[1, ["x"], [true], {"a": [null]}]',  # lists of one scalar look empty in the punctuation alone
            '{"a": [1], "b": [], "c": [ ], "d": {}}',
        )
    ]
    assert decided[0] and decided[2] and decided[4] and not decided[5] and not decided[7]
    assert decided[8] and decided[9]


def test_fast_pass_cases():
    for text in (
        "",
        "---\n",
        "a: 1\n---\nb: 2\n",  # two documents: refused by the full composer
        "a: &x [1]\nb: *x\n",  # aliases
        "a: 1\na: 2\n",  # duplicate keys
        "a: 1\na: [2]\n",  # a duplicate key whose value is a collection
        "a: {b: 1, b: {c: 2}}\nd: 3\n",  # a duplicate key in an inner mapping
        "'a': 1\n\"a\": 2\n1: x\n'1': y\n",  # duplicates written in other styles
        "<<: 1\n",  # a merge key with a scalar
        "'<<': {a: 1}\n",  # a quoted `<<`: text, not a merge key
        "a: {<<: {b: 1}, <<: {c: 2}}\n",  # two merge keys: GC101
        "a: {'<<': 1, \"<<\": 2}\n",  # two quoted ones: a duplicate key
        "a: {<<: {b: 1}, '<<': 2}\n",  # a merge and the text `<<`
        "a: 'x'\nb: \"1\"\nc: |\n  2\nd: >\n  3\ne: 4\n",  # quoted and block scalars stay text
        "a: {<<: {b: 1}, c: 2}\n",  # a merge key
        "a: !!str 1\nb: !!map {c: 1}\n",  # tags
        "? [1]\n: 2\n",  # a collection as a key
        "1: 2\n~: 3\ntrue: 4\n",  # keys that are not text
        "[" * 101 + "]" * 101,  # deeper than the limit
        "just text",
        "a: [1, 2.50, 0x1F, .inf, '3', \"4\", null, True]\n",
        # JSON: read by the json module, or handed to the YAML passes where the two might differ
        '{"a": [1.50, -0, 1E5, true, null, "x\\/y", "\\u00e9", "\\u0000"], "b": {}}',
        '{"a": 1, "a": 2}',
        '{"<<": {"a": 1}}',
        '{"a": NaN}',
        '{"a": "\\ud83d\\ude00"}',  # an escaped surrogate pair: libyaml refuses it
        '{"a": "\x7f"}',
        '{"a": "\x85"}',
        '{"a":\t1}',
        '{"a"\n: 1}',  # YAML keys are one line
        '{"' + "k" * 1100 + '": 1}',
        '{"a": ' + "9" * 5000 + "}",
        "[" * 100 + "]" * 100,  # as deep as allowed
        "[" * 101 + "]" * 101,
        '{"a": "' + "x" * 100_000 + '"}',
        '{"a": "' + "x" * 100_001 + '"}',
        '{"a": "' + "x" * 60_000 + '\\"' + "x" * 60_000 + '"}',  # too long, though no run between quotes is
    ):
        check_fast_pass(text)


def test_fast_pass_on_the_examples_and_the_bench_corpus():
    """The fast pass (a key read with its value) equals the full composer on every example and on the
    generated bench corpus, each also with a mark that hands it to the full composer (`!`, `&`, a tag)."""
    from tests.bench_corpus import corpus_playbooks

    root = Path(__file__).resolve().parent.parent
    texts = [path.read_text(encoding="utf-8") for path in sorted((root / "examples").glob("*.yaml"))]
    texts += [text for _, text in corpus_playbooks()[::10]]
    for text in texts:
        check_fast_pass(text)
    for text in texts[:: max(1, len(texts) // 20)]:
        for mark in ("# !\n", "note: ! x\n", "seen: &a 1\nagain: *a\n", "tagged: !!str 1\n"):
            check_fast_pass(text + ("\n" if not text.endswith("\n") else "") + mark)


def test_fast_pass_non_specific_tags():
    for text in ("a: ! 1\nb: ! [1]\n", "! {a: 1}\n", "- ! x\n- y\n", "a: !\n"):
        check_fast_pass(text)


@pytest.mark.parametrize("layout", ["json", "flow", "block"])
@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_fast_pass_at_the_values_limit(layout, extra):
    """The count of values and keys: the fast passes stop where the full composer does (a small limit, the same code)."""
    limit = 1000
    items = ["1"] * (limit - 1 + extra)  # a list of n values is n + 1 nodes
    text = {
        "json": "[" + ",".join(items) + "]",
        "flow": "[" + ", ".join(items) + ", x]" if items else "[x]",
        "block": "".join(f"- {item}\n" for item in items),
    }[layout]
    check_fast_pass(text, limit)
    doc, diagnostics = load_text(text, max_total=limit, as_json=False)
    too_many = (limit - 1 + extra + (layout == "flow") + 1) > limit
    assert (doc is None) is too_many
    if too_many:
        [d] = diagnostics
        assert d.code == "GC100" and f"more than {limit:,} nodes" in d.message and d.span is not None


@pytest.mark.parametrize("duplicate", ["k0", "k2", "<<", None])
def test_a_duplicate_key_at_the_values_limit(duplicate):
    """The fast pass hands a duplicate or merge key to the full composer when it meets the key, and counts
    values only where its events outnumber the limit; at every limit around the document's size (its
    values and keys, and its events), load_text reports what the full composer alone reports."""
    from graphc.stages.load import LoadError, _Composer, _Parser

    text = "".join(f"k{i}: {i}\n" for i in range(4)) + f"{duplicate or 'k4'}: [x]\nlast: 1\n"
    for limit in range(6, 24):
        doc, diagnostics = load_text(text, max_total=limit)
        composer, parser = _Composer(100, 100_000, limit), _Parser(text)
        try:
            composer.run(parser.get_event)
            expected = []
        except LoadError as exc:
            expected = [(exc.code, exc.message, exc.span)]
        finally:
            parser.dispose()
        assert [(d.code, d.message, d.span) for d in diagnostics] == expected, limit
        assert (doc is None) == bool(expected)


def test_values_limit_at_its_real_size():
    """The default limit itself: 2,000,000 values and keys are read, one more is GC100 (json module path)."""
    doc, diagnostics = load_text("[" + ",".join(["1"] * (MAX_TOTAL_NODES - 1)) + "]")
    assert diagnostics == [] and doc is not None and len(doc.data) == MAX_TOTAL_NODES - 1


# Hand-written YAML the dumps never produce: keys that read as other types, empty values, comments, block
# scalars, flow collections inside block ones, explicit document markers.
YAML_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "'a'",
        '"b"',
        "1",
        "'1'",
        "~",
        "null",
        "true",
        "True",
        "0x1F",
        "1.50",
        "-0",
        "''",
        "2024-01-01",
        "a b",
        "-",
        "{}",
        "[]",
        "{a: 1, 'b': [x, {c: ~}]}",
        "[1, [2, [3]], {x: y}]",
        "|\n  text\n  more",
        ">-\n  folded",
        "# a comment",
    ]
)


@st.composite
def yaml_texts(draw, depth=0):
    """A block mapping or list of hand-written pieces, nested a few levels (may hold duplicate keys: refused)."""
    indent = "  " * depth
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(YAML_PIECES.filter(lambda piece: "\n" not in piece and not piece.startswith("#")))
        nest = depth < 3 and draw(st.booleans())
        value = draw(yaml_texts(depth + 1)) if nest else " " + draw(YAML_PIECES).replace("\n", "\n" + indent)
        if draw(st.booleans()):  # a list item
            lines.append(f"{indent}-{value if not nest else chr(10) + value}")
        else:
            lines.append(f"{indent}{key}:{value if not nest else chr(10) + value}")
    kinds = {line.lstrip().startswith("-") for line in lines}
    if len(kinds) > 1:  # a mapping and a list at one level do not mix: keep the first kind
        first = lines[0].lstrip().startswith("-")
        lines = [line for line in lines if line.lstrip().startswith("-") == first]
    body = "\n".join(lines) + "\n" if lines else ""
    if depth == 0:
        body = draw(st.sampled_from(["", "---\n", "# top\n"])) + body + draw(st.sampled_from(["", "...\n"]))
    return body


def _paths_to_ask(data):
    """Every path in ``data``, and paths that leave it at each step: a missing key, an index out of range or of
    the wrong type, a key that reads as another type, a step into a scalar."""
    for path in _all_paths(data):
        yield path
        for extra in ("missing", 0, 1, 7, -1, True, None, "0", Decimal(1), ("a",)):
            yield path + (extra,)
        if path:
            yield path[:-1] + (str(path[-1]),) + ("x",)


def check_positions_from_events(text: str):
    """A document the fast pass read answers span/key_span by walking its kept events (no tree is made);
    every answer equals the full composer's, for paths that exist and paths that do not."""
    doc, _ = load_text(text)
    full = _full_composer(text)
    if doc is None or full is None:
        return
    walked = doc._events is not None  # the fast pass read it (else the full composer made its tree already)
    for path in [*_paths_to_ask(full.data), ("missing",), (7,), ()]:
        assert doc.span(path) == full.span(path), path
        assert doc.key_span(path) == full.key_span(path), path
    if walked:
        assert doc._root is None and doc._index is not None
    assert doc.spans == full.spans and doc.key_spans == full.key_spans  # the tree, made from the same events


@FUZZ
@given(yaml_texts())
def test_positions_from_events_on_hand_written_yaml(text):
    check_positions_from_events(text)


@FUZZ
@given(nested, st.integers(0, 2))
def test_positions_from_events_on_dumped_data(data, style):
    check_positions_from_events(dump(data, style))


def test_positions_from_events_cases():
    for text in (
        "",
        "---\n",
        "x\n",
        "[]\n",
        "{}\n",
        "a:\n",
        "a: {b: [1, {c: [], d: {}}], e: []}\n",
        "- [a, [b, [c]]]\n- {x: [y]}\n- z\n",
        "1: a\n'1.0': b\n1.0: c\n~: d\ntrue: e\n0x1F: f\n",  # keys that read as other types
        "a: &x 1\nb: *x\n",  # an alias: the full composer's tree
        "base: &b {x: 1}\nuse: {<<: *b, y: 2}\n",  # a merge key: the full composer's tree
        "a: |\n  one\n  two\nb: >\n  folded\n",
        "? a\n: 1\n? [b]\n: 2\n",  # a list as a key: refused
    ):
        check_positions_from_events(text)


def test_compiling_a_clean_playbook_asks_for_no_position():
    """Positions are for findings: a playbook with every kind of field compiles without making the tree."""
    from graphc.pipeline import compile_document

    text = (
        "graphc: 1\nname: all-fields\nrisk: {max_notional: $1m, max_loss: $10k}\n"
        "defaults: {venue: coinbase}\nlegs:\n"
        "  a: {buy: 1.5 ETH, symbol: ETH-USD, limit: 2300.50, policy: passive_limit, urgency: high,"
        " slippage: 25bps, horizon: 5m, tif: GTC, twap: 10 slices every 30s}\n"
        "  b: {sell: 1.5 ETH, symbol: ETH-USD-PERP, venue: hyperliquid, after: a filled 50%}\n"
        "  c: {buy: 100 contracts, symbol: KXBTCZ-26DEC31-T99000, limit: 0.42, after: [a accepted, b + 5s]}\n"
        "edges: [{from: a, to: c, trigger: on_cancel}]\n"
    )
    doc, _ = load_text(text)
    result = compile_document(doc, CompileOptions(require_quotes=False))
    assert result.wire is not None and result.diagnostics == []
    assert doc._root is None


def test_a_clean_document_makes_no_position_tree_until_asked():
    doc, _ = load_text("graphc: 1\nlegs: {a: {buy: 1, symbol: X}}\n")
    assert doc._root is None  # the fast pass kept no marks: memory of a large file
    assert (doc.span(("legs", "a", "symbol")).line, doc.span(("legs", "a", "symbol")).col) == (2, 28)
    assert (doc.key_span(("legs", "a", "symbol")).line, doc.key_span(("legs", "a", "symbol")).col) == (2, 20)
    assert doc._root is None  # a span or two is found in the kept events: still no tree
    assert doc.spans[("legs", "a", "buy")] == doc.span(("legs", "a", "buy"))  # every position: the tree is made
    assert doc._root is not None and doc._events is None


def test_a_small_document_keeps_its_events_and_a_large_one_parses_again():
    """A small text's positions come from the parser events the fast pass kept; a large text keeps none (memory)
    and is parsed again when a position is asked for: both give the full composer's positions."""
    from graphc.stages.load import MAX_REPLAY_CHARS

    legs = [f"  leg-{i}: {{buy: {i + 1}, symbol: X-{i}, after: [leg-0 filled]}}\n" for i in range(1200)]
    large = "graphc: 1\nlegs:\n" + "".join(legs)
    small = "graphc: 1\nlegs:\n" + "".join(legs[:20])
    assert len(small) <= MAX_REPLAY_CHARS < len(large)
    for text, keeps in ((small, True), (large, False)):
        doc, _ = load_text(text)
        assert (doc._events is not None) == keeps
        check_fast_pass(text)
        assert doc.span(("legs", "leg-3", "after", 0)) == _full_composer(text).span(("legs", "leg-3", "after", 0))
        assert (doc._events is not None) == keeps  # a small text's span is found in its events
        assert doc.spans == _full_composer(text).spans
        assert doc._events is None  # dropped once the tree is made


def test_position_tree_with_anchors_merges_and_overrides():
    text = "base: &b {x: 1, y: [2, 3]}\nuse:\n  <<: *b\n  y: 4\nlist:\n  - *b\n  - [5]\n"
    doc, diagnostics = load_text(text)
    assert diagnostics == []
    at = lambda path: (doc.span(path).line, doc.span(path).col)  # noqa: E731
    assert at(("base", "y", 1)) == (1, 24)
    assert at(("use", "x")) == (3, 7)  # merged in: the `*b` that brought it
    assert at(("use", "y")) == (4, 6)  # overridden: its own value
    assert (doc.key_span(("use", "y")).line, doc.key_span(("use", "y")).col) == (4, 3)
    assert at(("list", 0, "y", 0)) == (6, 5)  # inside an alias: the alias
    assert at(("list", 1, 0)) == (7, 6)
    assert at(("nowhere", 3)) == (1, 1)  # no such path: the document


# The plain-scalar resolver as it was before its forms were read by one pattern (frozen: never edit it to
# make a test pass): graphc.stages.load._resolve_plain must answer exactly as this does.
_REF_BOOL = re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$")
_REF_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_REF_INT = re.compile(r"^[-+]?[0-9]+$")
_REF_INT_OCT = re.compile(r"^0o[0-7]+$")
_REF_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_REF_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_REF_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


def _reference_resolve_plain(text: str):
    from graphc.stages.load import LoadError, _int_value

    first = text[:1]
    if first.isalpha() and first not in "nNtTfF":
        return text
    if _REF_NULL.match(text):
        return None
    if _REF_BOOL.match(text):
        return text.lower() == "true"
    if _REF_INT.match(text):
        return int(text) if len(text) <= 4000 else Decimal(text)
    if _REF_FLOAT.match(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # the one change since: a GC100 where Decimal() raised
            raise LoadError("GC100", "out of range") from None
    if _REF_INT_OCT.match(text):
        return _int_value(int(text[2:], 8))
    if _REF_INT_HEX.match(text):
        return _int_value(int(text[2:], 16))
    if _REF_SPECIAL_FLOAT.match(text):
        return Decimal(text.replace(".", "").lower().replace("inf", "Infinity"))
    return text


def _resolved_exactly(resolve, text):
    try:
        value = resolve(text)
    except Exception as exc:  # the same failure, if any
        return ("raised", type(exc).__name__)
    return type(value).__name__, repr(value)  # repr: a Decimal's digits and exponent; NaN == NaN by text


_PLAIN_PIECES = st.sampled_from(
    ["0", "7", "12", "0o", "0x", "1F", "e", "E", "+", "-", ".", "_", ",", "inf", "Inf", "INF", "nan", "NaN"]
    + ["NAN", "null", "Null", "NULL", "~", "true", "True", "TRUE", "tRuE", "false", "FALSE", "no", "yes"]
    + ["\n", " ", "\t", "a", "x", "8", "9", "\u0663", "\u00b2", "1" * 4001, "fals", "nul", "tru", "ify", "est"]
)


@FUZZ
@given(st.lists(_PLAIN_PIECES, max_size=6).map("".join) | st.text(max_size=12))
@example("")
@example("\n")
@example("5\n")
@example("True\n")
@example("0o17\n")
@example("-.inf")
@example(".NaN")
@example("+.5e-3")
@example("1" * 4001)
@example("1" * 4000)
@example("0x" + "f" * 4000)
@example("false\n")
@example("FALSE\n")
@example("nullify")
@example("truest")
@example("2290.56")
@example("2290.")
@example("007")
@example("1.5\n")
@example("\u0663")
@example("1e99999999999999999999")
@example("1e999999999999999999")
def test_plain_scalars_resolve_as_the_reference(text):
    from graphc.stages.load import _resolve_plain

    assert _resolved_exactly(_resolve_plain, text) == _resolved_exactly(_reference_resolve_plain, text)


def test_a_plain_word_is_interned_when_the_memo_is_full(monkeypatch):
    """The long fuzz run's counterexample (5,000 examples filled the memo): a word read once the memo keeps no
    more was not interned, so it was not the string a code constant finds by identity."""
    import sys

    from graphc.stages import load

    monkeypatch.setattr(load, "_RESOLVED_MAX", 0)  # full: nothing more is kept
    constant = sys.intern("".join(["GC", "100", "-never-read"]))  # a code constant's string, interned
    text = "".join(["GC", "100", "-never-read"])  # the same text read from a file: another string
    assert text is not constant
    assert load.resolve_plain_scalar(text) is constant


@FUZZ
@given(st.lists(_PLAIN_PIECES, max_size=6).map("".join) | st.text(max_size=12))
@example("buy")
@example("x" * 41)  # longer than the memo keeps
@example("1e99999999999999999999")
def test_the_plain_scalar_memo_reads_as_the_resolver(text):
    """The loader's memo of plain scalars (read once, then looked up) answers as the resolver itself, on the
    first read and on the next; a text value is the interned string (a code constant finds it by identity)."""
    import sys

    from graphc.stages.load import _resolve_plain, resolve_plain_scalar

    expected = _resolved_exactly(_resolve_plain, text)
    assert _resolved_exactly(resolve_plain_scalar, text) == expected
    assert _resolved_exactly(resolve_plain_scalar, "".join(text)) == expected  # another str of the same text
    if expected[0] == "str":
        assert resolve_plain_scalar(text) is sys.intern(text)
