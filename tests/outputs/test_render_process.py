"""The summary PNG drawn in a second process: the same file, errors that still reach the
user, and a dead process that costs a warning, not the run."""

import errno
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

import sitesel
from sitesel.outputs import files
from sitesel.outputs import render_process as render_module
from sitesel.outputs.maps import map_data
from sitesel.outputs.render_process import RenderProcess, draw_summary, render_process
from sitesel.outputs.writer import write_run
from sitesel.render.summary.picture import write_summary_png

from ..cases import LEH


def _wait_dead(process: RenderProcess, timeout_s: float = 5.0) -> None:
    """Until the killed render process is gone (reaped: ``alive`` polls it)."""
    end = time.monotonic() + timeout_s
    while process.alive and time.monotonic() < end:
        time.sleep(0.01)


@pytest.fixture(scope="module")
def leh_result(leh_run):
    return sitesel.read_run(leh_run / "run")


@pytest.fixture(scope="module")
def renderer():
    process = RenderProcess()
    yield process
    process.close()


def test_the_png_drawn_there_is_the_png_drawn_here(leh_result, renderer, tmp_path):
    data = map_data(leh_result)
    write_summary_png(data, tmp_path / "here.png")
    assert renderer.start_summary(data, tmp_path / "there.png")
    assert renderer.finish_summary()
    assert (tmp_path / "there.png").read_bytes() == (tmp_path / "here.png").read_bytes()


def test_a_run_written_with_a_renderer_is_the_run_written_without(leh_result, renderer, tmp_path):
    plain = write_run(leh_result, out_dir=tmp_path / "plain", map_path=tmp_path / "plain.html")
    split = write_run(
        leh_result, out_dir=tmp_path / "split", map_path=tmp_path / "split.html", renderer=renderer
    )
    assert plain.keys() == split.keys()
    for name in plain.keys() - {"manifest"}:  # the manifest's write time differs
        assert split[name].read_bytes() == plain[name].read_bytes(), name


def test_an_error_while_drawing_reaches_the_main_process(leh_result, renderer, tmp_path):
    data = map_data(leh_result)
    assert renderer.start_summary(data, tmp_path / "no such folder" / "summary.png")
    with pytest.raises(FileNotFoundError, match="no such folder"):
        renderer.finish_summary()
    assert renderer.alive  # and it takes the next drawing
    assert renderer.start_summary(data, tmp_path / "summary.png")
    assert renderer.finish_summary()


