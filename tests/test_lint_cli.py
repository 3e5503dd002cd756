"""`graphc lint` end to end: exit codes, directories, the reference graphs, -j."""

import json
import re

import pytest
from click.testing import CliRunner

from graphc.cli import cli
from tests.conftest import EXAMPLES, REPO, SHARED, write

REFERENCE = SHARED / "reference" / "orders-and-execution-graphs.md"


def lint(*args):
    return CliRunner().invoke(cli, ["lint", *map(str, args)])


def test_examples_lint_clean_with_quotes():
    result = lint(EXAMPLES, "--quotes", EXAMPLES / "quotes.yaml", "--strict")
    assert result.exit_code == 0, result.output
    assert "no problems" in result.stdout


def test_examples_lint_clean_without_quotes():
    assert lint(EXAMPLES).exit_code == 0


def test_directory_with_one_bad_playbook_exits_1_and_names_it(tmp_path):
    good = (EXAMPLES / "eth-hedge.yaml").read_text()
    write(tmp_path, "good.yaml", good)
    write(tmp_path, "nested/bad.yaml", good.replace("after: spot filled 50%", "after: spto filled 50%"))
    write(tmp_path, "notes.yaml", "just: some yaml\n")  # not a playbook: skipped
    result = lint(tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path / 'nested' / 'bad.yaml'}:" in result.stdout
    assert "GC202" in result.stdout and "did you mean 'spot'" in result.stdout
    assert "good.yaml:" not in result.stdout and "notes.yaml" not in result.stdout


