"""Run an indexed task across forked worker processes (rendering hundreds of pages on every core)."""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_TASK: Callable[[int], Any] | None = None  # set in the parent before forking; the workers inherit it


def workers() -> int:
    """How many processes to use: the cores this process may run on, at most 8."""
    return min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)


def _run_chunk(chunk: range) -> list[Any]:
    assert _TASK is not None
    return [_TASK(index) for index in chunk]


def fork_map(task: Callable[[int], Any], count: int, *, minimum: int) -> list[Any] | None:
    """[task(0), ..., task(count - 1)] computed in forked workers, in order.

    None when there are fewer than `minimum` items, one core, no fork, or when any task failed: the caller
    then runs the tasks itself, which raises the real error with its location.
    """
    global _TASK
    processes = workers()
    if count < minimum or processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    size = -(-count // (processes * 4))
    chunks = [range(start, min(start + size, count)) for start in range(0, count, size)]
    _TASK = task
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the workers only render
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(processes, mp_context=context) as pool:
                return [result for part in pool.map(_run_chunk, chunks) for result in part]
    except Exception:  # noqa: BLE001 - the serial rerun in the caller reports it properly
        return None
    finally:
        _TASK = None
