"""Formula-safe CSV: what the chart CSVs and the data downloads are written with.

A spreadsheet runs a cell that starts with one of FORMULA_STARTS as a formula (OWASP "CSV injection"),
so such text cells get a leading apostrophe; numbers, and text that reads as a number ("-5"), are kept.
Ids and other text are written exactly as held, never through float.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_text(frame: pd.DataFrame) -> str:
    """CSV of a table: ids and other text exactly as held, formula-like text cells neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue  # numbers, dates and booleans cannot start a formula
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
        if not risky.any():
            continue
        # Only the cells that start like a formula are parsed as numbers ("-3" is a number, "-x" is not).
        risky[risky] = pd.to_numeric(text[risky], errors="coerce").isna()
        safe[column] = values.where(~risky, "'" + text)
    return safe.to_csv(index=False, lineterminator="\n")
