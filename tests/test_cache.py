"""The lint cache (graphc/cache.py): what it keeps, when it reuses it, and what it never trusts."""

import hashlib
import json
import multiprocessing
import os
import time

import pytest

from graphc.cache import CODE_MEMO, MISS, LintCache, _source_digest, cache_dir, clean, settings_key
from graphc.diagnostics import Diagnostic, FileResult, Related, Skip, Span
from graphc.files import resolved_path, source_state

TEXT = "graphc: 1\nname: a\nlegs: {a: {buy: 1 ETH, symbol: ETH-USD}}\n"


def a_result(path="a.yaml", text=TEXT) -> FileResult:
    use_site = Related("p.yaml", Span(3, 5, 3, 20), "used here")
    diagnostics = [
        Diagnostic("GC301", "below the minimum", path, Span(2, 3, 2, 9), "warning", "raise it"),
        Diagnostic("GC107", "in a template", "t.yaml", Span(1, 1, 1, 4, "t.yaml", use_site), related=(use_site,)),
        Diagnostic("GC110", "no location", path),
    ]
    return FileResult(path, text, diagnostics, [Skip("GC109", Span(4, 1), "needs a quote"), Skip("GC401", None, "x")])


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # entries are kept for paths that exist, relative to the working directory
    (tmp_path / "a.yaml").write_text(TEXT)
    return tmp_path


def as_read(name):
    """``(name, the path it resolves to, its state)`` as a compile that read ``name`` now records it."""
    return name, resolved_path(name), source_state(name)


def open_cache(project, key="k" * 64, clock_fixed=False) -> LintCache:
    return LintCache(cache_dir(project), key, clock_fixed=clock_fixed)


def test_a_stored_result_comes_back_equal(project):
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()
    again = open_cache(project).lookup("a.yaml", TEXT, explicit=True)
    assert again == a_result()
    assert [d.span.via for d in again.diagnostics if d.span] == [None, a_result().diagnostics[1].span.via]


def test_a_file_that_is_not_graphcs_is_remembered_as_such(project):
    cache = open_cache(project)
    cache.store("a.yaml", "x: 1\n", explicit=False, result=None)
    cache.save()
    assert open_cache(project).lookup("a.yaml", "x: 1\n", explicit=False) is None
    assert open_cache(project).lookup("a.yaml", "x: 1\n", explicit=True) is MISS  # named, it is a finding


def test_anything_the_result_depends_on_changing_is_a_miss(project):
    (project / "t.yaml").write_text("graphc-template: 1\nlegs: {x: {buy: 1 ETH, symbol: ETH-USD}}\n")
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result(), reads=[as_read("t.yaml")], real=as_read("a.yaml")[1])
    cache.save()
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) == a_result()
    assert open_cache(project).lookup("a.yaml", TEXT + "# edited\n", explicit=True) is MISS
    assert open_cache(project).lookup("b.yaml", TEXT, explicit=True) is MISS
    assert open_cache(project, key="j" * 64).lookup("a.yaml", TEXT, explicit=True) is MISS  # other settings
    (project / "t.yaml").write_text("graphc-template: 1\nlegs: {x: {buy: 2 ETH, symbol: ETH-USD}}\n")
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS
    (project / "t.yaml").unlink()
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS


