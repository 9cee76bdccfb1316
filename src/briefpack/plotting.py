"""How briefpack draws: matplotlib set up once from the theme, SVG out.

Every chart and map is vector SVG whose words stay ``<text>`` elements (``svg.fonttype``
"none"), so WeasyPrint sets them in the theme's font and the PDF stays searchable. All
styling lives here, in one ``ChartStyle`` built from the theme: series are told apart
by lightness, line style and marker, and labelled directly, so a greyscale print loses
nothing. ``charts`` and ``maps`` say what to draw; this module says how.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from .countries import SeriesPoint
from .errors import BriefError
from .i18n import Translator
from .theme import Theme, ThemeMapColours

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
SVG_GROUP = f"{{{SVG_NAMESPACE}}}g"
# Written back without prefixes, as matplotlib wrote them, for any SVG reader.
ElementTree.register_namespace("", SVG_NAMESPACE)
ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")

MM_PER_INCH = 25.4
# The text column of an A4 page (page.css margins); US Letter scales it up by 3%.
CHART_WIDTH_MM = 174.0
PANEL_HEIGHT_MM = 40.0
FONT_SIZE_PT = 7.0
# Panel margins: room for a panel title above and year labels below the axes.
PANEL_TOP_MM = 6.5
PANEL_BOTTOM_MM = 6.0
# Left margin for a y-axis with tick numbers and a label; right margin for end labels.
AXIS_PAD_MM = 13.0
END_LABEL_PAD_MM = 25.0

LINE_STYLES = ("-", "--", ":")
MARKERS = ("o", "s", "^")


@dataclass(frozen=True)
class ChartStyle:
    """Fonts and colours of every chart and map, taken from the theme."""

    font: str
    ink: str
    muted: str
    grid: str
    series: tuple[str, str, str]
    map: ThemeMapColours
    font_size: float = FONT_SIZE_PT

    @classmethod
    def from_theme(cls, theme: Theme) -> ChartStyle:
        colours = theme.settings.chart
        return cls(
            font=theme.settings.fonts.heading,
            ink=colours.ink,
            muted=colours.muted,
            grid=colours.grid,
            series=colours.series,
            map=colours.map,
        )

    def rc_params(self) -> dict[str, object]:
        """Return the matplotlib settings every chart is drawn with."""
        return {
            # Text stays text; the hash salt and no date keep reruns byte-identical.
            "svg.fonttype": "none",
            "svg.hashsalt": "briefpack",
            "font.family": [self.font],
            "font.size": self.font_size,
            "text.color": self.ink,
            "axes.labelcolor": self.ink,
            "axes.edgecolor": self.muted,
            "axes.linewidth": 0.6,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.labelsize": self.font_size,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "axes.axisbelow": True,
            "grid.color": self.grid,
            "grid.linewidth": 0.5,
            "xtick.color": self.muted,
            "ytick.color": self.muted,
            "xtick.labelcolor": self.ink,
            "ytick.labelcolor": self.ink,
            "xtick.labelsize": self.font_size,
            "ytick.labelsize": self.font_size,
            "xtick.major.width": 0.6,
            "xtick.major.size": 2.5,
            "ytick.major.size": 0,
            "lines.linewidth": 1.4,
            "lines.markersize": 3.6,
            "patch.linewidth": 0,
            "figure.facecolor": "none",
            "axes.facecolor": "none",
            "savefig.facecolor": "none",
        }


@dataclass(frozen=True)
class Chart:
    """One chart or map: SVG (None when nothing can be drawn) and its words."""

    key: str
    title: str
    svg: str | None
    alt: str
    source_ids: tuple[str, ...]
    note: str = ""
    panels: int = 2
    caption: str = ""

    @property
    def data_uri(self) -> str:
        """Return the SVG as a ``data:`` URL, the one form the fetcher always serves."""
        if self.svg is None:
            return ""
        encoded = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        return f"data:image/svg+xml;base64,{encoded}"


# Drawing ------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def check_chart_font(font: str) -> None:
    """Fail when matplotlib cannot find the theme's font.

    matplotlib lays text out with its own copy of the font; with the wrong one, labels
    would be measured for one typeface and printed in another.
    """
    from matplotlib import font_manager

    try:
        font_manager.findfont(
            font_manager.FontProperties(family=font), fallback_to_default=False
        )
    except ValueError as err:
        raise BriefError(
            f"charts: font {font!r} (the theme's heading font) is not installed"
        ) from err


@contextmanager
def drawing(style: ChartStyle) -> Iterator[None]:
    """Apply the style's matplotlib settings for the charts drawn inside."""
    # matplotlib is imported here, not at the top, so commands that draw nothing
    # (check, listing) do not pay for it.
    import matplotlib

    check_chart_font(style.font)
    with matplotlib.rc_context(style.rc_params()):
        yield


