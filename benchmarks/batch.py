"""Measure briefpack against raw WeasyPrint, in one run on this machine.

Run from the project folder:  .venv/bin/python benchmarks/batch.py [--countries 12]

Prints, as ratios measured here and now:
1. one pack through briefpack against raw WeasyPrint rendering the same final HTML;
2. a batch with 1 worker against N workers;
3. the N-worker batch against the naive loop of one `weasyprint` process per document;
4. a no-change rerun against the full batch;
5. resident memory of one worker process over many documents (no recycling).
Targets (issue 5): overhead <= 15%; 2 workers >= 1.8x one; >= 3x the naive loop;
rerun <= 5% of the batch; memory growth <= 10%.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from weasyprint import CSS, HTML  # noqa: E402

from briefpack.build import BuildOptions, build_pack_set  # noqa: E402
from briefpack.project import Project  # noqa: E402
from briefpack.render import render_html, render_pack, stylesheet_paths  # noqa: E402
from briefpack.spec import validate_pack_spec  # noqa: E402
from briefpack.theme import load_theme  # noqa: E402

PREPARED = dt.date(2027, 5, 1)


def make_spec(project: Project, countries: list[str]):
    return validate_pack_spec(
        {"pack_id": "benchmark", "title": "Benchmark pack",
         "meeting": {"name": "Regional consultation", "date": "2027-05-10"},
         "countries": countries,
         "modules": ["global-overview", "remittances-development", "labour-migration"]},
        "benchmark", project,
    )


def time_call(function, repeat: int = 3) -> float:
    """Return the median wall time of ``function`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def raw_weasyprint(project: Project, spec, iso3: str) -> float:
    theme = load_theme(project.styles_dir, spec.theme)
    html = render_html(project, spec, iso3, "en", PREPARED, theme)
    sheets = [str(path) for path in stylesheet_paths(project, theme)]
    base_url = project.templates_dir.as_uri() + "/"

    def render() -> None:
        stylesheets = [CSS(filename=sheet) for sheet in sheets]
        HTML(string=html, base_url=base_url).write_pdf(stylesheets=stylesheets,
                                                       pdf_tags=True)

    render()  # warm caches (fonts) the same way for both sides
    return time_call(render)


def briefpack_pack(project: Project, spec, iso3: str) -> float:
    def render() -> None:
        render_pack(project, spec, iso3, "en", PREPARED)

    render()
    return time_call(render)


def batch_seconds(project: Project, spec, output: Path, workers: int,
                  force: bool = True) -> float:
    """Return the wall time of a whole build (jobs, manifest) as the CLI runs it."""
    options = BuildOptions(output_dir=output, prepared_on=PREPARED, workers=workers,
                           force=force)
    started = time.perf_counter()
    outcome = build_pack_set(project, spec, options)
    seconds = time.perf_counter() - started
    assert not outcome.report.failed, [r.message for r in outcome.report.failed]
    return seconds


def naive_loop_seconds(project: Project, spec, countries: list[str], folder: Path) -> float:
    """One `weasyprint` command per document, on the same final HTML."""
    theme = load_theme(project.styles_dir, spec.theme)
    sheets = [str(path) for path in stylesheet_paths(project, theme)]
    documents = []
    base_url = project.templates_dir.as_uri() + "/"
    for iso3 in countries:
        # Outside the project, so the input hashes of the real builds do not change.
        html_path = folder / f"benchmark-{iso3}.html"
        html_path.write_text(render_html(project, spec, iso3, "en", PREPARED, theme),
                             encoding="utf-8")
        documents.append(html_path)
    executable = shutil.which("weasyprint", path=str(Path(sys.executable).parent))
    started = time.perf_counter()
    try:
        for html_path in documents:
            command = [executable, "--pdf-tags", "-u", base_url, str(html_path),
                       str(folder / f"{html_path.stem}.pdf")]
            for sheet in sheets:
                command[1:1] = ["-s", sheet]
            subprocess.run(command, check=True, capture_output=True)
    finally:
        for html_path in documents:
            html_path.unlink(missing_ok=True)
    return time.perf_counter() - started


MEMORY_SCRIPT = r"""
import datetime as dt, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1] + "/src")
from briefpack.project import Project
from briefpack.render import render_pack
from briefpack.spec import validate_pack_spec
project = Project(Path(sys.argv[1]))
countries = sys.argv[3].split(",")
spec = validate_pack_spec({"pack_id": "memory", "title": "Memory", "meeting": {"name": "m"},
    "countries": countries, "modules": ["global-overview"]}, "memory", project)
page = 4096
for index in range(int(sys.argv[2])):
    render_pack(project, spec, countries[index % len(countries)], "en", dt.date(2027, 5, 1))
    with open("/proc/self/statm") as statm:
        print(int(statm.read().split()[1]) * page // 1024, flush=True)
"""


def memory_growth(documents: int, countries: list[str]) -> tuple[int, int, float]:
    completed = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(ROOT), str(documents),
         ",".join(countries)],
        check=True, capture_output=True, text=True,
    )
    samples = [int(line) for line in completed.stdout.split()]
    window = max(1, min(10, len(samples) // 4))
    early = statistics.mean(samples[window: 2 * window])
    late = statistics.mean(samples[-window:])
    return int(early), int(late), late / early - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=int, default=12,
                        help="Countries in the batch (from Western Africa).")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-docs", type=int, default=200,
                        help="Documents rendered by one process for the memory check.")
    args = parser.parse_args()

    project = Project(ROOT)
    countries = project.resolve_area("Western Africa")[: args.countries]
    spec = make_spec(project, countries)
    print(f"briefpack benchmark: {len(countries)} countries, {args.workers} workers,"
          f" {os.cpu_count()} CPUs")

    raw = raw_weasyprint(project, spec, countries[0])
    ours = briefpack_pack(project, spec, countries[0])
    print(f"1. one pack: briefpack {ours:.2f} s, raw WeasyPrint {raw:.2f} s,"
          f" overhead {ours / raw - 1:+.1%} (target <= +15%)")

    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        one = batch_seconds(project, spec, scratch_dir / "one", workers=1)
        many = batch_seconds(project, spec, scratch_dir / "many", workers=args.workers)
        print(f"2. batch: 1 worker {one:.1f} s, {args.workers} workers {many:.1f} s,"
              f" speed-up {one / many:.2f}x (target >= 1.8x with 2)")
        naive = naive_loop_seconds(project, spec, countries, scratch_dir)
        print(f"3. naive loop of weasyprint processes {naive:.1f} s,"
              f" briefpack {many:.1f} s: {naive / many:.2f}x faster (target >= 3x)")
        rerun = batch_seconds(project, spec, scratch_dir / "many",
                              workers=args.workers, force=False)
        print(f"4. no-change rerun {rerun:.2f} s = {rerun / many:.1%} of the batch"
              " (target <= 5%)")

    early, late, growth = memory_growth(args.memory_docs, countries)
    print(f"5. memory of one worker over {args.memory_docs} documents: {early / 1024:.0f}"
          f" MiB early, {late / 1024:.0f} MiB at the end, growth {growth:+.1%}"
          " (target <= 10%; batch workers are also recycled every 25 jobs)")


if __name__ == "__main__":
    main()
