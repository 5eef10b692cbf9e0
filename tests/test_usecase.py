"""Module 06's pure layer: the what-if form, batch scoring, the CSV for spreadsheets, the threshold."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from labkit import csvsafe
from labkit.data import selection
from labkit.errors import DatalabError
from labkit.learner import model as saved_model
from labkit.learner import usecase as saved
from labkit.learner.dataset import save_choice
from labkit.learner.preparation import save_clean_table, save_recipe
from labkit.model import learning, problem
from labkit.prepare.recipe import Recipe, Step
from labkit.use import scoring, threshold, usecase, whatif
from labkit.workspace import Workspace

TARGET = "accord"


def raw_table(n: int = 240, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 80, n)
    quartier = rng.choice(["Nord", "Sud", "Centre"], n)
    revenu = np.round(rng.normal(1500, 400, n), 1)
    revenu[::17] = np.nan
    prioritaire = rng.random(n) < 0.3
    days = rng.integers(0, 700, n)
    dates = (pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D")).strftime("%d/%m/%Y")
    score = (age > 40).astype(float) + (quartier == "Sud") + prioritaire + rng.normal(0, 0.4, n)
    return pd.DataFrame(
        {
            "nom": [f"Personne {i}" for i in range(n)],
            "age": age,
            "revenu": revenu,
            "quartier": quartier,
            "prioritaire": prioritaire,
            "date_depot": dates,
            TARGET: np.where(score > 1.0, "oui", "non"),
        }
    )


def make_recipe(frame: pd.DataFrame) -> Recipe:
    recipe = Recipe()
    table = frame
    for step in (
        Step("remove_personal", {"columns": ["nom"]}),
        Step("convert_type", {"column": "date_depot", "to": "date", "format": "%d/%m/%Y"}),
        Step("fill_missing", {"column": "revenu", "strategy": "median"}),
    ):
        fitted = recipe.add(step, table)
        from labkit.prepare.recipe import apply_step

        table = apply_step(table, fitted)
    return recipe


@pytest.fixture
def learner(workspace):
    """A workspace holding a model trained in module 05 (a tree), its clean table and recipe."""
    raw = raw_table()
    recipe = make_recipe(raw)
    clean = recipe.apply(raw)
    features = ["age", "revenu", "quartier", "prioritaire", "date_depot"]
    plan = problem.plan_evaluation(clean, TARGET)
    split = problem.split_data(clean, TARGET, plan)
    trained = learning.train(clean, TARGET, features, "tree", split=split, recipe=recipe.to_dict())
    choice = selection.DatasetChoice("upload", None, "accords.csv", TARGET, filename="accords.csv")
    save_choice(workspace, choice, raw)  # chosen in module 03, before the model of module 05
    saved_model.save_model(workspace, trained)
    save_recipe(workspace, recipe)
    save_clean_table(workspace, clean)
    return workspace


@pytest.fixture
def context(learner):
    return saved.load_context(learner)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(sep=";", index=False).encode("utf-8")


def read_back(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# ============================================================================ the model used
def test_learner_model_is_used_and_not_marked_as_default(context):
    assert not context.is_default
    assert context.notice is None
    assert context.target == TARGET
    assert context.is_binary
    assert "accord" in context.describe()


# ============================================================================ the form
def test_form_fields_follow_the_training_data(context):
    fields = {f.name: f for f in context.fields()}
    assert list(fields) == ["age", "revenu", "quartier", "prioritaire", "date_depot"]
    assert fields["age"].kind == "integer"
    assert 0 <= fields["age"].minimum <= fields["age"].default <= fields["age"].maximum <= 79
    assert fields["revenu"].kind == "number"
    assert fields["quartier"].kind == "category"
    assert set(fields["quartier"].categories) == {"Nord", "Sud", "Centre"}
    assert fields["prioritaire"].kind == "boolean"
    assert fields["date_depot"].kind == "date"
    assert fields["date_depot"].minimum >= "2022-01-01"
    assert "entre" in fields["age"].help and "entraînement" in fields["age"].help
    assert "3 valeurs" in fields["quartier"].help


def test_an_own_file_keeps_its_column_names_as_labels(context):
    fields = {f.name: f for f in context.fields()}
    assert fields["age"].label == "age" and "Colonne" not in fields["age"].help


def test_fields_of_a_catalogue_model_are_named_in_plain_french_with_the_raw_name_after(workspace):
    """Module 06 names its fields by the dataset card's titles (issue 25, item 4): a trainee
    reads « Jour de la semaine de « Date de la demande » », the raw name comes second."""
    meta = {
        "features": ["date_demande_jour_semaine", "commune", "nb_enfants", "inconnue"],
        "kinds": {"categorical": ["commune"]},
        "profile": {"nb_enfants": {"min": 1, "max": 3, "median": 1, "integer": True}},
        "dataset": {"name": "Crèches", "id": "creches"},
    }
    titles = saved.titles_of(meta, meta["features"])
    assert titles["commune"] == "Commune"
    assert titles["date_demande_jour_semaine"] == "Jour de la semaine de « Date de la demande »"
    assert "inconnue" not in titles
    fields = {f.name: f for f in usecase.form_fields(meta, titles)}
    assert fields["commune"].label == "Commune"
    assert fields["commune"].help.endswith("(Colonne « commune » du tableau.)")
    assert fields["inconnue"].label == "inconnue"
    assert "Colonne" not in fields["inconnue"].help
    # a model of a dataset that is gone, or of a file: the raw names, no error
    for dataset in ({"name": "x", "id": "../etc"}, {"name": "x", "id": None}, None, "absent"):
        assert saved.titles_of({**meta, "dataset": dataset}, meta["features"]) == {}


def test_column_titles_read_only_titled_fields_and_date_parts_of_titled_dates():
    fields = [
        {"name": "date_depot", "title": "Date du dépôt"},
        {"name": "quartier", "title": "  "},
        "not a field",
        {"title": "sans nom"},
    ]
    columns = ["date_depot_annee", "date_depot_jour", "quartier", "quartier_mois", "date_depot"]
    assert usecase.column_titles(columns, fields) == {
        "date_depot_annee": "Année de « Date du dépôt »",
        "date_depot_jour": "Jour du mois de « Date du dépôt »",
        "date_depot": "Date du dépôt",
    }


def test_the_running_example_stands_in_with_its_card_titles(workspace):
    context = saved.fallback_context(workspace)
    labels = [f.label for f in context.fields()]
    assert any(label != f.name for label, f in zip(labels, context.fields(), strict=True))


def test_form_fields_refuse_metadata_without_features():
    with pytest.raises(DatalabError):
        usecase.form_fields({"target": "x"})


def test_good_case_is_converted(context):
    fields = context.fields()
    case = usecase.default_case(fields)
    case.update(age="42", revenu="1 250,5", prioritaire="oui", date_depot="15/03/2023")
    clean = whatif.check_case(fields, case)
    assert clean["age"] == 42 and isinstance(clean["age"], int)
    assert clean["revenu"] == pytest.approx(1250.5)
    assert clean["prioritaire"] is True
    assert clean["date_depot"] == "2023-03-15"


@pytest.mark.parametrize("typed", ["1 250,5", "1\u202f250,5", "1.250,5", "1250.5", "1 250,5 €"])
def test_what_if_numbers_are_read_as_people_type_them(context, typed):
    """The form reads numbers with the workbook's one parser (labkit.frenchfmt.parse_number)."""
    fields = context.fields()
    case = usecase.default_case(fields)
    case["revenu"] = typed
    assert whatif.check_case(fields, case)["revenu"] == pytest.approx(1250.5)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("age", "quarante", "n’est pas un nombre"),
        ("age", "12,5", "nombre entier"),
        ("age", 500, "en dehors des valeurs vues"),
        ("age", "", "renseignez"),
        ("age", None, "renseignez"),
        ("age", float("inf"), "n’est pas un nombre"),
        ("revenu", True, "n’est pas un nombre"),
        ("revenu", "=1+2", "n’est pas un nombre"),
        ("quartier", "Mars", "n’est pas une valeur connue"),
        ("prioritaire", "peut-être", "oui ou par non"),
        ("date_depot", "hier", "n’est pas une date"),
        ("date_depot", "01/01/1990", "en dehors des valeurs vues"),
    ],
)
def test_bad_values_get_a_french_message_naming_the_field(context, name, value, expected):
    fields = context.fields()
    case = usecase.default_case(fields)
    case[name] = value
    clean, issues = whatif.case_issues(fields, case)
    assert [i.field for i in issues] == [name]
    assert expected in issues[0].message and f"« {name} »" in issues[0].message
    with pytest.raises(DatalabError) as caught:
        whatif.check_case(fields, case)
    assert expected in caught.value.message


