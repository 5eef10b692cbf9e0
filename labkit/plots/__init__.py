"""Plotly figures of the workbook, one module per theme: pure functions returning ``go.Figure``."""

from labkit import frenchfmt

frenchfmt.register_template()  # every figure: French separators, dates, palette
