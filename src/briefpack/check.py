"""``briefpack check``: validate the module library, pack specs and country data.

Errors make the check fail; warnings do so only with ``--strict``. Each problem is one
line: file (and line), field, and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .context import PASSAGE_PLACEHOLDERS
from .countries import load_sources
from .errors import BriefError, ContentError, ProblemsError
from .modules import (
    CITATION,
    COUNTRY_BLOCK,
    MODULE_LINK,
    PLACEHOLDER,
    BriefModule,
    ModuleLibrary,
)
from .project import Project
from .spec import load_pack_spec

REVIEW_MAX_AGE_DAYS = 548  # 18 months
BODY_WORDS = (600, 1200)
KEY_MESSAGES = (3, 5)
POLICY_OPTIONS = (4, 8)

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|"
    "December"
)

# Numbers that are not figures: each needs no citation of its own.
_NOT_FIGURES = [
    re.compile(r"https?://\S+"),
    re.compile(
        r"\b(?:SDGs?|targets?|indicators?|Goals?)\s+\d{1,2}(?:\.\w+){0,2}"
        r"(?:\s*(?:,|and|or|to|–|-)\s*\d{1,2}(?:\.\w+){0,2})*",
        re.IGNORECASE,
    ),
    re.compile(r"\b\d{1,2}\.[a-e]\b"),
    re.compile(
        r"\bobjectives?\s+\d{1,2}(?:\s*(?:,|and|or|to|–|-)\s*\d{1,2})*", re.IGNORECASE
    ),
    re.compile(r"\b(?:chapters?|ch\.)\s*\d+(?:\s*(?:,|and|to|–|-)\s*\d+)*", re.IGNORECASE),
    re.compile(r"\b[A-Z]{1,6}\d*(?:[/.(][A-Za-z0-9]+\)?)+"),
    re.compile(r"\b[A-Z]+-?\d+[A-Z]?\b"),
    re.compile(rf"\b\d{{1,2}}(?:\s*[–-]\s*\d{{1,2}})?\s+(?:{_MONTHS})\b"),
    re.compile(r"\b(?:mid-|end-|early |late )?(?:19|20)\d\d(?:s|[–-](?:19|20)?\d\d)?\b"),
    re.compile(r"\b\d+(?:st|nd|rd|th)\b"),
]
_DIGIT = re.compile(r"\d")
_TEXT_PLACEHOLDERS = {"country_name", "region", "sub_region"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”)]?\s+(?=[A-Z“\"(])")
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|No|ch|para|approx|U\.S|U\.K|St|Dr)\.$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\](?!:)")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:", re.MULTILINE)
_RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


@dataclass(frozen=True)
class Problem:
    """One finding of the check."""

    where: str
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.field}: {self.message}"


def check_project(project: Project, today: dt.date) -> list[Problem]:
    """Return every problem in the library, the specs and the country data."""
    problems = list(check_country_data(project))
    problems.extend(check_library(project.modules, project, today))
    if any(problem.field == "data" for problem in problems):
        problems.append(Problem(str(project.packs_dir), "spec", "pack specs not checked"
                                " until the country data loads", "warning"))
    else:
        problems.extend(check_specs(project))
    return problems


def check_country_data(project: Project) -> Iterator[Problem]:
    try:
        project.countries
        project.groups
    except ContentError as err:
        for line in err.problems:
            yield _problem_from_line(line, "data")


def check_specs(project: Project) -> Iterator[Problem]:
    for path in sorted(project.packs_dir.glob("*.yaml")):
        try:
            load_pack_spec(path, project)
        except ProblemsError as err:
            for line in err.problems:
                yield _problem_from_line(line, "spec")
        except BriefError as err:
            yield _problem_from_line(err.format_message(), "spec")


def _problem_from_line(line: str, field: str) -> Problem:
    where, _, rest = line.partition(": ")
    # A loader's line may already name the field ("front matter: no closing '---'").
    return Problem(where, field, rest.removeprefix(f"{field}: ") or line)


def check_library(
    library: ModuleLibrary, project: Project, today: dt.date
) -> Iterator[Problem]:
    data_sources = _data_source_ids(project)
    seen_sources: dict[str, tuple[str, object]] = {}
    for module_id in library.ids:
        for lang in library.languages(module_id):
            try:
                brief_module = library.get(module_id, lang)
            except ContentError as err:
                for line in err.problems:
                    yield _problem_from_line(line, "front matter")
                continue
            except BriefError as err:
                yield _problem_from_line(err.format_message(), "file")
                continue
            yield from check_module(brief_module, library.ids, data_sources, today)
            yield from _check_shared_sources(brief_module, seen_sources)


def _data_source_ids(project: Project) -> set[str]:
    """Return the shared source ids, read on their own.

    A broken data CSV is reported once by the data check; it must not also make every
    citation of a shared source look undefined.
    """
    try:
        return set(load_sources(project.briefs_dir / "countries"))
    except ContentError:
        return set()


def check_module(
    brief_module: BriefModule,
    module_ids: list[str],
    data_sources: set[str],
    today: dt.date,
) -> Iterator[Problem]:
    """Check one module's front matter and body against the library's rules."""
    where = str(brief_module.path)
    meta = brief_module.meta
    yield from _check_counts(brief_module)
    age = (today - meta.reviewed).days
    if age > REVIEW_MAX_AGE_DAYS:
        yield Problem(where, "reviewed", f"{meta.reviewed.isoformat()} is more than 18"
                      " months ago; check the facts and update the date", "warning")
    if meta.reviewed > today:
        yield Problem(where, "reviewed", f"{meta.reviewed.isoformat()} is in the future")
    yield from _check_citations(brief_module, data_sources)
    yield from _check_body(brief_module, module_ids)


def _check_counts(brief_module: BriefModule) -> Iterator[Problem]:
    where = str(brief_module.path)
    meta = brief_module.meta
    sentences = _sentences(meta.summary)
    if len(sentences) != 2:
        yield Problem(where, "summary", f"has {len(sentences)} sentence(s); write two")
    for field, items, (low, high) in (
        ("key_messages", meta.key_messages, KEY_MESSAGES),
        ("policy_options", meta.policy_options, POLICY_OPTIONS),
    ):
        if not low <= len(items) <= high:
            yield Problem(where, field, f"has {len(items)} items; expected {low}–{high}")
    words = len(_plain_text(brief_module.body).split())
    low, high = BODY_WORDS
    if not low <= words <= high:
        yield Problem(where, "body", f"{words} words; expected {low}–{high}", "warning")


def _check_citations(brief_module: BriefModule, data_sources: set[str]) -> Iterator[Problem]:
    where = str(brief_module.path)
    meta = brief_module.meta
    defined = brief_module.source_ids | data_sources
    cited = brief_module.cited_ids()
    for source_id in cited:
        if source_id not in defined:
            yield Problem(where, "sources", f"[@{source_id}] is cited but not defined")
    for source_id in sorted(brief_module.source_ids - set(cited)):
        yield Problem(where, "sources", f"{source_id!r} is listed but never cited",
                      "warning")
    fields = [("summary", meta.summary)]
    fields += [(f"key_messages[{i}]", text) for i, text in enumerate(meta.key_messages)]
    fields += [(f"policy_options[{i}]", text)
               for i, text in enumerate(meta.policy_options)]
    for field, text in fields:
        for sentence in _uncited_figures(text):
            yield Problem(where, field, f"figure without a citation: {_clip(sentence)!r}")
    for line, sentence in _uncited_body_figures(brief_module.body):
        yield Problem(f"{where}:{brief_module.body_line + line}", "body",
                      f"figure without a citation: {_clip(sentence)!r}")


def _check_body(brief_module: BriefModule, module_ids: list[str]) -> Iterator[Problem]:
    path = brief_module.path
    body = brief_module.body
    offset = brief_module.body_line
    lines = body.splitlines()
    for index, text in enumerate(lines):
        where = f"{path}:{offset + index}"
        previous = lines[index - 1] if index else ""
        if _PIPE_ROW.match(text) and previous.strip() and not _PIPE_ROW.match(previous):
            yield Problem(where, "body", "pipe table with no blank line before it"
                          " (it would print as plain text)")
        if re.match(r"^#\s", text):
            yield Problem(where, "body", "level-1 heading; use '##' (the module title"
                          " is the level-1 heading)")
        if _RAW_HTML.search(text):
            yield Problem(where, "body", "raw HTML is removed when rendering; use"
                          " Markdown", "warning")
        if text.strip().startswith(":::") and not re.match(r"^:::\s*(country)?\s*$",
                                                            text.strip()):
            yield Problem(where, "body", f"unknown block {text.strip()!r}"
                          " (only '::: country' passages exist)")
    defined_notes = set(_FOOTNOTE_DEF.findall(body))
    for note in sorted(set(_FOOTNOTE_REF.findall(body)) - defined_notes):
        yield Problem(str(path), "body", f"footnote marker [^{note}] has no definition")
    if defined_notes:
        yield Problem(str(path), "body", "footnotes are not supported (they would print"
                      " as '[^1]'); cite sources with [@source-id]")
    yield from _check_passages(brief_module)
    for match in MODULE_LINK.finditer(body):
        if match["id"] not in module_ids:
            yield Problem(str(path), "body",
                          f"link to unknown module {match['id']!r}")


def _check_passages(brief_module: BriefModule) -> Iterator[Problem]:
    body = brief_module.body
    opened = len(re.findall(r"^:::[ \t]*country[ \t]*$", body, re.MULTILINE))
    blocks = list(COUNTRY_BLOCK.finditer(body))
    if opened != len(blocks):
        yield Problem(str(brief_module.path), "body",
                      "a '::: country' passage is not closed with ':::'")
    for block in blocks:
        for found in PLACEHOLDER.finditer(block["text"]):
            if found["name"] not in PASSAGE_PLACEHOLDERS:
                yield Problem(str(brief_module.path), "body",
                              f"unknown placeholder {{{{ {found['name']} }}}}"
                              f" in a country passage")
    outside = COUNTRY_BLOCK.sub("", body)
    for found in PLACEHOLDER.finditer(outside):
        yield Problem(str(brief_module.path), "body",
                      f"placeholder {{{{ {found['name']} }}}} outside a country passage")


def _check_shared_sources(
    brief_module: BriefModule, seen: dict[str, tuple[str, object]]
) -> Iterator[Problem]:
    """Warn when two modules define one source id differently (the annex shows one)."""
    for entry in brief_module.meta.sources:
        fields = entry.model_dump()
        if entry.id in seen and seen[entry.id][1] != fields:
            other = seen[entry.id][0]
            yield Problem(str(brief_module.path), "sources",
                          f"{entry.id!r} is defined differently in {other}", "warning")
        seen.setdefault(entry.id, (str(brief_module.path), fields))


# --- Text helpers ----------------------------------------------------------------------


def _plain_text(markdown_text: str) -> str:
    text = re.sub(r"^:::.*$", "", markdown_text, flags=re.MULTILINE)
    text = CITATION.sub("", text)
    return re.sub(r"[#*_`|>\[\]()]", " ", text)


def _sentences(text: str) -> list[str]:
    pieces = _SENTENCE_END.split(" ".join(text.split()))
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATIONS.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return [sentence for sentence in sentences if sentence.strip()]


def has_figure(sentence: str) -> bool:
    """Return whether a sentence states a number that needs a citation."""
    text = CITATION.sub("", sentence)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    # A placeholder prints a figure, unless it names a place.
    text = PLACEHOLDER.sub(
        lambda m: " " if m["name"] in _TEXT_PLACEHOLDERS else " 9 ", text
    )
    for pattern in _NOT_FIGURES:
        text = pattern.sub(" ", text)
    return bool(_DIGIT.search(text))


def _uncited_figures(text: str) -> list[str]:
    return [s for s in _sentences(text) if has_figure(s) and not CITATION.search(s)]


def _uncited_body_figures(body: str) -> Iterator[tuple[int, str]]:
    """Yield (line, sentence) for each body sentence with an uncited figure.

    A table counts as one unit: a citation anywhere in it, or in the paragraph just
    before it, covers its cells.
    """
    for start, block in _blocks(body):
        if _PIPE_ROW.match(block.splitlines()[0]):
            if has_figure(block) and not CITATION.search(block):
                yield start, block.splitlines()[0]
            continue
        for sentence in _sentences(block):
            if has_figure(sentence) and not CITATION.search(sentence):
                yield start, sentence


def _blocks(body: str) -> Iterator[tuple[int, str]]:
    """Yield (first line, text) of each paragraph, list item and table in a body."""
    current: list[str] = []
    start = 0
    for index, line in enumerate(body.splitlines()):
        stripped = line.strip()
        is_break = (not stripped or stripped.startswith(":::")
                    or stripped.startswith("#") or re.match(r"^([-*+]|\d+\.)\s", stripped))
        if is_break and current:
            yield start, "\n".join(current)
            current = []
        if not stripped or stripped.startswith(":::") or stripped.startswith("#"):
            continue
        if not current:
            start = index
        current.append(re.sub(r"^([-*+]|\d+\.)\s+", "", stripped))
    if current:
        yield start, "\n".join(current)


def _clip(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
