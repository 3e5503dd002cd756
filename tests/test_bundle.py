"""`graphc bundle`: what a hosted strategy directory holds, and that it never holds the API key.

The end-to-end proofs (main.py submitting through a plain interpreter, deploy to
the sandbox's runner) are in tests/test_recurring_e2e.py.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphc.strategies import DeployError, build_artifact, read_strategy_dir
from tests.conftest import REPO

CANARY = "seq_test_CANARY-4f1d9c2b7a"
CANARY_FILE = "seq_test_CANARY-FILE-83e2aa10"

PLAYBOOK = """\
graphc: 1
name: btc-weekly-dca
schedule:
  cron: "0 14 * * MON"
  timezone: Europe/London
  catch_up: 2h
params:
  weekly_budget: {type: money, default: $500}
legs:
  dca:
    buy: "${{ weekly_budget }}"
    symbol: BTC-USD
    venue: coinbase
  hedge:
    use: ./templates/perp-hedge.yaml
    with: {size: 0.001 BTC, perp: BTC-USD-PERP}
    after: dca filled
"""


def make_project(root: Path, playbook: str = PLAYBOOK) -> Path:
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir()
    (root / "templates" / "perp-hedge.yaml").write_text((REPO / "examples/templates/perp-hedge.yaml").read_text())
    (root / "templates" / "unused.yaml").write_text("graphc-template: 1\nlegs: {}\n")
    (root / "graphc.toml").write_text('[rules]\nGC502 = "off"\n')
    (root / "secrets.txt").write_text(CANARY)
    path = root / "dca.yaml"
    path.write_text(playbook)
    return path


def bundle(
    tmp_path, *args, playbook: str = PLAYBOOK, env=None, prepare=None
) -> tuple[subprocess.CompletedProcess, Path]:
    """``prepare(project)``, when given, changes the project after make_project wrote it."""
    project = tmp_path / "project"
    path = make_project(project, playbook)
    if prepare is not None:
        prepare(project)
    out = tmp_path / "out"
    credentials = tmp_path / "credentials"
    credentials.write_text(f'api_key = "{CANARY_FILE}"\n')
    credentials.chmod(0o600)
    run_env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SEQUENCE_API_KEY": CANARY,
        "GRAPHC_CREDENTIALS": str(credentials),
        **(env or {}),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "graphc", "bundle", str(path), "-o", str(out), "--now", "2026-01-07T09:00:00Z", *args],
        capture_output=True,
        text=True,
        env=run_env,
        cwd=project,
    )
    return proc, out


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_bundle_layout_and_sequence_toml(tmp_path):
    proc, out = bundle(tmp_path, "--set", "weekly_budget=750", "--latency-target", "coinbase")
    assert proc.returncode == 0, proc.stderr
    toml = tomllib.loads((out / "Sequence.toml").read_text())
    assert toml["strategy"] == {"name": "btc-weekly-dca", "runtime": "python"}
    assert toml["hosted"]["entrypoint"] == "main.py"
    assert toml["hosted"]["placement"] == {"latency_target": ["coinbase"]}
    assert toml["hosted"]["resources"] == {"cpu_millis": 250, "memory_mb": 256, "timeout_secs": 0}
    assert toml["hosted"]["env"] == {
        "GRAPHC_PLAYBOOK": "project/dca.yaml",
        "GRAPHC_QUOTES": "live",
        "GRAPHC_LIVE": "0",
        "GRAPHC_SET": '{"weekly_budget": "750"}',
    }
    project = sorted(p.relative_to(out / "project").as_posix() for p in all_files(out / "project"))
    # the playbook, the template it uses (not the unused one, not secrets.txt), the config
    assert project == ["dca.yaml", "graphc.toml", "templates/perp-hedge.yaml"]
    assert (out / "zoneinfo" / "Europe" / "London").is_file()
    assert (out / "main.py").is_file()
    vendor = {p.name for p in (out / "vendor").iterdir()}
    assert {"graphc", "yaml", "jinja2", "markupsafe", "httpx", "LICENSES"} <= vendor
    assert not {"jsonschema", "networkx", "click", "rpds", "ruamel"} & vendor


def test_nothing_compiled_is_vendored(tmp_path):
    proc, out = bundle(tmp_path)
    assert proc.returncode == 0, proc.stderr
    compiled = [p for p in all_files(out) if p.suffix in (".so", ".pyd", ".pyc", ".dylib")]
    assert compiled == []
    assert not list(out.rglob("__pycache__"))


def test_no_file_of_a_bundle_contains_the_api_key(tmp_path):
    """The key of the environment and of the credentials file are canaries: neither may appear anywhere."""
    proc, out = bundle(tmp_path, "--set", "weekly_budget=750")
    assert proc.returncode == 0, proc.stderr
    for path in all_files(out):
        data = path.read_bytes()
        assert CANARY.encode() not in data, path
        assert CANARY_FILE.encode() not in data, path
    assert CANARY not in proc.stdout + proc.stderr
    artifact, _ = build_artifact(out)
    for member in tarfile.open(fileobj=io.BytesIO(artifact), mode="r:gz"):
        assert member.name not in ("secrets.txt", "project/secrets.txt")


def test_a_second_bundle_replaces_the_first_but_not_a_foreign_directory(tmp_path):
    proc, out = bundle(tmp_path)
    assert proc.returncode == 0, proc.stderr
    (out / "stale.txt").write_text("from an old bundle")
    project = tmp_path / "project"
    again = subprocess.run(
        [sys.executable, "-m", "graphc", "bundle", "dca.yaml", "-o", str(out), "--now", "2026-01-07T09:00:00Z"],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert again.returncode == 0, again.stderr
    assert not (out / "stale.txt").exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.md").write_text("mine")
    refused = subprocess.run(
        [sys.executable, "-m", "graphc", "bundle", "dca.yaml", "-o", str(foreign), "--now", "2026-01-07T09:00:00Z"],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert refused.returncode == 2 and "not written by graphc bundle" in refused.stderr
    assert (foreign / "notes.md").read_text() == "mine"


def test_bundle_refuses_a_playbook_without_schedule_or_with_errors_or_live(tmp_path):
    no_schedule = PLAYBOOK.replace('schedule:\n  cron: "0 14 * * MON"\n  timezone: Europe/London\n  catch_up: 2h\n', "")
    proc, _ = bundle(tmp_path / "a", playbook=no_schedule)
    assert proc.returncode == 2 and "has no `schedule:`" in proc.stderr
    broken = PLAYBOOK.replace("symbol: BTC-USD\n", "symbol: BTC-USD\n    tif: SOMETIMES\n")
    proc, out = bundle(tmp_path / "b", playbook=broken)
    assert proc.returncode == 1 and "GC103" in proc.stderr and not out.exists()
    live = PLAYBOOK.replace("params:", "sandbox: false\nrisk: {max_notional: $10k}\nparams:")
    proc, _ = bundle(tmp_path / "c", playbook=live)
    assert proc.returncode == 2 and "--live" in proc.stderr
    proc, out = bundle(tmp_path / "d", "--live", playbook=live)
    assert proc.returncode == 0, proc.stderr
    assert tomllib.loads((out / "Sequence.toml").read_text())["hosted"]["env"]["GRAPHC_LIVE"] == "1"
    assert "--live has no effect" not in proc.stderr


def test_bundle_live_of_a_sandbox_playbook_warns_it_has_no_effect(tmp_path):
    """The double opt-in (docs/submitting.md "Sandbox and live"): --live alone leaves a sandbox playbook a
    paper trade; that is said, not silent (audit ops.md 6)."""
    proc, _ = bundle(tmp_path, "--live")
    assert proc.returncode == 0, proc.stderr
    assert (
        "graphc: warning: --live has no effect: btc-weekly-dca is a sandbox playbook (it does not say "
        "`sandbox: false`), so the strategy will paper-trade"
    ) in proc.stderr


def test_artifact_is_reproducible_and_refuses_a_file_holding_the_key(tmp_path):
    proc, out = bundle(tmp_path)
    assert proc.returncode == 0, proc.stderr
    first, sha1 = build_artifact(out)
    os.utime(out / "main.py", (0, 12345))
    second, sha2 = build_artifact(out)
    assert first == second and sha1 == sha2
    names = tarfile.open(fileobj=io.BytesIO(first), mode="r:gz").getnames()
    assert "main.py" in names and "Sequence.toml" in names
    (out / "project" / "notes.txt").write_text(f"key: {CANARY}")
    with pytest.raises(DeployError, match="contains the API key"):
        build_artifact(out, holds_key=lambda data: CANARY.encode() in data)


def test_read_strategy_dir(tmp_path):
    proc, out = bundle(tmp_path)
    assert proc.returncode == 0, proc.stderr
    sdir = read_strategy_dir(out)
    assert sdir.name == "btc-weekly-dca" and sdir.entrypoint == "main.py"
    assert sdir.env["GRAPHC_PLAYBOOK"] == "project/dca.yaml"
    assert sdir.resources == {"cpu_millis": 250, "memory_mb": 256, "timeout_secs": 0}
    with pytest.raises(DeployError, match=r"no Sequence\.toml"):
        read_strategy_dir(tmp_path)
    (out / "Sequence.toml").write_text(
        '[strategy]\nname = "x"\n[hosted]\nentrypoint = "main.py"\n[hosted.env]\nSEQUENCE_API_KEY = "k"\n'
    )
    with pytest.raises(DeployError, match="runner's own"):
        read_strategy_dir(out)


def test_the_run_path_works_without_jsonschema_and_networkx(monkeypatch):
    """A bundle vendors neither: a broken document and a cyclic graph are still findings, not crashes."""
    import graphc.stages.validate as validate
    from graphc.lint import lint_source

    monkeypatch.setitem(sys.modules, "jsonschema", None)
    monkeypatch.setitem(sys.modules, "networkx", None)
    validate.validator.cache_clear()
    try:
        bad = lint_source("graphc: 1\nname: x\nlegs:\n  a: {buy: 1, symbol: BTC-USD, tif: SOMETIMES}\n", "x.yaml")
        messages = [(d.code, d.message) for d in bad.result.diagnostics]
        assert ("GC103", "the document does not match playbook.schema.json") in messages
        cyclic = lint_source(
            "graphc: 1\nname: x\nlegs:\n  a: {buy: 1, symbol: BTC-USD, after: b filled}\n"
            "  b: {sell: 1, symbol: BTC-USD, after: a filled}\n",
            "x.yaml",
        )
        codes = [d.code for d in cyclic.result.diagnostics]
        assert "GC201" in codes
        assert [d.message for d in cyclic.result.diagnostics if d.code == "GC201"] == [
            "cycle a → b → a: these legs wait on each other"
        ]
    finally:
        validate.validator.cache_clear()


def test_the_bundled_timezone_file_works_without_a_tz_database(tmp_path):
    """python:3.12-slim may lack tzdata: the bundle carries the schedule's zone file, and it is enough."""
    proc, out = bundle(tmp_path)
    assert proc.returncode == 0, proc.stderr
    probe = (
        "import zoneinfo, datetime; zoneinfo.reset_tzpath([{!r}]); "
        "z = zoneinfo.ZoneInfo('Europe/London'); "
        "print(datetime.datetime(2026, 7, 1, 12, tzinfo=z).utcoffset(), datetime.datetime(2026, 1, 1, 12, tzinfo=z).utcoffset())"
    ).format(str(out / "zoneinfo"))
    result = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1:00:00", "0:00:00"]  # BST in July, GMT in January


