"""The locator map: a country highlighted within its UN M49 area.

Drawn from the Natural Earth layers in ``briefs/countries/maps/`` (see PROVENANCE.md
there): 1:110m polygons, and 1:50m representative points for the small states and
islands that have no polygon at 1:110m, which get a marker. The projection is plain
longitude and latitude, stretched by the cosine of the middle latitude: at the scale of
a locator map that reads as a normal map and needs no projection library.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .countries import Country, CountryData
from .errors import ContentError
from .i18n import Translator
from .plotting import (
    PT_PER_MM,
    TEXT_SLACK_MM,
    Chart,
    ChartStyle,
    drawing,
    figure_svg,
    fit_text,
    new_figure,
    text_size_mm,
)

MAPS_FOLDER = "maps"
POLYGONS_FILE = "ne_110m_countries.geojson"
POINTS_FILE = "ne_50m_country_points.csv"
MAP_SOURCES = ("naturalearth-admin0", "un-m49")

MAP_WIDTH_MM = 78.0
MAP_HEIGHT_MM = 58.0
# Room around the area's members, as a share of the frame, and the smallest frame in
# degrees: a tiny area (the Channel Islands) still shows some coast around it.
PAD_SHARE = 0.12
MIN_SPAN_DEGREES = 24.0
# A polygon narrower than this share of the frame gets a marker as well.
SMALL_SHARE = 0.025
# The marker's name: this far from the dot, in lines of at most this width, and kept
# this far inside the frame.
MARKER_LABEL_OFFSET_PT = 7.0
MARKER_LABEL_WIDTH_MM = 32.0
MARKER_LABEL_MARGIN_MM = 1.0
# M49 areas that take "the" inside a sentence.
AREAS_WITH_ARTICLE = frozenset({"Caribbean", "Channel Islands"})

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class MapLayers:
    """Country polygons (each a list of polygons, each a list of rings) and points."""

    polygons: dict[str, list[list[Ring]]]
    points: dict[str, tuple[float, float]]


@lru_cache(maxsize=4)
def load_map_layers(folder: Path) -> MapLayers:
    """Load the map layers once per process; a missing or bad file is an error."""
    polygons_path = folder / POLYGONS_FILE
    points_path = folder / POINTS_FILE
    try:
        document = json.loads(polygons_path.read_text(encoding="utf-8"))
        polygons: dict[str, list[list[Ring]]] = {}
        for feature in document["features"]:
            iso3 = feature["properties"]["iso3"]
            shapes = [
                [[(lon, lat) for lon, lat in ring] for ring in polygon]
                for polygon in feature["geometry"]["coordinates"]
            ]
            polygons.setdefault(iso3, []).extend(shapes)
        with points_path.open(encoding="utf-8", newline="") as handle:
            points = {
                row["iso3"]: (_shift(float(row["lon"]), 0), float(row["lat"]))
                for row in csv.DictReader(handle)
            }
    except FileNotFoundError as err:
        raise ContentError([f"{err.filename}: map layer not found"]) from err
    except (ValueError, KeyError, TypeError) as err:
        raise ContentError([f"{folder}: map layers are not valid ({err})"]) from err
    return MapLayers(polygons=polygons, points=points)


def map_area(country: Country) -> str:
    """Return the M49 area the map frames: comparison area, sub-region or region."""
    return country.comparison_area or country.sub_region or country.region


def _main_ring(shapes: Sequence[Sequence[Ring]]) -> Ring:
    return max((shape[0] for shape in shapes), key=lambda ring: abs(_ring_area(ring)))


def _ring_area(ring: Ring) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:]))


def _centroid(ring: Ring) -> tuple[float, float]:
    area = _ring_area(ring)
    if area == 0:
        return ring[0]
    cross = [x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:])]
    x = sum((x0 + x1) * c for ((x0, _), (x1, _)), c in zip(zip(ring, ring[1:]), cross))
    y = sum((y0 + y1) * c for ((_, y0), (_, y1)), c in zip(zip(ring, ring[1:]), cross))
    return x / (6 * area), y / (6 * area)


def _anchor(iso3: str, layers: MapLayers) -> tuple[float, float] | None:
    """Return a point that stands for a country: its main polygon's centre, else its
    1:50m point.

    The polygon comes first: a few 1:50m points were computed across 180° and are far
    from their country (Fiji's lies in the Atlantic).
    """
    if iso3 in layers.polygons:
        return _centroid(_main_ring(layers.polygons[iso3]))
    return layers.points.get(iso3)


def _without_outliers(
    anchors: Sequence[tuple[float, float]], centre: float
) -> list[tuple[float, float]]:
    """Drop members far from the rest (Saint Helena in Western Africa, the French
    Southern Territories in Eastern Africa), so one remote island does not shrink the
    others to a corner. The country itself is always framed, outlier or not.
    """
    if len(anchors) < 4:
        return list(anchors)
    lons = sorted(_shift(lon, centre) for lon, _ in anchors)
    lats = sorted(lat for _, lat in anchors)
    middle = (lons[len(lons) // 2], lats[len(lats) // 2])
    distances = [math.dist((_shift(lon, centre), lat), middle) for lon, lat in anchors]
    limit = max(3 * sorted(distances)[len(distances) // 2], 20.0)
    return [anchor for anchor, distance in zip(anchors, distances) if distance <= limit]


def _central_longitude(points: Iterable[tuple[float, float]]) -> float:
    """Return the circular mean longitude, so areas across 180° (Oceania) stay whole."""
    points = list(points)
    x = sum(math.cos(math.radians(lon)) for lon, _ in points)
    y = sum(math.sin(math.radians(lon)) for lon, _ in points)
    return math.degrees(math.atan2(y, x))


def _shift(lon: float, centre: float) -> float:
    """Return ``lon`` moved by whole turns to within 180° of ``centre``."""
    return (lon - centre + 180) % 360 - 180 + centre


def _shift_ring(ring: Ring, centre: float) -> Ring:
    # Natural Earth cuts rings at 180°, so a ring moves as a whole, by its own middle.
    middle = sum(lon for lon, _ in ring) / len(ring)
    offset = _shift(middle, centre) - middle
    return [(lon + offset, lat) for lon, lat in ring]


@dataclass(frozen=True)
class Frame:
    """The map's extent in shifted longitude and latitude, and its x stretch."""

    west: float
    east: float
    south: float
    north: float
    centre: float

    @property
    def aspect(self) -> float:
        middle = math.radians((self.south + self.north) / 2)
        return 1 / max(math.cos(middle), 0.35)

    def contains_box(self, box: tuple[float, float, float, float]) -> bool:
        west, south, east, north = box
        return not (
            east < self.west
            or west > self.east
            or north < self.south
            or south > self.north
        )


def choose_frame(
    anchors: Sequence[tuple[float, float]],
    own_box: tuple[float, float, float, float],
    centre: float,
) -> Frame:
    """Return a frame round the area's anchor points and the country's own box.

    Anchors rather than whole polygons set the frame, so a member that reaches far
    (Russia, France with French Guiana) does not pull the frame across the globe.
    """
    lons = [_shift(lon, centre) for lon, _ in anchors] + [own_box[0], own_box[2]]
    lats = [lat for _, lat in anchors] + [own_box[1], own_box[3]]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    pad_x = max((east - west) * PAD_SHARE, (MIN_SPAN_DEGREES - (east - west)) / 2, 2)
    pad_y = max(
        (north - south) * PAD_SHARE, (MIN_SPAN_DEGREES * 0.6 - (north - south)) / 2, 2
    )
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    south, north = max(south, -85.0), min(north, 85.0)
    frame = Frame(west, east, south, north, centre)
    # The stretch depends on the middle latitude, which fitting moves: repeat until
    # the change is too small to see.
    for _ in range(4):
        frame = _fit_aspect(frame)
    return frame


def _fit_aspect(frame: Frame) -> Frame:
    """Widen or heighten the frame so it fills the map's box without distortion."""
    target = MAP_WIDTH_MM / MAP_HEIGHT_MM
    width = (frame.east - frame.west) / frame.aspect
    height = frame.north - frame.south
    if abs(width / height - target) < 1e-3:
        return frame
    if width / height < target:
        grow = (height * target * frame.aspect - (frame.east - frame.west)) / 2
        return Frame(
            frame.west - grow, frame.east + grow, frame.south, frame.north, frame.centre
        )
    grow = (width / target - height) / 2
    south, north = frame.south - grow, frame.north + grow
    if south < -85:
        south, north = -85, north + (-85 - south)
    if north > 85:
        south, north = south - (north - 85), 85
    return Frame(frame.west, frame.east, south, north, frame.centre)


def _box(rings: Iterable[Ring]) -> tuple[float, float, float, float]:
    points = [point for ring in rings for point in ring]
    lons = [lon for lon, _ in points]
    lats = [lat for _, lat in points]
    return min(lons), min(lats), max(lons), max(lats)


def locator_map(
    country: Country, data: CountryData, style: ChartStyle, translate: Translator
) -> Chart:
    """Return the country's locator map, or a note when the layers do not place it."""
    layers = load_map_layers(data.folder / MAPS_FOLDER)
    area = map_area(country)
    name = country.name_in_text
    area_text = f"the {area}" if area in AREAS_WITH_ARTICLE else area
    title = translate("Location: {name} within {area}").format(
        name=name, area=area_text
    )
    anchor = _anchor(country.iso3, layers)
    if anchor is None:
        note = translate(
            "No map: the Natural Earth layers used here show no polygon or"
            " point for {name}."
        ).format(name=name)
        return Chart("map", title, None, "", MAP_SOURCES, note, 1)
    members = [member.iso3 for member in data.in_area(area)] if area else []
    anchors = [point for iso3 in members if (point := _anchor(iso3, layers))]
    centre = _central_longitude([*anchors, anchor])
    anchors = _without_outliers(anchors, centre)
    own = layers.polygons.get(country.iso3)
    x = _shift(anchor[0], centre)
    # The frame holds the country's main body; far-off islands may fall outside.
    own_box = (
        _box([_shift_ring(_main_ring(own), centre)])
        if own
        else (x, anchor[1], x, anchor[1])
    )
    frame = choose_frame(anchors or [anchor], own_box, centre)
    marked = own is None or (own_box[2] - own_box[0]) < SMALL_SHARE * (
        frame.east - frame.west
    )
    svg = _draw(
        country.iso3,
        set(members),
        layers,
        frame,
        style,
        (x, anchor[1]) if marked else None,
        country.name,
    )
    alt = translate("Map of {area} with {name} highlighted.").format(
        area=area_text, name=name
    )
    if marked:
        # The name starts the sentence: "The Maldives is marked …".
        alt += " " + translate(
            "{name} is marked with a ringed dot, as it is too small"
            " to show at this scale."
        ).format(name=name[:1].upper() + name[1:])
    return Chart("map", title, svg, alt, MAP_SOURCES, "", 1)


def _draw(
    iso3: str,
    members: set[str],
    layers: MapLayers,
    frame: Frame,
    style: ChartStyle,
    marker: tuple[float, float] | None,
    label: str,
) -> str:
    from matplotlib.patches import PathPatch

    colours = style.map
    with drawing(style):
        figure = new_figure(MAP_WIDTH_MM, MAP_HEIGHT_MM)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_facecolor(colours.water)
        # Paint order: other land, the area's members, then the country on top.
        order = sorted(
            layers.polygons, key=lambda code: (code == iso3, code in members)
        )
        for code in order:
            fill = (
                colours.country
                if code == iso3
                else colours.area
                if code in members
                else colours.land
            )
            path = _country_path(layers.polygons[code], frame)
            if path is not None:
                # add_artist, not add_patch: the limits are set, so there is no need to
                # let each patch widen them, which is most of the drawing time.
                ax.add_artist(
                    PathPatch(
                        path, facecolor=fill, edgecolor=colours.border, linewidth=0.35
                    )
                )
        # Members too small for a polygon still show where they are, as dots.
        dots = [
            layers.points[code]
            for code in sorted(members - {iso3})
            if code not in layers.polygons and code in layers.points
        ]
        if dots:
            ax.plot(
                [_shift(lon, frame.centre) for lon, _ in dots],
                [lat for _, lat in dots],
                linestyle="none",
                marker="o",
                markersize=2.2,
                markerfacecolor=colours.area,
                markeredgecolor=colours.water,
                markeredgewidth=0.3,
            )
        if marker is not None:
            _draw_marker(ax, marker, label, frame, style)
        ax.set_xlim(frame.west, frame.east)
        ax.set_ylim(frame.south, frame.north)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        # The frame is a CSS border: a spine on the SVG's edge is half cut off.
        for spine in ax.spines.values():
            spine.set_visible(False)
        return figure_svg(figure)


def _country_path(shapes: Sequence[Sequence[Ring]], frame: Frame):
    """Return one compound path of a country's polygons inside the frame, or None."""
    from matplotlib.path import Path as MplPath

    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for shape in shapes:
        rings = [_shift_ring(ring, frame.centre) for ring in shape]
        if not frame.contains_box(_box(rings[:1])):
            continue
        for index, ring in enumerate(rings):
            # The non-zero fill rule needs holes to wind against their outer ring.
            clockwise = _ring_area(ring) < 0
            if clockwise != (index > 0):
                ring = ring[::-1]
            vertices.extend(ring)
            codes.extend([MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1))
    if not vertices:
        return None
    return MplPath(vertices, codes)


def _draw_marker(
    ax, point: tuple[float, float], label: str, frame: Frame, style: ChartStyle
) -> None:
    colours = style.map
    x, y = point
    ax.plot(
        [x],
        [y],
        marker="o",
        linestyle="none",
        markersize=9,
        markerfacecolor="none",
        markeredgecolor=colours.country,
        markeredgewidth=1.1,
    )
    ax.plot(
        [x],
        [y],
        marker="o",
        linestyle="none",
        markersize=3.6,
        markerfacecolor=colours.country,
        markeredgecolor=colours.water,
        markeredgewidth=0.5,
    )
    # The name goes on the side with more room, wrapped to the room there and moved
    # up or down as far as it must be to stay inside the frame.
    span = frame.east - frame.west
    share = (x - frame.west) / span
    right = share < 0.5
    room = (1 - share if right else share) * MAP_WIDTH_MM
    room -= MARKER_LABEL_OFFSET_PT / PT_PER_MM + MARKER_LABEL_MARGIN_MM + TEXT_SLACK_MM
    width = min(MARKER_LABEL_WIDTH_MM, room)
    text = fit_text(label, width, style, max_lines=2, weight="bold")
    if "…" in text and "," in label:
        # "Saint Helena, Ascension and Tristan da Cunha": the part before the comma.
        text = fit_text(label.split(",")[0], width, style, max_lines=2, weight="bold")
    height = text_size_mm(text, style, weight="bold")[1]
    middle = (y - frame.south) / (frame.north - frame.south) * MAP_HEIGHT_MM
    lowest = MARKER_LABEL_MARGIN_MM + height / 2
    highest = MAP_HEIGHT_MM - MARKER_LABEL_MARGIN_MM - height / 2
    shift = min(max(middle, lowest), highest) - middle
    ax.annotate(
        text,
        (x, y),
        xytext=(
            MARKER_LABEL_OFFSET_PT if right else -MARKER_LABEL_OFFSET_PT,
            shift * PT_PER_MM,
        ),
        textcoords="offset points",
        ha="left" if right else "right",
        va="center",
        color=style.ink,
        fontweight="bold",
    )