def new_figure(width_mm: float, height_mm: float) -> Figure:
    """Return a matplotlib figure of the given size, outside pyplot's global state."""
    from matplotlib.figure import Figure

    # No layout engine: constrained layout measures every label again and doubles the
    # time of a chart; the margins below are fixed in millimetres instead.
    figure = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH))
    # The page shows through; an unfilled background rectangle would only cost time.
    figure.patch.set_visible(False)
    return figure


def add_panels(
    figure: Figure,
    pads: Sequence[tuple[float, float]],
    bottom_mm: float = PANEL_BOTTOM_MM,
) -> list[Axes]:
    """Add side-by-side axes of equal share; ``pads`` gives each (left, right) in mm.

    The top margin leaves room for a panel title, the bottom for year labels.
    """
    width_mm = figure.get_figwidth() * MM_PER_INCH
    height_mm = figure.get_figheight() * MM_PER_INCH
    share = width_mm / len(pads)
    bottom, top = bottom_mm / height_mm, 1 - PANEL_TOP_MM / height_mm
    axes = []
    for index, (left, right) in enumerate(pads):
        start = index * share + left
        box = [
            start / width_mm,
            bottom,
            (share - left - right) / width_mm,
            top - bottom,
        ]
        ax = figure.add_axes(box)
        ax.patch.set_visible(False)
        axes.append(ax)
    return axes


def figure_svg(figure: Figure) -> str:
    """Return the figure as SVG text without the parts that vary between runs."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return flatten_groups(buffer.getvalue())


def flatten_groups(svg: str) -> str:
    """Return the SVG with every ``<g>`` that carries nothing but an id unwrapped.

    matplotlib wraps each artist in a group named for it; the groups change nothing on
    the page, and WeasyPrint walks each one, so dropping them saves about a tenth of
    the time it takes to draw a chart. The metadata block goes too.
    """
    root = ElementTree.fromstring(svg)
    for metadata in root.findall(f"{{{SVG_NAMESPACE}}}metadata"):
        root.remove(metadata)
    _unwrap(root)
    return ElementTree.tostring(root, encoding="unicode")


def _unwrap(element: ElementTree.Element) -> None:
    children = []
    for child in element:
        _unwrap(child)
        if child.tag == SVG_GROUP and set(child.attrib) <= {"id"}:
            children.extend(child)
        else:
            children.append(child)
    element[:] = children


def scale_for(maximum: float) -> tuple[float, str]:
    """Return a divisor and unit word so axis numbers stay short."""
    if maximum >= 1e9:
        return 1e9, "billions"
    if maximum >= 1e6:
        return 1e6, "millions"
    if maximum >= 1e4:
        return 1e3, "thousands"
    return 1.0, ""


def axis_label(what: str, unit: str, translate: Translator) -> str:
    return f"{translate(what)} ({translate(unit)})" if unit else translate(what)


def panel_title(ax: Axes, title: str) -> None:
    """Write a panel's title above its top left corner.

    Plain text rather than ``set_title``, which measures every tick label to find a
    height and costs a tenth of a second a chart.
    """
    ax.annotate(
        title,
        (0, 1),
        xycoords="axes fraction",
        xytext=(0, 6),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontweight="bold",
    )


def tick_text(value: float, _position: int | None = None) -> str:
    """Return a tick or bar number with thousands separators and no trailing zeros."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def number_axis(ax: Axes, top: float) -> None:
    """Start the y-axis at zero with three to five round ticks, equally precise."""
    from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

    top = top * 1.12 if top > 0 else 1.0
    ticks = [tick for tick in MaxNLocator(nbins=4).tick_values(0, top) if tick <= top]
    # As many decimals as the ticks need, and the same on each: 0.01, 0.02 must not
    # all print as 0, and 2.5 beside 5 prints as 2.5 and 5.0.
    decimals = next(
        (
            places
            for places in range(4)
            if all(abs(round(tick, places) - tick) < 1e-9 for tick in ticks)
        ),
        4,
    )
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(
        FixedFormatter([f"{tick:,.{decimals}f}" for tick in ticks])
    )


