"""End-to-end: build real packs and read what is in the PDFs."""

from __future__ import annotations

import csv
import re

import pytest
from pypdf.generic import NameObject

from briefpack.formatting import format_count, format_percent, format_usd

from .conftest import ROOT, page_texts, pdf_reader


def _latest_row(iso3: str) -> dict[str, str]:
    path = ROOT / "briefs" / "countries" / "country_latest.csv"
    with path.open(encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["iso3"] == iso3)


def test_build_prints_each_written_path(built):
    printed = [line for line in built["stdout"].splitlines() if line.endswith(".pdf")]
    assert sorted(printed) == sorted(
        str(built[key]) for key in ("senegal", "colombia", "flags")
    )
    for key in ("senegal", "colombia", "flags"):
        assert built[key].read_bytes().startswith(b"%PDF-")


def test_senegal_pack_prints_real_figures_with_years(built):
    text = " ".join(page_texts(built["senegal"]))
    row = _latest_row("SEN")
    assert "Senegal" in text
    assert format_count(float(row["undesa_migrant_stock_2024"])) in text  # 281,867
    assert format_count(float(row["undesa_emigrant_stock_2024"])) in text
    assert format_percent(float(row["undesa_migrant_share_pct_2024"])) in text
    assert format_usd(float(row["remittances_received_usd"])) in text
    assert "mid-2024" in text and "end-2025" in text


def test_every_chosen_module_title_appears(built, project):
    text = " ".join(page_texts(built["senegal"]))
    for module_id in ("global-overview", "remittances-development", "labour-migration"):
        assert project.modules.get(module_id).meta.title in text
    # The country's regional module is added on its own.
    assert project.modules.get("regional-africa").meta.title in text


def test_missing_value_prints_no_data_not_zero(built, project):
    # Colombia has no remittances share of GDP for the sub-region; the cell says so.
    text = " ".join(page_texts(built["colombia"]))
    assert "no data" in text
    country = project.countries.get("COL")
    assert country.figures["remittances_usd"].has_value


def test_metadata(built):
    reader = pdf_reader(built["senegal"])
    info = reader.metadata
    assert info.title == "Remittances and labour mobility: Senegal"
    assert info.author == "Migration Policy Briefing Unit"
    assert "International Dialogue on Migration" in info.subject
    assert "Senegal" in info.get("/Keywords", "")
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_pdf_is_tagged(built):
    root = pdf_reader(built["senegal"]).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert NameObject("/StructTreeRoot") in root


def _outline_titles(outline, parent="") -> list[tuple[str, str]]:
    titles: list[tuple[str, str]] = []
    last = ""
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item, last))
        else:
            last = item.title
            titles.append((parent, item.title))
    return titles


def test_bookmarks_follow_headings_without_duplicates(built, project):
    reader = pdf_reader(built["senegal"])
    titles = _outline_titles(reader.outline)
    assert len(titles) == len(set(titles)), "a heading has two bookmarks"
    top = [title for parent, title in titles if parent == ""]
    assert top[:3] == ["Contents", "At a glance", "Country profile: Senegal"]
    assert top[-1] == "Sources"
    assert project.modules.get("labour-migration").meta.title in top


def test_toc_page_numbers_match_where_sections_start(built):
    texts = page_texts(built["senegal"])
    contents = next(text for text in texts if text.startswith("Contents"))
    entries = re.findall(r"([A-Z][^.]*?)\s*\.{3,}\s*(\d+)", contents.removeprefix("Contents"))
    assert len(entries) >= 6
    for title, number in entries:
        title = title.strip()
        page_text = texts[int(number) - 1]
        # pypdf yields the page body first and the margin boxes last.
        assert page_text.startswith(title), f"{title!r} does not start page {number}"


def test_page_x_of_y_and_running_header(built):
    texts = page_texts(built["senegal"])
    total = len(texts)
    for number, text in enumerate(texts[1:], start=2):
        assert f"Page {number} of {total}" in text
        assert "Remittances and labour mobility: Senegal" in text
        assert "FOR OFFICIAL USE ONLY" in text


def test_fonts_are_the_themes_embedded_and_subset(built):
    reader = pdf_reader(built["senegal"])
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert names
    for name in names:
        prefix, _, family = name.lstrip("/").partition("+")
        assert len(prefix) == 6, f"{name} is not subset"
        assert family.startswith(("Noto-Serif", "Noto-Sans", "NotoSerif", "NotoSans"))


def test_paper_sizes(built):
    a4 = pdf_reader(built["senegal"]).pages[0].mediabox
    letter = pdf_reader(built["colombia"]).pages[0].mediabox
    assert (round(a4.width), round(a4.height)) == (595, 842)
    assert (round(letter.width), round(letter.height)) == (612, 792)


def test_flag_form_builds_the_same_kind_of_pack(built, project):
    text = " ".join(page_texts(built["flags"]))
    assert "Switzerland" in text and "IOM Council" in text
    assert "25 November 2027" in text and "Palais des Nations, Geneva" in text
    assert project.modules.get("migrant-health").meta.title in text
    assert "UNCLASSIFIED" in text


def test_sources_annex_lists_every_cited_source(built):
    texts = page_texts(built["senegal"])
    annex_start = max(i for i, text in enumerate(texts) if text.startswith("Sources"))
    annex = " ".join(texts[annex_start:])
    cited = {int(n) for text in texts[:annex_start] for n in re.findall(r"\[(\d+)\]", text)}
    assert cited
    for number in cited:
        assert re.search(rf"(^|\s){number}\.\s", annex), f"source {number} not in annex"
    assert "International Migrant Stock 2024" in annex


@pytest.mark.parametrize("key", ["senegal", "colombia", "flags"])
def test_packs_stay_small_enough_to_email(built, key):
    assert built[key].stat().st_size < 2_000_000
