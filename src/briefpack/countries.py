"""Country context: indicators, series, regions and the source of every figure.

The data are the tidy CSVs in ``briefs/countries/`` (copied from UN DESA, World Bank,
UNHCR and UN M49 releases; see PROVENANCE.md there). An empty cell means "not available"
and is kept as ``None`` all the way to the page, where it prints as "no data".
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from .errors import BriefError, ContentError
from .files import parse_yaml, read_text
from .formatting import format_count, format_percent, format_usd
from .validation import describe_errors

LATEST_FILE = "country_latest.csv"
DESTINATION_FILE = "undesa_ims2024_destination.csv"
AGGREGATES_FILE = "undesa_ims2024_destination_aggregates.csv"
TOP5_FILE = "undesa_ims2020_bilateral_top5.csv"
REFUGEES_FILE = "unhcr_refugees_by_country_year.csv"
REMITTANCES_USD_FILE = "wb_remittances_received_usd.csv"
REMITTANCES_GDP_FILE = "wb_remittances_received_pct_gdp.csv"
SOURCES_FILE = "sources.yaml"

MIGRANT_STOCK_YEAR = 2024
UNHCR_YEAR = 2025

# UN M49 names that UN DESA spells differently in its aggregate tables.
_AGGREGATE_ALIASES = {"australia and new zealand": "australia/new zealand"}

# M49 intermediate regions that UN DESA does not publish as aggregates; the sub-region
# above them is used for comparisons instead.
_NO_AGGREGATE = {"channel islands"}


# Names that take "the" in running English text (UN editorial usage); names starting
# "United …" or "Republic of …" take it too (_ARTICLE_PREFIXES). Inverted ISO names such
# as "Congo, Democratic Republic of the" still read awkwardly in phrases.
NAMES_WITH_ARTICLE = frozenset({
    "Bahamas", "Comoros", "Gambia", "Maldives", "Netherlands", "Philippines",
    "Seychelles", "Niger", "Sudan", "Holy See", "Channel Islands",
    "Russian Federation", "Syrian Arab Republic", "Central African Republic",
    "Dominican Republic", "Lao People's Democratic Republic",
    "Democratic Republic of the Congo", "Democratic People's Republic of Korea",
    "Netherlands (Kingdom of the)", "State of Palestine",
})
_ARTICLE_PREFIXES = ("United ", "Republic of ")


@dataclass(frozen=True)
class Source:
    """One publisher's data release, cited by id."""

    id: str
    publisher: str
    title: str
    short: str
    year: int
    licence: str
    url: str
    edition: str = ""


@dataclass(frozen=True)
class Figure:
    """One printed number with its unit, year and source; ``value`` None is "no data"."""

    key: str
    label: str
    value: float | None
    year: int | None
    source_id: str
    unit: str = "count"
    note: str = ""

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def text(self) -> str:
        """Return the value as printed; "no data" when missing."""
        if self.value is None:
            return "no data"
        if self.unit == "percent":
            return format_percent(self.value)
        if self.unit == "usd":
            return format_usd(self.value)
        return format_count(self.value)


@dataclass(frozen=True)
class Partner:
    """A top origin or destination in the 2020 bilateral data."""

    iso3: str
    name: str
    migrant_stock: int
    share_pct: float


@dataclass(frozen=True)
class SeriesPoint:
    year: int
    value: float | None