def test_a_result_that_read_the_clock_is_kept_only_when_now_is_fixed(project):
    """Whether the render read the clock decides, not the text: `today` in a name is kept, a render that read
    `now` (spelled in the file or not) is not, unless --now fixed it."""
    for clock_fixed, kept in ((False, False), (True, True)):
        cache = open_cache(project, clock_fixed=clock_fixed)
        cache.store(
            "a.yaml",
            TEXT,
            explicit=True,
            result=a_result(),
            reads=[as_read("t.yaml")],
            real=as_read("a.yaml")[1],
            read_clock=True,
        )
        assert ("a.yaml" in cache.changed) is kept
    cache = open_cache(project)
    cache.store("a.yaml", TEXT.replace("name: a", "name: a-today-now"), explicit=True, result=a_result())
    assert "a.yaml" in cache.changed


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff not json",
        b"[1, 2]",
        b'{"format": "something-else", "version": 1, "entries": {}}',
        json.dumps({"format": "graphc-lint-cache", "version": 999, "entries": {}}).encode(),
    ],
)
def test_corrupt_or_foreign_files_are_ignored_and_rewritten(project, content):
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()
    cache.path.write_bytes(content)
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS
    rewritten = open_cache(project)
    rewritten.store("a.yaml", TEXT, explicit=True, result=a_result())
    rewritten.save()
    assert json.loads(cache.path.read_text())["format"] == "graphc-lint-cache"
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) == a_result()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: e["result"]["diagnostics"][0].update(severity="fatal"),
        lambda e: e["result"]["diagnostics"][0].update(span=["2", 3, 2, 9, None, None]),
        lambda e: e["result"]["diagnostics"][0].update(span=[2, 3]),
        lambda e: e["result"]["diagnostics"][0].update(code=["GC301"]),
        lambda e: e["result"]["diagnostics"][0].pop("hint"),
        lambda e: e["result"].update(skipped={"code": "GC109"}),
        lambda e: e.update(reads=[["a.yaml"]]),
        lambda e: e.update(reads="a.yaml"),
        lambda e: e["result"]["diagnostics"][1]["span"].__setitem__(5, 7),
        lambda e: e["result"]["skipped"][0].__setitem__(0, 99),  # no such row of the skip table
        lambda e: e["result"]["skipped"][0].__setitem__(0, -1),
        lambda e: e["result"]["skipped"][0].__setitem__(0, "0"),
        lambda e: e["result"].update(skipped=[0, "1"]),
        lambda e: e["result"].update(skipped=[0, -1]),
        lambda e: e["result"].update(skipped=[0, 99]),
        # a result that is not an object (audit compat27 4: AttributeError, exit 4 on every lint)
        lambda e: e.update(result=[]),
        lambda e: e.update(result="x"),
        lambda e: e.update(result=1),
        lambda e: e.update(result=True),
    ],
)
def test_an_entry_of_the_wrong_shape_is_never_used(project, tamper):
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()
    data = json.loads(cache.path.read_text())
    tamper(data["entries"]["a.yaml"])
    cache.path.write_text(json.dumps(data))
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS


def test_a_foreign_skip_table_is_never_used(project):
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()
    data = json.loads(cache.path.read_text())
    data["skips"][0] = ["GC109", ["not", "text"]]
    cache.path.write_text(json.dumps(data))
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS


def test_unplaced_skips_are_stored_once_per_reason(project):
    same = [Skip("GC301", None, "derived size")] * 40 + [Skip("GC109", None, "needs a quote")]
    cache = open_cache(project)
    for name in ("a.yaml", "b.yaml"):
        (project / name).write_text(TEXT)
        cache.store(name, TEXT, explicit=True, result=FileResult(name, TEXT, [], same))
    cache.save()
    data = json.loads(cache.path.read_text())
    assert data["skips"] == [["GC301", "derived size"], ["GC109", "needs a quote"]]
    assert data["entries"]["a.yaml"]["result"]["skipped"] == [0] * 40 + [1]
    assert open_cache(project).lookup("b.yaml", TEXT, explicit=True) == FileResult("b.yaml", TEXT, [], same)


def test_a_file_read_that_was_missing_is_compared_too(project):
    """A `use:` template the compile looked for and did not find: its appearing makes the result stale."""
    cache = open_cache(project)
    cache.store(
        "a.yaml", TEXT, explicit=True, result=a_result(), reads=[as_read("later.yaml")], real=as_read("a.yaml")[1]
    )
    cache.save()
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) == a_result()
    (project / "later.yaml").write_text("graphc-template: 1\nlegs: {}\n")
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS


@pytest.mark.parametrize("unknown", ["state", "resolved", "real"])
def test_a_result_whose_reads_are_not_all_known_is_not_kept(project, unknown):
    """A file that changed during its compile, or was only looked at (graphc.files.Seen.state None), a path that
    could not be resolved, or a playbook link that moved while it was linted: what decided the result is not
    known, so it is linted again next time rather than stored."""
    (project / "t.yaml").write_text("graphc-template: 1\nlegs: {}\n")
    name, resolved, state = as_read("t.yaml")
    read = (name, None if unknown == "resolved" else resolved, None if unknown == "state" else state)
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result(), reads=[read], real=None if unknown == "real" else ".")
    assert "a.yaml" not in cache.changed


