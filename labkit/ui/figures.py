"""Figures on a page: the one way the module pages show a plotly figure (:class:`LiveFigure`),
which a widget callback may redraw in place (a slider, a form, a new comparison).
"""

from __future__ import annotations

import os

import ipywidgets as widgets
import plotly.graph_objects as go
import plotly.io as pio
from IPython.display import display

from labkit import frenchfmt

frenchfmt.register_template()  # the French template, before any figure is made

# Figures follow the width of the window (a trainee who narrows it, a smaller screen): plotly's
# ``responsive`` option, given to every figure the offline renderer shows.
try:
    _renderer = pio.renderers["plotly_mimetype"]
    _renderer.config = {**(_renderer.config or {}), "responsive": True}
except (KeyError, AttributeError):  # pragma: no cover - depends on the plotly version
    pass

# plotly's FigureWidget needs the ``anywidget`` package, whose page side gives each widget 2 s to
# start: on a loaded machine the plotly bundle takes longer to load and the figures never appear
# (measured: "[anywidget] Failed to initialize model" on 5 of the 7 figures of module 01). So the
# default is an ``Output`` widget whose figure is re-displayed (plotly's offline renderer); set
# DATALAB_FIGURE_WIDGETS=1 to use FigureWidget and replace the traces instead.
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
        self.add_class("dl-figure")

    def _show(self, figure: go.Figure) -> None:
        self.output.clear_output(wait=True)
        with self.output:
            display(figure)

    def update(self, figure: go.Figure) -> None:
        """Show ``figure`` instead of the current one."""
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
