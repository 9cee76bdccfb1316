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
    JobResult,
    plan_jobs,
    prepared_date,
    run_batch,
    select_countries,
)
from .files import atomic_path, remove_stale_temporaries
from .manifest import Manifest, ManifestEntry, load_manifest, write_manifest
from .project import Project
from .region import write_combined_pack
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
    """Build every job of a spec and the files that describe the batch."""
    prepared_on = prepared_date(spec, options.prepared_on)
    jobs = plan_jobs(spec, project, options.output_dir, prepared_on)
    pack_dir = options.output_dir / spec.pack_id
    for folder in (pack_dir, options.output_dir):
        remove_stale_temporaries(folder)
    logger.info("%s: %d pack(s) to check, %d worker(s)", spec.pack_id, len(jobs),
                min(options.workers, max(len(jobs), 1)))
    with ExitStack() as stack:
        progress = _progress_reporter(stack, len(jobs), options.show_progress)
        report = run_batch(project, spec, jobs, prepared_on, workers=options.workers,
                           fail_fast=options.fail_fast, force=options.force,
                           progress=progress, size_limits=options.size_limits)
    outcome = BuildOutcome(report, [r.job.target for r in report.results
                                    if r.status == "written"])
    manifest = _update_manifest(project, spec, pack_dir, report)
    if options.combined and not report.failed:
        combined = write_combined_pack(project, spec, select_countries(spec, project),
                                       prepared_on, pack_dir)
        manifest.combined = ", ".join(path.name for path in combined)
        outcome.written.extend(combined)
    if manifest.files:
        write_manifest(pack_dir, manifest)
    elif pack_dir.is_dir() and not any(pack_dir.iterdir()):
        pack_dir.rmdir()
    if options.make_zip and not report.failed:
        outcome.written.append(write_zip(pack_dir))
    logger.info("%s: %s", spec.pack_id, report.summary())
    return outcome


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
    project: Project, spec: PackSpec, pack_dir: Path, report: BatchReport
) -> Manifest:
    previous = load_manifest(pack_dir)
    entries = {entry.file: entry for entry in previous.files} if previous else {}
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
    )


def write_zip(pack_dir: Path) -> Path:
    """Bundle a pack folder's PDFs and manifests as ``<output>/<pack-id>.zip``."""
    target = pack_dir.parent / f"{pack_dir.name}.zip"
    members = sorted(
        path for path in pack_dir.iterdir()
        if path.is_file() and not path.name.startswith(".")
        and path.suffix in (".pdf", ".json", ".csv")
    )
    with atomic_path(target) as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in members:
                info = zipfile.ZipInfo(f"{pack_dir.name}/{path.name}", ZIP_TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                bundle.writestr(info, path.read_bytes())
    return target
