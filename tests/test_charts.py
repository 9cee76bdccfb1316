"""Charts and locator maps: read what the real PDFs hold, and check the drawing rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf.generic import ArrayObject, DictionaryObject

from briefpack import context
from briefpack.charts import build_profile_charts, partners_chart
from briefpack.cli import main
from briefpack.errors import BriefError, ContentError, RenderError
from briefpack.maps import (
    MAPS_FOLDER,
    _anchor,
    _central_longitude,
    load_map_layers,
    locator_map,
)
from briefpack.plotting import ChartStyle, check_chart_font
from briefpack.render import render_pack
from briefpack.spec import load_pack_spec
from briefpack.theme import load_theme

from .conftest import ROOT, page_texts, pdf_reader

# A large destination, a small island state with a 1:50m point, a territory with
# sparse data, and a state Natural Earth does not place at either scale.
COUNTRIES = ("USA", "MDV", "SHN", "TUV")


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
    assert "Chart of international migrants in United States of America." in joined
    assert "Number: 23,266,147 in 1990, 52,375,047 in 2024." in joined
    assert "Mexico 10,853,105 (21.4%)" in joined
    assert "Chart of personal remittances received by United States of America." in joined
    assert "Chart of refugees and asylum-seekers" in joined
    assert "Hosted in United States of America:" in joined
    assert "Map of Northern America with United States of America highlighted." in joined


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
    assert "Map of Southern Asia with Maldives highlighted." in alts
    assert "Maldives is marked with a ringed dot" in alts
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
