"""graphc.numbers: the one home for showing numbers, exact at any size."""

from decimal import Decimal as D

import pytest

from graphc.numbers import plain, usd


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("100", "100"),
        ("1E+2", "100"),
        ("0.500", "0.5"),
        ("-0", "0"),
        ("0E-9", "0"),
        ("0.00000001", "0.00000001"),
        ("-2325.530", "-2325.53"),
        # 31 significant digits: the default 28-digit context would round them when normalising
        ("1234567890123456789012345678901.5", "1234567890123456789012345678901.5"),
    ],
)
def test_plain(value, text):
    assert plain(D(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [("930066", "$930,066"), ("930066.00", "$930,066"), ("1.5", "$1.50"), ("0.999", "$1.00"), ("0", "$0")],
)
def test_usd(value, text):
    assert usd(D(value)) == text
