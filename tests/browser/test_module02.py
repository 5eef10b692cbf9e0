"""Module 02 in Chromium: fill and save the fiche projet, reload the page, find it again; the risk
questionnaire gives its level and keeps the answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support import assert_accessible, wait_until_rendered

pytestmark = pytest.mark.browser

# The first page of a freshly started server waits for its preheated kernel; on a loaded machine
# this takes longer than new_page's 120 s (SLOW_MS: see tests/browser/conftest.py).
SLOW_MS = 240_000
READY = ".dl-canvas-save >> nth=0"  # the page is usable once it shows this


def field(page, field_id: str):
    return page.locator(f".dl-field-{field_id} textarea, .dl-field-{field_id} input").first


def test_fill_save_reload_and_find_the_canvas_again(page, open_page):
    open_page("02_cadrage", "Fiche Test", READY)
    page.get_by_text("Enregistrez d’abord la fiche").wait_for()
    # the label of each box is a real label
    page.get_by_label("Le problème du service public (obligatoire)").fill(
        "Les familles attendent <b>trop</b> longtemps."
    )
    field(page, "titre").fill("Piscine et crèches")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    page.get_by_text("Fiche projet enregistrée comme brouillon").wait_for()
    page.get_by_text("Le champ « La décision à éclairer » est obligatoire.").first.wait_for()

    page.get_by_role("button", name="Remplir les champs vides avec l’exemple").click()
    page.get_by_text("Les champs vides ont été remplis").wait_for()
    expect(field(page, "decision")).to_have_value(re.compile("commission"))
    page.get_by_role("button", name="Enregistrer la fiche").click()
    page.get_by_text("Elle est complète").wait_for()
    link = page.get_by_role("link", name="Télécharger la fiche (page web)")
    assert link.get_attribute("download") == "fiche-projet-piscine-et-creches.html"
    with page.expect_download() as download_info:
        link.click()
    document = open(download_info.value.path(), encoding="utf-8").read()
    assert "&lt;b&gt;trop&lt;/b&gt;" in document and "<b>trop" not in document

    page.reload(wait_until="domcontentloaded", timeout=SLOW_MS)
    wait_until_rendered(page, timeout=SLOW_MS)
    page.get_by_text("Votre fiche projet enregistrée a été rechargée.").wait_for()
    expect(field(page, "titre")).to_have_value("Piscine et crèches")
    expect(field(page, "probleme")).to_have_value("Les familles attendent <b>trop</b> longtemps.")
    expect(field(page, "decision")).to_have_value(re.compile("commission"))
    page.get_by_role("link", name="Télécharger la fiche (texte Markdown)").wait_for()
    assert page.locator(".dl-msg-error").count() == 0
    assert_accessible(page)


def test_risk_answers_give_a_level_and_are_kept(page, open_page):
    open_page("02_cadrage", "Risque Test", READY)
    result = page.locator(".dl-risk-result")
    result.get_by_text("le niveau de risque de votre projet s’affichera ici").wait_for()
    question = page.locator(".dl-risk-prestations_essentielles")
    question.scroll_into_view_if_needed()
    question.get_by_role("radio", name="Oui").check()
    result.get_by_text("Niveau de risque de votre projet : Haut risque").wait_for()
    assert "annexe III" in result.inner_text()
    page.locator(".dl-risk-emploi").get_by_role("radio", name="Je ne sais pas").check()
    page.locator(".dl-risk-notation_sociale").get_by_role("radio", name="Je ne sais pas").check()
    result.get_by_text("le projet serait au niveau « Pratique interdite »").wait_for()

    page.get_by_label("Votre réponse : Contrôle humain").fill("Un agent relit chaque dossier.")
    page.get_by_role("button", name="Enregistrer la liste de vérification").click()
    page.get_by_text("Liste de vérification enregistrée (1 point").wait_for()

    page.reload(wait_until="domcontentloaded", timeout=SLOW_MS)
    wait_until_rendered(page, timeout=SLOW_MS)
    page.locator(".dl-risk-result").get_by_text("Haut risque").first.wait_for()
    expect(
        page.locator(".dl-risk-prestations_essentielles").get_by_role("radio", name="Oui")
    ).to_be_checked()
    expect(page.get_by_label("Votre réponse : Contrôle humain")).to_have_value(
        "Un agent relit chaque dossier."
    )
    assert page.locator(".dl-msg-error").count() == 0
