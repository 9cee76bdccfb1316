"""Measure what charts and the locator map cost against rendering the whole pack.

Run from the project folder, after ``./scripts/test.sh`` has made ``.venv``:

    .venv/bin/python benchmarks/charts.py [--repeat N] [ISO3 ...]

For each country it renders the Senegal example spec's pack (same modules, that
country's data) and prints the shortest CPU time of N runs of each step (CPU time and
the shortest run, because other work on a shared machine only ever adds time):

- ``charts``: drawing the profile's charts and the locator map to SVG (matplotlib),
  the step this budget is about;
- ``pack``: the whole pack, from spec to checked PDF bytes, charts included;
- ``bare``: the same pack with every chart and the map replaced by its no-data note,
  so ``pack - bare`` is everything the charts add, WeasyPrint's drawing included.

It also times, in a fresh process, importing matplotlib and drawing the first chart,
a cost paid once per process (once per batch), not once per pack. This is a benchmark,
not a test: it prints ratios and exits 0; the budget is 15% of the pack.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from briefpack import context
from briefpack.charts import build_profile_charts
from briefpack.i18n import get_translations
from briefpack.maps import locator_map
from briefpack.plotting import Chart, ChartStyle
from briefpack.project import Project
from briefpack.render import render_pack
from briefpack.spec import load_pack_spec
from briefpack.theme import load_theme

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "briefs" / "packs" / "idm-2027-senegal.yaml"
COUNTRIES = ("SEN", "USA", "MDV", "SHN")
BUDGET = 0.15
PREPARED_ON = dt.date(2027, 3, 1)

COLD_START = """
import time
from pathlib import Path
from briefpack.charts import migrant_stock_chart
from briefpack.plotting import ChartStyle
from briefpack.project import Project
from briefpack.theme import load_theme
project = Project(Path({root!r}))
data = project.countries
style = ChartStyle.from_theme(load_theme(project.styles_dir, "default"))
loaded = time.process_time()
migrant_stock_chart(data.get("SEN"), data, style, str)
print(time.process_time() - loaded)
"""


def best_seconds(action: Callable[[], object], repeat: int) -> float:
    """Return the shortest CPU time of ``repeat`` runs, after one warm-up run."""
    action()
    times = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        times.append(time.process_time() - started)
    return min(times)


def draw_charts(project: Project, style: ChartStyle, iso3: str) -> list[Chart]:
    """Draw everything the profile shows for one country, as the build does."""
    data = project.countries
    country = data.get(iso3)
    translate = get_translations("en").gettext
    charts = build_profile_charts(country, data, style, translate)
    return [locator_map(country, data, style, translate), *charts]


def without_drawings(charts: list[Chart]) -> list[Chart]:
    """Return the charts with their SVG replaced by a note, as for missing data."""
    return [dataclasses.replace(chart, svg=None, note="no data") for chart in charts]


def measure(project: Project, iso3: str, repeat: int) -> dict[str, float]:
    spec = load_pack_spec(SPEC, project)
    style = ChartStyle.from_theme(load_theme(project.styles_dir, spec.theme))

    def pack() -> bytes:
        return render_pack(project, spec, iso3, "en", PREPARED_ON).pdf

    seconds = {
        "charts": best_seconds(lambda: draw_charts(project, style, iso3), repeat),
        "pack": best_seconds(pack, repeat),
    }
    with (
        mock.patch.object(
            context,
            "build_profile_charts",
            lambda *args: without_drawings(build_profile_charts(*args)),
        ),
        mock.patch.object(
            context,
            "locator_map",
            lambda *args: without_drawings([locator_map(*args)])[0],
        ),
    ):
        seconds["bare"] = best_seconds(pack, repeat)
    return seconds


def cold_start_seconds() -> float:
    """Return import-and-first-chart time in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", COLD_START.format(root=str(ROOT))],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("countries", nargs="*", default=COUNTRIES, metavar="ISO3")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement.")
    args = parser.parse_args()
    project = Project(ROOT)
    print(
        f"{'country':8} {'charts s':>9} {'pack s':>8} {'bare s':>8}"
        f" {'charts/pack':>12} {'(pack-bare)/pack':>17}"
    )
    ratios = []
    for iso3 in args.countries:
        seconds = measure(project, iso3.upper(), args.repeat)
        own = seconds["charts"] / seconds["pack"]
        added = max(0.0, seconds["pack"] - seconds["bare"]) / seconds["pack"]
        ratios.append(own)
        print(
            f"{iso3.upper():8} {seconds['charts']:9.3f} {seconds['pack']:8.3f}"
            f" {seconds['bare']:8.3f} {own:12.1%} {added:17.1%}"
        )
    worst = max(ratios)
    verdict = "within" if worst <= BUDGET else "OVER"
    print(f"worst charts/pack: {worst:.1%}, {verdict} the {BUDGET:.0%} budget")
    print(
        f"once per process: import matplotlib and draw a first chart:"
        f" {cold_start_seconds():.2f} s"
    )


if __name__ == "__main__":
    main()
