"""The workbook with the keyboard only (issue 25, part 1): the page title names the module, a skip
link leads to it, a step revealed takes the focus to its heading, a control the kernel disables
while it works gets the focus back, and the « ouvert ailleurs » dialog keeps the focus and closes
with Escape. The focus is never left on the page body."""

from __future__ import annotations

import pytest
from support import assert_accessible, go_to_module, reveal_all_steps
from support import module_shown as shown

pytestmark = pytest.mark.browser

SLOW_MS = 180_000


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const module = e && e.closest('.dl-module-root');
            return {tag: e ? e.tagName : null, text: e ? (e.innerText || e.value || '').trim() : '',
                    classes: e ? String(e.className) : '',
                    module: module ? [...module.classList].find(c => /^dl-module-\\d\\d$/.test(c)) : null};
        }"""
    )


def tab_to(page, accessible_name: str, limit: int = 400) -> None:
    """Press Tab until the focus is on a control whose text is ``accessible_name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["text"] == accessible_name:
            return
    raise AssertionError(f"« {accessible_name} » was not reached with Tab")


def test_titles_skip_link_and_revealed_steps_keep_the_keyboard_in_place(page, voila_server):
    page.goto(voila_server.app_url("Clavier App", "01"), wait_until="commit", timeout=SLOW_MS)
    root = shown(page, "01")
    assert page.title() == "01 · Introduction à l’IA — Datalab"
    assert page.locator("[role=main]#dl-main").count() == 1

    # the skip link is the first stop, and leads to the module's title
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Aller au contenu du module"
    assert page.locator("#dl-skip-link").is_visible()
    page.keyboard.press("Enter")
    now = focused(page)
    assert now["tag"] == "H1" and now["module"] == "dl-module-01"
    assert page.url.endswith("#01"), "the skip link must not change the module shown"

    # « Étape suivante » with Enter: the focus goes to the new step's heading
    button = root.locator(".dl-next-step-button").first
    label = button.inner_text().strip()
    tab_to(page, label)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && /^H[1-4]$/.test(document.activeElement.tagName)"
        " && document.activeElement.closest('.dl-module-01')",
        timeout=SLOW_MS,
    )
    assert focused(page)["text"] != "", "the focused heading says where the learner is"

    # another module: its title and the page title follow
    page.evaluate("() => { window.location.hash = '#05'; }")
    root = shown(page, "05")
    page.wait_for_function("() => document.title.startsWith('05 ·')")
    assert focused(page)["module"] == "dl-module-05"
    assert_accessible(page)


def test_a_control_disabled_while_the_kernel_works_gets_the_focus_back(page, voila_server):
    page.goto(voila_server.app_url("Clavier Calcul", "05"), wait_until="commit", timeout=SLOW_MS)
    root = shown(page, "05")
    compare = root.get_by_role("button", name="Comparer les modèles", exact=True)
    while not compare.count():
        label = root.locator(".dl-next-step-button").first.inner_text().strip()
        tab_to(page, label)
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.activeElement && /^H[1-4]$/.test(document.activeElement.tagName)",
            timeout=SLOW_MS,
        )
    tab_to(page, "Comparer les modèles")
    page.keyboard.press("Enter")
    root.get_by_text("Comparaison terminée").wait_for(timeout=SLOW_MS)
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.classList.contains('dl-compare')"
        " || (document.activeElement.closest && document.activeElement.closest('.dl-compare'))",
        timeout=30_000,
    )
    assert focused(page)["tag"] != "BODY"


