"""The run's own words in Hindi: reason templates by catalog, places read back.

Hand-worked: the Hindi each template must read as, written out here, against what
:mod:`sitesel.language.records` and :func:`sitesel.exclusions.text.texts` produce.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from sitesel.data.place_names import describe_locations
from sitesel.exclusions.records import Hits, Records, Source
from sitesel.exclusions.text import counts, joined, texts
from sitesel.language.records import localised_place, localised_template, number_key


def test_numbers_become_numbered_fields_and_fields_stay():
    assert number_key("within 40 m of {name}") == ("within {n0} m of {name}", ["40"])
    assert number_key("above 4,000 m") == ("above {n0} m", ["4,000"])
    assert number_key("slope 12.5 to 15 deg") == ("slope {n0} to {n1} deg", ["12.5", "15"])
    # numbers inside words and fields are not literal numbers of the template
    assert number_key("NH1 and {distance_m} m of H2O") == ("NH1 and {distance_m} m of H2O", [])


def test_a_setback_reads_in_hindi_whatever_its_distance():
    for distance in ("40", "500", "1,500"):
        english = f"within {distance} m of {{name}}"
        assert localised_template(english, "hi") == f"{{name}} से {distance} मीटर के भीतर"
        assert localised_template(english, "en") == english


def test_a_template_the_catalog_lacks_stays_english():
    mine = "more than 45 minutes from Sahebganj"  # a planner's own words
    assert localised_template(mine, "hi") == mine


@pytest.mark.parametrize(
    ("point", "hindi"),
    [
        ((2000, 0), "Leh से 2 किमी पूर्व"),
        ((0, 3000), "Leh से 3 किमी उत्तर"),
        ((-1000, -1000), "Leh से 1.4 किमी दक्षिण-पश्चिम"),
        ((1000, -1000), "Leh से 1.4 किमी दक्षिण-पूर्व"),
        ((-1000, 1000), "Leh से 1.4 किमी उत्तर-पश्चिम"),
        ((1000, 1000), "Leh से 1.4 किमी उत्तर-पूर्व"),
        ((-12000, 0), "Leh से 12 किमी पश्चिम"),
        ((0, -2000), "Leh से 2 किमी दक्षिण"),
        ((100, 100), "Leh में"),
    ],
)
def test_every_place_description_reads_back_in_hindi(point, hindi):
    (english,) = describe_locations(shapely.points([point]), shapely.points([(0, 0)]), ["Leh"])
    assert localised_place(english, "hi") == hindi
    assert localised_place(english, "en") == english


def test_a_place_whose_name_has_km_in_it_keeps_its_name():
    text = "2 km W of 5 km Chowk"
    assert localised_place(text, "hi") == "5 km Chowk से 2 किमी पश्चिम"
    assert localised_place("Phyang", "hi") == "Phyang"  # not a description: as it is


def _hits(template, names, distances, sites, action="exclude", citation=""):
    source = Source("r", "land_rule", template, citation)
    return Hits(source, action, np.asarray(sites), np.asarray(names, dtype=object),
                {"distance_m": np.asarray(distances, dtype=float)})  # fmt: skip


def test_records_read_in_hindi_with_their_citation_in_english():
    runway = _hits("within {distance_m} m of the runway of {name}", ["VILH"], [500.0], [0],
                   citation="ICAO Annex 14")  # fmt: skip
    assert texts(runway, "hi").tolist() == ["VILH के रनवे से 500 मीटर के भीतर (ICAO Annex 14)"]
    assert texts(runway).tolist() == ["within 500 m of the runway of VILH (ICAO Annex 14)"]


def test_a_sites_reasons_are_joined_in_the_records_order_in_either_language():
    outside = Hits(Source("study_area", "study_area", "outside the study area"), "exclude",
                   np.array([1]), np.array([""], dtype=object))  # fmt: skip
    lake = _hits("in {name} (lake)", ["Pangong Tso", "Tso Moriri"], [0.0, 0.0], [1, 2])
    records = Records((outside, lake))
    assert joined(records, "exclude", 3, "hi").tolist() == [
        "",
        "अध्ययन क्षेत्र से बाहर; Pangong Tso (झील) में",
        "Tso Moriri (झील) में",
    ]
    assert joined(records, "exclude", 3).tolist() == [
        "",
        "outside the study area; in Pangong Tso (lake)",
        "in Tso Moriri (lake)",
    ]
    assert counts(records, "exclude", lang="hi").to_dict() == {
        "Pangong Tso (झील) में": 1, "Tso Moriri (झील) में": 1, "अध्ययन क्षेत्र से बाहर": 1,
    }  # fmt: skip


def test_numbers_grouped_with_their_decimals_and_a_missing_value():
    from sitesel.language import grouped

    assert grouped(1234.56, 1) == "1,234.6" and grouped(1234.56, 2) == "1,234.56"
    assert grouped(1234567.4) == "12,34,567" and grouped(0.5, 1) == "0.5"
    assert grouped(float("nan"), 2) == "-" and grouped(float("inf")) == "-"


def test_a_page_gets_only_the_messages_it_asks_for_that_the_catalog_has():
    from sitesel.language import messages

    asked = messages("hi", ["Top {n} sites", "not a message of sitesel"])
    assert asked == {"Top {n} sites": "शीर्ष {n} स्थल"}
    assert messages("en", ["Top {n} sites"]) == {}  # English is the ids themselves


def test_records_of_one_feature_read_apart_by_the_measures_their_template_writes():
    """Each distinct record is written once and its text shared: the grouping must tell
    apart what the template writes (the distance here, a partial flag's share) and may
    ignore what it does not (a threshold's value)."""
    near = _hits("{distance_km} km from {name}", ["Indus"] * 4, [500.0, 1500.0, 500.0, 1549.0],
                 [0, 1, 2, 3], action="flag")  # fmt: skip
    assert texts(near).tolist() == [
        "0.5 km from Indus", "1.5 km from Indus", "0.5 km from Indus", "1.5 km from Indus",
    ]  # fmt: skip
    assert counts(Records((near,)), "flag").to_dict() == {"Indus": 4}  # the kind, once
    values = {"value": np.array([16.0, 20.0, 31.0])}
    steep = Hits(Source("c", "threshold", "slope over 15"), "exclude", np.arange(3),
                 np.array(["", "", ""], dtype=object), values)  # fmt: skip
    assert texts(steep).tolist() == ["slope over 15"] * 3
    share = Hits(Source("r", "land_rule", "near {name}"), "flag", np.arange(3),
                 np.array(["NH 1"] * 3, dtype=object),
                 {"share": np.array([0.12, 0.3, 0.12])}, partial=True)  # fmt: skip
    assert texts(share).tolist() == ["12 % near NH 1", "30 % near NH 1", "12 % near NH 1"]
    assert counts(Records((share,)), "flag").to_dict() == {"near NH 1": 3}  # by kind
