"""The toys of module 01 (labkit/course/toys.py) and their figures (labkit/plots/intro.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from labkit.course import toys
from labkit.errors import DatalabError
from labkit.plots import intro as plots


# ----------------------------------------------------------------------------- classification
def test_leak_points_are_seeded_and_have_both_classes():
    first = toys.draw_leak_points(80, seed=3)
    again = toys.draw_leak_points(80, seed=3)
    other = toys.draw_leak_points(80, seed=4)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)
    assert list(first.columns) == ["age", "pression", "fuite"]
    assert set(first["fuite"]) == {0, 1}
    assert first["age"].between(*toys.AGE_RANGE).all()
    assert first["pression"].between(*toys.PRESSURE_RANGE).all()


@pytest.mark.parametrize("bad", [0, 1, -5, 2.5, "80", None, True])
def test_leak_points_refuse_bad_sizes(bad):
    with pytest.raises(DatalabError) as info:
        toys.draw_leak_points(bad)
    assert "au moins" in info.value.message


def test_complexity_goes_from_many_neighbours_to_one():
    ks = [toys.neighbours_for(level) for level in range(1, toys.level_count() + 1)]
    assert ks == sorted(ks, reverse=True)
    assert ks[-1] == 1
    assert ks[0] > 40


@pytest.mark.parametrize("bad", [0, 10, -1, 3.5, "3", None, True])
def test_bad_complexity_level_gives_a_french_message(bad):
    with pytest.raises(DatalabError) as info:
        toys.neighbours_for(bad)
    assert "complexité" in info.value.message


def test_one_neighbour_recites_its_examples_but_errs_on_new_points():
    train = toys.draw_leak_points(80, seed=0)
    new = toys.draw_leak_points(1000, seed=100)
    overfit = toys.classification_state(train, new, toys.level_count())
    assert overfit.neighbours == 1
    assert overfit.train_error == 0.0
    assert overfit.new_error > 0.08
    assert overfit.diagnosis == toys.OVERFIT


def test_a_middle_complexity_beats_both_extremes_on_new_points():
    """Averaged over several samples, the U-shaped error on new points appears."""
    simple, middle, complex_ = [], [], []
    for seed in range(5):
        train = toys.draw_leak_points(80, seed=seed)
        new = toys.draw_leak_points(1000, seed=200 + seed)
        curve = toys.error_curve(train, new)
        simple.append(curve["erreur_nouveaux"].iloc[0])
        middle.append(curve["erreur_nouveaux"].iloc[3:6].min())
        complex_.append(curve["erreur_nouveaux"].iloc[-1])
    assert np.mean(middle) < np.mean(simple) - 0.05
    assert np.mean(middle) < np.mean(complex_) - 0.02


def test_simplest_model_is_underfitting():
    train = toys.draw_leak_points(80, seed=1)
    new = toys.draw_leak_points(300, seed=101)
    result = toys.classification_state(train, new, 1)
    assert result.diagnosis == toys.UNDERFIT
    assert result.train_error > 0.15


def test_decision_grid_is_a_probability_map_of_the_requested_size():
    train = toys.draw_leak_points(80, seed=0)
    grid = toys.decision_grid(toys.fit_leak_model(train, 4), resolution=30)
    assert len(grid.x) == 30 and len(grid.y) == 30
    assert len(grid.z) == 30 and all(len(row) == 30 for row in grid.z)
    values = np.array(grid.z)
    assert values.min() >= 0 and values.max() <= 1
    assert values.min() < 0.2 and values.max() > 0.8  # both zones are on the map


def test_summary_in_words_gives_both_errors_and_the_diagnosis():
    train = toys.draw_leak_points(80, seed=0)
    new = toys.draw_leak_points(200, seed=100)
    result = toys.classification_state(train, new, toys.level_count())
    text = result.summary
    assert "k = 1" in text
    assert "0\u202f%" in text
    assert "200 nouveaux" in text
    assert "Surapprentissage" in text


def test_points_without_the_expected_columns_are_refused():
    train = toys.draw_leak_points(80, seed=0)
    with pytest.raises(DatalabError) as info:
        toys.fit_leak_model(train.drop(columns=["pression"]), 3)
    assert "pression" in info.value.message
    with pytest.raises(DatalabError):
        toys.fit_leak_model(pd.DataFrame(), 3)


def test_percent_is_french():
    assert toys.percent(0.125) == "12\u202f%" or toys.percent(0.125) == "13\u202f%"
    assert toys.percent(0.5) == "50\u202f%"


# --------------------------------------------------------------------------------- regression
def test_attendance_days_are_seeded_and_plausible():
    days = toys.draw_attendance(14, seed=0)
    assert days.equals(toys.draw_attendance(14, seed=0))
    assert len(days) == 14
    assert (days["entrees"] >= 0).all()
    assert days["temperature"].between(*toys.TEMPERATURE_RANGE).all()


def test_high_degree_fits_the_days_and_misses_new_ones():
    train = toys.draw_attendance(14, seed=1)
    new = toys.draw_attendance(200, seed=101)
    flat = toys.regression_state(train, new, 0)
    good = toys.regression_state(train, new, 3)
    wild = toys.regression_state(train, new, toys.MAX_DEGREE)
    assert flat.diagnosis == toys.UNDERFIT
    assert wild.diagnosis == toys.OVERFIT
    assert wild.train_error < good.train_error < flat.train_error
    assert good.new_error < flat.new_error
    assert good.new_error < wild.new_error
    assert len(wild.curve_x) == len(wild.curve_y) == 200
    assert max(wild.curve_y) <= toys.MAX_ENTRIES and min(wild.curve_y) >= 0


def test_degree_zero_is_the_mean():
    train = toys.draw_attendance(14, seed=2)
    poly = toys.fit_polynomial(train, 0)
    assert poly.predict([20.0])[0] == pytest.approx(train["entrees"].mean())


@pytest.mark.parametrize("bad", [-1, 13, 2.5, "3", None, False])
def test_bad_degree_gives_a_french_message(bad):
    with pytest.raises(DatalabError) as info:
        toys.fit_polynomial(toys.draw_attendance(14), bad)
    assert "degré" in info.value.message


def test_regression_summary_speaks_in_entries_per_day():
    train = toys.draw_attendance(14, seed=0)
    new = toys.draw_attendance(60, seed=100)
    text = toys.regression_state(train, new, 2).summary
    assert "entrées par jour" in text
    assert "degré 2" in text


# ---------------------------------------------------------------------------- rule or learnt?
def test_pool_days_are_seeded_and_documented_columns():
    days = toys.draw_pool_days(seed=0)
    assert days.equals(toys.draw_pool_days(seed=0))
    assert list(days.columns) == ["jour", "temperature", "type_jour", "pluie", "affluence"]
    assert set(days["type_jour"]) == set(toys.DAY_TYPES)
    assert 0.1 < days["affluence"].mean() < 0.6


def test_hand_rule_applies_one_threshold_per_day_type():
    days = pd.DataFrame(
        {
            "jour": [1, 2, 3, 4],
            "temperature": [26.0, 26.0, 30.0, 22.0],
            "type_jour": [toys.WEEKDAY, toys.WEEKEND, toys.WEEKDAY, toys.WEEKEND],
            "pluie": [0, 0, 0, 0],
            "affluence": [0, 1, 1, 0],
        }
    )
    rule = toys.make_rule(29, 24)
    assert rule.predict(days).tolist() == [0, 1, 1, 0]
    errors = toys.count_errors(rule.predict(days), days["affluence"])
    assert errors.total == 0
    lax = toys.make_rule(20, 20)
    errors = toys.count_errors(lax.predict(days), days["affluence"])
    assert (errors.false_alarms, errors.missed) == (2, 0)
    assert "29\u202f°C" in rule.describe() and "24\u202f°C" in rule.describe()


@pytest.mark.parametrize(
    "weekday, weekend",
    [(10, 25), (25, 40), ("chaud", 25), (None, 25), (float("nan"), 25), (True, 25)],
)
def test_bad_thresholds_give_a_french_message(weekday, weekend):
    with pytest.raises(DatalabError) as info:
        toys.make_rule(weekday, weekend)
    assert "seuil" in info.value.message.lower()


def test_thresholds_typed_the_french_way_are_accepted():
    assert toys.make_rule("28,5", "24").weekday == 28.5


def test_a_sensible_rule_is_close_to_the_tree_and_a_silly_one_is_not():
    seen, new = toys.draw_pool_days(seed=0), toys.draw_pool_days(seed=100)
    sensible = toys.compare_rule_and_tree(toys.make_rule(29, 24), seen, new)
    silly = toys.compare_rule_and_tree(toys.make_rule(15, 15), seen, new)
    assert abs(sensible.rule_new.total - sensible.tree_new.total) <= 5
    assert silly.rule_new.total > silly.tree_new.total + 10
    assert silly.rule_new.missed == 0  # everything announced crowded: only false alarms
    assert "nettement mieux" in silly.verdict
    rows = sensible.rows()
    assert len(rows) == 4
    assert all("/ 92" in str(row["Erreurs / jours"]) for row in rows)


def test_tree_rules_read_as_french_sentences_that_cover_every_day():
    seen = toys.draw_pool_days(seed=0)
    sentences = toys.tree_rules_french(toys.learn_tree(seen))
    assert sentences and all(s.startswith("Si ") for s in sentences)
    assert any("bondée (" in s for s in sentences)
    total = sum(int(s.rsplit("sur ", 1)[1].rstrip(").")) for s in sentences)
    assert total == len(seen)


# ------------------------------------------------------------------------------------ figures
def test_boundary_figure_keeps_the_same_traces_when_the_level_changes():
    train = toys.draw_leak_points(80, seed=0)
    new = toys.draw_leak_points(200, seed=100)
    first = plots.boundary_figure(train, new, toys.classification_state(train, new, 1, 20))
    second = plots.boundary_figure(
        train, new, toys.classification_state(train, new, 9, 20), show_new=False
    )
    assert isinstance(first, go.Figure)
    assert [t.type for t in first.data] == [t.type for t in second.data]
    assert len(first.data) == 6
    assert first.data[0].z != second.data[0].z
    assert second.data[4].visible is False
    # classes differ by shape, not only by colour
    assert first.data[2].marker.symbol != first.data[3].marker.symbol
    assert "k = 1" in second.layout.title.text


def test_error_and_curve_figures_carry_values_as_text():
    fig = plots.errors_figure(0.05, 0.25)
    assert list(fig.data[0].text) == ["5\u202f%", "25\u202f%"]
    train = toys.draw_leak_points(80, seed=0)
    curve = toys.error_curve(train, toys.draw_leak_points(100, seed=1))
    fig = plots.error_curve_figure(curve, 4)
    assert len(fig.data) == 2
    assert fig.layout.shapes[0].x0 == 4


def test_regression_and_rule_figures():
    train, new = toys.draw_attendance(14, seed=0), toys.draw_attendance(60, seed=1)
    result = toys.regression_state(train, new, 4)
    fig = plots.regression_figure(train, new, result)
    assert [t.name for t in fig.data][2] == "Courbe du modèle"
    assert len(plots.regression_errors_figure(result).data[0].y) == 2
    seen = toys.draw_pool_days(seed=0)
    rule = toys.make_rule(28, 23)
    fig = plots.rule_figure(seen, rule)
    assert len(fig.data) == 4
    assert list(fig.data[2].x) == [28, 28] and list(fig.data[3].x) == [23, 23]
    comparison = toys.compare_rule_and_tree(rule, seen, toys.draw_pool_days(seed=1))
    bars = plots.rule_errors_figure(comparison)
    assert list(bars.data[0].y) == [
        comparison.rule_new.false_alarms,
        comparison.tree_new.false_alarms,
    ]


# ------------------------------------------------------------------- diagnosis follows the curve
def test_diagnosis_boundaries_on_a_given_curve():
    curve = {1: 0.30, 2: 0.20, 3: 0.10, 4: 0.12, 5: 0.13}
    margin = (0.1, 0.01)  # close to the lowest: at most 0.10 × 1.1 + 0.01 = 0.12
    assert toys.diagnose(curve, 3, margin) == (toys.GOOD_FIT, 3)
    assert toys.diagnose(curve, 4, margin) == (toys.GOOD_FIT, 3)  # exactly on the boundary
    assert toys.diagnose(curve, 5, margin) == (toys.OVERFIT, 3)  # just past it, more complex
    assert toys.diagnose(curve, 2, margin) == (toys.UNDERFIT, 3)  # past it, simpler
    # Two settings share the lowest error: the nearest one is quoted.
    tied = {1: 0.30, 2: 0.10, 3: 0.20, 4: 0.10, 5: 0.30}
    assert toys.diagnose(tied, 5, margin) == (toys.OVERFIT, 4)
    assert toys.diagnose(tied, 1, margin) == (toys.UNDERFIT, 2)


@pytest.mark.parametrize("seed", range(6))
def test_no_overfitting_sentence_where_new_error_is_lowest(seed):
    """Every level of the classification toy: what the sentence says is what the curve shows."""
    train = toys.draw_leak_points(80, seed=seed)
    new = toys.draw_leak_points(toys.NEW_SIZE, seed=100 + seed)
    curve = toys.error_curve(train, new).set_index("niveau")["erreur_nouveaux"]
    lowest = curve.min()
    for level in range(1, toys.level_count() + 1):
        result = toys.classification_state(train, new, level)
        text = result.summary
        assert result.best_error == lowest
        if result.new_error == lowest:
            assert result.diagnosis == toys.GOOD_FIT
            assert "la plus basse de la courbe" in text and "Surapprentissage" not in text
        elif result.diagnosis == toys.OVERFIT:
            assert result.new_error > lowest * 1.1 + 0.01 and level > result.best_level
            assert f"plus ({toys.percent(result.new_error)})" in text
            assert f"({toys.percent(lowest)} avec k\u00a0=" in text
        elif result.diagnosis == toys.UNDERFIT:
            assert result.new_error > lowest * 1.1 + 0.01 and level < result.best_level
            assert "plus complexe" in text
        else:
            assert result.new_error <= lowest * 1.1 + 0.01
            assert "proche de la plus basse" in text


@pytest.mark.parametrize("seed", range(3))
def test_regression_diagnosis_follows_the_measured_errors(seed):
    train = toys.draw_attendance(14, seed=seed)
    new = toys.draw_attendance(toys.REGRESSION_NEW_SIZE, seed=100 + seed)
    errors = toys.degree_errors(train, new)
    lowest = min(errors.values())
    for degree in range(toys.MAX_DEGREE + 1):
        result = toys.regression_state(train, new, degree)
        assert result.new_error == pytest.approx(errors[degree])
        if result.diagnosis == toys.GOOD_FIT:
            assert result.new_error <= lowest * 1.25 + 1e-9
        else:
            assert result.new_error > lowest * 1.25
            assert "Surapprentissage" in result.summary or "Sous-apprentissage" in result.summary
        if result.new_error == lowest:
            assert "la plus basse de la courbe" in result.summary


def test_the_verdict_names_the_rain_only_when_the_tree_asks_about_it():
    """Issue 23: « tient compte de la pluie » was said while the rules shown never named it."""
    bad_rule = toys.make_rule(15, 15)
    said = set()
    for seed, depth in ((0, 1), (0, 2), (0, 3), (0, 4), (3, 3), (2, 4)):
        seen, new = toys.draw_pool_days(seed=seed), toys.draw_pool_days(seed=seed + 1)
        comparison = toys.compare_rule_and_tree(bad_rule, seen, new, depth=depth)
        asks_rain = any("pleut" in rule for rule in comparison.tree_rules)
        assert comparison.tree_uses_rain == asks_rain
        if "nettement mieux" in comparison.verdict:
            assert ("pluie" in comparison.verdict) == asks_rain, (depth, comparison.verdict)
            said.add(asks_rain)
    assert said == {True, False}, (
        "both cases are met: a tree that asks about rain, one that does not"
    )
