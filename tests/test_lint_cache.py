"""`graphc lint` with its cache: the same report as without it, in every format, and never a stale verdict.

The store itself (graphc/cache.py: keys, validation, atomic writes) is tested in
tests/test_cache.py; these tests run the command. conftest.py turns the cache
off for the rest of the suite (GRAPHC_NO_CACHE=1: a test that patches graphc's
internals must not be served what the unpatched code found); here it is on.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import graphc.commands.lint
from graphc.cli import cli
from tests.bench_corpus import make_corpus
from tests.conftest import EXAMPLES, REPO

FORMATS = ("text", "json", "sarif", "github", "junit")
CANARY = "sk-canary-7f3a9c1e5b2d4f6a8c0e"
NOW = ["--now", "2026-01-05T09:00:00Z"]  # btc-weekly-dca.yaml reads `today`: unfixed, it is linted every run


@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    monkeypatch.delenv("GRAPHC_NO_CACHE", raising=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project like a desk's: the examples (templates, quotes), 60 generated playbooks, a wire graph,
    a file with a syntax error, a YAML file that is not graphc's, and a graphc.toml."""
    root = tmp_path / "desk"
    shutil.copytree(EXAMPLES, root / "plays")
    make_corpus().write_corpus(60, root / "plays" / "generated")
    shutil.copy(REPO / "tests" / "data" / "reference" / "full-graph.json", root / "plays" / "full-graph.json")
    (root / "plays" / "broken.yaml").write_text("graphc: 1\nname: broken\nlegs: {a: [\n")
    (root / "plays" / "ci.yaml").write_text("jobs: {test: {runs-on: ubuntu-latest}}\n")
    (root / "graphc.toml").write_text('[rules]\nGC405 = "warning"\n')
    (root / ".git").mkdir()  # the project root: the cache goes to desk/.graphc/cache
    monkeypatch.chdir(root)
    return root


