"""Expand a spec into jobs (country × language) and run them."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BriefError
from .files import write_atomic
from .project import Project
from .render import output_path, render_pack
from .size import SizeError, SizeLimits
from .spec import CountrySelector, PackSpec

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One PDF to write: a country pack in one language."""

    iso3: str
    lang: str
    target: Path


@dataclass
class JobResult:
    job: Job
    status: str
    pages: int = 0
    size: int = 0
    message: str = ""
    warnings: tuple[str, ...] = ()


@dataclass
class BatchReport:
    results: list[JobResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def failed(self) -> list[JobResult]:
        return [result for result in self.results if result.status == "failed"]


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


def expand_jobs(spec: PackSpec, project: Project, output_dir: Path) -> list[Job]:
    """Return every job of a spec; the output path comes from one naming rule."""
    return [
        Job(iso3=iso3, lang=lang, target=output_path(output_dir, spec.pack_id, iso3, lang))
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
        rendered = render_pack(project, spec, job.iso3, job.lang, prepared_on)
        if size_limits is not None:
            size_warning = size_limits.enforce(rendered.pdf, job.target.name)
            if size_warning:
                logger.warning("%s", size_warning)
                warnings = (size_warning,)
        write_atomic(job.target, rendered.pdf)
    except SizeError as err:
        job.target.unlink(missing_ok=True)
        return JobResult(job, "failed", message=err.format_message())
    except BriefError as err:
        return JobResult(job, "failed", message=err.format_message())
    return JobResult(job, "written", pages=rendered.pages, size=len(rendered.pdf),
                     warnings=rendered.warnings + warnings)


def run_batch(
    project: Project,
    spec: PackSpec,
    jobs: list[Job],
    prepared_on: dt.date,
    fail_fast: bool = False,
    size_limits: SizeLimits | None = None,
) -> BatchReport:
    """Run jobs one after another; one failure does not stop the others."""
    report = BatchReport()
    started = time.perf_counter()
    for index, job in enumerate(jobs, start=1):
        result = run_job(project, spec, job, prepared_on, size_limits)
        report.results.append(result)
        if result.status == "failed":
            logger.error("[%d/%d] %s %s failed: %s", index, len(jobs), job.iso3,
                         job.lang, result.message)
            if fail_fast:
                break
        else:
            logger.info("[%d/%d] %s %s: %d pages, %d bytes", index, len(jobs),
                        job.iso3, job.lang, result.pages, result.size)
    report.seconds = time.perf_counter() - started
    return report