def test_a_killed_render_process_costs_a_warning_not_the_png(leh_result, tmp_path, caplog):
    with render_process() as process:
        if process is None:
            pytest.skip("one CPU here: no render process to kill")
        os.kill(process.pid, signal.SIGKILL)
        _wait_dead(process)
        with caplog.at_level(logging.WARNING, logger="sitesel"):
            write_run(leh_result, out_dir=tmp_path / "out", map_path=tmp_path / "m.html",
                      renderer=process)  # fmt: skip
    assert (tmp_path / "out" / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "drawing the summary PNG here" in caplog.text


def test_a_failing_write_stops_the_drawing_and_keeps_earlier_outputs(
    leh_result, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.png").write_bytes(b"earlier run")

    def disk_full(table, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(files, "write_table_csv", disk_full)
    process = RenderProcess()
    try:
        with pytest.raises(sitesel.errors.OutputError, match="No space left"):
            write_run(leh_result, out_dir=out, map_path=tmp_path / "m.html", renderer=process)
        assert not process.alive  # stopped before its staging folder went
    finally:
        process.close()
    assert (out / "summary.png").read_bytes() == b"earlier run"
    assert not [p for p in tmp_path.iterdir() if "sitesel-staging" in p.name]


def test_data_that_does_not_pickle_is_drawn_here(leh_result, renderer, tmp_path, caplog):
    data = map_data(leh_result)
    data.aggregation = {"method": "weighted_sum", "plug-in": lambda x: x}  # not picklable
    with caplog.at_level(logging.WARNING, logger="sitesel"):
        assert not renderer.start_summary(data, tmp_path / "summary.png")
    assert "cannot send the map data" in caplog.text
    assert renderer.alive  # and ready for the next run


def test_a_stopped_render_process_starts_again(leh_result, tmp_path):
    process = RenderProcess()
    try:
        process.close()  # as a failing write leaves it
        assert not process.alive
        process.restart()
        assert process.alive
        assert process.start_summary(map_data(leh_result), tmp_path / "summary.png")
        assert process.finish_summary()
    finally:
        process.close()


def test_a_render_process_killed_while_drawing_is_reported(leh_result, tmp_path, caplog):
    process = RenderProcess()
    try:
        assert process.start_summary(map_data(leh_result), tmp_path / "summary.png")
        os.kill(process.pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING, logger="sitesel"):
            assert not process.finish_summary()  # the caller draws it instead
        assert "render process stopped" in caplog.text
        assert not process.alive
    finally:
        process.close()


def test_a_big_run_draws_its_png_here(leh_result, renderer, tmp_path, monkeypatch):
    data = map_data(leh_result)
    assert draw_summary(data, tmp_path / "small.png", renderer)
    assert renderer.finish_summary()
    monkeypatch.setattr(render_module, "RENDER_PROCESS_MAX_SITES", len(data.sites) - 1)
    assert not draw_summary(data, tmp_path / "big.png", renderer)  # copying would cost more


@pytest.mark.parametrize("after_s", [0.0, 1.0])  # the render process starting; importing
def test_ctrl_c_stops_both_processes_without_a_traceback(tmp_path, data_dir, after_s):
    if render_module.usable_cpus() < 2:
        pytest.skip("one CPU here: sitesel starts no render process")
    command = [
        sys.executable, "-m", "sitesel.cli", "run", str(LEH), "--out", str(tmp_path / "out"),
        "--map", str(tmp_path / "leh.html"), "--data-dir", str(data_dir), "--offline",
    ]  # fmt: skip
    run = subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, start_new_session=True,
        # Ctrl-C must reach it even when pytest itself was started in the background of a
        # shell without job control, which ignores SIGINT (an ignored signal is inherited).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not any("spawn_main" in c for c in _live_processes(run.pid).values()):
        assert time.monotonic() < deadline, "no render process started"
        time.sleep(0.01)
    time.sleep(after_s)
    os.killpg(run.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole process group
    _, stderr = run.communicate(timeout=60)
    assert run.returncode != 0
    assert stderr.strip() in {"", "Aborted!"}  # nothing from the render process
    # The render process went with it; multiprocessing's resource tracker leaves on its own
    # once its pipe closes, a moment later.
    deadline = time.monotonic() + 5
    while _live_processes(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_processes(run.pid) == {}
    assert not (tmp_path / "out").exists()


def _live_processes(session: int) -> dict[int, str]:
    """Command lines of a session's running processes (zombies left to init do not count)."""
    from pathlib import Path

    live = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            live[int(proc.name)] = command
    return live


def test_no_process_to_be_had_costs_a_warning(leh_result, tmp_path, monkeypatch, caplog):
    import multiprocessing.context

    def refused(self):
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")  # a process limit

    if render_module.usable_cpus() < 2:
        pytest.skip("one CPU here: sitesel starts no render process")
    with caplog.at_level(logging.WARNING, logger="sitesel"):
        with render_process() as first:
            monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", refused)
            first.close()
            first.restart()  # as sitesel watch does before each run
            assert not first.alive
            write_run(leh_result, out_dir=tmp_path / "out", map_path=tmp_path / "m.html",
                      renderer=first)  # fmt: skip
        with render_process() as second:
            assert second is None
    assert (tmp_path / "out" / "summary.png").exists()
    assert caplog.text.count("no render process") == 2
