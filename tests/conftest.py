"""Shared fixtures: the real project, a CLI runner, and packs built once per session."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from briefpack.cli import main
from briefpack.project import Project

ROOT = Path(__file__).resolve().parents[1]
SENEGAL_SPEC = ROOT / "briefs" / "packs" / "idm-2027-senegal.yaml"
COLOMBIA_SPEC = ROOT / "briefs" / "packs" / "imrf-2026-colombia.yaml"


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run_cli(*args: str) -> "click.testing.Result":
    """Invoke briefpack in-process with the real project as the project folder."""
    return CliRunner().invoke(main, [*args], catch_exceptions=False)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A private copy of the project's content folders that a test may break."""
    for folder in ("briefs", "templates", "styles"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """Build both example specs and one flag-form pack once; return their paths."""
    output = tmp_path_factory.mktemp("output")
    result = CliRunner().invoke(
        main,
        ["build", str(SENEGAL_SPEC), str(COLOMBIA_SPEC), "-o", str(output),
         "--project", str(ROOT)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    flags = CliRunner().invoke(
        main,
        ["build", "--project", str(ROOT), "-o", str(output), "--country", "che",
         "--module", "migration-governance", "--module", "migrant-health",
         "--meeting", "IOM Council", "--date", "2027-11-25",
         "--venue", "Palais des Nations, Geneva", "--prepared-for", "Swiss delegation",
         "--classification", "Unclassified", "--date-prepared", "2027-11-01"],
        catch_exceptions=False,
    )
    assert flags.exit_code == 0, flags.output
    return {
        "senegal": output / "idm-2027-senegal" / "idm-2027-senegal_SEN_en.pdf",
        "colombia": output / "imrf-2026-colombia" / "imrf-2026-colombia_COL_en.pdf",
        "flags": output / "iom-council-2027-11-25" / "iom-council-2027-11-25_CHE_en.pdf",
        "stdout": result.stdout + flags.stdout,
        "output": output,
    }


def pdf_reader(path: Path) -> PdfReader:
    return PdfReader(io.BytesIO(path.read_bytes()))


def page_texts(path: Path) -> list[str]:
    """Return each page's extracted text with whitespace folded."""
    return [" ".join((page.extract_text() or "").split()) for page in pdf_reader(path).pages]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)
