"""Formula-safe CSV: what the chart CSVs and the data downloads are written with.

A spreadsheet runs a cell that starts with one of FORMULA_STARTS as a formula (OWASP "CSV injection"),
so such text cells get a leading apostrophe; numbers, and text that reads as a number ("-5"), are kept.
Ids and other text are written exactly as held, never through float.

The bytes are pandas' `to_csv(index=False, lineterminator="\\n")`. Big tables of text, whole numbers,
true/false and timestamps (the data downloads: hundreds of thousands of rows) are written by
`_fast_csv`, a column at a time in Arrow, about 3x faster. Small tables of text, whole numbers and
true/false with no formula-like cell (the hundreds of per-account chart tables) are written by
`_small_csv` through the csv module pandas itself uses, without pandas' cost of a few ms per table.
Any other table goes through pandas itself.
"""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# From this many rows the column-wise writer is faster; below, its fixed cost per Arrow call is not.
COLUMNWISE_FROM = 2_000


def csv_text(frame: pd.DataFrame) -> str:
    """CSV of a table: ids and other text exactly as held, formula-like text cells neutralised."""
    small = _small_csv(frame) if len(frame) < COLUMNWISE_FROM else None
    if small is not None:
        return small
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
    fast = _fast_csv(safe) if len(safe) >= COLUMNWISE_FROM else None
    return fast if fast is not None else safe.to_csv(index=False, lineterminator="\n")


def _fast_csv(frame: pd.DataFrame) -> str | None:
    """pandas' CSV of the frame, made a column at a time in Arrow; None for a table left to pandas.

    What pandas writes (through Python's csv module, QUOTE_MINIMAL): a cell is quoted, its quotes
    doubled, when it holds a comma, a quote or the line end "\\n"; a missing value is empty; whole
    numbers as Python prints them, True and False; timestamps as ISO dates when every one is at
    midnight, else "YYYY-MM-DD HH:MM:SS" with as many decimals (0, 3, 6 or 9) as the column needs.
    A table of one column is left to pandas (a row of one empty cell is written as "").
    """
    if len(frame.columns) < 2 or not frame.columns.is_unique or not all(isinstance(c, str) for c in frame.columns):
        return None
    columns: list[pa.Array] = []
    for name in frame.columns:
        cells = _cells(frame[name])
        if cells is None:
            return None
        columns.append(cells)
    header = ",".join(_quoted(pa.array([str(name)])).to_pylist()[0] for name in frame.columns)
    rows = pc.binary_join_element_wise(*columns, ",")
    if not len(rows):
        return header + "\n"
    body = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows), "\n")[0].as_py()
    return f"{header}\n{body}\n"


def _small_csv(frame: pd.DataFrame) -> str | None:
    """pandas' CSV of a table of text, whole numbers and true/false; None for a table left to the other paths.

    pandas writes with Python's csv module (QUOTE_MINIMAL, "\\n" line ends) the cells as it prints them:
    whole numbers and True/False as Python prints them, a missing text cell empty. Given the same cells,
    the same writer writes the same bytes. A text cell that starts like a formula leaves the table to
    csv_text's path, which decides whether it is a number or must be neutralised.
    """
    if not len(frame.columns) or not frame.columns.is_unique or not all(isinstance(c, str) for c in frame.columns):
        return None
    columns: list[list[object]] = []
    for name in frame.columns:
        values = frame[name]
        if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iub":
            columns.append(values.tolist())
        elif pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype):
            cells = values.tolist()
            if not all(type(c) is str or c is None or c is pd.NA or (type(c) is float and c != c) for c in cells):
                return None  # numbers, dates or other objects among the text
            if any(c.startswith(FORMULA_STARTS) for c in cells if type(c) is str):
                return None
            columns.append([c if type(c) is str else "" for c in cells])
        else:
            return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue()


def _cells(values: pd.Series) -> pa.Array | None:
    """A column's cells as pandas writes them (no nulls), or None for a kind of column left to pandas."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        return pc.cast(pa.array(values.to_numpy()), pa.string())
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pc.if_else(pa.array(values.to_numpy()), "True", "False")
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        return _timestamps(values.to_numpy())
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        try:
            text = pa.array(values, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return None
        if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type) or pa.types.is_null(text.type)):
            return None  # numbers, dates or other objects among the text
        return _quoted(text.cast(pa.string())).fill_null("")
    return None


def _quoted(text: pa.Array) -> pa.Array:
    """Cells holding a comma, a quote or a line end, quoted, their quotes doubled."""
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(text, '[,"\n]'), quoted, text)


_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}


def _timestamps(stamps: np.ndarray) -> pa.Array | None:
    """Timestamps as pandas writes them: dates only, or to the second, millisecond, microsecond or nanosecond."""
    unit, step = np.datetime_data(stamps.dtype)
    if unit not in _PER_SECOND or step != 1:
        return None
    per_second = _PER_SECOND[unit]
    ticks = stamps[~np.isnat(stamps)].astype("int64")
    if not (ticks % (86_400 * per_second)).any():
        shown = "D"
    else:  # the coarsest unit that shows every value whole, never finer than the column's
        shown = next(u for u in _PER_SECOND if u == unit or not (ticks % (per_second // _PER_SECOND[u])).any())
    # Arrow prints "YYYY-MM-DD HH:MM:SS" and the decimals of the type's unit; no value is cut by the casts.
    times = pa.array(stamps).cast(pa.date32() if shown == "D" else pa.timestamp(shown), safe=False)
    return times.cast(pa.string()).fill_null("")
