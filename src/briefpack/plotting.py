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
# Left margin for a y-axis with tick numbers and a label.
AXIS_PAD_MM = 13.0
# Line-end labels wrap at this width; the panel's right margin is then as wide as its
# widest label, measured, plus the gap between line end and label.
END_LABEL_WIDTH_MM = 22.0
END_LABEL_GAP_PT = 4.0
END_LABEL_LINE_SPACING = 1.1
# Allowance for WeasyPrint setting a word a little wider than matplotlib measures it.
TEXT_SLACK_MM = 0.6
PT_PER_MM = 72 / MM_PER_INCH

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


# Measuring text -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _measuring() -> tuple[object, Figure]:
    """Return the SVG renderer and a 72 dpi figure that text is measured with.

    The SVG backend measures with matplotlib's own copy of the font, as it does when it
    lays the chart out, so a label measured here takes the room it takes in the SVG.
    """
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.figure import Figure

    return RendererSVG(100, 100, io.StringIO()), Figure(dpi=72)


@lru_cache(maxsize=8192)
def _text_size_pt(
    text: str, font: str, size: float, weight: str, linespacing: float
) -> tuple[float, float]:
    from matplotlib.font_manager import FontProperties
    from matplotlib.text import Text

    renderer, figure = _measuring()
    artist = Text(
        0,
        0,
        text,
        fontproperties=FontProperties(family=font, size=size, weight=weight),
        linespacing=linespacing,
    )
    artist.set_figure(figure)
    box = artist.get_window_extent(renderer)
    return box.width, box.height


def text_size_mm(
    text: str,
    style: ChartStyle,
    weight: str = "normal",
    linespacing: float = 1.2,
) -> tuple[float, float]:
    """Return the width and height, in mm, of text as matplotlib lays it out."""
    width, height = _text_size_pt(
        text, style.font, style.font_size, weight, linespacing
    )
    return width / PT_PER_MM, height / PT_PER_MM


def text_width_mm(text: str, style: ChartStyle, weight: str = "normal") -> float:
    return text_size_mm(text, style, weight)[0]


def fit_text(
    text: str,
    width_mm: float,
    style: ChartStyle,
    max_lines: int = 1,
    weight: str = "normal",
) -> str:
    """Return text wrapped at word breaks to lines of at most ``width_mm``.

    Beyond ``max_lines`` the last line is shortened to whole words and "…". A single
    word wider than the width keeps its own line; callers measure the result.
    """
    words = text.split()
    lines: list[str] = []
    for word in words:
        if lines and text_width_mm(f"{lines[-1]} {word}", style, weight) <= width_mm:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        kept, rest = lines[: max_lines - 1], " ".join(lines[max_lines - 1 :]).split()
        while len(rest) > 1 and (
            text_width_mm(" ".join(rest) + "…", style, weight) > width_mm
        ):
            rest.pop()
        lines = [*kept, " ".join(rest).rstrip(",;:") + "…"]
    return "\n".join(lines)


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


def value_texts(values: Sequence[float], whole: bool = False) -> list[str]:
    """Return bar numbers all with the same decimals: 1.0 beside 1.1, never 1.

    Whole numbers (``whole``, a count of people) have none; otherwise one when the
    smallest bar is below 10, and more when it would print as 0.
    """
    smallest = min((abs(value) for value in values if value), default=0.0)
    places = 0 if whole or smallest >= 10 else 1
    while not whole and places < 3 and smallest and round(smallest, places) == 0:
        places += 1
    return [f"{value:,.{places}f}" for value in values]


def number_axis(ax: Axes, top: float, room: float = 0.0) -> None:
    """Start the y-axis at zero with three to five round ticks, equally precise.

    ``room`` is the least top the axis may have, so a value label fits inside it.
    """
    from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

    top = max(top * 1.12 if top > 0 else 1.0, room)
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


def axes_box_mm(ax: Axes) -> tuple[float, float, float, float]:
    """Return the axes' left, bottom, width and height in mm on the figure."""
    figure = ax.get_figure()
    width_mm = figure.get_figwidth() * MM_PER_INCH
    height_mm = figure.get_figheight() * MM_PER_INCH
    box = ax.get_position()
    return (
        box.x0 * width_mm,
        box.y0 * height_mm,
        box.width * width_mm,
        box.height * height_mm,
    )


