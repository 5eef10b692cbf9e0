"""The cleaning recipe: every action with bad values, replay on a new file, French messages, the
exported Python code giving the same table, persistence in the workspace."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from labkit.errors import DatalabError
from labkit.prepare import export
from labkit.prepare import recipe as rc
from labkit.prepare.recipe import Recipe, Step

KEY = bytes(range(32))


def messy() -> pd.DataFrame:
    """A small table with a defect of each kind."""
    return pd.DataFrame(
        {
            "dossier": ["D1", "D2", "D3", "D4", "D4", "D6", "D7", "D8", "D9", "D10"],
            "nom": [
                "Martin",
                "Bernard",
                "Dubois",
                "Petit",
                "Petit",
                None,
                "Roux",
                "Leroy",
                "Moreau",
                "Simon",
            ],
            "region": [
                "Île-de-France",
                "ILE-DE-FRANCE",
                "Ile de France",
                "Bretagne",
                "Bretagne",
                "BRETAGNE",
                "Bretagne",
                None,
                "Île-de-France",
                "Bretagne",
            ],
            "revenu": [
                "1 200,50",
                "2 466 555 €",
                "1800",
                "950",
                "950",
                "n/a",
                None,
                "2100",
                "1 750",
                "3,5",
            ],
            "age": [34, 28, np.nan, 45, 45, 51, 39, 240, 30, -3],
            "date_demande": [
                "05/01/2023",
                "17/02/2023",
                "03/03/2023",
                "28/03/2023",
                "28/03/2023",
                None,
                "11/05/2023",
                "30/06/2023",
                "pas de date",
                "02/09/2023",
            ],
            "place": ["oui", "non", "oui", "non", "non", None, "oui", "non", "non", "oui"],
        }
    )


def full_recipe(frame: pd.DataFrame) -> Recipe:
    """One step of every action, each fitted on the table as it is at that point."""
    recipe = Recipe()
    table = frame
    for step in [
        Step("drop_duplicates"),
        Step(
            "merge_categories",
            {
                "column": "region",
                "mapping": {
                    "ILE-DE-FRANCE": "Île-de-France",
                    "Ile de France": "Île-de-France",
                    "BRETAGNE": "Bretagne",
                },
            },
        ),
        Step("convert_type", {"column": "revenu", "to": "number"}),
        Step("fill_missing", {"column": "revenu", "strategy": "median"}),
        Step("fill_missing", {"column": "region", "strategy": "most_frequent"}),
        Step("fill_missing", {"column": "age", "strategy": "mean"}),
        Step("cap_outliers", {"column": "age", "low": 0, "high": 110}),
        Step("remove_outliers", {"column": "revenu", "high": 100000}),
        Step("filter_rows", {"column": "place", "operator": "not_missing"}),
        Step("pseudonymise", {"columns": ["nom"]}),
        Step("derive_from_date", {"column": "date_demande", "parts": ["year", "month", "weekday"]}),
        Step("remove_personal", {"columns": ["dossier"]}),
        Step("drop_column", {"columns": ["inexistante"]}),
        Step("convert_type", {"column": "age", "to": "text"}),
        Step("fill_missing", {"column": "nom", "strategy": "constant", "value": "inconnu"}),
    ]:
        recipe.add(step, table)
        table = rc.apply_step(table, recipe.steps[-1], KEY)
    return recipe


# ----------------------------------------------------------------------------- each action
def test_drop_column_and_remove_personal_ignore_absent_columns():
    frame = messy()
    out = rc.apply_step(frame, Step("drop_column", {"columns": ["nom", "absente"]}))
    assert "nom" not in out.columns and len(out.columns) == len(frame.columns) - 1
    out = rc.apply_step(frame, Step("remove_personal", {"column": "nom"}))
    assert "nom" not in out.columns
    assert "nom" in frame.columns  # the input is never modified


def test_steps_refuse_missing_or_bad_parameters_in_french():
    cases = [
        ("drop_column", {}),
        ("drop_column", {"columns": []}),
        ("fill_missing", {"column": "age"}),
        ("fill_missing", {"column": "age", "strategy": "au hasard"}),
        ("fill_missing", {"column": "age", "strategy": "constant"}),
        ("merge_categories", {"column": "region", "mapping": {}}),
        ("merge_categories", {"column": "region", "mapping": {"a": "a"}}),
        ("merge_categories", {"column": "region", "mapping": "a->b"}),
        ("convert_type", {"column": "age", "to": "booléen"}),
        ("cap_outliers", {"column": "age", "low": "bas"}),
        ("cap_outliers", {"column": "age", "low": 10, "high": 1}),
        ("filter_rows", {"column": "age", "operator": "≈", "value": 3}),
        ("filter_rows", {"column": "age", "operator": ">"}),
        ("derive_from_date", {"column": "date_demande", "parts": ["siècle"]}),
        ("fill_missing", {"column": "  ", "strategy": "mean"}),
    ]
    for action, params in cases:
        with pytest.raises(DatalabError) as info:
            Step(action, params)
        assert info.value.message and "Error" not in info.value.message, (action, params)
    with pytest.raises(DatalabError, match="inconnue"):
        Step("supprimer_tout", {})


def test_fill_missing_learns_its_value_once_and_keeps_it():
    frame = messy()
    step = rc.fit_step(frame, Step("fill_missing", {"column": "age", "strategy": "median"}))
    assert step.params["value"] == pytest.approx(frame["age"].median())
    new = pd.DataFrame({"age": [np.nan, 1.0, 1.0]})
    # the value learnt on the first table is used on new data, not recomputed
    assert rc.apply_step(new, step)["age"].tolist()[0] == pytest.approx(frame["age"].median())
    mean = rc.fit_step(frame, Step("fill_missing", {"column": "age", "strategy": "mean"}))
    assert mean.params["value"] == pytest.approx(frame["age"].mean(), rel=1e-3)
    mode = rc.fit_step(
        frame, Step("fill_missing", {"column": "region", "strategy": "most_frequent"})
    )
    assert mode.params["value"] == "Bretagne"
    assert "valeur la plus fréquente" in mode.title()


def test_fill_missing_bad_values():
    frame = messy()
    with pytest.raises(DatalabError, match="nombres"):
        rc.fit_step(frame, Step("fill_missing", {"column": "region", "strategy": "mean"}))
    with pytest.raises(DatalabError, match="pas valable"):
        rc.fit_step(
            frame,
            Step("fill_missing", {"column": "age", "strategy": "constant", "value": "beaucoup"}),
        )
    step = rc.fit_step(
        frame, Step("fill_missing", {"column": "age", "strategy": "constant", "value": "2,5"})
    )
    assert step.params["value"] == 2.5
    empty = pd.DataFrame({"x": [np.nan, np.nan]})
    with pytest.raises(DatalabError, match="entièrement vide"):
        rc.fit_step(empty, Step("fill_missing", {"column": "x", "strategy": "median"}))


def test_merge_categories_groups_spellings():
    frame = messy()
    step = Step(
        "merge_categories",
        {
            "column": "region",
            "mapping": {"ILE-DE-FRANCE": "Île-de-France", "Ile de France": "Île-de-France"},
        },
    )
    out = rc.apply_step(frame, step)
    assert out["region"].value_counts()["Île-de-France"] == 4
    assert out["region"].isna().sum() == 1  # missing stays missing


def test_convert_type_number_date_text():
    frame = messy()
    out = rc.apply_step(frame, Step("convert_type", {"column": "revenu", "to": "number"}))
    assert out["revenu"].tolist()[:4] == [1200.5, 2466555.0, 1800.0, 950.0]
    assert out["revenu"].tolist()[-1] == 3.5
    assert np.isnan(out["revenu"].iloc[5])  # "n/a" cannot be a number: it becomes missing
    assert rc.to_number(pd.Series(["1.234,5", "1,234.5", "12 %", " 7 "])).tolist() == [
        1234.5,
        1234.5,
        12.0,
        7.0,
    ]
    step = rc.fit_step(frame, Step("convert_type", {"column": "date_demande", "to": "date"}))
    assert step.params["format"] == "%d/%m/%Y"
    dates = rc.apply_step(frame, step)["date_demande"]
    assert pd.api.types.is_datetime64_any_dtype(dates)
    assert dates.iloc[1] == pd.Timestamp(2023, 2, 17) and pd.isna(dates.iloc[8])
    text = rc.apply_step(
        pd.DataFrame({"dep": [3.0, 24.0, np.nan]}),
        Step("convert_type", {"column": "dep", "to": "text"}),
    )
    assert text["dep"].tolist()[:2] == ["3", "24"] and pd.isna(text["dep"].iloc[2])
    effect = rc.effect(frame, Step("convert_type", {"column": "revenu", "to": "number"}))
    assert effect.became_missing == 1 and "vides" in effect.text()


def test_drop_duplicates_whole_rows_and_on_columns():
    frame = messy()
    out = rc.apply_step(frame, Step("drop_duplicates"))
    assert len(out) == len(frame) - 1
    on_region = rc.apply_step(frame, Step("drop_duplicates", {"columns": ["region"]}))
    assert len(on_region) == frame["region"].nunique(dropna=False)
    with pytest.raises(DatalabError, match="absente"):
        rc.fit_step(frame, Step("drop_duplicates", {"columns": ["absente"]}))


def test_cap_and_remove_outliers():
    frame = messy()
    capped = rc.apply_step(frame, Step("cap_outliers", {"column": "age", "low": 0, "high": 110}))
    assert capped["age"].max() == 110 and capped["age"].min() == 0
    assert capped["age"].isna().sum() == 1
    removed = rc.apply_step(
        frame, Step("remove_outliers", {"column": "age", "low": 0, "high": 110})
    )
    assert len(removed) == len(frame) - 2  # 240 and -3 go; the missing age stays
    with pytest.raises(DatalabError, match="nombres"):
        rc.fit_step(frame, Step("cap_outliers", {"column": "region"}))
    # bounds learnt robustly when none are given
    values = pd.DataFrame({"x": list(range(1, 41)) + [10_000]})
    fitted = rc.fit_step(values, Step("cap_outliers", {"column": "x"}))
    assert fitted.params["high"] < 10_000 and fitted.params["high"] > 40


def test_filter_rows_every_operator_and_bad_values():
    frame = messy()
    cases = [
        ("age", ">=", 18, 8),
        ("age", "<", 18, 1),
        ("age", "<=", 34, 4),
        ("age", ">", 34, 5),
        ("place", "==", "oui", 4),
        ("place", "!=", "oui", 6),  # a missing value is "not oui"
        ("region", "in", ["Bretagne", "BRETAGNE"], 5),
        ("region", "not_in", ["Bretagne"], 6),
        ("place", "missing", None, 1),
        ("place", "not_missing", None, 9),
    ]
    for column, operator, value, expected in cases:
        step = rc.fit_step(
            frame, Step("filter_rows", {"column": column, "operator": operator, "value": value})
        )
        assert len(rc.apply_step(frame, step)) == expected, (column, operator)
    keep = rc.fit_step(
        frame,
        Step("filter_rows", {"column": "age", "operator": ">=", "value": 0, "keep_missing": True}),
    )
    assert len(rc.apply_step(frame, keep)) == 9 and "vide" in keep.title()
    with pytest.raises(DatalabError, match="pas valable"):
        rc.fit_step(
            frame, Step("filter_rows", {"column": "age", "operator": ">", "value": "vieux"})
        )
    with pytest.raises(DatalabError, match="nombres"):
        rc.fit_step(frame, Step("filter_rows", {"column": "region", "operator": ">", "value": 3}))


def test_pseudonymise_is_keyed_stable_and_needs_the_key():
    frame = messy()
    step = Step("pseudonymise", {"columns": ["nom"]})
    out = rc.apply_step(frame, step, KEY)
    assert out.loc[3, "nom"] == out.loc[4, "nom"]  # same person, same pseudonym
    assert out.loc[0, "nom"] != out.loc[1, "nom"]
    assert out["nom"].str.startswith("P-").sum() == 9 and pd.isna(out.loc[5, "nom"])
    other = rc.apply_step(frame, step, bytes(32))
    assert other.loc[0, "nom"] != out.loc[0, "nom"]  # another key, other pseudonyms
    spaced = rc.apply_step(pd.DataFrame({"nom": ["  martin "]}), step, KEY)
    assert spaced.loc[0, "nom"] == out.loc[0, "nom"]
    with pytest.raises(DatalabError, match="clé"):
        rc.apply_step(frame, step, None)
    with pytest.raises(DatalabError, match="octets"):
        rc.apply_step(frame, step, b"court")
    assert rc.apply_step(frame, step, KEY.hex()).equals(out)


def test_derive_from_date_parts_and_bad_values():
    frame = messy()
    step = rc.fit_step(
        frame,
        Step(
            "derive_from_date",
            {"column": "date_demande", "parts": ["year", "month", "weekday", "quarter"]},
        ),
    )
    out = rc.apply_step(frame, step)
    assert "date_demande" not in out.columns
    assert out["date_demande_annee"].iloc[0] == 2023 and out["date_demande_mois"].iloc[1] == 2
    assert out["date_demande_jour_semaine"].iloc[0] == 3  # 5 January 2023 was a Thursday
    assert out["date_demande_trimestre"].iloc[-1] == 3
    kept = rc.apply_step(
        frame,
        Step("derive_from_date", {"column": "date_demande", "drop": False, "format": "%d/%m/%Y"}),
    )
    assert "date_demande" in kept.columns
    with pytest.raises(DatalabError, match="dates"):
        rc.fit_step(frame, Step("derive_from_date", {"column": "region"}))


# ----------------------------------------------------------------------------- the recipe
def test_add_undo_and_labels():
    recipe = Recipe()
    frame = messy()
    recipe.add(Step("drop_duplicates"), frame)
    recipe.add(Step("drop_column", {"columns": ["nom"]}), frame)
    assert len(recipe) == 2
    assert recipe.undo().action == "drop_column"
    assert [s.action for s in recipe.steps] == ["drop_duplicates"]
    recipe.undo()
    with pytest.raises(DatalabError, match="aucune étape"):
        recipe.undo()


def test_replays_on_a_new_file_with_the_same_columns():
    frame = messy()
    recipe = full_recipe(frame)
    cleaned = recipe.apply(frame, KEY)
    assert cleaned["region"].dropna().isin(["Île-de-France", "Bretagne"]).all()
    assert cleaned["revenu"].notna().all()
    new = messy().iloc[[0, 2, 6, 7]].reset_index(drop=True)
    new.loc[0, "revenu"] = "5 000"
    new.loc[1, "region"] = "ILE-DE-FRANCE"
    again = recipe.apply(new, KEY)
    assert again.loc[0, "revenu"] == 5000.0
    assert again.loc[1, "region"] == "Île-de-France"
    # values learnt on the first table are reused: the missing revenue gets the first median
    median = recipe.steps[3].params["value"]
    assert again["revenu"].tolist().count(median) >= 1
    assert frame.equals(messy())  # the input is untouched


def test_missing_columns_are_all_named_in_french():
    recipe = full_recipe(messy())
    new = messy().drop(columns=["revenu", "age"])
    with pytest.raises(DatalabError) as info:
        recipe.apply(new, KEY)
    text = str(info.value)
    assert "« revenu »" in text and "« age »" in text and "étape 3" in text
    assert "Colonnes présentes" in text and "« region »" in text


def test_allow_missing_skips_target_steps_when_scoring():
    recipe = full_recipe(messy())
    to_score = messy().drop(columns=["place"])
    out = recipe.apply(to_score, KEY, allow_missing=["place"])
    assert "place" not in out.columns and len(out) > 0
    with pytest.raises(DatalabError):
        recipe.apply(to_score, KEY)


def test_apply_refuses_what_is_not_a_table_and_needs_the_key():
    recipe = full_recipe(messy())
    with pytest.raises(DatalabError, match="vide ou illisible"):
        recipe.apply("pas un tableau")
    with pytest.raises(DatalabError, match="clé secrète"):
        recipe.apply(messy())
    assert recipe.needs_key()


def test_step_failure_names_the_step():
    recipe = Recipe([Step("cap_outliers", {"column": "region", "low": 0, "high": 1})])
    with pytest.raises(DatalabError) as info:
        recipe.apply(messy())
    assert "étape 1" in str(info.value).lower() and "nombres" in str(info.value)


def test_round_trip_through_dict_and_bad_dicts():
    recipe = full_recipe(messy())
    data = recipe.to_dict()
    import json

    again = Recipe.from_dict(json.loads(json.dumps(data)))
    assert [s.to_dict() for s in again.steps] == [s.to_dict() for s in recipe.steps]
    pd.testing.assert_frame_equal(again.apply(messy(), KEY), recipe.apply(messy(), KEY))
    for bad in [
        None,
        3,
        "recette",
        {"steps": "x"},
        {"steps": [{"params": {}}]},
        {"steps": [{"action": "x"}]},
    ]:
        with pytest.raises(DatalabError):
            Recipe.from_dict(bad)
    with pytest.raises(DatalabError, match="plus récente"):
        Recipe.from_dict({"version": 99, "steps": []})


def test_preview_shows_touched_rows_before_and_after():
    frame = messy()
    before, after = rc.preview(
        frame, Step("merge_categories", {"column": "region", "mapping": {"BRETAGNE": "Bretagne"}})
    )
    assert before["region"].tolist() == ["BRETAGNE"] and after["region"].tolist() == ["Bretagne"]
    before, after = rc.preview(frame, Step("drop_duplicates"))
    assert list(before.index) == [4] and after.empty
    before, after = rc.preview(frame, Step("drop_column", {"columns": ["nom"]}))
    assert "nom" in before.columns and "nom" not in after.columns
    step = rc.fit_step(frame, Step("derive_from_date", {"column": "date_demande"}))
    before, after = rc.preview(frame, step)
    assert "date_demande_annee" in after.columns
    assert rc.effect(frame, Step("drop_duplicates")).text().startswith("1 ligne")
    assert "ne change rien" in rc.effect(frame, Step("drop_column", {"columns": ["x"]})).text()


# ----------------------------------------------------------------------------- Python export
def run_exported(recipe: Recipe, frame: pd.DataFrame, tmp_path, read_options=None, env=None):
    read_options = read_options or {}
    source = tmp_path / "entree.csv"
    frame.to_csv(
        source,
        index=False,
        sep=read_options.get("sep", ","),
        encoding=read_options.get("encoding", "utf-8"),
    )
    code = export.to_python(recipe, source="entree.csv", read_options=read_options)
    script = tmp_path / "recette_nettoyage.py"
    script.write_text(code + "\ntable.to_pickle('resultat.pkl')\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Tableau nettoyé" in result.stdout
    assert (tmp_path / "entree_propre.csv").exists()
    expected = recipe.apply(
        pd.read_csv(source, **{k: v for k, v in read_options.items()}),
        KEY,
    )
    return pd.read_pickle(tmp_path / "resultat.pkl"), expected, code


def test_exported_code_gives_the_same_table(tmp_path):
    frame = messy()
    recipe = full_recipe(pd.read_csv(_roundtrip(frame, tmp_path)))
    got, expected, code = run_exported(recipe, frame, tmp_path, env={export.KEY_ENV_VAR: KEY.hex()})
    pd.testing.assert_frame_equal(got, expected)
    assert "# Étape 1 : Supprimer les lignes en double" in code
    assert "import pandas as pd" in code and "labkit" not in code
    assert KEY.hex() not in code  # the secret key is never written in the code


def test_exported_code_with_french_csv_options(tmp_path):
    frame = messy()
    options = {"sep": ";", "encoding": "cp1252"}
    recipe = Recipe()
    for step in [
        Step("convert_type", {"column": "revenu", "to": "number"}),
        Step("filter_rows", {"column": "age", "operator": ">=", "value": 0, "keep_missing": True}),
        Step("fill_missing", {"column": "place", "strategy": "constant", "value": "non"}),
    ]:
        recipe.add(step, frame)
    got, expected, code = run_exported(recipe, frame, tmp_path, read_options=options)
    pd.testing.assert_frame_equal(got, expected)
    assert "sep=';'" in code and "pseudonymise" not in code


def _roundtrip(frame: pd.DataFrame, tmp_path):
    path = tmp_path / "fit.csv"
    frame.to_csv(path, index=False)
    return path


def test_robust_bounds_on_skewed_data_flag_only_the_far_tail():
    rng = np.random.default_rng(0)
    amounts = pd.Series(rng.lognormal(mean=10, sigma=1.0, size=500))
    low, high = rc.robust_bounds(amounts)
    outside = ((amounts < (low or 0)) | (amounts > high)).sum()
    assert outside <= 3  # a long right tail is normal for amounts
    amounts.iloc[0] = amounts.max() * 1000
    assert amounts.iloc[0] > rc.robust_bounds(amounts)[1]
    assert rc.robust_bounds(pd.Series([0.0] * 50 + [3.0])) is None
    assert rc.robust_bounds(pd.Series([1.0, 2.0])) is None


def test_placeholders_are_emptied_never_capped_and_bad_values_are_refused_in_french(tmp_path):
    frame = pd.DataFrame(
        {
            "vitesse_max": [50, 30, 9999, 70, 9999, 90],
            "code": ["ND", "01053", " ND ", "75001", "-", "06"],
        }
    )
    recipe = rc.Recipe()
    recipe.add(rc.Step("mark_missing", {"column": "vitesse_max", "values": [9999]}), frame)
    recipe.add(rc.Step("mark_missing", {"column": "code", "values": ["ND", "-"]}), frame)
    out = recipe.apply(frame)
    assert out["vitesse_max"].isna().tolist() == [False, False, True, False, True, False]
    assert out["vitesse_max"].max() == 90  # nothing made plausible: the cells are empty
    assert out["code"].isna().sum() == 3 and out.loc[1, "code"] == "01053"
    assert "« 9\u202f999 »" in recipe.steps[0].title()
    for bad in ([], None, {"a": 1}):
        with pytest.raises(DatalabError) as caught:
            rc.Step("mark_missing", {"column": "code", "values": bad})
        assert "valeurs" in str(caught.value)
    with pytest.raises(DatalabError):
        recipe.add(rc.Step("mark_missing", {"column": "absente", "values": ["ND"]}), frame)
    assert len(recipe) == 2  # the refused steps left the recipe as it was
    got, expected, code = run_exported(recipe, frame, tmp_path)
    assert ".mask(" in code
    pd.testing.assert_frame_equal(got, expected)