def test_the_code_digest_follows_content_not_file_times(tmp_path):
    source = tmp_path / "src"
    (source / "rules").mkdir(parents=True)
    rule = source / "rules" / "venue.py"
    rule.write_text("MIN = 1\n")
    memo = tmp_path / "cache"
    memo.mkdir()
    first = _source_digest([source], memo)
    assert json.loads((memo / CODE_MEMO).read_text())["digest"] == first
    os.utime(rule, ns=(1, 1))  # a fresh checkout: new times, same content
    assert _source_digest([source], memo) == first
    rule.write_text("MIN = 2\n")  # same size, other content
    assert _source_digest([source], memo) != first
    (memo / CODE_MEMO).write_text("[not the memo]")
    assert _source_digest([source], memo) == _source_digest([source], None)


def _later_change_time(path):
    """Wait (bounded) until the file system's clock has moved past ``path``'s change time, so that what is written
    next gets another change time even where the kernel's file times are coarse (a few ms)."""
    before = os.stat(path).st_ctime_ns
    probe = path.parent / ".probe"
    for _ in range(2000):
        probe.write_bytes(b"")
        if os.stat(probe).st_ctime_ns != before:
            probe.unlink()
            return
        time.sleep(0.001)
    raise AssertionError("the file system's change time never moved")


def test_an_edit_that_keeps_a_files_size_and_time_is_seen(tmp_path):
    """An edit that puts the old modification time back (`touch -r`) still changes the file's change time, which
    the stamp holds as git's index does (audit ci28 1): the source is hashed again."""
    source, memo = tmp_path / "src", tmp_path / "cache"
    source.mkdir()
    memo.mkdir()
    rule = source / "venue.py"
    rule.write_text("FAR_FROM_MID = 0.10\n")
    first = _source_digest([source], memo)
    stat = rule.stat()
    _later_change_time(rule)
    rule.write_text("FAR_FROM_MID = 0.50\n")  # same size, and the old time put back (`touch -r`)
    os.utime(rule, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert os.stat(rule).st_mtime_ns == stat.st_mtime_ns
    assert _source_digest([source], memo) == _source_digest([source], None) != first
    (source / "new.py").write_text("")  # a file that comes (or goes) is a change of the stamps
    assert _source_digest([source], memo) != first


def _same_stat_tree(root, threshold):
    """A one-file graphc source tree whose file has the same size and modification time whatever ``threshold``."""
    (root / "rules").mkdir(parents=True)
    rule = root / "rules" / "venue.py"
    rule.write_text(f"THRESHOLD = {threshold}\n")
    os.utime(rule, ns=(1_764_000_000 * 10**9, 1_764_000_000 * 10**9))  # a reproducible build's SOURCE_DATE_EPOCH
    return rule


def test_another_tree_with_the_same_sizes_and_times_is_hashed_again(tmp_path):
    """audit ci28 1: two graphc trees (a reproducible build, an older and a newer graphc) whose files have equal
    sizes and modification times but other content: the second never takes the first's remembered digest."""
    memo = tmp_path / "cache"
    memo.mkdir()
    old, new = _same_stat_tree(tmp_path / "srcA", "0.1"), _same_stat_tree(tmp_path / "srcB", "0.2")
    assert (old.stat().st_size, old.stat().st_mtime_ns) == (new.stat().st_size, new.stat().st_mtime_ns)
    first = _source_digest([tmp_path / "srcA"], memo)
    assert _source_digest([tmp_path / "srcB"], memo) == _source_digest([tmp_path / "srcB"], None) != first


def test_a_tree_rewritten_at_the_same_path_is_hashed_again(tmp_path):
    """audit ci28 1: the image rebuilt with another graphc at the same path, every time normalized."""
    import shutil

    memo, app = tmp_path / "cache", tmp_path / "app"
    memo.mkdir()
    old = _same_stat_tree(app, "0.1")
    first = _source_digest([app], memo)
    _later_change_time(old)
    shutil.rmtree(app)
    _same_stat_tree(app, "0.2")
    assert _source_digest([app], memo) == _source_digest([app], None) != first


def test_an_unchanged_tree_is_not_read_again(tmp_path, monkeypatch):
    """The remembered digest keeps a warm run to a stat of each file: nothing is opened while every stat holds."""
    import graphc.cache

    memo = tmp_path / "cache"
    memo.mkdir()
    _same_stat_tree(tmp_path / "src", "0.1")
    first = _source_digest([tmp_path / "src"], memo)

    def no_read(*args, **kwargs):
        raise AssertionError(f"read {args[0]}")

    monkeypatch.setattr(graphc.cache, "open", no_read, raising=False)
    assert _source_digest([tmp_path / "src"], memo) == first


@pytest.mark.parametrize("depth", [500, 100_000])
def test_deeply_nested_entries_are_never_used(project, depth):
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()
    text = cache.path.read_text()
    nested = '{"path": "x", "span": [1, 1, 1, 1, null, ' * depth + "null" + '], "message": "m"}' * depth
    cache.path.write_text(text.replace('"hint":"raise it","related":[]', f'"hint":"raise it","related":[{nested}]'))
    assert nested in cache.path.read_text()
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS


def _writer(args):
    """One process of the concurrency test: store and save its own entries, many times."""
    project, worker = args
    os.chdir(project)
    for i in range(15):
        name = f"w{worker}-{i}.yaml"
        with open(name, "w") as fh:
            fh.write(TEXT)
        cache = open_cache(project)
        cache.store(name, TEXT, explicit=True, result=a_result(name))
        cache.save()
        assert isinstance(json.loads(cache.path.read_text())["entries"], dict)  # never a torn file


def test_concurrent_writers_never_corrupt_it(project):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_writer, [(str(project), worker) for worker in range(4)])
    data = json.loads(open_cache(project).path.read_text())
    assert data["format"] == "graphc-lint-cache" and data["entries"]  # whole; some entries may have been lost
    for name in data["entries"]:
        assert open_cache(project).lookup(name, TEXT, explicit=True) == a_result(name)
    assert not [p for p in cache_dir(project).iterdir() if p.name.startswith(".tmp-")]


