"""The country profile's charts: migrant stock, partners, remittances, refugees.

A chart builder returns a ``Chart`` (see ``plotting``, which owns all styling). When a
country has none of a chart's data, the chart has no SVG and carries a short note
instead; when only part is missing, the panels that have data are drawn and the note
says what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .countries import Country, CountryData, Partner, SeriesPoint, area_key
from .formatting import format_count, format_percent, format_usd
from .i18n import Translator
from .plotting import (
    AXIS_PAD_MM,
    CHART_WIDTH_MM,
    PANEL_HEIGHT_MM,
    PANEL_TOP_MM,
    PT_PER_MM,
    TEXT_SLACK_MM,
    Chart,
    ChartStyle,
    add_panels,
    axes_box_mm,
    axis_label,
    drawing,
    end_label,
    end_label_pad_mm,
    figure_svg,
    fit_text,
    label_line_ends,
    new_figure,
    number_axis,
    panel_title,
    scale_for,
    series_line,
    text_size_mm,
    text_width_mm,
    value_label,
    value_texts,
    year_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Short forms of the UN DESA partner names that are long or inverted ("Korea, Republic
# of"), so a partner reads in one line or two.
SHORT_NAMES = {
    "BOL": "Bolivia",
    "COD": "Dem. Rep. of the Congo",
    "FSM": "Micronesia (Fed. States of)",
    "GBR": "United Kingdom",
    "IRN": "Iran",
    "KOR": "Republic of Korea",
    "LAO": "Lao PDR",
    "MDA": "Republic of Moldova",
    "NLD": "Netherlands",
    "PRK": "DPR Korea",
    "PSE": "State of Palestine",
    "SHN": "Saint Helena",
    "TZA": "Tanzania",
    "VEN": "Venezuela",
}
# Partner names wrap to two lines of this width, measured.
PARTNER_NAME_WIDTH_MM = 31.5
PARTNER_ROW_MM = 5.8
PARTNER_RIGHT_PAD_MM = 3.0
BAR_LABEL_PAD_PT = 2.0
# Past this share of the axes a longest bar is not shortened further to make room for
# value labels; a label that still does not fit goes inside its bar.
LONGEST_BAR_SHARE = 0.4
# The matplotlib default: tick labels sit this far from the axis.
TICK_PAD_PT = 3.5
# Remittance panels: room right of the axes for the last year and the value labels.
REMITTANCE_RIGHT_PAD_MM = 5.0
BAR_WIDTH = 0.7


def _present(points: Sequence[SeriesPoint]) -> list[SeriesPoint]:
    return [point for point in points if point.value is not None]


def _has_positive(points: Sequence[SeriesPoint]) -> bool:
    return any(point.value for point in points)


def _years_text(points: Sequence[SeriesPoint]) -> str:
    years = [point.year for point in points]
    return f"{min(years)}–{max(years)}" if len(set(years)) > 1 else str(years[0])


def _panel_years(panels: Sequence[Sequence[SeriesPoint]]) -> tuple[str, list[str]]:
    """Return the years of all panels for the heading, and each panel's own years.

    A panel's own years are only given (non-empty) when the panels do not all span
    the same years, so the heading never claims years a panel does not show.
    """
    drawn = [points for points in panels if points]
    union = _years_text([point for points in drawn for point in points])
    own = [_years_text(points) if points else "" for points in panels]
    if len({text for text in own if text}) <= 1:
        return union, ["" for _ in panels]
    return union, own


def _with_years(title: str, years: str) -> str:
    return f"{title}, {years}" if years else title


def _fit_panel_title(ax: Axes, title: str, room_mm: float, style: ChartStyle) -> None:
    """Write a panel title shortened to the panel's width."""
    panel_title(ax, fit_text(title, room_mm - TEXT_SLACK_MM, style, weight="bold"))


def _panel_width_mm(ax: Axes, right_pad_mm: float) -> float:
    return axes_box_mm(ax)[2] + right_pad_mm


# International migrant stock ----------------------------------------------------------


