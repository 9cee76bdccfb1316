"""Charts and locator maps: read what the real PDFs hold, and check the drawing rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf.generic import ArrayObject, DictionaryObject

from briefpack import charts, context, maps
from briefpack.charts import (
    build_profile_charts,
    migrant_stock_chart,
    partners_chart,
    refugees_chart,
    remittances_chart,
)
from briefpack.cli import main
from briefpack.errors import BriefError, ContentError, RenderError
from briefpack.maps import (
    MAPS_FOLDER,
    _anchor,
    _central_longitude,
    load_map_layers,
    locator_map,
)
from briefpack.plotting import ChartStyle, check_chart_font, value_texts
from briefpack.render import render_pack
from briefpack.spec import load_pack_spec
from briefpack.theme import load_theme

from .conftest import ROOT, page_texts, pdf_reader

# A large destination, a small island state with a 1:50m point, a territory with
# sparse data, a state Natural Earth does not place at either scale, and three whose
# labels once ran off the chart's edge (Mexico's 97.0% partner, "United Arab
# Emirates" as a line-end label) or whose name takes "the" (the Philippines).
COUNTRIES = ("USA", "MDV", "SHN", "TUV", "MEX", "ARE", "PHL")


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict[str, Path]:
    """Build one short pack per test country with the real project."""
    output = tmp_path_factory.mktemp("charts")
    country_flags = [flag for iso3 in COUNTRIES for flag in ("--country", iso3)]
    result = CliRunner().invoke(
        main,
        ["build", "--project", str(ROOT), "-o", str(output), *country_flags,
         "--module", "migration-governance", "--no-regional", "--meeting", "IOM Council",
         "--date", "2027-11-25", "--date-prepared", "2027-11-01", "--pack-id", "charts"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return {iso3: output / "charts" / f"charts_{iso3}_en.pdf" for iso3 in COUNTRIES}


@pytest.fixture(scope="module")
def style(project) -> ChartStyle:
    return ChartStyle.from_theme(load_theme(project.styles_dir, "default"))


MODULE_TITLE = "Global migration governance"


def _profile_pages(path: Path) -> list[str]:
    """Return the text of the country profile's pages, up to the first module."""
    texts = page_texts(path)
    start = next(i for i, text in enumerate(texts) if text.startswith("Country profile"))
    end = next(i for i, text in enumerate(texts) if i > start
               and text.startswith(MODULE_TITLE))
    return texts[start:end]


def _profile_text(path: Path) -> str:
    return " ".join(_profile_pages(path))


def _struct_elements(node, found: list[DictionaryObject]) -> list[DictionaryObject]:
    node = node.get_object()
    if isinstance(node, ArrayObject):
        for child in node:
            _struct_elements(child, found)
    elif isinstance(node, DictionaryObject):
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            _struct_elements(node["/K"], found)
    return found


def _figure_alts(path: Path) -> list[str]:
    root = pdf_reader(path).trailer["/Root"]["/StructTreeRoot"]
    return [str(element.get("/Alt", "")) for element in _struct_elements(root["/K"], [])
            if element["/S"] == "/Figure"]


def _xobject_subtypes(resources, seen: set[int]) -> list[str]:
    found = []
    xobjects = (resources or {}).get("/XObject") or {}
    for reference in xobjects.values():
        if reference.idnum in seen:
            continue
        seen.add(reference.idnum)
        xobject = reference.get_object()
        found.append(str(xobject["/Subtype"]))
        found.extend(_xobject_subtypes(xobject.get("/Resources"), seen))
    return found


# What the PDF holds -----------------------------------------------------------------


@pytest.mark.parametrize("iso3", COUNTRIES)
def test_charts_are_vector_drawings_without_raster_images(packs, iso3):
    reader = pdf_reader(packs[iso3])
    subtypes: list[str] = []
    seen: set[int] = set()
    for page in reader.pages:
        subtypes.extend(_xobject_subtypes(page.get("/Resources"), seen))
    assert "/Image" not in subtypes
    # WeasyPrint draws an SVG image as form XObjects of vector paths.
    assert "/Form" in subtypes