def lint(*args, env=None):
    result = CliRunner().invoke(cli, ["lint", *map(str, args)], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture
def linted(monkeypatch):
    """The paths linted (not served from the cache) in this process; pass `-j 1` to see them all."""
    calls = []
    original = graphc.commands.lint.lint_path

    def spy(path, *args, **kwargs):
        calls.append(str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(graphc.commands.lint, "lint_path", spy)
    return calls


def cache_files(root):
    return sorted((root / ".graphc" / "cache").glob("lint-*.json"))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("quotes", [False, True], ids=["no-quotes", "quotes"])
def test_the_report_is_byte_identical_with_and_without_the_cache(project, linted, fmt, quotes):
    args = ["plays", "-f", fmt, *NOW, *(["--quotes", "plays/quotes.yaml"] if quotes else [])]
    uncached = lint(*args, "--no-cache")
    assert not (project / ".graphc").exists()  # --no-cache neither reads nor writes
    assert uncached[0] == 1 and "GC100" in uncached[1]  # the broken file: findings, so the test can tell
    cold = lint(*args)
    assert cold == uncached
    assert len(cache_files(project)) == 1
    linted.clear()
    warm = lint(*args, "-j", "1")
    assert linted == [] and warm == uncached


@pytest.mark.parametrize("explain", [False, True])
def test_skipped_checks_come_back_exactly(project, linted, explain):
    args = ["plays/generated", "-j", "1", *(["--explain-skips"] if explain else [])]
    uncached = lint(*args, "--no-cache")
    assert "checks skipped" in uncached[1]
    lint(*args)
    linted.clear()
    assert lint(*args) == uncached and linted == []


def test_whatever_decides_a_verdict_is_part_of_the_key(project, monkeypatch):
    """Change each input of a verdict in turn: the cached run always equals a run without the cache,
    and each change does change the report (else this test would prove nothing)."""
    hedged = ["plays/eth-spot-hedged.yaml", "plays/btc-spot-hedged.yaml", "plays/btc-twap.yaml"]
    params = project / "params.yaml"
    params.write_text("n: 2\n")

    def check(*extra, env=None):
        args = [*hedged, *extra]
        uncached = lint(*args, "--no-cache", env=env)
        assert lint(*args, env=env) == uncached  # the first run with these inputs (it may meet a stale entry)
        assert lint(*args, env=env) == uncached  # served from the cache
        return uncached

    reports = [check()]
    reports.append(check("--quotes", "plays/quotes.yaml"))
    quotes = project / "plays" / "quotes.yaml"
    quotes.write_text(
        quotes.read_text().replace("ETH-USD: {bid: 2325.10, ask: 2325.53", "ETH-USD: {bid: 9000, ask: 9001")
    )
    reports.append(check("--quotes", "plays/quotes.yaml"))  # the snapshot's content, not only its name
    template = project / "plays" / "templates" / "perp-hedge.yaml"
    template.write_text(template.read_text().replace("policy: aggressive_chase", "policy: aggressive-chase"))
    reports.append(check())  # the template both hedged playbooks use
    (project / "graphc.toml").write_text('[rules]\nGC405 = "warning"\nGC103 = "warning"\n')
    reports.append(check())  # the config
    reports.append(check("--ignore", "GC103"))
    reports.append(check("--select", "GC103"))
    reports.append(check("--select", "GC103", "--explain-skips"))
    reports.append(check("--config", 'rules.GC103 = "off"'))
    (project / "plays" / "btc-twap.yaml").write_text(
        (EXAMPLES / "btc-twap.yaml")
        .read_text()
        .replace("buy: $250k", "buy: ${{ n * 100 }}k")
        .replace("name: ", "params: {n: {type: number, default: 1}}\nname: ")
    )
    reports.append(check("--params", str(params), "--quotes", "plays/quotes.yaml"))
    params.write_text("n: 5\n")
    reports.append(check("--params", str(params), "--quotes", "plays/quotes.yaml"))  # the params file's content
    reports.append(check("--set", "n=4", "--quotes", "plays/quotes.yaml"))
    same = [i for i, (a, b) in enumerate(itertools.pairwise(reports)) if a == b]
    assert not same, f"each change must change the report: {same} {[reports[i][1] for i in same]}"


def test_a_limit_the_environment_sets_is_part_of_the_key(project):
    """GRAPHC_MAX_* limits are read when graphc starts, so this runs graphc as a process, as CI does."""

    def run(*args, env=None):
        proc = _graphc("lint", "plays/btc-spot-hedged.yaml", *args, cwd=project, env=env)
        return proc.communicate(timeout=120)[0], proc.returncode

    plain = run()
    assert run() == plain == run("--no-cache")
    limited = run(env={"GRAPHC_MAX_LEGS": "1"})
    assert limited == run("--no-cache", env={"GRAPHC_MAX_LEGS": "1"})
    assert limited != plain and "GC103" in limited[0]


def test_a_template_that_appears_later_is_found(project):
    playbook = project / "plays" / "uses-missing.yaml"
    playbook.write_text(
        (EXAMPLES / "eth-spot-hedged.yaml").read_text().replace("./templates/perp-hedge.yaml", "./later/hedge.yaml")
    )
    first = lint(playbook, "-f", "json")
    assert "template file not found" in first[1]
    (project / "plays" / "later").mkdir()
    shutil.copy(project / "plays" / "templates" / "perp-hedge.yaml", project / "plays" / "later" / "hedge.yaml")
    assert lint(playbook, "-f", "json") == lint(playbook, "-f", "json", "--no-cache")
    assert "template file not found" not in lint(playbook, "-f", "json")[1]


def test_a_playbook_reading_the_clock_is_linted_each_time_unless_now_is_fixed(project, linted):
    timed = project / "plays" / "timed.yaml"
    timed.write_text(
        "graphc: 1\nname: timed\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: 2000, "
        'twap: "{{ 8 - now.isoweekday() }} slices every 1m"}\n'
    )
    lint(timed)
    lint(timed)
    assert linted == [str(timed)] * 2  # not stored: its verdict may depend on when it runs
    lint(timed, *NOW)
    lint(timed, *NOW)
    assert linted == [str(timed)] * 3  # --now fixes the time: kept


# `now`/`today` read through a YAML escape: the word is in what YAML gives the renderer, not in the file (ci16 2)
CLOCK_REST = "    symbol: BTC-USD\n    venue: coinbase\n    limit: 60000\n"
CLOCK_LEGS = {
    "hex escape": 'legs:\n  buy:\n    buy: "{{ 0.001 if n\\x6fw.second % 2 == 0 else 1 }}"\n' + CLOCK_REST,
    "escaped line break": 'legs:\n  buy:\n    buy: "{{ 0.001 if no\\\n      w.second % 2 == 0 else 1 }}"\n'
    + CLOCK_REST,
    "template": "legs:\n  buy:\n    use: ./tpl/clock.yaml\n",
}
CLOCK_TEMPLATE = (
    "graphc-template: 1\nlegs:\n  buy:\n    buy: \"{{ 0.001 if t\\x6fday[-1] in '02468' else 1 }}\"\n" + CLOCK_REST
)


@pytest.mark.parametrize("spelling", list(CLOCK_LEGS))
def test_a_playbook_reading_the_clock_through_an_escape_is_never_cached(project, linted, spelling):
    """Whether a file reads the clock is what its render evaluated, not whether its text spells `now`/`today`:
    a cached "no problems" replayed at a time the uncached lint says GC501 would be a false pass (ci16 2)."""
    (project / "plays" / "tpl").mkdir()
    (project / "plays" / "tpl" / "clock.yaml").write_text(CLOCK_TEMPLATE)
    timed = project / "plays" / "timed.yaml"
    timed.write_text("graphc: 1\nname: timed\nrisk:\n  max_notional: $1k\n" + CLOCK_LEGS[spelling])
    assert not any(word in timed.read_text() + CLOCK_TEMPLATE for word in ("now", "today"))
    for _ in range(3):
        lint(timed, "-f", "json")
    assert linted == [str(timed)] * 3  # the time not fixed, it is linted every run: never replayed from the cache
    assert not any(str(timed) in json.loads(path.read_bytes())["entries"] for path in cache_files(project))
    # its verdict follows the clock: $60 at an even second (and date), $60,000 over the $1k limit at an odd one;
    # with --now fixing the time it is kept, and the cached report is the uncached one
    even, odd = (["--now", f"2026-01-0{d}T09:00:0{d}Z"] for d in (4, 5))
    assert lint(timed, *even, "--no-cache") == lint(timed, *even) == lint(timed, *even)
    assert lint(timed, *even)[0] == 0
    assert lint(timed, *odd, "--no-cache") == lint(timed, *odd) == lint(timed, *odd)
    assert lint(timed, *odd)[0] == 1 and "GC501" in lint(timed, *odd)[1]
    assert linted == [str(timed)] * 7  # each --now linted twice (once --no-cache), then served from the cache


def test_a_playbook_that_never_reads_the_clock_is_cached_whatever_its_text_says(project, linted):
    """The words `now` and `today` in a name, a comment or a param's text read no clock: the file is kept."""
    plain = project / "plays" / "plain.yaml"
    plain.write_text(
        "graphc: 1\nname: buy-now  # hedge today\nparams:\n  size: {type: quantity, default: 1 ETH}\n"
        'legs:\n  now: {buy: "{{ size }}", symbol: ETH-USD, limit: 2000}\n'
    )
    first = lint(plain, "-f", "json")
    assert lint(plain, "-f", "json") == first == lint(plain, "-f", "json", "--no-cache")
    assert linted == [str(plain)] * 2  # the second run was served from the cache (the third is --no-cache)


@pytest.mark.parametrize(
    "content", [b"\x00\x01garbage", b"[]", b'{"format": "graphc-lint-cache", "version": 2, "entries": []}']
)
def test_a_corrupt_or_foreign_cache_file_is_ignored_and_rewritten(project, content):
    uncached = lint("plays", "--no-cache")
    lint("plays")
    (path,) = cache_files(project)
    path.write_bytes(content)
    assert lint("plays") == uncached
    data = json.loads(path.read_bytes())
    assert data["format"] == "graphc-lint-cache" and len(data["entries"]) > 60


@pytest.mark.parametrize("result", [[], "x", 7, False])
def test_an_entry_whose_result_is_not_an_object_is_linted_again_and_rewritten(project, linted, result):
    """Audit compat27 4: such an entry (a cache a killed job wrote) crashed every `graphc lint` (exit 4), and was
    never replaced; the module promises an entry of the wrong shape is ignored and rewritten on the next save."""
    plain = project / "plays" / "btc-twap.yaml"
    uncached = lint(plain, "--no-cache")
    assert lint(plain) == uncached
    (path,) = cache_files(project)
    data = json.loads(path.read_bytes())
    (name,) = [n for n in data["entries"] if n.endswith("btc-twap.yaml")]
    stored = data["entries"][name]["result"]
    data["entries"][name]["result"] = result
    path.write_text(json.dumps(data))
    assert lint(plain) == uncached
    assert json.loads(path.read_bytes())["entries"][name]["result"] == stored  # rewritten
    assert lint(plain) == uncached
    assert linted == [str(plain)] * 3  # --no-cache, the first run, the run after the bad entry; not the last


def test_no_cache_and_the_environment_variable_neither_read_nor_write(project):
    uncached = lint("plays/eth-hedge.yaml", "-f", "json")
    (path,) = cache_files(project)
    data = json.loads(path.read_bytes())
    entry = data["entries"]["plays/eth-hedge.yaml"]
    entry["result"]["diagnostics"] = [
        {
            "code": "GC999",
            "message": "planted",
            "path": "x",
            "span": None,
            "severity": "error",
            "hint": None,
            "related": [],
        }
    ]
    path.write_text(json.dumps(data))
    assert "planted" in lint("plays/eth-hedge.yaml", "-f", "json")[1]  # proof that this entry is the one read
    assert lint("plays/eth-hedge.yaml", "-f", "json", "--no-cache") == uncached
    assert lint("plays/eth-hedge.yaml", "-f", "json", env={"GRAPHC_NO_CACHE": "1"}) == uncached
    assert path.read_text() == json.dumps(data)  # neither rewrote it


def test_nothing_secret_goes_into_the_cache(project):
    env = {"SEQUENCE_API_KEY": CANARY, "GRAPHC_API_KEY": CANARY}
    lint("plays", "--quotes", "plays/quotes.yaml", env=env)
    lint("plays", env=env)
    stored = [p for p in (project / ".graphc").rglob("*") if p.is_file()]
    assert stored and not [p for p in stored if CANARY.encode() in p.read_bytes()]


def _graphc(*args, cwd, env=None):
    environment = {k: v for k, v in os.environ.items() if k != "GRAPHC_NO_CACHE"}
    environment.update(env or {}, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "graphc", *args], cwd=cwd, env=environment, stdout=subprocess.PIPE, text=True
    )


def test_concurrent_runs_with_jobs_never_corrupt_it(project):
    for edit in range(3):
        # each round changes some files, so both runs store entries and write the file at about the same time
        for path in sorted((project / "plays" / "generated").glob("*.yaml"))[edit::5]:
            path.write_text(path.read_text() + f"# edit {edit}\n")
        expected = lint("plays", "--no-cache", "-j", "1")[1]
        runs = [_graphc("lint", "plays", "-j", "2", cwd=project) for _ in range(2)]
        outputs = [run.communicate(timeout=300)[0] for run in runs]
        assert outputs == [expected, expected]
        (path,) = cache_files(project)
        assert json.loads(path.read_bytes())["format"] == "graphc-lint-cache"
        assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]
    assert lint("plays", *NOW) == lint("plays", "--no-cache", *NOW)


