"""Account-status lookups: twarc2 user-lookup output, or a CSV of account_id, status[, checked_at]."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..validate import ValidationReport
from .ids import text
from .readers import MAX_CELL_BYTES, CsvReader, missing_columns, read_files
from .staging import Staging, account_row
from .twarc2 import Twarc2Reader

CSV_COLUMNS = ("account_id", "status", "checked_at")
_BRACKETED_ID = re.compile(r"\[([^\]]+)\]")


def parse_check_date(value: str) -> str:
    """A --checked-at value as an ISO date-time in UTC; a DataError when it is not a date."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise DataError("--checked-at is not a date such as 2021-03-01", column="--checked-at", value=value) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def lookup_status(error: dict[str, Any]) -> tuple[str | None, str | None]:
    """(status, account id) a user-lookup error stands for; (None, None) for other errors.

    Suspended and deleted accounts share the error `type`; only title and detail tell them apart.
    """
    title, detail = error.get("title"), str(error.get("detail") or "")
    if error.get("resource_type") not in (None, "user"):
        return None, None
    if title == "Forbidden" and detail.startswith("User has been suspended"):
        status = "suspended"
    elif title == "Not Found Error" and detail.startswith("Could not find user"):
        status = "deleted"
    else:
        return None, None
    bracketed = _BRACKETED_ID.search(detail)
    account_id = error.get("resource_id") or error.get("value") or (bracketed.group(1) if bracketed else None)
    return status, text(account_id)


class LookupReader(Twarc2Reader):
    """Stages status checks (and the returned users as accounts) from lookup files."""

    def __init__(
        self, staging: Staging, report: ValidationReport, *, checked_at: str | None, max_cell_bytes: int
    ) -> None:
        super().__init__(staging, report, max_cell_bytes=max_cell_bytes)
        self.checked_at = checked_at

    def read(self, path: Path) -> None:
        """Stage every lookup in one file (CSV by its suffix, else twarc2 JSONL)."""
        self.path, self.shown = path, str(path)
        if path.suffix.lower() == ".csv":
            self._csv(path)
            return
        for value in self._json_objects(path, "a twarc2 user-lookup page or a user"):
            paged = "data" in value or "errors" in value  # a response page, else one flattened user
            users = value.get("data") if paged else value
            for user in users if isinstance(users, list) else [users] if users is not None else []:
                if not isinstance(user, dict):
                    self._error("expected a user object", "data", user)
                    continue
                account_id = self._user(user)
                if account_id is not None:
                    self._check(account_id, "active", self.checked_at or self.retrieved_at, None)
            for error in value.get("errors") or []:
                status, account_id = lookup_status(error) if isinstance(error, dict) else (None, None)
                if status is None or account_id is None:
                    self.counts["unrecognised_errors"] += 1
                    continue
                self._check(account_id, status, self.checked_at or self.retrieved_at, None)

    def _check(self, account_id: str, status: str | None, when: Any, column: str | None) -> None:
        if when is None:
            self._error("no check date: pass --checked-at DATE (the page has no __twarc.retrieved_at)", column, None)
            return
        self.staging.add("status_checks", (account_id, status, when), self.shown, self.line)
        self.staging.add("accounts", account_row(account_id), self.shown, self.line)
        self.counts[status or "no status"] += 1

    def _csv(self, path: Path) -> None:
        reader = CsvReader(path, self.report, max_cell_bytes=self.max_cell_bytes)
        if not reader.header or missing_columns(reader, CSV_COLUMNS[:2]):
            return
        for name in reader.header:
            if name not in CSV_COLUMNS:
                self.report.add(
                    DataError(
                        f"unknown column {name!r} (expected {', '.join(CSV_COLUMNS)})", path=path, line=1, column=name
                    )
                )
        index = {name: reader.header.index(name) for name in CSV_COLUMNS if name in reader.header}
        when_index = index.get("checked_at")
        for line, cells in reader.records():
            self.line = line
            account_id = cells[index["account_id"]] or None
            if account_id is None:
                self._error("missing required value", "account_id", None)
                continue
            when = (cells[when_index] or None) if when_index is not None else None
            self._check(account_id, cells[index["status"]] or None, when or self.checked_at, "checked_at")


def read_lookup(
    paths: list[Path],
    staging: Staging,
    report: ValidationReport,
    *,
    checked_at: str | None = None,
    max_cell_bytes: int = MAX_CELL_BYTES,
) -> dict[str, int]:
    """Stage status lookups; counts of active, suspended and deleted accounts and of other errors."""
    reader = LookupReader(staging, report, checked_at=checked_at, max_cell_bytes=max_cell_bytes)
    return read_files(reader, paths, ("active", "suspended", "deleted", "unrecognised_errors"))
