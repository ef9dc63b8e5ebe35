"""Read JSON Lines and CSV input record by record; every problem becomes a located DataError."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

# orjson is several times faster; any line it refuses is parsed again by json for a located error.
from orjson import loads as fast_loads

from ..errors import DataError
from ..validate import ValidationReport

BOM = b"\xef\xbb\xbf"
MAX_CELL_BYTES = 1 << 20
# A line may hold this many cell limits (a twarc2 page of 100 tweets is a few MB) before it is refused
# unread, so one endless line cannot exhaust memory.
CELLS_PER_LINE = 64
RAISE_HINT = "raise `ingest_cell_bytes` in [limits] of sitegen.toml or pass --max-cell-bytes (a line may hold 64 cells)"


class FileReader(Protocol):
    """A reader that stages one input file at a time and counts what it read."""

    counts: Counter[str]

    def read(self, path: Path) -> None:
        """Stage every record of one file."""


def read_files(reader: FileReader, paths: list[Path], keys: tuple[str, ...]) -> dict[str, int]:
    """Read every path with reader; its counts sorted by name, each of keys included (0 when never seen)."""
    for path in paths:
        reader.read(path)
    return dict(sorted(({key: 0 for key in keys} | dict(reader.counts)).items()))


def binary_lines(path: Path, report: ValidationReport, max_line_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, bytes) of each line, a leading BOM dropped; overlong lines are reported."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        report.add(DataError(f"cannot read this file: {exc.strerror or exc}", path=path))
        return
    seen = False
    with handle:
        number = 0
        while raw := handle.readline(max_line_bytes + 1):
            number += 1
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]
            if len(raw) > max_line_bytes:
                report.add(
                    DataError(
                        f"line longer than {max_line_bytes:,} bytes; {RAISE_HINT}",
                        path=path,
                        line=number,
                        value=raw[:60],
                    )
                )
                while raw and not raw.endswith(b"\n"):
                    raw = handle.readline(1 << 20)
                continue
            if not seen:
                seen = not raw.isspace()
            yield number, raw
    if not seen:
        report.add(DataError("empty file", path=path))


def _bad_utf8(path: Path, number: int, raw: bytes, exc: UnicodeDecodeError) -> DataError:
    return DataError(
        "not valid UTF-8",
        path=path,
        line=number,
        column=exc.start + 1,
        value=raw[max(0, exc.start - 20) : exc.end + 20],
    )


def json_lines(
    path: Path, report: ValidationReport, *, max_cell_bytes: int = MAX_CELL_BYTES
) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line; lines that do not parse are reported and skipped."""
    for number, raw in binary_lines(path, report, max_cell_bytes * CELLS_PER_LINE):
        if raw.isspace():
            continue
        if len(raw) <= max_cell_bytes:
            try:
                value = fast_loads(raw)
            except ValueError:  # orjson.JSONDecodeError: parsed again below, for json's located message
                pass
            else:
                yield number, value
                continue
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            report.add(_bad_utf8(path, number, raw, exc))
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            snippet = text[max(0, exc.pos - 20) : exc.pos + 20]
            report.add(DataError(f"not valid JSON: {exc.msg}", path=path, line=number, column=exc.colno, value=snippet))
            continue
        except RecursionError:
            report.add(DataError("JSON nested too deeply", path=path, line=number))
            continue
        if len(raw) > max_cell_bytes:
            big = list(oversized(value, max_cell_bytes))
            for where, cell in big:
                report.add(_too_big(path, number, where, cell, max_cell_bytes))
            if big:
                continue
        yield number, value


