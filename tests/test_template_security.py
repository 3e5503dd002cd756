"""Known Jinja2 sandbox escapes and leaks, run through the real CLI: each is GC107, with no side effect.

A playbook from a pull request is compiled in CI, so its `{{ ... }}` text is
hostile input. Every payload below is a published or obvious way out of a
Jinja2 sandbox (attribute walks to ``__globals__``/``__subclasses__``, the
default globals ``cycler``/``joiner``/``lipsum``/``namespace``, Flask's
``self``/``config``/``request``, format-string tricks, memory blow-ups, env
access, blocks). For each one the test checks:

* exit 1 and a GC107 at the payload's own line and column (never a traceback);
* the canary file that a successful escape would create does not exist;
* the secret environment variable's value appears nowhere in stdout/stderr.

The `use:` escapes (absolute path, `..`, symlinks to files and directories
outside the project) must fail the same way without /etc/passwd's text ever
reaching the output.
"""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from graphc.cli import cli

SECRET = "s3cr3t-canary-7f1d"
HEAD = "graphc: 1\nname: t\nlegs:\n  a:\n    buy: 1 ETH\n    symbol: "  # the payload starts at line 6, col 13
PAYLOAD_LINE, PAYLOAD_COL = 6, 13

# (id, payload); CANARY is replaced by the canary file's path.
PAYLOADS = [
    ("str-class", "{{ ''.__class__ }}"),
    ("mro-subclasses", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    ("tuple-bases-subclasses", "{{ ().__class__.__bases__[0].__subclasses__()[59]()._module.__builtins__ }}"),
    ("getitem-dunder", "{{ ''['__class__']['__mro__'] }}"),
    ("self-globals", "{{ self.__init__.__globals__.__builtins__ }}"),
    ("self-context", "{{ self._TemplateReference__context }}"),
    ("flask-config", "{{ config.items() }}"),
    ("flask-request", "{{ request.application.__globals__.__builtins__.__import__('os').popen('id').read() }}"),
    ("cycler-os-popen", "{{ cycler.__init__.__globals__.os.popen('touch CANARY').read() }}"),
    ("joiner-os-system", "{{ joiner.__init__.__globals__.os.system('touch CANARY') }}"),
    ("lipsum-globals", "{{ lipsum.__globals__['os'].popen('touch CANARY').read() }}"),
    ("namespace-environ", "{{ namespace.__init__.__globals__.os.environ['GRAPHC_TEST_SECRET'] }}"),
    ("quote-globals-open", "{{ quote.__globals__['__builtins__']['open']('CANARY', 'w').write('x') }}"),
    ("range-globals", "{{ range.__globals__['os'].system('touch CANARY') }}"),
    ("now-init-globals", "{{ now.__class__.__init__.__globals__ }}"),
    ("format-string-attr", "{{ '{0.__class__.__mro__}'.format(now) }}"),
    ("format-map", "{{ '{x.__class__}'.format_map({'x': now}) }}"),
    ("format-width-bomb", "{{ '{:>999999999}'.format(1) }}"),
    ("percent-format", "{{ '%s' % quote }}"),
    ("percent-width-bomb", "{{ '%999999999d' % 1 }}"),
    ("attr-filter", "{{ quote|attr('__globals__') }}"),
    ("format-filter", "{{ '%s'|format(now) }}"),
    ("map-attribute", "{{ [now]|map(attribute='__class__')|list }}"),
    ("sort-attribute", "{{ [now, now]|sort(attribute='__class__.__init__') }}"),
    ("map-filter-name", "{{ [quote]|map('attr', '__globals__')|list }}"),
    ("range-memory", "{{ range(10**9)|list }}"),
    ("string-multiply", "{{ 'a' * 10**9 }}"),
    ("list-multiply", "{{ [1] * 10**9 }}"),
    ("power-tower", "{{ 10**10**10 }}"),
    ("power-exponent", "{{ 2 ** (10 ** 10) }}"),
    ("center-bomb", "{{ 'x'.center(999999999) }}"),
    ("join-bomb", "{{ range(10000)|join(range(10000)|join) }}"),
    ("os-environ", "{{ os.environ['GRAPHC_TEST_SECRET'] }}"),
    ("env-lookup", "{{ lookup('env', 'GRAPHC_TEST_SECRET') }}"),
    ("include-block", "{% include '/etc/passwd' %}"),
    ("import-block", "{% import 'os' as os %}{{ os.system('touch CANARY') }}"),
    ("set-block", "{% set x = cycler %}{{ x }}"),
    ("for-block", "{% for c in ''.__class__.__mro__ %}{{ c }}{% endfor %}"),
    ("dict-global", "{{ dict(a=1) }}"),
    ("getattribute", "{{ now.__getattribute__('__class__') }}"),
    ("strftime-width", "{{ now.strftime('%999999999Y') }}"),
    ("datetime-tzinfo", "{{ now.tzinfo.utcoffset(now) }}"),
    ("nesting-bomb", "{{ " + "(" * 500 + "1" + ")" * 500 + " }}"),
    ("item-outside-for-each", "{{ item.__class__ }}"),
]


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHC_TEST_SECRET", SECRET)
    root = tmp_path / "project"
    (root / "templates").mkdir(parents=True)
    (root / "graphc.toml").write_text("")  # marks the project root
    return root


def run(path, *args):
    result = CliRunner().invoke(cli, ["compile", str(path), *args])
    return result, result.stdout + result.stderr


def headlines(output):
    """(path, line, col, code) for every diagnostic headline."""
    return [
        (m[1], int(m[2]), int(m[3]), m[4])
        for m in re.finditer(r"^(.+?):(\d+):(\d+): (?:error|warning) (GC\d+)", output, re.M)
    ]


def assert_no_leak(output, canary):
    assert SECRET not in output
    assert "Traceback" not in output
    assert not canary.exists()


@pytest.mark.parametrize("payload", [p for _, p in PAYLOADS], ids=[i for i, _ in PAYLOADS])
def test_payload_is_gc107_without_side_effect(project, payload):
    canary = project / "CANARY-written"
    text = payload.replace("CANARY", str(canary))
    path = project / "play.yaml"
    path.write_text(HEAD + "'" + text.replace("'", "''") + "'\n")
    result, output = run(path)
    assert result.exit_code == 1, output
    assert (str(path), PAYLOAD_LINE, PAYLOAD_COL, "GC107") in headlines(output), output
    assert result.stdout == ""  # no graph
    assert_no_leak(output, canary)


def test_at_least_fifteen_payloads():
    assert len(PAYLOADS) >= 15


def test_payload_in_a_template_file_is_located_there(project):
    """The same escape inside a `use:` template: GC107 in the template file, noting the use: site."""
    canary = project / "CANARY-written"
    (project / "templates" / "evil.yaml").write_text(
        "graphc-template: 1\nlegs:\n  x:\n    buy: 1 ETH\n"
        f"    symbol: \"{{{{ cycler.__init__.__globals__.os.system('touch {canary}') }}}}\"\n"
    )
    path = project / "play.yaml"
    path.write_text("graphc: 1\nname: t\nlegs:\n  h:\n    use: ./templates/evil.yaml\n")
    result, output = run(path)
    assert result.exit_code == 1
    assert (os.path.join(str(project), "templates", "evil.yaml"), 5, 13, "GC107") in headlines(output), output
    assert f"{path}:5:10: template used here" in output
    assert_no_leak(output, canary)


def test_environment_is_not_a_name(project):
    """No name, filter or attribute reaches os.environ; the secret never appears even in a valid render."""
    path = project / "play.yaml"
    path.write_text(HEAD + 'ETH-USD\n    limit: 100\ndescription: "{{ now.isoformat() }} {{ today }}"\n')
    result, output = run(path, "--now", "2026-01-05T09:00:00Z")
    assert result.exit_code == 0, output
    assert SECRET not in output


def test_param_values_are_data_not_templates(project, tmp_path):
    """A --set / --params value that looks like a template is never evaluated (no second pass)."""
    canary = project / "CANARY-written"
    payload = f"{{{{ cycler.__init__.__globals__.os.system('touch {canary}') }}}}"
    path = project / "play.yaml"
    path.write_text(
        "graphc: 1\nname: t\nparams:\n  note: {type: string, default: x}\n"
        'description: "{{ note }}"\nlegs:\n  a: {buy: 1 ETH, symbol: ETH-USD, limit: 100}\n'
    )
    result, output = run(path, "--set", f"note={payload}")
    assert result.exit_code == 0, output
    assert_no_leak(output, canary)
    values = tmp_path / "values.yaml"
    values.write_text(f'note: "{payload}"\n')
    result, output = run(path, "--params", str(values))
    assert result.exit_code == 0, output
    assert_no_leak(output, canary)


# -- use: paths ------------------------------------------------------------------------


def _use(project, target):
    path = project / "play.yaml"
    path.write_text(f'graphc: 1\nname: t\nlegs:\n  h:\n    use: "{target}"\n')
    return path


@pytest.fixture
def outside(tmp_path):
    """A template-looking file outside the project (a real escape would compile it)."""
    secret = tmp_path / "outside.yaml"
    secret.write_text(f"graphc-template: 1\nlegs:\n  x:\n    buy: 1 ETH\n    symbol: {SECRET}\n")
    return secret


USE_ESCAPES = [
    ("absolute-etc-passwd", lambda project, outside: "/etc/passwd"),
    ("absolute-inside-file", lambda project, outside: str(outside)),
    ("dotdot-etc-passwd", lambda project, outside: "../" * 20 + "etc/passwd"),
    ("dotdot-outside", lambda project, outside: "../outside.yaml"),
    ("windows-drive", lambda project, outside: "C:/Windows/win.ini"),
    ("home-tilde", lambda project, outside: "~/.ssh/id_rsa"),
    ("rendered-absolute", lambda project, outside: "{{ '/etc/' ~ 'passwd' }}"),
]


@pytest.mark.parametrize("make", [m for _, m in USE_ESCAPES], ids=[i for i, _ in USE_ESCAPES])
def test_use_path_escape_is_refused(project, outside, make):
    path = _use(project, make(project, outside))
    result, output = run(path)
    assert result.exit_code == 1
    assert (str(path), 5, 10, "GC107") in headlines(output), output
    assert "root:" not in output and SECRET not in output


@pytest.mark.parametrize("kind", ["file", "directory"])
def test_use_through_symlink_out_of_project_is_refused(project, outside, kind):
    link = project / "templates" / ("hedge.yaml" if kind == "file" else "shared")
    try:
        os.symlink(outside if kind == "file" else outside.parent, link)
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    target = "./templates/hedge.yaml" if kind == "file" else "./templates/shared/outside.yaml"
    path = _use(project, target)
    result, output = run(path)
    assert result.exit_code == 1
    assert (str(path), 5, 10, "GC107") in headlines(output), output
    assert "outside the project root" in output
    assert SECRET not in output


def test_symlink_to_etc_passwd_never_shows_its_text(project):
    link = project / "templates" / "passwd.yaml"
    try:
        os.symlink("/etc/passwd", link)
    except (OSError, NotImplementedError):
        pytest.skip("symlinks are not available here")
    result, output = run(_use(project, "./templates/passwd.yaml"))
    assert result.exit_code == 1
    assert "GC107" in output and "root:" not in output


def test_include_cycle_is_gc107(project):
    (project / "templates" / "a.yaml").write_text("graphc-template: 1\nlegs:\n  x:\n    use: ./b.yaml\n")
    (project / "templates" / "b.yaml").write_text("graphc-template: 1\nlegs:\n  y:\n    use: ./a.yaml\n")
    result, output = run(_use(project, "./templates/a.yaml"))
    assert result.exit_code == 1
    assert "template include cycle: templates/a.yaml → templates/b.yaml → templates/a.yaml" in output
    assert any(code == "GC107" for *_, code in headlines(output))


def test_self_include_is_gc107(project):
    (project / "templates" / "me.yaml").write_text("graphc-template: 1\nlegs:\n  x:\n    use: ./me.yaml\n")
    result, output = run(_use(project, "./templates/me.yaml"))
    assert result.exit_code == 1
    assert "include cycle: templates/me.yaml → templates/me.yaml" in output


def test_a_cycle_names_each_template_by_its_path_in_the_project(project):
    """Audit params25 7: `h.yaml → h.yaml → h.yaml` for two files of one name in two folders."""
    (project / "templates" / "x").mkdir()
    (project / "templates" / "y").mkdir()
    (project / "templates" / "x" / "h.yaml").write_text("graphc-template: 1\nlegs:\n  z: {use: ../y/h.yaml}\n")
    (project / "templates" / "y" / "h.yaml").write_text("graphc-template: 1\nlegs:\n  z: {use: ../x/h.yaml}\n")
    result, output = run(_use(project, "./templates/x/h.yaml"))
    assert result.exit_code == 1
    assert "template include cycle: templates/x/h.yaml → templates/y/h.yaml → templates/x/h.yaml\n" in output


def test_a_cycle_below_a_fan_out_is_one_finding_per_use_not_a_budget(project):
    """Audit params25 1: the expansion's pre-check reads every `use:` now, and stops where `open` reports a cycle:
    twenty legs that use their own template are twenty cycles, not 20^8 instances over the budget."""
    legs = "".join(f"  x{k}: {{use: ./me.yaml}}\n" for k in range(20))
    (project / "templates" / "me.yaml").write_text("graphc-template: 1\nlegs:\n" + legs)
    result, output = run(_use(project, "./templates/me.yaml"))
    assert result.exit_code == 1
    assert [line for _, line, _, _ in headlines(output)] == list(range(3, 23))
    assert output.count("include cycle: templates/me.yaml → templates/me.yaml\n") == 20, output

    legs = "".join(f"  y{k}: {{use: ./a.yaml}}\n" for k in range(10))  # a uses b ten times, b uses a ten times
    (project / "templates" / "a.yaml").write_text("graphc-template: 1\nlegs:\n" + legs.replace("a.yaml", "b.yaml"))
    (project / "templates" / "b.yaml").write_text("graphc-template: 1\nlegs:\n" + legs)
    result, output = run(_use(project, "./templates/a.yaml"))
    assert result.exit_code == 1
    assert [(path.rpartition("/")[2], line) for path, line, _, _ in headlines(output)] == [
        ("b.yaml", line) for line in range(3, 13)
    ]
    cycle = "include cycle: templates/a.yaml → templates/b.yaml → templates/a.yaml (reached by 10 paths)\n"
    assert output.count(cycle) == 10, output


def test_missing_template_names_the_path(project):
    path = _use(project, "./templates/nope.yaml")
    result, output = run(path)
    assert result.exit_code == 1
    assert (str(path), 5, 10, "GC107") in headlines(output)
    assert "template file not found: ./templates/nope.yaml" in output


def test_a_path_through_a_folder_that_does_not_exist_is_not_found(project):
    """Audit params25 8: `./nonexistent/../templates/leaf.yaml` was resolved as text and compiled, though no system,
    git or shell opens it; the same through an expression given a `--set` value."""
    (project / "templates" / "leaf.yaml").write_text("graphc-template: 1\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD}\n")
    result, output = run(_use(project, "./templates/leaf.yaml"))
    assert result.exit_code == 0, output  # (the file is there)
    path = _use(project, "./nonexistent/../templates/leaf.yaml")
    result, output = run(path)
    assert result.exit_code == 1
    assert (str(path), 5, 10, "GC107") in headlines(output), output
    assert "template file not found: ./nonexistent/../templates/leaf.yaml" in output
    assert "hint: the folder ./nonexistent does not exist, and a `..` after it does not undo that" in output
    path.write_text(
        "graphc: 1\nname: t\nparams:\n  tpl: {type: string, default: leaf}\n"
        'legs:\n  h: {use: "./templates/{{ tpl }}.yaml"}\n'
    )
    result, output = run(path, "--set", "tpl=x/../leaf")
    assert result.exit_code == 1
    assert "template file not found: ./templates/x/../leaf.yaml" in output
    assert "the folder ./templates/x does not exist" in output


@pytest.mark.parametrize(
    ("use", "file"),
    [
        ("./templates/leaf.yaml/", "./templates/leaf.yaml"),
        ("./templates/leaf.yaml/.", "./templates/leaf.yaml"),
        ("./templates/leaf.yaml/../leaf.yaml", "./templates/leaf.yaml"),
        ("./templates/leaf.yaml/./../leaf.yaml", "./templates/leaf.yaml"),
        ("templates//leaf.yaml//", "templates//leaf.yaml"),
        ("./play.yaml/../templates/leaf.yaml", "./play.yaml"),  # the playbook itself, used as a folder
    ],
)
def test_a_path_through_a_file_used_as_a_folder_is_not_found(project, use, file):
    """Audit tmpl27 6: `./t/h.yaml/` was read (the system says ENOTDIR): `Path.resolve` drops a trailing `/`, a `/.`
    and `x/..` from the text. Not found, as a path through a missing folder is."""
    (project / "templates" / "leaf.yaml").write_text("graphc-template: 1\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD}\n")
    path = _use(project, use)
    result, output = run(path)
    assert result.exit_code == 1, output
    assert (str(path), 5, 10, "GC107") in headlines(output), output
    assert f"template file not found: {use}\n" in output
    assert f"hint: {file} is a file, not a folder (the path is relative to " in output


def test_a_nul_byte_in_a_use_path_is_named_as_such(project):
    """Audit params25 8: it was "absolute paths are not allowed"."""
    (project / "templates" / "leaf.yaml").write_text("graphc-template: 1\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD}\n")
    path = _use(project, "./templates/leaf\\0.yaml")
    result, output = run(path)
    assert result.exit_code == 1
    assert (str(path), 5, 10, "GC107") in headlines(output), output
    assert "`use: ./templates/leaf\\0.yaml` holds a NUL byte, which no file name can" in output
    assert "absolute" not in output


def test_special_file_inside_project_is_not_read(project):
    """A FIFO would block a naive reader forever; only regular files are templates."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(project / "templates" / "pipe.yaml")
    result, output = run(_use(project, "./templates/pipe.yaml"))
    assert result.exit_code == 1
    assert "GC107" in output
