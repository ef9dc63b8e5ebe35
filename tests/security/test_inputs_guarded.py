"""Slow Markdown is rejected or finishes, symlinks out of the project fail the build, links and bidi text are inert."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ContentError, DataError, FindingError, RenderError
from sitegen.render import json_for_html
from sitegen.untrusted import safe_link, without_bidi_controls

ROOT = Path(__file__).resolve().parents[2]
SIZE = 100_000
PATHOLOGICAL = {
    "nested-lists": "".join("    " * i + "- a\n" for i in range(SIZE // 200)),
    "nested-quotes": ">" * SIZE,
    "unclosed-emphasis": "*a **b " * (SIZE // 7),
    "open-brackets": "[" * SIZE,
    "nested-brackets": "[" * (SIZE // 2) + "]" * (SIZE // 2),
    "unclosed-links": "[a](" * (SIZE // 4),
    "backticks": "`" * SIZE,
    "backtick-runs": "".join("`" * i + " " for i in range(1, 440)),
    "huge-table": "|a|b|\n|-|-|\n" + "|x|y|\n" * (SIZE // 6),
    "underscores": "_a __b " * (SIZE // 7),
}
# Read the page, and when it is accepted, convert it exactly as the render stage does.
SCRIPT = """
import sys, markdown
from pathlib import Path
from sitegen.content import read_page
from sitegen.errors import ContentError
project = Path(sys.argv[1])
try:
    page = read_page(project / "content" / "page.md", project)
except ContentError as exc:
    print("rejected", exc.located())
else:
    markdown.Markdown(extensions=["extra", "toc", "sane_lists"], output_format="html").convert(page.body)
    print("rendered")
"""


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_slow_markdown_is_rejected_or_finishes(tmp_path: Path, name: str) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "page.md").write_text("---\ntitle: T\n---\n" + PATHOLOGICAL[name], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,  # a hang guard only: the limits in sitegen/markdown_guard.py bound the work
        check=False,
    )
    assert done.returncode == 0, done.stderr
    verdict = done.stdout.split()[0]
    if name in ("nested-lists", "nested-quotes"):  # the 17th level of lists is on line 20
        line = 20 if name == "nested-lists" else 4
        assert verdict == "rejected" and "markdown_nesting" in done.stdout and f"content/page.md:{line}:" in done.stdout
    if name in ("open-brackets", "nested-brackets", "unclosed-links", "backtick-runs"):
        assert verdict == "rejected" and "markdown_scan_work" in done.stdout


def test_symlinks_out_of_the_project_fail_the_build(tiny: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntitle: Secret\n---\nsecret\n", encoding="utf-8")
    (tiny / "content" / "leak.md").symlink_to(outside / "secret.md")
    with pytest.raises(ContentError) as caught:
        build(tiny)
    assert caught.value.path == Path("content/leak.md") and "outside the project" in caught.value.message
    (tiny / "content" / "leak.md").unlink()
    (tiny / "content" / "notes").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ContentError) as caught:
        build(tiny)
    assert caught.value.path == Path("content/notes")
    (tiny / "content" / "notes").unlink()
    (tiny / "data" / "accounts.csv").rename(outside / "accounts.csv")
    (tiny / "data" / "accounts.csv").symlink_to(outside / "accounts.csv")
    with pytest.raises(DataError) as caught:
        build(tiny)
    assert caught.value.path == Path("data/accounts.csv")


def test_template_symlinks_out_of_the_project_fail_the_build(tiny: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "story.html").write_text("PRIVATE {{ page.title }}", encoding="utf-8")
    (tiny / "templates").mkdir()
    (tiny / "templates" / "story.html").symlink_to(outside / "story.html")
    with pytest.raises(RenderError) as caught:
        build(tiny)
    assert caught.value.path == Path("templates/story.html") and "outside the project" in caught.value.message
    (tiny / "templates" / "story.html").unlink()
    (tiny / "templates" / "private").symlink_to(outside, target_is_directory=True)
    assert b"PRIVATE" not in b"".join(p.read_bytes() for p in build(tiny).output_dir.rglob("*.html"))
    (tiny / "templates" / "story.html").write_text(
        "{% extends 'base.html' %}{% block main %}{% include 'private/story.html' %}{% endblock %}", encoding="utf-8"
    )
    with pytest.raises(RenderError) as caught:
        build(tiny)
    assert caught.value.path == Path("templates/private/story.html")
    (tiny / "layouts").mkdir()
    (tiny / "layouts" / "story.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    (tiny / "templates" / "story.html").unlink()
    (tiny / "templates" / "story.html").symlink_to(tiny / "layouts" / "story.html")  # inside the project: fine
    assert (build(tiny).output_dir / "index.html").is_file()


def test_symlinks_inside_the_project_are_fine(tiny: Path) -> None:
    (tiny / "drafts").mkdir()
    (tiny / "drafts" / "extra.md").write_text("---\ntitle: Extra\n---\nExtra page.\n", encoding="utf-8")
    (tiny / "content" / "extra.md").symlink_to(tiny / "drafts" / "extra.md")
    (tiny / "content" / "more").symlink_to(tiny / "drafts", target_is_directory=True)
    summary = build(tiny)
    assert (summary.output_dir / "extra" / "index.html").is_file()
    assert (summary.output_dir / "more" / "extra" / "index.html").is_file()


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://example.org/a?b=c#d", True),
        ("http://example.org", True),
        ("mailto:desk@example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/x", False),
        ("https:evil", False),
        ("http://exa mple.org", False),
        ("https://example.org/\u2028", False),
        ("", False),
    ],
)
def test_only_http_https_and_mailto_links(url: str, ok: bool) -> None:
    assert safe_link(url) is ok


def test_a_javascript_source_url_is_a_located_error(tiny: Path) -> None:
    sources = tiny / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "- key: evil\n  title: Evil\n  url: 'data:text/html,x'\n")
    with pytest.raises(FindingError) as caught:
        build(tiny)
    assert caught.value.path == Path("content/sources.yaml") and caught.value.line is not None
    assert "data:text/html" in caught.value.located()


BIDI = ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", BIDI)
def test_bidi_controls_are_removed_from_printed_text_and_json(control: str) -> None:
    payload = f"admin{control}gpj.exe"
    assert without_bidi_controls(payload) == "admingpj.exe"
    assert without_bidi_controls({"k": [payload]}) == {"k": ["admingpj.exe"]}
    assert control not in json_for_html({"name": payload})


def test_json_in_scripts_is_html_safe() -> None:
    text = str(json_for_html({"a": "</script><script>alert(1)</script>", "b": "&amp;\u2028\u2029", "<k>": 1}))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert "\\u003c/script\\u003e" in text


def test_bidi_payloads_leave_no_control_in_the_pages(tiny: Path) -> None:
    """Controls in printed text (the site's author, a source's title and publisher) never reach a page."""
    config = tiny / "sitegen.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("Test Author", "Test\u202eAuthor\u2066x"))
    sources = tiny / "content" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("title: ", "title: \u202e\u2067", 1).replace("publisher: ", "publisher: \u202b"))
    summary = build(tiny)
    pages = [p for p in summary.output_dir.rglob("*") if p.suffix in (".html", ".xml", ".json")]
    assert any("TestAuthorx" in page.read_text(encoding="utf-8") for page in pages)
    for page in pages:
        assert not any(control in page.read_text(encoding="utf-8") for control in BIDI), page
