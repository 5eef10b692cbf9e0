"""Plotly figures of the workbook, one module per theme: pure functions returning ``go.Figure``."""
