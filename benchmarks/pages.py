"""Pages per second: one generated site of plain Markdown pages built by sitegen, MkDocs and Hugo.

    python benchmarks/pages.py [--pages 500] [--words 1000] [--runs 3]

The generator is deterministic (a fixed seed): every page has YAML front matter with a title, a few
`##` sections of paragraphs with emphasis, inline code, an external link and a bullet list. The same
files are given to the three tools, each with its default navigation: MkDocs' default theme lists every
page on every page, and so does the minimal layout Hugo gets here; sitegen's theme, above 12 pages, lists
the first 11 and an "All pages" index that links every page (README: the site menu). MkDocs and sitegen
also build their search index (both on by default); Hugo has none. Each build is a fresh process that
rebuilds everything (sitegen with --clean: no cache, every output written; MkDocs --clean; Hugo
--cleanDestinationDir), timed by wall clock; peak memory is the process's maxrss.
MkDocs comes from the benchmark venv (.sitegen/bench-venv, made by benchmarks/setup.sh), Hugo from PATH;
a missing peer is reported as missing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".sitegen" / "bench-venv"
SEED = 20210511
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "den", "mar", "pol", "ster", "ing", "tion", "al", "er")


def vocabulary(rng: random.Random, size: int = 600) -> list[str]:
    """Made-up words of one to four syllables (English-like lengths)."""
    return ["".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 4)))) for _ in range(size)]


def page_text(rng: random.Random, words: list[str], length: int) -> str:
    """One page of about `length` words of Markdown, with front matter."""
    parts = [f"---\ntitle: {' '.join(rng.sample(words, 3)).title()}\n---\n"]
    count = 0
    section = 0
    while count < length:
        if count >= section * length // 5:
            section += 1
            parts.append(f"\n## {' '.join(rng.sample(words, 3)).capitalize()}\n")
        sentence = rng.sample(words, rng.randint(8, 18))
        sentence[0] = sentence[0].title()
        marked = rng.randrange(len(sentence))
        sentence[marked] = rng.choice(("**{}**", "*{}*", "`{}`", "[{}](https://example.org/{})")).format(
            sentence[marked], sentence[marked]
        )
        paragraph = " ".join(sentence) + ". " + " ".join(rng.sample(words, 30)) + "."
        parts.append("\n" + paragraph + "\n")
        count += len(sentence) + 30
        if rng.random() < 0.15:
            parts.append("\n" + "".join(f"- {' '.join(rng.sample(words, 5))}\n" for _ in range(4)))
            count += 20
    return "".join(parts)


def generate(pages: int, length: int, seed: int = SEED) -> list[tuple[str, str]]:
    """(file name, text) of every page; the same seed gives the same pages."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    return [(f"page-{i:04d}.md", page_text(rng, words, length)) for i in range(1, pages + 1)]


def write_pages(directory: Path, pages: list[tuple[str, str]], home: str) -> None:
    """The pages and a home page in directory."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / home).write_text("---\ntitle: Home\n---\n\nA generated site.\n", encoding="utf-8")
    for name, text in pages:
        (directory / name).write_text(text, encoding="utf-8")


def sitegen_project(root: Path, pages: list[tuple[str, str]]) -> list[str]:
    """A sitegen project of the pages; the command that builds it."""
    root.mkdir(parents=True)
    (root / "sitegen.toml").write_text('[site]\ntitle = "Generated pages"\n', encoding="utf-8")
    write_pages(root / "content", pages, "index.md")
    return [sys.executable, "-m", "sitegen", "build", "--project", str(root), "--clean", "--quiet"]


def mkdocs_project(root: Path, pages: list[tuple[str, str]]) -> list[str] | None:
    """An MkDocs project of the pages (default theme); its build command, or None without MkDocs."""
    mkdocs = VENV / "bin" / "mkdocs"
    if not mkdocs.exists():
        return None
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Generated pages\n", encoding="utf-8")
    write_pages(root / "docs", pages, "index.md")
    return [str(mkdocs), "build", "--quiet", "--clean", "--config-file", str(root / "mkdocs.yml")]


HUGO_BASEOF = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav><ul>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""


def hugo_project(root: Path, pages: list[tuple[str, str]]) -> list[str] | None:
    """A Hugo project of the pages with a minimal layout; its build command, or None without Hugo."""
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    root.mkdir(parents=True)
    (root / "hugo.toml").write_text(
        'baseURL = "/"\ntitle = "Generated pages"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n',
        encoding="utf-8",
    )
    write_pages(root / "content", pages, "_index.md")
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n')
    (layouts / "list.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n')
    return [hugo, "--quiet", "--source", str(root), "--destination", str(root / "public"), "--cleanDestinationDir"]


@dataclass(frozen=True)
class Run:
    """Seconds and peak memory of one build process."""

    seconds: float
    peak_mb: float


# A small launcher runs the command and reports its wall time and peak memory: measured from the
# benchmark process itself, maxrss would start at that (large) process's size, which a fork inherits.
_LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
errors = process.stderr.read()
_, status, usage = os.wait4(process.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started, "peak_kb": usage.ru_maxrss,
                  "status": os.waitstatus_to_exitcode(status), "errors": errors.decode(errors="replace")}))
"""


def timed_process(command: list[str], cwd: Path) -> Run:
    """Run command to completion in a fresh launcher; its wall time and its own peak memory (maxrss)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - this interpreter and the benchmarked tools
        [sys.executable, "-c", _LAUNCHER, *command], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    outcome = json.loads(done.stdout)
    if outcome["status"] != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{outcome['errors']}")
    return Run(outcome["seconds"], outcome["peak_kb"] / 1024)


def measure(pages: int, length: int, runs: int) -> list[tuple[str, list[Run] | None]]:
    """Every tool's runs on the same generated pages, tools interleaved within each round."""
    generated = generate(pages, length)
    with tempfile.TemporaryDirectory(prefix="sitegen-pages-") as tmp:
        commands = {
            "sitegen": sitegen_project(Path(tmp) / "sitegen", generated),
            "MkDocs": mkdocs_project(Path(tmp) / "mkdocs", generated),
            "Hugo": hugo_project(Path(tmp) / "hugo", generated),
        }
        results: dict[str, list[Run]] = {name: [] for name, command in commands.items() if command}
        for _ in range(runs):
            for name, command in commands.items():
                if command is not None:
                    results[name].append(timed_process(command, Path(tmp)))
    return [(name, results.get(name)) for name in commands]


def print_table(rows: list[tuple[str, list[Run] | None]], pages: int) -> None:
    """Median seconds, pages per second and peak memory per tool, and sitegen's ratio to each peer."""
    total = pages + 1  # and the home page
    medians = {name: statistics.median(r.seconds for r in runs) for name, runs in rows if runs}
    print(f"{'tool':<9} {'median s':>9} {'min s':>7} {'pages/s':>8} {'peak MB':>8}   sitegen is")
    for name, runs in rows:
        if not runs:
            print(f"{name:<9} {'missing: run bash benchmarks/setup.sh':>40}")
            continue
        median = medians[name]
        ratio = "" if name == "sitegen" or "sitegen" not in medians else f"{median / medians['sitegen']:.2f}x faster"
        peak = max(r.peak_mb for r in runs)
        fastest = min(r.seconds for r in runs)
        print(f"{name:<9} {median:>9.2f} {fastest:>7.2f} {total / median:>8.0f} {peak:>8.0f}   {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--words", type=int, default=1000, help="words per page (about)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print_table(measure(args.pages, args.words, args.runs), args.pages)


if __name__ == "__main__":
    main()
