"""Number formatting for printed figures (English conventions for now)."""

from __future__ import annotations


def format_count(value: float) -> str:
    """Return a whole number with thousands separators: ``281,867``."""
    return f"{round(value):,}"


def format_percent(value: float) -> str:
    """Return a percentage with one decimal, two below 1% so small shares stay visible."""
    if 0 < abs(value) < 1:
        return f"{value:.2f}%"
    return f"{value:.1f}%"


def format_usd(value: float) -> str:
    """Return a US dollar amount in millions or billions: ``US$ 3.27 billion``."""
    if value >= 1e9:
        return f"US$ {value / 1e9:,.2f} billion"
    if value >= 1e6:
        return f"US$ {value / 1e6:,.1f} million"
    return f"US$ {round(value):,}"


def format_compact(value: float) -> str:
    """Return a count in words for prose: ``2.8 million``, ``741,357``."""
    if value >= 1e9:
        return f"{value / 1e9:.1f} billion"
    if value >= 1e6:
        return f"{value / 1e6:.1f} million"
    return format_count(value)
