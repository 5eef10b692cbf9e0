"""Playing module notebooks inside the workbook app: steps, narrative, cells, errors, paths."""

from __future__ import annotations

import json

import ipywidgets as widgets
import pytest
from support import ROOT

from labkit.course.modules import load_modules
from labkit.ui import player


def write_notebook(path, cells, metadata=None):
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": kind, "metadata": {}, "source": source}
                    | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                    for kind, source in cells
                ],
                "metadata": metadata or {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        ),
        encoding="utf-8",
    )
    return path


def test_steps_end_with_each_activity(tmp_path):
    path = write_notebook(
        tmp_path / "m.ipynb",
        [
            ("code", "x = 1"),
            ("code", "y = 2"),
            ("markdown", "## Premier\n\nTexte"),
            ("code", "z = 3"),
            ("markdown", "## Deuxième **partie**"),
            ("markdown", "Encore du texte"),
            ("code", "a = 1"),
            ("code", "b = 2"),
            ("markdown", "## Fin"),
            ("markdown", "   "),
        ],
    )
    module = player.read_module("m", path)
    assert [len(s.cells) for s in module.steps] == [4, 4, 1]
    assert [s.title for s in module.steps] == ["Premier", "Deuxième partie", "Fin"]
    assert module.one_step_at_a_time


def test_a_notebook_can_ask_to_be_shown_whole(tmp_path):
    path = write_notebook(
        tmp_path / "m.ipynb", [("markdown", "# A")], {"datalab": {"one_step_at_a_time": False}}
    )
    assert not player.read_module("m", path).one_step_at_a_time


def test_every_module_notebook_starts_with_its_header_and_first_activity():
    for module in load_modules():
        notebook = player.read_module(module.id)
        first = notebook.steps[0]
        code = [c.source for c in first.cells if c.kind == "code"]
        assert any("for_request()" in source for source in code), module.id
        assert any(c.kind == "markdown" for c in first.cells), module.id
        for step in notebook.steps[1:]:
            assert step.title, f"{module.id}: a step without a heading"


def test_cells_run_in_their_namespace_and_show_their_last_value():
    namespace: dict = {}
    assert player.run_code("a = 2\na * 3", namespace) == 6
    assert player.run_code("b = a", namespace) is None
    assert namespace["b"] == 2
    label = widgets.Label("x")
    assert player.shown(label) is label
    assert isinstance(player.shown("texte"), widgets.Output)
    assert player.shown(None) is None


def test_a_failing_cell_shows_a_french_message_and_the_step_goes_on():
    step = player.Step(
        [
            player.Cell("markdown", "## Titre\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
            player.Cell("code", "1 / 0"),
            player.Cell("code", "import ipywidgets\nipywidgets.Label('après')"),
        ]
    )
    parts = player.play_step(step, {})
    assert len(parts) == 3
    assert "<table>" in parts[0].value and "<h2>Titre</h2>" in parts[0].value
    message = parts[1].children[0].value
    assert "Un problème inattendu est survenu" in message and "Traceback" not in message
    assert parts[2].value == "après"


@pytest.mark.parametrize("bad", ["../pyproject", "../../etc/passwd", "sub/../../x", "/etc/passwd"])
def test_only_the_workbooks_own_notebooks_are_read(bad):
    with pytest.raises(ValueError):
        player.notebook_path(bad)


def test_the_app_notebook_is_not_a_module():
    ids = {m.id for m in load_modules()}
    assert "datalab" not in ids
    assert (ROOT / "notebooks" / "datalab.ipynb").exists()


def test_a_cell_for_some_tasks_is_left_out_of_the_others(tmp_path):
    path = tmp_path / "m.ipynb"
    write_notebook(
        path,
        [
            ("code", "app = 1"),
            ("markdown", "## Début"),
            ("code", "a = 1"),
            ("markdown", "## Les erreurs"),
            ("markdown", "## Le seuil"),
            ("code", "seuil = 1"),
            ("markdown", "## La fiche"),
            ("code", "fiche = 1"),
        ],
    )
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for index in (4, 5):
        notebook["cells"][index]["metadata"] = {"datalab": {"tasks": ["binary"]}}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    module = player.read_module("m", path)
    every = ["Début", "Les erreurs", "La fiche"]
    assert [s.title for s in module.steps] == every  # no task known: every cell, in its step
    assert "seuil = 1" in [c.source for c in module.steps[1].cells]
    assert module.for_task("binary").steps[1].cells == module.steps[1].cells
    for task in ("regression", "multiclass"):
        steps = module.for_task(task).steps
        assert [s.title for s in steps] == every  # the steps stay as they were, less the cells
        sources = [c.source for s in steps for c in s.cells]
        assert "seuil = 1" not in sources and "## Le seuil" not in sources
        assert "fiche = 1" in sources


def test_the_first_step_stays_whole_and_an_unknown_task_is_refused(tmp_path):
    path = tmp_path / "m.ipynb"
    write_notebook(path, [("code", "app = 1"), ("markdown", "## Début"), ("code", "a = 1")])
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][2]["metadata"] = {"datalab": {"tasks": "binary"}}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    module = player.read_module("m", path)
    assert module.for_task("regression").steps[0].cells == module.steps[0].cells
    notebook["cells"][2]["metadata"] = {"datalab": {"tasks": ["binaire"]}}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    with pytest.raises(ValueError, match="binaire"):
        player.read_module("m", path)
