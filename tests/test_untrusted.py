"""Untrusted content: raw HTML, outside resources, escaping, and output file names.

Modules are Markdown that many people edit, and themes and data come from outside the
code, so each is treated as hostile: nothing they hold may run, load from the network
or from outside the project, or print as markup.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefpack.cli import main
from briefpack.errors import BriefError
from briefpack.render import output_path

from .conftest import page_texts, pdf_reader, squash

PACK_ID = "untrusted"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    """Answer every request and remember its path (the test wants none)."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red; }")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on an ephemeral port; yields its URL and the requests seen."""
    requests: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def _write_spec(project: Path, modules: str = "[global-overview]", extra: str = "") -> Path:
    spec = project / "briefs" / "packs" / f"{PACK_ID}.yaml"
    spec.write_text(
        "title: Untrusted content\nmeeting: {name: IOM Council, date: 2027-11-25}\n"
        f"date_prepared: 2027-11-01\ncountries: [SEN]\nmodules: {modules}\n" + extra,
        encoding="utf-8")
    return spec


def _build(project: Path, output: Path):
    spec = project / "briefs" / "packs" / f"{PACK_ID}.yaml"
    return CliRunner().invoke(main, ["build", str(spec), "--project", str(project),
                                     "-o", str(output), "--jobs", "1"])


def _pdf(output: Path) -> Path:
    return output / PACK_ID / f"{PACK_ID}_SEN_en.pdf"


def _hostile_body(url: str) -> str:
    return f"""
## Hostile section

Plain words before the attack.

