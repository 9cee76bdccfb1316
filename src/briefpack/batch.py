"""Expand a spec into jobs (country × language) and run them, in parallel if asked.

Each job renders in a worker process and writes only its own PDF, through a temporary
file and a rename, so parallel jobs cannot mix outputs and a killed run leaves nothing
truncated under a final name. Workers are recycled after ``JOBS_PER_WORKER`` jobs so
memory stays bounded over long batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import multiprocessing
import os
import signal
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefError, ProblemsError
from .files import write_atomic
from .inputs import InputHasher
from .manifest import Manifest, ManifestEntry, load_manifest
from .project import Project
from .render import output_path, render_pack
from .size import SizeError, SizeLimits
from .spec import CountrySelector, PackSpec
from .theme import load_theme

logger = logging.getLogger(__name__)

JOBS_PER_WORKER = 25


@dataclass(frozen=True)
class Job:
    """One PDF to write: a country pack in one language."""

    iso3: str
    lang: str
    target: Path
    input_hash: str = ""


@dataclass
class JobResult:
    job: Job
    status: str
    pages: int = 0
    size: int = 0
    sha256: str = ""
    message: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class BatchReport:
    results: list[JobResult] = field(default_factory=list)
    seconds: float = 0.0
    stopped_early: bool = False
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def failed(self) -> list[JobResult]:
        return [result for result in self.results if result.status == "failed"]

    @property
    def warning_count(self) -> int:
        return sum(len(result.warnings) for result in self.results)

    def summary(self) -> str:
        return (
            f"{self.count('written')} written, {self.count('skipped')} skipped,"
            f" {self.count('failed')} failed, {self.warning_count} warning(s),"
            f" {self.seconds:.1f} s"
        )


# --- Choosing countries and jobs -------------------------------------------------------


def select_countries(spec: PackSpec, project: Project) -> list[str]:
    """Return the ISO3 codes a spec covers, in a stable order."""
    if isinstance(spec.countries, list):
        return list(dict.fromkeys(spec.countries))
    return _expand_selector(spec.countries, project)


def _expand_selector(selector: CountrySelector, project: Project) -> list[str]:
    chosen: list[str] = []
    if selector.region:
        chosen.extend(project.resolve_area(selector.region))
    if selector.group:
        chosen.extend(project.groups[selector.group].members)
    chosen.extend(code.upper() for code in selector.include)
    excluded = {code.upper() for code in selector.exclude}
    return sorted(dict.fromkeys(code for code in chosen if code not in excluded))


def plan_jobs(
    spec: PackSpec, project: Project, output_dir: Path, prepared_on: dt.date
) -> list[Job]:
    """Return every job of a spec with its input hash; paths follow one naming rule."""
    hasher = InputHasher(project, load_theme(project.styles_dir, spec.theme))
    return [
        Job(
            iso3=iso3,
            lang=lang,
            target=output_path(output_dir, spec.pack_id, iso3, lang),
            input_hash=hasher.job_hash(spec, iso3, lang, prepared_on.isoformat()),
        )
        for iso3 in select_countries(spec, project)
        for lang in spec.languages
    ]


def prepared_date(spec: PackSpec, override: dt.date | None = None) -> dt.date:
    """Return the "date prepared": flag, spec, SOURCE_DATE_EPOCH, then today."""
    if override is not None:
        return override
    if spec.date_prepared is not None:
        return spec.date_prepared
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except ValueError as err:
            raise BriefError(
                f"SOURCE_DATE_EPOCH: {epoch!r} is not a whole number of seconds"
            ) from err
    return dt.date.today()


def is_up_to_date(job: Job, manifest: Manifest | None) -> bool:
    """Return whether the file at ``job.target`` was built from the same inputs."""
    if manifest is None or not job.target.is_file():
        return False
    entry = manifest.entry_for(job.target.name)
    if entry is None or entry.input_hash != job.input_hash:
        return False
    # A file changed or truncated since it was written is rebuilt too.
    return entry.bytes == job.target.stat().st_size


# --- Running jobs ----------------------------------------------------------------------

# One project per worker process, loaded on its first job.
_WORKER_PROJECTS: dict[Path, Project] = {}


def _worker_project(root: Path) -> Project:
    if root not in _WORKER_PROJECTS:
        _WORKER_PROJECTS[root] = Project(root)
    return _WORKER_PROJECTS[root]


def run_job(
    project: Project,
    spec: PackSpec,
    job: Job,
    prepared_on: dt.date,
    size_limits: SizeLimits | None = None,
) -> JobResult:
    """Render and write one job; a user-facing failure becomes a failed result.

    A PDF over the hard size limit fails and leaves nothing at the target path (not
    even an earlier build's file); one over the budget is written with a warning that
    names its largest fonts and images.
    """
    warnings: tuple[str, ...] = ()
    try:
        with tempfile.TemporaryDirectory(prefix=f"briefpack-{job.iso3}-") as scratch:
            rendered = render_pack(project, spec, job.iso3, job.lang, prepared_on,
                                   scratch_dir=Path(scratch))
        if size_limits is not None:
            size_warning = size_limits.enforce(rendered.pdf, job.target.name)
            if size_warning:
                logger.warning("%s", size_warning)
                warnings = (size_warning,)
        write_atomic(job.target, rendered.pdf)
    except SizeError as err:
        job.target.unlink(missing_ok=True)
        return JobResult(job, "failed", message=err.format_message())
    except ProblemsError as err:
        # The run goes on, so the "nothing was written" summary would mislead here.
        return JobResult(job, "failed", message="\n".join(err.problems))
    except BriefError as err:
        return JobResult(job, "failed", message=err.format_message())
    return JobResult(
        job, "written", pages=rendered.pages, size=len(rendered.pdf),
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
        warnings=rendered.warnings + warnings,
    )


def _run_job_in_worker(
    root: Path, spec: PackSpec, job: Job, prepared_on: dt.date,
    size_limits: SizeLimits | None,
) -> JobResult:
    return run_job(_worker_project(root), spec, job, prepared_on, size_limits)


Progress = Callable[[JobResult], None]


def run_batch(
    project: Project,
    spec: PackSpec,
    jobs: list[Job],
    prepared_on: dt.date,
    workers: int = 1,
    fail_fast: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    size_limits: SizeLimits | None = None,
) -> BatchReport:
    """Run jobs, skipping up-to-date ones; one failure does not stop the others."""
    report = BatchReport()
    started = time.perf_counter()
    manifest = None if force else load_manifest(_pack_dir(jobs))
    pending: list[Job] = []
    for job in jobs:
        if is_up_to_date(job, manifest):
            entry = manifest.entry_for(job.target.name)
            result = JobResult(job, "skipped", pages=entry.pages, size=entry.bytes,
                               sha256=entry.sha256, warnings=tuple(entry.warnings))
            _record(report, result, progress)
        else:
            pending.append(job)
    if workers <= 1 or len(pending) <= 1:
        _run_inline(project, spec, pending, prepared_on, fail_fast, report, progress,
                    size_limits)
    else:
        _run_parallel(project, spec, pending, prepared_on, workers, fail_fast, report,
                      progress, size_limits)
    report.seconds = time.perf_counter() - started
    return report


def _pack_dir(jobs: list[Job]) -> Path | None:
    return jobs[0].target.parent if jobs else None


def _record(report: BatchReport, result: JobResult, progress: Progress | None) -> None:
    report.results.append(result)
    if result.status == "written":
        # Warnings that lose nothing; the log shows each distinct one once per run.
        for warning in result.warnings:
            logger.warning("%s", warning)
    if progress is not None:
        progress(result)


def _run_inline(
    project, spec, jobs, prepared_on, fail_fast, report, progress, size_limits
) -> None:
    for job in jobs:
        try:
            result = run_job(project, spec, job, prepared_on, size_limits)
        except KeyboardInterrupt:
            report.interrupted = report.stopped_early = True
            return
        _record(report, result, progress)
        if result.status == "failed" and fail_fast:
            report.stopped_early = True
            return


def _run_parallel(
    project, spec, jobs, prepared_on, workers, fail_fast, report, progress, size_limits
) -> None:
    # forkserver: workers start from a server that has already imported WeasyPrint, and
    # unlike fork it allows recycling workers (max_tasks_per_child).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["briefpack.batch"])
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        max_tasks_per_child=JOBS_PER_WORKER,
        initializer=_ignore_interrupts,
    ) as pool:
        futures: dict[Future, Job] = {
            pool.submit(_run_job_in_worker, project.root, spec, job, prepared_on,
                        size_limits): job
            for job in jobs
        }
        remaining = set(futures)
        try:
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: futures[f].target.name):
                    _record(report, _result_of(future, futures[future]), progress)
                if fail_fast and report.failed:
                    report.stopped_early = True
                    break
        except KeyboardInterrupt:
            # Ctrl-C: start no new pack; the ones in progress finish writing their
            # own file (atomically), and the caller records what was done.
            logger.error("interrupted: finishing the packs in progress, starting no more")
            report.interrupted = report.stopped_early = True
        if report.stopped_early:
            pool.shutdown(wait=True, cancel_futures=True)
            finished = [f for f in remaining if f.done() and not f.cancelled()]
            for future in sorted(finished, key=lambda f: futures[f].target.name):
                _record(report, _result_of(future, futures[future]), progress)


def _ignore_interrupts() -> None:
    """Let only the parent process react to Ctrl-C (workers share its terminal)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _result_of(future: Future, job: Job) -> JobResult:
    try:
        return future.result()
    except Exception as err:  # noqa: BLE001 - a crashed worker must not stop the batch
        logger.debug("worker for %s failed", job.iso3, exc_info=True)
        return JobResult(job, "failed", message=f"worker crashed: {err!r}")


def iter_written(report: BatchReport) -> Iterable[JobResult]:
    return (result for result in report.results if result.status == "written")
