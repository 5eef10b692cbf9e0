"""Module 03 in Chromium: search the catalogue, open a card, choose a dataset and its target,
import a French CSV (override a detected setting, then go back to the detection), choose it, and
find the choice again after a reload. The data.gouv.fr search is not clicked here: browser tests
never touch the internet (tests/test_opendata.py covers it against a local replay server)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from support import assert_accessible, wait_until_rendered

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1800)]  # a loaded 2-core machine

SLOW_MS = 240_000  # the first page of a fresh server waits for its preheated kernel
READY = ".dl-catalogue-query input"  # the page is usable once it shows this
CSV = (
    "Export du service des sports\n"
    "\n"
    "date;equipement;entrees;recette;code_postal\n"
    "01/06/2024;Piscine des Grèves;512;2 304,00 €;01000\n"
    "02/06/2024;Piscine des Grèves;688;3 096,50 €;01000\n"
    "03/06/2024;Gymnase Pasteur;120;0,00 €;01000\n"
    "04/06/2024;Gymnase Pasteur;95;0,00 €;01000\n"
    "05/06/2024;Piscine des Grèves;430;1 935,00 €;01000\n"
    "06/06/2024;Piscine des Grèves;455;2 047,50 €;01000\n"
).encode("cp1252")


def choice_panel(page):
    return page.locator(".dl-choice-status")


def test_search_open_a_card_and_choose_it(page, open_page):
    open_page("03_donnees", "Donnees Test", READY)
    # without a choice, the running example is the default, clearly marked
    choice_panel(page).get_by_text("utilise par défaut l’exemple fil rouge").wait_for()
    choice_panel(page).get_by_text("Par défaut : exemple fil rouge").wait_for()

    # search the catalogue (plural, accents and apostrophe do not matter) and open a card
    query = page.locator(".dl-catalogue-query input")
    query.fill("RÉSEAUX d’eau")
    query.press("Enter")
    page.get_by_text("1 jeu(x) de données trouvé(s).").wait_for()
    card = page.locator(".dl-card-fuites")
    assert (
        "Licence Ouverte" in card.inner_text()
        and "2\u202f412 lignes × 16 colonnes" in card.inner_text()
    )
    card.get_by_role(
        "button", name="Ouvrir la fiche : Fuites sur les conduites d’un réseau d’eau potable"
    ).click()
    detail = page.locator(".dl-catalogue-detail")
    detail.get_by_text("Dictionnaire des données").first.wait_for()
    assert "annee_pose" in detail.inner_text()

    # use it, with its suggested target, and save the choice
    detail.get_by_role("button", name="Utiliser ce jeu de données pour mon projet").click()
    choice_panel(page).get_by_text("Jeu à enregistrer : « Fuites sur les conduites").wait_for()
    expect(page.locator(".dl-target select")).to_have_value("fuite_2024")
    page.get_by_text("Tâche : classification").wait_for()
    page.locator(".dl-choice-status ~ * .js-plotly-plot, .js-plotly-plot").first.wait_for()
    # the learner is in the example project: other data open a project of her own
    page.get_by_text("ces données-là ouvriront un nouveau projet").wait_for()
    page.get_by_role("button", name="Enregistrer ce choix pour mon projet").click()
    page.get_by_text("Nouveau projet créé et ouvert : « Fuites sur les conduites").wait_for()
    assert page.locator(".dl-msg-error").count() == 0
    assert_accessible(page)


def test_import_a_file_override_a_setting_choose_and_find_it_again(page, open_page, tmp_path):
    open_page("03_donnees", "Import Test", READY)
    target = page.locator(".dl-target select")

    # import a French CSV: detection report
    source = tmp_path / "frequentation sports.csv"
    source.write_bytes(CSV)
    with page.expect_file_chooser() as chooser:  # ipywidgets keeps its file input off the page
        page.get_by_role("button", name="Choisir un fichier").click()
    chooser.value.set_files(str(source))
    page.get_by_text("Ce que Datalab a détecté dans « frequentation sports.csv »").wait_for()
    report = page.locator(".dl-settings").last
    text = report.inner_text()
    assert (
        "cp1252" in text
        and "point-virgule" in text
        and "ligne 3" in text
        and "virgule (12,5)" in text
    )
    assert "Piscine des Grèves" in page.locator(".dl-scroll").last.inner_text()

    # every reading setting shows its automatic choice, none is blank (issue 23); the settings'
    # lists are drawn a moment after the report's text
    page.locator(".dl-opt-separator select").wait_for()
    shown_options = page.evaluate(
        "() => [...document.querySelectorAll('.dl-settings-box select, [class*=dl-opt-] select')]"
        ".filter(s => s.offsetParent !== null && !s.closest('.dl-opt-column'))"
        ".map(s => s.selectedIndex >= 0 ? s.options[s.selectedIndex].text.replace(/\\s+/g, ' ') : '')"
    )
    assert shown_options and all(text.strip() for text in shown_options), shown_options
    assert "Détection automatique" in shown_options
    # an override is applied (a wrong separator gives a visibly wrong reading); back to detection
    page.locator(".dl-opt-separator select").select_option(label="virgule (,)")
    page.get_by_role("button", name="Relire avec ces réglages").click()
    page.get_by_text("Fichier relu avec vos réglages.").wait_for()
    assert "virgule (,)" in page.locator(".dl-settings").last.inner_text()
    page.locator(".dl-opt-separator select").select_option(label="Détection automatique")
    page.get_by_role("button", name="Relire avec ces réglages").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.dl-settings')].pop().innerText.includes('point-virgule')"
    )

    # choose the file and a number target: regression
    use = page.get_by_role("button", name="Utiliser ce fichier pour mon projet")
    use.click()
    choice_panel(page).get_by_text("Jeu à enregistrer : « frequentation sports.csv »").wait_for()
    # its confirmation is right under the button, not thousands of pixels above (issue 23)
    said = page.get_by_text("est prêt à être choisi")
    said.wait_for()
    gap = said.bounding_box()["y"] - use.bounding_box()["y"]
    assert 0 < gap < 300, f"the confirmation is {gap:.0f} px from the button"
    target.select_option("entrees")
    page.get_by_text("Tâche : régression").wait_for()
    page.get_by_role("button", name="Enregistrer ce choix pour mon projet").click()
    page.get_by_text("Nouveau projet créé et ouvert : « frequentation sports.csv »").wait_for()
    assert page.locator(".dl-msg-error").count() == 0
    assert_accessible(page)

    # the choice is found again after a reload
    page.reload(wait_until="domcontentloaded", timeout=SLOW_MS)
    wait_until_rendered(page, timeout=SLOW_MS)
    choice_panel(page).get_by_text(
        "« frequentation sports.csv » (fichier importé), cible « entrees »"
    ).wait_for()
    expect(target).to_have_value("entrees")
