"""Numbers as the site prints them."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen import numbers


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (43512, "more than 43,500"),
        (43000, "more than 42,900"),
        (119432, "more than 119,000"),
        (16250, "more than 16,200"),
    ],
)
def test_more_than_never_overstates(value: int, text: str) -> None:
    assert numbers.more_than(value) == text


@pytest.mark.parametrize(
    ("share", "text"),
    [
        (0.112, "more than one in ten"),
        (0.1, "one in ten"),
        (0.26, "more than one in four"),
        (0.52, "more than half"),
        (0.5, "half"),
        (0.004, "less than one in a hundred"),
    ],
)
def test_one_in(share: float, text: str) -> None:
    assert numbers.one_in(share) == text


def test_language_separators() -> None:
    assert numbers.grouped(1234567.891, 2) == "1,234,567.89"
    assert numbers.grouped(1234567.891, 2, "de") == "1.234.567,89"
    assert numbers.percent(0.5234, 1, "de-DE") == "52,3%"


def test_dates() -> None:
    assert numbers.long_date(dt.date(2021, 5, 11)) == "11 May 2021"
    assert numbers.month_year(dt.date(2019, 10, 1)) == "October 2019"
