"""Assemble the plain data a pack template needs; templates only loop and choose.

Everything printed is decided here: which figures, in which order, with which year and
source number, and which module passages apply to the country.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from .charts import build_profile_charts
from .countries import Country, CountryData, Figure, Source
from .errors import ContentError
from .formatting import format_compact, format_count
from .i18n import Translator
from .maps import locator_map, map_area
from .modules import BriefModule, fill_country_passages, markdown_to_html
from .plotting import Chart, ChartStyle
from .reference import GCM_OBJECTIVES
from .spec import PackSpec
from .theme import Theme

# Figures on the at-a-glance page, in order.
GLANCE_FIGURES = (
    "migrant_stock",
    "migrant_share",
    "emigrant_stock",
    "refugees_hosted",
    "refugees_from",
    "remittances_usd",
    "remittances_pct_gdp",
)

# Figures compared with the sub-region and the world in the country profile.
COMPARED_FIGURES = ("migrant_share", "female_share_of_migrants", "remittances_pct_gdp")


@dataclass
class CitedSource:
    """A source in the annex, numbered in order of first citation."""

    number: int
    source_id: str
    publisher: str
    title: str
    year: int
    url: str
    licence: str = ""

    @property
    def anchor(self) -> str:
        return f"source-{self.number}"


@dataclass
class Citations:
    """Number sources in order of first use across the whole pack."""

    data_sources: dict[str, Source]
    numbered: dict[str, CitedSource] = field(default_factory=dict)

    def number(self, source_id: str, brief_module: BriefModule | None = None) -> int:
        if source_id not in self.numbered:
            self.numbered[source_id] = self._describe(source_id, brief_module)
        return self.numbered[source_id].number

    def formatter(self, brief_module: BriefModule | None) -> Callable[[list[str]], str]:
        """Return the function that turns cited ids into reference links."""

        def cite(source_ids: list[str]) -> str:
            links = []
            for source_id in source_ids:
                number = self.number(source_id, brief_module)
                links.append(f'<a class="cite-link" href="#source-{number}">{number}</a>')
            return f'<span class="cite">[{", ".join(links)}]</span>'

        return cite

    def _describe(self, source_id: str, brief_module: BriefModule | None) -> CitedSource:
        number = len(self.numbered) + 1
        if brief_module is not None:
            for entry in brief_module.meta.sources:
                if entry.id == source_id:
                    return CitedSource(number, entry.id, entry.publisher, entry.title,
                                       entry.year, entry.url)
        data_source = self.data_sources.get(source_id)
        if data_source is not None:
            return CitedSource(number, data_source.id, data_source.publisher,
                               data_source.title, data_source.year, data_source.url,
                               data_source.licence)
        where = brief_module.path if brief_module else "country data"
        raise ContentError(
            [f"{where}: citation [@{source_id}] does not match any source id"]
        )

    @property
    def annex(self) -> list[CitedSource]:
        return sorted(self.numbered.values(), key=lambda source: source.number)


def figure_year_text(figure: Figure, translate: Translator) -> str:
    """Return the reference date of a figure as printed: mid-2024, end-2025, 2023."""
    if figure.year is None:
        return ""
    if figure.source_id.startswith("undesa"):
        return translate("mid-{year}").format(year=figure.year)
    if figure.source_id.startswith("unhcr"):
        return translate("end-{year}").format(year=figure.year)
    return str(figure.year)


def passage_values(country: Country, data: CountryData) -> dict[str, str]:
    """Return the placeholder values country-aware passages may use ("" if missing)."""
    figures = country.figures
    values = {key: figure.text if figure.has_value else "" for key, figure in figures.items()}
    for key in ("migrant_stock", "emigrant_stock", "refugees_hosted", "refugees_from"):
        value = figures[key].value
        values[key] = format_count(value) if value is not None else ""
    values["remittances_usd_year"] = str(figures["remittances_usd"].year or "")
    values["remittances_pct_gdp_year"] = str(figures["remittances_pct_gdp"].year or "")
    area = data.area_figure(country.comparison_area, "migrant_share")
    world = data.world.get("migrant_share")
    values.update(
        country_name=country.name_in_text,
        region=country.region,
        sub_region=country.comparison_area,
        sub_region_migrant_share=area.text if area and area.has_value else "",
        world_migrant_share=world.text if world else "",
    )
    return values


PASSAGE_PLACEHOLDERS = frozenset(
    {
        *("migrant_stock", "migrant_share", "female_share_of_migrants", "emigrant_stock"),
        *("refugees_hosted", "asylum_seekers_hosted", "refugees_from"),
        *("asylum_seekers_from", "idps", "remittances_usd", "remittances_usd_year"),
        *("remittances_pct_gdp", "remittances_pct_gdp_year", "population"),
        *("country_name", "region", "sub_region", "sub_region_migrant_share"),
        "world_migrant_share",
    }
)


def select_modules(
    spec: PackSpec, country: Country | None, modules, lang: str
) -> list[BriefModule]:
    """Return the pack's modules in order, with the country's regional module added."""
    chosen = [modules.get(module_id, lang) for module_id in spec.modules]
    if not spec.include_regional or country is None:
        return chosen
    regional = modules.regional_for(country.area_names, lang)
    if regional is None or regional.module_id in spec.modules:
        return chosen
    position = 1 if chosen and chosen[0].module_id == "global-overview" else 0
    return [*chosen[:position], regional, *chosen[position:]]


def build_module_section(
    brief_module: BriefModule,
    values: dict[str, str] | None,
    citations: Citations,
    linked_modules: set[str] = frozenset(),
) -> dict:
    cite = citations.formatter(brief_module)
    meta = brief_module.meta
    body = fill_country_passages(brief_module.body, values)
    return {
        "id": meta.id,
        "anchor": f"module-{meta.id}",
        "title": meta.title,
        "summary": markdown_to_html(meta.summary, cite, inline=True),
        "key_messages": [markdown_to_html(text, cite, inline=True)
                         for text in meta.key_messages],
        "body": markdown_to_html(body, cite, linked_modules=linked_modules),
        "policy_options": [markdown_to_html(text, cite, inline=True)
                           for text in meta.policy_options],
        "gcm_objectives": [(number, GCM_OBJECTIVES[number])
                           for number in meta.gcm_objectives],
        "sdg_targets": list(meta.sdg_targets),
        "reviewed": meta.reviewed,
        "tags": list(meta.tags),
    }


def build_figure_row(
    figure: Figure, citations: Citations, translate: Translator
) -> dict:
    return {
        "key": figure.key,
        "label": translate(figure.label),
        "value": figure.text if figure.has_value else translate("no data"),
        "has_value": figure.has_value,
        "year": figure_year_text(figure, translate),
        "source": citations.number(figure.source_id) if figure.has_value else None,
    }


def build_country_context(
    country: Country, data: CountryData, citations: Citations, translate: Translator
) -> dict:
    figures = country.figures
    rows = {key: build_figure_row(figure, citations, translate)
            for key, figure in figures.items()}
    comparisons = []
    for key in COMPARED_FIGURES:
        area = data.area_figure(country.comparison_area, key)
        world = data.world.get(key)
        comparisons.append({
            "country": rows[key],
            "area": _cell(area, citations, translate),
            "world": _cell(world, citations, translate),
        })
    return {
        "iso3": country.iso3,
        "anchor": f"profile-{country.iso3.lower()}",
        "name": country.name,
        "region": country.region,
        "sub_region": country.sub_region,
        "comparison_area": country.comparison_area,
        "income_group": country.income_group or translate("no data"),
        "figures": rows,
        "glance": [rows[key] for key in GLANCE_FIGURES],
        "comparisons": comparisons,
        "m49_source": citations.number("un-m49"),
        "has_migration_data": country.has_migration_data,
    }


def source_line(source_ids: Sequence[str], data: CountryData,
                translate: Translator) -> str:
    """Return "Source: publisher, title, edition (year)." for a chart's data sources."""
    described = []
    for source_id in source_ids:
        source = data.sources[source_id]
        edition = f", {source.edition}" if source.edition else ""
        described.append(f"{source.short}{edition} ({source.year})")
    label = translate("Source") if len(described) == 1 else translate("Sources")
    return f"{label}: {'; '.join(described)}."