def test_axis_labels_and_source_lines_are_text(packs):
    text = _profile_text(packs["USA"])
    for label in ("Migrants (millions)", "% of population", "Share of total population",
                  "US$ (billions)", "% of GDP", "People (millions)", "Origins of immigrants",
                  "Destinations of emigrants", "Mexico", "10,853,105 (21.4%)"):
        assert label in text, label
    for source_line in (
        "Source: UN DESA, International Migrant Stock 2024, 2024 revision (2024).",
        "Source: UN DESA, International Migrant Stock 2020, 2020 revision (2020).",
        "Source: World Bank, World Development Indicators, US$ series of 1 July 2025",
        "Source: UNHCR, Refugee Population Statistics, end-2025 release (2026).",
        "Sources: Natural Earth, Admin 0 – Countries, 1:110m v5.1 and 1:50m v4.1.0",
    ):
        assert source_line in text, source_line


def test_chart_titles_state_years_and_bilateral_edition(packs):
    text = _profile_text(packs["USA"])
    assert "International migrant stock, 1990–2024" in text
    assert "Main origins of immigrants and destinations of emigrants, 2020" in text
    assert "not comparable with the 2024 totals" in text
    assert "Refugees and asylum-seekers, end of year, 2000–2025" in text


def test_alt_text_of_every_chart_and_the_map_is_in_the_structure_tree(packs):
    alts = _figure_alts(packs["USA"])
    charts = [alt for alt in alts if alt.startswith(("Chart of", "Map of"))]
    assert len(charts) == 5, alts
    joined = " ".join(charts)
    assert "Chart of international migrants in the United States of America." in joined
    assert "Number: 23,266,147 in 1990, 52,375,047 in 2024." in joined
    assert "Mexico 10,853,105 (21.4%)" in joined
    assert ("Chart of personal remittances received by the United States of America."
            in joined)
    assert "Chart of refugees and asylum-seekers" in joined
    assert "Hosted in the United States of America:" in joined
    assert ("Map of Northern America with the United States of America highlighted."
            in joined)


def test_missing_series_get_a_no_data_note_and_no_chart(packs):
    text = _profile_text(packs["SHN"])
    name = "Saint Helena, Ascension and Tristan da Cunha"
    assert f"No data: the World Bank reports no personal remittances received for {name}." in text
    assert ("No data: UNHCR records no refugees or asylum-seekers hosted in or originating"
            f" from {name}.") in text
    # Only the charts with data are drawn: migrant stock, partners and the map.
    alts = [alt for alt in _figure_alts(packs["SHN"])
            if alt.startswith(("Chart of", "Map of"))]
    assert len(alts) == 3, alts
    assert not any("remittances" in alt or "Hosted in" in alt for alt in alts)
    # A chart without data has no source line either.
    assert "Source: World Bank" not in text


def test_small_island_state_gets_a_marker(packs):
    alts = " ".join(_figure_alts(packs["MDV"]))
    assert "Map of Southern Asia with the Maldives highlighted." in alts
    # The name starts the sentence, so its article is capitalised.
    assert "The Maldives is marked with a ringed dot" in alts
    usa = " ".join(_figure_alts(packs["USA"]))
    assert "marked with a ringed dot" not in usa


def test_marker_is_drawn_and_labelled_in_the_map(project, style):
    chart = locator_map(project.countries.get("MDV"), project.countries, style, str)
    assert ">Maldives</text>" in chart.svg
    # The ring: an unfilled circle in the highlight colour, around a filled dot.
    assert 'style="fill-opacity: 0; stroke: #1d4b5a' in chart.svg
    assert chart.svg.count("<use") >= 2


def test_area_without_map_position_gets_a_note_not_a_map(packs):
    text = _profile_text(packs["TUV"])
    assert ("No map: the Natural Earth layers used here show no polygon or point for"
            " Tuvalu.") in text
    assert not any(alt.startswith("Map of") for alt in _figure_alts(packs["TUV"]))
    assert "Map for orientation only" not in text


def test_map_has_boundary_disclaimer_and_natural_earth_is_cited(packs):
    texts = page_texts(packs["USA"])
    profile = _profile_text(packs["USA"])
    assert "Map for orientation only." in profile
    annex = texts[-1]
    assert "Natural Earth" in annex and "Public domain" in annex


def test_chart_words_put_the_article_before_names_that_take_it(packs):
    text = _profile_text(packs["PHL"])
    for phrase in ("Hosted in the Philippines", "Originating from the Philippines",
                   "Location: the Philippines within South-eastern Asia"):
        assert phrase in text, phrase
    assert "in Philippines" not in text and "from Philippines" not in text
    assert "Hosted in the United Arab Emirates" in _profile_text(packs["ARE"])


