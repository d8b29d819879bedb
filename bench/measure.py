"""Helpers shared by the benchmark scripts (run as ``python bench/<script>.py``, which puts this folder on the path)."""

from __future__ import annotations

import socket

import numpy as np


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values`` by linear interpolation (numpy's default); nan when there are none."""
    return float(np.percentile(values, q * 100)) if values else float("nan")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
