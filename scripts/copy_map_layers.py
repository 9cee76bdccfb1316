#!/usr/bin/env python3
"""Copy the Natural Earth layers the locator maps use into briefs/countries/maps/.

Run from the project folder: ``python3 scripts/copy_map_layers.py [CLEAN_DIR]``, where
CLEAN_DIR holds the shared cleaned data (default ``../shared/data/clean``). The output
is deterministic, so rerunning it on the same input changes no byte. PROVENANCE.md
beside the output files says what was changed and why.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "briefs" / "countries" / "maps"
POLYGONS_IN = "ne_110m_admin_0_countries_slim.geojson"
POINTS_IN = "country_points_ne50m.csv"
POLYGONS_OUT = "ne_110m_countries.geojson"
POINTS_OUT = "ne_50m_country_points.csv"

# Two Natural Earth features have codes of their own that UN M49 does not list; UN
# statistics count both areas in the state named here, so the map does too.
M49_OWNER = {"SOL": "SOM", "CYN": "CYP"}

# 0.01 degree is about 1 km, far below what 1:110m linework resolves.
DECIMALS = 2


def _round_ring(ring: list[list[float]]) -> list[list[float]]:
    rounded: list[list[float]] = []
    for lon, lat in ring:
        point = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    return rounded


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def copy_polygons(source: Path, target: Path) -> int:
    """Write iso3, name and rounded rings of every 1:110m country; return the count."""
    document = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for feature in document["features"]:
        properties = feature["properties"]
        iso3 = M49_OWNER.get(properties["iso3"], properties["iso3"])
        polygons = [
            [_round_ring(ring) for ring in polygon]
            for polygon in _polygons(feature["geometry"])
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"iso3": iso3, "name": properties["NAME"]},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            }
        )
    features.sort(
        key=lambda item: (item["properties"]["iso3"], item["properties"]["name"])
    )
    output = {"type": "FeatureCollection", "features": features}
    text = json.dumps(output, ensure_ascii=False, separators=(",", ":"))
    # One feature per line keeps diffs of a later refresh readable.
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    target.write_text(text + "\n", encoding="utf-8")
    return len(features)


def copy_points(source: Path, target: Path) -> int:
    """Write the 1:50m representative point of every feature that has a code."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["iso3"]]
    rows.sort(key=lambda row: row["iso3"])
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["iso3", "name_naturalearth", "lon", "lat"])
        for row in rows:
            iso3 = M49_OWNER.get(row["iso3"], row["iso3"])
            writer.writerow([iso3, row["name_naturalearth"], row["lon"], row["lat"]])
    return len(rows)


def main(argv: list[str]) -> None:
    clean = (
        Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data" / "clean"
    )
    TARGET.mkdir(parents=True, exist_ok=True)
    polygons = copy_polygons(clean / POLYGONS_IN, TARGET / POLYGONS_OUT)
    points = copy_points(clean / POINTS_IN, TARGET / POINTS_OUT)
    print(f"wrote {polygons} polygons and {points} points to {TARGET}")


if __name__ == "__main__":
    main(sys.argv)
