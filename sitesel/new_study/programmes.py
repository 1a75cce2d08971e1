"""The scoring config a new study starts from, per programme, written for planners to edit.

``emc2``: an Electronics Manufacturing Cluster (MeitY's EMC 2.0): land of 200 acres (100
in North-Eastern and hill states and UTs) with connectivity: time to the town, to a
railway station and an airport, workforce within 30 minutes, flat land, the EMC 2.0 area
rule. ``cfc``: common facility centres (MSE-CDP) serving existing enterprises: small sites
near the clusters, chosen as a maximal covering problem. The weights are a starting point
for the committee to discuss, not advice; every value carries a comment saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitesel.data.gazetteer import Place
from sitesel.new_study.layers import LayerPlan
from sitesel.new_study.place import Area

PROGRAMMES = ("emc2", "cfc")
HILL_STATES = frozenset(
    {"Himachal Pradesh", "Uttarakhand", "Jammu & Kashmir", "Ladakh", "Sikkim",
     "Arunachal Pradesh", "Assam", "Manipur", "Meghalaya", "Mizoram", "Nagaland", "Tripura"}
)  # fmt: skip
"""States and UTs where EMC 2.0 asks for 100 acres (North-Eastern and hill states, UTs)."""

HINDI_STATES = frozenset(
    {"Bihar", "Chhattisgarh", "Delhi", "Haryana", "Himachal Pradesh", "Jharkhand",
     "Madhya Pradesh", "Rajasthan", "Uttar Pradesh", "Uttarakhand"}
)  # fmt: skip
"""States and UTs whose official language is Hindi (each by its own official-language act;
the acts were not re-read for this list): their studies' maps default to Hindi."""

OSM_SPEEDS_KMH = {
    "motorway": 60, "trunk": 50, "primary": 40, "secondary": 35, "tertiary": 30,
    "unclassified": 20, "residential": 15, "service": 10, "track": 10,
}  # fmt: skip
PMGSY_SPEEDS_KMH = {
    "NH": 40, "SH": 35, "MDR": 30, "BR": 25, "RR(ODR)": 25, "RR(VR)": 20, "RR(TRACK)": 10,
}  # fmt: skip


@dataclass(frozen=True)
class NewStudy:
    """What ``sitesel init`` was asked for."""

    name: str
    place: Place
    area: Area
    programme: str
    plan: LayerPlan


def _study_area(study: NewStudy) -> str:
    place, area = study.place, study.area
    if area.bbox_lonlat is not None:
        w, s, e, n = area.bbox_lonlat
        return (
            "study_area:                  # the box given to sitesel init (degrees)\n"
            f"  bbox_lonlat: [{w:g}, {s:g}, {e:g}, {n:g}]\n"
        )
    where = f"  {_where(place).lstrip(', ')}   # GeoNames' code of {place.state}\n"
    district = (
        f"  # {area.district} district: no district outline in the data folder here, so a\n"
        f"  # circle around its headquarters town; replace it with the outline when you have one\n"
        if area.district
        else ""
    )
    return (
        f"study_area:                  # {area.radius_km:g} km around {place.name}, {place.state}\n"
        f"{district}  place: {place.name}\n{where if place.admin1code else ''}"
        f"  buffer_km: {area.radius_km:g}\n"
    )


def _network(study: NewStudy) -> str:
    roads = study.plan.roads
    speeds = PMGSY_SPEEDS_KMH if roads.startswith("pmgsy") else OSM_SPEEDS_KMH
    lines = "".join(f"    {k}: {v}\n" for k, v in speeds.items())
    return (
        "network:\n"
        f"  roads: {roads}\n"
        "  speeds_kmh:                 # truck speeds by road class (km/h): a starting point,\n"
        "                              # check them with the district's transport office\n"
        f"{lines}"
        "  default_speed_kmh: 20\n"
        "  offroad_speed_kmh: 5        # from a site to the nearest road (a new access road)\n"
        "  max_offroad_km: 5\n"
        "  margin_km: 30               # roads this far beyond the area still carry trips\n"
    )


def _place(place: Place) -> str:
    """The place as a selection, its GeoNames state code telling apart places of one name."""
    return f"{{place: {place.name}{_where(place)}}}"


def _where(place: Place) -> str:
    """``, where: {admin1code: 34}``: as the places layer reads the code (a number)."""
    code = place.admin1code
    if not code:
        return ""
    return f", where: {{admin1code: {int(code) if code.isdigit() else repr(code)}}}"


