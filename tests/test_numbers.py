"""graphc.numbers: the one home for showing numbers, exact at any size."""

from decimal import Decimal as D

import pytest

from graphc.numbers import above, plain, shown, usd, usd_exact, usd_up


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


# audit docs.md finding 2: an amount compared with a limit must read on its side of the limit, and an amount
# that is not zero never reads as $0.00. Expected texts are the exact values cut (never rounded up) after the
# first digit that shows the difference: 1000.0002 is 1,000.00 at cents and 1,000.000 at three places.
@pytest.mark.parametrize(
    ("value", "than", "text"),
    [
        ("400000", "300000", "$400,000"),  # the usual case: unchanged
        ("1000.50", "1000", "$1,000.50"),
        ("1000.0002", "1000", "$1,000.0002"),  # the audit's 0.01666667 x 60000: "$1,000.00" would read as equal
        ("1000.004", "1000", "$1,000.004"),
        ("1000.0049", "1000", "$1,000.004"),  # cut, never rounded up to 1,000.005
        ("999.996", "1000", "$999.996"),  # below: "$1,000.00" would read as equal
        ("999.99999", "1000", "$999.999"),  # cut: 999.999 already reads below
        ("600000.01", "600000", "$600,000.01"),  # cents already show it
        ("0.004", "1", "$0.004"),  # below, and not zero
        ("0.00999", "10", "$0.01"),  # half-even cents is already neither zero nor the minimum
    ],
)
def test_usd_against_a_limit_reads_on_its_side_of_the_limit(value, than, text):
    assert usd(D(value), than=D(than)) == text
    shown_value = D(text.removeprefix("$").replace(",", ""))
    assert (shown_value > D(than)) is (D(value) > D(than)) and shown_value != 0


@pytest.mark.parametrize(("value", "text"), [("0.004", "$0.004"), ("0.0000001", "$0.0000001"), ("0.005", "$0.005")])
def test_usd_never_shows_an_amount_that_is_not_zero_as_zero(value, text):
    assert usd(D(value)) == text  # 0.005 half-even is 0.00


@pytest.mark.parametrize(
    ("value", "text"),
    [("1000", "$1,000"), ("500000.5", "$500,000.50"), ("0.00000001", "$0.00000001"), ("1000.005", "$1,000.005")],
)
def test_usd_exact_shows_a_limit_as_given(value, text):
    assert usd_exact(D(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("100000", "$100,000"),
        ("12.5", "$12.50"),
        ("0.0002", "$0.01"),  # the audit's cut: $0.00 could not be applied; $0.01 is enough
        ("0.011", "$0.02"),  # $0.01 would leave 0.001 over the limit
        ("30012.50", "$30,012.50"),
    ],
)
def test_usd_up_rounds_a_cut_up_to_the_next_cent(value, text):
    assert usd_up(D(value)) == text


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
