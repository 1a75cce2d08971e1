"""The summary PNG drawn in a second process, beside the main one's work.

Drawing the summary takes a second for Leh and importing matplotlib's figure machinery
0.4 s more. A process started with the command imports it while the run computes (on the
machine's second core), then draws the PNG while the main process writes the tables, the
GeoPackage and the map. Nothing else about the outputs changes: the PNG goes to the same
staging folder, and the run's outputs still appear all together or not at all.

With one CPU there is no second process: it would only compete with the first. Above
:data:`RENDER_PROCESS_MAX_SITES` sites the PNG is drawn in the main process too. A process
that died is not fatal either: the PNG is then drawn in the main process, with a warning.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sitesel.render.mapdata import MapData

log = logging.getLogger(__name__)

RENDER_PROCESS_MAX_SITES = 100_000
"""Above this many sites the PNG is drawn in the main process: copying the sites across
costs more than the second core saves (the 100 km Leh study, 77,494 sites: 11.9 s against
13.4 s; the district, 382,976 sites: 29.1 s against 27.0 s and 0.76 GB more memory)."""


class RenderProcess:
    """One worker process that draws summary PNGs, one at a time; warm when needed."""

    def __init__(self) -> None:
        self._start()

    def restart(self) -> None:
        """Start a new process if this one stopped (a failed write stops it on purpose)."""
        if not self.alive:
            self.close()
            try:
                self._start()
            except OSError as exc:  # no process to be had: PNGs are drawn in this one
                log.warning("no render process (%s); the summary PNG is drawn in this one", exc)

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked state
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, os.getpid()), name="sitesel-render", daemon=True
        )
        with _ctrl_c_ignored():  # the child is born ignoring it (see _serve)
            self._process.start()  # its imports now overlap the run
        child.close()
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The process id of the render process (None before it starts)."""
        return self._process.pid

    @property
    def alive(self) -> bool:
        """Whether the process can take a drawing."""
        return not self._closed and self._process.is_alive()

    def start_summary(self, data: MapData, path: Path) -> bool:
        """Send ``data`` to be drawn into ``path``; False if the process cannot take it."""
        if self._closed:
            return False
        try:
            message = pickle.dumps((data, path), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # e.g. a plug-in's object in the data that does not pickle
            log.warning("cannot send the map data to the render process (%s); drawing the"
                        " summary PNG here", exc)  # fmt: skip
            return False
        try:
            if not self._process.is_alive():
                raise EOFError(f"exit code {self._process.exitcode}")
            self._conn.send_bytes(message)
        except (OSError, EOFError) as exc:  # a process that died (killed, out of memory)
            log.warning("the render process stopped (%s); drawing the summary PNG here", exc)
            self.close()
            return False
        return True

    def finish_summary(self) -> bool:
        """Wait for the drawing; False if the process died meanwhile.

        Raises
        ------
        Exception
            What drawing raised (e.g. :class:`~sitesel.errors.OutputError`, disk full).
        """
        try:
            error, trace = self._conn.recv()
        except (OSError, EOFError) as exc:
            log.warning("the render process stopped (%r); drawing the summary PNG here", exc)
            self.close()
            return False
        if error is not None:
            log.debug("in the render process:\n%s", trace)
            raise error
        return True

    def close(self) -> None:
        """Stop the process at once (a drawing under way is dropped)."""
        self._closed = True
        if self._process.pid is not None:  # started (a failed start leaves it unstarted)
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
        self._conn.close()


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored for the block (in the main thread; signals can be set only there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def render_process() -> Iterator[RenderProcess | None]:
    """A :class:`RenderProcess` for the block, or None with a single CPU."""
    if usable_cpus() < 2:
        yield None
        return
    try:
        process = RenderProcess()
    except OSError as exc:  # no process to be had (a process limit, no memory)
        log.warning("no render process (%s); the summary PNG is drawn in this one", exc)
        yield None
        return
    try:
        yield process
    finally:
        process.close()


def draw_summary(data: MapData, path: Path, renderer: RenderProcess | None) -> bool:
    """Start the summary PNG in ``renderer``; False when it cannot (then drawn here).

    The site raster is made here first and travels with ``data``: the drawing is the longer
    of the two processes' tasks (Leh: 1.3 s against 0.9 s of other writing), and a big map
    needs the raster too. Above :data:`RENDER_PROCESS_MAX_SITES` the PNG is drawn here.
    """
    if renderer is None or len(data.sites) > RENDER_PROCESS_MAX_SITES:
        return False
    data.site_raster()
    return renderer.start_summary(data, path)


def finish_summary(
    started: bool, renderer: RenderProcess | None, data: MapData, path: Path
) -> None:
    """Wait for the drawing :func:`draw_summary` started, or draw here when it did not."""
    if started and renderer is not None and renderer.finish_summary():
        return
    _draw_summary(data, path)


def abandon_summary(started: bool, renderer: RenderProcess | None) -> None:
    """Stop a drawing when the run is failing: its staging folder is about to go."""
    if started and renderer is not None:
        renderer.close()


PARENT_CHECK_S = 0.2
"""How often the render process checks that the run that started it is still alive."""


def end_with_parent(parent: int) -> None:
    """End this process within :data:`PARENT_CHECK_S` of its parent's death, however it died.

    A run killed with SIGKILL cannot stop its render process: without this, one busy
    drawing (or importing) would go on, and write into a staging folder the next run is
    clearing. The parent's death makes this process an orphan (its parent id changes).
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="sitesel-render-parent", daemon=True).start()


def _serve(conn: Connection, parent: int) -> None:
    """The render process: warm up, then draw what arrives until the pipe closes."""
    end_with_parent(parent)
    # Ctrl-C in the terminal reaches the whole process group: the main process handles it
    # and stops this one, which would otherwise print a traceback of its own. An ignored
    # signal stays ignored across exec, so a child started in the main thread ignores it
    # from its first instruction; this covers one started from another thread.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm_up()
    while True:
        try:
            data, path = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):  # the main process is gone
            return
        try:
            _draw_summary(data, path)
            conn.send((None, ""))
        except Exception as exc:
            conn.send(_picklable(exc))


def _picklable(exc: Exception) -> tuple[Exception, str]:
    """The error to send back, with its traceback as text (some errors do not pickle)."""
    trace = "".join(traceback.format_exception(exc))
    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(f"drawing the summary PNG: {type(exc).__name__}: {exc}"), trace
    return exc, trace


def _warm_up() -> None:
    """Import the drawing code and load its font, ahead of the first drawing."""
    import io

    from matplotlib.figure import Figure

    import sitesel.render.summary.picture  # noqa: F401  (the import is the point)

    figure = Figure(figsize=(1, 1))
    figure.text(0.5, 0.5, "sitesel")
    figure.savefig(io.BytesIO(), format="png")


def _draw_summary(data: MapData, path: Path) -> None:
    from sitesel.render.summary.picture import write_summary_png

    write_summary_png(data, path)