def test_the_dialog_of_a_second_tab_keeps_the_focus_and_closes_with_escape(browser, voila_server):
    first_context, second_context = browser.new_context(), browser.new_context()
    try:
        first = first_context.new_page()
        first.goto(voila_server.app_url("Clavier Deux"), wait_until="commit", timeout=SLOW_MS)
        shown(first, "00")
        second = second_context.new_page()
        second.goto(voila_server.app_url("Clavier Deux"), wait_until="commit", timeout=SLOW_MS)
        shown(second, "00")
        dialog = first.get_by_role("alertdialog", name="Votre travail est ouvert ailleurs")
        dialog.wait_for(timeout=60_000)
        assert focused(first)["text"] == "Reprendre ici"
        for _ in range(3):
            first.keyboard.press("Tab")
            assert focused(first)["text"] == "Reprendre ici", "Tab left the dialog"
        first.keyboard.press("Shift+Tab")
        assert focused(first)["text"] == "Reprendre ici"
        first.keyboard.press("Escape")
        assert dialog.count() == 0
        banner = first.locator("#dl-paused[role=status]")
        assert "Votre travail est ouvert ailleurs" in banner.inner_text()
        assert focused(first)["text"] == "Reprendre ici"
        assert first.locator(".dl-stage").is_hidden()
        assert_accessible(first)
    finally:
        first_context.close()
        second_context.close()


def test_messages_are_said_through_one_live_region(page, voila_server):
    page.goto(voila_server.app_url("Clavier Annonce", "02"), wait_until="commit", timeout=SLOW_MS)
    root = shown(page, "02")
    live = page.locator("#dl-live[role=status][aria-live=polite]")
    assert live.count() == 1 and live.inner_text().strip() == ""  # made at load, nothing said yet
    root.locator(".dl-field-titre input").focus()
    page.keyboard.type("Prévoir les inscriptions")
    tab_to(page, "Enregistrer la fiche")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('dl-live').innerText.includes('Fiche projet enregistrée')",
        timeout=60_000,
    )
    said = live.inner_text()
    shown_text = root.locator(".dl-msg").last.inner_text()
    assert " ".join(said.split()) == " ".join(shown_text.split())
    assert focused(page)["text"] == "Enregistrer la fiche"  # the focus stayed on the control
    assert_accessible(page)


def test_charts_are_named_images_with_their_data_and_no_english_toolbar(page, voila_server):
    page.goto(
        voila_server.app_url("Clavier Graphiques", "01"), wait_until="commit", timeout=SLOW_MS
    )
    root = shown(page, "01")
    root.locator(".js-plotly-plot").first.wait_for(timeout=SLOW_MS)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.dl-module-01 .js-plotly-plot')]"
        ".every(p => p.getAttribute('role') === 'img'"
        " && (p.getAttribute('aria-label') || '').startsWith('Graphique : '))",
        timeout=60_000,
    )
    assert root.locator(".modebar-btn").count() == 0, "plotly's English toolbar is still there"
    # the first chart's data, opened with the keyboard
    tab_to(page, "Voir les données du graphique")
    page.keyboard.press("Enter")
    table = root.locator(".dl-figure-data[open] table").first
    table.wait_for()
    assert table.locator("tbody tr").count() >= 1
    assert_accessible(page)


def test_file_buttons_are_named_by_their_label_never_null(page, voila_server):
    page.goto(voila_server.app_url("Clavier Fichiers", "03"), wait_until="commit", timeout=SLOW_MS)
    root = shown(page, "03")
    reveal_all_steps(root)
    button = root.get_by_role("button", name="Choisir un fichier")
    button.first.wait_for()
    assert page.locator('[title="null"]').count() == 0, "a control is read « null »"
    assert button.first.get_attribute("title") == "Choisir un fichier"
    page.wait_for_function(  # without ipywidgets' « (0) » count (issue 23)
        "() => { const all = [...document.querySelectorAll('.dl-module-03 .widget-upload')];"
        " return all.length > 0 && all.every(b => b.textContent.trim() === b.title); }"
    )


CONTROL_ROLES = {
    "button",
    "checkbox",
    "radio",
    "textbox",
    "combobox",
    "slider",
    "listbox",
    "spinbutton",
    "radiogroup",
    "progressbar",
    "switch",
    "link",
    "searchbox",
    "menuitem",
    "tab",
}


