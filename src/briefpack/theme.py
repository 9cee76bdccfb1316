"""Themes: a folder under ``styles/themes/<name>/`` that brands a pack.

A theme holds ``theme.yaml`` (organisation, footer line, contact, fonts, logo file),
``theme.css`` (custom properties only) and its logo. Templates never change per theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ContentError
from .files import parse_yaml, read_text
from .validation import describe_errors


class ThemeFonts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Plain family names only: they are written into CSS and probe documents.
    body: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$")
    heading: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$")
    install_hint: str = ""


class ThemeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisation: str = Field(min_length=1)
    footer: str = ""
    contact: str = ""
    logo: str | None = None
    fonts: ThemeFonts


@dataclass(frozen=True)
class Theme:
    """A loaded theme with the paths of its files."""

    name: str
    folder: Path
    settings: ThemeSettings

    @property
    def stylesheet(self) -> Path:
        return self.folder / "theme.css"

    @property
    def logo_path(self) -> Path | None:
        if self.settings.logo is None:
            return None
        return self.folder / self.settings.logo

    @property
    def font_families(self) -> tuple[str, ...]:
        fonts = self.settings.fonts
        return tuple(dict.fromkeys((fonts.body, fonts.heading)))


def load_theme(styles_dir: Path, name: str) -> Theme:
    """Load a theme; a missing stylesheet or logo is an error, never skipped."""
    folder = styles_dir / "themes" / name
    path = folder / "theme.yaml"
    data = parse_yaml(read_text(path), path)
    try:
        settings = ThemeSettings.model_validate(data)
    except ValidationError as err:
        problems = describe_errors(err, ThemeSettings)
        raise ContentError([f"{path}: {problem}" for problem in problems]) from err
    theme = Theme(name=name, folder=folder, settings=settings)
    problems = []
    if not theme.stylesheet.is_file():
        problems.append(f"{theme.stylesheet}: theme stylesheet not found")
    logo = theme.logo_path
    if logo is not None and not logo.is_file():
        problems.append(f"{path}: logo: file {settings.logo!r} not found in {folder}")
    if problems:
        raise ContentError(problems)
    return theme
