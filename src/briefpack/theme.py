"""Themes: a folder under ``styles/themes/<name>/`` that brands a pack.

A theme holds ``theme.yaml`` (organisation, footer line, contact, fonts, logo file,
chart colours), ``theme.css`` (custom properties only) and its logo. Templates never
change per theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import ContentError
from .files import parse_yaml, read_text
from .validation import describe_errors


class ThemeFonts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Plain family names only: they are written into CSS and probe documents.
    body: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$")
    heading: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 _-]*$")
    install_hint: str = ""


Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]

# Packs are often printed in black and white: colours that must be told apart there
# differ by at least this much in CIE lightness (L*, 0 = black, 100 = white).
MIN_LIGHTNESS_STEP = 12.0


def lightness(colour: str) -> float:
    """Return the CIE L* lightness of an sRGB ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    if luminance <= 216 / 24389:
        return luminance * 24389 / 27
    return 116 * luminance ** (1 / 3) - 16


def _check_darker_to_lighter(names: tuple[str, ...], colours: tuple[str, ...]) -> None:
    values = [lightness(colour) for colour in colours]
    for (name, value), (next_name, next_value) in zip(
        zip(names, values), zip(names[1:], values[1:])
    ):
        if next_value - value < MIN_LIGHTNESS_STEP:
            raise ValueError(
                f"{next_name} (L* {next_value:.0f}) must be at least"
                f" {MIN_LIGHTNESS_STEP:.0f} lighter than {name} (L* {value:.0f}),"
                " so the two stay apart when printed in greyscale"
            )


class ThemeMapColours(BaseModel):
    """Locator map fills, darkest first: the country, its area, other land."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: Colour = "#1d4b5a"
    area: Colour = "#9aabb5"
    land: Colour = "#dde3e7"
    water: Colour = "#ffffff"
    border: Colour = "#ffffff"

    @model_validator(mode="after")
    def _greyscale_safe(self) -> ThemeMapColours:
        _check_darker_to_lighter(("country", "area", "land"),
                                 (self.country, self.area, self.land))
        return self


class ThemeChartColours(BaseModel):
    """Chart colours; ``series`` goes darkest first: country, sub-region, world."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ink: Colour = "#1e2429"
    muted: Colour = "#56626b"
    grid: Colour = "#dde3e7"
    series: tuple[Colour, Colour, Colour] = ("#1d4b5a", "#c77d1a", "#b0bcc4")
    map: ThemeMapColours = ThemeMapColours()

    @model_validator(mode="after")
    def _greyscale_safe(self) -> ThemeChartColours:
        _check_darker_to_lighter(("series[0]", "series[1]", "series[2]"), self.series)
        return self


class ThemeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organisation: str = Field(min_length=1)
    footer: str = ""
    contact: str = ""
    logo: str | None = None
    fonts: ThemeFonts
    chart: ThemeChartColours = ThemeChartColours()


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