def test_missing_path_exits_2(tmp_path):
    result = lint(tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert f"{tmp_path / 'missing.yaml'}: error GC112 cannot read the file: No such file or directory" in result.stdout


def test_warnings_fail_only_with_strict(tmp_path):
    text = (
        (EXAMPLES / "eth-hedge.yaml")
        .read_text()
        .replace("risk:\n  max_notional: $1m\n  max_loss: $10k\n", "sandbox: false\n")
    )
    path = write(tmp_path, "live.yaml", text)
    assert lint(path).exit_code == 0
    result = lint(path, "--strict")
    assert result.exit_code == 1
    assert "error GC502" in result.stdout  # --strict: warnings are errors (as -Werror)
    assert "warning GC502" in lint(path).stdout


def _live_without_limits(folder):
    text = (EXAMPLES / "eth-hedge.yaml").read_text()
    return write(
        folder, "live.yaml", text.replace("risk:\n  max_notional: $1m\n  max_loss: $10k\n", "sandbox: false\n")
    )


@pytest.mark.parametrize("how", ["--strict", "strict = true"])
def test_a_strict_run_reports_its_warnings_as_errors_in_every_format(tmp_path, how):
    """ci16 3: a strict run exited 1 while JUnit said failures="0", the JSON summary errors: 0, SARIF had only
    warning-level results and the github output only ::warning lines: every report looked clean but the exit."""
    path = _live_without_limits(tmp_path)
    args = ["--no-cache"]
    if how == "--strict":
        args.append(how)
    else:
        write(tmp_path, "graphc.toml", how + "\n")
    plain = json.loads(
        lint(path, "--no-cache", "--config", str(write(tmp_path / "x", "none.toml", "")), "-f", "json").stdout
    )
    warned = [(d["code"], d["message"]) for d in plain["diagnostics"] if d["severity"] == "warning"]
    assert warned and plain["summary"]["errors"] == 0  # the file has warnings only
    codes = [code for code, _ in warned]

    result = lint(path, *args, "-f", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(d["code"], d["message"]) for d in report["diagnostics"]] == warned
    assert {d["severity"] for d in report["diagnostics"]} == {"error"}
    assert report["summary"]["errors"] == len(warned) and report["summary"]["warnings"] == 0

    junit = lint(path, *args, "-f", "junit")
    assert junit.exit_code == 1
    assert f'failures="{len(warned)}"' in junit.stdout.split("\n", 2)[1]

    sarif = json.loads(lint(path, *args, "-f", "sarif").stdout)
    assert [r["level"] for r in sarif["runs"][0]["results"]] == ["error"] * len(warned)

    github = lint(path, *args, "-f", "github")
    assert github.exit_code == 1
    assert [line.split(" ", 1)[0] for line in github.stdout.splitlines() if line.startswith("::")] == ["::error"] * len(
        warned
    )

    text = lint(path, *args)
    assert text.exit_code == 1
    assert [f"error {code}" in text.stdout for code in codes] == [True] * len(codes)
    assert f"{len(warned)} error" in text.stdout.splitlines()[-1]


VENDORED = [REPO / "tests" / "data" / "reference" / name for name in ("full-graph.json", "simple-order.json")]


def reference_wire_examples():
    """Every JSON request body in the router reference that is a graph or a simple order.

    Read from ../shared when it is beside the repository, else from the copies in tests/data/reference.
    """
    if not REFERENCE.exists():
        return [json.loads(p.read_text()) for p in VENDORED]
    text = REFERENCE.read_text()
    blocks = re.findall(r"^json\n(\{.*?^\})", text, flags=re.M | re.S)
    found = []
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue
        if isinstance(data.get("nodes"), list) or {"symbol", "side", "qty"} <= set(data):
            found.append(data)
    return found


def test_reference_has_both_wire_forms():
    forms = reference_wire_examples()
    assert any("nodes" in f for f in forms) and any("symbol" in f for f in forms)


def test_vendored_reference_copies_are_current():
    assert sorted(json.dumps(f, sort_keys=True) for f in reference_wire_examples()) == sorted(
        json.dumps(json.loads(p.read_text()), sort_keys=True) for p in VENDORED
    )


@pytest.mark.parametrize("index", range(2))
def test_reference_wire_examples_lint_clean(tmp_path, index):
    example = reference_wire_examples()[index]
    path = write(tmp_path, "graph.json", json.dumps(example, indent=2))
    result = lint(path, "--strict")
    assert result.exit_code == 0, result.output


# A realistic snapshot for the reference's Full Execution Graph (ETH around $2,325).
REFERENCE_QUOTES = "ETH-USD: {bid: 2325.10, ask: 2325.53, tick: 0.01}\nETH-USD-PERP: {bid: 2324.80, ask: 2325.20}\n"


def test_the_reference_full_execution_graph_passes_with_realistic_quotes(tmp_path):
    # issue 11: it got `error GC501 total notional $930,066` and submit refused it. Each order is
    # under max_notional_usd 500000 (200 x 2325.53 = 465,106; 200 x 2324.80 = 464,960); only the
    # gross sum is above it, and the reference does not say admission sums the graph: GC503, a warning.
    full = next(f for f in reference_wire_examples() if "nodes" in f)
    path = write(tmp_path, "full-graph.json", json.dumps(full, indent=2))
    quotes = write(tmp_path, "quotes.yaml", REFERENCE_QUOTES)
    result = lint(path, "--quotes", quotes, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(d["code"], d["severity"]) for d in report["diagnostics"]] == [("GC503", "warning")]
    assert "$930,066" in report["diagnostics"][0]["message"]


def test_the_hosted_strategies_parallel_roots_example_passes_with_quotes(tmp_path):
    # hosted-strategies.md: Kalshi YES bought one tick over a 0.17 ask, Polymarket sold one 0.001 tick
    # under a 0.153 bid (its own log shows bid 0.153 / ask 0.154), 8 shares to clear the $1 minimum
    graph = REPO / "tests" / "data" / "reference" / "parallel-roots.json"
    quotes = write(
        tmp_path, "quotes.yaml", "KX...: {bid: 0.16, ask: 0.17, tick: 0.01}\n4394372...: {bid: 0.153, ask: 0.154}\n"
    )
    result = lint(graph, "--quotes", quotes, "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no problems in 1 file")


def test_a_wire_graph_without_type_or_activation_is_read_as_the_router_reads_it(tmp_path):
    # issue 11: these were GC104 errors, though the router assumes spot and the SDK infers activation
    graph = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    for node in graph["nodes"]:
        del node["instrument"]["type"], node["activation"]
    path = write(tmp_path, "graph.json", json.dumps(graph, indent=2))
    result = lint(path, "--format", "json")
    assert result.exit_code == 0, result.output
    found = [(d["code"], d["severity"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert [(code, severity) for code, severity, _ in found] == [("GC111", "warning")] * 4
    messages = " / ".join(message for _, _, message in found)
    assert "'spot' has no activation: read as 'root' (no edge leads to it)" in messages
    assert "'hedge' has no activation: read as 'wait' (an edge leads to it)" in messages
    assert "'hedge' has no instrument.type: the router reads it as spot" in messages


def test_wire_json_findings_point_into_the_json(tmp_path):
    graph = {
        "nodes": [
            {
                "node_id": "a",
                "instrument": {"symbol": "X:yes", "type": "prediction", "venue": "polymarket"},
                "side": "buy",
                "order_type": {"limit": {"price_1e9": 150000000}},
                "quantity": {"fixed": {"qty_1e8": 200000000}},
                "execution": {"policy": "sor"},
                "activation": "root",
            }
        ],
        "edges": [],
        "is_sandbox": True,
    }
    path = write(tmp_path, "g.json", json.dumps(graph, indent=2))
    result = lint(path)
    assert result.exit_code == 1
    # qty_1e8 200000000 = 2 shares at 0.15 = $0.30: under Polymarket's $1 and 5-share minimums.
    assert "GC301" in result.stdout and "GC302" in result.stdout
    # at the number, not at the `{` after "quantity": (audit wirelint23 6)
    qty_line = json.dumps(graph, indent=2).splitlines().index('          "qty_1e8": 200000000') + 1
    assert f"g.json:{qty_line}:22: error GC301" in result.stdout


def test_jobs_give_identical_output(tmp_path):
    for i in range(6):
        write(tmp_path, f"p{i}.yaml", (EXAMPLES / "eth-hedge.yaml").read_text().replace("200 ETH", f"{i + 1}00.5 ETH"))
    one = lint(tmp_path, "--quotes", EXAMPLES / "quotes.yaml", "-j", "1")
    two = lint(tmp_path, "--quotes", EXAMPLES / "quotes.yaml", "-j", "2")
    assert one.exit_code == two.exit_code
    assert one.stdout == two.stdout


def test_not_a_graph_json_is_reported(tmp_path):
    path = write(tmp_path, "x.json", '{"hello": 1}')
    result = lint(path)
    assert result.exit_code == 1
    assert "GC110" in result.stdout


def test_unknown_leg_is_not_also_an_orphan(tmp_path):
    text = (EXAMPLES / "eth-hedge.yaml").read_text().replace("after: spot filled 50%", "after: spto filled 50%")
    result = lint(write(tmp_path, "p.yaml", text), "--format", "json")
    codes = [d["code"] for d in json.loads(result.stdout)["diagnostics"]]
    assert codes == ["GC202"]


def test_no_root_points_at_legs(tmp_path):
    text = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    activation: wait\n"
    result = lint(write(tmp_path, "p.yaml", text), "--format", "json")
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [("GC206", 3, 1)]


def test_schema_and_model_do_not_report_one_problem_twice(tmp_path):
    text = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1 ETH\n"
    result = lint(write(tmp_path, "p.yaml", text), "--format", "json")
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [d["code"] for d in diagnostics] == ["GC104"]


def test_ignore_unknown_skips_named_files_that_are_not_graphc(tmp_path):
    other = write(tmp_path, "package.json", '{"name": "x"}')
    workflow = write(tmp_path, "ci.yml", "on: push\njobs: {}\n")
    assert lint(other).exit_code == 1  # named explicitly: reported as GC110
    result = lint(other, workflow, EXAMPLES / "eth-hedge.yaml", "--ignore-unknown")
    assert result.exit_code == 0, result.output
    assert "no problems in 1 file" in result.stdout


# Audit ci24 (minor): a playbook whose marker key is mistyped (`grapch: 1`) was passed over by a walk and by the hook's
# --ignore-unknown without a word: "no problems in 1 file" for the folder. It is still passed over (it is not graphc's
# by the rule every walk applies, and compile refuses it: GC110), but a note on stderr names it.
UNMARKED = "grapch: 1\nname: a\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n"
UNMARKED_NOTE = (
    "graphc: note: {path} looks like a playbook (it has `legs:`) but has no `graphc: 1` marker; not linted "
    "(a walk and --ignore-unknown pass over files that are not graphc's)"
)


@pytest.mark.parametrize("how", ["walk", "ignore-unknown"])
def test_a_playbook_without_its_marker_is_passed_over_with_a_note_naming_it(tmp_path, monkeypatch, how):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "p/a.yaml", UNMARKED)
    write(tmp_path, "p/c.json", '{"grapch": 1, "legs": {"a": {"buy": "1 ETH", "symbol": "ETH-USD", "limit": 2000}}}')
    write(tmp_path, "p/b.yaml", UNMARKED.replace("grapch", "graphc").replace("name: a", "name: b"))
    write(tmp_path, "p/ci.yaml", "on: push\njobs: {legs: {}}\nlegs: [1, 2]\n")  # `legs:` not a mapping: not noted
    args = ["p"] if how == "walk" else ["--ignore-unknown", "p/a.yaml", "p/b.yaml", "p/c.json", "p/ci.yaml"]
    result = lint("--no-cache", *args)
    assert result.exit_code == 0, result.output  # passed over, as documented: the verdict is unchanged
    assert result.stdout.startswith("no problems in 1 file")
    notes = [line for line in result.stderr.splitlines() if "looks like a playbook" in line]
    assert notes == [UNMARKED_NOTE.format(path=path) for path in ("p/a.yaml", "p/c.json")]
    named = lint("--no-cache", "p/a.yaml")  # named without --ignore-unknown: GC110, as before, and no note
    assert named.exit_code == 1 and "GC110" in named.stdout and "looks like a playbook" not in named.stderr
    assert "whose `graphc: 1` is missing or mistyped" in " ".join((REPO / "docs" / "playbooks.md").read_text().split())


def test_skips_are_always_counted_and_located_only_for_reports_that_list_them():
    # issue 11: skips were recorded only when the report listed them, so plain `graphc lint` could
    # not say how many checks it skipped
    from graphc.diagnostics import Span
    from graphc.lint import LintOptions, lint_source

    text = (EXAMPLES / "eth-hedge.yaml").read_text()
    listed = lint_source(text, "eth-hedge.yaml", LintOptions(report_skips=True)).result
    unlisted = lint_source(text, "eth-hedge.yaml", LintOptions(report_skips=False)).result
    assert listed.skipped and all(isinstance(skip.where, Span) for skip in listed.skipped)  # no quotes: checks skip
    assert [(s.code, s.reason) for s in unlisted.skipped] == [(s.code, s.reason) for s in listed.skipped]
    assert all(skip.where is None for skip in unlisted.skipped) and unlisted.diagnostics == listed.diagnostics


def test_skips_that_say_the_same_share_one_text():
    # issue 12: a 95,000-leg playbook without quotes kept 665,000 skips, each with its own copy of
    # one of a few reasons (60 MB), and its lint ran out of the hostile harness's 1 GiB
    from graphc.lint import LintOptions, lint_source

    legs = "".join(f"  l{i}: {{buy: 1 ETH, symbol: ETH-USD, limit: 2000, venue: coinbase}}\n" for i in range(20))
    skipped = lint_source(f"graphc: 1\nname: many\nlegs:\n{legs}", "many.yaml", LintOptions()).result.skipped
    by_text: dict[str, set[int]] = {}
    for skip in skipped:
        by_text.setdefault(skip.reason, set()).add(id(skip.reason))
    assert len(skipped) > len(by_text)  # reasons do repeat, once per leg
    assert all(len(objects) == 1 for objects in by_text.values())


def test_the_text_summary_counts_skipped_checks_and_names_explain_skips():
    result = lint(EXAMPLES / "eth-hedge.yaml")
    json_report = json.loads(lint(EXAMPLES / "eth-hedge.yaml", "--format", "json").stdout)
    skipped = sum(len(f["skipped"]) for f in json_report["files"])
    assert skipped > 0
    assert result.stdout == f"no problems in 1 file ({skipped} checks skipped; --explain-skips lists them)\n"
    explained = lint(EXAMPLES / "eth-hedge.yaml", "--explain-skips").stdout
    assert explained.count(" skipped GC") == skipped
    assert explained.endswith(f"no problems in 1 file ({skipped} checks skipped)\n")


def test_a_lint_in_a_process_that_freezes_nothing_leaves_the_collector_as_it_was():
    """The command line keeps its run's results out of the collector's sight only where graphc.cli.main froze
    start-up: linting through the click command in another program (here, pytest) freezes nothing."""
    import gc

    if gc.get_freeze_count():
        pytest.skip("this test process has frozen objects already")
    assert lint(EXAMPLES).exit_code == 0
    assert gc.get_freeze_count() == 0


def test_the_program_keeps_what_its_lint_made_frozen(tmp_path):
    """`python -m graphc lint` (start-up frozen by graphc.cli.main) freezes the run's results too."""
    import subprocess
    import sys

    probe = (
        "import gc, sys, graphc.commands.lint as command\n"
        "original = command.write_report\n"
        "def report(*args, **kwargs):\n"
        "    unfrozen = sum(len(gc.get_objects(generation)) for generation in range(3))\n"
        "    sys.stderr.write(f'frozen {gc.get_freeze_count()} unfrozen {unfrozen}\\n')\n"
        "    return original(*args, **kwargs)\n"
        "command.write_report = report\n"
        "from graphc.cli import main\n"
        "sys.argv = ['graphc', 'lint', '--no-cache', '-j', '1', sys.argv[1]]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(EXAMPLES)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    frozen, unfrozen = map(int, re.search(r"frozen (\d+) unfrozen (\d+)", done.stderr).groups())
    assert unfrozen < 1000 < frozen  # what the lint made and kept (and start-up made) no later pass scans


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_the_program_ends_with_the_report_and_exit_code_the_command_gives(tmp_path, fmt):
    """`python -m graphc lint` ends its process without the interpreter's teardown (graphc.cli.exit_program): its
    report (stdout, or -o), its warnings and its exit code are what the click command gives in-process, which
    exits the usual way: findings (1), none (0), an unreadable file (2), a search that found nothing (2)."""
    import subprocess
    import sys

    bad = (EXAMPLES / "eth-hedge.yaml").read_text().replace("after: spot filled 50%", "after: spto filled 50%")
    write(tmp_path, "plays/bad.yaml", bad)
    write(tmp_path, "plays/live.yaml", (EXAMPLES / "eth-hedge.yaml").read_text() + "sandbox: false\n")
    (tmp_path / "plays" / "latin1.yaml").write_bytes(b"graphc: 1\nname: caf\xe9\n")
    (tmp_path / "empty").mkdir()
    runs = [
        ["plays/bad.yaml", "plays/live.yaml"],
        [str(EXAMPLES)],
        ["plays"],
        ["plays/live.yaml", "empty"],
        ["plays/bad.yaml", "-o", "out/report.txt"],
    ]
    codes = set()
    for args in runs:
        args = ["lint", "--no-cache", "-j", "1", "-f", fmt, *args]
        done = subprocess.run([sys.executable, "-m", "graphc", *args], capture_output=True, text=True, cwd=tmp_path)
        written = (tmp_path / "out" / "report.txt").read_text() if "-o" in args else None
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(tmp_path)
            expected = CliRunner().invoke(cli, args)
        assert (done.returncode, done.stdout, done.stderr) == (expected.exit_code, expected.stdout, expected.stderr)
        if written is not None:
            assert written == (tmp_path / "out" / "report.txt").read_text() and written
        codes.add(done.returncode)
    assert codes == {0, 1, 2}


def test_only_the_program_itself_skips_the_interpreters_exit():
    """graphc.cli.program (the `graphc` executable, `python -m graphc`) may end a finished lint with os._exit; a
    program that embeds graphc and calls graphc.cli.main gets SystemExit and keeps its atexit handlers."""
    import subprocess
    import sys

    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('atexit ran\\n'))\n"
        "from graphc.cli import main, program\n"
        "sys.argv = ['graphc', 'lint', '--no-cache', '-j', '1', sys.argv[2]]\n"
        "entry = main if CALL == 'main' else program\n"
        "try:\n"
        "    entry()\n"
        "except SystemExit as done:\n"
        "    sys.stderr.write(f'caught {done.code}\\n')\n"
    )
    outcomes = {}
    for call in ("main", "program"):
        code = probe.replace("CALL", repr(call)).replace("sys.argv[2]", repr(str(EXAMPLES)))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
        outcomes[call] = (done.returncode, "caught 0" in done.stderr, "atexit ran" in done.stderr)
    assert outcomes == {"main": (0, True, True), "program": (0, False, False)}


def test_ci_formats_never_report_skipped_checks_as_a_pass(tmp_path):
    """The reference's Full Execution Graph linted without quotes: its venue and risk checks are skipped (no venue
    pinned on the spot leg, market orders without a quote), and playbook-spec.md §8 says a skipped check is
    "skipped, never passed". The github format's summary line counted none ("no problems in 1 file") and JUnit
    listed none, and SARIF had no results and no word of them: each read as a clean pass. Each now says what the
    text report says."""
    full = next(f for f in reference_wire_examples() if "nodes" in f)
    path = write(tmp_path, "full-graph.json", json.dumps(full, indent=2))
    text = lint(path)
    summary = text.stdout.splitlines()[-1]
    assert summary.startswith("no problems in 1 file (") and "checks skipped" in summary, summary
    count = int(summary.split("(")[1].split()[0])
    github = lint(path, "--format", "github")
    assert github.exit_code == 0 and github.stdout.splitlines() == [summary]
    explained = lint(path, "--format", "github", "--explain-skips").stdout.splitlines()
    notices = [line for line in explained if line.startswith("::notice file=")]
    assert len(notices) == count and any("title=GC301 skipped::" in line for line in notices)
    assert explained[-1] == f"no problems in 1 file ({count} checks skipped)"
    junit = lint(path, "--format", "junit")
    out = re.search(r"<system-out>(.*)</system-out>", junit.stdout, flags=re.S).group(1).splitlines()
    assert len(out) == count and all(re.match(rf"{re.escape(str(path))}:\d+:\d+: skipped GC\d{{3}} ", s) for s in out)
    sarif = json.loads(lint(path, "--format", "sarif").stdout)["runs"][0]
    notes = sarif["invocations"][0]["toolExecutionNotifications"]
    assert sarif["results"] == [] and sum(n["properties"]["count"] for n in notes) == count
    assert all(place["physicalLocation"]["region"]["startLine"] >= 1 for n in notes for place in n["locations"])


def test_gc309_with_only_max_size_configured_lists_the_unknown_notional_as_skipped(tmp_path, monkeypatch):
    # audit venue.md finding 5: max_size known, max_notional unknown; 10 at $100,000,000 ($1e9) got "no problems"
    # with GC309 neither reported nor skipped. venue-rules.md §6: an unknown value is never a silent pass.
    write(tmp_path, "graphc.toml", '[markets."XYZ-USD"]\nmax_size = 10\n')
    legs = "legs:\n  a:\n    buy: {qty}\n    symbol: XYZ-USD\n    venue: coinbase\n    limit: 100000000\n"
    write(tmp_path, "m.yaml", "graphc: 1\nname: m\n" + legs.format(qty=10))
    monkeypatch.chdir(tmp_path)
    result = lint("--no-cache", "--explain-skips", "m.yaml")
    assert result.exit_code == 0, result.output
    assert (
        "m.yaml:5:10: skipped GC309 coinbase's maximum notional for XYZ-USD is unknown; set max_notional in "
        '[markets."XYZ-USD"] of graphc.toml'
    ) in result.stdout.splitlines()
    # the known half still decides: 11 is above max_size 10
    write(tmp_path, "m.yaml", "graphc: 1\nname: m\n" + legs.format(qty=11))
    result = lint("--no-cache", "--explain-skips", "m.yaml")
    assert result.exit_code == 1 and "error GC309 size 11 XYZ is above coinbase's maximum of 10 XYZ" in result.stdout
    assert "skipped GC309" not in result.stdout


AUDIT_QUOTES = "BTC-USD: {bid: 59990, ask: 60010, tick: 0.01}\n"
AUDIT_ENTRY = "graphc: 1\nname: t\nlegs:\n  e: {buy: 0.1, symbol: BTC-USD, limit: 60000}\n"


@pytest.mark.parametrize(
    "stop",
    [
        # the spec's own stop form (§4 trigger base, GC407's fix): 60000 x 0.85 = 51000, less 0.5% = 50745,
        # 15.4% below today's 60000 mid: GC406 warned before
        "limit: trigger - 0.5%, after: e price BTC-USD below entry -15%",
        # a take-profit after +5% (about 63000) selling at today's 59990 bid: GC404 warned before
        "limit: 59990, after: e price BTC-USD above entry 5%",
    ],
)
def test_a_leg_waiting_for_a_price_move_is_not_judged_by_todays_quote(tmp_path, stop):
    # audit graph.md 3: spec §4 says a snapshot price is stale for a leg that waits for a price move
    path = write(tmp_path, "p.yaml", AUDIT_ENTRY + f"  s: {{sell: 0.1, symbol: BTC-USD, {stop}}}\n")
    quotes = write(tmp_path, "q.yaml", AUDIT_QUOTES)
    result = lint(path, "--quotes", quotes, "--strict", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["diagnostics"] == []
    [file] = report["files"]
    skipped = [(s["code"], s["reason"]) for s in file["skipped"] if s["code"] in ("GC404", "GC406")]
    reason = "'s' waits for a price move (on_price); today's quote does not describe the market it will meet"
    assert skipped == [("GC404", reason), ("GC406", reason)]
    explained = lint(path, "--quotes", quotes, "--explain-skips").stdout
    assert f"p.yaml:5:42: skipped GC406 {reason}\n" in explained


TIMEOUT_0 = (
    "graphc: 1\nname: t0\nlegs:\n  a: {buy: 1, symbol: ETH-USD}\n  b: {sell: 1, symbol: ETH-USD, after: a + 0s}\n"
)


def _codes(result) -> list:
    return [(d["code"], d["severity"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_a_timeout_of_zero_is_gc208_in_the_compiled_wire_graph_as_in_the_playbook(tmp_path):
    # audit refex.md 2: spec §8's rule table puts "timeout <= 0" under GC208; the wire schema's `minimum: 1` made
    # the compiled graph GC103, which neither --config nor --ignore GC208 reaches
    playbook = write(tmp_path, "t0.yaml", TIMEOUT_0)
    compiled = tmp_path / "t0.json"
    result = CliRunner().invoke(cli, ["compile", str(playbook), "-o", str(compiled)])
    assert result.exit_code == 0, result.output
    assert json.loads(compiled.read_text())["edges"][0]["trigger"] == {"on_timeout": {"ms": 0}}
    want = [("GC208", "error", "edge e0: on_timeout needs a positive number of ms, got 0")]
    for path in (playbook, compiled):
        result = lint("--no-cache", "--format", "json", path)
        assert result.exit_code == 1 and _codes(result) == want, result.output
        warned = lint("--no-cache", "--format", "json", "--config", 'rules.GC208 = "warning"', path)
        assert warned.exit_code == 0 and _codes(warned) == [("GC208", "warning", want[0][2])], warned.output
        assert lint("--no-cache", "--ignore", "GC208", path).exit_code == 0
    # the compiled graph's finding is at the delay, as a ratio's is at the ratio (audit wirelint23 6)
    text = lint("--no-cache", compiled).stdout
    line = compiled.read_text().splitlines().index('          "ms": 0') + 1
    assert f"t0.json:{line}:17: error GC208 edge e0: on_timeout needs a positive number of ms, got 0" in text


@pytest.mark.parametrize("ms", [0, -5, -(2**70)])
def test_a_hand_written_wire_timeout_of_zero_or_less_is_gc208(tmp_path, ms):
    graph = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    del graph["edges"][0]["condition"]  # on_fill_ratio's
    graph["edges"][0]["trigger"] = {"on_timeout": {"ms": ms}}
    path = write(tmp_path, "w.json", json.dumps(graph, indent=2))
    result = lint("--no-cache", "--format", "json", path)
    assert result.exit_code == 1
    assert _codes(result) == [("GC208", "error", f"edge e0: on_timeout needs a positive number of ms, got {ms}")]
    assert lint("--no-cache", "--ignore", "GC208", path).exit_code == 0


@pytest.mark.parametrize("ms, words", [(1.5, "must be"), (2**63, "9223372036854775807"), ("5000", "must be")])
def test_the_wire_schema_still_checks_an_on_timeout_that_is_not_a_whole_int64(tmp_path, ms, words):
    graph = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    del graph["edges"][0]["condition"]  # on_fill_ratio's
    graph["edges"][0]["trigger"] = {"on_timeout": {"ms": ms}}
    result = lint("--no-cache", "--format", "json", write(tmp_path, "w.json", json.dumps(graph)))
    assert result.exit_code == 1
    [(code, _, message)] = _codes(result)
    assert code == "GC103" and "on_timeout.ms" in message, message


# Files from other tools that do not load as a playbook (audit ci.md #4): none has a `graphc:`,
# `graphc-template:` or `nodes` key, so a walk or --ignore-unknown skips them (docs/integrations.md: "files such
# as `package.json` or workflow YAML are skipped, exactly as when graphc walks a directory").
NOT_GRAPHC_BROKEN = {
    "k8s/deploy.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n---\napiVersion: v1\nkind: ConfigMap\n",
    "cfn.yaml": 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${AWS::StackName}-b"\n',
    ".gitlab-ci.yml": ".setup:\n  script: [echo]\ntest:\n  script:\n    - !reference [.setup, script]\n",
    "mkdocs.yml": "markdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
    "chart/templates/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n",
    "tsconfig.json": '{\n  // comment\n  "compilerOptions": {"strict": true,},\n}\n',
    ".vscode/settings.json": '{\n  "editor.formatOnSave": true,\n}\n',
    "dupkey.yaml": "a: 1\na: 2\n",
}


def test_a_walk_and_ignore_unknown_skip_files_of_other_tools_that_do_not_load(tmp_path):
    for name, text in NOT_GRAPHC_BROKEN.items():
        write(tmp_path, name, text)
    good = write(tmp_path, "plays/hedge.yaml", (EXAMPLES / "eth-hedge.yaml").read_text())
    named = [tmp_path / name for name in NOT_GRAPHC_BROKEN]
    result = lint("--no-cache", "--ignore-unknown", *named, good)  # the pre-commit hook's command
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no problems in 1 file")  # only the playbook is counted as linted
    walked = lint("--no-cache", tmp_path)
    assert walked.exit_code == 0, walked.output
    assert walked.stdout.startswith("no problems in 1 file")
    # nothing of graphc's in a folder of them: said, and not a pass (exit 2 as for any folder with none)
    only_k8s = lint("--no-cache", tmp_path / "k8s")
    assert only_k8s.exit_code == 2
    assert f"nothing linted: no playbook, wire graph or simple order in {tmp_path / 'k8s'}" in only_k8s.stdout
    assert "GC100" not in only_k8s.stdout
    alone = lint("--no-cache", "--ignore-unknown", tmp_path / "cfn.yaml")
    assert alone.exit_code == 0, alone.output
    assert alone.stdout == "nothing linted: no playbook, wire graph or simple order among the 1 file named\n"


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("two-docs.yaml", "graphc: 1\nname: x\nlegs: {}\n---\nb: 2\n", "GC100"),
        ("tagged.yaml", "graphc: 1\nname: !Sub x\n", "GC100"),
        ("dup.yaml", "graphc: 1\ngraphc: 1\n", "GC101"),
        ("template.yaml", "graphc-template: 1\nlegs: {a: !Ref b}\n", "GC100"),
        ("indented.yaml", "  graphc: 1\n name: x\n", "GC100"),
        ("wire.json", '{"nodes": [], // comment\n "edges": []}\n', "GC100"),
        ("flow.yaml", "{graphc: 1, name: x, a: !Ref b}\n", "GC100"),
        ("order.yaml", "symbol: BTC-USD\nside: buy\nqty: 1\nnote: !Ref x\n", "GC100"),
    ],
)
def test_a_graphc_file_that_does_not_load_is_still_reported_by_a_walk_and_ignore_unknown(tmp_path, name, text, code):
    # the same kinds of load error in a file that says it is graphc's: never skipped (playbook-spec.md §8)
    path = write(tmp_path, name, text)
    for result in (lint("--no-cache", tmp_path), lint("--no-cache", "--ignore-unknown", path)):
        assert result.exit_code == 1, result.output
        assert f"{path}:" in result.stdout and f"error {code} " in result.stdout


_TICK_ZERO_PLAYS = {
    "binance.yaml": "graphc: 1\nname: t\nlegs:\n  entry:\n    buy: 0.1\n    symbol: BTCUSDT\n"
    "    limit: 60000\n    venue: binance\n",
    "binance.json": json.dumps(
        {
            "nodes": [
                {
                    "node_id": "a",
                    "instrument": {"symbol": "BTCUSDT", "type": "spot", "venue": "binance"},
                    "side": "buy",
                    "order_type": {"limit": {"price_1e9": 60000 * 10**9}},
                    "quantity": {"fixed": {"qty_1e8": 10**7}},
                    "activation": "root",
                }
            ],
            "edges": [],
            "is_sandbox": True,
        }
    ),
    "polymarket.yaml": "graphc: 1\nname: t\nlegs:\n  entry:\n    buy: 10 shares\n"
    "    symbol: will-btc-reach-150k-in-2025:yes\n    limit: 0.5\n",
    "polymarket.json": json.dumps(
        {
            "nodes": [
                {
                    "node_id": "a",
                    "instrument": {
                        "symbol": "will-btc-reach-150k-in-2025:yes",
                        "type": "prediction",
                        "venue": "polymarket",
                    },
                    "side": "buy",
                    "order_type": {"limit": {"price_1e9": 500000000}},
                    "quantity": {"fixed": {"qty_1e8": 1000000000}},
                    "activation": "root",
                }
            ],
            "edges": [],
            "is_sandbox": True,
        }
    ),
}


@pytest.mark.parametrize("play", sorted(_TICK_ZERO_PLAYS))
@pytest.mark.parametrize(
    ("table", "written"),
    [
        ('[markets."BTCUSDT"]', "0"),
        ("[venues.binance]", "0"),
        ("[venues.binance]", "0.0"),
        ("[venues.polymarket]", "0"),
    ],
)
def test_a_tick_of_zero_in_the_config_is_a_located_gc103_and_lint_returns(tmp_path, play, table, written):
    # audit venues 1: Binance writes 0 for "no check" (venue-rules.md §4); graphc.toml's `tick = 0` made lint loop
    # forever (binance) or crash with exit 4 (polymarket). A subprocess with a timeout: a regression fails, never hangs.
    import subprocess
    import sys

    write(tmp_path, "graphc.toml", f"{table}\ntick = {written}\n")
    write(tmp_path, play, _TICK_ZERO_PLAYS[play])
    args = [sys.executable, "-m", "graphc", "lint", "--no-cache", play]
    done = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"graphc.toml:2:1: error GC103 {table} `tick` must be positive, not {written}\n" in done.stdout
    assert '  hint: a step of 0 is no grid (Binance writes 0 for "no check"): here leave `tick` out\n' in done.stdout
    assert done.stdout.count(" error GC") == 1 and "internal error" not in done.stdout + done.stderr


@pytest.mark.parametrize("key", ["price_max", "max_size", "max_notional"])
def test_a_maximum_of_zero_is_a_located_gc103_not_a_bound_every_order_breaks(tmp_path, key):
    # audit venues 2: Binance writes 0 for "disabled"; `price_max = 0` made every price a GC304 (and the two
    # other maxima every order a GC309). The config line says so once, and the order is checked without it.
    write(tmp_path, "graphc.toml", f'[markets."BTCUSDT"]\n{key} = 0\n')
    play = write(tmp_path, "a.yaml", _TICK_ZERO_PLAYS["binance.yaml"])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = lint("--no-cache", play)
    assert result.exit_code == 1, result.output
    assert f'graphc.toml:2:1: error GC103 [markets."BTCUSDT"] `{key}` must be positive, not 0\n' in result.stdout
    hint = (
        f'  hint: a maximum of 0 is broken by every order (Binance writes 0 for "no limit"): here leave `{key}` out\n'
    )
    assert hint in result.stdout
    assert result.stdout.count(" error GC") == 1 and "GC304" not in result.stdout and "GC309" not in result.stdout


def test_a_market_orders_unknown_minimum_notional_names_min_notional_market(tmp_path):
    # audit venues 3: with only `min_notional` set, Binance's market-order check was skipped with a hint to set
    # `min_notional`, the key already set; what it needs is `min_notional_market` (Binance applyMinToMarket).
    write(tmp_path, "graphc.toml", '[markets."BTCUSDT"]\ntick = 0.01\nlot = 0.00001\nmin_notional = 5\n')
    write(tmp_path, "q.yaml", "BTCUSDT:\n  bid: 60000\n  ask: 60000.01\n")
    play = write(tmp_path, "c.yaml", "graphc: 1\nname: t\nlegs:\n  entry:\n    buy: 0.00008\n")
    play.write_text(play.read_text() + "    symbol: BTCUSDT\n    venue: binance\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = lint("--no-cache", "--explain-skips", "--quotes", "q.yaml", "c.yaml")
    assert result.exit_code == 0, result.output
    assert (
        "c.yaml:5:10: skipped GC301 binance's market-order minimum notional for BTCUSDT is unknown; "
        'set min_notional_market in [markets."BTCUSDT"] of graphc.toml\n'
    ) in result.stdout
    # following the hint makes the check run
    write(tmp_path, "graphc.toml", '[markets."BTCUSDT"]\ntick = 0.01\nlot = 0.00001\nmin_notional_market = 5\n')
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = lint("--no-cache", "--quotes", "q.yaml", "c.yaml")
    assert result.exit_code == 1 and "error GC301 " in result.stdout and "below the 5 USDT minimum" in result.stdout


TWAP_LOT = """graphc: 1
name: twap-lot
legs:
  k:
    buy: 3 contracts
    symbol: KXRAIN-26JAN01-T5
    limit: 0.5
    twap: 2 slices every 10s
  p:
    buy: 50.01 shares
    symbol: will-it-rain:yes
    limit: 0.5
    twap: 10 slices every 10s
  whole:
    buy: 4 contracts
    symbol: KXRAIN-26JAN01-T5
    limit: 0.5
    twap: 2 slices every 10s
"""


def test_twap_slices_off_the_lot_are_gc305_warnings_on_the_playbook_and_its_wire_graph_alike(tmp_path):
    # audit verdict17 1: GC301/GC302 judged each equal TWAP slice, GC305 did not (1.5 contracts a slice passed)
    playbook = write(tmp_path, "twap-lot.yaml", TWAP_LOT)
    compiled = tmp_path / "twap-lot.json"
    assert CliRunner().invoke(cli, ["compile", str(playbook), "-o", str(compiled)]).exit_code == 0
    want = [
        (
            "GC305",
            "warning",
            "3 contracts in 2 TWAP slices is 1.5 contracts a slice, not a whole number of contracts; kalshi trades "
            "whole contracts (each slice is an order)",
        ),
        (
            "GC305",
            "warning",
            "50.01 shares in 10 TWAP slices is 5.001 shares a slice, not a multiple of polymarket's 0.01 lot "
            "(each slice is an order)",
        ),
    ]
    for path in (playbook, compiled):
        result = lint("--no-cache", "--format", "json", path)
        assert result.exit_code == 0 and _codes(result) == want, result.output


def _capital_venue_graph(venue: str) -> dict:
    return {
        "nodes": [
            {
                "node_id": "p",
                "instrument": {"symbol": "will-it-rain:yes", "type": "prediction", "venue": venue},
                "side": "buy",
                "order_type": {"limit": {"price_1e9": 500000000}},
                "quantity": {"fixed": {"qty_1e8": 400000000}},
                "execution": {"policy": "sor"},
                "activation": "root",
            }
        ],
        "edges": [],
        "is_sandbox": True,
    }


UNDER_FIVE = "size 4 shares is below polymarket's minimum of 5 shares"


@pytest.mark.parametrize("venue", ["Polymarket", "POLYMARKET"])
def test_a_wire_venue_not_in_lower_case_is_gc103_and_still_checked_as_that_venue(tmp_path, venue):
    # audit verdict17 6: the wire spells venues in lower case (spec §3: `instrument.venue` (lower-case); the
    # router's reference writes kalshi, polymarket, hyperliquid); "Polymarket" was read as polymarket silently
    path = write(tmp_path, "w.json", json.dumps(_capital_venue_graph(venue), indent=2))
    result = lint("--no-cache", "--format", "json", path)
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["diagnostics"]
    [case] = [d for d in found if d["code"] == "GC103"]
    line = path.read_text().splitlines().index(f'        "venue": "{venue}"') + 1
    assert (case["severity"], case["line"], case["column"]) == ("error", line, 18)  # at the value
    assert case["message"] == (
        f"venue {venue!r} is not lower-case: the wire spells venues in lower case (playbook-spec.md §3), and "
        f"the router may not know {venue!r}; graphc checks the node as polymarket"
    )
    assert case["hint"] == 'write "polymarket"'
    assert ("GC302", "error", UNDER_FIVE) in [(d["code"], d["severity"], d["message"]) for d in found]
    assert "GC307" not in {d["code"] for d in found}  # a venue graphc knows, written another way


# audit rules26 2: a venue with whitespace around it (the auditor's repros) was an unknown venue 'kalshi ' (GC307,
# a warning, every venue check skipped, exit 0) in a wire graph and a simple order, while the playbook's is stripped.
_SPACED_NODE = {
    "node_id": "a",
    "instrument": {"symbol": "KXBTCD-25DEC31-T100000", "type": "prediction", "venue": "kalshi "},
    "side": "buy",
    "order_type": {"limit": {"price_1e9": 555000000}},
    "quantity": {"fixed": {"qty_1e8": 150000000}},
    "execution": {"policy": "sor"},
    "activation": "root",
}
_SPACED_SIMPLE = {"symbol": "KXBTCD-25DEC31-T100000", "side": "buy", "qty": 1.5, "price": 0.555, "venue": "kalshi "}
_SPACED_CHECKS = [
    ("GC303", "price 0.555 is not on kalshi's 0.01 tick"),
    ("GC305", "size 1.5 is not a whole number of contracts; kalshi trades whole contracts"),
]


def _spaced(venue: str, words: str) -> str:
    return (
        f"venue {venue!r} {words}: the router gets the text as written, so it may not know {venue!r} (the wire "
        "spells a venue in lower case with nothing around it, playbook-spec.md §3); graphc checks the node as kalshi"
    )


@pytest.mark.parametrize(
    "venue, words",
    [
        ("kalshi ", "has whitespace around it"),
        ("\tkalshi", "has whitespace around it"),
        (" KALSHI ", "is not lower-case and has whitespace around it"),
    ],
)
@pytest.mark.parametrize("form", ["wire", "simple"])
def test_a_venue_with_whitespace_around_it_is_gc103_and_checked_as_that_venue(tmp_path, venue, words, form):
    if form == "wire":
        data = {"nodes": [{**_SPACED_NODE, "instrument": {**_SPACED_NODE["instrument"], "venue": venue}}]}
        data |= {"edges": [], "is_sandbox": True}
    else:
        data = {**_SPACED_SIMPLE, "venue": venue}
    path = write(tmp_path, "o.json", json.dumps(data))
    result = lint("--no-cache", "--format", "json", path)
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["diagnostics"]
    assert sorted((d["code"], d["message"], d["hint"]) for d in found if d["code"] != "GC111") == sorted(
        [("GC103", _spaced(venue, words), 'write "kalshi"')]
        + [(code, message, found_hint(found, code)) for code, message in _SPACED_CHECKS]
    )
    [case] = [d for d in found if d["code"] == "GC103"]
    assert case["line"] == 1 and path.read_text()[case["column"] - 1 :].startswith(json.dumps(venue))  # the value
    plan = CliRunner().invoke(cli, ["plan", str(path)])
    assert plan.exit_code == 1, plan.output  # the router would get "kalshi ": plan refuses it, as lint


def found_hint(found: list, code: str) -> str:
    return next(d["hint"] for d in found if d["code"] == code)


def test_a_playbook_venue_with_whitespace_around_it_is_sent_stripped(tmp_path):
    # the playbook's venue is read stripped and lower-cased (graphc.stages.model), as before: its wire says "kalshi"
    book = write(
        tmp_path,
        "b.yaml",
        "graphc: 1\nname: venue-space\nlegs:\n  a:\n    buy: 1.5\n    symbol: KXBTCD-25DEC31-T100000\n"
        '    venue: " Kalshi "\n    limit: 0.555\n',
    )
    compiled = CliRunner().invoke(cli, ["compile", str(book)])
    assert compiled.exit_code == 0, compiled.output
    [node] = json.loads(compiled.stdout)["nodes"]
    assert node["instrument"]["venue"] == "kalshi"
    result = lint("--no-cache", "--format", "json", book)
    found = json.loads(result.stdout)["diagnostics"]
    assert sorted((d["code"], d["message"]) for d in found) == _SPACED_CHECKS  # no GC103: the playbook's own rule


def test_a_playbook_venue_in_any_case_is_sent_lower_case_and_checked_alike(tmp_path):
    # the playbook's `venue:` is any case in, lower-case out (the schema says so): no GC103, the same venue rules
    leg = "  p:\n    buy: 4 shares\n    symbol: will-it-rain:yes\n    venue: Polymarket\n    limit: 0.5\n"
    playbook = write(tmp_path, "p.yaml", "graphc: 1\nname: p\nlegs:\n" + leg)
    compiled = tmp_path / "p.json"
    assert CliRunner().invoke(cli, ["compile", str(playbook), "-o", str(compiled)]).exit_code == 0
    assert json.loads(compiled.read_text())["nodes"][0]["instrument"]["venue"] == "polymarket"
    for path in (playbook, compiled):
        result = lint("--no-cache", "--format", "json", path)
        assert _codes(result) == [("GC302", "error", UNDER_FIVE)], result.output
    # the same graph with the venue as written: the one difference is the GC103 at the venue
    found = _codes(
        lint(
            "--no-cache", "--format", "json", write(tmp_path, "w.json", json.dumps(_capital_venue_graph("Polymarket")))
        )
    )
    assert sorted(code for code, _, _ in found) == ["GC103", "GC302"] and ("GC302", "error", UNDER_FIVE) in found


def test_an_unknown_venue_not_in_lower_case_is_both_gc103_and_gc307(tmp_path):
    path = write(tmp_path, "w.json", json.dumps(_capital_venue_graph("Polymarkt")))
    codes = {d["code"] for d in json.loads(lint("--no-cache", "--format", "json", path).stdout)["diagnostics"]}
    assert {"GC103", "GC307"} <= codes


def test_a_wire_fill_ratio_out_of_range_is_gc208_at_the_ratio(tmp_path):
    # audit wire18 6: GC208 pointed at the `"condition": {` opening, not at the value
    graph = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    graph["edges"][0]["condition"] = {"fill_ratio_gte": 1.5}
    path = write(tmp_path, "w.json", json.dumps(graph, indent=2))
    result = lint("--no-cache", "--format", "json", path)
    assert result.exit_code == 1, result.output
    [found] = json.loads(result.stdout)["diagnostics"]
    line = path.read_text().splitlines().index('        "fill_ratio_gte": 1.5') + 1
    assert (found["code"], found["line"], found["column"]) == ("GC208", line, 27)


def test_a_playbook_fill_ratio_out_of_range_is_gc208_at_the_ratio(tmp_path):
    # the same in an edge mapping of a playbook (`after:` or `edges:`): at `fill_ratio`'s value, not at the entry
    text = (
        "graphc: 1\nname: r\nlegs:\n  a: {buy: 1, symbol: BTC-USD}\n"
        "  b:\n    sell: 1\n    symbol: BTC-USD\n    after:\n      - from: a\n        trigger: on_fill_ratio\n"
        "        fill_ratio: 150%\n"  # 11
        "  c: {sell: 1, symbol: BTC-USD}\n"
        "edges:\n  - from: a\n    to: c\n    trigger: on_fill_ratio\n"
        "    fill_ratio: 1.5\n"  # 17
    )
    result = lint("--no-cache", "--format", "json", write(tmp_path, "p.yaml", text))
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["line"], d["column"]) for d in found if d["code"] == "GC208"] == [(11, 21), (17, 17)]


@pytest.mark.parametrize(
    "change, message, hint",
    [
        (lambda g: g["nodes"][0].pop("side"), 'nodes.0 needs "side"', 'add "side": ...'),
        (lambda g: g["edges"][0].pop("to_node"), 'edges.0 needs "to_node"', 'add "to_node": ...'),
        (
            lambda g: g.__setitem__("is_sandbox", "true"),
            "`is_sandbox` is the text 'true' (it is quoted), not the boolean true",
            'remove the quotes: "is_sandbox": true',
        ),
    ],
)
def test_schema_messages_on_a_wire_graph_are_worded_in_json(tmp_path, change, message, hint):
    # audit wire18 6: `nodes.0 needs `instrument:`` and `add `instrument: ...`` are YAML on a JSON file
    graph = json.loads((REPO / "tests" / "data" / "reference" / "full-graph.json").read_text())
    change(graph)
    result = lint("--no-cache", "--format", "json", write(tmp_path, "w.json", json.dumps(graph, indent=2)))
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["message"], d["hint"]) for d in found] == [(message, hint)]


def _polymarket_url_node(**instrument) -> dict:
    """repro pm_url_notype.json of audit wire18 4: a Polymarket event URL, limit 0.40, 10 shares."""
    return {
        "nodes": [
            {
                "node_id": "spot",
                "instrument": {"symbol": "https://polymarket.com/event/will-btc-reach-150k", **instrument},
                "side": "buy",
                "order_type": {"limit": {"price_1e9": 400000000}},
                "quantity": {"fixed": {"qty_1e8": 1000000000}},
                "execution": {"policy": "sor", "urgency": "medium"},
                "activation": "root",
            }
        ],
        "edges": [],
        "is_sandbox": True,
    }


def test_a_polymarket_url_without_a_type_is_gc111_read_as_prediction_not_gc306(tmp_path):
    # audit wire18 4: the reference normalizes Polymarket slug/URL inputs to prediction before routing; lint said
    # GC111 "the router reads it as spot" and GC306, and exited 1
    path = write(tmp_path, "w.json", json.dumps(_polymarket_url_node(), indent=2))
    result = lint("--no-cache", "--format", "json", path)
    assert result.exit_code == 0, result.output
    [(code, severity, message)] = _codes(result)
    assert (code, severity) == ("GC111", "warning")
    assert message == (
        "node 'spot' has no instrument.type: the router reads 'https://polymarket.com/event/will-btc-reach-150k' "
        "as prediction (it normalizes a Polymarket URL or slug to prediction before routing)"
    )
    assert "spot" not in message.replace("node 'spot'", "")
    typed_spot = write(tmp_path, "s.json", json.dumps(_polymarket_url_node(type="spot"), indent=2))
    assert [c for c, _, _ in _codes(lint("--no-cache", "--format", "json", typed_spot))] == ["GC306"]


SOR_PERP = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1\n    symbol: ETH-USD-PERP\n    limit: 2325.555\n"


@pytest.mark.parametrize(
    "venue, why",
    [
        ("", "no venue pinned (the router picks one), so the {what} is unknown; pin a venue or set"),
        ("    venue: bybit\n", "venue 'bybit' is unknown (GC307), so its {what} is unknown; set"),
    ],
    ids=["sor", "unknown-venue"],
)
def test_gc304_and_gc308_are_skipped_where_the_venue_is_not_known_as_gc303_is(tmp_path, venue, why):
    """Audit venue18 5: with no venue pinned the router picks one, and on Hyperliquid 2325.555 breaks the
    5-significant-figure rule (venue-rules.md §3): the price's form and range are as unknown as the tick, and
    GC303 was the only one of the three counted as skipped. Each of the three now is, in every report."""
    path = write(tmp_path, "sor-perp.yaml", SOR_PERP + venue)
    explained = lint(path, "--no-cache", "--explain-skips").stdout
    for code, what in (
        ("GC303", "tick"),
        ("GC304", "price range"),
        ("GC308", "price form (significant figures, decimals)"),
    ):
        assert f"skipped {code} " + why.format(what=what) in explained, explained
    count = explained.count(" skipped GC")
    assert explained.endswith(f"no problems in 1 file ({count} checks skipped)\n") or "GC307" in explained
    report = json.loads(lint(path, "--no-cache", "--format", "json").stdout)
    assert {"GC303", "GC304", "GC308"} <= {s["code"] for s in report["files"][0]["skipped"]}
    assert report["summary"]["skipped"] == count
    sarif = json.loads(lint(path, "--no-cache", "--format", "sarif").stdout)["runs"][0]
    notes = sarif["invocations"][0]["toolExecutionNotifications"]
    assert {"GC303", "GC304", "GC308"} <= {n["associatedRule"]["id"] for n in notes} and len(notes) == count


def test_gc304_and_gc308_on_a_known_venue_without_such_a_rule_are_not_skipped(tmp_path):
    """A pinned venue graphc knows decides: Coinbase has no price-form rule (GC308 does not apply); its BTC-USD
    range is unknown (GC304 skipped, as before)."""
    path = write(tmp_path, "cb.yaml", SOR_PERP.replace("ETH-USD-PERP", "BTC-USD") + "    venue: coinbase\n")
    codes = {s["code"] for s in json.loads(lint(path, "--no-cache", "--format", "json").stdout)["files"][0]["skipped"]}
    assert "GC308" not in codes and "GC304" in codes
    hl = write(tmp_path, "hl.yaml", SOR_PERP + "    venue: hyperliquid\n")
    report = json.loads(lint(hl, "--no-cache", "--format", "json").stdout)
    assert [d["code"] for d in report["diagnostics"]] == ["GC308"]  # on Hyperliquid: decided, an error


# Audit ci22 #3: with -o, lint printed nothing at all, so a CI log (the GitHub Action's) showed only the exit status, and
# a run whose risk checks were all skipped (200 ETH at market under max_notional $1k, no quote for ETH-USD) read as a
# clean one. The report's closing line is said on stderr too, with where the report went.
BIG = "graphc: 1\nname: big\nrisk: {max_notional: $1k}\nlegs:\n  a: {buy: 200 ETH, symbol: ETH-USD, venue: coinbase}\n"


def _lint_program(cwd, *args):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "graphc", "lint", "--no-cache", *args], capture_output=True, text=True, cwd=cwd
    )


