"""Faults: a killed batch, a full disk, unreadable files.

None of these may leave a truncated PDF, manifest or zip under a final name, and each
must end with one clear line naming the file.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from briefpack import files
from briefpack.cli import main

PACK_ID = "fault-batch"
COUNTRIES = ("SEN", "FJI", "GHA", "CHE")


def _write_batch(project: Path, countries: tuple[str, ...] = COUNTRIES) -> Path:
    (project / "briefs" / "countries" / "groups.yaml").write_text(
        "testers:\n  name: Test group\n  source: tests\n"
        f"  members: [{', '.join(countries)}]\n", encoding="utf-8")
    spec = project / "briefs" / "packs" / f"{PACK_ID}.yaml"
    spec.write_text(
        "title: Fault batch\nmeeting: {name: Regional consultation, date: 2027-05-10}\n"
        "date_prepared: 2027-05-01\ncountries: {group: testers}\n"
        "modules: [global-overview]\n", encoding="utf-8")
    return spec


def _command(spec: Path, project: Path, output: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "briefpack", "build", str(spec), "--project",
            str(project), "-o", str(output), *args]


def _final_files(output: Path) -> list[Path]:
    """Return every file under a final name (temporary files are hidden)."""
    return sorted(p for p in output.rglob("*") if p.is_file() and not p.name.startswith("."))


def _assert_complete(path: Path) -> None:
    """Fail unless ``path`` is a whole PDF, manifest or zip."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        assert data.rstrip().endswith(b"%%EOF"), f"{path} is truncated"
        assert len(PdfReader(io.BytesIO(data)).pages) > 0
    elif path.name == "manifest.json":
        for entry in json.loads(data)["files"]:
            assert (path.parent / entry["file"]).stat().st_size == entry["bytes"]
    elif path.name == "manifest.csv":
        assert data.endswith(b"\n") and data.startswith(b"file,")
    elif path.suffix == ".zip":
        with zipfile.ZipFile(path) as bundle:
            assert bundle.testzip() is None


