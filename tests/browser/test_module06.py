"""Module 06 in Chromium: fill the what-if form, score a file (and a bad one), choose a threshold,
prepare the transparency sheet, download the final report."""

from __future__ import annotations

import re

import pytest
from support import assert_accessible

from labkit.learner import chain, usecase
from labkit.workspace import Workspace

# Each test renders the page and computes the running example's model, report and sheet: on a
# shared, loaded machine this takes several minutes.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(1800)]

# The first page of a freshly started server waits for its preheated kernel; on a loaded machine
# this takes longer than new_page's 120 s (SLOW_MS: see tests/browser/conftest.py).
SLOW_MS = 600_000
READY = ".dl-uc-predict >> nth=0"  # the page is usable once it shows this


def prepare_learner(server, pseudonym: str) -> None:
    """A learner without a model gets the running example: train it here once, so that the page
    finds it in the workspace instead of training it while Voilà renders."""
    workspace = Workspace.open(pseudonym, server.workspace_root)
    usecase.load_context(workspace)


def upload_file(page, css: str, path: str) -> None:
    """Give a file to an ipywidgets FileUpload (its file input is not in the page: the button
    opens the file chooser)."""
    with page.expect_file_chooser() as chooser:
        page.locator(css).click()
    chooser.value.set_files(path)


def new_cases(tmp_path, name: str, drop: tuple[str, ...] = ()) -> str:
    frame, target, _schema = chain.running_example()
    rows = frame.tail(15).drop(columns=[target, *drop])
    path = tmp_path / name
    path.write_bytes(rows.to_csv(sep=";", index=False).encode("utf-8"))
    return str(path)


def test_what_if_form_and_scoring_a_file(page, open_page, voila_server, tmp_path):
    prepare_learner(voila_server, "Usage Test")
    open_page("06_usage", "Usage Test", READY)
    page.get_by_text("l’exemple fil rouge est utilisé à la place").first.wait_for()

    # the what-if form: a value outside the training range gets a French message
    age = page.locator(".dl-uc-input-age_enfant_mois input")
    age.fill("200")
    age.press("Tab")
    page.locator(".dl-uc-input-situation_emploi select").select_option("sans emploi")
    page.get_by_role("button", name="Prédire ce cas").click()
    page.get_by_text("en dehors des valeurs vues à l’entraînement").first.wait_for()
    age.fill("12")
    age.press("Tab")
    page.get_by_role("button", name="Prédire ce cas").click()
    result = page.locator(".dl-uc-result")
    result.get_by_text("Le modèle prédit").wait_for()
    assert "Probabilité estimée par le modèle" in result.inner_text()
    assert "sans emploi" in result.inner_text(), "the reasons name the value that matters"

    # batch scoring of a good file, then of a file with a column missing
    upload_file(page, ".dl-uc-upload", new_cases(tmp_path, "nouveaux dossiers.csv"))
    page.get_by_text("15 ligne(s) évaluée(s) sur 15").wait_for()
    link = page.get_by_role("link", name="Télécharger les résultats (CSV)")
    assert link.get_attribute("download") == "resultats-place-attribuee.csv"
    with page.expect_download() as info:
        link.click()
    lines = open(info.value.path(), encoding="utf-8-sig").read().splitlines()
    assert len(lines) == 16 and "prédiction" in lines[0].split(";")
    assert "probabilité de « oui »" in lines[0]

    upload_file(page, ".dl-uc-upload", new_cases(tmp_path, "incomplet.csv", drop=("quartier",)))
    error = page.locator(".dl-msg-error", has_text="Il manque au fichier")
    error.wait_for()
    assert "« quartier »" in error.inner_text()
    assert_accessible(page)


def test_threshold_sheet_and_report_download(page, open_page, voila_server):
    prepare_learner(voila_server, "Rapport Test")
    open_page("06_usage", "Rapport Test", READY)

    # the threshold from the costs of errors
    counts = page.locator(".dl-uc-counts")
    counts.get_by_text("dossiers de test").wait_for()
    before = counts.inner_text()
    cost = page.locator(".dl-uc-cost-fn input")
    cost.fill("5")
    cost.press("Tab")
    page.get_by_role("button", name="Placer le curseur sur le seuil le moins coûteux").click()
    page.wait_for_function(
        "([el, before]) => el.innerText !== before", arg=[counts.element_handle(), before]
    )
    page.get_by_role("button", name="Enregistrer ce seuil").click()
    page.get_by_text(re.compile(r"Seuil de décision 0,\d+ enregistré")).wait_for()

    # the transparency sheet, prefilled from the project and saved
    page.get_by_role("button", name="Préremplir à partir de mon projet").click()
    purpose = page.locator(".dl-uc-sheet-finalite textarea")
    page.wait_for_function("(el) => el.value.length > 20", arg=purpose.element_handle())
    page.locator(".dl-uc-sheet-contact textarea").fill("Service petite enfance <mairie>")
    page.get_by_role("button", name="Enregistrer la fiche et la carte").click()
    page.get_by_text("Fiche de transparence et carte du modèle enregistrées.").wait_for()
    page.get_by_role("link", name="Fiche de transparence (HTML)").wait_for()

    # the final report, downloaded and self-contained
    page.get_by_role("button", name="Préparer le rapport final").click()
    link = page.get_by_role("link", name="Télécharger le rapport final (HTML)")
    link.wait_for()
    assert link.get_attribute("download") == "rapport-rapport-test.html"
    with page.expect_download() as info:
        link.click()
    document = open(info.value.path(), encoding="utf-8").read()
    assert document.startswith("<!DOCTYPE html>") and '<html lang="fr">' in document
    assert "Rapport de projet" in document and "Au seuil 0," in document
    assert "Service petite enfance &lt;mairie&gt;" in document
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", document)
    assert page.locator(".dl-msg-error").count() == 0
    assert_accessible(page)
