"""The bad-input catalogue: every case in ``tests/bad_inputs/`` fails cleanly.

Each case is one YAML file (the format is described in ``tests/bad_inputs/README.md``).
The test breaks a private copy of the project as the case says, runs the command a user
would run, and checks the exit code, the words of the message, that the message is one
line, that there is no traceback, and that nothing was written to the output folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefpack.cli import main

CASES_DIR = Path(__file__).parent / "bad_inputs"

CASE_KEYS = {
    "description", "kind", "file", "input", "edits", "append", "encoding", "input_hex",
    "remove", "make_dir", "spec", "command", "args", "output_is_file", "exit_code",
    "message_contains", "message_matches", "same_line",
}
KINDS = {"spec", "module", "data", "flags", "theme", "template"}

DEFAULT_FILES = {
    "spec": "briefs/packs/bad-pack.yaml",
    "module": "briefs/modules/displacement/en.md",
    "data": "briefs/countries/country_latest.csv",
    "theme": "styles/themes/default/theme.yaml",
}

# The spec built for cases that break something other than a spec: a pack that uses
# the module the module cases break.
GOOD_SPEC = """\
title: Catalogue pack
meeting: {name: IOM Council, date: 2027-11-25}
date_prepared: 2027-11-01
countries: [SEN]
modules: [global-overview, displacement]
"""


def load_cases() -> list[tuple[str, dict]]:
    """Return (case id, case) for every catalogue file, in a stable order."""
    cases = []
    for path in sorted(CASES_DIR.glob("*/*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases.append((f"{path.parent.name}/{path.stem}", case))
    return cases


CASES = load_cases()


def _apply(case: dict, project: Path) -> Path | None:
    """Make the change the case describes; return the changed file's path."""
    name = case.get("file", DEFAULT_FILES.get(case["kind"]))
    if name is None:
        return None
    target = project / name
    if case.get("remove"):
        target.unlink()
        return target
    if case.get("make_dir"):
        if target.exists():
            target.unlink()
        target.mkdir(parents=True)
        return target
    if "input_hex" in case:
        target.write_bytes(bytes.fromhex(case["input_hex"]))
        return target
    if "input" not in case and not target.exists():
        # A case that only names a file, such as a spec path that does not exist.
        return target
    text = case["input"] if "input" in case else target.read_text(encoding="utf-8")
    for old, new in case.get("edits", []):
        assert old in text, f"edit target {old!r} not in {name}; the case is stale"
        text = text.replace(old, new, 1)
    text += case.get("append", "")
    encoding = case.get("encoding", "utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode(encoding, errors="replace"))
    return target


def _arguments(case: dict, project: Path, output: Path, changed: Path | None) -> list[str]:
    command = case.get("command", "build")
    if command == "check":
        return ["check", "--project", str(project)]
    if case["kind"] == "flags":
        args = [str(arg) for arg in case["args"]]
    elif case["kind"] == "spec":
        args = [str(arg) for arg in case.get("args", ["{file}"])]
    else:
        spec = project / "briefs" / "packs" / "catalogue.yaml"
        spec.write_text(case.get("spec", GOOD_SPEC), encoding="utf-8")
        args = [str(spec), *case.get("args", [])]
    args = [arg.replace("{file}", str(changed)).replace("{project}", str(project))
            for arg in args]
    return ["build", *args, "--project", str(project), "-o", str(output)]


def _files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*")) if folder.is_dir() else []


@pytest.mark.parametrize("case", [case for _, case in CASES], ids=[i for i, _ in CASES])
def test_bad_input_fails_cleanly(case, project_copy, tmp_path):
    assert set(case) <= CASE_KEYS, f"unknown keys {set(case) - CASE_KEYS}"
    assert case["kind"] in KINDS
    output = tmp_path / "output"
    if case.get("output_is_file"):
        output.write_text("not a folder", encoding="utf-8")
    changed = _apply(case, project_copy)

    result = CliRunner().invoke(main, _arguments(case, project_copy, output, changed))

    text = result.output
    assert result.exit_code == case["exit_code"], text
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"unexpected {result.exception!r}\n{text}"
    )
    assert "Traceback" not in text
    phrases = case["message_contains"]
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    for pattern in case.get("message_matches", []):
        assert re.search(pattern, text, re.MULTILINE), f"/{pattern}/ not in:\n{text}"
    if case.get("same_line", True):
        assert any(all(phrase in line for phrase in phrases)
                   for line in text.splitlines()), f"not on one line:\n{text}"
    if case.get("output_is_file"):
        assert output.read_text(encoding="utf-8") == "not a folder"
    else:
        assert _files_in(output) == [], "something was written to the output folder"


def test_catalogue_is_large_and_cases_are_distinct():
    assert len(CASES) >= 60
    areas = {case_id.split("/")[0] for case_id, _ in CASES}
    assert {"spec", "module", "data", "flags"} <= areas
    changes = [
        yaml.safe_dump({key: case.get(key) for key in sorted(case)
                        if key not in ("description", "message_contains",
                                       "message_matches", "same_line", "exit_code")})
        for _, case in CASES
    ]
    duplicates = {c for c in changes if changes.count(c) > 1}
    assert not duplicates, f"the same mistake is catalogued twice: {duplicates}"
    for case_id, case in CASES:
        assert case.get("description"), f"{case_id} has no description"
        assert case["exit_code"] in (1, 2), case_id

