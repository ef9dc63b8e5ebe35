"""The internal link check: every relative link reaches a file and an anchor."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ErrorList
from sitegen.links import check_links


def test_good_and_broken_links() -> None:
    files = {
        "index.html": b'<a href="about/index.html#team">t</a>\n<a href="about/">a</a>\n<a href="https://x.org/">x</a>',
        "about/index.html": (
            b'<h2 id="team">Team</h2>\n<a href="../missing.html">m</a>\n<a href="../index.html#nope">n</a>'
        ),
    }
    broken = [str(b) for b in check_links(files)]
    assert broken == [
        "about/index.html:2: broken link '../missing.html': no file missing.html",
        "about/index.html:3: broken link '../index.html#nope': no id 'nope' in index.html",
    ]


def test_base_path_absolute_links() -> None:
    files = {"index.html": b'<a href="/sub/about/">a</a><a href="/other/">o</a>', "about/index.html": b""}
    assert [b.reason for b in check_links(files, "/sub/")] == ["outside the site's base path /sub/"]


def test_broken_link_warns_and_fails_under_strict(tiny: Path) -> None:
    page = tiny / "content" / "methodology.md"
    page.write_text(page.read_text() + "\nSee [the archive](archive/index.html).\n")
    summary = build(tiny)
    assert len(summary.warnings) == 1
    assert summary.warnings[0].startswith("methodology/index.html:")
    assert summary.warnings[0].endswith("broken link 'archive/index.html': no file methodology/archive/index.html")
    with pytest.raises(ErrorList, match="--strict: methodology/index.html:"):
        build(tiny, strict=True)


def test_the_scanner_reads_tags_as_an_html_parser_does() -> None:
    """Quoted '>', entities, bare values, comments and script/style content; lines are those of the tags."""
    from sitegen.links import scan

    html = (
        '<p title="a>b" id="x"><a\nhref="q?a=1&amp;b=2" name=top>x</a><!-- <a href="no"> -->\n'
        '<script src="s.js">var a = "<a href=nope>";</script><style>a{}</style><IMG SRC=\'i.png\'><div id=bare>'
    )
    result = scan(html)
    assert result.ids == {"x", "top", "bare"}
    assert result.links == [(1, "q?a=1&b=2"), (3, "s.js"), (3, "i.png")]


def test_a_repeated_link_is_judged_from_each_page() -> None:
    """The same href resolves from each page's own directory, and a bare #anchor against each page itself."""
    files = {
        "index.html": b'<p id="top"></p><a href="about/">a</a><a href="#top">t</a>',
        "a/index.html": b'<a href="about/">a</a>\n<a href="#top">t</a>',
        "b/index.html": b'<p id="top"></p><a href="../about/">a</a><a href="#top">t</a>',
        "c/index.html": b'<a href="../about/">a</a>',
        "about/index.html": b"",
    }
    assert [str(b) for b in check_links(files)] == [
        "a/index.html:1: broken link 'about/': no file a/about/index.html",
        "a/index.html:2: broken link '#top': no id 'top' in a/index.html",
    ]
