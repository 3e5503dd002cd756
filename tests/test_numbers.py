"""graphc.numbers: the one home for showing numbers, exact at any size."""

from decimal import Decimal as D

import pytest

from graphc.numbers import above, money, plain, shown, usd


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


# One text for money everywhere (audit desk21 1): exact, never rounded up or cut to cents, so an amount reads on
# its own side of any bound it is compared with and is never $0.00 when it is not 0. Whole dollars when whole,
# cents when a whole number of cents; each expected text is the value's own digits (checked by hand).
@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("930066", "$930,066"),
        ("930066.00", "$930,066"),
        ("1E+3", "$1,000"),
        ("1.5", "$1.50"),
        ("1.500", "$1.50"),
        ("0.999", "$0.999"),  # 6.66 shares x 0.15: never "$1.00" (above a $1 minimum) nor "$0.99"
        ("4.99977", "$4.99977"),  # 68.49 x 0.073
        ("23.09977", "$23.09977"),
        ("1000.0002", "$1,000.0002"),  # 0.01666667 x 60000: "$1,000.00" would read as the $1,000 limit itself
        ("1000.0049", "$1,000.0049"),
        ("999.996", "$999.996"),  # below $1,000, never "$1,000.00"
        ("500000.001", "$500,000.001"),
        ("0.004", "$0.004"),
        ("0.0000001", "$0.0000001"),
        ("0.00000001", "$0.00000001"),
        ("100000000000000000000000000", "$100,000,000,000,000,000,000,000,000"),  # 1e26: more than 28 digits
        ("1000000000000000000000000.123456789", "$1,000,000,000,000,000,000,000,000.123456789"),
        ("0", "$0"),
        ("-12.5", "-$12.50"),
    ],
)
def test_usd_shows_every_amount_exactly(value, text):
    assert usd(D(value)) == text
    # the text is the value: the same number, so it reads on the value's side of any bound
    assert D(text.replace("$", "").replace(",", "")) == D(value)


@pytest.mark.parametrize(("value", "text"), [("0.00999", "0.00999"), ("1234.5", "1,234.50"), ("50", "50")])
def test_money_is_the_digits_usd_shows(value, text):
    assert money(D(value)) == text  # `0.00999 USDC`: GC301 on a market priced in another currency


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


@pytest.mark.parametrize("step", ["0", "0.0", "-0", "-0.01", "Infinity", "NaN"])
def test_is_multiple_refuses_a_step_that_is_no_grid(step):
    # audit venues 1: a step of 0 made _is_multiple_exact loop forever (`while rest % 2 == 0` with rest 0)
    from graphc.numbers import is_multiple
    from graphc.venues.prices import step_ceil, step_floor

    for check in (is_multiple, step_floor, step_ceil):
        with pytest.raises(ValueError, match="a step must be finite and positive"):
            check(D("60000"), D(step))
