"""PDF size analysis: how large a pack is, and which fonts and images make it so.

Packs travel as email attachments, so each PDF has a size budget (2 MB by default).
``check_size`` reads a rendered PDF with pypdf and adds up the encoded bytes of every
embedded font program and raster image, each counted once however many pages use it.
What is left (page content, tags, bookmarks, metadata) is reported as "other".
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import click
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

from .errors import BriefError

# Decimal units, as mail clients and file managers show sizes.
DEFAULT_BUDGET = 2_000_000
UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "kib": 1024,
    "mib": 1024**2,
}
SIZE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)

# Font descriptor keys that hold the embedded font program (Type 1, TrueType, CFF).
FONT_FILE_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")


class SizeError(BriefError):
    """A PDF larger than the hard size limit."""


@dataclass(frozen=True)
class Contributor:
    """One embedded font or image and its encoded size in bytes."""

    kind: str
    name: str
    size: int

    def describe(self) -> str:
        return f"{self.kind} {self.name} ({format_size(self.size)})"


@dataclass(frozen=True)
class SizeReport:
    """A PDF's total size against its budget, with its fonts and images."""

    total: int
    budget: int
    fonts: tuple[Contributor, ...]
    images: tuple[Contributor, ...]
    drawing: int = 0

    @property
    def over_budget(self) -> bool:
        return self.total > self.budget

    @property
    def other(self) -> int:
        """Return the bytes that are not fonts, images or page drawing."""
        embedded = sum(c.size for c in (*self.fonts, *self.images))
        return max(0, self.total - embedded - self.drawing)

    def largest(self, count: int = 3) -> list[Contributor]:
        """Return the largest fonts, images and page drawing, biggest first."""
        candidates = [*self.fonts, *self.images]
        if self.drawing:
            candidates.append(Contributor("page", "text and drawings", self.drawing))
        return sorted(candidates, key=lambda c: (-c.size, c.name))[:count]

    def describe_largest(self) -> str:
        """Return ``largest: font X (7 kB), …, structure and metadata (70 kB)``."""
        parts = [c.describe() for c in self.largest()]
        parts.append(f"structure and metadata ({format_size(self.other)})")
        return f"largest: {', '.join(parts)}"


@dataclass(frozen=True)
class SizeLimits:
    """The size budget (a warning) and an optional hard limit (a failure)."""

    budget: int = DEFAULT_BUDGET
    max_size: int | None = None

    def enforce(self, pdf: bytes, source_name: str) -> str | None:
        """Return a warning for a PDF over budget; raise ``SizeError`` over the max."""
        hard = self.max_size if self.max_size is not None else self.budget
        if len(pdf) <= min(self.budget, hard):
            return None
        report = check_size(pdf, self.budget)
        if self.max_size is not None and report.total > self.max_size:
            raise SizeError(
                f"{source_name}: {format_size(report.total)} is over the size limit of"
                f" {format_size(self.max_size)} (--max-size);"
                f" {report.describe_largest()}"
            )
        if report.over_budget:
            return (
                f"{source_name}: {format_size(report.total)} is over the size budget of"
                f" {format_size(self.budget)}; {report.describe_largest()}"
            )
        return None


