"""The cleaning link in the learner's workspace (recipe, clean table, key) and the chain over it."""

from __future__ import annotations

import pandas as pd
import pytest

from labkit.data import rows
from labkit.errors import DatalabError
from labkit.learner import chain, preparation
from labkit.prepare.recipe import Recipe, Step

KEY = bytes(range(32))


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {"nom": ["Ana", "Léo", None, "Ana"], "age": [30, None, 41, 30], "cible": [1, 0, 1, 1]}
    )


def test_save_and_load_recipe_in_the_workspace(workspace):
    frame = rows.numbered(table())  # labelled by file rows, as every table read is
    recipe = Recipe()
    recipe.add(Step("fill_missing", {"column": "age", "strategy": "median"}), frame)
    recipe.add(Step("pseudonymise", {"columns": ["nom"]}), frame)
    preparation.save_recipe(workspace, recipe)
    loaded, is_default = chain.recipe_of(workspace)
    assert not is_default
    assert [s.to_dict() for s in loaded.steps] == [s.to_dict() for s in recipe.steps]
    assert preparation.saved_clean_table(workspace) is None
    preparation.save_clean_table(workspace, recipe.apply(frame, KEY))
    assert workspace.has_table(preparation.CLEAN_TABLE)
    pd.testing.assert_frame_equal(
        preparation.saved_clean_table(workspace), recipe.apply(frame, KEY), check_dtype=False
    )
    # a clean table saved before the file rows were kept (positions 0, 1, 2…) is replayed instead
    preparation.save_clean_table(workspace, recipe.apply(frame, KEY).reset_index(drop=True))
    assert preparation.saved_clean_table(workspace) is None


def test_without_a_saved_recipe_the_chain_gives_the_default_one(workspace):
    assert preparation.saved_recipe(workspace) is None
    recipe, is_default = chain.recipe_of(workspace)
    assert is_default and len(recipe) > 0
    frame, target, _schema = chain.running_example()
    assert [s.to_dict() for s in recipe.steps] == [
        s.to_dict() for s in chain.default_recipe(frame, target, _schema).steps
    ]


def test_a_damaged_saved_recipe_gives_a_french_error(workspace):
    workspace.save(preparation.RECIPE_KEY, {"steps": [{"action": "tout_casser"}]})
    with pytest.raises(DatalabError, match="inconnue"):
        chain.recipe_of(workspace)


def test_project_key_is_kept_in_the_workspace(workspace):
    key = preparation.project_key(workspace)
    assert len(key) == 32 and preparation.project_key(workspace) == key
    workspace.save(preparation.KEY_DOCUMENT, {"key": "pas de l’hexadécimal"})
    renewed = preparation.project_key(workspace)
    assert len(renewed) == 32 and renewed != key


def test_the_running_example_is_read_from_its_data_package():
    from labkit.settings import load_settings

    frame, target, schema = chain.running_example()
    assert target == load_settings().running_example.target and target in frame.columns
    assert schema and schema.get("fields")