def test_jobs_give_the_same_report_as_one_process(project):
    for fmt in ("text", "json", "sarif"):
        one = lint("plays", "-f", fmt, "--no-cache", "-j", "1")
        assert lint("plays", "-f", fmt, "--no-cache", "-j", "2") == one
        assert lint("plays", "-f", fmt, "--no-cache", "-j", "auto") == one
        assert lint("plays", "-f", fmt, "-j", "2") == one  # filling the cache from workers
        assert lint("plays", "-f", fmt, "-j", "2") == one


def test_auto_jobs_start_a_pool_only_where_it_pays(monkeypatch):
    from graphc.commands.lint import FILES_PER_WORKER, _workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert _workers("auto", FILES_PER_WORKER - 1) == 1  # too few files: this process lints them
    assert _workers("auto", 2 * FILES_PER_WORKER) == 2
    assert _workers("auto", 100 * FILES_PER_WORKER) == 4  # never more than the cores
    monkeypatch.setattr(os, "getloadavg", lambda: (3.5, 3.0, 3.0))
    assert _workers("auto", 100 * FILES_PER_WORKER) == 1  # the cores are busy: workers would only take turns
    assert _workers(3, 2) == 2 and _workers(3, 100) == 3  # -j N: N, at most one per file


def test_cache_clean_removes_the_cache_and_keeps_the_ledger(project):
    lint("plays")
    ledger = project / ".graphc" / "ledger.sqlite"
    ledger.write_bytes(b"runs")
    result = CliRunner().invoke(cli, ["cache", "clean"])
    assert result.exit_code == 0 and result.stdout == "removed .graphc/cache\n"
    assert not (project / ".graphc" / "cache").exists() and ledger.read_bytes() == b"runs"
    result = CliRunner().invoke(cli, ["cache", "clean"])
    assert result.stdout == "no lint cache at .graphc/cache\n"