def migrant_stock_chart(
    country: Country, data: CountryData, style: ChartStyle, translate: Translator
) -> Chart:
    """Return migrant numbers as bars and shares beside the sub-region's and world's."""
    stock = _present(country.migrant_stock_series)
    share = _present(country.migrant_share_series)
    title = translate("International migrant stock")
    if not stock and not share:
        note = translate(
            "No data: UN DESA publishes no migrant stock estimates for {name}."
        ).format(name=country.name_in_text)
        return Chart("migrant_stock", title, None, "", ("undesa-ims-2024",), note)
    comparisons = _share_comparisons(country, data, translate)
    # Each line keeps its style (country darkest, then sub-region, world) even when
    # an earlier one is missing.
    lines = [
        (index, label, points)
        for index, (label, points) in enumerate([(country.name, share), *comparisons])
        if points
    ]
    ends = [
        (points[-1].value, end_label(label, format_percent(points[-1].value), style))
        for _, label, points in lines
    ]
    years, (stock_years, share_years) = _panel_years(
        [stock, [point for _, _, points in lines for point in points]]
    )
    title = _with_years(title, years)
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM, PANEL_HEIGHT_MM)
        right_pad = end_label_pad_mm([label for _, label in ends], style)
        bars_ax, share_ax = add_panels(figure, [(6, 6), (AXIS_PAD_MM, right_pad)])
        _stock_bars(bars_ax, stock, stock_years, style, translate)
        _share_lines(share_ax, lines, ends, share_years, right_pad, style, translate)
        svg = figure_svg(figure)
    alt = _stock_alt(country.name_in_text, stock, share, comparisons, translate)
    return Chart("migrant_stock", title, svg, alt, ("undesa-ims-2024",))


def _share_comparisons(
    country: Country, data: CountryData, translate: Translator
) -> list[tuple[str, list[SeriesPoint]]]:
    """Return the sub-region's and the world's shares; a missing one has no points."""
    area = country.comparison_area
    area_points = data.area_series.get(area_key(area), ()) if area else ()
    return [
        (area, _present(area_points)),
        (translate("World"), _present(data.area_series.get("world", ()))),
    ]


def _no_data(ax: Axes, style: ChartStyle, translate: Translator) -> None:
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        translate("no data"),
        transform=ax.transAxes,
        ha="center",
        color=style.muted,
    )


def _stock_bars(
    ax: Axes,
    stock: list[SeriesPoint],
    years: str,
    style: ChartStyle,
    translate: Translator,
) -> None:
    _fit_panel_title(
        ax,
        _with_years(translate("Number of international migrants"), years),
        _panel_width_mm(ax, 6),
        style,
    )
    if not stock:
        _no_data(ax, style, translate)
        return
    divisor, unit = scale_for(max(point.value for point in stock))
    positions = range(len(stock))
    values = [point.value / divisor for point in stock]
    bars = ax.bar(positions, values, width=0.62, color=style.series[0])
    # One number format for all bars: 3.0 beside 3.3, not 3.
    texts = value_texts(values, whole=divisor == 1)
    ax.bar_label(bars, labels=texts, padding=1.5, color=style.ink)
    ax.set_xticks(list(positions), [str(point.year) for point in stock])
    ax.grid(False)
    ax.spines["left"].set_visible(False)
    ax.set_yticks([])
    ax.set_ylim(0, max(values) * 1.15)
    ax.set_ylabel(axis_label("Migrants", unit, translate))


def _share_lines(
    ax: Axes,
    lines: list[tuple[int, str, list[SeriesPoint]]],
    ends: list[tuple[float, str]],
    years: str,
    right_pad_mm: float,
    style: ChartStyle,
    translate: Translator,
) -> None:
    _fit_panel_title(
        ax,
        _with_years(translate("Share of total population"), years),
        _panel_width_mm(ax, right_pad_mm),
        style,
    )
    if not lines:
        _no_data(ax, style, translate)
        return
    number_axis(ax, max(point.value for _, _, points in lines for point in points))
    for index, _label, points in lines:
        series_line(ax, points, index, style)
    year_axis(ax, [point.year for _, _, points in lines for point in points])
    ax.set_ylabel(translate("% of population"))
    label_line_ends(ax, ends, style)


