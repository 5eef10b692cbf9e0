"""The charts of the final report: accessible inline SVG (templates ``*.svg.j2``), or plotly with
its library embedded once in the document when the report is interactive."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup

from labkit import messages
from labkit.use import pages

BLUE, ORANGE, DARK, GRID = "#1f5fad", "#b34d00", "#161616", "#d9d9d9"
COLORS = {"blue": BLUE, "orange": ORANGE, "dark": DARK, "grid": GRID}


def _number(value: float, digits: int = 3) -> str:
    from labkit.model.learning import number

    return number(value, digits)


class Charts:
    """Charts of one report: inline SVG, or plotly (its library embedded in the first one).
    ``cost_figure(analysis, chosen)`` draws the cost curve with plotly when interactive."""

    def __init__(self, interactive: bool, cost_figure: Callable | None = None):
        self.interactive = interactive
        self.cost_figure = cost_figure
        self.count = 0

    def _plotly(self, figure) -> Markup:
        import plotly.io as pio

        first = self.count == 0
        self.count += 1
        config = {"displaylogo": False, "responsive": True}
        chart = pio.to_html(figure, include_plotlyjs=first, full_html=False, config=config)
        return Markup('<div class="chart">') + Markup(chart) + Markup("</div>")

    def _next_id(self) -> str:
        self.count += 1
        return f"chart-{self.count}"

    def bars(
        self, title: str, labels: Sequence[str], values: Sequence[float], texts: Sequence[str]
    ) -> Markup:
        if not labels:
            return Markup("")
        if self.interactive:
            import plotly.graph_objects as go

            figure = go.Figure(
                go.Bar(
                    x=list(values)[::-1],
                    y=list(labels)[::-1],
                    orientation="h",
                    text=list(texts)[::-1],
                    textposition="outside",
                    marker={"color": BLUE},
                ),
                layout={
                    "title": {"text": title},
                    "height": 120 + 34 * len(labels),
                    "margin": {"l": 220, "r": 60, "t": 60, "b": 40},
                    "plot_bgcolor": "#ffffff",
                    "showlegend": False,
                },
            )
            return self._plotly(figure)
        return svg_bars(title, labels, values, texts, chart_id=self._next_id())

    def cost_curve(self, analysis, chosen: float | None) -> Markup:
        if self.interactive and self.cost_figure is not None:
            return self._plotly(self.cost_figure(analysis, chosen))
        return svg_cost_curve(analysis, chosen, chart_id=self._next_id())


def svg_bars(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    texts: Sequence[str],
    *,
    chart_id: str = "chart",
    width: int = 680,
) -> Markup:
    """Horizontal bars with their value written at the end (accessible inline SVG)."""
    row, left, top = 30, 230, 34
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    high = max([*finite, 0.0]) or 1.0
    room = width - left - 90
    bars = []
    for i, (label, value, text) in enumerate(zip(labels, values, texts, strict=True)):
        size = 0.0
        if isinstance(value, (int, float)) and math.isfinite(value):
            size = max(value, 0.0) / high * room
        short = label if len(label) <= 32 else label[:31] + "…"
        bars.append({"y": top + i * row, "size": size, "label": short, "text": text})
    box = {"width": width, "height": top + row * len(labels) + 10, "left": left, "top": top}
    return pages.render(
        "bars.svg.j2", chart_id=chart_id, title=title, bars=bars, row=row, box=box, c=COLORS
    )


def svg_cost_curve(analysis, chosen: float | None, *, chart_id: str = "chart") -> Markup:
    """The total cost of errors along the threshold, the cheapest point and the chosen one."""
    width, height = 680, 320
    left, right, top, bottom = 70, 20, 40, 50
    table = analysis.table
    xs, ys = table["threshold"].tolist(), table["cost"].tolist()
    high = max(max(ys), 1.0)

    def px(x: float) -> float:
        return left + x * (width - left - right)

    def py(y: float) -> float:
        return height - bottom - y / high * (height - top - bottom)

    ticks = [
        {
            "x": f"{px(k / 4):.1f}",
            "x_label": _number(k / 4, 2),
            "y": f"{py(high * k / 4) + 4:.1f}",
            "y_label": _number(high * k / 4, 3),
        }
        for k in range(5)
    ]
    bx, by = px(analysis.best), py(analysis.best_counts["cost"])
    best = {
        "path": f"M{bx:.1f},{by - 8:.1f} L{bx + 8:.1f},{by:.1f} L{bx:.1f},{by + 8:.1f}"
        f" L{bx - 8:.1f},{by:.1f} Z",
        "x": f"{bx:.1f}",
        "label_y": f"{by - 12:.1f}",
        "label": messages.text("usecase.plot_best", threshold=_number(analysis.best, 2)),
    }
    mark = None
    if chosen is not None:
        mark = {
            "x": f"{px(chosen):.1f}",
            "label_x": f"{px(chosen) + 4:.1f}",
            "label": messages.text("usecase.plot_chosen", threshold=_number(chosen, 2)),
        }
    box = {"width": width, "height": height, "left": left, "top": top, "bottom": bottom}
    box["x_axis"] = f"{(left + width - right) / 2:.0f}"
    points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
    curve = {"ticks": ticks, "points": points, "best": best, "chosen": mark}
    return pages.render("cost.svg.j2", chart_id=chart_id, box=box, curve=curve, c=COLORS)