@pytest.mark.parametrize("fmt", ["text", "github", "json", "sarif", "junit"])
@pytest.mark.parametrize("explain", [False, True])
def test_a_report_written_to_a_file_still_says_its_verdict_on_stderr(tmp_path, fmt, explain):
    write(tmp_path, "plays/big.yaml", BIG)
    write(tmp_path, "plays/bad.yaml", BIG.replace("name: big", "name: bad").replace("coinbase}", "coinbase, after: b}"))
    for playbook, code in (("plays/big.yaml", 0), ("plays/bad.yaml", 1)):
        shown = _lint_program(tmp_path, playbook).stdout.splitlines()[-1]  # the text report's closing line
        assert ("checks skipped; --explain-skips lists them)" in shown) == (code == 0)  # (`after: b` stops checks)
        done = _lint_program(tmp_path, "-f", fmt, "-o", "out/report", *(["--explain-skips"] * explain), playbook)
        assert done.returncode == code and done.stdout == "" and (tmp_path / "out" / "report").read_text()
        listed = explain or fmt in ("json", "sarif", "junit")  # the report holds the skipped checks
        said = shown.replace("--explain-skips lists them", "the report lists them") if listed else shown
        assert done.stderr == f"graphc: {said}; report written to out/report\n"


def test_the_verdict_on_stderr_says_what_the_report_says_of_files_not_linted(tmp_path):
    (tmp_path / "empty").mkdir()
    done = _lint_program(tmp_path, "-f", "sarif", "-o", "r.sarif", "empty")
    assert done.returncode == 2
    assert (
        "graphc: nothing linted: no *.yaml, *.yml or *.json file in empty; report written to r.sarif\n" in done.stderr
    )
    done = _lint_program(tmp_path, "-f", "sarif", "-o", "r\nx.sarif", "--allow-empty", "empty")  # a name on one line
    assert done.returncode == 0 and "report written to r\\nx.sarif\n" in done.stderr


