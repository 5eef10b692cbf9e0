"""Leaks judged by what the model uses (:mod:`labkit.model.reliance`): the model is fitted again
without a few groups of related columns, on the same split, and a group that carries a wide part
of the score is named with both scores. Tables from ``tests/leak_tables.py``."""

from __future__ import annotations

import pytest
from leak_tables import max_of_sub_indices, no_leak, operator_power, peak_hours, sum_of_parts

from labkit.model import learning, problem, reliance
from labkit.model.reliance import (
    DROP_NEAR_PERFECT,
    DROP_WIDE,
    ColumnGroup,
    GroupScore,
    flag,
    is_flagged,
    stem_groups,
)


def _check(frame, target, key: str) -> reliance.Reliance:
    plan = problem.plan_evaluation(frame, target)
    split = problem.split_data(frame, target, plan)
    features, _ = problem.default_features(frame, target)
    return reliance.check_reliance(frame, target, features, key, split)


def _scores(drops: list[tuple[tuple[str, ...], float]], score_with: float) -> list[GroupScore]:
    return [
        GroupScore(ColumnGroup(columns, reliance.IMPORTANT), score_with - drop, drop, False)
        for columns, drop in drops
    ]


# ------------------------------------------------------------------------------ the tables
def test_a_total_that_is_the_sum_of_mostly_empty_parts_is_named_with_both_scores():
    frame, target = sum_of_parts(1000)
    result = _check(frame, target, "linear")
    assert result.score > 0.9
    [group] = result.flagged()
    assert group.group.reason == reliance.STEM
    assert set(group.group.columns) == {f"conso_m{m:02d}" for m in range(1, 11)}
    assert group.drop >= DROP_WIDE and group.score < 0.8
    [sentence] = result.sentences()
    assert "les 10 colonnes dont le nom commence par « conso_m »" in sentence
    assert reliance.shown_score(result.score, "r2") in sentence
    assert reliance.shown_score(group.score, "r2") + " sans" in sentence


def test_an_index_that_is_the_maximum_of_sub_indices_is_near_perfect_and_named():
    frame, target = max_of_sub_indices(1000)
    result = _check(frame, target, "boosting")
    assert result.near_perfect
    [group] = result.flagged()  # the sub-indices together, not each again
    assert set(group.group.columns) == {
        f"sous_indice_{p}" for p in ("no2", "o3", "pm10", "pm25", "so2")
    }
    assert any(g.group.columns == ("sous_indice_o3",) for g in result.groups)
    [sentence] = result.sentences()
    assert sentence.startswith("Score presque parfait pour « Gradient boosting » : ")
    assert "%" in sentence and " sans." in sentence


def test_the_lowered_alarm_catches_a_leak_under_98_percent():
    frame, target = max_of_sub_indices(1000)
    comparison = learning.compare(frame, target, models=["boosting"])
    assert 0.95 <= comparison.best().score < 0.99
    assert learning.suspicious_score(comparison).startswith("Score presque parfait")
    assert learning.SUSPICIOUS_SCORE < 0.978  # the real file's accuracy


def test_a_category_that_nearly_fixes_the_target_is_named():
    frame, target = operator_power(1000)
    result = _check(frame, target, "tree")
    assert not result.near_perfect
    [group] = result.flagged()
    assert group.group.columns == ("operateur",) and group.group.reason == reliance.IMPORTANT
    [sentence] = result.sentences()
    assert sentence.startswith("Le modèle « Arbre de décision » obtient ")
    assert "avec « operateur », et seulement " in sentence


def test_peak_hours_measured_with_the_daily_mean_are_named_together():
    frame, target = peak_hours(1000)
    result = _check(frame, target, "linear")
    assert [g.group.columns for g in result.flagged()] == [("hp_matin", "hp_soir")]


@pytest.mark.parametrize("key", ["linear", "tree", "boosting"])
def test_a_table_without_leak_says_nothing(key):
    frame, target = no_leak(1000)
    result = _check(frame, target, key)
    assert result.groups  # the check ran…
    assert result.flagged() == [] and result.sentences() == []  # …and found nothing to say
    assert result.to_dict()["flagged"] is False


def test_the_check_is_bounded_and_reported_as_plain_values():
    frame, target = max_of_sub_indices(600)
    steps = []
    plan = problem.plan_evaluation(frame, target)
    split = problem.split_data(frame, target, plan)
    features, _ = problem.default_features(frame, target)
    result = reliance.check_reliance(
        frame, target, features, "tree", split, progress=lambda f, m: steps.append((f, m))
    )
    assert len(result.groups) <= reliance.MAX_GROUPS
    assert steps[0][0] == 0 and steps[-1][0] == 1.0
    assert steps[0][1].startswith("Contrôle des colonnes utilisées (1 sur ")
    data = result.to_dict()
    assert set(data) >= {"model", "metric", "score", "baseline", "groups", "thresholds"}
    assert data["thresholds"]["drop"] == DROP_WIDE
    assert {"columns", "reason", "score_without", "drop", "flagged"} <= set(data["groups"][0])
    # no time left: every group is counted as not checked, none is refitted
    late = reliance.check_reliance(frame, target, features, "tree", split, budget=0.0)
    assert late.groups == [] and late.unchecked and late.flagged() == []


