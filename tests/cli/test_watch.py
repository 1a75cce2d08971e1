"""`sitesel watch`: rerun on save, inputs kept between runs, same outputs (issue 13)."""

import queue
import subprocess
import sys
import threading
import time

import yaml

from ..cases import leh_dict, sitesel

OUTPUTS = ["ranking.csv", "robustness.csv", "stability.csv", "regions.csv", "smaa.csv"]


def lines_of(process):
    """The process's output lines, as they come, and the thread reading them."""
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    return lines, reader


def wait_for(lines, text, seen, timeout_s=120):
    """Read lines until one holds ``text``; keep them all in ``seen``."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r} in {seen}")


def save(path, config):
    """Write the config and move its modification time on (a save the watch sees)."""
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def test_watch_reruns_on_save_keeps_inputs_and_matches_a_fresh_run(tmp_path, data_dir):
    """A planner's loop: the first run loads everything; saving new weights reruns with
    the study area, sites, DEM, roads and taken land kept, and the outputs are byte for
    byte a fresh `sitesel run` of the saved config; a broken save prints its one-line
    error and the watch goes on; the fixed save runs again."""
    config = leh_dict()
    config["study_area"]["buffer_km"] = 10
    path = tmp_path / "leh.yaml"
    save(path, config)
    out, page = tmp_path / "out", tmp_path / "leh.html"
    cmd = [sys.executable, "-m", "sitesel.cli", "watch", str(path), "--out", str(out)]
    cmd += ["--map", str(page), "--data-dir", str(data_dir), "--offline", "--runs", "3"]
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    (lines, reader), seen = lines_of(process), []
    try:
        first = wait_for(lines, "sites,", seen)
        assert "kept" not in first
        wait_for(lines, "watching", seen)
        path.write_text(path.read_text() + "\nthis: is: not yaml: [\n")
        assert "not valid YAML" in wait_for(lines, "sitesel: error:", seen)
        wait_for(lines, "watching", seen)
        config["criteria"]["elevation_m"]["weight"] = 4  # was 1
        save(path, config)
        again = wait_for(lines, "sites,", seen)
        assert "(kept: inputs, taken_land)" in again
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()
        reader.join(timeout=10)
        process.stdout.close()
    fresh = sitesel(
        "run", path, "--out", tmp_path / "fresh", "--map", tmp_path / "fresh.html",
        "--data-dir", data_dir, "--offline",
    )  # fmt: skip
    assert fresh.exit_code == 0, fresh.output
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    assert page.read_bytes() == (tmp_path / "fresh.html").read_bytes()