# -- --set and --params over many files (audit params25 5) -------------------------------------------------------

SIZED = "graphc: 1\nname: a\nparams:\n  size: {type: quantity, default: 1 ETH, max: 5 ETH}\nlegs:\n"
SIZED += '  x: {buy: "{{ size }}", symbol: ETH-USD}\n'
PLAIN = "graphc: 1\nname: b\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD}\n"


@pytest.fixture
def two_playbooks(tmp_path):
    write(tmp_path, "graphc.toml", "")
    write(tmp_path, "a.yaml", SIZED)
    write(tmp_path, "b.yaml", PLAIN)
    return tmp_path


def test_a_set_name_one_of_many_files_declares_is_not_an_error_in_the_others(two_playbooks):
    """`graphc lint . --set size=...` could not pass: each playbook without `size` was GC108."""
    result = lint(two_playbooks, "--set", "size=2 ETH")
    assert result.exit_code == 0, result.output
    assert "GC108" not in result.output
    result = lint(two_playbooks, "--set", "size=50 ETH")  # the file that declares it checks the value
    assert result.exit_code == 1
    assert "a.yaml:4:3: error GC108 --set size=50 ETH: param `size` (quantity): '50 ETH' is above the maximum" in (
        result.stdout
    )
    assert "b.yaml:" not in result.stdout
    # one file alone reports a name it does not declare, as compile does (the cache keeps the runs apart)
    result = lint(two_playbooks / "b.yaml", "--set", "size=2 ETH")
    assert result.exit_code == 1
    assert "b.yaml:1:1: error GC108 --set size=2 ETH: unknown param `size`" in result.stdout


