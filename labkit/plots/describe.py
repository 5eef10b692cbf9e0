"""What a chart says, in words and as a table: its text alternative (WCAG 1.1.1).

:func:`summary` gives one short French sentence (title, axes, series) that names the chart for a
screen reader; :func:`data_rows` gives the values it draws, row by row, for the table « Voir les
données du graphique » shown under every chart. Pure: a plotly figure in, plain values out.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from labkit import frenchfmt, messages

MAX_ROWS = 200  # a table longer than this says how many rows it leaves out


def _t(key: str, **fields: Any) -> str:
    return messages.text(f"ui_plots.describe_{key}", **fields)


def _text(value: Any) -> str:
    """A title as plotly holds it (a string, or an object with ``text``), without markup."""
    text = getattr(value, "text", value)
    if not isinstance(text, str):
        return ""
    for tag in ("<b>", "</b>", "<i>", "</i>", "<br>", "<br />"):
        text = text.replace(tag, " ")
    return " ".join(text.split())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return frenchfmt.number(value) if value == value else ""
    return frenchfmt.cell_text(value)


def _values(trace, name: str) -> list:
    values = getattr(trace, name, None)
    if values is None:
        return []
    try:
        return list(values)
    except TypeError:
        return []


def summary(figure: go.Figure) -> str:
    """« Graphique : <titre>. Axe horizontal : … ; axe vertical : …. Séries : … »."""
    layout = figure.layout
    parts = [_t("title", title=_text(layout.title) or _t("untitled"))]
    x_title = _text(layout.xaxis.title) if layout.xaxis else ""
    y_title = _text(layout.yaxis.title) if layout.yaxis else ""
    if x_title or y_title:
        parts.append(_t("axes", x=x_title or "—", y=y_title or "—"))
    names = [str(t.name) for t in figure.data if getattr(t, "name", None)]
    if names:
        parts.append(_t("series", names=", ".join(dict.fromkeys(names))))
    return " ".join(parts)


def data_rows(figure: go.Figure) -> tuple[list[dict[str, str]], int]:
    """(rows of the table, rows left out): one row per point drawn, named by its series."""
    rows: list[dict[str, str]] = []
    total = 0
    col_series, col_x, col_y, col_value = (
        _t(k) for k in ("col_series", "col_x", "col_y", "col_value")
    )
    for trace in figure.data:
        series = str(getattr(trace, "name", None) or "")
        z = _values(trace, "z")
        x, y = _values(trace, "x"), _values(trace, "y")
        if z:  # a heatmap or contour: one row per cell
            for i, line in enumerate(z):
                for j, value in enumerate(line if isinstance(line, (list, tuple)) else list(line)):
                    total += 1
                    if len(rows) < MAX_ROWS:
                        rows.append(
                            {
                                col_series: series,
                                col_x: _cell(x[j] if j < len(x) else j),
                                col_y: _cell(y[i] if i < len(y) else i),
                                col_value: _cell(value),
                            }
                        )
            continue
        if not x and not y:
            continue
        count = max(len(x), len(y))
        for k in range(count):
            total += 1
            if len(rows) < MAX_ROWS:
                rows.append(
                    {
                        col_series: series,
                        col_x: _cell(x[k]) if k < len(x) else "",
                        col_y: _cell(y[k]) if k < len(y) else "",
                    }
                )
    if any(col_value in row for row in rows):
        rows = [{**row, col_value: row.get(col_value, "")} for row in rows]
    return rows, total - len(rows)