<script>alert("pwned-script")</script>
<p onload="alert('pwned-onload')" onclick="steal()">Clickable paragraph</p>
<iframe src="{url}/frame"></iframe>
<object data="{url}/object"></object><embed src="{url}/embed">
<img src="file:///etc/passwd" onerror="alert('pwned-onerror')">
<img src="{url}/raw-image.png">
<link rel="stylesheet" href="{url}/linked.css">
<style>@import url({url}/imported.css); body {{ background: url(file:///etc/passwd) }}</style>
<div style="background: url({url}/styled.png)">Styled block</div>
<svg><image href="{url}/svg-image.png"/></svg>
<a href="javascript:alert('pwned-href')">A javascript link</a>
<a href="file:///etc/passwd">A file link</a>
<form action="{url}/form"><input name="x"></form>

![A remote image]({url}/markdown-image.png)

[A markdown javascript link](javascript:alert('pwned-markdown'))
[A relative link](../../../../etc/passwd)
[A real link](https://www.iom.int/)

Plain words after the attack.
"""


def test_raw_html_is_sanitised_and_nothing_is_fetched(project_copy, tmp_path, server):
    url, requests = server
    module = project_copy / "briefs" / "modules" / "global-overview" / "en.md"
    module.write_text(module.read_text(encoding="utf-8") + _hostile_body(url),
                      encoding="utf-8")
    _write_spec(project_copy)
    output = tmp_path / "out"

    result = _build(project_copy, output)

    assert result.exit_code == 0, result.output
    assert requests == [], f"the render reached the network: {requests}"
    text = squash(" ".join(page_texts(_pdf(output))))
    assert "Plain words before the attack." in text
    assert "Clickable paragraph" in text and "Plain words after the attack." in text
    for word in ("pwned", "alert(", "steal()", "<script", "onload", "onerror"):
        assert word not in text, f"{word!r} reached the PDF text"
    objects = _pdf_objects(_pdf(output))
    assert "/JavaScript" not in objects and "/JS" not in objects
    assert "/OpenAction" not in objects and "/Launch" not in objects
    uris = re.findall(r"'/URI': '([^']*)'", objects)
    assert "https://www.iom.int/" in uris
    for uri in uris:
        assert not uri.lower().startswith(("javascript:", "file:")), uri
        assert not uri.startswith(url), uri


def _pdf_objects(path: Path) -> str:
    """Return every object of a PDF, decompressed, as text to search."""
    reader = pdf_reader(path)
    numbers = [*reader.xref.get(0, {}), *reader.xref_objStm]
    texts = []
    for number in sorted(set(numbers)):
        obj = reader.get_object(number)
        texts.append(repr(obj))
        if hasattr(obj, "get_data"):
            texts.append(obj.get_data().decode("latin-1"))
    return "\n".join(texts)


@pytest.mark.parametrize(
    ("css", "refused"),
    [
        ("@import url({url}/theme-import.css);", "network access is disabled"),
        ("body {{ background: url({https}/background.png); }}", "network access"),
        ("body {{ background: url(file:///etc/passwd); }}", "outside the project"),
        ("body {{ background: url(../../../../../../../../etc/hostname); }}",
         "outside the project"),
        ("@import 'escape.css';", "outside the project"),
    ],
    ids=["http-import", "https-url", "file-url", "dot-dot-path", "symlink-out"],
)
def test_theme_resources_outside_the_project_are_refused(
    project_copy, tmp_path, server, css, refused
):
    url, requests = server
    theme = project_copy / "styles" / "themes" / "default"
    (theme / "escape.css").symlink_to("/etc/hostname")
    https = url.replace("http://", "https://")
    stylesheet = theme / "theme.css"
    stylesheet.write_text(css.format(url=url, https=https) + "\n"
                          + stylesheet.read_text(encoding="utf-8"), encoding="utf-8")
    _write_spec(project_copy)
    output = tmp_path / "out"

    result = _build(project_copy, output)

    assert result.exit_code == 1, result.output
    assert "refused to load" in result.output and refused in result.output
    assert f"{PACK_ID} SEN en" in result.output
    assert "Traceback" not in result.output
    assert requests == []
    assert not output.exists() or not any(output.rglob("*.pdf"))


def test_logo_symlink_out_of_the_project_is_refused(project_copy, tmp_path):
    theme = project_copy / "styles" / "themes" / "default"
    (theme / "logo.svg").unlink()
    (theme / "logo.svg").symlink_to("/etc/hostname")
    _write_spec(project_copy)
    output = tmp_path / "out"
    result = _build(project_copy, output)
    assert result.exit_code == 1, result.output
    assert "refused to load" in result.output and "outside the project" in result.output
    assert not output.exists() or not any(output.rglob("*.pdf"))


HOSTILE_NAME = "<b>&amp; Co</b> & <i>"


def test_values_from_specs_and_data_print_as_written(project_copy, tmp_path):
    latest = project_copy / "briefs" / "countries" / "country_latest.csv"
    text = latest.read_text(encoding="utf-8")
    latest.write_text(text.replace("SEN,Senegal,", f'SEN,"Senegal {HOSTILE_NAME}",', 1),
                      encoding="utf-8")
    _write_spec(project_copy, extra=(
        f"prepared_for: 'Mission {HOSTILE_NAME}'\n"
        f"talking_points: ['Point {HOSTILE_NAME}']\n"))
    spec = project_copy / "briefs" / "packs" / f"{PACK_ID}.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        "name: IOM Council", f"name: 'Council {HOSTILE_NAME}', venue: 'Hall {HOSTILE_NAME}'"),
        encoding="utf-8")
    output = tmp_path / "out"

    result = _build(project_copy, output)

    assert result.exit_code == 0, result.output
    text = squash(" ".join(page_texts(_pdf(output))))
    for label in ("Senegal", "Mission", "Point", "Council", "Hall"):
        assert f"{label} {HOSTILE_NAME}" in text, f"{label} does not print as written"
    assert "&lt;" not in text and "&amp;amp;" not in text


@pytest.mark.parametrize("part", ["../x", "a/b", "..", "", "x\n", "/abs", "ok.pdf"])
def test_output_names_never_leave_the_output_folder(tmp_path, part):
    with pytest.raises(BriefError, match="cannot be part of a file name"):
        output_path(tmp_path, part, "SEN", "en")
    with pytest.raises(BriefError):
        output_path(tmp_path, "pack", part or "..", "en")
    assert output_path(tmp_path, "pack", "SEN", "en").parent.parent == tmp_path