@pytest.mark.parametrize(
    "name",
    ['dca"""\nimport os; print("INJECTED")\n"""', "dca\\N", "", "Weekly DCA", "-dca"],
)
def test_a_strategy_name_outside_the_name_pattern_is_a_usage_error(tmp_path, name):
    # audit recur.md 6: the name went into main.py's docstring unescaped (code injection; a backslash
    # made main.py a SyntaxError) and '' fell back to the playbook name. The pattern is the playbook
    # name's (playbook-spec.md §2); the hosted-strategies reference gives none for strategy names.
    proc, out = bundle(tmp_path, "--name", name)
    assert proc.returncode == 2, proc.stderr
    assert "--name" in proc.stderr and "[a-z0-9][a-z0-9._-]*" in proc.stderr
    assert not out.exists()


def test_the_strategy_name_is_a_python_literal_in_main_py(tmp_path):
    proc, out = bundle(tmp_path, "--name", "dca.weekly-2")
    assert proc.returncode == 0, proc.stderr
    source = (out / "main.py").read_text()
    compile(source, "main.py", "exec")
    assert "STRATEGY_NAME = 'dca.weekly-2'\n" in source
    assert tomllib.loads((out / "Sequence.toml").read_text())["strategy"]["name"] == "dca.weekly-2"