def _stock_alt(
    name: str,
    stock: list[SeriesPoint],
    share: list[SeriesPoint],
    comparisons: list[tuple[str, list[SeriesPoint]]],
    translate: Translator,
) -> str:
    parts = [translate("Chart of international migrants in {name}.").format(name=name)]
    if stock:
        first, last = stock[0], stock[-1]
        parts.append(
            translate("Number: {first} in {first_year}, {last} in {last_year}.").format(
                first=format_count(first.value),
                first_year=first.year,
                last=format_count(last.value),
                last_year=last.year,
            )
        )
    if share:
        first, last = share[0], share[-1]
        parts.append(
            translate(
                "Share of population: {first} in {first_year}, {last} in {last_year}."
            ).format(
                first=format_percent(first.value),
                first_year=first.year,
                last=format_percent(last.value),
                last_year=last.year,
            )
        )
    for label, points in (entry for entry in comparisons if entry[1]):
        last = points[-1]
        parts.append(
            translate("{area}: {value} in {year}.").format(
                area=label, value=format_percent(last.value), year=last.year
            )
        )
    return " ".join(parts)


# Top origins and destinations ---------------------------------------------------------


def partners_chart(country: Country, style: ChartStyle, translate: Translator) -> Chart:
    """Return the five main origins of immigrants and destinations of emigrants."""
    title = translate("Main origins of immigrants and destinations of emigrants, 2020")
    panels = [
        (translate("Origins of immigrants"), country.top_origins),
        (translate("Destinations of emigrants"), country.top_destinations),
    ]
    drawn = [(label, partners) for label, partners in panels if partners]
    missing = [label for label, partners in panels if not partners]
    if not drawn:
        note = translate(
            "No data: UN DESA's 2020 bilateral estimates list no origins or"
            " destinations for {name}."
        ).format(name=country.name_in_text)
        return Chart("partners", title, None, "", ("undesa-ims-2020",), note, 0)
    rows = max(len(partners) for _, partners in drawn)
    names = [
        [_partner_label(partner, style) for partner in partners]
        for _, partners in drawn
    ]
    row_mm = _partner_row_mm(names, style)
    height = PANEL_TOP_MM + 2 + row_mm * rows
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM * len(drawn) / 2, height)
        pads = [
            (_label_pad_mm(labels, style), PARTNER_RIGHT_PAD_MM) for labels in names
        ]
        axes = add_panels(figure, pads, bottom_mm=1.0)
        for ax, (label, partners), labels in zip(axes, drawn, names):
            _partner_bars(ax, label, partners, labels, rows, style)
        svg = figure_svg(figure)
    alt = translate("Chart of the main origins and destinations of migrants, 2020.")
    alt += " " + " ".join(
        _partners_alt(country.name_in_text, key, partners, translate)
        for key, partners in (
            ("origins", country.top_origins),
            ("destinations", country.top_destinations),
        )
        if partners
    )
    note = " ".join(
        translate("{what}: no data.").format(what=label) for label in missing
    )
    caption = translate(
        "From UN DESA's 2020 edition, the latest with origin and"
        " destination detail; not comparable with the 2024 totals."
    )
    return Chart(
        "partners", title, svg, alt, ("undesa-ims-2020",), note, len(drawn), caption
    )


def _partner_label(partner: Partner, style: ChartStyle) -> str:
    """Return the partner's name in at most two lines of the label width."""
    name = SHORT_NAMES.get(partner.iso3, partner.name)
    return fit_text(name, PARTNER_NAME_WIDTH_MM, style, max_lines=2)


def _partner_row_mm(names: Sequence[Sequence[str]], style: ChartStyle) -> float:
    """Return the row height: taller than usual only when two-line names meet."""
    row = PARTNER_ROW_MM
    for labels in names:
        heights = [text_size_mm(label, style, linespacing=1.0)[1] for label in labels]
        for upper, lower in zip(heights, heights[1:]):
            row = max(row, (upper + lower) / 2 + 0.3)
    return row


def _label_pad_mm(labels: Sequence[str], style: ChartStyle) -> float:
    """Return the left margin that holds the widest name line, measured."""
    widest = max(
        text_width_mm(line, style) for label in labels for line in label.splitlines()
    )
    return widest + TICK_PAD_PT / PT_PER_MM + TEXT_SLACK_MM + 0.4


