"""Email drafts (.eml) for built packs: one per pack, or one per recipient.

A pack folder (``output/<pack-id>/``) becomes standard RFC 5322 messages with the PDFs
as MIME attachments. The header ``X-Unsent: 1`` makes desktop mail clients open a
draft for editing instead of as a received message. Drafts are only written here;
sending is ``smtp.py``'s job and happens only on ``--send``.

Meeting context comes from the folder's ``manifest.json`` when a batch wrote one, and
otherwise from the PDFs' names and metadata. Subject and body come from a plain-text
Jinja template whose first line is the subject. The subject is checked for control
characters after rendering, so a newline in a meeting title can never add a header.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import jinja2
from pydantic import BaseModel, ConfigDict, ValidationError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from .context import format_date_range
from .errors import BriefError, ProblemsError
from .files import read_text, write_atomic
from .i18n import get_translations
from .project import Project
from .recipients import Recipient, check_header_text
from .size import format_size
from .validation import describe_errors

logger = logging.getLogger(__name__)

DEFAULT_ATTACHMENT_LIMIT = 10_000_000
TEMPLATE_PATH = Path("email") / "draft.txt"
MANIFEST_NAME = "manifest.json"
# Without a manifest, the subject that render writes is the only record of the meeting.
SUBJECT_METADATA = re.compile(
    r"^Briefing pack on (?P<country>.+?) for (?P<meeting>.+?)"
    r"(?: \((?P<date>[^()]+)\))?$"
)

TRAILING_SPACE_FOLD = re.compile(rb" \r\n(?=[ \t])")


class MailError(BriefError):
    """A draft that cannot be written."""


# --- Pack folders: manifest or discovery -------------------------------------------


@dataclass(frozen=True)
class PackFile:
    """One PDF of a pack, as it will be attached."""

    path: Path
    iso3: str
    country_name: str
    lang: str
    size: int
    pages: int | None = None

    @property
    def file(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class MeetingInfo:
    """The meeting a pack is for; ``date_text`` is how the pack prints its dates."""

    name: str
    body: str = ""
    date: dt.date | None = None
    end_date: dt.date | None = None
    venue: str = ""
    date_text: str = ""


@dataclass(frozen=True)
class PackFolder:
    """A built pack folder: its meeting context and the PDFs in it."""

    folder: Path
    pack_id: str
    title: str
    meeting: MeetingInfo
    classification: str
    files: tuple[PackFile, ...]
    from_manifest: bool


class _Lenient(BaseModel):
    # The manifest belongs to the batch writer; unknown keys are its business.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _ManifestMeeting(_Lenient):
    name: str
    body: str | None = None
    date: dt.date | None = None
    end_date: dt.date | None = None
    venue: str | None = None


class _ManifestFile(_Lenient):
    file: str
    country: str
    country_name: str | None = None
    language: str
    pages: int | None = None
    bytes: int | None = None
    sha256: str | None = None


class _Manifest(_Lenient):
    pack_id: str
    title: str
    meeting: _ManifestMeeting
    classification: str | None = None
    files: list[_ManifestFile]


def load_pack_folder(folder: Path, project: Project) -> PackFolder:
    """Read a pack folder's manifest, or discover its PDFs when it has none."""
    manifest = folder / MANIFEST_NAME
    if manifest.is_file():
        return _from_manifest(folder, manifest)
    return _from_discovery(folder, project)


def _from_manifest(folder: Path, path: Path) -> PackFolder:
    try:
        data = _Manifest.model_validate(json.loads(read_text(path)))
    except json.JSONDecodeError as err:
        where = f"{path}:{err.lineno}:{err.colno}"
        raise MailError(f"{where}: malformed JSON: {err.msg}") from err
    except ValidationError as err:
        problems = [f"{path}: {problem}" for problem in describe_errors(err, _Manifest)]
        raise ProblemsError(problems) from err
    files = [_manifest_file(folder, path, entry) for entry in data.files]
    meeting = data.meeting
    return PackFolder(
        folder=folder,
        pack_id=data.pack_id,
        title=data.title,
        meeting=MeetingInfo(
            name=meeting.name,
            body=meeting.body or "",
            date=meeting.date,
            end_date=meeting.end_date,
            venue=meeting.venue or "",
            date_text=_date_text(meeting.date, meeting.end_date),
        ),
        classification=data.classification or "",
        files=tuple(files),
        from_manifest=True,
    )


