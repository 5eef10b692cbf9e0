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
