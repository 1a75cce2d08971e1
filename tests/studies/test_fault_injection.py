"""Real faults, not simulated ones (issue 25): a file-size limit that makes writes fail with
EFBIG, a tmpfs mounted as the output folder and filled, SIGKILL at random moments, and
damaged archives of every format a layer can come in."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from sitesel.errors import LayerError
from sitesel.outputs.reader import read_run

from ..cases import leh_dict, sitesel, with_repo_paths
from ..conftest import ROOT

# --------------------------------------------------------------------- a small real study


def _small(tmp_path: Path) -> Path:
    """The Leh study on a 4 km area, without the analyses: a run of a few seconds."""
    config = leh_dict()
    config["study_area"]["buffer_km"] = 4
    config["robustness"] = None
    config["allocation"] = {}
    config.pop("regions")
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _cli(config: Path, out: Path, maps: Path, data_dir: Path, **popen) -> subprocess.Popen:
    env = os.environ | {"SITESEL_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "sitesel.cli", "run", str(config), "--out", str(out), "--map",
         str(maps), "--data-dir", str(data_dir), "--offline"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, **popen,
    )  # fmt: skip


def _temporary(folder: Path) -> list[str]:
    """Anything with a sitesel temporary name in or beside the folder."""
    names = [p.name for p in folder.parent.iterdir()] + (
        [p.name for p in folder.iterdir()] if folder.is_dir() else []
    )
    return [
        n for n in names if "sitesel-staging" in n or "sitesel-part" in n or "sitesel-lock" in n
    ]


def _state(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory, data_dir):
    base = tmp_path_factory.mktemp("small")
    config = _small(base)
    proc = _cli(config, base / "out", base / "small.html", data_dir)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return config, base / "out"


def test_a_run_leaves_no_lock_and_no_temporary_file(small_run):
    _config, out = small_run
    assert _temporary(out) == []
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {e["file"] for e in manifest["outputs"].values()}
    assert {"ranking.csv", "sites.gpkg", "summary.png"} <= listed
    read_run(out)  # complete: every file is the one the manifest lists


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG, not a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_size_limit_fails_cleanly_and_keeps_the_previous_set(small_run, tmp_path,
                                                                     data_dir):  # fmt: skip
    config, first = small_run
    out = tmp_path / "out"
    shutil.copytree(first, out)
    before = _state(out)
    proc = _cli(config, out, tmp_path / "m.html", data_dir, preexec_fn=_limit_file_size(200_000))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err.decode()
    line = err.decode().strip().splitlines()[-1]
    assert line.startswith(f"sitesel: error: cannot write outputs to {out}: File too large")
    assert "the previous outputs are unchanged" in line
    assert _state(out) == before
    assert _temporary(out) == []


@pytest.fixture
def tmpfs(tmp_path):
    """An 8 MB tmpfs mounted as a folder (root only; skipped, saying why, elsewhere)."""
    mount = tmp_path / "stick"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_an_output_folder_on_a_full_mount_point(small_run, tmp_path, tmpfs, data_dir):
    """The output folder is a mount point (another file system than its parent) that fills
    while the outputs are written: nothing half-written, nothing temporary left inside."""
    config, first = small_run
    for f in first.iterdir():
        shutil.copy(f, tmpfs / f.name)  # the previous run on the stick
    before = _state(tmpfs)
    filler = tmpfs / "filler.bin"
    free = shutil.disk_usage(tmpfs).free
    filler.write_bytes(b"\0" * max(0, free - 400_000))  # ~0.4 MB left: the GeoPackage won't fit
    before["filler.bin"] = filler.read_bytes()
    proc = _cli(config, tmpfs, tmp_path / "m.html", data_dir)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err.decode()
    line = err.decode().strip().splitlines()[-1]
    assert f"cannot write outputs to {tmpfs}: No space left on device" in line
    assert "the previous outputs are unchanged" in line
    assert _state(tmpfs) == before
    assert _temporary(tmpfs) == []
    filler.unlink()
    proc = _cli(config, tmpfs, tmp_path / "m.html", data_dir)  # room again: a whole new set
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    read_run(tmpfs)
    assert _temporary(tmpfs) == []


def test_a_full_disk_under_the_run_folder(small_run, tmp_path, tmpfs, data_dir):
    """The run folder sits on a file system that fills while the new run is built beside
    it: one line, the previous run untouched, nothing temporary left."""
    config, first = small_run
    out = tmpfs / "run"
    shutil.copytree(first, out)
    before = _state(out)
    filler = tmpfs / "filler.bin"
    filler.write_bytes(b"\0" * max(0, shutil.disk_usage(tmpfs).free - 400_000))
    proc = _cli(config, out, tmp_path / "m.html", data_dir)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err.decode()
    line = err.decode().strip().splitlines()[-1]
    assert f"cannot write outputs to {out}: No space left on device" in line
    assert "the previous outputs are unchanged" in line
    assert _state(out) == before
    assert sorted(p.name for p in tmpfs.iterdir()) == ["filler.bin", "run"]


def test_sigkill_at_random_moments_never_leaves_a_mix(small_run, tmp_path, data_dir):
    """A seeded loop of runs killed at random moments (issue 32: 1 and then 3 of 8 left a
    mix before the folder was exchanged in one step): after each kill the folder is a
    complete run that read_run accepts, the previous one or a new one, never refused; the
    render process dies with its parent; the next run clears whatever a killed one left."""
    config, first = small_run
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "notes.txt").write_text("the planner's own file")
    previous = _state(out)
    rng = random.Random(25)
    proc = _cli(config, tmp_path / "timing", tmp_path / "t.html", data_dir)
    start = time.perf_counter()
    proc.communicate(timeout=300)
    full = time.perf_counter() - start
    outcomes = []
    for _ in range(8):
        proc = _cli(config, out, tmp_path / "m.html", data_dir)
        time.sleep(rng.uniform(0.3, full))
        children = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        _assert_gone(children)
        result = read_run(out)  # raises on a mixed or half-written folder
        assert len(result.sites) > 0
        now = _state(out)
        outcomes.append("previous" if now == previous else "new")
        assert now["notes.txt"] == b"the planner's own file"
        previous = now
    proc = _cli(config, out, tmp_path / "m.html", data_dir)
    proc.communicate(timeout=300)
    assert proc.returncode == 0
    read_run(out)
    assert _temporary(out) == []
    assert "previous" in outcomes or "new" in outcomes


def _children(pid: int) -> list[int]:
    """The process ids started by ``pid`` (the render process among them)."""
    import psutil

    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _assert_gone(pids: list[int], within_s: float = 3.0) -> None:
    import psutil

    deadline = time.perf_counter() + within_s
    alive = pids
    while alive and time.perf_counter() < deadline:
        alive = [p for p in alive if psutil.pid_exists(p) and
                 psutil.Process(p).status() != psutil.STATUS_ZOMBIE]  # fmt: skip
        time.sleep(0.05)
    assert not alive, f"processes {alive} outlived the run that started them"


@pytest.mark.parametrize("worker", ["render process", "busy drawing"])
def test_the_render_process_ends_with_its_parent(tmp_path, worker):
    """Its parent killed with SIGKILL: the render process ends within a second, even in the
    middle of a drawing (here a minute's sleep behind the same watch the render process
    starts with), rather than when its drawing is done."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import multiprocessing, os, time\n"
        "from sitesel.outputs.render_process import RenderProcess, end_with_parent\n"
        "def busy(parent):\n"
        "    end_with_parent(parent)\n"
        "    time.sleep(60)\n"
        "if __name__ == '__main__':\n"
        f"    if {worker!r} == 'render process':\n"
        "        pid = RenderProcess().pid\n"
        "    else:\n"
        "        spawn = multiprocessing.get_context('spawn')\n"
        "        p = spawn.Process(target=busy, args=(os.getpid(),))\n"
        "        p.start()\n"
        "        pid = p.pid\n"
        "    print(pid, flush=True)\n"
        "    time.sleep(60)\n"
    )
    import psutil

    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE) as parent:
        child = int(parent.stdout.readline())
        time.sleep(0.5)
        assert psutil.pid_exists(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
    _assert_gone([child], within_s=1.5)


def test_a_new_run_drops_an_earlier_runs_tables_and_keeps_other_files(small_run, tmp_path,
                                                                     data_dir):  # fmt: skip
    """An earlier run wrote allocation.csv; this config poses no problem: the table goes
    (read_run would show it as this run's), the dossier and the notes stay."""
    config, first = small_run
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "allocation.csv").write_text("problem,site_id\nold,H1\n")
    (out / "report").mkdir()
    (out / "report" / "index.html").write_text("<p>dossier</p>")
    (out / "notes.txt").write_text("notes")
    mode = 0o750
    out.chmod(mode)
    proc = _cli(config, out, tmp_path / "m.html", data_dir)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert not (out / "allocation.csv").exists()
    assert (out / "report" / "index.html").read_text() == "<p>dossier</p>"
    assert (out / "notes.txt").read_text() == "notes"
    assert read_run(out).allocation is None
    assert (out.stat().st_mode & 0o777) == mode
    assert _temporary(out) == []


