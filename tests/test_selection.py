"""The learner's dataset choice: saved and reloaded, running example by default, bad choices refused."""

from __future__ import annotations

import pandas as pd
import pytest

from labkit.data import selection
from labkit.data.datapackage import load_dataset
from labkit.data.selection import DatasetChoice
from labkit.errors import DatalabError
from labkit.learner.dataset import load_choice, save_choice


def test_without_a_choice_the_running_example_is_used_and_marked(workspace):
    choice, frame = load_choice(workspace)
    assert choice.is_default and choice.source == "catalogue"
    assert choice.dataset_id == "creches" and choice.target == "place_attribuee"
    assert choice.task == "classification"
    assert len(frame) == 1216 and "place_attribuee" in frame
    assert load_choice(None)[0].is_default


def test_save_and_load_a_catalogue_choice(workspace):
    table = load_dataset("piscine").table
    choice = DatasetChoice("catalogue", "piscine", "Piscine", "frequentation", task="regression")
    saved = save_choice(workspace, choice, table)
    assert not saved.is_default and saved.saved_at
    again, frame = load_choice(workspace)
    assert again == saved
    pd.testing.assert_frame_equal(frame, table, check_dtype=False)
    assert frame["date"].dtype.kind == "M"
    schema = selection.declared_schema(again)
    assert schema["fields"][0]["name"] == "date"
    assert selection.dataset_of(again).id == "piscine"


def test_an_uploaded_table_has_no_declared_schema(workspace):
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"]})
    choice = DatasetChoice("upload", None, "mon_fichier.csv", "b", filename="mon_fichier.csv")
    save_choice(workspace, choice, frame)
    loaded, table = load_choice(workspace)
    assert loaded.source == "upload" and loaded.filename == "mon_fichier.csv"
    assert selection.declared_schema(loaded) is None and selection.dataset_of(loaded) is None
    assert table["b"].tolist() == ["x", "y", "x"]


def test_a_catalogue_choice_whose_table_was_lost_is_reloaded(workspace):
    choice = DatasetChoice("catalogue", "fuites", "Fuites", "fuite_2024")
    save_choice(workspace, choice, load_dataset("fuites").table)
    for path in workspace.folder.rglob("raw*"):
        path.unlink()
    loaded, frame = load_choice(workspace)
    assert loaded.dataset_id == "fuites" and len(frame) == 2412


def test_a_damaged_choice_falls_back_to_the_running_example(workspace):
    workspace.save("dataset", {"nonsense": True})
    choice, _ = load_choice(workspace)
    assert choice.is_default
    workspace.save("dataset", "pas un objet")
    assert load_choice(workspace)[0].is_default


@pytest.mark.parametrize(
    ("choice", "frame", "key"),
    [
        (
            DatasetChoice("ailleurs", None, "x", None),
            pd.DataFrame({"a": [1], "b": [2]}),
            "selection.bad_source",
        ),
        (DatasetChoice("upload", None, "x", None), pd.DataFrame(), "selection.empty_table"),
        (
            DatasetChoice("upload", None, "x", None),
            pd.DataFrame({"a": [1, 2]}),
            "selection.one_column",
        ),
        (
            DatasetChoice("upload", None, "x", "c"),
            pd.DataFrame({"a": [1], "b": [2]}),
            "selection.unknown_target",
        ),
        (
            DatasetChoice("upload", None, "x", "b"),
            pd.DataFrame({"a": [1, 2], "b": [None, None]}),
            "selection.target_empty",
        ),
        (
            DatasetChoice("upload", None, "x", "b"),
            pd.DataFrame({"a": [1, 2], "b": [3, 3]}),
            "selection.target_constant",
        ),
        (
            DatasetChoice("upload", None, "x", "b", task="devinette"),
            pd.DataFrame({"a": [1, 2], "b": [3, 4]}),
            "selection.bad_task",
        ),
    ],
)
def test_bad_choices_are_refused_and_nothing_is_saved(workspace, choice, frame, key):
    with pytest.raises(DatalabError) as info:
        save_choice(workspace, choice, frame)
    assert info.value.key == key
    assert workspace.load("dataset", None) is None
    assert not workspace.has_table("raw")
