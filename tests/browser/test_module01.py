"""Module 01 in Chromium: move the sliders, the figures and the errors in words follow."""

from __future__ import annotations

import pytest
from support import assert_accessible

pytestmark = pytest.mark.browser

# The first page of a freshly started server waits for its preheated kernel; on a loaded machine
# this takes longer than new_page's 120 s (SLOW_MS: see tests/browser/conftest.py).
SLOW_MS = 240_000


def move_slider_to_end(page, css_class: str) -> None:
    handle = page.locator(f".{css_class} .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("End")


def test_complexity_slider_changes_the_boundary_and_the_error_text(page, open_page):
    open_page("01_introduction", "Curseur Test")
    summary = page.locator(".dl-classif-summary")
    summary.get_by_text("Avec k = 15").wait_for()
    before = summary.inner_text()
    assert "nouveaux tronçons" in before
    # the plotly figure is on the page, with the current k in its title
    page.locator(".dl-figure .gtitle", has_text="(k = 15)").first.wait_for()

    move_slider_to_end(page, "dl-complexity")
    summary.get_by_text("Avec k = 1,").wait_for()
    after = summary.inner_text()
    assert after != before
    assert "Surapprentissage" in after
    assert "0\u202f%" in after  # no error on the examples it learnt
    page.locator(".dl-figure .gtitle", has_text="(k = 1)").first.wait_for()
    page.get_by_text("le modèle recopie l’exemple le plus proche").wait_for()

    page.get_by_role("button", name="Tirer de nouveaux points").click()
    page.get_by_text("200 nouveaux tronçons tirés au hasard").wait_for()
    assert page.locator(".dl-msg-error").count() == 0
    assert_accessible(page)


def test_degree_and_threshold_sliders_update_their_texts(page, open_page):
    open_page("01_introduction", "Seuils Test")
    regression = page.locator(".dl-regression-summary")
    regression.get_by_text("Courbe de degré 2").wait_for()
    move_slider_to_end(page, "dl-degree")
    regression.get_by_text("Courbe de degré 12").wait_for()
    assert "Surapprentissage" in regression.inner_text()
    page.locator(".dl-figure .gtitle", has_text="Courbe de degré 12").first.wait_for()

    page.get_by_text("atteint 25\u202f°C en semaine").first.wait_for()
    verdict_before = page.locator(".dl-rule-verdict").inner_text()
    move_slider_to_end(page, "dl-rule-weekday")
    page.get_by_text("atteint 35\u202f°C en semaine").first.wait_for()
    table = page.get_by_role("table", name="Les erreurs de votre règle et de l’arbre appris")
    assert "Votre règle, sur l’été suivant" in table.inner_text()
    assert page.locator(".dl-rule-verdict").inner_text() != verdict_before
    assert page.locator(".dl-msg-error").count() == 0