def test_long_labels_print_whole(packs):
    # Extracted text keeps glyphs that a chart's edge hides, so this only shows the
    # words are all there; test_chart_text_stays_inside_... checks they have room.
    mex = _profile_text(packs["MEX"])
    assert "10,853,105 (97.0%)" in mex
    assert "Central America 1.7%" in mex
    assert "United Arab Emirates 74.0%" in _profile_text(packs["ARE"])


def test_remittance_heading_and_panels_name_the_years_drawn(packs):
    # Mexico's US$ series runs 1990-2024, its share of GDP only 2005-2023.
    text = _profile_text(packs["MEX"])
    assert "Personal remittances received, 1990–2024" in text
    assert "In current US dollars, 1990–2024" in text
    assert "As a share of GDP, 2005–2023" in text


@pytest.mark.parametrize("iso3", COUNTRIES)
def test_profile_stays_about_two_pages(packs, iso3):
    assert len(_profile_pages(packs[iso3])) <= 2


# Drawing rules -----------------------------------------------------------------------


def test_chart_svg_keeps_text_as_text_in_the_theme_font(project, style):
    charts = build_profile_charts(project.countries.get("SEN"), project.countries, style,
                                  str)
    for chart in charts:
        assert chart.svg is not None
        assert "<text" in chart.svg and "font-family: 'Noto Sans'" in chart.svg
        assert "<image" not in chart.svg
        assert chart.data_uri.startswith("data:image/svg+xml;base64,")


def test_chart_svg_is_byte_identical_between_runs(project, style):
    country = project.countries.get("MDV")
    first = [c.svg for c in build_profile_charts(country, project.countries, style, str)]
    second = [c.svg for c in build_profile_charts(country, project.countries, style, str)]
    assert first == second
    assert all("<dc:date>" not in svg for svg in first if svg)
    map_svg = locator_map(country, project.countries, style, str).svg
    assert map_svg == locator_map(country, project.countries, style, str).svg


def test_partner_chart_draws_only_the_side_with_data(project, style):
    country = project.countries.get("SEN")
    one_sided = dataclasses.replace(country, top_destinations=())
    chart = partners_chart(one_sided, style, str)
    assert chart.panels == 1
    assert chart.note == "Destinations of emigrants: no data."


# Room for every word ----------------------------------------------------------------

# Countries whose labels once ran off a chart, hid behind a bar or lay on each other:
# long partner names and values (MEX, ITA, CUW), a last value beside a taller bar
# (KWT, TUV), long line-end labels (ARE, USA), a long map label (SGS).
LAYOUT_COUNTRIES = ("MEX", "KWT", "ARE", "PHL", "SEN", "TUV", "USA", "ITA", "CUW",
                    "SGS", "SHN")


def _drawn_texts(figure) -> list:
    """Return the figure's text artists that are drawn, tick labels included."""
    texts = list(figure.texts)
    for ax in figure.axes:
        texts.extend(ax.texts)
        if not ax.axison:
            continue
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.get_visible():
                continue
            low, high = sorted(axis.get_view_interval())
            texts.extend(tick.label1 for tick in axis.get_major_ticks()
                         if low - 1e-9 <= tick.get_loc() <= high + 1e-9)
            texts.append(axis.label)
    return [text for text in texts if text.get_visible() and text.get_text().strip()]