def test_an_output_under_a_file_is_a_usage_error(tmp_path):
    # audit recur.md 8: `-o FILE/sub` crashed (NotADirectoryError, exit 4)
    blocker = tmp_path / "afile"
    blocker.write_text("not a directory")
    proc, _ = bundle(tmp_path, "-o", str(blocker / "sub"))
    assert proc.returncode == 2, proc.stderr
    assert "internal error" not in proc.stderr
    assert f"{blocker} is a file, not a directory" in proc.stderr
    assert blocker.read_text() == "not a directory"


QUOTE_SIZED = """\
graphc: 1
name: qdca
schedule:
  cron: "0 14 * * MON"
params:
  budget: {type: number, default: 500}
legs:
  a:
    buy: "{{ (budget / quote('BTC-USD').ask) | round(8, 'floor') }} BTC"
    symbol: BTC-USD
    venue: coinbase
    limit: "{{ (quote('BTC-USD').ask * 1.01) | round(2) }}"
"""


def test_quote_in_a_template_is_a_skip_not_an_error_and_the_rest_is_checked(tmp_path):
    # audit hosted.md 1: GC109 "no quote in the snapshot" refused the bundle, with a hint to a --quotes it lacks
    proc, out = bundle(tmp_path / "a", playbook=QUOTE_SIZED)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr and "--quotes" not in proc.stderr
    assert "skipped: size \"{{ (budget / quote('BTC-USD').ask) | round(8, 'floor') }} BTC\" needs a quote" in (
        proc.stderr
    )
    assert "skipped: price \"{{ (quote('BTC-USD').ask * 1.01) | round(2) }}\" needs a quote for BTC-USD" in proc.stderr
    assert (out / "project" / "dca.yaml").is_file()
    assert (  # the size's GC405 (hedge size) and the price's checks record no skip of their own (review15 2)
        "not checked here, so not passed: the checks that need those values (GC109, GC301, GC302, GC303, GC304, "
        "GC305, GC308, GC309, GC404, GC405, GC406, GC407); everything else was checked"
    ) in proc.stderr
    # what needs no quote is still checked: an unknown key, a bad limit on another leg, a live playbook
    unknown = QUOTE_SIZED.replace("    venue: coinbase\n", "    venue: coinbase\n    limt: 3\n")
    proc, out = bundle(tmp_path / "b", playbook=unknown)
    assert proc.returncode == 1 and "GC102" in proc.stderr and not out.exists()
    other = QUOTE_SIZED + "  b:\n    buy: 0.1 ETH\n    symbol: ETH-USD\n    venue: coinbase\n    limit: -5\n"
    proc, out = bundle(tmp_path / "c", playbook=other)
    assert proc.returncode == 1 and "limit price -5 must be positive" in proc.stderr and not out.exists()
    proc, out = bundle(tmp_path / "d", playbook=QUOTE_SIZED + "sandbox: false\n")
    assert proc.returncode == 2 and "--live" in proc.stderr and not out.exists()
    # and `graphc lint` without --quotes still says GC109: only bundle reads quote() as live
    lint = subprocess.run(
        [sys.executable, "-m", "graphc", "lint", str(tmp_path / "a" / "project" / "dca.yaml")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert lint.returncode == 1 and "GC109" in lint.stdout + lint.stderr


FOR_EACH_QUOTED = """\
graphc: 1
name: bq
schedule:
  cron: "0 14 * * MON"
legs:
  a:
    for_each: 3
    buy: "{{ (1000 / quote('ETH-USD').ask) | round(8, 'floor') }} ETH"
    limit: "{{ (quote('ETH-USD').bid * (1 - index / 1000)) | round(2, 'floor') }}"
    symbol: ETH-USD
    venue: coinbase
"""


def test_a_skipped_value_note_counts_each_occurrence_once_however_many_legs_it_expands_to(tmp_path):
    # review14 4: three for_each legs made it "30 occurrences: 2026-01-05T14:00Z, 2026-01-05T14:00Z, ..."
    proc, _ = bundle(tmp_path, "--now", "2026-01-05T00:00:00Z", playbook=FOR_EACH_QUOTED)
    assert proc.returncode == 0, proc.stderr
    price = "price \"{{ (quote('ETH-USD').bid * (1 - index / 1000)) | round(2, 'floor') }}\" needs a quote for ETH-USD"
    times = "2026-01-05T14:00Z, 2026-01-12T14:00Z, 2026-01-19T14:00Z, ..."
    assert f"graphc: skipped: {price}, read when the strategy runs (10 occurrences: {times})\n" in proc.stderr
    assert "30 occurrences" not in proc.stderr and proc.stderr.count("10 occurrences: ") == 2


OFF_TICK = """\
graphc: 1
name: bk
schedule:
  cron: "0 14 * * MON"
legs:
  a:
    buy: 100 contracts
    limit: "{{ quote('KXFEDDECISION-26DEC-C25').bid * 0.997 }}"
    symbol: KXFEDDECISION-26DEC-C25
    venue: kalshi
"""


def test_the_skip_note_names_the_price_checks_a_quote_based_limit_leaves_unrun(tmp_path):
    # review15 2: off Kalshi's 0.01 tick at almost any bid (0.40 * 0.997 = 0.3988, GC303 with the price written out),
    # yet the note named only GC109 and GC309 and said "everything else was checked"
    proc, out = bundle(tmp_path, "--now", "2026-01-05T00:00:00Z", playbook=OFF_TICK)
    assert proc.returncode == 0, proc.stderr
    assert (
        "graphc: not checked here, so not passed: the checks that need those values "
        "(GC109, GC303, GC304, GC308, GC309, GC404, GC406, GC407); everything else was checked\n"
    ) in proc.stderr
    assert (out / "project" / "dca.yaml").is_file()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        # review13 3: the unit, the words and the money mark need no quote; each would fail every run
        (("round(8, 'floor') }} BTC", "round(8, 'floor') }} ETH"), "is in ETH but BTC-USD trades BTC"),
        (("round(8, 'floor') }} BTC", "round(8, 'floor') }} bananas and more"), "as a quantity"),
        (('round(2) }}"', 'round(2) }} EUR"'), "as a price"),
        (("| round(8, 'floor') }} BTC", "}}"), "computed from money param"),
    ],
)
def test_a_quote_based_value_of_the_wrong_form_is_refused(tmp_path, change, words):
    playbook = QUOTE_SIZED.replace(*change).replace("{type: number, default: 500}", "{type: money, default: $500}")
    assert playbook != QUOTE_SIZED.replace("{type: number, default: 500}", "{type: money, default: $500}")
    proc, out = bundle(tmp_path / "a", playbook=playbook)
    assert proc.returncode == 1 and "GC105" in proc.stderr and words in proc.stderr, proc.stderr
    assert not out.exists()


