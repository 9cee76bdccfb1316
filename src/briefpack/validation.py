"""Turn pydantic validation errors into one readable line each, with key paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import suggest


def key_path(location: Sequence[str | int]) -> str:
    """Return ``meeting.date`` or ``modules[2]`` for a pydantic error location."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _model_at(model: type[BaseModel], location: Sequence[str | int]) -> type[BaseModel]:
    """Return the nested model class that owns the last key of ``location``."""
    current: Any = model
    for part in location[:-1]:
        if isinstance(part, int):
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
    if kind == "extra_forbidden":
        owner = _model_at(model, location)
        known = list(getattr(owner, "model_fields", {}))
        return f"{path}: unknown key{suggest(str(location[-1]), known)}"
    if kind == "missing":
        return f"{path}: missing required key"
    if kind.startswith("date"):
        return f"{path}: {value!r} is not a valid date (expected YYYY-MM-DD)"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{path}: {value!r} is not one of {expected}"
    if kind == "string_pattern_mismatch":
        return f"{path}: {value!r} has the wrong form"
    message = error["msg"]
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
        return f"{path}: {message}"
    return f"{path}: {message[0].lower()}{message[1:]} (got {value!r})"


def describe_errors(err: ValidationError, model: type[BaseModel]) -> list[str]:
    """Return one line per validation error, in document order."""
    return [_describe(error, model) for error in err.errors()]