def _criteria_emc2(study: NewStudy) -> str:
    place = study.place
    workforce, population = study.plan.workforce
    town = f"time_to_{_slug(place.name)}_min"
    return (
        "criteria:                     # weights: a starting point for the committee, not advice\n"
        f"  {town}:\n"
        "    kind: travel_time\n"
        f"    to: {_place(place)}\n"
        "    value: {type: linear, low: 10, high: 60, direction: cost}\n"
        "    weight: 3\n"
        "  time_to_railway_min:         # goods and staff by rail\n"
        "    kind: travel_time\n"
        "    to: {layer: railway_stations}\n"
        "    value: {type: linear, low: 15, high: 120, direction: cost}\n"
        "    weight: 2\n"
        "  time_to_airport_min:         # electronics ship by air (any runway of OurAirports)\n"
        "    kind: travel_time\n"
        "    to: {layer: airport_runways}\n"
        "    value: {type: linear, low: 30, high: 180, direction: cost}\n"
        "    weight: 2\n"
        "  workforce_30min:             # people within 30 minutes by road\n"
        "    kind: opportunities\n"
        f"    to: {{layer: {workforce}}}\n"
        f"    weight_column: {population}\n"
        "    within_min: 30\n"
        "    value: {type: linear, low: 10000, high: 100000, direction: benefit}\n"
        "    weight: 2\n"
        "  slope_mean_deg:              # factory floors need flat land\n"
        "    kind: slope\n"
        "    stat: mean\n"
        "    value: {type: linear, low: 2, high: 10, direction: cost}\n"
        "    weight: 3\n"
        "\nconstraints:\n"
        "  - exclude_if: slope_mean_deg > 15\n"
        "    reason: mean slope above 15 degrees\n"
        "  - exclude_within:             # not on a town's built-up core\n"
        "      to: {layer: places, min: {population: 1000}}\n"
        "      footprint: {population_column: population, people_per_km2: 2500}\n"
        "      max_share: 0.25\n"
    )


def _criteria_cfc(study: NewStudy) -> str:
    place = study.place
    workforce, population = study.plan.workforce
    town = f"time_to_{_slug(place.name)}_min"
    return (
        "criteria:                     # weights: a starting point for the committee, not advice\n"
        f"  {town}:   # the market town\n"
        "    kind: travel_time\n"
        f"    to: {_place(place)}\n"
        "    value: {type: linear, low: 5, high: 40, direction: cost}\n"
        "    weight: 2\n"
        "  workforce_20min:             # artisans within 20 minutes\n"
        "    kind: opportunities\n"
        f"    to: {{layer: {workforce}}}\n"
        f"    weight_column: {population}\n"
        "    within_min: 20\n"
        "    value: {type: linear, low: 5000, high: 50000, direction: benefit}\n"
        "    weight: 3\n"
        "\nallocation:                    # which 3 sites together serve the enterprises best\n"
        "  cfc_mclp:\n"
        "    problem: mclp\n"
        "    k: 3\n"
        "    within_min: 15\n"
        "    candidates: {top_n: 300}\n"
        "    # The enterprises to serve: here every workforce point, weighted by people. Put\n"
        "    # the clusters' own points instead: a layer of the units (a planner's CSV in the\n"
        "    # catalog), or named villages, e.g. {layer: habitations_bihar, where: {HAB_NAME:\n"
        "    # [Teghra, Bhawanandpur]}}\n"
        f"    demand: {{layer: {workforce}, weight_column: {population}}}\n"
        "    min_spacing_km: 3\n"
    )


def _slug(name: str) -> str:
    from sitesel.data.gazetteer import normalised

    return normalised(name).replace(" ", "_") or "town"


def config_text(study: NewStudy) -> str:
    """The commented scoring config of a new study."""
    place, emc = study.place, study.programme == "emc2"
    hill = place.state in HILL_STATES
    acres = (100 if hill else 200) if emc else 10
    what = "an Electronics Manufacturing Cluster (EMC 2.0)" if emc else "common facility centres"
    scheme = (
        "scheme:                       # EMC 2.0's land rule: contiguous acres, two parcels\n"
        f"  file: ../schemes/emc2.yaml\n  variant: {'hill_state_or_ut' if hill else 'general'}\n"
        if emc
        else ""
    )
    return (
        f"# {what.capitalize()} near {place.name}, {place.state}: written by `sitesel init`.\n"
        "#\n"
        "# Edit weights, thresholds and constraints here; where data comes from lives in the\n"
        f"# layer catalog (layers/{study.name}.yaml). `sitesel validate` lists what the first\n"
        "# run downloads; `sitesel schema` lists every key.\n"
        f"name: {study.name}\n"
        f"description: {what} near {place.name} ({study.programme})\n"
        f"catalog: ../layers/{study.name}.yaml\n"
        "working_crs: auto\n\n"
        f"{_study_area(study)}\n"
        "sites:\n  grid:\n"
        f"    cell_area_acres: {acres}"
        f"{'      # EMC 2.0: 100 acres in hill states and UTs, 200 elsewhere' if emc else ''}\n\n"
        f"{_network(study)}\n"
        "dem:                          # finest first; GLO-30 only where its tiles can be had\n"
        f"  layers: [{', '.join(study.plan.dems)}]\n"
        f"  when_available: [{study.plan.dems[0]}]\n\n"
        f"{_criteria_emc2(study) if emc else _criteria_cfc(study)}\n"
        "land:                         # the law's exclusions (rules/*.yaml cite each rule)\n"
        f"  pollution_category: {'orange' if emc else 'green'}   # CPCB category of the units:"
        " check it\n"
        "  rule_packs:\n"
        "    - ../rules/protected_areas.yaml\n"
        "    - ../rules/aerodromes.yaml\n"
        "    - ../rules/water.yaml\n\n"
        f"{scheme}"
        "robustness:\n"
        "  monte_carlo: {draws: 200, method: dirichlet, concentration: 100, seed: 1, top_k: 10}\n\n"
        "map:\n  top_n: 10\n"
        + (
            "  language: hi                # the meeting's language; --lang en for English\n"
            if place.state in HINDI_STATES
            else ""
        )
    )
