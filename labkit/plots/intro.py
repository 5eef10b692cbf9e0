"""Figures of module 01: the decision boundary of the classification toy, the curve of the regression
toy, the errors, and the hand rule against the learnt tree.

Each function returns a new ``go.Figure`` whose traces always come in the same order and number, so
that the widget layer can copy them into a ``FigureWidget`` already on screen (update in place, no
rebuild). Information is never carried by colour alone: classes also differ by marker shape, and
bars carry their values as text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from labkit import messages
from labkit.course import toys
from labkit.plots import BLUE, DARK, GREY, ORANGE, base_layout, marker

BOUNDARY_SCALE = [[0.0, "#a9c8ee"], [0.5, "#f2f2f2"], [1.0, "#f5bd8f"]]


def _layout(title: str, height: int = 460, **extra) -> dict:
    return base_layout(title, height, legend_y=-0.18, **extra)


def _split(points: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return points[points[target] == 1], points[points[target] == 0]


# --------------------------------------------------------------------------- classification
def zone_centre(inside: np.ndarray) -> tuple[int, int] | None:
    """The cell (row, column) deepest inside a zone of a grid (``inside``: booleans): the zone is
    worn away one cell at a time from its edges and the grid's; the middle of what lasts longest
    is where a label fits. None when the zone is empty."""
    zone = np.asarray(inside, dtype=bool)
    if not zone.any():
        return None
    while True:
        worn = np.zeros_like(zone)
        worn[1:-1, 1:-1] = (
            zone[1:-1, 1:-1] & zone[:-2, 1:-1] & zone[2:, 1:-1] & zone[1:-1, :-2] & zone[1:-1, 2:]
        )
        if not worn.any():
            break
        zone = worn
    rows, columns = np.nonzero(zone)
    middle = len(rows) // 2
    order = np.lexsort((columns, rows))
    return int(rows[order[middle]]), int(columns[order[middle]])


def zone_labels(grid: toys.Grid) -> list[dict]:
    """Annotations naming the two zones of the probability map in words, so that the map is not
    read by its colour alone (WCAG 1.4.1)."""
    z = np.asarray(grid.z, dtype=float)
    labels = []
    for inside, key in ((z >= 0.5, "intro.zone_leak"), (z < 0.5, "intro.zone_no_leak")):
        centre = zone_centre(inside)
        if centre is None:
            continue
        row, column = centre
        labels.append(
            {
                "x": grid.x[column],
                "y": grid.y[row],
                "text": messages.text(key),
                "showarrow": False,
                "font": {"color": DARK, "size": 13},
                "bgcolor": "rgba(255,255,255,0.85)",
                "bordercolor": DARK,
                "borderwidth": 1,
                "borderpad": 3,
            }
        )
    return labels


def boundary_figure(
    train: pd.DataFrame,
    new_points: pd.DataFrame,
    result: toys.ClassificationResult,
    show_new: bool = True,
) -> go.Figure:
    """Six traces: probability map, frontier line, learnt leaks / non-leaks, new leaks / non-leaks."""
    leak, calm = _split(train, toys.LEAK_TARGET)
    new_leak, new_calm = _split(new_points, toys.LEAK_TARGET)
    hover = (
        messages.text("intro.axis_age")
        + " : %{x}<br>"
        + messages.text("intro.axis_pressure")
        + " : %{y}<extra>%{fullData.name}</extra>"
    )

    def markers(frame, name, symbol, colour, size, visible=True, line_colour=DARK):
        return go.Scatter(
            x=frame["age"].tolist(),
            y=frame["pression"].tolist(),
            mode="markers",
            name=name,
            visible=visible,
            marker=marker(symbol, size, colour, line_colour=line_colour),
            hovertemplate=hover,
        )

    grid = result.grid
    data = [
        go.Heatmap(
            x=grid.x,
            y=grid.y,
            z=grid.z,
            zmin=0,
            zmax=1,
            colorscale=BOUNDARY_SCALE,
            colorbar={"title": {"text": messages.text("intro.colorbar_title")}, "len": 0.8},
            hoverinfo="skip",
            name=messages.text("intro.colorbar_title"),
        ),
        go.Contour(
            x=grid.x,
            y=grid.y,
            z=grid.z,
            contours={"start": 0.5, "end": 0.5, "size": 1, "coloring": "lines"},
            line={"width": 3, "color": DARK},
            colorscale=[[0, DARK], [1, DARK]],
            showscale=False,
            hoverinfo="skip",
            name=messages.text("ui_plots.intro_boundary"),
            showlegend=False,
        ),
        markers(leak, messages.text("intro.legend_leak"), "triangle-up", ORANGE, 11),
        markers(calm, messages.text("intro.legend_no_leak"), "circle", BLUE, 9),
        markers(
            new_leak,
            messages.text("intro.legend_new_leak"),
            "triangle-up-open",
            ORANGE,
            8,
            show_new,
            ORANGE,
        ),
        markers(
            new_calm,
            messages.text("intro.legend_new_no_leak"),
            "circle-open",
            BLUE,
            7,
            show_new,
            BLUE,
        ),
    ]
    layout = _layout(
        messages.text("intro.boundary_title", k=result.neighbours),
        height=520,
        annotations=zone_labels(grid),
        xaxis={"title": {"text": messages.text("intro.axis_age")}, "range": list(toys.AGE_RANGE)},
        yaxis={
            "title": {"text": messages.text("intro.axis_pressure")},
            "range": list(toys.PRESSURE_RANGE),
        },
    )
    return go.Figure(data=data, layout=layout)


def errors_figure(train_error: float, new_error: float, title_key: str = "intro.errors_title"):
    """Two bars: the share of errors on the learnt examples and on new points (values as text)."""
    labels = [messages.text("intro.error_on_train"), messages.text("intro.error_on_new")]
    values = [train_error, new_error]
    data = [
        go.Bar(
            x=labels,
            y=values,
            text=[toys.percent(v) for v in values],
            textposition="outside",
            marker={"color": [GREY, ORANGE]},
            hovertemplate="%{x} : %{text}<extra></extra>",
            name=messages.text("intro.errors_axis"),
        )
    ]
    layout = _layout(
        messages.text(title_key),
        height=360,
        showlegend=False,
        yaxis={
            "title": {"text": messages.text("intro.errors_axis")},
            "range": [0, 0.6],
            "tickformat": ".0%",
        },
    )
    return go.Figure(data=data, layout=layout)


def error_curve_figure(curve: pd.DataFrame, level: int) -> go.Figure:
    """The two errors for every complexity level; a dashed line marks the current level."""
    ticks = [f"k = {k}" for k in curve["voisins"]]
    data = [
        go.Scatter(
            x=curve["niveau"].tolist(),
            y=curve["erreur_apprentissage"].tolist(),
            mode="lines+markers",
            name=messages.text("intro.error_on_train"),
            line={"color": GREY, "dash": "dot"},
            marker={"symbol": "square"},
            hovertemplate="%{y:.0%}<extra>%{fullData.name}</extra>",
        ),
        go.Scatter(
            x=curve["niveau"].tolist(),
            y=curve["erreur_nouveaux"].tolist(),
            mode="lines+markers",
            name=messages.text("intro.error_on_new"),
            line={"color": ORANGE},
            marker={"symbol": "diamond"},
            hovertemplate="%{y:.0%}<extra>%{fullData.name}</extra>",
        ),
    ]
    layout = _layout(
        messages.text("intro.curve_title"),
        height=360,
        xaxis={
            "title": {"text": messages.text("intro.curve_axis")},
            "tickmode": "array",
            "tickvals": curve["niveau"].tolist(),
            "ticktext": ticks,
        },
        yaxis={
            "title": {"text": messages.text("intro.errors_axis")},
            "range": [0, 0.6],
            "tickformat": ".0%",
        },
        shapes=[_marker_line(level)],
    )
    return go.Figure(data=data, layout=layout)


def _marker_line(x: float) -> dict:
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "line": {"color": DARK, "width": 2, "dash": "dash"},
    }


# ------------------------------------------------------------------------------- regression
def regression_figure(
    train: pd.DataFrame,
    new_days: pd.DataFrame,
    result: toys.RegressionResult,
    show_new: bool = True,
) -> go.Figure:
    """Three traces: the days learnt, the new days, the model's curve."""
    hover = (
        messages.text("intro.axis_temperature")
        + " : %{x}<br>"
        + messages.text("intro.axis_entries")
        + " : %{y:.0f}<extra>%{fullData.name}</extra>"
    )
    data = [
        go.Scatter(
            x=train["temperature"].tolist(),
            y=train["entrees"].tolist(),
            mode="markers",
            name=messages.text("intro.legend_days"),
            marker=marker("circle", 11, BLUE),
            hovertemplate=hover,
        ),
        go.Scatter(
            x=new_days["temperature"].tolist(),
            y=new_days["entrees"].tolist(),
            mode="markers",
            name=messages.text("intro.legend_new_days"),
            visible=show_new,
            marker=marker("x-thin-open", 8, ORANGE, line_width=2, line_colour=ORANGE),
            hovertemplate=hover,
        ),
        go.Scatter(
            x=result.curve_x,
            y=result.curve_y,
            mode="lines",
            name=messages.text("intro.legend_curve"),
            line={"color": DARK, "width": 3},
            hoverinfo="skip",
        ),
    ]
    layout = _layout(
        messages.text("intro.regression_plot_title", degree=result.degree),
        height=460,
        xaxis={
            "title": {"text": messages.text("intro.axis_temperature")},
            "range": list(toys.TEMPERATURE_RANGE),
        },
        yaxis={"title": {"text": messages.text("intro.axis_entries")}, "range": [-50, 1500]},
    )
    return go.Figure(data=data, layout=layout)


