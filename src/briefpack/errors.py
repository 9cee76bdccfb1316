"""User-facing errors: each knows its exit code and prints as plain lines, no traceback.

Exit codes follow Click: 2 for usage errors (bad flags, a missing spec file), 1 for
failures (a spec or content file that does not validate, a render that failed).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import click


class BriefError(click.ClickException):
    """Root of every error briefpack reports to a user; exits 1."""

    exit_code = 1


class ProblemsError(BriefError):
    """Several problems found in one pass, shown one per line and then counted."""

    def __init__(self, problems: Sequence[str], what: str = "problem") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        plural = "" if count == 1 else "s"
        lines = [*self.problems, f"{count} {what}{plural} found; nothing was written."]
        super().__init__("\n".join(lines))

    def format_message(self) -> str:
        return self.message


class SpecError(ProblemsError):
    """A pack spec that does not validate."""


class ContentError(ProblemsError):
    """A module, country data file or theme that does not validate."""


class RenderError(BriefError):
    """Rendering or writing a PDF failed."""


def suggest(value: str, choices: Iterable[str], limit: int = 3) -> str:
    """Return ``" (did you mean 'a', 'b'?)"`` for the nearest choices, or ``""``."""
    matches = difflib.get_close_matches(value, list(choices), n=limit, cutoff=0.6)
    if not matches:
        return ""
    quoted = ", ".join(repr(match) for match in matches)
    return f" (did you mean {quoted}?)"