def test_several_bad_values_are_all_named_and_unknown_fields_refused(context):
    fields = context.fields()
    case = usecase.default_case(fields)
    case.update(age="x", quartier="?", pirate="1")
    with pytest.raises(DatalabError) as caught:
        whatif.check_case(fields, case)
    for name in ("age", "quartier", "pirate"):
        assert f"« {name} »" in caught.value.message
    with pytest.raises(DatalabError):
        whatif.check_case(fields, ["pas", "un", "cas"])


def test_prediction_with_confidence_and_reasons(context):
    fields = context.fields()
    case = usecase.default_case(fields)
    case.update(age=70, quartier="Sud", prioritaire=True)
    result = whatif.predict_case(context, case)
    assert result.prediction in ("oui", "non")
    assert f"« {result.prediction} »" in result.text
    assert 0.5 <= result.confidence <= 1
    assert "%" in result.confidence_text and "pas une certitude" in result.confidence_text
    assert result.path, "a tree gives the path it followed"
    assert result.reasons and all(isinstance(r, str) for r in result.reasons)
    assert {c.column for c in result.contributions} <= set(context.features)


def test_threshold_changes_the_decision(context):
    case = usecase.default_case(context.fields())
    low = whatif.predict_case(context, case, threshold=0.0)
    high = whatif.predict_case(context, case, threshold=1.0)
    assert low.prediction == "oui"
    probability = low.probabilities["oui"]
    assert high.prediction == ("oui" if probability >= 1.0 else "non")
    assert "seuil" in low.threshold_text
    with pytest.raises(DatalabError):
        whatif.predict_case(context, case, threshold=1.5)


