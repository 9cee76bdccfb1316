"""Rendering reads only project files: no network, nothing outside the project."""

from __future__ import annotations

import pytest

from briefpack.fetcher import ProjectFetcher, RefusedResource

from .conftest import ROOT


@pytest.fixture
def fetcher() -> ProjectFetcher:
    return ProjectFetcher([ROOT / "styles", ROOT / "templates", ROOT / "briefs"])


def test_project_file_is_served(fetcher):
    url = (ROOT / "styles" / "themes" / "default" / "logo.svg").as_uri()
    response = fetcher(url)
    assert response.read().startswith(b"<svg")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.png",
    "https://example.org/style.css",
    "ftp://example.org/file",
    "file:///etc/passwd",
    "file://otherhost/etc/passwd",
])
def test_network_and_outside_files_are_refused(fetcher, url):
    with pytest.raises(RefusedResource):
        fetcher(url)


def test_dot_dot_out_of_the_project_is_refused(fetcher):
    url = (ROOT / "styles").as_uri() + "/../../../../etc/passwd"
    with pytest.raises(RefusedResource, match="outside the project"):
        fetcher(url)


def test_symlink_pointing_out_is_refused(tmp_path):
    inside = tmp_path / "styles"
    inside.mkdir()
    (inside / "escape.css").symlink_to("/etc/hostname")
    fetcher = ProjectFetcher([inside])
    with pytest.raises(RefusedResource, match="outside the project"):
        fetcher((inside / "escape.css").as_uri())


def test_data_urls_are_allowed(fetcher):
    assert fetcher("data:text/plain,hello").read() == b"hello"
