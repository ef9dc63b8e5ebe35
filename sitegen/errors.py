"""The one error hierarchy: every user-facing failure says where it came from."""

from __future__ import annotations

from pathlib import Path

_MAX_VALUE = 80


def show_value(value: object) -> str:
    """Render an offending value for a message: repr-escaped and truncated."""
    text = repr(value)
    if len(text) > _MAX_VALUE:
        text = text[: _MAX_VALUE - 1] + "…"
    return text


class SitegenError(Exception):
    """A problem with the user's project or input; the CLI prints it without a traceback."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | str | None = None,
        row: int | None = None,
        value: object = None,
        has_value: bool = False,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.row = row
        self.value = value
        self.has_value = has_value or value is not None
        super().__init__(self.located())

    def location(self) -> str:
        """`path:line:col`, or `path, row N, column C`, or '' when nothing is known."""
        if self.path is None:
            return ""
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if isinstance(self.column, int):
                where += f":{self.column}"
        if self.row is not None:
            where += f", row {self.row}"
        if isinstance(self.column, str) or (self.line is None and self.column is not None):
            where += f", column {self.column!s}"
        return where

    def located(self) -> str:
        """The full message: location, text and the offending value."""
        text = self.message
        if self.has_value:
            text += f" (value: {show_value(self.value)})"
        where = self.location()
        return f"{where}: {text}" if where else text


class ConfigError(SitegenError):
    """sitegen.toml is missing, malformed or invalid."""


class ContentError(SitegenError):
    """A page, findings, sources, statistics or charts file is malformed."""


class DataError(SitegenError):
    """A dataset is missing, unreadable or fails validation."""


class StatsError(SitegenError):
    """A statistic cannot be computed as declared."""


class FindingError(SitegenError):
    """A finding is malformed or contradicted by the data."""


class ChartError(SitegenError):
    """A chart is declared wrongly or cannot be rendered."""


class RenderError(SitegenError):
    """A template or page body fails to render."""


class OutputError(SitegenError):
    """The output directory cannot be used or written."""


class SearchError(SitegenError):
    """The search index could not be built."""


class ErrorList(SitegenError):
    """Several problems found at once (config keys, data rows): all are reported together."""

    def __init__(self, errors: list[SitegenError], *, cap: int = 50, total: int | None = None) -> None:
        self.errors = errors
        self.cap = cap
        self.total = total if total is not None else len(errors)
        shown = [e.located() for e in errors[:cap]]
        if self.total > len(shown):
            shown.append(f"+{self.total - len(shown)} more")
        super().__init__("\n".join(shown))

    def located(self) -> str:
        return self.message