def test_the_cache_holds_digests_not_settings(project):
    secret = "sk-live-0123456789abcdef"
    key = settings_key({"config": f"Config(api_key={secret!r})", "quotes": None})
    cache = open_cache(project, key=key)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()
    stored = b"".join(p.read_bytes() for p in cache_dir(project).rglob("*") if p.is_file())
    assert secret.encode() not in stored
    assert key != settings_key({"config": "Config(api_key='other')", "quotes": None})


def test_clean_removes_the_cache_and_nothing_else(project):
    ledger = project / ".graphc" / "ledger.sqlite"
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()
    ledger.write_bytes(b"ledger")
    assert (project / ".graphc" / ".gitignore").read_text() == "*\n"  # the folder stays out of git
    assert clean(project) == cache_dir(project)
    assert not cache_dir(project).exists() and ledger.read_bytes() == b"ledger"
    assert clean(project) is None


def test_an_unwritable_cache_folder_is_no_error(project):
    (project / ".graphc").write_text("a file where the folder would be")
    cache = open_cache(project)
    cache.store("a.yaml", TEXT, explicit=True, result=a_result())
    cache.save()  # nothing written, nothing raised
    assert open_cache(project).lookup("a.yaml", TEXT, explicit=True) is MISS


def test_recording_keeps_what_was_read_and_forgets_a_file_that_changed(tmp_path):
    """graphc.files.recording: the state of a file is what read_source read (its bytes' digest, UTF-8 or not, or
    the error), or what stat_source saw where there was nothing to read; two looks that disagree leave it
    unknown, and so does a look that found only a regular file (its content did not decide)."""
    from graphc.files import read_source, recording, stat_source

    kept, changed, missing, looked = (tmp_path / name for name in ("kept", "changed", "missing", "looked"))
    kept.write_bytes(b"a: \xff\n")
    changed.write_text("a: 1\n")
    looked.write_text("a: 1\n")
    with recording() as seen:
        with pytest.raises(UnicodeDecodeError):
            read_source(kept)
        read_source(changed)
        changed.write_text("a: 2\n")
        read_source(changed)
        stat_source(missing)
        stat_source(looked)
    assert seen.state(str(kept)) == source_state(kept) == "sha256:" + hashlib.sha256(b"a: \xff\n").hexdigest()
    assert seen.state(str(changed)) is None
    assert seen.state(str(missing)) == source_state(missing) == "error ENOENT"
    assert seen.state(str(looked)) is None
    (tmp_path / "folder").mkdir()
    assert source_state(tmp_path / "folder") == "a directory"
