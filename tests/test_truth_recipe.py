"""What the recipe says is what it does (issue 12 item 6, issue 13 conversions): a step that changes
nothing is refused, any step can be removed (pure layer and module 04's view, without a browser),
conversions never invent values nor produce infinities, capping whole numbers keeps them whole."""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest

from labkit import messages
from labkit.errors import DatalabError
from labkit.learner import preparation
from labkit.prepare import export
from labkit.prepare import recipe as rc
from labkit.prepare.recipe import Recipe, Step


def table(rows: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "montant": [f"{v:.2f}".replace(".", ",") for v in rng.gamma(2, 100, rows)],
            "date_demande": pd.date_range("2023-01-01", periods=rows, freq="D").strftime(
                "%d/%m/%Y"
            ),
            "age": rng.integers(1, 90, rows).astype(float),
            "quartier": rng.choice(["Centre", "Gare", "Port"], rows),
        }
    )
    frame.loc[[3, 7], "age"] = np.nan
    return frame


# ----------------------------------------------------------------------------- no-op steps
def test_a_step_that_changes_nothing_is_refused_and_not_added():
    frame = table()
    recipe = Recipe()
    with pytest.raises(DatalabError) as caught:
        recipe.add(
            Step("fill_missing", {"column": "quartier", "strategy": "most_frequent"}),
            frame,
            require_change=True,
        )
    assert "ne change rien" in caught.value.message and "pas ajoutée" in caught.value.message
    assert len(recipe) == 0
    recipe.add(
        Step("fill_missing", {"column": "age", "strategy": "median"}), frame, require_change=True
    )
    assert len(recipe) == 1


def test_default_recipe_holds_no_step_that_changes_nothing():
    from labkit.prepare import cleaning, quality

    frame = table()
    report = quality.assess(frame)
    recipe = cleaning.default_recipe(frame, report)
    current = frame
    for step in recipe.steps:
        assert not rc.effect(current, step).nothing, step.title()
        current = rc.apply_step(current, step)


# ----------------------------------------------------------------------------- removal
def test_any_step_can_be_removed_and_the_rest_replays_as_if_it_never_was():
    frame = table()
    recipe = Recipe()
    current = frame
    for step in (
        Step("convert_type", {"column": "montant", "to": "number"}),
        Step("fill_missing", {"column": "age", "strategy": "median"}),
        Step("drop_column", {"columns": ["quartier"]}),
    ):
        fitted = recipe.add(step, current)
        current = rc.apply_step(current, fitted)
    removed = recipe.remove(1, frame)  # the middle one
    assert removed.action == "fill_missing"
    assert [s.action for s in recipe.steps] == ["convert_type", "drop_column"]
    replayed = recipe.apply(frame)
    assert replayed["age"].isna().sum() == 2  # the filling is gone, nothing else changed
    assert "quartier" not in replayed and replayed["montant"].dtype == "float64"


def test_removing_a_step_another_one_needs_is_refused_with_the_step_named():
    frame = table()
    recipe = Recipe()
    current = frame
    for step in (
        Step("convert_type", {"column": "montant", "to": "number"}),
        Step("cap_outliers", {"column": "montant"}),
        Step("derive_from_date", {"column": "date_demande", "parts": ["year"]}),
        Step("fill_missing", {"column": "date_demande_annee", "strategy": "median"}),
    ):
        fitted = recipe.add(step, current)
        current = rc.apply_step(current, fitted)
    with pytest.raises(DatalabError) as caught:
        recipe.remove(0, frame)  # capping needs the numbers
    assert "l’étape 2" in caught.value.message and "Retirez d’abord" in caught.value.hint
    with pytest.raises(DatalabError) as caught:
        recipe.remove(2, frame)  # the year column is used by step 4
    assert "étape 4" in caught.value.message and "date_demande_annee" in caught.value.message
    assert len(recipe) == 4  # nothing removed
    recipe.remove(3, frame)
    recipe.remove(1, frame)
    assert [s.action for s in recipe.steps] == ["convert_type", "derive_from_date"]
    with pytest.raises(DatalabError):
        recipe.remove(5, frame)


def _buttons(widget, cls: str) -> list[widgets.Button]:
    found = []

    def walk(w):
        if isinstance(w, widgets.Button) and cls in w._dom_classes:
            found.append(w)
        for child in getattr(w, "children", ()) or ():
            walk(child)

    walk(widget)
    return found


