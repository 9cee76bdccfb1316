"""Reading text and YAML with errors that name the file, and writing files atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import BriefError

# mkstemp creates files readable by the owner only; finished files get the usual
# permissions (0666 less the umask), like any file the user writes.
_UMASK = os.umask(0)
os.umask(_UMASK)


class _PlainLoader(yaml.SafeLoader):
    """A safe YAML loader that leaves dates as strings.

    PyYAML turns ``2027-02-30`` into an exception in the middle of parsing; keeping dates
    as text lets the schema report an impossible date with its key path instead.
    """


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path) -> str:
    """Return a UTF-8 file's text; raise one clear line if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise BriefError(f"{path}: file not found") from err
    except IsADirectoryError as err:
        raise BriefError(f"{path}: is a folder, expected a file") from err
    except PermissionError as err:
        raise BriefError(f"{path}: permission denied") from err
    except UnicodeDecodeError as err:
        raise BriefError(
            f"{path}: not UTF-8 text (byte {err.object[err.start]:#04x} at offset"
            f" {err.start}); save the file as UTF-8"
        ) from err


def parse_yaml(text: str, path: Path, line_offset: int = 0) -> Any:
    """Parse YAML text; a syntax error becomes one line with file, line and column."""
    try:
        return yaml.load(text, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err)
        if mark is not None:
            where = f"{path}:{mark.line + 1 + line_offset}:{mark.column + 1}"
        else:
            where = str(path)
        raise BriefError(f"{where}: malformed YAML: {problem}") from err


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success.

    The temporary file is hidden (dot prefix) and removed if anything fails, so a crash
    or a full disk never leaves a half-written file under the final name.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        with temporary_path.open("rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary_path, 0o666 & ~_UMASK)
        os.replace(temporary_path, target)
    except BaseException:
        temporary_path.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename."""
    try:
        with atomic_path(target) as temporary:
            temporary.write_bytes(data)
    except OSError as err:
        raise BriefError(f"{target}: could not write ({err.strerror})") from err
