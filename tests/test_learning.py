"""Module 05 learning core: the task, impossible choices, the baseline and honest evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.errors import DatalabError
from labkit.model import catalogue, curves, display, formula, learning, problem


# ------------------------------------------------------------------------------ data
def signal_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """A yes/no target driven by ``revenu`` and ``quartier``; ``bruit`` is pure noise."""
    rng = np.random.default_rng(seed)
    revenu = rng.normal(1500, 400, n).round()
    quartier = rng.choice(["Nord", "Sud", "Est"], n)
    bruit = rng.normal(0, 1, n)
    score = (revenu - 1500) / 200 + np.where(quartier == "Nord", 1.5, -0.5)
    cible = np.where(score + rng.normal(0, 0.6, n) > 0, "oui", "non")
    return pd.DataFrame(
        {"revenu": revenu, "quartier": quartier, "bruit": bruit, "cible": cible},
        index=pd.RangeIndex(1000, 1000 + n),
    )


def noise_frame(n: int = 300, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.choice(list("xyz"), n),
            "cible": rng.choice(["oui", "non"], n, p=[0.3, 0.7]),
        }
    )


def regression_frame(n: int = 240, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    surface = rng.uniform(20, 200, n)
    age = rng.integers(0, 80, n)
    conso = 3 * surface + 0.5 * age + rng.normal(0, 15, n)
    return pd.DataFrame({"surface": surface, "age": age, "conso": conso})


def key_of(excinfo) -> str:
    return excinfo.value.key


# ------------------------------------------------------------------------------ task
def test_text_target_is_a_classification_explained_in_french():
    task = problem.detect_task(pd.Series(["oui", "non", "oui"], name="place"))
    assert task.kind == problem.CLASSIFICATION
    assert task.classes == ("non", "oui")
    assert task.positive == "oui"
    assert "classification" in task.explanation and "« place »" in task.explanation


def test_few_integer_values_are_categories_many_numbers_a_regression():
    assert (
        problem.detect_task(pd.Series([1, 2, 3, 1, 2] * 10, name="note")).kind
        == problem.CLASSIFICATION
    )
    task = problem.detect_task(pd.Series(np.linspace(0, 100, 50), name="conso"))
    assert task.kind == problem.REGRESSION
    assert "régression" in task.explanation and "100" in task.explanation


def test_boolean_target_becomes_oui_non():
    task = problem.detect_task(pd.Series([True, False, True], name="fuite"))
    assert task.kind == problem.CLASSIFICATION and task.classes == ("non", "oui")


# ------------------------------------------------------------------------------ bad choices
def test_every_impossible_choice_has_a_french_message():
    frame = signal_frame(100)
    cases = {
        "learning.no_rows": (frame.iloc[0:0], "cible", ["revenu"]),
        "learning.no_target": (frame, "", ["revenu"]),
        "learning.target_missing_column": (frame, "inconnue", ["revenu"]),
        "learning.no_features": (frame, "cible", []),
        "learning.feature_is_target": (frame, "cible", ["revenu", "cible"]),
        "learning.feature_missing_column": (frame, "cible", ["revenu", "absente"]),
    }
    for key, (data, target, features) in cases.items():
        with pytest.raises(DatalabError) as excinfo:
            problem.check_choice(data, target, features)
        assert key_of(excinfo) == key
        assert excinfo.value.message and "Traceback" not in str(excinfo.value)


def test_target_with_one_value_is_refused():
    frame = signal_frame(60).assign(cible="oui")
    with pytest.raises(DatalabError) as excinfo:
        problem.check_choice(frame, "cible", ["revenu"])
    assert key_of(excinfo) == "learning.target_one_value"
    assert "une seule valeur" in excinfo.value.message and "« oui »" in excinfo.value.message


def test_target_with_missing_values_is_refused_with_the_count():
    frame = signal_frame(60)
    frame.loc[frame.index[:4], "cible"] = None
    with pytest.raises(DatalabError) as excinfo:
        problem.check_choice(frame, "cible", ["revenu"])
    assert key_of(excinfo) == "learning.target_has_missing"
    assert "4 ligne" in excinfo.value.message and excinfo.value.hint


def test_a_feature_identical_to_the_target_is_refused_even_recoded():
    frame = signal_frame(80)
    frame["copie"] = frame["cible"].map({"oui": 1, "non": 0})
    with pytest.raises(DatalabError) as excinfo:
        problem.check_choice(frame, "cible", ["revenu", "copie"])
    assert key_of(excinfo) == "learning.feature_copies_target"
    assert "« copie »" in excinfo.value.message


def test_a_number_that_is_the_target_in_another_unit_is_refused():
    frame = regression_frame(80)
    frame["conso_mwh"] = frame["conso"] / 1000
    with pytest.raises(DatalabError) as excinfo:
        problem.check_choice(frame, "conso", ["surface", "conso_mwh"])
    assert key_of(excinfo) == "learning.feature_copies_target"


def test_continuous_columns_are_not_mistaken_for_copies():
    frame = regression_frame(80)
    assert problem.check_choice(frame, "conso", ["surface", "age"]).kind == problem.REGRESSION


def test_a_text_column_with_thousands_of_values_is_refused():
    frame = signal_frame(2400)
    frame["numero_dossier"] = [f"D-{i:05d}" for i in range(len(frame))]
    with pytest.raises(DatalabError) as excinfo:
        problem.check_choice(frame, "cible", ["revenu", "numero_dossier"])
    assert key_of(excinfo) == "learning.feature_too_many_values"
    assert "2400" in excinfo.value.message.replace("\u202f", "")


def test_an_empty_feature_is_refused():
    frame = signal_frame(60).assign(vide=np.nan)
    with pytest.raises(DatalabError) as excinfo:
        problem.check_choice(frame, "cible", ["revenu", "vide"])
    assert key_of(excinfo) == "learning.feature_empty"


def test_a_target_with_too_many_classes_is_refused():
    frame = pd.DataFrame({"x": range(300), "cible": [f"c{i % 30}" for i in range(300)]})
    with pytest.raises(DatalabError) as excinfo:
        problem.check_choice(frame, "cible", ["x"])
    assert key_of(excinfo) == "learning.target_too_many_classes"


def test_default_features_leave_aside_identifiers_constants_and_copies_with_reasons():
    frame = signal_frame(200)
    frame["id"] = [f"X{i}" for i in range(len(frame))]
    frame["commune"] = "Val-de-Loire"
    frame["copie"] = frame["cible"].map({"oui": "O", "non": "N"})
    features, excluded = problem.default_features(frame, "cible")
    assert features == ["revenu", "quartier", "bruit"]
    reasons = dict(excluded)
    assert set(reasons) == {"id", "commune", "copie"}
    assert "identifiant" in reasons["id"] and "une seule valeur" in reasons["commune"]


# ------------------------------------------------------------------------------ evaluation plan
def test_too_few_rows_for_the_evaluation():
    with pytest.raises(DatalabError) as excinfo:
        problem.plan_evaluation(signal_frame(20), "cible")
    assert key_of(excinfo) == "learning.too_few_rows"
    assert "20 lignes" in excinfo.value.message


def test_a_class_too_rare_for_the_folds_is_named():
    frame = signal_frame(120)
    frame.loc[frame.index[:3], "cible"] = "peut-être"
    with pytest.raises(DatalabError) as excinfo:
        problem.plan_evaluation(frame, "cible", folds=5)
    assert key_of(excinfo) == "learning.too_few_rows_class"
    assert "« peut-être »" in excinfo.value.message and "3 ligne" in excinfo.value.message
    assert problem.plan_evaluation(frame, "cible", folds=2).folds == 2  # fewer folds: possible


@pytest.mark.parametrize("folds", [1, 11, "5", 2.5, True, None])
def test_bad_number_of_folds(folds):
    with pytest.raises(DatalabError) as excinfo:
        problem.plan_evaluation(signal_frame(100), "cible", folds=folds)
    assert key_of(excinfo) == "learning.bad_folds"


@pytest.mark.parametrize("share", [0, 0.05, 0.9, "vingt", None])
def test_bad_test_share(share):
    with pytest.raises(DatalabError) as excinfo:
        problem.plan_evaluation(signal_frame(100), "cible", test_share=share)
    assert key_of(excinfo) == "learning.bad_test_share"


def test_small_tables_get_more_repeats_and_classifications_are_stratified():
    small = problem.plan_evaluation(signal_frame(150), "cible")
    large = problem.plan_evaluation(signal_frame(3000), "cible")
    assert small.repeats == 3 and large.repeats == 1
    assert small.stratified and not problem.plan_evaluation(regression_frame(), "conso").stratified
    text = small.describe(150)
    assert "30 lignes" in text and "5 plis" in text and "répétée 3 fois" in text


def test_the_split_is_disjoint_complete_stratified_and_reproducible():
    frame = signal_frame(300)
    plan = problem.plan_evaluation(frame, "cible")
    split = problem.split_data(frame, "cible", plan)
    dev, test = set(split.dev_index), set(split.test_index)
    assert not dev & test and dev | test == set(frame.index)
    assert len(test) == 60
    share_all = (frame["cible"] == "oui").mean()
    share_test = (split.test(frame)["cible"] == "oui").mean()
    assert abs(share_all - share_test) < 0.03
    assert problem.split_data(frame, "cible", plan) == split


# ------------------------------------------------------------------------------ comparison
def test_comparison_table_baseline_first_models_named_in_french():
    frame = signal_frame(300)
    steps = []
    comparison = learning.compare(frame, "cible", progress=lambda f, m: steps.append((f, m)))
    table = comparison.table()
    assert list(table.columns) == ["key", "name", "score", "std", "seconds"]
    assert table.iloc[0]["key"] == "baseline" and table.iloc[0]["name"] == "Référence naïve"
    assert set(table["key"]) == {"baseline", *catalogue.MODEL_KEYS}
    assert {
        "Arbre de décision",
        "Régression logistique",
        "k plus proches voisins",
        "Forêt aléatoire",
        "Gradient boosting",
        "Formule explicite",
    } <= set(table["name"])
    assert (table["seconds"] > 0).all() and (table["std"] >= 0).all()
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("Forêt aléatoire" in m for _, m in steps)
    for model in comparison.models:
        assert len(model.scores) == comparison.plan.fits
        assert model.description


def test_models_learnt_side_by_side_score_as_one_after_the_other(monkeypatch):
    """The comparison's worker threads change its duration, never a score nor the order."""
    frame = signal_frame(300)
    monkeypatch.setattr(learning, "compare_workers", lambda: 1)
    alone = learning.compare(frame, "cible")
    monkeypatch.setattr(learning, "compare_workers", lambda: 2)
    steps = []
    together = learning.compare(frame, "cible", progress=lambda f, m: steps.append((f, m)))
    assert [(m.key, m.scores) for m in [together.baseline, *together.models]] == [
        (m.key, m.scores) for m in [alone.baseline, *alone.models]
    ]
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(m.startswith("Modèle ") for _, m in steps[:-1])