def year_axis(ax: Axes, years: Sequence[int]) -> None:
    """Label the first and last year and round years between, none crowding them."""
    first, last = min(years), max(years)
    step = 5 if last - first <= 20 else 10
    between = range(first + (-first) % step, last, step)
    ticks = [
        first,
        *(
            year
            for year in between
            if year - first >= step / 2 and last - year >= step / 2
        ),
    ]
    if last != first:
        ticks.append(last)
    ax.set_xticks(ticks, [str(year) for year in ticks])
    ax.set_xlim(
        first - 0.8 if last > first else first - 1,
        last + 0.8 if last > first else last + 1,
    )


def label_line_ends(
    ax: Axes, ends: list[tuple[float, str]], height_mm: float, font_size: float
) -> None:
    """Write each line's label beside its last point, nudged apart so none overlap.

    ``ends`` holds (last value, label); a label may have two lines. The axes are about
    three quarters of the panel's height, which is close enough to space labels.
    """
    bottom, top = ax.get_ylim()
    line = 1.2 * font_size / (0.75 * height_mm / MM_PER_INCH * 72)
    placed = sorted(
        [(value - bottom) / (top - bottom), label, label.count("\n") + 1]
        for value, label in ends
    )
    for previous, current in zip(placed, placed[1:]):
        needed = (previous[2] + current[2]) / 2 * line
        current[0] = max(current[0], previous[0] + needed)
    overflow = placed[-1][0] + placed[-1][2] * line / 2 - 1.05 if placed else 0.0
    for item in placed if overflow > 0 else ():
        item[0] -= overflow
    for position, label, _lines in placed:
        ax.text(
            1.03,
            position,
            label,
            transform=ax.transAxes,
            va="center",
            ha="left",
            linespacing=1.1,
            clip_on=False,
        )


def end_label(name: str, value: str = "", width: int = 20) -> str:
    """Return a line-end label of up to four short lines, the value last."""
    lines = textwrap.wrap(f"{name} {value}".strip(), width)
    if len(lines) > 4:
        lines = [
            *lines[:3],
            textwrap.shorten(" ".join(lines[3:]), width, placeholder="…"),
        ]
    return "\n".join(lines)


def series_line(
    ax: Axes,
    points: Sequence[SeriesPoint],
    index: int,
    style: ChartStyle,
    divisor: float = 1.0,
) -> None:
    """Draw one series with its greyscale-safe colour, line style and marker."""
    present = [point for point in points if point.value is not None]
    years = [point.year for point in present]
    values = [point.value / divisor for point in present]
    # About five markers a line tell the styles apart; each one costs WeasyPrint a
    # separate drawing, so long series are not marked at every point.
    every = max(1, -(-len(present) // 5))
    last = len(present) - 1
    marked = [i for i in range(0, last, every) if last - i > every / 2] + [last]
    ax.plot(
        years,
        values,
        color=style.series[index],
        linestyle=LINE_STYLES[index],
        marker=MARKERS[index],
        markevery=marked,
        clip_on=False,
    )