# ------------------------------------------------------------------------------ the rule
def test_a_wide_fall_is_flagged_from_its_threshold_on():
    assert DROP_WIDE == 0.15
    assert is_flagged(0.80, 0.65)
    assert not is_flagged(0.80, 0.651)
    assert is_flagged(0.60, 0.30)


def test_a_near_perfect_score_flags_what_costs_it_most_from_five_points_on():
    assert DROP_NEAR_PERFECT == 0.05
    scores = _scores([(("a",), 0.05), (("b",), 0.03)], 0.97)
    flag(scores, 0.97, baseline=0.5)
    assert [s.flagged for s in scores] == [True, False]
    scores = _scores([(("a",), 0.049)], 0.97)
    flag(scores, 0.97, baseline=0.5)
    assert not scores[0].flagged
    scores = _scores([(("a",), 0.10)], 0.94)  # not near perfect: 10 points say nothing
    flag(scores, 0.94, baseline=0.5)
    assert not scores[0].flagged


def test_a_group_inside_a_wider_flagged_group_is_not_named_twice():
    scores = _scores([(("a", "b", "c"), 0.5), (("a",), 0.2), (("d",), 0.2)], 0.9)
    flag(scores, 0.9, baseline=0.3)
    assert [s.flagged for s in scores] == [True, False, True]


def test_near_perfect_needs_95_and_half_the_baseline_errors():
    assert learning.near_perfect(0.95, 0.5)
    assert not learning.near_perfect(0.949, 0.5)
    assert not learning.near_perfect(0.96, 0.95)  # the majority class alone is right 95 %
    assert learning.near_perfect(0.975, 0.95)
    assert learning.near_perfect(0.97, -0.01)  # an R² against the mean


# ------------------------------------------------------------------------------ the groups
def test_columns_sharing_a_stem_are_grouped_once_but_never_all_columns():
    groups = stem_groups(
        ["hp_matin", "hp_soir", "temperature", "sous_indice_o3", "sous_indice_no2"]
    )
    found = {g.columns: g.stem for g in groups}
    assert found == {
        ("hp_matin", "hp_soir"): "hp",
        ("sous_indice_o3", "sous_indice_no2"): "sous_indice",
    }
    assert stem_groups(["hp_matin", "hp_soir"]) == []  # every column: nothing left to learn from
    assert stem_groups(["a", "b"]) == []


def test_category_columns_that_say_the_same_thing_are_dropped_together():
    """Bike shelters (Nantes Métropole, in the corpus): the conditions, the operator and the
    opening hours each tell a « consigne » from a « collectif »; dropped one by one, the others
    make up for it. Grouped by their association, they are dropped together."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    rows = 600
    kind = rng.choice(["Consigne", "Collectif"], rows, p=[0.4, 0.6])
    consigne = kind == "Consigne"
    frame = pd.DataFrame(
        {
            "conditions": np.where(
                consigne, "Accès libre", rng.choice(["Payant", "Abonnés"], rows)
            ),
            "exploitant": np.where(consigne, "JC Decaux", rng.choice(["Ville", "Effia"], rows)),
            "ouverture": np.where(consigne, "7/7j 24h/24h", rng.choice(["6h-22h", "7h-20h"], rows)),
            "capacite": rng.integers(4, 40, rows),
            "quartier": rng.choice(["Nord", "Sud", "Est", "Ouest"], rows),
            "modele": kind,
        }
    )
    groups = reliance.associated_categories(
        frame, ["conditions", "exploitant", "ouverture", "capacite", "quartier"], {}
    )
    assert [set(g.columns) for g in groups] == [{"conditions", "exploitant", "ouverture"}]
    result = _check(frame, "modele", "tree")
    assert {"conditions", "exploitant", "ouverture"} <= set(result.flagged_columns())
    assert "quartier" not in result.flagged_columns()


def test_the_question_speaks_of_one_column_or_of_several():
    """Read on the Rennes traffic file: one flagged column was asked « Ces colonnes sont-elles
    connues… »."""
    assert reliance.question(["averagevehiclespeed"]).startswith("Cette colonne est-elle connue")
    assert reliance.question(["hp_matin", "hp_soir"]).startswith("Ces colonnes sont-elles connues")
