"""Figures of module 06: the cost of errors along the decision threshold, and the contributions
behind one prediction.

Pure functions returning ``go.Figure``. Information never rests on colour alone: the best and the
chosen thresholds are named in the legend and written on the figure; each contribution bar has its
value written and its direction in words.
"""

from __future__ import annotations

import plotly.graph_objects as go

from labkit import messages
from labkit.model.display import number, points
from labkit.plots import BLUE, DARK, GREEN, ORANGE, base_layout
from labkit.use.threshold import ThresholdAnalysis
from labkit.use.whatif import CaseResult


def _t(key: str, **fields) -> str:
    return messages.text(f"report.{key}", **fields)


def _layout(title: str, height: int = 420, **extra) -> dict:
    return base_layout(title, height, legend_y=-0.22, **extra)


def cost_figure(analysis: ThresholdAnalysis, chosen: float | None = None) -> go.Figure:
    """Total cost of the errors for each threshold (solid line), false positives and false
    negatives counted (dotted and dashed lines, right axis), the cheapest threshold marked with a
    diamond and the chosen one with a vertical line."""
    table = analysis.table
    best = analysis.best_counts
    traces = [
        go.Scatter(
            x=table["threshold"].tolist(),
            y=table["cost"].tolist(),
            mode="lines",
            line={"color": BLUE, "width": 3},
            name=_t("cost_chart_y"),
            hovertemplate=messages.text("ui_plots.usecase_cost_hover"),
        ),
        *(  # the errors counted, on the right axis
            go.Scatter(
                x=table["threshold"].tolist(),
                y=table[kind].tolist(),
                mode="lines",
                line={"color": colour, "width": 2, "dash": dash},
                name=messages.text(f"usecase.plot_{kind}"),
                yaxis="y2",
            )
            for kind, colour, dash in (("fp", ORANGE, "dot"), ("fn", GREEN, "dash"))
        ),
        go.Scatter(
            x=[analysis.best],
            y=[best["cost"]],
            mode="markers+text",
            marker={"color": DARK, "size": 14, "symbol": "diamond"},
            text=[messages.text("usecase.plot_best", threshold=number(analysis.best, 2))],
            textposition="top center",
            name=messages.text("usecase.plot_best", threshold=number(analysis.best, 2)),
        ),
    ]
    shapes, annotations = [], []
    if chosen is not None:
        shapes.append(
            {
                "type": "line",
                "x0": chosen,
                "x1": chosen,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": DARK, "width": 2, "dash": "dashdot"},
            }
        )
        annotations.append(
            {
                "x": chosen,
                "y": 1,
                "yref": "paper",
                "text": messages.text("usecase.plot_chosen", threshold=number(chosen, 2)),
                "showarrow": False,
                "yanchor": "bottom",
                "bgcolor": "#ffffff",
            }
        )
    return go.Figure(
        data=traces,
        layout=_layout(
            _t("cost_chart_title"),
            height=460,
            xaxis={"title": _t("cost_chart_x"), "range": [0, 1], "gridcolor": "#e5e5e5"},
            yaxis={"title": _t("cost_chart_y"), "gridcolor": "#e5e5e5", "rangemode": "tozero"},
            yaxis2={
                "title": messages.text("usecase.plot_errors_axis"),
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
                "tickformat": "d",
            },
            shapes=shapes,
            annotations=annotations,
            margin={"l": 70, "r": 70, "t": 70, "b": 60},
        ),
    )


def contributions_figure(result: CaseResult, top: int = 10) -> go.Figure:
    """How each column moves this prediction (compared with a typical case): bars to the right
    push towards the announced class (or up), bars to the left away from it (or down)."""
    shown = [c for c in result.contributions if abs(c.effect) >= 1e-9][:top]
    shown = shown[::-1]  # plotly draws the first bar at the bottom
    classification = result.probabilities is not None or result.confidence is not None
    scale = 100 if classification else 1
    values = [c.effect * scale for c in shown]
    labels = [f"{c.column} = {c.value}" for c in shown]
    texts = [
        points(c.effect, signed=True)
        if classification
        else f"{'+' if c.effect >= 0 else '−'}{number(abs(c.effect), 3)}"
        for c in shown
    ]
    if classification and result.focus is not None:
        axis = messages.text("usecase.plot_contrib_axis_class", label=str(result.focus))
    else:
        axis = messages.text("usecase.plot_contrib_axis_value")
    bars = go.Bar(
        x=values,
        y=labels,
        orientation="h",
        # the direction is also in the signed value written on each bar and in its side of zero
        marker={"color": [BLUE if v >= 0 else ORANGE for v in values]},
        insidetextfont={"color": "#ffffff"},
        text=texts,
        textposition="auto",
        insidetextanchor="middle",
        name=axis,
    )
    figure = go.Figure(
        data=[bars],
        layout=_layout(
            messages.text("usecase.plot_contrib_title"),
            height=140 + 36 * max(len(shown), 1),
            xaxis={"title": axis, "gridcolor": "#e5e5e5", "zeroline": True},
            showlegend=False,
            margin={"l": 260, "r": 60, "t": 60, "b": 60},
        ),
    )
    if not shown:
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
        figure.add_annotation(
            text=messages.text("usecase.case_no_effect"),
            showarrow=False,
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
    return figure
