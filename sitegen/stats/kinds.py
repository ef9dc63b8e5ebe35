"""Every statistic kind, registered by importing the modules that define them (see context.py for `@kind`)."""

from __future__ import annotations

from . import accounts, engagements, network, series, timing
from .context import KINDS, Context, Kind, ParamError, kind, result

__all__ = [
    "KINDS",
    "Context",
    "Kind",
    "ParamError",
    "kind",
    "result",
    "accounts",
    "engagements",
    "network",
    "series",
    "timing",
]
