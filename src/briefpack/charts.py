"""The country profile's charts: migrant stock, partners, remittances, refugees.

A chart builder returns a ``Chart`` (see ``plotting``, which owns all styling). When a
country has none of a chart's data, the chart has no SVG and carries a short note
instead; when only part is missing, the panels that have data are drawn and the note
says what is missing.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .countries import Country, CountryData, Partner, SeriesPoint, area_key
from .formatting import format_count, format_percent, format_usd
from .i18n import Translator
from .plotting import (
    AXIS_PAD_MM,
    CHART_WIDTH_MM,
    END_LABEL_PAD_MM,
    MM_PER_INCH,
    PANEL_HEIGHT_MM,
    PANEL_TOP_MM,
    Chart,
    ChartStyle,
    add_panels,
    axis_label,
    drawing,
    end_label,
    figure_svg,
    label_line_ends,
    new_figure,
    number_axis,
    panel_title,
    scale_for,
    series_line,
    tick_text,
    year_axis,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# UN short names for partner labels that would not fit on two lines.
SHORT_NAMES = {"GBR": "United Kingdom"}
LABEL_WIDTH = 24


def _present(points: Sequence[SeriesPoint]) -> list[SeriesPoint]:
    return [point for point in points if point.value is not None]


def _has_positive(points: Sequence[SeriesPoint]) -> bool:
    return any(point.value for point in points)


def _years_text(points: Sequence[SeriesPoint]) -> str:
    years = [point.year for point in points]
    return f"{min(years)}–{max(years)}" if len(set(years)) > 1 else str(years[0])


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
        ).format(name=country.name)
        return Chart("migrant_stock", title, None, "", ("undesa-ims-2024",), note)
    title += f", {_years_text(stock or share)}"
    comparisons = _share_comparisons(country, data, translate)
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM, PANEL_HEIGHT_MM)
        bars_ax, share_ax = add_panels(
            figure, [(6, 6), (AXIS_PAD_MM, END_LABEL_PAD_MM)]
        )
        _stock_bars(bars_ax, stock, style, translate)
        _share_lines(share_ax, country.name, share, comparisons, style, translate)
        svg = figure_svg(figure)
    alt = _stock_alt(country.name, stock, share, comparisons, translate)
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


def _stock_bars(
    ax: Axes, stock: list[SeriesPoint], style: ChartStyle, translate: Translator
) -> None:
    panel_title(ax, translate("Number of international migrants"))
    if not stock:
        ax.set_axis_off()
        ax.text(
            0.5,
            0.5,
            translate("no data"),
            transform=ax.transAxes,
            ha="center",
            color=style.muted,
        )
        return
    divisor, unit = scale_for(max(point.value for point in stock))
    positions = range(len(stock))
    values = [point.value / divisor for point in stock]
    bars = ax.bar(positions, values, width=0.62, color=style.series[0])
    ax.bar_label(
        bars,
        labels=[tick_text(round(v, 1 if v < 10 else 0)) for v in values],
        padding=1.5,
        color=style.ink,
    )
    ax.set_xticks(list(positions), [str(point.year) for point in stock])
    ax.grid(False)
    ax.spines["left"].set_visible(False)
    ax.set_yticks([])
    ax.set_ylim(0, max(values) * 1.15)
    ax.set_ylabel(axis_label("Migrants", unit, translate))


def _share_lines(
    ax: Axes,
    name: str,
    share: list[SeriesPoint],
    comparisons: list[tuple[str, list[SeriesPoint]]],
    style: ChartStyle,
    translate: Translator,
) -> None:
    panel_title(ax, translate("Share of total population"))
    # Each line keeps its style (country darkest, then sub-region, world) even when
    # an earlier one is missing.
    lines = [
        (index, label, points)
        for index, (label, points) in enumerate([(name, share), *comparisons])
        if points
    ]
    number_axis(ax, max(point.value for _, _, points in lines for point in points))
    ends = []
    for index, label, points in lines:
        series_line(ax, points, index, style)
        last = points[-1]
        ends.append((last.value, end_label(label, format_percent(last.value))))
    year_axis(ax, [point.year for _, _, points in lines for point in points])
    ax.set_ylabel(translate("% of population"))
    label_line_ends(ax, ends, PANEL_HEIGHT_MM, style.font_size)


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
        ).format(name=country.name)
        return Chart("partners", title, None, "", ("undesa-ims-2020",), note, 0)
    rows = max(len(partners) for _, partners in drawn)
    height = PANEL_TOP_MM + 2 + 5.8 * rows
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM * len(drawn) / 2, height)
        pads = [(_label_pad_mm(partners, style), 3) for _, partners in drawn]
        axes = add_panels(figure, pads, bottom_mm=1.0)
        for ax, (label, partners) in zip(axes, drawn):
            _partner_bars(ax, label, partners, rows, style)
        svg = figure_svg(figure)
    alt = translate("Chart of the main origins and destinations of migrants, 2020.")
    alt += " " + " ".join(
        _partners_alt(country.name, key, partners, translate)
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


def _partner_label(partner: Partner) -> str:
    name = SHORT_NAMES.get(partner.iso3, partner.name)
    return "\n".join(textwrap.wrap(name, LABEL_WIDTH)[:2])


def _label_pad_mm(partners: Sequence[Partner], style: ChartStyle) -> float:
    """Return room for the longest name line; Noto Sans averages about 0.53 em."""
    longest = max(
        len(line)
        for partner in partners
        for line in _partner_label(partner).splitlines()
    )
    return 2 + longest * 0.53 * style.font_size * MM_PER_INCH / 72


def _partner_bars(
    ax: Axes, label: str, partners: Sequence[Partner], rows: int, style: ChartStyle
) -> None:
    panel_title(ax, textwrap.shorten(label, 60, placeholder="…"))
    positions = list(range(len(partners)))
    values = [partner.migrant_stock for partner in partners]
    bars = ax.barh(positions, values, height=0.62, color=style.series[0])
    ax.bar_label(
        bars,
        labels=[
            f"{format_count(p.migrant_stock)} ({format_percent(p.share_pct)})"
            for p in partners
        ],
        padding=2,
        color=style.ink,
    )
    ax.set_yticks(positions, [_partner_label(partner) for partner in partners])
    ax.set_ylim(rows - 0.5, -0.5)
    # Values are written on the bars, so the value axis would only repeat them.
    ax.set_xlim(0, max(values) * 1.55)
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
        ).format(name=country.name)
        return Chart("remittances", title, None, "", ("wb-wdi-remittances",), note, 0)
    title += f", {_years_text(usd + gdp)}"
    drawn = [panel for panel, points in (("usd", usd), ("gdp", gdp)) if points]
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM * len(drawn) / 2, PANEL_HEIGHT_MM)
        axes = dict(zip(drawn, add_panels(figure, [(AXIS_PAD_MM, 5)] * len(drawn))))
        if usd:
            _remittance_bars(axes["usd"], usd, style, translate)
        if gdp:
            _remittance_share(axes["gdp"], gdp, style, translate)
        svg = figure_svg(figure)
    note = ""
    if not usd:
        note = translate("Remittances in US dollars: no data.")
    elif not gdp:
        note = translate("Remittances as a share of GDP: no data.")
    alt = _remittances_alt(country.name, usd, gdp, translate)
    return Chart(
        "remittances", title, svg, alt, ("wb-wdi-remittances",), note, len(drawn)
    )


def _remittance_bars(
    ax: Axes, usd: list[SeriesPoint], style: ChartStyle, translate: Translator
) -> None:
    panel_title(ax, translate("In current US dollars"))
    divisor, unit = scale_for(max(point.value for point in usd))
    values = [point.value / divisor for point in usd]
    ax.bar([point.year for point in usd], values, width=0.7, color=style.series[0])
    number_axis(ax, max(values))
    year_axis(ax, [point.year for point in usd])
    ax.set_ylabel(axis_label("US$", unit, translate))
    last = usd[-1]
    ax.annotate(
        format_usd(last.value).removeprefix("US$ "),
        (last.year, values[-1]),
        xytext=(0, 3),
        textcoords="offset points",
        ha="right",
        va="bottom",
    )


def _remittance_share(
    ax: Axes, gdp: list[SeriesPoint], style: ChartStyle, translate: Translator
) -> None:
    panel_title(ax, translate("As a share of GDP"))
    number_axis(ax, max(point.value for point in gdp))
    series_line(ax, gdp, 0, style)
    year_axis(ax, [point.year for point in gdp])
    ax.set_ylabel(translate("% of GDP"))
    last = gdp[-1]
    ax.annotate(
        format_percent(last.value),
        (last.year, last.value),
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
            translate("Hosted in {name}").format(name=country.name),
            country.refugees_hosted_series,
            country.asylum_seekers_hosted_series,
        ),
        (
            translate("Originating from {name}").format(name=country.name),
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
        ).format(name=country.name)
        return Chart("refugees", title, None, "", ("unhcr-refugee-data",), note, 0)
    all_points = [
        p for _, *series in drawn for points in series for p in _present(points)
    ]
    title = translate("Refugees and asylum-seekers, end of year, {years}").format(
        years=_years_text(all_points)
    )
    with drawing(style):
        figure = new_figure(CHART_WIDTH_MM * len(drawn) / 2, PANEL_HEIGHT_MM)
        axes = add_panels(figure, [(AXIS_PAD_MM, END_LABEL_PAD_MM)] * len(drawn))
        for ax, (label, refugees, asylum) in zip(axes, drawn):
            _displacement_lines(ax, label, refugees, asylum, style, translate)
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
    style: ChartStyle,
    translate: Translator,
) -> None:
    panel_title(ax, textwrap.shorten(label, 60, placeholder="…"))
    series = [
        (translate("Refugees"), _present(refugees)),
        (translate("Asylum-seekers"), _present(asylum)),
    ]
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
    label_line_ends(ax, ends, PANEL_HEIGHT_MM, style.font_size)


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