@dataclass(frozen=True)
class Country:
    """Everything briefpack knows about one country or area."""

    iso3: str
    name: str
    region: str
    sub_region: str
    intermediate_region: str
    m49: str
    income_group: str
    comparison_area: str
    figures: Mapping[str, Figure]
    top_origins: tuple[Partner, ...] = ()
    top_destinations: tuple[Partner, ...] = ()
    migrant_stock_series: tuple[SeriesPoint, ...] = ()
    migrant_share_series: tuple[SeriesPoint, ...] = ()
    remittances_usd_series: tuple[SeriesPoint, ...] = ()
    remittances_gdp_series: tuple[SeriesPoint, ...] = ()
    refugees_hosted_series: tuple[SeriesPoint, ...] = ()
    refugees_from_series: tuple[SeriesPoint, ...] = ()
    asylum_seekers_hosted_series: tuple[SeriesPoint, ...] = ()
    asylum_seekers_from_series: tuple[SeriesPoint, ...] = ()

    @property
    def name_in_text(self) -> str:
        """Return the name as it reads inside a sentence: "the Philippines"."""
        if self.name in NAMES_WITH_ARTICLE or self.name.startswith(_ARTICLE_PREFIXES):
            return f"the {self.name}"
        return self.name

    @property
    def area_names(self) -> set[str]:
        """Return the M49 region names this country belongs to, lowercased."""
        names = {self.region, self.sub_region, self.intermediate_region}
        return {name.lower() for name in names if name}

    @property
    def has_migration_data(self) -> bool:
        return self.figures["migrant_stock"].has_value


@dataclass
class CountryData:
    """The loaded country library: countries by ISO3 code, aggregates and sources."""

    folder: Path
    countries: dict[str, Country]
    sources: dict[str, Source]
    world: Mapping[str, Figure]
    area_figures: dict[str, dict[str, Figure]] = field(default_factory=dict)
    area_series: dict[str, tuple[SeriesPoint, ...]] = field(default_factory=dict)

    def area_figure(self, area: str, key: str) -> Figure | None:
        """Return a UN DESA aggregate figure for an M49 area name, if published."""
        return self.area_figures.get(area_key(area), {}).get(key)

    @cached_property
    def regions(self) -> list[str]:
        """Return every M49 region, sub-region and intermediate region name."""
        names: set[str] = set()
        for country in self.countries.values():
            names.update(
                name
                for name in (
                    country.region,
                    country.sub_region,
                    country.intermediate_region,
                )
                if name
            )
        return sorted(names)

    def get(self, iso3: str) -> Country:
        return self.countries[iso3.upper()]

    def in_area(self, name: str) -> list[Country]:
        """Return the countries of an M49 region, sub-region or intermediate region."""
        wanted = name.lower()
        members = [c for c in self.countries.values() if wanted in c.area_names]
        return sorted(members, key=lambda country: country.iso3)

    def suggest_iso3(self, value: str, limit: int = 3) -> list[str]:
        """Return the valid codes nearest to ``value``, most populous first.

        Three-letter codes are too short for ratio matching (every code with two letters
        in common scores the same), so candidates share the first letter and one more, and
        population breaks the tie: a typo is likelier to aim at a large country.
        """
        value = value.strip().upper()
        by_name = {c.name.upper(): c.iso3 for c in self.countries.values()}
        if value in by_name:
            return [by_name[value]]
        if len(value) != 3:
            name_matches = [
                by_name[name]
                for name in by_name
                if value and (name.startswith(value) or value in name)
            ]
            return name_matches[:limit]
        candidates = [
            country
            for country in self.countries.values()
            if country.iso3[0] == value[0]
            and len(set(country.iso3) & set(value)) >= 2
        ]
        candidates.sort(key=lambda country: -_population(country))
        return [country.iso3 for country in candidates[:limit]]


def _population(country: Country) -> float:
    value = country.figures["population"].value
    return value if value is not None else 0.0


