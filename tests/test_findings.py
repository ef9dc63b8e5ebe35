"""Expectations: the comparisons a reporter writes, parsed and checked."""

from __future__ import annotations

import pytest

from sitegen.findings import parse_expectation


@pytest.mark.parametrize(
    ("text", "holds", "fails"),
    [
        ("> 0.5", 0.51, 0.5),
        (">= 43000", 43000, 42999),
        ("> 50%", 0.52, 0.5),
        ("< 10", 9, 10),
        ("== 45,332", 45332, 45333),
        ("~ 0.44 +- 0.02", 0.455, 0.47),
        ("~ 44% ± 2%", 0.43, 0.41),
        ("between 0.3 and 0.5", 0.3, 0.51),
    ],
)
def test_expectations(text: str, holds: float, fails: float) -> None:
    expectation = parse_expectation(text)
    assert expectation.holds(holds)
    assert not expectation.holds(fails)


@pytest.mark.parametrize("text", ["more than half", "> ", ">> 3", "~ 0.4", "between 1 and"])
def test_unreadable_expectations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="write `> 0.5`"):
        parse_expectation(text)
