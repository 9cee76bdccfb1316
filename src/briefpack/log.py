"""Logging set-up, done once from the CLI group. Logs go to stderr; stdout is for paths.

Levels:
- ERROR: an item (one country pack) failed; the run goes on and exits 1.
- WARNING: a recoverable content problem, or a WeasyPrint warning that loses nothing
  (shown once per run however often it repeats).
- INFO: one line per item written or skipped, and the final summary.
- DEBUG: paths, templates, timings; WeasyPrint's own progress at -vv.
"""

from __future__ import annotations

import logging

import click


class _OncePerRun(logging.Filter):
    """Let an identical warning through only the first time."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        key = (record.name, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


class _ClickHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        prefix = {logging.WARNING: "warning: ", logging.ERROR: "error: "}.get(
            record.levelno, ""
        )
        click.echo(f"{prefix}{self.format(record)}", err=True)


def configure_logging(verbosity: int, quiet: bool) -> None:
    """Route briefpack's and WeasyPrint's loggers to stderr at the chosen level."""
    if quiet:
        level = logging.ERROR
    elif verbosity >= 1:
        level = logging.DEBUG
    else:
        level = logging.INFO
    handler = _ClickHandler()
    handler.addFilter(_OncePerRun())
    for name in ("briefpack", "weasyprint"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level if name == "briefpack" else max(level, logging.WARNING))
        logger.propagate = False
    progress = logging.getLogger("weasyprint.progress")
    progress.setLevel(logging.INFO if verbosity >= 2 else logging.WARNING)
