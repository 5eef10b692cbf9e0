"""Figures of module 03: the distribution of the chosen target, the types of the columns.

Pure functions returning ``go.Figure``. Bars carry their values as text (information never rests
on colour alone) and axes are titled in French.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import plotly.graph_objects as go

from labkit import messages
from labkit.data.labels import type_label
from labkit.plots import BLUE, DARK, ORANGE, base_layout

MAX_BARS = 15


def _layout(title: str, height: int = 360, **extra) -> dict:
    return base_layout(title, height, left=60, **extra)


def _fr(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u202f")


def target_figure(values: pd.Series, name: str, task: str) -> go.Figure:
    """Bars of the classes (classification) or a histogram (regression) of the target."""
    present = values.dropna()
    missing = int(values.isna().sum())
    note = messages.text("donnees.plot_missing", count=missing) if missing else ""
    if task == "regression" and pd.api.types.is_numeric_dtype(present):
        figure = go.Figure(
            go.Histogram(
                x=present, nbinsx=30, marker={"color": BLUE, "line": {"color": DARK, "width": 1}}
            )
        )
        figure.update_layout(
            **_layout(messages.text("donnees.plot_target_regression", name=name) + note),
            xaxis={"title": {"text": name}},
            yaxis={"title": {"text": messages.text("donnees.plot_rows")}},
            bargap=0.05,
        )
        return figure
    counts = present.astype(str).value_counts()
    if len(counts) > MAX_BARS:
        others = counts.iloc[MAX_BARS:].sum()
        counts = pd.concat(
            [counts.iloc[:MAX_BARS], pd.Series({messages.text("donnees.plot_others"): others})]
        )
    total = max(int(counts.sum()), 1)
    texts = [f"{_fr(c)} ({100 * c / total:.0f} %)".replace(".", ",") for c in counts.to_numpy()]
    figure = go.Figure(
        go.Bar(
            x=[str(i) for i in counts.index],
            y=counts.to_numpy(),
            text=texts,
            textposition="outside",
            marker={"color": BLUE, "line": {"color": DARK, "width": 1}},
            cliponaxis=False,
        )
    )
    figure.update_layout(
        **_layout(messages.text("donnees.plot_target_classes", name=name) + note),
        xaxis={"title": {"text": name}, "type": "category"},
        yaxis={"title": {"text": messages.text("donnees.plot_rows")}},
    )
    return figure


def types_figure(types: dict[str, str]) -> go.Figure:
    """How many columns of each type the reader found."""
    counts = Counter(types.values())
    labels = [type_label(t) for t in counts]
    figure = go.Figure(
        go.Bar(
            x=list(counts.values()),
            y=labels,
            orientation="h",
            text=[str(v) for v in counts.values()],
            textposition="outside",
            marker={"color": ORANGE, "line": {"color": DARK, "width": 1}},
            cliponaxis=False,
        )
    )
    figure.update_layout(
        **_layout(messages.text("donnees.plot_types"), height=80 + 40 * max(len(counts), 1)),
        xaxis={"title": {"text": messages.text("donnees.plot_columns")}},
    )
    figure.update_layout(margin={"l": 140})
    return figure