def test_prediction_refuses_a_bad_case_without_predicting(context):
    case = usecase.default_case(context.fields())
    case["age"] = -3
    with pytest.raises(DatalabError) as caught:
        whatif.predict_case(context, case)
    assert "« age »" in caught.value.message


# ============================================================================ batch scoring
def new_file(n: int = 30, seed: int = 1) -> pd.DataFrame:
    return raw_table(n, seed).drop(columns=[TARGET])


def test_scoring_a_good_file(context):
    result = scoring.score_file(context, csv_bytes(new_file()), "nouveaux.csv")
    assert result.rows == 30 and result.scored == 30
    assert result.prediction_column in result.table.columns
    assert set(result.table[result.prediction_column]) <= {"oui", "non"}
    probability = result.table["probabilité de « oui »"]
    assert probability.between(0, 1).all()
    assert list(result.table.columns[:6]) == list(new_file().columns)
    assert "30 ligne(s) évaluée(s) sur 30" in result.summary
    assert result.filename == "resultats-accord.csv"
    lines = read_back(result.csv_bytes())
    assert len(lines) == 31 and lines[0][-2] == "prédiction"


def test_scoring_applies_the_threshold(context):
    frame = csv_bytes(new_file())
    everyone = scoring.score_file(context, frame, "f.csv", threshold=0.0)
    assert set(everyone.table["prédiction"]) == {"oui"}
    with pytest.raises(DatalabError):
        scoring.score_file(context, frame, "f.csv", threshold="beaucoup")


def test_scoring_with_the_target_column_ignores_it(context):
    frame = raw_table(20, 3)
    result = scoring.score_file(context, csv_bytes(frame), "avec_cible.csv")
    assert any("« accord »" in n and "ignorée" in n for n in result.notices)
    assert result.scored == 20


def test_missing_column_is_named(context):
    frame = new_file().drop(columns=["quartier"])
    with pytest.raises(DatalabError) as caught:
        scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert "« quartier »" in caught.value.message
    assert "manque" in caught.value.message


def test_misspelt_column_is_named_as_missing_with_the_extra_one_in_the_hint(context):
    frame = new_file().rename(columns={"quartier": "quartiers"})
    with pytest.raises(DatalabError) as caught:
        scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert "« quartier »" in caught.value.message
    assert "« quartiers »" in caught.value.hint


def test_column_needed_by_the_recipe_is_named(context):
    frame = new_file().drop(columns=["date_depot"])
    with pytest.raises(DatalabError) as caught:
        scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert "« date_depot »" in caught.value.message


