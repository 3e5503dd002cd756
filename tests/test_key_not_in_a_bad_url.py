"""The API key never appears in a message about an invalid router URL (notes/audit/status28.md 2), each case of the
audit run as a real `python -m graphc` process: a key pasted into SEQUENCE_API_URL, a URL carrying `user:KEY@` with
a bad scheme or no host, a password in a URL of another scheme. The key is registered before the URL is checked,
so a message quoting the URL masks it; a URL with a user or password is refused without being echoed, whatever
else is wrong with it; an invalid URL is quoted without its userinfo (`u:***@h`).

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


def test_an_invalid_url_is_quoted_without_its_userinfo(tmp_path):
    proc = _run(tmp_path, ["status", "g1"], f"u:{PASSWORD}@h")  # no `//`: not a URL with a user, but shaped like one
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr == "graphc: error: invalid router URL 'u:***@h': expected https://HOST\n"
    _absent(proc, KEY, PASSWORD)