def test_a_name_no_linted_file_declares_is_one_usage_error(two_playbooks):
    values = write(two_playbooks, "values.yaml", "size: 2 ETH\ndepth: 4\n")
    result = lint(two_playbooks, "--set", "sise=2 ETH", "--params", values, "--no-cache")
    assert result.exit_code == 2, result.output
    assert "GC108" not in result.stdout  # in no file
    assert result.stderr.splitlines() == [
        "graphc: error GC108 --set sise=2 ETH: no linted playbook or template declares param `sise` (did you mean "
        "'size'?)",
        f"graphc: error GC108 --params {values}: no linted playbook or template declares param `depth`",
    ]


def test_set_and_params_on_a_wire_graph_are_said_not_to_apply(two_playbooks):
    """They were ignored without a word, even values no playbook would take."""
    compiled = CliRunner().invoke(cli, ["compile", str(two_playbooks / "a.yaml")])
    wire = write(two_playbooks, "wire.json", compiled.stdout)
    values = write(two_playbooks, "values.yaml", "flag: yes\n")
    note = "graphc: note: --set and --params do not apply to a wire graph or a simple order, whose values are "
    result = lint(wire, "--set", "x=1", "--params", values)
    assert result.exit_code == 0, result.output
    assert result.stderr == note + f"written in it: not applied to {wire}\n"
    result = lint(two_playbooks, "--set", "size=2 ETH", "--params", values, "--no-cache")  # with the playbooks
    assert result.exit_code == 2  # `flag`: no playbook declares it
    assert note + f"written in it: not applied to {wire}\n" in result.stderr
    result = CliRunner().invoke(cli, ["plan", str(wire), "--set", "x=1"])
    assert result.exit_code == 0, result.output
    assert f"graphc: note: --set does not apply to a wire graph, whose values are written in it: {wire} is taken " in (
        result.stderr
    )


