"""Pack specs: one briefing job, validated as a whole before anything renders.

A spec is ``briefs/packs/<pack-id>.yaml``. ``load_pack_spec`` reports every problem at
once, each with the file and the key path, then stops (the mkdocs config model).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
)

from .errors import SpecError, suggest
from .files import parse_yaml, read_text
from .modules import MODULE_ID_PATTERN
from .validation import BRANCH_TAG, PATTERN_HINTS, IsoDate, describe_errors

if TYPE_CHECKING:
    from .project import Project

PACK_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
LANG_PATTERN = r"^[a-z]{2}$"
PATTERN_HINTS[PACK_ID_PATTERN.pattern] = (
    "lowercase letters, digits, hyphens and underscores, such as 'idm-2027-senegal'"
)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _single_line(value: str) -> str:
    """Refuse control characters: these values end up in headers, titles and email."""
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"{value!r} contains a control character ({found.group()!r});"
            " write it on one line"
        )
    return value


Line = Annotated[str, AfterValidator(_single_line)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Meeting(_Strict):
    """The meeting a pack is prepared for."""

    # Lengths keep the cover on one sheet.
    name: Line = Field(min_length=1, max_length=150)
    body: Line | None = Field(default=None, max_length=150)
    date: IsoDate | None = None
    end_date: IsoDate | None = None
    venue: Line | None = Field(default=None, max_length=150)


class CountrySelector(_Strict):
    """Countries chosen by M49 area or named group, with exclusions."""

    region: str | None = None
    group: str | None = None
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


def _countries_form(value: Any) -> str:
    is_selector = isinstance(value, (dict, CountrySelector))
    return f"{BRANCH_TAG}selector" if is_selector else f"{BRANCH_TAG}codes"


# ``countries`` is a list of codes or a selector. Choosing the branch by the value's
# shape reports only that branch's errors, not one per branch.
Countries = Annotated[
    Annotated[list[str], Tag(f"{BRANCH_TAG}codes")]
    | Annotated[CountrySelector, Tag(f"{BRANCH_TAG}selector")],
    Discriminator(_countries_form),
]


class PackSpec(_Strict):
    """A validated pack spec."""

    pack_id: str = Field(pattern=PACK_ID_PATTERN.pattern, max_length=80)
    title: Line = Field(min_length=1, max_length=120)
    meeting: Meeting
    prepared_for: Line | None = Field(default=None, max_length=150)
    prepared_by: Line | None = Field(default=None, max_length=150)
    classification: Line | None = Field(default=None, max_length=80)
    date_prepared: IsoDate | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    theme: str = "default"
    paper: Literal["a4", "letter"] = "a4"
    countries: Countries
    modules: list[str] = Field(min_length=1)
    include_regional: bool = True
    talking_points: list[Annotated[Line, Field(min_length=1, max_length=600)]] = Field(
        default_factory=list
    )

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, codes: list[str]) -> list[str]:
        bad = [code for code in codes if not re.fullmatch(LANG_PATTERN, code)]
        if bad:
            raise ValueError(f"languages are two-letter codes such as 'en', got {bad}")
        return codes

    @field_validator("countries", mode="before")
    @classmethod
    def _list_or_selector(cls, value: Any) -> Any:
        if isinstance(value, (list, dict)):
            return value
        raise ValueError(
            f"expected a list of country codes such as [SEN], or region, group and"
            f" include keys (got {_short(value)})"
        )

    @field_validator("countries")
    @classmethod
    def _upper_codes(cls, value: list[str] | CountrySelector):
        if isinstance(value, list):
            if not value:
                raise ValueError("list at least one country code")
            return [code.upper() for code in value]
        return value


def load_pack_spec(pack_spec_path: Path, project: Project) -> PackSpec:
    """Load, validate and check a spec file against the project's library."""
    text = read_text(pack_spec_path)
    data = parse_yaml(text, pack_spec_path)
    if data is None:
        raise SpecError([f"{pack_spec_path}: the file is empty; expected key: value"
                         " pairs (title, meeting, countries, modules, …)"])
    if not isinstance(data, dict):
        raise SpecError([f"{pack_spec_path}: expected key: value pairs at the top level"
                         f" (got {_short(data)})"])
    if "pack_id" in data:
        raise SpecError(
            [f"{pack_spec_path}: pack_id: unknown key (the pack id is the file name)"]
        )
    data = {"pack_id": pack_spec_path.stem, **data}
    return validate_pack_spec(data, str(pack_spec_path), project)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:59]}…"


def validate_pack_spec(data: dict, where: str, project: Project) -> PackSpec:
    """Validate spec data from a file or from flags; raise ``SpecError`` with every problem."""
    problems: list[str] = []
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as err:
        problems.extend(describe_errors(err, PackSpec))
        spec = None
    problems.extend(_check_references(data, project))
    if spec is not None:
        problems.extend(_check_dates(spec))
    if problems:
        raise SpecError([_located(where, problem) for problem in problems])
    assert spec is not None
    return spec


