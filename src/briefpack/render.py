"""Jinja templates to HTML, WeasyPrint to PDF, checks on the PDF, atomic write.

WeasyPrint dominates the time of a build; everything before it is cheap and pure.
Rendering reads only the project's own folders (see ``fetcher``), and a warning that
means lost content (a missing image, anchor, stylesheet or glyph) fails the build.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from weasyprint import CSS, HTML

from .context import build_pack_context
from .errors import BriefError, RenderError
from .fetcher import ProjectFetcher, RefusedResource
from .i18n import get_translations, text_direction
from .project import Project
from .spec import PackSpec
from .theme import Theme, load_theme

logger = logging.getLogger(__name__)

STYLESHEETS = ("page.css", "base.css", "components.css")
PAPER_CSS = {
    "a4": "@page { size: A4; } :root { --sheet-height: 297mm; }",
    "letter": "@page { size: letter; } :root { --sheet-height: 279.4mm; }",
}

# WeasyPrint messages that mean something the author wrote will not be on the page
# (an @import that CSS ignores drops a whole stylesheet).
LOST_CONTENT = re.compile(
    r"Failed to load|cannot be loaded|Failed to render|No anchor|"
    r"without a base URI|Content discarded|\.notdef glyph|ignored \d+ cells|"
    r"Anchor defined twice|@import rule .* ignored",
)


@dataclass(frozen=True)
class ImageOptions:
    """How WeasyPrint embeds raster images (themes may have raster logos).

    Fonts need no option: WeasyPrint embeds only the glyphs a pack uses. Images are
    recompressed losslessly, JPEGs re-encoded at ``jpeg_quality``, and any image drawn
    at more than ``dpi`` is downsampled, so a large logo does not blow the size budget.
    """

    optimize: bool = True
    jpeg_quality: int | None = 85
    dpi: int | None = 200

    def write_pdf_options(self) -> dict[str, object]:
        return {"optimize_images": self.optimize, "jpeg_quality": self.jpeg_quality,
                "dpi": self.dpi}


@dataclass(frozen=True)
class RenderedPack:
    """A rendered PDF with what was learned about it while checking."""

    pdf: bytes
    pages: int
    warnings: tuple[str, ...]


class _TemplateLoader(jinja2.FileSystemLoader):
    """A file loader whose read failures name the template file, in one line."""

    def get_source(self, environment: jinja2.Environment, template: str):
        path = Path(self.searchpath[0]) / template
        try:
            return super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            if path.is_dir():
                message = f"{path}: is a folder, expected a template file"
                raise BriefError(message) from None
            raise
        except UnicodeDecodeError as err:
            byte = err.object[err.start]
            raise BriefError(f"{path}: not UTF-8 text (byte {byte:#04x} at offset"
                             f" {err.start}); save the file as UTF-8") from err
        except OSError as err:
            reason = err.strerror or err
            raise BriefError(f"{path}: cannot read template ({reason})") from err


@lru_cache(maxsize=16)
def create_environment(templates_dir: Path, lang: str) -> jinja2.Environment:
    """Build the Jinja environment: autoescape, strict undefined, gettext.

    One environment per folder and language, so compiled templates are reused across
    the packs of a batch (Jinja still reloads a template whose file changed).
    """
    environment = jinja2.Environment(
        loader=_TemplateLoader(templates_dir),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(get_translations(lang), newstyle=True)
    return environment


# Every part of an output file name; nothing here can step out of the output folder.
_SAFE_NAME_PART = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")


def output_path(output_dir: Path, pack_id: str, iso3: str, lang: str) -> Path:
    """Return ``<output>/<pack-id>/<pack-id>_<ISO3>_<lang>.pdf``: the one naming rule."""
    for part in (pack_id, iso3, lang):
        if not _SAFE_NAME_PART.fullmatch(part):
            raise BriefError(f"{part!r} cannot be part of a file name in {output_dir}"
                             " (use letters, digits, hyphens and underscores)")
    return output_dir / pack_id / f"{pack_id}_{iso3}_{lang}.pdf"


def render_html(
    project: Project,
    spec: PackSpec,
    iso3: str,
    lang: str,
    prepared_on: dt.date,
    theme: Theme | None = None,
) -> str:
    """Return the final HTML of one country pack."""
    theme = theme or load_theme(project.styles_dir, spec.theme)
    environment = create_environment(project.templates_dir, lang)
    translate = get_translations(lang).gettext
    country = project.countries.get(iso3)
    context = build_pack_context(
        spec, country, project.countries, project.modules, theme, lang, prepared_on,
        translate,
    )
    context["dir"] = text_direction(lang)
    return render_template(environment, "pack.html", context, project)


def render_template(
    environment: jinja2.Environment, name: str, context: dict, project: Project
) -> str:
    """Render a template; template problems become one clear line."""
    try:
        return environment.get_template(name).render(context)
    except jinja2.TemplateNotFound as err:
        raise BriefError(f"{project.templates_dir}: template {err.name!r} not found") from err
    except jinja2.TemplateError as err:
        filename = getattr(err, "filename", None)
        line = getattr(err, "lineno", None)
        if filename is None:
            filename, line = _template_frame(err, project.templates_dir)
        where = f"{filename}:{line}" if line else str(filename)
        raise BriefError(f"{where}: template error: {err.message}") from err
    except PermissionError as err:
        raise BriefError(f"{err.filename}: cannot read template (permission denied)") from err


def _template_frame(err: Exception, templates_dir: Path) -> tuple[Path, int | None]:
    """Return the template file and line a render error happened in.

    An undefined variable carries no position of its own, but Jinja maps its traceback
    frames onto the template files, so the innermost such frame is the place.
    """
    found: tuple[Path, int | None] = (templates_dir, None)
    frame = err.__traceback__
    while frame is not None:
        filename = Path(frame.tb_frame.f_code.co_filename)
        if filename.is_relative_to(templates_dir):
            found = (filename, frame.tb_lineno)
        frame = frame.tb_next
    return found


def stylesheet_paths(project: Project, theme: Theme) -> list[Path]:
    """Return the stylesheets in their fixed cascade order; all must exist."""
    paths = [project.styles_dir / name for name in STYLESHEETS]
    paths.append(theme.stylesheet)
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise BriefError(f"stylesheet not found: {', '.join(missing)}")
    return paths


@contextmanager
def captured_weasyprint_warnings() -> Iterator[list[logging.LogRecord]]:
    """Collect what WeasyPrint logs at WARNING and above during one render."""
    records: list[logging.LogRecord] = []

    class _Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    def below_warning(record: logging.LogRecord) -> bool:
        return record.levelno < logging.WARNING

    weasy_logger = logging.getLogger("weasyprint")
    collector = _Collector(level=logging.WARNING)
    # The collected warnings are reported by the batch, once each, in the process that
    # talks to the user (workers have no console); progress lines still show at -vv.
    shown_handlers = weasy_logger.handlers[:]
    for handler in shown_handlers:
        handler.addFilter(below_warning)
    weasy_logger.addHandler(collector)
    try:
        yield records
    finally:
        weasy_logger.removeHandler(collector)
        for handler in shown_handlers:
            handler.removeFilter(below_warning)


def render_pdf(
    html: str,
    project: Project,
    theme: Theme,
    paper: str,
    source_name: str,
    extra_roots: Sequence[Path] = (),
    images: ImageOptions = ImageOptions(),
) -> RenderedPack:
    """Render HTML to PDF bytes; fail on refused resources and lost content."""
    fetcher = ProjectFetcher([*project.allowed_roots, *extra_roots])
    base_url = project.templates_dir.as_uri() + "/"
    try:
        stylesheets, messages = _load_stylesheets(project, theme, paper, fetcher)
        with captured_weasyprint_warnings() as records:
            html_document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            # Image options act while laying out and while writing, so both get them.
            options = {"pdf_tags": True, **images.write_pdf_options()}
            document = html_document.render(stylesheets=stylesheets, **options)
            pdf = document.write_pdf(**options)
    except RefusedResource as err:
        raise RenderError(f"{source_name}: {err}") from err
    except PermissionError as err:
        raise RenderError(f"{err.filename}: cannot read (permission denied)") from err
    messages = tuple(dict.fromkeys([*messages, *(r.getMessage() for r in records)]))
    lost = [message for message in messages if LOST_CONTENT.search(message)]
    lost += [record.getMessage() for record in records
             if record.levelno >= logging.ERROR and record.getMessage() not in lost]
    if lost:
        raise RenderError(f"{source_name}: content would be lost: {lost[0]}"
                          + (f" (and {len(lost) - 1} more)" if len(lost) > 1 else ""))
    check_fonts({font.family for font in document.fonts.values()}, theme, source_name)
    return RenderedPack(pdf=pdf, pages=len(document.pages), warnings=messages)


@lru_cache(maxsize=32)
def is_font_installed(family: str) -> bool:
    """Return whether Pango finds ``family`` itself rather than a substitute.

    A one-line probe document is cheaper and more faithful than asking fontconfig
    separately: it is the same lookup the real render makes.
    """
    probe = HTML(string=f"<p style='font-family: \"{family}\"'>Ag</p>")
    document = probe.render()
    document.write_pdf()
    return any(font.family.casefold() == family.casefold()
               for font in document.fonts.values())


def _load_stylesheets(
    project: Project, theme: Theme, paper: str, fetcher: ProjectFetcher
) -> tuple[list[CSS], list[str]]:
    """Parse the stylesheets; return them and their warnings, each naming its file.

    WeasyPrint reports a CSS problem by line and column only, so each file is parsed
    on its own to say which one the position is in.
    """
    stylesheets: list[CSS] = []
    messages: list[str] = []
    for path in stylesheet_paths(project, theme):
        with captured_weasyprint_warnings() as records:
            stylesheets.append(CSS(filename=str(path), url_fetcher=fetcher))
        inside = path.is_relative_to(project.root)
        shown = path.relative_to(project.root) if inside else path
        messages.extend(f"{shown}: {record.getMessage()}" for record in records)
    stylesheets.append(CSS(string=PAPER_CSS[paper], url_fetcher=fetcher))
    return stylesheets, messages


def check_fonts(families: set[str], theme: Theme, source_name: str) -> None:
    """Check every font WeasyPrint embedded belongs to the theme.

    Pango substitutes another installed font when a family is missing or lacks a
    glyph. That fallback is silent in WeasyPrint, so the families actually used are
    compared with the theme's after rendering.
    """
    wanted = {family.casefold() for family in theme.font_families}
    foreign = sorted(family for family in families if family.casefold() not in wanted)
    missing = [family for family in theme.font_families if not is_font_installed(family)]
    if missing:
        hint = theme.settings.fonts.install_hint
        raise RenderError(
            f"{source_name}: font {missing[0]!r} named by theme {theme.name!r} is not"
            f" installed (the PDF used {', '.join(sorted(families))} instead)"
            f"{'; ' + hint if hint else ''}"
        )
    if foreign:
        hint = theme.settings.fonts.install_hint
        raise RenderError(
            f"{source_name}: theme {theme.name!r} names fonts"
            f" {', '.join(repr(f) for f in theme.font_families)}, but the PDF used"
            f" {', '.join(foreign)} instead (a font is not installed or lacks"
            f" a character){'; ' + hint if hint else ''}"
        )


def render_pack(
    project: Project,
    spec: PackSpec,
    iso3: str,
    lang: str,
    prepared_on: dt.date,
    scratch_dir: Path | None = None,
) -> RenderedPack:
    """Render one country pack in one language to checked PDF bytes.

    ``scratch_dir`` is the job's own temporary folder; rendering may read from it.
    """
    theme = load_theme(project.styles_dir, spec.theme)
    html = render_html(project, spec, iso3, lang, prepared_on, theme)
    extra_roots = [scratch_dir] if scratch_dir is not None else []
    return render_pdf(html, project, theme, spec.paper, f"{spec.pack_id} {iso3} {lang}",
                      extra_roots)