def test_baseline_is_the_majority_class_share():
    frame = noise_frame(400)
    comparison = learning.compare(frame, "cible", models=["tree"])
    dev = comparison.split.dev(frame)
    majority = (dev["cible"] == "non").mean()
    assert comparison.baseline.score == pytest.approx(majority, abs=0.02)
    assert "« non »" in comparison.baseline.description


def test_models_beat_the_baseline_when_there_is_a_signal_and_not_on_noise():
    with_signal = learning.compare(signal_frame(400), "cible")
    assert with_signal.beats_baseline()
    assert with_signal.best().score > with_signal.baseline.score + 0.15
    assert "Le meilleur modèle" in with_signal.summary()
    noise = learning.compare(noise_frame(400), "cible")
    assert not noise.beats_baseline()
    assert "Aucun modèle" in noise.summary()


def test_the_comparison_never_looks_at_the_test_rows():
    frame = signal_frame(300)
    first = learning.compare(frame, "cible", models=["tree", "linear"])
    scrambled = frame.copy()
    test_rows = list(first.split.test_index)
    scrambled.loc[test_rows, "revenu"] = -99999.0
    scrambled.loc[test_rows, "quartier"] = "Ailleurs"
    second = learning.compare(scrambled, "cible", models=["tree", "linear"])
    assert second.split == first.split
    for a, b in zip(first.models, second.models, strict=True):
        assert a.scores == pytest.approx(b.scores)