def _manifest_file(folder: Path, manifest: Path, entry: _ManifestFile) -> PackFile:
    """Check one listed file: a plain name in the folder, unchanged since the build."""
    name = entry.file
    if Path(name).name != name or name.startswith("."):
        raise MailError(f"{manifest}: file {name!r} is not a plain file name")
    try:
        # The name becomes a header parameter of its attachment.
        check_header_text("file name", name)
    except ValueError as err:
        raise MailError(f"{manifest}: {err}") from err
    path = folder / name
    if not path.is_file():
        raise MailError(f"{manifest}: lists {name!r}, which is not in {folder}")
    data = path.read_bytes()
    if entry.sha256 and hashlib.sha256(data).hexdigest() != entry.sha256:
        raise MailError(
            f"{path}: changed since {manifest.name} was written; rebuild the pack"
        )
    return PackFile(
        path=path,
        iso3=entry.country.upper(),
        country_name=entry.country_name or entry.country.upper(),
        lang=entry.language,
        size=len(data),
        pages=entry.pages,
    )


def _from_discovery(folder: Path, project: Project) -> PackFolder:
    """Find ``<pack-id>_<ISO3>_<lang>.pdf`` files; read the meeting from metadata."""
    pack_id = folder.resolve().name
    pattern = re.compile(
        rf"^{re.escape(pack_id)}_(?P<iso3>[A-Z]{{3}})_(?P<lang>[a-z]{{2}})\.pdf$"
    )
    matches = [
        (match, path)
        for path in sorted(folder.iterdir())
        if (match := pattern.match(path.name)) and path.is_file()
    ]
    if not matches:
        raise MailError(
            f"{folder}: no {MANIFEST_NAME} and no PDF named"
            f" {pack_id}_<ISO3>_<lang>.pdf; give a folder that briefpack build wrote"
        )
    files: list[PackFile] = []
    metadata: dict = {}
    for match, path in matches:
        iso3 = match.group("iso3")
        known = project.countries.countries.get(iso3)
        reader = _read_pdf(path)
        metadata = metadata or dict(reader.metadata or {})
        files.append(PackFile(
            path=path,
            iso3=iso3,
            country_name=known.name if known else iso3,
            lang=match.group("lang"),
            size=path.stat().st_size,
            pages=len(reader.pages),
        ))
    title, meeting = _metadata_context(metadata, files[0])
    return PackFolder(folder, pack_id, title, meeting, "", tuple(files), False)


def _read_pdf(path: Path) -> PdfReader:
    try:
        return PdfReader(path)
    except (PdfReadError, OSError) as err:
        raise MailError(f"{path}: cannot read the PDF: {err}") from err


def _metadata_context(metadata: dict, first: PackFile) -> tuple[str, MeetingInfo]:
    """Return the pack title and meeting from a PDF's /Title and /Subject."""
    title = str(metadata.get("/Title") or "")
    title = title.removesuffix(f": {first.country_name}") or first.path.stem
    subject = str(metadata.get("/Subject") or "")
    match = SUBJECT_METADATA.match(subject)
    if match:
        meeting = MeetingInfo(name=match.group("meeting"),
                              date_text=match.group("date") or "")
    else:
        meeting = MeetingInfo(name=subject or title)
    return title, meeting


def _date_text(start: dt.date | None, end: dt.date | None) -> str:
    if start is None:
        return ""
    return format_date_range(start, end, get_translations("en").gettext)


# --- Drafts: grouping, splitting, templates ------------------------------------------


@dataclass(frozen=True)
class DraftOptions:
    """What every draft of a run shares."""

    template: Path
    sender: Address | None = None
    cc: tuple[Address, ...] = ()
    subject: str | None = None
    classification: str | None = None
    languages: tuple[str, ...] = ()
    attachment_limit: int = DEFAULT_ATTACHMENT_LIMIT
    split: bool = True


@dataclass(frozen=True)
class Draft:
    """One message to write as ``<name>.eml``."""

    name: str
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    sender: Address | None
    subject: str
    body: str
    files: tuple[PackFile, ...]


@dataclass(frozen=True)
class _Group:
    """Recipients and the files they get, before splitting and rendering."""

    stem: str
    to: tuple[Address, ...]
    recipient: Recipient | None
    files: tuple[PackFile, ...]


def plan_drafts(
    pack: PackFolder,
    recipients: Sequence[Recipient],
    options: DraftOptions,
    per_recipient: bool,
) -> list[Draft]:
    """Return the drafts for one pack folder: one per pack or one per recipient.

    A recipient whose countries have no PDF in the pack gets no draft, and a country
    nobody covers is reported; both are warnings, not failures.
    """
    if not pack.from_manifest and options.classification is None:
        logger.warning(
            "%s: no %s, so the meeting comes from the PDF metadata and the"
            " classification is unknown; pass --classification to mark the drafts",
            pack.folder, MANIFEST_NAME,
        )
    wanted = options.languages
    files = [f for f in pack.files if not wanted or f.lang in wanted]
    if not files:
        raise MailError(f"{pack.folder}: no PDF in the language(s) {', '.join(wanted)}")
    if per_recipient:
        groups = _groups_per_recipient(pack, files, recipients)
    else:
        to = tuple(recipient.address for recipient in recipients)
        groups = [_Group(pack.pack_id, to, None, tuple(files))]
    _report_uncovered(pack, files, recipients)
    environment = _template_environment(options.template)
    drafts: list[Draft] = []
    for group in groups:
        parts = split_files(group.files, options.attachment_limit, options.split,
                            group.stem)
        for number, part in enumerate(parts, start=1):
            drafts.append(_render_draft(pack, group, part, (number, len(parts)),
                                        options, environment))
    return drafts