@contextlib.contextmanager
def unremovable(folder):
    """``folder`` made so that its entries cannot be removed, as a read-only mount or another user's folder is:
    a folder without write permission, or (for root, whom permissions do not stop) an immutable file in it."""
    victim = next(p for p in sorted(folder.iterdir()) if p.is_file())
    folder.chmod(0o500)
    immutable = False
    try:
        probe = folder / "probe"
        try:
            probe.write_bytes(b"")
        except OSError:
            pass  # permissions hold
        else:
            probe.unlink()
            done = subprocess.run(["chattr", "+i", victim], capture_output=True, check=False)
            if done.returncode != 0:
                pytest.skip("no way here to make a file that cannot be removed (root, no chattr)")
            immutable = True
        yield victim
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", victim], capture_output=True, check=True)
        folder.chmod(0o700)


def test_cache_clean_of_a_cache_it_cannot_remove_says_why_in_one_line(project):
    # audit ci28 3: rmtree's OSError (read-only file system, EACCES, EBUSY) went out as an internal error, exit 4.
    lint("plays")
    folder = project / ".graphc" / "cache"
    with unremovable(folder) as victim:
        result = CliRunner().invoke(cli, ["cache", "clean"])
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        line = result.stderr
        assert line.count("\n") == 1 and line.startswith("graphc: error: cannot remove .graphc/cache: ")
        assert ("Permission denied" in line or "Operation not permitted" in line) and "internal" not in line
        assert victim.exists()
    result = CliRunner().invoke(cli, ["cache", "clean"])  # once it can be removed, it is
    assert (result.exit_code, result.stdout) == (0, "removed .graphc/cache\n")


def test_graphc_folder_made_by_the_cache_is_private_as_the_ledgers(tmp_path, monkeypatch):
    # docs/submitting.md §The ledger: "A new `.graphc/` directory (mode 0700) gets a `.gitignore`"; lint usually
    # runs first (pre-commit, CI), so the cache must make it as the ledger would. umask 022: the usual default.
    from graphc.api.ledger import Ledger

    for first in ("lint", "ledger"):
        root = tmp_path / first
        (root / ".git").mkdir(parents=True)
        shutil.copy(EXAMPLES / "eth-hedge.yaml", root / "hedge.yaml")
        monkeypatch.chdir(root)
        old = os.umask(0o022)
        try:
            if first == "ledger":
                Ledger(root / ".graphc" / "ledger.sqlite").close()
            assert lint("hedge.yaml")[0] == 0
            Ledger(root / ".graphc" / "ledger.sqlite").close()
        finally:
            os.umask(old)
        assert (root / ".graphc" / "cache" / "CACHEDIR.TAG").exists()  # the cache was used
        for folder in (root / ".graphc", root / ".graphc" / "cache"):
            assert oct(os.stat(folder).st_mode & 0o777) == oct(0o700), (first, folder)
        assert (root / ".graphc" / ".gitignore").read_text() == "*\n"
        assert oct(os.stat(root / ".graphc" / "ledger.sqlite").st_mode & 0o777) == oct(0o600)


# -- symlinks: a link retargeted is a change; a linked cache folder is never written through -------------------

# a one-leg template on ETH-USD (examples/quotes.yaml: tick 0.01); LIMIT is on the tick in v1 and off it in v2,
# so v2 is a GC303 error (spec: a price must be on the venue's tick) and v1 lints clean
LINKED_TEMPLATE = "graphc-template: 1\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: ETH-USD\n    limit: LIMIT\n"


@pytest.fixture
def linked_project(tmp_path, monkeypatch):
    """audit cfgsec.md finding 1: a git project with two versions of a template, tpl/v1 (clean) and tpl/v2
    (limit 2325.115: off the 0.01 tick, GC303)."""
    root = tmp_path / "c1"
    (root / ".git").mkdir(parents=True)
    shutil.copy(EXAMPLES / "quotes.yaml", root / "q.yaml")
    for version, limit in (("v1", "2325.11"), ("v2", "2325.115")):
        (root / "tpl" / version).mkdir(parents=True)
        (root / "tpl" / version / "t.yaml").write_text(LINKED_TEMPLATE.replace("LIMIT", limit))
    (root / "plays").mkdir()
    monkeypatch.chdir(root)
    return root


