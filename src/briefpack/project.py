"""The project folder: where briefs, templates and styles live, loaded once per run."""

from __future__ import annotations

import csv
from functools import cached_property
from pathlib import Path

from .countries import CountryData, load_country_data
from .errors import BriefError
from .groups import CountryGroup, load_groups
from .modules import ModuleLibrary


class Project:
    """A folder holding ``briefs/``, ``templates/`` and ``styles/``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.briefs_dir = self.root / "briefs"
        self.templates_dir = self.root / "templates"
        self.styles_dir = self.root / "styles"
        missing = [
            folder.name
            for folder in (self.briefs_dir, self.templates_dir, self.styles_dir)
            if not folder.is_dir()
        ]
        if missing:
            raise BriefError(
                f"{self.root}: not a briefpack project (no {'/, '.join(missing)}/);"
                " run from the project folder or pass --project DIR"
            )

    @property
    def allowed_roots(self) -> tuple[Path, ...]:
        """Return the folders rendering may read from."""
        return (self.briefs_dir, self.templates_dir, self.styles_dir)

    @cached_property
    def countries(self) -> CountryData:
        return load_country_data(self.briefs_dir / "countries")

    @cached_property
    def modules(self) -> ModuleLibrary:
        return ModuleLibrary(self.briefs_dir / "modules")

    @cached_property
    def groups(self) -> dict[str, CountryGroup]:
        return load_groups(self.briefs_dir / "countries" / "groups.yaml",
                           set(self.countries.countries))

    @cached_property
    def theme_names(self) -> list[str]:
        themes = self.styles_dir / "themes"
        if not themes.is_dir():
            return []
        return sorted(p.name for p in themes.iterdir() if (p / "theme.yaml").is_file())

    @property
    def packs_dir(self) -> Path:
        return self.briefs_dir / "packs"

    def resolve_area(self, name_or_code: str) -> list[str]:
        """Return the ISO3 codes of an M49 area given by name or numeric code."""
        wanted = name_or_code.strip()
        if wanted.isdigit():
            wanted = self._area_name_for_code(wanted.zfill(3))
        if not wanted:
            return []
        return [country.iso3 for country in self.countries.in_area(wanted)]

    def _area_name_for_code(self, code: str) -> str:
        with (self.briefs_dir / "countries" / "countries.csv").open(
            encoding="utf-8", newline=""
        ) as handle:
            for row in csv.DictReader(handle):
                for level in ("region", "sub_region", "intermediate_region"):
                    if row[f"{level}_code"].zfill(3) == code and row[level]:
                        return row[level]
        return ""
