"""Input hashes: what a job's PDF depends on, so unchanged jobs can be skipped.

A job is rebuilt when any of these change: the spec, the modules it prints (including
the regional one), the country's data and the aggregates it is compared with, the
templates, the stylesheets and theme, the font files the theme names, the date printed
as "date prepared", and the briefpack and WeasyPrint versions.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import weasyprint

from . import __version__
from .context import select_modules
from .countries import area_key
from .errors import BriefError
from .project import Project
from .spec import PackSpec
from .theme import Theme


def hash_bytes(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def read_input(path: Path) -> bytes:
    """Return a file a pack depends on; a file that cannot be read is one clear line."""
    try:
        return path.read_bytes()
    except OSError as err:
        raise BriefError(f"{path}: cannot read ({err.strerror or err})") from err


def hash_folder(folder: Path) -> str:
    """Hash every file under ``folder`` (names and contents), in a stable order."""
    parts: list[bytes] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        parts.append(str(path.relative_to(folder)).encode())
        parts.append(read_input(path))
    return hash_bytes(*parts)


@lru_cache(maxsize=8)
def font_files_hash(families: tuple[str, ...]) -> str:
    """Hash the font files fontconfig resolves for the theme's families.

    Without ``fc-match`` (package fontconfig) only the family names are hashed, so a
    font upgrade would not trigger a rebuild; briefpack then says so once.
    """
    if shutil.which("fc-match") is None:
        return hash_bytes(*(family.encode() for family in families))
    parts: list[bytes] = []
    for family in families:
        for style in ("Regular", "Bold", "Italic", "Bold Italic"):
            completed = subprocess.run(
                ["fc-match", "-f", "%{file}", f"{family}:style={style}"],
                capture_output=True, text=True, check=False,
            )
            path = Path(completed.stdout.strip())
            parts.append(path.name.encode())
            if path.is_file():
                parts.append(read_input(path))
    return hash_bytes(*parts)


class InputHasher:
    """Compute job input hashes, reusing the parts shared by every job of a run."""

    def __init__(self, project: Project, theme: Theme) -> None:
        self.project = project
        self.theme = theme
        self._shared = hash_bytes(
            hash_folder(project.templates_dir).encode(),
            hash_folder(project.styles_dir).encode(),
            font_files_hash(theme.font_families).encode(),
            read_input(project.briefs_dir / "countries" / "sources.yaml"),
            __version__.encode(),
            weasyprint.__version__.encode(),
        )

    def job_hash(self, spec: PackSpec, iso3: str, lang: str, prepared_on: str) -> str:
        country = self.project.countries.get(iso3)
        modules = select_modules(spec, country, self.project.modules, lang)
        data = self.project.countries
        comparisons = [
            repr(data.area_figures.get(area_key(country.comparison_area), {})),
            repr(data.area_series.get(area_key(country.comparison_area), ())),
            repr(sorted(data.world.items())),
        ]
        return hash_bytes(
            self._shared.encode(),
            json.dumps(spec.model_dump(mode="json"), sort_keys=True).encode(),
            *(read_input(m.path) for m in modules),
            repr(country).encode(),
            *(part.encode() for part in comparisons),
            f"{iso3}|{lang}|{prepared_on}".encode(),
        )
