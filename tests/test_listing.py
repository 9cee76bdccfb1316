"""The listing and checking commands on the shipped library."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from briefpack.check import check_project
from briefpack.cli import main

from .conftest import ROOT


def _run(*args: str):
    return CliRunner().invoke(main, [*args, "--project", str(ROOT)])


def test_modules_lists_id_title_tags_and_reviewed_date(project):
    result = _run("modules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(project.modules.ids)
    remittances = next(line for line in lines if line.startswith("remittances-development"))
    meta = project.modules.get("remittances-development").meta
    assert meta.title in remittances and meta.reviewed.isoformat() in remittances
    assert meta.tags[0] in remittances


def test_modules_filters_by_tag():
    result = _run("modules", "--tag", "climate")
    assert result.exit_code == 0
    assert result.stdout.startswith("climate-mobility")
    assert all("climate" in line for line in result.stdout.splitlines())


def test_countries_lists_a_region():
    result = _run("countries", "--region", "Western Africa")
    assert result.exit_code == 0
    codes = [line.split()[0] for line in result.stdout.splitlines()]
    assert "SEN" in codes and "NGA" in codes and "KEN" not in codes
    assert len(codes) == 17


def test_countries_accepts_an_m49_code():
    by_code = _run("countries", "--region", "011")
    by_name = _run("countries", "--region", "Western Africa")
    assert by_code.stdout == by_name.stdout


def test_countries_lists_every_country_and_area():
    result = _run("countries")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 251


def test_shipped_library_passes_strict_check(project):
    problems = check_project(project, today=dt.date(2026, 12, 3))
    assert [str(problem) for problem in problems] == []


def test_version_and_help():
    assert CliRunner().invoke(main, ["--version"]).stdout.startswith("briefpack, version")
    for command in ("build", "modules", "countries", "check"):
        result = CliRunner().invoke(main, [command, "-h"])
        assert result.exit_code == 0 and "Usage:" in result.stdout