def test_a_use_symlink_loop_is_a_lint_error_not_a_crash(tmp_path):
    # review13 2: the looping `use:` path was resolved for the bundle's file list before its GC107 refused it
    playbook = QUOTE_SIZED.replace("  a:\n", "  t:\n    use: ./templates/loop.yaml\n  a:\n", 1)
    (tmp_path / "a" / "project" / "templates").mkdir(parents=True)
    os.symlink("loop.yaml", tmp_path / "a" / "project" / "templates" / "loop.yaml")
    proc, _ = bundle(tmp_path / "a", playbook=playbook)
    assert proc.returncode == 1 and "GC107" in proc.stderr and "internal error" not in proc.stderr, proc.stderr


def test_quote_outside_a_size_or_limit_is_gc109_in_a_bundle(tmp_path):
    # review13 4: only a size or a `limit` is left to the live quote; elsewhere the template text was read as the
    # value ("cannot read '{{ ... }}bps' as bps")
    playbook = QUOTE_SIZED.replace(
        "    venue: coinbase\n", "    venue: coinbase\n    slippage: \"{{ 10 if quote('BTC-USD').ask else 20 }}bps\"\n"
    )
    proc, _ = bundle(tmp_path / "a", playbook=playbook)
    assert proc.returncode == 1 and "GC109" in proc.stderr and "no quote for BTC-USD" in proc.stderr, proc.stderr
    assert "cannot read" not in proc.stderr


