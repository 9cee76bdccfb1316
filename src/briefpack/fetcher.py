"""The URL fetcher WeasyPrint uses: local project files only, never the network.

Content is Markdown several people edit, and templates can be themed by users, so any
reference to a resource is treated as untrusted. Only ``data:`` URLs and ``file:`` URLs
whose real path (after following symlinks) lies inside an allowed folder are served.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)


class RefusedResource(FatalURLFetchingError):
    """A resource outside the project, or on the network, was asked for."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused to load {url!r}: {reason}")
        self.url = url
        self.reason = reason


class ProjectFetcher(URLFetcher):
    """Serve files from the allowed folders; refuse everything else, loudly."""

    def __init__(self, allowed_roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed_roots = tuple(Path(root).resolve() for root in allowed_roots)
        self.refused: list[RefusedResource] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise self._refuse(url, "network access is disabled while rendering")
        path = self._local_path(url)
        if path is None:
            raise self._refuse(url, "it is outside the project's briefs/, templates/"
                                    " and styles/ folders")
        if not path.is_file():
            raise self._refuse(url, "file not found")
        mime_type, _ = mimetypes.guess_type(path.name)
        logger.debug("loading %s", path)
        try:
            body = path.read_bytes()
        except OSError as err:
            raise self._refuse(url, f"cannot read it ({err.strerror or err})") from err
        return URLFetcherResponse(
            url=path.as_uri(),
            body=body,
            headers={"Content-Type": mime_type or "application/octet-stream"},
        )

    def _local_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        for root in self.allowed_roots:
            if path.is_relative_to(root):
                return path
        return None

    def _refuse(self, url: str, reason: str) -> RefusedResource:
        refusal = RefusedResource(url, reason)
        self.refused.append(refusal)
        return refusal
