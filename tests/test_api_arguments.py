"""Every public function of ``graphc`` takes a path as a ``str`` or any ``os.PathLike`` (a ``pathlib.Path``), and
raises ``TypeError`` naming the argument for anything else; ``checked`` and ``exit_code`` raise ``TypeError`` for
anything but a lint result (audit embed29 3: ``AttributeError``, which a host catching the documented
``(TypeError, ValueError, OSError)`` did not catch).
"""

from __future__ import annotations

import pathlib

import pytest

import graphc

TEXT = "graphc: 1\nname: a\nlegs:\n  x: {buy: 1 ETH, symbol: ETH-USD, limit: bid}\n"
QUOTES = "ETH-USD: {bid: 2000, ask: 2001}\n"
PARAMS = "{}\n"
NOT_PATHS = [b"p.yaml", 3, None]


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "p.yaml").write_text(TEXT)
    (tmp_path / "quotes.yaml").write_text(QUOTES)
    (tmp_path / "params.yaml").write_text(PARAMS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _lines(result):
    return [d.headline() for d in result.diagnostics]


def test_lint_text_takes_a_path_as_its_name(project):
    path = project / "p.yaml"
    given = graphc.lint_text(TEXT, path, quotes=project / "quotes.yaml", params_file=project / "params.yaml")
    named = graphc.lint_text(TEXT, str(path), quotes=str(project / "quotes.yaml"), params_file="params.yaml")
    assert given.path == str(path) and _lines(given) == _lines(named)
    for wrong in NOT_PATHS:
        with pytest.raises(TypeError, match=r"^path must be a str or an os.PathLike"):
            graphc.lint_text(TEXT, wrong)
    with pytest.raises(TypeError, match=r"^params_file must be"):
        graphc.lint_text(TEXT, params_file=3)  # before: read a file named "3"


def test_compile_text_takes_a_path_as_its_name_and_project_root(project):
    path = project / "p.yaml"
    given = graphc.compile_text(TEXT, path, quotes=project / "quotes.yaml", project_root=project)
    named = graphc.compile_text(TEXT, str(path), quotes=str(project / "quotes.yaml"), project_root=str(project))
    assert given.ok and given.path == str(path) and given.wire_json() == named.wire_json()
    for wrong in NOT_PATHS:
        with pytest.raises(TypeError, match=r"^path must be a str or an os.PathLike"):
            graphc.compile_text(TEXT, wrong, quotes=project / "quotes.yaml")
    with pytest.raises(TypeError, match=r"^project_root must be"):
        graphc.compile_text(TEXT, quotes=project / "quotes.yaml", project_root=5)  # before: silently taken


def test_lint_file_takes_a_path_and_nothing_else(project):
    assert _lines(graphc.lint_file(pathlib.Path("p.yaml"))) == _lines(graphc.lint_file("p.yaml"))
    for wrong in NOT_PATHS:  # an int: before, read as a file descriptor
        with pytest.raises(TypeError, match=r"^path must be"):
            graphc.lint_file(wrong)


def test_compile_file_takes_a_path_and_nothing_else(project):
    quotes = pathlib.Path("quotes.yaml")
    assert graphc.compile_file(pathlib.Path("p.yaml"), quotes=quotes).wire_json() == (
        graphc.compile_file("p.yaml", quotes="quotes.yaml").wire_json()
    )
    for wrong in NOT_PATHS:
        with pytest.raises(TypeError, match=r"^path must be"):
            graphc.compile_file(wrong)


def test_load_quotes_takes_a_path_and_nothing_else(project):
    assert graphc.load_quotes(pathlib.Path("quotes.yaml")) == graphc.load_quotes("quotes.yaml")
    for wrong in NOT_PATHS:
        with pytest.raises(TypeError, match=r"^path must be"):
            graphc.load_quotes(wrong)


@pytest.mark.parametrize("wrong", ["compile", None, "text", {}])
def test_exit_code_takes_a_lint_result(wrong):
    assert graphc.exit_code(graphc.lint_text(TEXT)) == 0
    given = (
        graphc.compile_text(TEXT, quotes={"ETH-USD": {"bid": "2000", "ask": "2001"}}) if wrong == "compile" else wrong
    )
    with pytest.raises(
        TypeError, match=r"^exit_code\(\) takes a lint result .* not (CompileResult|NoneType|str|dict)$"
    ):
        graphc.exit_code(given)


@pytest.mark.parametrize("wrong", ["compile", None, "text", {}])
def test_checked_takes_a_lint_result(wrong):
    assert graphc.checked(graphc.lint_text(TEXT)) is True
    given = (
        graphc.compile_text(TEXT, quotes={"ETH-USD": {"bid": "2000", "ask": "2001"}}) if wrong == "compile" else wrong
    )
    with pytest.raises(TypeError, match=r"^checked\(\) takes a lint result .* not (CompileResult|NoneType|str|dict)$"):
        graphc.checked(given)
