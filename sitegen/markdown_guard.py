"""Refuse Markdown that would make Python-Markdown slow (deep nesting, long unmatched bracket scans).

Python-Markdown matches `[`, `(` and backtick runs by scanning forward for their partner, so a page
with thousands of unclosed brackets costs time quadratic in its length, and deep lists or block quotes
recurse once per level. `check_markdown` counts that work in one linear pass and names the line where a
limit is crossed; tests/security/test_inputs_guarded.py runs the patterns it guards against at 100 KB.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ContentError
from .limits import Limits, over_limit

_PREFIX = re.compile(r"(?:[ \t]|>|[-*+][ \t]|\d{1,9}[.)][ \t])*")
_MARKER = re.compile(r"(?:^|[ \t>])(?:[-*+]|\d{1,9}[.)])[ \t]")
_TOKENS = re.compile(r"`+|[\[\]()]")
_PREFIX_STARTS = frozenset(" \t>-*+")  # or a digit: a line starting with anything else has no _PREFIX


def nesting(line: str) -> int:
    """How many lists and block quotes a line opens or sits in: `>` and list markers, plus 4-space indents."""
    prefix = _PREFIX.match(line)
    text = prefix.group(0) if prefix else ""
    markers = text.count(">") + len(_MARKER.findall(text))
    indent = len(text) - len(text.lstrip(" \t"))
    columns = indent + 3 * text[:indent].count("\t")
    return markers + columns // 4


def scan_work(block: str) -> int:
    """Characters Python-Markdown scans to pair each bracket, parenthesis and backtick run in a block."""
    tokens = list(_TOKENS.finditer(block))
    if not tokens:
        return 0  # most paragraphs: none of the set-up below
    work = 0
    stacks: dict[str, list[int]] = {"[": [], "(": []}
    closers = {"]": "[", ")": "("}
    runs: dict[int, list[int]] = {}
    for match in tokens:
        token, start = match.group(0), match.start()
        if token in stacks:
            stacks[token].append(start)
        elif token in closers:
            stack = stacks[closers[token]]
            if stack:
                work += start - stack.pop()
        else:
            runs.setdefault(len(token), []).append(start)
    work += sum(len(block) - start for stack in stacks.values() for start in stack)
    for starts in runs.values():  # each run scans to the next run of the same length, or to the end
        work += sum(b - a for a, b in zip(starts, [*starts[1:], len(block)], strict=True))
    return work


def check_markdown(body: str, first_line: int, path: Path, limits: Limits) -> None:
    """Raise a located ContentError when a page nests too deeply or needs too much bracket scanning."""
    work = 0
    block: list[str] = []
    block_line = first_line
    for number, line in enumerate([*body.split("\n"), ""], start=first_line):
        if (line[:1] in _PREFIX_STARTS or line[:1].isdigit()) and nesting(line) > limits.markdown_nesting:
            raise over_limit(
                ContentError,
                "markdown_nesting",
                "the nesting of lists and block quotes here",
                limits.markdown_nesting,
                path=path,
                line=number,
            )
        if line.strip():
            if not block:
                block_line = number
            block.append(line)
            continue
        if block:
            work += scan_work("\n".join(block))
            block = []
            if work > limits.markdown_scan_work:
                raise over_limit(
                    ContentError,
                    "markdown_scan_work",
                    "the work to pair brackets, parentheses and backticks up to the paragraph here "
                    "(many unclosed `[`, `(` or backtick runs)",
                    limits.markdown_scan_work,
                    path=path,
                    line=block_line,
                )
