"""Bad input: one clear message, the right exit code, no traceback, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.cli import main

from .conftest import ROOT


def _build(tmp_path: Path, *args: str):
    output = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", "--project", str(ROOT), "-o", str(output), *args]
    )
    return result, output


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _write_spec(tmp_path: Path, text: str, name: str = "bad-pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD_SPEC = """\
title: A pack
meeting: {name: IOM Council, date: 2027-11-25}
countries: [SEN]
modules: [global-overview]
"""


def _assert_user_error(result, exit_code: int, *words: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    )
    for word in words:
        assert word in result.output, f"{word!r} not in {result.output!r}"


def test_unknown_country_flag_suggests_nearest_codes(tmp_path):
    result, output = _build(tmp_path, "--country", "SNG", "--module",
                            "global-overview", "--meeting", "IDM")
    _assert_user_error(result, 2, "--country", "'SNG'", "'SEN'", "'SGP'")
    assert _files_under(output) == []


def test_unknown_module_flag_suggests_nearest_id(tmp_path):
    result, output = _build(tmp_path, "--country", "SEN", "--module", "remitances",
                            "--meeting", "IDM")
    _assert_user_error(result, 2, "--module", "'remitances'", "remittances-development")
    assert _files_under(output) == []


def test_bad_date_flag(tmp_path):
    result, _ = _build(tmp_path, "--country", "SEN", "--module", "global-overview",
                       "--meeting", "IDM", "--date", "2027-02-30")
    _assert_user_error(result, 2, "--date", "'2027-02-30'", "YYYY-MM-DD")


def test_missing_spec_file(tmp_path):
    result, output = _build(tmp_path, str(tmp_path / "nope.yaml"))
    _assert_user_error(result, 2, "nope.yaml", "does not exist")
    assert _files_under(output) == []


def test_spec_and_flags_together_is_a_usage_error(tmp_path):
    spec = _write_spec(tmp_path, GOOD_SPEC)
    result, _ = _build(tmp_path, str(spec), "--country", "SEN")
    _assert_user_error(result, 2, "not both")


def test_flags_need_country_module_and_meeting(tmp_path):
    result, _ = _build(tmp_path, "--country", "SEN")
    _assert_user_error(result, 2, "--module", "--meeting")


def test_malformed_yaml_names_file_and_line(tmp_path):
    spec = _write_spec(tmp_path, "title: [unclosed\nmodules: [a]\n")
    result, output = _build(tmp_path, str(spec))
    _assert_user_error(result, 1, "bad-pack.yaml:", "malformed YAML")
    assert _files_under(output) == []


def test_every_spec_problem_is_reported_at_once(tmp_path):
    spec = _write_spec(tmp_path, """\
title: A pack
meeting: {name: IDM, date: 2027-02-30}
countries: [SNG, SEN, SEN]
modules: [global-overveiw, displacement]
colour: red
""")
    result, output = _build(tmp_path, str(spec))
    _assert_user_error(
        result, 1,
        "bad-pack.yaml: meeting.date: '2027-02-30' is not a valid date",
        "bad-pack.yaml: colour: unknown key",
        "modules[0]: unknown module id 'global-overveiw' (did you mean 'global-overview'?)",
        "countries[0]: unknown country code 'SNG'",
        "countries[2]: 'SEN' is listed twice",
        "5 problems found; nothing was written.",
    )
    assert _files_under(output) == []


def test_unknown_key_gets_a_suggestion(tmp_path):
    spec = _write_spec(tmp_path, GOOD_SPEC + "talking_point: [x]\n")
    result, _ = _build(tmp_path, str(spec))
    _assert_user_error(result, 1, "talking_point: unknown key (did you mean 'talking_points'?)")


def test_nested_unknown_key_gets_a_suggestion(tmp_path):
    spec = _write_spec(tmp_path, GOOD_SPEC.replace("date: 2027-11-25", "dat: 2027-11-25"))
    result, _ = _build(tmp_path, str(spec))
    _assert_user_error(result, 1, "meeting.dat: unknown key (did you mean 'date'?)")


def test_end_date_before_start(tmp_path):
    spec = _write_spec(tmp_path, GOOD_SPEC.replace(
        "date: 2027-11-25", "date: 2027-11-25, end_date: 2027-11-20"))
    result, _ = _build(tmp_path, str(spec))
    _assert_user_error(result, 1, "meeting.end_date", "before")


def test_pack_id_comes_from_a_safe_file_name(tmp_path):
    spec = _write_spec(tmp_path, GOOD_SPEC, name="My Pack.yaml")
    result, output = _build(tmp_path, str(spec))
    _assert_user_error(result, 1, "file name", "'My Pack'")
    assert _files_under(output) == []


def test_unknown_theme(tmp_path):
    spec = _write_spec(tmp_path, GOOD_SPEC + "theme: defualt\n")
    result, _ = _build(tmp_path, str(spec))
    _assert_user_error(result, 1, "theme: unknown theme 'defualt' (did you mean 'default'?)")


def test_language_without_module_text(tmp_path):
    spec = _write_spec(tmp_path, GOOD_SPEC + "languages: [fr]\n")
    result, _ = _build(tmp_path, str(spec))
    _assert_user_error(result, 1, "'global-overview' has no 'fr' text")


def test_not_a_project_folder(tmp_path):
    result = CliRunner().invoke(main, ["build", "--project", str(tmp_path),
                                       str(ROOT / "briefs/packs/idm-2027-senegal.yaml")])
    _assert_user_error(result, 1, "not a briefpack project", "--project")


@pytest.mark.parametrize("args", [["modules", "--tag", "nosuchtag"],
                                  ["countries", "--region", "Westren Africa"]])
def test_listing_filters_reject_unknown_values(args):
    result = CliRunner().invoke(main, [*args, "--project", str(ROOT)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("flag", ["--classification", "--meeting", "--venue",
                                  "--prepared-for", "--talking-point"])
def test_values_with_newlines_are_refused(tmp_path, flag):
    args = ["--country", "SEN", "--module", "global-overview", "--meeting", "IDM"]
    result, output = _build(tmp_path, *args, flag, "Secret\nInjected")
    _assert_user_error(result, 2, flag, "control character", "one line")
    assert _files_under(output) == []
