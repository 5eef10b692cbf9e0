"""The workbook app's kernel side, without a browser: modules built once, rebuilt when a link they
depend on changed, unknown routes, two tabs of one learner."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pandas as pd
import pytest

from labkit.data import selection
from labkit.learner import model as saved_model
from labkit.learner.dataset import save_choice
from labkit.model import learning
from labkit.ui import session
from labkit.ui.components import THEME_CSS
from labkit.ui.workbook import WorkbookApp


@pytest.fixture
def app(workspace, monkeypatch):
    monkeypatch.setattr(session, "_in_app", False)
    monkeypatch.setattr(session, "_app_project", None)
    app = WorkbookApp(workspace)
    app.show()
    return app


def build(app, number: str) -> str:
    return app.router.ready[number]


def texts(widget) -> str:
    parts, stack = [], [widget]
    while stack:
        current = stack.pop()
        value = getattr(current, "value", None)
        if isinstance(value, str):
            parts.append(value)
        stack.extend(getattr(current, "children", ()) or ())
    return "\n".join(parts)


def test_home_is_built_with_the_page_and_links_open_modules_in_place(app):
    assert app.current == "00"
    home = texts(app.slots["00"])
    assert "dl-header" in home and 'href="#01"' in home
    assert "voila/render" not in home and ".ipynb" not in home


def test_a_module_is_built_once_then_shown_as_it_was(app):
    app.router.route = "04"
    first = build(app, "04")
    assert "Préparer les données" in texts(app.slots["04"])
    app.router.route = "01"
    app.router.route = "04"
    assert build(app, "04") == first


def test_a_change_upstream_rebuilds_the_modules_that_depend_on_it(app, workspace):
    app.router.route = "04"
    app.router.route = "01"
    before_04, before_01 = build(app, "04"), build(app, "01")
    frame = pd.DataFrame({"a": [1, 2, 3, 4], "cible": ["x", "y", "x", "y"]})
    save_choice(
        workspace, selection.DatasetChoice("upload", None, "mon_fichier.csv", "cible"), frame
    )
    app.router.route = "04"
    assert build(app, "04") != before_04
    assert "mon_fichier.csv" in texts(app.slots["04"])
    app.router.route = "01"
    assert build(app, "01") == before_01  # 01 depends on no dataset


def test_one_step_at_a_time_then_the_next_on_click(app):
    app.router.route = "05"
    root = app.slots["05"].children[0]
    button = next(w for w in _walk(root) if "dl-next-step-button" in w._dom_classes)
    assert button.description.startswith("Étape suivante (2/")
    narrative_before = sum("dl-narrative-cell" in w._dom_classes for w in _walk(root))
    button.click()
    narrative_after = sum("dl-narrative-cell" in w._dom_classes for w in _walk(root))
    assert narrative_after > narrative_before


@pytest.mark.parametrize("route", ["99", "../../etc/passwd", "", "datalab", "04_preparation"])
def test_an_unknown_route_opens_the_home_page(app, route):
    app.router.route = "01"
    app.router.route = route
    assert app.current == "00"


def test_the_newest_tab_holds_the_work(app, workspace, monkeypatch):
    sent = []
    monkeypatch.setattr(app.router, "send", lambda content, buffers=None: sent.append(content))
    app._on_message(app.router, {"ping": 1}, [])
    assert not app.router.taken_over and sent == [{"pong": 1}]
    monkeypatch.setattr(session, "_in_app", False)
    WorkbookApp(workspace)  # the same learner opens a second tab
    app._on_message(app.router, {"ping": 2}, [])
    assert app.router.taken_over and sent[-1] == {"taken_over": True}


def test_without_pseudonym_the_home_page_asks_for_one(monkeypatch):
    monkeypatch.setattr(session, "_in_app", False)
    app = WorkbookApp(None)
    app.show()
    assert "Votre pseudonyme" in texts(app.slots["00"])


def _walk(widget):
    stack = [widget]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(getattr(current, "children", ()) or ())


def _every_step(app, number: str) -> str:
    """Module ``number``'s texts once every step is shown (« Étape suivante » to the end)."""
    while True:
        root = app.slots[number].children[0]
        buttons = [w for w in _walk(root) if "dl-next-step-button" in w._dom_classes]
        if not buttons:
            return texts(app.slots[number])
        buttons[0].click()


def test_a_regression_is_not_offered_the_threshold_step(app, workspace):
    app.router.route = "06"
    shown = _every_step(app, "06")  # the running example: a yes/no answer
    assert "Choisir le seuil avec les coûts" in shown
    assert "Choisir le seuil de décision à partir du coût des erreurs" in shown
    app.router.route = "05"  # a regression trained and saved there
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"age": rng.integers(0, 80, 120), "quartier": rng.choice(["N", "S"], 120)})
    frame["montant"] = frame["age"] * 3.5 + rng.normal(0, 5, 120)
    save_choice(
        workspace, selection.DatasetChoice("upload", None, "montants.csv", "montant"), frame
    )
    saved_model.save_model(
        workspace, learning.train(frame, "montant", ["age", "quartier"], "linear")
    )
    app.router.route = "06"  # rebuilt for the new model
    shown = _every_step(app, "06")
    assert "Choisir le seuil avec les coûts" not in shown
    assert "Choisir le seuil de décision à partir du coût des erreurs" not in shown
    assert "Les erreurs ont un coût" in shown  # the errors of a number are still told
    assert "La fiche de transparence" in shown or "fiche de transparence" in shown


def test_the_chart_library_is_loaded_once_the_page_is_up(app, monkeypatch):
    """At the page's first ping (3 s after it came), an unseen chart makes the browser load the
    chart library while the learner reads: module 01's charts no longer wait for it."""
    monkeypatch.setattr(app.router, "send", lambda content, buffers=None: None)

    def ahead():
        return [w for w in app.box.children if "dl-charts-ahead" in w._dom_classes]

    assert not ahead()  # not with the page: it would come later
    app._on_message(app.router, {"ping": 1}, [])
    [chart] = ahead()
    assert isinstance(chart, widgets.Output)
    rule = THEME_CSS.split(".dl-charts-ahead", 1)[1].split("}", 1)[0]
    assert "visibility: hidden" in rule and "left: -10000px" in rule  # unseen, unread
    app._on_message(app.router, {"ping": 2}, [])
    assert ahead() == [chart]