def test_training_score_is_only_shown_beside_the_validation_score():
    """On noise a deep tree learns its rows by heart: the curve shows it, the comparison does
    not report that score as the model's quality."""
    frame = noise_frame(300)
    curve = curves.complexity_curve(frame, "cible", ["a", "b"], "tree", values=[1, 4, 15])
    assert curve.train[-1] > 0.95  # rows learnt by heart
    assert curve.test[-1] < 0.75  # not on new rows
    comparison = learning.compare(frame, "cible", models=["tree"])
    assert comparison.models[0].score < 0.8


def test_regression_uses_r2_where_higher_is_better():
    comparison = learning.compare(regression_frame(), "conso")
    assert comparison.metric == "r2" and comparison.task.kind == problem.REGRESSION
    assert abs(comparison.baseline.score) < 0.1
    assert comparison.best().score > 0.9
    assert "R²" in comparison.metric_label


def test_unknown_model_key():
    with pytest.raises(DatalabError) as excinfo:
        learning.compare(signal_frame(100), "cible", models=["réseau"])
    assert key_of(excinfo) == "learning.unknown_model"


# ------------------------------------------------------------------------------ one model
def test_train_evaluate_classification_metrics_and_cells():
    frame = signal_frame(300)
    plan = problem.plan_evaluation(frame, "cible")
    split = problem.split_data(frame, "cible", plan)
    trained = learning.train(frame, "cible", ["revenu", "quartier"], "linear", split=split)
    result = learning.evaluate(trained, frame, split)
    assert result.positive == "oui" and result.matrix.sum() == 60
    assert 0.7 < result.accuracy <= 1
    cells = result.cells()
    assert sum(c["count"] for c in cells) == 60
    rows = sorted(r for c in cells for r in c["rows"])
    assert rows == sorted(split.test_index)
    wrong = [c for c in cells if not c["right"]]
    for cell in wrong:
        for row in cell["rows"]:
            assert frame.loc[row, "cible"] == cell["actual"]
    assert result.explanations[0].startswith("Sur les 60 lignes de test")
    assert any("Quand le modèle répond « oui »" in e for e in result.explanations)