def _located(where: str, problem: str) -> str:
    if problem.startswith("pack_id:"):
        return f"{where}: file name: the pack id {problem.removeprefix('pack_id: ')}"
    return f"{where}: {problem}"


def _check_references(data: dict, project: Project) -> list[str]:
    """Check module ids, country codes, languages and the theme against the project."""
    problems: list[str] = []
    modules = data.get("modules")
    if isinstance(modules, list):
        problems.extend(_check_module_ids(modules, project, data.get("languages")))
    countries = data.get("countries")
    if isinstance(countries, list):
        problems.extend(_check_iso3_list("countries", countries, project))
    elif isinstance(countries, dict):
        problems.extend(_check_selector(countries, project))
    theme = data.get("theme", "default")
    if isinstance(theme, str) and theme not in project.theme_names:
        problems.append(
            f"theme: unknown theme {theme!r}{suggest(theme, project.theme_names)}"
            f" (themes live in {project.styles_dir / 'themes'})"
        )
    return problems


def _check_module_ids(modules: Sequence, project: Project, languages) -> list[str]:
    problems: list[str] = []
    known = project.modules.ids
    seen: set[str] = set()
    wanted_languages = languages if isinstance(languages, list) else ["en"]
    for index, module_id in enumerate(modules):
        if not isinstance(module_id, str):
            continue
        if module_id not in known:
            problems.append(f"modules[{index}]: {_unknown_module(module_id, project)}")
            continue
        if module_id in seen:
            problems.append(f"modules[{index}]: {module_id!r} is listed twice")
        seen.add(module_id)
        available = project.modules.languages(module_id)
        for lang in wanted_languages:
            # A language that is not a code at all is reported by the languages check.
            is_code = isinstance(lang, str) and re.fullmatch(LANG_PATTERN, lang)
            if is_code and lang not in available:
                problems.append(
                    f"modules[{index}]: {module_id!r} has no {lang!r} text"
                    f" (available: {', '.join(available)})"
                )
    return problems


def _unknown_module(module_id: str, project: Project) -> str:
    folder = project.modules.folder / module_id
    # Only a well-formed id is looked up on disk: '../x' or a 300-letter id is not.
    if MODULE_ID_PATTERN.match(module_id) and len(module_id) <= 100 and folder.is_dir():
        return (f"module {module_id!r} has no text: its folder needs a file such as"
                f" {folder / 'en.md'} (lower-case .md)")
    return f"unknown module id {module_id!r}{suggest(module_id, project.modules.ids)}"


def _check_iso3_list(key: str, codes: Sequence, project: Project) -> list[str]:
    problems: list[str] = []
    countries = project.countries
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if not isinstance(code, str):
            continue
        iso3 = code.strip().upper()
        if iso3 not in countries.countries:
            problems.append(f"{key}[{index}]: {unknown_country_message(code, project)}")
            continue
        if iso3 in seen:
            problems.append(f"{key}[{index}]: {iso3!r} is listed twice")
        seen.add(iso3)
    return problems


def unknown_country_message(code: str, project: Project) -> str:
    """Return "unknown country code 'SNG' (did you mean 'SEN', …?)"."""
    nearest = project.countries.suggest_iso3(code)
    hint = ""
    if re.search(r"[,;\s]", code.strip()):
        hint = " (one code per entry: [SEN, GHA] in a spec, --country once per code)"
    elif nearest:
        hint = " (did you mean " + ", ".join(repr(iso3) for iso3 in nearest) + "?)"
    return f"unknown country code {code!r}{hint}"


def _check_selector(selector: dict, project: Project) -> list[str]:
    problems: list[str] = []
    region = selector.get("region")
    if isinstance(region, str) and not project.resolve_area(region):
        names = project.countries.regions
        problems.append(
            f"countries.region: unknown M49 region {region!r}{suggest(region, names)}"
        )
    group = selector.get("group")
    if isinstance(group, str) and group not in project.groups:
        problems.append(
            f"countries.group: unknown group {group!r}"
            f"{suggest(group, list(project.groups))}"
        )
    for key in ("include", "exclude"):
        codes = selector.get(key)
        if isinstance(codes, list):
            problems.extend(_check_iso3_list(f"countries.{key}", codes, project))
    if not region and not group and not selector.get("include"):
        problems.append("countries: give a region, a group or an include list")
    return problems


def _check_dates(spec: PackSpec) -> list[str]:
    meeting = spec.meeting
    if meeting.end_date and not meeting.date:
        # The cover prints a range from the start date; alone, the end date is lost.
        return ["meeting.end_date: given without meeting.date; give the first day too"]
    if meeting.date and meeting.end_date and meeting.end_date < meeting.date:
        return [
            f"meeting.end_date: {meeting.end_date.isoformat()!r} is before"
            f" meeting.date {meeting.date.isoformat()!r}"
        ]
    return []