# The key figures printed for every country, in page order: key, label, CSV column,
# column holding the year (or a fixed year), source id, unit.
KEY_FIGURES: tuple[tuple[str, str, str, str | int, str, str], ...] = (
    (
        "migrant_stock",
        "International migrants (stock)",
        "undesa_migrant_stock_2024",
        MIGRANT_STOCK_YEAR,
        "undesa-ims-2024",
        "count",
    ),
    (
        "migrant_share",
        "Migrants as share of population",
        "undesa_migrant_share_pct_2024",
        MIGRANT_STOCK_YEAR,
        "undesa-ims-2024",
        "percent",
    ),
    (
        "female_share_of_migrants",
        "Women and girls among migrants",
        "undesa_female_share_of_migrants_pct_2024",
        MIGRANT_STOCK_YEAR,
        "undesa-ims-2024",
        "percent",
    ),
    (
        "emigrant_stock",
        "Emigrants living abroad",
        "undesa_emigrant_stock_2024",
        MIGRANT_STOCK_YEAR,
        "undesa-ims-2024",
        "count",
    ),
    (
        "refugees_hosted",
        "Refugees hosted (UNHCR mandate)",
        "unhcr_refugees_in_country_2025",
        UNHCR_YEAR,
        "unhcr-refugee-data",
        "count",
    ),
    (
        "asylum_seekers_hosted",
        "Asylum-seekers hosted",
        "unhcr_asylum_seekers_in_country_2025",
        UNHCR_YEAR,
        "unhcr-refugee-data",
        "count",
    ),
    (
        "refugees_from",
        "Refugees originating from the country",
        "unhcr_refugees_from_country_2025",
        UNHCR_YEAR,
        "unhcr-refugee-data",
        "count",
    ),
    (
        "asylum_seekers_from",
        "Asylum-seekers originating from the country",
        "unhcr_asylum_seekers_from_country_2025",
        UNHCR_YEAR,
        "unhcr-refugee-data",
        "count",
    ),
    (
        "idps",
        "Internally displaced people (UNHCR)",
        "unhcr_idps_2025",
        UNHCR_YEAR,
        "unhcr-refugee-data",
        "count",
    ),
    (
        "remittances_usd",
        "Personal remittances received",
        "remittances_received_usd",
        "remittances_received_usd_year",
        "wb-wdi-remittances",
        "usd",
    ),
    (
        "remittances_pct_gdp",
        "Remittances received, share of GDP",
        "remittances_received_pct_gdp",
        "remittances_received_pct_gdp_year",
        "wb-wdi-remittances",
        "percent",
    ),
    (
        "population",
        "Population",
        "population",
        "population_year",
        "wb-wdi-population",
        "count",
    ),
)

REQUIRED_LATEST_COLUMNS = (
    "iso3",
    "name",
    "region",
    "sub_region",
    "intermediate_region",
    "m49",
    "wb_income_group",
    "top5_origins_2020",
    "top5_destinations_2020",
    *(column for _, _, column, _, _, _ in KEY_FIGURES),
    *(year for _, _, _, year, _, _ in KEY_FIGURES if isinstance(year, str)),
)