def test_a_warning_given_a_relative_path_is_shown_with_its_snippet_as_lint_shows_it(tmp_path):
    """A lint warning of a bundle written from `graphc bundle dca.yaml` (a relative path) was printed without its
    line: the bundle command read the file under the path as typed while the diagnostics name the resolved one, so
    the text it read was never used. It is shown through lint.located_result now, as lint shows it (at the path
    the bundle linted: the resolved one)."""
    project = tmp_path / "project"
    path = make_project(project, PLAYBOOK.replace("venue: coinbase", "venue: zzz"))
    env = {**os.environ, "PYTHONPATH": str(REPO), "SEQUENCE_API_KEY": CANARY, "NO_COLOR": "1"}
    run = [sys.executable, "-m", "graphc"]
    proc = subprocess.run(
        [*run, "bundle", "dca.yaml", "-o", "out", "--now", "2026-01-07T09:00:00Z"],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
    )
    assert proc.returncode == 0, proc.stderr
    linted = subprocess.run(
        [*run, "lint", "--no-cache", "dca.yaml"], capture_output=True, text=True, env=env, cwd=project
    )
    lint_block = linted.stdout.split("\n\n")[0]
    assert lint_block.startswith("dca.yaml:13:12: warning GC307 unknown venue 'zzz'"), linted.stdout
    assert "\n   |\n13 |     venue: zzz\n   |            ^~~\n" in lint_block
    # the bundle linted the resolved path, which every report shows relative to the working directory, as lint
    # does (audit reports23 3; it was shown absolute)
    assert proc.stderr.split("\n\n")[0] == lint_block
    assert str(path.resolve()).startswith(str(project.resolve()))  # (the file the bundle linted is under the cwd)


