"""Batches: files and manifest, incremental reruns, failures, reproducibility."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.cli import main

from .conftest import pdf_reader

PACK_ID = "small-batch"


def _write_project_spec(project: Path, countries: str, extra: str = "") -> Path:
    (project / "briefs" / "countries" / "groups.yaml").write_text(
        "testers:\n  name: Test group\n  source: tests\n"
        f"  members: [{countries}]\n", encoding="utf-8")
    spec = project / "briefs" / "packs" / f"{PACK_ID}.yaml"
    spec.write_text(
        "title: Small batch\n"
        "meeting: {name: Regional consultation, date: 2027-05-10}\n"
        "date_prepared: 2027-05-01\n"
        "countries: {group: testers}\n"
        "modules: [global-overview]\n" + extra,
        encoding="utf-8",
    )
    return spec


def _build(project: Path, output: Path, *args: str):
    spec = project / "briefs" / "packs" / f"{PACK_ID}.yaml"
    return CliRunner().invoke(
        main, ["build", str(spec), "--project", str(project), "-o", str(output), *args]
    )


def _log_summary(result) -> str:
    return next(line for line in result.stderr.splitlines() if " written, " in line)


@pytest.fixture
def batch_project(project_copy: Path) -> Path:
    _write_project_spec(project_copy, "SEN, FJI")
    return project_copy


def test_group_batch_writes_each_pdf_and_the_manifest(batch_project, tmp_path):
    output = tmp_path / "out"
    result = _build(batch_project, output, "--jobs", "2")
    assert result.exit_code == 0, result.output
    pack_dir = output / PACK_ID
    expected = {f"{PACK_ID}_SEN_en.pdf", f"{PACK_ID}_FJI_en.pdf"}
    assert {Path(line).name for line in result.stdout.splitlines()} == expected
    assert {p.name for p in pack_dir.glob("*.pdf")} == expected
    assert not list(pack_dir.glob(".*")), "temporary files left behind"

    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pack_id"] == PACK_ID
    assert manifest["meeting"]["name"] == "Regional consultation"
    entries = {entry["country"]: entry for entry in manifest["files"]}
    assert set(entries) == {"SEN", "FJI"}
    for iso3, entry in entries.items():
        pdf = pack_dir / entry["file"]
        assert entry["bytes"] == pdf.stat().st_size
        assert entry["pages"] == len(pdf_reader(pdf).pages)
        assert entry["language"] == "en" and len(entry["input_hash"]) == 64
        import hashlib
        assert entry["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()

    rows = list(csv.DictReader(io.StringIO((pack_dir / "manifest.csv").read_text())))
    assert [row["country"] for row in rows] == ["FJI", "SEN"]
    assert "written 2" not in result.stderr
    assert _log_summary(result).startswith(f"{PACK_ID}: 2 written, 0 skipped, 0 failed")


def test_rerun_skips_everything_and_force_rebuilds(batch_project, tmp_path):
    output = tmp_path / "out"
    assert _build(batch_project, output).exit_code == 0
    rerun = _build(batch_project, output)
    assert rerun.exit_code == 0
    assert rerun.stdout == ""
    assert "0 written, 2 skipped" in _log_summary(rerun)
    forced = _build(batch_project, output, "--force")
    assert "2 written, 0 skipped" in _log_summary(forced)


def test_changed_module_rebuilds_only_the_packs_that_use_it(batch_project, tmp_path):
    output = tmp_path / "out"
    assert _build(batch_project, output).exit_code == 0
    oceania = batch_project / "briefs" / "modules" / "regional-oceania" / "en.md"
    oceania.write_text(oceania.read_text(encoding="utf-8") + "\nOne more line.\n",
                       encoding="utf-8")
    rerun = _build(batch_project, output)
    assert rerun.exit_code == 0
    assert [Path(line).name for line in rerun.stdout.splitlines()] == [
        f"{PACK_ID}_FJI_en.pdf"]
    assert "1 written, 1 skipped" in _log_summary(rerun)


def test_truncated_output_is_rebuilt(batch_project, tmp_path):
    output = tmp_path / "out"
    assert _build(batch_project, output).exit_code == 0
    target = output / PACK_ID / f"{PACK_ID}_SEN_en.pdf"
    target.write_bytes(target.read_bytes()[:1000])
    rerun = _build(batch_project, output)
    assert [Path(line).name for line in rerun.stdout.splitlines()] == [target.name]


def test_failing_country_does_not_stop_the_others(batch_project, tmp_path):
    # A link to an anchor that does not exist loses content, so the Oceania pack
    # (which carries the regional Oceania module) fails; Senegal's must still be built.
    oceania = batch_project / "briefs" / "modules" / "regional-oceania" / "en.md"
    oceania.write_text(oceania.read_text(encoding="utf-8") + "\n[See](#nowhere).\n",
                       encoding="utf-8")
    output = tmp_path / "out"
    result = _build(batch_project, output, "--jobs", "2")
    assert result.exit_code == 1
    assert "1 pack(s) failed" in result.stderr
    assert "FJI en: " in result.stderr and "nowhere" in result.stderr
    assert "Traceback" not in result.output
    assert [Path(line).name for line in result.stdout.splitlines()] == [
        f"{PACK_ID}_SEN_en.pdf"]
    assert not (output / PACK_ID / f"{PACK_ID}_FJI_en.pdf").exists()
    manifest = json.loads((output / PACK_ID / "manifest.json").read_text())
    assert [entry["country"] for entry in manifest["files"]] == ["SEN"]


def test_fail_fast_stops_at_the_first_failure(batch_project, tmp_path):
    _write_project_spec(batch_project, "FJI, SEN")
    oceania = batch_project / "briefs" / "modules" / "regional-oceania" / "en.md"
    oceania.write_text(oceania.read_text(encoding="utf-8") + "\n[See](#nowhere).\n",
                       encoding="utf-8")
    result = _build(batch_project, tmp_path / "out", "--jobs", "1", "--fail-fast")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_same_inputs_give_byte_identical_pdfs(batch_project, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    assert _build(batch_project, first, "--jobs", "2").exit_code == 0
    assert _build(batch_project, second, "--jobs", "1").exit_code == 0
    for name in (f"{PACK_ID}_SEN_en.pdf", f"{PACK_ID}_FJI_en.pdf", "manifest.json"):
        assert (first / PACK_ID / name).read_bytes() == (second / PACK_ID / name).read_bytes()


def test_combined_pack_and_zip(batch_project, tmp_path):
    output = tmp_path / "out"
    result = _build(batch_project, output, "--combined", "--zip")
    assert result.exit_code == 0, result.output
    combined = output / PACK_ID / f"{PACK_ID}_combined_en.pdf"
    zipped = output / f"{PACK_ID}.zip"
    assert str(combined) in result.stdout and str(zipped) in result.stdout
    reader = pdf_reader(combined)
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Country profile: Senegal" in top and "Country profile: Fiji" in top
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Test group" in text
    with zipfile.ZipFile(zipped) as bundle:
        names = sorted(bundle.namelist())
    assert names == sorted(f"{PACK_ID}/{name}" for name in (
        f"{PACK_ID}_FJI_en.pdf", f"{PACK_ID}_SEN_en.pdf", f"{PACK_ID}_combined_en.pdf",
        "manifest.csv", "manifest.json"))


def test_region_flag_selects_every_country_of_a_subregion(project):
    from briefpack.batch import select_countries
    from briefpack.spec import validate_pack_spec

    spec = validate_pack_spec(
        {"pack_id": "wa", "title": "t", "meeting": {"name": "m"},
         "countries": {"region": "Western Africa", "exclude": ["SHN"]},
         "modules": ["global-overview"]},
        "test", project,
    )
    codes = select_countries(spec, project)
    assert "SEN" in codes and "NGA" in codes and "SHN" not in codes
    assert len(codes) == 16


def test_unknown_region_and_group_get_suggestions(tmp_path):
    from .conftest import ROOT

    result = CliRunner().invoke(main, [
        "build", "--project", str(ROOT), "-o", str(tmp_path), "--region",
        "Western Afrika", "--group", "ecowaz", "--module", "global-overview",
        "--meeting", "m"])
    assert result.exit_code == 2
    assert "--region: unknown M49 region 'Western Afrika' (did you mean 'Western Africa'" \
        in result.output
    assert "--group: unknown group 'ecowaz' (did you mean 'ecowas'?)" in result.output


def test_rebuild_with_fewer_countries_removes_the_stale_pack(batch_project, tmp_path):
    output = tmp_path / "out"
    assert _build(batch_project, output, "--zip").exit_code == 0
    _write_project_spec(batch_project, "SEN", extra="classification: Restricted\n")
    result = _build(batch_project, output, "--zip")
    assert result.exit_code == 0, result.output
    pack_dir = output / PACK_ID
    assert sorted(p.name for p in pack_dir.glob("*.pdf")) == [f"{PACK_ID}_SEN_en.pdf"]
    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [entry["country"] for entry in manifest["files"]] == ["SEN"]
    assert manifest["classification"] == "Restricted"
    with zipfile.ZipFile(output / f"{PACK_ID}.zip") as bundle:
        assert f"{PACK_ID}/{PACK_ID}_FJI_en.pdf" not in bundle.namelist()
    assert f"removed {PACK_ID}_FJI_en.pdf" in result.stderr


def test_interrupted_batch_records_what_it_finished(batch_project, tmp_path, monkeypatch):
    from briefpack import batch

    real_run_job = batch.run_job

    def run_then_interrupt(project, spec, job, *args, **kwargs):
        if job.iso3 == "SEN":
            raise KeyboardInterrupt
        return real_run_job(project, spec, job, *args, **kwargs)

    monkeypatch.setattr(batch, "run_job", run_then_interrupt)
    output = tmp_path / "out"
    result = _build(batch_project, output, "--jobs", "1")
    assert result.exit_code == 1
    assert "Aborted" in result.output
    manifest = json.loads((output / PACK_ID / "manifest.json").read_text())
    assert [entry["country"] for entry in manifest["files"]] == ["FJI"]
    assert result.stdout.strip().endswith(f"{PACK_ID}_FJI_en.pdf")


def test_combined_pack_is_not_rebuilt_when_nothing_changed(batch_project, tmp_path):
    output = tmp_path / "out"
    assert _build(batch_project, output, "--combined").exit_code == 0
    combined = output / PACK_ID / f"{PACK_ID}_combined_en.pdf"
    before = combined.stat().st_mtime_ns
    rerun = _build(batch_project, output, "--combined")
    assert rerun.exit_code == 0
    assert rerun.stdout == ""
    assert "combined pack unchanged" in rerun.stderr
    assert combined.stat().st_mtime_ns == before
