"""What module 05 and ``datalab train`` say matches the data (issue 12 items 1 and 7, issue 13's
training side), on tables made here: columns that decide the target together are named and a
near-perfect score is called suspicious; rare classes can be grouped or the folds lowered in 05
itself; infinities, a date target and an empty target get a French refusal, never a traceback."""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest
from test_truth_quality import POLLUTANTS, air_quality

from labkit.data.selection import DatasetChoice
from labkit.errors import DatalabError
from labkit.learner import preparation
from labkit.learner.dataset import save_choice
from labkit.model import learning, problem
from labkit.prepare import recipe as rc


def _find(widget, cls: str, kind=widgets.Button) -> list:
    found = []

    def walk(w):
        if isinstance(w, kind) and cls in w._dom_classes:
            found.append(w)
        for child in getattr(w, "children", ()) or ():
            walk(child)

    walk(widget)
    return found


def _text(widget) -> str:
    parts = []

    def walk(w):
        if isinstance(w, widgets.HTML):
            parts.append(w.value)
        for child in getattr(w, "children", ()) or ():
            walk(child)

    walk(widget)
    return "\n".join(parts)


def _enough(frame: pd.DataFrame, target: str = "indice_global") -> pd.DataFrame:
    """The table with rare classes grouped when there are some (5 folds need 6 rows a class)."""
    if problem.rare_classes(frame, target, 5):
        frame, _ = problem.group_rare_classes(frame, target, 5)
    return frame


def _choose(workspace, frame: pd.DataFrame, target: str) -> None:
    choice = DatasetChoice("upload", None, "mon_fichier.csv", target, filename="mon_fichier.csv")
    save_choice(workspace, choice, frame)


# ----------------------------------------------------------------------------- pure layer
def test_infinities_are_refused_in_french():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(0, 1, 100), "cible": rng.choice(["a", "b"], 100)})
    frame.loc[3, "x"] = np.inf
    with pytest.raises(DatalabError) as caught:
        problem.check_choice(frame, "cible", ["x"])
    assert "valeur(s) infinie(s)" in caught.value.message and "« x »" in caught.value.message
    frame = pd.DataFrame({"x": rng.normal(0, 1, 100), "cible": rng.normal(0, 1, 100)})
    frame.loc[5, "cible"] = -np.inf
    with pytest.raises(DatalabError) as caught:
        learning.compare(frame, "cible", ["x"])
    assert caught.value.key == "learning.target_infinite"


def test_a_date_target_is_refused_in_french():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "x": rng.normal(0, 1, 100),
            "date_fin": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 300, 100), "D"),
        }
    )
    with pytest.raises(DatalabError) as caught:
        learning.compare(frame, "date_fin", ["x"])
    assert caught.value.key == "learning.target_is_date"
    assert "est une date" in caught.value.message


def test_an_empty_target_is_named_not_an_empty_table():
    rng = np.random.default_rng(2)
    raw = pd.DataFrame({"x": rng.normal(0, 1, 300), "cible": [None] * 300})
    with pytest.raises(DatalabError) as caught:
        problem.check_choice(raw, "cible", ["x"])
    assert "entièrement vide sur les 300 lignes" in caught.value.message
    with pytest.raises(DatalabError) as caught:  # after a recipe removed the rows without target
        problem.check_cleaned(raw, raw.iloc[:0], "cible")
    assert caught.value.key == "learning.target_all_empty"
    assert "Le tableau est vide" not in caught.value.message


def test_rare_classes_grouped_or_fewer_folds():
    rng = np.random.default_rng(3)
    rows = 200
    frame = pd.DataFrame(
        {
            "x": rng.normal(0, 1, rows),
            "etat": rng.choice(["Moyen", "Mauvais"], rows),
        }
    )
    frame.loc[:2, "etat"] = "Bon"  # 3 rows only
    with pytest.raises(DatalabError) as caught:
        problem.plan_evaluation(frame, "etat", folds=5)
    assert "« Autres »" in caught.value.hint and "moins de plis" in caught.value.hint
    assert problem.rare_classes(frame, "etat", 5) == ["Bon"]
    assert problem.fewest_folds_possible(frame, "etat") == 2
    problem.plan_evaluation(frame, "etat", folds=2)
    grouped, grouping = problem.group_rare_classes(frame, "etat", 5)
    assert (
        grouping.label == "Autres"
        and set(grouping.mapping) == {"Bon", "Moyen"}
        or set(grouping.mapping) == {"Bon"}
    )
    assert "Autres" in set(grouped["etat"]) and "Bon" not in set(grouped["etat"])
    problem.plan_evaluation(grouped, "etat", folds=5)
    text = grouping.explanation("etat")
    assert "ne saura plus les distinguer" in text