def test_a_config_that_is_a_link_out_of_the_project_is_refused_and_nothing_is_written(tmp_path):
    """audit sched20 2 copied a graphc.toml linked to a shared desk config outside the project by content; a link out
    of the project is no config graphc reads now, in any command (audit sec29 1: a repository's link to the
    credentials file was read and shown, and the bundle would have copied it for upload): GC100 at the link, exit
    1, no bundle."""
    shared = tmp_path / "desk" / "shared.toml"
    shared.parent.mkdir()
    shared.write_text('[markets."BTC-USD"]\ntick = 5\n\n[rules]\nGC502 = "off"\n')

    def link(project: Path) -> None:
        (project / "graphc.toml").unlink()
        (project / "graphc.toml").symlink_to(shared)

    proc, out = bundle(tmp_path / "a", prepare=link)
    assert proc.returncode == 1, proc.stderr
    assert "graphc.toml: error GC100 cannot read config file: it is a symbolic link to" in proc.stderr, proc.stderr
    assert "copy the file into the repository" in proc.stderr
    assert "GC502" not in proc.stderr  # (its text is not shown)
    assert not out.exists()


def test_a_config_linked_inside_the_project_is_the_bundles_graphc_toml(tmp_path):
    # a link to a file of the project: the config is still at the root of the bundle, under its own name (the
    # bundle's project root is found by it), not only at the target's path
    project = tmp_path / "a" / "project"

    def link(project: Path) -> None:
        (project / "conf").mkdir()
        (project / "graphc.toml").rename(project / "conf" / "desk.toml")
        (project / "graphc.toml").symlink_to("conf/desk.toml")

    proc, out = bundle(tmp_path / "a", prepare=link)
    assert proc.returncode == 0, proc.stderr
    copied = out / "project" / "graphc.toml"
    assert not copied.is_symlink() and copied.read_text() == '[rules]\nGC502 = "off"\n'
    assert f"graphc.toml is a link to {project / 'conf' / 'desk.toml'}" in " ".join(proc.stderr.split())


QUOTES = REPO / "examples" / "quotes.yaml"
APRIL = "2026-04-06T13:00:00Z"  # the first Monday of April, 14:00 in London (BST)
QUARTERLY = """\
graphc: 1
name: qdca
schedule: {cron: "0 14 * * MON", timezone: Europe/London, catch_up: 2h}
legs:
  main:
    use: "./t/{{ 'quarter' if today[5:7] in ['01','04','07','10'] and today[8:] | int <= 7 else 'regular' }}.yaml"
"""


def test_a_use_written_as_an_expression_bundles_every_template_of_the_project(tmp_path):
    """audit sched20 1: the templates a bundle held were those the next ten occurrences rendered, so a quarterly
    leg (first Monday of January, April, July, October) bundled in late January was missing in April: GC107 at
    that occurrence, logged `missed`, the $2000 buy never made."""

    def templates(project: Path) -> None:
        leg = "graphc-template: 1\nlegs:\n  buy: {{buy: ${}, symbol: BTC-USD, venue: coinbase}}\n"
        (project / "t").mkdir()
        (project / "t" / "regular.yaml").write_text(leg.format(500))
        (project / "t" / "quarter.yaml").write_text(leg.format(2000))
        (project / "t" / "notes.yaml").write_text("not: a template\n")  # `use:` refuses it (GC107): not copied
        (project / "t" / "ci.json").write_text('{"token": "not for the router"}\n')
        (project / ".graphc").mkdir()  # graphc's own state, and hidden folders: never copied
        (project / ".graphc" / "old.yaml").write_text(leg.format(1))
        (project / ".hidden").mkdir()
        (project / ".hidden" / "h.yaml").write_text(leg.format(1))

    proc, out = bundle(tmp_path, playbook=QUARTERLY, prepare=templates)  # bundled on 7 January 2026
    assert proc.returncode == 0, proc.stderr
    project = sorted(p.relative_to(out / "project").as_posix() for p in all_files(out / "project"))
    assert project == [
        "dca.yaml",
        "graphc.toml",
        "t/quarter.yaml",
        "t/regular.yaml",
        "templates/perp-hedge.yaml",
        "templates/unused.yaml",
    ], project
    said = " ".join(proc.stderr.split())
    assert (
        "graphc: note: dca.yaml has a `use:` written as an expression, which names its template only when an "
        "occurrence is rendered: every template file of the project root"
    ) in said, said
    assert "4 template files copied, 3 of them used by none of the next occurrences" in said, said

    # the April occurrence renders from the bundle as from the project: the quarterly template is there
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    graphs = []
    for folder, now in ((tmp_path / "project", "2026-01-12T14:00:00Z"), (tmp_path / "project", APRIL), (out, APRIL)):
        compiled = subprocess.run(
            [sys.executable, "-m", "graphc", "compile", "dca.yaml", "--now", now, "--quotes", str(QUOTES)],
            capture_output=True,
            text=True,
            cwd=folder / "project" if folder == out else folder,
            env=env,
        )
        assert compiled.returncode == 0, compiled.stderr
        graphs.append(compiled.stdout)
    regular, quarterly, bundled = graphs
    assert quarterly == bundled and quarterly != regular


