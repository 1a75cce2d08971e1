"""Issue 33: the stage order is declared once, and a run keeps it."""

from __future__ import annotations

import pytest
import yaml

import sitesel
from sitesel.pipeline.stages import STAGES, undeclared_needs
from sitesel.pipeline.timing import Timings

from ..cases import small_leh_dict


def test_every_stage_needs_only_what_the_start_or_an_earlier_stage_gives():
    assert undeclared_needs() == []
    names = [s.name for s in STAGES]
    assert len(set(names)) == len(names)
    position = {n: k for k, n in enumerate(names)}
    # the reasons the issue asked to see stated: allocation after robustness (it counts
    # over the weight draws), the shortlist's stages after allocation
    assert position["robustness"] < position["allocation"] < position["routes"]
    assert position["allocation"] < position["terrain_profile"]


def test_the_timer_refuses_a_stage_out_of_the_declared_order():
    t = Timings()
    with t.stage("check"):
        pass
    with t.stage("scoring"):  # skipping stages is allowed (a cached input, no network)
        pass
    with (
        pytest.raises(RuntimeError, match="'criteria' is not declared in this order"),
        t.stage("criteria"),
    ):
        pass
    with pytest.raises(RuntimeError, match="'tea' is not declared"), t.stage("tea"):
        pass


def test_a_run_times_the_stages_in_the_declared_order(tmp_path, data_dir):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small_leh_dict(), sort_keys=False))
    timed = list(sitesel.run(path, data_dir=data_dir, offline=True).manifest.timings_s)
    assert timed == [s.name for s in STAGES if s.name in timed]
    assert {"check", "fetch", "criteria", "scoring", "allocation", "routes"} <= set(timed)