def _wait_for_group_exit(pgid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("processes of the killed batch are still running")


# --- SIGKILL mid-run -------------------------------------------------------------------


def _is_temporary(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def _build_and_kill(command: list[str], pack_dir: Path, moment) -> None:
    """Start a build and SIGKILL its whole process group once ``moment()`` is true."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while process.poll() is None and not moment():
        assert time.monotonic() < deadline, "nothing was written in two minutes"
        time.sleep(0.0005)
    # The whole group: the CLI, the forkserver and its workers.
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    _wait_for_group_exit(process.pid)
    assert process.returncode == -signal.SIGKILL, "the batch finished before the kill"


def test_sigkill_mid_batch_leaves_nothing_truncated_and_rerun_completes(
    project_copy, tmp_path
):
    spec = _write_batch(project_copy)
    output = tmp_path / "out"
    pack_dir = output / PACK_ID
    command = _command(spec, project_copy, output, "--jobs", "2", "--zip")

    def entries() -> list[Path]:
        return list(pack_dir.iterdir()) if pack_dir.is_dir() else []

    # First while the first PDF is being written, then once PDFs are in place.
    _build_and_kill(command, pack_dir, lambda: any(map(_is_temporary, entries())))
    assert _final_files(output) == [], "a file appeared under its final name"
    _build_and_kill(command, pack_dir,
                    lambda: any(p.suffix == ".pdf" for p in _final_files(output)))
    written = _final_files(output)
    assert 0 < len([p for p in written if p.suffix == ".pdf"]) < len(COUNTRIES)
    for path in written:
        _assert_complete(path)

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    pdfs = sorted(p.name for p in pack_dir.glob("*.pdf"))
    assert pdfs == sorted(f"{PACK_ID}_{iso3}_en.pdf" for iso3 in COUNTRIES)
    for path in _final_files(output):
        _assert_complete(path)
    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(entry["country"] for entry in manifest["files"]) == sorted(COUNTRIES)
    leftovers = [p.name for p in output.rglob(".*")]
    assert leftovers == [], f"temporary files of the killed runs remain: {leftovers}"


def test_stale_temporary_files_are_removed_only_when_their_writer_is_gone(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".x.pdf.{dead.pid}.abc123.tmp"
    live = tmp_path / f".x.pdf.{os.getpid()}.def456.tmp"
    other = tmp_path / ".keep-me"
    for path in (stale, live, other):
        path.write_bytes(b"partial")
    files.remove_stale_temporaries(tmp_path)
    assert not stale.exists()
    assert live.exists() and other.exists()


# --- A full disk -----------------------------------------------------------------------


class SmallDisk:
    """An output folder that runs out of space: a real tmpfs, or a simulated one.

    Mounting needs root (CAP_SYS_ADMIN). Without it, ``os.fsync`` in the atomic writer
    raises ENOSPC for the files past ``budget`` bytes, which is where a real full disk
    reports the error on tmpfs too; ``kind`` says which of the two ran.
    """

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.monkeypatch = monkeypatch
        self.kind = ""

    def mount(self, size: int, simulate: bool = False) -> None:
        self.folder.mkdir()
        mounted = not simulate and shutil.which("mount") and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(self.folder)],
            capture_output=True, check=False,
        ).returncode == 0
        if mounted:
            self.kind = "tmpfs"
            return
        self.kind = "simulated ENOSPC"
        used = {"bytes": 0}
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            used["bytes"] += os.fstat(fd).st_size
            if used["bytes"] > size:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real_fsync(fd)

        self.monkeypatch.setattr(files.os, "fsync", fsync)

    def unmount(self) -> None:
        if self.kind == "tmpfs":
            subprocess.run(["umount", str(self.folder)], check=True)


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    disk = SmallDisk(tmp_path / "disk", monkeypatch)
    yield disk
    disk.unmount()


def _build_in_process(spec: Path, project: Path, output: Path, *args: str):
    return CliRunner().invoke(
        main, ["build", str(spec), "--project", str(project), "-o", str(output), *args]
    )


@pytest.mark.parametrize("simulate", [False, True], ids=["tmpfs", "simulated"])
def test_full_disk_at_the_first_pdf(project_copy, small_disk, simulate):
    spec = _write_batch(project_copy, ("SEN",))
    small_disk.mount(64 * 1024, simulate=simulate)
    result = _build_in_process(spec, project_copy, small_disk.folder)
    print(f"full disk path: {small_disk.kind}")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    pdf = small_disk.folder / PACK_ID / f"{PACK_ID}_SEN_en.pdf"
    assert f"{pdf}: could not write (No space left on device)" in result.output
    assert list(small_disk.folder.rglob("*")) == [], "a partial file was left"


def test_full_disk_at_the_zip_keeps_the_complete_pdfs(project_copy, small_disk, tmp_path):
    spec = _write_batch(project_copy, ("SEN",))
    reference = tmp_path / "reference"
    assert _build_in_process(spec, project_copy, reference).exit_code == 0
    page = 4096
    needed = sum(-(-p.stat().st_size // page) * page for p in reference.rglob("*.*"))
    # Room for the PDFs and manifests, far from enough for a zip of the PDFs.
    small_disk.mount(needed + 16 * page)
    result = _build_in_process(spec, project_copy, small_disk.folder, "--zip")
    print(f"full disk path: {small_disk.kind}")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    zipped = small_disk.folder / f"{PACK_ID}.zip"
    assert f"{zipped}: could not write (No space left on device)" in result.output
    assert not zipped.exists()
    written = _final_files(small_disk.folder)
    assert {p.name for p in written} == {
        f"{PACK_ID}_SEN_en.pdf", "manifest.json", "manifest.csv"}
    for path in written:
        _assert_complete(path)
    assert [p.name for p in small_disk.folder.rglob(".*")] == []


# --- Unreadable files ------------------------------------------------------------------


def _without_read_override(command: list[str]) -> list[str] | None:
    """Return ``command`` run so that file permissions apply, or None if impossible.

    Root reads any file whatever its mode; dropping CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH from the bounding set makes mode 000 mean unreadable again.
    """
    if os.geteuid() != 0:
        return command
    if shutil.which("setpriv") is None:
        return None
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]


def _run_unreadable(project: Path, output: Path, unreadable: Path):
    spec = _write_batch(project, ("SEN",))
    unreadable.chmod(0)
    command = _without_read_override(_command(spec, project, output, "--jobs", "1"))
    if command is None:
        pytest.skip("running as root without setpriv: cannot make a file unreadable")
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_unreadable_template_is_a_clear_error(project_copy, tmp_path):
    template = project_copy / "templates" / "partials" / "cover.html"
    output = tmp_path / "out"
    result = _run_unreadable(project_copy, output, template)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{template}: cannot read (Permission denied)" in result.stderr
    assert not output.exists() or _final_files(output) == []


def test_unreadable_font_file_is_a_clear_error(project_copy, tmp_path):
    theme = project_copy / "styles" / "themes" / "default"
    font = theme / "brand.ttf"
    font.write_bytes(b"\0\1\0\0" + b"\0" * 64)
    with (theme / "theme.css").open("a", encoding="utf-8") as css:
        css.write('@font-face { font-family: "Brand"; src: url(brand.ttf); }\n')
    output = tmp_path / "out"
    result = _run_unreadable(project_copy, output, font)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{font}: cannot read (Permission denied)" in result.stderr
    assert not output.exists() or _final_files(output) == []


def test_template_loader_names_an_unreadable_template(tmp_path, monkeypatch):
    """The same fault inside the renderer, where the input hash has not read it first."""
    import jinja2

    from briefpack.errors import BriefError
    from briefpack.render import create_environment

    (tmp_path / "page.html").write_text("hello", encoding="utf-8")
    real_open = open

    def refusing_open(file, *args, **kwargs):
        if str(file).endswith("page.html"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(jinja2.loaders, "open", refusing_open, raising=False)
    environment = create_environment(tmp_path, "en")
    with pytest.raises(BriefError, match="page.html: cannot read template"):
        environment.get_template("page.html")


def test_fetcher_names_an_unreadable_resource(tmp_path, monkeypatch):
    from briefpack.fetcher import ProjectFetcher, RefusedResource

    image = tmp_path / "logo.png"
    image.write_bytes(b"png")

    def refuse(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(RefusedResource, match="cannot read it .Permission denied"):
        ProjectFetcher([tmp_path])(image.as_uri())
