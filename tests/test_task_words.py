"""The words of a task are chosen in one place (issue 23, item 3): a number target is never read
with precision, recall or a confusion matrix, a two-class target names its positive class, and a
target of three classes or more is read class by class."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labkit.model import learning
from labkit.model.problem import CLASSIFICATION, REGRESSION, Task

CLASSIFICATION_WORDS = ("précision", "rappel", "matrice de confusion")


@pytest.mark.parametrize(
    ("task", "family"),
    [
        (Task(REGRESSION, ""), "regression"),
        (Task(CLASSIFICATION, "", ("non", "oui")), "binary"),
        (Task(CLASSIFICATION, "", ("a", "b", "c")), "multiclass"),  # the boundary: 3 classes
    ],
)
def test_the_family_of_a_task(task, family):
    assert task.family == family


def trained_on(target_values) -> learning.TrainedModel:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"x": rng.normal(size=len(target_values)), "cible": target_values})
    return learning.train(frame, "cible", ["x"], "tree")


def test_a_number_target_is_read_without_classification_words():
    reading = trained_on(np.arange(120, dtype=float)).metrics_reading()
    assert "erreur moyenne" in reading
    assert not any(word in reading.lower() for word in CLASSIFICATION_WORDS), reading


def test_two_classes_are_read_with_the_positive_class_named():
    model = trained_on(["oui", "non"] * 60)
    reading = model.metrics_reading()
    assert model.family == "binary"
    assert "quand le modèle dit « oui »" in reading and "matrice de confusion" in reading


def test_three_classes_are_read_class_by_class():
    model = trained_on(["a", "b", "c"] * 40)
    reading = model.metrics_reading()
    assert model.family == "multiclass"
    assert "par classe" in reading and "« oui »" not in reading
