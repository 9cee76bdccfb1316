"""Build one spec end to end: jobs, progress, manifest, combined pack and zip."""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import click

from .batch import (
    BatchReport,
    Job,
    JobResult,
    plan_jobs,
    prepared_date,
    run_batch,
    select_countries,
)
from .files import atomic_path, remove_stale_temporaries
from .inputs import hash_bytes
from .manifest import (
    MANIFEST_CSV,
    MANIFEST_JSON,
    Manifest,
    ManifestEntry,
    load_manifest,
    write_manifest,
)
from .project import Project
from .region import COMBINED_NAME, combined_path, write_combined_pack
from .size import SizeLimits
from .spec import PackSpec

logger = logging.getLogger(__name__)

# Zip entries get one fixed timestamp so the same files make the same zip.
ZIP_TIMESTAMP = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path
    prepared_on: dt.date | None = None
    workers: int = 1
    force: bool = False
    fail_fast: bool = False
    combined: bool = False
    make_zip: bool = False
    show_progress: bool = False
    size_limits: SizeLimits | None = None


@dataclass
class BuildOutcome:
    report: BatchReport
    written: list[Path] = field(default_factory=list)


def build_pack_set(project: Project, spec: PackSpec, options: BuildOptions) -> BuildOutcome:
    """Build every job of a spec and the files that describe the batch.

    The pack folder ends up describing this build only: PDFs of countries or languages
    no longer in the spec are removed, so a manifest, zip or email never carries a
    stale pack. An interrupted build still records what it finished, then aborts.
    """
    prepared_on = prepared_date(spec, options.prepared_on)
    jobs = plan_jobs(spec, project, options.output_dir, prepared_on)
    pack_dir = options.output_dir / spec.pack_id
    for folder in (pack_dir, options.output_dir):
        remove_stale_temporaries(folder)
    logger.info("%s: %d pack(s) to check, %d worker(s)", spec.pack_id, len(jobs),
                min(options.workers, max(len(jobs), 1)))
    with ExitStack() as stack:
        show = _progress_reporter(stack, len(jobs), options.show_progress)
        partial = BatchReport()

        def progress(result: JobResult) -> None:
            # The manifest is rewritten as packs finish, so a run killed outright
            # still lets the next one skip what was completed.
            show(result)
            partial.results.append(result)
            if result.status == "written":
                _write_or_remove_manifest(
                    pack_dir, _update_manifest(project, spec, pack_dir, partial, jobs))

        report = run_batch(project, spec, jobs, prepared_on, workers=options.workers,
                           fail_fast=options.fail_fast, force=options.force,
                           progress=progress, size_limits=options.size_limits)
    outcome = BuildOutcome(report, [r.job.target for r in report.results
                                    if r.status == "written"])
    manifest = _update_manifest(project, spec, pack_dir, report, jobs)
    if report.interrupted:
        _write_or_remove_manifest(pack_dir, manifest)
        return outcome
    _remove_stale_packs(pack_dir, spec.pack_id, jobs, keep_combined=options.combined)
    if options.combined and not report.failed:
        outcome.written.extend(_combined(project, spec, prepared_on, pack_dir, manifest,
                                         jobs, options.force))
    else:
        manifest.combined = manifest.combined_hash = ""
    _write_or_remove_manifest(pack_dir, manifest)
    if options.make_zip and not report.failed:
        outcome.written.append(write_zip(pack_dir, manifest))
    logger.info("%s: %s", spec.pack_id, report.summary())
    return outcome


def _write_or_remove_manifest(pack_dir: Path, manifest: Manifest) -> None:
    if manifest.files:
        write_manifest(pack_dir, manifest)
    elif pack_dir.is_dir() and not any(pack_dir.iterdir()):
        pack_dir.rmdir()


