"""Stage timings of a run, for the manifest and ``-v`` logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sitesel.pipeline.stages import ORDER

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
"""Called with a stage's name when it starts (e.g. to drive a progress display)."""


class Timings:
    """Seconds spent in each named stage, in the order they ran.

    A stage must be one of :data:`~sitesel.pipeline.stages.STAGES` and come after the
    stages timed before it: the declared order is the order a run keeps.
    """

    def __init__(self, progress: Progress | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self._progress = progress
        self._last = -1

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block as stage ``name``.

        Raises
        ------
        RuntimeError
            If ``name`` is not a declared stage or runs before a stage declared earlier
            (a programming error: update ``pipeline/stages.py`` with the code).
        """
        position = ORDER.get(name)
        if position is None or position <= self._last:
            raise RuntimeError(f"stage {name!r} is not declared in this order in stages.py")
        self._last = position
        if self._progress is not None:
            self._progress(name)
        start = time.perf_counter()
        yield
        self.seconds[name] = round(time.perf_counter() - start, 3)
        log.info("stage %s: %.2f s", name, self.seconds[name])