def build_chart_context(
    chart: Chart, data: CountryData, citations: Citations, translate: Translator
) -> dict:
    """Return what the template prints for one chart: image, words, citations."""
    drawn = chart.svg is not None
    return {
        "key": chart.key,
        "title": chart.title,
        "uri": chart.data_uri,
        "alt": chart.alt,
        "note": chart.note,
        "single": chart.panels == 1,
        "source_line": source_line(chart.source_ids, data, translate) if drawn else "",
        "sources": sorted(citations.number(source_id) for source_id in chart.source_ids)
        if drawn else [],
        "legend": chart.caption if drawn else "",
        "disclaimer": "",
    }


def build_map_context(
    country: Country, data: CountryData, style: ChartStyle, citations: Citations,
    translate: Translator,
) -> dict:
    """Return the locator map's context, with its legend and boundary disclaimer."""
    chart = build_chart_context(locator_map(country, data, style, translate), data,
                                citations, translate)
    chart["legend"] = translate(
        "Darkest: {name}. Middle tone and dots: other countries and areas of {area}"
        " (UN M49). Lightest: other land."
    ).format(name=country.name, area=map_area(country)) if chart["uri"] else ""
    chart["disclaimer"] = translate(
        "Map for orientation only. Lines follow the de facto boundaries of Natural"
        " Earth; they are not authoritative, and drawing them implies no position of"
        " the preparing organisation on the status of any territory or on where any"
        " border runs."
    ) if chart["uri"] else ""
    return chart


