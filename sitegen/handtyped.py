"""Numbers typed by hand in page prose: `--strict` wants every figure to come from a statistic.

A page should print figures with `{{ stat("id") }}`, so that they are computed, not copied. This finds
numerals in a page's Markdown that do not: everything except dates, years, times, ordered-list markers,
numerals inside words or handles (`G20`, `@GraceUK5`, `v1.1`), and text that is quoted, in code, in a
template expression, a link target or an HTML tag. Quoting is the way to keep a reported figure as
worded ("more than 43,000 times"); spelled-out numbers are left to the author.
"""

from __future__ import annotations

import re

from .content import Page
from .errors import ContentError

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DAYS = rf"{_ORDINAL}(?:(?:,\s*|,?\s+and\s+|\s*[-–]\s*){_ORDINAL})*"  # 9, 11 and 26 (August)
_YEAR = r"(?:1[5-9]|20)\d{2}"

# Spans whose numerals never count: each is blanked out (same length, so columns stay right).
_IGNORED = [
    re.compile(r"```.*?```|~~~.*?~~~", re.DOTALL),  # fenced code
    re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL),  # template expressions, tags, comments
    re.compile(r"`[^`\n]*`"),  # code spans
    re.compile(r"<!--.*?-->", re.DOTALL),  # HTML comments
    re.compile(r"<[^>\n]*>"),  # HTML tags with their attributes
    re.compile(r"\]\([^)\n]*\)|^\s*\[[^\]\n]+\]:.*$", re.MULTILINE),  # link targets and reference links
    re.compile(r"https?://\S+"),  # bare URLs
    re.compile(r'"(?:[^"\n]|\n(?!\s*\n))*"|“[^”]*?”|‘[^’]*?’|«[^»]*?»'),  # quotations, across line breaks
    re.compile(r"^\s*\d+[.)]\s", re.MULTILINE),  # ordered-list markers
]
# Numerals that are dates, years or times of day.
_DATES = re.compile(
    rf"\b\d{{4}}-\d{{2}}(?:-\d{{2}})?\b"  # 2021-05-11, 2021-05
    rf"|\b{_DAYS}(?:\s+(?:of\s+)?{_MONTH})(?:,?\s+{_YEAR})?\b"  # 11 May 2021, 9th of June, 4 and 11 May
    rf"|\b{_MONTH}\s+{_ORDINAL}(?:,?\s+{_YEAR})?\b"  # May 11, 2021
    rf"|\b{_YEAR}s?(?:[-–/]\d{{2,4}})?\b"  # 2021, 1990s, 2020-21, 2020/21
    rf"|\b\d{{1,2}}:\d{{2}}(?::\d{{2}})?\b"  # 08:00, 16:03:59
    rf"|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"  # 11/05/2021
)
_DIGIT = re.compile(r"\d")
_NUMERAL = re.compile(r"(?<![\w@#.,/-])\d(?:[\d,.]*\d)?%?(?![\w@])")


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def handtyped_numbers(page: Page) -> list[ContentError]:
    """A warning for each numeral typed by hand in a page's prose, at its line and column."""
    text = page.body
    if not _DIGIT.search(text):
        return []  # no numeral without a digit; blanking (below) costs far more than this search
    for pattern in _IGNORED:
        text = _blank(text, pattern)
    text = _blank(text, _DATES)
    found = []
    for number, line in enumerate(text.splitlines(), start=page.body_line):
        for match in _NUMERAL.finditer(line):
            numeral = match.group(0).rstrip(" .,")
            found.append(
                ContentError(
                    f'the number {numeral!r} is typed by hand: print it with {{{{ stat("...") }}}} so it is '
                    f"computed, or quote it if it is a reported figure",
                    path=page.source,
                    line=number,
                    column=match.start() + 1,
                )
            )
    return found


def handtyped_numbers_in(pages: tuple[Page, ...] | list[Page]) -> list[ContentError]:
    """Hand-typed numbers in every page, in page order."""
    return [error for page in sorted(pages, key=lambda p: p.source.as_posix()) for error in handtyped_numbers(page)]
