"""The whole workshop with the keyboard only (issue 25, item 5): Tab, Shift+Tab, Enter, Space,
arrows and End, never a click, through every module and its main activities with the running
example. After each action the focus is on a control or a heading (never the page body), what the
action says is announced in the live region, and axe finds nothing on each module."""

from __future__ import annotations

import pytest
from support import assert_accessible, go_to_module, module_shown

pytestmark = pytest.mark.browser

SLOW_MS = 300_000

FOCUSED_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {tag: 'BODY', name: '', role: '', type: '', next: false};
    const name = e.getAttribute('aria-label') || (e.innerText || '').trim() || e.value || '';
    return {tag: e.tagName, name: name.trim(), role: e.getAttribute('role') || '',
            type: e.getAttribute('type') || '',
            next: e.classList.contains('dl-next-step-button') && !e.disabled};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED_JS)


FOCUS_SHOWN_JS = """() => {
    const s = getComputedStyle(document.activeElement);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
        || (s.boxShadow && s.boxShadow !== 'none');
}"""


def tab_until(page, matches, what: str, limit: int = 600, backwards: bool = False) -> dict:
    """Press Tab (Shift+Tab) until the focused element satisfies ``matches``; the control
    reached shows where the focus is (RGAA 10.7: an outline of 2 px at least, or a ring)."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if matches(now):
            assert page.evaluate(FOCUS_SHOWN_JS), f"the focus on {what} is not visible"
            return now
    raise AssertionError(f"{what} was not reached with the keyboard")


def tab_to(page, name: str, **options) -> dict:
    return tab_until(page, lambda f: f["name"] == name, f"« {name} »", **options)


def tab_to_start(page, start: str, **options) -> dict:
    return tab_until(page, lambda f: f["name"].startswith(start), f"« {start}… »", **options)


def assert_focus_kept(page, after: str) -> None:
    """The kernel may disable a control while it works and redraw the activity: once it has
    answered, the focus is back on a control or a heading, never on the page body."""
    try:
        page.wait_for_function(
            "() => document.activeElement && document.activeElement !== document.body"
            " && !document.querySelector('.dl-module-root[aria-busy=true]')"
            " && !(document.activeElement.disabled)",
            timeout=30_000,
        )
    except Exception as error:  # noqa: BLE001 - said as the assertion it is
        raise AssertionError(f"after {after}, the focus fell to the page body") from error


def wait_said(page, text: str) -> None:
    """``text`` is announced by one of the page's live regions."""
    page.wait_for_function(
        "(text) => ['dl-live', 'dl-live-alert'].some(id => {"
        " const e = document.getElementById(id); return e && e.innerText.includes(text); })",
        arg=text,
        timeout=SLOW_MS,
    )


def all_steps(page, root) -> None:
    """« Étape suivante » with Enter until the module is whole; the focus lands on each step."""
    while root.locator(".dl-next-step-button").count():
        tab_until(page, lambda f: f["next"], "« Étape suivante »")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.activeElement && /^H[1-4]$/.test(document.activeElement.tagName)",
            timeout=SLOW_MS,
        )


def assert_charts_drawn(page, number: str) -> None:
    """Every chart shown in the module has a height (issue 23: charts of a step revealed later
    fell to 0 px)."""
    flat = page.evaluate(
        f"""() => [...document.querySelectorAll('.dl-module-{number} .dl-figure .js-plotly-plot')]
            .filter(p => p.closest('.dl-figure').offsetParent !== null)
            .filter(p => p.clientHeight < 50).map(p => p.getAttribute('aria-label'))"""
    )
    assert flat == [], f"module {number}: charts without height: {flat}"


def open_module(page, number: str):
    root = go_to_module(page, number)
    page.wait_for_function(f"() => document.title.startsWith('{number} ·')")
    return root


