"""Per-stage wall-clock timing for benchmarks (``bench/query_latency.py``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stage(timings: dict[str, float] | None, name: str) -> Iterator[None]:
    """Add the block's wall time, in milliseconds, to ``timings[name]``; no-op when ``timings`` is None."""
    if timings is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + (time.perf_counter() - started) * 1000.0
