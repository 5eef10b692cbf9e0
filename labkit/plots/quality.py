"""Figures of module 04: quality scores, missing values, distributions, relation with the target.

Pure functions returning ``go.Figure``. Information never rests on colour alone: bars carry their
values as text, and categories are named on the axes.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from labkit import frenchfmt, messages
from labkit.plots import BLUE, DARK, GREEN, GREY, ORANGE, RED, base_layout
from labkit.prepare import leaks, profiling, quality

PALETTE = list(frenchfmt.PALETTE)


def _layout(title: str, height: int = 380, **extra) -> dict:
    return base_layout(title, height, left=160, bottom=50, **extra)


def _fr(value: float, digits: int = 0) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def scores_figure(report: quality.QualityReport) -> go.Figure:
    """One bar per quality dimension (0–100), with its value written on it."""
    labels, values, texts, colours = [], [], [], []
    for dimension in quality.DIMENSIONS:
        score = report.scores.get(dimension)
        labels.append(quality.dimension_label(dimension))
        values.append(score if score is not None else 0)
        band = (
            None if score is None else "good" if score >= 95 else "fair" if score >= 80 else "low"
        )
        # the band is written on the bar, not told by its colour alone (WCAG 1.4.1)
        texts.append(
            messages.text(
                "ui_plots.quality_score_text",
                score=_fr(score),
                band=messages.text(f"ui_plots.quality_band_{band}"),
            )
            if band
            else messages.text("quality.not_measurable")
        )
        colours.append({None: GREY, "good": GREEN, "fair": BLUE, "low": ORANGE}[band])
    figure = go.Figure(
        go.Bar(
            x=values[::-1],
            y=labels[::-1],
            orientation="h",
            text=texts[::-1],
            textposition="auto",
            marker={"color": colours[::-1]},
            hovertemplate="%{y} : %{text}<extra></extra>",
        )
    )
    title = messages.text("quality.figure_scores", score=report.score)
    figure.update_layout(
        **_layout(title, 340),
        xaxis={"range": [0, 100], "title": messages.text("ui_plots.quality_score_axis")},
    )
    return figure


def missing_figure(frame: pd.DataFrame, limit: int = 25) -> go.Figure:
    """Share of empty cells per column (columns with at least one empty cell)."""
    shares = frame.isna().mean().mul(100)
    shares = shares[shares > 0].sort_values(ascending=True).tail(limit)
    if shares.empty:
        figure = go.Figure()
        figure.update_layout(**_layout(messages.text("quality.figure_no_missing"), 200))
        return figure
    figure = go.Figure(
        go.Bar(
            x=shares.tolist(),
            y=[str(c) for c in shares.index],
            orientation="h",
            text=[f"{_fr(v, 1)} %" for v in shares],
            textposition="auto",
            marker={"color": ORANGE},
            hovertemplate=messages.text("ui_plots.quality_missing_hover"),
        )
    )
    figure.update_layout(
        **_layout(messages.text("quality.figure_missing"), 120 + 24 * len(shares)),
        xaxis={"title": "Cases vides (%)", "range": [0, 100]},
    )
    return figure


def distribution_figure(frame: pd.DataFrame, column: str, bins: int = 30) -> go.Figure:
    """A histogram for numbers and dates, the most frequent values for categories."""
    values = frame[column].dropna()
    title = messages.text("quality.figure_distribution", column=column)
    if (
        pd.api.types.is_numeric_dtype(values)
        and not pd.api.types.is_bool_dtype(values)
        or (pd.api.types.is_datetime64_any_dtype(values))
    ):
        figure = go.Figure(
            go.Histogram(
                x=values.tolist(),
                nbinsx=bins,
                marker={"color": BLUE, "line": {"color": DARK, "width": 1}},
            )
        )
        dates = frenchfmt.DATE_AXIS if pd.api.types.is_datetime64_any_dtype(values) else {}
        figure.update_layout(
            **_layout(title, 360, margin={"l": 70, "r": 30, "t": 60, "b": 60}),
            xaxis={"title": column, **dates},
            yaxis={"title": messages.text("ui_plots.quality_rows_axis")},
        )
        return figure
    counts = values.astype(str).value_counts().head(20).sort_values()
    figure = go.Figure(
        go.Bar(
            x=counts.tolist(),
            y=counts.index.tolist(),
            orientation="h",
            text=[str(v) for v in counts],
            textposition="auto",
            marker={"color": BLUE},
        )
    )
    figure.update_layout(
        **_layout(title, 120 + 24 * len(counts)),
        xaxis={"title": messages.text("ui_plots.quality_rows_axis")},
    )
    return figure


def relation_figure(frame: pd.DataFrame, column: str, target: str) -> go.Figure:
    """How ``column`` relates to the target: boxes per class, shares per category, or a cloud."""
    data = frame[[column, target]].dropna()
    title = messages.text("quality.figure_relation", column=column, target=target)
    numeric = pd.api.types.is_numeric_dtype(data[column]) and not pd.api.types.is_bool_dtype(
        data[column]
    )
    task = profiling.target_task(data[target])
    margin = {"l": 70, "r": 30, "t": 60, "b": 60}
    if task == "classification":
        classes = [str(c) for c in data[target].astype(str).value_counts().index]
        if numeric:
            traces = [
                go.Box(
                    y=data.loc[data[target].astype(str) == c, column].tolist(),
                    name=c,
                    marker={"color": PALETTE[i % len(PALETTE)]},
                    boxmean=True,
                )
                for i, c in enumerate(classes)
            ]
            figure = go.Figure(traces)
            figure.update_layout(
                **_layout(title, 380, margin=margin),
                showlegend=False,
                xaxis={"title": target},
                yaxis={"title": column},
            )
            return figure
        top = data[column].astype(str).value_counts().head(15).index
        subset = data[data[column].astype(str).isin(top)]
        table = (
            pd.crosstab(subset[column].astype(str), subset[target].astype(str), normalize="index")
            * 100
        )
        traces = [
            go.Bar(
                y=table.index.tolist(),
                x=table[c].tolist(),
                name=f"{target} = {c}",
                orientation="h",
                text=[f"{_fr(v)} %" for v in table[c]],
                textposition="inside",
                marker={
                    "color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": ["", "/", ".", "x", "-"][i % 5]},
                },
            )
            for i, c in enumerate(table.columns)
        ]
        figure = go.Figure(traces)
        figure.update_layout(
            **_layout(title, 140 + 26 * len(table)),
            barmode="stack",
            xaxis={"title": messages.text("ui_plots.quality_share_axis"), "range": [0, 100]},
            legend={"orientation": "h", "y": -0.2},
        )
        return figure
    if numeric:
        sample = data.sample(min(len(data), 3000), random_state=0)
        figure = go.Figure(
            go.Scattergl(
                x=sample[column].tolist(),
                y=sample[target].tolist(),
                mode="markers",
                marker={"color": BLUE, "size": 6, "opacity": 0.6},
            )
        )
        figure.update_layout(
            **_layout(title, 380, margin=margin), xaxis={"title": column}, yaxis={"title": target}
        )
        return figure
    top = data[column].astype(str).value_counts().head(15).index
    traces = [
        go.Box(
            x=data.loc[data[column].astype(str) == c, target].tolist(),
            name=c,
            marker={"color": BLUE},
        )
        for c in top
    ]
    figure = go.Figure(traces)
    figure.update_layout(
        **_layout(title, 140 + 30 * len(top)), showlegend=False, xaxis={"title": target}
    )
    return figure


def associations_figure(frame: pd.DataFrame, target: str, limit: int = 20) -> go.Figure:
    """How much each column alone tells about the target (0 = nothing, 100 = everything)."""
    scores = leaks.associations(frame, target)
    items = sorted(scores.items(), key=lambda item: item[1])[-limit:]
    figure = go.Figure(
        go.Bar(
            x=[100 * v for _, v in items],
            y=[c for c, _ in items],
            orientation="h",
            text=[_fr(100 * v) for _, v in items],
            textposition="auto",
            marker={"color": [RED if v >= 0.95 else BLUE for _, v in items]},
            hovertemplate="%{y} : %{text} / 100<extra></extra>",
        )
    )
    figure.update_layout(
        **_layout(
            messages.text("quality.figure_associations", target=target), 140 + 24 * len(items)
        ),
        xaxis={"title": messages.text("quality.figure_associations_axis"), "range": [0, 100]},
    )
    return figure