def _partner_bars(
    ax: Axes,
    label: str,
    partners: Sequence[Partner],
    names: Sequence[str],
    rows: int,
    style: ChartStyle,
) -> None:
    _fit_panel_title(ax, label, _panel_width_mm(ax, PARTNER_RIGHT_PAD_MM), style)
    positions = list(range(len(partners)))
    values = [partner.migrant_stock for partner in partners]
    ax.barh(positions, values, height=0.62, color=style.series[0])
    texts = [
        f"{format_count(p.migrant_stock)} ({format_percent(p.share_pct)})"
        for p in partners
    ]
    _, _, width_mm, _ = axes_box_mm(ax)
    room = width_mm + PARTNER_RIGHT_PAD_MM - TEXT_SLACK_MM
    gap = BAR_LABEL_PAD_PT / PT_PER_MM
    widths = [text_width_mm(text, style) + TEXT_SLACK_MM for text in texts]
    # The value axis is as long as it must be for every label to fit after its bar,
    # but no bar is squeezed below LONGEST_BAR_SHARE of the axes for it.
    top = max(values) * 1.55
    for value, width in zip(values, widths):
        free = room - gap - width
        if free > 0:
            top = max(top, value * width_mm / free)
    top = min(top, max(values) / LONGEST_BAR_SHARE)
    for position, value, text, width in zip(positions, values, texts, widths):
        outside = value / top * width_mm + gap + width <= room
        ax.annotate(
            text,
            (value, position),
            xytext=(BAR_LABEL_PAD_PT if outside else -BAR_LABEL_PAD_PT, 0),
            textcoords="offset points",
            ha="left" if outside else "right",
            va="center",
            color=style.ink if outside else "white",
        )
    ax.set_yticks(positions, names, linespacing=1.0)
    ax.set_ylim(rows - 0.5, -0.5)
    # Values are written on the bars, so the value axis would only repeat them.
    ax.set_xlim(0, top)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.grid(False)


def _partners_alt(
    name: str, key: str, partners: Sequence[Partner], translate: Translator
) -> str:
    label = (
        translate("Origins of immigrants living in {name}")
        if key == "origins"
        else translate("Destinations of emigrants from {name}")
    ).format(name=name)
    listed = "; ".join(
        f"{partner.name} {format_count(partner.migrant_stock)}"
        f" ({format_percent(partner.share_pct)})"
        for partner in partners
    )
    return translate("{what}, 2020: {listed}.").format(what=label, listed=listed)


# Remittances --------------------------------------------------------------------------


def remittances_chart(
    country: Country, style: ChartStyle, translate: Translator
) -> Chart:
    """Return personal remittances received in US$ and as a share of GDP over time."""
    usd = _present(country.remittances_usd_series)
    gdp = _present(country.remittances_gdp_series)
    title = translate("Personal remittances received")
    if not usd and not gdp:
        note = translate(
            "No data: the World Bank reports no personal remittances"
            " received for {name}."
        ).format(name=country.name_in_text)
        return Chart("remittances", title, None, "", ("wb-wdi-remittances",), note, 0)
    # The heading's years are those drawn; when the panels differ, each names its own.
    years, (usd_years, gdp_years) = _panel_years([usd, gdp])
    title = _with_years(title, years)
    drawn = [panel for panel, points in (("usd", usd), ("gdp", gdp)) if points]
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM * len(drawn) / 2, PANEL_HEIGHT_MM)
        pads = [(AXIS_PAD_MM, REMITTANCE_RIGHT_PAD_MM)] * len(drawn)
        axes = dict(zip(drawn, add_panels(figure, pads)))
        if usd:
            _remittance_bars(axes["usd"], usd, usd_years, style, translate)
        if gdp:
            _remittance_share(axes["gdp"], gdp, gdp_years, style, translate)
        svg = figure_svg(figure)
    note = ""
    if not usd:
        note = translate("Remittances in US dollars: no data.")
    elif not gdp:
        note = translate("Remittances as a share of GDP: no data.")
    alt = _remittances_alt(country.name_in_text, usd, gdp, translate)
    return Chart(
        "remittances", title, svg, alt, ("wb-wdi-remittances",), note, len(drawn)
    )


