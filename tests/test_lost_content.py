"""WeasyPrint warnings: those that mean lost content fail the build; others show once.

A missing image, a link to an anchor that is not there, a stylesheet that is dropped
and a character no font can draw all fail the pack, naming it and what was lost. A
warning that loses nothing (an unknown CSS property) is shown once, however many packs
and worker processes meet it, and the packs are written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.cli import main

PACK_ID = "lost-content"


def _write_spec(project: Path, countries: str = "[SEN]", extra: str = "") -> Path:
    spec = project / "briefs" / "packs" / f"{PACK_ID}.yaml"
    spec.write_text(
        "title: Lost content\nmeeting: {name: IOM Council, date: 2027-11-25}\n"
        f"date_prepared: 2027-11-01\ncountries: {countries}\n"
        "modules: [global-overview]\n" + extra, encoding="utf-8")
    return spec


def _build(project: Path, output: Path, *args: str):
    spec = project / "briefs" / "packs" / f"{PACK_ID}.yaml"
    return CliRunner().invoke(main, ["build", str(spec), "--project", str(project),
                                     "-o", str(output), *args])


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _break_image(project: Path) -> None:
    (project / "styles" / "themes" / "default" / "logo.svg").write_text(
        "<svg this is not an image", encoding="utf-8")


def _break_anchor(project: Path) -> None:
    _append(project / "briefs" / "modules" / "global-overview" / "en.md",
            "\nSee [the missing section](#module-nowhere).\n")


def _drop_stylesheet(project: Path) -> None:
    # CSS ignores an @import that comes after other rules: the stylesheet is lost.
    _append(project / "styles" / "themes" / "default" / "theme.css",
            "\n@import 'extra.css';\n")
    (project / "styles" / "themes" / "default" / "extra.css").write_text(
        "h2 { letter-spacing: 0.01em; }\n", encoding="utf-8")


def _unprintable_character(project: Path) -> None:
    # A private-use character no installed font has a glyph for.
    _write_spec(project, extra="talking_points: ['Mark \U000f0001 here.']\n")


@pytest.mark.parametrize(
    ("breakage", "lost"),
    [
        (_break_image, "logo.svg"),
        (_break_anchor, "No anchor #module-nowhere"),
        (_drop_stylesheet, "styles/themes/default/theme.css: @import rule"),
        (_unprintable_character, ".notdef glyph rendered"),
    ],
    ids=["image", "anchor", "stylesheet", "glyph"],
)
def test_lost_content_fails_the_build(project_copy, tmp_path, breakage, lost):
    _write_spec(project_copy)
    breakage(project_copy)
    output = tmp_path / "out"

    result = _build(project_copy, output)

    assert result.exit_code == 1, result.output
    line = next((line for line in result.stderr.splitlines()
                 if "content would be lost" in line), "")
    assert f"{PACK_ID} SEN en: content would be lost: " in line, result.stderr
    assert lost in line, result.stderr
    assert "1 pack(s) failed" in result.stderr
    assert "Traceback" not in result.output
    assert not output.exists() or not any(output.rglob("*.pdf"))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_harmless_warning_is_shown_once_and_the_packs_are_written(
    project_copy, tmp_path, jobs
):
    _write_spec(project_copy, countries="[SEN, FJI]")
    stylesheet = project_copy / "styles" / "themes" / "default" / "theme.css"
    _append(stylesheet, "\nbody { colr: red; }\n")
    line = len(stylesheet.read_text(encoding="utf-8").splitlines())
    output = tmp_path / "out"

    result = _build(project_copy, output, "--jobs", jobs)

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: styles/themes/default/theme.css: Ignored `colr: red` at {line}:8,"
        " unknown property."
    ]
    assert "2 written, 0 skipped, 0 failed, 2 warning(s)" in result.stderr
    assert len(list((output / PACK_ID).glob("*.pdf"))) == 2
