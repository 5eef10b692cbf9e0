"""Module 05 bias audit: metrics per group, gaps, small groups, readings, bad choices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.errors import DatalabError
from labkit.model import fairness as F
from labkit.model import learning, problem


def crafted(n_a: int = 60, n_b: int = 60, n_c: int = 5):
    """Group A: always right. Group B: half wrong, and never told « oui ». Group C: tiny."""
    actual, predicted, groups = [], [], []
    for i in range(n_a):
        value = "oui" if i % 2 else "non"
        actual.append(value)
        predicted.append(value)
        groups.append("A")
    for i in range(n_b):
        actual.append("oui" if i % 2 else "non")
        predicted.append("non")
        groups.append("B")
    for _ in range(n_c):
        actual.append("oui")
        predicted.append("oui")
        groups.append("C")
    return pd.Series(actual), pd.Series(predicted), pd.Series(groups)


def test_metrics_per_group_with_fairlearn():
    audit = F.audit(*crafted(), problem.CLASSIFICATION, positive="oui", column="quartier")
    by_group = audit.by_group
    assert list(by_group.index) == ["A", "B", "C"]
    assert by_group.loc["A", "accuracy"] == 1.0 and by_group.loc["B", "accuracy"] == 0.5
    assert by_group.loc["B", "selection"] == 0.0 and by_group.loc["A", "selection"] == 0.5
    assert by_group.loc["B", "recall"] == 0.0 and by_group.loc["A", "recall"] == 1.0
    assert by_group["count"].tolist() == [60, 60, 5]
    assert list(audit.table.columns[:2]) == ["groupe", "lignes de test"]
    assert "part des réponses « oui »" in audit.table.columns


def test_gaps_are_highlighted_and_read_for_citizens():
    audit = F.audit(*crafted(), problem.CLASSIFICATION, positive="oui", column="quartier")
    large = {g.metric: g for g in audit.large_gaps()}
    assert set(large) == {"error", "selection", "recall"}
    assert large["error"].high_group == "B" and large["error"].gap == pytest.approx(0.5)
    assert "50\u00a0points" in large["error"].text
    readings = " ".join(audit.readings)
    assert "se trompe plus souvent pour le groupe « B »" in readings
    assert "oubliées" in readings and "droit" in readings
    assert "discrimination" in audit.caution


def test_small_groups_are_flagged_and_kept_out_of_the_gaps():
    audit = F.audit(*crafted(), problem.CLASSIFICATION, positive="oui", column="quartier")
    assert audit.small_groups == ["C"]
    assert "« C » ne compte que 5 ligne(s)" in audit.notes[0]
    assert all("C" not in (g.low_group, g.high_group) for g in audit.gaps)


def test_no_gap_is_said_plainly_without_claiming_there_is_no_bias():
    actual, predicted, groups = crafted(60, 0, 0)
    groups = pd.Series(["A", "A", "B", "B"] * 15)
    audit = F.audit(actual, predicted, groups, problem.CLASSIFICATION, positive="oui", column="x")
    assert not audit.large_gaps()
    assert "ne prouve pas l’absence de biais" in audit.readings[-1]


def test_regression_audit_compares_errors_and_systematic_bias():
    actual = pd.Series([10.0] * 40 + [10.0] * 40)
    predicted = pd.Series([11.0, 9.0] * 20 + [16.0] * 40)
    groups = pd.Series(["Centre"] * 40 + ["Coteaux"] * 40)
    audit = F.audit(actual, predicted, groups, problem.REGRESSION, column="quartier")
    gap = audit.large_gaps()[0]
    assert gap.metric == "mae" and gap.high_group == "Coteaux"
    readings = " ".join(audit.readings)
    assert "« Coteaux »" in readings and "prédit en moyenne plus" in readings


def test_numbers_with_many_values_are_cut_into_quartiles_in_order():
    values = pd.Series(list(range(100)) + [np.nan], name="revenu")
    groups = F.group_values(values)
    assert groups.nunique() == 5
    order = list(groups.cat.categories)
    assert order[0].startswith("de 0 à") and order[-1] == "(non renseigné)"


@pytest.mark.parametrize(
    "key, call",
    [
        (
            "learning.fairness_one_group",
            lambda: F.audit(["a", "b"], ["a", "a"], ["G", "G"], "classification"),
        ),
        (
            "learning.fairness_length",
            lambda: F.audit(["a", "b"], ["a"], ["G", "H"], "classification"),
        ),
        (
            "learning.fairness_too_many_groups",
            lambda: F.group_values(pd.Series([f"v{i}" for i in range(40)], name="commune")),
        ),
    ],
)
def test_bad_audits_are_french_errors(key, call):
    with pytest.raises(DatalabError) as excinfo:
        call()
    assert excinfo.value.key == key


def test_audit_of_a_trained_model_on_the_test_rows():
    rng = np.random.default_rng(0)
    n = 400
    frame = pd.DataFrame(
        {
            "quartier": rng.choice(["Nord", "Sud"], n),
            "revenu": rng.normal(1500, 300, n),
        }
    )
    frame["cible"] = np.where(frame["revenu"] + rng.normal(0, 200, n) > 1500, "oui", "non")
    plan = problem.plan_evaluation(frame, "cible")
    split = problem.split_data(frame, "cible", plan)
    trained = learning.train(frame, "cible", ["revenu"], "linear", split=split)
    audit = F.audit_model(trained, frame, split, "quartier")
    assert audit.by_group["count"].sum() == len(split.test_index)
    assert audit.column == "quartier"
    for key in ("learning.fairness_no_column", "learning.fairness_column_is_target"):
        column = None if key.endswith("no_column") else "cible"
        with pytest.raises(DatalabError) as excinfo:
            F.audit_model(trained, frame, split, column)
        assert excinfo.value.key == key
    with pytest.raises(DatalabError):
        F.audit_model(trained, frame, split, "absente")


def test_candidate_columns_put_the_dataset_groups_first():
    frame = pd.DataFrame(
        {
            "id": [f"x{i}" for i in range(50)],
            "age": range(50),
            "quartier": ["a", "b"] * 25,
            "famille": ["c", "d"] * 25,
            "cible": ["oui", "non"] * 25,
        }
    )
    assert F.candidate_columns(frame, "cible", ["famille"]) == ["famille", "age", "quartier"]


def test_with_every_group_too_small_nothing_is_concluded():
    """Groups all under the minimum of test rows: the gaps are shown but no reading draws a
    conclusion that the notes then contradict."""
    actual = ["oui", "non"] * 6
    predicted = ["oui", "non", "non", "non", "oui", "oui"] + ["oui", "non"] * 3
    groups = ["1"] * 6 + ["2"] * 6
    audit = F.audit(actual, predicted, groups, problem.CLASSIFICATION, positive="oui", min_group=10)
    assert len(audit.notes) == 2 and all("trop peu pour conclure" in n for n in audit.notes)
    assert audit.readings == [
        "Moins de deux groupes comptent au moins 10 lignes de test : les écarts ci-dessous ne "
        "permettent pas de conclure. Pour juger, il faudrait plus de dossiers par groupe "
        "(davantage de données, ou des groupes moins nombreux)."
    ]
    assert not any(gap.large for gap in audit.gaps)


def test_an_error_gap_is_read_against_the_size_of_each_groups_values():
    """Issue 21: « les prédictions sont moins fiables pour ce groupe » came from absolute errors
    where relative errors said the opposite (an error of 40 on 1 000 against 10 on 50)."""
    big = pd.Series([1000.0] * 40)
    small = pd.Series([50.0] * 40)
    actual = pd.concat([big, small], ignore_index=True)
    predicted = pd.concat([big + [40.0, -40.0] * 20, small + [10.0, -10.0] * 20], ignore_index=True)
    groups = pd.Series(["Métropole"] * 40 + ["Village"] * 40)
    audit = F.audit(actual, predicted, groups, problem.REGRESSION, column="commune")
    gap = audit.large_gaps()[0]
    assert gap.metric == "mae" and gap.high_group == "Métropole"
    reading = audit.readings[0].replace("\u202f", " ").replace("\u00a0", " ")
    assert "4 %" in reading and "20 %" in reading
    assert "ne sont pas moins fiables pour « Métropole »" in reading
    # the same errors on values of the same size: less reliable in value and in proportion
    same = F.audit(
        pd.Series([100.0] * 80),
        pd.Series([140.0, 60.0] * 20 + [110.0, 90.0] * 20),
        groups,
        problem.REGRESSION,
        column="commune",
    )
    assert "en valeur comme en proportion" in same.readings[0]