def regression_errors_figure(result: toys.RegressionResult) -> go.Figure:
    """Two bars: mean error (entries per day) on the days learnt and on new days."""
    labels = [messages.text("intro.error_on_train"), messages.text("intro.error_on_new")]
    values = [round(result.train_error), round(result.new_error)]
    data = [
        go.Bar(
            x=labels,
            y=values,
            text=[f"{v:,d}".replace(",", "\u202f") for v in values],
            textposition="outside",
            marker={"color": [GREY, ORANGE]},
            hovertemplate="%{x} : %{text}<extra></extra>",
            name=messages.text("intro.mae_axis"),
        )
    ]
    top = max(400, 1.2 * max(values))
    layout = _layout(
        messages.text("intro.errors_title"),
        height=360,
        showlegend=False,
        yaxis={"title": {"text": messages.text("intro.mae_axis")}, "range": [0, top]},
    )
    return go.Figure(data=data, layout=layout)


# -------------------------------------------------------------------------- rule or learnt?
ROW_OF = {toys.WEEKDAY: 0.0, toys.WEEKEND: 1.0}


def _jitter(days: pd.DataFrame) -> list[float]:
    """A fixed vertical spread of each day around its row (deterministic, from the day number)."""
    base = days["type_jour"].map(ROW_OF).to_numpy(dtype=float)
    spread = ((days["jour"].to_numpy() * 37) % 17) / 17.0 - 0.5
    return (base + 0.6 * spread).round(3).tolist()