# ------------------------------------------------------------------- damaged layer files


def _loader(catalog: dict, data_dir: Path):
    from sitesel.config.catalog import Catalog
    from sitesel.data.loader import LayerLoader

    return LayerLoader(Catalog.model_validate(catalog), data_dir, offline=True)


def _corrupt_deflate(src: Path, dst: Path) -> None:
    """The central directory intact, a member's deflate stream garbled."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as archive:
        info = max(archive.infolist(), key=lambda i: i.compress_size)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    rng = np.random.default_rng(0)
    data[start + 10 : start + 400] = rng.integers(0, 256, 390, dtype=np.uint8).tobytes()
    dst.write_bytes(bytes(data))


DAMAGES = {
    "truncated": lambda src, dst: dst.write_bytes(src.read_bytes()[: len(src.read_bytes()) // 2]),
    "corrupt stream": _corrupt_deflate,
    "wrong magic": lambda src, dst: dst.write_bytes(b"NOTAFILE" + src.read_bytes()[8:]),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize(
    ("layer", "spec"),
    [
        ("roads_zip", {"kind": "roads", "path": "ladakh/pmgsy_roads_ladakh.zip"}),
        ("districts_geojson", {"kind": "area", "path": "ladakh/ladakh_districts.geojson"}),
        ("places_csv", {"kind": "points", "format": "csv", "path": "india/geonames_places_in.csv",
                        "x_column": "longitude", "y_column": "latitude", "crs": "EPSG:4326"}),
    ],
)  # fmt: skip
def test_a_damaged_vector_layer_is_one_line_naming_it(tmp_path, data_dir, layer, spec, damage):
    src = data_dir / spec["path"]
    if damage == "corrupt stream" and src.suffix != ".zip":
        pytest.skip("a compressed stream exists only in archives")
    if damage == "truncated" and src.suffix == ".csv":
        pytest.skip("a CSV cut short is a shorter CSV: the catalog's sha256 catches that")
    dst = tmp_path / src.name
    DAMAGES[damage](src, dst)
    if damage == "wrong magic" and src.suffix == ".csv":
        dst.write_bytes(b"\xff\xfe\x00bad" + src.read_bytes())  # not UTF-8 text at all
    loader = _loader({"layers": {layer: spec | {"path": str(dst)}}}, tmp_path)
    with pytest.raises(LayerError) as caught:
        loader.frame(layer)
    text = str(caught.value)
    assert text.startswith(f"layer {layer!r}: ") and dst.name in text
    assert "\n" not in text


@pytest.mark.parametrize("damage", ["truncated", "wrong magic"])
def test_a_damaged_geopackage_is_one_line(tmp_path, small_run, damage):
    _, out = small_run
    dst = tmp_path / "parcels.gpkg"
    DAMAGES[damage](out / "sites.gpkg", dst)
    loader = _loader({"layers": {"parcels": {"kind": "parcels", "path": str(dst)}}}, tmp_path)
    with pytest.raises(LayerError, match=r"^layer 'parcels': .*parcels\.gpkg"):
        loader.frame("parcels")


@pytest.mark.parametrize("damage", ["truncated", "wrong magic"])
@pytest.mark.parametrize("source", ["ladakh/dem_srtm1_leh.tif", "ladakh/dem_dted0/e077/n34.dt0"])
def test_a_damaged_raster_is_one_line(tmp_path, data_dir, damage, source):
    import pyproj

    src = data_dir / source
    dst = tmp_path / src.name
    DAMAGES[damage](src, dst)
    spec = {"kind": "dem", "format": "raster", "path": str(dst), "crs": "EPSG:4326"}
    loader = _loader({"layers": {"dem": spec}}, tmp_path)
    import shapely

    crs = pyproj.CRS("EPSG:32643")
    area = shapely.box(740_000, 3_780_000, 745_000, 3_785_000)
    with pytest.raises(LayerError, match=r"^layer 'dem': "):
        loader.dem("dem", crs=crs, area=area, resolution_m=None)


def test_a_damaged_parquet_run_is_one_line(tmp_path, small_run):
    """A run folder's GeoParquet (large runs) that is damaged: one line naming it."""
    import geopandas as gpd

    from sitesel.errors import OutputError

    _, out = small_run
    folder = tmp_path / "run"
    shutil.copytree(out, folder)
    sites = gpd.read_file(folder / "sites.gpkg", layer="sites")
    sites.to_parquet(folder / "sites.parquet")
    data = (folder / "sites.parquet").read_bytes()
    (folder / "sites.parquet").write_bytes(data[: len(data) // 2])
    with pytest.raises(OutputError, match=r"sites\.parquet"):
        read_run(folder)


def test_a_bug_is_still_a_bug(tmp_path):
    """An exception a reader does not raise for bad data keeps its type (exit 1, traceback)."""
    from sitesel.data.read_errors import reading

    with pytest.raises(KeyError), reading("x", tmp_path / "x"):
        raise KeyError("a bug in sitesel")


def test_the_cli_turns_a_damaged_archive_into_exit_2(tmp_path, data_dir):
    catalog = yaml.safe_load((ROOT / "layers" / "leh.yaml").read_text())
    tiles = catalog["layers"]["dem_dted0_india"]["tiles"]
    tiles["sha256_file"] = str(ROOT / "layers" / tiles["sha256_file"])
    damaged = tmp_path / "roads.zip"
    _corrupt_deflate(data_dir / "ladakh" / "pmgsy_roads_ladakh.zip", damaged)
    catalog["layers"]["pmgsy_roads"].pop("sha256")
    catalog["layers"]["pmgsy_roads"].pop("url")
    catalog["layers"]["pmgsy_roads"]["path"] = str(damaged)
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump(catalog))
    config = with_repo_paths(leh_dict())
    config["catalog"] = str(tmp_path / "catalog.yaml")
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(config))
    result = sitesel("run", path, "--out", tmp_path / "o", "--data-dir", data_dir, "--offline")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("sitesel: error: layer 'pmgsy_roads': ") and "roads.zip" in line
    assert "internal error" not in line
