"""Helpers shared by the benchmark scripts: timing and the JSON line each figure prints."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any


def median_of(fn: Callable[[], Any], runs: int = 3) -> tuple[float, Any]:
    """Median wall time of ``runs`` calls, and the last result.

    Both sides of every comparison are timed this way, with the same number of runs.
    """
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def report(
    benchmark: str,
    size: str,
    seconds: float,
    reference: str,
    reference_seconds: float | None,
    **extra: Any,
) -> None:
    """Print one figure as a JSON object on its own line."""
    print(
        json.dumps(
            {
                "benchmark": benchmark,
                "size": size,
                "seconds": round(seconds, 4),
                "reference": reference,
                "reference_seconds": None
                if reference_seconds is None
                else round(reference_seconds, 4),
                "ratio": round(seconds / reference_seconds, 4) if reference_seconds else None,
                "machine": f"{platform.machine()} {platform.system()} {os.cpu_count()} cores,"
                f" python {platform.python_version()}",
                **extra,
            }
        ),
        flush=True,
    )
