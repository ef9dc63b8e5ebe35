"""The formula-safe CSV writer: its column-at-a-time path writes exactly pandas' bytes, formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sitegen.csvsafe import COLUMNWISE_FROM, FORMULA_STARTS, _fast_csv, _small_csv, csv_text

BLNS = [s for s in json.loads((Path(__file__).parent / "security" / "blns.json").read_text()) if isinstance(s, str)]
START = np.datetime64("2020-01-01T00:00:00", "ns")
STEPS = {  # a step between values that needs the named decimals
    "dates": np.timedelta64(1, "D"),
    "seconds": np.timedelta64(3607, "s"),
    "milliseconds": np.timedelta64(3_607_001, "ms"),
    "microseconds": np.timedelta64(1001, "us"),
}


def stamps(unit: str, step: np.timedelta64, n: int = 50) -> np.ndarray:
    values = (START + step * np.arange(n)).astype(f"datetime64[{unit}]")
    values[::7] = np.datetime64("NaT")
    return values


def frames() -> dict[str, pd.DataFrame]:
    n = len(BLNS)
    out = {
        "hostile text": pd.DataFrame(
            {
                "str": pd.array(BLNS, dtype="str"),
                "object": pd.Series(BLNS, dtype=object),
                "int": np.arange(n) - 5,
                "bool": np.arange(n) % 2 == 0,
            }
        ),
        "missing text": pd.DataFrame(
            {
                "string": pd.array([None if i % 5 == 0 else s for i, s in enumerate(BLNS)], dtype="string"),
                "object": pd.Series([None if i % 3 == 0 else s for i, s in enumerate(BLNS)], dtype=object),
            }
        ),
        'header, with "quotes"': pd.DataFrame({"a,b": ["x", ""], 'q"': ["y\nz", None]}),
        "no rows": pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="int64")}),
        "all missing times": pd.DataFrame({"t": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[us]"), "n": [1, 2]}),
    }
    for unit in ("s", "ms", "us", "ns"):
        for name, step in STEPS.items():
            if np.timedelta64(1, unit) <= step.astype(f"timedelta64[{unit}]"):  # representable in the unit
                out[f"{name} in {unit}"] = pd.DataFrame({"when": stamps(unit, step), "n": range(50)})
    return out


@pytest.mark.parametrize("name", sorted(frames()))
def test_fast_path_writes_pandas_bytes(name: str) -> None:
    frame = frames()[name]
    fast = _fast_csv(frame)
    assert fast is not None  # these tables take the fast path...
    assert fast == frame.to_csv(index=False, lineterminator="\n")  # ...and it writes what pandas writes


def small_frames() -> dict[str, pd.DataFrame]:
    """Tables the small-table writer takes: text with no formula-like cell, whole numbers, true/false."""
    texts = [s for s in BLNS if not s.startswith(FORMULA_STARTS)]
    n = len(texts)
    return {
        "hostile text": pd.DataFrame(
            {
                "str": pd.array(texts, dtype="str"),
                "object": pd.Series(texts, dtype=object),
                "int": np.arange(n) - 5,
                "unsigned": np.arange(n, dtype="uint64"),
                "bool": np.arange(n) % 2 == 0,
            }
        ),
        "missing text": pd.DataFrame(
            {
                "string": pd.array([None if i % 5 == 0 else s for i, s in enumerate(texts)], dtype="string"),
                "object": pd.Series([None if i % 3 == 0 else s for i, s in enumerate(texts)], dtype=object),
                "nan": pd.Series([np.nan if i % 4 == 0 else s for i, s in enumerate(texts)], dtype=object),
            }
        ),
        'header, with "quotes"': pd.DataFrame({"a,b": ["x", ""], 'q"': ["y\nz", None]}),
        "one column, empty cells": pd.DataFrame({"only": ["", None, "x"]}),
        "no rows": pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="int64")}),
        "weekly chart": pd.DataFrame({"week starting": ["2024-01-01", "2024-01-08"], "retweets": [3, 0]}),
    }


@pytest.mark.parametrize("name", sorted(small_frames()))
def test_small_tables_write_pandas_bytes(name: str) -> None:
    frame = small_frames()[name]
    small = _small_csv(frame)
    assert small is not None  # these tables take the small-table path...
    assert small == frame.to_csv(index=False, lineterminator="\n")  # ...and it writes what pandas writes
    assert csv_text(frame) == small


def test_small_tables_with_formulas_floats_or_mixed_cells_take_the_other_paths() -> None:
    assert _small_csv(pd.DataFrame({"x": [0.5, 2.0], "y": ["a", "b"]})) is None  # floats
    assert _small_csv(pd.DataFrame({"x": ["a", 3], "y": ["a", "b"]})) is None  # a number among text
    assert _small_csv(pd.DataFrame({"t": pd.to_datetime(["2024-01-01"]), "y": ["a"]})) is None  # timestamps
    frame = pd.DataFrame({"name": ["=HYPERLINK(1)", "-5", "ok"], "n": [1, 2, 3]})
    assert _small_csv(frame) is None
    assert csv_text(frame) == "name,n\n'=HYPERLINK(1),1\n-5,2\nok,3\n"  # neutralised; a number kept


def test_other_tables_are_left_to_pandas() -> None:
    assert _fast_csv(pd.DataFrame({"x": [0.1, 2.5], "y": ["a", "b"]})) is None  # floats
    assert _fast_csv(pd.DataFrame({"x": ["a", 3], "y": ["a", "b"]})) is None  # a number among text
    assert _fast_csv(pd.DataFrame({"only": ["", None]})) is None  # one column: a lone empty cell is ""
    frame = pd.DataFrame({"x": [0.1, None], "y": ["=1+1", "b"]})
    assert csv_text(frame) == "x,y\n0.1,'=1+1\n,b\n"


def test_hostile_cells_read_back_exactly_with_formulas_neutralised() -> None:
    texts = BLNS * (COLUMNWISE_FROM // len(BLNS) + 1)  # enough rows for the column-wise writer
    frame = pd.DataFrame({"text": pd.array(texts, dtype="str"), "n": np.arange(len(texts))})
    written = csv_text(frame)
    rows = list(csv.reader(io.StringIO(written, newline="")))
    assert rows[0] == ["text", "n"] and len(rows) == len(texts) + 1
    for index, ((cell, n), original) in enumerate(zip(rows[1:], texts, strict=True)):
        formula = original.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
        number = not pd.isna(pd.to_numeric(pd.Series([original]), errors="coerce")[0])
        assert cell == ("'" + original if formula and not number else original)
        assert n == str(index)
