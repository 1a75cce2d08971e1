"""Helpers shared by the benchmark scripts: timing and the JSON line each figure prints."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Fastest wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


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