def end_label(name: str, value: str, style: ChartStyle) -> str:
    """Return a line-end label of up to four lines that fit the label width."""
    return fit_text(f"{name} {value}".strip(), END_LABEL_WIDTH_MM, style, max_lines=4)


def end_label_pad_mm(labels: Sequence[str], style: ChartStyle) -> float:
    """Return the right margin that holds the widest of ``labels`` beside the axes."""
    widest = max(
        (text_width_mm(line, style) for label in labels for line in label.splitlines()),
        default=0.0,
    )
    return END_LABEL_GAP_PT / PT_PER_MM + widest + TEXT_SLACK_MM + 0.5


def label_line_ends(
    ax: Axes, ends: list[tuple[float, str]], style: ChartStyle
) -> None:
    """Write each line's label beside its last point, nudged apart so none overlap.

    ``ends`` holds (last value, label). Heights are measured, so labels of several
    lines keep clear of each other; they stay between just below the axes and just
    above them (the panel title is above the axes' left end).
    """
    from matplotlib.transforms import offset_copy

    _, bottom_mm, _, axes_mm = axes_box_mm(ax)
    bottom, top = ax.get_ylim()
    gap = 0.4 / axes_mm
    placed = sorted(
        [
            (value - bottom) / (top - bottom),
            label,
            text_size_mm(label, style, linespacing=END_LABEL_LINE_SPACING)[1]
            / axes_mm
            / 2,
        ]
        for value, label in ends
    )
    wanted = [item[0] for item in placed]
    upper = 1 + 2.0 / axes_mm
    # Below the axes first only as far as the last year's tick label leaves room.
    for lower in (-1.0 / axes_mm, -(bottom_mm - 0.5) / axes_mm):
        for item, position in zip(placed, wanted):
            item[0] = position
        floor = lower
        for item in placed:
            item[0] = max(item[0], floor + item[2])
            floor = item[0] + item[2] + gap
        ceiling = upper
        for item in reversed(placed):
            item[0] = min(item[0], ceiling - item[2])
            ceiling = item[0] - item[2] - gap
        if not placed or placed[0][0] - placed[0][2] >= lower - 1e-9:
            break
    # A fixed gap in points from the axes' right edge, whatever the axes' width.
    transform = offset_copy(
        ax.transAxes, fig=ax.get_figure(), x=END_LABEL_GAP_PT, y=0, units="points"
    )
    for position, label, _half in placed:
        ax.text(
            1,
            position,
            label,
            transform=transform,
            va="center",
            ha="left",
            linespacing=END_LABEL_LINE_SPACING,
            clip_on=False,
        )


def value_label(
    ax: Axes,
    text: str,
    x: float,
    spans: Sequence[tuple[float, float, float, float]],
    style: ChartStyle,
    ha: str = "center",
    offset_pt: float = 3.0,
    right_room_mm: float = 0.0,
) -> tuple[float, float, float]:
    """Return where a value label clears everything drawn beneath it.

    ``spans`` are what is drawn, each (x0, y0, x1, y1) in data units: a bar's top
    (y0 == y1), a line segment, or a lone point (x0 == x1). The label is centred on
    ``x`` or ends at it (``ha="right"``), and may reach ``right_room_mm`` past the
    axes' right edge.
    Call after the x limits are set. Returns the label's x, the data height it sits
    on, and the least top the y-axis needs for the label to fit inside the axes.
    """
    _, _, width_mm, height_mm = axes_box_mm(ax)
    left, right = ax.get_xlim()
    per_mm = (right - left) / width_mm
    label_width, label_height = text_size_mm(text, style)
    width = (label_width + TEXT_SLACK_MM) * per_mm
    limit = right + (right_room_mm - TEXT_SLACK_MM) * per_mm
    if ha == "center":
        x = min(x, limit - width / 2)
        start, end = x - width / 2, x + width / 2
    else:
        x = min(x, limit)
        start, end = x - width, x
    base = 0.0
    for x0, y0, x1, y1 in spans:
        if x1 < start or x0 > end:
            continue
        if x1 == x0:
            base = max(base, y0, y1)
            continue
        # The highest point of a straight segment within the label's width.
        for edge in (max(x0, start), min(x1, end)):
            base = max(base, y0 + (y1 - y0) * (edge - x0) / (x1 - x0))
    share = (offset_pt / PT_PER_MM + label_height + 0.5) / height_mm
    return x, base, base / (1 - share) if share < 1 else base * 2


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
