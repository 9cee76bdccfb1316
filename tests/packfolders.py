"""Small pack folders for the mail tests: tiny PDFs and a batch manifest.

Real renders take seconds each; the mail code only needs files with the right names,
metadata and bytes, so a 17-country regional batch is made here in milliseconds.
"""

from __future__ import annotations

import hashlib
import io
import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from pypdf import PdfWriter

from briefpack.project import Project

PACK_ID = "wa-2027"
TITLE = "Labour mobility in Western Africa"
MEETING = {
    "name": "Regional Consultative Process on Migration",
    "body": "ECOWAS Commission",
    "date": "2027-05-11",
    "end_date": "2027-05-12",
    "venue": "Abuja",
}
CLASSIFICATION = "For official use only"


def make_pdf(title: str, subject: str = "", pages: int = 1) -> bytes:
    """Return a small valid PDF whose metadata, and so whose bytes, are its own."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title, "/Subject": subject})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_manifest_pack(
    root: Path,
    project: Project,
    iso3_codes: list[str],
    file_names: dict[str, str] | None = None,
    pack_id: str = PACK_ID,
) -> Path:
    """Write ``<root>/<pack-id>/`` with one PDF per country and a manifest.json."""
    folder = root / pack_id
    folder.mkdir(parents=True)
    entries = []
    for iso3 in iso3_codes:
        name = (file_names or {}).get(iso3, f"{pack_id}_{iso3}_en.pdf")
        country_name = project.countries.get(iso3).name
        data = make_pdf(f"{TITLE}: {country_name}", pages=2)
        (folder / name).write_bytes(data)
        entries.append({
            "file": name, "country": iso3, "country_name": country_name,
            "language": "en", "pages": 2, "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "input_hash": "x",
            "warnings": [],
        })
    manifest = {"pack_id": pack_id, "title": TITLE, "meeting": MEETING,
                "classification": CLASSIFICATION, "files": entries}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False),
                                          encoding="utf-8")
    return folder


def read_eml(path: Path) -> EmailMessage:
    """Parse a draft with the standard library, as a mail client would."""
    return parse_eml(path.read_bytes())


def parse_eml(data: bytes) -> EmailMessage:
    """Parse message bytes; text parts come back with ``\n`` line ends.

    ``BytesParser.parse`` reads through a text wrapper with universal newlines, while
    ``parsebytes`` keeps CRLF inside text parts; one way for drafts and received
    messages alike keeps the comparison fair.
    """
    return BytesParser(policy=policy.default).parse(io.BytesIO(data))


def attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    """Return each attachment's file name and decoded bytes, in order."""
    return [(part.get_filename(), part.get_content())
            for part in message.iter_attachments()]