def test_extra_column_is_named_and_kept(context):
    frame = new_file()
    frame["commentaire"] = "rien"
    result = scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert any("« commentaire »" in n and "inattendue" in n for n in result.notices)
    assert "commentaire" in result.table.columns
    assert not any("« nom »" in n for n in result.notices), "a column the recipe drops is expected"


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("age", "beaucoup", "des nombres"),
        ("revenu", "mille euros", "des nombres"),
        ("date_depot", "demain", "des dates"),
    ],
)
def test_wrongly_typed_column_is_named(context, column, value, expected):
    frame = new_file().astype({column: object})
    frame.loc[3, column] = value
    with pytest.raises(DatalabError) as caught:
        scoring.score_file(context, csv_bytes(frame), "f.csv")
    message = caught.value.message
    assert f"« {column} »" in message and expected in message and value in message
    assert "ligne(s) 5 du fichier" in message  # position 3 under a header on row 1


def test_boolean_column_with_other_words_is_named(context):
    frame = new_file().astype({"prioritaire": object})
    frame["prioritaire"] = frame["prioritaire"].map({True: "oui", False: "non"})
    result = scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert result.scored == 30
    frame.loc[0, "prioritaire"] = "bof"
    with pytest.raises(DatalabError) as caught:
        scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert "« prioritaire »" in caught.value.message and "oui ou non" in caught.value.message


def test_french_decimals_are_read(context):
    frame = new_file()
    text = frame.to_csv(sep=";", index=False, decimal=",")
    result = scoring.score_file(context, text.encode("utf-8"), "virgules.csv")
    assert result.scored == 30


@pytest.mark.parametrize("data", [b"", b"   \n  \n"])
def test_empty_file_is_refused(context, data):
    with pytest.raises(DatalabError) as caught:
        scoring.score_file(context, data, "vide.csv")
    assert "vide" in caught.value.message


def test_header_only_file_is_refused(context):
    data = ";".join(new_file().columns).encode("utf-8") + b"\n"
    with pytest.raises(DatalabError) as caught:
        scoring.score_file(context, data, "entete.csv")
    assert caught.value.message


def test_binary_file_is_refused(context):
    with pytest.raises(DatalabError):
        scoring.score_file(context, bytes(range(256)) * 20, "image.png")


def test_unseen_category_and_out_of_range_values_are_reported(context):
    frame = new_file()
    frame.loc[0, "quartier"] = "Ouest"
    frame.loc[1, "age"] = 130
    result = scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert any("« quartier »" in n and "Ouest" in n for n in result.notices)
    assert any("« age »" in n and "en dehors" in n for n in result.notices)
    assert result.scored == 30


def test_missing_values_are_filled_and_said(context):
    frame = new_file()
    frame.loc[0:4, "revenu"] = np.nan
    frame.loc[5, "quartier"] = np.nan
    result = scoring.score_file(context, csv_bytes(frame), "f.csv")
    assert result.scored == 30
    assert any("cases vides" in n for n in result.notices)


def test_duplicate_column_names_are_refused(context):
    frame = scoring.read_upload(csv_bytes(new_file()), "f.csv")
    frame.columns = ["age", *frame.columns[1:-1], "age"]
    with pytest.raises(DatalabError) as caught:
        scoring.score_frame(context, frame)
    assert "« age »" in caught.value.message


def test_rows_removed_by_the_recipe_are_kept_without_prediction(workspace):
    raw = raw_table()
    recipe = make_recipe(raw)
    clean = recipe.apply(raw)
    recipe.add(Step("drop_duplicates", {"columns": None}))
    trained = learning.train(clean, TARGET, ["age", "quartier"], "tree", recipe=recipe.to_dict())
    saved_model.save_model(workspace, trained)
    context = saved.load_context(workspace)
    frame = new_file(10)
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    result = scoring.score_frame(context, frame)
    assert result.rows == 11 and result.scored == 10
    assert result.table["remarque"].iloc[-1] == "ligne écartée par la recette de nettoyage"
    assert pd.isna(result.table["prédiction"].iloc[-1])
    assert any("1 ligne(s) écartée(s)" in n for n in result.notices)


# ============================================================================ CSV for spreadsheets
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcaché", "'\tcaché"),
        ("\rcaché", "'\rcaché"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("-12", "-12"),
        ("-3,5", "-3,5"),
        ("+4.25", "+4.25"),
        ("-1e3", "-1e3"),
        ("Centre-ville", "Centre-ville"),
        ("", ""),
        (-4.5, -4.5),
        (None, None),
    ],
)
def test_neutralise_cell(value, expected):
    assert csvsafe.neutralise(value) == expected


