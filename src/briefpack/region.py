"""The combined pack: one PDF for a whole batch, one part per country.

The modules are printed once (without country passages), each country gets its own
profile part with a bookmark, and an overview table compares the countries.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from .context import (
    Citations,
    build_profile_context,
    build_module_section,
    format_date,
    format_date_range,
    data_as_of,
    theme_context,
)
from .files import write_atomic
from .i18n import get_translations, text_direction
from .project import Project
from .render import create_environment, render_pdf, render_template
from .spec import PackSpec
from .theme import load_theme

logger = logging.getLogger(__name__)

COMBINED_NAME = "combined"


def combined_path(pack_dir: Path, pack_id: str, lang: str) -> Path:
    return pack_dir / f"{pack_id}_{COMBINED_NAME}_{lang}.pdf"


def describe_selection(spec: PackSpec, project: Project, count: int) -> str:
    """Return what the batch covers, for the cover: a region, a group or a count."""
    selector = spec.countries
    if isinstance(selector, list):
        return f"{count} countries and areas"
    if selector.region:
        label = selector.region
    elif selector.group:
        label = project.groups[selector.group].name
    else:
        return f"{count} countries and areas"
    if selector.exclude:
        names = [project.countries.get(code).name for code in selector.exclude]
        label += ", excluding " + ", ".join(names)
    return label


def build_region_context(
    project: Project, spec: PackSpec, iso3_codes: list[str], lang: str,
    prepared_on: dt.date,
) -> dict:
    translate = get_translations(lang).gettext
    theme = load_theme(project.styles_dir, spec.theme)
    data = project.countries
    citations = Citations(data.sources)
    countries = [build_profile_context(data.get(code), data, theme, citations, translate)
                 for code in iso3_codes]
    brief_modules = [project.modules.get(module_id, lang) for module_id in spec.modules]
    if spec.include_regional:
        # Each country's own pack adds its regional module; the combined pack adds
        # every one its countries need, once.
        for code in iso3_codes:
            regional = project.modules.regional_for(data.get(code).area_names, lang)
            if regional is not None and regional not in brief_modules:
                brief_modules.append(regional)
    in_pack = {brief_module.module_id for brief_module in brief_modules}
    sections = [build_module_section(m, None, citations, in_pack) for m in brief_modules]
    subject = describe_selection(spec, project, len(iso3_codes))
    meeting = spec.meeting
    meeting_date = (format_date_range(meeting.date, meeting.end_date, translate)
                    if meeting.date else "")
    toc = [{"title": translate("Overview"), "anchor": "at-a-glance"}]
    toc += [{"title": translate("Country profile: {name}").format(name=c["name"]),
             "anchor": c["anchor"], "part": True} for c in countries]
    toc += [{"title": s["title"], "anchor": s["anchor"]} for s in sections]
    toc.append({"title": translate("Sources"), "anchor": "sources"})
    organisation = spec.prepared_by or theme.settings.organisation
    return {
        "lang": lang,
        "dir": text_direction(lang),
        "toc": toc,
        "pack": {
            "id": spec.pack_id,
            "title": spec.title,
            "subject_name": subject,
            "document_title": f"{spec.title}: {subject}",
            "meeting": {"name": meeting.name, "body": meeting.body or "",
                        "date": meeting_date, "venue": meeting.venue or ""},
            "prepared_for": spec.prepared_for or "",
            "prepared_by": organisation,
            "classification": spec.classification or "",
            "prepared_on": format_date(prepared_on, translate),
            "created": f"{prepared_on.isoformat()}T00:00:00Z",
            "talking_points": list(spec.talking_points),
            "subject": translate("Briefing pack on {country} for {meeting}").format(
                country=subject, meeting=meeting.name),
            "keywords": ", ".join(dict.fromkeys(
                ["migration", subject, *(c["name"] for c in countries)])),
        },
        "countries": countries,
        "modules": sections,
        "sources": citations.annex,
        "data_as_of": data_as_of(translate),
        "theme": theme_context(theme),
    }


def write_combined_pack(
    project: Project, spec: PackSpec, iso3_codes: list[str], prepared_on: dt.date,
    pack_dir: Path,
) -> list[Path]:
    """Render and write one combined PDF per language; return the paths written."""
    theme = load_theme(project.styles_dir, spec.theme)
    written = []
    for lang in spec.languages:
        context = build_region_context(project, spec, iso3_codes, lang, prepared_on)
        environment = create_environment(project.templates_dir, lang)
        html = render_template(environment, "region.html", context, project)
        rendered = render_pdf(html, project, theme, spec.paper,
                              f"{spec.pack_id} combined {lang}")
        for warning in rendered.warnings:
            logger.warning("%s", warning)
        target = combined_path(pack_dir, spec.pack_id, lang)
        write_atomic(target, rendered.pdf)
        written.append(target)
    return written
