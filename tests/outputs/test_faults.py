"""Faults and concurrency: a killed run, two runs into one folder, a full disk, a folder
that cannot be written, a half-written run folder."""

import errno
import fcntl
import time

import pytest

from sitesel.outputs import files

from ..cases import LEH, sitesel


def _run(tmp_path, data_dir, out, *extra):
    return sitesel(
        "run", LEH, "--out", out, "--map", tmp_path / "leh.html", "--data-dir", data_dir,
        "--offline", *extra,
    )  # fmt: skip


def test_staging_left_by_a_killed_run_is_cleared(tmp_path, data_dir):
    out = tmp_path / "out"
    stale = tmp_path / ".out.sitesel-staging-killed"
    stale.mkdir()
    (stale / "ranking.csv").write_text("half written")
    result = _run(tmp_path, data_dir, out)
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert not [p for p in tmp_path.iterdir() if "sitesel-staging" in p.name]
    assert (out / "ranking.csv").read_text(encoding="utf-8-sig").startswith("site_id,")


def test_a_second_run_into_the_same_folder_stops_at_once(tmp_path, data_dir):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ranking.csv").write_text("the other run's\n")
    with (tmp_path / ".out.sitesel-lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running sitesel holds it
        start = time.perf_counter()
        result = _run(tmp_path, data_dir, out)
        assert time.perf_counter() - start < 5  # refused before any work
    assert result.exit_code == 2
    assert f"another sitesel run is writing to {out}" in result.stderr
    assert (out / "ranking.csv").read_text() == "the other run's\n"


def test_a_full_disk_names_the_folder_and_keeps_earlier_outputs(tmp_path, data_dir, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "ranking.csv").write_text("earlier run\n")

    def disk_full(table, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(files, "write_table_csv", disk_full)
    result = _run(tmp_path, data_dir, out)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert f"cannot write outputs to {out}: No space left on device" in line
    assert "previous outputs are unchanged" in line
    assert (out / "ranking.csv").read_text() == "earlier run\n"
    assert sorted(p.name for p in out.iterdir()) == ["ranking.csv"]
    assert not [p for p in tmp_path.iterdir() if "sitesel-staging" in p.name]


def test_an_unwritable_output_folder_is_reported_before_the_work(tmp_path, data_dir):
    start = time.perf_counter()
    result = _run(tmp_path, data_dir, "/proc/sitesel-cannot/out")
    assert time.perf_counter() - start < 5  # a whole run takes longer
    assert result.exit_code == 2
    assert "cannot write outputs to /proc/sitesel-cannot" in result.stderr


@pytest.mark.parametrize("damage", ["truncated gpkg", "no manifest"])
def test_map_on_a_half_written_run(leh_run, tmp_path, damage):
    folder = tmp_path / "run"
    folder.mkdir()
    gpkg = (leh_run / "run" / "sites.gpkg").read_bytes()
    (folder / "sites.gpkg").write_bytes(gpkg[: len(gpkg) // 3] if damage != "no manifest" else gpkg)
    if damage != "no manifest":
        (folder / "manifest.json").write_bytes((leh_run / "run" / "manifest.json").read_bytes())
    result = sitesel("map", folder, "--map", tmp_path / "m.html")
    assert result.exit_code == 2
    # A manifest whose files are not all there (or not these): refused, naming a file.
    expected = (
        "listed in manifest.json but missing" if damage != "no manifest" else "no manifest.json"
    )
    assert expected in result.stderr and str(folder) in result.stderr


def test_a_table_with_a_mixed_text_column_is_still_written(tmp_path):
    """Parcel ids read as numbers in some rows and text in others must not stop the run
    at the CSV writer (Arrow refuses mixed object columns): they are written as text."""
    import pandas as pd

    from sitesel.outputs.files import write_table_csv

    table = pd.DataFrame({"site_id": [101, "P-7", None], "suitability": [0.5, 1.0, float("nan")]})
    write_table_csv(table, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig") == (
        'site_id,suitability\n"101",0.5\n"P-7",1\n,\n'
    )
