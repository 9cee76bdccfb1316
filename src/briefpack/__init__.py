"""briefpack: printable, branded PDF briefing packs on migration policy."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefpack")
except PackageNotFoundError:  # Running from a source tree that was never installed.
    __version__ = "0.0.0"