def _remittance_bars(
    ax: Axes,
    usd: list[SeriesPoint],
    years: str,
    style: ChartStyle,
    translate: Translator,
) -> None:
    _fit_panel_title(
        ax,
        _with_years(translate("In current US dollars"), years),
        _panel_width_mm(ax, REMITTANCE_RIGHT_PAD_MM),
        style,
    )
    divisor, unit = scale_for(max(point.value for point in usd))
    values = [point.value / divisor for point in usd]
    years_drawn = [point.year for point in usd]
    ax.bar(years_drawn, values, width=BAR_WIDTH, color=style.series[0])
    year_axis(ax, years_drawn)
    spans = [
        (point.year - BAR_WIDTH / 2, value, point.year + BAR_WIDTH / 2, value)
        for point, value in zip(usd, values)
    ]
    last = usd[-1]
    text = format_usd(last.value).removeprefix("US$ ")
    # The label ends at the last bar and sits above the tallest bar beneath it; when
    # that is not the last bar, the year says which bar the number belongs to.
    edge = last.year + BAR_WIDTH / 2
    room_mm = REMITTANCE_RIGHT_PAD_MM
    x, base, room = value_label(
        ax, text, edge, spans, style, ha="right", right_room_mm=room_mm
    )
    if base > values[-1]:
        text = f"{last.year}: {text}"
        x, base, room = value_label(
            ax, text, edge, spans, style, ha="right", right_room_mm=room_mm
        )
    number_axis(ax, max(values), room)
    ax.set_ylabel(axis_label("US$", unit, translate))
    ax.annotate(
        text,
        (x, base),
        xytext=(0, 3),
        textcoords="offset points",
        ha="right",
        va="bottom",
    )


def _remittance_share(
    ax: Axes,
    gdp: list[SeriesPoint],
    years: str,
    style: ChartStyle,
    translate: Translator,
) -> None:
    _fit_panel_title(
        ax,
        _with_years(translate("As a share of GDP"), years),
        _panel_width_mm(ax, REMITTANCE_RIGHT_PAD_MM),
        style,
    )
    series_line(ax, gdp, 0, style)
    year_axis(ax, [point.year for point in gdp])
    spans = [(a.year, a.value, b.year, b.value) for a, b in zip(gdp, gdp[1:])]
    last = gdp[-1]
    spans = spans or [(last.year, last.value, last.year, last.value)]
    text = format_percent(last.value)
    # Above the last point, clear of the line where it comes down from higher.
    x, base, room = value_label(
        ax,
        text,
        last.year,
        spans,
        style,
        offset_pt=4,
        right_room_mm=REMITTANCE_RIGHT_PAD_MM,
    )
    number_axis(ax, max(point.value for point in gdp), room)
    ax.set_ylabel(translate("% of GDP"))
    ax.annotate(
        text,
        (x, max(base, last.value)),
        xytext=(0, 4),
        textcoords="offset points",
        ha="center",
        va="bottom",
    )


def _remittances_alt(
    name: str, usd: list[SeriesPoint], gdp: list[SeriesPoint], translate: Translator
) -> str:
    parts = [
        translate("Chart of personal remittances received by {name}.").format(name=name)
    ]
    if usd:
        peak = max(usd, key=lambda point: point.value)
        parts.append(
            translate(
                "In US dollars: {first} in {first_year}, {last} in"
                " {last_year}; highest {peak} in {peak_year}."
            ).format(
                first=format_usd(usd[0].value),
                first_year=usd[0].year,
                last=format_usd(usd[-1].value),
                last_year=usd[-1].year,
                peak=format_usd(peak.value),
                peak_year=peak.year,
            )
        )
    if gdp:
        parts.append(
            translate(
                "As a share of GDP: {first} in {first_year}, {last} in {last_year}."
            ).format(
                first=format_percent(gdp[0].value),
                first_year=gdp[0].year,
                last=format_percent(gdp[-1].value),
                last_year=gdp[-1].year,
            )
        )
    return " ".join(parts)


# Refugees and asylum-seekers ----------------------------------------------------------