def test_a_near_perfect_score_is_called_suspicious():
    frame = _enough(air_quality(800).drop(columns=["date"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        comparison = learning.compare(frame, "indice_global", models=["boosting"])
    text = learning.suspicious_score(comparison, ["sous_indice_o3"])
    assert text and text.startswith("Score presque parfait") and "« sous_indice_o3 »" in text
    noisy = air_quality(800, seed=4).drop(
        columns=["date", *[f"sous_indice_{p}" for p in POLLUTANTS]]
    )
    noisy = _enough(noisy)
    assert (
        learning.suspicious_score(learning.compare(noisy, "indice_global", models=["tree"])) is None
    )


# ----------------------------------------------------------------------------- module 05 view
def test_module_05_names_the_leaking_columns_and_unchecks_them(workspace):
    from labkit.ui.module05 import Module05App

    frame = _enough(air_quality(600))
    _choose(workspace, frame, "indice_global")
    preparation.save_recipe(workspace, rc.Recipe())  # the learner kept every column in module 04
    app = Module05App(workspace)
    view = app.choice()
    text = _text(view)
    assert "Des colonnes qui donnent la réponse" in text
    for p in POLLUTANTS:
        assert f"« sous_indice_{p} »" in text
    [button] = _find(view, "dl-uncheck-leaks")
    button.click()
    assert not {f"sous_indice_{p}" for p in POLLUTANTS} & set(app.state.features)
    assert "temperature" in app.state.features


def test_module_05_offers_to_group_rare_classes_or_lower_the_folds(workspace):
    from labkit.ui.module05 import Module05App

    rng = np.random.default_rng(5)
    rows = 240
    frame = pd.DataFrame(
        {
            "surface": rng.gamma(3, 40, rows).round(1),
            "quartier": rng.choice(["Centre", "Gare", "Port"], rows),
            "etat": rng.choice(["Moyen", "Mauvais", "Dégradé"], rows),
        }
    )
    frame.loc[:2, "etat"] = "Bon"
    _choose(workspace, frame, "etat")
    app = Module05App(workspace)
    view = app.evaluation()
    text = _text(view)
    assert "Des classes trop rares pour cette évaluation" in text and "« Bon »" in text
    [group] = _find(view, "dl-group-rare")
    [fewer] = _find(view, "dl-fewer-folds")
    assert group.description == "Regrouper les classes rares en « Autres »"
    assert fewer.description == "Passer à 2 plis"
    fewer.click()
    assert app.state.folds == 2 and app.state.plan().folds == 2
    app.state.folds = 5
    group.click()
    assert app.state.grouping is not None and "Autres" in set(app.state.clean["etat"])
    assert app.state.plan().folds == 5
    assert "Regroupement en cours" in _text(view)
    recipe = app.state.model_recipe()
    assert recipe["steps"][-1]["action"] == "merge_categories"
    assert app.state.base_clean["etat"].eq("Bon").sum() == 3  # the learner's table is unchanged


def test_module_05_says_the_recipe_removed_every_row_not_that_the_table_is_empty(workspace):
    from labkit.ui.module05 import Module05App

    rng = np.random.default_rng(6)
    frame = pd.DataFrame(
        {
            "x": rng.normal(0, 1, 300),
            "y": rng.normal(0, 1, 300),
            "cible": rng.choice(["a", "b"], 300),
        }
    )
    _choose(workspace, frame, "cible")
    recipe = rc.Recipe([rc.Step("filter_rows", {"column": "x", "operator": ">", "value": 1000})])
    preparation.save_recipe(workspace, recipe)
    app = Module05App(workspace)
    text = _text(app.choice())
    assert (
        "Le fichier compte 300 lignes, mais la recette de nettoyage les a toutes retirées" in text
    )
    assert "Le tableau est vide" not in text


def _compare_page(workspace, frame, target):
    from labkit.ui.module05 import Module05App

    _choose(workspace, frame, target)
    preparation.save_recipe(workspace, rc.Recipe())
    view = Module05App(workspace).comparison()
    [button] = _find(view, "dl-compare")
    button.click()
    return view


def test_module_05_asks_whether_the_columns_it_relies_on_are_known_quoting_the_canvas(workspace):
    from leak_tables import peak_hours

    from labkit.learner import course

    course.save_canvas(
        workspace, {"donnees": "Les comptages de la veille,\n la météo prévue et le calendrier."}
    )
    frame, target = peak_hours(600)
    text = _text(_compare_page(workspace, frame, target))
    assert "Ce que le modèle utilise vraiment" in text
    assert "avec les 2 colonnes dont le nom commence par « hp », et seulement " in text
    assert "Ces colonnes sont-elles connues au moment où la décision est prise ?" in text
    assert (
        "vous avez noté comme données disponibles au moment de la décision : « Les comptages de"
        " la veille, la météo prévue et le calendrier. »"
    ) in text


def test_module_05_links_to_the_canvas_when_nothing_is_written_and_says_nothing_without_leak(
    workspace,
):
    from leak_tables import no_leak, peak_hours

    frame, target = peak_hours(600)
    text = _text(_compare_page(workspace, frame, target))
    assert "notez dans votre fiche projet quelles données sont disponibles" in text
    assert "ouvrir le module « " in text and "02_cadrage" in text
    frame, target = no_leak(600)
    text = _text(_compare_page(workspace, frame, target))
    assert "Ce que le modèle utilise vraiment" not in text
