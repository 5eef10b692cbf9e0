"""Module 05 explanations: importance, tree rules in French, the formula, one prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labkit.errors import DatalabError
from labkit.model import explain as E
from labkit.model import learning, problem

REALDATA = Path(__file__).resolve().parent / "realdata"  # committed with their source and licence


def rule_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """``oui`` exactly when age > 40 and quartier is Nord; ``bruit`` is noise."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n)
    quartier = rng.choice(["Nord", "Sud"], n)
    bruit = rng.normal(size=n)
    cible = np.where((age > 40) & (quartier == "Nord"), "oui", "non")
    return pd.DataFrame({"age": age, "quartier": quartier, "bruit": bruit, "cible": cible})


@pytest.fixture(scope="module")
def fitted():
    frame = rule_frame()
    plan = problem.plan_evaluation(frame, "cible")
    split = problem.split_data(frame, "cible", plan)
    tree = learning.train(
        frame, "cible", ["age", "quartier", "bruit"], "tree", split=split, max_depth=2
    )
    return frame, split, tree


def test_importance_puts_the_driving_columns_first_and_noise_last(fitted):
    frame, split, tree = fitted
    table = E.importance(tree, frame, split)
    assert list(table.columns) == ["column", "importance", "std"]
    assert set(table["column"].head(2)) == {"age", "quartier"}
    assert table.iloc[-1]["column"] == "bruit" and abs(table.iloc[-1]["importance"]) < 0.01
    sentences = E.importance_sentences(table, "accuracy")
    assert len(sentences) == 2 and "mélange" in sentences[0] and "points" in sentences[0]


def _sklearn_importance(trained, frame, split) -> pd.DataFrame:
    from sklearn.inspection import permutation_importance

    test = split.test(frame)
    X = trained.inputs(test)
    y = problem.target_values(test[trained.target]).to_numpy()
    scoring = "accuracy" if trained.metric == "accuracy" else "r2"
    result = permutation_importance(
        trained.pipeline, X, y, scoring=scoring, n_repeats=5, random_state=0, n_jobs=1
    )
    return pd.DataFrame(
        {"column": X.columns, "importance": result.importances_mean, "std": result.importances_std}
    ).set_index("column")


@pytest.mark.parametrize("key", ["tree", "linear", "forest", "boosting", "formula", "knn"])
@pytest.mark.parametrize("table", ["running example", "schools (real, regression)"])
def test_importance_is_scikit_learns_computed_in_batches(key, table):
    """The shuffled copies are predicted together (several columns per call): the figures are
    scikit-learn's ``permutation_importance`` with the same seed, on the running example and on
    a real regression table (one call per column and repeat was 0.5-0.9 s, now 0.1-0.2 s)."""
    from labkit.data import selection
    from labkit.data.reader import read_table

    if table == "running example":
        _choice, frame = selection.default_choice()
        target = _choice.target
        features = ["commune", "age_enfant_mois", "quartier", "type_famille", "situation_emploi"]
        features += ["nb_enfants_foyer", "handicap_enfant", "quotient_familial", "places_quartier"]
    else:
        name = "c_ecoles_effectifs_ille_et_vilaine.csv"
        frame = read_table((REALDATA / name).read_bytes(), name).frame
        target = "Nombre total d'élèves"
        features = [
            c
            for c in frame.columns
            if c != target
            and (pd.api.types.is_numeric_dtype(frame[c]) or frame[c].nunique() <= 150)
            and frame[c].notna().mean() > 0.5
        ][:25]
    frame = frame.dropna(subset=[target])
    split = problem.split_data(frame, target, problem.plan_evaluation(frame, target))
    trained = learning.train(frame, target, features, key, split=split)
    ours = E.importance(trained, frame, split)
    theirs = _sklearn_importance(trained, frame, split)
    assert len(ours) == len(features)
    # k nearest neighbours: distances computed for several copies at once can differ in their
    # last bits, and a tie between two neighbours can then break the other way (≤ 1e-5 seen)
    tolerance = 1e-4 if key == "knn" else 1e-12
    ours = ours.set_index("column")
    assert np.allclose(ours["importance"], theirs.loc[ours.index, "importance"], atol=tolerance)
    assert np.allclose(ours["std"], theirs.loc[ours.index, "std"], atol=tolerance)


def test_importance_sentence_when_nothing_matters():
    table = pd.DataFrame({"column": ["a"], "importance": [0.0], "std": [0.0]})
    assert "Aucune colonne" in E.importance_sentences(table, "accuracy")[0]


