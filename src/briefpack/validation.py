"""Turn pydantic validation errors into one readable line each, with key paths."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ValidationError

from .errors import suggest

# Union branches are tagged with this prefix (see ``spec.PackSpec.countries``) so that
# the tag can be left out of the key path a user sees.
BRANCH_TAG = "~"

# What a value should look like, by the pattern its field is checked against; the
# modules that define patterns add theirs.
PATTERN_HINTS: dict[str, str] = {}
_DEFAULT_PATTERN_HINT = "lowercase letters, digits and hyphens"

# Plain-language names for the types a value was expected to have.
_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list, such as [a, b]",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_text(value: Any) -> Any:
    """Accept dates only as ``YYYY-MM-DD``.

    Pydantic reads a number as seconds since 1970: ``date: 0`` would print as
    1 January 1970, and other numbers fail with a message about datetimes.
    """
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError(f"{_shown(value)} is not a valid date (expected YYYY-MM-DD)")


IsoDate = Annotated[dt.date, BeforeValidator(_date_text)]


def _shown(value: Any, limit: int = 60) -> str:
    """Return ``repr(value)``, shortened so one bad value cannot flood the terminal."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_path(location: Sequence[str | int]) -> str:
    """Return ``meeting.date`` or ``modules[2]`` for a pydantic error location.

    A key that is not a plain word is quoted, so that a key holding a line break or a
    control character cannot split the message or hide in it.
    """
    path = ""
    for part in location:
        if isinstance(part, str) and part.startswith(BRANCH_TAG):
            continue
        if isinstance(part, str) and not _PLAIN_KEY.fullmatch(part):
            path += f"[{part!r}]"
        elif isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _model_at(model: type[BaseModel], location: Sequence[str | int]) -> type[BaseModel]:
    """Return the nested model class that owns the last key of ``location``."""
    current: Any = model
    for part in location[:-1]:
        if isinstance(part, int) or part.startswith(BRANCH_TAG):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            break
        annotation = field.annotation
        for candidate in (annotation, *getattr(annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                current = candidate
                break
            for inner in getattr(candidate, "__args__", ()):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    current = inner
    return current


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:
    location = error["loc"]
    path = key_path(location)
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx", {})
    if kind in ("extra_forbidden", "unexpected_keyword_argument"):
        known = _field_names(_model_at(model, location))
        return f"{path}: unknown key{suggest(str(location[-1]), known)}"
    if kind == "missing":
        return f"{path}: missing required key"
    if kind.startswith("date"):
        return f"{path}: {_shown(value)} is not a valid date (expected YYYY-MM-DD)"
    if kind == "literal_error":
        return f"{path}: {_shown(value)} is not one of {context.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(context.get("pattern", ""), _DEFAULT_PATTERN_HINT)
        return f"{path}: {_shown(value)} has the wrong form (expected {hint})"
    if kind == "too_short" and not value and not isinstance(value, str):
        return f"{path}: the list is empty; give at least one item"
    if kind in ("string_too_short", "too_short") and not str(value).strip():
        return f"{path}: is empty (got {_shown(value)}); write some text"
    if kind in ("model_type", "dict_type", "model_attributes_type", "dataclass_type"):
        return _describe_not_a_mapping(path, value, _model_at(model, [*location, ""]))
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
        return f"{path}: {message}"
    text = f"{path}: {message[0].lower()}{message[1:]} (got {_shown(value)})"
    return text + _type_hint(kind, value)


def _field_names(owner: Any) -> list[str]:
    """Return the keys a pydantic model or a dataclass accepts."""
    fields = getattr(owner, "model_fields", None) or getattr(
        owner, "__dataclass_fields__", {}
    )
    return list(fields)


def _describe_not_a_mapping(path: str, value: Any, owner: type[BaseModel]) -> str:
    keys = ", ".join(_field_names(owner))
    if value is None:
        return f"{path}: is empty; expected key: value pairs ({keys})"
    return f"{path}: expected key: value pairs ({keys}), got {_shown(value)}"


def _type_hint(kind: str, value: Any) -> str:
    """Return advice for a value of the wrong type, in YAML terms."""
    expected = _TYPE_NAMES.get(kind)
    if expected is None:
        return ""
    if kind == "string_type" and isinstance(value, bool):
        return ("; YAML reads an unquoted yes, no, on, off, true or false as a"
                " true/false value: put the text in quotes")
    if kind == "string_type" and isinstance(value, dict) and len(value) == 1:
        return ("; YAML reads unquoted text holding ': ' as a key: value pair: put the"
                " text in quotes")
    if kind == "string_type" and isinstance(value, (int, float)):
        return f"; put it in quotes to make it text: \"{value}\""
    if value is None:
        return f"; the value is empty, expected {expected}"
    return f"; expected {expected}"


def describe_errors(err: ValidationError, model: type[BaseModel]) -> list[str]:
    """Return one line per validation error, in document order."""
    return [_describe(error, model) for error in err.errors()]