def _cell(figure: Figure | None, citations: Citations, translate: Translator) -> dict:
    if figure is None or not figure.has_value:
        return {"value": translate("no data"), "has_value": False, "year": "",
                "source": None}
    return build_figure_row(figure, citations, translate)


def format_date(value: dt.date, translate: Translator) -> str:
    """Return ``16 March 2027`` in the pack's language."""
    month = translate(value.strftime("%B"))
    return f"{value.day} {month} {value.year}"


def format_date_range(start: dt.date, end: dt.date | None, translate: Translator) -> str:
    if end is None or end == start:
        return format_date(start, translate)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, translate)}"
    return f"{format_date(start, translate)} – {format_date(end, translate)}"


def build_profile_context(
    country: Country,
    data: CountryData,
    theme: Theme,
    citations: Citations,
    translate: Translator,
) -> dict:
    """Return a country's profile: figures, comparisons, locator map and charts."""
    country_context = build_country_context(country, data, citations, translate)
    # Built after the figures so that citation numbers follow the page's reading order.
    style = ChartStyle.from_theme(theme)
    country_context["map"] = build_map_context(country, data, style, citations,
                                               translate)
    country_context["charts"] = [
        build_chart_context(chart, data, citations, translate)
        for chart in build_profile_charts(country, data, style, translate)
    ]
    return country_context


def build_pack_context(
    spec: PackSpec,
    country: Country,
    data: CountryData,
    modules,
    theme: Theme,
    lang: str,
    prepared_on: dt.date,
    translate: Translator,
) -> dict:
    """Return the whole template context for one country pack in one language."""
    citations = Citations(data.sources)
    country_context = build_profile_context(country, data, theme, citations, translate)
    values = passage_values(country, data)
    brief_modules = select_modules(spec, country, modules, lang)
    in_pack = {brief_module.module_id for brief_module in brief_modules}
    sections = [build_module_section(m, values, citations, in_pack) for m in brief_modules]
    meeting = spec.meeting
    organisation = spec.prepared_by or theme.settings.organisation
    meeting_date = (format_date_range(meeting.date, meeting.end_date, translate)
                    if meeting.date else "")
    keywords = dict.fromkeys(["migration", country.name,
                              *(tag for s in sections for tag in s["tags"])])
    toc = [
        {"title": translate("At a glance"), "anchor": "at-a-glance"},
        {"title": translate("Country profile: {name}").format(name=country.name),
         "anchor": country_context["anchor"]},
        *({"title": section["title"], "anchor": section["anchor"]} for section in sections),
        {"title": translate("Sources"), "anchor": "sources"},
    ]
    return {
        "lang": lang,
        "toc": toc,
        "pack": {
            "id": spec.pack_id,
            "title": spec.title,
            "subject_name": country.name,
            "document_title": f"{spec.title}: {country.name}",
            "meeting": {"name": meeting.name, "body": meeting.body or "",
                        "date": meeting_date, "venue": meeting.venue or ""},
            "prepared_for": spec.prepared_for or "",
            "prepared_by": organisation,
            "classification": spec.classification or "",
            "prepared_on": format_date(prepared_on, translate),
            "created": f"{prepared_on.isoformat()}T00:00:00Z",
            "talking_points": [Markup(html.escape(point)) for point in spec.talking_points],
            "subject": _subject(spec, country.name, meeting_date, translate),
            "keywords": ", ".join(keywords),
        },
        "country": country_context,
        "modules": sections,
        "sources": citations.annex,
        "data_as_of": data_as_of(translate),
        "theme": theme_context(theme),
        "world_stock": format_compact(data.world["migrant_stock"].value or 0)
        if "migrant_stock" in data.world else "",
    }


def _subject(spec: PackSpec, country_name: str, meeting_date: str,
             translate: Translator) -> str:
    when = f" ({meeting_date})" if meeting_date else ""
    return translate("Briefing pack on {country} for {meeting}").format(
        country=country_name, meeting=spec.meeting.name) + when


def theme_context(theme: Theme) -> dict:
    """Return what templates print of a theme: organisation, footer, contact, logo."""
    settings = theme.settings
    return {
        "name": theme.name,
        "organisation": settings.organisation,
        "footer": settings.footer,
        "contact": settings.contact,
        "logo": f"../styles/themes/{theme.name}/{settings.logo}" if settings.logo else "",
    }


def data_as_of(translate: Translator) -> str:
    return translate(
        "Data as of: UN DESA International Migrant Stock 2024 (mid-2024 estimates; "
        "top partners from the 2020 edition); World Bank World Development Indicators "
        "(remittances to 2024, share of GDP to 2023, population 2024); UNHCR Refugee "
        "Population Statistics (end-2025)."
    )