def check_size(pdf: bytes, budget: int) -> SizeReport:
    """Measure a PDF's fonts and images against ``budget`` bytes."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        fonts: dict[object, Contributor] = {}
        images: dict[object, Contributor] = {}
        seen: dict[object, int] = {}
        drawing = 0
        for number, page in enumerate(reader.pages, start=1):
            drawing += _contents_size(page.get("/Contents"))
            resources = _resolve(page.get("/Resources"))
            if isinstance(resources, DictionaryObject):
                _walk_resources(resources, number, fonts, images, seen)
    except PdfReadError as err:
        raise BriefError(f"cannot measure the PDF: {err}") from err
    return SizeReport(
        total=len(pdf),
        budget=budget,
        fonts=_merged_by_name(fonts.values()),
        images=tuple(images.values()),
        drawing=drawing + sum(seen.values()),
    )


def _walk_resources(
    resources: DictionaryObject,
    page_number: int,
    fonts: dict[object, Contributor],
    images: dict[object, Contributor],
    seen: dict[object, int],
) -> None:
    """Collect fonts and images from a resource dictionary and nested forms.

    ``seen`` maps each form and pattern visited to the size of its drawing stream.
    """
    for key, font in _entries(_resolve(resources.get("/Font"))):
        if key not in fonts:
            fonts[key] = _font_contributor(font)
    # Form XObjects (inline SVG) and tiling patterns (CSS background images) carry
    # resources of their own, so images can hide one or two levels down.
    for category in ("/XObject", "/Pattern"):
        for key, xobject in _entries(_resolve(resources.get(category))):
            if key in seen or key in images:
                continue
            if _resolve(xobject.get("/Subtype")) == "/Image":
                images[key] = _image_contributor(xobject, page_number)
                continue
            seen[key] = _stream_size(xobject)
            inner = _resolve(xobject.get("/Resources"))
            if isinstance(inner, DictionaryObject):
                _walk_resources(inner, page_number, fonts, images, seen)


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _entries(container) -> Iterator[tuple[object, DictionaryObject]]:
    """Yield ``(identity, object)`` for each entry; identity dedupes shared objects."""
    if not isinstance(container, DictionaryObject):
        return
    for name in container:
        raw = container.raw_get(name)
        value = _resolve(raw)
        if not isinstance(value, DictionaryObject):
            continue
        if isinstance(raw, IndirectObject):
            yield (raw.idnum, raw.generation), value
        else:
            yield id(value), value


def _contents_size(contents) -> int:
    contents = _resolve(contents)
    if isinstance(contents, StreamObject):
        return _stream_size(contents)
    return sum(_stream_size(part) for part in contents or [])


def _stream_size(stream) -> int:
    stream = _resolve(stream)
    if not isinstance(stream, StreamObject):
        return 0
    # The encoded length is what the file carries; decoding would overstate it.
    return len(stream._data)


def _font_contributor(font: DictionaryObject) -> Contributor:
    name = str(font.get("/BaseFont", "unnamed")).lstrip("/")
    name = name.split("+", 1)[-1]
    size = _stream_size(font.get("/ToUnicode"))
    descendants = _resolve(font.get("/DescendantFonts")) or []
    for descendant in [font, *(_resolve(d) for d in descendants)]:
        descriptor = _resolve(descendant.get("/FontDescriptor"))
        if not isinstance(descriptor, DictionaryObject):
            continue
        size += sum(_stream_size(descriptor.get(key)) for key in FONT_FILE_KEYS)
    return Contributor("font", name, size)


def _image_contributor(image: StreamObject, page_number: int) -> Contributor:
    size = _stream_size(image) + _stream_size(image.get("/SMask"))
    width, height = _resolve(image.get("/Width")), _resolve(image.get("/Height"))
    return Contributor("image", f"{width}x{height} px on page {page_number}", size)


def _merged_by_name(fonts) -> tuple[Contributor, ...]:
    """Add up font objects of one family and style (WeasyPrint may split a font)."""
    totals: dict[str, int] = {}
    for font in fonts:
        totals[font.name] = totals.get(font.name, 0) + font.size
    return tuple(Contributor("font", name, size) for name, size in totals.items())


def format_size(size: int) -> str:
    """Return ``1.9 MB``, ``210 kB`` or ``900 bytes`` (decimal units)."""
    if size >= 1000**2:
        return f"{size / 1000**2:.1f} MB"
    if size >= 1000:
        return f"{round(size / 1000)} kB"
    return f"{size} bytes"


def parse_size(text: str) -> int:
    """Return bytes for ``2MB``, ``500 kB``, ``1.5M``, ``3MiB`` or a plain number."""
    match = SIZE_PATTERN.match(text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in UNITS:
        raise ValueError(
            f"{text!r} is not a size; use bytes or a unit: 500kB, 2MB, 3MiB"
        )
    size = int(float(match.group(1)) * UNITS[unit])
    if size <= 0:
        raise ValueError(f"{text!r}: a size must be more than zero")
    return size


class ByteSize(click.ParamType):
    """A Click parameter for sizes such as ``2MB``; converts to bytes."""

    name = "size"

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except ValueError as err:
            self.fail(str(err), param, ctx)
