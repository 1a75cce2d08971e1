"""The image sites' ids as the page receives them: lattice steps or plain JSON, by hand."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import pandas as pd
import pytest

from sitesel.render.meeting_map.image_picks import _ids


def _inflated(text: str, dtype: str) -> list:
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=dtype).tolist()


def test_hexagon_ids_go_as_steps_of_the_lattice():
    sent = _ids(pd.Series(["H3_-2", "H4_-2", "H-1_7", "H-1_7"]))
    assert set(sent) == {"col", "row"}
    assert _inflated(sent["col"], "<i4") == [3, 1, -5, 0]  # 3, 4, -1, -1 as steps
    assert _inflated(sent["row"], "<i4") == [-2, 0, 9, 0]  # -2, -2, 7, 7


@pytest.mark.parametrize(
    "odd",
    ["H01_2", "H+1_2", "H1_0_2", "h1_2", "H1-2", "H1_", "H_2", "", "S1_2", "H1_2 ", "H1_٣",
     "H1_2147483648"],
)  # fmt: skip
def test_one_id_not_written_as_sitesel_writes_a_hexagons_sends_all_as_text(odd):
    ids = ["H0_0", odd, "H5_5"]
    sent = _ids(pd.Series(ids))
    assert set(sent) == {"json"}, f"{odd!r} read as a lattice index: the card shows another site"
    assert json.loads(bytes(_inflated(sent["json"], "u1")).decode("utf-8")) == ids


def test_no_ids_are_an_empty_list():
    sent = _ids(pd.Series([], dtype=str))
    assert json.loads(bytes(_inflated(sent["json"], "u1")).decode("utf-8")) == []