def test_a_literal_use_no_next_occurrence_reaches_is_bundled_and_only_what_is_named(tmp_path):
    """A literal `use:` under a `for_each` that a date empties (an April leg, bundled in January) names its
    template on every date: it is bundled though none of the next occurrences renders it. Static `use:` paths stay
    precise: a template nothing names (templates/unused.yaml) is not copied, and nothing is said."""
    april_leg = (
        "  april:\n    for_each: \"{{ [1] if today[5:7] == '04' and today[8:] | int <= 7 else [] }}\"\n"
        "    use: ./t/april.yaml\n"
    )

    def templates(project: Path) -> None:
        (project / "t").mkdir()
        (project / "t" / "april.yaml").write_text(
            "graphc-template: 1\nlegs:\n  x: {buy: 0.001, symbol: ETH-USD, venue: coinbase, limit: 3000}\n"
        )

    proc, out = bundle(tmp_path, playbook=PLAYBOOK + april_leg, prepare=templates)
    assert proc.returncode == 0, proc.stderr
    project = sorted(p.relative_to(out / "project").as_posix() for p in all_files(out / "project"))
    assert project == ["dca.yaml", "graphc.toml", "t/april.yaml", "templates/perp-hedge.yaml"], project
    assert "note:" not in proc.stderr


LINKED = """\
graphc: 1
name: d
schedule: {cron: "0 * * * *", catch_up: 10m}
legs:
  a: {use: ./t/link.yaml}
"""


def test_a_template_reached_through_a_link_refuses_the_bundle_it_would_break(tmp_path):
    """A `use:` template reached through a symbolic link inside the project was bundled at the link's target only,
    so `use: ./t/link.yaml` was GC107 in the bundle (every occurrence `missed`) while bundle said nothing. The bundle
    proves itself from its own copy before it is reported written: refused, naming the link, and an earlier bundle
    at OUT is removed, as a failed `-o` of any command is."""

    def link(project: Path) -> None:
        (project / "real").mkdir()
        (project / "real" / "x.yaml").write_text(
            "graphc-template: 1\nlegs:\n  x: {buy: 0.001, symbol: ETH-USD, venue: coinbase, limit: 3000}\n"
        )
        (project / "t").mkdir()
        (project / "t" / "link.yaml").symlink_to("../real/x.yaml")

    earlier, out = bundle(tmp_path / "earlier")  # an earlier bundle at OUT
    assert earlier.returncode == 0, earlier.stderr
    (tmp_path / "a").mkdir()
    out.rename(tmp_path / "a" / "out")
    proc, out = bundle(tmp_path / "a", playbook=LINKED, prepare=link)
    said = " ".join(proc.stderr.split())
    assert proc.returncode == 1, said
    assert "graphc: bundle not written:" in said and "from the bundle's own copy" in said, said
    assert "GC107 template file not found: ./t/link.yaml" in said, said
    assert (
        "t/link.yaml is a symbolic link inside the project (to ../real/x.yaml); the bundle cannot hold links: "
        "replace it with the file"
    ) in said, said
    assert not out.exists() and not list(out.parent.glob(".graphc-bundle-*")), list(out.parent.iterdir())
    assert f"removed {out} (an earlier bundle)" in said, said


def test_a_folder_reached_through_a_link_is_named_as_the_link(tmp_path):
    def link(project: Path) -> None:
        (project / "real").mkdir()
        (project / "real" / "link.yaml").write_text(
            "graphc-template: 1\nlegs:\n  x: {buy: 0.001, symbol: ETH-USD, venue: coinbase, limit: 3000}\n"
        )
        (project / "t").symlink_to("real")

    proc, out = bundle(tmp_path, playbook=LINKED, prepare=link)
    said = " ".join(proc.stderr.split())
    assert proc.returncode == 1 and not out.exists(), said
    assert "t is a symbolic link inside the project (to real); the bundle cannot hold links" in said, said