def unnamed_controls(page) -> list[str]:
    """Controls and groups of Chromium's own accessibility tree (what a screen reader is given)
    that have no name."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    unnamed = []
    for node in nodes:
        role = (node.get("role") or {}).get("value")
        name = ((node.get("name") or {}).get("value") or "").strip()
        if not node.get("ignored") and role in CONTROL_ROLES and not name:
            unnamed.append(f"{role} (node {node.get('backendDOMNodeId')})")
    return unnamed


def test_every_control_and_group_of_every_module_is_named(page, voila_server):
    """Issue 25, item 4: no control without a name in the accessibility tree, in any module with
    every step shown; choices are groups named by their question; the progress bar is a
    progressbar; the slider of module 05 says its setting's value; a matrix cell says its row and
    column; module 06's fields say the column's plain name."""
    page.goto(voila_server.app_url("Clavier Noms", "01"), wait_until="commit", timeout=SLOW_MS)
    for number in ("01", "02", "03", "04", "05", "06"):
        root = go_to_module(page, number) if number != "01" else shown(page, "01")
        reveal_all_steps(root)
        if number == "05":
            root.get_by_role("button", name="Comparer les modèles", exact=True).click()
            root.get_by_text("Comparaison terminée").wait_for(timeout=SLOW_MS)
            bar = root.get_by_role("progressbar", name="Avancement").first
            assert bar.get_attribute("aria-valuenow") == "100"
            cell = root.locator(".dl-cell-right").first
            cell.wait_for(timeout=SLOW_MS)
            assert cell.get_attribute("aria-label").startswith("Vraie valeur « ")
            assert " (bonne réponse) : " in cell.get_attribute("aria-label")
            slider = root.locator(".dl-complexity [role=slider]")  # root: module 05 only
            slider.wait_for(timeout=SLOW_MS)
            page.wait_for_function(  # the value shown beside the slider is the value said
                """() => {
                    const said = document.querySelector('.dl-module-05 .dl-complexity .widget-readout');
                    const handle = document.querySelector('.dl-module-05 .dl-complexity [role=slider]');
                    return said.textContent.trim() !== ''
                        && handle.getAttribute('aria-valuetext') === said.textContent.trim()
                        && handle.getAttribute('aria-valuetext') !== handle.getAttribute('aria-valuenow');
                }"""
            )
            features = root.get_by_role("group", name="Colonnes utilisées pour prédire")
            assert features.get_by_role("checkbox").count() >= 2
        if number == "02":
            group = root.get_by_role("radiogroup").first
            group.wait_for()
            labelled = group.get_attribute("aria-labelledby")
            assert page.locator(f"#{labelled}").inner_text().strip().startswith("1. ")
            described = root.locator("[role=radiogroup][aria-describedby]").first
            hint = page.locator(f"#{described.get_attribute('aria-describedby')}").inner_text()
            assert hint.strip(), "a question's help is linked to its choices"
        if number == "01":
            quiz = root.locator(".dl-quiz-question [role=radiogroup]").first
            quiz.wait_for()
            question = page.locator(f"#{quiz.get_attribute('aria-labelledby')}").inner_text()
            assert question.startswith("Question 1.")
        if number == "06":
            field = root.locator(".dl-uc-field").first
            field.wait_for(timeout=SLOW_MS)
            names = root.locator(".dl-uc-field .widget-label").all_inner_texts()
            assert any(" " in name for name in names), f"raw column names as labels: {names}"
        page.wait_for_timeout(300)  # the page template names what was just drawn (next frame)
        assert unnamed_controls(page) == [], f"module {number}: unnamed controls"
        assert_accessible(page)


def test_the_home_page_says_its_accessibility_and_opens_the_statement(page, voila_server):
    """Issue 25, item 6: « Accessibilité : non conforme » on the home page, as public bodies
    must say, opening the statement with the keyboard."""
    page.goto(
        voila_server.app_url("Clavier Declaration", "00"), wait_until="commit", timeout=SLOW_MS
    )
    root = shown(page, "00")
    reveal_all_steps(root)
    summary = root.locator("#dl-accessibilite > summary")
    summary.wait_for()
    said = summary.inner_text().strip()
    assert said.startswith("Accessibilité : non conforme")
    tab_to(page, said)
    page.keyboard.press("Enter")
    statement = root.locator("#dl-accessibilite[open]")
    statement.get_by_role("heading", name="État de conformité").wait_for()
    text = statement.inner_text()
    assert "% sont respectés" in text and "Défenseur des droits" in text
    assert "Contenus non accessibles" in text
    assert_accessible(page)
