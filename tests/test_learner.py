"""The learner project: revisions of the chain's links, and the recipe set aside on a new dataset."""

from __future__ import annotations

import pandas as pd

from labkit.data import selection
from labkit.learner import preparation
from labkit.learner.dataset import clear_choice, save_choice
from labkit.learner.project import LearnerProject, dataset_identity
from labkit.prepare import recipe as rc


def choose(workspace, dataset_id: str, name: str) -> None:
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "cible": ["x", "y", "x", "y"]})
    choice = selection.DatasetChoice("catalogue", dataset_id, name, "cible")
    save_choice(workspace, choice, frame)


def save_recipe(workspace, column: str) -> dict:
    recipe = rc.Recipe.from_dict(
        {"steps": [{"action": "drop_column", "params": {"columns": [column]}}]}
    )
    preparation.save_recipe(workspace, recipe)
    return recipe.to_dict()


def test_writes_raise_the_revision_of_their_link(workspace):
    project = LearnerProject(workspace)
    heard: list[str] = []
    unsubscribe = project.subscribe(heard.append)
    before = project.revisions()
    workspace.save("training", {"model": "tree"})
    workspace.save("progress", {})
    workspace.save("notes_libres", {})  # not a link of the chain
    after = project.revisions()
    assert after["model"] == before["model"] + 1
    assert after["progress"] == before["progress"] + 1
    assert after["dataset"] == before["dataset"]
    assert heard == ["model", "progress"]
    unsubscribe()
    workspace.save("training", {"model": "forest"})
    assert heard == ["model", "progress"]


def test_a_model_depends_on_the_links_before_it(workspace):
    project = LearnerProject(workspace)
    assert project.upstream("model") == ("dataset", "recipe", "model")
    assert project.upstream("progress") == ("progress",)


def test_a_new_dataset_sets_the_previous_recipe_aside_and_gives_it_back(workspace):
    project = LearnerProject(workspace)
    # a recipe made on the running example (no dataset saved yet)
    made = save_recipe(workspace, "age")
    workspace.save_table(preparation.CLEAN_TABLE, pd.DataFrame({"a": [1]}))
    recipe_revision = project.revisions()["recipe"]

    choose(workspace, "fuites", "Fuites")
    assert workspace.load(preparation.RECIPE_KEY) is None  # 04 starts afresh on the new table
    assert not workspace.has_table(preparation.CLEAN_TABLE)
    assert project.revisions()["recipe"] > recipe_revision
    fuites_recipe = save_recipe(workspace, "diametre")

    choose(workspace, "piscine", "Piscine")
    assert workspace.load(preparation.RECIPE_KEY) is None

    choose(workspace, "fuites", "Fuites")
    assert workspace.load(preparation.RECIPE_KEY) == fuites_recipe

    # back to the running example: its recipe comes back too
    clear_choice(workspace)
    assert workspace.load(preparation.RECIPE_KEY) == made


def test_the_same_dataset_chosen_again_keeps_its_recipe(workspace):
    LearnerProject(workspace)
    choose(workspace, "fuites", "Fuites")
    kept = save_recipe(workspace, "diametre")
    choose(workspace, "fuites", "Fuites (cible changée)")
    assert workspace.load(preparation.RECIPE_KEY) == kept


def test_an_import_or_a_reset_changes_every_link(workspace):
    project = LearnerProject(workspace)
    before = project.revisions()
    workspace.reset()
    after = project.revisions()
    assert all(after[link] > before[link] for link in before)


def test_identity_of_a_choice():
    assert (
        dataset_identity({"source": "upload", "filename": "a.csv", "name": "a"}) == "upload:a.csv"
    )
    assert dataset_identity({"source": "catalogue", "dataset_id": "fuites", "name": "F"}) == (
        "catalogue:fuites"
    )
    assert dataset_identity(None).startswith("catalogue:")
