"""Fuzzing the loaders with hypothesis: whatever a file holds, only BriefError escapes.

Three loaders read what users write: the pack spec loader (YAML text and the data it
parses to), the module front-matter parser and the country data loader (CSV). Each is
fed generated input, mostly near-valid so the validation goes deep, and must either
succeed or raise briefpack's own error, naming the file. Nothing is rendered, and one
``Project`` is shared; the 10,500 examples take about a minute and a half.
"""

from __future__ import annotations

import copy
import csv
import io
import shutil
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefpack import countries
from briefpack.countries import LATEST_FILE, CountryData, load_country_data
from briefpack.errors import BriefError
from briefpack.modules import BriefModule, load_module
from briefpack.spec import PackSpec, load_pack_spec, validate_pack_spec

from .conftest import ROOT

pytestmark = pytest.mark.fuzz

EXAMPLES = {"spec_text": 3000, "spec_data": 3500, "module": 2500, "data": 1500}

FUZZ_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}

SPEC_KEYS = ["title", "meeting", "prepared_for", "prepared_by", "classification",
             "date_prepared", "languages", "theme", "paper", "countries", "modules",
             "include_regional", "talking_points"]
MEETING_KEYS = ["name", "body", "date", "end_date", "venue"]
SELECTOR_KEYS = ["region", "group", "include", "exclude"]
MODULE_KEYS = ["id", "title", "summary", "key_messages", "policy_options",
               "gcm_objectives", "sdg_targets", "applies_to", "sources", "reviewed",
               "tags"]
SOURCE_KEYS = ["id", "publisher", "title", "year", "url"]

# Characters that mean something to YAML, CSV or Markdown, plus a few awkward ones.
SPECIAL = ":-[]{}#&*!|>'\"%@`,?\t\n\\ ;.0123456789\u00e9\u2019\ufeff\x00"

# Short valid inputs to mutate: PyYAML is pure Python, and short texts keep each
# example to a few milliseconds.
GOOD_SPEC_TEXT = """\
title: Remittances
meeting: {name: IDM, date: 2027-03-16, end_date: 2027-03-17, venue: Geneva}
date_prepared: 2027-03-01
languages: [en]
countries: [SEN, GHA]
modules: [global-overview, labour-migration]
talking_points: [A point.]
"""
GOOD_MODULE_TEXT = """\
---
id: fuzz-module
title: A module
summary: One sentence. Two sentences.
key_messages: ["A message [@s]."]
policy_options: [Do a thing.]
gcm_objectives: [1, 23]
sdg_targets: ["10.7"]
applies_to: Africa
sources:
  - {id: s, publisher: P, title: T, year: 2024, url: "https://example.org"}
reviewed: 2026-11-01
tags: [test]
---
## Heading

Text with a figure, 304 million [@s].
"""


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- Strategies ------------------------------------------------------------------------

def _plausible_texts() -> st.SearchStrategy[str]:
    """Return values a user might really type, right or wrong."""
    return st.sampled_from([
        "SEN", "sen", "NO", "SNG", "", " ", "global-overview", "labour-migration",
        "2027-03-16", "2027-02-30", "2027", "16/03/2027", "en", "fr", "EN", "default",
        "a4", "letter", "Western Africa", "ecowas", "686", "../x", "a/b", "yes", "null",
        "<b>&amp;</b>", "x" * 300,
    ])


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    _plausible_texts(), st.dates().map(str),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=6), _plausible_texts()), children,
                        max_size=3),
    ),
    max_leaves=5,
)

VALID_SPEC = {
    "title": "Remittances",
    "meeting": {"name": "IDM", "date": "2027-03-16", "venue": "Geneva"},
    "date_prepared": "2027-03-01",
    "languages": ["en"],
    "countries": ["SEN", "GHA"],
    "modules": ["global-overview", "labour-migration"],
    "talking_points": ["A point."],
}
SELECTOR = {"region": "Western Africa", "exclude": ["SEN"]}