def retarget(link, target):
    """``ln -sfn target link``: what a checkout or a branch switch that moves the link does."""
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(target, link)


@pytest.mark.parametrize(
    ("use", "link", "v1", "v2"),
    [("../tpl/cur.yaml", "tpl/cur.yaml", "v1/t.yaml", "v2/t.yaml"), ("../tpl/cur/t.yaml", "tpl/cur", "v1", "v2")],
    ids=["file-link", "directory-link"],
)
def test_a_retargeted_template_link_is_a_change(linked_project, use, link, v1, v2):
    # audit cfgsec.md finding 1: the cache digested the template at the path the link resolved to when the entry
    # was stored (tpl/v1/t.yaml, unchanged), so after `ln -sfn v2 ...` the off-tick order passed with exit 0.
    # docs/integrations.md "The lint cache": every `use:` template is compared by content.
    (linked_project / "plays" / "u.yaml").write_text(f"graphc: 1\nname: p\nlegs:\n  h:\n    use: {use}\n")
    retarget(linked_project / link, v1)
    args = ["plays/u.yaml", "--quotes", "q.yaml"]
    clean = lint(*args)
    assert clean[0] == 0 and "no problems in 1 file" in clean[1]
    assert cache_files(linked_project)  # the clean result was stored
    retarget(linked_project / link, v2)
    uncached = lint(*args, "--no-cache")
    assert uncached[0] == 1 and "GC303 price 2325.115 is not on the venue's 0.01 tick" in uncached[1]
    assert lint(*args) == uncached  # the link moved: linted again
    assert lint(*args) == uncached  # and that result is served from the cache
    retarget(linked_project / link, v1)
    assert lint(*args) == clean  # and back


@pytest.mark.parametrize("bad", ["outside", "loop"])
def test_a_template_link_fixed_after_it_led_out_or_looped_is_a_change(linked_project, tmp_path, bad):
    # review12 2: the path a `use:` reached was recorded only once it proved inside the project, so the GC107 of
    # a link leading out (or looping) was served from the cache after the link was fixed.
    (linked_project / "plays" / "u.yaml").write_text("graphc: 1\nname: p\nlegs:\n  h:\n    use: ../tpl/cur.yaml\n")
    link = linked_project / "tpl" / "cur.yaml"
    if bad == "outside":
        (tmp_path / "elsewhere.yaml").write_text(LINKED_TEMPLATE.replace("LIMIT", "2325.11"))
        retarget(link, tmp_path / "elsewhere.yaml")
    else:
        retarget(link, "cur.yaml")
    args = ["plays/u.yaml", "--quotes", "q.yaml"]
    broken = lint(*args)
    assert broken[0] == 1 and "GC107" in broken[1]
    retarget(link, "v1/t.yaml")
    fixed = lint(*args, "--no-cache")
    assert fixed[0] == 0 and "no problems in 1 file" in fixed[1]
    assert lint(*args) == fixed


def moved_from_clean_to_gc303(link, clean, off_tick, *extra):
    """Lint plays/u.yaml with ``link`` pointing to ``clean`` (stored in the cache), then to ``off_tick``: the
    cached run must give the GC303 error that a run without the cache gives."""
    args = ["plays/u.yaml", "--quotes", "q.yaml", *extra]
    retarget(link, clean)
    assert lint(*args)[0] == 0
    retarget(link, off_tick)
    uncached = lint(*args, "--no-cache")
    assert uncached[0] == 1 and "GC303" in uncached[1]
    assert lint(*args) == uncached


def test_a_nested_template_is_found_again_when_a_link_above_it_moves(linked_project):
    # Two template folders whose top templates are the same text (`use: ./t.yaml`) but whose inner t.yaml
    # differ: moving the link changes no content the old entry named, only which folder the inner `use:` is in.
    for version in ("v1", "v2"):
        (linked_project / "tpl" / version / "outer.yaml").write_text(
            "graphc-template: 1\nlegs:\n  o:\n    use: ./t.yaml\n"
        )
    (linked_project / "plays" / "u.yaml").write_text("graphc: 1\nname: p\nlegs:\n  h:\n    use: ../tpl/cur.yaml\n")
    moved_from_clean_to_gc303(linked_project / "tpl" / "cur.yaml", "v1/outer.yaml", "v2/outer.yaml")


def test_a_retargeted_playbook_link_finds_its_templates_again(linked_project):
    # The playbook is a link: its `use: ./t.yaml` is relative to the folder of the file it points to, so moving
    # the link to the same text in another folder reads another template.
    for version in ("v1", "v2"):
        (linked_project / "tpl" / version / "p.yaml").write_text("graphc: 1\nname: p\nlegs:\n  h:\n    use: ./t.yaml\n")
    moved_from_clean_to_gc303(linked_project / "plays" / "u.yaml", "../tpl/v1/p.yaml", "../tpl/v2/p.yaml")


def test_a_retargeted_params_link_is_a_change(linked_project):
    (linked_project / "one.yaml").write_text("limit: 2325.11\n")
    (linked_project / "two.yaml").write_text("limit: 2325.115\n")
    (linked_project / "plays" / "u.yaml").write_text(
        "graphc: 1\nname: p\nparams: {limit: {type: number}}\nlegs:\n"
        "  a: {buy: 1 ETH, symbol: ETH-USD, limit: '{{ limit }}'}\n"
    )
    moved_from_clean_to_gc303(linked_project / "params.yaml", "one.yaml", "two.yaml", "--params", "params.yaml")


