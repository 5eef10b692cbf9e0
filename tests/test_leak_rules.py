"""Module 04's leak checks added on the real-data corpus (issue 21), on tables made here: a count
equal to the target on most rows, and a first name that gives the sex away — and the tables
where the same figures would mislead (counts equal by chance, one person's name every year)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from leak_tables import (
    bike_shelters,
    elected_officials,
    officials_each_year,
    records_and_equipments,
)

from labkit.prepare import leaks, quality

TODAY = pd.Timestamp("2025-06-01")


def _leaks(frame: pd.DataFrame, target: str) -> dict[str, dict]:
    report = quality.assess(frame, target=target, today=TODAY)
    return {c: f for f in report.by_kind("leakage") for c in f.columns}


def test_a_count_equal_to_the_target_on_most_rows_is_a_leak():
    frame, target = records_and_equipments()
    found = _leaks(frame, target)
    assert list(found) == ["Nombre de fiches"]
    finding = found["Nombre de fiches"]
    assert finding.details["reason"] == "equal"
    assert finding.message.startswith(
        "« Nombre de fiches » a exactement la même valeur que la cible « Nombre d'équipements »"
        " sur 87 % des lignes"
    )
    assert finding.fix.action == "drop_column"


def test_a_count_equal_to_the_target_on_few_rows_or_by_chance_is_not():
    frame, target = records_and_equipments(equal=0.6)
    assert _leaks(frame, target) == {}
    rng = np.random.default_rng(0)
    rows = 1500
    mostly_one = pd.DataFrame(  # two counts that are 1 on 95 % of rows: equal on 90 % by chance
        {
            "a": np.where(rng.random(rows) < 0.95, 1, rng.integers(2, 9, rows)),
            "b": rng.normal(0, 1, rows),
            "y": np.where(rng.random(rows) < 0.95, 1, rng.integers(2, 9, rows)),
        }
    )
    assert (mostly_one["a"] == mostly_one["y"]).mean() >= leaks.EQUAL_SHARE
    assert _leaks(mostly_one, "y") == {}


def test_equal_share_and_chance():
    y = np.array([1, 2, 3, 4, 5] * 10, dtype="float64")
    assert leaks._equal_share(y.copy(), y) == 1.0
    x = y.copy()
    x[:12] += 1  # 12 of 50 differ
    assert leaks._equal_share(x, y) is None
    x = y.copy()
    x[:8] += 1
    assert leaks._equal_share(x, y) == 0.84
    assert leaks._equal_share(np.ones(50), np.ones(50)) is None  # equal by chance alone


def test_a_first_name_shared_by_many_people_gives_the_sex_away():
    frame, target = elected_officials()
    found = _leaks(frame, target)
    assert list(found) == ["Prénom de l'élu"]  # personal data, still named as a leak
    finding = found["Prénom de l'élu"]
    assert finding.details["reason"] == "shared"
    assert finding.message.startswith(
        "Chaque valeur de « Prénom de l'élu » revient chez plusieurs personnes, presque toujours"
        " avec la même cible « Code sexe » : sur des lignes mises de côté"
    )
    report = quality.assess(frame, target=target, today=TODAY)
    assert [f.columns for f in report.by_kind("personal_data") if "Prénom" in f.columns[0]]


def test_a_first_name_repeated_because_the_same_person_comes_back_each_year_is_not_a_leak(
    monkeypatch,
):
    frame, target = officials_each_year()
    report = quality.assess(frame, target=target, today=TODAY)
    found = {f.columns[0]: f.details["category"] for f in report.by_kind("personal_data")}
    assert found["Prénom"] == "first_name"
    assert _leaks(frame, target) == {}
    # without the check that the repeated rows are one record written again, it would be
    monkeypatch.setattr(leaks, "ENTITY_SHARE", 1.1)
    assert list(_leaks(frame, target)) == ["Prénom"]


def test_a_label_is_judged_only_on_held_out_rows_whose_value_was_seen():
    frame, target = elected_officials()
    goal = leaks._Target(frame[target], "classification", None)
    names = frame["Prénom de l'élu"].astype("string")
    assert leaks._shared_label_score(goal, names) == 1.0
    # one value per row, but for one row in ten: a held-out row's value was almost never seen
    rare = pd.Series([f"{n} {i if i % 10 else 0}" for i, n in enumerate(names)])
    assert leaks._shared_label_score(goal, rare.astype("string")) == 0.0


def test_the_answer_written_in_a_text_is_a_leak():
    frame, target = bike_shelters()
    found = _leaks(frame, target)
    assert list(found) == ["Nom"]
    finding = found["Nom"]
    assert finding.details["reason"] == "written"
    assert finding.message.startswith(
        "La réponse est écrite dans « Nom » : sur les lignes où le nom d’une valeur de la cible"
        " « Modèle » y figure en toutes lettres, c’est la bonne dans 100 % des cas."
    )
    # case and accents aside, as a whole word
    frame["Nom"] = frame["Nom"].str.replace("collectif", "COLLÉCTIF")
    assert list(_leaks(frame, target)) == ["Nom"]


def test_an_answer_written_on_few_rows_or_often_wrong_is_not_a_leak():
    frame, target = bike_shelters(written=0.15)  # 6 % of the rows
    assert _leaks(frame, target) == {}
    frame, target = bike_shelters()
    rng = np.random.default_rng(0)
    wrong = (frame[target] == "Consigne") & (rng.random(len(frame)) < 0.1)
    frame.loc[wrong, "Nom"] += " collectif"  # « collectif » on some « Consigne » too
    assert _leaks(frame, target) == {}
    frame, target = bike_shelters()
    frame["Nom"] = frame["Nom"].str.replace("collectif", "collectifs")  # another word
    assert _leaks(frame, target) == {}


def test_personal_data_and_short_class_names_are_not_searched():
    frame, target = bike_shelters()
    frame["Contact"] = [  # e-mail addresses are personal data, kept out of the search
        f"{k.lower()}.{i}@exemple.fr" for i, k in enumerate(frame[target])
    ]
    frame = frame.drop(columns="Nom")
    assert _leaks(frame, target) == {}
    goal = leaks._Target(pd.Series(["A", "B"] * 50), "classification", None)
    assert leaks._written(goal, pd.Series(["type A", "type B"] * 50)) is None
    goal = leaks._Target(pd.Series(["Ouest", "Est"] * 50), "classification", None)
    assert leaks._written(goal, pd.Series(["rive Ouest", "rive Est"] * 50)) == 1.0