class _CsvReader:
    """Read a data CSV, turning every bad cell into a problem line naming file and row."""

    def __init__(self, path: Path, required: Iterable[str]) -> None:
        self.path = path
        self.problems: list[str] = []
        self.rows = self._read(required)

    def _read(self, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
        try:
            reader = csv.DictReader(io.StringIO(read_text(self.path), newline=""))
            columns = reader.fieldnames
            if not columns:
                self.problems.append(f"{self.path}: the file is empty (expected a"
                                     " header row naming the columns)")
                return []
            missing = [name for name in required if name not in columns]
            if missing:
                self.problems.append(f"{self.path}:1: missing column(s)"
                                     f" {_listed(missing)}{_separator_hint(columns)}")
                return []
            rows = self._complete_rows(reader, len(columns))
        except BriefError as err:
            self.problems.append(err.format_message())
            return []
        except csv.Error as err:
            self.problems.append(f"{self.path}: malformed CSV ({err})")
            return []
        if not rows and not self.problems:
            self.problems.append(f"{self.path}: no data rows after the header")
        return rows

    def _complete_rows(
        self, reader: csv.DictReader, width: int
    ) -> list[tuple[int, dict[str, str]]]:
        """Return (line, row) for each row with one cell per column; report the rest."""
        rows = []
        for row in reader:
            # DictReader files surplus cells under None and fills short rows with None.
            cells = sum(value is not None for key, value in row.items()
                        if key is not None)
            cells += len(row.get(None) or ())
            if cells != width:
                self.problems.append(f"{self.path}:{reader.line_num}: {cells} cells,"
                                     f" but the header names {width} columns")
                continue
            rows.append((reader.line_num, row))
        return rows

    def number(self, line: int, row: Mapping[str, str], column: str) -> float | None:
        raw = (row.get(column) or "").strip()
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            self.problems.append(
                f"{self.path}:{line}: column {column!r}: {raw!r} is not a number"
                " (expected a non-negative number or an empty cell)"
            )
            return None
        return value

    def year(self, line: int, row: Mapping[str, str], column: str) -> int | None:
        value = self.number(line, row, column)
        if value is None:
            return None
        if not value.is_integer() or not 1950 <= value <= 2100:
            self.problems.append(
                f"{self.path}:{line}: column {column!r}: {row[column]!r} is not a year"
            )
            return None
        return int(value)


def _listed(names: list[str], limit: int = 5) -> str:
    if len(names) <= limit + 1:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def _separator_hint(columns: list[str]) -> str:
    """Say so when a spreadsheet saved the file with another separator than commas."""
    if len(columns) == 1:
        for separator, name in ((";", "semicolons"), ("\t", "tabs")):
            if separator in columns[0]:
                return (f" (the cells seem to be separated by {name};"
                        " save as comma-separated)")
    return ""


_SOURCE_LIST = TypeAdapter(list[Source])


def load_sources(folder: Path) -> dict[str, Source]:
    """Load the data sources that country figures and modules may cite."""
    path = folder / SOURCES_FILE
    try:
        document = parse_yaml(read_text(path), path)
    except BriefError as err:
        raise ContentError([err.format_message()]) from err
    if not isinstance(document, dict) or "sources" not in document:
        raise ContentError([f"{path}: sources: missing; expected a list of sources"
                            " (id, publisher, title, short, year, licence, url)"])
    try:
        sources = _SOURCE_LIST.validate_python(document["sources"])
    except ValidationError as err:
        problems = [f"{path}: sources{problem.removeprefix('(top level)')}"
                    for problem in describe_errors(err, Source)]
        raise ContentError(problems) from err
    by_id: dict[str, Source] = {}
    for index, source in enumerate(sources):
        if source.id in by_id:
            raise ContentError([f"{path}: sources[{index}].id: {source.id!r} is given"
                                " twice"])
        by_id[source.id] = source
    return by_id


def load_country_data(folder: Path) -> CountryData:
    """Load every country in ``folder``; report all data problems at once."""
    sources = load_sources(folder)
    latest = _CsvReader(folder / LATEST_FILE, REQUIRED_LATEST_COLUMNS)
    partners = _load_partners(folder / TOP5_FILE, latest.problems)
    series = _load_series(folder, latest.problems)
    aggregates = _load_aggregates(folder / AGGREGATES_FILE, latest.problems)
    countries = _build_countries(latest, partners, series, aggregates)
    if latest.problems:
        raise ContentError(latest.problems, what="data problem")
    world = dict(aggregates["figures"].get("world", {}))
    if series["world_remittances_gdp"] is not None:
        world["remittances_pct_gdp"] = series["world_remittances_gdp"]
    return CountryData(
        folder=folder,
        countries=countries,
        sources=sources,
        world=world,
        area_figures=aggregates["figures"],
        area_series=aggregates["series"],
    )


def _build_countries(
    latest: _CsvReader,
    partners: dict[tuple[str, str], list[Partner]],
    series: dict,
    aggregates: dict,
) -> dict[str, Country]:
    countries: dict[str, Country] = {}
    for line, row in latest.rows:
        iso3 = row["iso3"].strip()
        # ASCII only: the code becomes part of every output file name.
        if not re.fullmatch(r"[A-Z]{3}", iso3):
            latest.problems.append(
                f"{latest.path}:{line}: column 'iso3': {iso3!r} is not a three-letter"
                " upper-case code"
            )
            continue
        if iso3 in countries:
            latest.problems.append(
                f"{latest.path}:{line}: column 'iso3': duplicate code {iso3!r}"
            )
            continue
        countries[iso3] = _build_country(latest, line, row, partners, series, aggregates)
    return countries


def _build_country(
    latest: _CsvReader,
    line: int,
    row: Mapping[str, str],
    partners: dict[tuple[str, str], list[Partner]],
    series: dict,
    aggregates: dict,
) -> Country:
    iso3 = row["iso3"].strip()
    figures: dict[str, Figure] = {}
    for key, label, column, year_spec, source_id, unit in KEY_FIGURES:
        value = latest.number(line, row, column)
        if isinstance(year_spec, int):
            year: int | None = year_spec
        else:
            year = latest.year(line, row, year_spec)
        figures[key] = Figure(key, label, value, year if value is not None else None,
                              source_id, unit)
    area = _comparison_area(row, aggregates["figures"])
    return Country(
        iso3=iso3,
        name=row["name"].strip(),
        region=row["region"].strip(),
        sub_region=row["sub_region"].strip(),
        intermediate_region=row["intermediate_region"].strip(),
        m49=row["m49"].strip(),
        income_group=row["wb_income_group"].strip(),
        comparison_area=area,
        figures=figures,
        top_origins=tuple(partners.get((iso3, "origins_of_immigrants"), ())),
        top_destinations=tuple(partners.get((iso3, "destinations_of_emigrants"), ())),
        migrant_stock_series=series["stock"].get(iso3, ()),
        migrant_share_series=series["share"].get(iso3, ()),
        remittances_usd_series=series["remittances_usd"].get(iso3, ()),
        remittances_gdp_series=series["remittances_gdp"].get(iso3, ()),
        refugees_hosted_series=series["refugees_hosted"].get(iso3, ()),
        refugees_from_series=series["refugees_from"].get(iso3, ()),
        asylum_seekers_hosted_series=series["asylum_seekers_hosted"].get(iso3, ()),
        asylum_seekers_from_series=series["asylum_seekers_from"].get(iso3, ()),
    )


def _comparison_area(row: Mapping[str, str], areas: Mapping[str, object]) -> str:
    """Return the most specific UN DESA area with published aggregates for a country."""
    for column in ("intermediate_region", "sub_region"):
        name = row[column].strip()
        key = _AGGREGATE_ALIASES.get(name.lower(), name.lower())
        if name and key not in _NO_AGGREGATE and key in areas:
            return name
    return ""


def area_key(name: str) -> str:
    """Return the lookup key of an M49 area name in UN DESA's aggregate tables."""
    return _AGGREGATE_ALIASES.get(name.lower(), name.lower())


def _load_partners(
    path: Path, problems: list[str]
) -> dict[tuple[str, str], list[Partner]]:
    reader = _CsvReader(
        path,
        ("iso3", "direction", "rank", "partner_iso3", "partner_name", "migrant_stock",
         "share_of_country_total_pct"),
    )
    partners: dict[tuple[str, str], list[Partner]] = {}
    for line, row in reader.rows:
        stock = reader.number(line, row, "migrant_stock")
        share = reader.number(line, row, "share_of_country_total_pct")
        partner = Partner(
            iso3=row["partner_iso3"],
            name=row["partner_name"],
            migrant_stock=int(stock or 0),
            share_pct=share or 0.0,
        )
        partners.setdefault((row["iso3"], row["direction"]), []).append(partner)
    problems.extend(reader.problems)
    return partners


def _load_series(folder: Path, problems: list[str]) -> dict:
    destination = _CsvReader(
        folder / DESTINATION_FILE,
        ("iso3", "year", "migrant_stock_total", "migrant_share_of_population_pct"),
    )
    refugees = _CsvReader(
        folder / REFUGEES_FILE,
        ("iso3", "year", "refugees_in_country", "refugees_from_country",
         "asylum_seekers_in_country", "asylum_seekers_from_country"),
    )
    remittances_usd = _CsvReader(
        folder / REMITTANCES_USD_FILE,
        ("iso3", "year", "remittances_received_usd", "is_aggregate"),
    )
    remittances_gdp = _CsvReader(
        folder / REMITTANCES_GDP_FILE,
        ("iso3", "year", "remittances_received_pct_gdp", "is_aggregate"),
    )
    series = {
        "stock": _series(destination, "migrant_stock_total"),
        "share": _series(destination, "migrant_share_of_population_pct"),
        "refugees_hosted": _series(refugees, "refugees_in_country"),
        "refugees_from": _series(refugees, "refugees_from_country"),
        "asylum_seekers_hosted": _series(refugees, "asylum_seekers_in_country"),
        "asylum_seekers_from": _series(refugees, "asylum_seekers_from_country"),
        # The World Bank files carry 0 for "not reported" (PROVENANCE.md, section 3).
        "remittances_usd": _series(remittances_usd, "remittances_received_usd",
                                   zero_is_missing=True),
        "remittances_gdp": _series(remittances_gdp, "remittances_received_pct_gdp",
                                   zero_is_missing=True),
    }
    world_gdp = series["remittances_gdp"].get("WLD", ())
    latest_world = next((p for p in reversed(world_gdp) if p.value is not None), None)
    series["world_remittances_gdp"] = (
        Figure("remittances_pct_gdp", "Remittances received, share of GDP",
               latest_world.value, latest_world.year, "wb-wdi-remittances", "percent")
        if latest_world
        else None
    )
    for reader in (destination, refugees, remittances_usd, remittances_gdp):
        problems.extend(reader.problems)
    return series


def _series(
    reader: _CsvReader, column: str, zero_is_missing: bool = False
) -> dict[str, tuple[SeriesPoint, ...]]:
    points: dict[str, list[SeriesPoint]] = {}
    for line, row in reader.rows:
        year = reader.year(line, row, "year")
        value = reader.number(line, row, column)
        if year is None:
            continue
        if zero_is_missing and value == 0:
            value = None
        points.setdefault(row["iso3"], []).append(SeriesPoint(year, value))
    return {
        iso3: tuple(sorted(values, key=lambda point: point.year))
        for iso3, values in points.items()
    }


def _load_aggregates(path: Path, problems: list[str]) -> dict:
    reader = _CsvReader(
        path,
        ("name_undesa", "year", "migrant_share_of_population_pct",
         "female_share_of_migrants_pct", "migrant_stock_total"),
    )
    figures: dict[str, dict[str, Figure]] = {}
    series: dict[str, list[SeriesPoint]] = {}
    for line, row in reader.rows:
        key = row["name_undesa"].strip().lower()
        year = reader.year(line, row, "year")
        share = reader.number(line, row, "migrant_share_of_population_pct")
        if year is None:
            continue
        series.setdefault(key, []).append(SeriesPoint(year, share))
        if year != MIGRANT_STOCK_YEAR:
            continue
        figures[key] = {
            "migrant_share": Figure(
                "migrant_share", "Migrants as share of population", share, year,
                "undesa-ims-2024", "percent",
            ),
            "female_share_of_migrants": Figure(
                "female_share_of_migrants", "Women and girls among migrants",
                reader.number(line, row, "female_share_of_migrants_pct"), year,
                "undesa-ims-2024", "percent",
            ),
            "migrant_stock": Figure(
                "migrant_stock", "International migrants (stock)",
                reader.number(line, row, "migrant_stock_total"), year,
                "undesa-ims-2024", "count",
            ),
        }
    problems.extend(reader.problems)
    return {
        "figures": figures,
        "series": {key: tuple(points) for key, points in series.items()},
    }
