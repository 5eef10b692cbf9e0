"""One French plotly template for every figure; dates and numbers written the French way."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from labkit import frenchfmt
from labkit.course import risk, toys
from labkit.model import display
from labkit.plots import intro
from labkit.plots import quality as quality_plots
from labkit.ui.components import frame_html


def test_the_template_is_registered_once_and_is_the_default():
    assert pio.templates.default == frenchfmt.TEMPLATE_NAME
    first = pio.templates[frenchfmt.TEMPLATE_NAME]
    assert frenchfmt.register_template() == frenchfmt.TEMPLATE_NAME
    assert pio.templates[frenchfmt.TEMPLATE_NAME] is first  # not made again
    layout = first.layout
    assert layout.separators == ", "  # decimal comma, space between thousands
    assert list(layout.colorway) == list(frenchfmt.PALETTE)
    assert "Marianne" in layout.font.family


def test_a_changed_default_is_put_back():
    pio.templates.default = "plotly"
    try:
        frenchfmt.register_template()
        assert pio.templates.default == frenchfmt.TEMPLATE_NAME
    finally:
        pio.templates.default = frenchfmt.TEMPLATE_NAME


def _separators(figure: go.Figure) -> str:
    full = figure.to_dict()["layout"]
    return full.get("separators") or full["template"]["layout"]["separators"]


def test_the_workbook_figures_carry_the_french_template():
    train = toys.draw_leak_points(80, seed=0)
    new = toys.draw_leak_points(200, seed=100)
    result = toys.classification_state(train, new, 4)
    questionnaire = risk.load_questionnaire()
    figures = [
        intro.error_curve_figure(toys.error_curve(train, new), 4),
        intro.errors_figure(result.train_error, result.new_error),
        risk.risk_pyramid_figure(questionnaire, "haut_risque"),
        quality_plots.distribution_figure(pd.DataFrame({"x": np.linspace(0, 1, 50)}), "x"),
        go.Figure(),
    ]
    for figure in figures:
        assert _separators(figure) == ", "


def test_a_date_axis_is_written_the_french_way():
    frame = pd.DataFrame({"jour": pd.date_range("2021-08-01", periods=30, freq="D")})
    figure = quality_plots.distribution_figure(frame, "jour")
    assert figure.layout.xaxis.tickformat == "%d/%m/%Y"
    assert figure.layout.xaxis.hoverformat == "%d/%m/%Y"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (pd.Timestamp("2021-08-10 00:00:00"), "10/08/2021"),
        (pd.Timestamp("2021-08-10 14:30:00"), "10/08/2021 14:30"),
        (pd.Timestamp("2021-08-10", tz="Europe/Paris"), "10/08/2021"),
        (np.datetime64("2021-08-10"), "10/08/2021"),
        (dt.date(2021, 8, 10), "10/08/2021"),
        (dt.datetime(2021, 8, 10, 0, 0), "10/08/2021"),
        (pd.NaT, ""),
        (None, ""),
        (float("nan"), ""),
        (0.125, "0,125"),
        (1234567.5, "1\u202f234\u202f568"),
        (12500, "12500"),  # whole numbers as written (identifiers, years)
        (True, "oui"),
        ("2021-08-10", "2021-08-10"),  # text stays text
    ],
)
def test_table_cells(value, shown):
    assert frenchfmt.cell_text(value) == shown


def test_tables_and_values_show_dates_without_midnight():
    frame = pd.DataFrame({"date": pd.to_datetime(["2021-08-10", "2021-08-11"]), "n": [1.5, 2.0]})
    table = frame_html(frame)
    assert "10/08/2021" in table and "00:00:00" not in table and "2021-08-10" not in table
    assert "1,5" in table
    assert display.format_value(pd.Timestamp("2021-08-10")) == "10/08/2021"
    assert display.format_value(pd.NaT) == "(vide)"