def _combined(project, spec, prepared_on, pack_dir, manifest, jobs, force) -> list[Path]:
    """Write the combined pack unless it is already there for the same inputs."""
    combined_hash = hash_bytes(*(job.input_hash.encode() for job in jobs), b"combined")
    targets = [combined_path(pack_dir, spec.pack_id, lang) for lang in spec.languages]
    if (not force and manifest.combined_hash == combined_hash
            and all(target.is_file() for target in targets)):
        logger.info("%s: combined pack unchanged, skipped", spec.pack_id)
        return []
    written = write_combined_pack(project, spec, select_countries(spec, project),
                                  prepared_on, pack_dir)
    manifest.combined = ", ".join(path.name for path in written)
    manifest.combined_hash = combined_hash
    return written


def _remove_stale_packs(
    pack_dir: Path, pack_id: str, jobs: list[Job], keep_combined: bool
) -> None:
    """Delete PDFs this pack id wrote before for countries or languages now left out."""
    if not pack_dir.is_dir():
        return
    current = {job.target.name for job in jobs}
    for path in sorted(pack_dir.glob(f"{pack_id}_*_*.pdf")):
        is_combined = path.name.startswith(f"{pack_id}_{COMBINED_NAME}_")
        if path.name in current or (is_combined and keep_combined):
            continue
        logger.info("%s: removed %s (no longer part of this pack)", pack_id, path.name)
        path.unlink()


def _progress_reporter(stack: ExitStack, total: int, show_bar: bool):
    """Return a callback that shows progress: a bar on a terminal, else log lines."""
    if show_bar and total > 1:
        bar = stack.enter_context(
            click.progressbar(length=total, label="Building packs",
                              file=click.get_text_stream("stderr"))
        )

        def advance(result: JobResult) -> None:
            bar.update(1)
            if result.status == "failed":
                logger.error("%s", result.message)

        return advance
    counter = {"done": 0}

    def log_line(result: JobResult) -> None:
        counter["done"] += 1
        job = result.job
        if result.status == "failed":
            logger.error("[%d/%d] %s", counter["done"], total, result.message)
        else:
            logger.info("[%d/%d] %s %s %s: %d pages, %d bytes", counter["done"], total,
                        job.iso3, job.lang, result.status, result.pages, result.size)

    return log_line


def _update_manifest(
    project: Project, spec: PackSpec, pack_dir: Path, report: BatchReport,
    jobs: list[Job],
) -> Manifest:
    previous = load_manifest(pack_dir)
    current = {job.target.name for job in jobs}
    # Entries for packs outside this build are dropped; an earlier entry for a pack
    # of this build that failed now stays only if its file is still the one recorded.
    entries = {
        entry.file: entry for entry in (previous.files if previous else [])
        if entry.file in current and _still_matches(pack_dir / entry.file, entry)
    }
    for result in report.results:
        if result.status not in ("written", "skipped"):
            continue
        job = result.job
        entries[job.target.name] = ManifestEntry(
            file=job.target.name,
            country=job.iso3,
            country_name=project.countries.get(job.iso3).name,
            language=job.lang,
            pages=result.pages,
            bytes=result.size,
            sha256=result.sha256,
            input_hash=job.input_hash,
            warnings=list(result.warnings),
        )
    meeting = spec.meeting.model_dump(mode="json")
    return Manifest(
        pack_id=spec.pack_id,
        title=spec.title,
        meeting=meeting,
        classification=spec.classification or "",
        files=list(entries.values()),
        combined=previous.combined if previous else "",
        combined_hash=previous.combined_hash if previous else "",
    )


def _still_matches(path: Path, entry: ManifestEntry) -> bool:
    return path.is_file() and path.stat().st_size == entry.bytes


def write_zip(pack_dir: Path, manifest: Manifest) -> Path:
    """Bundle the manifest's PDFs and the manifests as ``<output>/<pack-id>.zip``."""
    target = pack_dir.parent / f"{pack_dir.name}.zip"
    names = [entry.file for entry in manifest.files]
    names += [name for name in manifest.combined.split(", ") if name]
    names += [MANIFEST_JSON, MANIFEST_CSV]
    members = sorted(pack_dir / name for name in names if (pack_dir / name).is_file())
    with atomic_path(target) as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in members:
                info = zipfile.ZipInfo(f"{pack_dir.name}/{path.name}", ZIP_TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                bundle.writestr(info, path.read_bytes())
    return target
