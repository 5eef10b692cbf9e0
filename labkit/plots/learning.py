"""Figures of module 05: the comparison of models, the confusion matrix, predicted against actual
values, the complexity and learning curves, the importance of columns and the gaps between groups.

Pure functions returning ``go.Figure``. Information never rests on colour alone: values are written
on bars and cells, the best model and the baseline are named, small groups are labelled.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from labkit import messages
from labkit.model.catalogue import metric_label
from labkit.model.curves import Curve
from labkit.model.display import format_score, format_value, number, percent
from labkit.model.fairness import RATE_METRICS, FairnessAudit
from labkit.model.learning import ClassificationResult, Comparison, RegressionResult
from labkit.plots import BLUE, DARK, GREEN, GREY, ORANGE, base_layout

CONFUSION_SCALE = [[0.0, "#f4f6fb"], [1.0, "#1f5fad"]]


def _t(key: str, **fields) -> str:
    return messages.text(f"learning.{key}", **fields)


def _layout(title: str, height: int = 420, **extra) -> dict:
    return base_layout(title, height, legend_y=-0.2, **extra)


# ---------------------------------------------------------------------------- comparison
def comparison_figure(comparison: Comparison) -> go.Figure:
    """Horizontal bars (mean cross-validation score, error bar = standard deviation), best model
    on top, the baseline as a dashed line with its score written."""
    ranked = comparison.ranked()[::-1]  # plotly draws the first bar at the bottom
    best = comparison.best().key
    metric = comparison.metric
    names = [m.name + (f" ({_t('plot_compare_best')})" if m.key == best else "") for m in ranked]
    bars = go.Bar(
        x=[m.score for m in ranked],
        y=names,
        orientation="h",
        error_x={"type": "data", "array": [m.std for m in ranked], "color": DARK},
        marker={"color": [GREEN if m.key == best else BLUE for m in ranked]},
        text=[format_score(m.score, metric) for m in ranked],
        textposition="inside",
        insidetextanchor="start",
        textfont={"color": "#ffffff"},
        hovertemplate=_t("plot_compare_hover"),
        name=comparison.metric_label,
    )
    baseline = comparison.baseline.score
    low = min([baseline, *[m.score - m.std for m in ranked], 0.0])
    high = max([baseline, *[m.score + m.std for m in ranked]])
    figure = go.Figure(
        data=[bars],
        layout=_layout(
            _t("plot_compare_title", metric=comparison.metric_label),
            height=120 + 48 * len(ranked),
            xaxis={
                "title": _t("plot_score_axis", metric=comparison.metric_label),
                "range": [low, high + 0.05 * (high - low + 1e-9)],
                "gridcolor": "#e5e5e5",
            },
            showlegend=False,
            margin={"l": 230, "r": 30, "t": 60, "b": 60},
        ),
    )
    figure.add_vline(
        x=baseline,
        line={"dash": "dash", "color": ORANGE, "width": 2},
        annotation_text=_t("plot_compare_baseline", score=format_score(baseline, metric)),
        annotation_position="top",
        annotation_font={"color": ORANGE},
    )
    return figure


# ---------------------------------------------------------------------------- classification
def confusion_figure(result: ClassificationResult, selected: tuple | None = None) -> go.Figure:
    """Counts per (true value, predicted value), written in every cell. ``selected`` (actual,
    predicted) is outlined."""
    labels = [format_value(v) for v in result.labels]
    z = result.matrix
    text = [
        [
            f"{z[i, j]}<br>{_t('cell_right') if i == j else _t('cell_wrong')}"
            for j in range(len(labels))
        ]
        for i in range(len(labels))
    ]
    heat = go.Heatmap(
        x=labels,
        y=labels,
        z=z.tolist(),
        colorscale=CONFUSION_SCALE,
        showscale=False,
        hovertemplate=_t("plot_confusion_hover"),
        xgap=2,
        ygap=2,
    )
    peak = max(int(z.max()), 1)
    annotations = [  # dark text on light cells, white text on dark ones
        {
            "x": labels[j],
            "y": labels[i],
            "text": text[i][j],
            "showarrow": False,
            "font": {"color": "#ffffff" if z[i, j] / peak > 0.55 else DARK},
        }
        for i in range(len(labels))
        for j in range(len(labels))
    ]
    size = max(320, 90 * len(labels) + 160)
    figure = go.Figure(
        data=[heat],
        layout=_layout(
            _t("plot_confusion_title"),
            height=size,
            xaxis={"title": _t("plot_confusion_x"), "side": "bottom", "type": "category"},
            yaxis={"title": _t("plot_confusion_y"), "autorange": "reversed", "type": "category"},
            annotations=annotations,
        ),
    )
    if selected is not None:
        actual, predicted = (format_value(v) for v in selected)
        if actual in labels and predicted in labels:
            i, j = labels.index(actual), labels.index(predicted)
            figure.add_shape(
                type="rect",
                x0=j - 0.5,
                x1=j + 0.5,
                y0=i - 0.5,
                y1=i + 0.5,
                line={"color": ORANGE, "width": 4},
            )
    return figure


# ---------------------------------------------------------------------------- regression
def predicted_actual_figure(result: RegressionResult, target: str) -> go.Figure:
    actual, predicted = result.actual.to_numpy(float), result.predicted.to_numpy(float)
    low = float(np.nanmin([actual.min(), predicted.min()]))
    high = float(np.nanmax([actual.max(), predicted.max()]))
    return go.Figure(
        data=[
            go.Scatter(
                x=actual.tolist(),
                y=predicted.tolist(),
                mode="markers",
                name=_t("plot_predicted_points"),
                marker={
                    "color": BLUE,
                    "size": 8,
                    "opacity": 0.75,
                    "line": {"width": 1, "color": DARK},
                },
                customdata=[str(i) for i in result.actual.index],
                hovertemplate=messages.text("ui_plots.learning_predicted_hover"),
            ),
            go.Scatter(
                x=[low, high],
                y=[low, high],
                mode="lines",
                name=_t("plot_predicted_diagonal"),
                line={"color": ORANGE, "dash": "dash"},
            ),
        ],
        layout=_layout(
            _t("plot_predicted_title"),
            height=460,
            xaxis={"title": _t("plot_predicted_x", target=target), "gridcolor": "#e5e5e5"},
            yaxis={"title": _t("plot_predicted_y"), "gridcolor": "#e5e5e5"},
        ),
    )


# ---------------------------------------------------------------------------- curves
def _band(x, mean, std, colour: str, name: str, dash: str | None = None) -> list[go.Scatter]:
    mean, std = np.asarray(mean), np.asarray(std)
    fill = colour + "22"
    return [
        go.Scatter(
            x=list(x) + list(x)[::-1],
            y=(mean + std).tolist() + (mean - std).tolist()[::-1],
            mode="lines",
            fill="toself",
            fillcolor=fill,
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        ),
        go.Scatter(
            x=list(x),
            y=mean.tolist(),
            mode="lines+markers",
            name=name,
            line={"color": colour, "width": 3, "dash": dash},
            marker={"symbol": "circle" if dash is None else "square", "size": 8},
        ),
    ]


def _shown(value) -> str:
    if value is None:
        return "sans limite"
    if isinstance(value, float):
        return number(value, 3)
    return str(value)


def curve_figure(curve: Curve, current_index: int | None = None) -> go.Figure:
    """Train and validation scores along the complexity setting (x = position, labelled with the
    setting's values from simple to complex). Always 5 traces (2 bands, 2 lines, 1 marker)."""
    x = list(range(len(curve.values)))
    index = curve.best_index() if current_index is None else int(current_index)
    index = min(max(index, 0), len(x) - 1)
    traces = [
        *_band(x, curve.train, curve.train_std, ORANGE, _t("plot_curve_train"), dash="dot"),
        *_band(x, curve.test, curve.test_std, BLUE, _t("plot_curve_test")),
        go.Scatter(
            x=[index, index],
            y=[curve.train[index], curve.test[index]],
            mode="markers+text",
            name=_t("plot_curve_current"),
            marker={"symbol": "diamond", "size": 14, "color": DARK},
            text=[
                format_score(curve.train[index], curve.metric),
                format_score(curve.test[index], curve.metric),
            ],
            textposition="middle right",
        ),
    ]
    low = min(
        min(np.subtract(curve.test, curve.test_std)),
        min(curve.train),
        0.0 if curve.metric == "accuracy" else -0.2,
    )
    return go.Figure(
        data=traces,
        layout=_layout(
            _t("plot_curve_title", label=curve.label),
            height=440,
            xaxis={
                "title": curve.label,
                "tickmode": "array",
                "tickvals": x,
                "ticktext": [_shown(v) for v in curve.values],
                "gridcolor": "#e5e5e5",
            },
            yaxis={
                "title": _t("plot_score_axis", metric=metric_label(curve.metric)),
                "range": [max(low, -1.0), 1.02],
                "gridcolor": "#e5e5e5",
            },
        ),
    )


def learning_curve_figure(curve: Curve) -> go.Figure:
    traces = [
        *_band(
            curve.values, curve.train, curve.train_std, ORANGE, _t("plot_curve_train"), dash="dot"
        ),
        *_band(curve.values, curve.test, curve.test_std, BLUE, _t("plot_curve_test")),
    ]
    low = min(
        min(np.subtract(curve.test, curve.test_std)), 0.0 if curve.metric == "accuracy" else -0.2
    )
    return go.Figure(
        data=traces,
        layout=_layout(
            _t("plot_learning_title"),
            height=420,
            xaxis={"title": _t("plot_learning_x"), "gridcolor": "#e5e5e5"},
            yaxis={
                "title": _t("plot_score_axis", metric=metric_label(curve.metric)),
                "range": [max(low, -1.0), 1.02],
                "gridcolor": "#e5e5e5",
            },
        ),
    )


# ---------------------------------------------------------------------------- explanations
def importance_figure(table, metric: str, top: int = 12) -> go.Figure:
    shown = table.head(top).iloc[::-1]
    scale = 100 if metric == "accuracy" else 1
    values = (shown["importance"] * scale).tolist()
    errors = (shown["std"] * scale).tolist()
    axis = _t("plot_importance_x") + (" (points)" if metric == "accuracy" else "")
    return go.Figure(
        data=[
            go.Bar(
                x=values,
                y=shown["column"].tolist(),
                orientation="h",
                error_x={"type": "data", "array": errors, "color": DARK},
                marker={"color": BLUE},
                text=[number(v, 2) for v in values],
                textposition="outside",
                name=axis,
            )
        ],
        layout=_layout(
            _t("plot_importance_title"),
            height=120 + 34 * len(shown),
            xaxis={"title": axis, "gridcolor": "#e5e5e5"},
            showlegend=False,
            margin={"l": 200, "r": 40, "t": 60, "b": 60},
        ),
    )


def gaps_figure(audit: FairnessAudit, metric: str | None = None) -> go.Figure:
    """One metric per group (bars with their value written); small groups labelled."""
    metric = metric or ("error" if "error" in audit.metrics else next(iter(audit.metrics)))
    by_group = audit.by_group
    values = by_group[metric].astype(float)
    rate = metric in RATE_METRICS
    small = set(audit.small_groups)
    labels = [
        str(g) + (f" ({_t('plot_gaps_small')})" if str(g) in small else "") for g in by_group.index
    ]
    texts = [("—" if np.isnan(v) else (percent(v) if rate else number(v, 3))) for v in values]
    label = audit.metrics[metric]
    return go.Figure(
        data=[
            go.Bar(
                x=labels,
                y=[None if np.isnan(v) else (100 * v if rate else v) for v in values],
                text=texts,
                textposition="outside",
                marker={
                    "color": [GREY if str(g) in small else BLUE for g in by_group.index],
                    "pattern": {"shape": ["/" if str(g) in small else "" for g in by_group.index]},
                },
                name=label,
            )
        ],
        layout=_layout(
            _t("plot_gaps_title", metric=label, column=audit.column),
            height=420,
            yaxis={"title": label + (" (%)" if rate else ""), "gridcolor": "#e5e5e5"},
            xaxis={"title": audit.column, "type": "category"},
            showlegend=False,
        ),
    )