def test_results_csv_neutralises_text_and_keeps_negative_numbers():
    frame = pd.DataFrame(
        {
            "=danger": ["=cmd|'/c calc'!A1", "ok", "-5"],
            "solde": [-12.5, 3.0, -0.25],
            "entier": [-3, 0, 7],
            "texte": ["@x", "+y", "-z"],
        }
    )
    lines = read_back(scoring.results_csv(frame))
    assert lines[0] == ["'=danger", "solde", "entier", "texte"]
    assert lines[1] == ["'=cmd|'/c calc'!A1", "-12,5", "-3", "'@x"]
    assert lines[2] == ["ok", "3,0", "0", "'+y"]
    assert lines[3] == ["-5", "-0,25", "7", "'-z"]
    assert scoring.results_csv(frame).startswith("\ufeff".encode())
    assert frame.loc[0, "=danger"].startswith("="), "the frame itself is not modified"


# ============================================================================ threshold
def test_threshold_analysis_by_hand():
    actual = ["oui", "oui", "non", "non", "non"]
    proba = [0.9, 0.4, 0.6, 0.2, 0.1]
    # false negatives cost 10, false positives 1: better to say "oui" often
    analysis = threshold.threshold_analysis(actual, proba, "oui", "non", 1, 10)
    assert analysis.rows == 5
    at_half = analysis.counts(0.5)
    assert at_half == {"tp": 1, "fp": 1, "fn": 1, "tn": 2, "cost": 11.0, "threshold": 0.5}
    best = analysis.best_counts
    assert best["fn"] == 0 and best["cost"] == 1.0
    assert 0.21 <= analysis.best <= 0.4
    assert analysis.theoretical == pytest.approx(1 / 11)
    row = analysis.table.set_index("threshold").loc[0.5]
    assert row["cost"] == 11 and row["cost_per_case"] == pytest.approx(11 / 5)
    texts = analysis.texts()
    assert any("0,5" in t and "1 faux positif(s)" in t for t in texts)
    assert "faux négatif" in analysis.counts_text(0.3)
    labels = analysis.labels()
    assert "« oui »" in labels["fp"] and "« non »" in labels["fp"]


def test_threshold_with_expensive_false_positives_goes_up():
    actual = ["oui", "oui", "non", "non", "non"]
    proba = [0.9, 0.4, 0.6, 0.2, 0.1]
    analysis = threshold.threshold_analysis(actual, proba, "oui", "non", 10, 1)
    assert analysis.best > 0.6
    assert analysis.best_counts["fp"] == 0


@pytest.mark.parametrize(
    ("cost_fp", "cost_fn", "expected"),
    [
        (-1, 1, "positif ou nul"),
        ("beaucoup", 1, "positif ou nul"),
        (0, 0, "au moins un type"),
        (1e12, 1, "inférieur"),
    ],
)
def test_bad_costs_are_refused(cost_fp, cost_fn, expected):
    with pytest.raises(DatalabError) as caught:
        threshold.threshold_analysis(["oui", "non"], [0.7, 0.2], "oui", "non", cost_fp, cost_fn)
    assert expected in caught.value.message


def test_threshold_needs_rows():
    with pytest.raises(DatalabError):
        threshold.threshold_analysis([], [], "oui", "non", 1, 1)


def test_context_threshold_on_held_out_rows(context):
    analysis = threshold.context_threshold(context, 1, 5)
    test, note = context.holdout()
    assert note is None
    assert analysis.rows == len(test) == 48
    counts = analysis.best_counts
    assert counts["tp"] + counts["fp"] + counts["fn"] + counts["tn"] == 48
    assert counts["cost"] == analysis.table["cost"].min()


def test_threshold_refused_for_a_regression(workspace):
    raw = raw_table()
    raw["montant"] = raw["age"] * 3.5 + np.random.default_rng(0).normal(0, 5, len(raw))
    trained = learning.train(raw, "montant", ["age", "quartier"], "linear")
    saved_model.save_model(workspace, trained)
    context = saved.load_context(workspace)
    with pytest.raises(DatalabError) as caught:
        threshold.context_threshold(context, 1, 1)
    assert "prédit un nombre" in caught.value.message
    result = whatif.predict_case(context, {"age": 30, "quartier": "Nord"})
    assert result.confidence is None and "montant" in result.text


def test_check_threshold():
    assert usecase.check_threshold("0,35") == pytest.approx(0.35)
    for bad in ("-0.1", 2, "moitié", None):
        with pytest.raises(DatalabError):
            usecase.check_threshold(bad)


