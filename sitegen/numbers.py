"""Numbers and dates as the site prints them, in one place (grouping, decimals, percentages)."""

from __future__ import annotations

import datetime as dt
import math

# Separators per language; English conventions are the default.
_SEPARATORS = {"en": (",", "."), "de": (".", ","), "fr": ("\u202f", ","), "es": (".", ","), "it": (".", ",")}
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _separators(language: str) -> tuple[str, str]:
    return _SEPARATORS.get(language.split("-")[0].lower(), _SEPARATORS["en"])


def grouped(value: float, decimals: int = 0, language: str = "en") -> str:
    """1234567.8 -> '1,234,568' (or with `decimals` places), with the language's separators."""
    group, point = _separators(language)
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", point).replace("\x00", group)


def percent(share: float, decimals: int = 0, language: str = "en") -> str:
    """0.5234 -> '52%'."""
    return grouped(share * 100, decimals, language) + "%"


def floor_to(value: float, step: float) -> float:
    """Round down to a multiple of step, so 'more than' never overstates."""
    return math.floor(value / step) * step


def more_than(value: float, language: str = "en") -> str:
    """43,512 -> 'more than 43,500'; a round figure at two significant digits, never above the value."""
    if value <= 0:
        return grouped(value, 0, language)
    magnitude = 10 ** max(0, int(math.floor(math.log10(value))) - 2)
    floored = floor_to(value, magnitude)
    if floored == value:
        floored -= magnitude
    return f"more than {grouped(floored, 0, language)}"


def one_in(share: float) -> str:
    """0.112 -> 'more than one in ten': the roundest 'one in N' that the share reaches, never above it."""
    if share <= 0:
        return "none"
    if share >= 0.5:
        return "more than half" if share > 0.5 else "half"
    words = {2: "two", 3: "three", 4: "four", 5: "five", 10: "ten", 20: "twenty", 100: "a hundred"}
    n = next((n for n in words if share >= 1 / n), None)
    if n is None:
        return f"less than one in {words[100]}"
    qualifier = "more than " if share > 1 / n else ""
    return f"{qualifier}one in {words[n]}"


def long_date(value: dt.date, language: str = "en") -> str:
    """2021-05-11 -> '11 May 2021'."""
    return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"


def month_year(value: dt.date) -> str:
    """2019-10-05 -> 'October 2019'."""
    return f"{_MONTHS_EN[value.month - 1]} {value.year}"