def _groups_per_recipient(
    pack: PackFolder, files: list[PackFile], recipients: Sequence[Recipient]
) -> list[_Group]:
    groups: list[_Group] = []
    used: set[str] = set()
    for recipient in recipients:
        codes = recipient.iso3_codes
        theirs = tuple(f for f in files if codes is None or f.iso3 in codes)
        if not theirs:
            logger.warning(
                "%s%s covers %s, but %s has no PDF for those countries; no draft",
                f"{recipient.where}: " if recipient.where else "", recipient.label(),
                _covered_text(recipient), pack.pack_id,
            )
            continue
        stem = _unique(f"{pack.pack_id}_{_slug(recipient)}", used)
        groups.append(_Group(stem, (recipient.address,), recipient, theirs))
    return groups


def _report_uncovered(
    pack: PackFolder, files: Sequence[PackFile], recipients: Sequence[Recipient]
) -> None:
    if any(recipient.iso3_codes is None for recipient in recipients):
        return
    covered = set().union(*(recipient.iso3_codes or () for recipient in recipients))
    for pack_file in files:
        if pack_file.iso3 not in covered:
            logger.warning("%s: nobody in the distribution list covers %s (%s)",
                           pack_file.file, pack_file.iso3, pack_file.country_name)


def _covered_text(recipient: Recipient) -> str:
    if recipient.areas:
        return " and ".join(recipient.areas)
    return ", ".join(sorted(recipient.iso3_codes or ()))


def _slug(recipient: Recipient) -> str:
    """Return an ASCII file-name part for a recipient: ``aminata-diallo``."""
    for text in (recipient.name, recipient.address.username):
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.decode().lower()).strip("-")
        if slug:
            return slug[:60].rstrip("-")
    return "recipient"


def _unique(stem: str, used: set[str]) -> str:
    candidate, number = stem, 1
    while candidate in used:
        number += 1
        candidate = f"{stem}-{number}"
    used.add(candidate)
    return candidate


def split_files(
    files: Sequence[PackFile], limit: int, split: bool, label: str
) -> list[tuple[PackFile, ...]]:
    """Group attachments into messages of at most ``limit`` bytes, in order.

    The limit counts the PDFs' own bytes; the encoded message is about a third larger
    (base64), which is what a mail server compares with its own limit.
    """
    for pack_file in files:
        if pack_file.size > limit:
            raise MailError(
                f"{pack_file.path}: {format_size(pack_file.size)} is over the"
                f" {format_size(limit)} attachment limit for one message; raise"
                " --attachment-limit or rebuild the pack with a smaller --max-size"
            )
    total = sum(pack_file.size for pack_file in files)
    if total <= limit:
        return [tuple(files)]
    if not split:
        raise MailError(
            f"{label}: the attachments total {format_size(total)}, over the"
            f" {format_size(limit)} limit for one message; drop --no-split to spread"
            " them over several messages, or raise --attachment-limit"
        )
    parts: list[list[PackFile]] = [[]]
    for pack_file in files:
        if sum(f.size for f in parts[-1]) + pack_file.size > limit:
            parts.append([])
        parts[-1].append(pack_file)
    return [tuple(part) for part in parts]


