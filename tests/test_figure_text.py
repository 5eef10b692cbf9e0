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


# --------------------------------------------------------------- not by colour alone (WCAG 1.4.1)
def test_the_zones_of_the_leak_map_are_named_in_words_inside_each_zone():
    from labkit.course import toys
    from labkit.plots import intro

    train = toys.draw_leak_points(80, seed=0)
    new = toys.draw_leak_points(200, seed=100)
    result = toys.classification_state(train, new, 9, 20)
    figure = intro.boundary_figure(train, new, result)
    labels = {a.text: (a.x, a.y) for a in figure.layout.annotations}
    assert set(labels) == {
        "Zone où le modèle prédit une fuite",
        "Zone où le modèle prédit « pas de fuite »",
    }
    grid = result.grid
    for text, (x, y) in labels.items():
        probability = grid.z[grid.y.index(y)][grid.x.index(x)]
        assert (probability >= 0.5) == (text == "Zone où le modèle prédit une fuite")


def test_a_zone_is_labelled_in_its_middle_and_an_absent_zone_not_at_all():
    import numpy as np

    from labkit.course import toys
    from labkit.plots import intro

    zone = np.zeros((9, 9), dtype=bool)
    zone[2:7, 1:4] = True  # a block: its middle is (4, 2)
    assert intro.zone_centre(zone) == (4, 2)
    # an L shape: the label goes in the thick part, never in the empty corner
    shape = np.zeros((10, 10), dtype=bool)
    shape[:, :4] = True
    shape[6:, :] = True
    row, column = intro.zone_centre(shape)
    assert shape[row, column]
    assert intro.zone_centre(np.zeros((4, 4), dtype=bool)) is None
    everywhere = toys.Grid(x=[0.0, 1.0, 2.0], y=[0.0, 1.0, 2.0], z=[[0.9] * 3] * 3)
    assert [a["text"] for a in intro.zone_labels(everywhere)] == [
        "Zone où le modèle prédit une fuite"
    ]


def test_quality_scores_say_their_band_in_words_on_each_bar():
    frame, target, schema = running_example()
    report = quality.assess(frame, target=target, schema=schema)
    figure = quality_plots.scores_figure(report)
    texts = list(figure.data[0].text)
    colours = list(figure.data[0].marker.color)
    bands = {"bon": set(), "correct": set(), "à améliorer": set()}
    for text, colour in zip(texts, colours, strict=True):
        if "/ 100" in text:
            band = text.split(" · ")[1]
            bands[band].add(colour)
    assert any(bands.values())
    # each colour means one band, and each band is written
    assert all(len(colours_of_band) <= 1 for colours_of_band in bands.values())


def test_quality_bands_change_at_95_and_80():
    from types import SimpleNamespace

    dimensions = list(quality.DIMENSIONS)
    values = [95, 94.9, 80, 79.9, None]
    scores = {d: values[i % len(values)] for i, d in enumerate(dimensions)}
    figure = quality_plots.scores_figure(SimpleNamespace(scores=scores, score=80))
    said = dict(zip(figure.data[0].y, figure.data[0].text, strict=True))
    for dimension, value in scores.items():
        text = said[quality.dimension_label(dimension)]
        if value is None:
            assert "/ 100" not in text
        else:
            band = "bon" if value >= 95 else "correct" if value >= 80 else "à améliorer"
            assert text.endswith(f" · {band}"), text