def test_module_04_view_removes_one_step_and_refuses_a_step_that_changes_nothing(workspace):
    from labkit.ui.module04 import Module04App

    app = Module04App(workspace)
    view = app.recipe()
    state = app.state
    raw = state.raw
    missing = [c for c in raw.columns if raw[c].isna().any() and c != state.target]
    numbers = [c for c in missing if pd.api.types.is_numeric_dtype(raw[c])]
    state.add(Step("fill_missing", {"column": numbers[0], "strategy": "median"}))
    state.add(Step("drop_column", {"columns": [missing[-1]]}))
    state.add(Step("drop_duplicates"))
    assert len(state.recipe) == 3
    buttons = _buttons(view, "dl-remove-step")
    assert [b.description for b in buttons] == [
        "Retirer l’étape 1",
        "Retirer l’étape 2",
        "Retirer l’étape 3",
    ]
    buttons[1].click()  # remove the middle step only
    assert [s.action for s in state.recipe.steps] == ["fill_missing", "drop_duplicates"]
    assert missing[-1] in state.table.columns
    expected = Recipe(list(state.recipe.steps)).apply(raw, state.key)
    pd.testing.assert_frame_equal(state.table, expected)
    assert len(_buttons(view, "dl-remove-step")) == 2
    saved = Recipe.from_dict(workspace.load(preparation.RECIPE_KEY))
    assert [s.action for s in saved.steps] == ["fill_missing", "drop_duplicates"]
    # the same step again changes nothing: refused, not added
    with pytest.raises(DatalabError) as caught:
        state.add(Step("drop_duplicates"))
    assert caught.value.message.startswith("Cette étape ne change rien")
    assert len(state.recipe) == 2


# ----------------------------------------------------------------------------- conversions
def test_number_conversion_never_invents_nor_returns_infinity():
    values = pd.Series(["3,5e2", "1 234,5", "Infinity", "1e400", "-inf", "12", "abc", None])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numbers = rc.to_number(values)
    assert numbers.iloc[0] == 350 and numbers.iloc[1] == 1234.5 and numbers.iloc[5] == 12
    assert numbers.iloc[[2, 3, 4, 6, 7]].isna().all()
    assert np.isfinite(numbers.dropna()).all()
    # already numbers with infinities (a reader may give them): emptied too
    assert rc.to_number(pd.Series([1.0, np.inf, -np.inf])).isna().sum() == 2


def test_conversion_effect_counts_what_becomes_empty():
    frame = pd.DataFrame({"valeur": ["1,5", "Infinity", "1e400", "2"]})
    step = Step("convert_type", {"column": "valeur", "to": "number"})
    change = rc.effect(frame, step)
    assert change.became_missing == 2
    assert "2 valeur(s) n’ont pas pu être converties et deviennent vides" in change.text()


def test_an_impossible_date_becomes_empty_and_is_counted():
    frame = pd.DataFrame({"date": ["31/02/2023", "01/03/2023", "15/04/2023", "30/02/2024"]})
    step = rc.fit_step(frame, Step("convert_type", {"column": "date", "to": "date"}))
    after = rc.apply_step(frame, step)
    assert after["date"].isna().tolist() == [True, False, False, True]
    assert after["date"].iloc[1] == pd.Timestamp("2023-03-01")
    assert rc.effect(frame, step).became_missing == 2


def test_exported_script_converts_like_the_recipe():
    frame = pd.DataFrame({"valeur": ["3,5e2", "Infinity", "7"]})
    recipe = Recipe([Step("convert_type", {"column": "valeur", "to": "number"})])
    namespace: dict = {}
    code = export.to_python(recipe)
    helper = code[code.index("def to_number") : code.index("\n\n\n", code.index("def to_number"))]
    exec(helper, {"pd": pd}, namespace)  # noqa: S102 - our own exported helper
    pd.testing.assert_series_equal(
        namespace["to_number"](frame["valeur"]), recipe.apply(frame)["valeur"]
    )


def test_capping_whole_numbers_keeps_them_whole():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"quotient": rng.integers(0, 60, 200)})
    frame.loc[:3, "quotient"] = [400, 500, 650, 900]
    fitted = rc.fit_step(frame, Step("cap_outliers", {"column": "quotient"}))
    assert float(fitted.params["high"]).is_integer()
    capped = rc.apply_step(frame, fitted)
    assert pd.api.types.is_integer_dtype(capped["quotient"])
    explicit = rc.fit_step(frame, Step("cap_outliers", {"column": "quotient", "high": 90.34}))
    assert explicit.params["high"] == 90
    assert messages.text("recipe.effect_nothing")  # the message still exists for the preview


def test_module_04_cleaned_table_export_neutralises_formulas(workspace):
    """The cleaned table's CSV download follows the one CSV-safety rule (labkit.csvsafe)."""
    import base64
    import re

    from labkit.data import selection
    from labkit.learner.dataset import save_choice
    from labkit.ui.module04 import Module04App

    frame = pd.DataFrame(
        {
            "commentaire": ['=HYPERLINK("http://x")', "@SUM(A1)", "normal", "+33 6 12 34 56 78"],
            "montant": [-12.5, 3.0, 4.0, 5.0],
            "cible": ["oui", "non", "oui", "non"],
        }
    )
    choice = selection.DatasetChoice("upload", None, "formules.csv", "cible")
    save_choice(workspace, choice, frame)
    app = Module04App(workspace)
    view = app.recipe()
    links = [
        w.value
        for w in _all_widgets(view)
        if isinstance(getattr(w, "value", None), str) and "text/csv;base64," in w.value
    ]
    assert links, "no CSV download in module 04's recipe view"
    data = re.search(r"text/csv;base64,([A-Za-z0-9+/=]+)", links[0]).group(1)
    text = base64.b64decode(data).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'+33 6 12 34 56 78" in text
    assert ";-12.5;" in text  # a negative number stays a number


def _all_widgets(widget):
    stack = [widget]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", ()) or ())
