"""Size budget: measuring fonts and images, downsampling, warnings and --max-size."""

from __future__ import annotations

import datetime as dt
import io
import logging
import random

import pytest
from PIL import Image

from briefpack import batch
from briefpack.cli import main
from briefpack.render import ImageOptions, RenderedPack, render_pdf
from briefpack.size import (
    DEFAULT_BUDGET,
    SizeError,
    SizeLimits,
    check_size,
    format_size,
    parse_size,
)
from briefpack.spec import load_pack_spec
from briefpack.theme import load_theme

from .conftest import ROOT, SENEGAL_SPEC


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("2MB", 2_000_000),
        ("2 mb", 2_000_000),
        ("1.5M", 1_500_000),
        ("500kB", 500_000),
        ("500k", 500_000),
        ("3MiB", 3 * 1024**2),
        ("64KiB", 65_536),
        ("1234", 1234),
    ],
)
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "2 GB", "-1MB", "0", "two"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        parse_size(text)


@pytest.mark.parametrize(
    ("size", "text"), [(900, "900 bytes"), (167_791, "168 kB"), (2_400_000, "2.4 MB")]
)
def test_format_size(size, text):
    assert format_size(size) == text


def test_real_pack_fonts_are_measured_and_under_budget(built):
    pdf = built["senegal"].read_bytes()
    report = check_size(pdf, DEFAULT_BUDGET)
    assert report.total == len(pdf)
    assert not report.over_budget
    assert report.images == ()
    names = {font.name for font in report.fonts}
    assert "Noto-Serif" in names and "Noto-Sans-Bold" in names
    # Subset fonts are small; a whole Noto face would be hundreds of kB.
    assert all(0 < font.size < 60_000 for font in report.fonts)
    assert report.drawing > 0
    assert report.drawing + report.other + sum(f.size for f in report.fonts) == len(pdf)
    sizes = [contributor.size for contributor in report.largest(10)]
    assert sizes == sorted(sizes, reverse=True)


def _noise_png(width: int, height: int) -> bytes:
    # Noise does not compress, so the image stays large unless it is downsampled.
    pixels = random.Random(6).randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def logo_pdfs(project, tmp_path_factory) -> dict[str, bytes]:
    """Render a 1200 px raster logo drawn 3 cm wide, with and without a DPI cap."""
    folder = tmp_path_factory.mktemp("logo")
    (folder / "logo.png").write_bytes(_noise_png(1200, 600))
    logo = (folder / "logo.png").as_uri()
    html = (
        f'<html lang="en"><body><p>Logo</p>'
        f'<img src="{logo}" alt="Logo" style="width: 3cm"></body></html>'
    )
    theme = load_theme(project.styles_dir, "default")
    render = {
        "downsampled": ImageOptions(),
        "full": ImageOptions(optimize=False, jpeg_quality=None, dpi=None),
    }
    return {
        name: render_pdf(html, project, theme, "a4", "logo test", [folder], options).pdf
        for name, options in render.items()
    }


def test_images_are_downsampled_to_the_dpi_they_are_drawn_at(logo_pdfs):
    full = check_size(logo_pdfs["full"], DEFAULT_BUDGET).images
    small = check_size(logo_pdfs["downsampled"], DEFAULT_BUDGET).images
    assert [image.name for image in full] == ["1200x600 px on page 1"]
    # 3 cm at 200 dpi is 236 px wide.
    assert [image.name for image in small] == ["236x118 px on page 1"]
    assert small[0].size * 10 < full[0].size


def test_over_budget_names_the_largest_image_first(logo_pdfs):
    pdf = logo_pdfs["full"]
    report = check_size(pdf, 100_000)
    assert report.over_budget
    assert report.largest(1)[0].kind == "image"
    warning = SizeLimits(budget=100_000).enforce(pdf, "logo.pdf")
    assert warning.startswith(
        f"logo.pdf: {format_size(len(pdf))} is over the size"
        " budget of 100 kB; largest: image 1200x600 px on page 1"
    )
    limit = r"over the size limit of 200 kB \(--max-size\)"
    with pytest.raises(SizeError, match=limit):
        SizeLimits(budget=100_000, max_size=200_000).enforce(pdf, "logo.pdf")
    assert SizeLimits().enforce(logo_pdfs["downsampled"], "logo.pdf") is None


def _job_with_fake_render(monkeypatch, project, tmp_path, pdf: bytes):
    rendered = RenderedPack(pdf=pdf, pages=1, warnings=())
    monkeypatch.setattr(batch, "render_pack", lambda *args, **kwargs: rendered)
    spec = load_pack_spec(SENEGAL_SPEC, project)
    job = batch.plan_jobs(spec, project, tmp_path, dt.date(2027, 3, 1))[0]
    return spec, job


def test_pack_over_budget_is_written_with_a_warning(
    monkeypatch, project, tmp_path, built, caplog
):
    pdf = built["senegal"].read_bytes()
    spec, job = _job_with_fake_render(monkeypatch, project, tmp_path, pdf)
    with caplog.at_level(logging.WARNING, logger="briefpack"):
        result = batch.run_job(
            project, spec, job, dt.date(2027, 3, 1), SizeLimits(budget=100_000)
        )
    assert result.status == "written"
    assert job.target.read_bytes() == pdf
    assert "over the size budget of 100 kB; largest: page text and drawings" in (
        caplog.text
    )
    assert any("over the size budget" in warning for warning in result.warnings)


def test_pack_over_max_size_fails_and_leaves_nothing(
    monkeypatch, project, tmp_path, built
):
    pdf = built["senegal"].read_bytes()
    spec, job = _job_with_fake_render(monkeypatch, project, tmp_path, pdf)
    job.target.parent.mkdir(parents=True)
    job.target.write_bytes(b"an earlier build")
    result = batch.run_job(
        project, spec, job, dt.date(2027, 3, 1), SizeLimits(max_size=100_000)
    )
    assert result.status == "failed"
    assert "over the size limit of 100 kB" in result.message
    assert not job.target.exists()
    assert list(job.target.parent.iterdir()) == []


def test_build_max_size_fails_the_pack_with_exit_1(runner, tmp_path):
    result = runner.invoke(
        main,
        [
            "build",
            "--project",
            str(ROOT),
            "-o",
            str(tmp_path),
            "--country",
            "CPV",
            "--module",
            "migration-governance",
            "--no-regional",
            "--meeting",
            "Size test",
            "--date-prepared",
            "2027-01-01",
            "--max-size",
            "20kB",
        ],
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "is over the size limit of 20 kB (--max-size); largest:" in result.stderr
    assert "1 pack(s) failed" in result.stderr
    assert not any(tmp_path.rglob("*.pdf"))


def test_build_rejects_a_bad_size_with_exit_2(runner, tmp_path):
    result = runner.invoke(main, ["build", "--size-budget", "lots", str(SENEGAL_SPEC)])
    assert result.exit_code == 2
    assert "'lots' is not a size" in result.stderr