def test_tree_rules_are_french_sentences_in_the_columns_units(fitted):
    _, split, tree = fitted
    rules = E.tree_rules(tree)
    assert len(rules) == 3  # Sud is pure at once: no more question
    assert sum(r.count for r in rules) == len(split.dev_index)
    text = " ".join(r.text for r in rules)
    assert "« age » dépasse 40" in text and "« age » vaut au plus 40" in text
    assert "« quartier » vaut « Nord »" in text and "« quartier » vaut « Sud »" in text
    yes = [r for r in rules if r.value == "oui"]
    assert len(yes) == 1 and yes[0].share == 1.0
    assert yes[0].text.startswith("Si ") and "alors le modèle répond « oui » (100" in yes[0].text


def test_shallow_tree_is_shallow_and_other_models_have_no_rules(fitted):
    frame, split, _ = fitted
    tree = E.shallow_tree(frame, "cible", ["age", "quartier", "bruit"], split=split, depth=1)
    assert len(E.tree_rules(tree)) == 2
    assert tree.pipeline.named_steps["model"].get_depth() == 1
    forest = learning.train(frame, "cible", ["age", "quartier"], "forest", split=split)
    assert E.tree_rules(forest) == [] and E.formula(forest) is None


def test_formula_of_a_regression_is_in_the_original_units():
    rng = np.random.default_rng(1)
    surface = rng.uniform(20, 200, 200)
    frame = pd.DataFrame(
        {
            "surface": surface,
            "type": rng.choice(["école", "mairie"], 200),
            "bruit": rng.normal(size=200),
        }
    )
    frame["conso"] = 3 * frame["surface"] + 50 * (frame["type"] == "école") + 20
    trained = learning.train(frame, "conso", ["surface", "type", "bruit"], "formula", max_terms=2)
    formula = E.formula(trained)
    line = formula.lines[0]
    assert line.startswith("conso prédit = ")
    assert "+ 3 × surface" in line and "50 si type vaut « " in line
    assert "bruit" not in line
    assert any("valeur typique" in n for n in formula.notes)
    terms = formula.terms[""]
    assert {t.column for t in terms} == {"surface", "type"}

    def by_hand(row) -> float:  # the formula recomputes the model's prediction
        total = formula.intercepts[""]
        for term in terms:
            if term.category is None:
                total += term.coef * row[term.column]
            elif row[term.column] == term.category:
                total += term.coef
        return total

    expected = trained.predict(frame.head(20))
    assert [by_hand(r) for _, r in frame.head(20).iterrows()] == pytest.approx(expected)


def test_formula_of_a_yes_no_target_says_how_to_read_the_score(fitted):
    frame, split, _ = fitted
    trained = learning.train(frame, "cible", ["age", "quartier", "bruit"], "formula", split=split)
    formula = E.formula(trained)
    assert len(formula.lines) == 1 and formula.lines[0].startswith("score = ")
    assert "« oui »" in formula.reading and "positif" in formula.reading
    assert "Coefficients arrondis" in formula.text


def test_formula_of_a_multiclass_target_has_one_score_per_class():
    rng = np.random.default_rng(2)
    x = rng.normal(size=300)
    frame = pd.DataFrame(
        {"x": x, "cible": np.select([x < -0.5, x > 0.5], ["bas", "haut"], "moyen")}
    )
    trained = learning.train(frame, "cible", ["x"], "formula")
    formula = E.formula(trained)
    assert len(formula.lines) == 3 and all("score de «" in line for line in formula.lines)
    assert "le plus élevé" in formula.reading


def test_explain_one_prediction_with_contributions_and_tree_path(fitted):
    frame, _, tree = fitted
    row = {"age": 60, "quartier": "Nord", "bruit": 0.0}
    explanation = E.explain_prediction(tree, row, frame=frame)
    assert explanation.prediction == "oui" and explanation.focus == "oui"
    assert explanation.probabilities["oui"] == pytest.approx(1.0)
    columns = [c.column for c in explanation.contributions]
    assert columns[-1] == "bruit" and abs(explanation.contributions[-1].effect) < 1e-9
    assert all(c.text.startswith(f"« {c.column} » = ") for c in explanation.contributions)
    assert explanation.path[-1].startswith("le modèle répond « oui »")
    assert "« age » dépasse 40" in explanation.path


def test_explain_a_regression_prediction_from_text_typed_in_a_form():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"surface": rng.uniform(20, 200, 200), "age": rng.integers(0, 80, 200)})
    frame["conso"] = 3 * frame["surface"] + rng.normal(0, 5, 200)
    trained = learning.train(frame, "conso", ["surface", "age"], "linear")
    explanation = E.explain_prediction(trained, {"surface": "150", "age": "10"})
    assert explanation.prediction == pytest.approx(450, rel=0.05)
    assert explanation.contributions[0].column == "surface"
    assert "pousse vers le haut" in explanation.contributions[0].text
    assert explanation.path == []


def test_explaining_a_row_without_a_feature_is_a_french_error(fitted):
    _, _, tree = fitted
    with pytest.raises(DatalabError) as excinfo:
        E.explain_prediction(tree, {"age": 30})
    assert excinfo.value.key == "learning.missing_features"
    assert "quartier" in excinfo.value.message
