"""Records written to exclusions.csv and read back (the dossier and `sitesel map` read them),
against records built by hand: every field of every hit comes back."""

from __future__ import annotations

import numpy as np

from sitesel.exclusions.records import Hits, Records, Source, as_table
from sitesel.outputs.files import write_table_csv
from sitesel.outputs.reader import read_records

IDS = ["H1_1", "H1_2", "NA", "H2_1", "7"]  # ids a careless reader would turn into numbers


def _hand_made() -> Records:
    park = Source("national_parks", "land_rule", "within {distance_m} m of {name}",
                  "Wildlife (Protection) Act 1972")  # fmt: skip
    slope = Source("constraints[0]", "threshold", "mean slope above 15 degrees")
    road = Source("nh_building_line", "land_rule", "within {distance_m} m of {name}", "IRC:73")
    return Records((
        Hits(park, "exclude", np.array([0, 3]), np.array(["Hemis NP", "NA"], dtype=object),
             {"distance_m": np.array([0.0, 120.5]), "share": np.array([1.0, 0.25])}),
        Hits(slope, "exclude", np.array([1, 2]), np.array(["", ""], dtype=object),
             {"value": np.array([17.752113503251362, np.nan])}),  # a value may be unknown
        Hits(road, "flag", np.array([4, 2]), np.array(["NH1", 'Leh, "old" road'], dtype=object),
             {"distance_m": np.array([40.0, 40.0]), "share": np.array([0.05, 0.1])}, True),
        Hits(road, "flag", np.array([1]), np.array(["NH1"], dtype=object),
             {"distance_m": np.array([3.0])}),
    ))  # fmt: skip


def test_every_record_comes_back_from_exclusions_csv(tmp_path):
    written = _hand_made()
    path = tmp_path / "exclusions.csv"
    write_table_csv(as_table(written, IDS), path)
    back = read_records(path, IDS)
    assert len(back.hits) == len(written.hits) == 4
    for want, got in zip(written.hits, back.hits, strict=True):
        where = f"{want.source.id}/{want.action}/partial={want.partial}"
        assert got.source == want.source, where
        assert got.action == want.action and got.partial == want.partial, where
        assert got.site.tolist() == want.site.tolist(), f"{where}: records moved to other sites"
        assert got.feature.tolist() == want.feature.tolist(), f"{where}: features renamed"
        assert set(got.measures) == set(want.measures), f"{where}: measures gained or lost"
        for name, values in want.measures.items():
            assert np.array_equal(got.measures[name], values, equal_nan=True), f"{where}: {name}"


def test_sites_are_numbered_by_the_runs_order_not_the_files(tmp_path):
    """The same file read for a run listing its sites in the other order."""
    path = tmp_path / "exclusions.csv"
    write_table_csv(as_table(_hand_made(), IDS), path)
    back = read_records(path, IDS[::-1])
    last = len(IDS) - 1
    assert [h.site.tolist() for h in back.hits] == [
        [last, last - 3],
        [last - 1, last - 2],
        [0, 2],
        [3],
    ]


def test_no_records_is_an_empty_table_that_reads_back_empty(tmp_path):
    path = tmp_path / "exclusions.csv"
    write_table_csv(as_table(Records(()), IDS), path)
    assert read_records(path, IDS).hits == ()