def test_the_whole_workshop_with_the_keyboard_only(page, voila_server):
    page.goto(voila_server.app_url("Clavier Parcours", "01"), wait_until="commit", timeout=SLOW_MS)
    root = module_shown(page, "01")

    # ---- 01: a slider moved with the keyboard, a quiz answered and checked
    all_steps(page, root)
    page.evaluate("() => document.activeElement.blur()")
    handle = tab_until(page, lambda f: f["role"] == "slider", "a slider")
    position = page.evaluate("() => document.activeElement.getAttribute('aria-valuenow')")
    page.keyboard.press("End")
    page.wait_for_function(
        "(before) => document.activeElement.getAttribute('aria-valuenow') !== before",
        arg=position,
    )
    assert_focus_kept(page, "moving a slider")
    assert focused(page)["name"] == handle["name"], "the slider keeps the focus"
    tab_until(page, lambda f: f["type"] == "radio", "a quiz choice")
    page.keyboard.press("Space")
    tab_to(page, "Vérifier")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => (document.getElementById('dl-live').innerText"
        " + document.getElementById('dl-live-alert').innerText).trim() !== ''",
        timeout=SLOW_MS,
    )
    assert_focus_kept(page, "checking a quiz answer")
    assert_charts_drawn(page, "01")
    assert_accessible(page)

    # ---- 02: the project sheet, and a risk question answered with the arrows
    root = open_module(page, "02")
    all_steps(page, root)
    root.locator(".dl-field-titre input").focus()
    page.keyboard.type("Prévoir les inscriptions au clavier")
    tab_to(page, "Enregistrer la fiche")
    page.keyboard.press("Enter")
    wait_said(page, "Fiche projet enregistrée")
    assert focused(page)["name"] == "Enregistrer la fiche"
    page.evaluate("() => document.activeElement.blur()")
    tab_until(page, lambda f: f["type"] == "radio", "a risk question")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('.dl-risk-result') &&"
        " document.querySelector('.dl-risk-result').innerText.trim() !== ''"
    )
    assert_focus_kept(page, "answering a risk question")
    assert_charts_drawn(page, "02")
    assert_accessible(page)

    # ---- 03: the running example's dataset chosen for the project
    root = open_module(page, "03")
    all_steps(page, root)
    page.evaluate("() => document.activeElement.blur()")
    tab_to_start(page, "Ouvrir la fiche : ")
    page.keyboard.press("Enter")
    root.locator(".dl-use-dataset").wait_for(timeout=SLOW_MS)
    assert_focus_kept(page, "opening a dataset's card")
    tab_to(page, "Utiliser ce jeu de données pour mon projet")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('dl-live').innerText.trim() !== ''", timeout=SLOW_MS
    )
    assert_focus_kept(page, "choosing the dataset")
    assert_charts_drawn(page, "03")
    assert_accessible(page)

    # ---- 04: a fix applied from the quality report, named by what it fixes
    root = open_module(page, "04")
    all_steps(page, root)
    page.evaluate("() => document.activeElement.blur()")
    fix = tab_to_start(page, "Appliquer la correction : ")
    assert len(fix["name"]) > len("Appliquer la correction : ")
    page.keyboard.press("Enter")
    wait_said(page, "recette")
    assert_focus_kept(page, "applying a fix")
    assert_charts_drawn(page, "04")
    assert_accessible(page)

    # ---- 05: compare, open a cell of the matrix, move the complexity slider, save the model
    root = open_module(page, "05")
    all_steps(page, root)
    page.evaluate("() => document.activeElement.blur()")
    tab_to(page, "Comparer les modèles")
    page.keyboard.press("Enter")
    root.get_by_text("Comparaison terminée").wait_for(timeout=SLOW_MS)
    assert_focus_kept(page, "comparing the models")
    all_steps(page, root)  # steps that waited for the comparison
    page.evaluate("() => document.activeElement.blur()")
    cell = tab_to_start(page, "Vraie valeur « ")
    assert "(erreur)" in cell["name"] or "(bonne réponse)" in cell["name"]
    page.keyboard.press("Enter")
    root.locator(".dl-cell-rows").get_by_text("ligne(s) de test").wait_for(timeout=SLOW_MS)
    assert_focus_kept(page, "opening a matrix cell")
    tab_until(page, lambda f: f["name"].startswith("Réglage « "), "the complexity slider")
    page.keyboard.press("End")
    page.wait_for_function(
        "() => document.activeElement.getAttribute('aria-valuetext') ==="
        " document.querySelector('.dl-module-05 .dl-complexity .widget-readout').textContent.trim()"
    )
    assert_focus_kept(page, "moving the complexity slider")
    tab_to(page, "Enregistrer ce modèle")
    page.keyboard.press("Enter")
    wait_said(page, "Le module 06 pourra l’utiliser")
    assert_focus_kept(page, "saving the model")
    assert_charts_drawn(page, "05")
    assert_accessible(page)

    # ---- 06: a case predicted, the threshold placed and saved, the sheet and the report
    root = open_module(page, "06")
    all_steps(page, root)
    page.evaluate("() => document.activeElement.blur()")
    tab_until(  # a text or number field of the form shows its focus too
        page,
        lambda f: f["tag"] == "INPUT" and f["type"] in ("number", "text"),
        "a field of the what-if form",
    )
    tab_to(page, "Prédire ce cas")
    page.keyboard.press("Enter")
    prediction = root.locator(".dl-uc-prediction")
    prediction.wait_for(timeout=SLOW_MS)
    wait_said(page, prediction.inner_text().strip())
    assert_focus_kept(page, "predicting a case")
    for action in (
        "Placer le curseur sur le seuil le moins coûteux",
        "Enregistrer ce seuil",
        "Préremplir à partir de mon projet",
        "Enregistrer la fiche et la carte",
        "Préparer le rapport final",
    ):
        tab_to(page, action)
        page.keyboard.press("Enter")
        assert_focus_kept(page, f"« {action} »")
    root.get_by_role("link", name="Télécharger le rapport final (HTML)").wait_for(timeout=SLOW_MS)
    assert_charts_drawn(page, "06")
    assert_accessible(page)
