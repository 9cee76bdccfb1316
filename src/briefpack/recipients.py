"""Addresses and distribution lists: who gets which packs.

Every address is checked with ``email-validator`` (syntax only, no network), and every
name or address is refused if it holds a control character: a newline in a header
value would let the text after it become a header of its own.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from .errors import BriefError, ProblemsError
from .files import read_text
from .project import Project
from .spec import unknown_country_message

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
COUNTRY_SEPARATORS = re.compile(r"[\s,]+")
REQUIRED_COLUMNS = ("name", "email", "countries")


def check_header_text(what: str, value: str) -> str:
    """Return ``value`` if it can go into a header; raise ``ValueError`` otherwise."""
    match = CONTROL_CHARACTERS.search(value)
    if match:
        raise ValueError(
            f"{what} {value!r} contains a control character"
            f" ({match.group()!r}); header values must be one line of text"
        )
    return value


def validate_address(text: str) -> str:
    """Return the normalised ``user@domain`` for an address; raise ``ValueError``."""
    check_header_text("address", text)
    try:
        result = validate_email(
            text.strip(), check_deliverability=False, allow_smtputf8=False
        )
    except EmailNotValidError as err:
        raise ValueError(f"{text!r} is not a valid email address: {err}") from err
    return result.ascii_email or result.normalized


def parse_address(text: str) -> Address:
    """Parse ``desk@example.org`` or ``Desk Name <desk@example.org>``."""
    check_header_text("address", text)
    match = re.fullmatch(r"\s*(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>\s*", text)
    if match:
        name = match.group("name").strip().strip('"').strip()
        return make_address(name, match.group("addr"))
    return make_address("", text)


def make_address(name: str, addr: str) -> Address:
    """Return a checked header address; the display name may be empty."""
    check_header_text("name", name)
    user, _, domain = validate_address(addr).rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


@dataclass(frozen=True)
class Recipient:
    """A person who gets drafts; ``iso3_codes`` of None means every country."""

    address: Address
    iso3_codes: frozenset[str] | None = None
    areas: tuple[str, ...] = ()
    where: str = ""

    @property
    def name(self) -> str:
        return self.address.display_name

    @property
    def email(self) -> str:
        return self.address.addr_spec

    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


def load_recipients(path: Path, project: Project) -> list[Recipient]:
    """Read a distribution list CSV: ``name,email,countries``.

    ``countries`` holds ISO3 codes separated by spaces, commas or semicolons, or M49
    region names (``Western Africa``), or both separated by semicolons. Every problem
    in the file is reported at once, with its line number.
    """
    rows = _read_rows(path)
    if not rows:
        raise BriefError(f"{path}: empty file; expected columns name,email,countries")
    header = [cell.strip().lower() for cell in rows[0][1]]
    missing = [key for key in REQUIRED_COLUMNS if key not in header]
    if missing:
        raise BriefError(
            f"{path}:1: missing column(s) {', '.join(missing)}; the header must name"
            " name, email and countries"
        )
    problems: list[str] = []
    recipients: list[Recipient] = []
    seen: dict[str, int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, [cell.strip() for cell in row], strict=False))
        where = f"{path}:{line}"
        recipient = _recipient_from_row(cells, where, project, problems)
        if recipient is None:
            continue
        # Mail systems treat the user part case-blind in practice, so do the same.
        key = recipient.email.lower()
        if key in seen:
            problems.append(f"{where}: {recipient.email} is already on line"
                            f" {seen[key]}")
            continue
        seen[key] = line
        recipients.append(recipient)
    if problems:
        raise ProblemsError(problems, "distribution list problem")
    if not recipients:
        raise BriefError(f"{path}: the distribution list has no recipients")
    return recipients


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Return each CSV record with the line it starts on (a quoted cell may span lines).

    A byte-order mark, as spreadsheet programs write, is dropped.
    """
    text = read_text(path).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as err:
        raise BriefError(f"{path}:{reader.line_num}: malformed CSV: {err}") from err
    return rows


def _recipient_from_row(
    cells: dict[str, str], where: str, project: Project, problems: list[str]
) -> Recipient | None:
    before = len(problems)
    address = None
    try:
        address = make_address(cells.get("name", ""), cells.get("email", ""))
    except ValueError as err:
        problems.append(f"{where}: {err}")
    codes, areas = _covered_countries(cells.get("countries", ""), where, project,
                                      problems)
    if len(problems) > before or address is None:
        return None
    return Recipient(address, frozenset(codes), tuple(areas), where)


def _covered_countries(
    text: str, where: str, project: Project, problems: list[str]
) -> tuple[list[str], list[str]]:
    """Return the ISO3 codes and region names a ``countries`` cell names."""
    codes: list[str] = []
    areas: list[str] = []
    if not text.strip():
        problems.append(f"{where}: countries: empty; list ISO3 codes or a region name")
    for part in (part.strip() for part in text.split(";")):
        if not part:
            continue
        in_area = project.resolve_area(part)
        if in_area:
            codes.extend(in_area)
            areas.append(part)
            continue
        for token in COUNTRY_SEPARATORS.split(part):
            if token.upper() in project.countries.countries:
                codes.append(token.upper())
            else:
                problems.append(
                    f"{where}: countries: {unknown_country_message(token, project)}"
                    " (or an M49 region name)"
                )
    return list(dict.fromkeys(codes)), areas