# audit rules26 3: a wire node pinned to polymarket without instrument.type was GC306 (the router "assumes spot"),
# while the simple order with the same fields was clean; the reference normalizes Polymarket slugs to prediction,
# and graphc reads both through one function (graphc.venues.router_type, graphc.facts.router_reading).
_SLUG_PINNED = {
    "node_id": "leg",
    "instrument": {"symbol": "will-btc-reach-150k-in-2025", "venue": "polymarket"},
    "side": "buy",
    "order_type": {"limit": {"price_1e9": 500000000}},
    "quantity": {"fixed": {"qty_1e8": 1000000000}},
    "execution": {"urgency": "high"},
    "activation": "root",
}
_SLUG_SIMPLE = {"symbol": "will-btc-reach-150k-in-2025", "side": "buy", "qty": 10, "price": 0.5, "venue": "polymarket"}


def test_a_slug_pinned_to_polymarket_is_prediction_in_a_wire_graph_as_in_a_simple_order(tmp_path):
    from graphc.facts import router_reading

    wire = write(tmp_path, "w.json", json.dumps({"nodes": [_SLUG_PINNED], "edges": [], "is_sandbox": True}))
    simple = write(tmp_path, "s.json", json.dumps(_SLUG_SIMPLE))
    result = lint("--no-cache", "--format", "json", wire)
    assert result.exit_code == 0, result.output
    assert [(d["code"], d["message"], d["hint"]) for d in json.loads(result.stdout)["diagnostics"]] == [
        (
            "GC111",
            "node 'leg' has no instrument.type: the router reads 'will-btc-reach-150k-in-2025', pinned to "
            "polymarket, as prediction (it normalizes a Polymarket URL or slug to prediction before routing)",
            'add "type": "prediction" to the instrument',
        )
    ]
    result = lint("--no-cache", "--format", "json", simple)
    assert result.exit_code == 0 and json.loads(result.stdout)["diagnostics"] == [], result.output
    assert router_reading(_SLUG_PINNED, set()) == ("prediction", None)
    # checked as a Polymarket market in both forms: 4 shares are under its 5-share minimum (GC302)
    four = {**_SLUG_PINNED, "quantity": {"fixed": {"qty_1e8": 400000000}}}
    wire.write_text(json.dumps({"nodes": [four], "edges": [], "is_sandbox": True}))
    simple.write_text(json.dumps({**_SLUG_SIMPLE, "qty": 4}))
    for path in (wire, simple):
        result = lint("--no-cache", "--format", "json", path)
        assert {d["code"] for d in json.loads(result.stdout)["diagnostics"]} - {"GC111"} == {"GC302"}, path
    # Kalshi names no such normalization: a ticker pinned there without a type is still GC306
    kalshi = {**_SLUG_PINNED, "instrument": {"symbol": "KXBTCD-25DEC31-T100000", "venue": "kalshi"}}
    wire.write_text(json.dumps({"nodes": [kalshi], "edges": [], "is_sandbox": True}))
    assert "GC306" in {d["code"] for d in json.loads(lint("--no-cache", "-f", "json", wire).stdout)["diagnostics"]}


def test_decompile_reads_a_slug_pinned_to_polymarket_as_prediction(tmp_path):
    wire = write(tmp_path, "w.json", json.dumps({"nodes": [_SLUG_PINNED], "edges": [], "is_sandbox": True}))
    result = CliRunner().invoke(cli, ["decompile", str(wire)])
    assert result.exit_code == 0, result.output
    assert "venue: polymarket" in result.stdout and "type:" not in result.stdout
    assert (
        "node 'leg' has no instrument.type; the playbook reads it as the router does, as prediction (the router "
        "normalizes a Polymarket URL or slug, and a symbol pinned to polymarket, to prediction)"
    ) in result.stderr