def lint_split(*args):
    """(exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, ["lint", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("linked", [".graphc", ".graphc/cache"])
def test_a_linked_cache_folder_is_never_written_through(tmp_path, monkeypatch, linked):
    # audit cfgsec.md finding 6: a committed `.graphc -> ../victim` made lint write its cache outside the repo.
    # A link there is not followed: the cache is off (said once on stderr) and lint works as with --no-cache.
    root = tmp_path / "s1"
    (root / ".git").mkdir(parents=True)
    shutil.copy(EXAMPLES / "eth-hedge.yaml", root / "hedge.yaml")
    victim = tmp_path / "victim"
    victim.mkdir()
    if linked == ".graphc/cache":
        (root / ".graphc").mkdir()
    os.symlink(victim, root / linked)
    monkeypatch.chdir(root)
    expected = lint("hedge.yaml", "--no-cache")
    for _ in range(2):
        code, out, err = lint_split("hedge.yaml")
        assert (code, out) == expected
        assert err == (
            f"graphc: the lint cache is off: {linked} is a symbolic link, and graphc does not write its cache "
            "through one (remove the link to use the cache)\n"
        )
    assert list(victim.iterdir()) == []  # nothing written where the link points
    assert os.path.islink(root / linked)
    assert lint_split("hedge.yaml", "--no-cache")[2] == ""  # no cache asked for: nothing to say


def test_cache_clean_removes_a_linked_cache_folder_but_not_what_it_points_to(tmp_path, monkeypatch):
    # audit cfgsec.md finding 6: `.graphc/cache -> ../../v3` made `graphc cache clean` crash (rmtree on a link,
    # exit 4). The link is graphc's own path, so clean removes it; the folder it points to is not graphc's.
    root = tmp_path / "s3"
    (root / ".git").mkdir(parents=True)
    (root / ".graphc").mkdir()
    elsewhere = tmp_path / "v3"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not graphc's\n")
    os.symlink(elsewhere, root / ".graphc" / "cache")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["cache", "clean"])
    assert (result.exit_code, result.stdout) == (
        0,
        "removed .graphc/cache (a symbolic link; what it pointed to was left alone)\n",
    )
    assert not os.path.lexists(root / ".graphc" / "cache")
    assert (elsewhere / "keep.txt").read_text() == "not graphc's\n"


def test_cache_clean_removes_nothing_through_a_linked_graphc_folder(tmp_path, monkeypatch):
    # `.graphc -> ../elsewhere` with a cache folder there: clean must not delete outside the project, nor crash;
    # graphc never used that cache (the test above), so there is none of graphc's to remove.
    root = tmp_path / "s1"
    (root / ".git").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "cache").mkdir(parents=True)
    (elsewhere / "cache" / "keep.txt").write_text("not graphc's\n")
    os.symlink(elsewhere, root / ".graphc")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["cache", "clean"])
    assert (result.exit_code, result.stdout) == (
        0,
        "no lint cache at .graphc/cache: .graphc is a symbolic link, which graphc does not use for its cache; "
        "nothing removed\n",
    )
    assert (elsewhere / "cache" / "keep.txt").read_text() == "not graphc's\n"
    assert os.path.islink(root / ".graphc")


def _git(cwd, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a"}
    env["GIT_COMMITTER_EMAIL"] = "a@b"
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.mark.parametrize("index_version", ["2", "4"])
def test_a_cache_committed_to_git_is_never_read(tmp_path, monkeypatch, index_version):
    """Audit sec16 1: a pull request committed a doctored `.graphc/cache` (`git add -f` past its .gitignore) whose
    clean entry carried the digest of a live, cyclic playbook; CI's lint (the Action's own command) read it and
    passed with exit 0. A cache git tracks is not trusted: the cache is off, said once, and the verdict is
    lint's own. Index version 4 (paths compressed) is asked of git itself."""
    root = tmp_path / "repo"
    (root / "plays").mkdir(parents=True)
    _git(root, "init", "-q", ".")
    _git(root, "config", "index.version", index_version)
    clean = "graphc: 1\nname: p\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: 2000}\n"
    (root / "plays" / "p.yaml").write_text(clean)
    monkeypatch.chdir(root)
    assert lint_split("plays")[0] == 0  # the clean verdict is stored
    bad = (
        "graphc: 1\nname: p\nsandbox: false\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: 2000, after: b filled}\n"
        "  b: {sell: 1 ETH, symbol: ETH-USD, after: a filled, slippage: 99999bps}\n"
    )
    (root / "plays" / "p.yaml").write_text(bad)
    digest = hashlib.sha256(bad.encode()).hexdigest()
    for stored in (root / ".graphc" / "cache").glob("lint-*.json"):  # the doctored entry: clean findings, bad digest
        data = json.loads(stored.read_text())
        data["entries"]["plays/p.yaml"]["text"] = digest
        stored.write_text(json.dumps(data))
    assert lint_split("plays")[0] == 0  # (the forged entry works while it is only local: the cache is trusted)
    _git(root, "add", "plays")
    _git(root, "add", "-f", ".graphc")
    _git(root, "commit", "-qm", "innocent")
    code, out, err = lint_split("plays")
    assert (code, out) == lint_split("plays", "--no-cache")[:2]
    assert code == 1 and "GC201" in out
    assert err == (
        "graphc: the lint cache is off: .graphc/cache is committed to git, and a cache that comes with the checkout "
        "is not trusted (remove it from git: `git rm -r --cached .graphc/cache`)\n"
    )


