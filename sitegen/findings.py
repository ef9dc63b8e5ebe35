"""The findings stage: check every reported claim against the statistic it rests on."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from .content import Declarations, entry_error
from .errors import ErrorList, FindingError, SitegenError
from .untrusted import safe_link

if TYPE_CHECKING:  # a type only: the --strict checks of a build that skips the data stages import this module
    from .stats import StatResult

_NUMBER = r"\d{4}-\d{2}-\d{2}|[-+]?\d[\d,_]*(?:\.\d+)?%?"  # a date (compared as YYYYMMDD) or a number
_COMPARE = re.compile(rf"^\s*(>=|<=|>|<|==)\s*({_NUMBER})\s*$")
_APPROX = re.compile(rf"^\s*~\s*({_NUMBER})\s*(?:\+-|±|\+/-)\s*({_NUMBER})\s*$")
_RANGE = re.compile(rf"^\s*between\s+({_NUMBER})\s+and\s+({_NUMBER})\s*$", re.IGNORECASE)
_KEYS = ("id", "claim", "source", "stat", "expect", "note")


@dataclass(frozen=True)
class Source:
    """A publication a claim is quoted from."""

    key: str
    title: str
    publisher: str = ""
    author: str = ""
    date: str = ""
    url: str = ""


@dataclass(frozen=True)
class Expectation:
    """What the data must show for the claim to hold: `op` is one of > >= < <= == ~ between."""

    text: str
    op: str
    low: float
    high: float | None = None

    def holds(self, value: float) -> bool:
        """Whether a computed value satisfies the expectation."""
        if self.op == ">":
            return value > self.low
        if self.op == ">=":
            return value >= self.low
        if self.op == "<":
            return value < self.low
        if self.op == "<=":
            return value <= self.low
        if self.op == "==":
            return value == self.low
        assert self.high is not None
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Finding:
    """A curated claim, the statistic it rests on, and the verdict of the check.

    A finding declared without `stat` is quoted but not checked: `stat`, `expectation` and `holds` are None
    (`--strict` fails on it; see `unchecked_findings`).
    """

    id: str
    claim: str
    source: Source
    stat: StatResult | None
    expectation: Expectation | None
    holds: bool | None
    note: str = ""
    line: int = 0

    @property
    def checked(self) -> bool:
        """Whether the claim was checked against a statistic."""
        return self.stat is not None


def _number(text: str) -> float:
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a date") from None
        return float(day.year * 10000 + day.month * 100 + day.day)
    text = text.replace(",", "").replace("_", "")
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def parse_expectation(text: str) -> Expectation:
    """`> 0.5`, `>= 43000`, `> 50%`, `~ 0.44 +- 0.02`, `between 0.3 and 0.5`, `between 2019-10-01 and 2019-10-31`."""
    if match := _COMPARE.match(text):
        return Expectation(text, match.group(1), _number(match.group(2)))
    if match := _APPROX.match(text):
        centre, tolerance = _number(match.group(1)), abs(_number(match.group(2)))
        return Expectation(text, "~", centre - tolerance, centre + tolerance)
    if match := _RANGE.match(text):
        low, high = sorted((_number(match.group(1)), _number(match.group(2))))
        return Expectation(text, "between", low, high)
    raise ValueError(
        f"cannot read expectation {text!r}: write `> 0.5`, `>= 43000`, `~ 0.44 +- 0.02` or `between 0.3 and 0.5`"
    )


def read_sources(declarations: Declarations) -> dict[str, Source]:
    """sources.yaml: key, title, publisher, author, date, url."""
    sources: dict[str, Source] = {}
    for entry in declarations.entries:
        key = entry.get("key")
        if not isinstance(key, str) or not isinstance(entry.get("title"), str):
            raise FindingError("every source needs a `key` and a `title`", path=declarations.path, line=entry.line)
        unknown = sorted(set(entry) - {"key", "title", "publisher", "author", "date", "url"})
        if unknown:
            raise FindingError(
                f"source {key!r}: unknown key {unknown[0]!r}", path=declarations.path, line=entry.key_lines[unknown[0]]
            )
        url = str(entry.get("url", ""))
        if url and not safe_link(url):
            raise FindingError(
                f"source {key!r}: url must be an http://, https:// or mailto: address, without spaces",
                path=declarations.path,
                line=entry.key_lines["url"],
                value=url,
            )
        sources[key] = Source(
            key=key,
            title=entry["title"],
            publisher=str(entry.get("publisher", "")),
            author=str(entry.get("author", "")),
            date=str(entry.get("date", "")),
            url=url,
        )
    return sources


def check_findings(
    declarations: Declarations, sources: dict[str, Source], stats: dict[str, StatResult]
) -> dict[str, Finding]:
    """Check every finding; contradicted claims fail the build together, each with its numbers."""
    findings: dict[str, Finding] = {}
    contradicted: list[SitegenError] = []
    for entry in declarations.entries:
        fail = partial(entry_error, FindingError, declarations, entry)

        finding_id = entry.get("id")
        if not isinstance(finding_id, str) or not finding_id:
            raise fail("every finding needs an `id`")
        unknown = sorted(set(entry) - set(_KEYS))
        if unknown:
            raise fail(f"finding {finding_id!r}: unknown key {unknown[0]!r} (expected {', '.join(_KEYS)})", unknown[0])
        if finding_id in findings:
            raise fail(f"finding id {finding_id!r} is declared twice", "id")
        for key in ("claim", "source"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise fail(f"finding {finding_id!r} needs `{key}`")
        source = sources.get(entry["source"])
        if source is None:
            raise fail(f"finding {finding_id!r}: unknown source {entry['source']!r} (not in sources.yaml)", "source")
        if "stat" not in entry:
            if "expect" in entry:
                raise fail(f"finding {finding_id!r}: `expect` needs `stat`, the statistic to check", "expect")
            findings[finding_id] = Finding(
                finding_id, str(entry["claim"]), source, None, None, None, str(entry.get("note", "")), entry.line
            )
            continue
        stat = stats.get(entry["stat"]) if isinstance(entry["stat"], str) else None
        if stat is None:
            raise fail(f"finding {finding_id!r}: unknown statistic {entry['stat']!r} (not in stats.yaml)", "stat")
        if not isinstance(entry.get("expect"), (str, int, float)):
            raise fail(f"finding {finding_id!r} needs `expect`, such as `> 50%` or `== 45332`", "stat")
        try:
            expectation = parse_expectation(str(entry["expect"]))
        except ValueError as exc:
            raise fail(f"finding {finding_id!r}: {exc}", "expect") from None
        value = _comparable(stat.value)
        if value is None:
            raise fail(f"finding {finding_id!r}: statistic {stat.id!r} is a table, not a number", "stat")
        holds = expectation.holds(value)
        finding = Finding(
            id=finding_id,
            claim=str(entry["claim"]),
            source=source,
            stat=stat,
            expectation=expectation,
            holds=holds,
            note=str(entry.get("note", "")),
            line=entry.line,
        )
        findings[finding_id] = finding
        if not holds:
            contradicted.append(fail(contradiction(finding)))
    if contradicted:
        raise ErrorList(contradicted) if len(contradicted) > 1 else contradicted[0]
    return findings


def _comparable(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "toordinal"):  # dates compare as YYYYMMDD numbers
        return float(value.year * 10000 + value.month * 100 + value.day)
    return None


def contradiction(finding: Finding) -> str:
    """The message for a claim the data contradicts: claim, source, value, expectation, definition."""
    stat, expectation = finding.stat, finding.expectation
    assert stat is not None and expectation is not None
    counts = f" ({stat.numerator:,.0f} of {stat.denominator:,.0f})" if stat.denominator else ""
    return (
        f"finding {finding.id!r} is contradicted by the data\n"
        f"  claim:      {finding.claim}\n"
        f"  source:     {finding.source.title} ({finding.source.key})\n"
        f"  expected:   {stat.id} {expectation.text}\n"
        f"  computed:   {stat.value!r}{counts}\n"
        f"  definition: {stat.definition}"
    )


def unchecked_findings(declarations: Declarations) -> list[FindingError]:
    """A warning for each finding declared without a statistic: quoted on the site, never checked."""
    return [
        FindingError(
            f"finding {entry.get('id')!r} names no statistic, so its claim is not checked against the data",
            path=declarations.path,
            line=entry.line,
        )
        for entry in declarations.entries
        if "stat" not in entry
    ]
