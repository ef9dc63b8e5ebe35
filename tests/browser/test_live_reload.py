"""`sitegen serve` in Chromium: an open page shows an edit without a manual reload, a broken edit puts the
located error over the last good page (as text, never as markup), and the next good edit clears it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sitegen.serve import LiveSite

from ..test_serve_live import EVENT_TIMEOUT, edit, port_of

OVERLAY = "#sitegen-build-error"
WAIT_MS = EVENT_TIMEOUT * 1000


def wait_for_listener(site: LiveSite) -> None:
    """Until the page's event stream is open: an edit saved before then would reload nothing."""
    deadline = time.monotonic() + EVENT_TIMEOUT
    while site.events.listeners() < 1:
        assert time.monotonic() < deadline, "the page never opened its event stream"
        time.sleep(0.02)


def test_open_page_follows_edits_and_shows_a_broken_build(live: LiveSite, tiny: Path, browser: Any) -> None:
    context = browser.new_context()  # the site's own Content-Security-Policy applies: no eval, same-origin scripts
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"http://127.0.0.1:{port_of(live)}/")
    wait_for_listener(live)
    story = tiny / "content" / "index.md"

    edit(story, "The ambassador had", "EDITED: the ambassador had")
    page.locator("main", has_text="EDITED: the ambassador had").wait_for(timeout=WAIT_MS)
    wait_for_listener(live)  # the reloaded page's own stream

    good = story.read_text(encoding="utf-8")
    hostile = '<img src=x id=injected onerror="document.title=1">'
    edit(story, "EDITED: the ambassador had", f'{{{{ stat("{hostile}") }}}} EDITED: the ambassador had')
    overlay = page.locator(OVERLAY)
    overlay.wait_for(timeout=WAIT_MS)
    message = overlay.inner_text()
    assert "content/index.md:" in message and "unknown statistic" in message and hostile in message
    assert page.locator("#injected").count() == 0  # the error is shown as text
    assert overlay.get_attribute("role") == "alert"
    assert "EDITED: the ambassador had" in page.locator("main").inner_text()  # the last good page stays

    story.write_text(good.replace("EDITED: the ambassador had", "FIXED: the ambassador had"), encoding="utf-8")
    page.locator("main", has_text="FIXED: the ambassador had").wait_for(timeout=WAIT_MS)
    assert page.locator(OVERLAY).count() == 0
    assert problems == []
    context.close()
