"""The workbook app in Chromium: every module in one page and one kernel, opened in place.

Walk 00→06 with one kernel, back/forward, reload, deep link, a dataset change in 03 seen by 04 and
05 without a reload, two tabs of one learner, the lost-connection notice, axe on every module.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from support import assert_accessible, build_of, kernel_id_of, reveal_all_steps
from support import go_to_module as go_to
from support import module_shown as shown

from labkit.serve.devserver import start_server, stop_server

pytestmark = pytest.mark.browser

SLOW_MS = 180_000
MODULES = ["00", "01", "02", "03", "04", "05", "06"]


def open_app(page, server, pseudonym: str, number: str | None = None):
    page.goto(server.app_url(pseudonym, number), wait_until="commit", timeout=SLOW_MS)
    return shown(page, number or "00")


def settled_kernel_count(server) -> int:
    """Kernels of the server once the preheated pool has refilled (the count stops moving)."""
    previous, stable_since = -1, time.monotonic()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        count = len(server.kernel_processes())
        if count != previous:
            previous, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since > 4:
            return count
        time.sleep(0.5)
    return previous


def test_walk_every_module_in_place_with_one_kernel(page, voila_server):
    open_app(page, voila_server, "Parcours App")
    kernel = kernel_id_of(page)
    kernels_before = settled_kernel_count(voila_server)
    assert_accessible(page)
    for number in MODULES[1:]:
        previous = page.locator(".dl-module-root:visible")
        previous.get_by_role("link", name="Module suivant", exact=False).first.click()
        root = shown(page, number)
        assert page.url.endswith(f"#{number}")
        assert root.locator(".dl-header h1").count() == 1
        assert root.locator(".dl-msg-error").count() == 0, root.locator(
            ".dl-msg-error"
        ).first.inner_text()
        assert page.locator(".dl-module-root:visible").count() == 1
        assert_accessible(page)
    assert kernel_id_of(page) == kernel
    assert len(voila_server.kernel_processes()) <= kernels_before, "a module started a kernel"
    # every module of the walk is still on the page: a return visit shows it as it was
    builds = {number: build_of(page, number) for number in MODULES}
    page.locator(".dl-module-root:visible").get_by_role(
        "link", name="Accueil et progression"
    ).first.click()
    home = shown(page, "00")
    home.get_by_role("link", name="05 · ", exact=False).first.click()
    shown(page, "05")
    assert build_of(page, "05") == builds["05"]


def test_back_forward_reload_and_deep_link(page, voila_server):
    root = open_app(page, voila_server, "Adresse App", "04")
    assert "Préparer les données" in root.locator(".dl-header h1").inner_text()
    build_04 = build_of(page, "04")
    root.get_by_role("link", name="Module suivant", exact=False).first.click()
    shown(page, "05")
    page.go_back()
    shown(page, "04")
    assert page.url.endswith("#04")
    assert build_of(page, "04") == build_04  # kept, not rebuilt
    page.go_forward()
    shown(page, "05")
    page.reload(wait_until="commit")
    root = shown(page, "05")
    assert "Entraîner un modèle" in root.locator(".dl-header h1").inner_text()
    # an address that names no module opens the home page
    page.evaluate("() => { window.location.hash = '#99'; }")
    shown(page, "00")
    assert page.url.endswith("#00")


def test_dataset_change_in_03_is_followed_by_04_and_05_without_reload(page, voila_server):
    root = open_app(page, voila_server, "Suivi App", "04")
    root.get_by_text("Attribution des places en crèche").first.wait_for()
    kernel = kernel_id_of(page)
    page.evaluate("() => { window.location.hash = '#05'; }")
    root = shown(page, "05")
    assert "Attribution des places en crèche" in root.inner_text()

    page.evaluate("() => { window.location.hash = '#03'; }")
    root = shown(page, "03")
    reveal_all_steps(root)
    query = root.locator(".dl-catalogue-query input")
    query.fill("fuites")
    query.press("Enter")
    root.get_by_role(
        "button", name="Ouvrir la fiche : Fuites sur les conduites d’un réseau d’eau potable"
    ).click()
    root.locator(".dl-catalogue-detail").get_by_role(
        "button", name="Utiliser ce jeu de données pour mon projet"
    ).click()
    root.locator(".dl-choice-status").get_by_text("Jeu à enregistrer").wait_for()
    build = build_of(page, "03")
    root.get_by_role("button", name="Enregistrer ce choix pour mon projet").click()
    # other data than the example's open a new project: 03 is built again for it, and says so
    page.wait_for_function(
        "b => !document.querySelector('.dl-module-03').classList.contains(b)", arg=build
    )
    root = shown(page, "03")
    root.get_by_text("Nouveau projet créé et ouvert : « Fuites sur les conduites").wait_for()
    root.locator(".dl-project-line").get_by_text("Fuites sur les conduites").wait_for()

    page.evaluate("() => { window.location.hash = '#04'; }")
    root = shown(page, "04")
    root.get_by_text("Fuites sur les conduites").first.wait_for()
    assert "La recette ne peut pas s’appliquer" not in root.inner_text()
    page.evaluate("() => { window.location.hash = '#05'; }")
    root = shown(page, "05")
    root.get_by_text("Fuites sur les conduites").first.wait_for()
    assert "Attribution des places en crèche" not in root.inner_text()
    assert kernel_id_of(page) == kernel


def test_a_second_tab_of_the_same_learner_takes_over(browser, voila_server):
    first_context = browser.new_context(locale="fr-FR")
    second_context = browser.new_context(locale="fr-FR")
    try:
        first = first_context.new_page()
        first.set_default_timeout(SLOW_MS)
        open_app(first, voila_server, "Deux Onglets")
        first_kernel = kernel_id_of(first)
        second = second_context.new_page()
        second.set_default_timeout(SLOW_MS)
        open_app(second, voila_server, "Deux Onglets", "01")
        dialog = first.get_by_role("alertdialog", name="Votre travail est ouvert ailleurs")
        dialog.wait_for()
        assert "Cet onglet est en pause" in dialog.inner_text()
        assert_accessible(first)
        # the older tab gives its kernel back: at most one kernel per learner
        deadline = time.monotonic() + 60
        while voila_server.kernel_alive(first_kernel) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not voila_server.kernel_alive(first_kernel)
        # the newer tab keeps working, without any notice
        shown(second, "01")
        assert second.get_by_role("alertdialog").count() == 0
    finally:
        first_context.close()
        second_context.close()


def test_lost_connection_is_said_in_french(browser, tmp_path):
    server = start_server(tmp_path / "lost", pool_size=0)
    context = browser.new_context(locale="fr-FR")
    try:
        page = context.new_page()
        page.set_default_timeout(SLOW_MS)
        open_app(page, server, "Connexion App")
        assert page.get_by_role("alertdialog").count() == 0
        stop_server(server)
        dialog = page.get_by_role("alertdialog", name="Connexion au serveur perdue…")
        dialog.wait_for(timeout=60_000)
        dialog.get_by_role("button", name="Recharger la page").wait_for()
        assert_accessible(page)
    finally:
        context.close()
        stop_server(server)


def test_a_kernel_shut_down_by_the_server_is_said_in_french(page, voila_server):
    open_app(page, voila_server, "Noyau Arrete")
    kernel = kernel_id_of(page)
    # as the idle culler does: the server ends the kernel, the page's socket stays open
    status = page.evaluate(
        """async (kernel) => {
            const form = new FormData();
            const xsrf = document.cookie.match('\\\\b_xsrf=([^;]*)\\\\b');
            form.append('_xsrf', xsrf ? xsrf[1] : '');
            const response = await fetch('/voila/api/shutdown/' + kernel, {method: 'POST', body: form});
            return response.status;
        }""",
        kernel,
    )
    assert status == 204
    page.get_by_role("alertdialog", name="Connexion au serveur perdue…").wait_for(timeout=60_000)


def test_the_kernel_connection_stays_open_past_the_first_pings(page, voila_server):
    """The server pings each kernel socket every 30 s: a wrong time-out closed them all then."""
    open_app(page, voila_server, "Connexion Durable")
    opens = page.evaluate("() => window.datalabKernelSocketOpens")
    assert opens >= 1
    page.wait_for_timeout(40_000)
    assert page.evaluate("() => window.datalabKernelSocketOpens") == opens
    assert page.get_by_role("alertdialog").count() == 0


def test_a_module_from_before_is_never_clicked_then_rebuilt_under_the_learner(page, voila_server):
    open_app(page, voila_server, "Course App", "05")
    old = build_of(page, "05")
    root = go_to(page, "03")
    reveal_all_steps(root)
    query = root.locator(".dl-catalogue-query input")
    query.fill("fuites")
    query.press("Enter")
    root.get_by_role(
        "button", name="Ouvrir la fiche : Fuites sur les conduites d’un réseau d’eau potable"
    ).click()
    root.locator(".dl-catalogue-detail").get_by_role(
        "button", name="Utiliser ce jeu de données pour mon projet"
    ).click()
    root.locator(".dl-choice-status").get_by_text("Jeu à enregistrer").wait_for()
    root.get_by_role("button", name="Enregistrer ce choix pour mon projet").click()
    page.get_by_text("Nouveau projet créé et ouvert").first.wait_for()

    # Straight to 05: the page shows the 05 of before at once, but it cannot be clicked (inert,
    # aria-busy) while the kernel builds it again for the new data.
    # (the hash change is handled a task later: wait, frame by frame, until 05 is on screen)
    seen = page.evaluate(
        """async () => {
            window.location.hash = '#05';
            for (let frame = 0; frame < 240; frame++) {
                await new Promise(r => requestAnimationFrame(r));
                const root = document.querySelector('.dl-module-05');
                if (root.style.display !== 'none') {
                    return {classes: root.className, inert: root.inert,
                            busy: root.getAttribute('aria-busy'), visible: true};
                }
            }
            return {classes: '', inert: null, busy: null, visible: false};
        }"""
    )
    assert f"dl-build-{old.removeprefix('dl-build-')}" in seen["classes"].split()
    assert seen["visible"] and seen["inert"] and seen["busy"] == "true"

    root = shown(page, "05")
    new = build_of(page, "05")
    assert new != old
    assert page.evaluate("() => document.querySelector('.dl-module-05').inert") is False
    root.get_by_text("Fuites sur les conduites").first.wait_for()
    compare = root.get_by_role("button", name="Comparer les modèles", exact=True)
    while not compare.count():  # the steps before it, one at a time
        before = root.locator(".dl-narrative-cell").count()
        root.locator(".dl-next-step-button").first.click()
        expect(root.locator(".dl-narrative-cell")).not_to_have_count(before)
    compare.click()
    root.get_by_text("Comparaison terminée").wait_for(timeout=SLOW_MS)
    assert build_of(page, "05") == new, "module 05 was built again under the learner"
