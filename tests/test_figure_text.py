"""Every chart's text alternative (issue 25, item 3): a French summary and its data as a table."""

from __future__ import annotations

import plotly.graph_objects as go

from labkit.learner.chain import running_example
from labkit.plots import describe
from labkit.plots import quality as quality_plots
from labkit.prepare import quality


def test_a_bar_chart_is_named_by_its_title_axes_and_series_and_its_bars_are_rows():
    figure = go.Figure(
        data=[go.Bar(x=["Nord", "Sud"], y=[12.5, 3], name="Demandes")],
        layout={"title": "Demandes <b>par</b> quartier", "xaxis": {"title": "Quartier"}},
    )
    text = describe.summary(figure)
    assert text.startswith("Graphique : Demandes par quartier.")
    assert "Axe horizontal : Quartier" in text and "Séries : Demandes." in text
    rows, left_out = describe.data_rows(figure)
    assert left_out == 0
    assert rows == [
        {"Série": "Demandes", "Axe horizontal": "Nord", "Axe vertical": "12,5"},
        {"Série": "Demandes", "Axe horizontal": "Sud", "Axe vertical": "3"},
    ]


def test_a_heatmap_gives_one_row_per_cell_and_a_long_chart_says_what_it_leaves_out():
    heat = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], x=["a", "b"], y=["u", "v"]))
    rows, _ = describe.data_rows(heat)
    assert {"Série": "", "Axe horizontal": "b", "Axe vertical": "v", "Valeur": "4"} in rows
    long = go.Figure(go.Scatter(x=list(range(500)), y=list(range(500))))
    rows, left_out = describe.data_rows(long)
    assert len(rows) == describe.MAX_ROWS and left_out == 500 - describe.MAX_ROWS
    assert describe.summary(go.Figure()) == "Graphique : sans titre."


def test_the_charts_of_the_product_all_get_a_summary_and_rows():
    frame, target, schema = running_example()
    report = quality.assess(frame, target=target, schema=schema)
    figures = (
        quality_plots.scores_figure(report),
        quality_plots.missing_figure(frame),
        quality_plots.distribution_figure(frame, target),
        quality_plots.associations_figure(frame, target),
    )
    for figure in figures:
        assert describe.summary(figure).startswith("Graphique : ")
        assert describe.data_rows(figure)[0], "the chart's values are in its table"