def test_a_bundle_proves_itself_from_its_own_copy(tmp_path):
    """The bundle's project/ is linted as the hosted strategy reads it ([hosted.env] of Sequence.toml: the playbook,
    GRAPHC_SET, GRAPHC_PARAMS, the bundled config) at each occurrence bundle checks, and makes the graph the project
    makes: said on stdout."""
    params = tmp_path / "params.yaml"
    params.write_text("weekly_budget: $600\n")
    proc, _ = bundle(tmp_path, "--params", str(params), "--set", "weekly_budget=750")
    assert proc.returncode == 0, proc.stderr
    assert (
        "checked: the bundle's own copy makes the same graph as the project at each of the 10 occurrences linted"
    ) in " ".join(proc.stdout.split()), proc.stdout


def test_a_bundle_whose_copy_makes_another_graph_is_refused_naming_the_first_difference(tmp_path):
    """The proof compares graphs, not only lint verdicts: a copy that lints but makes another graph (here a copied
    template edited after the occurrences were checked) is refused with the first line of the wire JSON that
    differs. Run on a real bundle directory, the way write_bundle runs it on its staging directory."""
    from graphc.bundle import BundleError, BundleSettings, _check_occurrences, _prove
    from graphc.files import find_project_root
    from graphc.schedule import read_scheduled

    proc, out = bundle(tmp_path)
    assert proc.returncode == 0, proc.stderr
    playbook = (tmp_path / "project" / "dca.yaml").resolve()
    settings = BundleSettings(playbook, out, now=datetime(2026, 1, 7, 9, tzinfo=UTC))
    checked = _check_occurrences(playbook, find_project_root(playbook), read_scheduled(playbook), settings)[-1]
    _prove(out, checked)  # the bundle as written: the same graphs
    hedge = out / "project" / "templates" / "perp-hedge.yaml"
    hedge.write_text(hedge.read_text().replace("slippage: 25bps", "slippage: 30bps"))
    with pytest.raises(BundleError) as refused:
        _prove(out, checked)
    assert refused.value.exit_code == 1
    assert str(refused.value).startswith(
        "the occurrence at 2026-01-12T14:00Z, linted again from the bundle's own copy (project/, as the hosted "
        "strategy reads it), makes another graph than the project: line "
    ), refused.value
    assert '"max_slippage_bps": 30' in str(refused.value) and '"max_slippage_bps": 25' in str(refused.value)


def test_bundling_again_into_an_output_inside_the_project_never_copies_the_earlier_bundle(tmp_path):
    """audit hosted27 1: with a `use:` written as an expression, a bundle written inside the project (`-o strategy`
    from the project root, as the docs show) was read again by the next bundle: 1, 2, 3 template files copied,
    project/strategy/project/strategy/... nesting one level deeper and the artifact's bytes new at each run. Any
    folder holding graphc-bundle.json (an earlier bundle, wherever it was written) and the -o target are skipped."""
    project = tmp_path / "project"
    path = make_project(project, QUARTERLY)
    (project / "t").mkdir()
    leg = "graphc-template: 1\nlegs:\n  buy: {{buy: ${}, symbol: BTC-USD, venue: coinbase}}\n"
    (project / "t" / "regular.yaml").write_text(leg.format(500))
    (project / "t" / "quarter.yaml").write_text(leg.format(2000))
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def run(out: str) -> subprocess.CompletedProcess:
        args = [sys.executable, "-m", "graphc", "bundle", str(path), "-o", out, "--now", "2026-01-07T09:00:00Z"]
        return subprocess.run(args, capture_output=True, text=True, env=env, cwd=project)

    artifacts, listings = [], []
    for _ in range(3):
        proc = run("strategy")
        assert proc.returncode == 0, proc.stderr
        assert "4 template files copied" in " ".join(proc.stderr.split()), proc.stderr
        listings.append(sorted(p.relative_to(project / "strategy").as_posix() for p in all_files(project / "strategy")))
        artifacts.append(build_artifact(project / "strategy")[0])
    assert artifacts[0] == artifacts[1] == artifacts[2]
    assert listings[0] == listings[2] and not any(p.startswith("project/strategy/") for p in listings[0])
    # a bundle written elsewhere in the project earlier (another -o) is no template folder either
    proc = run("other")
    assert proc.returncode == 0, proc.stderr
    other = [p.relative_to(project / "other").as_posix() for p in all_files(project / "other")]
    assert not any(p.startswith("project/strategy/") for p in other), other