# ============================================================================ the learner's choices
def test_usecase_choices_round_trip(workspace):
    assert saved.load_usecase(workspace)["cost_fp"] == 1.0
    saved.save_usecase(workspace, cost_fp="2,5", cost_fn=10, threshold=0.3, case={"age": 4})
    saved.save_usecase(workspace, next_steps="Présenter au conseil.")
    values = saved.load_usecase(workspace)
    assert values["cost_fp"] == 2.5 and values["cost_fn"] == 10
    assert values["threshold"] == 0.3 and values["case"] == {"age": 4}
    assert values["next_steps"] == "Présenter au conseil."
    assert "0,3" in threshold.threshold_saved_text(values)


def test_bad_choices_are_refused_and_nothing_is_lost(workspace):
    saved.save_usecase(workspace, cost_fp=3)
    for bad in ({"cost_fp": -2}, {"threshold": 7}, {"pirate": 1}, {"case": "x"}):
        with pytest.raises(DatalabError):
            saved.save_usecase(workspace, **bad)
    with pytest.raises(DatalabError):
        saved.save_usecase(workspace, next_steps="x" * (usecase.NEXT_STEPS_MAX + 1))
    assert saved.load_usecase(workspace)["cost_fp"] == 3


def test_damaged_choices_fall_back_to_defaults(workspace):
    workspace.save(saved.KEY, {"cost_fp": "abc", "threshold": 9, "case": 3, "next_steps": 5})
    values = saved.load_usecase(workspace)
    assert values["cost_fp"] == 1.0 and values["threshold"] is None
    assert values["case"] == {} and values["next_steps"] == ""


# ============================================================================ the running example
def test_running_example_stands_in_when_there_is_no_model(workspace):
    context = saved.load_context(workspace)
    assert context.is_default
    assert "exemple fil rouge" in context.notice
    assert context.target == "place_attribuee"
    case = usecase.default_case(context.fields())
    result = whatif.predict_case(context, case)
    assert result.prediction in ("oui", "non")
    analysis = threshold.context_threshold(context, 1, 3)
    assert analysis.rows > 100
    assert not saved_model.has_model(workspace), "the example is not the learner's model"
    assert not (workspace.folder / "files").exists(), "nothing is written among their files"
    # kept beside the learners' folders: another learner's page does not train it again
    cache = saved.fallback_cache_path(workspace)
    assert cache.exists() and cache.parent.parent == workspace.folder.parent.parent
    saved._FALLBACK_CACHE.clear()
    other = Workspace.open("Autre personne", workspace.folder.parent.parent)
    again = saved.fallback_context(other)
    assert again.is_default and again.meta["test_rows"] == context.meta["test_rows"]
    # a damaged cache is rebuilt, never fatal
    saved._FALLBACK_CACHE.clear()
    cache.write_bytes(b"abime")
    assert saved.fallback_context(other).is_default


# ============================================================================ helpers and figures
def test_expected_columns_and_example_file(context, learner):
    expected = scoring.expected_columns(context)
    # the recipe's columns first; "nom", which the recipe drops, is not required
    assert expected == ["date_depot", "revenu", "age", "quartier", "prioritaire"]
    rows = scoring.example_rows(raw_table(), TARGET, 5)
    assert len(rows) == 5 and TARGET not in rows.columns
    result = scoring.score_file(context, saved.example_csv(context, learner, 5), "exemple.csv")
    assert result.scored == 5


def test_figures_of_the_module(context):
    from labkit.plots import usecase as plots

    analysis = threshold.context_threshold(context, 1, 2)
    figure = plots.cost_figure(analysis, 0.4)
    assert [trace.name for trace in figure.data][:3] == [
        "Coût total des erreurs",
        "faux positifs (nombre)",
        "faux négatifs (nombre)",
    ]
    assert list(figure.data[0].y) == analysis.table["cost"].tolist()
    assert "0,4" in figure.layout.annotations[0].text
    assert figure.layout.separators == ", "

    case = usecase.default_case(context.fields())
    case.update(age=75, quartier="Sud", prioritaire=True)
    result = whatif.predict_case(context, case)
    bars = plots.contributions_figure(result)
    shown = [c for c in result.contributions if abs(c.effect) >= 1e-9]
    assert len(bars.data[0].x) == min(len(shown), 10)
    assert all(("point" in text) for text in bars.data[0].text)
    empty = whatif.CaseResult("non", "", None, None, None, [], [])
    assert "Aucune colonne" in plots.contributions_figure(empty).layout.annotations[0].text