# -- a template that is not a file to read: each way it is not is a state of its own --------------------------


@pytest.fixture
def spot_hedged(tmp_path, monkeypatch):
    """examples/eth-spot-hedged.yaml in a project of its own, its template not there yet."""
    root = tmp_path / "r1"
    (root / ".git").mkdir(parents=True)
    (root / "templates").mkdir()
    shutil.copy(EXAMPLES / "eth-spot-hedged.yaml", root / "play.yaml")
    monkeypatch.chdir(root)
    return root


HEDGE = (EXAMPLES / "templates" / "perp-hedge.yaml").read_bytes()


def not_utf8(at=b"Short a perp", bad=b"\xff"):
    return HEDGE.replace(at, at[:8] + bad + at[8:])


def make_template(path, kind):
    """``path`` made the ``kind`` of thing a template's `use:` may lead to."""
    if kind == "missing":
        return
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(
            {"good": HEDGE, "not UTF-8": not_utf8(), "not UTF-8 elsewhere": not_utf8(b"policy: ioc")}[kind]
        )


def remove_template(path):
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    elif os.path.lexists(path):
        path.unlink()


def prime_then_compare(args, change):
    """Lint ``args`` in every format (the results stored), ``change()`` the files, then lint them again: the
    cached run's exit code, stdout and stderr are the ones without the cache, in every format. The reports
    without the cache, by format."""
    for fmt in FORMATS:
        lint_split(*args, "-f", fmt)
    change()
    cold = {}
    for fmt in FORMATS:
        cold[fmt] = lint_split(*args, "-f", fmt, "--no-cache")
        assert lint_split(*args, "-f", fmt) == cold[fmt], fmt
    return cold


@pytest.mark.parametrize(
    ("before", "after", "code", "says"),
    [
        ("missing", "not UTF-8", 2, "templates/perp-hedge.yaml:9:22: error GC112 the file is not UTF-8 text"),
        ("missing", "directory", 1, "`use: ./templates/perp-hedge.yaml` is a directory, not a template file"),
        ("missing", "fifo", 1, "`use: ./templates/perp-hedge.yaml` is a named pipe (FIFO), not a template file"),
        ("directory", "missing", 1, "GC107 template file not found: ./templates/perp-hedge.yaml"),
        ("not UTF-8", "not UTF-8 elsewhere", 2, "templates/perp-hedge.yaml:26:13: error GC112"),
        ("not UTF-8", "directory", 1, "is a directory, not a template file"),
    ],
)
def test_a_template_that_cannot_be_read_is_compared_by_what_is_there(spot_hedged, before, after, code, says):
    # audit cache21 2: every state of a template with no text to digest (missing, a folder, a FIFO, not UTF-8)
    # had the same digest, None, so a change between them was no change: a template missing when the result was
    # stored and not UTF-8 now gave the stored "GC107 template file not found" (exit 1) instead of GC112 (exit 2).
    template = spot_hedged / "templates" / "perp-hedge.yaml"
    make_template(template, before)

    def change():
        remove_template(template)
        make_template(template, after)

    cold = prime_then_compare(["play.yaml"], change)
    assert cold["text"][0] == code and says in cold["text"][1]


def test_with_gc107_off_a_missing_template_that_comes_back_not_utf8_is_no_pass(spot_hedged):
    # audit cache21 2: `GC107 = "off"` (spec §8: config can turn any rule off) made the missing template's result
    # "no problems" (exit 0); the same result was served once the template came back not UTF-8, which is GC112,
    # unreadable input (exit 2). Since audit reports23 1 the missing template's result is not checked either: exit 2
    # as well, and the summary line names the file (it read "no problems in 1 file (1 check skipped; ...)", exit 0).
    (spot_hedged / "graphc.toml").write_text('[rules]\nGC107 = "off"\n')
    code, out = lint_split("play.yaml")[:2]
    assert code == 2 and out.startswith("no problems in 0 files; 1 file not checked: play.yaml (GC107 at "), out
    cold = prime_then_compare(
        ["play.yaml"], lambda: make_template(spot_hedged / "templates" / "perp-hedge.yaml", "not UTF-8")
    )
    assert cold["text"][0] == 2 and "error GC112 the file is not UTF-8 text" in cold["text"][1]


# -- a file edited while a lint runs: the entry holds what the compile read, never what is there at the store --


@pytest.fixture
def after_lint_of(monkeypatch):
    """``hooks[path] = change``: ``change()`` runs right after graphc has linted ``path`` in this process (its
    compile has read every file it reads; the run stores its results once every file is linted): an editor
    saving a file, a checkout or a formatter while a lint runs. graphc's reading is not touched."""
    hooks = {}
    original = graphc.commands.lint.lint_path

    def hooked(path, *args, **kwargs):
        outcome = original(path, *args, **kwargs)
        if str(path) in hooks:
            hooks.pop(str(path))()
        return outcome

    monkeypatch.setattr(graphc.commands.lint, "lint_path", hooked)
    return hooks


