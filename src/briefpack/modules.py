"""Toolkit modules: front matter, Markdown body, and the one place Markdown becomes HTML.

A module lives in ``briefs/modules/<module-id>/<lang>.md``. Markdown is converted and then
sanitised with nh3 here, and only here, before templates mark it safe.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import markdown
import nh3
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ContentError, suggest
from .files import parse_yaml, read_text
from .reference import GCM_OBJECTIVES, is_sdg_target
from .validation import PATTERN_HINTS, IsoDate, describe_errors

MODULE_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_ID = r"[a-z0-9]+(?:-[a-z0-9]+)*"

COUNTRY_BLOCK = re.compile(r"^:::[ \t]*country[ \t]*\n(?P<text>.*?)^:::[ \t]*$\n?",
                           re.MULTILINE | re.DOTALL)
PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MODULE_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\(module:(?P<id>[a-z0-9-]+)\)")
CITATION = re.compile(rf"\[@(?P<ids>{SOURCE_ID}(?:\s*;\s*@{SOURCE_ID})*)\]")
SOURCE_URL = r"^https?://\S+$"
# Module ids and source ids share one pattern.
PATTERN_HINTS[MODULE_ID_PATTERN.pattern] = (
    "lowercase letters, digits and hyphens, such as 'labour-migration'"
)
PATTERN_HINTS[SOURCE_URL] = "an http:// or https:// address"

# A private-use character pair keeps citation markers intact through Markdown and nh3.
_CITE_OPEN, _CITE_CLOSE = "\ue000", "\ue001"
_CITE_MARKER = re.compile(f"{_CITE_OPEN}(?P<ids>[^{_CITE_CLOSE}]+){_CITE_CLOSE}")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
    "strong", "em", "b", "i", "code", "pre", "sub", "sup", "abbr", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"},
                      "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}
# Links inside the pack (#module-…) are relative URLs; every other relative URL would
# resolve against the templates folder and print as a file:// link, so it is dropped.
_KEPT_HREF = re.compile(r"^(?:#|(?:https?|mailto):)", re.IGNORECASE)


def _keep_safe_href(tag: str, attribute: str, value: str) -> str | None:
    """Return an attribute's value for nh3, or None to drop a relative link."""
    if attribute == "href" and not _KEPT_HREF.match(value):
        return None
    return value


class SourceEntry(BaseModel):
    """A publication cited by a module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=f"^{SOURCE_ID}$")
    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    url: str = Field(pattern=SOURCE_URL)


class ModuleMeta(BaseModel):
    """The front matter of a toolkit module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=MODULE_ID_PATTERN.pattern)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    key_messages: list[str] = Field(min_length=1)
    policy_options: list[str] = Field(min_length=1)
    gcm_objectives: list[int] = Field(default_factory=list)
    sdg_targets: list[str] = Field(default_factory=list)
    applies_to: str | None = None
    sources: list[SourceEntry] = Field(min_length=1)
    reviewed: IsoDate
    tags: list[str] = Field(min_length=1)

    @field_validator("gcm_objectives")
    @classmethod
    def _known_objectives(cls, numbers: list[int]) -> list[int]:
        unknown = [number for number in numbers if number not in GCM_OBJECTIVES]
        if unknown:
            raise ValueError(f"GCM objectives are numbered 1 to 23, got {unknown}")
        return numbers

    @field_validator("sdg_targets")
    @classmethod
    def _known_targets(cls, codes: list[str]) -> list[str]:
        bad = [code for code in codes if not is_sdg_target(code)]
        if bad:
            raise ValueError(f"not SDG target codes (expected e.g. '10.7'): {bad}")
        return codes

    @field_validator("tags")
    @classmethod
    def _lowercase_tags(cls, tags: list[str]) -> list[str]:
        return [tag.strip().lower() for tag in tags]


@dataclass(frozen=True)
class BriefModule:
    """One toolkit module in one language, validated."""

    path: Path
    lang: str
    meta: ModuleMeta
    body: str
    body_line: int

    @property
    def module_id(self) -> str:
        return self.meta.id

    @cached_property
    def source_ids(self) -> set[str]:
        return {source.id for source in self.meta.sources}

    def cited_ids(self) -> list[str]:
        """Return every source id cited anywhere in the module, in order of first use."""
        texts = [self.meta.summary, *self.meta.key_messages, *self.meta.policy_options,
                 self.body]
        seen: dict[str, None] = {}
        for text in texts:
            for match in CITATION.finditer(text):
                seen.update(dict.fromkeys(_split_ids(match["ids"])))
        return list(seen)


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (front matter, body, line where the body starts) of a module file."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise ContentError([f"{path}: front matter: the file must start with a '---' line"])
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            front = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return front, body, index + 2
    raise ContentError([f"{path}: front matter: no closing '---' line"])


def load_module(path: Path, lang: str) -> BriefModule:
    """Load and validate one module file; report all front-matter problems at once."""
    text = read_text(path)
    front, body, body_line = split_front_matter(text, path)
    data = parse_yaml(front, path, line_offset=1)
    if data is None:
        raise ContentError([f"{path}: front matter: is empty; expected key: value pairs"
                            " (id, title, summary, …)"])
    if not isinstance(data, dict):
        raise ContentError([f"{path}: front matter: expected key: value pairs"
                            f" (got {type(data).__name__})"])
    try:
        meta = ModuleMeta.model_validate(data)
    except ValidationError as err:
        problems = describe_errors(err, ModuleMeta)
        raise ContentError([f"{path}: {problem}" for problem in problems]) from err
    folder_id = path.parent.name
    if meta.id != folder_id:
        raise ContentError(
            [f"{path}: id: {meta.id!r} does not match its folder name {folder_id!r}"]
        )
    if not body.strip():
        raise ContentError([f"{path}: body: the module has no text after the front matter"])
    return BriefModule(path=path, lang=lang, meta=meta, body=body, body_line=body_line)


