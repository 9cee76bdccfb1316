"""The batch manifest: ``output/<pack-id>/manifest.json`` and ``manifest.csv``.

One entry per PDF: file, country, language, pages, bytes, sha256, input hash and
warnings. Entries are sorted by file name so the manifest itself is reproducible.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .files import write_atomic

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
CSV_COLUMNS = ("file", "country", "country_name", "language", "pages", "bytes",
               "sha256", "input_hash", "warnings")


@dataclass
class ManifestEntry:
    file: str
    country: str
    country_name: str
    language: str
    pages: int
    bytes: int
    sha256: str
    input_hash: str
    warnings: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    pack_id: str
    title: str
    meeting: dict
    classification: str
    files: list[ManifestEntry] = field(default_factory=list)
    combined: str = ""
    combined_hash: str = ""

    def entry_for(self, file_name: str) -> ManifestEntry | None:
        return next((entry for entry in self.files if entry.file == file_name), None)

    def to_json(self) -> bytes:
        document = asdict(self)
        document["files"] = sorted(document["files"], key=lambda entry: entry["file"])
        return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()

    def to_csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for entry in sorted(self.files, key=lambda entry: entry.file):
            row = asdict(entry)
            row["warnings"] = " | ".join(entry.warnings)
            writer.writerow([row[column] for column in CSV_COLUMNS])
        return buffer.getvalue().encode()


def load_manifest(pack_dir: Path | None) -> Manifest | None:
    """Return the manifest in ``pack_dir``, or None if there is none or it is unreadable.

    An unreadable manifest (for example one from an older briefpack) only means every
    job is rebuilt, so it is not an error.
    """
    if pack_dir is None:
        return None
    path = pack_dir / MANIFEST_JSON
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        files = [ManifestEntry(**entry) for entry in document.pop("files")]
        return Manifest(files=files, **document)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_manifest(pack_dir: Path, manifest: Manifest) -> None:
    """Write both manifest files atomically."""
    write_atomic(pack_dir / MANIFEST_JSON, manifest.to_json())
    write_atomic(pack_dir / MANIFEST_CSV, manifest.to_csv())