def refugees_chart(country: Country, style: ChartStyle, translate: Translator) -> Chart:
    """Return refugees and asylum-seekers hosted and originating, end of each year."""
    panels = [
        (
            translate("Hosted in {name}").format(name=country.name_in_text),
            country.refugees_hosted_series,
            country.asylum_seekers_hosted_series,
        ),
        (
            translate("Originating from {name}").format(name=country.name_in_text),
            country.refugees_from_series,
            country.asylum_seekers_from_series,
        ),
    ]
    drawn = [
        panel for panel in panels if _has_positive(panel[1]) or _has_positive(panel[2])
    ]
    title = translate("Refugees and asylum-seekers (end of year)")
    if not drawn:
        note = translate(
            "No data: UNHCR records no refugees or asylum-seekers hosted in"
            " or originating from {name}."
        ).format(name=country.name_in_text)
        return Chart("refugees", title, None, "", ("unhcr-refugee-data",), note, 0)
    names = (translate("Refugees"), translate("Asylum-seekers"))
    panel_points = [
        [p for points in series for p in _present(points)] for _, *series in drawn
    ]
    years, own_years = _panel_years(panel_points)
    title = translate("Refugees and asylum-seekers, end of year, {years}").format(
        years=years
    )
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM * len(drawn) / 2, PANEL_HEIGHT_MM)
        # One right margin for both panels, so their plots are the same width.
        right_pad = end_label_pad_mm(names, style)
        axes = add_panels(figure, [(AXIS_PAD_MM, right_pad)] * len(drawn))
        for ax, (label, refugees, asylum), own in zip(axes, drawn, own_years):
            _displacement_lines(
                ax,
                _with_years(label, own),
                refugees,
                asylum,
                names,
                right_pad,
                style,
                translate,
            )
        svg = figure_svg(figure)
    missing = [label for label, *_ in panels if all(label != d[0] for d in drawn)]
    note = " ".join(
        translate("{what}: none recorded by UNHCR.").format(what=label)
        for label in missing
    )
    alt = translate("Chart of refugees and asylum-seekers, end of each year.")
    alt += " " + " ".join(
        _refugees_alt(label, refugees, asylum, translate)
        for label, refugees, asylum in drawn
    )
    return Chart("refugees", title, svg, alt, ("unhcr-refugee-data",), note, len(drawn))


def _displacement_lines(
    ax: Axes,
    label: str,
    refugees: Sequence[SeriesPoint],
    asylum: Sequence[SeriesPoint],
    names: tuple[str, str],
    right_pad_mm: float,
    style: ChartStyle,
    translate: Translator,
) -> None:
    _fit_panel_title(ax, label, _panel_width_mm(ax, right_pad_mm), style)
    series = [(names[0], _present(refugees)), (names[1], _present(asylum))]
    series = [(name, points) for name, points in series if points]
    top = max(point.value for _, points in series for point in points)
    divisor, unit = scale_for(top)
    number_axis(ax, top / divisor)
    ends = []
    for index, (name, points) in enumerate(series):
        series_line(ax, points, index, style, divisor)
        ends.append((points[-1].value / divisor, name))
    year_axis(ax, [point.year for _, points in series for point in points])
    ax.set_ylabel(axis_label("People", unit, translate))
    label_line_ends(ax, ends, style)


def _refugees_alt(
    label: str,
    refugees: Sequence[SeriesPoint],
    asylum: Sequence[SeriesPoint],
    translate: Translator,
) -> str:
    parts = [f"{label}:"]
    for name, points in (
        (translate("refugees"), _present(refugees)),
        (translate("asylum-seekers"), _present(asylum)),
    ):
        if points:
            parts.append(
                translate(
                    "{what} {first} at end-{first_year}, {last} at end-{last_year};"
                ).format(
                    what=name,
                    first=format_count(points[0].value),
                    first_year=points[0].year,
                    last=format_count(points[-1].value),
                    last_year=points[-1].year,
                )
            )
    return " ".join(parts).rstrip(";") + "."


# The profile's charts -----------------------------------------------------------------


def build_profile_charts(
    country: Country, data: CountryData, style: ChartStyle, translate: Translator
) -> list[Chart]:
    """Return the profile's charts in page order."""
    return [
        migrant_stock_chart(country, data, style, translate),
        partners_chart(country, style, translate),
        remittances_chart(country, style, translate),
        refugees_chart(country, style, translate),
    ]
