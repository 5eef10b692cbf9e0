"""Module 05 in Chromium: compare the models, open a confusion-matrix cell, move the complexity
slider, save the model; the page stays accessible."""

from __future__ import annotations

import pytest
from support import assert_accessible

pytestmark = pytest.mark.browser

# A fresh server's first page waits for its preheated kernel, and training takes a few seconds;
# on a loaded machine both take longer than new_page's 120 s (see tests/browser/conftest.py).
SLOW_MS = 300_000


def test_train_open_a_cell_move_the_slider_and_save(page, open_page, voila_server):
    open_page("05_modele", "Modele Test")
    # the running example stands in for modules 03 and 04, and says so
    page.get_by_text("l’exemple fil rouge est utilisé à la place").first.wait_for()
    page.get_by_text("c’est une tâche de classification").wait_for()
    page.locator("text=5 plis >> visible=true").first.wait_for()  # not the glossary (hidden)

    page.get_by_role("button", name="Comparer les modèles").click()
    table = page.get_by_role("table", name="Scores en validation croisée", exact=False)
    table.wait_for()
    text = table.inner_text()
    for name in ("Référence naïve", "Arbre de décision", "Forêt aléatoire", "Formule explicite"):
        assert name in text
    page.get_by_text("Le meilleur modèle").first.wait_for()
    page.get_by_text("Comparaison terminée").wait_for()
    assert page.locator(".js-plotly-plot").count() >= 1

    # a cell of the confusion matrix lists its rows
    page.get_by_text("Sur le jeu de test, jamais vu pendant la comparaison").wait_for()
    wrong = page.locator(".dl-cell-wrong").first
    label = wrong.inner_text()
    assert label.endswith(" ligne(s), erreur"), "not told by colour alone"
    assert wrong.get_attribute("aria-label").startswith("Vraie valeur « "), (
        "named by row and column"
    )
    count = int(label.split()[0])
    wrong.click()
    rows = page.locator(".dl-cell-rows")
    rows.get_by_text("(erreur)").wait_for()
    assert f": {count} ligne(s) de test" in rows.inner_text()
    if count:
        assert rows.get_by_role("table").locator("tbody tr").count() == min(count, 30)

    # the complexity slider: push the tree to its deepest setting
    readout = page.locator(".dl-complexity-readout")
    readout.get_by_text("profondeur maximale").wait_for()
    before = readout.inner_text()
    handle = page.locator(".dl-complexity .noUi-handle, .dl-complexity .ui-slider-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("End")
    readout.get_by_text("= 15 :").wait_for()
    # a screen reader hears the setting's value, not the handle's position along the track
    page.wait_for_function(
        "() => document.querySelector('.dl-complexity [role=slider]')"
        ".getAttribute('aria-valuetext') === '15'"
    )
    assert handle.get_attribute("aria-label").startswith("Réglage « profondeur maximale")
    after = readout.inner_text()
    assert after != before and "surapprentissage" in after

    # save the examined model
    page.get_by_role("button", name="Enregistrer ce modèle").click()
    page.get_by_text("Le module 06 pourra l’utiliser").wait_for()
    page.get_by_text("Modèle enregistré :").wait_for()
    learner = voila_server.workspace_root / "learners" / "modele-test" / "projects" / "exemple"
    assert (learner / "files" / "model.skops").exists()
    assert (learner / "training.json").exists()
    assert page.locator(".dl-msg-error").count() == 0
    assert_accessible(page)


def test_explanations_and_bias_audit(page, open_page):
    open_page("05_modele", "Audit Test")
    page.get_by_role("button", name="Comparer les modèles").click()
    page.get_by_text("Comparaison terminée").wait_for()
    page.get_by_role("button", name="Expliquer le modèle examiné").click()
    page.get_by_text("Les règles d’un arbre court").wait_for()
    page.get_by_text("Si « ").first.wait_for()
    page.get_by_text("score = ").first.wait_for()
    page.get_by_label("Groupes à comparer").select_option("quartier")
    page.get_by_role("button", name="Lancer l’audit").click()
    audit = page.get_by_role("table", name="Mesures par groupe de « quartier »", exact=False)
    audit.wait_for()
    assert "Saint-Martin" in audit.inner_text()
    page.get_by_text("d’où vient-il (les données, l’histoire, le modèle)", exact=False).wait_for()
    assert page.locator(".dl-msg-error").count() == 0
    assert_accessible(page)


def test_an_impossible_choice_gets_a_french_message(page, open_page):
    open_page("05_modele", "Choix Test")
    page.get_by_role("button", name="Tout décocher").click()
    page.get_by_text("Aucune colonne n’est choisie pour prédire la cible").first.wait_for()
    page.get_by_role("button", name="Comparer les modèles").click()
    page.locator(".dl-msg-error").first.wait_for()
    assert "Traceback" not in page.content()