@st.composite
def changed(draw, base: dict, keys: list[str], nested: dict[str, list[str]]) -> dict:
    """Return a copy of a valid mapping with one to four keys changed, dropped or added.

    Starting from valid data keeps most examples deep in the checks rather than stopped
    at the first missing key.
    """
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["set", "set", "nested", "drop", "add"]))
        key = draw(st.sampled_from(keys))
        if action == "set":
            data[key] = draw(st.one_of(VALUES, _plausible_texts().map(lambda t: [t])))
        elif action == "nested" and nested:
            parent = draw(st.sampled_from(sorted(nested)))
            inner = data.get(parent)
            if not isinstance(inner, dict):
                inner = data[parent] = {}
            inner[draw(st.sampled_from(nested[parent]))] = draw(VALUES)
        elif action == "drop":
            data.pop(key, None)
        else:
            data[draw(st.sampled_from([key + "s", key[:-1], "colour"]))] = draw(SCALARS)
    return data


SPEC_DATA = st.one_of(
    changed(VALID_SPEC, SPEC_KEYS, {"meeting": MEETING_KEYS}),
    changed({**VALID_SPEC, "countries": SELECTOR}, SPEC_KEYS,
            {"countries": SELECTOR_KEYS}),
)


@st.composite
def mutated(draw, text: str) -> str:
    """Return ``text`` with a few random cuts, insertions and duplicated lines."""
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["cut", "insert", "line"]))
        if action == "cut":
            text = text[:where] + text[where + draw(st.integers(1, 40)):]
        elif action == "insert":
            text = text[:where] + draw(st.text(SPECIAL, min_size=1, max_size=5)) + text[where:]
        else:
            lines = text.splitlines(keepends=True) or [""]
            index = draw(st.integers(0, len(lines) - 1))
            lines.insert(index, lines[index])
            text = "".join(lines)
    return text


def _yaml_of(data: st.SearchStrategy) -> st.SearchStrategy[str]:
    return data.map(lambda value: yaml.safe_dump(value, allow_unicode=True))


SPEC_TEXTS = st.one_of(
    mutated(GOOD_SPEC_TEXT), _yaml_of(SPEC_DATA), st.text(SPECIAL + string.ascii_letters),
)


@st.composite
def module_files(draw) -> bytes:
    """Return the bytes of a module file: near-valid, rebuilt, or raw."""
    kind = draw(st.sampled_from(["mutated", "rebuilt", "raw", "bytes"]))
    if kind == "mutated":
        return draw(mutated(GOOD_MODULE_TEXT)).encode("utf-8", "surrogatepass")
    if kind == "rebuilt":
        front = yaml.safe_load(GOOD_MODULE_TEXT.split("---\n")[1])
        front["sources"] = front["sources"][0]
        front = draw(changed(front, MODULE_KEYS, {"sources": SOURCE_KEYS}))
        if isinstance(front.get("sources"), dict):
            front["sources"] = [front["sources"]]
        body = draw(st.text(SPECIAL + string.ascii_letters, max_size=80))
        text = f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{body}"
        return text.encode("utf-8", "surrogatepass")
    if kind == "raw":
        return ("---\n" + draw(st.text(SPECIAL + string.ascii_letters))).encode(
            "utf-8", "surrogatepass")
    return draw(st.binary(max_size=200))


CELLS = st.one_of(
    st.sampled_from(["", "0", "12.5", "-1", "nan", "inf", "1e400", "2024", "2023.5",
                     "SEN", "FJI", "sen", "ÅLA", "1,000", "Western Africa"]),
    st.text(SPECIAL + string.ascii_letters, max_size=8),
)


@st.composite
def country_tables(draw, header: list[str], rows: list[list[str]]) -> str:
    """Return country_latest.csv text: the real header and rows, with cells changed."""
    header = list(header)
    if draw(st.booleans()):
        index = draw(st.integers(0, len(header) - 1))
        header[index] = draw(st.sampled_from(["", "iso", header[index] + "x"]))
    table = [list(row) for row in rows]
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.integers(0, len(table) - 1))
        action = draw(st.sampled_from(["cell", "cell", "drop", "extra", "copy"]))
        if action == "cell" and table[row]:
            table[row][draw(st.integers(0, len(table[row]) - 1))] = draw(CELLS)
        elif action == "drop":
            table[row] = table[row][: draw(st.integers(0, len(header) - 1))]
        elif action == "extra":
            table[row] = [*table[row], draw(CELLS)]
        else:
            table.append(list(table[row]))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *table])
    text = buffer.getvalue()
    if draw(st.integers(0, 9)) == 0:
        # Now and then, raw damage that csv.writer would have quoted away.
        text = draw(mutated(text))
    return text


