"""Reading text and YAML with errors that name the file, and writing files atomically."""

from __future__ import annotations

import contextlib
import os
import re
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

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """Refuse a key given twice: PyYAML would silently keep only the last value."""
        self.flatten_mapping(node)
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                # An unhashable key; the base class reports it with its position.
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} is given twice", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text(path: Path) -> str:
    """Return a UTF-8 file's text; raise one clear line if it cannot be read.

    A byte-order mark (what some Windows editors write) is accepted and dropped.
    """
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as err:
        raise BriefError(f"{path}: file not found") from err
    except IsADirectoryError as err:
        raise BriefError(f"{path}: is a folder, expected a file") from err
    except PermissionError as err:
        raise BriefError(f"{path}: permission denied") from err
    except UnicodeDecodeError as err:
        byte = err.object[err.start]
        raise BriefError(f"{_decode_position(path, err)}: not UTF-8 text (byte"
                         f" {byte:#04x}); save the file as UTF-8") from err
    except OSError as err:
        raise BriefError(f"{path}: cannot read ({err.strerror or err})") from err


def _decode_position(path: Path, err: UnicodeDecodeError) -> str:
    """Return ``path:line:column`` of the first byte that is not UTF-8."""
    before = err.object[: err.start]
    line = before.count(b"\n") + 1
    column = err.start - (before.rfind(b"\n") + 1) + 1
    return f"{path}:{line}:{column}"


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
        raise BriefError(f"{where}: malformed YAML: {problem}"
                         f"{_yaml_context(err, line_offset)}") from err
    except RecursionError as err:
        raise BriefError(f"{path}: malformed YAML: nested too deeply") from err
    except (ValueError, TypeError, AttributeError, OverflowError) as err:
        # PyYAML's constructors raise these for explicit tags with bad values, such as
        # ``!!int abc`` or ``!!timestamp soon``; the text is at fault, not briefpack.
        raise BriefError(f"{path}: malformed YAML: {err}") from err


def _yaml_context(err: yaml.YAMLError, line_offset: int) -> str:
    """Return where an unfinished construct began, or a hint for a common slip."""
    if getattr(err, "problem", "") == "mapping values are not allowed here":
        return " (text holding ': ' must be quoted; or is this line indented too far?)"
    context = getattr(err, "context", None)
    mark = getattr(err, "context_mark", None)
    if context and mark is not None:
        return f" ({context} that starts at line {mark.line + 1 + line_offset})"
    return ""


# Temporary files are ``.<final name>.<pid>.<random>.tmp``; the pid tells a later run
# whether the writer is gone (killed) and the file can be removed.
_TEMPORARY = re.compile(r"^\..+\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success.

    The temporary file is hidden (dot prefix) and removed if anything fails, so a crash
    or a full disk never leaves a half-written file under the final name. Any
    ``OSError`` (a full disk, a read-only folder) becomes one line naming ``target``.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
        )
    except OSError as err:
        raise BriefError(f"{target}: could not write ({err.strerror or err})") from err
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        with temporary_path.open("rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary_path, 0o666 & ~_UMASK)
        os.replace(temporary_path, target)
    except OSError as err:
        temporary_path.unlink(missing_ok=True)
        raise BriefError(f"{target}: could not write ({err.strerror or err})") from err
    except BaseException:
        temporary_path.unlink(missing_ok=True)
        raise


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename."""
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)


def remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files left in ``folder`` by a writer that no longer runs.

    A run killed with SIGKILL cannot clean up after itself; the next run does.
    """
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        found = _TEMPORARY.match(path.name)
        if found and not _is_running(int(found["pid"])):
            path.unlink(missing_ok=True)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        # Another user's process, or a number no process can have: leave the file.
        return True
    return True
