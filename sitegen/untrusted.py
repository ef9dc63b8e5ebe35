"""The one place that makes untrusted text safe to show: bidirectional controls, and link schemes."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

# Embeddings, overrides and isolates (U+202A-202E, U+2066-2069): in a name or a tweet they can reorder
# the text around them ("Trojan Source"). They are removed; the text reads in its stored order.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
LINK_SCHEMES = ("http", "https", "mailto")


def without_bidi_controls(value: Any) -> Any:
    """Strings (not already-safe Markup) with bidirectional controls removed; lists and dicts deeply."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value)
    if isinstance(value, list):
        return [without_bidi_controls(item) for item in value]
    if isinstance(value, dict):
        return {without_bidi_controls(key): without_bidi_controls(item) for key, item in value.items()}
    return value


def safe_link(url: str) -> bool:
    """Whether a URL from data may be an href: http(s) with a host, or mailto; no spaces or controls."""
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() == "mailto":
        return len(url) > len("mailto:") and url[:7].lower() == "mailto:"
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(parts.netloc)
        and url.lower().startswith(parts.scheme.lower() + "://")
    )
