"""QGIS styles of a run's layers: the meeting map's classes, colours and labels, as QML.

A GeoPackage holds styles in a ``layer_styles`` table that QGIS reads when a layer is
opened (the QGIS GeoPackage styling extension); each row carries a layer's style as QML,
the XML of a ``.qml`` file. The sites get the map's suitability classes (its palette and
edges), excluded sites grey and the top ranks labelled; taken land its zone colours by
action; roads their classes' colours; routes the criteria's colours.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import quoteattr

from matplotlib.colors import to_rgba

from sitesel.render.classes import Classes
from sitesel.render.palette import EXCLUDED, OTHER_ROAD, ROAD_COLOURS, ROUTE_COLOURS, ZONE_STYLES

QML_HEAD = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"


def _rgba(colour: str, alpha: float = 1.0) -> str:
    """A colour as QGIS writes it: ``r,g,b,a`` in 0-255."""
    r, g, b, _ = to_rgba(colour)
    return f"{round(255 * r)},{round(255 * g)},{round(255 * b)},{round(255 * alpha)}"


def _options(values: dict[str, str]) -> str:
    items = "".join(
        f'<Option type="QString" name={quoteattr(k)} value={quoteattr(v)}/>'
        for k, v in values.items()
    )
    return f'<Option type="Map">{items}</Option>'


def _fill(name: str, colour: str, alpha: float, outline: str, width_mm: float = 0.1) -> str:
    layer = _options({"color": _rgba(colour, alpha), "style": "solid",
                      "outline_color": _rgba(outline), "outline_style": "solid",
                      "outline_width": f"{width_mm:g}", "outline_width_unit": "MM"})  # fmt: skip
    return (
        f'<symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="SimpleFill" pass="0" locked="0" enabled="1">{layer}</layer></symbol>'
    )


def _line(name: str, colour: str, width_mm: float) -> str:
    layer = _options({"line_color": _rgba(colour), "line_width": f"{width_mm:g}",
                      "line_width_unit": "MM", "line_style": "solid",
                      "capstyle": "round", "joinstyle": "round"})  # fmt: skip
    return (
        f'<symbol type="line" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="SimpleLine" pass="0" locked="0" enabled="1">{layer}</layer></symbol>'
    )


def _rule_renderer(rules: Sequence[tuple[str, str, str]]) -> str:
    """A rule-based renderer: ``(label, filter expression, symbol XML)`` per rule."""
    body = "".join(
        f'<rule key="r{k}" symbol="{k}" label={quoteattr(label)} filter={quoteattr(expr)}/>'
        for k, (label, expr, _) in enumerate(rules)
    )
    symbols = "".join(symbol for _, _, symbol in rules)
    return (
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
        f'<rules key="root">{body}</rules><symbols>{symbols}</symbols></renderer-v2>'
    )


def _labels(expression: str, size_pt: float = 9) -> str:
    """Labels from an expression (empty where it gives NULL), with a white buffer."""
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(expression)} isExpression="1" fontSize="{size_pt:g}"'
        ' fontWeight="75" textColor="0,0,0,255" textOpacity="1">'
        '<text-buffer bufferDraw="1" bufferSize="1" bufferColor="255,255,255,255"'
        ' bufferOpacity="1" bufferSizeUnits="MM"/></text-style>'
        '<placement placement="1" priority="10"/><rendering obstacle="1" scaleVisibility="0"/>'
        "</settings></labeling>"
    )


def _qml(renderer: str, labeling: str = "") -> str:
    return (
        QML_HEAD + '<qgis version="3.22" styleCategories="Symbology|Labeling">'
        f"{renderer}{labeling}</qgis>\n"
    )


def sites_qml(classes: Classes, top_n: int) -> str:
    """The sites as the meeting map colours them, the top ``top_n`` ranks labelled.

    >>> from sitesel.render.classes import Classes
    >>> qml = sites_qml(Classes([0.0, 0.5, 1.0], ["#d73027", "#1a9850"]), 10)
    >>> '"suitability" &gt;= 0.5' in qml and 'label="excluded"' in qml
    True
    """
    # A boolean field is tested as itself: QGIS 3.22 reads GeoPackage booleans as true and
    # false, which "= 1" does not match.
    rules = [("excluded", '"excluded"', _fill("0", EXCLUDED, 0.45, EXCLUDED))]
    edges = classes.edges
    for k, colour in reversed(list(enumerate(classes.colours))):
        low, high = edges[k], edges[k + 1]
        upper = "<=" if k == len(classes.colours) - 1 else "<"
        expr = f'NOT "excluded" AND "suitability" >= {low:g} AND "suitability" {upper} {high:g}'
        rules.append(
            (f"{low:.1f} – {high:.1f}", expr, _fill(str(len(rules)), colour, 0.75, colour))
        )
    label = f'CASE WHEN "rank" <= {top_n} THEN to_string(to_int("rank")) END'
    return _qml(_rule_renderer(rules), _labels(label))


def taken_land_qml() -> str:
    """Land zones by action: excluded, flagged, land bank (the map's zone colours)."""
    rules = [
        (str(style["title"]), f"\"action\" = '{action}'",
         _fill(str(k), str(style["colour"]), float(style["fill"]), str(style["colour"]), 0.4))
        for k, (action, style) in enumerate(ZONE_STYLES.items())
    ]  # fmt: skip
    return _qml(_rule_renderer(rules))


def roads_qml(classes: Sequence[str]) -> str:
    """Roads by class: the main classes in the map's colours, the others grey."""
    main = [c for c in ROAD_COLOURS if c in set(classes)]
    rules = [(f"{c} road", f"\"road_class\" = '{c}'", _line(str(k), ROAD_COLOURS[c], 0.8))
             for k, c in enumerate(main)]  # fmt: skip
    others = " AND ".join(f"\"road_class\" <> '{c}'" for c in main) or "TRUE"
    rules.append(("other roads", others, _line(str(len(rules)), OTHER_ROAD, 0.3)))
    return _qml(_rule_renderer(rules))


def routes_qml(criteria: Sequence[str]) -> str:
    """The shortlist's routes, one colour per travel-time criterion (the map's)."""
    rules = [
        (c, f"\"criterion\" = '{c}'", _line(str(k), ROUTE_COLOURS[k % len(ROUTE_COLOURS)], 0.9))
        for k, c in enumerate(criteria)
    ]
    return _qml(_rule_renderer(rules))


def study_area_qml() -> str:
    """The study area's outline, dashed black, not filled."""
    symbol = _fill("0", "#000000", 0.0, "#000000", 0.5)
    return _qml(_rule_renderer([("study area", "TRUE", symbol)]))