def _layout_problems(figure, check_lines: bool = True) -> list[str]:
    """Return text that leaves the figure, overlaps other text, or lies on a bar or on
    a line, measured as the SVG backend lays it out (in points)."""
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox

    # Drawing once sets the tick labels as the SVG shows them.
    figure.savefig(io.StringIO(), format="svg")
    width, height = figure.get_figwidth() * 72, figure.get_figheight() * 72
    renderer = RendererSVG(width, height, io.StringIO())
    dpi = figure.dpi
    figure.set_dpi(72)
    problems = []
    try:
        boxes = [(text, text.get_window_extent(renderer)) for text in _drawn_texts(figure)]
        for text, box in boxes:
            if box.x0 < -0.3 or box.y0 < -0.3 or box.x1 > width + 0.3 or box.y1 > height + 0.3:
                problems.append(f"{text.get_text()!r} leaves the figure")
        for index, (first, one) in enumerate(boxes):
            for second, other in boxes[index + 1:]:
                both = Bbox.intersection(one, other)
                if both is not None and both.width > 0.5 and both.height > 0.5:
                    problems.append(f"{first.get_text()!r} overlaps {second.get_text()!r}")
        for ax in figure.axes:
            bars = [patch.get_window_extent(renderer) for patch in ax.patches
                    if isinstance(patch, Rectangle)]
            for text in ax.texts:
                box = text.get_window_extent(renderer)
                inner = Bbox.from_extents(box.x0 + 0.3, box.y0 + 0.5, box.x1 - 0.3,
                                          box.y1 - 0.5)
                # A label written inside its bar is white on purpose.
                if text.get_color() != "white" and any(
                        (both := Bbox.intersection(inner, bar)) is not None
                        and both.width > 0 and both.height > 0 for bar in bars):
                    problems.append(f"{text.get_text()!r} lies on a bar")
                if check_lines and any(
                        line.get_path().transformed(line.get_transform())
                        .intersects_bbox(inner, filled=False) for line in ax.lines):
                    problems.append(f"{text.get_text()!r} lies on a line")
    finally:
        figure.set_dpi(dpi)
    return problems


def test_layout_check_finds_text_off_the_edge_and_on_a_bar():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    ax = figure.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.bar([0], [1])
    ax.set_xlim(-1, 1)
    ax.set_ylim(0, 2)
    ax.text(0, 0.5, "hidden by the bar")
    ax.text(0.9, 1.5, "far too long to fit at the right edge")
    problems = " ".join(_layout_problems(figure))
    assert "'hidden by the bar' lies on a bar" in problems
    assert "'far too long to fit at the right edge' leaves the figure" in problems


@pytest.mark.parametrize("iso3", LAYOUT_COUNTRIES)
def test_chart_text_stays_inside_the_chart_and_clear_of_bars_lines_and_text(
        project, style, monkeypatch, iso3):
    problems: list[str] = []
    real = charts.figure_svg

    def checked(kind):
        def figure_svg(figure):
            # Map labels may lie on coastlines and other members' dots.
            found = _layout_problems(figure, check_lines=kind != "map")
            problems.extend(f"{kind}: {problem}" for problem in found)
            return real(figure)
        return figure_svg

    monkeypatch.setattr(charts, "figure_svg", checked("chart"))
    monkeypatch.setattr(maps, "figure_svg", checked("map"))
    country = project.countries.get(iso3)
    build_profile_charts(country, project.countries, style, str)
    locator_map(country, project.countries, style, str)
    assert problems == []


