"""Figures on a page: the one way the module pages show a plotly figure (:class:`LiveFigure`),
which a widget callback may redraw in place (a slider, a form, a new comparison).
"""

from __future__ import annotations

import os

import ipywidgets as widgets
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import display

from labkit import frenchfmt, messages
from labkit.plots import describe

frenchfmt.register_template()  # the French template, before any figure is made

# Figures follow the width of the window (a trainee who narrows it, a smaller screen): plotly's
# ``responsive`` option, given to every figure the offline renderer shows.
try:
    _renderer = pio.renderers["plotly_mimetype"]
    # No toolbar: its eleven English buttons per chart were tab stops of low contrast; the data of
    # each chart are given as a table under it instead (``labkit.plots.describe``).
    _renderer.config = {**(_renderer.config or {}), "responsive": True, "displayModeBar": False}
except (KeyError, AttributeError):  # pragma: no cover - depends on the plotly version
    pass

# plotly's FigureWidget needs the ``anywidget`` package, whose page side gives each widget 2 s to
# start: on a loaded machine the plotly bundle takes longer to load and the figures never appear
# (measured: "[anywidget] Failed to initialize model" on 5 of the 7 figures of module 01). So the
# default is an ``Output`` widget whose figure is re-displayed (plotly's offline renderer); set
# DATALAB_FIGURE_WIDGETS=1 to use FigureWidget and replace the traces instead.
DEFAULT_HEIGHT = 360  # what plotly's page renderer gives a figure without a height

USE_FIGURE_WIDGETS = os.environ.get("DATALAB_FIGURE_WIDGETS", "") == "1"
FigureWidget = None
if USE_FIGURE_WIDGETS:  # imported now, while Voilà preheats the kernel: the import is slow
    from plotly.graph_objs import FigureWidget


class LiveFigure(widgets.VBox):
    """A plotly figure on the page, redrawn in place by :meth:`update` with a figure of the same
    shape (same traces in the same order)."""

    def __init__(self, figure: go.Figure, **layout):
        super().__init__(layout=layout or {})
        self.widget = None
        self.output = None
        if FigureWidget is not None:
            self.widget = FigureWidget(figure)
        if self.widget is not None:
            self.children = [self.widget]
        else:
            self.output = widgets.Output()
            self.children = [self.output]
            self._show(figure)
        # Its text alternative: a summary that names it (the page makes the chart role="img",
        # labelled by it) and its data as a table, for screen readers and for everyone.
        self.summary = widgets.HTML()
        self.data_table = widgets.HTML()
        self.children = [self.summary, *self.children, self.data_table]
        self._describe(figure)
        self.add_class("dl-figure")

    def _describe(self, figure: go.Figure) -> None:
        from labkit.ui.components import esc, table_html

        self.summary.value = (
            f'<p class="dl-figure-summary dl-sr-only">{esc(describe.summary(figure))}</p>'
        )
        rows, left_out = describe.data_rows(figure)
        if not rows:
            self.data_table.value = ""
            return
        label = messages.text("ui_plots.describe_show_data")
        more = (
            f'<p class="dl-muted">{esc(messages.text("ui_plots.describe_left_out", count=left_out))}</p>'
            if left_out
            else ""
        )
        self.data_table.value = (
            f'<details class="dl-figure-data"><summary>{esc(label)}</summary>'
            f'<div class="dl-figure-scroll" tabindex="0" role="region" aria-label="{esc(label)}">'
            f"{table_html(rows, caption=describe.summary(figure))}</div>{more}</details>"
        )

    def _show(self, figure: go.Figure) -> None:
        # The figure's height is given to its box, and the page's style passes it down to the
        # chart: plotly, told to follow its box (``responsive``), forgets a height of its own the
        # first time the window is resized, and a chart drawn in a step not yet shown then fell to
        # 0 px once shown (issue 23).
        self.output.layout.height = f"{int(figure.layout.height or DEFAULT_HEIGHT)}px"
        self.output.clear_output(wait=True)
        with self.output:
            display(figure)

    def update(self, figure: go.Figure) -> None:
        """Show ``figure`` instead of the current one."""
        self._describe(figure)
        if self.widget is None:
            self._show(figure)
            return
        with self.widget.batch_update():
            for trace, new in zip(self.widget.data, figure.data, strict=True):
                trace.update(new.to_plotly_json())
            self.widget.layout.title = figure.layout.title
            self.widget.layout.shapes = figure.layout.shapes
            self.widget.layout.annotations = figure.layout.annotations
            self.widget.layout.yaxis.range = figure.layout.yaxis.range