def oversized(value: Any, limit: int, where: str = "") -> Iterator[tuple[str, str]]:
    """(JSON path, string) of every string in value longer than limit bytes."""
    if isinstance(value, str):
        if len(value) > limit or (len(value) * 4 > limit and len(value.encode("utf-8", "surrogatepass")) > limit):
            yield where or "$", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from oversized(item, limit, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from oversized(item, limit, f"{where}[{index}]")


def _too_big(path: Path, line: int, column: str, cell: str, limit: int) -> DataError:
    return DataError(
        f"cell longer than {limit:,} bytes; {RAISE_HINT}", path=path, line=line, column=column, value=cell[:100]
    )


class CsvReader:
    """A CSV file's header and records, each record with the line it starts on (UTF-8, BOM allowed)."""

    def __init__(self, path: Path, report: ValidationReport, *, max_cell_bytes: int = MAX_CELL_BYTES) -> None:
        self.path = path
        self.report = report
        self.max_cell_bytes = max_cell_bytes
        self.header: list[str] = []
        self._line = 0  # last physical line handed to the csv module
        self._bytes = 0
        self._bad_line = 0  # last line that was not valid UTF-8
        self._pending: list[str] = []  # the physical lines of the record being parsed
        self._records = self._parse()
        first = next(self._records, None)
        if first is not None:
            self.header = first[1]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(start line, cells) of each data record whose field count matches the header."""
        return self._records

    def column(self, index: int) -> str:
        """The header name of a field, or `field N` past the header."""
        return self.header[index] if index < len(self.header) else f"field {index + 1}"

    def _feed(self) -> Iterator[str]:
        for number, raw in binary_lines(self.path, self.report, self.max_cell_bytes * CELLS_PER_LINE):
            self._line = number
            self._bytes += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.report.add(_bad_utf8(self.path, number, raw, exc))
                self._bad_line = number
                text = raw.decode("utf-8", "replace")
            self._pending.append(text)
            yield text

    def _parse(self) -> Iterator[tuple[int, list[str]]]:
        saved = csv.field_size_limit()
        csv.field_size_limit(self.max_cell_bytes * CELLS_PER_LINE)
        try:
            reader = csv.reader(self._feed(), strict=True)
            done_line, done_bytes = 0, 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    self.report.add(self._malformed(str(exc), done_line + 1))
                    return
                start, size = done_line + 1, self._bytes - done_bytes
                done_line, done_bytes = self._line, self._bytes
                first_text = self._pending[0] if self._pending else ""
                self._pending = []
                if not cells:
                    continue
                if self.header and self._problems(start, cells, size, first_text):
                    continue
                yield start, cells
        finally:
            csv.field_size_limit(saved)

    def _problems(self, start: int, cells: list[str], size: int, text: str) -> bool:
        """Report an invalid record (bad UTF-8, oversized cells, wrong field count); True when it was."""
        bad = self._bad_line >= start
        if size > self.max_cell_bytes:
            for index, cell in enumerate(cells):
                if len(cell.encode("utf-8", "surrogatepass")) > self.max_cell_bytes:
                    self.report.add(_too_big(self.path, start, self.column(index), cell, self.max_cell_bytes))
                    bad = True
        if len(cells) != len(self.header):
            index = min(len(cells), len(self.header))
            self.report.add(
                DataError(
                    f"expected {len(self.header)} fields (as in the header), found {len(cells)}",
                    path=self.path,
                    line=start,
                    column=self.column(index),
                    value=cells[index] if index < len(cells) else text.rstrip("\r\n")[:100],
                )
            )
            bad = True
        return bad

    def _malformed(self, message: str, start: int) -> DataError:
        first = self._pending[0] if self._pending else ""
        if message.startswith(("unexpected end of data", "field larger than field limit")):
            column = self._open_field(first)
            what = "to the end of the file" if message.startswith("unexpected") else "past the size limit"
            return DataError(
                f"unterminated quote: the quoted field runs {what}",
                path=self.path,
                line=start,
                column=column,
                value=first.rstrip("\r\n")[:100],
            )
        return DataError(
            f"malformed CSV: {message}",
            path=self.path,
            line=self._line,
            value=self._pending[-1][:100] if self._pending else None,
        )

    def _open_field(self, text: str) -> str | None:
        """The column whose quote is never closed, found by closing it on the record's first line."""
        try:
            cells = next(csv.reader([text.rstrip("\r\n") + '"']))
        except (csv.Error, StopIteration):
            return None
        return self.column(len(cells) - 1) if self.header else None


def missing_columns(reader: CsvReader, required: tuple[str, ...]) -> list[str]:
    """Report each required column the header lacks (at line 1); return them."""
    missing = [name for name in required if name not in reader.header]
    for name in missing:
        reader.report.add(
            DataError(
                f"missing column {name!r} (the header has: {', '.join(reader.header)})",
                path=reader.path,
                line=1,
                column=name,
            )
        )
    return missing