def _svg_texts(svg: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_bar_numbers_share_one_format():
    assert value_texts([0.7, 1.0, 1.1, 3.0, 3.3]) == ["0.7", "1.0", "1.1", "3.0", "3.3"]
    assert value_texts([3.7, 4.2, 12.3]) == ["3.7", "4.2", "12.3"]
    assert value_texts([23.4, 52.0, 1234.0]) == ["23", "52", "1,234"]
    # A small bar keeps a digit that is not zero, and every bar gets as many.
    assert value_texts([0.04, 5.2]) == ["0.04", "5.20"]
    # People counted one by one have no decimals.
    assert value_texts([5.0, 318.0], whole=True) == ["5", "318"]


def test_migrant_bars_print_every_number_with_the_same_decimals(project, style):
    kuwait = _svg_texts(migrant_stock_chart(project.countries.get("KWT"),
                                            project.countries, style, str).svg)
    assert {"1.1", "3.0", "3.3"} <= set(kuwait) and "3" not in kuwait
    mexico = _svg_texts(migrant_stock_chart(project.countries.get("MEX"),
                                            project.countries, style, str).svg)
    assert {"1.0", "1.1"} <= set(mexico) and "1" not in mexico


def test_last_remittance_value_sits_above_a_taller_bar_and_names_its_year(project,
                                                                          style):
    # Kuwait's 2021 bar is forty times its 2024 one; the label sits above it.
    texts = _svg_texts(remittances_chart(project.countries.get("KWT"), style, str).svg)
    assert "2024: 20.4 million" in texts
    # Where the last bar is the tallest around, the number alone.
    assert "67.64 billion" in _svg_texts(
        remittances_chart(project.countries.get("MEX"), style, str).svg)


def test_remittance_years_cover_what_each_panel_draws(project, style):
    mexico = project.countries.get("MEX")
    chart = remittances_chart(mexico, style, str)
    assert chart.title == "Personal remittances received, 1990–2024"
    texts = _svg_texts(chart.svg)
    assert "In current US dollars, 1990–2024" in texts
    assert "As a share of GDP, 2005–2023" in texts
    # Panels spanning the same years leave the years to the heading.
    same = dataclasses.replace(mexico, remittances_usd_series=tuple(
        point for point in mexico.remittances_usd_series if 2005 <= point.year <= 2023))
    chart = remittances_chart(same, style, str)
    assert chart.title == "Personal remittances received, 2005–2023"
    texts = _svg_texts(chart.svg)
    assert "In current US dollars" in texts and "As a share of GDP" in texts


def test_names_inside_phrases_take_their_article(project, style):
    philippines = project.countries.get("PHL")
    chart = refugees_chart(philippines, style, str)
    texts = _svg_texts(chart.svg)
    assert "Hosted in the Philippines" in texts
    assert "Originating from the Philippines" in texts
    assert "Hosted in the Philippines:" in chart.alt
    none = dataclasses.replace(
        philippines, refugees_hosted_series=(), refugees_from_series=(),
        asylum_seekers_hosted_series=(), asylum_seekers_from_series=())
    assert refugees_chart(none, style, str).note.endswith(
        "hosted in or originating from the Philippines.")
    emirates = project.countries.get("ARE")
    assert "Hosted in the United Arab Emirates" in _svg_texts(
        refugees_chart(emirates, style, str).svg)
    assert (locator_map(philippines, project.countries, style, str).title
            == "Location: the Philippines within South-eastern Asia")
    # A label is a bare name: the line-end label and the partner bars.
    stock = _svg_texts(migrant_stock_chart(philippines, project.countries, style,
                                           str).svg)
    assert "Philippines 0.08%" in stock
    caribbean = locator_map(project.countries.get("CUW"), project.countries, style, str)
    assert caribbean.title == "Location: Curaçao within the Caribbean"


def test_missing_theme_font_fails_loudly():
    with pytest.raises(BriefError, match="not installed"):
        check_chart_font("No Such Font Family 12345")


def test_antimeridian_area_stays_whole(project, style):
    layers = load_map_layers(project.countries.folder / MAPS_FOLDER)
    fiji = project.countries.get("FJI")
    centre = _central_longitude(
        [_anchor(member.iso3, layers) for member in project.countries.in_area("Melanesia")]
    )
    assert 140 < centre < 180
    chart = locator_map(fiji, project.countries, style, str)
    assert chart.svg is not None and "marked" not in chart.alt


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (["#1d4b5a", "#2a5868", "#b0bcc4"], "series\\[1\\].*lighter than series\\[0\\]"),
        (["#1d4b5a", "#c77d1a", "#c08040"], "series\\[2\\].*lighter than series\\[1\\]"),
        (["#1d4b5a", "#c77d1a", "white"], "series"),
    ],
)
def test_theme_chart_colours_must_stay_apart_in_greyscale(project_copy, series, message):
    path = project_copy / "styles" / "themes" / "default" / "theme.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"series: \[.*\]", f"series: {series!r}".replace("'", '"'), text)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=message):
        load_theme(project_copy / "styles", "default")


def _fontconfig_has(family: str) -> bool:
    found = subprocess.run(["fc-list", f":family={family}", "family"],
                           capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


@pytest.mark.skipif(not _fontconfig_has("DejaVu Sans"), reason="needs a second font")
def test_chart_text_in_a_font_outside_the_theme_fails_the_build(project, monkeypatch):
    # The font check reads every font in the PDF, the charts' included.
    original = context.ChartStyle.from_theme

    def foreign_font(theme):
        return dataclasses.replace(original(theme), font="DejaVu Sans")

    monkeypatch.setattr(context.ChartStyle, "from_theme", staticmethod(foreign_font))
    spec = load_pack_spec(ROOT / "briefs" / "packs" / "idm-2027-senegal.yaml", project)
    with pytest.raises(RenderError, match="DejaVu"):
        render_pack(project, spec, "SEN", "en", dt.date(2027, 3, 1))
