"""graphc.numbers: the one home for showing numbers, exact at any size."""

from decimal import Decimal as D

import pytest

from graphc.numbers import above, plain, shown, usd


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


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("14.9712", "15.0"),  # one decimal, rounded as usual, when that already reads as more than 10
        ("12", "12.0"),
        ("10.04", "10.04"),  # "10.0" would not read as more than 10: one more digit does
        ("10.05", "10.05"),  # half-even rounds it to 10.0
        ("10.0000166666", "10.00001"),  # cut, never rounded up: 10.00002 would overstate it
        ("10.0004998", "10.0004"),
    ],
)
def test_above_shows_the_digits_that_make_it_more_than_the_bound(value, text):
    assert above(D(value), D(10)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("-1e400", "-1E+400"),  # a 401-character number in a message is unreadable (audit graph.md 5)
        ("1" * 45, "1" * 45),  # long, but its exponent form would be longer: kept plain
        ("-100.00000000000000000000000000001", "-100.00000000000000000000000000001"),  # exact, never rounded
        ("2.5E+3", "2500"),
    ],
)
def test_shown_is_exact_and_bounded_for_long_numbers(value, text):
    assert shown(D(value)) == text