def test_classification_metrics_on_a_known_example():
    actual = pd.Series(
        ["oui", "oui", "oui", "non", "non", "non", "non", "oui"], index=range(10, 18)
    )
    predicted = pd.Series(
        ["oui", "oui", "non", "non", "non", "oui", "non", "oui"], index=range(10, 18)
    )
    result = learning.classification_result(actual, predicted, ["non", "oui"])
    assert result.accuracy == pytest.approx(6 / 8)
    assert result.precision == pytest.approx(3 / 4) and result.recall == pytest.approx(3 / 4)
    assert result.matrix.tolist() == [[3, 1], [1, 3]]
    assert result.cell_rows("oui", "non") == [12]
    assert result.cell_rows("non", "oui") == [15]
    assert "3 sur 4" in " ".join(result.explanations)


def test_multiclass_metrics_are_averaged_and_explained():
    actual = pd.Series(["a", "b", "c", "a", "b", "c"])
    predicted = pd.Series(["a", "b", "b", "a", "c", "c"])
    result = learning.classification_result(actual, predicted, ["a", "b", "c"])
    assert result.positive is None
    assert result.per_class()["lignes"].tolist() == [2, 2, 2]
    assert any("3 classes" in e for e in result.explanations)


def test_regression_metrics_on_a_known_example():
    actual = pd.Series([10.0, 20.0, 30.0, 40.0])
    predicted = pd.Series([12.0, 18.0, 33.0, 37.0])
    result = learning.regression_result(actual, predicted, "conso")
    assert result.mae == pytest.approx(2.5)
    assert result.rmse == pytest.approx(np.sqrt((4 + 4 + 9 + 9) / 4))
    assert result.r2 == pytest.approx(1 - 26 / 500)
    assert "« conso »" in result.explanations[0]