def rule_figure(days: pd.DataFrame, rule: toys.HandRule) -> go.Figure:
    """Four traces: crowded days, calm days, the weekday threshold, the weekend threshold."""
    crowded, calm = _split(days, toys.POOL_TARGET)
    rain = messages.text("intro.legend_rain")

    def day_text(frame: pd.DataFrame) -> list[str]:
        return [
            messages.text(
                "ui_plots.intro_day_hover",
                day=d,
                temperature=f"{t:.1f}".replace(".", ","),
                kind=kind,
                rain=" " + rain if r else "",
            )
            for d, t, kind, r in zip(
                frame["jour"], frame["temperature"], frame["type_jour"], frame["pluie"], strict=True
            )
        ]

    def threshold(value: float, row: float, name: str, show_legend: bool) -> go.Scatter:
        return go.Scatter(
            x=[value, value],
            y=[row - 0.45, row + 0.45],
            mode="lines",
            name=name,
            showlegend=show_legend,
            legendgroup="seuil",
            line={"color": DARK, "width": 3, "dash": "dash"},
            hovertemplate=f"{name} : %{{x}} °C<extra></extra>",
        )

    def days_trace(frame: pd.DataFrame, name: str, shown: dict) -> go.Scatter:
        return go.Scatter(
            x=frame["temperature"].tolist(),
            y=_jitter(frame),
            mode="markers",
            name=name,
            text=day_text(frame),
            hovertemplate="%{text}<extra>%{fullData.name}</extra>",
            marker=shown,
        )

    data = [
        days_trace(
            crowded, messages.text("intro.legend_crowded"), marker("triangle-up", 11, ORANGE)
        ),
        days_trace(
            calm,
            messages.text("intro.legend_calm"),
            marker("circle-open", 9, BLUE, line_width=2, line_colour=BLUE),
        ),
        threshold(rule.weekday, 0.0, messages.text("intro.rule_weekday_label"), True),
        threshold(rule.weekend, 1.0, messages.text("intro.rule_weekend_label"), True),
    ]
    layout = _layout(
        messages.text("intro.rule_plot_title"),
        height=420,
        xaxis={
            "title": {"text": messages.text("intro.axis_temperature")},
            "range": [min(14.0, float(days["temperature"].min()) - 1), 36.0],
        },
        yaxis={
            "tickmode": "array",
            "tickvals": [0, 1],
            "ticktext": [
                messages.text("ui_plots.intro_weekday"),
                messages.text("ui_plots.intro_weekend"),
            ],
            "range": [-0.6, 1.6],
        },
    )
    return go.Figure(data=data, layout=layout)


def rule_errors_figure(comparison: toys.RuleComparison) -> go.Figure:
    """Stacked bars on the new summer: false alarms and missed crowds, for the rule and the tree."""
    who = [messages.text("intro.bar_rule"), messages.text("intro.bar_tree")]
    false_alarms = [comparison.rule_new.false_alarms, comparison.tree_new.false_alarms]
    missed = [comparison.rule_new.missed, comparison.tree_new.missed]
    data = [
        go.Bar(
            x=who,
            y=false_alarms,
            name=messages.text("intro.col_false_alarms"),
            text=false_alarms,
            textposition="inside",
            marker={"color": "#8fb3e0", "pattern": {"shape": "/"}},
            hovertemplate="%{x} : %{y}<extra>%{fullData.name}</extra>",
        ),
        go.Bar(
            x=who,
            y=missed,
            name=messages.text("intro.col_missed"),
            text=missed,
            textposition="inside",
            marker={"color": "#f0b27a", "pattern": {"shape": "."}},
            hovertemplate="%{x} : %{y}<extra>%{fullData.name}</extra>",
        ),
    ]
    top = max(10, 1.15 * max(comparison.rule_new.total, comparison.tree_new.total))
    layout = _layout(
        messages.text("intro.errors_compare_title"),
        height=360,
        barmode="stack",
        yaxis={"title": {"text": messages.text("intro.errors_compare_axis")}, "range": [0, top]},
    )
    return go.Figure(data=data, layout=layout)