def test_a_template_edited_while_the_run_lints_other_files_is_seen_next_time(spot_hedged, after_lint_of):
    # audit cache21 1 (HIGH): the entry's template digest was taken when the run stored its results, after every
    # file was linted, so a template saved in between was recorded as "valid for the new text" with the verdict
    # of the old one: every later run (and the pre-commit hook) passed the broken template, exit 0.
    template = spot_hedged / "templates" / "perp-hedge.yaml"
    make_template(template, "good")
    shutil.copy(EXAMPLES / "eth-ladder.yaml", spot_hedged / "ladder.yaml")
    broken = HEDGE.replace(b"policy: aggressive_chase", b"policy: bogus")
    after_lint_of["play.yaml"] = lambda: template.write_bytes(broken)
    assert lint_split("play.yaml", "ladder.yaml", "-j", "1")[0] == 0  # play.yaml linted with the good template
    assert template.read_bytes() == broken and not after_lint_of
    cold = lint_split("play.yaml", "--no-cache")
    assert cold[0] == 1 and "templates/perp-hedge.yaml:20:13: error GC103" in cold[1]
    assert lint_split("play.yaml") == cold
    assert lint_split("play.yaml") == cold  # and that result is kept


def test_a_params_file_edited_while_the_run_lints_other_files_is_seen_next_time(linked_project, after_lint_of):
    # audit cache21 1: the same for the --params file, digested when the results were stored. The run reads it
    # once, before any file is linted (a pipe, `--params <(make-params)`, gives its text once), so every file of it
    # is linted with that text, and the next run sees the edit.
    params = linked_project / "params.yaml"
    params.write_text("limit: 2325.11\n")
    for name in ("u", "z"):
        (linked_project / "plays" / f"{name}.yaml").write_text(
            f"graphc: 1\nname: {name}\nparams: {{limit: {{type: number}}}}\nlegs:\n"
            "  a: {buy: 1 ETH, symbol: ETH-USD, limit: '{{ limit }}'}\n"
        )
    after_lint_of["plays/u.yaml"] = lambda: params.write_text("limit: 2325.115\n")
    args = ["--quotes", "q.yaml", "--params", "params.yaml"]
    racing = lint_split("plays/u.yaml", "plays/z.yaml", *args, "-j", "1")
    assert racing[0] == 0 and "plays/u.yaml" not in racing[1] and "plays/z.yaml" not in racing[1], racing
    cold = lint_split("plays/u.yaml", *args, "--no-cache")
    assert cold[0] == 1 and "GC303" in cold[1]
    assert lint_split("plays/u.yaml", *args) == cold
    assert lint_split("plays/z.yaml", *args) == lint_split("plays/z.yaml", *args, "--no-cache")


# -- the expansion floor reads templates too -----------------------------------------------------------------

FLOOR_INNER = (
    "graphc-template: 1\nlegs:\n  b:\n    for_each: {n}\n    buy: 0.001 ETH\n    symbol: ETH-USD\n    tif: GTC\n"
)


@pytest.mark.parametrize(("inner", "code", "says"), [(1, 0, "no problems in 1 file"), (4000, 1, "at least 3,600,600")])
def test_a_template_the_expansion_floor_read_is_compared_too(tmp_path, monkeypatch, inner, code, says):
    # audit cache21 3: a `for_each` over `use:` that must make too many legs is refused from the templates' text
    # (Templates.floor), before any is opened, so none was recorded as read: after inner.yaml went from
    # `for_each: 1000` to 1, the cached GC107 "at least 300,600 leg instances" was still reported (exit 1). (Each copy
    # of `b` costs its 3 values since tmpl27 1.)
    root = tmp_path / "p8"
    (root / ".git").mkdir(parents=True)
    (root / "t").mkdir()
    (root / "play.yaml").write_text(
        "graphc: 1\nname: floor\nlegs:\n  grid:\n    for_each: 300\n    use: ./t/outer.yaml\n"
    )
    (root / "t" / "outer.yaml").write_text("graphc-template: 1\nlegs:\n  h:\n    use: ./inner.yaml\n")
    (root / "t" / "inner.yaml").write_text(FLOOR_INNER.format(n=2000))
    monkeypatch.chdir(root)
    refused = lint_split("play.yaml", "--no-cache")
    assert refused[0] == 1 and "GC107 expanding for_each and use: would make at least 1,800,600" in refused[1]
    cold = prime_then_compare(
        ["play.yaml"], lambda: (root / "t" / "inner.yaml").write_text(FLOOR_INNER.format(n=inner))
    )
    assert cold["text"][0] == code and says in cold["text"][1]


def test_the_first_run_in_a_new_project_remembers_graphcs_code_digest(tmp_path, monkeypatch):
    # audit cache21 (minor): the source checkout's code digest was worked out before .graphc/cache/ existed, so
    # the first run did not remember it (code.json) and the second hashed graphc's source again.
    from graphc.cache import CODE_MEMO, code_fingerprint

    if code_fingerprint()[0][0] == "RECORD":
        pytest.skip("an installed wheel: its RECORD is the code digest, nothing to remember")
    root = tmp_path / "fresh"
    (root / ".git").mkdir(parents=True)
    shutil.copy(EXAMPLES / "eth-hedge.yaml", root / "hedge.yaml")
    monkeypatch.chdir(root)
    assert lint("hedge.yaml")[0] == 0
    memo = json.loads((root / ".graphc" / "cache" / CODE_MEMO).read_text())
    assert memo["digest"] == code_fingerprint(root / ".graphc" / "cache")[0][1]
