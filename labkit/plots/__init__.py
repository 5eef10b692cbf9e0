"""Plotly figures of the workbook, one module per theme: pure functions returning ``go.Figure``.

What every figure shares is here: the French template, the colours and the base layout.
"""

from __future__ import annotations

from labkit import frenchfmt

frenchfmt.register_template()  # every figure: French separators, dates, palette

BLUE, ORANGE, GREEN, GREY, DARK, RED = (
    "#1f5fad",
    "#b34d00",
    "#18753c",
    "#666666",
    "#161616",
    "#ce0500",
)
FONT = {"family": "Marianne, Segoe UI, Arial, sans-serif", "size": 14, "color": DARK}


def base_layout(
    title: str,
    height: int,
    *,
    left: int = 70,
    bottom: int = 60,
    legend_y: float | None = None,
    **extra,
) -> dict:
    """The layout of a workbook figure: its title, height, margins (``left``, ``bottom``), a white
    background and, with ``legend_y``, a horizontal legend below the plot."""
    layout = {
        "title": {"text": title, "font": {"size": 16}},
        "height": height,
        "margin": {"l": left, "r": 30, "t": 60, "b": bottom},
        "font": FONT,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "separators": frenchfmt.SEPARATORS,  # also in the template; kept for figures exported alone
    }
    if legend_y is not None:
        layout["legend"] = {"orientation": "h", "yanchor": "top", "y": legend_y, "x": 0}
    return {**layout, **extra}


def marker(
    symbol: str, size: int, colour: str, *, line_width: int = 1, line_colour: str = DARK
) -> dict:
    """A point's marker: its shape says what it is (never its colour alone), outlined."""
    return {
        "symbol": symbol,
        "size": size,
        "color": colour,
        "line": {"width": line_width, "color": line_colour},
    }