# --- The loaders -----------------------------------------------------------------------

def test_spec_loader_on_generated_yaml(project, fuzz_dir):
    path = fuzz_dir / "fuzz-pack.yaml"
    seen = []

    @settings(max_examples=EXAMPLES["spec_text"], **FUZZ_SETTINGS)
    @given(SPEC_TEXTS)
    def load(text: str) -> None:
        seen.append(text)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            assert isinstance(load_pack_spec(path, project), PackSpec)
        except BriefError as err:
            assert str(path) in err.format_message()

    load()
    assert len(seen) >= EXAMPLES["spec_text"]


def test_spec_validation_on_generated_data(project):
    seen = []

    @settings(max_examples=EXAMPLES["spec_data"], **FUZZ_SETTINGS)
    @given(SPEC_DATA)
    def validate(data: dict) -> None:
        seen.append(data)
        try:
            spec = validate_pack_spec({"pack_id": "fuzz", **data}, "fuzz.yaml", project)
        except BriefError as err:
            lines = err.format_message().splitlines()
            assert all(line.startswith("fuzz.yaml: ") for line in lines[:-1]), lines
        else:
            assert isinstance(spec, PackSpec)

    validate()
    assert len(seen) >= EXAMPLES["spec_data"]


def test_front_matter_parser_on_generated_modules(fuzz_dir):
    path = fuzz_dir / "modules" / "fuzz-module" / "en.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    seen = []

    @settings(max_examples=EXAMPLES["module"], **FUZZ_SETTINGS)
    @given(module_files())
    def load(data: bytes) -> None:
        seen.append(data)
        path.write_bytes(data)
        try:
            assert isinstance(load_module(path, "en"), BriefModule)
        except BriefError as err:
            assert str(path) in err.format_message()

    load()
    assert len(seen) >= EXAMPLES["module"]


def _small_data_folder(folder: Path) -> tuple[list[str], list[list[str]]]:
    """Copy the country data, keeping a few rows per file so each load is quick."""
    source = ROOT / "briefs" / "countries"
    folder.mkdir(parents=True, exist_ok=True)
    keep = ("SEN", "FJI", "COL", "WLD", "World", "Western Africa", "Melanesia")
    for path in source.iterdir():
        if path.is_dir():
            continue
        if path.suffix != ".csv":
            shutil.copy(path, folder / path.name)
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines[1:] if any(f",{k}," in f",{line}" for k in keep)]
        (folder / path.name).write_text(lines[0] + "".join(kept), encoding="utf-8")
    with (folder / LATEST_FILE).open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def test_data_loader_on_generated_rows(fuzz_dir, monkeypatch):
    folder = fuzz_dir / "countries"
    header, rows = _small_data_folder(folder)
    # sources.yaml is not what is fuzzed here, and parsing it is most of a load's time.
    sources = countries.load_sources(folder)
    monkeypatch.setattr(countries, "load_sources", lambda _folder: sources)
    assert isinstance(load_country_data(folder), CountryData)
    target = folder / LATEST_FILE
    seen = []

    @settings(max_examples=EXAMPLES["data"], **FUZZ_SETTINGS)
    @given(country_tables(header, rows))
    def load(text: str) -> None:
        seen.append(text)
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            assert isinstance(load_country_data(folder), CountryData)
        except BriefError as err:
            assert str(folder) in err.format_message()

    load()
    assert len(seen) >= EXAMPLES["data"]


def test_example_budget_is_at_least_ten_thousand():
    assert sum(EXAMPLES.values()) >= 10_000
