"""Named country groups (ECOWAS, EU, …) from ``briefs/countries/groups.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError
from .files import parse_yaml, read_text


@dataclass(frozen=True)
class CountryGroup:
    """A named group of countries, with where its membership list comes from."""

    group_id: str
    name: str
    members: tuple[str, ...]
    source: str


def load_groups(path: Path, known_iso3: set[str]) -> dict[str, CountryGroup]:
    """Load the groups file if present; every member must be a known ISO3 code."""
    if not path.is_file():
        return {}
    data = parse_yaml(read_text(path), path) or {}
    problems: list[str] = []
    groups: dict[str, CountryGroup] = {}
    if not isinstance(data, dict):
        raise ContentError([f"{path}: expected group ids as top-level keys"])
    for group_id, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("members"), list):
            problems.append(f"{path}: {group_id}: expected name, source and members")
            continue
        members = [str(code).upper() for code in entry["members"]]
        unknown = [code for code in members if code not in known_iso3]
        if unknown:
            problems.append(f"{path}: {group_id}.members: unknown codes {unknown}")
        groups[str(group_id)] = CountryGroup(
            group_id=str(group_id),
            name=str(entry.get("name", group_id)),
            members=tuple(members),
            source=str(entry.get("source", "")),
        )
    if problems:
        raise ContentError(problems)
    return groups