class ModuleLibrary:
    """The modules under ``briefs/modules``, loaded on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._loaded: dict[tuple[str, str], BriefModule] = {}

    @cached_property
    def ids(self) -> list[str]:
        """Return every module id (folder name), sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.folder.iterdir()
            if entry.is_dir() and any(entry.glob("*.md"))
        )

    def languages(self, module_id: str) -> list[str]:
        return sorted(path.stem for path in (self.folder / module_id).glob("*.md"))

    def path(self, module_id: str, lang: str) -> Path:
        return self.folder / module_id / f"{lang}.md"

    def get(self, module_id: str, lang: str = "en") -> BriefModule:
        """Return a validated module; unknown ids get the nearest valid ones."""
        key = (module_id, lang)
        if key not in self._loaded:
            if module_id not in self.ids:
                raise ContentError(
                    [f"unknown module id {module_id!r}{suggest(module_id, self.ids)}"]
                )
            path = self.path(module_id, lang)
            if not path.exists():
                available = ", ".join(self.languages(module_id))
                raise ContentError(
                    [f"{path}: module {module_id!r} has no {lang!r} text"
                     f" (available: {available})"]
                )
            self._loaded[key] = load_module(path, lang)
        return self._loaded[key]

    def all(self, lang: str = "en") -> list[BriefModule]:
        """Return every module in ``lang``; raise once with every problem found."""
        modules: list[BriefModule] = []
        problems: list[str] = []
        for module_id in self.ids:
            try:
                modules.append(self.get(module_id, lang))
            except ContentError as err:
                problems.extend(err.problems)
        if problems:
            raise ContentError(problems)
        return modules

    def regional_for(self, area_names: set[str], lang: str = "en") -> BriefModule | None:
        """Return the regional module that applies to a country's M49 areas, if any."""
        for brief_module in self.all(lang):
            applies_to = brief_module.meta.applies_to
            if applies_to and applies_to.lower() in area_names:
                return brief_module
        return None


# --- Markdown to safe HTML -------------------------------------------------------------

# One converter per process, reset between documents: building a Markdown instance
# with its extensions costs more than converting a paragraph.
_MARKDOWN = markdown.Markdown(
    extensions=["tables", "sane_lists", "smarty"], output_format="html"
)

CiteFormatter = Callable[[list[str]], str]


def _split_ids(ids: str) -> list[str]:
    return [part.strip().lstrip("@") for part in ids.split(";")]


_SENTENCE_START_THE = re.compile(r"(^|[.!?]\s+)the ")


def fill_country_passages(body: str, values: Mapping[str, str] | None) -> str:
    """Keep each ``::: country`` passage whose placeholders all have values; drop others.

    Values are HTML-escaped before they enter the Markdown, so a country name with ``<``
    or ``&`` prints as written.
    """

    def replace(match: re.Match[str]) -> str:
        passage = match["text"]
        names = [found["name"] for found in PLACEHOLDER.finditer(passage)]
        if values is None or any(not values.get(name) for name in names):
            return ""
        filled = PLACEHOLDER.sub(lambda found: html.escape(values[found["name"]]), passage)
        # A name with its article ("the Philippines") may open a sentence.
        return _SENTENCE_START_THE.sub(lambda m: m[1] + "The ", filled)

    return COUNTRY_BLOCK.sub(replace, body)


def link_modules(text: str, linked_modules: set[str]) -> str:
    """Point ``[text](module:id)`` at that module's section, or keep only the text.

    A module reached from several packs cannot know which other modules a pack holds,
    and a link to a section that is not there would be a broken anchor.
    """

    def replace(match: re.Match[str]) -> str:
        if match["id"] in linked_modules:
            return f"[{match['text']}](#module-{match['id']})"
        return match["text"]

    return MODULE_LINK.sub(replace, text)


@lru_cache(maxsize=4096)
def _sanitised_html(marked: str, inline: bool) -> str:
    """Convert Markdown (citations already replaced by markers) and sanitise it.

    Cached: summaries, key messages and most passages are the same in every pack of a
    batch, and citation numbers are filled in afterwards.
    """
    converted = _MARKDOWN.reset().convert(marked)
    if inline and converted.startswith("<p>") and converted.endswith("</p>"):
        converted = converted[3:-4]
    return nh3.clean(
        converted,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_keep_safe_href,
        link_rel="noopener",
    )


def markdown_to_html(
    text: str,
    cite: CiteFormatter,
    inline: bool = False,
    linked_modules: set[str] = frozenset(),
) -> Markup:
    """Convert module Markdown to sanitised HTML with numbered citation links."""
    text = link_modules(text, set(linked_modules))
    marked = CITATION.sub(lambda m: f"{_CITE_OPEN}{m['ids']}{_CITE_CLOSE}", text)
    clean = _sanitised_html(marked, inline)
    with_citations = _CITE_MARKER.sub(lambda m: cite(_split_ids(m["ids"])), clean)
    # The HTML above was produced by Markdown and cleaned by nh3; citation markup comes
    # from our own formatter, which escapes what it inserts.
    return Markup(with_citations)  # noqa: S704