def _template_environment(template: Path) -> jinja2.Environment:
    """Plain text: no autoescape; headers are checked after rendering instead."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template.parent),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render_draft(
    pack: PackFolder,
    group: _Group,
    files: tuple[PackFile, ...],
    part: tuple[int, int],
    options: DraftOptions,
    environment: jinja2.Environment,
) -> Draft:
    context = draft_context(pack, group.recipient, group.to, files, part, options)
    subject, body = render_template(options.template, environment, context)
    if options.subject is not None:
        subject = options.subject
    number, total = part
    if total > 1:
        subject = f"{subject} (part {number} of {total})"
    try:
        check_header_text("subject", subject)
    except ValueError as err:
        raise MailError(f"{options.template}: {err}") from err
    name = group.stem if total == 1 else f"{group.stem}_part{number}"
    return Draft(name, group.to, options.cc, options.sender, subject, body, files)


def draft_context(
    pack: PackFolder,
    recipient: Recipient | None,
    to: Sequence[Address],
    files: Sequence[PackFile],
    part: tuple[int, int],
    options: DraftOptions,
) -> dict:
    """Return the template context of one draft (documented in the README)."""
    meeting = pack.meeting
    countries = list({f.iso3: f.country_name for f in files}.items())
    classification = (options.classification if options.classification is not None
                      else pack.classification)
    return {
        "pack": {"id": pack.pack_id, "title": pack.title},
        "meeting": {
            "name": meeting.name,
            "body": meeting.body,
            "date": meeting.date.isoformat() if meeting.date else "",
            "end_date": meeting.end_date.isoformat() if meeting.end_date else "",
            "date_text": meeting.date_text,
            "venue": meeting.venue,
        },
        "classification": classification,
        "recipient": ({"name": recipient.name, "email": recipient.email}
                      if recipient else None),
        "recipients": [{"name": a.display_name, "email": a.addr_spec} for a in to],
        "area": _area_text(recipient, [name for _, name in countries]),
        "countries": [{"iso3": iso3, "name": name} for iso3, name in countries],
        "files": [
            {"file": f.file, "country": f.iso3, "country_name": f.country_name,
             "language": f.lang, "pages": f.pages, "size": format_size(f.size),
             "bytes": f.size}
            for f in files
        ],
        "part": {"number": part[0], "total": part[1]},
    }


def _area_text(recipient: Recipient | None, names: Sequence[str]) -> str:
    """Name the region a recipient covers, or list up to four countries."""
    if recipient is not None and recipient.areas:
        return " and ".join(recipient.areas)
    if len(names) > 4:
        return f"{len(names)} countries"
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def render_template(
    template: Path, environment: jinja2.Environment, context: dict
) -> tuple[str, str]:
    """Render the template; return the subject (first line) and the body."""
    try:
        text = environment.get_template(template.name).render(context)
    except jinja2.TemplateNotFound as err:
        raise MailError(f"{template}: template {err.name!r} not found") from err
    except jinja2.TemplateError as err:
        line = getattr(err, "lineno", None)
        where = f"{template}:{line}" if line else str(template)
        raise MailError(f"{where}: template error: {err.message}") from err
    subject, _, body = text.replace("\r\n", "\n").partition("\n")
    subject = subject.strip()
    if not subject:
        raise MailError(f"{template}: the first line, the subject, is empty")
    return subject, body.lstrip("\n")


# --- Messages -------------------------------------------------------------------------


def build_message(draft: Draft) -> EmailMessage:
    """Return the draft as a MIME message: text body, then one PDF per attachment."""
    message = EmailMessage(policy=policy.SMTP)
    if draft.sender is not None:
        message["From"] = draft.sender
    message["To"] = draft.to
    if draft.cc:
        message["Cc"] = draft.cc
    message["Subject"] = draft.subject
    # Outlook and other desktop clients open a message with this header as a draft.
    message["X-Unsent"] = "1"
    # Quoted-printable keeps a non-ASCII body 7-bit clean for any SMTP server.
    cte = None if draft.body.isascii() else "quoted-printable"
    message.set_content(draft.body, cte=cte)
    for pack_file in draft.files:
        message.add_attachment(pack_file.path.read_bytes(), maintype="application",
                               subtype="pdf", filename=pack_file.file)
        # Some clients read only Content-Type's name; both are RFC 2231 encoded.
        message.get_payload()[-1].set_param("name", pack_file.file)
    if draft.files:
        message.set_boundary(_boundary(message))
    return message


def _boundary(message: EmailMessage) -> str:
    """Derive the MIME boundary from the content, so reruns write identical drafts.

    A boundary must not occur in any part; base64 has no hyphens, and a hash of the
    whole content cannot be foreseen by a body's author.
    """
    digest = hashlib.sha256()
    for part in message.walk():
        payload = part.get_payload(decode=True)
        digest.update(payload or b"")
        digest.update(str(part.get("Content-Disposition", "")).encode())
    digest.update(str(message["Subject"]).encode())
    return f"briefpack-{digest.hexdigest()[:40]}"


def message_bytes(message: EmailMessage) -> bytes:
    """Return the message as RFC 5322 bytes with CRLF line ends."""
    data = message.as_bytes(policy=policy.SMTP)
    header, separator, rest = data.partition(b"\r\n\r\n")
    # Python's folder can end a line with the space before an encoded word and then
    # start the next with a space too, so "Migration, 11–12 May" unfolds with two
    # spaces. Dropping the space before such a fold leaves exactly one.
    header = TRAILING_SPACE_FOLD.sub(b"\r\n", header)
    return header + separator + rest


def write_drafts(
    drafts: Sequence[Draft], folder: Path
) -> list[tuple[Path, EmailMessage]]:
    """Build every message first, then write each atomically to ``<name>.eml``."""
    prepared = [(folder / f"{d.name}.eml", build_message(d)) for d in drafts]
    for path, message in prepared:
        write_atomic(path, message_bytes(message))
    return prepared
