"""Sentences that must follow what happened: the comparison message of module 05."""

from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np
import pandas as pd
from test_truth_learning import _choose, _find, _text


def test_module_05_gives_no_comparison_time_it_cannot_measure(workspace):
    """The kernel's time stops before the browser draws the results: no « en 2,4 s »."""
    from labkit.ui.module05 import Module05App

    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "surface": rng.gamma(3, 40, 200).round(1),
            "age": rng.integers(1, 90, 200),
            "cible": rng.choice(["a", "b"], 200),
        }
    )
    _choose(workspace, frame, "cible")
    app = Module05App(workspace)
    view = app.comparison()
    steps = []
    step_boxes = [w for w in _walk(view) if isinstance(w, widgets.HTML)]
    tables = []  # whether the scores' table was on the page when each step was said
    for box in step_boxes:
        box.observe(lambda change: steps.append(change["new"]), "value")
        box.observe(lambda change: tables.append("<table" in _text(view)), "value")
    [button] = _find(view, "dl-compare")
    button.click()
    text = _text(view)
    assert "Comparaison terminée : les résultats sont ci-dessous." in text
    assert not re.search(r"\d\s*s\b", " ".join(steps)), steps  # no duration in any step
    shown = [i for i, s in enumerate(steps) if "Comparaison terminée" in s]
    assert shown and all(tables[i] for i in shown)  # « terminée » once the table is there
    assert shown[-1] == len(steps) - 1  # and said last


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _walk(child)
