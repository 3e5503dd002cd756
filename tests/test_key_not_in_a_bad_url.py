"""The API key never appears in a message about an invalid router URL (notes/audit/status28.md 2), each case of the
audit run as a real `python -m graphc` process: a key pasted into SEQUENCE_API_URL, a URL carrying `user:KEY@` with
a bad scheme or no host, a password in a URL of another scheme, or one holding `#`, `/` or `?` (review28 5). The key is
registered before the URL is checked, so a message quoting the URL masks it; a URL with an `@` anywhere (a user or
password) is refused without being echoed, whatever else is wrong with it.

Nothing here reaches a router: each URL is refused before a request is made.
"""

from __future__ import annotations

import pytest
from sandbox_fixture import run_graphc

KEY = "seq_live_Zx9SECRETKEYVALUE0123456789"
OTHER_KEY = "sk_live_Q7zX2mV9pL4wR8tY6nB3cK1d"  # not shaped like a Sequence key: masked because it is registered
PASSWORD = "hunter2pass"
CREDENTIALS = (
    "graphc: error: the router URL must not contain a user or password (it is not shown here); put the API key in "
    "SEQUENCE_API_KEY and give the URL as https://HOST\n"
)
COMMANDS = [["status", "g1"], ["cancel", "g1"], ["kill-switch", "on", "--reason", "x"]]


def _run(tmp_path, args, url: str, key: str | None = KEY):
    env = {"SEQUENCE_API_URL": url, "GRAPHC_CREDENTIALS": "/nonexistent/graphc-credentials", "PATH": "/usr/bin:/bin"}
    if key is not None:
        env["SEQUENCE_API_KEY"] = key
    return run_graphc(args, env, tmp_path, timeout=60)


def _absent(proc, *secrets: str) -> None:
    for secret in secrets:
        for piece in {secret[i : i + 8] for i in range(len(secret) - 7)}:
            assert piece not in proc.stdout and piece not in proc.stderr, proc.stdout + proc.stderr


@pytest.mark.parametrize("args", COMMANDS)
def test_a_key_pasted_into_the_url_variable_is_masked(tmp_path, args):
    proc = _run(tmp_path, args, KEY)  # the two variables swapped
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "invalid router URL" in proc.stderr and "expected https://HOST" in proc.stderr
    _absent(proc, KEY)  # before the fix: the URL quoted whole, the key in it


@pytest.mark.parametrize("key", [None, OTHER_KEY])
def test_a_sequence_shaped_key_in_the_url_is_masked_without_the_key_set(tmp_path, key):
    proc = _run(tmp_path, ["status", "g1"], KEY, key=key)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    _absent(proc, KEY)


def test_a_registered_key_is_masked_in_the_url_whatever_its_shape(tmp_path):
    proc = _run(tmp_path, ["status", "g1"], OTHER_KEY, key=OTHER_KEY)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "invalid router URL" in proc.stderr
    _absent(proc, OTHER_KEY)  # before the fix: the URL was checked before the key was read, so not masked


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{KEY}@",
        f"ftp://user:{PASSWORD}@127.0.0.1:1",
        f"htps://u:{PASSWORD}@h",
        f"http://user:{PASSWORD}@127.0.0.1:1",
        f"https://{KEY}@router.example",
        f"  https://u:{PASSWORD}@router.example:notaport/",
    ],
)
@pytest.mark.parametrize("args", COMMANDS)
def test_a_url_with_credentials_is_refused_without_being_echoed(tmp_path, url, args):
    proc = _run(tmp_path, args, url)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == CREDENTIALS  # before the fix: `invalid router URL '…'` quoting it, for all but plain http
    _absent(proc, KEY, PASSWORD)


def test_a_url_shaped_like_one_with_a_user_is_refused_without_being_echoed(tmp_path):
    proc = _run(tmp_path, ["status", "g1"], f"u:{PASSWORD}@h")  # no `//`: not a URL with a user, but shaped like one
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == CREDENTIALS  # any `@` (review28 5); it was quoted as 'u:***@h' before
    _absent(proc, KEY, PASSWORD)


@pytest.mark.parametrize(
    "url",
    ["https://user:secretpw#x@host", "https://user:se/cretpw@host", "https://admin:12345/x@host"],
)
def test_a_password_holding_a_hash_slash_or_question_mark_is_not_shown(tmp_path, url):
    """notes/audit/review28.md 5: the userinfo check stopped at the first `/`, `?` or `#`, so httpx parsed such a
    URL otherwise and its error (`Invalid port: 'secretpw'`), or the connect error quoting the URL, showed the
    password. Any `@` in a router URL is refused before it is parsed."""
    proc = _run(tmp_path, ["status", "g-1"], url, key="k")
    assert proc.returncode == 2, proc.stdout + proc.stderr  # before the fix: 2 with the password, or 3 (connect)
    assert proc.stderr == CREDENTIALS
    for secret in ("secretpw", "se/cretpw", "cretpw", "12345/x", "12345"):
        assert secret not in proc.stdout and secret not in proc.stderr, proc.stdout + proc.stderr