def test_predict_new_rows_with_unseen_categories_and_missing_values():
    frame = signal_frame(200)
    trained = learning.train(frame, "cible", ["revenu", "quartier"], "forest")
    new = pd.DataFrame({"revenu": [np.nan, 2500.0], "quartier": ["Inconnu", None]})
    assert set(trained.predict(new)) <= {"oui", "non"}
    proba = trained.predict_proba(new)
    assert list(proba.columns) == ["non", "oui"] and np.allclose(proba.sum(axis=1), 1)
    with pytest.raises(DatalabError) as excinfo:
        trained.predict(new.drop(columns=["quartier"]))
    assert key_of(excinfo) == "learning.missing_features"


def test_dates_and_yes_no_columns_are_usable_features():
    frame = signal_frame(200)
    frame["depot"] = pd.Timestamp("2023-01-01") + pd.to_timedelta(np.arange(200), unit="D")
    frame["urgent"] = np.arange(200) % 3 == 0
    trained = learning.train(frame, "cible", ["revenu", "depot", "urgent"], "tree")
    assert trained.kinds.dates == ("depot",) and trained.kinds.booleans == ("urgent",)
    assert len(trained.predict(frame.head(5))) == 5
    assert trained.info["profile"]["depot"]["min"] == "2023-01-01"


def test_the_recipe_is_replayed_on_raw_rows():
    from labkit.prepare.recipe import Recipe, Step

    frame = signal_frame(200)
    raw = frame.assign(quartier=frame["quartier"].str.upper())
    recipe = Recipe()
    recipe.add(
        Step(
            "merge_categories",
            {"column": "quartier", "mapping": {"NORD": "Nord", "SUD": "Sud", "EST": "Est"}},
        ),
        raw,
    )
    trained = learning.train(
        frame, "cible", ["revenu", "quartier"], "linear", recipe=recipe.to_dict()
    )
    assert (trained.predict(raw, raw=True) == trained.predict(frame)).all()


def test_formula_models_keep_few_columns():
    frame = signal_frame(300)
    frame[[f"bruit{i}" for i in range(8)]] = np.random.default_rng(3).normal(size=(300, 8))
    features = [c for c in frame.columns if c != "cible"]
    trained = learning.train(frame, "cible", features, "formula")
    model = trained.pipeline.named_steps["model"]
    assert 1 <= len(model.selected_) <= formula.FORMULA_TERMS
    regression = learning.train(
        regression_frame(), "conso", ["surface", "age"], "formula", max_terms=1
    )
    assert len(regression.pipeline.named_steps["model"].selected_) == 1


def test_greedy_columns_picks_the_signal_first_and_never_a_copy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    x[:, 3] = x[:, 0] * 2  # a copy of column 0
    y = 3 * x[:, 0] + 0.5 * x[:, 2] + rng.normal(0, 0.1, 200)
    picked = formula.greedy_columns(x, y, 3)
    assert picked[0] in (0, 3) and not {0, 3} <= set(picked) and 2 in picked


def test_learning_curve_grows_in_rows():
    frame = signal_frame(300)
    curve = curves.learning_curve(frame, "cible", ["revenu", "quartier"], "linear")
    assert curve.values == sorted(curve.values) and curve.values[0] < curve.values[-1]
    assert curve.test[-1] > curve.test[0] - 0.05


def test_complexity_curve_for_a_model_without_setting():
    with pytest.raises(DatalabError) as excinfo:
        curves.complexity_curve(signal_frame(100), "cible", ["revenu"], "baseline")
    assert key_of(excinfo) == "learning.no_complexity"


def test_french_number_formats():
    assert display.number(0.8312, 2) == "0,83"
    assert display.number(12500.0) == "12\u202f500"
    assert display.percent(0.831) == "83\u202f%"
    assert display.format_score(0.5, "accuracy") == "50,0\u202f%"
    assert display.format_value(2022) == "2022" and display.format_value(True) == "oui"
    assert (
        display.points(0.18) == "18\u00a0points"
        and display.points(-0.003, signed=True) == "−0,3\u00a0point"
    )
