"""`briefpack check` rejects each kind of module defect with the right message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.check import check_project, has_figure
from briefpack.cli import main
from briefpack.project import Project

TODAY = dt.date(2026, 12, 3)

FRONT = """\
---
id: test-module
title: A test module
summary: >-
  The first sentence of the summary. The second sentence of the summary.
key_messages:
  - One message.
  - Two messages.
  - Three messages.
policy_options:
  - Do one thing.
  - Do another thing.
  - Do a third thing.
  - Do a fourth thing.
gcm_objectives: [1, 23]
sdg_targets: ["10.7"]
sources:
  - id: test-source
    publisher: A publisher
    title: A report
    year: 2024
    url: https://example.org/report
reviewed: 2026-11-01
tags: [test]
---
"""

# 620 words of filler so the length rule is met by default.
FILLER = ("Plain words fill this paragraph so that the body is long enough. " * 10 + "\n\n") * 6

BODY = "## Heading\n\nThe report counts 304 million migrants [@test-source].\n\n" + FILLER


def _write_module(project_dir: Path, front: str = FRONT, body: str = BODY,
                  folder: str = "test-module") -> Path:
    path = project_dir / "briefs" / "modules" / folder / "en.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front + body, encoding="utf-8")
    return path


def _problems(project_dir: Path) -> list[str]:
    project = Project(project_dir)
    return [str(problem) for problem in check_project(project, TODAY)
            if "test-module" in problem.where]


def test_valid_module_has_no_problems(project_copy):
    _write_module(project_copy)
    assert _problems(project_copy) == []


@pytest.mark.parametrize(
    ("front", "body", "expected"),
    [
        (FRONT.replace("reviewed: 2026-11-01\n", ""), BODY, "reviewed: missing required key"),
        (FRONT.replace("  - id: test-source\n    publisher: A publisher\n    title: A report\n"
                       "    year: 2024\n    url: https://example.org/report\n", ""),
         BODY, "sources: input should be a valid list"),
        (FRONT, BODY.replace(" [@test-source]", ""), "body: figure without a citation"),
        (FRONT, BODY.replace("[@test-source]", "[@nowhere]"),
         "sources: [@nowhere] is cited but not defined"),
        (FRONT, BODY + "See [the other module](module:no-such-module).\n",
         "link to unknown module 'no-such-module'"),
        (FRONT, "Intro paragraph.\n| a | b |\n|---|---|\n| 1 | 2 |\n\n" + FILLER,
         "pipe table with no blank line before it"),
        (FRONT, BODY + "A claim.[^1]\n", "footnote marker [^1] has no definition"),
        (FRONT, "# Top heading\n\n" + FILLER, "level-1 heading"),
        (FRONT, BODY + "::: country\n{{ migrant_stok }} people [@test-source].\n:::\n",
         "unknown placeholder {{ migrant_stok }}"),
        (FRONT, BODY + "::: country\nText without an end.\n",
         "passage is not closed"),
        (FRONT.replace("gcm_objectives: [1, 23]", "gcm_objectives: [0, 24]"), BODY,
         "GCM objectives are numbered 1 to 23"),
        (FRONT.replace('sdg_targets: ["10.7"]', 'sdg_targets: ["10.77.1"]'), BODY,
         "not SDG target codes"),
        (FRONT.replace("  - Three messages.\n", ""), BODY,
         "key_messages: has 2 items; expected 3–5"),
        (FRONT.replace("The second sentence of the summary.", ""), BODY,
         "summary: has 1 sentence(s); write two"),
        (FRONT.replace("tags: [test]", "tags: [test]\ncolour: blue"), BODY,
         "colour: unknown key"),
    ],
)
def test_defects_are_reported(project_copy, front, body, expected):
    _write_module(project_copy, front, body)
    problems = _problems(project_copy)
    assert any(expected in problem for problem in problems), problems


def test_id_must_match_folder(project_copy):
    _write_module(project_copy, folder="other-name")
    project = Project(project_copy)
    problems = [str(p) for p in check_project(project, TODAY) if "other-name" in p.where]
    assert any("'test-module' does not match its folder name 'other-name'" in p
               for p in problems)


def test_old_review_date_is_a_warning_and_strict_fails(project_copy):
    _write_module(project_copy, FRONT.replace("reviewed: 2026-11-01", "reviewed: 2024-01-01"))
    problems = _problems(project_copy)
    assert problems == [
        f"warning: {project_copy}/briefs/modules/test-module/en.md: reviewed: 2024-01-01 is"
        " more than 18 months ago; check the facts and update the date"]
    loose = CliRunner().invoke(main, ["check", "--project", str(project_copy)])
    strict = CliRunner().invoke(main, ["check", "--strict", "--project", str(project_copy)])
    assert loose.exit_code == 0
    assert strict.exit_code == 1
    assert "1 warning(s) (--strict)" in strict.output


def test_check_reports_one_line_per_problem_and_exits_1(project_copy):
    _write_module(project_copy, body=BODY.replace(" [@test-source]", "") + "# H1\n")
    result = CliRunner().invoke(main, ["check", "--project", str(project_copy)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "test-module" in line]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 2
    assert any("'test-source' is listed but never cited" in line for line in lines)


def test_check_also_checks_specs_and_country_data(project_copy):
    (project_copy / "briefs" / "packs" / "broken.yaml").write_text(
        "title: t\nmeeting: {name: m}\ncountries: [XYZ]\nmodules: [global-overview]\n")
    latest = project_copy / "briefs" / "countries" / "country_latest.csv"
    lines = latest.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(lines[5].split(",")[6], "lots", 1)
    latest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(project_copy)])
    assert result.exit_code == 1
    assert "country_latest.csv:6: data: column 'undesa_migrant_stock_2024': 'lots' is" \
        " not a number" in result.stdout
    assert "pack specs not checked until the country data loads" in result.stdout


def test_check_reports_bad_specs(project_copy):
    (project_copy / "briefs" / "packs" / "broken.yaml").write_text(
        "title: t\nmeeting: {name: m}\ncountries: [XYZ]\nmodules: [global-overview]\n")
    result = CliRunner().invoke(main, ["check", "--project", str(project_copy)])
    assert result.exit_code == 1
    assert "broken.yaml: spec: countries[0]: unknown country code 'XYZ'" in result.stdout


@pytest.mark.parametrize(("sentence", "needs_citation"), [
    ("About 304 million migrants lived abroad.", True),
    ("Tonga received 42.61% of GDP.", True),
    ("Canada scored 8.46 on the index.", True),
    ("In 2024 the GCM objective 20 matters.", False),
    ("SDG target 10.7 and 10.c apply.", False),
    ("Adopted on 19 December 2018 (A/RES/73/195).", False),
    ("COVID-19 changed travel.", False),
    ("Chapter 7 covers it.", False),
    ("There were {{ migrant_stock }} migrants in {{ country_name }}.", True),
])
def test_what_counts_as_a_figure(sentence, needs_citation):
    assert has_figure(sentence) is needs_citation


def test_every_module_renders_in_a_pack(project, tmp_path):
    result = CliRunner().invoke(main, [
        "build", "--project", str(project.root), "-o", str(tmp_path), "--country", "FJI",
        "--meeting", "Library test", "--date-prepared", "2026-12-03",
        *[arg for module_id in project.modules.ids for arg in ("--module", module_id)],
    ])
    assert result.exit_code == 0, result.output
    from .conftest import page_texts

    pdf = next(tmp_path.rglob("*.pdf"))
    text = " ".join(page_texts(pdf))
    for module_id in project.modules.ids:
        assert project.modules.get(module_id).meta.title in text, module_id
