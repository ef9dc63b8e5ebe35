"""Words and cells made from a chart's numbers: CSV, the printed data table, and alt-text phrases."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from ..numbers import grouped, long_date

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def percent_of(part: Any, whole: Any) -> Any:
    """part / whole as a number of percent rounded to 0.1: what tables, tooltips and marks all show."""
    return np.round(100 * part / whole, 1)


def csv_text(frame: pd.DataFrame) -> str:
    """CSV of a table: ids and other text exactly as held, formula-like text cells neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue  # numbers, dates and booleans cannot start a formula
        text = values.astype("string")
        risky = text.str.startswith(_FORMULA_STARTS).fillna(False).astype(bool)
        if not risky.any():
            continue
        # Only the cells that start like a formula are parsed as numbers ("-3" is a number, "-x" is not).
        risky[risky] = pd.to_numeric(text[risky], errors="coerce").isna()
        safe[column] = values.where(~risky, "'" + text)
    return safe.to_csv(index=False, lineterminator="\n")


def display_cell(value: Any, fmt: str) -> str:
    """One table cell as the page prints it."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if fmt == "count":
        return grouped(float(value))
    if fmt == "percent":
        return grouped(float(value), 1) + "%"
    if fmt == "number":
        text = grouped(float(value), 2)
        return text.rstrip("0").rstrip(".") if "." in text else text
    if fmt == "date" and isinstance(value, dt.date | pd.Timestamp):
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def display_rows(frame: pd.DataFrame, formats: dict[str, str]) -> list[list[str]]:
    """Every row of a table as printed cells, in column order."""
    columns = list(frame.columns)
    return [
        [display_cell(value, formats.get(column, "text")) for column, value in zip(columns, row, strict=True)]
        for row in frame.itertuples(index=False, name=None)
    ]


def at_handle(value: object) -> str:
    """A handle as readers know it: 'AmbLiuXiaoMing' -> '@AmbLiuXiaoMing'."""
    text = str(value)
    return text if text.startswith("@") else "@" + text


def day(value: Any) -> str:
    """'2020-06-08' or a date -> '8 June 2020'."""
    return long_date(pd.Timestamp(value).date())


def count(value: float) -> str:
    """1234 -> '1,234'."""
    return grouped(float(value))


def pct(value: float, decimals: int = 1) -> str:
    """A number of percent, 52.34 -> '52.3%'."""
    return grouped(float(value), decimals) + "%"


def listing(items: list[str]) -> str:
    """['a', 'b', 'c'] -> 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, one: str, many: str | None = None) -> str:
    """1 -> '1 week', 3 -> '3 weeks'."""
    return f"{count(n)} {one if n == 1 else (many or one + 's')}"
